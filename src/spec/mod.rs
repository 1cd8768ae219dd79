//! The spec language: its typed model ([`types`], [`scalars`]), the spanned [`Document`] the
//! YAML and KDL front-ends produce, and environment overlays.
//!
//! This module turns text into a Document and a validated value into typed structures; it does
//! not judge the spec. Schema, semantic and policy checks live in `crate::validate` and
//! `crate::policy`.

pub mod document;
pub mod kdl;
pub mod overlay;
pub mod scalars;
pub mod types;
pub mod yaml;

use std::path::Path;

pub use document::Document;
pub use types::*;

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, SourceId};

/// Spec file syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML 1.2.
    Yaml,
    /// KDL v2 with the mapping in docs/kdl.md.
    Kdl,
}

impl Syntax {
    /// The syntax for a file name: `.kdl` is KDL, anything else YAML.
    pub fn for_path(path: &Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("kdl") => Syntax::Kdl,
            _ => Syntax::Yaml,
        }
    }
}

/// Parse a file into a Document.
pub fn parse(id: SourceId, file: &SourceFile, syntax: Syntax) -> Result<Document, Vec<Diagnostic>> {
    match syntax {
        Syntax::Yaml => yaml::parse(id, file),
        Syntax::Kdl => kdl::parse(id, file),
    }
}

/// A spec that passed the schema and the semantic checks, resolved for one environment: the
/// overlay is applied and `spec.environments` is emptied. Only `crate::validate` builds one.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    env: Option<String>,
    file: SpecFile,
    value: serde_json::Value,
    overridden: Vec<String>,
}

impl Spec {
    /// Crate-internal constructor used by the validator once every check passed.
    pub(crate) fn new_validated(
        env: Option<String>,
        file: SpecFile,
        value: serde_json::Value,
        overridden: Vec<String>,
    ) -> Self {
        Spec {
            env,
            file,
            value,
            overridden,
        }
    }

    /// JSON Pointers of the fields the command line set (`--set`, `--image`), in the order
    /// given.
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }

    /// The environment this spec is resolved for (`None`: the base spec).
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// The typed spec.
    pub fn file(&self) -> &SpecFile {
        &self.file
    }

    /// The merged value `{apiVersion, kind, metadata, spec}` the schema validated.
    pub fn value(&self) -> &serde_json::Value {
        &self.value
    }

    /// Shorthand for `file().spec`.
    pub fn spec(&self) -> &ServiceSpec {
        &self.file.spec
    }

    /// Shorthand for `file().metadata`.
    pub fn metadata(&self) -> &Metadata {
        &self.file.metadata
    }
}
