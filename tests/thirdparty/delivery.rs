//! Progressive delivery and pipelines through the real validators: every analysis query of the
//! delivery fixtures parses with promtool (as a recording rule); the generated GitHub Actions
//! workflow and GitLab CI pipeline of every fixture that builds one validate against
//! check-jsonschema's vendored `github-workflows` and `gitlab-ci` schemas, with negative
//! controls showing the schemas reject a broken pipeline. The Rollouts and AnalysisTemplates
//! themselves go through kubernetes-validate and the vendored Argo Rollouts CRD schemas with
//! every other manifest (`validators.rs` builds the delivery fixtures too).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::*;
use super::tools::{promtool, run_ok, venv_tool};

const CASES: &[&str] = &["reference-canary", "reference-bluegreen"];

fn build(case: &str, tag: &str, extra: &[&str]) -> (PathBuf, BTreeMap<String, String>) {
    let rel = format!("target/delivery-validators/{tag}/{case}");
    let out = root().join(&rel);
    let _ = std::fs::remove_dir_all(&out);
    let spec = format!("fixtures/{case}/service.yaml");
    let mut args = vec!["build", spec.as_str(), "-o", rel.as_str(), "--all-envs"];
    args.extend_from_slice(extra);
    if extra.contains(&"ci") {
        // The pipeline covers the environments; --all-envs is not a pipeline option.
        args.retain(|a| *a != "--all-envs");
    }
    let o = mcpgen(&args);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let tree = read_tree(&out);
    (out, tree)
}

#[test]
fn analysis_queries_parse_with_promtool() {
    let Some(promtool) = promtool() else { return };
    for case in CASES {
        let (out, tree) = build(case, "promtool", &[]);
        let mut rules = Vec::new();
        for (path, text) in &tree {
            if !path.ends_with("k8s/analysistemplate.yaml") {
                continue;
            }
            for doc in text.split("\n---\n").map(parse_yaml) {
                for m in doc["spec"]["metrics"].as_array().expect("metrics") {
                    let query = m["provider"]["prometheus"]["query"]
                        .as_str()
                        .expect("query");
                    rules.push(serde_json::json!({
                        "record": format!("analysis:{}:{}", rules.len(), m["name"].as_str().unwrap_or("metric").replace('-', "_")),
                        "expr": query,
                    }));
                }
            }
        }
        assert!(rules.len() >= 4, "{case}: {} queries", rules.len());
        let file = out.join("analysis-queries.json");
        let doc = serde_json::json!({"groups": [{"name": "analysis", "rules": rules}]});
        std::fs::write(&file, doc.to_string()).expect("write rules");
        let text = run_ok(Command::new(&promtool).arg("check").arg("rules").arg(&file));
        assert!(text.contains("SUCCESS"), "{text}");
        // A negative control: promtool rejects a query that is not PromQL.
        let bad = out.join("bad-query.json");
        let doc = serde_json::json!({"groups": [{"name": "x", "rules": [{"record": "x", "expr": "sum by (job (rate(x[5m]))"}]}]});
        std::fs::write(&bad, doc.to_string()).expect("write control");
        let o = Command::new(&promtool)
            .arg("check")
            .arg("rules")
            .arg(&bad)
            .output()
            .expect("promtool runs");
        assert!(!o.status.success(), "promtool accepted a broken query");
        let _ = std::fs::remove_dir_all(out);
    }
}

fn check_schema(cjs: &Path, builtin: &str, file: &Path) -> std::process::Output {
    Command::new(cjs)
        .arg("--builtin-schema")
        .arg(builtin)
        .arg(file)
        .output()
        .expect("check-jsonschema runs")
}

#[test]
fn pipelines_validate_against_the_github_and_gitlab_schemas() {
    let Some(cjs) = venv_tool("check-jsonschema") else {
        return;
    };
    let mut checked = 0;
    for case in [
        "reference-canary",
        "reference-bluegreen",
        "reference",
        "minimal",
    ] {
        let (out, tree) = build(case, "ci", &["--target", "ci"]);
        // The ownership marker is mcpgen's, not a pipeline.
        for (path, text) in tree
            .iter()
            .filter(|(p, _)| !p.ends_with(mcpgen::write::MARKER))
        {
            let builtin = if path.ends_with("github-actions.yaml") {
                "vendor.github-workflows"
            } else if path.ends_with("gitlab-ci.yml") {
                "vendor.gitlab-ci"
            } else {
                panic!("{case}: unexpected file {path}");
            };
            let file = out.join(path);
            let o = check_schema(&cjs, builtin, &file);
            assert!(
                o.status.success(),
                "{case} {path} against {builtin}:\n{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            checked += 1;
            // Negative controls: the same file with a job that has no steps (GitHub), or
            // with an unknown keyword in a job (GitLab), fails the same schema.
            let broken = if builtin == "vendor.github-workflows" {
                text.replacen("    steps:\n", "    stepz:\n", 1)
            } else {
                text.replacen(
                    "  stage: check\n",
                    "  stage: check\n  bogus_keyword: 1\n",
                    1,
                )
            };
            assert_ne!(&broken, text, "{case} {path}: the control changed nothing");
            let control = out.join(format!("{path}.control.yaml"));
            std::fs::write(&control, broken).expect("write control");
            let o = check_schema(&cjs, builtin, &control);
            assert!(
                !o.status.success(),
                "{case} {path}: {builtin} accepted a broken pipeline"
            );
        }
        let _ = std::fs::remove_dir_all(out);
    }
    assert_eq!(checked, 8);
}

#[test]
fn pipelines_pass_yamllint() {
    let Some(yamllint) = venv_tool("yamllint") else {
        return;
    };
    for case in CASES {
        let (out, tree) = build(case, "yamllint", &["--target", "ci"]);
        let files: Vec<PathBuf> = tree.keys().map(|p| out.join(p)).collect();
        // The project's rules, except that a comment may follow its value after one space:
        // `uses: owner/repo@<sha> # v1.2.3` is the form Dependabot and Renovate write and
        // read to keep a pinned action's release in step with its SHA.
        let config = format!(
            "{{extends: {}, rules: {{comments: {{min-spaces-from-content: 1}}}}}}",
            root().join("tests/validators/yamllint.yaml").display()
        );
        run_ok(
            Command::new(&yamllint)
                .args(["--strict", "-f", "parsable", "-d", &config])
                .args(&files),
        );
        let _ = std::fs::remove_dir_all(out);
    }
}
