//! The `promtool test rules` file that proves every generated alert.
//!
//! For each alert it generates synthetic series from the alert's own threshold, computed
//! numerically, and three assertions:
//! 1. series beyond the threshold: the alert is still silent (pending) one evaluation before
//!    `for` has elapsed;
//! 2. the same series: the alert fires, with exactly the expected labels and rendered
//!    annotations, once the condition has held longer than `for`;
//! 3. series just below the threshold (95% of it, or the state not reached): no alert at the
//!    same evaluation time.
//!
//! `MCPServerDown` has a fourth case: no `up` series at all fires too. A percentage threshold
//! of 100% or more over a share of requests can never be crossed; such an alert gets only the
//! "below" case. This module owns the test data; the expressions come from `alerts.rs`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::contract::{Counter, LabelMatch, MatchOp};
use crate::model::monitoring::{AlertKind, MonitoringModel, PromDuration, Threshold};

use super::alerts::AlertRule;
use super::promql::{CONTAINER, number};

/// Spacing of the synthetic samples and of rule evaluation in the tests.
const STEP: PromDuration = PromDuration::minutes(1);
/// Requests (or tool executions) per minute in the synthetic traffic: large enough that
/// rounding the bad share to whole requests stays far from the threshold.
const TRAFFIC_PER_MINUTE: f64 = 100_000.0;
/// Factor above the threshold used for the firing data.
const ABOVE: f64 = 1.2;
/// Factor of the threshold used for the "just below" data.
const BELOW: f64 = 0.95;
/// The pod name used in test series: it matches the Deployment pod-name pattern of the rules.
const TEST_POD_SUFFIX: &str = "-6b7f9c8d5f-x7k2p";

/// A promtool unit-test file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestFile {
    /// Rule files under test, relative to this file.
    pub rule_files: Vec<String>,
    /// Rule evaluation interval.
    pub evaluation_interval: String,
    /// Test groups.
    pub tests: Vec<TestGroup>,
}

/// One scenario: input series and assertions over them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestGroup {
    /// Sample spacing of `input_series`.
    pub interval: String,
    /// Synthetic series.
    pub input_series: Vec<InputSeries>,
    /// Assertions.
    pub alert_rule_test: Vec<AlertTestCase>,
}

/// A synthetic series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSeries {
    /// Series in PromQL notation.
    pub series: String,
    /// Values in promtool's expanding notation.
    pub values: String,
}

/// An assertion on one alert at one time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertTestCase {
    /// Evaluation time since the start of the series.
    pub eval_time: String,
    /// Alert name.
    pub alertname: String,
    /// Alerts expected to fire (empty: none).
    pub exp_alerts: Vec<ExpectedAlert>,
}

/// An alert expected to fire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedAlert {
    /// Its labels, without `alertname`.
    pub exp_labels: BTreeMap<String, String>,
    /// Its rendered annotations.
    pub exp_annotations: BTreeMap<String, String>,
}

/// A series name with labels, printed in PromQL notation.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    metric: String,
    labels: BTreeMap<String, String>,
}

impl Series {
    fn new(metric: &str, labels: &[(&str, &str)]) -> Series {
        Series {
            metric: metric.into(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }
    fn with(mut self, k: &str, v: &str) -> Series {
        self.labels.insert(k.into(), v.into());
        self
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{{", self.metric)?;
        for (i, (k, v)) in self.labels.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{k}={}", super::promql::quote(v))?;
        }
        f.write_str("}")
    }
}

/// Values `start, start+step, …` (`count + 1` samples) in promtool notation `a+bxn`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Values {
    start: f64,
    step: f64,
    count: u64,
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}+{}x{}",
            number(self.start),
            number(self.step),
            self.count
        )
    }
}

/// The percentage used for firing data: 20% above the threshold, or 1% for a zero threshold
/// (where "20% above" would still be zero).
fn above(percent: f64) -> f64 {
    if percent > 0.0 { percent * ABOVE } else { 1.0 }
}

/// Rounds to six decimals so the test file reads `57.6`, not `57.599999999999994`. The
/// change is far inside the 20% (above) and 5% (below) margins around the threshold.
fn tidy(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Synthetic data for one side of the threshold.
struct Data {
    series: Vec<(Series, f64, bool)>,
    /// Labels of the alert expected when this data fires it (without `severity`).
    alert_labels: BTreeMap<String, String>,
}

impl Data {
    fn new(alert_labels: &[(&str, &str)]) -> Data {
        Data {
            series: Vec::new(),
            alert_labels: alert_labels
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }
    /// A counter increasing by `per_minute` each minute.
    fn counter(mut self, s: Series, per_minute: f64) -> Data {
        self.series.push((s, tidy(per_minute), true));
        self
    }
    /// A constant gauge.
    fn gauge(mut self, s: Series, value: f64) -> Data {
        self.series.push((s, tidy(value), false));
        self
    }
    fn input(&self, samples: u64) -> Vec<InputSeries> {
        self.series
            .iter()
            .map(|(s, v, counter)| InputSeries {
                series: s.to_string(),
                values: if *counter {
                    Values {
                        start: 0.0,
                        step: *v,
                        count: samples,
                    }
                } else {
                    Values {
                        start: *v,
                        step: 0.0,
                        count: samples,
                    }
                }
                .to_string(),
            })
            .collect()
    }
}

/// The test file for a model's rules, referring to the rules file `rule_file`.
pub fn test_file(m: &MonitoringModel, rules: &[AlertRule], rule_file: &str) -> TestFile {
    let mut tests = Vec::new();
    for rule in rules {
        tests.extend(groups_for(m, rule));
    }
    TestFile {
        rule_files: vec![rule_file.to_string()],
        evaluation_interval: STEP.to_string(),
        tests,
    }
}

fn minutes_ceil(d: PromDuration) -> u64 {
    d.millis().div_ceil(STEP.millis())
}

fn groups_for(m: &MonitoringModel, rule: &AlertRule) -> Vec<TestGroup> {
    let onset = rule.onset_minutes();
    let for_min = minutes_ceil(rule.alert.for_);
    // Condition holds from `onset`; it has held for `for_min` minutes (≥ `for`) at `fire_at`, and
    // for less than `for` one step earlier.
    let fire_at = onset + for_min + 1;
    let pending_at = (for_min > 0).then(|| onset + for_min - 1);
    let samples = fire_at + 5;
    let at = |min: u64| PromDuration::minutes(min).to_string();

    let (above, silent) = scenarios(m, rule);
    let mut groups = Vec::new();
    let expected = |d: &Data| {
        let mut labels = d.alert_labels.clone();
        labels.extend(rule.labels());
        ExpectedAlert {
            exp_annotations: rule.annotations_for(&labels),
            exp_labels: labels,
        }
    };
    let case = |min: u64, exp: Vec<ExpectedAlert>| AlertTestCase {
        eval_time: at(min),
        alertname: rule.name().to_string(),
        exp_alerts: exp,
    };
    for data in above {
        let mut cases = Vec::new();
        if let Some(p) = pending_at {
            cases.push(case(p, Vec::new()));
        }
        cases.push(case(fire_at, vec![expected(&data)]));
        groups.push(TestGroup {
            interval: STEP.to_string(),
            input_series: data.input(samples),
            alert_rule_test: cases,
        });
    }
    for below in silent {
        groups.push(TestGroup {
            interval: STEP.to_string(),
            input_series: below.input(samples),
            alert_rule_test: vec![case(fire_at, Vec::new())],
        });
    }
    groups
}

/// Candidate label values tried when a pattern of the contract must (or must not) match:
/// a JSON-RPC error code first (OpenTelemetry's `error.type` of a failed request), then HTTP
/// statuses and the usual words.
const CANDIDATES: &[&str] = &[
    "-32603",
    "500",
    "503",
    "200",
    "404",
    "error",
    "success",
    "ok",
    "tool_error",
    "failed",
    "true",
    "false",
    "tools/list",
    "x",
    "",
];

/// A value of `label` that every matcher of `ms` on that label accepts (preferring `prefer`,
/// then the values the matchers name), or `None`.
fn value_for(label: &str, ms: &[&LabelMatch], prefer: &[&str]) -> Option<String> {
    let on: Vec<&&LabelMatch> = ms.iter().filter(|m| m.label == label).collect();
    let named = on
        .iter()
        .filter(|m| m.op == MatchOp::Eq)
        .map(|m| m.value.as_str());
    prefer
        .iter()
        .copied()
        .chain(named)
        .chain(CANDIDATES.iter().copied())
        .find(|v| on.iter().all(|m| m.accepts(v)))
        .map(str::to_string)
}

/// The series of `c` whose outcome satisfies `outcome`; a good series (`good` holds the values
/// to try first) must also not satisfy `c.failed`. `None` when no candidate value fits.
fn counter_series(
    c: &Counter,
    app: &[(&str, &str)],
    outcome: &[LabelMatch],
    good: Option<&[&str]>,
    extra: &[(&str, &str)],
) -> Option<Series> {
    let ms: Vec<&LabelMatch> = c.scope.iter().chain(outcome).collect();
    let mut labels: Vec<String> = ms.iter().map(|m| m.label.clone()).collect();
    if good.is_some() {
        labels.push(c.outcome_label.clone());
    }
    labels.sort();
    labels.dedup();
    let mut series = Series::new(&c.sample, app);
    for (k, v) in extra {
        series = series.with(k, v);
    }
    for label in labels {
        let v = match good {
            Some(prefer) if label == c.outcome_label => prefer
                .iter()
                .copied()
                .chain(CANDIDATES.iter().copied())
                .find(|v| {
                    ms.iter().filter(|m| m.label == label).all(|m| m.accepts(v))
                        && !c
                            .failed
                            .iter()
                            .filter(|m| m.label == label)
                            .all(|m| m.accepts(v))
                })?
                .to_string(),
            _ => value_for(&label, &ms, &[])?,
        };
        // An empty value is an absent label, as in Prometheus.
        if !v.is_empty() {
            series = series.with(&label, &v);
        }
    }
    Some(series)
}

/// Firing data (zero, one or more scenarios) and silent data ("just below", and the cases an
/// expression must leave out) for a rule.
fn scenarios(m: &MonitoringModel, rule: &AlertRule) -> (Vec<Data>, Vec<Data>) {
    let job = m.job.as_str();
    let ns = m.namespace.as_str();
    let app = [("job", job), ("namespace", ns)];
    let pod = format!("{job}{TEST_POD_SUFFIX}");
    let percent = match rule.alert.threshold {
        Threshold::Percent(p) => p,
        _ => 0.0,
    };
    let c = &m.contract;
    // A good answer: no outcome at all where the contract marks success by its absence
    // (OpenTelemetry's `error.type`), else the usual words and statuses.
    let good_values: Vec<&str> = if c
        .requests
        .as_ref()
        .is_some_and(|r| r.succeeded.iter().all(|m| m.accepts("")))
    {
        vec!["", "success", "200"]
    } else {
        vec!["success", "200"]
    };

    // A share of traffic: `bad` answers out of TRAFFIC_PER_MINUTE, `excluded` answers the
    // expression must not count as bad (tool errors among requests), the rest good.
    let share =
        |k: &Counter, extra: &[(&str, &str)], pct: f64, excluded: f64| -> Option<(Data, f64)> {
            let bad_n = if pct >= percent {
                (pct / 100.0 * TRAFFIC_PER_MINUTE).ceil()
            } else {
                (pct / 100.0 * TRAFFIC_PER_MINUTE).floor()
            }
            .min(TRAFFIC_PER_MINUTE);
            let bad_s = counter_series(k, &app, &k.failed, None, extra)?;
            // HTTP status outcomes get an HTTP success.
            let http = k
                .failed
                .iter()
                .any(|m| m.value.starts_with(|ch: char| ch.is_ascii_digit()));
            let prefer: &[&str] = if http { &["200"] } else { &good_values };
            let good_s = counter_series(k, &app, &k.succeeded, Some(prefer), extra)?;
            let mut data = Data::new(&app);
            let mut good_n = TRAFFIC_PER_MINUTE - bad_n;
            if excluded > 0.0 {
                for m in k.failed.iter().filter(|m| m.op == MatchOp::Ne) {
                    let n = (good_n * excluded).floor();
                    let s = good_s.clone().with(&m.label, &m.value);
                    data = data.counter(s, n);
                    good_n -= n;
                }
            }
            Some((
                data.counter(bad_s, bad_n).counter(good_s, good_n),
                bad_n / TRAFFIC_PER_MINUTE * 100.0,
            ))
        };
    // Firing share: 20% above the threshold, or halfway to 100% when that would exceed it; none
    // when even 100% does not cross the threshold. The silent data also carries the answers the
    // expression excludes, at a fifth of the traffic, so counting them would fire it.
    let share_pair = |k: &Counter, extra: &[(&str, &str)]| {
        let fire_pct = if above(percent) < 100.0 {
            above(percent)
        } else {
            (percent + 100.0) / 2.0
        };
        let fire = share(k, extra, fire_pct, 0.0)
            .filter(|(_, actual)| *actual > percent)
            .map(|(d, _)| d);
        let below = share(k, extra, percent * BELOW, 0.2).map(|(d, _)| d);
        (
            fire.into_iter().collect::<Vec<_>>(),
            below.into_iter().collect(),
        )
    };
    let breakdown = |k: &Counter, value: &'static str| -> Vec<(String, &'static str)> {
        k.breakdown
            .iter()
            .filter(|b| !k.scope.iter().any(|m| &m.label == *b))
            .map(|b| (b.clone(), value))
            .collect()
    };
    let extra_of = |v: &[(String, &'static str)]| -> Vec<(String, String)> {
        v.iter().map(|(k, x)| (k.clone(), x.to_string())).collect()
    };

    match rule.alert.kind {
        AlertKind::ErrorRate | AlertKind::ToolErrors | AlertKind::SessionNotFound => {
            let (k, value) = match rule.alert.kind {
                AlertKind::ErrorRate => (c.requests.as_ref(), "tools/list"),
                AlertKind::ToolErrors => (c.tools.as_ref(), "search"),
                _ => (c.session_not_found.as_ref(), ""),
            };
            let Some(k) = k else {
                return (Vec::new(), Vec::new());
            };
            let extra = extra_of(&breakdown(k, value));
            let extra: Vec<(&str, &str)> = extra
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            share_pair(k, &extra)
        }
        AlertKind::LatencyP95 => {
            let t = match rule.alert.threshold {
                Threshold::Seconds(s) => s,
                _ => 1.0,
            };
            let Some(h) = c.latency.as_ref() else {
                return (Vec::new(), Vec::new());
            };
            let scoped: Vec<&LabelMatch> = h.scope.iter().collect();
            let mut base = Series::new(&h.bucket, &app);
            let mut labels: Vec<&str> = scoped.iter().map(|m| m.label.as_str()).collect();
            labels.dedup();
            for l in &labels {
                if let Some(v) = value_for(l, &scoped, &["tools/call"])
                    && !v.is_empty()
                {
                    base = base.with(l, &v);
                }
            }
            let bucket = |s: &Series, le: f64| s.clone().with("le", &number(le));
            // Buckets (0,t], (t,2t]: all traffic in the upper one puts p95 at 1.95t; all in
            // the lower one puts it at 0.95t (linear interpolation inside the bucket).
            let fire = Data::new(&app)
                .counter(bucket(&base, t), 0.0)
                .counter(bucket(&base, 2.0 * t), 60.0)
                .counter(bucket(&base, f64::INFINITY), 60.0);
            let mut below = Data::new(&app)
                .counter(bucket(&base, t), 60.0)
                .counter(bucket(&base, 2.0 * t), 60.0)
                .counter(bucket(&base, f64::INFINITY), 60.0);
            // Long-lived streams, all beyond 2t: counted, they would put p95 at 2t.
            for m in h.scope.iter().filter(|m| m.op == MatchOp::Ne) {
                let stream = base.clone().with(&m.label, &m.value);
                below = below
                    .counter(bucket(&stream, t), 0.0)
                    .counter(bucket(&stream, 2.0 * t), 0.0)
                    .counter(bucket(&stream, f64::INFINITY), 600.0);
            }
            (vec![fire], vec![below])
        }
        AlertKind::Down | AlertKind::TargetDown => {
            let target = |pod: &str, ip: &str| {
                Series::new(
                    "up",
                    &[
                        ("job", job),
                        ("namespace", ns),
                        ("instance", ip),
                        ("pod", pod),
                        ("service", job),
                    ],
                )
            };
            let pod_b = format!("{job}-6b7f9c8d5f-m4q8z");
            let a = target(&pod, "10.0.0.10:8080");
            let b = target(&pod_b, "10.0.0.11:8080");
            let labels_of = |s: &Series| -> Vec<(String, String)> {
                s.labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            let la = labels_of(&a);
            let la: Vec<(&str, &str)> = la.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            if rule.alert.kind == AlertKind::Down {
                (
                    vec![
                        // Every target down: one alert for the service.
                        Data::new(&app).gauge(a.clone(), 0.0).gauge(b.clone(), 0.0),
                        // No target at all: only the equality matchers of absent() survive.
                        Data::new(&app),
                    ],
                    // One pod down of two: the service is up, no page.
                    vec![Data::new(&app).gauge(a, 0.0).gauge(b, 1.0)],
                )
            } else {
                (
                    vec![Data::new(&la).gauge(a.clone(), 0.0).gauge(b.clone(), 1.0)],
                    vec![
                        Data::new(&la).gauge(a.clone(), 1.0).gauge(b.clone(), 1.0),
                        // Every target down is `Down`'s page, not one warning per pod.
                        Data::new(&la).gauge(a, 0.0).gauge(b, 0.0),
                    ],
                )
            }
        }
        AlertKind::Memory | AlertKind::Cpu => {
            let (resource, unit, limit) = if rule.alert.kind == AlertKind::Memory {
                ("memory", "byte", m.memory_limit_bytes)
            } else {
                ("cpu", "core", m.cpu_limit_cores)
            };
            let pod_labels = [
                ("namespace", ns),
                ("pod", pod.as_str()),
                ("container", CONTAINER),
            ];
            let limit_series = Series::new("kube_pod_container_resource_limits", &pod_labels)
                .with("resource", resource)
                .with("unit", unit)
                .with("job", "kube-state-metrics");
            let usage = |pct: f64| {
                let data = Data::new(&pod_labels).gauge(limit_series.clone(), limit);
                if resource == "memory" {
                    let bytes = (limit * pct / 100.0).round();
                    data.gauge(
                        Series::new("container_memory_working_set_bytes", &pod_labels),
                        bytes,
                    )
                } else {
                    // CPU seconds per minute at `pct` of the limit.
                    data.counter(
                        Series::new("container_cpu_usage_seconds_total", &pod_labels),
                        limit * pct / 100.0 * 60.0,
                    )
                }
            };
            (vec![usage(above(percent))], vec![usage(percent * BELOW)])
        }
        AlertKind::HpaMaxedOut | AlertKind::HpaScalingInactive => {
            let max = m.autoscaling.as_ref().map_or(1, |b| b.max);
            let name = m.autoscaling.as_ref().map_or(job, |b| b.name.as_str());
            let hpa = [("namespace", ns), ("horizontalpodautoscaler", name)];
            let ksm = |metric: &str| Series::new(metric, &hpa).with("job", "kube-state-metrics");
            if rule.alert.kind == AlertKind::HpaMaxedOut {
                let data = |current: u32| {
                    Data::new(&hpa)
                        .gauge(
                            ksm("kube_horizontalpodautoscaler_status_current_replicas"),
                            f64::from(current),
                        )
                        .gauge(
                            ksm("kube_horizontalpodautoscaler_spec_max_replicas"),
                            f64::from(max),
                        )
                };
                (vec![data(max)], vec![data(max.saturating_sub(1))])
            } else {
                // kube-state-metrics writes one series per condition and status, 1 for the
                // status that holds.
                let data = |active: bool| {
                    let cond = |status: &str, v: bool| {
                        (
                            ksm("kube_horizontalpodautoscaler_status_condition")
                                .with("condition", "ScalingActive")
                                .with("status", status),
                            if v { 1.0 } else { 0.0 },
                        )
                    };
                    let (t, tv) = cond("true", active);
                    let (f, fv) = cond("false", !active);
                    Data::new(&hpa).gauge(t, tv).gauge(f, fv)
                };
                (vec![data(false)], vec![data(true)])
            }
        }
        AlertKind::Probe => {
            let Some(p) = m.probe.as_ref() else {
                return (Vec::new(), Vec::new());
            };
            let probe_labels = [("job", p.job.as_str()), ("instance", p.url.as_str())];
            let available = Series::new(
                "kube_deployment_status_replicas_available",
                &[("namespace", ns), ("deployment", job)],
            )
            .with("job", "kube-state-metrics");
            let data = |success: f64, ready: f64| {
                Data::new(&probe_labels)
                    .gauge(Series::new("probe_success", &probe_labels), success)
                    .gauge(available.clone(), ready)
            };
            (
                vec![data(0.0, 2.0)],
                // Answering; or no pod Ready (the server is down: `Down` says so).
                vec![data(1.0, 2.0), data(0.0, 0.0)],
            )
        }
    }
}
