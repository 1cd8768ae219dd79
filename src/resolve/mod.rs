//! Spec → ResolvedSpec: every default of the spec language filled in, once.
//!
//! [`resolve`] takes a validated [`Spec`] (the base or one environment) and returns the spec
//! with no `Option` left where mcpgen decides a value, plus the JSON Pointers of the fields it
//! filled in. The resolved spec is the one input of the policies (serialized as `input.spec`,
//! with `input.defaulted`), of the [`crate::model::Model`], and of the description of what a
//! build will produce. Its serialized shape is the spec language's own (same field names), so a
//! policy's JSON Pointers still name spec fields, and writing a resolved spec back out gives a
//! valid spec that resolves to itself.
//!
//! What stays optional here is what the user alone decides: whether there is a `build`, an
//! `expose`, an `autoscaling` section, a quota, a runbook URL, protocol revisions. The default
//! values themselves live in [`defaults`]; this module decides when each applies. Derived names
//! (object names, port names, labels, metric label names) are the Model's, not this module's.

pub mod defaults;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::spec::scalars::{
    Cpu, Duration, EnvValue, HostName, HttpPath, ImageRef, Memory, Name, Percent, ProtocolVersion,
};
use crate::spec::{
    self, ApiVersion, AuthType, AutoInstrumentation, AutoscalingController, Bridge, BridgeMode,
    CanaryStep, GatewayProvider, IngressController, Kind, LogFormat, LogLevel, LogStore,
    MetricsConvention, NamespaceOwnership, OtlpProtocol, Peer, Promotion, Quota, RolloutStrategy,
    Runtime, Sampler, SecretRef, SessionPersistence, SessionStore, Severity, Spec, TrafficRouter,
    Transport, VerticalScaling,
};

/// A spec with every default filled in, for one variant (base or environment).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSpec {
    /// The environment (`None`: the base spec).
    pub env: Option<String>,
    /// `{apiVersion, kind, metadata, spec}` resolved.
    pub file: ResolvedFile,
    /// JSON Pointers of the fields mcpgen's defaults filled in, sorted; a section filled in as
    /// a whole is listed once, not member by member.
    pub defaulted: Vec<String>,
    /// JSON Pointers of the fields the command line set (`--set`, `--image`), sorted.
    pub overridden: Vec<String>,
}

impl ResolvedSpec {
    /// The resolved `spec` section.
    pub fn spec(&self) -> &Service {
        &self.file.spec
    }
    /// The resolved `metadata` section.
    pub fn metadata(&self) -> &Metadata {
        &self.file.metadata
    }
}

/// The resolved file, in the shape of [`spec::SpecFile`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedFile {
    /// `mcpgen.dev/v1`.
    pub api_version: ApiVersion,
    /// `MCPServer`.
    pub kind: Kind,
    /// Identity.
    pub metadata: Metadata,
    /// Everything about running the server.
    pub spec: Service,
}

/// Resolved `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Server name.
    pub name: Name,
    /// Namespace (default: the server name).
    pub namespace: Name,
    /// Whether the server owns the namespace (default: owned when the namespace is the
    /// server's name or the spec has a quota, shared otherwise).
    pub namespace_ownership: NamespaceOwnership,
    /// Labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Name in the MCP Registry, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    /// One-line description, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Resolved `spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Image to deploy.
    pub image: ImageRef,
    /// Arguments to the image's entrypoint, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Image build settings, when the spec has a `build` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// MCP transport and security settings.
    pub mcp: Mcp,
    /// Health endpoints and probe timing.
    pub health: Health,
    /// Fixed replica count (the HPA owns the count in Kubernetes when enabled).
    pub replicas: u32,
    /// Requests and limits of the server container.
    pub resources: Resources,
    /// Plain environment variables.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, EnvValue>,
    /// Variables read from Secrets.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, SecretRef>,
    /// Mounted files.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Backing services.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, Dependency>,
    /// Public exposure, when the spec has an `expose` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expose: Option<Expose>,
    /// Rolling updates.
    pub rollout: Rollout,
    /// Horizontal autoscaling, when the spec has an `autoscaling` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// Vertical autoscaling as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical_scaling: Option<VerticalScaling>,
    /// Network peers.
    pub network: Network,
    /// Namespace quota as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// Metrics, alerts and dashboard.
    pub monitoring: Monitoring,
}

/// Resolved `build`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    /// Language runtime.
    pub runtime: Runtime,
    /// Runtime version.
    pub version: String,
    /// Start command (exec form).
    pub command: Vec<String>,
    /// Build command (exec form): the spec's, or for go the default `go build`; node and python
    /// have no build step unless the spec names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_command: Option<Vec<String>>,
    /// Build output relative to the build context.
    pub output: String,
    /// A published package installed instead of building the context, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<spec::BuildPackage>,
}

/// Resolved `mcp`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mcp {
    /// Wire transport.
    pub transport: Transport,
    /// Protocol revisions the server speaks, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_versions: Option<Vec<ProtocolVersion>>,
    /// Whether the server keeps no per-session state.
    pub stateless: bool,
    /// Where session state lives.
    pub session_store: SessionStore,
    /// Endpoint path.
    pub path: HttpPath,
    /// Container port of the server (for `stdio`, the bridge listens on `bridge.port`).
    pub port: u32,
    /// Allowed browser origins, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Allowed `Host` headers, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<HostName>>,
    /// Whether to trust `X-Forwarded-*` headers.
    pub trust_proxy_headers: bool,
    /// Authentication.
    pub auth: Auth,
    /// The stdio bridge: always for a `stdio` server, and as written for another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<ResolvedBridge>,
    /// The longest a tool call may take, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longest_tool_call: Option<Duration>,
}

/// Resolved `mcp.auth`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Auth {
    /// Authentication scheme.
    #[serde(rename = "type")]
    pub kind: AuthType,
    /// Secret holding the signing key or client secret, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretRef>,
    /// Token lifetime, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Duration>,
    /// OIDC issuer URL, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Expected audience, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Whether the server serves RFC 9728 Protected Resource Metadata (default: auth is on).
    pub resource_metadata: bool,
    /// JWKS URL, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Address blocks of the issuer admitted on 443.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issuer_cidrs: Vec<String>,
}

/// Resolved `network`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    /// Sources allowed in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_from: Vec<Peer>,
    /// Destinations allowed out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_to: Vec<Peer>,
    /// Whether a CiliumNetworkPolicy is written too (default false).
    pub cilium: bool,
}

/// Resolved `mcp.bridge`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedBridge {
    /// Port the bridge listens on (default: `mcp.port`).
    pub port: u32,
    /// How clients map onto server processes (default: the bridge's, see
    /// [`defaults::BridgeDefault`]).
    pub mode: BridgeMode,
    /// Version of the bridge package (default: the pinned one).
    pub version: String,
}

/// Resolved `health`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Liveness probe.
    pub liveness: Probe,
    /// Readiness probe.
    pub readiness: Probe,
    /// Startup probe (default: the liveness path).
    pub startup: Probe,
    /// Container port of the health endpoints (default: the MCP port).
    pub port: u32,
}

/// One probe, every timing decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// HTTP path.
    pub path: HttpPath,
    /// Seconds between probes.
    pub period_seconds: u32,
    /// Failures before the probe fails.
    pub failure_threshold: u32,
    /// Request timeout in seconds.
    pub timeout_seconds: u32,
    /// Delay before the first probe.
    pub initial_delay_seconds: u32,
}

/// Resolved `resources`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Requests.
    pub requests: ResourceList,
    /// Limits.
    pub limits: ResourceList,
}

/// CPU and memory, both decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceList {
    /// CPU.
    pub cpu: Cpu,
    /// Memory.
    pub memory: Memory,
}

/// Resolved `rollout`. A setting that applies to the strategy is always filled in; one that
/// does not (canary steps of a blue-green rollout) stays as written, or absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    /// Pods started above the desired count during a rolling update.
    pub max_surge: u32,
    /// Rolling update, canary or blue-green.
    pub strategy: RolloutStrategy,
    /// What shifts a canary's traffic (canary, or as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_router: Option<TrafficRouter>,
    /// Canary steps (canary, or as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<CanaryStep>>,
    /// The analysis gating the rollout (canary and blue-green, or as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Analysis>,
    /// How long a blue-green rollout keeps the old version (blue-green, or as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_down_delay: Option<Duration>,
    /// Who promotes a version into this environment.
    pub promotion: Promotion,
    /// The GitOps repository the pipeline commits to, when it deploys that way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gitops: Option<GitOps>,
}

/// Resolved `rollout.gitops`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GitOps {
    /// Repository URL.
    pub repository: String,
    /// Branch.
    pub branch: String,
    /// Directory of this environment's manifests.
    pub path: String,
}

/// Resolved `rollout.analysis`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Whether the rollout is analysed.
    pub enabled: bool,
    /// Prometheus the controller queries.
    pub prometheus_address: String,
    /// Time between measurements.
    pub interval: Duration,
    /// Failed measurements tolerated.
    pub failure_limit: u32,
}

/// Resolved `connectionEnv` of a dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionEnv {
    /// Variable holding the host name.
    pub host: String,
    /// Variable holding the port.
    pub port: String,
    /// Variable holding the URL, for images whose scheme mcpgen knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Resolved dependency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// Image (compose).
    pub image: ImageRef,
    /// Port it listens on.
    pub port: u32,
    /// Namespace in Kubernetes (default: the server's).
    pub namespace: Name,
    /// Service name in Kubernetes and compose (default: the dependency's key).
    pub service: Name,
    /// Labels of the dependency's pods, when known.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_labels: BTreeMap<String, String>,
    /// Variables that tell the server where the dependency is.
    pub connection_env: ConnectionEnv,
    /// Environment of the compose container.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, EnvValue>,
    /// Health check command in compose, when the spec names one (else mcpgen knows the image
    /// or probes the port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Vec<String>>,
}

/// Resolved `expose`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expose {
    /// Public host.
    pub host: HostName,
    /// Public path (default: the MCP path).
    pub path: HttpPath,
    /// The parent Gateway, for a Gateway API route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Gateway>,
    /// IngressClass (default `nginx`), for an Ingress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<Name>,
    /// The controller of the class, when mcpgen knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_controller: Option<IngressController>,
    /// Namespace of the controller or gateway proxies, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_namespace: Option<Name>,
    /// Labels of the controller's or gateway proxies' pods (empty: the whole namespace).
    pub ingress_pod_labels: BTreeMap<String, String>,
    /// Annotations of the route objects only.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// TLS, when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// Rate limit, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Request timeout at the edge.
    pub timeout: Duration,
    /// Whether the RFC 9728 discovery paths are routed.
    pub well_known_routes: bool,
}

/// Resolved `expose.gateway`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gateway {
    /// Gateway name.
    pub name: Name,
    /// Gateway namespace (default: the server's).
    pub namespace: Name,
    /// Listener, when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<Name>,
    /// Namespace of the HTTPRoute (default: the server's).
    pub route_namespace: Name,
    /// Provider profile (default `none`).
    pub provider: GatewayProvider,
    /// Session persistence used when the server needs it (default `cookie`).
    pub session_persistence: SessionPersistence,
    /// Whether tokens are validated at the gateway (default false).
    pub edge_auth: bool,
}

/// Resolved `expose.tls`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tls {
    /// cert-manager ClusterIssuer, when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_issuer: Option<Name>,
    /// Secret holding the certificate (default: `<name>-tls`).
    pub secret_name: Name,
}

/// Resolved `expose.rateLimit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests per window per client.
    pub requests: u32,
    /// Window.
    pub window: Duration,
}

/// Resolved `autoscaling`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Autoscaling {
    /// Whether the HPA is generated.
    pub enabled: bool,
    /// Fewest replicas.
    pub min_replicas: u32,
    /// Most replicas.
    pub max_replicas: u32,
    /// CPU utilisation target, percent.
    #[serde(rename = "targetCPU", skip_serializing_if = "Option::is_none")]
    pub target_cpu: Option<u32>,
    /// Memory utilisation target, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_memory: Option<u32>,
    /// Requests per second per pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    /// What scales the Deployment.
    pub controller: AutoscalingController,
    /// Prometheus URL KEDA queries (KEDA with a request-rate target only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prometheus_address: Option<String>,
    /// Scale-up behaviour.
    pub scale_up: ScalingBehavior,
    /// Scale-down behaviour.
    pub scale_down: ScalingBehavior,
}

/// One direction of HPA behaviour.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingBehavior {
    /// Stabilization window.
    pub stabilization_window: Duration,
    /// Percent policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<u32>,
    /// Pods policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// Policy period.
    pub period: Duration,
}

/// Resolved `monitoring`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Monitoring {
    /// Whether monitoring outputs are generated.
    pub enabled: bool,
    /// Scrape settings.
    pub metrics: Metrics,
    /// Labels the Prometheus operator's selectors match.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_labels: BTreeMap<String, String>,
    /// Namespace Prometheus scrapes from.
    pub prometheus_namespace: Name,
    /// Runbook base URL, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook_base_url: Option<String>,
    /// Alerts.
    pub alerts: Alerts,
    /// Dashboard.
    pub dashboard: Dashboard,
    /// The `environment` label of the alerts and the OpenTelemetry resource.
    pub environment: String,
    /// Highest severity an alert carries in this environment.
    pub max_severity: Severity,
    /// Tracing, when the spec has a `tracing` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing: Option<Tracing>,
    /// The logging contract, when the spec has a `logging` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// The MCP probe, when the spec has a `probe` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<McpProbe>,
}

/// Resolved `monitoring.tracing`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracing {
    /// OTLP endpoint.
    pub endpoint: String,
    /// OTLP protocol.
    pub protocol: OtlpProtocol,
    /// Sampler.
    pub sampler: Sampler,
    /// Ratio of the ratio samplers.
    pub sample_ratio: f64,
    /// Namespace of the collector, when known (given, or read from an in-cluster host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Name>,
    /// Whether compose runs a local collector.
    pub compose_collector: bool,
    /// Operator auto-instrumentation, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_instrumentation: Option<AutoInstrumentation>,
}

/// Resolved `monitoring.logging`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    /// Format.
    pub format: LogFormat,
    /// Level.
    pub level: LogLevel,
    /// Log data source, when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<LogStore>,
}

/// Resolved `monitoring.probe`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct McpProbe {
    /// Whether the probe is generated.
    pub enabled: bool,
    /// URL probed.
    pub url: String,
    /// Blackbox exporter `host:port`.
    pub prober: String,
    /// Interval.
    pub interval: Duration,
    /// Bearer token file in the exporter, for a server with auth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_file: Option<String>,
}

/// Resolved `monitoring.metrics`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// HTTP path.
    pub path: HttpPath,
    /// Container port (default: the MCP port).
    pub port: u32,
    /// Scrape interval.
    pub interval: Duration,
    /// The metrics convention.
    pub convention: MetricsConvention,
    /// Metric names.
    pub names: MetricNames,
    /// Label names and value patterns.
    pub labels: MetricLabels,
}

/// Resolved metric names: a series the contract does not have is absent (`custom` names only
/// what the spec names; neither mcpgen's nor OpenTelemetry's contract has every series).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricNames {
    /// Request counter (or, under otel-semconv, the operation histogram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<String>,
    /// Request duration histogram.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Active connections gauge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_connections: Option<String>,
    /// Tool execution counter (or the operation histogram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_executions: Option<String>,
    /// Session duration histogram.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<String>,
    /// HTTP server duration histogram (otel-semconv's "session not found" answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_requests: Option<String>,
}

/// Resolved metric labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricLabels {
    /// Outcome label of the request series.
    pub status: String,
    /// Failed requests.
    pub error: String,
    /// Successful requests.
    pub success: String,
    /// "Session not found" answers.
    pub session_not_found: String,
    /// Tool name label.
    pub tool: String,
    /// Outcome label of the tool series.
    pub tool_status: String,
    /// Failed tool executions.
    pub tool_error: String,
    /// MCP method label, when the contract has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// Resolved alerts. `enabled` is the effective value: an alert that cannot apply (session not
/// found on a stateless server, HPA at maximum without an HPA that can grow) is disabled.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alerts {
    /// Share of failed requests.
    pub error_rate: ThresholdAlert<Percent>,
    /// p95 latency.
    #[serde(rename = "latencyP95")]
    pub latency_p95: ThresholdAlert<Duration>,
    /// Server down.
    pub down: StateAlert,
    /// Memory against the limit.
    pub memory: ThresholdAlert<Percent>,
    /// CPU against the limit.
    pub cpu: ThresholdAlert<Percent>,
    /// Share of failed tool executions.
    pub tool_errors: ThresholdAlert<Percent>,
    /// Share of "session not found" answers.
    pub session_not_found: ThresholdAlert<Percent>,
    /// HPA at its maximum.
    pub hpa_maxed_out: StateAlert,
    /// One pod down.
    pub target_down: StateAlert,
    /// HPA unable to scale.
    pub hpa_scaling_inactive: StateAlert,
    /// MCP probe failing.
    pub probe: StateAlert,
}

/// An alert with a threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdAlert<T> {
    /// Whether the alert is generated.
    pub enabled: bool,
    /// Threshold.
    pub above: T,
    /// How long the condition must hold.
    #[serde(rename = "for")]
    pub for_: Duration,
    /// Severity label.
    pub severity: Severity,
}

/// An alert on a state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateAlert {
    /// Whether the alert is generated.
    pub enabled: bool,
    /// How long the condition must hold.
    #[serde(rename = "for")]
    pub for_: Duration,
    /// Severity label.
    pub severity: Severity,
}

/// Resolved `monitoring.dashboard`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Whether the dashboard is generated.
    pub enabled: bool,
    /// Title (the Model adds the environment).
    pub title: String,
    /// Auto-refresh.
    pub refresh: Duration,
}

/// Records the pointers of what was filled in.
struct Filled(Vec<String>);

impl Filled {
    /// Fill `slot` with `default()` when it is empty, recording `pointer`.
    fn or<T>(&mut self, slot: Option<T>, pointer: &str, default: impl FnOnce() -> T) -> T {
        match slot {
            Some(v) => v,
            None => {
                self.0.push(pointer.to_string());
                default()
            }
        }
    }
}

fn name(s: &str) -> Name {
    Name::new_unchecked(s)
}
fn path(s: &str) -> HttpPath {
    HttpPath::new_unchecked(s)
}
fn duration(s: &str) -> Duration {
    Duration::new_unchecked(s)
}

/// Whether a server speaking these revisions keeps no protocol-level sessions: only when every
/// listed revision is [`defaults::STATELESS_REVISION`] or later. Without a list mcpgen assumes
/// the older, stateful behaviour, which is the one that needs care.
pub fn stateless_by_revision(versions: Option<&[ProtocolVersion]>) -> bool {
    versions.is_some_and(|v| {
        !v.is_empty() && v.iter().all(|p| p.as_str() >= defaults::STATELESS_REVISION)
    })
}

/// Resolve a validated spec: fill every default, record what was filled.
pub fn resolve(spec: &Spec) -> ResolvedSpec {
    let src = spec.file();
    let s = &src.spec;
    let mut f = Filled(Vec::new());

    // A namespace named after the server, or one whose quota the spec sets, is the server's
    // own; a namespace the spec names without a quota may have other tenants, and writing a
    // Namespace, quota or LimitRange into it would change it for all of them.
    let own_namespace = src.metadata.namespace.is_none() || s.quota.is_some();
    let metadata = Metadata {
        namespace: f.or(
            src.metadata.namespace.clone(),
            "/metadata/namespace",
            || src.metadata.name.clone(),
        ),
        namespace_ownership: f.or(
            src.metadata.namespace_ownership,
            "/metadata/namespaceOwnership",
            || {
                if own_namespace {
                    NamespaceOwnership::Owned
                } else {
                    NamespaceOwnership::Shared
                }
            },
        ),
        name: src.metadata.name.clone(),
        labels: src.metadata.labels.clone(),
        annotations: src.metadata.annotations.clone(),
        registry_name: src.metadata.registry_name.clone(),
        description: src.metadata.description.clone(),
    };

    let mcp = resolve_mcp(s, &mut f);
    let bridge = bridge_of(&mcp, s.build.as_ref().map(|b| b.runtime));
    let health = resolve_health(
        s.health.as_ref(),
        served_port(&mcp),
        bridge.and_then(|b| b.fixed_health),
        &mut f,
    );
    let replicas = f.or(s.replicas, "/spec/replicas", || defaults::REPLICAS);
    let resources = resolve_resources(s.resources.as_ref(), &mut f);
    let build = s.build.as_ref().map(|b| resolve_build(b, &mut f));
    let dependencies = s
        .dependencies
        .iter()
        .map(|(key, d)| {
            let at = format!(
                "/spec/dependencies/{}",
                crate::spec::document::escape_token(key)
            );
            (
                key.clone(),
                Dependency {
                    image: d.image.clone(),
                    port: d.port,
                    namespace: f.or(d.namespace.clone(), &format!("{at}/namespace"), || {
                        metadata.namespace.clone()
                    }),
                    service: f.or(d.service.clone(), &format!("{at}/service"), || name(key)),
                    pod_labels: d.pod_labels.clone(),
                    connection_env: resolve_connection_env(d, key, &at, &mut f),
                    env: d.env.clone(),
                    healthcheck: d.healthcheck.clone(),
                },
            )
        })
        .collect();
    let expose = s
        .expose
        .as_ref()
        .map(|e| resolve_expose(e, &mcp, &metadata, &mut f));
    // Read (not resolved) here: KEDA's default Prometheus lives in the monitoring namespace,
    // which resolve_monitoring fills in and records.
    let prometheus_namespace = s
        .monitoring
        .as_ref()
        .and_then(|m| m.prometheus_namespace.clone())
        .unwrap_or_else(|| name(defaults::PROMETHEUS_NAMESPACE));
    let autoscaling = s
        .autoscaling
        .as_ref()
        .map(|a| resolve_autoscaling(a, &prometheus_namespace, &mut f));
    let network = {
        let n = s.network.clone();
        if n.is_none() {
            f.0.push("/spec/network".into());
        }
        let n = n.unwrap_or_default();
        Network {
            cilium: f.or(n.cilium, "/spec/network/cilium", || false),
            allow_from: n.allow_from,
            allow_to: n.allow_to,
        }
    };
    let quota = s
        .quota
        .clone()
        .map(|q| resolve_quota(q, &resources, &mut f));
    let cx = Context {
        mcp: &mcp,
        server: &metadata.name,
        namespace: &metadata.namespace,
        hpa: autoscaling.as_ref(),
        expose: expose.as_ref(),
        env: spec.env(),
    };
    let monitoring = resolve_monitoring(s.monitoring.as_ref(), &cx, &mut f);
    let rollout = resolve_rollout(s, &cx, replicas, &monitoring, &mut f);

    let mut defaulted = f.0;
    defaulted.sort();
    defaulted.dedup();
    // A section filled in as a whole is listed once, not member by member: a pointer is
    // dropped when one of its ancestors (the text before any of its `/`) is listed too.
    let listed: std::collections::BTreeSet<&str> = defaulted.iter().map(String::as_str).collect();
    let kept: Vec<String> = defaulted
        .iter()
        .filter(|p| !p.match_indices('/').any(|(i, _)| listed.contains(&p[..i])))
        .cloned()
        .collect();

    ResolvedSpec {
        env: spec.env().map(str::to_string),
        file: ResolvedFile {
            api_version: src.api_version,
            kind: src.kind,
            metadata,
            spec: Service {
                image: s.image.clone(),
                args: s.args.clone(),
                build,
                mcp,
                health,
                replicas,
                resources,
                env: s.env.clone(),
                secrets: s.secrets.clone(),
                files: s.files.clone(),
                dependencies,
                expose,
                rollout,
                autoscaling,
                vertical_scaling: s.vertical_scaling.clone(),
                network,
                quota,
                monitoring,
            },
        },
        defaulted: kept,
        overridden: {
            let mut o = spec.overridden().to_vec();
            o.sort();
            o.dedup();
            o
        },
    }
}

fn resolve_rollout(
    s: &spec::ServiceSpec,
    cx: &Context<'_>,
    replicas: u32,
    monitoring: &Monitoring,
    f: &mut Filled,
) -> Rollout {
    let (name, env, hpa, expose) = (cx.server, cx.env, cx.hpa, cx.expose);
    const AT: &str = "/spec/rollout";
    if s.rollout.is_none() {
        f.0.push(AT.into());
    }
    let r = s.rollout.clone().unwrap_or(spec::Rollout {
        max_surge: None,
        strategy: None,
        traffic_router: None,
        steps: None,
        analysis: None,
        scale_down_delay: None,
        promotion: None,
        gitops: None,
    });
    let largest = hpa
        .filter(|h| h.enabled)
        .map_or(replicas, |h| h.max_replicas);
    let strategy = f.or(r.strategy, &format!("{AT}/strategy"), || {
        RolloutStrategy::Rolling
    });
    let canary = strategy == RolloutStrategy::Canary;
    let progressive = strategy != RolloutStrategy::Rolling;
    // Settings of another strategy stay as written (a policy points them out); those of this
    // strategy are filled in.
    let traffic_router = match r.traffic_router {
        Some(t) => Some(t),
        None if canary => {
            f.0.push(format!("{AT}/trafficRouter"));
            // The router of the route the server is exposed through: the Gateway API plugin
            // for an HTTPRoute, ingress-nginx's canary Ingress for ingress-nginx; any other
            // controller has no router mcpgen writes, so the canary's share of traffic is its
            // share of the pods.
            Some(match expose {
                Some(e) if e.gateway.is_some() => TrafficRouter::GatewayApi,
                Some(e) if e.ingress_controller == Some(IngressController::IngressNginx) => {
                    TrafficRouter::Nginx
                }
                _ => TrafficRouter::None,
            })
        }
        None => None,
    };
    let steps = match r.steps {
        Some(steps) => Some(steps),
        None if canary => {
            f.0.push(format!("{AT}/steps"));
            Some(
                defaults::CANARY_STEPS
                    .iter()
                    .map(|(weight, pause)| CanaryStep {
                        set_weight: *weight,
                        pause: Some(duration(pause)),
                    })
                    .collect(),
            )
        }
        None => None,
    };
    let analysis = match r.analysis {
        None if !progressive => None,
        given => {
            let at = format!("{AT}/analysis");
            if given.is_none() {
                f.0.push(at.clone());
            }
            let a = given.unwrap_or(spec::RolloutAnalysis {
                enabled: None,
                prometheus_address: None,
                interval: None,
                failure_limit: None,
            });
            Some(Analysis {
                enabled: f.or(a.enabled, &format!("{at}/enabled"), || true),
                prometheus_address: f.or(
                    a.prometheus_address,
                    &format!("{at}/prometheusAddress"),
                    || {
                        format!(
                            "http://{}.{}.svc:{}",
                            defaults::PROMETHEUS_SERVICE,
                            monitoring.prometheus_namespace,
                            defaults::PROMETHEUS_PORT
                        )
                    },
                ),
                interval: f.or(a.interval, &format!("{at}/interval"), || {
                    duration(defaults::ANALYSIS_INTERVAL)
                }),
                failure_limit: f.or(a.failure_limit, &format!("{at}/failureLimit"), || {
                    defaults::ANALYSIS_FAILURE_LIMIT
                }),
            })
        }
    };
    let scale_down_delay = match r.scale_down_delay {
        Some(d) => Some(d),
        None if strategy == RolloutStrategy::BlueGreen => {
            f.0.push(format!("{AT}/scaleDownDelay"));
            Some(duration(defaults::SCALE_DOWN_DELAY))
        }
        None => None,
    };
    Rollout {
        max_surge: f.or(r.max_surge, &format!("{AT}/maxSurge"), || {
            largest.div_ceil(defaults::SURGE_DIVISOR).max(1)
        }),
        strategy,
        traffic_router,
        steps,
        analysis,
        scale_down_delay,
        promotion: f.or(r.promotion, &format!("{AT}/promotion"), || {
            if env.is_some_and(|e| defaults::PRODUCTION_ENVIRONMENTS.contains(&e)) {
                Promotion::Manual
            } else {
                Promotion::Automatic
            }
        }),
        gitops: r.gitops.map(|g| GitOps {
            repository: g.repository,
            branch: f.or(g.branch, &format!("{AT}/gitops/branch"), || {
                defaults::GITOPS_BRANCH.to_string()
            }),
            path: f.or(g.path, &format!("{AT}/gitops/path"), || {
                format!("{name}/{}", env.unwrap_or("base"))
            }),
        }),
    }
}

/// A quota on requests or limits rejects every container that sets none; the LimitRange gives
/// such containers the server's own requests and limits unless the spec says otherwise.
fn resolve_quota(mut q: Quota, resources: &Resources, f: &mut Filled) -> Quota {
    let caps_compute = q.requests.is_some() || q.limits.is_some();
    if caps_compute && q.container_defaults.is_none() {
        f.0.push("/spec/quota/containerDefaults".into());
        let list = |l: &ResourceList| spec::ResourceList {
            cpu: Some(l.cpu.clone()),
            memory: Some(l.memory.clone()),
        };
        q.container_defaults = Some(spec::Resources {
            requests: Some(list(&resources.requests)),
            limits: Some(list(&resources.limits)),
        });
    }
    q
}

/// What mcpgen knows about a dependency image, from its repository's last path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFamily {
    /// `postgres`, `postgis`.
    Postgres,
    /// `redis`.
    Redis,
    /// `valkey`.
    Valkey,
    /// `mysql`.
    Mysql,
    /// `mariadb`.
    Mariadb,
    /// `mongo`.
    Mongo,
    /// Anything else.
    Other,
}

impl ImageFamily {
    /// The family of an image.
    pub fn of(image: &ImageRef) -> ImageFamily {
        let repo = image.repository();
        match repo.rsplit('/').next().unwrap_or(repo) {
            "postgres" | "postgis" => ImageFamily::Postgres,
            "redis" => ImageFamily::Redis,
            "valkey" => ImageFamily::Valkey,
            "mysql" => ImageFamily::Mysql,
            "mariadb" => ImageFamily::Mariadb,
            "mongo" => ImageFamily::Mongo,
            _ => ImageFamily::Other,
        }
    }

    /// The URL scheme clients of this family understand, when there is one.
    pub fn url_scheme(self) -> Option<&'static str> {
        match self {
            ImageFamily::Postgres => Some("postgresql"),
            ImageFamily::Redis | ImageFamily::Valkey => Some("redis"),
            ImageFamily::Mysql => Some("mysql"),
            ImageFamily::Mariadb => Some("mariadb"),
            ImageFamily::Mongo => Some("mongodb"),
            ImageFamily::Other => None,
        }
    }
}

/// The major version in an image tag (`15-alpine` → 15, `8.0.36` → 8); `None` for a tag that
/// does not start with a number (`latest`, `alpine`) or no tag.
pub fn image_major(image: &ImageRef) -> Option<u32> {
    let tag = image.tag()?;
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn resolve_connection_env(
    d: &spec::Dependency,
    key: &str,
    at: &str,
    f: &mut Filled,
) -> ConnectionEnv {
    let c = d.connection_env.clone().unwrap_or_default();
    if d.connection_env.is_none() {
        f.0.push(format!("{at}/connectionEnv"));
    }
    let stem: String = key
        .chars()
        .map(|ch| {
            if ch == '-' {
                '_'
            } else {
                ch.to_ascii_uppercase()
            }
        })
        .collect();
    let var = |suffix: &str| format!("{stem}{suffix}");
    let url = match c.url {
        Some(u) => Some(u),
        None if ImageFamily::of(&d.image).url_scheme().is_some() => {
            f.0.push(format!("{at}/connectionEnv/url"));
            Some(var(defaults::CONNECTION_URL_SUFFIX))
        }
        None => None,
    };
    ConnectionEnv {
        host: f.or(c.host, &format!("{at}/connectionEnv/host"), || {
            var(defaults::CONNECTION_HOST_SUFFIX)
        }),
        port: f.or(c.port, &format!("{at}/connectionEnv/port"), || {
            var(defaults::CONNECTION_PORT_SUFFIX)
        }),
        url,
    }
}

fn resolve_mcp(s: &spec::ServiceSpec, f: &mut Filled) -> Mcp {
    if s.mcp.is_none() {
        f.0.push("/spec/mcp".into());
    }
    let m = s.mcp.clone().unwrap_or(spec::Mcp {
        transport: None,
        protocol_versions: None,
        stateless: None,
        session_store: None,
        path: None,
        port: None,
        allowed_origins: None,
        allowed_hosts: None,
        trust_proxy_headers: None,
        auth: None,
        bridge: None,
        longest_tool_call: None,
    });
    let port = f.or(m.port, "/spec/mcp/port", || defaults::MCP_PORT);
    let transport = f.or(m.transport, "/spec/mcp/transport", || {
        Transport::StreamableHttp
    });
    // A stdio server is always bridged. The bridge's defaults are those of the runtime's
    // bridge; an image mcpgen does not build (or a go one) has none, and the build refuses it
    // (MCP301), so supergateway's stand in for the policies.
    let written_bridge = m.bridge.clone();
    let bridge_defaults =
        defaults::bridge_for(s.build.as_ref().map(|b| b.runtime)).unwrap_or(defaults::SUPERGATEWAY);
    if transport == Transport::Stdio && written_bridge.is_none() {
        f.0.push("/spec/mcp/bridge".into());
    }
    let bridge = (transport == Transport::Stdio || written_bridge.is_some()).then(|| {
        let b = written_bridge.unwrap_or(Bridge {
            port: None,
            mode: None,
            version: None,
        });
        ResolvedBridge {
            port: f.or(b.port, "/spec/mcp/bridge/port", || port),
            // A server declared stateless gets the bridge's stateless mode, so that
            // declaring it is enough to scale out.
            mode: f.or(b.mode, "/spec/mcp/bridge/mode", || {
                if m.stateless == Some(true) {
                    bridge_defaults.stateless_mode
                } else {
                    bridge_defaults.mode
                }
            }),
            version: f.or(b.version, "/spec/mcp/bridge/version", || {
                bridge_defaults.version.to_string()
            }),
        }
    });
    // Behind a bridge, what clients see is the bridge's: per-request processes keep no
    // session, per-session and shared ones do.
    let stateless = f.or(m.stateless, "/spec/mcp/stateless", || {
        match (&bridge, transport) {
            (Some(b), Transport::Stdio) => b.mode == BridgeMode::Request,
            _ => stateless_by_revision(m.protocol_versions.as_deref()),
        }
    });
    Mcp {
        transport,
        stateless,
        session_store: f.or(m.session_store, "/spec/mcp/sessionStore", || {
            SessionStore::None
        }),
        path: f.or(m.path, "/spec/mcp/path", || path(defaults::MCP_PATH)),
        port,
        // Behind a TLS-terminating ingress the client's scheme and address arrive in
        // X-Forwarded-* headers; without one there is no proxy whose headers to trust.
        trust_proxy_headers: f.or(m.trust_proxy_headers, "/spec/mcp/trustProxyHeaders", || {
            s.expose.as_ref().is_some_and(|e| e.tls.is_some())
        }),
        auth: resolve_auth(m.auth, f),
        longest_tool_call: m.longest_tool_call,
        bridge,
        protocol_versions: m.protocol_versions,
        allowed_origins: m.allowed_origins,
        allowed_hosts: m.allowed_hosts,
    }
}

fn resolve_probe(
    p: Option<&spec::Probe>,
    at: &str,
    fallback_path: &str,
    timing: defaults::ProbeTiming,
    f: &mut Filled,
) -> Probe {
    let (probe_path, detail) = match p {
        Some(spec::Probe::Path(p)) => (p.clone(), None),
        Some(spec::Probe::Detailed(d)) => (d.path.clone(), Some(d)),
        None => {
            f.0.push(at.to_string());
            (path(fallback_path), None)
        }
    };
    let mut field =
        |v: Option<u32>, name: &str, default: u32| f.or(v, &format!("{at}/{name}"), || default);
    Probe {
        path: probe_path,
        period_seconds: field(
            detail.and_then(|d| d.period_seconds),
            "periodSeconds",
            timing.period,
        ),
        failure_threshold: field(
            detail.and_then(|d| d.failure_threshold),
            "failureThreshold",
            timing.failures,
        ),
        timeout_seconds: field(
            detail.and_then(|d| d.timeout_seconds),
            "timeoutSeconds",
            defaults::PROBE_TIMEOUT,
        ),
        initial_delay_seconds: field(
            detail.and_then(|d| d.initial_delay_seconds),
            "initialDelaySeconds",
            defaults::PROBE_INITIAL_DELAY,
        ),
    }
}

/// `served_port` is where clients (and so the probes) reach the server: the bridge's port for
/// a stdio server. A bridge that answers health on one fixed path gets its probes there.
fn resolve_health(
    h: Option<&spec::Health>,
    served_port: u32,
    fixed_health: Option<&str>,
    f: &mut Filled,
) -> Health {
    if h.is_none() {
        f.0.push("/spec/health".into());
    }
    let liveness = resolve_probe(
        h.and_then(|h| h.liveness.as_ref()),
        "/spec/health/liveness",
        fixed_health.unwrap_or(defaults::LIVENESS_PATH),
        defaults::LIVENESS,
        f,
    );
    let readiness = resolve_probe(
        h.and_then(|h| h.readiness.as_ref()),
        "/spec/health/readiness",
        fixed_health.unwrap_or(defaults::READINESS_PATH),
        defaults::READINESS,
        f,
    );
    let startup_path = liveness.path.as_str().to_string();
    let startup = resolve_probe(
        h.and_then(|h| h.startup.as_ref()),
        "/spec/health/startup",
        &startup_path,
        defaults::STARTUP,
        f,
    );
    Health {
        liveness,
        readiness,
        startup,
        port: f.or(h.and_then(|h| h.port), "/spec/health/port", || served_port),
    }
}

fn resolve_resources(r: Option<&spec::Resources>, f: &mut Filled) -> Resources {
    if r.is_none() {
        f.0.push("/spec/resources".into());
    }
    let list =
        |l: Option<&spec::ResourceList>, at: &str, cpu: &str, memory: &str, f: &mut Filled| {
            if l.is_none() {
                f.0.push(at.to_string());
            }
            ResourceList {
                cpu: f.or(l.and_then(|l| l.cpu.clone()), &format!("{at}/cpu"), || {
                    Cpu::new_unchecked(cpu)
                }),
                memory: f.or(
                    l.and_then(|l| l.memory.clone()),
                    &format!("{at}/memory"),
                    || Memory::new_unchecked(memory),
                ),
            }
        };
    Resources {
        requests: list(
            r.and_then(|r| r.requests.as_ref()),
            "/spec/resources/requests",
            defaults::CPU_REQUEST,
            defaults::MEMORY_REQUEST,
            f,
        ),
        limits: list(
            r.and_then(|r| r.limits.as_ref()),
            "/spec/resources/limits",
            defaults::CPU_LIMIT,
            defaults::MEMORY_LIMIT,
            f,
        ),
    }
}

fn resolve_build(b: &spec::Build, f: &mut Filled) -> Build {
    let output = f.or(b.output.clone(), "/spec/build/output", || match b.runtime {
        Runtime::Node => defaults::NODE_OUTPUT.to_string(),
        Runtime::Python => defaults::PYTHON_OUTPUT.to_string(),
        // The binary the image runs is the one the build writes: `/app/billing-tools` builds
        // `billing-tools`. A command elsewhere keeps the default name, and the build's
        // consistency check then reports the mismatch at the command.
        Runtime::Go => go_binary(b.command.first().map(String::as_str))
            .unwrap_or_else(|| defaults::GO_OUTPUT.to_string()),
    });
    let build_command = match (b.build_command.clone(), b.runtime) {
        (Some(c), _) => Some(c),
        (None, Runtime::Go) => {
            f.0.push("/spec/build/buildCommand".into());
            let out = output
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_string();
            Some(
                [
                    "go",
                    "build",
                    "-trimpath",
                    "-ldflags=-s -w",
                    "-o",
                    if out.is_empty() { "." } else { &out },
                    ".",
                ]
                .map(str::to_string)
                .to_vec(),
            )
        }
        (None, _) => None,
    };
    Build {
        runtime: b.runtime,
        version: b.version.clone(),
        command: b.command.clone(),
        build_command,
        output,
        package: b.package.clone(),
    }
}

/// The build output a go command runs: `/app/<path>` or `./<path>` gives `<path>`.
fn go_binary(command: Option<&str>) -> Option<String> {
    let c = command?;
    let rel = c
        .strip_prefix(defaults::APP_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .or_else(|| c.strip_prefix("./"))?;
    let ok = !rel.is_empty()
        && !rel.ends_with('/')
        && rel
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    ok.then(|| rel.to_string())
}

fn resolve_auth(a: Option<spec::Auth>, f: &mut Filled) -> Auth {
    const AT: &str = "/spec/mcp/auth";
    let a = a.unwrap_or_else(|| {
        f.0.push(AT.into());
        spec::Auth {
            kind: AuthType::None,
            secret: None,
            expiration: None,
            issuer: None,
            audience: None,
            resource_metadata: None,
            jwks_uri: None,
            issuer_cidrs: Vec::new(),
        }
    });
    Auth {
        resource_metadata: f.or(
            a.resource_metadata,
            &format!("{AT}/resourceMetadata"),
            || a.kind != AuthType::None,
        ),
        kind: a.kind,
        secret: a.secret,
        expiration: a.expiration,
        issuer: a.issuer,
        audience: a.audience,
        jwks_uri: a.jwks_uri,
        issuer_cidrs: a.issuer_cidrs,
    }
}

fn resolve_expose(e: &spec::Expose, mcp: &Mcp, meta: &Metadata, f: &mut Filled) -> Expose {
    const AT: &str = "/spec/expose";
    let gateway = e.gateway.as_ref().map(|g| Gateway {
        name: g.name.clone(),
        namespace: f.or(
            g.namespace.clone(),
            &format!("{AT}/gateway/namespace"),
            || meta.namespace.clone(),
        ),
        section_name: g.section_name.clone(),
        route_namespace: f.or(
            g.route_namespace.clone(),
            &format!("{AT}/gateway/routeNamespace"),
            || meta.namespace.clone(),
        ),
        provider: f.or(g.provider, &format!("{AT}/gateway/provider"), || {
            defaults::GATEWAY_PROVIDER
        }),
        session_persistence: f.or(
            g.session_persistence,
            &format!("{AT}/gateway/sessionPersistence"),
            || defaults::SESSION_PERSISTENCE,
        ),
        edge_auth: f.or(g.edge_auth, &format!("{AT}/gateway/edgeAuth"), || false),
    });
    // An Ingress is written only without a gateway (the semantic checks reject both).
    let ingress_class = match (&gateway, &e.ingress_class) {
        (_, Some(c)) => Some(c.clone()),
        (Some(_), None) => None,
        (None, None) => {
            f.0.push(format!("{AT}/ingressClass"));
            Some(name(defaults::INGRESS_CLASS))
        }
    };
    let ingress_controller = match (e.ingress_controller, &ingress_class) {
        (Some(c), _) => Some(c),
        (None, Some(class)) => {
            let known = defaults::INGRESS_CLASSES
                .iter()
                .find(|(n, _)| *n == class.as_str())
                .map(|(_, c)| *c);
            if known.is_some() && gateway.is_none() {
                f.0.push(format!("{AT}/ingressController"));
            }
            known.filter(|_| gateway.is_none())
        }
        (None, None) => None,
    };
    // Where the traffic comes from: the controller's pods, or the gateway's proxies.
    let pods: Option<(String, Vec<(String, String)>)> = match (&gateway, ingress_controller) {
        (Some(g), _) => Some(match g.provider {
            GatewayProvider::EnvoyGateway => {
                let d = defaults::ENVOY_GATEWAY_PODS;
                let mut labels: Vec<(String, String)> = d
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                labels.push((
                    defaults::ENVOY_OWNING_GATEWAY_NAME.to_string(),
                    g.name.to_string(),
                ));
                labels.push((
                    defaults::ENVOY_OWNING_GATEWAY_NAMESPACE.to_string(),
                    g.namespace.to_string(),
                ));
                (d.namespace.to_string(), labels)
            }
            // Without a provider mcpgen does not know how the implementation labels its
            // proxies: the Gateway's namespace as a whole.
            GatewayProvider::None => (g.namespace.to_string(), Vec::new()),
        }),
        (None, Some(c)) => {
            let d = defaults::ingress_controller_pods(c);
            Some((
                d.namespace.to_string(),
                d.labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ))
        }
        (None, None) => None,
    };
    let ingress_namespace = match (&e.ingress_namespace, &pods) {
        (Some(n), _) => Some(n.clone()),
        (None, Some((ns, _))) => {
            f.0.push(format!("{AT}/ingressNamespace"));
            Some(name(ns))
        }
        (None, None) => None,
    };
    let ingress_pod_labels = f.or(
        e.ingress_pod_labels.clone(),
        &format!("{AT}/ingressPodLabels"),
        || match (&e.ingress_namespace, &pods) {
            // Chart labels only for the chart's own namespace: a controller installed
            // elsewhere was installed differently.
            (None, Some((_, labels))) => labels.iter().cloned().collect(),
            _ => BTreeMap::new(),
        },
    );
    Expose {
        host: e.host.clone(),
        path: f.or(e.path.clone(), &format!("{AT}/path"), || mcp.path.clone()),
        gateway,
        ingress_class,
        ingress_controller,
        ingress_namespace,
        ingress_pod_labels,
        annotations: e.annotations.clone(),
        tls: e.tls.as_ref().map(|t| Tls {
            cluster_issuer: t.cluster_issuer.clone(),
            secret_name: f.or(
                t.secret_name.clone(),
                &format!("{AT}/tls/secretName"),
                || {
                    // A DNS label of at most 63 characters: keep room for the suffix.
                    let room = 63 - defaults::TLS_SECRET_SUFFIX.len();
                    let base: String = meta.name.as_str().chars().take(room).collect();
                    Name::new_unchecked(format!(
                        "{}{}",
                        base.trim_end_matches('-'),
                        defaults::TLS_SECRET_SUFFIX
                    ))
                },
            ),
        }),
        rate_limit: e.rate_limit.as_ref().map(|r| RateLimit {
            requests: r.requests,
            window: f.or(r.window.clone(), &format!("{AT}/rateLimit/window"), || {
                duration(defaults::RATE_LIMIT_WINDOW)
            }),
        }),
        timeout: f.or(e.timeout.clone(), &format!("{AT}/timeout"), || {
            duration(defaults::EXPOSE_TIMEOUT)
        }),
        well_known_routes: f.or(
            e.well_known_routes,
            &format!("{AT}/wellKnownRoutes"),
            || mcp.auth.kind != AuthType::None && mcp.auth.resource_metadata,
        ),
    }
}

fn resolve_autoscaling(a: &spec::Autoscaling, prometheus_ns: &Name, f: &mut Filled) -> Autoscaling {
    let no_target =
        a.target_cpu.is_none() && a.target_memory.is_none() && a.requests_per_second.is_none();
    let behavior = |b: Option<&spec::ScalingBehavior>,
                    at: &str,
                    window: &str,
                    policies: (Option<u32>, Option<u32>),
                    f: &mut Filled| {
        if b.is_none() {
            f.0.push(at.to_string());
        }
        let (percent, pods) = match b {
            Some(b) if b.percent.is_some() || b.pods.is_some() => (b.percent, b.pods),
            _ => {
                f.0.push(format!("{at}/percent"));
                if policies.1.is_some() {
                    f.0.push(format!("{at}/pods"));
                }
                policies
            }
        };
        ScalingBehavior {
            stabilization_window: f.or(
                b.and_then(|b| b.stabilization_window.clone()),
                &format!("{at}/stabilizationWindow"),
                || duration(window),
            ),
            percent,
            pods,
            period: f.or(
                b.and_then(|b| b.period.clone()),
                &format!("{at}/period"),
                || duration(defaults::SCALING_PERIOD),
            ),
        }
    };
    let controller = f.or(a.controller, "/spec/autoscaling/controller", || {
        defaults::AUTOSCALING_CONTROLLER
    });
    Autoscaling {
        enabled: f.or(a.enabled, "/spec/autoscaling/enabled", || true),
        min_replicas: f.or(a.min_replicas, "/spec/autoscaling/minReplicas", || {
            defaults::REPLICAS.min(a.max_replicas)
        }),
        max_replicas: a.max_replicas,
        target_cpu: if no_target {
            f.0.push("/spec/autoscaling/targetCPU".into());
            Some(defaults::HPA_TARGET_CPU)
        } else {
            a.target_cpu
        },
        target_memory: a.target_memory,
        requests_per_second: a.requests_per_second,
        controller,
        prometheus_address: if controller == AutoscalingController::Keda
            && a.requests_per_second.is_some()
        {
            Some(f.or(
                a.prometheus_address.clone(),
                "/spec/autoscaling/prometheusAddress",
                || {
                    format!(
                        "http://{}.{prometheus_ns}.svc:{}",
                        defaults::PROMETHEUS_SERVICE,
                        defaults::PROMETHEUS_PORT
                    )
                },
            ))
        } else {
            a.prometheus_address.clone()
        },
        scale_up: behavior(
            a.scale_up.as_ref(),
            "/spec/autoscaling/scaleUp",
            defaults::SCALE_UP_WINDOW,
            (
                Some(defaults::SCALE_UP_PERCENT),
                Some(defaults::SCALE_UP_PODS),
            ),
            f,
        ),
        scale_down: behavior(
            a.scale_down.as_ref(),
            "/spec/autoscaling/scaleDown",
            defaults::SCALE_DOWN_WINDOW,
            (Some(defaults::SCALE_DOWN_PERCENT), None),
            f,
        ),
    }
}

/// What the monitoring defaults depend on outside `spec.monitoring`.
struct Context<'a> {
    mcp: &'a Mcp,
    server: &'a Name,
    namespace: &'a Name,
    hpa: Option<&'a Autoscaling>,
    expose: Option<&'a Expose>,
    env: Option<&'a str>,
}

fn resolve_monitoring(
    m: Option<&spec::Monitoring>,
    cx: &Context<'_>,
    f: &mut Filled,
) -> Monitoring {
    let (mcp, server, hpa) = (cx.mcp, cx.server, cx.hpa);
    const AT: &str = "/spec/monitoring";
    if m.is_none() {
        f.0.push(AT.into());
    }
    let m = m.cloned().unwrap_or_default();
    let metrics = m.metrics.clone().unwrap_or_default();
    if m.metrics.is_none() {
        f.0.push(format!("{AT}/metrics"));
    }
    let names = metrics.names.clone().unwrap_or_default();
    if metrics.names.is_none() {
        f.0.push(format!("{AT}/metrics/names"));
    }
    let convention = f.or(
        metrics.convention,
        &format!("{AT}/metrics/convention"),
        || defaults::METRICS_CONVENTION,
    );
    // A series the convention has is filled in; one it does not have stays absent (and
    // `custom` has only what the spec names).
    let name_of =
        |v: Option<String>, key: &str, default: Option<&str>, f: &mut Filled| match (v, default) {
            (Some(v), _) => Some(v),
            (None, Some(d)) => {
                f.0.push(format!("{AT}/metrics/names/{key}"));
                Some(d.to_string())
            }
            (None, None) => None,
        };
    use MetricsConvention as C;
    let (requests, histogram, active, tools, sessions, http) = match convention {
        C::Mcpgen => (
            Some(defaults::METRIC_REQUESTS),
            Some(defaults::METRIC_DURATION),
            Some(defaults::METRIC_ACTIVE_CONNECTIONS),
            Some(defaults::METRIC_TOOL_EXECUTIONS),
            None,
            None,
        ),
        C::OtelSemconv => (
            Some(defaults::OTEL_OPERATION_DURATION),
            Some(defaults::OTEL_OPERATION_DURATION),
            None,
            Some(defaults::OTEL_OPERATION_DURATION),
            Some(defaults::OTEL_SESSION_DURATION),
            Some(defaults::OTEL_HTTP_DURATION),
        ),
        C::Custom => (None, None, None, None, None, None),
    };
    let label_defaults = match convention {
        C::OtelSemconv => defaults::OTEL_LABELS,
        C::Mcpgen | C::Custom => defaults::MCPGEN_LABELS,
    };
    let given = metrics.labels.clone().unwrap_or_default();
    if metrics.labels.is_none() {
        f.0.push(format!("{AT}/metrics/labels"));
    }
    let label = |v: Option<String>, key: &str, d: &str, f: &mut Filled| {
        f.or(v, &format!("{AT}/metrics/labels/{key}"), || d.to_string())
    };
    let labels = MetricLabels {
        status: label(given.status, "status", label_defaults.status, f),
        error: label(given.error, "error", label_defaults.error, f),
        success: label(given.success, "success", label_defaults.success, f),
        session_not_found: label(
            given.session_not_found,
            "sessionNotFound",
            label_defaults.session_not_found,
            f,
        ),
        tool: label(given.tool, "tool", label_defaults.tool, f),
        tool_status: label(
            given.tool_status,
            "toolStatus",
            label_defaults.tool_status,
            f,
        ),
        tool_error: label(given.tool_error, "toolError", label_defaults.tool_error, f),
        operation: match (given.operation, label_defaults.operation) {
            (Some(o), _) => Some(o),
            (None, Some(d)) => {
                f.0.push(format!("{AT}/metrics/labels/operation"));
                Some(d.to_string())
            }
            (None, None) => None,
        },
    };
    let metrics = Metrics {
        path: f.or(metrics.path, &format!("{AT}/metrics/path"), || {
            path(defaults::METRICS_PATH)
        }),
        // A stdio server is scraped through its bridge, which owns the served port.
        port: f.or(metrics.port, &format!("{AT}/metrics/port"), || {
            served_port(mcp)
        }),
        interval: f.or(metrics.interval, &format!("{AT}/metrics/interval"), || {
            duration(defaults::SCRAPE_INTERVAL)
        }),
        convention,
        names: MetricNames {
            requests: name_of(names.requests, "requests", requests, f),
            duration: name_of(names.duration, "duration", histogram, f),
            active_connections: name_of(names.active_connections, "activeConnections", active, f),
            tool_executions: name_of(names.tool_executions, "toolExecutions", tools, f),
            sessions: name_of(names.sessions, "sessions", sessions, f),
            http_requests: name_of(names.http_requests, "httpRequests", http, f),
        },
        labels,
    };

    let a = m.alerts.clone().unwrap_or_default();
    if m.alerts.is_none() {
        f.0.push(format!("{AT}/alerts"));
    }
    // Revisions before 2026-07-28 keep sessions, and legacy SSE binds a session to the pod
    // holding its stream whatever the server says; a stateless server never answers "session
    // not found", so that alert would only ever be noise there.
    let stateful = !mcp.stateless;
    // With min == max the HPA always sits at its maximum: alerting on that says nothing.
    let hpa_can_grow = hpa.is_some_and(|h| h.enabled && h.min_replicas < h.max_replicas);
    let hpa_on = hpa.is_some_and(|h| h.enabled);
    let probe = m.probe.as_ref().map(|p| {
        const P: &str = "/spec/monitoring/probe";
        McpProbe {
            enabled: f.or(p.enabled, &format!("{P}/enabled"), || true),
            url: f.or(p.url.clone(), &format!("{P}/url"), || match cx.expose {
                Some(e) => format!(
                    "{}://{}{}",
                    if e.tls.is_some() { "https" } else { "http" },
                    e.host,
                    e.path
                ),
                None => format!(
                    "http://{server}.{}.svc:{}{}",
                    cx.namespace,
                    served_port(mcp),
                    mcp.path
                ),
            }),
            prober: f.or(p.prober.clone(), &format!("{P}/prober"), || {
                let ns = m
                    .prometheus_namespace
                    .clone()
                    .unwrap_or_else(|| name(defaults::PROMETHEUS_NAMESPACE));
                format!(
                    "{}.{ns}.svc:{}",
                    defaults::BLACKBOX_SERVICE,
                    defaults::BLACKBOX_PORT
                )
            }),
            interval: f.or(p.interval.clone(), &format!("{P}/interval"), || {
                duration(defaults::PROBE_INTERVAL)
            }),
            credentials_file: match (p.credentials_file.clone(), mcp.auth.kind) {
                (Some(c), _) => Some(c),
                (None, AuthType::None) => None,
                (None, _) => {
                    f.0.push(format!("{P}/credentialsFile"));
                    Some(format!(
                        "{}/{}-{server}",
                        defaults::PROBE_TOKEN_DIR,
                        cx.namespace
                    ))
                }
            },
        }
    });
    let probing = probe.as_ref().is_some_and(|p| p.enabled);
    let alerts = Alerts {
        error_rate: percent_alert(
            a.error_rate,
            "errorRate",
            defaults::ALERT_ERROR_RATE,
            true,
            f,
        ),
        latency_p95: latency_alert(a.latency_p95, f),
        down: state_alert(a.down, "down", defaults::ALERT_DOWN, true, f),
        memory: percent_alert(a.memory, "memory", defaults::ALERT_MEMORY, true, f),
        cpu: percent_alert(a.cpu, "cpu", defaults::ALERT_CPU, true, f),
        tool_errors: percent_alert(
            a.tool_errors,
            "toolErrors",
            defaults::ALERT_TOOL_ERRORS,
            true,
            f,
        ),
        session_not_found: percent_alert(
            a.session_not_found,
            "sessionNotFound",
            defaults::ALERT_SESSION_NOT_FOUND,
            stateful,
            f,
        ),
        hpa_maxed_out: state_alert(
            a.hpa_maxed_out,
            "hpaMaxedOut",
            defaults::ALERT_HPA_MAXED_OUT,
            hpa_can_grow,
            f,
        ),
        target_down: state_alert(
            a.target_down,
            "targetDown",
            defaults::ALERT_TARGET_DOWN,
            true,
            f,
        ),
        hpa_scaling_inactive: state_alert(
            a.hpa_scaling_inactive,
            "hpaScalingInactive",
            defaults::ALERT_HPA_SCALING_INACTIVE,
            hpa_on,
            f,
        ),
        probe: state_alert(a.probe, "probe", defaults::ALERT_PROBE, probing, f),
    };

    let d = m.dashboard.clone().unwrap_or_default();
    if m.dashboard.is_none() {
        f.0.push(format!("{AT}/dashboard"));
    }
    let dashboard = Dashboard {
        enabled: f.or(d.enabled, &format!("{AT}/dashboard/enabled"), || true),
        title: f.or(d.title, &format!("{AT}/dashboard/title"), || {
            format!("{} {server}", defaults::DASHBOARD_TITLE_PREFIX)
        }),
        refresh: f.or(d.refresh, &format!("{AT}/dashboard/refresh"), || {
            duration(defaults::DASHBOARD_REFRESH)
        }),
    };

    Monitoring {
        // Neither published bridge serves Prometheus metrics: a scrape of a bridged stdio
        // server finds nothing, and the `down` alert would fire for ever.
        enabled: f.or(m.enabled, &format!("{AT}/enabled"), || {
            mcp.transport != Transport::Stdio
        }),
        metrics,
        rule_labels: m.rule_labels,
        prometheus_namespace: f.or(
            m.prometheus_namespace,
            &format!("{AT}/prometheusNamespace"),
            || name(defaults::PROMETHEUS_NAMESPACE),
        ),
        runbook_base_url: m.runbook_base_url.clone(),
        alerts,
        dashboard,
        environment: f.or(m.environment.clone(), &format!("{AT}/environment"), || {
            cx.env.unwrap_or(defaults::BASE_ENVIRONMENT).to_string()
        }),
        max_severity: f.or(m.max_severity, &format!("{AT}/maxSeverity"), || {
            match cx.env {
                Some(env) if !defaults::PRODUCTION_ENVIRONMENTS.contains(&env) => {
                    defaults::NON_PRODUCTION_MAX_SEVERITY
                }
                _ => Severity::Critical,
            }
        }),
        tracing: m.tracing.as_ref().map(|t| resolve_tracing(t, f)),
        logging: m.logging.as_ref().map(|l| Logging {
            format: f.or(l.format, &format!("{AT}/logging/format"), || {
                defaults::LOG_FORMAT
            }),
            level: f.or(l.level, &format!("{AT}/logging/level"), || {
                defaults::LOG_LEVEL
            }),
            store: l.store.clone(),
        }),
        probe,
    }
}

fn resolve_tracing(t: &spec::Tracing, f: &mut Filled) -> Tracing {
    const AT: &str = "/spec/monitoring/tracing";
    Tracing {
        endpoint: t.endpoint.clone(),
        protocol: f.or(t.protocol, &format!("{AT}/protocol"), || {
            defaults::OTLP_PROTOCOL
        }),
        sampler: f.or(t.sampler, &format!("{AT}/sampler"), || {
            defaults::TRACES_SAMPLER
        }),
        sample_ratio: f.or(t.sample_ratio, &format!("{AT}/sampleRatio"), || {
            defaults::TRACES_SAMPLE_RATIO
        }),
        namespace: match (&t.namespace, service_namespace(&t.endpoint)) {
            (Some(n), _) => Some(n.clone()),
            (None, Some(n)) => {
                f.0.push(format!("{AT}/namespace"));
                Some(n)
            }
            (None, None) => None,
        },
        compose_collector: f.or(
            t.compose_collector,
            &format!("{AT}/composeCollector"),
            || defaults::COMPOSE_COLLECTOR,
        ),
        auto_instrumentation: t.auto_instrumentation,
    }
}

/// The host and port of an `http(s)://host[:port][/path]` URL; the port defaults to the
/// scheme's (80, 443).
pub fn url_host_port(url: &str) -> Option<(String, u32)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, if scheme == "https" { 443 } else { 80 }),
    };
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

/// The namespace of an in-cluster Service host (`<service>.<namespace>.svc[.<domain>]`).
fn service_namespace(url: &str) -> Option<Name> {
    let (host, _) = url_host_port(url)?;
    let parts: Vec<&str> = host.split('.').collect();
    let ns = *parts.get(1)?;
    let dns_label = !ns.is_empty()
        && ns.len() <= 63
        && ns
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !ns.starts_with('-')
        && !ns.ends_with('-');
    (parts.get(2) == Some(&"svc") && dns_label).then(|| name(ns))
}

/// The port MCP clients reach: the bridge's for a `stdio` server with a bridge, else
/// `mcp.port`.
pub fn served_port(mcp: &Mcp) -> u32 {
    match (&mcp.bridge, mcp.transport) {
        (Some(b), Transport::Stdio) => b.port,
        _ => mcp.port,
    }
}

/// The published bridge that serves a stdio server built for `runtime`, when one can.
pub fn bridge_of(mcp: &Mcp, runtime: Option<Runtime>) -> Option<defaults::BridgeDefault> {
    (mcp.transport == Transport::Stdio)
        .then(|| defaults::bridge_for(runtime))
        .flatten()
}

fn severity(critical: bool) -> Severity {
    if critical {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

fn percent_alert(
    given: Option<spec::PercentAlert>,
    key: &str,
    d: defaults::AlertDefault,
    applies: bool,
    f: &mut Filled,
) -> ThresholdAlert<Percent> {
    let at = format!("/spec/monitoring/alerts/{key}");
    if given.is_none() {
        f.0.push(at.clone());
    }
    let g = given.unwrap_or(spec::PercentAlert {
        enabled: None,
        above: None,
        for_: None,
        severity: None,
    });
    ThresholdAlert {
        enabled: applies && f.or(g.enabled, &format!("{at}/enabled"), || true),
        above: f.or(g.above, &format!("{at}/above"), || {
            Percent::new_unchecked(d.above)
        }),
        for_: f.or(g.for_, &format!("{at}/for"), || duration(d.for_)),
        severity: f.or(g.severity, &format!("{at}/severity"), || {
            severity(d.critical)
        }),
    }
}

fn latency_alert(given: Option<spec::LatencyAlert>, f: &mut Filled) -> ThresholdAlert<Duration> {
    let at = "/spec/monitoring/alerts/latencyP95";
    let d = defaults::ALERT_LATENCY_P95;
    if given.is_none() {
        f.0.push(at.into());
    }
    let g = given.unwrap_or(spec::LatencyAlert {
        enabled: None,
        above: None,
        for_: None,
        severity: None,
    });
    ThresholdAlert {
        enabled: f.or(g.enabled, &format!("{at}/enabled"), || true),
        above: f.or(g.above, &format!("{at}/above"), || duration(d.above)),
        for_: f.or(g.for_, &format!("{at}/for"), || duration(d.for_)),
        severity: f.or(g.severity, &format!("{at}/severity"), || {
            severity(d.critical)
        }),
    }
}

fn state_alert(
    given: Option<spec::StateAlert>,
    key: &str,
    d: defaults::AlertDefault,
    applies: bool,
    f: &mut Filled,
) -> StateAlert {
    let at = format!("/spec/monitoring/alerts/{key}");
    if given.is_none() {
        f.0.push(at.clone());
    }
    let g = given.unwrap_or(spec::StateAlert {
        enabled: None,
        for_: None,
        severity: None,
    });
    StateAlert {
        enabled: applies && f.or(g.enabled, &format!("{at}/enabled"), || true),
        for_: f.or(g.for_, &format!("{at}/for"), || duration(d.for_)),
        severity: f.or(g.severity, &format!("{at}/severity"), || {
            severity(d.critical)
        }),
    }
}

/// The constants policies may need, injected as `data.mcpgen.constants`: the Rego pack keeps
/// no literal of its own for them.
pub fn policy_constants() -> serde_json::Value {
    let bridge = |b: defaults::BridgeDefault| {
        serde_json::json!({
            "package": b.package,
            "modes": b.modes,
            "fixedHealth": b.fixed_health,
            "revisions": b.revisions,
        })
    };
    serde_json::json!({
        "mcpgen": {
            "constants": {
                "productionEnvironments": defaults::PRODUCTION_ENVIRONMENTS,
                "statelessRevision": defaults::STATELESS_REVISION,
                "defaultMcpPort": defaults::MCP_PORT,
                "defaultReplicas": defaults::REPLICAS,
                // The stdio bridge of each runtime mcpgen builds.
                "bridges": {
                    "node": bridge(defaults::SUPERGATEWAY),
                    "python": bridge(defaults::MCP_PROXY),
                },
                "otelSeries": {
                    "requests": defaults::OTEL_OPERATION_DURATION,
                    "duration": defaults::OTEL_OPERATION_DURATION,
                    "toolExecutions": defaults::OTEL_OPERATION_DURATION,
                    "sessions": defaults::OTEL_SESSION_DURATION,
                    "httpRequests": defaults::OTEL_HTTP_DURATION,
                },
                "otelLabels": {
                    "status": defaults::OTEL_LABELS.status,
                    "error": defaults::OTEL_LABELS.error,
                    "success": defaults::OTEL_LABELS.success,
                    "sessionNotFound": defaults::OTEL_LABELS.session_not_found,
                    "tool": defaults::OTEL_LABELS.tool,
                    "toolStatus": defaults::OTEL_LABELS.tool_status,
                    "toolError": defaults::OTEL_LABELS.tool_error,
                    "operation": defaults::OTEL_LABELS.operation,
                },
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitoring(spec: &str, env: Option<&str>) -> Monitoring {
        let mut text = format!(
            "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {{name: demo}}\nspec:\n  image: ghcr.io/acme/demo:1.0.0\n{spec}"
        );
        if let Some(e) = env {
            text.push_str(&format!("  environments: {{{e}: {{}}}}\n"));
        }
        let r = crate::pipeline::testing::report(&text);
        let v = r.files[0]
            .variants
            .iter()
            .find(|v| v.spec.env() == env)
            .expect("variant");
        v.resolved.spec().monitoring.clone()
    }

    #[test]
    fn urls_give_host_and_port() {
        assert_eq!(
            url_host_port("http://otel.obs.svc:4317"),
            Some(("otel.obs.svc".into(), 4317))
        );
        assert_eq!(
            url_host_port("https://OTLP.example.com/v1/traces"),
            Some(("otlp.example.com".into(), 443))
        );
        assert_eq!(
            url_host_port("http://collector"),
            Some(("collector".into(), 80))
        );
        assert_eq!(url_host_port("collector:4317"), None);
    }

    #[test]
    fn the_collector_namespace_comes_from_an_in_cluster_host() {
        let ns = |url: &str| service_namespace(url).map(|n| n.to_string());
        assert_eq!(
            ns("http://otel.observability.svc:4317").as_deref(),
            Some("observability")
        );
        assert_eq!(
            ns("http://otel.observability.svc.cluster.local:4318").as_deref(),
            Some("observability")
        );
        assert_eq!(ns("https://otlp.example.com:4317"), None);
        assert_eq!(ns("http://otel:4317"), None);
    }

    #[test]
    fn severity_ceiling_and_environment_per_variant() {
        let base = monitoring("", None);
        assert_eq!(
            (base.environment.as_str(), base.max_severity),
            ("base", Severity::Critical)
        );
        let prod = monitoring("", Some("prod"));
        assert_eq!(
            (prod.environment.as_str(), prod.max_severity),
            ("prod", Severity::Critical)
        );
        let dev = monitoring("", Some("dev"));
        assert_eq!(
            (dev.environment.as_str(), dev.max_severity),
            ("dev", Severity::Warning)
        );
        let pinned = monitoring(
            "  monitoring: {maxSeverity: critical, environment: live}\n",
            Some("dev"),
        );
        assert_eq!(
            (pinned.environment.as_str(), pinned.max_severity),
            ("live", Severity::Critical)
        );
    }

    #[test]
    fn conventions_fill_names_and_labels() {
        let otel = monitoring(
            "  monitoring: {metrics: {convention: otel-semconv}}\n",
            None,
        );
        let n = &otel.metrics.names;
        assert_eq!(
            n.requests.as_deref(),
            Some(defaults::OTEL_OPERATION_DURATION)
        );
        assert_eq!(n.active_connections, None);
        assert_eq!(
            otel.metrics.labels.operation.as_deref(),
            Some("mcp_method_name")
        );
        let custom = monitoring(
            "  monitoring: {metrics: {convention: custom, names: {requests: r_total}}}\n",
            None,
        );
        assert_eq!(custom.metrics.names.requests.as_deref(), Some("r_total"));
        assert_eq!(
            custom.metrics.names.duration, None,
            "custom has only what it names"
        );
        assert_eq!(custom.metrics.labels.status, "status");
    }
}
