//! `mcpgen policy test`: an `opa test` / `conftest verify` runner on regorus, which has none.
//!
//! Test rules are found by scanning `*_test.rego` sources for `test_*` rule heads (a failing
//! test is simply absent from its package's value, so evaluating the package cannot list them).
//! Each is evaluated with `eval_rule`: `true` passes, anything else (undefined, false, an
//! error) fails. Coverage comes from regorus's own line coverage of the non-test files.

use crate::policy::{PolicyError, PolicyFile, metadata};

/// Outcome of one test rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// File that defines it.
    pub file: String,
    /// `data.<package>.<test>`.
    pub rule: String,
    /// Whether it evaluated to `true`.
    pub passed: bool,
    /// Why it failed, when evaluation raised an error.
    pub error: Option<String>,
}

/// Line coverage of one policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCoverage {
    /// Policy file.
    pub file: String,
    /// Lines evaluated.
    pub covered: Vec<u32>,
    /// Lines with code that were not evaluated.
    pub not_covered: Vec<u32>,
}

impl FileCoverage {
    /// Covered share in percent (100 for a file without code lines).
    pub fn percent(&self) -> f64 {
        let total = self.covered.len() + self.not_covered.len();
        if total == 0 {
            100.0
        } else {
            self.covered.len() as f64 * 100.0 / total as f64
        }
    }
}

/// Everything a test run produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One entry per test rule, in file order.
    pub tests: Vec<TestResult>,
    /// Coverage of the non-test files, when asked for.
    pub coverage: Vec<FileCoverage>,
}

impl Report {
    /// Covered lines over all files, in percent.
    pub fn total_percent(&self) -> f64 {
        let covered: usize = self.coverage.iter().map(|c| c.covered.len()).sum();
        let total: usize = self
            .coverage
            .iter()
            .map(|c| c.covered.len() + c.not_covered.len())
            .sum();
        if total == 0 {
            100.0
        } else {
            covered as f64 * 100.0 / total as f64
        }
    }
}

/// Run every `test_*` rule of `files` (policies and their tests together), with `data` merged
/// into `data`.
pub fn run(
    files: &[PolicyFile],
    data: &[serde_json::Value],
    coverage: bool,
) -> Result<Report, PolicyError> {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(false);
    engine.set_gather_prints(true);
    engine.set_enable_coverage(coverage);
    // The same constants `check` gives policies.
    engine
        .add_data(regorus::Value::from(crate::resolve::policy_constants()))
        .map_err(PolicyError::from_regorus)?;
    for f in files {
        engine
            .add_policy(f.path.clone(), f.text.clone())
            .map_err(PolicyError::from_regorus)?;
    }
    for d in data {
        engine
            .add_data(regorus::Value::from(d.clone()))
            .map_err(PolicyError::from_regorus)?;
    }
    let mut report = Report::default();
    for f in files.iter().filter(|f| f.path.ends_with("_test.rego")) {
        let scanned = metadata::scan(&f.text);
        let Some(package) = scanned.package else {
            continue;
        };
        for test in scanned.tests {
            let rule = format!("data.{package}.{test}");
            let (passed, error) = match engine.eval_rule(rule.clone()) {
                Ok(v) => (v == regorus::Value::Bool(true), None),
                Err(e) => (false, Some(PolicyError::from_regorus(e).to_string())),
            };
            report.tests.push(TestResult {
                file: f.path.clone(),
                rule,
                passed,
                error,
            });
        }
    }
    if coverage {
        let r = engine
            .get_coverage_report()
            .map_err(PolicyError::from_regorus)?;
        for file in r.files {
            if file.path.ends_with("_test.rego") {
                continue;
            }
            report.coverage.push(FileCoverage {
                file: file.path.clone(),
                covered: file.covered.iter().copied().collect(),
                not_covered: file.not_covered.iter().copied().collect(),
            });
        }
        report.coverage.sort_by(|a, b| a.file.cmp(&b.file));
    }
    Ok(report)
}
