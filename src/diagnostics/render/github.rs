//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! which the runner turns into annotations on the pull request's diff.
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`,
//! `\r` and `\n` are percent-encoded; in properties `:` and `,` are too. Before that, text from
//! specs and policies is made safe for the log viewer (`super::sanitize_line`): escape sequences
//! and other control characters become visible `\u{…}` escapes. Suppressed findings are not
//! annotated. A summary line closes the output.

use super::{Summary, human::summary_line, region, sanitize_line, sanitize_text};
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
            props.push(format!(
                "file={}",
                escape_property(&sanitize_line(f.name()))
            ));
        }
        if let Some(r) = region(d, sources) {
            props.push(format!("line={}", r.start_line));
            props.push(format!("col={}", r.start_column));
            props.push(format!("endLine={}", r.end_line));
            props.push(format!("endColumn={}", r.end_column));
        }
        props.push(format!(
            "title={}",
            escape_property(&sanitize_line(&format!("{} {}", d.code, d.name)))
        ));
        let mut message = sanitize_line(&d.message).into_owned();
        if let Some(env) = &d.environment {
            message.push_str(&format!(" [environment: {}]", sanitize_line(env)));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {}", sanitize_text(help)));
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

    #[test]
    fn escape_sequences_do_not_reach_the_log() {
        let mut sources = Sources::new();
        let id = sources.add(crate::source::SourceFile::new("s\u{1b}[2J.yaml", "a: 1\n"));
        let d = crate::diagnostics::Diagnostic::new(
            &crate::diagnostics::codes::SCHEMA,
            "value `\u{1b}]52;c;ZWNobw==\u{7}` is bad\u{9b}31m",
        )
        .in_source(id)
        .in_environment(Some("e\u{1b}[1m"));
        let out = render(&[d], &sources, 1);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    }
}
