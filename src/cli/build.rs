//! `mcpgen build SPEC... -o DIR`: check the specs, compile each selected environment with the
//! selected targets, then write the trees atomically, compare them (`--check`) or print the
//! Kubernetes objects (`--stdout`).
//!
//! Nothing is written unless every check passed and every target compiled: findings at error
//! level end the run with exit 1 before any file is touched, I/O failures with exit 2.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::check::Checked;
use crate::cli::check::{PolicyArgs, gate, render_findings};
use crate::cli::{Outcome, fail, print};
use crate::compile::{CompileError, emitters};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{Diagnostic, Level, Sink, codes};
use crate::model::Model;
use crate::write::{self, Tree};

/// Arguments of `build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files (YAML, or KDL with a `.kdl` extension).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output directory. Each environment goes to `DIR/<env>/` (`DIR/<name>/<env>/` when several
    /// specs are built at once).
    #[arg(short, long, value_name = "DIR", required_unless_present = "stdout")]
    pub output: Option<PathBuf>,
    /// Build only this environment. Without it, every environment the spec defines is built,
    /// or the base spec (as `base`) when it defines none.
    #[arg(long, value_name = "NAME", conflicts_with = "all_envs")]
    pub env: Option<String>,
    /// Build the base spec (as `base`) and every environment.
    #[arg(long)]
    pub all_envs: bool,
    /// Targets to build, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_name = "TARGET")]
    pub target: Vec<String>,
    /// Do not write: compare with the files in DIR and exit 1 with a unified diff on drift.
    #[arg(long, conflicts_with = "stdout")]
    pub check: bool,
    /// Do not write: print the Kubernetes objects as one multi-document YAML stream.
    #[arg(long)]
    pub stdout: bool,
    /// Output format of findings and the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Run `build`.
pub fn run(args: Args) -> Outcome {
    let all = emitters();
    let known: Vec<&str> = all.iter().map(|e| e.name()).collect();
    for t in &args.target {
        if !known.contains(&t.as_str()) {
            fail(&format!(
                "unknown target `{t}` (known: {})",
                known.join(", ")
            ));
            return Outcome::Failure;
        }
    }
    let selected: Vec<_> = all
        .into_iter()
        .filter(|e| args.target.is_empty() || args.target.iter().any(|t| t == e.name()))
        .collect();

    let mut result = crate::check::run(&args.files, args.env.as_deref());
    // The same gate as `check`: validation, policies, configuration and exceptions.
    let gate = gate(&mut result, &args.files, &args.policy);
    let mut diags = gate.diagnostics;
    let failures = gate.failures;
    let failed = !failures.is_empty();
    let has_error = diags
        .iter()
        .any(|d| d.level == Level::Error && d.suppressed.is_none());

    let mut trees = Vec::new();
    if !failed && !has_error {
        let several = result.files.len() > 1;
        for checked in &result.files {
            for spec in select(checked, &args) {
                let name = file_name(checked);
                let model = Model::from_spec_named(spec, &name);
                let env = spec.env().unwrap_or("base");
                let root = if several {
                    format!("{}/{env}", model.name)
                } else {
                    env.to_string()
                };
                let mut files = BTreeMap::new();
                for e in &selected {
                    match e.emit(&model) {
                        Ok(arts) => {
                            for a in arts {
                                files.insert(a.path, a.contents);
                            }
                        }
                        Err(CompileError::Unsupported {
                            pointer,
                            message,
                            help,
                        }) => {
                            let mut d = Diagnostic::new(&codes::OUTPUT_UNSUPPORTED, message)
                                .at_pointer(pointer.clone())
                                .in_environment(spec.env());
                            if let Some(doc) = &checked.doc {
                                let (span, _) = doc.locate(spec.env(), &pointer);
                                d = d.with_label(
                                    span,
                                    format!("cannot build target `{}`", e.name()),
                                );
                            }
                            if let Some(h) = help {
                                d = d.with_help(h);
                            }
                            // Several targets refuse the same field: report it once.
                            let seen = diags.iter().any(|x| {
                                x.code == d.code
                                    && x.pointer == d.pointer
                                    && x.environment == d.environment
                            });
                            if !seen {
                                diags.push(d);
                            }
                        }
                        Err(other) => {
                            fail(&other.to_string());
                            return Outcome::Failure;
                        }
                    }
                }
                if trees.iter().any(|t: &Tree| t.root == root) {
                    fail(&format!(
                        "two specs would both write to `{root}`: give them different \
                         metadata.name values"
                    ));
                    return Outcome::Failure;
                }
                trees.push(Tree { root, files });
            }
        }
    }

    let mut sink = Sink::new();
    sink.extend(diags);
    let diags = sink.finish(&result.sources);
    let has_error = diags
        .iter()
        .any(|d| d.level == Level::Error && d.suppressed.is_none());
    // Human findings are printed now; in JSON one report object carries the findings and
    // what was written (or the drift), printed once at the end.
    let mut report = Report {
        json: match args.format {
            Format::Json => Some(render::json::value(
                &diags,
                &result.sources,
                args.files.len(),
            )),
            _ => None,
        },
        to_stderr: args.stdout,
        notes_to_stderr: !matches!(args.format, Format::Json | Format::Human),
    };
    // Other formats print the findings alone (SARIF, JUnit and annotations always, so the CI
    // step that reads them gets a document even when the build is clean).
    let findings_only = report.notes_to_stderr;
    if findings_only || (report.json.is_none() && !diags.is_empty()) {
        let rendered = render_findings(
            args.format,
            &diags,
            &result.sources,
            &args.files,
            &gate.catalog,
        );
        if args.stdout {
            eprint!("{rendered}");
        } else {
            print(&rendered);
        }
    }
    for f in &failures {
        fail(f);
    }
    if failed {
        report.finish(None);
        return Outcome::Failure;
    }
    if has_error {
        report.finish(None);
        fail("nothing written: fix the errors above first");
        return Outcome::Findings;
    }

    if let Err(e) = write::validate(&trees) {
        report.finish(None);
        fail(&e.to_string());
        return Outcome::Failure;
    }
    if args.stdout {
        print(&stream(&trees));
        report.finish(None);
        return Outcome::Clean;
    }
    let Some(out) = args.output.as_deref() else {
        fail("no output directory (-o DIR)");
        return Outcome::Failure;
    };
    if args.check {
        return match write::check(out, &trees) {
            Err(e) => {
                report.finish(None);
                fail(&e.to_string());
                Outcome::Failure
            }
            Ok(drift) => {
                report_drift(&drift, &mut report);
                if drift.is_empty() {
                    Outcome::Clean
                } else {
                    Outcome::Findings
                }
            }
        };
    }
    if let Err(e) = write::write(out, &trees) {
        report.finish(None);
        fail(&e.to_string());
        return Outcome::Failure;
    }
    report_written(out, &trees, &mut report);
    Outcome::Clean
}

/// The JSON report under construction (`None` in human mode).
struct Report {
    json: Option<serde_json::Value>,
    to_stderr: bool,
    /// The findings format owns stdout (SARIF, JUnit, annotations): what was written or the
    /// drift goes to stderr.
    notes_to_stderr: bool,
}

impl Report {
    /// Print a human note (what was written, the drift).
    fn note(&self, text: &str) {
        if self.notes_to_stderr {
            eprint!("{text}");
        } else {
            print(text);
        }
    }

    /// Print the JSON report with one more section, if in JSON mode.
    fn finish(&mut self, section: Option<(&str, serde_json::Value)>) {
        let Some(mut v) = self.json.take() else {
            return;
        };
        if let (Some((key, value)), Some(obj)) = (section, v.as_object_mut()) {
            obj.insert(key.to_string(), value);
        }
        let text = format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default());
        if self.to_stderr {
            eprint!("{text}");
        } else {
            print(&text);
        }
    }
}

/// The variants to build for one file.
fn select<'a>(checked: &'a Checked, args: &Args) -> Vec<&'a crate::spec::Spec> {
    if args.env.is_some() || args.all_envs {
        return checked.specs.iter().collect();
    }
    let envs: Vec<_> = checked.specs.iter().filter(|s| s.env().is_some()).collect();
    if envs.is_empty() {
        checked.specs.iter().collect()
    } else {
        envs
    }
}

fn file_name(checked: &Checked) -> String {
    checked
        .path
        .file_name()
        .map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Kubernetes objects of every tree as one stream, each file introduced by a `# Source:` line.
fn stream(trees: &[Tree]) -> String {
    let mut out = String::new();
    for t in trees {
        for (path, text) in &t.files {
            let kube = path.starts_with("k8s/")
                || path.strip_prefix("monitoring/").is_some_and(|name| {
                    crate::compile::monitoring::KUBERNETES_OBJECTS.contains(&name)
                });
            if !kube || !path.ends_with(".yaml") || path.ends_with("kustomization.yaml") {
                continue;
            }
            out.push_str("---\n");
            out.push_str(&format!("# Source: {}/{path}\n", t.root));
            out.push_str(text);
        }
    }
    out
}

fn report_drift(drift: &[write::Drift], report: &mut Report) {
    if report.json.is_some() {
        let items: Vec<_> = drift
            .iter()
            .map(|d| {
                serde_json::json!({
                    "code": codes::OUTPUT_DRIFT.code,
                    "path": d.path,
                    "diff": d.diff,
                })
            })
            .collect();
        report.finish(Some(("drift", serde_json::Value::Array(items))));
        return;
    }
    let mut out = String::new();
    for d in drift {
        out.push_str(&d.diff);
    }
    if drift.is_empty() {
        if !crate::cli::quiet() {
            out.push_str("up to date\n");
        }
    } else {
        out.push_str(&format!(
            "{} {} out of date ({}: {})\n",
            drift.len(),
            if drift.len() == 1 {
                "file is"
            } else {
                "files are"
            },
            codes::OUTPUT_DRIFT.code,
            codes::OUTPUT_DRIFT.help.unwrap_or(""),
        ));
    }
    report.note(&out);
}

fn report_written(out: &std::path::Path, trees: &[Tree], report: &mut Report) {
    if report.json.is_some() {
        let items: Vec<_> = trees
            .iter()
            .map(|t| {
                serde_json::json!({
                    "directory": out.join(&t.root).display().to_string(),
                    "files": t.files.keys().collect::<Vec<_>>(),
                })
            })
            .collect();
        report.finish(Some(("written", serde_json::Value::Array(items))));
        return;
    }
    let mut s = String::new();
    for t in trees.iter().filter(|_| !crate::cli::quiet()) {
        s.push_str(&format!(
            "wrote {} files to {}\n",
            t.files.len(),
            out.join(&t.root).display()
        ));
    }
    report.note(&s);
}
