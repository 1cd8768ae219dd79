//! `mcpgen.toml`: the team's configuration of the policy stage, validated once into the typed
//! [`Rules`] (rule levels and exceptions) that the diagnostics sink applies.
//!
//! The file is found by walking up from each spec's directory (or given with `--config`).
//! It names extra policy directories and data files (relative to the file), per-rule levels by
//! code or name, and exceptions. An exception names one rule, optionally one JSON Pointer (it
//! then covers that value and everything below it) and one environment, and must give a
//! reason; with `expires = "YYYY-MM-DD"` it applies up to and including that day, then stops
//! applying and is reported (MCP902). An exception that matches nothing is reported (MCP901).
//! This module does not evaluate policies; `crate::policy` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::render::RuleInfo;
use crate::diagnostics::{self, Diagnostic, LintLevel, Rules, Span, codes};
use crate::source::{SourceFile, SourceId, Sources};

/// The configuration file name.
pub const FILE_NAME: &str = "mcpgen.toml";

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Stop here: configuration files in parent directories do not apply.
    #[serde(default)]
    pub root: bool,
    /// Extra policy directories, relative to the configuration file.
    #[serde(default)]
    pub policies: Vec<PathBuf>,
    /// JSON or YAML files merged into the policies' `data`, relative to the configuration file.
    #[serde(default)]
    pub data: Vec<PathBuf>,
    /// Gatekeeper ConstraintTemplates and constraints (files or directories), relative to the
    /// configuration file, run on the generated Kubernetes objects.
    #[serde(default)]
    pub constraints: Vec<PathBuf>,
    /// Directories of Conftest-style Rego run on each generated Kubernetes object, relative to
    /// the configuration file.
    #[serde(default, rename = "manifest-policies")]
    pub manifest_policies: Vec<PathBuf>,
    /// Rule levels by code or name: `error`/`deny`, `warning`/`warn`, `note`, `allow`/`off`.
    #[serde(default)]
    pub rules: BTreeMap<String, Spanned<String>>,
    /// Exceptions.
    #[serde(default)]
    pub exceptions: Vec<Spanned<Exception>>,
}

/// One exception.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// Rule code or name.
    pub rule: String,
    /// JSON Pointer into the spec; covers that value and everything below it.
    #[serde(default)]
    pub path: Option<String>,
    /// Environment name; `base` means the spec without overlay. All when omitted.
    #[serde(default)]
    pub environment: Option<String>,
    /// Spec file (or glob, e.g. `services/*.mcp.yaml`) relative to this configuration file's
    /// directory. All specs the file applies to when omitted.
    #[serde(default)]
    pub file: Option<String>,
    /// Server name (`metadata.name`). All servers when omitted.
    #[serde(default)]
    pub server: Option<String>,
    /// Why the finding is accepted. Required.
    pub reason: String,
    /// Last day the exception applies, `YYYY-MM-DD`.
    #[serde(default)]
    pub expires: Option<String>,
}

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The file, when there is one.
    pub path: Option<PathBuf>,
    /// Its id in the run's sources.
    pub source: Option<SourceId>,
    /// Its contents (default when there is no file or it is invalid).
    pub config: Config,
}

impl Loaded {
    /// Policy directories, resolved against the file's directory.
    pub fn policy_dirs(&self) -> Vec<PathBuf> {
        self.resolve(&self.config.policies)
    }

    /// Data files, resolved against the file's directory.
    pub fn data_files(&self) -> Vec<PathBuf> {
        self.resolve(&self.config.data)
    }

    /// Gatekeeper constraint paths, resolved against the file's directory.
    pub fn constraint_paths(&self) -> Vec<PathBuf> {
        self.resolve(&self.config.constraints)
    }

    /// Manifest policy directories, resolved against the file's directory.
    pub fn manifest_policy_dirs(&self) -> Vec<PathBuf> {
        self.resolve(&self.config.manifest_policies)
    }

    fn resolve(&self, paths: &[PathBuf]) -> Vec<PathBuf> {
        let base = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        paths
            .iter()
            .map(|p| {
                // `policies = ["."]` should read as the directory itself, not `dir/.`.
                base.join(p)
                    .components()
                    .filter(|c| !matches!(c, std::path::Component::CurDir))
                    .collect()
            })
            .collect()
    }
}

/// The configuration files that apply to a spec, root-most first: the nearest `mcpgen.toml` in
/// its directory or above, then the ones further up, up to one that says `root = true` or the
/// filesystem root. Nearer files win over farther ones, key by key (see [`rules`]).
pub fn discover_chain(start: &Path) -> Vec<PathBuf> {
    let mut chain = Vec::new();
    let mut from = start.to_path_buf();
    while let Some(found) = discover(&from) {
        let stop = crate::source::read_input_text(&found, crate::limits::MAX_CONFIG_BYTES, None)
            .ok()
            .and_then(|t| toml::from_str::<Config>(&t).ok())
            .is_some_and(|c| c.root);
        chain.push(found.clone());
        let Some(parent) = found.parent().and_then(Path::parent) else {
            break;
        };
        if stop {
            break;
        }
        from = parent.to_path_buf();
    }
    chain.reverse();
    chain
}

/// The nearest `mcpgen.toml` in `start`'s directory or any parent.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.as_os_str().is_empty() {
        Path::new(".")
    } else {
        start
    };
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Read and parse a configuration file into `sources`. Problems with the file's contents are
/// diagnostics (MCP903); an unreadable file is an `Err` (exit 2).
pub fn load(
    path: &Path,
    display: String,
    sources: &mut Sources,
    out: &mut Vec<Diagnostic>,
) -> Result<Loaded, String> {
    let text = crate::source::read_input_text(path, crate::limits::MAX_CONFIG_BYTES, None)
        .map_err(|e| e.to_string())?;
    let id = sources.add(SourceFile::new(display, text.clone()));
    let mut loaded = Loaded {
        path: Some(path.to_path_buf()),
        source: Some(id),
        config: Config::default(),
    };
    match toml::from_str::<Config>(&text) {
        Ok(c) if c.exceptions.len().max(c.rules.len()) > crate::limits::MAX_CONFIG_ENTRIES => {
            return Err(format!(
                "{}: more than {} exceptions or rule levels (see docs/security.md)",
                path.display(),
                crate::limits::MAX_CONFIG_ENTRIES
            ));
        }
        Ok(c) => loaded.config = c,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            out.push(
                Diagnostic::new(
                    &codes::CONFIG_INVALID,
                    format!("invalid {FILE_NAME}: {}", e.message()),
                )
                .with_label(span(id, range), "here"),
            );
        }
    }
    Ok(loaded)
}

fn span(source: SourceId, range: std::ops::Range<usize>) -> Span {
    Span {
        source,
        offset: range.start,
        len: range.end.saturating_sub(range.start),
    }
}

/// Level overrides from the command line, applied after the file's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `-D RULE`.
    pub deny: Vec<String>,
    /// `-W RULE`.
    pub warn: Vec<String>,
    /// `-A RULE`.
    pub allow: Vec<String>,
}

/// Whether findings of a rule may be excepted: every configurable rule, and the content
/// scanners (`MCP4xx`, hardcoded secrets), whose level cannot change but which an exception
/// with a reason can silence for one value that is not secret.
fn exceptable(info: &RuleInfo) -> bool {
    info.configurable || info.code.starts_with("MCP4")
}

/// The date today, `YYYY-MM-DD`: `MCPGEN_TODAY` when set (for reproducible tests), else the
/// system clock in UTC.
pub fn today() -> String {
    if let Ok(t) = std::env::var("MCPGEN_TODAY")
        && valid_date(&t)
    {
        return t;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    // ASCII first: the slices below are byte ranges.
    if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| s[r].chars().all(|c| c.is_ascii_digit());
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[0..4].parse::<u32>(),
        s[5..7].parse::<u32>(),
        s[8..10].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// A spec file of the group a configuration applies to, for exceptions scoped to a file or a
/// server.
#[derive(Debug, Clone)]
pub struct Scoped {
    /// The spec file as given.
    pub path: PathBuf,
    /// Its id in the run's sources.
    pub source: SourceId,
    /// Its `metadata.name`, when the file parsed far enough to say.
    pub server: Option<String>,
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Validate the levels and exceptions of a configuration chain (root-most first, as
/// [`discover_chain`] returns it) against the catalog of rules into the [`Rules`] a
/// [`crate::diagnostics::Sink`] applies, plus the findings about the configuration itself:
/// MCP903 for what is invalid (an unknown rule, a level or exception for a code that is not
/// configurable, a missing reason, a bad date or glob) and MCP902 for an expired exception.
///
/// Levels: a nearer file's setting for a rule wins over a farther one's, and the command line's
/// `-D/-W/-A` win over every file (later flags over earlier ones). Exceptions of every file in
/// the chain apply; one scoped with `file` or `server` covers only the matching specs of
/// `checked`. An exception is reported as unused only when every spec it could match was
/// checked: for an unscoped one, every spec under its file's directory (by the naming
/// convention, [`crate::discover`]); for a scoped one, every spec its `file` glob names.
pub fn rules(
    chain: &[Loaded],
    overrides: &Overrides,
    catalog: &[RuleInfo],
    today: &str,
    checked: &[Scoped],
) -> (Rules, Vec<Diagnostic>) {
    let invalid = |msg: String| Diagnostic::new(&codes::CONFIG_INVALID, msg);
    let find = |key: &str| {
        catalog
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
    };
    let mut meta = Vec::new();
    let mut out = Rules::default();

    // Levels: the files' root-most first, so nearer ones override, then the command line's.
    type Setting = (String, LintLevel, Option<Span>, &'static str);
    let mut settings: Vec<Setting> = Vec::new();
    for loaded in chain {
        let at = |range: std::ops::Range<usize>| loaded.source.map(|s| span(s, range));
        for (key, value) in &loaded.config.rules {
            match LintLevel::parse(value.get_ref()) {
                Some(l) => settings.push((key.clone(), l, at(value.span()), "[rules]")),
                None => {
                    let d = invalid(format!(
                        "unknown level `{}` (expected error, warning, note or allow)",
                        value.get_ref()
                    ));
                    meta.push(match at(value.span()) {
                        Some(s) => d.with_label(s, "here"),
                        None => d,
                    });
                }
            }
        }
    }
    for (list, level) in [
        (&overrides.deny, LintLevel::Error),
        (&overrides.warn, LintLevel::Warning),
        (&overrides.allow, LintLevel::Allow),
    ] {
        for key in list {
            settings.push((key.clone(), level, None, "the command line"));
        }
    }
    for (key, level, at, origin) in settings {
        let problem = match find(&key) {
            None => Some(format!("{origin} names an unknown rule `{key}`")),
            Some(r) if !r.configurable => {
                Some(format!("the level of {} cannot be changed", r.code))
            }
            Some(r) => {
                out.levels.insert(r.code.clone(), level);
                None
            }
        };
        if let Some(msg) = problem {
            meta.push(match at {
                Some(s) => invalid(msg).with_label(s, "here"),
                None => invalid(msg),
            });
        }
    }

    let checked_paths: Vec<(PathBuf, &Scoped)> =
        checked.iter().map(|c| (canonical(&c.path), c)).collect();
    for loaded in chain {
        let dir = canonical(
            loaded
                .path
                .as_deref()
                .and_then(Path::parent)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        );
        let at = |range: std::ops::Range<usize>| loaded.source.map(|s| span(s, range));
        let located = |d: Diagnostic, range: std::ops::Range<usize>, label: &str| match at(range) {
            Some(s) => d.with_label(s, label.to_string()),
            None => d,
        };
        // Specs under this file's directory, found once, when an exception needs them.
        let mut under: Option<Vec<PathBuf>> = None;
        let mut specs_under = || -> Vec<PathBuf> {
            under
                .get_or_insert_with(|| {
                    crate::discover::specs_under(&dir)
                        .iter()
                        .map(|p| canonical(p))
                        .collect()
                })
                .clone()
        };
        for ex in &loaded.config.exceptions {
            let e = ex.get_ref();
            let range = ex.span();
            if e.reason.trim().is_empty() {
                meta.push(located(
                    invalid("an exception needs a reason".into()),
                    range,
                    "no reason",
                ));
                continue;
            }
            if let Some(exp) = &e.expires {
                if !valid_date(exp) {
                    meta.push(located(
                        invalid(format!("exception expiry `{exp}` is not a YYYY-MM-DD date")),
                        range,
                        "bad date",
                    ));
                    continue;
                }
                if exp.as_str() < today {
                    meta.push(located(
                        Diagnostic::new(
                            &codes::EXPIRED_EXCEPTION,
                            format!(
                                "the exception for `{}` expired on {exp} and no longer applies (reason was: {})",
                                e.rule, e.reason
                            ),
                        ),
                        range,
                        "expired",
                    ));
                    continue;
                }
            }
            let Some(info) = find(&e.rule) else {
                meta.push(located(
                    invalid(format!("the exception names an unknown rule `{}`", e.rule)),
                    range,
                    "unknown rule",
                ));
                continue;
            };
            if !exceptable(info) {
                // Parse, schema, semantic and output findings mean mcpgen cannot use the spec:
                // excepting one would switch the gate off (exit 0 on a broken spec, a skipped
                // environment in `build`).
                meta.push(located(
                    invalid(format!(
                        "{} cannot be excepted: it describes a spec mcpgen cannot use; only policy \
                         rules (MCP2xx, team rules), hardcoded secrets (MCP4xx) and MCP9xx \
                         findings can be",
                        info.code
                    )),
                    range,
                    "not configurable",
                ));
                continue;
            }
            let glob = match &e.file {
                None => None,
                Some(pattern) => match globset::Glob::new(pattern) {
                    Ok(g) => Some(g.compile_matcher()),
                    Err(err) => {
                        meta.push(located(
                            invalid(format!(
                                "exception file `{pattern}` is not a valid glob: {err}"
                            )),
                            range,
                            "bad glob",
                        ));
                        continue;
                    }
                },
            };
            let matches_file = |p: &Path| match &glob {
                None => true,
                Some(g) => p.strip_prefix(&dir).is_ok_and(|rel| g.is_match(rel)),
            };
            let covered: Vec<SourceId> = checked_paths
                .iter()
                .filter(|(p, _)| matches_file(p))
                .filter(|(_, c)| {
                    e.server
                        .as_ref()
                        .is_none_or(|s| c.server.as_deref() == Some(s.as_str()))
                })
                .map(|(_, c)| c.source)
                .collect();
            let scoped = e.file.is_some() || e.server.is_some();
            let report_unused = if e.server.is_some() && e.file.is_none() {
                // Which files declare a server is only known for the files checked.
                !covered.is_empty()
            } else {
                specs_under()
                    .iter()
                    .filter(|p| matches_file(p))
                    .all(|p| checked_paths.iter().any(|(c, _)| c == p))
            };
            out.exceptions.push(diagnostics::Exception {
                code: info.code.clone(),
                rule: e.rule.clone(),
                path: e.path.clone(),
                environment: e.environment.clone(),
                reason: e.reason.clone(),
                span: at(range),
                sources: scoped.then_some(covered),
                report_unused,
            });
        }
    }
    (out, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_780), (2026, 11, 23));
        assert!(valid_date("2026-12-31"));
        assert!(!valid_date("2026-13-01"));
        assert!(!valid_date("26-12-31"));
        assert!(!valid_date("2026-é-311"));
        assert!(!valid_date("2026-02-31"));
        assert!(!valid_date("2026-02-29"));
        assert!(valid_date("2028-02-29"));
        assert!(!valid_date("2100-02-29"));
        assert!(!valid_date("2026-04-31"));
    }
}
