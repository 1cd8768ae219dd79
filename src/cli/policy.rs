//! `mcpgen policy test [DIR...]`: run the `test_*` rules of Rego policies, like `opa test` and
//! `conftest verify`, with optional line coverage and a threshold.

use std::path::PathBuf;

use crate::cli::{Outcome, fail, print};
use crate::policy::{self, PolicyFile, pack, verify};

/// Arguments of `policy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Run `test_*` rules in `*_test.rego` files. Without DIR, tests the built-in pack.
    Test(TestArgs),
}

/// Arguments of `policy test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Policy directories or files (policies and their `*_test.rego` files).
    pub dirs: Vec<PathBuf>,
    /// JSON or YAML file merged into `data` (repeatable).
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Print line coverage per policy file.
    #[arg(long)]
    pub coverage: bool,
    /// Fail when total line coverage is below this percentage (implies --coverage).
    #[arg(long, value_name = "N")]
    pub fail_under: Option<f64>,
}

/// Run `policy`.
pub fn run(args: Args) -> Outcome {
    match args.command {
        Command::Test(a) => test(a),
    }
}

fn test(args: TestArgs) -> Outcome {
    let files: Vec<PolicyFile> = if args.dirs.is_empty() {
        pack::FILES
            .iter()
            .map(|f| PolicyFile {
                path: f.path.to_string(),
                text: f.text.to_string(),
            })
            .collect()
    } else {
        let mut all = Vec::new();
        for d in &args.dirs {
            match policy::read_dir(d, true) {
                Ok(f) => all.extend(f),
                Err(e) => {
                    fail(&e.to_string());
                    return Outcome::Failure;
                }
            }
        }
        all
    };
    let coverage = args.coverage || args.fail_under.is_some();
    let mut data = Vec::new();
    for f in &args.data {
        match policy::read_data(f) {
            Ok(v) => data.push(v),
            Err(e) => {
                fail(&e.to_string());
                return Outcome::Failure;
            }
        }
    }
    let report = match verify::run(&files, &data, coverage) {
        Ok(r) => r,
        Err(e) => {
            fail(&format!("broken policy: {e}"));
            return Outcome::Failure;
        }
    };
    print(&render(&report, coverage));
    let failed = report.tests.iter().any(|t| !t.passed);
    let below = args.fail_under.is_some_and(|n| report.total_percent() < n);
    if below {
        fail(&format!(
            "coverage {:.1}% is below --fail-under {}",
            report.total_percent(),
            args.fail_under.unwrap_or_default()
        ));
    }
    if report.tests.is_empty() {
        fail("no test_* rules found");
        return Outcome::Findings;
    }
    if failed || below {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Compress sorted line numbers into ranges: `3-5, 9`.
pub fn ranges(lines: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

/// The report text.
pub fn render(report: &verify::Report, coverage: bool) -> String {
    let mut out = String::new();
    for t in &report.tests {
        out.push_str(&format!(
            "{} {} ({})\n",
            if t.passed { "PASS" } else { "FAIL" },
            t.rule,
            t.file
        ));
        if let Some(e) = &t.error {
            out.push_str(&format!("     error: {e}\n"));
        }
    }
    let passed = report.tests.iter().filter(|t| t.passed).count();
    out.push_str(&format!(
        "{passed} passed, {} failed\n",
        report.tests.len() - passed
    ));
    if coverage {
        out.push_str("\ncoverage:\n");
        for c in &report.coverage {
            out.push_str(&format!(
                "  {}: {:.1}% ({}/{} lines)\n    covered: {}\n",
                c.file,
                c.percent(),
                c.covered.len(),
                c.covered.len() + c.not_covered.len(),
                ranges(&c.covered)
            ));
            if !c.not_covered.is_empty() {
                out.push_str(&format!("    not covered: {}\n", ranges(&c.not_covered)));
            }
        }
        out.push_str(&format!("  total: {:.1}%\n", report.total_percent()));
    }
    out
}
