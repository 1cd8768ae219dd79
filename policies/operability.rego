# Operability rules: alerts, Prometheus rule selection, probes and metrics.
package mcpgen.operability

import data.mcpgen.lib

monitoring := lib.spec.monitoring

# METADATA
# title: Alerts without a runbook URL
# description: >-
#   Flags enabled monitoring without `monitoring.runbookBaseUrl`.
# custom:
#   code: MCP233
#   name: alerts-without-runbook-url
#   level: warning
#   help: "set `monitoring.runbookBaseUrl` to where the runbooks live, e.g. `https://runbooks.example.com/mcp`"
#   tags: [operability, monitoring]
#   related: []
#   why: >-
#     The person paged at night needs to know what the alert means and what to do. Without
#     `runbook_url` annotations the alert is a name and a number.
#   example: |
#     spec:
#       monitoring:
#         ruleLabels: {release: kube-prometheus-stack}
#   instead: |
#     spec:
#       monitoring:
#         ruleLabels: {release: kube-prometheus-stack}
#         runbookBaseUrl: https://runbooks.example.com/mcp
warn_alerts_without_runbook_url contains finding if {
	lib.monitoring_enabled
	not monitoring.runbookBaseUrl
	not generated_by_default
	finding := {
		"msg": "alerts are generated without runbook links; set monitoring.runbookBaseUrl",
		"path": alerts_pointer,
	}
}

# Monitoring the spec never mentions is generated from mcpgen's defaults: the same advice, as a
# note at the spec, since the user did not choose these outputs.
warn_alerts_without_runbook_url contains finding if {
	lib.monitoring_enabled
	not monitoring.runbookBaseUrl
	generated_by_default
	finding := {
		"msg": "mcpgen generates alerts by default, without runbook links; set monitoring.runbookBaseUrl",
		"path": "/spec",
		"level": "note",
	}
}

generated_by_default if lib.defaulted_under("/spec/monitoring")

alerts_pointer := "/spec/monitoring/alerts" if not lib.defaulted_under("/spec/monitoring/alerts")

alerts_pointer := "/spec/monitoring" if lib.defaulted_under("/spec/monitoring/alerts")

# METADATA
# title: Prometheus rule labels missing
# description: >-
#   Flags enabled monitoring with an empty `monitoring.ruleLabels`.
# custom:
#   code: MCP234
#   name: prometheus-rule-labels-missing
#   level: warning
#   help: "set `monitoring.ruleLabels` to the labels your Prometheus selects, e.g. `{release: kube-prometheus-stack}`"
#   tags: [operability, monitoring]
#   related: []
#   why: >-
#     The Prometheus operator only loads PrometheusRules and ServiceMonitors that match its
#     `ruleSelector` and `serviceMonitorSelector` (kube-prometheus-stack: `release: <name>`).
#     Without the labels the objects are created and silently ignored: no scraping, no alerts.
#   example: |
#     spec:
#       monitoring:
#         runbookBaseUrl: https://runbooks.example.com/mcp
#   instead: |
#     spec:
#       monitoring:
#         runbookBaseUrl: https://runbooks.example.com/mcp
#         ruleLabels: {release: kube-prometheus-stack}
warn_prometheus_rule_labels_missing contains finding if {
	lib.monitoring_enabled
	count(object.get(monitoring, "ruleLabels", {})) == 0
	not generated_by_default
	finding := {
		"msg": "monitoring.ruleLabels is empty; the Prometheus operator's selectors will ignore the generated rules and monitors",
		"path": "/spec/monitoring",
	}
}

warn_prometheus_rule_labels_missing contains finding if {
	lib.monitoring_enabled
	generated_by_default
	finding := {
		"msg": "mcpgen generates a PrometheusRule and a ServiceMonitor by default, without monitoring.ruleLabels; the Prometheus operator's selectors may ignore them",
		"path": "/spec",
		"level": "note",
	}
}

# METADATA
# title: Liveness and readiness probes are identical
# description: >-
#   Flags liveness and readiness probes on the same path.
# custom:
#   code: MCP235
#   name: identical-liveness-readiness-probes
#   level: warning
#   help: "give readiness its own endpoint, e.g. `health.readiness: /readyz`"
#   tags: [reliability]
#   related: [kube-score:pod-probes-identical, kube-linter:no-liveness-probe]
#   why: >-
#     Readiness answers "can I take traffic now?" and may fail while a dependency is down;
#     liveness answers "am I stuck?" and a failure restarts the pod. On one endpoint, a
#     database outage restarts every replica in a loop instead of just draining them.
#   example: |
#     spec:
#       health: {liveness: /health, readiness: /health}
#   instead: |
#     spec:
#       health: {liveness: /healthz, readiness: /readyz}
warn_identical_liveness_readiness_probes contains finding if {
	path := lib.probe_path(lib.probes.liveness)
	path == lib.probe_path(lib.probes.readiness)
	# A bridge that answers health on one fixed path (mcp-proxy's /status) gives both probes
	# that path; it reports the bridge, not a dependency, so readiness cannot flap alone.
	not path == lib.bridge_offer.fixedHealth
	finding := {
		"msg": sprintf("liveness and readiness both probe %s; a readiness failure will also restart the pod", [path]),
		"path": lib.probe_pointer("readiness"),
	}
}

# METADATA
# title: Metrics served on the MCP endpoint
# description: >-
#   Flags a metrics path equal to the MCP path on the same port.
# custom:
#   code: MCP236
#   name: metrics-on-mcp-endpoint
#   level: error
#   help: "serve metrics on their own path, e.g. `monitoring.metrics.path: /metrics`"
#   tags: [operability, monitoring]
#   related: []
#   why: >-
#     Prometheus scrapes with a plain GET, which the MCP endpoint does not answer with metrics;
#     the target is down from the first scrape and the `down` alert fires forever.
#   example: |
#     spec:
#       mcp: {path: /mcp}
#       monitoring: {metrics: {path: /mcp}}
#   instead: |
#     spec:
#       mcp: {path: /mcp}
#       monitoring: {metrics: {path: /metrics}}
deny_metrics_on_mcp_endpoint contains finding if {
	lib.monitoring_enabled
	metrics := monitoring.metrics
	trim_right(metrics.path, "/") == trim_right(lib.mcp_path, "/")
	metrics.port == lib.mcp_port
	finding := {
		"msg": sprintf("metrics are scraped from %s, the MCP endpoint", [metrics.path]),
		"path": metrics_pointer,
	}
}

metrics_pointer := "/spec/monitoring/metrics/path" if not lib.defaulted_under("/spec/monitoring/metrics/path")

metrics_pointer := "/spec/mcp/path" if lib.defaulted_under("/spec/monitoring/metrics/path")
