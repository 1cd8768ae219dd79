//! `gator verify` with mcpgen's engine: Gatekeeper suite files (`kind: Suite`,
//! `test.gatekeeper.sh/v1alpha1`), each test a template, a constraint and optionally an
//! expansion, each case an object (or an `AdmissionReview`), an inventory and assertions
//! (`violations: yes|no|N`, `message` a regular expression), run with the same matching,
//! review input and inventory as `mcpgen build` uses.
//!
//! The semantics follow `pkg/gator/verify` in Gatekeeper: an assertion without `violations`
//! means "yes"; a case without assertions is invalid; a message regex counts only the
//! violations it matches; the object file must hold exactly one object. One deliberate
//! difference: an evaluation error fails the case with the error, where Gatekeeper turns it
//! into a violation carrying the error text, so an engine gap cannot pass as a violation.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::GatorError;
use super::load::{Code, Doc, Expansion, Policy, compile_template, read_docs};
use super::matching::{Source, gvk};
use super::review::{Session, review_of, review_of_admission};

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every assertion held.
    Pass,
    /// An assertion failed or the case could not run; the reason.
    Fail(String),
    /// `skip: true`.
    Skip,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The suite file.
    pub suite: String,
    /// The test's name.
    pub test: String,
    /// The case's name.
    pub case: String,
    /// What happened.
    pub outcome: Outcome,
}

/// The suite files under a path: the file itself, or every `*.yaml`/`*.yml` below a
/// directory whose documents include a `Suite`.
pub fn find_suites(path: &Path) -> Result<Vec<PathBuf>, GatorError> {
    if !path.exists() {
        return Err(GatorError::Input(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), GatorError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| GatorError::Input(format!("{}: cannot read: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| GatorError::Input(format!("{}: cannot read: {e}", p.display())))?;
            // Cheap pre-filter; the suite itself is parsed (and its errors reported) later.
            if text.contains("Suite") && text.contains("test.gatekeeper.sh") {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// Run every suite file; an `Err` means a suite file itself is unusable.
pub fn run(suites: &[PathBuf]) -> Result<Vec<CaseResult>, GatorError> {
    let mut out = Vec::new();
    for s in suites {
        out.extend(run_suite(s)?);
    }
    Ok(out)
}

fn suite_doc(path: &Path) -> Result<Option<Value>, GatorError> {
    let docs = read_docs(path)?;
    Ok(docs.into_iter().map(|d| d.value).find(|v| {
        v.get("kind").and_then(Value::as_str) == Some("Suite")
            && v.get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|a| a.starts_with("test.gatekeeper.sh/"))
    }))
}

/// Run one suite file.
pub fn run_suite(path: &Path) -> Result<Vec<CaseResult>, GatorError> {
    let name = path.display().to_string();
    let Some(suite) = suite_doc(path)? else {
        return Err(GatorError::Input(format!(
            "{name}: no `kind: Suite` (test.gatekeeper.sh/v1alpha1) document"
        )));
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    let skip_suite = suite.get("skip").and_then(Value::as_bool) == Some(true);
    let tests = suite
        .get("tests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (ti, test) in tests.iter().enumerate() {
        let tname = test
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("test {ti}"), str::to_string);
        let cases = test
            .get("cases")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let result = |case: String, outcome: Outcome| CaseResult {
            suite: name.clone(),
            test: tname.clone(),
            case,
            outcome,
        };
        let case_name = |ci: usize, c: &Value| {
            c.get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("case {ci}"), str::to_string)
        };
        let skip_test = skip_suite || test.get("skip").and_then(Value::as_bool) == Some(true);
        if skip_test {
            for (ci, c) in cases.iter().enumerate() {
                out.push(result(case_name(ci, c), Outcome::Skip));
            }
            continue;
        }
        let invalid = test.get("invalid").and_then(Value::as_bool) == Some(true);
        let loaded = load_test(dir, test);
        if invalid {
            // mcpgen does not validate parameters against the template's schema.
            out.push(result(
                "(invalid constraint)".into(),
                Outcome::Fail(match loaded {
                    Err(e) => format!("expected a schema error, got: {e}"),
                    Ok(_) => "expected the constraint to be rejected by the template's schema; \
                              mcpgen does not validate constraint parameters"
                        .into(),
                }),
            ));
            continue;
        }
        let (policy, expansions) = match loaded {
            Ok(p) => p,
            Err(e) => {
                for (ci, c) in cases.iter().enumerate() {
                    out.push(result(case_name(ci, c), Outcome::Fail(e.to_string())));
                }
                continue;
            }
        };
        for (ci, c) in cases.iter().enumerate() {
            let cname = case_name(ci, c);
            if c.get("skip").and_then(Value::as_bool) == Some(true) {
                out.push(result(cname, Outcome::Skip));
                continue;
            }
            let outcome = match run_case(dir, &policy, &expansions, c) {
                Ok(None) => Outcome::Pass,
                Ok(Some(why)) => Outcome::Fail(why),
                Err(e) => Outcome::Fail(e.to_string()),
            };
            out.push(result(cname, outcome));
        }
    }
    Ok(out)
}

fn rel(dir: &Path, p: &str) -> PathBuf {
    dir.join(p)
}

fn load_test(dir: &Path, test: &Value) -> Result<(Policy, Option<Vec<Expansion>>), GatorError> {
    let field = |k: &str| {
        test.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let tpath = field("template")
        .ok_or_else(|| GatorError::Input("invalid suite: missing template".into()))?;
    let cpath = field("constraint")
        .ok_or_else(|| GatorError::Input("invalid suite: missing constraint".into()))?;
    let mut policy = Policy::default();
    let tdocs = read_docs(&rel(dir, tpath))?;
    let tdoc = tdocs
        .iter()
        .find(|d| d.value.get("kind").and_then(Value::as_str) == Some("ConstraintTemplate"))
        .ok_or_else(|| GatorError::Input(format!("{tpath}: no ConstraintTemplate")))?;
    let t = compile_template(tdoc)?;
    policy.templates.insert(t.kind.clone(), t);
    let cdocs = read_docs(&rel(dir, cpath))?;
    let cdoc: &Doc = cdocs
        .first()
        .ok_or_else(|| GatorError::Input(format!("{cpath}: no constraint")))?;
    policy.add(cdoc)?;
    if policy.constraints.is_empty() {
        return Err(GatorError::Input(format!(
            "{cpath}: not a constraint (apiVersion constraints.gatekeeper.sh/…)"
        )));
    }
    policy.check()?;
    let expansions = match field("expansion") {
        None => None,
        Some(e) => {
            let mut p = Policy::default();
            for d in read_docs(&rel(dir, e))? {
                p.add(&d)?;
            }
            Some(p.expansions)
        }
    };
    Ok((policy, expansions))
}

/// Run one case: `Ok(None)` when every assertion holds, `Ok(Some(reason))` when one fails.
fn run_case(
    dir: &Path,
    policy: &Policy,
    expansions: &Option<Vec<Expansion>>,
    case: &Value,
) -> Result<Option<String>, GatorError> {
    let object = case
        .get("object")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| GatorError::Input("invalid case: must define object".into()))?;
    let assertions = case
        .get("assertions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if assertions.is_empty() {
        return Err(GatorError::Input(
            "invalid case: assertions must be non-empty".into(),
        ));
    }
    let objs = read_docs(&rel(dir, object))?;
    if objs.len() != 1 {
        return Err(GatorError::Input(format!(
            "{object} defines {} objects, want exactly 1",
            objs.len()
        )));
    }
    let obj = &objs[0].value;
    let mut inv = Vec::new();
    for i in case
        .get("inventory")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        inv.extend(read_docs(&rel(dir, i))?.into_iter().map(|d| d.value));
    }
    let inv_refs: Vec<&Value> = inv.iter().collect();
    let mut session = Session::new(
        policy,
        &inv_refs,
        expansions.clone().unwrap_or_default(),
        "",
    )?;
    let constraint = &policy.constraints[0];
    if policy
        .templates
        .get(&constraint.kind)
        .is_some_and(|t| matches!(t.code, Code::CelOnly))
    {
        return Ok(Some(
            "not evaluated: the template has only K8sNativeValidation (CEL) code".into(),
        ));
    }

    let (group, _, kind) = gvk(obj);
    let mut messages: Vec<String> = Vec::new();
    if kind == "AdmissionReview" && group == "admission.k8s.io" {
        let request_obj = obj
            .get("request")
            .and_then(|r| {
                r.get("object")
                    .filter(|o| !o.is_null())
                    .or(r.get("oldObject"))
            })
            .cloned()
            .unwrap_or(Value::Null);
        let ns = session.namespace_of(&request_obj).cloned();
        let review = review_of_admission(obj, ns.as_ref()).map_err(GatorError::Input)?;
        if let Some(found) = session.check(constraint, &review, Source::Original)? {
            messages.extend(found.into_iter().map(|(m, _)| m));
        }
    } else {
        let ns = session.namespace_of(obj).cloned();
        let review = review_of(obj, "", ns.as_ref());
        if let Some(found) = session.check(constraint, &review, Source::Original)? {
            messages.extend(found.into_iter().map(|(m, _)| m));
        }
        if let Some(exps) = expansions {
            for e in super::review::expand(obj, exps) {
                let ns = session.namespace_of(&e.value).cloned();
                let review = review_of(&e.value, "", ns.as_ref());
                if let Some(found) = session.check(constraint, &review, Source::Generated)? {
                    messages.extend(
                        found
                            .into_iter()
                            .map(|(m, _)| format!("[Implied by {}] {m}", e.template)),
                    );
                }
            }
        }
    }

    for a in &assertions {
        if let Some(why) = assert(a, &messages)? {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

/// Check one assertion against the violation messages; `Some(reason)` when it fails.
fn assert(a: &Value, messages: &[String]) -> Result<Option<String>, GatorError> {
    let regex = match a.get("message").and_then(Value::as_str) {
        None => None,
        Some(m) => Some(
            regex::Regex::new(m)
                .map_err(|e| GatorError::Input(format!("invalid message regex `{m}`: {e}")))?,
        ),
    };
    let matching = messages
        .iter()
        .filter(|m| regex.as_ref().is_none_or(|r| r.is_match(m)))
        .count();
    let containing = a
        .get("message")
        .and_then(Value::as_str)
        .map(|m| format!(" containing {m:?}"))
        .unwrap_or_default();
    let got = || {
        format!(
            "got {matching} violations{containing}; messages: {}",
            if messages.is_empty() {
                "none".to_string()
            } else {
                format!("{messages:?}")
            }
        )
    };
    let want = a.get("violations").cloned().unwrap_or(Value::Null);
    let ok = match &want {
        Value::Null => matching > 0,
        Value::String(s) if s == "yes" => matching > 0,
        Value::String(s) if s == "no" => matching == 0,
        Value::Bool(true) => matching > 0,
        Value::Bool(false) => matching == 0,
        Value::Number(n) => match n.as_u64() {
            Some(n) => matching as u64 == n,
            None => {
                return Err(GatorError::Input(
                    "assertion.violations must be a nonnegative integer, \"yes\", or \"no\"".into(),
                ));
            }
        },
        Value::String(s) => match s.parse::<u64>() {
            Ok(n) => matching as u64 == n,
            Err(_) => {
                return Err(GatorError::Input(format!(
                    "assertion.violations `{s}` must be a nonnegative integer, \"yes\", or \"no\""
                )));
            }
        },
        _ => {
            return Err(GatorError::Input(
                "assertion.violations must be a nonnegative integer, \"yes\", or \"no\"".into(),
            ));
        }
    };
    if ok {
        return Ok(None);
    }
    let wanted = match &want {
        Value::Null => "at least 1".to_string(),
        Value::String(s) if s == "yes" => "at least 1".to_string(),
        Value::Bool(true) => "at least 1".to_string(),
        Value::String(s) if s == "no" => "none".to_string(),
        Value::Bool(false) => "none".to_string(),
        other => format!(
            "exactly {}",
            other.as_str().map_or(other.to_string(), str::to_string)
        ),
    };
    Ok(Some(format!("want {wanted}, {}", got())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assertions_like_gator() {
        let msgs = vec![
            "container <a> bad".to_string(),
            "initContainer <b> bad".to_string(),
        ];
        let ok = |a: Value| assert(&a, &msgs).expect("valid").is_none();
        assert!(ok(json!({"violations": "yes"})));
        assert!(ok(json!({})));
        assert!(ok(json!({"violations": 2})));
        assert!(!ok(json!({"violations": "no"})));
        assert!(ok(json!({"violations": 1, "message": "initContainer"})));
        assert!(ok(json!({"violations": 1, "message": "^container"})));
        assert!(ok(json!({"violations": "no", "message": "ephemeral"})));
        assert!(assert(&json!({"violations": "maybe"}), &msgs).is_err());
        assert!(assert(&json!({"message": "("}), &msgs).is_err());
    }
}
