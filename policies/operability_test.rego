package mcpgen.operability

test_runbook_and_labels if {
	count(warn_alerts_without_runbook_url) == 1 with input as {"spec": {"monitoring": {}}}
	count(warn_prometheus_rule_labels_missing) == 1 with input as {"spec": {"monitoring": {}}}
	good := {"runbookBaseUrl": "https://r.example.com", "ruleLabels": {"release": "x"}}
	count(warn_alerts_without_runbook_url) == 0 with input as {"spec": {"monitoring": good}}
	count(warn_prometheus_rule_labels_missing) == 0 with input as {"spec": {"monitoring": good}}
	count(warn_alerts_without_runbook_url) == 0 with input as {"spec": {"monitoring": {"enabled": false}}}
}

test_runbook_points_at_alerts if {
	some f in warn_alerts_without_runbook_url with input as {"spec": {"monitoring": {"alerts": {}}}}
	f.path == "/spec/monitoring/alerts"
}

test_identical_probes if {
	count(warn_identical_liveness_readiness_probes) == 1 with input as {"spec": {"health": {"liveness": "/h", "readiness": {"path": "/h"}}}}
	count(warn_identical_liveness_readiness_probes) == 0 with input as {"spec": {}}
}

test_metrics_on_mcp if {
	count(deny_metrics_on_mcp_endpoint) == 1 with input as {"spec": {"monitoring": {"metrics": {"path": "/mcp"}}}}
	count(deny_metrics_on_mcp_endpoint) == 0 with input as {"spec": {"monitoring": {"metrics": {"path": "/mcp", "port": 9090}}}}
}
