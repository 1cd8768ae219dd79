//! The built-in policy pack, embedded in the binary: every file under `policies/`, listed here
//! by hand with `include_str!` (a test fails when this list and the directory drift apart).
//!
//! Test files (`*_test.rego`) are embedded too so `mcpgen policy test` without a directory can
//! verify the pack the binary actually carries; `mcpgen check` loads only the others.

/// One embedded file: its path relative to the repository root, and its text.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// `policies/<file>.rego`.
    pub path: &'static str,
    /// The Rego source.
    pub text: &'static str,
}

impl Embedded {
    /// Whether this is a `*_test.rego` file.
    pub fn is_test(&self) -> bool {
        self.path.ends_with("_test.rego")
    }
}

macro_rules! pack {
    ($($file:literal),* $(,)?) => {
        /// Every file of the built-in pack, sorted by path.
        pub const FILES: &[Embedded] = &[
            $(Embedded { path: concat!("policies/", $file), text: include_str!(concat!("../../policies/", $file)) }),*
        ];
    };
}

pack![
    "bridge.rego",
    "bridge_test.rego",
    "delivery.rego",
    "delivery_test.rego",
    "images.rego",
    "images_test.rego",
    "inputs_test.rego",
    "lib.rego",
    "lib_test.rego",
    "mcp.rego",
    "mcp_test.rego",
    "namespace.rego",
    "namespace_test.rego",
    "network.rego",
    "network_test.rego",
    "operability.rego",
    "operability_test.rego",
    "placeholders.rego",
    "placeholders_test.rego",
    "resources.rego",
    "resources_test.rego",
    "scaling.rego",
    "scaling_test.rego",
    "secrets.rego",
    "secrets_test.rego",
    "telemetry.rego",
    "telemetry_test.rego",
    "traffic.rego",
    "traffic_test.rego",
];

/// One line naming the pack this binary carries, for `mcpgen --version`: the version (the
/// pack ships inside the binary, so it is the binary's), the number of rules, and a digest of
/// the policy files (tests excluded) that tells two builds' packs apart.
pub fn describe() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for f in FILES.iter().filter(|f| !f.is_test()) {
        hash.update(f.path.as_bytes());
        hash.update([0]);
        hash.update(f.text.as_bytes());
        hash.update([0]);
    }
    let digest: String = hash
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "built-in policy pack {} ({} rules, sha256:{digest})",
        env!("CARGO_PKG_VERSION"),
        super::builtin_rules().len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_matches_the_policies_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("policies/ exists")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".rego"))
            .map(|n| format!("policies/{n}"))
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = FILES.iter().map(|f| f.path.to_string()).collect();
        assert_eq!(embedded, on_disk, "update the list in src/policy/pack.rs");
    }
}
