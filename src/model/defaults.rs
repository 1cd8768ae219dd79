//! The safe defaults, applied in the shape of the spec language itself.
//!
//! `apply` fills every field the user left out with mcpgen's default, so policies see the
//! spec that will actually be deployed (and their JSON Pointers still name spec fields), and
//! the Model derives from a spec without gaps. Monitoring defaults are not applied here: they
//! belong to the monitoring target, which reads `spec.monitoring` as written.
//!
//! Every default is the safe choice for a production MCP server: two replicas, health endpoints
//! distinct from the MCP endpoint, bounded resources, and stateful sessions unless the protocol
//! revision rules them out.

use crate::spec::scalars::{Cpu, Duration, HttpPath, Memory, Name};
use crate::spec::{
    Auth, AuthType, Autoscaling, Health, Mcp, Network, Probe, RateLimit, ResourceList, Resources,
    ScalingBehavior, SessionStore, SpecFile, Transport,
};

/// Container port of the MCP endpoint when the spec names none.
pub const MCP_PORT: u32 = 8080;
/// Replicas when neither `replicas` nor `autoscaling` says otherwise: one pod can always be
/// disrupted without downtime.
pub const REPLICAS: u32 = 2;
/// The first protocol revision without protocol-level sessions.
pub const STATELESS_REVISION: &str = "2026-07-28";

/// The spec with every default filled in.
pub fn apply(spec: &SpecFile) -> SpecFile {
    let mut file = spec.clone();
    let s = &mut file.spec;

    let mcp = s.mcp.get_or_insert_with(empty_mcp);
    mcp.transport.get_or_insert(Transport::StreamableHttp);
    mcp.path
        .get_or_insert_with(|| HttpPath::new_unchecked("/mcp"));
    mcp.port.get_or_insert(MCP_PORT);
    if mcp.stateless.is_none() {
        // Revisions before 2026-07-28 keep sessions in the server process; without a stated
        // revision assume the older, stateful behaviour, which is the one that needs care.
        let stateless = mcp
            .protocol_versions
            .as_ref()
            .is_some_and(|v| !v.is_empty() && v.iter().all(|p| p.as_str() >= STATELESS_REVISION));
        mcp.stateless = Some(stateless);
    }
    mcp.session_store.get_or_insert(SessionStore::None);
    mcp.trust_proxy_headers
        .get_or_insert(s.expose.as_ref().is_some_and(|e| e.tls.is_some()));
    mcp.auth.get_or_insert(Auth {
        kind: AuthType::None,
        secret: None,
        expiration: None,
        issuer: None,
        audience: None,
    });
    let mcp_port = mcp.port.unwrap_or(MCP_PORT);
    let mcp_path = mcp.path.clone();

    let health = s.health.get_or_insert(Health {
        liveness: None,
        readiness: None,
        startup: None,
        port: None,
    });
    health
        .liveness
        .get_or_insert_with(|| Probe::Path(HttpPath::new_unchecked("/healthz")));
    health
        .readiness
        .get_or_insert_with(|| Probe::Path(HttpPath::new_unchecked("/readyz")));
    if health.startup.is_none() {
        let path = health.liveness.as_ref().map_or("/healthz", Probe::path);
        health.startup = Some(Probe::Path(HttpPath::new_unchecked(path)));
    }
    health.port.get_or_insert(mcp_port);

    if s.replicas.is_none() {
        s.replicas = Some(REPLICAS);
    }

    let res = s.resources.get_or_insert_with(Resources::default);
    let req = res.requests.get_or_insert_with(ResourceList::default);
    req.cpu.get_or_insert_with(|| Cpu::new_unchecked("100m"));
    req.memory
        .get_or_insert_with(|| Memory::new_unchecked("128Mi"));
    let lim = res.limits.get_or_insert_with(ResourceList::default);
    lim.cpu.get_or_insert_with(|| Cpu::new_unchecked("500m"));
    lim.memory
        .get_or_insert_with(|| Memory::new_unchecked("512Mi"));

    if let Some(a) = s.autoscaling.as_mut() {
        fill_autoscaling(a);
    }

    if let Some(e) = s.expose.as_mut() {
        if e.path.is_none() {
            e.path = mcp_path;
        }
        e.ingress_class
            .get_or_insert_with(|| Name::new_unchecked("nginx"));
        if let Some(tls) = e.tls.as_mut() {
            tls.secret_name.get_or_insert_with(|| {
                // A DNS label of at most 63 characters: keep room for the suffix.
                let base: String = file.metadata.name.as_str().chars().take(59).collect();
                Name::new_unchecked(format!("{}-tls", base.trim_end_matches('-')))
            });
        }
        if let Some(RateLimit { window, .. }) = e.rate_limit.as_mut() {
            window.get_or_insert_with(|| Duration::new_unchecked("1m"));
        }
    }

    s.network.get_or_insert_with(Network::default);
    file
}

/// An `mcp` section with nothing set.
pub(crate) fn empty_mcp() -> Mcp {
    Mcp {
        transport: None,
        protocol_versions: None,
        stateless: None,
        session_store: None,
        path: None,
        port: None,
        allowed_origins: None,
        allowed_hosts: None,
        trust_proxy_headers: None,
        auth: None,
        bridge: None,
    }
}

fn fill_autoscaling(a: &mut Autoscaling) {
    a.enabled.get_or_insert(true);
    a.min_replicas.get_or_insert(REPLICAS.min(a.max_replicas));
    if a.target_cpu.is_none() && a.target_memory.is_none() && a.requests_per_second.is_none() {
        a.target_cpu = Some(70);
    }
    // Scale up fast, scale down slowly: streaming sessions end when their pod goes away.
    let up = a.scale_up.get_or_insert_with(empty_behavior);
    up.stabilization_window
        .get_or_insert_with(|| Duration::new_unchecked("0s"));
    up.period
        .get_or_insert_with(|| Duration::new_unchecked("60s"));
    if up.percent.is_none() && up.pods.is_none() {
        up.percent = Some(100);
        up.pods = Some(4);
    }
    let down = a.scale_down.get_or_insert_with(empty_behavior);
    down.stabilization_window
        .get_or_insert_with(|| Duration::new_unchecked("300s"));
    down.period
        .get_or_insert_with(|| Duration::new_unchecked("60s"));
    if down.percent.is_none() && down.pods.is_none() {
        down.percent = Some(50);
    }
}

fn empty_behavior() -> ScalingBehavior {
    ScalingBehavior {
        stabilization_window: None,
        percent: None,
        pods: None,
        period: None,
    }
}
