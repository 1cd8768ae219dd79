//! Writing generated trees, and comparing them with what is on disk (`--check`).
//!
//! The unit mcpgen owns is one environment directory (`DIR/<env>/`): it is replaced as a whole,
//! so a file a previous build wrote and this one does not is removed with it. Each such
//! directory holds an ownership marker ([`MARKER`]); mcpgen replaces only directories that
//! carry it (or that hold nothing but files this build writes, which is how outputs of earlier
//! versions are adopted), and refuses to touch a regular file, a symbolic link or a foreign
//! directory at `DIR/<env>`.
//!
//! A build takes an exclusive lock on `DIR` (`flock` on the directory itself, so no lock file
//! is left behind; `--check` takes a shared one), so two builds into the same directory run one
//! after the other. It then writes each tree, as the build produces it ([`Staging`]),
//! completely into `.<env>.mcpgen-new` beside its target; once every tree is staged it
//! records the environments in a journal (`DIR/.mcpgen-swap`), swaps them in by
//! `rename` (the old tree goes to `.<env>.mcpgen-old`), and deletes the journal and the old
//! trees. A run killed at any point leaves either the previous outputs (plus staging
//! directories the next run deletes) or a journal: the next run, under the lock, completes the
//! recorded swap before anything else, so all environments end up from one build, never a mix
//! with one missing. This module does no rendering of findings and no compiling.

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

/// The ownership marker mcpgen writes into every environment directory it creates.
pub const MARKER: &str = ".mcpgen-output";
/// The journal of a swap in progress, in the output directory.
const JOURNAL: &str = ".mcpgen-swap";
/// Largest output file `--check` (or a build of some targets) reads back (bytes); a larger one
/// is drift by definition.
pub const MAX_OUTPUT_FILE_BYTES: u64 = 64 * 1024 * 1024;

fn io_err(path: &Path, kind: io::ErrorKind, message: impl Into<String>) -> WriteError {
    WriteError {
        path: path.display().to_string(),
        source: io::Error::new(kind, message.into()),
    }
}

/// The marker's contents: the build's generated-by line and what the marker means.
fn marker_text(tree: &Tree) -> String {
    let header = tree
        .files
        .values()
        .find_map(|c| {
            c.lines()
                .next()
                .filter(|l| l.starts_with("# Generated by mcpgen"))
        })
        .unwrap_or("# Generated by mcpgen. Do not edit.");
    format!(
        "{header}\n# mcpgen owns this directory: `mcpgen build` replaces it as a whole. Keep \
         other files elsewhere.\n"
    )
}

/// The files mcpgen writes for a tree: the generated ones and the marker.
fn with_marker(tree: &Tree) -> BTreeMap<String, String> {
    let mut files = tree.files.clone();
    files
        .entry(MARKER.to_string())
        .or_insert_with(|| marker_text(tree));
    files
}

/// `target` with its last component named `.<name>.mcpgen-<tag>`.
fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    target.with_file_name(format!(".{name}.mcpgen-{tag}"))
}

/// An exclusive (or shared) lock on the output directory, released when dropped.
#[derive(Debug)]
struct Lock(#[allow(dead_code)] std::fs::File);

fn lock(out: &Path, exclusive: bool) -> Result<Lock, WriteError> {
    loop {
        let f = std::fs::File::open(out).map_err(err(out))?;
        if exclusive {
            f.lock().map_err(err(out))?;
        } else {
            f.lock_shared().map_err(err(out))?;
        }
        // A build that held the lock may have removed the directory it had created (it
        // stopped before its commit): a lock on that directory protects nothing, so take it
        // again on the one the path names now.
        if same_directory(&f, out) {
            return Ok(Lock(f));
        }
    }
}

#[cfg(unix)]
fn same_directory(f: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        // Gone: the next open reports it.
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_directory(_: &std::fs::File, _: &Path) -> bool {
    true
}

/// Refuse an output directory that is a symbolic link leading out of its repository.
fn check_out_dir(out: &Path) -> Result<(), WriteError> {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        let inside = crate::source::repository_of(out)
            .is_some_and(|r| crate::source::resolves_within(out, &r));
        if !inside {
            return Err(io_err(
                out,
                io::ErrorKind::InvalidInput,
                "the output directory is a symbolic link that leads outside the repository",
            ));
        }
    }
    Ok(())
}

/// The first path from `out` down to `out/rel` that is a symbolic link, if any.
fn symlink_below(out: &Path, rel: &str) -> Option<PathBuf> {
    let mut p = out.to_path_buf();
    for c in rel.split('/') {
        p.push(c);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => return Some(p),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// Whether mcpgen may replace what is at `target`: nothing, an empty directory, a directory
/// with the marker, or one that holds only regular files this tree writes (outputs of a
/// version without markers).
fn owned(target: &Path, files: &BTreeMap<String, String>) -> Result<(), WriteError> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(err(target)(e)),
    };
    let refuse = |why: &str| {
        Err(io_err(
            target,
            io::ErrorKind::AlreadyExists,
            format!(
                "{why}; mcpgen replaces only directories it wrote (with a {MARKER} marker), so it leaves this alone: move it away or choose another output directory"
            ),
        ))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link");
    }
    if !meta.is_dir() {
        return refuse("is not a directory");
    }
    if std::fs::symlink_metadata(target.join(MARKER)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let on_disk = list(target)?;
    let foreign = on_disk
        .iter()
        .find(|(rel, e)| !matches!(e, Entry::File(_)) || !files.contains_key(*rel));
    match foreign {
        None => Ok(()),
        Some((rel, _)) => refuse(&format!(
            "holds `{rel}`, which mcpgen did not write, and no {MARKER} marker"
        )),
    }
}

/// Remove a directory mcpgen staged or set aside (its name is mcpgen's own).
fn remove_ours(path: &Path) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).map_err(err(path)),
        Ok(_) => std::fs::remove_file(path).map_err(err(path)),
        Err(_) => Ok(()),
    }
}

/// Finish, under the lock, what an interrupted run left: complete a journalled swap, then
/// delete staging (`-new`) and set-aside (`-old`) directories beside `targets`, including the
/// per-process ones of earlier versions (`-tmp-<pid>`, `-old-<pid>`).
fn recover(out: &Path, targets: &[PathBuf]) -> Result<(), WriteError> {
    let journal = out.join(JOURNAL);
    let mut all: Vec<PathBuf> = targets.to_vec();
    if let Ok(text) = std::fs::read_to_string(&journal) {
        for root in text.lines().filter(|l| !l.is_empty()) {
            // The journal is mcpgen's, but it sits in a directory others can write.
            if plain_relative(root).is_err() {
                continue;
            }
            let target = out.join(root);
            let new = sibling(&target, "new");
            let old = sibling(&target, "old");
            if new.is_dir() {
                if std::fs::symlink_metadata(&target).is_ok() {
                    remove_ours(&old)?;
                    std::fs::rename(&target, &old).map_err(err(&target))?;
                }
                std::fs::rename(&new, &target).map_err(err(&new))?;
            }
            all.push(target);
        }
        std::fs::remove_file(&journal).map_err(err(&journal))?;
    }
    for target in &all {
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            continue;
        };
        let prefix = format!(".{}.mcpgen-", name.to_string_lossy());
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let n = e.file_name().to_string_lossy().into_owned();
            if let Some(tag) = n.strip_prefix(&prefix)
                && (tag == "new"
                    || tag == "old"
                    || tag == "tmp"
                    || tag.starts_with("tmp-")
                    || tag.starts_with("old-"))
            {
                remove_ours(&e.path())?;
            }
        }
    }
    Ok(())
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

/// Write every tree under `out`: all environments are replaced together, or (if the process
/// dies half-way) by the next run; nothing that mcpgen did not write is replaced or deleted.
pub fn write(out: &Path, trees: &[Tree]) -> Result<(), WriteError> {
    validate(trees)?;
    let mut staging = Staging::new(out);
    for tree in trees {
        staging.stage(tree)?;
    }
    staging.commit()
}

/// A write in progress: each tree is written into `.<env>.mcpgen-new` beside its target as
/// soon as it is built (so its contents need not stay in memory), and nothing under the output
/// directory changes until [`Staging::commit`] swaps them all in through the journal. The
/// first staged tree takes the exclusive lock on the output directory and completes what an
/// interrupted run left; every tree's target is checked to be mcpgen's to replace before it is
/// staged. Dropped without a commit (a later tree failed, or findings stopped the build), the
/// staged trees and the directories this build created are removed.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    roots: BTreeSet<String>,
    /// `(root, staged directory, target)`.
    staged: Vec<(String, PathBuf, PathBuf)>,
    /// Directories that did not exist before, outermost first.
    created: Vec<PathBuf>,
    lock: Option<Lock>,
}

impl Staging {
    /// Nothing staged yet, for trees under `out`.
    pub fn new(out: &Path) -> Staging {
        Staging {
            out: out.to_path_buf(),
            roots: BTreeSet::new(),
            staged: Vec::new(),
            created: Vec::new(),
            lock: None,
        }
    }

    /// Remember the outermost missing ancestor of `dir` (itself included), then create it.
    fn create(&mut self, dir: &Path) -> Result<(), WriteError> {
        let missing = |a: &&Path| !a.as_os_str().is_empty() && !a.exists();
        if let Some(top) = dir.ancestors().take_while(missing).last() {
            self.created.push(top.to_path_buf());
        }
        std::fs::create_dir_all(dir).map_err(err(dir))
    }

    /// Lock the output directory (creating it) and finish an interrupted run, once.
    fn open(&mut self) -> Result<(), WriteError> {
        if self.lock.is_some() {
            return Ok(());
        }
        check_out_dir(&self.out)?;
        let out = self.out.clone();
        self.create(&out)?;
        self.lock = Some(lock(&out, true)?);
        recover(&out, &[])
    }

    /// Check one tree against those staged before it and against what is on disk at its
    /// target, and write it into its staging directory.
    pub fn stage(&mut self, tree: &Tree) -> Result<(), WriteError> {
        let _t = crate::timing::span("write: stage");
        validate_next(tree, &self.roots)?;
        self.open()?;
        let target = self.out.join(&tree.root);
        if let Some(link) = symlink_below(&self.out, &tree.root) {
            return Err(io_err(
                &link,
                io::ErrorKind::InvalidInput,
                "is a symbolic link; mcpgen writes only into real directories below the output \
                 directory",
            ));
        }
        let files = with_marker(tree);
        owned(&target, &files)?;
        // Staging and set-aside directories an interrupted run left beside this target.
        recover(&self.out, std::slice::from_ref(&target))?;
        if let Some(p) = target.parent() {
            self.create(p)?;
        }
        let new = sibling(&target, "new");
        if let Err(e) = write_files(&new, &files) {
            let _ = remove_ours(&new);
            return Err(e);
        }
        self.roots.insert(tree.root.clone());
        self.staged.push((tree.root.clone(), new, target));
        Ok(())
    }

    /// Swap every staged tree in, replacing what was there. From the journal on, an
    /// interruption is completed by the next run.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let _t = crate::timing::span("write: swap in");
        if self.staged.is_empty() {
            return Ok(());
        }
        self.created.clear();
        let staged = std::mem::take(&mut self.staged);
        let journal = self.out.join(JOURNAL);
        let pending = self.out.join(format!("{JOURNAL}.tmp"));
        let list: String = staged
            .iter()
            .map(|(root, ..)| format!("{root}\n"))
            .collect();
        let recorded = (|| {
            use std::io::Write;
            let mut f = std::fs::File::create(&pending).map_err(err(&pending))?;
            f.write_all(list.as_bytes()).map_err(err(&pending))?;
            f.sync_all().map_err(err(&pending))?;
            std::fs::rename(&pending, &journal).map_err(err(&journal))
        })();
        if let Err(e) = recorded {
            let _ = remove_ours(&pending);
            for (_, new, _) in &staged {
                let _ = remove_ours(new);
            }
            return Err(e);
        }
        for (_, new, target) in &staged {
            let old = sibling(target, "old");
            if std::fs::symlink_metadata(target).is_ok() {
                std::fs::rename(target, &old).map_err(err(target))?;
            }
            std::fs::rename(new, target).map_err(err(new))?;
        }
        std::fs::remove_file(&journal).map_err(err(&journal))?;
        for (_, _, target) in &staged {
            remove_ours(&sibling(target, "old"))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for (_, new, _) in &self.staged {
            let _ = remove_ours(new);
        }
        // Only what this build created, and only when it was not committed.
        for dir in self.created.iter().rev() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// What `--check` found at a path below an environment directory.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// A regular file.
    File(PathBuf),
    /// A symbolic link (never followed).
    Link,
    /// A FIFO, socket or device (never opened).
    Special,
}

/// Every entry under `dir` that is not a directory, relative and `/`-separated. Symbolic links
/// are listed, never followed.
fn list(dir: &Path) -> Result<BTreeMap<String, Entry>, WriteError> {
    let mut out = BTreeMap::new();
    if std::fs::symlink_metadata(dir).is_err() {
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
                continue;
            }
            let Ok(rel) = path.strip_prefix(dir) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let e = if ty.is_symlink() {
                Entry::Link
            } else if ty.is_file() {
                Entry::File(path)
            } else {
                Entry::Special
            };
            out.insert(rel, e);
        }
    }
    Ok(out)
}

/// What a build would do to a path whose entry on disk was not read (a link, a special file, an
/// unreadable one): change it when the build writes it, remove it otherwise.
fn replaced(new: Option<&str>) -> Change {
    if new.is_some() {
        Change::Modify
    } else {
        Change::Remove
    }
}

fn unified(shown: &str, old: Option<&str>, new: Option<&str>) -> String {
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
    similar::TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""))
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string()
}

/// Compare the trees with what is under `out`. Files missing on disk, changed, or present on
/// disk but no longer generated all count as drift; so does anything that is not a regular
/// file (a symbolic link is reported, never followed or read).
pub fn check(out: &Path, trees: &[Tree]) -> Result<Vec<Drift>, WriteError> {
    validate(trees)?;
    check_out_dir(out)?;
    let _lock = match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => Some(lock(out, false)?),
        _ => None,
    };
    if std::fs::symlink_metadata(out.join(JOURNAL)).is_ok() {
        return Err(io_err(
            out,
            io::ErrorKind::Interrupted,
            "an interrupted `mcpgen build` left a swap half-done here; run `mcpgen build` to \
             complete it",
        ));
    }
    let mut drift = Vec::new();
    for tree in trees {
        let target = out.join(&tree.root);
        let files = with_marker(tree);
        if let Some(link) = symlink_below(out, &tree.root) {
            let shown = link
                .strip_prefix(out)
                .map_or_else(|_| tree.root.clone(), |p| p.display().to_string());
            drift.push(Drift {
                path: shown.clone(),
                change: Change::Modify,
                diff: format!(
                    "{shown}: a symbolic link where mcpgen writes a directory (not followed)\n"
                ),
            });
            continue;
        }
        let on_disk = list(&target)?;
        let mut paths: Vec<&String> = files.keys().chain(on_disk.keys()).collect();
        paths.sort();
        paths.dedup();
        for rel in paths {
            let shown = format!("{}/{rel}", tree.root);
            let new = files.get(rel).map(String::as_str);
            let old = match on_disk.get(rel) {
                None => None,
                Some(Entry::File(p)) => {
                    match crate::source::read_input(p, MAX_OUTPUT_FILE_BYTES, Some(out)) {
                        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                        Err(e) => {
                            drift.push(Drift {
                                path: shown.clone(),
                                change: replaced(new),
                                diff: format!("{shown}: {}\n", e.reason),
                            });
                            continue;
                        }
                    }
                }
                Some(Entry::Link) => {
                    drift.push(Drift {
                        path: shown.clone(),
                        change: replaced(new),
                        diff: format!(
                            "{shown}: a symbolic link where mcpgen writes a regular file (not \
                             followed)\n"
                        ),
                    });
                    continue;
                }
                Some(Entry::Special) => {
                    drift.push(Drift {
                        path: shown.clone(),
                        change: replaced(new),
                        diff: format!("{shown}: not a regular file (not read)\n"),
                    });
                    continue;
                }
            };
            if old.as_deref() == new {
                continue;
            }
            let diff = unified(&shown, old.as_deref(), new);
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

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mcpgen-write-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn named(root: &str, files: &[(&str, &str)]) -> Tree {
        Tree {
            root: root.to_string(),
            ..tree(files)
        }
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
        let dir = scratch("replace");
        let t1 = tree(&[("a.txt", "1\n"), ("k8s/b.yaml", "b\n")]);
        assert!(write(&dir, std::slice::from_ref(&t1)).is_ok());
        assert!(dir.join("env").join(MARKER).is_file());
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
        // A run killed half-way left staging trees behind (this version's and an earlier
        // version's): the next one removes them.
        std::fs::create_dir_all(dir.join(".env.mcpgen-tmp-1")).unwrap_or_default();
        std::fs::create_dir_all(dir.join(".env.mcpgen-new")).unwrap_or_default();
        assert!(write(&dir, std::slice::from_ref(&t2)).is_ok());
        assert!(!dir.join(".env.mcpgen-tmp-1").exists());
        assert!(!dir.join(".env.mcpgen-new").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn what_mcpgen_did_not_write_is_never_replaced() {
        let dir = scratch("foreign");
        let t = tree(&[("a.txt", "1\n")]);
        // A regular file where the environment directory goes.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("env"), "precious").unwrap();
        assert!(write(&dir, std::slice::from_ref(&t)).is_err());
        assert_eq!(
            std::fs::read_to_string(dir.join("env")).unwrap(),
            "precious"
        );
        std::fs::remove_file(dir.join("env")).unwrap();
        // A directory someone else filled.
        std::fs::create_dir_all(dir.join("env")).unwrap();
        std::fs::write(dir.join("env/notes.md"), "mine").unwrap();
        let e = write(&dir, std::slice::from_ref(&t)).unwrap_err();
        assert!(e.to_string().contains("notes.md"), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.join("env/notes.md")).unwrap(),
            "mine"
        );
        // Output of an earlier version (no marker, only files this build writes) is adopted.
        std::fs::remove_file(dir.join("env/notes.md")).unwrap();
        std::fs::write(dir.join("env/a.txt"), "0\n").unwrap();
        assert!(write(&dir, std::slice::from_ref(&t)).is_ok());
        assert!(dir.join("env").join(MARKER).is_file());
        #[cfg(unix)]
        {
            let outside = scratch("foreign-outside");
            std::fs::create_dir_all(&outside).unwrap();
            std::fs::remove_dir_all(dir.join("env")).unwrap();
            std::os::unix::fs::symlink(&outside, dir.join("env")).unwrap();
            assert!(write(&dir, std::slice::from_ref(&t)).is_err());
            assert!(std::fs::read_dir(&outside).unwrap().next().is_none());
            let _ = std::fs::remove_dir_all(outside);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The on-disk state of a build killed between renames: `a` already swapped, `b` not.
    #[test]
    fn an_interrupted_swap_is_completed_by_the_next_run() {
        let dir = scratch("interrupted");
        let old = [
            named("a", &[("f", "old a\n")]),
            named("b", &[("f", "old b\n")]),
        ];
        let new = [
            named("a", &[("f", "new a\n")]),
            named("b", &[("f", "new b\n")]),
        ];
        assert!(write(&dir, &old).is_ok());
        std::fs::rename(dir.join("a"), dir.join(".a.mcpgen-old")).unwrap();
        write_files(&dir.join("a"), &with_marker(&new[0])).unwrap();
        write_files(&dir.join(".b.mcpgen-new"), &with_marker(&new[1])).unwrap();
        std::fs::write(dir.join(JOURNAL), "a\nb\n").unwrap();
        // --check does not guess: it says what happened.
        let e = check(&dir, &new).unwrap_err();
        assert!(e.to_string().contains("interrupted"), "{e}");
        // The next build, whatever it builds, first completes the recorded swap.
        let other = [named("c", &[("f", "c\n")])];
        assert!(write(&dir, &other).is_ok());
        assert_eq!(std::fs::read_to_string(dir.join("a/f")).unwrap(), "new a\n");
        assert_eq!(std::fs::read_to_string(dir.join("b/f")).unwrap(), "new b\n");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a", "b", "c"]);
        // Killed before the journal was written: the previous outputs stand, the staging
        // directory goes.
        write_files(&dir.join(".a.mcpgen-new"), &with_marker(&old[0])).unwrap();
        assert!(write(&dir, &new).is_ok());
        assert_eq!(check(&dir, &new).unwrap(), vec![]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn concurrent_writes_are_serialised() {
        let dir = scratch("concurrent");
        let trees = |tag: &'static str| {
            vec![
                named("p", &[("x", tag), ("k8s/y", tag)]),
                named("s", &[("x", tag), ("k8s/y", tag)]),
            ]
        };
        let threads: Vec<_> = ["one\n", "two\n"]
            .into_iter()
            .map(|tag| {
                let dir = dir.clone();
                let t = trees(tag);
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        write(&dir, &t).expect("write");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let a = check(&dir, &trees("one\n")).unwrap();
        let b = check(&dir, &trees("two\n")).unwrap();
        assert!(a.is_empty() || b.is_empty(), "a mixed tree: {a:?} / {b:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A lock taken on a directory that was removed and created again (a stopped build removes
    /// the output directory it created while another waits for the lock) is not the lock of
    /// the directory the path now names.
    #[cfg(unix)]
    #[test]
    fn a_lock_on_a_removed_directory_is_taken_again() {
        let dir = scratch("relock");
        std::fs::create_dir_all(&dir).unwrap();
        let stale = std::fs::File::open(&dir).unwrap();
        assert!(same_directory(&stale, &dir));
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!same_directory(&stale, &dir));
        let held = lock(&dir, true).unwrap();
        assert!(same_directory(&held.0, &dir));
        drop(held);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn check_never_follows_a_symlink() {
        let dir = scratch("symlink");
        let t = tree(&[("a.txt", "1\n")]);
        assert!(write(&dir, std::slice::from_ref(&t)).is_ok());
        std::fs::remove_file(dir.join("env/a.txt")).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", dir.join("env/a.txt")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("env/extra.yaml")).unwrap();
        let drift = check(&dir, std::slice::from_ref(&t)).unwrap();
        assert_eq!(drift.len(), 2, "{drift:?}");
        assert!(
            drift.iter().all(|d| d.diff.contains("symbolic link")),
            "{drift:?}"
        );
        let hostname = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        assert!(
            hostname.trim().is_empty() || drift.iter().all(|d| !d.diff.contains(hostname.trim())),
            "{drift:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
