//! What a booth session leaves outside memory, seen by the kernel (strace):
//! no file written anywhere but the folder the operator named, and no
//! socket but the one to the printer.

use std::process::Command;

use tempfile::TempDir;

use crate::booth::replay_stills;
use crate::printer::{Behaviour, TestPrinter};
use crate::simulate::{person_session, spawn_command};

/// Runs one whole session under strace in a fresh folder with the camera's
/// frames in `frames/`; returns the folder and the trace's lines.
fn traced_session(extra: &[&str], trace: &str) -> (TempDir, Vec<String>) {
    let dir = TempDir::new().unwrap();
    replay_stills(&dir.path().join("frames"));
    // The output folder the operator named.
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let log = dir.path().join("trace.log");
    let mut cmd = Command::new("strace");
    cmd.args(["-ff", "-qq", "-e", trace, "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_passbooth"))
        .args(["run", "--simulate", "--frames", "frames"])
        .args(extra)
        .current_dir(dir.path());
    let (mut child, rx) = spawn_command(cmd);
    let mut stdin = child.stdin.take().unwrap();
    person_session(&mut stdin, &rx);
    assert!(child.wait().unwrap().success());
    (dir, trace_lines(&log))
}

/// The lines of a trace made with `-ff -o LOG`: one file per thread
/// (`LOG.TID`), so a call is never split across lines by another thread's
/// (`<unfinished ...>` and `<... resumed>`).
fn trace_lines(log: &std::path::Path) -> Vec<String> {
    let dir = log.parent().unwrap();
    let stem = format!("{}.", log.file_name().unwrap().to_string_lossy());
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        if entry.file_name().to_string_lossy().starts_with(&stem) {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            lines.extend(text.lines().map(str::to_string));
        }
    }
    assert!(!lines.is_empty(), "no strace log (install strace)");
    lines
}

/// Every quoted path of a traced call (a rename has two).
fn paths_of(line: &str) -> Vec<&str> {
    line.split('"').skip(1).step_by(2).collect()
}

/// Whether a traced call writes: any call but an open, or an open for
/// writing or creating.
fn writes(line: &str) -> bool {
    let open = line.contains("open(") || line.contains("openat(") || line.contains("openat2(");
    !open
        || line.contains("O_WRONLY")
        || line.contains("O_RDWR")
        || line.contains("O_CREAT")
        || line.contains("O_TRUNC")
}

/// The system calls that can put something on disk.
const FILE_CALLS: &str = "trace=open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,\
mkdir,mkdirat,rmdir,truncate,link,linkat,symlink,symlinkat,mknod,mknodat";

/// `passbooth ARGS` under strace in a fresh folder; the folder and the
/// trace of `FILE_CALLS`.
fn traced_command(args: &[&str]) -> (TempDir, Vec<String>) {
    let dir = TempDir::new().unwrap();
    let log = dir.path().join("trace.log");
    let out = Command::new("strace")
        .args(["-ff", "-qq", "-e", FILE_CALLS, "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_passbooth"))
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, trace_lines(&log))
}

/// At the laptop: `check` writes no file anywhere, `compose` only the photo
/// it was asked for (seen by the kernel, whatever the folder).
#[test]
fn check_writes_nothing_and_compose_only_its_photo_anywhere() {
    if crate::common::emulated("the files a command writes") {
        return;
    }
    let input = crate::common::repo("tests/fixtures/astronaut.png");
    let input = input.to_str().unwrap();
    for (args, allowed) in [
        (
            vec!["check", input, "--spec", "us-passport", "--json"],
            vec![],
        ),
        (
            vec!["compose", input, "--spec", "us-passport", "-o", "photo.jpg"],
            vec!["photo.jpg"],
        ),
    ] {
        let (_dir, trace) = traced_command(&args);
        let mut written = Vec::new();
        for line in trace.iter().filter(|l| writes(l)) {
            for path in paths_of(line) {
                // LiteRT's log is sent there.
                if path != "/dev/null" {
                    written.push(path.to_string());
                }
            }
        }
        // The trace sees what the command reads (the photo), so it is on.
        assert!(
            trace.iter().any(|l| l.contains("astronaut.png")),
            "the trace saw the input"
        );
        written.dedup();
        assert_eq!(written, allowed, "{}: written", args[0]);
    }
}

#[test]
fn a_session_writes_only_into_the_configured_output_folder() {
    if crate::common::emulated("the files a session writes") {
        return;
    }
    // The sheets and the screen mirror are named apart, so each is checked
    // against exactly what was asked for.
    let (dir, trace) = traced_session(
        &["--print-dir", "out", "--screen", "screen.png"],
        FILE_CALLS,
    );
    let allowed = |path: &str| {
        path == "out"
            || (path.starts_with("out/sheet-") && path.ends_with(".jpg"))
            || path == "screen.png"
            || path == "screen.part.png"
            // LiteRT's log is sent there.
            || path == "/dev/null"
    };
    let (mut sheets, mut mirror) = (0, 0);
    for line in trace.iter().filter(|l| writes(l)) {
        let paths = paths_of(line);
        assert!(!paths.is_empty(), "a write with no path seen: {line}");
        for path in paths {
            assert!(allowed(path), "written outside what was named: {line}");
            sheets += usize::from(path.starts_with("out/sheet-"));
            mirror += usize::from(path == "screen.png");
        }
    }
    assert!(
        sheets > 0 && mirror > 0,
        "the trace saw the sheet and the mirror"
    );
    let out: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(out.contains(&"sheet-1.jpg".to_string()), "{out:?}");
}

#[test]
fn a_session_opens_no_socket_but_the_printers() {
    if crate::common::emulated("the sockets a session opens") {
        return;
    }
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let port = p
        .uri
        .split(':')
        .nth(2)
        .and_then(|s| s.split('/').next())
        .unwrap();
    let (_dir, trace) = traced_session(
        &["--printer", &p.uri],
        "trace=socket,connect,sendto,sendmsg,sendmmsg,bind,listen",
    );
    let sockets: Vec<&String> = trace.iter().filter(|l| l.contains("socket(")).collect();
    assert!(
        !sockets.is_empty(),
        "the trace saw the printer's connection"
    );
    for s in &sockets {
        assert!(
            s.contains("AF_INET") || s.contains("AF_UNIX"),
            "a socket that is not the printer's: {s}"
        );
    }
    // The C library asks its name service cache (nscd) about "localhost"
    // over a local socket, where one runs.
    let allowed = |line: &str| {
        line.contains("sun_path=\"/var/run/nscd/socket\"")
            || (line.contains(&format!("htons({port})"))
                && (line.contains("127.0.0.1") || line.contains("::1")))
    };
    // The descriptor of a traced call: `[pid] name(fd, ...`.
    let fd_of = |line: &str| {
        line.split_once('(')
            .and_then(|(_, rest)| rest.split(',').next())
            .map(|fd| fd.trim().to_string())
    };
    let mut connected = std::collections::BTreeSet::new();
    for line in trace.iter().filter(|l| l.contains("connect(")) {
        assert!(
            allowed(line),
            "a connection to something other than the printer: {line}"
        );
        connected.extend(fd_of(line));
    }
    // Data goes only over those connections, or to the printer by address.
    let sends: Vec<&String> = trace
        .iter()
        .filter(|l| l.contains("sendto(") || l.contains("sendmsg(") || l.contains("sendmmsg("))
        .collect();
    assert!(!sends.is_empty(), "the trace saw the job go to the printer");
    for line in &sends {
        let addressed = line.contains("sa_family=") || line.contains("sun_path=");
        if addressed {
            assert!(allowed(line), "data sent elsewhere: {line}");
        } else {
            let fd = fd_of(line).unwrap_or_default();
            assert!(
                connected.contains(&fd),
                "data sent on a socket never connected to the printer: {line}"
            );
        }
    }
    assert!(
        !trace
            .iter()
            .any(|l| l.contains("bind(") || l.contains("listen("))
    );
    assert_eq!(p.received().len(), 1);
}
