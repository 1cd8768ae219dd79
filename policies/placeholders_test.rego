package mcpgen.placeholders

import data.mcpgen.test_inputs as t

test_placeholders_in_args_command_and_env if {
	spec := {
		"args": ["--host", "localhost", "<TODO: database_name>"],
		"build": {"runtime": "node", "version": "22", "output": "dist", "command": ["npx", "--offline", "pkg@1.0.0", "<TODO: target_dir>"]},
		"env": {"DB_USER": "<TODO: DB_USERNAME>", "MODE": "TODO later", "a/b": "x=<TODO: y>"},
	}
	{f.path | some f in deny_unfilled_placeholder} == {
		"/spec/args/2",
		"/spec/build/command/3",
		"/spec/env/DB_USER",
		"/spec/env/a~1b",
	} with input as t.spec(spec)
}

test_no_placeholder if {
	count(deny_unfilled_placeholder) == 0 with input as t.spec({"env": {"TODO": "done"}})
	count(deny_unfilled_placeholder) == 0 with input as t.minimal
}
