//! Traffic outputs as users see them: the routes, controller objects and provider policies of
//! the traffic fixtures (snapshotted), and the behaviour that makes them work for MCP: the
//! NetworkPolicy admits exactly the controller's pods, both RFC 9728 discovery forms are routed
//! (and rewritten when the public path differs), the issuer is reachable through egress, the
//! server is told its public resource URL, and nothing of another controller leaks in. The
//! validator tier checks the same files against the CRD schemas.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use serde_json::Value;

use super::support::*;

/// The traffic fixtures.
const FIXTURES: &[&str] = &[
    "traffic-gateway",
    "traffic-haproxy",
    "traffic-oidc",
    "traffic-traefik",
    "traffic-unknown-class",
];

/// The files of the k8s target that the traffic module writes or shapes.
const TRAFFIC_FILES: &[&str] = &[
    "backendtrafficpolicy.yaml",
    "ciliumnetworkpolicy.yaml",
    "clienttrafficpolicy.yaml",
    "httproute.yaml",
    "ingress.yaml",
    "middleware.yaml",
    "networkpolicy.yaml",
    "referencegrant.yaml",
    "securitypolicy.yaml",
    "service.yaml",
];

fn build(name: &str, env: &str) -> (PathBuf, BTreeMap<String, String>) {
    let out = tempdir(name);
    let spec = fixture(name);
    let o = mcpgen(&[
        "build",
        spec.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
        "--target",
        "k8s",
        "--all-envs",
    ]);
    assert_eq!(code(&o), 0, "{name}: {}\n{}", stdout(&o), stderr(&o));
    let tree = read_tree(&out)
        .into_iter()
        .filter_map(|(p, c)| {
            // Below `DIR/<metadata.name>/`.
            let p = p.split_once('/').map_or(p.as_str(), |(_, rest)| rest);
            p.strip_prefix(&format!("{env}/k8s/"))
                .map(|f| (f.to_string(), c))
        })
        .collect();
    (out, tree)
}

/// Every document of a file as JSON.
fn docs(tree: &BTreeMap<String, String>, file: &str) -> Vec<Value> {
    tree.get(file)
        .map(|t| t.split("\n---\n").map(parse_yaml).collect())
        .unwrap_or_default()
}

fn typed<T: serde::de::DeserializeOwned>(tree: &BTreeMap<String, String>, file: &str) -> Vec<T> {
    docs(tree, file)
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

/// The paths an Ingress file routes, with their rewrite annotations.
fn ingress_paths(tree: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ing in typed::<Ingress>(tree, "ingress.yaml") {
        for rule in ing.spec.and_then(|s| s.rules).unwrap_or_default() {
            for p in rule.http.expect("http").paths {
                out.push((p.path.unwrap_or_default(), p.path_type));
            }
        }
    }
    out
}

fn annotations(v: &Value) -> BTreeMap<String, String> {
    serde_json::from_value(v["metadata"]["annotations"].clone()).unwrap_or_default()
}

#[test]
fn snapshots_of_the_traffic_files() {
    for name in FIXTURES {
        let env = if name.starts_with("traffic-gateway") || name.starts_with("traffic-traefik") {
            "production"
        } else {
            "base"
        };
        let (out, tree) = build(name, env);
        for file in TRAFFIC_FILES {
            if let Some(contents) = tree.get(*file) {
                insta::assert_snapshot!(format!("{name}__{file}"), contents);
            }
        }
        let kustomization = &tree["kustomization.yaml"];
        for file in tree.keys().filter(|f| *f != "kustomization.yaml") {
            assert!(
                kustomization.contains(&format!("- {file}\n")),
                "{name}: {file} is not in the kustomization"
            );
        }
        let _ = std::fs::remove_dir_all(out);
    }
}

#[test]
fn the_reference_through_envoy_gateway() {
    let (out, tree) = build("traffic-gateway", "production");
    assert!(
        !tree.contains_key("ingress.yaml"),
        "a gateway needs no Ingress"
    );
    let routes = docs(&tree, "httproute.yaml");
    assert_eq!(routes.len(), 2, "the MCP route and the discovery route");
    let main = &routes[0];
    assert_eq!(main["spec"]["parentRefs"][0]["name"], "public");
    assert_eq!(main["spec"]["parentRefs"][0]["namespace"], "gateway-system");
    assert_eq!(main["spec"]["parentRefs"][0]["sectionName"], "https");
    let rule = &main["spec"]["rules"][0];
    assert_eq!(rule["matches"][0]["path"]["value"], "/api/v1/mcp");
    assert_eq!(
        rule["filters"][0]["urlRewrite"]["path"]["replacePrefixMatch"],
        "/mcp"
    );
    assert_eq!(rule["timeouts"]["request"], "1h");
    // The reference keeps sessions in Redis: no experimental-channel field.
    assert!(rule.get("sessionPersistence").is_none());
    // The route is in the server's namespace: no ReferenceGrant.
    assert!(!tree.contains_key("referencegrant.yaml"));
    // The provider carries what Gateway API cannot say.
    let btp = &docs(&tree, "backendtrafficpolicy.yaml")[0];
    assert_eq!(btp["spec"]["timeout"]["http"]["streamIdleTimeout"], "1h");
    assert_eq!(
        btp["spec"]["rateLimit"]["global"]["rules"][0]["limit"]["requests"],
        100
    );
    // JWT with a shared secret cannot be validated at the edge: no SecurityPolicy.
    assert!(!tree.contains_key("securitypolicy.yaml"));
    // The NetworkPolicy admits the Gateway's Envoy proxies, not a namespace of ingress-nginx.
    let np = &typed::<NetworkPolicy>(&tree, "networkpolicy.yaml")[0];
    let text = serde_json::to_string(np).expect("json");
    assert!(text.contains("envoy-gateway-system"));
    assert!(text.contains(r#""gateway.envoyproxy.io/owning-gateway-name":"public""#));
    assert!(!text.contains("ingress-nginx"));
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn the_reference_through_traefik() {
    let (out, tree) = build("traffic-traefik", "production");
    let ingresses = docs(&tree, "ingress.yaml");
    for ing in &ingresses {
        assert_eq!(ing["spec"]["ingressClassName"], "traefik");
        assert!(
            annotations(ing).keys().all(|k| !k.starts_with("nginx.")),
            "no ingress-nginx annotation reaches Traefik: {ing}"
        );
    }
    let chain =
        annotations(&ingresses[0])["traefik.ingress.kubernetes.io/router.middlewares"].clone();
    assert_eq!(
        chain,
        "mcp-production-mcp-server-https-redirect@kubernetescrd,\
         mcp-production-mcp-server-rate-limit@kubernetescrd,\
         mcp-production-mcp-server-rewrite@kubernetescrd"
    );
    let middlewares = docs(&tree, "middleware.yaml");
    let names: Vec<&str> = middlewares
        .iter()
        .map(|m| m["metadata"]["name"].as_str().unwrap_or_default())
        .collect();
    for referenced in chain.split(',') {
        let name = referenced
            .strip_prefix("mcp-production-")
            .and_then(|n| n.strip_suffix("@kubernetescrd"))
            .expect("namespace-name@kubernetescrd");
        assert!(names.contains(&name), "{referenced} is not written");
    }
    let rewrite = middlewares
        .iter()
        .find(|m| m["metadata"]["name"] == "mcp-server-rewrite")
        .expect("rewrite middleware");
    assert_eq!(
        rewrite["spec"]["replacePathRegex"]["replacement"],
        "/mcp${1}${2}"
    );
    // Sticky sessions are read from the Service by Traefik.
    let svc = &typed::<Service>(&tree, "service.yaml")[0];
    let ann = svc.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(
        ann.get("traefik.ingress.kubernetes.io/service.sticky.cookie.name")
            .map(String::as_str),
        Some("mcp-route")
    );
    // The NetworkPolicy admits the configured namespace and pods, exactly.
    let np = &typed::<NetworkPolicy>(&tree, "networkpolicy.yaml")[0];
    let from = np
        .spec
        .as_ref()
        .and_then(|s| s.ingress.as_ref())
        .expect("ingress");
    let controller = from
        .iter()
        .flat_map(|r| r.from.iter().flatten())
        .find(|p| {
            p.namespace_selector
                .as_ref()
                .and_then(|s| s.match_labels.as_ref())
                .and_then(|l| l.get("kubernetes.io/metadata.name"))
                .is_some_and(|n| n == "traefik-system")
        })
        .expect("the Traefik namespace is admitted");
    let pods = controller
        .pod_selector
        .as_ref()
        .and_then(|s| s.match_labels.clone())
        .unwrap_or_default();
    assert_eq!(
        pods,
        BTreeMap::from([
            (
                "app.kubernetes.io/instance".to_string(),
                "traefik-traefik-system".to_string()
            ),
            ("app.kubernetes.io/name".to_string(), "traefik".to_string()),
        ])
    );
    assert!(
        !serde_json::to_string(np)
            .expect("json")
            .contains("ingress-nginx")
    );
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn rewritten_paths_route_both_discovery_forms() {
    // HAProxy: one Ingress for the discovery paths, the path-inserted one rewritten.
    let (a, tree) = build("traffic-haproxy", "base");
    let paths = ingress_paths(&tree);
    assert!(paths.contains(&(
        "/.well-known/oauth-protected-resource/wiki".to_string(),
        "Exact".to_string()
    )));
    assert!(paths.contains(&(
        "/.well-known/oauth-protected-resource".to_string(),
        "Exact".to_string()
    )));
    let discovery = &docs(&tree, "ingress.yaml")[1];
    assert_eq!(
        annotations(discovery)["haproxy.org/path-rewrite"],
        r"^/\.well-known/oauth-protected-resource/wiki$ /.well-known/oauth-protected-resource/mcp"
    );
    // ingress-nginx (the reference): the rewritten form in an Ingress of its own.
    let (b, reference) = build("reference", "production");
    let ingresses = docs(&reference, "ingress.yaml");
    let rewrite = ingresses
        .iter()
        .find(|i| i["metadata"]["name"] == "mcp-server-well-known-rewrite")
        .expect("rewritten discovery Ingress");
    assert_eq!(
        annotations(rewrite)["nginx.ingress.kubernetes.io/rewrite-target"],
        "/.well-known/oauth-protected-resource/mcp"
    );
    assert!(ingress_paths(&reference).contains(&(
        "/.well-known/oauth-protected-resource".to_string(),
        "Exact".to_string()
    )));
    // Only the main Ingress asks cert-manager for the certificate.
    let issuers = ingresses
        .iter()
        .filter(|i| annotations(i).contains_key("cert-manager.io/cluster-issuer"))
        .count();
    assert_eq!(issuers, 1);
    // Gateway API: Exact matches, ReplaceFullPath on the path-inserted form.
    let (c, oidc) = build("traffic-oidc", "base");
    let discovery = &docs(&oidc, "httproute.yaml")[1];
    let rules = discovery["spec"]["rules"].as_array().expect("rules");
    let forms: Vec<(&str, Option<&str>)> = rules
        .iter()
        .map(|r| {
            (
                r["matches"][0]["path"]["value"]
                    .as_str()
                    .unwrap_or_default(),
                r["filters"][0]["urlRewrite"]["path"]["replaceFullPath"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        forms,
        [
            (
                "/.well-known/oauth-protected-resource/tickets/mcp",
                Some("/.well-known/oauth-protected-resource/mcp")
            ),
            ("/.well-known/oauth-protected-resource", None),
        ]
    );
    for dir in [a, b, c] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn oidc_behind_the_gateway_end_to_end() {
    let (out, tree) = build("traffic-oidc", "base");
    // Egress admits HTTPS to the issuer by address...
    let np = &typed::<NetworkPolicy>(&tree, "networkpolicy.yaml")[0];
    let egress = np
        .spec
        .as_ref()
        .and_then(|s| s.egress.clone())
        .expect("egress");
    assert!(egress.iter().any(|r| {
        r.to.iter().flatten().any(|p| {
            p.ip_block
                .as_ref()
                .is_some_and(|b| b.cidr == "203.0.113.0/24")
        }) && r.ports.iter().flatten().any(|p| {
            p.port == Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(443))
        })
    }));
    // ...and by name through Cilium, with DNS through Cilium's proxy.
    let cnp = &docs(&tree, "ciliumnetworkpolicy.yaml")[0];
    assert_eq!(
        cnp["spec"]["egress"][1]["toFQDNs"][0]["matchName"],
        "login.acme.example"
    );
    assert_eq!(
        cnp["spec"]["egress"][0]["toPorts"][0]["rules"]["dns"][0]["matchPattern"],
        "*"
    );
    // Tokens are validated at the gateway on the MCP route only; discovery stays open.
    let sp = &docs(&tree, "securitypolicy.yaml")[0];
    assert_eq!(sp["spec"]["targetRefs"][0]["name"], "tickets");
    assert_eq!(sp["spec"]["targetRefs"].as_array().map(Vec::len), Some(1));
    let jwt = &sp["spec"]["jwt"]["providers"][0];
    assert_eq!(jwt["issuer"], "https://login.acme.example/realms/mcp");
    assert_eq!(jwt["audiences"][0], "https://mcp.acme.example/tickets/mcp");
    // The route lives in the gateway's namespace: a ReferenceGrant lets it reach the Service.
    let grant = &docs(&tree, "referencegrant.yaml")[0];
    assert_eq!(grant["metadata"]["namespace"], "tickets");
    assert_eq!(grant["spec"]["from"][0]["namespace"], "gateway-system");
    assert_eq!(grant["spec"]["to"][0]["name"], "tickets");
    // Sessions live in one of three processes: the route keeps them on their pod.
    let route = &docs(&tree, "httproute.yaml")[0];
    assert_eq!(
        route["spec"]["rules"][0]["sessionPersistence"]["type"],
        "Cookie"
    );
    // The server learns its public resource URL.
    let deployment = &tree["deployment.yaml"];
    assert!(deployment.contains(
        "- name: MCP_RESOURCE_URL\n          value: https://mcp.acme.example/tickets/mcp\n"
    ));
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn an_unknown_class_gets_a_plain_ingress() {
    let (out, tree) = build("traffic-unknown-class", "base");
    for ing in docs(&tree, "ingress.yaml") {
        let keys: Vec<String> = annotations(&ing).into_keys().collect();
        // No controller's annotation: only cert-manager's and the controller-neutral HTTPS-only
        // statement.
        assert!(
            keys.iter().all(|k| k == "cert-manager.io/cluster-issuer"
                || k == "kubernetes.io/ingress.allow-http"),
            "{keys:?}"
        );
        assert_eq!(ing["spec"]["ingressClassName"], "contour-public");
    }
    let np = serde_json::to_string(&typed::<NetworkPolicy>(&tree, "networkpolicy.yaml")[0])
        .expect("json");
    assert!(np.contains(r#""kubernetes.io/metadata.name":"projectcontour""#));
    let check = mcpgen(&[
        "check",
        fixture("traffic-unknown-class").to_str().expect("utf-8"),
    ]);
    let text = stdout(&check);
    assert!(
        text.contains("MCP247(unknown-ingress-controller)"),
        "{text}"
    );
    assert!(text.contains("unbuffered"), "{text}");
    let _ = std::fs::remove_dir_all(out);
}
