//! The delivery checks: a Rollout's references resolve the way the Argo Rollouts controller
//! resolves them, its analyses measure series that are scraped with the expressions of the
//! alerts they stand for, and spread constraints tell revisions apart by a label the
//! workload's pods really carry.
//!
//! The controller reads the Services, Ingress, HTTPRoute and AnalysisTemplates a Rollout names
//! only when a rollout starts; a missing one leaves the rollout stuck or aborted in the middle
//! of a release, long after `kubectl apply` succeeded. These checks find that at build time.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Finding, View, array_at, labels, match_labels, selects, str_at};
use crate::compile::Object;
use crate::diagnostics::codes;
use crate::model::Model;
use crate::model::delivery::{
    DEPLOYMENT_REVISION_LABEL, GATEWAY_API_PLUGIN, ROLLOUT_REVISION_LABEL,
};

/// Where the strategy's Services, analyses and router live in a Rollout.
const SERVICE_REFS: &[&str] = &[
    "/spec/strategy/canary/canaryService",
    "/spec/strategy/canary/stableService",
    "/spec/strategy/blueGreen/activeService",
    "/spec/strategy/blueGreen/previewService",
];
const ANALYSIS_REFS: &[&str] = &[
    "/spec/strategy/canary/analysis/templates",
    "/spec/strategy/blueGreen/prePromotionAnalysis/templates",
    "/spec/strategy/blueGreen/postPromotionAnalysis/templates",
];

/// Run the delivery checks.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    let Some(workload) = view.workload() else {
        return;
    };
    revision_label(workload, out);
    if workload.kind() != "Rollout" {
        return;
    }
    let pod = labels(workload.value.pointer("/spec/template/metadata/labels"));
    let mut fail = |message: String| {
        out.push(Finding::new(
            &codes::ROLLOUT_REFERENCE_UNRESOLVED,
            "/spec/rollout/strategy",
            message,
        ));
    };
    let services: BTreeMap<&str, &Object> = view.kind("Service").map(|s| (s.name(), s)).collect();
    let mut named = Vec::new();
    for pointer in SERVICE_REFS {
        let Some(name) = str_at(&workload.value, pointer) else {
            continue;
        };
        let field = pointer.rsplit('/').next().unwrap_or_default();
        named.push(name);
        match services.get(name) {
            None => fail(format!(
                "Rollout `{}`: {field} `{name}` is not a Service of the output",
                workload.name()
            )),
            Some(s) if !selects(&labels(s.value.pointer("/spec/selector")), &pod) => fail(format!(
                "Rollout `{}`: {field} `{name}` does not select the Rollout's pods",
                workload.name()
            )),
            Some(_) => {}
        }
    }
    let mut distinct = named.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != named.len() {
        fail(format!(
            "Rollout `{}` names one Service for two roles: the controller would point it at \
             both versions at once",
            workload.name()
        ));
    }
    let strategy = workload.value.pointer("/spec/strategy");
    if strategy.is_some_and(|s| s.get("canary").is_none() && s.get("blueGreen").is_none()) {
        fail(format!(
            "Rollout `{}` has neither a canary nor a blueGreen strategy",
            workload.name()
        ));
    }
    if let Some(blue_green) = workload.value.pointer("/spec/strategy/blueGreen")
        && str_at(blue_green, "/activeService").is_none()
    {
        fail(format!(
            "Rollout `{}`: a blue-green strategy needs an activeService",
            workload.name()
        ));
    }

    // ingress-nginx: the controller copies the stable Ingress into a canary Ingress that
    // routes to the canary Service; it must exist and route to the stable Service.
    if let Some(ingress) = str_at(
        &workload.value,
        "/spec/strategy/canary/trafficRouting/nginx/stableIngress",
    ) {
        let stable = str_at(&workload.value, "/spec/strategy/canary/stableService");
        match view.kind("Ingress").find(|i| i.name() == ingress) {
            None => fail(format!(
                "Rollout `{}`: stableIngress `{ingress}` is not an Ingress of the output",
                workload.name()
            )),
            Some(i) => {
                let backends: Vec<&str> = array_at(&i.value, "/spec/rules")
                    .iter()
                    .flat_map(|r| array_at(r, "/http/paths"))
                    .filter_map(|p| str_at(p, "/backend/service/name"))
                    .collect();
                if stable.is_none_or(|s| !backends.contains(&s)) {
                    fail(format!(
                        "Rollout `{}`: Ingress `{ingress}` does not route to the stable Service \
                         `{}`, so the canary Ingress the controller derives from it shifts \
                         nothing",
                        workload.name(),
                        stable.unwrap_or("(none)")
                    ));
                }
            }
        }
    }
    // Gateway API plugin: the HTTPRoute must list the stable and the canary Service.
    let plugin = format!(
        "/spec/strategy/canary/trafficRouting/plugins/{}/httpRoute",
        GATEWAY_API_PLUGIN.replace('~', "~0").replace('/', "~1")
    );
    if let Some(route) = str_at(&workload.value, &plugin) {
        let wanted: Vec<&str> = ["canaryService", "stableService"]
            .iter()
            .filter_map(|f| str_at(&workload.value, &format!("/spec/strategy/canary/{f}")))
            .collect();
        match view.kind("HTTPRoute").find(|r| r.name() == route) {
            None => fail(format!(
                "Rollout `{}`: the Gateway API plugin reweights HTTPRoute `{route}`, which the \
                 output does not have",
                workload.name()
            )),
            Some(r) => {
                let refs: Vec<&str> = array_at(&r.value, "/spec/rules")
                    .iter()
                    .flat_map(|rule| array_at(rule, "/backendRefs"))
                    .filter_map(|b| str_at(b, "/name"))
                    .collect();
                for w in wanted {
                    if !refs.contains(&w) {
                        fail(format!(
                            "Rollout `{}`: HTTPRoute `{route}` has no backend `{w}` for the \
                             plugin to weigh",
                            workload.name()
                        ));
                    }
                }
            }
        }
    }

    let templates: BTreeMap<&str, &Object> = view
        .kind("AnalysisTemplate")
        .map(|t| (t.name(), t))
        .collect();
    let mut run = Vec::new();
    for pointer in ANALYSIS_REFS {
        for t in array_at(&workload.value, pointer) {
            let Some(name) = str_at(t, "/templateName") else {
                continue;
            };
            match templates.get(name) {
                None => fail(format!(
                    "Rollout `{}` runs AnalysisTemplate `{name}`, which the output does not have",
                    workload.name()
                )),
                Some(template) => run.push(*template),
            }
        }
    }
    for template in run {
        measurable(model, view, template, out);
    }
}

/// An analysis measures pods only if their series exist: the `job` it queries must be a
/// Service of the output that the ServiceMonitor scrapes. And each query must be the
/// expression of an alert the PrometheusRule ships, measured on that `job`.
fn measurable(model: &Model, view: &View, template: &Object, out: &mut Vec<Finding>) {
    let mut fail = |message: String| {
        out.push(Finding::new(
            &codes::ANALYSIS_NOT_MEASURABLE,
            "/spec/rollout/analysis",
            message,
        ));
    };
    let server_job = model.monitoring.as_ref().map(|m| m.job.as_str());
    let shipped: Vec<&str> = view
        .kind("PrometheusRule")
        .flat_map(|r| array_at(&r.value, "/spec/groups"))
        .flat_map(|g| array_at(g, "/rules"))
        .filter_map(|r| str_at(r, "/expr"))
        .collect();
    let monitors: Vec<&Object> = view.kind("ServiceMonitor").collect();
    for metric in array_at(&template.value, "/spec/metrics") {
        let name = str_at(metric, "/name").unwrap_or_default();
        let Some(query) = str_at(metric, "/provider/prometheus/query") else {
            fail(format!(
                "AnalysisTemplate `{}`: metric `{name}` has no Prometheus query",
                template.name()
            ));
            continue;
        };
        let Some(job) = job_of(query) else {
            fail(format!(
                "AnalysisTemplate `{}`: metric `{name}` is not scoped to one `job`",
                template.name()
            ));
            continue;
        };
        let service = view.kind("Service").find(|s| s.name() == job);
        match service {
            None => fail(format!(
                "AnalysisTemplate `{}`: metric `{name}` measures job `{job}`, and the output has \
                 no Service `{job}` whose pods that job would be",
                template.name()
            )),
            Some(s) if !monitors.is_empty() => {
                let svc_labels = labels(s.value.pointer("/metadata/labels"));
                let scraped = monitors.iter().any(|sm| {
                    selects(
                        &match_labels(sm.value.pointer("/spec/selector")),
                        &svc_labels,
                    )
                });
                if !scraped {
                    fail(format!(
                        "AnalysisTemplate `{}`: no ServiceMonitor scrapes Service `{job}`, so \
                         metric `{name}` finds no series and passes without measuring",
                        template.name()
                    ));
                }
            }
            Some(_) => {}
        }
        // The alert expression is the query with the server's own job.
        if let Some(server) = server_job
            && !shipped.is_empty()
        {
            let as_alert = query.replace(&job_matcher(job), &job_matcher(server));
            if !shipped.contains(&as_alert.as_str()) {
                fail(format!(
                    "AnalysisTemplate `{}`: metric `{name}` is not the expression of any alert \
                     the PrometheusRule ships",
                    template.name()
                ));
            }
        }
    }
}

/// `job="<name>"` as the PromQL builder writes it.
fn job_matcher(job: &str) -> String {
    format!("job={}", crate::compile::monitoring::promql::quote(job))
}

/// The one `job` a query selects, when every selector of it names the same one.
fn job_of(query: &str) -> Option<&str> {
    let mut found: Option<&str> = None;
    let mut rest = query;
    while let Some(i) = rest.find("job=\"") {
        let after = &rest[i + 5..];
        let end = after.find('"')?;
        let job = &after[..end];
        if found.is_some_and(|f| f != job) {
            return None;
        }
        found = Some(job);
        rest = &after[end..];
    }
    found
}

fn revision_label(workload: &Object, out: &mut Vec<Finding>) {
    let (expected, other) = if workload.kind() == "Rollout" {
        (ROLLOUT_REVISION_LABEL, DEPLOYMENT_REVISION_LABEL)
    } else {
        (DEPLOYMENT_REVISION_LABEL, ROLLOUT_REVISION_LABEL)
    };
    for c in array_at(
        &workload.value,
        "/spec/template/spec/topologySpreadConstraints",
    ) {
        let keys: Vec<&str> = array_at(c, "/matchLabelKeys")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if keys.contains(&other) && !keys.contains(&expected) {
            out.push(Finding::new(
                &codes::REVISION_LABEL_MISMATCH,
                "/spec/rollout/strategy",
                format!(
                    "{} `{}` spreads its pods by `{other}`, which its pods do not carry (they \
                     carry `{expected}`): old and new pods are counted together and a rollout \
                     piles onto the nodes the old ones left",
                    workload.kind(),
                    workload.name()
                ),
            ));
        }
    }
}
