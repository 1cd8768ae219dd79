# Image and supply-chain rules: tags, `latest`, digests.
package mcpgen.images

import data.mcpgen.lib

# METADATA
# title: Image without a tag or digest
# description: >-
#   Flags `spec.image` when it names neither a tag nor a digest.
# custom:
#   code: MCP212
#   name: image-without-tag
#   level: error
#   help: "give the image a version tag, and pin production by digest: `repository:1.2.3@sha256:...`"
#   tags: [security, supply-chain]
#   security_severity: "5.3"
#   related: [kube-linter:latest-tag, kube-score:container-image-tag, polaris:tagNotSpecified, CKV_K8S_14, KSV013]
#   why: >-
#     An image without a tag means `:latest`: every node pull may run a different build,
#     rollbacks cannot go back to a known version, and the running version is unknowable.
#   example: |
#     spec:
#       image: ghcr.io/acme/weather-mcp
#   instead: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:0.3.1
deny_image_without_tag contains finding if {
	ref := lib.spec.image
	not lib.image_tag(ref)
	not lib.image_digest(ref)
	finding := {
		"msg": sprintf("image `%s` has no tag or digest, so it means :latest", [ref]),
		"path": "/spec/image",
		"help": sprintf("give the image a version tag, e.g. `%s:1.2.3`, and pin production by digest", [ref]),
	}
}

# METADATA
# title: Image tagged latest
# description: >-
#   Flags `spec.image` with the tag `latest` and no digest.
# custom:
#   code: MCP213
#   name: latest-image-tag
#   level: error
#   help: "replace `latest` with a version tag, e.g. `repository:1.2.3`"
#   tags: [security, supply-chain]
#   security_severity: "5.3"
#   related: [kube-linter:latest-tag, kube-score:container-image-tag, polaris:tagNotSpecified, CKV_K8S_14, KSV013, DS001]
#   why: >-
#     `latest` moves. Two pods of the same Deployment can run different code, a node restart
#     silently upgrades the server, and there is no version to roll back to.
#   example: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:latest
#   instead: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:0.3.1
deny_latest_image_tag contains finding if {
	ref := lib.spec.image
	lib.image_tag(ref) == "latest"
	not lib.image_digest(ref)
	finding := {
		"msg": sprintf("image `%s` uses the moving tag latest", [ref]),
		"path": "/spec/image",
		"help": sprintf("replace `latest` with a version tag, e.g. `%s:1.2.3`", [lib.image_repository(ref)]),
	}
}

# METADATA
# title: Production image without a digest
# description: >-
#   Flags `spec.image` without an `@sha256:` digest in the production environment (an image
#   set with `--image` or `--set` is `production-image-not-pinned`'s).
# custom:
#   code: MCP214
#   name: image-without-digest-in-production
#   level: warning
#   help: "append the digest the registry reports for the tag: `repository:1.2.3@sha256:<digest>`"
#   tags: [security, supply-chain]
#   security_severity: "4.3"
#   related: [CKV_K8S_43]
#   why: >-
#     Tags are mutable: anyone who can push to the registry can change what `v1.0.0` means, and
#     the cluster will run it at the next pull. A digest pins the exact bytes that were tested
#     and scanned.
#   example: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:0.3.1
#   instead: |
#     spec:
#       image: ghcr.io/acme/weather-mcp:0.3.1@sha256:4f7c…   # tag for humans, digest for the cluster
warn_image_without_digest_in_production contains finding if {
	lib.production
	# An image set on the command line is production-image-not-pinned's (an error there).
	not "/spec/image" in object.get(input, "overridden", [])
	ref := lib.spec.image
	not lib.image_digest(ref)
	finding := {
		"msg": sprintf("production runs image `%s` %s; pin it with an @sha256: digest", [ref, pinned_by(ref)]),
		"path": "/spec/image",
		"help": sprintf("append the digest the registry reports for it: `%s@sha256:<digest>` (`docker buildx imagetools inspect %s` prints it)", [ref, ref]),
	}
}

pinned_by(ref) := "by tag only" if lib.image_tag(ref)

pinned_by(ref) := "without a tag or digest" if not lib.image_tag(ref)

# METADATA
# title: Dependency image without a version
# description: >-
#   Flags a dependency image with no tag, or the tag `latest`, and no digest.
# custom:
#   code: MCP215
#   name: dependency-image-without-version
#   level: warning
#   help: "give the dependency image a fixed version tag, e.g. `postgres:16-alpine`"
#   tags: [reliability, supply-chain]
#   related: [kube-linter:latest-tag, CKV_K8S_14, KSV013]
#   why: >-
#     Dependencies run in compose and in local development. A floating version means a new major
#     release of the database can arrive unannounced and break the data directory or the
#     protocol.
#   example: |
#     spec:
#       dependencies:
#         postgres: {image: postgres, port: 5432}
#   instead: |
#     spec:
#       dependencies:
#         postgres: {image: "postgres:16-alpine", port: 5432}
warn_dependency_image_without_version contains finding if {
	some name, dep in object.get(lib.spec, "dependencies", {})
	ref := dep.image
	not lib.image_digest(ref)
	floating(ref)
	finding := {
		"msg": sprintf("dependency `%s` uses image `%s` without a fixed version", [name, ref]),
		"path": sprintf("/spec/dependencies/%s/image", [lib.escape(name)]),
		"help": sprintf("give `%s` a fixed version tag, e.g. `%s:<version>`", [name, lib.image_repository(ref)]),
	}
}

floating(ref) if not lib.image_tag(ref)

floating(ref) if lib.image_tag(ref) == "latest"
