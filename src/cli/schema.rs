//! `mcpgen schema`: print the JSON Schema of the spec language.

use crate::cli::{Outcome, print};

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `schema`.
pub fn run(_: Args) -> Outcome {
    print(&crate::validate::schema::schema_text());
    Outcome::Clean
}
