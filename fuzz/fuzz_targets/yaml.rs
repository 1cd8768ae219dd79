//! The yaml front-end and validation on arbitrary bytes: no panic, no overflow, no hang.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::check(data, mcpgen::spec::Syntax::Yaml, false);
});
