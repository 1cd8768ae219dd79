//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! which the runner turns into annotations on the pull request's diff.
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`,
//! `\r` and `\n` are percent-encoded; in properties `:` and `,` are too. Suppressed findings are
//! not annotated. A summary line closes the output.

use super::{Summary, human::summary_line, region};
use crate::diagnostics::{Diagnostic, Level};
use crate::source::Sources;

/// Escape a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Render the workflow commands.
pub fn render(diags: &[Diagnostic], sources: &Sources, files: usize) -> String {
    let mut out = String::new();
    for d in diags.iter().filter(|d| d.suppressed.is_none()) {
        let command = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(f) = d.file(sources) {
            props.push(format!("file={}", escape_property(f.name())));
        }
        if let Some(r) = region(d, sources) {
            props.push(format!("line={}", r.start_line));
            props.push(format!("col={}", r.start_column));
            props.push(format!("endLine={}", r.end_line));
            props.push(format!("endColumn={}", r.end_column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.name))
        ));
        let mut message = d.message.clone();
        if let Some(env) = &d.environment {
            message.push_str(&format!(" [environment: {env}]"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out.push_str(&summary_line(&Summary::of(diags, files)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
