//! Traffic objects of the Kubernetes target: the ways clients reach the server.
//!
//! - [`ingress`]: an `Ingress` with the settings of the controller actually named (one
//!   file per controller: ingress-nginx, Traefik, HAProxy; an unknown controller gets a
//!   plain Ingress and no annotations);
//! - [`gateway`]: a Gateway API `HTTPRoute` (and a `ReferenceGrant` when the route lives in
//!   another namespace), plus the policy objects of the gateway's provider profile
//!   ([`providers`], one file per provider);
//! - [`cilium`]: the CiliumNetworkPolicy that admits the OIDC issuer by name.
//!
//! The k8s emitter calls [`files`] and lists the result in its kustomization, and asks
//! [`service_annotations`] for what a controller reads from the Service (sticky cookies).
//! Every decision (paths, names, peers, timeouts, whether sessions need pinning) was made in
//! `crate::model::traffic`; this module maps it to typed objects. The NetworkPolicy stays the
//! k8s emitter's.

pub mod cilium;
pub mod gateway;
pub mod ingress;
pub mod providers;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::compile::{Artifact, CompileError, objects_file};
use crate::model::Model;
use crate::model::traffic::{ExposeModel, Way};

/// The traffic files of the k8s target: `(file name under k8s/, contents)`.
pub fn files(m: &Model) -> Result<Vec<Artifact>, CompileError> {
    let mut out = Vec::new();
    if let Some(e) = &m.expose {
        match &e.way {
            Way::Ingress(i) => ingress::files(m, e, i, &mut out)?,
            Way::Gateway(g) => gateway::files(m, e, g, &mut out)?,
        }
    }
    if let Some(cnp) = cilium::policy(m) {
        out.push(objects_file(
            m,
            "k8s/ciliumnetworkpolicy.yaml",
            "CiliumNetworkPolicy",
            &[cnp],
        )?);
    }
    Ok(out)
}

/// Annotations the ingress controller reads from the Service (Traefik and HAProxy keep
/// their sticky-cookie settings there).
pub fn service_annotations(m: &Model) -> BTreeMap<String, String> {
    match m.expose.as_ref().map(|e| (e, &e.way)) {
        Some((e, Way::Ingress(i))) => ingress::service_annotations(e, i),
        _ => BTreeMap::new(),
    }
}

/// Metadata of a traffic object in a given namespace, with the Model's labels.
fn meta_in(m: &Model, name: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(namespace.to_string()),
        labels: Some(m.labels.clone()),
        ..ObjectMeta::default()
    }
}

/// Metadata of a route object: the route annotations of the spec plus `extra`.
fn route_meta(
    m: &Model,
    e: &ExposeModel,
    name: &str,
    namespace: &str,
    extra: BTreeMap<String, String>,
) -> ObjectMeta {
    let mut meta = meta_in(m, name, namespace);
    let mut ann = e.annotations.clone();
    ann.extend(extra);
    meta.annotations = (!ann.is_empty()).then_some(ann);
    meta
}

/// A duration in the Gateway API and Envoy Gateway format (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`):
/// hours, minutes and seconds, each present only when not zero.
pub fn gateway_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        "0s".to_string()
    } else {
        out
    }
}

/// Escape a literal path for a PCRE or RE2 regex.
pub fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fit_the_gateway_api_pattern() {
        assert_eq!(gateway_duration(3600), "1h");
        assert_eq!(gateway_duration(5400), "1h30m");
        assert_eq!(gateway_duration(45), "45s");
        assert_eq!(gateway_duration(200_000), "55h33m20s");
        assert_eq!(gateway_duration(0), "0s");
    }

    #[test]
    fn regexes_escape_dots() {
        assert_eq!(
            regex_escape("/.well-known/x"),
            "/\\.well-known/x".to_string()
        );
    }
}
