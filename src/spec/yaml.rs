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
