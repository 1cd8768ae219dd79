//! `mcpgen fix SPEC... [--write]`: check the specs, then show (or apply) the mechanical fixes
//! of `crate::fix` as a unified diff.
//!
//! Without `--write` nothing is written and the exit code is 1 when there is something to fix
//! (so a CI step can insist on it), 0 otherwise. With `--write` each file is replaced
//! atomically (a temporary sibling renamed over it) and only after its fixed text parsed again.
//! Exit 2 when mcpgen could not do its job.

use std::path::{Path, PathBuf};

use crate::cli::check::PolicyArgs;
use crate::cli::{Outcome, fail, note, print};
use crate::fix;
use crate::pipeline::{self, Input};
use crate::source::SourceFile;
use crate::spec::{self, Syntax};

/// Arguments of `fix`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files (YAML; KDL specs are checked but not edited).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write the fixes into the files instead of printing the diff.
    #[arg(long)]
    pub write: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// How many check-and-fix rounds a file gets: a fix can unblock a later check (a schema
/// error hides the policy findings until it is fixed), so fixes are planned again on the fixed
/// text until nothing is left to do.
const ROUNDS: usize = 4;

/// Run `fix`.
pub fn run(args: Args) -> Outcome {
    let mut pending = 0;
    for path in &args.files {
        let name = path.display().to_string();
        if Syntax::for_path(path) == Syntax::Kdl {
            note(&format!(
                "{name}: KDL specs are not edited; apply the help lines of `mcpgen check` by hand\n"
            ));
            continue;
        }
        // Read as `check` reads a spec: a regular file within the size bound, a symbolic link
        // only when it stays inside its repository.
        let original =
            match crate::source::read_input_text(path, crate::limits::MAX_SPEC_BYTES, None) {
                Ok(t) => t,
                Err(e) => {
                    fail(&e.to_string());
                    return Outcome::Failure;
                }
            };
        let mut text = original.clone();
        let mut done: Vec<fix::Fix> = Vec::new();
        for _ in 0..ROUNDS {
            // The findings of `check` on the current text, with the same policies, levels and
            // exceptions (the configuration is found from the file's path).
            let report = pipeline::check(
                &[Input::Edited {
                    path: path.clone(),
                    text: text.clone(),
                }],
                &args.policy.options(None),
            );
            if !report.failures.is_empty() {
                for f in &report.failures {
                    fail(&f.to_string());
                }
                return Outcome::Failure;
            }
            let Some(doc) = report.files.first().and_then(|c| c.doc.as_ref()) else {
                if done.is_empty() {
                    fail(&format!("{name}: does not parse; `mcpgen check` shows why"));
                    return Outcome::Failure;
                }
                break;
            };
            let diags = &report.diagnostics;
            let base = report.files[0]
                .variants
                .iter()
                .find(|v| v.resolved.env.is_none())
                .map(|v| &v.resolved);
            let fixes = fix::plan(doc, &text, diags, base);
            if fixes.is_empty() {
                break;
            }
            let fixed = match fix::apply(&text, &fixes) {
                Ok(t) => t,
                Err(e) => {
                    fail(&format!("{name}: {e}"));
                    return Outcome::Failure;
                }
            };
            // A fix must never break the file: parse it again before going on.
            let reparsed = SourceFile::new(name.clone(), fixed.clone());
            if spec::parse(doc.source, &reparsed, Syntax::Yaml).is_err() {
                fail(&format!(
                    "{name}: the fixed text does not parse; nothing written (this is a bug in mcpgen)"
                ));
                return Outcome::Failure;
            }
            text = fixed;
            done.extend(fixes);
        }
        if done.is_empty() {
            continue;
        }
        let titles: String = done
            .iter()
            .map(|f| format!("  {}: {}\n", f.code, f.title))
            .collect();
        if args.write {
            if let Err(e) = replace(path, &text) {
                fail(&format!("cannot write {name}: {e}"));
                return Outcome::Failure;
            }
            note(&format!("fixed {name} ({}):\n{titles}", plural(done.len())));
        } else {
            pending += done.len();
            let diff = similar::TextDiff::from_lines(original.as_str(), text.as_str())
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            print(&crate::diagnostics::render::sanitize_text(&diff));
            note(&format!(
                "{name}: {} (run with --write to apply):\n{titles}",
                plural(done.len())
            ));
        }
    }
    if pending > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn plural(n: usize) -> String {
    format!("{n} fix{}", if n == 1 { "" } else { "es" })
}

/// Replace a file's content atomically, keeping its permissions.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let name = path
        .file_name()
        .map_or_else(|| "spec".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir
        .unwrap_or(Path::new("."))
        .join(format!(".{name}.mcpgen-fix-{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
