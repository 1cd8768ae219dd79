//! JUnit XML report (GitLab, Jenkins, and most CI test viewers).
//!
//! One `<testsuite>` per checked file; one `<testcase>` per finding, named after its rule and
//! location. Error-level findings are `<failure>`s; warnings and notes pass with the finding in
//! `<system-out>` so they are visible without failing the pipeline's test view; suppressed
//! findings are `<skipped>` with the exception's reason. A file without findings gets one
//! passing test case so the suite is never empty. The XML is written from typed structs by a
//! small writer that escapes every attribute and text node.

use super::region;
use crate::diagnostics::{Diagnostic, Level};
use crate::source::Sources;

/// Outcome of one test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOutcome {
    /// Passed, optionally with output.
    Passed(Option<String>),
    /// Failed: message, type, details.
    Failure {
        /// Short message.
        message: String,
        /// Failure type (the level).
        kind: String,
        /// Body text.
        details: String,
    },
    /// Skipped with a reason.
    Skipped(String),
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// Name.
    pub name: String,
    /// Class name (the file).
    pub classname: String,
    /// Outcome.
    pub outcome: CaseOutcome,
}

/// One test suite (one file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSuite {
    /// Name (the file).
    pub name: String,
    /// Cases.
    pub cases: Vec<TestCase>,
}

/// Escape text for an XML attribute or text node, dropping characters XML 1.0 cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            // C0 and C1 controls (terminal escape sequences) and XML's non-characters.
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn attr(name: &str, value: &str) -> String {
    format!(" {name}=\"{}\"", escape(value))
}

/// Write suites as a JUnit XML document.
pub fn write(suites: &[TestSuite]) -> String {
    let count = |f: &dyn Fn(&CaseOutcome) -> bool| -> usize {
        suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| f(&c.outcome))
            .count()
    };
    let tests = count(&|_| true);
    let failures = count(&|o| matches!(o, CaseOutcome::Failure { .. }));
    let skipped = count(&|o| matches!(o, CaseOutcome::Skipped(_)));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites{}{}{}{}{}>\n",
        attr("name", "mcpgen check"),
        attr("tests", &tests.to_string()),
        attr("failures", &failures.to_string()),
        attr("errors", "0"),
        attr("skipped", &skipped.to_string()),
    ));
    for s in suites {
        let f = s
            .cases
            .iter()
            .filter(|c| matches!(c.outcome, CaseOutcome::Failure { .. }))
            .count();
        let sk = s
            .cases
            .iter()
            .filter(|c| matches!(c.outcome, CaseOutcome::Skipped(_)))
            .count();
        out.push_str(&format!(
            "  <testsuite{}{}{}{}{}>\n",
            attr("name", &s.name),
            attr("tests", &s.cases.len().to_string()),
            attr("failures", &f.to_string()),
            attr("errors", "0"),
            attr("skipped", &sk.to_string()),
        ));
        for c in &s.cases {
            let open = format!(
                "    <testcase{}{}",
                attr("name", &c.name),
                attr("classname", &c.classname)
            );
            match &c.outcome {
                CaseOutcome::Passed(None) => out.push_str(&format!("{open}/>\n")),
                CaseOutcome::Passed(Some(text)) => out.push_str(&format!(
                    "{open}>\n      <system-out>{}</system-out>\n    </testcase>\n",
                    escape(text)
                )),
                CaseOutcome::Failure {
                    message,
                    kind,
                    details,
                } => out.push_str(&format!(
                    "{open}>\n      <failure{}{}>{}</failure>\n    </testcase>\n",
                    attr("message", message),
                    attr("type", kind),
                    escape(details)
                )),
                CaseOutcome::Skipped(reason) => out.push_str(&format!(
                    "{open}>\n      <skipped{}/>\n    </testcase>\n",
                    attr("message", reason)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Render the findings of a run. `files` are the checked files, in order.
pub fn render(diags: &[Diagnostic], sources: &Sources, files: &[String]) -> String {
    let mut names: Vec<String> = files.to_vec();
    for d in diags {
        let name = d
            .file(sources)
            .map_or_else(|| "mcpgen".to_string(), |f| f.name().to_string());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let suites: Vec<TestSuite> = names
        .iter()
        .map(|file| {
            let mut cases: Vec<TestCase> = diags
                .iter()
                .filter(|d| {
                    d.file(sources)
                        .map_or_else(|| "mcpgen".to_string(), |f| f.name().to_string())
                        == *file
                })
                .map(|d| case(d, sources, file))
                .collect();
            if cases.is_empty() {
                cases.push(TestCase {
                    name: "mcpgen check".into(),
                    classname: file.clone(),
                    outcome: CaseOutcome::Passed(None),
                });
            }
            TestSuite {
                name: file.clone(),
                cases,
            }
        })
        .collect();
    write(&suites)
}

fn case(d: &Diagnostic, sources: &Sources, file: &str) -> TestCase {
    let at = region(d, sources)
        .map(|r| format!("{file}:{}:{}", r.start_line, r.start_column))
        .unwrap_or_else(|| file.to_string());
    let mut name = format!("{} {} at {at}", d.code, d.name);
    if let Some(env) = &d.environment {
        name.push_str(&format!(" [{env}]"));
    }
    let mut details = format!("{}: {}\n{at}", d.level.as_str(), d.message);
    if let Some(p) = &d.pointer {
        details.push_str(&format!("\npointer: {p}"));
    }
    if let Some(h) = &d.help {
        details.push_str(&format!("\nhelp: {h}"));
    }
    let outcome = if let Some(reason) = &d.suppressed {
        CaseOutcome::Skipped(format!("suppressed by an exception: {reason}"))
    } else if d.level == Level::Error {
        CaseOutcome::Failure {
            message: d.message.clone(),
            kind: d.level.as_str().to_string(),
            details,
        }
    } else {
        CaseOutcome::Passed(Some(details))
    };
    TestCase {
        name,
        classname: file.to_string(),
        outcome,
    }
}
