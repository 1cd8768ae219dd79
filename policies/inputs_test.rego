# Inputs for the pack's tests: the policy input mcpgen gives for the smallest spec
# (fixtures/minimal), every default resolved. tests/policy.rs keeps `minimal` equal to what
# mcpgen computes, so the tests below exercise the rules on the inputs they really get.
package mcpgen.test_inputs

minimal := {
	"apiVersion": "mcpgen.dev/v1",
	"kind": "MCPServer",
	"metadata": {
		"name": "weather",
		"namespace": "weather",
		"namespaceOwnership": "owned"
	},
	"spec": {
		"image": "ghcr.io/acme/weather-mcp:0.3.1",
		"mcp": {
			"transport": "streamable-http",
			"stateless": false,
			"sessionStore": "none",
			"path": "/mcp",
			"port": 8080,
			"trustProxyHeaders": false,
			"auth": {
				"type": "none",
				"resourceMetadata": false
			}
		},
		"health": {
			"liveness": {
				"path": "/healthz",
				"periodSeconds": 10,
				"failureThreshold": 3,
				"timeoutSeconds": 3,
				"initialDelaySeconds": 0
			},
			"readiness": {
				"path": "/readyz",
				"periodSeconds": 5,
				"failureThreshold": 3,
				"timeoutSeconds": 3,
				"initialDelaySeconds": 0
			},
			"startup": {
				"path": "/healthz",
				"periodSeconds": 5,
				"failureThreshold": 30,
				"timeoutSeconds": 3,
				"initialDelaySeconds": 0
			},
			"port": 8080
		},
		"replicas": 2,
		"resources": {
			"requests": {
				"cpu": "100m",
				"memory": "128Mi"
			},
			"limits": {
				"cpu": "500m",
				"memory": "512Mi"
			}
		},
		"network": {
			"cilium": false
		},
		"rollout": {
			"maxSurge": 1,
			"strategy": "rolling",
			"promotion": "automatic"
		},
		"monitoring": {
			"enabled": true,
			"metrics": {
				"path": "/metrics",
				"port": 8080,
				"interval": "30s",
				"convention": "mcpgen",
				"names": {
					"requests": "mcp_requests_total",
					"duration": "mcp_request_duration_seconds",
					"activeConnections": "mcp_active_connections",
					"toolExecutions": "mcp_tool_executions_total"
				},
				"labels": {
					"status": "status",
					"error": "5..",
					"success": "[23]..",
					"sessionNotFound": "404",
					"tool": "tool_name",
					"toolStatus": "status",
					"toolError": "error"
				}
			},
			"prometheusNamespace": "monitoring",
			"alerts": {
				"errorRate": {
					"enabled": true,
					"above": "5%",
					"for": "5m",
					"severity": "critical"
				},
				"latencyP95": {
					"enabled": true,
					"above": "1s",
					"for": "5m",
					"severity": "warning"
				},
				"down": {
					"enabled": true,
					"for": "1m",
					"severity": "critical"
				},
				"memory": {
					"enabled": true,
					"above": "85%",
					"for": "5m",
					"severity": "warning"
				},
				"cpu": {
					"enabled": true,
					"above": "80%",
					"for": "5m",
					"severity": "warning"
				},
				"toolErrors": {
					"enabled": true,
					"above": "10%",
					"for": "5m",
					"severity": "warning"
				},
				"sessionNotFound": {
					"enabled": true,
					"above": "1%",
					"for": "5m",
					"severity": "warning"
				},
				"hpaMaxedOut": {
					"enabled": false,
					"for": "15m",
					"severity": "warning"
				},
				"targetDown": {
					"enabled": true,
					"for": "5m",
					"severity": "warning"
				},
				"hpaScalingInactive": {
					"enabled": false,
					"for": "10m",
					"severity": "warning"
				},
				"probe": {
					"enabled": false,
					"for": "3m",
					"severity": "critical"
				}
			},
			"dashboard": {
				"enabled": true,
				"title": "MCP server weather",
				"refresh": "30s"
			},
			"environment": "base",
			"maxSeverity": "critical"
		}
	},
	"defaulted": [
		"/metadata/namespace",
		"/metadata/namespaceOwnership",
		"/spec/health",
		"/spec/mcp",
		"/spec/monitoring",
		"/spec/network",
		"/spec/replicas",
		"/spec/resources",
		"/spec/rollout"
	],
	"overridden": [],
	"environment": null,
	"file": "service.yaml"
}

# The minimal input with `patch` merged over its spec (objects merge, lists and scalars
# replace), nothing marked as defaulted.
spec(patch) := object.union(minimal, {"spec": patch, "defaulted": []})

# The same in an environment.
in_env(patch, env) := object.union(spec(patch), {"environment": env})

# The same with the given pointers marked as defaulted by mcpgen.
defaulted(patch, pointers) := object.union(spec(patch), {"defaulted": pointers})

# The resolved `mcp` and `build` of a stdio server installed from npm (fixtures/stdio-node,
# base spec): bridged by supergateway, one server process per session. tests/policy.rs keeps
# both equal to what mcpgen computes for that fixture.
stdio_node_mcp := {
	"transport": "stdio",
	"protocolVersions": ["2025-06-18", "2025-11-25"],
	"stateless": false,
	"sessionStore": "none",
	"path": "/mcp",
	"port": 8080,
	"trustProxyHeaders": false,
	"auth": {
		"type": "none",
		"resourceMetadata": false
	},
	"bridge": {
		"port": 8080,
		"mode": "session",
		"version": "4.0.0"
	}
}

stdio_node_build := {
	"runtime": "node",
	"version": "22",
	"command": ["npx", "--offline", "@modelcontextprotocol/server-everything@2026.8.31", "stdio"],
	"output": "dist",
	"package": {
		"name": "@modelcontextprotocol/server-everything",
		"version": "2026.8.31"
	}
}

# The minimal input as that bridged node server, with `patch` merged over its spec; nothing
# marked as defaulted.
bridged(patch) := object.union(spec({"mcp": stdio_node_mcp, "build": stdio_node_build}), {"spec": patch})

# The same built for python: mcp-proxy's one shared process.
bridged_python(patch) := bridged(object.union(
	{
		"build": {"runtime": "python", "version": "3.12", "command": ["mcp-server-time"], "output": "."},
		"mcp": {"bridge": {"mode": "shared", "version": "0.13.0"}},
	},
	patch,
))
