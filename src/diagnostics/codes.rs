//! The registry of built-in diagnostic codes that are not policy rules.
//!
//! Codes are stable and never reused: `MCP0xx` parse and schema, `MCP1xx` semantic checks,
//! `MCP3xx` output, `MCP4xx` content scanners (secrets; excepted only with a reason, never
//! levelled), `MCP9xx` meta findings about the configuration itself. Policy rules
//! (`MCP2xx`) live with their Rego source under `policies/` and are not listed here.

use super::Level;

/// A built-in code.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    /// `MCP0xx`.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Default level.
    pub level: Level,
    /// One-line summary for `mcpgen rules`.
    pub summary: &'static str,
    /// Default help line.
    pub help: Option<&'static str>,
}

macro_rules! codes {
    ($($ident:ident = $code:literal, $name:literal, $level:ident, $summary:literal, $help:expr;)*) => {
        $(
            #[doc = $summary]
            pub const $ident: Code = Code {
                code: $code,
                name: $name,
                level: Level::$level,
                summary: $summary,
                help: $help,
            };
        )*
        /// Every built-in code, in code order.
        pub const ALL: &[Code] = &[$($ident),*];
    };
}

codes! {
    YAML_SYNTAX = "MCP001", "yaml-syntax", Error, "The file is not valid YAML.", Some("fix the YAML at the marked place: indent with spaces, close every bracket and quote, quote values that contain `: ` or ` #`");
    KDL_SYNTAX = "MCP002", "kdl-syntax", Error, "The file is not valid KDL v2.", Some("see docs/kdl.md; values that start with a digit must be quoted");
    DUPLICATE_KEY = "MCP003", "duplicate-key", Error, "A mapping has the same key twice.",
        Some("remove one of the two keys; YAML readers disagree on which one wins");
    NOT_UTF8 = "MCP004", "not-utf8", Error, "The file is not UTF-8 text.",
        Some("save the file as UTF-8");
    ALIAS_LIMIT = "MCP005", "alias-expansion-limit", Error,
        "YAML aliases expand beyond the allowed number of nodes (a billion-laughs document).",
        Some("write the values out, or use fewer nested aliases");
    MULTIPLE_DOCUMENTS = "MCP006", "multiple-documents", Error,
        "The file holds more than one YAML document; a spec file holds exactly one.",
        Some("put each server in its own file");
    UNSUPPORTED_YAML = "MCP007", "unsupported-yaml", Error,
        "The YAML uses a feature the spec language does not accept (custom tags, non-string keys, NaN or infinite numbers).",
        Some("write plain YAML: string keys, no tags, finite numbers");
    KDL_MAPPING = "MCP008", "kdl-mapping", Error,
        "The KDL document does not follow the KDL-to-spec mapping (docs/kdl.md).", Some("see docs/kdl.md for how KDL maps onto the spec");
    EMPTY_DOCUMENT = "MCP009", "empty-document", Error, "The file holds no spec.",
        Some("start from `mcpgen init`");
    UNKNOWN_FIELD = "MCP010", "unknown-field", Error, "A field the spec language does not define.", Some("remove the field, or check its spelling against `mcpgen schema`");
    MISSING_FIELD = "MCP011", "missing-field", Error, "A required field is missing.", Some("add the field");
    WRONG_TYPE = "MCP012", "wrong-type", Error, "A value has the wrong type.", Some("change the value to the expected type");
    INVALID_ENUM = "MCP013", "invalid-value", Error, "A value is not one of the allowed values.", Some("use one of the allowed values");
    INVALID_FORMAT = "MCP014", "invalid-format", Error,
        "A value does not have the required format (name, quantity, duration, percentage, image reference, path).",
        Some("see the field description in `mcpgen schema`");
    OUT_OF_RANGE = "MCP015", "out-of-range", Error, "A number or list length is outside its allowed range.", Some("use a value inside the allowed range");
    SCHEMA = "MCP016", "schema-violation", Error, "The spec violates the JSON Schema.", Some("see the field definition in `mcpgen schema`");
    AMBIGUOUS_NUMBER = "MCP017", "ambiguous-number", Warning,
        "A number with a leading zero: YAML 1.1 tools read it as octal, YAML 1.2 (mcpgen) as decimal.",
        Some("remove the leading zero, or quote the value if it is text");
    LIMIT_EXCEEDED = "MCP018", "limit-exceeded", Error,
        "The input exceeds one of mcpgen's documented bounds (file size, nesting depth, list length, expanded aliases, environments); the run stops with exit 2.",
        Some("split or simplify the input; docs/security.md lists every bound");
    REPLICA_BOUNDS = "MCP101", "min-replicas-above-max", Error,
        "`autoscaling.minReplicas` is greater than `autoscaling.maxReplicas`.",
        Some("make minReplicas at most maxReplicas");
    REQUESTS_ABOVE_LIMITS = "MCP102", "requests-above-limits", Error,
        "A resource request is greater than its limit; Kubernetes rejects the pod.",
        Some("lower the request or raise the limit");
    OVERLAY_INVALID = "MCP104", "invalid-overlay", Error,
        "An environment overlay cannot be applied, or the merged spec is invalid.", Some("an overlay is a JSON Merge Patch over metadata and spec");
    MIN_ABOVE_MAX = "MCP105", "min-above-max", Error,
        "A lower bound is greater than its upper bound (VPA minAllowed/maxAllowed, quota containerMin/containerMax).",
        Some("swap or correct the bounds");
    DURATION_BOUNDS = "MCP106", "duration-out-of-bounds", Error,
        "A duration is outside what the target system accepts.", Some("use a duration inside the allowed bounds");
    DUPLICATE_ENV = "MCP107", "duplicate-env-var", Error,
        "The same environment variable is set in both `env` and `secrets`.",
        Some("keep it in one place; a secret reference should win");
    DUPLICATE_ITEM = "MCP108", "duplicate-item", Warning, "A list has the same entry twice.",
        Some("remove the duplicate");
    PEER_SHAPE = "MCP109", "invalid-peer", Error,
        "A network peer must name exactly one of `namespace` and `cidr`.", Some("split it into two peers: one with `namespace`, one with `cidr`");
    INVALID_METADATA = "MCP110", "invalid-kubernetes-metadata", Error,
        "A label or annotation key or value that Kubernetes rejects (qualified names, 63-character label values, 256 KiB of annotations).",
        Some("keys are `[prefix/]name` with a DNS subdomain prefix and a name of at most 63 characters of [A-Za-z0-9-_.]; label values are at most 63 such characters");
    CONTROLLER_ANNOTATION = "MCP111", "ingress-controller-annotation", Error,
        "An annotation that would configure the ingress controller (`nginx.ingress.kubernetes.io/*`, `*-snippet`): spec annotations go on every object, the Ingress included.",
        Some("remove the annotation; mcpgen sets the ingress annotations `expose` needs, and configuration snippets let a spec rewrite the controller's configuration");
    RESOURCE_OUT_OF_RANGE = "MCP112", "resource-out-of-range", Error,
        "A CPU or memory quantity that is zero or beyond any machine (compose reads 0 as unlimited).",
        Some("use a CPU quantity between 1m and 1024 cores and a memory quantity between 4Mi and 16Ti");
    FILE_TOO_LARGE = "MCP113", "file-too-large", Error,
        "A `files` entry, or all of them together, is larger than a ConfigMap may hold (1 MiB).",
        Some("bake large files into the image, or mount them from a volume");
    OUTPUT_UNSUPPORTED = "MCP301", "unsupported-output", Error,
        "The spec asks for an output mcpgen cannot produce correctly.", None;
    OUTPUT_DRIFT = "MCP302", "output-drift", Error,
        "A generated file on disk differs from what mcpgen would write (`build --check`).",
        Some("run `mcpgen build` and commit the result");
    HARDCODED_SECRET = "MCP401", "hardcoded-secret", Error,
        "A value the spec carries into the outputs looks like a credential (a known token or key format, a private key, a URL with a password, a credential-named assignment, or a high-entropy string).",
        Some("reference the value from a Kubernetes Secret (`secrets:`), revoke it if it was committed, or add an mcpgen.toml exception with a reason for a value that is not secret");
    UNUSED_EXCEPTION = "MCP901", "unused-exception", Warning,
        "An exception in the configuration matches no finding.",
        Some("remove the exception, or fix its rule or path");
    EXPIRED_EXCEPTION = "MCP902", "expired-exception", Warning,
        "An exception has expired and no longer applies.",
        Some("fix the finding, or renew the exception with a new reason and date");
    CONFIG_INVALID = "MCP903", "invalid-config", Error,
        "The mcpgen.toml configuration is invalid.", None;
}

/// Look a built-in code up by code or name.
pub fn find(code_or_name: &str) -> Option<&'static Code> {
    ALL.iter()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(seen.insert(c.name), "duplicate name {}", c.name);
            assert!(c.code.starts_with("MCP") && c.code.len() == 6, "{}", c.code);
            assert!(
                !c.code.starts_with("MCP2"),
                "MCP2xx is reserved for policies: {}",
                c.code
            );
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            );
        }
    }
}
