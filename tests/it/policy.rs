//! The policy stage as users see it: every built-in rule against its fixtures, the Rego unit
//! tests, the check output for the shared specs, the report formats (SARIF validated against
//! the SARIF 2.1.0 schema), team policies with mcpgen.toml levels and exceptions, and exit codes.

use mcpgen::diagnostics::Diagnostic;
use mcpgen::policy;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::*;

/// Validation plus the built-in pack on one file, as `check` runs it (without configuration).
fn check_file(path: &Path) -> (Vec<Diagnostic>, mcpgen::source::Sources) {
    // A fixture line `# mcpgen-set: PATH=VALUE` is a `--set` flag of the run (what a release
    // pipeline passes); a finding located at the flag counts as being on that line.
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let set: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let rest = l.split_once("# mcpgen-set: ")?.1;
            let flag = rest.split_once("  #").map_or(rest, |(f, _)| f).trim();
            Some((i + 1, flag.to_string()))
        })
        .collect();
    let opts = mcpgen::pipeline::Options {
        no_config: true,
        set: set
            .iter()
            .map(|(_, f)| ("--set".to_string(), f.clone()))
            .collect(),
        ..Default::default()
    };
    let run = mcpgen::pipeline::check_paths(&[path.to_path_buf()], &opts);
    assert!(run.failures.is_empty(), "{:?}", run.failures);
    let mut sources = run.sources;
    let mut diagnostics = run.diagnostics;
    if !set.is_empty() {
        // Re-home findings at a flag onto its marker line of the fixture.
        let file_source = mcpgen::source::SourceId(0);
        let line_start =
            |line: usize| -> usize { text.lines().take(line - 1).map(|l| l.len() + 1).sum() };
        for d in &mut diagnostics {
            if let Some(p) = d.primary.as_mut()
                && sources.get(p.span.source).name().starts_with("--")
            {
                p.span.source = file_source;
                p.span.offset = line_start(set[0].0);
            }
        }
        let _ = &mut sources;
    }
    (diagnostics, sources)
}

/// Lines marked `# expect: CODE` in a fixture.
fn expected_lines(text: &str) -> (Option<String>, BTreeSet<usize>) {
    let mut code = None;
    let mut lines = BTreeSet::new();
    for (i, l) in text.lines().enumerate() {
        if let Some((_, c)) = l.split_once("# expect: ") {
            code = Some(c.trim().to_string());
            lines.insert(i + 1);
        }
    }
    (code, lines)
}

#[test]
fn the_pack_has_at_least_30_documented_rules_with_unique_codes() {
    let rules = policy::builtin_rules();
    assert!(rules.len() >= 30, "only {} rules", rules.len());
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in &rules {
        let m = &r.meta;
        let code = m
            .code
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no code", r.rule));
        assert!(code.starts_with("MCP2") && code.len() == 6, "{code}");
        assert!(codes.insert(code.to_string()), "duplicate code {code}");
        let name = m
            .name
            .as_deref()
            .unwrap_or_else(|| panic!("{code} has no name"));
        assert!(names.insert(name.to_string()), "duplicate name {name}");
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name} is not kebab-case"
        );
        assert!(m.level.is_some(), "{code} has no level");
        for (what, v) in [
            ("title", &m.title),
            ("description", &m.description),
            ("why", &m.why),
            ("example", &m.example),
            ("instead", &m.instead),
        ] {
            assert!(v.is_some(), "{code} {name} lacks {what}");
        }
        // The rule's kind and its declared level agree, so Conftest readers are not misled.
        let kind = policy::metadata::rule_kind(&r.rule).expect("conftest rule");
        assert_eq!(Some(kind), m.level, "{code}: rule {} vs level", r.rule);
        assert!(
            mcpgen::diagnostics::codes::find(code).is_none(),
            "{code} collides"
        );
    }
}

#[test]
fn every_rule_fires_on_its_failing_fixture_and_not_on_its_passing_one() {
    let dir = root().join("fixtures/policy");
    let rules = policy::builtin_rules();
    let mut seen = BTreeSet::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/policy")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for case in entries {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let rule = rules
            .iter()
            .find(|r| r.name() == name)
            .unwrap_or_else(|| panic!("fixture {name} names no rule"));
        let fail = case.join("fail.yaml");
        let text = std::fs::read_to_string(&fail).expect("fail.yaml");
        let (code, lines) = expected_lines(&text);
        assert_eq!(
            code.as_deref(),
            Some(rule.code().as_str()),
            "{name}: marker code"
        );
        let (diags, sources) = check_file(&fail);
        for d in &diags {
            assert!(
                !d.code.starts_with("MCP0") && !d.code.starts_with("MCP1"),
                "{name}/fail.yaml is not a valid spec: {} {}",
                d.code,
                d.message
            );
        }
        let got: BTreeSet<usize> = diags
            .iter()
            .filter(|d| d.code == rule.code())
            .map(|d| d.start(&sources).expect("located").0)
            .collect();
        assert_eq!(got, lines, "{name}: lines of {} in fail.yaml", rule.code());

        let pass = case.join("pass.yaml");
        let (diags, _) = check_file(&pass);
        let offending: Vec<_> = diags
            .iter()
            .filter(|d| {
                d.code == rule.code() || d.code.starts_with("MCP0") || d.code.starts_with("MCP1")
            })
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert!(offending.is_empty(), "{name}/pass.yaml: {offending:?}");
        seen.insert(name);
    }
    let missing: Vec<_> = rules
        .iter()
        .map(|r| r.name())
        .filter(|n| !seen.contains(n))
        .collect();
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
}

#[test]
fn built_in_findings_always_carry_a_path() {
    for entry in std::fs::read_dir(root().join("fixtures/policy")).expect("dir") {
        let fail = entry.expect("entry").path().join("fail.yaml");
        let (diags, _) = check_file(&fail);
        for d in diags.iter().filter(|d| d.code.starts_with("MCP2")) {
            assert!(
                d.pointer.is_some() && d.primary.is_some(),
                "{} in {} has no path: {}",
                d.code,
                fail.display(),
                d.message
            );
        }
    }
}

#[test]
fn rego_unit_tests_pass_with_coverage() {
    let out = mcpgen(&[
        "policy",
        "test",
        "policies/",
        "--coverage",
        "--fail-under",
        "90",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert!(text.contains("policies/mcp.rego: "), "{text}");
    // The embedded pack is the same pack.
    let embedded = mcpgen(&["policy", "test"]);
    assert_eq!(embedded.status.code(), Some(0), "{}", stdout(&embedded));
}

#[test]
fn a_failing_rego_test_fails_the_run() {
    let dir = tempdir("failing-test");
    std::fs::write(
        dir.join("p_test.rego"),
        "package p\n\ntest_ok if { true }\n\ntest_broken if { 1 == 2 }\n",
    )
    .expect("write");
    let out = mcpgen(&["policy", "test", dir.to_str().expect("utf8")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL data.p.test_broken"), "{text}");
    assert!(text.contains("1 passed, 1 failed"), "{text}");
}

#[test]
fn shared_specs_check_output() {
    for (name, path) in [
        ("reference", "fixtures/reference/service.yaml"),
        ("minimal", "fixtures/minimal/service.yaml"),
    ] {
        let human = mcpgen(&["check", path]);
        assert_eq!(human.status.code(), Some(0), "{name}: {}", stdout(&human));
        insta::assert_snapshot!(format!("check_{name}_human"), stdout(&human));
        let json = mcpgen(&["check", path, "--format", "json"]);
        insta::assert_snapshot!(format!("check_{name}_json"), stdout(&json));
        let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
        assert_eq!(value["summary"]["errors"], 0, "{name} has errors");
    }
}

#[test]
fn reference_findings_are_the_agreed_ones() {
    let out = mcpgen(&[
        "check",
        "fixtures/reference/service.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(String, Option<String>)> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["environment"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("MCP214".to_string(), Some("production".to_string())),
            // A note: the reference declares JWT auth that only the server enforces.
            ("MCP208".to_string(), None),
            ("MCP224".to_string(), None),
            ("MCP253".to_string(), Some("production".to_string()))
        ]
    );
    // With --fail-on-warn those warnings fail the check.
    let strict = mcpgen(&["check", "fixtures/reference/service.yaml", "--fail-on-warn"]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn report_formats_for_a_failing_fixture() {
    let spec = "fixtures/policy/expose-host-not-in-allowed-hosts/fail.yaml";
    for (format, ext) in [("sarif", "json"), ("junit", "xml"), ("github", "txt")] {
        let out = mcpgen(&["check", spec, "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        insta::assert_snapshot!(format!("report_{format}_{ext}"), stdout(&out));
    }
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-2.1.0-rtm.5.json")).expect("schema"),
    )
    .expect("schema json");
    // The schema's `language` patterns have an unescaped `]`, which ECMA-262 regexes in
    // Unicode mode (and so jsonschema's meta-validation) reject. Escaping it accepts the same
    // strings; the file on disk stays as published.
    fn escape_bracket(v: &mut serde_json::Value) -> usize {
        match v {
            serde_json::Value::Object(m) => {
                let mut n = 0;
                for (k, child) in m.iter_mut() {
                    if k == "pattern" && child == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                        *child = serde_json::json!("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                        n += 1;
                    } else {
                        n += escape_bracket(child);
                    }
                }
                n
            }
            serde_json::Value::Array(a) => a.iter_mut().map(escape_bracket).sum(),
            _ => 0,
        }
    }
    assert!(escape_bracket(&mut schema) > 0);
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    for spec in [
        "fixtures/reference/service.yaml",
        "fixtures/policy/expose-host-not-in-allowed-hosts/fail.yaml",
        "fixtures/policy-config/team/service.yaml",
    ] {
        let out = mcpgen(&["check", spec, "--format", "sarif"]);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif json");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{spec}: {errors:#?}");
        let run = &log["runs"][0];
        let results = run["results"].as_array().expect("results");
        assert!(!results.is_empty(), "{spec}");
        for r in results {
            let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
            if r["ruleId"].as_str().is_some_and(|c| c.starts_with("MCP2")) {
                assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
            }
        }
    }
}

#[test]
fn junit_is_well_formed_and_escaped() {
    use mcpgen::diagnostics::render::junit::{CaseOutcome, TestCase, TestSuite, write};
    let xml = write(&[TestSuite {
        name: "a&b.yaml".into(),
        cases: vec![TestCase {
            name: "MCP1 <x> \"q\"".into(),
            classname: "a&b.yaml".into(),
            outcome: CaseOutcome::Failure {
                message: "it's <bad> & \u{1} gone".into(),
                kind: "error".into(),
                details: "line\nbreak".into(),
            },
        }],
    }]);
    assert!(xml.contains("name=\"a&amp;b.yaml\""), "{xml}");
    assert!(
        xml.contains("message=\"it&apos;s &lt;bad&gt; &amp;  gone\""),
        "{xml}"
    );
    assert!(!xml.contains('\u{1}'));
}

#[test]
fn team_policies_levels_and_exceptions() {
    let spec = "fixtures/policy-config/team/service.yaml";
    let out = mcpgen(&["check", spec, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("team_json", stdout(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    let find = |code: &'static str| diags.iter().filter(move |d| d["code"] == code);
    // The team's own rule, with data from a YAML file, located at the image.
    let acme: Vec<_> = find("ACME001").collect();
    assert_eq!(acme.len(), 1);
    assert_eq!(acme[0]["region"]["startLine"], 6);
    // [rules]: escalated, allowed, and lowered.
    assert!(find("MCP214").all(|d| d["level"] == "error"));
    assert_eq!(find("MCP232").count(), 0);
    assert!(find("MCP217").all(|d| d["level"] == "note"));
    // A rule-wide exception, and a path-scoped one that covers one variable only.
    assert!(find("MCP216").all(|d| d["suppressed"].is_string()));
    let creds: Vec<_> = find("MCP227").collect();
    assert_eq!(creds.len(), 2);
    assert!(
        creds
            .iter()
            .any(|d| d["pointer"] == "/spec/env/DEMO_TOKEN" && d["suppressed"].is_string())
    );
    assert!(
        creds
            .iter()
            .any(|d| d["pointer"] == "/spec/env/ADMIN_TOKEN" && d["suppressed"].is_null())
    );
    // Expired (today is 2026-06-01): reported, and the finding is back.
    assert_eq!(find("MCP902").count(), 1);
    assert!(find("MCP213").all(|d| d["suppressed"].is_null()));
    // Unused.
    let unused: Vec<_> = find("MCP901").collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["file"], "fixtures/policy-config/team/mcpgen.toml");

    // Before the expiry date the exception still applies.
    let before = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["check", spec, "--format", "json"])
        .current_dir(root())
        .env("MCPGEN_TODAY", "2026-01-31")
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&before.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    assert!(!diags.iter().any(|d| d["code"] == "MCP902"));
    assert!(
        diags
            .iter()
            .filter(|d| d["code"] == "MCP213")
            .all(|d| d["suppressed"].is_string())
    );
}

#[test]
fn command_line_levels_override_the_configuration() {
    let spec = "fixtures/policy-config/team/service.yaml";
    let out = mcpgen(&[
        "check", spec, "--format", "json", "-A", "ACME001", "-W", "MCP214", "-D", "MCP209",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    assert!(!diags.iter().any(|d| d["code"] == "ACME001"));
    assert!(
        diags
            .iter()
            .filter(|d| d["code"] == "MCP214")
            .all(|d| d["level"] == "warning")
    );
    assert!(
        diags
            .iter()
            .filter(|d| d["code"] == "MCP209")
            .all(|d| d["level"] == "error")
    );
    let unknown = mcpgen(&["check", spec, "-A", "no-such-rule", "--format", "json"]);
    assert!(stdout(&unknown).contains("unknown rule `no-such-rule`"));
}

#[test]
fn policy_dir_on_the_command_line_without_configuration() {
    let dir = tempdir("cli-policy");
    std::fs::write(
        dir.join("team.rego"),
        "package main\n\ndeny contains {\"msg\": \"no weather servers\", \"path\": \"/metadata/name\"} if {\n\tinput.metadata.name == \"weather\"\n}\n",
    )
    .expect("write");
    let out = mcpgen(&[
        "check",
        "fixtures/minimal/service.yaml",
        "--policy",
        dir.to_str().expect("utf8"),
        "--format",
        "github",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("::error file=fixtures/minimal/service.yaml,line=6,col=9,endLine=6,endColumn=16,title=main.deny deny::no weather servers"),
        "{text}"
    );
}

#[test]
fn a_broken_team_policy_exits_2_with_its_location() {
    let out = mcpgen(&["check", "fixtures/policy-config/broken/service.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken policy: fixtures/policy-config/broken/bad.rego:4:9:"),
        "{err}"
    );
}

#[test]
fn exit_codes() {
    assert_eq!(
        mcpgen(&["check", "fixtures/minimal/service.yaml"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        mcpgen(&["check", "fixtures/policy/latest-image-tag/fail.yaml"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        mcpgen(&["check", "fixtures/policy/sse-transport/fail.yaml"])
            .status
            .code(),
        Some(0),
        "warnings alone pass"
    );
    assert_eq!(
        mcpgen(&[
            "check",
            "fixtures/policy/sse-transport/fail.yaml",
            "--fail-on-warn"
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        mcpgen(&[
            "check",
            "fixtures/policy/latest-image-tag/fail.yaml",
            "-A",
            "latest-image-tag"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        mcpgen(&["check", "no/such/file.yaml"]).status.code(),
        Some(2)
    );
}

#[test]
fn explain_and_rules() {
    let out = mcpgen(&["explain", "MCP201"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for heading in [
        "## What it does",
        "## Why is this bad",
        "## Example",
        "## Use instead",
    ] {
        assert!(text.contains(heading), "{text}");
    }
    assert_eq!(
        stdout(&mcpgen(&[
            "explain",
            "stateful-replicas-without-session-store"
        ])),
        text
    );
    assert_eq!(mcpgen(&["explain", "MCP999"]).status.code(), Some(2));
    insta::assert_snapshot!("rules_table", stdout(&mcpgen(&["rules"])));
    let json: serde_json::Value =
        serde_json::from_slice(&mcpgen(&["rules", "--format", "json"]).stdout).expect("json");
    let codes: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"MCP001") && codes.contains(&"MCP213") && codes.contains(&"MCP901"));
}

/// `docs/rules.md` is generated from the pack's METADATA; regenerate with
/// `MCPGEN_UPDATE_DOCS=1 cargo test --test it rules_doc`.
#[test]
fn rules_doc_is_up_to_date() {
    let mut doc = String::from(
        "# Built-in policy rules\n\nGenerated from the METADATA blocks in `policies/` by `tests/it/policy.rs`; do not edit.\n`mcpgen explain CODE` prints the same text.\n\n| code | name | level | summary |\n| --- | --- | --- | --- |\n",
    );
    let rules = policy::builtin_rules();
    for r in &rules {
        let info = r.info();
        doc.push_str(&format!(
            "| {} | [{}](#{}) | {} | {} |\n",
            info.code,
            info.name,
            info.name,
            info.level.as_str(),
            info.summary
        ));
    }
    for r in &rules {
        doc.push('\n');
        let body = policy::docs(r).expect("documented");
        // One level down, so every rule is a section of this page, anchored by its name.
        let body = body.replacen(
            &format!("# {} ({})", r.name(), r.code()),
            &format!("## {}\n\n`{}`", r.name(), r.code()),
            1,
        );
        doc.push_str(&body.replace("\n## ", "\n### "));
    }
    let path = root().join("docs/rules.md");
    if std::env::var_os("MCPGEN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &doc).expect("write docs/rules.md");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == doc,
        "docs/rules.md is stale; run MCPGEN_UPDATE_DOCS=1 cargo test --test it rules_doc"
    );
}

#[test]
fn one_environment_keeps_its_name() {
    let out = mcpgen(&[
        "check",
        "fixtures/reference/service.yaml",
        "--env",
        "staging",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert_eq!(diags[0]["code"], "MCP208");
    assert_eq!(diags[0]["level"], "note");
    assert_eq!(diags[1]["code"], "MCP224");
    for d in diags {
        assert_eq!(d["environment"], "staging");
    }
}

#[test]
fn team_policy_tests_with_data() {
    let out = mcpgen(&[
        "policy",
        "test",
        "fixtures/policy-config/team/policies",
        "--data",
        "fixtures/policy-config/team/data/registries.yaml",
        "--fail-under",
        "80",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("3 passed, 0 failed"), "{text}");
    assert!(
        text.contains("fixtures/policy-config/team/policies/registry.rego: "),
        "{text}"
    );
    // Without the data the registry tests cannot pass.
    let without = mcpgen(&["policy", "test", "fixtures/policy-config/team/policies"]);
    assert_eq!(without.status.code(), Some(1), "{}", stdout(&without));
}

#[test]
fn each_spec_uses_its_own_configuration() {
    let out = mcpgen(&[
        "check",
        "fixtures/minimal/service.yaml",
        "fixtures/policy-config/team/service.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    let of = |file: &str, code: &str| {
        diags
            .iter()
            .filter(|d| d["file"] == file && d["code"] == code)
            .cloned()
            .collect::<Vec<_>>()
    };
    let minimal = "fixtures/minimal/service.yaml";
    let team = "fixtures/policy-config/team/service.yaml";
    // The team's policy and exceptions apply to the team's spec only.
    assert_eq!(of(team, "ACME001").len(), 1);
    assert!(of(minimal, "ACME001").is_empty());
    assert!(
        of(team, "MCP216")
            .iter()
            .all(|d| d["suppressed"].is_string())
    );
    assert!(
        of(minimal, "MCP216")
            .iter()
            .all(|d| d["suppressed"].is_null())
    );
    assert_eq!(of(minimal, "MCP216").len(), 1);
    assert_eq!(
        of("fixtures/policy-config/team/mcpgen.toml", "MCP901").len(),
        1
    );
    // Each group extends its own copy of the built-in engine: with the team's spec first, its
    // policy still does not reach the spec checked after it.
    let reversed = mcpgen(&["check", team, minimal, "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&reversed.stdout).expect("json");
    let acme: Vec<_> = r["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "ACME001")
        .map(|d| d["file"].clone())
        .collect();
    assert_eq!(acme, [serde_json::json!(team)]);
}

/// The pack's tests run on `data.mcpgen.test_inputs.minimal`; it must stay what mcpgen really
/// gives policies for the minimal spec, or the tests would prove rules on inputs that never
/// occur.
#[test]
fn the_rego_test_input_is_what_mcpgen_computes() {
    let text = std::fs::read_to_string(root().join("policies/inputs_test.rego")).expect("read");
    let start = text.find("minimal := ").expect("minimal") + "minimal := ".len();
    let end = text[start..].find("\n}\n").expect("end of minimal") + start + 2;
    let in_rego: serde_json::Value =
        serde_json::from_str(&text[start..end]).expect("minimal is written as JSON");
    let opts = mcpgen::pipeline::Options {
        no_config: true,
        ..Default::default()
    };
    let report = mcpgen::pipeline::check_paths(&[fixture("minimal")], &opts);
    let resolved = &report.files[0].variants[0].resolved;
    let computed = mcpgen::policy::input(resolved, "service.yaml");
    assert_eq!(
        in_rego, computed,
        "policies/inputs_test.rego's minimal input is stale"
    );
}

/// The pack's bridge tests run on `stdio_node_mcp` and `stdio_node_build`: they must stay what
/// mcpgen resolves for fixtures/stdio-node (base), the same way `minimal` does.
#[test]
fn the_rego_bridged_input_is_what_mcpgen_computes() {
    let text = std::fs::read_to_string(root().join("policies/inputs_test.rego")).expect("read");
    let object = |name: &str| -> serde_json::Value {
        let start = text.find(&format!("\n{name} := ")).expect(name) + name.len() + 5;
        let end = text[start..].find("\n}\n").expect("end") + start + 2;
        serde_json::from_str(&text[start..end]).expect("written as JSON")
    };
    let opts = mcpgen::pipeline::Options {
        no_config: true,
        ..Default::default()
    };
    let report = mcpgen::pipeline::check_paths(&[fixture("stdio-node")], &opts);
    let base = report.files[0]
        .variants
        .iter()
        .find(|v| v.resolved.env.is_none())
        .expect("base variant");
    let computed = mcpgen::policy::input(&base.resolved, "service.yaml");
    assert_eq!(object("stdio_node_mcp"), computed["spec"]["mcp"]);
    assert_eq!(object("stdio_node_build"), computed["spec"]["build"]);
}
