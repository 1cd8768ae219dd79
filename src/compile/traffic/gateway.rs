//! Gateway API (`gateway.networking.k8s.io/v1`): the `HTTPRoute` of the MCP endpoint, the
//! `HTTPRoute` of the RFC 9728 discovery paths, and a `ReferenceGrant` when the routes live in
//! another namespace than the Service. What Gateway API has no standard field for comes from
//! the provider profile ([`super::providers`]).
//!
//! The main route matches the public path as a prefix, rewrites it with `URLRewrite`
//! (`ReplacePrefixMatch`) when it differs from the server's, sets `timeouts.request` and
//! `timeouts.backendRequest` to `expose.timeout`, and carries `sessionPersistence` only when
//! the server keeps sessions in its process (experimental channel, GEP-1619; the policy pack
//! says so). The discovery routes are a separate HTTPRoute so that edge auth, which the
//! provider attaches to the main route, never guards them.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::{gateway_duration, meta_in, providers, route_meta};
use crate::compile::{Artifact, CompileError, objects_file};
use crate::model::Model;
use crate::model::traffic::{ExposeModel, GatewayModel, SESSION_COOKIE, SESSION_COOKIE_SECONDS};
use crate::spec::SessionPersistence;

/// API group of Gateway API.
pub const GROUP: &str = "gateway.networking.k8s.io";

/// HTTPRoute gateway.networking.k8s.io/v1, the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: HttpRouteSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HttpRouteSpec {
    parent_refs: Vec<ParentRef>,
    hostnames: Vec<String>,
    rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ParentRef {
    group: &'static str,
    kind: &'static str,
    name: String,
    namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    section_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    matches: Vec<Match>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    filters: Vec<Filter>,
    backend_refs: Vec<BackendRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeouts: Option<Timeouts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_persistence: Option<Persistence>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Match {
    path: PathMatch,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PathMatch {
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(rename = "type")]
    kind: &'static str,
    url_rewrite: UrlRewrite,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UrlRewrite {
    path: PathModifier,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PathModifier {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_prefix_match: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_full_path: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BackendRef {
    group: &'static str,
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    port: u32,
    /// Written when the route has several backends (a canary's stable and canary Services,
    /// whose weights the Argo Rollouts Gateway API plugin moves).
    #[serde(skip_serializing_if = "Option::is_none")]
    weight: Option<u32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Timeouts {
    request: String,
    backend_request: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Persistence {
    session_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    absolute_timeout: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cookie_config: Option<CookieConfig>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CookieConfig {
    lifetime_type: &'static str,
}

/// ReferenceGrant gateway.networking.k8s.io/v1, the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrant {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ReferenceGrantSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceGrantSpec {
    from: Vec<GrantFrom>,
    to: Vec<GrantTo>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GrantFrom {
    group: &'static str,
    kind: &'static str,
    namespace: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GrantTo {
    group: &'static str,
    kind: &'static str,
    name: String,
}

/// The Gateway API files for this model, then the provider's.
pub fn files(
    m: &Model,
    e: &ExposeModel,
    g: &GatewayModel,
    out: &mut Vec<Artifact>,
) -> Result<(), CompileError> {
    let mut routes = vec![main_route(m, e, g)];
    if !e.well_known.is_empty() {
        routes.push(well_known_route(m, e, g));
    }
    out.push(objects_file(m, "k8s/httproute.yaml", "HTTPRoute", &routes)?);
    if g.cross_namespace {
        out.push(objects_file(
            m,
            "k8s/referencegrant.yaml",
            "ReferenceGrant",
            &[reference_grant(m, e, g)],
        )?);
    }
    if let Some(p) = providers::profile(g.provider) {
        out.extend(p.files(m, e, g)?);
    }
    Ok(())
}

fn parent(g: &GatewayModel) -> ParentRef {
    ParentRef {
        group: GROUP,
        kind: "Gateway",
        name: g.name.clone(),
        namespace: g.namespace.clone(),
        section_name: g.section_name.clone(),
    }
}

fn backend(m: &Model, g: &GatewayModel) -> BackendRef {
    BackendRef {
        group: "",
        kind: "Service",
        name: m.name.clone(),
        namespace: g.cross_namespace.then(|| m.namespace.clone()),
        port: m.ports.http.number,
        weight: None,
    }
}

/// The backends of the MCP route: the server's Service, or during a Gateway API canary the
/// stable and the canary Service with their weights.
fn backends(m: &Model, g: &GatewayModel) -> Vec<BackendRef> {
    let listed = m.delivery.route_backends(&m.name);
    let weighted = listed.len() > 1;
    listed
        .into_iter()
        .map(|b| BackendRef {
            name: b.service,
            weight: weighted.then_some(b.weight),
            ..backend(m, g)
        })
        .collect()
}

fn route(m: &Model, e: &ExposeModel, g: &GatewayModel, name: &str, rules: Vec<Rule>) -> HttpRoute {
    HttpRoute {
        api_version: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: route_meta(m, e, name, &g.route_namespace, Default::default()),
        spec: HttpRouteSpec {
            parent_refs: vec![parent(g)],
            hostnames: vec![e.host.clone()],
            rules,
        },
    }
}

fn main_route(m: &Model, e: &ExposeModel, g: &GatewayModel) -> HttpRoute {
    let timeout = gateway_duration(e.timeout_seconds);
    let filters = if e.rewrite {
        vec![Filter {
            kind: "URLRewrite",
            url_rewrite: UrlRewrite {
                path: PathModifier {
                    kind: "ReplacePrefixMatch",
                    replace_prefix_match: Some(e.server_path.clone()),
                    replace_full_path: None,
                },
            },
        }]
    } else {
        Vec::new()
    };
    let session_persistence = g.session_persistence.map(|p| Persistence {
        session_name: SESSION_COOKIE,
        kind: match p {
            SessionPersistence::Header => "Header",
            _ => "Cookie",
        },
        absolute_timeout: gateway_duration(SESSION_COOKIE_SECONDS),
        cookie_config: (p == SessionPersistence::Cookie).then_some(CookieConfig {
            lifetime_type: "Permanent",
        }),
    });
    route(
        m,
        e,
        g,
        &e.names.route,
        vec![Rule {
            matches: vec![Match {
                path: PathMatch {
                    kind: "PathPrefix",
                    value: e.path.clone(),
                },
            }],
            filters,
            backend_refs: backends(m, g),
            timeouts: Some(Timeouts {
                request: timeout.clone(),
                backend_request: timeout,
            }),
            session_persistence,
        }],
    )
}

fn well_known_route(m: &Model, e: &ExposeModel, g: &GatewayModel) -> HttpRoute {
    let rules = e
        .well_known
        .iter()
        .map(|w| Rule {
            matches: vec![Match {
                path: PathMatch {
                    kind: "Exact",
                    value: w.public.clone(),
                },
            }],
            filters: if w.rewrites() {
                vec![Filter {
                    kind: "URLRewrite",
                    url_rewrite: UrlRewrite {
                        path: PathModifier {
                            kind: "ReplaceFullPath",
                            replace_prefix_match: None,
                            replace_full_path: Some(w.server.clone()),
                        },
                    },
                }]
            } else {
                Vec::new()
            },
            backend_refs: vec![backend(m, g)],
            timeouts: None,
            session_persistence: None,
        })
        .collect();
    route(m, e, g, &e.names.well_known, rules)
}

fn reference_grant(m: &Model, e: &ExposeModel, g: &GatewayModel) -> ReferenceGrant {
    ReferenceGrant {
        api_version: "gateway.networking.k8s.io/v1",
        kind: "ReferenceGrant",
        metadata: meta_in(m, &e.names.reference_grant, &m.namespace),
        spec: ReferenceGrantSpec {
            from: vec![GrantFrom {
                group: GROUP,
                kind: "HTTPRoute",
                namespace: g.route_namespace.clone(),
            }],
            // Every Service the route lists (a canary's as well).
            to: m
                .delivery
                .route_backends(&m.name)
                .into_iter()
                .map(|b| GrantTo {
                    group: "",
                    kind: "Service",
                    name: b.service,
                })
                .collect(),
        },
    }
}
