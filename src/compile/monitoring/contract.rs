//! `metrics-contract.yaml` and `prometheus-adapter-rules.yaml`: the Model's metrics contract
//! written out for the team that owns the server, and the prometheus-adapter rule that serves
//! the autoscaler's custom metric.
//!
//! Both are plain mappings of [`crate::model::contract::MetricsContract`]: the series, labels
//! and readers come from the Model, the PromQL of the adapter rule from `promql.rs`. Neither
//! file is a Kubernetes object: the contract is documentation that is checked (the tests and
//! the consistency stage read the same structure), and the adapter rules belong in the
//! cluster's one prometheus-adapter configuration (its Helm chart's `rules.custom`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Model;
use crate::model::contract::{
    Consumer, ContractSeries, MetricServer, MetricType, MetricsContract, PlatformSeries, Source,
};
use crate::spec::MetricsConvention;

use super::promql::{Matcher, Selector};

/// `metrics-contract.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractFile {
    /// The convention the series follow.
    pub convention: &'static str,
    /// What the server must expose, and what reads each series.
    pub server: Vec<SeriesEntry>,
    /// What the outputs read from elsewhere.
    pub platform: Vec<PlatformEntry>,
    /// The autoscaler's custom metric, when it scales on requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaler: Option<AutoscalerEntry>,
}

/// One series the server exposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesEntry {
    /// Family name.
    pub name: String,
    /// `counter`, `gauge` or `histogram`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Sample names queried.
    pub samples: Vec<String>,
    /// Labels read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<LabelEntry>,
    /// Readers.
    pub read_by: ReadBy,
}

/// One label.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelEntry {
    /// Name.
    pub name: String,
    /// Meaning.
    pub meaning: String,
    /// Matchers the outputs apply to it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
}

/// Readers of a series, by kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadBy {
    /// Alerting rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// Recording rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recording_rules: Vec<String>,
    /// Dashboard panels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<String>,
    /// The autoscaler's metric.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub autoscaler: Vec<String>,
}

/// A platform series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformEntry {
    /// Sample name.
    pub name: String,
    /// Who provides it.
    pub source: &'static str,
    /// Readers.
    pub read_by: ReadBy,
}

/// The autoscaler's metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerEntry {
    /// Custom metric name the HPA reads.
    pub metric: String,
    /// What serves it.
    pub served_by: &'static str,
    /// The query, per pod.
    pub query: String,
}

fn read_by(consumers: &[Consumer]) -> ReadBy {
    let mut r = ReadBy::default();
    for c in consumers {
        match c {
            Consumer::Alert(n) => r.alerts.push(n.clone()),
            Consumer::Record(n) => r.recording_rules.push(n.clone()),
            Consumer::Panel(n) => {
                if !r.panels.contains(n) {
                    r.panels.push(n.clone())
                }
            }
            Consumer::Hpa(n) => r.autoscaler.push(n.clone()),
        }
    }
    r
}

fn series(s: &ContractSeries) -> SeriesEntry {
    SeriesEntry {
        name: s.name.clone(),
        kind: match s.kind {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
        },
        samples: s.samples.clone(),
        labels: s
            .labels
            .iter()
            .map(|l| LabelEntry {
                name: l.name.clone(),
                meaning: l.meaning.clone(),
                matched: l.matched.clone(),
            })
            .collect(),
        read_by: read_by(&s.consumers),
    }
}

fn platform(p: &PlatformSeries) -> PlatformEntry {
    PlatformEntry {
        name: p.name.clone(),
        source: match p.source {
            Source::Server => "server",
            Source::Prometheus => "prometheus",
            Source::Cadvisor => "cadvisor",
            Source::KubeStateMetrics => "kube-state-metrics",
            Source::BlackboxExporter => "blackbox-exporter",
        },
        read_by: read_by(&p.consumers),
    }
}

/// The per-pod query the autoscaler's metric stands for, with the adapter's placeholders or
/// for one server.
fn per_pod_query(c: &MetricsContract, model: &Model) -> Option<String> {
    let h = c.hpa_metric.as_ref()?;
    let sel = Selector::new(
        &h.sample,
        [
            vec![Matcher::eq("namespace", &model.namespace)],
            Matcher::all(&h.scope),
        ]
        .concat(),
    );
    Some(format!("sum by (pod) (rate({sel}[{}]))", h.window))
}

/// The contract file of a model.
pub fn contract_file(model: &Model) -> ContractFile {
    let c = &model.metrics;
    ContractFile {
        convention: match c.convention {
            MetricsConvention::Mcpgen => "mcpgen",
            MetricsConvention::OtelSemconv => "otel-semconv",
            MetricsConvention::Custom => "custom",
        },
        server: c.series.iter().map(series).collect(),
        platform: c.platform.iter().map(platform).collect(),
        autoscaler: model
            .hpa
            .as_ref()
            .filter(|h| h.rps.is_some())
            .and_then(|_| {
                let h = c.hpa_metric.as_ref()?;
                Some(AutoscalerEntry {
                    metric: h.name.clone(),
                    served_by: match h.served_by {
                        MetricServer::PrometheusAdapter => "prometheus-adapter",
                        MetricServer::Keda { .. } => "keda",
                    },
                    query: per_pod_query(c, model)?,
                })
            }),
    }
}

/// prometheus-adapter's configuration (`rules:`), holding the rule of the autoscaler's metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdapterConfig {
    /// Custom metrics rules.
    pub rules: Vec<AdapterRule>,
}

/// One prometheus-adapter rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdapterRule {
    /// Which series the rule applies to.
    pub series_query: String,
    /// How series labels map to Kubernetes objects.
    pub resources: AdapterResources,
    /// How the metric is named.
    pub name: AdapterName,
    /// The query behind the metric (Go template of the adapter).
    pub metrics_query: String,
}

/// Resource overrides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdapterResources {
    /// Label → resource.
    pub overrides: BTreeMap<String, AdapterResource>,
}

/// A Kubernetes resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdapterResource {
    /// Resource name.
    pub resource: String,
}

/// Metric naming.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdapterName {
    /// Regex over the series name.
    pub matches: String,
    /// Name the HPA asks for.
    #[serde(rename = "as")]
    pub as_: String,
}

/// The adapter rules of a model whose HPA reads a custom metric served by prometheus-adapter.
/// The rule is not scoped to one namespace or job: it serves the metric for every pod whose
/// series carry `namespace` and `pod` (what the ServiceMonitor and the scrape config write), so
/// servers sharing a convention share one identical rule.
pub fn adapter_config(model: &Model) -> Option<AdapterConfig> {
    model.hpa.as_ref().filter(|h| h.rps.is_some())?;
    let h = model.metrics.hpa_metric.as_ref()?;
    if h.served_by != MetricServer::PrometheusAdapter {
        return None;
    }
    let series = Selector::new(
        &h.sample,
        [
            vec![Matcher::ne("namespace", ""), Matcher::ne("pod", "")],
            Matcher::all(&h.scope),
        ]
        .concat(),
    );
    let scope: String = Matcher::all(&h.scope)
        .iter()
        .map(|m| format!(",{m}"))
        .collect();
    Some(AdapterConfig {
        rules: vec![AdapterRule {
            series_query: series.to_string(),
            resources: AdapterResources {
                overrides: BTreeMap::from([
                    (
                        "namespace".to_string(),
                        AdapterResource {
                            resource: "namespace".into(),
                        },
                    ),
                    (
                        "pod".to_string(),
                        AdapterResource {
                            resource: "pod".into(),
                        },
                    ),
                ]),
            },
            name: AdapterName {
                matches: format!("^{}$", super::promql::regex_escape(&h.sample)),
                as_: h.name.clone(),
            },
            metrics_query: format!(
                "sum by (<<.GroupBy>>) (rate(<<.Series>>{{<<.LabelMatchers>>{scope}}}[{}]))",
                h.window
            ),
        }],
    })
}
