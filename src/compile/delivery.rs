//! Argo Rollouts objects: the `Rollout` that replaces the Deployment for a canary or blue-green
//! rollout, and the `AnalysisTemplate`s that gate it.
//!
//! Written by the Kubernetes target (`k8s/rollout.yaml`, `k8s/analysistemplate.yaml`) from
//! [`crate::model::delivery`]; the pod template is the one the Deployment would have had. No
//! crate models these CRDs, so the structs below hold the fields mcpgen writes, in the order
//! of the CRD, and the tests check them against the vendored CRD schemas. An analysis query is
//! the `expr` of the alert rule the shared builder ([`super::monitoring::alerts::rules`]) makes
//! for the measured Service: the same function, the same thresholds, the same bytes as
//! `rules.yaml` when the measured Service is the server's own.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

use crate::compile::monitoring::alerts;
use crate::model::Model;
use crate::model::delivery::{
    ARGO_API_VERSION, AnalysisModel, BlueGreenModel, CanaryModel, GATEWAY_API_PLUGIN,
    PROGRESS_DEADLINE_SECONDS, Router, Strategy, go_duration_seconds,
};
use crate::model::monitoring::AlertKind;

/// Argo's condition language over a Prometheus vector: the alert expression keeps only the
/// series past the threshold, so a measurement fails when anything comes back.
const SUCCESS: &str = "len(result) == 0";
/// See [`SUCCESS`].
const FAILURE: &str = "len(result) > 0";

/// `argoproj.io/v1alpha1` `Rollout`, the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: RolloutSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RolloutSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<i32>,
    revision_history_limit: i32,
    selector: LabelSelector,
    template: PodTemplateSpec,
    strategy: RolloutStrategy,
    progress_deadline_seconds: i64,
    progress_deadline_abort: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum RolloutStrategy {
    Canary(Canary),
    BlueGreen(BlueGreen),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Canary {
    canary_service: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stable_service: Option<String>,
    max_surge: i32,
    max_unavailable: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<BackgroundAnalysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    traffic_routing: Option<TrafficRouting>,
    steps: Vec<Step>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BackgroundAnalysis {
    templates: Vec<TemplateRef>,
    starting_step: i32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TemplateRef {
    template_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    templates: Vec<TemplateRef>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TrafficRouting {
    #[serde(skip_serializing_if = "Option::is_none")]
    nginx: Option<Nginx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugins: Option<BTreeMap<&'static str, GatewayApiPlugin>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Nginx {
    stable_ingress: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GatewayApiPlugin {
    #[serde(rename = "httpRoute")]
    http_route: String,
    namespace: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum Step {
    SetWeight(u32),
    Pause(Pause),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Pause {
    duration: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BlueGreen {
    active_service: String,
    preview_service: String,
    auto_promotion_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pre_promotion_analysis: Option<Analysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_promotion_analysis: Option<Analysis>,
    scale_down_delay_seconds: i64,
}

/// `argoproj.io/v1alpha1` `AnalysisTemplate`, the fields mcpgen writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisTemplate {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: AnalysisTemplateSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AnalysisTemplateSpec {
    metrics: Vec<Metric>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    name: &'static str,
    interval: String,
    initial_delay: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    failure_limit: u32,
    success_condition: &'static str,
    failure_condition: &'static str,
    provider: Provider,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Provider {
    prometheus: Prometheus,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Prometheus {
    address: String,
    query: String,
}

/// The name of an analysis metric: the alert it evaluates, in kebab case.
pub fn metric_name(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::ErrorRate => "error-rate",
        AlertKind::LatencyP95 => "latency-p95",
        AlertKind::Down => "down",
        AlertKind::Memory => "memory",
        AlertKind::Cpu => "cpu",
        AlertKind::ToolErrors => "tool-errors",
        AlertKind::SessionNotFound => "session-not-found",
        AlertKind::HpaMaxedOut => "hpa-maxed-out",
        AlertKind::TargetDown => "target-down",
        AlertKind::HpaScalingInactive => "hpa-scaling-inactive",
        AlertKind::Probe => "probe",
    }
}

fn meta(m: &Model, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(m.namespace.clone()),
        labels: Some(m.labels.clone()),
        annotations: (!m.annotations.is_empty()).then(|| m.annotations.clone()),
        ..ObjectMeta::default()
    }
}

fn templates(a: &AnalysisModel) -> Vec<TemplateRef> {
    vec![TemplateRef {
        template_name: a.template.clone(),
    }]
}

fn canary(c: &CanaryModel) -> Canary {
    let mut steps = Vec::new();
    for (weight, pause) in &c.steps {
        steps.push(Step::SetWeight(*weight));
        if let Some(d) = pause {
            steps.push(Step::Pause(Pause {
                duration: d.clone(),
            }));
        }
    }
    let traffic_routing = match &c.router {
        Router::Nginx { stable_ingress } => Some(TrafficRouting {
            nginx: Some(Nginx {
                stable_ingress: stable_ingress.clone(),
            }),
            plugins: None,
        }),
        Router::GatewayApi {
            http_route,
            namespace,
        } => Some(TrafficRouting {
            nginx: None,
            plugins: Some(BTreeMap::from([(
                GATEWAY_API_PLUGIN,
                GatewayApiPlugin {
                    http_route: http_route.clone(),
                    namespace: namespace.clone(),
                },
            )])),
        }),
        Router::Replicas => None,
    };
    Canary {
        canary_service: c.canary_service.clone(),
        stable_service: c.stable_service.clone(),
        max_surge: c.max_surge as i32,
        max_unavailable: 0,
        // From the first pause: by then the canary serves its first share of the traffic.
        analysis: c.analysis.as_ref().map(|a| BackgroundAnalysis {
            templates: templates(a),
            starting_step: 1,
        }),
        traffic_routing,
        steps,
    }
}

fn blue_green(b: &BlueGreenModel) -> BlueGreen {
    BlueGreen {
        active_service: b.active_service.clone(),
        preview_service: b.preview_service.clone(),
        // The analyses gate the switch; the pipeline's approval is the manual gate.
        auto_promotion_enabled: true,
        pre_promotion_analysis: b.pre_promotion.as_ref().map(|a| Analysis {
            templates: templates(a),
        }),
        post_promotion_analysis: b.post_promotion.as_ref().map(|a| Analysis {
            templates: templates(a),
        }),
        scale_down_delay_seconds: b.scale_down_delay_seconds,
    }
}

/// The Rollout of a canary or blue-green model, around the pod template the Deployment would
/// have had; `None` for a rolling update.
pub fn rollout(m: &Model, template: PodTemplateSpec) -> Option<Rollout> {
    let strategy = match &m.delivery.strategy {
        Strategy::Rolling => return None,
        Strategy::Canary(c) => RolloutStrategy::Canary(canary(c)),
        Strategy::BlueGreen(b) => RolloutStrategy::BlueGreen(blue_green(b)),
    };
    Some(Rollout {
        api_version: ARGO_API_VERSION,
        kind: "Rollout",
        metadata: meta(m, &m.delivery.workload.name),
        spec: RolloutSpec {
            // The HPA owns the count when it exists.
            replicas: m.hpa.is_none().then_some(m.replicas as i32),
            revision_history_limit: 5,
            selector: LabelSelector {
                match_labels: Some(m.selector.clone()),
                ..LabelSelector::default()
            },
            template,
            strategy,
            progress_deadline_seconds: PROGRESS_DEADLINE_SECONDS as i64,
            // A new version whose pods never become ready is rolled back, not left half-done.
            progress_deadline_abort: true,
        },
    })
}

/// The AnalysisTemplates of the model, in the order the rollout runs them.
pub fn analysis_templates(m: &Model) -> Vec<AnalysisTemplate> {
    m.delivery
        .analyses()
        .into_iter()
        .filter_map(|a| analysis_template(m, a))
        .collect()
}

/// The alert rules an analysis evaluates: those the alert builder makes for the measured
/// Service's `job`, for the alerts the analysis names.
pub fn analysis_rules(m: &Model, a: &AnalysisModel) -> Vec<alerts::AlertRule> {
    let Some(scope) = m.measured(&a.job) else {
        return Vec::new();
    };
    let rules = alerts::rules(&scope);
    a.alerts
        .iter()
        .filter_map(|kind| rules.iter().find(|r| r.alert.kind == *kind).cloned())
        .collect()
}

fn analysis_template(m: &Model, a: &AnalysisModel) -> Option<AnalysisTemplate> {
    // A blocking analysis (before or after a blue-green switch) watches as long as the alert
    // would have to hold before it fires; a canary's runs in the background until the last
    // step.
    let blocking = matches!(m.delivery.strategy, Strategy::BlueGreen(_));
    let metrics: Vec<Metric> = analysis_rules(m, a)
        .into_iter()
        .map(|rule| Metric {
            name: metric_name(rule.alert.kind),
            interval: a.interval.clone(),
            // The measured Service pointed at the old pods until the rollout started, and a
            // rate over the expression's window still counts their samples: the first
            // measurement waits until the window holds the new pods' alone.
            initial_delay: go_duration_seconds(rule.window.millis().div_ceil(1000)),
            count: blocking.then(|| m.analysis_count(rule.alert.kind, a)),
            failure_limit: a.failure_limit,
            success_condition: SUCCESS,
            failure_condition: FAILURE,
            provider: Provider {
                prometheus: Prometheus {
                    address: a.prometheus_address.clone(),
                    query: rule.expr,
                },
            },
        })
        .collect();
    (!metrics.is_empty()).then(|| AnalysisTemplate {
        api_version: ARGO_API_VERSION,
        kind: "AnalysisTemplate",
        metadata: meta(m, &a.template),
        spec: AnalysisTemplateSpec { metrics },
    })
}

/// How long a pipeline waits for a rollout of this model before it rolls back: the progress
/// deadline, plus every pause of a canary, or the blocking analyses of a blue-green rollout
/// (each waits for its expression's window, then takes its measurements; the metrics of one
/// analysis run side by side).
pub fn rollout_timeout_seconds(m: &Model) -> u64 {
    let seconds = |text: &str| {
        crate::spec::scalars::parse_duration_ms(text).map_or(0, |ms| ms.div_ceil(1000))
    };
    PROGRESS_DEADLINE_SECONDS
        + match &m.delivery.strategy {
            Strategy::Rolling => 0,
            Strategy::Canary(c) => c
                .steps
                .iter()
                .map(|(_, pause)| pause.as_deref().map_or(0, seconds))
                .sum(),
            Strategy::BlueGreen(b) => b
                .pre_promotion
                .iter()
                .chain(&b.post_promotion)
                .map(|a| {
                    analysis_rules(m, a)
                        .iter()
                        .map(|r| {
                            r.window.millis().div_ceil(1000)
                                + u64::from(m.analysis_count(r.alert.kind, a)) * a.interval_seconds
                        })
                        .max()
                        .unwrap_or(0)
                })
                .sum(),
        }
}
