//! The alert catalogue: for each enabled alert of the model, its PromQL expression, `for`,
//! labels and annotation templates.
//!
//! Both the rule files (`prometheus.rs`) and the promtool unit tests (`unit_tests.rs`) read these
//! definitions, so a test always exercises exactly the expression that ships. Annotation texts are
//! kept as typed templates rather than strings so the unit tests can render the text Prometheus
//! will produce for a given label set and expect it verbatim. This module does not serialize.

use std::collections::BTreeMap;

use crate::model::monitoring::{Alert, AlertKind, MonitoringModel, PromDuration, Threshold};
use crate::spec::Severity;

use crate::model::contract::{LabelMatch, MatchOp};

use super::promql::{Matcher, Scope, Selector, max_by, number, quantile_of, share_lines, sum_rate};

/// Shortest window of the `rate()` calls in alert expressions, in minutes: ten scrapes at the
/// default 30s interval.
pub const MIN_ALERT_WINDOW_MINUTES: u64 = 5;

/// The `rate()` window of a model's alerts: five minutes, or four scrape intervals (rounded up to
/// whole minutes) when that is longer. With fewer than about four samples in the window a
/// single missed scrape leaves `rate()` without the two samples it needs, and the alert
/// silently stops evaluating.
pub fn alert_window(m: &MonitoringModel) -> PromDuration {
    let four_scrapes = m
        .endpoint
        .interval
        .millis()
        .saturating_mul(4)
        .div_ceil(60_000);
    PromDuration::minutes(four_scrapes.max(MIN_ALERT_WINDOW_MINUTES))
}

/// Rule group an alert belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// Alerts on the server's own metrics.
    Mcp,
    /// Alerts on cAdvisor and kube-state-metrics series.
    Kubernetes,
}

/// One piece of an annotation template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// The value of a label of the alert (`{{ $labels.<name> }}`).
    Label(&'static str),
}

/// An annotation text with label placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template(Vec<Part>);

impl Template {
    fn text(mut self, s: impl Into<String>) -> Template {
        self.0.push(Part::Text(s.into()));
        self
    }
    fn label(mut self, name: &'static str) -> Template {
        self.0.push(Part::Label(name));
        self
    }

    /// The Go template Prometheus stores in the rule.
    pub fn source(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Label(l) => format!("{{{{ $labels.{l} }}}}"),
            })
            .collect()
    }

    /// The text Prometheus renders for an alert with these labels (a missing label renders as
    /// `<no value>`, as in Go's text/template).
    pub fn render(&self, labels: &BTreeMap<String, String>) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Label(l) => labels
                    .get(*l)
                    .cloned()
                    .unwrap_or_else(|| "<no value>".into()),
            })
            .collect()
    }
}

/// An alerting rule, ready to serialize or to test.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    /// The model's alert this rule implements.
    pub alert: Alert,
    /// Rule group.
    pub group: Group,
    /// PromQL expression.
    pub expr: String,
    /// `summary` annotation.
    pub summary: Template,
    /// `description` annotation.
    pub description: Template,
    /// `runbook_url` annotation, when a runbook base URL is configured.
    pub runbook_url: Option<String>,
    /// The `rate()` window of the expression.
    pub window: PromDuration,
    /// The `environment` label.
    pub environment: String,
}

impl AlertRule {
    /// Alert name.
    pub fn name(&self) -> &'static str {
        self.alert.kind.alert_name()
    }

    /// Labels the rule adds to the alert.
    pub fn labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (
                "severity".to_string(),
                severity(self.alert.severity).to_string(),
            ),
            ("environment".to_string(), self.environment.clone()),
        ])
    }

    /// Annotations as stored in the rule (templates).
    pub fn annotation_sources(&self) -> BTreeMap<String, String> {
        self.annotations(|t| t.source())
    }

    /// Annotations as Prometheus renders them for an alert with these labels.
    pub fn annotations_for(&self, labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        self.annotations(|t| t.render(labels))
    }

    fn annotations(&self, text: impl Fn(&Template) -> String) -> BTreeMap<String, String> {
        let mut a = BTreeMap::from([
            ("summary".to_string(), text(&self.summary)),
            ("description".to_string(), text(&self.description)),
        ]);
        if let Some(url) = &self.runbook_url {
            a.insert("runbook_url".into(), url.clone());
        }
        a
    }

    /// Minutes after the start of steadily generated test data (one sample a minute) at which
    /// the condition first holds.
    ///
    /// Gauges hold from the first sample. A ratio of two `rate()`s over the same samples holds
    /// from the second sample (one minute), because `rate()` underestimates both sides of the
    /// ratio by the same factor while its window is only partly filled. A single `rate()`
    /// compared with a gauge (CPU) only reaches its true value once Prometheus extrapolates to
    /// the whole window, which needs samples reaching to within 1.1 sample intervals of the
    /// window start: one minute less than the window.
    pub fn onset_minutes(&self) -> u64 {
        match self.alert.kind {
            AlertKind::Down
            | AlertKind::TargetDown
            | AlertKind::Memory
            | AlertKind::HpaMaxedOut
            | AlertKind::HpaScalingInactive
            | AlertKind::Probe => 0,
            AlertKind::Cpu => self.window.millis() / 60_000 - 1,
            _ => 1,
        }
    }
}

/// The `severity` label value.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// `5%`-style text of a percentage.
fn pct(p: f64) -> String {
    format!("{}%", number(p))
}

/// Every enabled alert of the model as a rule.
pub fn rules(m: &MonitoringModel) -> Vec<AlertRule> {
    m.alerts.iter().map(|a| rule(m, a)).collect()
}

/// How a set of outcome matchers reads in an annotation: "with a 5xx status" for mcpgen's
/// HTTP status codes, else the matchers themselves.
fn outcome_text(ms: &[LabelMatch]) -> String {
    match ms {
        [m] if m.op == MatchOp::Re && m.value == "5.." => "with a 5xx status".to_string(),
        _ => format!(
            "with an error ({})",
            ms.iter()
                .map(|m| format!(
                    "{}{}{}",
                    m.label,
                    m.op.as_str(),
                    super::promql::quote(&m.value)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

const MISSING: &str = "the model keeps only alerts whose series the contract has";

fn rule(m: &MonitoringModel, alert: &Alert) -> AlertRule {
    let scope = Scope::new(m);
    let window = alert_window(m);
    let window_text = window.to_string();
    let w = window_text.as_str();
    let app_by: &[&str] = &["namespace", "job"];
    let pod_by: &[&str] = &["namespace", "pod", "container"];
    let hpa_by: &[&str] = &["namespace", "horizontalpodautoscaler"];
    let for_ = alert.for_;
    let (percent, seconds) = match alert.threshold {
        Threshold::Percent(p) => (p, 0.0),
        Threshold::Seconds(s) => (0.0, s),
        Threshold::State => (0.0, 0.0),
    };
    let ratio = number(percent / 100.0);
    let server = || {
        Template::default()
            .text("MCP server ")
            .label("namespace")
            .text("/")
            .label("job")
    };
    let held = |t: Template| t.text(format!(" for {for_}."));

    let (group, expr, summary, description) = match alert.kind {
        AlertKind::ErrorRate => {
            let (whole, c) = scope.requests().expect(MISSING);
            (
                Group::Mcp,
                format!("{}\n> {ratio}", share_lines(&whole, &c.failed, w, app_by)),
                server().text(" answers many requests with server errors"),
                held(
                    Template::default()
                        .text(format!("More than {} of the requests to ", pct(percent)))
                        .label("job")
                        .text(" in namespace ")
                        .label("namespace")
                        .text(format!(" were answered {}", outcome_text(&c.failed))),
                ),
            )
        }
        AlertKind::LatencyP95 => (
            Group::Mcp,
            format!(
                "{}\n> {}",
                quantile_of(&scope, scope.latency().expect(MISSING), 0.95, w, app_by),
                number(seconds)
            ),
            server().text(" responds slowly"),
            held(
                Template::default()
                    .text("The 95th percentile request latency of ")
                    .label("job")
                    .text(" in namespace ")
                    .label("namespace")
                    .text(format!(
                        " has been above {}",
                        PromDuration((seconds * 1000.0).round() as u64)
                    )),
            ),
        ),
        AlertKind::Down => {
            let up = scope.up();
            (
                Group::Mcp,
                // The service is down when no target is up. `absent` also fires when no
                // target is scraped at all, which is how a ServiceMonitor that the operator
                // never selected shows up.
                format!(
                    "{} == 0\nor\nabsent({up})",
                    super::promql::aggregate("sum", &up.to_string(), app_by)
                ),
                server().text(" is down"),
                held(
                    Template::default()
                        .text("No metrics target of ")
                        .label("job")
                        .text(" in namespace ")
                        .label("namespace")
                        .text(" has been up, or no target has been discovered,"),
                ),
            )
        }
        AlertKind::TargetDown => {
            let up = scope.up();
            (
                Group::Mcp,
                // Only while another target serves: when every target is down, `Down` pages
                // and this one stays quiet.
                format!(
                    "{up} == 0\nand on (namespace, job)\n{} > 0",
                    super::promql::aggregate("sum", &up.to_string(), app_by)
                ),
                Template::default()
                    .text("MCP server pod ")
                    .label("namespace")
                    .text("/")
                    .label("pod")
                    .text(" is down"),
                held(
                    Template::default()
                        .text("The metrics target ")
                        .label("instance")
                        .text(" of ")
                        .label("job")
                        .text(" in namespace ")
                        .label("namespace")
                        .text(" has been unreachable while other replicas serve,"),
                ),
            )
        }
        AlertKind::Memory => (
            Group::Kubernetes,
            format!(
                "{}\n/\n{}\n> {ratio}",
                max_by(
                    &scope.container("container_memory_working_set_bytes"),
                    pod_by
                ),
                max_by(
                    &scope
                        .container("kube_pod_container_resource_limits")
                        .with(Matcher::eq("resource", "memory")),
                    pod_by
                ),
            ),
            Template::default()
                .text("MCP server pod ")
                .label("namespace")
                .text("/")
                .label("pod")
                .text(" is close to its memory limit"),
            held(
                Template::default()
                    .text("Container ")
                    .label("container")
                    .text(" of pod ")
                    .label("pod")
                    .text(format!(
                        " has used more than {} of its memory limit (at the limit it is OOM-killed)",
                        pct(percent)
                    )),
            ),
        ),
        AlertKind::Cpu => (
            Group::Kubernetes,
            format!(
                "{}\n/\n{}\n> {ratio}",
                sum_rate(
                    &scope.container("container_cpu_usage_seconds_total"),
                    w,
                    pod_by
                ),
                max_by(
                    &scope
                        .container("kube_pod_container_resource_limits")
                        .with(Matcher::eq("resource", "cpu")),
                    pod_by
                ),
            ),
            Template::default()
                .text("MCP server pod ")
                .label("namespace")
                .text("/")
                .label("pod")
                .text(" is close to its CPU limit"),
            held(
                Template::default()
                    .text("Container ")
                    .label("container")
                    .text(" of pod ")
                    .label("pod")
                    .text(format!(
                        " has used more than {} of its CPU limit (beyond it, it is throttled)",
                        pct(percent)
                    )),
            ),
        ),
        AlertKind::ToolErrors => (
            Group::Mcp,
            {
                let (whole, c) = scope.tools().expect(MISSING);
                format!("{}\n> {ratio}", share_lines(&whole, &c.failed, w, app_by))
            },
            server().text(" fails many tool executions"),
            held(
                Template::default()
                    .text(format!(
                        "More than {} of the tool executions of ",
                        pct(percent)
                    ))
                    .label("job")
                    .text(" in namespace ")
                    .label("namespace")
                    .text(" have failed"),
            ),
        ),
        AlertKind::SessionNotFound => (
            Group::Mcp,
            {
                let (whole, c) = scope.session_not_found().expect(MISSING);
                format!("{}\n> {ratio}", share_lines(&whole, &c.failed, w, app_by))
            },
            server().text(" loses client sessions"),
            held(
                Template::default()
                    .text(format!("More than {} of the requests to ", pct(percent)))
                    .label("job")
                    .text(" in namespace ")
                    .label("namespace")
                    .text(
                        " were answered 404 (session not found): requests of one session \
                         probably reach different replicas; configure sticky routing or a \
                         shared session store. This has held",
                    ),
            ),
        ),
        AlertKind::HpaMaxedOut => (
            Group::Kubernetes,
            format!(
                "{}\n>=\n{}",
                max_by(
                    &scope.hpa("kube_horizontalpodautoscaler_status_current_replicas"),
                    hpa_by
                ),
                max_by(
                    &scope.hpa("kube_horizontalpodautoscaler_spec_max_replicas"),
                    hpa_by
                ),
            ),
            Template::default()
                .text("MCP server ")
                .label("namespace")
                .text("/")
                .label("horizontalpodautoscaler")
                .text(" cannot scale out further"),
            held(
                Template::default()
                    .text("The HorizontalPodAutoscaler ")
                    .label("horizontalpodautoscaler")
                    .text(" in namespace ")
                    .label("namespace")
                    .text(format!(
                        " has run at its maximum of {} replicas",
                        m.autoscaling.as_ref().map_or(0, |b| b.max)
                    )),
            ),
        ),
        AlertKind::HpaScalingInactive => (
            Group::Kubernetes,
            format!(
                "{}\n== 1",
                max_by(
                    &scope
                        .hpa("kube_horizontalpodautoscaler_status_condition")
                        .with(Matcher::eq("condition", "ScalingActive"))
                        .with(Matcher::eq("status", "false")),
                    hpa_by
                ),
            ),
            Template::default()
                .text("MCP server ")
                .label("namespace")
                .text("/")
                .label("horizontalpodautoscaler")
                .text(" cannot autoscale"),
            held(
                Template::default()
                    .text("The HorizontalPodAutoscaler ")
                    .label("horizontalpodautoscaler")
                    .text(" in namespace ")
                    .label("namespace")
                    .text(
                        " reports ScalingActive=False: a metric it reads cannot be fetched (is \
                         the custom metric served?), so it neither scales out nor in. This has \
                         held",
                    ),
            ),
        ),
        AlertKind::Probe => {
            let p = m.probe.as_ref().expect("the probe alert exists only with a probe");
            let probe = Selector::new(
                "probe_success",
                vec![Matcher::eq("job", &p.job), Matcher::eq("instance", &p.url)],
            );
            (
                Group::Mcp,
                format!(
                    "{}\n== 0\nand on ()\n{}\n> 0",
                    max_by(&probe, &["job", "instance"]),
                    sum_by_nothing(&scope.deployment("kube_deployment_status_replicas_available")),
                ),
                Template::default().text(format!(
                    "MCP server {}/{} does not answer MCP",
                    m.namespace, m.job
                )),
                held(
                    Template::default()
                        .text(format!(
                            "The probe's `{}` request to ",
                            p.request.method
                        ))
                        .label("instance")
                        .text(format!(
                            " has not been answered with an MCP result while pods of {} are \
                             Ready: clients cannot use the server although its health probes \
                             pass. This has held",
                            m.job
                        )),
                ),
            )
        }
    };
    AlertRule {
        alert: alert.clone(),
        group,
        expr,
        summary,
        description,
        window,
        environment: m.environment.clone(),
        runbook_url: m
            .runbook_base_url
            .as_ref()
            .map(|base| format!("{base}/{}", alert.kind.alert_name())),
    }
}

/// `sum(<sel>)`.
fn sum_by_nothing(sel: &Selector) -> String {
    super::promql::aggregate("sum", &sel.to_string(), &[])
}

/// A recording rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRule {
    /// The model's record this rule implements.
    pub kind: crate::model::monitoring::RecordKind,
    /// Recorded series name (with its window).
    pub name: String,
    /// PromQL expression.
    pub expr: String,
}

/// The recording rules of a model: breakdowns by MCP method and by tool, over the alerts'
/// window.
pub fn records(m: &MonitoringModel) -> Vec<RecordRule> {
    use crate::model::monitoring::RecordKind as R;
    let scope = Scope::new(m);
    let window = alert_window(m).to_string();
    let w = window.as_str();
    let Some(op) = m.contract.operation.as_deref() else {
        return Vec::new();
    };
    m.records
        .iter()
        .filter_map(|kind| {
            let expr = match kind {
                R::RequestRateByMethod => {
                    let (whole, _) = scope.requests()?;
                    sum_rate(&whole, w, &["namespace", "job", op])
                }
                R::ErrorRatioByMethod => {
                    let (whole, c) = scope.requests()?;
                    super::promql::share(&whole, &c.failed, w, &["namespace", "job", op])
                }
                R::ToolErrorRatioByTool => {
                    let (whole, c) = scope.tools()?;
                    let tool = c.breakdown.as_deref()?;
                    super::promql::share(&whole, &c.failed, w, &["namespace", "job", tool])
                }
            };
            Some(RecordRule {
                kind: *kind,
                name: format!("{}{w}", kind.record_name()),
                expr,
            })
        })
        .collect()
}
