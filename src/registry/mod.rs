//! The official MCP Registry's `server.json`, in and out.
//!
//! [`import`] turns a registry entry into a commented mcpgen spec; [`export`] writes the entry
//! for a validated spec. [`server_json`] holds the typed format and its validation against the
//! vendored schema (2025-12-11); [`comments`] attaches comments to serialized YAML by JSON
//! Pointer. The mapping, field by field, is documented in `docs/registry.md`. What this module
//! does not do: read or write files (the CLI does), or run the policies.

pub mod comments;
pub mod export;
pub mod import;
pub mod server_json;
