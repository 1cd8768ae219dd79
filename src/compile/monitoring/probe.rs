//! The MCP probe: a prometheus-operator `Probe` that has the blackbox exporter send a real MCP
//! request to the server, and the exporter module that defines the request and the answer a
//! working server gives.
//!
//! Kubernetes `httpGet` probes can only GET a health path; they cannot tell whether the MCP
//! endpoint answers MCP. The module POSTs `server/discover` (2026-07-28 and later, which
//! every modern server must implement and which creates no state) or `initialize` (older
//! revisions) and fails unless the answer is a 200 whose body holds a member only a successful
//! result has (`supportedVersions`, `serverInfo`). The request itself is the Model's
//! ([`crate::model::monitoring::ProbeModel`]); this module only arranges it.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::model::Model;
use crate::model::monitoring::{MonitoringModel, ProbeModel};

/// A `monitoring.coreos.com/v1` Probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// `monitoring.coreos.com/v1`.
    pub api_version: &'static str,
    /// `Probe`.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What to probe.
    pub spec: ProbeSpec,
}

/// Probe spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeSpec {
    /// `job` label of the probe's series.
    pub job_name: String,
    /// Interval.
    pub interval: String,
    /// Timeout of one scrape of the exporter.
    pub scrape_timeout: String,
    /// Exporter module.
    pub module: String,
    /// The exporter.
    pub prober: Prober,
    /// Targets.
    pub targets: ProbeTargets,
}

/// The blackbox exporter's address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prober {
    /// `host:port`.
    pub url: String,
    /// Probe path.
    pub path: &'static str,
    /// Scheme.
    pub scheme: &'static str,
}

/// Probe targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeTargets {
    /// A static list.
    pub static_config: StaticConfig,
}

/// Static targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticConfig {
    /// URLs.
    #[serde(rename = "static")]
    pub targets: Vec<String>,
}

/// The Probe of a model.
pub fn probe(model: &Model, m: &MonitoringModel, p: &ProbeModel) -> Probe {
    let mut labels = model.labels.clone();
    labels.extend(m.rule_labels.clone());
    Probe {
        api_version: "monitoring.coreos.com/v1",
        kind: "Probe",
        metadata: ObjectMeta {
            name: Some(format!("{}-mcp", model.name)),
            namespace: Some(model.namespace.clone()),
            labels: Some(labels),
            annotations: (!model.annotations.is_empty()).then(|| model.annotations.clone()),
            ..ObjectMeta::default()
        },
        spec: ProbeSpec {
            job_name: p.job.clone(),
            interval: p.interval.to_string(),
            scrape_timeout: p.timeout.to_string(),
            module: p.module.clone(),
            prober: Prober {
                url: p.prober.clone(),
                path: "/probe",
                scheme: "http",
            },
            targets: ProbeTargets {
                static_config: StaticConfig {
                    targets: vec![p.url.clone()],
                },
            },
        },
    }
}

/// A blackbox exporter configuration holding the probe's module (merge it into the exporter's
/// `modules:`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlackboxConfig {
    /// Modules by name.
    pub modules: BTreeMap<String, BlackboxModule>,
}

/// One module.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlackboxModule {
    /// `http`.
    pub prober: &'static str,
    /// Timeout.
    pub timeout: String,
    /// HTTP settings.
    pub http: HttpProbe,
}

/// The HTTP prober's settings (blackbox exporter 0.23 field names).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpProbe {
    /// `POST`.
    pub method: &'static str,
    /// Request headers.
    pub headers: BTreeMap<String, String>,
    /// Request body.
    pub body: String,
    /// Accepted statuses.
    pub valid_status_codes: Vec<u16>,
    /// The answer must match every one.
    pub fail_if_body_not_matches_regexp: Vec<String>,
    /// Follow redirects: no (an MCP endpoint that redirects a POST is broken for clients).
    pub follow_redirects: bool,
    /// Bearer token for a server with auth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Authorization>,
}

/// Authorization header from a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Authorization {
    /// `Bearer`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Token file in the exporter.
    pub credentials_file: String,
}

/// The exporter module of a probe.
pub fn blackbox_config(p: &ProbeModel) -> BlackboxConfig {
    BlackboxConfig {
        modules: BTreeMap::from([(
            p.module.clone(),
            BlackboxModule {
                prober: "http",
                timeout: p.timeout.to_string(),
                http: HttpProbe {
                    method: "POST",
                    headers: p.request.headers.clone(),
                    body: p.request.body.clone(),
                    valid_status_codes: vec![200],
                    fail_if_body_not_matches_regexp: vec![p.request.expect.clone()],
                    follow_redirects: false,
                    authorization: p.credentials_file.as_ref().map(|f| Authorization {
                        kind: "Bearer",
                        credentials_file: f.clone(),
                    }),
                },
            },
        )]),
    }
}
