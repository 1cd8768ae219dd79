//! `mcpgen check FILE...`: parse the flags, run [`crate::pipeline::check`], render the report
//! and map it to an exit code.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, print, stdout_style};
use crate::config::{self, Overrides};
use crate::diagnostics::Level;
use crate::diagnostics::render::{self, Format};
use crate::pipeline::{self, Report};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files (YAML, or KDL with a `.kdl` extension) or directories to search for specs
    /// named `mcp.yaml`, `*.mcp.yaml`, `mcp.kdl` or `*.mcp.kdl` (`.gitignore` respected).
    /// Default: the current directory.
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
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Policy and configuration flags shared by `check` and `build`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// Extra directory of Rego policies (repeatable), after those of mcpgen.toml.
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// JSON or YAML file merged into the policies' `data` (repeatable), after those of
    /// mcpgen.toml.
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Gatekeeper ConstraintTemplates and constraints (file or directory, repeatable), run on
    /// the generated objects, after those of mcpgen.toml.
    #[arg(long = "constraints", value_name = "PATH")]
    pub constraints: Vec<PathBuf>,
    /// Directory of Conftest-style Rego run on each generated object (repeatable), after those
    /// of mcpgen.toml.
    #[arg(long = "manifest-policy", value_name = "DIR")]
    pub manifest_policies: Vec<PathBuf>,
    /// Configuration file for every spec. Default: for each spec, the nearest mcpgen.toml in its
    /// directory or above.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Treat a rule (code or name) as an error (repeatable).
    #[arg(short = 'D', long = "deny", value_name = "RULE")]
    pub deny: Vec<String>,
    /// Treat a rule (code or name) as a warning (repeatable).
    #[arg(short = 'W', long = "warn", value_name = "RULE")]
    pub warn: Vec<String>,
    /// Do not report a rule (code or name) at all (repeatable).
    #[arg(short = 'A', long = "allow", value_name = "RULE")]
    pub allow: Vec<String>,
    /// Set a field of every spec and environment for this run, validated like the spec
    /// (repeatable): `PATH` is a dotted path (`spec.image`) or a JSON Pointer (`/spec/image`),
    /// `VALUE` JSON or plain text. For CI: `--set spec.image=registry/app:1.2@sha256:...`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// The image to deploy, as `--set spec.image=REF` (pin it by digest:
    /// `registry/app:1.2@sha256:...`).
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,
}

impl PolicyArgs {
    /// The pipeline's options for these flags.
    pub fn options(&self, env: Option<&str>) -> pipeline::Options {
        pipeline::Options {
            env: env.map(str::to_string),
            policies: self.policies.clone(),
            data: self.data.clone(),
            constraints: self.constraints.clone(),
            manifest_policies: self.manifest_policies.clone(),
            config: self.config.clone(),
            no_config: false,
            skip_policies: false,
            overrides: Overrides {
                deny: self.deny.clone(),
                warn: self.warn.clone(),
                allow: self.allow.clone(),
            },
            today: config::today(),
            set: self
                .image
                .iter()
                .map(|r| ("--image".to_string(), r.clone()))
                .chain(self.set.iter().map(|s| ("--set".to_string(), s.clone())))
                .collect(),
        }
    }
}

/// Run `check`.
pub fn run(args: Args) -> Outcome {
    let Some(files) = inputs(&args.files) else {
        return Outcome::Failure;
    };
    let report = pipeline::check_paths(&files, &args.policy.options(args.env.as_deref()));
    // A run that could not check anything has no report to show people: a "0 errors" summary
    // would read as a pass. Machine formats still get their (empty) document.
    let nothing_checked = report.diagnostics.is_empty() && !report.failures.is_empty();
    if !(nothing_checked && args.format == Format::Human) {
        print(&render_findings(args.format, &report, &files));
    }
    report_failures(&report);
    outcome(&report, args.fail_on_warn)
}

/// The spec files a command was given, directories expanded by the naming convention;
/// `None` (after saying why) when there is none.
pub fn inputs(args: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let files = crate::discover::expand(args);
    if files.is_empty() {
        let where_ = if args.is_empty() {
            "the current directory".to_string()
        } else {
            args.iter()
                .map(|a| a.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        fail(&format!(
            "no spec files found in {where_}: specs are named mcp.yaml, *.mcp.yaml, mcp.kdl or \
             *.mcp.kdl (or give their paths)"
        ));
        return None;
    }
    Some(files)
}

/// Print what the policies printed, then the failures, on stderr.
pub fn report_failures(report: &Report) {
    for line in &report.prints {
        // Policy text is anyone's: no escape sequence reaches the terminal.
        eprint_line(&format!(
            "policy print: {}",
            crate::diagnostics::render::sanitize_line(line)
        ));
    }
    for f in &report.failures {
        fail(&f.to_string());
    }
}

fn eprint_line(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Render a report's findings in one of the report formats.
pub fn render_findings(format: Format, report: &Report, files: &[PathBuf]) -> String {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let n = files.len();
    let (diags, sources) = (&report.diagnostics, &report.sources);
    match format {
        Format::Human => render::human::render(diags, sources, n, stdout_style()),
        Format::Json => render::json::render(diags, sources, n),
        Format::Sarif => render::sarif::render(diags, sources, &report.catalog),
        Format::Junit => render::junit::render(diags, sources, &names),
        Format::Github => render::github::render(diags, sources, n),
        Format::Concise => render::concise::render(diags, sources),
        Format::Codequality => render::codequality::render(diags, sources),
    }
}

/// The exit outcome of a report.
pub fn outcome(report: &Report, fail_on_warn: bool) -> Outcome {
    if !report.failures.is_empty() {
        return Outcome::Failure;
    }
    let failing = report.diagnostics.iter().any(|d| {
        d.suppressed.is_none()
            && (d.level == Level::Error || (fail_on_warn && d.level == Level::Warning))
    });
    if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
