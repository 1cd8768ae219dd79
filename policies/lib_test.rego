package mcpgen.lib

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
	production with input as {"environment": "prod"}
	production with input as {"environment": "production"}
	not production with input as {"environment": "staging"}
	not production with input as {"environment": null}
}

test_stateful_by_revision if {
	stateful with input as {"spec": {"mcp": {"protocolVersions": ["2025-06-18"]}}}
	not stateful with input as {"spec": {"mcp": {"protocolVersions": ["2026-07-28"]}}}
	not stateful with input as {"spec": {"mcp": {"stateless": true, "protocolVersions": ["2025-06-18"]}}}
	stateful with input as {"spec": {}}
	stateful with input as {"spec": {"mcp": {"transport": "stdio", "protocolVersions": ["2026-07-28"]}}}
}

test_escape if {
	escape("a/b~c") == "a~1b~0c"
}

test_probes_default if {
	probes.liveness == "/healthz" with input as {"spec": {}}
	probe_pointer("readiness", {"path": "/r"}) == "/spec/health/readiness/path"
}
