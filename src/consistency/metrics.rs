//! The metrics the outputs read exist: every series an alert or recording rule, or a KEDA
//! trigger, reads is one the metrics contract provides (the server's series, or the platform's:
//! Prometheus, cAdvisor, kube-state-metrics, the blackbox exporter), and every custom metric an
//! HPA scales on is served by a prometheus-adapter rule. A renamed series that left an alert on
//! the old name, or an HPA metric nothing serves (Kubernetes then never scales down), fails the
//! build here.

use std::collections::BTreeSet;

use super::{Finding, View};
use crate::diagnostics::codes;
use crate::model::Model;

/// The metric names a PromQL expression selects: every identifier followed by a label matcher
/// (the generated expressions always select with a matcher; label names inside the braces never
/// precede one).
pub fn metric_names(expr: &str) -> BTreeSet<String> {
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = NAME.get_or_init(|| {
        regex::Regex::new(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{").expect("a valid pattern")
    });
    re.captures_iter(expr).map(|c| c[1].to_string()).collect()
}

/// The parsed YAML of a generated text artifact.
fn parsed(view: &View, path: &str) -> Option<serde_json::Value> {
    let a = view.artifacts.iter().find(|a| a.path == path)?;
    let file = crate::source::SourceFile::new(path, a.contents.as_str());
    crate::spec::yaml::parse(crate::source::SourceId(0), &file)
        .ok()
        .map(|d| d.value)
}

/// Run the checks.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    let contract = &model.metrics;
    if let Some(rules) = parsed(view, "monitoring/rules.yaml") {
        for rule in rules["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        {
            let name = rule["alert"]
                .as_str()
                .or_else(|| rule["record"].as_str())
                .unwrap_or_default();
            let expr = rule["expr"].as_str().unwrap_or_default();
            for metric in metric_names(expr) {
                if !contract.provides(&metric) {
                    out.push(Finding::new(
                        &codes::SERIES_NOT_IN_CONTRACT,
                        "/spec/monitoring/metrics",
                        format!(
                            "monitoring/rules.yaml: `{name}` reads `{metric}`, which neither the \
                             server's metrics contract nor the platform provides"
                        ),
                    ));
                }
            }
        }
    }
    for so in view.kind("ScaledObject") {
        for t in so.value["spec"]["triggers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let query = t["metadata"]["query"].as_str().unwrap_or_default();
            for metric in metric_names(query) {
                if !contract.provides(&metric) {
                    out.push(Finding::new(
                        &codes::SERIES_NOT_IN_CONTRACT,
                        "/spec/autoscaling",
                        format!(
                            "k8s/scaledobject.yaml: the KEDA trigger reads `{metric}`, which the \
                             metrics contract does not provide"
                        ),
                    ));
                }
            }
        }
    }
    // A build of some targets (`--target k8s`) has no monitoring files to compare with: the
    // adapter rules are then whatever the monitoring target wrote before, which this view
    // cannot see.
    if !view
        .artifacts
        .iter()
        .any(|a| a.path.starts_with("monitoring/"))
    {
        return;
    }
    let served: BTreeSet<String> = parsed(view, "monitoring/prometheus-adapter-rules.yaml")
        .map(|a| {
            a["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["name"]["as"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for hpa in view.kind("HorizontalPodAutoscaler") {
        for m in hpa.value["spec"]["metrics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(name) = m["pods"]["metric"]["name"].as_str()
                && !served.contains(name)
            {
                out.push(Finding::new(
                    &codes::HPA_METRIC_NOT_SERVED,
                    "/spec/autoscaling/requestsPerSecond",
                    format!(
                        "the HPA scales on the Pods metric `{name}`, which no \
                         prometheus-adapter rule serves; Kubernetes skips scale-down while a \
                         metric cannot be fetched"
                    ),
                ));
            }
        }
    }
}
