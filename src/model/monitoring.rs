//! Monitoring defaults: what gets scraped, which alerts exist with which thresholds, and how the
//! dashboard is titled.
//!
//! [`lower`] turns the resolved `spec.monitoring` section (every default already filled in by
//! [`crate::resolve`], including which MCP-specific alerts apply) into a [`MonitoringModel`]:
//! metric names, the scrape port and its Service port name (from the Model's ports), the scrape
//! interval, every enabled alert's threshold/`for`/severity, and the dashboard title (with the
//! environment) and refresh. It does not build PromQL or any output structure; that is
//! `crate::compile::monitoring`.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::Model;
use crate::resolve;
use crate::spec::Severity;

/// Everything the monitoring emitter needs, with every default applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringModel {
    /// The `job` label the ServiceMonitor (and the plain scrape config) gives the scraped
    /// series: the Service name, which is the server name.
    pub job: String,
    /// Namespace of the server, its Service and the generated monitoring objects.
    pub namespace: String,
    /// Namespace Prometheus scrapes from (admitted by the NetworkPolicy).
    pub prometheus_namespace: String,
    /// Where metrics are scraped.
    pub endpoint: ScrapeEndpoint,
    /// Metric names the server exports.
    pub names: MetricNames,
    /// Labels the operator's `ruleSelector`/`serviceMonitorSelector` match.
    pub rule_labels: BTreeMap<String, String>,
    /// Runbook base URL without a trailing slash.
    pub runbook_base_url: Option<String>,
    /// Enabled alerts, in catalogue order.
    pub alerts: Vec<Alert>,
    /// Dashboard settings; `None` when the dashboard is switched off.
    pub dashboard: Option<DashboardSettings>,
    /// HPA bounds when an HPA is generated.
    pub autoscaling: Option<HpaBounds>,
    /// Whether the server keeps per-session state.
    pub stateful: bool,
    /// Container CPU limit in cores (used for test data only).
    pub cpu_limit_cores: f64,
    /// Container memory limit in bytes (used for test data only).
    pub memory_limit_bytes: f64,
}

/// The scrape endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeEndpoint {
    /// HTTP path of the metrics.
    pub path: String,
    /// Container port of the metrics.
    pub port: u32,
    /// Name of the Service port carrying the metrics: `http` when metrics share the MCP port,
    /// `metrics` otherwise (the agreed port names).
    pub port_name: &'static str,
    /// Scrape interval.
    pub interval: PromDuration,
}

/// Metric names, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricNames {
    /// Request counter (labels `method`, `status`, `endpoint`).
    pub requests: String,
    /// Request duration histogram in seconds (the `_bucket` series are queried).
    pub duration: String,
    /// Active connections gauge.
    pub active_connections: String,
    /// Tool execution counter (labels `tool_name`, `status`).
    pub tool_executions: String,
}

/// Dashboard settings, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSettings {
    /// Dashboard title: the spec's (default `MCP server <name>`), followed by ` (<env>)` for
    /// an environment.
    pub title: String,
    /// Auto-refresh interval.
    pub refresh: PromDuration,
}

/// HPA replica bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HpaBounds {
    /// Fewest replicas.
    pub min: u32,
    /// Most replicas.
    pub max: u32,
}

/// The alerts mcpgen knows, in catalogue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertKind {
    /// Share of requests answered 5xx.
    ErrorRate,
    /// 95th percentile request latency.
    LatencyP95,
    /// Scrape target down or missing.
    Down,
    /// Working-set memory against the container limit.
    Memory,
    /// CPU usage against the container limit.
    Cpu,
    /// Share of failed tool executions.
    ToolErrors,
    /// Share of requests answered 404 (unknown session) on a stateful server.
    SessionNotFound,
    /// HPA at its maximum.
    HpaMaxedOut,
}

impl AlertKind {
    /// Every kind, in catalogue order.
    pub const ALL: [AlertKind; 8] = [
        AlertKind::ErrorRate,
        AlertKind::LatencyP95,
        AlertKind::Down,
        AlertKind::Memory,
        AlertKind::Cpu,
        AlertKind::ToolErrors,
        AlertKind::SessionNotFound,
        AlertKind::HpaMaxedOut,
    ];

    /// The Prometheus alert name (also the last segment of the runbook URL).
    pub fn alert_name(self) -> &'static str {
        match self {
            AlertKind::ErrorRate => "MCPServerHighErrorRate",
            AlertKind::LatencyP95 => "MCPServerHighLatencyP95",
            AlertKind::Down => "MCPServerDown",
            AlertKind::Memory => "MCPServerHighMemoryUsage",
            AlertKind::Cpu => "MCPServerHighCPUUsage",
            AlertKind::ToolErrors => "MCPServerHighToolErrorRate",
            AlertKind::SessionNotFound => "MCPServerHighSessionNotFoundRate",
            AlertKind::HpaMaxedOut => "MCPServerHPAMaxedOut",
        }
    }
}

/// What an alert compares against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// A percentage between 0 and 100 as written in the spec (`5%` is 5.0); PromQL compares
    /// against `value / 100`.
    Percent(f64),
    /// A latency in seconds.
    Seconds(f64),
    /// A state without a number (target down, HPA at maximum).
    State,
}

/// One enabled alert with its settings resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Which alert.
    pub kind: AlertKind,
    /// What it compares against.
    pub threshold: Threshold,
    /// How long the condition must hold.
    pub for_: PromDuration,
    /// `severity` label.
    pub severity: Severity,
}

/// A duration in milliseconds, printed the way Prometheus prints durations (`1h30m`, `500ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PromDuration(pub u64);

impl PromDuration {
    /// From whole minutes.
    pub const fn minutes(m: u64) -> PromDuration {
        PromDuration(m.saturating_mul(60_000))
    }
    /// Milliseconds.
    pub fn millis(self) -> u64 {
        self.0
    }
}

impl fmt::Display for PromDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        // Same unit ladder as Prometheus' model.Duration.String, minus years, so the output
        // round-trips through both Prometheus and the operator's CRD pattern.
        const UNITS: [(u64, &str); 6] = [
            (604_800_000, "w"),
            (86_400_000, "d"),
            (3_600_000, "h"),
            (60_000, "m"),
            (1_000, "s"),
            (1, "ms"),
        ];
        let mut rest = self.0;
        for (size, unit) in UNITS {
            if rest >= size {
                write!(f, "{}{}", rest / size, unit)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

/// The monitoring model of a server, or `None` when `monitoring.enabled` is false. Everything
/// is read from the resolved spec and the Model's ports: no default is decided here.
pub(crate) fn lower(model: &Model) -> Option<MonitoringModel> {
    let r = &model.resolved.spec();
    let monitoring = &r.monitoring;
    if !monitoring.enabled {
        return None;
    }
    let metrics = &monitoring.metrics;
    let endpoint = ScrapeEndpoint {
        path: metrics.path.to_string(),
        port: metrics.port,
        port_name: model.ports.scrape_port_name,
        interval: prom(&metrics.interval),
    };

    let autoscaling = r.autoscaling.as_ref().and_then(|a| {
        a.enabled.then_some(HpaBounds {
            min: a.min_replicas,
            max: a.max_replicas,
        })
    });

    let a = &monitoring.alerts;
    let percent = |kind, al: &resolve::ThresholdAlert<crate::spec::scalars::Percent>| {
        al.enabled.then(|| Alert {
            kind,
            threshold: Threshold::Percent(
                al.above
                    .value()
                    .expect("percentages are checked by validate::semantic (MCP110)"),
            ),
            for_: prom(&al.for_),
            severity: al.severity,
        })
    };
    let state = |kind, al: &resolve::StateAlert| {
        al.enabled.then(|| Alert {
            kind,
            threshold: Threshold::State,
            for_: prom(&al.for_),
            severity: al.severity,
        })
    };
    use AlertKind as K;
    let alerts: Vec<Alert> = [
        percent(K::ErrorRate, &a.error_rate),
        a.latency_p95.enabled.then(|| Alert {
            kind: K::LatencyP95,
            threshold: Threshold::Seconds(prom(&a.latency_p95.above).millis() as f64 / 1000.0),
            for_: prom(&a.latency_p95.for_),
            severity: a.latency_p95.severity,
        }),
        state(K::Down, &a.down),
        percent(K::Memory, &a.memory),
        percent(K::Cpu, &a.cpu),
        percent(K::ToolErrors, &a.tool_errors),
        percent(K::SessionNotFound, &a.session_not_found),
        state(K::HpaMaxedOut, &a.hpa_maxed_out),
    ]
    .into_iter()
    .flatten()
    .collect();

    let dashboard = monitoring.dashboard.enabled.then(|| DashboardSettings {
        // Grafana refuses two dashboards with one title in a folder, and the sidecar puts
        // every dashboard it finds in one folder: the environment keeps staging and production
        // apart.
        title: match &model.env {
            Some(env) => format!("{} ({env})", monitoring.dashboard.title),
            None => monitoring.dashboard.title.clone(),
        },
        refresh: prom(&monitoring.dashboard.refresh),
    });

    let names = &metrics.names;
    Some(MonitoringModel {
        job: model.name.clone(),
        namespace: model.namespace.clone(),
        prometheus_namespace: monitoring.prometheus_namespace.to_string(),
        endpoint,
        names: MetricNames {
            requests: names.requests.clone(),
            duration: names.duration.clone(),
            active_connections: names.active_connections.clone(),
            tool_executions: names.tool_executions.clone(),
        },
        rule_labels: monitoring.rule_labels.clone(),
        runbook_base_url: monitoring
            .runbook_base_url
            .as_ref()
            .map(|u| u.trim_end_matches('/').to_string()),
        alerts,
        dashboard,
        autoscaling,
        stateful: !model.mcp.stateless,
        cpu_limit_cores: model.resources.cpu_limit_millis as f64 / 1000.0,
        memory_limit_bytes: model.resources.memory_limit_bytes as f64,
    })
}

fn prom(d: &crate::spec::scalars::Duration) -> PromDuration {
    PromDuration(
        d.millis()
            .expect("durations are checked by validate::semantic (MCP110)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The monitoring model of the base spec of a YAML spec.
    fn resolve_yaml(spec: &str) -> Option<MonitoringModel> {
        let text = format!(
            "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {{name: demo}}\nspec:\n  image: ghcr.io/acme/demo:1.0.0\n{spec}"
        );
        crate::pipeline::testing::base_model_full(&text).monitoring
    }

    fn kinds(m: &MonitoringModel) -> Vec<AlertKind> {
        m.alerts.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn defaults_follow_the_spec_documentation() {
        let m = resolve_yaml("").expect("monitoring on by default");
        assert_eq!(m.job, "demo");
        assert_eq!(m.namespace, "demo");
        assert_eq!(m.endpoint.path, "/metrics");
        assert_eq!(m.endpoint.port, 8080);
        assert_eq!(m.endpoint.port_name, "http");
        assert_eq!(m.endpoint.interval.to_string(), "30s");
        assert_eq!(m.names.requests, "mcp_requests_total");
        assert_eq!(m.names.duration, "mcp_request_duration_seconds");
        assert_eq!(m.names.active_connections, "mcp_active_connections");
        assert_eq!(m.names.tool_executions, "mcp_tool_executions_total");
        let d = m.dashboard.as_ref().expect("dashboard");
        assert_eq!(d.title, "MCP server demo");
        assert_eq!(d.refresh.to_string(), "30s");
        let table: Vec<(AlertKind, Threshold, String, Severity)> = m
            .alerts
            .iter()
            .map(|a| (a.kind, a.threshold, a.for_.to_string(), a.severity))
            .collect();
        use AlertKind as K;
        use Severity::{Critical, Warning};
        assert_eq!(
            table,
            vec![
                (K::ErrorRate, Threshold::Percent(5.0), "5m".into(), Critical),
                (K::LatencyP95, Threshold::Seconds(1.0), "5m".into(), Warning),
                (K::Down, Threshold::State, "1m".into(), Critical),
                (K::Memory, Threshold::Percent(85.0), "5m".into(), Warning),
                (K::Cpu, Threshold::Percent(80.0), "5m".into(), Warning),
                (
                    K::ToolErrors,
                    Threshold::Percent(10.0),
                    "5m".into(),
                    Warning
                ),
                (
                    K::SessionNotFound,
                    Threshold::Percent(1.0),
                    "5m".into(),
                    Warning
                ),
            ]
        );
    }

    #[test]
    fn monitoring_can_be_switched_off() {
        assert!(resolve_yaml("  monitoring: {enabled: false}\n").is_none());
        let m = resolve_yaml("  monitoring: {dashboard: {enabled: false}}\n").expect("on");
        assert!(m.dashboard.is_none());
    }

    #[test]
    fn a_separate_metrics_port_is_scraped_as_metrics() {
        let m = resolve_yaml("  mcp: {port: 3000}\n  monitoring: {metrics: {port: 9090}}\n")
            .expect("on");
        assert_eq!((m.endpoint.port, m.endpoint.port_name), (9090, "metrics"));
        let m = resolve_yaml("  mcp: {port: 3000}\n  monitoring: {metrics: {port: 3000}}\n")
            .expect("on");
        assert_eq!((m.endpoint.port, m.endpoint.port_name), (3000, "http"));
    }

    #[test]
    fn session_alert_only_for_stateful_servers() {
        let stateless = resolve_yaml("  mcp: {stateless: true}\n").expect("on");
        assert!(!kinds(&stateless).contains(&AlertKind::SessionNotFound));
        let new_protocol =
            resolve_yaml("  mcp: {protocolVersions: [\"2026-07-28\"]}\n").expect("on");
        assert!(!kinds(&new_protocol).contains(&AlertKind::SessionNotFound));
        let mixed = resolve_yaml("  mcp: {protocolVersions: [\"2025-11-25\", \"2026-07-28\"]}\n")
            .expect("on");
        assert!(kinds(&mixed).contains(&AlertKind::SessionNotFound));
    }

    #[test]
    fn hpa_alert_only_with_an_hpa_that_can_grow() {
        let on = resolve_yaml("  autoscaling: {maxReplicas: 5}\n").expect("on");
        assert_eq!(on.autoscaling, Some(HpaBounds { min: 2, max: 5 }));
        let alert = on
            .alerts
            .iter()
            .find(|a| a.kind == AlertKind::HpaMaxedOut)
            .expect("hpa");
        assert_eq!(
            (alert.for_.to_string(), alert.severity),
            ("15m".into(), Severity::Warning)
        );
        let off = resolve_yaml("  autoscaling: {enabled: false, maxReplicas: 5}\n").expect("on");
        assert!(!kinds(&off).contains(&AlertKind::HpaMaxedOut));
        let fixed = resolve_yaml("  autoscaling: {minReplicas: 4, maxReplicas: 4}\n").expect("on");
        assert!(!kinds(&fixed).contains(&AlertKind::HpaMaxedOut));
    }

    #[test]
    fn alerts_are_tunable_and_switchable() {
        let m = resolve_yaml(
            "  monitoring:\n    alerts:\n      cpu: {enabled: false}\n      toolErrors: {above: 2.5%, for: 1h30m, severity: info}\n      latencyP95: {above: 250ms}\n",
        )
        .expect("on");
        assert!(!kinds(&m).contains(&AlertKind::Cpu));
        let tools = m
            .alerts
            .iter()
            .find(|a| a.kind == AlertKind::ToolErrors)
            .expect("tools");
        assert_eq!(tools.threshold, Threshold::Percent(2.5));
        assert_eq!(tools.for_.to_string(), "1h30m");
        assert_eq!(tools.severity, Severity::Info);
        let latency = m
            .alerts
            .iter()
            .find(|a| a.kind == AlertKind::LatencyP95)
            .expect("p95");
        assert_eq!(latency.threshold, Threshold::Seconds(0.25));
    }

    #[test]
    fn durations_print_like_prometheus() {
        assert_eq!(PromDuration(0).to_string(), "0s");
        assert_eq!(PromDuration(500).to_string(), "500ms");
        assert_eq!(PromDuration(90_000).to_string(), "1m30s");
        assert_eq!(PromDuration(5_400_000).to_string(), "1h30m");
        assert_eq!(PromDuration::minutes(15).to_string(), "15m");
    }
}
