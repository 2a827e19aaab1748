//! Shared helpers: paths, the fixture, and images derived from it at run
//! time (rotated, shrunk, darkened, doubled, faceless) so nothing but the
//! public-domain original is committed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::write_file;
use passbooth::imaging::warp::Crop;
use passbooth::vision::Point;

pub fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

pub fn astronaut() -> RgbImage {
    decode_file(&repo("tests/fixtures/astronaut.png")).expect("fixture")
}

/// `img` sampled through `crop` into `w` x `h` pixels, grey outside.
pub fn resample(img: &RgbImage, crop: Crop, w: u32, h: u32) -> RgbImage {
    passbooth::imaging::warp::resample(img, &crop, w, h, Some([90, 90, 90]))
}

/// `img` turned by `deg` degrees (positive: clockwise on screen) on a canvas
/// large enough to hold it, the corners filled with grey.
pub fn rotated(img: &RgbImage, deg: f32) -> RgbImage {
    let (crop, cw, ch) = turning(img.width(), img.height(), deg);
    resample(img, crop, cw, ch)
}

/// The crop that turns a `w` x `h` picture by `deg` (positive: clockwise on
/// screen) onto a canvas that holds it all, and the canvas's size. A point
/// of the picture lands at `crop.output_of(p, cw, ch)`.
pub fn turning(w: u32, h: u32, deg: f32) -> (Crop, u32, u32) {
    let a = deg.to_radians();
    let (w, h, c, s) = (w as f32, h as f32, a.cos().abs(), a.sin().abs());
    let (cw, ch) = ((w * c + h * s).ceil() as u32, (w * s + h * c).ceil() as u32);
    let crop = Crop {
        center: Point::new(w / 2.0, h / 2.0),
        width: cw as f32,
        height: ch as f32,
        angle: -a,
    };
    (crop, cw, ch)
}

/// A 640 x 480 viewfinder frame of the astronaut as a booth camera sees a
/// person: face about a third of the frame wide, moved by (dx, dy) pixels.
pub fn viewfinder(img: &RgbImage, dx: f32, dy: f32) -> RgbImage {
    let crop = Crop {
        center: Point::new(225.0 - dx / 2.0, 150.0 - dy / 2.0),
        width: 320.0,
        height: 240.0,
        angle: 0.0,
    };
    resample(img, crop, 640, 480)
}

/// The head and shoulders of the portrait, 300 x 300.
pub fn head(img: &RgbImage) -> RgbImage {
    let mut out = RgbImage::black(300, 300);
    for y in 0..300 {
        for x in 0..300 {
            out.put(x, y, img.get(x + 75, y));
        }
    }
    out
}

/// `img` scaled by `k` (box filter down).
pub fn shrunk(img: &RgbImage, factor: u32) -> RgbImage {
    img.box_downscale(factor)
}

/// `img` with every channel multiplied by `k` after a gamma of 2.2.
pub fn darkened(img: &RgbImage, k: f32) -> RgbImage {
    let mut out = RgbImage::black(img.width(), img.height());
    for (o, &i) in out.as_bytes_mut().iter_mut().zip(img.as_bytes()) {
        let lin = (f32::from(i) / 255.0).powf(2.2) * k;
        *o = (lin.powf(1.0 / 2.2) * 255.0).round() as u8;
    }
    out
}

/// Two copies of `img` side by side.
pub fn side_by_side(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    let mut out = RgbImage::black(w * 2, h);
    for y in 0..h {
        for x in 0..w {
            let p = img.get(x, y);
            out.put(x, y, p);
            out.put(x + w, y, p);
        }
    }
    out
}

/// The lower part of the portrait: suit and flag, no face.
pub fn no_face(img: &RgbImage) -> RgbImage {
    let top = img.height() * 11 / 20;
    let mut out = RgbImage::black(img.width(), img.height() - top);
    for y in 0..out.height() {
        for x in 0..img.width() {
            out.put(x, y, img.get(x, top + y));
        }
    }
    out
}

/// Writes `img` as PNG into `dir` and returns the path.
pub fn save(dir: &Path, name: &str, img: &RgbImage) -> PathBuf {
    let p = dir.join(name);
    write_file(img, &p, 72).expect("write derived image");
    p
}

/// Runs the passbooth binary.
pub fn passbooth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passbooth"))
        .args(args)
        .output()
        .expect("run passbooth")
}

/// `passbooth check FILE --spec SPEC --json`, parsed.
pub fn check_report(input: &Path, spec: &str) -> serde_json::Value {
    report(&passbooth(&[
        "check",
        input.to_str().expect("utf-8 path"),
        "--spec",
        spec,
        "--json",
    ]))
}

/// Parses the JSON report printed on stdout.
pub fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn reasons(r: &serde_json::Value) -> Vec<String> {
    r["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

pub fn check<'a>(r: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {r}"))
}

/// `img` blurred by a `radius`-pixel box filter applied twice (close to a
/// Gaussian).
pub fn blurred(img: &RgbImage, radius: i32) -> RgbImage {
    let pass = |src: &RgbImage, horizontal: bool| {
        let (w, h) = (src.width() as i32, src.height() as i32);
        let mut out = RgbImage::black(src.width(), src.height());
        for y in 0..h {
            for x in 0..w {
                let mut acc = [0u32; 3];
                for d in -radius..=radius {
                    let (sx, sy) = if horizontal {
                        ((x + d).clamp(0, w - 1), y)
                    } else {
                        (x, (y + d).clamp(0, h - 1))
                    };
                    let p = src.get(sx as u32, sy as u32);
                    for c in 0..3 {
                        acc[c] += u32::from(p[c]);
                    }
                }
                let n = (2 * radius + 1) as u32;
                out.put(x as u32, y as u32, acc.map(|a| (a / n) as u8));
            }
        }
        out
    };
    let once = pass(&pass(img, true), false);
    pass(&pass(&once, true), false)
}

/// `img` with opaque dark lenses over two eye centres, `r` pixels in radius.
pub fn with_sunglasses(img: &RgbImage, eyes: [[f32; 2]; 2], r: f32) -> RgbImage {
    let mut out = RgbImage::black(img.width(), img.height());
    out.as_bytes_mut().copy_from_slice(img.as_bytes());
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            // Lenses are a little wider than tall.
            if eyes
                .iter()
                .any(|e| ((px - e[0]) / 1.3).hypot(py - e[1]) < r)
            {
                out.put(x, y, [18, 20, 24]);
            }
        }
    }
    out
}

/// A wall-clock limit, stretched where everything runs slower: under
/// qemu-aarch64 (`scripts/pi test`) PASSBOOTH_TEST_PATIENCE is the factor.
pub fn patience(limit: std::time::Duration) -> std::time::Duration {
    let factor = std::env::var("PASSBOOTH_TEST_PATIENCE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    limit * factor.max(1)
}

/// Faces the full-range detector finds on a print sheet.
pub fn faces_on_sheet(sheet: &RgbImage) -> usize {
    let mut det = passbooth::vision::FaceDetector::load(
        &repo("models/face_detection_full_range.tflite"),
        passbooth::vision::Range::Full,
    )
    .expect("model");
    det.detect(sheet).expect("detect").len()
}

/// Records that the calling test did not run its checks here, and why: on
/// the terminal of any run, and (the harness still counts it as passed)
/// appended to the file
/// named by PASSBOOTH_SKIP_LOG, and `scripts/summarize-tests` moves it from
/// passed to skipped in the closing line.
pub fn skipped(reason: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_string();
    // Straight to the process's stderr, past libtest's capture (which only
    // takes the print macros), so a plain `cargo test` shows every skip.
    {
        use std::io::Write;
        let _ = std::io::stderr().write_all(format!("SKIPPED {test}: {reason}\n").as_bytes());
    }
    if let Some(log) = std::env::var_os("PASSBOOTH_SKIP_LOG") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("skip log");
        // One write of the whole line: with O_APPEND, tests skipping at the
        // same moment cannot interleave.
        f.write_all(format!("{test}\t{reason}\n").as_bytes())
            .expect("skip log");
    }
}

/// Whether CI is running the tests (`CI=true`): there, an input that should
/// be present and is not is a failure, not a skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// An input the test needs is missing: a skip on a developer's machine, a
/// failure under CI.
pub fn missing_input(what: &str) {
    assert!(
        !under_ci(),
        "{what} is missing; under CI a missing input is a failure, not a skip"
    );
    skipped(&format!("{what} is missing"));
}

/// Whether the tests run under qemu-user (`scripts/pi` sets
/// PASSBOOTH_EMULATED). Checks of what the kernel sees of a process (its
/// system calls, its resident size) then see the emulator, not the booth:
/// those run on the host, and are counted as skipped here.
pub fn emulated(what: &str) -> bool {
    let on = std::env::var_os("PASSBOOTH_EMULATED").is_some();
    if on {
        skipped(&format!(
            "under emulation the kernel sees qemu, not passbooth: {what} is checked on the host"
        ));
    }
    on
}

/// Files in a folder, recursively.
pub fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_in(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `cmd` limited to `bytes` of address space (the booth locks its memory,
/// so what it could allocate is what it would lock).
pub fn with_address_limit(mut cmd: Command, bytes: u64) -> Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit in the child before exec; no allocation there.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    cmd
}

/// `passbooth compose INPUT --spec SPEC -o OUT --json EXTRA...`.
pub fn compose(input: &Path, spec: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "compose",
        input.to_str().unwrap(),
        "--spec",
        spec,
        "-o",
        out.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    passbooth(&args)
}

/// The fixture composed for the US passport into `dir/name`, with `extra`.
pub fn composed(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let fixture = repo("tests/fixtures/astronaut.png");
    let mut args = vec![
        "compose",
        fixture.to_str().unwrap(),
        "--spec",
        "us-passport",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    assert_eq!(passbooth(&args).status.code(), Some(0));
    out
}

/// The shared development portraits (`../shared/faces` beside the
/// checkout, or $PASSBOOTH_FACES), when present.
pub fn faces_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PASSBOOTH_FACES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("../shared/faces"));
    dir.join("ANNOTATIONS.tsv").is_file().then_some(dir)
}

/// The shared portraits, when this run measures on them: measures on them
/// are the host's (the same models; their agreement on ARM is tested on
/// its own), under emulation they would only cost minutes, so there the
/// test is counted as skipped for `why`.
pub fn shared_portraits(why: &str) -> Option<PathBuf> {
    if std::env::var_os("PASSBOOTH_EMULATED").is_some() {
        skipped(why);
        return None;
    }
    let dir = faces_dir();
    if dir.is_none() {
        missing_input("the shared faces folder (../shared/faces or $PASSBOOTH_FACES)");
    }
    dir
}
