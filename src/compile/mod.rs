//! Model → files: one module per target behind the [`Emitter`] trait.
//!
//! Emitters are plain mappings from the [`Model`] to typed output structures serialized with
//! serde; none of them reads the spec, applies a default or calls another emitter. What no
//! target can produce is refused once, before any emitter runs, by
//! [`crate::model::Model::preflight`]. The registry [`emitters`] lists
//! every target in output order; `mcpgen build --target` selects from it by name. Writing the
//! files (atomically, or comparing them for `--check`) is `crate::write`'s job, not this one's.

pub mod compose;
pub mod custom_resources;
pub mod docker;
pub mod k8s;

use serde::Serialize;

pub mod monitoring;

use crate::model::Model;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the environment's output directory, `/`-separated
    /// (e.g. `k8s/deployment.yaml`).
    pub path: String,
    /// File contents, ending with a newline.
    pub contents: String,
}

/// Why a target could not be generated.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CompileError {
    /// Serialization failed (a bug, reported rather than panicking).
    #[error("could not serialize {what}: {message}")]
    Serialize {
        /// What was being written.
        what: String,
        /// The serializer's message.
        message: String,
    },
}

/// A target: Dockerfile, compose, Kubernetes, monitoring…
pub trait Emitter {
    /// Target name as given to `--target`.
    fn name(&self) -> &'static str;
    /// The files of this target for one model.
    fn emit(&self, model: &Model) -> Result<Vec<Artifact>, CompileError>;
}

/// The target that writes a file of an environment's output directory (`None` for a file no
/// target writes). A build of some targets replaces only the files of those targets.
pub fn owner(path: &str) -> Option<&'static str> {
    if path.starts_with("k8s/") {
        Some("k8s")
    } else if path.starts_with("monitoring/") {
        Some("monitoring")
    } else if path == "Dockerfile" || path == ".dockerignore" || path.ends_with(".dockerignore") {
        Some("docker")
    } else if path == "compose.yaml" || path.ends_with(".env.example") {
        Some("compose")
    } else {
        None
    }
}

/// Every target, in output order. The monitoring target registers itself here.
pub fn emitters() -> Vec<Box<dyn Emitter>> {
    vec![
        Box::new(docker::Docker),
        Box::new(compose::Compose),
        Box::new(k8s::Kubernetes),
        Box::new(monitoring::MonitoringEmitter),
    ]
}

/// Serialize YAML documents into one file: the generated-by header, then the documents
/// separated by `---`, ending with a newline.
pub fn yaml_file<T: Serialize>(
    model: &Model,
    what: &str,
    docs: &[T],
) -> Result<String, CompileError> {
    let mut out = model.header();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        let text = serde_saphyr::to_string(doc).map_err(|e| CompileError::Serialize {
            what: what.to_string(),
            message: e.to_string(),
        })?;
        let text = text.strip_prefix("---\n").unwrap_or(&text);
        out.push_str(text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
