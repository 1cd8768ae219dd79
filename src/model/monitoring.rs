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
use crate::model::contract::{MetricsContract, Role, Source};
use crate::resolve;
use crate::spec::{LogStoreKind, Severity};

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
    /// The metrics contract every query reads (the Model's, with its consumers).
    pub contract: MetricsContract,
    /// The `environment` label every alert carries.
    pub environment: String,
    /// Labels the operator's `ruleSelector`/`serviceMonitorSelector` match.
    pub rule_labels: BTreeMap<String, String>,
    /// Runbook base URL without a trailing slash.
    pub runbook_base_url: Option<String>,
    /// Enabled alerts, in catalogue order.
    pub alerts: Vec<Alert>,
    /// Recording rules, in catalogue order.
    pub records: Vec<RecordKind>,
    /// Dashboard settings; `None` when the dashboard is switched off.
    pub dashboard: Option<DashboardSettings>,
    /// HPA bounds when an HPA is generated.
    pub autoscaling: Option<HpaBounds>,
    /// The MCP probe, when enabled.
    pub probe: Option<ProbeModel>,
    /// Whether the server keeps per-session state.
    pub stateful: bool,
    /// Whether the workload is an Argo Rollout: kube-state-metrics has no Deployment series for
    /// it, so replica counts are read from its ReplicaSets (see [`workload_series`]).
    pub rollout: bool,
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

/// Dashboard settings, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSettings {
    /// Dashboard title: the spec's (default `MCP server <name>`), followed by ` (<env>)` for
    /// an environment.
    pub title: String,
    /// Auto-refresh interval.
    pub refresh: PromDuration,
    /// Panels, in dashboard order (stats first).
    pub panels: Vec<PanelKind>,
    /// The log data source the dashboard links to, when named.
    pub logs: Option<LogsLink>,
}

/// A link from the dashboard to the server's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsLink {
    /// Kind of data source.
    pub kind: LogStoreKind,
    /// Its uid in Grafana.
    pub datasource: String,
}

/// HPA replica bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HpaBounds {
    /// Name of the HorizontalPodAutoscaler object (KEDA names its own `keda-hpa-<name>`).
    pub name: String,
    /// Fewest replicas.
    pub min: u32,
    /// Most replicas.
    pub max: u32,
}

/// The synthetic MCP check: a prometheus-operator `Probe` and its blackbox exporter module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeModel {
    /// URL probed.
    pub url: String,
    /// Blackbox exporter `host:port`.
    pub prober: String,
    /// Interval.
    pub interval: PromDuration,
    /// Timeout of one probe (less than the interval).
    pub timeout: PromDuration,
    /// Blackbox exporter module name (global in the exporter: namespaced).
    pub module: String,
    /// `job` label of the probe's series.
    pub job: String,
    /// The MCP request sent.
    pub request: McpRequest,
    /// Bearer token file in the exporter, for a server with auth.
    pub credentials_file: Option<String>,
}

/// One MCP request, as the probe sends it and what a working server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpRequest {
    /// JSON-RPC method (`server/discover` or `initialize`).
    pub method: &'static str,
    /// Protocol revision declared.
    pub protocol_version: String,
    /// HTTP headers.
    pub headers: BTreeMap<String, String>,
    /// The JSON-RPC request body.
    pub body: String,
    /// Regex the answer body must match (a member only a successful result has).
    pub expect: String,
}

/// Recording rules mcpgen writes where the contract has a breakdown by MCP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordKind {
    /// Request rate by method.
    RequestRateByMethod,
    /// Share of failed requests by method.
    ErrorRatioByMethod,
    /// Share of failed tool executions by tool.
    ToolErrorRatioByTool,
}

impl RecordKind {
    /// The recorded series' name.
    pub fn record_name(self) -> &'static str {
        match self {
            RecordKind::RequestRateByMethod => "mcp:method_requests:rate",
            RecordKind::ErrorRatioByMethod => "mcp:method_errors:ratio_rate",
            RecordKind::ToolErrorRatioByTool => "mcp:tool_errors:ratio_rate",
        }
    }

    /// The contract roles it reads.
    pub fn roles(self) -> &'static [Role] {
        match self {
            RecordKind::RequestRateByMethod | RecordKind::ErrorRatioByMethod => &[Role::Requests],
            RecordKind::ToolErrorRatioByTool => &[Role::Tools],
        }
    }
}

/// Dashboard panels mcpgen knows, in dashboard order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PanelKind {
    /// Stat: request rate.
    StatRequestRate,
    /// Stat: error ratio.
    StatErrorRatio,
    /// Stat: p95 latency.
    StatLatencyP95,
    /// Stat: open connections.
    StatActiveConnections,
    /// Stat: tool error ratio.
    StatToolErrorRatio,
    /// Stat: available replicas.
    StatAvailableReplicas,
    /// Request rate by outcome.
    RequestRate,
    /// Latency percentiles.
    Latency,
    /// Error ratio.
    ErrorRatio,
    /// Open connections per pod.
    ActiveConnections,
    /// Tool executions by tool and outcome.
    ToolExecutions,
    /// Replicas and HPA bounds.
    Replicas,
    /// CPU against requests and limits.
    Cpu,
    /// Memory against requests and limits.
    Memory,
    /// Request rate by MCP method.
    RequestsByMethod,
    /// Error ratio by MCP method.
    ErrorRatioByMethod,
    /// Session durations.
    SessionDuration,
    /// The MCP probe's answers.
    ProbeSuccess,
}

impl PanelKind {
    /// Every panel, in dashboard order.
    pub const ALL: [PanelKind; 18] = [
        PanelKind::StatRequestRate,
        PanelKind::StatErrorRatio,
        PanelKind::StatLatencyP95,
        PanelKind::StatActiveConnections,
        PanelKind::StatToolErrorRatio,
        PanelKind::StatAvailableReplicas,
        PanelKind::RequestRate,
        PanelKind::Latency,
        PanelKind::ErrorRatio,
        PanelKind::ActiveConnections,
        PanelKind::ToolExecutions,
        PanelKind::Replicas,
        PanelKind::Cpu,
        PanelKind::Memory,
        PanelKind::RequestsByMethod,
        PanelKind::ErrorRatioByMethod,
        PanelKind::SessionDuration,
        PanelKind::ProbeSuccess,
    ];

    /// The panel's title.
    pub fn title(self) -> &'static str {
        use PanelKind as P;
        match self {
            P::StatRequestRate | P::RequestRate => "Request rate",
            P::StatErrorRatio | P::ErrorRatio => "Error ratio",
            P::StatLatencyP95 => "p95 latency",
            P::StatActiveConnections | P::ActiveConnections => "Active connections",
            P::StatToolErrorRatio => "Tool error ratio",
            P::StatAvailableReplicas => "Available replicas",
            P::Latency => "Latency",
            P::ToolExecutions => "Tool executions",
            P::Replicas => "Replicas",
            P::Cpu => "CPU",
            P::Memory => "Memory",
            P::RequestsByMethod => "Requests by method",
            P::ErrorRatioByMethod => "Error ratio by method",
            P::SessionDuration => "Session duration",
            P::ProbeSuccess => "MCP probe",
        }
    }

    /// Whether it is a single-value panel of the top row.
    pub fn is_stat(self) -> bool {
        self <= PanelKind::StatAvailableReplicas
    }

    /// The contract roles it reads.
    pub fn roles(self) -> &'static [Role] {
        use PanelKind as P;
        match self {
            P::StatRequestRate
            | P::StatErrorRatio
            | P::RequestRate
            | P::ErrorRatio
            | P::RequestsByMethod
            | P::ErrorRatioByMethod => &[Role::Requests],
            P::StatLatencyP95 | P::Latency => &[Role::Latency],
            P::StatActiveConnections | P::ActiveConnections => &[Role::ActiveConnections],
            P::StatToolErrorRatio | P::ToolExecutions => &[Role::Tools],
            P::SessionDuration => &[Role::Sessions],
            P::StatAvailableReplicas | P::Replicas | P::Cpu | P::Memory | P::ProbeSuccess => &[],
        }
    }

    /// The platform series it reads.
    pub fn platform(self, hpa: bool) -> Vec<(&'static str, Source)> {
        use PanelKind as P;
        let ksm = Source::KubeStateMetrics;
        match self {
            P::StatAvailableReplicas => vec![("kube_deployment_status_replicas_available", ksm)],
            P::Replicas => {
                let mut v = vec![
                    ("kube_deployment_status_replicas_available", ksm),
                    ("kube_deployment_spec_replicas", ksm),
                ];
                if hpa {
                    v.extend([
                        ("kube_horizontalpodautoscaler_spec_min_replicas", ksm),
                        ("kube_horizontalpodautoscaler_spec_max_replicas", ksm),
                        ("kube_horizontalpodautoscaler_status_desired_replicas", ksm),
                    ]);
                }
                v
            }
            P::Cpu => vec![
                ("container_cpu_usage_seconds_total", Source::Cadvisor),
                ("kube_pod_container_resource_requests", ksm),
                ("kube_pod_container_resource_limits", ksm),
            ],
            P::Memory => vec![
                ("container_memory_working_set_bytes", Source::Cadvisor),
                ("kube_pod_container_resource_requests", ksm),
                ("kube_pod_container_resource_limits", ksm),
            ],
            P::ProbeSuccess => vec![("probe_success", Source::BlackboxExporter)],
            _ => Vec::new(),
        }
    }
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
    /// One scrape target down while the service is up.
    TargetDown,
    /// HPA reporting `ScalingActive=False`.
    HpaScalingInactive,
    /// The MCP probe failing while pods are Ready.
    Probe,
}

impl AlertKind {
    /// Every kind, in catalogue order.
    pub const ALL: [AlertKind; 11] = [
        AlertKind::ErrorRate,
        AlertKind::LatencyP95,
        AlertKind::Down,
        AlertKind::TargetDown,
        AlertKind::Memory,
        AlertKind::Cpu,
        AlertKind::ToolErrors,
        AlertKind::SessionNotFound,
        AlertKind::HpaMaxedOut,
        AlertKind::HpaScalingInactive,
        AlertKind::Probe,
    ];

    /// The contract roles the alert reads (it exists only when the contract has them).
    pub fn roles(self) -> &'static [Role] {
        match self {
            AlertKind::ErrorRate => &[Role::Requests],
            AlertKind::LatencyP95 => &[Role::Latency],
            AlertKind::ToolErrors => &[Role::Tools],
            AlertKind::SessionNotFound => &[Role::SessionNotFound],
            _ => &[],
        }
    }

    /// The platform series it reads.
    pub fn platform(self) -> &'static [(&'static str, Source)] {
        const KSM: Source = Source::KubeStateMetrics;
        match self {
            AlertKind::Down | AlertKind::TargetDown => &[("up", Source::Prometheus)],
            AlertKind::Memory => &[
                ("container_memory_working_set_bytes", Source::Cadvisor),
                ("kube_pod_container_resource_limits", KSM),
            ],
            AlertKind::Cpu => &[
                ("container_cpu_usage_seconds_total", Source::Cadvisor),
                ("kube_pod_container_resource_limits", KSM),
            ],
            AlertKind::HpaMaxedOut => &[
                ("kube_horizontalpodautoscaler_status_current_replicas", KSM),
                ("kube_horizontalpodautoscaler_spec_max_replicas", KSM),
            ],
            AlertKind::HpaScalingInactive => {
                &[("kube_horizontalpodautoscaler_status_condition", KSM)]
            }
            AlertKind::Probe => &[
                ("probe_success", Source::BlackboxExporter),
                ("kube_deployment_status_replicas_available", KSM),
            ],
            _ => &[],
        }
    }

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
            AlertKind::TargetDown => "MCPServerTargetDown",
            AlertKind::HpaScalingInactive => "MCPServerHPAScalingInactive",
            AlertKind::Probe => "MCPServerNotAnsweringMCP",
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
/// is read from the resolved spec, the Model's ports and its metrics contract: no default is
/// decided here. The contract's consumers are attached by the Model afterwards
/// ([`attach_consumers`]).
pub(crate) fn lower(model: &Model) -> Option<MonitoringModel> {
    let r = &model.resolved.spec();
    let monitoring = &r.monitoring;
    if !monitoring.enabled {
        return None;
    }
    let contract = &model.metrics;
    let metrics = &monitoring.metrics;
    let endpoint = ScrapeEndpoint {
        path: metrics.path.to_string(),
        port: metrics.port,
        port_name: model.ports.scrape_port_name,
        interval: prom(&metrics.interval),
    };

    let autoscaling = model.hpa.as_ref().map(|h| HpaBounds {
        name: h.object_name.clone(),
        min: h.min,
        max: h.max,
    });

    // Severities above the environment's ceiling are lowered to it (Severity orders from the
    // most severe).
    let ceiling = monitoring.max_severity;
    let capped = |s: Severity| s.max(ceiling);
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
            severity: capped(al.severity),
        })
    };
    let state = |kind, al: &resolve::StateAlert| {
        al.enabled.then(|| Alert {
            kind,
            threshold: Threshold::State,
            for_: prom(&al.for_),
            severity: capped(al.severity),
        })
    };
    use AlertKind as K;
    let alerts: Vec<Alert> = [
        percent(K::ErrorRate, &a.error_rate),
        a.latency_p95.enabled.then(|| Alert {
            kind: K::LatencyP95,
            threshold: Threshold::Seconds(prom(&a.latency_p95.above).millis() as f64 / 1000.0),
            for_: prom(&a.latency_p95.for_),
            severity: capped(a.latency_p95.severity),
        }),
        state(K::Down, &a.down),
        state(K::TargetDown, &a.target_down),
        percent(K::Memory, &a.memory),
        percent(K::Cpu, &a.cpu),
        percent(K::ToolErrors, &a.tool_errors),
        percent(K::SessionNotFound, &a.session_not_found),
        state(K::HpaMaxedOut, &a.hpa_maxed_out),
        state(K::HpaScalingInactive, &a.hpa_scaling_inactive),
        state(K::Probe, &a.probe),
    ]
    .into_iter()
    .flatten()
    // An alert on a series the contract does not have could never fire: it is not written
    // (metrics-contract.yaml says which series each alert needs).
    .filter(|al| al.kind.roles().iter().all(|role| contract.has(*role)))
    .collect();

    let records: Vec<RecordKind> = if contract.operation.is_some() {
        [
            RecordKind::RequestRateByMethod,
            RecordKind::ErrorRatioByMethod,
            RecordKind::ToolErrorRatioByTool,
        ]
        .into_iter()
        .filter(|k| k.roles().iter().all(|role| contract.has(*role)))
        .collect()
    } else {
        Vec::new()
    };

    let probe = monitoring
        .probe
        .as_ref()
        .filter(|p| p.enabled)
        .map(|p| probe_model(model, p));

    let dashboard = monitoring.dashboard.enabled.then(|| {
        let panels = PanelKind::ALL
            .into_iter()
            .filter(|p| p.roles().iter().all(|role| contract.has(*role)))
            .filter(|p| match p {
                PanelKind::RequestsByMethod | PanelKind::ErrorRatioByMethod => {
                    contract.operation.is_some()
                }
                PanelKind::ProbeSuccess => probe.is_some(),
                _ => true,
            })
            .collect();
        DashboardSettings {
            // Grafana refuses two dashboards with one title in a folder, and the sidecar puts
            // every dashboard it finds in one folder: the environment keeps staging and
            // production apart.
            title: match &model.env {
                Some(env) => format!("{} ({env})", monitoring.dashboard.title),
                None => monitoring.dashboard.title.clone(),
            },
            refresh: prom(&monitoring.dashboard.refresh),
            panels,
            logs: monitoring
                .logging
                .as_ref()
                .and_then(|l| l.store.as_ref())
                .map(|s| LogsLink {
                    kind: s.kind,
                    datasource: s.datasource.clone(),
                }),
        }
    });

    Some(MonitoringModel {
        job: model.name.clone(),
        namespace: model.namespace.clone(),
        prometheus_namespace: monitoring.prometheus_namespace.to_string(),
        endpoint,
        contract: contract.clone(),
        environment: monitoring.environment.clone(),
        rule_labels: monitoring.rule_labels.clone(),
        runbook_base_url: monitoring
            .runbook_base_url
            .as_ref()
            .map(|u| u.trim_end_matches('/').to_string()),
        alerts,
        records,
        dashboard,
        autoscaling,
        probe,
        stateful: !model.mcp.stateless,
        rollout: model.resolved.spec().rollout.strategy != crate::spec::RolloutStrategy::Rolling,
        cpu_limit_cores: model.resources.cpu_limit_millis as f64 / 1000.0,
        memory_limit_bytes: model.resources.memory_limit_bytes as f64,
    })
}

/// The kube-state-metrics series of the workload's replicas. An Argo Rollout is no Deployment:
/// its pods belong to ReplicaSets named `<rollout>-<pod-template-hash>`, whose series then
/// stand for the Deployment's (summed over the ReplicaSets, they count every pod of the
/// rollout, old and new).
pub fn workload_series(name: &'static str, rollout: bool) -> &'static str {
    match (name, rollout) {
        ("kube_deployment_status_replicas_available", true) => {
            "kube_replicaset_status_ready_replicas"
        }
        ("kube_deployment_spec_replicas", true) => "kube_replicaset_spec_replicas",
        (name, _) => name,
    }
}

/// Record what reads each series of the contract: the HPA always (the autoscaler needs its
/// metric whether or not monitoring outputs are written), and the alerts, recording rules and
/// panels of the monitoring model.
pub(crate) fn attach_consumers(
    contract: &mut MetricsContract,
    m: Option<&MonitoringModel>,
    hpa_rps: bool,
) {
    use crate::model::contract::Consumer;
    if hpa_rps && let Some(h) = contract.hpa_metric.clone() {
        contract.consumed(Role::Requests, Consumer::Hpa(h.name));
    }
    let Some(m) = m else {
        contract.finish();
        return;
    };
    for a in &m.alerts {
        let c = Consumer::Alert(a.kind.alert_name().to_string());
        for role in a.kind.roles() {
            contract.consumed(*role, c.clone());
        }
        for (name, source) in a.kind.platform() {
            contract.consumed_platform(workload_series(name, m.rollout), *source, c.clone());
        }
    }
    for r in &m.records {
        for role in r.roles() {
            contract.consumed(*role, Consumer::Record(r.record_name().to_string()));
        }
    }
    if let Some(d) = &m.dashboard {
        for p in &d.panels {
            let c = Consumer::Panel(p.title().to_string());
            for role in p.roles() {
                contract.consumed(*role, c.clone());
            }
            for (name, source) in p.platform(m.autoscaling.is_some()) {
                contract.consumed_platform(workload_series(name, m.rollout), source, c.clone());
            }
        }
    }
    contract.finish();
}

/// The latest protocol revision that still has `initialize` (the probe's for servers that do
/// not speak 2026-07-28).
pub const LEGACY_PROBE_REVISION: &str = "2025-11-25";
/// The probe's client name (`clientInfo`).
pub const PROBE_CLIENT: &str = "mcpgen-probe";
/// Longest wait for one MCP answer.
pub const PROBE_TIMEOUT: PromDuration = PromDuration(10_000);

/// The probe of a server: `server/discover` when it speaks 2026-07-28 or later (modern
/// servers must implement it, and it creates no state), else `initialize` with the newest
/// listed revision before it.
fn probe_model(model: &Model, p: &resolve::McpProbe) -> ProbeModel {
    let mcp = &model.resolved.spec().mcp;
    let versions: Vec<&str> = mcp
        .protocol_versions
        .iter()
        .flatten()
        .map(|v| v.as_str())
        .collect();
    let modern = versions
        .iter()
        .filter(|v| **v >= resolve::defaults::STATELESS_REVISION)
        .max();
    let client_info =
        serde_json::json!({"name": PROBE_CLIENT, "version": env!("CARGO_PKG_VERSION")});
    let mut headers = BTreeMap::from([
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "Accept".to_string(),
            "application/json, text/event-stream".to_string(),
        ),
    ]);
    let request = match modern {
        Some(version) => {
            headers.insert("MCP-Protocol-Version".into(), version.to_string());
            headers.insert("Mcp-Method".into(), "server/discover".into());
            let body = serde_json::json!({
                "jsonrpc": "2.0",
                "id": 1,
                "method": "server/discover",
                "params": {"_meta": {
                    "io.modelcontextprotocol/protocolVersion": version,
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": client_info,
                }},
            });
            McpRequest {
                method: "server/discover",
                protocol_version: version.to_string(),
                headers,
                body: body.to_string(),
                // DiscoverResult requires `supportedVersions`; an error answer has none.
                expect: r#""supportedVersions"\s*:"#.to_string(),
            }
        }
        None => {
            let version = versions
                .iter()
                .max()
                .map_or(LEGACY_PROBE_REVISION.to_string(), |v| v.to_string());
            let body = serde_json::json!({
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": version,
                    "capabilities": {},
                    "clientInfo": client_info,
                },
            });
            McpRequest {
                method: "initialize",
                protocol_version: version,
                headers,
                body: body.to_string(),
                // InitializeResult requires `serverInfo`; an error answer has none.
                expect: r#""serverInfo"\s*:"#.to_string(),
            }
        }
    };
    let interval = prom(&p.interval);
    ProbeModel {
        url: p.url.clone(),
        prober: p.prober.clone(),
        timeout: PromDuration(PROBE_TIMEOUT.millis().min(interval.millis())),
        interval,
        module: format!("mcp-{}-{}", model.namespace, model.name),
        job: format!("mcp-probe/{}/{}", model.namespace, model.name),
        request,
        credentials_file: p.credentials_file.clone(),
    }
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
        let c = &m.contract;
        assert_eq!(c.samples(Role::Requests), ["mcp_requests_total"]);
        assert_eq!(
            c.samples(Role::Latency),
            ["mcp_request_duration_seconds_bucket"]
        );
        assert_eq!(
            c.samples(Role::ActiveConnections),
            ["mcp_active_connections"]
        );
        assert_eq!(c.samples(Role::Tools), ["mcp_tool_executions_total"]);
        assert_eq!(m.environment, "base");
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
                (K::TargetDown, Threshold::State, "5m".into(), Warning),
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
        assert_eq!(
            on.autoscaling,
            Some(HpaBounds {
                name: "demo".into(),
                min: 2,
                max: 5
            })
        );
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
