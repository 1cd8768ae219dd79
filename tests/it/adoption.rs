//! Adoption, as a new user meets mcpgen: the README's first screen and its commands, the
//! release and distribution files (binstall metadata, Dockerfile, release workflow), the
//! pre-commit hooks driven through the real pre-commit framework, findings that say how to fix
//! them (help lines, SARIF links and severities, the concise format), `mcpgen fix`, the overlay
//! schema, shell completions and man pages, `--quiet`/`--color`/`--version`, and the small bugs
//! found on the way (each with its regression test).
//!
//! What needs a third-party tool (check-jsonschema on the release workflow and the overlay
//! schema, hadolint on the Dockerfile, the pre-commit framework driving the hooks) is in the
//! validator tier, `tests/thirdparty/adoption.rs`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{code, mcpgen_in, root, stderr as err, stdout as out, tempdir};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    mcpgen_in(dir, args)
}

fn mcpgen(args: &[&str]) -> Output {
    mcpgen_in(&root(), args)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

// ---------------------------------------------------------------------------------------------
// README

/// The README's sections in order, as (heading, body).
fn readme_sections() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut sections = vec![(String::new(), String::new())];
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            sections.push((h.to_string(), String::new()));
        } else if let Some(last) = sections.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    sections
}

/// The lines of the first fenced code block of a section.
fn first_code_block(body: &str) -> Vec<String> {
    body.split("```")
        .nth(1)
        .expect("a code block")
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_first_screen_says_what_then_install_then_quick_start() {
    let sections = readme_sections();
    let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        &headings[..3],
        ["", "Install", "Quick start"],
        "{headings:?}"
    );
    // One sentence of what it is and who it is for, before anything else.
    let intro = &sections[0].1;
    let first_paragraph = intro
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .expect("intro paragraph");
    assert!(
        first_paragraph.contains("MCP")
            && first_paragraph.contains("platform and DevOps engineers"),
        "{first_paragraph}"
    );
    assert_eq!(
        first_paragraph.matches(". ").count(),
        0,
        "one sentence: {first_paragraph}"
    );
    let install = first_code_block(&sections[1].1).join("\n");
    for needle in [
        "cargo install --locked --git https://github.com/mcpgen/mcpgen",
        "cargo binstall --git https://github.com/mcpgen/mcpgen mcpgen",
        "ghcr.io/mcpgen/mcpgen:",
    ] {
        assert!(install.contains(needle), "{needle} in {install}");
    }
    // init, check, fix, build, apply: five lines.
    let quick = first_code_block(&sections[2].1);
    assert_eq!(quick.len(), 5, "{quick:?}");
    for (line, cmd) in quick.iter().zip([
        "mcpgen init",
        "mcpgen check",
        "mcpgen fix",
        "mcpgen build",
        "kubectl apply",
    ]) {
        assert!(line.starts_with(cmd), "{line}");
    }
    // The Develop section starts with the two set-up commands.
    let develop = sections
        .iter()
        .find(|(h, _)| h == "Develop")
        .expect("a Develop section");
    assert_eq!(
        &first_code_block(&develop.1)[..2],
        [
            "cargo run --release -- build fixtures/reference/service.yaml -o out",
            "bash .ci/test"
        ]
    );
    assert!(root().join(".ci/test").exists());
}

#[test]
fn readme_links_stay_inside_the_repository() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        !text.contains("../"),
        "README points outside the repository"
    );
    let mut checked = 0;
    for part in text.split("](").skip(1) {
        let target = part.split(')').next().unwrap_or_default();
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        let path = target.split('#').next().unwrap_or_default();
        assert!(root().join(path).exists(), "broken README link {target}");
        checked += 1;
    }
    assert!(checked >= 5, "{checked} relative links");
}

/// The quick start's commands, run as written (kubectl is replaced by checking what it would
/// apply), and the build of the Develop section's first command.
#[test]
fn readme_quick_start_commands_work() {
    let dir = tempdir("quick");
    let init = run_in(&dir, &["init", "mcp.yaml", "--name", "tickets"]);
    assert_eq!(code(&init), 0, "{}", err(&init));
    let check = run_in(&dir, &["check", "mcp.yaml"]);
    assert_eq!(code(&check), 0, "{}", out(&check));
    assert!(
        out(&check).contains("0 errors, 0 warnings"),
        "{}",
        out(&check)
    );
    let fix = run_in(&dir, &["fix", "mcp.yaml", "--write"]);
    assert_eq!(code(&fix), 0, "{}{}", out(&fix), err(&fix));
    let build = run_in(&dir, &["build", "mcp.yaml", "-o", "deploy"]);
    assert_eq!(code(&build), 0, "{}{}", out(&build), err(&build));
    let kustomization = dir.join("deploy/tickets/staging/k8s/kustomization.yaml");
    assert!(
        kustomization.exists(),
        "kubectl apply -k deploy/tickets/staging/k8s needs {kustomization:?}"
    );
    let stream = run_in(&dir, &["build", "mcp.yaml", "--stdout"]);
    assert_eq!(code(&stream), 0);
    assert!(out(&stream).contains("kind: Deployment"));

    let develop = mcpgen(&[
        "build",
        "fixtures/reference/service.yaml",
        "-o",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(code(&develop), 0, "{}", err(&develop));
    for env in ["production", "staging"] {
        assert!(
            dir.join("out/mcp-server")
                .join(env)
                .join("Dockerfile")
                .exists(),
            "the README's Develop section names out/mcp-server/{env}/"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Distribution

#[test]
fn binstall_metadata_names_the_assets_the_release_publishes() {
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let package = &manifest["package"];
    assert_eq!(
        package["repository"].as_str(),
        Some("https://github.com/mcpgen/mcpgen")
    );
    let binstall = &package["metadata"]["binstall"];
    let url = binstall["pkg-url"].as_str().expect("pkg-url");
    assert_eq!(
        url,
        "{ repo }/releases/download/v{ version }/{ name }-{ version }-{ target }{ archive-suffix }"
    );
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    // The release workflow writes exactly that name, with the binary at the archive root.
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(workflow.contains("name=\"mcpgen-${VERSION}-${{ matrix.target }}\""));
    assert!(workflow.contains(
        "tar -czf \"dist/${name}.tar.gz\" -C \"target/${{ matrix.target }}/dist\" mcpgen"
    ));
    for target in ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"] {
        assert!(workflow.contains(&format!("target: {target}")), "{target}");
    }
    assert_eq!(binstall["bin-dir"].as_str(), Some("{ bin }{ binary-ext }"));
}

#[test]
fn release_workflow_pins_every_action() {
    let path = root().join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut uses = 0;
    for line in text
        .lines()
        .filter(|l| l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:"))
    {
        let spec = line.split("uses:").nth(1).unwrap().trim();
        let (action, rest) = spec.split_once('@').expect("owner/repo@ref");
        let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{action} is not pinned to a full commit SHA: {line}"
        );
        assert!(
            comment.starts_with('v'),
            "{action}: no version comment: {line}"
        );
        uses += 1;
    }
    assert!(uses >= 8, "{uses} actions");
    // check-jsonschema validates it against GitHub's workflow schema in the validator tier
    // (tests/thirdparty/adoption.rs).
}

/// The image's Dockerfile runs a static binary as a non-root user on distroless/static (hadolint
/// checks it in the validator tier). There is no Docker engine on the test machines, so the
/// image itself is not built here.
#[test]
fn dockerfile_is_static_and_non_root() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    assert!(text.contains("FROM gcr.io/distroless/static-debian12:nonroot AS runtime"));
    assert!(text.contains("USER 65532:65532"));
    assert!(text.contains("-unknown-linux-musl"));
    assert!(
        text.contains("FROM runtime AS prebuilt") && text.contains("dist/${TARGETPLATFORM}/mcpgen")
    );
}

// ---------------------------------------------------------------------------------------------
// pre-commit

#[test]
fn hook_file_patterns_match_the_documented_names() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let patterns: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("files: '"))
        .map(|p| p.trim_end_matches('\''))
        .collect();
    assert_eq!(patterns.len(), 5);
    // The pattern is a Python regex; the hooks' real matching is exercised through the
    // pre-commit framework in the validator tier (tests/thirdparty/adoption.rs), and here each
    // name is checked against a hand-written matcher of the same pattern.
    assert!(
        patterns
            .iter()
            .all(|p| *p == r"(^|/)([^/]+\.)?mcp\.(ya?ml|kdl)$")
    );
    let matches = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = ["mcp.yaml", "mcp.yml", "mcp.kdl"]
            .iter()
            .find_map(|s| name.strip_suffix(s));
        matches!(stem, Some(prefix) if prefix.is_empty() || (prefix.ends_with('.') && prefix.len() > 1))
    };
    for yes in [
        "mcp.yaml",
        "mcp.kdl",
        "services/weather.mcp.yaml",
        "a/b/x.mcp.yml",
    ] {
        assert!(matches(yes), "{yes}");
    }
    for no in [
        "notmcp.yaml",
        "mcp.json",
        "services/weather.yaml",
        ".mcp.yaml.bak",
    ] {
        assert!(!matches(no), "{no}");
    }
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("- id: "))
        .collect();
    assert_eq!(
        ids,
        [
            "mcpgen-check-system",
            "mcpgen-build-check-system",
            "mcpgen-check",
            "mcpgen-build-check",
            "mcpgen-check-docker"
        ]
    );
    assert!(text.contains("language: docker_image"));
    assert!(text.contains(&format!(
        "ghcr.io/mcpgen/mcpgen:{} check",
        env!("CARGO_PKG_VERSION")
    )));
}

// ---------------------------------------------------------------------------------------------
// Findings users can act on

#[test]
fn every_policy_finding_has_a_help_line_and_an_explain_pointer() {
    let mut seen = std::collections::BTreeSet::new();
    let dirs = std::fs::read_dir(root().join("fixtures/policy")).unwrap();
    for dir in dirs.filter_map(Result::ok) {
        let spec = dir.path().join("fail.yaml");
        let rel = spec
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let o = mcpgen(&["check", &rel, "--format", "json"]);
        for d in json(&o)["diagnostics"].as_array().unwrap() {
            let c = d["code"].as_str().unwrap();
            if !c.starts_with("MCP2") {
                continue;
            }
            let help = d["help"].as_str().unwrap_or_default();
            assert!(
                !help.is_empty() && !help.contains('\n'),
                "{rel}: {c} has no one-line help"
            );
            assert_eq!(d["explain"], format!("mcpgen explain {c}"), "{rel}");
            seen.insert(c.to_string());
        }
    }
    assert!(seen.len() >= 30, "{seen:?}");
    // Every rule has a help line in its METADATA, so findings of rules without fixtures too.
    let rules = json(&mcpgen(&["rules", "--format", "json"]));
    for r in rules.as_array().unwrap() {
        if r["code"].as_str().unwrap().starts_with("MCP2") {
            assert!(r["help"].is_string(), "{r}");
            assert!(!r["tags"].as_array().unwrap().is_empty(), "{r}");
        }
    }
}

#[test]
fn help_is_concrete_for_this_spec() {
    let spec = "fixtures/policy/expose-host-not-in-allowed-hosts/fail.yaml";
    let o = mcpgen(&["check", spec, "--format", "json"]);
    let d = json(&o)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "MCP205")
        .cloned()
        .expect("MCP205");
    let resolved_host = "mcp.example.com";
    assert!(
        std::fs::read_to_string(root().join(spec))
            .unwrap()
            .contains(resolved_host),
        "the fixture exposes {resolved_host}"
    );
    assert_eq!(
        d["help"],
        format!("add `{resolved_host}` to `mcp.allowedHosts` (`mcpgen fix` does it)")
    );
    let human = out(&mcpgen(&["check", spec]));
    assert!(human.contains("details: mcpgen explain MCP205"), "{human}");
    // The image rules name the repository of this spec.
    let o = mcpgen(&[
        "check",
        "fixtures/policy/latest-image-tag/fail.yaml",
        "--format",
        "json",
    ]);
    let d = json(&o)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "MCP213")
        .cloned()
        .expect("MCP213");
    assert!(d["help"].as_str().unwrap().contains(":1.2.3`"), "{d}");
    assert!(!d["help"].as_str().unwrap().contains(":latest:"), "{d}");
}

/// The SARIF 2.1.0 schema in tests/data, with its one ECMA-incompatible pattern escaped (see
/// tests/it/policy.rs).
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-2.1.0-rtm.5.json")).unwrap();
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).expect("schema compiles")
}

#[test]
fn sarif_has_help_uris_severities_tags_and_relative_locations() {
    let validator = sarif_validator();
    let rules_md = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    // Run from a subdirectory: locations are still relative to the repository root.
    let sub = root().join("fixtures");
    let o = run_in(
        &sub,
        &[
            "check",
            "--format",
            "sarif",
            "policy/exposed-without-tls/fail.yaml",
            "policy/latest-image-tag/fail.yaml",
        ],
    );
    let log = json(&o);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &log["runs"][0];
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    let in_git = root().ancestors().any(|d| d.join(".git").exists());
    for r in run["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%", "{loc}");
        let uri = loc["uri"].as_str().unwrap();
        let expected_prefix = if in_git {
            "fixtures/policy/"
        } else {
            "policy/"
        };
        assert!(uri.starts_with(expected_prefix), "{uri}");
    }
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut security = 0;
    for rule in rules
        .iter()
        .filter(|r| r["id"].as_str().unwrap().starts_with("MCP2"))
    {
        let name = rule["name"].as_str().unwrap();
        let uri = rule["helpUri"].as_str().expect("helpUri");
        assert!(
            uri.starts_with("https://github.com/mcpgen/mcpgen/blob/v")
                && uri.ends_with(&format!("/docs/rules.md#{name}")),
            "{uri}"
        );
        assert!(
            rules_md.contains(&format!("\n## {name}\n")),
            "no anchor for {name}"
        );
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        if tags.iter().any(|t| t == "security") {
            let sev: f64 = rule["properties"]["security-severity"]
                .as_str()
                .expect("security-severity")
                .parse()
                .unwrap();
            assert!((0.0..=10.0).contains(&sev));
            security += 1;
        }
    }
    assert!(security >= 2, "{rules:#?}");
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let files = [
        "fixtures/unknown-field-typo/service.yaml",
        "fixtures/invalid-enum/service.yaml",
        "fixtures/policy/latest-image-tag/fail.yaml",
    ];
    let mut args = vec!["check", "--format", "concise"];
    args.extend(files);
    let o = mcpgen(&args);
    assert_eq!(code(&o), 1);
    let text = out(&o);
    let mut json_args = vec!["check", "--format", "json"];
    json_args.extend(files);
    let expected = json(&mcpgen(&json_args))["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["suppressed"].is_null())
        .map(|d| {
            format!(
                "{}:{}:{}: {}[{}]: {}",
                d["file"].as_str().unwrap(),
                d["region"]["startLine"],
                d["region"]["startColumn"],
                d["level"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{text}");
    for (line, want) in lines.iter().zip(&expected) {
        assert!(line.starts_with(want.as_str()), "{line}\n{want}");
    }
    assert!(
        text.contains("fixtures/unknown-field-typo/service.yaml:"),
        "{text}"
    );
    assert!(text.contains(": error[MCP010]: "), "{text}");
}

// ---------------------------------------------------------------------------------------------
// mcpgen fix

const UNFIXED: &str = "\
# A service with mechanical problems; comments and layout must survive the fixes.
apiVersion: mcpgen.dev/v1
kind: MCPServer
metadata:
  name: weather   # the server name
spec:
  image: ghcr.io/acme/weather:1.0.0
  mcp:
    transport: streamable-http   # keep this comment
    stateless: yes
    allowedOrigins: [https://app.example.com]
    auth: {type: oidc, issuer: https://login.example.com}
  env:
    RATIO: 1.10
    DEBUG: on
  expose:
    host: mcp.example.com
    tls: {clusterIssuer: letsencrypt}
    rateLimit: {requests: 10}

  # Overrides per environment.
  environments:
    staging:
      spec:
        replicas: 1
";

#[test]
fn fix_previews_writes_and_keeps_comments() {
    let dir = tempdir("fix");
    let path = dir.join("weather.mcp.yaml");
    std::fs::write(&path, UNFIXED).unwrap();

    let preview = run_in(&dir, &["fix", "weather.mcp.yaml"]);
    assert_eq!(code(&preview), 1, "something to fix: exit 1");
    assert!(
        out(&preview).contains("--- a/weather.mcp.yaml"),
        "{}",
        out(&preview)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        UNFIXED,
        "preview writes nothing"
    );

    let write = run_in(&dir, &["fix", "weather.mcp.yaml", "--write"]);
    assert_eq!(code(&write), 0, "{}{}", out(&write), err(&write));
    let fixed = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!("fix_weather", fixed);
    // Every original comment line and every untouched line is still there, unchanged.
    for line in UNFIXED.lines() {
        let touched = ["stateless: yes", "RATIO: 1.10", "DEBUG: on"]
            .iter()
            .any(|t| line.contains(t));
        if !touched {
            assert!(fixed.lines().any(|l| l == line), "lost: {line}");
        }
    }
    let check = run_in(&dir, &["check", "weather.mcp.yaml", "--format", "json"]);
    let codes: Vec<String> = json(&check)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    for gone in ["MCP012", "MCP205", "MCP207", "MCP216", "MCP217"] {
        assert!(!codes.iter().any(|c| c == gone), "{gone} left: {codes:?}");
    }
    let again = run_in(&dir, &["fix", "weather.mcp.yaml"]);
    assert_eq!(code(&again), 0, "nothing left to fix: {}", out(&again));
    assert!(out(&again).is_empty(), "{}", out(&again));
}

#[test]
fn fix_appends_to_existing_lists_and_flow_mappings() {
    let dir = tempdir("fix-lists");
    let path = dir.join("mcp.yaml");
    let spec = "\
apiVersion: mcpgen.dev/v1
kind: MCPServer
metadata: {name: lists}
spec:
  image: ghcr.io/acme/lists:1.0.0
  mcp: {protocolVersions: [\"2025-11-25\"], stateless: true, allowedOrigins: [https://a.example.com], auth: {type: oidc, issuer: https://login.example.com}}
  resources:
    requests: {cpu: 250m}
    limits:
      cpu: \"1\"
  expose: {host: lists.example.com, tls: {clusterIssuer: x}, rateLimit: {requests: 5}}
  environments:
    production:
      spec:
        expose: {host: prod.example.com}
        mcp:
          allowedHosts:
            - lists.example.com
";
    std::fs::write(&path, spec).unwrap();
    let write = run_in(&dir, &["fix", "mcp.yaml", "--write"]);
    assert_eq!(code(&write), 0, "{}{}", out(&write), err(&write));
    let fixed = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!("fix_lists", fixed);
    let check = run_in(&dir, &["check", "mcp.yaml", "--format", "json"]);
    let codes: Vec<String> = json(&check)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !codes
            .iter()
            .any(|c| c == "MCP205" || c == "MCP216" || c == "MCP217"),
        "{codes:?}"
    );
}

#[test]
fn fix_leaves_kdl_and_clean_specs_alone() {
    let o = mcpgen(&["fix", "fixtures/reference/service.kdl"]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).contains("KDL specs are not edited"), "{}", out(&o));
    let o = mcpgen(&["fix", "fixtures/reference/service.yaml"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).is_empty());
    let o = mcpgen(&["fix", "fixtures/does-not-exist.yaml"]);
    assert_eq!(code(&o), 2);
}

// ---------------------------------------------------------------------------------------------
// Overlay schema

#[test]
fn published_schema_types_overlays() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/mcpgen.schema.json")).unwrap(),
    )
    .unwrap();
    let overlay = &schema["$defs"]["Overlay"]["properties"];
    assert_eq!(overlay["spec"]["$ref"], "#/$defs/ServiceSpecPatch");
    assert_eq!(overlay["metadata"]["$ref"], "#/$defs/MetadataPatch");
    let patch = &schema["$defs"]["ServiceSpecPatch"];
    assert_eq!(patch["additionalProperties"], false);
    assert!(patch.get("required").is_none());
    assert!(patch["properties"].get("environments").is_none());
    assert!(patch["properties"].get("replicas").is_some());
}

const OVERLAY_TYPO: &str = "\
apiVersion: mcpgen.dev/v1
kind: MCPServer
metadata: {name: typo}
spec:
  image: ghcr.io/acme/typo:1.0.0
  mcp: {protocolVersions: [\"2025-11-25\"], stateless: true}
  environments:
    production:
      spec:
        replica: 3
";

#[test]
fn an_overlay_typo_is_flagged_by_the_schema_and_by_check_at_the_overlay() {
    let dir = tempdir("overlay");
    let path = dir.join("typo.mcp.yaml");
    std::fs::write(&path, OVERLAY_TYPO).unwrap();
    let o = run_in(&dir, &["check", "typo.mcp.yaml", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let diags = json(&o)["diagnostics"].as_array().unwrap().clone();
    let typos: Vec<&Value> = diags.iter().filter(|d| d["code"] == "MCP010").collect();
    assert_eq!(typos.len(), 1, "{diags:#?}");
    assert_eq!(typos[0]["region"]["startLine"], 10);
    assert_eq!(typos[0]["region"]["startColumn"], 9);
    assert_eq!(typos[0]["environment"], "production");
    assert_eq!(typos[0]["help"], "did you mean `replicas`?");

    // An editor's validator (check-jsonschema with the committed schema) flags such a typo too:
    // tests/thirdparty/adoption.rs.
}

#[test]
fn overlays_may_remove_fields_with_null_and_patch_partially() {
    let dir = tempdir("overlay-null");
    let path = dir.join("p.mcp.yaml");
    std::fs::write(
        &path,
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: p}\nspec:\n  image: ghcr.io/acme/p:1.0.0\n  mcp: {protocolVersions: [\"2025-11-25\"], stateless: true}\n  autoscaling: {minReplicas: 2, maxReplicas: 4}\n  environments:\n    dev:\n      spec:\n        autoscaling: null\n        replicas: 1\n    prod:\n      spec:\n        autoscaling: {maxReplicas: 8}\n",
    )
    .unwrap();
    let o = run_in(&dir, &["check", "p.mcp.yaml"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
}

// ---------------------------------------------------------------------------------------------
// CLI conveniences

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = mcpgen(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", err(&o));
        let script = out(&o);
        // fish spells long options `-l format`, the others `--format`.
        for word in ["check", "build", "fix", "format", "quiet"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
        // clap_complete's PowerShell script completes flags, not their values.
        if shell != "powershell" {
            assert!(
                script.contains("concise"),
                "{shell} completion lacks --format values"
            );
        }
    }
    // The bash script is valid bash.
    let dir = tempdir("completions");
    let file = dir.join("mcpgen.bash");
    std::fs::write(&file, out(&mcpgen(&["completions", "bash"]))).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(syntax.status.success(), "{}", err(&syntax));
    assert_eq!(code(&mcpgen(&["completions", "tcsh"])), 2);
}

#[test]
fn man_pages_from_the_clap_definitions() {
    let o = mcpgen(&["man"]);
    assert_eq!(code(&o), 0);
    let page = out(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH mcpgen"),
        "{page}"
    );
    assert!(
        page.contains("completions") && page.contains("\\-\\-quiet"),
        "{page}"
    );
    let dir = tempdir("man");
    let o = mcpgen(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    for page in [
        "mcpgen.1",
        "mcpgen-check.1",
        "mcpgen-build.1",
        "mcpgen-fix.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page}");
    }
}

#[test]
fn quiet_prints_only_findings() {
    let dir = tempdir("quiet");
    let o = run_in(&dir, &["-q", "init", "mcp.yaml"]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).is_empty(), "{}", out(&o));
    let o = run_in(&dir, &["check", "--quiet", "mcp.yaml"]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).is_empty(), "{}", out(&o));
    let o = run_in(&dir, &["build", "mcp.yaml", "-o", "deploy", "-q"]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).is_empty(), "{}", out(&o));
    let o = run_in(
        &dir,
        &["build", "mcp.yaml", "-o", "deploy", "--check", "-q"],
    );
    assert_eq!(code(&o), 0);
    assert!(out(&o).is_empty(), "{}", out(&o));
    // Findings are still printed, without the summary line.
    let o = mcpgen(&["check", "-q", "fixtures/invalid-enum/service.yaml"]);
    assert_eq!(code(&o), 1);
    assert!(
        out(&o).contains("MCP013") && !out(&o).contains("in 1 file"),
        "{}",
        out(&o)
    );
}

#[test]
fn color_flag_overrides_the_terminal_and_no_color() {
    let file = "fixtures/invalid-enum/service.yaml";
    // NO_COLOR is set by `mcpgen()`; --color always still colours, through a pipe.
    let always = mcpgen(&["check", "--color", "always", file]);
    assert!(out(&always).contains('\u{1b}'), "{}", out(&always));
    let never = mcpgen(&["check", "--color=never", file]);
    assert!(!out(&never).contains('\u{1b}'));
    let auto = mcpgen(&["check", file]);
    assert!(
        !out(&auto).contains('\u{1b}'),
        "NO_COLOR and a pipe: no colour"
    );
    assert_eq!(code(&mcpgen(&["check", "--color", "sometimes", file])), 2);
}

#[test]
fn version_names_the_built_in_pack() {
    let o = mcpgen(&["--version"]);
    assert_eq!(code(&o), 0);
    let text = out(&o);
    let rules = json(&mcpgen(&["rules", "--format", "json"]))
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"].as_str().unwrap().starts_with("MCP2"))
        .count();
    assert!(
        text.starts_with(&format!("mcpgen {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "built-in policy pack {} ({rules} rules, sha256:",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert_eq!(
        out(&mcpgen(&["-V"])),
        format!("mcpgen {}\n", env!("CARGO_PKG_VERSION"))
    );
}

// ---------------------------------------------------------------------------------------------
// Small bugs, each with its regression test

#[test]
fn init_of_a_kdl_path_writes_kdl_that_passes_check() {
    let dir = tempdir("init-kdl");
    let o = run_in(&dir, &["init", "y.kdl", "--name", "tickets"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = std::fs::read_to_string(dir.join("y.kdl")).unwrap();
    assert!(text.contains("apiVersion \"mcpgen.dev/v1\""), "{text}");
    let check = run_in(&dir, &["check", "y.kdl"]);
    assert_eq!(code(&check), 0, "{}", out(&check));
    assert!(
        out(&check).contains("0 errors, 0 warnings"),
        "{}",
        out(&check)
    );
    // The KDL starter is the YAML starter, field for field.
    let yaml = run_in(&dir, &["init", "y.yaml", "--name", "tickets"]);
    assert_eq!(code(&yaml), 0);
    let value = |name: &str, syntax| {
        let f =
            mcpgen::source::SourceFile::new(name, std::fs::read_to_string(dir.join(name)).unwrap());
        mcpgen::spec::parse(mcpgen::source::SourceId(0), &f, syntax)
            .expect("parses")
            .value
    };
    assert_eq!(
        value("y.kdl", mcpgen::spec::Syntax::Kdl),
        value("y.yaml", mcpgen::spec::Syntax::Yaml)
    );
    // A syntax the extension contradicts is refused.
    let o = run_in(&dir, &["init", "z.yaml", "--syntax", "kdl"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("would be read as YAML"), "{}", err(&o));
    assert!(!dir.join("z.yaml").exists());
}

/// The starter spec has no error or warning (it used to warn on its own image, MCP214). What
/// remains are the two notes about the monitoring mcpgen generates by default, which tell a new
/// user what to set before Prometheus loads it.
#[test]
fn the_starter_spec_has_no_error_or_warning() {
    for name in ["mcp.yaml", "mcp.kdl"] {
        let dir = tempdir(&format!("starter-{name}"));
        assert_eq!(code(&run_in(&dir, &["init", name])), 0);
        let o = run_in(&dir, &["check", name, "--format", "json"]);
        assert_eq!(code(&o), 0);
        let found: Vec<(String, String)> = json(&o)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["level"].as_str().unwrap().to_string(),
                    d["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("note".to_string(), "MCP233".to_string()),
                ("note".to_string(), "MCP234".to_string())
            ],
            "{name}"
        );
    }
}

#[test]
fn mcp214_names_a_missing_tag_as_such() {
    let dir = tempdir("mcp214");
    std::fs::write(
        dir.join("s.mcp.yaml"),
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: s}\nspec:\n  image: ghcr.io/acme/s:1.0.0\n  mcp: {protocolVersions: [\"2025-11-25\"], stateless: true}\n  environments:\n    production:\n      spec: {image: ghcr.io/acme/s, replicas: 2}\n    prod:\n      spec: {replicas: 2}\n",
    )
    .unwrap();
    let o = run_in(&dir, &["check", "s.mcp.yaml", "--format", "json"]);
    let diags = json(&o)["diagnostics"].as_array().unwrap().clone();
    let messages: Vec<(String, String)> = diags
        .iter()
        .filter(|d| d["code"] == "MCP214")
        .map(|d| {
            (
                d["environment"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(messages.len(), 2, "{diags:#?}");
    for (env, msg) in messages {
        match env.as_str() {
            "production" => assert!(
                msg.contains("without a tag or digest") && !msg.contains("by tag only"),
                "{msg}"
            ),
            "prod" => assert!(msg.contains("by tag only"), "{msg}"),
            other => panic!("{other}"),
        }
    }
}

#[test]
fn explain_of_an_unknown_name_suggests_the_nearest() {
    let o = mcpgen(&["explain", "latest-tag"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("did you mean `latest-image-tag` (MCP213)"),
        "{}",
        err(&o)
    );
    let o = mcpgen(&["explain", "MCP2133"]);
    assert!(
        err(&o).contains("did you mean `latest-image-tag` (MCP213)"),
        "{}",
        err(&o)
    );
    let o = mcpgen(&["explain", "unknwn-field"]);
    assert!(err(&o).contains("`unknown-field` (MCP010)"), "{}", err(&o));
    let o = mcpgen(&["explain", "zzzz"]);
    assert_eq!(code(&o), 2);
    assert!(!err(&o).contains("did you mean"), "{}", err(&o));
}

#[test]
fn a_missing_image_is_reported_once_with_environments() {
    let o = mcpgen(&[
        "check",
        "fixtures/missing-image-with-environments/service.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    let diags = json(&o)["diagnostics"].as_array().unwrap().clone();
    let missing: Vec<&Value> = diags.iter().filter(|d| d["code"] == "MCP011").collect();
    assert_eq!(missing.len(), 1, "{diags:#?}");
    assert!(missing[0]["environment"].is_null());
    // An overlay that removes the image is still the overlay's mistake, reported there.
    let dir = tempdir("image-null");
    std::fs::write(
        dir.join("n.mcp.yaml"),
        "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {name: n}\nspec:\n  image: ghcr.io/acme/n:1.0.0\n  environments:\n    dev:\n      spec: {image: null}\n",
    )
    .unwrap();
    let o = run_in(&dir, &["check", "n.mcp.yaml", "--format", "json"]);
    let diags = json(&o)["diagnostics"].as_array().unwrap().clone();
    let missing: Vec<&Value> = diags.iter().filter(|d| d["code"] == "MCP011").collect();
    assert_eq!(missing.len(), 1, "{diags:#?}");
    assert_eq!(missing[0]["environment"], "dev");
}

/// A credential in a spec (MCP401) reaches code scanning as a security alert: its SARIF rule
/// carries the `security` tag and a `security-severity` GitHub ranks as high.
#[test]
fn hardcoded_secrets_are_security_alerts_in_sarif() {
    let spec = root().join("fixtures/hostile/secret-github-token-in-env/service.yaml");
    let o = mcpgen(&["check", "--format", "sarif", spec.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let sarif = json(&o);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let rule = rules
        .iter()
        .find(|r| r["id"] == "MCP401")
        .unwrap_or_else(|| panic!("no MCP401 rule: {rules:#?}"));
    let tags = rule["properties"]["tags"].as_array().expect("tags");
    assert!(tags.iter().any(|t| t == "security"), "{rule}");
    let severity: f64 = rule["properties"]["security-severity"]
        .as_str()
        .expect("security-severity")
        .parse()
        .expect("a number");
    assert!((7.0..9.0).contains(&severity), "{rule}");
}
