//! The published JSON Schema: generated from the spec types, compiled once, and its errors
//! mapped back to located diagnostics.
//!
//! The schema is derived from `crate::spec::types` with schemars, so it cannot drift from the
//! Rust types; a test compares it with the committed `schemas/mcpgen.schema.json`. Each
//! jsonschema error becomes a diagnostic whose label sits on the offending value (or on the key,
//! for unknown and misspelled fields), with a code per kind of mistake. Environment overlays
//! get patch definitions derived from the same types (`super::overlay_schema`).

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
use serde_json::{Map, Value};

use crate::diagnostics::{Diagnostic, codes};
use crate::spec::{Document, SpecFile};

/// Where the schema is published.
pub const SCHEMA_ID: &str = "https://mcpgen.dev/schemas/mcpgen.schema.json";

/// The published schema, as committed in `schemas/mcpgen.schema.json`: embedded rather than
/// generated at every start (schemars took 3 % of a check). The unit test
/// `committed_schema_is_the_generated_one` keeps the file equal to [`generated`].
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/mcpgen.schema.json");

/// The JSON Schema of the spec language (draft 2020-12).
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let _t = crate::timing::span("schema: parse embedded JSON");
        serde_json::from_str(SCHEMA_TEXT).expect("the committed schema is JSON (tested)")
    })
}

/// The schema generated from the spec types with schemars, in the published layout.
pub fn generated() -> Value {
    {
        let generator = SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator();
        let mut schema = generator.into_root_schema_for::<SpecFile>();
        RecursiveTransform(drop_null_branches).transform(&mut schema);
        let mut value = schema.to_value();
        super::overlay_schema::add_patch_definitions(&mut value);
        // Identification first, then the rest in schemars' order: easier to read and to diff.
        let mut out = Map::new();
        out.insert(
            "$schema".into(),
            value.get("$schema").cloned().unwrap_or(Value::Null),
        );
        out.insert("$id".into(), Value::String(SCHEMA_ID.into()));
        for key in ["title", "description"] {
            if let Some(v) = value.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        if let Value::Object(rest) = value {
            for (k, v) in rest {
                out.entry(k).or_insert(v);
            }
        }
        Value::Object(out)
    }
}

/// The schema as pretty JSON with a trailing newline, as published.
pub fn schema_text() -> String {
    SCHEMA_TEXT.to_string()
}

/// [`generated`] as pretty JSON with a trailing newline, as the committed file must read.
pub fn generated_text() -> String {
    let mut s = serde_json::to_string_pretty(&generated()).expect("a JSON value always serializes");
    s.push('\n');
    s
}

/// `Option<T>` fields become `anyOf: [T, null]` or `type: [T, "null"]`. Specs never need an
/// explicit null, and the `anyOf` form hides every nested error behind one vague message, so
/// the null branch is removed.
fn drop_null_branches(schema: &mut schemars::Schema) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            obj.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(branches)) = obj.get("anyOf") {
        let kept: Vec<Value> = branches
            .iter()
            .filter(|b| b.get("type") != Some(&Value::String("null".into())))
            .cloned()
            .collect();
        if kept.len() == 1 {
            obj.remove("anyOf");
            if let Value::Object(inner) = &kept[0] {
                for (k, v) in inner {
                    obj.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        } else if kept.len() != branches.len() {
            obj.insert("anyOf".into(), Value::Array(kept));
        }
    }
    if obj.get("default") == Some(&Value::Null) {
        obj.remove("default");
    }
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let _t = crate::timing::span("schema: validator construction");
        jsonschema::draft202012::options()
            .build(&runtime_schema())
            .unwrap_or_else(|e| panic!("the built-in schema does not compile: {e}"))
    })
}

/// The schema the validator compiles: the published one without the overlay patch
/// definitions (a third of all definitions, there for editors). mcpgen validates each
/// environment as the merged document, which locates an overlay's mistakes in the overlay and
/// also catches what only the combination gets wrong; on the document as written it keeps only
/// the overlays' own shape (`environment_shape_errors`), for which an object is all the patch
/// schema asks at that level. The unit test `runtime_schema_reports_what_the_published_one_does`
/// compares the two.
fn runtime_schema() -> Value {
    let mut s = schema().clone();
    if let Some(Value::Object(defs)) = s.get_mut("$defs") {
        defs.retain(|name, _| !name.ends_with(super::overlay_schema::SUFFIX));
        if let Some(Value::Object(props)) = defs
            .get_mut("Overlay")
            .and_then(|o| o.get_mut("properties"))
        {
            for p in props.values_mut() {
                if let Value::Object(p) = p {
                    p.remove("$ref");
                    p.insert("type".into(), Value::String("object".into()));
                }
            }
        }
    }
    s
}

/// Validate `value` (the document resolved for `env`) and report every error against `doc`.
pub fn validate(doc: &Document, value: &Value, env: Option<&str>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for err in validator().iter_errors(value) {
        report(doc, env, &err, &mut out);
    }
    out
}

fn report(doc: &Document, env: Option<&str>, err: &ValidationError<'_>, out: &mut Vec<Diagnostic>) {
    let ptr = err.instance_path().as_str().to_string();
    let instance = err.instance();
    let field = display_path(&ptr);
    let sub_schema = schema_at(&ptr);
    let describe = sub_schema
        .as_ref()
        .and_then(|s| s.get("description"))
        .and_then(Value::as_str);
    let locate = |p: &str| doc.locate(env, p).0;
    let key_locate = |p: &str| {
        let (span, in_overlay) = doc.locate(env, p);
        // Prefer the key of the member when it is where the value is.
        let key_ptr = match (env, in_overlay) {
            (Some(e), true) => format!(
                "/spec/environments/{}{p}",
                crate::spec::document::escape_token(e)
            ),
            _ => p.to_string(),
        };
        doc.key_span(&key_ptr).unwrap_or(span)
    };

    let d = match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                let child = crate::spec::document::child(&ptr, name);
                let known = sub_schema.as_ref().map(property_names).unwrap_or_default();
                let mut d = Diagnostic::new(
                    &codes::UNKNOWN_FIELD,
                    format!("unknown field `{name}` in {}", in_field(&field)),
                )
                .with_label(key_locate(&child), "unknown field")
                .at_pointer(&child);
                d.help = Some(match did_you_mean(name, &known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if known.is_empty() => "remove this field".to_string(),
                    None => format!("known fields here: {}", known.join(", ")),
                });
                out.push(d.in_environment(env));
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            Diagnostic::new(
                &codes::MISSING_FIELD,
                format!("missing required field `{name}` in {}", in_field(&field)),
            )
            .with_label(key_locate(&ptr), format!("`{name}` is required here"))
            .with_help(
                match schema_at(&crate::spec::document::child(&ptr, name))
                    .as_ref()
                    .and_then(|s| s.get("description"))
                    .and_then(Value::as_str)
                {
                    Some(desc) => format!("add `{name}`: {}", first_sentence(desc)),
                    None => format!("add `{name}`"),
                },
            )
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let mut d = Diagnostic::new(
                &codes::WRONG_TYPE,
                format!(
                    "{} must be {}, found {}",
                    field,
                    article(&expected),
                    type_name(instance)
                ),
            )
            .with_label(locate(&ptr), format!("expected {expected}"));
            if expected == "boolean" && instance.is_string() {
                d = d.with_help(
                    "YAML 1.2 reads `yes`, `no`, `on`, `off` as strings: write `true` or `false`",
                );
            } else if expected.starts_with("string")
                && (instance.is_number() || instance.is_boolean())
            {
                d = d.with_help(format!(
                    "quote the value as it should read; unquoted, YAML reads it as {instance}"
                ));
            }
            d
        }
        ValidationErrorKind::Enum { options } => enum_diag(&field, instance, options, locate(&ptr)),
        ValidationErrorKind::Constant { expected_value } => enum_diag(
            &field,
            instance,
            &Value::Array(vec![(**expected_value).clone()]),
            locate(&ptr),
        ),
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::Format { .. } => {
            let what = describe
                .map(first_sentence)
                .unwrap_or("the required format");
            Diagnostic::new(
                &codes::INVALID_FORMAT,
                format!("{} is not valid for {field}", show(instance)),
            )
            .with_label(locate(&ptr), "invalid format")
            .with_help(format!("expected {}", lower_first(what)))
        }
        ValidationErrorKind::PropertyNames { error } => {
            let key = error.instance().as_str().unwrap_or_default().to_string();
            let child = crate::spec::document::child(&ptr, &key);
            let what = sub_schema
                .as_ref()
                .and_then(|s| s.get("propertyNames"))
                .and_then(|p| p.get("pattern"))
                .and_then(Value::as_str)
                .unwrap_or("the required pattern");
            Diagnostic::new(
                &codes::INVALID_FORMAT,
                format!("`{key}` is not a valid key in {field}"),
            )
            .with_label(key_locate(&child), "invalid key")
            .with_help(format!("keys here must match {what}"))
            .at_pointer(child)
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Diagnostic::new(
            &codes::OUT_OF_RANGE,
            format!("{field} is {instance}, below the minimum {limit}"),
        )
        .with_label(locate(&ptr), format!("must be at least {limit}")),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => Diagnostic::new(
            &codes::OUT_OF_RANGE,
            format!("{field} is {instance}, above the maximum {limit}"),
        )
        .with_label(locate(&ptr), format!("must be at most {limit}")),
        ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MinItems { limit } => {
            Diagnostic::new(
                &codes::OUT_OF_RANGE,
                format!("{field} is too short (at least {limit} expected)"),
            )
            .with_label(locate(&ptr), "too short")
        }
        ValidationErrorKind::MaxLength { limit } | ValidationErrorKind::MaxItems { limit } => {
            Diagnostic::new(
                &codes::OUT_OF_RANGE,
                format!("{field} is too long (at most {limit} allowed)"),
            )
            .with_label(locate(&ptr), "too long")
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
            if const_options(sub_schema.as_ref()).is_some() =>
        {
            let options = const_options(sub_schema.as_ref()).unwrap_or_default();
            enum_diag(&field, instance, &Value::Array(options), locate(&ptr))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Report the branch that fits the value's type best: for `string | object`, an
            // object gets the object branch's errors rather than "not a string".
            let best = context
                .iter()
                .filter(|branch| {
                    !branch.iter().any(|e| {
                        e.instance_path().as_str() == ptr
                            && matches!(e.kind(), ValidationErrorKind::Type { .. })
                    })
                })
                .min_by_key(|branch| branch.len());
            match best {
                Some(branch) => {
                    for e in branch {
                        report(doc, env, e, out);
                    }
                    return;
                }
                None => Diagnostic::new(
                    &codes::WRONG_TYPE,
                    format!("{field} has the wrong type ({})", type_name(instance)),
                )
                .with_label(locate(&ptr), "unexpected type")
                .with_help(
                    describe
                        .map(first_sentence)
                        .unwrap_or("see the schema for the accepted forms")
                        .to_string(),
                ),
            }
        }
        _ => Diagnostic::new(&codes::SCHEMA, format!("{field}: {err}"))
            .with_label(locate(&ptr), err.kind().keyword()),
    };
    let d = if d.pointer.is_none() {
        d.at_pointer(&ptr)
    } else {
        d
    };
    out.push(d.in_environment(env));
}

/// The allowed values when a schema is a `oneOf`/`anyOf` of constants (documented enums).
fn const_options(schema: Option<&Value>) -> Option<Vec<Value>> {
    let branches = schema?
        .get("oneOf")
        .or_else(|| schema?.get("anyOf"))?
        .as_array()?;
    let mut out = Vec::new();
    for b in branches {
        if let Some(c) = b.get("const") {
            out.push(c.clone());
        } else if let Some(e) = b.get("enum").and_then(Value::as_array) {
            out.extend(e.iter().cloned());
        } else {
            return None;
        }
    }
    Some(out)
}

fn enum_diag(
    field: &str,
    instance: &Value,
    options: &Value,
    span: crate::diagnostics::Span,
) -> Diagnostic {
    let opts: Vec<String> = options
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let help = match instance.as_str().and_then(|s| did_you_mean(s, &opts)) {
        Some(s) => format!("did you mean `{s}`? (one of: {})", opts.join(", ")),
        None => format!("use one of: {}", opts.join(", ")),
    };
    Diagnostic::new(
        &codes::INVALID_ENUM,
        format!("{} is not a valid value for {field}", show(instance)),
    )
    .with_label(span, "not an allowed value")
    .with_help(help)
}

/// The closest name, if it is close enough to be a plausible typo.
pub fn did_you_mean(name: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}

/// The sub-schema describing the value at an instance pointer, following `$ref`, `properties`,
/// `additionalProperties`, `items` and single-object `anyOf` branches.
///
/// The walk borrows from the schema and clones only the result: this runs once per schema
/// error, and a spec can have tens of thousands of them.
pub fn schema_at(pointer: &str) -> Option<Value> {
    let root = schema();
    let mut cur = Layers::of(root, root)?;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        cur = step(root, &cur, &token)?;
    }
    Some(cur.materialize())
}

/// A schema node seen through its `$ref` chain: the node itself first, then each target. A
/// keyword is read from the first layer that has it, so siblings of a `$ref` (such as
/// `description`) win over the target's, as a merged copy would.
struct Layers(Vec<&'static Value>);

impl Layers {
    fn of(root: &'static Value, v: &'static Value) -> Option<Layers> {
        let mut layers = vec![v];
        let mut cur = v;
        for _ in 0..16 {
            let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
                return Some(Layers(layers));
            };
            cur = root.pointer(r.strip_prefix('#')?)?;
            layers.push(cur);
        }
        Some(Layers(layers))
    }

    fn get(&self, key: &str) -> Option<&'static Value> {
        self.0.iter().find_map(|l| l.get(key))
    }

    fn materialize(&self) -> Value {
        let mut merged = Map::new();
        for layer in self.0.iter().rev() {
            if let Some(obj) = layer.as_object() {
                for (k, v) in obj {
                    if k != "$ref" {
                        merged.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Value::Object(merged)
    }
}

fn step(root: &'static Value, cur: &Layers, token: &str) -> Option<Layers> {
    if let Some(p) = cur.get("properties").and_then(|p| p.get(token)) {
        return Layers::of(root, p);
    }
    if let Some(a) = cur.get("additionalProperties").filter(|a| a.is_object()) {
        return Layers::of(root, a);
    }
    if let Some(i) = cur.get("items").filter(|_| token.parse::<usize>().is_ok()) {
        return Layers::of(root, i);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = cur.get(key).and_then(Value::as_array) {
            for b in branches {
                if let Some(v) = Layers::of(root, b).and_then(|b| step(root, &b, token)) {
                    return Some(v);
                }
            }
        }
    }
    None
}

fn property_names(schema: &Value) -> Vec<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// `/spec/resources/limits/memory` → `spec.resources.limits.memory`; array indices in brackets.
pub fn display_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the document".into();
    }
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else if token.contains(['.', '/', ' ']) {
            out.push_str(&format!("[\"{token}\"]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    format!("`{out}`")
}

fn in_field(field: &str) -> String {
    if field == "the document" {
        "the document".into()
    } else {
        field.to_string()
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn article(t: &str) -> String {
    match t {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "integer" => "an integer".into(),
        other => format!("a {other}"),
    }
}

fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..i],
        None => s.trim_end_matches('.'),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary embeds the committed file instead of generating the schema at every start;
    /// this keeps the file equal to the Rust types. Regenerate with
    /// `MCPGEN_UPDATE_SCHEMA=1 cargo test --lib committed_schema`.
    #[test]
    fn committed_schema_is_the_generated_one() {
        let generated = generated_text();
        if generated != SCHEMA_TEXT && std::env::var_os("MCPGEN_UPDATE_SCHEMA").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/mcpgen.schema.json");
            std::fs::write(path, &generated).expect("write schemas/mcpgen.schema.json");
            return;
        }
        assert!(
            generated == SCHEMA_TEXT,
            "schemas/mcpgen.schema.json drifted from the Rust types: run \
             `MCPGEN_UPDATE_SCHEMA=1 cargo test --lib committed_schema` and rebuild"
        );
    }

    /// The validator compiles the schema without the overlay patch definitions: on the
    /// document as written, the overlays' shape errors mcpgen keeps must be the same as with
    /// the published schema, for overlays that are wrong in every way at every level.
    #[test]
    fn runtime_schema_reports_what_the_published_one_does() {
        use crate::source::{SourceFile, Sources};
        let published = jsonschema::draft202012::options()
            .build(schema())
            .expect("compiles");
        let runtime = jsonschema::draft202012::options()
            .build(&runtime_schema())
            .expect("compiles");
        let overlays = [
            "x",
            "[]",
            "{spec: x}",
            "{spec: []}",
            "{spec: {replica: 3}}",
            "{spec: {replicas: three}}",
            "{metadata: 5}",
            "{metadata: {nme: x}}",
            "{spex: {}}",
            "{spec: {env: {A: {b: 1}}}}",
            "{metadata: {labels: {a: [1]}}}",
            "{spec: null}",
            "{metadata: null, spec: {image: null}}",
            "{}",
            "{spec: {resources: {limits: {cpu: [1]}}}}",
            "{spec: {mcp: {transport: smoke, pth: /x}}}",
            "{spec: {environments: {}}}",
            "{spec: {autoscaling: {enabled: maybe}}, extra: 1}",
        ];
        let mut compared = 0;
        for overlay in overlays {
            let text = format!(
                "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata: {{name: demo}}\nspec:\n  image: ghcr.io/acme/demo:1.0.0\n  environments:\n    e: {overlay}\n"
            );
            let mut sources = Sources::new();
            let id = sources.add(SourceFile::new("t.yaml", text));
            let doc =
                crate::spec::parse(id, sources.get(id), crate::spec::Syntax::Yaml).expect("parses");
            let shape = |v: &Validator| -> Vec<String> {
                let mut out = Vec::new();
                for err in v.iter_errors(&doc.value) {
                    report(&doc, None, &err, &mut out);
                }
                let mut kept: Vec<String> = out
                    .into_iter()
                    .filter(|d| {
                        d.pointer
                            .as_deref()
                            .is_some_and(super::super::overlay_shape)
                    })
                    .map(|d| format!("{} {:?} {}", d.code, d.pointer, d.message))
                    .collect();
                kept.sort();
                kept
            };
            let (p, r) = (shape(&published), shape(&runtime));
            compared += usize::from(!p.is_empty());
            assert_eq!(p, r, "overlay {overlay}");
        }
        // The corpus must hold overlays the shape check refuses, or it compares nothing.
        assert!(compared >= 5, "{compared}");
    }

    /// jsonschema checks a schema against the draft 2020-12 meta-schema when it builds a
    /// validator (it has no public option to skip it); building it here keeps a schema that
    /// does not compile from ever reaching the binary.
    #[test]
    fn committed_schema_compiles_under_the_meta_schema() {
        let meta = jsonschema::draft202012::meta::validate(schema());
        assert!(meta.is_ok(), "{meta:?}");
        assert!(jsonschema::draft202012::options().build(schema()).is_ok());
    }
}
