//! Adoption files checked by the tools users meet them with: the release workflow against
//! GitHub's workflow schema (check-jsonschema), the image's Dockerfile (hadolint), the published
//! pre-commit hooks driven through the real pre-commit framework, and the published schema's
//! typed overlays as an editor's validator (check-jsonschema) reads them. What needs no tool is
//! in the fast tier (`tests/it/adoption.rs`).

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{BIN, code, mcpgen_in, root, stderr as err, stdout as out, tempdir};
use crate::tools::venv_tool;

#[test]
fn release_workflow_is_a_valid_github_workflow() {
    let Some(check) = venv_tool("check-jsonschema") else {
        return;
    };
    let o = Command::new(check)
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(root().join(".github/workflows/release.yml"))
        .output()
        .expect("run check-jsonschema");
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
}

#[test]
fn dockerfile_is_hadolint_clean() {
    let Some(hadolint) = venv_tool("hadolint") else {
        return;
    };
    let o = Command::new(hadolint)
        .arg(root().join("Dockerfile"))
        .output()
        .expect("run hadolint");
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("run git");
    assert!(o.status.success(), "git {args:?}: {}", err(&o));
    o
}

/// `git commit` in `dir` with the pre-commit hook installed; PATH starts with the directory of
/// the mcpgen under test, so the `language: system` hooks run it.
fn commit(dir: &Path, home: &Path, message: &str) -> Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("git")
        .args(["commit", "-q", "-m", message])
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("run git commit")
}

fn commits(dir: &Path) -> usize {
    let o = git(dir, &["rev-list", "--count", "HEAD"]);
    out(&o).trim().parse().unwrap_or(0)
}

/// The published `language: system` hooks, through the real pre-commit framework: the hooks
/// repository is a git repository holding this `.pre-commit-hooks.yaml`, the project uses it
/// by path and rev, and `git commit` runs the hook on `mcp.yaml` (what `mcpgen init` writes)
/// and on `*.mcp.yaml`: a passing commit goes through, a failing one is refused.
#[test]
fn pre_commit_system_hooks_pass_and_fail_commits() {
    let Some(pre_commit) = venv_tool("pre-commit") else {
        return;
    };
    let base = tempdir("pre-commit");
    let hooks = base.join("hooks");
    let project = base.join("project");
    let home = base.join("cache");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = out(&git(&hooks, &["rev-parse", "HEAD"])).trim().to_string();

    git(&project, &["init", "-q"]);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: mcpgen-check-system\n",
            hooks.display()
        ),
    )
    .unwrap();
    let install = Command::new(&pre_commit)
        .arg("install")
        .current_dir(&project)
        .env("PRE_COMMIT_HOME", &home)
        .output()
        .expect("pre-commit install");
    assert!(install.status.success(), "{}", err(&install));

    // A passing commit: the starter spec under the default name.
    let init = mcpgen_in(&project, &["init", "mcp.yaml", "--name", "tickets"]);
    assert_eq!(code(&init), 0);
    git(&project, &["add", "."]);
    let ok = commit(&project, &home, "starter");
    let log = format!("{}{}", out(&ok), err(&ok));
    assert!(ok.status.success(), "{log}");
    assert!(
        log.contains("mcpgen check") && log.contains("Passed"),
        "{log}"
    );
    assert_eq!(commits(&project), 1);

    // A failing commit: a broken `services/weather.mcp.yaml`.
    std::fs::create_dir_all(project.join("services")).unwrap();
    std::fs::write(
        project.join("services/weather.mcp.yaml"),
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: weather}\nspec:\n  image: ghcr.io/acme/weather:latest\n  replica: 3\n",
    )
    .unwrap();
    git(&project, &["add", "."]);
    let bad = commit(&project, &home, "broken service");
    let log = format!("{}{}", out(&bad), err(&bad));
    assert!(!bad.status.success(), "{log}");
    assert!(log.contains("Failed") && log.contains("MCP010"), "{log}");
    assert_eq!(commits(&project), 1, "the failing commit must not be made");
    git(
        &project,
        &["rm", "-q", "--cached", "services/weather.mcp.yaml"],
    );
    std::fs::remove_file(project.join("services/weather.mcp.yaml")).unwrap();

    // `mcp.yaml` itself is matched too: breaking it fails the commit.
    let starter = std::fs::read_to_string(project.join("mcp.yaml")).unwrap();
    std::fs::write(
        project.join("mcp.yaml"),
        starter.replace(
            "ghcr.io/example/tickets:0.1.0",
            "ghcr.io/example/tickets:latest",
        ),
    )
    .unwrap();
    git(&project, &["add", "mcp.yaml"]);
    let bad = commit(&project, &home, "latest");
    let log = format!("{}{}", out(&bad), err(&bad));
    assert!(!bad.status.success(), "{log}");
    assert!(log.contains("MCP213"), "{log}");
    assert!(!log.contains("no files to check"), "{log}");
    assert_eq!(commits(&project), 1);
}

/// An editor's validator (check-jsonschema with the committed schema) flags a typo in an
/// overlay as in the base, accepts the reference specs' overlays, and accepts an overlay that
/// removes a field with `null` or patches part of a section.
#[test]
fn published_schema_types_overlays_for_editors() {
    let Some(check) = venv_tool("check-jsonschema") else {
        return;
    };
    let schema = root().join("schemas/mcpgen.schema.json");
    let validate = |files: &[&Path]| {
        Command::new(&check)
            .arg("--schemafile")
            .arg(&schema)
            .args(files)
            .current_dir(root())
            .output()
            .expect("run check-jsonschema")
    };
    let bad = validate(&[Path::new("fixtures/overlay-unknown-field/service.yaml")]);
    assert_eq!(bad.status.code(), Some(1), "{}{}", out(&bad), err(&bad));
    assert!(out(&bad).contains("replcas"), "{}", out(&bad));

    let dir = tempdir("overlay-null");
    let partial = dir.join("p.mcp.yaml");
    std::fs::write(
        &partial,
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: p}\nspec:\n  image: ghcr.io/acme/p:1.0.0\n  mcp: {protocolVersions: [\"2025-11-25\"], stateless: true}\n  autoscaling: {minReplicas: 2, maxReplicas: 4}\n  environments:\n    dev:\n      spec:\n        autoscaling: null\n        replicas: 1\n    prod:\n      spec:\n        autoscaling: {maxReplicas: 8}\n",
    )
    .unwrap();
    let good = validate(&[
        Path::new("fixtures/reference/service.yaml"),
        Path::new("fixtures/monitoring-tuned/service.yaml"),
        &partial,
    ]);
    assert!(good.status.success(), "{}{}", out(&good), err(&good));
}
