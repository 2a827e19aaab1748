//! Sheets printed on a real IPP printer (ippeveprinter): what it received,
//! and what the user is told when it cannot print. Each runs straight to the
//! printer and through a real CUPS queue ([`ROUTES`]), except where CUPS
//! changes the question: the paper loaded (a queue only guesses it), a
//! PDF-only printer (CUPS converts the document itself), an unreachable
//! printer and a time-out (through CUPS: `cups.rs`).

use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::recorded_dpi;
use passbooth::print::ipp::IppPrinter;
use passbooth::vision::{FaceDetector, Range};
use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, ROUTES, Route, Target};

const FORMATS: &str = "image/jpeg,application/pdf";

fn compose_and_print(printer: &str, extra: &[&str], cwd: &std::path::Path) -> std::process::Output {
    let input = repo("tests/fixtures/astronaut.png");
    let mut args = vec![
        "compose",
        input.to_str().unwrap(),
        "--spec",
        "us-passport",
        "--sheet",
        "4x6",
        "--print",
        printer,
        "--json",
    ];
    args.extend_from_slice(extra);
    std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"))
        .args(&args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

#[test]
fn a_us_sheet_arrives_as_a_300_dpi_4x6_jpeg_with_six_exact_photos() {
    for route in ROUTES {
        a_us_sheet_arrives(route);
    }
}

fn a_us_sheet_arrives(route: Route) {
    let p = Target::start(route, Behaviour::Prints, "na_index-4x6_4x6in", FORMATS);
    let cwd = TempDir::new().unwrap();
    let run = compose_and_print(&p.uri, &[], cwd.path());
    let r = report(&run);
    assert_eq!(run.status.code(), Some(0), "{route:?}: {r}\n{}", p.log());
    assert_eq!(r["print"]["printed"], true);
    assert_eq!(r["sheet"]["photos"], 6);
    // Printed from memory: nothing written where it ran.
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);

    let docs = p.received();
    assert_eq!(docs.len(), 1, "{docs:?}");
    let bytes = std::fs::read(&docs[0]).unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert_eq!(recorded_dpi(&bytes), Some(300.0));
    let sheet = decode_file(&docs[0]).unwrap();
    assert_eq!((sheet.width(), sheet.height()), (1200, 1800));

    let env = p.printer.job_env(1);
    assert!(
        env.contains("IPP_DOCUMENT_FORMAT_SUPPLIED=image/jpeg"),
        "{env}"
    );
    if route == Route::Direct {
        // CUPS forwards the size, not the name.
        assert!(env.contains("media-size-name=na_index-4x6_4x6in"), "{env}");
    }
    assert!(env.contains("x-dimension=10160 y-dimension=15240"), "{env}");
    assert!(env.contains("IPP_JOB_NAME=passbooth photos"), "{env}");
    assert!(
        !env.contains("astronaut"),
        "no file or person name in the job: {env}"
    );

    // Six faces on the received sheet, one centred in each 600 x 600 photo.
    let mut det = FaceDetector::load(
        &repo("models/face_detection_full_range.tflite"),
        Range::Full,
    )
    .unwrap();
    let faces = det.detect(&sheet).unwrap().to_vec();
    assert_eq!(faces.len(), 6, "{faces:?}");
    for f in &faces {
        let c = f.bbox.center();
        let (col, row) = ((c.x / 600.0) as u32, (c.y / 600.0) as u32);
        let (cx, cy) = (c.x - col as f32 * 600.0, c.y - row as f32 * 600.0);
        assert!(
            (cx - 300.0).abs() < 40.0 && (150.0..450.0).contains(&cy),
            "face at {cx},{cy} in photo {col},{row}"
        );
    }
}

#[test]
fn an_empty_paper_tray_says_out_of_paper() {
    for route in ROUTES {
        an_empty_paper_tray(route);
    }
}

fn an_empty_paper_tray(route: Route) {
    let p = Target::start(route, Behaviour::OutOfPaper, "na_index-4x6_4x6in", FORMATS);
    let cwd = TempDir::new().unwrap();
    let run = compose_and_print(&p.uri, &[], cwd.path());
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(run.status.code(), Some(4), "{route:?}: {err}\n{}", p.log());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("out of paper"), "{route:?}: {err}");
    let r = report(&run);
    assert_eq!(r["print"]["error_code"], "out_of_paper", "{route:?}");
    assert_eq!(r["print"]["printed"], false);

    // Now the printer reports media-empty up front. Direct: nothing more is
    // sent. Through CUPS the queue's reason may be stale (it is refreshed
    // only while a job runs), so the job goes and the printer answers again.
    let before = p.received().len();
    let again = compose_and_print(&p.uri, &[], cwd.path());
    assert_eq!(again.status.code(), Some(4), "{route:?}");
    assert_eq!(
        report(&again)["print"]["error_code"],
        "out_of_paper",
        "{route:?}"
    );
    if route == Route::Direct {
        assert_eq!(p.received().len(), before);
    }
}

#[test]
fn the_wrong_paper_loaded_is_named() {
    let p = Target::start(
        Route::Direct,
        Behaviour::Prints,
        "jpn_hagaki_100x148mm",
        FORMATS,
    );
    let cwd = TempDir::new().unwrap();
    let run = compose_and_print(&p.uri, &[], cwd.path());
    assert_eq!(run.status.code(), Some(4));
    let r = report(&run);
    assert_eq!(r["print"]["error_code"], "wrong_media");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("na_index-4x6_4x6in") && err.contains("jpn_hagaki_100x148mm"),
        "{err}"
    );
    assert!(p.received().is_empty());
}

#[test]
fn an_unreachable_printer_is_offline() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cwd = TempDir::new().unwrap();
    let run = compose_and_print(
        &format!("ipp://127.0.0.1:{port}/ipp/print"),
        &[],
        cwd.path(),
    );
    assert_eq!(run.status.code(), Some(4));
    assert_eq!(report(&run)["print"]["error_code"], "printer_offline");
    assert!(String::from_utf8_lossy(&run.stderr).contains("offline or unreachable"));
}

#[test]
fn a_printer_without_jpeg_gets_a_pdf_of_the_paper_size() {
    let p = Target::start(
        Route::Direct,
        Behaviour::Prints,
        "na_index-4x6_4x6in",
        "application/pdf",
    );
    let cwd = TempDir::new().unwrap();
    let run = compose_and_print(&p.uri, &[], cwd.path());
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(report(&run)["print"]["format"], "application/pdf");
    let bytes = std::fs::read(&p.received()[0]).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("/MediaBox [0 0 288.000 432.000]")
            && text.contains("/Width 1200 /Height 1800")
    );
}

#[test]
fn a_job_that_takes_too_long_is_canceled() {
    let p = Target::start(
        Route::Direct,
        Behaviour::Slow(30),
        "na_index-4x6_4x6in",
        FORMATS,
    );
    let cwd = TempDir::new().unwrap();
    let run = compose_and_print(&p.uri, &["--timeout", "1"], cwd.path());
    assert_eq!(run.status.code(), Some(4));
    assert_eq!(report(&run)["print"]["error_code"], "timeout");
    // Canceled, or (the script still running) stopping at the next point.
    let (state, reasons) = IppPrinter::new(&p.uri).unwrap().job_state(1).unwrap();
    let stopping = reasons.iter().any(|r| r == "processing-to-stop-point");
    assert!(
        state == 7 || stopping,
        "job 1 not canceled: state {state}, {reasons:?}"
    );
}

#[test]
fn a_rejected_photo_is_not_printed() {
    for route in ROUTES {
        a_rejected_photo(route);
    }
}

fn a_rejected_photo(route: Route) {
    let p = Target::start(route, Behaviour::Prints, "na_index-4x6_4x6in", FORMATS);
    let input = repo("tests/fixtures/astronaut.png");
    let run = passbooth(&[
        "compose",
        input.to_str().unwrap(),
        "--spec",
        "uk-passport",
        "--sheet",
        "4x6",
        "--print",
        &p.uri,
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(3));
    assert_eq!(report(&run)["print"]["error_code"], "rejected");
    assert!(p.received().is_empty());
}

#[test]
fn print_lays_out_a_photo_and_sends_a_sheet_as_it_is() {
    for route in ROUTES {
        print_lays_out(route);
    }
}

/// Without --media: the paper the printer reports loaded, or through CUPS
/// (whose media-ready is a guess) the queue's default paper.
fn print_lays_out(route: Route) {
    let p = Target::start(route, Behaviour::Prints, "na_index-4x6_4x6in", FORMATS);
    let dir = TempDir::new().unwrap();
    let photo = composed(dir.path(), "photo.jpg", &[]);
    let sheet = composed(dir.path(), "sheet.jpg", &["--sheet", "4x6"]);
    for file in [&photo, &sheet] {
        let run = passbooth(&["print", file.to_str().unwrap(), "--printer", &p.uri]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{route:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let docs = p.received();
    assert_eq!(docs.len(), 2);
    for d in &docs {
        let s = decode_file(d).unwrap();
        assert_eq!((s.width(), s.height()), (1200, 1800));
    }
    // The photo was laid out six times; the sheet went as it was.
    let out = String::from_utf8_lossy(
        &passbooth(&["print", photo.to_str().unwrap(), "--printer", &p.uri]).stdout,
    )
    .to_string();
    assert!(out.contains("6 on the sheet"), "{out}");
}
