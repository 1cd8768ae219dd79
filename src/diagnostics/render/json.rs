//! JSON report: one object with every finding (line, column, pointer, environment) and a
//! summary. The shape is versioned; fields are only ever added.

use serde::Serialize;

use super::{Region, Summary, region};
use crate::diagnostics::{Diagnostic, Level};
use crate::source::Sources;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<Item<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    code: &'a str,
    name: &'a str,
    level: Level,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a str>,
    /// The command that prints the rule's documentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<String>,
}

/// Render the report.
pub fn render(diags: &[Diagnostic], sources: &Sources, files: usize) -> String {
    let mut s = super::json_safe(
        serde_json::to_string_pretty(&value(diags, sources, files))
            .expect("a JSON value always serializes"),
    );
    s.push('\n');
    s
}

/// The report as a JSON value, for callers that add sections (`build` adds what it wrote).
pub fn value(diags: &[Diagnostic], sources: &Sources, files: usize) -> serde_json::Value {
    let report = Report {
        version: 1,
        diagnostics: diags
            .iter()
            .map(|d| Item {
                code: &d.code,
                name: &d.name,
                level: d.level,
                message: &d.message,
                file: d.file(sources).map(|f| f.name()),
                region: region(d, sources),
                label: d.primary.as_ref().map(|l| l.message.as_str()),
                pointer: d.pointer.as_deref(),
                environment: d.environment.as_deref(),
                help: d.help.as_deref(),
                suppressed: d.suppressed.as_deref(),
                explain: d.explain.as_ref().map(|c| format!("mcpgen explain {c}")),
            })
            .collect(),
        summary: Summary::of(diags, files),
    };
    serde_json::to_value(&report)
        .expect("plain structs of strings and numbers always serialize into a JSON value")
}
