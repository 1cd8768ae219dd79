//! From a violation on a generated object back to the spec line responsible.
//!
//! [`origins`] is the provenance table: for each field mcpgen generates from the spec, the
//! field path in the generated object (`spec.template.spec.containers[0].image`) and the spec
//! JSON Pointer it comes from (`/spec/image`). Fields mcpgen always sets the same way (the
//! hardened security context, the service-account token, the PDB's one-at-a-time budget) have
//! no pointer: no spec field changes them.
//!
//! Which field a violation is about is not something Gatekeeper reports. It is found by
//! ablation ([`Session::review`](super::review::Session::review)): each field of the table
//! present in the object is removed in turn and the template re-run; a field whose removal
//! makes the result disappear or change is one the violation depends on. The most specific
//! such field with a spec pointer becomes the finding's primary label. When none is found (a
//! check about something absent, or about a field mcpgen fixes), the label goes on the spec
//! field the object as a whole comes from and says so.
//!
//! [`review_outputs`] is the entry point the build calls once one environment's files exist.

use std::collections::BTreeMap;

use serde_json::Value;

use super::conftest::ManifestPolicy;
use super::review::{Object, ObjectRef, Session, Violation, get_path, path_key};
use super::{GatorError, Policy};
use crate::diagnostics::{Diagnostic, Level};
use crate::spec::Document;
use crate::spec::document::escape_token;

/// One environment's generated files and the spec they came from.
pub struct Outputs<'a> {
    /// The spec file's document (spans for labels).
    pub doc: &'a Document,
    /// The environment (`None`: the base spec).
    pub env: Option<&'a str>,
    /// The resolved spec value `{apiVersion, kind, metadata, spec}` of that environment.
    pub spec: &'a Value,
    /// Generated files: path relative to the environment's directory → contents.
    pub files: &'a BTreeMap<String, String>,
}

/// Whether a generated file holds Kubernetes objects to review: everything under `k8s/`
/// except the kustomization, and the monitoring target's Kubernetes objects.
pub fn is_kubernetes_file(path: &str) -> bool {
    if !path.ends_with(".yaml") || path.ends_with("kustomization.yaml") {
        return false;
    }
    path.starts_with("k8s/")
        || path
            .strip_prefix("monitoring/")
            .is_some_and(|n| crate::compile::monitoring::KUBERNETES_OBJECTS.contains(&n))
}

/// The Kubernetes objects among generated files, each with its file.
pub fn objects(files: &BTreeMap<String, String>) -> Result<Vec<Object>, GatorError> {
    let mut out = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| is_kubernetes_file(p)) {
        for d in super::load::parse_yaml(path, text)? {
            out.push(Object {
                file: path.clone(),
                value: d.value,
            });
        }
    }
    Ok(out)
}

/// Where one generated field comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Field path in the generated object.
    pub path: String,
    /// Spec pointer, or `None` when mcpgen always generates it the same way.
    pub pointer: Option<String>,
}

fn o(path: impl Into<String>, pointer: &str) -> Origin {
    Origin {
        path: path.into(),
        pointer: Some(pointer.to_string()),
    }
}

fn fixed(path: impl Into<String>) -> Origin {
    Origin {
        path: path.into(),
        pointer: None,
    }
}

/// Label and annotation keys of a generated map: to the spec's own entry when the spec
/// sets that key, else to mcpgen's.
fn map_origins(obj: &Value, path: &str, spec: &Value, field: &str, out: &mut Vec<Origin>) {
    let Some(map) = get_path(obj, path).and_then(Value::as_object) else {
        return;
    };
    for k in map.keys() {
        let in_spec = spec
            .get("metadata")
            .and_then(|m| m.get(field))
            .and_then(|m| m.get(k))
            .is_some();
        let p = path_key(path, k);
        if in_spec {
            out.push(o(p, &format!("/metadata/{field}/{}", escape_token(k))));
        } else {
            out.push(fixed(p));
        }
    }
}

/// The provenance of the fields of one generated object, most specific first. `spec` is the
/// resolved spec value `{metadata, spec}`.
pub fn origins(obj: &Value, spec: &Value) -> Vec<Origin> {
    let r = ObjectRef::of(obj);
    let mut out = Vec::new();
    let has = |p: &str| get_path(obj, p).is_some();
    match r.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "Rollout" => {
            let pod = "spec.template.spec";
            let c = format!("{pod}.containers[0]");
            for (f, p) in [
                ("image", "/spec/image"),
                ("imagePullPolicy", "/spec/image"),
                ("resources.limits.cpu", "/spec/resources/limits/cpu"),
                ("resources.limits.memory", "/spec/resources/limits/memory"),
                ("resources.requests.cpu", "/spec/resources/requests/cpu"),
                (
                    "resources.requests.memory",
                    "/spec/resources/requests/memory",
                ),
                ("livenessProbe.httpGet.path", "/spec/health/liveness/path"),
                ("readinessProbe.httpGet.path", "/spec/health/readiness/path"),
                ("startupProbe.httpGet.path", "/spec/health/startup/path"),
                ("livenessProbe", "/spec/health/liveness"),
                ("readinessProbe", "/spec/health/readiness"),
                ("startupProbe", "/spec/health/startup"),
            ] {
                out.push(o(format!("{c}.{f}"), p));
            }
            if let Some(ports) = get_path(obj, &format!("{c}.ports")).and_then(Value::as_array) {
                for (i, port) in ports.iter().enumerate() {
                    let ptr = match port.get("name").and_then(Value::as_str) {
                        Some("http") => "/spec/mcp/port",
                        Some("metrics") => "/spec/monitoring/metrics/port",
                        Some("health") => "/spec/health/port",
                        _ => continue,
                    };
                    out.push(o(format!("{c}.ports[{i}]"), ptr));
                }
            }
            if let Some(env) = get_path(obj, &format!("{c}.env")).and_then(Value::as_array) {
                for (i, e) in env.iter().enumerate() {
                    let Some(name) = e.get("name").and_then(Value::as_str) else {
                        continue;
                    };
                    let s = spec.get("spec");
                    let ptr = if s
                        .and_then(|s| s.get("env"))
                        .and_then(|m| m.get(name))
                        .is_some()
                    {
                        format!("/spec/env/{}", escape_token(name))
                    } else if s
                        .and_then(|s| s.get("secrets"))
                        .and_then(|m| m.get(name))
                        .is_some()
                    {
                        format!("/spec/secrets/{}", escape_token(name))
                    } else if name == "MCP_AUTH_SECRET" {
                        "/spec/mcp/auth/secret".to_string()
                    } else if name.starts_with("MCP_") {
                        "/spec/mcp".to_string()
                    } else {
                        out.push(fixed(format!("{c}.env[{i}]")));
                        continue;
                    };
                    out.push(o(format!("{c}.env[{i}]"), &ptr));
                }
            }
            for (f, p) in [
                ("resources.limits", "/spec/resources/limits"),
                ("resources.requests", "/spec/resources/requests"),
                ("resources", "/spec/resources"),
                ("ports", "/spec/mcp/port"),
                ("env", "/spec/env"),
            ] {
                out.push(o(format!("{c}.{f}"), p));
            }
            // Volumes: the config files come from `files`; the writable emptyDirs are
            // mcpgen's (a read-only root filesystem needs them).
            for what in ["volumes", "containers[0].volumeMounts"] {
                let list = format!("{pod}.{what}");
                if let Some(items) = get_path(obj, &list).and_then(Value::as_array) {
                    for (i, v) in items.iter().enumerate() {
                        let p = format!("{list}[{i}]");
                        if v.get("name").and_then(Value::as_str) == Some("files") {
                            out.push(o(p, "/spec/files"));
                        } else {
                            out.push(fixed(p));
                        }
                    }
                }
            }
            out.push(o("spec.replicas", "/spec/replicas"));
            map_origins(
                obj,
                "spec.template.metadata.labels",
                spec,
                "labels",
                &mut out,
            );
            map_origins(
                obj,
                "spec.template.metadata.annotations",
                spec,
                "annotations",
                &mut out,
            );
            out.push(o("spec.template.metadata.labels", "/metadata/labels"));
            out.push(o(
                "spec.template.metadata.annotations",
                "/metadata/annotations",
            ));
            for f in [
                "securityContext",
                "automountServiceAccountToken",
                "serviceAccountName",
                "hostNetwork",
                "hostPID",
                "hostIPC",
                "terminationGracePeriodSeconds",
                "topologySpreadConstraints",
            ] {
                out.push(fixed(format!("{pod}.{f}")));
            }
            for f in ["securityContext", "lifecycle", "terminationMessagePolicy"] {
                out.push(fixed(format!("{c}.{f}")));
            }
        }
        "Service" => {
            out.push(o("spec.ports[0]", "/spec/mcp/port"));
            if get_path(obj, "spec.ports[1].name").and_then(Value::as_str) == Some("metrics") {
                out.push(o("spec.ports[1]", "/spec/monitoring/metrics/port"));
            }
            for f in ["spec.type", "spec.sessionAffinity", "spec.selector"] {
                out.push(fixed(f));
            }
        }
        "Ingress" => {
            out.push(o("spec.rules[0].host", "/spec/expose/host"));
            out.push(o("spec.tls[0].hosts", "/spec/expose/host"));
            out.push(o("spec.tls[0].secretName", "/spec/expose/tls"));
            out.push(o("spec.tls", "/spec/expose/tls"));
            out.push(o("spec.ingressClassName", "/spec/expose/ingressClass"));
            out.push(o("spec.rules[0].http.paths[0].path", "/spec/expose/path"));
            let ann = "metadata.annotations";
            for (key, ptr) in [
                (
                    "cert-manager.io/cluster-issuer",
                    "/spec/expose/tls/clusterIssuer",
                ),
                (
                    "nginx.ingress.kubernetes.io/ssl-redirect",
                    "/spec/expose/tls",
                ),
                (
                    "nginx.ingress.kubernetes.io/force-ssl-redirect",
                    "/spec/expose/tls",
                ),
                (
                    "nginx.ingress.kubernetes.io/limit-rpm",
                    "/spec/expose/rateLimit",
                ),
                (
                    "nginx.ingress.kubernetes.io/limit-rps",
                    "/spec/expose/rateLimit",
                ),
            ] {
                out.push(o(path_key(ann, key), ptr));
            }
        }
        "HorizontalPodAutoscaler" => {
            for (f, p) in [
                ("spec.minReplicas", "/spec/autoscaling/minReplicas"),
                ("spec.maxReplicas", "/spec/autoscaling/maxReplicas"),
                ("spec.behavior.scaleUp", "/spec/autoscaling/scaleUp"),
                ("spec.behavior.scaleDown", "/spec/autoscaling/scaleDown"),
                ("spec.metrics", "/spec/autoscaling"),
            ] {
                out.push(o(f, p));
            }
            out.push(fixed("spec.scaleTargetRef"));
        }
        "PodDisruptionBudget" => {
            out.push(fixed("spec.maxUnavailable"));
            out.push(fixed("spec.minAvailable"));
            out.push(fixed("spec.selector"));
        }
        "NetworkPolicy" => {
            out.push(o("spec.ingress", "/spec/network/allowFrom"));
            out.push(o("spec.egress", "/spec/network/allowTo"));
        }
        "ResourceQuota" => out.push(o("spec.hard", "/spec/quota")),
        "LimitRange" => out.push(o("spec.limits", "/spec/quota")),
        "VerticalPodAutoscaler" => {
            let cp = "spec.resourcePolicy.containerPolicies[0]";
            out.push(o(
                format!("{cp}.minAllowed"),
                "/spec/verticalScaling/minAllowed",
            ));
            out.push(o(
                format!("{cp}.maxAllowed"),
                "/spec/verticalScaling/maxAllowed",
            ));
            out.push(o("spec.updatePolicy", "/spec/verticalScaling/mode"));
        }
        "ConfigMap" if r.name.ends_with("-files") => out.push(o("data", "/spec/files")),
        "ServiceAccount" => out.push(fixed("automountServiceAccountToken")),
        "ServiceMonitor" => out.push(o("spec.endpoints", "/spec/monitoring/metrics")),
        "PrometheusRule" => {
            map_origins(obj, "metadata.labels", spec, "labels", &mut out);
            out.push(o("spec.groups", "/spec/monitoring/alerts"));
        }
        _ => {}
    }
    if r.kind == "Namespace" {
        out.push(o("metadata.name", "/metadata/namespace"));
    } else {
        out.push(o("metadata.namespace", "/metadata/namespace"));
        out.push(o("metadata.name", "/metadata/name"));
    }
    if r.kind != "PrometheusRule" {
        map_origins(obj, "metadata.labels", spec, "labels", &mut out);
    }
    map_origins(obj, "metadata.annotations", spec, "annotations", &mut out);
    out.push(o("metadata.labels", "/metadata/labels"));
    out.push(o("metadata.annotations", "/metadata/annotations"));
    out.retain(|x| has(&x.path));
    let mut seen = std::collections::HashSet::new();
    out.retain(|x| seen.insert(x.path.clone()));
    out
}

/// The spec field a generated object as a whole comes from: where a finding goes when no
/// single field is responsible.
pub fn anchor(kind: &str) -> &'static str {
    match kind {
        "Namespace" => "/metadata/namespace",
        "Ingress" => "/spec/expose",
        "HorizontalPodAutoscaler" => "/spec/autoscaling",
        "VerticalPodAutoscaler" => "/spec/verticalScaling",
        "NetworkPolicy" => "/spec/network",
        "ResourceQuota" | "LimitRange" => "/spec/quota",
        "ServiceMonitor" | "PrometheusRule" => "/spec/monitoring",
        "ConfigMap" => "/spec/files",
        _ => "/metadata/name",
    }
}

/// Whether the spec (base or this environment's overlay) writes a value at the pointer or
/// below it.
fn written(doc: &Document, env: Option<&str>, pointer: &str) -> bool {
    if doc.has(pointer) {
        return true;
    }
    env.is_some_and(|e| doc.has(&format!("/spec/environments/{}{pointer}", escape_token(e))))
}

/// The level of an enforcement action: deny is an error, warn a warning, dryrun a note.
pub fn level(action: super::Action) -> Level {
    match action {
        super::Action::Deny => Level::Error,
        super::Action::Warn => Level::Warning,
        super::Action::Dryrun => Level::Note,
    }
}

/// Where a finding about `obj` goes: (pointer, label text, help).
fn place(
    out: &Outputs,
    obj: &Value,
    blame: &[String],
    what: &str,
) -> (String, String, Option<String>) {
    let table = origins(obj, out.spec);
    let kind = ObjectRef::of(obj).kind;
    // Most specific blamed field with a spec pointer.
    let with_pointer = blame.iter().find_map(|b| {
        table
            .iter()
            .find(|o| &o.path == b)
            .and_then(|o| o.pointer.clone().map(|p| (b.clone(), p)))
    });
    if let Some((field, pointer)) = with_pointer {
        if written(out.doc, out.env, &pointer) {
            return (pointer, format!("{what}: `{field}` comes from here"), None);
        }
        let label = format!(
            "{what}: `{field}` is mcpgen's default for `{pointer}`, which the spec does not set"
        );
        let help = format!("set `{pointer}` in the spec to override mcpgen's default");
        return (pointer, label, Some(help));
    }
    let anchor = anchor(&kind).to_string();
    if let Some(field) = blame.first() {
        let label = format!(
            "{what}: `{field}` is generated by mcpgen the same way for every spec; no spec field \
             sets it"
        );
        return (
            anchor,
            label,
            Some(
                "no spec field changes this value: if the policy does not apply to mcpgen's \
                 output, add an exception for this code to mcpgen.toml with a reason"
                    .to_string(),
            ),
        );
    }
    let label = format!(
        "{what}: about the generated {kind} as a whole (no single generated field is \
         responsible)"
    );
    (anchor, label, None)
}

/// The object, without its namespace (the environment already says which one).
fn describe(v: &Violation) -> String {
    match &v.workload {
        Some((w, _)) => format!("{} {}, as the {} it creates", w.kind, w.name, v.object.kind),
        None => format!("{} {}", v.object.kind, v.object.name),
    }
}

/// A violation as a located finding.
pub fn diagnostic(out: &Outputs, obj: &Value, v: &Violation, out_has_cel: bool) -> Diagnostic {
    let code = v.code();
    let (pointer, label, help) = place(out, obj, &v.blame, &code);
    let (span, _) = out.doc.locate(out.env, &pointer);
    let message = format!("{} [{}: {}]", v.message, v.file, describe(v));
    let mut d = Diagnostic::dynamic(&code, &v.name, level(v.action), message)
        .with_label(span, label)
        .at_pointer(pointer)
        .in_environment(out.env);
    let verdict = match v.action {
        super::Action::Deny => "admission would reject the generated object",
        super::Action::Warn => "admission would accept the generated object with a warning",
        super::Action::Dryrun => "only Gatekeeper's audit would report the generated object",
    };
    let mut h = format!(
        "Gatekeeper constraint {code} (enforcementAction {}): {verdict}",
        v.action.as_str()
    );
    if v.eval_error {
        h.push_str(
            "; the template's Rego fails on this object, and Gatekeeper's Rego engine turns \
             that failure into a violation",
        );
        if out_has_cel {
            h.push_str(
                " (the template also has CEL code: a cluster with Gatekeeper's CEL engine \
                 evaluates that instead)",
            );
        }
    }
    if let Some((w, template)) = &v.workload {
        h.push_str(&format!(
            "; it was reviewed as the {} that {} {} creates (expansion `{template}`)",
            v.object.kind, w.kind, w.name
        ));
    }
    if let Some(extra) = help {
        h = format!("{extra}; {h}");
    }
    d.help = Some(h);
    d
}

/// Review one environment's outputs with the Gatekeeper constraints (`policy`) and the
/// Conftest-style manifest policies (`manifest`), and return the findings, located in the
/// spec. `data.inventory` holds every object of this environment. Constraints whose template
/// is CEL-only give one note each ("not evaluated").
pub fn review_outputs(
    policy: Option<&Policy>,
    manifest: Option<&mut ManifestPolicy>,
    out: &Outputs,
) -> Result<Vec<Diagnostic>, GatorError> {
    let objects = objects(out.files)?;
    let mut diags = Vec::new();
    let by_file_and_ref: BTreeMap<(String, ObjectRef), &Value> = objects
        .iter()
        .map(|o| ((o.file.clone(), ObjectRef::of(&o.value)), &o.value))
        .collect();
    let spec = out.spec;
    let candidates = |v: &Value| origins(v, spec).into_iter().map(|o| o.path).collect();
    if let Some(policy) = policy {
        let inv: Vec<&Value> = objects.iter().map(|o| &o.value).collect();
        let mut session = Session::new(policy, &inv, policy.expansions(), "CREATE")?;
        session.errors_as_violations = true;
        let report = session.review(&objects, &candidates)?;
        for v in &report.violations {
            let source = v.workload.as_ref().map_or(&v.object, |(w, _)| w);
            let Some(obj) = by_file_and_ref.get(&(v.file.clone(), source.clone())) else {
                continue;
            };
            let has_cel = policy.templates.get(&v.kind).is_some_and(|t| t.has_cel);
            diags.push(diagnostic(out, obj, v, has_cel));
        }
        for n in &report.not_evaluated {
            let code = format!("{}/{}", n.kind, n.name);
            let (span, _) = out.doc.locate(out.env, "/metadata/name");
            diags.push(
                Diagnostic::dynamic(
                    &code,
                    &n.name,
                    Level::Note,
                    format!(
                        "constraint {code} was not evaluated: {} (it matches {})",
                        n.reason,
                        n.files.join(", ")
                    ),
                )
                .with_label(span, format!("{code}: not evaluated"))
                .in_environment(out.env)
                .with_help(
                    "give the template a Rego (`engine: Rego`) implementation, or check these \
                     objects with the cluster or gator",
                ),
            );
        }
    }
    if let Some(m) = manifest {
        for f in m.review(&objects, &candidates)? {
            let Some(obj) = by_file_and_ref.get(&(f.file.clone(), f.object.clone())) else {
                continue;
            };
            let (pointer, label, help) = place(out, obj, &f.blame, &f.code);
            let (span, _) = out.doc.locate(out.env, &pointer);
            let mut d = Diagnostic::dynamic(
                &f.code,
                &f.name,
                f.level,
                format!(
                    "{} [{}: {} {}]",
                    f.message, f.file, f.object.kind, f.object.name
                ),
            )
            .with_label(span, label)
            .at_pointer(pointer)
            .in_environment(out.env);
            d.help = Some(match help {
                Some(h) => format!(
                    "{h}; manifest policy rule {} flags the generated object",
                    f.code
                ),
                None => format!("manifest policy rule {} flags the generated object", f.code),
            });
            diags.push(d);
        }
    }
    Ok(diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployment_fields_map_to_spec_pointers() {
        let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "s", "labels": {"team": "a", "app.kubernetes.io/name": "s"}},
            "spec": {"template": {"spec": {"containers": [{
                "image": "r/i:1",
                "env": [{"name": "A"}, {"name": "S"}, {"name": "MCP_PORT"}],
                "ports": [{"name": "http", "containerPort": 8080}],
                "resources": {"limits": {"cpu": "1"}}}]}}}});
        let spec = json!({"metadata": {"labels": {"team": "a"}},
                          "spec": {"env": {"A": "1"}, "secrets": {"S": {}}}});
        let table = origins(&dep, &spec);
        let find = |p: &str| table.iter().find(|o| o.path == p).cloned();
        assert_eq!(
            find("spec.template.spec.containers[0].image").and_then(|o| o.pointer),
            Some("/spec/image".into())
        );
        assert_eq!(
            find("spec.template.spec.containers[0].env[1]").and_then(|o| o.pointer),
            Some("/spec/secrets/S".into())
        );
        assert_eq!(
            find("spec.template.spec.containers[0].env[2]").and_then(|o| o.pointer),
            Some("/spec/mcp".into())
        );
        assert_eq!(
            find("metadata.labels.team").and_then(|o| o.pointer),
            Some("/metadata/labels/team".into())
        );
        assert_eq!(
            find("metadata.labels[\"app.kubernetes.io/name\"]").map(|o| o.pointer),
            Some(None)
        );
        // Absent fields are not candidates.
        assert!(find("spec.template.spec.containers[0].livenessProbe").is_none());
        // Leaves come before the maps that hold them.
        let pos = |p: &str| table.iter().position(|o| o.path == p);
        assert!(
            pos("spec.template.spec.containers[0].resources.limits.cpu")
                < pos("spec.template.spec.containers[0].resources.limits")
        );
    }
}
