//! The `monitoring` target: Prometheus alert rules with their promtool unit tests, the
//! PrometheusRule and ServiceMonitor for the Prometheus operator, a scrape config for plain
//! Prometheus, and a Grafana dashboard with the ConfigMap the Grafana sidecar loads.
//!
//! Defaults (metric names, port, interval, thresholds) are decided in
//! [`crate::model::monitoring`]; PromQL in [`promql`] and [`alerts`]; output structures in
//! [`prometheus`], [`unit_tests`] and [`grafana`]. This module only serializes them into
//! artifacts under `monitoring/`. It writes nothing when `monitoring.enabled` is false, and no
//! dashboard files when `monitoring.dashboard.enabled` is false.

pub mod alerts;
pub mod contract;
pub mod grafana;
pub mod probe;
pub mod prometheus;
pub mod promql;
pub mod unit_tests;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::compile::{Artifact, CompileError, Content, Emitter};
use crate::model::Model;

/// Output directory of this target, relative to the environment directory.
pub const DIR: &str = "monitoring";
/// File name of the plain rules file (the unit tests refer to it by this relative name).
pub const RULES_FILE: &str = "rules.yaml";
/// The files of this target that hold Kubernetes objects (the others are plain Prometheus
/// files and the dashboard JSON).
pub const KUBERNETES_OBJECTS: &[&str] = &[
    "dashboard-configmap.yaml",
    "probe.yaml",
    "prometheus-rule.yaml",
    "service-monitor.yaml",
];
/// File name of the metrics contract.
pub const CONTRACT_FILE: &str = "metrics-contract.yaml";
/// Label the Grafana dashboard sidecar (kube-prometheus-stack's default) watches.
pub const GRAFANA_SIDECAR_LABEL: &str = "grafana_dashboard";

/// The monitoring emitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringEmitter;

fn yaml<T: Serialize>(
    model: &Model,
    path: &str,
    what: &str,
    value: &T,
) -> Result<Artifact, CompileError> {
    let body = serde_saphyr::to_string(value).map_err(|e| CompileError::Serialize {
        what: what.into(),
        message: e.to_string(),
    })?;
    let mut contents = model.header();
    contents.push_str(&body);
    if !contents.ends_with('\n') {
        contents.push('\n');
    }
    let content = if KUBERNETES_OBJECTS.contains(&path) {
        Content::Objects(vec![crate::compile::object(what, value)?])
    } else {
        Content::Other
    };
    Ok(Artifact {
        path: format!("{DIR}/{path}"),
        contents,
        content,
    })
}

fn json<T: Serialize>(value: &T, what: &str) -> Result<String, CompileError> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| CompileError::Serialize {
        what: what.into(),
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

impl Emitter for MonitoringEmitter {
    fn name(&self) -> &'static str {
        "monitoring"
    }

    fn emit(&self, model: &Model) -> Result<Vec<Artifact>, CompileError> {
        // The autoscaler reads the contract whether or not monitoring outputs are on: with
        // monitoring off, the contract and the adapter rule are still written for it.
        let adapter = contract::adapter_config(model);
        let Some(m) = model.monitoring.as_ref() else {
            let mut out = Vec::new();
            if let Some(a) = &adapter {
                out.push(yaml(
                    model,
                    CONTRACT_FILE,
                    "metrics contract",
                    &contract::contract_file(model),
                )?);
                out.push(yaml(
                    model,
                    "prometheus-adapter-rules.yaml",
                    "prometheus-adapter rules",
                    a,
                )?);
            }
            return Ok(out);
        };
        let rules = alerts::rules(m);
        let records = alerts::records(m);
        let rule_file = prometheus::rule_file(m, &rules, &records);
        let mut out = vec![
            yaml(
                model,
                "prometheus-rule.yaml",
                "PrometheusRule",
                &prometheus::prometheus_rule(model, m, rule_file.clone()),
            )?,
            yaml(model, RULES_FILE, "rules file", &rule_file)?,
            yaml(
                model,
                "rules.test.yaml",
                "promtool unit tests",
                &unit_tests::test_file(m, &rules, RULES_FILE),
            )?,
            yaml(
                model,
                "scrape-config.yaml",
                "scrape config",
                &prometheus::scrape_config(model, m),
            )?,
            yaml(
                model,
                "service-monitor.yaml",
                "ServiceMonitor",
                &prometheus::service_monitor(model, m),
            )?,
        ];
        out.push(yaml(
            model,
            CONTRACT_FILE,
            "metrics contract",
            &contract::contract_file(model),
        )?);
        if let Some(a) = &adapter {
            out.push(yaml(
                model,
                "prometheus-adapter-rules.yaml",
                "prometheus-adapter rules",
                a,
            )?);
        }
        if let Some(p) = &m.probe {
            out.push(yaml(
                model,
                "probe.yaml",
                "Probe",
                &probe::probe(model, m, p),
            )?);
            out.push(yaml(
                model,
                "blackbox-module.yaml",
                "blackbox exporter module",
                &probe::blackbox_config(p),
            )?);
        }
        if let Some(dashboard) = grafana::dashboard(model, m) {
            let text = json(&dashboard, "Grafana dashboard")?;
            let mut labels = model.labels.clone();
            labels.insert(GRAFANA_SIDECAR_LABEL.into(), "1".into());
            let config_map = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(format!("{}-dashboard", model.name)),
                    namespace: Some(model.namespace.clone()),
                    labels: Some(labels),
                    annotations: (!model.annotations.is_empty()).then(|| model.annotations.clone()),
                    ..ObjectMeta::default()
                },
                // The sidecar writes each key as a file into one folder: namespace and name keep
                // the dashboards of several environments apart.
                data: Some(BTreeMap::from([(
                    format!("{}-{}.json", model.namespace, model.name),
                    text.clone(),
                )])),
                ..ConfigMap::default()
            };
            out.push(Artifact::text(format!("{DIR}/dashboard.json"), text));
            out.push(yaml(
                model,
                "dashboard-configmap.yaml",
                "dashboard ConfigMap",
                &config_map,
            )?);
        }
        // The Kubernetes objects among the outputs get their own kustomization, so
        // `kubectl apply -k monitoring/` works next to `kubectl apply -k k8s/` (kustomize does
        // not load files from outside its own directory).
        let objects: Vec<String> = out
            .iter()
            .filter_map(|a| a.path.strip_prefix(&format!("{DIR}/")))
            .filter(|name| KUBERNETES_OBJECTS.contains(name))
            .map(str::to_string)
            .collect();
        out.push(crate::compile::k8s::kustomization_file(
            model,
            &format!("{DIR}/kustomization.yaml"),
            objects,
        )?);
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emit(spec: &str) -> Vec<Artifact> {
        let text = format!(
            "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {{name: demo}}\nspec:\n  image: ghcr.io/acme/demo:1.0.0\n{spec}"
        );
        let model = crate::pipeline::testing::base_model_full(&text);
        let emitter = MonitoringEmitter;
        assert_eq!(emitter.name(), "monitoring");
        emitter.emit(&model).expect("emits")
    }

    #[test]
    fn nothing_when_monitoring_is_off() {
        assert!(emit("  monitoring: {enabled: false}\n").is_empty());
    }

    #[test]
    fn no_dashboard_files_when_the_dashboard_is_off() {
        let paths: Vec<String> = emit("  monitoring: {dashboard: {enabled: false}}\n")
            .into_iter()
            .map(|a| a.path)
            .collect();
        assert_eq!(
            paths,
            [
                "monitoring/kustomization.yaml",
                "monitoring/metrics-contract.yaml",
                "monitoring/prometheus-rule.yaml",
                "monitoring/rules.test.yaml",
                "monitoring/rules.yaml",
                "monitoring/scrape-config.yaml",
                "monitoring/service-monitor.yaml",
            ]
        );
    }

    #[test]
    fn dashboard_uid_is_stable_and_short() {
        let a = emit("");
        let b = emit("");
        assert_eq!(a, b);
        let dashboard = a
            .iter()
            .find(|x| x.path == "monitoring/dashboard.json")
            .expect("dashboard");
        let v: serde_json::Value = serde_json::from_str(&dashboard.contents).expect("json");
        let uid = v["uid"].as_str().expect("uid");
        assert!(uid.len() <= 40 && uid.starts_with("mcpgen-"), "{uid}");
    }
}
