//! The stdio bridge (docs/stdio-bridge.md), on the two bridged fixtures: the image installs the
//! runtime's bridge and runs the server as its child; the bridge's port is the MCP port of the
//! container, probes, Service, NetworkPolicy and compose; its health endpoints feed the probes;
//! sticky routing follows the bridge's mode; and each combination the bridge cannot serve is
//! refused by name (MCP301), writing nothing.

use serde_json::Value;

use super::support::*;

fn cmd(dockerfile: &str) -> Vec<String> {
    let line = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("CMD "))
        .expect("CMD");
    serde_json::from_str(line).expect("exec form")
}

fn container(deployment: &str) -> Value {
    parse_yaml(deployment)["spec"]["template"]["spec"]["containers"][0].clone()
}

#[test]
fn the_node_image_runs_supergateway_with_the_server_as_its_child() {
    let t = build_all_envs("stdio-node");
    for f in [
        "base/Dockerfile",
        "base/compose.yaml",
        "base/k8s/deployment.yaml",
        "base/k8s/service.yaml",
        "base/k8s/networkpolicy.yaml",
        "production/k8s/service.yaml",
    ] {
        insta::assert_snapshot!(format!("stdio-node__{}", f.replace('/', "__")), t[f]);
    }
    let d = &t["base/Dockerfile"];
    assert!(
        d.contains(r#"RUN ["npm","install","--prefix","/opt/mcp-bridge","#),
        "{d}"
    );
    assert!(d.contains(r#""supergateway@4.0.0"]"#), "{d}");
    let argv = cmd(d);
    assert_eq!(
        argv[..4],
        [
            "node",
            "/opt/mcp-bridge/node_modules/supergateway/dist/index.js",
            "--stdio",
            "'npx' '--offline' '@modelcontextprotocol/server-everything@2026.8.31' 'stdio'"
        ]
    );
    // One process per session: `--stateful`, with idle sessions ended.
    assert!(argv.iter().any(|a| a == "--stateful"), "{argv:?}");
    // The probes ask the bridge for the paths it was told to answer, on its port.
    let c = container(&t["base/k8s/deployment.yaml"]);
    assert_eq!(c["ports"][0]["containerPort"], 8080);
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(c["livenessProbe"]["httpGet"]["port"], "http");
    for p in ["/healthz", "/readyz"] {
        assert!(
            argv.windows(2)
                .any(|w| w[0] == "--healthEndpoint" && w[1] == p)
        );
    }
    // The image's command is the bridge: Kubernetes and compose do not replace it.
    assert!(c.get("command").is_none() && c.get("args").is_none());
    let compose = parse_yaml(&t["base/compose.yaml"]);
    assert!(compose["services"]["everything"].get("command").is_none());
    assert_eq!(
        compose["services"]["everything"]["ports"][0],
        "127.0.0.1:8080:8080"
    );
    // One pod, sessions in its processes; exposed in production through the gateway.
    let svc = parse_yaml(&t["production/k8s/service.yaml"]);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], "http");
    // No ServiceMonitor: the bridge serves no metrics.
    assert!(
        !t.keys().any(|k| k.contains("servicemonitor")),
        "{:?}",
        t.keys()
    );
}

#[test]
fn the_python_image_runs_mcp_proxy_in_its_own_venv() {
    let t = build_all_envs("stdio-python");
    for f in [
        "base/Dockerfile",
        "base/k8s/deployment.yaml",
        "base/k8s/service.yaml",
    ] {
        insta::assert_snapshot!(format!("stdio-python__{}", f.replace('/', "__")), t[f]);
    }
    let d = &t["base/Dockerfile"];
    assert!(
        d.contains(r#"RUN ["python","-m","venv","/opt/mcp-bridge"]"#),
        "{d}"
    );
    assert!(d.contains(r#""mcp-proxy==0.13.0"]"#), "{d}");
    assert_eq!(
        cmd(d),
        [
            "/opt/mcp-bridge/bin/mcp-proxy",
            "--host",
            "0.0.0.0",
            "--port",
            "8080",
            "--pass-environment",
            "--stateless",
            "--",
            "mcp-server-time",
            "--local-timezone",
            "UTC"
        ]
    );
    let c = container(&t["base/k8s/deployment.yaml"]);
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/status");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/status");
    // Declared stateless: mcp-proxy runs without sessions and the two replicas need no
    // affinity.
    let svc = parse_yaml(&t["base/k8s/service.yaml"]);
    assert_eq!(svc["spec"]["sessionAffinity"], "None");
}

#[test]
fn a_bridge_with_sessions_on_two_pods_gets_client_ip_affinity() {
    let text = std::fs::read_to_string(fixture("stdio-python"))
        .expect("read")
        .replace("    stateless: true\n", "");
    let dir = tempdir("bridge-affinity");
    let spec = dir.join("service.yaml");
    std::fs::write(&spec, text.replace("  replicas: 2\n", "")).expect("write");
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let svc =
        std::fs::read_to_string(env_dir(&out, "base").join("k8s/service.yaml")).expect("service");
    assert!(svc.contains("sessionAffinity: ClientIP"), "{svc}");
    let d = std::fs::read_to_string(env_dir(&out, "base").join("Dockerfile")).expect("Dockerfile");
    assert!(!cmd(&d).contains(&"--stateless".to_string()));
    // Explicitly scaled out, it is refused by the policy, not silently broken.
    std::fs::write(&spec, &text).expect("write");
    let o = mcpgen(&["check", spec.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("MCP270"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn what_the_bridge_cannot_serve_is_refused_by_name() {
    let node = std::fs::read_to_string(fixture("stdio-node")).expect("read");
    let python = std::fs::read_to_string(fixture("stdio-python")).expect("read");
    // (what, spec, message, text on the line of the field at fault)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "published image",
            node.replace(
                "  build:\n    runtime: node\n    version: \"22\"\n    command: [npx, --offline, \"@modelcontextprotocol/server-everything@2026.8.31\", stdio]\n    package: {name: \"@modelcontextprotocol/server-everything\", version: \"2026.8.31\"}\n",
                "",
            ),
            "a published `stdio` image cannot be bridged",
            "transport: stdio",
        ),
        (
            "go",
            python.replace("runtime: python\n    version: \"3.12\"", "runtime: go\n    version: \"1.23\"")
                .replace("    package: {name: mcp-server-time, version: \"2026.10.19\"}\n", ""),
            "built for `go` cannot be bridged",
            "transport: stdio",
        ),
        (
            "mode",
            python
                .replace("    stateless: true\n", "    bridge: {mode: session}\n")
                .replace("replicas: 2", "replicas: 1"),
            "mcp-proxy 0.13.0 cannot run mode `session`",
            "bridge: {mode: session}",
        ),
        (
            "path",
            python.replace("    stateless: true\n", "    stateless: true\n    path: /clock\n"),
            "serves MCP only at `/mcp`",
            "path: /clock",
        ),
        (
            "health path",
            python.replace("  replicas: 2\n", "  replicas: 2\n  health: {liveness: /healthz}\n"),
            "answers health checks only at `/status`, not `/healthz`",
            "health:",
        ),
        (
            "revision",
            python.replace(
                "protocolVersions: [\"2025-06-18\", \"2025-11-25\"]",
                "protocolVersions: [\"2026-07-28\"]",
            ),
            "serves none of the declared protocol revisions",
            "protocolVersions:",
        ),
        (
            "args",
            node.replace("  replicas: 1\n", "  replicas: 1\n  args: [--verbose]\n"),
            "`args` would replace the image's command",
            "args:",
        ),
    ];
    // Each refusal is located at the line of the field at fault.
    for (what, text, message, field) in cases {
        let line = text
            .lines()
            .position(|l| l.contains(field))
            .expect("field in spec")
            + 1;
        let dir = tempdir("bridge-refused");
        let spec = dir.join("service.yaml");
        std::fs::write(&spec, &text).expect("write");
        let out = dir.join("out");
        let o = mcpgen(&[
            "build",
            spec.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        let s = stdout(&o);
        assert_eq!(code(&o), 1, "{what}: {s}");
        assert!(s.contains("MCP301") && s.contains(message), "{what}: {s}");
        assert!(
            s.contains(&format!("service.yaml:{line}:")),
            "{what}: located at line {line}: {s}"
        );
        assert!(!out.exists(), "{what}: a refused build wrote files");
        let _ = std::fs::remove_dir_all(dir);
    }
}
