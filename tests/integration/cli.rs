//! The `passbooth` binary on the fixture and on images derived from it:
//! exit codes, the JSON report, the written photo's pixels, size and dpi.

use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::{recorded_dpi, write_file};
use passbooth::vision::{FaceDetector, Keypoint, Range};
use tempfile::TempDir;

use crate::common::*;

#[test]
fn astronaut_us_passport_is_accepted_with_exact_geometry() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.jpg");
    let run = compose(
        &repo("tests/fixtures/astronaut.png"),
        "us-passport",
        &out,
        &[],
    );
    let r = report(&run);
    assert_eq!(run.status.code(), Some(0), "{r}");
    assert_eq!(r["accepted"], true);
    assert_eq!(r["faces"], 1);
    assert_eq!(r["output"]["width_px"], 600);
    assert_eq!(r["output"]["height_px"], 600);
    assert_eq!(r["output"]["dpi"], 300);
    let head = check(&r, "head_height")["value"].as_f64().unwrap();
    let eyes = check(&r, "eye_line")["value"].as_f64().unwrap();
    assert!((25.0..=35.0).contains(&head), "head {head} mm");
    assert!((28.0..=35.0).contains(&eyes), "eyes {eyes} mm");

    // The file: 600 x 600, 300 dpi recorded.
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(recorded_dpi(&bytes), Some(300.0));
    let photo = decode_file(&out).unwrap();
    assert_eq!((photo.width(), photo.height()), (600, 600));

    // The eyes really are where the report says: detect them on the output.
    let mut det = FaceDetector::load(
        &repo("models/face_detection_full_range.tflite"),
        Range::Full,
    )
    .unwrap();
    let face = det.detect(&photo).unwrap()[0];
    let eye_y = (face.keypoint(Keypoint::LeftEye).y + face.keypoint(Keypoint::RightEye).y) / 2.0;
    let measured_mm = (600.0 - f64::from(eye_y)) / 600.0 * 50.8;
    assert!(
        (measured_mm - eyes).abs() < 1.5,
        "eye line on the photo {measured_mm} mm, report {eyes} mm"
    );
    let eye_x = (face.keypoint(Keypoint::LeftEye).x + face.keypoint(Keypoint::RightEye).x) / 2.0;
    assert!((eye_x - 300.0).abs() < 12.0, "eyes centred: {eye_x}");

    // The background was replaced by white: the top corners are white.
    assert_eq!(r["output"]["background_replaced"], true);
    for (x, y) in [(5, 5), (594, 5)] {
        let p = photo.get(x, y);
        assert!(p.iter().all(|&c| c >= 245), "corner {x},{y} = {p:?}");
    }
}

/// The whole shape of the JSON report: every key, every type, every list's
/// length. A key off this list, a list longer than its bound or a string
/// longer than a path fails, so no field can carry pixels.
///
/// Shapes: `"string"` (at most 200 bytes), `"text"` (a sentence, at most
/// 500), `"int"`, `"number"`, `"bool"`, `"point"` (two
/// numbers), `"reason"` (a code from README's list), a trailing `?` for
/// "or null"; `{...}` an object whose keys ending in `?` may be absent;
/// `[shape, max]` a list of at most `max` items.
const REPORT_SHAPE: &str = r#"{
  "input": "string", "spec": "string", "accepted": "bool", "reasons": ["reason", 20], "faces": "int",
  "checks": [{"name": "string", "reason": "reason", "passed": "bool",
              "value": "number?", "min": "number?", "max": "number?", "unit": "string"}, 40],
  "landmarks": {"left_eye": "point", "right_eye": "point", "chin": "point", "crown": "point",
                "crown_source": "string"},
  "crop": {"center": "point", "width": "number", "height": "number", "angle_deg": "number"},
  "output": {"path": "string?", "width_px": "int", "height_px": "int", "dpi": "int",
             "background_replaced": "bool", "padded": "bool"},
  "sheet?": {"media": "string", "photos": "int", "width_px": "int", "height_px": "int", "path": "string?"},
  "print?": {"printer": "string", "printed": "bool", "job_id": "int?", "format": "string?",
             "error_code": "string?", "error": "text?"},
  "digital?": {"profile": "string", "path": "string?", "width_px": "int", "height_px": "int",
               "bytes": "int", "quality": "int", "passed": "bool",
               "checks": [{"name": "string", "reason": "reason", "passed": "bool",
                           "value": "number?", "min": "number?", "max": "number?", "unit": "string"}, 20]},
  "timings_ms": {"decode": "number", "detect": "number", "landmarks": "number", "segment": "number",
                 "compose": "number"}
}"#;

/// The reason codes README lists for the report.
fn readme_reasons() -> Vec<String> {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let list = readme
        .split("- Reason codes:")
        .nth(1)
        .and_then(|r| r.split("Every threshold").next())
        .expect("README lists the reason codes");
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Where `v` departs from `shape` (empty when it conforms).
fn departures(
    v: &serde_json::Value,
    shape: &serde_json::Value,
    at: &str,
    reasons: &[String],
) -> Vec<String> {
    use serde_json::Value;
    let mut out = Vec::new();
    match shape {
        Value::String(kind) => {
            let (kind, nullable) = match kind.strip_suffix('?') {
                Some(k) => (k, true),
                None => (kind.as_str(), false),
            };
            let ok = match (kind, v) {
                (_, Value::Null) => nullable,
                ("string", Value::String(s)) => s.len() <= 200,
                ("text", Value::String(s)) => s.len() <= 500,
                ("reason", Value::String(s)) => reasons.contains(s),
                ("int", n) => n.is_u64() || n.is_i64(),
                ("number", n) => n.is_number(),
                ("bool", b) => b.is_boolean(),
                ("point", Value::Array(p)) => p.len() == 2 && p.iter().all(Value::is_number),
                _ => false,
            };
            if !ok {
                out.push(format!("{at}: {v} is not {kind}"));
            }
        }
        Value::Array(spec) => {
            let (item, max) = (&spec[0], spec[1].as_u64().unwrap() as usize);
            match v.as_array() {
                Some(items) if items.len() <= max => {
                    for (i, x) in items.iter().enumerate() {
                        out.extend(departures(x, item, &format!("{at}[{i}]"), reasons));
                    }
                }
                _ => out.push(format!("{at}: not a list of at most {max}")),
            }
        }
        Value::Object(fields) => {
            let Some(obj) = v.as_object() else {
                return vec![format!("{at}: not an object")];
            };
            for key in obj.keys() {
                if !fields.contains_key(key) && !fields.contains_key(&format!("{key}?")) {
                    out.push(format!("{at}.{key}: not in the report's shape"));
                }
            }
            for (key, s) in fields {
                let (name, optional) = match key.strip_suffix('?') {
                    Some(n) => (n, true),
                    None => (key.as_str(), false),
                };
                match obj.get(name) {
                    Some(x) => out.extend(departures(x, s, &format!("{at}.{name}"), reasons)),
                    None if optional => {}
                    None => out.push(format!("{at}.{name}: missing")),
                }
            }
        }
        _ => out.push(format!("{at}: bad shape")),
    }
    out
}

#[test]
fn report_keeps_the_documented_shape() {
    let shape: serde_json::Value = serde_json::from_str(REPORT_SHAPE).unwrap();
    let reasons = readme_reasons();
    assert!(reasons.len() >= 15, "{reasons:?}");
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.jpg");
    let fixture = repo("tests/fixtures/astronaut.png");
    let fixture = fixture.to_str().unwrap();
    let out = out.to_str().unwrap();
    let runs: [&[&str]; 5] = [
        &["check", fixture, "--spec", "us-passport", "--json"],
        &[
            "compose",
            fixture,
            "--spec",
            "us-passport",
            "--json",
            "-o",
            out,
        ],
        &[
            "compose",
            fixture,
            "--spec",
            "us-passport",
            "--json",
            "-o",
            out,
            "--digital",
            "us-passport-online",
        ],
        &[
            "compose",
            fixture,
            "--spec",
            "us-passport",
            "--json",
            "-o",
            out,
            "--sheet",
            "4x6",
        ],
        // A printer that is not there: the print section with its error.
        &[
            "compose",
            fixture,
            "--spec",
            "us-passport",
            "--json",
            "--sheet",
            "4x6",
            "--print",
            "ipp://127.0.0.1:9/ipp/print",
            "--timeout",
            "2",
        ],
    ];
    let mut sections = std::collections::BTreeSet::new();
    for args in runs {
        let r = report(&passbooth(args));
        sections.extend(r.as_object().unwrap().keys().cloned());
        let off = departures(&r, &shape, "report", &reasons);
        assert!(off.is_empty(), "{args:?}:\n{}", off.join("\n"));
        // The subject's left eye is on the image's right.
        assert!(r["landmarks"]["left_eye"][0].as_f64() > r["landmarks"]["right_eye"][0].as_f64());
        // The crown is above the eyes, the chin below.
        let crown_y = r["landmarks"]["crown"][1].as_f64().unwrap();
        let chin_y = r["landmarks"]["chin"][1].as_f64().unwrap();
        let eye_y = r["landmarks"]["left_eye"][1].as_f64().unwrap();
        assert!(crown_y < eye_y && eye_y < chin_y);
        assert_eq!(r["landmarks"]["crown_source"], "mask");
        // check writes nothing
        if args[0] == "check" {
            assert!(r["output"]["path"].is_null());
        }
    }
    for optional in ["sheet", "print", "digital"] {
        assert!(sections.contains(optional), "no run showed {optional}");
    }
    // The shape check itself catches what it is for: a pixel list, a key
    // off the list, an unknown reason.
    let mut r = report(&passbooth(runs[1]));
    r["landmarks"]["mesh"] = serde_json::json!(vec![[1.0, 2.0]; 468]);
    r["crop"]["center"] = serde_json::json!([1.0, 2.0, 3.0]);
    r["reasons"] = serde_json::json!(["pixels"]);
    assert_eq!(departures(&r, &shape, "report", &reasons).len(), 3);
}

#[test]
fn six_hundred_dpi_doubles_the_pixels() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.png");
    let run = compose(
        &repo("tests/fixtures/astronaut.png"),
        "us-passport",
        &out,
        &["--dpi", "600"],
    );
    let r = report(&run);
    assert_eq!(r["output"]["width_px"], 1200);
    let dpi = recorded_dpi(&std::fs::read(&out).unwrap()).unwrap();
    assert!((dpi - 600.0).abs() < 0.1);
}

#[test]
fn two_faces_are_rejected_and_no_photo_is_written() {
    let dir = TempDir::new().unwrap();
    let input = save(dir.path(), "two.png", &side_by_side(&astronaut()));
    let out = dir.path().join("out.jpg");
    let run = compose(&input, "us-passport", &out, &[]);
    let r = report(&run);
    assert_eq!(run.status.code(), Some(3));
    assert_eq!(reasons(&r), ["multiple_faces"]);
    assert_eq!(r["faces"], 2);
    assert!(!out.exists());
}

#[test]
fn no_face_is_rejected() {
    let dir = TempDir::new().unwrap();
    let input = save(dir.path(), "suit.png", &no_face(&astronaut()));
    let run = passbooth(&[
        "check",
        input.to_str().unwrap(),
        "--spec",
        "us-passport",
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(3));
    assert_eq!(reasons(&report(&run)), ["no_face"]);
}

#[test]
fn a_tilted_portrait_is_levelled() {
    let dir = TempDir::new().unwrap();
    let input = save(dir.path(), "tilted.png", &rotated(&astronaut(), 15.0));
    let out = dir.path().join("out.jpg");
    let straight = check_report(&repo("tests/fixtures/astronaut.png"), "us-passport");
    let run = compose(&input, "us-passport", &out, &[]);
    let r = report(&run);
    assert_eq!(run.status.code(), Some(0), "{r}");
    let a0 = straight["crop"]["angle_deg"].as_f64().unwrap();
    let a = r["crop"]["angle_deg"].as_f64().unwrap();
    assert!((a - a0 - 15.0).abs() < 1.5, "angle {a} vs upright {a0}");
    assert!(check(&r, "roll")["value"].as_f64().unwrap().abs() < 1.0);
    let head = check(&r, "head_height")["value"].as_f64().unwrap();
    assert!((25.4..=34.9).contains(&head));
}

#[test]
fn a_shrunk_portrait_is_too_low_in_resolution() {
    let dir = TempDir::new().unwrap();
    let input = save(dir.path(), "small.png", &shrunk(&astronaut(), 4));
    let r = check_report(&input, "us-passport");
    assert!(reasons(&r).contains(&"low_resolution".to_string()), "{r}");
    assert!(check(&r, "resolution")["value"].as_f64().unwrap() < 40.0);
}

#[test]
fn a_darkened_portrait_is_too_dark() {
    let dir = TempDir::new().unwrap();
    let input = save(dir.path(), "dark.png", &darkened(&astronaut(), 0.08));
    let r = check_report(&input, "us-passport");
    assert!(reasons(&r).contains(&"too_dark".to_string()), "{r}");
}

#[test]
fn a_spec_without_edits_neither_pads_nor_replaces() {
    // The UK wants unaltered photos: the astronaut's crop reaches past the
    // top of the picture, which only padding could fix, and she smiles.
    let r = check_report(&repo("tests/fixtures/astronaut.png"), "uk-passport");
    assert_eq!(r["output"]["background_replaced"], false);
    assert_eq!(r["output"]["padded"], false);
    assert_eq!(reasons(&r), ["expression", "insufficient_margin"], "{r}");
    assert!(check(&r, "margin")["value"].as_f64().unwrap() > 0.5);
    assert_eq!(r["output"]["width_px"], 413);
    assert_eq!(r["output"]["height_px"], 531);
}

#[test]
fn replacing_where_a_spec_forbids_it_is_a_usage_error() {
    let run = passbooth(&[
        "check",
        repo("tests/fixtures/astronaut.png").to_str().unwrap(),
        "--spec",
        "uk-passport",
        "--background",
        "replace",
    ]);
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("uk-passport"), "{err}");
}

/// Every kind of bad input: exit 1, exactly one line on stderr, no panic.
#[test]
fn bad_inputs_give_one_clear_line() {
    let dir = TempDir::new().unwrap();
    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "this is not a photo").unwrap();
    let png = std::fs::read(repo("tests/fixtures/astronaut.png")).unwrap();
    let truncated = dir.path().join("cut.png");
    std::fs::write(&truncated, &png[..png.len() / 3]).unwrap();
    let empty = dir.path().join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    // A PNG header claiming 0 x 0 and one claiming 100000 x 100000 pixels.
    let header = |w: u32, h: u32| {
        let mut b = png[..8].to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        b.extend_from_slice(&13u32.to_be_bytes());
        let crc = crc32(&ihdr);
        b.extend_from_slice(&ihdr);
        b.extend_from_slice(&crc.to_be_bytes());
        b
    };
    let zero = dir.path().join("zero.png");
    std::fs::write(&zero, header(0, 0)).unwrap();
    let huge = dir.path().join("huge.png");
    std::fs::write(&huge, header(100_000, 100_000)).unwrap();
    let fixture = repo("tests/fixtures/astronaut.png");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", "/nonexistent/me.jpg", "--spec", "us-passport"],
            "/nonexistent/me.jpg",
        ),
        (
            vec!["check", text.to_str().unwrap(), "--spec", "us-passport"],
            "not a photo file passbooth reads",
        ),
        (
            vec![
                "check",
                truncated.to_str().unwrap(),
                "--spec",
                "us-passport",
            ],
            "corrupt or truncated",
        ),
        (
            vec!["check", empty.to_str().unwrap(), "--spec", "us-passport"],
            "not a photo file passbooth reads",
        ),
        (
            vec!["check", zero.to_str().unwrap(), "--spec", "us-passport"],
            "zero.png",
        ),
        (
            vec!["check", huge.to_str().unwrap(), "--spec", "us-passport"],
            // the path, then the real limits (no invented size)
            "huge.png: the image is too large to be a photo (at most 20000 px a side",
        ),
        (
            vec![
                "check",
                dir.path().to_str().unwrap(),
                "--spec",
                "us-passport",
            ],
            "directory",
        ),
        (
            vec![
                "check",
                fixture.to_str().unwrap(),
                "--spec",
                "narnia-passport",
            ],
            "unknown spec 'narnia-passport'",
        ),
        (
            vec![
                "compose",
                fixture.to_str().unwrap(),
                "--spec",
                "us-passport",
                "-o",
                "/tmp/x.gif",
            ],
            ".jpg, .jpeg or .png",
        ),
        (
            vec![
                "compose",
                fixture.to_str().unwrap(),
                "--spec",
                "us-passport",
                "-o",
                "/nonexistent/dir/x.jpg",
            ],
            "/nonexistent/dir/x.jpg",
        ),
        (
            vec![
                "check",
                fixture.to_str().unwrap(),
                "--spec",
                "us-passport",
                "--dpi",
                "5",
            ],
            "--dpi",
        ),
        (vec!["check"], "--spec"),
    ];
    for (args, expect) in cases {
        let run = passbooth(&args);
        let err = String::from_utf8_lossy(&run.stderr).to_string();
        assert_eq!(run.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(expect),
            "{args:?}: expected '{expect}' in: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        if !args.contains(&"--dpi") && args.len() > 1 {
            assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        }
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn specs_lists_every_document_and_shows_one() {
    let run = passbooth(&["specs"]);
    assert_eq!(run.status.code(), Some(0));
    let list = String::from_utf8_lossy(&run.stdout);
    for id in ["us-passport", "de-passport", "icao", "china-passport"] {
        assert!(list.contains(id), "{list}");
    }
    assert!(list.contains("printed photos not accepted"));
    let one = passbooth(&["specs", "de-passport"]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(
        text.contains("NOT accepted") && text.contains("35 x 45 mm"),
        "{text}"
    );
    let json = passbooth(&["specs", "us-passport", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["head_mm"]["min"], 25.4);
}

#[test]
fn a_malformed_spec_folder_is_reported_with_file_and_field() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(repo("specs/us-passport.toml")).unwrap();
    std::fs::write(
        dir.path().join("us-passport.toml"),
        text.replace("dpi = 300", "dpi = 7"),
    )
    .unwrap();
    let run = passbooth(&["specs", "--specs", dir.path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("us-passport.toml") && err.contains("dpi"),
        "{err}"
    );
}

#[test]
fn a_blurred_portrait_is_blurry() {
    let dir = TempDir::new().unwrap();
    let input = save(dir.path(), "blur.png", &blurred(&astronaut(), 3));
    let r = check_report(&input, "us-passport");
    println!("blurred sharpness {}", check(&r, "sharpness")["value"]);
    assert!(reasons(&r).contains(&"blurry".to_string()), "{r}");
    // resolution is unchanged: only sharpness may fail for it
    assert!(check(&r, "resolution")["passed"].as_bool().unwrap());
}

#[test]
fn dark_glasses_hide_the_eyes() {
    let dir = TempDir::new().unwrap();
    let src = astronaut();
    let plain = check_report(&repo("tests/fixtures/astronaut.png"), "us-passport");
    let eye = |k: &str| {
        [
            plain["landmarks"][k][0].as_f64().unwrap() as f32,
            plain["landmarks"][k][1].as_f64().unwrap() as f32,
        ]
    };
    let input = save(
        dir.path(),
        "shades.png",
        &with_sunglasses(&src, [eye("left_eye"), eye("right_eye")], 12.0),
    );
    let r = check_report(&input, "us-passport");
    println!(
        "dark glasses eyes_visible {} eyes_open {}",
        check(&r, "eyes_visible")["value"],
        check(&r, "eyes_open")["value"]
    );
    assert!(reasons(&r).contains(&"eyes_not_visible".to_string()), "{r}");
    assert!(check(&plain, "eyes_visible")["passed"].as_bool().unwrap());
}

#[test]
fn check_writes_no_file_and_compose_only_its_output() {
    let cwd = TempDir::new().unwrap();
    let tmp = TempDir::new().unwrap();
    let input = repo("tests/fixtures/astronaut.png");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"))
            .args(args)
            .current_dir(cwd.path())
            .env("TMPDIR", tmp.path())
            .env("HOME", tmp.path())
            .output()
            .unwrap()
    };
    assert_eq!(
        run(&["check", input.to_str().unwrap(), "--spec", "us-passport"])
            .status
            .code(),
        Some(0)
    );
    assert!(files_in(cwd.path()).is_empty() && files_in(tmp.path()).is_empty());
    assert_eq!(
        run(&[
            "compose",
            input.to_str().unwrap(),
            "--spec",
            "us-passport",
            "-o",
            "photo.jpg"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(files_in(cwd.path()), [cwd.path().join("photo.jpg")]);
    assert!(files_in(tmp.path()).is_empty());
}

#[test]
fn run_validates_the_operators_config_first() {
    let good = repo("config/st7789-240x320.toml");
    let run = passbooth(&["run", "--config", good.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(run.status.code(), Some(1));
    // A valid config gets as far as the hardware: the camera where this
    // build has none, else the screen (no SPI device on this machine).
    let want = if cfg!(feature = "libcamera") {
        "display /dev/spidev0.0: No such file"
    } else {
        "built without the libcamera feature: use --simulate"
    };
    assert!(err.contains(want), "{err}");
    let dir = TempDir::new().unwrap();
    let bad = dir.path().join("passbooth.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&good)
            .unwrap()
            .replace("driver = \"st7789\"", "driver = \"ssd1306\""),
    )
    .unwrap();
    let run = passbooth(&["run", "--config", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(run.status.code(), Some(1));
    assert!(
        err.contains("passbooth.toml")
            && err.contains("ssd1306")
            && err.trim_end().lines().count() == 1,
        "{err}"
    );
}

#[test]
fn a_jpeg_portrait_cut_short_is_an_input_error_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let whole = dir.path().join("whole.jpg");
    write_file(&astronaut(), &whole, 300).unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let accepted = passbooth(&["check", whole.to_str().unwrap(), "--spec", "us-passport"]);
    assert_eq!(accepted.status.code(), Some(0), "the whole file passes");
    for (name, keep) in [("quarter", bytes.len() / 4), ("most", bytes.len() * 9 / 10)] {
        let cut = dir.path().join(format!("{name}.jpg"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        let out = dir.path().join(format!("{name}-out.jpg"));
        let run = passbooth(&[
            "compose",
            cut.to_str().unwrap(),
            "--spec",
            "us-passport",
            "-o",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("corrupt or truncated"), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(!out.exists(), "{name}: no photo from a damaged file");
    }
}

#[test]
fn a_png_bomb_is_refused_within_a_memory_limit() {
    // qemu-user reserves the guest's address space itself.
    if emulated("an address-space limit") {
        return;
    }
    let dir = TempDir::new().unwrap();
    // 19000 x 19000 RGBA16 (2.7 GB decoded) in a few dozen bytes.
    let bomb = dir.path().join("bomb.png");
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, 19_000, 19_000);
    enc.set_depth(png::BitDepth::Sixteen);
    enc.set_color(png::ColorType::Rgba);
    let mut w = enc.write_header().unwrap();
    w.write_chunk(png::chunk::IDAT, &[0x78, 0x9c, 0x03, 0, 0, 0, 0, 1])
        .unwrap();
    drop(w);
    std::fs::write(&bomb, &bytes).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"));
    cmd.args(["check", bomb.to_str().unwrap(), "--spec", "us-passport"]);
    let run = with_address_limit(cmd, 1536 << 20).output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("too large to be a photo"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn every_subcommand_reports_a_full_stdout_in_one_line() {
    let dir = TempDir::new().unwrap();
    let fixture = repo("tests/fixtures/astronaut.png");
    let f = fixture.to_str().unwrap();
    let photo = dir.path().join("photo.jpg");
    let p = photo.to_str().unwrap();
    let sheet = dir.path().join("sheet.jpg");
    write_file(&astronaut(), &sheet, 300).unwrap();
    let printer = crate::printer::TestPrinter::start(
        crate::printer::Behaviour::Prints,
        "na_index-4x6_4x6in",
        "image/jpeg",
    );
    let demo = dir.path().join("demo");
    let sim = repo("config/simulate.toml");
    let with_stats = dir.path().join("booth.toml");
    let config = std::fs::read_to_string(&sim).unwrap();
    let stats_line = format!("stats = {:?}\n", dir.path().join("stats.json"));
    std::fs::write(&with_stats, stats_line + &config).unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", f, "--spec", "us-passport"],
        vec!["check", f, "--spec", "us-passport", "--json"],
        vec!["compose", f, "--spec", "us-passport", "-o", p],
        vec!["compose", f, "--spec", "us-passport", "-o", p, "--json"],
        vec!["specs"],
        vec!["specs", "--json"],
        vec!["specs", "us-passport"],
        vec!["stats", "--config", with_stats.to_str().unwrap()],
        vec!["doctor", "--config", sim.to_str().unwrap()],
        vec!["demo", "--out", demo.to_str().unwrap()],
        vec![
            "print",
            f,
            "--printer",
            &printer.uri,
            "--media",
            "na_index-4x6_4x6in",
        ],
        vec!["--help"],
        vec!["--version"],
    ];
    for args in cases {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"))
            .args(&args)
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        let last = err.trim_end().lines().last().unwrap_or("");
        assert_eq!(run.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(
            last, "passbooth: cannot write the output: No space left on device (os error 28)",
            "{args:?}: {err}"
        );
    }
}

#[test]
fn bench_measures_the_live_and_still_paths_and_names_the_live_detector() {
    let run = passbooth(&["bench", "--quick", "--json"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let names: Vec<&str> = r["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert!(m["median_ms"].as_f64().unwrap() > 0.0, "{m}");
            assert!(m["runs"].as_u64().unwrap() >= 1, "{m}");
            m["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "live_nv12_to_rgb_640x480",
            "live_detect_int8",
            "live_detect_float",
            "live_guide_and_framebuffer_240x320",
            "load_models",
            "still_nv12_to_rgb_4608x2592",
            "still_compose_12mp",
            "still_compose_12mp_from_nv12",
            "still_sheet_4x6_and_jpeg",
        ]
    );
    let detector = r["live_detector"].as_str().unwrap();
    assert!(
        detector.starts_with("face_detection_short_range")
            && detector.contains("face_detection_short_range_int8.tflite ")
            && detector.contains("face_detection_short_range.tflite "),
        "{detector}"
    );
    let ms = |name: &str| {
        r["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["median_ms"]
            .as_f64()
            .unwrap()
    };
    // One live frame is the conversion, the chosen detector and the screen.
    let chosen = if detector.starts_with("face_detection_short_range_int8") {
        ms("live_detect_int8")
    } else {
        ms("live_detect_float")
    };
    let frame = r["live_frame_ms"].as_f64().unwrap();
    let sum = ms("live_nv12_to_rgb_640x480") + chosen + ms("live_guide_and_framebuffer_240x320");
    assert!((frame - sum).abs() < 1e-9, "{frame} vs {sum}");
    assert!(!r["machine"].as_str().unwrap().is_empty());
}

#[cfg(not(feature = "libcamera"))]
#[test]
fn cameras_without_libcamera_says_which_build_has_it() {
    let out = passbooth(&["cameras"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        err.trim_end(),
        "passbooth: this passbooth is built without libcamera (the Pi package has it)"
    );
}
