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
            let near = suggestions(&args.rule);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            fail(&format!(
                "no rule `{}`{hint} (`mcpgen rules` lists them all)",
                args.rule
            ));
            Outcome::Failure
        }
    }
}

/// The rules whose name or code is nearest to `key`, best first (at most three), as
/// "`name` (CODE)". A name that contains the key, or is contained in it, counts as near.
pub fn suggestions(key: &str) -> Vec<String> {
    let key = key.trim().to_lowercase();
    let mut entries: Vec<(String, String)> = policy::builtin_rules()
        .iter()
        .map(|r| (r.name(), r.code()))
        .collect();
    entries.extend(
        codes::ALL
            .iter()
            .map(|c| (c.name.to_string(), c.code.to_string())),
    );
    let mut scored: Vec<(f64, String)> = entries
        .into_iter()
        .filter_map(|(name, code)| {
            let by_name = strsim::jaro_winkler(&key, &name);
            let by_code = strsim::jaro_winkler(&key, &code.to_lowercase());
            let display = format!("`{name}` ({code})");
            let code = code.to_lowercase();
            let contains = key.len() >= 3 && (name.contains(&key) || key.contains(&name));
            let prefix = key.len() >= 4 && (key.starts_with(&code) || code.starts_with(&key));
            let score = by_name
                .max(by_code)
                .max(if contains { 0.9 } else { 0.0 })
                .max(if prefix { 1.0 } else { 0.0 });
            (score >= 0.8).then_some((score, display))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, s)| s).collect()
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
