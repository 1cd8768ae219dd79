//! Shared by the targets: the in-memory check and build pipelines, exactly as `mcpgen check`
//! and `mcpgen build --stdout` run them, without touching the disk.

#![allow(dead_code)]

use mcpgen::check::{Run, check_text};
use mcpgen::diagnostics::render::{self, human::Style};
use mcpgen::diagnostics::Sink;
use mcpgen::spec::Syntax;

/// Parse, validate (schema, semantic checks, secrets, bounds) and render every report format.
pub fn check(data: &[u8], syntax: Syntax, policies: bool) -> Run {
    let mut run = Run::default();
    let Ok(text) = std::str::from_utf8(data) else {
        return run;
    };
    let name = match syntax {
        Syntax::Yaml => "fuzz.yaml",
        Syntax::Kdl => "fuzz.kdl",
    };
    check_text(&mut run, name, text.to_string(), syntax, None);
    if policies {
        thread_local! {
            static ENGINE: Option<mcpgen::policy::Engine> =
                mcpgen::policy::Engine::new(true, &[], &[]).ok();
        }
        if let Some(mut engine) = ENGINE.with(Clone::clone) {
            match mcpgen::policy::check(&mut engine, &run) {
                Ok(found) => run.diagnostics.extend(found),
                // The built-in pack must evaluate on every spec that passed validation.
                Err(e) => panic!("built-in policy pack failed: {e}"),
            }
        }
    }
    let mut sink = Sink::new();
    sink.extend(run.diagnostics.clone());
    let diags = sink.finish(&run.sources);
    let _ = render::human::render(&diags, &run.sources, 1, Style::plain());
    let json = render::json::render(&diags, &run.sources, 1);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "JSON report does not parse");
    let _ = render::github::render(&diags, &run.sources, 1);
    let _ = render::sarif::render(&diags, &run.sources, &[]);
    let _ = render::junit::render(&diags, &run.sources, &[name.to_string()]);
    run
}

/// Check, then compile every valid variant with every target, as `build --stdout` does, and
/// validate the trees the writer would get.
pub fn build(data: &[u8], syntax: Syntax) {
    let run = check(data, syntax, false);
    let mut trees = Vec::new();
    for file in &run.files {
        for spec in &file.specs {
            let model = mcpgen::model::Model::from_spec_named(spec, "fuzz.yaml");
            let mut files = std::collections::BTreeMap::new();
            for e in mcpgen::compile::emitters() {
                if let Ok(arts) = e.emit(&model) {
                    for a in arts {
                        assert!(a.contents.ends_with('\n'), "{} has no final newline", a.path);
                        files.insert(a.path, a.contents);
                    }
                }
            }
            let root = spec.env().unwrap_or("base").to_string();
            if !trees.iter().any(|t: &mcpgen::write::Tree| t.root == root) {
                trees.push(mcpgen::write::Tree { root, files });
            }
        }
    }
    // Whatever the spec said, every path the writer gets is a plain relative path.
    assert!(mcpgen::write::validate(&trees).is_ok(), "unsafe output path");
}
