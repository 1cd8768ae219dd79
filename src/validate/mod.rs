//! Document → Spec: the JSON Schema, then the semantic checks, for the base spec and each
//! environment overlay.
//!
//! Every problem becomes a diagnostic; a [`Spec`] is returned only for the variants (base or
//! environment) that have no error. Findings in an environment that the base already shows are
//! reported once, for the base.

pub mod bounds;
pub mod metadata;
pub mod overlay_schema;
pub mod schema;
pub mod secrets;
pub mod semantic;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Level, codes};
use crate::spec::document::escape_token;
use crate::spec::{Document, Spec, SpecFile, overlay};

/// Which variants of a spec to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envs<'a> {
    /// The base spec and every environment.
    All,
    /// Only this environment.
    One(&'a str),
}

/// The environment names a document defines, sorted.
pub fn environment_names(doc: &Document) -> Vec<String> {
    doc.value
        .pointer("/spec/environments")
        .and_then(Value::as_object)
        .map(|m| {
            let mut v: Vec<String> = m.keys().cloned().collect();
            v.sort();
            v
        })
        .unwrap_or_default()
}

/// Check a document. Returns the valid variants; pushes every finding to `out`.
/// `Err(name)` when the selected environment does not exist.
pub fn check(
    doc: &Document,
    envs: Envs<'_>,
    out: &mut Vec<Diagnostic>,
) -> Result<Vec<Spec>, String> {
    let names = environment_names(doc);
    if names.len() > crate::limits::MAX_ENVIRONMENTS {
        // Every environment is a full check and a policy evaluation: bound the work (exit 2).
        out.push(
            crate::limits::exceeded(format!(
                "the spec defines {} environments, more than the limit of {}",
                names.len(),
                crate::limits::MAX_ENVIRONMENTS
            ))
            .with_label(
                doc.key_or_value_span("/spec/environments"),
                "too many environments",
            )
            .at_pointer("/spec/environments"),
        );
        return Ok(Vec::new());
    }
    // The resolved variants below no longer carry `spec.environments`, so the environments'
    // names and overlay shapes are validated here, on the document as written, on every path.
    // A name that is not a DNS label never becomes a variant: it would name an output
    // directory and appear in streamed YAML.
    let shape = environment_shape_errors(doc);
    let shape_ok = |name: &str| {
        let root = format!("/spec/environments/{}", escape_token(name));
        !shape.iter().any(|d| {
            d.pointer.as_deref().is_some_and(|p| {
                p == "/spec/environments" || p == root || p.starts_with(&format!("{root}/"))
            })
        })
    };
    let mut specs = Vec::new();
    match envs {
        Envs::One(name) => {
            if !names.iter().any(|n| n == name) {
                return Err(name.to_string());
            }
            let ok = shape_ok(name);
            let root = format!("/spec/environments/{}", escape_token(name));
            out.extend(
                shape
                    .iter()
                    .filter(|d| {
                        d.pointer.as_deref().is_some_and(|p| {
                            p == "/spec/environments"
                                || p == root
                                || p.starts_with(&format!("{root}/"))
                        })
                    })
                    .cloned(),
            );
            if ok {
                specs.extend(check_variant(doc, Some(name), out));
            }
        }
        Envs::All => {
            let mut base = Vec::new();
            let base_spec = check_variant(doc, None, &mut base);
            // A secret does not make the base unusable (an exception may accept it); only
            // errors that stop a variant from being built do.
            let base_had_errors = base
                .iter()
                .any(|d| d.level == Level::Error && d.code != codes::HARDCODED_SECRET.code);
            specs.extend(base_spec);
            // Looked up per environment finding: linear in the findings, not their product.
            let base_keys: std::collections::HashSet<_> = base
                .iter()
                .map(|b| (b.code.as_str(), b.primary.as_ref(), b.message.as_str()))
                .collect();
            let base_pointers: std::collections::HashSet<(&str, &str, &str)> = base
                .iter()
                .filter_map(|b| Some((b.code.as_str(), b.message.as_str(), b.pointer.as_deref()?)))
                .collect();
            for name in &names {
                if !shape_ok(name) {
                    continue;
                }
                let mut env_diags = Vec::new();
                let spec = check_variant(doc, Some(name), &mut env_diags);
                // An error the base already reports is not the overlay's doing: the same place,
                // or the same pointer when the overlay did not write that value itself (a
                // required field missing from both is located at the overlay's `spec` key in
                // the environment, but it is the base's mistake).
                env_diags.retain(|d| {
                    let same_place = base_keys.contains(&(
                        d.code.as_str(),
                        d.primary.as_ref(),
                        d.message.as_str(),
                    ));
                    let same_pointer = d.pointer.as_deref().is_some_and(|p| {
                        base_pointers.contains(&(d.code.as_str(), d.message.as_str(), p))
                            && !overlay_writes(doc, name, Some(p))
                    });
                    !(same_place || same_pointer)
                });
                if !base_had_errors {
                    specs.extend(spec);
                }
                out.extend(env_diags);
            }
            out.extend(base);
            out.extend(shape.iter().cloned());
        }
    }
    Ok(specs)
}

/// Schema errors in `spec.environments` of the document as written: invalid environment names,
/// overlays that are not `{metadata, spec}` objects, unknown overlay members.
///
/// Errors inside an overlay's `metadata` or `spec` are left to the merged spec's validation
/// (`check_variant`), which finds them too, names the environment and also catches what only
/// the combination with the base gets wrong; the published overlay schema flags them in editors.
fn environment_shape_errors(doc: &Document) -> Vec<Diagnostic> {
    let mut errors = schema::validate(doc, &doc.value, None);
    errors.retain(|d| d.pointer.as_deref().is_some_and(overlay_shape));
    errors
}

/// Whether a diagnostic's pointer is about the shape of the environments themselves (the map,
/// an overlay, or an overlay's `metadata` or `spec` as a whole), not about a field inside one.
fn overlay_shape(pointer: &str) -> bool {
    pointer == "/spec/environments"
        || pointer
            .strip_prefix("/spec/environments/")
            .is_some_and(|rest| rest.split('/').count() <= 2)
}

/// Whether environment `env`'s overlay itself writes a scalar or a list at `pointer` (so an
/// error there is the overlay's, even when the base has the same one).
fn overlay_writes(doc: &Document, env: &str, pointer: Option<&str>) -> bool {
    let Some(pointer) = pointer else { return false };
    let at = format!("/spec/environments/{}{pointer}", escape_token(env));
    doc.value.pointer(&at).is_some_and(|v| !v.is_object())
}

/// Check one variant: resolve, schema, typed, semantic.
fn check_variant(doc: &Document, env: Option<&str>, out: &mut Vec<Diagnostic>) -> Option<Spec> {
    let mut value = overlay::resolve(&doc.value, env);
    doc.apply_overrides(&mut value);
    if let Some(e) = env {
        let root = format!("/spec/environments/{}", escape_token(e));
        if doc.has(&format!("{root}/spec/environments")) {
            let span = doc.key_or_value_span(&format!("{root}/spec/environments"));
            out.push(
                Diagnostic::new(&codes::OVERLAY_INVALID, format!("environment `{e}` cannot define environments"))
                    .with_label(span, "nested environments")
                    .with_help("overlays patch metadata and spec only; move this to the top-level environments")
                    .in_environment(env),
            );
            return None;
        }
    }
    // Secrets are reported whatever else is wrong with the variant.
    out.extend(secrets::check(doc, env, &value));
    let errors = schema::validate(doc, &value, env);
    let schema_ok = errors.is_empty();
    out.extend(errors);
    if !schema_ok {
        return None;
    }
    let file: SpecFile = match serde_path_to_error::deserialize(&value) {
        Ok(f) => f,
        Err(e) => {
            // The schema accepted the value but the types did not (a number beyond u32, say):
            // locate the field through the path serde was at.
            let mut ptr = String::new();
            for seg in e.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Seq { index } => {
                        ptr.push_str(&format!("/{index}"));
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        ptr = crate::spec::document::child(&ptr, key);
                    }
                    serde_path_to_error::Segment::Enum { variant } => {
                        ptr = crate::spec::document::child(&ptr, variant);
                    }
                    serde_path_to_error::Segment::Unknown => {}
                }
            }
            let inner = e.inner().to_string();
            let code = if inner.contains("invalid value: integer") {
                &codes::OUT_OF_RANGE
            } else {
                &codes::SCHEMA
            };
            let (span, _) = doc.locate(env, &ptr);
            out.push(
                Diagnostic::new(
                    code,
                    format!("{} does not fit: {inner}", schema::display_path(&ptr)),
                )
                .with_label(span, "out of range for this field")
                .at_pointer(ptr)
                .in_environment(env),
            );
            return None;
        }
    };
    let mut sem = semantic::check(doc, env, &file);
    sem.extend(metadata::check(doc, env, &file));
    sem.extend(bounds::check(doc, env, &file));
    let ok = !sem.iter().any(|d| d.level == Level::Error);
    out.extend(sem);
    let overridden = doc.overrides().iter().map(|o| o.pointer.clone()).collect();
    ok.then(|| Spec::new_validated(env.map(str::to_string), file, value, overridden))
}
