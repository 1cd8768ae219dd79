//! The quota check: the ResourceQuota admits the server at the peak of a rollout.
//!
//! The peak is the largest replica count (the HPA's `maxReplicas`, else the Deployment's
//! `replicas`), plus `maxSurge` pods started by the rolling update, plus the `maxSurge` pods the
//! previous step replaced: the Deployment controller starts the next step as soon as the new
//! pods are ready, while the quota still counts the old ones until their grace period ends.
//! Each pod asks for its container's requests and limits, or, for a resource an active VPA
//! controls, up to the VPA's `maxAllowed` request with the limit scaled by the same ratio
//! (`controlledValues: RequestsAndLimits`). A VPA without `maxAllowed` on a resource the quota
//! caps has no bound at all.

use serde_json::Value;

use super::{Finding, View, array_at, server_container, str_at};
use crate::diagnostics::codes;
use crate::model::{CONTAINER, Model};
use crate::spec::scalars::{Cpu, Memory};

/// A quantity in a common unit: millicores or bytes.
fn amount(resource: &str, q: &str) -> Option<u128> {
    match resource {
        "cpu" => Cpu::new_unchecked(q).millis().map(u128::from),
        _ => Memory::new_unchecked(q).bytes(),
    }
}

fn int(v: Option<&Value>) -> Option<u128> {
    match v? {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Run the quota check.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    let (Some(rq), Some(dep)) = (view.first("ResourceQuota"), view.workload()) else {
        return;
    };
    let Some(hard) = rq.value.pointer("/spec/hard").and_then(Value::as_object) else {
        return;
    };
    let hpa_max = view
        .kind("HorizontalPodAutoscaler")
        .find(|h| str_at(&h.value, "/spec/scaleTargetRef/name") == Some(dep.name()))
        .and_then(|h| int(h.value.pointer("/spec/maxReplicas")));
    let replicas = hpa_max
        .or_else(|| int(dep.value.pointer("/spec/replicas")))
        .unwrap_or(1);
    // A percentage surge cannot be checked against a quota: mcpgen writes a number. A
    // blue-green Rollout, and a canary with a traffic router, run a whole second set of pods
    // beside the first until the switch; a canary without a router moves pods like a rolling
    // update, in steps of `maxSurge`.
    let doubles = dep.value.pointer("/spec/strategy/blueGreen").is_some()
        || dep
            .value
            .pointer("/spec/strategy/canary/trafficRouting")
            .is_some();
    let surge = int(dep
        .value
        .pointer("/spec/strategy/rollingUpdate/maxSurge")
        .or_else(|| dep.value.pointer("/spec/strategy/canary/maxSurge")))
    .unwrap_or(0);
    let (peak, why) = if doubles {
        let peak = 2 * replicas;
        (
            peak,
            format!(
                "{replicas} replicas of the old version + {replicas} of the new one = {peak} \
                 pods at the peak of a rollout"
            ),
        )
    } else {
        let peak = replicas + 2 * surge;
        (
            peak,
            format!(
                "{replicas} replicas + {surge} surge + {surge} still terminating = {peak} pods \
                 at the peak of a rollout"
            ),
        )
    };

    if let Some(pods) = int(hard.get("pods"))
        && pods < peak
    {
        out.push(Finding::new(
            &codes::QUOTA_BLOCKS_ROLLOUT,
            "/spec/quota/pods",
            format!(
                "the quota admits {pods} pods; {why}: the rollout stalls at its peak and the HPA \
                 cannot reach its maximum"
            ),
        ));
    }

    let container = server_container(dep);
    let vpa = view
        .kind("VerticalPodAutoscaler")
        .find(|v| {
            str_at(&v.value, "/spec/targetRef/name") == Some(dep.name())
                && str_at(&v.value, "/spec/updatePolicy/updateMode") != Some("Off")
        })
        .and_then(|v| {
            array_at(&v.value, "/spec/resourcePolicy/containerPolicies")
                .iter()
                .find(|p| matches!(str_at(p, "/containerName"), Some(CONTAINER) | Some("*")))
                .cloned()
        });
    for resource in ["cpu", "memory"] {
        let get = |kind: &str| {
            container
                .and_then(|c| c.pointer(&format!("/resources/{kind}/{resource}")))
                .and_then(Value::as_str)
                .and_then(|q| amount(resource, q))
        };
        let (Some(request), limit) = (get("requests"), get("limits")) else {
            continue;
        };
        let controlled = vpa.as_ref().filter(|p| {
            array_at(p, "/controlledResources")
                .iter()
                .any(|r| r.as_str() == Some(resource))
        });
        let capped = |kind: &str| {
            hard.get(&format!("{kind}.{resource}"))
                .or_else(|| (kind == "requests").then(|| hard.get(resource)).flatten())
                .and_then(Value::as_str)
                .and_then(|q| amount(resource, q))
        };
        let (req_cap, lim_cap) = (capped("requests"), capped("limits"));
        if req_cap.is_none() && lim_cap.is_none() {
            continue;
        }
        let (per_request, per_limit, vpa_note) = match controlled {
            None => (request, limit, String::new()),
            Some(p) => {
                let Some(max) = p
                    .pointer(&format!("/maxAllowed/{resource}"))
                    .and_then(Value::as_str)
                    .and_then(|q| amount(resource, q))
                else {
                    out.push(Finding::new(
                        &codes::QUOTA_BLOCKS_ROLLOUT,
                        format!("/spec/verticalScaling/maxAllowed/{resource}"),
                        format!(
                            "the VPA may raise the {resource} request without bound, so no \
                             quota on {resource} can be shown to admit the rollout"
                        ),
                    ));
                    continue;
                };
                let raised = request.max(max);
                let scales_limits = str_at(p, "/controlledValues").unwrap_or("RequestsAndLimits")
                    == "RequestsAndLimits";
                let lim = limit.map(|l| {
                    if scales_limits && request > 0 {
                        (l * raised).div_ceil(request)
                    } else {
                        l
                    }
                });
                (raised, lim, " (at the VPA's maxAllowed)".to_string())
            }
        };
        let unit = |v: u128| match resource {
            "cpu" => format!("{v}m"),
            _ => format!("{v} bytes"),
        };
        for (kind, per_pod, cap) in [
            ("requests", Some(per_request), req_cap),
            ("limits", per_limit, lim_cap),
        ] {
            let (Some(per_pod), Some(cap)) = (per_pod, cap) else {
                continue;
            };
            if per_pod * peak > cap {
                out.push(Finding::new(
                    &codes::QUOTA_BLOCKS_ROLLOUT,
                    format!("/spec/quota/{kind}/{resource}"),
                    format!(
                        "the quota admits {} of {resource} {kind}; {why}, each at {}{vpa_note}, \
                         need {}: the rollout stalls at its peak",
                        unit(cap),
                        unit(per_pod),
                        unit(per_pod * peak)
                    ),
                ));
            }
        }
    }
    let _ = model;
}
