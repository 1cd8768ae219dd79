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

use crate::model::monitoring::{AlertKind, MonitoringModel, PromDuration, Threshold};

use super::alerts::AlertRule;
use super::promql::{CONTAINER, STATUS_SESSION_NOT_FOUND, TOOL_STATUS_ERROR, number};

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

    let (above, below) = scenarios(m, rule);
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
    groups.push(TestGroup {
        interval: STEP.to_string(),
        input_series: below.input(samples),
        alert_rule_test: vec![case(fire_at, Vec::new())],
    });
    groups
}

/// Firing data (zero, one or more scenarios) and "just below" data for a rule.
fn scenarios(m: &MonitoringModel, rule: &AlertRule) -> (Vec<Data>, Data) {
    let job = m.job.as_str();
    let ns = m.namespace.as_str();
    let app = [("job", job), ("namespace", ns)];
    let pod = format!("{job}{TEST_POD_SUFFIX}");
    let percent = match rule.alert.threshold {
        Threshold::Percent(p) => p,
        _ => 0.0,
    };

    // A share of traffic: `bad` requests out of TRAFFIC_PER_MINUTE, the rest `good`.
    let share =
        |metric: &str, bad: (&str, &str), good: (&str, &str), extra: &[(&str, &str)], pct: f64| {
            let bad_n = if pct >= percent {
                (pct / 100.0 * TRAFFIC_PER_MINUTE).ceil()
            } else {
                (pct / 100.0 * TRAFFIC_PER_MINUTE).floor()
            }
            .min(TRAFFIC_PER_MINUTE);
            let base = Series::new(metric, &app);
            let mut bad_s = base.clone().with(bad.0, bad.1);
            let mut good_s = base.with(good.0, good.1);
            for (k, v) in extra {
                bad_s = bad_s.with(k, v);
                good_s = good_s.with(k, v);
            }
            (
                Data::new(&app)
                    .counter(bad_s, bad_n)
                    .counter(good_s, TRAFFIC_PER_MINUTE - bad_n),
                bad_n / TRAFFIC_PER_MINUTE * 100.0,
            )
        };
    // Firing share: 20% above the threshold, or halfway to 100% when that would exceed it; none
    // when even 100% does not cross the threshold.
    let share_pair =
        |metric: &str, bad: (&str, &str), good: (&str, &str), extra: &[(&str, &str)]| {
            let fire_pct = if above(percent) < 100.0 {
                above(percent)
            } else {
                (percent + 100.0) / 2.0
            };
            let (fire, actual) = share(metric, bad, good, extra, fire_pct);
            let (below, _) = share(metric, bad, good, extra, percent * BELOW);
            let fire = (actual > percent).then_some(fire);
            (fire.into_iter().collect::<Vec<_>>(), below)
        };

    match rule.alert.kind {
        AlertKind::ErrorRate => share_pair(
            &m.names.requests,
            ("status", "500"),
            ("status", "200"),
            &[("method", "POST"), ("endpoint", "/mcp")],
        ),
        AlertKind::SessionNotFound => share_pair(
            &m.names.requests,
            ("status", STATUS_SESSION_NOT_FOUND),
            ("status", "200"),
            &[("method", "POST"), ("endpoint", "/mcp")],
        ),
        AlertKind::ToolErrors => share_pair(
            &m.names.tool_executions,
            ("status", TOOL_STATUS_ERROR),
            ("status", "success"),
            &[("tool_name", "search")],
        ),
        AlertKind::LatencyP95 => {
            let t = match rule.alert.threshold {
                Threshold::Seconds(s) => s,
                _ => 1.0,
            };
            let bucket = |le: f64| {
                Series::new(&format!("{}_bucket", m.names.duration), &app).with("le", &number(le))
            };
            // Buckets (0,t], (t,2t]: all traffic in the upper one puts p95 at 1.95t; all in
            // the lower one puts it at 0.95t (linear interpolation inside the bucket).
            let fire = Data::new(&app)
                .counter(bucket(t), 0.0)
                .counter(bucket(2.0 * t), 60.0)
                .counter(bucket(f64::INFINITY), 60.0);
            let below = Data::new(&app)
                .counter(bucket(t), 60.0)
                .counter(bucket(2.0 * t), 60.0)
                .counter(bucket(f64::INFINITY), 60.0);
            (vec![fire], below)
        }
        AlertKind::Down => {
            let target = [
                ("job", job),
                ("namespace", ns),
                ("instance", "10.0.0.10:8080"),
                ("pod", pod.as_str()),
                ("service", job),
            ];
            let up = Series::new("up", &target);
            (
                vec![
                    Data::new(&target).gauge(up.clone(), 0.0),
                    // No target at all: only the equality matchers of absent() survive.
                    Data::new(&app),
                ],
                Data::new(&target).gauge(up, 1.0),
            )
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
            (vec![usage(above(percent))], usage(percent * BELOW))
        }
        AlertKind::HpaMaxedOut => {
            let max = m.autoscaling.map_or(1, |b| b.max);
            let hpa = [("namespace", ns), ("horizontalpodautoscaler", job)];
            let data = |current: u32| {
                Data::new(&hpa)
                    .gauge(
                        Series::new("kube_horizontalpodautoscaler_status_current_replicas", &hpa)
                            .with("job", "kube-state-metrics"),
                        f64::from(current),
                    )
                    .gauge(
                        Series::new("kube_horizontalpodautoscaler_spec_max_replicas", &hpa)
                            .with("job", "kube-state-metrics"),
                        f64::from(max),
                    )
            };
            (vec![data(max)], data(max.saturating_sub(1)))
        }
    }
}
