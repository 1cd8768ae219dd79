//! The bridge checks: a bridged stdio server's image runs its bridge, the bridge and the server
//! command it spawns exist in the final stage, and what the bridge serves (port, MCP path,
//! health paths) is what the container, probes, health checks and compose expect.
//!
//! Everything is read back from the artifacts: the bridge's command line from the Dockerfile's
//! `CMD` (supergateway's `--stdio` word list, mcp-proxy's arguments after `--`), the ports and
//! probes from the workload (the Deployment, or the Argo Rollout that replaces it), the
//! published ports from compose. The Model only says which bridge the server has and where the
//! spec fields are.

use serde_json::Value;

use super::image::Stage;
use super::{Finding, View, array_at, server_container};
use crate::diagnostics::codes;
use crate::model::Model;
use crate::model::bridge::parse_shell_words;
use crate::resolve::defaults::BridgeKind;

/// What a bridge's command line says it serves.
struct Served {
    port: Option<String>,
    path: Option<String>,
    health: Vec<String>,
    child: Option<Vec<String>>,
}

/// The values of a repeated `--flag value` in an argument list.
fn values<'a>(argv: &'a [String], flag: &str) -> Vec<&'a str> {
    argv.windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1].as_str())
        .collect()
}

fn served(kind: BridgeKind, argv: &[String]) -> Served {
    let first = |flag: &str| values(argv, flag).first().map(|s| s.to_string());
    match kind {
        BridgeKind::Supergateway => Served {
            port: first("--port"),
            path: first("--streamableHttpPath").or(Some("/mcp".to_string())),
            health: values(argv, "--healthEndpoint")
                .into_iter()
                .map(str::to_string)
                .collect(),
            child: first("--stdio").and_then(|c| parse_shell_words(&c)),
        },
        // mcp-proxy's paths are fixed in its code (mcp_proxy/mcp_server.py).
        BridgeKind::McpProxy => Served {
            port: first("--port"),
            path: Some("/mcp".to_string()),
            health: vec!["/status".to_string()],
            child: argv
                .iter()
                .position(|a| a == "--")
                .map(|i| argv[i + 1..].to_vec()),
        },
    }
}

/// Run the bridge checks.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    let Some(bridge) = &model.bridge else {
        return;
    };
    let Some((path, instructions)) = view.dockerfile() else {
        out.push(Finding::new(
            &codes::BRIDGE_NOT_RUN,
            "/spec/mcp/transport",
            "the stdio server is bridged but the output has no Dockerfile to install and run \
             the bridge",
        ));
        return;
    };
    let stage = Stage::last(instructions);
    let cmd = stage.cmd.clone().unwrap_or_default();
    let entry = bridge.entry();
    if !cmd.starts_with(&entry) {
        out.push(Finding::new(
            &codes::BRIDGE_NOT_RUN,
            "/spec/mcp/transport",
            format!(
                "{path} runs `{}`, not the bridge `{}`: nothing serves the stdio server over HTTP",
                cmd.join(" "),
                entry.join(" ")
            ),
        ));
        return;
    }
    for part in entry.iter().filter(|p| p.starts_with('/')) {
        if stage.has(part) == Some(false) {
            out.push(Finding::new(
                &codes::BRIDGE_NOT_RUN,
                "/spec/mcp/bridge",
                format!(
                    "{path} runs the bridge `{part}`, which the final stage does not have (it \
                     copies {})",
                    stage.copies.join(", ")
                ),
            ));
        }
    }
    let s = served(bridge.kind(), &cmd[entry.len()..]);

    // The server command the bridge spawns, in the same image.
    match &s.child {
        Some(child) if !child.is_empty() => {
            if stage.resolves(&child[0]) == Some(false) {
                out.push(Finding::new(
                    &codes::EXECUTABLE_NOT_IN_IMAGE,
                    "/spec/build/command/0",
                    format!(
                        "the bridge in {path} spawns `{}`, which the image's final stage does \
                         not have",
                        child[0]
                    ),
                ));
            }
        }
        _ => out.push(Finding::new(
            &codes::BRIDGE_NOT_RUN,
            "/spec/build/command",
            format!("the bridge in {path} is given no server command to spawn"),
        )),
    }

    // Port: the container's `http` port, every probe's port, compose's published port.
    let port = s.port.clone().unwrap_or_default();
    // The workload: a Deployment, or the Argo Rollout that replaces it.
    let dep = view.workload().and_then(server_container);
    if let Some(c) = dep {
        let declared: Vec<(String, String)> = array_at(c, "/ports")
            .iter()
            .map(|p| {
                (
                    p.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    p.get("containerPort")
                        .map(Value::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect();
        let number_of = |v: &Value| match v {
            Value::String(name) => declared
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.clone()),
            other => Some(other.to_string()),
        };
        if declared.iter().find(|(n, _)| n == "http").map(|(_, p)| p) != Some(&port) {
            out.push(Finding::new(
                &codes::BRIDGE_PORT_MISMATCH,
                "/spec/mcp/bridge/port",
                format!(
                    "the bridge listens on port {port} but the container's `http` port is {}",
                    declared
                        .iter()
                        .find(|(n, _)| n == "http")
                        .map_or("missing", |(_, p)| p.as_str())
                ),
            ));
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(get) = c.pointer(&format!("/{probe}/httpGet")) else {
                continue;
            };
            if let Some(p) = get.get("port").and_then(number_of)
                && p != port
            {
                out.push(Finding::new(
                    &codes::BRIDGE_PORT_MISMATCH,
                    "/spec/health/port",
                    format!("the {probe} probes port {p}; the bridge answers on {port}"),
                ));
            }
            let probe_path = get.get("path").and_then(Value::as_str).unwrap_or("/");
            if !s.health.iter().any(|h| h == probe_path) {
                out.push(Finding::new(
                    &codes::BRIDGE_HEALTH_NOT_SERVED,
                    "/spec/health",
                    format!(
                        "the {probe} asks for `{probe_path}`, which the bridge does not answer \
                         (it answers {})",
                        s.health.join(", ")
                    ),
                ));
            }
        }
    }
    // The container health check of the Dockerfile and compose: an HTTP GET of one URL.
    let check_urls = instructions.iter().filter_map(|i| match i {
        crate::compile::docker::Instruction::Healthcheck { command, .. } => Some(command.join(" ")),
        _ => None,
    });
    for text in check_urls {
        let local = format!("http://127.0.0.1:{port}");
        let url_path = text
            .split(&local)
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        match url_path {
            Some(p) if s.health.iter().any(|h| h == p) => {}
            _ => out.push(Finding::new(
                &codes::BRIDGE_HEALTH_NOT_SERVED,
                "/spec/health",
                format!(
                    "{path}'s HEALTHCHECK does not ask the bridge on port {port} for one of {}",
                    s.health.join(", ")
                ),
            )),
        }
    }
    if let Some(server) = view
        .compose()
        .and_then(|c| c.pointer(&format!("/services/{}", model.name)))
    {
        let published: Vec<&str> = array_at(server, "/ports")
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|p| p.rsplit(':').next())
            .collect();
        if !published.contains(&port.as_str()) {
            out.push(Finding::new(
                &codes::BRIDGE_PORT_MISMATCH,
                "/spec/mcp/bridge/port",
                format!(
                    "compose publishes container port(s) {} but the bridge listens on {port}",
                    published.join(", ")
                ),
            ));
        }
    }

    // Path: what the routes and clients use is the Model's MCP path.
    if s.path.as_deref() != Some(model.mcp.path.as_str()) {
        out.push(Finding::new(
            &codes::BRIDGE_PATH_MISMATCH,
            "/spec/mcp/path",
            format!(
                "the bridge serves MCP at `{}` but routes and clients use `{}`",
                s.path.unwrap_or_default(),
                model.mcp.path
            ),
        ));
    }
}
