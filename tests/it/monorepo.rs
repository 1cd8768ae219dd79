//! Repositories with many servers: `check DIR` finds specs by the naming convention with
//! `.gitignore` respected and reports them together; `mcpgen.toml` files inherit from parent
//! directories (nearest wins per rule, `root = true` stops), exceptions can be scoped to a file
//! or a server, and an exception is reported unused only when every spec it could match was
//! checked.

use std::path::Path;

use serde_json::Value;

use super::support::*;

fn spec(name: &str) -> String {
    // One warning: MCP207 (protocol revisions undeclared).
    format!(
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: {name}\nspec:\n  image: ghcr.io/acme/{name}:1.0.0\n"
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = mcpgen_in(dir, &all);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (code(&o), v)
}

/// (code, file, level, suppressed?) of every finding.
fn findings(report: &Value) -> Vec<(String, String, String, bool)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["level"].as_str().unwrap_or_default().to_string(),
                d.get("suppressed").is_some(),
            )
        })
        .collect()
}

#[test]
fn check_a_directory_of_twenty_specs_in_one_report() {
    let repo = tempdir("monorepo");
    for i in 0..10 {
        write(
            &repo,
            &format!("services/s{i}/mcp.yaml"),
            &spec(&format!("s{i}")),
        );
        write(
            &repo,
            &format!("services/t{i}.mcp.yaml"),
            &spec(&format!("t{i}")),
        );
    }
    // Not specs: ignored output, a hidden folder, a file outside the convention.
    write(&repo, ".gitignore", "deploy/\n");
    write(&repo, "deploy/old.mcp.yaml", "not: [valid");
    write(&repo, ".cache/x.mcp.yaml", "not: [valid");
    write(&repo, "services/notes.yaml", "not: [valid");
    for args in [vec![], vec!["."], vec!["services"]] {
        let (code, report) = json(&repo, &args);
        assert_eq!(code, 0, "{args:?}: {report:#}");
        assert_eq!(report["summary"]["files"], 20, "{args:?}");
        assert_eq!(
            report["summary"]["warnings"], 20,
            "{args:?}: one MCP207 each"
        );
        let files: std::collections::BTreeSet<String> =
            findings(&report).into_iter().map(|f| f.1).collect();
        assert_eq!(files.len(), 20, "{files:?}");
    }
    // A broken spec among them fails the whole run, and names its file.
    write(&repo, "services/s3/mcp.yaml", "apiVersion: [");
    let (code, report) = json(&repo, &[]);
    assert_eq!(code, 1);
    assert!(
        findings(&report)
            .iter()
            .any(|f| f.0 == "MCP001" && f.1.ends_with("s3/mcp.yaml"))
    );
}

#[test]
fn configuration_inherits_from_parent_directories() {
    let repo = tempdir("inherit");
    write(
        &repo,
        "mcpgen.toml",
        "[rules]\nprotocol-versions-undeclared = \"allow\"\n",
    );
    write(&repo, "a.mcp.yaml", &spec("a"));
    // Nearest wins per rule.
    write(
        &repo,
        "team/mcpgen.toml",
        "[rules]\nprotocol-versions-undeclared = \"error\"\n",
    );
    write(&repo, "team/b.mcp.yaml", &spec("b"));
    // Inherits the root's level untouched.
    write(
        &repo,
        "other/mcpgen.toml",
        "[rules]\nmissing-resource-limits = \"allow\"\n",
    );
    write(&repo, "other/c.mcp.yaml", &spec("c"));
    // `root = true` stops inheritance.
    write(&repo, "island/mcpgen.toml", "root = true\n");
    write(&repo, "island/d.mcp.yaml", &spec("d"));
    let (code, report) = json(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    let of = |file: &str, rule: &str| -> Vec<String> {
        f.iter()
            .filter(|x| x.1.ends_with(file) && x.0 == rule)
            .map(|x| x.2.clone())
            .collect()
    };
    assert!(of("a.mcp.yaml", "MCP207").is_empty(), "root allows it");
    assert_eq!(of("team/b.mcp.yaml", "MCP207"), ["error"], "nearest wins");
    assert!(
        of("other/c.mcp.yaml", "MCP207").is_empty(),
        "inherited from the root"
    );
    assert!(
        of("other/c.mcp.yaml", "MCP217").is_empty(),
        "its own setting"
    );
    assert_eq!(
        of("island/d.mcp.yaml", "MCP207"),
        ["warning"],
        "root = true"
    );
}

#[test]
fn exceptions_scoped_to_a_file_or_a_server() {
    let repo = tempdir("scoped");
    write(&repo, "a.mcp.yaml", &spec("alpha"));
    write(&repo, "b.mcp.yaml", &spec("beta"));
    write(
        &repo,
        "mcpgen.toml",
        "[[exceptions]]\nrule = \"MCP207\"\nfile = \"a.mcp.yaml\"\nreason = \"alpha pins its revision in the image\"\n",
    );
    let (_, report) = json(&repo, &[]);
    let f = findings(&report);
    let suppressed = |file: &str| {
        f.iter()
            .find(|x| x.0 == "MCP207" && x.1.ends_with(file))
            .map(|x| x.3)
    };
    assert_eq!(suppressed("a.mcp.yaml"), Some(true));
    assert_eq!(
        suppressed("b.mcp.yaml"),
        Some(false),
        "one exception no longer silences every service"
    );

    write(
        &repo,
        "mcpgen.toml",
        "[[exceptions]]\nrule = \"MCP207\"\nserver = \"beta\"\nreason = \"beta is stateless by design\"\n",
    );
    let (_, report) = json(&repo, &[]);
    let f = findings(&report);
    assert!(
        f.iter()
            .any(|x| x.0 == "MCP207" && x.1.ends_with("b.mcp.yaml") && x.3)
    );
    assert!(
        f.iter()
            .any(|x| x.0 == "MCP207" && x.1.ends_with("a.mcp.yaml") && !x.3)
    );

    write(
        &repo,
        "mcpgen.toml",
        "[[exceptions]]\nrule = \"MCP207\"\nfile = \"[\"\nreason = \"broken glob\"\n",
    );
    let (code, report) = json(&repo, &[]);
    assert_eq!(code, 1);
    assert!(findings(&report).iter().any(|x| x.0 == "MCP903"));
}

#[test]
fn unused_only_when_every_spec_it_could_match_was_checked() {
    let repo = tempdir("unused");
    write(&repo, "a.mcp.yaml", &spec("alpha"));
    write(&repo, "b.mcp.yaml", &spec("beta"));
    write(
        &repo,
        "mcpgen.toml",
        "[[exceptions]]\nrule = \"MCP230\"\nreason = \"matches nothing\"\n\n[[exceptions]]\nrule = \"MCP207\"\nfile = \"b.mcp.yaml\"\nreason = \"beta only\"\n",
    );
    let unused = |args: &[&str]| -> usize {
        let (_, report) = json(&repo, args);
        findings(&report).iter().filter(|x| x.0 == "MCP901").count()
    };
    // A pre-commit hook checks only the file that changed: the unscoped exception might match
    // the other spec, the scoped one was not checked: nothing to report.
    assert_eq!(unused(&["a.mcp.yaml"]), 0);
    // Every spec checked: the unscoped exception that matched nothing is reported; the scoped
    // one matched beta's MCP207.
    assert_eq!(unused(&[]), 1);
    assert_eq!(unused(&["a.mcp.yaml", "b.mcp.yaml"]), 1);
}
