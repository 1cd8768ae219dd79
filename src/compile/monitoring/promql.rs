//! PromQL expressions shared by the alert rules and the dashboard.
//!
//! This module owns how a server's series are selected (which labels scope a query to one server)
//! and the expressions built on them; alerts use a fixed `5m` window, the dashboard Grafana's
//! `$__rate_interval`. It does not decide thresholds (the model does) nor serialize anything.
//!
//! Scoping, and why:
//! - Application metrics carry the labels the Prometheus operator gives a ServiceMonitor target
//!   (`job` = the Service name = the server name, `namespace`); the plain scrape config sets the
//!   same two labels, so one rule file works for both setups.
//! - cAdvisor and kube-state-metrics series are not scraped from the server, so they are scoped by
//!   `namespace`, the agreed container name `server`, and the pod names a Deployment gives its
//!   pods (`<name>-<pod-template-hash>-<suffix>`), which excludes other Deployments whose names
//!   merely start with the server name and a dash followed by more dashes.
//! - HPA and Deployment series from kube-state-metrics are scoped by their object name, which is
//!   the server name.

use std::fmt;

use crate::model::contract::{Counter, Histogram, LabelMatch};
use crate::model::monitoring::MonitoringModel;

/// The server container's name, as the Kubernetes target writes it.
pub use crate::model::CONTAINER;

/// A label matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    name: String,
    op: &'static str,
    value: String,
}

impl Matcher {
    /// `name="value"`.
    pub fn eq(name: &str, value: &str) -> Matcher {
        Matcher {
            name: name.into(),
            op: "=",
            value: value.into(),
        }
    }
    /// `name!="value"`.
    pub fn ne(name: &str, value: &str) -> Matcher {
        Matcher {
            name: name.into(),
            op: "!=",
            value: value.into(),
        }
    }
    /// `name=~"regex"` (Prometheus anchors the regex).
    pub fn re(name: &str, regex: &str) -> Matcher {
        Matcher {
            name: name.into(),
            op: "=~",
            value: regex.into(),
        }
    }
    /// `name!~"regex"`.
    pub fn not_re(name: &str, regex: &str) -> Matcher {
        Matcher {
            name: name.into(),
            op: "!~",
            value: regex.into(),
        }
    }
    /// A matcher of the metrics contract.
    pub fn of(m: &LabelMatch) -> Matcher {
        Matcher {
            name: m.label.clone(),
            op: m.op.as_str(),
            value: m.value.clone(),
        }
    }
    /// The matchers of the metrics contract.
    pub fn all(ms: &[LabelMatch]) -> Vec<Matcher> {
        ms.iter().map(Matcher::of).collect()
    }
}

/// A vector selector: a metric name and label matchers, printed as PromQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    metric: String,
    matchers: Vec<Matcher>,
}

impl Selector {
    /// A selector with the given matchers.
    pub fn new(metric: impl Into<String>, matchers: Vec<Matcher>) -> Selector {
        Selector {
            metric: metric.into(),
            matchers,
        }
    }
    /// The same selector with one more matcher.
    pub fn with(mut self, matcher: Matcher) -> Selector {
        self.matchers.push(matcher);
        self
    }
    /// The same selector with more matchers.
    pub fn with_all(mut self, matchers: Vec<Matcher>) -> Selector {
        self.matchers.extend(matchers);
        self
    }
    /// The metric name.
    pub fn metric(&self) -> &str {
        &self.metric
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.name, self.op, quote(&self.value))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.metric)?;
        f.write_str("{")?;
        for (i, m) in self.matchers.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{m}")?;
        }
        f.write_str("}")
    }
}

/// A PromQL double-quoted string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float as PromQL and Prometheus label values print it (`0.05`, `1`, `+Inf`).
pub fn number(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

/// Selectors scoped to one server.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    m: &'a MonitoringModel,
}

impl<'a> Scope<'a> {
    /// The scope of a monitoring model.
    pub fn new(m: &'a MonitoringModel) -> Scope<'a> {
        Scope { m }
    }

    /// A metric the server exports: `{job, namespace}`.
    pub fn app(&self, metric: &str) -> Selector {
        Selector::new(
            metric,
            vec![
                Matcher::eq("job", &self.m.job),
                Matcher::eq("namespace", &self.m.namespace),
            ],
        )
    }

    /// A per-container metric (cAdvisor or kube-state-metrics) of the server container.
    pub fn container(&self, metric: &str) -> Selector {
        Selector::new(
            metric,
            vec![
                Matcher::eq("namespace", &self.m.namespace),
                Matcher::re("pod", &self.pod_regex()),
                Matcher::eq("container", CONTAINER),
            ],
        )
    }

    /// The server's namespace.
    pub fn namespace(&self) -> &'a str {
        &self.m.namespace
    }

    /// The regex matching the names of the Deployment's pods.
    pub fn pod_regex(&self) -> String {
        format!("{}-[a-z0-9]+-[a-z0-9]+", regex_escape(&self.m.job))
    }

    /// A kube-state-metrics HPA metric of the server's HPA (KEDA's when KEDA owns it).
    pub fn hpa(&self, metric: &str) -> Selector {
        let name = self
            .m
            .autoscaling
            .as_ref()
            .map_or(self.m.job.as_str(), |h| h.name.as_str());
        Selector::new(
            metric,
            vec![
                Matcher::eq("namespace", &self.m.namespace),
                Matcher::eq("horizontalpodautoscaler", name),
            ],
        )
    }

    /// A kube-state-metrics Deployment metric of the server's Deployment.
    pub fn deployment(&self, metric: &'static str) -> Selector {
        if self.m.rollout {
            // The Rollout's ReplicaSets: `<name>-<pod-template-hash>` (the hash has no `-`,
            // so another workload named `<name>-x` does not match).
            return Selector::new(
                crate::model::monitoring::workload_series(metric, true),
                vec![
                    Matcher::eq("namespace", &self.m.namespace),
                    Matcher::re(
                        "replicaset",
                        &format!("{}-[a-z0-9]+", regex_escape(&self.m.job)),
                    ),
                ],
            );
        }
        Selector::new(
            metric,
            vec![
                Matcher::eq("namespace", &self.m.namespace),
                Matcher::eq("deployment", &self.m.job),
            ],
        )
    }

    /// The workload's replica count from a kube-state-metrics series (see [`Self::deployment`]):
    /// the Deployment's one series (`max` drops the copies of a highly available
    /// kube-state-metrics), or the sum over a Rollout's ReplicaSets (each deduplicated the same
    /// way), which counts the old and the new version's pods.
    pub fn replicas(&self, metric: &'static str) -> String {
        let sel = self.deployment(metric);
        if self.m.rollout {
            aggregate("sum", &max_by(&sel, &["replicaset"]), &[])
        } else {
            max_by(&sel, &[])
        }
    }

    /// A counted series of the contract: its sample, scoped to the server and to its use.
    pub fn counted(&self, c: &Counter) -> Selector {
        self.app(&c.sample).with_all(Matcher::all(&c.scope))
    }

    /// The request series (the contract has one wherever this is called).
    pub fn requests(&self) -> Option<(Selector, &'a Counter)> {
        self.m
            .contract
            .requests
            .as_ref()
            .map(|c| (self.counted(c), c))
    }

    /// The tool series.
    pub fn tools(&self) -> Option<(Selector, &'a Counter)> {
        self.m.contract.tools.as_ref().map(|c| (self.counted(c), c))
    }

    /// The "session not found" series.
    pub fn session_not_found(&self) -> Option<(Selector, &'a Counter)> {
        self.m
            .contract
            .session_not_found
            .as_ref()
            .map(|c| (self.counted(c), c))
    }

    /// A histogram's buckets, scoped.
    pub fn buckets(&self, h: &Histogram) -> Selector {
        self.app(&h.bucket).with_all(Matcher::all(&h.scope))
    }

    /// The latency histogram.
    pub fn latency(&self) -> Option<&'a Histogram> {
        self.m.contract.latency.as_ref()
    }

    /// The active connections gauge.
    pub fn active_connections(&self) -> Option<Selector> {
        self.m
            .contract
            .active_connections
            .as_ref()
            .map(|a| self.app(a))
    }

    /// The `up` series of the scrape targets.
    pub fn up(&self) -> Selector {
        self.app("up")
    }
}

/// Escapes RE2 metacharacters.
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `sum by (<by>) (rate(<sel>[<window>]))`, or `sum(…)` without grouping labels.
pub fn sum_rate(sel: &Selector, window: &str, by: &[&str]) -> String {
    aggregate("sum", &format!("rate({sel}[{window}])"), by)
}

/// `<op> by (<by>) (<inner>)`, or `<op>(<inner>)` without grouping labels.
pub fn aggregate(op: &str, inner: &str, by: &[&str]) -> String {
    if by.is_empty() {
        format!("{op}({inner})")
    } else {
        format!("{op} by ({}) ({inner})", by.join(", "))
    }
}

/// The share of a counter's rate that matches `part` (`part / whole`), on one line.
pub fn share(whole: &Selector, part: &[LabelMatch], window: &str, by: &[&str]) -> String {
    share_sep(whole, part, window, by, " / ")
}

/// [`share`] with the division operator on a line of its own, for rule files.
pub fn share_lines(whole: &Selector, part: &[LabelMatch], window: &str, by: &[&str]) -> String {
    share_sep(whole, part, window, by, "\n/\n")
}

fn share_sep(
    whole: &Selector,
    part: &[LabelMatch],
    window: &str,
    by: &[&str],
    sep: &str,
) -> String {
    let part_sel = whole.clone().with_all(Matcher::all(part));
    format!(
        "{}{sep}{}",
        sum_rate(&part_sel, window, by),
        sum_rate(whole, window, by)
    )
}

/// A quantile of a histogram of the server.
pub fn quantile_of(scope: &Scope<'_>, h: &Histogram, q: f64, window: &str, by: &[&str]) -> String {
    let mut by_le: Vec<&str> = by.to_vec();
    by_le.push("le");
    format!(
        "histogram_quantile({}, {})",
        number(q),
        sum_rate(&scope.buckets(h), window, &by_le)
    )
}

/// `max by (<by>) (<sel>)`, or `max(<sel>)` without grouping labels.
pub fn max_by(sel: &Selector, by: &[&str]) -> String {
    aggregate("max", &sel.to_string(), by)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_quote_values() {
        let s = Selector::new("m", vec![Matcher::eq("a", "x\"y"), Matcher::re("b", "1.+")]);
        assert_eq!(s.to_string(), r#"m{a="x\"y",b=~"1.+"}"#);
    }

    #[test]
    fn numbers_print_shortest() {
        assert_eq!(number(5.0 / 100.0), "0.05");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(f64::INFINITY), "+Inf");
    }
}
