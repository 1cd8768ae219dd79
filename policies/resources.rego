# Resource rules: requests and limits, and how they fit the namespace quota.
package mcpgen.resources

import data.mcpgen.lib

# METADATA
# title: Missing resource requests
# description: >-
#   Flags a server that states no CPU or memory request: a warning when the input has none at
#   all, a note when mcpgen fills in its default (100m CPU, 128Mi memory).
# custom:
#   code: MCP216
#   name: missing-resource-requests
#   level: warning
#   help: "set `resources.requests.cpu` and `resources.requests.memory` to what the server uses at steady state"
#   tags: [reliability, resources]
#   related: [kube-linter:unset-cpu-requirements, kube-linter:unset-memory-requirements, kube-score:container-resources, polaris:cpuRequestsMissing, polaris:memoryRequestsMissing, CKV_K8S_10, CKV_K8S_12, KSV015, KSV016]
#   why: >-
#     Without requests the scheduler places the pod as if it needed nothing, the pod is the first
#     to be evicted under pressure (BestEffort or Burstable), and an HPA on utilisation has no
#     denominator. mcpgen never deploys without requests, but its defaults are a guess: too low
#     and the node is overcommitted, too high and capacity is wasted.
#   example: |
#     spec:
#       resources:
#         limits: {cpu: "1", memory: 1Gi}
#   instead: |
#     spec:
#       resources:
#         requests: {cpu: 250m, memory: 512Mi}
#         limits: {cpu: "1", memory: 1Gi}
warn_missing_resource_requests contains finding if {
	missing := [r | some r in ["cpu", "memory"]; not lib.requests[r]]
	count(missing) > 0
	finding := {
		"msg": sprintf("no %s request: the scheduler reserves nothing for the server", [concat(" or ", missing)]),
		"path": pointer_to("requests"),
	}
}

warn_missing_resource_requests contains finding if {
	guessed := unstated("requests")
	count(guessed) > 0
	finding := {
		"msg": sprintf("the spec sets no %s request; mcpgen requests %s, a default that may not fit this server", [concat(" or ", guessed), defaults_text("requests", guessed)]),
		"path": pointer_to("requests"),
		"level": "note",
		"help": sprintf("write the requests this server needs under `resources.requests` (`mcpgen fix` writes %s explicitly)", [defaults_text("requests", guessed)]),
	}
}

# METADATA
# title: Missing resource limits
# description: >-
#   Flags a server that states no CPU or memory limit: a warning when the input has none at
#   all, a note when mcpgen fills in its default (500m CPU, 512Mi memory).
# custom:
#   code: MCP217
#   name: missing-resource-limits
#   level: warning
#   help: "set `resources.limits.cpu` and `resources.limits.memory` to the most the server may use"
#   tags: [reliability, resources]
#   related: [kube-score:container-resources, polaris:cpuLimitsMissing, polaris:memoryLimitsMissing, CKV_K8S_11, CKV_K8S_13, KSV011, KSV018]
#   why: >-
#     Without a memory limit one leaking server can take the node's memory and get other pods
#     killed; without a CPU limit it can starve its neighbours. A LimitRange in the namespace may
#     also reject pods that set none.
#   example: |
#     spec:
#       resources:
#         requests: {cpu: 250m, memory: 512Mi}
#   instead: |
#     spec:
#       resources:
#         requests: {cpu: 250m, memory: 512Mi}
#         limits: {cpu: "1", memory: 1Gi}
warn_missing_resource_limits contains finding if {
	missing := [r | some r in ["cpu", "memory"]; not lib.limits[r]]
	count(missing) > 0
	finding := {
		"msg": sprintf("no %s limit: the server can use as much as the node has", [concat(" or ", missing)]),
		"path": pointer_to("limits"),
	}
}

warn_missing_resource_limits contains finding if {
	guessed := unstated("limits")
	count(guessed) > 0
	finding := {
		"msg": sprintf("the spec sets no %s limit; mcpgen limits the server to %s, a default that may not fit it", [concat(" or ", guessed), defaults_text("limits", guessed)]),
		"path": pointer_to("limits"),
		"level": "note",
		"help": sprintf("write the limits this server needs under `resources.limits` (`mcpgen fix` writes %s explicitly)", [defaults_text("limits", guessed)]),
	}
}

# Resources of a kind (requests or limits) that mcpgen's defaults filled in.
unstated(kind) := [r |
	some r in ["cpu", "memory"]
	lib.defaulted_under(sprintf("/spec/resources/%s/%s", [kind, r]))
]

defaults_text(kind, names) := concat(" and ", [sprintf("%v %s", [lib.resources[kind][r], r]) | some r in names])

# The most precise field the user wrote: the requests or limits object, else resources, else
# the spec.
pointer_to(kind) := sprintf("/spec/resources/%s", [kind]) if {
	lib.resources[kind]
	not lib.defaulted_under(sprintf("/spec/resources/%s", [kind]))
}

pointer_to(kind) := "/spec/resources" if {
	not written(sprintf("/spec/resources/%s", [kind]))
	written("/spec/resources")
}

pointer_to(kind) := "/spec" if not written("/spec/resources")

written(pointer) if {
	object.get(lib.spec, split(trim_prefix(pointer, "/spec/"), "/"), null) != null
	not lib.defaulted_under(pointer)
}

# METADATA
# title: Limit above the quota's container maximum
# description: >-
#   Flags a CPU or memory limit greater than `quota.containerMax`.
# custom:
#   code: MCP218
#   name: limits-above-quota-max
#   level: error
#   help: "lower the limit to the quota's `containerMax`, or raise `quota.containerMax`"
#   tags: [reliability, resources]
#   related: [KSV039]
#   why: >-
#     mcpgen writes `quota.containerMax` into the namespace's LimitRange. The API server rejects
#     every pod whose limit exceeds it, so the Deployment never gets a single pod.
#   example: |
#     spec:
#       resources:
#         limits: {memory: 8Gi}
#       quota:
#         containerMax: {memory: 4Gi}
#   instead: |
#     spec:
#       resources:
#         limits: {memory: 4Gi}
#       quota:
#         containerMax: {memory: 4Gi}
deny_limits_above_quota_max contains finding if {
	cmax := lib.spec.quota.containerMax
	some resource, bound in cmax
	limit := lib.limits[resource]
	lib.quantity(resource, limit) > lib.quantity(resource, bound)
	finding := {
		"msg": sprintf("the %s limit %v is above quota.containerMax %v; the LimitRange rejects the pod", [resource, limit, bound]),
		"path": sprintf("/spec/resources/limits/%s", [resource]),
		"help": sprintf("lower `resources.limits.%s` to at most %v, or raise `quota.containerMax.%s`", [resource, bound, resource]),
	}
}

# METADATA
# title: Request below the quota's container minimum
# description: >-
#   Flags a CPU or memory request smaller than `quota.containerMin`.
# custom:
#   code: MCP219
#   name: requests-below-quota-min
#   level: error
#   help: "raise the request to the quota's `containerMin`, or lower `quota.containerMin`"
#   tags: [reliability, resources]
#   related: [KSV039]
#   why: >-
#     mcpgen writes `quota.containerMin` into the namespace's LimitRange. The API server rejects
#     every pod whose request is below it.
#   example: |
#     spec:
#       resources:
#         requests: {cpu: 50m}
#       quota:
#         containerMin: {cpu: 100m}
#   instead: |
#     spec:
#       resources:
#         requests: {cpu: 100m}
#       quota:
#         containerMin: {cpu: 100m}
deny_requests_below_quota_min contains finding if {
	cmin := lib.spec.quota.containerMin
	some resource, bound in cmin
	request := lib.requests[resource]
	lib.quantity(resource, request) < lib.quantity(resource, bound)
	finding := {
		"msg": sprintf("the %s request %v is below quota.containerMin %v; the LimitRange rejects the pod", [resource, request, bound]),
		"path": sprintf("/spec/resources/requests/%s", [resource]),
		"help": sprintf("raise `resources.requests.%s` to at least %v, or lower `quota.containerMin.%s`", [resource, bound, resource]),
	}
}

# METADATA
# title: VPA bound above the quota's container maximum
# description: >-
#   Flags `verticalScaling.maxAllowed` above `quota.containerMax`.
# custom:
#   code: MCP220
#   name: vpa-max-above-quota-max
#   level: warning
#   help: "lower `verticalScaling.maxAllowed` to the quota's `containerMax`"
#   tags: [reliability, resources]
#   related: []
#   why: >-
#     The VPA may recommend up to `maxAllowed`. A recommendation above the LimitRange's maximum
#     produces pods the API server rejects, so the rollout stalls exactly when the server needs
#     more resources.
#   example: |
#     spec:
#       verticalScaling: {mode: Recreate, maxAllowed: {memory: 8Gi}}
#       quota: {containerMax: {memory: 4Gi}}
#   instead: |
#     spec:
#       verticalScaling: {mode: Recreate, maxAllowed: {memory: 4Gi}}
#       quota: {containerMax: {memory: 4Gi}}
warn_vpa_max_above_quota_max contains finding if {
	lib.vpa_active
	cmax := lib.spec.quota.containerMax
	some resource, bound in cmax
	allowed := lib.spec.verticalScaling.maxAllowed[resource]
	lib.quantity(resource, allowed) > lib.quantity(resource, bound)
	finding := {
		"msg": sprintf("the VPA may raise %s to %v, above quota.containerMax %v", [resource, allowed, bound]),
		"path": sprintf("/spec/verticalScaling/maxAllowed/%s", [resource]),
		"help": sprintf("lower `verticalScaling.maxAllowed.%s` to at most %v", [resource, bound]),
	}
}

# METADATA
# title: Quota too small for the largest scale
# description: >-
#   Flags a namespace quota whose total requests or limits cannot hold the server at its
#   largest replica count.
# custom:
#   code: MCP221
#   name: quota-too-small-for-replicas
#   level: warning
#   help: "raise the quota to cover the largest replica count, or lower `replicas`/`autoscaling.maxReplicas`"
#   tags: [reliability, resources, scaling]
#   related: [KSV040]
#   why: >-
#     The ResourceQuota caps the namespace's total requests and limits. When the HPA scales out
#     past what the quota holds, the new pods are refused at admission and the server stays
#     overloaded while the HPA reports it is scaling.
#   example: |
#     spec:
#       resources: {requests: {cpu: "1"}}
#       autoscaling: {maxReplicas: 10}
#       quota: {requests: {cpu: "4"}}
#   instead: |
#     spec:
#       resources: {requests: {cpu: "1"}}
#       autoscaling: {maxReplicas: 10}
#       quota: {requests: {cpu: "12"}}
warn_quota_too_small_for_replicas contains finding if {
	some kind in ["requests", "limits"]
	total := lib.spec.quota[kind]
	some resource, cap in total
	per_pod := lib.resources[kind][resource]
	needed := lib.quantity(resource, per_pod) * peak
	needed > lib.quantity(resource, cap)
	finding := {
		"msg": sprintf("%d replicas need %s %s of %v each, more than quota.%s.%s %v", [peak, resource, kind, per_pod, kind, resource, cap]),
		"path": sprintf("/spec/quota/%s/%s", [kind, resource]),
	}
}

peak := lib.hpa.maxReplicas if lib.hpa_enabled

peak := lib.replicas if not lib.hpa_enabled
