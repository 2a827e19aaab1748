//! Criterion benchmarks of the engine, and MediaPipe's own Python detector
//! timed on the same frames in the same run (see BENCHMARKS.md).
//!
//! `cargo bench --bench engine` (after `scripts/bench-mediapipe` for the
//! comparison; without its venv the comparison is skipped with a note).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::Criterion;
use passbooth::compose::matte::Matte;
use passbooth::engine::report::Timings;
use passbooth::engine::{BackgroundMode, Engine, Options, files};
use passbooth::imaging::decode::{decode_bytes, decode_file};
use passbooth::imaging::encode::{Format, encode};
use passbooth::imaging::warp::Crop;
use passbooth::imaging::{RgbImage, SecretBuf};
use passbooth::spec::SpecLibrary;
use passbooth::vision::{FaceDetector, Point, Range};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// The portrait resampled through a crop (for viewfinder frames and the
/// 12 MP photo).
fn resample(src: &RgbImage, center: Point, width: f32, w: u32, h: u32) -> RgbImage {
    let crop = Crop {
        center,
        width,
        height: width * h as f32 / w as f32,
        angle: 0.0,
    };
    passbooth::imaging::warp::resample(src, &crop, w, h, Some([90, 90, 90]))
}

/// Ten 640 x 480 viewfinder frames, the face a third of the width, moving.
fn frames(src: &RgbImage) -> Vec<RgbImage> {
    (0..10)
        .map(|i| {
            let dx = (i as f32 - 4.5) * 12.0;
            resample(
                src,
                Point::new(225.0 + dx, 150.0 + dx / 3.0),
                320.0,
                640,
                480,
            )
        })
        .collect()
}

fn detector(file: &str) -> FaceDetector {
    FaceDetector::load(&repo("models").join(file), Range::Short).expect("model")
}

fn bench_detection(c: &mut Criterion, frames: &[RgbImage]) {
    let mut g = c.benchmark_group("detect_640x480");
    for (name, file) in [
        ("int8", files::SHORT_RANGE_INT8),
        ("float", files::SHORT_RANGE),
    ] {
        let mut d = detector(file);
        let mut i = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % frames.len();
                black_box(d.detect(&frames[i]).expect("detect").len())
            })
        });
    }
    g.finish();
}

fn bench_models(c: &mut Criterion) {
    c.bench_function("load_all_models", |b| {
        b.iter(|| {
            let engine = Engine::load(&repo("models")).expect("models");
            let live = passbooth::booth::LiveModels::load(&repo("models")).expect("live models");
            black_box((engine, live))
        })
    });
}

/// A 4000 x 3000 JPEG of the portrait (upsampled: the content of a 12 MP
/// camera photo is irrelevant to the cost, its size is what counts).
fn twelve_megapixels(src: &RgbImage) -> SecretBuf<u8> {
    let big = resample(src, Point::new(256.0, 256.0), 512.0 * 4.0 / 3.0, 4000, 3000);
    encode(&big, Format::Jpeg, 300).expect("encode")
}

fn bench_compose(c: &mut Criterion, jpeg: &[u8], src: &RgbImage) {
    let lib = SpecLibrary::load_dir(&repo("specs")).expect("specs");
    let spec = lib.get("us-passport").expect("spec").clone();
    let mut engine = Engine::load(&repo("models")).expect("models");
    let opts = Options {
        dpi: 300,
        background: BackgroundMode::Auto,
    };
    let mut g = c.benchmark_group("compose");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    // Decoding alone: zune-jpeg in strict mode straight into a wiped buffer.
    g.bench_function("12mp_jpeg_decode", |b| {
        b.iter(|| black_box(decode_bytes(jpeg).expect("decode").width()))
    });
    // The engine's working copy of the decoded photo (factor 4 at 4000 px).
    let decoded = decode_bytes(jpeg).expect("decode");
    g.bench_function("12mp_working_copy", |b| {
        b.iter(|| black_box(decoded.box_downscale(4).width()))
    });
    // The background-replacement matte at 300 and 600 dpi (US: 600 and
    // 1200 px square), from a disc-shaped person probability.
    for side in [600u32, 1200] {
        let photo = resample(src, Point::new(256.0, 256.0), 512.0, side, side);
        let person: Vec<f32> = (0..side * side)
            .map(|i| {
                let (x, y) = ((i % side) as f32, (i / side) as f32);
                let r = ((x - side as f32 / 2.0).powi(2) + (y - side as f32 / 2.0).powi(2)).sqrt();
                (1.0 - (r - side as f32 * 0.35) / 10.0).clamp(0.0, 1.0)
            })
            .collect();
        g.bench_function(format!("matte_{side}px"), |b| {
            b.iter(|| {
                let copy = SecretBuf::try_copy_of(photo.as_bytes());
                let mut out = RgbImage::from_buf(side, side, copy).expect("size");
                Matte::refine(&photo, &person, 3.2).replace_background(&mut out, [255; 3]);
                black_box(out.get(0, 0))
            })
        });
    }
    g.bench_function("12mp_jpeg_end_to_end", |b| {
        b.iter(|| {
            let img = decode_bytes(jpeg).expect("decode");
            let mut t = Timings::default();
            let a = engine.process(&img, &spec, &opts, &mut t).expect("process");
            let photo = a.photo.expect("photo");
            black_box(encode(&photo, Format::Jpeg, 300).expect("encode").len())
        })
    });
    g.finish();
}

/// A 4x6 sheet of six US photos at 300 dpi: layout, drawing, JPEG encoding.
fn bench_sheet(c: &mut Criterion, src: &RgbImage) {
    use passbooth::print::{Paper, media::Media, sheet_for};
    let photo = resample(src, Point::new(225.0, 150.0), 300.0, 600, 600);
    let paper = Paper::new(Media::parse("4x6").expect("media"));
    c.bench_function("sheet_4x6_300dpi_render_and_encode", |b| {
        b.iter(|| {
            let s = sheet_for(&photo, &paper, 300, Some("US passport 2 x 2 in")).expect("sheet");
            black_box(encode(&s.image, Format::Jpeg, 300).expect("encode").len())
        })
    });
}

/// The US passport spec, the live benches' overlay.
fn us_passport() -> passbooth::spec::Spec {
    SpecLibrary::load_dir(&repo("specs"))
        .expect("specs")
        .get("us-passport")
        .expect("spec")
        .clone()
}

/// One live frame: detection (int8), the guide's advice, the framing screen
/// drawn into a 240 x 320 framebuffer.
fn bench_live_frame(c: &mut Criterion, frames: &[RgbImage]) {
    use passbooth::booth::screens::{Screens, View};
    use passbooth::display::Framebuffer;
    use passbooth::session::guide::{Guide, Overlay};
    use passbooth::session::prompts::Language;
    let overlay = Overlay::new(&us_passport(), 640, 480);
    let mut guide = Guide::new(overlay, 480);
    // The detector the booth chooses on this machine.
    let mut det = passbooth::booth::LiveModels::load(&repo("models"))
        .expect("live models")
        .detector;
    let mut fb = Framebuffer::new(240, 320);
    let screens = Screens::new((240, 320), &[Language::En]);
    let mut i = 0;
    c.bench_function("live_frame_to_framebuffer_240x320", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            let frame = &frames[i];
            let faces = det.detect(frame).expect("detect");
            let (prompt, signal) = guide.advise(faces);
            screens.draw(
                &mut fb,
                &View::Framing {
                    preview: frame,
                    overlay: &overlay,
                    prompt,
                    signal,
                    countdown: None,
                },
                Language::En,
            );
            black_box(fb.take_dirty())
        })
    });
}

/// The framing screen alone (no detection): the live preview, the guides
/// and the bar, and the same with the countdown digit over it (the most a
/// frame draws).
fn bench_framing_screen(c: &mut Criterion, frames: &[RgbImage]) {
    use passbooth::booth::screens::{Screens, View};
    use passbooth::display::Framebuffer;
    use passbooth::session::guide::{Overlay, Signal};
    use passbooth::session::prompts::{Language, Prompt};
    let overlay = Overlay::new(&us_passport(), 640, 480);
    let mut fb = Framebuffer::new(240, 320);
    let screens = Screens::new((240, 320), &Language::ALL);
    let mut g = c.benchmark_group("screen_240x320");
    for (name, countdown) in [("framing", None), ("countdown", Some(3))] {
        let mut i = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % frames.len();
                let view = View::Framing {
                    preview: &frames[i],
                    overlay: &overlay,
                    prompt: Prompt::MoveLeft,
                    signal: Signal::Amber,
                    countdown,
                };
                screens.draw(&mut fb, &view, Language::Uk);
                black_box(fb.take_dirty())
            })
        });
    }
    g.finish();
}

/// Camera frames to RGB: the Pi's NV12 viewfinder (every frame) and a
/// 12 MP NV12 still (once a session), straight from the buffer.
fn bench_camera_formats(c: &mut Criterion) {
    use passbooth::capture::pixels::FrameFormat;
    for (name, w, h) in [
        ("camera_nv12_to_rgb_640x480", 640u32, 480u32),
        ("camera_nv12_to_rgb_4056x3040", 4056, 3040),
    ] {
        let f = FrameFormat::nv12(w, h);
        let buf = f.pattern();
        let mut out = RgbImage::black(w, h);
        c.bench_function(name, |b| {
            b.iter(|| {
                f.convert_buffer(&buf, &mut out).expect("convert");
                black_box(out.as_bytes()[0])
            })
        });
    }
}

/// Rounds of calls alternated between our detectors and MediaPipe's.
const ROUNDS: usize = 6;
const CALLS_PER_ROUND: usize = 100;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Our detectors and MediaPipe's Python one on the same frames, rounds
/// alternated so that the machine's noise falls on both alike; medians over
/// all calls.
fn compare_with_mediapipe(frames: &[RgbImage]) {
    use std::io::{BufRead, BufReader, Write};
    let python = repo(".bench-venv/bin/python");
    if !python.exists() {
        println!("mediapipe comparison skipped: run scripts/bench-mediapipe first");
        return;
    }
    let dir = repo("target/bench-frames");
    std::fs::create_dir_all(&dir).expect("frames dir");
    for (i, f) in frames.iter().enumerate() {
        let png = encode(f, Format::Png, 72).expect("png");
        std::fs::write(dir.join(format!("frame_{i:02}.png")), &*png).expect("write frame");
    }
    let mut child = std::process::Command::new(&python)
        .arg(repo("scripts/bench_mediapipe.py"))
        .args(["--frames", dir.to_str().expect("utf-8 path")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start python");
    let mut to = child.stdin.take().expect("stdin");
    let mut from = BufReader::new(child.stdout.take().expect("stdout"));
    let mut read_json = || {
        let mut line = String::new();
        from.read_line(&mut line).expect("read python");
        serde_json::from_str::<serde_json::Value>(&line).unwrap_or_default()
    };
    let hello = read_json();
    if hello["ready"] != true {
        println!("mediapipe comparison failed to start");
        let _ = child.kill();
        let _ = child.wait();
        return;
    }
    let mut ours = [
        (
            files::SHORT_RANGE_INT8,
            detector(files::SHORT_RANGE_INT8),
            Vec::new(),
        ),
        (files::SHORT_RANGE, detector(files::SHORT_RANGE), Vec::new()),
    ];
    let mut theirs = Vec::new();
    let mut found = [0usize; 2];
    for round in 0..ROUNDS {
        for (k, (_, d, times)) in ours.iter_mut().enumerate() {
            for i in 0..CALLS_PER_ROUND {
                let f = &frames[i % frames.len()];
                let t = Instant::now();
                let n = black_box(d.detect(f).expect("detect").len());
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                if round == 0 && i < frames.len() && n > 0 {
                    found[k] += 1;
                }
            }
        }
        writeln!(to, "{CALLS_PER_ROUND}").expect("write python");
        let r = read_json();
        theirs.extend(
            r["ms"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_f64()),
        );
    }
    drop(to);
    let _ = child.wait();
    let theirs = median(&mut theirs);
    println!(
        "side by side, {} frames of 640x480, {ROUNDS} alternating rounds of {CALLS_PER_ROUND} calls:",
        frames.len()
    );
    println!(
        "  MediaPipe {} Python solution: {theirs:.3} ms median, faces in {}/{} frames",
        hello["mediapipe"], hello["frames_with_face"], hello["frames"]
    );
    for (k, (name, _, times)) in ours.iter_mut().enumerate() {
        let m = median(times);
        println!(
            "  passbooth {name}: {m:.3} ms median, faces in {}/{} frames, MediaPipe / passbooth = {:.2}",
            found[k],
            frames.len(),
            theirs / m
        );
    }
}

fn main() {
    let src = decode_file(&repo("tests/fixtures/astronaut.png")).expect("fixture");
    let frames = frames(&src);
    let jpeg = twelve_megapixels(&src);
    let mut c = Criterion::default().configure_from_args();
    bench_detection(&mut c, &frames);
    bench_models(&mut c);
    bench_compose(&mut c, &jpeg, &src);
    bench_sheet(&mut c, &src);
    bench_live_frame(&mut c, &frames);
    bench_framing_screen(&mut c, &frames);
    bench_camera_formats(&mut c);
    c.final_summary();
    compare_with_mediapipe(&frames);
}
