//! Reading Gatekeeper policy as teams write it: multi-document YAML into JSON values, then
//! `ConstraintTemplate`s (`templates.gatekeeper.sh`) compiled with regorus, constraints
//! (`constraints.gatekeeper.sh`) with their match and enforcement action, and
//! `ExpansionTemplate`s (`expansion.gatekeeper.sh`).
//!
//! A template's Rego is compiled the way the Gatekeeper Rego driver does it: one engine per
//! template holding the entry module and its `libs`, Rego v0 unless the source says
//! `version: v1`, builtin errors non-strict (OPA's default). Templates whose only code is CEL
//! (`K8sNativeValidation`) are kept as [`Code::CelOnly`] so callers can say they were not
//! evaluated. This module does not evaluate anything; `review` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use saphyr::{LoadableYamlNode, Scalar};
use serde_json::{Map, Number, Value};

use super::GatorError;
use super::matching::Match;

/// The Gatekeeper validation target every library template declares.
pub const TARGET: &str = "admission.k8s.gatekeeper.sh";

/// One YAML document of a file, as JSON, with the 1-based line it starts on.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The file, as given.
    pub file: String,
    /// Line of the document's first value.
    pub line: usize,
    /// The document.
    pub value: Value,
}

/// Parse every document of a YAML (or JSON) text. Empty documents are dropped.
///
/// One leniency matches the YAML reader Kubernetes and Gatekeeper use (go-yaml): a quoted
/// scalar whose continuation lines are indented no deeper than its key is accepted (saphyr,
/// following YAML 1.2 to the letter, rejects it; the gatekeeper-library's `httpsonly`
/// template has one). Leading spaces of continuation lines are folded away, so indenting
/// them further does not change the value.
pub fn parse_yaml(file: &str, text: &str) -> Result<Vec<Doc>, GatorError> {
    let mut text = std::borrow::Cow::Borrowed(text);
    let mut attempts = 0;
    let docs = loop {
        match saphyr::MarkedYaml::load_from_str(&text) {
            Ok(d) => break d,
            Err(e) => {
                let m = e.marker();
                if attempts < 100
                    && e.info().contains("invalid indentation in quoted scalar")
                    && let Some(fixed) = indent_quoted_scalar(&text, m.index())
                {
                    attempts += 1;
                    text = std::borrow::Cow::Owned(fixed);
                    continue;
                }
                return Err(GatorError::Input(format!(
                    "{file}:{}:{}: invalid YAML: {}",
                    m.line(),
                    m.col() + 1,
                    e.info()
                )));
            }
        }
    };
    let mut out = Vec::new();
    for d in docs {
        let line = d.span.start.line();
        let value = marked_to_json(file, &d)?;
        if !value.is_null() {
            out.push(Doc {
                file: file.to_string(),
                line,
                value,
            });
        }
    }
    Ok(out)
}

/// Indent the continuation lines of the quoted scalar that starts at character `at` one
/// column deeper than the line it starts on; `None` when there is nothing to fix.
fn indent_quoted_scalar(text: &str, at: usize) -> Option<String> {
    let start = text.char_indices().nth(at).map(|(b, _)| b)?;
    let quote = text[start..].chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let key_indent = text[line_start..].chars().take_while(|c| *c == ' ').count();
    let need = key_indent + 1;
    // Find the closing quote.
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let end = loop {
        if i >= bytes.len() {
            return None;
        }
        match (quote, bytes[i]) {
            ('"', b'\\') => i += 2,
            ('"', b'"') => break i,
            ('\'', b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            ('\'', b'\'') => break i,
            _ => i += 1,
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..start]);
    let mut changed = false;
    for (n, line) in text[start..=end].split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
            let indent = line.chars().take_while(|c| *c == ' ').count();
            if indent < need && !line.trim().is_empty() {
                out.push_str(&" ".repeat(need - indent));
                changed = true;
            }
        }
        out.push_str(line);
    }
    out.push_str(&text[end + 1..]);
    changed.then_some(out)
}

fn marked_to_json(file: &str, node: &saphyr::MarkedYaml) -> Result<Value, GatorError> {
    use saphyr::YamlData;
    let at = || {
        format!(
            "{file}:{}:{}",
            node.span.start.line(),
            node.span.start.col() + 1
        )
    };
    Ok(match &node.data {
        YamlData::Value(s) => scalar(s).ok_or_else(|| {
            GatorError::Input(format!(
                "{}: NaN and infinite numbers are not allowed",
                at()
            ))
        })?,
        YamlData::Sequence(items) => Value::Array(
            items
                .iter()
                .map(|x| marked_to_json(file, x))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter() {
                let key = match &k.data {
                    YamlData::Value(Scalar::String(s)) => s.to_string(),
                    YamlData::Value(Scalar::Integer(i)) => i.to_string(),
                    YamlData::Value(Scalar::Boolean(b)) => b.to_string(),
                    YamlData::Value(Scalar::Null) => "null".to_string(),
                    _ => {
                        return Err(GatorError::Input(format!(
                            "{}: mapping keys must be plain scalars",
                            at()
                        )));
                    }
                };
                out.insert(key, marked_to_json(file, v)?);
            }
            Value::Object(out)
        }
        YamlData::Tagged(_, inner) => marked_to_json(file, inner)?,
        YamlData::Alias(_) | YamlData::BadValue | YamlData::Representation(..) => {
            return Err(GatorError::Input(format!(
                "{}: unreadable YAML value",
                at()
            )));
        }
    })
}

fn scalar(s: &Scalar) -> Option<Value> {
    Some(match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => {
            let f = f.into_inner();
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                Value::Number((f as i64).into())
            } else {
                Value::Number(Number::from_f64(f)?)
            }
        }
        Scalar::String(s) => Value::String(s.to_string()),
    })
}

/// Read and parse one file.
pub fn read_docs(path: &Path) -> Result<Vec<Doc>, GatorError> {
    let name = path.display().to_string();
    // A regular file within the data bound; a symbolic link must stay inside its repository.
    let text = crate::source::read_input_text(path, crate::limits::MAX_DATA_BYTES, None)
        .map_err(|e| GatorError::Input(e.to_string()))?;
    parse_yaml(&name, &text)
}

/// Enforcement action of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// `deny` (the default): admission rejects the object.
    Deny,
    /// `warn`: admission accepts it with a warning.
    Warn,
    /// `dryrun`: only the audit reports it.
    Dryrun,
}

impl Action {
    /// The name Gatekeeper uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Warn => "warn",
            Action::Dryrun => "dryrun",
        }
    }

    fn parse(spec: &Value) -> Result<Action, String> {
        let named = |s: &str| match s.to_ascii_lowercase().as_str() {
            "deny" => Ok(Action::Deny),
            "warn" => Ok(Action::Warn),
            "dryrun" => Ok(Action::Dryrun),
            other => Err(format!(
                "unknown enforcementAction `{other}` (expected deny, warn, dryrun or scoped)"
            )),
        };
        match spec.get("enforcementAction").and_then(Value::as_str) {
            None | Some("") => Ok(Action::Deny),
            Some(s) if s.eq_ignore_ascii_case("scoped") => {
                // Scoped actions name enforcement points; mcpgen stands in for the admission
                // webhook (`validation.gatekeeper.sh`) and gator, so the most severe action
                // scoped to either (or to `*`) applies.
                let mut best: Option<Action> = None;
                for item in spec
                    .get("scopedEnforcementActions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let points: Vec<&str> = item
                        .get("enforcementPoints")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p.get("name").and_then(Value::as_str))
                        .collect();
                    let applies = points.iter().any(|p| {
                        matches!(*p, "*" | "validation.gatekeeper.sh" | "gator.gatekeeper.sh")
                    });
                    if !applies {
                        continue;
                    }
                    let a = named(item.get("action").and_then(Value::as_str).unwrap_or(""))?;
                    best = Some(best.map_or(a, |b| b.min(a)));
                }
                Ok(best.unwrap_or(Action::Dryrun))
            }
            Some(s) => named(s),
        }
    }
}

/// What a template evaluates with.
#[derive(Clone)]
pub enum Code {
    /// Rego compiled into its own engine; `violation` is read from `package`.
    Rego {
        /// The engine holding the entry module and the libs.
        engine: Box<regorus::Engine>,
        /// The entry module's package, as a rule path prefix (`data.k8sallowedrepos`).
        package: String,
        /// Whether the Rego reads `data.inventory` (only those engines get the inventory:
        /// adding data makes regorus analyse the modules again).
        uses_inventory: bool,
    },
    /// The template has only `K8sNativeValidation` (CEL) code, which mcpgen cannot evaluate.
    CelOnly,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Code::Rego { package, .. } => write!(f, "Rego({package})"),
            Code::CelOnly => write!(f, "CelOnly"),
        }
    }
}

/// A compiled `ConstraintTemplate`.
#[derive(Debug, Clone)]
pub struct Template {
    /// `metadata.name`.
    pub name: String,
    /// The constraint kind it defines (`spec.crd.spec.names.kind`).
    pub kind: String,
    /// The file it came from.
    pub file: String,
    /// `metadata.gatekeeper.sh/title`, if any.
    pub title: Option<String>,
    /// `description` annotation, if any.
    pub description: Option<String>,
    /// The code.
    pub code: Code,
    /// Whether the template also has `K8sNativeValidation` (CEL) code, which a cluster with
    /// Gatekeeper's CEL engine enabled evaluates instead of the Rego.
    pub has_cel: bool,
}

/// A constraint: an instance of a template with parameters and a match.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// Its kind (the template's CRD kind).
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The file it came from.
    pub file: String,
    /// Line of the document in the file.
    pub line: usize,
    /// `spec.parameters` (an empty object when absent, as the Rego driver defaults it).
    pub parameters: Value,
    /// `spec.match`.
    pub matcher: Match,
    /// `spec.enforcementAction`.
    pub action: Action,
}

impl Constraint {
    /// `Kind/name`, the code of its findings.
    pub fn code(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// An `ExpansionTemplate`: which workloads generate which object, from which field.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// `metadata.name`.
    pub name: String,
    /// `spec.templateSource`, dot-separated (`spec.template`).
    pub source: String,
    /// `spec.generatedGVK` as (group, version, kind).
    pub generated: (String, String, String),
    /// `spec.applyTo`: (groups, versions, kinds).
    pub apply_to: Vec<(Vec<String>, Vec<String>, Vec<String>)>,
    /// `spec.enforcementAction`, overriding the constraint's for generated objects.
    pub action: Option<Action>,
}

impl Expansion {
    /// Whether this template expands objects of this group, version and kind.
    pub fn applies(&self, group: &str, version: &str, kind: &str) -> bool {
        let has = |list: &[String], x: &str| list.iter().any(|l| l == x || l == "*");
        self.apply_to
            .iter()
            .any(|(g, v, k)| has(g, group) && has(v, version) && has(k, kind))
    }
}

/// Everything loaded from the constraint paths.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Templates by constraint kind.
    pub templates: BTreeMap<String, Template>,
    /// Constraints, in file order.
    pub constraints: Vec<Constraint>,
    /// Expansion templates; when none is loaded, [`default_expansions`] apply.
    pub expansions: Vec<Expansion>,
}

impl Policy {
    /// Load every template, constraint and expansion template from files and directories
    /// (recursively, `*.yaml`, `*.yml` and `*.json`, in sorted order). Other objects are
    /// ignored, so a directory may also hold samples and suites.
    pub fn load(paths: &[PathBuf]) -> Result<Policy, GatorError> {
        let mut policy = Policy::default();
        for path in paths {
            let mut files = Vec::new();
            collect_files(path, &mut files)?;
            for f in files {
                for doc in read_docs(&f)? {
                    policy.add(&doc)?;
                }
            }
        }
        policy.check()?;
        Ok(policy)
    }

    /// Add one document if it is a template, a constraint or an expansion template.
    pub fn add(&mut self, doc: &Doc) -> Result<(), GatorError> {
        let api = doc
            .value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let group = api.split('/').next().unwrap_or("");
        match group {
            "templates.gatekeeper.sh" => {
                let t = compile_template(doc)?;
                if let Some(old) = self.templates.get(&t.kind) {
                    return Err(GatorError::Input(format!(
                        "{}:{}: a second template defines {} (the first is in {})",
                        doc.file, doc.line, t.kind, old.file
                    )));
                }
                self.templates.insert(t.kind.clone(), t);
            }
            "constraints.gatekeeper.sh" => {
                let c = constraint(doc)?;
                if self
                    .constraints
                    .iter()
                    .any(|o| o.kind == c.kind && o.name == c.name)
                {
                    return Err(GatorError::Input(format!(
                        "{}:{}: constraint {} is defined twice",
                        doc.file,
                        doc.line,
                        c.code()
                    )));
                }
                self.constraints.push(c);
            }
            "expansion.gatekeeper.sh" => self.expansions.push(expansion(doc)?),
            _ => {}
        }
        Ok(())
    }

    /// Every constraint has a template.
    pub fn check(&self) -> Result<(), GatorError> {
        for c in &self.constraints {
            if !self.templates.contains_key(&c.kind) {
                return Err(GatorError::Input(format!(
                    "{}:{}: constraint {} has no ConstraintTemplate defining kind {}",
                    c.file,
                    c.line,
                    c.code(),
                    c.kind
                )));
            }
        }
        Ok(())
    }

    /// The expansion templates in force: the loaded ones, or mcpgen's defaults.
    pub fn expansions(&self) -> Vec<Expansion> {
        if self.expansions.is_empty() {
            default_expansions()
        } else {
            self.expansions.clone()
        }
    }
}

/// The YAML and JSON files of a constraints path (a file, or a directory walked recursively):
/// bounded in depth and count, and ending on symbolic link loops (`crate::policy::files_under`).
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), GatorError> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut found =
        crate::policy::files_under(path, None).map_err(|e| GatorError::Input(e.to_string()))?;
    found.sort();
    out.extend(found.into_iter().filter(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
    }));
    Ok(())
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str()
}

/// Compile a `ConstraintTemplate` document.
pub fn compile_template(doc: &Doc) -> Result<Template, GatorError> {
    let v = &doc.value;
    let at = format!("{}:{}", doc.file, doc.line);
    let name = str_at(v, &["metadata", "name"]).unwrap_or("").to_string();
    let kind = str_at(v, &["spec", "crd", "spec", "names", "kind"])
        .ok_or_else(|| {
            GatorError::Input(format!(
                "{at}: ConstraintTemplate {name} has no spec.crd.spec.names.kind"
            ))
        })?
        .to_string();
    let annotation = |k: &str| {
        v.get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
    };
    let targets = v
        .get("spec")
        .and_then(|s| s.get("targets"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let target = targets
        .iter()
        .find(|t| t.get("target").and_then(Value::as_str) == Some(TARGET))
        .ok_or_else(|| {
            GatorError::Input(format!(
                "{at}: ConstraintTemplate {name} has no `{TARGET}` target"
            ))
        })?;

    // Legacy form: `rego` and `libs` on the target; current form: `code` entries by engine.
    let mut rego: Option<(String, Vec<String>, bool)> = target
        .get("rego")
        .and_then(Value::as_str)
        .map(|r| (r.to_string(), strings(target.get("libs")), false));
    let mut has_cel = false;
    for code in target
        .get("code")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match code.get("engine").and_then(Value::as_str) {
            Some("Rego") => {
                let src = code.get("source").cloned().unwrap_or(Value::Null);
                if let Some(r) = src.get("rego").and_then(Value::as_str) {
                    let v1 = src.get("version").and_then(Value::as_str) == Some("v1");
                    rego = Some((r.to_string(), strings(src.get("libs")), v1));
                }
            }
            Some("K8sNativeValidation") => has_cel = true,
            _ => {}
        }
    }
    let code = match rego {
        Some((text, libs, v1)) => compile_rego(&doc.file, &kind, &text, &libs, v1)?,
        None if has_cel => Code::CelOnly,
        None => {
            return Err(GatorError::Input(format!(
                "{at}: ConstraintTemplate {name} has neither Rego nor CEL code"
            )));
        }
    };
    Ok(Template {
        name,
        kind,
        file: doc.file.clone(),
        title: annotation("metadata.gatekeeper.sh/title"),
        description: annotation("description"),
        code,
        has_cel,
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// A fresh engine configured like the Gatekeeper Rego driver.
pub fn new_engine(v1: bool) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    // A template's verdict must not depend on chance, the clock or the machine either (the
    // same guard as team policies: the call fails with a clear error, exit 2).
    crate::policy::guard::deny_nondeterministic(&mut engine);
    engine.set_rego_v0(!v1);
    engine.set_strict_builtin_errors(false);
    engine.set_gather_prints(true);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: std::time::Duration::from_secs(30),
        check_interval: std::num::NonZeroU32::MIN.saturating_add(999),
    });
    super::builtins::register(&mut engine);
    engine
}

fn compile_rego(
    file: &str,
    kind: &str,
    text: &str,
    libs: &[String],
    v1: bool,
) -> Result<Code, GatorError> {
    let mut engine = new_engine(v1);
    let broken = |what: String, e: &dyn std::fmt::Display| {
        GatorError::Policy(format!("{file}: template {kind}: {what}: {}", one_line(e)))
    };
    let prepare = |t: &str| {
        if v1 {
            t.to_string()
        } else {
            super::rewrite::rewrite_v0(t)
        }
    };
    // regorus overflows its stack on a recursive function (OPA refuses the module): refuse it
    // first, as for team policies.
    let modules: Vec<crate::policy::PolicyFile> = std::iter::once(text)
        .chain(libs.iter().map(String::as_str))
        .enumerate()
        .map(|(i, t)| crate::policy::PolicyFile {
            path: if i == 0 {
                format!("{file}#{kind}")
            } else {
                format!("{file}#{kind}/lib_{}", i - 1)
            },
            text: prepare(t),
        })
        .collect();
    crate::policy::guard::check_recursion(&modules)
        .map_err(|e| GatorError::Policy(format!("{file}: template {kind}: {e}")))?;
    let package = engine
        .add_policy(format!("{file}#{kind}"), prepare(text))
        .map_err(|e| broken("Rego does not compile".into(), &e))?;
    for (i, lib) in libs.iter().enumerate() {
        engine
            .add_policy(format!("{file}#{kind}/lib_{i}"), prepare(lib))
            .map_err(|e| broken(format!("lib {i} does not compile"), &e))?;
    }
    // The driver requires a `violation` rule in the entry module.
    let has_violation = text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("violation[") || l.starts_with("violation contains") || l == "violation"
    });
    if !has_violation {
        return Err(GatorError::Policy(format!(
            "{file}: template {kind}: the Rego has no `violation` rule"
        )));
    }
    // Prepare the engine once (regorus analyses the modules on the first evaluation), so every
    // clone starts prepared. The result of this empty evaluation does not matter: a real
    // evaluation reports any error again.
    engine.set_input(regorus::Value::new_object());
    let _ = engine.eval_rule(format!("{package}.violation"));
    let _ = engine.take_prints();
    let uses_inventory = std::iter::once(text)
        .chain(libs.iter().map(String::as_str))
        .any(|t| t.contains("data.inventory") || t.contains("data[\"inventory\"]"));
    Ok(Code::Rego {
        engine: Box::new(engine),
        package,
        uses_inventory,
    })
}

/// regorus's multi-line error as one line: the location and the `error:` message.
pub fn one_line(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let loc = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .map(str::trim);
    let msg = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or(""))
        .trim();
    match loc {
        Some(l) => format!("{l}: {msg}"),
        None => msg.to_string(),
    }
}

fn constraint(doc: &Doc) -> Result<Constraint, GatorError> {
    let v = &doc.value;
    let at = format!("{}:{}", doc.file, doc.line);
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| GatorError::Input(format!("{at}: constraint without kind")))?
        .to_string();
    let name = str_at(v, &["metadata", "name"])
        .ok_or_else(|| GatorError::Input(format!("{at}: {kind} constraint without metadata.name")))?
        .to_string();
    let spec = v.get("spec").cloned().unwrap_or(Value::Null);
    let parameters = match spec.get("parameters") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p) => p.clone(),
    };
    let matcher = match spec.get("match") {
        None | Some(Value::Null) => Match::default(),
        Some(m) => Match::parse(m)
            .map_err(|e| GatorError::Input(format!("{at}: {kind}/{name}: spec.match: {e}")))?,
    };
    let action =
        Action::parse(&spec).map_err(|e| GatorError::Input(format!("{at}: {kind}/{name}: {e}")))?;
    Ok(Constraint {
        kind,
        name,
        file: doc.file.clone(),
        line: doc.line,
        parameters,
        matcher,
        action,
    })
}

fn expansion(doc: &Doc) -> Result<Expansion, GatorError> {
    let v = &doc.value;
    let at = format!("{}:{}", doc.file, doc.line);
    let name = str_at(v, &["metadata", "name"]).unwrap_or("").to_string();
    let spec = v.get("spec").cloned().unwrap_or(Value::Null);
    let source = spec
        .get("templateSource")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            GatorError::Input(format!(
                "{at}: ExpansionTemplate {name} has no templateSource"
            ))
        })?
        .to_string();
    let gvk = spec.get("generatedGVK").cloned().unwrap_or(Value::Null);
    let field = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let generated = (field("group"), field("version"), field("kind"));
    if generated.2.is_empty() {
        return Err(GatorError::Input(format!(
            "{at}: ExpansionTemplate {name} has no generatedGVK.kind"
        )));
    }
    let apply_to = spec
        .get("applyTo")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|a| {
            (
                strings(a.get("groups")),
                strings(a.get("versions")),
                strings(a.get("kinds")),
            )
        })
        .collect();
    let action = match spec.get("enforcementAction").and_then(Value::as_str) {
        None | Some("") => None,
        Some(_) => Some(
            Action::parse(&spec).map_err(|e| GatorError::Input(format!("{at}: {name}: {e}")))?,
        ),
    };
    Ok(Expansion {
        name,
        source,
        generated,
        apply_to,
        action,
    })
}

/// The expansions mcpgen applies when none is loaded: Gatekeeper's documented
/// `expand-deployments` template (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
/// ReplicationControllers and Argo Rollouts generate Pods from `spec.template`) and
/// `expand-cronjobs` (`spec.jobTemplate.spec.template`).
pub fn default_expansions() -> Vec<Expansion> {
    let s = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let pod = (String::new(), "v1".to_string(), "Pod".to_string());
    vec![
        Expansion {
            name: "expand-workloads".into(),
            source: "spec.template".into(),
            generated: pod.clone(),
            apply_to: vec![
                (
                    s(&["apps"]),
                    s(&["v1"]),
                    s(&["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"]),
                ),
                (s(&["batch"]), s(&["v1"]), s(&["Job"])),
                (s(&[""]), s(&["v1"]), s(&["ReplicationController"])),
                (s(&["argoproj.io"]), s(&["v1alpha1"]), s(&["Rollout"])),
            ],
            action: None,
        },
        Expansion {
            name: "expand-cronjobs".into(),
            source: "spec.jobTemplate.spec.template".into(),
            generated: pod,
            apply_to: vec![(s(&["batch"]), s(&["v1"]), s(&["CronJob"]))],
            action: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_cannot_call_nondeterministic_builtins() {
        for v1 in [true, false] {
            let mut engine = new_engine(v1);
            let rego = if v1 {
                "package t\nnow := time.now_ns()\nok := 1\n"
            } else {
                "package t\nnow = time.now_ns()\nok = 1\n"
            };
            engine
                .add_policy("t.rego".into(), rego.into())
                .expect("parses");
            let err = engine
                .eval_rule("data.t.now".into())
                .expect_err("time.now_ns is refused");
            assert!(err.to_string().contains("not available"), "{err}");
            assert_eq!(
                engine.eval_rule("data.t.ok".into()).expect("evaluates"),
                regorus::Value::from(1)
            );
        }
    }

    #[test]
    fn multi_document_yaml_with_locations() {
        let docs = parse_yaml("x.yaml", "a: 1\n---\n---\nb: [yes, 1.5, 2.0]\n").expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].line, 4);
        assert_eq!(docs[1].value, serde_json::json!({"b": ["yes", 1.5, 2]}));
        let lenient = "a:\n  b: \"one\n  two\"\n  c: 1\n";
        let docs = parse_yaml("x.yaml", lenient).expect("go-yaml reads it");
        assert_eq!(
            docs[0].value,
            serde_json::json!({"a": {"b": "one two", "c": 1}})
        );
        let err = parse_yaml("x.yaml", "a: [\n").expect_err("broken");
        assert!(err.to_string().starts_with("x.yaml:"), "{err}");
    }

    #[test]
    fn enforcement_actions() {
        let p = |v: Value| Action::parse(&v);
        assert_eq!(p(serde_json::json!({})), Ok(Action::Deny));
        assert_eq!(
            p(serde_json::json!({"enforcementAction": "warn"})),
            Ok(Action::Warn)
        );
        assert_eq!(
            p(
                serde_json::json!({"enforcementAction": "scoped", "scopedEnforcementActions": [
                    {"action": "warn", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]},
                    {"action": "deny", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]}
                ]})
            ),
            Ok(Action::Warn)
        );
        assert!(p(serde_json::json!({"enforcementAction": "block"})).is_err());
    }
}
