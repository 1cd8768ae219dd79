//! `mcpgen check FILE...`: validate specs, run the policies, apply the configuration, and
//! report every finding at once.

use std::path::{Path, PathBuf};

use crate::cli::{Outcome, fail, print, stdout_style};
use crate::config::{self, Loaded, Overrides};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{Diagnostic, Level, Sink};
use crate::policy::{self, PolicyError};

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
}

/// What the policy gate found: every finding (validation and policy, configuration applied),
/// failures that stop the run, and the catalog of rules for the reports.
pub struct Gate {
    /// Findings, unsorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Failures (exit 2).
    pub failures: Vec<String>,
    /// Every rule that may have produced a finding.
    pub catalog: Vec<render::RuleInfo>,
}

/// A path as it should be shown: relative to the working directory when it lies below it.
fn display(path: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    match (cwd, std::fs::canonicalize(path).ok()) {
        (Some(cwd), Some(abs)) => abs
            .strip_prefix(&cwd)
            .map_or_else(|_| path.display().to_string(), |r| r.display().to_string()),
        _ => path.display().to_string(),
    }
}

/// Run `check`.
pub fn run(args: Args) -> Outcome {
    let mut result = crate::check::run(&args.files, args.env.as_deref());
    let gate = gate(&mut result, &args.files, &args.policy);
    let mut sink = Sink::new();
    sink.extend(gate.diagnostics);
    let diags = sink.finish(&result.sources);
    print(&render_findings(
        args.format,
        &diags,
        &result.sources,
        &args.files,
        &gate.catalog,
    ));
    for f in &gate.failures {
        fail(f);
    }
    outcome(&diags, !gate.failures.is_empty(), args.fail_on_warn)
}

/// Render findings in one of the report formats.
pub fn render_findings(
    format: Format,
    diags: &[Diagnostic],
    sources: &crate::source::Sources,
    files: &[PathBuf],
    catalog: &[render::RuleInfo],
) -> String {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let n = files.len();
    match format {
        Format::Human => render::human::render(diags, sources, n, stdout_style()),
        Format::Json => render::json::render(diags, sources, n),
        Format::Sarif => render::sarif::render(diags, sources, catalog),
        Format::Junit => render::junit::render(diags, sources, &names),
        Format::Github => render::github::render(diags, sources, n),
        Format::Concise => render::concise::render(diags, sources),
    }
}

/// Run the policies over checked specs and apply the configuration: each spec uses the
/// nearest mcpgen.toml above it (or `--config`). Takes the validation findings and failures
/// out of `result` and returns them with the policy findings.
pub fn gate(result: &mut crate::check::Run, files: &[PathBuf], args: &PolicyArgs) -> Gate {
    let mut pending = std::mem::take(&mut result.diagnostics);
    let mut failures = std::mem::take(&mut result.failures);
    let overrides = Overrides {
        deny: args.deny.clone(),
        warn: args.warn.clone(),
        allow: args.allow.clone(),
    };
    let today = config::today();

    // Group the files by configuration, in order of first appearance, and run policies once
    // per group.
    let mut groups: Vec<(Option<PathBuf>, Vec<String>)> = Vec::new();
    for f in files {
        let cfg = args
            .config
            .clone()
            .or_else(|| config::discover(f).map(|p| PathBuf::from(display(&p))));
        let name = f.display().to_string();
        match groups.iter_mut().find(|(c, _)| *c == cfg) {
            Some((_, names)) => names.push(name),
            None => groups.push((cfg, vec![name])),
        }
    }

    // The built-in pack is parsed once; each configuration group extends a clone of it.
    let base = policy::Engine::new(true, &[], &[]);
    let builtin: &[policy::Rule] = base.as_ref().map_or(&[], |e| e.rules());
    let mut diags = Vec::new();
    let mut catalog = policy::catalog(builtin);
    for (config_path, names) in &groups {
        // This group's validation findings: those in its spec files.
        let (mut mine, rest): (Vec<Diagnostic>, Vec<Diagnostic>) =
            pending.into_iter().partition(|d| {
                d.file(&result.sources)
                    .is_some_and(|f| names.iter().any(|n| n == f.name()))
            });
        pending = rest;
        let loaded = match config_path {
            Some(p) => match config::load(p, display(p), &mut result.sources, &mut mine) {
                Ok(l) => l,
                Err(e) => {
                    failures.push(e);
                    Loaded::default()
                }
            },
            None => Loaded::default(),
        };
        let mut rules = builtin.to_vec();
        match load_engine(&base, &loaded, &args.policies, &args.data) {
            Ok(mut engine) => {
                rules = engine.rules().to_vec();
                let files = result
                    .files
                    .iter()
                    .filter(|c| names.iter().any(|n| *n == c.path.display().to_string()));
                match policy::check_files(&mut engine, files) {
                    Ok(found) => mine.extend(found),
                    Err(e) => failures.push(broken(&e)),
                }
                for line in engine.take_prints() {
                    fail_print(&line);
                }
            }
            Err(e) => failures.push(broken(&e)),
        }
        let group_catalog = policy::catalog(&rules);
        config::apply(&loaded, &overrides, &group_catalog, &today, &mut mine);
        for info in group_catalog {
            if !catalog.iter().any(|c| c.code == info.code) {
                catalog.push(info);
            }
        }
        diags.extend(mine);
    }
    // Findings outside any spec file (none today) are reported as they are.
    diags.extend(pending);
    catalog.sort_by(|a, b| a.code.cmp(&b.code));
    Gate {
        diagnostics: diags,
        failures,
        catalog,
    }
}

fn broken(e: &PolicyError) -> String {
    match e {
        PolicyError::Broken { .. } => format!("broken policy: {e}"),
        PolicyError::Other(m) => m.clone(),
    }
}

fn fail_print(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "policy print: {line}");
}

/// Build the engine: the built-in pack, the configuration's and the command line's policy
/// directories, and their data files.
fn load_engine(
    base: &Result<policy::Engine, PolicyError>,
    loaded: &Loaded,
    extra: &[PathBuf],
    extra_data: &[PathBuf],
) -> Result<policy::Engine, PolicyError> {
    let mut user = Vec::new();
    for dir in loaded.policy_dirs().iter().chain(extra) {
        user.extend(policy::read_dir(dir, false)?);
    }
    let mut data = Vec::new();
    for f in loaded.data_files().iter().chain(extra_data) {
        data.push(policy::read_data(f)?);
    }
    base.clone()?.extend(&user, &data)
}

/// The exit outcome for a set of findings.
pub fn outcome(diags: &[Diagnostic], failed: bool, fail_on_warn: bool) -> Outcome {
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
