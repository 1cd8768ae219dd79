//! Writing generated trees atomically, and comparing them with what is on disk (`--check`).
//!
//! The unit mcpgen owns is one environment directory (`DIR/<env>/`): it is replaced as a whole,
//! so a file a previous build wrote and this one does not is removed with it. Every tree is
//! first written into a temporary directory beside its target; only when all of them were
//! written completely are they swapped in by `rename`, so a failed build leaves the previous
//! output untouched. This module does no rendering of findings and no compiling.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

/// One directory of generated files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Directory relative to the output directory, `/`-separated (e.g. `staging`).
    pub root: String,
    /// Files relative to `root`, `/`-separated, with their contents.
    pub files: BTreeMap<String, String>,
}

/// An I/O failure, with the path it happened on.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {source}")]
pub struct WriteError {
    /// The path that could not be read or written.
    pub path: String,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

fn err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.display().to_string(),
        source,
    }
}

/// How a file differs between disk and the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Generated, not on disk.
    Add,
    /// On disk with other contents.
    Modify,
    /// On disk, no longer generated.
    Remove,
}

impl Change {
    /// `add`, `change` or `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Add => "add",
            Change::Modify => "change",
            Change::Remove => "remove",
        }
    }
}

/// A file that differs between disk and the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Path relative to the output directory.
    pub path: String,
    /// What a build would do to it.
    pub change: Change,
    /// Unified diff from the file on disk to the generated one.
    pub diff: String,
}

/// Refuse an output path that is not a plain relative path: mcpgen writes only below the output
/// directory, whatever the spec or the model says. Each `/`-separated component must be
/// non-empty, not `.` or `..`, and free of control characters and backslashes (a newline in a
/// path would also forge a `# Source:` line in `--stdout`).
pub fn plain_relative(path: &str) -> Result<(), WriteError> {
    let bad = |why: &str| WriteError {
        path: path.escape_debug().to_string(),
        source: io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output directory: {why}"),
        ),
    };
    if path.is_empty() {
        return Err(bad("empty path"));
    }
    if path.starts_with('/') {
        return Err(bad("absolute path"));
    }
    for c in path.split('/') {
        if c.is_empty() || c == "." || c == ".." {
            return Err(bad("not a plain relative path"));
        }
        if c.chars()
            .any(|ch| ch.is_control() || ch == '\\' || ch == '\u{2028}' || ch == '\u{2029}')
        {
            return Err(bad("control character or backslash in the path"));
        }
    }
    Ok(())
}

/// Check every tree before anything touches the disk: plain relative roots and file paths, and
/// no root equal to or inside another (one swap would replace the other's tree).
pub fn validate(trees: &[Tree]) -> Result<(), WriteError> {
    let mut roots = BTreeSet::new();
    for tree in trees {
        validate_next(tree, &roots)?;
        roots.insert(tree.root.clone());
    }
    Ok(())
}

/// [`validate`] for one more tree, given the roots of the trees before it. Looks up the
/// tree's ancestors and descendants among them, so checking many trees stays linear.
pub fn validate_next(tree: &Tree, earlier: &BTreeSet<String>) -> Result<(), WriteError> {
    plain_relative(&tree.root)?;
    for rel in tree.files.keys() {
        plain_relative(rel)?;
    }
    let root = &tree.root;
    let ancestor = root
        .match_indices('/')
        .map(|(i, _)| &root[..i])
        .chain([root.as_str()])
        .find(|a| earlier.contains(*a));
    let below = format!("{root}/");
    let descendant = earlier
        .range::<String, _>(&below..)
        .next()
        .filter(|r| r.starts_with(&below));
    if let Some(other) = ancestor.or(descendant.map(String::as_str)) {
        return Err(WriteError {
            path: root.clone(),
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("two outputs overlap: `{other}` and `{root}`"),
            ),
        });
    }
    Ok(())
}

/// Sibling path of `target` named `.<name>.<tag>-<pid>`.
fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    target.with_file_name(format!(".{name}.mcpgen-{tag}-{}", std::process::id()))
}

/// Remove `.<name>.mcpgen-<tag>-*` siblings of `target` that an interrupted run left behind.
fn remove_leftovers(target: &Path, tag: &str) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!(".{}.mcpgen-{tag}-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn write_files(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(err(dir))?;
    for (rel, contents) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err(parent))?;
        }
        std::fs::write(&path, contents).map_err(err(&path))?;
    }
    Ok(())
}

/// Write every tree under `out`, atomically per tree and all-or-nothing for the staging step.
pub fn write(out: &Path, trees: &[Tree]) -> Result<(), WriteError> {
    validate(trees)?;
    let mut staging = Staging::new(out);
    for tree in trees {
        staging.stage(tree)?;
    }
    staging.commit()
}

/// A write in progress: each tree is written into a temporary directory beside its target as
/// soon as it is built (so its contents need not stay in memory), and nothing under the
/// output directory changes until [`Staging::commit`] swaps them all in. Dropped without a
/// commit (a later tree failed, or findings stopped the build), the staged trees are removed.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    roots: BTreeSet<String>,
    staged: Vec<(PathBuf, PathBuf)>,
    /// Directories that did not exist before, outermost first.
    created: Vec<PathBuf>,
}

impl Staging {
    /// Nothing staged yet, for trees under `out`.
    pub fn new(out: &Path) -> Staging {
        Staging {
            out: out.to_path_buf(),
            roots: BTreeSet::new(),
            staged: Vec::new(),
            created: Vec::new(),
        }
    }

    /// Check one tree against those staged before it, and write it into its temporary
    /// directory.
    pub fn stage(&mut self, tree: &Tree) -> Result<(), WriteError> {
        let _t = crate::timing::span("write: stage");
        validate_next(tree, &self.roots)?;
        let target = self.out.join(&tree.root);
        if let Some(p) = target.parent() {
            // Remember the outermost directory this creates (the output directory itself on a
            // first build): a build that stops before the commit leaves no trace.
            let missing = |a: &&Path| !a.as_os_str().is_empty() && !a.exists();
            if let Some(top) = p.ancestors().take_while(missing).last() {
                self.created.push(top.to_path_buf());
            }
            std::fs::create_dir_all(p).map_err(err(p))?;
        }
        remove_leftovers(&target, "tmp");
        let tmp = sibling(&target, "tmp");
        if let Err(e) = write_files(&tmp, &tree.files) {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        self.roots.insert(tree.root.clone());
        self.staged.push((tmp, target));
        Ok(())
    }

    /// Swap every staged tree in, replacing what was there.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let _t = crate::timing::span("write: swap in");
        self.created.clear();
        let staged = std::mem::take(&mut self.staged);
        for (i, (tmp, target)) in staged.iter().enumerate() {
            if let Err(e) = swap(tmp, target) {
                for (rest, _) in &staged[i..] {
                    let _ = std::fs::remove_dir_all(rest);
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = std::fs::remove_dir_all(tmp);
        }
        // Only what this build created, and only when it was not committed.
        for dir in &self.created {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Replace `target` by `tmp`: move the old tree aside, move the new one in, delete the old one.
/// If the second rename fails, the old tree is moved back.
fn swap(tmp: &Path, target: &Path) -> Result<(), WriteError> {
    let old = sibling(target, "old");
    let had_old = target.exists();
    if had_old {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(err(&old))?;
        }
        std::fs::rename(target, &old).map_err(err(target))?;
    }
    if let Err(e) = std::fs::rename(tmp, target) {
        if had_old {
            let _ = std::fs::rename(&old, target);
        }
        return Err(err(target)(e));
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(err(&old))?;
    }
    remove_leftovers(target, "old");
    Ok(())
}

/// Every regular file under `dir`, relative and `/`-separated.
fn list(dir: &Path) -> Result<BTreeMap<String, PathBuf>, WriteError> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(err(&d))? {
            let entry = entry.map_err(err(&d))?;
            let path = entry.path();
            let ty = entry.file_type().map_err(err(&path))?;
            if ty.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, path);
            }
        }
    }
    Ok(out)
}

/// Compare the trees with what is under `out`. Files missing on disk, changed, or present on
/// disk but no longer generated all count as drift.
pub fn check(out: &Path, trees: &[Tree]) -> Result<Vec<Drift>, WriteError> {
    validate(trees)?;
    let mut drift = Vec::new();
    for tree in trees {
        let target = out.join(&tree.root);
        let on_disk = list(&target)?;
        let mut paths: Vec<&String> = tree.files.keys().chain(on_disk.keys()).collect();
        paths.sort();
        paths.dedup();
        for rel in paths {
            let new = tree.files.get(rel).map(String::as_str);
            let old = match on_disk.get(rel) {
                Some(p) => Some(std::fs::read(p).map_err(err(p))?),
                None => None,
            };
            let old_text = old.as_deref().map(String::from_utf8_lossy);
            if old_text.as_deref() == new {
                continue;
            }
            let shown = format!("{}/{rel}", tree.root);
            let a = if old.is_some() {
                format!("a/{shown}")
            } else {
                "/dev/null".to_string()
            };
            let b = if new.is_some() {
                format!("b/{shown}")
            } else {
                "/dev/null".to_string()
            };
            let old_s = old_text.as_deref().unwrap_or("");
            let new_s = new.unwrap_or("");
            let diff = similar::TextDiff::from_lines(old_s, new_s)
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string();
            let change = match (old.is_some(), new.is_some()) {
                (false, _) => Change::Add,
                (true, false) => Change::Remove,
                (true, true) => Change::Modify,
            };
            drift.push(Drift {
                path: shown,
                change,
                diff,
            });
        }
    }
    Ok(drift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        Tree {
            root: "env".to_string(),
            files: files
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn paths_outside_the_output_directory_are_refused() {
        for bad in [
            "",
            "/etc",
            "../victim",
            "a/../../b",
            "./a",
            "a//b",
            "x\n---\nkind: X",
            "a\\b",
        ] {
            assert!(plain_relative(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "production",
            "weather/staging",
            "k8s/deployment.yaml",
            ".dockerignore",
        ] {
            assert!(plain_relative(good).is_ok(), "{good:?} refused");
        }
        let mut t = tree(&[("a", "1")]);
        t.root = "../x".to_string();
        let dir = std::env::temp_dir().join(format!("mcpgen-write-bad-{}", std::process::id()));
        assert!(write(&dir, std::slice::from_ref(&t)).is_err());
        assert!(!dir.exists());
        let overlap = [
            tree(&[("a", "1")]),
            Tree {
                root: "env/sub".into(),
                files: BTreeMap::new(),
            },
        ];
        assert!(validate(&overlap).is_err());
    }

    #[test]
    fn staging_leaves_nothing_unless_committed() {
        let dir = std::env::temp_dir().join(format!("mcpgen-stage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("out");
        let mut a = tree(&[("a.txt", "1\n")]);
        a.root = "svc/staging".into();
        let mut b = tree(&[("b.txt", "2\n")]);
        b.root = "svc".into();
        let mut staging = Staging::new(&out);
        assert!(staging.stage(&a).is_ok());
        assert!(
            staging.stage(&b).is_err(),
            "a root above a staged one overlaps it"
        );
        drop(staging);
        assert!(
            !out.exists(),
            "a build that stops leaves no output directory behind"
        );
        let mut staging = Staging::new(&out);
        assert!(staging.stage(&a).is_ok());
        assert!(staging.commit().is_ok());
        assert_eq!(
            std::fs::read_to_string(out.join("svc/staging/a.txt"))
                .ok()
                .as_deref(),
            Some("1\n")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn write_replaces_and_check_sees_drift() {
        let dir = std::env::temp_dir().join(format!("mcpgen-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let t1 = tree(&[("a.txt", "1\n"), ("k8s/b.yaml", "b\n")]);
        assert!(write(&dir, std::slice::from_ref(&t1)).is_ok());
        assert_eq!(check(&dir, std::slice::from_ref(&t1)).ok(), Some(vec![]));
        let t2 = tree(&[("a.txt", "2\n")]);
        let drift = check(&dir, std::slice::from_ref(&t2)).unwrap_or_default();
        assert_eq!(drift.len(), 2);
        assert!(drift[0].diff.contains("-1\n+2\n"), "{}", drift[0].diff);
        assert!(drift[1].diff.contains("+++ /dev/null"), "{}", drift[1].diff);
        assert!(write(&dir, std::slice::from_ref(&t2)).is_ok());
        assert!(!dir.join("env/k8s/b.yaml").exists());
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .map(|r| r.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        // A run killed half-way left a temporary tree behind: the next one removes it.
        std::fs::create_dir_all(dir.join(".env.mcpgen-tmp-1")).unwrap_or_default();
        assert!(write(&dir, std::slice::from_ref(&t2)).is_ok());
        assert!(!dir.join(".env.mcpgen-tmp-1").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
