//! SARIF 2.1.0 report, as GitHub code scanning and other SARIF readers consume it.
//!
//! One run, with the rules that produced results in `tool.driver.rules` (id, name,
//! descriptions, help, default level, related checks as tags) and one result per finding with
//! a physical location (1-based line and column; the end column is exclusive, as SARIF
//! defines it). Findings suppressed by an exception carry a `suppressions` entry with the
//! exception's reason, so code scanning shows them as dismissed rather than hiding them.
//!
//! Rules carry `helpUri` (their section of docs/rules.md for the built-in pack) and, as
//! properties, their `tags` and, for security rules, `security-severity` (the CVSS-like score
//! GitHub code scanning ranks alerts by). Artifact locations are relative to the `%SRCROOT%`
//! base (the enclosing git repository, else the working directory), so code scanning resolves
//! them whatever directory mcpgen ran in; a file outside that root keeps an absolute `file:`
//! URI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{RuleInfo, region};
use crate::diagnostics::{Diagnostic, Level};
use crate::source::Sources;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    #[serde(rename = "originalUriBaseIds")]
    original_uri_base_ids: BTreeMap<&'static str, BaseLocation>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

/// What `%SRCROOT%` stands for. Its absolute URI is left out on purpose: reports must not
/// depend on the machine that wrote them, and code scanning resolves the relative URIs
/// against the repository checkout.
#[derive(Serialize)]
struct BaseLocation {
    description: Message,
}

/// The base every relative artifact URI is resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<MultiformatMessage>,
    #[serde(rename = "helpUri", skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties<'a>>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'a str>,
    /// Equivalent checks in other tools.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    related: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// A relative URI reference for a path as the user gave it: `/` separators, and the
/// characters a URI may not hold percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'=' => out.push(b as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The directory relative artifact URIs start from: the nearest directory at or above the
/// working directory that holds `.git` (a directory, or a file in a worktree), else the
/// working directory itself.
pub fn source_root() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let found = cwd.ancestors().find(|d| d.join(".git").exists());
    Some(found.unwrap_or(&cwd).to_path_buf())
}

/// The artifact location of a file as the user named it: relative to `root` when it lies
/// below it, else an absolute `file:` URI, else (a name that is no file, such as `-`) the
/// name itself.
fn artifact(name: &str, root: Option<&Path>) -> ArtifactLocation {
    let path = Path::new(name);
    let absolute = std::fs::canonicalize(path).ok();
    if let (Some(abs), Some(root)) = (&absolute, root)
        && let Ok(rel) = abs.strip_prefix(root)
    {
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return ArtifactLocation {
            uri: uri(&rel.join("/")),
            uri_base_id: Some(SRCROOT),
        };
    }
    match absolute {
        Some(abs) => ArtifactLocation {
            uri: format!("file://{}", uri(&abs.to_string_lossy())),
            uri_base_id: None,
        },
        None => ArtifactLocation {
            uri: uri(name),
            uri_base_id: None,
        },
    }
}

/// Render the SARIF log. `rules` is the catalog used to describe the rules that have results.
/// File locations are relative to [`source_root`].
pub fn render(diags: &[Diagnostic], sources: &Sources, rules: &[RuleInfo]) -> String {
    render_with_root(diags, sources, rules, source_root().as_deref())
}

/// [`render`] with an explicit root for relative artifact URIs.
pub fn render_with_root(
    diags: &[Diagnostic],
    sources: &Sources,
    rules: &[RuleInfo],
    root: Option<&Path>,
) -> String {
    let mut used: Vec<&str> = Vec::new();
    for d in diags {
        if !used.contains(&d.code.as_str()) {
            used.push(&d.code);
        }
    }
    used.sort();
    let descriptors: Vec<ReportingDescriptor<'_>> = used
        .iter()
        .map(|code| {
            let info = rules.iter().find(|r| r.code == *code);
            let d = diags.iter().find(|d| d.code == *code);
            match info {
                Some(r) => ReportingDescriptor {
                    id: &r.code,
                    name: &r.name,
                    short_description: Message {
                        text: r.summary.clone(),
                    },
                    full_description: r.description.clone().map(|text| Message { text }),
                    help: match (&r.docs, &r.help) {
                        (Some(markdown), _) => Some(MultiformatMessage {
                            text: r.description.clone().unwrap_or_else(|| r.summary.clone()),
                            markdown: Some(markdown.clone()),
                        }),
                        (None, Some(help)) => Some(MultiformatMessage {
                            text: help.clone(),
                            markdown: None,
                        }),
                        (None, None) => None,
                    },
                    help_uri: r.help_uri.as_deref(),
                    default_configuration: Configuration {
                        level: level(r.level),
                    },
                    properties: (!r.related.is_empty()
                        || !r.tags.is_empty()
                        || r.security_severity.is_some())
                    .then_some(RuleProperties {
                        tags: &r.tags,
                        security_severity: r.security_severity.as_deref(),
                        related: &r.related,
                    }),
                },
                None => ReportingDescriptor {
                    id: code,
                    name: d.map_or(*code, |d| d.name.as_str()),
                    short_description: Message {
                        text: d.map_or_else(String::new, |d| d.name.clone()),
                    },
                    full_description: None,
                    help: None,
                    help_uri: None,
                    default_configuration: Configuration {
                        level: d.map_or("warning", |d| level(d.level)),
                    },
                    properties: None,
                },
            }
        })
        .collect();
    let results = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(env) = &d.environment {
                text.push_str(&format!(" [environment: {env}]"));
            }
            let locations = d
                .file(sources)
                .map(|f| {
                    vec![Location {
                        physical_location: PhysicalLocation {
                            artifact_location: artifact(f.name(), root),
                            region: region(d, sources).map(|r| SarifRegion {
                                start_line: r.start_line,
                                start_column: r.start_column,
                                end_line: r.end_line,
                                end_column: r.end_column,
                            }),
                        },
                    }]
                })
                .unwrap_or_default();
            SarifResult {
                rule_id: &d.code,
                rule_index: used.iter().position(|c| *c == d.code),
                level: level(d.level),
                message: Message { text },
                locations,
                suppressions: d
                    .suppressed
                    .as_deref()
                    .map(|j| {
                        vec![Suppression {
                            kind: "external",
                            justification: j,
                        }]
                    })
                    .unwrap_or_default(),
                properties: (d.environment.is_some() || d.pointer.is_some() || d.help.is_some())
                    .then_some(ResultProperties {
                        environment: d.environment.as_deref(),
                        pointer: d.pointer.as_deref(),
                        help: d.help.as_deref(),
                    }),
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "mcpgen",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: descriptors,
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                BaseLocation {
                    description: Message {
                        text: "The root of the repository mcpgen ran in (the directory holding \
                               .git), or its working directory outside a repository."
                            .into(),
                    },
                },
            )]),
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut s = super::json_safe(
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    );
    s.push('\n');
    s
}
