//! Reading Rego sources on the Rust side: the package, the Conftest-style rules
//! (`deny`, `warn`, `violation`, optionally `_suffix`), the `test_*` rules, and the `# METADATA`
//! comment blocks above rules.
//!
//! regorus has no `rego.metadata.*` builtins, so annotations are parsed here from the text:
//! a block starts with a `# METADATA` line, continues over the following comment lines, holds
//! YAML, and belongs to the rule defined on the next line that is not a comment. This module
//! does not evaluate anything; `crate::policy` does.

use serde_json::Value;

use crate::diagnostics::Level;
use crate::source::{SourceFile, SourceId};

/// What a rule's METADATA block says, as far as mcpgen uses it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMeta {
    /// `title`: a short name for people.
    pub title: Option<String>,
    /// `description`: what the rule flags (the "What it does" section).
    pub description: Option<String>,
    /// `custom.code`: the stable code, e.g. `MCP201`.
    pub code: Option<String>,
    /// `custom.name`: the kebab-case rule name.
    pub name: Option<String>,
    /// `custom.level`: `error`, `warning` or `note`.
    pub level: Option<Level>,
    /// `custom.related`: equivalent checks in other tools (`kube-linter:latest-tag`, `CKV_K8S_14`).
    pub related: Vec<String>,
    /// `custom.why`: the "Why is this bad" section.
    pub why: Option<String>,
    /// `custom.example`: a spec fragment the rule flags.
    pub example: Option<String>,
    /// `custom.instead`: the fixed fragment.
    pub instead: Option<String>,
    /// `custom.help`: the one-line fix every finding of the rule carries, unless the result
    /// gives a more concrete one (a `help` member).
    pub help: Option<String>,
    /// `custom.tags`: categories (`security`, `reliability`, `mcp`...), reported as SARIF tags.
    pub tags: Vec<String>,
    /// `custom.security_severity`: a CVSS-like score from 0.0 to 10.0 for security rules,
    /// reported as SARIF `security-severity` (GitHub code scanning ranks alerts by it).
    pub security_severity: Option<String>,
}

/// A rule definition found in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDef {
    /// Rule name as written (`deny_latest_image_tag`).
    pub rule: String,
    /// 1-based line of the first definition.
    pub line: usize,
    /// The METADATA block right above the first definition.
    pub meta: Option<RuleMeta>,
}

/// What a scan of one Rego file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scanned {
    /// `package` path, e.g. `mcpgen.images`.
    pub package: Option<String>,
    /// Conftest-style rules (`deny`, `warn`, `violation`, with optional `_suffix`).
    pub rules: Vec<RuleDef>,
    /// `test_*` rules.
    pub tests: Vec<String>,
    /// METADATA blocks that are not valid YAML: (line, message).
    pub errors: Vec<(usize, String)>,
}

/// The default level of a Conftest rule name, or `None` when the name is not one.
pub fn rule_kind(name: &str) -> Option<Level> {
    for (prefix, level) in [
        ("deny", Level::Error),
        ("violation", Level::Error),
        ("warn", Level::Warning),
    ] {
        if let Some(rest) = name.strip_prefix(prefix)
            && (rest.is_empty() || (rest.starts_with('_') && rest.len() > 1))
        {
            return Some(level);
        }
    }
    None
}

/// The identifier a line starts with, when it starts at column 0 with one.
fn head_identifier(line: &str) -> Option<&str> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let ident = &line[..end];
    let first = ident.chars().next()?;
    (first.is_ascii_alphabetic() || first == '_').then_some(ident)
}

/// Scan a Rego source text.
pub fn scan(text: &str) -> Scanned {
    let mut out = Scanned::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut pending: Option<(usize, Vec<String>)> = None;
    let mut block: Option<(usize, Vec<String>)> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        if let Some((start, body)) = block.as_mut() {
            if let Some(rest) = line.strip_prefix('#') {
                body.push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
                continue;
            }
            pending = Some((*start, std::mem::take(body)));
            block = None;
        }
        if line.trim() == "# METADATA" {
            block = Some((i + 1, Vec::new()));
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(pkg) = line.strip_prefix("package ") {
            out.package = Some(pkg.trim().to_string());
            pending = None;
            continue;
        }
        let Some(ident) = head_identifier(line) else {
            pending = None;
            continue;
        };
        let after = line[ident.len()..].trim_start();
        let is_head = ["contains", "if", ":=", "=", "[", "{", "("]
            .iter()
            .any(|t| after.starts_with(t))
            || after.is_empty();
        if is_head && ident.starts_with("test_") && !out.tests.iter().any(|t| t == ident) {
            out.tests.push(ident.to_string());
        }
        if is_head && rule_kind(ident).is_some() && !out.rules.iter().any(|r| r.rule == ident) {
            let meta =
                pending
                    .take()
                    .and_then(|(start, body)| match parse_meta(&body.join("\n")) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            out.errors.push((start, e));
                            None
                        }
                    });
            out.rules.push(RuleDef {
                rule: ident.to_string(),
                line: i + 1,
                meta,
            });
        }
        pending = None;
    }
    out
}

/// Parse the YAML of a METADATA block.
pub fn parse_meta(yaml: &str) -> Result<RuleMeta, String> {
    let file = SourceFile::new("METADATA", yaml);
    let doc = crate::spec::yaml::parse(SourceId(0), &file)
        .map_err(|d| d.first().map_or_else(String::new, |d| d.message.clone()))?;
    let v = &doc.value;
    let text = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .map(|s| s.trim_end().to_string())
    };
    let list = |p: &str| -> Vec<String> {
        v.pointer(p)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let level = match text("/custom/level").as_deref() {
        None => None,
        Some("error") => Some(Level::Error),
        Some("warning") | Some("warn") => Some(Level::Warning),
        Some("note") | Some("info") => Some(Level::Note),
        Some(other) => return Err(format!("unknown level `{other}`")),
    };
    Ok(RuleMeta {
        title: text("/title"),
        description: text("/description"),
        code: text("/custom/code"),
        name: text("/custom/name"),
        level,
        related: list("/custom/related"),
        why: text("/custom/why"),
        example: text("/custom/example"),
        instead: text("/custom/instead"),
        help: text("/custom/help"),
        tags: list("/custom/tags"),
        security_severity: match v.pointer("/custom/security_severity") {
            None => None,
            Some(Value::String(s)) if s.parse::<f64>().is_ok_and(|x| (0.0..=10.0).contains(&x)) => {
                Some(s.clone())
            }
            Some(Value::Number(n)) if n.as_f64().is_some_and(|x| (0.0..=10.0).contains(&x)) => {
                Some(format!("{:.1}", n.as_f64().unwrap_or_default()))
            }
            Some(other) => {
                return Err(format!(
                    "security_severity must be a number from 0.0 to 10.0, found {other}"
                ));
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rules_tests_and_metadata() {
        let src = "package main\n\n# METADATA\n# title: T\n# custom:\n#   code: X1\n#   level: warning\ndeny_foo contains msg if {\n  true\n}\n\ndeny_foo contains msg if { false }\nwarn[msg] { true }\nviolation := 1\ndenying := 2\ntest_a if { true }\n";
        let s = scan(src);
        assert_eq!(s.package.as_deref(), Some("main"));
        let names: Vec<_> = s.rules.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(names, ["deny_foo", "warn", "violation"]);
        let m = s.rules[0].meta.as_ref().expect("metadata");
        assert_eq!(m.code.as_deref(), Some("X1"));
        assert_eq!(m.level, Some(Level::Warning));
        assert_eq!(s.rules[0].line, 8);
        assert!(s.rules[1].meta.is_none());
        assert_eq!(s.tests, ["test_a"]);
    }
}
