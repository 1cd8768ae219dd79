//! Spec → Model: defaults, derived names and labels, ports, sorted collections.
//!
//! The Model is what every emitter reads. It holds no `Option` the emitters would have to
//! default themselves: each decision about a default is made here, once, so the Dockerfile,
//! compose file, Kubernetes manifests and monitoring outputs agree with each other.

pub mod defaults;
pub mod monitoring;

use std::collections::BTreeMap;

use crate::spec::Spec;

/// Everything the emitters need for one spec in one environment.
#[derive(Debug, Clone)]
pub struct Model {
    /// The validated spec this model came from, with defaults applied (see [`defaults::apply`]).
    pub spec: crate::spec::SpecFile,
    /// Environment name (`None` for the base spec).
    pub env: Option<String>,
    /// Server name.
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: String,
    /// Labels on every object: the standard `app.kubernetes.io/*` set plus `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// Immutable labels used in selectors.
    pub selector: BTreeMap<String, String>,
}

impl Model {
    /// Build the model of a validated spec.
    pub fn from_spec(spec: &Spec) -> Model {
        let file = defaults::apply(spec.file());
        let name = file.metadata.name.to_string();
        let namespace = file
            .metadata
            .namespace
            .as_ref()
            .map_or_else(|| name.clone(), ToString::to_string);
        let selector = BTreeMap::from([
            ("app.kubernetes.io/instance".to_string(), name.clone()),
            ("app.kubernetes.io/name".to_string(), name.clone()),
        ]);
        let mut labels = file.metadata.labels.clone();
        labels.extend(selector.clone());
        labels.insert("app.kubernetes.io/managed-by".into(), "mcpgen".into());
        if let Some(tag) = file.spec.image.tag() {
            labels.insert(
                "app.kubernetes.io/version".into(),
                tag.chars().take(63).collect(),
            );
        }
        Model {
            spec: file,
            env: spec.env().map(str::to_string),
            name,
            namespace,
            labels,
            selector,
        }
    }
}
