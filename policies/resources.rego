# Resource rules: requests and limits, and how they fit the namespace quota.
package mcpgen.resources

import data.mcpgen.lib

# METADATA
# title: Missing resource requests
# description: >-
#   Flags a server that states no CPU or memory request. mcpgen never deploys without one: the
#   finding is a note that names the default it filled in (100m CPU, 128Mi memory); raise it
#   to a warning or an error in mcpgen.toml to require explicit requests.
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
#   Flags a server that states no CPU or memory limit. mcpgen never deploys without one: the
#   finding is a note that names the default it filled in (500m CPU, 512Mi memory); raise it
#   to a warning or an error in mcpgen.toml to require explicit limits.
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
# title: Quota too small for the rollout at its peak
# description: >-
#   Flags a namespace quota whose pod count, total requests or total limits cannot hold the
#   server at the peak of a rollout: the largest replica count, plus `rollout.maxSurge` pods
#   started by the rolling update, plus as many pods the previous step replaced and that still
#   terminate (twice the largest count for a blue-green rollout or a canary with a traffic
#   router), each at what the VPA may set.
# custom:
#   code: MCP221
#   name: quota-too-small-for-replicas
#   level: error
#   help: "raise the quota to hold the rollout's peak (surge and terminating pods, or a second set of pods for blue-green and routed canaries, at the VPA's `maxAllowed`), or lower the replica count, the surge or the requests"
#   tags: [reliability, resources, scaling]
#   related: [KSV040]
#   why: >-
#     The ResourceQuota caps the namespace's pods and its total requests and limits, and it
#     counts a terminating pod until its grace period ends. A quota sized to `maxReplicas` alone
#     refuses the surge pods of every rollout at full scale (the rollout stalls and hits its
#     progress deadline) and the pods the HPA adds at peak load. A VPA may raise requests up to
#     `maxAllowed`, with limits scaled by the same ratio, so the quota must hold those too.
#   example: |
#     spec:
#       resources: {requests: {cpu: "1"}}
#       autoscaling: {maxReplicas: 10}
#       quota: {pods: 10, requests: {cpu: "10"}}
#   instead: |
#     spec:
#       resources: {requests: {cpu: "1"}}
#       autoscaling: {maxReplicas: 10}
#       rollout: {maxSurge: 3}
#       quota: {pods: 16, requests: {cpu: "16"}}
deny_quota_too_small_for_replicas contains finding if {
	some kind in ["requests", "limits"]
	total := lib.spec.quota[kind]
	some resource, cap in total
	per_pod := at_peak(kind, resource)
	needed := per_pod * peak
	needed > lib.quantity(resource, cap)
	finding := {
		"msg": sprintf("%s: each at %s %s, they need %s %s; quota.%s.%s is %v", [peak_text, units_text(resource, per_pod), resource, units_text(resource, needed), kind, kind, resource, cap]),
		"path": sprintf("/spec/quota/%s/%s", [kind, resource]),
		"help": sprintf("raise `quota.%s.%s` to at least %s, or lower %s or the %s", [kind, resource, units_text(resource, needed), lower_hint, kind]),
	}
}

deny_quota_too_small_for_replicas contains finding if {
	pods := lib.spec.quota.pods
	pods < peak
	finding := {
		"msg": sprintf("%s; quota.pods admits %d, so the rollout stalls at its peak", [peak_text, pods]),
		"path": "/spec/quota/pods",
		"help": sprintf("raise `quota.pods` to at least %d, or lower %s", [peak, lower_hint]),
	}
}

deny_quota_too_small_for_replicas contains finding if {
	some resource in {r | some kind in ["requests", "limits"]; some r, _ in lib.spec.quota[kind]}
	vpa_scales(resource)
	not lib.spec.verticalScaling.maxAllowed[resource]
	finding := {
		"msg": sprintf("the VPA may raise the %s request without bound, so no quota on %s can be shown to hold the rollout; set verticalScaling.maxAllowed.%s", [resource, resource, resource]),
		"path": "/spec/verticalScaling",
		"help": sprintf("set `verticalScaling.maxAllowed.%s` to the most the VPA may request, then size the quota for it", [resource]),
	}
}

largest := lib.hpa.maxReplicas if lib.hpa_enabled

largest := lib.replicas if not lib.hpa_enabled

surge := lib.spec.rollout.maxSurge

# A blue-green rollout, and a canary with a traffic router, run a whole second set of pods
# beside the first until the switch.
doubles if lib.spec.rollout.strategy == "blueGreen"

doubles if {
	lib.spec.rollout.strategy == "canary"
	lib.spec.rollout.trafficRouter != "none"
}

peak := 2 * largest if doubles

# The largest replica count, the surge, and the pods the previous step replaced.
peak := (largest + surge) + surge if not doubles

# What a smaller peak would lower, for the help lines.
replicas_field := "`autoscaling.maxReplicas`" if lib.hpa_enabled

replicas_field := "`replicas`" if not lib.hpa_enabled

lower_hint := replicas_field if doubles

lower_hint := sprintf("%s, `rollout.maxSurge`", [replicas_field]) if not doubles

peak_text := sprintf("%d replicas of the old version + %d of the new one = %d pods at the peak of a rollout", [largest, largest, peak]) if doubles

peak_text := sprintf("%d replicas + %d surge + %d still terminating = %d pods at the peak of a rollout", [largest, surge, surge, peak]) if not doubles

# Whether an active VPA sets this resource: mcpgen keeps the VPA off what the HPA scales on
# (and writes it with `updateMode: Off` when that leaves nothing).
vpa_scales(resource) if {
	lib.vpa_active
	not hpa_targets(resource)
}

hpa_targets("cpu") if lib.hpa.targetCPU

hpa_targets("memory") if lib.hpa.targetMemory

# Per pod, in millicores or bytes: the container's value, or at the VPA's maxAllowed, with the
# limit scaled by the same ratio as the request.
at_peak("requests", resource) := lib.quantity(resource, lib.requests[resource]) if not vpa_scales(resource)

at_peak("limits", resource) := lib.quantity(resource, lib.limits[resource]) if not vpa_scales(resource)

at_peak("requests", resource) := raised(resource) if vpa_scales(resource)

at_peak("limits", resource) := ceil((lib.quantity(resource, lib.limits[resource]) * raised(resource)) / lib.quantity(resource, lib.requests[resource])) if vpa_scales(resource)

raised(resource) := max([lib.quantity(resource, lib.requests[resource]), lib.quantity(resource, lib.spec.verticalScaling.maxAllowed[resource])])

units_text("cpu", v) := sprintf("%vm", [round(v)])

units_text("memory", v) := sprintf("%v bytes", [round(v)])
