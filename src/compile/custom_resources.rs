//! Custom resources of the Kubernetes target that belong to operators mcpgen does not install:
//! the KEDA `ScaledObject` (when `autoscaling.controller` is `keda`) and the OpenTelemetry
//! Operator `Instrumentation` (when `monitoring.tracing.autoInstrumentation` is set).
//!
//! Hand-written serde structs (no crate models them) with the CRDs' field names, checked
//! against the vendored CRD schemas in the validator tier. Like every emitter this module only
//! maps the Model: trigger queries come from the metrics contract, names from the Model.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::compile::monitoring::promql::{Matcher, Selector, aggregate};
use crate::model::Model;
use crate::model::contract::MetricServer;
use crate::spec::AutoscalingController;

/// A `keda.sh/v1alpha1` ScaledObject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObject {
    /// `keda.sh/v1alpha1`.
    pub api_version: &'static str,
    /// `ScaledObject`.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What to scale and on what.
    pub spec: ScaledObjectSpec,
}

/// ScaledObject spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    /// The Deployment.
    pub scale_target_ref: ScaleTargetRef,
    /// Fewest replicas.
    pub min_replica_count: i32,
    /// Most replicas.
    pub max_replica_count: i32,
    /// The HPA KEDA creates.
    pub advanced: Advanced,
    /// What it scales on.
    pub triggers: Vec<Trigger>,
}

/// The scaled Deployment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTargetRef {
    /// `apps/v1` or `argoproj.io/v1alpha1`.
    pub api_version: &'static str,
    /// `Deployment` or `Rollout`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

/// Advanced settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Advanced {
    /// The HPA's name and behaviour.
    pub horizontal_pod_autoscaler_config: HpaConfig,
}

/// The HPA KEDA creates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HpaConfig {
    /// Its name (the alerts select it by name).
    pub name: String,
    /// Scaling behaviour, as the HPA target would have.
    pub behavior: HorizontalPodAutoscalerBehavior,
}

/// A KEDA trigger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// Scaler type (`cpu`, `memory`, `prometheus`).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `Utilization` or `AverageValue`.
    pub metric_type: &'static str,
    /// Scaler settings.
    pub metadata: BTreeMap<String, String>,
}

/// The ScaledObject of a model whose autoscaling controller is KEDA.
pub fn scaled_object(m: &Model, behavior: HorizontalPodAutoscalerBehavior) -> Option<ScaledObject> {
    let h = m.hpa.as_ref()?;
    if h.controller != AutoscalingController::Keda {
        return None;
    }
    let utilization = |kind, value: u32| Trigger {
        kind,
        metric_type: "Utilization",
        metadata: BTreeMap::from([("value".to_string(), value.to_string())]),
    };
    let mut triggers = Vec::new();
    if let Some(c) = h.cpu {
        triggers.push(utilization("cpu", c));
    }
    if let Some(mem) = h.memory {
        triggers.push(utilization("memory", mem));
    }
    if let (Some(rps), Some(metric)) = (h.rps, m.metrics.hpa_metric.as_ref())
        && let MetricServer::Keda { address } = &metric.served_by
    {
        // KEDA divides an AverageValue metric by the replica count, as the HPA does for a
        // Pods metric: the query is the server's total request rate.
        let sel = Selector::new(
            &metric.sample,
            [
                vec![
                    Matcher::eq("namespace", &m.namespace),
                    Matcher::eq("job", &m.name),
                ],
                Matcher::all(&metric.scope),
            ]
            .concat(),
        );
        triggers.push(Trigger {
            kind: "prometheus",
            metric_type: "AverageValue",
            metadata: BTreeMap::from([
                ("serverAddress".to_string(), address.clone()),
                (
                    "query".to_string(),
                    aggregate("sum", &format!("rate({sel}[{}])", metric.window), &[]),
                ),
                ("threshold".to_string(), rps.to_string()),
            ]),
        });
    }
    Some(ScaledObject {
        api_version: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: ObjectMeta {
            name: h.scaled_object.clone(),
            namespace: Some(m.namespace.clone()),
            labels: Some(m.labels.clone()),
            annotations: (!m.annotations.is_empty()).then(|| m.annotations.clone()),
            ..ObjectMeta::default()
        },
        spec: ScaledObjectSpec {
            scale_target_ref: ScaleTargetRef {
                api_version: m.delivery.workload.api_version,
                kind: m.delivery.workload.kind,
                name: m.delivery.workload.name.clone(),
            },
            min_replica_count: h.min as i32,
            max_replica_count: h.max as i32,
            advanced: Advanced {
                horizontal_pod_autoscaler_config: HpaConfig {
                    name: h.object_name.clone(),
                    behavior,
                },
            },
            triggers,
        },
    })
}

/// An `opentelemetry.io/v1alpha1` Instrumentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instrumentation {
    /// `opentelemetry.io/v1alpha1`.
    pub api_version: &'static str,
    /// `Instrumentation`.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// SDK settings injected.
    pub spec: InstrumentationSpec,
}

/// Instrumentation spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentationSpec {
    /// Where spans go.
    pub exporter: Exporter,
    /// Context propagation.
    pub propagators: Vec<&'static str>,
    /// Sampling.
    pub sampler: InstrumentationSampler,
}

/// Exporter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exporter {
    /// OTLP endpoint.
    pub endpoint: String,
}

/// Sampler.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentationSampler {
    /// Sampler name.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its argument.
    pub argument: String,
}

/// The Instrumentation of a model that asks for auto-instrumentation.
pub fn instrumentation(m: &Model) -> Option<Instrumentation> {
    let i = m.tracing.as_ref()?.instrumentation.as_ref()?;
    Some(Instrumentation {
        api_version: "opentelemetry.io/v1alpha1",
        kind: "Instrumentation",
        metadata: ObjectMeta {
            name: Some(i.name.clone()),
            namespace: Some(m.namespace.clone()),
            labels: Some(m.labels.clone()),
            annotations: (!m.annotations.is_empty()).then(|| m.annotations.clone()),
            ..ObjectMeta::default()
        },
        spec: InstrumentationSpec {
            exporter: Exporter {
                endpoint: i.endpoint.clone(),
            },
            propagators: i.propagators.clone(),
            sampler: InstrumentationSampler {
                kind: i.sampler,
                argument: i.sampler_arg.clone(),
            },
        },
    })
}
