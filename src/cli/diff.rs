//! `mcpgen diff SPEC A B`: what differs between the outputs of two environments of one spec
//! (`base` names the spec without overlay), as a unified diff per file, after both pass the
//! gate of `check`. Exit 0 when the outputs are identical, 1 when they differ, 2 when mcpgen
//! cannot build them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::cli::check::{PolicyArgs, render_findings, report_failures};
use crate::cli::{Outcome, fail, print};
use crate::diagnostics::render::Format;
use crate::pipeline::{self, BuildOptions};

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    pub file: PathBuf,
    /// The first environment (`base` for the spec without overlay).
    pub from: String,
    /// The second environment.
    pub to: String,
    /// Targets to compare, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_name = "TARGET")]
    pub target: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Run `diff`.
pub fn run(args: Args) -> Outcome {
    let files = vec![args.file.clone()];
    let mut report = pipeline::check_paths(&files, &args.policy.options(None));
    if !report.failures.is_empty() || report.has_errors() {
        print(&render_findings(Format::Human, &report, &files));
        report_failures(&report);
        if report.failures.is_empty() {
            fail("nothing compared: fix the errors above first");
            return Outcome::Findings;
        }
        return Outcome::Failure;
    }
    let opts = BuildOptions {
        targets: args.target.clone(),
        all_envs: true,
        out_dir: None,
    };
    let built = match pipeline::build(&report, &opts) {
        Ok(b) => b,
        Err(e) => {
            fail(&e.to_string());
            return Outcome::Failure;
        }
    };
    report.add(built.diagnostics);
    if report.has_errors() {
        print(&render_findings(Format::Human, &report, &files));
        fail("nothing compared: fix the errors above first");
        return Outcome::Findings;
    }
    let tree = |env: &str| {
        built
            .plans
            .iter()
            .zip(&built.trees)
            .find(|(p, _)| p.environment.as_deref().unwrap_or("base") == env)
            .map(|(_, t)| t)
    };
    let (Some(a), Some(b)) = (tree(&args.from), tree(&args.to)) else {
        let mut known: Vec<String> = built
            .plans
            .iter()
            .map(|p| p.environment.clone().unwrap_or_else(|| "base".into()))
            .collect();
        known.sort();
        fail(&format!(
            "{}: compare two of its environments: {}",
            args.file.display(),
            known.join(", ")
        ));
        return Outcome::Failure;
    };
    let paths: BTreeSet<&String> = a.files.keys().chain(b.files.keys()).collect();
    let mut out = String::new();
    let mut differ = 0;
    for path in paths {
        let (old, new) = (a.files.get(path), b.files.get(path));
        if old == new {
            continue;
        }
        differ += 1;
        let header = |env: &str, side: &str, present: bool| {
            if present {
                format!("{side}/{env}/{path}")
            } else {
                "/dev/null".to_string()
            }
        };
        out.push_str(
            &similar::TextDiff::from_lines(
                old.map_or("", String::as_str),
                new.map_or("", String::as_str),
            )
            .unified_diff()
            .context_radius(3)
            .header(
                &header(&args.from, "a", old.is_some()),
                &header(&args.to, "b", new.is_some()),
            )
            .to_string(),
        );
    }
    if differ == 0 {
        out.push_str(&format!(
            "the outputs of {} and {} are identical\n",
            args.from, args.to
        ));
    } else {
        out.push_str(&format!(
            "{differ} {} differ between {} and {}\n",
            if differ == 1 { "file" } else { "files" },
            args.from,
            args.to
        ));
    }
    // The outputs carry spec text: no escape sequence reaches the terminal (as for
    // `build --check`).
    print(&crate::diagnostics::render::sanitize_text(&out));
    if differ == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    }
}
