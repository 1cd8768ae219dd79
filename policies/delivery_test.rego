package mcpgen.delivery

import data.mcpgen.test_inputs as t

stateless := {"mcp": {"protocolVersions": ["2026-07-28"], "stateless": true}}

pinned := "ghcr.io/acme/weather-mcp:0.3.1@sha256:4f7c0e0f6a5b4c3d2e1f00112233445566778899aabbccddeeff001122334455"

with_image(ref) := object.union(t.in_env({"image": ref}, "production"), {"overridden": ["/spec/image"]})

test_production_image_set_without_digest if {
	count(deny_production_image_not_pinned) == 1 with input as with_image("ghcr.io/acme/weather-mcp:0.3.2")
	count(deny_production_image_not_pinned) == 0 with input as with_image(pinned)
	# Without the flag, MCP214 warns instead.
	count(deny_production_image_not_pinned) == 0 with input as t.in_env({}, "production")
	# Staging may deploy a tag.
	count(deny_production_image_not_pinned) == 0 with input as object.union(t.in_env({}, "staging"), {"overridden": ["/spec/image"]})
	# Another field set on the command line says nothing about the image.
	count(deny_production_image_not_pinned) == 0 with input as object.union(t.in_env({}, "production"), {"overridden": ["/spec/replicas"]})
}

test_canary_of_in_memory_sessions if {
	# The minimal input keeps sessions in memory (no revision declared, no store).
	count(deny_canary_with_in_memory_sessions) == 1 with input as t.spec({"rollout": {"strategy": "canary"}})
	count(deny_canary_with_in_memory_sessions) == 0 with input as t.spec({"rollout": {"strategy": "blueGreen"}})
	count(deny_canary_with_in_memory_sessions) == 0 with input as t.spec({"rollout": {"strategy": "canary"}, "mcp": {"sessionStore": "redis"}})
	count(deny_canary_with_in_memory_sessions) == 0 with input as t.spec(object.union(stateless, {"rollout": {"strategy": "canary"}}))
	# Legacy SSE binds a session to its stream's pod even with a store.
	count(deny_canary_with_in_memory_sessions) == 1 with input as t.spec({"rollout": {"strategy": "canary"}, "mcp": {"transport": "sse", "sessionStore": "redis", "stateless": true}})
}

test_canary_of_a_bridged_server_suggests_no_store if {
	# A bridge keeps sessions itself: the advice must not be the store MCP271 refuses.
	some f in deny_canary_with_in_memory_sessions with input as t.spec({"rollout": {"strategy": "canary"}, "mcp": {"transport": "stdio", "stateless": false}})
	not contains(f.msg, "sessionStore")
	some g in deny_canary_with_in_memory_sessions with input as t.spec({"rollout": {"strategy": "canary"}})
	contains(g.msg, "sessionStore: redis")
}

test_analysis_without_metrics if {
	canary := object.union(stateless, {"rollout": {"strategy": "canary", "analysis": {"enabled": true}}})
	count(deny_rollout_analysis_without_metrics) == 0 with input as t.spec(canary)
	count(deny_rollout_analysis_without_metrics) == 1 with input as t.spec(object.union(canary, {"monitoring": {"enabled": false}}))
	off := {"enabled": false}
	both := {"monitoring": {"alerts": {"errorRate": off, "latencyP95": off}}}
	count(deny_rollout_analysis_without_metrics) == 1 with input as t.spec(object.union(canary, both))
	one := {"monitoring": {"alerts": {"errorRate": off}}}
	count(deny_rollout_analysis_without_metrics) == 0 with input as t.spec(object.union(canary, one))
	# Analysis switched off on purpose, or a rolling update: nothing to gate.
	count(deny_rollout_analysis_without_metrics) == 0 with input as t.spec(object.union(canary, {"rollout": {"analysis": {"enabled": false}}, "monitoring": {"enabled": false}}))
	count(deny_rollout_analysis_without_metrics) == 0 with input as t.spec({"monitoring": {"enabled": false}})
}

test_production_without_manual_gate if {
	count(warn_production_without_manual_gate) == 1 with input as t.in_env({"rollout": {"promotion": "automatic"}}, "production")
	count(warn_production_without_manual_gate) == 0 with input as t.in_env({"rollout": {"promotion": "manual"}}, "production")
	count(warn_production_without_manual_gate) == 0 with input as t.in_env({"rollout": {"promotion": "automatic"}}, "staging")
	count(warn_production_without_manual_gate) == 0 with input as t.minimal
}

test_rollout_setting_ignored if {
	steps := [{"setWeight": 20, "pause": "5m"}]
	count(warn_rollout_setting_ignored) == 1 with input as t.spec({"rollout": {"strategy": "blueGreen", "steps": steps}})
	count(warn_rollout_setting_ignored) == 0 with input as t.spec({"rollout": {"strategy": "canary", "steps": steps, "trafficRouter": "none"}})
	count(warn_rollout_setting_ignored) == 2 with input as t.spec({"rollout": {"steps": steps, "scaleDownDelay": "5m"}})
	count(warn_rollout_setting_ignored) == 1 with input as t.spec({"rollout": {"analysis": {"enabled": true}}})
	count(warn_rollout_setting_ignored) == 0 with input as t.spec({"rollout": {"strategy": "blueGreen", "analysis": {"enabled": true}, "scaleDownDelay": "5m"}})
	count(warn_rollout_setting_ignored) == 0 with input as t.minimal
}
