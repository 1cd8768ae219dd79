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
