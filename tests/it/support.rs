//! Helpers shared by every test module of both tiers: running the binary the way users do,
//! scratch directories, reading generated trees, and the monitoring outputs of the fixtures.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpgen::compile::monitoring::MonitoringEmitter;
use mcpgen::compile::{Artifact, Emitter};
use mcpgen::model::Model;
use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_mcpgen");

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<name>/service.yaml`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name).join("service.yaml")
}

/// The vendored third-party schemas (CRDs, Grafana).
pub fn schemas() -> PathBuf {
    root().join("tests/data/schemas-thirdparty")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh empty directory under the system temp dir, unique per call.
pub fn tempdir(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("mcpgen-test-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// The binary in `dir` with a fixed environment: no colour, 100 columns, a fixed date.
pub fn command_in(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("MCPGEN_TODAY", "2026-06-01");
    c
}

/// Run the binary from the repository root.
pub fn mcpgen(args: &[&str]) -> Output {
    mcpgen_in(&root(), args)
}

/// Run the binary from `dir`.
pub fn mcpgen_in(dir: &Path, args: &[&str]) -> Output {
    command_in(dir).args(args).output().expect("run mcpgen")
}

/// The exit code (-1 when killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

/// The directory of one environment of the only spec built into `out`:
/// `out/<metadata.name>/<env>`.
pub fn env_dir(out: &Path, env: &str) -> PathBuf {
    let names: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("output directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "one spec built into {}: {names:?}",
        out.display()
    );
    names[0].join(env)
}

/// Every file under `dir`, relative `/`-separated path → contents.
pub fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).expect("read file"));
            }
        }
    }
    out
}

/// Build one fixture with every environment (`--all-envs`) into a fresh directory; the files
/// of each environment by `<env>/<path>` (below `DIR/<metadata.name>/`).
pub fn build_all_envs(case: &str) -> BTreeMap<String, String> {
    let out = tempdir(case);
    let o = mcpgen(&[
        "build",
        fixture(case).to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--all-envs",
    ]);
    assert_eq!(code(&o), 0, "{case}: {}\n{}", stdout(&o), stderr(&o));
    let tree = read_tree(&out);
    let _ = std::fs::remove_dir_all(&out);
    tree.into_iter()
        .map(|(k, v)| {
            (
                k.split_once('/').map_or(k.clone(), |(_, p)| p.to_string()),
                v,
            )
        })
        .collect()
}

/// Parse generated YAML with mcpgen's own reader (YAML 1.2).
pub fn parse_yaml(text: &str) -> Value {
    let file = mcpgen::source::SourceFile::new("artifact.yaml", text);
    mcpgen::spec::yaml::parse(mcpgen::source::SourceId(0), &file)
        .map(|d| d.value)
        .unwrap_or_else(|_| panic!("generated YAML parses:\n{text}"))
}

/// The fixtures whose monitoring outputs the tests check: the shared reference and minimal
/// specs, and one spec that tunes every monitoring setting.
pub const MONITORING_FIXTURES: &[&str] =
    &["reference", "minimal", "monitoring-tuned", "reference-otel"];

/// One environment's monitoring artifacts.
pub struct MonitoringOutput {
    /// The fixture.
    pub case: &'static str,
    /// The environment (`base` for the base spec).
    pub env: String,
    /// The artifacts.
    pub artifacts: Vec<Artifact>,
}

impl MonitoringOutput {
    /// Whether the output has `monitoring/<name>`.
    pub fn has(&self, name: &str) -> bool {
        let path = format!("monitoring/{name}");
        self.artifacts.iter().any(|a| a.path == path)
    }

    /// The contents of `monitoring/<name>`.
    pub fn file(&self, name: &str) -> &str {
        let path = format!("monitoring/{name}");
        &self
            .artifacts
            .iter()
            .find(|a| a.path == path)
            .unwrap_or_else(|| panic!("{} {}: no {path}", self.case, self.env))
            .contents
    }

    /// Write the output into a fresh directory of its own (tests run in parallel) and return
    /// its `monitoring/` folder.
    pub fn write(&self, test: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("monitoring")
            .join(test)
            .join(self.case)
            .join(&self.env);
        let _ = std::fs::remove_dir_all(&dir);
        for a in &self.artifacts {
            let path = dir.join(&a.path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &a.contents).expect("write artifact");
        }
        dir.join("monitoring")
    }
}

/// The monitoring artifacts of every environment of [`MONITORING_FIXTURES`], through the
/// library (check, resolve, Model, emitter).
pub fn monitoring_outputs() -> Vec<MonitoringOutput> {
    let mut out = Vec::new();
    for case in MONITORING_FIXTURES {
        let run = mcpgen::pipeline::check_paths(&[fixture(case)], &Default::default());
        assert!(run.failures.is_empty(), "{:?}", run.failures);
        let file = run.files.first().expect("one checked file");
        assert!(!file.variants.is_empty(), "fixture {case} did not validate");
        for v in &file.variants {
            let model = Model::new(&v.resolved, "service.yaml");
            let artifacts = MonitoringEmitter.emit(&model).expect("monitoring emits");
            out.push(MonitoringOutput {
                case,
                env: v.spec.env().unwrap_or("base").to_string(),
                artifacts,
            });
        }
    }
    out
}

/// [`MonitoringOutput::has`] as a function.
pub fn has(o: &MonitoringOutput, name: &str) -> bool {
    o.has(name)
}

/// [`MonitoringOutput::file`] as a function.
pub fn file<'a>(o: &'a MonitoringOutput, name: &str) -> &'a str {
    o.file(name)
}

/// [`MonitoringOutput::write`] as a function.
pub fn write(o: &MonitoringOutput, test: &str) -> PathBuf {
    o.write(test)
}

/// The alerting rules of an output, by alert name.
pub fn alerts_of(o: &MonitoringOutput) -> BTreeMap<String, Value> {
    let rules = parse_yaml(file(o, "rules.yaml"));
    let mut out = BTreeMap::new();
    for g in rules["groups"].as_array().expect("groups") {
        for r in g["rules"].as_array().expect("rules") {
            // Recording rules have `record` instead.
            if let Some(name) = r["alert"].as_str() {
                out.insert(name.to_string(), r.clone());
            }
        }
    }
    out
}

/// The metric names a PromQL expression selects (every mcpgen selector has braces).
pub fn metric_names(expr: &str) -> Vec<String> {
    let re = regex::Regex::new(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{").expect("regex");
    let mut out: Vec<String> = re
        .captures_iter(expr)
        .map(|c| c[1].to_string())
        // `by (…) (` and `on (…)` never precede a brace; label names inside braces do not
        // either, so every capture is a metric name.
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The metrics contract of one fixture environment, through the library.
pub fn contract_of(case: &str, env: &str) -> mcpgen::model::contract::MetricsContract {
    let run = mcpgen::pipeline::check_paths(&[fixture(case)], &Default::default());
    let variant = run.files[0]
        .variants
        .iter()
        .find(|v| v.spec.env().unwrap_or("base") == env)
        .expect("variant");
    Model::new(&variant.resolved, "service.yaml").metrics
}
