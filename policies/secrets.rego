# Secret rules: credentials written as literal environment values instead of Secret references.
package mcpgen.secrets

import data.mcpgen.lib

# The last word of a variable name that says its value is a credential.
credential_words := {"PASSWORD", "PASSWD", "PWD", "PASS", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PASSPHRASE"}

# Kubernetes expands `$(VAR)` in env values, so a reference to another variable is not a literal.
reference(value) if regex.match(`^\$[({][A-Za-z_][A-Za-z0-9_]*[)}]$`, value)

env := object.get(lib.spec, "env", {})

# Each variable's value as text, computed once: the rules below test it several ways, and with
# thousands of variables every builtin call per variable counts (docs/performance.md).
env_text := {name: sprintf("%v", [value]) | some name, value in env}

# METADATA
# title: Credential-named variable with a literal value
# description: >-
#   Flags an `env` variable whose name ends in PASSWORD, SECRET, TOKEN, KEY (and similar) and
#   whose value is written in the spec.
# custom:
#   code: MCP227
#   name: credential-name-in-env
#   level: error
#   help: "move the value to a Secret and reference it under `secrets: {NAME: {secret: <Secret name>, key: <key>}}`"
#   tags: [security, secrets]
#   security_severity: "7.5"
#   related: [kube-linter:env-var-secret, polaris:sensitiveContainerEnvVar, CKV_K8S_35, DS031]
#   why: >-
#     `env` values are written into the Deployment and the spec file in plain text: they end up
#     in Git, in `kubectl describe`, in CI logs and in every backup of the cluster state.
#   example: |
#     spec:
#       env:
#         API_TOKEN: s3cr3t-value
#   instead: |
#     spec:
#       secrets:
#         API_TOKEN: {secret: mcp-secrets, key: api-token}
deny_credential_name_in_env contains finding if {
	some name, text in env_text
	words := split(upper(name), "_")
	words[count(words) - 1] in credential_words
	text != ""
	not reference(text)
	finding := {
		"msg": sprintf("`%s` looks like a credential but its value is written in the spec; move it to secrets", [name]),
		"path": sprintf("/spec/env/%s", [lib.escape(name)]),
		"help": sprintf("store the value in a Secret and replace the `env` entry with `secrets: {%s: {secret: <Secret name>, key: <key>}}`", [name]),
	}
}

# METADATA
# title: Connection string with a password
# description: >-
#   Flags an `env` value that is a URL with a password in it (`scheme://user:password@host`).
# custom:
#   code: MCP228
#   name: connection-string-with-password
#   level: error
#   help: "move the password to `secrets` and reference it in the URL as `$(NAME)`"
#   tags: [security, secrets]
#   security_severity: "7.5"
#   related: [kube-linter:env-var-secret, polaris:sensitiveContainerEnvVar, DS031]
#   why: >-
#     A database or broker URL with the password inline is a credential, whatever the variable
#     is called, and it is stored in plain text wherever the spec and the Deployment go.
#   example: |
#     spec:
#       env:
#         DATABASE_URL: postgres://app:hunter2@db:5432/app
#   instead: |
#     spec:
#       secrets:
#         DB_PASSWORD: {secret: mcp-secrets, key: db-password}
#       env:
#         DATABASE_URL: postgres://app:$(DB_PASSWORD)@db:5432/app
deny_connection_string_with_password contains finding if {
	some name, text in env_text
	contains(text, "://")
	parts := regex.find_all_string_submatch_n(`^[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@`, text, 1)
	password := parts[0][1]
	not reference(password)
	finding := {
		"msg": sprintf("`%s` holds a connection string with an inline password; reference the password from a Secret", [name]),
		"path": sprintf("/spec/env/%s", [lib.escape(name)]),
	}
}

# Shapes of well-known credentials.
token_patterns := {
	"a GitHub token": `^gh[pousr]_[A-Za-z0-9]{30,}$`,
	"a GitLab token": `^glpat-[A-Za-z0-9_-]{20,}$`,
	"an API key": `^sk-[A-Za-z0-9_-]{20,}$`,
	"an AWS access key": `^(AKIA|ASIA)[0-9A-Z]{16}$`,
	"a Slack token": `^xox[abprs]-[A-Za-z0-9-]{10,}$`,
	"a private key": `-----BEGIN [A-Z ]*PRIVATE KEY-----`,
	"a JSON Web Token": `^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`,
}

# Every token pattern in one: one match per variable instead of one per pattern, and the
# patterns one by one only for a value that matched (to name the kind).
any_token_pattern := concat("|", [sprintf("(?:%s)", [p]) | some p in token_patterns])

# Every token pattern starts with one of these or holds a PEM header: a value that does not is
# not matched against the patterns at all (most values are not tokens, and every regex call
# costs the interpreter far more than a prefix test).
token_prefixes := ["gh", "glpat-", "sk-", "AKIA", "ASIA", "xox", "eyJ"]

token_candidate(text) if strings.any_prefix_match(text, token_prefixes)

token_candidate(text) if contains(text, "-----BEGIN ")

# METADATA
# title: Credential-shaped literal value
# description: >-
#   Flags an `env` value that has the shape of a well-known credential (GitHub, GitLab, AWS,
#   Slack and API tokens, private keys, JWTs), whatever the variable is called.
# custom:
#   code: MCP229
#   name: credential-like-env-value
#   level: error
#   help: "move the value to a Secret and reference it under `secrets` instead of `env`"
#   tags: [security, secrets]
#   security_severity: "7.5"
#   related: [polaris:sensitiveContainerEnvVar, DS031]
#   why: >-
#     A token pasted into a plain variable leaks with the spec: anyone with read access to the
#     repository or the cluster can use it until it is revoked.
#   example: |
#     spec:
#       env:
#         GITHUB: ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
#   instead: |
#     spec:
#       secrets:
#         GITHUB: {secret: mcp-secrets, key: github-token}
deny_credential_like_env_value contains finding if {
	some name, text in env_text
	token_candidate(text)
	regex.match(any_token_pattern, text)
	some kind, pattern in token_patterns
	regex.match(pattern, text)
	finding := {
		"msg": sprintf("the value of `%s` looks like %s; move it to secrets and revoke it", [name, kind]),
		"path": sprintf("/spec/env/%s", [lib.escape(name)]),
		"help": sprintf("revoke the token, store a new one in a Secret and replace the `env` entry with `secrets: {%s: {secret: <Secret name>, key: <key>}}`", [name]),
	}
}
