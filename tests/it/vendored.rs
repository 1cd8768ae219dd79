//! The repository carries what its tests need from the shared project material, so a clone
//! passes its own tests. When `../shared` is present (CI, the team's machines), every vendored
//! copy must equal its source.

use std::path::Path;

use super::support::root;

/// Vendored file → its source under `../shared`.
fn pairs() -> Vec<(String, String)> {
    let mut out = vec![
        (
            "fixtures/reference/service.yaml".to_string(),
            "specs/reference.mcp.yaml".to_string(),
        ),
        (
            "fixtures/minimal/service.yaml".to_string(),
            "specs/minimal.mcp.yaml".to_string(),
        ),
    ];
    let vendored = root().join("tests/data/schemas-thirdparty");
    let mut stack = vec![vendored.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("vendored schemas") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&vendored)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((
                format!("tests/data/schemas-thirdparty/{rel}"),
                format!("schemas-thirdparty/{rel}"),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn vendored_copies_equal_the_shared_material() {
    let shared = root().join("../shared");
    let pairs = pairs();
    assert!(pairs.len() > 40, "the vendored schemas are missing");
    if !shared.is_dir() {
        eprintln!("../shared is absent: the vendored copies are used as they are");
        return;
    }
    for (copy, source) in &pairs {
        let a = std::fs::read(root().join(copy)).expect("vendored copy");
        let b = std::fs::read(shared.join(source))
            .unwrap_or_else(|e| panic!("{copy}: its source ../shared/{source}: {e}"));
        assert!(
            a == b,
            "{copy} differs from ../shared/{source}: copy it again"
        );
    }
    // Every shared schema is vendored, so new tests can rely on any of them.
    let src = shared.join("schemas-thirdparty");
    let mut stack = vec![src.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("shared schemas") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&src)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            assert!(
                Path::new(&root().join("tests/data/schemas-thirdparty").join(&rel)).is_file(),
                "../shared/schemas-thirdparty/{rel} is not vendored"
            );
        }
    }
}
