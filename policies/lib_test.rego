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

test_defaulted_under_the_pointer_and_its_ancestors_only if {
	inp := t.defaulted({}, ["/spec/resources", "/spec/mcp/stateless", ""])
	defaulted_under("/spec/resources") with input as inp
	defaulted_under("/spec/resources/limits/cpu") with input as inp
	defaulted_under("/spec/mcp/stateless") with input as inp
	not defaulted_under("/spec/mcp") with input as t.defaulted({}, ["/spec/mcp/stateless"])
	not defaulted_under("/spec/res") with input as t.defaulted({}, ["/spec/resources"])
	not defaulted_under("/spec/resourcesX") with input as t.defaulted({}, ["/spec/resources"])
	not defaulted_under("/spec/resources") with input as t.defaulted({}, [])
	# The whole document ("") holds every pointer.
	defaulted_under("/metadata/name") with input as t.defaulted({}, [""])
}

test_token_candidates_cover_every_token_pattern if {
	# Each pattern's example must pass the prefix test that guards the patterns.
	every sample in [
		"ghp_0123456789abcdefghijklmnopqrstuvwxyz",
		"glpat-abcdefghij0123456789",
		"sk-abcdefghijklmnopqrstuvwxyz",
		"AKIAIOSFODNN7EXAMPLE",
		"ASIAIOSFODNN7EXAMPLE",
		"xoxb-123456789012-abcdefghijkl",
		"x -----BEGIN RSA PRIVATE KEY----- y",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
	] {
		data.mcpgen.secrets.token_candidate(sample)
		regex.match(data.mcpgen.secrets.any_token_pattern, sample)
	}
	not data.mcpgen.secrets.token_candidate("info")
}
