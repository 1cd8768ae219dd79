//! `mcpgen init`: write a commented starter spec that passes `check`.
//!
//! The starter is a fixed, commented file in YAML or KDL, chosen by the file's extension
//! (comments are the point, so it is not serialized from types); tests check that both pass
//! `mcpgen check` with no finding and describe the same spec.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, note, print};
use crate::spec::Syntax;
use crate::spec::scalars::NAME_PATTERN;

/// The starter spec in YAML.
pub const STARTER: &str = include_str!("starter.mcp.yaml");

/// The same starter spec in KDL.
pub const STARTER_KDL: &str = include_str!("starter.mcp.kdl");

/// `--syntax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyntaxArg {
    /// YAML (the default, and for any extension but `.kdl`).
    Yaml,
    /// KDL v2 (the default for a `.kdl` file).
    Kdl,
}

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
    /// Syntax of the starter. Default: KDL for a `.kdl` path, else YAML.
    #[arg(long, value_enum)]
    pub syntax: Option<SyntaxArg>,
}

/// The starter spec with the given server name, in YAML.
pub fn starter(name: &str) -> Option<String> {
    starter_in(name, Syntax::Yaml)
}

/// The starter spec with the given server name, in the given syntax.
pub fn starter_in(name: &str, syntax: Syntax) -> Option<String> {
    let valid = name.len() <= 63
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    debug_assert!(NAME_PATTERN.starts_with('^'));
    let text = match syntax {
        Syntax::Yaml => STARTER,
        Syntax::Kdl => STARTER_KDL,
    };
    valid.then(|| text.replace("my-mcp-server", name))
}

/// Run `init`.
pub fn run(args: Args) -> Outcome {
    let syntax = match args.syntax {
        Some(SyntaxArg::Yaml) => Syntax::Yaml,
        Some(SyntaxArg::Kdl) => Syntax::Kdl,
        None => Syntax::for_path(&args.path),
    };
    // `check` picks the syntax from the extension; a starter it would misread is refused.
    if args.path.as_os_str() != "-" && Syntax::for_path(&args.path) != syntax {
        let (wrote, read) = match syntax {
            Syntax::Kdl => ("KDL", "YAML (only `.kdl` files are read as KDL)"),
            Syntax::Yaml => ("YAML", "KDL"),
        };
        fail(&format!(
            "{} would be read as {read}, not {wrote}: change the extension or --syntax",
            args.path.display()
        ));
        return Outcome::Failure;
    }
    let Some(text) = starter_in(&args.name, syntax) else {
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
            note(&format!("wrote {}\n", args.path.display()));
            Outcome::Clean
        }
        Err(e) => {
            fail(&format!("cannot write {}: {e}", args.path.display()));
            Outcome::Failure
        }
    }
}
