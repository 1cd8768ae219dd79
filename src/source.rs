//! The source database: every file mcpgen read, with a line index, so any byte offset turns
//! into a line and column and any span into a miette snippet.
//!
//! Files are added once and referred to by [`SourceId`] everywhere else; nothing outside this
//! module stores file text. [`read_input`] is the one way mcpgen reads a file someone else
//! wrote (spec, `mcpgen.toml`, team policy, policy data): a regular file, within a size bound,
//! and, when it is a symbolic link, one that stays inside the tree it belongs to.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub usize);

/// One file's text and line starts.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: Arc<String>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file with a display name (a path as the user gave it).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text: String = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text: Arc::new(text),
            line_starts,
        }
    }

    /// The name shown in diagnostics.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, shared.
    pub fn shared_text(&self) -> Arc<String> {
        Arc::clone(&self.text)
    }

    /// 1-based line and column (in characters) of a byte offset. Offsets past the end map to
    /// the end of the file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte offset of a 1-based line and column (characters); clamps to the file.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(col.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }

    /// 0-based index of the line holding a byte offset (offsets past the end: the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Number of lines (a final line without newline counts; an empty file has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a 0-based line, without its line break.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&n| n - 1);
        let end = end.max(start);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        start..end
    }

    /// A miette source for rendering snippets.
    pub fn named_source(&self) -> NamedSource<Arc<String>> {
        NamedSource::new(self.name.clone(), Arc::clone(&self.text))
    }
}

/// All files of one run.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file and return its id.
    pub fn add(&mut self, file: SourceFile) -> SourceId {
        self.files.push(file);
        SourceId(self.files.len() - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0]
    }
}

/// Why an input file was not read. Always a failure of the run (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct InputError {
    /// The path as given.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The directory a symbolic link named `path` must stay inside when no other root is given:
/// the nearest directory above it holding a `.git` entry (the repository), or, outside a Git
/// checkout, the directory holding the link.
pub fn repository_of(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent = std::fs::canonicalize(parent).ok()?;
    let mut dir = Some(parent.as_path());
    while let Some(d) = dir {
        if d.join(".git").symlink_metadata().is_ok() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    Some(parent)
}

/// Whether `path` (which must exist) resolves to a place inside `root` (canonical).
pub fn resolves_within(path: &Path, root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(root))
}

/// Read an input file written by someone else: it must be a regular file (not a FIFO, a device
/// or a directory) of at most `limit` bytes, and when `path` is a symbolic link its target must
/// lie inside `within` (by default, [`repository_of`] the link). The size is enforced while
/// reading, so files whose reported size is 0 (`/proc`) are bounded too.
pub fn read_input(path: &Path, limit: u64, within: Option<&Path>) -> Result<Vec<u8>, InputError> {
    let fail = |reason: String| InputError {
        path: path.display().to_string(),
        reason,
    };
    let link = std::fs::symlink_metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if link.file_type().is_symlink() {
        let root = match within {
            Some(r) => std::fs::canonicalize(r).ok(),
            None => repository_of(path),
        };
        let inside = root.is_some_and(|r| resolves_within(path, &r));
        if !inside {
            return Err(fail(
                "is a symbolic link that leads outside the repository; mcpgen does not follow it"
                    .into(),
            ));
        }
    }
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail(
            "is not a regular file (a directory, FIFO, socket or device)".into(),
        ));
    }
    if meta.len() > limit {
        return Err(fail(format!(
            "is {} bytes, more than the limit of {limit} bytes",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    read_capped(file, limit).map_err(fail)
}

/// At most `limit` bytes of a reader: an error when it holds more (a file growing while it is
/// read, a pipe), never a read past the bound.
fn read_capped(r: impl Read, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    r.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("is larger than the limit of {limit} bytes"));
    }
    Ok(bytes)
}

/// Standard input as UTF-8 text, read up to `limit` bytes like a file ([`read_input`]).
pub fn read_stdin_text(limit: u64) -> Result<String, InputError> {
    let fail = |reason: String| InputError {
        path: "standard input".to_string(),
        reason,
    };
    let bytes = read_capped(std::io::stdin().lock(), limit).map_err(fail)?;
    String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// [`read_input`] as UTF-8 text.
pub fn read_input_text(
    path: &Path,
    limit: u64,
    within: Option<&Path>,
) -> Result<String, InputError> {
    let bytes = read_input(path, limit, within)?;
    String::from_utf8(bytes).map_err(|e| InputError {
        path: path.display().to_string(),
        reason: format!(
            "is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_bounded_regular_files_and_links_stay_inside() {
        let dir = std::env::temp_dir().join(format!("mcpgen-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("repo/.git")).unwrap();
        std::fs::write(dir.join("repo/a.yaml"), "a: 1\n").unwrap();
        std::fs::write(dir.join("outside.yaml"), "secret: 1\n").unwrap();
        assert_eq!(
            read_input(&dir.join("repo/a.yaml"), 100, None).unwrap(),
            b"a: 1\n"
        );
        assert!(read_input(&dir.join("repo/a.yaml"), 3, None).is_err());
        assert!(read_input(&dir.join("repo"), 100, None).is_err());
        assert!(read_input(Path::new("/dev/zero"), 100, None).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("repo/a.yaml"), dir.join("repo/in.yaml")).unwrap();
            std::os::unix::fs::symlink(dir.join("outside.yaml"), dir.join("repo/out.yaml"))
                .unwrap();
            std::os::unix::fs::symlink("/proc/self/environ", dir.join("repo/env.yaml")).unwrap();
            assert!(read_input(&dir.join("repo/in.yaml"), 100, None).is_ok());
            let e = read_input(&dir.join("repo/out.yaml"), 100, None).unwrap_err();
            assert!(e.reason.contains("outside"), "{e}");
            assert!(read_input(&dir.join("repo/env.yaml"), 100, None).is_err());
            assert!(
                read_input(&dir.join("repo/in.yaml"), 100, Some(&dir.join("nowhere"))).is_err()
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "a: 1\nb: é2\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(5), (2, 1));
        assert_eq!(f.line_col(10), (2, 5));
        assert_eq!(f.offset_of(2, 5), 10);
        assert_eq!(f.line_col(999), (3, 1));
    }
}
