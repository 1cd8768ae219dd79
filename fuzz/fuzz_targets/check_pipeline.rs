//! The whole in-memory `check` pipeline on YAML specs: validation, the built-in policy pack
//! (which must evaluate on every valid spec), every report format.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::check(data, mcpgen::spec::Syntax::Yaml, true);
});
