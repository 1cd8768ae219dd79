//! `mcpgen gator verify PATH...`: run Gatekeeper suite files with mcpgen's engine, like
//! `gator verify`: one line per case, then `N passed, M failed`.
//!
//! Exit 0 when every case passed, 1 when one failed, 2 when a path or suite file is unusable.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, print};
use crate::gatekeeper::verify::{self, Outcome as Case};

/// Arguments of `gator`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Run Gatekeeper suite files (`kind: Suite`); a directory is searched recursively.
    Verify(VerifyArgs),
}

/// Arguments of `gator verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Suite files or directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Run `gator`.
pub fn run(args: Args) -> Outcome {
    match args.command {
        Command::Verify(a) => run_verify(a),
    }
}

fn run_verify(args: VerifyArgs) -> Outcome {
    let mut suites = Vec::new();
    for p in &args.paths {
        match verify::find_suites(p) {
            Ok(s) => suites.extend(s),
            Err(e) => {
                fail(&e.to_string());
                return Outcome::Failure;
            }
        }
    }
    if suites.is_empty() {
        fail("no Gatekeeper suite file (kind: Suite) found");
        return Outcome::Failure;
    }
    let results = match verify::run(&suites) {
        Ok(r) => r,
        Err(e) => {
            fail(&e.to_string());
            return Outcome::Failure;
        }
    };
    // The global `-q/--quiet`: only failing cases and the summary.
    let quiet = crate::cli::quiet();
    let mut out = String::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for r in &results {
        let id = format!("{} {}/{}", r.suite, r.test, r.case);
        match &r.outcome {
            Case::Pass => {
                passed += 1;
                if !quiet {
                    out.push_str(&format!("ok    {id}\n"));
                }
            }
            Case::Skip => {
                skipped += 1;
                if !quiet {
                    out.push_str(&format!("skip  {id}\n"));
                }
            }
            Case::Fail(why) => {
                failed += 1;
                out.push_str(&format!("FAIL  {id}\n      {why}\n"));
            }
        }
    }
    out.push_str(&format!("{passed} passed, {failed} failed"));
    if skipped > 0 {
        out.push_str(&format!(", {skipped} skipped"));
    }
    out.push('\n');
    print(&out);
    if failed > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
