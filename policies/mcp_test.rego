package mcpgen.mcp

exposed := {
	"image": "demo:1",
	"mcp": {
		"protocolVersions": ["2025-11-25"],
		"allowedOrigins": ["https://app.example.com"],
		"allowedHosts": ["mcp.example.com"],
		"trustProxyHeaders": true,
		"auth": {"type": "oidc", "issuer": "https://login.example.com"},
	},
	"expose": {"host": "mcp.example.com", "tls": {}, "rateLimit": {"requests": 10}},
}

test_safe_exposed_server_is_clean if {
	count(deny_exposed_without_allowed_origins) == 0 with input as {"spec": exposed}
	count(deny_expose_host_not_in_allowed_hosts) == 0 with input as {"spec": exposed}
	count(deny_public_ingress_without_auth) == 0 with input as {"spec": exposed}
	count(warn_tls_at_ingress_without_proxy_headers) == 0 with input as {"spec": exposed}
	count(warn_protocol_versions_undeclared) == 0 with input as {"spec": exposed}
}

test_stateful_replicas if {
	spec := {"mcp": {"stateless": false}, "replicas": 3}
	count(deny_stateful_replicas_without_session_store) == 1 with input as {"spec": spec}
	count(deny_stateful_replicas_without_session_store) == 0 with input as {"spec": object.union(spec, {"mcp": {"stateless": false, "sessionStore": "redis"}})}
	count(deny_stateful_replicas_without_session_store) == 0 with input as {"spec": {"mcp": {"protocolVersions": ["2026-07-28"]}, "replicas": 3}}
}

test_stateful_defaults_pinned if {
	# Nothing stated: mcpgen's two default replicas with ClientIP affinity are allowed.
	unstated := {"spec": {"mcp": {"stateless": false}, "replicas": 2}, "defaulted": ["/spec/mcp/stateless", "/spec/replicas"]}
	count(deny_stateful_replicas_without_session_store) == 0 with input as unstated
	count(deny_stateful_replicas_without_session_store) == 0 with input as object.union(unstated, {"defaulted": ["/spec/mcp", "/spec/replicas"]})
	# The same replicas stated by the user, or an exposed server, are flagged.
	count(deny_stateful_replicas_without_session_store) == 1 with input as object.union(unstated, {"defaulted": ["/spec/mcp/stateless"]})
	count(deny_stateful_replicas_without_session_store) == 1 with input as object.union(unstated, {"spec": {"expose": {"host": "x.example.com"}}})
	count(deny_stateful_replicas_without_session_store) == 1 with input as object.union(unstated, {"spec": {"mcp": {"stateless": false, "protocolVersions": ["2025-06-18"]}}})
}

test_stateful_hpa if {
	spec := {"mcp": {"protocolVersions": ["2025-03-26"]}, "replicas": 1, "autoscaling": {"maxReplicas": 4}}
	some f in deny_stateful_replicas_without_session_store with input as {"spec": spec}
	f.path == "/spec/autoscaling"
	count(deny_stateful_replicas_without_session_store) == 0 with input as {"spec": object.union(spec, {"autoscaling": {"enabled": false, "maxReplicas": 4}})}
}

test_sse if {
	count(warn_sse_transport) == 1 with input as {"spec": {"mcp": {"transport": "sse"}}}
	count(warn_sse_transport) == 0 with input as {"spec": {}}
}

test_stdio_bridge if {
	spec := {"mcp": {"transport": "stdio"}, "expose": {"host": "x.example.com"}}
	count(deny_stdio_exposed_without_bridge) == 1 with input as {"spec": spec}
	count(deny_stdio_exposed_without_bridge) == 0 with input as {"spec": object.union(spec, {"mcp": {"transport": "stdio", "bridge": {}}})}
}

test_origins_and_hosts if {
	spec := json.patch(exposed, [{"op": "remove", "path": "/mcp/allowedOrigins"}, {"op": "replace", "path": "/mcp/allowedHosts", "value": ["other.example.com"]}])
	count(deny_exposed_without_allowed_origins) == 1 with input as {"spec": spec}
	count(deny_expose_host_not_in_allowed_hosts) == 1 with input as {"spec": spec}
}

test_probe_on_mcp_endpoint if {
	spec := {"mcp": {"path": "/rpc"}, "health": {"liveness": "/rpc/", "readiness": {"path": "/rpc"}, "startup": "/healthz"}}
	paths := {f.path | some f in deny_probe_on_mcp_endpoint} with input as {"spec": spec}
	paths == {"/spec/health/liveness", "/spec/health/readiness/path"}
	count(deny_probe_on_mcp_endpoint) == 0 with input as {"spec": {"health": {"liveness": "/healthz"}}}
}

test_protocol_versions if {
	count(warn_protocol_versions_undeclared) == 1 with input as {"spec": {"mcp": {}}}
}

test_auth if {
	count(deny_public_ingress_without_auth) == 1 with input as {"spec": {"expose": {"host": "a.b"}}}
	count(deny_public_ingress_without_auth) == 1 with input as {"spec": {"expose": {"host": "a.b"}, "mcp": {"auth": {"type": "none"}}}}
	# Auth left to mcpgen's default (none): reported at the exposure, not at a field never written.
	{f.path | some f in deny_public_ingress_without_auth} == {"/spec/expose"} with input as {"spec": {"expose": {"host": "a.b"}, "mcp": {"auth": {"type": "none"}}}, "defaulted": ["/spec/mcp/auth"]}
	count(deny_jwt_auth_without_secret) == 1 with input as {"spec": {"mcp": {"auth": {"type": "jwt"}}}}
	count(deny_jwt_auth_without_secret) == 0 with input as {"spec": {"mcp": {"auth": {"type": "jwt", "secret": {"secret": "s", "key": "k"}}}}}
	count(deny_oidc_auth_without_issuer) == 1 with input as {"spec": {"mcp": {"auth": {"type": "oidc"}}}}
	count(deny_oidc_auth_without_issuer) == 0 with input as {"spec": exposed}
}

test_proxy_headers if {
	spec := json.patch(exposed, [{"op": "remove", "path": "/mcp/trustProxyHeaders"}])
	some f in warn_tls_at_ingress_without_proxy_headers with input as {"spec": spec}
	f.path == "/spec/expose/tls"
}
