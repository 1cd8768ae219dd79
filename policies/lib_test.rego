package mcpgen.lib

import data.mcpgen.test_inputs as t

test_image_parts if {
	image_tag("ghcr.io/acme/demo:1.0.0") == "1.0.0"
	image_tag("registry.example.com:5000/acme/demo:latest") == "latest"
	not image_tag("registry.example.com:5000/acme/demo")
	image_digest("demo@sha256:abc") == "sha256:abc"
	not image_digest("demo:1")
}

test_quantities if {
	millicores("500m") == 500
	millicores("2") == 2000
	bytes("1Gi") == 1073741824
	not millicores("lots")
}

test_production if {
	production with input as t.in_env({}, "prod")
	production with input as t.in_env({}, "production")
	not production with input as t.in_env({}, "staging")
	not production with input as t.minimal
}

test_stateful_follows_the_resolved_spec if {
	stateful with input as t.minimal
	not stateful with input as t.spec({"mcp": {"stateless": true}})
	# A bridged stdio server is stateful exactly when mcpgen resolved it so from the mode.
	stateful with input as t.bridged({})
	not stateful with input as t.bridged({"mcp": {"stateless": true, "bridge": {"mode": "request"}}})
}

test_statefulness_unstated if {
	statefulness_unstated with input as t.minimal
	not statefulness_unstated with input as t.spec({})
	not statefulness_unstated with input as t.defaulted({"mcp": {"protocolVersions": ["2025-06-18"]}}, ["/spec/mcp/stateless"])
}

test_escape if {
	escape("a/b~c") == "a~1b~0c"
}

test_probes if {
	probes.liveness.path == "/healthz" with input as t.minimal
	probe_path("/x") == "/x"
	probe_path({"path": "/y"}) == "/y"
	probe_pointer("readiness") == "/spec/health/readiness/path"
}

test_monitoring_and_scaling if {
	monitoring_enabled with input as t.minimal
	not monitoring_enabled with input as t.spec({"monitoring": {"enabled": false}})
	not hpa_enabled with input as t.minimal
	hpa_min == 2 with input as t.spec({"autoscaling": {"enabled": true, "minReplicas": 2, "maxReplicas": 4}})
	not hpa_enabled with input as t.spec({"autoscaling": {"enabled": false, "minReplicas": 2, "maxReplicas": 4}})
}

test_durations if {
	duration_ms("1h30m") == 5400000
	duration_ms("500ms") == 500
	duration_ms("2d") == 172800000
}
