//! `mcpgen init`: write a commented starter spec that passes `check`.
//!
//! The starter is a fixed, commented YAML file (comments are the point, so it is not
//! serialized from types); a test checks that it passes `mcpgen check` with no finding.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, print};
use crate::spec::scalars::NAME_PATTERN;

/// The starter spec.
pub const STARTER: &str = include_str!("starter.mcp.yaml");

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the spec; `-` prints it.
    #[arg(default_value = "mcp.yaml")]
    pub path: PathBuf,
    /// Server name (DNS-1123 label).
    #[arg(long, default_value = "my-mcp-server")]
    pub name: String,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// The starter spec with the given server name.
pub fn starter(name: &str) -> Option<String> {
    let valid = name.len() <= 63
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    debug_assert!(NAME_PATTERN.starts_with('^'));
    valid.then(|| STARTER.replace("my-mcp-server", name))
}

/// Run `init`.
pub fn run(args: Args) -> Outcome {
    let Some(text) = starter(&args.name) else {
        fail(&format!(
            "`{}` is not a valid name: use lower-case letters, digits and '-', at most 63 characters",
            args.name
        ));
        return Outcome::Failure;
    };
    if args.path.as_os_str() == "-" {
        print(&text);
        return Outcome::Clean;
    }
    if args.path.exists() && !args.force {
        fail(&format!(
            "{} already exists (use --force to overwrite)",
            args.path.display()
        ));
        return Outcome::Failure;
    }
    match std::fs::write(&args.path, text) {
        Ok(()) => {
            print(&format!("wrote {}\n", args.path.display()));
            Outcome::Clean
        }
        Err(e) => {
            fail(&format!("cannot write {}: {e}", args.path.display()));
            Outcome::Failure
        }
    }
}
