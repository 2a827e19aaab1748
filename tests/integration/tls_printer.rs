//! A printer on the network over `ipps://`: the sheet crosses encrypted,
//! only to the printer whose certificate is pinned (or vouched for by a
//! public CA); a recording relay on loopback shows what went over the wire.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use passbooth::print::ipp::IppPrinter;
use passbooth::print::media::Media;
use passbooth::print::{Paper, SheetPrinter, sheet_for};

use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};
use crate::residue::distinctive;

/// A relay on a loopback port to `to`, recording every byte the client
/// sends; serves `connections` connections.
fn relay(to: u16, connections: usize) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().take(connections) {
            let Ok(mut client) = client else { return };
            let Ok(mut printer) = TcpStream::connect(("127.0.0.1", to)) else {
                return;
            };
            let (mut c2, mut p2) = (client.try_clone().unwrap(), printer.try_clone().unwrap());
            let record = record.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = c2.read(&mut buf) {
                    if n == 0 || p2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    record.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                let _ = p2.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut printer, &mut client);
            });
        }
    });
    (port, seen)
}

/// Prints the fixture as a 4x6 sheet on `printer`.
fn print_on(printer: &mut IppPrinter) -> Result<(), passbooth::print::problem::Problem> {
    let paper = Paper::new(Media::parse("4x6").unwrap());
    let sheet = sheet_for(&astronaut(), &paper, 300, None).unwrap();
    printer.print_sheet(&sheet, &paper).map(|_| ())
}

fn wire_holds(seen: &Mutex<Vec<u8>>, doc: &[u8]) -> usize {
    let wire = seen.lock().unwrap().clone();
    distinctive(&doc[1024..], 64)
        .iter()
        .filter(|n| memchr::memmem::find(&wire, n).is_some())
        .count()
}

#[test]
fn over_ipps_with_its_pinned_certificate_the_sheet_crosses_encrypted() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let cert = p.certificate();
    // Plain IPP through the relay: the scan finds the sheet on the wire.
    let (plain_port, plain_seen) = relay(p.port(), 64);
    let mut plain = IppPrinter::new(&format!("ipp://localhost:{plain_port}/ipp/print")).unwrap();
    assert!(!plain.encrypted());
    print_on(&mut plain).unwrap();
    let doc = std::fs::read(&p.received()[0]).unwrap();
    assert!(
        wire_holds(&plain_seen, &doc) > 0,
        "plain IPP carries the sheet in the clear"
    );
    // ipps with the printer's own certificate pinned: printed, and nothing
    // of the sheet on the wire.
    let (tls_port, tls_seen) = relay(p.port(), 64);
    let mut tls = IppPrinter::open(
        &format!("ipps://localhost:{tls_port}/ipp/print"),
        Some(&cert),
    )
    .unwrap();
    assert!(tls.encrypted());
    print_on(&mut tls).unwrap();
    assert_eq!(p.received().len(), 2);
    let doc = std::fs::read(&p.received()[1]).unwrap();
    assert!(!tls_seen.lock().unwrap().is_empty());
    assert_eq!(
        wire_holds(&tls_seen, &doc),
        0,
        "the sheet crossed in the clear"
    );
}

#[test]
fn an_ipps_printer_that_is_not_the_pinned_one_gets_nothing() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let other = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let uri = format!("ipps://localhost:{}/ipp/print", p.port());
    // Pinned to another printer's certificate, or trusting only public CAs:
    // refused before any request is sent.
    for mut printer in [
        IppPrinter::open(&uri, Some(&other.certificate())).unwrap(),
        IppPrinter::new(&uri).unwrap(),
    ] {
        let err = print_on(&mut printer).unwrap_err();
        assert!(err.to_string().contains("is not the one trusted"), "{err}");
        assert_eq!(err.code(), "printer_offline");
    }
    assert!(p.received().is_empty(), "nothing reached the printer");
}

#[test]
fn a_printer_certificate_that_is_not_pem_is_a_clear_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let bad = dir.path().join("printer.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let err = IppPrinter::open("ipps://localhost/ipp/print", Some(&bad)).unwrap_err();
    assert!(err.to_string().contains("no certificate in it"), "{err}");
}
