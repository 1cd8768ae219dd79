//! The CiliumNetworkPolicy (`cilium.io/v2`) that admits the OIDC issuer by host name, for
//! specs that select Cilium (`network.cilium`).
//!
//! A NetworkPolicy selects addresses, never names, and an identity provider's addresses are
//! not stable. Cilium admits a name (`toFQDNs`) by watching the DNS answers its DNS proxy
//! sees, so the policy also sends DNS to kube-dns through that proxy (an L7 `dns` rule).
//! Cilium adds the allows of every policy that selects a pod, so this policy only widens the
//! NetworkPolicy's egress by those names; the NetworkPolicy stays the main policy.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta_in;
use crate::model::Model;

/// CiliumNetworkPolicy cilium.io/v2, the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CiliumNetworkPolicy {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: Spec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    endpoint_selector: Selector,
    egress: Vec<Egress>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    match_labels: BTreeMap<String, String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Egress {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to_endpoints: Vec<Selector>,
    #[serde(rename = "toFQDNs", skip_serializing_if = "Vec::is_empty")]
    to_fqdns: Vec<Fqdn>,
    to_ports: Vec<PortRule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Fqdn {
    match_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PortRule {
    ports: Vec<Port>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<L7Rules>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Port {
    port: String,
    protocol: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct L7Rules {
    dns: Vec<DnsRule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DnsRule {
    match_pattern: &'static str,
}

/// The policy, when the spec selects Cilium and the server has hosts to reach by name.
pub fn policy(m: &Model) -> Option<CiliumNetworkPolicy> {
    let hosts = &m.network.auth.fqdns;
    if !m.network.cilium || hosts.is_empty() {
        return None;
    }
    let dns = Egress {
        to_endpoints: vec![Selector {
            match_labels: BTreeMap::from([
                (
                    "k8s:io.kubernetes.pod.namespace".to_string(),
                    "kube-system".to_string(),
                ),
                ("k8s:k8s-app".to_string(), "kube-dns".to_string()),
            ]),
        }],
        to_ports: vec![PortRule {
            ports: vec![Port {
                port: "53".to_string(),
                protocol: "ANY",
            }],
            rules: Some(L7Rules {
                dns: vec![DnsRule { match_pattern: "*" }],
            }),
        }],
        ..Egress::default()
    };
    let mut egress = vec![dns];
    let mut ports: BTreeMap<u16, Vec<Fqdn>> = BTreeMap::new();
    for h in hosts {
        ports.entry(h.port).or_default().push(Fqdn {
            match_name: h.host.clone(),
        });
    }
    for (port, to_fqdns) in ports {
        egress.push(Egress {
            to_fqdns,
            to_ports: vec![PortRule {
                ports: vec![Port {
                    port: port.to_string(),
                    protocol: "TCP",
                }],
                rules: None,
            }],
            ..Egress::default()
        });
    }
    Some(CiliumNetworkPolicy {
        api_version: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: meta_in(m, &format!("{}-issuer", m.name), &m.namespace),
        spec: Spec {
            endpoint_selector: Selector {
                match_labels: m.selector.clone(),
            },
            egress,
        },
    })
}
