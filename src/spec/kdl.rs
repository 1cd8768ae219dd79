//! KDL front-end: a KDL v2 document into a [`Document`], by the mechanical mapping documented in
//! `docs/kdl.md`.
//!
//! The mapping does not look at the schema, so a KDL file means the same JSON value whatever
//! the spec language later accepts, and every value keeps the span of the KDL entry or node it
//! came from:
//!
//! 1. The document is an object; each top-level node is a member named after the node.
//! 2. A node whose children are all named `-` is an array; each `-` child is one element,
//!    converted by these same rules (`- "a"` is a scalar, `- name="x"` an object).
//! 3. A node with properties and/or named children is an object: properties, then children.
//!    Positional arguments on such a node are an error.
//! 4. A node with only arguments is a scalar (one argument) or an array (two or more); a node
//!    with nothing is an empty object.
//! 5. The type annotation `(array)` makes a node with zero or one argument an array.
//! 6. A name used twice among siblings, or a property given twice, is an error.
//! 7. `#true`, `#false`, `#null`, integers and floats map to their JSON counterparts.

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use serde_json::{Map, Number, Value};

use crate::diagnostics::{Diagnostic, Span, codes};
use crate::source::{SourceFile, SourceId};
use crate::spec::document::{Document, child};

/// Parse a KDL spec.
pub fn parse(id: SourceId, file: &SourceFile) -> Result<Document, Vec<Diagnostic>> {
    let text = file.text();
    // The kdl parser recurses on children blocks and nested comments: bound the nesting before
    // it runs (an unclosed `{` still counts).
    if let Some(offset) = too_deep(text) {
        let len = text[offset..].chars().next().map_or(0, char::len_utf8);
        return Err(vec![
            crate::limits::exceeded(format!(
                "children blocks or comments are nested more than {} levels deep",
                crate::limits::MAX_DEPTH
            ))
            .with_label(
                Span {
                    source: id,
                    offset,
                    len,
                },
                "nested too deeply here",
            ),
        ]);
    }
    let kdl: KdlDocument = match text.parse() {
        Ok(d) => d,
        Err(e) => {
            let e: kdl::KdlError = e;
            let mut out = Vec::new();
            for d in &e.diagnostics {
                let message = d
                    .message
                    .clone()
                    .unwrap_or_else(|| "invalid KDL".to_string());
                let offset = d.span.offset().min(text.len());
                let len = d.span.len().min(text.len() - offset);
                // kdl reports some value errors from the start of the enclosing node (or the
                // file); the usual cause is a bare value starting with a digit (`cpu=250m`),
                // so look for one inside the reported range and point at it.
                // The range may stop inside the token; scan to the end of its last line.
                let scan_end = text[offset + len..]
                    .find('\n')
                    .map_or(text.len(), |e| offset + len + e);
                if let Some((o, l)) = digit_leading_bare_value(&text[offset..scan_end]) {
                    let token = &text[offset + o..offset + o + l];
                    out.push(
                        Diagnostic::new(
                            &codes::KDL_SYNTAX,
                            format!("invalid KDL: the bare value `{token}` starts with a digit"),
                        )
                        .with_label(
                            Span {
                                source: id,
                                offset: offset + o,
                                len: l,
                            },
                            "quote this value",
                        )
                        .with_help(format!(
                            "KDL v2 values that start with a digit are numbers; write \"{token}\""
                        )),
                    );
                    continue;
                }
                let mut diag =
                    Diagnostic::new(&codes::KDL_SYNTAX, format!("invalid KDL: {message}"))
                        .with_label(
                            Span {
                                source: id,
                                offset,
                                len,
                            },
                            d.label.clone().unwrap_or(message),
                        );
                if let Some(h) = &d.help {
                    diag = diag.with_help(h.clone());
                }
                out.push(diag);
            }
            if out.is_empty() {
                out.push(Diagnostic::new(&codes::KDL_SYNTAX, "invalid KDL document").in_source(id));
            }
            return Err(out);
        }
    };
    let mut doc = Document::new(id);
    doc.text = Some(file.shared_text());
    let mut errors = Vec::new();
    let mut m = Mapper {
        id,
        doc: &mut doc,
        errors: &mut errors,
    };
    doc_span(&mut m, text.len());
    let value = m.object_of_nodes(kdl.nodes(), "");
    if kdl.nodes().is_empty() {
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

/// The byte offset of the first `{` or `/*` that opens a level deeper than
/// [`crate::limits::MAX_DEPTH`], outside strings and comments. Quoted strings (with escapes),
/// raw strings (`#"…"#`, any number of `#`, also multi-line), line comments and nested block
/// comments are skipped; an unknown construct can only make the count higher, never lower.
fn too_deep(text: &str) -> Option<usize> {
    let max = crate::limits::MAX_DEPTH;
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nest = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        nest += 1;
                        if depth + nest > max {
                            return Some(i);
                        }
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        nest -= 1;
                        i += 2;
                        if nest == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'#' | b'"' => {
                // Raw strings: `#`×n then `"`, closed by `"` and the same number of `#`.
                let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
                let q = i + hashes;
                if b.get(q) != Some(&b'"') {
                    i += hashes.max(1);
                    continue;
                }
                let multi = b[q..].starts_with(b"\"\"\"");
                let quote: &[u8] = if multi { b"\"\"\"" } else { b"\"" };
                let mut j = q + quote.len();
                loop {
                    if j >= b.len() {
                        return None;
                    }
                    if hashes == 0 && b[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if b[j..].starts_with(quote)
                        && b[j + quote.len()..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == b'#')
                            .count()
                            == hashes
                    {
                        j += quote.len() + hashes;
                        break;
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
            b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first unquoted token in `text` that starts like a number but goes on with letters
/// (`250m`, `10s`, `2Gi`), outside strings and comments: (offset, length).
fn digit_leading_bare_value(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'0'..=b'9' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'=' | b'\n') => {
                let end = text[i..]
                    .find(|c: char| c.is_whitespace() || matches!(c, ';' | '{' | '}' | ')' | '"'))
                    .map_or(text.len(), |e| i + e);
                let token = &text[i..end];
                let numeric = token.starts_with("0x")
                    || token.starts_with("0o")
                    || token.starts_with("0b")
                    || token.bytes().all(|c| {
                        c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'e' | b'E' | b'+' | b'-')
                    });
                if !numeric && token.bytes().any(|c| c.is_ascii_alphabetic()) {
                    return Some((i, end - i));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn doc_span(m: &mut Mapper, len: usize) {
    m.doc.set_value_span("", 0, len);
}

struct Mapper<'a> {
    id: SourceId,
    doc: &'a mut Document,
    errors: &'a mut Vec<Diagnostic>,
}

impl Mapper<'_> {
    fn error(&mut self, offset: usize, len: usize, message: String, label: &str) {
        let span = Span {
            source: self.id,
            offset,
            len,
        };
        self.errors.push(
            Diagnostic::new(&codes::KDL_MAPPING, message)
                .with_label(span, label)
                .with_help("see docs/kdl.md for how KDL maps onto the spec"),
        );
    }

    fn object_of_nodes(&mut self, nodes: &[KdlNode], ptr: &str) -> Value {
        let mut out = Map::new();
        for node in nodes {
            let key = node.name().value().to_string();
            let name_span = node.name().span();
            if out.contains_key(&key) {
                self.error(
                    name_span.offset(),
                    name_span.len(),
                    format!("`{key}` is given twice"),
                    "repeated here",
                );
                continue;
            }
            let p = child(ptr, &key);
            self.doc
                .set_key_span(&p, name_span.offset(), name_span.offset() + name_span.len());
            let v = self.node(node, &p);
            out.insert(key, v);
        }
        Value::Object(out)
    }

    fn node(&mut self, node: &KdlNode, ptr: &str) -> Value {
        let span = node.span();
        self.doc
            .set_value_span(ptr, span.offset(), span.offset() + span.len());
        let args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        let props: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_some())
            .collect();
        let children = node.children().map(|c| c.nodes()).unwrap_or(&[]);
        if node.entries().len() + children.len() > crate::limits::MAX_ITEMS {
            let s = node.name().span();
            self.errors.push(
                crate::limits::exceeded(format!(
                    "a node has more than {} arguments, properties and children",
                    crate::limits::MAX_ITEMS
                ))
                .with_label(
                    Span {
                        source: self.id,
                        offset: s.offset(),
                        len: s.len(),
                    },
                    "too many items",
                ),
            );
            return Value::Null;
        }
        let forced_array = node.ty().is_some_and(|t| t.value() == "array");
        if let Some(t) = node.ty().filter(|t| t.value() != "array") {
            self.error(
                t.span().offset(),
                t.span().len(),
                format!("unknown type annotation `({})`", t.value()),
                "only (array) is defined",
            );
        }

        if !children.is_empty() && children.iter().all(|c| c.name().value() == "-") {
            if !args.is_empty() || !props.is_empty() {
                let s = node.name().span();
                self.error(
                    s.offset(),
                    s.len(),
                    "a list node cannot also have arguments or properties".into(),
                    "list node",
                );
            }
            return Value::Array(
                children
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let p = format!("{ptr}/{i}");
                        self.node(c, &p)
                    })
                    .collect(),
            );
        }
        if !props.is_empty() || !children.is_empty() {
            if let Some(a) = args.first() {
                let s = a.span();
                self.error(
                    s.offset(),
                    s.len(),
                    "a node with properties or children cannot have positional arguments".into(),
                    "unexpected argument",
                );
            }
            if children.iter().any(|c| c.name().value() == "-") {
                let s = node.name().span();
                self.error(
                    s.offset(),
                    s.len(),
                    "`-` list items cannot be mixed with named children".into(),
                    "mixed children",
                );
            }
            let mut out = Map::new();
            for e in &props {
                let Some(name) = e.name() else { continue };
                let key = name.value().to_string();
                let s = e.span();
                if out.contains_key(&key) {
                    self.error(
                        s.offset(),
                        s.len(),
                        format!("property `{key}` is given twice"),
                        "repeated here",
                    );
                    continue;
                }
                let p = child(ptr, &key);
                let ns = name.span();
                self.doc
                    .set_key_span(&p, ns.offset(), ns.offset() + ns.len());
                let v = self.scalar(e, &p);
                out.insert(key, v);
            }
            if let Value::Object(kids) = self.object_of_nodes(children, ptr) {
                for (k, v) in kids {
                    if out.contains_key(&k) {
                        let s = node.name().span();
                        self.error(
                            s.offset(),
                            s.len(),
                            format!("`{k}` is given both as a property and as a child"),
                            "in this node",
                        );
                        continue;
                    }
                    out.insert(k, v);
                }
            }
            return Value::Object(out);
        }
        match (args.len(), forced_array) {
            (0, false) => Value::Object(Map::new()),
            (1, false) => self.scalar(args[0], ptr),
            _ => Value::Array(
                args.iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let p = format!("{ptr}/{i}");
                        self.scalar(a, &p)
                    })
                    .collect(),
            ),
        }
    }

    fn scalar(&mut self, entry: &KdlEntry, ptr: &str) -> Value {
        let s = entry.span();
        // A property's span covers `name=value`; label just the value part.
        let (start, end) = match entry.name() {
            Some(n) => {
                let after_name = n.span().offset() + n.span().len();
                (after_name + 1, s.offset() + s.len())
            }
            None => (s.offset(), s.offset() + s.len()),
        };
        self.doc.set_value_span(ptr, start.min(end), end);
        match entry.value() {
            KdlValue::String(v) => Value::String(v.clone()),
            KdlValue::Bool(b) => Value::Bool(*b),
            KdlValue::Null => Value::Null,
            KdlValue::Integer(i) => match i64::try_from(*i) {
                Ok(v) => Value::Number(v.into()),
                Err(_) => {
                    self.error(
                        start,
                        end - start,
                        "integer does not fit in 64 bits".into(),
                        "too large",
                    );
                    Value::Null
                }
            },
            KdlValue::Float(f) => match Number::from_f64(*f) {
                Some(n) => Value::Number(n),
                None => {
                    self.error(
                        start,
                        end - start,
                        "NaN and infinite numbers are not allowed".into(),
                        "not a finite number",
                    );
                    Value::Null
                }
            },
        }
    }
}
