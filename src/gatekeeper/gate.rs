//! The stage `check` and `build` run when constraints or manifest policies are configured:
//! compile each valid spec variant's Kubernetes outputs in memory, review them
//! ([`review_outputs`](super::review_outputs)), and return the findings and the catalog
//! entries of the constraints and rules, before levels and exceptions are applied.
//!
//! This is the one place that knows how a spec becomes the objects reviewed (the `k8s` and
//! `monitoring` targets, named like `build` names them). A pipeline that already holds the
//! compiled artifacts should call `review_outputs` with them instead of compiling twice.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::conftest::ManifestPolicy;
use super::provenance::{Outputs, review_outputs};
use super::{Code, Policy};
use crate::compile::emitters;
use crate::diagnostics::render::RuleInfo;
use crate::diagnostics::{Diagnostic, Level};
use crate::model::Model;
use crate::pipeline::FileReport;

/// Constraint paths and manifest policy directories of one configuration group.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// `--constraints` and `constraints = [...]`: files or directories of templates and
    /// constraints.
    pub constraints: Vec<PathBuf>,
    /// `--manifest-policy` and `manifest-policies = [...]`: directories of Rego.
    pub manifest_policies: Vec<PathBuf>,
}

impl Config {
    /// Whether there is anything to run.
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty() && self.manifest_policies.is_empty()
    }
}

/// The catalog entries of the loaded constraints and manifest rules.
pub fn catalog(policy: Option<&Policy>, manifest: Option<&ManifestPolicy>) -> Vec<RuleInfo> {
    let mut out = Vec::new();
    if let Some(p) = policy {
        for c in &p.constraints {
            let t = p.templates.get(&c.kind);
            let title = t.and_then(|t| t.title.clone());
            let cel = t.is_some_and(|t| matches!(t.code, Code::CelOnly));
            out.push(RuleInfo {
                code: c.code(),
                name: c.name.clone(),
                level: if cel {
                    Level::Note
                } else {
                    super::provenance::level(c.action)
                },
                summary: title.unwrap_or_else(|| format!("Gatekeeper constraint {}", c.code())),
                description: t.and_then(|t| t.description.clone()),
                related: vec![format!("gatekeeper:{}", c.kind)],
                docs: None,
                configurable: true,
                help: None,
                help_uri: None,
                tags: vec!["gatekeeper".to_string()],
                security_severity: None,
            });
        }
    }
    if let Some(m) = manifest {
        out.extend(
            crate::policy::catalog(m.rules())
                .into_iter()
                .filter(|r| m.rules().iter().any(|x| x.code() == r.code)),
        );
    }
    out
}

/// Review the outputs of every valid variant of these files. Findings every variant of a file
/// produces identically are reported once, without an environment.
pub fn check_files<'a>(
    files: impl IntoIterator<Item = &'a FileReport>,
    config: &Config,
) -> Result<(Vec<Diagnostic>, Vec<RuleInfo>), String> {
    if config.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let policy = if config.constraints.is_empty() {
        None
    } else {
        Some(Policy::load(&config.constraints).map_err(|e| format!("constraints: {e}"))?)
    };
    let mut manifest = if config.manifest_policies.is_empty() {
        None
    } else {
        Some(ManifestPolicy::load(&config.manifest_policies).map_err(|e| e.to_string())?)
    };
    let infos = catalog(policy.as_ref(), manifest.as_ref());
    let targets: Vec<_> = emitters()
        .into_iter()
        .filter(|e| matches!(e.name(), "k8s" | "monitoring"))
        .collect();
    let mut out = Vec::new();
    for checked in files {
        let Some(doc) = &checked.doc else { continue };
        if checked.variants.is_empty() {
            continue;
        }
        let name = checked
            .path
            .file_name()
            .map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned());
        let mut groups: BTreeMap<(String, Option<String>, String), Vec<Diagnostic>> =
            BTreeMap::new();
        let mut order = Vec::new();
        for variant in &checked.variants {
            let spec = &variant.spec;
            let model = Model::new(&variant.resolved, &name);
            // What no target can build is reported by `build` (MCP301); there is nothing of
            // it to review.
            if !model.preflight().is_empty() {
                continue;
            }
            let mut generated = BTreeMap::new();
            for t in &targets {
                if let Ok(arts) = t.emit(&model) {
                    for a in arts {
                        generated.insert(a.path, a.contents);
                    }
                }
            }
            let outputs = Outputs {
                doc,
                env: spec.env(),
                spec: spec.value(),
                files: &generated,
            };
            let found = review_outputs(policy.as_ref(), manifest.as_mut(), &outputs)
                .map_err(|e| e.to_string())?;
            for d in found {
                let key = (d.code.clone(), d.pointer.clone(), d.message.clone());
                if !groups.contains_key(&key) {
                    order.push(key.clone());
                }
                let list = groups.entry(key).or_default();
                if !list.iter().any(|x| x.environment == d.environment) {
                    list.push(d);
                }
            }
        }
        let variants = checked.variants.len();
        for key in order {
            let Some(mut ds) = groups.remove(&key) else {
                continue;
            };
            if ds.len() == variants && variants > 1 {
                let mut d = ds.swap_remove(0);
                d.environment = None;
                out.push(d);
            } else {
                out.extend(ds);
            }
        }
    }
    Ok((out, infos))
}
