//! Builtins registered on every template engine with `Engine::add_extension`, where regorus
//! behaves differently from OPA in a way Gatekeeper templates depend on. Extensions are looked
//! up before regorus's own builtins, so a name here replaces the builtin.
//!
//! - `sprintf` with fewer arguments than verbs: OPA formats with Go's `fmt.Sprintf`, which
//!   writes `%!v(MISSING)` for each missing argument; regorus fails the call, so the message
//!   (and with it the violation) disappears. The library's HPA template has such a format.
//!   The formatting itself stays regorus's: the call is passed on with the missing verbs
//!   escaped into Go's placeholder text.

use std::cell::RefCell;

use regorus::Value;

thread_local! {
    /// A tiny engine that evaluates regorus's own `sprintf`.
    static FORMAT: RefCell<Option<regorus::Engine>> = const { RefCell::new(None) };
}

/// Register the builtins on an engine.
pub fn register(engine: &mut regorus::Engine) {
    // Registration only fails for a duplicate name, which cannot happen on a fresh engine.
    let _ = engine.add_extension("sprintf".to_string(), 2, Box::new(sprintf));
}

fn sprintf(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Some(Value::String(fmt)), Some(Value::Array(list))) = (args.first(), args.get(1)) else {
        // Wrong types: undefined, as regorus's non-strict builtins are.
        return Ok(Value::Undefined);
    };
    let fmt = escape_missing(fmt, list.len());
    FORMAT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut e = regorus::Engine::new();
            e.set_strict_builtin_errors(false);
            e.add_policy(
                "mcpgen/sprintf.rego".to_string(),
                "package mcpgen_sprintf\n\nout := sprintf(input.f, input.a)\n".to_string(),
            )?;
            *slot = Some(e);
        }
        let Some(e) = slot.as_mut() else {
            return Ok(Value::Undefined);
        };
        let mut input = std::collections::BTreeMap::new();
        input.insert(Value::from("f"), Value::from(fmt));
        input.insert(Value::from("a"), args[1].clone());
        e.set_input(Value::from(input));
        Ok(e.eval_rule("data.mcpgen_sprintf.out".to_string())
            .unwrap_or(Value::Undefined))
    })
}

/// Replace every verb past the `n`th with Go's `%!v(MISSING)` text (escaped as `%%`).
fn escape_missing(fmt: &str, n: usize) -> String {
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars().peekable();
    let mut idx = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut directive = String::from("%");
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push_str("%%");
            continue;
        }
        while let Some(&d) = chars.peek() {
            if "+-# 0123456789.".contains(d) {
                directive.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str(&directive);
            break;
        };
        if idx >= n {
            out.push_str(&format!("%%!{verb}(MISSING)"));
        } else {
            out.push_str(&directive);
            out.push(verb);
        }
        idx += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_arguments_like_go() {
        assert_eq!(
            escape_missing("a %v b %d c %v", 2),
            "a %v b %d c %%!v(MISSING)"
        );
        assert_eq!(escape_missing("100%% %5.2f", 1), "100%% %5.2f");
        let mut e = super::super::load::new_engine(false);
        e.add_policy(
            "t.rego".into(),
            "package t\n\nx = sprintf(\"%v and %v\", [1])\ny = sprintf(\"%s=%d\", [\"a\", 2])\n"
                .into(),
        )
        .expect("parses");
        assert_eq!(
            e.eval_rule("data.t.x".into()).expect("evaluates"),
            Value::from("1 and %!v(MISSING)")
        );
        assert_eq!(
            e.eval_rule("data.t.y".into()).expect("evaluates"),
            Value::from("a=2")
        );
    }
}
