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

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn build_with(fixture_name: &str, extra: &[&str]) -> (i32, BTreeMap<String, String>, String) {
    let out = tempdir(fixture_name);
    let mut args = vec![
        "build".to_string(),
        fixture(fixture_name).to_str().expect("utf-8").to_string(),
        "-o".to_string(),
        out.to_str().expect("utf-8").to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = mcpgen(&args);
    let tree = if out.exists() {
        read_tree(&out)
    } else {
        BTreeMap::new()
    };
    let _ = std::fs::remove_dir_all(out);
    (code(&o), tree, format!("{}{}", stdout(&o), stderr(&o)))
}

#[test]
fn set_image_changes_the_image_in_every_output_and_nothing_else() {
    for case in ["reference", "reference-canary", "reference-bluegreen"] {
        let pinned = format!("registry.company.com/mcp-server:v1.0.0@{DIGEST}");
        let (c, before, log) = build_with(case, &[]);
        assert_eq!(c, 0, "{log}");
        let set = format!("spec.image={pinned}");
        let (c, after, log) = build_with(case, &["--set", &set]);
        assert_eq!(c, 0, "{log}");
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{case}: the same files"
        );
        let mut changed_files = Vec::new();
        for (path, old) in &before {
            let new = &after[path];
            if old == new {
                continue;
            }
            changed_files.push(path.clone());
            // Compared as values: the serializer folds a long scalar onto its own line.
            let (a, b) = (documents(old), documents(new));
            assert_eq!(a.len(), b.len(), "{case} {path}");
            let mut diffs = Vec::new();
            for (x, y) in a.iter().zip(&b) {
                leaf_diffs("", x, y, &mut diffs);
            }
            assert!(!diffs.is_empty());
            for (pointer, x, y) in diffs {
                // The image itself, and the pull policy a digest makes safe.
                let image = pointer.ends_with("/image") && y == Value::String(pinned.clone());
                let pull =
                    pointer.ends_with("/imagePullPolicy") && x == "Always" && y == "IfNotPresent";
                assert!(image || pull, "{case} {path} {pointer}: {x} became {y}");
            }
        }
        // Every environment's workload and compose file, nothing else.
        let workload = if case == "reference" {
            "deployment"
        } else {
            "rollout"
        };
        let mut expected: Vec<String> = ["production", "staging"]
            .iter()
            .flat_map(|env| {
                [
                    format!("mcp-server/{env}/compose.yaml"),
                    format!("mcp-server/{env}/k8s/{workload}.yaml"),
                ]
            })
            .collect();
        expected.sort();
        changed_files.sort();
        assert_eq!(changed_files, expected, "{case}");
        // --image is the same flag.
        let (c, short, log) = build_with(case, &["--image", &pinned]);
        assert_eq!(c, 0, "{log}");
        assert_eq!(
            short, after,
            "{case}: --image differs from --set spec.image"
        );
    }
}

#[test]
fn the_pinning_rules_see_the_set_image() {
    // The reference's production image is a tag: MCP214 warns. Pinned by the flag, it does
    // not; set by the flag without a digest, MCP260 refuses the build, located at the flag.
    let spec = "fixtures/reference/service.yaml";
    let o = mcpgen(&["check", spec]);
    assert!(stdout(&o).contains("MCP214"), "{}", stdout(&o));
    let pinned = format!("--image=registry.company.com/mcp-server:v1.0.0@{DIGEST}");
    let o = mcpgen(&["check", spec, &pinned]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(!stdout(&o).contains("MCP214"), "{}", stdout(&o));
    let o = mcpgen(&[
        "check",
        spec,
        "--set",
        "spec.image=registry.company.com/mcp-server:v1.0.1",
    ]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(!stdout(&o).contains("MCP214"), "{}", stdout(&o));
    insta::assert_snapshot!("set_image_without_digest", stdout(&o));
}

#[test]
fn set_values_are_validated_like_the_spec_and_located_at_the_flag() {
    let spec = "fixtures/minimal/service.yaml";
    let o = mcpgen(&[
        "check",
        spec,
        "--set",
        "spec.imag=ghcr.io/acme/x:1",
        "--set",
        "/spec/replicas=-1",
        "--image",
        "not an image",
    ]);
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!("set_schema_errors", stdout(&o));
    // What is not PATH=VALUE below metadata or spec is a bad argument: exit 2.
    for bad in [
        "spec.image",
        "kind=Other",
        "spec..image=x",
        "spec.environments.production.spec.image=x",
    ] {
        let o = mcpgen(&["check", spec, "--set", bad]);
        assert_eq!(code(&o), 2, "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--set"), "{}", stderr(&o));
    }
    // Values are JSON when they parse as JSON, text otherwise.
    let o = mcpgen(&[
        "check",
        spec,
        "--set",
        "spec.replicas=3",
        "--set",
        "spec.mcp.stateless=true",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

/// The leaves (and shape changes) where two values differ: (pointer, before, after).
fn leaf_diffs(at: &str, a: &Value, b: &Value, out: &mut Vec<(String, Value, Value)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                let p = format!("{at}/{k}");
                leaf_diffs(
                    &p,
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                leaf_diffs(&format!("{at}/{i}"), p, q, out);
            }
        }
        _ if a != b => out.push((at.to_string(), a.clone(), b.clone())),
        _ => {}
    }
}

/// The pipelines of a fixture, built from the repository root as a pipeline would run it.
/// Each test passes its own `tag`: tests run in parallel, and the output directory is part of
/// the pipelines (a fixed relative path keeps their bytes stable).
fn pipelines(case: &str, tag: &str) -> BTreeMap<String, String> {
    let out = format!("target/ci-test/{tag}/{case}");
    let spec = format!("fixtures/{case}/service.yaml");
    let o = mcpgen(&["build", &spec, "-o", &out, "--target", "ci"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let dir = root().join(&out);
    let tree = read_tree(&dir);
    let _ = std::fs::remove_dir_all(dir);
    tree
}

#[test]
fn ci_pipelines_snapshots() {
    for case in ["reference-canary", "reference-bluegreen"] {
        let tree = pipelines(case, "snapshots");
        let names: Vec<&String> = tree.keys().collect();
        assert_eq!(
            names,
            [
                "mcp-server/ci/.mcpgen-output",
                "mcp-server/ci/github-actions.yaml",
                "mcp-server/ci/gitlab-ci.yml"
            ],
            "{case}: the ci target writes its pipelines (and mcpgen's ownership marker) and \
             nothing else"
        );
        for (path, contents) in tree
            .iter()
            .filter(|(p, _)| !p.ends_with(mcpgen::write::MARKER))
        {
            insta::assert_snapshot!(
                format!(
                    "ci__{case}__{}",
                    path.rsplit('/').next().unwrap_or_default()
                ),
                contents
            );
        }
    }
}

#[test]
fn ci_actions_are_pinned_to_commit_shas_with_their_release() {
    let tree = pipelines("reference-canary", "pinned");
    let workflow = &tree["mcp-server/ci/github-actions.yaml"];
    let mut pinned = 0;
    for line in workflow.lines() {
        let Some(rest) = line.trim_start().strip_prefix("uses: ") else {
            continue;
        };
        let (uses, comment) = rest.split_once(" # ").expect("a release comment");
        let (name, sha) = uses.split_once('@').expect("name@sha");
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}: not a full commit SHA"
        );
        let known = mcpgen::compile::ci::ACTIONS
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{name} is not a pinned action"));
        assert_eq!((known.sha, known.version), (sha, comment), "{line}");
        pinned += 1;
    }
    assert!(pinned >= 8, "{pinned} uses lines");
}

#[test]
fn ci_pipeline_order_gates_and_pinning() {
    let tree = pipelines("reference-bluegreen", "order");
    let gitlab = parse_yaml(&tree["mcp-server/ci/gitlab-ci.yml"]);
    // Environments in the spec's order (staging, then production), each after the last.
    let prod = &gitlab["deploy-production"];
    let needs: Vec<&str> = prod["needs"]
        .as_array()
        .expect("needs")
        .iter()
        .filter_map(|n| n["job"].as_str())
        .collect();
    assert_eq!(needs, ["image-push", "deploy-staging"]);
    // Production waits for a person (the default for production); staging does not.
    assert_eq!(prod["rules"][0]["when"], "manual");
    assert_eq!(prod["rules"][0]["allow_failure"], false);
    assert!(gitlab["deploy-staging"]["rules"][0].get("when").is_none());
    // The image is deployed by the digest the push printed; the scan fails the pipeline.
    let scripts = |job: &str| -> String {
        gitlab[job]["script"]
            .as_array()
            .expect("script")
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(scripts("image-push").contains("IMAGE_REF=$IMAGE:$CI_COMMIT_SHA@${digest#*@}"));
    assert!(scripts("image-scan").contains("--severity HIGH,CRITICAL"));
    assert!(scripts("image-scan").contains("--exit-code 1"));
    assert!(scripts("deploy-production").contains("--image \"$IMAGE_REF\""));
    // Production of this fixture deploys by commit; staging with kubectl and a rollback.
    assert!(scripts("deploy-production").contains("git -C gitops push"));
    assert!(scripts("deploy-staging").contains("kubectl apply -k rendered/mcp-server/staging/k8s"));
    assert!(
        gitlab["deploy-staging"]["after_script"][0]
            .as_str()
            .expect("rollback")
            .contains("--image \"$PREVIOUS_IMAGE\"")
    );
    // The Dockerfile is the generated one, built from the repository root.
    assert!(scripts("image-build").contains(
        "docker build -f target/ci-test/order/reference-bluegreen/mcp-server/staging/Dockerfile"
    ));
}

#[test]
fn ci_target_refuses_what_it_cannot_build() {
    // One environment of a multi-environment spec, an absolute output directory, an
    // environment whose directory the pipelines would take: exit 2, nothing written.
    let spec = "fixtures/reference/service.yaml";
    let o = mcpgen(&[
        "build",
        spec,
        "-o",
        "target/x",
        "--target",
        "ci",
        "--env",
        "production",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("without --env"), "{}", stderr(&o));
    let abs = tempdir("ci-abs");
    let o = mcpgen(&[
        "build",
        spec,
        "-o",
        abs.to_str().expect("utf-8"),
        "--target",
        "ci",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(read_tree(&abs).is_empty());
}

/// A traffic fixture as a canary (`rollout.strategy: canary` plus `extra` rollout lines),
/// built for production: the exit code, the tree below `mcp-server/production/` and the output.
fn canary_of(fixture_name: &str, extra: &str) -> (i32, BTreeMap<String, String>, String) {
    let text = std::fs::read_to_string(fixture(fixture_name)).expect("fixture");
    let text = text.replacen(
        "\n  environments:\n",
        &format!("\n  rollout:\n    strategy: canary\n{extra}\n  environments:\n"),
        1,
    );
    let dir = tempdir(&format!("canary-{fixture_name}"));
    std::fs::create_dir_all(&dir).expect("tempdir");
    let spec = dir.join("service.yaml");
    std::fs::write(&spec, text).expect("write spec");
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--env",
        "production",
    ]);
    let written = if out.exists() {
        read_tree(&out)
    } else {
        BTreeMap::new()
    };
    let tree = written
        .into_iter()
        .filter_map(|(p, c)| {
            p.strip_prefix("mcp-server/production/")
                .map(|p| (p.to_string(), c))
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    (code(&o), tree, format!("{}{}", stdout(&o), stderr(&o)))
}

#[test]
fn a_canary_behind_a_gateway_reweights_the_servers_httproute() {
    let (code, tree, err) = canary_of("traffic-gateway", "");
    assert_eq!(code, 0, "{err}");
    let routes = documents(&tree["k8s/httproute.yaml"]);
    let rollout = parse_yaml(&tree["k8s/rollout.yaml"]);
    let plugin = &rollout["spec"]["strategy"]["canary"]["trafficRouting"]["plugins"]["argoproj-labs/gatewayAPI"];
    // The plugin names the MCP route, where it lives, and that route lists both Services:
    // all traffic on the stable one until the first step.
    let route = routes
        .iter()
        .find(|r| r["metadata"]["name"] == plugin["httpRoute"])
        .expect("the plugin's HTTPRoute is generated");
    assert_eq!(route["metadata"]["namespace"], plugin["namespace"]);
    let backends = &route["spec"]["rules"][0]["backendRefs"];
    assert_eq!(backends[0]["name"], "mcp-server");
    assert_eq!(backends[0]["weight"], 100);
    assert_eq!(backends[1]["name"], "mcp-server-canary");
    assert_eq!(backends[1]["weight"], 0);
    assert_eq!(
        rollout["spec"]["strategy"]["canary"]["canaryService"],
        "mcp-server-canary"
    );
    // A route in another namespace may reach both Services.
    if let Some(grant) = tree.get("k8s/referencegrant.yaml") {
        let grant = parse_yaml(grant);
        let names: Vec<&str> = grant["spec"]["to"]
            .as_array()
            .expect("to")
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert_eq!(names, ["mcp-server", "mcp-server-canary"]);
    }
}

#[test]
fn a_canary_behind_another_controller_follows_its_pods_or_is_refused() {
    // Traefik: no router mcpgen writes, so by default the canary's share of traffic is its
    // share of pods.
    let (code, tree, err) = canary_of("traffic-traefik", "");
    assert_eq!(code, 0, "{err}");
    let rollout = parse_yaml(&tree["k8s/rollout.yaml"]);
    assert!(
        rollout["spec"]["strategy"]["canary"]
            .get("trafficRouting")
            .is_none()
    );
    // ingress-nginx canary annotations on a Traefik Ingress would be ignored: refused.
    let (code, tree, err) = canary_of("traffic-traefik", "    trafficRouter: nginx");
    assert_eq!(code, 1, "{err}");
    assert!(tree.is_empty());
    assert!(
        err.contains("MCP301") && err.contains("ingress-nginx canary"),
        "{err}"
    );
    // The Gateway API plugin without a Gateway: refused.
    let (code, _, err) = canary_of("traffic-traefik", "    trafficRouter: gatewayAPI");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("MCP301") && err.contains("Gateway API plugin"),
        "{err}"
    );
}

#[test]
fn replica_counts_of_a_rollout_come_from_its_replicasets() {
    // kube-state-metrics has no Deployment series for a Rollout: a query on them would be
    // empty, and an alert joined with it would never fire.
    let tree = build("reference-canary");
    for f in [
        "monitoring/rules.yaml",
        "monitoring/prometheus-rule.yaml",
        "monitoring/dashboard.json",
        "monitoring/metrics-contract.yaml",
    ] {
        let text = &tree[&format!("mcp-server/production/{f}")];
        assert!(!text.contains("kube_deployment_"), "{f}");
    }
    let dashboard = &tree["mcp-server/production/monitoring/dashboard.json"];
    assert!(dashboard.contains("kube_replicaset_status_ready_replicas"));
    assert!(
        dashboard.contains(r#"replicaset=~\"mcp-server-[a-z0-9]+\""#),
        "{dashboard}"
    );
}
