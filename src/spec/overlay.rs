//! Environment overlays: JSON Merge Patch (RFC 7386) over `{metadata, spec}`.
//!
//! The patch is applied to the untyped value so that the merged result goes through the same
//! schema and checks as the base; locating its errors back in the overlay is the job of
//! [`crate::spec::Document::locate`].

use serde_json::{Map, Value};

/// Apply RFC 7386 `patch` to `target` in place.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// The value of the document resolved for `env`: the base with `spec.environments` removed and,
/// when `env` is given, the overlay merged over `metadata` and `spec`.
pub fn resolve(base: &Value, env: Option<&str>) -> Value {
    // Copy the base without `spec.environments`: copying it and then removing it would make
    // resolving every environment quadratic in the number of environments.
    let mut out = match base {
        Value::Object(top) => Value::Object(
            top.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("spec", Value::Object(spec)) => (
                        k.clone(),
                        Value::Object(
                            spec.iter()
                                .filter(|(sk, _)| sk.as_str() != "environments")
                                .map(|(sk, sv)| (sk.clone(), sv.clone()))
                                .collect(),
                        ),
                    ),
                    _ => (k.clone(), v.clone()),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    let overlay = env
        .and_then(|e| {
            base.pointer(&format!(
                "/spec/environments/{}",
                crate::spec::document::escape_token(e)
            ))
        })
        .cloned();
    if let Some(spec) = out.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("environments");
    }
    if let Some(Value::Object(o)) = overlay {
        for part in ["metadata", "spec"] {
            if let Some(p) = o.get(part) {
                let slot = out.as_object_mut().map(|m| {
                    m.entry(part.to_string())
                        .or_insert(Value::Object(Map::new()))
                });
                if let Some(slot) = slot {
                    merge_patch(slot, p);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": ["b"]});
        merge_patch(&mut t, &json!({"a": "c"}));
        assert_eq!(t, json!({"a": "c"}));
        let mut t = json!(["a"]);
        merge_patch(&mut t, &json!({"a": "b"}));
        assert_eq!(t, json!({"a": "b"}));
    }

    #[test]
    fn resolve_applies_overlay_and_drops_environments() {
        let base = json!({"metadata": {"name": "x"}, "spec": {"replicas": 3, "environments": {"s": {"spec": {"replicas": 1}}}}});
        assert_eq!(
            resolve(&base, Some("s")),
            json!({"metadata": {"name": "x"}, "spec": {"replicas": 1}})
        );
        assert_eq!(
            resolve(&base, None),
            json!({"metadata": {"name": "x"}, "spec": {"replicas": 3}})
        );
    }
}
