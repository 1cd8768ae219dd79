//! Progressive delivery (docs/delivery.md): the reference spec as a canary (stateless) and as a
//! blue-green rollout (stateful) builds an Argo Rollouts `Rollout` in place of the Deployment,
//! its AnalysisTemplates evaluate exactly the alert expressions `rules.yaml` ships, the HPA and
//! VPA scale the Rollout, and the canary or preview Service is scraped under its own `job`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::support::*;

/// Every document of a generated multi-document file.
pub fn documents(text: &str) -> Vec<Value> {
    text.split("\n---\n").map(parse_yaml).collect()
}

fn build(fixture_name: &str) -> BTreeMap<String, String> {
    let out = tempdir(fixture_name);
    let o = mcpgen(&[
        "build",
        fixture(fixture_name).to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    let tree = read_tree(&out);
    let _ = std::fs::remove_dir_all(out);
    tree
}

const DELIVERY_FILES: &[&str] = &[
    "k8s/rollout.yaml",
    "k8s/analysistemplate.yaml",
    "k8s/service.yaml",
    "k8s/horizontalpodautoscaler.yaml",
    "k8s/verticalpodautoscaler.yaml",
    "k8s/kustomization.yaml",
];

#[test]
fn snapshots_of_the_delivery_objects() {
    for case in ["reference-canary", "reference-bluegreen"] {
        let tree = build(case);
        for env in ["production", "staging"] {
            assert!(
                !tree.contains_key(&format!("mcp-server/{env}/k8s/deployment.yaml")),
                "{case} {env}: a Rollout replaces the Deployment"
            );
            for f in DELIVERY_FILES {
                let path = format!("mcp-server/{env}/{f}");
                let contents = tree
                    .get(&path)
                    .unwrap_or_else(|| panic!("{case}: no {path}"));
                // The staging environment differs only in names and counts: one snapshot of
                // each file is enough there for the Rollout.
                if env == "staging" && *f != "k8s/rollout.yaml" {
                    continue;
                }
                insta::assert_snapshot!(
                    format!("{case}__{env}__{}", f.replace('/', "__")),
                    contents
                );
            }
        }
    }
}

/// The alert expressions of an environment's `rules.yaml`, by alert name.
fn alert_exprs(tree: &BTreeMap<String, String>, env: &str) -> BTreeMap<String, String> {
    let rules = parse_yaml(&tree[&format!("mcp-server/{env}/monitoring/rules.yaml")]);
    let mut out = BTreeMap::new();
    for g in rules["groups"].as_array().expect("groups") {
        for r in g["rules"].as_array().expect("rules") {
            if let (Some(a), Some(e)) = (r["alert"].as_str(), r["expr"].as_str()) {
                out.insert(a.to_string(), e.to_string());
            }
        }
    }
    out
}

/// Every analysis query: (template, metric, query).
fn queries(tree: &BTreeMap<String, String>, env: &str) -> Vec<(String, String, String)> {
    let text = &tree[&format!("mcp-server/{env}/k8s/analysistemplate.yaml")];
    let mut out = Vec::new();
    for t in documents(text) {
        for m in t["spec"]["metrics"].as_array().expect("metrics") {
            out.push((
                t["metadata"]["name"].as_str().expect("name").to_string(),
                m["name"].as_str().expect("metric").to_string(),
                m["provider"]["prometheus"]["query"]
                    .as_str()
                    .expect("query")
                    .to_string(),
            ));
        }
    }
    out
}

#[test]
fn analysis_queries_are_the_alert_expressions_byte_for_byte() {
    let alert_of = |metric: &str| match metric {
        "error-rate" => "MCPServerHighErrorRate",
        "latency-p95" => "MCPServerHighLatencyP95",
        other => panic!("unexpected metric {other}"),
    };
    for (case, measured) in [
        (
            "reference-canary",
            vec![("mcp-server-canary", "mcp-server-canary")],
        ),
        (
            "reference-bluegreen",
            vec![
                ("mcp-server-preview", "mcp-server-preview"),
                ("mcp-server", "mcp-server"),
            ],
        ),
    ] {
        let tree = build(case);
        for env in ["production", "staging"] {
            let alerts = alert_exprs(&tree, env);
            let qs = queries(&tree, env);
            assert_eq!(qs.len(), 2 * measured.len(), "{case} {env}: {qs:?}");
            for (template, metric, query) in qs {
                let (_, job) = measured
                    .iter()
                    .find(|(t, _)| *t == template)
                    .unwrap_or_else(|| panic!("{case}: unexpected template {template}"));
                let alert = &alerts[alert_of(&metric)];
                // The query of the server's own Service is the shipped expression itself; the
                // canary's and the preview's are that expression measured on their Service:
                // the same bytes with their `job`.
                let expected = alert.replace("job=\"mcp-server\"", &format!("job=\"{job}\""));
                assert_eq!(query, expected, "{case} {env} {template}/{metric}");
                if *job == "mcp-server" {
                    assert_eq!(&query, alert, "{case} {env}: not byte-identical");
                }
                assert!(
                    query.contains(&format!("job=\"{job}\"")) && !query.contains("{{"),
                    "{query}"
                );
            }
        }
    }
}

#[test]
fn the_workload_is_the_rollout_everywhere() {
    for case in ["reference-canary", "reference-bluegreen"] {
        let tree = build(case);
        let k8s = |f: &str| parse_yaml(&tree[&format!("mcp-server/production/k8s/{f}")]);
        let hpa = k8s("horizontalpodautoscaler.yaml");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Rollout", "{case}");
        assert_eq!(
            hpa["spec"]["scaleTargetRef"]["apiVersion"],
            "argoproj.io/v1alpha1"
        );
        let vpa = k8s("verticalpodautoscaler.yaml");
        assert_eq!(vpa["spec"]["targetRef"]["kind"], "Rollout", "{case}");
        let rollout = k8s("rollout.yaml");
        let pod_labels = &rollout["spec"]["template"]["metadata"]["labels"];
        // PDB and NetworkPolicy select the pods of both versions.
        for f in ["poddisruptionbudget.yaml", "networkpolicy.yaml"] {
            let o = k8s(f);
            let sel = o["spec"]
                .get("selector")
                .or_else(|| o["spec"].get("podSelector"))
                .expect("selector");
            for (k, v) in sel["matchLabels"].as_object().expect("matchLabels") {
                assert_eq!(&pod_labels[k], v, "{case} {f}");
            }
        }
        for c in rollout["spec"]["template"]["spec"]["topologySpreadConstraints"]
            .as_array()
            .expect("spread")
        {
            assert_eq!(c["matchLabelKeys"][0], "rollouts-pod-template-hash");
        }
        let kustomization = k8s("kustomization.yaml");
        let listed: Vec<&str> = kustomization["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(listed.contains(&"rollout.yaml") && listed.contains(&"analysistemplate.yaml"));
        assert!(!listed.contains(&"deployment.yaml"));
    }
}

#[test]
fn canary_and_preview_services_are_scraped_under_their_own_job() {
    for (case, extra) in [
        ("reference-canary", "mcp-server-canary"),
        ("reference-bluegreen", "mcp-server-preview"),
    ] {
        let tree = build(case);
        let services = documents(&tree["mcp-server/production/k8s/service.yaml"]);
        let names: Vec<&str> = services
            .iter()
            .filter_map(|s| s["metadata"]["name"].as_str())
            .collect();
        assert_eq!(names, ["mcp-server", extra], "{case}");
        let monitor = parse_yaml(&tree["mcp-server/production/monitoring/service-monitor.yaml"]);
        for s in &services {
            for (k, v) in monitor["spec"]["selector"]["matchLabels"]
                .as_object()
                .expect("selector")
            {
                assert_eq!(
                    &s["metadata"]["labels"][k], v,
                    "{case}: the ServiceMonitor skips it"
                );
            }
        }
        // Plain Prometheus names each Service's series after it too.
        let scrape = &tree["mcp-server/production/monitoring/scrape-config.yaml"];
        assert!(
            scrape.contains("__meta_kubernetes_service_name") && scrape.contains("job"),
            "{scrape}"
        );
        // The server accepts the Host of clients of the extra Service.
        let rollout = parse_yaml(&tree["mcp-server/production/k8s/rollout.yaml"]);
        let env = rollout["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .expect("env");
        let hosts = env
            .iter()
            .find(|e| e["name"] == "MCP_ALLOWED_HOSTS")
            .and_then(|e| e["value"].as_str())
            .expect("allowed hosts");
        assert!(
            hosts.contains(&format!("{extra}.mcp-production.svc")),
            "{hosts}"
        );
    }
}
