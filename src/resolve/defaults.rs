//! Every default of the spec language, in one place.
//!
//! These constants are read by [`crate::resolve`] only (and injected into the policies' `data`
//! by [`super::policy_constants`]): no other module knows what mcpgen fills in for a field the
//! user left out. Each default is the safe choice for a production MCP server: two replicas,
//! health endpoints distinct from the MCP endpoint, bounded resources, stateful sessions unless
//! the protocol revision rules them out, and monitoring that pages for the failures that matter.

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

/// IngressClass when the spec names none.
pub const INGRESS_CLASS: &str = "nginx";
/// Namespace of the ingress controller (the ingress-nginx default).
pub const INGRESS_NAMESPACE: &str = "ingress-nginx";
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
/// The Service the Prometheus operator creates for every Prometheus (`prometheus-operated`),
/// on Prometheus' port, in the namespace Prometheus runs in: the address the Argo Rollouts
/// controller queries.
pub const PROMETHEUS_SERVICE: &str = "prometheus-operated";
/// See [`PROMETHEUS_SERVICE`].
pub const PROMETHEUS_PORT: u32 = 9090;
/// Blue-green: how long the old version keeps running after the switch. Open streams and
/// in-memory sessions on it get ten minutes to finish, and an abort in that time switches
/// back to pods that are still warm.
pub const SCALE_DOWN_DELAY: &str = "10m";
/// Branch the pipeline commits rendered manifests to in a GitOps repository.
pub const GITOPS_BRANCH: &str = "main";
