package mcpgen.bridge

import data.mcpgen.test_inputs as t

exposed := {
	"expose": {"host": "mcp.example.com", "path": "/mcp", "ingressClass": "nginx", "ingressController": "ingress-nginx", "ingressPodLabels": {}, "timeout": "1h", "wellKnownRoutes": false},
	"replicas": 1,
}

test_the_bridge_helpers if {
	t.stdio_node_mcp.bridge.mode == "session"
	data.mcpgen.lib.bridged with input as t.bridged({})
	not data.mcpgen.lib.bridged with input as t.minimal
	data.mcpgen.lib.bridge_offer.package == "supergateway" with input as t.bridged({})
	data.mcpgen.lib.bridge_offer.package == "mcp-proxy" with input as t.bridged_python({})
	data.mcpgen.lib.stateful with input as t.bridged({})
	not data.mcpgen.lib.stateful with input as t.bridged({"mcp": {"stateless": true, "bridge": {"mode": "request"}}})
}

test_sessions_scaled_out if {
	# Explicit replicas, an HPA, or the default two behind a route.
	count(deny_bridged_sessions_scaled_out) == 1 with input as t.bridged({"replicas": 3})
	count(deny_bridged_sessions_scaled_out) == 1 with input as t.bridged({"replicas": 1, "autoscaling": {"enabled": true, "minReplicas": 1, "maxReplicas": 4}})
	count(deny_bridged_sessions_scaled_out) == 1 with input as t.defaulted(object.union(t.bridged({}).spec, object.union(exposed, {"replicas": 2})), ["/spec/replicas"])
	# One pod; no sessions (mode request); the default two pinned by ClientIP in-cluster.
	count(deny_bridged_sessions_scaled_out) == 0 with input as t.bridged({"replicas": 1})
	count(deny_bridged_sessions_scaled_out) == 0 with input as t.bridged({"replicas": 3, "mcp": {"stateless": true, "bridge": {"mode": "request"}}})
	count(deny_bridged_sessions_scaled_out) == 0 with input as t.defaulted(t.bridged({}).spec, ["/spec/replicas"])
	# A shared mcp-proxy child without sessions (`--stateless`) scales too.
	count(deny_bridged_sessions_scaled_out) == 0 with input as t.bridged_python({"replicas": 3, "mcp": {"stateless": true}})
	count(deny_bridged_sessions_scaled_out) == 1 with input as t.bridged_python({"replicas": 3})
	# An HTTP server is MCP201's.
	count(deny_bridged_sessions_scaled_out) == 0 with input as t.spec({"replicas": 3})
}

test_session_store if {
	count(deny_bridged_session_store) == 1 with input as t.bridged({"mcp": {"sessionStore": "redis"}})
	count(deny_bridged_session_store) == 0 with input as t.bridged({})
	count(deny_bridged_session_store) == 0 with input as t.spec({"mcp": {"sessionStore": "redis"}})
}

test_mode_contradicts_stateless if {
	count(deny_bridge_mode_contradicts_stateless) == 1 with input as t.bridged({"mcp": {"stateless": true}})
	count(deny_bridge_mode_contradicts_stateless) == 1 with input as t.bridged({"mcp": {"bridge": {"mode": "request"}}})
	count(deny_bridge_mode_contradicts_stateless) == 0 with input as t.bridged({})
	count(deny_bridge_mode_contradicts_stateless) == 0 with input as t.bridged({"mcp": {"stateless": true, "bridge": {"mode": "request"}}})
	count(deny_bridge_mode_contradicts_stateless) == 0 with input as t.bridged_python({"mcp": {"stateless": true}})
}

test_revision_unserved if {
	f := warn_bridge_revision_unserved with input as t.bridged_python({"mcp": {"protocolVersions": ["2025-11-25", "2026-07-28"]}})
	count(f) == 1
	some x in f
	x.path == "/spec/mcp/protocolVersions/1"
	count(warn_bridge_revision_unserved) == 0 with input as t.bridged({"mcp": {"protocolVersions": ["2025-11-25", "2026-07-28"]}})
	count(warn_bridge_revision_unserved) == 0 with input as t.bridged_python({})
	# An image mcpgen does not build has no bridge to ask.
	count(warn_bridge_revision_unserved) == 0 with input as json.patch(t.bridged({"mcp": {"protocolVersions": ["2099-01-01"]}}), [{"op": "remove", "path": "/spec/build"}])
}

test_auth_not_enforced if {
	oidc := {"mcp": {"auth": {"type": "oidc", "issuer": "https://login.example.com", "resourceMetadata": true}}}
	count(deny_bridged_auth_not_enforced) == 1 with input as t.bridged(object.union(exposed, oidc))
	edge := {"expose": {"gateway": {"name": "public", "namespace": "gw", "routeNamespace": "gw", "provider": "envoy-gateway", "sessionPersistence": "cookie", "edgeAuth": true}}}
	count(deny_bridged_auth_not_enforced) == 0 with input as t.bridged(object.union(object.union(exposed, oidc), edge))
	count(deny_bridged_auth_not_enforced) == 0 with input as t.bridged(oidc)
	count(deny_bridged_auth_not_enforced) == 0 with input as t.spec(object.union(exposed, oidc))
}

test_metrics_scraped if {
	# Monitoring on, metrics left on the bridge's port (defaulted): located at `enabled`.
	f := deny_bridge_metrics_scraped with input as t.defaulted(t.bridged({}).spec, ["/spec/monitoring/metrics/port"])
	count(f) == 1
	some x in f
	x.path == "/spec/monitoring/enabled"
	# Written on the bridge's port: located at the port.
	g := deny_bridge_metrics_scraped with input as t.bridged({})
	some y in g
	y.path == "/spec/monitoring/metrics/port"
	# The server's own metrics port, monitoring off (mcpgen's default for stdio), or an HTTP
	# server.
	count(deny_bridge_metrics_scraped) == 0 with input as t.bridged({"monitoring": {"metrics": {"port": 9464}}})
	count(deny_bridge_metrics_scraped) == 0 with input as t.bridged({"monitoring": {"enabled": false}})
	count(deny_bridge_metrics_scraped) == 0 with input as t.spec({})
}
