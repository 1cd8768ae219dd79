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
            tags: Vec::new(),
            security_severity: None,
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
