//! Reviewing objects like Gatekeeper's admission webhook and `gator`: the input a template
//! sees (`input.review` shaped as the AdmissionRequest Gatekeeper builds, `input.parameters`
//! from the constraint), `data.inventory` built from a set of objects, and the expansion of
//! workloads into the Pods they create (`ExpansionTemplate`), each reviewed with its source
//! recorded.
//!
//! The inventory holds what the caller gives: for `mcpgen build`, the objects mcpgen generated
//! for one environment, never the live cluster.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::GatorError;
use super::load::{Action, Code, Constraint, Expansion, Policy, Template, one_line};
use super::matching::{Source, gvk};

/// Which object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, empty for cluster-scoped objects.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectRef {
    /// The reference of an object value.
    pub fn of(v: &Value) -> ObjectRef {
        let s = |path: &[&str]| {
            let mut cur = v;
            for p in path {
                match cur.get(*p) {
                    Some(x) => cur = x,
                    None => return String::new(),
                }
            }
            cur.as_str().unwrap_or("").to_string()
        };
        ObjectRef {
            api_version: s(&["apiVersion"]),
            kind: s(&["kind"]),
            namespace: s(&["metadata", "namespace"]),
            name: s(&["metadata", "name"]),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One object to review, with the file it was (or will be) written to.
#[derive(Debug, Clone)]
pub struct Object {
    /// Output file, relative to the environment's directory (`k8s/deployment.yaml`).
    pub file: String,
    /// The object.
    pub value: Value,
}

/// One result of one constraint on one object.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Constraint kind (the template's CRD kind).
    pub kind: String,
    /// Constraint name.
    pub name: String,
    /// The template's message.
    pub message: String,
    /// `details` of the result (an empty object when the template gives none).
    pub details: Value,
    /// Enforcement action (an expansion template may override the constraint's).
    pub action: Action,
    /// The object the template reviewed (the Pod, for an expanded workload).
    pub object: ObjectRef,
    /// The file holding the object, or the workload it was expanded from.
    pub file: String,
    /// For an expanded object: the workload it came from and the expansion template's name.
    pub workload: Option<(ObjectRef, String)>,
    /// Field paths of the file's object (`spec.template.spec.containers[0].image`) whose
    /// removal makes this result go away or change: the fields the violation depends on.
    /// Filled by [`Session::review`] from the candidates the caller names.
    pub blame: Vec<String>,
    /// The template's Rego failed on this object (`message` is the error). Gatekeeper's Rego
    /// driver turns such an error into a violation of every constraint of the template, so
    /// admission rejects the object; here it is reported the same way, marked.
    pub eval_error: bool,
}

impl Violation {
    /// `Kind/name`.
    pub fn code(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// A constraint that matched objects but whose template mcpgen cannot evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEvaluated {
    /// Constraint kind.
    pub kind: String,
    /// Constraint name.
    pub name: String,
    /// Why.
    pub reason: String,
    /// Objects it would have reviewed (files).
    pub files: Vec<String>,
}

/// What a review found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Violations, in object then constraint order.
    pub violations: Vec<Violation>,
    /// Constraints that matched objects and were not evaluated (CEL-only templates).
    pub not_evaluated: Vec<NotEvaluated>,
    /// For each constraint (`Kind/name`), how many reviewed objects it matched (expanded Pods
    /// included): a constraint that matched nothing said nothing.
    pub matched: BTreeMap<String, usize>,
}

/// `data.inventory` as Gatekeeper's sync fills it: `cluster[groupVersion][kind][name]` and
/// `namespace[ns][groupVersion][kind][name]`.
pub fn inventory<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut cluster = Map::new();
    let mut namespaced = Map::new();
    for o in objects {
        let r = ObjectRef::of(o);
        if r.kind.is_empty() || r.api_version.is_empty() {
            continue;
        }
        let root = if r.namespace.is_empty() {
            &mut cluster
        } else {
            namespaced
                .entry(r.namespace.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("inserted as an object")
        };
        let by_gv = root
            .entry(r.api_version.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        let by_kind = by_gv
            .as_object_mut()
            .expect("inserted as an object")
            .entry(r.kind.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        by_kind
            .as_object_mut()
            .expect("inserted as an object")
            .insert(r.name.clone(), o.clone());
    }
    json!({"cluster": cluster, "namespace": namespaced})
}

/// `input.review` for an object, as Gatekeeper's target handler builds it from an object
/// (the AdmissionRequest's JSON with its zero values). `operation` is `CREATE` for mcpgen's
/// outputs; gator leaves it empty and so does `gator verify` here.
pub fn review_of(obj: &Value, operation: &str, namespace: Option<&Value>) -> Value {
    let (group, version, kind) = gvk(obj);
    let r = ObjectRef::of(obj);
    let mut m = Map::new();
    m.insert("uid".into(), Value::String(String::new()));
    m.insert(
        "kind".into(),
        json!({"group": group, "version": version, "kind": kind}),
    );
    m.insert(
        "resource".into(),
        json!({"group": "", "version": "", "resource": ""}),
    );
    if !r.name.is_empty() {
        m.insert("name".into(), Value::String(r.name));
    }
    if !r.namespace.is_empty() {
        m.insert("namespace".into(), Value::String(r.namespace));
    }
    m.insert("operation".into(), Value::String(operation.to_string()));
    m.insert("userInfo".into(), Value::Object(Map::new()));
    // A clone, not `json!` (which would serialize the object value by value).
    m.insert("object".into(), obj.clone());
    m.insert("oldObject".into(), Value::Null);
    m.insert("options".into(), Value::Null);
    m.insert(
        "namespaceObject".into(),
        namespace.cloned().unwrap_or(Value::Null),
    );
    Value::Object(m)
}

/// `input.review` from an `AdmissionReview` object's `request` (gator's open-box form): the
/// request's fields over the AdmissionRequest's zero values. For a DELETE, `object` is the
/// old object, as Gatekeeper does.
pub fn review_of_admission(ar: &Value, namespace: Option<&Value>) -> Result<Value, String> {
    let req = ar
        .get("request")
        .and_then(Value::as_object)
        .ok_or("the AdmissionReview has no request")?;
    let object = req.get("object").filter(|o| !o.is_null());
    let old = req.get("oldObject").filter(|o| !o.is_null());
    if object.is_none() && old.is_none() {
        return Err("the AdmissionRequest has neither object nor oldObject".into());
    }
    let mut review = json!({
        "uid": "",
        "kind": {"group": "", "version": "", "kind": ""},
        "resource": {"group": "", "version": "", "resource": ""},
        "operation": "",
        "userInfo": {},
        "object": null,
        "oldObject": null,
        "options": null,
    });
    let m = review.as_object_mut().expect("built as an object");
    for (k, v) in req {
        m.insert(k.clone(), v.clone());
    }
    if req.get("operation").and_then(Value::as_str) == Some("DELETE") {
        let Some(old) = old else {
            return Err("oldObject cannot be nil for DELETE operations".into());
        };
        m.insert("object".into(), old.clone());
    }
    m.insert(
        "namespaceObject".into(),
        namespace.cloned().unwrap_or(Value::Null),
    );
    Ok(review)
}

/// One object produced by expanding another.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The generated object (a Pod).
    pub value: Value,
    /// The expansion template's name.
    pub template: String,
    /// The template's enforcement action override.
    pub action: Option<Action>,
}

/// Expand an object with the expansion templates, recursively (a CronJob's Job's Pod), the way
/// Gatekeeper's expansion system does: the template source becomes the object, with the
/// generated kind, the parent's namespace, the name `<parent>-<kind>` in lower case and an
/// owner reference to the parent.
pub fn expand(obj: &Value, templates: &[Expansion]) -> Vec<Expanded> {
    let mut out = Vec::new();
    expand_into(obj, templates, 0, &mut out);
    out
}

fn expand_into(obj: &Value, templates: &[Expansion], depth: usize, out: &mut Vec<Expanded>) {
    if depth >= 30 {
        return;
    }
    let (group, version, kind) = gvk(obj);
    for t in templates.iter().filter(|t| t.applies(group, version, kind)) {
        let mut src = obj;
        let mut found = true;
        for part in t.source.split('.') {
            match src.get(part) {
                Some(v) => src = v,
                None => {
                    found = false;
                    break;
                }
            }
        }
        let Some(src) = src.as_object().filter(|_| found) else {
            continue;
        };
        let mut res = src.clone();
        let (g, v, k) = &t.generated;
        res.insert(
            "apiVersion".into(),
            Value::String(if g.is_empty() {
                v.clone()
            } else {
                format!("{g}/{v}")
            }),
        );
        res.insert("kind".into(), Value::String(k.clone()));
        let parent = ObjectRef::of(obj);
        let meta = res
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        let meta = meta.as_object_mut().expect("made an object");
        if !parent.namespace.is_empty() {
            meta.insert("namespace".into(), Value::String(parent.namespace.clone()));
        }
        meta.insert(
            "name".into(),
            Value::String(format!("{}-{}", parent.name, k).to_lowercase()),
        );
        if !parent.api_version.is_empty() && !parent.kind.is_empty() && !parent.name.is_empty() {
            let refs = meta
                .entry("ownerReferences")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(a) = refs.as_array_mut() {
                a.push(
                    json!({"apiVersion": parent.api_version, "kind": parent.kind,
                              "name": parent.name}),
                );
            }
        }
        let value = Value::Object(res);
        expand_into(&value, templates, depth + 1, out);
        out.push(Expanded {
            value,
            template: t.name.clone(),
            action: t.action,
        });
    }
}

/// A review session: every template's engine with one inventory loaded, ready to evaluate.
pub struct Session<'p> {
    policy: &'p Policy,
    /// Each template's engine for this session, cloned on first use.
    engines: BTreeMap<String, regorus::Engine>,
    /// `{"inventory": ...}`, added to the engines of templates that read it.
    inventory: Option<regorus::Value>,
    namespaces: BTreeMap<String, Value>,
    expansions: Vec<Expansion>,
    operation: String,
    prints: Vec<String>,
    /// Objects each constraint matched so far, by `Kind/name`.
    matched: BTreeMap<String, usize>,
    /// Turn a template's evaluation error into a violation, as Gatekeeper's Rego driver does
    /// (on for reviews of outputs; `gator verify` fails the case instead).
    pub errors_as_violations: bool,
}

impl<'p> Session<'p> {
    /// A session over `inventory` (the objects `data.inventory` holds and Namespaces are
    /// looked up in). `operation` is the AdmissionRequest operation (`CREATE`, or empty for
    /// gator's behaviour).
    pub fn new(
        policy: &'p Policy,
        inventory_objects: &[&Value],
        expansions: Vec<Expansion>,
        operation: &str,
    ) -> Result<Session<'p>, GatorError> {
        let inventory = if inventory_objects.is_empty() {
            None
        } else {
            Some(regorus::Value::from(
                json!({"inventory": inventory(inventory_objects.iter().copied())}),
            ))
        };
        let namespaces = inventory_objects
            .iter()
            .filter(|o| {
                let (g, _, k) = gvk(o);
                g.is_empty() && k == "Namespace"
            })
            .map(|o| (ObjectRef::of(o).name, (*o).clone()))
            .collect();
        Ok(Session {
            policy,
            engines: BTreeMap::new(),
            inventory,
            namespaces,
            expansions,
            operation: operation.to_string(),
            prints: Vec::new(),
            matched: BTreeMap::new(),
            errors_as_violations: false,
        })
    }

    /// Lines `print()` wrote so far (and forget them).
    pub fn take_prints(&mut self) -> Vec<String> {
        std::mem::take(&mut self.prints)
    }

    /// The Namespace object of an object, when known.
    pub fn namespace_of<'a>(&'a self, obj: &'a Value) -> Option<&'a Value> {
        let (g, _, k) = gvk(obj);
        if g.is_empty() && k == "Namespace" {
            return Some(obj);
        }
        let ns = ObjectRef::of(obj).namespace;
        self.namespaces.get(&ns)
    }

    /// Evaluate one template with one input; the results' messages and details.
    pub fn evaluate(
        &mut self,
        template: &Template,
        input: Value,
    ) -> Result<Vec<(String, Value)>, GatorError> {
        let Code::Rego {
            package,
            engine: base,
            uses_inventory,
        } = &template.code
        else {
            return Ok(Vec::new());
        };
        if !self.engines.contains_key(&template.kind) {
            let mut e = (**base).clone();
            if *uses_inventory && let Some(inv) = &self.inventory {
                e.add_data(inv.clone())
                    .map_err(|e| GatorError::Policy(format!("inventory: {e}")))?;
            }
            self.engines.insert(template.kind.clone(), e);
        }
        let Some(engine) = self.engines.get_mut(&template.kind) else {
            return Ok(Vec::new());
        };
        engine.set_input(regorus::Value::from(input));
        // The same memory bound as team policies (docs/security.md): a template that
        // allocates without end is stopped, not the runner.
        let result = crate::policy::guard::with_memory_limit(|| {
            engine.eval_rule(format!("{package}.violation"))
        })
        .map_err(|e| {
            let e = crate::policy::guard::explain_limit(&e)
                .map_or_else(|| one_line(&e), |l| l.to_string());
            GatorError::Policy(format!(
                "template {} failed to evaluate ({}): {e}",
                template.kind, template.file,
            ))
        });
        if let Ok(p) = engine.take_prints() {
            self.prints.extend(p);
        }
        let value = result?;
        let json = serde_json::to_value(&value).unwrap_or(Value::Null);
        let items = match json {
            Value::Array(a) => a,
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        for item in items {
            let Some(msg) = item.get("msg") else { continue };
            let msg = match msg {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let details = item
                .get("details")
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new()));
            out.push((msg, details));
        }
        Ok(out)
    }

    /// The messages one constraint produces for one `input.review`, or `None` when the
    /// constraint does not match the object.
    pub fn check(
        &mut self,
        constraint: &Constraint,
        review: &Value,
        source: Source,
    ) -> Result<Option<Vec<(String, Value)>>, GatorError> {
        // Gatekeeper matches when the object or the old object (an UPDATE, a DELETE) does.
        let mut matched = false;
        for obj in ["object", "oldObject"]
            .iter()
            .filter_map(|k| review.get(*k))
            .filter(|o| o.is_object())
        {
            let ns = self.namespace_of(obj).cloned();
            if constraint
                .matcher
                .matches(obj, ns.as_ref(), source)
                .map_err(|e| GatorError::Input(format!("{}: {e}", constraint.code())))?
            {
                matched = true;
                break;
            }
        }
        if !matched {
            return Ok(None);
        }
        *self.matched.entry(constraint.code()).or_default() += 1;
        let policy = self.policy;
        let Some(template) = policy.templates.get(&constraint.kind) else {
            return Err(GatorError::Input(format!(
                "constraint {} has no template",
                constraint.code()
            )));
        };
        let input = json!({"review": review, "parameters": constraint.parameters});
        self.evaluate(template, input).map(Some)
    }

    /// Review one object and the objects its expansion generates with every constraint.
    /// Returns the violations (without blame) and the constraints that matched a CEL-only
    /// template.
    pub fn review_object(
        &mut self,
        obj: &Object,
        constraints: &[&Constraint],
    ) -> Result<(Vec<Violation>, Vec<String>), GatorError> {
        let mut out = Vec::new();
        let mut cel = Vec::new();
        let mut reviewed = vec![(obj.value.clone(), Source::Original, None, None)];
        for e in expand(&obj.value, &self.expansions) {
            reviewed.push((e.value, Source::Generated, Some(e.template), e.action));
        }
        let parent = ObjectRef::of(&obj.value);
        for (value, source, template_name, action) in reviewed {
            let ns = self.namespace_of(&value).cloned();
            let review = review_of(&value, &self.operation, ns.as_ref());
            let this = ObjectRef::of(&value);
            for c in constraints {
                let is_cel = self
                    .policy
                    .templates
                    .get(&c.kind)
                    .is_some_and(|t| matches!(t.code, Code::CelOnly));
                if is_cel {
                    if c.matcher
                        .matches(&value, ns.as_ref(), source)
                        .unwrap_or(false)
                    {
                        *self.matched.entry(c.code()).or_default() += 1;
                        cel.push(c.code());
                    }
                    continue;
                }
                let (results, eval_error) = match self.check(c, &review, source) {
                    Ok(Some(r)) => (r, false),
                    Ok(None) => continue,
                    // A builtin regorus lacks is mcpgen's gap, not the template's: that stays
                    // a failure rather than passing as a violation.
                    Err(GatorError::Policy(e))
                        if self.errors_as_violations && !e.contains("could not find function") =>
                    {
                        (vec![(e, Value::Object(Map::new()))], true)
                    }
                    Err(e) => return Err(e),
                };
                for (message, details) in results {
                    out.push(Violation {
                        kind: c.kind.clone(),
                        name: c.name.clone(),
                        message,
                        details,
                        action: action.unwrap_or(c.action),
                        object: this.clone(),
                        file: obj.file.clone(),
                        workload: template_name.clone().map(|t| (parent.clone(), t)),
                        blame: Vec::new(),
                        eval_error,
                    });
                }
            }
        }
        Ok((out, cel))
    }

    /// Review every object with every constraint; for each violation, try removing each
    /// candidate field of its file's object (`candidates`, most specific first) and record
    /// those whose removal makes the result disappear or change.
    pub fn review(
        &mut self,
        objects: &[Object],
        candidates: &dyn Fn(&Value) -> Vec<String>,
    ) -> Result<Report, GatorError> {
        let policy = self.policy;
        let constraints: Vec<&Constraint> = policy.constraints.iter().collect();
        let mut report = Report::default();
        let mut cel: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for obj in objects {
            let (mut found, cel_codes) = self.review_object(obj, &constraints)?;
            // The blame probes below re-run constraints on altered copies: not counted.
            let matched = self.matched.clone();
            for code in cel_codes {
                let files = cel.entry(code).or_default();
                if !files.contains(&obj.file) {
                    files.push(obj.file.clone());
                }
            }
            if !found.is_empty() {
                let paths = candidates(&obj.value);
                // Probe enclosing fields before the fields inside them, and skip the inside of
                // a field whose removal changed nothing (what it holds cannot matter either):
                // the env list is probed once, not once per variable, unless it matters.
                let mut by_depth: Vec<&String> = paths.iter().collect();
                by_depth.sort_by_key(|p| parse_path(p).len());
                for v in &mut found {
                    let Some(c) = constraints
                        .iter()
                        .find(|c| c.kind == v.kind && c.name == v.name)
                    else {
                        continue;
                    };
                    let mut cleared: Vec<&String> = Vec::new();
                    for path in by_depth.iter().copied() {
                        let inside = |outer: &&String| {
                            path.len() > outer.len()
                                && path.starts_with(outer.as_str())
                                && matches!(path.as_bytes()[outer.len()], b'.' | b'[')
                        };
                        if cleared.iter().any(inside) {
                            continue;
                        }
                        let Some(ablated) = ablate(&obj.value, path) else {
                            continue;
                        };
                        let probe = Object {
                            file: obj.file.clone(),
                            value: ablated,
                        };
                        let (again, _) = self.review_object(&probe, &[*c])?;
                        // The probe reviews one object and its expansions: the reviewed
                        // object is told apart by kind and by whether it was expanded (its
                        // name may be the very field removed).
                        let same_object = |a: &&Violation| {
                            a.object.kind == v.object.kind
                                && a.workload.is_some() == v.workload.is_some()
                        };
                        let gone = !again.iter().any(|a| same_object(&a));
                        let changed = !again
                            .iter()
                            .filter(same_object)
                            .any(|a| a.message == v.message);
                        if gone || (changed && !is_identity(path)) {
                            v.blame.push(path.clone());
                        } else {
                            cleared.push(path);
                        }
                    }
                    // Most specific first, in the caller's order.
                    v.blame
                        .sort_by_key(|b| paths.iter().position(|p| p == b).unwrap_or(usize::MAX));
                }
            }
            self.matched = matched;
            report.violations.extend(found);
        }
        report.matched = self.matched.clone();
        for (code, files) in cel {
            let (kind, name) = code.split_once('/').unwrap_or((&code, ""));
            report.not_evaluated.push(NotEvaluated {
                kind: kind.to_string(),
                name: name.to_string(),
                reason: "its template has only K8sNativeValidation (CEL) code, which mcpgen \
                         does not evaluate"
                    .to_string(),
                files,
            });
        }
        Ok(report)
    }
}

/// Parse a field path (`spec.template.spec.containers[0].image`,
/// `metadata.annotations["cert-manager.io/cluster-issuer"]`) into tokens.
pub fn parse_path(path: &str) -> Vec<PathToken> {
    let mut out = Vec::new();
    let mut chars = path.chars().peekable();
    let mut key = String::new();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !key.is_empty() {
                    out.push(PathToken::Key(std::mem::take(&mut key)));
                }
            }
            '[' => {
                if !key.is_empty() {
                    out.push(PathToken::Key(std::mem::take(&mut key)));
                }
                let mut inner = String::new();
                if chars.peek() == Some(&'"') {
                    chars.next();
                    for d in chars.by_ref() {
                        if d == '"' {
                            break;
                        }
                        inner.push(d);
                    }
                    chars.next(); // `]`
                    out.push(PathToken::Key(inner));
                } else {
                    for d in chars.by_ref() {
                        if d == ']' {
                            break;
                        }
                        inner.push(d);
                    }
                    if let Ok(n) = inner.parse() {
                        out.push(PathToken::Index(n));
                    }
                }
            }
            _ => key.push(c),
        }
    }
    if !key.is_empty() {
        out.push(PathToken::Key(key));
    }
    out
}

/// Append a map key to a field path, bracketed when it is not a plain identifier.
pub fn path_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[\"{key}\"]"),
    }
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathToken {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// The value at a field path.
pub fn get_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for t in parse_path(path) {
        cur = match t {
            PathToken::Key(k) => cur.get(k.as_str())?,
            PathToken::Index(i) => cur.get(i)?,
        };
    }
    Some(cur)
}

/// Whether a field path names the object (`metadata.name`, `metadata.namespace`).
pub fn is_identity(path: &str) -> bool {
    matches!(path, "metadata.name" | "metadata.namespace")
}

/// The copy of `v` a blame probe reviews: without the value at `path`, except for the
/// object's name and namespace, which are changed instead. Messages quote names, and a
/// template that formats a missing name drops the whole result, so removing a name would
/// blame it for every violation; a renamed object that still violates shows the name is not
/// the cause.
pub fn ablate(v: &Value, path: &str) -> Option<Value> {
    if is_identity(path) {
        let mut out = v.clone();
        let field = out
            .get_mut("metadata")?
            .get_mut(path.trim_start_matches("metadata."))?;
        let renamed = format!("{}-mcpgen-probe", field.as_str()?);
        *field = Value::String(renamed);
        return Some(out);
    }
    remove_path(v, path)
}

/// A copy of `v` without the value at a field path, or `None` when there is none.
pub fn remove_path(v: &Value, path: &str) -> Option<Value> {
    let tokens = parse_path(path);
    let (last, parents) = tokens.split_last()?;
    let mut out = v.clone();
    let mut cur = &mut out;
    for t in parents {
        cur = match t {
            PathToken::Key(k) => cur.get_mut(k.as_str())?,
            PathToken::Index(i) => cur.get_mut(*i)?,
        };
    }
    match last {
        PathToken::Key(k) => {
            cur.as_object_mut()?.remove(k)?;
        }
        PathToken::Index(i) => {
            let a = cur.as_array_mut()?;
            if *i >= a.len() {
                return None;
            }
            a.remove(*i);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_of_a_deployment_and_a_cronjob() {
        let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "Web", "namespace": "a"},
            "spec": {"template": {"metadata": {"labels": {"x": "y"}},
                                  "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
        let pods = expand(&dep, &super::super::load::default_expansions());
        assert_eq!(pods.len(), 1);
        let p = &pods[0].value;
        assert_eq!(p["kind"], "Pod");
        assert_eq!(p["metadata"]["name"], "web-pod");
        assert_eq!(p["metadata"]["namespace"], "a");
        assert_eq!(p["metadata"]["labels"]["x"], "y");
        assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "Deployment");
        let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}});
        assert_eq!(
            expand(&cron, &super::super::load::default_expansions()).len(),
            1
        );
    }

    #[test]
    fn inventory_layout() {
        let a = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}});
        let b = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                       "metadata": {"name": "i", "namespace": "a"}});
        let inv = inventory([&a, &b]);
        assert_eq!(inv["cluster"]["v1"]["Namespace"]["a"], a);
        assert_eq!(
            inv["namespace"]["a"]["networking.k8s.io/v1"]["Ingress"]["i"],
            b
        );
    }

    #[test]
    fn field_paths() {
        let v = json!({"spec": {"containers": [{"image": "x", "name": "c"}]}});
        assert_eq!(get_path(&v, "spec.containers[0].image"), Some(&json!("x")));
        let r = remove_path(&v, "spec.containers[0].image").expect("present");
        assert_eq!(r, json!({"spec": {"containers": [{"name": "c"}]}}));
        assert!(remove_path(&v, "spec.containers[1]").is_none());
        let a = json!({"metadata": {"annotations": {"cert-manager.io/issuer": "x"}}});
        let p = path_key("metadata.annotations", "cert-manager.io/issuer");
        assert_eq!(p, "metadata.annotations[\"cert-manager.io/issuer\"]");
        assert_eq!(get_path(&a, &p), Some(&json!("x")));
    }
}
