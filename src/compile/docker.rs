//! The Docker target: a multi-stage `Dockerfile` and its ignore file, written only when the
//! spec has a `build` section (without one, the image is built elsewhere).
//!
//! The documented build runs from the application's root with the Dockerfile given by path
//! (`docker build -f DIR/<name>/<env>/Dockerfile .`). BuildKit reads the ignore file named
//! after the Dockerfile beside it (`Dockerfile.dockerignore`) in preference to a `.dockerignore`
//! at the context root, so that is where it is written. Every image runs its command under
//! tini, copied from Debian's package into the final stage, so that the server is not PID 1
//! (which ignores SIGTERM unless it installs a handler) and zombies are reaped.
//!
//! The Dockerfile is a typed list of [`Instruction`]s with one serializer. Every instruction
//! that carries a value from the spec uses the JSON exec form, whose strings are escaped by
//! `serde_json`: a newline, quote, backslash or `$` in a command stays inside its JSON string,
//! and exec-form instructions are not subject to Dockerfile variable expansion. Values that
//! would have to appear outside a JSON string (the build output path in `COPY`) are checked
//! against a conservative character set instead, and rejected with a located error.

use crate::compile::{Artifact, CompileError, Content, Emitter};
use crate::model::bridge::BRIDGE_DIR;
use crate::model::{APP_DIR, BuildModel, Model, UID};

/// File name of the Dockerfile in the environment directory.
pub const DOCKERFILE: &str = "Dockerfile";
/// Ignore file BuildKit reads for [`DOCKERFILE`] when the build names it with `-f`.
pub const IGNORE_FILE: &str = "Dockerfile.dockerignore";
/// Image of the stage that provides the init process.
const INIT_IMAGE: &str = "debian:bookworm-slim";
/// The statically linked tini of that package: it also runs in distroless/static.
const INIT_SOURCE: &str = "/usr/bin/tini-static";
/// Where tini is in the runtime stage.
pub const INIT_PATH: &str = "/usr/bin/tini";
use crate::spec::{BuildPackage, Runtime};

/// The Docker target (`--target docker`).
#[derive(Debug, Clone, Copy)]
pub struct Docker;

impl Emitter for Docker {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn emit(&self, m: &Model) -> Result<Vec<Artifact>, CompileError> {
        let Some(build) = &m.build else {
            return Ok(Vec::new());
        };
        let instructions = dockerfile(m, build)?;
        let patterns = ignore_patterns(build);
        let mut ignore = m.header();
        for p in &patterns {
            ignore.push_str(p);
            ignore.push('\n');
        }
        Ok(vec![
            Artifact {
                path: DOCKERFILE.to_string(),
                contents: render(&instructions)?,
                content: Content::Dockerfile(instructions),
            },
            Artifact {
                path: IGNORE_FILE.to_string(),
                contents: ignore,
                content: Content::Ignore(patterns),
            },
        ])
    }
}

/// One Dockerfile instruction. Serialized by [`render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    /// `# text` (one line; line breaks are replaced).
    Comment(String),
    /// Blank line between stages.
    Blank,
    /// `FROM image [AS alias]`.
    From {
        /// Base image.
        image: String,
        /// Stage name.
        alias: Option<String>,
    },
    /// `WORKDIR path`.
    Workdir(String),
    /// `ENV k=v ...` with double-quoted, escaped values.
    Env(Vec<(String, String)>),
    /// `LABEL k=v ...` with double-quoted, escaped values.
    Label(Vec<(String, String)>),
    /// `COPY [--from=stage] ["src", ..., "dest"]`.
    Copy {
        /// Source stage.
        from: Option<String>,
        /// Sources and destination.
        paths: Vec<String>,
    },
    /// `RUN ["cmd", ...]`.
    Run(Vec<String>),
    /// `RUN` in shell form, for fixed text mcpgen writes itself (never a value from a spec).
    Shell(&'static str),
    /// `USER uid:gid`.
    User(i64, i64),
    /// `EXPOSE port`.
    Expose(u32),
    /// `HEALTHCHECK [options] CMD ["cmd", ...]`.
    Healthcheck {
        /// Seconds between checks.
        interval: u32,
        /// Seconds before a check times out.
        timeout: u32,
        /// Seconds of start-up grace.
        start_period: u32,
        /// Failures before unhealthy.
        retries: u32,
        /// Command (exec form).
        command: Vec<String>,
    },
    /// `HEALTHCHECK NONE`.
    HealthcheckNone,
    /// `ENTRYPOINT ["cmd", ...]`.
    Entrypoint(Vec<String>),
    /// `CMD ["cmd", ...]`.
    Cmd(Vec<String>),
}

/// The JSON array of an exec-form instruction. Backslashes are written as `\u005c`: the same
/// string to BuildKit's JSON decoder, but a string ending in an escaped backslash (`"a\\"`)
/// otherwise makes some Dockerfile parsers (hadolint's among them) fall back to shell form.
fn json(v: &[String]) -> Result<String, CompileError> {
    let text = serde_json::to_string(v).map_err(|e| CompileError::Serialize {
        what: "Dockerfile".to_string(),
        message: e.to_string(),
    })?;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push_str("\\u005c"),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// A value inside `ENV k="v"`: backslash, quote and `$` escaped; line breaks cannot be written.
fn env_value(v: &str) -> Result<String, CompileError> {
    if v.contains(['\n', '\r']) {
        return Err(CompileError::Serialize {
            what: "Dockerfile ENV".to_string(),
            message: "a line break cannot be written in ENV".to_string(),
        });
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// Serialize instructions into Dockerfile text ending with a newline.
pub fn render(instructions: &[Instruction]) -> Result<String, CompileError> {
    let mut out = String::new();
    for i in instructions {
        let line = match i {
            Instruction::Comment(c) => {
                format!("# {}", crate::model::one_line(c))
            }
            Instruction::Blank => String::new(),
            Instruction::From { image, alias } => match alias {
                Some(a) => format!("FROM {image} AS {a}"),
                None => format!("FROM {image}"),
            },
            Instruction::Workdir(p) => format!("WORKDIR {p}"),
            Instruction::Env(pairs) => {
                let mut parts = Vec::new();
                for (k, v) in pairs {
                    parts.push(format!("{k}={}", env_value(v)?));
                }
                format!("ENV {}", parts.join(" "))
            }
            Instruction::Label(pairs) => {
                let mut parts = Vec::new();
                for (k, v) in pairs {
                    parts.push(format!("{k}={}", env_value(v)?));
                }
                format!("LABEL {}", parts.join(" "))
            }
            Instruction::Copy { from, paths } => match from {
                Some(f) => format!("COPY --from={f} {}", json(paths)?),
                None => format!("COPY {}", json(paths)?),
            },
            Instruction::Run(cmd) => format!("RUN {}", json(cmd)?),
            Instruction::Shell(text) => format!("RUN {text}"),
            Instruction::User(u, g) => format!("USER {u}:{g}"),
            Instruction::Expose(p) => format!("EXPOSE {p}"),
            Instruction::Healthcheck {
                interval,
                timeout,
                start_period,
                retries,
                command,
            } => format!(
                "HEALTHCHECK --interval={interval}s --timeout={timeout}s \
                 --start-period={start_period}s --retries={retries} CMD {}",
                json(command)?
            ),
            Instruction::HealthcheckNone => "HEALTHCHECK NONE".to_string(),
            Instruction::Entrypoint(cmd) => format!("ENTRYPOINT {}", json(cmd)?),
            Instruction::Cmd(cmd) => format!("CMD {}", json(cmd)?),
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Base images per runtime: the builder and the runtime stage. Tags are pinned to a runtime
/// version and a Debian release; digests cannot be resolved offline (see docs/output-layout.md).
fn images(b: &BuildModel) -> (String, String) {
    match b.runtime {
        Runtime::Node => {
            let i = format!("node:{}-bookworm-slim", b.version);
            (i.clone(), i)
        }
        Runtime::Python => {
            let i = format!("python:{}-slim-bookworm", b.version);
            (i.clone(), i)
        }
        Runtime::Go => (
            format!("golang:{}-bookworm", b.version),
            "gcr.io/distroless/static-debian12:nonroot".to_string(),
        ),
    }
}

fn dockerfile(m: &Model, b: &BuildModel) -> Result<Vec<Instruction>, CompileError> {
    use Instruction as I;
    let (builder, runtime) = images(b);
    let s = |v: &str| v.to_string();
    let package = b.package.as_ref();
    let mut d = vec![
        I::Comment(m.header().trim_start_matches("# ").trim_end().to_string()),
        I::Blank,
        I::Comment(
            "Init stage: tini, so the server is not PID 1 (which ignores SIGTERM) and zombies \
             are reaped."
                .into(),
        ),
        I::From {
            image: INIT_IMAGE.to_string(),
            alias: Some("init".into()),
        },
        I::Shell(INIT_INSTALL),
        I::Blank,
    ];
    let mut runtime_copies = match package {
        Some(p) => package_stage(&mut d, b, p, builder)?,
        None => source_stage(&mut d, b, builder)?,
    };
    if let Some(bridge) = &m.bridge {
        d.push(I::Comment(format!(
            "The stdio bridge {} in its own directory: it serves Streamable HTTP and runs the \
             server as its child.",
            bridge.requirement()
        )));
        for cmd in bridge.install() {
            d.push(I::Run(cmd));
        }
        runtime_copies.push((BRIDGE_DIR.to_string(), BRIDGE_DIR.to_string()));
    }
    d.push(I::Blank);
    d.push(I::Comment(
        "Runtime stage: only the build output, run as a numeric non-root user.".into(),
    ));
    d.push(I::From {
        image: runtime,
        alias: Some("runtime".into()),
    });
    d.push(I::Workdir(APP_DIR.into()));
    if let Some(name) = &m.registry_name {
        // The MCP Registry reads this label to verify that the publisher owns the image.
        d.push(I::Label(vec![(
            "io.modelcontextprotocol.server.name".to_string(),
            name.clone(),
        )]));
    }
    match b.runtime {
        Runtime::Node if package.is_some() => d.push(I::Env(vec![
            (s("NODE_ENV"), s("production")),
            // `npx` would otherwise look for a newer npm at every start.
            (s("NPM_CONFIG_UPDATE_NOTIFIER"), s("false")),
        ])),
        Runtime::Node => d.push(I::Env(vec![(s("NODE_ENV"), s("production"))])),
        Runtime::Python => d.push(I::Env(vec![
            (
                s("PATH"),
                s("/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            ),
            (s("PYTHONDONTWRITEBYTECODE"), s("1")),
            (s("PYTHONUNBUFFERED"), s("1")),
        ])),
        Runtime::Go => {}
    }
    d.push(I::Copy {
        from: Some("init".into()),
        paths: vec![INIT_SOURCE.to_string(), INIT_PATH.to_string()],
    });
    for (src, dest) in runtime_copies {
        d.push(I::Copy {
            from: Some("build".into()),
            paths: vec![src, dest],
        });
    }
    d.push(I::User(UID, UID));
    for p in m.ports.service() {
        d.push(I::Expose(p.number));
    }
    match &m.healthcheck {
        Some(h) => d.push(I::Healthcheck {
            interval: h.interval,
            timeout: h.timeout,
            start_period: h.start_period,
            retries: h.retries,
            command: h.command.clone(),
        }),
        None => {
            d.push(I::Comment(
                "distroless/static has no shell or HTTP client to probe with; the Kubernetes \
                 probes check health instead."
                    .into(),
            ));
            d.push(I::HealthcheckNone);
        }
    }
    // `-s` keeps tini reaping when something else is PID 1 (compose's `init: true`).
    d.push(I::Entrypoint(vec![
        INIT_PATH.to_string(),
        "-s".to_string(),
        "--".to_string(),
    ]));
    d.push(I::Cmd(match &m.bridge {
        Some(bridge) => bridge.command(),
        None => b.command.clone(),
    }));
    Ok(d)
}

/// The init stage's one command: install Debian's tini without recommends, pinned to upstream
/// 0.19.0 and Debian revision 1 (`*` admits the binNMU suffix, which differs between
/// architectures), and leave no apt lists behind.
const INIT_INSTALL: &str = "apt-get update && apt-get install -y --no-install-recommends \
                            'tini=0.19.0-1*' && rm -rf /var/lib/apt/lists/*";

/// The build stage of an image built from the context: dependencies first, so their layer is
/// cached, then the sources and the build command. Returns what the runtime stage copies.
fn source_stage(
    d: &mut Vec<Instruction>,
    b: &BuildModel,
    builder: String,
) -> Result<Vec<(String, String)>, CompileError> {
    use Instruction as I;
    let output = b.output.clone();
    let s = |v: &str| v.to_string();
    d.push(I::Comment(
        "Build stage: dependencies first, so their layer is cached.".into(),
    ));
    d.push(I::From {
        image: builder,
        alias: Some("build".into()),
    });
    let mut runtime_copies: Vec<(String, String)> = Vec::new();
    match b.runtime {
        Runtime::Node => {
            d.push(I::Workdir("/app".into()));
            d.push(I::Copy {
                from: None,
                paths: vec![s("package.json"), s("package-lock.json"), s("./")],
            });
            d.push(I::Run(vec![s("npm"), s("ci")]));
            d.push(I::Copy {
                from: None,
                paths: vec![s("."), s(".")],
            });
            if let Some(cmd) = &b.build_command {
                d.push(I::Run(cmd.clone()));
            }
            d.push(I::Run(vec![s("npm"), s("prune"), s("--omit=dev")]));
            runtime_copies.push((s("/app/package.json"), s("/app/package.json")));
            runtime_copies.push((s("/app/node_modules"), s("/app/node_modules")));
        }
        Runtime::Python => {
            d.push(I::Env(python_build_env()));
            d.push(I::Workdir("/app".into()));
            d.push(I::Run(vec![
                s("python"),
                s("-m"),
                s("venv"),
                s("/opt/venv"),
            ]));
            d.push(I::Copy {
                from: None,
                paths: vec![s("requirements.txt"), s("./")],
            });
            d.push(I::Run(vec![
                s("/opt/venv/bin/pip"),
                s("install"),
                s("--no-cache-dir"),
                s("-r"),
                s("requirements.txt"),
            ]));
            d.push(I::Copy {
                from: None,
                paths: vec![s("."), s(".")],
            });
            if let Some(cmd) = &b.build_command {
                d.push(I::Run(cmd.clone()));
            }
            runtime_copies.push((s("/opt/venv"), s("/opt/venv")));
        }
        Runtime::Go => {
            d.push(I::Env(vec![(s("CGO_ENABLED"), s("0"))]));
            d.push(I::Workdir("/app".into()));
            d.push(I::Copy {
                from: None,
                paths: vec![s("go.mod"), s("go.sum"), s("./")],
            });
            d.push(I::Run(vec![s("go"), s("mod"), s("download")]));
            d.push(I::Copy {
                from: None,
                paths: vec![s("."), s(".")],
            });
            if let Some(cmd) = &b.build_command {
                d.push(I::Run(cmd.clone()));
            }
        }
    }
    let (src, dest) = if output == "." {
        (s("/app"), s("/app"))
    } else {
        (format!("/app/{output}"), format!("/app/{output}"))
    };
    runtime_copies.push((src, dest));
    Ok(runtime_copies)
}

/// The build stage of an image that installs one published package (`build.package`): exactly
/// that version from npm or PyPI, nothing from the build context. Returns what the runtime
/// stage copies.
fn package_stage(
    d: &mut Vec<Instruction>,
    b: &BuildModel,
    package: &BuildPackage,
    builder: String,
) -> Result<Vec<(String, String)>, CompileError> {
    use Instruction as I;
    let s = |v: &str| v.to_string();
    let (install, copies) = match b.runtime {
        // `npm install` in an empty directory writes package.json and package-lock.json with
        // the exact version; the runtime stage keeps both so `npx` finds the package locally.
        Runtime::Node => (
            vec![
                s("npm"),
                s("install"),
                s("--omit=dev"),
                s("--save-exact"),
                s("--no-audit"),
                s("--no-fund"),
                s("--no-update-notifier"),
                format!("{}@{}", package.name, package.version),
            ],
            vec![
                (s("/app/package.json"), s("/app/package.json")),
                (s("/app/package-lock.json"), s("/app/package-lock.json")),
                (s("/app/node_modules"), s("/app/node_modules")),
            ],
        ),
        Runtime::Python => (
            vec![
                s("/opt/venv/bin/pip"),
                s("install"),
                s("--no-cache-dir"),
                format!("{}=={}", package.name, package.version),
            ],
            vec![(s("/opt/venv"), s("/opt/venv"))],
        ),
        // Model::preflight refuses a go build with a package before this target runs.
        Runtime::Go => return Ok(Vec::new()),
    };
    d.push(I::Comment(format!(
        "Build stage: install the published package {}@{} and its dependencies.",
        package.name, package.version
    )));
    d.push(I::From {
        image: builder,
        alias: Some("build".into()),
    });
    if b.runtime == Runtime::Python {
        d.push(I::Env(python_build_env()));
    }
    d.push(I::Workdir("/app".into()));
    if b.runtime == Runtime::Python {
        d.push(I::Run(vec![
            s("python"),
            s("-m"),
            s("venv"),
            s("/opt/venv"),
        ]));
    }
    d.push(I::Run(install));
    if let Some(cmd) = &b.build_command {
        d.push(I::Run(cmd.clone()));
    }
    Ok(copies)
}

fn python_build_env() -> Vec<(String, String)> {
    vec![
        ("PIP_NO_CACHE_DIR".to_string(), "1".to_string()),
        ("PIP_DISABLE_PIP_VERSION_CHECK".to_string(), "1".to_string()),
        ("PYTHONDONTWRITEBYTECODE".to_string(), "1".to_string()),
    ]
}

/// Patterns of the ignore file, relative to the build context (the application's root):
/// version control, secrets and keys anywhere, mcpgen's own outputs, and each runtime's local
/// build leftovers.
fn ignore_patterns(b: &BuildModel) -> Vec<String> {
    let mut lines: Vec<&str> = vec![
        ".git",
        "**/.git",
        ".gitignore",
        "**/Dockerfile",
        "**/*.dockerignore",
        ".dockerignore",
        "**/compose.yaml",
        "**/*.env",
        "**/.env",
        "**/.env.*",
        "**/*.pem",
        "**/*.key",
        "**/id_rsa*",
        "**/id_ed25519*",
    ];
    match b.runtime {
        Runtime::Node => lines.extend(["**/node_modules", "npm-debug.log*", "coverage"]),
        Runtime::Python => lines.extend(["**/__pycache__", "**/*.pyc", ".venv", "venv"]),
        Runtime::Go => lines.extend(["vendor/**/*_test.go"]),
    }
    lines.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_form_keeps_hostile_values_inside_their_instruction() {
        let hostile = vec![
            "node".to_string(),
            "a\nRUN rm -rf /".to_string(),
            "quote\" and \\ backslash".to_string(),
            "$HOME ${PATH}".to_string(),
            "end\\".to_string(),
            "\\\\\"]".to_string(),
        ];
        let text = render(&[
            Instruction::Run(hostile.clone()),
            Instruction::Cmd(hostile.clone()),
        ])
        .unwrap_or_default();
        assert_eq!(text.lines().count(), 2, "{text}");
        for line in text.lines() {
            let (_, json) = line.split_once(' ').unwrap_or(("", ""));
            let back: Vec<String> = serde_json::from_str(json).unwrap_or_default();
            assert_eq!(back, hostile);
        }
    }

    #[test]
    fn env_values_are_escaped_or_refused() {
        let text = render(&[Instruction::Env(vec![(
            "A".to_string(),
            "x\"$y\\".to_string(),
        )])])
        .unwrap_or_default();
        assert_eq!(text, "ENV A=\"x\\\"\\$y\\\\\"\n");
        assert!(render(&[Instruction::Env(vec![("A".into(), "a\nb".into())])]).is_err());
    }

    #[test]
    fn comments_stay_on_one_line() {
        let text = render(&[Instruction::Comment("a\nFROM evil".into())]).unwrap_or_default();
        assert_eq!(text, "# a FROM evil\n");
    }
}
