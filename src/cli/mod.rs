//! The command line: argument definitions and dispatch, one file per subcommand.
//!
//! Exit codes are the contract CI relies on: 0 clean, 1 findings at error level (or warnings
//! with `--fail-on-warn`), 2 mcpgen could not do its job (unreadable file, unknown environment,
//! bad arguments, broken policy).

pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
pub mod export;
pub mod fix;
pub mod gator;
pub mod import;
pub mod init;
pub mod man;
pub mod policy;
pub mod rules;
pub mod schema;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::diagnostics::render::human::Style;

/// Exit status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Nothing to report at a failing level.
    Clean = 0,
    /// Findings at error level (or warnings with `--fail-on-warn`).
    Findings = 1,
    /// mcpgen could not do its job.
    Failure = 2,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(o as u8)
    }
}

/// Declarative config compiler and policy linter for MCP servers.
#[derive(Debug, Parser)]
#[command(name = "mcpgen", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print only findings and errors: no summary line, no notes, no list of written files.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// When to colour output. `auto` colours a terminal unless NO_COLOR is set or TERM is dumb.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set or TERM is `dumb`.
    #[default]
    Auto,
    /// Always colour, even through a pipe and with NO_COLOR.
    Always,
    /// Never colour.
    Never,
}

/// The global flags of this run, set once by [`main`].
#[derive(Debug, Clone, Copy, Default)]
struct Globals {
    quiet: bool,
    color: ColorChoice,
}

static GLOBALS: OnceLock<Globals> = OnceLock::new();

fn globals() -> Globals {
    GLOBALS.get().copied().unwrap_or_default()
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    globals().quiet
}

/// The command-line definition with the long version (`--version`), which names the built-in
/// policy pack too.
pub fn command() -> clap::Command {
    command_for(true)
}

/// The command-line definition; the long version only when `long_version` (describing the
/// pack scans every policy file, which a normal run should not pay for).
fn command_for(long_version: bool) -> clap::Command {
    static LONG_VERSION: OnceLock<String> = OnceLock::new();
    let cmd = Cli::command();
    if !long_version {
        return cmd;
    }
    let long = LONG_VERSION.get_or_init(|| {
        format!(
            "{}\n{}",
            env!("CARGO_PKG_VERSION"),
            crate::policy::pack::describe()
        )
    });
    cmd.long_version(long.as_str())
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate specs against the schema, the semantic checks and the policies.
    Check(check::Args),
    /// Compile specs into Dockerfile, compose and Kubernetes manifests.
    Build(build::Args),
    /// Show how the outputs of two environments of a spec differ.
    Diff(diff::Args),
    /// Print the JSON Schema of the spec language.
    Schema(schema::Args),
    /// Write a commented starter spec.
    Init(init::Args),
    /// Print the documentation of a rule.
    Explain(explain::Args),
    /// List every rule and code with its level and summary.
    Rules(rules::Args),
    /// Work with Rego policies (`policy test`).
    Policy(policy::Args),
    /// Turn an MCP Registry server.json into a commented spec.
    Import(import::Args),
    /// Write what other tools read from a spec (`export server-json`).
    Export(export::Args),
    /// Gatekeeper tools (`gator verify`: run Gatekeeper suite files).
    Gator(gator::Args),
    /// Show (or with --write apply) the mechanical fixes for a spec's findings.
    Fix(fix::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(man::CompletionArgs),
    /// Print the man page (or write one page per subcommand with --dir).
    Man(man::ManArgs),
}

/// Run the command line and return the exit code.
pub fn main() -> ExitCode {
    let wants_version = std::env::args_os().any(|a| a == "--version");
    let parsed = command_for(wants_version)
        .try_get_matches()
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let _ = GLOBALS.set(Globals {
        quiet: cli.quiet,
        color: cli.color,
    });
    let outcome = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Build(a) => build::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Init(a) => init::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Policy(a) => policy::run(a),
        Command::Import(a) => import::run(a),
        Command::Export(a) => export::run(a),
        Command::Gator(a) => gator::run(a),
        Command::Fix(a) => fix::run(a),
        Command::Completions(a) => man::completions(a),
        Command::Man(a) => man::man(a),
    };
    if let Some(timings) = crate::timing::report() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(timings.as_bytes());
    }
    outcome.into()
}

/// The human style for stdout: `--color`, and by default colour only on a terminal and
/// without `NO_COLOR`; `--quiet` leaves out notes and the summary.
pub fn stdout_style() -> Style {
    let g = globals();
    let color = match g.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    Style {
        color,
        width,
        quiet: g.quiet,
    }
}

/// Print an informational line (what was written, "up to date"): nothing with `--quiet`.
pub fn note(s: &str) {
    if !quiet() {
        print(s);
    }
}

/// Write to stdout, ignoring a closed pipe (`mcpgen check | head`).
pub fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// Report a failure on stderr. The message may quote file names, environment names or policy
/// text: terminal escape sequences in it are neutralised.
pub fn fail(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "mcpgen: error: {}",
        crate::diagnostics::render::sanitize_text(message)
    );
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks argument definitions only when a command is parsed; this checks them all.
    #[test]
    fn every_command_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
