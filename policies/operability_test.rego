package mcpgen.operability

import data.mcpgen.test_inputs as t

test_runbook_and_labels if {
	# A monitoring section the user wrote: warnings.
	some r in warn_alerts_without_runbook_url with input as t.spec({})
	object.get(r, "level", "warning") == "warning"
	count(warn_prometheus_rule_labels_missing) == 1 with input as t.spec({})
	good := {"monitoring": {"runbookBaseUrl": "https://r.example.com", "ruleLabels": {"release": "x"}}}
	count(warn_alerts_without_runbook_url) == 0 with input as t.spec(good)
	count(warn_prometheus_rule_labels_missing) == 0 with input as t.spec(good)
	count(warn_alerts_without_runbook_url) == 0 with input as t.spec({"monitoring": {"enabled": false}})
	count(warn_prometheus_rule_labels_missing) == 0 with input as t.spec({"monitoring": {"enabled": false}})
}

test_defaulted_monitoring_gets_notes if {
	# Monitoring mcpgen generated from its defaults alone: notes, at the spec.
	some r in warn_alerts_without_runbook_url with input as t.minimal
	r.level == "note"
	r.path == "/spec"
	some l in warn_prometheus_rule_labels_missing with input as t.minimal
	l.level == "note"
	l.path == "/spec"
}

test_runbook_points_at_alerts if {
	some f in warn_alerts_without_runbook_url with input as t.defaulted({}, ["/spec/monitoring/dashboard"])
	f.path == "/spec/monitoring/alerts"
	some g in warn_alerts_without_runbook_url with input as t.defaulted({}, ["/spec/monitoring/alerts"])
	g.path == "/spec/monitoring"
}

test_identical_probes if {
	same := {"health": {"liveness": {"path": "/h"}, "readiness": {"path": "/h"}}}
	some f in warn_identical_liveness_readiness_probes with input as t.spec(same)
	f.path == "/spec/health/readiness/path"
	count(warn_identical_liveness_readiness_probes) == 0 with input as t.minimal
}

test_metrics_on_mcp if {
	on_mcp := {"monitoring": {"metrics": {"path": "/mcp"}}}
	some f in deny_metrics_on_mcp_endpoint with input as t.spec(on_mcp)
	f.path == "/spec/monitoring/metrics/path"
	count(deny_metrics_on_mcp_endpoint) == 0 with input as t.spec({"monitoring": {"metrics": {"path": "/mcp", "port": 9090}}})
	count(deny_metrics_on_mcp_endpoint) == 0 with input as t.minimal
	# The default metrics path on an MCP endpoint moved to /metrics: reported at the MCP path.
	some g in deny_metrics_on_mcp_endpoint with input as t.defaulted({"mcp": {"path": "/metrics"}}, ["/spec/monitoring"])
	g.path == "/spec/mcp/path"
}
