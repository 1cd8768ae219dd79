//! Values the target systems would misread or refuse, caught before anything is written:
//! CPU and memory quantities that are zero or beyond any machine (`MCP112`; compose reads a
//! zero limit as "unlimited"), durations that Prometheus, Grafana or the token issuer cannot
//! take or that mcpgen would otherwise replace by a default (`MCP106`), and `files` larger than
//! a ConfigMap holds (`MCP113`).
//!
//! Each bound is documented in `docs/security.md`. This module reads the typed spec; the
//! checks that compare two fields live in `super::semantic`.

use crate::diagnostics::{Diagnostic, codes};
use crate::limits::MAX_CONFIGMAP_BYTES;
use crate::spec::scalars::Duration;
use crate::spec::{Document, ResourceList, SpecFile};

/// Smallest and largest CPU quantity of a container, in millicores.
pub const CPU_RANGE: (u64, u64) = (1, 1024 * 1000);
/// Smallest and largest memory quantity of a container, in bytes (Docker refuses limits
/// below 6 MB; 4 MiB is the floor where any server starts at all).
pub const MEMORY_RANGE: (u128, u128) = (4 * 1024 * 1024, 16 * 1024u128.pow(4));
/// Largest namespace quota: CPU in millicores, memory in bytes.
pub const QUOTA_MAX: (u64, u128) = (1_000_000 * 1000, 1024u128.pow(6));

/// Bounds of the durations that reach Prometheus, Grafana and the token settings, in
/// milliseconds: (pointer suffix, what, min, max, the bounds as written).
const DURATIONS: &[(&str, &str, u64, u64, &str)] = &[
    (
        "/monitoring/metrics/interval",
        "scrape interval",
        1_000,
        3_600_000,
        "1s to 1h",
    ),
    (
        "/monitoring/dashboard/refresh",
        "dashboard refresh",
        5_000,
        86_400_000,
        "5s to 1d",
    ),
    (
        "/monitoring/alerts/latencyP95/above",
        "latency threshold",
        1,
        3_600_000,
        "1ms to 1h",
    ),
    (
        "/mcp/auth/expiration",
        "token lifetime",
        1_000,
        366 * 86_400_000,
        "1s to 366d",
    ),
    (
        "/expose/rateLimit/window",
        "rate-limit window",
        1_000,
        3_600_000,
        "1s to 1h",
    ),
];
/// Longest `for` of an alert (and shortest: 0s, fire at once).
const MAX_FOR_MS: u64 = 7 * 86_400_000;

/// Run the checks on one resolved variant.
pub fn check(doc: &Document, env: Option<&str>, file: &SpecFile) -> Vec<Diagnostic> {
    let mut c = Checker {
        doc,
        env,
        out: Vec::new(),
    };
    let s = &file.spec;
    if let Some(r) = &s.resources {
        c.container(r.requests.as_ref(), "/spec/resources/requests");
        c.container(r.limits.as_ref(), "/spec/resources/limits");
    }
    if let Some(q) = &s.quota {
        if let Some(d) = &q.container_defaults {
            c.container(
                d.requests.as_ref(),
                "/spec/quota/containerDefaults/requests",
            );
            c.container(d.limits.as_ref(), "/spec/quota/containerDefaults/limits");
        }
        c.container(q.container_min.as_ref(), "/spec/quota/containerMin");
        c.container(q.container_max.as_ref(), "/spec/quota/containerMax");
        c.quota(q.requests.as_ref(), "/spec/quota/requests");
        c.quota(q.limits.as_ref(), "/spec/quota/limits");
    }
    if let Some(v) = &s.vertical_scaling {
        c.container(v.min_allowed.as_ref(), "/spec/verticalScaling/minAllowed");
        c.container(v.max_allowed.as_ref(), "/spec/verticalScaling/maxAllowed");
    }

    // Durations.
    let value = serde_json::to_value(s).unwrap_or_default();
    for (suffix, what, min, max, range) in DURATIONS {
        if let Some(text) = value.pointer(suffix).and_then(|v| v.as_str()) {
            c.duration(&format!("/spec{suffix}"), what, text, (*min, *max), range);
        }
    }
    if let Some(alerts) = value
        .pointer("/monitoring/alerts")
        .and_then(|a| a.as_object())
    {
        for (name, alert) in alerts {
            if let Some(text) = alert.get("for").and_then(|v| v.as_str()) {
                c.duration(
                    &format!("/spec/monitoring/alerts/{name}/for"),
                    "alert `for`",
                    text,
                    (0, MAX_FOR_MS),
                    "0s to 7d",
                );
            }
        }
    }

    // Files: each, and all together, fit in one ConfigMap.
    let mut total = 0usize;
    for (path, content) in &s.files {
        total += content.len();
        if content.len() > MAX_CONFIGMAP_BYTES {
            c.one(
                &codes::FILE_TOO_LARGE,
                format!(
                    "the file `{path}` is {} bytes; a ConfigMap holds at most {MAX_CONFIGMAP_BYTES}",
                    content.len()
                ),
                &crate::spec::document::child("/spec/files", path),
                "too large for a ConfigMap",
            );
        }
    }
    if total > MAX_CONFIGMAP_BYTES && s.files.values().all(|c| c.len() <= MAX_CONFIGMAP_BYTES) {
        c.one(
            &codes::FILE_TOO_LARGE,
            format!(
                "the files total {total} bytes; the ConfigMap that holds them takes at most \
                 {MAX_CONFIGMAP_BYTES}"
            ),
            "/spec/files",
            "too large for a ConfigMap",
        );
    }
    c.out
}

use super::semantic::Checker;

impl Checker<'_> {
    fn container(&mut self, list: Option<&ResourceList>, base: &str) {
        let Some(list) = list else { return };
        if let Some(cpu) = &list.cpu {
            let (lo, hi) = CPU_RANGE;
            if cpu.millis().is_none_or(|m| !(lo..=hi).contains(&m)) {
                self.one(
                    &codes::RESOURCE_OUT_OF_RANGE,
                    format!(
                        "cpu `{cpu}` is outside 1m to 1024 cores (0 means \"unlimited\" to \
                         compose, and no machine has more)"
                    ),
                    &format!("{base}/cpu"),
                    "between 1m and 1024",
                );
            }
        }
        if let Some(mem) = &list.memory {
            let (lo, hi) = MEMORY_RANGE;
            if mem.bytes().is_none_or(|b| !(lo..=hi).contains(&b)) {
                self.one(
                    &codes::RESOURCE_OUT_OF_RANGE,
                    format!(
                        "memory `{mem}` is outside 4Mi to 16Ti (0 means \"unlimited\" to \
                         compose, and no machine has more)"
                    ),
                    &format!("{base}/memory"),
                    "between 4Mi and 16Ti",
                );
            }
        }
    }

    fn quota(&mut self, list: Option<&ResourceList>, base: &str) {
        let Some(list) = list else { return };
        let (cpu_max, mem_max) = QUOTA_MAX;
        if let Some(cpu) = &list.cpu
            && cpu.millis().is_none_or(|m| m > cpu_max)
        {
            self.one(
                &codes::RESOURCE_OUT_OF_RANGE,
                format!("cpu quota `{cpu}` is beyond 1,000,000 cores"),
                &format!("{base}/cpu"),
                "too large",
            );
        }
        if let Some(mem) = &list.memory
            && mem.bytes().is_none_or(|b| b > mem_max)
        {
            self.one(
                &codes::RESOURCE_OUT_OF_RANGE,
                format!("memory quota `{mem}` is beyond 1Ei"),
                &format!("{base}/memory"),
                "too large",
            );
        }
    }

    fn duration(&mut self, ptr: &str, what: &str, text: &str, range: (u64, u64), shown: &str) {
        let d = Duration::new_unchecked(text);
        if d.millis()
            .is_none_or(|ms| !(range.0..=range.1).contains(&ms))
        {
            self.one(
                &codes::DURATION_BOUNDS,
                format!("the {what} `{text}` is outside {shown}"),
                ptr,
                shown,
            );
        }
    }
}
