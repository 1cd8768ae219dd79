//! The spanned Document: the only untyped tree in mcpgen.
//!
//! A Document is the spec file's value as JSON plus an index from JSON Pointer to the byte span
//! of each value and of each mapping key. It exists to feed the JSON Schema and the Rego
//! policies, and to turn their instance paths back into source locations. The YAML and KDL
//! front-ends build it; nothing else parses text.

use std::collections::HashMap;

use serde_json::Value;

use crate::diagnostics::Span;
use crate::source::SourceId;

/// A parsed spec file: value plus pointer→span index.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file this document came from.
    pub source: SourceId,
    /// The value, as the schema and the policies see it.
    pub value: Value,
    /// Warnings found while reading (the document is still usable).
    pub warnings: Vec<crate::diagnostics::Diagnostic>,
    /// The file's text, for checks that point inside a value (the secret detector).
    pub text: Option<std::sync::Arc<String>>,
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
    overrides: Vec<Override>,
}

/// A value set on the command line (`--set`, `--image`) over every variant of the document:
/// where it goes, what it is, and where the flag was written (a pseudo source of its own), so
/// a finding about the value points at the flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// JSON Pointer of the field set.
    pub pointer: String,
    /// The value.
    pub value: Value,
    /// The value's span in the flag's pseudo source.
    pub span: Span,
}

impl Document {
    /// An empty document for a file.
    pub fn new(source: SourceId) -> Self {
        Document {
            source,
            value: Value::Null,
            warnings: Vec::new(),
            text: None,
            values: HashMap::new(),
            keys: HashMap::new(),
            overrides: Vec::new(),
        }
    }

    /// Set a value over every variant, as the command line asks; a later override of the same
    /// field wins.
    pub fn add_override(&mut self, o: Override) {
        self.overrides.push(o);
    }

    /// The command-line overrides, in the order given.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// Apply the overrides to a variant's value (after its overlay), creating the objects on
    /// their path that do not exist yet.
    pub fn apply_overrides(&self, value: &mut Value) {
        for o in &self.overrides {
            let mut slot = &mut *value;
            for token in o.pointer.split('/').skip(1) {
                let token = token.replace("~1", "/").replace("~0", "~");
                if !slot.is_object() {
                    *slot = Value::Object(serde_json::Map::new());
                }
                slot = match slot {
                    Value::Object(m) => m.entry(token).or_insert(Value::Null),
                    _ => unreachable!("made an object above"),
                };
            }
            *slot = o.value.clone();
        }
    }

    /// The span of the flag that set `pointer` or one of its ancestors (the last such flag).
    pub fn override_span(&self, pointer: &str) -> Option<Span> {
        self.overrides
            .iter()
            .rev()
            .find(|o| pointer == o.pointer || pointer.starts_with(&format!("{}/", o.pointer)))
            .map(|o| o.span)
    }

    /// Record the span of the value at `pointer`.
    pub fn set_value_span(&mut self, pointer: &str, start: usize, end: usize) {
        self.values
            .insert(pointer.to_string(), (start, end.max(start)));
    }

    /// Record the span of the key whose value is at `pointer`.
    pub fn set_key_span(&mut self, pointer: &str, start: usize, end: usize) {
        self.keys
            .insert(pointer.to_string(), (start, end.max(start)));
    }

    /// Whether the document has a value at exactly this pointer.
    pub fn has(&self, pointer: &str) -> bool {
        self.values.contains_key(pointer)
    }

    /// Span of the value at `pointer`, if it exists (the flag's, when the command line set
    /// it).
    pub fn value_span(&self, pointer: &str) -> Option<Span> {
        self.override_span(pointer)
            .or_else(|| self.values.get(pointer).map(|&(s, e)| self.span(s, e)))
    }

    /// Span of the key of the member at `pointer`, if it exists (the flag's, when the command
    /// line set it).
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.override_span(pointer)
            .or_else(|| self.keys.get(pointer).map(|&(s, e)| self.span(s, e)))
    }

    /// Span of the value at `pointer`, or of its nearest ancestor that exists, with the pointer
    /// that was found. Falls back to the whole document.
    pub fn nearest_value_span(&self, pointer: &str) -> (Span, String) {
        let mut p = pointer;
        loop {
            if let Some(span) = self.value_span(p) {
                // For a collection, point at its key (one line) rather than the whole block;
                // a scalar standing in for a missing child (a probe written as a plain path
                // where the pointer names its `path`) is itself the place to look.
                if self.is_collection(p)
                    && let Some(k) = self.key_span(p)
                {
                    return (k, p.to_string());
                }
                return (span, p.to_string());
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return (self.span(0, 0), String::new()),
            }
        }
    }

    /// The key span if there is one, else the nearest value span.
    pub fn key_or_value_span(&self, pointer: &str) -> Span {
        self.key_span(pointer)
            .unwrap_or_else(|| self.nearest_value_span(pointer).0)
    }

    /// Locate a pointer into the spec *resolved for `env`* (see `crate::spec::overlay`).
    ///
    /// A value the overlay sets is reported at the overlay; a value only the base sets, at the
    /// base. When neither has the exact value, the deepest overlay ancestor wins over the base,
    /// because the overlay is what made that part of the environment different. Returns the span
    /// and whether it lies in the overlay.
    pub fn locate(&self, env: Option<&str>, pointer: &str) -> (Span, bool) {
        // A value the command line set is the flag's, whatever the file says.
        if let Some(span) = self.override_span(pointer) {
            return (span, false);
        }
        let Some(env) = env else {
            return (self.nearest_value_span(pointer).0, false);
        };
        let root = format!("/spec/environments/{}", escape_token(env));
        let overlay_ptr = format!("{root}{pointer}");
        if self.has(&overlay_ptr) {
            return (self.nearest_value_span(&overlay_ptr).0, true);
        }
        if self.has(pointer) {
            return (self.nearest_value_span(pointer).0, false);
        }
        let (span, found) = self.nearest_value_span(&overlay_ptr);
        // Anything at or above `<root>/spec` says nothing about this value.
        if found.len() > root.len() + "/metadata".len() {
            return (span, true);
        }
        (self.nearest_value_span(pointer).0, false)
    }

    fn is_collection(&self, pointer: &str) -> bool {
        matches!(
            self.value.pointer(pointer),
            Some(Value::Object(_) | Value::Array(_))
        )
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span {
            source: self.source,
            offset: start,
            len: end - start,
        }
    }
}

/// Escape one JSON Pointer reference token.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Append a token to a pointer.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}
