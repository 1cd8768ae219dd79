//! Envoy Gateway (`gateway.envoyproxy.io/v1alpha1`):
//!
//! - `BackendTrafficPolicy` on the MCP route: `timeout.http.streamIdleTimeout` of
//!   `expose.timeout` (Envoy's default resets a stream after five idle minutes, which ends
//!   an SSE stream waiting for a long tool call), and the per-client rate limit as a global
//!   limit with a `Distinct` source address selector (one bucket per client; it needs Envoy
//!   Gateway's rate limit service, see docs/traffic.md);
//! - `ClientTrafficPolicy` on the Gateway's listener (in the Gateway's namespace): the
//!   client-side idle and stream idle timeouts, which apply to every route of that listener;
//! - `SecurityPolicy` on the MCP route, with `edgeAuth`: JWT validation against the
//!   issuer's key set. The discovery route stays open, as RFC 9728 requires.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::Profile;
use crate::compile::traffic::gateway::GROUP;
use crate::compile::traffic::{gateway_duration, meta_in};
use crate::compile::{Artifact, CompileError, objects_file};
use crate::model::Model;
use crate::model::traffic::{ExposeModel, GatewayModel};
use crate::spec::GatewayProvider;

const API_VERSION: &str = "gateway.envoyproxy.io/v1alpha1";

/// The Envoy Gateway profile.
#[derive(Debug, Clone, Copy)]
pub struct EnvoyGateway;

/// A policy object: `apiVersion`, `kind`, `metadata`, `spec`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy<S> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: S,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetRef {
    group: &'static str,
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    section_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BackendTrafficSpec {
    target_refs: Vec<TargetRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<BackendTimeout>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit: Option<RateLimit>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BackendTimeout {
    http: BackendHttpTimeout,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BackendHttpTimeout {
    stream_idle_timeout: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RateLimit {
    #[serde(rename = "type")]
    kind: &'static str,
    global: GlobalRateLimit,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GlobalRateLimit {
    rules: Vec<RateLimitRule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitRule {
    client_selectors: Vec<ClientSelector>,
    limit: Limit,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientSelector {
    #[serde(rename = "sourceCIDR")]
    source_cidr: SourceCidr,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SourceCidr {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Limit {
    requests: u64,
    unit: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientTrafficSpec {
    target_refs: Vec<TargetRef>,
    timeout: ClientTimeout,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientTimeout {
    http: ClientHttpTimeout,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientHttpTimeout {
    idle_timeout: String,
    stream_idle_timeout: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SecuritySpec {
    target_refs: Vec<TargetRef>,
    jwt: Jwt,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Jwt {
    providers: Vec<JwtProvider>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JwtProvider {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    audiences: Vec<String>,
    #[serde(rename = "remoteJWKS")]
    remote_jwks: RemoteJwks,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RemoteJwks {
    uri: String,
}

fn policy<S>(kind: &'static str, metadata: ObjectMeta, spec: S) -> Policy<S> {
    Policy {
        api_version: API_VERSION,
        kind,
        metadata,
        spec,
    }
}

/// Requests per unit Envoy knows, for a window: exact for 1 s, 1 min, 1 h and 1 day, else
/// scaled to a minute (rounded up).
fn limit(requests: u32, window: u64) -> Limit {
    let unit = match window {
        1 => Some("Second"),
        60 => Some("Minute"),
        3600 => Some("Hour"),
        86_400 => Some("Day"),
        _ => None,
    };
    match unit {
        Some(unit) => Limit {
            requests: u64::from(requests),
            unit,
        },
        None => Limit {
            requests: crate::compile::traffic::ingress::per_minute(requests, window),
            unit: "Minute",
        },
    }
}

impl Profile for EnvoyGateway {
    fn provider(&self) -> GatewayProvider {
        GatewayProvider::EnvoyGateway
    }

    fn files(
        &self,
        m: &Model,
        e: &ExposeModel,
        g: &GatewayModel,
    ) -> Result<Vec<Artifact>, CompileError> {
        let route = || TargetRef {
            group: GROUP,
            kind: "HTTPRoute",
            name: e.names.route.clone(),
            section_name: None,
        };
        let timeout = gateway_duration(e.timeout_seconds);
        let mut out = Vec::new();

        let btp = BackendTrafficSpec {
            target_refs: vec![route()],
            timeout: e.streaming.then(|| BackendTimeout {
                http: BackendHttpTimeout {
                    stream_idle_timeout: timeout.clone(),
                },
            }),
            rate_limit: e.rate_limit.map(|(requests, window)| RateLimit {
                kind: "Global",
                global: GlobalRateLimit {
                    rules: ["0.0.0.0/0", "::/0"]
                        .into_iter()
                        .map(|cidr| RateLimitRule {
                            client_selectors: vec![ClientSelector {
                                source_cidr: SourceCidr {
                                    kind: "Distinct",
                                    value: cidr,
                                },
                            }],
                            limit: limit(requests, window),
                        })
                        .collect(),
                },
            }),
        };
        if btp.timeout.is_some() || btp.rate_limit.is_some() {
            out.push(objects_file(
                m,
                "k8s/backendtrafficpolicy.yaml",
                "BackendTrafficPolicy",
                &[policy(
                    "BackendTrafficPolicy",
                    meta_in(m, &e.names.route, &g.route_namespace),
                    btp,
                )],
            )?);
        }

        if e.streaming {
            let ctp = ClientTrafficSpec {
                target_refs: vec![TargetRef {
                    group: GROUP,
                    kind: "Gateway",
                    name: g.name.clone(),
                    section_name: g.section_name.clone(),
                }],
                timeout: ClientTimeout {
                    http: ClientHttpTimeout {
                        idle_timeout: timeout.clone(),
                        stream_idle_timeout: timeout,
                    },
                },
            };
            out.push(objects_file(
                m,
                "k8s/clienttrafficpolicy.yaml",
                "ClientTrafficPolicy",
                &[policy(
                    "ClientTrafficPolicy",
                    meta_in(m, &e.names.route, &g.namespace),
                    ctp,
                )],
            )?);
        }

        if let Some(a) = &e.edge_auth {
            let sp = SecuritySpec {
                target_refs: vec![route()],
                jwt: Jwt {
                    providers: vec![JwtProvider {
                        name: "mcp",
                        issuer: a.issuer.clone(),
                        audiences: a.audiences.clone(),
                        remote_jwks: RemoteJwks {
                            uri: a.jwks_uri.clone(),
                        },
                    }],
                },
            };
            out.push(objects_file(
                m,
                "k8s/securitypolicy.yaml",
                "SecurityPolicy",
                &[policy(
                    "SecurityPolicy",
                    meta_in(m, &e.names.route, &g.route_namespace),
                    sp,
                )],
            )?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_keep_exact_units_and_scale_the_rest() {
        let l = |r, w| {
            let x = limit(r, w);
            (x.requests, x.unit)
        };
        assert_eq!(l(100, 60), (100, "Minute"));
        assert_eq!(l(5, 1), (5, "Second"));
        assert_eq!(l(10, 30), (20, "Minute"));
    }
}
