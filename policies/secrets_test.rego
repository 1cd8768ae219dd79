package mcpgen.secrets

import data.mcpgen.test_inputs as t

test_credential_names if {
	env := {"API_TOKEN": "x", "db_password": "y", "LOG_LEVEL": "info", "TOKEN_TTL": "1h", "SIGNING_KEY": "$(OTHER)", "EMPTY_SECRET": ""}
	{f.path | some f in deny_credential_name_in_env} == {"/spec/env/API_TOKEN", "/spec/env/db_password"} with input as t.spec({"env": env})
	count(deny_credential_name_in_env) == 0 with input as t.minimal
}

test_connection_strings if {
	env := {"A": "postgres://u:pw@db/x", "B": "redis://cache:6379", "C": "mysql://u:$(DB_PASSWORD)@db", "D": "amqp://:pw@mq"}
	{f.path | some f in deny_connection_string_with_password} == {"/spec/env/A", "/spec/env/D"} with input as t.spec({"env": env})
}

test_token_shapes if {
	env := {"GH": "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "AWS": "AKIAABCDEFGHIJKLMNOP", "URL": "https://example.com", "N": "42"}
	{f.path | some f in deny_credential_like_env_value} == {"/spec/env/GH", "/spec/env/AWS"} with input as t.spec({"env": env})
}

# The combined pattern that screens every value first must still name the right kind.
test_token_kinds if {
	env := {"K": "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "J": "eyJhbGci.eyJzdWIi.c2ln", "S": "xoxb-0123456789-abc", "P": 12345}
	{f.msg | some f in deny_credential_like_env_value} == {
		"the value of `K` looks like a private key; move it to secrets and revoke it",
		"the value of `J` looks like a JSON Web Token; move it to secrets and revoke it",
		"the value of `S` looks like a Slack token; move it to secrets and revoke it",
	} with input as t.spec({"env": env})
}
