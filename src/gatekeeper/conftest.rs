//! Conftest-style manifest policies (`--manifest-policy DIR`): plain Rego packages with
//! `deny`, `warn` and `violation` rules (optionally `_suffix`ed), evaluated with each generated
//! Kubernetes object as `input`, as `conftest test` does with a manifest.
//!
//! The engine is the one mcpgen's spec policies use (`crate::policy::Engine`, Rego v1, the
//! same result conventions: a string, or an object with `msg` and optionally `code`, `name`,
//! `level`), so the rules are the same shape as `--policy` rules; only the input differs.
//! Every package is evaluated (Conftest's `--all-namespaces`), not only `main`.

use std::path::PathBuf;

use serde_json::Value;

use super::GatorError;
use super::review::{Object, ObjectRef, ablate, is_identity};
use crate::diagnostics::Level;
use crate::policy::{self, Engine};

/// One result of a manifest policy on one object.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestFinding {
    /// Code: the result's, else the rule's METADATA code, else `package.rule`.
    pub code: String,
    /// Rule name.
    pub name: String,
    /// Level: `deny`/`violation` error, `warn` warning, unless the result or METADATA says.
    pub level: Level,
    /// Message.
    pub message: String,
    /// The object.
    pub object: ObjectRef,
    /// Its file.
    pub file: String,
    /// Fields whose removal makes the result go away or change (see `provenance`).
    pub blame: Vec<String>,
}

/// Loaded manifest policies.
pub struct ManifestPolicy {
    engine: Engine,
}

impl ManifestPolicy {
    /// Load every `.rego` file (not `*_test.rego`) under the directories.
    pub fn load(dirs: &[PathBuf]) -> Result<ManifestPolicy, GatorError> {
        let mut files = Vec::new();
        for d in dirs {
            files.extend(policy::read_dir(d, false).map_err(|e| GatorError::Input(e.to_string()))?);
        }
        if files.is_empty() {
            return Err(GatorError::Input(format!(
                "no .rego file in {}",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let engine = Engine::new(false, &files, &[])
            .map_err(|e| GatorError::Policy(format!("broken manifest policy: {e}")))?;
        Ok(ManifestPolicy { engine })
    }

    /// The rules' catalog entries.
    pub fn rules(&self) -> &[policy::Rule] {
        self.engine.rules()
    }

    fn eval(&mut self, v: &Value) -> Result<Vec<policy::Finding>, GatorError> {
        self.engine
            .evaluate(v.clone())
            .map_err(|e| GatorError::Policy(format!("manifest policy failed: {e}")))
    }

    /// Evaluate every object; blame by removing each candidate field in turn.
    pub fn review(
        &mut self,
        objects: &[Object],
        candidates: &dyn Fn(&Value) -> Vec<String>,
    ) -> Result<Vec<ManifestFinding>, GatorError> {
        let mut out = Vec::new();
        for o in objects {
            let found = self.eval(&o.value)?;
            if found.is_empty() {
                continue;
            }
            let paths = candidates(&o.value);
            let mut probes = Vec::new();
            for p in &paths {
                if let Some(v) = ablate(&o.value, p) {
                    probes.push((p.clone(), self.eval(&v)?));
                }
            }
            for f in found {
                let blame = probes
                    .iter()
                    .filter(|(p, again)| {
                        let gone = !again.iter().any(|a| a.code == f.code);
                        let changed = !again
                            .iter()
                            .any(|a| a.code == f.code && a.message == f.message);
                        gone || (changed && !is_identity(p))
                    })
                    .map(|(p, _)| p.clone())
                    .collect();
                out.push(ManifestFinding {
                    code: f.code,
                    name: f.name,
                    level: f.level,
                    message: f.message,
                    object: ObjectRef::of(&o.value),
                    file: o.file.clone(),
                    blame,
                });
            }
        }
        Ok(out)
    }
}
