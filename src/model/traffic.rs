//! The traffic model: how clients reach the server (a Gateway API route, an Ingress of a
//! named controller, or nothing), the names of every traffic object, the OAuth discovery
//! routes, the public resource URL, and the peers the NetworkPolicy admits for it.
//!
//! Lowered from the resolved `expose`, `mcp.auth` and `network` sections; no default is
//! decided here. What each controller or gateway provider writes for this model is the
//! `crate::compile::traffic` emitters' business, not this module's.

use std::collections::BTreeMap;

use crate::resolve::{self, ResolvedSpec};
use crate::spec::{AuthType, GatewayProvider, IngressController, SessionPersistence};

/// Where RFC 9728 Protected Resource Metadata lives, relative to the host.
pub const WELL_KNOWN_PRM: &str = "/.well-known/oauth-protected-resource";
/// Name of the cookie that pins a client to a pod at the ingress or gateway.
pub const SESSION_COOKIE: &str = "mcp-route";
/// Seconds the session cookie lives: a day, longer than any session a client keeps open.
pub const SESSION_COOKIE_SECONDS: u64 = 86_400;
/// Environment variable through which the server learns its public resource URL (the
/// `resource` of its RFC 9728 metadata and the audience its tokens must name).
pub const RESOURCE_URL_VAR: &str = "MCP_RESOURCE_URL";

/// How the server is exposed.
#[derive(Debug, Clone)]
pub struct ExposeModel {
    /// Public host.
    pub host: String,
    /// Public path of the MCP endpoint.
    pub path: String,
    /// The server's own MCP path.
    pub server_path: String,
    /// Whether the public path differs from the server's, so routes rewrite it.
    pub rewrite: bool,
    /// `https` with TLS at the edge, else `http`.
    pub scheme: &'static str,
    /// The public URL of the MCP endpoint: the RFC 9728 / RFC 8707 resource identifier.
    pub resource_url: String,
    /// Gateway API route or Ingress.
    pub way: Way,
    /// The pods traffic arrives from (the controller or the gateway's proxies), when known.
    pub peer: Option<PodPeer>,
    /// cert-manager ClusterIssuer.
    pub cluster_issuer: Option<String>,
    /// TLS Secret name, when TLS is on.
    pub tls_secret: Option<String>,
    /// Requests per window (seconds, at least 1).
    pub rate_limit: Option<(u32, u64)>,
    /// Request timeout at the edge, in seconds.
    pub timeout_seconds: u64,
    /// Whether responses are event streams that must not be buffered.
    pub streaming: bool,
    /// Whether the route pins each client to one pod (ingress cookie affinity, or gateway
    /// session persistence).
    pub session_affinity: bool,
    /// The RFC 9728 discovery routes (empty when not routed).
    pub well_known: Vec<WellKnownRoute>,
    /// Annotations of the route objects: `metadata.annotations` and `expose.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// Token validation at the edge, when on.
    pub edge_auth: Option<EdgeAuth>,
    /// Names of the traffic objects.
    pub names: RouteNames,
}

/// The RFC 9728 discovery path clients request, and the server's path for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WellKnownRoute {
    /// Path clients request.
    pub public: String,
    /// Path the server serves it at.
    pub server: String,
}

impl WellKnownRoute {
    /// Whether the route rewrites the path.
    pub fn rewrites(&self) -> bool {
        self.public != self.server
    }
}

/// Pods admitted by the NetworkPolicy: a namespace, and labels (empty: every pod of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodPeer {
    /// Namespace.
    pub namespace: String,
    /// Pod labels.
    pub labels: BTreeMap<String, String>,
}

/// The two ways in.
#[derive(Debug, Clone)]
pub enum Way {
    /// An Ingress.
    Ingress(IngressModel),
    /// A Gateway API HTTPRoute.
    Gateway(GatewayModel),
}

/// An Ingress and its controller.
#[derive(Debug, Clone)]
pub struct IngressModel {
    /// IngressClass.
    pub class: String,
    /// The controller, when mcpgen knows it.
    pub controller: Option<IngressController>,
}

/// An HTTPRoute and its parent Gateway.
#[derive(Debug, Clone)]
pub struct GatewayModel {
    /// Gateway name.
    pub name: String,
    /// Gateway namespace.
    pub namespace: String,
    /// Listener.
    pub section_name: Option<String>,
    /// Namespace of the HTTPRoute and its policies.
    pub route_namespace: String,
    /// Provider profile.
    pub provider: GatewayProvider,
    /// Session persistence written on the route (`None` when the server does not need it or
    /// the spec turned it off).
    pub session_persistence: Option<SessionPersistence>,
    /// Whether the route lives in another namespace than the Service (then a ReferenceGrant
    /// lets it reach the Service).
    pub cross_namespace: bool,
}

/// Token validation at the edge.
#[derive(Debug, Clone)]
pub struct EdgeAuth {
    /// Expected issuer (`iss`), when declared.
    pub issuer: Option<String>,
    /// JWKS URL.
    pub jwks_uri: String,
    /// Accepted audiences: the declared audience, else the resource URL.
    pub audiences: Vec<String>,
}

/// Names of the traffic objects, each derived from the server name.
#[derive(Debug, Clone)]
pub struct RouteNames {
    /// The main Ingress or HTTPRoute, and the provider policies attached to it.
    pub route: String,
    /// The Ingress or HTTPRoute of the discovery paths.
    pub well_known: String,
    /// ingress-nginx: the Ingress of a rewritten discovery path (an Ingress has one rewrite
    /// target for all its paths).
    pub well_known_rewrite: String,
    /// Traefik middleware: path rewrite of the MCP path.
    pub rewrite_middleware: String,
    /// Traefik middleware: path rewrite of the discovery path.
    pub well_known_rewrite_middleware: String,
    /// Traefik middleware: per-client rate limit.
    pub rate_limit_middleware: String,
    /// Traefik middleware: HTTP to HTTPS redirect.
    pub https_redirect_middleware: String,
    /// The ReferenceGrant that lets a route in another namespace reach the Service.
    pub reference_grant: String,
}

/// Egress to a host the server must reach by name (the OIDC issuer and its key set).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EgressHost {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Egress the server needs for authentication.
#[derive(Debug, Clone, Default)]
pub struct AuthEgress {
    /// Address blocks of the issuer (`mcp.auth.issuerCidrs`), admitted on `port`.
    pub cidrs: Vec<String>,
    /// The issuer's HTTPS port (443 unless its URL names another).
    pub port: u16,
    /// Hosts admitted by name in the CiliumNetworkPolicy (with `network.cilium` only).
    pub fqdns: Vec<EgressHost>,
}

/// The public URL of the MCP endpoint: scheme, host and public path.
pub fn resource_url(e: &resolve::Expose) -> String {
    let scheme = if e.tls.is_some() { "https" } else { "http" };
    format!("{scheme}://{}{}", e.host, e.path)
}

/// The host and port of an `https://` URL; `None` for anything else.
pub fn url_host(url: &str) -> Option<EgressHost> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, p.parse().ok()?),
        _ => (authority, 443),
    };
    (!host.is_empty()).then(|| EgressHost {
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// `/.well-known/oauth-protected-resource` with the path inserted (RFC 9728 §3.1).
fn well_known_for(path: &str) -> String {
    let p = path.trim_end_matches('/');
    format!("{WELL_KNOWN_PRM}{p}")
}

/// Lower the resolved `expose` section. `sticky` is the Model's decision that clients need
/// one pod; `pinned` whether a pod change loses the session (state only in the process).
pub fn lower(
    r: &ResolvedSpec,
    name: &str,
    namespace: &str,
    sticky: bool,
    pinned: bool,
    streaming: bool,
) -> Option<ExposeModel> {
    let s = r.spec();
    let e = s.expose.as_ref()?;
    let auth = &s.mcp.auth;
    let path = e.path.to_string();
    let server_path = s.mcp.path.to_string();
    let rewrite = path.trim_end_matches('/') != server_path.trim_end_matches('/');

    let way = match &e.gateway {
        Some(g) => Way::Gateway(GatewayModel {
            name: g.name.to_string(),
            namespace: g.namespace.to_string(),
            section_name: g.section_name.as_ref().map(ToString::to_string),
            route_namespace: g.route_namespace.to_string(),
            provider: g.provider,
            session_persistence: (pinned && g.session_persistence != SessionPersistence::None)
                .then_some(g.session_persistence),
            cross_namespace: g.route_namespace.as_str() != namespace,
        }),
        None => Way::Ingress(IngressModel {
            class: e
                .ingress_class
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            controller: e.ingress_controller,
        }),
    };
    let session_affinity = match &way {
        Way::Gateway(g) => g.session_persistence.is_some(),
        Way::Ingress(i) => sticky && i.controller.is_some(),
    };

    let mut well_known = Vec::new();
    if e.well_known_routes {
        for (public, server) in [
            (well_known_for(&path), well_known_for(&server_path)),
            (WELL_KNOWN_PRM.to_string(), WELL_KNOWN_PRM.to_string()),
        ] {
            let route = WellKnownRoute { public, server };
            if !well_known.contains(&route) {
                well_known.push(route);
            }
        }
    }

    let mut annotations = r.metadata().annotations.clone();
    annotations.extend(e.annotations.clone());

    let edge_auth = e
        .gateway
        .as_ref()
        .filter(|g| g.edge_auth && auth.kind != AuthType::None)
        .and_then(|_| {
            Some(EdgeAuth {
                issuer: auth.issuer.clone(),
                jwks_uri: auth.jwks_uri.clone()?,
                audiences: vec![auth.audience.clone().unwrap_or_else(|| resource_url(e))],
            })
        });

    let n = |suffix: &str| format!("{name}-{suffix}");
    Some(ExposeModel {
        host: e.host.to_string(),
        rewrite,
        scheme: if e.tls.is_some() { "https" } else { "http" },
        resource_url: resource_url(e),
        path,
        server_path,
        way,
        peer: e.ingress_namespace.as_ref().map(|ns| PodPeer {
            namespace: ns.to_string(),
            labels: e.ingress_pod_labels.clone(),
        }),
        cluster_issuer: e
            .tls
            .as_ref()
            .and_then(|t| t.cluster_issuer.as_ref())
            .map(ToString::to_string),
        tls_secret: e.tls.as_ref().map(|t| t.secret_name.to_string()),
        rate_limit: e
            .rate_limit
            .as_ref()
            .map(|r| (r.requests, r.window.seconds().map_or(60, |s| s.max(1)))),
        timeout_seconds: e.timeout.seconds().map_or(3600, |s| s.max(1)),
        streaming,
        session_affinity,
        well_known,
        annotations,
        edge_auth,
        names: RouteNames {
            route: name.to_string(),
            well_known: n("well-known"),
            well_known_rewrite: n("well-known-rewrite"),
            rewrite_middleware: n("rewrite"),
            well_known_rewrite_middleware: n("well-known-rewrite"),
            rate_limit_middleware: n("rate-limit"),
            https_redirect_middleware: n("https-redirect"),
            reference_grant: n("routes"),
        },
    })
}

/// The egress the server needs to reach its issuer.
pub fn auth_egress(r: &ResolvedSpec) -> AuthEgress {
    let s = r.spec();
    let auth = &s.mcp.auth;
    if auth.kind == AuthType::None {
        return AuthEgress::default();
    }
    let mut fqdns: Vec<EgressHost> = Vec::new();
    if s.network.cilium {
        for url in [&auth.issuer, &auth.jwks_uri].into_iter().flatten() {
            if let Some(h) = url_host(url) {
                fqdns.push(h);
            }
        }
        fqdns.sort();
        fqdns.dedup();
    }
    AuthEgress {
        cidrs: auth.issuer_cidrs.clone(),
        port: auth
            .issuer
            .as_deref()
            .and_then(url_host)
            .map_or(443, |h| h.port),
        fqdns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_urls() {
        let h = |u: &str| url_host(u).map(|h| (h.host, h.port));
        assert_eq!(
            h("https://login.example.com/realms/mcp"),
            Some(("login.example.com".into(), 443))
        );
        assert_eq!(
            h("https://Login.Example.com:8443"),
            Some(("login.example.com".into(), 8443))
        );
        assert_eq!(h("http://x"), None);
        assert_eq!(h("https://"), None);
    }

    #[test]
    fn well_known_paths_insert_the_path() {
        assert_eq!(
            well_known_for("/api/v1/mcp/"),
            "/.well-known/oauth-protected-resource/api/v1/mcp"
        );
        assert_eq!(well_known_for("/"), WELL_KNOWN_PRM);
    }
}
