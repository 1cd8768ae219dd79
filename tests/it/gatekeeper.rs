//! Gatekeeper constraints on what mcpgen generates: the vendored gatekeeper-library's suites
//! run by `mcpgen gator verify`, `build` and `check` with `--constraints`, `mcpgen.toml` and
//! `--manifest-policy`, findings located at the spec line responsible, and mcpgen's own outputs
//! measured against the library's pod-security and general constraints.

use mcpgen::gatekeeper::{self, Object, Policy};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Output;

use super::support::*;

const REPOS_TEMPLATE: &str = "fixtures/gatekeeper-library/general/allowedrepos/template.yaml";
const REPOS_CONSTRAINT: &str = "fixtures/gatekeeper/allowed-repos/constraint.yaml";

/// Every case of every vendored suite passes, folder by folder.
#[test]
fn gatekeeper_library_suites_pass() {
    for (folder, cases) in [("general", 130), ("pod-security-policy", 140)] {
        let path = format!("fixtures/gatekeeper-library/{folder}");
        let o = mcpgen(&["gator", "verify", "--quiet", &path]);
        let out = stdout(&o);
        assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
        assert_eq!(
            out.lines().last(),
            Some(format!("{cases} passed, 0 failed").as_str()),
            "{out}"
        );
    }
}

#[test]
fn gator_verify_prints_each_case_and_fails_like_gator() {
    let dir = tempdir("verify");
    let lib = root().join("fixtures/gatekeeper-library/general/allowedrepos");
    std::fs::write(
        dir.join("suite.yaml"),
        format!(
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata: {{name: t}}\ntests:\n\
             - name: repos\n  template: {lib}/template.yaml\n  constraint: {lib}/samples/repo-must-be-openpolicyagent/constraint.yaml\n  cases:\n\
             \x20 - name: right\n    object: {lib}/samples/repo-must-be-openpolicyagent/example_disallowed_container.yaml\n    assertions: [{{violations: 1, message: \"^container\"}}]\n\
             \x20 - name: wrong\n    object: {lib}/samples/repo-must-be-openpolicyagent/example_allowed.yaml\n    assertions: [{{violations: yes}}]\n",
            lib = lib.display()
        ),
    )
    .expect("write suite");
    let suite = dir.join("suite.yaml");
    let o = mcpgen(&["gator", "verify", suite.to_str().expect("utf-8")]);
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}");
    assert!(
        out.contains("ok    ") && out.contains("repos/right"),
        "{out}"
    );
    assert!(
        out.contains("FAIL  ") && out.contains("repos/wrong"),
        "{out}"
    );
    assert!(out.contains("want at least 1, got 0 violations"), "{out}");
    assert!(out.ends_with("1 passed, 1 failed\n"), "{out}");

    // Unusable input: exit 2 with the location.
    std::fs::write(dir.join("broken.yaml"), "kind: Suite\ntests: [\n").expect("write");
    let broken = dir.join("broken.yaml");
    let o = mcpgen(&["gator", "verify", broken.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("broken.yaml:3:"), "{}", stderr(&o));
    let o = mcpgen(&["gator", "verify", "fixtures/no-such-dir"]);
    assert_eq!(code(&o), 2);
}

fn json_findings(o: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&stdout(o)).expect("JSON report");
    v["diagnostics"].as_array().cloned().unwrap_or_default()
}

/// The reference spec's registry is not allowed: `build` exits 1, writes nothing, and the
/// finding sits on the `image:` line, once for the base and both environments.
#[test]
fn a_violated_constraint_fails_build_at_the_image_line() {
    let out = tempdir("build-deny").join("out");
    let o = mcpgen(&[
        "build",
        "fixtures/reference/service.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--constraints",
        REPOS_TEMPLATE,
        "--constraints",
        REPOS_CONSTRAINT,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(!out.exists(), "nothing written");
    let found: Vec<_> = json_findings(&o)
        .into_iter()
        .filter(|d| d["code"] == "K8sAllowedRepos/repo-is-platform-mirror")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(d["level"], "error");
    assert_eq!(d["file"], "fixtures/reference/service.yaml");
    assert_eq!(d["region"]["startLine"], 18);
    assert_eq!(d["pointer"], "/spec/image");
    let msg = d["message"].as_str().expect("message");
    assert!(
        msg.contains("registry.company.com/mcp-server:v1.0.0")
            && msg.contains("k8s/deployment.yaml")
            && msg.contains("Deployment mcp-server, as the Pod it creates"),
        "{msg}"
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("expansion `expand-workloads`")),
        "{d:#?}"
    );

    // The human report shows the spec line.
    let o = mcpgen(&[
        "check",
        "fixtures/reference/service.yaml",
        "--constraints",
        REPOS_TEMPLATE,
        "--constraints",
        REPOS_CONSTRAINT,
    ]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert!(
        text.contains("18 │   image: registry.company.com/mcp-server:v1.0.0"),
        "{text}"
    );
    insta::assert_snapshot!("allowed_repos_check_human", text);
}

/// With `enforcementAction: warn` the build succeeds and reports a warning.
#[test]
fn a_warn_constraint_is_a_warning() {
    let dir = tempdir("build-warn");
    let text = std::fs::read_to_string(root().join(REPOS_CONSTRAINT)).expect("read");
    let warn = text.replace("spec:\n", "spec:\n  enforcementAction: warn\n");
    std::fs::write(dir.join("warn.yaml"), warn).expect("write");
    let out = dir.join("out");
    let constraint = dir.join("warn.yaml");
    let o = mcpgen(&[
        "build",
        "fixtures/reference/service.yaml",
        "-o",
        out.to_str().expect("utf-8"),
        "--constraints",
        REPOS_TEMPLATE,
        "--constraints",
        constraint.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        out.join("mcp-server/production/k8s/deployment.yaml")
            .is_file()
    );
    let text = stdout(&o);
    assert!(
        text.contains("⚠ container <server> has an invalid image repo"),
        "{text}"
    );
    assert!(text.contains("enforcementAction warn"), "{text}");
}

/// `constraints = [...]` in mcpgen.toml, and exceptions apply to constraint codes.
#[test]
fn constraints_from_the_configuration_obey_exceptions() {
    let dir = tempdir("config");
    std::fs::copy(
        root().join("fixtures/reference/service.yaml"),
        dir.join("service.yaml"),
    )
    .expect("copy spec");
    // Paths in mcpgen.toml stay below its directory (docs/security.md): the library's files
    // are copied there.
    std::fs::create_dir_all(dir.join("gatekeeper")).expect("mkdir");
    std::fs::copy(
        root().join(REPOS_TEMPLATE),
        dir.join("gatekeeper/template.yaml"),
    )
    .expect("copy template");
    std::fs::copy(
        root().join(REPOS_CONSTRAINT),
        dir.join("gatekeeper/constraint.yaml"),
    )
    .expect("copy constraint");
    let toml = "constraints = [\"gatekeeper/template.yaml\", \"gatekeeper/constraint.yaml\"]\n";
    std::fs::write(dir.join("mcpgen.toml"), toml).expect("write config");
    let spec = dir.join("service.yaml");
    let o = mcpgen(&["check", spec.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("K8sAllowedRepos/repo-is-platform-mirror"));

    std::fs::write(
        dir.join("mcpgen.toml"),
        format!(
            "{toml}\n[[exceptions]]\nrule = \"K8sAllowedRepos/repo-is-platform-mirror\"\npath = \"/spec/image\"\nreason = \"the mirror is being set up (PLAT-12)\"\n"
        ),
    )
    .expect("write config");
    let o = mcpgen(&["check", spec.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let found = json_findings(&o);
    assert!(
        !found
            .iter()
            .any(|d| d["code"] == "K8sAllowedRepos/repo-is-platform-mirror"
                && d["suppressed"].is_null()),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|d| d["code"] == "MCP901"),
        "the exception is used: {found:#?}"
    );

    // A constraint without its template cannot be used: exit 2.
    std::fs::write(
        dir.join("mcpgen.toml"),
        "constraints = [\"gatekeeper/constraint.yaml\"]\n",
    )
    .expect("write config");
    let o = mcpgen(&["check", spec.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("has no ConstraintTemplate defining kind K8sAllowedRepos"),
        "{}",
        stderr(&o)
    );
}

/// Conftest-style policies see each generated object; the finding is blamed on the field
/// whose removal clears it.
#[test]
fn manifest_policies_see_each_object() {
    let dir = tempdir("manifest");
    std::fs::write(
        dir.join("registry.rego"),
        "package main\n\ndeny contains msg if {\n  input.kind == \"Deployment\"\n  some c in input.spec.template.spec.containers\n  startswith(c.image, \"registry.company.com/\")\n  msg := sprintf(\"image %s comes from the old registry\", [c.image])\n}\n\nwarn_no_owner contains \"Services should carry an owner label\" if {\n  input.kind == \"Service\"\n  not input.metadata.labels.owner\n}\n",
    )
    .expect("write policy");
    let o = mcpgen(&[
        "check",
        "fixtures/reference/service.yaml",
        "--env",
        "production",
        "--manifest-policy",
        dir.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let found = json_findings(&o);
    let deny = found
        .iter()
        .find(|d| d["code"] == "main.deny")
        .expect("deny finding");
    assert_eq!(deny["region"]["startLine"], 18, "{deny:#?}");
    assert!(
        deny["message"]
            .as_str()
            .is_some_and(|m| m.contains("[k8s/deployment.yaml: Deployment mcp-server]"))
    );
    let warn = found
        .iter()
        .find(|d| d["code"] == "main.warn_no_owner")
        .expect("warn finding");
    assert_eq!(warn["level"], "warning");
}

/// A template with only CEL code is reported as not evaluated, never skipped in silence.
#[test]
fn cel_only_templates_are_reported_as_not_evaluated() {
    let dir = tempdir("cel");
    std::fs::write(
        dir.join("cel.yaml"),
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: k8sceldemo}\nspec:\n  crd: {spec: {names: {kind: K8sCelDemo}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n    - engine: K8sNativeValidation\n      source:\n        validations:\n        - expression: \"has(object.spec)\"\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sCelDemo\nmetadata: {name: pods-have-spec}\nspec:\n  match:\n    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]\n",
    )
    .expect("write");
    let path = dir.join("cel.yaml");
    let o = mcpgen(&[
        "check",
        "fixtures/minimal/service.yaml",
        "--constraints",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let found = json_findings(&o);
    let note = found
        .iter()
        .find(|d| d["code"] == "K8sCelDemo/pods-have-spec")
        .expect("a note");
    assert_eq!(note["level"], "note");
    assert!(
        note["message"]
            .as_str()
            .is_some_and(|m| m.contains("was not evaluated") && m.contains("CEL")),
        "{note:#?}"
    );
}

/// The generated Kubernetes objects of every variant (base and environments) of a spec.
fn outputs(spec: &str) -> Vec<(String, Vec<Object>)> {
    let run = mcpgen::pipeline::check_paths(&[root().join(spec)], &Default::default());
    assert!(run.failures.is_empty(), "{:?}", run.failures);
    let targets: Vec<_> = mcpgen::compile::emitters()
        .into_iter()
        .filter(|e| matches!(e.name(), "k8s" | "monitoring"))
        .collect();
    let mut out = Vec::new();
    for checked in &run.files {
        assert!(!checked.variants.is_empty(), "{spec} is valid");
        for v in &checked.variants {
            let s = &v.spec;
            let model = mcpgen::model::Model::new(&v.resolved, "service.yaml");
            let mut files = BTreeMap::new();
            for t in &targets {
                for a in t.emit(&model).expect("compiles") {
                    files.insert(a.path, a.contents);
                }
            }
            let objects = gatekeeper::provenance::objects(&files).expect("generated YAML parses");
            out.push((s.env().unwrap_or("base").to_string(), objects));
        }
    }
    out
}

/// mcpgen's outputs for the reference and minimal specs, in every environment, against the
/// library's pod-security sample constraints (restricted variants) and the general ones that
/// apply (fixtures/gatekeeper/library-bar). Every constraint must match something; the
/// violations must be exactly the known ones below, each reported to the lead.
#[test]
fn mcpgen_outputs_meet_the_library_bar() {
    let lib = root().join("fixtures/gatekeeper-library");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(lib.join("pod-security-policy"))
        .expect("vendored library")
        .filter_map(|e| e.ok().map(|e| e.path().join("template.yaml")))
        .filter(|p| p.is_file())
        .collect();
    for g in [
        "containerlimits",
        "containerrequests",
        "requiredprobes",
        "disallowedtags",
        "automount-serviceaccount-token",
        "httpsonly",
        "poddisruptionbudget",
        "horizontalpodautoscaler",
    ] {
        paths.push(lib.join("general").join(g).join("template.yaml"));
    }
    paths.sort();
    paths.push(root().join("fixtures/gatekeeper/library-bar/constraints.yaml"));
    let policy = Policy::load(&paths).expect("library loads");
    assert_eq!(policy.constraints.len(), 27);

    // Known violations (see docs/gatekeeper.md):
    // - K8sPSPFSGroup: mcpgen's fixed fsGroup 10001 is outside the sample's 1..1000 range.
    // - K8sPSPHostProbesLifecycle: the template's Rego fails (OPA and regorus alike: a
    //   function with several outputs) on any container with two different probes, which
    //   Gatekeeper's Rego engine turns into a denial; its CEL code would pass.
    let mut expected = BTreeSet::new();
    for (spec, envs) in [
        (
            "fixtures/reference/service.yaml",
            &["base", "production", "staging"][..],
        ),
        ("fixtures/minimal/service.yaml", &["base"][..]),
    ] {
        for env in envs {
            expected.insert((
                spec,
                env.to_string(),
                "K8sPSPFSGroup/psp-fsgroup".to_string(),
            ));
            expected.insert((
                spec,
                env.to_string(),
                "K8sPSPHostProbesLifecycle/psp-host-probes-lifecycle".to_string(),
            ));
        }
    }

    let mut found = BTreeSet::new();
    let mut matched: BTreeMap<String, usize> = BTreeMap::new();
    for spec in [
        "fixtures/reference/service.yaml",
        "fixtures/minimal/service.yaml",
    ] {
        for (env, objects) in outputs(spec) {
            let report = gatekeeper::review(&policy, &objects).expect("reviews");
            assert!(report.not_evaluated.is_empty());
            for (k, n) in report.matched {
                *matched.entry(k).or_default() += n;
            }
            for v in report.violations {
                found.insert((spec, env.clone(), v.code()));
            }
        }
    }
    let silent: Vec<_> = policy
        .constraints
        .iter()
        .map(|c| c.code())
        .filter(|c| !matched.contains_key(c))
        .collect();
    assert!(
        silent.is_empty(),
        "constraints that matched nothing: {silent:?}"
    );
    assert_eq!(found, expected);
}

/// Findings are located through the provenance table: a limit above the constraint's
/// maximum points at the spec's limit, a default at the field to set.
#[test]
fn provenance_points_at_the_responsible_field_or_names_the_default() {
    let dir = tempdir("provenance");
    std::fs::write(
        dir.join("limits.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sContainerLimits\nmetadata: {name: small-limits}\nspec:\n  match: {kinds: [{apiGroups: [\"\"], kinds: [Pod]}]}\n  parameters: {cpu: \"800m\", memory: \"4Gi\"}\n",
    )
    .expect("write");
    let limits = dir.join("limits.yaml");
    let template = "fixtures/gatekeeper-library/general/containerlimits/template.yaml";
    let run = |spec: &str| {
        mcpgen(&[
            "check",
            spec,
            "--constraints",
            template,
            "--constraints",
            limits.to_str().expect("utf-8"),
            "--format",
            "json",
        ])
    };
    // The reference spec asks for a 1000m cpu limit (line 54).
    let o = run("fixtures/reference/service.yaml");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let d = json_findings(&o)
        .into_iter()
        .find(|d| d["code"] == "K8sContainerLimits/small-limits")
        .expect("finding");
    assert_eq!(d["pointer"], "/spec/resources/limits/cpu", "{d:#?}");
    assert_eq!(d["region"]["startLine"], 54, "{d:#?}");

    // A spec without resources gets mcpgen's default limit; the label says so.
    let spec = dir.join("small.yaml");
    let text = std::fs::read_to_string(root().join("fixtures/minimal/service.yaml")).expect("read");
    std::fs::write(&spec, text).expect("write");
    std::fs::write(
        &limits,
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sContainerLimits\nmetadata: {name: small-limits}\nspec:\n  match: {kinds: [{apiGroups: [\"\"], kinds: [Pod]}]}\n  parameters: {cpu: \"200m\", memory: \"4Gi\"}\n",
    )
    .expect("write");
    let o = run(spec.to_str().expect("utf-8"));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let d = json_findings(&o)
        .into_iter()
        .find(|d| d["code"] == "K8sContainerLimits/small-limits")
        .expect("finding");
    assert_eq!(d["pointer"], "/spec/resources/limits/cpu", "{d:#?}");
    assert!(
        d["label"]
            .as_str()
            .is_some_and(|l| l.contains("mcpgen's default")),
        "{d:#?}"
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("set `/spec/resources/limits/cpu` in the spec")),
        "{d:#?}"
    );
}

/// A builtin regorus lacks is mcpgen's gap, not a violation: the run fails (exit 2) and says
/// which function; a template whose own logic fails is reported like Gatekeeper does.
#[test]
fn engine_gaps_fail_and_template_errors_are_violations() {
    let dir = tempdir("gaps");
    let template = |name: &str, kind: &str, body: &str| {
        format!(
            "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {{name: {name}}}\nspec:\n  crd: {{spec: {{names: {{kind: {kind}}}}}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package {name}\n      violation[{{\"msg\": msg}}] {{\n        {body}\n        msg := \"x\"\n      }}\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: {kind}\nmetadata: {{name: c}}\nspec:\n  match: {{kinds: [{{apiGroups: [\"apps\"], kinds: [Deployment]}}]}}\n"
        )
    };
    std::fs::write(
        dir.join("gap.yaml"),
        template(
            "gap",
            "K8sGap",
            "net.cidr_intersects(\"10.0.0.0/8\", \"10.1.0.0/16\")",
        ),
    )
    .expect("write");
    let gap = dir.join("gap.yaml");
    let o = mcpgen(&[
        "check",
        "fixtures/minimal/service.yaml",
        "--constraints",
        gap.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("could not find function net.cidr_intersects"),
        "{}",
        stderr(&o)
    );

    // A function with two different outputs for one input is an evaluation error in OPA
    // too; Gatekeeper's Rego driver turns it into a violation.
    std::fs::write(
        dir.join("conflict.yaml"),
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: conflict}\nspec:\n  crd: {spec: {names: {kind: K8sConflict}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package conflict\n      f(_) = 1 { true }\n      f(_) = 2 { true }\n      violation[{\"msg\": msg}] {\n        y := f(input.review.object.kind)\n        msg := sprintf(\"%v\", [y])\n      }\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sConflict\nmetadata: {name: c}\nspec:\n  match: {kinds: [{apiGroups: [apps], kinds: [Deployment]}]}\n",
    )
    .expect("write");
    let conflict = dir.join("conflict.yaml");
    let o = mcpgen(&[
        "check",
        "fixtures/minimal/service.yaml",
        "--constraints",
        conflict.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let found = json_findings(&o);
    let d = found
        .iter()
        .find(|d| d["code"] == "K8sConflict/c")
        .expect("a violation");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("functions must not produce multiple outputs")),
        "{d:#?}"
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("the template's Rego fails on this object")),
        "{d:#?}"
    );
}
