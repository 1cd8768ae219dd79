package mcpgen.scaling

test_hpa_min_in_production if {
	spec := {"autoscaling": {"minReplicas": 1, "maxReplicas": 3}}
	count(warn_hpa_min_replicas_below_two_in_production) == 1 with input as {"environment": "production", "spec": spec}
	count(warn_hpa_min_replicas_below_two_in_production) == 0 with input as {"environment": "staging", "spec": spec}
	count(warn_hpa_min_replicas_below_two_in_production) == 0 with input as {"environment": "prod", "spec": {"autoscaling": {"maxReplicas": 3}}}
}

test_replicas_in_production if {
	count(warn_replicas_below_two_in_production) == 1 with input as {"environment": "prod", "spec": {}}
	count(warn_replicas_below_two_in_production) == 0 with input as {"environment": "prod", "spec": {"replicas": 2}}
	count(warn_replicas_below_two_in_production) == 0 with input as {"environment": "prod", "spec": {"autoscaling": {"maxReplicas": 3}}}
	count(warn_replicas_below_two_in_production) == 0 with input as {"environment": null, "spec": {}}
}

test_hpa_and_vpa if {
	spec := {"autoscaling": {"maxReplicas": 3, "targetMemory": 80}, "verticalScaling": {"mode": "Recreate"}}
	some f in warn_hpa_and_vpa_on_same_resource with input as {"spec": spec}
	contains(f.msg, "memory")
	count(warn_hpa_and_vpa_on_same_resource) == 0 with input as {"spec": object.union(spec, {"verticalScaling": {"mode": "Off"}})}
	count(warn_hpa_and_vpa_on_same_resource) == 0 with input as {"spec": object.union(spec, {"autoscaling": {"enabled": false}})}
}

test_target_without_request if {
	spec := {"autoscaling": {"maxReplicas": 3, "targetCPU": 70}, "resources": {"requests": {"memory": "1Gi"}}}
	{f.path | some f in deny_hpa_target_without_request} == {"/spec/autoscaling/targetCPU"} with input as {"spec": spec}
}

test_hpa_without_metrics if {
	count(warn_hpa_without_metrics) == 1 with input as {"spec": {"autoscaling": {"maxReplicas": 3}}}
	count(warn_hpa_without_metrics) == 0 with input as {"spec": {"autoscaling": {"maxReplicas": 3, "requestsPerSecond": 5}}}
}

test_target_on_defaulted_request if {
	# The memory request is mcpgen's default: a warning on the memory target only.
	spec := {"autoscaling": {"maxReplicas": 3, "targetCPU": 70, "targetMemory": 80}, "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}}
	fs := deny_hpa_target_without_request with input as {"spec": spec, "defaulted": ["/spec/resources/requests/memory"]}
	{[f.path, f.level] | some f in fs} == {["/spec/autoscaling/targetMemory", "warning"]}
	# A target that is itself mcpgen's default is hpa-without-metrics' business.
	count(deny_hpa_target_without_request) == 0 with input as {"spec": spec, "defaulted": ["/spec/autoscaling/targetCPU", "/spec/resources"]} with input.spec.autoscaling as {"maxReplicas": 3, "targetCPU": 70}
}

test_hpa_default_target if {
	spec := {"autoscaling": {"maxReplicas": 3, "targetCPU": 70}}
	count(warn_hpa_without_metrics) == 1 with input as {"spec": spec, "defaulted": ["/spec/autoscaling/targetCPU"]}
	count(warn_hpa_without_metrics) == 0 with input as {"spec": spec, "defaulted": []}
}
