package mcpgen.images

import data.mcpgen.test_inputs as t

test_image_without_tag_fires if {
	count(deny_image_without_tag) == 1 with input as t.spec({"image": "ghcr.io/acme/demo"})
}

test_image_without_tag_silent_with_tag_or_digest if {
	count(deny_image_without_tag) == 0 with input as t.spec({"image": "ghcr.io/acme/demo:1.0.0"})
	count(deny_image_without_tag) == 0 with input as t.spec({"image": "ghcr.io/acme/demo@sha256:abc"})
	count(deny_image_without_tag) == 0 with input as t.spec({"image": "localhost:5000/demo:1"})
}

test_latest_image_tag_fires if {
	some f in deny_latest_image_tag with input as t.spec({"image": "demo:latest"})
	f.path == "/spec/image"
}

test_latest_image_tag_silent_when_pinned if {
	count(deny_latest_image_tag) == 0 with input as t.spec({"image": "demo:latest@sha256:abc"})
	count(deny_latest_image_tag) == 0 with input as t.spec({"image": "demo:1.2.3"})
}

test_digest_in_production if {
	count(warn_image_without_digest_in_production) == 1 with input as t.in_env({"image": "demo:1"}, "production")
	count(warn_image_without_digest_in_production) == 0 with input as t.in_env({"image": "demo:1"}, "staging")
	count(warn_image_without_digest_in_production) == 0 with input as t.in_env({"image": "demo:1@sha256:abc"}, "prod")
	# Set on the command line: production-image-not-pinned's error instead.
	count(warn_image_without_digest_in_production) == 0 with input as object.union(t.in_env({"image": "demo:1"}, "production"), {"overridden": ["/spec/image"]})
}

test_dependency_image_without_version if {
	deps := {"pg": {"image": "postgres", "port": 5432}, "r": {"image": "redis:latest", "port": 6379}, "ok": {"image": "nats:2", "port": 4222}}
	paths := {f.path | some f in warn_dependency_image_without_version} with input as t.spec({"dependencies": deps})
	paths == {"/spec/dependencies/pg/image", "/spec/dependencies/r/image"}
	count(warn_dependency_image_without_version) == 0 with input as t.minimal
}
