//! The checking pipeline shared by `check` and `build`: read each file, parse it into a
//! Document, validate the base and the environments, and collect findings and failures.
//!
//! Policies run after this stage on the specs it returns (see `crate::policy`).

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Span, codes};
use crate::source::{SourceFile, Sources};
use crate::spec::{self, Document, Spec, Syntax};
use crate::validate::{self, Envs};

/// One input file after validation.
#[derive(Debug)]
pub struct Checked {
    /// The path as given.
    pub path: PathBuf,
    /// The parsed document, when the file parsed.
    pub doc: Option<Document>,
    /// The valid variants (base and/or environments).
    pub specs: Vec<Spec>,
}

/// Everything a run produced.
#[derive(Debug, Default)]
pub struct Run {
    /// Every file read.
    pub sources: Sources,
    /// Findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Per input file.
    pub files: Vec<Checked>,
    /// Reasons mcpgen could not do its job (exit 2).
    pub failures: Vec<String>,
}

/// Read, parse and validate each path. `env`: `None` checks the base and every environment.
pub fn run(paths: &[PathBuf], env: Option<&str>) -> Run {
    let mut run = Run::default();
    for path in paths {
        check_file(&mut run, path, env);
    }
    run
}

/// Check one file given as text (for `-` on stdin and for tests).
pub fn check_text(run: &mut Run, name: &str, text: String, syntax: Syntax, env: Option<&str>) {
    let id = run.sources.add(SourceFile::new(name, text));
    let file = run.sources.get(id);
    let mut checked = Checked {
        path: PathBuf::from(name),
        doc: None,
        specs: Vec::new(),
    };
    let first = run.diagnostics.len();
    match spec::parse(id, file, syntax) {
        Err(diags) => run.diagnostics.extend(diags),
        Ok(doc) => {
            run.diagnostics.extend(doc.warnings.iter().cloned());
            let envs = env.map_or(Envs::All, Envs::One);
            match validate::check(&doc, envs, &mut run.diagnostics) {
                Ok(specs) => checked.specs = specs,
                Err(missing) => {
                    let known = validate::environment_names(&doc);
                    run.failures.push(format!(
                        "{name}: no environment `{missing}` (defined: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
            }
            checked.doc = Some(doc);
        }
    }
    // A bound that was exceeded (docs/security.md) stops the run: exit 2, not a finding.
    if let Some(f) = crate::limits::failure(name, &run.diagnostics[first..]) {
        run.failures.push(f);
    }
    run.files.push(checked);
}

fn check_file(run: &mut Run, path: &Path, env: Option<&str>) {
    let name = path.display().to_string();
    // A regular file within the size bound; a symlink must stay inside its repository.
    let bytes = match crate::source::read_input(path, crate::limits::MAX_SPEC_BYTES, None) {
        Ok(b) => b,
        Err(e) => {
            run.failures.push(e.to_string());
            return;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // Offsets in the lossy text match up to the first invalid byte.
            let id = run.sources.add(SourceFile::new(name.clone(), lossy));
            run.diagnostics.push(
                Diagnostic::new(&codes::NOT_UTF8, format!("{name} is not UTF-8 text")).with_label(
                    Span {
                        source: id,
                        offset,
                        len: 1,
                    },
                    "first invalid byte here",
                ),
            );
            run.files.push(Checked {
                path: path.to_path_buf(),
                doc: None,
                specs: Vec::new(),
            });
            return;
        }
    };
    check_text(run, &name, text, Syntax::for_path(path), env);
}
