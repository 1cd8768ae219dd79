//! HAProxy Technologies' Kubernetes Ingress Controller (haproxytech/kubernetes-ingress,
//! IngressClass `haproxy`): `haproxy.org/*` annotations on the Ingress, and on the Service
//! for what the controller reads only there.
//!
//! - streaming: HAProxy forwards responses as they arrive (no buffering to turn off);
//!   `timeout-server` is `expose.timeout` so an idle stream is not cut at the 50 s default;
//! - sessions: `cookie-persistence: mcp-route` on the Service (the annotation is not read
//!   from an Ingress);
//! - rate limit: `rate-limit-requests` per `rate-limit-period`, answered with 429;
//! - TLS: `ssl-redirect`;
//! - rewrite: `path-rewrite` (`<regex> <replacement>`, PCRE back-references `\1`).

use std::collections::BTreeMap;

use super::{ControllerOutput, IngressPath, cert_manager, exact_public_paths, ingress};
use crate::compile::traffic::{gateway_duration, regex_escape};
use crate::model::Model;
use crate::model::traffic::{ExposeModel, IngressModel, SESSION_COOKIE};

fn key(k: &str) -> String {
    format!("haproxy.org/{k}")
}

/// The Ingresses for HAProxy.
pub fn output(m: &Model, e: &ExposeModel, i: &IngressModel) -> ControllerOutput {
    let mut redirect = BTreeMap::new();
    if e.tls_secret.is_some() {
        redirect.insert(key("ssl-redirect"), "true".to_string());
    }
    let mut ann = redirect.clone();
    ann.insert(key("timeout-server"), format!("{}s", e.timeout_seconds));
    if let Some((requests, secs)) = e.rate_limit {
        ann.insert(key("rate-limit-requests"), requests.to_string());
        ann.insert(key("rate-limit-period"), gateway_duration(secs));
        ann.insert(key("rate-limit-status-code"), "429".to_string());
    }
    if e.rewrite {
        let server_path = e.server_path.trim_end_matches('/');
        ann.insert(
            key("path-rewrite"),
            format!(
                "^{}(/|$)(.*) {server_path}\\1\\2",
                regex_escape(e.path.trim_end_matches('/'))
            ),
        );
    }
    ann.extend(cert_manager(e));
    let mut ingresses = vec![ingress(
        m,
        e,
        i,
        &e.names.route,
        ann,
        vec![IngressPath {
            path: e.path.clone(),
            path_type: "Prefix",
        }],
    )];
    if !e.well_known.is_empty() {
        let mut ann = redirect;
        // The regex matches only the rewritten path; the root form passes unchanged.
        if let Some(w) = e.well_known.iter().find(|w| w.rewrites()) {
            ann.insert(
                key("path-rewrite"),
                format!("^{}$ {}", regex_escape(&w.public), w.server),
            );
        }
        ingresses.push(ingress(
            m,
            e,
            i,
            &e.names.well_known,
            ann,
            exact_public_paths(e),
        ));
    }
    ControllerOutput {
        ingresses,
        middlewares: Vec::new(),
    }
}

/// Cookie persistence is read from the Service.
pub fn service_annotations(e: &ExposeModel) -> BTreeMap<String, String> {
    let mut ann = BTreeMap::new();
    if e.session_affinity {
        ann.insert(key("cookie-persistence"), SESSION_COOKIE.to_string());
    }
    ann
}
