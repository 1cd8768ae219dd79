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
    /// Whether a team may change its level or except it in `mcpgen.toml`. Parse, schema,
    /// semantic and output codes describe a spec mcpgen cannot use and never are; meta findings
    /// about the configuration are.
    pub configurable: bool,
    /// One-line summary for `mcpgen rules`.
    pub summary: &'static str,
    /// Default help line.
    pub help: Option<&'static str>,
}

macro_rules! codes {
    ($($ident:ident = $code:literal, $name:literal, $level:ident, $configurable:literal, $summary:literal, $help:expr;)*) => {
        $(
            #[doc = $summary]
            pub const $ident: Code = Code {
                code: $code,
                name: $name,
                level: Level::$level,
                configurable: $configurable,
                summary: $summary,
                help: $help,
            };
        )*
        /// Every built-in code, in code order.
        pub const ALL: &[Code] = &[$($ident),*];
    };
}

codes! {
    YAML_SYNTAX = "MCP001", "yaml-syntax", Error, false, "The file is not valid YAML.", Some("fix the YAML at the marked place: indent with spaces, close every bracket and quote, quote values that contain `: ` or ` #`");
    KDL_SYNTAX = "MCP002", "kdl-syntax", Error, false, "The file is not valid KDL v2.", Some("see docs/kdl.md; values that start with a digit must be quoted");
    DUPLICATE_KEY = "MCP003", "duplicate-key", Error, false, "A mapping has the same key twice.",
        Some("remove one of the two keys; YAML readers disagree on which one wins");
    NOT_UTF8 = "MCP004", "not-utf8", Error, false, "The file is not UTF-8 text.",
        Some("save the file as UTF-8");
    ALIAS_LIMIT = "MCP005", "alias-expansion-limit", Error, false,
        "YAML aliases expand beyond the allowed number of nodes (a billion-laughs document).",
        Some("write the values out, or use fewer nested aliases");
    MULTIPLE_DOCUMENTS = "MCP006", "multiple-documents", Error, false,
        "The file holds more than one YAML document; a spec file holds exactly one.",
        Some("put each server in its own file");
    UNSUPPORTED_YAML = "MCP007", "unsupported-yaml", Error, false,
        "The YAML uses a feature the spec language does not accept (custom tags, non-string keys, NaN or infinite numbers).",
        Some("write plain YAML: string keys, no tags, finite numbers");
    KDL_MAPPING = "MCP008", "kdl-mapping", Error, false,
        "The KDL document does not follow the KDL-to-spec mapping (docs/kdl.md).", Some("see docs/kdl.md for how KDL maps onto the spec");
    EMPTY_DOCUMENT = "MCP009", "empty-document", Error, false, "The file holds no spec.",
        Some("start from `mcpgen init`");
    UNKNOWN_FIELD = "MCP010", "unknown-field", Error, false, "A field the spec language does not define.", Some("remove the field, or check its spelling against `mcpgen schema`");
    MISSING_FIELD = "MCP011", "missing-field", Error, false, "A required field is missing.", Some("add the field");
    WRONG_TYPE = "MCP012", "wrong-type", Error, false, "A value has the wrong type.", Some("change the value to the expected type");
    INVALID_ENUM = "MCP013", "invalid-value", Error, false, "A value is not one of the allowed values.", Some("use one of the allowed values");
    INVALID_FORMAT = "MCP014", "invalid-format", Error, false,
        "A value does not have the required format (name, quantity, duration, percentage, image reference, path).",
        Some("see the field description in `mcpgen schema`");
    OUT_OF_RANGE = "MCP015", "out-of-range", Error, false, "A number or list length is outside its allowed range.", Some("use a value inside the allowed range");
    SCHEMA = "MCP016", "schema-violation", Error, false, "The spec violates the JSON Schema.", Some("see the field definition in `mcpgen schema`");
    AMBIGUOUS_NUMBER = "MCP017", "ambiguous-number", Warning, false,
        "A number with a leading zero: YAML 1.1 tools read it as octal, YAML 1.2 (mcpgen) as decimal.",
        Some("remove the leading zero, or quote the value if it is text");
    LIMIT_EXCEEDED = "MCP018", "limit-exceeded", Error, false,
        "The input exceeds one of mcpgen's documented bounds (file size, nesting depth, list length, expanded aliases, environments); the run stops with exit 2.",
        Some("split or simplify the input; docs/security.md lists every bound");
    REPLICA_BOUNDS = "MCP101", "min-replicas-above-max", Error, false,
        "`autoscaling.minReplicas` is greater than `autoscaling.maxReplicas`.",
        Some("make minReplicas at most maxReplicas");
    REQUESTS_ABOVE_LIMITS = "MCP102", "requests-above-limits", Error, false,
        "A resource request is greater than its limit; Kubernetes rejects the pod.",
        Some("lower the request or raise the limit");
    OVERLAY_INVALID = "MCP104", "invalid-overlay", Error, false,
        "An environment overlay cannot be applied, or the merged spec is invalid.", Some("an overlay is a JSON Merge Patch over metadata and spec");
    MIN_ABOVE_MAX = "MCP105", "min-above-max", Error, false,
        "A lower bound is greater than its upper bound (VPA minAllowed/maxAllowed, quota containerMin/containerMax).",
        Some("swap or correct the bounds");
    DURATION_BOUNDS = "MCP106", "duration-out-of-bounds", Error, false,
        "A duration is outside what the target system accepts.", Some("use a duration inside the allowed bounds");
    DUPLICATE_ENV = "MCP107", "duplicate-env-var", Error, false,
        "The same environment variable is set in both `env` and `secrets`.",
        Some("keep it in one place; a secret reference should win");
    DUPLICATE_ITEM = "MCP108", "duplicate-item", Warning, false, "A list has the same entry twice.",
        Some("remove the duplicate");
    PEER_SHAPE = "MCP109", "invalid-peer", Error, false,
        "A network peer must name exactly one of `namespace` and `cidr`.", Some("split it into two peers: one with `namespace`, one with `cidr`");
    UNREPRESENTABLE = "MCP110", "unrepresentable-value", Error, false,
        "A quantity, duration or percentage matches its format but is too large to represent.",
        Some("use a smaller value; Kubernetes, Docker and Prometheus cannot represent this one");
    CONTROLLER_ANNOTATION = "MCP111", "ingress-controller-annotation", Error, false,
        "An annotation that would configure the ingress controller (`nginx.ingress.kubernetes.io/*`, `*-snippet`): spec annotations go on every object, the Ingress included.",
        Some("remove the annotation; mcpgen sets the ingress annotations `expose` needs, and configuration snippets let a spec rewrite the controller's configuration");
    RESOURCE_OUT_OF_RANGE = "MCP112", "resource-out-of-range", Error, false,
        "A CPU or memory quantity that is zero or beyond any machine (compose reads 0 as unlimited).",
        Some("use a CPU quantity between 1m and 1024 cores and a memory quantity between 4Mi and 16Ti");
    FILE_TOO_LARGE = "MCP113", "file-too-large", Error, false,
        "A `files` entry, or all of them together, is larger than a ConfigMap may hold (1 MiB).",
        Some("bake large files into the image, or mount them from a volume");
    INVALID_METADATA = "MCP114", "invalid-kubernetes-metadata", Error, false,
        "A label or annotation key or value that Kubernetes rejects (qualified names, 63-character label values, 256 KiB of annotations).",
        Some("keys are `[prefix/]name` with a DNS subdomain prefix and a name of at most 63 characters of [A-Za-z0-9-_.]; label values are at most 63 such characters");
    CONFLICTING_EXPOSURE = "MCP120", "conflicting-exposure", Error, false,
        "`expose` asks for both a Gateway API route (`gateway`) and an Ingress (`ingressClass`, `ingressController`).",
        Some("keep `expose.gateway` for an HTTPRoute, or the Ingress settings for an Ingress (docs/traffic.md)");
    EDGE_AUTH_UNSUPPORTED = "MCP121", "edge-auth-unsupported", Error, false,
        "`expose.gateway.edgeAuth` cannot be enforced: no provider profile that validates tokens, no declared auth, or no `mcp.auth.jwksUri`.",
        Some("set `expose.gateway.provider: envoy-gateway`, declare `mcp.auth` with `jwksUri`, or turn edgeAuth off");
    OUTPUT_UNSUPPORTED = "MCP301", "unsupported-output", Error, false,
        "The spec asks for an output mcpgen cannot produce correctly.",
        Some("change the marked field to something every selected target can produce; the finding says what is missing");
    OUTPUT_EMPTY = "MCP303", "target-without-output", Warning, false,
        "A target selected with `--target` has nothing to write for this spec (docker without `build`, monitoring switched off).",
        Some("build the targets the spec describes, or add what the target needs (e.g. a `build` section for docker)");
    OUTPUT_DRIFT = "MCP302", "output-drift", Error, false,
        "A generated file on disk differs from what mcpgen would write (`build --check`).",
        Some("run `mcpgen build` and commit the result");
    EXECUTABLE_NOT_IN_IMAGE = "MCP320", "executable-not-in-image", Error, false,
        "The command a container runs names a file the image's final stage does not have.",
        Some("start the command with the file the build produces (for go, `/app/<binary>`), or change `build.output`");
    NO_INIT_PROCESS = "MCP321", "no-init-process", Error, false,
        "The server would run as PID 1 without an init that forwards signals and reaps zombies.",
        Some("run the server under an init (mcpgen's images use tini; compose sets `init: true`)");
    IGNORE_FILE_NOT_READ = "MCP322", "ignore-file-not-read", Error, false,
        "The Docker ignore file is not where the documented build command reads it, or lets secrets into the context.",
        Some("write `Dockerfile.dockerignore` beside the Dockerfile, excluding `.git`, `.env` files and keys");
    PORT_NOT_DECLARED = "MCP323", "port-not-declared", Error, false,
        "A probe, Service, Ingress, ServiceMonitor or NetworkPolicy port resolves to no port of the server container.",
        Some("use a port the server listens on (`mcp.port`, `health.port`, `monitoring.metrics.port`)");
    SELECTOR_SELECTS_NOTHING = "MCP324", "selector-selects-nothing", Error, false,
        "A selector or a reference to another object does not select the server's workload.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    KUSTOMIZATION_MISMATCH = "MCP325", "kustomization-mismatch", Error, false,
        "A kustomization does not list exactly the object files of its folder.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    NAMESPACE_MISMATCH = "MCP326", "namespace-mismatch", Error, false,
        "An object is in another namespace than the server's, or a namespace-wide object is written into a namespace the server does not own.",
        Some("keep every object in `metadata.namespace`; write a Namespace, ResourceQuota or LimitRange only with `namespaceOwnership: owned`");
    QUOTA_BLOCKS_ROLLOUT = "MCP327", "quota-blocks-rollout", Error, false,
        "The namespace quota cannot admit the server at its peak: the largest replica count plus the rollout surge and the pods still terminating, at what the VPA may set.",
        Some("raise the quota, or lower `autoscaling.maxReplicas`, `rollout.maxSurge` or `verticalScaling.maxAllowed`");
    DEPENDENCY_NOT_WIRED = "MCP328", "dependency-not-wired", Error, false,
        "A dependency is not wired: the server is not told where it is, or the NetworkPolicy does not let the server reach it.",
        Some("name its variables in `connectionEnv`, or set them in `env`/`secrets`");
    DUPLICATE_OBJECT = "MCP329", "duplicate-object", Error, false,
        "Two generated objects have the same kind, namespace and name: applying both, one silently replaces the other.",
        Some("give the servers different names, or let only one of them own the namespace");
    SPREAD_COUNTS_TAINTED_NODES = "MCP330", "spread-counts-tainted-nodes", Error, false,
        "A `DoNotSchedule` topology spread constraint counts nodes the pod cannot run on, so scale-out can stay Pending.",
        Some("set `nodeTaintsPolicy: Honor` and `nodeAffinityPolicy: Honor`");
    HOST_VALIDATION_MISMATCH = "MCP331", "host-validation-mismatch", Error, false,
        "The server's request validation rejects real clients: a host name they use is not allowed, or proxy headers are trusted with no proxy in front.",
        Some("list every host clients use in `mcp.allowedHosts`; trust proxy headers only behind the ingress");
    NETWORK_POLICY_INCONSISTENT = "MCP332", "network-policy-inconsistent", Error, false,
        "A NetworkPolicy rule is redundant with another, or DNS egress does not reach every resolver the cluster may use.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    SERIES_NOT_IN_CONTRACT = "MCP333", "series-not-in-contract", Error, false,
        "An alert, recording rule or autoscaler query reads a series that neither the server's metrics contract nor the platform provides: it would never fire or scale.",
        Some("name the series in `monitoring.metrics` (or its labels), or switch the reader off");
    HPA_METRIC_NOT_SERVED = "MCP334", "hpa-metric-not-served", Error, false,
        "An HPA scales on a custom metric that nothing serves (no prometheus-adapter rule): Kubernetes then skips scale-down.",
        Some("keep a request series in the metrics contract, or scale on CPU or memory");
    ROLLOUT_REFERENCE_UNRESOLVED = "MCP340", "rollout-reference-unresolved", Error, false,
        "A Rollout names a Service, Ingress, HTTPRoute or AnalysisTemplate the output does not have, or a Service it manages does not select its pods.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    ANALYSIS_NOT_MEASURABLE = "MCP341", "analysis-not-measurable", Error, false,
        "A rollout analysis queries series nothing scrapes, or a query that is not the expression of the alert it stands for.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    REVISION_LABEL_MISMATCH = "MCP342", "revision-label-mismatch", Error, false,
        "A topology spread constraint tells revisions apart by a label the workload's pods do not carry, so a rollout is skewed by the old pods.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    BRIDGE_NOT_RUN = "MCP350", "bridge-not-run", Error, false,
        "A stdio server's image does not run its HTTP bridge, or the bridge or the server command it spawns is not in the image's final stage.",
        Some("this is a bug in mcpgen's outputs: please report it with the spec");
    BRIDGE_PORT_MISMATCH = "MCP351", "bridge-port-mismatch", Error, false,
        "The bridge listens on a port other than the one the container, Service, probes and compose publish.",
        Some("leave `mcp.bridge.port` and `health.port` to mcpgen, or set them to the same port");
    BRIDGE_HEALTH_NOT_SERVED = "MCP352", "bridge-health-not-served", Error, false,
        "A probe or container health check asks the bridge for a path it does not answer.",
        Some("leave `health` to mcpgen: the probes then use the paths the bridge answers");
    BRIDGE_PATH_MISMATCH = "MCP353", "bridge-path-mismatch", Error, false,
        "The bridge serves MCP on a path other than the one the routes and clients use.",
        Some("set `mcp.path` to the path the bridge serves");
    HARDCODED_SECRET = "MCP401", "hardcoded-secret", Error, false,
        "A value the spec carries into the outputs looks like a credential (a known token or key format, a private key, a URL with a password, a credential-named assignment, or a high-entropy string).",
        Some("reference the value from a Kubernetes Secret (`secrets:`), revoke it if it was committed, or add an mcpgen.toml exception with a reason for a value that is not secret");
    UNUSED_EXCEPTION = "MCP901", "unused-exception", Warning, true,
        "An exception in the configuration matches no finding.",
        Some("remove the exception, or fix its rule or path");
    EXPIRED_EXCEPTION = "MCP902", "expired-exception", Warning, true,
        "An exception has expired and no longer applies.",
        Some("fix the finding, or renew the exception with a new reason and date");
    CONFIG_INVALID = "MCP903", "invalid-config", Error, false,
        "The mcpgen.toml configuration is invalid.",
        Some("fix the marked entry of mcpgen.toml: `mcpgen rules` lists the codes and names it may level or except, docs/policies.md its keys");
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
            if ["MCP0", "MCP1", "MCP3", "MCP4"]
                .iter()
                .any(|p| c.code.starts_with(p))
            {
                assert!(
                    !c.configurable,
                    "parse, schema, semantic, output and scanner codes are never configurable: {}",
                    c.code
                );
            }
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            );
        }
    }
}
