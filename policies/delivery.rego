# Delivery rules: what a release pins, how a new version may reach the clients of an MCP
# server, what gates it, and who promotes it into production (docs/delivery.md).
package mcpgen.delivery

import data.mcpgen.lib

rollout := lib.spec.rollout

strategy := rollout.strategy

progressive if strategy != "rolling"

# METADATA
# title: Production image set without a digest
# description: >-
#   Flags a production environment whose image was set on the command line (`--image` or
#   `--set spec.image=...`, what a release pipeline does right after it pushes) without an
#   `@sha256:` digest. Without the flag, `image-without-digest-in-production` (MCP214) warns.
# custom:
#   code: MCP260
#   name: production-image-not-pinned
#   level: error
#   help: "pass the image with the digest the push printed: `--image repository:1.2.3@sha256:<digest>`"
#   tags: [security, supply-chain, delivery]
#   security_severity: "5.3"
#   related: [MCP214, CKV_K8S_43]
#   why: >-
#     A pipeline that sets the image knows the digest it just pushed and scanned. Deploying the
#     tag instead lets anything pushed to that tag later (a rebuild, a compromised registry
#     account) reach production at the next pod start, and two pods of one release can run
#     different bytes. The digest is what was tested; the tag is only a name for humans.
#   example: |
#     # mcpgen build mcp.yaml --env production --image registry.example.com/app:1.4.0
#     spec:
#       image: registry.example.com/app:1.4.0
#   instead: |
#     # mcpgen build mcp.yaml --env production \
#     #   --image registry.example.com/app:1.4.0@sha256:<digest the push printed>
#     spec:
#       image: registry.example.com/app:1.4.0
deny_production_image_not_pinned contains finding if {
	lib.production
	"/spec/image" in object.get(input, "overridden", [])
	ref := lib.spec.image
	not lib.image_digest(ref)
	finding := {
		"msg": sprintf("production is deployed with image `%s` from the command line, by tag only: pass the digest the push printed (`%s@sha256:...`)", [ref, ref]),
		"path": "/spec/image",
		"help": sprintf("pass the digest the push printed: `--image %s@sha256:<digest>`", [ref]),
	}
}

# A server whose clients' sessions live in one process: stateful without a shared store, or
# legacy SSE, whose messages must reach the pod holding the session's stream.
sessions_in_memory if {
	lib.stateful
	lib.session_store == "none"
}

sessions_in_memory if lib.transport == "sse"

# METADATA
# title: Canary of a server that keeps sessions in memory
# description: >-
#   Flags `rollout.strategy: canary` for a server that keeps MCP sessions in the process
#   (protocol revisions up to 2025-11-25, or `stateless: false`, without a shared
#   `sessionStore`) or speaks legacy SSE. A stateless server (2026-07-28) canaries freely.
# custom:
#   code: MCP261
#   name: canary-with-in-memory-sessions
#   level: error
#   help: "use `rollout.strategy: blueGreen`, or share sessions with `mcp.sessionStore: redis`, or serve protocol revision 2026-07-28 (stateless)"
#   tags: [reliability, mcp, delivery]
#   related: [MCP201]
#   why: >-
#     A canary sends a share of the requests to the new version by weight, request by request.
#     An MCP session lives in the process that answered `initialize`: the next request of the
#     same session lands on the other version with the share's probability, gets 404 "session
#     not found" and the client re-initializes, losing its subscriptions and in-flight tool
#     calls; with SSE the message POSTs lose their stream. The canary's error ratio then
#     measures the routing, not the release. A blue-green switch moves every session at once,
#     and a shared store lets either version serve any session.
#   example: |
#     spec:
#       mcp: {protocolVersions: ["2025-11-25"]}
#       rollout: {strategy: canary}
#   instead: |
#     spec:
#       mcp: {protocolVersions: ["2025-11-25"]}
#       rollout: {strategy: blueGreen}     # or mcp.sessionStore: redis, or protocol 2026-07-28
deny_canary_with_in_memory_sessions contains finding if {
	strategy == "canary"
	sessions_in_memory
	finding := {
		"msg": sprintf("a canary splits each session's requests between two versions, and this server keeps its sessions %s: use `strategy: blueGreen`%s", [session_place, session_alternative]),
		"path": "/spec/rollout/strategy",
	}
}

session_place := "on the pod holding its SSE stream" if lib.transport == "sse"

session_place := "in memory" if lib.transport != "sse"

# A bridged stdio server's sessions live in its bridge, which cannot share them (MCP271).
session_alternative := ", or share sessions with `mcp.sessionStore: redis`" if not lib.bridged

session_alternative := " (a bridge keeps sessions in its own memory, so a shared store is no way out)" if lib.bridged

# METADATA
# title: Rollout analysis without the metrics it needs
# description: >-
#   Flags a canary or blue-green rollout whose analysis is on while the series it evaluates
#   are not there: monitoring is switched off, or both the error-rate and the p95-latency
#   alerts are disabled.
# custom:
#   code: MCP262
#   name: rollout-analysis-without-metrics
#   level: error
#   help: "turn monitoring on and keep the error-rate or p95-latency alert enabled, or set `rollout.analysis.enabled: false` to promote on a timer knowingly"
#   tags: [reliability, monitoring, delivery]
#   related: []
#   why: >-
#     The analysis of a progressive rollout evaluates the expressions of the server's
#     error-rate and p95-latency alerts. Without monitoring nothing scrapes the new version;
#     without those alerts there is nothing to evaluate. mcpgen then writes the Rollout
#     without an analysis, so a bad version is promoted on a timer and nothing rolls it back:
#     a canary that looks safe and is not.
#   example: |
#     spec:
#       rollout: {strategy: canary}
#       monitoring: {enabled: false}
#   instead: |
#     spec:
#       rollout: {strategy: canary}
#       monitoring: {alerts: {errorRate: {above: 2%}}}
deny_rollout_analysis_without_metrics contains finding if {
	progressive
	rollout.analysis.enabled == true
	some why in missing_metrics
	finding := {
		"msg": sprintf("the %s rollout is to be analysed, but %s: nothing would gate it", [strategy, why.text]),
		"path": why.path,
	}
}

missing_metrics contains {"text": "monitoring is switched off", "path": "/spec/monitoring/enabled"} if {
	not lib.monitoring_enabled
}

missing_metrics contains {"text": "the error-rate and p95-latency alerts are both disabled", "path": "/spec/monitoring/alerts"} if {
	lib.monitoring_enabled
	lib.spec.monitoring.alerts.errorRate.enabled == false
	lib.spec.monitoring.alerts.latencyP95.enabled == false
}

# METADATA
# title: Production promoted without a manual gate
# description: >-
#   Flags a production environment with `rollout.promotion: automatic`: the generated pipeline
#   then deploys to production as soon as the environments before it succeeded, without a
#   person approving.
# custom:
#   code: MCP263
#   name: production-without-manual-gate
#   level: warning
#   help: "set `rollout.promotion: manual` in the production overlay, or except the rule with a reason if the team deploys continuously"
#   tags: [reliability, delivery]
#   related: []
#   why: >-
#     An automated rollout analysis catches a version that fails requests or answers slowly;
#     it does not catch one that answers wrongly, exposes a tool it should not, or ships on a
#     Friday night. A manual approval before production is the point where a person who knows
#     what changed decides it goes out. mcpgen defaults production to `manual`; this rule
#     flags an explicit `automatic`, which teams doing continuous deployment may except with a
#     reason.
#   example: |
#     spec:
#       environments:
#         production:
#           spec: {rollout: {promotion: automatic}}
#   instead: |
#     spec:
#       environments:
#         production:
#           spec: {rollout: {promotion: manual}}
warn_production_without_manual_gate contains finding if {
	lib.production
	rollout.promotion == "automatic"
	finding := {
		"msg": sprintf("environment `%s` is production and is deployed without a person approving it", [input.environment]),
		"path": "/spec/rollout/promotion",
	}
}

# METADATA
# title: Rollout setting the strategy ignores
# description: >-
#   Flags a `rollout` setting that only another strategy reads: `steps` or `trafficRouter`
#   without `strategy: canary`, `scaleDownDelay` without `strategy: blueGreen`, `analysis`
#   with `strategy: rolling`.
# custom:
#   code: MCP264
#   name: rollout-setting-ignored
#   level: warning
#   help: "remove the setting, or set the `rollout.strategy` that reads it"
#   tags: [reliability, delivery]
#   related: []
#   why: >-
#     The setting does nothing, and reads as if it did: canary steps on a blue-green rollout
#     look like a gradual release that never happens, an analysis on a rolling update looks
#     like a rollback that never comes. Usually the strategy was changed and the settings of
#     the old one stayed, or an environment overlay switched strategies.
#   example: |
#     spec:
#       rollout:
#         strategy: blueGreen
#         steps: [{setWeight: 20, pause: 5m}]
#   instead: |
#     spec:
#       rollout:
#         strategy: blueGreen
#         scaleDownDelay: 10m
warn_rollout_setting_ignored contains finding if {
	some field, applies in strategy_fields
	rollout[field]
	not applies_to(applies, strategy)
	finding := {
		"msg": sprintf("`rollout.%s` applies to %s rollouts only; this one is %s", [field, only_text[field], strategy]),
		"path": sprintf("/spec/rollout/%s", [field]),
		"help": sprintf("remove `rollout.%s`, or set `rollout.strategy: %s`", [field, strategy_hint[field]]),
	}
}

applies_to(applies, s) if applies == s

applies_to("progressive", s) if s != "rolling"

strategy_fields := {
	"steps": "canary",
	"trafficRouter": "canary",
	"scaleDownDelay": "blueGreen",
	"analysis": "progressive",
}

only_text := {
	"steps": "canary",
	"trafficRouter": "canary",
	"scaleDownDelay": "blue-green",
	"analysis": "canary and blue-green",
}

# The strategy that reads each setting, as the help line writes it.
strategy_hint := {
	"steps": "canary",
	"trafficRouter": "canary",
	"scaleDownDelay": "blueGreen",
	"analysis": "canary` or `blueGreen",
}
