//! The hostile corpus (`fixtures/hostile/*`): specs written by an attacker who can edit a file
//! that mcpgen checks and builds on a CI runner. For every case, `check` and `build` (into a
//! directory, with `--check`, and with `--stdout`) must exit 1 or 2 as expected, never panic,
//! write nothing inside the output directory, create or change nothing beside it, and report the
//! `expect:` code at its line and column where the attack has a location.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::root;

/// Every file and directory under `dir` with its contents (directories map to `None`; symbolic
/// links to their target, never followed; FIFOs and devices to a tag, never opened).
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
                Ok(t) if t.is_symlink() => {
                    let target = std::fs::read_link(&p).unwrap_or_default();
                    out.insert(rel, Some(format!("-> {}", target.display()).into_bytes()));
                }
                Ok(t) if t.is_file() => {
                    out.insert(rel, std::fs::read(&p).ok());
                }
                _ => {
                    out.insert(rel, Some(b"(special file)".to_vec()));
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

/// An environment variable every run gets: it must never appear in anything mcpgen prints
/// (a spec, data file or output file that is a link to `/proc/self/environ` would print it).
const CANARY: (&str, &str) = ("MCPGEN_HOSTILE_CANARY", "c4n4ry-0f-the-runner-environment");

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("MCPGEN_TODAY", "2026-06-01")
        .env(CANARY.0, CANARY.1)
        .output()
        .expect("run mcpgen")
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
    for (stream, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(CANARY.1),
            "{case}: `{what}` printed the runner's environment on {stream}"
        );
        // No escape sequence reaches the terminal: ESC, CSI (C1) and BEL.
        let raw = text
            .chars()
            .find(|c| matches!(c, '\u{1b}' | '\u{9b}' | '\u{7}' | '\u{2028}' | '\u{202e}'));
        assert!(
            raw.is_none(),
            "{case}: `{what}` wrote {raw:?} to {stream} raw"
        );
    }
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
        .find(|p| std::fs::symlink_metadata(p).is_ok())
        .unwrap_or_else(|| panic!("{}: no service.yaml or service.kdl", case.display()))
}

/// Copy a case into the workspace: files as they are, symbolic links as links (never
/// followed: several cases are links to the runner's files).
fn copy_case(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ty = e.file_type().unwrap();
        if ty.is_symlink() {
            let target = std::fs::read_link(&src).unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink(target, &dst).unwrap();
        } else if ty.is_dir() {
            copy_case(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Prepare what a case cannot commit: FIFOs, multi-megabyte files, thousands of entries.
fn setup(work: &Path, spec: &str, directive: &str) {
    let parts: Vec<&str> = directive.split_whitespace().collect();
    let path = work.join(spec);
    let append = |text: String| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    };
    let comment = if spec.ends_with(".kdl") { "//" } else { "#" };
    match parts.as_slice() {
        ["fifo-spec"] => {
            std::fs::remove_file(&path).unwrap();
            let ok = Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(ok.success(), "mkfifo");
        }
        // Links are made here, not committed: tools that walk fixtures/ (insta's glob, editors,
        // `cargo package`) would follow them into /proc, /root or a loop.
        #[cfg(unix)]
        ["link", at, target] => {
            let at = work.join(at);
            let _ = std::fs::remove_file(&at);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, &at).unwrap();
        }
        ["pad-spec", n] => {
            let n: usize = n.parse().unwrap();
            let line = format!("{comment} {}\n", "x".repeat(1000));
            append(line.repeat(n / line.len() + 1));
        }
        ["many-findings", n] => {
            let n: usize = n.parse().unwrap();
            append((0..n).map(|i| format!("    X{i}: {{a: 1}}\n")).collect());
        }
        ["many-exceptions", n] => {
            let n: usize = n.parse().unwrap();
            let text: String = (0..n)
                .map(|i| {
                    format!(
                        "[[exceptions]]\nrule = \"latest-image-tag\"\npath = \"/spec/x{i}\"\nreason = \"r\"\n"
                    )
                })
                .collect();
            std::fs::write(work.join("mcpgen.toml"), text).unwrap();
        }
        ["pad-value", token, n] => {
            let n: usize = n.parse().unwrap();
            let text: String = std::fs::read_to_string(&path)
                .unwrap()
                .split_inclusive('\n')
                .map(|l| {
                    if l.starts_with(comment) {
                        l.to_string()
                    } else {
                        l.replace(token, &"x".repeat(n))
                    }
                })
                .collect();
            std::fs::write(&path, text).unwrap();
        }
        other => panic!("unknown setup {other:?}"),
    }
}

#[test]
fn hostile_specs_are_refused_without_side_effects() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} hostile cases", cases.len());
    // Cases are independent (one scratch workspace each): run them on every core, and report
    // every failing case, not only the first.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut failed = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(case) = cases.get(i) else { break };
                        let outcome = std::panic::catch_unwind(|| run_case(case));
                        if let Err(e) = outcome {
                            let msg = e
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            failed.push(msg);
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // `env-name-absolute` names this directory.
    assert!(!Path::new("/tmp/mcpgen-hostile-absolute").exists());
}

/// One case through every path (see the module docs).
fn run_case(case: &Path) {
    {
        let case = case.to_path_buf();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let spec_src = spec_in(&case);
        // Expectations live in the spec, or in `expect.txt` when the spec is a link or a FIFO.
        let expect_src = if case.join("expect.txt").exists() {
            case.join("expect.txt")
        } else {
            spec_src.clone()
        };
        let text = String::from_utf8_lossy(&std::fs::read(&expect_src).unwrap()).into_owned();
        let exit: i32 = comments(&text, "exit:")
            .first()
            .map_or(1, |e| e.parse().expect("exit: N"));

        // A scratch workspace: the case, a canary directory beside the output directory, and
        // the output directory holding a previous build's file.
        let work =
            std::env::temp_dir().join(format!("mcpgen-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(work.join("victim")).unwrap();
        std::fs::write(work.join("victim/precious"), "keep me").unwrap();
        std::fs::create_dir_all(work.join("deploy/production")).unwrap();
        std::fs::write(work.join("deploy/production/old.yaml"), "old").unwrap();
        copy_case(&case, &work);
        let _ = std::fs::remove_file(work.join("expect.txt"));
        let spec_name = spec_src.file_name().unwrap().to_string_lossy().into_owned();
        for directive in comments(&text, "setup:") {
            setup(&work, &spec_name, &directive);
        }
        let before = snapshot(&work);

        // `heavy` cases (a policy that fills half a gigabyte before it is stopped) run each
        // path once: the JSON check and the build; the others run every path.
        let heavy = !comments(&text, "heavy").is_empty();
        if !heavy {
            let human = run_in(&work, &["check", &spec_name]);
            no_crash(&name, "check (human)", &human);
            assert_eq!(
                human.status.code(),
                Some(exit),
                "{name}: human check exit code; stderr: {}",
                String::from_utf8_lossy(&human.stderr)
            );
        }
        let check = run_in(&work, &["check", "--format", "json", &spec_name]);
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
        if !heavy {
            let github = run_in(&work, &["check", "--format", "github", &spec_name]);
            no_crash(&name, "check --format github", &github);
        }

        let mut runs = vec![vec!["build", spec_name.as_str(), "-o", "deploy"]];
        if !heavy {
            runs.push(vec!["build", spec_name.as_str(), "-o", "deploy", "--check"]);
            runs.push(vec!["build", spec_name.as_str(), "--stdout"]);
        }
        for args in runs {
            let o = run_in(&work, &args);
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
}

/// A scratch directory with a valid spec (`service.yaml`) and nothing else.
fn workspace(tag: &str, spec: &str) -> PathBuf {
    let work = std::env::temp_dir().join(format!("mcpgen-hostile-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("service.yaml"), spec).unwrap();
    work
}

const VALID: &str = "apiVersion: mcpgen.dev/v1\nkind: MCPServer\nmetadata:\n  name: weather\nspec:\n  image: ghcr.io/acme/weather-mcp:0.3.1\n  mcp: {protocolVersions: [\"2026-07-28\"]}\n  resources:\n    requests: {cpu: 100m, memory: 128Mi}\n    limits: {cpu: 500m, memory: 256Mi}\n  environments:\n    staging: {}\n    production: {spec: {replicas: 3}}\n";

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Two builds into the same directory at once used to leave a truncated tree while both
/// reported success. With the lock they run one after the other and the result is complete.
#[test]
fn concurrent_builds_leave_one_complete_tree() {
    let work = workspace("concurrent", VALID);
    std::fs::write(
        work.join("other.yaml"),
        VALID.replace("replicas: 3", "replicas: 5"),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_mcpgen");
    for _ in 0..3 {
        let children: Vec<_> = ["service.yaml", "other.yaml", "service.yaml", "other.yaml"]
            .iter()
            .map(|spec| {
                Command::new(bin)
                    .args(["build", spec, "-o", "deploy"])
                    .current_dir(&work)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert_eq!(code(&o), 0, "{}", text(&o));
        }
        // The tree on disk is exactly one of the two builds, complete, with no leftovers.
        let one = run_in(&work, &["build", "service.yaml", "-o", "deploy", "--check"]);
        let other = run_in(&work, &["build", "other.yaml", "-o", "deploy", "--check"]);
        assert!(
            code(&one) == 0 || code(&other) == 0,
            "neither build's output is intact:\n{}\n{}",
            text(&one),
            text(&other)
        );
        // DIR/<metadata.name>/<env>: both specs are `weather`. No journal, staging or
        // set-aside directory is left at either level.
        let names = |d: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&work.join("deploy")), ["weather"]);
        assert_eq!(
            names(&work.join("deploy/weather")),
            ["production", "staging"]
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The on-disk state of a build killed between two renames (production swapped, staging not,
/// the old production tree set aside): `--check` says so, and the next build completes it.
#[test]
fn a_build_killed_between_renames_is_completed_by_the_next_one() {
    let work = workspace("killed", VALID);
    let o = run_in(&work, &["build", "service.yaml", "-o", "deploy"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let d = work.join("deploy/weather");
    // What the interrupted build had staged: a new tree for each environment.
    std::fs::write(
        work.join("new.yaml"),
        VALID.replace("replicas: 3", "replicas: 4"),
    )
    .unwrap();
    let o = run_in(&work, &["build", "new.yaml", "-o", "staged"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    std::fs::rename(d.join("production"), d.join(".production.mcpgen-old")).unwrap();
    std::fs::rename(work.join("staged/weather/production"), d.join("production")).unwrap();
    std::fs::rename(
        work.join("staged/weather/staging"),
        d.join(".staging.mcpgen-new"),
    )
    .unwrap();
    // The journal sits in the output directory and names each tree's root below it.
    std::fs::write(
        work.join("deploy/.mcpgen-swap"),
        "weather/production\nweather/staging\n",
    )
    .unwrap();

    let o = run_in(&work, &["build", "new.yaml", "-o", "deploy", "--check"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("interrupted"), "{}", text(&o));
    // The next build (of the old spec) first completes the interrupted one, then builds.
    let o = run_in(&work, &["build", "new.yaml", "-o", "deploy"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run_in(&work, &["build", "new.yaml", "-o", "deploy", "--check"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let mut names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["production", "staging"]);
    let _ = std::fs::remove_dir_all(&work);
}

/// A regular file, a symbolic link or a directory mcpgen did not write at `DIR/<env>` is an
/// error, and is left exactly as it was.
#[test]
fn what_mcpgen_did_not_write_is_left_alone() {
    let work = workspace("foreign", VALID);
    let d = work.join("deploy/weather");
    std::fs::create_dir_all(d.join("production")).unwrap();
    std::fs::write(d.join("production/notes.md"), "mine").unwrap();
    std::fs::write(d.join("staging"), "a file").unwrap();
    let before = snapshot(&work);
    let o = run_in(&work, &["build", "service.yaml", "-o", "deploy"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("did not write") || text(&o).contains("not a directory"));
    assert_eq!(snapshot(&work), before);
    #[cfg(unix)]
    {
        std::fs::remove_dir_all(d.join("production")).unwrap();
        std::fs::remove_file(d.join("staging")).unwrap();
        std::fs::create_dir_all(work.join("victim")).unwrap();
        std::fs::write(work.join("victim/precious"), "keep").unwrap();
        std::os::unix::fs::symlink(work.join("victim"), d.join("production")).unwrap();
        let before = snapshot(&work);
        let o = run_in(&work, &["build", "service.yaml", "-o", "deploy"]);
        assert_eq!(code(&o), 2, "{}", text(&o));
        assert_eq!(snapshot(&work), before);
        // The output directory itself may not be a link out of the repository.
        let out = work.join("out-link");
        std::os::unix::fs::symlink("/tmp", &out).unwrap();
        let o = run_in(&work, &["build", "service.yaml", "-o", "out-link"]);
        assert_eq!(code(&o), 2, "{}", text(&o));
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// A build of some targets keeps the other targets' files of a directory mcpgen owns, but does
/// not adopt a directory it did not write by carrying someone's files over into it.
#[test]
fn a_partial_build_keeps_other_targets_but_claims_no_foreign_directory() {
    let work = workspace("partial", VALID);
    let o = run_in(&work, &["build", "service.yaml", "-o", "deploy"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let prod = work.join("deploy/weather/production");
    std::fs::write(prod.join("k8s/deployment.yaml"), "stale\n").unwrap();
    let o = run_in(
        &work,
        &["build", "service.yaml", "-o", "deploy", "--target", "k8s"],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(prod.join("compose.yaml").is_file());
    assert!(prod.join(mcpgen::write::MARKER).is_file());
    let o = run_in(&work, &["build", "service.yaml", "-o", "deploy", "--check"]);
    assert_eq!(code(&o), 0, "{}", text(&o));

    // Someone's directory where an environment goes: a k8s build does not take it over.
    let foreign = work.join("other/weather/production");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.md"), "mine").unwrap();
    let before = snapshot(&work.join("other"));
    let o = run_in(
        &work,
        &[
            "build",
            "service.yaml",
            "-o",
            "other",
            "--target",
            "k8s",
            "--env",
            "production",
        ],
    );
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("notes.md"), "{}", text(&o));
    assert_eq!(snapshot(&work.join("other")), before);
    let _ = std::fs::remove_dir_all(&work);
}

/// A committed symlink in the output directory to `/proc/self/environ` printed the runner's
/// environment in the drift diff. It is reported as drift, never followed.
#[cfg(unix)]
#[test]
fn the_drift_check_never_follows_a_symlink() {
    let work = workspace("drift-symlink", VALID);
    let o = run_in(&work, &["build", "service.yaml", "-o", "deploy"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let dep = work.join("deploy/weather/production/k8s/deployment.yaml");
    std::fs::remove_file(&dep).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", &dep).unwrap();
    let staging = work.join("deploy/weather/staging");
    std::os::unix::fs::symlink("/etc/passwd", staging.join("passwd.yaml")).unwrap();
    std::os::unix::fs::symlink("/proc/self", staging.join("proc")).unwrap();
    for format in ["human", "json"] {
        let o = run_in(
            &work,
            &[
                "build",
                "service.yaml",
                "-o",
                "deploy",
                "--check",
                "--format",
                format,
            ],
        );
        no_crash("drift-symlink", "build --check", &o);
        assert_eq!(code(&o), 1, "{}", text(&o));
        let t = text(&o);
        assert!(t.contains("symbolic link"), "{t}");
        assert!(!t.contains("root:x:0:0"), "{t}");
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// A spec file name with U+2028 (a line break to YAML 1.1 readers) or a newline stays inside
/// the generated header comment.
#[test]
fn file_names_stay_inside_the_header_comment() {
    let work = workspace("header", VALID);
    for name in [
        "svc\u{2028}kind: Secret.yaml",
        "svc\u{85}kind: Secret.yaml",
        "svc\nkind: Secret.yaml",
    ] {
        std::fs::copy(work.join("service.yaml"), work.join(name)).unwrap();
        let o = run_in(&work, &["build", name, "--stdout", "--env", "production"]);
        assert_eq!(code(&o), 0, "{}", text(&o));
        let broke_out = |out: &str| {
            out.split(['\n', '\u{2028}', '\u{2029}', '\u{85}'])
                .find(|line| line.starts_with("kind: Secret"))
                .map(str::to_string)
        };
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(broke_out(&out), None, "{name:?} broke out of --stdout");
        // Every generated YAML file opens with the header, on one line.
        let _ = std::fs::remove_dir_all(work.join("deploy"));
        let o = run_in(&work, &["build", name, "-o", "deploy"]);
        assert_eq!(code(&o), 0, "{}", text(&o));
        let dir = work.join("deploy/weather/production/k8s");
        let mut yaml = 0;
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let out = std::fs::read_to_string(e.path()).unwrap();
            assert_eq!(
                broke_out(&out),
                None,
                "{name:?} broke out of {:?}",
                e.path()
            );
            assert!(
                out.starts_with("# Generated by mcpgen from svc kind: Secret.yaml. Do not edit.\n"),
                "{:?}: {out}",
                e.path()
            );
            yaml += 1;
        }
        assert!(yaml > 3, "{yaml} files in {}", dir.display());
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// A secret finding is silenced only by an exception with a reason, and then `build` writes.
#[test]
fn a_secret_is_accepted_only_through_an_exception_with_a_reason() {
    let spec = VALID.replace(
        "  environments:",
        "  env:\n    VERIFY_SEED: Zx8Qp2LmN7vB4tR9kW3yH6jD5sF1aG0cUe\n  environments:",
    );
    let work = workspace("secret-exception", &spec);
    let o = run_in(&work, &["check", "service.yaml"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("MCP401"), "{}", text(&o));
    for flag in [["-A", "hardcoded-secret"], ["-W", "MCP401"]] {
        let o = run_in(&work, &["check", flag[0], flag[1], "service.yaml"]);
        assert_eq!(code(&o), 1, "{flag:?}: {}", text(&o));
    }
    std::fs::write(
        work.join("mcpgen.toml"),
        "[[exceptions]]\nrule = \"hardcoded-secret\"\npath = \"/spec/env/VERIFY_SEED\"\nreason = \"a public verification key\"\n",
    )
    .unwrap();
    let o = run_in(&work, &["build", "service.yaml", "-o", "deploy"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run_in(&work, &["explain", "MCP401"]);
    assert_eq!(code(&o), 0);
    for heading in [
        "## What it does",
        "## Why is this bad",
        "## Example",
        "## Use instead",
    ] {
        assert!(text(&o).contains(heading), "{}", text(&o));
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// `docs/security.md` lists every bound with its value: the table and the constants agree.
#[test]
fn the_security_page_states_every_bound() {
    use mcpgen::limits::*;
    let page = std::fs::read_to_string(root().join("docs/security.md")).unwrap();
    for (what, value) in [
        ("MAX_SPEC_BYTES", MAX_SPEC_BYTES.to_string()),
        ("MAX_CONFIG_BYTES", MAX_CONFIG_BYTES.to_string()),
        ("MAX_POLICY_FILE_BYTES", MAX_POLICY_FILE_BYTES.to_string()),
        ("MAX_POLICY_FILES", MAX_POLICY_FILES.to_string()),
        ("MAX_POLICY_DIR_DEPTH", MAX_POLICY_DIR_DEPTH.to_string()),
        ("MAX_DATA_BYTES", MAX_DATA_BYTES.to_string()),
        ("MAX_DEPTH", MAX_DEPTH.to_string()),
        ("MAX_ITEMS", MAX_ITEMS.to_string()),
        ("MAX_EXPANDED_BYTES", MAX_EXPANDED_BYTES.to_string()),
        ("MAX_ENVIRONMENTS", MAX_ENVIRONMENTS.to_string()),
        ("MAX_CONFIG_ENTRIES", MAX_CONFIG_ENTRIES.to_string()),
        ("MAX_FULL_FINDINGS", MAX_FULL_FINDINGS.to_string()),
        ("MAX_SNIPPET_LINE", MAX_SNIPPET_LINE.to_string()),
        ("POLICY_MEMORY_BYTES", POLICY_MEMORY_BYTES.to_string()),
        ("POLICY_TIME", POLICY_TIME.as_secs().to_string()),
        ("MAX_CONFIGMAP_BYTES", MAX_CONFIGMAP_BYTES.to_string()),
        (
            "MAX_ANNOTATIONS_BYTES",
            mcpgen::validate::metadata::MAX_ANNOTATIONS_BYTES.to_string(),
        ),
    ] {
        assert!(
            page.contains(&format!("| {value} |")),
            "docs/security.md does not state {what} = {value}"
        );
    }
}
