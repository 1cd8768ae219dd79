//! Human report: miette's graphical snippets, one per finding, and a summary line.
//!
//! Colour follows the output stream and `NO_COLOR`; tests pin the theme and width through
//! [`Style`] so snapshots do not depend on the terminal.
//!
//! Rendering is linear in the number of findings and the size of the files: snippets are read
//! through a [`Window`] over the file's line index (miette's own source reader scans from the
//! start of the file for every finding), the first [`MAX_FULL_FINDINGS`] findings get a
//! snippet and the rest one line each, and a finding on a line longer than
//! [`MAX_SNIPPET_LINE`] is shown without a snippet. Every piece of text that came from a spec,
//! a policy or a configuration is made safe for a terminal first (`super::sanitize_line`,
//! `super::neutralize_source`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Summary, neutralize_source, sanitize_line, sanitize_text};
use crate::diagnostics::{Diagnostic, Level};
use crate::limits::{MAX_FULL_FINDINGS, MAX_SNIPPET_LINE};
use crate::source::{SourceFile, SourceId, Sources};

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

/// A file's (neutralised) text read through its line index: each snippet costs the lines it
/// shows, not the bytes before it.
struct Window<'a> {
    name: &'a str,
    text: &'a str,
    file: &'a SourceFile,
}

impl SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // One spare line each side: the context search inside the slice then sees exactly what
        // it would see in the whole file.
        let first = self.file.line_of(start).saturating_sub(before + 1);
        let last = (self.file.line_of(end.saturating_sub(1).max(start)) + after + 1)
            .min(self.file.line_count() - 1);
        let from = self.file.line_range(first).start;
        let to = self.file.line_range(last).end.max(end).min(self.text.len());
        // Include the line break that ends the last line, as the whole file would.
        let to = self.text[to..]
            .char_indices()
            .take_while(|&(_, c)| c == '\r' || c == '\n')
            .take(2)
            .last()
            .map_or(to, |(i, c)| to + i + c.len_utf8());
        let slice = &self.text.as_bytes()[from..to];
        let local = SourceSpan::new((start - from).into(), span.len());
        let inner = <[u8] as SourceCode>::read_span(slice, &local, before, after)?;
        let lines_before = first;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + lines_before,
            inner.column(),
            inner.line_count() + lines_before,
        )))
    }
}

struct Adapter<'a> {
    d: &'a Diagnostic,
    title: String,
    src: Option<Window<'a>>,
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
            parts.push(sanitize_text(h).into_owned());
        }
        if let Some(code) = &self.d.explain {
            parts.push(format!("details: mcpgen explain {code}"));
        }
        if let Some(reason) = &self.d.suppressed {
            parts.push(format!(
                "suppressed by an exception: {}",
                sanitize_line(reason)
            ));
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src.as_ref()?;
        let primary = self.d.primary.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(sanitize_line(&primary.message).into_owned()),
            SourceSpan::new(primary.span.offset.into(), primary.span.len),
        )];
        for l in &self.d.secondary {
            if l.span.source == primary.span.source {
                labels.push(LabeledSpan::new_with_span(
                    Some(sanitize_line(&l.message).into_owned()),
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
    // Each file's text, neutralised once.
    let mut texts: HashMap<SourceId, Cow<'_, str>> = HashMap::new();
    let mut out = String::new();
    // Findings shown, for the bound on full renderings (notes and suppressed findings that
    // `--quiet` leaves out do not count).
    let mut shown = 0;
    for d in diags {
        if style.quiet && (d.level == Level::Note || d.suppressed.is_some()) {
            continue;
        }
        let i = shown;
        shown += 1;
        let mut title = sanitize_line(&d.message).into_owned();
        if let Some(env) = &d.environment {
            title.push_str(&format!(" [environment: {}]", sanitize_line(env)));
        }
        let file = d.source.map(|id| (id, sources.get(id)));
        let name = file.map(|(_, f)| sanitize_line(f.name()).into_owned());
        if d.primary.is_none()
            && let Some(n) = &name
        {
            title = format!("{n}: {title}");
        }
        let position = |f: &SourceFile| {
            d.primary.as_ref().map(|l| {
                let (line, col) = f.line_col(l.span.offset);
                format!("{}:{line}:{col}", sanitize_line(f.name()))
            })
        };
        if i >= MAX_FULL_FINDINGS {
            out.push_str(&one_line(d, &title, file.and_then(|(_, f)| position(f))));
            continue;
        }
        let snippet = file.filter(|(_, f)| d.primary.is_some() && short_lines(d, f));
        if snippet.is_none()
            && let Some(at) = file.and_then(|(_, f)| position(f))
        {
            title = format!("{title} (at {at})");
        }
        if let Some((id, f)) = snippet {
            texts
                .entry(id)
                .or_insert_with(|| neutralize_source(f.text()));
        }
        let adapter = Adapter {
            d,
            title,
            src: snippet.map(|(id, f)| Window {
                name: name.as_deref().unwrap_or_default(),
                text: texts.get(&id).map_or("", |t| t.as_ref()),
                file: f,
            }),
        };
        if handler.render_report(&mut out, &adapter).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, sanitize_line(&d.message)));
        }
        out.push('\n');
    }
    if shown > MAX_FULL_FINDINGS {
        out.push_str(&format!(
            "(the first {MAX_FULL_FINDINGS} findings are shown with their source; \
             `--format json` has every one in full)\n\n"
        ));
    }
    if !style.quiet {
        out.push_str(&summary_line(&Summary::of(diags, files)));
    }
    out
}

/// Whether every line a snippet of `d` would show is short enough to print (miette cannot
/// point past column 65,535, and a megabyte-long line is no help to anyone).
fn short_lines(d: &Diagnostic, f: &SourceFile) -> bool {
    let labels = d.primary.iter().chain(
        d.secondary
            .iter()
            .filter(|l| Some(l.span.source) == d.source),
    );
    labels.into_iter().all(|l| {
        let first = f.line_of(l.span.offset).saturating_sub(1);
        let last = (f.line_of(l.span.offset + l.span.len) + 1).min(f.line_count() - 1);
        (first..=last).all(|n| f.line_range(n).len() <= MAX_SNIPPET_LINE)
    })
}

/// A finding past the first [`MAX_FULL_FINDINGS`]: one line, with its position.
fn one_line(d: &Diagnostic, title: &str, at: Option<String>) -> String {
    let mark = match (d.suppressed.is_some(), d.level) {
        (true, _) => "suppressed",
        (false, Level::Error) => "error",
        (false, Level::Warning) => "warning",
        (false, Level::Note) => "note",
    };
    match at {
        Some(at) => format!("{mark} {}({}): {title} at {at}\n", d.code, d.name),
        None => format!("{mark} {}({}): {title}\n", d.code, d.name),
    }
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
