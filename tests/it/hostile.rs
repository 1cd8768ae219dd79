//! The hostile corpus (`fixtures/hostile/*`): specs written by an attacker who can edit a file
//! that mcpgen checks and builds on a CI runner. For every case, `check` and `build` (into a
//! directory, with `--check`, and with `--stdout`) must exit 1 or 2 as expected, never panic,
//! write nothing inside the output directory, create or change nothing beside it, and report the
//! `expect:` code at its line and column where the attack has a location.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use super::support::*;

/// Every file and directory under `dir` with its contents (directories map to `None`).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_path_buf();
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    out.insert(rel, None);
                    stack.push(p);
                }
                _ => {
                    out.insert(rel, std::fs::read(&p).ok());
                }
            }
        }
    }
    out
}

struct Expect {
    code: String,
    at: Option<(usize, usize)>,
}

fn comments(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.trim_start_matches(['#', '/', ' '])
                .strip_prefix(key)
                .map(|r| r.trim().to_string())
        })
        .collect()
}

fn expectations(text: &str) -> Vec<Expect> {
    comments(text, "expect:")
        .iter()
        .filter_map(|rest| {
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

fn no_crash(case: &str, what: &str, o: &Output) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code().is_some(),
        "{case}: `{what}` was killed by a signal: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{case}: `{what}` panicked: {stderr}"
    );
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/hostile"))
        .expect("fixtures/hostile")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn spec_in(case: &Path) -> PathBuf {
    ["service.yaml", "service.kdl"]
        .iter()
        .map(|n| case.join(n))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{}: no service.yaml or service.kdl", case.display()))
}

#[test]
fn hostile_specs_are_refused_without_side_effects() {
    let cases = cases();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let spec_src = spec_in(&case);
        let text = String::from_utf8_lossy(&std::fs::read(&spec_src).unwrap()).into_owned();
        let exit: i32 = comments(&text, "exit:")
            .first()
            .map_or(1, |e| e.parse().expect("exit: N"));

        // A scratch workspace: the spec, a canary directory beside the output directory, and
        // the output directory holding a previous build's file.
        let work =
            std::env::temp_dir().join(format!("mcpgen-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(work.join("victim")).unwrap();
        std::fs::write(work.join("victim/precious"), "keep me").unwrap();
        std::fs::create_dir_all(work.join("deploy/production")).unwrap();
        std::fs::write(work.join("deploy/production/old.yaml"), "old").unwrap();
        let spec_name = spec_src.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(&spec_src, work.join(&spec_name)).unwrap();
        for extra in std::fs::read_dir(&case).unwrap().flatten() {
            let n = extra.file_name();
            if extra.path() != spec_src && extra.path().is_file() {
                std::fs::copy(extra.path(), work.join(n)).unwrap();
            }
        }
        let before = snapshot(&work);

        let check = mcpgen_in(&work, &["check", "--format", "json", &spec_name]);
        no_crash(&name, "check", &check);
        assert_eq!(
            check.status.code(),
            Some(exit),
            "{name}: check exit code; stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&check.stdout).unwrap_or(serde_json::Value::Null);
        let found: Vec<(String, Option<(usize, usize)>)> = report["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        let code = d["code"].as_str().unwrap_or_default().to_string();
                        let at = d["region"]["startLine"]
                            .as_u64()
                            .zip(d["region"]["startColumn"].as_u64());
                        (code, at.map(|(l, c)| (l as usize, c as usize)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for e in expectations(&text) {
            assert!(
                found
                    .iter()
                    .any(|(c, at)| *c == e.code && (e.at.is_none() || *at == e.at)),
                "{name}: expected {} at {:?}, found {found:?}",
                e.code,
                e.at
            );
        }

        for args in [
            vec!["build", spec_name.as_str(), "-o", "deploy"],
            vec!["build", spec_name.as_str(), "-o", "deploy", "--check"],
            vec!["build", spec_name.as_str(), "--stdout"],
        ] {
            let o = mcpgen_in(&work, &args);
            let what = args.join(" ");
            no_crash(&name, &what, &o);
            assert_eq!(
                o.status.code(),
                Some(exit),
                "{name}: `{what}` exit code; stderr: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            if args.contains(&"--stdout") {
                let out = String::from_utf8_lossy(&o.stdout);
                assert!(
                    !out.contains("kind:"),
                    "{name}: `{what}` streamed objects from a refused spec"
                );
            }
            assert_eq!(
                snapshot(&work),
                before,
                "{name}: `{what}` changed the workspace"
            );
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    // `env-name-absolute` names this directory.
    assert!(!Path::new("/tmp/mcpgen-hostile-absolute").exists());
}
