//! Source rewrites that make regorus read Gatekeeper's Rego v0 the way OPA does, each one
//! meaning-preserving in OPA and needed because regorus parses or evaluates the construct
//! differently. They work line by line on the template text (Gatekeeper's Rego is written one
//! statement per line) and leave anything they do not recognise untouched.
//!
//! 1. Several bodies after one partial set rule head (`violation[r] { a } { b }`) are, in
//!    OPA, several definitions of the rule; regorus rejects them ("else cannot be used with
//!    set rules"). They become separate rules with the same head.
//! 2. A statement that starts with `(` after a line ending in a reference
//!    (`input.parameters.x` then `(a - b) >= c`) is, in OPA, a new statement; regorus reads it
//!    as a call of the reference. A `;` (a statement separator in both) is put in front.
//! 3. OPA evaluates the references in a negated call's arguments before the negation
//!    (`not f(x.y)` runs as `t := x.y; not f(t)`, so an undefined `x.y` makes the body fail);
//!    regorus evaluates them inside it (`not` of an undefined call is true). Single-line
//!    negated calls and comparisons get their reference arguments hoisted the same way.

/// Where a line leaves the lexer: open bracket depth and whether a raw string is open.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    depth: i32,
    in_raw: bool,
}

/// The code part of a line (without a trailing comment) and the state after it.
fn scan(line: &str, mut st: State) -> (usize, State) {
    let b = line.as_bytes();
    let mut i = 0;
    let mut code_end = b.len();
    while i < b.len() {
        let c = b[i];
        if st.in_raw {
            if c == b'`' {
                st.in_raw = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'#' => {
                code_end = i;
                break;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => st.in_raw = true,
            b'(' | b'[' | b'{' => st.depth += 1,
            b')' | b']' | b'}' => st.depth -= 1,
            _ => {}
        }
        i += 1;
    }
    (code_end, st)
}

/// Apply the rewrites to a Rego v0 module.
pub fn rewrite_v0(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut st = State::default();
    let mut head: Option<String> = None;
    let mut prev_code: Option<String> = None;
    let mut hoisted = 0usize;
    for line in lines {
        let start = st;
        let (code_end, after) = scan(line, st);
        st = after;
        let code = line[..code_end].trim_end();
        let trimmed = code.trim_start();
        if start.in_raw {
            out.push(line.to_string());
            continue;
        }
        // Rule heads start at column 0 and open a body.
        if start.depth == 0 && !line.starts_with([' ', '\t']) && trimmed.ends_with('{') {
            let h = trimmed[..trimmed.len() - 1].trim_end();
            head = is_set_rule_head(h).then(|| h.to_string());
        }
        // 1. `} {` continuing a partial set rule.
        if start.depth == 1
            && let Some(h) = &head
            && is_body_continuation(trimmed)
        {
            out.push("}".to_string());
            out.push(format!("{h} {{"));
            prev_code = None;
            continue;
        }
        // 2. A statement starting with `(` after a reference.
        if start.depth == 1
            && trimmed.starts_with('(')
            && prev_code
                .as_deref()
                .is_some_and(|p| p.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ']'))
        {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push(format!("{indent};{}", &line[indent.len()..]));
            prev_code = Some(code.to_string());
            continue;
        }
        // 3. Hoist reference arguments out of a single-line negation.
        if start.depth == 1
            && after.depth == 1
            && !after.in_raw
            && let Some(rewritten) = hoist_negation(line, code_end, &mut hoisted)
        {
            out.extend(rewritten);
            prev_code = Some(code.to_string());
            continue;
        }
        if !trimmed.is_empty() {
            prev_code = Some(code.to_string());
        }
        out.push(line.to_string());
    }
    let mut s = out.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn is_body_continuation(trimmed: &str) -> bool {
    let rest = trimmed.strip_prefix('}').map(str::trim_start);
    rest == Some("{")
}

/// `name[key]` (a partial set rule head, v0), without `=` or `:=`.
fn is_set_rule_head(h: &str) -> bool {
    let Some(open) = h.find('[') else {
        return false;
    };
    let name = &h[..open];
    !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && h.ends_with(']')
        && !h.contains(":=")
        && !h.contains(" = ")
        && !h.contains("contains")
}

/// Split at top-level occurrences of `sep` (outside strings and brackets).
fn split_top(s: &str, sep: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ if depth == 0 && s[i..].starts_with(sep) => {
                parts.push(s[last..i].to_string());
                i += sep.len();
                last = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(s[last..].to_string());
    parts
}

/// A reference OPA evaluates eagerly: a variable followed by `.field` or `[index]`, with no
/// call in it. Plain variables, literals and composites are left alone.
fn is_ref(s: &str) -> bool {
    let s = s.trim();
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_alphabetic() || first == '_') {
        return false;
    }
    let ident_end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let ident = &s[..ident_end];
    if matches!(
        ident,
        "true" | "false" | "null" | "not" | "some" | "every" | "in"
    ) {
        return false;
    }
    let rest = &s[ident_end..];
    if rest.is_empty() || !(rest.starts_with('.') || rest.starts_with('[')) {
        return false;
    }
    // No call and no operator anywhere at the top level.
    !s.contains('(')
        && split_top(s, " ").len() == 1
        && !["+", "-", "*", "/", "|", "&"]
            .iter()
            .any(|op| split_top(s, op).len() > 1)
}

/// `not f(a.b, c)` → `__mcpgen_neg0 := a.b` then `not f(__mcpgen_neg0, c)`; the same for
/// comparisons (`not a.b == "x"`). `None` when the line is not such a negation.
fn hoist_negation(line: &str, code_end: usize, counter: &mut usize) -> Option<Vec<String>> {
    let code = &line[..code_end];
    let indent = &code[..code.len() - code.trim_start().len()];
    let expr = code.trim().strip_prefix("not ")?.trim();
    if expr.contains(" with ") {
        return None;
    }
    let mut pre = Vec::new();
    let mut hoist = |arg: &str, pre: &mut Vec<String>| -> String {
        if is_ref(arg) {
            let name = format!("__mcpgen_neg{}", *counter);
            *counter += 1;
            pre.push(format!("{indent}{name} := {}", arg.trim()));
            name
        } else {
            arg.trim().to_string()
        }
    };
    let new_expr = if let Some(open) = call_open(expr) {
        let args = &expr[open + 1..expr.len() - 1];
        let parts = split_top(args, ",");
        let new: Vec<String> = parts.iter().map(|a| hoist(a, &mut pre)).collect();
        format!("{}({})", &expr[..open], new.join(", "))
    } else {
        let mut found = None;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            let parts = split_top(expr, op);
            if parts.len() == 2 {
                found = Some((op, parts));
                break;
            }
        }
        let (op, parts) = found?;
        // `<` and `>` also occur inside `<=`/`>=`; those were tried first.
        let l = hoist(&parts[0], &mut pre);
        let r = hoist(&parts[1], &mut pre);
        format!("{l} {op} {r}")
    };
    if pre.is_empty() {
        return None;
    }
    let tail = &line[code.trim_end().len()..];
    pre.push(format!("{indent}not {new_expr}{tail}"));
    Some(pre)
}

/// The index of the `(` when `expr` is exactly one call `name.path(args)`.
fn call_open(expr: &str) -> Option<usize> {
    if !expr.ends_with(')') {
        return None;
    }
    let open = expr.find('(')?;
    let name = &expr[..open];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    // The first `(` must close at the very end.
    let mut depth = 0;
    for (i, c) in expr.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (i == expr.len() - 1).then_some(open);
                }
            }
            '"' => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_bodies_become_several_rules() {
        let src = "package p\n\nviolation[{\"msg\": msg}] {\n  a\n  msg := \"1\"\n} {\n  b\n  msg := \"2\"\n}\n\nf(x) = y {\n  y := 1\n} {\n  y := 2\n}\n";
        let out = rewrite_v0(src);
        assert!(out.contains("}\nviolation[{\"msg\": msg}] {\n  b"), "{out}");
        // Functions keep their bodies (regorus reads those).
        assert!(out.contains("} {\n  y := 2"), "{out}");
    }

    #[test]
    fn parenthesised_statement_after_a_reference() {
        let src = "p {\n  input.a\n  (input.b - 1) >= 2\n}\n";
        assert_eq!(
            rewrite_v0(src),
            "p {\n  input.a\n  ;(input.b - 1) >= 2\n}\n"
        );
        let call = "p {\n  x := f(\n    (1))\n}\n";
        assert_eq!(rewrite_v0(call), call);
    }

    #[test]
    fn negated_reference_arguments_are_hoisted() {
        let src = "p {\n  not accept(rule, v, params.ranges)  # why\n  not c.securityContext.x == true\n  not f(x)\n}\n";
        let out = rewrite_v0(src);
        assert_eq!(
            out,
            "p {\n  __mcpgen_neg0 := params.ranges\n  not accept(rule, v, __mcpgen_neg0)  # why\n  __mcpgen_neg1 := c.securityContext.x\n  not __mcpgen_neg1 == true\n  not f(x)\n}\n"
        );
    }
}
