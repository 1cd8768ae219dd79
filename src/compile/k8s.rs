//! The Kubernetes target: one file per kind under `k8s/`, plus a `kustomization.yaml` listing
//! them so `kubectl apply -k` works.
//!
//! Built-in kinds are k8s-openapi types (their serializers write `apiVersion`, `kind`,
//! `metadata`, `spec` in that order and skip absent fields); the VerticalPodAutoscaler, which no
//! crate models, and the Kustomization are hand-written serde structs below with the same field
//! order. Every decision about a default was made in `crate::model`; this module only maps.
//! Monitoring objects (ServiceMonitor, PrometheusRule) are the monitoring target's; the
//! Ingress, Gateway API and provider objects are `crate::compile::traffic`'s (this module
//! lists their files in the kustomization).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricIdentifier, MetricSpec,
    MetricTarget, PodsMetricSource, ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ClientIPConfig, ConfigMap, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvVar, EnvVarSource, HTTPGetAction, Lifecycle, LifecycleHandler,
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ObjectFieldSelector, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, ResourceQuota, ResourceQuotaSpec, ResourceRequirements,
    SeccompProfile, SecretKeySelector, SecurityContext, Service, ServiceAccount, ServicePort,
    ServiceSpec, SessionAffinityConfig, SleepAction, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::compile::{
    Artifact, CompileError, Content, Emitter, custom_resources, objects_file, traffic, yaml_file,
};
use crate::model::{
    CONTAINER, Model, NAMESPACE_NAME_LABEL, NODE_LOCAL_DNS, NamedPort, ProbeModel, UID,
};
use crate::spec::{PortProtocol, VpaMode};

/// The Kubernetes target (`--target k8s`).
#[derive(Debug, Clone, Copy)]
pub struct Kubernetes;

impl Emitter for Kubernetes {
    fn name(&self) -> &'static str {
        "k8s"
    }

    fn emit(&self, m: &Model) -> Result<Vec<Artifact>, CompileError> {
        let mut files: Vec<Artifact> = Vec::new();
        let file = |name: &str| format!("k8s/{name}");

        // Namespace-wide objects only in a namespace the server owns: in a shared one they
        // would change the namespace for every tenant, and `kubectl delete -k` would delete
        // it with everything in it.
        if m.namespace_owned {
            files.push(objects_file(
                m,
                file("namespace.yaml"),
                "Namespace",
                &[namespace(m)],
            )?);
        }
        files.push(objects_file(
            m,
            file("serviceaccount.yaml"),
            "ServiceAccount",
            &[service_account(m)],
        )?);
        let config_map = config_map(m);
        let checksum = config_map.as_ref().map(config_checksum);
        if let Some(cm) = &config_map {
            files.push(objects_file(m, file("configmap.yaml"), "ConfigMap", &[cm])?);
        }
        // A canary or blue-green rollout runs the same pods under an Argo Rollouts Rollout,
        // gated by AnalysisTemplates, in place of the Deployment.
        let template = pod_template(m, checksum.as_deref());
        match super::delivery::rollout(m, template.clone()) {
            Some(rollout) => {
                files.push(objects_file(
                    m,
                    file("rollout.yaml"),
                    "Rollout",
                    &[rollout],
                )?);
                let templates = super::delivery::analysis_templates(m);
                if !templates.is_empty() {
                    files.push(objects_file(
                        m,
                        file("analysistemplate.yaml"),
                        "AnalysisTemplate",
                        &templates,
                    )?);
                }
            }
            None => files.push(objects_file(
                m,
                file("deployment.yaml"),
                "Deployment",
                &[deployment(m, template)],
            )?),
        }
        files.push(objects_file(
            m,
            file("service.yaml"),
            "Service",
            &services(m),
        )?);
        files.extend(traffic::files(m)?);
        files.push(objects_file(
            m,
            file("poddisruptionbudget.yaml"),
            "PodDisruptionBudget",
            &[pdb(m)],
        )?);
        if let Some(h) = hpa(m) {
            files.push(objects_file(
                m,
                file("horizontalpodautoscaler.yaml"),
                "HorizontalPodAutoscaler",
                &[h],
            )?);
        }
        if let Some(so) = m
            .hpa
            .as_ref()
            .and_then(|h| custom_resources::scaled_object(m, behavior(h)))
        {
            files.push(objects_file(
                m,
                file("scaledobject.yaml"),
                "ScaledObject",
                &[so],
            )?);
        }
        if let Some(i) = custom_resources::instrumentation(m) {
            files.push(objects_file(
                m,
                file("instrumentation.yaml"),
                "Instrumentation",
                &[i],
            )?);
        }
        if let Some(v) = vpa(m) {
            files.push(objects_file(
                m,
                file("verticalpodautoscaler.yaml"),
                "VerticalPodAutoscaler",
                &[v],
            )?);
        }
        files.push(objects_file(
            m,
            file("networkpolicy.yaml"),
            "NetworkPolicy",
            &[network_policy(m)],
        )?);
        if m.namespace_owned {
            if let Some(q) = resource_quota(m) {
                files.push(objects_file(
                    m,
                    file("resourcequota.yaml"),
                    "ResourceQuota",
                    &[q],
                )?);
            }
            if let Some(l) = limit_range(m) {
                files.push(objects_file(
                    m,
                    file("limitrange.yaml"),
                    "LimitRange",
                    &[l],
                )?);
            }
        }
        let listed: Vec<String> = files
            .iter()
            .filter_map(|a| a.path.strip_prefix("k8s/").map(str::to_string))
            .collect();
        files.push(kustomization_file(m, "k8s/kustomization.yaml", listed)?);
        Ok(files)
    }
}

/// A `kustomization.yaml` artifact listing `resources` (relative to its directory).
pub(crate) fn kustomization_file(
    m: &Model,
    path: &str,
    resources: Vec<String>,
) -> Result<Artifact, CompileError> {
    Ok(Artifact {
        path: path.to_string(),
        contents: yaml_file(m, "Kustomization", &[Kustomization::of(resources.clone())])?,
        content: Content::Kustomization(resources),
    })
}

/// `kustomization.yaml` (kustomize.config.k8s.io/v1beta1). Only the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Kustomization {
    api_version: &'static str,
    kind: &'static str,
    resources: Vec<String>,
}

impl Kustomization {
    /// A kustomization listing these files.
    pub(crate) fn of(resources: Vec<String>) -> Kustomization {
        Kustomization {
            api_version: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources,
        }
    }
}

/// VerticalPodAutoscaler autoscaling.k8s.io/v1, the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Vpa {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: VpaSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VpaSpec {
    target_ref: VpaTargetRef,
    update_policy: VpaUpdatePolicy,
    resource_policy: VpaResourcePolicy,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VpaTargetRef {
    api_version: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VpaUpdatePolicy {
    update_mode: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VpaResourcePolicy {
    container_policies: Vec<VpaContainerPolicy>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VpaContainerPolicy {
    container_name: &'static str,
    controlled_resources: Vec<String>,
    controlled_values: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    min_allowed: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    max_allowed: BTreeMap<String, String>,
}

/// Object metadata shared by every namespaced object.
fn meta(m: &Model, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(m.namespace.clone()),
        labels: Some(m.labels.clone()),
        annotations: (!m.annotations.is_empty()).then(|| m.annotations.clone()),
        ..ObjectMeta::default()
    }
}

fn selector(m: &Model) -> LabelSelector {
    LabelSelector {
        match_labels: Some(m.selector.clone()),
        ..LabelSelector::default()
    }
}

fn q(s: impl Into<String>) -> Quantity {
    Quantity(s.into())
}

fn namespace(m: &Model) -> Namespace {
    // Several servers may share a namespace: it carries no label naming one of them, so
    // applying any of their manifests leaves it the same.
    let mut labels: BTreeMap<String, String> = m
        .labels
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "app.kubernetes.io/instance"
                    | "app.kubernetes.io/name"
                    | "app.kubernetes.io/version"
                    | "app.kubernetes.io/component"
            )
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for mode in ["enforce", "audit", "warn"] {
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            "restricted".to_string(),
        );
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}-version"),
            "latest".to_string(),
        );
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(m.namespace.clone()),
            labels: Some(labels),
            annotations: (!m.annotations.is_empty()).then(|| m.annotations.clone()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}

fn service_account(m: &Model) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(m, &m.name),
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    }
}

fn config_map(m: &Model) -> Option<ConfigMap> {
    if m.files.is_empty() {
        return None;
    }
    let data: BTreeMap<String, String> = m
        .files
        .values()
        .map(|f| (f.key.clone(), f.content.clone()))
        .collect();
    Some(ConfigMap {
        metadata: meta(m, &m.files_config_map),
        data: Some(data),
        ..ConfigMap::default()
    })
}

/// SHA-256 over the ConfigMap data, key and value length-prefixed so no two different maps
/// hash alike. Written on the pod template: a content change rolls the pods.
fn config_checksum(cm: &ConfigMap) -> String {
    let mut h = Sha256::new();
    for (k, v) in cm.data.iter().flatten() {
        for part in [k, v] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn container_ports(m: &Model) -> Vec<ContainerPort> {
    m.ports
        .all()
        .into_iter()
        .map(|p| ContainerPort {
            name: Some(p.name.to_string()),
            container_port: p.number as i32,
            protocol: Some("TCP".to_string()),
            ..ContainerPort::default()
        })
        .collect()
}

fn probe(m: &Model, p: &ProbeModel) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(p.path.clone()),
            port: IntOrString::String(m.ports.probe_port_name.to_string()),
            scheme: Some("HTTP".to_string()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(p.period),
        failure_threshold: Some(p.failure_threshold),
        timeout_seconds: Some(p.timeout),
        initial_delay_seconds: (p.initial_delay > 0).then_some(p.initial_delay),
        success_threshold: Some(1),
        ..Probe::default()
    }
}

/// The pod template of the server, whichever workload runs it.
fn pod_template(m: &Model, checksum: Option<&str>) -> PodTemplateSpec {
    let mut env: Vec<EnvVar> = m
        .kubernetes_env
        .iter()
        .map(|(k, v)| EnvVar {
            name: k.clone(),
            value: Some(v.clone()),
            ..EnvVar::default()
        })
        .collect();
    env.extend(m.secret_env.iter().map(|(k, s)| EnvVar {
        name: k.clone(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: s.secret.clone(),
                key: s.key.clone(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }));
    if let Some(t) = &m.tracing {
        env.extend(t.kubernetes.iter().map(|(k, v)| EnvVar {
            name: k.clone(),
            value: Some(v.clone()),
            ..EnvVar::default()
        }));
    }
    env.sort_by(|a, b| a.name.cmp(&b.name));
    // The kubelet expands `$(VAR)` only for variables listed earlier: the downward-API
    // variables the OpenTelemetry resource attributes refer to come first.
    if let Some(t) = &m.tracing {
        let downward = t.downward.iter().map(|d| EnvVar {
            name: d.name.to_string(),
            value_from: Some(EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    field_path: d.field_path.to_string(),
                    ..ObjectFieldSelector::default()
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        });
        env = downward.chain(env).collect();
    }

    let mut volumes = vec![Volume {
        name: "tmp".to_string(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(q("256Mi")),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    }];
    let mut mounts = vec![VolumeMount {
        name: "tmp".to_string(),
        mount_path: "/tmp".to_string(),
        ..VolumeMount::default()
    }];
    if m.needs_home() {
        volumes.push(Volume {
            name: "home".to_string(),
            empty_dir: Some(EmptyDirVolumeSource {
                size_limit: Some(q("256Mi")),
                ..EmptyDirVolumeSource::default()
            }),
            ..Volume::default()
        });
        mounts.push(VolumeMount {
            name: "home".to_string(),
            mount_path: crate::model::HOME_DIR.to_string(),
            ..VolumeMount::default()
        });
    }
    if !m.files.is_empty() {
        volumes.push(Volume {
            name: "files".to_string(),
            config_map: Some(ConfigMapVolumeSource {
                name: m.files_config_map.clone(),
                default_mode: Some(0o444),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
        for (path, f) in &m.files {
            mounts.push(VolumeMount {
                name: "files".to_string(),
                mount_path: path.clone(),
                sub_path: Some(f.key.clone()),
                read_only: Some(true),
                ..VolumeMount::default()
            });
        }
    }

    let resources = ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".to_string(), q(&m.resources.cpu_request)),
            ("memory".to_string(), q(&m.resources.memory_request)),
        ])),
        limits: Some(BTreeMap::from([
            ("cpu".to_string(), q(&m.resources.cpu_limit)),
            ("memory".to_string(), q(&m.resources.memory_limit)),
        ])),
        ..ResourceRequirements::default()
    };

    let container = Container {
        name: CONTAINER.to_string(),
        image: Some(m.image.clone()),
        args: m.args.clone(),
        image_pull_policy: Some(
            if m.image_pinned {
                "IfNotPresent"
            } else {
                "Always"
            }
            .to_string(),
        ),
        ports: Some(container_ports(m)),
        env: Some(env),
        resources: Some(resources),
        liveness_probe: Some(probe(m, &m.probes.liveness)),
        readiness_probe: Some(probe(m, &m.probes.readiness)),
        startup_probe: Some(probe(m, &m.probes.startup)),
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction {
                    seconds: crate::model::PRE_STOP_SECONDS,
                }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".to_string()]),
                ..Capabilities::default()
            }),
            privileged: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(UID),
            run_as_group: Some(UID),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".to_string(),
                ..SeccompProfile::default()
            }),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(mounts),
        termination_message_policy: Some("FallbackToLogsOnError".to_string()),
        ..Container::default()
    };

    let mut pod_annotations = m.annotations.clone();
    if let Some(sum) = checksum {
        pod_annotations.insert("checksum/config".to_string(), sum.to_string());
    }
    if let Some(i) = m.tracing.as_ref().and_then(|t| t.instrumentation.as_ref()) {
        pod_annotations.insert(i.annotation.clone(), i.name.clone());
    }

    // Domains are counted only among nodes the pod may run on: with the default `Ignore`,
    // tainted nodes (GPU, system, control-plane pools) count as empty domains, and a
    // `DoNotSchedule` constraint then keeps scale-out pods Pending.
    let spread = |key: &str, when: &str| TopologySpreadConstraint {
        label_selector: Some(selector(m)),
        match_label_keys: Some(vec![m.delivery.revision_label.to_string()]),
        max_skew: 1,
        topology_key: key.to_string(),
        when_unsatisfiable: when.to_string(),
        node_affinity_policy: Some("Honor".to_string()),
        node_taints_policy: Some("Honor".to_string()),
        ..TopologySpreadConstraint::default()
    };

    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(m.labels.clone()),
            annotations: (!pod_annotations.is_empty()).then_some(pod_annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(m.name.clone()),
            automount_service_account_token: Some(false),
            enable_service_links: Some(false),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(UID),
                run_as_group: Some(UID),
                fs_group: Some(UID),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".to_string(),
                    ..SeccompProfile::default()
                }),
                ..PodSecurityContext::default()
            }),
            termination_grace_period_seconds: Some(m.grace_seconds),
            topology_spread_constraints: Some(vec![
                spread("topology.kubernetes.io/zone", "ScheduleAnyway"),
                spread("kubernetes.io/hostname", "DoNotSchedule"),
            ]),
            containers: vec![container],
            volumes: Some(volumes),
            ..PodSpec::default()
        }),
    }
}

fn deployment(m: &Model, template: PodTemplateSpec) -> Deployment {
    Deployment {
        metadata: meta(m, &m.name),
        spec: DeploymentSpec {
            // The HPA owns the count when it exists; a `replicas` field would reset it on
            // every apply.
            replicas: m.hpa.is_none().then_some(m.replicas as i32),
            revision_history_limit: Some(5),
            selector: selector(m),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".to_string()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::Int(m.max_surge() as i32)),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
            }),
            template,
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

/// The server's Service, then the canary or preview Service of a progressive rollout. The
/// Argo Rollouts controller narrows each one's selector to one revision's pods; each carries
/// the server's labels, so the ServiceMonitor scrapes it and its pods' series get its name as
/// their `job`, the `job` an analysis measures.
fn services(m: &Model) -> Vec<Service> {
    let mut out = vec![service(m)];
    for name in m.delivery.extra_services() {
        let mut s = service(m);
        s.metadata.name = Some(name.to_string());
        out.push(s);
    }
    out
}

fn service(m: &Model) -> Service {
    let ports = m
        .ports
        .service()
        .into_iter()
        .map(|p: &NamedPort| ServicePort {
            name: Some(p.name.to_string()),
            port: p.number as i32,
            target_port: Some(IntOrString::String(p.name.to_string())),
            protocol: Some("TCP".to_string()),
            app_protocol: Some("http".to_string()),
            ..ServicePort::default()
        })
        .collect();
    // Behind an ingress every request comes from an ingress pod, so ClientIP affinity would
    // pin all clients to a few pods; the ingress cookie does the sticking instead. Without an
    // ingress, in-cluster clients are pinned by their own IP.
    let client_ip = m.sticky && m.expose.is_none();
    let mut metadata = meta(m, &m.name);
    let controller = traffic::service_annotations(m);
    if !controller.is_empty() {
        metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(controller);
    }
    Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_string()),
            selector: Some(m.selector.clone()),
            ports: Some(ports),
            session_affinity: Some(if client_ip { "ClientIP" } else { "None" }.to_string()),
            session_affinity_config: client_ip.then_some(SessionAffinityConfig {
                client_ip: Some(ClientIPConfig {
                    timeout_seconds: Some(3600),
                }),
            }),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn pdb(m: &Model) -> PodDisruptionBudget {
    // One pod at a time, whatever the count: with at least two pods (the default and the HPA
    // minimum) one always serves; with one pod a drain is still possible.
    PodDisruptionBudget {
        metadata: meta(m, &m.name),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(selector(m)),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".to_string()),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

/// Scaling behaviour of the HPA (also what KEDA gives the HPA it creates).
fn behavior(h: &crate::model::HpaModel) -> HorizontalPodAutoscalerBehavior {
    let rules = |b: &crate::model::BehaviorModel, select: &str| {
        let mut policies = Vec::new();
        if let Some(p) = b.percent {
            policies.push(HPAScalingPolicy {
                type_: "Percent".to_string(),
                value: p as i32,
                period_seconds: b.period,
            });
        }
        if let Some(p) = b.pods {
            policies.push(HPAScalingPolicy {
                type_: "Pods".to_string(),
                value: p as i32,
                period_seconds: b.period,
            });
        }
        HPAScalingRules {
            stabilization_window_seconds: Some(b.window),
            select_policy: (!policies.is_empty()).then(|| select.to_string()),
            policies: (!policies.is_empty()).then_some(policies),
            ..HPAScalingRules::default()
        }
    };
    HorizontalPodAutoscalerBehavior {
        scale_up: Some(rules(&h.up, "Max")),
        // Scale down by the smaller step: streams on removed pods end.
        scale_down: Some(rules(&h.down, "Min")),
    }
}

fn hpa(m: &Model) -> Option<HorizontalPodAutoscaler> {
    // KEDA creates and owns the HPA of its ScaledObject; a second HPA would fight it.
    let h = m
        .hpa
        .as_ref()
        .filter(|h| h.controller == crate::spec::AutoscalingController::Hpa)?;
    let resource = |name: &str, pct: u32| MetricSpec {
        type_: "Resource".to_string(),
        resource: Some(ResourceMetricSource {
            name: name.to_string(),
            target: MetricTarget {
                type_: "Utilization".to_string(),
                average_utilization: Some(pct as i32),
                ..MetricTarget::default()
            },
        }),
        ..MetricSpec::default()
    };
    let mut metrics = Vec::new();
    if let Some(c) = h.cpu {
        metrics.push(resource("cpu", c));
    }
    if let Some(mem) = h.memory {
        metrics.push(resource("memory", mem));
    }
    if let Some(rps) = h.rps {
        metrics.push(MetricSpec {
            type_: "Pods".to_string(),
            pods: Some(PodsMetricSource {
                metric: MetricIdentifier {
                    name: h.rps_metric.clone(),
                    ..MetricIdentifier::default()
                },
                target: MetricTarget {
                    type_: "AverageValue".to_string(),
                    average_value: Some(q(rps.to_string())),
                    ..MetricTarget::default()
                },
            }),
            ..MetricSpec::default()
        });
    }
    Some(HorizontalPodAutoscaler {
        metadata: meta(m, &m.name),
        spec: HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some(m.delivery.workload.api_version.to_string()),
                kind: m.delivery.workload.kind.to_string(),
                name: m.delivery.workload.name.clone(),
            },
            min_replicas: Some(h.min as i32),
            max_replicas: h.max as i32,
            metrics: Some(metrics),
            behavior: Some(behavior(h)),
        },
        ..HorizontalPodAutoscaler::default()
    })
}

fn vpa(m: &Model) -> Option<Vpa> {
    let v = m.vpa.as_ref()?;
    let mut metadata = meta(m, &m.name);
    if let Some(note) = &v.note {
        metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert("mcpgen.dev/update-mode".to_string(), note.clone());
    }
    Some(Vpa {
        api_version: "autoscaling.k8s.io/v1",
        kind: "VerticalPodAutoscaler",
        metadata,
        spec: VpaSpec {
            target_ref: VpaTargetRef {
                api_version: m.delivery.workload.api_version,
                kind: m.delivery.workload.kind,
                name: m.delivery.workload.name.clone(),
            },
            update_policy: VpaUpdatePolicy {
                update_mode: match v.mode {
                    VpaMode::Off => "Off",
                    VpaMode::Initial => "Initial",
                    VpaMode::Recreate => "Recreate",
                    VpaMode::InPlaceOrRecreate => "InPlaceOrRecreate",
                },
            },
            resource_policy: VpaResourcePolicy {
                container_policies: vec![VpaContainerPolicy {
                    container_name: CONTAINER,
                    controlled_resources: v.controlled.clone(),
                    controlled_values: "RequestsAndLimits",
                    min_allowed: v.min_allowed.clone(),
                    max_allowed: v.max_allowed.clone(),
                }],
            },
        },
    })
}

fn ns_selector(ns: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(
            NAMESPACE_NAME_LABEL.to_string(),
            ns.to_string(),
        )])),
        ..LabelSelector::default()
    }
}

fn np_port(port: IntOrString, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(port),
        protocol: Some(protocol.to_string()),
        ..NetworkPolicyPort::default()
    }
}

fn peer(p: &crate::spec::Peer) -> NetworkPolicyPeer {
    match (&p.namespace, &p.cidr) {
        (_, Some(cidr)) => NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: cidr.clone(),
                ..IPBlock::default()
            }),
            ..NetworkPolicyPeer::default()
        },
        (Some(ns), None) => NetworkPolicyPeer {
            namespace_selector: Some(ns_selector(ns.as_str())),
            ..NetworkPolicyPeer::default()
        },
        // The semantic checks reject a peer with neither; an empty selector would allow every
        // namespace, so fall back to the most restrictive peer instead: none.
        (None, None) => NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: "255.255.255.255/32".to_string(),
                ..IPBlock::default()
            }),
            ..NetworkPolicyPeer::default()
        },
    }
}

fn protocol(p: &crate::spec::Peer) -> &'static str {
    match p.protocol {
        Some(PortProtocol::Udp) => "UDP",
        _ => "TCP",
    }
}

fn network_policy(m: &Model) -> NetworkPolicy {
    let named = |p: &NamedPort| np_port(IntOrString::String(p.name.to_string()), "TCP");
    let server_ports: Vec<NetworkPolicyPort> = m.ports.service().into_iter().map(named).collect();
    let mut ingress = Vec::new();
    for p in &m.network.allow_from {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![peer(p)]),
            ports: Some(match p.port {
                Some(port) => vec![np_port(IntOrString::Int(port as i32), protocol(p))],
                None => server_ports.clone(),
            }),
        });
    }
    // The ingress controller's or gateway's proxy pods, exactly: their namespace and labels.
    if let Some(p) = m.expose.as_ref().and_then(|e| e.peer.as_ref()) {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(ns_selector(&p.namespace)),
                pod_selector: (!p.labels.is_empty()).then(|| LabelSelector {
                    match_labels: Some(p.labels.clone()),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![named(&m.ports.http)]),
        });
    }
    if ingress.is_empty() {
        // Nobody named: the server's own namespace may connect, nothing else.
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(LabelSelector::default()),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(server_ports.clone()),
        });
    }
    if let Some(mon) = &m.monitoring {
        // Without this rule the default-deny policy would silently stop the scraping that the
        // generated ServiceMonitor and alerts rely on.
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(ns_selector(&mon.prometheus_namespace)),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![np_port(
                IntOrString::String(m.ports.scrape_port_name.to_string()),
                "TCP",
            )]),
        });
    }
    // An `allowFrom` peer that is also the Prometheus namespace (or listed twice) would
    // otherwise appear twice.
    let ingress = without_covered(ingress, |r| (&r.from, &r.ports));

    // DNS: the kube-dns pods, and NodeLocal DNSCache's link-local address on each node for
    // clusters that run it (its pods use the host network, so no pod selector matches them).
    let mut egress = vec![NetworkPolicyEgressRule {
        to: Some(vec![
            NetworkPolicyPeer {
                namespace_selector: Some(ns_selector("kube-system")),
                pod_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([(
                        "k8s-app".to_string(),
                        "kube-dns".to_string(),
                    )])),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            },
            NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr: format!("{NODE_LOCAL_DNS}/32"),
                    ..IPBlock::default()
                }),
                ..NetworkPolicyPeer::default()
            },
        ]),
        ports: Some(vec![
            np_port(IntOrString::Int(53), "UDP"),
            np_port(IntOrString::Int(53), "TCP"),
        ]),
    }];
    // Each dependency on its port: its pods when the spec names their labels, else every pod
    // of its namespace.
    for d in m.dependencies.values() {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(ns_selector(&d.namespace)),
                pod_selector: (!d.pod_labels.is_empty()).then(|| LabelSelector {
                    match_labels: Some(d.pod_labels.clone()),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![np_port(IntOrString::Int(d.port as i32), "TCP")]),
        });
    }
    if let Some((ns, port)) = m.tracing.as_ref().and_then(|t| t.egress.as_ref()) {
        // Spans go to the collector's namespace on the OTLP endpoint's port.
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(ns_selector(ns)),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![np_port(IntOrString::Int(*port as i32), "TCP")]),
        });
    }
    for p in &m.network.allow_to {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![peer(p)]),
            ports: p
                .port
                .map(|port| vec![np_port(IntOrString::Int(port as i32), protocol(p))]),
        });
    }

    // The OIDC issuer, by address: its keys and metadata are fetched over HTTPS.
    for cidr in &m.network.auth.cidrs {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr: cidr.clone(),
                    ..IPBlock::default()
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![np_port(
                IntOrString::Int(i32::from(m.network.auth.port)),
                "TCP",
            )]),
        });
    }

    // A dependency also listed in `allowTo` would otherwise appear twice.
    let egress = without_covered(egress, |r| (&r.to, &r.ports));

    NetworkPolicy {
        metadata: meta(m, &m.name),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(selector(m)),
            policy_types: Some(vec!["Ingress".to_string(), "Egress".to_string()]),
            ingress: Some(ingress),
            egress: Some(egress),
        }),
    }
}

/// The rules no other rule already covers: a rule is dropped when an earlier-kept or later
/// rule has the same peers and admits every port it admits (all ports when `ports` is absent).
/// Order is kept.
fn without_covered<R: Clone + PartialEq>(
    rules: Vec<R>,
    parts: impl Fn(
        &R,
    ) -> (
        &Option<Vec<NetworkPolicyPeer>>,
        &Option<Vec<NetworkPolicyPort>>,
    ),
) -> Vec<R> {
    let covers = |a: &R, b: &R| {
        let ((pa, qa), (pb, qb)) = (parts(a), parts(b));
        pa == pb
            && match (qa, qb) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(qa), Some(qb)) => qb.iter().all(|p| qa.contains(p)),
            }
    };
    let mut kept: Vec<R> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let covered_by_kept = kept.iter().any(|k| covers(k, rule));
        // A later rule that is strictly wider wins over this one.
        let covered_by_later = rules[i + 1..]
            .iter()
            .any(|later| covers(later, rule) && !covers(rule, later));
        if !covered_by_kept && !covered_by_later {
            kept.push(rule.clone());
        }
    }
    kept
}

fn limit_range(m: &Model) -> Option<LimitRange> {
    let qs = m.quota.as_ref()?;
    let defaults = qs.container_defaults.as_ref();
    let item = LimitRangeItem {
        type_: "Container".to_string(),
        default: quantities(defaults.and_then(|d| d.limits.as_ref())),
        default_request: quantities(defaults.and_then(|d| d.requests.as_ref())),
        min: quantities(qs.container_min.as_ref()),
        max: quantities(qs.container_max.as_ref()),
        ..LimitRangeItem::default()
    };
    // A LimitRange with nothing in it changes nothing: none is written.
    if item
        == (LimitRangeItem {
            type_: "Container".to_string(),
            ..LimitRangeItem::default()
        })
    {
        return None;
    }
    Some(LimitRange {
        metadata: meta(m, &m.name),
        spec: Some(LimitRangeSpec { limits: vec![item] }),
    })
}

fn quantities(l: Option<&crate::spec::ResourceList>) -> Option<BTreeMap<String, Quantity>> {
    l.map(|l| {
        let mut m = BTreeMap::new();
        if let Some(c) = &l.cpu {
            m.insert("cpu".to_string(), q(c.to_string()));
        }
        if let Some(mem) = &l.memory {
            m.insert("memory".to_string(), q(mem.to_string()));
        }
        m
    })
    .filter(|m| !m.is_empty())
}

fn resource_quota(m: &Model) -> Option<ResourceQuota> {
    let qs = m.quota.as_ref()?;
    let mut hard = BTreeMap::new();
    if let Some(r) = &qs.requests {
        if let Some(c) = &r.cpu {
            hard.insert("requests.cpu".to_string(), q(c.to_string()));
        }
        if let Some(mem) = &r.memory {
            hard.insert("requests.memory".to_string(), q(mem.to_string()));
        }
    }
    if let Some(l) = &qs.limits {
        if let Some(c) = &l.cpu {
            hard.insert("limits.cpu".to_string(), q(c.to_string()));
        }
        if let Some(mem) = &l.memory {
            hard.insert("limits.memory".to_string(), q(mem.to_string()));
        }
    }
    for (k, v) in [
        ("pods", qs.pods),
        ("services", qs.services),
        ("secrets", qs.secrets),
        ("configmaps", qs.config_maps),
        ("persistentvolumeclaims", qs.persistent_volume_claims),
    ] {
        if let Some(v) = v {
            hard.insert(k.to_string(), q(v.to_string()));
        }
    }
    Some(ResourceQuota {
        metadata: meta(m, &m.name),
        spec: Some(ResourceQuotaSpec {
            hard: Some(hard),
            ..ResourceQuotaSpec::default()
        }),
        ..ResourceQuota::default()
    })
}
