//! The bounds on what one run reads, builds and prints: every input file, every parsed
//! document, every team policy evaluation and every report has a documented ceiling, so a
//! hostile spec, `mcpgen.toml` or policy cannot crash mcpgen, exhaust the CI runner or make it
//! run for minutes.
//!
//! A bound that is exceeded is a failure of the run (exit 2) reported with a located
//! `MCP018` finding where the excess has a place in a file. The values are documented in
//! `docs/security.md`; a test keeps that page and these constants in step. This module holds
//! the numbers and the one constructor of the finding; each stage enforces its own bound, and
//! `crate::pipeline` turns the finding into a failure of the run.

use crate::diagnostics::{Diagnostic, codes};

/// Largest spec file read (bytes).
pub const MAX_SPEC_BYTES: u64 = 2 * 1024 * 1024;
/// Largest `mcpgen.toml` read (bytes).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Largest team policy file read (bytes).
pub const MAX_POLICY_FILE_BYTES: u64 = 1024 * 1024;
/// Most `.rego` files read from the policy directories of one configuration.
pub const MAX_POLICY_FILES: usize = 1000;
/// Deepest directory level walked below a policy directory.
pub const MAX_POLICY_DIR_DEPTH: usize = 32;
/// Largest policy data file read (bytes).
pub const MAX_DATA_BYTES: u64 = 8 * 1024 * 1024;
/// Deepest nesting of mappings and lists (YAML) or node children (KDL) in a spec.
pub const MAX_DEPTH: usize = 64;
/// Most items in one list, or members in one mapping, of a spec.
pub const MAX_ITEMS: usize = 10_000;
/// Most bytes of scalar text a YAML document may expand to once its aliases are resolved.
pub const MAX_EXPANDED_BYTES: u64 = 16 * 1024 * 1024;
/// Most environments in one spec.
pub const MAX_ENVIRONMENTS: usize = 100;
/// Most exceptions, and most `[rules]` entries, in one `mcpgen.toml`.
pub const MAX_CONFIG_ENTRIES: usize = 1000;
/// Findings rendered with a source snippet by the human report; the rest get one line each.
pub const MAX_FULL_FINDINGS: usize = 200;
/// Longest source line shown in a snippet (bytes); a finding on a longer line is shown with
/// its position but without the snippet.
pub const MAX_SNIPPET_LINE: usize = 1000;
/// Memory the process may hold while team policies evaluate (bytes).
pub const POLICY_MEMORY_BYTES: u64 = 512 * 1024 * 1024;
/// Wall-clock time one policy evaluation (one spec variant) may take.
pub const POLICY_TIME: std::time::Duration = std::time::Duration::from_secs(30);
/// Largest content of one `files` entry, and of all of them together: the ConfigMap limit.
pub const MAX_CONFIGMAP_BYTES: usize = 1024 * 1024;

/// A finding that a bound was exceeded.
pub fn exceeded(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(&codes::LIMIT_EXCEEDED, message)
}
