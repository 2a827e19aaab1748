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
    cmd.args(["-f", "-qq", "-e", trace, "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_passbooth"))
        .args(["run", "--simulate", "--frames", "frames"])
        .args(extra)
        .current_dir(dir.path());
    let (mut child, rx) = spawn_command(cmd);
    let mut stdin = child.stdin.take().unwrap();
    person_session(&mut stdin, &rx);
    assert!(child.wait().unwrap().success());
    let lines = std::fs::read_to_string(&log)
        .expect("strace log (install strace)")
        .lines()
        .map(str::to_string)
        .collect();
    (dir, lines)
}

/// The quoted path of a traced call, if any.
fn path_of(line: &str) -> Option<&str> {
    line.split('"').nth(1)
}

#[test]
fn a_session_writes_only_into_the_configured_output_folder() {
    if crate::common::emulated("the files a session writes") {
        return;
    }
    let (dir, trace) = traced_session(
        &["--print-dir", "out", "--screen", "out/screen.png"],
        "trace=openat,open,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,truncate,link,symlink",
    );
    let mut writes = 0;
    for line in &trace {
        let writing = !line.contains("openat") && !line.contains("open(")
            || line.contains("O_WRONLY")
            || line.contains("O_RDWR")
            || line.contains("O_CREAT");
        if !writing {
            continue;
        }
        let path = path_of(line).unwrap_or("");
        if path == "/dev/null" {
            continue; // LiteRT's log is sent there
        }
        writes += 1;
        assert!(
            path == "out" || path.starts_with("out/"),
            "written outside the output folder: {line}"
        );
    }
    assert!(writes > 0, "the trace saw the sheet being written");
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
        &["--printer", &p.uri, "--screen", "out/screen.png"],
        "trace=socket,connect,sendto,sendmsg,bind,listen",
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
    for line in trace.iter().filter(|l| l.contains("connect(")) {
        // The C library asks its name service cache (nscd) about
        // "localhost" over a local socket, where one runs.
        let name_lookup = line.contains("sun_path=\"/var/run/nscd/socket\"");
        let printer = line.contains(&format!("htons({port})"))
            && (line.contains("127.0.0.1") || line.contains("::1"));
        assert!(
            name_lookup || printer,
            "a connection to something other than the printer: {line}"
        );
    }
    assert!(
        !trace
            .iter()
            .any(|l| l.contains("bind(") || l.contains("listen("))
    );
    assert_eq!(p.received().len(), 1);
}
