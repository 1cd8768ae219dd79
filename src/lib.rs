//! mcpgen: a declarative config compiler and policy linter for MCP (Model Context Protocol)
//! servers.
//!
//! One spec per server (YAML or KDL) goes through this pipeline:
//!
//! ```text
//! SourceFile → Document → (JSON Schema, semantic checks) → Spec → ResolvedSpec → Model → Artifacts
//!                                                    Rego policies ─┴─→ Diagnostics → Reporter → exit code
//! ```
//!
//! [`pipeline`] holds the entry points ([`pipeline::check`], [`pipeline::build`]) that the
//! command line and the tests call. Modules depend forward only: `source` → `spec` →
//! `validate` → `resolve` → `policy` → `model` → `compile` → `consistency`, with
//! `diagnostics` as a leaf. The
//! binary (`src/main.rs`) is a thin layer over `cli`.

pub mod cli;
pub mod compile;
pub mod config;
pub mod consistency;
pub mod diagnostics;
pub mod discover;
pub mod fix;
pub mod gatekeeper;
pub mod limits;
pub mod model;
pub mod parallel;
pub mod pipeline;
pub mod policy;
pub mod registry;
pub mod resolve;
pub mod source;
pub mod spec;
pub mod timing;
pub mod validate;
pub mod write;
