//! Outputs that run: one test per defect of issue 10, each on the regression fixture that
//! reproduced it (`fixtures/run-*`), asserting what the kubelet, BuildKit, compose or the API
//! server will do with the output, and that the consistency stage refuses the broken variant
//! with a located error.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::support::*;

/// Build a spec given as text; the exit code and standard output.
fn build_text(name: &str, text: &str) -> (i32, String) {
    let dir = tempdir(name);
    let spec = dir.join("service.yaml");
    std::fs::write(&spec, text).expect("write spec");
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert!(
        !out.exists() || code(&o) == 0,
        "a refused build wrote files"
    );
    let _ = std::fs::remove_dir_all(&dir);
    (code(&o), stdout(&o))
}

fn yaml(text: &str) -> Value {
    parse_yaml(text)
}

fn lines<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

fn env_of(deployment: &Value) -> BTreeMap<String, String> {
    deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect()
}

#[test]
fn go_runs_the_binary_it_builds() {
    let t = build_all_envs("run-go-executable");
    let d = &t["base/Dockerfile"];
    let build_line = lines(d, "RUN [\"go\",\"build\"").concat();
    assert!(build_line.contains("\"-o\",\"billing-tools\""), "{d}");
    assert!(
        d.contains("COPY --from=build [\"/app/billing-tools\",\"/app/billing-tools\"]"),
        "{d}"
    );
    assert!(d.contains("CMD [\"/app/billing-tools\",\"serve\"]"), "{d}");
    // The defect as it was: an explicit output that is not the command. Refused, located at
    // the command.
    let text = std::fs::read_to_string(fixture("run-go-executable")).expect("read");
    let broken = text.replace(
        "command: [\"/app/billing-tools\", \"serve\"]",
        "command: [\"/app/billing-tools\", \"serve\"]\n    output: server",
    );
    let (code, out) = build_text("go-mismatch", &broken);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("MCP320"), "{out}");
    assert!(
        out.contains("service.yaml:14:15"),
        "located at command[0]: {out}"
    );
}

#[test]
fn the_ignore_file_is_read_by_the_documented_build() {
    let t = build_all_envs("run-dockerignore");
    assert!(t.contains_key("base/Dockerfile"));
    assert!(!t.contains_key("base/.dockerignore"));
    let ignore = &t["base/Dockerfile.dockerignore"];
    for p in ["**/.env", "**/*.pem", "**/*.key", ".git"] {
        assert!(ignore.lines().any(|l| l == p), "{p}: {ignore}");
    }
}

#[test]
fn the_server_is_not_pid_1() {
    let t = build_all_envs("run-pid1");
    let d = &t["base/Dockerfile"];
    assert!(
        d.contains("COPY --from=init [\"/usr/bin/tini-static\",\"/usr/bin/tini\"]"),
        "{d}"
    );
    let runtime = d.split("AS runtime").nth(1).expect("runtime stage");
    assert!(
        runtime.contains(
            "ENTRYPOINT [\"/usr/bin/tini\",\"-s\",\"--\"]\nCMD [\"node\",\"dist/server.js\"]"
        ),
        "{d}"
    );
    let compose = yaml(&t["base/compose.yaml"]);
    assert_eq!(compose["services"]["calendar"]["init"], true);
    // An image built elsewhere gets compose's init too.
    let minimal = build_all_envs("minimal");
    assert_eq!(
        yaml(&minimal["base/compose.yaml"])["services"]["weather"]["init"],
        true
    );
}

#[test]
fn compose_dependencies_start_and_become_healthy() {
    let t = build_all_envs("run-compose-dependencies");
    let c = yaml(&t["base/compose.yaml"]);
    let s = &c["services"];
    assert_eq!(
        s["postgres"]["volumes"][0],
        "postgres-data:/var/lib/postgresql"
    );
    assert_eq!(
        s["legacy-db"]["volumes"][0],
        "legacy-db-data:/var/lib/postgresql/data"
    );
    assert_eq!(
        s["mariadb"]["healthcheck"]["test"],
        serde_json::json!(["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"])
    );
    assert_eq!(s["mariadb"]["env_file"][0]["path"], "./mariadb.env");
    assert!(t["base/mariadb.env.example"].contains("MARIADB_ROOT_PASSWORD="));
    assert_eq!(s["mongo"]["healthcheck"]["test"][1], "mongo");
    assert!(s["search"].get("healthcheck").is_none());
    let waits = &s["crm"]["depends_on"];
    assert_eq!(waits["search"]["condition"], "service_started");
    assert_eq!(waits["mariadb"]["condition"], "service_healthy");
}

#[test]
fn dependencies_are_wired_in_both_targets() {
    let t = build_all_envs("run-dependency-wiring");
    let k8s = env_of(&yaml(&t["base/k8s/deployment.yaml"]));
    assert_eq!(k8s["DB_HOST"], "tickets-postgresql.data.svc");
    assert_eq!(k8s["DB_PORT"], "5432");
    // The spec's own value wins.
    assert!(k8s["DATABASE_URL"].ends_with("?sslmode=require"));
    assert_eq!(k8s["SESSIONS_HOST"], "sessions.support.svc");
    assert_eq!(k8s["SESSIONS_URL"], "redis://sessions.support.svc:6379");
    assert_eq!(
        k8s["MCP_SESSION_STORE_URL"],
        "redis://sessions.support.svc:6379"
    );
    let compose = yaml(&t["base/compose.yaml"]);
    let env = &compose["services"]["tickets"]["environment"];
    assert_eq!(env["DB_HOST"], "db");
    assert_eq!(env["SESSIONS_URL"], "redis://sessions:6379");
    assert_eq!(env["MCP_SESSION_STORE_URL"], "redis://sessions:6379");
    // Egress to the database's pods only, on its port.
    let np = yaml(&t["base/k8s/networkpolicy.yaml"]);
    let rule = np["spec"]["egress"]
        .as_array()
        .expect("egress")
        .iter()
        .find(|r| r["ports"][0]["port"] == 5432)
        .expect("database egress");
    assert_eq!(
        rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
        "postgresql"
    );
    assert_eq!(
        rule["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "data"
    );
}

#[test]
fn spread_constraints_honour_taints() {
    let t = build_all_envs("run-spread-constraints");
    let d = yaml(&t["base/k8s/deployment.yaml"]);
    for c in d["spec"]["template"]["spec"]["topologySpreadConstraints"]
        .as_array()
        .expect("constraints")
    {
        assert_eq!(c["nodeTaintsPolicy"], "Honor");
        assert_eq!(c["nodeAffinityPolicy"], "Honor");
    }
}

#[test]
fn host_validation_admits_in_cluster_and_local_clients() {
    let t = build_all_envs("run-allowed-hosts");
    let k8s = env_of(&yaml(&t["base/k8s/deployment.yaml"]));
    let hosts: Vec<&str> = k8s["MCP_ALLOWED_HOSTS"].split(',').collect();
    for h in [
        "docs-mcp.example.com",
        "docs.knowledge.svc",
        "docs.knowledge.svc:8080",
        "docs.knowledge.svc.cluster.local",
    ] {
        assert!(hosts.contains(&h), "{h}: {hosts:?}");
    }
    assert_eq!(
        k8s["MCP_TRUST_PROXY_HEADERS"], "true",
        "TLS ends at the ingress"
    );
    let compose = yaml(&t["base/compose.yaml"]);
    let env = &compose["services"]["docs"]["environment"];
    let local: Vec<&str> = env["MCP_ALLOWED_HOSTS"]
        .as_str()
        .expect("hosts")
        .split(',')
        .collect();
    assert!(
        local.contains(&"localhost:8080") && local.contains(&"localhost"),
        "{local:?}"
    );
    assert_eq!(
        env["MCP_TRUST_PROXY_HEADERS"], "false",
        "no proxy in compose"
    );
}

#[test]
fn network_policy_has_no_duplicate_rule_and_reaches_node_local_dns() {
    let t = build_all_envs("run-network-policy");
    let np = yaml(&t["base/k8s/networkpolicy.yaml"]);
    let ingress = np["spec"]["ingress"].as_array().expect("ingress");
    let monitoring = ingress
        .iter()
        .filter(|r| {
            r["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                == "monitoring"
        })
        .count();
    assert_eq!(monitoring, 1, "{ingress:?}");
    assert_eq!(ingress.len(), 2, "monitoring and agents: {ingress:?}");
    let dns = &np["spec"]["egress"][0];
    assert_eq!(dns["to"][1]["ipBlock"]["cidr"], "169.254.20.10/32");
}

#[test]
fn a_shared_namespace_gets_only_the_servers_objects() {
    let t = build_all_envs("run-shared-namespace");
    for f in ["namespace.yaml", "resourcequota.yaml", "limitrange.yaml"] {
        assert!(!t.contains_key(&format!("base/k8s/{f}")), "{f}");
    }
    let k = yaml(&t["base/k8s/kustomization.yaml"]);
    assert!(
        !k["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .any(|r| r == "namespace.yaml")
    );
    // The minimal spec, named after itself, owns its namespace.
    assert!(build_all_envs("minimal").contains_key("base/k8s/namespace.yaml"));
    // Owning a namespace every cluster has is refused.
    let text = std::fs::read_to_string(fixture("run-shared-namespace"))
        .expect("read")
        .replace(
            "namespace: team-tools",
            "namespace: default\n  namespaceOwnership: owned",
        );
    let (code, out) = build_text("owned-default", &text);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("MCP251"), "{out}");
}

#[test]
fn the_quota_admits_the_rollout_peak_and_not_one_pod_less() {
    let t = build_all_envs("run-quota-peak");
    let d = yaml(&t["base/k8s/deployment.yaml"]);
    assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 2);
    let text = std::fs::read_to_string(fixture("run-quota-peak")).expect("read");
    for (from, to, at) in [
        ("pods: 10", "pods: 9", "/spec/quota/pods"),
        (
            "memory: 10Gi}",
            "memory: 10239Mi}",
            "/spec/quota/limits/memory",
        ),
    ] {
        let (code, out) = build_text("quota-peak", &text.replace(from, to));
        assert_eq!(code, 1, "{at}: {out}");
        assert!(out.contains("MCP221"), "{at}: {out}");
    }
}

/// The regression of "Output layout depends on the number of specs": a spec lands in the same
/// place built alone or with others, so `--check` on one spec of a built set finds no drift.
#[test]
fn the_layout_does_not_depend_on_how_many_specs_are_built() {
    let out = tempdir("layout");
    let one = fixture("run-output-layout");
    let other = fixture("run-shared-namespace");
    let args = |specs: &[&Path], extra: &[&str]| {
        let mut v: Vec<String> = vec!["build".into()];
        v.extend(specs.iter().map(|p| p.display().to_string()));
        v.extend(["-o".to_string(), out.display().to_string()]);
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        mcpgen(&refs)
    };
    let o = run(args(&[&one, &other], &[]));
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let together = read_tree(&out);
    assert!(together.contains_key("layout/base/k8s/deployment.yaml"));
    assert!(together.contains_key("wiki/base/k8s/deployment.yaml"));
    // The drift check of one spec of the pair, as a pre-commit hook that receives only the
    // changed file runs it.
    let o = run(args(&[&one], &["--check"]));
    assert_eq!(code(&o), 0, "false drift: {}", stdout(&o));
    // Built alone, the same files.
    let alone = tempdir("layout-alone");
    let o = mcpgen(&[
        "build",
        one.to_str().expect("utf-8"),
        "-o",
        alone.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0);
    let a = read_tree(&alone);
    for (k, v) in &a {
        assert_eq!(together.get(k), Some(v), "{k}");
    }
    let _ = std::fs::remove_dir_all(out);
    let _ = std::fs::remove_dir_all(alone);
}

/// Two specs that both own one namespace would write it twice; `kubectl delete -k` of either
/// would delete the other's namespace.
#[test]
fn two_owners_of_one_namespace_are_refused() {
    let dir = tempdir("two-owners");
    let spec = |name: &str| {
        let p = dir.join(format!("{name}.yaml"));
        std::fs::write(
            &p,
            format!(
                "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: {name}\n  \
                 namespace: shop\n  namespaceOwnership: owned\nspec:\n  image: \
                 ghcr.io/acme/{name}:1.0.0\n  mcp: {{protocolVersions: [\"2026-07-28\"]}}\n"
            ),
        )
        .expect("write");
        p
    };
    let (a, b) = (spec("cart"), spec("orders"));
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        a.to_str().expect("utf-8"),
        b.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("MCP329"), "{}", stdout(&o));
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(dir);
}

/// Every fixture that validates (the policy pack's failing examples aside) compiles, in every
/// environment, into artifacts the consistency stage finds in agreement.
#[test]
fn every_fixture_passes_the_consistency_stage() {
    use mcpgen::compile::emitters;
    use mcpgen::model::Model;
    let mut specs = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("fixtures") {
            let p = e.expect("entry").path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if p.is_dir() {
                if !matches!(name.as_deref(), Some("hostile" | "registry")) {
                    stack.push(p);
                }
            } else if matches!(
                name.as_deref(),
                Some("service.yaml" | "service.kdl" | "pass.yaml")
            ) {
                specs.push(p);
            }
        }
    }
    specs.sort();
    let opts = mcpgen::pipeline::Options {
        no_config: true,
        skip_policies: true,
        ..Default::default()
    };
    let mut checked = 0;
    for spec in specs {
        let report = mcpgen::pipeline::check_paths(std::slice::from_ref(&spec), &opts);
        for v in report.files.iter().flat_map(|f| &f.variants) {
            let model = Model::new(&v.resolved, "service.yaml");
            if !model.preflight().is_empty() {
                continue;
            }
            let mut artifacts = Vec::new();
            for e in emitters() {
                artifacts.extend(e.emit(&model).expect("emits"));
            }
            let found: Vec<String> = mcpgen::consistency::check(&model, &artifacts)
                .into_iter()
                .map(|f| format!("{} {} {}", f.code.code, f.pointer, f.message))
                .collect();
            assert!(
                found.is_empty(),
                "{} ({:?}): {found:#?}",
                spec.display(),
                v.spec.env()
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} variants checked");
}
