//! Prometheus outputs: the rules file, the PrometheusRule, the ServiceMonitor and the plain
//! scrape config, as typed serde structures.
//!
//! Field order in the structs is the order in the files. Only fields Prometheus 2.42 and the
//! prometheus-operator CRDs both accept are written: no `query_offset`, no group `labels`
//! (promtool 2.42 rejects them). Expressions come from `alerts.rs`; this module only arranges them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

use crate::model::Model;
use crate::model::monitoring::MonitoringModel;

use super::alerts::{AlertRule, Group, RecordRule};

/// A Prometheus rules file (`groups:`), also the `spec` of a PrometheusRule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFile {
    /// Rule groups.
    pub groups: Vec<RuleGroup>,
}

/// A rule group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleGroup {
    /// Group name, unique in the file.
    pub name: String,
    /// Rules.
    pub rules: Vec<Rule>,
}

/// An alerting or recording rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rule {
    /// An alerting rule.
    Alert(AlertingRule),
    /// A recording rule.
    Record(RecordingRule),
}

/// A recording rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingRule {
    /// Recorded series name.
    pub record: String,
    /// PromQL expression.
    pub expr: String,
}

/// An alerting rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertingRule {
    /// Alert name.
    pub alert: String,
    /// PromQL expression.
    pub expr: String,
    /// How long the expression must hold before the alert fires.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    /// Labels added to the alert.
    pub labels: BTreeMap<String, String>,
    /// Annotations (templates).
    pub annotations: BTreeMap<String, String>,
}

/// The rules file of a model: one group of recording rules (breakdowns by MCP method and
/// tool), one of alerts on the server's own metrics, one of alerts on the Kubernetes-side
/// metrics, each only when it has rules.
pub fn rule_file(m: &MonitoringModel, rules: &[AlertRule], records: &[RecordRule]) -> RuleFile {
    let mut groups = Vec::new();
    if !records.is_empty() {
        groups.push(RuleGroup {
            name: format!("{}.{}.records", m.namespace, m.job),
            rules: records
                .iter()
                .map(|r| {
                    Rule::Record(RecordingRule {
                        record: r.name.clone(),
                        expr: r.expr.clone(),
                    })
                })
                .collect(),
        });
    }
    for (group, suffix) in [(Group::Mcp, "mcp"), (Group::Kubernetes, "kubernetes")] {
        let rules: Vec<Rule> = rules
            .iter()
            .filter(|r| r.group == group)
            .map(|r| {
                Rule::Alert(AlertingRule {
                    alert: r.name().to_string(),
                    expr: r.expr.clone(),
                    for_: (r.alert.for_.millis() > 0).then(|| r.alert.for_.to_string()),
                    labels: r.labels(),
                    annotations: r.annotation_sources(),
                })
            })
            .collect();
        if !rules.is_empty() {
            groups.push(RuleGroup {
                name: format!("{}.{}.{suffix}", m.namespace, m.job),
                rules,
            });
        }
    }
    RuleFile { groups }
}

/// A `monitoring.coreos.com/v1` PrometheusRule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusRule {
    /// `monitoring.coreos.com/v1`.
    pub api_version: &'static str,
    /// `PrometheusRule`.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// The rule groups.
    pub spec: RuleFile,
}

/// Labels of the operator objects: the model's labels plus `ruleLabels`, which the operator's
/// `ruleSelector`/`serviceMonitorSelector` match (the pitfall behind prometheus-operator#2878).
fn operator_labels(model: &Model, m: &MonitoringModel) -> BTreeMap<String, String> {
    let mut labels = model.labels.clone();
    labels.extend(m.rule_labels.clone());
    labels
}

fn metadata(model: &Model, m: &MonitoringModel) -> ObjectMeta {
    ObjectMeta {
        name: Some(model.name.clone()),
        namespace: Some(model.namespace.clone()),
        labels: Some(operator_labels(model, m)),
        annotations: (!model.annotations.is_empty()).then(|| model.annotations.clone()),
        ..ObjectMeta::default()
    }
}

/// The PrometheusRule wrapping the same groups as the rules file.
pub fn prometheus_rule(model: &Model, m: &MonitoringModel, rules: RuleFile) -> PrometheusRule {
    PrometheusRule {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: metadata(model, m),
        spec: rules,
    }
}

/// A `monitoring.coreos.com/v1` ServiceMonitor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMonitor {
    /// `monitoring.coreos.com/v1`.
    pub api_version: &'static str,
    /// `ServiceMonitor`.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What to scrape.
    pub spec: ServiceMonitorSpec,
}

/// ServiceMonitor spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    /// Services to scrape: the generated Service's selector labels.
    pub selector: LabelSelector,
    /// Namespaces to look for the Service in.
    pub namespace_selector: NamespaceSelector,
    /// Ports to scrape.
    pub endpoints: Vec<Endpoint>,
}

/// Namespace selector of a ServiceMonitor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    /// Namespace names.
    pub match_names: Vec<String>,
}

/// One scraped Service port.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// Service port name.
    pub port: String,
    /// HTTP path.
    pub path: String,
    /// Scheme.
    pub scheme: &'static str,
    /// Scrape interval.
    pub interval: String,
}

/// The ServiceMonitor of the generated Service. Without `jobLabel` the operator sets `job` to the
/// Service name, which is the server name the alert expressions match on.
pub fn service_monitor(model: &Model, m: &MonitoringModel) -> ServiceMonitor {
    ServiceMonitor {
        api_version: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: metadata(model, m),
        spec: ServiceMonitorSpec {
            selector: LabelSelector {
                match_labels: Some(model.selector.clone()),
                match_expressions: None,
            },
            namespace_selector: NamespaceSelector {
                match_names: vec![model.namespace.clone()],
            },
            endpoints: vec![Endpoint {
                port: m.endpoint.port_name.to_string(),
                path: m.endpoint.path.clone(),
                scheme: "http",
                interval: m.endpoint.interval.to_string(),
            }],
        },
    }
}

/// A plain Prometheus configuration holding only `scrape_configs`; paste the job into an
/// existing `prometheus.yml` (`promtool check config` accepts the file on its own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScrapeConfigFile {
    /// The scrape jobs.
    pub scrape_configs: Vec<ScrapeConfig>,
}

/// One scrape job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScrapeConfig {
    /// Job name (unique in a Prometheus configuration, hence namespaced).
    pub job_name: String,
    /// Scrape interval.
    pub scrape_interval: String,
    /// HTTP path.
    pub metrics_path: String,
    /// Scheme.
    pub scheme: &'static str,
    /// Service discovery.
    pub kubernetes_sd_configs: Vec<KubernetesSdConfig>,
    /// Target selection and labelling.
    pub relabel_configs: Vec<RelabelConfig>,
}

/// Kubernetes service discovery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KubernetesSdConfig {
    /// Discovery role.
    pub role: &'static str,
    /// Namespaces to watch.
    pub namespaces: SdNamespaces,
}

/// Namespaces to discover in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SdNamespaces {
    /// Namespace names.
    pub names: Vec<String>,
}

/// A relabelling step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelabelConfig {
    /// Labels whose values are joined with `;`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_labels: Option<Vec<String>>,
    /// Regex the joined value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Action (`keep`, default `replace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    /// Label written by `replace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_label: Option<String>,
    /// Value written by `replace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

impl RelabelConfig {
    fn copy(source: &str, target: &str) -> RelabelConfig {
        RelabelConfig {
            source_labels: Some(vec![source.into()]),
            regex: None,
            action: None,
            target_label: Some(target.into()),
            replacement: None,
        }
    }
}

/// The Kubernetes SD meta label of a Service label (`app.kubernetes.io/name` →
/// `__meta_kubernetes_service_label_app_kubernetes_io_name`).
fn service_label_meta(label: &str) -> String {
    let sanitized: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("__meta_kubernetes_service_label_{sanitized}")
}

/// The scrape job for plain Prometheus. It discovers the Service's endpoints with the
/// `endpointslice` role (the Endpoints API is deprecated since Kubernetes 1.33), keeps only
/// those whose Service carries the selector labels and whose port has the agreed name, and
/// writes the same `job`, `namespace`, `service`, `pod`, `container` and `endpoint` labels the
/// operator would, so the one rules file serves both setups.
pub fn scrape_config(model: &Model, m: &MonitoringModel) -> ScrapeConfigFile {
    let mut keep_sources: Vec<String> = model
        .selector
        .keys()
        .map(|k| service_label_meta(k))
        .collect();
    let mut keep_values: Vec<String> = model
        .selector
        .values()
        .map(|v| super::promql::regex_escape(v))
        .collect();
    keep_sources.push("__meta_kubernetes_endpointslice_port_name".into());
    keep_values.push(m.endpoint.port_name.to_string());
    let relabel_configs = vec![
        RelabelConfig {
            source_labels: Some(keep_sources),
            regex: Some(keep_values.join(";")),
            action: Some("keep"),
            target_label: None,
            replacement: None,
        },
        RelabelConfig::copy("__meta_kubernetes_namespace", "namespace"),
        RelabelConfig::copy("__meta_kubernetes_service_name", "service"),
        RelabelConfig::copy("__meta_kubernetes_pod_name", "pod"),
        RelabelConfig::copy("__meta_kubernetes_pod_container_name", "container"),
        RelabelConfig::copy("__meta_kubernetes_endpointslice_port_name", "endpoint"),
        // The canary or preview Service of a progressive rollout is scraped as its own job, as
        // the operator does (job = Service name): that is the job its analysis measures.
        if model.delivery.extra_services().is_empty() {
            RelabelConfig {
                source_labels: None,
                regex: None,
                action: None,
                target_label: Some("job".into()),
                replacement: Some(m.job.clone()),
            }
        } else {
            RelabelConfig::copy("__meta_kubernetes_service_name", "job")
        },
    ];
    ScrapeConfigFile {
        scrape_configs: vec![ScrapeConfig {
            job_name: format!("{}/{}", m.namespace, m.job),
            scrape_interval: m.endpoint.interval.to_string(),
            metrics_path: m.endpoint.path.clone(),
            scheme: "http",
            kubernetes_sd_configs: vec![KubernetesSdConfig {
                role: "endpointslice",
                namespaces: SdNamespaces {
                    names: vec![m.namespace.clone()],
                },
            }],
            relabel_configs,
        }],
    }
}
