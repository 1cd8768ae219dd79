//! Model → files: one module per target behind the [`Emitter`] trait.
//!
//! Emitters are plain mappings from the [`Model`] to typed output structures serialized with
//! serde; none of them applies defaults or reads the spec text.

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
