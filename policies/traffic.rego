# Traffic rules: the way in (Gateway API route or Ingress) and what it guarantees for MCP
# sessions, streams, timeouts and the OAuth discovery documents; egress to the issuer.
package mcpgen.traffic

import data.mcpgen.lib

# Annotation prefixes each ingress controller reads.
controller_prefixes := {
	"ingress-nginx": ["nginx.ingress.kubernetes.io/"],
	"traefik": ["traefik.ingress.kubernetes.io/", "traefik.frontend.", "traefik.backend."],
	"haproxy": ["haproxy.org/", "haproxy.com/"],
}

# Every annotation a route object gets, with the pointer where it was written.
route_annotations contains {"key": k, "path": sprintf("/metadata/annotations/%s", [lib.escape(k)])} if {
	some k, _ in object.get(input.metadata, "annotations", {})
}

route_annotations contains {"key": k, "path": sprintf("/spec/expose/annotations/%s", [lib.escape(k)])} if {
	some k, _ in object.get(lib.expose, "annotations", {})
}

# METADATA
# title: Annotations of another ingress controller
# description: >-
#   Flags an annotation of a known ingress controller (`nginx.ingress.kubernetes.io/`,
#   `traefik.ingress.kubernetes.io/`, `haproxy.org/`) when the server is exposed through another
#   controller or through a Gateway API route, where nothing reads it.
# custom:
#   code: MCP240
#   name: annotations-for-another-controller
#   level: warning
#   help: "move the setting to the annotation of the controller that serves the route (`expose.annotations`), or remove it"
#   tags: [reliability, traffic]
#   related: []
#   why: >-
#     Each controller reads only its own annotations and ignores the others without a word. A
#     spec moved from ingress-nginx to Traefik or to a Gateway keeps its old annotations, and the
#     buffering, timeout or body-size setting they carried silently stops applying.
#   example: |
#     metadata:
#       annotations:
#         nginx.ingress.kubernetes.io/proxy-body-size: 8m
#     spec:
#       expose: {host: mcp.example.com, ingressClass: traefik}
#   instead: |
#     spec:
#       expose:
#         host: mcp.example.com
#         ingressClass: traefik
#         annotations:
#           traefik.ingress.kubernetes.io/router.priority: "10"
warn_annotations_for_another_controller contains finding if {
	lib.exposed
	some a in route_annotations
	some controller, prefixes in controller_prefixes
	some prefix in prefixes
	startswith(a.key, prefix)
	not reads(controller)
	finding := {
		"msg": sprintf("`%s` is a %s annotation, but the server is exposed through %s, which ignores it", [a.key, controller, way]),
		"path": a.path,
		"help": sprintf("remove `%s`, or carry its setting over to what %s reads", [a.key, way]),
	}
}

# The controller that reads the route's annotations, when mcpgen knows it. A class mcpgen does
# not know may be served by any controller, so nothing is flagged then.
reads(controller) if lib.ingress_controller == controller

reads(_) if {
	lib.through_ingress
	not lib.ingress_controller
}

way := sprintf("the Gateway `%s`", [lib.gateway.name]) if lib.through_gateway

way := sprintf("the %s controller", [lib.ingress_controller]) if not lib.through_gateway

# METADATA
# title: Sessions in one process behind a route that does not keep them
# description: >-
#   Flags a server whose MCP sessions live only in its process (protocol revisions up to
#   2025-11-25 without a shared store, or legacy SSE) and that runs more than one pod, exposed
#   through a route that does not pin a client to its pod: a Gateway API route with
#   `sessionPersistence: none`, or an Ingress of a controller mcpgen does not know.
# custom:
#   code: MCP241
#   name: stateful-route-without-session-persistence
#   level: error
#   help: "keep sessions in a shared store (`mcp.sessionStore`), serve stateless, or let the route pin clients to their pod (`expose.gateway.sessionPersistence: cookie`, a known `expose.ingressController`)"
#   tags: [reliability, mcp, traffic]
#   related: []
#   why: >-
#     The route spreads requests over the pods; every request that lands on a pod other than the
#     one holding the session is answered 404 "session not found", and the client starts over.
#     With legacy SSE the messages never reach the pod holding the stream.
#   example: |
#     spec:
#       mcp: {protocolVersions: ["2025-11-25"], sessionStore: none}
#       replicas: 3
#       expose:
#         host: mcp.example.com
#         gateway: {name: public, sessionPersistence: none}
#   instead: |
#     spec:
#       mcp: {protocolVersions: ["2025-11-25"], sessionStore: redis}
#       replicas: 3
#       expose:
#         host: mcp.example.com
#         gateway: {name: public}
deny_stateful_route_without_session_persistence contains finding if {
	lib.exposed
	lib.sessions_in_process
	lib.scaled_out
	some where in unpinned
	finding := {
		"msg": sprintf("MCP sessions live in one of up to %d pods, but %s; requests reaching another pod lose the session", [lib.max_pods, where.why]),
		"path": where.path,
	}
}

unpinned contains {"why": "the route's session persistence is off", "path": "/spec/expose/gateway/sessionPersistence"} if {
	lib.gateway.sessionPersistence == "none"
}

unpinned contains {"why": sprintf("mcpgen cannot set affinity for the IngressClass `%s`", [lib.expose.ingressClass]), "path": "/spec/expose/ingressClass"} if {
	lib.through_ingress
	not lib.ingress_controller
}

# METADATA
# title: Session persistence needs the experimental Gateway API channel
# description: >-
#   Flags a Gateway API route that carries `sessionPersistence` (written because the server
#   keeps MCP sessions in its process and runs more than one pod).
# custom:
#   code: MCP242
#   name: session-persistence-needs-experimental-channel
#   level: warning
#   help: "install the experimental-channel Gateway API CRDs, or keep sessions in a shared store (`mcp.sessionStore`) so no pinning is needed"
#   tags: [reliability, mcp, traffic]
#   related: []
#   why: >-
#     `sessionPersistence` (GEP-1619) exists only in the experimental channel of the Gateway API
#     CRDs. With the standard-channel CRDs the API server prunes the unknown field without an
#     error, the route spreads requests over the pods, and sessions break. The implementation
#     must support it too (Envoy Gateway does).
#   example: |
#     spec:
#       mcp: {protocolVersions: ["2025-11-25"], sessionStore: none}
#       replicas: 3
#       expose: {host: mcp.example.com, gateway: {name: public}}
#   instead: |
#     # Install the experimental-channel CRDs, or keep sessions in a shared store:
#     spec:
#       mcp: {protocolVersions: ["2025-11-25"], sessionStore: redis}
#       replicas: 3
#       expose: {host: mcp.example.com, gateway: {name: public}}
warn_session_persistence_needs_experimental_channel contains finding if {
	lib.through_gateway
	lib.sessions_in_process
	lib.scaled_out
	lib.gateway.sessionPersistence != "none"
	finding := {
		"msg": "the HTTPRoute keeps sessions on their pod with sessionPersistence, a field of the experimental Gateway API channel; with the standard-channel CRDs it is dropped silently",
		"path": persistence_pointer,
	}
}

default persistence_pointer := "/spec/expose/gateway"

persistence_pointer := "/spec/expose/gateway/sessionPersistence" if not lib.defaulted_under("/spec/expose/gateway/sessionPersistence")

# METADATA
# title: Authentication declared but the discovery document unreachable
# description: >-
#   Flags an exposed server that declares authentication while its OAuth 2.0 Protected
#   Resource Metadata (RFC 9728) cannot be fetched: the server does not serve it
#   (`mcp.auth.resourceMetadata: false`), or the discovery paths are not routed
#   (`expose.wellKnownRoutes: false`).
# custom:
#   code: MCP243
#   name: auth-discovery-unreachable
#   level: error
#   help: "serve the Protected Resource Metadata (`mcp.auth.resourceMetadata: true`) and route it (`expose.wellKnownRoutes: true`)"
#   tags: [reliability, mcp, auth, traffic]
#   related: []
#   why: >-
#     An MCP client that gets 401 looks for the resource's metadata at
#     `/.well-known/oauth-protected-resource` (with the MCP path inserted, then at the root) to
#     find the authorization server. When that answers 404 the client cannot start the OAuth
#     flow and no user can connect, although the server itself works.
#   example: |
#     spec:
#       mcp: {auth: {type: oidc, issuer: https://login.example.com}}
#       expose: {host: mcp.example.com, wellKnownRoutes: false}
#   instead: |
#     spec:
#       mcp: {auth: {type: oidc, issuer: https://login.example.com}}
#       expose: {host: mcp.example.com}
deny_auth_discovery_unreachable contains finding if {
	lib.exposed
	lib.auth_declared
	some where in discovery_gap
	finding := {
		"msg": sprintf("the server requires tokens but %s; MCP clients cannot discover the authorization server", [where.why]),
		"path": where.path,
	}
}

discovery_gap contains {"why": "it does not serve its Protected Resource Metadata (RFC 9728)", "path": "/spec/mcp/auth/resourceMetadata"} if {
	lib.mcp.auth.resourceMetadata == false
}

discovery_gap contains {"why": "/.well-known/oauth-protected-resource is not routed to it", "path": "/spec/expose/wellKnownRoutes"} if {
	lib.mcp.auth.resourceMetadata == true
	lib.expose.wellKnownRoutes == false
	not lib.rewritten
}

# METADATA
# title: Rewritten path without the discovery routes
# description: >-
#   Flags an exposed server with authentication whose public path differs from its MCP path
#   while the path-inserted discovery path is not routed and rewritten to the server's: the
#   discovery routes are off, or the IngressClass belongs to a controller mcpgen cannot
#   rewrite paths for.
# custom:
#   code: MCP244
#   name: rewrite-without-well-known-routes
#   level: error
#   help: "route the discovery paths (`expose.wellKnownRoutes: true`) through a controller mcpgen can rewrite for, or make `expose.path` the MCP path"
#   tags: [reliability, mcp, auth, traffic]
#   related: []
#   why: >-
#     Clients ask for `/.well-known/oauth-protected-resource<public path>`; the server serves
#     `/.well-known/oauth-protected-resource<its own path>`. Without a route that rewrites one
#     into the other the discovery answers 404 (apollographql/apollo-mcp-server#533,
#     IBM/mcp-context-forge#2706), and a controller that cannot rewrite does not even reach the
#     MCP endpoint itself.
#   example: |
#     spec:
#       mcp: {path: /mcp, auth: {type: oidc, issuer: https://login.example.com}}
#       expose: {host: mcp.example.com, path: /tools/mcp, wellKnownRoutes: false}
#   instead: |
#     spec:
#       mcp: {path: /mcp, auth: {type: oidc, issuer: https://login.example.com}}
#       expose: {host: mcp.example.com, path: /tools/mcp}
deny_rewrite_without_well_known_routes contains finding if {
	lib.exposed
	lib.auth_declared
	lib.mcp.auth.resourceMetadata == true
	lib.rewritten
	some where in rewrite_gap
	finding := {
		"msg": sprintf("the public path %s is rewritten to %s, but %s; clients asking for /.well-known/oauth-protected-resource%s get 404", [lib.expose.path, lib.mcp_path, where.why, trim_right(lib.expose.path, "/")]),
		"path": where.path,
	}
}

rewrite_gap contains {"why": "the discovery paths are not routed", "path": "/spec/expose/wellKnownRoutes"} if {
	lib.expose.wellKnownRoutes == false
}

rewrite_gap contains {"why": sprintf("mcpgen cannot write rewrites for the IngressClass `%s`", [lib.expose.ingressClass]), "path": "/spec/expose/path"} if {
	lib.expose.wellKnownRoutes == true
	lib.through_ingress
	not lib.ingress_controller
}

# METADATA
# title: OIDC issuer unreachable through egress
# description: >-
#   Flags a server with `jwt` or `oidc` auth and an issuer when the egress NetworkPolicy admits
#   no HTTPS to it: no `mcp.auth.issuerCidrs`, no Cilium (`network.cilium`) to admit it by
#   name, and no `network.allowTo` address block on its port.
# custom:
#   code: MCP245
#   name: issuer-unreachable-through-egress
#   level: error
#   help: "list the issuer's address blocks in `mcp.auth.issuerCidrs`, or set `network.cilium: true` to admit it by name"
#   tags: [reliability, auth, network]
#   related: []
#   why: >-
#     mcpgen's NetworkPolicy denies all egress it was not told about. A server that validates
#     tokens fetches the issuer's metadata and signing keys over HTTPS; blocked, it rejects every
#     token. A NetworkPolicy selects addresses, never host names (zero-day-ai/setec#130 shows a
#     host name silently dropped), so the issuer's address blocks, or Cilium's `toFQDNs`, must
#     say where it is.
#   example: |
#     spec:
#       mcp: {auth: {type: oidc, issuer: https://login.example.com}}
#   instead: |
#     spec:
#       mcp:
#         auth:
#           type: oidc
#           issuer: https://login.example.com
#           issuerCidrs: [203.0.113.0/24]
deny_issuer_unreachable_through_egress contains finding if {
	auth := lib.mcp.auth
	auth.type in {"jwt", "oidc"}
	auth.issuer
	count(object.get(auth, "issuerCidrs", [])) == 0
	not lib.spec.network.cilium == true
	not open_https_egress
	finding := {
		"msg": sprintf("the egress NetworkPolicy admits no HTTPS to the issuer %s, so the server cannot fetch its keys; give mcp.auth.issuerCidrs (a NetworkPolicy cannot name a host) or set network.cilium", [auth.issuer]),
		"path": "/spec/mcp/auth/issuer",
		"help": sprintf("list the address blocks of %s in `mcp.auth.issuerCidrs`, or set `network.cilium: true` to admit it by name", [auth.issuer]),
	}
}

# A peer that admits HTTPS to every address already reaches the issuer.
open_https_egress if {
	some peer in object.get(lib.spec.network, "allowTo", [])
	endswith(peer.cidr, "/0")
	object.get(peer, "port", 443) == 443
}

# METADATA
# title: Edge timeout shorter than the longest tool call
# description: >-
#   Flags `expose.timeout` (the request timeout at the ingress or gateway, default 1h) when it
#   is shorter than `mcp.longestToolCall`.
# custom:
#   code: MCP246
#   name: route-timeout-below-longest-tool-call
#   level: error
#   help: "raise `expose.timeout` above `mcp.longestToolCall`"
#   tags: [reliability, mcp, traffic]
#   related: []
#   why: >-
#     A tool call answers at its end, or streams progress until then; the ingress or gateway
#     ends the request at its timeout whatever the server is doing, the client sees a 504 or a
#     cut stream, and the tool's work is lost or done twice when the client retries.
#   example: |
#     spec:
#       mcp: {longestToolCall: 30m}
#       expose: {host: mcp.example.com, timeout: 5m}
#   instead: |
#     spec:
#       mcp: {longestToolCall: 30m}
#       expose: {host: mcp.example.com, timeout: 45m}
deny_route_timeout_below_longest_tool_call contains finding if {
	lib.exposed
	longest := lib.duration_ms(lib.mcp.longestToolCall)
	timeout := lib.duration_ms(lib.expose.timeout)
	timeout < longest
	finding := {
		"msg": sprintf("the edge ends requests after %s, but a tool call may take %s", [lib.expose.timeout, lib.mcp.longestToolCall]),
		"path": timeout_pointer,
		"help": sprintf("raise `expose.timeout` above %s, the longest tool call", [lib.mcp.longestToolCall]),
	}
}

default timeout_pointer := "/spec/mcp/longestToolCall"

timeout_pointer := "/spec/expose/timeout" if not lib.defaulted_under("/spec/expose/timeout")

# METADATA
# title: IngressClass of an unknown controller
# description: >-
#   Flags an Ingress whose class mcpgen does not recognise and whose `expose.ingressController`
#   is not given: mcpgen writes a plain Ingress without controller settings, and the finding
#   lists what it therefore cannot guarantee.
# custom:
#   code: MCP247
#   name: unknown-ingress-controller
#   level: warning
#   help: "name the controller behind the class in `expose.ingressController`, or write its settings in `expose.annotations`"
#   tags: [reliability, traffic]
#   related: []
#   why: >-
#     An Ingress has no standard field for response buffering, stream timeouts, session
#     affinity, rate limits, HTTPS redirects or path rewrites: each controller reads its own
#     annotations. Controller defaults buffer responses and cut idle connections after about a
#     minute, which holds back or ends MCP event streams.
#   example: |
#     spec:
#       expose: {host: mcp.example.com, ingressClass: public-lb}
#   instead: |
#     spec:
#       expose:
#         host: mcp.example.com
#         ingressClass: public-lb
#         ingressController: ingress-nginx   # the controller behind the class
warn_unknown_ingress_controller contains finding if {
	lib.through_ingress
	not lib.ingress_controller
	finding := {
		"msg": sprintf("mcpgen does not know the controller of IngressClass `%s` and writes no controller settings: it cannot guarantee %s; set expose.ingressController, or set them in expose.annotations", [lib.expose.ingressClass, concat(", ", sort(unguaranteed))]),
		"path": "/spec/expose/ingressClass",
		"help": sprintf("set `expose.ingressController` to the controller behind `%s` (ingress-nginx, traefik or haproxy), or write its settings in `expose.annotations`", [lib.expose.ingressClass]),
	}
}

unguaranteed contains "unbuffered streaming" if lib.transport != "stdio"

unguaranteed contains sprintf("a %s timeout", [lib.expose.timeout])

unguaranteed contains "session affinity" if {
	lib.stateful
	lib.scaled_out
}

unguaranteed contains "the rate limit" if lib.expose.rateLimit

unguaranteed contains "the HTTPS redirect" if lib.expose.tls

unguaranteed contains "the path rewrite" if lib.rewritten

# METADATA
# title: Ingress controller namespace unknown
# description: >-
#   Flags an Ingress of a controller mcpgen does not know when `expose.ingressNamespace` does
#   not say where the controller runs.
# custom:
#   code: MCP248
#   name: ingress-controller-namespace-unknown
#   level: error
#   help: "set `expose.ingressNamespace` to the namespace the ingress controller runs in"
#   tags: [reliability, network, traffic]
#   related: []
#   why: >-
#     The generated NetworkPolicy denies all ingress traffic it was not told about. Without the
#     controller's namespace it cannot admit the controller, and every request through the
#     Ingress is dropped at the pod.
#   example: |
#     spec:
#       expose: {host: mcp.example.com, ingressClass: public-lb}
#   instead: |
#     spec:
#       expose:
#         host: mcp.example.com
#         ingressClass: public-lb
#         ingressNamespace: public-lb-system
deny_ingress_controller_namespace_unknown contains finding if {
	lib.through_ingress
	not lib.expose.ingressNamespace
	finding := {
		"msg": sprintf("mcpgen does not know where the controller of IngressClass `%s` runs, so the NetworkPolicy admits no traffic from it; set expose.ingressNamespace", [lib.expose.ingressClass]),
		"path": "/spec/expose/ingressClass",
		"help": sprintf("set `expose.ingressNamespace` to the namespace the controller of `%s` runs in", [lib.expose.ingressClass]),
	}
}
