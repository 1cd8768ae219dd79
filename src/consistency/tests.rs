//! Each check fails on a deliberately broken artifact set: the artifacts of a full spec are
//! built through the real emitters, found clean, then broken one reference at a time.

use serde_json::{Value, json};

use super::*;
use crate::compile::docker::Instruction;
use crate::compile::{Artifact, Content, emitters};
use crate::model::Model;

const SPEC: &str = r#"apiVersion: mcpgen.dev/v1
kind: MCPServer
metadata:
  name: tickets
  namespace: support
spec:
  image: ghcr.io/acme/tickets:1.2.0
  build:
    runtime: node
    version: "22"
    command: [node, dist/server.js]
    buildCommand: [npm, run, build]
  mcp:
    protocolVersions: ["2025-11-25"]
    sessionStore: redis
    allowedHosts: [tickets.example.com]
  replicas: 2
  resources:
    requests: {cpu: 250m, memory: 256Mi}
    limits: {cpu: 500m, memory: 512Mi}
  files:
    /etc/tickets/config.yaml: "a: 1\n"
  dependencies:
    postgres:
      image: postgres:18
      port: 5432
      namespace: data
      podLabels: {app.kubernetes.io/name: postgresql}
    redis:
      image: redis:7
      port: 6379
  expose:
    host: tickets.example.com
    tls: {clusterIssuer: letsencrypt}
  autoscaling:
    maxReplicas: 6
    targetCPU: 70
  verticalScaling:
    mode: Recreate
    maxAllowed: {memory: 1Gi}
  network:
    allowFrom:
      - namespace: gateway
  quota:
    requests: {cpu: "4", memory: 12Gi}
    limits: {cpu: "8", memory: 24Gi}
    pods: 12
"#;

fn build(yaml: &str) -> (Model, Vec<Artifact>) {
    let model = crate::pipeline::testing::base_model_full(yaml);
    let mut artifacts = Vec::new();
    for e in emitters() {
        artifacts.extend(e.emit(&model).expect("emits"));
    }
    (model, artifacts)
}

fn found(model: &Model, artifacts: &[Artifact]) -> Vec<(&'static str, String)> {
    check(model, artifacts)
        .into_iter()
        .map(|f| (f.code.code, f.pointer))
        .collect()
}

/// The artifacts of [`SPEC`] broken by `edit` yield a finding with `code` at `pointer`.
#[track_caller]
fn breaks(edit: impl FnOnce(&mut Model, &mut Vec<Artifact>), code: &str, pointer: &str) {
    let (mut model, mut artifacts) = build(SPEC);
    edit(&mut model, &mut artifacts);
    let got = found(&model, &artifacts);
    assert!(
        got.iter().any(|(c, p)| *c == code && p == pointer),
        "expected {code} at {pointer}, got {got:?}"
    );
}

fn object<'a>(artifacts: &'a mut [Artifact], kind: &str) -> &'a mut Value {
    for a in artifacts.iter_mut() {
        if let Content::Objects(objects) = &mut a.content {
            for o in objects.iter_mut() {
                if o.kind() == kind {
                    return &mut o.value;
                }
            }
        }
    }
    panic!("no {kind}")
}

fn at<'a>(v: &'a mut Value, pointer: &str) -> &'a mut Value {
    v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"))
}

fn compose(artifacts: &mut [Artifact]) -> &mut Value {
    artifacts
        .iter_mut()
        .find_map(|a| match &mut a.content {
            Content::Compose(v) => Some(v),
            _ => None,
        })
        .expect("compose")
}

fn dockerfile(artifacts: &mut [Artifact]) -> &mut Vec<Instruction> {
    artifacts
        .iter_mut()
        .find_map(|a| match &mut a.content {
            Content::Dockerfile(i) => Some(i),
            _ => None,
        })
        .expect("Dockerfile")
}

fn env_entry<'a>(container_env: &'a mut Value, name: &str) -> &'a mut Value {
    container_env
        .as_array_mut()
        .expect("env")
        .iter_mut()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

const ENV: &str = "/spec/template/spec/containers/0/env";

#[test]
fn the_artifacts_of_every_kind_of_spec_agree() {
    let (model, artifacts) = build(SPEC);
    assert_eq!(found(&model, &artifacts), vec![]);
    for yaml in [
        include_str!("../../fixtures/reference/service.yaml"),
        include_str!("../../fixtures/minimal/service.yaml"),
        include_str!("../../tests/validators/specs/go.yaml"),
        include_str!("../../tests/validators/specs/python.yaml"),
        include_str!("../../tests/validators/specs/npm-package.yaml"),
        include_str!("../../tests/validators/specs/pypi-package.yaml"),
        include_str!("../../tests/validators/specs/image-args.yaml"),
    ] {
        let (model, artifacts) = build(yaml);
        assert_eq!(found(&model, &artifacts), vec![], "{yaml}");
    }
}

#[test]
fn the_executable_must_exist_in_the_final_stage() {
    // The go defect: the build writes one binary, the command runs another.
    let go = "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: billing}\nspec:\n  \
              image: ghcr.io/acme/billing:1.0.0\n  build:\n    runtime: go\n    version: \"1.23\"\n    \
              command: [/app/billing-tools, serve]\n";
    let (model, artifacts) = build(go);
    assert_eq!(found(&model, &artifacts), vec![], "named from command[0]");
    let (model, artifacts) = build(&go.replace("serve]", "serve]\n    output: server"));
    assert!(
        found(&model, &artifacts).contains(&("MCP320", "/spec/build/command/0".to_string())),
        "an explicit output that is not the command"
    );
    let cmd = |c: &[&str]| Instruction::Cmd(c.iter().map(|s| s.to_string()).collect());
    breaks(
        |_, a| {
            let d = dockerfile(a);
            let last = d.len() - 1;
            d[last] = cmd(&["/app/billing-tools", "serve"]);
        },
        "MCP320",
        "/spec/build/command/0",
    );
    // `node server.js` where only dist/ is copied.
    breaks(
        |_, a| {
            let d = dockerfile(a);
            let last = d.len() - 1;
            d[last] = cmd(&["node", "server.js"]);
        },
        "MCP320",
        "/spec/build/command/1",
    );
    // The init itself missing from the final stage.
    breaks(
        |_, a| {
            dockerfile(a)
                .retain(|i| !matches!(i, Instruction::Copy { from: Some(f), .. } if f == "init"))
        },
        "MCP320",
        "/spec/build",
    );
    // A Kubernetes `command` override names a file the image does not have, and drops the
    // init.
    breaks(
        |_, a| {
            at(object(a, "Deployment"), "/spec/template/spec/containers/0")
                .as_object_mut()
                .expect("container")
                .insert("command".to_string(), json!(["/app/missing"]));
        },
        "MCP320",
        "/spec/build/command/0",
    );
    breaks(
        |_, a| {
            at(object(a, "Deployment"), "/spec/template/spec/containers/0")
                .as_object_mut()
                .expect("container")
                .insert(
                    "command".to_string(),
                    json!(["/usr/local/bin/node", "dist/server.js"]),
                );
        },
        "MCP321",
        "/spec/build",
    );
    // Kubernetes `args` replace CMD under the image's init.
    breaks(
        |m, a| {
            m.args = Some(vec!["/opt/server".to_string()]);
            at(object(a, "Deployment"), "/spec/template/spec/containers/0")
                .as_object_mut()
                .expect("container")
                .insert("args".to_string(), json!(["/opt/server"]));
        },
        "MCP320",
        "/spec/args/0",
    );
}

#[test]
fn the_server_runs_under_an_init() {
    breaks(
        |_, a| dockerfile(a).retain(|i| !matches!(i, Instruction::Entrypoint(_))),
        "MCP321",
        "/spec/build",
    );
    // An image built elsewhere: compose must add the init.
    let (model, mut artifacts) = build(include_str!("../../fixtures/minimal/service.yaml"));
    at(compose(&mut artifacts), "/services/weather")
        .as_object_mut()
        .expect("service")
        .remove("init");
    assert!(found(&model, &artifacts).contains(&("MCP321", "/spec/image".to_string())));
}

#[test]
fn the_ignore_file_is_where_the_build_reads_it_and_keeps_secrets_out() {
    breaks(
        |_, a| {
            for x in a.iter_mut() {
                if x.path == crate::compile::docker::IGNORE_FILE {
                    x.path = ".dockerignore".to_string();
                }
            }
        },
        "MCP322",
        "/spec/build",
    );
    breaks(
        |_, a| {
            for x in a.iter_mut() {
                if let Content::Ignore(p) = &mut x.content {
                    p.retain(|p| !p.contains(".env"));
                }
            }
        },
        "MCP322",
        "/spec/build",
    );
}

#[test]
fn every_port_resolves_to_a_container_port() {
    breaks(
        |_, a| {
            *at(
                object(a, "Deployment"),
                "/spec/template/spec/containers/0/readinessProbe/httpGet/port",
            ) = json!("health");
        },
        "MCP323",
        "/spec/health/port",
    );
    breaks(
        |_, a| *at(object(a, "Service"), "/spec/ports/0/targetPort") = json!(9999),
        "MCP323",
        "/spec/mcp/port",
    );
    breaks(
        |_, a| {
            *at(
                object(a, "Ingress"),
                "/spec/rules/0/http/paths/0/backend/service/port",
            ) = json!({"name": "grpc"});
        },
        "MCP323",
        "/spec/mcp/port",
    );
    breaks(
        |_, a| *at(object(a, "ServiceMonitor"), "/spec/endpoints/0/port") = json!("web"),
        "MCP323",
        "/spec/monitoring/metrics/port",
    );
    breaks(
        |m, a| {
            m.network.allow_from[0].port = Some(9090);
            *at(object(a, "NetworkPolicy"), "/spec/ingress/0/ports") =
                json!([{"port": 9090, "protocol": "TCP"}]);
        },
        "MCP323",
        "/spec/network/allowFrom/0/port",
    );
}

#[test]
fn every_selector_and_reference_selects_the_workload() {
    let cases: &[(&str, &str, Value)] = &[
        ("Service", "/spec/selector", json!({"app": "other"})),
        (
            "PodDisruptionBudget",
            "/spec/selector/matchLabels",
            json!({"app": "other"}),
        ),
        ("NetworkPolicy", "/spec/podSelector", json!({})),
        (
            "HorizontalPodAutoscaler",
            "/spec/scaleTargetRef/name",
            json!("other"),
        ),
        (
            "VerticalPodAutoscaler",
            "/spec/targetRef/kind",
            json!("StatefulSet"),
        ),
        (
            "Ingress",
            "/spec/rules/0/http/paths/0/backend/service/name",
            json!("other"),
        ),
        (
            "ServiceMonitor",
            "/spec/selector/matchLabels",
            json!({"app": "other"}),
        ),
        (
            "Deployment",
            "/spec/selector/matchLabels",
            json!({"app": "other"}),
        ),
        (
            "Deployment",
            "/spec/template/spec/serviceAccountName",
            json!("other"),
        ),
        (
            "Deployment",
            "/spec/template/spec/topologySpreadConstraints/0/labelSelector/matchLabels",
            json!({"app": "other"}),
        ),
    ];
    for (kind, pointer, value) in cases {
        breaks(
            |_, a| *at(object(a, kind), pointer) = value.clone(),
            "MCP324",
            "/metadata/name",
        );
    }
    breaks(
        |_, a| {
            let volumes = at(object(a, "Deployment"), "/spec/template/spec/volumes");
            for v in volumes.as_array_mut().expect("volumes") {
                if v.get("configMap").is_some() {
                    v["configMap"]["name"] = json!("other");
                }
            }
        },
        "MCP324",
        "/metadata/name",
    );
}

#[test]
fn a_kustomization_lists_exactly_its_folder() {
    fn listed(a: &mut [Artifact]) -> &mut Vec<String> {
        a.iter_mut()
            .find_map(|x| match &mut x.content {
                Content::Kustomization(l) if x.path.starts_with("k8s/") => Some(l),
                _ => None,
            })
            .expect("kustomization")
    }
    breaks(
        |_, a| listed(a).retain(|f| f != "service.yaml"),
        "MCP325",
        "/metadata/name",
    );
    breaks(
        |_, a| listed(a).push("ingress-extra.yaml".into()),
        "MCP325",
        "/metadata/name",
    );
}

#[test]
fn namespaces_agree_and_a_shared_namespace_gets_no_namespace_wide_object() {
    breaks(
        |_, a| *at(object(a, "Service"), "/metadata/namespace") = json!("default"),
        "MCP326",
        "/metadata/namespace",
    );
    breaks(
        |_, a| *at(object(a, "Namespace"), "/metadata/name") = json!("other"),
        "MCP326",
        "/metadata/namespace",
    );
    // The artifacts of an owned namespace, checked as if the namespace were shared.
    let (mut model, artifacts) = build(SPEC);
    model.namespace_owned = false;
    let got = found(&model, &artifacts);
    assert_eq!(
        got.iter()
            .filter(|(c, p)| *c == "MCP326" && p == "/metadata/namespaceOwnership")
            .count(),
        3,
        "Namespace, ResourceQuota, LimitRange: {got:?}"
    );
}

#[test]
fn the_quota_admits_the_rollout_at_its_peak() {
    // maxReplicas 6, maxSurge 2: 6 + 2 + 2 = 10 pods at the peak.
    breaks(
        |_, a| *at(object(a, "ResourceQuota"), "/spec/hard/pods") = json!("6"),
        "MCP327",
        "/spec/quota/pods",
    );
    breaks(
        |_, a| *at(object(a, "ResourceQuota"), "/spec/hard/pods") = json!("8"),
        "MCP327",
        "/spec/quota/pods",
    );
    // 10 × 250m = 2500m requested; 2 cores is exactly maxReplicas × 250m... and too small.
    breaks(
        |_, a| *at(object(a, "ResourceQuota"), "/spec/hard/requests.cpu") = json!("2"),
        "MCP327",
        "/spec/quota/requests/cpu",
    );
    // The VPA may raise memory to 1Gi (limits ×2): 10 × 2Gi = 20Gi of limits, although
    // 10 × 512Mi would fit in 16Gi.
    breaks(
        |_, a| *at(object(a, "ResourceQuota"), "/spec/hard/limits.memory") = json!("16Gi"),
        "MCP327",
        "/spec/quota/limits/memory",
    );
    // Without maxAllowed, nothing bounds what the VPA may ask for.
    breaks(
        |_, a| {
            at(
                object(a, "VerticalPodAutoscaler"),
                "/spec/resourcePolicy/containerPolicies/0",
            )
            .as_object_mut()
            .expect("policy")
            .remove("maxAllowed");
        },
        "MCP327",
        "/spec/verticalScaling/maxAllowed/memory",
    );
}

#[test]
fn every_dependency_is_wired() {
    breaks(
        |_, a| {
            at(object(a, "Deployment"), ENV)
                .as_array_mut()
                .expect("env")
                .retain(|e| e["name"] != "POSTGRES_HOST");
        },
        "MCP328",
        "/spec/dependencies/postgres",
    );
    breaks(
        |_, a| {
            *env_entry(at(object(a, "Deployment"), ENV), "REDIS_URL") =
                json!({"name": "REDIS_URL", "value": "redis://localhost:6379"})
        },
        "MCP328",
        "/spec/dependencies/redis",
    );
    breaks(
        |_, a| *at(compose(a), "/services/tickets/environment/REDIS_HOST") = json!("cache"),
        "MCP328",
        "/spec/dependencies/redis",
    );
    breaks(
        |_, a| {
            compose(a)["services"]
                .as_object_mut()
                .expect("services")
                .remove("postgres");
        },
        "MCP328",
        "/spec/dependencies/postgres",
    );
    // Egress to the namespace, but to other pods than the dependency's.
    breaks(
        |_, a| {
            let egress = at(object(a, "NetworkPolicy"), "/spec/egress");
            for rule in egress.as_array_mut().expect("egress") {
                if rule["ports"][0]["port"] == 5432 {
                    rule["to"][0]["podSelector"]["matchLabels"] = json!({"app": "other"});
                }
            }
        },
        "MCP328",
        "/spec/dependencies/postgres",
    );
}

#[test]
fn objects_are_unique() {
    breaks(
        |_, a| {
            let svc = a
                .iter()
                .find(|x| x.path == "k8s/service.yaml")
                .cloned()
                .expect("service");
            a.push(Artifact {
                path: "k8s/service-copy.yaml".into(),
                ..svc
            });
        },
        "MCP329",
        "/metadata/name",
    );
    let (_, one) = build(SPEC);
    let (_, other) = build(&SPEC.replace("name: tickets", "name: orders"));
    let dups = duplicates_across(&[&one, &other]);
    let kinds: Vec<&str> = dups.iter().map(|(_, o)| o.kind()).collect();
    assert_eq!(kinds, ["Namespace"], "two servers owning one namespace");
}

#[test]
fn spread_constraints_honour_taints_and_affinity() {
    breaks(
        |_, a| {
            at(
                object(a, "Deployment"),
                "/spec/template/spec/topologySpreadConstraints/1",
            )
            .as_object_mut()
            .expect("constraint")
            .remove("nodeTaintsPolicy");
        },
        "MCP330",
        "/metadata/name",
    );
}

#[test]
fn host_validation_admits_the_real_clients() {
    breaks(
        |_, a| {
            let hosts = env_entry(at(object(a, "Deployment"), ENV), "MCP_ALLOWED_HOSTS");
            hosts["value"] = json!("tickets.example.com");
        },
        "MCP331",
        "/spec/mcp/allowedHosts",
    );
    breaks(
        |_, a| {
            *at(
                compose(a),
                "/services/tickets/environment/MCP_ALLOWED_HOSTS",
            ) = json!("tickets.example.com,tickets");
        },
        "MCP331",
        "/spec/mcp/allowedHosts",
    );
    breaks(
        |_, a| {
            *at(
                compose(a),
                "/services/tickets/environment/MCP_TRUST_PROXY_HEADERS",
            ) = json!("true");
        },
        "MCP331",
        "/spec/mcp/trustProxyHeaders",
    );
}

#[test]
fn network_policy_rules_are_not_redundant_and_dns_reaches_every_resolver() {
    breaks(
        |_, a| {
            let ingress = at(object(a, "NetworkPolicy"), "/spec/ingress");
            let first = ingress[0].clone();
            ingress.as_array_mut().expect("ingress").push(first);
        },
        "MCP332",
        "/spec/network",
    );
    breaks(
        |_, a| {
            at(object(a, "NetworkPolicy"), "/spec/egress/0/to")
                .as_array_mut()
                .expect("peers")
                .retain(|p| p.get("ipBlock").is_none());
        },
        "MCP332",
        "/spec/network",
    );
}

/// The bridged fixtures, built and broken one bridge reference at a time.
#[test]
fn a_bridged_image_runs_its_bridge_on_the_ports_and_paths_everything_expects() {
    let node = include_str!("../../fixtures/stdio-node/service.yaml");
    let python = include_str!("../../fixtures/stdio-python/service.yaml");
    for yaml in [node, python] {
        let (model, artifacts) = build(yaml);
        assert!(model.bridge.is_some());
        assert_eq!(found(&model, &artifacts), vec![], "{yaml}");
    }
    let broken = |yaml: &str, edit: &dyn Fn(&mut Vec<Artifact>), code: &str, pointer: &str| {
        let (model, mut artifacts) = build(yaml);
        edit(&mut artifacts);
        let got = found(&model, &artifacts);
        assert!(
            got.iter().any(|(c, p)| *c == code && p == pointer),
            "expected {code} at {pointer}, got {got:?}"
        );
    };
    let edit_cmd = |a: &mut Vec<Artifact>, f: &dyn Fn(&mut Vec<String>)| {
        for i in dockerfile(a).iter_mut() {
            if let Instruction::Cmd(c) = i {
                f(c);
            }
        }
    };
    let replace = |c: &mut Vec<String>, from: &str, to: &str| {
        for x in c.iter_mut() {
            if x == from {
                *x = to.to_string();
            }
        }
    };
    // The image runs the server directly: nothing serves HTTP.
    broken(
        node,
        &|a| edit_cmd(a, &|c| *c = vec!["npx".into(), "--offline".into()]),
        "MCP350",
        "/spec/mcp/transport",
    );
    // The bridge's directory is not copied into the final stage.
    for yaml in [node, python] {
        broken(
            yaml,
            &|a| {
                dockerfile(a).retain(|i| {
                    !matches!(i, Instruction::Copy { paths, .. } if paths[0] == "/opt/mcp-bridge")
                })
            },
            "MCP350",
            "/spec/mcp/bridge",
        );
    }
    // The server command the bridge spawns is not in the image.
    broken(
        python,
        &|a| {
            edit_cmd(a, &|c| {
                replace(c, "mcp-server-time", "/usr/bin/mcp-server-time")
            })
        },
        "MCP320",
        "/spec/build/command/0",
    );
    // A supergateway `--stdio` that is not the quoted word list mcpgen writes.
    broken(
        node,
        &|a| edit_cmd(a, &|c| c[3] = "npx --offline $PKG".into()),
        "MCP350",
        "/spec/build/command",
    );
    // The bridge listens elsewhere than the container port, probes and compose.
    for yaml in [node, python] {
        broken(
            yaml,
            &|a| edit_cmd(a, &|c| replace(c, "8080", "9000")),
            "MCP351",
            "/spec/mcp/bridge/port",
        );
    }
    // A probe on a path the bridge does not answer.
    for yaml in [node, python] {
        broken(
            yaml,
            &|a| {
                *at(
                    object(a, "Deployment"),
                    "/spec/template/spec/containers/0/readinessProbe/httpGet/path",
                ) = json!("/ready");
            },
            "MCP352",
            "/spec/health",
        );
    }
    // supergateway's health endpoints dropped from its command line.
    broken(
        node,
        &|a| edit_cmd(a, &|c| replace(c, "/healthz", "/live")),
        "MCP352",
        "/spec/health",
    );
    // The bridge serves MCP on another path than the routes use.
    broken(
        node,
        &|a| edit_cmd(a, &|c| replace(c, "/mcp", "/")),
        "MCP353",
        "/spec/mcp/path",
    );
    // Behind an Argo Rollout (blue-green, not analysed: neither bridge serves metrics) the
    // Rollout's pod template is checked like the Deployment's.
    let blue_green = node.replace(
        "  replicas: 1\n",
        "  replicas: 1\n  rollout:\n    strategy: blueGreen\n    analysis: {enabled: false}\n",
    );
    let (model, artifacts) = build(&blue_green);
    assert!(artifacts.iter().any(|a| a.path == "k8s/rollout.yaml"));
    assert_eq!(found(&model, &artifacts), vec![]);
    broken(
        &blue_green,
        &|a| {
            *at(
                object(a, "Rollout"),
                "/spec/template/spec/containers/0/livenessProbe/httpGet/path",
            ) = json!("/live");
        },
        "MCP352",
        "/spec/health",
    );
}

#[test]
fn every_series_read_is_in_the_contract_and_every_hpa_metric_is_served() {
    // An alert left on a series the contract no longer has.
    breaks(
        |_, a| {
            let rules = a
                .iter_mut()
                .find(|x| x.path == "monitoring/rules.yaml")
                .expect("rules");
            rules.contents =
                rules
                    .contents
                    .replacen("mcp_requests_total{", "mcp_old_requests_total{", 1);
        },
        "MCP333",
        "/spec/monitoring/metrics",
    );
    // An HPA on a Pods metric no adapter rule serves.
    let with_rps = SPEC.replace(
        "    targetCPU: 70\n",
        "    targetCPU: 70\n    requestsPerSecond: 50\n",
    );
    let (model, mut artifacts) = build(&with_rps);
    assert!(
        found(&model, &artifacts).is_empty(),
        "{:?}",
        found(&model, &artifacts)
    );
    artifacts.retain(|a| a.path != "monitoring/prometheus-adapter-rules.yaml");
    assert!(
        found(&model, &artifacts)
            .contains(&("MCP334", "/spec/autoscaling/requestsPerSecond".to_string())),
        "{:?}",
        found(&model, &artifacts)
    );
}

/// [`SPEC`] rolled out with a strategy (its sessions are shared through Redis, so a canary is
/// allowed).
fn progressive(strategy: &str) -> String {
    format!("{SPEC}  rollout: {{strategy: {strategy}}}\n")
}

/// The artifacts of `yaml` are clean, and broken by `edit` yield `code` at `pointer`.
#[track_caller]
fn breaks_spec(yaml: &str, edit: impl FnOnce(&mut Vec<Artifact>), code: &str, pointer: &str) {
    let (model, mut artifacts) = build(yaml);
    assert_eq!(found(&model, &artifacts), vec![], "clean before the edit");
    edit(&mut artifacts);
    let got = found(&model, &artifacts);
    assert!(
        got.iter().any(|(c, p)| *c == code && p == pointer),
        "expected {code} at {pointer}, got {got:?}"
    );
}

fn named<'a>(artifacts: &'a mut [Artifact], kind: &str, name: &str) -> &'a mut Value {
    for a in artifacts.iter_mut() {
        if let Content::Objects(objects) = &mut a.content {
            for o in objects.iter_mut() {
                if o.kind() == kind && o.name() == name {
                    return &mut o.value;
                }
            }
        }
    }
    panic!("no {kind} {name}")
}

#[test]
fn a_rollout_references_only_what_the_output_has() {
    let canary = progressive("canary");
    let s = "/spec/rollout/strategy";
    breaks_spec(
        &canary,
        |a| *at(object(a, "Rollout"), "/spec/strategy/canary/canaryService") = json!("gone"),
        "MCP340",
        s,
    );
    breaks_spec(
        &canary,
        |a| {
            *at(object(a, "Rollout"), "/spec/strategy/canary/stableService") =
                json!("tickets-canary")
        },
        "MCP340",
        s,
    );
    breaks_spec(
        &canary,
        |a| {
            *at(
                object(a, "Rollout"),
                "/spec/strategy/canary/trafficRouting/nginx/stableIngress",
            ) = json!("other")
        },
        "MCP340",
        s,
    );
    breaks_spec(
        &canary,
        |a| {
            *at(
                named(a, "Service", "tickets-canary"),
                "/spec/selector/app.kubernetes.io~1name",
            ) = json!("other")
        },
        "MCP340",
        s,
    );
    breaks_spec(
        &canary,
        |a| {
            *at(
                object(a, "Rollout"),
                "/spec/strategy/canary/analysis/templates/0/templateName",
            ) = json!("missing")
        },
        "MCP340",
        s,
    );
    let blue_green = progressive("blueGreen");
    breaks_spec(
        &blue_green,
        |a| {
            *at(
                object(a, "Rollout"),
                "/spec/strategy/blueGreen/previewService",
            ) = json!("gone")
        },
        "MCP340",
        s,
    );
}

#[test]
fn an_analysis_measures_scraped_series_with_the_alert_expression() {
    let canary = progressive("canary");
    let p = "/spec/rollout/analysis";
    let query = "/spec/metrics/0/provider/prometheus/query";
    // Another threshold than the alert's.
    breaks_spec(
        &canary,
        |a| {
            let q = at(object(a, "AnalysisTemplate"), query);
            *q = json!(q.as_str().expect("query").replace("> 0.05", "> 0.5"));
        },
        "MCP341",
        p,
    );
    // A job no Service of the output is.
    breaks_spec(
        &canary,
        |a| {
            let q = at(object(a, "AnalysisTemplate"), query);
            *q = json!(
                q.as_str()
                    .expect("query")
                    .replace("tickets-canary", "tickets-new")
            );
        },
        "MCP341",
        p,
    );
    // The canary Service is not scraped: its series do not exist.
    breaks_spec(
        &canary,
        |a| {
            let labels = at(named(a, "Service", "tickets-canary"), "/metadata/labels");
            labels
                .as_object_mut()
                .expect("labels")
                .remove("app.kubernetes.io/instance");
        },
        "MCP341",
        p,
    );
}

#[test]
fn a_rollout_spreads_by_its_own_revision_label() {
    breaks_spec(
        &progressive("blueGreen"),
        |a| {
            *at(
                object(a, "Rollout"),
                "/spec/template/spec/topologySpreadConstraints/0/matchLabelKeys/0",
            ) = json!("pod-template-hash")
        },
        "MCP342",
        "/spec/rollout/strategy",
    );
    // And a Deployment by its own.
    breaks(
        |_, a| {
            *at(
                object(a, "Deployment"),
                "/spec/template/spec/topologySpreadConstraints/0/matchLabelKeys/0",
            ) = json!("rollouts-pod-template-hash")
        },
        "MCP342",
        "/spec/rollout/strategy",
    );
}

#[test]
fn the_quota_admits_two_sets_of_pods_of_a_blue_green_rollout() {
    // maxReplicas 6: a rolling update peaks at 6 + 2 + 2 = 10 pods, a blue-green rollout at 12.
    let tight = progressive("blueGreen").replace("    pods: 12\n", "    pods: 11\n");
    let (model, artifacts) = build(&tight);
    let got = found(&model, &artifacts);
    assert!(
        got.contains(&("MCP327", "/spec/quota/pods".to_string())),
        "{got:?}"
    );
    let (model, artifacts) = build(&SPEC.replace("    pods: 12\n", "    pods: 11\n"));
    assert!(
        !found(&model, &artifacts).contains(&("MCP327", "/spec/quota/pods".to_string())),
        "a rolling update fits in 11"
    );
}
