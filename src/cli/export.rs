//! `mcpgen export server-json SPEC`: write the MCP Registry entry of a spec.
//!
//! The spec is checked first (schema and semantic checks; the policies are `check`'s job): a
//! spec with error-level findings exits 1 with those findings, like `check`. An entry that
//! cannot be written (no registry name, a placeholder left, a value the registry rejects)
//! exits 2. Notes about what the entry leaves out go to standard error.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, print, stdout_style};
use crate::diagnostics::Level;
use crate::diagnostics::render::human;
use crate::registry::export::{self, Options};

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Write the MCP Registry server.json of a spec.
    ServerJson(ServerJsonArgs),
}

/// Arguments of `export server-json`.
#[derive(Debug, clap::Args)]
pub struct ServerJsonArgs {
    /// The spec (YAML, or KDL with a `.kdl` extension).
    pub file: PathBuf,
    /// Export this environment's spec instead of the base spec.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Entry name, reverse-DNS with one `/` (default: `metadata.registryName`).
    #[arg(long)]
    pub name: Option<String>,
    /// Entry description (default: `metadata.description`).
    #[arg(long)]
    pub description: Option<String>,
    /// Entry version (default: the image tag).
    #[arg(long, value_name = "VERSION")]
    pub entry_version: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Set a field for this export, as `check --set` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// The image to publish, as `--set spec.image=REF` (the digest a pipeline just pushed).
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,
}

/// Run `export`.
pub fn run(args: Args) -> Outcome {
    match args.what {
        What::ServerJson(a) => server_json(a),
    }
}

fn server_json(args: ServerJsonArgs) -> Outcome {
    // The same gate as `check` and `build`: nothing that fails it is published.
    let policy = crate::cli::check::PolicyArgs {
        set: args.set.clone(),
        image: args.image.clone(),
        ..crate::cli::check::PolicyArgs::default()
    };
    let result = crate::pipeline::check_paths(
        std::slice::from_ref(&args.file),
        &policy.options(args.env.as_deref()),
    );
    if !result.failures.is_empty() {
        for f in &result.failures {
            fail(&f.to_string());
        }
        return Outcome::Failure;
    }
    let errors: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error && d.suppressed.is_none())
        .cloned()
        .collect();
    if !errors.is_empty() {
        print(&human::render(&errors, &result.sources, 1, stdout_style()));
        return Outcome::Findings;
    }
    let Some(spec) = result
        .files
        .iter()
        .flat_map(|f| f.variants.iter())
        .map(|v| &v.resolved)
        .find(|r| r.env.as_deref() == args.env.as_deref())
    else {
        fail(&format!("{}: no valid spec to export", args.file.display()));
        return Outcome::Failure;
    };
    let options = Options {
        name: args.name,
        description: args.description,
        version: args.entry_version,
    };
    let exported = match export::export(spec, &options) {
        Ok(e) => e,
        Err(e) => {
            fail(&e.to_string());
            return Outcome::Failure;
        }
    };
    for note in &exported.notes {
        eprintln!("mcpgen: note: {note}");
    }
    match &args.output {
        None => {
            print(&exported.json);
            Outcome::Clean
        }
        Some(path) => match crate::cli::import::write_new(path, &exported.json, args.force) {
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
