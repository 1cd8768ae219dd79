//! The image checks: the executable each container runs exists in the image's final stage, it
//! runs under an init, and the ignore file is where the documented build reads it.
//!
//! The final stage is read from the Dockerfile's instructions: its base image (whose files
//! mcpgen knows for the runtimes it builds: node, python, distroless/static), its `WORKDIR`,
//! `PATH`, the destinations of its `COPY`s, `ENTRYPOINT` and `CMD`. A path exists when the
//! base image has it or it lies at or below a copied destination; a bare name exists when it
//! is found on `PATH` the same way (a copied directory on `PATH`, such as a venv's `bin`, may
//! hold any name). The command actually run is the Dockerfile's `ENTRYPOINT` + `CMD`, or what
//! the Deployment's `command`/`args` and compose's `entrypoint`/`command` put in their place.

use serde_json::Value;

use super::{Finding, View, server_container};
use crate::compile::Content;
use crate::compile::docker::Instruction;
use crate::diagnostics::codes;
use crate::model::Model;

/// Executables that forward signals and reap zombies.
const INITS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "docker-init",
    "catatonit",
];
/// `PATH` of an image that sets none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What the final stage of a Dockerfile has and runs.
#[derive(Debug, Default)]
pub struct Stage {
    /// Base image.
    pub image: String,
    /// Working directory.
    pub workdir: String,
    /// `PATH` directories.
    pub path: Vec<String>,
    /// Absolute destinations of `COPY`.
    pub copies: Vec<String>,
    /// `ENTRYPOINT`.
    pub entrypoint: Option<Vec<String>>,
    /// `CMD`.
    pub cmd: Option<Vec<String>>,
}

impl Stage {
    /// The final stage of a Dockerfile.
    pub fn last(instructions: &[Instruction]) -> Stage {
        let mut stage = Stage::default();
        for i in instructions {
            match i {
                Instruction::From { image, .. } => {
                    stage = Stage {
                        image: image.clone(),
                        workdir: "/".to_string(),
                        ..Stage::default()
                    };
                }
                Instruction::Workdir(p) => stage.workdir = join(&stage.workdir, p),
                Instruction::Env(pairs) => {
                    for (k, v) in pairs {
                        if k == "PATH" {
                            stage.path = v.split(':').map(str::to_string).collect();
                        }
                    }
                }
                Instruction::Copy { paths, .. } => {
                    if let Some(dest) = paths.last() {
                        let dest = join(&stage.workdir, dest);
                        stage.copies.push(dest);
                    }
                }
                Instruction::Entrypoint(e) => stage.entrypoint = Some(e.clone()),
                Instruction::Cmd(c) => stage.cmd = Some(c.clone()),
                _ => {}
            }
        }
        if stage.path.is_empty() {
            stage.path = DEFAULT_PATH.split(':').map(str::to_string).collect();
        }
        stage
    }

    /// Files of the base image mcpgen knows, or `None` for a base image it does not know
    /// (nothing can then be said about a path the copies do not provide).
    fn base_files(&self) -> Option<Vec<String>> {
        let shell = ["/bin/sh", "/usr/bin/env"];
        let list = |v: &[&str]| Some(v.iter().chain(&shell).map(|s| s.to_string()).collect());
        let image = self.image.as_str();
        if image.starts_with("node:") {
            list(&[
                "/usr/local/bin/node",
                "/usr/local/bin/npm",
                "/usr/local/bin/npx",
                "/usr/local/bin/corepack",
                "/usr/local/bin/yarn",
            ])
        } else if image.starts_with("python:") {
            list(&[
                "/usr/local/bin/python",
                "/usr/local/bin/python3",
                "/usr/local/bin/pip",
                "/usr/local/bin/pip3",
            ])
        } else if image.starts_with("gcr.io/distroless/static") {
            Some(Vec::new())
        } else {
            None
        }
    }

    /// Whether an absolute path exists in the stage; `None` when it cannot be known.
    pub fn has(&self, path: &str) -> Option<bool> {
        if self.copies.iter().any(|c| at_or_below(path, c)) {
            return Some(true);
        }
        let base = self.base_files()?;
        // The python image also has its versioned interpreter (`python3.12`).
        let versioned = self.image.starts_with("python:")
            && path
                .strip_prefix("/usr/local/bin/python3.")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()));
        Some(base.iter().any(|b| b == path) || versioned)
    }

    /// Whether the stage has the executable `argv0` names (a path, or a name on `PATH`);
    /// `None` when it cannot be known.
    pub fn resolves(&self, argv0: &str) -> Option<bool> {
        if argv0.contains('/') {
            return self.has(&join(&self.workdir, argv0));
        }
        let mut unknown = false;
        for dir in &self.path {
            // A copied directory on PATH (a venv's `bin`) may hold any name.
            if self.copies.iter().any(|c| at_or_below(dir, c)) {
                return Some(true);
            }
            match self.has(&format!("{}/{argv0}", dir.trim_end_matches('/'))) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown { None } else { Some(false) }
    }
}

/// `path` resolved against `dir` (absolute paths as they are), `.` segments removed.
fn join(dir: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in full.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

fn at_or_below(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty() || path == dir || path.starts_with(&format!("{dir}/"))
}

fn is_init(argv0: &str) -> bool {
    INITS.contains(&argv0.rsplit('/').next().unwrap_or(argv0))
}

/// The command an init runs: what follows its own flags (and a `--`).
fn after_init(argv: &[String]) -> &[String] {
    let mut i = 1;
    while i < argv.len() && argv[i].starts_with('-') {
        i += 1;
        if argv[i - 1] == "--" {
            break;
        }
    }
    &argv[i.min(argv.len())..]
}

/// Where a command comes from, to locate findings about it.
#[derive(Clone, Copy)]
enum Source {
    /// `build.command` (the Dockerfile's CMD).
    BuildCommand,
    /// `spec.args` (the Deployment's `args`, compose's `command`).
    Args,
}

impl Source {
    fn pointer(self, i: usize) -> String {
        match self {
            Source::BuildCommand => format!("/spec/build/command/{i}"),
            Source::Args => format!("/spec/args/{i}"),
        }
    }
}

/// Check what one container runs. `entry` replaces the image's ENTRYPOINT when given,
/// `cmd` its CMD; `what` names the container for messages.
fn check_run(
    stage: &Stage,
    entry: Option<&[String]>,
    cmd: (&[String], Source),
    what: &str,
    out: &mut Vec<Finding>,
) {
    let (cmd, source) = cmd;
    let entry = entry.unwrap_or(stage.entrypoint.as_deref().unwrap_or(&[]));
    let missing = |path: &str| stage.resolves(path) == Some(false);
    let (program, offset) = match entry.first() {
        Some(e) if is_init(e) => {
            if missing(e) {
                out.push(Finding::new(
                    &codes::EXECUTABLE_NOT_IN_IMAGE,
                    "/spec/build",
                    format!(
                        "{what} starts the init `{e}`, which the image's final stage does not have"
                    ),
                ));
            }
            let rest = after_init(entry);
            if rest.is_empty() {
                (cmd, 0)
            } else {
                (rest, usize::MAX)
            }
        }
        Some(e) => {
            if missing(e) {
                out.push(Finding::new(
                    &codes::EXECUTABLE_NOT_IN_IMAGE,
                    source.pointer(0),
                    format!("{what} runs `{e}`, which the image's final stage does not have"),
                ));
            }
            return;
        }
        None => (cmd, 0),
    };
    let Some(argv0) = program.first() else {
        return;
    };
    let at = |i: usize| {
        if offset == usize::MAX {
            "/spec/build".to_string()
        } else {
            source.pointer(i + offset)
        }
    };
    if missing(argv0) {
        let copied = if stage.copies.is_empty() {
            "nothing".to_string()
        } else {
            stage
                .copies
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(Finding::new(
            &codes::EXECUTABLE_NOT_IN_IMAGE,
            at(0),
            format!(
                "{what} runs `{argv0}`, which the image's final stage does not have (it \
                 copies {copied} onto `{}`)",
                stage.image
            ),
        ));
        return;
    }
    // `node server.js` / `python app.py`: the script is the program.
    let interpreter = argv0.rsplit('/').next().unwrap_or(argv0);
    let script_ext: &[&str] = match interpreter {
        "node" => &[".js", ".mjs", ".cjs"],
        i if i == "python" || i.starts_with("python3") => &[".py"],
        _ => &[],
    };
    if script_ext.is_empty() {
        return;
    }
    if let Some((i, script)) = program
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, a)| !a.starts_with('-'))
        && script_ext.iter().any(|e| script.ends_with(e))
        && stage.has(&join(&stage.workdir, script)) == Some(false)
    {
        out.push(Finding::new(
            &codes::EXECUTABLE_NOT_IN_IMAGE,
            at(i),
            format!(
                "{what} runs the script `{script}`, which the image's final stage does not \
                 have (the build output copied is {})",
                stage
                    .copies
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect()
    })
}

/// Run the image checks.
pub fn check(model: &Model, view: &View, out: &mut Vec<Finding>) {
    let compose_server = view
        .compose()
        .and_then(|c| c.pointer(&format!("/services/{}", model.name)));
    if let Some(server) = compose_server
        && server.get("init").and_then(Value::as_bool) != Some(true)
        && view.dockerfile().is_none()
    {
        // An image built elsewhere: nothing is known of its PID 1, so compose must add one.
        out.push(Finding::new(
            &codes::NO_INIT_PROCESS,
            "/spec/image",
            format!(
                "compose runs `{}` without `init: true`: the server is PID 1 and ignores SIGTERM \
                 unless it handles it",
                model.name
            ),
        ));
    }
    let Some((path, instructions)) = view.dockerfile() else {
        return;
    };
    let stage = Stage::last(instructions);
    let cmd = stage.cmd.clone().unwrap_or_default();

    // The image as built.
    check_run(&stage, None, (&cmd, Source::BuildCommand), "the image", out);
    let init = match (&stage.entrypoint, stage.cmd.as_deref()) {
        (Some(e), _) => e.first().is_some_and(|e| is_init(e)),
        (None, Some(c)) => c.first().is_some_and(|c| is_init(c)),
        (None, None) => false,
    };
    if !init {
        out.push(Finding::new(
            &codes::NO_INIT_PROCESS,
            "/spec/build",
            format!(
                "{path} runs `{}` as PID 1 with no init: it ignores SIGTERM unless it handles \
                 it, so every pod waits out its grace period and is killed",
                cmd.first().map_or("", String::as_str)
            ),
        ));
    }

    // The workload's command and args replace ENTRYPOINT and CMD.
    if let Some(dep) = view.workload()
        && let Some(c) = server_container(dep)
        && c.get("image").and_then(Value::as_str) == Some(model.image.as_str())
    {
        let command = strings(c.get("command"));
        let args = strings(c.get("args"));
        if command.is_some() || args.is_some() {
            let args_src = if model.args.is_some() {
                Source::Args
            } else {
                Source::BuildCommand
            };
            let args = args.unwrap_or_default();
            if let Some(command) = &command {
                if !command.first().is_some_and(|c| is_init(c)) {
                    out.push(Finding::new(
                        &codes::NO_INIT_PROCESS,
                        "/spec/build",
                        "the Deployment's `command` replaces the image's init: the server \
                         runs as PID 1",
                    ));
                }
                check_run(
                    &stage,
                    Some(command),
                    (&args, args_src),
                    "the Deployment",
                    out,
                );
            } else {
                check_run(&stage, None, (&args, args_src), "the Deployment", out);
            }
        }
    }
    // So do compose's `entrypoint` and `command`.
    if let Some(server) = compose_server {
        let entry = strings(server.get("entrypoint"));
        let command = strings(server.get("command"));
        if entry.is_some() || command.is_some() {
            let src = if model.args.is_some() {
                Source::Args
            } else {
                Source::BuildCommand
            };
            let command = command.unwrap_or_else(|| cmd.clone());
            check_run(&stage, entry.as_deref(), (&command, src), "compose", out);
        }
    }

    // The ignore file the documented build reads: `<Dockerfile>.dockerignore` beside it.
    let ignore_path = format!("{path}.dockerignore");
    match view
        .artifacts
        .iter()
        .find(|a| a.path == ignore_path)
        .map(|a| &a.content)
    {
        Some(Content::Ignore(patterns)) => {
            for secret in [".env", "config/.env", ".git", "keys/server.key"] {
                if !patterns.iter().any(|p| glob(p, secret)) {
                    out.push(Finding::new(
                        &codes::IGNORE_FILE_NOT_READ,
                        "/spec/build",
                        format!("{ignore_path} lets `{secret}` into the build context"),
                    ));
                }
            }
        }
        _ => out.push(Finding::new(
            &codes::IGNORE_FILE_NOT_READ,
            "/spec/build",
            format!(
                "no {ignore_path}: `docker build -f {path} .` from the application's root \
                 reads no ignore file, and `COPY . .` takes `.git`, `.env` files and keys into \
                 the image"
            ),
        )),
    }
}

/// Whether a Docker ignore pattern matches a context-relative path: `*` within a segment,
/// `**` across segments.
pub fn glob(pattern: &str, path: &str) -> bool {
    fn seg(p: &str, s: &str) -> bool {
        match p.split_once('*') {
            None => p == s,
            Some((head, tail)) => {
                s.starts_with(head)
                    && (0..=s.len() - head.len()).any(|i| {
                        s.is_char_boundary(head.len() + i) && seg(tail, &s[head.len() + i..])
                    })
            }
        }
    }
    fn parts(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => parts(&p[1..], s) || (!s.is_empty() && parts(p, &s[1..])),
            (Some(pp), Some(ss)) => seg(pp, ss) && parts(&p[1..], &s[1..]),
            // A pattern matching a directory excludes what is below it.
            (None, Some(_)) => true,
            (Some(_), None) => false,
        }
    }
    let p: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    parts(&p, &s)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn ignore_globs() {
        assert!(glob("**/.env", ".env"));
        assert!(glob("**/.env", "a/b/.env"));
        assert!(glob(".git", ".git"));
        assert!(glob(".git", ".git/config"));
        assert!(glob("**/*.key", "keys/server.key"));
        assert!(!glob("*.key", "keys/server.key"));
        assert!(glob("**/.env.*", "x/.env.local"));
        assert!(!glob("**/.env.*", ".env"));
    }

    #[test]
    fn after_init_skips_flags() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            after_init(&v(&["tini", "-s", "--", "node", "-e"])),
            v(&["node", "-e"])
        );
        assert!(after_init(&v(&["tini", "--"])).is_empty());
        assert_eq!(after_init(&v(&["dumb-init", "x"])), v(&["x"]));
    }
}
