//! Finding spec files in a directory tree: the naming convention, `.gitignore` respected.
//!
//! A spec file is named `mcp.yaml`, `mcp.yml` or `mcp.kdl` (what `mcpgen init` writes), or ends
//! in `.mcp.yaml`, `.mcp.yml` or `.mcp.kdl` (one server among several in a directory). The walk
//! uses ripgrep's `ignore` crate: `.gitignore`, `.ignore` and git's exclude files are honoured
//! and hidden directories are skipped, so generated output and vendored trees stay out. The
//! result is sorted, so a run over a directory is deterministic.

use std::path::{Path, PathBuf};

/// Whether a file name follows the spec naming convention.
pub fn is_spec_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["mcp.yaml", "mcp.yml", "mcp.kdl"].contains(&lower.as_str())
        || [".mcp.yaml", ".mcp.yml", ".mcp.kdl"]
            .iter()
            .any(|s| lower.ends_with(s) && lower.len() > s.len())
}

/// Every spec file under `dir`, sorted. Unreadable entries are skipped: discovery never fails a
/// run, a file it cannot read is simply not a spec it found.
pub fn specs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        // A repository's .gitignore applies even where the walk starts below a directory that
        // is not itself a git checkout (tests, tarballs).
        .require_git(false)
        .follow_links(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(is_spec_name))
        .map(ignore::DirEntry::into_path)
        .collect();
    out.sort();
    out
}

/// The inputs a command was given, with each directory replaced by the specs found under it;
/// no argument means the current directory. Files keep their order; duplicates are dropped.
pub fn expand(args: &[PathBuf]) -> Vec<PathBuf> {
    let args: Vec<PathBuf> = if args.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.to_vec()
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for a in args {
        let found = if a.is_dir() {
            specs_under(&a)
                .into_iter()
                .map(|p| p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
                .collect()
        } else {
            vec![a]
        };
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_convention() {
        for ok in [
            "mcp.yaml",
            "mcp.kdl",
            "MCP.YML",
            "weather.mcp.yaml",
            "a.b.mcp.kdl",
        ] {
            assert!(is_spec_name(ok), "{ok}");
        }
        for no in [
            "service.yaml",
            ".mcp.yaml",
            "mcp.yaml.bak",
            "mcpgen.toml",
            "xmcp.yaml",
        ] {
            assert!(!is_spec_name(no), "{no}");
        }
    }
}
