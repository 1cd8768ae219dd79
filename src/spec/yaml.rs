//! YAML front-end: saphyr's spanned tree into a [`Document`].
//!
//! saphyr reads YAML 1.2 core schema, so `no`, `on` and `yes` stay strings and the schema, not
//! the parser, decides whether a boolean was meant. It rejects duplicate keys and caps alias
//! expansion; this module turns those and every other parse problem into located diagnostics.
//! saphyr counts characters, so offsets are converted to bytes here, once.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::{Map, Number, Value};

use crate::diagnostics::{Diagnostic, Span, codes};
use crate::source::{SourceFile, SourceId};
use crate::spec::document::{Document, child};

/// Parse a YAML spec. On failure returns the diagnostics that explain why.
pub fn parse(id: SourceId, file: &SourceFile) -> Result<Document, Vec<Diagnostic>> {
    let text = file.text();
    let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(text.len());
    let to_byte = |char_index: usize| byte_at.get(char_index).copied().unwrap_or(text.len());

    if let Some(tab) = leading_tab(text) {
        let span = Span {
            source: id,
            offset: tab,
            len: 1,
        };
        return Err(vec![
            Diagnostic::new(&codes::YAML_SYNTAX, "tab character used for indentation")
                .with_label(span, "tab here")
                .with_help("YAML indentation must use spaces; replace the tab with spaces"),
        ]);
    }

    // Bounds first, on the event stream (no tree, no recursion): saphyr's loader recurses on
    // nesting and materialises every alias, so depth and expanded size are checked before it
    // runs.
    if let Some(d) = bounds(id, text, &to_byte) {
        return Err(vec![d]);
    }

    let docs = match MarkedYaml::load_from_str(text) {
        Ok(d) => d,
        Err(e) => {
            let offset = to_byte(e.marker().index());
            let info = e.info();
            let code = if info.contains("duplicated key") {
                &codes::DUPLICATE_KEY
            } else if info.contains("alias expansion") {
                &codes::ALIAS_LIMIT
            } else {
                &codes::YAML_SYNTAX
            };
            let len = text[offset..].chars().next().map_or(0, char::len_utf8);
            let (message, label) = if code.code == codes::DUPLICATE_KEY.code {
                (
                    "duplicate key in mapping".to_string(),
                    "this key is already defined above".to_string(),
                )
            } else if code.code == codes::ALIAS_LIMIT.code {
                (
                    format!("YAML {info}"),
                    "this alias expands too far".to_string(),
                )
            } else {
                (format!("invalid YAML: {info}"), info.to_string())
            };
            let span = Span {
                source: id,
                offset,
                len: if code.code == codes::DUPLICATE_KEY.code {
                    key_len(text, offset)
                } else {
                    len
                },
            };
            return Err(vec![Diagnostic::new(code, message).with_label(span, label)]);
        }
    };

    let mut doc = Document::new(id);
    doc.text = Some(file.shared_text());
    let Some(root) = docs.first() else {
        return Err(vec![
            Diagnostic::new(&codes::EMPTY_DOCUMENT, "the file holds no YAML document")
                .in_source(id),
        ]);
    };
    if let Some(second) = docs.get(1) {
        let offset = to_byte(second.span.start.index());
        let start = text[..offset].rfind("---").unwrap_or(offset);
        let span = Span {
            source: id,
            offset: start,
            len: 3.min(text.len() - start),
        };
        return Err(vec![
            Diagnostic::new(
                &codes::MULTIPLE_DOCUMENTS,
                "a second YAML document starts here",
            )
            .with_label(span, "second document"),
        ]);
    }
    let mut errors = Vec::new();
    let mut walker = Walker {
        id,
        text,
        to_byte: &to_byte,
        doc: &mut doc,
        errors: &mut errors,
    };
    let value = walker.walk(root, "");
    if value.is_null() {
        return Err(vec![
            Diagnostic::new(&codes::EMPTY_DOCUMENT, "the file holds no spec").in_source(id),
        ]);
    }
    doc.value = value;
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

/// One open collection during [`bounds`].
struct Open {
    anchor: usize,
    is_seq: bool,
    items: usize,
    bytes: u64,
    nodes: u64,
}

/// Nodes that alias expansion may add, as saphyr's loader counts them (its default budget).
const ALIAS_NODE_BUDGET: u64 = 100_000;

/// Check the document's nesting depth, list lengths and size after alias expansion against
/// [`crate::limits`] by walking saphyr's event stream once. Returns the finding for the first
/// bound exceeded, located at the event that exceeded it. Syntax errors are left to the loader,
/// which reports them with its own messages.
fn bounds(id: SourceId, text: &str, to_byte: &dyn Fn(usize) -> usize) -> Option<Diagnostic> {
    use crate::limits::{MAX_DEPTH, MAX_EXPANDED_BYTES, MAX_ITEMS, exceeded};
    use saphyr_parser::{Event, Parser};
    // Per-node overhead counted on top of scalar text, so that a flood of empty values counts.
    const NODE: u64 = 8;
    let mut stack: Vec<Open> = Vec::new();
    // Anchor → (bytes, nodes) of the anchored node, aliases inside it expanded.
    let mut anchors: std::collections::HashMap<usize, (u64, u64)> =
        std::collections::HashMap::new();
    let mut total: u64 = 0;
    let mut aliased_nodes: u64 = 0;
    let at = |offset: usize, label: &str, d: Diagnostic| {
        let len = text[offset..].chars().next().map_or(0, char::len_utf8);
        d.with_label(
            Span {
                source: id,
                offset,
                len,
            },
            label.to_string(),
        )
    };
    for ev in Parser::new_from_str(text) {
        let Ok((event, span)) = ev else { return None };
        let offset = to_byte(span.start.index());
        // The size this event adds (a scalar, or an alias's whole expansion): bytes, nodes.
        let added = match &event {
            Event::Scalar(v, _, anchor, _) => {
                let n = (v.len() as u64 + NODE, 1);
                if *anchor > 0 {
                    anchors.insert(*anchor, n);
                }
                Some(n)
            }
            Event::Alias(a) => {
                let n = anchors.get(a).copied().unwrap_or((NODE, 1));
                aliased_nodes = aliased_nodes.saturating_add(n.1);
                if aliased_nodes > ALIAS_NODE_BUDGET {
                    // The billion-laughs shape: many nodes, little text. Reported like saphyr
                    // reports it, as a finding about the spec.
                    return Some(at(
                        offset,
                        "this alias expands too far",
                        Diagnostic::new(
                            &codes::ALIAS_LIMIT,
                            "YAML alias expansion exceeded the maximum node budget (possible \
                             billion-laughs attack)",
                        ),
                    ));
                }
                Some(n)
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => Some((NODE, 1)),
            _ => None,
        };
        if let Some((n, nodes)) = added {
            if let Some(top) = stack.last_mut() {
                top.items += 1;
                top.bytes = top.bytes.saturating_add(n);
                top.nodes = top.nodes.saturating_add(nodes);
                // A mapping's events are its keys and its values.
                let max = if top.is_seq { MAX_ITEMS } else { 2 * MAX_ITEMS };
                if top.items > max {
                    return Some(at(
                        offset,
                        "one item too many",
                        exceeded(format!("a list or mapping has more than {MAX_ITEMS} items")),
                    ));
                }
            }
            total = total.saturating_add(n);
            if total > MAX_EXPANDED_BYTES {
                return Some(at(
                    offset,
                    "the document grows past the limit here",
                    exceeded(format!(
                        "the document expands to more than {MAX_EXPANDED_BYTES} bytes once its \
                         aliases are resolved"
                    )),
                ));
            }
        }
        match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                stack.push(Open {
                    anchor,
                    is_seq: matches!(event, Event::SequenceStart(..)),
                    items: 0,
                    bytes: NODE,
                    nodes: 1,
                });
                if stack.len() > MAX_DEPTH {
                    return Some(at(
                        offset,
                        "nested too deeply here",
                        exceeded(format!(
                            "lists and mappings are nested more than {MAX_DEPTH} levels deep"
                        )),
                    ));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(done) = stack.pop() {
                    if done.anchor > 0 {
                        anchors.insert(done.anchor, (done.bytes, done.nodes));
                    }
                    if let Some(parent) = stack.last_mut() {
                        // The parent already counted this collection's own node at its start.
                        parent.bytes = parent.bytes.saturating_add(done.bytes - NODE);
                        parent.nodes = parent.nodes.saturating_add(done.nodes - 1);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Byte offset of a tab used as indentation (a tab before the first non-blank character of a
/// line). saphyr reports some of these with a confusing message, so they are caught first.
fn leading_tab(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        for (i, c) in line.char_indices() {
            match c {
                ' ' => continue,
                '\t' => {
                    // A tab-only or tab-led line inside a block scalar would be content, but a
                    // spec has none that start with tabs; treat it as indentation.
                    if line.trim().is_empty() {
                        break;
                    }
                    return Some(offset + i);
                }
                _ => break,
            }
        }
        offset += line.len();
    }
    None
}

/// Whether a pointer names an environment variable value (`/spec/env/X`, a dependency's env,
/// or the same inside an environment overlay).
fn is_env_value(ptr: &str) -> bool {
    let parts: Vec<&str> = ptr.split('/').collect();
    let n = parts.len();
    if n < 4 || parts[n - 2] != "env" {
        return false;
    }
    let owner = &parts[..n - 2];
    owner.ends_with(&["spec"]) || owner.len() >= 2 && owner[owner.len() - 2] == "dependencies"
}

fn has_leading_zero(raw: &str) -> bool {
    let digits = raw.trim_start_matches(['+', '-']);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

fn key_len(text: &str, offset: usize) -> usize {
    let rest = &text[offset..];
    rest.find([':', '\n']).unwrap_or(rest.len()).max(1)
}

struct Walker<'a, F: Fn(usize) -> usize> {
    id: SourceId,
    text: &'a str,
    to_byte: &'a F,
    doc: &'a mut Document,
    errors: &'a mut Vec<Diagnostic>,
}

impl<F: Fn(usize) -> usize> Walker<'_, F> {
    fn span_of(&self, node: &MarkedYaml) -> (usize, usize) {
        let start = (self.to_byte)(node.span.start.index());
        let mut end = (self.to_byte)(node.span.end.index());
        // Block collections end where the next token starts; trim trailing whitespace so a label
        // does not run onto the following line.
        while end > start && self.text.as_bytes()[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        (start, end)
    }

    fn error(&mut self, node: &MarkedYaml, message: String, label: &str) {
        let (s, e) = self.span_of(node);
        let span = Span {
            source: self.id,
            offset: s,
            len: e - s,
        };
        self.errors
            .push(Diagnostic::new(&codes::UNSUPPORTED_YAML, message).with_label(span, label));
    }

    fn walk(&mut self, node: &MarkedYaml, ptr: &str) -> Value {
        let (s, e) = self.span_of(node);
        self.doc.set_value_span(ptr, s, e);
        match &node.data {
            YamlData::Value(scalar) => {
                let raw = &self.text[s..e];
                if is_env_value(ptr) && !matches!(scalar, Scalar::String(_) | Scalar::Null) {
                    // Environment values are text in Kubernetes and compose; keep what was
                    // written (`1.10`, `0755`) instead of the number YAML would make of it.
                    return Value::String(raw.to_string());
                }
                if matches!(scalar, Scalar::Integer(_)) && has_leading_zero(raw) {
                    let span = Span {
                        source: self.id,
                        offset: s,
                        len: e - s,
                    };
                    let decimal = raw.trim_start_matches(['+', '-']).trim_start_matches('0');
                    let decimal = if decimal.is_empty() { "0" } else { decimal };
                    self.doc.warnings.push(
                        Diagnostic::new(
                            &codes::AMBIGUOUS_NUMBER,
                            format!("`{raw}` has a leading zero; mcpgen reads it as {decimal}"),
                        )
                        .with_label(span, "YAML 1.1 tools would read this as octal")
                        .at_pointer(ptr),
                    );
                }
                self.scalar(node, scalar)
            }
            YamlData::Sequence(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.walk(x, &format!("{ptr}/{i}")))
                    .collect(),
            ),
            YamlData::Mapping(map) => {
                let mut out = Map::new();
                for (k, v) in map.iter() {
                    let key = match &k.data {
                        YamlData::Value(Scalar::String(s)) => s.to_string(),
                        YamlData::Value(Scalar::Integer(i)) => i.to_string(),
                        YamlData::Value(Scalar::Boolean(b)) => {
                            self.error(k, format!("the key `{b}` is a boolean"), "quote this key");
                            continue;
                        }
                        _ => {
                            self.error(
                                k,
                                "mapping keys must be plain strings".into(),
                                "unsupported key",
                            );
                            continue;
                        }
                    };
                    let child_ptr = child(ptr, &key);
                    let (ks, ke) = self.span_of(k);
                    self.doc.set_key_span(&child_ptr, ks, ke);
                    let value = self.walk(v, &child_ptr);
                    out.insert(key, value);
                }
                Value::Object(out)
            }
            YamlData::Tagged(tag, inner) => {
                self.error(
                    node,
                    format!("custom YAML tag `{tag}` is not supported"),
                    "remove the tag",
                );
                self.walk(inner, ptr)
            }
            YamlData::Alias(_) | YamlData::BadValue | YamlData::Representation(..) => {
                self.error(node, "this value cannot be read".into(), "unreadable value");
                Value::Null
            }
        }
    }

    fn scalar(&mut self, node: &MarkedYaml, scalar: &Scalar) -> Value {
        match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Number((*i).into()),
            // An integral float (`1e3`, `2.0`) is an integer to every field that takes one.
            Scalar::FloatingPoint(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Value::Number((f.into_inner() as i64).into())
            }
            Scalar::FloatingPoint(f) => match Number::from_f64(f.into_inner()) {
                Some(n) => Value::Number(n),
                None => {
                    self.error(
                        node,
                        "NaN and infinite numbers are not allowed".into(),
                        "not a finite number",
                    );
                    Value::Null
                }
            },
            Scalar::String(s) => Value::String(s.to_string()),
        }
    }
}
