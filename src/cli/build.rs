//! `mcpgen build SPEC... -o DIR`: parse the flags, run [`crate::pipeline::check`] and
//! [`crate::pipeline::build`], then write the trees atomically, compare them (`--check`) or print
//! the Kubernetes objects (`--stdout`).
//!
//! Nothing is written unless every check passed and every target compiled: findings at error
//! level end the run with exit 1 before any file is touched, I/O failures with exit 2.

use std::path::PathBuf;

use crate::cli::check::{PolicyArgs, inputs, render_findings, report_failures};
use crate::cli::{Outcome, fail, print};
use crate::diagnostics::codes;
use crate::diagnostics::render::{self, Format};
use crate::pipeline::{self, BuildOptions, Plan};
use crate::write::{self, Tree};

/// Arguments of `build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files (YAML, or KDL with a `.kdl` extension).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output directory. Each environment of each spec goes to `DIR/<metadata.name>/<env>/`
    /// (`base` for the base spec), however many specs are built at once.
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
    #[arg(long, conflicts_with_all = ["stdout", "dry_run"])]
    pub check: bool,
    /// Do not write: list the files a build would add, change and remove in DIR.
    #[arg(long, alias = "plan", conflicts_with = "stdout")]
    pub dry_run: bool,
    /// Do not write: print one environment's Kubernetes objects as one multi-document YAML
    /// stream, in the order kustomize applies them (needs `--env` when a spec defines several
    /// environments).
    #[arg(long)]
    pub stdout: bool,
    /// Output format of findings and the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Run `build`.
pub fn run(mut args: Args) -> Outcome {
    let Some(files) = inputs(&args.files) else {
        return Outcome::Failure;
    };
    args.files = files;
    let mut report = pipeline::check_paths(&args.files, &args.policy.options(args.env.as_deref()));
    // Each tree goes to disk (a temporary directory beside its target) or is compared with it
    // as soon as it is built, and is then dropped: memory does not grow with the number of
    // specs' outputs. Nothing under the output directory changes before the commit below.
    let mut output = Output {
        dir: args.output.clone(),
        targets: args.target.clone(),
        mode: if args.stdout {
            Mode::Stream
        } else if args.check || args.dry_run {
            Mode::Compare(Vec::new())
        } else {
            Mode::Write(args.output.as_deref().map(write::Staging::new))
        },
        trees: Vec::new(),
        error: None,
    };
    // The same gate as `check`; nothing is built while an error-level finding remains.
    let built = if report.failures.is_empty() && !report.has_errors() {
        let opts = BuildOptions {
            targets: args.target.clone(),
            all_envs: args.all_envs,
            out_dir: args.output.as_ref().map(|o| o.display().to_string()),
        };
        let _t = crate::timing::span("build (all variants, written as built)");
        match pipeline::build_each(&report, &opts, args.stdout, &mut |t| output.take(t)) {
            Ok(b) => Some(b),
            Err(e) => {
                report.failures.push(e);
                None
            }
        }
    } else {
        None
    };
    let plans = match built {
        Some(b) => {
            report.add(b.diagnostics);
            b.plans
        }
        None => Vec::new(),
    };
    let Output {
        mode, trees, error, ..
    } = output;
    // A stream of several environments would apply each one over the previous: the same
    // objects, one silently replacing the other.
    if args.stdout && args.env.is_none() {
        let mut envs: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for p in &plans {
            envs.entry(p.file.as_str())
                .or_default()
                .push(p.environment.clone().unwrap_or_else(|| "base".to_string()));
        }
        if let Some((file, names)) = envs.iter().find(|(_, n)| n.len() > 1) {
            report.failures.push(pipeline::Failure::Overlap(format!(
                "--stdout prints one environment, and {file} builds {}: add --env NAME",
                names.join(", ")
            )));
        }
    }
    let failed = !report.failures.is_empty();
    let has_error = report.has_errors();

    // Human findings are printed now; in JSON one report object carries the findings and
    // what was written (or the drift), printed once at the end.
    let mut out = Report {
        json: match args.format {
            Format::Json => {
                let mut v =
                    render::json::value(&report.diagnostics, &report.sources, args.files.len());
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("builds".into(), describe(&plans));
                }
                Some(v)
            }
            _ => None,
        },
        to_stderr: args.stdout,
        notes_to_stderr: !matches!(args.format, Format::Json | Format::Human),
    };
    // Other formats print the findings alone (SARIF, JUnit and annotations always, so the CI
    // step that reads them gets a document even when the build is clean).
    let findings_only = out.notes_to_stderr;
    if findings_only || (out.json.is_none() && !report.diagnostics.is_empty()) {
        let rendered = render_findings(args.format, &report, &args.files);
        if args.stdout {
            eprint!("{rendered}");
        } else {
            print(&rendered);
        }
    }
    report_failures(&report);
    if failed {
        out.finish(None);
        return Outcome::Failure;
    }
    if has_error {
        out.finish(None);
        fail("nothing written: fix the errors above first");
        return Outcome::Findings;
    }

    if args.stdout {
        return match stream(&plans) {
            Ok(text) => {
                print(&text);
                out.finish(None);
                Outcome::Clean
            }
            Err(e) => {
                out.finish(None);
                fail(&e);
                Outcome::Failure
            }
        };
    }
    let Some(dir) = args.output.as_deref() else {
        fail("no output directory (-o DIR)");
        return Outcome::Failure;
    };
    let (staging, drift) = match mode {
        Mode::Write(staging) => (staging, Vec::new()),
        Mode::Compare(drift) => (None, drift),
        Mode::Stream => (None, Vec::new()),
    };
    let committed = match staging {
        Some(staging) if error.is_none() => staging.commit(),
        _ => Ok(()),
    };
    if let Some(e) = error.or(committed.err()) {
        out.finish(None);
        fail(&e.to_string());
        return Outcome::Failure;
    }
    if args.dry_run {
        report_plan(&drift, &trees, &mut out);
        return Outcome::Clean;
    }
    if args.check {
        report_drift(&drift, &mut out);
        return if drift.is_empty() {
            Outcome::Clean
        } else {
            Outcome::Findings
        };
    }
    report_written(dir, &trees, &mut out);
    Outcome::Clean
}

/// What happens to each tree as soon as it is built.
enum Mode {
    /// `--stdout`: nothing (the objects are printed from the plans).
    Stream,
    /// `--check` and `--dry-run`: compared with the disk; the drift so far.
    Compare(Vec<write::Drift>),
    /// Staged for the write (no staging without an output directory).
    Write(Option<write::Staging>),
}

/// Where the trees of a build go, and what is kept of them: their directories and file names
/// (for the summary), not their contents.
struct Output {
    dir: Option<PathBuf>,
    targets: Vec<String>,
    mode: Mode,
    trees: Vec<Tree>,
    /// The first I/O error; later trees are skipped.
    error: Option<write::WriteError>,
}

impl Output {
    fn take(&mut self, tree: Tree) {
        let Some(dir) = self.dir.as_deref() else {
            return;
        };
        if self.error.is_some() {
            return;
        }
        let mut one = [tree];
        pipeline::keep_other_targets(dir, &mut one, &self.targets);
        let [tree] = one;
        let result = match &mut self.mode {
            Mode::Stream => Ok(()),
            Mode::Compare(drift) => write::check(dir, std::slice::from_ref(&tree)).map(|d| {
                drift.extend(d);
            }),
            Mode::Write(staging) => staging.as_mut().map_or(Ok(()), |s| s.stage(&tree)),
        };
        if let Err(e) = result {
            self.error = Some(e);
            return;
        }
        self.trees.push(Tree {
            root: tree.root,
            files: tree.files.into_keys().map(|k| (k, String::new())).collect(),
        });
    }
}

/// What a build would do, from the drift between disk and the trees: each file added, changed
/// or removed, and how many stay as they are.
fn report_plan(drift: &[write::Drift], trees: &[Tree], report: &mut Report) {
    let change = |d: &write::Drift| d.change.as_str();
    let total: usize = trees.iter().map(|t| t.files.len()).sum();
    if report.json.is_some() {
        let items: Vec<_> = drift
            .iter()
            .map(|d| serde_json::json!({"path": d.path, "change": change(d)}))
            .collect();
        report.finish(Some(("plan", serde_json::Value::Array(items))));
        return;
    }
    let mut out = String::new();
    for d in drift {
        let mark = match change(d) {
            "add" => '+',
            "remove" => '-',
            _ => '~',
        };
        // Paths found on disk are anyone's: no escape sequence reaches the terminal.
        out.push_str(&format!(
            "{mark} {}\n",
            crate::diagnostics::render::sanitize_line(&d.path)
        ));
    }
    let removed = drift.iter().filter(|d| change(d) == "remove").count();
    out.push_str(&format!(
        "{} to add, {} to change, {} to remove, {} unchanged (nothing written: --dry-run)\n",
        drift.iter().filter(|d| change(d) == "add").count(),
        drift.iter().filter(|d| change(d) == "change").count(),
        removed,
        total.saturating_sub(drift.len() - removed),
    ));
    report.note(&out);
}

/// What each built tree was built from: the file, the environment, the directory, and the
/// resolved spec (every default filled in) with the pointers mcpgen defaulted.
fn describe(plans: &[Plan]) -> serde_json::Value {
    serde_json::Value::Array(
        plans
            .iter()
            .map(|p| {
                serde_json::json!({
                    "file": p.file,
                    "environment": p.environment,
                    "root": p.root,
                    "resolved": p.resolved.file,
                    "defaulted": p.resolved.defaulted,
                })
            })
            .collect(),
    )
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
        let text = format!(
            "{}\n",
            crate::diagnostics::render::json_safe(
                serde_json::to_string_pretty(&v).expect("a JSON value always serializes")
            )
        );
        if self.to_stderr {
            eprint!("{text}");
        } else {
            print(&text);
        }
    }
}

/// The Kubernetes objects of every built environment as one stream, in the order kustomize
/// applies them (a Namespace first, then what lives in it; kinds kustomize does not order by
/// group and kind), each introduced by a `# Source:` line. Two objects with the same kind,
/// namespace and name are refused: `kubectl apply -f -` would apply the second over the first.
fn stream(plans: &[Plan]) -> Result<String, String> {
    let mut objects: Vec<(String, &crate::compile::Object)> = Vec::new();
    for p in plans {
        for a in &p.artifacts {
            if a.path.ends_with("kustomization.yaml") {
                continue;
            }
            for o in a.objects() {
                objects.push((format!("{}/{}", p.root, a.path), o));
            }
        }
    }
    objects.sort_by(|(pa, a), (pb, b)| crate::compile::apply_order(a, b).then(pa.cmp(pb)));
    for pair in objects.windows(2) {
        let ((pa, a), (pb, b)) = (&pair[0], &pair[1]);
        if a.key() == b.key() {
            return Err(format!(
                "{pa} and {pb} both hold {} `{}`{}: streamed together, the second replaces the first (MCP329)",
                a.kind(),
                a.name(),
                a.namespace()
                    .as_ref()
                    .map(|n| format!(" in namespace `{n}`"))
                    .unwrap_or_default()
            ));
        }
    }
    let mut out = String::new();
    for (source, o) in objects {
        out.push_str("---\n");
        out.push_str(&format!("# Source: {source}\n"));
        out.push_str(&o.yaml);
    }
    Ok(out)
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
        // The diff shows files anyone could commit: no escape sequences reach the terminal.
        out.push_str(&crate::diagnostics::render::sanitize_text(&d.diff));
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
