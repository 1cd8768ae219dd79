//! Mechanical fixes: text edits at located spans of a YAML spec that resolve findings whose
//! fix needs no judgement.
//!
//! Given a parsed [`Document`], the text it was parsed from, the findings of a check and the
//! resolved base spec, [`plan`]
//! proposes [`Fix`]es, each a set of [`Edit`]s (byte ranges and replacement text), and
//! [`apply`] applies them. The document is never re-serialized: everything outside the edited
//! ranges, comments and formatting included, stays byte for byte. What this module fixes:
//!
//! - `MCP205`: the exposed host is added to `mcp.allowedHosts`;
//! - `MCP207`: `mcp.protocolVersions` is pinned to [`ASSUMED_REVISION`], the revision mcpgen
//!   already assumes for a server that declares none (so nothing it generates changes);
//! - `MCP216`/`MCP217`: the requests and limits mcpgen defaulted are written out;
//! - YAML 1.1 ambiguities: `yes`/`no`/`on`/`off` where a boolean is expected become
//!   `true`/`false` (`MCP012`), a number or boolean where text is expected is quoted as written
//!   (`MCP012`), a leading-zero number loses its zeros where a number is expected and is quoted
//!   elsewhere (`MCP017`), and any plain value mcpgen reads as text but a YAML 1.1 tool would
//!   read as a boolean, number or null (`on`, `1.10`, `0755`, `22:22`) is quoted.
//!
//! KDL specs are not edited (the front-end keeps spans, but no KDL writer is implemented).
//! Reading findings and files, printing diffs and writing belong to `crate::cli::fix`.

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::resolve::ResolvedSpec;
use crate::spec::document::{Document, child, escape_token};
use crate::spec::overlay;

/// The protocol revision `MCP207`'s fix pins: the newest revision before 2026-07-28, so the
/// server stays stateful, which is what mcpgen assumes when no revision is declared.
pub const ASSUMED_REVISION: &str = "2025-11-25";

/// One replacement of a byte range of the text (`len` 0: an insertion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte offset of the range.
    pub offset: usize,
    /// Length of the range in bytes.
    pub len: usize,
    /// The replacement.
    pub text: String,
}

/// One fix: what it does and its edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The code of the finding it resolves (`MCP205`), or `yaml11` for a value quoted for
    /// YAML 1.1 readers without a finding.
    pub code: String,
    /// A one-line description, e.g. "add `mcp.example.com` to mcp.allowedHosts".
    pub title: String,
    /// The edits.
    pub edits: Vec<Edit>,
}

/// Why fixes could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// Two edits touch the same text.
    #[error("two fixes edit the same text at byte {0}")]
    Overlap(usize),
}

/// A value to write into a mapping.
#[derive(Debug, Clone, PartialEq)]
enum New {
    /// A scalar, already in YAML form.
    Scalar(String),
    /// A flow list of scalars in YAML form.
    List(Vec<String>),
    /// A mapping.
    Map(Vec<(String, New)>),
}

/// Members to add to one existing mapping, and the (code, title) of the fixes asking for them.
type Group = (String, Vec<(String, New)>, Vec<(String, String)>);

/// Insertions into existing mappings of the document.
#[derive(Debug, Default)]
struct Pending {
    /// (pointer of an existing mapping, members to add, codes and titles of the fixes).
    groups: Vec<Group>,
}

impl Pending {
    /// Ask for `value` at `path` (object keys below `/`), creating the mappings on the way.
    /// Nothing is added when the member exists, or when a key on the way holds something other
    /// than a mapping.
    fn ensure(&mut self, doc: &Document, path: &[&str], value: New, code: &str, title: &str) {
        // The deepest existing mapping on the path.
        let mut at = String::new();
        let mut depth = 0;
        for (i, key) in path.iter().enumerate() {
            let next = child(&at, key);
            match doc.value.pointer(&next) {
                Some(Value::Object(_)) if i + 1 < path.len() => {
                    at = next;
                    depth = i + 1;
                }
                _ => break,
            }
        }
        // The next key exists but is not a mapping (`mcp:` left empty, say): adding a second
        // one would duplicate the key, so this fix is not mechanical.
        if doc.value.pointer(&child(&at, path[depth])).is_some() {
            return;
        }
        // What is missing below it, as nested mappings.
        let mut new = value;
        for key in path[depth + 1..].iter().rev() {
            new = New::Map(vec![((*key).to_string(), new)]);
        }
        let key = path[depth].to_string();
        let fix = (code.to_string(), title.to_string());
        match self.groups.iter_mut().find(|(p, _, _)| *p == at) {
            Some((_, members, fixes)) => {
                merge(members, key, new);
                fixes.push(fix);
            }
            None => self.groups.push((at, vec![(key, new)], vec![fix])),
        }
    }
}

/// Add `key: new` to members, merging nested mappings that two fixes both create.
fn merge(members: &mut Vec<(String, New)>, key: String, new: New) {
    if let Some((_, existing)) = members.iter_mut().find(|(k, _)| *k == key) {
        if let (New::Map(a), New::Map(b)) = (existing, new) {
            for (k, v) in b {
                merge(a, k, v);
            }
        }
        return;
    }
    members.push((key, new));
}

/// The fixes for a YAML document's findings. `text` is the text `doc` was parsed from;
/// `findings` are those of this file (others are ignored); `base` is the base spec resolved by
/// the check (the defaulted requests and limits are read from it), when it validated.
pub fn plan(
    doc: &Document,
    text: &str,
    findings: &[Diagnostic],
    base: Option<&ResolvedSpec>,
) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let mut pending = Pending::default();
    let mine: Vec<&Diagnostic> = findings
        .iter()
        .filter(|d| d.source == Some(doc.source) && d.suppressed.is_none())
        .collect();
    let has = |code: &str| mine.iter().any(|d| d.code == code);

    // MCP205: each exposed host missing from the allowed hosts in effect.
    let mut hosts_added: Vec<(String, String)> = Vec::new();
    for d in mine.iter().filter(|d| d.code == "MCP205") {
        let resolved = overlay::resolve(&doc.value, d.environment.as_deref());
        let Some(host) = resolved
            .pointer("/spec/expose/host")
            .and_then(Value::as_str)
        else {
            continue;
        };
        // The list in effect: the overlay's when it sets one, else the base's.
        let overlay_list = d.environment.as_deref().map(|e| {
            format!(
                "/spec/environments/{}/spec/mcp/allowedHosts",
                escape_token(e)
            )
        });
        let list = overlay_list
            .filter(|p| doc.value.pointer(p).is_some_and(Value::is_array))
            .unwrap_or_else(|| "/spec/mcp/allowedHosts".to_string());
        if hosts_added.iter().any(|(l, h)| *l == list && h == host) {
            continue;
        }
        hosts_added.push((list.clone(), host.to_string()));
        let title = format!("add `{host}` to mcp.allowedHosts");
        if doc.value.pointer(&list).is_some_and(Value::is_array) {
            if let Some(edit) = append_to_list(doc, text, &list, &scalar(host)) {
                fixes.push(Fix {
                    code: "MCP205".into(),
                    title,
                    edits: vec![edit],
                });
            }
        } else if doc.value.pointer(&list).is_none() {
            pending.ensure(
                doc,
                &["spec", "mcp", "allowedHosts"],
                New::List(vec![scalar(host)]),
                "MCP205",
                &title,
            );
        }
    }

    // MCP207: pin the revision mcpgen assumes.
    if has("MCP207") && doc.value.pointer("/spec/mcp/protocolVersions").is_none() {
        pending.ensure(
            doc,
            &["spec", "mcp", "protocolVersions"],
            New::List(vec![format!("\"{ASSUMED_REVISION}\"")]),
            "MCP207",
            &format!("pin mcp.protocolVersions to [\"{ASSUMED_REVISION}\"]"),
        );
    }

    // MCP216/MCP217: write the defaulted requests and limits.
    if has("MCP216") || has("MCP217") {
        let defaults = base
            .and_then(|b| serde_json::to_value(&b.file).ok())
            .unwrap_or(Value::Null);
        for (kind, code) in [("requests", "MCP216"), ("limits", "MCP217")] {
            if !has(code) {
                continue;
            }
            let mut written = Vec::new();
            for resource in ["cpu", "memory"] {
                let ptr = format!("/spec/resources/{kind}/{resource}");
                if doc.value.pointer(&ptr).is_some() {
                    continue;
                }
                let Some(v) = defaults.pointer(&ptr).and_then(Value::as_str) else {
                    continue;
                };
                written.push((resource, v.to_string()));
            }
            if written.is_empty() {
                continue;
            }
            let title = format!(
                "write the defaulted resources.{kind} explicitly ({})",
                written
                    .iter()
                    .map(|(r, v)| format!("{r}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for (resource, v) in &written {
                pending.ensure(
                    doc,
                    &["spec", "resources", kind, resource],
                    New::Scalar(scalar(v)),
                    code,
                    &title,
                );
            }
        }
    }

    // YAML 1.1 ambiguities reported as findings.
    let mut replaced: Vec<usize> = Vec::new();
    for d in mine
        .iter()
        .filter(|d| d.code == "MCP012" || d.code == "MCP017")
    {
        let Some(label) = &d.primary else { continue };
        let (s, e) = (label.span.offset, label.span.offset + label.span.len);
        let Some(raw) = text.get(s..e) else { continue };
        if !is_plain(raw) || replaced.contains(&s) {
            continue;
        }
        let expected = d
            .pointer
            .as_deref()
            .and_then(crate::validate::schema::schema_at)
            .and_then(|s| s.get("type").cloned());
        let expects = |t: &str| expected.as_ref().is_some_and(|x| x == t);
        let (new, title) = if d.code == "MCP012" && expects("boolean") {
            match raw.to_ascii_lowercase().as_str() {
                "yes" | "y" | "on" | "true" => {
                    ("true".to_string(), format!("write `{raw}` as true"))
                }
                "no" | "n" | "off" | "false" => {
                    ("false".to_string(), format!("write `{raw}` as false"))
                }
                _ => continue,
            }
        } else if d.code == "MCP012" && expects("string") {
            (quote(raw), format!("quote `{raw}` as text"))
        } else if d.code == "MCP017" && (expects("integer") || expects("number")) {
            let sign = if raw.starts_with('-') { "-" } else { "" };
            let digits = raw.trim_start_matches(['+', '-']).trim_start_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            (
                format!("{sign}{digits}"),
                format!("write `{raw}` as {sign}{digits}"),
            )
        } else if d.code == "MCP017" {
            (quote(raw), format!("quote `{raw}` as text"))
        } else {
            continue;
        };
        replaced.push(s);
        fixes.push(Fix {
            code: d.code.clone(),
            title,
            edits: vec![Edit {
                offset: s,
                len: e - s,
                text: new,
            }],
        });
    }

    // Plain values mcpgen reads as text that YAML 1.1 tools would not.
    let mut strings = Vec::new();
    collect_strings(&doc.value, String::new(), &mut strings);
    for ptr in strings {
        let Some(span) = doc.value_span(&ptr) else {
            continue;
        };
        let (s, e) = (span.offset, span.offset + span.len);
        let Some(raw) = text.get(s..e) else { continue };
        if replaced.contains(&s) || !is_plain(raw) || !yaml11_not_text(raw) {
            continue;
        }
        replaced.push(s);
        fixes.push(Fix {
            code: "yaml11".into(),
            title: format!(
                "quote `{raw}` at {}: YAML 1.1 tools read it as a boolean, number or null",
                crate::validate::schema::display_path(&ptr)
            ),
            edits: vec![Edit {
                offset: s,
                len: e - s,
                text: quote(raw),
            }],
        });
    }

    for (at, members, mut titles) in pending.groups {
        titles.dedup();
        if let Some(edit) = insert_members(doc, text, &at, &members) {
            let mut codes: Vec<&str> = titles.iter().map(|t| t.0.as_str()).collect();
            codes.dedup();
            let code = codes.join(", ");
            let title = titles
                .iter()
                .map(|t| t.1.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            fixes.push(Fix {
                code,
                title,
                edits: vec![edit],
            });
        }
    }
    fixes.sort_by_key(|f| f.edits.first().map_or(0, |e| e.offset));
    fixes
}

/// Apply fixes to the text. Edits are applied from the end; two edits on overlapping ranges
/// are an error (insertions at the same offset are kept in order).
pub fn apply(text: &str, fixes: &[Fix]) -> Result<String, FixError> {
    let mut edits: Vec<&Edit> = fixes.iter().flat_map(|f| &f.edits).collect();
    edits.sort_by_key(|e| (e.offset, e.len));
    for w in edits.windows(2) {
        if w[0].offset + w[0].len > w[1].offset && w[0].len > 0 {
            return Err(FixError::Overlap(w[1].offset));
        }
    }
    let mut out = text.to_string();
    for e in edits.iter().rev() {
        out.replace_range(e.offset..e.offset + e.len, &e.text);
    }
    Ok(out)
}

/// The pointers of every string value, outside the overlays' `null`s.
fn collect_strings(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_strings(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                collect_strings(x, child(&at, k), out);
            }
        }
        _ => {}
    }
}

/// Whether a value's text is a plain (unquoted, one-line) scalar.
fn is_plain(raw: &str) -> bool {
    !raw.is_empty()
        && !raw.contains(['\n', '\r'])
        && !raw.starts_with(['"', '\'', '|', '>', '{', '[', '&', '*', '!'])
}

/// Whether a YAML 1.1 reader (Kubernetes' YAML layer, PyYAML, yamllint's defaults) reads this
/// plain scalar as something other than text: a boolean, null, an integer in any of its bases
/// (with `_` separators), a float, or a base-60 number.
pub fn yaml11_not_text(raw: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL",
        ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&raw) {
        return true;
    }
    let body = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    if body.is_empty() {
        return false;
    }
    let digits = |s: &str, ok: fn(char) -> bool| {
        !s.is_empty() && s.chars().all(|c| ok(c) || c == '_') && s.chars().any(ok)
    };
    if let Some(hex) = body.strip_prefix("0x") {
        return digits(hex, |c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = body.strip_prefix("0b") {
        return digits(bin, |c| c == '0' || c == '1');
    }
    if digits(body, |c| c.is_ascii_digit()) {
        return true;
    }
    // Base 60: 1:20, 190:20:30 (YAML 1.1 integers and floats).
    if body.contains(':') {
        let mut parts = body.split(':');
        let first = parts.next().unwrap_or("");
        return digits(first, |c| c.is_ascii_digit())
            && parts.all(|p| {
                let p = p.split_once('.').map_or(p, |(i, _)| i);
                !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit())
            });
    }
    // Floats: digits with one `.` and an optional exponent.
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let exp_ok = exponent.is_none_or(|x| {
        let x = x.strip_prefix(['+', '-']).unwrap_or(x);
        digits(x, |c| c.is_ascii_digit())
    });
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => {
            (i.is_empty() || digits(i, |c| c.is_ascii_digit()))
                && (f.is_empty() || digits(f, |c| c.is_ascii_digit()))
                && !(i.is_empty() && f.is_empty())
        }
        None => exponent.is_some() && digits(mantissa, |c| c.is_ascii_digit()),
    };
    mantissa_ok && exp_ok
}

/// A string as a YAML scalar: plain when that reads back as the same text in YAML 1.1 and
/// 1.2, else double-quoted.
fn scalar(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        && !s.starts_with(['-', '.', '/'])
        && !yaml11_not_text(s);
    if safe { s.to_string() } else { quote(s) }
}

/// A double-quoted YAML scalar (JSON string syntax is valid YAML).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Byte offset of the start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Byte offset of the end of the line holding `offset` (its `\n`, or the end of the text).
fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    // Before the `\r` of a CRLF line ending.
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// The line break the file uses: CRLF when it has one, else LF.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Characters from the start of its line to `offset`.
fn column(text: &str, offset: usize) -> usize {
    text[line_start(text, offset)..offset].chars().count()
}

/// The byte offset just past the closing bracket that matches the one at `open` (`{` or `[`),
/// skipping quoted text; `None` when it is not closed.
fn matching_close(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the text of the value at `ptr` ends: the end of its last scalar for a block
/// collection (the span saphyr gives a block collection runs on to the next token, over any
/// comment lines in between), else the end of its span.
fn content_end(doc: &Document, text: &str, ptr: &str) -> Option<usize> {
    let span = doc.value_span(ptr)?;
    let flow = text[span.offset..].starts_with(['{', '[']);
    let children: Vec<String> = match doc.value.pointer(ptr)? {
        Value::Object(o) if !flow => o.keys().map(|k| child(ptr, k)).collect(),
        Value::Array(a) if !flow => (0..a.len()).map(|i| format!("{ptr}/{i}")).collect(),
        _ => Vec::new(),
    };
    if children.is_empty() {
        if flow {
            return matching_close(text, span.offset).map(|c| c + 1);
        }
        return Some(span.offset + span.len);
    }
    children
        .iter()
        .filter_map(|c| content_end(doc, text, c))
        .max()
}

/// An edit that adds `members` to the existing mapping at `at`.
fn insert_members(doc: &Document, text: &str, at: &str, members: &[(String, New)]) -> Option<Edit> {
    let map = doc.value.pointer(at)?.as_object()?;
    let span = doc.value_span(at)?;
    let s = span.offset;
    if text[s..].starts_with('{') {
        // Flow mapping: before the closing brace.
        let close = matching_close(text, s)?;
        let inner = text[s + 1..close].trim();
        let body = members
            .iter()
            .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
            .collect::<Vec<_>>()
            .join(", ");
        let text = if inner.is_empty() {
            body
        } else {
            format!(", {body}")
        };
        return Some(Edit {
            offset: close,
            len: 0,
            text,
        });
    }
    // Block mapping: the indentation of its keys, after the line where its last member ends.
    let first = map.keys().next()?;
    let key_span = doc.key_span(&child(at, first))?;
    let indent = column(text, key_span.offset);
    // New members of `spec` go before `environments`, which usually closes the file.
    let last_end = map
        .keys()
        .filter(|k| !(at == "/spec" && *k == "environments") || map.len() == 1)
        .filter_map(|k| content_end(doc, text, &child(at, k)))
        .max()?;
    let step = indent_step(doc, text, at, indent);
    let mut lines = Vec::new();
    for (k, v) in members {
        block(k, v, indent, step, &mut lines);
    }
    Some(Edit {
        offset: line_end(text, last_end),
        len: 0,
        text: format!("{}{}", newline(text), lines.join(newline(text))),
    })
}

/// The indentation step of the document: how much deeper the children of `at` sit than `at`'s
/// own key, else 2.
fn indent_step(doc: &Document, text: &str, at: &str, indent: usize) -> usize {
    doc.key_span(at)
        .map(|k| column(text, k.offset))
        .filter(|&parent| indent > parent)
        .map_or(2, |parent| indent - parent)
}

fn block(key: &str, value: &New, indent: usize, step: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    match value {
        New::Map(members) => {
            out.push(format!("{pad}{}:", scalar(key)));
            for (k, v) in members {
                block(k, v, indent + step, step, out);
            }
        }
        other => out.push(format!("{pad}{}: {}", scalar(key), flow(other))),
    }
}

fn flow(value: &New) -> String {
    match value {
        New::Scalar(s) => s.clone(),
        New::List(items) => format!("[{}]", items.join(", ")),
        New::Map(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An edit that appends `item` (YAML form) to the existing list at `at`.
fn append_to_list(doc: &Document, text: &str, at: &str, item: &str) -> Option<Edit> {
    let list = doc.value.pointer(at)?.as_array()?;
    let span = doc.value_span(at)?;
    let s = span.offset;
    if text[s..].starts_with('[') {
        let close = matching_close(text, s)?;
        let inner = text[s + 1..close].trim();
        return Some(Edit {
            offset: close,
            len: 0,
            text: if inner.is_empty() {
                item.to_string()
            } else {
                format!(", {item}")
            },
        });
    }
    // Block list: the first item's `- ` prefix, after the line where the last item ends.
    let first = doc.value_span(&format!("{at}/0"))?;
    let prefix = &text[line_start(text, first.offset)..first.offset];
    if !prefix.trim_start().starts_with('-') || prefix.trim() != "-" {
        return None;
    }
    let last = content_end(doc, text, &format!("{at}/{}", list.len() - 1))?;
    let pad = " ".repeat(prefix.find('-')?);
    Some(Edit {
        offset: line_end(text, last),
        len: 0,
        text: format!("{}{pad}- {item}", newline(text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_forms_that_are_not_text() {
        for s in [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "~",
            "0755",
            "1_000",
            "0x1F",
            "0b101",
            "1.10",
            "1e3",
            "-2.5",
            ".5",
            "22:22",
            "190:20:30.15",
            ".inf",
        ] {
            assert!(yaml11_not_text(s), "{s}");
        }
        for s in [
            "info",
            "mcp.example.com",
            "1.2.3",
            "v1",
            "500m",
            "128Mi",
            "2025-11-25",
            "e3",
            "-",
            ".",
            "12:345",
            "a:1",
        ] {
            assert!(!yaml11_not_text(s), "{s}");
        }
    }

    #[test]
    fn insertions_follow_crlf_line_endings() {
        let text = "spec:\r\n  image: a/b:1\r\n  mcp:\r\n    path: /mcp\r\n";
        let file = crate::source::SourceFile::new("x.yaml", text);
        let doc = crate::spec::yaml::parse(crate::source::SourceId(0), &file).expect("parses");
        let edit = insert_members(
            &doc,
            text,
            "/spec/mcp",
            &[("port".into(), New::Scalar("8080".into()))],
        )
        .expect("an edit");
        let fixed = apply(
            text,
            &[Fix {
                code: String::new(),
                title: String::new(),
                edits: vec![edit],
            }],
        )
        .expect("applies");
        assert_eq!(
            fixed,
            "spec:\r\n  image: a/b:1\r\n  mcp:\r\n    path: /mcp\r\n    port: 8080\r\n"
        );
    }

    #[test]
    fn apply_keeps_everything_else_and_refuses_overlaps() {
        let fixes = vec![
            Fix {
                code: "a".into(),
                title: String::new(),
                edits: vec![Edit {
                    offset: 4,
                    len: 2,
                    text: "XY".into(),
                }],
            },
            Fix {
                code: "b".into(),
                title: String::new(),
                edits: vec![Edit {
                    offset: 10,
                    len: 0,
                    text: "!".into(),
                }],
            },
        ];
        assert_eq!(
            apply("# c\nab # d\n", &fixes).as_deref(),
            Ok("# c\nXY # d!\n")
        );
        let overlap = vec![fixes[0].clone(), {
            let mut f = fixes[0].clone();
            f.edits[0].offset = 5;
            f
        }];
        assert!(apply("# c\nab # d\n", &overlap).is_err());
    }
}
