# stdio bridge rules: how a bridged stdio server may be scaled, routed and protected, given
# the mode its bridge runs in (one process per session, per request, or one shared) and what
# the bridge can and cannot do (docs/stdio-bridge.md).
package mcpgen.bridge

import data.mcpgen.lib

# METADATA
# title: Bridged sessions on more than one pod
# description: >-
#   Flags a stdio server whose bridge keeps sessions (mode `session`, or `shared` without
#   `stateless: true`) that can run more than one pod: more than one replica, an HPA that may
#   grow past one, or the default two replicas behind an exposed route. Left to the defaults
#   and not exposed, each in-cluster client is pinned to one pod by ClientIP affinity, and
#   this rule stays quiet.
# custom:
#   code: MCP270
#   name: bridged-sessions-scaled-out
#   level: error
#   help: "set `mcp.stateless: true` if the server keeps nothing between calls (one process per request), or run one replica"
#   tags: [reliability, mcp, scaling]
#   related: [stateful-replicas-without-session-store]
#   why: >-
#     A bridge keeps each MCP session in a server process of its own pod (supergateway starts
#     one child per session; mcp-proxy keeps its sessions in memory in front of one shared
#     child). No session store can hold a process, so a request routed to another pod gets 404
#     "session not found". Behind an ingress or gateway every request comes from the proxy's
#     pods, so ClientIP affinity pins nothing, and MCP clients keep no cookies for cookie
#     affinity.
#   example: |
#     spec:
#       build: {runtime: node, version: "22", command: [npx, --offline, srv@1.0.0]}
#       mcp: {transport: stdio}
#       replicas: 3
#   instead: |
#     spec:
#       build: {runtime: node, version: "22", command: [npx, --offline, srv@1.0.0]}
#       mcp:
#         transport: stdio
#         stateless: true        # the server keeps nothing between calls: one process per request
#       replicas: 3
deny_bridged_sessions_scaled_out contains finding if {
	lib.bridged
	lib.stateful
	some where in scaled_out
	finding := {
		"msg": sprintf("the stdio bridge keeps each session in one pod (mode `%s`) but %s; a request routed to another pod gets 404 session not found", [lib.bridge.mode, where.why]),
		"path": where.path,
	}
}

scaled_out contains {"why": sprintf("the server runs %d replicas", [lib.replicas]), "path": "/spec/replicas"} if {
	not lib.hpa_enabled
	lib.replicas > 1
	not pinned_in_cluster
}

scaled_out contains {"why": sprintf("the HPA may scale it to %d replicas", [lib.hpa.maxReplicas]), "path": "/spec/autoscaling"} if {
	lib.hpa.maxReplicas > 1
}

# mcpgen's default replica count, not exposed: every in-cluster client is pinned to one pod by
# the Service's ClientIP affinity, which mcpgen writes for a server with sessions.
pinned_in_cluster if {
	lib.defaulted_under("/spec/replicas")
	not lib.exposed
}

# METADATA
# title: Session store on a bridged server
# description: >-
#   Flags `mcp.sessionStore: redis` on a stdio server.
# custom:
#   code: MCP271
#   name: bridged-session-store
#   level: error
#   help: "remove `mcp.sessionStore`: a bridged server's sessions are its processes; scale out only with `mcp.stateless: true`"
#   tags: [reliability, mcp]
#   related: [bridged-sessions-scaled-out]
#   why: >-
#     The sessions of a bridged stdio server are the bridge's: server processes and their
#     pipes, which no store can hold. Neither bridge reads `MCP_SESSION_STORE_URL`, so the
#     spec would scale out believing its sessions are shared when every one of them stays in
#     its pod.
#   example: |
#     spec:
#       mcp: {transport: stdio, sessionStore: redis}
#   instead: |
#     spec:
#       mcp: {transport: stdio, stateless: true}   # if the server keeps nothing between calls
deny_bridged_session_store contains finding if {
	lib.bridged
	lib.session_store == "redis"
	finding := {
		"msg": "a stdio server's sessions are its bridge's server processes; a Redis session store cannot hold them and nothing reads it",
		"path": "/spec/mcp/sessionStore",
	}
}

# METADATA
# title: Bridge mode contradicts stateless
# description: >-
#   Flags `mcp.bridge.mode: session` with `mcp.stateless: true`, and `mcp.bridge.mode: request`
#   with `mcp.stateless: false`.
# custom:
#   code: MCP272
#   name: bridge-mode-contradicts-stateless
#   level: error
#   help: "set `mcp.bridge.mode: request` with `stateless: true`, or `mode: session` with `stateless: false` (or leave the mode to mcpgen)"
#   tags: [reliability, mcp]
#   related: [bridged-sessions-scaled-out]
#   why: >-
#     In mode `session` the bridge hands out `Mcp-Session-Id`s and keeps a process per session:
#     the endpoint is stateful whatever the spec says, and mcpgen would scale and route it as
#     if it were not. In mode `request` every request gets a fresh process: a server that keeps
#     state between calls loses it after each one.
#   example: |
#     spec:
#       mcp:
#         transport: stdio
#         stateless: true
#         bridge: {mode: session}
#   instead: |
#     spec:
#       mcp:
#         transport: stdio
#         stateless: true
#         bridge: {mode: request}
deny_bridge_mode_contradicts_stateless contains finding if {
	lib.bridged
	lib.bridge.mode == "session"
	lib.mcp.stateless == true
	finding := {
		"msg": "mode `session` keeps a server process per session, so the endpoint is stateful; `stateless: true` would let mcpgen route its sessions to any pod",
		"path": "/spec/mcp/bridge/mode",
	}
}

deny_bridge_mode_contradicts_stateless contains finding if {
	lib.bridged
	lib.bridge.mode == "request"
	lib.mcp.stateless == false
	finding := {
		"msg": "mode `request` starts a fresh server process for every request, so a server that keeps state between calls (`stateless: false`) loses it after each one",
		"path": "/spec/mcp/bridge/mode",
	}
}

# METADATA
# title: Protocol revision the bridge does not serve
# description: >-
#   Flags a declared protocol revision that the runtime's bridge cannot serve to clients
#   (mcp-proxy re-serves the server through the Python SDK 1.x, which stops at 2025-11-25).
#   When it serves none of them the build stops with MCP301.
# custom:
#   code: MCP273
#   name: bridge-revision-unserved
#   level: warning
#   help: "declare only revisions the bridge serves (mcp-proxy: up to 2025-11-25), or build the server for node, whose bridge serves 2026-07-28"
#   tags: [reliability, mcp]
#   related: []
#   why: >-
#     Clients that speak only that revision cannot talk to the server, whatever the stdio
#     server itself supports: the bridge answers them. mcp-proxy answers a 2026-07-28 request
#     (no `initialize`, no session) with 400 "Missing session ID".
#   example: |
#     spec:
#       build: {runtime: python, version: "3.12", command: [srv]}
#       mcp: {transport: stdio, protocolVersions: ["2025-11-25", "2026-07-28"]}
#   instead: |
#     spec:
#       build: {runtime: python, version: "3.12", command: [srv]}
#       mcp: {transport: stdio, protocolVersions: ["2025-11-25"]}
warn_bridge_revision_unserved contains finding if {
	offer := lib.bridge_offer
	some i, v in lib.versions
	not v in offer.revisions
	finding := {
		"msg": sprintf("the %s bridge does not serve protocol revision %s; clients that speak only it cannot reach the server", [offer.package, v]),
		"path": sprintf("/spec/mcp/protocolVersions/%d", [i]),
	}
}

# METADATA
# title: Authentication a bridged server cannot enforce
# description: >-
#   Flags an exposed stdio server that declares `mcp.auth` without validating tokens at the
#   gateway (`expose.gateway.edgeAuth`).
# custom:
#   code: MCP274
#   name: bridged-auth-not-enforced
#   level: error
#   help: "validate tokens at the gateway (`expose.gateway.edgeAuth: true` with a provider that supports it), or do not expose the server"
#   tags: [security, mcp, auth]
#   security_severity: "8.8"
#   related: [public-ingress-without-auth]
#   why: >-
#     The stdio server reads JSON-RPC from a pipe and never sees an HTTP header, and neither
#     bridge validates tokens: the `Authorization` header is dropped on the way in. Declared
#     auth is then enforced by nobody, and anyone who reaches the route calls every tool.
#   example: |
#     spec:
#       mcp: {transport: stdio, auth: {type: oidc, issuer: https://login.example.com}}
#       expose: {host: mcp.example.com, gateway: {name: public}}
#   instead: |
#     spec:
#       mcp:
#         transport: stdio
#         auth: {type: oidc, issuer: https://login.example.com, jwksUri: https://login.example.com/keys}
#       expose:
#         host: mcp.example.com
#         gateway: {name: public, provider: envoy-gateway, edgeAuth: true}
deny_bridged_auth_not_enforced contains finding if {
	lib.bridged
	lib.exposed
	lib.auth_declared
	not lib.edge_auth
	finding := {
		"msg": sprintf("%s auth is declared but the stdio server behind the bridge never sees a token and the bridge validates none; only the gateway (expose.gateway.edgeAuth) can enforce it", [lib.mcp.auth.type]),
		"path": "/spec/mcp/auth/type",
	}
}

# METADATA
# title: Metrics scraped from the bridge
# description: >-
#   Flags a stdio server with monitoring switched on whose metrics are scraped from the
#   bridge's port. Neither bridge serves Prometheus metrics; a server that serves its own on
#   another port (`monitoring.metrics.port`) is not flagged.
# custom:
#   code: MCP275
#   name: bridge-metrics-scraped
#   level: error
#   help: "leave monitoring off for a bridged server, or point `monitoring.metrics.port` at the port where the server itself serves Prometheus metrics"
#   tags: [operability, monitoring, mcp]
#   related: []
#   why: >-
#     supergateway and mcp-proxy answer MCP and their health paths only: `/metrics` on the
#     bridge's port is a 404. Prometheus then marks every target down, the `down` alert pages
#     for ever, and the error-rate, latency and tool alerts and the dashboard read series that
#     never exist. mcpgen leaves monitoring off for a stdio server unless the spec switches it
#     on.
#   example: |
#     spec:
#       build: {runtime: node, version: "22", command: [npx, --offline, srv@1.0.0]}
#       mcp: {transport: stdio}
#       monitoring: {enabled: true}
#   instead: |
#     spec:
#       build: {runtime: node, version: "22", command: [npx, --offline, srv@1.0.0]}
#       mcp: {transport: stdio}
#       # the server exports Prometheus metrics itself, on its own port
#       monitoring: {enabled: true, metrics: {port: 9464}}
deny_bridge_metrics_scraped contains finding if {
	lib.bridged
	lib.monitoring_enabled
	lib.spec.monitoring.metrics.port == lib.bridge.port
	finding := {
		"msg": sprintf("monitoring scrapes %s on port %d, the bridge's, which serves no metrics: every target would be down and every alert on the server's series silent or firing for ever", [lib.spec.monitoring.metrics.path, lib.bridge.port]),
		"path": metrics_pointer,
	}
}

metrics_pointer := "/spec/monitoring/metrics/port" if not lib.defaulted_under("/spec/monitoring/metrics/port")

metrics_pointer := "/spec/monitoring/enabled" if lib.defaulted_under("/spec/monitoring/metrics/port")
