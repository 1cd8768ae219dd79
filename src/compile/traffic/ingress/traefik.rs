//! Traefik (v2.10 and v3): router annotations on the Ingress, `Middleware` objects
//! (`traefik.io/v1alpha1`) for what a router does to requests, and sticky-cookie
//! annotations on the Service.
//!
//! - streaming: Traefik does not buffer responses and flushes `text/event-stream` at once,
//!   and its default timeouts end no response that is still streaming (the entry point's
//!   `writeTimeout` is 0); there is no per-router timeout, so `expose.timeout` is not written;
//! - sessions: `service.sticky.cookie` annotations on the Service (`mcp-route`, `Secure`
//!   with TLS, HttpOnly);
//! - rate limit: a `rateLimit` middleware (average and burst per window, per client IP);
//! - TLS: a `redirectScheme` middleware (it redirects plain HTTP only);
//! - rewrite: a `replacePathRegex` middleware.
//!
//! Middlewares are referenced as `<namespace>-<name>@kubernetescrd`, the form of Traefik's
//! Kubernetes CRD provider without `safeNaming`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::{ControllerOutput, IngressPath, cert_manager, exact_public_paths, ingress};
use crate::compile::traffic::{meta_in, regex_escape};
use crate::model::Model;
use crate::model::traffic::{ExposeModel, IngressModel, SESSION_COOKIE};

/// A Traefik Middleware (traefik.io/v1alpha1), the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Middleware {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: MiddlewareSpec,
}

/// One middleware: exactly one of the fields is set.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit: Option<RateLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_scheme: Option<RedirectScheme>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_path_regex: Option<ReplacePathRegex>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RateLimit {
    average: u32,
    burst: u32,
    period: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RedirectScheme {
    scheme: &'static str,
    permanent: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplacePathRegex {
    regex: String,
    replacement: String,
}

fn router(k: &str) -> String {
    format!("traefik.ingress.kubernetes.io/router.{k}")
}

fn middleware(m: &Model, name: &str, spec: MiddlewareSpec) -> Middleware {
    Middleware {
        api_version: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: meta_in(m, name, &m.namespace),
        spec,
    }
}

/// The router annotation that applies these middlewares, in order.
fn chain(m: &Model, names: &[&String]) -> BTreeMap<String, String> {
    let refs: Vec<String> = names
        .iter()
        .map(|n| format!("{}-{n}@kubernetescrd", m.namespace))
        .collect();
    if refs.is_empty() {
        BTreeMap::new()
    } else {
        BTreeMap::from([(router("middlewares"), refs.join(","))])
    }
}

/// The Ingresses and Middlewares for Traefik.
pub fn output(m: &Model, e: &ExposeModel, i: &IngressModel) -> ControllerOutput {
    let n = &e.names;
    let mut middlewares = Vec::new();
    let mut main = Vec::new();
    let mut discovery = Vec::new();
    if e.tls_secret.is_some() {
        middlewares.push(middleware(
            m,
            &n.https_redirect_middleware,
            MiddlewareSpec {
                redirect_scheme: Some(RedirectScheme {
                    scheme: "https",
                    permanent: true,
                }),
                ..MiddlewareSpec::default()
            },
        ));
        main.push(&n.https_redirect_middleware);
        discovery.push(&n.https_redirect_middleware);
    }
    if let Some((requests, secs)) = e.rate_limit {
        middlewares.push(middleware(
            m,
            &n.rate_limit_middleware,
            MiddlewareSpec {
                rate_limit: Some(RateLimit {
                    average: requests,
                    burst: requests,
                    period: crate::compile::traffic::gateway_duration(secs),
                }),
                ..MiddlewareSpec::default()
            },
        ));
        main.push(&n.rate_limit_middleware);
    }
    if e.rewrite {
        let server_path = e.server_path.trim_end_matches('/');
        middlewares.push(middleware(
            m,
            &n.rewrite_middleware,
            MiddlewareSpec {
                // Go's regexp: `${1}` rather than `$1`, which would swallow a following letter.
                replace_path_regex: Some(ReplacePathRegex {
                    regex: format!("^{}(/|$)(.*)", regex_escape(e.path.trim_end_matches('/'))),
                    replacement: format!("{server_path}${{1}}${{2}}"),
                }),
                ..MiddlewareSpec::default()
            },
        ));
        main.push(&n.rewrite_middleware);
    }
    if let Some(w) = e.well_known.iter().find(|w| w.rewrites()) {
        middlewares.push(middleware(
            m,
            &n.well_known_rewrite_middleware,
            MiddlewareSpec {
                replace_path_regex: Some(ReplacePathRegex {
                    regex: format!("^{}$", regex_escape(&w.public)),
                    replacement: w.server.clone(),
                }),
                ..MiddlewareSpec::default()
            },
        ));
        discovery.push(&n.well_known_rewrite_middleware);
    }

    let mut ann = chain(m, &main);
    ann.extend(cert_manager(e));
    let mut ingresses = vec![ingress(
        m,
        e,
        i,
        &n.route,
        ann,
        vec![IngressPath {
            path: e.path.clone(),
            path_type: "Prefix",
        }],
    )];
    if !e.well_known.is_empty() {
        ingresses.push(ingress(
            m,
            e,
            i,
            &n.well_known,
            chain(m, &discovery),
            exact_public_paths(e),
        ));
    }
    ControllerOutput {
        ingresses,
        middlewares,
    }
}

/// Sticky sessions are a property of Traefik's service, read from the Kubernetes Service.
pub fn service_annotations(e: &ExposeModel) -> BTreeMap<String, String> {
    let mut ann = BTreeMap::new();
    if e.session_affinity {
        let k = |s: &str| format!("traefik.ingress.kubernetes.io/service.sticky.cookie{s}");
        ann.insert(k(""), "true".to_string());
        ann.insert(k(".name"), SESSION_COOKIE.to_string());
        ann.insert(k(".httponly"), "true".to_string());
        if e.tls_secret.is_some() {
            ann.insert(k(".secure"), "true".to_string());
        }
    }
    ann
}
