package mcpgen.resources

full := {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}

test_missing_requests_and_limits if {
	count(warn_missing_resource_requests) == 1 with input as {"spec": {}}
	count(warn_missing_resource_limits) == 1 with input as {"spec": {"resources": {"requests": {"cpu": "1"}}}}
	count(warn_missing_resource_requests) == 0 with input as {"spec": {"resources": full}}
	count(warn_missing_resource_limits) == 0 with input as {"spec": {"resources": full}}
}

test_missing_requests_points_at_requests if {
	some f in warn_missing_resource_requests with input as {"spec": {"resources": {"requests": {"cpu": "1"}}}}
	f.path == "/spec/resources/requests"
	contains(f.msg, "memory")
}

test_quota_bounds if {
	spec := {"resources": full, "quota": {"containerMax": {"cpu": "500m", "memory": "4Gi"}, "containerMin": {"cpu": "500m"}}}
	{f.path | some f in deny_limits_above_quota_max} == {"/spec/resources/limits/cpu"} with input as {"spec": spec}
	{f.path | some f in deny_requests_below_quota_min} == {"/spec/resources/requests/cpu"} with input as {"spec": spec}
	count(deny_limits_above_quota_max) == 0 with input as {"spec": {"resources": full, "quota": {"containerMax": {"cpu": "2", "memory": "1Gi"}}}}
}

test_vpa_max if {
	spec := {"verticalScaling": {"mode": "Initial", "maxAllowed": {"cpu": "4"}}, "quota": {"containerMax": {"cpu": "2"}}}
	count(warn_vpa_max_above_quota_max) == 1 with input as {"spec": spec}
	count(warn_vpa_max_above_quota_max) == 0 with input as {"spec": object.union(spec, {"verticalScaling": {"mode": "Off"}})}
}

test_quota_too_small if {
	spec := {"resources": full, "replicas": 3, "quota": {"limits": {"memory": "2Gi"}}}
	count(warn_quota_too_small_for_replicas) == 1 with input as {"spec": spec}
	count(warn_quota_too_small_for_replicas) == 0 with input as {"spec": object.union(spec, {"replicas": 2})}
}

test_defaulted_requests_and_limits if {
	resolved := {"spec": {"resources": full}}
	# Nothing stated: both rules fire at the spec, naming the defaults.
	some r in warn_missing_resource_requests with input as object.union(resolved, {"defaulted": ["/spec/resources"]})
	r.path == "/spec"
	r.level == "note"
	contains(r.msg, "250m cpu and 512Mi memory")
	# Requests stated, limits left out: only the limits rule, at the resources the user wrote.
	count(warn_missing_resource_requests) == 0 with input as object.union(resolved, {"defaulted": ["/spec/resources/limits"]})
	some l in warn_missing_resource_limits with input as object.union(resolved, {"defaulted": ["/spec/resources/limits"]})
	l.path == "/spec/resources"
	# One request left out: at the requests object.
	some m in warn_missing_resource_requests with input as object.union(resolved, {"defaulted": ["/spec/resources/requests/memory"]})
	m.path == "/spec/resources/requests"
	contains(m.msg, "no memory request")
	# Everything stated: silent.
	count(warn_missing_resource_limits) == 0 with input as object.union(resolved, {"defaulted": []})
}
