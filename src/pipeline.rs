//! The library's entry points: [`check`] a set of spec files into a typed [`Report`], and
//! [`build`] the targets of a checked report into [`Tree`]s of generated files.
//!
//! ```text
//! files ─▶ Document ─▶ (schema, semantic checks) ─▶ Spec ─▶ ResolvedSpec ─▶ policies ─┐
//!                                                                                    ▼
//!          mcpgen.toml (nearest to each file) ─▶ Rules ─▶ Sink (levels, exceptions) ─▶ Report
//! Report ─▶ Model ─▶ preflight (MCP301) ─▶ emitters ─▶ consistency (MCP32x) ─▶ Tree ─▶ Built
//! ```
//!
//! [`check`] never stops at the first problem: every file is read, every variant (the base and
//! each environment) validated and resolved, and every policy evaluated; findings are data in
//! the report, and what kept mcpgen from doing its job (an unreadable file, a broken policy, an
//! unknown environment) is a typed [`Failure`]. Files are grouped by the configuration that
//! applies to them (the nearest `mcpgen.toml`, or `--config`): the built-in pack is parsed once
//! per run and each group extends a clone of it with its own policies and data, and its own
//! levels and exceptions. [`build`] lowers each selected variant to a Model, refuses once per
//! model what no target can produce, runs the emitters, and checks the artifacts against each
//! other ([`crate::consistency`]); an environment whose artifacts do not agree gets findings
//! and no tree. Writing the trees (atomically, or comparing them for `--check`) is
//! [`crate::write`]'s job. Nothing here prints: the CLI renders the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compile::{Artifact, CompileError, Emitter, emitters};
use crate::config::{self, Loaded, Overrides};
use crate::diagnostics::render::RuleInfo;
use crate::diagnostics::{Diagnostic, Level, Sink, Span, codes, sink};
use crate::model::Model;
use crate::policy::{self, PolicyError};
use crate::resolve::{self, ResolvedSpec};
use crate::source::{SourceFile, Sources};
use crate::spec::{self, Document, Spec, Syntax};
use crate::validate::{self, Envs};
use crate::write::{self, Tree};

/// What a check run is told beyond its files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Check only this environment; `None` checks the base and every environment.
    pub env: Option<String>,
    /// Extra policy directories, after those of the configuration.
    pub policies: Vec<PathBuf>,
    /// Extra data files, after those of the configuration.
    pub data: Vec<PathBuf>,
    /// One configuration for every file instead of the nearest `mcpgen.toml` of each.
    pub config: Option<PathBuf>,
    /// Use no configuration file at all (neither `config` nor a discovered one).
    pub no_config: bool,
    /// Validate and resolve only: evaluate no policy (for `import`, which checks what it
    /// writes before the user has decided anything).
    pub skip_policies: bool,
    /// `-D/-W/-A`.
    pub overrides: Overrides,
    /// Today's date (`YYYY-MM-DD`) for exception expiry.
    pub today: String,
}

/// One input of a check run.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk (YAML, or KDL by its `.kdl` extension).
    Path(PathBuf),
    /// Text that is not a file (standard input, tests).
    Text {
        /// Name shown in findings.
        name: String,
        /// The spec text.
        text: String,
        /// Its syntax.
        syntax: Syntax,
    },
}

/// One valid variant of a file: the validated spec and its resolution.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The validated spec (overlay applied).
    pub spec: Spec,
    /// Every default filled in.
    pub resolved: ResolvedSpec,
}

/// One input after checking.
#[derive(Debug)]
pub struct FileReport {
    /// The path as given.
    pub path: PathBuf,
    /// The name findings show.
    pub name: String,
    /// Whether the input is a file on disk (its configuration is searched from its directory).
    pub on_disk: bool,
    /// The parsed document, when the file parsed.
    pub doc: Option<Document>,
    /// The variants that passed validation (base and/or environments).
    pub variants: Vec<Variant>,
}

/// Why mcpgen could not do its job (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// A spec file that could not be read.
    #[error("{path}: cannot read: {message}")]
    Read {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// `--env NAME` names an environment the spec does not define.
    #[error("{file}: no environment `{name}` (defined: {defined})")]
    UnknownEnvironment {
        /// The spec file.
        file: String,
        /// The environment asked for.
        name: String,
        /// The environments it defines, or `none`.
        defined: String,
    },
    /// A configuration file that could not be read.
    #[error("{0}")]
    Config(String),
    /// A policy that does not parse or evaluate, or policy input that cannot be read.
    #[error("{}", policy_message(.0))]
    Policy(PolicyError),
    /// `--target` names a target mcpgen does not have.
    #[error("unknown target `{name}` (known: {known})")]
    UnknownTarget {
        /// The target asked for.
        name: String,
        /// The targets there are.
        known: String,
    },
    /// Two outputs of one build would be written to the same place.
    #[error("{0}")]
    Overlap(String),
    /// An emitter could not serialize its output (a bug, reported rather than panicking).
    #[error("{0}")]
    Compile(String),
}

fn policy_message(e: &PolicyError) -> String {
    match e {
        PolicyError::Broken { .. } => format!("broken policy: {e}"),
        PolicyError::Other(m) => m.clone(),
    }
}

/// Everything a check run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every file read (specs and configurations), for rendering snippets.
    pub sources: Sources,
    /// Per input, in the order given.
    pub files: Vec<FileReport>,
    /// Every finding, levels and exceptions applied, sorted and deduplicated.
    pub diagnostics: Vec<Diagnostic>,
    /// What kept mcpgen from doing its job.
    pub failures: Vec<Failure>,
    /// Every rule that may have produced a finding, sorted by code.
    pub catalog: Vec<RuleInfo>,
    /// Lines the policies printed with `print()`.
    pub prints: Vec<String>,
}

impl Report {
    /// Whether an unsuppressed finding at error level remains.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.level == Level::Error && d.suppressed.is_none())
    }

    /// Add findings found after the check (a build's MCP301), keeping the order.
    pub fn add(&mut self, more: Vec<Diagnostic>) {
        self.diagnostics.extend(more);
        sink::sort(&mut self.diagnostics, &self.sources);
    }
}

/// Check files: read, parse, validate and resolve every variant, evaluate the policies, and
/// apply each file's configuration.
pub fn check(inputs: &[Input], opts: &Options) -> Report {
    let mut report = Report::default();
    // Findings per file index, before levels and exceptions; findings outside any file last.
    let mut found: Vec<Vec<Diagnostic>> = Vec::new();
    for input in inputs {
        let mut diags = Vec::new();
        let file = read(&mut report, input, opts.env.as_deref(), &mut diags);
        report.files.push(file);
        found.push(diags);
    }
    gate(&mut report, found, opts);
    report
}

/// Check paths (the common case of [`check`]).
pub fn check_paths(paths: &[PathBuf], opts: &Options) -> Report {
    let inputs: Vec<Input> = paths.iter().cloned().map(Input::Path).collect();
    check(&inputs, opts)
}

/// Read, parse and validate one input into its variants.
fn read(
    report: &mut Report,
    input: &Input,
    env: Option<&str>,
    out: &mut Vec<Diagnostic>,
) -> FileReport {
    let (path, name, text, syntax) = match input {
        Input::Text { name, text, syntax } => {
            (PathBuf::from(name), name.clone(), text.clone(), *syntax)
        }
        Input::Path(path) => {
            let name = path.display().to_string();
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    report.failures.push(Failure::Read {
                        path: name.clone(),
                        message: e.to_string(),
                    });
                    return FileReport {
                        path: path.clone(),
                        name,
                        on_disk: true,
                        doc: None,
                        variants: Vec::new(),
                    };
                }
            };
            match String::from_utf8(bytes) {
                Ok(t) => (path.clone(), name, t, Syntax::for_path(path)),
                Err(e) => {
                    let offset = e.utf8_error().valid_up_to();
                    let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    // Offsets in the lossy text match up to the first invalid byte.
                    let id = report.sources.add(SourceFile::new(name.clone(), lossy));
                    out.push(
                        Diagnostic::new(&codes::NOT_UTF8, format!("{name} is not UTF-8 text"))
                            .with_label(
                                Span {
                                    source: id,
                                    offset,
                                    len: 1,
                                },
                                "first invalid byte here",
                            ),
                    );
                    return FileReport {
                        path: path.clone(),
                        name,
                        on_disk: true,
                        doc: None,
                        variants: Vec::new(),
                    };
                }
            }
        }
    };
    let id = report.sources.add(SourceFile::new(name.clone(), text));
    let mut file = FileReport {
        path,
        name: name.clone(),
        on_disk: matches!(input, Input::Path(_)),
        doc: None,
        variants: Vec::new(),
    };
    match spec::parse(id, report.sources.get(id), syntax) {
        Err(diags) => out.extend(diags),
        Ok(doc) => {
            out.extend(doc.warnings.iter().cloned());
            let envs = env.map_or(Envs::All, Envs::One);
            match validate::check(&doc, envs, out) {
                Ok(specs) => {
                    file.variants = specs
                        .into_iter()
                        .map(|spec| Variant {
                            resolved: resolve::resolve(&spec),
                            spec,
                        })
                        .collect();
                }
                Err(missing) => {
                    let known = validate::environment_names(&doc);
                    report.failures.push(Failure::UnknownEnvironment {
                        file: name,
                        name: missing,
                        defined: if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        },
                    });
                }
            }
            file.doc = Some(doc);
        }
    }
    file
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

/// Run the policies and apply the configuration, one group of files per configuration.
fn gate(report: &mut Report, mut found: Vec<Vec<Diagnostic>>, opts: &Options) {
    // Group the files by configuration, in order of first appearance.
    let mut groups: Vec<(Option<PathBuf>, Vec<usize>)> = Vec::new();
    for (i, f) in report.files.iter().enumerate() {
        let cfg = match &opts.config {
            _ if opts.no_config => None,
            Some(c) => Some(c.clone()),
            // Text that is not a file has no directory to search from.
            None if !f.on_disk => None,
            None => config::discover(&f.path).map(|p| PathBuf::from(display(&p))),
        };
        match groups.iter_mut().find(|(c, _)| *c == cfg) {
            Some((_, members)) => members.push(i),
            None => groups.push((cfg, vec![i])),
        }
    }

    // The built-in pack is parsed once; each group extends a clone of it.
    let base = policy::Engine::new(true, &[], &[]);
    let builtin: &[policy::Rule] = base.as_ref().map_or(&[], |e| e.rules());
    let mut catalog = policy::catalog(builtin);
    let mut all = Vec::new();
    for (config_path, members) in &groups {
        let mut pending: Vec<Diagnostic> = Vec::new();
        for &i in members {
            pending.append(&mut found[i]);
        }
        let loaded = match config_path {
            Some(p) => match config::load(p, display(p), &mut report.sources, &mut pending) {
                Ok(l) => l,
                Err(e) => {
                    report.failures.push(Failure::Config(e));
                    Loaded::default()
                }
            },
            None => Loaded::default(),
        };
        let mut rules = builtin.to_vec();
        match extend(&base, &loaded, opts) {
            Ok(mut engine) => {
                rules = engine.rules().to_vec();
                for &i in members {
                    let f = &report.files[i];
                    if opts.skip_policies {
                        break;
                    }
                    let Some(doc) = &f.doc else { continue };
                    if f.variants.is_empty() {
                        continue;
                    }
                    let variants: Vec<&ResolvedSpec> =
                        f.variants.iter().map(|v| &v.resolved).collect();
                    match policy::check_file(&mut engine, doc, &f.name, &variants) {
                        Ok(ds) => pending.extend(ds),
                        Err(e) => report.failures.push(Failure::Policy(e)),
                    }
                }
                report.prints.extend(engine.take_prints());
            }
            Err(e) => report.failures.push(Failure::Policy(e)),
        }
        let group_catalog = policy::catalog(&rules);
        let (group_rules, meta) =
            config::rules(&loaded, &opts.overrides, &group_catalog, &opts.today);
        let mut sink = Sink::with_rules(group_rules);
        sink.extend(pending);
        sink.extend(meta);
        all.extend(sink.finish(&report.sources));
        for info in group_catalog {
            if !catalog.iter().any(|c| c.code == info.code) {
                catalog.push(info);
            }
        }
    }
    sink::sort(&mut all, &report.sources);
    catalog.sort_by(|a, b| a.code.cmp(&b.code));
    report.diagnostics = all;
    report.catalog = catalog;
}

/// The built-in engine extended with the configuration's and the command line's policy
/// directories and data files.
fn extend(
    base: &Result<policy::Engine, PolicyError>,
    loaded: &Loaded,
    opts: &Options,
) -> Result<policy::Engine, PolicyError> {
    let mut user = Vec::new();
    for dir in loaded.policy_dirs().iter().chain(&opts.policies) {
        user.extend(policy::read_dir(dir, false)?);
    }
    let mut data = Vec::new();
    for f in loaded.data_files().iter().chain(&opts.data) {
        data.push(policy::read_data(f)?);
    }
    base.clone()?.extend(&user, &data)
}

/// What a build is asked for beyond the checked report.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Targets to build by name; empty builds every target.
    pub targets: Vec<String>,
    /// Build the base spec too, not only the environments.
    pub all_envs: bool,
}

/// One built variant: where it goes and what it was built from.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The spec file.
    pub file: String,
    /// The environment (`None`: the base spec).
    pub environment: Option<String>,
    /// Directory relative to the output directory.
    pub root: String,
    /// The resolved spec the outputs were built from.
    pub resolved: ResolvedSpec,
    /// The artifacts of the tree, with their typed contents (the Kubernetes objects among
    /// them are what a policy engine over the outputs reads).
    pub artifacts: Vec<Artifact>,
}

impl Plan {
    /// The Kubernetes objects of this environment, with the path of their file.
    pub fn objects(&self) -> impl Iterator<Item = (&str, &crate::compile::Object)> {
        self.artifacts
            .iter()
            .flat_map(|a| a.objects().iter().map(move |o| (a.path.as_str(), o)))
    }
}

/// What a build produced.
#[derive(Debug, Default)]
pub struct Built {
    /// One tree per built variant, in input order.
    pub trees: Vec<Tree>,
    /// What each tree was built from, in the same order.
    pub plans: Vec<Plan>,
    /// Findings of the build (MCP301 for what no target can produce, MCP32x for artifacts
    /// that do not agree).
    pub diagnostics: Vec<Diagnostic>,
}

/// Every target mcpgen has, by name.
pub fn target_names() -> Vec<&'static str> {
    emitters().iter().map(|e| e.name()).collect()
}

/// Build the selected targets for every valid variant of a checked report. Call it only when
/// the report has no error-level finding; variants are the report's (one with `--env`).
pub fn build(report: &Report, opts: &BuildOptions) -> Result<Built, Failure> {
    let all = emitters();
    for t in &opts.targets {
        if !all.iter().any(|e| e.name() == t) {
            return Err(Failure::UnknownTarget {
                name: t.clone(),
                known: target_names().join(", "),
            });
        }
    }
    let selected: Vec<&Box<dyn Emitter>> = all
        .iter()
        .filter(|e| opts.targets.is_empty() || opts.targets.iter().any(|t| t == e.name()))
        .collect();
    let mut built = Built::default();
    // Per plan, the file it came from (to locate findings across outputs).
    let mut plan_files: Vec<usize> = Vec::new();
    let locate =
        |d: Diagnostic, file: &FileReport, env: Option<&str>, pointer: &str, label: &str| {
            match &file.doc {
                Some(doc) => d.with_label(doc.locate(env, pointer).0, label),
                None => d,
            }
        };
    for (file_index, file) in report.files.iter().enumerate() {
        let source_name = file
            .path
            .file_name()
            .map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned());
        for variant in select(file, opts.all_envs) {
            let model = Model::new(&variant.resolved, &source_name);
            let env = model.env.as_deref();
            let refusals = model.preflight();
            if !refusals.is_empty() {
                for r in refusals {
                    let d = Diagnostic::new(&codes::OUTPUT_UNSUPPORTED, r.message)
                        .at_pointer(r.pointer.clone())
                        .in_environment(env)
                        .with_help(r.help);
                    built
                        .diagnostics
                        .push(locate(d, file, env, &r.pointer, "cannot be built"));
                }
                continue;
            }
            let mut artifacts: Vec<Artifact> = Vec::new();
            for e in &selected {
                artifacts.extend(e.emit(&model).map_err(|err| match err {
                    CompileError::Serialize { .. } => Failure::Compile(err.to_string()),
                })?);
            }
            // The artifacts must agree with each other before anything is written.
            let findings = crate::consistency::check(&model, &artifacts);
            if !findings.is_empty() {
                for f in findings {
                    let d = Diagnostic::new(f.code, f.message)
                        .at_pointer(f.pointer.clone())
                        .in_environment(env)
                        .with_help(f.code.help.unwrap_or(f.code.summary));
                    built
                        .diagnostics
                        .push(locate(d, file, env, &f.pointer, f.code.name));
                }
                continue;
            }
            let files: BTreeMap<String, String> = artifacts
                .iter()
                .map(|a| (a.path.clone(), a.contents.clone()))
                .collect();
            // One rule whatever the number of specs built at once, so a spec always lands in
            // the same place (the drift check of one spec of a set finds what a build of the
            // set wrote).
            let root = format!("{}/{}", model.name, env.unwrap_or("base"));
            if built.trees.iter().any(|t| t.root == root) {
                return Err(Failure::Overlap(format!(
                    "two specs would both write to `{root}`: give them different metadata.name \
                     values"
                )));
            }
            built.plans.push(Plan {
                file: file.name.clone(),
                environment: model.env.clone(),
                root: root.clone(),
                resolved: variant.resolved.clone(),
                artifacts,
            });
            plan_files.push(file_index);
            built.trees.push(Tree { root, files });
        }
    }
    // Outputs of one environment are deployed together: an object two specs both write (a
    // namespace both claim to own) would be silently replaced by the later one.
    let mut by_env: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, p) in built.plans.iter().enumerate() {
        by_env.entry(p.environment.clone()).or_default().push(i);
    }
    for members in by_env.values() {
        let outputs: Vec<&[Artifact]> = members
            .iter()
            .map(|&i| built.plans[i].artifacts.as_slice())
            .collect();
        for (later, o) in crate::consistency::duplicates_across(&outputs) {
            let plan = &built.plans[members[later]];
            let file = &report.files[plan_files[members[later]]];
            let pointer = if o.kind() == "Namespace" {
                "/metadata/namespaceOwnership"
            } else {
                "/metadata/name"
            };
            let d = Diagnostic::new(
                &codes::DUPLICATE_OBJECT,
                format!(
                    "{} `{}`{} is also written for another spec of this build: applied                      together, one replaces the other",
                    o.kind(),
                    o.name(),
                    o.namespace()
                        .as_ref()
                        .map(|n| format!(" in namespace `{n}`"))
                        .unwrap_or_default()
                ),
            )
            .at_pointer(pointer)
            .in_environment(plan.environment.as_deref())
            .with_help(codes::DUPLICATE_OBJECT.help.unwrap_or_default());
            built.diagnostics.push(locate(
                d,
                file,
                plan.environment.as_deref(),
                pointer,
                "written twice",
            ));
        }
    }
    write::validate(&built.trees).map_err(|e| Failure::Overlap(e.to_string()))?;
    // Findings of the same variant reported by several models (none today) are shown once.
    built.diagnostics.dedup();
    Ok(built)
}

/// The variants to build for one file: every environment, or the base when there is none;
/// with `all_envs`, the base and every environment.
fn select(file: &FileReport, all_envs: bool) -> Vec<&Variant> {
    let envs: Vec<&Variant> = file
        .variants
        .iter()
        .filter(|v| v.spec.env().is_some())
        .collect();
    if all_envs || envs.is_empty() {
        file.variants.iter().collect()
    } else {
        envs
    }
}

/// Helpers for the crate's unit tests: the model of a spec given as text.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// The report of one YAML text, without a configuration.
    pub fn report(yaml: &str) -> Report {
        check(
            &[Input::Text {
                name: "t.yaml".into(),
                text: yaml.into(),
                syntax: Syntax::Yaml,
            }],
            &Options::default(),
        )
    }

    /// The model of the base variant of a full YAML spec.
    pub fn base_model_full(yaml: &str) -> Model {
        let r = report(yaml);
        let errors: Vec<_> = r
            .diagnostics
            .iter()
            // Policy findings do not keep a model from being built here.
            .filter(|d| d.level == Level::Error && !d.code.starts_with("MCP2"))
            .map(|d| d.message.clone())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let v = r.files[0].variants.first().expect("a valid base variant");
        Model::new(&v.resolved, "service.yaml")
    }

    /// The model of the base variant of a YAML spec body (starting at `spec:` members).
    pub fn base_model(yaml: &str) -> Model {
        base_model_full(yaml)
    }
}
