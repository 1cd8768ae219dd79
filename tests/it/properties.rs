//! Properties over generated specs (proptest): every valid spec builds, every output parses and
//! the outputs agree with each other; an invalid spec never writes anything.
//!
//! The generator covers the fields whose combinations interact (names, environments, replicas
//! and autoscaling, resources, env, files, dependencies, exposure, monitoring), each within the
//! values the language accepts, so a failure is a bug in mcpgen, not in the generator.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use mcpgen::diagnostics::Level;
use mcpgen::pipeline::{self, BuildOptions, Input, Options, Report};
use mcpgen::spec::Syntax;
use proptest::prelude::*;
use serde_json::{Value, json};

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,6})?"
}

fn quantity_pair() -> impl Strategy<Value = (Value, Value)> {
    (1u32..4000, 1u32..4, 4u32..4096, 1u32..4).prop_map(|(cpu, cf, mem, mf)| {
        (
            json!({"cpu": format!("{cpu}m"), "memory": format!("{mem}Mi")}),
            json!({"cpu": format!("{}m", cpu * cf), "memory": format!("{}Mi", mem * mf)}),
        )
    })
}

fn env_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map("[A-Z][A-Z0-9_]{0,12}", "[a-z0-9 .:/-]{0,20}", 0..6).prop_map(
        |m| {
            // Names that end like a credential are (rightly) findings: keep them out.
            m.into_iter()
                .filter(|(k, _)| {
                    ![
                        "PASSWORD", "PASSWD", "PWD", "PASS", "SECRET", "TOKEN", "KEY", "APIKEY",
                        "AUTH",
                    ]
                    .iter()
                    .any(|w| k.ends_with(w))
                })
                .collect()
        },
    )
}

prop_compose! {
    fn spec()(
        name in name(),
        replicas in proptest::option::of(2u32..20),
        resources in proptest::option::of(quantity_pair()),
        env in env_map(),
        files in proptest::collection::btree_map("/app/[a-z]{1,8}\\.conf", "[a-z =0-9\\n]{0,80}", 0..3),
        deps in proptest::collection::btree_map(name(), (1u32..65535, prop_oneof![Just("postgres:16.4"), Just("redis:7.4"), Just("ghcr.io/acme/cache:1.0.0")]), 0..3),
        expose in proptest::option::of((name(), prop_oneof![Just("/mcp"), Just("/api/v1/mcp"), Just("/a.b/c-d")])),
        autoscaling in proptest::option::of((2u32..5, 5u32..50)),
        interval in prop_oneof![Just("10s"), Just("30s"), Just("1m"), Just("1h")],
        envs in proptest::collection::btree_map(prop_oneof![Just("staging".to_string()), Just("production".to_string()), name()], 2u32..9, 0..3),
    ) -> Value {
        let mut spec = json!({
            "image": "ghcr.io/acme/server:1.2.3",
            "mcp": {"protocolVersions": ["2026-07-28"], "port": 8080},
            "monitoring": {"metrics": {"interval": interval}},
        });
        let s = spec.as_object_mut().unwrap();
        if let Some(r) = replicas { s.insert("replicas".into(), json!(r)); }
        if let Some((req, lim)) = resources { s.insert("resources".into(), json!({"requests": req, "limits": lim})); }
        if !env.is_empty() { s.insert("env".into(), json!(env)); }
        if !files.is_empty() { s.insert("files".into(), json!(files)); }
        if !deps.is_empty() {
            let d: serde_json::Map<String, Value> = deps.into_iter().map(|(k, (port, image))| (k, json!({"image": image, "port": port}))).collect();
            s.insert("dependencies".into(), Value::Object(d));
        }
        if let Some((host, path)) = expose {
            s.insert("expose".into(), json!({"host": format!("{host}.example.com"), "path": path}));
        }
        if let Some((min, max)) = autoscaling {
            s.insert("autoscaling".into(), json!({"minReplicas": min, "maxReplicas": max, "targetCPU": 70}));
        }
        if !envs.is_empty() {
            let e: serde_json::Map<String, Value> = envs.into_iter().map(|(k, r)| (k, json!({"spec": {"replicas": r}}))).collect();
            s.insert("environments".into(), Value::Object(e));
        }
        json!({"apiVersion": "mcpgen.dev/v1", "kind": "MCPServer", "metadata": {"name": name}, "spec": spec})
    }
}

/// Validate and resolve every variant (no policies: the properties are about what mcpgen
/// builds, and a policy finding is a judgement, not a failure to build).
fn check(spec: &Value) -> Report {
    // JSON is YAML: the generated value goes through the YAML front-end unchanged.
    pipeline::check(
        &[Input::Text {
            name: "gen.yaml".into(),
            text: spec.to_string(),
            syntax: Syntax::Yaml,
        }],
        &Options {
            no_config: true,
            skip_policies: true,
            ..Options::default()
        },
    )
}

/// The outputs agree with each other: every YAML and JSON file parses; every Kubernetes
/// document names its kind and object; the Service selects the Deployment's pods; the
/// kustomization lists files that exist.
fn consistent(files: &BTreeMap<String, String>) -> Result<(), String> {
    let mut docs: Vec<(String, Value)> = Vec::new();
    for (path, text) in files {
        if path.ends_with(".json") {
            serde_json::from_str::<Value>(text).map_err(|e| format!("{path}: {e}"))?;
        } else if path.ends_with(".yaml") {
            for part in text.split("\n---\n") {
                let f = mcpgen::source::SourceFile::new(path.clone(), part.to_string());
                let doc =
                    mcpgen::spec::yaml::parse(mcpgen::source::SourceId(0), &f).map_err(|d| {
                        format!(
                            "{path}: does not parse: {:?}",
                            d.first().map(|d| &d.message)
                        )
                    })?;
                docs.push((path.clone(), doc.value));
            }
        }
    }
    let k8s: Vec<&(String, Value)> = docs
        .iter()
        .filter(|(p, _)| p.starts_with("k8s/") && !p.ends_with("kustomization.yaml"))
        .collect();
    for (p, d) in &k8s {
        if d["kind"].as_str().is_none() || d["metadata"]["name"].as_str().is_none() {
            return Err(format!("{p}: a Kubernetes document without kind or name"));
        }
    }
    let find = |kind: &str| k8s.iter().find(|(_, d)| d["kind"] == kind).map(|(_, d)| d);
    if let (Some(dep), Some(svc)) = (find("Deployment"), find("Service")) {
        let pod = &dep["spec"]["template"]["metadata"]["labels"];
        if let Some(sel) = svc["spec"]["selector"].as_object() {
            for (k, v) in sel {
                if &pod[k] != v {
                    return Err(format!(
                        "the Service selects {k}={v}, the pods carry {}",
                        pod[k]
                    ));
                }
            }
        }
    }
    for (p, d) in docs
        .iter()
        .filter(|(p, _)| p.ends_with("kustomization.yaml"))
    {
        let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
        for r in d["resources"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap_or_default();
            if !files.contains_key(&format!("{dir}/{r}")) {
                return Err(format!("{p} lists {r}, which is not generated"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn generated_valid_specs_build_and_their_outputs_agree(spec in spec()) {
        let report = check(&spec);
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.level == Level::Error).map(|d| (&d.code, &d.message)).collect();
        prop_assert!(errors.is_empty(), "{spec}\n{errors:?}");
        prop_assert!(report.failures.is_empty(), "{:?}", report.failures);
        prop_assert!(!report.files[0].variants.is_empty());
        let opts = BuildOptions { all_envs: true, ..BuildOptions::default() };
        let built = pipeline::build(&report, &opts).map_err(|e| TestCaseError::fail(format!("{spec}\n{e}")))?;
        // The consistency stage found nothing to object to in any variant.
        let findings: Vec<_> = built.diagnostics.iter().map(|d| (&d.code, &d.message)).collect();
        prop_assert!(findings.is_empty(), "{spec}\n{findings:?}");
        prop_assert_eq!(built.trees.len(), report.files[0].variants.len());
        for tree in &built.trees {
            consistent(&tree.files).map_err(|e| TestCaseError::fail(format!("{spec}\n{e}")))?;
        }
        prop_assert!(mcpgen::write::validate(&built.trees).is_ok());
    }
}

/// Ways to break a valid spec, each one a finding (exit 1).
fn break_spec(spec: &mut Value, how: u8) {
    let s = &mut spec["spec"];
    match how % 6 {
        0 => s["replicas"] = json!("many"),
        1 => s["imagePullPolicy"] = json!("Always"),
        2 => spec["metadata"]["name"] = json!("Not_A_Name"),
        3 => s["autoscaling"] = json!({"minReplicas": 9, "maxReplicas": 3}),
        4 => s["env"] = json!({"API_TOKEN": "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"}),
        _ => s["resources"] = json!({"limits": {"cpu": "0", "memory": "0"}}),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn an_invalid_spec_never_writes(mut spec in spec(), how in any::<u8>()) {
        break_spec(&mut spec, how);
        let dir = std::env::temp_dir().join(format!("mcpgen-prop-{}-{how}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path: PathBuf = dir.join("service.yaml");
        std::fs::write(&path, spec.to_string()).unwrap();
        let out = dir.join("deploy");
        let o = Command::new(super::support::BIN)
            .args(["build", path.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        prop_assert_eq!(o.status.code(), Some(1), "{}\n{}", spec, String::from_utf8_lossy(&o.stdout));
        prop_assert!(!out.exists(), "an invalid spec wrote {}", out.display());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
