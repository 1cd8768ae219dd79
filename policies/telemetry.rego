# Telemetry rules: tracing wiring and sampling, and the OpenTelemetry metrics convention.
package mcpgen.telemetry

import data.mcpgen.lib

monitoring := lib.spec.monitoring

tracing := monitoring.tracing

# The port of an `http(s)://host[:port][/path]` URL (the scheme's when none is written).
url_port(url) := to_number(m[0][1]) if {
	m := regex.find_all_string_submatch_n(`^[a-z]+://[^/:?#]+:([0-9]+)`, url, 1)
	count(m) == 1
}

url_port(url) := 443 if {
	startswith(url, "https://")
	not regex.match(`^[a-z]+://[^/:?#]+:[0-9]+`, url)
}

url_port(url) := 80 if {
	startswith(url, "http://")
	not regex.match(`^[a-z]+://[^/:?#]+:[0-9]+`, url)
}

# An `allowTo` peer that admits traffic on this port (any peer without a port does).
allowed_to_port(port) if {
	some p in object.get(lib.spec.network, "allowTo", [])
	not p.port
}

allowed_to_port(port) if {
	some p in object.get(lib.spec.network, "allowTo", [])
	p.port == port
}

# METADATA
# title: Tracing endpoint behind a closed egress
# description: >-
#   Flags `monitoring.tracing` whose collector the generated NetworkPolicy does not admit: no
#   collector namespace is known and no `network.allowTo` peer opens the endpoint's port.
# custom:
#   code: MCP238
#   name: tracing-egress-closed
#   level: warning
#   help: "set `monitoring.tracing.namespace` to the collector's namespace, or add the collector's address block and port to `network.allowTo`"
#   tags: [reliability, monitoring, network]
#   related: []
#   why: >-
#     The NetworkPolicy mcpgen writes denies every egress it does not list. mcpgen admits the
#     collector's namespace when it knows it (given in `tracing.namespace`, or read from an
#     in-cluster host `<service>.<namespace>.svc`); for any other host the SDK's exports are
#     dropped and spans silently never arrive.
#   example: |
#     spec:
#       monitoring:
#         tracing: {endpoint: "https://otlp.example.com:4317"}
#   instead: |
#     spec:
#       monitoring:
#         tracing: {endpoint: "https://otlp.example.com:4317"}
#       network:
#         allowTo: [{cidr: 203.0.113.0/24, port: 4317}]
warn_tracing_egress_closed contains finding if {
	not tracing.namespace
	port := url_port(tracing.endpoint)
	not allowed_to_port(port)
	finding := {
		"msg": sprintf("spans go to %s, but the NetworkPolicy admits no egress to it on port %d; set monitoring.tracing.namespace or allow the collector in network.allowTo", [tracing.endpoint, port]),
		"path": "/spec/monitoring/tracing/endpoint",
		"help": sprintf("set `monitoring.tracing.namespace` to the collector's namespace, or add `{cidr: <the collector's address block>, port: %d}` to `network.allowTo`", [port]),
	}
}

# METADATA
# title: Custom series under the otel-semconv convention
# description: >-
#   Flags a series name or label under `monitoring.metrics` that differs from OpenTelemetry's MCP
#   semantic conventions while `convention` is `otel-semconv`.
# custom:
#   code: MCP239
#   name: custom-series-under-otel-semconv
#   level: warning
#   help: "set `monitoring.metrics.convention: custom` to keep your own names, or remove the renamed series and labels"
#   tags: [operability, monitoring]
#   related: []
#   why: >-
#     `otel-semconv` promises dashboards and alerts on the series SDKs and gateways that follow
#     OpenTelemetry's conventions emit (`mcp_server_operation_duration_seconds` with
#     `mcp_method_name`, `error_type`, `gen_ai_tool_name`). A renamed series or label makes
#     them read something the conventions do not define; say so with `convention: custom`.
#   example: |
#     spec:
#       monitoring:
#         metrics:
#           convention: otel-semconv
#           names: {requests: mcp_requests_total}
#   instead: |
#     spec:
#       monitoring:
#         metrics:
#           convention: custom
#           names: {requests: mcp_requests_total}
warn_custom_series_under_otel_semconv contains finding if {
	monitoring.metrics.convention == "otel-semconv"
	some key, name in monitoring.metrics.names
	not lib.defaulted_under(sprintf("/spec/monitoring/metrics/names/%s", [key]))
	name != object.get(data.mcpgen.constants.otelSeries, key, "")
	finding := {
		"msg": sprintf("metrics.names.%s is `%s`, not OpenTelemetry's series; use convention: custom for series of your own", [key, name]),
		"path": sprintf("/spec/monitoring/metrics/names/%s", [key]),
		"help": sprintf("remove `monitoring.metrics.names.%s` to keep OpenTelemetry's series, or set `monitoring.metrics.convention: custom`", [key]),
	}
}

warn_custom_series_under_otel_semconv contains finding if {
	monitoring.metrics.convention == "otel-semconv"
	some key, value in monitoring.metrics.labels
	not lib.defaulted_under(sprintf("/spec/monitoring/metrics/labels/%s", [key]))
	value != object.get(data.mcpgen.constants.otelLabels, key, "")
	finding := {
		"msg": sprintf("metrics.labels.%s is `%s`, not OpenTelemetry's; use convention: custom for labels of your own", [key, value]),
		"path": sprintf("/spec/monitoring/metrics/labels/%s", [key]),
		"help": sprintf("remove `monitoring.metrics.labels.%s` to keep OpenTelemetry's label, or set `monitoring.metrics.convention: custom`", [key]),
	}
}

# Samplers that keep every trace they decide on.
full_samplers := {"always_on", "parentbased_always_on"}

ratio_samplers := {"traceidratio", "parentbased_traceidratio"}

# METADATA
# title: Every trace sampled in production
# description: >-
#   Flags production tracing that samples every new trace: a ratio of 1, or an `always_on`
#   sampler.
# custom:
#   code: MCP252
#   name: full-trace-sampling-in-production
#   level: warning
#   help: "sample a share of new traces: `monitoring.tracing.sampleRatio: 0.1` with a `parentbased_traceidratio` sampler"
#   tags: [operability, monitoring, performance]
#   related: []
#   why: >-
#     Sampling every trace multiplies the collector's and the trace store's load by the
#     traffic, and each span adds latency and memory to the server. Production keeps a share
#     (and follows the caller's decision with a `parentbased_` sampler).
#   example: |
#     environments:
#       production:
#         spec:
#           monitoring:
#             tracing: {endpoint: "http://otel.observability.svc:4317", sampleRatio: 1}
#   instead: |
#     environments:
#       production:
#         spec:
#           monitoring:
#             tracing: {endpoint: "http://otel.observability.svc:4317", sampleRatio: 0.1}
warn_full_trace_sampling_in_production contains finding if {
	lib.production
	tracing.sampler in ratio_samplers
	tracing.sampleRatio >= 1
	finding := {
		"msg": "production samples every new trace (sampleRatio 1); sample a share",
		"path": sampling_pointer,
		"help": "lower `monitoring.tracing.sampleRatio` for production, e.g. to 0.1",
	}
}

warn_full_trace_sampling_in_production contains finding if {
	lib.production
	tracing.sampler in full_samplers
	finding := {
		"msg": sprintf("production samples every new trace (sampler %s); use parentbased_traceidratio", [tracing.sampler]),
		"path": "/spec/monitoring/tracing/sampler",
		"help": "set `monitoring.tracing.sampler: parentbased_traceidratio` with a `sampleRatio` such as 0.1",
	}
}

sampling_pointer := "/spec/monitoring/tracing/sampleRatio" if not lib.defaulted_under("/spec/monitoring/tracing/sampleRatio")

sampling_pointer := "/spec/monitoring/tracing/sampler" if lib.defaulted_under("/spec/monitoring/tracing/sampleRatio")

# METADATA
# title: Production without tracing
# description: >-
#   Notes a production environment without `monitoring.tracing` (its findings are notes: tracing
#   is advice, not a defect).
# custom:
#   code: MCP253
#   name: production-without-tracing
#   level: warning
#   help: "set `monitoring.tracing.endpoint` in production to the OTLP collector, e.g. `http://otel-collector.observability.svc:4317`"
#   tags: [operability, monitoring]
#   related: []
#   why: >-
#     An MCP request crosses the client, the gateway, the server and whatever its tools call.
#     Without traces (propagated in the request's `_meta`, SEP-414) a slow or failing tool call
#     cannot be followed past the server's own logs.
#   example: |
#     environments:
#       production: {}
#   instead: |
#     environments:
#       production:
#         spec:
#           monitoring:
#             tracing: {endpoint: "http://otel-collector.observability.svc:4317"}
warn_production_without_tracing contains finding if {
	lib.production
	not tracing
	finding := {
		"msg": "production has no tracing; set monitoring.tracing to follow requests across services",
		"path": tracing_pointer,
		"level": "note",
	}
}

tracing_pointer := "/spec/monitoring" if not lib.defaulted_under("/spec/monitoring")

tracing_pointer := "/spec" if lib.defaulted_under("/spec/monitoring")
