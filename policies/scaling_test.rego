package mcpgen.scaling

import data.mcpgen.test_inputs as t

hpa(fields) := {"autoscaling": object.union({"enabled": true, "minReplicas": 2, "maxReplicas": 3}, fields)}

test_hpa_min_in_production if {
	spec := hpa({"minReplicas": 1})
	count(warn_hpa_min_replicas_below_two_in_production) == 1 with input as t.in_env(spec, "production")
	count(warn_hpa_min_replicas_below_two_in_production) == 0 with input as t.in_env(spec, "staging")
	count(warn_hpa_min_replicas_below_two_in_production) == 0 with input as t.in_env(hpa({}), "prod")
}

test_replicas_in_production if {
	count(warn_replicas_below_two_in_production) == 1 with input as t.in_env({"replicas": 1}, "prod")
	count(warn_replicas_below_two_in_production) == 0 with input as t.in_env({"replicas": 2}, "prod")
	count(warn_replicas_below_two_in_production) == 0 with input as t.in_env(object.union({"replicas": 1}, hpa({})), "prod")
	count(warn_replicas_below_two_in_production) == 0 with input as t.spec({"replicas": 1})
}

test_hpa_and_vpa if {
	spec := object.union(hpa({"targetMemory": 80}), {"verticalScaling": {"mode": "Recreate"}})
	some f in warn_hpa_and_vpa_on_same_resource with input as t.spec(spec)
	contains(f.msg, "memory")
	count(warn_hpa_and_vpa_on_same_resource) == 0 with input as t.spec(object.union(spec, {"verticalScaling": {"mode": "Off"}}))
	count(warn_hpa_and_vpa_on_same_resource) == 0 with input as t.spec(object.union(spec, {"autoscaling": {"enabled": false}}))
}

test_hpa_without_metrics if {
	count(warn_hpa_without_metrics) == 1 with input as t.defaulted(hpa({"targetCPU": 70}), ["/spec/autoscaling/targetCPU"])
	count(warn_hpa_without_metrics) == 0 with input as t.spec(hpa({"requestsPerSecond": 5}))
	count(warn_hpa_without_metrics) == 0 with input as t.spec(hpa({"targetCPU": 70}))
}

test_target_on_defaulted_request if {
	# The memory request is mcpgen's default: a warning on the memory target only.
	spec := object.union(hpa({"targetCPU": 70, "targetMemory": 80}), {"resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}})
	fs := deny_hpa_target_without_request with input as t.defaulted(spec, ["/spec/resources/requests/memory"])
	{f.path | some f in fs} == {"/spec/autoscaling/targetMemory"}
	# A target that is itself mcpgen's default is hpa-without-metrics' business.
	count(deny_hpa_target_without_request) == 0 with input as t.defaulted(hpa({"targetCPU": 70}), ["/spec/autoscaling/targetCPU", "/spec/resources"])
	# Requests stated: silent.
	count(deny_hpa_target_without_request) == 0 with input as t.spec(spec)
}
