//! The typed spec language: every field a spec file may hold, with its documentation.
//!
//! These types are the single source of truth for the language. The published JSON Schema is
//! generated from them (`schemars`), so the `///` docs here are the descriptions editors show.
//! They deserialize from the untyped [`crate::spec::Document`] value only after that value passed
//! the schema, which is why serde errors here carry no location: the schema already reported them.
//! Defaults are *not* applied here; absent fields stay `None` and `crate::model` decides.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::scalars::{
    Cpu, Duration, EnvValue, HostName, HttpPath, ImageRef, Memory, Name, Percent, ProtocolVersion,
};

/// An MCP server spec: one file describes one server and all its environments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "mcpgen MCPServer spec")]
pub struct SpecFile {
    /// Version of the spec language. Only `mcpgen.dev/v1` exists.
    pub api_version: ApiVersion,
    /// Kind of object described. Only `MCPServer` exists.
    pub kind: Kind,
    /// Name, namespace, labels and annotations of the server.
    pub metadata: Metadata,
    /// What to run and how to build, expose, scale, protect and monitor it.
    pub spec: ServiceSpec,
}

/// The spec language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    /// The first and current version.
    #[serde(rename = "mcpgen.dev/v1")]
    V1,
}

/// The kind of object a spec describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Kind {
    /// A Model Context Protocol server.
    #[serde(rename = "MCPServer")]
    McpServer,
}

/// Identity of the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// Server name (DNS-1123 label, at most 63 characters). Names every generated object.
    pub name: Name,
    /// Kubernetes namespace to deploy into (DNS-1123 label). Defaults to the server name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Name>,
    /// Whether this server owns its namespace. `owned`: mcpgen writes the Namespace (restricted
    /// Pod Security Standard) and the namespace-wide ResourceQuota and LimitRange, and
    /// `kubectl delete -k` deletes the namespace with everything in it. `shared`: the namespace
    /// exists and has other tenants; mcpgen writes only the server's own objects. Default:
    /// `owned` when `namespace` is left out (it is then named after the server) or the spec
    /// has a `quota`, `shared` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_ownership: Option<NamespaceOwnership>,
    /// Labels added to every generated object, next to the standard `app.kubernetes.io/*` ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations added to every generated object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Name of the server in the MCP Registry, in reverse-DNS form with one `/`
    /// (`io.github.acme/weather`). `mcpgen export server-json` writes it as the entry's `name`,
    /// and the Dockerfile labels the image with it (`io.modelcontextprotocol.server.name`), the
    /// label the registry reads to verify that the publisher owns the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$"),
        length(min = 3, max = 200)
    )]
    pub registry_name: Option<String>,
    /// One-line description of what the server does (at most 100 characters, the MCP
    /// Registry's limit). Written as `description` by `mcpgen export server-json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100))]
    pub description: Option<String>,
}

/// Who owns the Kubernetes namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NamespaceOwnership {
    /// The server's own namespace: mcpgen writes the Namespace, ResourceQuota and LimitRange.
    Owned,
    /// A namespace with other tenants: mcpgen writes no namespace-wide object.
    Shared,
}

/// Everything about running the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceSpec {
    /// Image to deploy: repository plus a tag (`:1.2.3`) or a digest (`@sha256:…`), or both.
    pub image: ImageRef,
    /// Arguments passed to the image's entrypoint, replacing the image's default command
    /// (`CMD`): the Kubernetes container's `args` and the compose service's `command`. For an
    /// image mcpgen builds, give the whole command in `build.command` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// How to build the image. When present mcpgen also writes a multi-stage Dockerfile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// How MCP clients talk to the server: transport, protocol revisions, sessions, security.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<Mcp>,
    /// Health endpoints used by the probes. Never the MCP endpoint itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// Fixed number of replicas. Ignored in Kubernetes when `autoscaling` owns the count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000))]
    pub replicas: Option<u32>,
    /// CPU and memory requests and limits of the server container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Plain environment variables. Values are literals: put credentials in `secrets`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}))]
    pub env: BTreeMap<String, EnvValue>,
    /// Environment variables read from existing Kubernetes Secrets. Values are never written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}))]
    pub secrets: BTreeMap<String, SecretRef>,
    /// Files mounted read-only into the container, keyed by absolute path. Stored in a
    /// ConfigMap; a content change rolls the pods.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^/[^\\u0000]*[^/]$"}))]
    pub files: BTreeMap<String, String>,
    /// Backing services: containers in compose, reachable peers in Kubernetes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}))]
    pub dependencies: BTreeMap<String, Dependency>,
    /// Public exposure through a Gateway API HTTPRoute or an Ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expose: Option<Expose>,
    /// How new versions roll out: rolling update, canary or blue-green, and who promotes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
    /// Horizontal autoscaling (HorizontalPodAutoscaler autoscaling/v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// Vertical autoscaling (VerticalPodAutoscaler). Never acts on a resource the HPA targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical_scaling: Option<VerticalScaling>,
    /// Network policy: who may connect in, and where the server may connect out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// ResourceQuota and LimitRange for the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// Metrics scraping, alert rules and the Grafana dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<Monitoring>,
    /// Per-environment overlays. Each is a JSON Merge Patch (RFC 7386) applied over
    /// `{metadata, spec}`; `null` removes a field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}))]
    pub environments: BTreeMap<String, Overlay>,
}

/// An environment overlay: a JSON Merge Patch over `{metadata, spec}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Overlay {
    /// Merged over `metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Merged over `spec`. May not contain `environments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Image build settings, used for the Dockerfile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Build {
    /// Language runtime of the server.
    pub runtime: Runtime,
    /// Runtime version used for the base images, e.g. `"18"` for node, `"3.12"` for python,
    /// `"1.23"` for go. Quote it: `3.10` unquoted is the number 3.1.
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+){0,2}$"))]
    pub version: String,
    /// Command that starts the server in the runtime image (exec form).
    #[schemars(length(min = 1))]
    pub command: Vec<String>,
    /// Command that builds the server in the build stage (exec form). Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub build_command: Option<Vec<String>>,
    /// Directory, relative to the build context, that holds the build output copied into the
    /// runtime image. Defaults per runtime: `dist` (node), the whole app (python), the binary (go).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// A published package to install instead of building the context: from npm for `node`,
    /// from PyPI for `python` (not available for `go`). The image then contains exactly that
    /// version and its dependencies, and `output` is not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<BuildPackage>,
}

/// A published package installed into the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildPackage {
    /// Package name as published: `name` or `@scope/name` on npm, a project name on PyPI.
    #[schemars(
        regex(pattern = r"^(@[a-z0-9~-][a-z0-9._~-]*/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$"),
        length(max = 214)
    )]
    pub name: String,
    /// Exact version to install (`1.7.3`), never a range. Quote it: `1.10` unquoted is the
    /// number 1.1.
    #[schemars(regex(pattern = r"^[0-9][0-9A-Za-z.+!_-]*$"), length(max = 128))]
    pub version: String,
}

/// Supported language runtimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// Node.js (npm).
    Node,
    /// Python (pip).
    Python,
    /// Go (static binary).
    Go,
}

/// MCP transport and protocol settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mcp {
    /// Wire transport. `streamable-http` is the current one; `sse` (HTTP+SSE, 2024-11-05) is
    /// deprecated since 2025-03-26; `stdio` servers run behind an HTTP bridge. Default
    /// `streamable-http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// MCP protocol revisions the server speaks (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_versions: Option<Vec<ProtocolVersion>>,
    /// Whether the server keeps no per-session state. Stateful servers with more than one
    /// replica need sticky routing or a shared session store. Default: true when every
    /// protocol revision is 2026-07-28 or later, false otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateless: Option<bool>,
    /// Where session state lives. `none` keeps it in the process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_store: Option<SessionStore>,
    /// Path of the MCP endpoint. Default `/mcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPath>,
    /// Container port the server listens on. Default 8080.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
    /// Exact `Origin` values the server accepts (it must answer others with 403).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")))]
    pub allowed_origins: Option<Vec<String>>,
    /// `Host` header values the server accepts (DNS-rebinding protection). Must include the
    /// public host, or the SDKs answer 421.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<HostName>>,
    /// Trust `X-Forwarded-*` headers from the ingress (needed when TLS ends at the ingress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_proxy_headers: Option<bool>,
    /// Client authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// HTTP bridge for `stdio` servers. Defaults apply when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<Bridge>,
    /// The longest a tool call may take, e.g. `10m`. The ingress or gateway timeout
    /// (`expose.timeout`) must be at least this long, or long calls are cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_tool_call: Option<Duration>,
}

/// MCP transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// Streamable HTTP (2025-03-26 and later).
    StreamableHttp,
    /// HTTP+SSE (2024-11-05), deprecated.
    Sse,
    /// Standard input/output; needs a bridge to be reachable over the network.
    Stdio,
}

/// Session stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionStore {
    /// In-process sessions.
    None,
    /// Sessions shared through Redis.
    Redis,
}

/// Client authentication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Auth {
    /// Authentication scheme.
    #[serde(rename = "type")]
    pub kind: AuthType,
    /// Secret holding the signing key or client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretRef>,
    /// Token lifetime, e.g. `24h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Duration>,
    /// OIDC issuer URL (for `oidc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https://"))]
    pub issuer: Option<String>,
    /// Expected token audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Whether the server serves OAuth 2.0 Protected Resource Metadata (RFC 9728) at
    /// `/.well-known/oauth-protected-resource` and its path-inserted form for `mcp.path`, as
    /// the MCP authorization specification requires. Default: true unless `type` is `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_metadata: Option<bool>,
    /// URL of the issuer's JSON Web Key Set, for validating tokens at the gateway
    /// (`expose.gateway.edgeAuth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https://"))]
    pub jwks_uri: Option<String>,
    /// Address blocks of the issuer (CIDR notation): the egress NetworkPolicy admits HTTPS
    /// (443) to them so the server can fetch keys and metadata. A NetworkPolicy cannot name a
    /// host; with `network.cilium` the issuer's host is admitted by name instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(
        pattern = r"^([0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3})$"
    )))]
    pub issuer_cidrs: Vec<String>,
}

/// Authentication schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthType {
    /// No authentication.
    None,
    /// JSON Web Tokens signed with a shared secret.
    Jwt,
    /// OpenID Connect.
    Oidc,
}

/// The HTTP bridge that fronts a `stdio` server: a published bridge installed into the image
/// mcpgen builds, run as the container's command with the server command as its child. A node
/// image gets supergateway (npm), a python image mcp-proxy (PyPI); see docs/stdio-bridge.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bridge {
    /// Port the bridge serves Streamable HTTP and its health endpoints on. Default: `mcp.port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
    /// How the bridge maps clients onto server processes. `session`: one process per MCP
    /// session (supergateway `--stateful`; sessions are pinned to their pod). `request`: one
    /// process per request (supergateway without `--stateful`; no session outlives a request,
    /// each request pays a process start). `shared`: one process for every client of the pod
    /// (mcp-proxy). Default: `session` for node, `shared` for python; `request` for node when
    /// `mcp.stateless` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<BridgeMode>,
    /// Exact version of the bridge package to install (`4.0.0`). Default: the version mcpgen
    /// was tested with (supergateway 4.0.0, mcp-proxy 0.13.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9][0-9A-Za-z.+!_-]*$"), length(max = 128))]
    pub version: Option<String>,
}

/// How a bridge maps clients onto processes of the stdio server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BridgeMode {
    /// One server process per MCP session.
    Session,
    /// One server process per HTTP request.
    Request,
    /// One server process shared by every client of the pod.
    Shared,
}

/// A reference to one key of an existing Kubernetes Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretRef {
    /// Secret name (DNS-1123 subdomain).
    #[schemars(
        regex(pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"),
        length(max = 253)
    )]
    pub secret: String,
    /// Key inside the Secret.
    #[schemars(regex(pattern = r"^[-._a-zA-Z0-9]+$"), length(max = 253))]
    pub key: String,
}

/// Health endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Health {
    /// Liveness endpoint: a path, or a probe object. Default `/healthz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Probe>,
    /// Readiness endpoint: a path, or a probe object. Default `/readyz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Probe>,
    /// Startup endpoint for slow starts: a path, or a probe object. Default: the liveness path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Probe>,
    /// Port serving the health endpoints. Default: the MCP port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
}

/// A probe: either just its HTTP path or the path with timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Probe {
    /// HTTP path, with default timings.
    Path(HttpPath),
    /// HTTP path with timings.
    Detailed(ProbeDetail),
}

/// An HTTP probe with timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProbeDetail {
    /// HTTP path.
    pub path: HttpPath,
    /// Seconds between probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3600))]
    pub period_seconds: Option<u32>,
    /// Consecutive failures before the probe fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub failure_threshold: Option<u32>,
    /// Seconds before a probe times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 600))]
    pub timeout_seconds: Option<u32>,
    /// Seconds to wait before the first probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 3600))]
    pub initial_delay_seconds: Option<u32>,
}

impl Probe {
    /// The probed path.
    pub fn path(&self) -> &str {
        match self {
            Probe::Path(p) => p.as_str(),
            Probe::Detailed(d) => d.path.as_str(),
        }
    }
}

/// CPU and memory.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceList {
    /// CPU: cores (`"2"`, `0.5`) or millicores (`500m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Memory in bytes with an optional suffix (`512Mi`, `2Gi`, `1G`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
}

/// Container requests and limits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resources {
    /// What the scheduler reserves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceList>,
    /// The most the container may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceList>,
}

/// A backing service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dependency {
    /// Image run in compose.
    pub image: ImageRef,
    /// Port the service listens on.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u32,
    /// Kubernetes namespace where the service runs (used for egress rules and DNS names).
    /// Default: the server's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Name>,
    /// Kubernetes Service name of the dependency: the server reaches it at
    /// `<service>.<namespace>.svc`. Default: the dependency's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Name>,
    /// Labels of the dependency's pods. With them, the NetworkPolicy admits egress to exactly
    /// those pods on `port`; without them, to every pod of `namespace` on `port`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_labels: BTreeMap<String, String>,
    /// Names of the variables that tell the server where this dependency is, in compose and
    /// in Kubernetes. A variable that `env` or `secrets` also sets keeps the spec's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_env: Option<ConnectionEnv>,
    /// Plain environment for the compose container.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}))]
    pub env: BTreeMap<String, EnvValue>,
    /// Compose healthcheck command (exec form). Default: one suited to known images
    /// (postgres, redis, valkey, mysql, mariadb, mongo, each with a tool its image ships);
    /// other images get none, and the server waits only for the container to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Vec<String>>,
}

/// How a new version replaces the running one: a rolling update of a Deployment, or a
/// progressive delivery by Argo Rollouts (canary or blue-green) gated by an analysis of the
/// server's own alert expressions. See docs/delivery.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rollout {
    /// Pods started above the desired count during a rolling update (no pod is taken down
    /// before its replacement is ready). Default: a quarter of the largest replica count (the
    /// HPA maximum, else `replicas`), at least 1. The namespace quota must admit the largest
    /// count plus twice this number: the surge, and the pods the previous step replaced, which
    /// count against the quota until their grace period ends. A replica-based canary (no
    /// traffic router) moves its pods in the same steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub max_surge: Option<u32>,
    /// `rolling`: a Deployment with a rolling update. `canary`: an Argo Rollouts `Rollout`
    /// that shifts a share of the traffic to the new version in steps, analysed between them.
    /// `blueGreen`: a `Rollout` that starts the new version beside the old one behind a
    /// preview Service and switches the active Service over at once. Default `rolling`. A
    /// server that keeps sessions in memory cannot be canaried by weight (rule
    /// `canary-with-in-memory-sessions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<RolloutStrategy>,
    /// What shifts the canary's share of traffic. `nginx`: an ingress-nginx canary Ingress
    /// beside the server's Ingress (needs `expose`). `gatewayAPI`: the weights of the
    /// server's Gateway API HTTPRoute, through the Argo Rollouts Gateway API plugin
    /// (`argoproj-labs/gatewayAPI`). `none`: no router; the share follows the pod count.
    /// Canary only. Default: `nginx` when the server is exposed, `none` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_router: Option<TrafficRouter>,
    /// Canary steps, in order: each sends `setWeight` percent of the traffic to the new
    /// version, then waits `pause`. After the last step the new version takes all traffic.
    /// Canary only. Default: 10%, 25%, 50%, 75%, each held for 5m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 20))]
    pub steps: Option<Vec<CanaryStep>>,
    /// Automatic analysis of the new version with the error-ratio and p95-latency
    /// expressions of the generated alerts (same PromQL, same thresholds); a failed analysis
    /// aborts the rollout and sends all traffic back to the old version. Canary and
    /// blue-green only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<RolloutAnalysis>,
    /// Blue-green: how long the old version keeps running after the switch, so open streams
    /// and sessions on it can finish and an abort can switch back without starting pods.
    /// Default `10m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay: Option<Duration>,
    /// Who promotes a new version into this environment. `manual`: the generated pipeline
    /// (`--target ci`) waits for a person to approve the deployment. `automatic`: it deploys
    /// as soon as the environments before it succeeded. Default: `manual` in a production
    /// environment (`production`, `prod`), `automatic` elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion: Option<Promotion>,
    /// Deploy by committing the rendered manifests to a GitOps repository (that Argo CD or Flux
    /// applies) instead of applying them with `kubectl apply -k` from the pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitops: Option<GitOps>,
}

/// The GitOps repository the generated pipeline commits rendered manifests to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitOps {
    /// HTTPS URL of the repository (`https://github.com/acme/deploy.git`). The pipeline pushes
    /// with the token in its `GITOPS_TOKEN` secret.
    #[schemars(
        regex(pattern = r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._~/-]+$"),
        length(max = 500)
    )]
    pub repository: String,
    /// Branch to commit to. Default `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9._/-]+$"), length(min = 1, max = 200))]
    pub branch: Option<String>,
    /// Directory of the repository that receives this environment's manifests (replaced as a
    /// whole). Default `<metadata.name>/<environment>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"),
        length(min = 1, max = 300)
    )]
    pub path: Option<String>,
}

/// How a new version replaces the running one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RolloutStrategy {
    /// A Deployment's rolling update.
    #[serde(rename = "rolling")]
    Rolling,
    /// An Argo Rollouts canary.
    #[serde(rename = "canary")]
    Canary,
    /// An Argo Rollouts blue-green deployment.
    #[serde(rename = "blueGreen")]
    BlueGreen,
}

/// What shifts a canary's share of the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TrafficRouter {
    /// ingress-nginx canary annotations on a copy of the server's Ingress.
    #[serde(rename = "nginx")]
    Nginx,
    /// Gateway API HTTPRoute weights, through the Argo Rollouts Gateway API plugin.
    #[serde(rename = "gatewayAPI")]
    GatewayApi,
    /// No router: the share of traffic follows the share of pods.
    #[serde(rename = "none")]
    None,
}

/// One canary step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanaryStep {
    /// Percent of the traffic sent to the new version.
    #[schemars(range(min = 1, max = 100))]
    pub set_weight: u32,
    /// How long to hold this weight before the next step, e.g. `5m`. Without it the next
    /// step follows at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Duration>,
}

/// The analysis that gates a progressive rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutAnalysis {
    /// Set false to roll out without analysis (and without automatic rollback). Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// URL of the Prometheus the Argo Rollouts controller queries. Default
    /// `http://prometheus-operated.<monitoring.prometheusNamespace>.svc:9090`, the Service
    /// the Prometheus operator creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://[^\s{}]+$"), length(max = 2048))]
    pub prometheus_address: Option<String>,
    /// Time between two measurements. Default `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Measurements past the threshold tolerated before the rollout is aborted. Default 1:
    /// one bad reading is noise, two abort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100))]
    pub failure_limit: Option<u32>,
}

/// Who promotes a new version into an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Promotion {
    /// A person approves the deployment in the pipeline.
    Manual,
    /// The pipeline deploys without waiting.
    Automatic,
}

/// Names of the environment variables through which the server learns where a dependency is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionEnv {
    /// Variable holding the host name (`<dependency>` in compose,
    /// `<service>.<namespace>.svc` in Kubernetes). Default `<KEY>_HOST`, where `KEY` is the
    /// dependency's key in upper case with `-` as `_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub host: Option<String>,
    /// Variable holding the port. Default `<KEY>_PORT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub port: Option<String>,
    /// Variable holding a URL without credentials (`redis://host:port`), for images whose
    /// scheme mcpgen knows (postgres, redis, valkey, mysql, mariadb, mongo). Default
    /// `<KEY>_URL` for those images, none for others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub url: Option<String>,
}

/// Public exposure: through a Gateway API `HTTPRoute` (`gateway`) or an `Ingress`
/// (`ingressClass`). See docs/traffic.md for what each way guarantees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expose {
    /// Public host name.
    pub host: HostName,
    /// Public path prefix routed to the MCP endpoint. Default: the MCP path. When it differs
    /// from `mcp.path`, the route rewrites it (and the OAuth discovery paths) to the server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPath>,
    /// Attach an `HTTPRoute` to this Gateway (owned by the platform) instead of writing an
    /// Ingress. Excludes `ingressClass` and `ingressController`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayRef>,
    /// IngressClass name. Default `nginx` (when no `gateway` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<Name>,
    /// Which controller serves the IngressClass, and so which annotations and objects mcpgen
    /// writes. Default: recognised from the class name (`nginx`/`ingress-nginx`, `traefik`,
    /// `haproxy`); a class mcpgen does not recognise gets no controller settings at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_controller: Option<IngressController>,
    /// Namespace the ingress controller (or the gateway's proxies) runs in; the NetworkPolicy
    /// admits traffic from it to the MCP port. Default: the controller's usual namespace
    /// (`ingress-nginx`, `traefik`, `haproxy-controller`, `envoy-gateway-system`; for a
    /// gateway without a provider, the Gateway's namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_namespace: Option<Name>,
    /// Labels of the controller's (or gateway proxies') pods: the NetworkPolicy admits only
    /// those pods of `ingressNamespace`. Default: the labels of the controller's Helm chart
    /// (`app.kubernetes.io/name: ingress-nginx` …); empty admits the whole namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_pod_labels: Option<BTreeMap<String, String>>,
    /// Annotations for the Ingress or HTTPRoute only (controller settings mcpgen does not
    /// write), next to `metadata.annotations`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// TLS settings. Without them the host is served over plain HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// Per-client rate limit enforced at the ingress or gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// How long one request (including a streamed response) may last at the ingress or
    /// gateway. Default `1h`. Must cover `mcp.longestToolCall`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Route the OAuth 2.0 Protected Resource Metadata paths (RFC 9728): the path-inserted
    /// form `/.well-known/oauth-protected-resource<public path>` (rewritten to the server's
    /// form when the paths differ) and the root form. Default: true when the server declares
    /// auth and serves the metadata (`mcp.auth.resourceMetadata`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub well_known_routes: Option<bool>,
}

/// Ingress controllers mcpgen writes settings for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum IngressController {
    /// kubernetes/ingress-nginx (`nginx.ingress.kubernetes.io/*` annotations).
    IngressNginx,
    /// Traefik (router annotations and `traefik.io/v1alpha1` Middleware objects).
    Traefik,
    /// HAProxy Technologies' Kubernetes Ingress Controller (`haproxy.org/*` annotations).
    Haproxy,
}

/// The parent Gateway of the HTTPRoute (Gateway API `parentRef`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayRef {
    /// Name of the Gateway.
    pub name: Name,
    /// Namespace of the Gateway. Default: the server's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Name>,
    /// Listener of the Gateway to attach to. Default: every listener that admits the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<Name>,
    /// Namespace the HTTPRoute (and its provider policies) live in. Default: the server's
    /// namespace. When it differs, mcpgen writes a ReferenceGrant that lets the route reach
    /// the Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_namespace: Option<Name>,
    /// Gateway implementation whose policy objects carry what Gateway API has no standard
    /// field for (stream timeouts, per-client rate limits, edge auth). Default: none, only
    /// standard Gateway API objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<GatewayProvider>,
    /// How the route keeps an MCP session on its pod when the server needs it (sessions kept
    /// in process, protocol revisions up to 2025-11-25, more than one pod): `cookie` or
    /// `header` (`sessionPersistence`, Gateway API experimental channel), or `none`. Default
    /// `cookie`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_persistence: Option<SessionPersistence>,
    /// Validate bearer tokens at the gateway (the provider's JWT policy) against
    /// `mcp.auth.jwksUri`, so a server that ignores `MCP_AUTH_*` is still protected. The
    /// OAuth discovery paths stay open. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge_auth: Option<bool>,
}

/// Gateway API implementations with a provider profile in mcpgen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayProvider {
    /// Standard Gateway API only: no provider policy objects.
    None,
    /// Envoy Gateway: `BackendTrafficPolicy`, `ClientTrafficPolicy`, `SecurityPolicy`.
    EnvoyGateway,
}

impl GatewayProvider {
    /// Whether mcpgen's profile of the provider can validate bearer tokens at the gateway.
    pub fn validates_tokens(self) -> bool {
        match self {
            GatewayProvider::None => false,
            GatewayProvider::EnvoyGateway => true,
        }
    }
}

/// Session persistence kinds of a Gateway API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionPersistence {
    /// A cookie set by the gateway names the pod.
    Cookie,
    /// A header set by the gateway names the pod; the client must send it back.
    Header,
    /// No session persistence.
    None,
}

/// TLS at the ingress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tls {
    /// cert-manager ClusterIssuer that issues the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_issuer: Option<Name>,
    /// Secret holding the certificate. Default `<name>-tls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<Name>,
}

/// A rate limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per window and client.
    #[schemars(range(min = 1, max = 1000000))]
    pub requests: u32,
    /// Window length: `1s` or `1m`. Default `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
}

/// Horizontal autoscaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Autoscaling {
    /// Turn the HPA off without deleting the settings. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Fewest replicas. Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub min_replicas: Option<u32>,
    /// Most replicas.
    #[schemars(range(min = 1, max = 1000))]
    pub max_replicas: u32,
    /// Target average CPU utilisation in percent of requests.
    #[serde(default, rename = "targetCPU", skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub target_cpu: Option<u32>,
    /// Target average memory utilisation in percent of requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub target_memory: Option<u32>,
    /// Target requests per second per pod, counted from the metrics contract's request series
    /// (`monitoring.metrics`). With `controller: hpa` the HPA reads it as a Pods metric that
    /// prometheus-adapter serves (mcpgen writes the adapter rule); with `keda` a Prometheus
    /// trigger of the ScaledObject queries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000000))]
    pub requests_per_second: Option<u32>,
    /// What scales the Deployment. `hpa` (default) writes a HorizontalPodAutoscaler, whose
    /// custom metric prometheus-adapter serves; `keda` writes a KEDA ScaledObject instead, which
    /// creates and owns the HPA (`keda-hpa-<name>`) and queries Prometheus itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<AutoscalingController>,
    /// Prometheus base URL KEDA queries (`controller: keda` with `requestsPerSecond`). Default
    /// `http://prometheus-operated.<monitoring.prometheusNamespace>.svc:9090`, the Service the
    /// Prometheus operator creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$"))]
    pub prometheus_address: Option<String>,
    /// Scale-up behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up: Option<ScalingBehavior>,
    /// Scale-down behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<ScalingBehavior>,
}

/// What scales the Deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AutoscalingController {
    /// A HorizontalPodAutoscaler (custom metrics served by prometheus-adapter).
    Hpa,
    /// A KEDA ScaledObject, which owns the HPA.
    Keda,
}

/// One direction of HPA scaling behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalingBehavior {
    /// How long past recommendations are considered (at most 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window: Option<Duration>,
    /// At most this percentage of current replicas per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub percent: Option<u32>,
    /// At most this many pods per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub pods: Option<u32>,
    /// Length of a policy period (at most 30m).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Duration>,
}

/// Vertical autoscaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerticalScaling {
    /// VPA update mode. `Off` only recommends.
    pub mode: VpaMode,
    /// Lower bound of recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_allowed: Option<ResourceList>,
    /// Upper bound of recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_allowed: Option<ResourceList>,
}

/// VPA update modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VpaMode {
    /// Recommend only.
    Off,
    /// Apply at pod creation only.
    Initial,
    /// Evict pods to apply.
    Recreate,
    /// Resize in place where possible, else evict.
    InPlaceOrRecreate,
}

/// Network policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Network {
    /// Sources allowed to connect to the server. The ingress controller's namespace is added
    /// when the server is exposed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_from: Vec<Peer>,
    /// Destinations the server may connect to. DNS and the dependencies are always allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_to: Vec<Peer>,
    /// The cluster runs Cilium: mcpgen also writes a CiliumNetworkPolicy that admits by host
    /// name (`toFQDNs`) what a NetworkPolicy cannot, such as the OIDC issuer. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cilium: Option<bool>,
}

/// A network peer: a namespace or an address block, optionally one port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Peer {
    /// Namespace whose pods are the peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Name>,
    /// IPv4 or IPv6 block (CIDR notation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^([0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3})$"
    ))]
    pub cidr: Option<String>,
    /// Port; all ports when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
    /// Port protocol. Default TCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<PortProtocol>,
}

/// Port protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PortProtocol {
    /// TCP.
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
}

/// Namespace quota and container limit ranges.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// Total requests allowed in the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceList>,
    /// Total limits allowed in the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceList>,
    /// Most pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1000000))]
    pub pods: Option<u32>,
    /// Most Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1000000))]
    pub services: Option<u32>,
    /// Most Secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1000000))]
    pub secrets: Option<u32>,
    /// Most ConfigMaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1000000))]
    pub config_maps: Option<u32>,
    /// Most PersistentVolumeClaims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1000000))]
    pub persistent_volume_claims: Option<u32>,
    /// Requests and limits given to containers that set none (LimitRange defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_defaults: Option<Resources>,
    /// Smallest requests a container may set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_min: Option<ResourceList>,
    /// Largest limits a container may set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_max: Option<ResourceList>,
}

/// Monitoring outputs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Monitoring {
    /// Turn all monitoring outputs off. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Where and how metrics are scraped, and their names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Labels put on the PrometheusRule and ServiceMonitor so the operator's selectors pick
    /// them up (kube-prometheus-stack: `release: <release name>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_labels: BTreeMap<String, String>,
    /// Namespace Prometheus scrapes from. The NetworkPolicy admits it on the metrics port.
    /// Default `monitoring` (kube-prometheus-stack's usual namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus_namespace: Option<Name>,
    /// Base URL of the runbooks; each alert links to `<base>/<AlertName>`. No braces: the
    /// annotation is a Prometheus template, and `{{ … }}` would run at alert time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://[^\s{}]+$"))]
    pub runbook_base_url: Option<String>,
    /// Alert thresholds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Alerts>,
    /// Grafana dashboard settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<Dashboard>,
    /// Name of the deployment environment: the `environment` label of every alert and
    /// `deployment.environment.name` in the OpenTelemetry resource. Default: the environment's
    /// name (`base` for the base spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$"))]
    pub environment: Option<String>,
    /// Highest severity an alert of this environment carries; more severe alerts are lowered to
    /// it. Default `critical` for the base spec and production environments (`production`,
    /// `prod`), `warning` for every other environment, so a staging or dev environment never
    /// pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_severity: Option<Severity>,
    /// Distributed tracing: the standard `OTEL_*` variables, the egress to the collector, and
    /// optionally an OpenTelemetry Operator `Instrumentation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<Tracing>,
    /// The logging contract: format and level given to the server, and the log store the
    /// dashboard links to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// A synthetic check that speaks MCP to the endpoint (a prometheus-operator `Probe` for the
    /// blackbox exporter, with its module) and alerts when it stops answering while pods are
    /// Ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<McpProbe>,
}

/// Tracing settings (OpenTelemetry SDK environment variables).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tracing {
    /// OTLP endpoint of the collector, e.g. `http://otel-collector.observability.svc:4317`
    /// (gRPC) or `:4318` (HTTP). Written as `OTEL_EXPORTER_OTLP_ENDPOINT`.
    #[schemars(regex(pattern = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$"))]
    pub endpoint: String,
    /// OTLP protocol (`OTEL_EXPORTER_OTLP_PROTOCOL`). Default `grpc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<OtlpProtocol>,
    /// Trace sampler (`OTEL_TRACES_SAMPLER`). Default `parentbased_traceidratio`: follow the
    /// caller's decision, sample new traces at `sampleRatio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampler: Option<Sampler>,
    /// Share of new traces sampled by the ratio samplers, 0 to 1 (`OTEL_TRACES_SAMPLER_ARG`).
    /// Default 0.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sample_ratio: Option<f64>,
    /// Namespace the collector runs in; the NetworkPolicy admits egress to it on the endpoint's
    /// port. Default: read from an in-cluster endpoint host `<service>.<namespace>.svc[.…]`;
    /// none otherwise (then allow the collector in `network.allowTo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Name>,
    /// Run a local OpenTelemetry collector (debug exporter) beside the server in compose and
    /// point the server at it. Default false: compose uses `endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_collector: Option<bool>,
    /// OpenTelemetry Operator auto-instrumentation to inject (writes an `Instrumentation` and
    /// the pod annotation). It yields HTTP spans, not MCP spans. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_instrumentation: Option<AutoInstrumentation>,
}

/// OTLP protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OtlpProtocol {
    /// OTLP over gRPC (port 4317).
    #[serde(rename = "grpc")]
    Grpc,
    /// OTLP over HTTP with protobuf bodies (port 4318).
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
}

/// Trace samplers of the OpenTelemetry SDK environment specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sampler {
    /// Sample every trace.
    AlwaysOn,
    /// Sample no trace.
    AlwaysOff,
    /// Sample `sampleRatio` of traces, ignoring the caller.
    Traceidratio,
    /// Follow the caller; sample every new trace.
    ParentbasedAlwaysOn,
    /// Follow the caller; sample no new trace.
    ParentbasedAlwaysOff,
    /// Follow the caller; sample `sampleRatio` of new traces.
    ParentbasedTraceidratio,
}

/// Languages the OpenTelemetry Operator injects auto-instrumentation for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AutoInstrumentation {
    /// Node.js.
    Nodejs,
    /// Python.
    Python,
}

/// The logging contract.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Logging {
    /// What the server writes to stdout (`LOG_FORMAT`). Default `json`: one object per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<LogFormat>,
    /// Lowest level written (`LOG_LEVEL`). Default `info`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LogLevel>,
    /// The Grafana data source holding the logs; the dashboard links to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<LogStore>,
}

/// Log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable text.
    Text,
}

/// Log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Debug.
    Debug,
    /// Info.
    Info,
    /// Warnings.
    Warn,
    /// Errors.
    Error,
}

/// A Grafana log data source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogStore {
    /// Kind of data source.
    #[serde(rename = "type")]
    pub kind: LogStoreKind,
    /// The data source's uid in Grafana.
    #[schemars(regex(pattern = r"^[A-Za-z0-9._-]{1,40}$"))]
    pub datasource: String,
}

/// Log stores the dashboard can link to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogStoreKind {
    /// Grafana Loki.
    Loki,
    /// Elasticsearch (or OpenSearch through its Elasticsearch data source).
    Elasticsearch,
}

/// The MCP probe.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct McpProbe {
    /// Set false to keep the settings without generating the probe. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// URL probed. Default: the public URL (`expose.host` and `expose.path`) when exposed, else
    /// the in-cluster Service URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$"))]
    pub url: Option<String>,
    /// Address (`host:port`) of the blackbox exporter. Default
    /// `blackbox-exporter.<monitoring.prometheusNamespace>.svc:9115`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9.-]+:[0-9]{1,5}$"))]
    pub prober: Option<String>,
    /// Probe interval. Default `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// File in the blackbox exporter holding a bearer token for a server with `auth`. Default
    /// for such a server `/etc/blackbox-exporter/tokens/<namespace>-<name>`; none without auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^/[A-Za-z0-9._/-]+$"))]
    pub credentials_file: Option<String>,
}

/// Metrics endpoint and names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metrics {
    /// Metrics path. Default `/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPath>,
    /// Metrics port. Default: the MCP port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
    /// Scrape interval. Default `30s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// The metrics contract the alerts, dashboard and autoscaler read: `mcpgen` (mcpgen's own
    /// series), `otel-semconv` (OpenTelemetry's MCP semantic conventions) or `custom` (the
    /// series named in `names`, with the labels in `labels`; only those). Default `mcpgen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convention: Option<MetricsConvention>,
    /// Metric names the server exports. Defaults come from the convention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<MetricNames>,
    /// Label names and value patterns of the series. Defaults come from the convention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<MetricLabels>,
}

/// Metrics conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MetricsConvention {
    /// mcpgen's contract: `mcp_requests_total{status}`, `mcp_request_duration_seconds`,
    /// `mcp_active_connections`, `mcp_tool_executions_total{tool_name,status}`.
    Mcpgen,
    /// OpenTelemetry's MCP conventions: `mcp_server_operation_duration_seconds{mcp_method_name,
    /// gen_ai_tool_name, error_type}` and `mcp_server_session_duration_seconds`.
    OtelSemconv,
    /// Only the series named in `names`, with mcpgen's shapes (counters, a histogram, a gauge)
    /// and the labels in `labels`.
    Custom,
}

/// Label names and value patterns of the contract's series. Patterns are RE2 regexes,
/// anchored as Prometheus anchors them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricLabels {
    /// Label of the request series that holds the outcome. mcpgen: `status` (HTTP status);
    /// otel-semconv: `error_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_][a-zA-Z0-9_]*$"))]
    pub status: Option<String>,
    /// Values of `status` that mark a failed request. mcpgen `5..`; otel-semconv `.+` (tool
    /// errors excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub error: Option<String>,
    /// Values of `status` that mark a successful request. mcpgen `[23]..`; otel-semconv the
    /// empty value (no `error_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub success: Option<String>,
    /// Values of `status` (otel-semconv: of `http_response_status_code` on the HTTP server
    /// series) of a "session not found" answer. Default `404`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub session_not_found: Option<String>,
    /// Label naming the tool on the tool series. mcpgen `tool_name`; otel-semconv
    /// `gen_ai_tool_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_][a-zA-Z0-9_]*$"))]
    pub tool: Option<String>,
    /// Label of the tool series that holds the outcome. mcpgen `status`; otel-semconv
    /// `error_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_][a-zA-Z0-9_]*$"))]
    pub tool_status: Option<String>,
    /// Values of `toolStatus` that mark a failed tool execution. mcpgen `error`; otel-semconv
    /// `tool_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub tool_error: Option<String>,
    /// Label naming the MCP method, for breakdowns by method. otel-semconv `mcp_method_name`;
    /// none in mcpgen's contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_][a-zA-Z0-9_]*$"))]
    pub operation: Option<String>,
}

/// Names of the metrics the server exports.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricNames {
    /// Request counter with labels `method`, `status`, `endpoint`. Default `mcp_requests_total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))]
    pub requests: Option<String>,
    /// Request duration histogram (seconds). Default `mcp_request_duration_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))]
    pub duration: Option<String>,
    /// Active connections gauge. Default `mcp_active_connections`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))]
    pub active_connections: Option<String>,
    /// Tool execution counter with labels `tool_name`, `status`. Default
    /// `mcp_tool_executions_total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))]
    pub tool_executions: Option<String>,
    /// Session duration histogram (seconds), shown for stateful servers. otel-semconv default
    /// `mcp_server_session_duration_seconds`; none in mcpgen's contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))]
    pub sessions: Option<String>,
    /// HTTP server duration histogram whose `http_response_status_code` counts "session not
    /// found" answers under otel-semconv. Default there `http_server_request_duration_seconds`
    /// (OpenTelemetry's HTTP conventions); not used by the other conventions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))]
    pub http_requests: Option<String>,
}

/// Alert thresholds. Every alert can be tuned or switched off with `enabled: false`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Alerts {
    /// Share of requests answered with an error (5xx). Default above 5% for 5m, critical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<PercentAlert>,
    /// 95th percentile request latency. Default above 1s for 5m, warning.
    #[serde(
        default,
        rename = "latencyP95",
        skip_serializing_if = "Option::is_none"
    )]
    pub latency_p95: Option<LatencyAlert>,
    /// No scrape target of the server is up, or none is discovered: the service is down.
    /// Default for 1m, critical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down: Option<StateAlert>,
    /// One scrape target (pod) is down while others serve. Default for 5m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_down: Option<StateAlert>,
    /// Working-set memory against the container limit. Default above 85% for 5m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<PercentAlert>,
    /// CPU usage against the container limit. Default above 80% for 5m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<PercentAlert>,
    /// Share of tool executions that fail. Default above 10% for 5m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_errors: Option<PercentAlert>,
    /// Share of requests answered 404 (unknown session) on stateful servers. Default above 1%
    /// for 5m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_not_found: Option<PercentAlert>,
    /// The HPA has been at its maximum. Default for 15m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_maxed_out: Option<StateAlert>,
    /// The HPA reports `ScalingActive=False` (a metric it reads cannot be fetched, so it cannot
    /// scale). Default for 10m, warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_scaling_inactive: Option<StateAlert>,
    /// The MCP probe fails while pods are Ready. Default for 3m, critical; only with a probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<StateAlert>,
}

/// Alert on a percentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PercentAlert {
    /// Set false to drop the alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Threshold, e.g. `5%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<Percent>,
    /// How long the condition must hold.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Alert severity label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Alert on a latency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LatencyAlert {
    /// Set false to drop the alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Threshold, e.g. `1s` or `500ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<Duration>,
    /// How long the condition must hold.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Alert severity label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Alert on a state without threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateAlert {
    /// Set false to drop the alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How long the condition must hold.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Alert severity label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Alert severities.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Pages someone.
    Critical,
    /// Needs attention soon.
    Warning,
    /// For information.
    Info,
}

/// Grafana dashboard.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dashboard {
    /// Set false to skip the dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Dashboard title. Default: `MCP server <name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub title: Option<String>,
    /// Auto-refresh interval, e.g. `30s`. Default `30s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<Duration>,
}
