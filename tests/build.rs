//! `mcpgen build`: snapshots of every artifact, determinism, exit codes, `--check` drift,
//! refusal to write on a broken spec, atomic replacement, and the cross-object checks no
//! schema makes (selectors, ports, PDB vs HPA, quota vs maximum scale).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Container, LimitRange, ResourceQuota, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use mcpgen::source::{SourceFile, SourceId};
use mcpgen::spec::scalars::{Cpu, Memory};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mcpgen");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name).join("service.yaml")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh empty directory under the system temp dir.
fn tempdir(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("mcpgen-build-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn mcpgen(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mcpgen")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file under `dir`, relative path → contents.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).expect("read file"));
            }
        }
    }
    out
}

fn build_fixture(name: &str, extra: &[&str]) -> (PathBuf, BTreeMap<String, String>) {
    build_spec(name, &fixture(name), extra)
}

fn build_spec(name: &str, spec: &Path, extra: &[&str]) -> (PathBuf, BTreeMap<String, String>) {
    let out = tempdir(name);
    let mut args = vec![
        "build",
        spec.to_str().expect("utf-8 path"),
        "-o",
        out.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    let o = mcpgen(&args);
    assert_eq!(
        code(&o),
        0,
        "stdout:\n{}\nstderr:\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let tree = read_tree(&out);
    (out, tree)
}

#[test]
fn snapshots_of_every_artifact() {
    for fixture_name in ["reference", "minimal"] {
        let (out, tree) = build_fixture(fixture_name, &[]);
        assert!(!tree.is_empty());
        for (path, contents) in &tree {
            let name = format!("{fixture_name}__{}", path.replace('/', "__"));
            insta::assert_snapshot!(name, contents);
        }
        let _ = std::fs::remove_dir_all(out);
    }
}

#[test]
fn reference_builds_both_environments_and_minimal_builds_base() {
    let (a, reference) = build_fixture("reference", &[]);
    let envs: std::collections::BTreeSet<_> = reference
        .keys()
        .filter_map(|p| p.split('/').next())
        .collect();
    assert_eq!(
        envs.into_iter().collect::<Vec<_>>(),
        ["production", "staging"]
    );
    let (b, minimal) = build_fixture("minimal", &[]);
    assert!(minimal.keys().all(|p| p.starts_with("base/")));
    assert!(minimal.contains_key("base/k8s/deployment.yaml"));
    // No build section: no Dockerfile.
    assert!(!minimal.contains_key("base/Dockerfile"));
    let (c, all) = build_fixture("reference", &["--all-envs"]);
    assert!(all.keys().any(|p| p.starts_with("base/")));
    let (d, one) = build_fixture("reference", &["--env", "staging"]);
    assert!(one.keys().all(|p| p.starts_with("staging/")));
    let (e, only_k8s) = build_fixture("reference", &["--target", "k8s"]);
    // Besides the ownership marker every environment directory carries.
    assert!(
        only_k8s
            .keys()
            .all(|p| p.contains("/k8s/") || p.ends_with(mcpgen::write::MARKER))
    );
    for dir in [a, b, c, d, e] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    for f in ["reference", "minimal"] {
        let (a, first) = build_fixture(f, &["--all-envs"]);
        let (b, second) = build_fixture(f, &["--all-envs"]);
        assert_eq!(first, second, "{f}");
        let _ = std::fs::remove_dir_all(a);
        let _ = std::fs::remove_dir_all(b);
    }
}

#[test]
fn every_file_has_the_header_and_a_final_newline() {
    let (out, tree) = build_fixture("reference", &[]);
    for (path, contents) in &tree {
        assert!(contents.ends_with('\n'), "{path}");
        if path.ends_with(".json") {
            // JSON has no comments; the dashboard carries no header.
            continue;
        }
        assert!(
            contents.starts_with("# Generated by mcpgen from service.yaml. Do not edit.\n"),
            "{path}"
        );
        assert!(!contents.contains(&*root().to_string_lossy()), "{path}");
    }
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn check_passes_on_fresh_output_and_reports_drift() {
    let (out, _) = build_fixture("reference", &[]);
    let spec = fixture("reference");
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            "build".to_string(),
            spec.display().to_string(),
            "-o".to_string(),
            out.display().to_string(),
            "--check".to_string(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |extra: &[&'static str]| {
        let a = args(extra);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        mcpgen(&refs)
    };
    let o = run(&[]);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));

    let dep = out.join("production/k8s/deployment.yaml");
    let original = std::fs::read_to_string(&dep).expect("read");
    std::fs::write(
        &dep,
        original.replace("maxUnavailable: 0", "maxUnavailable: 1"),
    )
    .expect("write");
    std::fs::write(out.join("staging/stale.yaml"), "old\n").expect("write");
    std::fs::remove_file(out.join("staging/Dockerfile")).expect("remove");
    let o = run(&[]);
    assert_eq!(code(&o), 1);
    let s = text(&o.stdout);
    assert!(s.contains("--- a/production/k8s/deployment.yaml"), "{s}");
    assert!(s.contains("+++ b/production/k8s/deployment.yaml"), "{s}");
    assert!(
        s.contains("-      maxUnavailable: 1\n+      maxUnavailable: 0"),
        "{s}"
    );
    assert!(s.contains("+++ /dev/null"), "{s}");
    assert!(s.contains("--- /dev/null\n+++ b/staging/Dockerfile"), "{s}");
    assert!(s.contains("3 files are out of date"), "{s}");
    // --check never writes.
    assert!(out.join("staging/stale.yaml").exists());

    let o = run(&["--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["drift"].as_array().map(Vec::len), Some(3));
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_rebuild_replaces_the_environment_directory_as_a_whole() {
    let (out, before) = build_fixture("reference", &[]);
    std::fs::write(out.join("staging/stale.yaml"), "old\n").expect("write");
    let spec = fixture("reference");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(read_tree(&out), before);
    let names: Vec<_> = std::fs::read_dir(&out)
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary directories left: {names:?}");
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn a_broken_spec_writes_nothing_and_leaves_previous_output_untouched() {
    let (out, before) = build_fixture("reference", &[]);
    let dir = tempdir("broken");
    let broken = dir.join("service.yaml");
    let text_in = std::fs::read_to_string(fixture("reference")).expect("read");
    std::fs::write(&broken, text_in.replace("replicas: 3", "replicas: many")).expect("write");
    let o = mcpgen(&[
        "build",
        broken.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 1);
    let s = text(&o.stdout);
    assert!(s.contains("MCP012") || s.contains("wrong-type"), "{s}");
    assert!(text(&o.stderr).contains("nothing written"));
    assert_eq!(read_tree(&out), before);

    let o = mcpgen(&[
        "build",
        broken.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON report");
    assert!(
        v["summary"].is_object() && v.get("written").is_none(),
        "{v}"
    );
    assert_eq!(read_tree(&out), before);

    let fresh = dir.join("never");
    let o = mcpgen(&[
        "build",
        broken.to_str().expect("utf-8"),
        "-o",
        fresh.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 1);
    assert!(!fresh.exists());
    let _ = std::fs::remove_dir_all(out);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn policy_errors_stop_the_build_and_exceptions_or_levels_let_it_through() {
    let spec = root().join("fixtures/policy/latest-image-tag/fail.yaml");
    let spec = spec.to_str().expect("utf-8");
    let dir = tempdir("policy-gate");
    let out = dir.join("out");
    let out_s = out.to_str().expect("utf-8");
    // The built-in pack runs before anything is written.
    let o = mcpgen(&["build", spec, "-o", out_s]);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains("MCP213"), "{}", text(&o.stdout));
    assert!(text(&o.stderr).contains("nothing written"));
    assert!(!out.exists());
    // SARIF owns stdout, even for a failing build.
    let o = mcpgen(&["build", spec, "-o", out_s, "--format", "sarif"]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("SARIF on stdout");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "MCP213" && r["level"] == "error"),
        "{v}"
    );
    // The same levels as `check`: the rule as a warning lets the build write.
    let o = mcpgen(&["build", spec, "-o", out_s, "-W", "latest-image-tag"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));
    assert!(out.join("base/k8s/deployment.yaml").exists());
    // And the nearest mcpgen.toml applies: an exception with its reason.
    std::fs::write(
        dir.join("mcpgen.toml"),
        "[[exceptions]]\nrule = \"MCP213\"\nreason = \"demo image\"\n",
    )
    .expect("write config");
    let copy = dir.join("service.yaml");
    std::fs::copy(spec, &copy).expect("copy");
    let o = mcpgen(&["build", copy.to_str().expect("utf-8"), "-o", out_s]);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_stdio_server_stops_the_build_with_a_located_error() {
    let dir = tempdir("stdio");
    let spec = dir.join("service.yaml");
    std::fs::write(
        &spec,
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: echo\nspec:\n  \
         image: ghcr.io/acme/echo:1.0.0\n  mcp:\n    transport: stdio\n",
    )
    .expect("write");
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 1);
    let s = text(&o.stdout);
    assert!(s.contains("MCP301"), "{s}");
    assert!(
        s.contains("service.yaml:8:"),
        "located at the transport line: {s}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn failures_exit_2() {
    let dir = tempdir("fail");
    let spec = fixture("minimal");
    let spec = spec.to_str().expect("utf-8");
    let out = dir.join("out");
    let out_s = out.to_str().expect("utf-8");
    // Unknown target.
    let o = mcpgen(&["build", spec, "-o", out_s, "--target", "helm"]);
    assert_eq!(code(&o), 2);
    // Missing spec file.
    let o = mcpgen(&["build", "/nonexistent/service.yaml", "-o", out_s]);
    assert_eq!(code(&o), 2);
    // Unknown environment.
    let o = mcpgen(&["build", spec, "-o", out_s, "--env", "qa"]);
    assert_eq!(code(&o), 2);
    // The output directory is a file: an I/O failure, and nothing half-written.
    let file = dir.join("file");
    std::fs::write(&file, "x").expect("write");
    let o = mcpgen(&["build", spec, "-o", file.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2);
    assert_eq!(std::fs::read_to_string(&file).ok().as_deref(), Some("x"));
    assert!(!out.exists());
    // No output directory and no --stdout.
    let o = mcpgen(&["build", spec]);
    assert_eq!(code(&o), 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn stdout_prints_a_multi_document_stream_and_writes_nothing() {
    let spec = fixture("reference");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "--stdout",
        "--env",
        "production",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let s = text(&o.stdout);
    let docs = s.matches("\n---\n").count() + usize::from(s.starts_with("---\n"));
    // 12 Kubernetes objects of k8s/ and 3 of monitoring/ (PrometheusRule, ServiceMonitor,
    // dashboard ConfigMap); plain Prometheus files and kustomizations are not objects.
    assert_eq!(docs, 15, "{s}");
    assert!(s.contains("kind: PrometheusRule") && s.contains("kind: ServiceMonitor"));
    assert!(!s.contains("rule_files") && !s.contains("scrape_configs"));
    assert!(s.contains("# Source: production/k8s/deployment.yaml"));
    assert!(!s.contains("kind: Kustomization"));
}

#[test]
fn json_report_lists_written_files() {
    let out = tempdir("json");
    let spec = fixture("minimal");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["diagnostics"].is_array(), "one report object: {v}");
    let files = v["written"][0]["files"].as_array().expect("files");
    assert!(files.iter().any(|f| f == "k8s/deployment.yaml"));
    let _ = std::fs::remove_dir_all(out);
}

// ---------------------------------------------------------------------------------------------
// Semantic checks across objects.

fn yaml(text: &str) -> Value {
    let file = SourceFile::new("x.yaml", text.to_string());
    match mcpgen::spec::yaml::parse(SourceId(0), &file) {
        Ok(doc) => doc.value,
        Err(d) => panic!("generated YAML does not parse: {d:?}"),
    }
}

fn typed<T: serde::de::DeserializeOwned>(tree: &BTreeMap<String, String>, path: &str) -> Option<T> {
    tree.get(path)
        .map(|t| serde_json::from_value(yaml(t)).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn subset(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> bool {
    a.iter().all(|(k, v)| b.get(k) == Some(v))
}

fn cpu(q: &str) -> u64 {
    Cpu::new_unchecked(q).millis().expect("cpu quantity")
}

fn mem(q: &str) -> u128 {
    Memory::new_unchecked(q).bytes().expect("memory quantity")
}

fn check_environment(env: &str, tree: &BTreeMap<String, String>) {
    let p = |f: &str| format!("{env}/k8s/{f}");
    let dep: Deployment = typed(tree, &p("deployment.yaml")).expect("deployment");
    let spec = dep.spec.clone();
    let pod_labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let selector = spec.selector.match_labels.clone().unwrap_or_default();
    assert!(
        !selector.is_empty() && subset(&selector, &pod_labels),
        "{env}: deployment selector"
    );
    let pod = spec.template.spec.clone().expect("pod spec");
    let c: &Container = &pod.containers[0];
    let port_names: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .filter_map(|p| p.name.clone())
        .collect();
    let port_exists = |p: &IntOrString| match p {
        IntOrString::String(n) => port_names.contains(n),
        IntOrString::Int(i) => c.ports.iter().flatten().any(|p| p.container_port == *i),
    };

    // Probes: every probe targets an existing port and never the MCP path.
    for probe in [&c.liveness_probe, &c.readiness_probe, &c.startup_probe] {
        let probe = probe.as_ref().expect("probe");
        let get = probe.http_get.as_ref().expect("http probe");
        assert!(port_exists(&get.port), "{env}: probe port");
        assert_ne!(
            get.path.as_deref(),
            Some("/mcp"),
            "{env}: probe on the MCP path"
        );
    }

    // Service selects the pods and targets existing container ports.
    let svc: Service = typed(tree, &p("service.yaml")).expect("service");
    let svc_spec = svc.spec.expect("service spec");
    assert!(subset(
        &svc_spec.selector.clone().unwrap_or_default(),
        &pod_labels
    ));
    let svc_ports = svc_spec.ports.clone().unwrap_or_default();
    for sp in &svc_ports {
        assert!(
            port_exists(sp.target_port.as_ref().expect("targetPort")),
            "{env}: service port"
        );
    }

    // Ingress routes to the Service's named port.
    if let Some(ing) = typed::<Ingress>(tree, &p("ingress.yaml")) {
        for rule in ing.spec.and_then(|s| s.rules).unwrap_or_default() {
            for path in rule.http.expect("http").paths {
                let backend = path.backend.service.expect("service backend");
                assert_eq!(Some(backend.name.as_str()), svc.metadata.name.as_deref());
                let port = backend.port.and_then(|p| p.name).expect("port name");
                assert!(svc_ports.iter().any(|sp| sp.name.as_deref() == Some(&port)));
            }
        }
    }

    // PDB and HPA agree; the HPA owns the replica count.
    let pdb: PodDisruptionBudget = typed(tree, &p("poddisruptionbudget.yaml")).expect("pdb");
    let pdb_spec = pdb.spec.expect("pdb spec");
    let pdb_sel = pdb_spec
        .selector
        .and_then(|s| s.match_labels)
        .unwrap_or_default();
    assert!(subset(&pdb_sel, &pod_labels));
    let hpa: Option<HorizontalPodAutoscaler> = typed(tree, &p("horizontalpodautoscaler.yaml"));
    let (min, max) = match &hpa {
        Some(h) => {
            assert!(
                spec.replicas.is_none(),
                "{env}: replicas set although the HPA owns them"
            );
            assert_eq!(
                h.spec.scale_target_ref.name,
                dep.metadata.name.clone().unwrap_or_default()
            );
            (h.spec.min_replicas.unwrap_or(1), h.spec.max_replicas)
        }
        None => {
            let r = spec.replicas.expect("replicas without HPA");
            (r, r)
        }
    };
    let allowed = match (&pdb_spec.max_unavailable, &pdb_spec.min_available) {
        (Some(IntOrString::Int(n)), None) => *n,
        (None, Some(IntOrString::Int(n))) => min - n,
        other => panic!("{env}: unexpected PDB shape {other:?}"),
    };
    assert!(
        allowed >= 1,
        "{env}: the PDB blocks every eviction at the HPA minimum"
    );
    if min >= 2 {
        assert!(
            min - allowed >= 1,
            "{env}: the PDB lets every pod go at the minimum"
        );
    }

    // The NetworkPolicy selects the pods.
    let np: NetworkPolicy = typed(tree, &p("networkpolicy.yaml")).expect("networkpolicy");
    let np_sel = np
        .spec
        .and_then(|s| s.pod_selector)
        .and_then(|s| s.match_labels)
        .unwrap_or_default();
    assert!(!np_sel.is_empty() && subset(&np_sel, &pod_labels));

    // The ConfigMap checksum matches what the pod template carries.
    if let Some(cm) = typed::<ConfigMap>(tree, &p("configmap.yaml")) {
        let ann = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.clone())
            .unwrap_or_default();
        assert!(
            ann.contains_key("checksum/config"),
            "{env}: checksum annotation"
        );
        let mounted =
            pod.volumes.iter().flatten().any(|v| {
                v.config_map.as_ref().map(|c| c.name.as_str()) == cm.metadata.name.as_deref()
            });
        assert!(mounted, "{env}: ConfigMap mounted");
    }

    // The quota admits the Deployment at its maximum scale plus the rollout surge.
    if let Some(q) = typed::<ResourceQuota>(tree, &p("resourcequota.yaml")) {
        let hard = q.spec.and_then(|s| s.hard).unwrap_or_default();
        let surge = match spec
            .strategy
            .as_ref()
            .and_then(|s| s.rolling_update.as_ref())
            .and_then(|r| r.max_surge.clone())
        {
            Some(IntOrString::Int(n)) => n,
            other => panic!("{env}: maxSurge {other:?}"),
        };
        let pods = u64::try_from(max + surge).expect("positive");
        let res = c.resources.clone().expect("resources");
        let lim = res.limits.unwrap_or_default();
        let req = res.requests.unwrap_or_default();
        if let Some(h) = hard.get("pods") {
            assert!(
                pods <= h.0.parse::<u64>().expect("pods"),
                "{env}: pods quota"
            );
        }
        for (key, list) in [("limits", &lim), ("requests", &req)] {
            if let Some(h) = hard.get(&format!("{key}.cpu")) {
                assert!(
                    pods * cpu(&list["cpu"].0) <= cpu(&h.0),
                    "{env}: {key}.cpu quota"
                );
            }
            if let Some(h) = hard.get(&format!("{key}.memory")) {
                assert!(
                    u128::from(pods) * mem(&list["memory"].0) <= mem(&h.0),
                    "{env}: {key}.memory quota"
                );
            }
        }
    }

    // The container fits the LimitRange.
    if let Some(lr) = typed::<LimitRange>(tree, &p("limitrange.yaml")) {
        let res = c.resources.clone().expect("resources");
        let lim = res.limits.unwrap_or_default();
        let req = res.requests.unwrap_or_default();
        for item in lr.spec.map(|s| s.limits).unwrap_or_default() {
            for (k, min) in item.min.unwrap_or_default() {
                let ok = match k.as_str() {
                    "cpu" => cpu(&req[&k].0) >= cpu(&min.0),
                    _ => mem(&req[&k].0) >= mem(&min.0),
                };
                assert!(ok, "{env}: request {k} below the LimitRange minimum");
            }
            for (k, max) in item.max.unwrap_or_default() {
                let ok = match k.as_str() {
                    "cpu" => cpu(&lim[&k].0) <= cpu(&max.0),
                    _ => mem(&lim[&k].0) <= mem(&max.0),
                };
                assert!(ok, "{env}: limit {k} above the LimitRange maximum");
            }
        }
    }

    // The VPA never acts on a resource the HPA scales on.
    if let Some(vpa) = tree.get(&p("verticalpodautoscaler.yaml")).map(|t| yaml(t)) {
        let mode = vpa["spec"]["updatePolicy"]["updateMode"]
            .as_str()
            .unwrap_or("");
        let controlled: Vec<&str> =
            vpa["spec"]["resourcePolicy"]["containerPolicies"][0]["controlledResources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
        let hpa_resources: Vec<String> = hpa
            .iter()
            .flat_map(|h| h.spec.metrics.clone().unwrap_or_default())
            .filter_map(|m| m.resource.map(|r| r.name))
            .collect();
        if mode != "Off" {
            for r in &hpa_resources {
                assert!(
                    !controlled.contains(&r.as_str()),
                    "{env}: VPA and HPA both on {r}"
                );
            }
        }
    }

    // The kustomization lists exactly the other files.
    let kust = yaml(&tree[&p("kustomization.yaml")]);
    let mut listed: Vec<String> = kust["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    listed.sort();
    let mut present: Vec<String> = tree
        .keys()
        .filter_map(|k| k.strip_prefix(&format!("{env}/k8s/")))
        .filter(|k| *k != "kustomization.yaml")
        .map(str::to_string)
        .collect();
    present.sort();
    assert_eq!(listed, present, "{env}: kustomization resources");

    // Secrets are only ever referenced.
    for (path, contents) in tree {
        assert!(
            !contents.contains("kind: Secret\n"),
            "{path} creates a Secret"
        );
    }
}

#[test]
fn manifests_agree_with_each_other() {
    let specs = [
        fixture("reference"),
        fixture("minimal"),
        root().join("tests/validators/specs/python.yaml"),
        root().join("tests/validators/specs/go.yaml"),
    ];
    for spec in specs {
        let (out, tree) = build_spec("agree", &spec, &["--all-envs"]);
        let envs: std::collections::BTreeSet<String> = tree
            .keys()
            .filter_map(|p| p.split('/').next().map(str::to_string))
            .collect();
        for env in envs {
            check_environment(&env, &tree);
        }
        let _ = std::fs::remove_dir_all(out);
    }
}

#[test]
fn a_file_change_changes_the_checksum() {
    let dir = tempdir("checksum");
    let spec = dir.join("service.yaml");
    let original = std::fs::read_to_string(fixture("reference")).expect("read");
    let checksum = |body: &str| {
        std::fs::write(&spec, body).expect("write");
        let o = mcpgen(&[
            "build",
            spec.to_str().expect("utf-8"),
            "--stdout",
            "--env",
            "production",
        ]);
        assert_eq!(code(&o), 0);
        text_line(&text(&o.stdout), "checksum/config:")
    };
    let a = checksum(&original);
    let b = checksum(&original.replace("timeout: 30000", "timeout: 60000"));
    assert_ne!(a, b);
    let _ = std::fs::remove_dir_all(dir);
}

fn text_line(s: &str, needle: &str) -> String {
    s.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hostile_spec_values_stay_inside_their_instruction() {
    let out = tempdir("hostile");
    let spec = root().join("tests/validators/specs/go.yaml");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let dockerfile = std::fs::read_to_string(out.join("base/Dockerfile")).expect("Dockerfile");
    let expected: Vec<String> = [
        "/app/server",
        "--listen",
        ":8080",
        "--motd",
        "line one\nRUN echo pwned",
        "say \"hi\"",
        "$HOME ${PATH}",
        "back\\slash\\",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let cmds: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("CMD "))
        .collect();
    assert_eq!(cmds.len(), 1, "{dockerfile}");
    let parsed: Vec<String> =
        serde_json::from_str(cmds[0].trim_start_matches("CMD ")).expect("CMD is JSON");
    assert_eq!(parsed, expected);
    assert!(
        !dockerfile.lines().any(|l| l.starts_with("RUN echo")),
        "{dockerfile}"
    );
    let runs: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("RUN "))
        .collect();
    let build: Vec<String> =
        serde_json::from_str(runs[runs.len() - 1].trim_start_matches("RUN ")).expect("RUN JSON");
    assert_eq!(build[5], "-X main.v=$(date)");
    // Compose would interpolate `$USER`: it is escaped as `$$USER`.
    let compose = std::fs::read_to_string(out.join("base/compose.yaml")).expect("compose");
    assert!(compose.contains("$$USER"), "{compose}");
    assert!(compose.contains("single $$node"), "{compose}");
    let _ = std::fs::remove_dir_all(out);
}
