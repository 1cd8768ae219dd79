//! The validator tier: the real third-party validators (kubernetes-validate, check-jsonschema,
//! promtool, hadolint, trivy, compose, yamllint, Python's XML parser) over mcpgen's outputs, and
//! the adoption files (release workflow, Dockerfile, pre-commit hooks, the published schema)
//! through check-jsonschema, hadolint and the pre-commit framework, and the bridged stdio images
//! carried out and run (node and npm from PATH, packages from npm and PyPI).
//! They come from `.ci/install-tools`; a missing tool fails the test when `CI` is set and is
//! skipped with a loud note otherwise.

#[path = "../it/support.rs"]
mod support;

mod adoption;
mod bridge;
mod delivery;
mod monitoring;
mod reports;
mod tools;
mod validators;
