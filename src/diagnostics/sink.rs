//! The [`Sink`]: where every stage pushes its findings, and where the team's rule levels and
//! exceptions are applied, once, as findings arrive.
//!
//! A sink built with [`Rules`] (the validated `mcpgen.toml` plus `-D/-W/-A`) sets each pushed
//! finding to its configured level or drops it (`allow`), and marks it suppressed when an
//! exception covers it. [`Sink::finish`] reports every exception that matched nothing
//! (MCP901), sorts the findings by file, position and code, and removes duplicates. What is
//! configurable, and whether a configuration is valid, is decided by `crate::config`; this
//! module only applies the result.

use std::collections::{BTreeMap, HashMap};

use super::{Diagnostic, Level, Span, codes};
use crate::source::{SourceId, Sources};

/// A rule level a team may configure. Distinct from [`Level`]: `Allow` is not a severity, it
/// means the finding is not reported at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintLevel {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Report as a note.
    Note,
    /// Do not report.
    Allow,
}

impl LintLevel {
    /// Parse a level as written in `mcpgen.toml` (`error`/`deny`, `warning`/`warn`,
    /// `note`/`info`, `allow`/`off`/`ignore`), case-insensitively.
    pub fn parse(s: &str) -> Option<LintLevel> {
        Some(match s.to_ascii_lowercase().as_str() {
            "error" | "deny" => LintLevel::Error,
            "warning" | "warn" => LintLevel::Warning,
            "note" | "info" => LintLevel::Note,
            "allow" | "off" | "ignore" => LintLevel::Allow,
            _ => return None,
        })
    }

    fn level(self) -> Option<Level> {
        match self {
            LintLevel::Error => Some(Level::Error),
            LintLevel::Warning => Some(Level::Warning),
            LintLevel::Note => Some(Level::Note),
            LintLevel::Allow => None,
        }
    }
}

/// One validated exception: a configurable code, optionally narrowed to a JSON Pointer (and
/// everything below it) and an environment, with the reason it is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// The rule's code.
    pub code: String,
    /// The rule as the user wrote it (code or name), for messages.
    pub rule: String,
    /// JSON Pointer the exception covers, with everything below it.
    pub path: Option<String>,
    /// Environment (`base` for the spec without overlay).
    pub environment: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Where the exception is written, for the unused-exception finding.
    pub span: Option<Span>,
    /// The files it covers, when scoped to files or servers (`None`: every file).
    pub sources: Option<Vec<SourceId>>,
    /// Whether to report it when it matched nothing: only when every spec it could match was
    /// checked in this run.
    pub report_unused: bool,
}

impl Exception {
    fn covers(&self, d: &Diagnostic) -> bool {
        if d.code != self.code {
            return false;
        }
        if let Some(files) = &self.sources
            && !d.source.is_some_and(|s| files.contains(&s))
        {
            return false;
        }
        if let Some(p) = &self.path {
            let Some(dp) = &d.pointer else { return false };
            if dp != p && !dp.starts_with(&format!("{p}/")) {
                return false;
            }
        }
        if let Some(env) = &self.environment {
            // A finding reported once for every variant (no environment) also covers this one.
            if let Some(denv) = &d.environment
                && denv != env
            {
                return false;
            }
        }
        true
    }
}

/// Levels by code and exceptions: what the sink applies to every finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Configured levels by code.
    pub levels: BTreeMap<String, LintLevel>,
    /// Exceptions, in the order written.
    pub exceptions: Vec<Exception>,
}

/// Collects diagnostics from every stage, applies levels and exceptions, reports unused
/// exceptions, deduplicates and sorts.
#[derive(Debug, Default)]
pub struct Sink {
    rules: Rules,
    used: Vec<bool>,
    /// Exceptions by code and path (`None`: no path), in the order written, so that matching a
    /// finding costs one lookup per segment of its pointer rather than a pass over every
    /// exception (20,000 exceptions and findings took a minute; docs/security.md).
    index: HashMap<(String, Option<String>), Vec<usize>>,
    items: Vec<Diagnostic>,
}

impl Sink {
    /// A sink that reports findings as they come.
    pub fn new() -> Self {
        Self::default()
    }

    /// A sink that applies `rules` to every finding pushed.
    pub fn with_rules(rules: Rules) -> Self {
        let mut index: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
        for (i, e) in rules.exceptions.iter().enumerate() {
            index
                .entry((e.code.clone(), e.path.clone()))
                .or_default()
                .push(i);
        }
        Sink {
            used: vec![false; rules.exceptions.len()],
            rules,
            index,
            items: Vec::new(),
        }
    }

    /// The first exception, in the order written, that covers `d`.
    fn exception_for(&self, d: &Diagnostic) -> Option<usize> {
        let mut keys = vec![(d.code.clone(), None)];
        if let Some(p) = &d.pointer {
            // The pointer itself and every ancestor: `/a/b/c`, `/a/b`, `/a`.
            let mut prefix = p.as_str();
            loop {
                keys.push((d.code.clone(), Some(prefix.to_string())));
                match prefix.rfind('/') {
                    Some(i) if i > 0 => prefix = &prefix[..i],
                    _ => break,
                }
            }
            // An exception for the empty pointer (the whole document) covers every pointer.
            if p.starts_with('/') {
                keys.push((d.code.clone(), Some(String::new())));
            }
        }
        keys.iter()
            .filter_map(|k| self.index.get(k))
            .flatten()
            .copied()
            .filter(|&i| self.rules.exceptions[i].covers(d))
            .min()
    }

    /// Add one finding: set its configured level (or drop it), then mark it suppressed when an
    /// exception covers it.
    pub fn push(&mut self, mut d: Diagnostic) {
        if let Some(l) = self.rules.levels.get(&d.code) {
            match l.level() {
                None => return,
                Some(level) => d.level = level,
            }
        }
        if d.suppressed.is_none()
            && let Some(i) = self.exception_for(&d)
        {
            d.suppressed = Some(self.rules.exceptions[i].reason.clone());
            self.used[i] = true;
        }
        self.items.push(d);
    }

    /// Add several findings.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        for d in ds {
            self.push(d);
        }
    }

    /// Whether an unsuppressed finding at `level` was collected.
    pub fn has_level(&self, level: Level) -> bool {
        self.items
            .iter()
            .any(|d| d.level == level && d.suppressed.is_none())
    }

    /// The findings, sorted by file, position, code, environment and message, without
    /// duplicates, after the unused exceptions were reported.
    pub fn finish(mut self, sources: &Sources) -> Vec<Diagnostic> {
        let unused: Vec<Diagnostic> = self
            .rules
            .exceptions
            .iter()
            .zip(&self.used)
            .filter(|(e, used)| !**used && e.report_unused)
            .map(|(e, _)| {
                let what = match &e.path {
                    Some(p) => format!("`{}` at {p}", e.rule),
                    None => format!("`{}`", e.rule),
                };
                let d = Diagnostic::new(
                    &codes::UNUSED_EXCEPTION,
                    format!("the exception for {what} matches no finding"),
                );
                match e.span {
                    Some(s) => d.with_label(s, "unused"),
                    None => d,
                }
            })
            .collect();
        self.rules.exceptions.clear();
        self.index.clear();
        self.extend(unused);
        sort(&mut self.items, sources);
        self.items
    }
}

/// Sort by file, position, code, environment and message, and remove duplicates.
pub fn sort(items: &mut Vec<Diagnostic>, sources: &Sources) {
    items.sort_by_cached_key(|d| {
        (
            d.source.map(|s| sources.get(s).name().to_string()),
            d.primary.as_ref().map(|l| (l.span.offset, l.span.len)),
            d.code.clone(),
            d.environment.clone(),
            d.message.clone(),
        )
    });
    items.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exception(path: Option<&str>, environment: Option<&str>, reason: &str) -> Exception {
        Exception {
            code: codes::HARDCODED_SECRET.code.to_string(),
            rule: codes::HARDCODED_SECRET.name.to_string(),
            path: path.map(str::to_string),
            environment: environment.map(str::to_string),
            reason: reason.to_string(),
            span: None,
            sources: None,
            report_unused: true,
        }
    }

    fn finding(pointer: &str, env: Option<&str>) -> Diagnostic {
        Diagnostic::new(&codes::HARDCODED_SECRET, "x")
            .at_pointer(pointer)
            .in_environment(env)
    }

    /// The index finds what a pass over every exception found: the first exception written
    /// that covers the finding, by pointer prefix (at segment boundaries) and environment.
    #[test]
    fn the_first_covering_exception_in_written_order_applies() {
        let rules = Rules {
            levels: BTreeMap::new(),
            exceptions: vec![
                exception(Some("/spec/env/A"), Some("production"), "first"),
                exception(Some("/spec/env"), None, "second"),
                exception(None, Some("staging"), "third"),
                exception(Some("/spec/files"), None, "unused"),
            ],
        };
        let mut sink = Sink::with_rules(rules);
        sink.push(finding("/spec/env/A", Some("production")));
        sink.push(finding("/spec/env/A", Some("staging")));
        sink.push(finding("/spec/envelope", Some("staging")));
        sink.push(finding("/spec/envelope", Some("production")));
        sink.push(finding("/spec/filesystem", Some("production")));
        let reasons: Vec<Option<&str>> =
            sink.items.iter().map(|d| d.suppressed.as_deref()).collect();
        assert_eq!(
            reasons,
            [Some("first"), Some("second"), Some("third"), None, None]
        );
        assert_eq!(sink.used, [true, true, true, false]);
    }
}
