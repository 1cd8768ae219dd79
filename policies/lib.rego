# Helpers shared by the built-in rules: the defaults of the spec language as the rules must
# assume them when a field is absent, quantities, and the environment.
#
# The input is the spec after defaults (see docs/policies.md), so most of these `object.get`
# fallbacks never trigger once mcpgen's defaults fill the field; they keep the rules correct on
# a spec whose defaults were not applied.
package mcpgen.lib

# Environments treated as production.
production_names := {"production", "prod"}

production if input.environment in production_names

spec := object.get(input, "spec", {})

mcp := object.get(spec, "mcp", {})

transport := object.get(mcp, "transport", "streamable-http")

mcp_path := object.get(mcp, "path", "/mcp")

mcp_port := object.get(mcp, "port", 8080)

# The first revision without protocol-level sessions.
stateless_revision := "2026-07-28"

versions := object.get(mcp, "protocolVersions", [])

has_key(obj, key) if _ = obj[key]

# A server keeps sessions in the process unless it says otherwise or speaks only revisions
# that have no sessions.
stateful if mcp.stateless == false

stateful if {
	not has_key(mcp, "stateless")
	count(versions) == 0
}

stateful if {
	not has_key(mcp, "stateless")
	some v in versions
	v < stateless_revision
}

# stdio servers are bridged per replica: each bridge replica owns its own child process.
stateful if transport == "stdio"

session_store := object.get(mcp, "sessionStore", "none")

# Whether a field, or an object holding it, was left to mcpgen's defaults (the input lists
# their pointers).
defaulted_under(pointer) if {
	some d in object.get(input, "defaulted", [])
	startswith(concat("", [pointer, "/"]), concat("", [d, "/"]))
}

# The user said nothing about sessions: neither `stateless` nor `protocolVersions`.
statefulness_unstated if {
	defaulted_under("/spec/mcp/stateless")
	count(versions) == 0
}

exposed if is_object(spec.expose)

hpa := a if {
	a := spec.autoscaling
	object.get(a, "enabled", true) == true
}

hpa_enabled if hpa

hpa_min := object.get(hpa, "minReplicas", 2)

replicas := object.get(spec, "replicas", 1)

vpa_active if {
	v := spec.verticalScaling
	v.mode != "Off"
}

monitoring_enabled if {
	m := spec.monitoring
	object.get(m, "enabled", true) == true
}

# CPU in millicores; undefined when the quantity does not parse.
millicores(q) := units.parse(sprintf("%v", [q])) * 1000

# Memory in bytes; undefined when the quantity does not parse.
bytes(q) := units.parse_bytes(sprintf("%v", [q]))

# Quantity in a common unit for a resource name.
quantity("cpu", q) := millicores(q)

quantity("memory", q) := bytes(q)

resources := object.get(spec, "resources", {})

requests := object.get(resources, "requests", {})

limits := object.get(resources, "limits", {})

# Probe path: a probe is a path or an object with a path.
probe_path(p) := p if is_string(p)

probe_path(p) := p.path if is_object(p)

# Pointer to the path of a probe.
probe_pointer(kind, p) := sprintf("/spec/health/%s", [kind]) if is_string(p)

probe_pointer(kind, p) := sprintf("/spec/health/%s/path", [kind]) if is_object(p)

# The probes as the generator writes them, defaults included.
probes := {"liveness": object.get(object.get(spec, "health", {}), "liveness", "/healthz"), "readiness": object.get(object.get(spec, "health", {}), "readiness", "/readyz")}

# Image reference parts. A digest follows `@`; a tag follows the last `:` after the last `/`.
image_digest(ref) := d if {
	parts := split(ref, "@")
	count(parts) == 2
	d := parts[1]
}

image_name(ref) := split(ref, "@")[0]

image_tag(ref) := t if {
	name := image_name(ref)
	segments := split(name, "/")
	last := segments[count(segments) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
}

# The repository of an image reference: no digest, no tag.
image_repository(ref) := trim_suffix(image_name(ref), concat("", [":", image_tag(ref)])) if image_tag(ref)

image_repository(ref) := image_name(ref) if not image_tag(ref)

# JSON Pointer escaping of one reference token.
escape(token) := replace(replace(token, "~", "~0"), "/", "~1")
