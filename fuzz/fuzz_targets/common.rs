//! Shared by the targets: the in-memory check and build pipelines without touching the disk.
//!
//! `check` runs the per-file part of `mcpgen::pipeline::check` (parse, schema, semantic checks,
//! secrets, bounds, resolution) and, for `check_pipeline`, the built-in policy pack on an engine
//! parsed once per thread; it leaves out what reads the disk (mcpgen.toml discovery, team
//! policies), which would measure the Rego parser on every input. `build` hands the result to
//! `mcpgen::pipeline::build` exactly as `mcpgen build --stdout` does.

#![allow(dead_code)]

use mcpgen::diagnostics::Sink;
use mcpgen::diagnostics::render::{self, human::Style};
use mcpgen::pipeline::{self, BuildOptions, FileReport, Report, Variant};
use mcpgen::source::SourceFile;
use mcpgen::spec::{self, Syntax};
use mcpgen::validate::{self, Envs};

/// Check one input and render every report format.
pub fn check(data: &[u8], syntax: Syntax, policies: bool) -> Option<Report> {
    let text = std::str::from_utf8(data).ok()?;
    let name = match syntax {
        Syntax::Yaml => "fuzz.yaml",
        Syntax::Kdl => "fuzz.kdl",
    };
    let mut report = Report::default();
    let id = report
        .sources
        .add(SourceFile::new(name.to_string(), text.to_string()));
    let mut file = FileReport {
        path: name.into(),
        name: name.to_string(),
        on_disk: false,
        doc: None,
        variants: Vec::new(),
    };
    let mut diags = Vec::new();
    match spec::parse(id, report.sources.get(id), syntax) {
        Err(ds) => diags.extend(ds),
        Ok(doc) => {
            diags.extend(doc.warnings.iter().cloned());
            if let Ok(specs) = validate::check(&doc, Envs::All, &mut diags) {
                file.variants = specs
                    .into_iter()
                    .map(|spec| Variant {
                        resolved: mcpgen::resolve::resolve(&spec),
                        spec,
                    })
                    .collect();
            }
            file.doc = Some(doc);
        }
    }
    if policies && let Some(doc) = &file.doc {
        thread_local! {
            static ENGINE: Option<mcpgen::policy::Engine> =
                mcpgen::policy::Engine::new(true, &[], &[]).ok();
        }
        if let Some(mut engine) = ENGINE.with(Clone::clone) {
            let mut per_variant = Vec::new();
            for v in &file.variants {
                // The built-in pack must evaluate on every spec that passed validation.
                match engine.evaluate(mcpgen::policy::input(&v.resolved, &file.name)) {
                    Ok(found) => per_variant.push(found),
                    Err(e) => panic!("built-in policy pack failed: {e}"),
                }
            }
            let variants: Vec<_> = file.variants.iter().map(|v| &v.resolved).collect();
            diags.extend(mcpgen::policy::locate(doc, &variants, per_variant));
        }
    }
    let mut sink = Sink::new();
    sink.extend(diags);
    report.diagnostics = sink.finish(&report.sources);
    report.files.push(file);
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
    let _ = render::concise::render(diags, sources);
    let _ = render::codequality::render(diags, sources);
    Some(report)
}

/// Check, then build every valid variant with every target as `build --stdout` does (Model,
/// emitters, consistency stage, the writer's path validation); nothing touches the disk.
pub fn build(data: &[u8], syntax: Syntax) {
    let Some(report) = check(data, syntax, false) else {
        return;
    };
    if report.has_errors() {
        return;
    }
    let opts = BuildOptions {
        all_envs: true,
        ..BuildOptions::default()
    };
    // A Failure (an emitter that cannot serialize) is a refusal, not a crash;
    // `pipeline::build` itself validates every tree's paths.
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
