package mcpgen.traffic

import data.mcpgen.test_inputs as t

ingress(extra) := object.union({
	"mcp": {"protocolVersions": ["2025-11-25"], "auth": {"type": "oidc", "issuer": "https://login.example.com", "resourceMetadata": true, "issuerCidrs": ["203.0.113.0/24"]}},
	"expose": {"host": "mcp.example.com", "path": "/mcp", "ingressClass": "nginx", "ingressController": "ingress-nginx", "ingressNamespace": "ingress-nginx", "ingressPodLabels": {}, "timeout": "1h", "wellKnownRoutes": true, "tls": {"secretName": "mcp-tls"}},
}, extra)

through_gateway(extra) := json.patch(ingress(extra), [
	{"op": "remove", "path": "/expose/ingressClass"},
	{"op": "remove", "path": "/expose/ingressController"},
	{"op": "add", "path": "/expose/gateway", "value": {"name": "public", "namespace": "gw", "routeNamespace": "weather", "provider": "envoy-gateway", "sessionPersistence": "cookie", "edgeAuth": false}},
])

unknown_class := json.patch(ingress({}), [
	{"op": "replace", "path": "/expose/ingressClass", "value": "public-lb"},
	{"op": "remove", "path": "/expose/ingressController"},
])

test_clean_routes if {
	count(warn_annotations_for_another_controller) == 0 with input as t.spec(ingress({}))
	count(deny_stateful_route_without_session_persistence) == 0 with input as t.spec(ingress({"replicas": 3}))
	count(deny_auth_discovery_unreachable) == 0 with input as t.spec(ingress({}))
	count(deny_rewrite_without_well_known_routes) == 0 with input as t.spec(ingress({"expose": {"path": "/api/mcp"}}))
	count(deny_issuer_unreachable_through_egress) == 0 with input as t.spec(ingress({}))
	count(warn_unknown_ingress_controller) == 0 with input as t.spec(ingress({}))
	count(deny_ingress_controller_namespace_unknown) == 0 with input as t.spec(ingress({}))
	count(warn_session_persistence_needs_experimental_channel) == 0 with input as t.spec(through_gateway({"mcp": {"sessionStore": "redis"}}))
}

test_annotations_of_another_controller if {
	traefik := ingress({"expose": {"ingressClass": "traefik", "ingressController": "traefik", "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "8m", "traefik.ingress.kubernetes.io/router.priority": "1"}}})
	{f.path | some f in warn_annotations_for_another_controller} == {"/spec/expose/annotations/nginx.ingress.kubernetes.io~1proxy-body-size"} with input as t.spec(traefik)
	# Metadata annotations reach the route objects too.
	meta := object.union(t.spec(ingress({"expose": {"ingressController": "haproxy"}})), {"metadata": {"annotations": {"nginx.ingress.kubernetes.io/affinity": "cookie"}}})
	{f.path | some f in warn_annotations_for_another_controller} == {"/metadata/annotations/nginx.ingress.kubernetes.io~1affinity"} with input as meta
	# Every controller annotation is foreign to a Gateway API route.
	gw := through_gateway({"expose": {"annotations": {"haproxy.org/timeout-server": "1h"}}})
	count(warn_annotations_for_another_controller) == 1 with input as t.spec(gw)
	# A class mcpgen does not know may be served by any of them.
	count(warn_annotations_for_another_controller) == 0 with input as t.spec(object.union(unknown_class, {"expose": {"annotations": {"haproxy.org/timeout-server": "1h"}}}))
}

test_session_persistence if {
	stateful := {"replicas": 3}
	off := json.patch(through_gateway(stateful), [{"op": "replace", "path": "/expose/gateway/sessionPersistence", "value": "none"}])
	{f.path | some f in deny_stateful_route_without_session_persistence} == {"/spec/expose/gateway/sessionPersistence"} with input as t.spec(off)
	{f.path | some f in deny_stateful_route_without_session_persistence} == {"/spec/expose/ingressClass"} with input as t.spec(object.union(unknown_class, stateful))
	# A shared store, a stateless revision or one pod need no pinning.
	count(deny_stateful_route_without_session_persistence) == 0 with input as t.spec(object.union(off, {"mcp": {"sessionStore": "redis"}}))
	count(deny_stateful_route_without_session_persistence) == 0 with input as t.spec(object.union(off, {"mcp": {"stateless": true}}))
	count(deny_stateful_route_without_session_persistence) == 0 with input as t.spec(object.union(off, {"replicas": 1}))
	# Legacy SSE needs its stream's pod whatever the store.
	count(deny_stateful_route_without_session_persistence) == 1 with input as t.spec(object.union(off, {"mcp": {"transport": "sse", "stateless": true, "sessionStore": "redis"}}))
	# The HPA maximum counts.
	count(deny_stateful_route_without_session_persistence) == 1 with input as t.spec(object.union(off, {"replicas": 1, "autoscaling": {"enabled": true, "minReplicas": 1, "maxReplicas": 4}}))
}

test_experimental_channel if {
	on := through_gateway({"replicas": 3})
	{f.path | some f in warn_session_persistence_needs_experimental_channel} == {"/spec/expose/gateway/sessionPersistence"} with input as t.spec(on)
	{f.path | some f in warn_session_persistence_needs_experimental_channel} == {"/spec/expose/gateway"} with input as t.defaulted(on, ["/spec/expose/gateway/sessionPersistence"])
	count(warn_session_persistence_needs_experimental_channel) == 0 with input as t.spec(object.union(on, {"mcp": {"sessionStore": "redis"}}))
	count(warn_session_persistence_needs_experimental_channel) == 0 with input as t.spec(ingress({"replicas": 3}))
}

test_discovery if {
	not_served := ingress({"mcp": {"auth": {"resourceMetadata": false}}})
	{f.path | some f in deny_auth_discovery_unreachable} == {"/spec/mcp/auth/resourceMetadata"} with input as t.spec(not_served)
	not_routed := ingress({"expose": {"wellKnownRoutes": false}})
	{f.path | some f in deny_auth_discovery_unreachable} == {"/spec/expose/wellKnownRoutes"} with input as t.spec(not_routed)
	# A rewritten path without routes is the rewrite rule's.
	count(deny_auth_discovery_unreachable) == 0 with input as t.spec(ingress({"expose": {"wellKnownRoutes": false, "path": "/api/mcp"}}))
	count(deny_auth_discovery_unreachable) == 0 with input as t.spec(ingress({"mcp": {"auth": {"type": "none", "resourceMetadata": false}}}))
}

test_rewrite if {
	off := ingress({"expose": {"wellKnownRoutes": false, "path": "/api/mcp"}})
	{f.path | some f in deny_rewrite_without_well_known_routes} == {"/spec/expose/wellKnownRoutes"} with input as t.spec(off)
	unknown := object.union(unknown_class, {"expose": {"path": "/api/mcp"}})
	{f.path | some f in deny_rewrite_without_well_known_routes} == {"/spec/expose/path"} with input as t.spec(unknown)
	count(deny_rewrite_without_well_known_routes) == 0 with input as t.spec(ingress({"expose": {"path": "/api/mcp"}}))
	count(deny_rewrite_without_well_known_routes) == 0 with input as t.spec(through_gateway({"expose": {"path": "/api/mcp"}}))
}

test_issuer_egress if {
	closed := json.patch(ingress({}), [{"op": "remove", "path": "/mcp/auth/issuerCidrs"}])
	{f.path | some f in deny_issuer_unreachable_through_egress} == {"/spec/mcp/auth/issuer"} with input as t.spec(closed)
	count(deny_issuer_unreachable_through_egress) == 0 with input as t.spec(object.union(closed, {"network": {"cilium": true}}))
	count(deny_issuer_unreachable_through_egress) == 0 with input as t.spec(object.union(closed, {"network": {"allowTo": [{"cidr": "0.0.0.0/0", "port": 443}]}}))
	count(deny_issuer_unreachable_through_egress) == 1 with input as t.spec(object.union(closed, {"network": {"allowTo": [{"cidr": "0.0.0.0/0", "port": 5432}]}}))
	count(deny_issuer_unreachable_through_egress) == 0 with input as t.minimal
}

test_timeouts if {
	short := ingress({"mcp": {"longestToolCall": "30m"}, "expose": {"timeout": "5m"}})
	{f.path | some f in deny_route_timeout_below_longest_tool_call} == {"/spec/expose/timeout"} with input as t.spec(short)
	{f.path | some f in deny_route_timeout_below_longest_tool_call} == {"/spec/mcp/longestToolCall"} with input as t.defaulted(short, ["/spec/expose/timeout"])
	count(deny_route_timeout_below_longest_tool_call) == 0 with input as t.spec(ingress({"mcp": {"longestToolCall": "30m"}}))
	count(deny_route_timeout_below_longest_tool_call) == 0 with input as t.spec(ingress({}))
}

test_unknown_controller if {
	msgs := {f.msg | some f in warn_unknown_ingress_controller} with input as t.spec(object.union(unknown_class, {"replicas": 3, "expose": {"path": "/api/mcp", "rateLimit": {"requests": 5, "window": "1m"}}}))
	msgs == {"mcpgen does not know the controller of IngressClass `public-lb` and writes no controller settings: it cannot guarantee a 1h timeout, session affinity, the HTTPS redirect, the path rewrite, the rate limit, unbuffered streaming; set expose.ingressController, or set them in expose.annotations"}
	count(deny_ingress_controller_namespace_unknown) == 0 with input as t.spec(unknown_class)
	no_ns := json.patch(unknown_class, [{"op": "remove", "path": "/expose/ingressNamespace"}])
	{f.path | some f in deny_ingress_controller_namespace_unknown} == {"/spec/expose/ingressClass"} with input as t.spec(no_ns)
	count(deny_ingress_controller_namespace_unknown) == 0 with input as t.spec(through_gateway({}))
}
