//! The metrics contract: which series the server must expose, with which labels and values,
//! and what reads each of them.
//!
//! [`lower`] turns the resolved `monitoring.metrics` section (convention, names, labels) into
//! typed selections: how requests, tool executions and "session not found" answers are
//! counted (a sample name, the matchers that scope it, and the matchers of a failed and a
//! successful outcome), which histogram holds latency, and the per-pod request rate the
//! autoscaler reads. Every output reads these selections, never a metric or label name of its
//! own: the alerts, recording rules and dashboard (`crate::compile::monitoring`), the HPA and
//! KEDA (`crate::compile::k8s`), the prometheus-adapter rule, and `metrics-contract.yaml`,
//! which is this structure written out for the team that owns the server.
//!
//! After the monitoring model is lowered, [`MetricsContract::series`] lists each series with
//! its consumers (alerts, recording rules, panels, the HPA), and
//! [`MetricsContract::platform`] the series the outputs read from Prometheus itself,
//! cAdvisor, kube-state-metrics and the blackbox exporter. [`MetricsContract::provides`] answers
//! whether a sample name an expression uses is served by either: the question the
//! cross-artifact consistency stage asks of every generated expression.
//!
//! Shapes follow from the names, not from the convention: a counted series that is also the
//! latency histogram (OpenTelemetry's `mcp_server_operation_duration_seconds`) is counted
//! through its `_count` sample, and when requests and tool executions share one series the
//! tool executions are the `tools/call` operations and tool errors are excluded from request
//! errors.

use crate::model::monitoring::PromDuration;
use crate::resolve;
use crate::spec::{AutoscalingController, MetricsConvention};

/// The MCP method of a tool call (`mcp.method.name`).
pub const TOOLS_CALL: &str = "tools/call";
/// MCP methods whose response stream stays open for as long as the client listens: their
/// duration says nothing about latency (2026-07-28's `subscriptions/listen`).
pub const LONG_LIVED_METHODS: &[&str] = &["subscriptions/listen"];
/// The status-code label of OpenTelemetry's HTTP server histogram.
pub const HTTP_STATUS_LABEL: &str = "http_response_status_code";
/// Shortest rate window of the autoscaler's request rate, in minutes.
pub const MIN_HPA_WINDOW_MINUTES: u64 = 2;

/// A label matcher operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    Re,
    /// `!~`
    NotRe,
}

impl MatchOp {
    /// The PromQL operator.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        }
    }
}

/// A label matcher of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    /// Label name.
    pub label: String,
    /// Operator.
    pub op: MatchOp,
    /// Value or RE2 pattern.
    pub value: String,
}

/// Whether a pattern is a plain value: no RE2 metacharacter, so `=` says the same as `=~`.
fn plain(pattern: &str) -> bool {
    !pattern.chars().any(|c| "\\.+*?()|[]{}^$".contains(c))
}

impl LabelMatch {
    /// A value that must match `pattern` (`=` for a plain value, `=~` otherwise).
    pub fn pattern(label: &str, pattern: &str) -> LabelMatch {
        LabelMatch {
            label: label.into(),
            op: if plain(pattern) {
                MatchOp::Eq
            } else {
                MatchOp::Re
            },
            value: pattern.into(),
        }
    }

    /// A value that must not match `pattern`.
    pub fn not_pattern(label: &str, pattern: &str) -> LabelMatch {
        LabelMatch {
            label: label.into(),
            op: if plain(pattern) {
                MatchOp::Ne
            } else {
                MatchOp::NotRe
            },
            value: pattern.into(),
        }
    }

    /// Whether a label value satisfies the matcher (an absent label is the empty value, as in
    /// Prometheus). An invalid pattern matches nothing (preflight refuses it first).
    pub fn accepts(&self, value: &str) -> bool {
        let matched = match self.op {
            MatchOp::Eq | MatchOp::Ne => value == self.value,
            MatchOp::Re | MatchOp::NotRe => {
                regex::Regex::new(&format!("^(?:{})$", self.value)).is_ok_and(|r| r.is_match(value))
            }
        };
        matches!(self.op, MatchOp::Eq | MatchOp::Re) == matched
    }
}

/// A series counted with `rate()`, and how its outcome is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// The series family as the server exposes it.
    pub family: String,
    /// The sample name queried: the family, or its `_count` when the family is a histogram.
    pub sample: String,
    /// Matchers that select this use of the family (the `tools/call` operations).
    pub scope: Vec<LabelMatch>,
    /// Matchers of a failed outcome.
    pub failed: Vec<LabelMatch>,
    /// Matchers of a successful outcome.
    pub succeeded: Vec<LabelMatch>,
    /// The label holding the outcome.
    pub outcome_label: String,
    /// The label to break the rate down by (the tool), when there is one.
    pub breakdown: Option<String>,
}

/// A latency histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    /// The family.
    pub family: String,
    /// Its `_bucket` sample.
    pub bucket: String,
    /// Its `_count` sample.
    pub count: String,
    /// Matchers that leave out what is not latency (long-lived streams).
    pub scope: Vec<LabelMatch>,
}

/// Who serves the autoscaler's custom metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricServer {
    /// prometheus-adapter, from the rule mcpgen writes.
    PrometheusAdapter,
    /// KEDA's Prometheus scaler, querying this server.
    Keda {
        /// Prometheus base URL.
        address: String,
    },
}

/// The per-pod request rate the autoscaler scales on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HpaMetric {
    /// Custom metric name the HPA asks for (prometheus-adapter's `name.as`).
    pub name: String,
    /// The sample it is computed from.
    pub sample: String,
    /// Matchers scoping the sample to requests.
    pub scope: Vec<LabelMatch>,
    /// `rate()` window.
    pub window: PromDuration,
    /// Who serves it.
    pub served_by: MetricServer,
}

/// Kinds of series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    /// Monotonic counter.
    Counter,
    /// Gauge.
    Gauge,
    /// Histogram (`_bucket`, `_count`, `_sum`).
    Histogram,
}

/// Who provides a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The MCP server (this contract).
    Server,
    /// Prometheus itself (`up`).
    Prometheus,
    /// cAdvisor, through the kubelet.
    Cadvisor,
    /// kube-state-metrics.
    KubeStateMetrics,
    /// The blackbox exporter, through the MCP probe.
    BlackboxExporter,
}

/// One label of a contract series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractLabel {
    /// Label name.
    pub name: String,
    /// What it carries.
    pub meaning: String,
    /// The values the outputs match, as matchers (`=~"5.."`), when they match values.
    pub matched: Vec<String>,
}

/// What reads a series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Consumer {
    /// An alerting rule.
    Alert(String),
    /// A recording rule.
    Record(String),
    /// A dashboard panel (its title).
    Panel(String),
    /// The HPA's custom metric (its name).
    Hpa(String),
}

/// One series of the contract, with its readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSeries {
    /// Family name as exposed.
    pub name: String,
    /// Kind.
    pub kind: MetricType,
    /// Sample names the outputs query (a histogram's `_bucket`, `_count`).
    pub samples: Vec<String>,
    /// Labels the outputs read.
    pub labels: Vec<ContractLabel>,
    /// What reads it.
    pub consumers: Vec<Consumer>,
}

/// A series the outputs read that the server does not provide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSeries {
    /// Sample name.
    pub name: String,
    /// Who provides it.
    pub source: Source,
    /// What reads it.
    pub consumers: Vec<Consumer>,
}

/// The roles a series plays for the outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Request counting.
    Requests,
    /// Latency.
    Latency,
    /// Tool executions.
    Tools,
    /// "Session not found" answers.
    SessionNotFound,
    /// Open connections.
    ActiveConnections,
    /// Session durations.
    Sessions,
}

/// The metrics contract of one server.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsContract {
    /// The convention it follows.
    pub convention: MetricsConvention,
    /// Requests, when the contract has a request series.
    pub requests: Option<Counter>,
    /// Latency, when it has a duration histogram.
    pub latency: Option<Histogram>,
    /// Tool executions, when it has a tool series.
    pub tools: Option<Counter>,
    /// "Session not found" answers of a stateful server.
    pub session_not_found: Option<Counter>,
    /// Open connections gauge.
    pub active_connections: Option<String>,
    /// Session duration histogram of a stateful server.
    pub sessions: Option<Histogram>,
    /// The MCP method label, for breakdowns by method.
    pub operation: Option<String>,
    /// The autoscaler's custom metric.
    pub hpa_metric: Option<HpaMetric>,
    /// The series the server must expose, with their readers (filled in by the Model once the
    /// alerts and panels are known).
    pub series: Vec<ContractSeries>,
    /// Series read from elsewhere, with their readers.
    pub platform: Vec<PlatformSeries>,
}

impl MetricsContract {
    /// Who provides a sample an expression reads: the server (any sample of a contract
    /// family, including a histogram's `_bucket`, `_count` and `_sum`), or a platform source.
    pub fn source_of(&self, sample: &str) -> Option<Source> {
        let server = self.series.iter().any(|s| {
            s.name == sample
                || (s.kind == MetricType::Histogram
                    && ["_bucket", "_count", "_sum"]
                        .iter()
                        .any(|x| sample.strip_suffix(x) == Some(s.name.as_str())))
        });
        if server {
            return Some(Source::Server);
        }
        self.platform
            .iter()
            .find(|p| p.name == sample)
            .map(|p| p.source)
    }

    /// Whether the server or a platform source provides a sample.
    pub fn provides(&self, sample: &str) -> bool {
        self.source_of(sample).is_some()
    }

    /// The sample names a role is read through.
    pub fn samples(&self, role: Role) -> Vec<String> {
        match role {
            Role::Requests => self.requests.iter().map(|c| c.sample.clone()).collect(),
            Role::Tools => self.tools.iter().map(|c| c.sample.clone()).collect(),
            Role::SessionNotFound => self
                .session_not_found
                .iter()
                .map(|c| c.sample.clone())
                .collect(),
            Role::Latency => self.latency.iter().map(|h| h.bucket.clone()).collect(),
            Role::Sessions => self
                .sessions
                .iter()
                .flat_map(|h| [h.bucket.clone(), h.count.clone()])
                .collect(),
            Role::ActiveConnections => self.active_connections.iter().cloned().collect(),
        }
    }

    /// Whether the contract has what a role needs.
    pub fn has(&self, role: Role) -> bool {
        !self.samples(role).is_empty()
    }

    /// Record that `consumer` reads `role`'s series.
    pub(crate) fn consumed(&mut self, role: Role, consumer: Consumer) {
        let family = match role {
            Role::Requests => self.requests.as_ref().map(|c| c.family.clone()),
            Role::Tools => self.tools.as_ref().map(|c| c.family.clone()),
            Role::SessionNotFound => self.session_not_found.as_ref().map(|c| c.family.clone()),
            Role::Latency => self.latency.as_ref().map(|h| h.family.clone()),
            Role::Sessions => self.sessions.as_ref().map(|h| h.family.clone()),
            Role::ActiveConnections => self.active_connections.clone(),
        };
        if let Some(f) = family
            && let Some(s) = self.series.iter_mut().find(|s| s.name == f)
            && !s.consumers.contains(&consumer)
        {
            s.consumers.push(consumer);
        }
    }

    /// Record that `consumer` reads a platform sample.
    pub(crate) fn consumed_platform(&mut self, name: &str, source: Source, consumer: Consumer) {
        match self.platform.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                if !p.consumers.contains(&consumer) {
                    p.consumers.push(consumer);
                }
            }
            None => self.platform.push(PlatformSeries {
                name: name.to_string(),
                source,
                consumers: vec![consumer],
            }),
        }
    }

    /// Sort consumers and platform series so the written contract is stable.
    pub(crate) fn finish(&mut self) {
        for s in &mut self.series {
            s.consumers.sort();
        }
        for p in &mut self.platform {
            p.consumers.sort();
        }
        self.platform
            .sort_by(|a, b| (a.source, &a.name).cmp(&(b.source, &b.name)));
    }
}

/// What the autoscaler needs from the contract.
pub(crate) struct Autoscaler<'a> {
    pub controller: AutoscalingController,
    pub prometheus_address: Option<&'a str>,
}

/// The contract of a resolved `monitoring.metrics` section, without consumers.
pub(crate) fn lower(
    metrics: &resolve::Metrics,
    stateful: bool,
    autoscaler: Option<Autoscaler<'_>>,
) -> MetricsContract {
    let names = &metrics.names;
    let labels = &metrics.labels;
    let histogram = names.duration.as_deref();
    // A counted family that is the latency histogram is counted through its `_count`.
    let sample_of = |family: &str| {
        if Some(family) == histogram {
            format!("{family}_count")
        } else {
            family.to_string()
        }
    };
    let shared = names.requests.is_some() && names.requests == names.tool_executions;
    let tool_scope: Vec<LabelMatch> = match (&labels.operation, shared) {
        (Some(op), true) => vec![LabelMatch::pattern(op, TOOLS_CALL)],
        _ => Vec::new(),
    };

    let requests = names.requests.as_ref().map(|family| {
        let mut failed = vec![LabelMatch::pattern(&labels.status, &labels.error)];
        // One series for requests and tools with one outcome label: a tool error is a tool's
        // answer, not a failed request.
        if shared && labels.status == labels.tool_status {
            failed.push(LabelMatch::not_pattern(&labels.status, &labels.tool_error));
        }
        Counter {
            family: family.clone(),
            sample: sample_of(family),
            scope: Vec::new(),
            failed,
            succeeded: vec![LabelMatch::pattern(&labels.status, &labels.success)],
            outcome_label: labels.status.clone(),
            breakdown: labels.operation.clone(),
        }
    });
    let tools = names.tool_executions.as_ref().map(|family| Counter {
        family: family.clone(),
        sample: sample_of(family),
        scope: tool_scope.clone(),
        failed: vec![LabelMatch::pattern(&labels.tool_status, &labels.tool_error)],
        succeeded: vec![LabelMatch::not_pattern(
            &labels.tool_status,
            &labels.tool_error,
        )],
        outcome_label: labels.tool_status.clone(),
        breakdown: Some(labels.tool.clone()),
    });
    let latency = histogram.map(|family| Histogram {
        family: family.to_string(),
        bucket: format!("{family}_bucket"),
        count: format!("{family}_count"),
        scope: labels
            .operation
            .iter()
            .flat_map(|op| {
                LONG_LIVED_METHODS
                    .iter()
                    .map(|m| LabelMatch::not_pattern(op, m))
            })
            .collect(),
    });
    // "Session not found" is an HTTP answer given before any MCP operation: read from the
    // HTTP series when the contract has one (OpenTelemetry's), else from the request series.
    let session_not_found = stateful
        .then(|| match (&names.http_requests, &names.requests) {
            (Some(http), _) => Some(Counter {
                family: http.clone(),
                sample: format!("{http}_count"),
                scope: Vec::new(),
                failed: vec![LabelMatch::pattern(
                    HTTP_STATUS_LABEL,
                    &labels.session_not_found,
                )],
                succeeded: Vec::new(),
                outcome_label: HTTP_STATUS_LABEL.to_string(),
                breakdown: None,
            }),
            (None, Some(family)) => Some(Counter {
                family: family.clone(),
                sample: sample_of(family),
                scope: Vec::new(),
                failed: vec![LabelMatch::pattern(
                    &labels.status,
                    &labels.session_not_found,
                )],
                succeeded: Vec::new(),
                outcome_label: labels.status.clone(),
                breakdown: None,
            }),
            (None, None) => None,
        })
        .flatten();
    let sessions = names
        .sessions
        .as_ref()
        .filter(|_| stateful)
        .map(|family| Histogram {
            family: family.clone(),
            bucket: format!("{family}_bucket"),
            count: format!("{family}_count"),
            scope: Vec::new(),
        });

    let window_minutes = metrics
        .interval
        .millis()
        .unwrap_or(0)
        .saturating_mul(4)
        .div_ceil(60_000)
        .max(MIN_HPA_WINDOW_MINUTES);
    let hpa_metric = autoscaler.and_then(|a| {
        let r = requests.as_ref()?;
        let stem = r
            .sample
            .strip_suffix("_total")
            .or_else(|| {
                r.sample
                    .strip_suffix("_count")
                    .map(|s| s.strip_suffix("_duration_seconds").unwrap_or(s))
            })
            .unwrap_or(&r.sample);
        Some(HpaMetric {
            name: format!("{stem}_per_second"),
            sample: r.sample.clone(),
            scope: r.scope.clone(),
            window: PromDuration::minutes(window_minutes),
            served_by: match (a.controller, a.prometheus_address) {
                (AutoscalingController::Keda, Some(address)) => MetricServer::Keda {
                    address: address.to_string(),
                },
                _ => MetricServer::PrometheusAdapter,
            },
        })
    });

    let mut contract = MetricsContract {
        convention: metrics.convention,
        requests,
        latency,
        tools,
        session_not_found,
        active_connections: names.active_connections.clone(),
        sessions,
        operation: labels.operation.clone(),
        hpa_metric,
        series: Vec::new(),
        platform: Vec::new(),
    };
    contract.series = written_series(&contract);
    contract
}

fn shown(m: &LabelMatch) -> String {
    format!("{}{:?}", m.op.as_str(), m.value)
}

/// The series of the contract as the server team reads them: one entry per family, the
/// labels every reader uses merged.
fn written_series(c: &MetricsContract) -> Vec<ContractSeries> {
    let mut out: Vec<ContractSeries> = Vec::new();
    let mut add =
        |name: &str, kind: MetricType, samples: Vec<String>, labels: Vec<ContractLabel>| match out
            .iter_mut()
            .find(|s| s.name == name)
        {
            Some(s) => {
                if kind == MetricType::Histogram {
                    s.kind = kind;
                }
                for x in samples {
                    if !s.samples.contains(&x) {
                        s.samples.push(x);
                    }
                }
                for l in labels {
                    match s.labels.iter_mut().find(|k| k.name == l.name) {
                        Some(k) => {
                            for v in l.matched {
                                if !k.matched.contains(&v) {
                                    k.matched.push(v);
                                }
                            }
                        }
                        None => s.labels.push(l),
                    }
                }
            }
            None => out.push(ContractSeries {
                name: name.to_string(),
                kind,
                samples,
                labels,
                consumers: Vec::new(),
            }),
        };
    let counter_labels = |k: &Counter, meaning: &str| {
        let mut labels: Vec<ContractLabel> = Vec::new();
        let mut put = |name: &str, meaning: String, m: Option<&LabelMatch>| match labels
            .iter_mut()
            .find(|l| l.name == name)
        {
            Some(l) => {
                if let Some(m) = m
                    && !l.matched.contains(&shown(m))
                {
                    l.matched.push(shown(m));
                }
            }
            None => labels.push(ContractLabel {
                name: name.to_string(),
                meaning,
                matched: m.map(shown).into_iter().collect(),
            }),
        };
        for m in k.scope.iter() {
            put(&m.label, "selects the operation".to_string(), Some(m));
        }
        for m in k.failed.iter().chain(&k.succeeded) {
            put(&m.label, format!("outcome of {meaning}"), Some(m));
        }
        if let Some(b) = &k.breakdown {
            put(
                b,
                "breakdown (one value per tool or method)".to_string(),
                None,
            );
        }
        labels
    };
    let is_hist = |family: &str| c.latency.as_ref().is_some_and(|h| h.family == family);
    let kind_of = |family: &str| {
        if is_hist(family) {
            MetricType::Histogram
        } else {
            MetricType::Counter
        }
    };
    if let Some(r) = &c.requests {
        add(
            &r.family,
            kind_of(&r.family),
            vec![r.sample.clone()],
            counter_labels(r, "a request"),
        );
    }
    if let Some(h) = &c.latency {
        let labels = h
            .scope
            .iter()
            .map(|m| ContractLabel {
                name: m.label.clone(),
                meaning: "long-lived streams left out of latency".to_string(),
                matched: vec![shown(m)],
            })
            .chain(std::iter::once(ContractLabel {
                name: "le".to_string(),
                meaning: "bucket upper bound (seconds)".to_string(),
                matched: Vec::new(),
            }))
            .collect();
        add(
            &h.family,
            MetricType::Histogram,
            vec![h.bucket.clone()],
            labels,
        );
    }
    if let Some(t) = &c.tools {
        add(
            &t.family,
            kind_of(&t.family),
            vec![t.sample.clone()],
            counter_labels(t, "a tool execution"),
        );
    }
    if let Some(s) = &c.session_not_found {
        let kind = if s.sample.ends_with("_count") && s.sample != s.family {
            MetricType::Histogram
        } else {
            kind_of(&s.family)
        };
        add(
            &s.family,
            kind,
            vec![s.sample.clone()],
            counter_labels(s, "an HTTP answer"),
        );
    }
    if let Some(a) = &c.active_connections {
        add(a, MetricType::Gauge, vec![a.clone()], Vec::new());
    }
    if let Some(h) = &c.sessions {
        add(
            &h.family,
            MetricType::Histogram,
            vec![h.bucket.clone(), h.count.clone()],
            vec![ContractLabel {
                name: "le".to_string(),
                meaning: "bucket upper bound (seconds)".to_string(),
                matched: Vec::new(),
            }],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_use_equality() {
        assert_eq!(LabelMatch::pattern("s", "404").op, MatchOp::Eq);
        assert_eq!(LabelMatch::pattern("s", "5..").op, MatchOp::Re);
        assert_eq!(LabelMatch::pattern("s", "").op, MatchOp::Eq);
        assert_eq!(LabelMatch::not_pattern("s", "tool_error").op, MatchOp::Ne);
    }

    #[test]
    fn matchers_accept_what_prometheus_would() {
        assert!(LabelMatch::pattern("s", "5..").accepts("503"));
        assert!(!LabelMatch::pattern("s", "5..").accepts("5030"));
        assert!(LabelMatch::pattern("s", ".+").accepts("-32603"));
        assert!(!LabelMatch::pattern("s", ".+").accepts(""));
        assert!(LabelMatch::pattern("s", "").accepts(""));
        assert!(!LabelMatch::not_pattern("s", "tool_error").accepts("tool_error"));
        assert!(LabelMatch::not_pattern("s", "tool_error").accepts(""));
    }
}
