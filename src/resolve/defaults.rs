//! Every default of the spec language, in one place.
//!
//! These constants are read by [`crate::resolve`] only (and injected into the policies' `data`
//! by [`super::policy_constants`]): no other module knows what mcpgen fills in for a field the
//! user left out. Each default is the safe choice for a production MCP server: two replicas,
//! health endpoints distinct from the MCP endpoint, bounded resources, stateful sessions unless
//! the protocol revision rules them out, and monitoring that pages for the failures that matter.

use crate::spec::{BridgeMode, GatewayProvider, IngressController, Runtime, SessionPersistence};

/// Container port of the MCP endpoint.
pub const MCP_PORT: u32 = 8080;
/// Path of the MCP endpoint.
pub const MCP_PATH: &str = "/mcp";
/// Replicas when neither `replicas` nor `autoscaling` says otherwise: one pod can always be
/// disrupted without downtime. Also the HPA's lower bound (capped by its maximum).
pub const REPLICAS: u32 = 2;
/// The first protocol revision without protocol-level sessions: a server that speaks only it
/// (or later ones) is stateless unless it says otherwise.
pub const STATELESS_REVISION: &str = "2026-07-28";
/// Environment names treated as production by the policies.
pub const PRODUCTION_ENVIRONMENTS: [&str; 2] = ["production", "prod"];

/// `maxSurge` of a rolling update is the largest replica count divided by this (rounded up),
/// at least one pod: a quarter of the pods are replaced at a time.
pub const SURGE_DIVISOR: u32 = 4;

/// Suffixes of the variables that tell the server where a dependency is: `<KEY>_HOST`,
/// `<KEY>_PORT`, `<KEY>_URL` (`KEY` is the dependency's key in upper case, `-` as `_`).
pub const CONNECTION_HOST_SUFFIX: &str = "_HOST";
/// See [`CONNECTION_HOST_SUFFIX`].
pub const CONNECTION_PORT_SUFFIX: &str = "_PORT";
/// See [`CONNECTION_HOST_SUFFIX`].
pub const CONNECTION_URL_SUFFIX: &str = "_URL";

/// A published stdio bridge mcpgen installs into the images it builds, with what mcpgen
/// assumes of the pinned version (measured in docs/stdio-bridge.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeDefault {
    /// Which bridge.
    pub kind: BridgeKind,
    /// Package name in its registry (npm for node, PyPI for python).
    pub package: &'static str,
    /// Version installed when the spec names none.
    pub version: &'static str,
    /// Mode when the spec names none and does not declare the server stateless.
    pub mode: BridgeMode,
    /// Mode when the spec names none and declares the server stateless.
    pub stateless_mode: BridgeMode,
    /// Modes the bridge offers.
    pub modes: &'static [BridgeMode],
    /// The one path the bridge serves MCP on, when it cannot be configured.
    pub fixed_path: Option<&'static str>,
    /// The one health path the bridge answers, when it cannot be configured; probes default
    /// to it.
    pub fixed_health: Option<&'static str>,
    /// Protocol revisions clients can speak to it (given a server that speaks them too).
    pub revisions: &'static [&'static str],
}

/// The bridges, by the runtime of the image they are installed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeKind {
    /// supergateway (npm, MIT): node images.
    Supergateway,
    /// mcp-proxy (PyPI, MIT): python images.
    McpProxy,
}

/// supergateway 4.0.0: Streamable HTTP for 2024-11-05 to 2025-11-25 sessions (one child per
/// session with `--stateful`, one per request without) and 2026-07-28 requests (one child per
/// request); health endpoints given by `--healthEndpoint`.
pub const SUPERGATEWAY: BridgeDefault = BridgeDefault {
    kind: BridgeKind::Supergateway,
    package: "supergateway",
    version: "4.0.0",
    mode: BridgeMode::Session,
    stateless_mode: BridgeMode::Request,
    modes: &[BridgeMode::Session, BridgeMode::Request],
    fixed_path: None,
    fixed_health: None,
    revisions: &[
        "2024-11-05",
        "2025-03-26",
        "2025-06-18",
        "2025-11-25",
        "2026-07-28",
    ],
};

/// mcp-proxy 0.13.0: one child for the whole proxy, re-served by the Python SDK 1.x (up to
/// 2025-11-25) at `/mcp`, with `/status` as its health endpoint.
pub const MCP_PROXY: BridgeDefault = BridgeDefault {
    kind: BridgeKind::McpProxy,
    package: "mcp-proxy",
    version: "0.13.0",
    mode: BridgeMode::Shared,
    stateless_mode: BridgeMode::Shared,
    modes: &[BridgeMode::Shared],
    fixed_path: Some("/mcp"),
    fixed_health: Some("/status"),
    revisions: &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"],
};

/// The bridge of an image built for a runtime: supergateway for node, mcp-proxy for python.
/// None for go (distroless/static has neither a shell nor an interpreter to run one) and
/// for images mcpgen does not build.
pub fn bridge_for(runtime: Option<Runtime>) -> Option<BridgeDefault> {
    match runtime? {
        Runtime::Node => Some(SUPERGATEWAY),
        Runtime::Python => Some(MCP_PROXY),
        Runtime::Go => None,
    }
}

/// Idle minutes after which supergateway ends a session and its child (`--sessionTimeout`).
pub const BRIDGE_SESSION_TIMEOUT_MINUTES: u64 = 30;

/// Liveness probe path.
pub const LIVENESS_PATH: &str = "/healthz";
/// Readiness probe path.
pub const READINESS_PATH: &str = "/readyz";

/// Timing of one probe kind: period and failure threshold.
#[derive(Debug, Clone, Copy)]
pub struct ProbeTiming {
    /// Seconds between probes.
    pub period: u32,
    /// Consecutive failures before the probe fails.
    pub failures: u32,
}
/// Liveness: every 10 s, three failures.
pub const LIVENESS: ProbeTiming = ProbeTiming {
    period: 10,
    failures: 3,
};
/// Readiness: every 5 s, three failures.
pub const READINESS: ProbeTiming = ProbeTiming {
    period: 5,
    failures: 3,
};
/// Startup: 5 s × 30 = two and a half minutes to start before liveness takes over.
pub const STARTUP: ProbeTiming = ProbeTiming {
    period: 5,
    failures: 30,
};
/// Seconds before a probe request times out.
pub const PROBE_TIMEOUT: u32 = 3;
/// Seconds before the first probe.
pub const PROBE_INITIAL_DELAY: u32 = 0;

/// CPU request of the server container.
pub const CPU_REQUEST: &str = "100m";
/// Memory request of the server container.
pub const MEMORY_REQUEST: &str = "128Mi";
/// CPU limit of the server container.
pub const CPU_LIMIT: &str = "500m";
/// Memory limit of the server container.
pub const MEMORY_LIMIT: &str = "512Mi";

/// Build output copied into the runtime image, per runtime: node's `dist`, python's whole app,
/// go's binary.
pub const NODE_OUTPUT: &str = "dist";
/// See [`NODE_OUTPUT`].
pub const PYTHON_OUTPUT: &str = ".";
/// See [`NODE_OUTPUT`]. A go build names its binary after `build.command[0]` when that is a
/// path under [`APP_DIR`]; this name is used only when it is not.
pub const GO_OUTPUT: &str = "server";
/// Directory of the application in the image (the Dockerfile's `WORKDIR`): build outputs are
/// copied below it.
pub const APP_DIR: &str = "/app";

/// IngressClass when the spec names neither a class nor a gateway.
pub const INGRESS_CLASS: &str = "nginx";

/// Where a controller's (or gateway proxy's) pods run by default, and their labels: what
/// the upstream Helm chart installs, so the NetworkPolicy admits exactly those pods.
#[derive(Debug, Clone, Copy)]
pub struct ControllerPods {
    /// Namespace of the pods.
    pub namespace: &'static str,
    /// Labels of the pods.
    pub labels: &'static [(&'static str, &'static str)],
}

/// IngressClass names recognised as a known controller when `ingressController` is not
/// given (the class names the controllers' charts create).
pub const INGRESS_CLASSES: &[(&str, IngressController)] = &[
    ("nginx", IngressController::IngressNginx),
    ("ingress-nginx", IngressController::IngressNginx),
    ("traefik", IngressController::Traefik),
    ("haproxy", IngressController::Haproxy),
];

/// The pods of each known ingress controller (kubernetes/ingress-nginx, traefik/traefik-helm-chart,
/// haproxytech/helm-charts `kubernetes-ingress`).
pub fn ingress_controller_pods(c: IngressController) -> ControllerPods {
    match c {
        IngressController::IngressNginx => ControllerPods {
            namespace: "ingress-nginx",
            labels: &[
                ("app.kubernetes.io/component", "controller"),
                ("app.kubernetes.io/name", "ingress-nginx"),
            ],
        },
        IngressController::Traefik => ControllerPods {
            namespace: "traefik",
            labels: &[("app.kubernetes.io/name", "traefik")],
        },
        IngressController::Haproxy => ControllerPods {
            namespace: "haproxy-controller",
            labels: &[("app.kubernetes.io/name", "kubernetes-ingress")],
        },
    }
}

/// Envoy Gateway runs each Gateway's proxies in its own namespace, labelled with the
/// owning Gateway (envoyproxy/gateway, `infra/kubernetes/proxy`); the owning-gateway labels
/// are added by [`crate::resolve`].
pub const ENVOY_GATEWAY_PODS: ControllerPods = ControllerPods {
    namespace: "envoy-gateway-system",
    labels: &[("app.kubernetes.io/name", "envoy")],
};
/// Label naming the Gateway that owns an Envoy Gateway proxy pod.
pub const ENVOY_OWNING_GATEWAY_NAME: &str = "gateway.envoyproxy.io/owning-gateway-name";
/// Label naming the namespace of the Gateway that owns an Envoy Gateway proxy pod.
pub const ENVOY_OWNING_GATEWAY_NAMESPACE: &str = "gateway.envoyproxy.io/owning-gateway-namespace";
/// Gateway provider when the spec names none: standard Gateway API objects only.
pub const GATEWAY_PROVIDER: GatewayProvider = GatewayProvider::None;
/// How a gateway route keeps sessions on their pod when the server needs it.
pub const SESSION_PERSISTENCE: SessionPersistence = SessionPersistence::Cookie;
/// Request timeout at the ingress or gateway: long enough for a streamed response to a long
/// tool call, short enough that a dead stream is eventually closed.
pub const EXPOSE_TIMEOUT: &str = "1h";
/// Rate-limit window.
pub const RATE_LIMIT_WINDOW: &str = "1m";
/// Suffix of the TLS Secret's name (`<server>-tls`).
pub const TLS_SECRET_SUFFIX: &str = "-tls";

/// HPA utilisation target when no metric is named.
pub const HPA_TARGET_CPU: u32 = 70;
/// Scale up fast: no stabilization, double or add four pods per minute.
pub const SCALE_UP_WINDOW: &str = "0s";
/// See [`SCALE_UP_WINDOW`].
pub const SCALE_UP_PERCENT: u32 = 100;
/// See [`SCALE_UP_WINDOW`].
pub const SCALE_UP_PODS: u32 = 4;
/// Scale down slowly (streaming sessions end when their pod goes away): five minutes of
/// stabilization, at most half the pods per minute.
pub const SCALE_DOWN_WINDOW: &str = "300s";
/// See [`SCALE_DOWN_WINDOW`].
pub const SCALE_DOWN_PERCENT: u32 = 50;
/// Period of every HPA scaling policy.
pub const SCALING_PERIOD: &str = "60s";

/// Metrics path.
pub const METRICS_PATH: &str = "/metrics";
/// Scrape interval.
pub const SCRAPE_INTERVAL: &str = "30s";
/// Namespace Prometheus runs in (admitted by the NetworkPolicy on the metrics port).
pub const PROMETHEUS_NAMESPACE: &str = "monitoring";
/// Dashboard auto-refresh.
pub const DASHBOARD_REFRESH: &str = "30s";
/// Dashboard title prefix (`MCP server <name>`).
pub const DASHBOARD_TITLE_PREFIX: &str = "MCP server";

/// Metric names of the `mcpgen` metrics contract.
pub const METRIC_REQUESTS: &str = "mcp_requests_total";
/// See [`METRIC_REQUESTS`].
pub const METRIC_DURATION: &str = "mcp_request_duration_seconds";
/// See [`METRIC_REQUESTS`].
pub const METRIC_ACTIVE_CONNECTIONS: &str = "mcp_active_connections";
/// See [`METRIC_REQUESTS`].
pub const METRIC_TOOL_EXECUTIONS: &str = "mcp_tool_executions_total";

/// Default threshold, `for` and severity of one alert.
#[derive(Debug, Clone, Copy)]
pub struct AlertDefault {
    /// Threshold as written in a spec (`5%`, `1s`); empty for state alerts.
    pub above: &'static str,
    /// How long the condition must hold.
    pub for_: &'static str,
    /// `critical` or `warning`.
    pub critical: bool,
}
/// More than 5 % of requests fail for 5 minutes: critical.
pub const ALERT_ERROR_RATE: AlertDefault = AlertDefault {
    above: "5%",
    for_: "5m",
    critical: true,
};
/// p95 latency above 1 s for 5 minutes.
pub const ALERT_LATENCY_P95: AlertDefault = AlertDefault {
    above: "1s",
    for_: "5m",
    critical: false,
};
/// The server is down for 1 minute: critical.
pub const ALERT_DOWN: AlertDefault = AlertDefault {
    above: "",
    for_: "1m",
    critical: true,
};
/// Working set above 85 % of the memory limit for 5 minutes.
pub const ALERT_MEMORY: AlertDefault = AlertDefault {
    above: "85%",
    for_: "5m",
    critical: false,
};
/// CPU above 80 % of the limit for 5 minutes.
pub const ALERT_CPU: AlertDefault = AlertDefault {
    above: "80%",
    for_: "5m",
    critical: false,
};
/// More than 10 % of tool executions fail for 5 minutes.
pub const ALERT_TOOL_ERRORS: AlertDefault = AlertDefault {
    above: "10%",
    for_: "5m",
    critical: false,
};
/// More than 1 % of requests answered "session not found" for 5 minutes (stateful servers).
pub const ALERT_SESSION_NOT_FOUND: AlertDefault = AlertDefault {
    above: "1%",
    for_: "5m",
    critical: false,
};
/// The HPA sits at its maximum for 15 minutes.
pub const ALERT_HPA_MAXED_OUT: AlertDefault = AlertDefault {
    above: "",
    for_: "15m",
    critical: false,
};
/// A pod of the server is down while others serve: a warning after 5 minutes.
pub const ALERT_TARGET_DOWN: AlertDefault = AlertDefault {
    above: "",
    for_: "5m",
    critical: false,
};
/// The HPA cannot compute a replica count (`ScalingActive=False`) for 10 minutes.
pub const ALERT_HPA_SCALING_INACTIVE: AlertDefault = AlertDefault {
    above: "",
    for_: "10m",
    critical: false,
};
/// The endpoint has not answered MCP for 3 minutes while pods are Ready: clients see an
/// outage the health probes do not.
pub const ALERT_PROBE: AlertDefault = AlertDefault {
    above: "",
    for_: "3m",
    critical: true,
};

/// `monitoring.environment` of the base spec (an environment's default is its own name).
pub const BASE_ENVIRONMENT: &str = "base";
/// Highest alert severity of an environment that is neither the base spec nor a production
/// environment: nobody is paged for staging or dev.
pub const NON_PRODUCTION_MAX_SEVERITY: crate::spec::Severity = crate::spec::Severity::Warning;

/// The metrics convention when the spec names none.
pub const METRICS_CONVENTION: crate::spec::MetricsConvention =
    crate::spec::MetricsConvention::Mcpgen;
/// OpenTelemetry's MCP server operation histogram, as Prometheus names it
/// (`mcp.server.operation.duration`, seconds).
pub const OTEL_OPERATION_DURATION: &str = "mcp_server_operation_duration_seconds";
/// OpenTelemetry's MCP server session histogram (`mcp.server.session.duration`).
pub const OTEL_SESSION_DURATION: &str = "mcp_server_session_duration_seconds";
/// OpenTelemetry's HTTP server histogram (`http.server.request.duration`, stable).
pub const OTEL_HTTP_DURATION: &str = "http_server_request_duration_seconds";

/// Label names and value patterns of one convention (`metrics.labels`).
#[derive(Debug, Clone, Copy)]
pub struct LabelDefaults {
    /// Outcome label of the request series.
    pub status: &'static str,
    /// Failed requests.
    pub error: &'static str,
    /// Successful requests.
    pub success: &'static str,
    /// "Session not found" answers.
    pub session_not_found: &'static str,
    /// Tool name label.
    pub tool: &'static str,
    /// Outcome label of the tool series.
    pub tool_status: &'static str,
    /// Failed tool executions.
    pub tool_error: &'static str,
    /// MCP method label, when the convention has one.
    pub operation: Option<&'static str>,
}
/// mcpgen's labels (also the defaults of `custom`): HTTP status codes, `tool_name`.
pub const MCPGEN_LABELS: LabelDefaults = LabelDefaults {
    status: "status",
    error: "5..",
    success: "[23]..",
    session_not_found: "404",
    tool: "tool_name",
    tool_status: "status",
    tool_error: "error",
    operation: None,
};
/// OpenTelemetry's attributes as Prometheus names them: `error.type` is set on failure only
/// (`tool_error` for a tool result with `isError`), `gen_ai.tool.name`, `mcp.method.name`.
pub const OTEL_LABELS: LabelDefaults = LabelDefaults {
    status: "error_type",
    error: ".+",
    success: "",
    session_not_found: "404",
    tool: "gen_ai_tool_name",
    tool_status: "error_type",
    tool_error: "tool_error",
    operation: Some("mcp_method_name"),
};

/// OTLP protocol.
pub const OTLP_PROTOCOL: crate::spec::OtlpProtocol = crate::spec::OtlpProtocol::Grpc;
/// Trace sampler: follow the caller, sample a share of new traces.
pub const TRACES_SAMPLER: crate::spec::Sampler = crate::spec::Sampler::ParentbasedTraceidratio;
/// Share of new traces sampled.
pub const TRACES_SAMPLE_RATIO: f64 = 0.1;
/// Whether compose runs a local collector.
pub const COMPOSE_COLLECTOR: bool = false;

/// Log format.
pub const LOG_FORMAT: crate::spec::LogFormat = crate::spec::LogFormat::Json;
/// Log level.
pub const LOG_LEVEL: crate::spec::LogLevel = crate::spec::LogLevel::Info;

/// MCP probe interval.
pub const PROBE_INTERVAL: &str = "1m";
/// Service of the blackbox exporter, in the Prometheus namespace.
pub const BLACKBOX_SERVICE: &str = "blackbox-exporter";
/// Port of the blackbox exporter.
pub const BLACKBOX_PORT: u32 = 9115;
/// Directory of the probe's bearer tokens in the blackbox exporter (one file per server).
pub const PROBE_TOKEN_DIR: &str = "/etc/blackbox-exporter/tokens";

/// What scales the Deployment.
pub const AUTOSCALING_CONTROLLER: crate::spec::AutoscalingController =
    crate::spec::AutoscalingController::Hpa;
/// The Service the Prometheus operator creates for its Prometheus pods, and its port: what
/// KEDA queries by default.
pub const PROMETHEUS_SERVICE: &str = "prometheus-operated";
/// See [`PROMETHEUS_SERVICE`].
pub const PROMETHEUS_PORT: u32 = 9090;

/// Canary steps when the spec names none: percent of traffic and how long each is held. A
/// tenth of the traffic first, so a bad version reaches few clients; five minutes per step,
/// the window of the alert expressions the analysis evaluates, so each step is judged on
/// traffic it actually served.
pub const CANARY_STEPS: [(u32, &str); 4] = [(10, "5m"), (25, "5m"), (50, "5m"), (75, "5m")];
/// Time between two analysis measurements.
pub const ANALYSIS_INTERVAL: &str = "1m";
/// Measurements past the threshold tolerated before a rollout is aborted: one bad reading is
/// noise (a rate over a partly filled window), two in a row are not.
pub const ANALYSIS_FAILURE_LIMIT: u32 = 1;
/// Blue-green: how long the old version keeps running after the switch. Open streams and
/// in-memory sessions on it get ten minutes to finish, and an abort in that time switches
/// back to pods that are still warm.
pub const SCALE_DOWN_DELAY: &str = "10m";
/// Branch the pipeline commits rendered manifests to in a GitOps repository.
pub const GITOPS_BRANCH: &str = "main";
