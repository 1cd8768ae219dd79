//! Concise report: one line per finding, `path:line:col: level[CODE]: message`, the form
//! compilers use, so editors' problem matchers and `grep` in CI logs read it.
//!
//! The level is a word (`error`, `warning`, `note`); a finding about a whole file has no line
//! and column, one about no file has no path. Findings an exception suppresses are left out
//! (the human and machine formats still show them), and there is no summary line.

use crate::diagnostics::Diagnostic;
use crate::source::Sources;

/// Render the findings, one per line.
pub fn render(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diags.iter().filter(|d| d.suppressed.is_none()) {
        if let Some(f) = d.file(sources) {
            out.push_str(&super::sanitize_line(f.name()));
            if let Some((line, col)) = d.start(sources) {
                out.push_str(&format!(":{line}:{col}"));
            }
            out.push_str(": ");
        }
        out.push_str(&format!("{}[{}]: ", d.level.as_str(), d.code));
        // One line, whatever a policy put in its message, and no escape sequence.
        out.push_str(&super::sanitize_line(&d.message.replace(['\n', '\r'], " ")));
        if let Some(env) = &d.environment {
            out.push_str(&format!(" [environment: {}]", super::sanitize_line(env)));
        }
        out.push('\n');
    }
    out
}
