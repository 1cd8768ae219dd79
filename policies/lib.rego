# Helpers shared by the built-in rules: the resolved spec, quantities, and the environment.
#
# The input is the spec with every default already filled in by mcpgen (`input.spec`, see
# docs/policies.md), and `input.defaulted` lists what mcpgen filled in. This library keeps no
# default of its own: where a rule needs one of mcpgen's constants it reads
# `data.mcpgen.constants`, which mcpgen injects from its Rust definitions. Only fields the user
# alone decides (protocolVersions, allowedOrigins, expose, autoscaling, quota…) may be absent.
package mcpgen.lib

constants := data.mcpgen.constants

# Environments treated as production.
production if input.environment in constants.productionEnvironments

spec := input.spec

mcp := spec.mcp

transport := mcp.transport

mcp_path := mcp.path

mcp_port := mcp.port

versions := object.get(mcp, "protocolVersions", [])

# A server keeps sessions in the process unless it is stateless (mcpgen resolves `stateless`
# from the protocol revisions when the spec does not say).
stateful if mcp.stateless == false

# A stdio server is served over HTTP by the bridge mcpgen installs into its image; what
# clients see (sessions or none) is the bridge's, and mcpgen resolves `stateless` from the
# bridge's mode (docs/stdio-bridge.md).
bridged if transport == "stdio"

bridge := mcp.bridge if bridged

# What the runtime's bridge offers (modes, protocol revisions, a fixed health path); undefined
# for an image mcpgen does not build, which the build refuses (MCP301).
bridge_offer := constants.bridges[spec.build.runtime] if bridged

session_store := mcp.sessionStore

# Whether a field, or an object holding it, was left to mcpgen's defaults (the input lists
# their pointers).
defaulted_under(pointer) if {
	parts := split(pointer, "/")
	some i in numbers.range(1, count(parts))
	concat("/", array.slice(parts, 0, i)) in defaulted
}

# `input.defaulted` as a set: `defaulted_under` looks up the pointer and each of its ancestors
# (a handful of lookups) instead of scanning the whole list on every call.
defaulted := {d | some d in input.defaulted}

# The user said nothing about sessions: neither `stateless` nor `protocolVersions`.
statefulness_unstated if {
	defaulted_under("/spec/mcp/stateless")
	count(versions) == 0
}

exposed if is_object(spec.expose)

hpa := a if {
	a := spec.autoscaling
	a.enabled == true
}

hpa_enabled if hpa

hpa_min := hpa.minReplicas

replicas := spec.replicas

vpa_active if {
	v := spec.verticalScaling
	v.mode != "Off"
}

monitoring_enabled if spec.monitoring.enabled == true

# CPU in millicores; undefined when the quantity does not parse.
millicores(q) := units.parse(sprintf("%v", [q])) * 1000

# Memory in bytes; undefined when the quantity does not parse.
bytes(q) := units.parse_bytes(sprintf("%v", [q]))

# Quantity in a common unit for a resource name.
quantity("cpu", q) := millicores(q)

quantity("memory", q) := bytes(q)

resources := spec.resources

requests := resources.requests

limits := resources.limits

# Probe path: a resolved probe is an object with a path (a plain string is accepted too, for
# team policies written against the spec as authored).
probe_path(p) := p if is_string(p)

probe_path(p) := p.path if is_object(p)

# Pointer to the path of a probe (mcpgen locates it on the probe when it was written as a
# plain path).
probe_pointer(kind) := sprintf("/spec/health/%s/path", [kind])

# The probes as the generator writes them.
probes := spec.health

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

# Exposure: through a Gateway API route (`expose.gateway`) or an Ingress.
expose := spec.expose

gateway := expose.gateway

through_gateway if lib_is_object(object.get(expose, "gateway", null))

through_ingress if {
	exposed
	not through_gateway
}

lib_is_object(x) if is_object(x)

# The ingress controller mcpgen resolved from the class; undefined for a class it does not know.
ingress_controller := expose.ingressController

# The public path differs from the server's, so routes rewrite it.
rewritten if trim_right(expose.path, "/") != trim_right(mcp_path, "/")

# The server declares authentication.
auth_declared if mcp.auth.type != "none"

# Tokens are validated at the gateway (the semantic checks make sure a provider can).
edge_auth if gateway.edgeAuth == true

# The server keeps MCP sessions only in its process (or uses legacy SSE, whose messages must
# reach the pod holding the stream): a request on another pod loses the session.
sessions_in_process if {
	stateful
	session_store == "none"
}

sessions_in_process if transport == "sse"

# The most pods the server can run.
max_pods := hpa.maxReplicas if hpa_enabled

max_pods := replicas if not hpa_enabled

scaled_out if max_pods > 1

duration_units := {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000, "w": 604800000}

# A spec duration (`1h30m`, `500ms`, `2d`) in milliseconds.
duration_ms(d) := sum([n |
	parts := regex.find_all_string_submatch_n(`([0-9]+)(ms|s|m|h|d|w)`, d, -1)
	p := parts[_]
	n := to_number(p[1]) * duration_units[p[2]]
])
