# Network rules: egress and public exposure.
package mcpgen.network

import data.mcpgen.lib

# METADATA
# title: Egress to any address on any port
# description: >-
#   Flags a `network.allowTo` entry with CIDR `0.0.0.0/0` or `::/0` and no port.
# custom:
#   code: MCP230
#   name: egress-to-any-address-on-any-port
#   level: error
#   help: "add `port:` to the peer, or narrow the CIDR to the addresses the server calls"
#   tags: [security, network]
#   security_severity: "5.8"
#   related: [KSV038, CKV2_K8S_6]
#   why: >-
#     Such an entry turns the egress NetworkPolicy off: a compromised or prompt-injected server
#     can reach every host on every port, including cloud metadata endpoints and internal
#     databases. A port keeps the rule meaningful (443 for HTTPS APIs).
#   example: |
#     spec:
#       network:
#         allowTo:
#           - cidr: 0.0.0.0/0
#   instead: |
#     spec:
#       network:
#         allowTo:
#           - cidr: 0.0.0.0/0
#             port: 443
deny_egress_to_any_address_on_any_port contains finding if {
	some i, peer in object.get(lib.spec.network, "allowTo", [])
	endswith(peer.cidr, "/0")
	not peer.port
	finding := {
		"msg": sprintf("network.allowTo[%d] allows %s on every port, which disables egress filtering", [i, peer.cidr]),
		"path": sprintf("/spec/network/allowTo/%d/cidr", [i]),
		"help": sprintf("add `port:` to network.allowTo[%d] (e.g. `port: 443`), or narrow `%s` to the addresses the server calls", [i, peer.cidr]),
	}
}

# METADATA
# title: Public exposure without TLS
# description: >-
#   Flags `expose` without `expose.tls`.
# custom:
#   code: MCP231
#   name: exposed-without-tls
#   level: error
#   help: "add `expose.tls: {clusterIssuer: <cert-manager ClusterIssuer>}` (or `tls: {secretName: <Secret>}`)"
#   tags: [security, network]
#   security_severity: "7.4"
#   related: [polaris:tlsSettingsMissing]
#   why: >-
#     Without TLS, bearer tokens, session ids and every tool call and result cross the network
#     in clear text, and OAuth clients refuse non-HTTPS authorization servers and resources.
#   example: |
#     spec:
#       expose: {host: mcp.example.com}
#   instead: |
#     spec:
#       expose:
#         host: mcp.example.com
#         tls: {clusterIssuer: letsencrypt-prod}
deny_exposed_without_tls contains finding if {
	lib.exposed
	not lib.spec.expose.tls
	finding := {
		"msg": sprintf("`%s` is exposed over plain HTTP; tokens and tool results cross the network in clear text", [lib.spec.expose.host]),
		"path": "/spec/expose",
	}
}

# METADATA
# title: Public exposure without a rate limit
# description: >-
#   Flags `expose` without `expose.rateLimit`.
# custom:
#   code: MCP232
#   name: exposed-without-rate-limit
#   level: warning
#   help: "add `expose.rateLimit: {requests: 100, window: 1m}` sized for the expected clients"
#   tags: [security, network]
#   security_severity: "4.3"
#   related: []
#   why: >-
#     Every MCP request can start a tool call that costs CPU, API quota or money. A public
#     endpoint without a per-client limit lets one client exhaust them for everyone.
#   example: |
#     spec:
#       expose: {host: mcp.example.com, tls: {}}
#   instead: |
#     spec:
#       expose:
#         host: mcp.example.com
#         tls: {}
#         rateLimit: {requests: 100, window: 1m}
warn_exposed_without_rate_limit contains finding if {
	lib.exposed
	not lib.spec.expose.rateLimit
	finding := {
		"msg": "the server is exposed without a per-client rate limit at the ingress",
		"path": "/spec/expose",
	}
}
