//! The team's OPA Gatekeeper policy run on what mcpgen generates, at commit time.
//!
//! Gatekeeper policy is loaded as it is written ([`load`]: `ConstraintTemplate`s with their
//! Rego compiled by regorus, constraints, `ExpansionTemplate`s), each generated object is
//! matched like admission does ([`matching`]) and reviewed with the input Gatekeeper gives
//! ([`review`]: `input.review`, `input.parameters`, `data.inventory` built from the generated
//! objects of one environment, workloads expanded into the Pods they create). [`verify`] runs
//! Gatekeeper suite files (`gator verify`), which is how the vendored gatekeeper-library
//! proves the evaluation matches the cluster's. [`provenance`] maps a violation back to the
//! spec line responsible and turns it into a [`Diagnostic`](crate::diagnostics::Diagnostic);
//! [`conftest`] runs plain Conftest-style Rego over each generated object.
//!
//! What this module does not own: compiling the spec (the pipeline hands it the artifacts),
//! levels and exceptions (`crate::config`), rendering. CEL-only templates
//! (`K8sNativeValidation` without Rego) are never evaluated; they surface as notes.

pub mod builtins;
pub mod conftest;
pub mod gate;
pub mod load;
pub mod matching;
pub mod provenance;
pub mod review;
pub mod rewrite;
pub mod verify;

pub use load::{Action, Code, Constraint, Policy, Template};
pub use provenance::{Outputs, review_outputs};
pub use review::{NotEvaluated, Object, ObjectRef, Report, Violation};

/// Why Gatekeeper policy could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatorError {
    /// A file that cannot be read or does not hold what it should (exit 2).
    #[error("{0}")]
    Input(String),
    /// A template whose Rego does not compile or fails to evaluate (exit 2).
    #[error("{0}")]
    Policy(String),
}

/// Review objects with every constraint of `policy`, with `data.inventory` holding all of
/// them, as admission would (`operation: CREATE`). Workloads are also reviewed as the Pods
/// their template creates. A template whose Rego fails on an object gives a violation
/// carrying the error (`eval_error`), as Gatekeeper's Rego driver does. No blame is
/// computed; [`review_outputs`] does that for mcpgen's own outputs.
pub fn review(policy: &Policy, objects: &[Object]) -> Result<Report, GatorError> {
    let inv: Vec<&serde_json::Value> = objects.iter().map(|o| &o.value).collect();
    let mut session = review::Session::new(policy, &inv, policy.expansions(), "CREATE")?;
    session.errors_as_violations = true;
    session.review(objects, &|_| Vec::new())
}
