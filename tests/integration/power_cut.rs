//! A power cut mid-print (kill -9 while the printer works), then a restart:
//! nothing of the session anywhere on disk, the stats file intact, the
//! booth back in attract without printing again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use passbooth::booth::counters::Counters;

use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};
use crate::residue::{Marked, distinctive};
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
    let mut files = Vec::new();
    for r in roots {
        files_below(r, except, &mut files);
    }
    holding(files, needles)
}

/// The files of `files` holding any of `needles`.
fn holding(files: Vec<PathBuf>, needles: &[Vec<u8>]) -> Vec<PathBuf> {
    let finders: Vec<_> = needles.iter().map(memchr::memmem::Finder::new).collect();
    files
        .into_iter()
        .filter(|f| std::fs::metadata(f).is_ok_and(|m| m.len() < 256 << 20))
        .filter(|f| {
            std::fs::read(f).is_ok_and(|bytes| finders.iter().any(|n| n.find(&bytes).is_some()))
        })
        .collect()
}

/// File systems that are the kernel's views, not storage.
const NOT_STORAGE: &[&str] = &[
    "proc",
    "sysfs",
    "cgroup",
    "cgroup2",
    "devpts",
    "mqueue",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "configfs",
    "fusectl",
    "hugetlbfs",
    "autofs",
    "binfmt_misc",
    "efivarfs",
    "nsfs",
    "devtmpfs",
];

/// Every mount point of this mount namespace that holds files and is not
/// mounted read-only.
fn writable_mounts() -> Vec<PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines()
        .filter_map(|l| {
            let (mine, fs) = l.split_once(" - ")?;
            let fields: Vec<&str> = mine.split(' ').collect();
            let (point, options) = (fields.get(4)?, fields.get(5)?);
            let fstype = fs.split(' ').next()?;
            let writable = !options.split(',').any(|o| o == "ro");
            (writable && !NOT_STORAGE.contains(&fstype)).then(|| PathBuf::from(point))
        })
        .collect()
}

/// Regular files in every writable place of this mount namespace changed
/// at or after `since`, each once, skipping `except`.
fn written_since(since: std::time::SystemTime, except: &[&Path]) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for m in writable_mounts() {
        files_below(&m, except, &mut all);
    }
    all.sort();
    all.dedup();
    all.into_iter()
        .filter(|f| {
            std::fs::symlink_metadata(f)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since)
        })
        .collect()
}

#[test]
fn a_power_cut_mid_print_leaves_nothing_on_disk_and_the_booth_restarts_in_attract() {
    if emulated("a kill -9 and a scan of the disk") {
        return;
    }
    // A second of slack: file times are not finer than the file system's.
    let start = std::time::SystemTime::now() - Duration::from_secs(1);
    let p = TestPrinter::start(Behaviour::Slow(30), "na_index-4x6_4x6in", "image/jpeg");
    // The marked portrait (the camera's frames) and every form the booth
    // gives it: the still's rows, the viewfinder frame, the photo, the
    // screen, the photo as a PNG file.
    // Tinted by a level that changes every run: the photo, the screen and
    // the document are then this run's alone, so no other test's file (the
    // residue tests print the same scene) can hold them.
    let tint = 1
        + (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            % 3) as u8;
    let marked = Marked::tinted(tint);
    let dir = marked.dir.path();
    let work = dir.join("work");
    let state = dir.join("state");
    for d in [&work, &state] {
        std::fs::create_dir_all(d).unwrap();
    }
    let stats = state.join("stats.json");
    let config = dir.join("booth.toml");
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
        marked.frames.to_str().unwrap(),
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
    let mut needles: Vec<Vec<u8>> = distinctive(&doc[1024..], 64);
    assert!(needles.len() >= 16, "{} needles", needles.len());
    // The scan finds the document where it is (the printer's spool), which
    // proves it; the printer's folder is the printer's, not the booth's.
    let spool = p.received()[0].parent().unwrap().to_path_buf();
    assert!(!holders(&[&spool], &[], &needles).is_empty());
    for form in marked.forms.iter().chain([&marked.png]) {
        needles.extend(form.needles.iter().cloned());
    }
    // Every file written anywhere this test can see since it began (other
    // tests' files included: none can hold this run's tinted, patched
    // portrait),
    // but the printer's spool and the camera's frames (the world in front
    // of the lens).
    let written = written_since(
        start,
        &[
            &spool,
            &marked.frames,
            Path::new("/proc"),
            Path::new("/sys"),
        ],
    );
    assert!(
        written.iter().any(|f| f.starts_with(&state)),
        "the scan sees what the booth wrote (its stats): {} files",
        written.len()
    );
    let found = holding(written, &needles);
    assert!(found.is_empty(), "the session on disk: {found:?}");

    // The counters survived (written whole or not at all), and a restart
    // comes back to attract without printing anything again.
    let before = Counters::load(&stats).expect("stats file intact");
    assert_eq!(before.sessions, 1, "{before:?}");
    // Mirrored, so the test sees its first screen: a turn has run.
    let mirror = work.join("screen.png");
    let mirrored = [&args[..], &["--screen", mirror.to_str().unwrap()]].concat();
    let (mut again, rx) = spawn(&mirrored, &work, &[]);
    let mut stdin = again.stdin.take().unwrap();
    assert!(
        crate::handoff::wait_until(Duration::from_secs(30), || mirror.exists()),
        "the restarted booth drew no screen"
    );
    writeln!(stdin, "quit").unwrap();
    let mut seen = Vec::new();
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
