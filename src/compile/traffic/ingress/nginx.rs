//! ingress-nginx (kubernetes/ingress-nginx): everything through
//! `nginx.ingress.kubernetes.io/*` annotations on the Ingress.
//!
//! - streaming: `proxy-buffering` and `proxy-request-buffering` off, HTTP/1.1 upstream, read
//!   and send timeouts of `expose.timeout`;
//! - sessions: cookie affinity (`mcp-route`, persistent, scoped to the public path, `Secure`
//!   with TLS);
//! - rate limit: `limit-rps` for a one-second window, else `limit-rpm`;
//! - TLS: HTTPS redirects;
//! - rewrite: a regex path with `rewrite-target`. An Ingress has one rewrite target for all
//!   its paths, so a rewritten discovery path gets an Ingress of its own.

use std::collections::BTreeMap;

use super::{ControllerOutput, IngressPath, cert_manager, exact_public_paths, ingress, per_minute};
use crate::compile::traffic::regex_escape;
use crate::model::Model;
use crate::model::traffic::{ExposeModel, IngressModel, SESSION_COOKIE, SESSION_COOKIE_SECONDS};

fn key(k: &str) -> String {
    format!("nginx.ingress.kubernetes.io/{k}")
}

/// The Ingresses for ingress-nginx.
pub fn output(m: &Model, e: &ExposeModel, i: &IngressModel) -> ControllerOutput {
    let mut ann = BTreeMap::new();
    if e.streaming {
        // Streamable HTTP and SSE answer with event streams: buffering would hold events back,
        // and the default 60 s timeouts would cut idle streams.
        ann.insert(key("proxy-buffering"), "off".into());
        ann.insert(key("proxy-request-buffering"), "off".into());
        ann.insert(key("proxy-http-version"), "1.1".into());
    }
    ann.insert(key("proxy-read-timeout"), e.timeout_seconds.to_string());
    ann.insert(key("proxy-send-timeout"), e.timeout_seconds.to_string());
    if e.session_affinity {
        ann.insert(key("affinity"), "cookie".into());
        ann.insert(key("affinity-mode"), "persistent".into());
        ann.insert(key("session-cookie-name"), SESSION_COOKIE.into());
        ann.insert(
            key("session-cookie-max-age"),
            SESSION_COOKIE_SECONDS.to_string(),
        );
        ann.insert(key("session-cookie-path"), e.path.clone());
        if e.tls_secret.is_some() {
            ann.insert(key("session-cookie-secure"), "true".into());
        }
    }
    if let Some((requests, secs)) = e.rate_limit {
        if secs == 1 {
            ann.insert(key("limit-rps"), requests.to_string());
        } else {
            ann.insert(key("limit-rpm"), per_minute(requests, secs).to_string());
        }
    }
    let redirect = redirects(e);
    ann.extend(redirect.clone());
    ann.extend(cert_manager(e));
    let path = if e.rewrite {
        // The public path differs from the server's: rewrite it, keeping any sub-path.
        ann.insert(key("use-regex"), "true".into());
        let server_path = e.server_path.trim_end_matches('/');
        let target = if server_path.is_empty() {
            "/$2".to_string()
        } else {
            format!("{server_path}$1$2")
        };
        ann.insert(key("rewrite-target"), target);
        IngressPath {
            path: format!("{}(/|$)(.*)", regex_escape(e.path.trim_end_matches('/'))),
            path_type: "ImplementationSpecific",
        }
    } else {
        IngressPath {
            path: e.path.clone(),
            path_type: "Prefix",
        }
    };
    let mut ingresses = vec![ingress(m, e, i, &e.names.route, ann, vec![path])];

    let (rewritten, plain): (Vec<_>, Vec<_>) = e.well_known.iter().partition(|w| w.rewrites());
    if !plain.is_empty() {
        let paths = exact_public_paths(e)
            .into_iter()
            .filter(|p| plain.iter().any(|w| w.public == p.path))
            .collect();
        ingresses.push(ingress(
            m,
            e,
            i,
            &e.names.well_known,
            redirect.clone(),
            paths,
        ));
    }
    // At most one discovery path is rewritten: the path-inserted form of the public path.
    if let Some(w) = rewritten.first() {
        let mut ann = redirect;
        ann.insert(key("use-regex"), "true".into());
        ann.insert(key("rewrite-target"), w.server.clone());
        ingresses.push(ingress(
            m,
            e,
            i,
            &e.names.well_known_rewrite,
            ann,
            vec![IngressPath {
                path: format!("{}$", regex_escape(&w.public)),
                path_type: "ImplementationSpecific",
            }],
        ));
    }
    ControllerOutput {
        ingresses,
        middlewares: Vec::new(),
    }
}

/// HTTPS redirects, with TLS.
fn redirects(e: &ExposeModel) -> BTreeMap<String, String> {
    let mut ann = BTreeMap::new();
    if e.tls_secret.is_some() {
        ann.insert(key("ssl-redirect"), "true".into());
        ann.insert(key("force-ssl-redirect"), "true".into());
    }
    ann
}
