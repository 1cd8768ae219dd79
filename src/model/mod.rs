//! Spec → Model: defaults, derived names and labels, ports, sorted collections.
//!
//! The Model is what every emitter reads. It holds no `Option` the emitters would have to
//! default themselves: each decision about a default is made here, once, so the Dockerfile,
//! compose file, Kubernetes manifests and monitoring outputs agree with each other. What this
//! module does not do: serialize anything, or judge the spec (that is `crate::validate` and the
//! policies).

pub mod defaults;
pub mod monitoring;

use std::collections::BTreeMap;

use crate::spec::{
    AuthType, Dependency, Probe, Runtime, SecretRef, SessionStore, Spec, SpecFile, Transport,
    VpaMode,
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
/// Namespace of the ingress controller allowed in by the NetworkPolicy when the server is
/// exposed (the ingress-nginx default).
pub const INGRESS_NAMESPACE: &str = "ingress-nginx";
/// Directory mounted as an emptyDir and used as `HOME` for node and python runtimes.
pub const HOME_DIR: &str = "/home/mcp";

/// Everything the emitters need for one spec in one environment.
#[derive(Debug, Clone)]
pub struct Model {
    /// The validated spec this model came from, with defaults applied (see [`defaults::apply`]).
    pub spec: SpecFile,
    /// Environment name (`None` for the base spec).
    pub env: Option<String>,
    /// File name of the spec (no directory), for generated-by headers.
    pub source_name: String,
    /// Server name.
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: String,
    /// Labels on every object: the standard `app.kubernetes.io/*` set plus `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// Annotations on every object (`metadata.annotations`).
    pub annotations: BTreeMap<String, String>,
    /// Immutable labels used in selectors.
    pub selector: BTreeMap<String, String>,
    /// Image to deploy.
    pub image: String,
    /// Whether the image is pinned by digest (then `IfNotPresent` is safe).
    pub image_pinned: bool,
    /// Build settings, when the spec has a `build` section.
    pub build: Option<BuildModel>,
    /// MCP transport settings.
    pub mcp: McpModel,
    /// Health probes (liveness, readiness, startup), always on the health port.
    pub probes: Probes,
    /// Container port of the health endpoints.
    pub health_port: u32,
    /// Container port of the metrics endpoint when it differs from the MCP port.
    pub metrics_port: Option<u32>,
    /// Fixed replica count (used when no HPA owns the count, and by compose).
    pub replicas: u32,
    /// Horizontal autoscaling, when enabled.
    pub hpa: Option<HpaModel>,
    /// Vertical autoscaling, already reconciled with the HPA.
    pub vpa: Option<VpaModel>,
    /// Container resources.
    pub resources: ResourcesModel,
    /// Plain environment variables of the server container, sorted by name.
    pub env_vars: BTreeMap<String, String>,
    /// Environment variables read from Secrets, sorted by name.
    pub secret_env: BTreeMap<String, SecretRef>,
    /// Mounted files: absolute path → (ConfigMap key, content), sorted by path.
    pub files: BTreeMap<String, FileModel>,
    /// Backing services, sorted by name.
    pub dependencies: BTreeMap<String, DependencyModel>,
    /// Ingress settings, when exposed.
    pub expose: Option<ExposeModel>,
    /// NetworkPolicy peers.
    pub network: NetworkModel,
    /// Namespace quota, when given.
    pub quota: Option<crate::spec::Quota>,
    /// Whether clients need sticky routing: a stateful (or legacy SSE) server that may run more
    /// than one pod.
    pub sticky: bool,
    /// Termination grace period in seconds.
    pub grace_seconds: i64,
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
    /// Build command (exec form).
    pub build_command: Option<Vec<String>>,
    /// Build output path relative to the context.
    pub output: String,
}

/// MCP transport settings, defaults applied.
#[derive(Debug, Clone)]
pub struct McpModel {
    /// Wire transport.
    pub transport: Transport,
    /// Endpoint path.
    pub path: String,
    /// Container port.
    pub port: u32,
    /// Whether the server keeps no session state.
    pub stateless: bool,
    /// Session store.
    pub session_store: SessionStore,
    /// Whether the transport holds long-lived response streams.
    pub streaming: bool,
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

/// Requests and limits as Kubernetes quantities.
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
    /// The spec entry.
    pub spec: Dependency,
    /// Namespace in Kubernetes.
    pub namespace: String,
}

/// Ingress settings.
#[derive(Debug, Clone)]
pub struct ExposeModel {
    /// Public host.
    pub host: String,
    /// Public path.
    pub path: String,
    /// IngressClass.
    pub class: String,
    /// cert-manager ClusterIssuer.
    pub cluster_issuer: Option<String>,
    /// TLS Secret name, when TLS is on.
    pub tls_secret: Option<String>,
    /// Requests per window.
    pub rate_limit: Option<(u32, u64)>,
}

/// NetworkPolicy peers.
#[derive(Debug, Clone, Default)]
pub struct NetworkModel {
    /// Sources allowed in.
    pub allow_from: Vec<crate::spec::Peer>,
    /// Destinations allowed out.
    pub allow_to: Vec<crate::spec::Peer>,
}

impl Model {
    /// Build the model of a validated spec.
    pub fn from_spec(spec: &Spec) -> Model {
        Model::from_file(spec.file(), spec.env(), "service.yaml")
    }

    /// Build the model of a validated spec, naming its source file for generated headers.
    pub fn from_spec_named(spec: &Spec, source_name: &str) -> Model {
        Model::from_file(spec.file(), spec.env(), source_name)
    }

    fn from_file(original: &SpecFile, env: Option<&str>, source_name: &str) -> Model {
        let file = defaults::apply(original);
        let s = &file.spec;
        let name = file.metadata.name.to_string();
        let namespace = file
            .metadata
            .namespace
            .as_ref()
            .map_or_else(|| name.clone(), ToString::to_string);
        let selector = BTreeMap::from([
            ("app.kubernetes.io/instance".to_string(), name.clone()),
            ("app.kubernetes.io/name".to_string(), name.clone()),
        ]);
        let mut labels = file.metadata.labels.clone();
        labels.extend(selector.clone());
        labels.insert("app.kubernetes.io/managed-by".into(), "mcpgen".into());
        labels.insert("app.kubernetes.io/component".into(), "mcp-server".into());
        if let Some(tag) = s.image.tag() {
            labels.insert(
                "app.kubernetes.io/version".into(),
                tag.chars().take(63).collect(),
            );
        }

        // `defaults::apply` always fills `mcp`; an empty section stands in should it ever not.
        let mcp_spec = s.mcp.clone().unwrap_or_else(defaults::empty_mcp);
        let transport = mcp_spec.transport.unwrap_or(Transport::StreamableHttp);
        let mcp = McpModel {
            transport,
            path: mcp_spec
                .path
                .as_ref()
                .map_or_else(|| "/mcp".to_string(), ToString::to_string),
            port: mcp_spec.port.unwrap_or(defaults::MCP_PORT),
            stateless: mcp_spec.stateless.unwrap_or(false),
            session_store: mcp_spec.session_store.unwrap_or(SessionStore::None),
            streaming: transport != Transport::Stdio,
        };

        let health = s.health.clone();
        let probe = |p: Option<&Probe>, fallback: &str, period: u32, failures: u32| {
            let (path, d) = match p {
                Some(Probe::Detailed(d)) => (d.path.to_string(), Some(d)),
                Some(Probe::Path(p)) => (p.to_string(), None),
                None => (fallback.to_string(), None),
            };
            ProbeModel {
                path,
                period: d.and_then(|d| d.period_seconds).unwrap_or(period) as i32,
                failure_threshold: d.and_then(|d| d.failure_threshold).unwrap_or(failures) as i32,
                timeout: d.and_then(|d| d.timeout_seconds).unwrap_or(3) as i32,
                initial_delay: d.and_then(|d| d.initial_delay_seconds).unwrap_or(0) as i32,
            }
        };
        let h = health.as_ref();
        let probes = Probes {
            liveness: probe(h.and_then(|h| h.liveness.as_ref()), "/healthz", 10, 3),
            readiness: probe(h.and_then(|h| h.readiness.as_ref()), "/readyz", 5, 3),
            // 5 s × 30 = two and a half minutes to start before liveness takes over.
            startup: probe(h.and_then(|h| h.startup.as_ref()), "/healthz", 5, 30),
        };
        let health_port = h.and_then(|h| h.port).unwrap_or(mcp.port);
        let metrics_port = s
            .monitoring
            .as_ref()
            .and_then(|m| m.metrics.as_ref())
            .and_then(|m| m.port)
            .filter(|p| *p != mcp.port);

        let replicas = s.replicas.unwrap_or(defaults::REPLICAS);
        let hpa = s
            .autoscaling
            .as_ref()
            .filter(|a| a.enabled != Some(false))
            .map(|a| {
                let behavior = |b: Option<&crate::spec::ScalingBehavior>, window: u64| {
                    let secs = |d: Option<&crate::spec::scalars::Duration>, dflt: u64| {
                        d.and_then(|d| d.seconds())
                            .unwrap_or(dflt)
                            .min(i32::MAX as u64) as i32
                    };
                    BehaviorModel {
                        window: secs(b.and_then(|b| b.stabilization_window.as_ref()), window),
                        percent: b.and_then(|b| b.percent),
                        pods: b.and_then(|b| b.pods),
                        period: secs(b.and_then(|b| b.period.as_ref()), 60),
                    }
                };
                HpaModel {
                    min: a
                        .min_replicas
                        .unwrap_or(defaults::REPLICAS)
                        .min(a.max_replicas),
                    max: a.max_replicas,
                    cpu: a.target_cpu,
                    memory: a.target_memory,
                    rps: a.requests_per_second,
                    up: behavior(a.scale_up.as_ref(), 0),
                    down: behavior(a.scale_down.as_ref(), 300),
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

        let r = s.resources.clone().unwrap_or_default();
        let req = r.requests.unwrap_or_default();
        let lim = r.limits.unwrap_or_default();
        let cpu_limit = lim
            .cpu
            .map_or_else(|| "500m".to_string(), |c| c.to_string());
        let memory_limit = lim
            .memory
            .map_or_else(|| "512Mi".to_string(), |m| m.to_string());
        let resources = ResourcesModel {
            cpu_request: req
                .cpu
                .map_or_else(|| "100m".to_string(), |c| c.to_string()),
            memory_request: req
                .memory
                .map_or_else(|| "128Mi".to_string(), |m| m.to_string()),
            cpu_limit_millis: crate::spec::scalars::Cpu::new_unchecked(cpu_limit.clone())
                .millis()
                .unwrap_or(0),
            memory_limit_bytes: crate::spec::scalars::Memory::new_unchecked(memory_limit.clone())
                .bytes()
                .unwrap_or(0),
            cpu_limit,
            memory_limit,
        };

        let build = s.build.as_ref().map(|b| BuildModel {
            runtime: b.runtime,
            version: b.version.clone(),
            command: b.command.clone(),
            build_command: b.build_command.clone(),
            output: b.output.clone().unwrap_or_else(|| {
                match b.runtime {
                    Runtime::Node => "dist",
                    Runtime::Python => ".",
                    Runtime::Go => "server",
                }
                .to_string()
            }),
        });

        let mut env_vars = contract_env(&mcp_spec, &mcp, build.as_ref());
        let mut secret_env: BTreeMap<String, SecretRef> = BTreeMap::new();
        if let Some(secret) = mcp_spec.auth.as_ref().and_then(|a| a.secret.as_ref()) {
            secret_env.insert("MCP_AUTH_SECRET".into(), secret.clone());
        }
        for (k, v) in &s.env {
            env_vars.insert(k.clone(), v.as_str().to_string());
        }
        for (k, v) in &s.secrets {
            env_vars.remove(k);
            secret_env.insert(k.clone(), v.clone());
        }
        env_vars.retain(|k, _| !secret_env.contains_key(k));

        let files = file_keys(&s.files);

        let dependencies = s
            .dependencies
            .iter()
            .map(|(k, d)| {
                let ns = d
                    .namespace
                    .as_ref()
                    .map_or_else(|| namespace.clone(), ToString::to_string);
                (
                    k.clone(),
                    DependencyModel {
                        spec: d.clone(),
                        namespace: ns,
                    },
                )
            })
            .collect();

        let expose = s.expose.as_ref().map(|e| ExposeModel {
            host: e.host.to_string(),
            path: e
                .path
                .as_ref()
                .map_or_else(|| mcp.path.clone(), ToString::to_string),
            class: e
                .ingress_class
                .as_ref()
                .map_or_else(|| "nginx".to_string(), ToString::to_string),
            cluster_issuer: e
                .tls
                .as_ref()
                .and_then(|t| t.cluster_issuer.as_ref())
                .map(ToString::to_string),
            tls_secret: e.tls.as_ref().map(|t| {
                t.secret_name
                    .as_ref()
                    .map_or_else(|| format!("{name}-tls"), ToString::to_string)
            }),
            rate_limit: e.rate_limit.as_ref().map(|r| {
                let secs = r.window.as_ref().and_then(|w| w.seconds()).unwrap_or(60);
                (r.requests, secs.max(1))
            }),
        });

        let net = s.network.clone().unwrap_or_default();
        let network = NetworkModel {
            allow_from: net.allow_from,
            allow_to: net.allow_to,
        };

        let max_pods = hpa.as_ref().map_or(replicas, |h| h.max);
        // Legacy SSE binds each session to the pod holding its GET stream, whatever the
        // server says about its own state.
        let sticky = (!mcp.stateless || mcp.transport == Transport::Sse)
            && mcp.transport != Transport::Stdio
            && max_pods > 1;
        let grace_seconds = if mcp.streaming {
            GRACE_SECONDS_STREAMING
        } else {
            GRACE_SECONDS_SHORT
        };

        Model {
            env: env.map(str::to_string),
            source_name: source_name.to_string(),
            namespace,
            labels,
            annotations: file.metadata.annotations.clone(),
            selector,
            image: s.image.to_string(),
            image_pinned: s.image.digest().is_some(),
            build,
            mcp,
            probes,
            health_port,
            metrics_port,
            replicas,
            hpa,
            vpa,
            resources,
            env_vars,
            secret_env,
            files,
            dependencies,
            expose,
            network,
            quota: s.quota.clone(),
            sticky,
            grace_seconds,
            name,
            spec: file.clone(),
        }
    }

    /// The header comment for generated YAML files.
    pub fn header(&self) -> String {
        // The file name is user input: keep the header on one line whatever it holds.
        let name: String = self
            .source_name
            .chars()
            // YAML 1.1 readers also break lines at U+0085 (a control), U+2028 and U+2029.
            .map(|c| {
                if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        format!("# Generated by mcpgen from {name}. Do not edit.\n")
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

    /// Largest pod count a rollout can reach: the HPA maximum (or fixed replicas) plus the
    /// rolling-update surge.
    pub fn max_pods(&self) -> u32 {
        let n = self.hpa.as_ref().map_or(self.replicas, |h| h.max);
        n + self.max_surge()
    }

    /// Pods added above the desired count during a rollout (`maxSurge`). An absolute number
    /// so the quota can be checked against it.
    pub fn max_surge(&self) -> u32 {
        let n = self.hpa.as_ref().map_or(self.replicas, |h| h.max);
        n.div_ceil(4).max(1)
    }
}

/// The environment variables through which the server learns what the spec says about its
/// transport and security settings. Documented in docs/output-layout.md; user `env` wins.
fn contract_env(
    spec: &crate::spec::Mcp,
    mcp: &McpModel,
    build: Option<&BuildModel>,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let transport = match mcp.transport {
        Transport::StreamableHttp => "streamable-http",
        Transport::Sse => "sse",
        Transport::Stdio => "stdio",
    };
    env.insert("MCP_TRANSPORT".into(), transport.to_string());
    env.insert("MCP_PATH".into(), mcp.path.clone());
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
        env.insert(
            "MCP_ALLOWED_HOSTS".into(),
            v.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(","),
        );
    }
    if let Some(t) = spec.trust_proxy_headers {
        env.insert("MCP_TRUST_PROXY_HEADERS".into(), t.to_string());
    }
    if let Some(auth) = &spec.auth {
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
        let mut run = crate::check::Run::default();
        crate::check::check_text(
            &mut run,
            "t.yaml",
            yaml.to_string(),
            crate::spec::Syntax::Yaml,
            None,
        );
        let errors: Vec<_> = run
            .diagnostics
            .iter()
            .filter(|d| d.level == crate::diagnostics::Level::Error)
            .map(|d| d.message.clone())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let spec = run.files[0].specs.first().cloned();
        Model::from_spec(&spec.unwrap_or_else(|| panic!("no valid spec")))
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
