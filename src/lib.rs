//! mcpgen: a declarative config compiler and policy linter for MCP (Model Context Protocol)
//! servers.
//!
//! One spec per server (YAML or KDL) goes through this pipeline:
//!
//! ```text
//! SourceFile → Document → (JSON Schema, semantic checks) → Spec → Model → Artifacts
//!                  └── Rego policies ──────────────┴─→ Diagnostics → Reporter → exit code
//! ```
//!
//! Modules depend forward only: `source` → `spec` → `validate`/`policy` → `model` → `compile`,
//! with `diagnostics` as a leaf. The binary (`src/main.rs`) is a thin layer over `cli`.

pub mod check;
pub mod cli;
pub mod compile;
pub mod config;
pub mod diagnostics;
pub mod fix;
pub mod model;
pub mod policy;
pub mod source;
pub mod spec;
pub mod validate;
pub mod write;
