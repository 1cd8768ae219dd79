//! Human report: miette's graphical snippets, one per finding, and a summary line.
//!
//! Colour follows the output stream and `NO_COLOR`; tests pin the theme and width through
//! [`Style`] so snapshots do not depend on the terminal.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::Summary;
use crate::diagnostics::{Diagnostic, Level};
use crate::source::Sources;

/// Rendering options.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
    /// Leave out notes and the summary line (`--quiet`).
    pub quiet: bool,
}

impl Style {
    /// The fixed style used in snapshots: no colour, 100 columns.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 100,
            quiet: false,
        }
    }
}

struct Adapter<'a> {
    d: &'a Diagnostic,
    title: String,
    src: Option<NamedSource<Arc<String>>>,
}

impl fmt::Debug for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for Adapter<'_> {}

impl miette::Diagnostic for Adapter<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.d.code, self.d.name)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
            Level::Note => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut parts = Vec::new();
        if let Some(h) = &self.d.help {
            parts.push(h.clone());
        }
        if let Some(code) = &self.d.explain {
            parts.push(format!("details: mcpgen explain {code}"));
        }
        if let Some(reason) = &self.d.suppressed {
            parts.push(format!("suppressed by an exception: {reason}"));
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.d.primary.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(primary.message.clone()),
            SourceSpan::new(primary.span.offset.into(), primary.span.len),
        )];
        for l in &self.d.secondary {
            if l.span.source == primary.span.source {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    SourceSpan::new(l.span.offset.into(), l.span.len),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Render every finding and the summary.
pub fn render(diags: &[Diagnostic], sources: &Sources, files: usize, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        if style.quiet && (d.level == Level::Note || d.suppressed.is_some()) {
            continue;
        }
        let mut title = d.message.clone();
        if let Some(env) = &d.environment {
            title.push_str(&format!(" [environment: {env}]"));
        }
        let file = d.file(sources);
        if d.primary.is_none()
            && let Some(f) = file
        {
            title = format!("{}: {title}", f.name());
        }
        let adapter = Adapter {
            d,
            title,
            src: file.map(|f| f.named_source()),
        };
        if handler.render_report(&mut out, &adapter).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    if !style.quiet {
        out.push_str(&summary_line(&Summary::of(diags, files)));
    }
    out
}

/// `2 errors, 1 warning in 3 files` (and notes and suppressed findings when there are some).
pub fn summary_line(s: &Summary) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let notes = if s.notes > 0 {
        format!(", {}", plural(s.notes, "note"))
    } else {
        String::new()
    };
    let mut line = format!(
        "{}, {}{notes} in {}",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.files, "file")
    );
    if s.suppressed > 0 {
        line.push_str(&format!(" ({} suppressed)", s.suppressed));
    }
    line.push('\n');
    line
}
