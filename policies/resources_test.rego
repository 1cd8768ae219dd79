package mcpgen.resources

import data.mcpgen.test_inputs as t

full := {"resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}

test_quota_bounds if {
	spec := object.union(full, {"quota": {"containerMax": {"cpu": "500m", "memory": "4Gi"}, "containerMin": {"cpu": "500m"}}})
	{f.path | some f in deny_limits_above_quota_max} == {"/spec/resources/limits/cpu"} with input as t.spec(spec)
	{f.path | some f in deny_requests_below_quota_min} == {"/spec/resources/requests/cpu"} with input as t.spec(spec)
	count(deny_limits_above_quota_max) == 0 with input as t.spec(object.union(full, {"quota": {"containerMax": {"cpu": "2", "memory": "1Gi"}}}))
}

test_vpa_max if {
	spec := {"verticalScaling": {"mode": "Initial", "maxAllowed": {"cpu": "4"}}, "quota": {"containerMax": {"cpu": "2"}}}
	count(warn_vpa_max_above_quota_max) == 1 with input as t.spec(spec)
	count(warn_vpa_max_above_quota_max) == 0 with input as t.spec(object.union(spec, {"verticalScaling": {"mode": "Off"}}))
}

test_quota_too_small if {
	# 3 replicas + 1 surge + 1 terminating = 5 pods of 1Gi limits.
	spec := object.union(full, {"replicas": 3, "rollout": {"maxSurge": 1}, "quota": {"limits": {"memory": "4Gi"}}})
	count(deny_quota_too_small_for_replicas) == 1 with input as t.spec(spec)
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(object.union(spec, {"quota": {"limits": {"memory": "5Gi"}}}))
	hpa := {"autoscaling": {"enabled": true, "minReplicas": 2, "maxReplicas": 3}}
	count(deny_quota_too_small_for_replicas) == 1 with input as t.spec(object.union(spec, object.union({"replicas": 1}, hpa)))
}

test_quota_pods_at_peak if {
	# maxReplicas 10 and maxSurge 3: 16 pods at the peak.
	spec := {"autoscaling": {"enabled": true, "minReplicas": 2, "maxReplicas": 10, "targetCPU": 70}, "rollout": {"maxSurge": 3}, "quota": {"pods": 13}}
	{f.path | some f in deny_quota_too_small_for_replicas} == {"/spec/quota/pods"} with input as t.spec(spec)
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(object.union(spec, {"quota": {"pods": 16}}))
}

test_quota_at_the_vpa_bound if {
	# The VPA may raise memory from 512Mi to 1Gi, and the 1Gi limit with it to 2Gi:
	# 2 replicas + 1 + 1 = 4 pods need 8Gi of limits.
	spec := object.union(full, {"replicas": 2, "rollout": {"maxSurge": 1}, "verticalScaling": {"mode": "Recreate", "maxAllowed": {"memory": "1Gi"}}, "quota": {"limits": {"memory": "6Gi"}}})
	{f.path | some f in deny_quota_too_small_for_replicas} == {"/spec/quota/limits/memory"} with input as t.spec(spec)
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(object.union(spec, {"quota": {"limits": {"memory": "8Gi"}}}))
	# Off: the VPA only recommends.
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(object.union(spec, {"verticalScaling": {"mode": "Off"}}))
	# The HPA scales on memory: mcpgen keeps the VPA off it.
	hpa := {"autoscaling": {"enabled": true, "minReplicas": 2, "maxReplicas": 2, "targetMemory": 80}}
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(object.union(spec, hpa))
	# No bound at all.
	unbounded := object.union(spec, {"quota": {"limits": {"memory": "8Gi"}, "requests": {"cpu": "100"}}})
	{f.path | some f in deny_quota_too_small_for_replicas} == {"/spec/verticalScaling"} with input as t.spec(unbounded)
}

test_defaulted_requests_and_limits if {
	# Nothing stated: both rules fire at the spec, naming the defaults.
	some r in warn_missing_resource_requests with input as t.defaulted(full, ["/spec/resources"])
	r.path == "/spec"
	r.level == "note"
	contains(r.msg, "250m cpu and 512Mi memory")
	# Requests stated, limits left out: only the limits rule, at the resources the user wrote.
	count(warn_missing_resource_requests) == 0 with input as t.defaulted(full, ["/spec/resources/limits"])
	some l in warn_missing_resource_limits with input as t.defaulted(full, ["/spec/resources/limits"])
	l.path == "/spec/resources"
	# One request left out: at the requests object.
	some m in warn_missing_resource_requests with input as t.defaulted(full, ["/spec/resources/requests/memory"])
	m.path == "/spec/resources/requests"
	contains(m.msg, "no memory request")
	# Everything stated: silent.
	count(warn_missing_resource_limits) == 0 with input as t.spec(full)
	count(warn_missing_resource_requests) == 0 with input as t.spec(full)
}

test_quota_pods_at_the_peak_of_a_progressive_rollout if {
	# maxReplicas 10: a blue-green rollout, or a routed canary, runs 20 pods at its peak.
	hpa := {"autoscaling": {"enabled": true, "minReplicas": 2, "maxReplicas": 10, "targetCPU": 70}, "rollout": {"maxSurge": 3}}
	bg := object.union(hpa, {"rollout": {"strategy": "blueGreen"}, "quota": {"pods": 19}})
	count(deny_quota_too_small_for_replicas) == 1 with input as t.spec(bg)
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(object.union(bg, {"quota": {"pods": 20}}))
	routed := object.union(hpa, {"rollout": {"strategy": "canary", "trafficRouter": "nginx"}, "quota": {"pods": 19}})
	count(deny_quota_too_small_for_replicas) == 1 with input as t.spec(routed)
	# A canary without a router moves pods like a rolling update: 10 + 3 + 3.
	replicas := object.union(hpa, {"rollout": {"strategy": "canary", "trafficRouter": "none"}, "quota": {"pods": 16}})
	count(deny_quota_too_small_for_replicas) == 0 with input as t.spec(replicas)
}
