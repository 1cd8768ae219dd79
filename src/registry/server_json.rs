//! The MCP Registry's `server.json` as typed structures (schema 2025-12-11), read by `import`
//! and written by `export`, and its validation against the vendored schema.
//!
//! The types follow the published schema field by field, but are lenient where the schema is:
//! unknown fields are ignored on input, and `registryType` stays a string because the registry
//! adds package types (`maven` arrived in 2025-12-11). Publisher extensions under `_meta` are
//! vendor-defined JSON by nature and stay untyped here; [`toolhive`] reads the one extension
//! mcpgen understands. What this module does not do: decide how a field maps to a spec (that is
//! `import` and `export`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `$id` of the schema mcpgen reads and writes.
pub const SCHEMA_URL: &str =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/// The vendored schema (see `fixtures/registry/SOURCES.md` for its origin).
pub const SCHEMA: &str = include_str!("../../fixtures/registry/server.schema.json");

/// The key under `_meta` where the official registry keeps publisher-provided metadata.
pub const PUBLISHER_PROVIDED: &str = "io.modelcontextprotocol.registry/publisher-provided";

/// ToolHive's namespace inside the publisher-provided metadata.
pub const TOOLHIVE: &str = "io.github.stacklok";

/// A `server.json` document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerJson {
    /// Schema URI.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Reverse-DNS name with one `/`.
    pub name: String,
    /// One-line description (at most 100 characters).
    pub description: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Source repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Repository>,
    /// Version of this entry.
    pub version: String,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Icons for user interfaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Installable packages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    /// Endpoints of the server hosted elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<Remote>,
    /// Vendor extensions.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Map<String, Value>>,
}

/// Source repository of a server.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// Browsable and clonable URL.
    pub url: String,
    /// Hosting service (`github`).
    pub source: String,
    /// Stable identifier at the hosting service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Path of the server inside a monorepo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subfolder: Option<String>,
}

/// An icon.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    /// HTTPS URL.
    pub src: String,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// One installable package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// `npm`, `pypi`, `oci`, `nuget`, `mcpb`, `maven`…
    pub registry_type: String,
    /// Base URL of the package registry, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_base_url: Option<String>,
    /// Package name, image reference or download URL.
    pub identifier: String,
    /// Exact package version (OCI references carry theirs in the identifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SHA-256 of a downloaded file (mcpb).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// The command clients run it with (`npx`, `uvx`, `docker`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_hint: Option<String>,
    /// How clients talk to it once it runs.
    pub transport: Transport,
    /// Arguments of the runtime command (`docker run` flags, `npx` options).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_arguments: Vec<Argument>,
    /// Arguments of the server itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub package_arguments: Vec<Argument>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_variables: Vec<KeyValueInput>,
}

/// The transport of a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Transport {
    /// Standard input and output.
    #[serde(rename = "stdio")]
    Stdio,
    /// Streamable HTTP at a URL template.
    #[serde(rename = "streamable-http")]
    StreamableHttp {
        /// URL template (`http://localhost:{port}/mcp`).
        url: String,
        /// Headers clients send.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        headers: Vec<KeyValueInput>,
    },
    /// HTTP+SSE (deprecated) at a URL template.
    #[serde(rename = "sse")]
    Sse {
        /// URL template.
        url: String,
        /// Headers clients send.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        headers: Vec<KeyValueInput>,
    },
}

/// A server hosted elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Remote {
    /// `streamable-http` or `sse`.
    #[serde(rename = "type")]
    pub kind: String,
    /// URL template.
    pub url: String,
    /// Headers clients send.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<KeyValueInput>,
}

/// A user input: the common part of arguments, variables and headers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    /// What the input is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it must be given.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_required: bool,
    /// `string`, `number`, `boolean` or `filepath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// A fixed value, with `{variable}` references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether the value is a credential.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_secret: bool,
    /// The default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// An example shown to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Values of the `{variable}` references in `value`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Input>,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// An environment variable or header.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KeyValueInput {
    /// Variable or header name.
    pub name: String,
    /// Its value and description.
    #[serde(flatten)]
    pub input: Input,
}

/// A command-line argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Argument {
    /// A value inserted verbatim.
    Positional {
        /// A label for the value (not part of the command line).
        #[serde(rename = "valueHint", default, skip_serializing_if = "Option::is_none")]
        value_hint: Option<String>,
        /// Whether it may be given several times.
        #[serde(rename = "isRepeated", default, skip_serializing_if = "is_false")]
        is_repeated: bool,
        /// Value and description.
        #[serde(flatten)]
        input: Input,
    },
    /// A `--flag value`.
    Named {
        /// The flag, with its dashes.
        name: String,
        /// Whether it may be given several times.
        #[serde(rename = "isRepeated", default, skip_serializing_if = "is_false")]
        is_repeated: bool,
        /// Value and description.
        #[serde(flatten)]
        input: Input,
    },
}

impl Argument {
    /// The input part (value, default, description…).
    pub fn input(&self) -> &Input {
        match self {
            Argument::Positional { input, .. } | Argument::Named { input, .. } => input,
        }
    }
}

/// ToolHive's extension for one package or remote:
/// `_meta[PUBLISHER_PROVIDED][TOOLHIVE][identifier]`.
pub fn toolhive<'a>(server: &'a ServerJson, identifier: &str) -> Option<&'a Value> {
    server
        .meta
        .as_ref()?
        .get(PUBLISHER_PROVIDED)?
        .get(TOOLHIVE)?
        .get(identifier)
}

/// One problem with a `server.json`: where (a JSON Pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON Pointer into the document (`""` for the root).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA)
            .unwrap_or_else(|e| panic!("the vendored server.json schema is not JSON: {e}"));
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("the vendored server.json schema does not compile: {e}"))
    })
}

/// Every violation of the vendored schema, sorted by pointer.
pub fn validate(value: &Value) -> Vec<SchemaError> {
    let mut errors: Vec<SchemaError> = validator()
        .iter_errors(value)
        .map(|e| SchemaError {
            pointer: e.instance_path().as_str().to_string(),
            message: e.to_string(),
        })
        .collect();
    errors.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    errors.dedup();
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_rejects_what_the_registry_rejects() {
        let ok =
            serde_json::json!({"name": "io.github.a/b", "description": "d", "version": "1.0.0"});
        assert!(validate(&ok).is_empty());
        let bad = serde_json::json!({
            "name": "no-slash", "description": "d", "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "x", "version": "latest",
                          "transport": {"type": "streamable-http"}}]
        });
        let pointers: Vec<_> = validate(&bad).into_iter().map(|e| e.pointer).collect();
        assert!(pointers.contains(&"/name".to_string()), "{pointers:?}");
        assert!(
            pointers.iter().any(|p| p.starts_with("/packages/0")),
            "{pointers:?}"
        );
    }

    #[test]
    fn arguments_round_trip_through_the_types() {
        let json = serde_json::json!([
            {"type": "positional", "valueHint": "dir", "isRequired": true, "isRepeated": true},
            {"type": "named", "name": "--port", "value": "{port}",
             "variables": {"port": {"default": "8080"}}}
        ]);
        let args: Vec<Argument> = serde_json::from_value(json.clone()).unwrap_or_default();
        assert_eq!(args.len(), 2);
        assert_eq!(serde_json::to_value(&args).ok(), Some(json));
    }
}
