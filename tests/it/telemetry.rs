//! Telemetry wiring and the metrics contract, through the library and the binary: the OTEL
//! variables of the Deployment and the compose service, the collector egress, the KEDA and
//! Instrumentation objects of `fixtures/reference-otel`, and the contract checked against every
//! expression the outputs contain (what the consistency stage will check on every build).

use std::collections::{BTreeMap, BTreeSet};

use mcpgen::compile::{Emitter, emitters};
use mcpgen::model::Model;
use mcpgen::model::contract::Consumer;
use serde_json::Value;

use super::support::*;

/// The model of the base variant of a spec given as text (policy findings aside, it must be
/// valid).
fn model_of(yaml: &str) -> Model {
    let report = mcpgen::pipeline::check(
        &[mcpgen::pipeline::Input::Text {
            name: "t.yaml".into(),
            text: yaml.into(),
            syntax: mcpgen::spec::Syntax::Yaml,
        }],
        &Default::default(),
    );
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.level == mcpgen::diagnostics::Level::Error && !d.code.starts_with("MCP2"))
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    Model::new(&report.files[0].variants[0].resolved, "service.yaml")
}

/// Every artifact of every target of one fixture environment.
fn artifacts(case: &str, env: &str) -> (Model, BTreeMap<String, String>) {
    let run = mcpgen::pipeline::check_paths(&[fixture(case)], &Default::default());
    let variant = run.files[0]
        .variants
        .iter()
        .find(|v| v.spec.env().unwrap_or("base") == env)
        .unwrap_or_else(|| panic!("{case} has no {env}"));
    let model = Model::new(&variant.resolved, "service.yaml");
    let mut out = BTreeMap::new();
    for e in emitters() {
        for a in e.emit(&model).expect("emits") {
            out.insert(a.path, a.contents);
        }
    }
    (model, out)
}

#[test]
fn otel_wiring_snapshots() {
    for env in ["production", "modern"] {
        let (_, files) = artifacts("reference-otel", env);
        for path in [
            "k8s/deployment.yaml",
            "k8s/networkpolicy.yaml",
            "k8s/instrumentation.yaml",
            "k8s/scaledobject.yaml",
            "k8s/horizontalpodautoscaler.yaml",
            "compose.yaml",
        ] {
            let name = format!("reference-otel__{env}__{}", path.replace('/', "__"));
            match files.get(path) {
                Some(text) => insta::assert_snapshot!(name, text),
                // KEDA owns the HPA in `modern`; production has no ScaledObject.
                None => assert!(
                    matches!(
                        (env, path),
                        ("modern", "k8s/horizontalpodautoscaler.yaml")
                            | ("production", "k8s/scaledobject.yaml")
                    ),
                    "{env}: no {path}"
                ),
            }
        }
    }
}

#[test]
fn deployment_and_compose_carry_the_otel_variables() {
    let (_, files) = artifacts("reference-otel", "production");
    let deployment = parse_yaml(&files["k8s/deployment.yaml"]);
    let env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .expect("env")
        .clone();
    let names: Vec<&str> = env.iter().filter_map(|e| e["name"].as_str()).collect();
    let position = |n: &str| names.iter().position(|x| *x == n).unwrap_or(usize::MAX);
    for v in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
        "OTEL_PROPAGATORS",
        "LOG_FORMAT",
        "LOG_LEVEL",
    ] {
        assert!(names.contains(&v), "{v} missing: {names:?}");
    }
    // `$(VAR)` expands only for variables listed earlier: the downward-API ones come first.
    let attributes = env
        .iter()
        .find(|e| e["name"] == "OTEL_RESOURCE_ATTRIBUTES")
        .and_then(|e| e["value"].as_str())
        .expect("resource attributes");
    for (var, field) in [
        ("K8S_POD_NAME", "metadata.name"),
        ("K8S_NAMESPACE_NAME", "metadata.namespace"),
        ("K8S_NODE_NAME", "spec.nodeName"),
    ] {
        assert!(attributes.contains(&format!("$({var})")), "{attributes}");
        assert!(position(var) < position("OTEL_RESOURCE_ATTRIBUTES"));
        let e = &env[position(var)];
        assert_eq!(e["valueFrom"]["fieldRef"]["fieldPath"], field);
    }
    assert!(attributes.contains("deployment.environment.name=production"));

    let compose = parse_yaml(&files["compose.yaml"]);
    let server = &compose["services"]["mcp-server"];
    assert_eq!(
        server["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"],
        "http://otel-collector:4317"
    );
    assert_eq!(server["environment"]["OTEL_SERVICE_NAME"], "mcp-server");
    assert!(
        !server["environment"]["OTEL_RESOURCE_ATTRIBUTES"]
            .as_str()
            .unwrap_or("$(")
            .contains("$("),
        "compose has no downward API"
    );
    assert!(compose["services"]["otel-collector"].is_object());
    for (name, svc) in compose["services"].as_object().expect("services") {
        assert_eq!(svc["logging"]["options"]["max-size"], "10m", "{name}");
    }

    // The egress admits the collector's namespace on the OTLP port.
    let np = parse_yaml(&files["k8s/networkpolicy.yaml"]);
    let admitted = np["spec"]["egress"]
        .as_array()
        .expect("egress")
        .iter()
        .any(|r| {
            r["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                == "observability"
                && r["ports"][0]["port"] == 4317
        });
    assert!(admitted, "no egress to the collector");
}

#[test]
fn user_variables_win_over_generated_ones() {
    let spec = "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: s}\nspec:\n  image: ghcr.io/a/b:1.0.0\n  env: {OTEL_SERVICE_NAME: custom, OTEL_RESOURCE_ATTRIBUTES: team=x, LOG_LEVEL: debug}\n  monitoring:\n    tracing: {endpoint: \"http://collector.otel.svc:4318\", protocol: http/protobuf}\n    logging: {}\n";
    let model = model_of(spec);
    assert_eq!(model.kubernetes_env["OTEL_SERVICE_NAME"], "custom");
    assert_eq!(model.kubernetes_env["LOG_LEVEL"], "debug");
    assert_eq!(model.kubernetes_env["LOG_FORMAT"], "json");
    let t = model.tracing.as_ref().expect("tracing");
    assert!(!t.kubernetes.contains_key("OTEL_RESOURCE_ATTRIBUTES"));
    assert!(t.downward.is_empty(), "no downward variables nobody reads");
    assert_eq!(t.egress, Some(("otel".to_string(), 4318)));
}

/// The rule expressions of a monitoring output: alerts and recording rules by name.
fn expressions(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let Some(rules) = files.get("monitoring/rules.yaml") else {
        return BTreeMap::new();
    };
    let v = parse_yaml(rules);
    let mut out = BTreeMap::new();
    for g in v["groups"].as_array().expect("groups") {
        for r in g["rules"].as_array().expect("rules") {
            let name = r["alert"].as_str().or(r["record"].as_str()).expect("name");
            out.insert(
                name.to_string(),
                r["expr"].as_str().expect("expr").to_string(),
            );
        }
    }
    out
}

/// The metrics contract against every output that reads metrics, for every fixture
/// environment with monitoring: every series an expression reads is one the contract (or a
/// platform source) provides; every reader the contract lists reads that series; and every
/// custom metric an HPA reads is served by a prometheus-adapter rule or a KEDA trigger.
#[test]
fn the_contract_covers_every_expression_and_every_autoscaler_metric() {
    let mut checked = 0;
    for case in MONITORING_FIXTURES {
        let run = mcpgen::pipeline::check_paths(&[fixture(case)], &Default::default());
        for v in &run.files[0].variants {
            let env = v.spec.env().unwrap_or("base").to_string();
            let (model, files) = artifacts(case, &env);
            let contract = &model.metrics;
            let exprs = expressions(&files);
            for (name, expr) in &exprs {
                for metric in metric_names(expr) {
                    assert!(
                        contract.provides(&metric),
                        "{case} {env} {name}: {metric} is in no contract"
                    );
                }
            }
            let mut readers: Vec<(&str, &Consumer)> = contract
                .series
                .iter()
                .flat_map(|s| s.consumers.iter().map(move |c| (s.name.as_str(), c)))
                .collect();
            readers.extend(
                contract
                    .platform
                    .iter()
                    .flat_map(|p| p.consumers.iter().map(move |c| (p.name.as_str(), c))),
            );
            for (series, consumer) in readers {
                let expr = match consumer {
                    Consumer::Alert(a) => exprs.get(a),
                    Consumer::Record(r) => exprs
                        .iter()
                        .find(|(k, _)| k.starts_with(r.as_str()))
                        .map(|(_, e)| e),
                    _ => continue,
                };
                let expr = expr.unwrap_or_else(|| panic!("{case} {env}: {consumer:?} not written"));
                assert!(
                    metric_names(expr).iter().any(|m| m.starts_with(series)),
                    "{case} {env}: {consumer:?} does not read {series}: {expr}"
                );
            }
            // Every custom metric of the HPA is served.
            if let Some(hpa) = files.get("k8s/horizontalpodautoscaler.yaml") {
                let hpa = parse_yaml(hpa);
                let served: BTreeSet<String> = files
                    .get("monitoring/prometheus-adapter-rules.yaml")
                    .map(|a| {
                        parse_yaml(a)["rules"]
                            .as_array()
                            .expect("rules")
                            .iter()
                            .filter_map(|r| r["name"]["as"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                for m in hpa["spec"]["metrics"].as_array().expect("metrics") {
                    if let Some(name) = m["pods"]["metric"]["name"].as_str() {
                        assert!(served.contains(name), "{case} {env}: {name} is not served");
                    }
                }
            }
            if let Some(so) = files.get("k8s/scaledobject.yaml") {
                let so = parse_yaml(so);
                for t in so["spec"]["triggers"].as_array().expect("triggers") {
                    if t["type"] == "prometheus" {
                        let q = t["metadata"]["query"].as_str().expect("query");
                        for metric in metric_names(q) {
                            assert!(contract.provides(&metric), "{case} {env}: {q}");
                        }
                    }
                }
                // KEDA owns the HPA: no second one.
                assert!(!files.contains_key("k8s/horizontalpodautoscaler.yaml"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} environments checked");
}

#[test]
fn the_written_contract_is_the_models() {
    let (model, files) = artifacts("reference-otel", "production");
    let written = parse_yaml(&files["monitoring/metrics-contract.yaml"]);
    assert_eq!(written["convention"], "otel-semconv");
    let names: Vec<&str> = written["server"]
        .as_array()
        .expect("server")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    let model_names: Vec<&str> = model
        .metrics
        .series
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, model_names);
    assert_eq!(
        written["autoscaler"]["metric"],
        Value::String("mcp_server_operation_per_second".into())
    );
    assert_eq!(written["autoscaler"]["servedBy"], "prometheus-adapter");
}

#[test]
fn a_custom_contract_names_its_labels_and_only_its_series() {
    // ToolHive's series: `status` is success|error, the tool label is `tool`, and there is no
    // duration histogram nor connections gauge: no latency alert, no such panels.
    let spec = "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: s}\nspec:\n  image: ghcr.io/a/b:1.0.0\n  mcp: {stateless: true}\n  monitoring:\n    metrics:\n      convention: custom\n      names: {requests: toolhive_mcp_requests_total, toolExecutions: toolhive_mcp_tool_calls_total}\n      labels: {error: error, success: success, tool: tool}\n";
    let model = model_of(spec);
    let m = model.monitoring.as_ref().expect("monitoring");
    let emitted = mcpgen::compile::monitoring::MonitoringEmitter
        .emit(&model)
        .expect("emits");
    let rules = emitted
        .iter()
        .find(|a| a.path == "monitoring/rules.yaml")
        .expect("rules");
    assert!(
        rules
            .contents
            .contains(r#"toolhive_mcp_requests_total{job="s",namespace="s",status="error"}"#),
        "{}",
        rules.contents
    );
    assert!(
        rules
            .contents
            .contains(r#"toolhive_mcp_tool_calls_total{job="s",namespace="s",status="error"}"#)
    );
    assert!(!rules.contents.contains("MCPServerHighLatencyP95"));
    let dashboard = m.dashboard.as_ref().expect("dashboard");
    assert!(
        dashboard
            .panels
            .iter()
            .all(|p| !matches!(p.title(), "Latency" | "p95 latency" | "Active connections"))
    );
    let tools = emitted
        .iter()
        .find(|a| a.path == "monitoring/dashboard.json")
        .expect("dashboard");
    assert!(tools.contents.contains("sum by (tool, status)"));
}
