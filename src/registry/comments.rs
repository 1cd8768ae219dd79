//! Comments for serialized YAML, keyed by JSON Pointer.
//!
//! Serialization cannot carry comments, and a commented file written from a text template
//! would drift from the types. So a commented file is made in two steps: the typed value is
//! serialized as usual (serde-saphyr), then this post-pass parses the output with mcpgen's own
//! YAML front-end, which indexes the span of every key and value by JSON Pointer (the same index
//! diagnostics use), and inserts each comment above, or at the end of, the line of its pointer.
//! The commented text is parsed again and must hold the same value, so a comment can never
//! change what the file means. What this module does not do: decide what to say.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::source::{SourceFile, Sources};

/// Total width comment lines are wrapped to (indentation included), when words allow.
const WIDTH: usize = 100;

/// Where a comment goes relative to the line of its pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On its own lines just above, at the same indentation.
    Above,
    /// At the end of the line, after two spaces.
    Trailing,
}

/// One comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// JSON Pointer of the key (or sequence item) the comment is about.
    pub pointer: String,
    /// Text; `\n` starts a new line, long lines are wrapped at spaces.
    pub text: String,
    /// Above or trailing.
    pub placement: Placement,
}

/// The comments of one file: a header block, then comments attached to pointers.
#[derive(Debug, Clone, Default)]
pub struct Comments {
    header: Vec<String>,
    items: Vec<Comment>,
}

impl Comments {
    /// A paragraph of the header (an empty string is a blank comment line).
    pub fn header(&mut self, text: impl Into<String>) {
        self.header.push(text.into());
    }

    /// A comment above the line of `pointer`.
    pub fn above(&mut self, pointer: impl Into<String>, text: impl Into<String>) {
        self.items.push(Comment {
            pointer: pointer.into(),
            text: text.into(),
            placement: Placement::Above,
        });
    }

    /// A comment at the end of the line of `pointer`.
    pub fn trailing(&mut self, pointer: impl Into<String>, text: impl Into<String>) {
        self.items.push(Comment {
            pointer: pointer.into(),
            text: text.into(),
            placement: Placement::Trailing,
        });
    }
}

/// Why a commented file could not be written. Each is a bug in the caller or here, reported
/// rather than written as a wrong file.
#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    /// The value could not be serialized.
    #[error("could not serialize the spec: {0}")]
    Serialize(String),
    /// The serialized text could not be read back.
    #[error("the serialized spec does not parse: {0}")]
    Reparse(String),
    /// A comment names a pointer the output does not contain.
    #[error("no `{0}` in the serialized spec to attach a comment to")]
    UnknownPointer(String),
    /// The comments changed the value (a comment marker inside a scalar, say).
    #[error("the comments changed the meaning of the serialized spec")]
    Changed,
}

/// Serialize `value` as YAML and add the comments.
pub fn render<T: Serialize>(value: &T, comments: &Comments) -> Result<String, CommentError> {
    let yaml =
        serde_saphyr::to_string(value).map_err(|e| CommentError::Serialize(e.to_string()))?;
    let yaml = yaml.strip_prefix("---\n").unwrap_or(&yaml).to_string();
    let original = parse(&yaml)?;

    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(yaml.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;

    let mut above: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    let mut trailing: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for c in &comments.items {
        let span = original
            .key_span(&c.pointer)
            .or_else(|| original.value_span(&c.pointer))
            .ok_or_else(|| CommentError::UnknownPointer(c.pointer.clone()))?;
        let line = line_of(span.offset);
        match c.placement {
            Placement::Above => above.entry(line).or_default().push(&c.text),
            Placement::Trailing => trailing.entry(line).or_default().push(&c.text),
        }
    }

    let mut out = String::new();
    for text in &comments.header {
        push_comment(&mut out, "", text);
    }
    for (i, line) in yaml.lines().enumerate() {
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        for text in above.get(&i).into_iter().flatten() {
            push_comment(&mut out, &indent, text);
        }
        out.push_str(line);
        if let Some(texts) = trailing.get(&i) {
            let one_line: Vec<String> = texts.iter().map(|t| t.replace('\n', " ")).collect();
            out.push_str("  # ");
            out.push_str(&one_line.join("; "));
        }
        out.push('\n');
    }

    if parse(&out)?.value != original.value {
        return Err(CommentError::Changed);
    }
    Ok(out)
}

fn parse(text: &str) -> Result<crate::spec::Document, CommentError> {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new("import.yaml", text.to_string()));
    crate::spec::yaml::parse(id, sources.get(id)).map_err(|diags| {
        CommentError::Reparse(
            diags
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Append `text` as comment lines at `indent`, wrapped at spaces.
fn push_comment(out: &mut String, indent: &str, text: &str) {
    let prefix = format!("{indent}#");
    let width = WIDTH.saturating_sub(prefix.len() + 1).max(40);
    for paragraph in text.split('\n') {
        // Control characters from registry text would break the line structure.
        let paragraph: String = paragraph
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if paragraph.trim().is_empty() {
            out.push_str(&prefix);
            out.push('\n');
            continue;
        }
        // An indented paragraph is an example or a command: copied as written, never wrapped.
        if paragraph.starts_with("  ") {
            out.push_str(&format!("{prefix} {}\n", paragraph.trim_end()));
            continue;
        }
        // A list item's continuation lines hang under its text.
        let mut lead = String::new();
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && lead.len() + line.len() + 1 + word.len() > width {
                out.push_str(&format!("{prefix} {lead}{line}\n"));
                line.clear();
                if paragraph.starts_with("- ") {
                    lead = "  ".to_string();
                }
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&format!("{prefix} {lead}{line}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Doc {
        a: String,
        list: Vec<String>,
        map: BTreeMap<String, String>,
    }

    fn doc() -> Doc {
        Doc {
            a: "x # not a comment".to_string(),
            list: vec!["one".into(), "two".into()],
            map: BTreeMap::from([("k".to_string(), "v".to_string())]),
        }
    }

    #[test]
    fn comments_land_on_the_line_of_their_pointer() {
        let mut c = Comments::default();
        c.header("Header line.");
        c.above("/list/1", "the second item");
        c.above("/map", "a map\nwith two lines");
        c.trailing("/map/k", "why k");
        c.trailing("/a", "trailing");
        let text = render(&doc(), &c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            "# Header line.\n\
             a: \"x # not a comment\"  # trailing\n\
             list:\n\
             - one\n\
             # the second item\n\
             - two\n\
             # a map\n\
             # with two lines\n\
             map:\n  k: v  # why k\n"
        );
    }

    #[test]
    fn an_unknown_pointer_is_an_error() {
        let mut c = Comments::default();
        c.above("/nope", "x");
        assert!(matches!(
            render(&doc(), &c),
            Err(CommentError::UnknownPointer(_))
        ));
    }

    #[test]
    fn long_comments_wrap_at_spaces() {
        let mut out = String::new();
        push_comment(&mut out, "  ", &"word ".repeat(40));
        assert!(out.lines().count() > 1);
        assert!(
            out.lines()
                .all(|l| l.len() <= WIDTH && l.starts_with("  # "))
        );
    }
}
