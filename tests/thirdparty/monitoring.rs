//! The monitoring outputs through the real validators: promtool (rules, unit tests, scrape
//! config, dashboard PromQL), check-jsonschema (operator CRD schemas, Grafana dashboard and
//! panel schemas), kubernetes-validate (the dashboard ConfigMap) and yamllint.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::*;
use super::tools::{blackbox_exporter, promtool, run_ok as run, venv_tool};

// ---------------------------------------------------------------------------------------------
// promtool

#[test]
fn promtool_checks_rules_file_and_prometheus_rule_spec() {
    let Some(promtool) = promtool() else {
        return;
    };
    for o in monitoring_outputs() {
        let dir = write(&o, "promtool_checks_rules_file_and_prometheus_rule_spec");
        let text = run(Command::new(&promtool)
            .arg("check")
            .arg("rules")
            .arg(dir.join("rules.yaml")));
        assert!(text.contains("SUCCESS"), "{text}");
        // For a PrometheusRule, promtool checks its `.spec` (a `groups:` document).
        let spec = parse_yaml(file(&o, "prometheus-rule.yaml"))["spec"].clone();
        let spec_path = dir.join("prometheus-rule.spec.json");
        std::fs::write(&spec_path, spec.to_string()).expect("write spec");
        run(Command::new(&promtool)
            .arg("check")
            .arg("rules")
            .arg(&spec_path));
        // Both carry the same groups.
        assert_eq!(spec, parse_yaml(file(&o, "rules.yaml")));
    }
}

#[test]
fn promtool_runs_the_generated_unit_tests() {
    let Some(promtool) = promtool() else {
        return;
    };
    for o in monitoring_outputs() {
        let dir = write(&o, "promtool_runs_the_generated_unit_tests");
        let text = run(Command::new(&promtool).current_dir(&dir).args([
            "test",
            "rules",
            "rules.test.yaml",
        ]));
        assert!(text.contains("SUCCESS"), "{text}");
        // Every alert has a firing assertion and a silent one.
        let tests = parse_yaml(file(&o, "rules.test.yaml"));
        for name in alerts_of(&o).keys() {
            let cases: Vec<&Value> = tests["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .flat_map(|t| t["alert_rule_test"].as_array().expect("cases"))
                .filter(|c| c["alertname"] == name.as_str())
                .collect();
            // A share of requests can never exceed 100%: that threshold gets no firing case.
            let uncrossable = (o.case, o.env.as_str(), name.as_str())
                == ("monitoring-tuned", "edge", "MCPServerHighErrorRate");
            assert_eq!(
                cases
                    .iter()
                    .any(|c| !c["exp_alerts"].as_array().expect("exp").is_empty()),
                !uncrossable,
                "{name}: firing case"
            );
            assert!(
                cases
                    .iter()
                    .any(|c| c["exp_alerts"].as_array().expect("exp").is_empty()),
                "{name}: no silent case"
            );
        }
    }
}

#[test]
fn generated_unit_tests_catch_broken_rules() {
    // Each kind of assertion must have teeth: break the reference error-rate rule in three ways
    // and expect promtool to fail, naming the alert. A raised threshold silences the firing
    // case; a lowered one (below the "just below" data at 95% of the threshold) makes the
    // silent case fire; a shorter `for` makes the pending case fire early.
    let Some(promtool) = promtool() else {
        return;
    };
    let outputs = monitoring_outputs();
    let o = outputs
        .iter()
        .find(|o| (o.case, o.env.as_str()) == ("reference", "production"))
        .expect("reference production");
    for (from, to) in [
        ("> 0.05", "> 0.5"),
        ("> 0.05", "> 0.04"),
        ("for: 2m", "for: 30s"),
    ] {
        let dir = write(o, "generated_unit_tests_catch_broken_rules");
        let rules = std::fs::read_to_string(dir.join("rules.yaml")).expect("rules");
        assert_eq!(rules.matches(from).count(), 1, "{from}");
        std::fs::write(dir.join("rules.yaml"), rules.replace(from, to)).expect("write");
        let out = Command::new(&promtool)
            .current_dir(&dir)
            .args(["test", "rules", "rules.test.yaml"])
            .output()
            .expect("promtool runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{from} -> {to} went unnoticed");
        assert!(text.contains("alertname: MCPServerHighErrorRate"), "{text}");
    }
}

#[test]
fn promtool_checks_the_scrape_config() {
    // Debian's promtool 2.42 is built without Kubernetes service discovery and rejects
    // `kubernetes_sd_configs` as an unknown field. Everything else of the job (relabelling,
    // regexes, interval, path) is checked for real by swapping the discovery block for a static
    // target in a copy; the discovery block itself is asserted structurally below.
    let Some(promtool) = promtool() else {
        return;
    };
    for o in monitoring_outputs() {
        let dir = write(&o, "promtool_checks_the_scrape_config");
        let mut config = parse_yaml(file(&o, "scrape-config.yaml"));
        let job = &mut config["scrape_configs"][0];
        let sd = job
            .as_object_mut()
            .and_then(|j| j.remove("kubernetes_sd_configs"))
            .expect("kubernetes_sd_configs");
        assert_eq!(sd[0]["role"], "endpointslice");
        assert_eq!(
            sd[0]["namespaces"]["names"].as_array().map(Vec::len),
            Some(1)
        );
        job["static_configs"] = serde_json::json!([{"targets": ["127.0.0.1:8080"]}]);
        let path = dir.join("scrape-config.static.json");
        std::fs::write(&path, config.to_string()).expect("write");
        let text = run(Command::new(&promtool)
            .args(["check", "config", "--syntax-only"])
            .arg(&path));
        assert!(text.contains("SUCCESS"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Schemas

#[test]
fn operator_objects_validate_against_their_crd_schemas() {
    let Some(cj) = venv_tool("check-jsonschema") else {
        return;
    };
    let crd = schemas().join("crd");
    for o in monitoring_outputs() {
        let dir = write(&o, "operator_objects_validate_against_their_crd_schemas");
        for (file, schema) in [
            (
                "prometheus-rule.yaml",
                "monitoring.coreos.com_prometheusrule_v1.json",
            ),
            (
                "service-monitor.yaml",
                "monitoring.coreos.com_servicemonitor_v1.json",
            ),
            ("probe.yaml", "monitoring.coreos.com_probe_v1.json"),
        ] {
            if !has(&o, file) {
                continue;
            }
            run(Command::new(&cj)
                .arg("--schemafile")
                .arg(crd.join(schema))
                .arg(dir.join(file)));
        }
    }
}

#[test]
fn dashboard_configmap_validates_as_kubernetes_configmap() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    for o in monitoring_outputs()
        .into_iter()
        .filter(|o| has(o, "dashboard.json"))
    {
        let dir = write(&o, "dashboard_configmap_validates_as_kubernetes_configmap");
        let script = r#"
import sys, yaml, kubernetes_validate.utils as u
doc = yaml.safe_load(open(sys.argv[1]))
u.validate(doc, "1.37", strict=True)  # raises on any error or a missing schema
assert doc["metadata"]["labels"]["grafana_dashboard"] == "1"
"#;
        run(Command::new(&python)
            .arg("-c")
            .arg(script)
            .arg(dir.join("dashboard-configmap.yaml")));
    }
}

/// Writes a copy of a plugin schema whose root is one of its definitions.
fn definition_schema(dir: &Path, plugin: &str, definition: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        schemas()
            .join("grafana")
            .join(format!("{plugin}.jsonschema.json")),
    )
    .expect("plugin schema");
    let mut schema: Value = serde_json::from_str(&text).expect("schema JSON");
    schema["$ref"] = Value::String(format!("#/definitions/{definition}"));
    let path = dir.join(format!("schema-{plugin}-{definition}.json"));
    std::fs::write(&path, schema.to_string()).expect("write schema");
    path
}

#[test]
fn dashboard_validates_against_grafana_schemas() {
    let Some(cj) = venv_tool("check-jsonschema") else {
        return;
    };
    for o in monitoring_outputs()
        .into_iter()
        .filter(|o| has(o, "dashboard.json"))
    {
        let dir = write(&o, "dashboard_validates_against_grafana_schemas");
        run(Command::new(&cj)
            .arg("--schemafile")
            .arg(schemas().join("grafana/dashboard.jsonschema.json"))
            .arg(dir.join("dashboard.json")));

        let dashboard: Value = serde_json::from_str(file(&o, "dashboard.json")).expect("JSON");
        assert_eq!(dashboard["schemaVersion"], 41);
        let uid = dashboard["uid"].as_str().expect("uid");
        assert!((8..=40).contains(&uid.len()), "{uid}");
        assert_eq!(dashboard["templating"]["list"][0]["type"], "datasource");
        assert_no_overlap(&dashboard);
        // The ConfigMap carries exactly the dashboard file.
        let cm = parse_yaml(file(&o, "dashboard-configmap.yaml"));
        assert_eq!(cm["metadata"]["labels"]["grafana_dashboard"], "1");
        let data = cm["data"].as_object().expect("data");
        assert_eq!(data.len(), 1);
        assert_eq!(
            data.values().next().and_then(Value::as_str),
            Some(file(&o, "dashboard.json"))
        );

        // Per panel: options against the plugin's Options, field config `custom` against its
        // FieldConfig, and every target against the Prometheus query schema.
        let parts = dir.join("panels");
        std::fs::create_dir_all(&parts).expect("mkdir");
        let mut by_schema: BTreeMap<(String, &str), Vec<PathBuf>> = BTreeMap::new();
        for (i, panel) in dashboard["panels"]
            .as_array()
            .expect("panels")
            .iter()
            .enumerate()
        {
            let kind = panel["type"].as_str().expect("type").to_string();
            assert!(kind == "timeseries" || kind == "stat", "panel type {kind}");
            let mut put = |key: (String, &'static str), name: String, v: &Value| {
                let p = parts.join(name);
                std::fs::write(&p, v.to_string()).expect("write part");
                by_schema.entry(key).or_default().push(p);
            };
            put(
                (kind.clone(), "Options"),
                format!("{i}-options.json"),
                &panel["options"],
            );
            if kind == "timeseries" {
                put(
                    (kind.clone(), "FieldConfig"),
                    format!("{i}-custom.json"),
                    &panel["fieldConfig"]["defaults"]["custom"],
                );
            }
            for (j, t) in panel["targets"]
                .as_array()
                .expect("targets")
                .iter()
                .enumerate()
            {
                put(
                    ("prometheus".into(), "Dataquery"),
                    format!("{i}-target-{j}.json"),
                    t,
                );
            }
        }
        assert!(by_schema.contains_key(&("timeseries".into(), "Options")));
        assert!(by_schema.contains_key(&("stat".into(), "Options")));
        for ((plugin, definition), files) in by_schema {
            let schema = definition_schema(&dir, &plugin, definition);
            run(Command::new(&cj)
                .arg("--schemafile")
                .arg(schema)
                .args(files));
        }
    }
}

/// Grafana's variables replaced by values Prometheus accepts.
fn substitute_grafana_variables(expr: &str) -> String {
    expr.replace("$__rate_interval", "5m")
        .replace("${__rate_interval}", "5m")
        .replace("$__interval", "1m")
        .replace("${__interval}", "1m")
        .replace("$__range", "1h")
        .replace("${datasource}", "prometheus")
}

#[test]
fn dashboard_promql_parses_with_promtool() {
    let Some(promtool) = promtool() else {
        return;
    };
    for o in monitoring_outputs()
        .into_iter()
        .filter(|o| has(o, "dashboard.json"))
    {
        let dir = write(&o, "dashboard_promql_parses_with_promtool");
        let dashboard: Value = serde_json::from_str(file(&o, "dashboard.json")).expect("JSON");
        let mut rules = Vec::new();
        for panel in dashboard["panels"].as_array().expect("panels") {
            for t in panel["targets"].as_array().expect("targets") {
                let expr = substitute_grafana_variables(t["expr"].as_str().expect("expr"));
                assert!(!expr.contains('$'), "unsubstituted variable in {expr}");
                rules.push(serde_json::json!({
                    "record": format!("dashboard:panel{}:{}", panel["id"], t["refId"].as_str().unwrap_or("")),
                    "expr": expr,
                }));
            }
        }
        assert!(rules.len() >= 20, "{} queries", rules.len());
        let file = serde_json::json!({"groups": [{"name": "dashboard", "rules": rules}]});
        let path = dir.join("dashboard-queries.rules.json");
        std::fs::write(&path, file.to_string()).expect("write");
        run(Command::new(&promtool).arg("check").arg("rules").arg(&path));
    }
}

#[test]
fn yaml_outputs_pass_yamllint() {
    let Some(yamllint) = venv_tool("yamllint") else {
        return;
    };
    for o in monitoring_outputs() {
        let dir = write(&o, "yaml_outputs_pass_yamllint");
        let files: Vec<PathBuf> = o
            .artifacts
            .iter()
            .filter(|a| a.path.ends_with(".yaml"))
            .map(|a| dir.join(a.path.trim_start_matches("monitoring/")))
            .collect();
        run(Command::new(&yamllint)
            .args(["--strict", "-d", "{extends: default, rules: {line-length: disable, document-start: disable, indentation: {spaces: consistent, indent-sequences: whatever}}}"])
            .args(files));
    }
}

/// Panels stay inside the 24-column grid and never cover each other.
fn assert_no_overlap(dashboard: &Value) {
    let rects: Vec<(u64, u64, u64, u64)> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .map(|p| {
            let g = &p["gridPos"];
            let n = |k: &str| g[k].as_u64().expect("grid number");
            (n("x"), n("y"), n("w"), n("h"))
        })
        .collect();
    for (i, a) in rects.iter().enumerate() {
        assert!(a.0 + a.2 <= 24, "panel {i} leaves the grid");
        for b in &rects[i + 1..] {
            let apart =
                a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
            assert!(apart, "panels overlap: {a:?} {b:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The MCP probe, the autoscaler's metric

#[test]
fn blackbox_module_passes_the_exporter_and_tells_mcp_from_health() {
    // The exporter's own config check, then the real exporter running the module against a
    // stand-in server: an MCP result (JSON or SSE) passes; a JSON-RPC error and a plain
    // health answer fail. The module sends the bearer token from its credentials file.
    let Some(exporter) = blackbox_exporter() else {
        return;
    };
    let Some(python) = venv_tool("python") else {
        return;
    };
    let mut seen = 0;
    for o in monitoring_outputs()
        .into_iter()
        .filter(|o| has(o, "blackbox-module.yaml"))
    {
        seen += 1;
        let dir = write(&o, "blackbox_module");
        run(Command::new(&exporter).arg("--config.check").arg(format!(
            "--config.file={}",
            dir.join("blackbox-module.yaml").display()
        )));
        let text = run(Command::new(&python)
            .arg(root().join("tests/validators/mcp_probe.py"))
            .arg(&exporter)
            .arg(dir.join("blackbox-module.yaml")));
        let module = parse_yaml(file(&o, "blackbox-module.yaml"));
        let (_, m) = module["modules"]
            .as_object()
            .and_then(|m| m.iter().next())
            .expect("one module");
        let body: Value =
            serde_json::from_str(m["http"]["body"].as_str().expect("body")).expect("JSON body");
        let method = body["method"].as_str().expect("method");
        let mut results = BTreeMap::new();
        for line in text.lines() {
            let row: Value = serde_json::from_str(line).expect("json row");
            let rpc: Vec<&str> = row["requests"]
                .as_array()
                .expect("requests")
                .iter()
                .filter_map(|r| r["rpc"].as_str())
                .collect();
            assert_eq!(rpc, [method], "{} {}: {line}", o.case, o.env);
            results.insert(
                row["mode"].as_str().expect("mode").to_string(),
                row["probe_success"].as_i64().expect("success"),
            );
        }
        assert_eq!(
            results,
            BTreeMap::from([
                ("error".to_string(), 0),
                ("health".to_string(), 0),
                ("mcp".to_string(), 1),
                ("sse".to_string(), 1),
            ]),
            "{} {}",
            o.case,
            o.env
        );
    }
    assert!(seen >= 3, "only {seen} probes run");
}

#[test]
fn adapter_rules_are_prometheus_queries() {
    // prometheus-adapter fills in `<<.Series>>`, `<<.LabelMatchers>>` and `<<.GroupBy>>`;
    // with them filled in as the adapter does, the series query and the metrics query must be
    // valid PromQL.
    let Some(promtool) = promtool() else {
        return;
    };
    let mut seen = 0;
    for o in monitoring_outputs()
        .into_iter()
        .filter(|o| has(o, "prometheus-adapter-rules.yaml"))
    {
        seen += 1;
        let dir = write(&o, "adapter_rules_are_prometheus_queries");
        let config = parse_yaml(file(&o, "prometheus-adapter-rules.yaml"));
        let mut rules = Vec::new();
        for (i, r) in config["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .enumerate()
        {
            let series_query = r["seriesQuery"].as_str().expect("seriesQuery");
            let sample = series_query.split('{').next().expect("sample");
            let query = r["metricsQuery"]
                .as_str()
                .expect("metricsQuery")
                .replace("<<.Series>>", sample)
                .replace("<<.LabelMatchers>>", r#"namespace="ns",pod=~"a|b""#)
                .replace("<<.GroupBy>>", "pod");
            assert!(!query.contains("<<"), "{query}");
            rules.push(
                serde_json::json!({"record": format!("adapter:series:{i}"), "expr": series_query}),
            );
            rules
                .push(serde_json::json!({"record": format!("adapter:metrics:{i}"), "expr": query}));
        }
        let path = dir.join("adapter.rules.json");
        std::fs::write(
            &path,
            serde_json::json!({"groups": [{"name": "adapter", "rules": rules}]}).to_string(),
        )
        .expect("write");
        run(Command::new(&promtool).arg("check").arg("rules").arg(&path));
    }
    assert!(seen >= 3, "only {seen} adapter configs checked");
}
