//! Monitoring defaults: what gets scraped, which alerts exist with which thresholds, and how the
//! dashboard is titled.
//!
//! [`resolve`] turns the optional `spec.monitoring` section into a [`MonitoringModel`] with no
//! `Option` left for an emitter to default: metric names, the scrape port and its Service port
//! name, the scrape interval, every alert's threshold/`for`/severity, and the dashboard title and
//! refresh. It also decides which MCP-specific alerts apply (the session-not-found alert only on
//! stateful servers, the HPA alert only with an enabled HPA whose bounds differ). It does not
//! build PromQL or any output structure; that is `crate::compile::monitoring`.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::Model;
use crate::spec::{
    Alerts, LatencyAlert, Monitoring, PercentAlert, Severity, StateAlert, Transport,
};

/// Default MCP port when the spec gives none (agreed with the workload targets).
const DEFAULT_MCP_PORT: u32 = 8080;
/// Default scrape interval.
const DEFAULT_INTERVAL_MS: u64 = 30_000;
/// Default dashboard refresh.
const DEFAULT_REFRESH_MS: u64 = 30_000;
/// Default HPA lower bound, as in the spec documentation of `autoscaling.minReplicas`.
const DEFAULT_MIN_REPLICAS: u32 = 2;
/// The first protocol revision without sessions; servers speaking only it or later revisions are
/// stateless by default.
const STATELESS_PROTOCOL: &str = "2026-07-28";

/// Everything the monitoring emitter needs, with every default applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringModel {
    /// The `job` label the ServiceMonitor (and the plain scrape config) gives the scraped
    /// series: the Service name, which is the server name.
    pub job: String,
    /// Namespace of the server, its Service and the generated monitoring objects.
    pub namespace: String,
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
    /// Container CPU limit in cores, when the spec sets one (used for test data only).
    pub cpu_limit_cores: Option<f64>,
    /// Container memory limit in bytes, when the spec sets one (used for test data only).
    pub memory_limit_bytes: Option<f64>,
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

/// The monitoring model of a server, or `None` when `monitoring.enabled` is false.
pub fn resolve(model: &Model) -> Option<MonitoringModel> {
    let spec = &model.spec.spec;
    let defaults = Monitoring::default();
    let monitoring = spec.monitoring.as_ref().unwrap_or(&defaults);
    if monitoring.enabled == Some(false) {
        return None;
    }
    let metrics = monitoring.metrics.clone().unwrap_or_default();
    let names = metrics.names.clone().unwrap_or_default();

    let mcp_port = mcp_port(model);
    let port = metrics.port.unwrap_or(mcp_port);
    let endpoint = ScrapeEndpoint {
        path: metrics
            .path
            .as_ref()
            .map_or_else(|| "/metrics".to_string(), |p| p.as_str().to_string()),
        port,
        port_name: if port == mcp_port { "http" } else { "metrics" },
        interval: duration_or(metrics.interval.as_ref(), DEFAULT_INTERVAL_MS),
    };

    let autoscaling = spec.autoscaling.as_ref().and_then(|a| {
        (a.enabled != Some(false)).then(|| HpaBounds {
            min: a.min_replicas.unwrap_or(DEFAULT_MIN_REPLICAS),
            max: a.max_replicas,
        })
    });
    let stateful = !stateless(model);

    let alerts = resolve_alerts(
        monitoring.alerts.as_ref().unwrap_or(&Alerts::default()),
        stateful,
        autoscaling,
    );

    let dashboard = monitoring
        .dashboard
        .clone()
        .unwrap_or_default()
        .enabled
        .unwrap_or(true)
        .then(|| {
            let d = monitoring.dashboard.clone().unwrap_or_default();
            let title = d
                .title
                .unwrap_or_else(|| format!("MCP server {}", model.name));
            DashboardSettings {
                // Grafana refuses two dashboards with one title in a folder, and the sidecar
                // puts every dashboard it finds in one folder: the environment keeps staging
                // and production apart.
                title: match &model.env {
                    Some(env) => format!("{title} ({env})"),
                    None => title,
                },
                refresh: duration_or(d.refresh.as_ref(), DEFAULT_REFRESH_MS),
            }
        });

    let limits = spec.resources.as_ref().and_then(|r| r.limits.as_ref());
    Some(MonitoringModel {
        job: model.name.clone(),
        namespace: model.namespace.clone(),
        endpoint,
        names: MetricNames {
            requests: names
                .requests
                .unwrap_or_else(|| "mcp_requests_total".into()),
            duration: names
                .duration
                .unwrap_or_else(|| "mcp_request_duration_seconds".into()),
            active_connections: names
                .active_connections
                .unwrap_or_else(|| "mcp_active_connections".into()),
            tool_executions: names
                .tool_executions
                .unwrap_or_else(|| "mcp_tool_executions_total".into()),
        },
        rule_labels: monitoring.rule_labels.clone(),
        runbook_base_url: monitoring
            .runbook_base_url
            .as_ref()
            .map(|u| u.trim_end_matches('/').to_string()),
        alerts,
        dashboard,
        autoscaling,
        stateful,
        cpu_limit_cores: limits
            .and_then(|l| l.cpu.as_ref())
            .and_then(|c| c.millis())
            .map(|m| m as f64 / 1000.0),
        memory_limit_bytes: limits
            .and_then(|l| l.memory.as_ref())
            .and_then(|m| m.bytes())
            .map(|b| b as f64),
    })
}

/// The MCP port: the bridge's port for `stdio` servers, else `mcp.port`, else 8080.
fn mcp_port(model: &Model) -> u32 {
    let mcp = model.spec.spec.mcp.as_ref();
    let bridge_port = mcp
        .filter(|m| m.transport == Some(Transport::Stdio))
        .and_then(|m| m.bridge.as_ref())
        .and_then(|b| b.port);
    bridge_port
        .or_else(|| mcp.and_then(|m| m.port))
        .unwrap_or(DEFAULT_MCP_PORT)
}

/// `mcp.stateless`, defaulting as documented on the field: true only when every listed protocol
/// revision is 2026-07-28 or later. Without a list the server is treated as stateful, because
/// the session-not-found alert is harmless on a stateless server and essential on a stateful one.
fn stateless(model: &Model) -> bool {
    let Some(mcp) = model.spec.spec.mcp.as_ref() else {
        return false;
    };
    if let Some(s) = mcp.stateless {
        return s;
    }
    match &mcp.protocol_versions {
        Some(versions) if !versions.is_empty() => {
            versions.iter().all(|v| v.as_str() >= STATELESS_PROTOCOL)
        }
        _ => false,
    }
}

fn duration_or(d: Option<&crate::spec::scalars::Duration>, default_ms: u64) -> PromDuration {
    PromDuration(d.and_then(|d| d.millis()).unwrap_or(default_ms))
}

/// Defaults per alert, as documented on the `Alerts` fields of the spec language.
fn resolve_alerts(alerts: &Alerts, stateful: bool, autoscaling: Option<HpaBounds>) -> Vec<Alert> {
    use AlertKind as K;
    use Severity::{Critical, Warning};
    let mut out = Vec::new();
    for kind in AlertKind::ALL {
        let alert = match kind {
            K::ErrorRate => percent(kind, alerts.error_rate.as_ref(), 5.0, 5, Critical),
            K::LatencyP95 => latency(kind, alerts.latency_p95.as_ref(), 1_000, 5, Warning),
            K::Down => state(kind, alerts.down.as_ref(), 1, Critical),
            K::Memory => percent(kind, alerts.memory.as_ref(), 85.0, 5, Warning),
            K::Cpu => percent(kind, alerts.cpu.as_ref(), 80.0, 5, Warning),
            K::ToolErrors => percent(kind, alerts.tool_errors.as_ref(), 10.0, 5, Warning),
            // A stateless server never answers "session not found", so the alert would only
            // ever be noise there.
            K::SessionNotFound if stateful => {
                percent(kind, alerts.session_not_found.as_ref(), 1.0, 5, Warning)
            }
            K::SessionNotFound => None,
            // With min == max the HPA always sits at its maximum; alerting on that says nothing.
            K::HpaMaxedOut => match autoscaling {
                Some(b) if b.min < b.max => state(kind, alerts.hpa_maxed_out.as_ref(), 15, Warning),
                _ => None,
            },
        };
        out.extend(alert);
    }
    out
}

fn percent(
    kind: AlertKind,
    given: Option<&PercentAlert>,
    above: f64,
    for_minutes: u64,
    severity: Severity,
) -> Option<Alert> {
    if given.and_then(|g| g.enabled) == Some(false) {
        return None;
    }
    let above = given
        .and_then(|g| g.above.as_ref())
        .and_then(|p| p.value())
        .unwrap_or(above);
    Some(Alert {
        kind,
        threshold: Threshold::Percent(above),
        for_: given
            .and_then(|g| g.for_.as_ref())
            .and_then(|d| d.millis())
            .map_or(PromDuration::minutes(for_minutes), PromDuration),
        severity: given.and_then(|g| g.severity).unwrap_or(severity),
    })
}

fn latency(
    kind: AlertKind,
    given: Option<&LatencyAlert>,
    above_ms: u64,
    for_minutes: u64,
    severity: Severity,
) -> Option<Alert> {
    if given.and_then(|g| g.enabled) == Some(false) {
        return None;
    }
    let above_ms = given
        .and_then(|g| g.above.as_ref())
        .and_then(|d| d.millis())
        .unwrap_or(above_ms);
    Some(Alert {
        kind,
        threshold: Threshold::Seconds(above_ms as f64 / 1000.0),
        for_: given
            .and_then(|g| g.for_.as_ref())
            .and_then(|d| d.millis())
            .map_or(PromDuration::minutes(for_minutes), PromDuration),
        severity: given.and_then(|g| g.severity).unwrap_or(severity),
    })
}

fn state(
    kind: AlertKind,
    given: Option<&StateAlert>,
    for_minutes: u64,
    severity: Severity,
) -> Option<Alert> {
    if given.and_then(|g| g.enabled) == Some(false) {
        return None;
    }
    Some(Alert {
        kind,
        threshold: Threshold::State,
        for_: given
            .and_then(|g| g.for_.as_ref())
            .and_then(|d| d.millis())
            .map_or(PromDuration::minutes(for_minutes), PromDuration),
        severity: given.and_then(|g| g.severity).unwrap_or(severity),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Syntax;

    /// The monitoring model of the base spec of a YAML spec.
    fn resolve_yaml(spec: &str) -> Option<MonitoringModel> {
        let text = format!(
            "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {{name: demo}}\nspec:\n  image: ghcr.io/acme/demo:1.0.0\n{spec}"
        );
        let mut run = crate::check::Run::default();
        crate::check::check_text(&mut run, "t.yaml", text, Syntax::Yaml, None);
        let specs = &run.files[0].specs;
        assert!(!specs.is_empty(), "{:?}", run.diagnostics);
        resolve(&Model::from_spec(&specs[0]))
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
