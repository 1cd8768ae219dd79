//! The resolved spec is the one owner of every default: emitters only map the Model, so a spec
//! with every default written out builds exactly what the same spec with them left out builds,
//! and policies see the resolved values.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mcpgen::compile::emitters;
use mcpgen::diagnostics::Level;
use mcpgen::model::Model;
use mcpgen::pipeline::{self, Input, Options};
use mcpgen::resolve::ResolvedSpec;
use mcpgen::spec::Syntax;

use super::support::*;

/// Every spec file under `fixtures/` (the hostile corpus aside).
fn spec_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("fixtures") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                if !p.ends_with("hostile") && !p.ends_with("gatekeeper-library") {
                    stack.push(p);
                }
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "kdl"))
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("mcpgen"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn quiet() -> Options {
    Options {
        no_config: true,
        ..Options::default()
    }
}

/// Every artifact of every target for one resolved spec.
fn outputs(resolved: &ResolvedSpec) -> BTreeMap<String, String> {
    let model = Model::new(resolved, "service.yaml");
    if !model.preflight().is_empty() {
        return BTreeMap::new();
    }
    let mut out = BTreeMap::new();
    for e in emitters() {
        for a in e.emit(&model).expect("emits") {
            out.insert(a.path, a.contents);
        }
    }
    out
}

/// Check text that must validate; its only variant's resolution.
fn resolve_text(name: &str, text: String) -> ResolvedSpec {
    let report = pipeline::check(
        &[Input::Text {
            name: name.to_string(),
            text: text.clone(),
            syntax: Syntax::Yaml,
        }],
        &quiet(),
    );
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        // Policy findings and planted secrets (the policy fixtures hold some on purpose) are
        // judgements about a valid spec, not failures to resolve it.
        .filter(|d| {
            d.level == Level::Error && !d.code.starts_with("MCP2") && !d.code.starts_with("MCP4")
        })
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{text}");
    let file = &report.files[0];
    assert_eq!(file.variants.len(), 1, "{name}");
    file.variants[0].resolved.clone()
}

#[test]
fn defaults_written_out_build_byte_identical_outputs() {
    let mut variants = 0;
    for path in spec_files() {
        let report = pipeline::check_paths(std::slice::from_ref(&path), &quiet());
        for file in &report.files {
            for v in &file.variants {
                let original = &v.resolved;
                // The resolved spec, written out as a spec (JSON is YAML): every default explicit.
                let text = serde_json::to_string_pretty(&original.file).expect("serializes");
                let name = format!("{} ({:?})", path.display(), original.env);
                let mut written = resolve_text(&name, text);
                assert!(
                    written.defaulted.is_empty(),
                    "{name}: a spec with every default written out still had {:?} defaulted",
                    written.defaulted
                );
                assert_eq!(
                    written.file, original.file,
                    "{name}: resolution is not idempotent"
                );
                // The environment is not part of the spec; the Model takes it from the variant.
                written.env = original.env.clone();
                assert_eq!(
                    outputs(&written),
                    outputs(original),
                    "{name}: outputs differ once the defaults are written out"
                );
                variants += 1;
            }
        }
    }
    assert!(variants > 30, "only {variants} variants compared");
}

#[test]
fn team_policies_see_the_resolved_values() {
    let dir = tempdir("team-resolved");
    std::fs::write(
        dir.join("team.rego"),
        "package team\n\ndeny contains msg if {\n\tmsg := sprintf(\"replicas=%v port=%v cpu=%v memory=%v limit=%v\", [input.spec.replicas, input.spec.mcp.port, input.spec.resources.requests.cpu, input.spec.resources.requests.memory, input.spec.resources.limits.memory])\n}\n",
    )
    .expect("write policy");
    let minimal = fixture("minimal");
    let o = mcpgen(&[
        "check",
        "--format",
        "json",
        "--policy",
        dir.to_str().expect("utf-8"),
        minimal.to_str().expect("utf-8"),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "team.deny")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        ["replicas=2 port=8080 cpu=100m memory=128Mi limit=512Mi"],
        "{}",
        stdout(&o)
    );
    assert!(Path::new(&minimal).is_file());
}

#[test]
fn the_json_build_report_describes_the_resolved_spec() {
    let out = tempdir("describe");
    let o = mcpgen(&[
        "build",
        fixture("minimal").to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let build = &report["builds"][0];
    assert_eq!(build["root"], "weather/base");
    assert_eq!(build["resolved"]["spec"]["replicas"], 2);
    assert_eq!(build["resolved"]["spec"]["mcp"]["port"], 8080);
    assert_eq!(build["resolved"]["metadata"]["namespace"], "weather");
    let defaulted: Vec<&str> = build["defaulted"]
        .as_array()
        .expect("defaulted")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(defaulted.contains(&"/spec/replicas"), "{defaulted:?}");
    assert!(defaulted.contains(&"/spec/monitoring"), "{defaulted:?}");
}
