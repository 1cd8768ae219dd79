//! ResolvedSpec → Model: derived names, labels, ports, parsed quantities, sorted collections.
//!
//! The Model is what every emitter reads. It is lowered from a [`ResolvedSpec`], in which every
//! default is already filled in, so nothing here falls back to a value of its own: this module
//! only derives. It owns every name that more than one output uses (object names, port names
//! and numbers, labels and selectors, the metrics contract and the monitoring model, the
//! container health check), so the Dockerfile, compose file, Kubernetes manifests and
//! monitoring outputs agree with each other. What this module does not do: apply defaults (that
//! is [`crate::resolve`]), serialize anything, or judge the spec (`crate::validate` and the
//! policies). [`Model::preflight`] names what no target can produce for this model.

pub mod bridge;
pub mod contract;
pub mod delivery;
pub mod monitoring;
pub mod telemetry;
pub mod traffic;

use std::collections::BTreeMap;

use crate::resolve::{self, ImageFamily, ResolvedSpec, image_major};
use crate::spec::scalars::ImageRef;
use crate::spec::{
    AuthType, AutoscalingController, NamespaceOwnership, Peer, Quota, Runtime, SecretRef,
    SessionStore, Transport, VpaMode,
};

/// Numeric user and group of the server process in every target (Dockerfile `USER`, pod
/// `runAsUser`/`runAsGroup`, compose `user`). Above 10000 so it never collides with a host user.
pub const UID: i64 = 10001;
/// Seconds the pod keeps serving after it was removed from the endpoints, so that the ingress
/// and kube-proxy stop sending new requests before the process gets SIGTERM.
pub const PRE_STOP_SECONDS: i64 = 15;
/// Grace period for streaming transports: long enough for open SSE streams to finish a
/// tool call after SIGTERM. Non-streaming transports use [`GRACE_SECONDS_SHORT`].
pub const GRACE_SECONDS_STREAMING: i64 = 120;
/// Grace period for the stdio bridge and other short-request servers.
pub const GRACE_SECONDS_SHORT: i64 = 45;
/// Directory mounted as an emptyDir and used as `HOME` for node and python runtimes.
pub const HOME_DIR: &str = "/home/mcp";
/// Directory of the application in the image (`WORKDIR`); build outputs are copied below it.
pub const APP_DIR: &str = resolve::defaults::APP_DIR;
/// The cluster DNS domain in-cluster clients may append (`<svc>.<ns>.svc.cluster.local`).
/// Host names mcpgen hands out use `<svc>.<ns>.svc`, which resolves whatever the domain is.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The link-local address NodeLocal DNSCache listens on in every node; pods of clusters that
/// run it send their DNS queries there instead of to the kube-dns pods.
pub const NODE_LOCAL_DNS: &str = "169.254.20.10";
/// Label every namespace carries with its own name (set by the API server).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Name of the server container in the pod.
pub const CONTAINER: &str = "server";
/// Port names shared by the container, the Service, the probes, the Ingress, the
/// NetworkPolicy and the ServiceMonitor.
pub const PORT_HTTP: &str = "http";
/// See [`PORT_HTTP`].
pub const PORT_METRICS: &str = "metrics";
/// See [`PORT_HTTP`].
pub const PORT_HEALTH: &str = "health";
/// Seconds between container health checks (Dockerfile `HEALTHCHECK`, compose).
const HEALTHCHECK_INTERVAL: u32 = 30;
/// Seconds before a container health check times out.
const HEALTHCHECK_TIMEOUT: u32 = 5;
/// Failures before the container is unhealthy.
const HEALTHCHECK_RETRIES: u32 = 3;

/// Everything the emitters need for one spec in one environment.
#[derive(Debug, Clone)]
pub struct Model {
    /// The resolved spec this model was lowered from (for the build description and tests;
    /// emitters read the derived fields below).
    pub resolved: ResolvedSpec,
    /// Environment name (`None` for the base spec).
    pub env: Option<String>,
    /// File name of the spec (no directory), for generated-by headers.
    pub source_name: String,
    /// Server name: the name of every namespaced object mcpgen writes.
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: String,
    /// Whether the server owns its namespace (then mcpgen writes the Namespace, quota and
    /// LimitRange; in a shared namespace it writes none of them).
    pub namespace_owned: bool,
    /// Labels on every object: the standard `app.kubernetes.io/*` set plus `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// Annotations on every object (`metadata.annotations`).
    pub annotations: BTreeMap<String, String>,
    /// Immutable labels used in selectors.
    pub selector: BTreeMap<String, String>,
    /// Image to deploy.
    pub image: String,
    /// Arguments to the image's entrypoint (Kubernetes `args`, compose `command`), when given.
    pub args: Option<Vec<String>>,
    /// Name in the MCP Registry, labelled on the image, when given.
    pub registry_name: Option<String>,
    /// Whether the image is pinned by digest (then `IfNotPresent` is safe).
    pub image_pinned: bool,
    /// Build settings, when the spec has a `build` section.
    pub build: Option<BuildModel>,
    /// The HTTP bridge of a `stdio` server built for a runtime that has one.
    pub bridge: Option<bridge::BridgeModel>,
    /// MCP transport settings.
    pub mcp: McpModel,
    /// Container and Service ports with their names.
    pub ports: Ports,
    /// Health probes (liveness, readiness, startup), always on the health port.
    pub probes: Probes,
    /// The container health check of the Dockerfile and compose, when the image can run one.
    pub healthcheck: Option<HealthCheck>,
    /// Fixed replica count (used when no HPA owns the count, and by compose).
    pub replicas: u32,
    /// Horizontal autoscaling, when enabled.
    pub hpa: Option<HpaModel>,
    /// Vertical autoscaling, already reconciled with the HPA.
    pub vpa: Option<VpaModel>,
    /// Container resources.
    pub resources: ResourcesModel,
    /// Plain environment variables of the server container in Kubernetes, sorted by name:
    /// the transport contract, where each dependency is, and the spec's `env`.
    pub kubernetes_env: BTreeMap<String, String>,
    /// The same for the compose service: dependencies by their compose names, the host names
    /// a local client uses, and no proxy to trust.
    pub compose_env: BTreeMap<String, String>,
    /// Environment variables read from Secrets, sorted by name.
    pub secret_env: BTreeMap<String, SecretRef>,
    /// Mounted files: absolute path → (ConfigMap key, content), sorted by path.
    pub files: BTreeMap<String, FileModel>,
    /// Name of the ConfigMap holding the mounted files.
    pub files_config_map: String,
    /// Backing services, sorted by name.
    pub dependencies: BTreeMap<String, DependencyModel>,
    /// Route, controller and discovery settings, when exposed.
    pub expose: Option<ExposeModel>,
    /// NetworkPolicy peers.
    pub network: NetworkModel,
    /// Namespace quota, when given.
    pub quota: Option<Quota>,
    /// Whether clients need sticky routing: a stateful (or legacy SSE) server that may run more
    /// than one pod.
    pub sticky: bool,
    /// Termination grace period in seconds.
    pub grace_seconds: i64,
    /// Monitoring outputs, when enabled.
    pub monitoring: Option<monitoring::MonitoringModel>,
    /// The metrics contract: what the server exposes and what reads it (also when monitoring
    /// outputs are off: the autoscaler reads it).
    pub metrics: contract::MetricsContract,
    /// Tracing wiring, when the spec has `monitoring.tracing`.
    pub tracing: Option<telemetry::TracingModel>,
    /// The workload and how new versions roll out (rolling update, canary, blue-green).
    pub delivery: delivery::DeliveryModel,
}

/// Build settings for the Dockerfile.
#[derive(Debug, Clone)]
pub struct BuildModel {
    /// Language runtime.
    pub runtime: Runtime,
    /// Runtime version (base image tag prefix).
    pub version: String,
    /// Start command (exec form).
    pub command: Vec<String>,
    /// Build command (exec form), when there is a build step.
    pub build_command: Option<Vec<String>>,
    /// Build output as written in the spec (checked by [`Model::preflight`]).
    pub output_as_written: String,
    /// Build output relative to the context, normalized (`.` for the whole context).
    pub output: String,
    /// A published package installed instead of building the context.
    pub package: Option<crate::spec::BuildPackage>,
}

/// MCP transport settings.
#[derive(Debug, Clone)]
pub struct McpModel {
    /// Wire transport.
    pub transport: Transport,
    /// Endpoint path.
    pub path: String,
    /// Port MCP clients reach (the bridge's for a bridged `stdio` server).
    pub port: u32,
    /// Whether the server keeps no session state.
    pub stateless: bool,
    /// Session store.
    pub session_store: SessionStore,
    /// Whether the transport holds long-lived response streams.
    pub streaming: bool,
}

/// One named port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPort {
    /// Port name (`http`, `metrics`, `health`).
    pub name: &'static str,
    /// Port number.
    pub number: u32,
}

/// The ports of the server container. `http` always exists; `metrics` and `health` only when
/// they differ from the ports before them.
#[derive(Debug, Clone)]
pub struct Ports {
    /// The MCP port.
    pub http: NamedPort,
    /// A separate metrics port.
    pub metrics: Option<NamedPort>,
    /// A separate health port (neither the MCP nor the metrics port).
    pub health: Option<NamedPort>,
    /// Name of the port the probes use.
    pub probe_port_name: &'static str,
    /// Number of the port the probes use.
    pub probe_port: u32,
    /// Name of the port Prometheus scrapes.
    pub scrape_port_name: &'static str,
}

impl Ports {
    /// The container's ports in order: http, then metrics and health when separate.
    pub fn all(&self) -> Vec<&NamedPort> {
        std::iter::once(&self.http)
            .chain(self.metrics.as_ref())
            .chain(self.health.as_ref())
            .collect()
    }
    /// The ports the Service exposes (the health port stays inside the pod).
    pub fn service(&self) -> Vec<&NamedPort> {
        std::iter::once(&self.http)
            .chain(self.metrics.as_ref())
            .collect()
    }
}

/// One HTTP probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeModel {
    /// Path.
    pub path: String,
    /// Seconds between probes.
    pub period: i32,
    /// Failures before the probe fails.
    pub failure_threshold: i32,
    /// Timeout in seconds.
    pub timeout: i32,
    /// Delay before the first probe.
    pub initial_delay: i32,
}

/// The three probes.
#[derive(Debug, Clone)]
pub struct Probes {
    /// Liveness.
    pub liveness: ProbeModel,
    /// Readiness.
    pub readiness: ProbeModel,
    /// Startup.
    pub startup: ProbeModel,
}

/// The container health check run by Docker and compose: an HTTP GET of the liveness path,
/// made with the runtime itself (slim images have no curl or wget).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Exec-form command.
    pub command: Vec<String>,
    /// Seconds between checks.
    pub interval: u32,
    /// Seconds before a check times out.
    pub timeout: u32,
    /// Failures before unhealthy.
    pub retries: u32,
    /// Seconds of start-up grace: as long as the startup probe may take, within 10 s to 5 min.
    pub start_period: u32,
}

/// HPA bounds and targets.
#[derive(Debug, Clone)]
pub struct HpaModel {
    /// Fewest replicas.
    pub min: u32,
    /// Most replicas.
    pub max: u32,
    /// CPU utilisation target in percent.
    pub cpu: Option<u32>,
    /// Memory utilisation target in percent.
    pub memory: Option<u32>,
    /// Requests per second per pod.
    pub rps: Option<u32>,
    /// Name of the per-pod request-rate metric the HPA reads (from the metrics contract;
    /// empty only when the contract has no request series, which preflight refuses).
    pub rps_metric: String,
    /// What scales the Deployment.
    pub controller: AutoscalingController,
    /// Name of the HorizontalPodAutoscaler object: the server's, or the one KEDA creates.
    pub object_name: String,
    /// Name of the KEDA ScaledObject (with `controller: keda`).
    pub scaled_object: Option<String>,
    /// Scale-up behaviour.
    pub up: BehaviorModel,
    /// Scale-down behaviour.
    pub down: BehaviorModel,
}

/// One direction of HPA behaviour.
#[derive(Debug, Clone)]
pub struct BehaviorModel {
    /// Stabilization window in seconds.
    pub window: i32,
    /// Percent policy.
    pub percent: Option<u32>,
    /// Pods policy.
    pub pods: Option<u32>,
    /// Policy period in seconds.
    pub period: i32,
}

/// VPA settings after reconciling with the HPA.
#[derive(Debug, Clone)]
pub struct VpaModel {
    /// Update mode actually written.
    pub mode: VpaMode,
    /// Resources the VPA may change (never one the HPA scales on while it acts).
    pub controlled: Vec<String>,
    /// Lower bounds.
    pub min_allowed: BTreeMap<String, String>,
    /// Upper bounds.
    pub max_allowed: BTreeMap<String, String>,
    /// Why the mode differs from the spec's, when it does.
    pub note: Option<String>,
}

/// Requests and limits as Kubernetes quantities and as numbers.
#[derive(Debug, Clone)]
pub struct ResourcesModel {
    /// CPU request.
    pub cpu_request: String,
    /// Memory request.
    pub memory_request: String,
    /// CPU limit.
    pub cpu_limit: String,
    /// Memory limit.
    pub memory_limit: String,
    /// CPU request in millicores.
    pub cpu_request_millis: u64,
    /// Memory request in bytes.
    pub memory_request_bytes: u128,
    /// CPU limit in millicores.
    pub cpu_limit_millis: u64,
    /// Memory limit in bytes.
    pub memory_limit_bytes: u128,
}

/// A mounted file.
#[derive(Debug, Clone)]
pub struct FileModel {
    /// Key in the ConfigMap.
    pub key: String,
    /// Content.
    pub content: String,
}

/// A backing service.
#[derive(Debug, Clone)]
pub struct DependencyModel {
    /// Image (compose).
    pub image: ImageRef,
    /// Port it listens on.
    pub port: u32,
    /// Namespace in Kubernetes.
    pub namespace: String,
    /// Service name in Kubernetes.
    pub service: String,
    /// Host name of the dependency in Kubernetes: `<service>.<namespace>.svc`.
    pub cluster_host: String,
    /// Host name of the dependency in compose: its service name there (the dependency's key).
    pub compose_host: String,
    /// Labels of its pods, when the spec names them (the egress rule then selects them).
    pub pod_labels: BTreeMap<String, String>,
    /// Variables that tell the server where it is: host, port, and URL when the scheme is
    /// known.
    pub connection: Connection,
    /// Environment of the compose container.
    pub env: BTreeMap<String, String>,
    /// Compose health check test (`CMD`/`CMD-SHELL` form), when the image has a tool to run
    /// one with; without it, the server waits only for the container to start.
    pub healthcheck: Option<Vec<String>>,
    /// Data directory of a well-known image, kept in a named volume in compose.
    pub data_dir: Option<&'static str>,
    /// The variable a well-known database image refuses to start without.
    pub password_var: Option<&'static str>,
}

/// The variables through which the server learns where a dependency is, and their values in
/// each target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Host variable name.
    pub host_var: String,
    /// Port variable name.
    pub port_var: String,
    /// URL variable name and scheme, for images whose scheme mcpgen knows.
    pub url: Option<(String, &'static str)>,
}

impl DependencyModel {
    /// The variables and values of this dependency in one target.
    pub fn connection_env(&self, compose: bool) -> Vec<(String, String)> {
        let host = if compose {
            &self.compose_host
        } else {
            &self.cluster_host
        };
        let mut out = vec![
            (self.connection.host_var.clone(), host.clone()),
            (self.connection.port_var.clone(), self.port.to_string()),
        ];
        if let Some((var, scheme)) = &self.connection.url {
            out.push((var.clone(), format!("{scheme}://{host}:{}", self.port)));
        }
        out
    }
}

pub use traffic::ExposeModel;

/// NetworkPolicy peers.
#[derive(Debug, Clone, Default)]
pub struct NetworkModel {
    /// Sources allowed in.
    pub allow_from: Vec<Peer>,
    /// Destinations allowed out.
    pub allow_to: Vec<Peer>,
    /// Egress to the OIDC issuer.
    pub auth: traffic::AuthEgress,
    /// Whether a CiliumNetworkPolicy is written for what a NetworkPolicy cannot express.
    pub cilium: bool,
}

/// Something no target can produce for a model, found before any emitter runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// JSON Pointer into the spec of the field at fault.
    pub pointer: String,
    /// What cannot be produced, and why.
    pub message: String,
    /// What to do instead.
    pub help: String,
}

fn seconds(d: &crate::spec::scalars::Duration) -> u64 {
    d.seconds()
        .expect("durations are checked by validate::semantic (MCP110)")
}

impl Model {
    /// Lower a resolved spec, naming its source file for generated headers.
    pub fn new(resolved: &ResolvedSpec, source_name: &str) -> Model {
        let r = resolved;
        let s = r.spec();
        let name = r.metadata().name.to_string();
        let namespace = r.metadata().namespace.to_string();
        let selector = BTreeMap::from([
            ("app.kubernetes.io/instance".to_string(), name.clone()),
            ("app.kubernetes.io/name".to_string(), name.clone()),
        ]);
        let mut labels = r.metadata().labels.clone();
        labels.extend(selector.clone());
        labels.insert("app.kubernetes.io/managed-by".into(), "mcpgen".into());
        labels.insert("app.kubernetes.io/component".into(), "mcp-server".into());
        if let Some(tag) = s.image.tag() {
            labels.insert(
                "app.kubernetes.io/version".into(),
                tag.chars().take(63).collect(),
            );
        }

        let mcp = McpModel {
            transport: s.mcp.transport,
            path: s.mcp.path.to_string(),
            port: resolve::served_port(&s.mcp),
            stateless: s.mcp.stateless,
            session_store: s.mcp.session_store,
            streaming: s.mcp.transport != Transport::Stdio,
        };

        let metrics_port = (s.monitoring.metrics.port != mcp.port).then_some(NamedPort {
            name: PORT_METRICS,
            number: s.monitoring.metrics.port,
        });
        let health_port = s.health.port;
        let (probe_port_name, health) = if health_port == mcp.port {
            (PORT_HTTP, None)
        } else if metrics_port
            .as_ref()
            .is_some_and(|p| p.number == health_port)
        {
            (PORT_METRICS, None)
        } else {
            (
                PORT_HEALTH,
                Some(NamedPort {
                    name: PORT_HEALTH,
                    number: health_port,
                }),
            )
        };
        let ports = Ports {
            http: NamedPort {
                name: PORT_HTTP,
                number: mcp.port,
            },
            scrape_port_name: if metrics_port.is_some() {
                PORT_METRICS
            } else {
                PORT_HTTP
            },
            metrics: metrics_port,
            health,
            probe_port_name,
            probe_port: health_port,
        };

        let probe = |p: &resolve::Probe| ProbeModel {
            path: p.path.to_string(),
            period: p.period_seconds as i32,
            failure_threshold: p.failure_threshold as i32,
            timeout: p.timeout_seconds as i32,
            initial_delay: p.initial_delay_seconds as i32,
        };
        let probes = Probes {
            liveness: probe(&s.health.liveness),
            readiness: probe(&s.health.readiness),
            startup: probe(&s.health.startup),
        };

        let bridge = match (
            resolve::bridge_of(&s.mcp, s.build.as_ref().map(|b| b.runtime)),
            &s.mcp.bridge,
            &s.build,
        ) {
            (Some(kind), Some(b), Some(build)) => {
                let mut health_paths: Vec<String> = Vec::new();
                for p in [&probes.liveness, &probes.readiness, &probes.startup] {
                    if !health_paths.contains(&p.path) {
                        health_paths.push(p.path.clone());
                    }
                }
                Some(bridge::BridgeModel {
                    bridge: kind,
                    version: b.version.clone(),
                    mode: b.mode,
                    stateless: s.mcp.stateless,
                    port: b.port,
                    path: mcp.path.clone(),
                    health_paths,
                    child: build.command.clone(),
                })
            }
            _ => None,
        };

        let replicas = s.replicas;
        let metrics = contract::lower(
            &s.monitoring.metrics,
            !mcp.stateless,
            s.autoscaling
                .as_ref()
                .filter(|a| a.enabled && a.requests_per_second.is_some())
                .map(|a| contract::Autoscaler {
                    controller: a.controller,
                    prometheus_address: a.prometheus_address.as_deref(),
                }),
        );
        let hpa = s.autoscaling.as_ref().filter(|a| a.enabled).map(|a| {
            let behavior = |b: &resolve::ScalingBehavior| BehaviorModel {
                window: seconds(&b.stabilization_window).min(i32::MAX as u64) as i32,
                percent: b.percent,
                pods: b.pods,
                period: seconds(&b.period).min(i32::MAX as u64) as i32,
            };
            HpaModel {
                min: a.min_replicas.min(a.max_replicas),
                max: a.max_replicas,
                cpu: a.target_cpu,
                memory: a.target_memory,
                rps: a.requests_per_second,
                rps_metric: metrics
                    .hpa_metric
                    .as_ref()
                    .map(|h| h.name.clone())
                    .unwrap_or_default(),
                controller: a.controller,
                // KEDA creates (and owns) the HPA of a ScaledObject under this name.
                object_name: match a.controller {
                    AutoscalingController::Hpa => name.clone(),
                    AutoscalingController::Keda => format!("keda-hpa-{name}"),
                },
                scaled_object: (a.controller == AutoscalingController::Keda).then(|| name.clone()),
                up: behavior(&a.scale_up),
                down: behavior(&a.scale_down),
            }
        });

        let vpa = s.vertical_scaling.as_ref().map(|v| {
            let mut controlled = Vec::new();
            let hpa_cpu = hpa.as_ref().is_some_and(|h| h.cpu.is_some());
            let hpa_mem = hpa.as_ref().is_some_and(|h| h.memory.is_some());
            if !hpa_cpu {
                controlled.push("cpu".to_string());
            }
            if !hpa_mem {
                controlled.push("memory".to_string());
            }
            let (mode, note) = if controlled.is_empty() && v.mode != VpaMode::Off {
                // Both resources drive the HPA: a VPA that changed requests would move the
                // HPA's utilisation target under it. Keep the recommendations only.
                controlled = vec!["cpu".to_string(), "memory".to_string()];
                (
                    VpaMode::Off,
                    Some(format!(
                        "updateMode {:?} lowered to Off: the HPA scales on CPU and memory \
                         utilisation, so the VPA only recommends",
                        v.mode
                    )),
                )
            } else {
                (v.mode, None)
            };
            let list = |l: Option<&crate::spec::ResourceList>| {
                let mut m = BTreeMap::new();
                if let Some(l) = l {
                    if let Some(c) = &l.cpu {
                        m.insert("cpu".to_string(), c.to_string());
                    }
                    if let Some(mem) = &l.memory {
                        m.insert("memory".to_string(), mem.to_string());
                    }
                }
                m
            };
            VpaModel {
                mode,
                controlled,
                min_allowed: list(v.min_allowed.as_ref()),
                max_allowed: list(v.max_allowed.as_ref()),
                note,
            }
        });

        let req = &s.resources.requests;
        let lim = &s.resources.limits;
        const PARSED: &str = "quantities are checked by validate::semantic (MCP110)";
        let resources = ResourcesModel {
            cpu_request: req.cpu.to_string(),
            memory_request: req.memory.to_string(),
            cpu_limit: lim.cpu.to_string(),
            memory_limit: lim.memory.to_string(),
            cpu_request_millis: req.cpu.millis().expect(PARSED),
            memory_request_bytes: req.memory.bytes().expect(PARSED),
            cpu_limit_millis: lim.cpu.millis().expect(PARSED),
            memory_limit_bytes: lim.memory.bytes().expect(PARSED),
        };

        let build = s.build.as_ref().map(|b| BuildModel {
            runtime: b.runtime,
            version: b.version.clone(),
            command: b.command.clone(),
            build_command: b.build_command.clone(),
            output_as_written: b.output.clone(),
            output: normalize_output(&b.output),
            package: b.package.clone(),
        });

        let mut secret_env: BTreeMap<String, SecretRef> = BTreeMap::new();
        if let Some(secret) = &s.mcp.auth.secret {
            secret_env.insert("MCP_AUTH_SECRET".into(), secret.clone());
        }
        let user_sets = |k: &str| s.env.contains_key(k) || s.secrets.contains_key(k);
        let tracing = s.monitoring.tracing.as_ref().map(|t| {
            telemetry::lower_tracing(t, &name, &namespace, &s.monitoring.environment, &user_sets)
        });
        for (k, v) in &s.secrets {
            secret_env.insert(k.clone(), v.clone());
        }

        let files = file_keys(&s.files);

        let dependencies: BTreeMap<String, DependencyModel> = s
            .dependencies
            .iter()
            .map(|(k, d)| {
                let known = known_image(&d.image);
                let healthcheck = match &d.healthcheck {
                    Some(cmd) => Some(
                        std::iter::once("CMD".to_string())
                            .chain(cmd.iter().cloned())
                            .collect(),
                    ),
                    None => known.healthcheck,
                };
                let c = &d.connection_env;
                let scheme = ImageFamily::of(&d.image).url_scheme();
                (
                    k.clone(),
                    DependencyModel {
                        image: d.image.clone(),
                        port: d.port,
                        namespace: d.namespace.to_string(),
                        service: d.service.to_string(),
                        cluster_host: format!("{}.{}.svc", d.service, d.namespace),
                        compose_host: k.clone(),
                        pod_labels: d.pod_labels.clone(),
                        connection: Connection {
                            host_var: c.host.clone(),
                            port_var: c.port.clone(),
                            // A URL variable the spec names for an image without a known
                            // scheme gets a plain `tcp://` URL.
                            url: c.url.clone().map(|v| (v, scheme.unwrap_or("tcp"))),
                        },
                        env: d
                            .env
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().to_string()))
                            .collect(),
                        healthcheck,
                        data_dir: known.data_dir,
                        password_var: known.password_var,
                    },
                )
            })
            .collect();

        let targets = TargetNames {
            server: &name,
            extra_services: delivery::extra_service_names(r, &name),
            namespace: &namespace,
            port: mcp.port,
        };
        let env_for = |compose: bool| {
            let mut env = contract_env(&s.mcp, build.as_ref(), &targets, compose);
            // Where each dependency is; a shared Redis session store is the first redis or
            // valkey dependency.
            for d in dependencies.values() {
                env.extend(d.connection_env(compose));
            }
            if s.mcp.session_store == SessionStore::Redis
                && let Some(url) = dependencies
                    .values()
                    .filter(|d| {
                        matches!(
                            ImageFamily::of(&d.image),
                            ImageFamily::Redis | ImageFamily::Valkey
                        )
                    })
                    .find_map(|d| d.connection_env(compose).into_iter().nth(2))
            {
                env.insert("MCP_SESSION_STORE_URL".into(), url.1);
            }
            // Tracing and logging wiring; the spec's own `env` wins below.
            if let Some(t) = &tracing {
                env.extend(t.common.clone());
            }
            if let Some(l) = &s.monitoring.logging {
                env.extend(telemetry::logging_env(l));
            }
            // The server's public resource URL (RFC 9728), where Kubernetes exposes it.
            if !compose && let Some(e) = &s.expose {
                env.insert(
                    traffic::RESOURCE_URL_VAR.to_string(),
                    traffic::resource_url(e),
                );
            }
            for (k, v) in &s.env {
                env.insert(k.clone(), v.as_str().to_string());
            }
            env.retain(|k, _| !secret_env.contains_key(k));
            env
        };
        let kubernetes_env = env_for(false);
        let compose_env = env_for(true);

        let network = NetworkModel {
            allow_from: s.network.allow_from.clone(),
            allow_to: s.network.allow_to.clone(),
            auth: traffic::auth_egress(r),
            cilium: s.network.cilium,
        };

        let max_pods = hpa.as_ref().map_or(replicas, |h| h.max);
        // Legacy SSE binds each session to the pod holding its GET stream, whatever the
        // server says about its own state. A bridged stdio server is stateful exactly when its
        // bridge keeps sessions (`mcp.stateless` is resolved from the bridge's mode).
        let sticky = (!mcp.stateless || mcp.transport == Transport::Sse) && max_pods > 1;
        // A session that lives only in one process is lost when a request reaches another
        // pod: only then is the gateway's (experimental) session persistence needed. A
        // bridge's sessions are its child processes, which no store can hold.
        let pinned = ((!mcp.stateless
            && (mcp.session_store == SessionStore::None || mcp.transport == Transport::Stdio))
            || mcp.transport == Transport::Sse)
            && max_pods > 1;
        let expose = traffic::lower(r, &name, &namespace, sticky, pinned, mcp.streaming);
        let grace_seconds = if mcp.streaming {
            GRACE_SECONDS_STREAMING
        } else {
            GRACE_SECONDS_SHORT
        };

        let namespace_for_delivery = namespace.clone();
        let mut model = Model {
            resolved: r.clone(),
            env: r.env.clone(),
            source_name: source_name.to_string(),
            namespace_owned: r.metadata().namespace_ownership == NamespaceOwnership::Owned,
            namespace,
            labels,
            annotations: r.metadata().annotations.clone(),
            selector,
            image: s.image.to_string(),
            args: s.args.clone(),
            registry_name: r.metadata().registry_name.clone(),
            image_pinned: s.image.digest().is_some(),
            build,
            bridge,
            mcp,
            ports,
            probes,
            healthcheck: None,
            replicas,
            hpa,
            vpa,
            resources,
            kubernetes_env,
            compose_env,
            secret_env,
            files,
            files_config_map: format!("{name}-files"),
            dependencies,
            expose,
            network,
            quota: s.quota.clone(),
            sticky,
            grace_seconds,
            monitoring: None,
            metrics,
            tracing,
            delivery: delivery::lower(r, &name, &namespace_for_delivery, None, None),
            name,
        };
        model.healthcheck = healthcheck(&model);
        model.monitoring = monitoring::lower(&model);
        let hpa_rps = model.hpa.as_ref().is_some_and(|h| h.rps.is_some());
        monitoring::attach_consumers(&mut model.metrics, model.monitoring.as_ref(), hpa_rps);
        if let Some(m) = &mut model.monitoring {
            m.contract = model.metrics.clone();
        }
        model.delivery = delivery::lower(
            r,
            &model.name,
            &model.namespace,
            model.monitoring.as_ref(),
            model.expose.as_ref(),
        );
        model
    }

    /// What no target can produce for this model: each refusal becomes one MCP301 finding at
    /// its field, and nothing is emitted for the model.
    pub fn preflight(&self) -> Vec<Refusal> {
        let mut out = Vec::new();
        if self.hpa.as_ref().is_some_and(|h| h.rps.is_some()) && self.metrics.hpa_metric.is_none() {
            out.push(Refusal {
                pointer: "/spec/autoscaling/requestsPerSecond".to_string(),
                message: "the autoscaler scales on requests per second, but the metrics \
                          contract has no request series to count them from"
                    .to_string(),
                help: "name the request series in `monitoring.metrics.names.requests`, or \
                       scale on `targetCPU`/`targetMemory` only"
                    .to_string(),
            });
        }
        let labels = &self.resolved.spec().monitoring.metrics.labels;
        for (key, pattern) in [
            ("error", &labels.error),
            ("success", &labels.success),
            ("sessionNotFound", &labels.session_not_found),
            ("toolError", &labels.tool_error),
        ] {
            if let Err(e) = regex::Regex::new(&format!("^(?:{pattern})$")) {
                out.push(Refusal {
                    pointer: format!("/spec/monitoring/metrics/labels/{key}"),
                    message: format!(
                        "`{}` is not a valid RE2 pattern: {}",
                        pattern.escape_default(),
                        e.to_string().lines().last().unwrap_or_default().trim()
                    ),
                    help:
                        "write a Prometheus (RE2) regular expression, e.g. `5..` or `error|timeout`"
                            .to_string(),
                });
            }
        }
        if self.mcp.transport == Transport::Stdio {
            out.extend(self.bridge_refusals());
        }
        if let Some(b) = &self.build
            && b.package.is_some()
            && b.runtime == Runtime::Go
        {
            out.push(Refusal {
                pointer: "/spec/build/package".to_string(),
                message: "a `go` build cannot install a published package".to_string(),
                help: "build the Go server from source (remove `build.package`), or deploy its \
                       published image with `image` and no `build`"
                    .to_string(),
            });
        }
        if let Some(b) = &self.build
            && b.package.is_none()
            && !plain_output(&b.output_as_written)
        {
            out.push(Refusal {
                pointer: "/spec/build/output".to_string(),
                message: format!(
                    "build output `{}` is not a plain relative path",
                    b.output_as_written.escape_default()
                ),
                help: "use a path relative to the build context made of letters, digits, `.`, \
                       `_`, `-` and `/`, without `..`"
                    .to_string(),
            });
        }
        if let delivery::Strategy::Canary(c) = &self.delivery.strategy {
            match &c.router {
                delivery::Router::Nginx { .. } if self.expose.is_none() => out.push(Refusal {
                    pointer: "/spec/rollout/trafficRouter".to_string(),
                    message: "an ingress-nginx canary shifts the traffic of the server's \
                              Ingress, and this server is not exposed"
                        .to_string(),
                    help: "add `expose`, or set `rollout.trafficRouter: none` for a canary whose \
                           share of traffic follows its share of pods"
                        .to_string(),
                }),
                // The plugin only reweights an HTTPRoute that lists both Services, the one
                // the traffic target writes for `expose.gateway`.
                delivery::Router::GatewayApi { .. }
                    if !self
                        .expose
                        .as_ref()
                        .is_some_and(|e| matches!(e.way, traffic::Way::Gateway(_))) =>
                {
                    out.push(Refusal {
                        pointer: "/spec/rollout/trafficRouter".to_string(),
                        message: "the Gateway API plugin shifts the weights of the server's \
                                  HTTPRoute, and this server is not exposed through a Gateway"
                            .to_string(),
                        help: "set `expose.gateway`, or use `trafficRouter: nginx` with an \
                               ingress-nginx Ingress, or `none`"
                            .to_string(),
                    })
                }
                // ingress-nginx's canary annotations on an Ingress another controller serves
                // would be ignored: every request would reach the stable pods.
                delivery::Router::Nginx { .. }
                    if self.expose.as_ref().is_some_and(|e| match &e.way {
                        traffic::Way::Ingress(i) => {
                            i.controller != Some(crate::spec::IngressController::IngressNginx)
                        }
                        traffic::Way::Gateway(_) => true,
                    }) =>
                {
                    out.push(Refusal {
                        pointer: "/spec/rollout/trafficRouter".to_string(),
                        message: "an ingress-nginx canary needs the server's Ingress to be \
                                  served by ingress-nginx, and this server is exposed through \
                                  another controller or a Gateway"
                            .to_string(),
                        help: "use `trafficRouter: gatewayAPI` with `expose.gateway`, or `none` \
                               for a canary whose share of traffic follows its share of pods"
                            .to_string(),
                    })
                }
                _ => {}
            }
        }
        out
    }

    /// What the stdio bridge cannot serve for this model, each named: an image mcpgen does not
    /// build, a runtime without a bridge, and the settings the runtime's bridge does not offer.
    fn bridge_refusals(&self) -> Vec<Refusal> {
        let refuse = |pointer: &str, message: &str, help: &str| Refusal {
            pointer: pointer.to_string(),
            message: message.to_string(),
            help: help.to_string(),
        };
        let Some(build) = &self.build else {
            return vec![refuse(
                "/spec/mcp/transport",
                "a published `stdio` image cannot be bridged: mcpgen installs the HTTP bridge \
                 into images it builds, and knows nothing of what this one contains",
                "build the server from its npm or PyPI package (`build.package`, or `mcpgen \
                 import --registry-type npm|pypi`), or deploy an image whose entrypoint is a \
                 bridge as `transport: streamable-http` (see docs/stdio-bridge.md)",
            )];
        };
        let Some(bridge) = &self.bridge else {
            return vec![refuse(
                "/spec/mcp/transport",
                &format!(
                    "a `stdio` server built for `{}` cannot be bridged: its runtime image has \
                     neither a shell nor an interpreter to run supergateway or mcp-proxy",
                    runtime_name(build.runtime)
                ),
                "serve Streamable HTTP from the server itself (`transport: streamable-http`), \
                 or build it for node or python (see docs/stdio-bridge.md)",
            )];
        };
        let mut out = Vec::new();
        if self.args.is_some() {
            out.push(refuse(
                "/spec/args",
                "`args` would replace the image's command, which is the bridge with the server \
                 as its child",
                "give the server's whole command in `build.command` and remove `args`",
            ));
        }
        if self.ports.probe_port != bridge.port {
            out.push(refuse(
                "/spec/health/port",
                &format!(
                    "the bridge answers health checks on its own port {}, not {}",
                    bridge.port, self.ports.probe_port
                ),
                "leave `health.port` out, or set it to the bridge's port",
            ));
        }
        let revisions: Option<Vec<String>> = self
            .resolved
            .spec()
            .mcp
            .protocol_versions
            .as_ref()
            .map(|v| v.iter().map(|p| p.as_str().to_string()).collect());
        for (pointer, message, help) in bridge.refusals(revisions.as_deref()) {
            out.push(Refusal {
                pointer,
                message,
                help,
            });
        }
        out
    }

    /// The header comment for generated YAML files.
    pub fn header(&self) -> String {
        format!(
            "# Generated by mcpgen from {}. Do not edit.\n",
            one_line(&self.source_name)
        )
    }

    /// Whether the pods need a writable `HOME` (node and python write caches there).
    pub fn needs_home(&self) -> bool {
        matches!(
            self.build.as_ref().map(|b| b.runtime),
            Some(Runtime::Node | Runtime::Python)
        )
    }

    /// Start-up grace of container health checks (Dockerfile and compose): as long as the
    /// startup probe may take, within 10 s to 5 min.
    pub fn health_start_seconds(&self) -> u32 {
        let p = &self.probes.startup;
        (i64::from(p.period) * i64::from(p.failure_threshold)).clamp(10, 300) as u32
    }

    /// Largest desired replica count: the HPA maximum, or the fixed replicas.
    pub fn max_replicas(&self) -> u32 {
        self.hpa.as_ref().map_or(self.replicas, |h| h.max)
    }

    /// Largest pod count a rollout can reach. A rolling update (and a canary without a
    /// traffic router, which moves pods the same way) adds the surge to the largest replica
    /// count. A blue-green rollout starts a whole second set of pods beside the first, and a
    /// canary with a router keeps the old set whole while the new one grows to full size
    /// before the switch: twice the largest count.
    pub fn max_pods(&self) -> u32 {
        if self.doubles_pods() {
            2 * self.max_replicas()
        } else {
            self.max_replicas() + self.max_surge()
        }
    }

    /// Pods the namespace quota must admit at the peak of a rollout. For a rolling update,
    /// [`Model::max_pods`] plus the pods the previous step replaced, which the quota counts
    /// until their grace period ends (the Deployment controller does not wait for them). A
    /// rollout that doubles its pods scales the old set down only once the new one serves, so
    /// its peak is the doubled count.
    pub fn peak_pods(&self) -> u32 {
        if self.doubles_pods() {
            self.max_pods()
        } else {
            self.max_pods() + self.max_surge()
        }
    }

    /// Whether a rollout runs two full sets of pods at its peak (blue-green, or a canary with
    /// a traffic router).
    pub fn doubles_pods(&self) -> bool {
        match &self.delivery.strategy {
            delivery::Strategy::BlueGreen(_) => true,
            delivery::Strategy::Canary(c) => c.router != delivery::Router::Replicas,
            delivery::Strategy::Rolling => false,
        }
    }

    /// Pods added above the desired count during a rollout (`maxSurge`, from
    /// `rollout.maxSurge`). An absolute number so the quota can be checked against it.
    pub fn max_surge(&self) -> u32 {
        self.resolved.spec().rollout.max_surge
    }

    /// Host names in-cluster clients reach the server by, shortest first: `<svc>`,
    /// `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local`.
    pub fn cluster_hosts(&self) -> Vec<String> {
        cluster_hosts(&self.name, &self.namespace)
    }
}

/// The spec spelling of a runtime.
fn runtime_name(r: Runtime) -> &'static str {
    match r {
        Runtime::Node => "node",
        Runtime::Python => "python",
        Runtime::Go => "go",
    }
}

/// User text on one line: control characters and the line separators YAML 1.1 readers break
/// on (U+0085, U+2028, U+2029) become spaces.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The build output without a leading `./` or trailing `/`; `.` for the whole context.
fn normalize_output(output: &str) -> String {
    let trimmed = output.trim_start_matches("./").trim_end_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        ".".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A build output that needs no quoting or escaping anywhere in a Dockerfile: relative, no
/// `..`, letters, digits, `.`, `_`, `-` and `/` only.
fn plain_output(output: &str) -> bool {
    let trimmed = output.trim_start_matches("./").trim_end_matches('/');
    !output.is_empty()
        && !output.starts_with('/')
        && output
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        && !trimmed.split('/').any(|seg| seg == "..")
}

/// The container health check: an HTTP GET of the liveness path with the runtime's own
/// interpreter. The URL is a JSON string literal, which is also a valid JavaScript and Python
/// string literal. distroless/static (go) has no shell and no client: none.
fn healthcheck(m: &Model) -> Option<HealthCheck> {
    let b = m.build.as_ref()?;
    let url = format!(
        "http://127.0.0.1:{}{}",
        m.ports.probe_port, m.probes.liveness.path
    );
    let lit = serde_json::Value::String(url).to_string();
    let command = match b.runtime {
        Runtime::Node => vec![
            "node".to_string(),
            "-e".to_string(),
            format!(
                "require(\"http\").get({lit}, (r) => process.exit(r.statusCode < 400 ? 0 : 1))\
                 .on(\"error\", () => process.exit(1))"
            ),
        ],
        Runtime::Python => vec![
            "python".to_string(),
            "-c".to_string(),
            format!("import urllib.request; urllib.request.urlopen({lit}, timeout=3)"),
        ],
        Runtime::Go => return None,
    };
    Some(HealthCheck {
        command,
        interval: HEALTHCHECK_INTERVAL,
        timeout: HEALTHCHECK_TIMEOUT,
        retries: HEALTHCHECK_RETRIES,
        start_period: m.health_start_seconds(),
    })
}

/// What compose knows about a well-known backing image.
struct KnownImage {
    healthcheck: Option<Vec<String>>,
    data_dir: Option<&'static str>,
    password_var: Option<&'static str>,
}

/// Health check (with a tool the image ships), data directory, and the password variable a
/// database image refuses to start without. Versions matter: postgres 18 and later keep their
/// data below `/var/lib/postgresql` and refuse a volume at the older `.../data`; MariaDB 11
/// images ship no `mysqladmin` (their `healthcheck.sh` replaces it); mongo before 6 has `mongo`
/// instead of `mongosh`. A tag without a version (`latest`) is taken as the newest image. An
/// unknown image gets no health check: a probe with a tool it may not have would never pass.
fn known_image(image: &ImageRef) -> KnownImage {
    let s = |v: &[&str]| Some(v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    let major = image_major(image);
    let at_least = |v: u32| major.is_none_or(|m| m >= v);
    let (healthcheck, data_dir, password_var) = match ImageFamily::of(image) {
        ImageFamily::Postgres => (
            s(&["CMD", "pg_isready", "-U", "postgres"]),
            Some(if at_least(18) {
                "/var/lib/postgresql"
            } else {
                "/var/lib/postgresql/data"
            }),
            Some("POSTGRES_PASSWORD"),
        ),
        ImageFamily::Redis => (s(&["CMD", "redis-cli", "ping"]), Some("/data"), None),
        ImageFamily::Valkey => (s(&["CMD", "valkey-cli", "ping"]), Some("/data"), None),
        ImageFamily::Mysql => (
            s(&["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"]),
            Some("/var/lib/mysql"),
            Some("MYSQL_ROOT_PASSWORD"),
        ),
        ImageFamily::Mariadb => (
            s(&["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]),
            Some("/var/lib/mysql"),
            Some("MARIADB_ROOT_PASSWORD"),
        ),
        ImageFamily::Mongo => (
            if at_least(6) {
                s(&[
                    "CMD",
                    "mongosh",
                    "--quiet",
                    "--eval",
                    "db.adminCommand('ping')",
                ])
            } else {
                s(&[
                    "CMD",
                    "mongo",
                    "--quiet",
                    "--eval",
                    "db.adminCommand('ping')",
                ])
            },
            Some("/data/db"),
            None,
        ),
        ImageFamily::Other => (None, None, None),
    };
    KnownImage {
        healthcheck,
        data_dir,
        password_var,
    }
}

/// Host names of a Service in-cluster, shortest first.
fn cluster_hosts(service: &str, namespace: &str) -> Vec<String> {
    vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.{CLUSTER_DOMAIN}"),
    ]
}

/// What the contract variables need to know about where the server runs.
struct TargetNames<'a> {
    server: &'a str,
    extra_services: Vec<String>,
    namespace: &'a str,
    port: u32,
}

/// The environment variables through which the server learns what the spec says about its
/// transport and security settings. Documented in docs/output-layout.md; user `env` wins.
///
/// The two targets differ where the server's surroundings do. `MCP_ALLOWED_HOSTS` adds the
/// names clients of that target use (in Kubernetes the Service's DNS names, in compose
/// `localhost`, `127.0.0.1` and the compose service name), each bare and with the port, because
/// SDKs compare differently (the TypeScript SDK compares host names, the Python SDK
/// `host:port`). Compose puts no proxy in front of the server, so it never trusts
/// `X-Forwarded-*` there.
fn contract_env(
    mcp: &resolve::Mcp,
    build: Option<&BuildModel>,
    at: &TargetNames,
    compose: bool,
) -> BTreeMap<String, String> {
    let spec = mcp;
    let mut env = BTreeMap::new();
    let transport = match mcp.transport {
        Transport::StreamableHttp => "streamable-http",
        Transport::Sse => "sse",
        Transport::Stdio => "stdio",
    };
    env.insert("MCP_TRANSPORT".into(), transport.to_string());
    env.insert("MCP_PATH".into(), mcp.path.to_string());
    env.insert("MCP_PORT".into(), mcp.port.to_string());
    env.insert("MCP_STATELESS".into(), mcp.stateless.to_string());
    env.insert(
        "MCP_SESSION_STORE".into(),
        match mcp.session_store {
            SessionStore::None => "none",
            SessionStore::Redis => "redis",
        }
        .to_string(),
    );
    if let Some(v) = &spec.protocol_versions {
        env.insert(
            "MCP_PROTOCOL_VERSIONS".into(),
            v.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","),
        );
    }
    if let Some(v) = &spec.allowed_origins {
        env.insert("MCP_ALLOWED_ORIGINS".into(), v.join(","));
    }
    if let Some(v) = &spec.allowed_hosts {
        let mut hosts: Vec<String> = v.iter().map(|h| h.as_str().to_string()).collect();
        let local = if compose {
            vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
                at.server.to_string(),
            ]
        } else {
            // The canary or preview Service of a progressive rollout reaches the same pods.
            std::iter::once(at.server)
                .chain(at.extra_services.iter().map(String::as_str))
                .flat_map(|svc| cluster_hosts(svc, at.namespace))
                .collect()
        };
        for h in local {
            for entry in [h.clone(), format!("{h}:{}", at.port)] {
                if !hosts.contains(&entry) {
                    hosts.push(entry);
                }
            }
        }
        env.insert("MCP_ALLOWED_HOSTS".into(), hosts.join(","));
    }
    env.insert(
        "MCP_TRUST_PROXY_HEADERS".into(),
        (spec.trust_proxy_headers && !compose).to_string(),
    );
    {
        let auth = &spec.auth;
        let kind = match auth.kind {
            AuthType::None => "none",
            AuthType::Jwt => "jwt",
            AuthType::Oidc => "oidc",
        };
        env.insert("MCP_AUTH_TYPE".into(), kind.to_string());
        if let Some(e) = &auth.expiration {
            env.insert("MCP_AUTH_EXPIRATION".into(), e.to_string());
        }
        if let Some(i) = &auth.issuer {
            env.insert("MCP_AUTH_ISSUER".into(), i.clone());
        }
        if let Some(a) = &auth.audience {
            env.insert("MCP_AUTH_AUDIENCE".into(), a.clone());
        }
    }
    if matches!(
        build.map(|b| b.runtime),
        Some(Runtime::Node | Runtime::Python)
    ) {
        env.insert("HOME".into(), HOME_DIR.to_string());
    }
    env
}

/// ConfigMap keys for mounted files: the file name when it is unique and a valid key, else a
/// key built from the whole path; a numeric suffix resolves what still collides.
fn file_keys(files: &BTreeMap<String, String>) -> BTreeMap<String, FileModel> {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let sanitize = |s: &str| -> String {
        let k: String = s.chars().map(|c| if valid(c) { c } else { '_' }).collect();
        let k = k.trim_start_matches('.').to_string();
        if k.is_empty() { "file".to_string() } else { k }
    };
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in files.keys() {
        *counts.entry(base(p)).or_default() += 1;
    }
    let mut used = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for (p, content) in files {
        let b = base(p);
        let mut key = if counts.get(&b) == Some(&1) && b.chars().all(valid) && !b.starts_with('.') {
            b
        } else {
            sanitize(p.trim_start_matches('/'))
        };
        key = key.chars().take(240).collect();
        let stem = key.clone();
        let mut n = 2;
        while !used.insert(key.clone()) {
            key = format!("{stem}-{n}");
            n += 1;
        }
        out.insert(
            p.clone(),
            FileModel {
                key,
                content: content.clone(),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model of a spec given as YAML text (base variant).
    fn model(yaml: &str) -> Model {
        crate::pipeline::testing::base_model(yaml)
    }

    const HEAD: &str = "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: s\nspec:\n  image: ghcr.io/a/b:1.0.0\n";

    #[test]
    fn statelessness_follows_the_protocol_revision() {
        let old = model(&format!(
            "{HEAD}  mcp:\n    protocolVersions: [\"2025-11-25\"]\n"
        ));
        assert!(!old.mcp.stateless);
        assert!(
            old.sticky,
            "two replicas of a stateful server need stickiness"
        );
        let new = model(&format!(
            "{HEAD}  mcp:\n    protocolVersions: [\"2026-07-28\"]\n"
        ));
        assert!(new.mcp.stateless);
        assert!(!new.sticky);
        let one = model(&format!("{HEAD}  replicas: 1\n"));
        assert!(!one.sticky, "a single pod needs no stickiness");
        let sse = model(&format!(
            "{HEAD}  mcp:\n    transport: sse\n    stateless: true\n"
        ));
        assert!(sse.sticky, "legacy SSE binds sessions to the stream's pod");
    }

    #[test]
    fn the_vpa_leaves_hpa_resources_alone() {
        let cpu_only = model(&format!(
            "{HEAD}  autoscaling: {{maxReplicas: 4, targetCPU: 70}}\n  verticalScaling: {{mode: Recreate}}\n"
        ));
        let v = cpu_only
            .vpa
            .as_ref()
            .map(|v| (v.mode, v.controlled.clone()));
        assert_eq!(v, Some((VpaMode::Recreate, vec!["memory".to_string()])));
        let both = model(&format!(
            "{HEAD}  autoscaling: {{maxReplicas: 4, targetCPU: 70, targetMemory: 80}}\n  verticalScaling: {{mode: Initial}}\n"
        ));
        let v = both.vpa.as_ref().expect("vpa");
        assert_eq!(v.mode, VpaMode::Off);
        assert!(v.note.is_some());
        let no_hpa = model(&format!("{HEAD}  verticalScaling: {{mode: Initial}}\n"));
        assert_eq!(
            no_hpa.vpa.as_ref().map(|v| v.controlled.len()),
            Some(2),
            "without an HPA the VPA controls both"
        );
    }

    #[test]
    fn replicas_and_surge() {
        let m = model(HEAD);
        assert_eq!(m.replicas, 2);
        assert!(m.hpa.is_none());
        assert_eq!(m.max_surge(), 1);
        let h = model(&format!("{HEAD}  autoscaling: {{maxReplicas: 10}}\n"));
        let hpa = h.hpa.as_ref().expect("hpa");
        assert_eq!((hpa.min, hpa.max, hpa.cpu), (2, 10, Some(70)));
        assert_eq!(h.max_surge(), 3);
        assert_eq!(h.max_pods(), 13);
        assert_eq!(h.peak_pods(), 16, "plus the pods the last step replaced");
        let set = model(&format!(
            "{HEAD}  autoscaling: {{maxReplicas: 10}}\n  rollout: {{maxSurge: 1}}\n"
        ));
        assert_eq!((set.max_surge(), set.peak_pods()), (1, 12));
    }

    #[test]
    fn output_paths_are_checked() {
        assert_eq!(normalize_output("dist"), "dist");
        assert_eq!(normalize_output("./"), ".");
        assert!(plain_output("dist") && plain_output("./out/"));
        for bad in ["../etc", "/abs", "a b", "$x", "a\"]", ""] {
            assert!(!plain_output(bad), "{bad}");
        }
    }

    #[test]
    fn file_keys_are_unique_and_valid() {
        let files = BTreeMap::from([
            ("/etc/a/config.yaml".to_string(), "1".to_string()),
            ("/etc/b/config.yaml".to_string(), "2".to_string()),
            ("/srv/app.toml".to_string(), "3".to_string()),
            ("/srv/.hidden".to_string(), "4".to_string()),
            ("/srv/we ird".to_string(), "5".to_string()),
        ]);
        let keys: Vec<String> = file_keys(&files).into_values().map(|f| f.key).collect();
        assert_eq!(
            keys,
            [
                "etc_a_config.yaml",
                "etc_b_config.yaml",
                "srv_.hidden",
                "app.toml",
                "srv_we_ird"
            ]
        );
    }
}
