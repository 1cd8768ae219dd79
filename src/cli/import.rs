//! `mcpgen import server.json`: turn an MCP Registry entry into a commented spec.
//!
//! Reads a file (or standard input with `-`), writes the spec to `-o FILE` (atomically, never
//! over an existing file without `--force`) or standard output. Every failure, including an
//! entry that only describes a hosted server, exits 2: there is no spec to check yet.

use std::path::{Path, PathBuf};

use crate::cli::{Outcome, fail, print};
use crate::registry::import::{self, Options};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server.json to import; `-` reads standard input.
    pub file: PathBuf,
    /// Write the spec to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Package to deploy when the entry has several (default: the OCI image, else npm, else
    /// PyPI).
    #[arg(long, value_name = "TYPE", value_parser = ["oci", "npm", "pypi"])]
    pub registry_type: Option<String>,
    /// Server name (`metadata.name`, a DNS-1123 label). Default: from the entry's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Registry and path to push the image built for an npm or PyPI package to, e.g.
    /// `ghcr.io/acme` (default `localhost`, usable by a local engine only).
    #[arg(long, value_name = "REPOSITORY")]
    pub image_repository: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Run `import`.
pub fn run(args: Args) -> Outcome {
    let stdin = args.file.as_os_str() == "-";
    let (source, text) = if stdin {
        match crate::source::read_stdin_text(crate::limits::MAX_SPEC_BYTES) {
            Ok(text) => ("stdin".to_string(), text),
            Err(e) => {
                fail(&e.to_string());
                return Outcome::Failure;
            }
        }
    } else {
        match crate::source::read_input_text(&args.file, crate::limits::MAX_SPEC_BYTES, None) {
            Ok(t) => (
                args.file.file_name().map_or_else(
                    || args.file.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                t,
            ),
            Err(e) => {
                fail(&e.to_string());
                return Outcome::Failure;
            }
        }
    };
    let options = Options {
        registry_type: args.registry_type,
        name: args.name,
        image_repository: args.image_repository,
        source,
    };
    let yaml = match import::import(&text, &options) {
        Ok(y) => y,
        Err(e) => {
            fail(&e.to_string());
            return Outcome::Failure;
        }
    };
    match &args.output {
        None => {
            print(&yaml);
            Outcome::Clean
        }
        Some(path) => match write_new(path, &yaml, args.force) {
            Ok(()) => {
                eprintln!("wrote {}", path.display());
                Outcome::Clean
            }
            Err(message) => {
                fail(&message);
                Outcome::Failure
            }
        },
    }
}

/// Write `text` to `path` through a temporary file in the same directory, so a reader never
/// sees half a file. Refuses to replace an existing file unless `force`.
pub(crate) fn write_new(path: &Path, text: &str, force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "{} already exists (use --force to overwrite)",
            path.display()
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} is not a file path", path.display()))?;
    let tmp = dir.join(format!(".{name}.mcpgen-tmp"));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {}: {e}", path.display())
        })
}
