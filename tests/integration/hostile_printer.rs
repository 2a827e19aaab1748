//! Printers that misbehave, on loopback: one that streams attributes
//! forever, one that never answers, one that sends garbage. Each ends in a
//! plain "could not print" with bounded memory and time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use passbooth::print::ipp::IppPrinter;
use passbooth::print::problem::Problem;
use tempfile::TempDir;

use crate::common::*;

#[derive(Clone, Copy)]
enum Misbehaviour {
    /// HTTP 200, then valid IPP attributes without end.
    Streams,
    /// HTTP 200 and random bytes.
    Garbage,
}

/// A fake printer on a loopback port; serves `connections` clients.
fn serve(how: Misbehaviour, connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || answer(stream, how));
        }
    });
    format!("ipp://127.0.0.1:{port}/ipp/print")
}

/// Reads the request head and whatever body arrives within a moment.
fn read_request(s: &mut TcpStream) {
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 65536];
    let mut head = Vec::new();
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > 16 << 20 {
            break;
        }
    }
}

fn answer(mut s: TcpStream, how: Misbehaviour) {
    read_request(&mut s);
    match how {
        Misbehaviour::Garbage => {
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            let body: Vec<u8> = (0..4096)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
        Misbehaviour::Streams => {
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            // Version 2.0, successful-ok, request 1, printer attributes, one
            // named keyword, then additional values forever.
            let mut first = vec![2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x44];
            first.extend_from_slice(&21u16.to_be_bytes());
            first.extend_from_slice(b"printer-state-reasons");
            first.extend_from_slice(&4u16.to_be_bytes());
            first.extend_from_slice(b"none");
            let more: Vec<u8> = (0..8192)
                .flat_map(|_| [0x44, 0, 0, 0, 4, b'n', b'o', b'n', b'e'])
                .collect();
            let chunk = |s: &mut TcpStream, b: &[u8]| -> std::io::Result<()> {
                write!(s, "{:x}\r\n", b.len())?;
                s.write_all(b)?;
                s.write_all(b"\r\n")
            };
            if chunk(&mut s, &first).is_err() {
                return;
            }
            // Up to 256 MB, or until the client hangs up.
            for _ in 0..(256 << 20) / more.len() {
                if chunk(&mut s, &more).is_err() {
                    return;
                }
            }
        }
    }
}

#[test]
fn a_printer_streaming_attributes_forever_is_cut_off() {
    let uri = serve(Misbehaviour::Streams, 1);
    let printer = IppPrinter::new(&uri).unwrap();
    let err = printer.status().unwrap_err();
    assert!(matches!(err, Problem::Offline(_)), "{err:?}");
    assert!(err.to_string().contains("too large to be real"), "{err}");
}

/// A printer that reads the request and never answers; says on the channel
/// whether the client hung up first (it gives up itself after 20 s, so a
/// client without a time-out does not hang the test forever).
fn serve_silent() -> (String, std::sync::mpsc::Receiver<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Some(Ok(mut s)) = listener.incoming().next() else {
            return;
        };
        read_request(&mut s);
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut byte = [0u8; 1];
        // A read of 0 bytes (or a reset) is the client hanging up.
        let hung_up = !matches!(s.read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut);
        let _ = tx.send(hung_up);
    });
    (format!("ipp://127.0.0.1:{port}/ipp/print"), rx)
}

#[test]
fn a_printer_that_never_answers_is_offline_after_the_request_time_out() {
    let (uri, hung_up) = serve_silent();
    let printer = IppPrinter::new(&uri)
        .unwrap()
        .with_request_timeout(Duration::from_secs(1));
    let err = printer.status().unwrap_err();
    assert_eq!(err.code(), "printer_offline", "{err}");
    // The booth gave up by its own time-out: the printer saw it hang up,
    // before its own 20 s were over.
    assert!(
        hung_up
            .recv_timeout(patience(Duration::from_secs(60)))
            .expect("the booth never reached the printer"),
        "the printer gave up first: the request time-out did not apply"
    );
}

#[test]
fn a_printer_sending_garbage_is_reported_in_plain_words() {
    let uri = serve(Misbehaviour::Garbage, 1);
    let err = IppPrinter::new(&uri).unwrap().status().unwrap_err();
    assert_eq!(err.code(), "printer_offline", "{err}");
    assert!(err.to_string().contains("not IPP"), "{err}");
}

/// `passbooth ARGS` under a 1.5 GB address-space limit (the booth's own
/// limit is its locked RAM).
fn limited(args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"));
    cmd.args(args);
    with_address_limit(cmd, 1536 << 20).output().unwrap()
}

#[test]
fn print_against_a_streaming_printer_fails_in_one_line_within_a_memory_limit() {
    // qemu-user reserves the guest's address space itself.
    if emulated("an address-space limit") {
        return;
    }
    let uri = serve(Misbehaviour::Streams, 2);
    let dir = TempDir::new().unwrap();
    let photo = dir.path().join("photo.jpg");
    passbooth::imaging::encode::write_file(&astronaut(), &photo, 300).unwrap();
    let photo = photo.to_str().unwrap();
    // With and without --media: the same code, 4, for "could not print".
    for args in [
        vec!["print", photo, "--printer", &uri],
        vec!["print", photo, "--printer", &uri, "--media", "4x6"],
    ] {
        let run = limited(&args);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(4), "{args:?}: {err}");
        assert!(err.contains("too large to be real"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}

#[test]
fn a_printer_on_a_closed_port_is_exit_4_with_or_without_media() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("ipp://127.0.0.1:{port}/ipp/print");
    let fixture = repo("tests/fixtures/astronaut.png");
    let f = fixture.to_str().unwrap();
    for args in [
        vec!["print", f, "--printer", &uri],
        vec!["print", f, "--printer", &uri, "--media", "4x6"],
    ] {
        let run = passbooth(&args);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(4), "{args:?}: {err}");
        assert!(err.contains("[printer_offline]"), "{err}");
    }
}

#[test]
fn print_refuses_an_endless_file() {
    // qemu-user reserves the guest's address space itself.
    if emulated("an address-space limit") {
        return;
    }
    // A device is refused before a byte is read; a regular file past the
    // limit after the limit (the decoder's unit tests).
    let run = limited(&["print", "/dev/zero", "--printer", "ipp://127.0.0.1:9/x"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
