//! The delivery model: which workload runs the server (a Deployment, or an Argo Rollouts
//! `Rollout`), the names of the Services and AnalysisTemplates a progressive rollout adds, what
//! shifts a canary's traffic, and which of the generated alerts gate each analysis.
//!
//! Lowered from the resolved `rollout` section and the monitoring model; no default is decided
//! here. The PromQL of an analysis is not built here either: an analysis names the alerts it
//! evaluates and the `job` it measures, and the emitter asks the alert builder of
//! `crate::compile::monitoring::alerts` for exactly those expressions, so an analysis query is
//! never written twice. What does not depend on the strategy (pod template, ports, labels) stays
//! in [`crate::model::Model`].

use crate::model::Model;
use crate::model::monitoring::{AlertKind, MonitoringModel};
use crate::resolve::ResolvedSpec;
use crate::spec::{Promotion, RolloutStrategy, TrafficRouter};

/// API version of the Argo Rollouts objects.
pub const ARGO_API_VERSION: &str = "argoproj.io/v1alpha1";
/// Label the Deployment controller puts on each pod with its ReplicaSet's template hash.
pub const DEPLOYMENT_REVISION_LABEL: &str = "pod-template-hash";
/// The label the Argo Rollouts controller puts on each pod (and on the Services it manages)
/// instead: a Rollout's pods carry no `pod-template-hash`.
pub const ROLLOUT_REVISION_LABEL: &str = "rollouts-pod-template-hash";
/// Name of the Argo Rollouts Gateway API traffic router plugin, as the controller's
/// `argo-rollouts-config` ConfigMap registers it.
pub const GATEWAY_API_PLUGIN: &str = "argoproj-labs/gatewayAPI";
/// The weight of all the traffic, in percent.
pub const FULL_WEIGHT: u32 = 100;

/// The object that owns the server's pods: what the HPA and the VPA scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRef {
    /// `apps/v1` or `argoproj.io/v1alpha1`.
    pub api_version: &'static str,
    /// `Deployment` or `Rollout`.
    pub kind: &'static str,
    /// The server name.
    pub name: String,
}

/// How new versions roll out.
#[derive(Debug, Clone)]
pub struct DeliveryModel {
    /// The workload.
    pub workload: WorkloadRef,
    /// The label that tells one revision's pods from another's (spread constraints match on
    /// it so a rollout is not skewed by the old pods).
    pub revision_label: &'static str,
    /// The strategy and its objects.
    pub strategy: Strategy,
    /// Who promotes a version into this environment (the pipeline's gate).
    pub promotion: Promotion,
    /// The GitOps repository the pipeline commits this environment's manifests to, when it
    /// deploys that way rather than with `kubectl apply -k`.
    pub gitops: Option<GitOpsModel>,
    /// The image repository the pipeline pushes to (`spec.image` without tag or digest).
    pub image_repository: String,
    /// The registry host of that repository, which the pipeline logs in to.
    pub registry: String,
}

/// Where the pipeline commits an environment's manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitOpsModel {
    /// HTTPS URL of the repository.
    pub repository: String,
    /// Branch.
    pub branch: String,
    /// Directory.
    pub path: String,
}

/// A strategy with the names of its objects.
#[derive(Debug, Clone)]
pub enum Strategy {
    /// A Deployment's rolling update.
    Rolling,
    /// An Argo Rollouts canary.
    Canary(CanaryModel),
    /// An Argo Rollouts blue-green rollout.
    BlueGreen(BlueGreenModel),
}

/// A canary.
#[derive(Debug, Clone)]
pub struct CanaryModel {
    /// The Service the controller points at the old version while the canary runs: the
    /// server's own Service, which the Ingress routes to. Only with a traffic router (without
    /// one, the server's Service keeps selecting both versions, so the share of traffic follows
    /// the share of pods).
    pub stable_service: Option<String>,
    /// The Service the controller points at the new version: what the canary ingress routes to,
    /// and the `job` the analysis measures.
    pub canary_service: String,
    /// What shifts the traffic.
    pub router: Router,
    /// Steps: percent of traffic, then how long to hold it (Go duration text, as Argo reads
    /// it).
    pub steps: Vec<(u32, Option<String>)>,
    /// Pods added above the desired count while pods are moved (replica-based canary).
    pub max_surge: u32,
    /// The analysis that runs in the background from the first step.
    pub analysis: Option<AnalysisModel>,
}

/// What shifts a canary's traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Router {
    /// An ingress-nginx canary Ingress the controller creates beside the server's Ingress.
    Nginx {
        /// The server's Ingress, whose backend is the stable Service.
        stable_ingress: String,
    },
    /// Weights of an HTTPRoute, set by the Argo Rollouts Gateway API plugin.
    GatewayApi {
        /// The HTTPRoute, which must list the stable and the canary Service as its backends
        /// (see [`DeliveryModel::route_backends`]).
        http_route: String,
        /// Its namespace.
        namespace: String,
    },
    /// No router: the canary's share of traffic is its share of the pods.
    Replicas,
}

/// A blue-green rollout.
#[derive(Debug, Clone)]
pub struct BlueGreenModel {
    /// The Service production traffic goes to: the server's own Service.
    pub active_service: String,
    /// The Service that reaches the new version before the switch.
    pub preview_service: String,
    /// Analysis of the preview before the switch.
    pub pre_promotion: Option<AnalysisModel>,
    /// Analysis of the active Service after the switch; a failure switches back.
    pub post_promotion: Option<AnalysisModel>,
    /// Seconds the old version keeps running after the switch.
    pub scale_down_delay_seconds: i64,
}

/// One AnalysisTemplate: the alerts whose expressions it evaluates on one Service's series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisModel {
    /// Name of the AnalysisTemplate.
    pub template: String,
    /// The `job` label of the measured series: the name of the Service the ServiceMonitor
    /// scrapes the measured pods through.
    pub job: String,
    /// The alerts evaluated, in catalogue order (error ratio and p95 latency, those enabled).
    pub alerts: Vec<AlertKind>,
    /// Prometheus the controller queries.
    pub prometheus_address: String,
    /// Time between measurements (Go duration text, as Argo reads it).
    pub interval: String,
    /// The same in seconds.
    pub interval_seconds: u64,
    /// Failed measurements tolerated.
    pub failure_limit: u32,
}

/// One backend of the route that reaches the server, with its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteBackend {
    /// Service name.
    pub service: String,
    /// Weight (the plugin moves it during a canary).
    pub weight: u32,
}

/// The alerts an analysis evaluates: the error ratio and the p95 latency, as the spec's alerts
/// define them (thresholds included).
pub const ANALYSED_ALERTS: [AlertKind; 2] = [AlertKind::ErrorRate, AlertKind::LatencyP95];

/// `<base><suffix>`, cut so it stays a DNS label of at most 63 characters.
pub fn suffixed(base: &str, suffix: &str) -> String {
    let room = 63 - suffix.len();
    let cut: String = base.chars().take(room).collect();
    format!("{}{suffix}", cut.trim_end_matches('-'))
}

impl DeliveryModel {
    /// Whether a Rollout replaces the Deployment.
    pub fn is_rollout(&self) -> bool {
        !matches!(self.strategy, Strategy::Rolling)
    }

    /// The Services a progressive rollout adds beside the server's own (canary or preview).
    pub fn extra_services(&self) -> Vec<&str> {
        match &self.strategy {
            Strategy::Rolling => Vec::new(),
            Strategy::Canary(c) => vec![c.canary_service.as_str()],
            Strategy::BlueGreen(b) => vec![b.preview_service.as_str()],
        }
    }

    /// Every analysis, in the order the rollout runs them.
    pub fn analyses(&self) -> Vec<&AnalysisModel> {
        match &self.strategy {
            Strategy::Rolling => Vec::new(),
            Strategy::Canary(c) => c.analysis.iter().collect(),
            Strategy::BlueGreen(b) => b.pre_promotion.iter().chain(&b.post_promotion).collect(),
        }
    }

    /// The backends the route to the server lists. A route that a traffic router reweights
    /// must name both Services (the Gateway API plugin only changes weights): the stable one
    /// with all the traffic and the canary one with none. Every other route has the server's
    /// Service alone. The Ingress and HTTPRoute emitters read their backends here.
    pub fn route_backends(&self, server: &str) -> Vec<RouteBackend> {
        match &self.strategy {
            Strategy::Canary(CanaryModel {
                router: Router::GatewayApi { .. },
                canary_service,
                ..
            }) => vec![
                RouteBackend {
                    service: server.to_string(),
                    weight: FULL_WEIGHT,
                },
                RouteBackend {
                    service: canary_service.clone(),
                    weight: 0,
                },
            ],
            _ => vec![RouteBackend {
                service: server.to_string(),
                weight: FULL_WEIGHT,
            }],
        }
    }
}

/// The Services a progressive rollout adds beside the server's own: the canary Service of a
/// canary, the preview Service of a blue-green rollout.
pub fn extra_service_names(r: &ResolvedSpec, name: &str) -> Vec<String> {
    match r.spec().rollout.strategy {
        RolloutStrategy::Rolling => Vec::new(),
        RolloutStrategy::Canary => vec![suffixed(name, CANARY_SUFFIX)],
        RolloutStrategy::BlueGreen => vec![suffixed(name, PREVIEW_SUFFIX)],
    }
}

/// Suffix of the canary Service and its AnalysisTemplate.
const CANARY_SUFFIX: &str = "-canary";
/// Suffix of the preview Service and its AnalysisTemplate.
const PREVIEW_SUFFIX: &str = "-preview";

/// Lower the resolved `rollout` section.
pub fn lower(
    r: &ResolvedSpec,
    name: &str,
    namespace: &str,
    monitoring: Option<&MonitoringModel>,
    expose: Option<&crate::model::traffic::ExposeModel>,
) -> DeliveryModel {
    let ro = &r.spec().rollout;
    let analysis_settings = ro.analysis.as_ref().filter(|a| a.enabled);
    // An analysis needs the series the alerts read; without monitoring or without those
    // alerts there is nothing to measure (the policy `rollout-analysis-without-metrics` says
    // so), and the rollout runs without one.
    let analysis = |template: String, job: String| -> Option<AnalysisModel> {
        let a = analysis_settings?;
        let m = monitoring?;
        let alerts: Vec<AlertKind> = ANALYSED_ALERTS
            .into_iter()
            .filter(|k| m.alerts.iter().any(|a| a.kind == *k))
            .collect();
        (!alerts.is_empty()).then(|| AnalysisModel {
            template,
            job,
            alerts,
            prometheus_address: a.prometheus_address.clone(),
            interval: go_duration(&a.interval),
            interval_seconds: a.interval.seconds().unwrap_or(1).max(1),
            failure_limit: a.failure_limit,
        })
    };
    let strategy = match ro.strategy {
        RolloutStrategy::Rolling => Strategy::Rolling,
        RolloutStrategy::Canary => {
            let canary_service = suffixed(name, CANARY_SUFFIX);
            let router = match ro.traffic_router {
                Some(TrafficRouter::Nginx) => Router::Nginx {
                    stable_ingress: name.to_string(),
                },
                // The server's HTTPRoute, in the namespace the traffic target writes it to
                // (without a gateway the model refuses the router: see `Model::preflight`).
                Some(TrafficRouter::GatewayApi) => match expose.map(|e| &e.way) {
                    Some(crate::model::traffic::Way::Gateway(g)) => Router::GatewayApi {
                        http_route: expose.map_or(name, |e| e.names.route.as_str()).to_string(),
                        namespace: g.route_namespace.clone(),
                    },
                    _ => Router::GatewayApi {
                        http_route: name.to_string(),
                        namespace: namespace.to_string(),
                    },
                },
                Some(TrafficRouter::None) | None => Router::Replicas,
            };
            Strategy::Canary(CanaryModel {
                stable_service: (router != Router::Replicas).then(|| name.to_string()),
                analysis: analysis(suffixed(name, CANARY_SUFFIX), canary_service.clone()),
                canary_service,
                router,
                steps: ro
                    .steps
                    .iter()
                    .flatten()
                    .map(|s| (s.set_weight, s.pause.as_ref().map(go_duration)))
                    .collect(),
                max_surge: ro.max_surge,
            })
        }
        RolloutStrategy::BlueGreen => {
            let preview_service = suffixed(name, PREVIEW_SUFFIX);
            Strategy::BlueGreen(BlueGreenModel {
                active_service: name.to_string(),
                pre_promotion: analysis(suffixed(name, PREVIEW_SUFFIX), preview_service.clone()),
                post_promotion: analysis(name.to_string(), name.to_string()),
                preview_service,
                scale_down_delay_seconds: ro
                    .scale_down_delay
                    .as_ref()
                    .and_then(crate::spec::scalars::Duration::seconds)
                    .map_or(0, |s| s.min(i64::MAX as u64) as i64),
            })
        }
    };
    let rollout = !matches!(strategy, Strategy::Rolling);
    let image = &r.spec().image;
    let repository = image.repository().to_string();
    let first = repository.split('/').next().unwrap_or_default();
    // Docker's rule: a first segment with a dot or a port, or `localhost`, is a registry host;
    // anything else is a repository on Docker Hub.
    let registry = if repository.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        first.to_string()
    } else {
        "docker.io".to_string()
    };
    DeliveryModel {
        workload: WorkloadRef {
            api_version: if rollout { ARGO_API_VERSION } else { "apps/v1" },
            kind: if rollout { "Rollout" } else { "Deployment" },
            name: name.to_string(),
        },
        revision_label: if rollout {
            ROLLOUT_REVISION_LABEL
        } else {
            DEPLOYMENT_REVISION_LABEL
        },
        strategy,
        promotion: ro.promotion,
        gitops: ro.gitops.as_ref().map(|g| GitOpsModel {
            repository: g.repository.clone(),
            branch: g.branch.clone(),
            path: g.path.clone(),
        }),
        image_repository: repository,
        registry,
    }
}

/// Seconds a Rollout (or Deployment) may go without progress before it is aborted (written
/// on the Rollout; the Deployment's default is the same).
pub const PROGRESS_DEADLINE_SECONDS: u64 = 600;

/// A duration as Go's `time.ParseDuration` reads it (Argo Rollouts parses pauses and
/// intervals that way): hours, minutes and seconds, since Go knows no days or weeks. At least
/// one second.
pub fn go_duration(d: &crate::spec::scalars::Duration) -> String {
    go_duration_seconds(d.seconds().unwrap_or(1))
}

/// Seconds as Go's `time.ParseDuration` reads them (see [`go_duration`]).
pub fn go_duration_seconds(seconds: u64) -> String {
    let total = seconds.max(1);
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

impl Model {
    /// The monitoring model of the series one Service's pods export: the server's, with `job`
    /// set to that Service (the ServiceMonitor names each scraped Service's series after it).
    /// Alert expressions built from it measure those pods alone.
    pub fn measured(&self, job: &str) -> Option<MonitoringModel> {
        let mut scope = self.monitoring.clone()?;
        scope.job = job.to_string();
        Some(scope)
    }

    /// How many measurements a blocking analysis takes of one alert: as many as fit in the
    /// alert's `for` (the time the condition must hold before the alert fires), and more than
    /// the failures it tolerates, so a failing version cannot pass by running out of
    /// measurements.
    pub fn analysis_count(&self, kind: AlertKind, a: &AnalysisModel) -> u32 {
        let for_seconds = self
            .monitoring
            .as_ref()
            .and_then(|m| m.alerts.iter().find(|x| x.kind == kind))
            .map_or(0, |x| x.for_.millis().div_ceil(1000));
        let n = for_seconds.div_ceil(a.interval_seconds);
        (n.min(u64::from(u32::MAX)) as u32).max(a.failure_limit + 1)
    }
}
