package mcpgen.namespace

import data.mcpgen.test_inputs as t

shared(patch) := object.union(t.spec(patch), {"metadata": {"namespace": "team-tools", "namespaceOwnership": "shared"}})

owned_in(ns, defaulted) := object.union(t.defaulted({}, defaulted), {"metadata": {"namespace": ns, "namespaceOwnership": "owned"}})

test_quota_in_shared_namespace if {
	{f.path | some f in deny_quota_in_shared_namespace} == {"/spec/quota"} with input as shared({"quota": {"pods": 10}})
	count(deny_quota_in_shared_namespace) == 0 with input as shared({})
	count(deny_quota_in_shared_namespace) == 0 with input as t.spec({"quota": {"pods": 10}})
}

test_owned_system_namespace if {
	{f.path | some f in deny_owned_system_namespace} == {"/metadata/namespaceOwnership"} with input as owned_in("kube-system", [])
	{f.path | some f in deny_owned_system_namespace} == {"/metadata/namespace"} with input as owned_in("default", ["/metadata/namespaceOwnership"])
	count(deny_owned_system_namespace) == 0 with input as owned_in("tickets", [])
	count(deny_owned_system_namespace) == 0 with input as object.union(owned_in("default", []), {"metadata": {"namespaceOwnership": "shared"}})
}
