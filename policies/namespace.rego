# Namespace rules: who owns the namespace, and what only an owner may write into it.
package mcpgen.namespace

import data.mcpgen.lib

# METADATA
# title: Quota in a shared namespace
# description: >-
#   Flags a `quota` on a server whose namespace is shared (`metadata.namespaceOwnership:
#   shared`): mcpgen writes no ResourceQuota or LimitRange there, so the quota would silently
#   do nothing.
# custom:
#   code: MCP250
#   name: quota-in-shared-namespace
#   level: error
#   help: "give the server a namespace of its own (`metadata.namespaceOwnership: owned`), or remove `quota`"
#   tags: [reliability, resources, namespace]
#   related: [KSV040]
#   why: >-
#     A ResourceQuota and a LimitRange act on every pod of the namespace. Sized for one server
#     and applied to a namespace with other tenants, the quota rejects their pods once this
#     server uses it up, and the LimitRange changes their defaults. mcpgen therefore writes
#     them only into a namespace the server owns, and a quota on a shared one is a mistake to
#     fix, not a setting to drop quietly.
#   example: |
#     metadata:
#       namespace: team-tools
#       namespaceOwnership: shared
#     spec:
#       quota: {pods: 10}
#   instead: |
#     metadata:
#       namespace: tickets
#       namespaceOwnership: owned
#     spec:
#       quota: {pods: 10}
deny_quota_in_shared_namespace contains finding if {
	input.metadata.namespaceOwnership == "shared"
	is_object(lib.spec.quota)
	finding := {
		"msg": sprintf("namespace `%s` is shared, so mcpgen writes no ResourceQuota or LimitRange into it; give the server its own namespace to set a quota", [input.metadata.namespace]),
		"path": "/spec/quota",
	}
}

# METADATA
# title: Owning a system namespace
# description: >-
#   Flags a server that owns (`metadata.namespaceOwnership: owned`, the default with a quota)
#   one of the namespaces every cluster has: `default`, `kube-system`, `kube-public`,
#   `kube-node-lease`.
# custom:
#   code: MCP251
#   name: owned-system-namespace
#   level: error
#   help: "give the server a namespace of its own, e.g. `metadata.namespace: tickets`, or set `metadata.namespaceOwnership: shared`"
#   tags: [reliability, namespace]
#   related: []
#   why: >-
#     An owned namespace gets mcpgen's Namespace object (enforcing the restricted Pod Security
#     Standard), its quota and its LimitRange, and `kubectl delete -k` deletes it with
#     everything in it. In `default` or `kube-system` that breaks every other workload there,
#     and deleting the server deletes the cluster's own components.
#   example: |
#     metadata:
#       namespace: kube-system
#     spec:
#       quota: {pods: 10}
#   instead: |
#     metadata:
#       namespace: tickets
#     spec:
#       quota: {pods: 10}
deny_owned_system_namespace contains finding if {
	input.metadata.namespaceOwnership == "owned"
	input.metadata.namespace in {"default", "kube-system", "kube-public", "kube-node-lease"}
	finding := {
		"msg": sprintf("the server would own `%s`, a namespace every cluster has: mcpgen would enforce its Pod Security Standard and quota there, and deleting the server would delete it", [input.metadata.namespace]),
		"path": ownership_pointer,
		"help": sprintf("give the server a namespace of its own instead of `%s` (`metadata.namespace`), or set `metadata.namespaceOwnership: shared`", [input.metadata.namespace]),
	}
}

ownership_pointer := "/metadata/namespaceOwnership" if not lib.defaulted_under("/metadata/namespaceOwnership")

ownership_pointer := "/metadata/namespace" if lib.defaulted_under("/metadata/namespaceOwnership")
