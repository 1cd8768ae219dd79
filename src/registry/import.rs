//! `server.json` → a commented mcpgen spec.
//!
//! One package of the entry is chosen (an OCI image first: it deploys as it is; else an npm or
//! PyPI package, which becomes a `build` that installs exactly that version) and mapped onto the
//! typed spec (`crate::spec::SpecFile`), which is serialized and then commented through
//! [`crate::registry::comments`]: everything the entry says that the spec cannot hold, and
//! every decision the entry leaves to the operator, is written as a comment next to the field
//! it concerns. Values the entry requires but does not give become `<TODO: …>` placeholders,
//! which the `unfilled-placeholder` rule (MCP237) reports until someone fills them in.
//!
//! The result is validated (schema and semantic checks) before it is returned, so `import`
//! never writes a spec that does not parse as one. What this module does not do: run the
//! policies (that is `mcpgen check`, which the user runs next) or read files.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diagnostics::Level;
use crate::registry::comments::{CommentError, Comments, render};
use crate::registry::server_json::{
    self, Argument, Input, KeyValueInput, Package, SchemaError, ServerJson, Transport,
};
use crate::spec::scalars::{EnvValue, HttpPath, ImageRef, Name};
use crate::spec::{
    self, ApiVersion, Build, BuildPackage, Kind, Mcp, Metadata, Network, Peer, Runtime, SecretRef,
    ServiceSpec, SpecFile,
};

/// Node.js major version of the base images for npm packages (the active LTS line).
pub const NODE_VERSION: &str = "22";
/// Python version of the base images for PyPI packages.
pub const PYTHON_VERSION: &str = "3.12";
/// Repository prefix of the image built for an npm or PyPI package when none is given.
pub const LOCAL_REPOSITORY: &str = "localhost";
/// mcpgen's MCP port when the spec names none.
const DEFAULT_PORT: u32 = crate::resolve::defaults::MCP_PORT;

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The package to deploy, by registry type (`oci`, `npm`, `pypi`). Default: the first OCI
    /// package, else the first npm one, else the first PyPI one.
    pub registry_type: Option<String>,
    /// `metadata.name`. Default: the last segment of the entry's name, made a DNS label.
    pub name: Option<String>,
    /// Registry and path the image built for an npm or PyPI package is pushed to
    /// (`ghcr.io/acme`). Default: `localhost`, which only a local engine can use.
    pub image_repository: Option<String>,
    /// How the input is named in the header comment (a file name, or `stdin`).
    pub source: String,
}

/// Why a `server.json` could not be imported. Every variant ends the run with exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is not JSON, or not shaped like a `server.json`.
    #[error("{source_name} is not a server.json: {message}")]
    Json {
        /// Input name.
        source_name: String,
        /// The parser's message.
        message: String,
    },
    /// The input breaks the registry's schema.
    #[error("{source_name} does not follow the server.json schema (2025-12-11):\n{}", list(.errors))]
    Schema {
        /// Input name.
        source_name: String,
        /// Each violation.
        errors: Vec<SchemaError>,
    },
    /// The entry only describes a server hosted elsewhere.
    #[error(
        "`{name}` is a remote server (hosted at {}): there is nothing to deploy. \
         Connect your MCP clients to that URL instead",
        .urls.join(", ")
    )]
    RemoteOnly {
        /// Entry name.
        name: String,
        /// Its endpoints.
        urls: Vec<String>,
    },
    /// No package and no remote.
    #[error("`{0}` lists no packages: there is nothing to deploy")]
    Empty(String),
    /// Only packages mcpgen cannot deploy.
    #[error(
        "`{name}` has no package mcpgen can deploy (it has: {}); mcpgen deploys OCI images and \
         builds npm and PyPI packages",
        .available.join(", ")
    )]
    NoDeployable {
        /// Entry name.
        name: String,
        /// The registry types present.
        available: Vec<String>,
    },
    /// `--registry-type` names a type the entry does not have, or one mcpgen cannot deploy.
    #[error("`{name}` has no `{wanted}` package mcpgen can deploy (it has: {})", .available.join(", "))]
    NoSuchType {
        /// Entry name.
        name: String,
        /// The requested type.
        wanted: String,
        /// The registry types present.
        available: Vec<String>,
    },
    /// An npm or PyPI package without a version.
    #[error(
        "the {registry} package `{identifier}` has no version; mcpgen installs one exact version"
    )]
    NoVersion {
        /// `npm` or `pypi`.
        registry: String,
        /// Package name.
        identifier: String,
    },
    /// No usable `metadata.name`.
    #[error("cannot derive a server name from `{0}`; pass --name with a DNS-1123 label")]
    Name(String),
    /// The spec built from the entry is not valid (a value the spec language rejects).
    #[error("the spec imported from {source_name} is not valid:\n{}", .problems.join("\n"))]
    Invalid {
        /// Input name.
        source_name: String,
        /// What the schema and semantic checks reported.
        problems: Vec<String>,
    },
    /// The commented file could not be written (a bug).
    #[error(transparent)]
    Render(#[from] CommentError),
}

fn list(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(|e| {
            let at = if e.pointer.is_empty() {
                "(root)"
            } else {
                e.pointer.as_str()
            };
            format!("  {at}: {}", e.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Import one `server.json` text into a commented spec (YAML, ending with a newline).
pub fn import(text: &str, options: &Options) -> Result<String, ImportError> {
    let source_name = options.source.clone();
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        source_name: source_name.clone(),
        message: e.to_string(),
    })?;
    let errors = server_json::validate(&value);
    if !errors.is_empty() {
        return Err(ImportError::Schema {
            source_name,
            errors,
        });
    }
    let server: ServerJson = serde_json::from_value(value).map_err(|e| ImportError::Json {
        source_name: source_name.clone(),
        message: e.to_string(),
    })?;
    let index = choose_package(&server, options.registry_type.as_deref())?;
    let yaml = Importer::new(&server, index, options)?.run()?;
    validate_output(&yaml, &source_name)?;
    Ok(yaml)
}

/// The types mcpgen deploys, in order of preference.
const DEPLOYABLE: [&str; 3] = ["oci", "npm", "pypi"];

fn choose_package(server: &ServerJson, wanted: Option<&str>) -> Result<usize, ImportError> {
    let available: Vec<String> = server
        .packages
        .iter()
        .map(|p| p.registry_type.clone())
        .collect();
    if let Some(wanted) = wanted {
        return server
            .packages
            .iter()
            .position(|p| p.registry_type == wanted && DEPLOYABLE.contains(&wanted))
            .ok_or_else(|| ImportError::NoSuchType {
                name: server.name.clone(),
                wanted: wanted.to_string(),
                available: available.clone(),
            });
    }
    for kind in DEPLOYABLE {
        if let Some(i) = server.packages.iter().position(|p| p.registry_type == kind) {
            return Ok(i);
        }
    }
    if !server.packages.is_empty() {
        return Err(ImportError::NoDeployable {
            name: server.name.clone(),
            available,
        });
    }
    if !server.remotes.is_empty() {
        return Err(ImportError::RemoteOnly {
            name: server.name.clone(),
            urls: server.remotes.iter().map(|r| r.url.clone()).collect(),
        });
    }
    Err(ImportError::Empty(server.name.clone()))
}

/// Whether `s` is a DNS-1123 label.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// `io.github.acme/Weather_MCP` → `weather-mcp`.
fn derive_name(registry_name: &str) -> Option<String> {
    let last = registry_name.rsplit('/').next().unwrap_or(registry_name);
    let mut out = String::new();
    for c in last.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(63).collect();
    let out = out.trim_end_matches('-').to_string();
    is_label(&out).then_some(out)
}

/// Whether `s` is a valid environment variable name in the spec language.
fn is_env_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A placeholder the `unfilled-placeholder` rule reports.
fn todo(what: &str) -> String {
    format!("<TODO: {what}>")
}

/// Replace `{variable}` references with the variables' values or defaults; a reference to a
/// variable without either becomes a placeholder. References to unknown names stay as written,
/// as the schema prescribes.
fn substitute(template: &str, variables: &BTreeMap<String, Input>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        out.push_str(&rest[..open]);
        match variables.get(name) {
            Some(v) => match v.value.as_ref().or(v.default.as_ref()) {
                Some(value) => out.push_str(value),
                None => out.push_str(&todo(name)),
            },
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The value an input gives: its fixed value (with variables substituted), else its default.
fn given(input: &Input) -> Option<String> {
    input
        .value
        .as_ref()
        .map(|v| substitute(v, &input.variables))
        .or_else(|| input.default.clone())
}

/// `text` as a sentence: trimmed, ending with a full stop unless it ends with punctuation.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?', ':']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The description of an input as comment sentences, with its constraints.
fn describe(input: &Input) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(d) = &input.description {
        parts.push(sentence(d));
    }
    if input.is_required {
        parts.push("Required.".to_string());
    }
    if !input.choices.is_empty() {
        parts.push(format!("One of: {}.", input.choices.join(", ")));
    }
    match input.format.as_deref() {
        Some("filepath") => parts
            .push("A file path: put the file in the image or mount it with `files`.".to_string()),
        Some(f @ ("number" | "boolean")) => parts.push(format!("A {f}.")),
        _ => {}
    }
    if let Some(p) = &input.placeholder {
        parts.push(format!("Example: {p}."));
    }
    for (name, v) in &input.variables {
        let mut text = format!("`{{{name}}}`");
        if let Some(d) = &v.description {
            text.push_str(&format!(": {}", d.trim().trim_end_matches('.')));
        }
        match v.value.as_ref().or(v.default.as_ref()) {
            Some(d) => text.push_str(&format!(" (set to `{d}`)")),
            None => text.push_str(" (no default: fill in the placeholder)"),
        }
        if !v.choices.is_empty() {
            text.push_str(&format!(", one of: {}", v.choices.join(", ")));
        }
        parts.push(sentence(&text));
    }
    parts
}

/// One argument rendered for a command line.
struct RenderedArg {
    /// The argv elements (empty when the argument is left out).
    tokens: Vec<String>,
    /// How to name it: "`--host`", "`database_name` (positional)".
    label: String,
    /// What the entry says about it, as sentences.
    details: String,
}

impl RenderedArg {
    /// "label: details", or the label alone.
    fn note(&self) -> String {
        if self.details.is_empty() {
            self.label.clone()
        } else {
            format!("{}: {}", self.label, self.details)
        }
    }
}

fn render_argument(arg: &Argument) -> RenderedArg {
    let input = arg.input();
    let mut details = describe(input);
    let (label, tokens) = match arg {
        Argument::Positional {
            value_hint,
            is_repeated,
            ..
        } => {
            let hint = value_hint.clone().unwrap_or_else(|| "value".to_string());
            if *is_repeated {
                details.push("May be repeated.".to_string());
            }
            let tokens = match given(input) {
                Some(v) => vec![v],
                None if input.is_required => vec![todo(&hint)],
                None => Vec::new(),
            };
            (format!("`{hint}` (positional)"), tokens)
        }
        Argument::Named {
            name, is_repeated, ..
        } => {
            if *is_repeated {
                details.push("May be repeated.".to_string());
            }
            let hint = name.trim_start_matches('-').to_string();
            let tokens = match given(input) {
                Some(v) => vec![name.clone(), v],
                None if input.is_required => vec![name.clone(), todo(&hint)],
                None => Vec::new(),
            };
            (format!("`{name}`"), tokens)
        }
    };
    if input.value.is_none()
        && let Some(d) = &input.default
    {
        details.push(format!("Set to the entry's default `{d}`."));
    }
    RenderedArg {
        tokens,
        label,
        details: details.join(" "),
    }
}

/// Builds the spec and its comments for one package of one entry.
struct Importer<'a> {
    server: &'a ServerJson,
    package: &'a Package,
    index: usize,
    options: &'a Options,
    name: String,
    comments: Comments,
    /// Header paragraphs about what needs deciding, collected while mapping.
    decide: Vec<String>,
    /// Header paragraphs about what the entry says that the spec does not hold.
    unmapped: Vec<String>,
}

impl<'a> Importer<'a> {
    fn new(
        server: &'a ServerJson,
        index: usize,
        options: &'a Options,
    ) -> Result<Self, ImportError> {
        let name = match &options.name {
            Some(n) if is_label(n) => n.clone(),
            Some(n) => return Err(ImportError::Name(n.clone())),
            None => {
                derive_name(&server.name).ok_or_else(|| ImportError::Name(server.name.clone()))?
            }
        };
        Ok(Importer {
            server,
            package: &server.packages[index],
            index,
            options,
            name,
            comments: Comments::default(),
            decide: Vec::new(),
            unmapped: Vec::new(),
        })
    }

    fn run(mut self) -> Result<String, ImportError> {
        let p = self.package;
        let mut service = ServiceSpec {
            image: ImageRef::new_unchecked(""),
            args: None,
            build: None,
            mcp: None,
            health: None,
            replicas: None,
            resources: None,
            env: BTreeMap::new(),
            secrets: BTreeMap::new(),
            files: BTreeMap::new(),
            dependencies: BTreeMap::new(),
            expose: None,
            rollout: None,
            autoscaling: None,
            vertical_scaling: None,
            network: None,
            quota: None,
            monitoring: None,
            environments: BTreeMap::new(),
        };
        let mut arg_notes: Vec<(String, String)> = Vec::new();
        let mut left_out: Vec<(String, String)> = Vec::new();

        match p.registry_type.as_str() {
            "oci" => {
                let mut image = p.identifier.clone();
                let tagged = image.rsplit('/').next().is_some_and(|s| s.contains(':'))
                    || image.contains('@');
                if !tagged && let Some(v) = &p.version {
                    image = format!("{image}:{v}");
                }
                service.image = ImageRef::new_unchecked(image);
                self.comments.above(
                    "/spec/image",
                    format!(
                        "The entry's OCI package, deployed as published{}.",
                        p.runtime_hint
                            .as_ref()
                            .filter(|h| h.as_str() != "docker")
                            .map(|h| format!(" (runtime hint `{h}`)"))
                            .unwrap_or_default()
                    ),
                );
                self.docker_runtime_arguments();
                let mut args = Vec::new();
                self.arguments(
                    &p.package_arguments,
                    "/spec/args",
                    &mut args,
                    &mut arg_notes,
                    &mut left_out,
                );
                self.toolhive_args(&mut args, &mut arg_notes);
                if !args.is_empty() {
                    service.args = Some(args);
                    self.comments.above(
                        "/spec/args",
                        "Arguments of the server (the entry's `packageArguments`), passed to the \
                         image's entrypoint in place of its default command.",
                    );
                }
            }
            kind @ ("npm" | "pypi") => {
                let version = p.version.clone().ok_or_else(|| ImportError::NoVersion {
                    registry: kind.to_string(),
                    identifier: p.identifier.clone(),
                })?;
                let node = kind == "npm";
                let repository = self
                    .options
                    .image_repository
                    .clone()
                    .unwrap_or_else(|| LOCAL_REPOSITORY.to_string());
                let repository = repository.trim_end_matches('/');
                service.image = ImageRef::new_unchecked(format!(
                    "{repository}/{}:{}",
                    self.name,
                    version.replace('+', "-")
                ));
                if self.options.image_repository.is_none() {
                    self.comments.above(
                        "/spec/image",
                        "The image `mcpgen build` writes a Dockerfile for. `localhost/` only \
                         works with a local engine: replace it with the registry your cluster \
                         pulls from (or import again with --image-repository).",
                    );
                } else {
                    self.comments.above(
                        "/spec/image",
                        "The image `mcpgen build` writes a Dockerfile for.",
                    );
                }
                let mut command = Vec::new();
                if node {
                    // npx runs the package's executable from the install in /app; `--offline`
                    // makes a missing install an error rather than a download at start-up.
                    command.push("npx".to_string());
                    command.push("--offline".to_string());
                    self.arguments(
                        &p.runtime_arguments,
                        "/spec/build/command",
                        &mut command,
                        &mut arg_notes,
                        &mut left_out,
                    );
                    command.push(format!("{}@{version}", p.identifier));
                } else {
                    if !p.runtime_arguments.is_empty() {
                        self.unmapped.push(format!(
                            "The entry's runtime arguments are for `{}`, which the image does not \
                             use (the package is installed when the image is built): {}.",
                            p.runtime_hint.as_deref().unwrap_or("uvx"),
                            p.runtime_arguments
                                .iter()
                                .map(|a| render_argument(a).note())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ));
                    }
                    command.push(p.identifier.clone());
                }
                self.arguments(
                    &p.package_arguments,
                    "/spec/build/command",
                    &mut command,
                    &mut arg_notes,
                    &mut left_out,
                );
                service.build = Some(Build {
                    runtime: if node { Runtime::Node } else { Runtime::Python },
                    version: if node { NODE_VERSION } else { PYTHON_VERSION }.to_string(),
                    command,
                    build_command: None,
                    output: None,
                    package: Some(BuildPackage {
                        name: p.identifier.clone(),
                        version: version.clone(),
                    }),
                });
                let registry = if node { "npm" } else { "PyPI" };
                self.comments.above(
                    "/spec/build",
                    format!(
                        "The image installs exactly {}@{version} from {registry}, nothing from a \
                         build context.",
                        p.identifier
                    ),
                );
                self.comments.above(
                    "/spec/build/command",
                    if node {
                        "Runs the package's executable from the install, as `npx` does for \
                         MCP clients."
                            .to_string()
                    } else {
                        format!(
                            "Assumes the package installs a command named `{}`, as `uvx` does; \
                             change it if the package's command has another name.",
                            p.identifier
                        )
                    },
                );
            }
            other => {
                // `choose_package` only returns deployable packages; say so rather than panic.
                return Err(ImportError::NoSuchType {
                    name: self.server.name.clone(),
                    wanted: other.to_string(),
                    available: DEPLOYABLE.iter().map(|s| s.to_string()).collect(),
                });
            }
        }
        for (pointer, note) in arg_notes {
            self.comments.above(pointer, note);
        }
        if !left_out.is_empty() {
            let key = if service.args.is_some() {
                Some("/spec/args")
            } else if service.build.is_some() {
                Some("/spec/build/command")
            } else {
                None
            };
            let text = left_out
                .iter()
                .map(|(_, t)| format!("Left out (optional, no default): {t}"))
                .collect::<Vec<_>>()
                .join("\n");
            match key {
                Some(k) => self.comments.above(k, text),
                None => self.unmapped.push(text),
            }
        }

        service.mcp = Some(self.transport());
        self.variables(&mut service);
        service.network = self.network();

        let file = SpecFile {
            api_version: ApiVersion::V1,
            kind: Kind::McpServer,
            metadata: Metadata {
                name: Name::new_unchecked(self.name.clone()),
                namespace: None,
                namespace_ownership: None,
                labels: BTreeMap::new(),
                annotations: BTreeMap::new(),
                registry_name: Some(self.server.name.clone()),
                description: Some(self.server.description.clone()),
            },
            spec: service,
        };
        self.comments.above(
            "/metadata/registryName",
            "The entry's name: `mcpgen export server-json` writes it back, and the Dockerfile \
             labels the image with it.",
        );
        self.header();
        Ok(render(&file, &self.comments)?)
    }

    /// Map package arguments onto `tokens`, noting each one at its first token.
    fn arguments(
        &mut self,
        args: &[Argument],
        pointer: &str,
        tokens: &mut Vec<String>,
        notes: &mut Vec<(String, String)>,
        left_out: &mut Vec<(String, String)>,
    ) {
        for arg in args {
            let r = render_argument(arg);
            if r.tokens.is_empty() {
                left_out.push((pointer.to_string(), r.note()));
                continue;
            }
            notes.push((format!("{pointer}/{}", tokens.len()), r.note()));
            tokens.extend(r.tokens);
        }
    }

    /// `docker run` flags have no place in a Deployment: say what each was for.
    fn docker_runtime_arguments(&mut self) {
        if self.package.runtime_arguments.is_empty() {
            return;
        }
        let mut text = vec![
            "The entry's `docker run` arguments cannot be carried over: mcpgen runs the image \
             in Kubernetes and compose, not with `docker run`. Translate each one yourself (a \
             `--mount` becomes a volume or `files`, `-e NAME=value` a variable in `env`; \
             `--network host` has no safe equivalent):"
                .to_string(),
        ];
        for arg in &self.package.runtime_arguments {
            let r = render_argument(arg);
            let what = if r.tokens.is_empty() {
                format!("{} (optional, no default)", r.label)
            } else {
                format!("`{}`", r.tokens.join(" "))
            };
            if r.details.is_empty() {
                text.push(format!("- {what}"));
            } else {
                text.push(format!("- {what}: {}", r.details));
            }
        }
        self.comments.above("/spec/image", text.join("\n"));
    }

    /// ToolHive's own default arguments for an image (`_meta…["args"]`).
    fn toolhive_args(&mut self, args: &mut Vec<String>, notes: &mut Vec<(String, String)>) {
        let Some(Value::Array(extra)) = self.toolhive().and_then(|t| t.get("args")) else {
            return;
        };
        let strings: Vec<String> = extra
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if strings.is_empty() {
            return;
        }
        notes.push((
            format!("/spec/args/{}", args.len()),
            "from ToolHive's entry (`args`)".to_string(),
        ));
        args.extend(strings);
    }

    fn toolhive(&self) -> Option<&'a Value> {
        server_json::toolhive(self.server, &self.package.identifier)
    }

    fn transport(&mut self) -> Mcp {
        let mut mcp = Mcp {
            transport: None,
            protocol_versions: None,
            stateless: None,
            session_store: None,
            path: None,
            port: None,
            allowed_origins: None,
            allowed_hosts: None,
            trust_proxy_headers: None,
            auth: None,
            bridge: None,
            longest_tool_call: None,
        };
        let (kind, url, headers) = match &self.package.transport {
            Transport::Stdio => {
                mcp.transport = Some(spec::Transport::Stdio);
                let note = match self.package.registry_type.as_str() {
                    "npm" => {
                        "The package speaks MCP over stdin and stdout. mcpgen installs the \
                         supergateway bridge beside it, which serves Streamable HTTP and starts \
                         one server process per MCP session (docs/stdio-bridge.md). Sessions \
                         then live in one pod: keep one replica, or declare `stateless: true` \
                         if the server keeps nothing between calls (one process per request)."
                    }
                    "pypi" => {
                        "The package speaks MCP over stdin and stdout. mcpgen installs the \
                         mcp-proxy bridge in a venv of its own, which serves Streamable HTTP in \
                         front of one server process shared by every client of the pod \
                         (docs/stdio-bridge.md). Its sessions live in one pod: keep one \
                         replica, or declare `stateless: true` if the server keeps nothing \
                         between calls."
                    }
                    _ => {
                        "The image speaks MCP over stdin and stdout, and mcpgen can bridge only \
                         images it builds: `mcpgen check` passes, `mcpgen build` stops with \
                         MCP301. Import the entry's npm or PyPI package instead \
                         (`--registry-type npm|pypi`), when it has one (docs/stdio-bridge.md)."
                    }
                };
                self.comments.above("/spec/mcp/transport", note);
                return mcp;
            }
            Transport::StreamableHttp { url, headers } => {
                (spec::Transport::StreamableHttp, url, headers)
            }
            Transport::Sse { url, headers } => (spec::Transport::Sse, url, headers),
        };
        mcp.transport = Some(kind);
        let (port, path) = split_url(url);
        let port = port.and_then(|p| self.resolve_port(&p));
        mcp.port = Some(port.unwrap_or(DEFAULT_PORT));
        let mut notes = vec![format!("The entry's URL is `{url}`.")];
        if port.is_none() {
            notes.push(format!(
                "Its port could not be read from it; mcpgen's default {DEFAULT_PORT} is assumed."
            ));
        }
        match path {
            Some(p) if p != "/" && !p.contains('{') && is_http_path(&p) => {
                mcp.path = Some(HttpPath::new_unchecked(p));
            }
            _ => notes.push(
                "It names no endpoint path, so mcpgen's default `/mcp` is assumed: check where \
                 the server answers."
                    .to_string(),
            ),
        }
        self.comments.above("/spec/mcp", notes.join(" "));
        if !headers.is_empty() {
            let names: Vec<String> = headers
                .iter()
                .map(|h| {
                    let mut s = format!("`{}`", h.name);
                    if let Some(d) = &h.input.description {
                        s.push_str(&format!(" ({})", d.trim()));
                    }
                    s
                })
                .collect();
            self.unmapped.push(format!(
                "Clients must send the headers {}: that is client configuration, not part of the \
                 deployment.",
                names.join(", ")
            ));
        }
        mcp
    }

    /// A port written as a number, or as `{name}` naming an argument or variable with a value.
    fn resolve_port(&self, text: &str) -> Option<u32> {
        if let Ok(n) = text.parse::<u32>() {
            return (1..=65535).contains(&n).then_some(n);
        }
        let name = text.strip_prefix('{')?.strip_suffix('}')?;
        let p = self.package;
        let from_args = p.package_arguments.iter().find_map(|a| {
            let matches = match a {
                Argument::Positional { value_hint, .. } => value_hint.as_deref() == Some(name),
                Argument::Named { name: flag, .. } => flag.trim_start_matches('-') == name,
            };
            matches.then(|| given(a.input())).flatten()
        });
        let from_env = || {
            p.environment_variables
                .iter()
                .find(|v| v.name == name)
                .and_then(|v| given(&v.input))
        };
        from_args
            .or_else(from_env)?
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=65535).contains(n))
    }

    fn variables(&mut self, service: &mut ServiceSpec) {
        let mut optional: Vec<String> = Vec::new();
        let mut optional_secrets: Vec<String> = Vec::new();
        let vars: Vec<&KeyValueInput> = self.package.environment_variables.iter().collect();
        for v in vars {
            let input = &v.input;
            let what = describe(input).join(" ");
            if !is_env_name(&v.name) {
                self.unmapped.push(format!(
                    "Variable `{}` cannot be set: it is not a valid environment variable name. {what}",
                    v.name
                ));
                continue;
            }
            if input.is_secret {
                if !input.is_required {
                    optional_secrets.push(format!(
                        "{}: {{secret: {}, key: {}}}  # {what}",
                        v.name, self.name, v.name
                    ));
                    continue;
                }
                service.secrets.insert(
                    v.name.clone(),
                    SecretRef {
                        secret: self.name.clone(),
                        key: v.name.clone(),
                    },
                );
                self.comments
                    .above(format!("/spec/secrets/{}", v.name), what.clone());
                continue;
            }
            match given(input) {
                Some(value) => {
                    service.env.insert(v.name.clone(), EnvValue::new(value));
                }
                None if input.is_required => {
                    service
                        .env
                        .insert(v.name.clone(), EnvValue::new(todo(&v.name)));
                }
                None => {
                    optional.push(format!("{}: {what}", v.name));
                    continue;
                }
            }
            if !what.is_empty() {
                self.comments.above(format!("/spec/env/{}", v.name), what);
            }
        }
        if !service.secrets.is_empty() {
            let mut text = format!(
                "Credentials come from the Kubernetes Secret `{}`, which mcpgen never writes. \
                 Create it before deploying, one key per variable:\n  kubectl create secret \
                 generic {} -n {}",
                self.name, self.name, self.name
            );
            for key in service.secrets.keys() {
                text.push_str(&format!(" --from-literal={key}=…"));
            }
            if !optional_secrets.is_empty() {
                text.push_str("\nOptional secrets the entry lists (uncomment to use):");
                for s in &optional_secrets {
                    text.push_str(&format!("\n  {s}"));
                }
            }
            self.comments.above("/spec/secrets", text);
        } else if !optional_secrets.is_empty() {
            let mut text = format!(
                "Optional secrets the entry lists, read from the Kubernetes Secret `{}` (add them \
                 under `spec.secrets` to use them):",
                self.name
            );
            for s in &optional_secrets {
                text.push_str(&format!("\n  {s}"));
            }
            self.unmapped.push(text);
        }
        if !optional.is_empty() {
            let text = format!(
                "Optional variables the entry lists without a default (not set):\n  {}",
                optional.join("\n  ")
            );
            if service.env.is_empty() {
                self.unmapped.push(text);
            } else {
                self.comments.above("/spec/env", text);
            }
        }
    }

    /// ToolHive's outbound network permissions as egress rules, where a NetworkPolicy can say
    /// them.
    fn network(&mut self) -> Option<Network> {
        let outbound = self
            .toolhive()
            .and_then(|t| t.pointer("/permissions/network/outbound"));
        let Some(outbound) = outbound else {
            self.decide.push(
                "egress: the entry does not say where the server connects, and mcpgen's \
                 NetworkPolicy allows only DNS: add `network.allowTo` for the APIs it calls."
                    .to_string(),
            );
            return None;
        };
        let strings = |key: &str| -> Vec<String> {
            outbound
                .get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| match v {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let hosts = strings("allow_host");
        let ports: Vec<u32> = strings("allow_port")
            .iter()
            .filter_map(|p| p.parse().ok())
            .filter(|p| (1..=65535).contains(p))
            .collect();
        if outbound.get("insecure_allow_all") == Some(&Value::Bool(true)) {
            self.decide.push(
                "egress: ToolHive lets this server connect anywhere (`insecure_allow_all`). \
                 mcpgen's NetworkPolicy allows only DNS and refuses a rule open to every \
                 address and port (MCP230): add `network.allowTo` for what it really calls."
                    .to_string(),
            );
            return None;
        }
        let host_list = hosts
            .iter()
            .map(|h| format!("`{h}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if ports.is_empty() {
            if !hosts.is_empty() {
                self.decide.push(format!(
                    "egress: ToolHive allows connections to {host_list} on any port. A \
                     NetworkPolicy selects addresses, not host names, and mcpgen refuses a rule \
                     open to every address and port (MCP230): add `network.allowTo` with the \
                     ports (or address blocks) these hosts use."
                ));
            }
            return None;
        }
        let mut allow_to = Vec::new();
        for port in &ports {
            for cidr in ["0.0.0.0/0", "::/0"] {
                allow_to.push(Peer {
                    namespace: None,
                    cidr: Some(cidr.to_string()),
                    port: Some(*port),
                    protocol: None,
                });
            }
        }
        let port_list = ports
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let text = if hosts.is_empty() {
            format!("From ToolHive's permissions: outbound connections on port(s) {port_list}.")
        } else {
            format!(
                "From ToolHive's permissions: outbound connections to {host_list} on port(s) \
                 {port_list}. A NetworkPolicy selects addresses, not host names, so these rules \
                 allow those ports to any address. To hold the server to those hosts, replace \
                 the address blocks with theirs, or enforce host names with an egress proxy or a \
                 CNI with FQDN policies."
            )
        };
        self.comments.above("/spec/network/allowTo", text);
        Some(Network {
            allow_from: Vec::new(),
            allow_to,
            cilium: None,
        })
    }

    fn header(&mut self) {
        let s = self.server;
        let p = self.package;
        let c = &mut self.comments;
        c.header("yaml-language-server: $schema=https://mcpgen.dev/schemas/mcpgen.schema.json");
        c.header("");
        c.header(format!(
            "Imported by `mcpgen import` from the MCP Registry entry `{}` version {} ({}).",
            s.name, s.version, self.options.source
        ));
        if let Some(t) = &s.title {
            c.header(format!("Title: {t}."));
        }
        if let Some(r) = &s.repository {
            let sub = r
                .subfolder
                .as_ref()
                .map(|f| format!(" (in `{f}`)"))
                .unwrap_or_default();
            c.header(format!("Source: {}{sub}.", r.url));
        }
        if let Some(w) = &s.website_url {
            c.header(format!("Website: {w}."));
        }
        let version = p
            .version
            .as_ref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        let transport = match &p.transport {
            Transport::Stdio => "stdio",
            Transport::StreamableHttp { .. } => "streamable-http",
            Transport::Sse { .. } => "sse",
        };
        c.header(format!(
            "Package: {} `{}`{version}, transport {transport}.",
            p.registry_type, p.identifier
        ));
        let others: Vec<String> = s
            .packages
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.index)
            .map(|(_, o)| match &o.version {
                Some(v) if o.registry_type != "oci" && o.registry_type != "mcpb" => {
                    format!("{} `{}` {v}", o.registry_type, o.identifier)
                }
                _ => format!("{} `{}`", o.registry_type, o.identifier),
            })
            .collect();
        if !others.is_empty() {
            c.header(format!(
                "Other packages of the entry, not imported (pick one with --registry-type): {}.",
                others.join(", ")
            ));
        }
        if !s.remotes.is_empty() {
            c.header(format!(
                "The entry also names hosted endpoints: {}.",
                s.remotes
                    .iter()
                    .map(|r| r.url.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(t) = server_json::toolhive(s, &p.identifier) {
            let mut facts = Vec::new();
            for (key, label) in [("tier", "tier"), ("status", "status")] {
                if let Some(v) = t.get(key).and_then(Value::as_str) {
                    facts.push(format!("{label} {v}"));
                }
            }
            for (key, label) in [("tools", "tools"), ("tags", "tags")] {
                if let Some(Value::Array(a)) = t.get(key) {
                    let items: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                    if !items.is_empty() {
                        facts.push(format!("{label}: {}", items.join(", ")));
                    }
                }
            }
            if let Some(prov) = t.get("provenance") {
                let repo = prov.get("repository_uri").and_then(Value::as_str);
                let signer = prov.get("signer_identity").and_then(Value::as_str);
                if let (Some(repo), Some(signer)) = (repo, signer) {
                    facts.push(format!(
                        "signed with Sigstore by {repo} ({signer}): verify the image before \
                         deploying it"
                    ));
                }
            }
            if !facts.is_empty() {
                c.header(format!("ToolHive: {}.", facts.join("; ")));
            }
            if let Some(perms) = t.get("permissions") {
                let fs: Vec<&str> = ["read", "write"]
                    .into_iter()
                    .filter(|k| perms.get(*k).is_some())
                    .collect();
                if !fs.is_empty() {
                    self.unmapped.push(format!(
                        "ToolHive's filesystem permissions ({}) are not mapped: mount what the \
                         server needs with `files`.",
                        fs.join(", ")
                    ));
                }
            }
        }
        let c = &mut self.comments;
        c.header("");
        c.header("Decide before deploying what the entry cannot say:");
        let mut decide = vec![
            "resources: mcpgen's default requests and limits apply until you set \
             `resources` (check notes them)."
                .to_string(),
            "protocol revisions and sessions: set `mcp.protocolVersions`; until then mcpgen \
             assumes a stateful server (check warns on HTTP servers)."
                .to_string(),
            "health: the entry names no health endpoints. mcpgen probes /healthz and /readyz \
             on the MCP port: set `health` to paths the server answers, or its pods never \
             become ready."
                .to_string(),
            "exposure: the server is reachable inside the cluster only; add `expose` to publish \
             it through an Ingress."
                .to_string(),
        ];
        decide.append(&mut self.decide);
        for d in decide {
            c.header(format!("- {d}"));
        }
        if !self.unmapped.is_empty() {
            c.header("");
            c.header("Not mapped:");
            for u in std::mem::take(&mut self.unmapped) {
                c.header(format!("- {u}"));
            }
        }
    }
}

/// `http://localhost:8080/mcp` → (`8080`, `/mcp`); a missing port is the scheme's.
fn split_url(url: &str) -> (Option<String>, Option<String>) {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s, r),
        None => return (None, None),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(rest[i..].to_string())),
        None => (rest, None),
    };
    let path = path.map(|p| p.split(['?', '#']).next().unwrap_or_default().to_string());
    // `[::1]` has no port; `host:8080` and `host:{port}` do.
    let port = if authority.ends_with(']') {
        None
    } else {
        authority.rsplit_once(':').map(|(_, p)| p.to_string())
    };
    let port = port.or_else(|| match scheme {
        "http" => Some("80".to_string()),
        "https" => Some("443".to_string()),
        _ => None,
    });
    (port, path)
}

fn is_http_path(p: &str) -> bool {
    p.starts_with('/')
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._~!$&'()*+,;=:@%/-".contains(c))
}

/// Run the schema and semantic checks on the imported text: a spec the language rejects is an
/// import failure, not a file to hand over.
fn validate_output(yaml: &str, source_name: &str) -> Result<(), ImportError> {
    let run = crate::pipeline::check(
        &[crate::pipeline::Input::Text {
            name: "imported.yaml".to_string(),
            text: yaml.to_string(),
            syntax: spec::Syntax::Yaml,
        }],
        &crate::pipeline::Options {
            no_config: true,
            skip_policies: true,
            ..crate::pipeline::Options::default()
        },
    );
    let mut problems: Vec<String> = run
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| {
            format!(
                "  {}: {} ({})",
                d.pointer.as_deref().unwrap_or("(spec)"),
                d.message,
                d.code
            )
        })
        .collect();
    problems.extend(run.failures.iter().map(ToString::to_string));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Invalid {
            source_name: source_name.to_string(),
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(json: serde_json::Value) -> ServerJson {
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_image_is_preferred_and_undeployable_entries_are_refused() {
        let both = server(serde_json::json!({
            "name": "io.github.a/b", "description": "d", "version": "1",
            "packages": [
                {"registryType": "nuget", "identifier": "N", "version": "1", "transport": {"type": "stdio"}},
                {"registryType": "npm", "identifier": "n", "version": "1", "transport": {"type": "stdio"}},
                {"registryType": "oci", "identifier": "o:1", "transport": {"type": "stdio"}}
            ]
        }));
        assert_eq!(choose_package(&both, None).ok(), Some(2));
        assert_eq!(choose_package(&both, Some("npm")).ok(), Some(1));
        assert!(matches!(
            choose_package(&both, Some("nuget")),
            Err(ImportError::NoSuchType { .. })
        ));
        let nuget = server(serde_json::json!({
            "name": "io.github.a/b", "description": "d", "version": "1",
            "packages": [{"registryType": "nuget", "identifier": "N", "version": "1", "transport": {"type": "stdio"}}]
        }));
        assert!(matches!(
            choose_package(&nuget, None),
            Err(ImportError::NoDeployable { .. })
        ));
        let empty = server(
            serde_json::json!({"name": "io.github.a/b", "description": "d", "version": "1"}),
        );
        assert!(matches!(
            choose_package(&empty, None),
            Err(ImportError::Empty(_))
        ));
    }

    #[test]
    fn names_are_derived_as_dns_labels() {
        assert_eq!(
            derive_name("io.github.acme/Weather_MCP").as_deref(),
            Some("weather-mcp")
        );
        assert_eq!(
            derive_name("io.github.stacklok/osv").as_deref(),
            Some("osv")
        );
        assert_eq!(derive_name("a/___"), None);
    }

    #[test]
    fn urls_give_port_and_path() {
        assert_eq!(
            split_url("http://localhost:8080"),
            (Some("8080".into()), None)
        );
        assert_eq!(
            split_url("http://localhost:{port}/mcp?x=1"),
            (Some("{port}".into()), Some("/mcp".into()))
        );
        assert_eq!(
            split_url("https://h/sse"),
            (Some("443".into()), Some("/sse".into()))
        );
    }

    #[test]
    fn variables_are_substituted_or_left_to_fill_in() {
        let vars = BTreeMap::from([
            (
                "a".to_string(),
                Input {
                    default: Some("/project".into()),
                    ..Input::default()
                },
            ),
            ("b".to_string(), Input::default()),
        ]);
        assert_eq!(
            substitute("src={b},dst={a},x={unknown}", &vars),
            "src=<TODO: b>,dst=/project,x={unknown}"
        );
    }

    #[test]
    fn required_arguments_without_a_value_become_placeholders() {
        let arg: Argument = serde_json::from_value(serde_json::json!(
            {"type": "positional", "valueHint": "database_name", "isRequired": true}
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(render_argument(&arg).tokens, vec!["<TODO: database_name>"]);
        let optional: Argument = serde_json::from_value(serde_json::json!(
            {"type": "named", "name": "--port", "format": "number"}
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(render_argument(&optional).tokens.is_empty());
    }
}
