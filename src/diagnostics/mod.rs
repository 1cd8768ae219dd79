//! Findings as data: the [`Diagnostic`] every stage produces, the [`Sink`] that collects them,
//! and the renderers that turn them into what users and CI systems read.
//!
//! This module is a leaf: it knows nothing of specs, schemas or policies. A stage that finds a
//! problem pushes a `Diagnostic` with a stable code and, whenever the user can fix it, a labelled
//! byte span into the file. Failures of mcpgen itself (unreadable file, broken policy) are not
//! diagnostics; they are errors that end in exit code 2.

pub mod codes;
pub mod render;
pub mod sink;

pub use sink::{Exception, LintLevel, Rules, Sink};

use serde::Serialize;

use crate::source::{SourceFile, SourceId, Sources};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the check (exit 1).
    Error,
    /// Reported; fails the check only with `--fail-on-warn`.
    Warning,
    /// Informational.
    Note,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// File the range is in.
    pub source: SourceId,
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (0 for a point).
    pub len: usize,
}

/// A labelled span: where, and what to say there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say at that place.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `MCP013`.
    pub code: String,
    /// Kebab-case rule name, e.g. `unknown-field`.
    pub name: String,
    /// Level after configuration (`-D/-W/-A`, `mcpgen.toml`).
    pub level: Level,
    /// One-line message.
    pub message: String,
    /// The file the finding is about.
    pub source: Option<SourceId>,
    /// Primary label; `None` when the finding is about the whole file.
    pub primary: Option<Label>,
    /// Further labels (e.g. the other side of a cross-field check).
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// JSON Pointer into the spec the finding is about, when there is one.
    pub pointer: Option<String>,
    /// Environment the finding applies to (`None`: the base spec).
    pub environment: Option<String>,
    /// Set when an exception suppresses this finding: its reason.
    pub suppressed: Option<String>,
    /// The argument of `mcpgen explain` that documents this finding, when mcpgen has docs for
    /// it (the built-in policy pack).
    pub explain: Option<String>,
}

impl Diagnostic {
    /// A finding with the given code, level and message, and nothing else yet.
    pub fn new(code: &codes::Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.code.to_string(),
            name: code.name.to_string(),
            level: code.level,
            message: message.into(),
            source: None,
            primary: None,
            secondary: Vec::new(),
            help: code.help.map(str::to_string),
            pointer: None,
            environment: None,
            suppressed: None,
            explain: None,
        }
    }

    /// A finding from a policy rule, whose code and name are data rather than constants.
    pub fn dynamic(
        code: impl Into<String>,
        name: impl Into<String>,
        level: Level,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: code.into(),
            name: name.into(),
            level,
            message: message.into(),
            source: None,
            primary: None,
            secondary: Vec::new(),
            help: None,
            pointer: None,
            environment: None,
            suppressed: None,
            explain: None,
        }
    }

    /// Attach the primary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.source = Some(span.source);
        self.primary = Some(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Attach a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Set or replace the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Set the file without a span (the finding is about the whole file).
    pub fn in_source(mut self, source: SourceId) -> Self {
        self.source = Some(source);
        self
    }

    /// Set the JSON Pointer.
    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// Set the environment.
    pub fn in_environment(mut self, env: Option<&str>) -> Self {
        self.environment = env.map(str::to_string);
        self
    }

    /// Start (line, column), both 1-based, of the primary label.
    pub fn start(&self, sources: &Sources) -> Option<(usize, usize)> {
        let label = self.primary.as_ref()?;
        Some(sources.get(label.span.source).line_col(label.span.offset))
    }

    /// The file of this finding.
    pub fn file<'a>(&self, sources: &'a Sources) -> Option<&'a SourceFile> {
        self.source.map(|id| sources.get(id))
    }
}
