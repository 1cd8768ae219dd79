//! Finding the third-party tools and running them.

use std::path::PathBuf;
use std::process::Command;

/// The tools venv (`MCPGEN_TOOLS_VENV`, default `~/.cache/mcpgen-tools`).
pub fn venv() -> PathBuf {
    std::env::var_os("MCPGEN_TOOLS_VENV").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/mcpgen-tools"),
        PathBuf::from,
    )
}

/// A validator installed into the tools venv (check-jsonschema, yamllint, and the venv's python
/// that has kubernetes-validate), or `None` (a failure under CI) when it is missing.
pub fn venv_tool(name: &str) -> Option<PathBuf> {
    found(name, vec![venv().join("bin").join(name)])
}

/// promtool: Debian's `prometheus` package puts it in /usr/bin.
pub fn promtool() -> Option<PathBuf> {
    found(
        "promtool",
        vec![
            venv().join("bin/promtool"),
            PathBuf::from("/usr/bin/promtool"),
            PathBuf::from("/usr/local/bin/promtool"),
        ],
    )
}

/// The blackbox exporter: Debian's `prometheus-blackbox-exporter` package.
pub fn blackbox_exporter() -> Option<PathBuf> {
    found(
        "prometheus-blackbox-exporter",
        vec![
            venv().join("bin/prometheus-blackbox-exporter"),
            PathBuf::from("/usr/bin/prometheus-blackbox-exporter"),
            PathBuf::from("/usr/local/bin/blackbox_exporter"),
        ],
    )
}

/// The first candidate that exists; a failure under CI when none does, a loud skip otherwise.
pub fn found(name: &str, candidates: Vec<PathBuf>) -> Option<PathBuf> {
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed (CI is set, so this fails); run .ci/install-tools"
        );
        eprintln!("\n!!!! SKIPPED: {name} is not installed; run .ci/install-tools !!!!\n");
    }
    found
}

/// Run a tool that must succeed; its stdout and stderr.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}
