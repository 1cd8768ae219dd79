//! The in-memory `build` pipeline: check, model, every emitter, the writer's path validation.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::build(data, mcpgen::spec::Syntax::Yaml);
});
