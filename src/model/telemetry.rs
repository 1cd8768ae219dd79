//! Tracing and logging wiring: the OpenTelemetry SDK environment of the server in each target,
//! the egress to the collector, the compose collector and its configuration, the Operator's
//! auto-instrumentation, and the logging contract's variables and compose log rotation.
//!
//! [`lower_tracing`] and [`logging_env`] read the resolved `monitoring.tracing` and
//! `monitoring.logging` sections (every default already filled in by [`crate::resolve`]) and
//! derive names and values only: variable names and values, the downward-API fields, the
//! collector's service name and ports. The Kubernetes and compose emitters map them; nothing
//! here serializes a file.
//!
//! Variables the spec sets itself (`env` or `secrets`) win over these, as they do over the
//! MCP contract's variables: the Model leaves a generated variable out when the user names it.

use std::collections::BTreeMap;

use crate::resolve::{self, Logging, Tracing};
use crate::spec::{AutoInstrumentation, LogFormat, LogLevel, OtlpProtocol, Sampler};

/// Name of the compose service running the local collector.
pub const COLLECTOR_SERVICE: &str = "otel-collector";
/// Image of the local collector (the core distribution: OTLP in, debug out).
pub const COLLECTOR_IMAGE: &str = "otel/opentelemetry-collector:0.120.0";
/// Where the core collector image reads its configuration.
pub const COLLECTOR_CONFIG_PATH: &str = "/etc/otelcol/config.yaml";
/// OTLP ports of the collector: gRPC and HTTP.
pub const OTLP_GRPC_PORT: u32 = 4317;
/// See [`OTLP_GRPC_PORT`].
pub const OTLP_HTTP_PORT: u32 = 4318;
/// Propagators: W3C Trace Context and Baggage, the ones SEP-414 carries in MCP `_meta`.
pub const PROPAGATORS: &str = "tracecontext,baggage";
/// Compose log rotation: the json-file driver keeps at most this many files of this size per
/// container (Docker's default keeps one file that grows without bound).
pub const LOG_MAX_SIZE: &str = "10m";
/// See [`LOG_MAX_SIZE`].
pub const LOG_MAX_FILES: u32 = 3;

/// A variable the kubelet fills from the pod (downward API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownwardVar {
    /// Variable name.
    pub name: &'static str,
    /// Field path (`metadata.name`, `spec.nodeName`, …).
    pub field_path: &'static str,
}

/// The pod, namespace and node of a Kubernetes pod, read by the kubelet; `OTEL_RESOURCE_ATTRIBUTES`
/// refers to them as `$(NAME)`, which Kubernetes expands only for variables defined earlier in
/// the list: the Deployment lists these first.
pub const DOWNWARD: [DownwardVar; 3] = [
    DownwardVar {
        name: "K8S_NAMESPACE_NAME",
        field_path: "metadata.namespace",
    },
    DownwardVar {
        name: "K8S_NODE_NAME",
        field_path: "spec.nodeName",
    },
    DownwardVar {
        name: "K8S_POD_NAME",
        field_path: "metadata.name",
    },
];

/// Tracing wiring of one server.
#[derive(Debug, Clone, PartialEq)]
pub struct TracingModel {
    /// Variables with one value in every target (service name, protocol, sampler,
    /// propagators), already merged into the Model's `env_vars`; kept here for the docs and
    /// the tests.
    pub common: BTreeMap<String, String>,
    /// Variables of the Kubernetes container that differ from compose (endpoint, resource
    /// attributes with downward-API references), unless the spec sets them.
    pub kubernetes: BTreeMap<String, String>,
    /// The downward-API variables, in the order the Deployment lists them (first).
    pub downward: Vec<DownwardVar>,
    /// Variables of the compose service that differ from Kubernetes.
    pub compose: BTreeMap<String, String>,
    /// The collector the NetworkPolicy admits: namespace and port.
    pub egress: Option<(String, u32)>,
    /// The port of the endpoint (for the policy docs and the collector).
    pub endpoint_port: u32,
    /// The local compose collector, when asked for.
    pub collector: Option<CollectorModel>,
    /// Operator auto-instrumentation, when asked for.
    pub instrumentation: Option<InstrumentationModel>,
}

/// The compose collector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectorModel {
    /// Service name.
    pub service: &'static str,
    /// Image.
    pub image: &'static str,
    /// Path of its configuration in the container.
    pub config_path: &'static str,
    /// OTLP ports it listens on.
    pub ports: [u32; 2],
}

/// An OpenTelemetry Operator `Instrumentation` and how pods ask for it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstrumentationModel {
    /// Object name (the server's).
    pub name: String,
    /// Language injected.
    pub language: AutoInstrumentation,
    /// The pod annotation that asks the Operator to inject it.
    pub annotation: String,
    /// Exporter endpoint (the Operator's injected SDK reads it).
    pub endpoint: String,
    /// Sampler name.
    pub sampler: &'static str,
    /// Sampler argument.
    pub sampler_arg: String,
    /// Propagators.
    pub propagators: Vec<&'static str>,
}

/// `OTEL_TRACES_SAMPLER` value of a sampler.
pub fn sampler_name(s: Sampler) -> &'static str {
    match s {
        Sampler::AlwaysOn => "always_on",
        Sampler::AlwaysOff => "always_off",
        Sampler::Traceidratio => "traceidratio",
        Sampler::ParentbasedAlwaysOn => "parentbased_always_on",
        Sampler::ParentbasedAlwaysOff => "parentbased_always_off",
        Sampler::ParentbasedTraceidratio => "parentbased_traceidratio",
    }
}

/// A ratio as the SDKs parse `OTEL_TRACES_SAMPLER_ARG` (`0.1`, `1`).
fn ratio(r: f64) -> String {
    format!("{r}")
}

/// Joins `key=value` resource attributes.
fn attributes(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The tracing wiring of a server. `user` holds the variable names the spec sets itself.
pub(crate) fn lower_tracing(
    t: &Tracing,
    server: &str,
    namespace: &str,
    environment: &str,
    user: &dyn Fn(&str) -> bool,
) -> TracingModel {
    let protocol = match t.protocol {
        OtlpProtocol::Grpc => "grpc",
        OtlpProtocol::HttpProtobuf => "http/protobuf",
    };
    let mut common = BTreeMap::from([
        ("OTEL_SERVICE_NAME".to_string(), server.to_string()),
        (
            "OTEL_EXPORTER_OTLP_PROTOCOL".to_string(),
            protocol.to_string(),
        ),
        (
            "OTEL_TRACES_SAMPLER".to_string(),
            sampler_name(t.sampler).to_string(),
        ),
        ("OTEL_PROPAGATORS".to_string(), PROPAGATORS.to_string()),
    ]);
    if matches!(
        t.sampler,
        Sampler::Traceidratio | Sampler::ParentbasedTraceidratio
    ) {
        common.insert("OTEL_TRACES_SAMPLER_ARG".into(), ratio(t.sample_ratio));
    }
    common.retain(|k, _| !user(k));

    let k8s_attributes = attributes(&[
        ("deployment.environment.name", environment.to_string()),
        ("k8s.container.name", crate::model::CONTAINER.to_string()),
        ("k8s.deployment.name", server.to_string()),
        ("k8s.namespace.name", format!("$({})", DOWNWARD[0].name)),
        ("k8s.node.name", format!("$({})", DOWNWARD[1].name)),
        ("k8s.pod.name", format!("$({})", DOWNWARD[2].name)),
        ("service.namespace", namespace.to_string()),
    ]);
    let compose_attributes = attributes(&[
        ("deployment.environment.name", environment.to_string()),
        ("service.namespace", namespace.to_string()),
    ]);
    let endpoint_port = resolve::url_host_port(&t.endpoint).map_or(0, |(_, p)| p);
    let collector = t.compose_collector.then_some(CollectorModel {
        service: COLLECTOR_SERVICE,
        image: COLLECTOR_IMAGE,
        config_path: COLLECTOR_CONFIG_PATH,
        ports: [OTLP_GRPC_PORT, OTLP_HTTP_PORT],
    });
    let compose_endpoint = match (&collector, t.protocol) {
        (Some(c), OtlpProtocol::Grpc) => format!("http://{}:{OTLP_GRPC_PORT}", c.service),
        (Some(c), OtlpProtocol::HttpProtobuf) => format!("http://{}:{OTLP_HTTP_PORT}", c.service),
        (None, _) => t.endpoint.clone(),
    };
    let mut kubernetes = BTreeMap::from([
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT".to_string(),
            t.endpoint.clone(),
        ),
        ("OTEL_RESOURCE_ATTRIBUTES".to_string(), k8s_attributes),
    ]);
    let mut compose = BTreeMap::from([
        ("OTEL_EXPORTER_OTLP_ENDPOINT".to_string(), compose_endpoint),
        ("OTEL_RESOURCE_ATTRIBUTES".to_string(), compose_attributes),
    ]);
    kubernetes.retain(|k, _| !user(k));
    compose.retain(|k, _| !user(k));
    // The downward variables are only needed by the resource attributes mcpgen writes.
    let downward = if kubernetes.contains_key("OTEL_RESOURCE_ATTRIBUTES") {
        DOWNWARD.iter().filter(|d| !user(d.name)).cloned().collect()
    } else {
        Vec::new()
    };

    let instrumentation = t.auto_instrumentation.map(|language| InstrumentationModel {
        name: server.to_string(),
        language,
        annotation: format!(
            "instrumentation.opentelemetry.io/inject-{}",
            match language {
                AutoInstrumentation::Nodejs => "nodejs",
                AutoInstrumentation::Python => "python",
            }
        ),
        endpoint: t.endpoint.clone(),
        sampler: sampler_name(t.sampler),
        sampler_arg: ratio(t.sample_ratio),
        propagators: vec!["tracecontext", "baggage"],
    });

    TracingModel {
        common,
        kubernetes,
        downward,
        compose,
        egress: t
            .namespace
            .as_ref()
            .map(|ns| (ns.to_string(), endpoint_port)),
        endpoint_port,
        collector,
        instrumentation,
    }
}

/// The logging contract's variables (`LOG_FORMAT`, `LOG_LEVEL`).
pub(crate) fn logging_env(l: &Logging) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "LOG_FORMAT".to_string(),
            match l.format {
                LogFormat::Json => "json",
                LogFormat::Text => "text",
            }
            .to_string(),
        ),
        (
            "LOG_LEVEL".to_string(),
            match l.level {
                LogLevel::Debug => "debug",
                LogLevel::Info => "info",
                LogLevel::Warn => "warn",
                LogLevel::Error => "error",
            }
            .to_string(),
        ),
    ])
}
