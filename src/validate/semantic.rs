//! Cross-field checks the JSON Schema cannot express: bounds that must be ordered, requests
//! that must fit their limits, durations the target systems cap, names defined twice.
//!
//! Each check reads the typed spec and labels the values involved through the Document, so an
//! error caused by an environment overlay points at the overlay.

use crate::diagnostics::{Diagnostic, codes};
use crate::spec::{Document, ResourceList, SpecFile};

/// Run every semantic check on one resolved variant.
pub fn check(doc: &Document, env: Option<&str>, file: &SpecFile) -> Vec<Diagnostic> {
    let mut c = Checker {
        doc,
        env,
        out: Vec::new(),
    };
    let s = &file.spec;

    if let Some(a) = &s.autoscaling {
        if let Some(min) = a.min_replicas
            && min > a.max_replicas
        {
            c.pair(
                &codes::REPLICA_BOUNDS,
                format!(
                    "autoscaling.minReplicas ({min}) is greater than maxReplicas ({})",
                    a.max_replicas
                ),
                "/spec/autoscaling/minReplicas",
                "minimum here",
                "/spec/autoscaling/maxReplicas",
                "maximum here",
            );
        }
        for (dir, b) in [("scaleUp", &a.scale_up), ("scaleDown", &a.scale_down)] {
            let Some(b) = b else { continue };
            if let Some(w) = &b.stabilization_window
                && w.seconds().is_none_or(|sec| sec > 3600)
            {
                c.one(
                    &codes::DURATION_BOUNDS,
                    format!(
                        "autoscaling.{dir}.stabilizationWindow is {w}; Kubernetes allows at most 1h"
                    ),
                    &format!("/spec/autoscaling/{dir}/stabilizationWindow"),
                    "at most 1h",
                );
            }
            if let Some(p) = &b.period
                && p.seconds().is_none_or(|sec| !(1..=1800).contains(&sec))
            {
                c.one(
                    &codes::DURATION_BOUNDS,
                    format!("autoscaling.{dir}.period is {p}; Kubernetes allows 1s to 30m"),
                    &format!("/spec/autoscaling/{dir}/period"),
                    "between 1s and 30m",
                );
            }
        }
    }

    if let Some(r) = &s.resources {
        c.requests_within_limits(r.requests.as_ref(), r.limits.as_ref(), "/spec/resources");
    }
    if let Some(q) = &s.quota {
        if let Some(d) = &q.container_defaults {
            c.requests_within_limits(
                d.requests.as_ref(),
                d.limits.as_ref(),
                "/spec/quota/containerDefaults",
            );
        }
        c.min_within_max(
            q.container_min.as_ref(),
            q.container_max.as_ref(),
            "/spec/quota/containerMin",
            "/spec/quota/containerMax",
        );
        c.requests_within_limits(q.requests.as_ref(), q.limits.as_ref(), "/spec/quota");
    }
    if let Some(v) = &s.vertical_scaling {
        c.min_within_max(
            v.min_allowed.as_ref(),
            v.max_allowed.as_ref(),
            "/spec/verticalScaling/minAllowed",
            "/spec/verticalScaling/maxAllowed",
        );
    }

    for name in s.env.keys() {
        if s.secrets.contains_key(name) {
            c.pair(
                &codes::DUPLICATE_ENV,
                format!("`{name}` is set in both env and secrets"),
                &format!("/spec/env/{name}"),
                "plain value",
                &format!("/spec/secrets/{name}"),
                "secret reference",
            );
        }
    }

    if let Some(m) = &s.mcp {
        if let Some(list) = &m.allowed_hosts {
            c.duplicates(list.iter().map(|h| h.as_str()), "/spec/mcp/allowedHosts");
        }
        if let Some(list) = &m.allowed_origins {
            c.duplicates(list.iter().map(String::as_str), "/spec/mcp/allowedOrigins");
        }
        if let Some(list) = &m.protocol_versions {
            c.duplicates(
                list.iter().map(|v| v.as_str()),
                "/spec/mcp/protocolVersions",
            );
        }
    }

    if let Some(n) = &s.network {
        for (list, items) in [("allowFrom", &n.allow_from), ("allowTo", &n.allow_to)] {
            for (i, p) in items.iter().enumerate() {
                if p.namespace.is_some() == p.cidr.is_some() {
                    c.one(
                        &codes::PEER_SHAPE,
                        format!(
                            "network.{list}[{i}] must name exactly one of `namespace` and `cidr`"
                        ),
                        &format!("/spec/network/{list}/{i}"),
                        if p.namespace.is_some() {
                            "both given"
                        } else {
                            "neither given"
                        },
                    );
                }
            }
        }
    }

    if let Some(e) = &s.expose {
        exposure(&mut c, e, s.mcp.as_ref().and_then(|m| m.auth.as_ref()));
    }

    representable(&mut c, s);

    c.out
}

/// A route is a Gateway API route or an Ingress, never both; edge auth needs a provider that
/// validates tokens and a key set to validate them with; the edge timeout must be one a
/// controller accepts.
fn exposure(c: &mut Checker<'_>, e: &crate::spec::Expose, auth: Option<&crate::spec::Auth>) {
    let Some(g) = &e.gateway else {
        check_timeout(c, e);
        return;
    };
    for (field, set) in [
        ("ingressClass", e.ingress_class.is_some()),
        ("ingressController", e.ingress_controller.is_some()),
    ] {
        if set {
            c.pair(
                &codes::CONFLICTING_EXPOSURE,
                format!(
                    "expose.{field} configures an Ingress, but expose.gateway asks for an HTTPRoute"
                ),
                &format!("/spec/expose/{field}"),
                "Ingress setting",
                "/spec/expose/gateway",
                "Gateway API route",
            );
        }
    }
    if g.edge_auth == Some(true) {
        let provider = g.provider.unwrap_or(crate::spec::GatewayProvider::None);
        if !provider.validates_tokens() {
            c.one(
                &codes::EDGE_AUTH_UNSUPPORTED,
                "expose.gateway.edgeAuth needs a provider profile that validates tokens; standard Gateway API has no field for it".to_string(),
                "/spec/expose/gateway/edgeAuth",
                "no provider validates tokens here",
            );
        } else if auth.is_none_or(|a| a.kind == crate::spec::AuthType::None) {
            c.one(
                &codes::EDGE_AUTH_UNSUPPORTED,
                "expose.gateway.edgeAuth validates the tokens of mcp.auth, but the server declares no auth".to_string(),
                "/spec/expose/gateway/edgeAuth",
                "nothing to validate",
            );
        } else if auth.is_some_and(|a| a.jwks_uri.is_none()) {
            c.one(
                &codes::EDGE_AUTH_UNSUPPORTED,
                "expose.gateway.edgeAuth needs mcp.auth.jwksUri: the gateway validates token signatures with the issuer's key set".to_string(),
                "/spec/expose/gateway/edgeAuth",
                "no key set to validate with",
            );
        }
    }
    check_timeout(c, e);
}

/// Controllers take timeouts in seconds and Gateway API in at most five digits per unit:
/// between one second and a day is what every one of them accepts.
fn check_timeout(c: &mut Checker<'_>, e: &crate::spec::Expose) {
    if let Some(t) = &e.timeout
        && t.seconds().is_some_and(|s| !(1..=86_400).contains(&s))
    {
        c.one(
            &codes::DURATION_BOUNDS,
            format!("expose.timeout is {t}; ingress controllers and gateways accept 1s to 24h"),
            "/spec/expose/timeout",
            "between 1s and 24h",
        );
    }
}

/// Every quantity, duration and percentage must convert to a number: the Model and the
/// monitoring outputs rely on it.
fn representable(c: &mut Checker<'_>, s: &crate::spec::ServiceSpec) {
    let mut cpu: Vec<(String, crate::spec::scalars::Cpu)> = Vec::new();
    let mut mem: Vec<(String, crate::spec::scalars::Memory)> = Vec::new();
    let mut dur: Vec<(String, &crate::spec::scalars::Duration)> = Vec::new();
    let mut pct: Vec<(String, &crate::spec::scalars::Percent)> = Vec::new();
    let mut list = |l: Option<&ResourceList>, at: &str| {
        if let Some(l) = l {
            if let Some(c) = &l.cpu {
                cpu.push((format!("{at}/cpu"), c.clone()));
            }
            if let Some(m) = &l.memory {
                mem.push((format!("{at}/memory"), m.clone()));
            }
        }
    };
    if let Some(r) = &s.resources {
        list(r.requests.as_ref(), "/spec/resources/requests");
        list(r.limits.as_ref(), "/spec/resources/limits");
    }
    if let Some(v) = &s.vertical_scaling {
        list(v.min_allowed.as_ref(), "/spec/verticalScaling/minAllowed");
        list(v.max_allowed.as_ref(), "/spec/verticalScaling/maxAllowed");
    }
    if let Some(q) = &s.quota {
        list(q.requests.as_ref(), "/spec/quota/requests");
        list(q.limits.as_ref(), "/spec/quota/limits");
        list(q.container_min.as_ref(), "/spec/quota/containerMin");
        list(q.container_max.as_ref(), "/spec/quota/containerMax");
        if let Some(d) = &q.container_defaults {
            list(
                d.requests.as_ref(),
                "/spec/quota/containerDefaults/requests",
            );
            list(d.limits.as_ref(), "/spec/quota/containerDefaults/limits");
        }
    }
    if let Some(e) = s
        .mcp
        .as_ref()
        .and_then(|m| m.auth.as_ref())
        .and_then(|a| a.expiration.as_ref())
    {
        dur.push(("/spec/mcp/auth/expiration".into(), e));
    }
    if let Some(w) = s
        .expose
        .as_ref()
        .and_then(|e| e.rate_limit.as_ref())
        .and_then(|r| r.window.as_ref())
    {
        dur.push(("/spec/expose/rateLimit/window".into(), w));
    }
    if let Some(t) = s.expose.as_ref().and_then(|e| e.timeout.as_ref()) {
        dur.push(("/spec/expose/timeout".into(), t));
    }
    if let Some(t) = s.mcp.as_ref().and_then(|m| m.longest_tool_call.as_ref()) {
        dur.push(("/spec/mcp/longestToolCall".into(), t));
    }
    if let Some(a) = &s.autoscaling {
        for (dir, b) in [("scaleUp", &a.scale_up), ("scaleDown", &a.scale_down)] {
            let Some(b) = b else { continue };
            if let Some(w) = &b.stabilization_window {
                dur.push((format!("/spec/autoscaling/{dir}/stabilizationWindow"), w));
            }
            if let Some(p) = &b.period {
                dur.push((format!("/spec/autoscaling/{dir}/period"), p));
            }
        }
    }
    if let Some(m) = &s.monitoring {
        if let Some(i) = m.metrics.as_ref().and_then(|m| m.interval.as_ref()) {
            dur.push(("/spec/monitoring/metrics/interval".into(), i));
        }
        if let Some(r) = m.dashboard.as_ref().and_then(|d| d.refresh.as_ref()) {
            dur.push(("/spec/monitoring/dashboard/refresh".into(), r));
        }
        if let Some(i) = m.probe.as_ref().and_then(|p| p.interval.as_ref()) {
            dur.push(("/spec/monitoring/probe/interval".into(), i));
        }
        if let Some(a) = &m.alerts {
            let at = |k: &str| format!("/spec/monitoring/alerts/{k}");
            for (k, p) in [
                ("errorRate", &a.error_rate),
                ("memory", &a.memory),
                ("cpu", &a.cpu),
                ("toolErrors", &a.tool_errors),
                ("sessionNotFound", &a.session_not_found),
            ] {
                let Some(p) = p else { continue };
                if let Some(v) = &p.above {
                    pct.push((format!("{}/above", at(k)), v));
                }
                if let Some(f) = &p.for_ {
                    dur.push((format!("{}/for", at(k)), f));
                }
            }
            if let Some(l) = &a.latency_p95 {
                if let Some(v) = &l.above {
                    dur.push((format!("{}/above", at("latencyP95")), v));
                }
                if let Some(f) = &l.for_ {
                    dur.push((format!("{}/for", at("latencyP95")), f));
                }
            }
            for (k, st) in [
                ("down", &a.down),
                ("hpaMaxedOut", &a.hpa_maxed_out),
                ("targetDown", &a.target_down),
                ("hpaScalingInactive", &a.hpa_scaling_inactive),
                ("probe", &a.probe),
            ] {
                if let Some(f) = st.as_ref().and_then(|s| s.for_.as_ref()) {
                    dur.push((format!("{}/for", at(k)), f));
                }
            }
        }
    }
    let mut bad = |ptr: &str, what: &str, value: &str| {
        c.one(
            &codes::UNREPRESENTABLE,
            format!("{what} `{value}` is too large to represent"),
            ptr,
            "too large",
        );
    };
    for (p, v) in cpu {
        if v.millis().is_none_or(|m| m > u64::from(u32::MAX)) {
            bad(&p, "cpu quantity", v.as_str());
        }
    }
    for (p, v) in mem {
        if v.bytes().is_none_or(|b| b > u128::from(u64::MAX)) {
            bad(&p, "memory quantity", v.as_str());
        }
    }
    for (p, v) in dur {
        if v.millis().is_none() {
            bad(&p, "duration", v.as_str());
        }
    }
    for (p, v) in pct {
        if v.value().is_none_or(|x| !x.is_finite()) {
            bad(&p, "percentage", v.as_str());
        }
    }
}

/// Findings of one variant, each located in the spec (shared with `super::bounds`).
pub(super) struct Checker<'a> {
    pub(super) doc: &'a Document,
    pub(super) env: Option<&'a str>,
    pub(super) out: Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(super) fn one(&mut self, code: &codes::Code, message: String, ptr: &str, label: &str) {
        let (span, _) = self.doc.locate(self.env, ptr);
        self.out.push(
            Diagnostic::new(code, message)
                .with_label(span, label)
                .at_pointer(ptr)
                .in_environment(self.env),
        );
    }

    fn pair(
        &mut self,
        code: &codes::Code,
        message: String,
        ptr: &str,
        label: &str,
        other: &str,
        other_label: &str,
    ) {
        let (mut span, in_overlay) = self.doc.locate(self.env, ptr);
        let (mut other_span, other_in_overlay) = self.doc.locate(self.env, other);
        let (mut ptr, mut label, mut other_label) = (ptr, label, other_label);
        // In an environment, put the primary label on the side the overlay changed.
        if other_in_overlay && !in_overlay {
            std::mem::swap(&mut span, &mut other_span);
            std::mem::swap(&mut label, &mut other_label);
            ptr = other;
        }
        let mut d = Diagnostic::new(code, message)
            .with_label(span, label)
            .at_pointer(ptr)
            .in_environment(self.env);
        if other_span != span {
            d = d.with_secondary(other_span, other_label);
        }
        self.out.push(d);
    }

    fn requests_within_limits(
        &mut self,
        req: Option<&ResourceList>,
        lim: Option<&ResourceList>,
        base: &str,
    ) {
        let (Some(req), Some(lim)) = (req, lim) else {
            return;
        };
        if let (Some(r), Some(l)) = (req.cpu.as_ref(), lim.cpu.as_ref())
            && let (Some(rm), Some(lm)) = (r.millis(), l.millis())
            && rm > lm
        {
            self.pair(
                &codes::REQUESTS_ABOVE_LIMITS,
                format!("cpu request {r} is above the cpu limit {l}"),
                &format!("{base}/requests/cpu"),
                "request",
                &format!("{base}/limits/cpu"),
                "limit",
            );
        }
        if let (Some(r), Some(l)) = (req.memory.as_ref(), lim.memory.as_ref())
            && let (Some(rb), Some(lb)) = (r.bytes(), l.bytes())
            && rb > lb
        {
            self.pair(
                &codes::REQUESTS_ABOVE_LIMITS,
                format!("memory request {r} is above the memory limit {l}"),
                &format!("{base}/requests/memory"),
                "request",
                &format!("{base}/limits/memory"),
                "limit",
            );
        }
    }

    fn min_within_max(
        &mut self,
        min: Option<&ResourceList>,
        max: Option<&ResourceList>,
        min_ptr: &str,
        max_ptr: &str,
    ) {
        let (Some(min), Some(max)) = (min, max) else {
            return;
        };
        if let (Some(a), Some(b)) = (min.cpu.as_ref(), max.cpu.as_ref())
            && a.millis() > b.millis()
        {
            self.pair(
                &codes::MIN_ABOVE_MAX,
                format!("minimum cpu {a} is above the maximum {b}"),
                &format!("{min_ptr}/cpu"),
                "minimum",
                &format!("{max_ptr}/cpu"),
                "maximum",
            );
        }
        if let (Some(a), Some(b)) = (min.memory.as_ref(), max.memory.as_ref())
            && a.bytes() > b.bytes()
        {
            self.pair(
                &codes::MIN_ABOVE_MAX,
                format!("minimum memory {a} is above the maximum {b}"),
                &format!("{min_ptr}/memory"),
                "minimum",
                &format!("{max_ptr}/memory"),
                "maximum",
            );
        }
    }

    fn duplicates<'s>(&mut self, items: impl Iterator<Item = &'s str>, ptr: &str) {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (i, item) in items.enumerate() {
            if !seen.insert(item) {
                self.one(
                    &codes::DUPLICATE_ITEM,
                    format!("`{item}` is listed twice"),
                    &format!("{ptr}/{i}"),
                    "duplicate",
                );
            }
        }
    }
}
