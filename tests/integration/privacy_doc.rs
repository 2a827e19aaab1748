//! PRIVACY.md promises nothing without a test: every test it names is a
//! `#[test]` that runs (not `#[ignore]`d), and every file it points to is
//! there.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::common::*;

/// Every Rust source under `dir`.
fn sources(dir: &std::path::Path) -> Vec<PathBuf> {
    files_in(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect()
}

/// Names of the functions in `text` marked `#[test]` and not `#[ignore]`
/// (the attributes right above `fn name(`).
fn running_tests(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut attrs: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("#[") {
            attrs.push(line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("fn ")
            && let Some((name, _)) = rest.split_once('(')
            && attrs.contains(&"#[test]")
            && !attrs.iter().any(|a| a.starts_with("#[ignore"))
        {
            out.insert(name.to_string());
        }
        if !line.is_empty() && !line.starts_with("//") {
            attrs.clear();
        }
    }
    out
}

/// What PRIVACY.md names in the "backed by" column of each claim row.
fn named(doc: &str) -> Vec<(String, Vec<String>)> {
    doc.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| statement"))
        .map(|row| {
            let backed = row.rsplit('|').nth(1).unwrap_or("");
            let names = backed
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            (row.to_string(), names)
        })
        .collect()
}

#[test]
fn every_claim_names_tests_that_exist() {
    let doc = std::fs::read_to_string(repo("PRIVACY.md")).unwrap();
    let files: Vec<PathBuf> = [sources(&repo("src")), sources(&repo("tests"))].concat();
    let tests: BTreeSet<String> = files
        .iter()
        .flat_map(|p| running_tests(&std::fs::read_to_string(p).unwrap()))
        .collect();
    let mut count = 0;
    for (row, names) in named(&doc) {
        assert!(!names.is_empty(), "a claim without a test: {row}");
        for name in names {
            if name.ends_with(".rs") {
                // A path from the repository root, or a source file's name.
                let exists = repo(&name).exists()
                    || files
                        .iter()
                        .any(|f| f.file_name().is_some_and(|n| n.to_str() == Some(&name)));
                assert!(exists, "no file {name}: {row}");
            } else if name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && name.contains('_')
            {
                assert!(tests.contains(&name), "no running #[test] {name}: {row}");
                count += 1;
            }
        }
    }
    assert!(count >= 30, "{count} tests named");
}

#[test]
fn the_check_tells_a_test_from_a_helper_and_an_ignored_test() {
    let text = "#[test]\nfn real_one() {}\n\nfn helper_fn() {}\n\n#[test]\n#[ignore]\nfn ignored_one() {}\n#[test]\n// why\nfn commented_one() {}\n";
    let found = running_tests(text);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["commented_one", "real_one"]
    );
}

/// Runs scripts/privacy-cites for the host run on `log` and `skips`.
fn cites_pass(log: &str, skips: &str) -> bool {
    let dir = tempfile::TempDir::new().unwrap();
    let (l, s) = (dir.path().join("log"), dir.path().join("skips"));
    std::fs::write(&l, log).unwrap();
    std::fs::write(&s, skips).unwrap();
    std::process::Command::new(repo("scripts/privacy-cites"))
        .arg("host")
        .args([&l, &s])
        .output()
        .unwrap()
        .status
        .success()
}

/// The check after every host run (scripts/dev) reads the runner's own
/// output: a cited test passes it only by passing in that run. Here it is
/// fed runs made up from its own list of cited tests.
#[test]
fn the_run_check_fails_a_cited_test_that_failed_skipped_or_did_not_run() {
    let listed = std::process::Command::new(repo("scripts/privacy-cites"))
        .args(["list", "host"])
        .output()
        .unwrap();
    assert!(listed.status.success());
    let cited: Vec<String> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(cited.len() >= 30, "{cited:?}");
    let run = |outcome: &dyn Fn(&str) -> &'static str| {
        cited
            .iter()
            .map(|t| format!("test {t} ... {} <0.1s>\n", outcome(t)))
            .collect::<String>()
    };
    let first = cited[0].clone();
    assert!(cites_pass(&run(&|_| "ok"), ""), "every cited test passed");
    let failed = run(&|t| if t == first { "FAILED" } else { "ok" });
    assert!(!cites_pass(&failed, ""), "one failed");
    let ignored = run(&|t| if t == first { "ignored" } else { "ok" });
    assert!(!cites_pass(&ignored, ""), "one ignored");
    let missing: String = run(&|_| "ok")
        .lines()
        .filter(|l| !l.contains(&format!(" {first} ")))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!cites_pass(&missing, ""), "one did not run");
    assert!(
        !cites_pass(&run(&|_| "ok"), &format!("{first}\tno input here\n")),
        "one skipped its checks"
    );
}
