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
//! applies to them (the `mcpgen.toml` files from the spec's directory up, or `--config`): the
//! built-in pack is parsed once per run and each group extends a clone of it with its own
//! policies and data, and its own levels and exceptions. [`build`] lowers each selected variant
//! to a Model, refuses once per model what no target can produce, runs the emitters, and checks
//! the artifacts against each other ([`crate::consistency`]); an environment whose artifacts do
//! not agree gets findings and no tree. Writing the trees (atomically, or comparing them for
//! `--check`) is [`crate::write`]'s job. Nothing here prints: the CLI renders the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compile::{Artifact, CompileError, Emitter, emitters};
use crate::config::{self, Loaded, Overrides};
use crate::diagnostics::render::RuleInfo;
use crate::diagnostics::{Diagnostic, Level, Sink, Span, codes, sink};
use crate::model::Model;
use crate::parallel;
use crate::policy::{self, PolicyError};
use crate::resolve::{self, ResolvedSpec};
use crate::source::{SourceFile, SourceId, Sources};
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
    /// Extra Gatekeeper constraint paths, after those of the configuration.
    pub constraints: Vec<PathBuf>,
    /// Extra manifest policy directories, after those of the configuration.
    pub manifest_policies: Vec<PathBuf>,
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
    /// Fields set on the command line over every variant of every spec, in order: each the
    /// flag (`--image` or `--set`) and what followed it (`REF`, `PATH=VALUE`).
    pub set: Vec<(String, String)>,
}

/// A field set on the command line, parsed: where it goes and its value, with the byte range
/// of the value in the flag's text.
#[derive(Debug, Clone, PartialEq)]
pub struct SetFlag {
    /// `--set` or `--image`.
    pub flag: String,
    /// What followed the flag.
    pub text: String,
    /// JSON Pointer of the field.
    pub pointer: String,
    /// The value.
    pub value: serde_json::Value,
    /// Byte offset of the value in `text`.
    pub value_offset: usize,
}

impl SetFlag {
    /// `--image REF`: the image to deploy, exactly as `--set spec.image=REF`.
    pub fn image(reference: &str) -> SetFlag {
        SetFlag {
            flag: "--image".to_string(),
            text: reference.to_string(),
            pointer: "/spec/image".to_string(),
            value: serde_json::Value::String(reference.to_string()),
            value_offset: 0,
        }
    }

    /// `--set PATH=VALUE`. `PATH` is a JSON Pointer (`/spec/image`) or a dotted path
    /// (`spec.image`) below `metadata` or `spec`; `VALUE` is read as JSON when it is JSON (a
    /// number, `true`, `false`, `null`, a list, an object or a quoted string) and taken as
    /// text otherwise.
    pub fn parse(text: &str) -> Result<SetFlag, String> {
        let Some((path, value)) = text.split_once('=') else {
            return Err(format!(
                "--set {text}: expected PATH=VALUE, e.g. --set spec.image=registry/app@sha256:..."
            ));
        };
        let pointer = if path.starts_with('/') {
            path.to_string()
        } else {
            path.split('.')
                .map(|t| format!("/{}", crate::spec::document::escape_token(t)))
                .collect()
        };
        let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
        if tokens.is_empty() || tokens.iter().any(|t| t.is_empty()) {
            return Err(format!("--set {text}: `{path}` is not a field path"));
        }
        if !matches!(tokens[0], "metadata" | "spec") {
            return Err(format!(
                "--set {text}: only fields below `metadata` and `spec` can be set"
            ));
        }
        if tokens.len() > 1 && tokens[0] == "spec" && tokens[1] == "environments" {
            return Err(format!(
                "--set {text}: an override applies to every environment; set the field \
                 itself (`spec.image`), not an overlay"
            ));
        }
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
        Ok(SetFlag {
            flag: "--set".to_string(),
            text: text.to_string(),
            pointer,
            value,
            value_offset: path.len() + 1,
        })
    }
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
    /// New text for a file on disk that is not written yet (`fix` checks each round of edits
    /// before writing): named, parsed and configured as the file at `path`.
    Edited {
        /// The file the text is for.
        path: PathBuf,
        /// The text.
        text: String,
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
    /// An input that is not a regular file within the size bound, or a symbolic link that
    /// leaves its repository.
    #[error("{0}")]
    Input(crate::source::InputError),
    /// A file exceeds one of mcpgen's documented bounds (nesting, list length, expanded
    /// aliases, environments; docs/security.md).
    #[error("{file}: {message} (see docs/security.md)")]
    Limit {
        /// The spec file.
        file: String,
        /// Which bound, from the located MCP018 finding.
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
    /// A command-line argument mcpgen cannot use (a malformed `--set`).
    #[error("{0}")]
    Argument(String),
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
    // Reading fills the source database in input order; parsing, validating and resolving
    // the files then runs on every core.
    let read: Vec<ReadFile> = inputs
        .iter()
        .map(|input| {
            let mut diags = Vec::new();
            let (file, source) = read(&mut report, input, &mut diags);
            (file, source, diags)
        })
        .collect();
    // Each flag that sets a field is a source of its own, so a finding about the value it
    // sets (a schema error, a policy) points at the flag.
    let mut overrides = Vec::new();
    for (flag, text) in &opts.set {
        let parsed = if flag == "--image" {
            Ok(SetFlag::image(text))
        } else {
            SetFlag::parse(text)
        };
        match parsed {
            Ok(f) => {
                let shown = format!("{} {}", f.flag, f.text);
                let id = report.sources.add(SourceFile::new(f.flag.clone(), shown));
                overrides.push(spec::document::Override {
                    pointer: f.pointer,
                    value: f.value,
                    span: Span {
                        source: id,
                        offset: f.flag.len() + 1 + f.value_offset,
                        len: f.text.len() - f.value_offset,
                    },
                });
            }
            Err(e) => report.failures.push(Failure::Argument(e)),
        }
    }
    let env = opts.env.as_deref();
    let sources = &report.sources;
    // The built-in pack is parsed (and prepared) on a thread of its own while the files are
    // parsed and validated: neither depends on the other, and each costs about as much as the
    // other for one spec.
    let (base, checked) = std::thread::scope(|scope| {
        let engine = scope.spawn(|| {
            let mut e = policy::Engine::new(true, &[], &[]);
            if let Ok(e) = e.as_mut() {
                // An error here is the pack's, and evaluating reports it again.
                let _ = e.prepare();
            }
            e
        });
        let checked = check_files(&read, &overrides, env, sources);
        let base = engine.join().unwrap_or_else(|_| {
            Err(PolicyError::Other(
                "the policy engine panicked while loading the built-in pack".to_string(),
            ))
        });
        (base, checked)
    });
    let mut found = Vec::new();
    for ((mut file, _, mut diags), (doc, variants, failure, more)) in read.into_iter().zip(checked)
    {
        file.doc = doc;
        file.variants = variants;
        report.failures.extend(failure);
        diags.extend(more);
        // A bound that was exceeded stops the run: exit 2, with the located finding shown.
        if let Some(d) = diags.iter().find(|d| d.code == codes::LIMIT_EXCEEDED.code) {
            report.failures.push(Failure::Limit {
                file: file.name.clone(),
                message: d.message.clone(),
            });
        }
        report.files.push(file);
        found.push(diags);
    }
    gate(&mut report, found, opts, base);
    report
}

/// What checking one file produced: its document, its valid variants, a failure, findings.
type Checked = (
    Option<Document>,
    Vec<Variant>,
    Option<Failure>,
    Vec<Diagnostic>,
);

/// Parse, validate and resolve every file that was read, on every core.
fn check_files(
    read: &[ReadFile],
    overrides: &[spec::document::Override],
    env: Option<&str>,
    sources: &Sources,
) -> Vec<Checked> {
    parallel::map(read, |(file, source, _)| {
        let mut diags = Vec::new();
        let mut doc = None;
        let mut variants = Vec::new();
        let mut failure = None;
        if let Some((id, syntax)) = source {
            let parsed = {
                let _t = crate::timing::span("parse");
                spec::parse(*id, sources.get(*id), *syntax)
            };
            match parsed {
                Err(ds) => diags.extend(ds),
                Ok(mut d) => {
                    for o in overrides {
                        d.add_override(o.clone());
                    }
                    diags.extend(d.warnings.iter().cloned());
                    let envs = env.map_or(Envs::All, Envs::One);
                    let validated = {
                        let _t = crate::timing::span("validate (schema, semantic)");
                        validate::check(&d, envs, &mut diags)
                    };
                    match validated {
                        Ok(specs) => {
                            let _t = crate::timing::span("resolve");
                            variants = specs
                                .into_iter()
                                .map(|spec| Variant {
                                    resolved: resolve::resolve(&spec),
                                    spec,
                                })
                                .collect();
                        }
                        Err(missing) => {
                            let known = validate::environment_names(&d);
                            failure = Some(Failure::UnknownEnvironment {
                                file: file.name.clone(),
                                name: missing,
                                defined: if known.is_empty() {
                                    "none".to_string()
                                } else {
                                    known.join(", ")
                                },
                            });
                        }
                    }
                    doc = Some(d);
                }
            }
        }
        (doc, variants, failure, diags)
    })
}

/// A file read into the source database: its report so far, the source to parse (none when
/// it could not be read as text), and the findings of reading it.
type ReadFile = (FileReport, Option<(SourceId, Syntax)>, Vec<Diagnostic>);

/// Check paths (the common case of [`check`]).
pub fn check_paths(paths: &[PathBuf], opts: &Options) -> Report {
    let inputs: Vec<Input> = paths.iter().cloned().map(Input::Path).collect();
    check(&inputs, opts)
}

/// Read one input into the source database: the file's report (without its document yet) and
/// its source with the syntax to parse it with, or nothing when it cannot be read as text.
fn read(
    report: &mut Report,
    input: &Input,
    out: &mut Vec<Diagnostic>,
) -> (FileReport, Option<(SourceId, Syntax)>) {
    let (path, name, text, syntax) = match input {
        Input::Text { name, text, syntax } => {
            (PathBuf::from(name), name.clone(), text.clone(), *syntax)
        }
        Input::Edited { path, text } => (
            path.clone(),
            path.display().to_string(),
            text.clone(),
            Syntax::for_path(path),
        ),
        Input::Path(path) => {
            let name = path.display().to_string();
            let unread = FileReport {
                path: path.clone(),
                name: name.clone(),
                on_disk: true,
                doc: None,
                variants: Vec::new(),
            };
            // A regular file within the size bound; a symlink must stay inside its repository.
            let bytes = match crate::source::read_input(path, crate::limits::MAX_SPEC_BYTES, None) {
                Ok(b) => b,
                Err(e) => {
                    report.failures.push(Failure::Input(e));
                    return (unread, None);
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
                    return (unread, None);
                }
            }
        }
    };
    let id = report.sources.add(SourceFile::new(name.clone(), text));
    let file = FileReport {
        path,
        name,
        on_disk: matches!(input, Input::Path(_) | Input::Edited { .. }),
        doc: None,
        variants: Vec::new(),
    };
    (file, Some((id, syntax)))
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

/// Run the policies and apply the configuration, one group of files per configuration chain.
fn gate(
    report: &mut Report,
    mut found: Vec<Vec<Diagnostic>>,
    opts: &Options,
    base: Result<policy::Engine, PolicyError>,
) {
    // Group the files by the configuration files that apply to them, in order of first
    // appearance.
    let mut groups: Vec<(Vec<PathBuf>, Vec<usize>)> = Vec::new();
    for (i, f) in report.files.iter().enumerate() {
        let chain = match &opts.config {
            _ if opts.no_config => Vec::new(),
            Some(c) => vec![c.clone()],
            // Text that is not a file has no directory to search from.
            None if !f.on_disk => Vec::new(),
            None => config::discover_chain(&f.path)
                .into_iter()
                .map(|p| PathBuf::from(display(&p)))
                .collect(),
        };
        match groups.iter_mut().find(|(c, _)| *c == chain) {
            Some((_, members)) => members.push(i),
            None => groups.push((chain, vec![i])),
        }
    }

    // The built-in pack is parsed once; each group extends a clone of it.
    let builtin: &[policy::Rule] = base.as_ref().map_or(&[], |e| e.rules());
    let mut catalog = policy::catalog(builtin);
    let mut all = Vec::new();
    for (chain_paths, members) in &groups {
        let mut pending: Vec<Diagnostic> = Vec::new();
        for &i in members {
            pending.append(&mut found[i]);
        }
        let mut chain = Vec::new();
        for p in chain_paths {
            match config::load(p, display(p), &mut report.sources, &mut pending) {
                Ok(l) => chain.push(l),
                Err(e) => report.failures.push(Failure::Config(e)),
            }
        }
        let mut rules = builtin.to_vec();
        match extend(&base, &chain, opts) {
            Ok(mut engine) => {
                // Prepared once here, not once per clone (a no-op unless the configuration
                // added policies or data). An error here is a policy's, and evaluating reports
                // it with its location.
                let _ = engine.prepare();
                rules = engine.rules().to_vec();
                // Every variant of every file of the group, evaluated on every core, each
                // thread with its own clone of the engine.
                let work: Vec<(usize, usize)> = if opts.skip_policies {
                    Vec::new()
                } else {
                    members
                        .iter()
                        .filter(|&&i| report.files[i].doc.is_some())
                        .flat_map(|&i| (0..report.files[i].variants.len()).map(move |v| (i, v)))
                        .collect()
                };
                let files = &report.files;
                let results = parallel::map_with(
                    &work,
                    || engine.clone(),
                    |engine, &(i, v)| {
                        let f = &files[i];
                        let input = {
                            let _t = crate::timing::span("policy: build input");
                            policy::input(&f.variants[v].resolved, &f.name)
                        };
                        let found = engine.evaluate(input);
                        (found, engine.take_prints())
                    },
                );
                let mut per_file: BTreeMap<usize, Vec<Vec<policy::Finding>>> = BTreeMap::new();
                let mut broken = None;
                for ((i, _), (found, prints)) in work.iter().zip(results) {
                    report.prints.extend(prints);
                    match found {
                        Ok(fs) => per_file.entry(*i).or_default().push(fs),
                        Err(e) => {
                            broken.get_or_insert(e);
                        }
                    }
                }
                match broken {
                    Some(e) => report.failures.push(Failure::Policy(e)),
                    None => {
                        for (i, per_variant) in per_file {
                            let f = &report.files[i];
                            let Some(doc) = &f.doc else { continue };
                            let variants: Vec<&ResolvedSpec> =
                                f.variants.iter().map(|v| &v.resolved).collect();
                            let _t = crate::timing::span("policy: locate findings");
                            pending.extend(policy::locate(doc, &variants, per_variant));
                        }
                    }
                }
            }
            Err(e) => report.failures.push(Failure::Policy(e)),
        }
        let scoped: Vec<config::Scoped> = members
            .iter()
            .filter_map(|&i| {
                let f = &report.files[i];
                let doc = f.doc.as_ref()?;
                Some(config::Scoped {
                    path: f.path.clone(),
                    source: doc.source,
                    server: doc
                        .value
                        .pointer("/metadata/name")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string),
                })
            })
            .collect();
        let mut group_catalog = policy::catalog(&rules);
        // Gatekeeper constraints and manifest policies on the generated objects: their
        // findings obey the same levels and exceptions.
        let outputs = match gatekeeper_paths(&chain, opts) {
            Ok(o) => o,
            Err(e) => {
                report.failures.push(Failure::Policy(e));
                crate::gatekeeper::gate::Config::default()
            }
        };
        if !outputs.is_empty() {
            let files = members.iter().map(|&i| &report.files[i]);
            match crate::gatekeeper::gate::check_files(files, &outputs) {
                Ok((found, infos)) => {
                    pending.extend(found);
                    for info in infos {
                        if !group_catalog.iter().any(|c| c.code == info.code) {
                            group_catalog.push(info);
                        }
                    }
                }
                Err(e) => report.failures.push(Failure::Config(e)),
            }
        }
        let (group_rules, meta) = config::rules(
            &chain,
            &opts.overrides,
            &group_catalog,
            &opts.today,
            &scoped,
        );
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
    chain: &[Loaded],
    opts: &Options,
) -> Result<policy::Engine, PolicyError> {
    // Paths from an mcpgen.toml stay below the directory holding it (symbolic links included);
    // command-line ones are the caller's choice.
    let mut user = Vec::new();
    for loaded in chain {
        let root = config_root(loaded);
        for dir in loaded.policy_dirs() {
            user.extend(policy::read_dir_within(&dir, false, root)?);
        }
    }
    for dir in &opts.policies {
        user.extend(policy::read_dir(dir, false)?);
    }
    let mut data = Vec::new();
    for loaded in chain {
        let root = config_root(loaded);
        for f in loaded.data_files() {
            data.push(policy::read_data_within(&f, root)?);
        }
    }
    for f in &opts.data {
        data.push(policy::read_data(f)?);
    }
    base.clone()?.extend(&user, &data)
}

/// The directory holding a configuration file, which the paths it names may not leave.
fn config_root(loaded: &Loaded) -> &Path {
    loaded
        .path
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The Gatekeeper constraint paths and manifest policy directories of a configuration chain,
/// each confined below the directory of the file that names it, then the command line's.
fn gatekeeper_paths(
    chain: &[Loaded],
    opts: &Options,
) -> Result<crate::gatekeeper::gate::Config, PolicyError> {
    let mut out = crate::gatekeeper::gate::Config::default();
    for loaded in chain {
        let root = config_root(loaded);
        for p in loaded.constraint_paths() {
            policy::confined(&p, root, "constraints path")?;
            out.constraints.push(p);
        }
        for p in loaded.manifest_policy_dirs() {
            policy::confined(&p, root, "manifest policy directory")?;
            out.manifest_policies.push(p);
        }
    }
    out.constraints.extend(opts.constraints.iter().cloned());
    out.manifest_policies
        .extend(opts.manifest_policies.iter().cloned());
    Ok(out)
}

/// What a build is asked for beyond the checked report.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Targets to build by name; empty builds every target. A build of some targets replaces
    /// only their files in an environment's directory (see [`keep_other_targets`]).
    pub targets: Vec<String>,
    /// Build the base spec too, not only the environments.
    pub all_envs: bool,
    /// The output directory as given (`-o`), which the `ci` target's pipelines build into.
    pub out_dir: Option<String>,
}

/// The target that writes the delivery pipelines of a spec (`DIR/<name>/ci/`). It is not in
/// [`emitters`]: a pipeline covers every environment of a spec at once, and it is built only
/// when `--target` names it.
pub const CI_TARGET: &str = "ci";

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
    let mut names: Vec<&'static str> = emitters().iter().map(|e| e.name()).collect();
    names.push(CI_TARGET);
    names
}

/// A path as the pipeline should run it: relative to the repository root (where the build
/// runs), `/`-separated, without `..`.
fn repository_path(path: &str, what: &str) -> Result<String, Failure> {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./").trim_end_matches('/').to_string();
    let plain = !p.is_empty()
        && !p.starts_with('/')
        && !p.split('/').any(|s| s == ".." || s.is_empty())
        && p.chars().all(|c| !c.is_control());
    if plain {
        Ok(p)
    } else {
        Err(Failure::Argument(format!(
            "--target ci: the {what} `{path}` must be a relative path inside the repository \
             (run mcpgen from the repository root)"
        )))
    }
}

/// Build the selected targets for every valid variant of a checked report. Call it only when
/// the report has no error-level finding; variants are the report's (one with `--env`).
/// Every tree is kept in memory (for `diff`, `--stdout` and tests); `mcpgen build` writing a
/// directory uses [`build_each`], which hands each tree over as soon as it exists.
pub fn build(report: &Report, opts: &BuildOptions) -> Result<Built, Failure> {
    let mut trees = Vec::new();
    let mut built = build_each(report, opts, true, &mut |tree| trees.push(tree))?;
    built.trees = trees;
    Ok(built)
}

/// What building one variant produced, before it is accepted in input order.
enum Emitted {
    /// What no target can produce, or artifacts that do not agree: findings and no tree.
    Findings(Vec<Diagnostic>),
    /// The artifacts, with the findings of targets that had nothing to write.
    Artifacts {
        env: Option<String>,
        name: String,
        artifacts: Vec<Artifact>,
        empty: Vec<Diagnostic>,
    },
}

/// Lower one variant to a Model, run the selected emitters and the consistency stage.
fn emit_variant(
    file: &FileReport,
    variant: &Variant,
    selected: &[&dyn Emitter],
    opts: &BuildOptions,
) -> Result<Emitted, Failure> {
    let _t = crate::timing::span("build: model, emit, consistency");
    let locate = |d: Diagnostic, env: Option<&str>, pointer: &str, label: &str| match &file.doc {
        Some(doc) => d.with_label(doc.locate(env, pointer).0, label),
        None => d,
    };
    let source_name = file
        .path
        .file_name()
        .map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned());
    let model = Model::new(&variant.resolved, &source_name);
    let env = model.env.as_deref();
    let refusals = model.preflight();
    if !refusals.is_empty() {
        let mut out = Vec::new();
        for r in refusals {
            let d = Diagnostic::new(&codes::OUTPUT_UNSUPPORTED, r.message)
                .at_pointer(r.pointer.clone())
                .in_environment(env)
                .with_help(r.help);
            out.push(locate(d, env, &r.pointer, "cannot be built"));
        }
        return Ok(Emitted::Findings(out));
    }
    let mut artifacts: Vec<Artifact> = Vec::new();
    let mut empty = Vec::new();
    for e in selected {
        let emitted = e.emit(&model).map_err(|err| match err {
            CompileError::Serialize { .. } => Failure::Compile(err.to_string()),
        })?;
        if emitted.is_empty() && !opts.targets.is_empty() {
            let mut d = Diagnostic::new(
                &codes::OUTPUT_EMPTY,
                format!(
                    "target `{}` has nothing to write for `{}`{}",
                    e.name(),
                    model.name,
                    env.map(|e| format!(" ({e})")).unwrap_or_default()
                ),
            )
            .in_environment(env)
            .at_pointer("/spec");
            if let Some(doc) = &file.doc {
                let (span, _) = doc.locate(env, "/spec");
                d = d.with_label(span, "nothing to write");
            }
            empty.push(d);
        }
        artifacts.extend(emitted);
    }
    // The artifacts must agree with each other before anything is written.
    let findings = crate::consistency::check(&model, &artifacts);
    if !findings.is_empty() {
        let mut out = empty;
        for f in findings {
            let d = Diagnostic::new(f.code, f.message)
                .at_pointer(f.pointer.clone())
                .in_environment(env)
                .with_help(f.code.help.unwrap_or(f.code.summary));
            out.push(locate(d, env, &f.pointer, f.code.name));
        }
        return Ok(Emitted::Findings(out));
    }
    Ok(Emitted::Artifacts {
        env: model.env.clone(),
        name: model.name.clone(),
        artifacts,
        empty,
    })
}

/// What identifies a Kubernetes object (see `crate::compile::Object::key`).
type ObjectKey = (String, String, String, String);

/// The trees accepted so far, in input order, with what the checks across trees need: the
/// roots (no two outputs in one place) and, per environment, which plan first wrote each
/// object (an object two specs both write).
struct Accepted<'a> {
    built: Built,
    roots: std::collections::BTreeSet<String>,
    seen: BTreeMap<(Option<String>, ObjectKey), usize>,
    /// Objects written twice: (environment, finding), ordered by environment at the end.
    duplicates: Vec<(Option<String>, Diagnostic)>,
    keep_artifacts: bool,
    on_tree: &'a mut dyn FnMut(Tree),
}

impl Accepted<'_> {
    /// Take one built variant (or the `ci` pipelines of a spec): check it against the trees
    /// before it, record it, and hand its tree over.
    fn accept(&mut self, file: &FileReport, plan: Plan, tree: Tree) -> Result<(), Failure> {
        write::validate_next(&tree, &self.roots).map_err(|e| Failure::Overlap(e.to_string()))?;
        let index = self.built.plans.len();
        for (_, o) in plan.objects() {
            let key = (plan.environment.clone(), o.key());
            match self.seen.get(&key) {
                Some(&j) if j != index => {
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
                    let d = match &file.doc {
                        Some(doc) => d.with_label(
                            doc.locate(plan.environment.as_deref(), pointer).0,
                            "written twice",
                        ),
                        None => d,
                    };
                    self.duplicates.push((plan.environment.clone(), d));
                }
                Some(_) => {}
                None => {
                    self.seen.insert(key, index);
                }
            }
        }
        let mut plan = plan;
        if !self.keep_artifacts {
            // Written, so no longer needed: a build of a thousand specs holds one at a time.
            plan.artifacts = Vec::new();
        }
        self.roots.insert(tree.root.clone());
        self.built.plans.push(plan);
        (self.on_tree)(tree);
        Ok(())
    }
}

/// Build like [`build`], handing each tree to `on_tree` as soon as it is built and checked
/// against the trees before it, in input order, and keeping none: the returned [`Built`] has
/// no trees, and its plans keep their artifacts only with `keep_artifacts`. Variants are
/// built on every core, a batch of files at a time, so memory holds one batch of outputs
/// whatever the number of specs. On `Err`, trees already handed over must be discarded.
pub fn build_each(
    report: &Report,
    opts: &BuildOptions,
    keep_artifacts: bool,
    on_tree: &mut dyn FnMut(Tree),
) -> Result<Built, Failure> {
    let all = emitters();
    for t in &opts.targets {
        if t != CI_TARGET && !all.iter().any(|e| e.name() == t) {
            return Err(Failure::UnknownTarget {
                name: t.clone(),
                known: target_names().join(", "),
            });
        }
    }
    let selected: Vec<&dyn Emitter> = all
        .iter()
        .filter(|e| opts.targets.is_empty() || opts.targets.iter().any(|t| t == e.name()))
        .map(|e| &**e)
        .collect();
    let ci = opts.targets.iter().any(|t| t == CI_TARGET);
    let mut acc = Accepted {
        built: Built::default(),
        roots: Default::default(),
        seen: BTreeMap::new(),
        duplicates: Vec::new(),
        keep_artifacts,
        on_tree,
    };
    let batch = 8 * parallel::jobs(usize::MAX);
    for files in report.files.chunks(batch) {
        let work: Vec<(usize, &Variant)> = if selected.is_empty() {
            Vec::new()
        } else {
            files
                .iter()
                .enumerate()
                .flat_map(|(i, f)| select(f, opts.all_envs).into_iter().map(move |v| (i, v)))
                .collect()
        };
        let mut emitted =
            parallel::map(&work, |&(i, v)| emit_variant(&files[i], v, &selected, opts))
                .into_iter()
                .zip(&work)
                .peekable();
        for (i, file) in files.iter().enumerate() {
            let source_name = file
                .path
                .file_name()
                .map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned());
            if ci && let Some((plan, tree)) = ci_tree(file, &source_name, opts)? {
                acc.accept(file, plan, tree)?;
            }
            while let Some((result, &(_, variant))) = emitted.next_if(|(_, (j, _))| *j == i) {
                match result? {
                    Emitted::Findings(ds) => acc.built.diagnostics.extend(ds),
                    Emitted::Artifacts {
                        env,
                        name,
                        artifacts,
                        empty,
                    } => {
                        acc.built.diagnostics.extend(empty);
                        let files: BTreeMap<String, String> = artifacts
                            .iter()
                            .map(|a| (a.path.clone(), a.contents.clone()))
                            .collect();
                        // One rule whatever the number of specs built at once, so a spec
                        // always lands in the same place (the drift check of one spec of a
                        // set finds what a build of the set wrote).
                        let root = format!("{name}/{}", env.as_deref().unwrap_or("base"));
                        if acc.roots.contains(&root) {
                            return Err(Failure::Overlap(format!(
                                "two specs would both write to `{root}`: give them different \
                                 metadata.name values"
                            )));
                        }
                        let plan = Plan {
                            file: file.name.clone(),
                            environment: env,
                            root: root.clone(),
                            resolved: variant.resolved.clone(),
                            artifacts,
                        };
                        acc.accept(file, plan, Tree { root, files })?;
                    }
                }
            }
        }
    }
    // Outputs of one environment are deployed together: an object two specs both write (a
    // namespace both claim to own) would be silently replaced by the later one.
    let mut duplicates = std::mem::take(&mut acc.duplicates);
    duplicates.sort_by(|a, b| a.0.cmp(&b.0));
    let mut built = acc.built;
    built
        .diagnostics
        .extend(duplicates.into_iter().map(|(_, d)| d));
    // Findings of the same variant reported by several models (none today) are shown once.
    built.diagnostics.dedup();
    Ok(built)
}

/// The `ci` target of one spec: its pipelines, built from every environment's Model in the
/// order the spec lists them, as the tree `<name>/ci`.
fn ci_tree(
    file: &FileReport,
    source_name: &str,
    opts: &BuildOptions,
) -> Result<Option<(Plan, Tree)>, Failure> {
    let Some(doc) = &file.doc else {
        return Ok(None);
    };
    let order: Vec<String> = doc
        .value
        .pointer("/spec/environments")
        .and_then(serde_json::Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let variants: Vec<&Variant> = if order.is_empty() {
        file.variants
            .iter()
            .filter(|v| v.spec.env().is_none())
            .collect()
    } else {
        order
            .iter()
            .filter_map(|e| file.variants.iter().find(|v| v.spec.env() == Some(e)))
            .collect()
    };
    if variants.len() != order.len().max(1) {
        return Err(Failure::Argument(format!(
            "--target ci: the pipeline of {} deploys every environment in turn; build it \
             without --env",
            file.name
        )));
    }
    let out = opts.out_dir.as_deref().ok_or_else(|| {
        Failure::Argument("--target ci writes files: give an output directory (-o)".to_string())
    })?;
    let paths = crate::compile::ci::Paths {
        spec: repository_path(&file.name, "spec")?,
        out: repository_path(out, "output directory")?,
    };
    let models: Vec<Model> = variants
        .iter()
        .map(|v| Model::new(&v.resolved, source_name))
        .collect();
    if models.iter().any(|m| !m.preflight().is_empty()) {
        // The environments' own build reports what cannot be built.
        return Ok(None);
    }
    let stages: Vec<crate::compile::ci::Stage> = models
        .iter()
        .map(|m| crate::compile::ci::Stage {
            env: m.env.clone().unwrap_or_else(|| "base".to_string()),
            model: m,
        })
        .collect();
    if stages.iter().any(|s| s.env == crate::compile::ci::DIR) {
        return Err(Failure::Overlap(format!(
            "{}: an environment named `{}` and the pipelines would both be written to \
             `{}/{}`",
            file.name,
            crate::compile::ci::DIR,
            models[0].name,
            crate::compile::ci::DIR
        )));
    }
    let artifacts = crate::compile::ci::emit(&stages, &paths).map_err(|err| match err {
        CompileError::Serialize { .. } => Failure::Compile(err.to_string()),
    })?;
    let root = format!("{}/{}", models[0].name, crate::compile::ci::DIR);
    let files: BTreeMap<String, String> = artifacts
        .iter()
        .map(|a| {
            (
                a.path
                    .strip_prefix(&format!("{}/", crate::compile::ci::DIR))
                    .unwrap_or(&a.path)
                    .to_string(),
                a.contents.clone(),
            )
        })
        .collect();
    let plan = Plan {
        file: file.name.clone(),
        environment: None,
        root: root.clone(),
        resolved: variants[0].resolved.clone(),
        artifacts,
    };
    Ok(Some((plan, Tree { root, files })))
}

/// For a build of some targets: add to each tree the files already under `out` that belong to
/// no selected target, so writing the tree replaces only the selected targets' files (and
/// `--check` compares only those). Symlinks, special and unreadable files are left out (the
/// writer reports what it cannot replace), and so are files no target writes in a directory
/// without mcpgen's ownership marker: adopting them would let the writer claim a directory
/// mcpgen did not create ([`write::MARKER`]).
pub fn keep_other_targets(out: &Path, trees: &mut [Tree], targets: &[String]) {
    if targets.is_empty() {
        return;
    }
    for tree in trees {
        let dir = out.join(&tree.root);
        let marked = std::fs::symlink_metadata(dir.join(write::MARKER)).is_ok_and(|m| m.is_file());
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(ty) = e.file_type() else { continue };
                let path = e.path();
                if ty.is_dir() {
                    stack.push(path);
                    continue;
                }
                if !ty.is_file() {
                    continue;
                }
                let Ok(rel) = path.strip_prefix(&dir) else {
                    continue;
                };
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let owner = crate::compile::owner(&rel);
                let selected = owner.is_some_and(|o| targets.iter().any(|t| t == o));
                if selected
                    || rel == write::MARKER
                    || (owner.is_none() && !marked)
                    || tree.files.contains_key(&rel)
                {
                    continue;
                }
                if let Ok(bytes) =
                    crate::source::read_input(&path, write::MAX_OUTPUT_FILE_BYTES, Some(out))
                    && let Ok(text) = String::from_utf8(bytes)
                {
                    tree.files.insert(rel, text);
                }
            }
        }
    }
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
