//! The compose target: `compose.yaml` (Compose Specification) with the server and each
//! dependency, plus `*.env.example` files naming the secret variables the containers read.
//!
//! Typed serde structs with a fixed field order; maps are `BTreeMap`. Compose interpolates
//! `$VAR` in every string it reads, so each value that comes from the spec has `$` doubled.
//! Secret values are never written: the server reads them from `secrets.env`, and a database
//! that needs a password to start from `<dependency>.env`, files the user creates next to
//! `compose.yaml` from the `.example` files mcpgen writes, and never commits. The server runs
//! with `init: true` (Docker's init is PID 1 and forwards signals), and learns where each
//! dependency is from variables naming its compose service.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::compile::{Artifact, CompileError, Content, Emitter, yaml_file};
use crate::model::{HOME_DIR, Model, UID, telemetry};

/// The compose target (`--target compose`).
#[derive(Debug, Clone, Copy)]
pub struct Compose;

/// The env file holding secret values, referenced but never written.
pub const SECRETS_FILE: &str = "secrets.env";

impl Emitter for Compose {
    fn name(&self) -> &'static str {
        "compose"
    }

    fn emit(&self, m: &Model) -> Result<Vec<Artifact>, CompileError> {
        let file = compose_file(m);
        let value = serde_json::to_value(&file).map_err(|e| CompileError::Serialize {
            what: "compose.yaml".to_string(),
            message: e.to_string(),
        })?;
        let mut out = vec![Artifact {
            path: "compose.yaml".to_string(),
            contents: yaml_file(m, "compose.yaml", &[file])?,
            content: Content::Compose(value),
        }];
        let copy_note = |file: &str| {
            let mut text = m.header();
            text.push_str(&format!(
                "# Copy to {file}, fill in the values, and never commit it.\n"
            ));
            text
        };
        if !m.secret_env.is_empty() {
            let mut text = copy_note(SECRETS_FILE);
            for (k, s) in &m.secret_env {
                text.push_str(&format!(
                    "# In Kubernetes: Secret {}, key {}\n{k}=\n",
                    s.secret, s.key
                ));
            }
            out.push(Artifact::text(format!("{SECRETS_FILE}.example"), text));
        }
        // Database images refuse to start without a password; each gets its own env file so
        // the server's secrets never reach another container.
        for (name, d) in &m.dependencies {
            if let Some(var) = d.password_var {
                let file = format!("{name}.env");
                let mut text = copy_note(&file);
                text.push_str(&format!("{var}=\n"));
                out.push(Artifact::text(format!("{file}.example"), text));
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Serialize)]
struct ComposeFile {
    name: String,
    services: BTreeMap<String, Service>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    volumes: BTreeMap<String, VolumeDef>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    configs: BTreeMap<String, ConfigDef>,
}

#[derive(Debug, Serialize, Default)]
struct VolumeDef {}

#[derive(Debug, Serialize)]
struct ConfigDef {
    content: String,
}

#[derive(Debug, Serialize, Default)]
struct Service {
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    init: Option<bool>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    environment: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    env_file: Vec<EnvFile>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    configs: Vec<ServiceConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volumes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_only: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tmpfs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cap_drop: Vec<String>,
    security_opt: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    depends_on: BTreeMap<String, DependsOn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deploy: Option<Deploy>,
    restart: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_grace_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logging: Option<Logging>,
}

/// Bounded log rotation (the json-file driver's default keeps one ever-growing file).
#[derive(Debug, Serialize)]
struct Logging {
    driver: &'static str,
    options: BTreeMap<&'static str, String>,
}

fn rotated_logs() -> Option<Logging> {
    Some(Logging {
        driver: "json-file",
        options: BTreeMap::from([
            ("max-file", telemetry::LOG_MAX_FILES.to_string()),
            ("max-size", telemetry::LOG_MAX_SIZE.to_string()),
        ]),
    })
}

/// The local collector's configuration: OTLP in on both protocols, the debug exporter out.
#[derive(Debug, Serialize)]
struct CollectorConfig {
    receivers: BTreeMap<&'static str, OtlpReceiver>,
    exporters: BTreeMap<&'static str, DebugExporter>,
    service: CollectorService,
}

#[derive(Debug, Serialize)]
struct OtlpReceiver {
    protocols: BTreeMap<&'static str, Endpoint>,
}

#[derive(Debug, Serialize)]
struct Endpoint {
    endpoint: String,
}

#[derive(Debug, Serialize)]
struct DebugExporter {
    verbosity: &'static str,
}

#[derive(Debug, Serialize)]
struct CollectorService {
    pipelines: BTreeMap<&'static str, Pipeline>,
}

#[derive(Debug, Serialize)]
struct Pipeline {
    receivers: Vec<&'static str>,
    exporters: Vec<&'static str>,
}

fn collector_config(c: &telemetry::CollectorModel) -> String {
    let pipeline = || Pipeline {
        receivers: vec!["otlp"],
        exporters: vec!["debug"],
    };
    let config = CollectorConfig {
        receivers: BTreeMap::from([(
            "otlp",
            OtlpReceiver {
                protocols: BTreeMap::from([
                    (
                        "grpc",
                        Endpoint {
                            endpoint: format!("0.0.0.0:{}", c.ports[0]),
                        },
                    ),
                    (
                        "http",
                        Endpoint {
                            endpoint: format!("0.0.0.0:{}", c.ports[1]),
                        },
                    ),
                ]),
            },
        )]),
        exporters: BTreeMap::from([("debug", DebugExporter { verbosity: "basic" })]),
        service: CollectorService {
            pipelines: BTreeMap::from([
                ("logs", pipeline()),
                ("metrics", pipeline()),
                ("traces", pipeline()),
            ]),
        },
    };
    // Plain structs of strings and maps: serialization cannot fail.
    let text = serde_saphyr::to_string(&config).unwrap_or_default();
    text.strip_prefix("---\n").unwrap_or(&text).to_string()
}

#[derive(Debug, Serialize)]
struct EnvFile {
    path: String,
    required: bool,
}

#[derive(Debug, Serialize)]
struct ServiceConfig {
    source: String,
    target: String,
}

#[derive(Debug, Serialize)]
struct Healthcheck {
    test: Vec<String>,
    interval: String,
    timeout: String,
    retries: u32,
    start_period: String,
}

#[derive(Debug, Serialize)]
struct DependsOn {
    condition: String,
    restart: bool,
}

#[derive(Debug, Serialize)]
struct Deploy {
    resources: DeployResources,
}

#[derive(Debug, Serialize)]
struct DeployResources {
    limits: ResourceDef,
    reservations: ResourceDef,
}

#[derive(Debug, Serialize)]
struct ResourceDef {
    cpus: String,
    memory: String,
}

/// Escape compose interpolation: `$` → `$$`.
fn lit(s: &str) -> String {
    s.replace('$', "$$")
}

/// Millicores as a decimal number of CPUs (`1500` → `1.5`).
fn cpus(millis: u64) -> String {
    let whole = millis / 1000;
    let frac = millis % 1000;
    if frac == 0 {
        format!("{whole}.0")
    } else {
        let f = format!("{frac:03}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// Bytes in the largest binary unit compose accepts that divides them exactly.
fn memory(bytes: u128) -> String {
    for (unit, factor) in [("g", 1u128 << 30), ("m", 1 << 20), ("k", 1 << 10)] {
        if bytes >= factor && bytes.is_multiple_of(factor) {
            return format!("{}{unit}", bytes / factor);
        }
    }
    format!("{bytes}b")
}

fn compose_file(m: &Model) -> ComposeFile {
    let mut services = BTreeMap::new();
    let mut volumes = BTreeMap::new();
    let mut configs = BTreeMap::new();
    let secrets_file = EnvFile {
        path: format!("./{SECRETS_FILE}"),
        required: true,
    };

    let mut depends_on = BTreeMap::new();
    for (name, dep) in &m.dependencies {
        let healthcheck = dep.healthcheck.as_ref().map(|test| Healthcheck {
            test: test.iter().map(|c| lit(c)).collect(),
            interval: "10s".to_string(),
            timeout: "5s".to_string(),
            retries: 5,
            start_period: "30s".to_string(),
        });
        // Without a health check the server can only wait for the container to start.
        let condition = if healthcheck.is_some() {
            "service_healthy"
        } else {
            "service_started"
        };
        let mut svc_volumes = Vec::new();
        if let Some(dir) = dep.data_dir {
            let vol = format!("{name}-data");
            svc_volumes.push(format!("{vol}:{dir}"));
            volumes.insert(vol, VolumeDef {});
        }
        services.insert(
            name.clone(),
            Service {
                image: dep.image.to_string(),
                environment: dep.env.iter().map(|(k, v)| (k.clone(), lit(v))).collect(),
                env_file: if dep.password_var.is_some() {
                    vec![EnvFile {
                        path: format!("./{name}.env"),
                        required: true,
                    }]
                } else {
                    Vec::new()
                },
                volumes: svc_volumes,
                security_opt: vec!["no-new-privileges:true".to_string()],
                healthcheck,
                restart: "unless-stopped".to_string(),
                logging: rotated_logs(),
                ..Service::default()
            },
        );
        depends_on.insert(
            name.clone(),
            DependsOn {
                condition: condition.to_string(),
                restart: true,
            },
        );
    }

    let mut svc_configs = Vec::new();
    for (i, (path, f)) in m.files.iter().enumerate() {
        let id = format!("file-{}", i + 1);
        configs.insert(
            id.clone(),
            ConfigDef {
                content: lit(&f.content),
            },
        );
        svc_configs.push(ServiceConfig {
            source: id,
            target: lit(path),
        });
    }

    let mut tmpfs = vec!["/tmp:mode=1777".to_string()];
    if m.needs_home() {
        tmpfs.push(format!("{HOME_DIR}:mode=1777"));
    }
    let r = &m.resources;
    let ports = m
        .ports
        .service()
        .into_iter()
        .map(|p| format!("127.0.0.1:{0}:{0}", p.number))
        .collect();
    let server = Service {
        image: m.image.clone(),
        command: m
            .args
            .as_ref()
            .map(|args| args.iter().map(|a| lit(a)).collect()),
        user: Some(format!("{UID}:{UID}")),
        init: Some(true),
        environment: m
            .compose_env
            .iter()
            .map(|(k, v)| (k.clone(), lit(v)))
            .collect(),
        env_file: if m.secret_env.is_empty() {
            Vec::new()
        } else {
            vec![secrets_file]
        },
        ports,
        configs: svc_configs,
        read_only: Some(true),
        tmpfs,
        cap_drop: vec!["ALL".to_string()],
        security_opt: vec!["no-new-privileges:true".to_string()],
        healthcheck: m.healthcheck.as_ref().map(|h| Healthcheck {
            test: std::iter::once("CMD".to_string())
                .chain(h.command.iter().map(|c| lit(c)))
                .collect(),
            interval: format!("{}s", h.interval),
            timeout: format!("{}s", h.timeout),
            retries: h.retries,
            start_period: format!("{}s", h.start_period),
        }),
        depends_on,
        deploy: Some(Deploy {
            resources: DeployResources {
                limits: ResourceDef {
                    cpus: cpus(r.cpu_limit_millis),
                    memory: memory(r.memory_limit_bytes),
                },
                reservations: ResourceDef {
                    cpus: cpus(r.cpu_request_millis),
                    memory: memory(r.memory_request_bytes),
                },
            },
        }),
        restart: "unless-stopped".to_string(),
        stop_grace_period: Some(format!("{}s", m.grace_seconds)),
        logging: rotated_logs(),
        ..Service::default()
    };
    services.insert(m.name.clone(), server);
    if let Some(t) = &m.tracing {
        if let Some(server) = services.get_mut(&m.name) {
            server
                .environment
                .extend(t.compose.iter().map(|(k, v)| (k.clone(), lit(v))));
        }
        if let Some(c) = &t.collector {
            let id = "otel-collector-config".to_string();
            configs.insert(
                id.clone(),
                ConfigDef {
                    content: lit(&collector_config(c)),
                },
            );
            services.insert(
                c.service.to_string(),
                Service {
                    image: c.image.to_string(),
                    configs: vec![ServiceConfig {
                        source: id,
                        target: c.config_path.to_string(),
                    }],
                    read_only: Some(true),
                    cap_drop: vec!["ALL".to_string()],
                    security_opt: vec!["no-new-privileges:true".to_string()],
                    restart: "unless-stopped".to_string(),
                    logging: rotated_logs(),
                    ..Service::default()
                },
            );
            if let Some(server) = services.get_mut(&m.name) {
                // The collector image has no shell for a health check: started is enough,
                // the SDKs retry exports.
                server.depends_on.insert(
                    c.service.to_string(),
                    DependsOn {
                        condition: "service_started".to_string(),
                        restart: false,
                    },
                );
            }
        }
    }

    ComposeFile {
        name: m.name.clone(),
        services,
        volumes,
        configs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(cpus(1000), "1.0");
        assert_eq!(cpus(500), "0.5");
        assert_eq!(cpus(1250), "1.25");
        assert_eq!(memory(2 << 30), "2g");
        assert_eq!(memory(128 << 20), "128m");
        assert_eq!(memory(1000), "1000b");
        assert_eq!(lit("a$b$$"), "a$$b$$$$");
    }
}
