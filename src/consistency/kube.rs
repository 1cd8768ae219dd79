//! The Kubernetes checks: ports, selectors and references, kustomizations, namespaces,
//! duplicates, topology spread and NetworkPolicy rules, each over the objects as values.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Finding, View, array_at, labels, match_labels, selects, server_container, str_at};
use crate::compile::{Content, Object};
use crate::diagnostics::codes;
use crate::model::{Model, NAMESPACE_NAME_LABEL, NODE_LOCAL_DNS};

/// Kinds mcpgen may write that have no namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
    "PersistentVolume",
];
/// Kinds that act on the whole namespace.
const NAMESPACE_WIDE: &[&str] = &["Namespace", "ResourceQuota", "LimitRange"];

/// Run the Kubernetes checks.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    duplicates(view, out);
    namespaces(model, view, out);
    kustomizations(view, out);
    let Some(dep) = view.workload() else {
        return;
    };
    let pod_labels = labels(dep.value.pointer("/spec/template/metadata/labels"));
    let container = server_container(dep);
    let ports = ContainerPorts::of(container);
    selectors(view, dep, &pod_labels, out);
    probes(container, &ports, out);
    services(model, view, &ports, out);
    network_policy(model, view, &pod_labels, &ports, out);
    spread(dep, &pod_labels, out);
}

/// Container ports by name and number.
struct ContainerPorts {
    names: BTreeSet<String>,
    numbers: BTreeSet<i64>,
}

impl ContainerPorts {
    fn of(container: Option<&Value>) -> ContainerPorts {
        let ports = container
            .and_then(|c| c.get("ports"))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        ContainerPorts {
            names: ports
                .iter()
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
            numbers: ports
                .iter()
                .filter_map(|p| p.get("containerPort").and_then(Value::as_i64))
                .collect(),
        }
    }

    /// Whether a port reference (a name or a number) resolves.
    fn resolves(&self, port: &Value) -> bool {
        match port {
            Value::String(n) => self.names.contains(n),
            Value::Number(n) => n.as_i64().is_some_and(|n| self.numbers.contains(&n)),
            _ => false,
        }
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn duplicates(view: &View, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(String, String, String, String), &str> = BTreeMap::new();
    for (path, o) in &view.objects {
        if let Some(first) = seen.insert(o.key(), path) {
            out.push(Finding::new(
                &codes::DUPLICATE_OBJECT,
                "/metadata/name",
                format!(
                    "{path} and {first} both hold {} `{}`: applied together, one replaces the \
                     other",
                    o.kind(),
                    o.name()
                ),
            ));
        }
    }
}

/// The namespace an object of this kind belongs in: the server's, except the objects of a
/// Gateway API route, which live with the route (the HTTPRoute and the policies that target
/// it) or with the Gateway (a policy on its listener).
fn expected_namespace<'a>(model: &'a Model, kind: &str) -> &'a str {
    use crate::model::traffic::Way;
    match model.expose.as_ref().map(|e| &e.way) {
        Some(Way::Gateway(g)) => match kind {
            "HTTPRoute" | "BackendTrafficPolicy" | "SecurityPolicy" => &g.route_namespace,
            "ClientTrafficPolicy" => &g.namespace,
            _ => &model.namespace,
        },
        _ => &model.namespace,
    }
}

fn namespaces(model: &Model, view: &View, out: &mut Vec<Finding>) {
    for (path, o) in &view.objects {
        let scoped = CLUSTER_SCOPED.contains(&o.kind());
        let expected = expected_namespace(model, o.kind());
        match (&o.namespace(), scoped) {
            (Some(ns), false) if *ns != expected => out.push(Finding::new(
                &codes::NAMESPACE_MISMATCH,
                "/metadata/namespace",
                format!(
                    "{path}: {} `{}` is in namespace `{ns}`, where it belongs is `{expected}`",
                    o.kind(),
                    o.name(),
                ),
            )),
            (None, false) => out.push(Finding::new(
                &codes::NAMESPACE_MISMATCH,
                "/metadata/namespace",
                format!(
                    "{path}: {} `{}` has no namespace and lands in whatever namespace \
                     kubectl's context names",
                    o.kind(),
                    o.name()
                ),
            )),
            (Some(_), true) => out.push(Finding::new(
                &codes::NAMESPACE_MISMATCH,
                "/metadata/namespace",
                format!(
                    "{path}: the cluster-scoped {} `{}` has a namespace",
                    o.kind(),
                    o.name()
                ),
            )),
            _ => {}
        }
        if o.kind() == "Namespace" && o.name() != model.namespace {
            out.push(Finding::new(
                &codes::NAMESPACE_MISMATCH,
                "/metadata/namespace",
                format!(
                    "{path} creates namespace `{}`, the server runs in `{}`",
                    o.name(),
                    model.namespace
                ),
            ));
        }
        if NAMESPACE_WIDE.contains(&o.kind()) && !model.namespace_owned {
            out.push(Finding::new(
                &codes::NAMESPACE_MISMATCH,
                "/metadata/namespaceOwnership",
                format!(
                    "{path}: {} `{}` applies to every tenant of the shared namespace `{}`",
                    o.kind(),
                    o.name(),
                    model.namespace
                ),
            ));
        }
    }
}

fn kustomizations(view: &View, out: &mut Vec<Finding>) {
    for a in view.artifacts {
        let Content::Kustomization(listed) = &a.content else {
            continue;
        };
        let dir = a.path.rsplit_once('/').map_or("", |(d, _)| d);
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
        let present: BTreeSet<&str> = view
            .artifacts
            .iter()
            .filter(|o| !o.objects().is_empty())
            .filter_map(|o| o.path.strip_prefix(&prefix))
            .filter(|rel| !rel.contains('/'))
            .collect();
        for missing in present.difference(&listed) {
            out.push(Finding::new(
                &codes::KUSTOMIZATION_MISMATCH,
                "/metadata/name",
                format!(
                    "{} does not list {missing}: `kubectl apply -k` skips it",
                    a.path
                ),
            ));
        }
        for extra in listed.difference(&present) {
            out.push(Finding::new(
                &codes::KUSTOMIZATION_MISMATCH,
                "/metadata/name",
                format!(
                    "{} lists {extra}, which is not an object file of {dir}/: `kubectl \
                     apply -k` fails",
                    a.path
                ),
            ));
        }
    }
}

fn selectors(view: &View, dep: &Object, pod: &BTreeMap<String, String>, out: &mut Vec<Finding>) {
    let mut fail = |what: String| {
        out.push(Finding::new(
            &codes::SELECTOR_SELECTS_NOTHING,
            "/metadata/name",
            what,
        ));
    };
    let spec = |o: &Object, p: &str| o.value.pointer(p).cloned();
    if !selects(&match_labels(dep.value.pointer("/spec/selector")), pod) {
        fail(format!(
            "{} `{}`: its selector does not select its own pod template",
            dep.kind(),
            dep.name()
        ));
    }
    for (kind, pointer) in [
        ("Service", "/spec/selector"),
        ("PodDisruptionBudget", "/spec/selector/matchLabels"),
        ("NetworkPolicy", "/spec/podSelector/matchLabels"),
    ] {
        for o in view.kind(kind) {
            if !selects(&labels(spec(o, pointer).as_ref()), pod) {
                fail(format!(
                    "{kind} `{}` does not select the server's pods",
                    o.name()
                ));
            }
        }
    }
    for (kind, pointer) in [
        ("HorizontalPodAutoscaler", "/spec/scaleTargetRef"),
        ("VerticalPodAutoscaler", "/spec/targetRef"),
    ] {
        for o in view.kind(kind) {
            let target = o.value.pointer(pointer);
            let refers = target.is_some_and(|t| {
                t.get("kind").and_then(Value::as_str) == Some(dep.kind())
                    && t.get("apiVersion").and_then(Value::as_str) == Some(dep.api_version())
                    && t.get("name").and_then(Value::as_str) == Some(dep.name())
            });
            if !refers {
                fail(format!(
                    "{kind} `{}` targets no workload of the output (expected {} {} `{}`)",
                    o.name(),
                    dep.api_version(),
                    dep.kind(),
                    dep.name()
                ));
            }
        }
    }
    let services: Vec<&Object> = view.kind("Service").collect();
    for ing in view.kind("Ingress") {
        for rule in array_at(&ing.value, "/spec/rules") {
            for p in array_at(rule, "/http/paths") {
                let name = str_at(p, "/backend/service/name").unwrap_or_default();
                if !services.iter().any(|s| s.name() == name) {
                    fail(format!(
                        "Ingress `{}` routes to Service `{name}`, which the output does not have",
                        ing.name()
                    ));
                }
            }
        }
    }
    for sm in view.kind("ServiceMonitor") {
        let sel = match_labels(sm.value.pointer("/spec/selector"));
        let names: Vec<&str> = array_at(&sm.value, "/spec/namespaceSelector/matchNames")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let found = services.iter().any(|s| {
            let in_ns = if names.is_empty() {
                s.namespace() == sm.namespace()
            } else {
                s.namespace().is_some_and(|n| names.contains(&n))
            };
            in_ns && selects(&sel, &labels(s.value.pointer("/metadata/labels")))
        });
        if !found {
            fail(format!(
                "ServiceMonitor `{}` selects no Service of the output: Prometheus scrapes \
                 nothing",
                sm.name()
            ));
        }
    }
    if let Some(sa) = str_at(&dep.value, "/spec/template/spec/serviceAccountName")
        && !view.kind("ServiceAccount").any(|o| o.name() == sa)
    {
        fail(format!(
            "{} `{}` runs as ServiceAccount `{sa}`, which the output does not have",
            dep.kind(),
            dep.name()
        ));
    }
    for v in array_at(&dep.value, "/spec/template/spec/volumes") {
        if let Some(cm) = str_at(v, "/configMap/name")
            && !view.kind("ConfigMap").any(|o| o.name() == cm)
        {
            fail(format!(
                "{} `{}` mounts ConfigMap `{cm}`, which the output does not have",
                dep.kind(),
                dep.name()
            ));
        }
    }
}

fn probes(container: Option<&Value>, ports: &ContainerPorts, out: &mut Vec<Finding>) {
    let Some(c) = container else {
        return;
    };
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(port) = c.pointer(&format!("/{probe}/httpGet/port"))
            && !ports.resolves(port)
        {
            out.push(Finding::new(
                &codes::PORT_NOT_DECLARED,
                "/spec/health/port",
                format!(
                    "the {probe} probes port {}, which the server container does not declare: \
                     the kubelet restarts the pod forever",
                    show(port)
                ),
            ));
        }
    }
}

fn services(model: &Model, view: &View, ports: &ContainerPorts, out: &mut Vec<Finding>) {
    let mut service_ports: BTreeMap<String, (BTreeSet<String>, BTreeSet<i64>)> = BTreeMap::new();
    for svc in view.kind("Service") {
        let entry = service_ports.entry(svc.name().to_string()).or_default();
        for p in array_at(&svc.value, "/spec/ports") {
            if let Some(n) = p.get("name").and_then(Value::as_str) {
                entry.0.insert(n.to_string());
            }
            if let Some(n) = p.get("port").and_then(Value::as_i64) {
                entry.1.insert(n);
            }
            let target = p.get("targetPort").or_else(|| p.get("port"));
            if let Some(t) = target
                && !ports.resolves(t)
            {
                out.push(Finding::new(
                    &codes::PORT_NOT_DECLARED,
                    "/spec/mcp/port",
                    format!(
                        "Service `{}` forwards to port {}, which the server container does not \
                         declare",
                        svc.name(),
                        show(t)
                    ),
                ));
            }
        }
    }
    for ing in view.kind("Ingress") {
        for rule in array_at(&ing.value, "/spec/rules") {
            for p in array_at(rule, "/http/paths") {
                let name = str_at(p, "/backend/service/name").unwrap_or_default();
                let Some((names, numbers)) = service_ports.get(name) else {
                    continue;
                };
                let port = p.pointer("/backend/service/port");
                let ok = match (
                    port.and_then(|p| p.get("name")).and_then(Value::as_str),
                    port.and_then(|p| p.get("number")).and_then(Value::as_i64),
                ) {
                    (Some(n), _) => names.contains(n),
                    (None, Some(n)) => numbers.contains(&n),
                    (None, None) => false,
                };
                if !ok {
                    out.push(Finding::new(
                        &codes::PORT_NOT_DECLARED,
                        "/spec/mcp/port",
                        format!(
                            "Ingress `{}` routes to a port Service `{name}` does not have",
                            ing.name()
                        ),
                    ));
                }
            }
        }
    }
    for sm in view.kind("ServiceMonitor") {
        let all_names: BTreeSet<&String> = service_ports.values().flat_map(|(n, _)| n).collect();
        for ep in array_at(&sm.value, "/spec/endpoints") {
            let ok = match (ep.get("port"), ep.get("targetPort")) {
                (Some(Value::String(n)), _) => all_names.contains(n),
                (None, Some(t)) => ports.resolves(t),
                _ => false,
            };
            if !ok {
                out.push(Finding::new(
                    &codes::PORT_NOT_DECLARED,
                    "/spec/monitoring/metrics/port",
                    format!(
                        "ServiceMonitor `{}` scrapes a port no Service of the server has",
                        sm.name()
                    ),
                ));
            }
        }
    }
    let _ = model;
}

fn network_policy(
    model: &Model,
    view: &View,
    pod: &BTreeMap<String, String>,
    ports: &ContainerPorts,
    out: &mut Vec<Finding>,
) {
    for np in view.kind("NetworkPolicy") {
        if !selects(&match_labels(np.value.pointer("/spec/podSelector")), pod) {
            // Reported by the selector check.
            continue;
        }
        let ingress = array_at(&np.value, "/spec/ingress");
        for rule in ingress {
            for p in array_at(rule, "/ports") {
                let Some(port) = p.get("port") else { continue };
                if !ports.resolves(port) {
                    // A number comes from an `allowFrom` peer's `port`.
                    let pointer = port
                        .as_u64()
                        .and_then(|n| {
                            model
                                .network
                                .allow_from
                                .iter()
                                .position(|peer| peer.port.map(u64::from) == Some(n))
                        })
                        .map_or("/spec/network/allowFrom".to_string(), |i| {
                            format!("/spec/network/allowFrom/{i}/port")
                        });
                    out.push(Finding::new(
                        &codes::PORT_NOT_DECLARED,
                        pointer,
                        format!(
                            "NetworkPolicy `{}` admits traffic to port {}, which the server \
                             container does not listen on",
                            np.name(),
                            show(port)
                        ),
                    ));
                }
            }
        }
        let egress = array_at(&np.value, "/spec/egress");
        for (what, rules, peers) in [("ingress", ingress, "from"), ("egress", egress, "to")] {
            for (i, a) in rules.iter().enumerate() {
                for (j, b) in rules.iter().enumerate() {
                    if i != j
                        && a.get(peers) == b.get(peers)
                        && covers(a, b)
                        && (i < j || !covers(b, a))
                    {
                        out.push(Finding::new(
                            &codes::NETWORK_POLICY_INCONSISTENT,
                            "/spec/network",
                            format!(
                                "NetworkPolicy `{}`: {what} rule {} repeats what rule {} already \
                                 admits",
                                np.name(),
                                j + 1,
                                i + 1
                            ),
                        ));
                    }
                }
            }
        }
        // DNS must reach the kube-dns pods and NodeLocal DNSCache's address.
        let dns: Vec<&Value> = egress
            .iter()
            .filter(|r| {
                array_at(r, "/ports").iter().any(|p| {
                    p.get("port").and_then(Value::as_i64) == Some(53)
                        && p.get("protocol").and_then(Value::as_str) == Some("UDP")
                })
            })
            .collect();
        let peers: Vec<&Value> = dns.iter().flat_map(|r| array_at(r, "/to")).collect();
        let kube_dns = peers.iter().any(|p| {
            match_labels(p.get("podSelector"))
                .get("k8s-app")
                .map(String::as_str)
                == Some("kube-dns")
        });
        let node_local = peers
            .iter()
            .any(|p| str_at(p, "/ipBlock/cidr") == Some(&format!("{NODE_LOCAL_DNS}/32")));
        if !kube_dns || !node_local {
            out.push(Finding::new(
                &codes::NETWORK_POLICY_INCONSISTENT,
                "/spec/network",
                format!(
                    "NetworkPolicy `{}` does not let DNS queries reach {}: name resolution \
                     fails and every outbound connection with it",
                    np.name(),
                    if kube_dns {
                        "NodeLocal DNSCache (169.254.20.10)"
                    } else {
                        "the kube-dns pods"
                    }
                ),
            ));
        }
    }
}

/// Whether rule `a` admits every port rule `b` admits (no `ports`: every port).
fn covers(a: &Value, b: &Value) -> bool {
    match (a.get("ports"), b.get("ports")) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(pa), Some(pb)) => {
            let pa = pa.as_array().map_or(&[][..], Vec::as_slice);
            pb.as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .all(|p| pa.contains(p))
        }
    }
}

fn spread(dep: &Object, pod: &BTreeMap<String, String>, out: &mut Vec<Finding>) {
    for c in array_at(&dep.value, "/spec/template/spec/topologySpreadConstraints") {
        if !selects(&match_labels(c.get("labelSelector")), pod) {
            out.push(Finding::new(
                &codes::SELECTOR_SELECTS_NOTHING,
                "/metadata/name",
                format!(
                    "a topology spread constraint of {} `{}` does not select its pods",
                    dep.kind(),
                    dep.name()
                ),
            ));
        }
        if str_at(c, "/whenUnsatisfiable") != Some("DoNotSchedule") {
            continue;
        }
        for policy in ["nodeTaintsPolicy", "nodeAffinityPolicy"] {
            if str_at(c, &format!("/{policy}")) != Some("Honor") {
                out.push(Finding::new(
                    &codes::SPREAD_COUNTS_TAINTED_NODES,
                    "/metadata/name",
                    format!(
                        "{} `{}` spreads over `{}` with DoNotSchedule and {policy} `{}`: \
                         nodes the pod cannot run on count as empty domains, and scale-out \
                         stays Pending",
                        dep.kind(),
                        dep.name(),
                        str_at(c, "/topologyKey").unwrap_or_default(),
                        str_at(c, &format!("/{policy}")).unwrap_or("Ignore")
                    ),
                ));
            }
        }
    }
}

/// The namespace a NetworkPolicy peer selects by name, if it selects one that way.
pub(crate) fn peer_namespace(peer: &Value) -> Option<&str> {
    peer.pointer(&format!(
        "/namespaceSelector/matchLabels/{}",
        NAMESPACE_NAME_LABEL.replace('/', "~1")
    ))
    .and_then(Value::as_str)
}
