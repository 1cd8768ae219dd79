//! The secret detector (`MCP401 hardcoded-secret`): every string a spec variant carries into the
//! generated outputs (environment values, `files` contents, dependency environments, labels and
//! annotations, build commands, auth fields, URLs…) is scanned for credentials, whatever the
//! field is called and wherever in the string the credential sits.
//!
//! Three detectors, in the families of gitleaks and detect-secrets:
//!
//! 1. Known formats, searched anywhere in a value (not anchored, so surrounding whitespace or
//!    text does not hide them): AWS, GitHub, GitLab, Stripe, Google, Slack, SendGrid, npm,
//!    PyPI, Twilio, Azure storage and OpenAI-style keys, JWTs, private-key blocks, URLs with a
//!    password, `Authorization: Basic/Bearer` headers.
//! 2. Credential names: a value whose key, or an assignment inside a text (`dbPassword: x`,
//!    `DB_PASSWORD=x`, `"api_key": "x"`), says it is a password, secret, token, API key,
//!    private key or credential, with a literal value (not `$(VAR)`, `${VAR}` or a file path).
//! 3. Entropy as a fallback: a long token mixing upper case, lower case and digits whose
//!    Shannon entropy is that of random key material.
//!
//! Findings are errors located at the value (at the credential itself inside a multi-line
//! value when it is written verbatim), never echo more than a prefix of the credential, and can
//! only be silenced by an `mcpgen.toml` exception with a reason: `MCP4xx` codes cannot be
//! levelled. This module only detects; `super` calls it on each resolved variant.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::diagnostics::{Diagnostic, Span, codes};
use crate::spec::Document;

/// The documentation `mcpgen explain MCP401` prints.
pub const DOCS: &str = "# hardcoded-secret (MCP401)

A value the spec carries into the outputs looks like a credential.

Level: error. Cannot be levelled or allowed; an `mcpgen.toml` exception with a reason (and
ideally an expiry) is the only way to accept a finding.

## What it does

Scans every string of every spec variant that reaches a generated file (environment values,
`files` contents, dependency environments, labels and annotations, build commands, auth fields,
URLs) for credentials: well-known token and key formats (AWS, GitHub, GitLab, Stripe, Google,
Slack, SendGrid, npm, PyPI, Twilio, Azure, OpenAI-style keys), JSON Web Tokens, private-key
blocks, URLs with a password, `Authorization` headers, values of credential-named keys and
assignments (`dbPassword`, `DB_PASSWORD=`, `api_key:`), and, as a fallback, long random-looking
tokens.

## Why is this bad

mcpgen writes these values in plain text into Deployments, ConfigMaps, compose files and
Dockerfiles, which are committed, applied, printed by `kubectl describe` and kept in every
backup of the cluster state. A credential in a spec is a leaked credential.

## Example

```yaml
spec:
  files:
    /app/config.yaml: |
      dbPassword: hunter2-but-longer
  dependencies:
    postgres:
      env:
        POSTGRES_PASSWORD: s3cr3t-value
```

## Use instead

```yaml
spec:
  secrets:
    DB_PASSWORD: {secret: mcp-secrets, key: db-password}
  files:
    /app/config.yaml: |
      dbPasswordFile: /run/secrets/db-password
```

A value that only looks secret (a public key, a test fixture) is accepted with an exception:

```toml
[[exceptions]]
rule = \"hardcoded-secret\"
path = \"/spec/env/PUBLIC_KEY\"
reason = \"a public verification key, not a secret\"
```
";

/// A known credential format.
///
/// Compiling the regular expressions of every format cost more than scanning a whole spec (45 M
/// instructions, an eighth of a check of the reference spec), so each pattern names literal
/// texts of which every match holds at least one, and its expression is compiled and run only
/// on a value that contains one of them.
struct Pattern {
    kind: &'static str,
    source: &'static str,
    /// Every match contains one of these (ASCII; lower case when `folded`).
    needles: &'static [&'static str],
    /// The pattern ignores case: look for the needles in the value's [`folded`] form.
    folded: bool,
    /// A further test a value must pass (on the value as written), when needles are not
    /// selective enough.
    also: Option<fn(&str) -> bool>,
    /// The capture group holding the secret part (0: the whole match).
    group: usize,
    re: OnceLock<Regex>,
}

impl Pattern {
    const fn new(
        kind: &'static str,
        source: &'static str,
        needles: &'static [&'static str],
        group: usize,
    ) -> Pattern {
        Pattern {
            kind,
            source,
            needles,
            folded: false,
            also: None,
            group,
            re: OnceLock::new(),
        }
    }

    const fn folded(mut self) -> Pattern {
        self.folded = true;
        self
    }

    const fn also(mut self, test: fn(&str) -> bool) -> Pattern {
        self.also = Some(test);
        self
    }

    /// Whether a match is possible: the value holds one of the needles.
    fn may_match(&self, value: &str, folded: &mut Option<String>) -> bool {
        let hay = if self.folded {
            folded.get_or_insert_with(|| fold(value)).as_str()
        } else {
            value
        };
        self.needles.iter().any(|n| hay.contains(n)) && self.also.is_none_or(|test| test(value))
    }

    fn regex(&self) -> &Regex {
        self.re.get_or_init(|| {
            Regex::new(self.source).unwrap_or_else(|e| panic!("secret pattern {}: {e}", self.kind))
        })
    }
}

/// Whether an `@` follows a `://` before any `/` or ASCII space: a URL may then carry a user
/// and password. Its expression (bounded repetitions of Unicode classes) is the costliest to
/// compile, and most URLs carry no user.
fn userinfo_after_scheme(value: &str) -> bool {
    value.match_indices("://").any(|(at, _)| {
        value[at + 3..]
            .bytes()
            .take_while(|b| *b != b'/' && !b.is_ascii_whitespace())
            .any(|b| b == b'@')
    })
}

/// The value as a case-insensitive pattern sees it, for the needle test: lower case, and the two
/// characters that Unicode case folding maps onto ASCII letters (the Kelvin sign, which
/// `to_lowercase` maps to `k`, and the long s) as those letters.
fn fold(value: &str) -> String {
    value.to_lowercase().replace('\u{17F}', "s")
}

fn patterns() -> &'static [Pattern] {
    static P: [Pattern; 22] = [
        Pattern::new(
            "a private key",
            r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY( BLOCK)?-----",
            &["-----BEGIN"],
            0,
        ),
        Pattern::new(
            "an AWS access key",
            r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
            &["A3T", "AKIA", "ASIA", "ABIA", "ACCA"],
            0,
        ),
        Pattern::new(
            "an AWS secret access key",
            r#"(?i)aws.{0,20}?(?:secret|access).{0,20}?['"]?\s*[:=]\s*['"]?([A-Za-z0-9/+=]{40})\b"#,
            &["aws"],
            1,
        )
        .folded(),
        Pattern::new(
            "a GitHub token",
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
            0,
        ),
        Pattern::new(
            "a GitHub token",
            r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
            &["github_pat_"],
            0,
        ),
        Pattern::new(
            "a GitLab token",
            r"\bglpat-[A-Za-z0-9_-]{20,}",
            &["glpat-"],
            0,
        ),
        Pattern::new(
            "a Stripe key",
            r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,99}\b",
            &["k_live_", "k_test_"],
            0,
        ),
        Pattern::new(
            "a Google API key",
            r"\bAIza[0-9A-Za-z_-]{35}",
            &["AIza"],
            0,
        ),
        Pattern::new(
            "a Google OAuth client secret",
            r"\bGOCSPX-[A-Za-z0-9_-]{28}",
            &["GOCSPX-"],
            0,
        ),
        Pattern::new(
            "a Google OAuth access token",
            r"\bya29\.[0-9A-Za-z_-]{20,}",
            &["ya29."],
            0,
        ),
        Pattern::new(
            "a Google service account key",
            r#""type"\s*:\s*"service_account""#,
            &["\"service_account\""],
            0,
        ),
        Pattern::new(
            "a Slack token",
            r"\bxox[baprse]-[0-9A-Za-z-]{10,}",
            &["xox"],
            0,
        ),
        Pattern::new(
            "a Slack webhook URL",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
            &["https://hooks.slack.com/"],
            0,
        ),
        Pattern::new(
            "a SendGrid API key",
            r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}",
            &["SG."],
            0,
        ),
        Pattern::new(
            "an npm token",
            r"\bnpm_[A-Za-z0-9]{36}\b",
            &["npm_"],
            0,
        ),
        Pattern::new(
            "a PyPI token",
            r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
            &["pypi-AgEIcHlwaS5vcmc"],
            0,
        ),
        Pattern::new(
            "a Twilio API key",
            r"\bSK[0-9a-fA-F]{32}\b",
            &["SK"],
            0,
        ),
        Pattern::new(
            "an Azure storage key",
            r"(?i)AccountKey=([A-Za-z0-9+/]{80,}={0,2})",
            &["accountkey="],
            1,
        )
        .folded(),
        Pattern::new(
            "an API key",
            r"\bsk-(?:proj-|ant-|live-)?[A-Za-z0-9_-]{20,}",
            &["sk-"],
            0,
        ),
        Pattern::new(
            "a JSON Web Token",
            r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
            &["eyJ"],
            0,
        ),
        Pattern::new(
            "a URL with a password",
            r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^/\s:@]{1,100}:([^/\s@]{1,200})@",
            &["://"],
            1,
        )
        .also(userinfo_after_scheme),
        Pattern::new(
            "an HTTP authorization header",
            r"(?i)\bauthorization\s*[:=]\s*['\x22]?(?:basic|bearer|token)\s+([A-Za-z0-9._~+/=-]{8,})",
            &["authorization"],
            1,
        )
        .folded(),
    ];
    &P
}

/// `name = value`, `name: value`, `"name": "value"` inside a text, where the name ends in a
/// credential word. Group 1: the name; group 2: the value.
fn assignment() -> &'static Pattern {
    static P: Pattern = Pattern::new(
        "a credential assignment",
        r#"(?i)\b([a-z0-9_.-]*?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key))['"]?[ \t]*[:=][ \t]*['"]?([^\s'",;]{4,})"#,
        &[
            "password",
            "passwd",
            "pwd",
            "passphrase",
            "secret",
            "token",
            "key",
            "credential",
        ],
        0,
    )
    .folded();
    &P
}

/// Whether a folded value may hold an [`assignment`]: a name ending in one of its needles (the
/// words every credential name of the expression ends in), then an optional quote, spaces or
/// tabs, and `:` or `=`. A test before compiling the expression, which only a few values pass.
fn assigns_credential(folded: &str) -> bool {
    assignment().needles.iter().any(|word| {
        folded.match_indices(word).any(|(at, _)| {
            let mut rest = &folded.as_bytes()[at + word.len()..];
            if *word == "credential" && rest.first() == Some(&b's') {
                rest = &rest[1..];
            }
            if matches!(rest.first(), Some(b'\'' | b'"')) {
                rest = &rest[1..];
            }
            let after = rest.iter().position(|b| !matches!(b, b' ' | b'\t'));
            after.is_some_and(|i| matches!(rest[i], b':' | b'='))
        })
    })
}

/// The words of an identifier: `dbPassword` → [db, password], `DB_PASSWORD` → [db, password].
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a key name says its value is a credential; `strong` is false for names whose
/// last word is only `key` or `auth` (a `CACHE_KEY` is rarely secret): those need an
/// entropy-rich value.
fn credential_name(name: &str) -> Option<bool> {
    let w = words(name);
    let last = w.last()?.as_str();
    let strong = [
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "privatekey",
    ];
    if strong.contains(&last) {
        return Some(true);
    }
    let prev = w.len().checked_sub(2).map(|i| w[i].as_str());
    if last == "key"
        && matches!(
            prev,
            Some("api" | "access" | "private" | "secret" | "signing" | "encryption" | "auth")
        )
    {
        return Some(true);
    }
    matches!(last, "key" | "auth").then_some(false)
}

/// A value that stands for a credential without being one: a reference to another variable,
/// a template, a file path, a placeholder, a boolean or an empty string.
fn placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    v.is_empty()
        || v.starts_with("$(")
        || v.starts_with("${")
        || v.starts_with('$')
        || v.starts_with("{{")
        || v.starts_with('<') && v.ends_with('>')
        || v.starts_with('/')
        || v.starts_with("file:")
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "nil" | "required" | "optional" | "redacted"
        )
}

/// Shannon entropy of a string in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    let mut n = 0usize;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// Whether a token looks like random key material: long, upper and lower case and digits
/// mixed, and close to the entropy of random base64 of its length.
fn random_looking(token: &str) -> bool {
    let len = token.len();
    if !(20..=1024).contains(&len)
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
    {
        return false;
    }
    let upper = token.bytes().filter(u8::is_ascii_uppercase).count();
    let lower = token.bytes().filter(u8::is_ascii_lowercase).count();
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    if upper < 2 || lower < 2 || digits < 2 {
        return false;
    }
    // Random base64 of n characters has an expected entropy close to log2(min(n, 64)); ask for
    // most of it, capped at detect-secrets' 4.5.
    let expected = (len.min(64) as f64).log2();
    entropy(token) >= (expected * 0.85).min(4.5)
}

/// One credential found in one string: what it looks like and where (bytes) in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// "an AWS access key", "a password (credential-named value)"…
    pub kind: String,
    /// Byte range of the credential within the scanned string.
    pub range: std::ops::Range<usize>,
}

/// Scan one string. `key` is the name it is stored under, when that name is meaningful
/// (an environment variable, an annotation key).
pub fn scan(value: &str, key: Option<&str>) -> Vec<Found> {
    scan_with(value, key, true)
}

/// [`scan`], with the needle tests before the expressions (`prefilter`) or without them (the
/// unit tests compare the two).
fn scan_with(value: &str, key: Option<&str>, prefilter: bool) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let overlaps = |out: &[Found], r: &std::ops::Range<usize>| {
        out.iter()
            .any(|f| f.range.start < r.end && r.start < f.range.end)
    };
    let mut folded = None;
    for p in patterns()
        .iter()
        .filter(|p| !prefilter || p.may_match(value, &mut folded))
    {
        for caps in p.regex().captures_iter(value) {
            let Some(m) = caps.get(p.group) else { continue };
            if p.group != 0 && placeholder(m.as_str()) {
                continue;
            }
            let r = m.range();
            if !overlaps(&out, &r) {
                out.push(Found {
                    kind: p.kind.to_string(),
                    range: r,
                });
            }
        }
    }
    if let Some(k) = key
        && let Some(strong) = credential_name(k)
        && !placeholder(value)
        && (strong || random_looking(value.trim()))
    {
        let r = 0..value.len();
        if out.is_empty() {
            out.push(Found {
                kind: format!("a credential (the value of `{k}`)"),
                range: r,
            });
        }
    }
    let assigned = !prefilter || assigns_credential(folded.get_or_insert_with(|| fold(value)));
    for caps in assigned
        .then(|| assignment().regex().captures_iter(value))
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(v)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let Some(strong) = credential_name(name.as_str()) else {
            continue;
        };
        if placeholder(v.as_str()) || !(strong || random_looking(v.as_str())) {
            continue;
        }
        let r = v.range();
        if !overlaps(&out, &r) {
            out.push(Found {
                kind: format!("a credential (assigned to `{}`)", name.as_str()),
                range: r,
            });
        }
    }
    // Entropy last, on whatever no detector above explained, outside public PEM blocks
    // (certificates and public keys are base64 by nature and not secret).
    let public = public_pem_blocks(value);
    let mut start = None;
    let bytes = value.as_bytes();
    for i in 0..=bytes.len() {
        let tokenish = i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric()
                || matches!(bytes[i], b'+' | b'/' | b'=' | b'_' | b'-'));
        match (tokenish, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                start = None;
                let r = s..i;
                if random_looking(&value[r.clone()])
                    && !overlaps(&out, &r)
                    && !overlaps(&public, &r)
                {
                    out.push(Found {
                        kind: "a random-looking token (possible key material)".to_string(),
                        range: r,
                    });
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|f| f.range.start);
    out
}

/// The byte ranges of PEM blocks that are public by nature (certificates, public keys,
/// certificate requests), as [`Found`]s so the overlap test applies to them.
fn public_pem_blocks(value: &str) -> Vec<Found> {
    if !value.contains("-----BEGIN ") {
        // Every match starts so; the expression is not compiled for the usual value.
        return Vec::new();
    }
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| {
        Regex::new(r"(?s)-----BEGIN ([A-Z0-9 ]{1,40})-----.*?-----END [A-Z0-9 ]{1,40}-----")
            .unwrap_or_else(|e| panic!("PEM pattern: {e}"))
    });
    re.captures_iter(value)
        .filter(|c| c.get(1).is_some_and(|k| !k.as_str().contains("PRIVATE")))
        .filter_map(|c| c.get(0))
        .map(|m| Found {
            kind: String::new(),
            range: m.range(),
        })
        .collect()
}

/// Pointers whose strings never carry secrets mcpgen would write: the document's kind and the
/// secret references themselves (names of Secrets, not values). Image references are checked
/// by their own strict pattern and carry digests (random by design).
fn skipped(pointer: &str) -> bool {
    pointer == "/apiVersion"
        || pointer == "/kind"
        || pointer.starts_with("/spec/secrets/")
        || pointer.ends_with("/auth/secret/secret")
        || pointer.ends_with("/auth/secret/key")
        || pointer == "/spec/image"
        || pointer == "/spec/mcp/bridge/image"
        || (pointer.starts_with("/spec/dependencies/") && pointer.ends_with("/image"))
}

/// The key a value is stored under, when it names the value: the last token of a pointer
/// into a map (`/spec/env/DB_PASSWORD`, `/metadata/annotations/api-token`), not a list index.
fn key_of(pointer: &str) -> Option<String> {
    let last = pointer.rsplit('/').next()?;
    if last.is_empty() || last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(last.replace("~1", "/").replace("~0", "~"))
}

/// The first characters of a credential, enough to find it, not to use it.
fn redacted(s: &str) -> String {
    let prefix: String = s.chars().take(4).collect();
    if s.chars().count() > 4 {
        format!("{prefix}…")
    } else {
        "…".to_string()
    }
}

/// Scan every string of a resolved variant and report each credential, located in `doc`.
pub fn check(doc: &Document, env: Option<&str>, value: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), value)];
    while let Some((ptr, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    stack.push((crate::spec::document::child(&ptr, k), child));
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    stack.push((format!("{ptr}/{i}"), child));
                }
            }
            Value::String(s) if !skipped(&ptr) => {
                let key = key_of(&ptr);
                for f in scan(s, key.as_deref()) {
                    out.push(diagnostic(doc, env, &ptr, s, &f));
                }
            }
            _ => {}
        }
    }
    out
}

fn diagnostic(doc: &Document, env: Option<&str>, ptr: &str, s: &str, f: &Found) -> Diagnostic {
    let (span, _) = doc.locate(env, ptr);
    // Point at the credential itself when the source holds it verbatim inside the value.
    let secret = &s[f.range.clone()];
    let text = doc_text(doc, span);
    let span = match text.and_then(|t| t.find(secret)) {
        Some(i) if !secret.is_empty() => Span {
            source: span.source,
            offset: span.offset + i,
            len: secret.len(),
        },
        _ => span,
    };
    let field = super::schema::display_path(ptr);
    Diagnostic::new(
        &codes::HARDCODED_SECRET,
        format!(
            "{field} holds what looks like {} (`{}`); mcpgen would write it into the outputs in \
             plain text",
            f.kind,
            redacted(secret)
        ),
    )
    .with_label(span, f.kind.clone())
    .at_pointer(ptr)
    .in_environment(env)
}

/// The source text under a span, when the document's text is at hand and the span is in it (a
/// value set with `--set` is located in the flag's own source).
fn doc_text(doc: &Document, span: Span) -> Option<&str> {
    if span.source != doc.source {
        return None;
    }
    let text = doc.text.as_deref()?;
    text.get(span.offset..span.offset + span.len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(v: &str, key: Option<&str>) -> Vec<String> {
        scan(v, key).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn needle_tests_never_hide_a_match() {
        // Values that hold each pattern's needles in every case and spacing the expressions
        // accept, plus every string of the fixtures: the scan with the needle tests must find
        // exactly what the expressions alone find.
        let samples: Vec<String> = vec![
            "AWS_SECRET: aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"".into(),
            "Aws.Access : 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'".into(),
            "aw\u{17F} secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab".into(),
            "DefaultEndpointsProtocol=https;ACCOUNTKEY=".to_string() + &"a".repeat(88),
            "Authorization: Bearer abcdefgh12345678".into(),
            "AUTHORIZATION=token abcdefgh12345678".into(),
            "db_Password = hunter2-but-longer".into(),
            "\"apiKey\":\t\"0123456789abcdef0123\"".into(),
            "CLIENT-SECRET : 's3cr3tvalue'".into(),
            "credentials=abcd1234efgh".into(),
            "my_token:xyz12345".into(),
            "authKey= q1w2e3r4t5".into(),
            "api\u{212A}ey=abcdef123456".into(),
            "PWD: /home/app".into(),
            "maxTokens: 100, tokenizer=x, keys: [a]".into(),
            "{\"type\": \"service_account\", \"private_key\": \"x\"}".into(),
            "rk_test_abcdefghij12 SKabcdefabcdefabcdefabcdefabcdefab sk-proj-abcdefghijklmnopqrstuvwx".into(),
            "SG.abcdefghijklmnop.abcdefghijklmnopqrstu npm_abcdefghijklmnopqrstuvwxyz0123456789".into(),
            "ya29.abcdefghijklmnopqrstuvwxyz GOCSPX-abcdefghijklmnopqrstuvwxyz12".into(),
            "pypi-AgEIcHlwaS5vcmc".to_string() + &"A".repeat(60),
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUabcdefghijklmnopqrstuvwxyz0123=\n-----END CERTIFICATE-----".into(),
            "ASIAABCDEFGHIJKLMNOP A3TXABCDEFGHIJKLMNOP ghs_0123456789abcdefghijklmnopqrstuvwxyzAB".into(),
            "see https://example.com/a@b and redis://default:pa55word@cache:6379/0".into(),
        ];
        let found = samples
            .iter()
            .filter(|v| !scan_with(v, None, false).is_empty())
            .count();
        // All but the four meant to pass (PWD, maxTokens, the certificate, the Kelvin sign).
        assert!(
            found + 4 >= samples.len(),
            "the samples must exercise the patterns: {found}"
        );
        let mut values = samples;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    values.extend(text.lines().map(str::to_string));
                    values.push(text);
                }
            }
        }
        for v in &values {
            for key in [None, Some("API_TOKEN"), Some("LOG_LEVEL")] {
                assert_eq!(scan_with(v, key, true), scan_with(v, key, false), "{v:?}");
            }
        }
    }

    #[test]
    fn known_formats_are_found_anywhere_in_a_value() {
        for (v, kind) in [
            ("  AKIAIOSFODNN7EXAMPLE  ", "an AWS access key"),
            (
                "x ghp_0123456789abcdefghijklmnopqrstuvwxyzAB y",
                "a GitHub token",
            ),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU",
                "a GitHub token",
            ),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "a Stripe key"),
            (
                "AIzaSyA1234567890abcdefghijklmnopqrstuv",
                "a Google API key",
            ),
            ("xoxb-123456789012-abcdefghijkl", "a Slack token"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
                "a private key",
            ),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
            (
                "postgres://app:hunter2@db:5432/app",
                "a URL with a password",
            ),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "a JSON Web Token",
            ),
            (
                "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                "a Slack webhook URL",
            ),
            ("glpat-abcdefghij0123456789", "a GitLab token"),
        ] {
            assert!(
                kinds(v, None).iter().any(|k| k == kind),
                "{v:?}: {:?}",
                kinds(v, None)
            );
        }
    }

    #[test]
    fn credential_names_and_assignments_in_any_case_style() {
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("POSTGRES_PASSWORD"), ["postgres", "password"]);
        assert_eq!(words("api-token"), ["api", "token"]);
        assert!(!scan("s3cr3t-value", Some("POSTGRES_PASSWORD")).is_empty());
        assert!(!scan("hunter2", Some("dbPassword")).is_empty());
        let text = "server:\n  dbPassword: hunter2-but-longer\n  user: app\n";
        let found = scan(text, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], "hunter2-but-longer");
        assert!(!scan("DB_PASSWORD=correct-horse\n", None).is_empty());
        assert!(!scan(r#"{"api_key": "abcd1234efgh"}"#, None).is_empty());
    }

    #[test]
    fn references_placeholders_and_ordinary_values_pass() {
        for (v, key) in [
            ("$(DB_PASSWORD)", Some("DB_PASSWORD")),
            ("${DB_PASSWORD}", Some("DB_PASSWORD")),
            ("/run/secrets/db", Some("DB_PASSWORD_FILE")),
            ("/run/secrets/db", Some("PASSWORD")),
            ("production", Some("NODE_ENV")),
            ("weather", Some("CACHE_KEY")),
            ("postgres://app@db:5432/app", None),
            ("postgres://app:$(DB_PASSWORD)@db:5432/app", None),
            ("https://runbooks.company.com/mcp", None),
            ("registry.company.com/mcp-server:v1.0.0", None),
            ("password_file: /run/secrets/db\ntoken: ${TOKEN}\n", None),
            ("node dist/server.js --max-old-space-size=4096", None),
            ("ai-platform@company.com", Some("owner")),
            ("mcp_tool_executions_total", None),
            ("kube-prometheus-stack", Some("release")),
        ] {
            assert!(scan(v, key).is_empty(), "{v:?} {key:?}: {:?}", scan(v, key));
        }
    }

    #[test]
    fn public_pem_blocks_are_not_secrets() {
        let cert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\nRTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD\n-----END CERTIFICATE-----\n";
        assert!(scan(cert, None).is_empty(), "{:?}", scan(cert, None));
        let key = cert.replace("CERTIFICATE", "RSA PRIVATE KEY");
        assert!(!scan(&key, None).is_empty());
    }

    #[test]
    fn entropy_is_the_fallback() {
        assert!(random_looking("Zx8Qp2LmN7vB4tR9kW3yH6jD"));
        assert!(!random_looking("abcdefghijklmnopqrstuvwx"));
        assert!(!random_looking("mcp_request_duration_seconds"));
        assert!(
            !scan("token material: Zx8Qp2LmN7vB4tR9kW3yH6jD5sF1", None).is_empty(),
            "random base64 in a text"
        );
    }
}
