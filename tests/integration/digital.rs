//! `compose --digital`: a file for each online portal's upload, read back
//! and held to that portal's rules by this test itself (not only by the
//! report's checks): pixels, squareness, type, colour, metadata, size.

use passbooth::checks::digital::jpeg_header;
use passbooth::imaging::decode::decode_file;
use passbooth::spec::digital::{DigitalLibrary, Service};

use crate::common::*;

fn profiles() -> DigitalLibrary {
    DigitalLibrary::load_dir(&repo("specs/digital")).unwrap()
}

#[test]
fn every_portal_gets_a_file_that_meets_its_rules_at_300_and_600_dpi() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = repo("tests/fixtures/astronaut.png");
    let mut served = 0;
    for p in profiles().iter().filter(|p| p.service == Service::Served) {
        served += 1;
        for dpi in ["300", "600"] {
            let out = dir.path().join(format!("{}-{dpi}.jpg", p.id));
            let run = compose(
                &fixture,
                &p.specs[0],
                &out,
                &["--digital", &p.id, "--dpi", dpi],
            );
            let r = report(&run);
            // The astronaut smiles: some specs reject her (exit 3), but the
            // file is written all the same and is what is judged here.
            assert!(matches!(run.status.code(), Some(0 | 3)), "{}: {r}", p.id);
            let d = &r["digital"];
            assert_eq!(d["passed"], true, "{} at {dpi} dpi: {d}", p.id);
            let bytes = std::fs::read(&out).unwrap();
            let h = jpeg_header(&bytes).expect("a JPEG");
            let (w, ht) = h.size;
            println!(
                "{} at {dpi} dpi: {w} x {ht} px, {:.1} kB, quality {}",
                p.id,
                bytes.len() as f64 / 1000.0,
                d["quality"]
            );
            assert!(
                p.width_px.contains(w) && p.height_px.contains(ht),
                "{} {w}x{ht}",
                p.id
            );
            assert!(!p.square || w == ht, "{} not square", p.id);
            assert!(h.jfif && h.components == 3 && h.precision == 8, "{h:?}");
            assert_eq!(h.metadata_segments, 0, "{}: metadata left in", p.id);
            let (floor, cap) = p.file_kb.bytes();
            assert!(
                bytes.len() >= floor && cap.is_none_or(|c| bytes.len() <= c),
                "{} bytes",
                bytes.len()
            );
            if let Some(ratio) = p.max_compression_ratio {
                assert!((w * ht * 3) as f64 / bytes.len() as f64 <= ratio);
            }
            // The pixels are the photo's, whole: decodable at that size.
            let img = decode_file(&out).unwrap();
            assert_eq!((img.width(), img.height()), (w, ht));
            assert_eq!(d["bytes"], bytes.len());
        }
    }
    assert!(served >= 4, "{served} portals served");
}

fn refused(args: &[&str]) -> String {
    let run = passbooth(args);
    assert_eq!(run.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn a_portal_that_takes_no_booth_file_a_wrong_spec_and_a_png_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = repo("tests/fixtures/astronaut.png");
    let f = fixture.to_str().unwrap();
    let out = dir.path().join("x.jpg");
    let o = out.to_str().unwrap();
    let e = refused(&[
        "compose",
        f,
        "--spec",
        "de-passport",
        "--digital",
        "de-passport-online",
        "-o",
        o,
    ]);
    assert!(e.contains("certified photographer"), "{e}");
    let e = refused(&[
        "compose",
        f,
        "--spec",
        "uk-passport",
        "--digital",
        "us-ds160",
        "-o",
        o,
    ]);
    assert!(e.contains("is for us-visa, not uk-passport"), "{e}");
    let e = refused(&[
        "compose",
        f,
        "--spec",
        "us-visa",
        "--digital",
        "ds-160",
        "-o",
        o,
    ]);
    assert!(
        e.contains("unknown digital profile") && e.contains("us-ds160"),
        "{e}"
    );
    let png = dir.path().join("x.png");
    let e = refused(&[
        "compose",
        f,
        "--spec",
        "us-visa",
        "--digital",
        "us-ds160",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(e.contains("JPEG"), "{e}");
    assert!(!out.exists() && !png.exists(), "a refused run wrote a file");
}

#[test]
fn a_damaged_profile_file_names_itself_and_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(specs.join("digital")).unwrap();
    for e in std::fs::read_dir(repo("specs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, specs.join(p.file_name().unwrap())).unwrap();
        }
    }
    let text = std::fs::read_to_string(repo("specs/digital/us-ds160.toml")).unwrap();
    let bad = text.replace("file_kb = { max = 240 }", "file_kb = { max = -240 }");
    std::fs::write(specs.join("digital/us-ds160.toml"), bad).unwrap();
    let e = refused(&["specs", "--specs", specs.to_str().unwrap()]);
    assert!(e.contains("us-ds160.toml") && e.contains("file_kb"), "{e}");
}

#[test]
fn specs_lists_the_portals_and_describes_one() {
    let out = passbooth(&["specs"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "us-ds160",
        "uk-passport-online",
        "canada-immigration",
        "de-passport-online",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
    let one = passbooth(&["specs", "us-ds160"]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(
        text.contains("600-1200 px") && text.contains("240 kB") && text.contains("20:1"),
        "{text}"
    );
}
