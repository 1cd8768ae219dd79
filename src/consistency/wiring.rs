//! The wiring checks: every dependency is wired (the server is told where it is in compose and
//! in Kubernetes, compose runs it, and the NetworkPolicy lets the server reach it), and the
//! server's request validation admits the clients each target really has.

use std::collections::BTreeMap;

use serde_json::Value;

use super::kube::peer_namespace;
use super::{Finding, View, array_at, match_labels, server_container, str_at};
use crate::diagnostics::codes;
use crate::model::{CLUSTER_DOMAIN, Model};

/// Run the wiring checks.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    let dep = view.workload();
    let workload = format!("the {}", dep.map_or("Deployment", |d| d.kind()));
    let container = dep.and_then(server_container);
    let k8s_env = container.map(container_env);
    let compose = view.compose();
    let compose_server = compose.and_then(|c| c.pointer(&format!("/services/{}", model.name)));
    let compose_env = compose_server.map(|s| {
        s.get("environment")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(|s| s.replace("$$", "$"))))
                    .collect::<BTreeMap<_, _>>()
            })
            .unwrap_or_default()
    });
    let spec = model.resolved.spec();
    let user_set = |var: &str| spec.env.contains_key(var) || spec.secrets.contains_key(var);

    for (key, d) in &model.dependencies {
        let at = format!(
            "/spec/dependencies/{}",
            crate::spec::document::escape_token(key)
        );
        for (target, env, compose) in [
            (workload.as_str(), &k8s_env, false),
            ("compose", &compose_env, true),
        ] {
            let Some(env) = env else { continue };
            for (var, expected) in d.connection_env(compose) {
                let wrong = match env.get(&var) {
                    None => Some("does not set".to_string()),
                    Some(Some(v)) if *v != expected && !user_set(&var) => {
                        Some(format!("sets `{v}`, not `{expected}`, in"))
                    }
                    _ => None,
                };
                if let Some(how) = wrong {
                    out.push(Finding::new(
                        &codes::DEPENDENCY_NOT_WIRED,
                        at.clone(),
                        format!("{target} {how} `{var}`: the server cannot find `{key}`"),
                    ));
                }
            }
        }
        if let Some(c) = compose {
            if c.pointer(&format!("/services/{key}")).is_none() {
                out.push(Finding::new(
                    &codes::DEPENDENCY_NOT_WIRED,
                    at.clone(),
                    format!("compose runs no service `{key}`"),
                ));
            }
            if compose_server
                .and_then(|s| s.pointer(&format!("/depends_on/{key}")))
                .is_none()
            {
                out.push(Finding::new(
                    &codes::DEPENDENCY_NOT_WIRED,
                    at.clone(),
                    format!(
                        "compose starts `{}` without waiting for `{key}`",
                        model.name
                    ),
                ));
            }
        }
        for np in view.kind("NetworkPolicy") {
            let reaches = array_at(&np.value, "/spec/egress").iter().any(|rule| {
                let port_ok =
                    match rule.get("ports") {
                        None => true,
                        Some(ports) => ports.as_array().into_iter().flatten().any(|p| {
                            p.get("port").and_then(Value::as_u64) == Some(u64::from(d.port))
                        }),
                    };
                port_ok
                    && array_at(rule, "/to").iter().any(|peer| {
                        let pods = match_labels(peer.get("podSelector"));
                        peer_namespace(peer) == Some(d.namespace.as_str())
                            && pods.iter().all(|(k, v)| d.pod_labels.get(k) == Some(v))
                    })
            });
            if !reaches {
                out.push(Finding::new(
                    &codes::DEPENDENCY_NOT_WIRED,
                    at.clone(),
                    format!(
                        "NetworkPolicy `{}` does not let the server reach `{key}` in namespace \
                         `{}` on port {}",
                        np.name(),
                        d.namespace,
                        d.port
                    ),
                ));
            }
        }
    }

    hosts(model, view, &k8s_env, &compose_env, compose_server, out);
}

/// A container's environment: name → literal value (`None` when read from a Secret).
fn container_env(c: &Value) -> BTreeMap<String, Option<String>> {
    array_at(c, "/env")
        .iter()
        .filter_map(|e| {
            let name = e.get("name")?.as_str()?.to_string();
            Some((
                name,
                e.get("value").and_then(Value::as_str).map(str::to_string),
            ))
        })
        .collect()
}

type Env = Option<BTreeMap<String, Option<String>>>;

fn hosts(
    model: &Model,
    view: &View,
    k8s_env: &Env,
    compose_env: &Env,
    compose_server: Option<&Value>,
    out: &mut Vec<Finding>,
) {
    let spec = model.resolved.spec();
    let workload = format!("the {}", view.workload().map_or("Deployment", |d| d.kind()));
    let pointer = |var: &str, field: &str| {
        if spec.env.contains_key(var) {
            format!("/spec/env/{var}")
        } else {
            format!("/spec/mcp/{field}")
        }
    };
    let allowed = |env: &Env| -> Option<Vec<String>> {
        env.as_ref()?
            .get("MCP_ALLOWED_HOSTS")
            .cloned()
            .flatten()
            .map(|v| v.split(',').map(str::to_string).collect())
    };
    if let Some(list) = allowed(k8s_env) {
        let mut needed: Vec<(String, String)> = Vec::new();
        for svc in view.kind("Service") {
            let ns = svc.namespace().unwrap_or_default();
            for host in [
                format!("{}.{ns}.svc", svc.name()),
                format!("{}.{ns}.svc.{CLUSTER_DOMAIN}", svc.name()),
            ] {
                needed.push((
                    host,
                    format!("in-cluster clients of Service `{}`", svc.name()),
                ));
            }
        }
        for ing in view.kind("Ingress") {
            for rule in array_at(&ing.value, "/spec/rules") {
                if let Some(h) = str_at(rule, "/host") {
                    needed.push((
                        h.to_string(),
                        format!("clients of Ingress `{}`", ing.name()),
                    ));
                }
            }
        }
        for (host, who) in needed {
            if !list.contains(&host) {
                out.push(Finding::new(
                    &codes::HOST_VALIDATION_MISMATCH,
                    pointer("MCP_ALLOWED_HOSTS", "allowedHosts"),
                    format!(
                        "{workload}'s MCP_ALLOWED_HOSTS lacks `{host}`: the server rejects {who} \
                         (DNS-rebinding protection)"
                    ),
                ));
            }
        }
    }
    if let Some(list) = allowed(compose_env) {
        let published = compose_server
            .map(|s| array_at(s, "/ports"))
            .unwrap_or_default();
        for p in published {
            let Some(spec) = p.as_str() else { continue };
            let parts: Vec<&str> = spec.split(':').collect();
            let Some(host_port) = parts.len().checked_sub(2).map(|i| parts[i]) else {
                continue;
            };
            // Only the MCP port has MCP clients.
            if parts.last() != Some(&model.ports.http.number.to_string().as_str()) {
                continue;
            }
            for host in ["localhost".to_string(), format!("localhost:{host_port}")] {
                if !list.contains(&host) {
                    out.push(Finding::new(
                        &codes::HOST_VALIDATION_MISMATCH,
                        pointer("MCP_ALLOWED_HOSTS", "allowedHosts"),
                        format!(
                            "compose's MCP_ALLOWED_HOSTS lacks `{host}`: the server rejects a \
                             local client of the published port {host_port}"
                        ),
                    ));
                }
            }
        }
    }
    if let Some(env) = compose_env
        && env
            .get("MCP_TRUST_PROXY_HEADERS")
            .cloned()
            .flatten()
            .as_deref()
            == Some("true")
    {
        out.push(Finding::new(
            &codes::HOST_VALIDATION_MISMATCH,
            pointer("MCP_TRUST_PROXY_HEADERS", "trustProxyHeaders"),
            "compose tells the server to trust X-Forwarded-* headers, but no proxy runs in \
             front of it there: any client can forge its address and scheme",
        ));
    }
}
