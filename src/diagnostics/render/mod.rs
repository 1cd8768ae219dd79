//! Renderers: diagnostics into what people and CI systems read.
//!
//! Every renderer takes the sorted, final diagnostics and the source database and returns a
//! string; none of them prints. Line and column are computed here from byte offsets.

pub mod codequality;
pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::diagnostics::Diagnostic;
use crate::source::Sources;

/// Whether a character must not reach a terminal or a CI log as it is: C0 and C1 control
/// characters (escape sequences start with ESC or CSI), DEL, the Unicode line and paragraph
/// separators (line breaks to YAML 1.1 and JavaScript) and the bidirectional overrides and
/// isolates that reorder what a reader sees ("Trojan Source").
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// One line of text from a spec, a policy or a message, made safe for a terminal: every
/// [`is_unsafe_char`] (newlines included) becomes a visible `\u{…}` escape.
pub fn sanitize_line(s: &str) -> std::borrow::Cow<'_, str> {
    sanitize(s, false)
}

/// [`sanitize_line`] for text that may span lines: `\n` is kept, everything else is escaped.
pub fn sanitize_text(s: &str) -> std::borrow::Cow<'_, str> {
    sanitize(s, true)
}

fn sanitize(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) && !(keep_newlines && c == '\n') && c != '\t';
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON text made safe for a terminal: serde_json escapes only C0 controls, so C1 controls
/// (a one-character CSI), line separators and bidirectional overrides are escaped here as
/// `\uXXXX`. Valid because such characters can only occur inside JSON strings.
pub fn json_safe(json: String) -> String {
    if !json.chars().any(is_unsafe_char) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe_char(c) && !matches!(c, '\n' | '\t' | '\r') {
            for unit in c.encode_utf16(&mut [0u16; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Source text made safe for a terminal without moving any byte offset: each
/// [`is_unsafe_char`] other than tab, line feed and carriage return is replaced by a character
/// of the same UTF-8 length (`?`, `¿`, `�`), so labels still point at the right columns.
pub fn neutralize_source(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) && !matches!(c, '\t' | '\n' | '\r');
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if !bad(c) {
                    return c;
                }
                match c.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => '\u{fffd}',
                }
            })
            .collect(),
    )
}

/// Output formats of `check` and `build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rendered snippets for people.
    Human,
    /// Machine-readable JSON.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF readers).
    Sarif,
    /// JUnit XML (GitLab, Jenkins).
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One line per finding: `path:line:col: level[CODE]: message`.
    Concise,
    /// GitLab Code Quality report (CodeClimate JSON).
    Codequality,
}

/// What a report says about a rule: the catalog entry behind a code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// Stable code, e.g. `MCP213`.
    pub code: String,
    /// Kebab-case name.
    pub name: String,
    /// Default level.
    pub level: crate::diagnostics::Level,
    /// Whether `mcpgen.toml` may change its level or except it.
    #[serde(skip)]
    pub configurable: bool,
    /// One-line summary.
    pub summary: String,
    /// What the rule flags, when documented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Equivalent checks in other tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Full Markdown documentation, when the rule has some.
    #[serde(skip)]
    pub docs: Option<String>,
    /// The one-line fix of the rule's findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where the rule is documented on the web (its section of docs/rules.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Categories (`security`, `reliability`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// CVSS-like score (0.0-10.0) of a security rule, as GitHub code scanning reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<String>,
}

impl RuleInfo {
    /// The catalog entry of a built-in non-policy code.
    pub fn from_code(c: &crate::diagnostics::codes::Code) -> RuleInfo {
        // Content scanners (`MCP4xx`: a credential written into the outputs) are security
        // findings: code scanning files and ranks them by these (high, below critical).
        let scanner = c.code.starts_with("MCP4");
        RuleInfo {
            code: c.code.to_string(),
            name: c.name.to_string(),
            level: c.level,
            configurable: c.configurable,
            summary: c.summary.to_string(),
            description: None,
            related: Vec::new(),
            docs: None,
            help: c.help.map(str::to_string),
            help_uri: None,
            tags: if scanner {
                vec!["security".to_string(), "secrets".to_string()]
            } else {
                Vec::new()
            },
            security_severity: scanner.then(|| "8.9".to_string()),
        }
    }
}

/// The repository that publishes mcpgen; links in reports point into it.
pub const REPOSITORY: &str = "https://github.com/mcpgen/mcpgen";

/// The web page documenting a built-in policy rule: its section of `docs/rules.md` at the tag
/// of this version (the anchor is the rule name, as the generated page writes it).
pub fn rule_doc_url(name: &str) -> String {
    format!(
        "{REPOSITORY}/blob/v{}/docs/rules.md#{name}",
        env!("CARGO_PKG_VERSION")
    )
}

/// A located position for machine formats: 1-based line and column of start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// Start line.
    pub start_line: usize,
    /// Start column (characters).
    pub start_column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive, characters).
    pub end_column: usize,
    /// Byte offset.
    pub offset: usize,
    /// Byte length.
    pub length: usize,
}

/// The region of a diagnostic's primary label.
pub fn region(d: &Diagnostic, sources: &Sources) -> Option<Region> {
    let l = d.primary.as_ref()?;
    let f = sources.get(l.span.source);
    let (start_line, start_column) = f.line_col(l.span.offset);
    let (end_line, end_column) = f.line_col(l.span.offset + l.span.len);
    Some(Region {
        start_line,
        start_column,
        end_line,
        end_column,
        offset: l.span.offset,
        length: l.span.len,
    })
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Error-level findings.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
    /// Findings suppressed by exceptions.
    pub suppressed: usize,
}

impl Summary {
    /// Count the findings.
    pub fn of(diags: &[Diagnostic], files: usize) -> Summary {
        use crate::diagnostics::Level;
        let mut s = Summary {
            files,
            ..Summary::default()
        };
        for d in diags {
            if d.suppressed.is_some() {
                s.suppressed += 1;
                continue;
            }
            match d.level {
                Level::Error => s.errors += 1,
                Level::Warning => s.warnings += 1,
                Level::Note => s.notes += 1,
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_neutralised() {
        let osc52 = "a\u{1b}]52;c;ZWNobyBoaQ==\u{7}b\u{9b}2J\u{2028}\u{202e}";
        let line = sanitize_line(osc52);
        assert!(!line.chars().any(is_unsafe_char), "{line}");
        assert!(line.contains("\\u{1b}]52"), "{line}");
        assert_eq!(sanitize_line("plain `text`"), "plain `text`");
        assert_eq!(sanitize_text("a\nb"), "a\nb");
        assert_eq!(sanitize_line("a\nb"), "a\\u{a}b");
        let src = neutralize_source(osc52);
        assert_eq!(src.len(), osc52.len());
        assert_eq!(src.chars().count(), osc52.chars().count());
        assert!(!src.chars().any(is_unsafe_char), "{src}");
        let json = json_safe(serde_json::to_string(&serde_json::json!({"m": osc52})).unwrap());
        assert!(!json.chars().any(is_unsafe_char), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["m"], osc52);
    }
}
