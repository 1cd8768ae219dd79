//! The schema of environment overlays, derived from the spec's own schema.
//!
//! An overlay is a JSON Merge Patch (RFC 7386) over `{metadata, spec}`: every field is
//! optional, `null` removes a field, objects (including the values of maps such as `env` or
//! `dependencies`) are merged member by member, and arrays are replaced whole. This module
//! turns each object definition the overlay can reach into a `<Name>Patch` definition with
//! exactly those rules (no `required`, every property also accepts `null`, unknown properties
//! still rejected), so an editor flags `replica: 3` in an overlay as it does in the base.
//! Array items keep their full definition, because an array in a patch replaces the base's.
//!
//! mcpgen itself still judges an overlay on the merged spec (see `crate::validate`), which
//! catches everything this schema does and also what only the combination gets wrong, and
//! reports it at the overlay's lines. Only the overlay's outer shape is validated from this
//! schema on the document as written.

use serde_json::{Map, Value, json};

/// Suffix of the patch variant of a definition.
pub(super) const SUFFIX: &str = "Patch";

/// Replace the free-form `metadata` and `spec` of the `Overlay` definition with patch
/// definitions of `Metadata` and `ServiceSpec` (without `environments`: an overlay cannot
/// define environments). Does nothing when the schema has no `Overlay` definition.
pub fn add_patch_definitions(schema: &mut Value) {
    let Some(defs) = schema.get("$defs").and_then(Value::as_object).cloned() else {
        return;
    };
    if !defs.contains_key("Overlay") {
        return;
    }
    let mut out = Map::new();
    let metadata = patch_ref("Metadata", &defs, &mut out);
    let spec = patch_ref("ServiceSpec", &defs, &mut out);
    if let Some(Value::Object(spec_def)) = out.get_mut(&format!("ServiceSpec{SUFFIX}"))
        && let Some(Value::Object(props)) = spec_def.get_mut("properties")
    {
        props.remove("environments");
    }
    let Some(target) = schema.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(props) = target
        .get_mut("Overlay")
        .and_then(|o| o.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        for (name, reference) in [("metadata", metadata), ("spec", spec)] {
            let description = props.get(name).and_then(|p| p.get("description")).cloned();
            let mut p = Map::new();
            p.insert("$ref".into(), reference);
            if let Some(d) = description {
                p.insert("description".into(), d);
            }
            props.insert(name.into(), Value::Object(p));
        }
    }
    for (k, v) in out {
        target.insert(k, v);
    }
}

/// The `$ref` to use for definition `name` inside a patch: its patch variant when it is an
/// object that a patch merges into (created on first use), else the definition itself.
fn patch_ref(name: &str, defs: &Map<String, Value>, out: &mut Map<String, Value>) -> Value {
    let patched = format!("{name}{SUFFIX}");
    let Some(def) = defs.get(name) else {
        return Value::String(format!("#/$defs/{name}"));
    };
    if !mergeable(def, defs, &mut Vec::new()) {
        return Value::String(format!("#/$defs/{name}"));
    }
    if !out.contains_key(&patched) {
        // Reserve the name first: definitions can refer to themselves.
        out.insert(patched.clone(), Value::Null);
        let p = patch(def, defs, out);
        out.insert(patched.clone(), p);
    }
    Value::String(format!("#/$defs/{patched}"))
}

/// Whether a merge patch can merge into values of this schema (it is, or may be, an object
/// with declared properties or a map), as opposed to replacing them.
fn mergeable(schema: &Value, defs: &Map<String, Value>, seen: &mut Vec<String>) -> bool {
    if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
        return true;
    }
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        if seen.iter().any(|s| s == name) {
            return false;
        }
        seen.push(name.to_string());
        return defs.get(name).is_some_and(|d| mergeable(d, defs, seen));
    }
    ["anyOf", "oneOf"].iter().any(|k| {
        schema
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|bs| bs.iter().any(|b| mergeable(b, defs, seen)))
    })
}

/// The patch form of one schema.
fn patch(schema: &Value, defs: &Map<String, Value>, out: &mut Map<String, Value>) -> Value {
    let Value::Object(obj) = schema else {
        return schema.clone();
    };
    let mut res = obj.clone();
    if let Some(name) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        res.insert("$ref".into(), patch_ref(name, defs, out));
    }
    res.remove("required");
    // Fewer than the minimum number of members is fine in a patch: the base supplies the rest.
    res.remove("minProperties");
    if let Some(Value::Object(props)) = obj.get("properties") {
        let props = props
            .iter()
            .map(|(k, v)| (k.clone(), nullable(patch(v, defs, out))))
            .collect();
        res.insert("properties".into(), Value::Object(props));
    }
    if let Some(ap @ Value::Object(_)) = obj.get("additionalProperties") {
        res.insert(
            "additionalProperties".into(),
            nullable(patch(ap, defs, out)),
        );
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = obj.get(key) {
            let branches = branches.iter().map(|b| patch(b, defs, out)).collect();
            res.insert(key.into(), Value::Array(branches));
        }
    }
    Value::Object(res)
}

/// The schema, also accepting `null` (which removes the field in a merge patch). The
/// description stays at the top so editors still show it on hover.
fn nullable(schema: Value) -> Value {
    let Value::Object(mut obj) = schema else {
        return schema;
    };
    match obj.get("type").cloned() {
        Some(Value::String(t)) if !obj.contains_key("$ref") => {
            obj.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(e)) = obj.get_mut("enum") {
                e.push(Value::Null);
            }
            Value::Object(obj)
        }
        _ => {
            let description = obj.remove("description");
            let mut wrapper = Map::new();
            if let Some(d) = description {
                wrapper.insert("description".into(), d);
            }
            wrapper.insert(
                "anyOf".into(),
                json!([Value::Object(obj), {"type": "null"}]),
            );
            Value::Object(wrapper)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_definitions_are_optional_nullable_and_closed() {
        let mut schema = json!({
            "$defs": {
                "Metadata": {"type": "object", "additionalProperties": false,
                             "properties": {"name": {"type": "string"}}, "required": ["name"]},
                "ServiceSpec": {"type": "object", "additionalProperties": false,
                                "properties": {
                                    "image": {"type": "string", "description": "d"},
                                    "health": {"$ref": "#/$defs/Health"},
                                    "args": {"type": "array", "items": {"$ref": "#/$defs/Health"}},
                                    "environments": {"type": "object"}
                                },
                                "required": ["image"]},
                "Health": {"type": "object", "additionalProperties": false,
                           "properties": {"port": {"type": "integer"}}, "required": ["port"]},
                "Overlay": {"type": "object", "properties": {
                    "metadata": {"type": "object", "additionalProperties": true},
                    "spec": {"type": "object", "additionalProperties": true, "description": "s"}
                }}
            }
        });
        add_patch_definitions(&mut schema);
        let d = &schema["$defs"];
        assert_eq!(
            d["Overlay"]["properties"]["spec"],
            json!({"$ref": "#/$defs/ServiceSpecPatch", "description": "s"})
        );
        let spec = &d["ServiceSpecPatch"];
        assert!(spec.get("required").is_none());
        assert_eq!(spec["additionalProperties"], json!(false));
        assert!(spec["properties"].get("environments").is_none());
        assert_eq!(
            spec["properties"]["image"],
            json!({"type": ["string", "null"], "description": "d"})
        );
        assert_eq!(
            spec["properties"]["health"],
            json!({"anyOf": [{"$ref": "#/$defs/HealthPatch"}, {"type": "null"}]})
        );
        // Arrays are replaced whole: their items stay complete.
        assert_eq!(
            spec["properties"]["args"],
            json!({"type": ["array", "null"], "items": {"$ref": "#/$defs/Health"}})
        );
        assert!(d["HealthPatch"].get("required").is_none());
        assert!(d["MetadataPatch"].get("required").is_none());
    }
}
