//! The Grafana dashboard: typed structures of Grafana's classic dashboard JSON model and the
//! panels mcpgen puts on it.
//!
//! Only `timeseries` and `stat` panels are used (Grafana 12 removed the Angular `graph` and
//! `singlestat`), `schemaVersion` is pinned, every panel reads the `${datasource}` variable, and
//! the `uid` is derived from namespace, name and environment so re-imports update the same
//! dashboard. The structs cover the subset of the model mcpgen writes, with field names and
//! enum values from the grafana-foundation-sdk JSON schemas. Queries come from `promql.rs`.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::Model;
use crate::model::monitoring::{AlertKind, MonitoringModel, Threshold};

use super::promql::{
    Matcher, STATUS_5XX, STATUS_OK, Scope, TOOL_STATUS_ERROR, aggregate, max_by, quantile, share,
    sum_rate,
};

/// The dashboard JSON schema version written. 41 is understood by Grafana 11.6 and 12 without
/// migration; newer Grafana migrates it forward on load.
pub const SCHEMA_VERSION: u32 = 41;
/// Range window used in dashboard queries.
pub const RATE_WINDOW: &str = "$__rate_interval";
/// Reference to the dashboard's data source variable.
pub const DATASOURCE_UID: &str = "${datasource}";

/// A dashboard (classic JSON model).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Stable identifier.
    pub uid: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Time zone.
    pub timezone: &'static str,
    /// Whether users may edit it.
    pub editable: bool,
    /// Shared crosshair (1).
    pub graph_tooltip: u8,
    /// Default time range.
    pub time: TimeRange,
    /// Auto-refresh interval.
    pub refresh: String,
    /// Pinned schema version.
    pub schema_version: u32,
    /// Dashboard version.
    pub version: u32,
    /// Template variables.
    pub templating: Templating,
    /// Annotations: Grafana's built-in "Annotations & Alerts" only.
    pub annotations: Annotations,
    /// Panels.
    pub panels: Vec<Panel>,
}

/// A relative time range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeRange {
    /// Start.
    pub from: &'static str,
    /// End.
    pub to: &'static str,
}

/// Template variables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Templating {
    /// Variables.
    pub list: Vec<Variable>,
}

/// A template variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// Variable type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Name, referenced as `${name}`.
    pub name: &'static str,
    /// Label shown.
    pub label: &'static str,
    /// For a datasource variable: the plugin id.
    pub query: &'static str,
    /// Regex filter on data source names.
    pub regex: &'static str,
    /// Refresh on load (1).
    pub refresh: u8,
    /// Show label and value (0).
    pub hide: u8,
}

/// Annotation list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annotations {
    /// Annotation queries.
    pub list: Vec<AnnotationQuery>,
}

/// An annotation query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationQuery {
    /// 1 for Grafana's built-in query.
    pub built_in: u8,
    /// Data source.
    pub datasource: DataSourceRef,
    /// Enabled.
    pub enable: bool,
    /// Toggle hidden.
    pub hide: bool,
    /// Marker colour.
    pub icon_color: &'static str,
    /// Name.
    pub name: &'static str,
    /// Query type.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// Grafana's own annotation query, which Grafana adds to every dashboard it saves.
fn builtin_annotations() -> AnnotationQuery {
    AnnotationQuery {
        built_in: 1,
        datasource: DataSourceRef {
            kind: "grafana",
            uid: "-- Grafana --",
        },
        enable: true,
        hide: true,
        icon_color: "rgba(0, 211, 255, 1)",
        name: "Annotations & Alerts",
        kind: "dashboard",
    }
}

/// A data source reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSourceRef {
    /// Plugin id.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Instance uid (the variable).
    pub uid: &'static str,
}

fn datasource() -> DataSourceRef {
    DataSourceRef {
        kind: "prometheus",
        uid: DATASOURCE_UID,
    }
}

/// A panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    /// Id, unique in the dashboard.
    pub id: u32,
    /// `timeseries` or `stat`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Description (tooltip).
    pub description: String,
    /// Data source.
    pub datasource: DataSourceRef,
    /// Position.
    pub grid_pos: GridPos,
    /// Queries.
    pub targets: Vec<Target>,
    /// Field configuration.
    pub field_config: FieldConfigSource,
    /// Plugin options.
    pub options: PanelOptions,
}

/// Grid position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GridPos {
    /// Height.
    pub h: u32,
    /// Width (of 24).
    pub w: u32,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

/// A Prometheus query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Data source.
    pub datasource: DataSourceRef,
    /// Editor mode.
    pub editor_mode: &'static str,
    /// PromQL.
    pub expr: String,
    /// Legend template.
    pub legend_format: String,
    /// Range query.
    pub range: bool,
    /// Query id (A, B, …).
    pub ref_id: String,
}

/// Field configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldConfigSource {
    /// Defaults for every field.
    pub defaults: FieldDefaults,
    /// Per-field overrides (mcpgen writes none).
    pub overrides: Vec<FieldOverride>,
}

/// A per-field override. mcpgen writes none; the type exists so the empty list is typed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldOverride {}

/// Field defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDefaults {
    /// Unit id.
    pub unit: &'static str,
    /// Axis/scale minimum (every quantity shown is non-negative).
    pub min: u32,
    /// Colour scheme.
    pub color: FieldColor,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Plugin-specific field config (timeseries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<GraphFieldConfig>,
}

/// Field colour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldColor {
    /// Mode.
    pub mode: &'static str,
}

/// Thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    /// `absolute`.
    pub mode: &'static str,
    /// Steps; the first has value `null` (−∞).
    pub steps: Vec<ThresholdStep>,
}

/// A threshold step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdStep {
    /// Colour from this value up.
    pub color: &'static str,
    /// Value (`null` is −∞).
    pub value: Option<f64>,
}

/// `timeseries` field config (the plugin's `GraphFieldConfig`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphFieldConfig {
    /// Line.
    pub draw_style: &'static str,
    /// Interpolation.
    pub line_interpolation: &'static str,
    /// Line width.
    pub line_width: u32,
    /// Fill.
    pub fill_opacity: u32,
    /// Points.
    pub show_points: &'static str,
    /// Gaps stay gaps.
    pub span_nulls: bool,
    /// Axis placement.
    pub axis_placement: &'static str,
    /// How thresholds are drawn.
    pub thresholds_style: ThresholdsStyle,
}

/// Threshold drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdsStyle {
    /// `off` or `dashed`.
    pub mode: &'static str,
}

/// Plugin options of either panel type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PanelOptions {
    /// `timeseries` options.
    TimeSeries(TimeSeriesOptions),
    /// `stat` options.
    Stat(StatOptions),
}

/// `timeseries` options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSeriesOptions {
    /// Legend.
    pub legend: Legend,
    /// Tooltip.
    pub tooltip: Tooltip,
}

/// Legend options.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Legend {
    /// Display mode.
    pub display_mode: &'static str,
    /// Placement.
    pub placement: &'static str,
    /// Shown.
    pub show_legend: bool,
    /// Calculations.
    pub calcs: Vec<&'static str>,
}

/// Tooltip options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tooltip {
    /// Mode.
    pub mode: &'static str,
    /// Sort.
    pub sort: &'static str,
}

/// `stat` options.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatOptions {
    /// Sparkline.
    pub graph_mode: &'static str,
    /// Colouring.
    pub color_mode: &'static str,
    /// Justification.
    pub justify_mode: &'static str,
    /// Text.
    pub text_mode: &'static str,
    /// Wide layout.
    pub wide_layout: bool,
    /// Percent change.
    pub show_percent_change: bool,
    /// Percent change colouring.
    pub percent_change_color_mode: &'static str,
    /// Orientation.
    pub orientation: &'static str,
    /// Reduction to one value.
    pub reduce_options: ReduceOptions,
}

/// Reduction options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReduceOptions {
    /// Show each row.
    pub values: bool,
    /// Calculation.
    pub calcs: Vec<&'static str>,
    /// Numeric fields.
    pub fields: &'static str,
}

/// Units used.
mod unit {
    pub const RPS: &str = "reqps";
    pub const OPS: &str = "ops";
    pub const SECONDS: &str = "s";
    pub const RATIO: &str = "percentunit";
    pub const COUNT: &str = "short";
    pub const CORES: &str = "cores";
    pub const BYTES: &str = "bytes";
}

/// A query with its legend.
struct Query {
    expr: String,
    legend: String,
}

fn q(expr: String, legend: &str) -> Query {
    Query {
        expr,
        legend: legend.into(),
    }
}

/// What one panel shows.
struct PanelDef<'a> {
    kind: &'static str,
    title: &'a str,
    description: &'a str,
    unit: &'static str,
    pos: GridPos,
    queries: Vec<Query>,
    threshold: Option<f64>,
}

/// Builds panels and lays them out.
struct Builder {
    panels: Vec<Panel>,
}

impl Builder {
    fn push(&mut self, def: PanelDef) {
        let PanelDef {
            kind,
            title,
            description,
            unit,
            pos,
            queries,
            threshold,
        } = def;
        let id = self.panels.len() as u32 + 1;
        let targets = queries
            .into_iter()
            .enumerate()
            .map(|(i, query)| Target {
                datasource: datasource(),
                editor_mode: "code",
                expr: query.expr,
                legend_format: query.legend,
                range: true,
                ref_id: ref_id(i),
            })
            .collect();
        let mut steps = vec![ThresholdStep {
            color: "green",
            value: None,
        }];
        if let Some(t) = threshold {
            steps.push(ThresholdStep {
                color: "red",
                value: Some(t),
            });
        }
        let timeseries = kind == "timeseries";
        self.panels.push(Panel {
            id,
            kind,
            title: title.into(),
            description: description.into(),
            datasource: datasource(),
            grid_pos: pos,
            targets,
            field_config: FieldConfigSource {
                defaults: FieldDefaults {
                    unit,
                    min: 0,
                    color: FieldColor {
                        mode: if timeseries {
                            "palette-classic"
                        } else {
                            "thresholds"
                        },
                    },
                    thresholds: Thresholds {
                        mode: "absolute",
                        steps,
                    },
                    custom: timeseries.then(|| GraphFieldConfig {
                        draw_style: "line",
                        line_interpolation: "linear",
                        line_width: 1,
                        fill_opacity: 10,
                        show_points: "never",
                        span_nulls: false,
                        axis_placement: "auto",
                        thresholds_style: ThresholdsStyle {
                            mode: if threshold.is_some() { "dashed" } else { "off" },
                        },
                    }),
                },
                overrides: Vec::new(),
            },
            options: if timeseries {
                PanelOptions::TimeSeries(TimeSeriesOptions {
                    legend: Legend {
                        display_mode: "list",
                        placement: "bottom",
                        show_legend: true,
                        calcs: Vec::new(),
                    },
                    tooltip: Tooltip {
                        mode: "multi",
                        sort: "desc",
                    },
                })
            } else {
                PanelOptions::Stat(StatOptions {
                    graph_mode: "area",
                    color_mode: "value",
                    justify_mode: "auto",
                    text_mode: "auto",
                    wide_layout: true,
                    show_percent_change: false,
                    percent_change_color_mode: "standard",
                    orientation: "auto",
                    reduce_options: ReduceOptions {
                        values: false,
                        calcs: vec!["lastNotNull"],
                        fields: "",
                    },
                })
            },
        });
    }
}

fn ref_id(i: usize) -> String {
    // A, B, … Z, then AA, AB: more than 26 queries never happen here, but stay total.
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = String::new();
    let mut n = i;
    loop {
        s.insert(0, char::from(letters[n % 26]));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s
}

/// Deterministic dashboard uid: `mcpgen-` and 24 hex digits of SHA-256 over
/// `namespace/name/env` (31 characters, within Grafana's 40).
pub fn uid(model: &Model) -> String {
    let key = format!(
        "{}/{}/{}",
        model.namespace,
        model.name,
        model.env.as_deref().unwrap_or("base")
    );
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("mcpgen-{hex}")
}

/// The dashboard of a model. `None` when the dashboard is switched off.
pub fn dashboard(model: &Model, m: &MonitoringModel) -> Option<Dashboard> {
    let settings = m.dashboard.as_ref()?;
    let scope = Scope::new(m);
    let w = RATE_WINDOW;
    let threshold_of = |kind: AlertKind| {
        m.alerts
            .iter()
            .find(|a| a.kind == kind)
            .and_then(|a| match a.threshold {
                Threshold::Percent(p) => Some(p / 100.0),
                Threshold::Seconds(s) => Some(s),
                Threshold::State => None,
            })
    };
    let error_ratio = share(&scope.requests(), Matcher::re("status", STATUS_5XX), w, &[]);
    let tool_error_ratio = share(
        &scope.tools(),
        Matcher::eq("status", TOOL_STATUS_ERROR),
        w,
        &[],
    );
    let available = max_by(
        &scope.deployment("kube_deployment_status_replicas_available"),
        &[],
    );

    let mut b = Builder { panels: Vec::new() };
    let stat = |x: u32| GridPos {
        h: 4,
        w: 4,
        x,
        y: 0,
    };
    let wide = |x: u32, y: u32| GridPos { h: 8, w: 12, x, y };

    b.push(PanelDef {
        kind: "stat",
        title: "Request rate",
        description: "Requests per second over all replicas.",
        unit: unit::RPS,
        pos: stat(0),
        queries: vec![q(sum_rate(&scope.requests(), w, &[]), "requests")],
        threshold: None,
    });
    b.push(PanelDef {
        kind: "stat",
        title: "Error ratio",
        description: "Share of requests answered with a 5xx status. Red from the alert threshold.",
        unit: unit::RATIO,
        pos: stat(4),
        queries: vec![q(error_ratio.clone(), "5xx ratio")],
        threshold: threshold_of(AlertKind::ErrorRate),
    });
    b.push(PanelDef {
        kind: "stat",
        title: "p95 latency",
        description: "95th percentile request latency. Red from the alert threshold.",
        unit: unit::SECONDS,
        pos: stat(8),
        queries: vec![q(quantile(&scope, 0.95, w, &[]), "p95")],
        threshold: threshold_of(AlertKind::LatencyP95),
    });
    b.push(PanelDef {
        kind: "stat",
        title: "Active connections",
        description: "Open client connections over all replicas.",
        unit: unit::COUNT,
        pos: stat(12),
        queries: vec![q(
            aggregate("sum", &scope.active_connections().to_string(), &[]),
            "connections",
        )],
        threshold: None,
    });
    b.push(PanelDef {
        kind: "stat",
        title: "Tool error ratio",
        description: "Share of tool executions that failed. Red from the alert threshold.",
        unit: unit::RATIO,
        pos: stat(16),
        queries: vec![q(tool_error_ratio, "tool errors")],
        threshold: threshold_of(AlertKind::ToolErrors),
    });
    b.push(PanelDef {
        kind: "stat",
        title: "Available replicas",
        description: "Replicas of the Deployment that are available (kube-state-metrics).",
        unit: unit::COUNT,
        pos: stat(20),
        queries: vec![q(available.clone(), "available")],
        threshold: None,
    });

    let requests = scope.requests();
    b.push(PanelDef {
        kind: "timeseries",
        title: "Request rate",
        description: "Requests per second: all, successful (2xx/3xx) and server errors (5xx).",
        unit: unit::RPS,
        pos: wide(0, 4),
        queries: vec![
            q(sum_rate(&requests, w, &[]), "total"),
            q(
                sum_rate(
                    &requests.clone().with(Matcher::re("status", STATUS_OK)),
                    w,
                    &[],
                ),
                "success",
            ),
            q(
                sum_rate(
                    &requests.clone().with(Matcher::re("status", STATUS_5XX)),
                    w,
                    &[],
                ),
                "error",
            ),
        ],
        threshold: None,
    });
    b.push(PanelDef {
        kind: "timeseries",
        title: "Latency",
        description: "Request latency percentiles from the duration histogram.",
        unit: unit::SECONDS,
        pos: wide(12, 4),
        queries: vec![
            q(quantile(&scope, 0.5, w, &[]), "p50"),
            q(quantile(&scope, 0.95, w, &[]), "p95"),
            q(quantile(&scope, 0.99, w, &[]), "p99"),
        ],
        threshold: threshold_of(AlertKind::LatencyP95),
    });
    b.push(PanelDef { kind: "timeseries", title: "Error ratio", description: "Share of requests answered with a 5xx status; the dashed line is the alert threshold.", unit: unit::RATIO, pos: wide(0, 12), queries: vec![q(error_ratio, "5xx ratio")], threshold: threshold_of(AlertKind::ErrorRate) });
    b.push(PanelDef {
        kind: "timeseries",
        title: "Active connections",
        description: "Open client connections per pod.",
        unit: unit::COUNT,
        pos: wide(12, 12),
        queries: vec![q(
            aggregate("sum", &scope.active_connections().to_string(), &["pod"]),
            "{{pod}}",
        )],
        threshold: None,
    });
    b.push(PanelDef {
        kind: "timeseries",
        title: "Tool executions",
        description: "Tool executions per second by tool and status.",
        unit: unit::OPS,
        pos: wide(0, 20),
        queries: vec![q(
            sum_rate(&scope.tools(), w, &["tool_name", "status"]),
            "{{tool_name}} {{status}}",
        )],
        threshold: None,
    });
    let mut replicas = vec![
        q(available, "available"),
        q(
            max_by(&scope.deployment("kube_deployment_spec_replicas"), &[]),
            "desired (Deployment)",
        ),
    ];
    if m.autoscaling.is_some() {
        replicas.extend([
            q(
                max_by(
                    &scope.hpa("kube_horizontalpodautoscaler_spec_min_replicas"),
                    &[],
                ),
                "HPA min",
            ),
            q(
                max_by(
                    &scope.hpa("kube_horizontalpodautoscaler_spec_max_replicas"),
                    &[],
                ),
                "HPA max",
            ),
            q(
                max_by(
                    &scope.hpa("kube_horizontalpodautoscaler_status_desired_replicas"),
                    &[],
                ),
                "HPA desired",
            ),
        ]);
    }
    b.push(PanelDef {
        kind: "timeseries",
        title: "Replicas",
        description: if m.autoscaling.is_some() {
            "Available and desired replicas against the HPA's bounds."
        } else {
            "Available and desired replicas (no HPA)."
        },
        unit: unit::COUNT,
        pos: wide(12, 20),
        queries: replicas,
        threshold: None,
    });
    let resource_queries = |usage: String, resource: &str| {
        let ksm = |metric: &str| {
            max_by(
                &scope
                    .container(metric)
                    .with(Matcher::eq("resource", resource)),
                &["pod"],
            )
        };
        vec![
            q(usage, "{{pod}} usage"),
            q(
                ksm("kube_pod_container_resource_requests"),
                "{{pod}} request",
            ),
            q(ksm("kube_pod_container_resource_limits"), "{{pod}} limit"),
        ]
    };
    b.push(PanelDef { kind: "timeseries", title: "CPU", description: "CPU used by the server container of each pod, against its requests and limits.", unit: unit::CORES, pos: wide(0, 28), queries: resource_queries(
            sum_rate(
                &scope.container("container_cpu_usage_seconds_total"),
                w,
                &["pod"],
            ),
            "cpu",
        ), threshold: None });
    b.push(PanelDef { kind: "timeseries", title: "Memory", description: "Working-set memory of the server container of each pod, against its requests and limits.", unit: unit::BYTES, pos: wide(12, 28), queries: resource_queries(
            max_by(
                &scope.container("container_memory_working_set_bytes"),
                &["pod"],
            ),
            "memory",
        ), threshold: None });

    let mut tags = vec!["mcp".to_string(), "mcpgen".to_string(), model.name.clone()];
    if let Some(env) = &model.env {
        tags.push(env.clone());
    }
    Some(Dashboard {
        uid: uid(model),
        title: settings.title.clone(),
        description: format!(
            "MCP server {} in namespace {} (generated by mcpgen).",
            model.name, model.namespace
        ),
        tags,
        timezone: "browser",
        editable: true,
        graph_tooltip: 1,
        time: TimeRange {
            from: "now-1h",
            to: "now",
        },
        refresh: settings.refresh.to_string(),
        schema_version: SCHEMA_VERSION,
        version: 1,
        templating: Templating {
            list: vec![Variable {
                kind: "datasource",
                name: "datasource",
                label: "Data source",
                query: "prometheus",
                regex: "",
                refresh: 1,
                hide: 0,
            }],
        },
        annotations: Annotations {
            list: vec![builtin_annotations()],
        },
        panels: b.panels,
    })
}

#[cfg(test)]
mod tests {
    use super::ref_id;

    #[test]
    fn ref_ids_are_letters() {
        assert_eq!(ref_id(0), "A");
        assert_eq!(ref_id(25), "Z");
        assert_eq!(ref_id(26), "AA");
    }
}
