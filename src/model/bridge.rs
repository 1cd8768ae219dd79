//! The stdio bridge: which published bridge serves a `stdio` server, where it is installed in
//! the image, and the exact command line the container runs.
//!
//! mcpgen installs the bridge into the image it builds, from the registry the runtime already
//! uses (supergateway from npm in a node image, mcp-proxy from PyPI in a python image), into
//! its own directory so its dependencies never meet the server's. The container's command is
//! the bridge, and the server command (`build.command`) becomes the bridge's child. Every
//! emitter reads the result from here: the Dockerfile installs [`BridgeModel::install`] and
//! runs [`BridgeModel::command`]; the probes, Service, NetworkPolicy and compose ports are the
//! Model's ports, which already are the bridge's. What this module does not do: choose
//! defaults (`crate::resolve`), or judge a combination the bridge cannot serve
//! ([`super::Model::preflight`] does, from [`BridgeModel::refusals`]).

use crate::resolve::defaults::{self, BridgeDefault, BridgeKind};
use crate::spec::BridgeMode;

/// Directory of the bridge in the image: its own npm prefix or Python venv.
pub const BRIDGE_DIR: &str = "/opt/mcp-bridge";

/// The bridge of one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeModel {
    /// Which bridge, with what mcpgen knows of it.
    pub bridge: BridgeDefault,
    /// Version installed.
    pub version: String,
    /// How clients map onto server processes.
    pub mode: BridgeMode,
    /// Whether the HTTP face keeps no sessions.
    pub stateless: bool,
    /// Port it serves on.
    pub port: u32,
    /// Path it serves MCP on.
    pub path: String,
    /// Paths it answers health checks on (every probe path).
    pub health_paths: Vec<String>,
    /// The server command it spawns.
    pub child: Vec<String>,
}

impl BridgeModel {
    /// The kind of bridge.
    pub fn kind(&self) -> BridgeKind {
        self.bridge.kind
    }

    /// The package spec its registry installs: `name@version` (npm) or `name==version`
    /// (PyPI).
    pub fn requirement(&self) -> String {
        match self.kind() {
            BridgeKind::Supergateway => format!("{}@{}", self.bridge.package, self.version),
            BridgeKind::McpProxy => format!("{}=={}", self.bridge.package, self.version),
        }
    }

    /// The build-stage commands that install the bridge into [`BRIDGE_DIR`] (exec form).
    pub fn install(&self) -> Vec<Vec<String>> {
        let s = |v: &str| v.to_string();
        match self.kind() {
            // An npm prefix of its own: the server's node_modules stay exactly what its
            // package pinned.
            BridgeKind::Supergateway => vec![vec![
                s("npm"),
                s("install"),
                s("--prefix"),
                s(BRIDGE_DIR),
                s("--omit=dev"),
                s("--save-exact"),
                s("--no-audit"),
                s("--no-fund"),
                s("--no-update-notifier"),
                self.requirement(),
            ]],
            // A venv of its own: mcp-proxy needs `mcp>=1.27`, which published servers pinned
            // to older SDKs cannot share (time-mcp-pypi 1.0.6 pins mcp==1.13.1).
            BridgeKind::McpProxy => vec![
                vec![s("python"), s("-m"), s("venv"), s(BRIDGE_DIR)],
                vec![
                    format!("{BRIDGE_DIR}/bin/pip"),
                    s("install"),
                    s("--no-cache-dir"),
                    self.requirement(),
                ],
            ],
        }
    }

    /// The executable (or script) the container starts: what the consistency stage looks for
    /// in the image.
    pub fn entry(&self) -> Vec<String> {
        match self.kind() {
            BridgeKind::Supergateway => vec![
                "node".to_string(),
                format!("{BRIDGE_DIR}/node_modules/supergateway/dist/index.js"),
            ],
            BridgeKind::McpProxy => vec![format!("{BRIDGE_DIR}/bin/mcp-proxy")],
        }
    }

    /// The container's command: the bridge with its flags, then the server command.
    pub fn command(&self) -> Vec<String> {
        let s = |v: &str| v.to_string();
        let mut argv = self.entry();
        match self.kind() {
            BridgeKind::Supergateway => {
                // supergateway runs its child through `/bin/sh -c`: the server command is
                // one shell word list, each word single-quoted.
                argv.extend([
                    s("--stdio"),
                    shell_words(&self.child),
                    s("--outputTransport"),
                    s("streamableHttp"),
                    s("--port"),
                    self.port.to_string(),
                    s("--streamableHttpPath"),
                    self.path.clone(),
                ]);
                for p in &self.health_paths {
                    argv.extend([s("--healthEndpoint"), p.clone()]);
                }
                if self.mode == BridgeMode::Session {
                    argv.extend([
                        s("--stateful"),
                        s("--sessionTimeout"),
                        (defaults::BRIDGE_SESSION_TIMEOUT_MINUTES * 60_000).to_string(),
                    ]);
                }
            }
            BridgeKind::McpProxy => {
                argv.extend([
                    s("--host"),
                    s("0.0.0.0"),
                    s("--port"),
                    self.port.to_string(),
                    // The server reads its settings and secrets from the environment, which
                    // mcp-proxy does not pass on unless told to.
                    s("--pass-environment"),
                ]);
                if self.stateless {
                    argv.push(s("--stateless"));
                }
                argv.push(s("--"));
                argv.extend(self.child.iter().cloned());
            }
        }
        argv
    }

    /// What this bridge cannot serve for this model, each as (pointer, message, help).
    pub fn refusals(&self, revisions: Option<&[String]>) -> Vec<(String, String, String)> {
        let b = &self.bridge;
        let name = format!("{} {}", b.package, self.version);
        let mut out = Vec::new();
        if !b.modes.contains(&self.mode) {
            out.push((
                "/spec/mcp/bridge/mode".to_string(),
                format!(
                    "{name} cannot run mode `{}`: it offers {}",
                    mode_name(self.mode),
                    b.modes
                        .iter()
                        .map(|m| format!("`{}`", mode_name(*m)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "use one of the modes it offers, or build the server for the other runtime's \
                 bridge (docs/stdio-bridge.md)"
                    .to_string(),
            ));
        }
        if let Some(fixed) = b.fixed_path
            && self.path != fixed
        {
            out.push((
                "/spec/mcp/path".to_string(),
                format!("{name} serves MCP only at `{fixed}`, not `{}`", self.path),
                format!(
                    "set `mcp.path: {fixed}`; a different public path can be rewritten with \
                     `expose.path`"
                ),
            ));
        }
        if let Some(fixed) = b.fixed_health {
            for p in self.health_paths.iter().filter(|p| *p != fixed) {
                out.push((
                    "/spec/health".to_string(),
                    format!("{name} answers health checks only at `{fixed}`, not `{p}`"),
                    format!("leave `health` out, or point every probe at `{fixed}`"),
                ));
            }
        }
        if let Some(v) = revisions
            && !v.is_empty()
            && !v.iter().any(|r| b.revisions.contains(&r.as_str()))
        {
            out.push((
                "/spec/mcp/protocolVersions".to_string(),
                format!(
                    "{name} serves none of the declared protocol revisions ({}); it serves {}",
                    v.join(", "),
                    b.revisions.join(", ")
                ),
                "declare a revision the bridge serves, or run the server behind a bridge \
                 that speaks it"
                    .to_string(),
            ));
        }
        out
    }
}

/// The spec spelling of a mode.
pub fn mode_name(m: BridgeMode) -> &'static str {
    match m {
        BridgeMode::Session => "session",
        BridgeMode::Request => "request",
        BridgeMode::Shared => "shared",
    }
}

/// Words as one POSIX shell command line: each word in single quotes, a quote inside written
/// `'\''`. `sh -c` reads it back into exactly these words, whatever they contain.
pub fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a command line written by [`shell_words`]; `None` for anything else.
pub fn parse_shell_words(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut word = String::new();
        loop {
            match chars.next() {
                Some('\'') => loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                },
                Some('\\') => word.push(chars.next()?),
                Some(' ') | None => break,
                Some(_) => return None,
            }
        }
        out.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_round_trip_whatever_they_hold() {
        let words: Vec<String> = [
            "npx",
            "--offline",
            "pkg@1.0.0",
            "it's",
            "$HOME `id` $(id)",
            "a b",
            "",
            "back\\slash",
        ]
        .map(str::to_string)
        .to_vec();
        let line = shell_words(&words);
        assert_eq!(parse_shell_words(&line), Some(words));
        // What sh reads back, for the words a shell would otherwise expand.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "printf '%s\\n' {}",
                shell_words(&["$HOME".into(), "it's".into()])
            ))
            .output();
        if let Ok(out) = out {
            assert_eq!(String::from_utf8_lossy(&out.stdout), "$HOME\nit's\n");
        }
        assert_eq!(parse_shell_words("unquoted"), None);
    }
}
