//! GitLab Code Quality reports: a JSON array of CodeClimate-style issues that GitLab shows in
//! the merge request widget and the diff (`artifacts: reports: codequality`).
//!
//! Each unsuppressed finding is one issue: `description` (with the environment), `check_name`
//! (code and rule name), a `fingerprint` that stays the same while the finding does (SHA-256 of
//! code, file, pointer, environment and message, not of positions, so an unrelated edit above
//! it does not make it a new issue), `severity` (error → `major`, warning → `minor`, note →
//! `info`) and `location.path` with `lines.begin`. GitLab reads only these fields.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::region;
use crate::diagnostics::{Diagnostic, Level};
use crate::source::Sources;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// Render the report.
pub fn render(diags: &[Diagnostic], sources: &Sources) -> String {
    let issues: Vec<Issue> = diags
        .iter()
        .filter(|d| d.suppressed.is_none())
        .map(|d| {
            let path = d
                .file(sources)
                .map_or_else(String::new, |f| f.name().to_string());
            let mut description = d.message.clone();
            if let Some(env) = &d.environment {
                description.push_str(&format!(" [environment: {env}]"));
            }
            let mut h = Sha256::new();
            for part in [
                d.code.as_str(),
                path.as_str(),
                d.pointer.as_deref().unwrap_or(""),
                d.environment.as_deref().unwrap_or(""),
                d.message.as_str(),
            ] {
                h.update((part.len() as u64).to_be_bytes());
                h.update(part.as_bytes());
            }
            Issue {
                description,
                check_name: format!("{} {}", d.code, d.name),
                fingerprint: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
                severity: match d.level {
                    Level::Error => "major",
                    Level::Warning => "minor",
                    Level::Note => "info",
                },
                location: Location {
                    path,
                    lines: Lines {
                        begin: region(d, sources).map_or(1, |r| r.start_line),
                    },
                },
            }
        })
        .collect();
    // Escapes C1 controls, line separators and bidirectional overrides that serde_json leaves
    // raw, as the JSON report does.
    let mut out = super::json_safe(
        serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string()),
    );
    out.push('\n');
    out
}
