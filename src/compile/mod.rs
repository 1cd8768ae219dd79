//! Model → files: one module per target behind the [`Emitter`] trait.
//!
//! Emitters are plain mappings from the [`Model`] to typed output structures serialized with
//! serde; none of them reads the spec, applies a default or calls another emitter. What no
//! target can produce is refused once, before any emitter runs, by
//! [`crate::model::Model::preflight`]. The registry [`emitters`] lists
//! every target in output order; `mcpgen build --target` selects from it by name. Writing the
//! files (atomically, or comparing them for `--check`) is `crate::write`'s job, not this one's.
//!
//! Every [`Artifact`] carries its text and, as [`Content`], what the text holds as typed
//! values: the Kubernetes objects (each an [`Object`]: its identity and its JSON value), the
//! Dockerfile's instructions, the compose file, the files a kustomization lists. The
//! consistency stage (`crate::consistency`) and anything else that checks generated objects
//! read those values, never the text.

pub mod ci;
pub mod compose;
pub mod custom_resources;
pub mod delivery;
pub mod docker;
pub mod k8s;
pub mod traffic;

use serde::Serialize;

pub mod monitoring;

use crate::model::Model;

/// One generated file.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// Path relative to the environment's output directory, `/`-separated
    /// (e.g. `k8s/deployment.yaml`).
    pub path: String,
    /// File contents, ending with a newline.
    pub contents: String,
    /// What the file holds, as typed values.
    pub content: Content,
}

impl Artifact {
    /// A file whose contents no check reads as values (env examples, Prometheus files,
    /// dashboards).
    pub fn text(path: impl Into<String>, contents: String) -> Artifact {
        Artifact {
            path: path.into(),
            contents,
            content: Content::Other,
        }
    }

    /// The Kubernetes objects the file holds (none for other files).
    pub fn objects(&self) -> &[Object] {
        match &self.content {
            Content::Objects(o) => o,
            _ => &[],
        }
    }
}

/// What a generated file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Kubernetes objects applied to a cluster, in file order.
    Objects(Vec<Object>),
    /// A `kustomization.yaml`: the files it lists, relative to its directory.
    Kustomization(Vec<String>),
    /// A Dockerfile, as its instructions.
    Dockerfile(Vec<docker::Instruction>),
    /// A Docker ignore file, as its patterns.
    Ignore(Vec<String>),
    /// A compose file, as the JSON value of its YAML.
    Compose(serde_json::Value),
    /// Anything else.
    Other,
}

/// One Kubernetes object of a generated file. Its identity is read from the value itself, so
/// a check over a changed value sees the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The whole object.
    pub value: serde_json::Value,
    /// The object serialized alone as YAML (no header, no `---`), for streams.
    pub yaml: String,
}

impl Object {
    fn text(&self, pointer: &str) -> &str {
        self.value
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    }

    /// `apiVersion` (`apps/v1`).
    pub fn api_version(&self) -> &str {
        self.text("/apiVersion")
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.text("/kind")
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.text("/metadata/name")
    }

    /// `metadata.namespace`; `None` for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        self.value
            .pointer("/metadata/namespace")
            .and_then(serde_json::Value::as_str)
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version()
            .split_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `(group, kind, namespace, name)`: what the API server treats as one object.
    pub fn key(&self) -> (String, String, String, String) {
        (
            self.group().to_string(),
            self.kind().to_string(),
            self.namespace().unwrap_or_default().to_string(),
            self.name().to_string(),
        )
    }
}

/// Kinds in the order kustomize (and so `kubectl apply -k`) applies them, first ones first:
/// a Namespace before what lives in it, a ServiceAccount or ConfigMap before the Deployment
/// that uses it. Kinds not listed come after these, ordered by group, version and kind, and
/// before [`APPLY_LAST`] (kustomize's legacy order, `kyaml/resid/gvk.go`).
pub const APPLY_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
/// Kinds kustomize applies last.
pub const APPLY_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The order in which objects are applied: kind by kustomize's legacy order, then namespace
/// and name.
pub fn apply_order(a: &Object, b: &Object) -> std::cmp::Ordering {
    fn rank(kind: &str) -> i64 {
        if let Some(i) = APPLY_FIRST.iter().position(|k| *k == kind) {
            i as i64 - APPLY_FIRST.len() as i64
        } else if let Some(i) = APPLY_LAST.iter().position(|k| *k == kind) {
            1 + i as i64
        } else {
            0
        }
    }
    fn gvk(o: &Object) -> String {
        let (group, version) = o
            .api_version()
            .split_once('/')
            .unwrap_or(("", o.api_version()));
        let group = if group.is_empty() { "~G" } else { group };
        format!("{group}_{version}_{}", o.kind())
    }
    (rank(a.kind()), gvk(a), a.namespace(), a.name()).cmp(&(
        rank(b.kind()),
        gvk(b),
        b.namespace(),
        b.name(),
    ))
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
pub trait Emitter: Sync {
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
        out.push_str(&yaml_doc(what, doc)?);
    }
    Ok(out)
}

/// One YAML document, without `---`, ending with a newline.
fn yaml_doc<T: Serialize>(what: &str, doc: &T) -> Result<String, CompileError> {
    let text = serde_saphyr::to_string(doc).map_err(|e| CompileError::Serialize {
        what: what.to_string(),
        message: e.to_string(),
    })?;
    let mut text = text.strip_prefix("---\n").unwrap_or(&text).to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A file of Kubernetes objects: the text of [`yaml_file`], and each object as a value.
pub fn objects_file<T: Serialize>(
    model: &Model,
    path: impl Into<String>,
    what: &str,
    docs: &[T],
) -> Result<Artifact, CompileError> {
    let mut objects = Vec::new();
    let mut contents = model.header();
    for (i, doc) in docs.iter().enumerate() {
        let o = object(what, doc)?;
        if i > 0 {
            contents.push_str("---\n");
        }
        contents.push_str(&o.yaml);
        objects.push(o);
    }
    Ok(Artifact {
        path: path.into(),
        contents,
        content: Content::Objects(objects),
    })
}

/// One Kubernetes object as a value with its identity.
pub fn object<T: Serialize>(what: &str, doc: &T) -> Result<Object, CompileError> {
    let fail = |message: String| CompileError::Serialize {
        what: what.to_string(),
        message,
    };
    let value = serde_json::to_value(doc).map_err(|e| fail(e.to_string()))?;
    let text = |p: &str| value.pointer(p).and_then(|v| v.as_str()).is_some();
    if !(text("/apiVersion") && text("/kind") && text("/metadata/name")) {
        return Err(fail(
            "a Kubernetes object needs apiVersion, kind and metadata.name".to_string(),
        ));
    }
    Ok(Object {
        yaml: yaml_doc(what, doc)?,
        value,
    })
}
