//! `Ingress` objects, with the settings of the controller the class names.
//!
//! An Ingress has no standard field for buffering, timeouts, affinity, rate limits or path
//! rewrites: each controller reads its own annotations (or objects). One file per
//! controller says how it gets each of them ([`nginx`], [`traefik`], [`haproxy`]); a class
//! mcpgen does not know gets a plain Ingress with only the spec's own annotations, and the
//! policy pack says what that cannot guarantee (`unknown-ingress-controller`).
//!
//! Every controller writes the main Ingress (`<name>`: the public path to the Service's
//! `http` port) and, when the server declares auth, the Ingresses of the RFC 9728 discovery
//! paths (`<name>-well-known`, Exact paths; rewritten to the server's paths when the public
//! path differs). Only the main Ingress carries the cert-manager annotation, so exactly one
//! Certificate owns the TLS Secret; the others repeat the TLS block for the same host.

pub mod haproxy;
pub mod nginx;
pub mod traefik;

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};

use crate::compile::{Artifact, CompileError, objects_file};
use crate::model::traffic::{ExposeModel, IngressModel};
use crate::model::{Model, PORT_HTTP};
use crate::spec::IngressController;

/// One path of an Ingress rule.
#[derive(Debug, Clone)]
pub struct IngressPath {
    /// The path.
    pub path: String,
    /// `Prefix`, `Exact` or `ImplementationSpecific`.
    pub path_type: &'static str,
}

/// What a controller adds to the traffic files.
#[derive(Debug, Default)]
pub struct ControllerOutput {
    /// Ingresses, the main one first.
    pub ingresses: Vec<Ingress>,
    /// Traefik Middleware objects.
    pub middlewares: Vec<traefik::Middleware>,
}

/// The Ingress files for this model.
pub fn files(
    m: &Model,
    e: &ExposeModel,
    i: &IngressModel,
    out: &mut Vec<Artifact>,
) -> Result<(), CompileError> {
    let mut o = match i.controller {
        Some(IngressController::IngressNginx) => nginx::output(m, e, i),
        Some(IngressController::Traefik) => traefik::output(m, e, i),
        Some(IngressController::Haproxy) => haproxy::output(m, e, i),
        None => plain(m, e, i),
    };
    // With TLS, the controller-neutral statement that the host is served over HTTPS only (what
    // the Gatekeeper library's K8sHttpsOnly checks, and GCE's controller reads).
    for ing in &mut o.ingresses {
        if ing.spec.as_ref().is_some_and(|s| s.tls.is_some()) {
            ing.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert("kubernetes.io/ingress.allow-http".into(), "false".into());
        }
    }
    out.push(objects_file(
        m,
        "k8s/ingress.yaml",
        "Ingress",
        &o.ingresses,
    )?);
    if !o.middlewares.is_empty() {
        out.push(objects_file(
            m,
            "k8s/middleware.yaml",
            "Middleware",
            &o.middlewares,
        )?);
    }
    Ok(())
}

/// What the controller reads from the Service.
pub fn service_annotations(e: &ExposeModel, i: &IngressModel) -> BTreeMap<String, String> {
    match i.controller {
        Some(IngressController::Traefik) => traefik::service_annotations(e),
        Some(IngressController::Haproxy) => haproxy::service_annotations(e),
        _ => BTreeMap::new(),
    }
}

/// A controller mcpgen does not know: the public path as a prefix and the discovery paths as
/// Exact paths, with no annotation of any controller. Nothing can be rewritten.
fn plain(m: &Model, e: &ExposeModel, i: &IngressModel) -> ControllerOutput {
    let mut ingresses = vec![ingress(
        m,
        e,
        i,
        &e.names.route,
        cert_manager(e),
        vec![IngressPath {
            path: e.path.clone(),
            path_type: "Prefix",
        }],
    )];
    if !e.well_known.is_empty() {
        ingresses.push(ingress(
            m,
            e,
            i,
            &e.names.well_known,
            BTreeMap::new(),
            exact_public_paths(e),
        ));
    }
    ControllerOutput {
        ingresses,
        middlewares: Vec::new(),
    }
}

/// The cert-manager annotation, for the main Ingress only.
pub fn cert_manager(e: &ExposeModel) -> BTreeMap<String, String> {
    e.cluster_issuer
        .iter()
        .map(|c| ("cert-manager.io/cluster-issuer".to_string(), c.clone()))
        .collect()
}

/// The discovery paths clients request, as Exact paths.
pub fn exact_public_paths(e: &ExposeModel) -> Vec<IngressPath> {
    e.well_known
        .iter()
        .map(|w| IngressPath {
            path: w.public.clone(),
            path_type: "Exact",
        })
        .collect()
}

/// An Ingress of the host with these paths to the Service's `http` port.
pub fn ingress(
    m: &Model,
    e: &ExposeModel,
    i: &IngressModel,
    name: &str,
    annotations: BTreeMap<String, String>,
    paths: Vec<IngressPath>,
) -> Ingress {
    Ingress {
        metadata: super::route_meta(m, e, name, &m.namespace, annotations),
        spec: Some(IngressSpec {
            ingress_class_name: Some(i.class.clone()),
            tls: e.tls_secret.as_ref().map(|s| {
                vec![IngressTLS {
                    hosts: Some(vec![e.host.clone()]),
                    secret_name: Some(s.clone()),
                }]
            }),
            rules: Some(vec![IngressRule {
                host: Some(e.host.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: paths
                        .into_iter()
                        .map(|p| HTTPIngressPath {
                            path: Some(p.path),
                            path_type: p.path_type.to_string(),
                            backend: IngressBackend {
                                service: Some(IngressServiceBackend {
                                    name: m.name.clone(),
                                    port: Some(ServiceBackendPort {
                                        name: Some(PORT_HTTP.to_string()),
                                        ..ServiceBackendPort::default()
                                    }),
                                }),
                                ..IngressBackend::default()
                            },
                        })
                        .collect(),
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}

/// Requests per minute for a window that is not one second (controllers that only know
/// per-second and per-minute limits), at least one.
pub fn per_minute(requests: u32, window_seconds: u64) -> u64 {
    (u64::from(requests) * 60).div_ceil(window_seconds).max(1)
}
