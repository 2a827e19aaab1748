//! A power cut mid-print (kill -9 while the printer works), then a restart:
//! nothing of the session anywhere on disk, the stats file intact, the
//! booth back in attract without printing again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use passbooth::booth::counters::Counters;
use passbooth::imaging::encode::write_file;
use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};
use crate::residue::{distinctive, marked_still};
use crate::simulate::{spawn, to_review, wait_for};

/// Regular files below `dir` (not following links), skipping `except`.
fn files_below(dir: &Path, except: &[&Path], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if except.iter().any(|x| p.starts_with(x)) {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => files_below(&p, except, out),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
}

/// Files below `roots` holding any of `needles`.
fn holders(roots: &[&Path], except: &[&Path], needles: &[Vec<u8>]) -> Vec<PathBuf> {
    let finders: Vec<_> = needles.iter().map(memchr::memmem::Finder::new).collect();
    let mut files = Vec::new();
    for r in roots {
        files_below(r, except, &mut files);
    }
    files
        .into_iter()
        .filter(|f| std::fs::metadata(f).is_ok_and(|m| m.len() < 256 << 20))
        .filter(|f| {
            std::fs::read(f).is_ok_and(|bytes| finders.iter().any(|n| n.find(&bytes).is_some()))
        })
        .collect()
}

#[test]
fn a_power_cut_mid_print_leaves_nothing_on_disk_and_the_booth_restarts_in_attract() {
    if emulated("a kill -9 and a scan of the disk") {
        return;
    }
    let p = TestPrinter::start(Behaviour::Slow(30), "na_index-4x6_4x6in", "image/jpeg");
    let dir = TempDir::new().unwrap();
    let frames = dir.path().join("frames");
    let work = dir.path().join("work");
    let state = dir.path().join("state");
    for d in [&frames, &work, &state] {
        std::fs::create_dir_all(d).unwrap();
    }
    let (still, _) = marked_still();
    write_file(&still, &frames.join("0001.png"), 72).unwrap();
    drop(still);
    let stats = state.join("stats.json");
    let config = dir.path().join("booth.toml");
    std::fs::write(
        &config,
        format!(
            "spec = \"us-passport\"\nstats = {:?}\n\n[printer]\nuri = {:?}\nmedia = \"4x6\"\n",
            stats, p.uri
        ),
    )
    .unwrap();
    let args = [
        "run",
        "--simulate",
        "--config",
        config.to_str().unwrap(),
        "--frames",
        frames.to_str().unwrap(),
    ];
    let (mut child, rx) = spawn(&args, &work, &[]);
    let mut stdin = child.stdin.take().unwrap();
    to_review(&mut stdin, &rx);
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=printing", Duration::from_secs(10));
    // The printer has the document and works on it: the power goes.
    let end = Instant::now() + patience(Duration::from_secs(20));
    while p.received().is_empty() {
        assert!(Instant::now() < end, "the printer never got the sheet");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    let _ = child.wait();

    let doc = std::fs::read(&p.received()[0]).unwrap();
    let needles = distinctive(&doc[1024..], 64);
    assert!(needles.len() >= 16, "{} needles", needles.len());
    // The scan finds the document where it is (the printer's spool), which
    // proves it; the printer's folder is the printer's, not the booth's.
    let spool = p.received()[0].parent().unwrap().to_path_buf();
    assert!(!holders(&[&spool], &[], &needles).is_empty());
    let tmp = std::env::temp_dir();
    let roots = [
        dir.path(),
        tmp.as_path(),
        Path::new("/var/tmp"),
        Path::new("/dev/shm"),
    ];
    let found = holders(&roots, &[&spool], &needles);
    assert!(found.is_empty(), "the session's sheet on disk: {found:?}");

    // The counters survived (written whole or not at all), and a restart
    // comes back to attract without printing anything again.
    let before = Counters::load(&stats).expect("stats file intact");
    assert_eq!(before.sessions, 1, "{before:?}");
    let (mut again, rx) = spawn(&args, &work, &[]);
    let mut stdin = again.stdin.take().unwrap();
    let mut seen = Vec::new();
    let end = Instant::now() + patience(Duration::from_secs(30));
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("passbooth: simulating"))
    {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line);
        }
        assert!(Instant::now() < end, "no restart: {seen:?}");
    }
    std::thread::sleep(Duration::from_millis(500));
    writeln!(stdin, "quit").unwrap();
    seen.extend(wait_for(&rx, "state=stopped", Duration::from_secs(20)));
    assert!(again.wait().unwrap().success());
    assert!(
        !seen
            .iter()
            .any(|l| l.starts_with("state=") && l != "state=stopped"),
        "the restarted booth stayed in attract: {seen:?}"
    );
    assert_eq!(p.received().len(), 1, "nothing printed again");
    assert_eq!(Counters::load(&stats).unwrap().sessions, 1);
}
