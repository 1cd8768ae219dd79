//! The bridged images, run: for each stdio fixture, `tests/validators/bridge_run.py` carries out
//! the generated Dockerfile on this machine (the build stage's exec-form RUN commands with the
//! host's npm and Python, then only what the final stage COPYs), starts its CMD with the
//! Deployment's env, and speaks MCP to it. Static checks say the outputs are well formed; this
//! says the bridge mcpgen pins is published, installs, finds the server it spawns, answers on
//! the paths the probes use, serves MCP there, and stops on SIGTERM with its children.
//!
//! What stands in for what: the host's node (20 or later, supergateway's floor) and the tools
//! venv's Python (3.10 or later, mcp-proxy's) for the base images' node 22 and Python 3.12; a
//! directory for the image's file system; no tini (SIGTERM goes to the bridge, which is what
//! `tini -s` forwards). The packages come from npm and PyPI, so the test needs both registries,
//! as `.ci/install-tools` does. A negative control (the final stage without the bridge's
//! directory) must fail to come up, or the harness proves nothing.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use super::support::*;
use super::tools::{found, venv_tool};

/// A program on PATH, or `None` (a failure under CI).
fn on_path(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    found(
        name,
        std::env::split_paths(&dirs).map(|d| d.join(name)).collect(),
    )
}

/// One stdio fixture: the tool to call and what its answer must contain.
struct Case {
    fixture: &'static str,
    call: Value,
    answer: &'static str,
    /// Whether the bridge keeps sessions (supergateway `--stateful`) or none (mcp-proxy
    /// `--stateless`).
    sessions: bool,
}

fn run_case(python: &PathBuf, case: &Case) -> (Value, Value) {
    let dir = tempdir(&format!("bridge-run-{}", case.fixture));
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        fixture(case.fixture).to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--all-envs",
    ]);
    assert_eq!(code(&o), 0, "build {}: {}", case.fixture, stderr(&o));
    let name = std::fs::read_dir(&out)
        .expect("out")
        .next()
        .expect("one server")
        .expect("entry")
        .path();
    let base = name.join("base");
    let work = dir.join("work");
    let o = Command::new(python)
        .arg(root().join("tests/validators/bridge_run.py"))
        .arg(&base)
        .arg(&work)
        .arg(case.call.to_string())
        .output()
        .expect("bridge_run.py runs");
    assert!(
        o.status.success(),
        "bridge_run.py {}: {}{}",
        case.fixture,
        text(&o.stdout),
        text(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let deployment =
        parse_yaml(&std::fs::read_to_string(base.join("k8s/deployment.yaml")).expect("deployment"));
    let _ = std::fs::remove_dir_all(&dir);
    (report, deployment)
}

#[test]
fn bridged_images_install_their_bridge_run_the_server_and_answer_mcp() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    let (Some(node), Some(_)) = (on_path("node"), on_path("npm")) else {
        return;
    };
    let version = text(
        &Command::new(&node)
            .arg("--version")
            .output()
            .expect("node")
            .stdout,
    );
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        major >= 20,
        "supergateway needs node 20 or later, found {version}"
    );

    let cases = [
        Case {
            fixture: "stdio-node",
            call: json!({"name": "echo", "arguments": {"message": "through the bridge"}}),
            answer: "Echo: through the bridge",
            sessions: true,
        },
        Case {
            fixture: "stdio-python",
            call: json!({"name": "get_current_time", "arguments": {"timezone": "UTC"}}),
            answer: "\"timezone\": \"UTC\"",
            sessions: false,
        },
    ];
    // Both at once: each spends most of its time waiting on a registry.
    let results: Vec<(Value, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|c| s.spawn(|| run_case(&python, c)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("case thread"))
            .collect()
    });

    for (case, (r, deployment)) in cases.iter().zip(&results) {
        let f = case.fixture;
        let shown = {
            let mut r = r.clone();
            r["tools"]["names"] = json!(r["tools"]["names"].as_array().map(Vec::len));
            format!("{r:#}")
        };
        // The control: without the bridge's directory in the final stage, nothing comes up.
        assert_eq!(r["control"]["up"], false, "{f}: {shown}");
        assert!(
            !r["control"]["dropped"]
                .as_array()
                .expect("dropped")
                .is_empty(),
            "{f}: {shown}"
        );

        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        let port = container["ports"][0]["containerPort"].as_u64();
        assert_eq!(
            r["cmdPort"].as_u64(),
            port,
            "{f}: the bridge's port: {shown}"
        );
        assert_eq!(r["up"], true, "{f}: {shown}");
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            assert_eq!(container[probe]["httpGet"]["port"], "http", "{f}");
            assert_eq!(r["probes"][probe], 200, "{f}: {probe}: {shown}");
        }
        assert_eq!(r["healthcheck"], 0, "{f}: HEALTHCHECK: {shown}");
        // Neither bridge serves metrics (MCP275).
        assert_eq!(r["metrics"], 404, "{f}: {shown}");

        let declared: Vec<String> = container["env"]
            .as_array()
            .expect("env")
            .iter()
            .find(|e| e["name"] == "MCP_PROTOCOL_VERSIONS")
            .and_then(|e| e["value"].as_str())
            .map(|v| v.split(',').map(str::to_string).collect())
            .expect("MCP_PROTOCOL_VERSIONS");
        assert_eq!(r["initialize"]["status"], 200, "{f}: {shown}");
        let negotiated = r["initialize"]["protocolVersion"].as_str().unwrap_or("");
        assert!(
            declared.iter().any(|d| d == negotiated),
            "{f}: negotiated {negotiated}, declared {declared:?}: {shown}"
        );
        assert_eq!(r["initialized"], 202, "{f}: {shown}");
        assert_eq!(r["tools"]["status"], 200, "{f}: {shown}");
        assert!(
            r["tools"]["names"]
                .as_array()
                .is_some_and(|n| n.iter().any(|t| *t == case.call["name"])),
            "{f}: {shown}"
        );
        assert_eq!(r["call"]["status"], 200, "{f}: {shown}");
        assert!(
            r["call"]["text"]
                .as_str()
                .is_some_and(|t| t.contains(case.answer)),
            "{f}: {shown}"
        );

        // Sessions: supergateway issues them and refuses one it never issued (what another
        // pod's bridge answers, hence MCP270 and the ClientIP affinity); mcp-proxy in
        // `--stateless` issues none.
        assert_eq!(r["initialize"]["session"], case.sessions, "{f}: {shown}");
        if case.sessions {
            assert_eq!(r["foreignSession"], 404, "{f}: {shown}");
        }

        // SIGTERM: the bridge ends well within the grace period, and takes its children.
        assert!(r["childrenBeforeStop"].as_u64() >= Some(1), "{f}: {shown}");
        assert_eq!(r["stop"]["exited"], true, "{f}: {shown}");
        let grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
            .as_f64()
            .expect("grace");
        assert!(
            r["stop"]["seconds"].as_f64().expect("seconds") < grace,
            "{f}: {shown}"
        );
        assert_eq!(r["stop"]["leftover"], 0, "{f}: {shown}");
        eprintln!(
            "{f}: built {:?}, sizes {}, up in {}s, {} tools, RSS {}, stopped in {}s",
            r["build"]
                .as_array()
                .map(|b| b.iter().map(|x| x["seconds"].clone()).collect::<Vec<_>>()),
            r["sizes"],
            r["startSeconds"],
            r["tools"]["names"].as_array().map_or(0, Vec::len),
            r["rssKiB"],
            r["stop"]["seconds"]
        );
    }
}
