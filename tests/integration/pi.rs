//! The booth on the emulated Pi (built by `scripts/pi` with the `libcamera`
//! feature, run under qemu-aarch64): the REAL libcamera source opens
//! libcamera's virtual camera, which plays the portrait `scripts/pi` put in
//! the root, and the sheet prints on an ippeveprinter on the host's loopback.

use passbooth::imaging::decode::decode_file;
use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};
use crate::simulate::{person_session, spawn};

#[test]
fn a_session_with_the_libcamera_virtual_camera_prints_a_sheet() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let dir = TempDir::new().unwrap();
    // libcamera 0.7's virtual camera labels its full-range frames Rec709:
    // read them as what they are, as an operator would for such a camera.
    let config = dir.path().join("booth.toml");
    std::fs::write(
        &config,
        format!(
            "spec = \"us-passport\"\n[printer]\nuri = \"{}\"\nmedia = \"4x6\"\n[camera]\ncolour = \"sycc\"\n",
            p.uri
        ),
    )
    .unwrap();
    let (mut child, rx) = spawn(
        &[
            "run",
            "--simulate",
            "--libcamera",
            "--config",
            config.to_str().unwrap(),
        ],
        dir.path(),
        &[("LIBCAMERA_LOG_LEVELS", "*:FATAL")],
    );
    let mut stdin = child.stdin.take().unwrap();
    // Pressed like a person: until the live guide, running on libcamera's
    // frames, goes green; then the review is confirmed.
    let log = person_session(&mut stdin, &rx);
    let camera = log
        .iter()
        .find(|l| l.starts_with("camera: "))
        .unwrap_or_else(|| panic!("no camera line in {log:?}"));
    assert!(
        camera.starts_with("camera: Passbooth virtual portrait: viewfinder 640x480 NV12")
            && camera.contains("still 1600x1200 NV12"),
        "{camera}"
    );
    assert!(child.wait().unwrap().success(), "{log:?}");
    for state in ["capture", "processing", "printing"] {
        assert!(log.contains(&format!("state={state}")), "{state}: {log:?}");
    }
    // The printer got one 4x6 sheet with six copies of the face the virtual
    // camera played.
    let docs = p.received();
    assert_eq!(docs.len(), 1);
    let sheet = decode_file(&docs[0]).unwrap();
    assert_eq!((sheet.width(), sheet.height()), (1200, 1800));
    assert_eq!(faces_on_sheet(&sheet), 6);
}

#[test]
fn doctor_lists_the_virtual_camera() {
    let out = passbooth(&[
        "doctor",
        "--config",
        repo("config/simulate.toml").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l
            .starts_with("ok   camera   Passbooth virtual portrait (Virtual0), libcamera v0.7")),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn cameras_shows_the_virtual_cameras_plan_and_records_its_offer() {
    let out = passbooth(&["cameras"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        "Passbooth virtual portrait: viewfinder 640x480 NV12, still 1600x1200 NV12",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
    // --json is the recorded description the stream plan's tests read.
    let out = passbooth(&["cameras", "--json"]);
    let recorded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/cameras/virtual-libcamera-0.7.1.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(recorded, fixture);
}

/// Under qemu-user a memory scan sees the emulator, so the camera's wipe is
/// checked on the source's own memory: the converted frame and every buffer
/// libcamera wrote into.
#[test]
fn the_libcamera_source_zeroes_its_frame_and_every_mapped_buffer_on_wipe() {
    use passbooth::capture::CameraSettings;
    use passbooth::capture::FrameSource;
    use passbooth::capture::libcamera::LibcameraSource;
    let mut camera = LibcameraSource::new(CameraSettings::default()).unwrap();
    camera.start().unwrap();
    for _ in 0..6 {
        camera.next_frame().unwrap();
    }
    drop(camera.still().unwrap());
    camera.stop();
    assert!(
        camera.residue() > 0,
        "the portrait is in the camera's memory"
    );
    camera.wipe();
    assert_eq!(camera.residue(), 0, "bytes left after the wipe");
    // The next session's camera works as before.
    camera.start().unwrap();
    assert!(camera.next_frame().is_ok());
    camera.stop();
}
