//! The fast tier: one integration binary for everything users see that needs no third-party
//! tool. Fixture snapshots of diagnostics, CLI exit codes, every generated artifact, the policy
//! pack and its reports, the hostile corpus, the resolved spec, the vendored copies of the
//! shared contract, and adoption (README, distribution files, help lines, `fix`, CLI
//! conveniences). The validator tier (`tests/thirdparty`) runs the real third-party tools
//! over the same outputs; `.ci/test` runs both, the validator tier as its own step.

mod adoption;
mod bridge;
mod build;
mod cli;
mod delivery;
mod fixtures;
mod gatekeeper;
mod hostile;
mod monitoring;
mod monorepo;
mod policy;
mod properties;
mod registry;
mod resolve;
mod runs;
mod support;
mod telemetry;
mod traffic;
mod vendored;
