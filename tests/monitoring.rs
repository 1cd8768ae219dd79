//! The monitoring target, checked through the library and the real third-party validators:
//! promtool (rules, unit tests, scrape config, dashboard PromQL), check-jsonschema (operator CRD
//! schemas, Grafana dashboard and panel schemas), kubernetes-validate (the dashboard ConfigMap)
//! and yamllint. Artifacts are snapshotted for every environment of the reference and minimal
//! fixtures.
//!
//! A missing validator fails the test when `CI` is set and is reported as skipped otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use mcpgen::compile::monitoring::MonitoringEmitter;
use mcpgen::compile::{Artifact, Emitter};
use mcpgen::model::Model;
use serde_json::Value;

/// The shared reference and minimal specs, and one spec that tunes every monitoring setting.
const FIXTURES: &[&str] = &["reference", "minimal", "monitoring-tuned"];

/// One environment's monitoring artifacts.
struct Output {
    case: &'static str,
    env: String,
    artifacts: Vec<Artifact>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn outputs() -> Vec<Output> {
    let mut out = Vec::new();
    for case in FIXTURES {
        let path = repo().join("fixtures").join(case).join("service.yaml");
        let run = mcpgen::pipeline::check_paths(&[path], &Default::default());
        assert!(run.failures.is_empty(), "{:?}", run.failures);
        let file = run.files.first().expect("one checked file");
        assert!(!file.variants.is_empty(), "fixture {case} did not validate");
        for v in &file.variants {
            let model = Model::new(&v.resolved, "service.yaml");
            let artifacts = MonitoringEmitter.emit(&model).expect("monitoring emits");
            out.push(Output {
                case,
                env: v.spec.env().unwrap_or("base").to_string(),
                artifacts,
            });
        }
    }
    out
}

/// Writes an output into a fresh directory of its own (tests run in parallel) and returns its
/// `monitoring/` folder.
fn write(o: &Output, test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("monitoring")
        .join(test)
        .join(o.case)
        .join(&o.env);
    let _ = std::fs::remove_dir_all(&dir);
    for a in &o.artifacts {
        let path = dir.join(&a.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &a.contents).expect("write artifact");
    }
    dir.join("monitoring")
}

fn has(o: &Output, name: &str) -> bool {
    let path = format!("monitoring/{name}");
    o.artifacts.iter().any(|a| a.path == path)
}

fn file<'a>(o: &'a Output, name: &str) -> &'a str {
    let path = format!("monitoring/{name}");
    &o.artifacts
        .iter()
        .find(|a| a.path == path)
        .unwrap_or_else(|| panic!("{} {}: no {path}", o.case, o.env))
        .contents
}

// ---------------------------------------------------------------------------------------------
// Tools

fn venv() -> PathBuf {
    std::env::var_os("MCPGEN_TOOLS_VENV").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/mcpgen-tools"),
        PathBuf::from,
    )
}

/// A validator installed into the tools venv (check-jsonschema, yamllint, and the venv's python
/// that has kubernetes-validate), or `None` (a failure under CI) when it is missing.
fn venv_tool(name: &str) -> Option<PathBuf> {
    found(name, vec![venv().join("bin").join(name)])
}

/// promtool: Debian's `prometheus` package puts it in /usr/bin; `.ci/install-tools` may also
/// place it in the venv.
fn promtool() -> Option<PathBuf> {
    found(
        "promtool",
        vec![
            venv().join("bin/promtool"),
            PathBuf::from("/usr/bin/promtool"),
            PathBuf::from("/usr/local/bin/promtool"),
        ],
    )
}

fn found(name: &str, candidates: Vec<PathBuf>) -> Option<PathBuf> {
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed (CI is set, so this fails)"
        );
        eprintln!("SKIPPED: {name} is not installed; run .ci/install-tools");
    }
    found
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

fn schemas() -> PathBuf {
    repo().join("../shared/schemas-thirdparty")
}

fn parse_yaml(text: &str) -> Value {
    let file = mcpgen::source::SourceFile::new("artifact.yaml", text);
    mcpgen::spec::yaml::parse(mcpgen::source::SourceId(0), &file)
        .map(|d| d.value)
        .unwrap_or_else(|_| panic!("generated YAML parses:\n{text}"))
}

// ---------------------------------------------------------------------------------------------
// Snapshots and determinism

#[test]
fn snapshots_of_every_artifact() {
    for o in outputs() {
        for a in &o.artifacts {
            let name = format!(
                "{}__{}__{}",
                o.case,
                o.env,
                a.path.trim_start_matches("monitoring/")
            );
            insta::assert_snapshot!(name, a.contents);
        }
    }
}

#[test]
fn identical_bytes_on_repeated_builds() {
    let first = outputs();
    let second = outputs();
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.artifacts, b.artifacts, "{} {}", a.case, a.env);
    }
}

#[test]
fn every_environment_gets_every_file() {
    for o in outputs() {
        let paths: Vec<&str> = o.artifacts.iter().map(|a| a.path.as_str()).collect();
        let mut expected = vec![
            "monitoring/dashboard-configmap.yaml",
            "monitoring/dashboard.json",
            "monitoring/kustomization.yaml",
            "monitoring/prometheus-rule.yaml",
            "monitoring/rules.test.yaml",
            "monitoring/rules.yaml",
            "monitoring/scrape-config.yaml",
            "monitoring/service-monitor.yaml",
        ];
        // The tuned fixture's `edge` environment switches the dashboard off.
        if (o.case, o.env.as_str()) == ("monitoring-tuned", "edge") {
            expected.drain(..2);
        }
        assert_eq!(paths, expected, "{} {}", o.case, o.env);
        for a in &o.artifacts {
            assert!(a.contents.ends_with('\n'), "{}", a.path);
            if a.path.ends_with(".yaml") {
                assert!(
                    a.contents
                        .starts_with("# Generated by mcpgen from service.yaml. Do not edit.\n"),
                    "{}",
                    a.path
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Behaviour the platform relies on

#[test]
fn operator_objects_carry_rule_labels_and_select_the_service() {
    for o in outputs().iter().filter(|o| o.case == "reference") {
        for name in ["prometheus-rule.yaml", "service-monitor.yaml"] {
            let v = parse_yaml(file(o, name));
            assert_eq!(
                v["metadata"]["labels"]["release"], "kube-prometheus-stack",
                "{name}"
            );
            let ns = if o.env == "staging" {
                "mcp-staging"
            } else {
                "mcp-production"
            };
            assert_eq!(v["metadata"]["namespace"], ns);
        }
        let sm = parse_yaml(file(o, "service-monitor.yaml"));
        assert_eq!(
            sm["spec"]["selector"]["matchLabels"],
            serde_json::json!({
                "app.kubernetes.io/instance": "mcp-server",
                "app.kubernetes.io/name": "mcp-server"
            })
        );
        assert_eq!(sm["spec"]["endpoints"][0]["port"], "http");
        assert_eq!(sm["spec"]["endpoints"][0]["interval"], "10s");
    }
    // A metrics port other than the MCP port is scraped through the Service port `metrics`.
    for o in outputs().iter().filter(|o| o.case == "monitoring-tuned") {
        let sm = parse_yaml(file(o, "service-monitor.yaml"));
        assert_eq!(sm["metadata"]["labels"]["prometheus"], "platform");
        assert_eq!(
            sm["spec"]["endpoints"][0],
            serde_json::json!({
                "port": "metrics", "path": "/internal/metrics", "scheme": "http",
                "interval": "1m30s"
            })
        );
        let scrape = parse_yaml(file(o, "scrape-config.yaml"));
        let keep = &scrape["scrape_configs"][0]["relabel_configs"][0];
        assert_eq!(keep["action"], "keep");
        assert!(keep["regex"].as_str().unwrap_or("").ends_with(";metrics"));
    }
}

fn alerts_of(o: &Output) -> BTreeMap<String, Value> {
    let rules = parse_yaml(file(o, "rules.yaml"));
    let mut out = BTreeMap::new();
    for g in rules["groups"].as_array().expect("groups") {
        for r in g["rules"].as_array().expect("rules") {
            out.insert(r["alert"].as_str().expect("alert").to_string(), r.clone());
        }
    }
    out
}

#[test]
fn alert_catalogue_follows_the_spec() {
    for o in outputs() {
        let alerts = alerts_of(&o);
        let names: Vec<&str> = alerts.keys().map(String::as_str).collect();
        let mut expected = vec![
            "MCPServerDown",
            "MCPServerHighCPUUsage",
            "MCPServerHighErrorRate",
            "MCPServerHighLatencyP95",
            "MCPServerHighMemoryUsage",
            "MCPServerHighSessionNotFoundRate",
            "MCPServerHighToolErrorRate",
        ];
        // The HPA alert exists only with an HPA (the reference spec; not the minimal one).
        if o.case == "reference" {
            expected.insert(1, "MCPServerHPAMaxedOut");
        }
        if o.case == "monitoring-tuned" {
            // Down and CPU are switched off; the server is stateless (no session alert) and
            // its HPA has min == max (no maxed-out alert).
            expected = vec![
                "MCPServerHighErrorRate",
                "MCPServerHighLatencyP95",
                "MCPServerHighMemoryUsage",
                "MCPServerHighToolErrorRate",
            ];
        }
        match (o.case, o.env.as_str()) {
            ("monitoring-tuned", "quiet") => expected.clear(),
            ("monitoring-tuned", "extreme") => expected.insert(0, "MCPServerHighCPUUsage"),
            _ => {}
        }
        assert_eq!(names, expected, "{} {}", o.case, o.env);
        if (o.case, o.env.as_str()) == ("monitoring-tuned", "quiet") {
            // No alerts: empty but valid rule and test files (checked by promtool below).
            assert!(file(&o, "rules.yaml").contains("groups: []"));
        } else if (o.case, o.env.as_str()) == ("monitoring-tuned", "extreme") {
            let err = &alerts["MCPServerHighErrorRate"];
            assert_eq!(err["for"], "500ms");
            assert!(err["expr"].as_str().unwrap_or("").ends_with("> 0"));
            assert_eq!(alerts["MCPServerHighLatencyP95"]["for"], "1d");
            assert!(
                alerts["MCPServerHighCPUUsage"]["expr"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("> 1.5")
            );
        } else if o.case == "monitoring-tuned" {
            let err = &alerts["MCPServerHighErrorRate"];
            assert_eq!(err["for"], "1m30s");
            let ratio = if o.env == "edge" { "> 1" } else { "> 0.005" };
            assert!(err["expr"].as_str().unwrap_or("").ends_with(ratio));
            assert_eq!(
                err["annotations"]["runbook_url"],
                "https://wiki.acme.dev/runbooks/MCPServerHighErrorRate"
            );
            // A 1m30s scrape interval widens the rate window to four scrapes: 6m.
            assert!(err["expr"].as_str().unwrap_or("").contains("[6m]"));
            let latency = &alerts["MCPServerHighLatencyP95"];
            assert!(latency["expr"].as_str().unwrap_or("").ends_with("> 0.25"));
            assert_eq!(latency["labels"]["severity"], "info");
            assert!(
                alerts["MCPServerHighErrorRate"]["expr"]
                    .as_str()
                    .unwrap_or("")
                    .contains("http_server_requests_total{")
            );
        } else if o.case == "reference" {
            let err = &alerts["MCPServerHighErrorRate"];
            assert_eq!(err["for"], "2m");
            assert_eq!(err["labels"]["severity"], "critical");
            assert!(err["expr"].as_str().unwrap_or("").ends_with("> 0.05"));
            assert_eq!(
                err["annotations"]["runbook_url"],
                "https://runbooks.company.com/mcp/MCPServerHighErrorRate"
            );
        } else {
            // Defaults from the spec language docs, and no runbook without a base URL.
            let err = &alerts["MCPServerHighErrorRate"];
            assert_eq!(err["for"], "5m");
            assert!(err["annotations"].get("runbook_url").is_none());
            assert_eq!(alerts["MCPServerHighMemoryUsage"]["for"], "5m");
            assert!(
                alerts["MCPServerHighMemoryUsage"]["expr"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("> 0.85")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// promtool

#[test]
fn promtool_checks_rules_file_and_prometheus_rule_spec() {
    let Some(promtool) = promtool() else {
        return;
    };
    for o in outputs() {
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
    for o in outputs() {
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
    let outputs = outputs();
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
    for o in outputs() {
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
    for o in outputs() {
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
        ] {
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
    for o in outputs().into_iter().filter(|o| has(o, "dashboard.json")) {
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
    for o in outputs().into_iter().filter(|o| has(o, "dashboard.json")) {
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
    for o in outputs().into_iter().filter(|o| has(o, "dashboard.json")) {
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
    for o in outputs() {
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
