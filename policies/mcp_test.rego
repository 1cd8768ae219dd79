package mcpgen.mcp

import data.mcpgen.test_inputs as t

exposed := {
	"mcp": {
		"protocolVersions": ["2025-11-25"],
		"allowedOrigins": ["https://app.example.com"],
		"allowedHosts": ["mcp.example.com"],
		"trustProxyHeaders": true,
		"auth": {"type": "oidc", "issuer": "https://login.example.com"},
	},
	"expose": {"host": "mcp.example.com", "path": "/mcp", "ingressClass": "nginx", "ingressNamespace": "ingress-nginx", "tls": {"secretName": "mcp-tls"}, "rateLimit": {"requests": 10, "window": "1m"}},
}

test_safe_exposed_server_is_clean if {
	count(deny_exposed_without_allowed_origins) == 0 with input as t.spec(exposed)
	count(deny_expose_host_not_in_allowed_hosts) == 0 with input as t.spec(exposed)
	count([f | some f in deny_public_ingress_without_auth; object.get(f, "level", "error") != "note"]) == 0 with input as t.spec(exposed)
	count(warn_tls_at_ingress_without_proxy_headers) == 0 with input as t.spec(exposed)
	count(warn_protocol_versions_undeclared) == 0 with input as t.spec(exposed)
}

test_stateful_replicas if {
	spec := {"mcp": {"stateless": false}, "replicas": 3}
	count(deny_stateful_replicas_without_session_store) == 1 with input as t.spec(spec)
	count(deny_stateful_replicas_without_session_store) == 0 with input as t.spec(object.union(spec, {"mcp": {"sessionStore": "redis"}}))
	count(deny_stateful_replicas_without_session_store) == 0 with input as t.spec({"mcp": {"protocolVersions": ["2026-07-28"], "stateless": true}, "replicas": 3})
}

test_stateful_defaults_pinned if {
	# Nothing stated: mcpgen's two default replicas with ClientIP affinity are allowed.
	count(deny_stateful_replicas_without_session_store) == 0 with input as t.defaulted({}, ["/spec/mcp/stateless", "/spec/replicas"])
	count(deny_stateful_replicas_without_session_store) == 0 with input as t.minimal
	# The same replicas stated by the user, or an exposed server, are flagged.
	count(deny_stateful_replicas_without_session_store) == 1 with input as t.defaulted({}, ["/spec/mcp/stateless"])
	count(deny_stateful_replicas_without_session_store) == 1 with input as t.defaulted({"expose": {"host": "x.example.com"}}, ["/spec/mcp/stateless", "/spec/replicas"])
	count(deny_stateful_replicas_without_session_store) == 1 with input as t.defaulted({"mcp": {"protocolVersions": ["2025-06-18"]}}, ["/spec/mcp/stateless", "/spec/replicas"])
}

test_stateful_hpa if {
	spec := {"mcp": {"protocolVersions": ["2025-03-26"]}, "replicas": 1, "autoscaling": {"enabled": true, "minReplicas": 2, "maxReplicas": 4}}
	some f in deny_stateful_replicas_without_session_store with input as t.spec(spec)
	f.path == "/spec/autoscaling"
	count(deny_stateful_replicas_without_session_store) == 0 with input as t.spec(object.union(spec, {"autoscaling": {"enabled": false}}))
}

test_sse if {
	count(warn_sse_transport) == 1 with input as t.spec({"mcp": {"transport": "sse"}})
	count(warn_sse_transport) == 0 with input as t.minimal
}

test_origins_and_hosts if {
	spec := json.patch(exposed, [{"op": "remove", "path": "/mcp/allowedOrigins"}, {"op": "replace", "path": "/mcp/allowedHosts", "value": ["other.example.com"]}])
	count(deny_exposed_without_allowed_origins) == 1 with input as t.spec(spec)
	count(deny_expose_host_not_in_allowed_hosts) == 1 with input as t.spec(spec)
}

test_probe_on_mcp_endpoint if {
	spec := {"mcp": {"path": "/rpc"}, "health": {"liveness": {"path": "/rpc/"}, "readiness": {"path": "/rpc"}, "startup": {"path": "/healthz"}}}
	paths := {f.path | some f in deny_probe_on_mcp_endpoint} with input as t.spec(spec)
	paths == {"/spec/health/liveness/path", "/spec/health/readiness/path"}
	# The startup probe mcpgen derives from liveness is reported through liveness only.
	derived := {f.path | some f in deny_probe_on_mcp_endpoint} with input as t.defaulted(object.union(spec, {"health": {"startup": {"path": "/rpc/"}}}), ["/spec/health/startup"])
	derived == {"/spec/health/liveness/path", "/spec/health/readiness/path"}
	count(deny_probe_on_mcp_endpoint) == 0 with input as t.minimal
}

test_protocol_versions if {
	count(warn_protocol_versions_undeclared) == 1 with input as t.minimal
	count(warn_protocol_versions_undeclared) == 0 with input as t.spec({"mcp": {"transport": "stdio"}})
}

test_auth if {
	ex := {"expose": {"host": "a.b"}}
	count(deny_public_ingress_without_auth) == 1 with input as t.spec(ex)
	{f.path | some f in deny_public_ingress_without_auth} == {"/spec/mcp/auth/type"} with input as t.spec(ex)
	# Auth left to mcpgen's default (none): reported at the exposure, not at a field never written.
	{f.path | some f in deny_public_ingress_without_auth} == {"/spec/expose"} with input as t.defaulted(ex, ["/spec/mcp/auth"])
	count(deny_jwt_auth_without_secret) == 1 with input as t.spec({"mcp": {"auth": {"type": "jwt"}}})
	count(deny_jwt_auth_without_secret) == 0 with input as t.spec({"mcp": {"auth": {"type": "jwt", "secret": {"secret": "s", "key": "k"}}}})
	count(deny_oidc_auth_without_issuer) == 1 with input as t.spec({"mcp": {"auth": {"type": "oidc"}}})
	count(deny_oidc_auth_without_issuer) == 0 with input as t.spec(exposed)
}

test_auth_enforced_at_the_edge_or_only_declared if {
	# Declared only: a note that says so, at the auth type.
	{[f.path, f.level] | some f in deny_public_ingress_without_auth} == {["/spec/mcp/auth/type", "note"]} with input as t.spec(exposed)
	# Validated at the gateway: nothing to say.
	edge := json.patch(exposed, [{"op": "add", "path": "/expose/gateway", "value": {"name": "public", "edgeAuth": true}}])
	count(deny_public_ingress_without_auth) == 0 with input as t.spec(edge)
	# No auth is an error whatever the way in.
	count([f | some f in deny_public_ingress_without_auth; not f.level]) == 1 with input as t.spec({"expose": {"host": "a.b", "gateway": {"name": "public", "edgeAuth": false}}})
}

test_proxy_headers if {
	spec := json.patch(exposed, [{"op": "replace", "path": "/mcp/trustProxyHeaders", "value": false}])
	some f in warn_tls_at_ingress_without_proxy_headers with input as t.spec(spec)
	f.path == "/spec/mcp/trustProxyHeaders"
	some g in warn_tls_at_ingress_without_proxy_headers with input as t.defaulted(spec, ["/spec/mcp/trustProxyHeaders"])
	g.path == "/spec/expose/tls"
}
