//! `passbooth run --simulate` as a person and systemd see it: button lines
//! on stdin, state lines on stderr, READY=1 on the notify socket, SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use passbooth::imaging::decode::decode_file;
use tempfile::TempDir;

use crate::common::patience;

/// Starts the simulator in `dir` with the notify socket; returns the child
/// and a channel of its stderr lines.
fn start(
    dir: &std::path::Path,
    notify: &std::path::Path,
) -> (std::process::Child, mpsc::Receiver<String>) {
    spawn(
        &["run", "--simulate"],
        dir,
        &[("NOTIFY_SOCKET", notify.to_str().unwrap())],
    )
}

/// Runs passbooth with `args` in `dir` with extra `env`, stdin piped;
/// returns the child and a channel of its stderr lines.
pub(crate) fn spawn(
    args: &[&str],
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passbooth"));
    cmd.args(args).current_dir(dir).envs(env.iter().copied());
    spawn_command(cmd)
}

/// Starts `cmd` with stdin piped; returns the child and a channel of its
/// stderr lines.
pub(crate) fn spawn_command(mut cmd: Command) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

pub(crate) fn wait_for(rx: &mpsc::Receiver<String>, want: &str, within: Duration) -> Vec<String> {
    let within = patience(within);
    let end = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < end {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let hit = line == want;
            seen.push(line);
            if hit {
                return seen;
            }
        }
    }
    panic!("no '{want}' within {within:?}; saw {seen:?}");
}

/// Waits until every line of `wants` has come, in any order; the lines seen.
pub(crate) fn wait_for_all(
    rx: &mpsc::Receiver<String>,
    wants: &[&str],
    within: Duration,
) -> Vec<String> {
    let within = patience(within);
    let end = Instant::now() + within;
    let mut seen: Vec<String> = Vec::new();
    while !wants.iter().all(|w| seen.iter().any(|l| l == w)) {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("not all of {wants:?} within {within:?}; saw {seen:?}"),
        }
    }
    seen
}

/// The session's end as a scan must wait for it: back in the attract
/// screen (the booth's own wipe is done before the line) and the engine's
/// wipe done on its thread.
pub(crate) const ENDED: [&str; 2] = ["state=idle", "engine: wiped"];

/// A person up to the review: start, press until the countdown (the screen
/// says when she is in place), then no more presses (one left over would
/// print); returns at `state=review` with the log.
pub(crate) fn to_review(stdin: &mut impl Write, rx: &mpsc::Receiver<String>) -> Vec<String> {
    let mut log = to_countdown(stdin, rx);
    log.extend(wait_for(rx, "state=review", Duration::from_secs(30)));
    log
}

/// A person up to the countdown: start, then press until the screen says
/// she is in place; returns at `state=countdown` with the log.
pub(crate) fn to_countdown(stdin: &mut impl Write, rx: &mpsc::Receiver<String>) -> Vec<String> {
    writeln!(stdin, "press").unwrap();
    let mut log = wait_for(rx, "state=framing", Duration::from_secs(20));
    let end = Instant::now() + patience(Duration::from_secs(30));
    while !log.iter().any(|l: &String| l == "state=countdown") {
        writeln!(stdin, "press").unwrap();
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            log.push(line);
        }
        assert!(Instant::now() < end, "no countdown: {log:?}");
    }
    log
}

/// A person at the booth: start, press until the countdown (the screen says
/// when she is in place), confirm the review, then quit; the log lines.
pub(crate) fn person_session(stdin: &mut impl Write, rx: &mpsc::Receiver<String>) -> Vec<String> {
    let mut log: Vec<String> = Vec::new();
    let mut press = || writeln!(stdin, "press").unwrap();
    press();
    log.extend(wait_for(rx, "state=framing", Duration::from_secs(10)));
    let end = Instant::now() + patience(Duration::from_secs(20));
    loop {
        press();
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            let done = line == "state=countdown";
            log.push(line);
            if done {
                break;
            }
        }
        assert!(Instant::now() < end, "no countdown");
    }
    log.extend(wait_for(rx, "state=review", Duration::from_secs(15)));
    press();
    log.extend(wait_for(rx, "state=done", Duration::from_secs(15)));
    writeln!(stdin, "quit").unwrap();
    log.extend(wait_for(rx, "state=stopped", Duration::from_secs(10)));
    log
}

#[test]
fn a_person_at_the_simulated_booth_gets_a_sheet() {
    let dir = TempDir::new().unwrap();
    let sock_path = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(patience(Duration::from_secs(20))))
        .unwrap();
    let (mut child, rx) = start(dir.path(), &sock_path);
    let mut buf = [0u8; 64];
    let n = sock.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"READY=1");

    let mut stdin = child.stdin.take().unwrap();
    let log = person_session(&mut stdin, &rx);
    assert!(child.wait().unwrap().success());
    // The log holds state names only (and the start-up lines: what it
    // simulates, its privacy measures, the live detector it chose): nothing
    // about the person.
    for line in &log {
        assert!(
            line.starts_with("state=")
                || line == "engine: wiped"
                || line.starts_with("passbooth: simulating;")
                || line.starts_with("printer: simulated; the sheet was not kept")
                || line.starts_with("privacy: not dumpable yes, core limit 0 yes")
                || line.starts_with("live detector: face_detection_short_range"),
            "unexpected log line: {line}"
        );
    }
    assert!(
        log.iter()
            .any(|l| l.starts_with("printer: simulated; the sheet was not kept")),
        "{log:?}"
    );
    // Nothing was named, so nothing of the face was written: the folder
    // holds only the test's own notify socket.
    let left: Vec<_> = crate::common::files_in(dir.path());
    assert_eq!(
        left,
        std::slice::from_ref(&sock_path),
        "files written: {left:?}"
    );
    let n = sock.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"STOPPING=1");
}

#[test]
fn sigterm_ends_a_session_cleanly() {
    let dir = TempDir::new().unwrap();
    let sock_path = dir.path().join("notify.sock");
    let _sock = UnixDatagram::bind(&sock_path).unwrap();
    let (mut child, rx) = start(dir.path(), &sock_path);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=framing", Duration::from_secs(10));
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    wait_for(&rx, "state=stopped", Duration::from_secs(10));
    assert!(child.wait().unwrap().success());
    drop(stdin);
}

#[test]
fn the_button_can_be_pressed_through_a_unix_socket() {
    use std::os::unix::net::UnixStream;
    let dir = TempDir::new().unwrap();
    let socket = dir.path().join("button.sock");
    let (mut child, rx) = spawn(
        &[
            "run",
            "--simulate",
            "--button-socket",
            socket.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    let start = Instant::now();
    let mut conn = loop {
        if let Ok(c) = UnixStream::connect(&socket) {
            break c;
        }
        assert!(
            start.elapsed() < patience(Duration::from_secs(10)),
            "no socket"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    writeln!(conn, "press").unwrap();
    wait_for(&rx, "state=framing", Duration::from_secs(10));
    writeln!(conn, "long").unwrap();
    wait_for(&rx, "state=idle", Duration::from_secs(10));
    writeln!(conn, "quit").unwrap();
    wait_for(&rx, "state=stopped", Duration::from_secs(10));
    assert!(child.wait().unwrap().success());
}

/// With a display (a private Xvfb here), `--window` opens a window of the
/// panel's size (shown twice as large) titled passbooth.
#[cfg(feature = "window")]
#[test]
fn the_simulator_opens_a_window_where_a_display_exists() {
    // Xvfb picks a free display and writes its number once it accepts
    // clients (-displayfd): the test waits for that line.
    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "800x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (install xvfb)");
    let mut number = String::new();
    BufReader::new(xvfb.stdout.take().unwrap())
        .read_line(&mut number)
        .unwrap();
    let display = format!(":{}", number.trim());
    assert!(display.len() > 1, "Xvfb gave no display");
    let dir = TempDir::new().unwrap();
    let (mut child, rx) = spawn(
        &["run", "--simulate", "--window"],
        dir.path(),
        &[("DISPLAY", &display)],
    );
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=framing", Duration::from_secs(15));
    let tree = Command::new("xwininfo")
        .args(["-root", "-tree", "-display", &display])
        .output()
        .expect("xwininfo (install x11-utils)");
    let tree = String::from_utf8_lossy(&tree.stdout).to_string();
    writeln!(stdin, "quit").unwrap();
    wait_for(&rx, "state=stopped", Duration::from_secs(10));
    assert!(child.wait().unwrap().success());
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let line = tree
        .lines()
        .find(|l| l.contains("\"passbooth\""))
        .unwrap_or_else(|| panic!("no passbooth window in:\n{tree}"));
    assert!(line.contains("480x640"), "{line}");
}

#[test]
fn a_window_without_a_display_is_refused_clearly() {
    let run = Command::new(env!("CARGO_BIN_EXE_passbooth"))
        .args(["run", "--simulate", "--window"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("display") || err.contains("window feature"),
        "{err}"
    );
}

#[test]
fn the_booth_counts_sessions_and_prints_and_nothing_else() {
    let dir = TempDir::new().unwrap();
    let stats = dir.path().join("stats.json");
    let config = dir.path().join("booth.toml");
    std::fs::write(
        &config,
        format!(
            "spec = \"us-passport\"\nstats = \"{}\"\n[printer]\nfolder = \"prints\"\nmedia = \"4x6\"\n",
            stats.display()
        ),
    )
    .unwrap();
    for round in 1..=2 {
        let (mut child, rx) = spawn(
            &["run", "--simulate", "--config", config.to_str().unwrap()],
            dir.path(),
            &[],
        );
        let mut stdin = child.stdin.take().unwrap();
        person_session(&mut stdin, &rx);
        assert!(child.wait().unwrap().success());
        // Counts carry over a restart.
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
        assert_eq!(json["sessions"], round, "{json}");
        assert_eq!(json["prints"], round, "{json}");
        // Counters only: these keys, numbers as values, nothing per person.
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "camera_errors",
                "carried_cents",
                "coins",
                "credit_cents",
                "paid_cents",
                "phone_sends",
                "printer_errors",
                "prints",
                "rejections",
                "sessions"
            ]
        );
    }
    let out = crate::common::passbooth(&["stats", "--config", config.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("sessions        2\nprints          2\n"),
        "{text}"
    );
}

#[test]
fn quitting_during_the_review_leaves_a_named_mirror_blank_and_prints_nothing() {
    let dir = TempDir::new().unwrap();
    let screen = dir.path().join("screen.png");
    let prints = dir.path().join("prints");
    let (mut child, rx) = spawn(
        &[
            "run",
            "--simulate",
            "--screen",
            screen.to_str().unwrap(),
            "--print-dir",
            prints.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    let mut stdin = child.stdin.take().unwrap();
    to_review(&mut stdin, &rx);
    let flat = |img: &passbooth::imaging::RgbImage| img.as_bytes().iter().all(|&b| b == 0);
    // The mirror is written as the screen is flushed, just after the line.
    assert!(
        crate::handoff::wait_until(Duration::from_secs(10), || decode_file(&screen)
            .is_ok_and(|review| !flat(&review))),
        "the mirror shows the review photo"
    );
    writeln!(stdin, "quit").unwrap();
    wait_for(&rx, "state=stopped", Duration::from_secs(20));
    assert!(child.wait().unwrap().success());
    let after = decode_file(&screen).unwrap();
    assert_eq!((after.width(), after.height()), (240, 320));
    assert!(
        flat(&after),
        "the mirror still shows a picture after quitting"
    );
    assert!(
        !prints.exists() || crate::common::files_in(&prints).is_empty(),
        "nothing was printed"
    );
}
