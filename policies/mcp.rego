# MCP transport rules: sessions, deprecated transports, Origin/Host validation, probes,
# protocol revisions, authentication and proxy headers.
package mcpgen.mcp

import data.mcpgen.lib

# METADATA
# title: Stateful server scaled out without a session store
# description: >-
#   Flags a stateful MCP server (`stateless: false`, a protocol revision before 2026-07-28, or
#   no revision declared) that runs more than one replica or has an HPA while `sessionStore`
#   is `none`. A bridged stdio server is judged by bridged-sessions-scaled-out instead. A spec that states neither its session behaviour nor
#   its replica count and is not exposed is left to mcpgen's defaults (two replicas, each
#   in-cluster client pinned to one pod by ClientIP affinity) and gets MCP207 instead.
# custom:
#   code: MCP201
#   name: stateful-replicas-without-session-store
#   level: error
#   help: "set `mcp.stateless: true` if the server keeps no per-session state; otherwise set `mcp.sessionStore` or run one replica"
#   tags: [reliability, mcp]
#   related: []
#   why: >-
#     Before 2026-07-28 the SDKs keep each `Mcp-Session-Id` in the memory of the process that
#     answered `initialize`. With several replicas the load balancer spreads the next requests
#     over pods that never saw the session: clients get 404 "session not found", re-initialize
#     in a loop, and tools silently disappear (grafana/mcp-grafana#749: four replicas, about 75%
#     of calls failed). Hashing on the session header cannot route `initialize` itself.
#   example: |
#     spec:
#       mcp: {stateless: false}
#       replicas: 3
#   instead: |
#     spec:
#       mcp: {stateless: false, sessionStore: redis}   # or stateless: true
#       replicas: 3
deny_stateful_replicas_without_session_store contains finding if {
	lib.stateful
	not lib.bridged
	lib.session_store == "none"
	some where in scaled_out
	finding := {
		"msg": sprintf("this server keeps MCP sessions in memory but %s; requests will reach replicas that do not know the session", [where.why]),
		"path": where.path,
	}
}

scaled_out contains {"why": sprintf("runs %d replicas", [lib.replicas]), "path": "/spec/replicas"} if {
	not lib.hpa_enabled
	lib.replicas > 1
	not pinned_by_default
}

# The spec leaves both the session behaviour and the replica count to mcpgen and exposes
# nothing: mcpgen then pins every in-cluster client to one pod (Service ClientIP affinity), and
# protocol-versions-undeclared asks for the revision that settles the question.
pinned_by_default if {
	lib.statefulness_unstated
	lib.defaulted_under("/spec/replicas")
	not lib.exposed
}

scaled_out contains {"why": sprintf("the HPA may scale it to %d replicas", [lib.hpa.maxReplicas]), "path": "/spec/autoscaling"} if {
	lib.hpa.maxReplicas > 1
}

# METADATA
# title: Deprecated HTTP+SSE transport
# description: >-
#   Flags `mcp.transport: sse`, the HTTP+SSE transport of protocol revision 2024-11-05.
# custom:
#   code: MCP202
#   name: sse-transport
#   level: warning
#   help: "set `mcp.transport: streamable-http`, which every current MCP SDK serves"
#   tags: [reliability, mcp]
#   related: []
#   why: >-
#     HTTP+SSE was deprecated by revision 2025-03-26 in favour of Streamable HTTP. It needs two
#     endpoints and a long-lived GET stream per client that proxies buffer and cut, and current
#     clients are dropping it.
#   example: |
#     spec:
#       mcp: {transport: sse}
#   instead: |
#     spec:
#       mcp: {transport: streamable-http}
warn_sse_transport contains finding if {
	lib.transport == "sse"
	finding := {
		"msg": "the HTTP+SSE transport is deprecated since protocol revision 2025-03-26; use streamable-http",
		"path": "/spec/mcp/transport",
	}
}

# MCP203 (stdio-exposed-without-bridge) is retired and its code is not reused: every stdio
# server is now bridged (mcp.bridge is always resolved), and what a bridge cannot serve is
# refused by the build (MCP301) or reported by policies/bridge.rego.

# METADATA
# title: Exposed HTTP server without allowed origins
# description: >-
#   Flags an exposed HTTP server whose `mcp.allowedOrigins` is missing or empty.
# custom:
#   code: MCP204
#   name: exposed-without-allowed-origins
#   level: error
#   help: "list the browser origins allowed to call the server in `mcp.allowedOrigins`, e.g. `[https://app.example.com]`"
#   tags: [security, mcp]
#   security_severity: "6.5"
#   related: []
#   why: >-
#     The transport specification says servers MUST validate the `Origin` header and answer
#     unknown origins with 403. Without an allow-list a malicious web page can drive the server
#     from a victim's browser (DNS rebinding).
#   example: |
#     spec:
#       expose: {host: mcp.example.com}
#   instead: |
#     spec:
#       mcp:
#         allowedOrigins: [https://app.example.com]
#       expose: {host: mcp.example.com}
deny_exposed_without_allowed_origins contains finding if {
	lib.exposed
	lib.transport != "stdio"
	count(object.get(lib.mcp, "allowedOrigins", [])) == 0
	finding := {
		"msg": "the server is exposed but accepts requests from any Origin; list the web origins allowed to call it in mcp.allowedOrigins",
		"path": "/spec/expose",
	}
}

# METADATA
# title: Public host missing from allowed hosts
# description: >-
#   Flags `expose.host` when it is not listed in `mcp.allowedHosts`.
# custom:
#   code: MCP205
#   name: expose-host-not-in-allowed-hosts
#   level: error
#   help: "add the exposed host to `mcp.allowedHosts` (`mcpgen fix` does it)"
#   tags: [reliability, mcp]
#   related: []
#   why: >-
#     The SDKs' DNS-rebinding protection checks the `Host` header against an allow-list and
#     answers anything else with "421 Invalid Host header". Behind an Ingress the Host is the
#     public name, so every request fails (modelcontextprotocol/python-sdk#1798).
#   example: |
#     spec:
#       mcp: {allowedHosts: [mcp.internal]}
#       expose: {host: mcp.example.com}
#   instead: |
#     spec:
#       mcp: {allowedHosts: [mcp.example.com]}
#       expose: {host: mcp.example.com}
deny_expose_host_not_in_allowed_hosts contains finding if {
	lib.exposed
	lib.transport != "stdio"
	host := lib.spec.expose.host
	not host in object.get(lib.mcp, "allowedHosts", [])
	finding := {
		"msg": sprintf("`%s` is not in mcp.allowedHosts; the server will answer 421 Invalid Host header to every request through the ingress", [host]),
		"path": "/spec/expose/host",
		"help": sprintf("add `%s` to `mcp.allowedHosts` (`mcpgen fix` does it)", [host]),
	}
}

# METADATA
# title: Probe on the MCP endpoint
# description: >-
#   Flags a liveness, readiness or startup probe whose path is the MCP endpoint.
# custom:
#   code: MCP206
#   name: probe-on-mcp-endpoint
#   level: error
#   help: "point the probe at a health endpoint such as `/healthz`, never the MCP path"
#   tags: [reliability]
#   related: [kube-score:pod-probes]
#   why: >-
#     The MCP endpoint is not a health endpoint: a GET may answer 405 and a POST needs a
#     JSON-RPC body, so the probe fails and the kubelet restarts healthy pods or never marks
#     them ready.
#   example: |
#     spec:
#       mcp: {path: /mcp}
#       health: {liveness: /mcp}
#   instead: |
#     spec:
#       mcp: {path: /mcp}
#       health: {liveness: /healthz}
deny_probe_on_mcp_endpoint contains finding if {
	some kind in ["liveness", "readiness", "startup"]
	probe := lib.spec.health[kind]
	# A probe mcpgen derived (the startup probe follows liveness) is reported through the one
	# the user wrote.
	not lib.defaulted_under(sprintf("/spec/health/%s", [kind]))
	trim_right(lib.probe_path(probe), "/") == trim_right(lib.mcp_path, "/")
	finding := {
		"msg": sprintf("the %s probe targets the MCP endpoint %s, which does not answer plain GET requests", [kind, lib.mcp_path]),
		"path": lib.probe_pointer(kind),
		"help": sprintf("point the %s probe at a health endpoint such as `%s`, never the MCP path", [kind, health_default[kind]]),
	}
}

health_default := {"liveness": "/healthz", "readiness": "/readyz", "startup": "/healthz"}

# METADATA
# title: Protocol revisions not declared
# description: >-
#   Flags a server that does not declare `mcp.protocolVersions`.
# custom:
#   code: MCP207
#   name: protocol-versions-undeclared
#   level: warning
#   help: "declare the revisions the server speaks in `mcp.protocolVersions` (`mcpgen fix` pins the revision mcpgen assumes)"
#   tags: [reliability, mcp]
#   related: []
#   why: >-
#     The protocol revision decides whether the server has sessions (before 2026-07-28) and
#     therefore how it may be scaled and routed. Without it mcpgen must assume the stateful
#     case, and the other session rules cannot tell a safe setup from a broken one.
#   example: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:0.3.1
#   instead: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:0.3.1
#       mcp: {protocolVersions: ["2025-11-25"]}
warn_protocol_versions_undeclared contains finding if {
	count(lib.versions) == 0
	lib.transport != "stdio"
	finding := {
		"msg": "mcp.protocolVersions is not declared; mcpgen assumes a stateful server and pins each client to one pod",
		"path": "/spec/mcp",
	}
}

# METADATA
# title: Public ingress without authentication
# description: >-
#   Flags an exposed server whose `mcp.auth` is missing or `type: none` (an error). When auth
#   is declared but only the server enforces it (no `expose.gateway.edgeAuth`), it adds a note
#   saying so: mcpgen passes the settings in `MCP_AUTH_*` and cannot see whether the server
#   honours them.
# custom:
#   code: MCP208
#   name: public-ingress-without-auth
#   level: error
#   help: "set `mcp.auth` (`{type: oidc, issuer: ...}` or `{type: jwt, secret: ...}`), or remove `expose` to keep the server in-cluster"
#   tags: [security, mcp]
#   security_severity: "8.8"
#   related: []
#   why: >-
#     MCP tools act on behalf of whoever calls them. A public endpoint without authentication
#     lets anyone on the internet call every tool (ToolHive warns such servers run
#     UNAUTHENTICATED); the specification says servers SHOULD authenticate. Auth that is only
#     declared protects nothing if the image ignores `MCP_AUTH_*`; validating tokens at the
#     gateway protects the route whatever the server does.
#   example: |
#     spec:
#       expose: {host: mcp.example.com}
#       mcp: {auth: {type: none}}
#   instead: |
#     spec:
#       expose: {host: mcp.example.com}
#       mcp:
#         auth: {type: oidc, issuer: https://login.example.com}
deny_public_ingress_without_auth contains finding if {
	lib.exposed
	lib.mcp.auth.type == "none"
	finding := {
		"msg": "the server is exposed through an ingress without authentication; anyone who can reach the host can call its tools",
		"path": auth_pointer,
	}
}

deny_public_ingress_without_auth contains finding if {
	lib.exposed
	lib.auth_declared
	not lib.edge_auth
	# A bridged server cannot enforce it at all: bridged-auth-not-enforced.
	not lib.bridged
	finding := {
		"msg": sprintf("%s auth is declared but enforced only by the server (mcpgen passes MCP_AUTH_* and cannot check the image honours them); nothing validates tokens at the edge", [lib.mcp.auth.type]),
		"path": "/spec/mcp/auth/type",
		"level": "note",
		"help": "validate tokens at the edge as well: `expose.gateway.edgeAuth: true` with a provider that checks them (`provider: envoy-gateway`) and `mcp.auth.jwksUri`",
	}
}

# The auth type the user wrote; when auth is absent or left to mcpgen's default (none), the
# exposure.
default auth_pointer := "/spec/expose"

auth_pointer := "/spec/mcp/auth/type" if not lib.defaulted_under("/spec/mcp/auth/type")

# METADATA
# title: TLS at the ingress without trusted proxy headers
# description: >-
#   Flags `expose.tls` while `mcp.trustProxyHeaders` is not true.
# custom:
#   code: MCP209
#   name: tls-at-ingress-without-proxy-headers
#   level: warning
#   help: "set `mcp.trustProxyHeaders: true`; the ingress sets X-Forwarded-Proto and X-Forwarded-Host"
#   tags: [reliability, mcp]
#   related: []
#   why: >-
#     When TLS ends at the ingress the server sees plain HTTP. Unless it trusts
#     `X-Forwarded-Proto` and `X-Forwarded-Host`, the redirects and URLs it builds (the 307 from
#     `/mcp` to `/mcp/`, OAuth metadata) point at `http://`, and clients that follow them
#     downgrade or fail (chainguard-dev/edu#3704).
#   example: |
#     spec:
#       expose: {host: mcp.example.com, tls: {clusterIssuer: letsencrypt}}
#       mcp: {trustProxyHeaders: false}
#   instead: |
#     spec:
#       expose: {host: mcp.example.com, tls: {clusterIssuer: letsencrypt}}
#       mcp: {trustProxyHeaders: true}
warn_tls_at_ingress_without_proxy_headers contains finding if {
	lib.exposed
	lib.spec.expose.tls
	not lib.mcp.trustProxyHeaders == true
	finding := {
		"msg": "TLS ends at the ingress but the server does not trust X-Forwarded-* headers; URLs it builds will say http://",
		"path": trust_pointer,
	}
}

trust_pointer := "/spec/mcp/trustProxyHeaders" if not lib.defaulted_under("/spec/mcp/trustProxyHeaders")

trust_pointer := "/spec/expose/tls" if lib.defaulted_under("/spec/mcp/trustProxyHeaders")

# METADATA
# title: JWT authentication without a signing secret
# description: >-
#   Flags `mcp.auth.type: jwt` without `mcp.auth.secret`.
# custom:
#   code: MCP210
#   name: jwt-auth-without-secret
#   level: error
#   help: "set `mcp.auth.secret: {secret: <Secret name>, key: <key>}` to the signing key"
#   tags: [security, mcp]
#   security_severity: "8.1"
#   related: []
#   why: >-
#     JWT validation needs the signing key. Without a secret reference the server has no key to
#     verify tokens with: it either rejects every request or, worse, falls back to a built-in
#     development key.
#   example: |
#     spec:
#       mcp: {auth: {type: jwt}}
#   instead: |
#     spec:
#       mcp:
#         auth: {type: jwt, secret: {secret: mcp-secrets, key: jwt-secret}}
deny_jwt_auth_without_secret contains finding if {
	auth := lib.mcp.auth
	auth.type == "jwt"
	not auth.secret
	finding := {
		"msg": "JWT authentication needs the signing key: set mcp.auth.secret to a Secret reference",
		"path": "/spec/mcp/auth",
	}
}

# METADATA
# title: OIDC authentication without an issuer
# description: >-
#   Flags `mcp.auth.type: oidc` without `mcp.auth.issuer`.
# custom:
#   code: MCP211
#   name: oidc-auth-without-issuer
#   level: error
#   help: "set `mcp.auth.issuer` to the OIDC issuer URL, e.g. `https://login.example.com`"
#   tags: [security, mcp]
#   security_severity: "8.1"
#   related: []
#   why: >-
#     An OIDC resource server discovers its signing keys from the issuer's metadata and checks
#     the `iss` claim against it. Without an issuer no token can be validated.
#   example: |
#     spec:
#       mcp: {auth: {type: oidc}}
#   instead: |
#     spec:
#       mcp:
#         auth: {type: oidc, issuer: https://login.example.com, audience: mcp}
deny_oidc_auth_without_issuer contains finding if {
	auth := lib.mcp.auth
	auth.type == "oidc"
	not auth.issuer
	finding := {
		"msg": "OIDC authentication needs mcp.auth.issuer to discover keys and check tokens",
		"path": "/spec/mcp/auth",
	}
}
