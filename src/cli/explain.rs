//! `mcpgen explain CODE|NAME`: print a rule's documentation.

use crate::cli::{Outcome, fail, print};
use crate::diagnostics::codes;
use crate::policy;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule code (`MCP213`) or name (`latest-image-tag`).
    pub rule: String,
}

/// Run `explain`.
pub fn run(args: Args) -> Outcome {
    match explain(&args.rule) {
        Some(text) => {
            print(&text);
            Outcome::Clean
        }
        None => {
            fail(&format!(
                "no rule `{}`; `mcpgen rules` lists them",
                args.rule
            ));
            Outcome::Failure
        }
    }
}

/// The documentation of a built-in rule or code, in Markdown.
pub fn explain(key: &str) -> Option<String> {
    let rules = policy::builtin_rules();
    if let Some(r) = rules
        .iter()
        .find(|r| r.code().eq_ignore_ascii_case(key) || r.name() == key)
    {
        return policy::docs(r).or_else(|| Some(format!("# {} ({})\n", r.name(), r.code())));
    }
    let c = codes::find(key)?;
    if c.code == codes::HARDCODED_SECRET.code {
        return Some(crate::validate::secrets::DOCS.to_string());
    }
    let mut out = format!(
        "# {} ({})\n\n{}\n\nLevel: {}.\n",
        c.name,
        c.code,
        c.summary,
        c.level.as_str()
    );
    if let Some(h) = c.help {
        out.push_str(&format!("\n## Fix\n\n{h}.\n"));
    }
    Some(out)
}
