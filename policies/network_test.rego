package mcpgen.network

import data.mcpgen.test_inputs as t

test_egress_any_port if {
	peers := [{"namespace": "db"}, {"cidr": "0.0.0.0/0", "port": 443}, {"cidr": "::/0"}]
	{f.path | some f in deny_egress_to_any_address_on_any_port} == {"/spec/network/allowTo/2/cidr"} with input as t.spec({"network": {"allowTo": peers}})
	count(deny_egress_to_any_address_on_any_port) == 0 with input as t.minimal
}

test_tls_and_rate_limit if {
	exposed := {"expose": {"host": "a.example.com", "path": "/mcp", "ingressClass": "nginx", "ingressNamespace": "ingress-nginx"}}
	count(deny_exposed_without_tls) == 1 with input as t.spec(exposed)
	count(deny_exposed_without_tls) == 0 with input as t.spec(object.union(exposed, {"expose": {"tls": {"secretName": "a-tls"}}}))
	count(warn_exposed_without_rate_limit) == 1 with input as t.spec(exposed)
	count(warn_exposed_without_rate_limit) == 0 with input as t.minimal
}
