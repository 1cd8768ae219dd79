//! Shared by the targets: the in-memory check and build pipelines, exactly as `mcpgen check`
//! and `mcpgen build --stdout` run them (`mcpgen::pipeline`), without touching the disk.

#![allow(dead_code)]

use mcpgen::diagnostics::render::{self, human::Style};
use mcpgen::pipeline::{self, BuildOptions, Input, Options, Report};
use mcpgen::spec::Syntax;

/// Parse, validate (schema, semantic checks, secrets, bounds), resolve, optionally evaluate
/// the built-in policy pack, and render every report format.
pub fn check(data: &[u8], syntax: Syntax, policies: bool) -> Option<Report> {
    let text = std::str::from_utf8(data).ok()?;
    let name = match syntax {
        Syntax::Yaml => "fuzz.yaml",
        Syntax::Kdl => "fuzz.kdl",
    };
    // Policies are evaluated below on an engine parsed once per thread: parsing the built-in
    // pack for every input would make the fuzzer measure the Rego parser.
    let opts = Options {
        no_config: true,
        skip_policies: true,
        ..Options::default()
    };
    let mut report = pipeline::check(
        &[Input::Text {
            name: name.to_string(),
            text: text.to_string(),
            syntax,
        }],
        &opts,
    );
    if policies {
        thread_local! {
            static ENGINE: Option<mcpgen::policy::Engine> =
                mcpgen::policy::Engine::new(true, &[], &[]).ok();
        }
        if let Some(mut engine) = ENGINE.with(Clone::clone) {
            for file in &report.files {
                let Some(doc) = &file.doc else { continue };
                let mut per_variant = Vec::new();
                for v in &file.variants {
                    // The built-in pack must evaluate on every spec that passed validation.
                    match engine.evaluate(mcpgen::policy::input(&v.resolved, &file.name)) {
                        Ok(found) => per_variant.push(found),
                        Err(e) => panic!("built-in policy pack failed: {e}"),
                    }
                }
                let variants: Vec<_> = file.variants.iter().map(|v| &v.resolved).collect();
                let located = mcpgen::policy::locate(doc, &variants, per_variant);
                report.add(located);
            }
        }
    }
    let (diags, sources) = (&report.diagnostics, &report.sources);
    let _ = render::human::render(diags, sources, 1, Style::plain());
    let json = render::json::render(diags, sources, 1);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "JSON report does not parse"
    );
    let _ = render::github::render(diags, sources, 1);
    let _ = render::sarif::render(diags, sources, &report.catalog);
    let _ = render::junit::render(diags, sources, &[name.to_string()]);
    Some(report)
}

/// Check, then build every valid variant with every target as `build --stdout` does (Model,
/// emitters, consistency stage, the writer's path validation); nothing touches the disk.
pub fn build(data: &[u8], syntax: Syntax) {
    let Some(report) = check(data, syntax, false) else {
        return;
    };
    if !report.failures.is_empty() || report.has_errors() {
        return;
    }
    let opts = BuildOptions {
        all_envs: true,
        ..BuildOptions::default()
    };
    // A Failure (two specs writing to one place, an emitter that cannot serialize) is a
    // refusal, not a crash; `pipeline::build` itself validates every tree's paths.
    if let Ok(built) = pipeline::build(&report, &opts) {
        for tree in &built.trees {
            for (path, contents) in &tree.files {
                assert!(contents.ends_with('\n'), "{path} has no final newline");
            }
        }
        // Whatever the spec said, every path the writer gets is a plain relative path.
        assert!(
            mcpgen::write::validate(&built.trees).is_ok(),
            "unsafe output path"
        );
    }
}
