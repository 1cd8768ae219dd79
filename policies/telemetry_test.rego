package mcpgen.telemetry

import data.mcpgen.test_inputs as t

in_cluster := {"endpoint": "http://otel.observability.svc:4317", "protocol": "grpc", "sampler": "parentbased_traceidratio", "sampleRatio": 0.1, "namespace": "observability", "composeCollector": false}

external := {"endpoint": "https://otlp.example.com", "protocol": "grpc", "sampler": "parentbased_traceidratio", "sampleRatio": 0.1, "composeCollector": false}

test_url_ports if {
	url_port("http://a.b.svc:4317") == 4317
	url_port("https://otlp.example.com/v1") == 443
	url_port("http://collector") == 80
}

test_egress_to_a_known_namespace_is_open if {
	count(warn_tracing_egress_closed) == 0 with input as t.spec({"monitoring": {"tracing": in_cluster}})
}

test_egress_to_an_unknown_host_is_closed if {
	some f in warn_tracing_egress_closed with input as t.spec({"monitoring": {"tracing": external}})
	f.path == "/spec/monitoring/tracing/endpoint"
	contains(f.msg, "port 443")
}

test_allow_to_opens_the_port if {
	open := {"monitoring": {"tracing": external}, "network": {"allowTo": [{"cidr": "203.0.113.0/24", "port": 443}]}}
	count(warn_tracing_egress_closed) == 0 with input as t.spec(open)
	any_port := {"monitoring": {"tracing": external}, "network": {"allowTo": [{"cidr": "0.0.0.0/0"}]}}
	count(warn_tracing_egress_closed) == 0 with input as t.spec(any_port)
	other := {"monitoring": {"tracing": external}, "network": {"allowTo": [{"cidr": "0.0.0.0/0", "port": 4317}]}}
	count(warn_tracing_egress_closed) == 1 with input as t.spec(other)
}

otel_metrics(names, labels) := {"monitoring": {"metrics": {
	"convention": "otel-semconv",
	"names": names,
	"labels": labels,
}}}

# The minimal input on the otel-semconv convention: its mcpgen-only series removed.
otel_input(names, labels) := json.patch(
	t.spec(otel_metrics(names, labels)),
	[{"op": "remove", "path": "/spec/monitoring/metrics/names/activeConnections"}],
)

otel_names := {
	"requests": "mcp_server_operation_duration_seconds",
	"duration": "mcp_server_operation_duration_seconds",
	"toolExecutions": "mcp_server_operation_duration_seconds",
	"sessions": "mcp_server_session_duration_seconds",
	"httpRequests": "http_server_request_duration_seconds",
}

otel_labels := {
	"status": "error_type", "error": ".+", "success": "", "sessionNotFound": "404",
	"tool": "gen_ai_tool_name", "toolStatus": "error_type", "toolError": "tool_error",
	"operation": "mcp_method_name",
}

test_otel_names_pass if {
	count(warn_custom_series_under_otel_semconv) == 0 with input as otel_input(otel_names, otel_labels)
		with data.mcpgen.constants as constants
}

test_a_renamed_series_is_flagged if {
	renamed := object.union(otel_names, {"requests": "mcp_requests_total"})
	some f in warn_custom_series_under_otel_semconv with input as otel_input(renamed, otel_labels)
		with data.mcpgen.constants as constants
	f.path == "/spec/monitoring/metrics/names/requests"
}

test_a_relabelled_label_is_flagged if {
	relabelled := object.union(otel_labels, {"tool": "tool_name"})
	some g in warn_custom_series_under_otel_semconv with input as otel_input(otel_names, relabelled)
		with data.mcpgen.constants as constants
	g.path == "/spec/monitoring/metrics/labels/tool"
}

test_defaulted_names_are_the_conventions if {
	# What mcpgen filled in is never flagged, whatever it is.
	renamed := object.union(otel_names, {"requests": "x"})
	count(warn_custom_series_under_otel_semconv) == 0 with input as t.defaulted(otel_metrics(renamed, otel_labels), ["/spec/monitoring/metrics/names", "/spec/monitoring/metrics/labels"])
		with data.mcpgen.constants as constants
}

test_custom_names_under_mcpgen_are_fine if {
	count(warn_custom_series_under_otel_semconv) == 0 with input as t.minimal
}

constants := {"otelSeries": otel_names, "otelLabels": otel_labels}

test_full_sampling_in_production if {
	full := object.union(in_cluster, {"sampleRatio": 1})
	some f in warn_full_trace_sampling_in_production with input as t.in_env({"monitoring": {"tracing": full}}, "production")
	f.path == "/spec/monitoring/tracing/sampleRatio"
	on := object.union(in_cluster, {"sampler": "always_on"})
	some g in warn_full_trace_sampling_in_production with input as t.in_env({"monitoring": {"tracing": on}}, "production")
	g.path == "/spec/monitoring/tracing/sampler"
	count(warn_full_trace_sampling_in_production) == 0 with input as t.in_env({"monitoring": {"tracing": full}}, "staging")
	count(warn_full_trace_sampling_in_production) == 0 with input as t.in_env({"monitoring": {"tracing": in_cluster}}, "production")
}

test_production_without_tracing_is_noted if {
	some f in warn_production_without_tracing with input as t.in_env({}, "production")
	f.path == "/spec/monitoring"
	count(warn_production_without_tracing) == 0 with input as t.in_env({"monitoring": {"tracing": in_cluster}}, "production")
	count(warn_production_without_tracing) == 0 with input as t.spec({})
}
