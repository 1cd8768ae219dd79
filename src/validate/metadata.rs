//! Labels and annotations as Kubernetes will read them: key and value syntax (`MCP114`), and
//! annotations that would configure the ingress controller (`MCP111`).
//!
//! `metadata.labels` and `metadata.annotations` are copied onto every generated object, the
//! Ingress included, and `monitoring.ruleLabels` onto the PrometheusRule and ServiceMonitor. A
//! key or value the API server rejects makes `kubectl apply` fail after a green build; an
//! `nginx.ingress.kubernetes.io/*-snippet` annotation would let whoever writes a spec inject
//! configuration into the shared ingress controller (the class of CVE-2025-1974). This module
//! reads the typed spec and locates each finding at the key or the value.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, codes};
use crate::spec::document::child;
use crate::spec::{Document, SpecFile};

/// Largest total size of a set of annotations (keys and values), as the API server enforces.
pub const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

/// Why a key is not a Kubernetes qualified name (`[prefix/]name`), if it is not.
pub fn key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && (p.is_empty() || p.len() > 253 || !dns_subdomain(p))
    {
        return Some(format!(
            "the prefix `{p}` is not a DNS subdomain of at most 253 characters"
        ));
    }
    if name.is_empty() || name.len() > 63 || !qualified_name(name) {
        return Some(format!(
            "the name `{name}` must be 1 to 63 characters of [A-Za-z0-9-_.], starting and ending \
             with a letter or digit"
        ));
    }
    None
}

/// Why a value is not a valid label value, if it is not.
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if value.len() > 63 || !qualified_name(value) {
        return Some(
            "a label value must be at most 63 characters of [A-Za-z0-9-_.], starting and ending \
             with a letter or digit"
                .to_string(),
        );
    }
    None
}

fn qualified_name(s: &str) -> bool {
    let b = s.as_bytes();
    let ends = |c: u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && ends(b[0])
        && ends(b[b.len() - 1])
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn dns_subdomain(s: &str) -> bool {
    s.split('.').all(|label| {
        let b = label.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
            && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
            && b.iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    })
}

/// Whether an annotation key configures an ingress controller.
pub fn controller_annotation(key: &str) -> bool {
    let (prefix, name) = key.rsplit_once('/').unwrap_or(("", key));
    prefix == "nginx.ingress.kubernetes.io"
        || prefix.ends_with(".nginx.ingress.kubernetes.io")
        || prefix == "nginx.org"
        || prefix == "ingress.kubernetes.io"
        || name.ends_with("-snippet")
        || name.ends_with("-snippets")
        || name == "snippet"
}

/// Check the labels and annotations of a resolved variant.
pub fn check(doc: &Document, env: Option<&str>, file: &SpecFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let m = &file.metadata;
    labels(doc, env, &m.labels, "/metadata/labels", &mut out);
    if let Some(mon) = &file.spec.monitoring {
        labels(
            doc,
            env,
            &mon.rule_labels,
            "/spec/monitoring/ruleLabels",
            &mut out,
        );
    }
    let base = "/metadata/annotations";
    let mut total = 0usize;
    for (k, v) in &m.annotations {
        let ptr = child(base, k);
        total += k.len() + v.len();
        if let Some(why) = key_problem(k) {
            out.push(at_key(
                doc,
                env,
                &ptr,
                &codes::INVALID_METADATA,
                format!("the annotation key `{k}` is not valid: {why}"),
                "invalid key",
            ));
        }
        if controller_annotation(k) {
            out.push(at_key(
                doc,
                env,
                &ptr,
                &codes::CONTROLLER_ANNOTATION,
                format!(
                    "the annotation `{k}` would configure the ingress controller: spec \
                     annotations are put on every object, the Ingress included"
                ),
                "controller annotation",
            ));
        }
    }
    if total > MAX_ANNOTATIONS_BYTES {
        out.push(at_key(
            doc,
            env,
            base,
            &codes::INVALID_METADATA,
            format!(
                "the annotations total {total} bytes; Kubernetes accepts at most \
                 {MAX_ANNOTATIONS_BYTES} per object"
            ),
            "too large",
        ));
    }
    out
}

fn labels(
    doc: &Document,
    env: Option<&str>,
    map: &BTreeMap<String, String>,
    base: &str,
    out: &mut Vec<Diagnostic>,
) {
    for (k, v) in map {
        let ptr = child(base, k);
        if let Some(why) = key_problem(k) {
            out.push(at_key(
                doc,
                env,
                &ptr,
                &codes::INVALID_METADATA,
                format!("the label key `{k}` is not valid: {why}"),
                "invalid key",
            ));
        }
        if let Some(why) = label_value_problem(v) {
            let (span, _) = doc.locate(env, &ptr);
            out.push(
                Diagnostic::new(
                    &codes::INVALID_METADATA,
                    format!("the value of label `{k}` is not valid: {why}"),
                )
                .with_label(span, "invalid label value")
                .at_pointer(ptr)
                .in_environment(env),
            );
        }
    }
}

fn at_key(
    doc: &Document,
    env: Option<&str>,
    ptr: &str,
    code: &codes::Code,
    message: String,
    label: &str,
) -> Diagnostic {
    let (span, in_overlay) = doc.locate(env, ptr);
    let key_ptr = match (env, in_overlay) {
        (Some(e), true) => format!(
            "/spec/environments/{}{ptr}",
            crate::spec::document::escape_token(e)
        ),
        _ => ptr.to_string(),
    };
    Diagnostic::new(code, message)
        .with_label(doc.key_span(&key_ptr).unwrap_or(span), label)
        .at_pointer(ptr)
        .in_environment(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_key_and_value_syntax() {
        for ok in ["team", "app.kubernetes.io/name", "example.com/a_b.c-d", "a"] {
            assert_eq!(key_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a/",
            "/a",
            "Example.com/a",
            "a b",
            &"x".repeat(64),
            "a/b/c",
        ] {
            assert!(key_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(label_value_problem(""), None);
        assert_eq!(label_value_problem("v1.2_3-x"), None);
        assert!(label_value_problem(&"x".repeat(64)).is_some());
        assert!(label_value_problem("a\nb").is_some());
        assert!(label_value_problem("ai-platform@company.com").is_some());
    }

    #[test]
    fn controller_annotations() {
        for k in [
            "nginx.ingress.kubernetes.io/configuration-snippet",
            "nginx.ingress.kubernetes.io/server-snippet",
            "nginx.ingress.kubernetes.io/rewrite-target",
            "nginx.org/server-snippets",
            "example.com/auth-snippet",
        ] {
            assert!(controller_annotation(k), "{k}");
        }
        for k in [
            "owner",
            "prometheus.io/scrape",
            "cert-manager.io/cluster-issuer",
        ] {
            assert!(!controller_annotation(k), "{k}");
        }
    }
}
