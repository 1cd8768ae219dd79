//! What a team policy may not do, enforced before and while it runs: recurse (regorus has no
//! guard against a recursive function and overflows the stack, where OPA refuses the policy
//! with `rego_recursion_error`), depend on chance or on the machine it runs on (`rand.intn`,
//! `time.now_ns`, `uuid.rfc4122`, `http.send`, `opa.runtime`), or hold more memory than
//! [`crate::limits::POLICY_MEMORY_BYTES`].
//!
//! The recursion check reads the Rego text with a small tokenizer (strings, raw strings and
//! comments skipped) and builds the call graph of functions: an identifier followed by `(`
//! that names a function defined in the same package, through `data.<package>.<name>`, or
//! through an `import` alias. A cycle in that graph is refused. Rules that depend on each
//! other are not in the graph: regorus detects those cycles itself and reports them as errors.
//! This module does not evaluate anything; `super::Engine` calls it.

use std::collections::{BTreeMap, BTreeSet};

use super::{PolicyError, PolicyFile};

/// Builtins a policy may not call: a verdict must depend on the spec and the data only.
pub const NONDETERMINISTIC: &[(&str, u8)] = &[
    ("rand.intn", 2),
    ("time.now_ns", 0),
    ("uuid.rfc4122", 1),
    ("uuid.parse", 1),
    ("http.send", 1),
    ("opa.runtime", 0),
    ("net.lookup_ip_addr", 1),
    ("crypto.x509.parse_certificates", 1),
];

/// Register each [`NONDETERMINISTIC`] builtin as an extension that fails with a clear error.
/// regorus looks extensions up before its builtins, so a policy that calls one stops with
/// that error (exit 2) instead of a random or machine-dependent verdict.
pub fn deny_nondeterministic(engine: &mut regorus::Engine) {
    for (name, nargs) in NONDETERMINISTIC {
        let name = name.to_string();
        let message = format!(
            "`{name}` is not available to mcpgen policies: a verdict must depend only on the \
             spec and the policy data, never on chance, the clock or the machine"
        );
        // Registering the same name twice fails; a fresh engine has none.
        let _ = engine.add_extension(
            name,
            *nargs,
            Box::new(
                move |_: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
                    anyhow::bail!("{message}")
                },
            ),
        );
    }
}

/// How much memory the process holds now, as regorus's allocator counts it. Read from the
/// allocator's statistics: setting a zero limit to make regorus report the usage would fail
/// whatever another thread evaluates or parses at that moment.
fn memory_in_use() -> u64 {
    regorus::flush_thread_memory_counters();
    regorus_mimalloc::global_allocation_stats_snapshot().allocated
}

/// Evaluations running under the bound: the first to start sets it, the last to finish lifts
/// it. The bound is process-wide (regorus counts every allocation through its allocator) and
/// `crate::parallel` runs evaluations on several threads at once, so one thread must not lift
/// the bound under another.
static ACTIVE: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

/// Leaves the bounded section when dropped, also when the evaluation panicked.
struct Active;

impl Drop for Active {
    fn drop(&mut self) {
        let mut n = ACTIVE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *n = n.saturating_sub(1);
        if *n == 0 {
            regorus::set_global_memory_limit(None);
        }
    }
}

/// Run `f` with the memory regorus may allocate bounded to what the process held when the
/// first concurrent evaluation started plus [`crate::limits::POLICY_MEMORY_BYTES`]. regorus
/// checks the bound as values grow (including inside `numbers.range` and `net.cidr_expand`)
/// and fails the evaluation when it is crossed.
pub fn with_memory_limit<T>(f: impl FnOnce() -> T) -> T {
    let _active = {
        let mut n = ACTIVE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *n == 0 {
            let limit = memory_in_use().saturating_add(crate::limits::POLICY_MEMORY_BYTES);
            regorus::set_global_memory_limit(Some(limit));
        }
        *n += 1;
        Active
    };
    f()
}

/// A clearer error for an evaluation stopped by a bound.
pub fn explain_limit(e: &anyhow::Error) -> Option<PolicyError> {
    let limit = e
        .chain()
        .find_map(|c| c.downcast_ref::<regorus::LimitError>());
    let text = e.to_string();
    let memory = matches!(limit, Some(regorus::LimitError::MemoryLimitExceeded { .. }))
        || text.contains("memory limit");
    let time = !memory && (limit.is_some() || text.contains("time limit"));
    if memory {
        return Some(PolicyError::Other(format!(
            "a policy evaluation needed more than {} MiB of memory and was stopped \
             (see docs/security.md): {text}",
            crate::limits::POLICY_MEMORY_BYTES / (1024 * 1024)
        )));
    }
    if time {
        return Some(PolicyError::Other(format!(
            "a policy evaluation took longer than {} s and was stopped (see docs/security.md): \
             {text}",
            crate::limits::POLICY_TIME.as_secs()
        )));
    }
    None
}

/// One token of Rego text: an identifier path (`data.team.f`, `lib.g`, `x`) or a punctuation
/// byte, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String, usize),
    Punct(u8, usize),
    Newline,
}

fn tokens(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                out.push(Tok::Newline);
                line += 1;
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Ident(String::new(), line));
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Ident(String::new(), line));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                let word = text[start..i].trim_end_matches('.').to_string();
                out.push(Tok::Ident(word, line));
            }
            c if c.is_ascii_whitespace() => i += 1,
            c => {
                out.push(Tok::Punct(c, line));
                i += 1;
            }
        }
    }
    out
}

/// A function or rule definition: its name, whether it is a function, and the functions its
/// body calls (as written).
#[derive(Debug)]
struct Def {
    name: String,
    function: bool,
    line: usize,
    calls: Vec<String>,
}

struct Module {
    package: String,
    imports: BTreeMap<String, String>,
    defs: Vec<Def>,
}

fn module(text: &str) -> Module {
    let toks = tokens(text);
    let mut m = Module {
        package: String::new(),
        imports: BTreeMap::new(),
        defs: Vec::new(),
    };
    let mut depth = 0i64;
    let mut at_line_start = true;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Newline => {
                at_line_start = true;
                i += 1;
                continue;
            }
            Tok::Punct(c, _) => match c {
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' => depth -= 1,
                _ => {}
            },
            Tok::Ident(word, line) => {
                if at_line_start && depth <= 0 {
                    match word.as_str() {
                        "package" => {
                            if let Some(Tok::Ident(p, _)) = toks.get(i + 1) {
                                m.package = p.clone();
                            }
                        }
                        "import" => {
                            if let Some(Tok::Ident(p, _)) = toks.get(i + 1) {
                                let alias = match (toks.get(i + 2), toks.get(i + 3)) {
                                    (Some(Tok::Ident(a, _)), Some(Tok::Ident(name, _)))
                                        if a == "as" =>
                                    {
                                        name.clone()
                                    }
                                    _ => p.rsplit('.').next().unwrap_or_default().to_string(),
                                };
                                m.imports.insert(alias, p.clone());
                            }
                        }
                        "else" | "" => {}
                        _ => {
                            let (name, k) = if word == "default" {
                                match toks.get(i + 1) {
                                    Some(Tok::Ident(n, _)) => (n.clone(), i + 2),
                                    _ => (String::new(), i + 1),
                                }
                            } else {
                                (word.clone(), i + 1)
                            };
                            let function = matches!(toks.get(k), Some(Tok::Punct(b'(', _)));
                            if !name.is_empty() {
                                m.defs.push(Def {
                                    name,
                                    function,
                                    line: *line,
                                    calls: Vec::new(),
                                });
                                // The head's own name is not a call.
                                at_line_start = false;
                                i = k;
                                continue;
                            }
                        }
                    }
                } else if matches!(toks.get(i + 1), Some(Tok::Punct(b'(', _)))
                    && let Some(d) = m.defs.last_mut()
                {
                    d.calls.push(word.clone());
                }
            }
        }
        at_line_start = false;
        i += 1;
    }
    m
}

/// Refuse policies whose functions call each other in a cycle.
pub fn check_recursion(files: &[PolicyFile]) -> Result<(), PolicyError> {
    // Every function, by its full path `data.<package>.<name>`: (file, line).
    let modules: Vec<(&PolicyFile, Module)> = files.iter().map(|f| (f, module(&f.text))).collect();
    let mut functions: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (f, m) in &modules {
        for d in m.defs.iter().filter(|d| d.function) {
            functions.insert(
                format!("data.{}.{}", m.package, d.name),
                (f.path.clone(), d.line),
            );
        }
    }
    // Call edges between functions.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, m) in &modules {
        for d in m.defs.iter().filter(|d| d.function) {
            let from = format!("data.{}.{}", m.package, d.name);
            for call in &d.calls {
                let full = if call.starts_with("data.") {
                    call.clone()
                } else {
                    let (head, rest) = call.split_once('.').unwrap_or((call, ""));
                    match m.imports.get(head) {
                        Some(target) if rest.is_empty() => target.clone(),
                        Some(target) => format!("{target}.{rest}"),
                        None => format!("data.{}.{call}", m.package),
                    }
                };
                if functions.contains_key(&full) {
                    edges.entry(from.clone()).or_default().insert(full);
                }
            }
        }
    }
    // Iterative depth-first search for a cycle (the call graph may be large).
    let mut state: BTreeMap<&str, u8> = BTreeMap::new(); // 1 on the path, 2 done
    for start in functions.keys() {
        if state.contains_key(start.as_str()) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start.as_str(), next(&edges, start))];
        state.insert(start.as_str(), 1);
        while let Some((node, pending)) = stack.last_mut() {
            let node: &str = node;
            match pending.pop() {
                Some(n) => match state.get(n) {
                    Some(1) => {
                        let mut cycle: Vec<&str> = stack.iter().map(|(s, _)| *s).collect();
                        let from = cycle.iter().position(|s| *s == n).unwrap_or(0);
                        cycle.drain(..from);
                        cycle.push(n);
                        let (file, line) = functions.get(n).cloned().unwrap_or_default();
                        return Err(PolicyError::Broken {
                            file,
                            line,
                            col: 1,
                            message: format!(
                                "recursive function: {} (Rego forbids recursion, as OPA's \
                                 rego_recursion_error does)",
                                cycle
                                    .iter()
                                    .map(|s| s.strip_prefix("data.").unwrap_or(s))
                                    .collect::<Vec<_>>()
                                    .join(" → ")
                            ),
                        });
                    }
                    Some(_) => {}
                    None => {
                        state.insert(n, 1);
                        let more = next(&edges, n);
                        stack.push((n, more));
                    }
                },
                None => {
                    state.insert(node, 2);
                    stack.pop();
                }
            }
        }
    }
    Ok(())
}

fn next<'a>(edges: &'a BTreeMap<String, BTreeSet<String>>, n: &str) -> Vec<&'a str> {
    edges
        .get(n)
        .map(|s| s.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluations on several threads share the process-wide bound: one that finishes does not
    /// lift it under another still running, and measuring the baseline never tightens it.
    #[test]
    fn the_memory_bound_holds_while_any_evaluation_runs() {
        let (inside_tx, inside_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let long = std::thread::spawn(move || {
            with_memory_limit(|| {
                inside_tx.send(()).expect("send");
                // Wait until the other evaluation has come and gone.
                done_rx.recv().expect("recv");
                regorus::global_memory_limit()
            })
        });
        inside_rx.recv().expect("recv");
        let limit = regorus::global_memory_limit();
        assert!(limit.is_some());
        let _ = memory_in_use();
        assert_eq!(regorus::global_memory_limit(), limit);
        with_memory_limit(|| assert_eq!(regorus::global_memory_limit(), limit));
        done_tx.send(()).expect("send");
        assert_eq!(long.join().expect("join"), limit);
    }

    fn file(path: &str, text: &str) -> PolicyFile {
        PolicyFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn recursion_is_found_directly_mutually_and_across_packages() {
        let direct = file(
            "a.rego",
            "package team\n\nf(x) := f(x + 1)\n\ndeny contains \"r\" if { f(1) }\n",
        );
        assert!(matches!(
            check_recursion(&[direct]),
            Err(PolicyError::Broken { line: 3, .. })
        ));
        let mutual = file(
            "b.rego",
            "package team\n\ng(x) := y if {\n  y := h(x)\n}\n\nh(x) := g(x)\n",
        );
        let e = check_recursion(&[mutual]).unwrap_err();
        assert!(
            e.to_string().contains("team.g → team.h → team.g")
                || e.to_string().contains("team.h → team.g → team.h"),
            "{e}"
        );
        let across = [
            file("c.rego", "package a\n\nimport data.b\n\nf(x) := b.g(x)\n"),
            file("d.rego", "package b\n\ng(x) := data.a.f(x)\n"),
        ];
        assert!(check_recursion(&across).is_err());
    }

    #[test]
    fn ordinary_policies_pass() {
        let ok = file(
            "ok.rego",
            "package team\n\nimport data.mcpgen.lib\n\n# f(x) := f(x) in a comment\nf(x) := upper(x)\n\ng(x) := f(x) if { x != \"f(\" }\n\ndeny contains msg if {\n  msg := g(input.spec.image)\n  count(msg) > 100\n}\n",
        );
        assert!(check_recursion(&[ok]).is_ok());
        for f in super::super::pack::FILES {
            assert!(
                check_recursion(&[file(f.path, f.text)]).is_ok(),
                "{}",
                f.path
            );
        }
    }
}
