//! `passbooth doctor` against real parts: an IPP printer on loopback, the
//! real models and specs, and device paths that do not exist on this machine
//! (no SPI or GPIO here), which it must name.

use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};

fn doctor(config: &str) -> (Option<i32>, Vec<String>) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("passbooth.toml");
    std::fs::write(&path, config).unwrap();
    let out = passbooth(&["doctor", "--config", path.to_str().unwrap()]);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (out.status.code(), lines)
}

fn line<'a>(lines: &'a [String], start: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting '{start}' in {lines:#?}"))
}

#[test]
fn a_ready_printer_with_its_paper_passes_and_missing_hardware_is_named() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let config = format!(
        r#"spec = "us-passport"
[printer]
uri = "{}"
media = "4x6"
[display]
driver = "st7789"
width = 240
height = 320
spi = "/dev/spidev9.9"
dc = {{ chip = "/dev/gpiochip9", line = 25 }}
[button]
chip = "/dev/gpiochip9"
line = 17
"#,
        p.uri
    );
    let (code, lines) = doctor(&config);
    assert_eq!(code, Some(1), "{lines:#?}");
    let models = line(&lines, "ok   models");
    assert!(
        models.contains("loaded in")
            && models.contains("live detector face_detection_short_range")
            && models.contains("face_detection_short_range_int8.tflite "),
        "{models}"
    );
    assert!(line(&lines, "ok   specs").contains("11 specs"));
    let printer = line(&lines, "ok   printer");
    assert!(
        printer.contains("paper na_index-4x6_4x6in loaded") && printer.contains("image/jpeg"),
        "{printer}"
    );
    assert!(line(&lines, "FAIL display").contains("/dev/spidev9.9: No such file"));
    assert!(line(&lines, "FAIL button").contains("/dev/gpiochip9 line 17"));
    assert_eq!(lines.last().map(String::as_str), Some("3 problem(s) found"));
}

#[test]
fn wrong_paper_and_an_unreachable_printer_fail_with_their_codes() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let a4 = format!(
        "spec = \"us-passport\"\n[printer]\nuri = \"{}\"\nmedia = \"a4\"\n",
        p.uri
    );
    let (code, lines) = doctor(&a4);
    assert_eq!(code, Some(1));
    let printer = line(&lines, "FAIL printer");
    assert!(
        printer.contains("load iso_a4_210x297mm") && printer.ends_with("[wrong_media]"),
        "{printer}"
    );
    let gone = "spec = \"us-passport\"\n[printer]\nuri = \"ipp://127.0.0.1:9/ipp/print\"\nmedia = \"4x6\"\n";
    let (code, lines) = doctor(gone);
    assert_eq!(code, Some(1));
    assert!(
        line(&lines, "FAIL printer").contains("[printer_offline]"),
        "{lines:#?}"
    );
}

#[test]
fn a_malformed_config_is_one_failure_with_its_line() {
    let (code, lines) = doctor("spec = \"us-passport\"\n[printer\n");
    assert_eq!(code, Some(1));
    let config = line(&lines, "FAIL config");
    assert!(config.contains("passbooth.toml"), "{config}");
}

#[test]
fn the_voice_line_names_missing_recordings_and_the_languages_it_has() {
    let empty = TempDir::new().unwrap();
    let config = |dir: &std::path::Path| {
        format!(
            "spec = \"us-passport\"\nlanguages = [\"de\", \"uk\"]\n[printer]\nfolder = \"/tmp\"\nmedia = \"4x6\"\n[voice]\ndir = \"{}\"\n",
            dir.display()
        )
    };
    // Every phrase (prompts and reasons) in both languages.
    let phrases = 2 * passbooth::session::announcer::Phrase::all().count();
    let (_, lines) = doctor(&config(empty.path()));
    let voice = line(&lines, "warn voice");
    assert!(
        voice.contains(&format!("{phrases} recording(s) missing"))
            && voice.contains("de-step_in.wav"),
        "{voice}"
    );
    let Ok(render) = std::process::Command::new("espeak-ng")
        .arg("--version")
        .output()
    else {
        missing_input("espeak-ng (Debian package espeak-ng)");
        return;
    };
    assert!(render.status.success());
    let voices = TempDir::new().unwrap();
    let out = passbooth(&[
        "voice",
        "render",
        "--lang",
        "de,uk",
        "--out",
        voices.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (_, lines) = doctor(&config(voices.path()));
    let voice = line(&lines, "ok   voice");
    assert!(
        voice.contains(&format!("{phrases} phrases")) && voice.contains("de, uk"),
        "{voice}"
    );
}

#[test]
fn the_phone_line_says_whether_the_booth_can_listen_where_the_config_says() {
    let config = |listen: &str| {
        format!(
            "spec = \"us-passport\"\n[printer]\nfolder = \"/tmp\"\nmedia = \"4x6\"\n\
             [phone]\nprofile = \"us-passport-online\"\nlisten = \"{listen}\"\n"
        )
    };
    // An address this machine does not have (TEST-NET-3): `run` would
    // fail with "cannot listen ... os error 99".
    let (code, lines) = doctor(&config("203.0.113.7:8080"));
    assert_eq!(code, Some(1), "{lines:#?}");
    let phone = line(&lines, "FAIL phone");
    assert!(
        phone.contains("203.0.113.7:8080") && phone.contains("access point"),
        "{phone}"
    );
    // A port in use: said, not failed (it may be the running booth).
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (_, lines) = doctor(&config(&taken.local_addr().unwrap().to_string()));
    assert!(line(&lines, "warn phone").contains("in use"));
    drop(taken);
    let port = crate::residue::free_port();
    let (_, lines) = doctor(&config(&format!("127.0.0.1:{port}")));
    assert!(line(&lines, "ok   phone").contains(&format!("http://127.0.0.1:{port}")));
}
