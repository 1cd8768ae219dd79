//! `mcpgen.toml`: the team's configuration of the policy stage, and the pass that applies it to
//! the findings (rule levels, then exceptions).
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
use crate::diagnostics::{Diagnostic, Level, Span, codes};
use crate::source::{SourceFile, SourceId, Sources};

/// The configuration file name.
pub const FILE_NAME: &str = "mcpgen.toml";

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
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
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let id = sources.add(SourceFile::new(display, text.clone()));
    let mut loaded = Loaded {
        path: Some(path.to_path_buf()),
        source: Some(id),
        config: Config::default(),
    };
    match toml::from_str::<Config>(&text) {
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

/// A level setting: a level, or `None` for allow (drop the finding).
fn parse_level(s: &str) -> Result<Option<Level>, String> {
    match s.to_ascii_lowercase().as_str() {
        "error" | "deny" => Ok(Some(Level::Error)),
        "warning" | "warn" => Ok(Some(Level::Warning)),
        "note" | "info" => Ok(Some(Level::Note)),
        "allow" | "off" | "ignore" => Ok(None),
        other => Err(format!(
            "unknown level `{other}` (expected error, warning, note or allow)"
        )),
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

/// Whether a code's level may be configured: policy rules and meta findings, not parse,
/// schema, semantic or output errors (those describe a spec mcpgen cannot use).
fn configurable(code: &str) -> bool {
    !["MCP0", "MCP1", "MCP3"].iter().any(|p| code.starts_with(p))
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
    let m: u32 = s[5..7].parse().unwrap_or(0);
    let d: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// Apply levels and exceptions to the findings and add the meta findings about the
/// configuration itself (MCP901, MCP902, MCP903). `rules` is the catalog of known rules.
pub fn apply(
    loaded: &Loaded,
    overrides: &Overrides,
    rules: &[RuleInfo],
    today: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let source = loaded.source;
    let at = |range: std::ops::Range<usize>| source.map(|s| span(s, range));
    let mut meta = Vec::new();
    let known = |key: &str| {
        rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
            .map(|r| r.code.clone())
    };

    // Levels: the file first, then -D/-W/-A (later flags win over earlier ones).
    let mut levels: BTreeMap<String, Option<Level>> = BTreeMap::new();
    for (key, value) in &loaded.config.rules {
        let located = |msg: String| {
            let d = Diagnostic::new(&codes::CONFIG_INVALID, msg);
            match at(value.span()) {
                Some(s) => d.with_label(s, "here"),
                None => d,
            }
        };
        let Some(code) = known(key) else {
            meta.push(located(format!("[rules] names an unknown rule `{key}`")));
            continue;
        };
        if !configurable(&code) {
            meta.push(located(format!("the level of {code} cannot be changed")));
            continue;
        }
        match parse_level(value.get_ref()) {
            Ok(l) => {
                levels.insert(code, l);
            }
            Err(e) => meta.push(located(e)),
        }
    }
    for (list, level) in [
        (&overrides.deny, Some(Level::Error)),
        (&overrides.warn, Some(Level::Warning)),
        (&overrides.allow, None),
    ] {
        for key in list {
            match known(key) {
                Some(code) if configurable(&code) => {
                    levels.insert(code, level);
                }
                Some(code) => meta.push(Diagnostic::new(
                    &codes::CONFIG_INVALID,
                    format!("the level of {code} cannot be changed"),
                )),
                None => meta.push(Diagnostic::new(
                    &codes::CONFIG_INVALID,
                    format!("unknown rule `{key}` on the command line"),
                )),
            }
        }
    }
    diags.retain_mut(|d| match levels.get(&d.code) {
        Some(None) => false,
        Some(Some(l)) => {
            d.level = *l;
            true
        }
        None => true,
    });

    // Exceptions.
    for ex in &loaded.config.exceptions {
        let e = ex.get_ref();
        let range = ex.span();
        let located = |d: Diagnostic, label: &str| match at(range.clone()) {
            Some(s) => d.with_label(s, label.to_string()),
            None => d,
        };
        if e.reason.trim().is_empty() {
            meta.push(located(
                Diagnostic::new(&codes::CONFIG_INVALID, "an exception needs a reason"),
                "no reason",
            ));
            continue;
        }
        if let Some(exp) = &e.expires {
            if !valid_date(exp) {
                meta.push(located(
                    Diagnostic::new(
                        &codes::CONFIG_INVALID,
                        format!("exception expiry `{exp}` is not a YYYY-MM-DD date"),
                    ),
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
                    "expired",
                ));
                continue;
            }
        }
        let Some(code) = known(&e.rule) else {
            meta.push(located(
                Diagnostic::new(
                    &codes::CONFIG_INVALID,
                    format!("the exception names an unknown rule `{}`", e.rule),
                ),
                "unknown rule",
            ));
            continue;
        };
        if !configurable(&code) {
            // Parse, schema, semantic and output findings mean mcpgen cannot use the spec:
            // excepting one would switch the gate off (exit 0 on a broken spec, a skipped
            // environment in `build`).
            meta.push(located(
                Diagnostic::new(
                    &codes::CONFIG_INVALID,
                    format!(
                        "{code} cannot be excepted: it describes a spec mcpgen cannot use; \
                         only policy rules (MCP2xx, team rules) and MCP9xx findings can be"
                    ),
                ),
                "not configurable",
            ));
            continue;
        }
        let mut used = false;
        for d in diags.iter_mut() {
            if d.suppressed.is_some() || d.code != code {
                continue;
            }
            if let Some(p) = &e.path {
                let Some(dp) = &d.pointer else { continue };
                if dp != p && !dp.starts_with(&format!("{p}/")) {
                    continue;
                }
            }
            if let Some(env) = &e.environment {
                let denv = d.environment.as_deref().unwrap_or("base");
                // A finding reported once for every variant also covers this environment.
                if denv != env && d.environment.is_some() {
                    continue;
                }
            }
            d.suppressed = Some(e.reason.clone());
            used = true;
        }
        if !used {
            let what = match &e.path {
                Some(p) => format!("`{}` at {p}", e.rule),
                None => format!("`{}`", e.rule),
            };
            meta.push(located(
                Diagnostic::new(
                    &codes::UNUSED_EXCEPTION,
                    format!("the exception for {what} matches no finding"),
                ),
                "unused",
            ));
        }
    }
    // Meta findings obey levels too (`-A unused-exception`).
    meta.retain_mut(|d| match levels.get(&d.code) {
        Some(None) => false,
        Some(Some(l)) => {
            d.level = *l;
            true
        }
        None => true,
    });
    diags.extend(meta);
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
    }
}
