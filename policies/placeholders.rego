# Placeholder rules: values left for a person to fill in, such as the `<TODO: …>` markers
# `mcpgen import` writes for required arguments and variables the registry entry gives no
# value for.
package mcpgen.placeholders

import data.mcpgen.lib

# A JSON Pointer segment: object keys are escaped, array indices written as numbers.
segment(s) := lib.escape(s) if is_string(s)

segment(s) := sprintf("%d", [s]) if is_number(s)

# Whether any text of the spec could hold a placeholder: one search of the serialized spec,
# so the walk over every value (thousands for a large `env`) runs only when one may be there.
maybe_placeholder if contains(json.marshal(lib.spec), "<TODO")

# METADATA
# title: Unfilled placeholder
# description: >-
#   Flags any text value of the spec that contains `<TODO`: a placeholder such as
#   `<TODO: database_name>` that `mcpgen import` writes for a required argument or variable
#   the registry entry gives no value for.
# custom:
#   code: MCP237
#   name: unfilled-placeholder
#   level: error
#   help: "replace each `<TODO: ...>` placeholder with the real value (from the server's documentation or the team's settings)"
#   tags: [reliability]
#   related: []
#   why: >-
#     The server would be started with the placeholder itself as its argument or variable
#     value: it either refuses to start or, worse, starts and fails on the first request that
#     needs the value.
#   example: |
#     spec:
#       args: [--host, localhost, "<TODO: database_name>"]
#   instead: |
#     spec:
#       args: [--host, localhost, orders]
deny_unfilled_placeholder contains finding if {
	maybe_placeholder
	walk(lib.spec, [path, value])
	is_string(value)
	contains(value, "<TODO")
	finding := {
		"msg": sprintf("`%s` is a placeholder to replace with a real value", [value]),
		"path": concat("", ["/spec", concat("", [sprintf("/%s", [segment(p)]) | some p in path])]),
		"help": sprintf("replace `%s` with the real value", [value]),
	}
}
