//! Gateway provider profiles: what a Gateway API implementation needs beyond the standard
//! HTTPRoute for an MCP server (stream idle timeouts, per-client rate limits, token
//! validation at the edge), each provider in one file.
//!
//! A profile is a [`Profile`] implementation registered in [`PROFILES`]. Adding Istio,
//! agentgateway or NGINX Gateway Fabric takes that file, its line in [`PROFILES`], a variant
//! of `spec::GatewayProvider` (the name users write, and whether it can validate tokens) and the pods of its proxies in
//! `resolve::defaults` (what the NetworkPolicy admits). The profile only maps the Model: the
//! HTTPRoute it attaches to is written by `super::gateway` whatever the provider.

pub mod envoy_gateway;

use crate::compile::{Artifact, CompileError};
use crate::model::Model;
use crate::model::traffic::{ExposeModel, GatewayModel};
use crate::spec::GatewayProvider;

/// One provider profile.
pub trait Profile: Sync {
    /// The provider as named in `expose.gateway.provider`.
    fn provider(&self) -> GatewayProvider;
    /// The provider's policy files: `(file name under k8s/, contents)`.
    fn files(
        &self,
        m: &Model,
        e: &ExposeModel,
        g: &GatewayModel,
    ) -> Result<Vec<Artifact>, CompileError>;
}

/// Every provider profile.
pub const PROFILES: &[&dyn Profile] = &[&envoy_gateway::EnvoyGateway];

/// The profile of a provider (`None` for standard Gateway API only).
pub fn profile(p: GatewayProvider) -> Option<&'static dyn Profile> {
    PROFILES.iter().copied().find(|x| x.provider() == p)
}
