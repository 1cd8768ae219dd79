# Scaling rules: replica counts in production, the HPA and the VPA.
package mcpgen.scaling

import data.mcpgen.lib

# METADATA
# title: HPA minimum below two in production
# description: >-
#   Flags an HPA whose `minReplicas` is below 2 in the production environment.
# custom:
#   code: MCP222
#   name: hpa-min-replicas-below-two-in-production
#   level: warning
#   help: "set `autoscaling.minReplicas: 2` (or more) in the production overlay"
#   tags: [reliability, scaling]
#   related: [kube-linter:hpa-minimum-three-replicas, polaris:hpaMinAvailability]
#   why: >-
#     At night the HPA scales to its minimum. With one replica a node drain, an eviction or a
#     rollout takes the server down, and every client session with it.
#   example: |
#     environments:
#       production:
#         spec: {autoscaling: {minReplicas: 1, maxReplicas: 5}}
#   instead: |
#     environments:
#       production:
#         spec: {autoscaling: {minReplicas: 2, maxReplicas: 5}}
warn_hpa_min_replicas_below_two_in_production contains finding if {
	lib.production
	lib.hpa_min < 2
	finding := {
		"msg": sprintf("the HPA may scale production down to %d replica; one disruption takes the server down", [lib.hpa_min]),
		"path": "/spec/autoscaling/minReplicas",
	}
}

# METADATA
# title: Fewer than two replicas in production
# description: >-
#   Flags a production server without an HPA that runs fewer than 2 replicas.
# custom:
#   code: MCP223
#   name: replicas-below-two-in-production
#   level: warning
#   help: "set `replicas: 2` (or more) in the production overlay"
#   tags: [reliability, scaling]
#   related: [kube-score:deployment-replicas, kube-linter:minimum-three-replicas, polaris:deploymentMissingReplicas]
#   why: >-
#     A single replica means downtime at every node drain, eviction and rollout that cannot
#     surge, and no PodDisruptionBudget can protect it.
#   example: |
#     environments:
#       production:
#         spec: {replicas: 1}
#   instead: |
#     environments:
#       production:
#         spec: {replicas: 2}
warn_replicas_below_two_in_production contains finding if {
	lib.production
	not lib.hpa_enabled
	lib.replicas < 2
	finding := {
		"msg": sprintf("production runs %d replica without an HPA; one disruption takes the server down", [lib.replicas]),
		"path": "/spec/replicas",
	}
}

# METADATA
# title: HPA and VPA both act on CPU or memory
# description: >-
#   Flags an HPA that scales on CPU or memory utilisation while an active VPA (any mode but
#   `Off`) manages the same resources' requests.
# custom:
#   code: MCP224
#   name: hpa-and-vpa-on-same-resource
#   level: warning
#   help: "leave CPU and memory to one of them: `verticalScaling.mode: \"Off\"`, or scale out on `autoscaling.requestsPerSecond`"
#   tags: [reliability, scaling]
#   related: []
#   why: >-
#     The HPA's utilisation is usage divided by the request, and the VPA changes the request.
#     The two controllers chase each other: the VPA raises requests, utilisation drops, the HPA
#     scales in, usage per pod rises, and so on. The VPA documentation says not to combine
#     them on CPU or memory. mcpgen therefore never lets the VPA act on a resource the HPA
#     targets, so such a VPA silently does less than the spec suggests, or nothing at all.
#   example: |
#     spec:
#       autoscaling: {maxReplicas: 10, targetCPU: 70}
#       verticalScaling: {mode: Initial}
#   instead: |
#     spec:
#       autoscaling: {maxReplicas: 10, requestsPerSecond: 100}   # scale out on traffic
#       verticalScaling: {mode: Initial}                         # size pods on usage
warn_hpa_and_vpa_on_same_resource contains finding if {
	lib.hpa_enabled
	lib.vpa_active
	resources := [r | some field, r in {"targetCPU": "cpu", "targetMemory": "memory"}; lib.hpa[field]]
	count(resources) > 0
	finding := {
		"msg": sprintf("the HPA scales on %s utilisation and the VPA (mode %s) would resize the same requests; mcpgen keeps the VPA off resources the HPA targets%s", [concat(" and ", resources), lib.spec.verticalScaling.mode, leftover(resources)]),
		"path": "/spec/verticalScaling/mode",
	}
}

leftover(resources) := ", which leaves it nothing to manage" if count(resources) == 2

leftover(resources) := "" if count(resources) < 2

# METADATA
# title: HPA target without a request
# description: >-
#   Flags an HPA CPU or memory utilisation target when the spec leaves the request for that
#   resource to mcpgen's default: the HPA then scales on a percentage of a guess. mcpgen always
#   sets a request, so the finding is a warning; raise it to an error in mcpgen.toml to require
#   explicit requests under an HPA.
# custom:
#   code: MCP225
#   name: hpa-target-without-request
#   level: error
#   help: "set the request the HPA target is a percentage of, e.g. `resources.requests.cpu`"
#   tags: [reliability, scaling]
#   related: [kube-score:horizontalpodautoscaler-has-target]
#   why: >-
#     Utilisation is a percentage of the request. Without a request the HPA reports "missing
#     request for cpu" and never scales.
#   example: |
#     spec:
#       autoscaling: {maxReplicas: 5, targetCPU: 70}
#   instead: |
#     spec:
#       resources: {requests: {cpu: 250m}}
#       autoscaling: {maxReplicas: 5, targetCPU: 70}
deny_hpa_target_without_request contains finding if {
	some field, resource in {"targetCPU": "cpu", "targetMemory": "memory"}
	lib.hpa[field]
	not lib.defaulted_under(sprintf("/spec/autoscaling/%s", [field]))
	lib.defaulted_under(sprintf("/spec/resources/requests/%s", [resource]))
	finding := {
		"msg": sprintf("autoscaling.%s is a percentage of the %s request, which the spec leaves to mcpgen's default (%v); the HPA would scale on a guess", [field, resource, lib.requests[resource]]),
		"path": sprintf("/spec/autoscaling/%s", [field]),
		"level": "warning",
	}
}

# METADATA
# title: HPA without a metric
# description: >-
#   Flags an HPA with none of `targetCPU`, `targetMemory` and `requestsPerSecond` (mcpgen then
#   scales on 70% CPU).
# custom:
#   code: MCP226
#   name: hpa-without-metrics
#   level: warning
#   help: "give the HPA a metric: `autoscaling.targetCPU: 70`, `targetMemory` or `requestsPerSecond`"
#   tags: [reliability, scaling]
#   related: [kube-score:horizontalpodautoscaler-has-target]
#   why: >-
#     An HPA without a metric target has nothing to scale on; it keeps the replica count at its
#     minimum and hides the fact that the server never scales.
#   example: |
#     spec:
#       autoscaling: {minReplicas: 2, maxReplicas: 10}
#   instead: |
#     spec:
#       autoscaling: {minReplicas: 2, maxReplicas: 10, targetCPU: 70}
warn_hpa_without_metrics contains finding if {
	lib.hpa_enabled
	targets := [f |
		some f in ["targetCPU", "targetMemory", "requestsPerSecond"]
		lib.hpa[f]
		not lib.defaulted_under(sprintf("/spec/autoscaling/%s", [f]))
	]
	count(targets) == 0
	finding := {
		"msg": "autoscaling sets no target (targetCPU, targetMemory or requestsPerSecond); mcpgen falls back to 70% CPU, which may not be what loads this server",
		"path": "/spec/autoscaling",
	}
}
