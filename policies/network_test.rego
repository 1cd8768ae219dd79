package mcpgen.network

test_egress_any_port if {
	peers := [{"namespace": "db"}, {"cidr": "0.0.0.0/0", "port": 443}, {"cidr": "::/0"}]
	{f.path | some f in deny_egress_to_any_address_on_any_port} == {"/spec/network/allowTo/2/cidr"} with input as {"spec": {"network": {"allowTo": peers}}}
	count(deny_egress_to_any_address_on_any_port) == 0 with input as {"spec": {}}
}

test_tls_and_rate_limit if {
	count(deny_exposed_without_tls) == 1 with input as {"spec": {"expose": {"host": "a.example.com"}}}
	count(deny_exposed_without_tls) == 0 with input as {"spec": {"expose": {"host": "a.example.com", "tls": {}}}}
	count(warn_exposed_without_rate_limit) == 1 with input as {"spec": {"expose": {"host": "a.example.com"}}}
	count(warn_exposed_without_rate_limit) == 0 with input as {"spec": {}}
}
