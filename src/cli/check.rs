//! `mcpgen check FILE...`: validate specs and report every finding at once.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, print, stdout_style};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{Level, Sink};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files (YAML, or KDL with a `.kdl` extension).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Check only this environment (its overlay merged over the base). Without it, the base
    /// and every environment are checked.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub fail_on_warn: bool,
}

/// Run `check`.
pub fn run(args: Args) -> Outcome {
    let result = crate::check::run(&args.files, args.env.as_deref());
    let mut sink = Sink::new();
    sink.extend(result.diagnostics);
    let diags = sink.finish(&result.sources);
    let files = args.files.len();
    let rendered = match args.format {
        Format::Human => render::human::render(&diags, &result.sources, files, stdout_style()),
        Format::Json => render::json::render(&diags, &result.sources, files),
    };
    print(&rendered);
    for f in &result.failures {
        fail(f);
    }
    outcome(&diags, !result.failures.is_empty(), args.fail_on_warn)
}

/// The exit outcome for a set of findings.
pub fn outcome(
    diags: &[crate::diagnostics::Diagnostic],
    failed: bool,
    fail_on_warn: bool,
) -> Outcome {
    if failed {
        return Outcome::Failure;
    }
    let failing = diags.iter().any(|d| {
        d.suppressed.is_none()
            && (d.level == Level::Error || (fail_on_warn && d.level == Level::Warning))
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
