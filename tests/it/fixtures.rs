//! Fixture snapshots: every `fixtures/<case>/service.{yaml,kdl}` is checked and its rendered
//! diagnostics (human, fixed theme and width, and JSON) are snapshotted.
//!
//! Each broken fixture states what it must produce in comment lines of the form
//! `# expect: MCP010 at 8:3` (or `// expect:` in KDL): the code, and the line and column of the
//! offending text. The test fails when such a diagnostic is missing, so a snapshot can never
//! silently accept a diagnostic that moved. Fixtures without `expect` lines must be clean.

use mcpgen::diagnostics::Level;
use mcpgen::diagnostics::render::{self, human::Style};
use mcpgen::pipeline::{self, Options};
use std::path::{Path, PathBuf};

fn relative(path: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

struct Expect {
    code: String,
    at: Option<(usize, usize)>,
}

fn expectations(text: &str) -> Vec<Expect> {
    text.lines()
        .filter_map(|l| {
            let rest = l
                .trim_start_matches(['#', '/', ' '])
                .strip_prefix("expect:")?;
            let mut parts = rest.split_whitespace();
            let code = parts.next()?.to_string();
            let at = match (parts.next(), parts.next()) {
                (Some("at"), Some(pos)) => {
                    let (l, c) = pos.split_once(':')?;
                    Some((l.parse().ok()?, c.parse().ok()?))
                }
                _ => None,
            };
            Some(Expect { code, at })
        })
        .collect()
}

#[test]
fn fixtures() {
    insta::glob!("../../fixtures", "*/service.*", |path| {
        let rel = relative(path);
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let expects = expectations(&text);

        // The parse, schema and semantic findings of each fixture, without its configuration;
        // policy findings are the policy tests' (tests/it/policy.rs).
        let opts = Options {
            no_config: true,
            ..Options::default()
        };
        let run = pipeline::check_paths(std::slice::from_ref(&rel), &opts);
        assert!(
            run.failures.is_empty(),
            "{}: {:?}",
            rel.display(),
            run.failures
        );
        let diags: Vec<_> = run
            .diagnostics
            .iter()
            .filter(|d| !d.code.starts_with("MCP2"))
            .cloned()
            .collect();

        if expects.is_empty() {
            let errors: Vec<_> = diags.iter().filter(|d| d.level == Level::Error).collect();
            assert!(
                errors.is_empty(),
                "{} should be clean: {errors:#?}",
                rel.display()
            );
        }
        for e in &expects {
            let found = diags.iter().any(|d| {
                d.code == e.code
                    && match e.at {
                        None => true,
                        Some(at) => d.start(&run.sources) == Some(at),
                    }
            });
            let got: Vec<_> = diags
                .iter()
                .map(|d| (d.code.clone(), d.start(&run.sources)))
                .collect();
            assert!(
                found,
                "{}: expected {} at {:?}; got {got:?}",
                rel.display(),
                e.code,
                e.at
            );
        }

        for d in &diags {
            assert!(
                d.help.is_some(),
                "{}: {} has no help line",
                rel.display(),
                d.code
            );
            assert!(
                d.primary.is_some() || d.code == "MCP009",
                "{}: {} has no location",
                rel.display(),
                d.code
            );
        }
        let human = render::human::render(&diags, &run.sources, 1, Style::plain());
        let json = render::json::render(&diags, &run.sources, 1);
        insta::assert_snapshot!(format!("{human}\n----- json -----\n{json}"));
    });
}

/// The KDL twin of the reference spec means exactly what the YAML one means, for the base and
/// for every environment.
#[test]
fn kdl_and_yaml_reference_are_identical() {
    let opts = Options::default();
    let yaml = pipeline::check_paths(&[PathBuf::from("fixtures/reference/service.yaml")], &opts);
    let kdl = pipeline::check_paths(&[PathBuf::from("fixtures/reference/service.kdl")], &opts);
    let errors = |r: &pipeline::Report| {
        r.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    };
    assert_eq!(errors(&yaml), 0, "{:?}", yaml.diagnostics);
    assert_eq!(errors(&kdl), 0, "{:?}", kdl.diagnostics);
    let (y, k) = (&yaml.files[0], &kdl.files[0]);
    assert_eq!(y.variants.len(), 3, "base, production and staging");
    assert_eq!(y.variants.len(), k.variants.len());
    for (a, b) in y.variants.iter().zip(&k.variants) {
        assert_eq!(a.spec.env(), b.spec.env());
        assert_eq!(
            a.spec.value(),
            b.spec.value(),
            "environment {:?}",
            a.spec.env()
        );
        assert_eq!(
            a.spec.file(),
            b.spec.file(),
            "environment {:?}",
            a.spec.env()
        );
        assert_eq!(a.resolved, b.resolved, "environment {:?}", a.spec.env());
    }
    assert_eq!(y.doc.as_ref().unwrap().value, k.doc.as_ref().unwrap().value);
}
