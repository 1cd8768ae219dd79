//! The consistency stage: mcpgen checks its own artifacts against each other before anything
//! is written, the way a compiler checks that every name it uses is defined.
//!
//! Schema validators see one object at a time; this stage sees one environment's whole output
//! as typed values ([`crate::compile::Content`]) and checks that every reference resolves the
//! way the kubelet, BuildKit, compose and the API server will resolve it: the executable the
//! image runs exists in its final stage and runs under an init ([`image`]); probe, Service,
//! Ingress, ServiceMonitor and NetworkPolicy ports resolve to container ports, every selector
//! and target reference selects the workload, each kustomization lists exactly its folder,
//! objects stay in the server's namespace and never twice, spread constraints honour taints,
//! NetworkPolicy rules are neither redundant nor deaf to NodeLocal DNSCache ([`kube`]); the
//! quota admits the rollout at its peak ([`quota`]); every dependency is wired and the
//! server's host validation admits its real clients ([`wiring`]); every series an alert or
//! autoscaler reads is in the metrics contract and every HPA metric is served ([`metrics`]); a
//! stdio server's image runs its bridge, which serves the port, MCP path and health paths
//! everything else expects ([`bridge`]).
//!
//! Each failed check is a [`Finding`] with an `MCP3xx` code, located by a JSON Pointer at the
//! spec field responsible; the pipeline turns findings into diagnostics and writes nothing for
//! the environment. Most checks guard mcpgen's own emitters (a failure is a bug the user
//! reports); some catch a spec whose parts cannot work together (a go command that is not the
//! binary the build writes, an `allowFrom` port the server does not listen on, a quota too
//! small for the rollout). What this module does not do: read the spec (it reads the Model for
//! names and pointers), or fix anything.

pub mod bridge;
pub mod delivery;
pub mod image;
pub mod kube;
pub mod metrics;
pub mod quota;
pub mod wiring;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::compile::docker::Instruction;
use crate::compile::{Artifact, Content, Object};
use crate::diagnostics::codes::Code;
use crate::model::Model;

/// One failed check.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The `MCP3xx` code.
    pub code: &'static Code,
    /// JSON Pointer of the spec field responsible.
    pub pointer: String,
    /// What does not resolve, naming the artifact.
    pub message: String,
}

impl Finding {
    fn new(code: &'static Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code,
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// One environment's artifacts, indexed by what the checks read.
pub struct View<'a> {
    /// Every artifact.
    pub artifacts: &'a [Artifact],
    /// Every Kubernetes object with the path of its file.
    pub objects: Vec<(&'a str, &'a Object)>,
}

impl<'a> View<'a> {
    /// Index artifacts.
    pub fn new(artifacts: &'a [Artifact]) -> View<'a> {
        let objects = artifacts
            .iter()
            .flat_map(|a| a.objects().iter().map(move |o| (a.path.as_str(), o)))
            .collect();
        View { artifacts, objects }
    }

    /// Objects of one kind.
    pub fn kind(&self, kind: &str) -> impl Iterator<Item = &'a Object> + '_ {
        let kind = kind.to_string();
        self.objects
            .iter()
            .filter(move |(_, o)| o.kind() == kind)
            .map(|(_, o)| *o)
    }

    /// The one object of a kind, if any.
    pub fn first(&self, kind: &str) -> Option<&'a Object> {
        self.kind(kind).next()
    }

    /// The workload that runs the server's pods: the Deployment, or the Argo Rollouts
    /// `Rollout` that replaces it.
    pub fn workload(&self) -> Option<&'a Object> {
        self.first("Deployment").or_else(|| self.first("Rollout"))
    }

    /// The Dockerfile and its path.
    pub fn dockerfile(&self) -> Option<(&'a str, &'a [Instruction])> {
        self.artifacts.iter().find_map(|a| match &a.content {
            Content::Dockerfile(i) => Some((a.path.as_str(), i.as_slice())),
            _ => None,
        })
    }

    /// The compose file.
    pub fn compose(&self) -> Option<&'a Value> {
        self.artifacts.iter().find_map(|a| match &a.content {
            Content::Compose(v) => Some(v),
            _ => None,
        })
    }
}

/// Run every check over one environment's artifacts.
pub fn check(model: &Model, artifacts: &[Artifact]) -> Vec<Finding> {
    let view = View::new(artifacts);
    let mut out = Vec::new();
    image::check(model, &view, &mut out);
    bridge::check(model, &view, &mut out);
    kube::check(model, &view, &mut out);
    delivery::check(model, &view, &mut out);
    quota::check(model, &view, &mut out);
    wiring::check(model, &view, &mut out);
    metrics::check(model, &view, &mut out);
    out.sort_by(|a, b| {
        (a.code.code, &a.pointer, &a.message).cmp(&(b.code.code, &b.pointer, &b.message))
    });
    out.dedup_by(|a, b| {
        (a.code.code, &a.pointer, &a.message) == (b.code.code, &b.pointer, &b.message)
    });
    out
}

/// Objects that appear in more than one of several outputs deployed together (the same
/// environment of several specs), as `(index of the later output, object)`: applying both,
/// the later one silently replaces the earlier.
pub fn duplicates_across<'a>(outputs: &[&'a [Artifact]]) -> Vec<(usize, &'a Object)> {
    let mut seen: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, artifacts) in outputs.iter().enumerate() {
        for a in artifacts.iter() {
            for o in a.objects() {
                match seen.get(&o.key()) {
                    Some(&j) if j != i => out.push((i, o)),
                    Some(_) => {}
                    None => {
                        seen.insert(o.key(), i);
                    }
                }
            }
        }
    }
    out
}

/// `matchLabels` of a label selector value (empty when absent).
pub(crate) fn match_labels(selector: Option<&Value>) -> BTreeMap<String, String> {
    labels(selector.and_then(|s| s.get("matchLabels")))
}

/// A string map value (labels, selectors) as a map; non-string values are skipped.
pub(crate) fn labels(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a selector's labels select a set of labels: not empty, and each pair present.
pub(crate) fn selects(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The value at a JSON Pointer as a string.
pub(crate) fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The array at a JSON Pointer (empty when absent).
pub(crate) fn array_at<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The server container of the workload (Deployment or Rollout).
pub(crate) fn server_container(deployment: &Object) -> Option<&Value> {
    array_at(&deployment.value, "/spec/template/spec/containers")
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(crate::model::CONTAINER))
}
