//! A validated spec → its MCP Registry `server.json`.
//!
//! The image becomes an OCI package (unless it only exists on the local engine), a
//! `build.package` becomes the npm or PyPI package it installs, `env` and `secrets` become the
//! environment variables (`isSecret` for secrets), and a public `expose` becomes a remote. The
//! entry's name comes from `metadata.registryName` or `--name` and is never invented; its
//! version is the image tag unless `--entry-version` says otherwise. The result is validated against
//! the vendored schema before it is returned. A stdio server mcpgen builds is listed as what
//! its image serves (Streamable HTTP from its bridge) and as the stdio package a client runs.
//!
//! Export reads the resolved spec (every default filled in by `crate::resolve`), not the Model:
//! the registry entry describes the spec's contract (port, path, variables), not the generated
//! objects. What this module does not do: publish (that is `mcp-publisher`).

use std::collections::BTreeMap;

use crate::registry::server_json::{
    self, Argument, Input, KeyValueInput, Package, Remote, SCHEMA_URL, SchemaError, ServerJson,
    Transport,
};
use crate::resolve::{ResolvedFile, ResolvedSpec};
use crate::spec::Runtime;

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Entry name; default `metadata.registryName`.
    pub name: Option<String>,
    /// Entry description; default `metadata.description`.
    pub description: Option<String>,
    /// Entry version; default the image tag.
    pub version: Option<String>,
}

/// A written entry and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The entry.
    pub server: ServerJson,
    /// Pretty-printed JSON ending with a newline.
    pub json: String,
    /// Things export left out, for the user (printed as warnings).
    pub notes: Vec<String>,
}

/// Why a spec could not be exported. Each ends the run with exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No registry name.
    #[error(
        "the spec has no MCP Registry name: set `metadata.registryName` (reverse-DNS with one \
         `/`, e.g. io.github.acme/weather) or pass --name; mcpgen does not invent a namespace"
    )]
    NoName,
    /// A registry name of the wrong shape.
    #[error(
        "`{0}` is not an MCP Registry name: use reverse-DNS with exactly one `/`, e.g. \
         io.github.acme/weather"
    )]
    BadName(String),
    /// No description.
    #[error("the spec has no description: set `metadata.description` or pass --description")]
    NoDescription,
    /// No version.
    #[error("image `{0}` has no usable tag to use as the entry's version; pass --entry-version")]
    NoVersion(String),
    /// A placeholder left in a value.
    #[error("`{pointer}` still holds the placeholder `{value}`; fill it in before exporting")]
    Placeholder {
        /// Where.
        pointer: String,
        /// The value.
        value: String,
    },
    /// The entry breaks the registry's schema (a value the registry limits more than mcpgen).
    #[error("the exported server.json breaks the registry's schema:\n{}", .0.iter().map(|e| format!("  {}: {}", e.pointer, e.message)).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<SchemaError>),
    /// Serialization failed (a bug).
    #[error("could not serialize server.json: {0}")]
    Serialize(String),
}

/// Whether `name` is a registry name: `namespace/name`, one slash, the registry's characters.
pub fn is_registry_name(name: &str) -> bool {
    let ok = |s: &str, extra: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || extra.contains(c))
    };
    (3..=200).contains(&name.len())
        && matches!(name.split_once('/'), Some((ns, n)) if ok(ns, "") && ok(n, "_"))
}

/// Export one validated spec (the base spec or one environment).
pub fn export(resolved: &ResolvedSpec, options: &Options) -> Result<Exported, ExportError> {
    let file = &resolved.file;
    refuse_placeholders(file)?;
    let meta = &file.metadata;
    let s = &file.spec;
    let name = options
        .name
        .clone()
        .or_else(|| meta.registry_name.clone())
        .ok_or(ExportError::NoName)?;
    if !is_registry_name(&name) {
        return Err(ExportError::BadName(name));
    }
    let description = options
        .description
        .clone()
        .or_else(|| meta.description.clone())
        .ok_or(ExportError::NoDescription)?;
    let version = match &options.version {
        Some(v) => v.clone(),
        None => s
            .image
            .tag()
            .filter(|t| *t != "latest")
            .map(str::to_string)
            .ok_or_else(|| ExportError::NoVersion(s.image.to_string()))?,
    };

    let mut notes = Vec::new();
    let mcp = &s.mcp;
    let port = mcp.port;
    let path = mcp.path.to_string();
    // A stdio server mcpgen builds is served over Streamable HTTP by its bridge, on the
    // bridge's port: that is what its image speaks. The npm or PyPI package stays stdio, which
    // is how an MCP client runs it. A published stdio image is not reachable over HTTP at all.
    let bridged = crate::resolve::bridge_of(mcp, s.build.as_ref().map(|b| b.runtime)).is_some();
    let package_transport = match mcp.transport {
        crate::spec::Transport::Stdio => Transport::Stdio,
        crate::spec::Transport::Sse => Transport::Sse {
            url: format!("http://localhost:{port}{path}"),
            headers: Vec::new(),
        },
        _ => Transport::StreamableHttp {
            url: format!("http://localhost:{port}{path}"),
            headers: Vec::new(),
        },
    };
    let image_transport = match (&mcp.bridge, bridged) {
        (Some(b), true) => Transport::StreamableHttp {
            url: format!("http://localhost:{}{path}", b.port),
            headers: Vec::new(),
        },
        _ => package_transport.clone(),
    };
    let variables = variables(file);

    let mut packages = Vec::new();
    let repository = s.image.repository();
    if repository.starts_with("localhost/") || repository.starts_with("localhost:") {
        notes.push(format!(
            "image `{}` only exists on a local engine, so it is not listed as an OCI package",
            s.image
        ));
    } else {
        packages.push(Package {
            registry_type: "oci".to_string(),
            registry_base_url: None,
            identifier: s.image.to_string(),
            version: None,
            file_sha256: None,
            runtime_hint: None,
            transport: image_transport,
            runtime_arguments: Vec::new(),
            package_arguments: positional(s.args.as_deref().unwrap_or_default()),
            environment_variables: variables.clone(),
        });
    }
    if let Some(build) = &s.build
        && let Some(pkg) = &build.package
    {
        let (registry_type, runtime_hint) = match build.runtime {
            Runtime::Node => ("npm", "npx"),
            Runtime::Python => ("pypi", "uvx"),
            Runtime::Go => ("", ""),
        };
        if !registry_type.is_empty() {
            let (runtime_arguments, package_arguments) =
                split_command(&build.command, build.runtime, &pkg.name, &pkg.version)
                    .unwrap_or_else(|| {
                        notes.push(
                            "`build.command` does not start the package the way MCP clients do \
                             (`npx --offline <name>@<version> …` or `<name> …`), so its \
                             arguments are not exported"
                                .to_string(),
                        );
                        (Vec::new(), Vec::new())
                    });
            packages.push(Package {
                registry_type: registry_type.to_string(),
                registry_base_url: None,
                identifier: pkg.name.clone(),
                version: Some(pkg.version.clone()),
                file_sha256: None,
                runtime_hint: Some(runtime_hint.to_string()),
                transport: package_transport.clone(),
                runtime_arguments: positional(&runtime_arguments),
                package_arguments: positional(&package_arguments),
                environment_variables: variables.clone(),
            });
        }
    }

    let mut remotes = Vec::new();
    if let Some(e) = &s.expose {
        match mcp.transport {
            crate::spec::Transport::Stdio if !bridged => notes.push(
                "`expose` is not listed as a remote: a published stdio image is not reachable \
                 over HTTP (mcpgen bridges only images it builds)"
                    .to_string(),
            ),
            t => {
                let scheme = if e.tls.is_some() { "https" } else { "http" };
                if e.tls.is_none() {
                    notes.push(format!(
                        "the remote `{scheme}://{}` is plain HTTP: add `expose.tls`",
                        e.host
                    ));
                }
                let public_path = e.path.to_string();
                // A server that authenticates its clients needs their token on every request.
                let auth = Some(mcp.auth.kind).filter(|k| *k != crate::spec::AuthType::None);
                let headers = auth
                    .map(|kind| {
                        vec![KeyValueInput {
                            name: "Authorization".to_string(),
                            input: Input {
                                description: Some(format!(
                                    "Bearer token ({}) the server accepts",
                                    if kind == crate::spec::AuthType::Jwt {
                                        "a JWT signed with the server's key"
                                    } else {
                                        "from the server's OIDC issuer"
                                    }
                                )),
                                is_required: true,
                                is_secret: true,
                                ..Input::default()
                            },
                        }]
                    })
                    .unwrap_or_default();
                remotes.push(Remote {
                    kind: if t == crate::spec::Transport::Sse {
                        "sse"
                    } else {
                        "streamable-http"
                    }
                    .to_string(),
                    url: format!("{scheme}://{}{public_path}", e.host),
                    headers,
                });
            }
        }
    }
    if packages.is_empty() && remotes.is_empty() {
        notes.push("the entry lists neither a package nor a remote".to_string());
    }

    let server = ServerJson {
        schema: Some(SCHEMA_URL.to_string()),
        name,
        description,
        title: None,
        repository: None,
        version,
        website_url: None,
        icons: Vec::new(),
        packages,
        remotes,
        meta: None,
    };
    let value = serde_json::to_value(&server).map_err(|e| ExportError::Serialize(e.to_string()))?;
    let errors = server_json::validate(&value);
    if !errors.is_empty() {
        return Err(ExportError::Invalid(errors));
    }
    let mut json =
        serde_json::to_string_pretty(&value).map_err(|e| ExportError::Serialize(e.to_string()))?;
    json.push('\n');
    Ok(Exported {
        server,
        json,
        notes,
    })
}

/// `env` as plain variables (their values as defaults) and `secrets` as required secret ones,
/// sorted by name.
fn variables(file: &ResolvedFile) -> Vec<KeyValueInput> {
    let mut vars: BTreeMap<String, Input> = BTreeMap::new();
    for (name, value) in &file.spec.env {
        vars.insert(
            name.clone(),
            Input {
                default: Some(value.as_str().to_string()),
                ..Input::default()
            },
        );
    }
    for name in file.spec.secrets.keys() {
        vars.insert(
            name.clone(),
            Input {
                is_required: true,
                is_secret: true,
                ..Input::default()
            },
        );
    }
    vars.into_iter()
        .map(|(name, input)| KeyValueInput { name, input })
        .collect()
}

/// Arguments as fixed positional values: the spec keeps an argv, not flags and values.
fn positional(args: &[String]) -> Vec<Argument> {
    args.iter()
        .map(|a| Argument::Positional {
            value_hint: None,
            is_repeated: false,
            input: Input {
                value: Some(a.clone()),
                ..Input::default()
            },
        })
        .collect()
}

/// The runtime and package arguments of a command `import` wrote: `npx --offline [runtime
/// arguments] <name>@<version> [package arguments]` for node, `<name> [package arguments]` for
/// python. `None` when the command has another shape.
fn split_command(
    command: &[String],
    runtime: Runtime,
    name: &str,
    version: &str,
) -> Option<(Vec<String>, Vec<String>)> {
    match runtime {
        Runtime::Node => {
            let rest = command.strip_prefix(&["npx".to_string(), "--offline".to_string()])?;
            let spec = format!("{name}@{version}");
            let at = rest.iter().position(|a| *a == spec)?;
            Some((rest[..at].to_vec(), rest[at + 1..].to_vec()))
        }
        Runtime::Python => {
            let (first, rest) = command.split_first()?;
            (first == name).then(|| (Vec::new(), rest.to_vec()))
        }
        Runtime::Go => None,
    }
}

/// A `<TODO` placeholder must not reach a published entry.
fn refuse_placeholders(file: &ResolvedFile) -> Result<(), ExportError> {
    let value = serde_json::to_value(file).map_err(|e| ExportError::Serialize(e.to_string()))?;
    fn walk(v: &serde_json::Value, at: &str) -> Option<(String, String)> {
        match v {
            serde_json::Value::String(s) if s.contains("<TODO") => {
                Some((at.to_string(), s.clone()))
            }
            serde_json::Value::Array(a) => a
                .iter()
                .enumerate()
                .find_map(|(i, x)| walk(x, &format!("{at}/{i}"))),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
                walk(
                    x,
                    &format!("{at}/{}", crate::spec::document::escape_token(k)),
                )
            }),
            _ => None,
        }
    }
    match walk(&value, "") {
        Some((pointer, value)) => Err(ExportError::Placeholder { pointer, value }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names() {
        assert!(is_registry_name("io.github.acme/weather"));
        assert!(is_registry_name("com.example/my_server.v2"));
        assert!(!is_registry_name("weather"));
        assert!(!is_registry_name("a/b/c"));
        assert!(!is_registry_name("io.github.acme/"));
    }

    #[test]
    fn commands_written_by_import_split_back() {
        let cmd: Vec<String> = ["npx", "--offline", "-y", "pkg@1.0.0", "/data"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            split_command(&cmd, Runtime::Node, "pkg", "1.0.0"),
            Some((vec!["-y".to_string()], vec!["/data".to_string()]))
        );
        assert_eq!(split_command(&cmd, Runtime::Node, "pkg", "2.0.0"), None);
        let py: Vec<String> = ["tool", "--flag"].map(String::from).to_vec();
        assert_eq!(
            split_command(&py, Runtime::Python, "tool", "1"),
            Some((Vec::new(), vec!["--flag".to_string()]))
        );
    }
}
