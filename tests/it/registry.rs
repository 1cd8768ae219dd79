//! MCP Registry `server.json` in and out, over the real files vendored in `fixtures/registry/`
//! (origins in its SOURCES.md):
//!
//! - every vendored file follows the vendored 2025-12-11 schema (checked with the `jsonschema`
//!   crate directly, not through mcpgen's own code);
//! - `mcpgen import` of each gives a spec (snapshotted) that `mcpgen check` accepts with at
//!   most the notes and warnings that name a decision (resources, protocol revisions), or,
//!   where the entry requires a value it does not give, exactly the `unfilled-placeholder`
//!   findings at the placeholders;
//! - `mcpgen build` of each writes every output for the Streamable HTTP images and the stdio
//!   npm and PyPI packages (the image runs the package behind its runtime's bridge), and stops
//!   with MCP301 for published stdio images (mcpgen bridges only images it builds), writing
//!   nothing;
//! - `mcpgen export server-json` of each imported spec follows the schema and gives back the
//!   package (type, identifier, version, transport, arguments) and the variables (names,
//!   secrecy, values) of the entry;
//! - a remotes-only entry is refused with exit 2.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use super::support::*;

fn entry(name: &str) -> PathBuf {
    root()
        .join("fixtures/registry")
        .join(format!("{name}.server.json"))
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

/// The vendored schema, compiled by the `jsonschema` crate with format checks on.
fn schema_errors(instance: &Value) -> Vec<String> {
    let schema = read_json(&root().join("fixtures/registry/server.schema.json"));
    let validator = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

/// Every vendored server.json.
fn vendored() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/registry"))
        .expect("fixtures/registry")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".server.json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_vendored_schema_is_the_2025_12_11_one_and_every_vendored_file_follows_it() {
    let schema = read_json(&root().join("fixtures/registry/server.schema.json"));
    assert_eq!(
        schema["$id"],
        "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    );
    let files = vendored();
    assert_eq!(files.len(), 7, "{files:?}");
    for f in &files {
        let errors = schema_errors(&read_json(f));
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
    // The validator is not vacuous: what the registry rejects, it rejects.
    let mut broken = read_json(&entry("osv"));
    broken["name"] = Value::from("no-namespace");
    broken["packages"][0]["transport"] = serde_json::json!({"type": "streamable-http"});
    let errors = schema_errors(&broken);
    assert!(
        errors.iter().any(|e| e.starts_with("/name:"))
            && errors
                .iter()
                .any(|e| e.starts_with("/packages/0/transport")),
        "{errors:#?}"
    );
}

/// One import case: a vendored file, the flags, and what `check` and `build` must say.
struct Case {
    /// Snapshot and file name.
    name: &'static str,
    /// The vendored file.
    fixture: &'static str,
    /// Extra `import` flags.
    flags: &'static [&'static str],
    /// Index of the entry's package the spec must come from.
    package: usize,
    /// Placeholders `check` must report (MCP237), by line text.
    placeholders: &'static [&'static str],
    /// What `build` does with it.
    outcome: Outcome,
}

/// What `build` does with an imported spec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// An HTTP server: every output.
    Http,
    /// A stdio package mcpgen builds: every output, the image running this bridge.
    Bridged(&'static str),
    /// A published stdio image, which mcpgen cannot bridge: MCP301, nothing written.
    Refused,
}

const CASES: &[Case] = &[
    Case {
        name: "airtable-oci",
        fixture: "airtable-mcp-server",
        flags: &[],
        package: 1,
        placeholders: &[],
        outcome: Outcome::Refused,
    },
    Case {
        name: "airtable-npm",
        fixture: "airtable-mcp-server",
        flags: &[
            "--registry-type",
            "npm",
            "--image-repository",
            "ghcr.io/acme",
        ],
        package: 0,
        placeholders: &[],
        outcome: Outcome::Bridged("supergateway"),
    },
    Case {
        name: "time-mcp-pypi",
        fixture: "time-mcp-pypi",
        flags: &[],
        package: 0,
        placeholders: &[],
        outcome: Outcome::Bridged("mcp-proxy"),
    },
    Case {
        name: "filesystem-npm",
        fixture: "filesystem",
        flags: &["--registry-type", "npm"],
        package: 0,
        placeholders: &[],
        outcome: Outcome::Bridged("supergateway"),
    },
    Case {
        name: "filesystem-oci",
        fixture: "filesystem",
        flags: &[],
        package: 1,
        placeholders: &[],
        outcome: Outcome::Refused,
    },
    Case {
        name: "database-manager",
        fixture: "database-manager",
        flags: &[],
        package: 0,
        placeholders: &["<TODO: database_name>", "<TODO: DB_USERNAME>"],
        outcome: Outcome::Refused,
    },
    Case {
        name: "osv",
        fixture: "osv",
        flags: &[],
        package: 0,
        placeholders: &[],
        outcome: Outcome::Http,
    },
    Case {
        name: "toolhive-doc-mcp",
        fixture: "toolhive-doc-mcp",
        flags: &[],
        package: 0,
        placeholders: &[],
        outcome: Outcome::Http,
    },
];

/// Import a case into `dir/<name>.yaml` and return the path.
fn import(case: &Case, dir: &Path) -> PathBuf {
    let out = dir.join(format!("{}.yaml", case.name));
    let fixture = entry(case.fixture);
    let mut args = vec![
        "import",
        fixture.to_str().expect("utf-8 path"),
        "-o",
        out.to_str().expect("utf-8 path"),
    ];
    args.extend(case.flags);
    let o = mcpgen(&args);
    assert_eq!(code(&o), 0, "import {}: {}", case.name, show(&o));
    out
}

#[test]
fn imported_specs_check_with_only_the_decisions_left_and_build_bridged_or_stop() {
    let dir = tempdir("import");
    for case in CASES {
        let spec = import(case, &dir);
        let yaml = std::fs::read_to_string(&spec).expect("imported spec");
        insta::assert_snapshot!(format!("import__{}", case.name), yaml);

        // check: notes and warnings that name a decision; errors only at placeholders.
        let o = mcpgen(&["check", "--format", "json", spec.to_str().expect("utf-8")]);
        let report: Value = serde_json::from_slice(&o.stdout).expect("JSON report");
        let diags = report["diagnostics"].as_array().expect("diagnostics");
        let mut placeholders = Vec::new();
        for d in diags {
            let code = d["code"].as_str().unwrap_or_default();
            match code {
                // Resources and monitoring left to mcpgen's defaults (notes), protocol
                // revisions (warning).
                "MCP216" | "MCP217" | "MCP233" | "MCP234" | "MCP207" => {}
                "MCP237" => {
                    let line = d["region"]["startLine"].as_u64().expect("line") as usize;
                    placeholders.push(yaml.lines().nth(line - 1).unwrap_or_default().to_string());
                }
                other => panic!("{}: unexpected {other}: {d:#}", case.name),
            }
        }
        assert_eq!(
            placeholders.len(),
            case.placeholders.len(),
            "{}: {placeholders:?}",
            case.name
        );
        for (line, want) in placeholders.iter().zip(case.placeholders) {
            assert!(line.contains(want), "{}: {line:?} lacks {want}", case.name);
        }
        let expected_exit = if case.placeholders.is_empty() { 0 } else { 1 };
        assert_eq!(code(&o), expected_exit, "check {}: {}", case.name, show(&o));
        if !case.placeholders.is_empty() {
            continue;
        }

        // build: every output for HTTP servers and bridged stdio packages; MCP301 and nothing
        // written for a published stdio image.
        let out = dir.join(format!("{}-out", case.name));
        let o = mcpgen(&[
            "build",
            spec.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        if case.outcome == Outcome::Refused {
            assert_eq!(code(&o), 1, "build {}: {}", case.name, show(&o));
            assert!(
                text(&o.stdout).contains("a published `stdio` image cannot be bridged"),
                "{}",
                show(&o)
            );
            assert!(
                !out.exists(),
                "{}: a stopped build wrote {}",
                case.name,
                out.display()
            );
        } else {
            assert_eq!(code(&o), 0, "build {}: {}", case.name, show(&o));
            for f in [
                "k8s/deployment.yaml",
                "k8s/networkpolicy.yaml",
                "compose.yaml",
            ] {
                assert!(
                    env_dir(&out, "base").join(f).exists(),
                    "{}: no {f}",
                    case.name
                );
            }
            if let Outcome::Bridged(bridge) = case.outcome {
                let dockerfile = std::fs::read_to_string(env_dir(&out, "base").join("Dockerfile"))
                    .expect("Dockerfile");
                let cmd = dockerfile
                    .lines()
                    .find(|l| l.starts_with("CMD "))
                    .unwrap_or_default();
                assert!(cmd.contains(bridge), "{}: {cmd}", case.name);
            }
        }
    }
}

#[test]
fn toolhive_ports_become_egress_and_host_names_stay_comments() {
    let dir = tempdir("egress");
    let case = CASES.iter().find(|c| c.name == "osv").expect("osv case");
    let spec = import(case, &dir);
    let yaml = std::fs::read_to_string(&spec).expect("spec");
    assert!(yaml.contains("`api.osv.dev`"), "{yaml}");
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let policy = std::fs::read_to_string(env_dir(&out, "base").join("k8s/networkpolicy.yaml"))
        .expect("policy");
    for cidr in ["cidr: 0.0.0.0/0", "cidr: \"::/0\""] {
        assert!(policy.contains(cidr), "{policy}");
    }
    assert!(policy.contains("port: 443"), "{policy}");
    assert!(
        !policy.contains("osv.dev"),
        "a host name cannot be in a NetworkPolicy: {policy}"
    );
}

#[test]
fn import_reads_stdin_and_refuses_what_it_cannot_deploy() {
    // stdin gives the same spec as the file, apart from the source named in the header.
    let bytes = std::fs::read(entry("osv")).expect("fixture");
    let mut child = command_in(&root())
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &bytes).expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(code(&o), 0, "{}", show(&o));
    let from_file = mcpgen(&["import", entry("osv").to_str().expect("utf-8")]);
    assert_eq!(
        text(&o.stdout).replace("(stdin)", "(osv.server.json)"),
        text(&from_file.stdout)
    );

    // A server hosted elsewhere: nothing to deploy, exit 2, nothing written.
    let dir = tempdir("remote");
    let out = dir.join("remote.yaml");
    let o = mcpgen(&[
        "import",
        entry("context7-remote").to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("remote server") && err.contains("https://mcp.context7.com/mcp"),
        "{err}"
    );
    assert!(!out.exists());

    // A package type mcpgen does not deploy, a missing type, broken input: exit 2 each.
    let airtable = entry("airtable-mcp-server");
    let o = mcpgen(&[
        "import",
        airtable.to_str().expect("utf-8"),
        "--registry-type",
        "pypi",
    ]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        text(&o.stderr).contains("has no `pypi` package"),
        "{}",
        show(&o)
    );
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        r#"{"name": "x", "description": "d", "version": "1"}"#,
    )
    .expect("write");
    let o = mcpgen(&["import", broken.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(text(&o.stderr).contains("/name"), "{}", show(&o));
    let o = mcpgen(&["import", dir.join("missing.json").to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "{}", show(&o));
}

/// The argv an entry's package arguments give when every argument takes its value or default,
/// computed here from the entry rather than by mcpgen.
fn expected_argv(arguments: &Value, fill: &BTreeMap<&str, &str>) -> Vec<String> {
    let mut argv = Vec::new();
    for a in arguments.as_array().into_iter().flatten() {
        let value = a["value"]
            .as_str()
            .or_else(|| a["default"].as_str())
            .map(str::to_string)
            .or_else(|| {
                let key = a["valueHint"].as_str().or_else(|| a["name"].as_str())?;
                fill.get(key.trim_start_matches('-')).map(|v| v.to_string())
            });
        let Some(value) = value else { continue };
        if a["type"] == "named" {
            argv.push(a["name"].as_str().expect("name").to_string());
        }
        argv.push(value);
    }
    argv
}

/// The variables of a package as name → (isSecret, value or default).
fn variables(
    package: &Value,
    fill: &BTreeMap<&str, &str>,
) -> BTreeMap<String, (bool, Option<String>)> {
    package["environmentVariables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let name = v["name"].as_str()?.to_string();
            let secret = v["isSecret"] == true;
            let value = v["value"]
                .as_str()
                .or_else(|| v["default"].as_str())
                .or_else(|| fill.get(name.as_str()).copied())
                .map(str::to_string);
            // Optional plain variables without a value are not set, so not exported.
            let set = secret && v["isRequired"] == true || value.is_some();
            set.then_some((name, (secret, if secret { None } else { value })))
        })
        .collect()
}

#[test]
fn export_gives_back_the_package_and_the_variables_of_an_imported_spec() {
    let dir = tempdir("roundtrip");
    // The values a person fills in for the placeholders of database-manager.
    let fill = BTreeMap::from([("database_name", "orders"), ("DB_USERNAME", "app")]);
    for case in CASES {
        let spec = import(case, &dir);
        if !case.placeholders.is_empty() {
            // Export runs the gate of `check`: placeholders left in are findings (exit 1).
            let o = mcpgen(&["export", "server-json", spec.to_str().expect("utf-8")]);
            assert_eq!(code(&o), 1, "{}", show(&o));
            assert!(text(&o.stdout).contains("MCP237"), "{}", show(&o));
            let mut yaml = std::fs::read_to_string(&spec).expect("spec");
            for (k, v) in &fill {
                yaml = yaml.replace(&format!("\"<TODO: {k}>\""), v);
            }
            std::fs::write(&spec, yaml).expect("write");
        }
        let out = dir.join(format!("{}.server.json", case.name));
        let o = mcpgen(&[
            "export",
            "server-json",
            spec.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        assert_eq!(code(&o), 0, "export {}: {}", case.name, show(&o));
        let exported = read_json(&out);
        let errors = schema_errors(&exported);
        assert!(errors.is_empty(), "{}: {errors:#?}", case.name);

        let original = read_json(&entry(case.fixture));
        assert_eq!(exported["name"], original["name"], "{}", case.name);
        assert_eq!(
            exported["description"], original["description"],
            "{}",
            case.name
        );
        let want = &original["packages"][case.package];
        let kind = want["registryType"].as_str().expect("type");
        let packages = exported["packages"].as_array().expect("packages");
        let got = packages
            .iter()
            .find(|p| p["registryType"] == kind)
            .unwrap_or_else(|| panic!("{}: no {kind} package in {exported:#}", case.name));
        assert_eq!(got["identifier"], want["identifier"], "{}", case.name);
        if kind != "oci" {
            assert_eq!(got["version"], want["version"], "{}", case.name);
        }
        assert_eq!(
            got["transport"]["type"], want["transport"]["type"],
            "{}",
            case.name
        );
        if let Some(url) = want["transport"]["url"].as_str() {
            // The port survives; a URL without a path gains mcpgen's assumed `/mcp`.
            let port = url.rsplit(':').next().expect("port");
            assert!(
                got["transport"]["url"]
                    .as_str()
                    .is_some_and(|u| u.contains(&format!(":{port}"))),
                "{}: {got:#}",
                case.name
            );
        }
        let argv: Vec<String> = got["packageArguments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| a["value"].as_str().expect("value").to_string())
            .collect();
        assert_eq!(
            argv,
            expected_argv(&want["packageArguments"], &fill),
            "{}",
            case.name
        );
        let exported_vars: BTreeMap<String, (bool, Option<String>)> = got["environmentVariables"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                (
                    v["name"].as_str().expect("name").to_string(),
                    (
                        v["isSecret"] == true,
                        v["default"].as_str().map(str::to_string),
                    ),
                )
            })
            .collect();
        assert_eq!(exported_vars, variables(want, &fill), "{}", case.name);

        // The image mcpgen built for a stdio package runs the bridge: it speaks Streamable
        // HTTP, while the package itself stays stdio. (Without `--image-repository` the image
        // is local-only and not exported.)
        if let Outcome::Bridged(_) = case.outcome
            && case.flags.contains(&"--image-repository")
        {
            let oci = packages
                .iter()
                .find(|p| p["registryType"] == "oci")
                .unwrap_or_else(|| panic!("{}: no oci package in {exported:#}", case.name));
            assert_eq!(
                oci["transport"],
                serde_json::json!({"type": "streamable-http", "url": "http://localhost:8080/mcp"}),
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn a_bridged_stdio_server_exports_its_image_as_streamable_http_and_its_route_as_a_remote() {
    let spec = root().join("fixtures/stdio-node/service.yaml");
    let o = mcpgen(&[
        "export",
        "server-json",
        spec.to_str().expect("utf-8"),
        "--env",
        "production",
        "--name",
        "io.github.acme/everything",
        "--description",
        "The MCP test server, bridged",
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let exported: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(schema_errors(&exported).is_empty(), "{exported:#}");
    assert_eq!(
        exported["remotes"][0]["url"], "https://mcp.acme.example/everything/mcp",
        "{exported:#}"
    );
    insta::assert_json_snapshot!("export__stdio_node_production", exported);
}

#[test]
fn export_needs_a_registry_name_and_lists_a_public_exposure_as_a_remote() {
    let reference = root().join("fixtures/reference/service.yaml");
    let o = mcpgen(&["export", "server-json", reference.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        text(&o.stderr).contains("metadata.registryName") && text(&o.stderr).contains("--name"),
        "{}",
        show(&o)
    );
    let o = mcpgen(&[
        "export",
        "server-json",
        reference.to_str().expect("utf-8"),
        "--env",
        "production",
        "--name",
        "io.github.acme/weather",
        "--description",
        "Weather forecasts",
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let exported: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(schema_errors(&exported).is_empty(), "{exported:#}");
    insta::assert_json_snapshot!("export__reference_production", exported);
}

#[test]
fn package_mode_dockerfiles_install_one_version_and_carry_the_registry_label() {
    let dir = tempdir("dockerfile");
    for spec in ["npm-package", "pypi-package"] {
        let path = root()
            .join("tests/validators/specs")
            .join(format!("{spec}.yaml"));
        let out = dir.join(spec);
        let o = mcpgen(&[
            "build",
            path.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
            "--target",
            "docker",
        ]);
        assert_eq!(code(&o), 0, "{}", show(&o));
        let dockerfile =
            std::fs::read_to_string(env_dir(&out, "base").join("Dockerfile")).expect("Dockerfile");
        insta::assert_snapshot!(format!("dockerfile__{spec}"), dockerfile);
    }
}

#[test]
fn a_go_build_cannot_install_a_package() {
    let dir = tempdir("go-package");
    let spec = dir.join("go.yaml");
    std::fs::write(
        &spec,
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: demo\nspec:\n  \
         image: ghcr.io/acme/demo:1.0.0\n  build:\n    runtime: go\n    version: \"1.23\"\n    \
         command: [/app/server]\n    package: {name: demo, version: 1.0.0}\n",
    )
    .expect("write");
    let out = dir.join("out");
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let report = text(&o.stdout);
    assert!(
        report.contains("MCP301") && report.contains("go.yaml:11:"),
        "{report}"
    );
    assert!(!out.exists());
}

/// `import` reads at most the spec size bound, from a file or from standard input (exit 2).
#[test]
fn import_reads_a_bounded_entry() {
    let dir = tempdir("import-bound");
    let big = dir.join("big.server.json");
    let pad = " ".repeat(mcpgen::limits::MAX_SPEC_BYTES as usize + 10);
    std::fs::write(&big, format!("{{\"name\": \"io.example/big\"{pad}}}")).expect("write");
    let o = mcpgen(&["import", big.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("limit"), "{}", show(&o));
    let mut child = command_in(&root())
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let bytes = std::fs::read(&big).expect("read");
    // The child may stop reading at the bound: a broken pipe is expected then.
    let _ = std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &bytes);
    let o = child.wait_with_output().expect("wait");
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("limit"), "{}", show(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
