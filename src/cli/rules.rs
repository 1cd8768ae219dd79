//! `mcpgen rules`: list every code mcpgen can report (built-in codes and the built-in policy
//! pack) with name, level and summary.

use crate::cli::{Outcome, print};
use crate::policy;

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    /// Aligned columns.
    Table,
    /// A JSON array.
    Json,
}

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

/// Run `rules`.
pub fn run(args: Args) -> Outcome {
    print(&render(args.format));
    Outcome::Clean
}

/// The listing.
pub fn render(format: RulesFormat) -> String {
    let catalog = policy::catalog(&policy::builtin_rules());
    match format {
        RulesFormat::Json => {
            let mut s = serde_json::to_string_pretty(&catalog)
                .expect("the catalog is plain strings and always serializes");
            s.push('\n');
            s
        }
        RulesFormat::Table => {
            let name_w = catalog.iter().map(|r| r.name.len()).max().unwrap_or(4);
            let mut out = format!("{:<7} {:<name_w$} {:<7} SUMMARY\n", "CODE", "NAME", "LEVEL");
            for r in &catalog {
                out.push_str(&format!(
                    "{:<7} {:<name_w$} {:<7} {}\n",
                    r.code,
                    r.name,
                    r.level.as_str(),
                    r.summary
                ));
            }
            out
        }
    }
}
