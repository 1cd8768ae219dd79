//! Rego policies evaluated in-process with regorus: loading the built-in pack and teams' own
//! policy directories, Conftest-compatible rule discovery, METADATA-driven rule identity, and
//! turning rule results into located [`Diagnostic`]s.
//!
//! The engine is built once per process ([`Engine::new`]): the embedded pack and any user
//! policies are parsed once, then every resolved spec is evaluated against the same engine.
//! Rule results are findings, never errors; an `Err` from this module means a policy itself is
//! broken (exit 2). Levels from the configuration and exceptions are applied later, by
//! `crate::config`; the test runner lives in [`verify`].

#[rustfmt::skip]
mod builtin_catalog;
pub mod guard;
pub mod metadata;
pub mod pack;
pub mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diagnostics::render::{RuleInfo, rule_doc_url};
use crate::diagnostics::{Diagnostic, Level, Span, codes};
use crate::resolve::ResolvedSpec;
use crate::spec::Document;
use metadata::{RuleMeta, rule_kind};

/// A policy that mcpgen could not load or evaluate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The Rego text does not parse or does not evaluate; `file:line:col` from regorus.
    #[error("{file}:{line}:{col}: {message}")]
    Broken {
        /// Policy file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// regorus's message.
        message: String,
    },
    /// A file or directory that could not be read, or an error without a location.
    #[error("{0}")]
    Other(String),
}

impl PolicyError {
    /// Turn regorus's formatted error (`--> file:line:col`, then `error: message`) into a
    /// located error; regorus offers no structured span.
    pub fn from_regorus(e: impl std::fmt::Display) -> PolicyError {
        let text = e.to_string();
        let location = text
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .and_then(|loc| {
                let mut parts = loc.rsplitn(3, ':');
                let col = parts.next()?.trim().parse().ok()?;
                let line = parts.next()?.trim().parse().ok()?;
                Some((parts.next()?.to_string(), line, col))
            });
        let message = text
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("error: "))
            .map(str::to_string)
            .unwrap_or_else(|| text.trim().to_string());
        match location {
            Some((file, line, col)) => PolicyError::Broken {
                file,
                line,
                col,
                message,
            },
            None => PolicyError::Other(message),
        }
    }
}

/// One policy file: its display path and text.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Path shown in errors and coverage.
    pub path: String,
    /// Rego source.
    pub text: String,
}

/// A rule the engine evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Package path (`mcpgen.images`).
    pub package: String,
    /// Rule name (`deny_latest_image_tag`).
    pub rule: String,
    /// Source file.
    pub file: String,
    /// Line of its first definition.
    pub line: usize,
    /// Its METADATA, if any.
    pub meta: RuleMeta,
    /// Part of the embedded pack.
    pub builtin: bool,
}

impl Rule {
    /// The code findings of this rule carry when a result does not say: METADATA `custom.code`,
    /// else `<package>.<rule>` (Conftest's SARIF rule id uses the same pair).
    pub fn code(&self) -> String {
        self.meta
            .code
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.package, self.rule))
    }

    /// Kebab-case name: METADATA `custom.name`, else the rule name without its kind prefix.
    pub fn name(&self) -> String {
        if let Some(n) = &self.meta.name {
            return n.clone();
        }
        let base = ["deny_", "warn_", "violation_"]
            .iter()
            .find_map(|p| self.rule.strip_prefix(p))
            .unwrap_or(&self.rule);
        base.replace('_', "-")
    }

    /// Level: METADATA `custom.level`, else by kind (`warn` → warning, others → error).
    pub fn level(&self) -> Level {
        self.meta
            .level
            .or_else(|| rule_kind(&self.rule))
            .unwrap_or(Level::Error)
    }

    /// Catalog entry.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            code: self.code(),
            name: self.name(),
            level: self.level(),
            configurable: true,
            summary: self
                .meta
                .title
                .clone()
                .or_else(|| self.meta.description.clone())
                .unwrap_or_else(|| format!("{}.{}", self.package, self.rule)),
            description: self.meta.description.clone(),
            related: self.meta.related.clone(),
            docs: docs(self),
            help: self.meta.help.clone(),
            help_uri: self.builtin.then(|| rule_doc_url(&self.name())),
            tags: self.meta.tags.clone(),
            security_severity: self.meta.security_severity.clone(),
        }
    }
}

/// The rule's documentation in Markdown with the fixed headings.
pub fn docs(rule: &Rule) -> Option<String> {
    let m = &rule.meta;
    let description = m.description.as_ref()?;
    let mut out = format!(
        "# {} ({})\n\n{}\n\nLevel: {}. Source: {} (`{}.{}`).\n\n## What it does\n\n{}\n",
        rule.name(),
        rule.code(),
        m.title.as_deref().unwrap_or(""),
        rule.level().as_str(),
        rule.file,
        rule.package,
        rule.rule,
        description
    );
    if let Some(why) = &m.why {
        out.push_str(&format!("\n## Why is this bad\n\n{why}\n"));
    }
    if let Some(example) = &m.example {
        out.push_str(&format!("\n## Example\n\n```yaml\n{example}\n```\n"));
    }
    if let Some(instead) = &m.instead {
        out.push_str(&format!("\n## Use instead\n\n```yaml\n{instead}\n```\n"));
    }
    if let Some(help) = &m.help {
        out.push_str(&format!("\nIn short: {help}.\n"));
    }
    if !m.related.is_empty() {
        out.push_str(&format!(
            "\n## Related checks\n\n{}\n",
            m.related
                .iter()
                .map(|r| format!("- {r}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    Some(out)
}

/// One result of one rule for one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Code (from the result, else the rule).
    pub code: String,
    /// Rule name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// Message.
    pub message: String,
    /// JSON Pointer into the resolved spec, when the result gave one.
    pub path: Option<String>,
    /// How to fix it: the result's `help`, else the rule's METADATA `custom.help`.
    pub help: Option<String>,
    /// Whether the rule is part of the built-in pack (so `mcpgen explain` documents it).
    pub builtin: bool,
}

/// The built-in pack's rules with their METADATA, sorted by code (for `rules` and `explain`).
pub fn builtin_rules() -> Vec<Rule> {
    let mut rules = builtin_catalog::rules();
    rules.sort_by_key(Rule::code);
    rules
}

/// The built-in pack's rules in file order, read from the embedded sources: what
/// `builtin_catalog.rs` is generated from.
#[cfg(test)]
fn scan_builtin_rules() -> Vec<Rule> {
    let mut rules = Vec::new();
    for f in pack::FILES.iter().filter(|f| !f.is_test()) {
        collect_rules(f.path, f.text, true, &mut rules);
    }
    rules
}

fn collect_rules(path: &str, text: &str, builtin: bool, out: &mut Vec<Rule>) {
    let scanned = metadata::scan(text);
    let package = scanned.package.unwrap_or_default();
    for r in scanned.rules {
        out.push(Rule {
            package: package.clone(),
            rule: r.rule,
            file: path.to_string(),
            line: r.line,
            meta: r.meta.unwrap_or_default(),
            builtin,
        });
    }
}

/// Every `.rego` file under a directory, recursively, sorted. `tests` selects `*_test.rego`
/// files too. For directories named on the command line; see [`read_dir_within`] for those of
/// an `mcpgen.toml`.
pub fn read_dir(dir: &Path, tests: bool) -> Result<Vec<PolicyFile>, PolicyError> {
    read_policies(dir, tests, None)
}

/// [`read_dir`] for a directory named by an `mcpgen.toml`: the directory, every file read and
/// every symbolic link followed must resolve inside `root` (the directory holding the
/// configuration), so a repository's configuration cannot read the runner's files.
pub fn read_dir_within(
    dir: &Path,
    tests: bool,
    root: &Path,
) -> Result<Vec<PolicyFile>, PolicyError> {
    confined(dir, root, "policy directory")?;
    read_policies(dir, tests, Some(root))
}

/// Refuse a configured path that leaves `root` (the directory holding `mcpgen.toml`, as given):
/// lexically (a `..` component, an absolute path) or through a symbolic link.
pub fn confined(path: &Path, root: &Path, what: &str) -> Result<(), PolicyError> {
    use std::path::Component;
    let below = if root.as_os_str().is_empty() || root == Path::new(".") {
        Some(path)
    } else {
        path.strip_prefix(root).ok()
    };
    let lexical = below.is_some_and(|r| {
        r.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    });
    let canonical_root = std::fs::canonicalize(root)
        .map_err(|e| PolicyError::Other(format!("{}: cannot read: {e}", root.display())))?;
    let inside = std::fs::canonicalize(path).map(|p| p.starts_with(&canonical_root));
    match inside {
        Ok(true) if lexical => Ok(()),
        Ok(_) => Err(PolicyError::Other(format!(
            "{}: the {what} leaves the directory holding mcpgen.toml ({}); configured paths \
             must be relative, without `..`, and stay inside it (symbolic links included)",
            path.display(),
            canonical_root.display()
        ))),
        Err(e) => Err(PolicyError::Other(format!(
            "{}: cannot read {what}: {e}",
            path.display()
        ))),
    }
}

fn read_policies(
    dir: &Path,
    tests: bool,
    within: Option<&Path>,
) -> Result<Vec<PolicyFile>, PolicyError> {
    let mut paths = Vec::new();
    walk(dir, within, &mut paths)?;
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let name = p.to_string_lossy();
        if !name.ends_with(".rego") || (!tests && name.ends_with("_test.rego")) {
            continue;
        }
        let text = crate::source::read_input_text(&p, crate::limits::MAX_POLICY_FILE_BYTES, within)
            .map_err(|e| PolicyError::Other(e.to_string()))?;
        out.push(PolicyFile {
            path: p.display().to_string(),
            text,
        });
    }
    Ok(out)
}

/// Every file below `dir` (or `dir` itself when it is a file), unsorted: see [`walk`]'s
/// bounds. With `within`, a symbolic link that leads outside it is an error.
pub fn files_under(dir: &Path, within: Option<&Path>) -> Result<Vec<PathBuf>, PolicyError> {
    let mut out = Vec::new();
    walk(dir, within, &mut out)?;
    Ok(out)
}

/// Collect the files below `dir`, iteratively: each directory is visited once whatever links
/// lead to it (a symlink loop ends), depth and file count are bounded, and with `within` a link
/// that leads outside it is an error.
fn walk(dir: &Path, within: Option<&Path>, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    use crate::limits::{MAX_POLICY_DIR_DEPTH, MAX_POLICY_FILES};
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    let root = within.and_then(|r| std::fs::canonicalize(r).ok());
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        if let Ok(c) = std::fs::canonicalize(&d)
            && !seen.insert(c)
        {
            continue;
        }
        if depth > MAX_POLICY_DIR_DEPTH {
            return Err(PolicyError::Other(format!(
                "{}: policy directories nest more than {MAX_POLICY_DIR_DEPTH} levels deep",
                d.display()
            )));
        }
        let entries = std::fs::read_dir(&d).map_err(|e| {
            PolicyError::Other(format!(
                "{}: cannot read policy directory: {e}",
                d.display()
            ))
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| PolicyError::Other(format!("{}: {e}", d.display())))?;
            let path = entry.path();
            let link = entry.file_type().is_ok_and(|t| t.is_symlink());
            if link
                && let Some(r) = &root
                && !crate::source::resolves_within(&path, r)
            {
                return Err(PolicyError::Other(format!(
                    "{}: a symbolic link that leads outside the directory holding mcpgen.toml",
                    path.display()
                )));
            }
            if path.is_dir() {
                stack.push((path, depth + 1));
            } else {
                out.push(path);
                if out.len() > MAX_POLICY_FILES {
                    return Err(PolicyError::Other(format!(
                        "{}: more than {MAX_POLICY_FILES} files under the policy directories",
                        dir.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Read a JSON or YAML data file into a value merged into `data` (named on the command line).
pub fn read_data(path: &Path) -> Result<Value, PolicyError> {
    read_data_impl(path, None)
}

/// [`read_data`] for a file named by an `mcpgen.toml`: it must resolve inside `root`.
pub fn read_data_within(path: &Path, root: &Path) -> Result<Value, PolicyError> {
    confined(path, root, "data file")?;
    read_data_impl(path, Some(root))
}

fn read_data_impl(path: &Path, within: Option<&Path>) -> Result<Value, PolicyError> {
    let text = crate::source::read_input_text(path, crate::limits::MAX_DATA_BYTES, within)
        .map_err(|e| PolicyError::Other(format!("cannot read data file: {e}")))?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        return serde_json::from_str(&text)
            .map_err(|e| PolicyError::Other(format!("{}: invalid JSON: {e}", path.display())));
    }
    let file = crate::source::SourceFile::new(path.display().to_string(), text);
    crate::spec::yaml::parse(crate::source::SourceId(0), &file)
        .map(|d| d.value)
        .map_err(|d| {
            let msg = d.first().map_or_else(String::new, |d| {
                let (l, c) = d.start(&single(&file)).unwrap_or((1, 1));
                format!("{l}:{c}: {}", d.message)
            });
            PolicyError::Other(format!("{}: invalid YAML: {msg}", path.display()))
        })
}

fn single(file: &crate::source::SourceFile) -> crate::source::Sources {
    let mut s = crate::source::Sources::new();
    s.add(crate::source::SourceFile::new(file.name(), file.text()));
    s
}

/// The policy engine of one run: regorus with every policy parsed, and the rules to evaluate.
/// Cloning is cheap next to parsing: a run parses the built-in pack once and clones it for
/// each configuration's policies ([`Engine::extend`]).
#[derive(Clone)]
pub struct Engine {
    engine: regorus::Engine,
    rules: Vec<Rule>,
    prints: Vec<String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Engine {
    /// Parse the built-in pack (unless `builtin` is false), the user policies and the data.
    pub fn new(builtin: bool, user: &[PolicyFile], data: &[Value]) -> Result<Engine, PolicyError> {
        let mut engine = regorus::Engine::new();
        guard::deny_nondeterministic(&mut engine);
        // OPA's default: a builtin given a bad value is undefined rather than aborting the
        // whole evaluation (units.parse_bytes("lots") must not hide every other finding).
        engine.set_strict_builtin_errors(false);
        engine.set_gather_prints(true);
        // A team policy can loop for a very long time on a crafted input; bound every
        // evaluation so `check` in CI fails (exit 2) instead of hanging.
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: crate::limits::POLICY_TIME,
            check_interval: std::num::NonZeroU32::MIN.saturating_add(999),
        });
        // The constants the pack reads instead of keeping literals of its own.
        engine
            .add_data(regorus::Value::from(crate::resolve::policy_constants()))
            .map_err(PolicyError::from_regorus)?;
        let mut rules = Vec::new();
        if builtin {
            let _t = crate::timing::span("policy: parse the built-in pack");
            for f in pack::FILES.iter().filter(|f| !f.is_test()) {
                engine
                    .add_policy(f.path.to_string(), f.text.to_string())
                    .map_err(PolicyError::from_regorus)?;
            }
            // The pack's METADATA was read when the binary was built (a YAML parse per rule
            // at every start cost a tenth of a check).
            rules = builtin_catalog::rules();
        }
        Engine {
            engine,
            rules,
            prints: Vec::new(),
        }
        .extend(user, data)
    }

    /// Do now the analysis regorus otherwise does before the first query of every clone
    /// (rule scheduling, loop hoisting): clones made afterwards share it. Evaluating a rule
    /// of no package is enough to trigger it.
    pub fn prepare(&mut self) -> Result<(), PolicyError> {
        let _t = crate::timing::span("policy: prepare (once)");
        self.engine
            .eval_query("data.mcpgen_prepare_only".to_string(), false)
            .map(|_| ())
            .map_err(PolicyError::from_regorus)
    }

    /// Add user policies and data to this engine.
    pub fn extend(mut self, user: &[PolicyFile], data: &[Value]) -> Result<Engine, PolicyError> {
        let Engine { engine, rules, .. } = &mut self;
        // regorus overflows its stack on a recursive function: refuse those first.
        guard::check_recursion(user)?;
        for f in user {
            engine
                .add_policy(f.path.clone(), f.text.clone())
                .map_err(PolicyError::from_regorus)?;
            let scanned = metadata::scan(&f.text);
            if let Some((line, message)) = scanned.errors.first() {
                return Err(PolicyError::Broken {
                    file: f.path.clone(),
                    line: *line,
                    col: 1,
                    message: format!("invalid METADATA: {message}"),
                });
            }
            collect_rules(&f.path, &f.text, false, rules);
        }
        for d in data {
            engine
                .add_data(regorus::Value::from(d.clone()))
                .map_err(PolicyError::from_regorus)?;
        }
        Ok(self)
    }

    /// The rules this engine evaluates.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Lines `print()` wrote during evaluations so far (and forget them).
    pub fn take_prints(&mut self) -> Vec<String> {
        std::mem::take(&mut self.prints)
    }

    /// Evaluate every rule on one input document.
    ///
    /// Packages are evaluated as whole documents, one query per top-level name (`data.mcpgen`
    /// for the built-in pack): regorus evaluates an imported package such as `data.mcpgen.lib`
    /// entirely on first reference, so one query shares that work among all rules instead of
    /// repeating it per rule or per package (measured: 1.7 ms instead of 3.6 ms per input for
    /// the built-in pack).
    pub fn evaluate(&mut self, input: Value) -> Result<Vec<Finding>, PolicyError> {
        let input = {
            let _t = crate::timing::span("policy: input to regorus value");
            regorus::Value::from(input)
        };
        if crate::timing::per_package() {
            self.time_packages(&input);
        }
        let _t = crate::timing::span("policy: evaluate");
        self.engine.set_input(input);
        let mut out = Vec::new();
        let mut roots: Vec<&str> = self
            .rules
            .iter()
            .map(|r| r.package.split('.').next().unwrap_or_default())
            .collect();
        roots.sort_unstable();
        roots.dedup();
        for root in roots {
            let engine = &mut self.engine;
            let results = guard::with_memory_limit(|| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    engine.eval_query(format!("data.{root}"), false)
                }))
            })
            .map_err(|_| {
                PolicyError::Other(format!("the policy engine crashed evaluating data.{root}"))
            })?
            .map_err(|e| {
                guard::explain_limit(&e).unwrap_or_else(|| PolicyError::from_regorus(e))
            })?;
            let Some(value) = results
                .result
                .into_iter()
                .next()
                .and_then(|r| r.expressions.into_iter().next())
                .map(|e| e.value)
            else {
                continue;
            };
            let in_root = |r: &&Rule| r.package.split('.').next() == Some(root);
            for rule in self.rules.iter().filter(in_root) {
                let mut v = &value;
                for part in rule.package.split('.').skip(1).chain([rule.rule.as_str()]) {
                    v = &v[&regorus::Value::String(part.into())];
                }
                if *v == regorus::Value::Undefined {
                    continue;
                }
                let json = serde_json::to_value(v).map_err(|e| {
                    PolicyError::Other(format!("{}: result is not JSON: {e}", rule.file))
                })?;
                let items = match json {
                    Value::Array(a) => a,
                    Value::Bool(false) | Value::Null => Vec::new(),
                    other => vec![other],
                };
                for item in items {
                    out.push(finding(rule, item));
                }
            }
        }
        if let Ok(prints) = self.engine.take_prints() {
            self.prints.extend(prints);
        }
        Ok(out)
    }
}

impl Engine {
    /// For `MCPGEN_TIMINGS=packages`: evaluate each package on its own, on a clone of the
    /// engine, and record its time (`policy package <name>`). A package's time includes what it
    /// imports (`data.mcpgen.lib`, itself timed alone), so the figures overlap.
    fn time_packages(&self, input: &regorus::Value) {
        let mut packages: Vec<&str> = self.rules.iter().map(|r| r.package.as_str()).collect();
        packages.push("mcpgen.lib");
        packages.sort_unstable();
        packages.dedup();
        for package in packages {
            let mut engine = self.engine.clone();
            engine.set_input(input.clone());
            let name: &'static str =
                Box::leak(format!("policy package {package}").into_boxed_str());
            let start = std::time::Instant::now();
            let _ = engine.eval_query(format!("data.{package}"), false);
            crate::timing::record(name, start.elapsed());
        }
    }
}

/// One rule result: a message string, or an object with `msg` and optionally `code`, `path`,
/// `level`, `name`.
fn finding(rule: &Rule, item: Value) -> Finding {
    let mut f = Finding {
        code: rule.code(),
        name: rule.name(),
        level: rule.level(),
        message: String::new(),
        path: None,
        help: rule.meta.help.clone(),
        builtin: rule.builtin,
    };
    match item {
        Value::String(s) => f.message = s,
        Value::Object(o) => {
            let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
            f.message = text("msg")
                .or_else(|| text("message"))
                .unwrap_or_else(|| Value::Object(o.clone()).to_string());
            if let Some(c) = text("code") {
                f.code = c;
            }
            if let Some(n) = text("name") {
                f.name = n;
            }
            match text("level").or_else(|| text("severity")).as_deref() {
                Some("error") | Some("deny") => f.level = Level::Error,
                Some("warning") | Some("warn") => f.level = Level::Warning,
                Some("note") | Some("info") => f.level = Level::Note,
                _ => {}
            }
            f.path = text("path").filter(|p| p.is_empty() || p.starts_with('/'));
            if let Some(h) = text("help") {
                f.help = Some(h);
            }
        }
        other => f.message = other.to_string(),
    }
    f
}

/// The input document of one resolved spec: `{apiVersion, kind, metadata, spec}` with every
/// default filled in (see [`crate::resolve`]), plus `environment` (name or null), `file` (the
/// path as given) and `defaulted` (the JSON Pointers of the fields mcpgen's defaults filled in,
/// sorted).
pub fn input(resolved: &ResolvedSpec, file: &str) -> Value {
    let mut obj = match serde_json::to_value(&resolved.file) {
        Ok(Value::Object(o)) => o,
        // Plain structs of strings, numbers and maps with string keys.
        other => unreachable!("a resolved spec serializes to a JSON object, got {other:?}"),
    };
    obj.insert(
        "defaulted".into(),
        Value::Array(
            resolved
                .defaulted
                .iter()
                .cloned()
                .map(Value::String)
                .collect(),
        ),
    );
    obj.insert(
        "overridden".into(),
        Value::Array(
            resolved
                .overridden
                .iter()
                .cloned()
                .map(Value::String)
                .collect(),
        ),
    );
    obj.insert(
        "environment".into(),
        resolved
            .env
            .as_ref()
            .map_or(Value::Null, |e| Value::String(e.clone())),
    );
    obj.insert("file".into(), Value::String(file.to_string()));
    Value::Object(obj)
}

/// Evaluate every variant of one file and return the findings as diagnostics located in its
/// document (see [`locate`]).
pub fn check_file(
    engine: &mut Engine,
    doc: &Document,
    file: &str,
    variants: &[&ResolvedSpec],
) -> Result<Vec<Diagnostic>, PolicyError> {
    let mut per_variant = Vec::new();
    for resolved in variants {
        per_variant.push(engine.evaluate(input(resolved, file))?);
    }
    Ok(locate(doc, variants, per_variant))
}

/// Turn the findings of each variant of one file (in the order of `variants`) into diagnostics
/// located in its document.
///
/// A finding that every checked variant (base and environments) produces with the same code,
/// pointer and message is reported once, at the first variant's location, without an
/// environment; one that only some variants produce is reported once per variant, with its
/// environment.
pub fn locate(
    doc: &Document,
    variants: &[&ResolvedSpec],
    per_variant: Vec<Vec<Finding>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // (code, pointer, message) → diagnostics per variant, in first-seen order.
    let mut groups: BTreeMap<(String, Option<String>, String), Vec<Diagnostic>> = BTreeMap::new();
    let mut order = Vec::new();
    for (resolved, findings) in variants.iter().zip(per_variant) {
        let env = resolved.env.as_deref();
        let mut seen = std::collections::HashSet::new();
        for f in findings {
            let mut d =
                Diagnostic::dynamic(&f.code, &f.name, f.level, &f.message).in_environment(env);
            let span = match &f.path {
                Some(p) => {
                    let (span, _) = doc.locate(env, p);
                    d = d.with_label(span, label(&f)).at_pointer(p.clone());
                    Some(span)
                }
                None => {
                    d = d.in_source(doc.source);
                    None
                }
            };
            if let Some(info) = codes::find(&f.code) {
                d.help = info.help.map(str::to_string);
            }
            if let Some(h) = &f.help {
                d.help = Some(h.clone());
            }
            if f.builtin {
                d.explain = Some(f.code.clone());
            }
            // Keyed by pointer rather than span: a finding about an absent field resolves to
            // the overlay in an environment that overlays a sibling, yet says the same.
            let key = (
                f.code.clone(),
                f.path
                    .clone()
                    .or_else(|| span.map(|s: Span| format!("@{}+{}", s.offset, s.len))),
                f.message.clone(),
            );
            if !seen.insert(key.clone()) {
                continue;
            }
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            groups.entry(key).or_default().push(d);
        }
    }
    let n = variants.len();
    for key in order {
        let Some(mut ds) = groups.remove(&key) else {
            continue;
        };
        if ds.len() == n && n > 1 {
            let mut d = ds.swap_remove(0);
            d.environment = None;
            out.push(d);
        } else {
            out.extend(ds);
        }
    }
    out
}

/// The label under the flagged value: the rule name, so the snippet reads on its own.
fn label(f: &Finding) -> String {
    f.name.clone()
}

/// The catalog of every code a run can report: the built-in non-policy codes, then the rules
/// of `rules` (built-in pack and user policies), sorted by code.
pub fn catalog(rules: &[Rule]) -> Vec<RuleInfo> {
    let mut out: Vec<RuleInfo> = codes::ALL.iter().map(RuleInfo::from_code).collect();
    for r in rules {
        let info = r.info();
        if !out.iter().any(|o| o.code == info.code) {
            out.push(info);
        }
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regorus_errors_keep_file_line_and_column() {
        let text = "\n--> team/bad.rego:4:9\n  |\n4 |   x := (\n  |     ^\nerror: expecting `}` while parsing set";
        assert_eq!(
            PolicyError::from_regorus(text),
            PolicyError::Broken {
                file: "team/bad.rego".into(),
                line: 4,
                col: 9,
                message: "expecting `}` while parsing set".into(),
            }
        );
        assert_eq!(
            PolicyError::from_regorus("something odd"),
            PolicyError::Other("something odd".into())
        );
    }

    fn user(text: &str) -> Vec<PolicyFile> {
        vec![PolicyFile {
            path: "team.rego".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn conftest_results_strings_objects_and_prints() {
        let mut e = Engine::new(
            false,
            &user(
                "package main\n\ndeny contains \"plain\" if { print(\"hi\") }\n\nviolation contains {\"msg\": \"obj\", \"path\": \"/spec/image\", \"code\": \"X1\"} if { true }\n\nwarn_thing contains {\"msg\": \"w\", \"level\": \"note\"} if { input.spec.image == data.bad }\n",
            ),
            &[serde_json::json!({"bad": "x:1"})],
        )
        .expect("loads");
        let found = e
            .evaluate(serde_json::json!({"spec": {"image": "x:1"}}))
            .expect("evaluates");
        let summary: Vec<_> = found
            .iter()
            .map(|f| (f.code.as_str(), f.name.as_str(), f.level, f.path.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("main.deny", "deny", Level::Error, None),
                ("X1", "violation", Level::Error, Some("/spec/image")),
                ("main.warn_thing", "thing", Level::Note, None),
            ]
        );
        assert_eq!(e.take_prints().len(), 1);
    }

    #[test]
    fn builtin_errors_are_undefined_not_fatal() {
        let mut e = Engine::new(
            false,
            &user("package main\n\ndeny contains \"big\" if { units.parse_bytes(input.m) > 1 }\n\ndeny contains \"always\" if { true }\n"),
            &[],
        )
        .expect("loads");
        let found = e
            .evaluate(serde_json::json!({"m": "lots"}))
            .expect("evaluates");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "always");
    }

    #[test]
    fn v0_syntax_is_a_located_error() {
        let err = Engine::new(
            false,
            &user("package main\n\ndeny[msg] { msg := \"x\" }\n"),
            &[],
        )
        .expect_err("v0 is rejected");
        assert!(matches!(err, PolicyError::Broken { line: 3, .. }), "{err}");
    }

    /// `builtin_catalog.rs` is the pack's METADATA read at build time; regenerate it with
    /// `MCPGEN_UPDATE_CATALOG=1 cargo test --lib builtin_catalog`.
    #[test]
    fn builtin_catalog_is_generated_from_the_pack() {
        let scanned = scan_builtin_rules();
        let source = builtin_catalog_source(&scanned);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/policy/builtin_catalog.rs");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed != source && std::env::var_os("MCPGEN_UPDATE_CATALOG").is_some() {
            std::fs::write(path, &source).expect("write src/policy/builtin_catalog.rs");
            return;
        }
        assert!(
            committed == source,
            "src/policy/builtin_catalog.rs is stale: run \
             `MCPGEN_UPDATE_CATALOG=1 cargo test --lib builtin_catalog` and rebuild"
        );
        assert_eq!(builtin_catalog::rules(), scanned);
    }

    /// Rust source that builds `rules` (string literals in `Debug` form are valid Rust).
    fn builtin_catalog_source(rules: &[Rule]) -> String {
        let opt = |v: &Option<String>| match v {
            Some(s) => format!("Some({s:?}.into())"),
            None => "None".to_string(),
        };
        let mut out = String::from(
            "//! The built-in pack's rules and their METADATA, generated from `policies/*.rego` by\n\
             //! `MCPGEN_UPDATE_CATALOG=1 cargo test --lib builtin_catalog` (a test fails when it is\n\
             //! stale). Reading it costs nothing at run time, where parsing the METADATA YAML of\n\
             //! every rule at every start cost a tenth of a check. Do not edit.\n\n\
             use super::Rule;\n\
             use super::metadata::RuleMeta;\n\
             #[allow(unused_imports)]\n\
             use crate::diagnostics::Level;\n\n\
             /// Every rule of the built-in pack, in file order.\n\
             pub(super) fn rules() -> Vec<Rule> {\n    vec![\n",
        );
        for r in rules {
            let m = &r.meta;
            out.push_str(&format!(
                "        Rule {{\n            package: {:?}.into(),\n            rule: {:?}.into(),\n            \
                 file: {:?}.into(),\n            line: {},\n            meta: RuleMeta {{\n                \
                 title: {},\n                description: {},\n                code: {},\n                \
                 name: {},\n                level: {},\n                related: vec![{}],\n                \
                 why: {},\n                example: {},\n                instead: {},\n                \
                 help: {},\n                tags: vec![{}],\n                security_severity: {},\n            }},\n            \
                 builtin: {},\n        }},\n",
                r.package,
                r.rule,
                r.file,
                r.line,
                opt(&m.title),
                opt(&m.description),
                opt(&m.code),
                opt(&m.name),
                m.level.map_or("None".to_string(), |l| format!("Some(Level::{l:?})")),
                m.related
                    .iter()
                    .map(|s| format!("{s:?}.into()"))
                    .collect::<Vec<_>>()
                    .join(", "),
                opt(&m.why),
                opt(&m.example),
                opt(&m.instead),
                opt(&m.help),
                m.tags
                    .iter()
                    .map(|s| format!("{s:?}.into()"))
                    .collect::<Vec<_>>()
                    .join(", "),
                opt(&m.security_severity),
                r.builtin,
            ));
        }
        out.push_str("    ]\n}\n");
        out
    }

    #[test]
    fn builtin_pack_loads_and_every_rule_has_metadata() {
        for f in pack::FILES {
            let s = metadata::scan(f.text);
            assert!(s.errors.is_empty(), "{}: {:?}", f.path, s.errors);
        }
        let e = Engine::new(true, &[], &[]).expect("pack loads");
        assert!(e.rules().iter().all(|r| r.meta.code.is_some()));
    }
}
