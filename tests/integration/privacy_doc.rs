//! PRIVACY.md promises nothing without a test: every test it names exists,
//! and every file it points to is there.

use crate::common::*;

/// Every Rust source under `dir`, concatenated.
fn sources(dir: &std::path::Path) -> String {
    files_in(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn every_claim_names_tests_that_exist() {
    let doc = std::fs::read_to_string(repo("PRIVACY.md")).unwrap();
    let code = sources(&repo("src")) + &sources(&repo("tests"));
    let mut tests = 0;
    for row in doc
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| statement"))
    {
        let backed = row.rsplit('|').nth(1).unwrap_or("");
        let names: Vec<&str> = backed.split('`').skip(1).step_by(2).collect();
        assert!(!names.is_empty(), "a claim without a test: {row}");
        for name in names {
            if name.ends_with(".rs") {
                assert!(
                    repo(name).exists() || code.contains(name.trim_end_matches(".rs")),
                    "{name}"
                );
            } else if name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && name.contains('_')
            {
                assert!(code.contains(&format!("fn {name}(")), "no test {name}");
                tests += 1;
            }
        }
    }
    assert!(tests >= 30, "{tests} tests named");
}
