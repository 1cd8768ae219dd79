//! Reports and the published schema through third-party readers: the JUnit XML through a
//! real XML parser (Python's expat) and the JSON Schema through check-jsonschema.

use std::process::Command;

use super::support::*;
use super::tools::venv_tool;

#[test]
fn junit_parses_with_a_real_xml_parser() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    for spec in [
        "fixtures/policy/expose-host-not-in-allowed-hosts/fail.yaml",
        "fixtures/policy-config/team/service.yaml",
        "fixtures/minimal/service.yaml",
    ] {
        let out = mcpgen(&["check", spec, "--format", "junit"]);
        let file = std::env::temp_dir().join(format!("mcpgen-junit-{}.xml", std::process::id()));
        std::fs::write(&file, &out.stdout).expect("write");
        let script = "import sys, xml.etree.ElementTree as ET\n\
root = ET.parse(sys.argv[1]).getroot()\n\
assert root.tag == 'testsuites'\n\
cases = root.findall('./testsuite/testcase')\n\
assert int(root.get('tests')) == len(cases) > 0\n\
assert int(root.get('failures')) == len(root.findall('./testsuite/testcase/failure'))\n\
assert int(root.get('skipped')) == len(root.findall('./testsuite/testcase/skipped'))\n\
print(len(cases))\n";
        let parsed = Command::new(&python)
            .args(["-c", script])
            .arg(&file)
            .output()
            .expect("run python");
        assert!(
            parsed.status.success(),
            "{spec}: {}",
            String::from_utf8_lossy(&parsed.stderr)
        );
    }
}

/// The published schema works in a third-party validator (check-jsonschema, the Python
/// `jsonschema` implementation editors' tooling resembles): both shared specs pass, broken
/// fixtures fail. Needs the validators from `.ci/install-tools`.
#[test]
fn published_schema_works_in_check_jsonschema() {
    let Some(tool) = venv_tool("check-jsonschema") else {
        return;
    };
    let run = |files: &[&str]| {
        Command::new(&tool)
            .arg("--schemafile")
            .arg("schemas/mcpgen.schema.json")
            .args(files)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run check-jsonschema")
    };
    let ok = run(&[
        "fixtures/reference/service.yaml",
        "fixtures/minimal/service.yaml",
        "fixtures/monitoring-tuned/service.yaml",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    for broken in [
        "fixtures/invalid-enum/service.yaml",
        "fixtures/bad-memory-quantity/service.yaml",
        "fixtures/unknown-field-typo/service.yaml",
    ] {
        let o = run(&[broken]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{broken} should fail: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}
