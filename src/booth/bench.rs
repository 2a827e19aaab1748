//! `passbooth bench`: what this machine costs the booth, measured on the
//! built-in portrait in seconds, with no camera, screen or printer: the
//! live frame path (camera conversion, both detectors, the guide, the
//! framebuffer), the still path (a 12 MP conversion, compose, the sheet)
//! and loading the models. An operator runs it on the Pi; the numbers say
//! whether the booth keeps ten frames a second and how long a person waits.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::screens::{Screens, View};
use super::{BoothError, LiveChoice, LiveModels, demo};
use crate::capture::pixels::{FrameFormat, encode_nv12};
use crate::capture::replay::viewfinder_of;
use crate::capture::still::CameraStill;
use crate::display::Framebuffer;
use crate::engine::files::{SHORT_RANGE, SHORT_RANGE_INT8};
use crate::engine::report::Timings;
use crate::engine::{BackgroundMode, Engine, Options};
use crate::imaging::{RgbImage, SecretBuf, encode};
use crate::print::media::Media;
use crate::print::{Paper, sheet_for};
use crate::session::guide::{Guide, Overlay};
use crate::session::prompts::Language;
use crate::spec::Spec;
use crate::vision::{FaceDetector, Range};

/// The Camera Module 3's full resolution (4608 x 2592, 12 MP): the still
/// the Pi 5 booth converts once a session.
pub const STILL_SIZE: (u32, u32) = (4608, 2592);
/// The viewfinder's size.
pub const VIEWFINDER_SIZE: (u32, u32) = (640, 480);

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// What was timed.
    pub name: &'static str,
    /// Median of the runs, ms.
    pub median_ms: f64,
    /// Runs timed (after one untimed warm-up).
    pub runs: usize,
}

/// Everything `bench` measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The machine: CPU model (or board), cores, architecture.
    pub machine: String,
    /// The live detector the booth would run here, and why.
    pub live_detector: String,
    /// The measurements, live path first.
    pub measures: Vec<Measure>,
    /// One live frame, all of it (conversion, detection with the chosen
    /// model, guide, framebuffer): under 100 ms keeps ten frames a second.
    pub live_frame_ms: f64,
}

/// How many times each step runs.
#[derive(Debug, Clone, Copy)]
pub struct Runs {
    /// Each live step (cheap, noisy).
    pub live: usize,
    /// Each still step and the model load (slow).
    pub still: usize,
}

impl Default for Runs {
    fn default() -> Self {
        Self { live: 30, still: 3 }
    }
}

/// Median time of `runs` calls of `f` (at least one), ms. The booth's
/// start-up choice of detector times with it too.
pub(super) fn median_ms<T, E>(runs: usize, mut f: impl FnMut() -> Result<T, E>) -> Result<f64, E> {
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        std::hint::black_box(f()?);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// [`median_ms`] after one untimed warm-up call.
fn time<T>(runs: usize, mut f: impl FnMut() -> Result<T, BoothError>) -> Result<f64, BoothError> {
    std::hint::black_box(f()?);
    median_ms(runs, f)
}

/// Converts a whole NV12 buffer of format `f` into `out`.
fn convert_nv12(f: &FrameFormat, bytes: &[u8], out: &mut RgbImage) -> Result<(), BoothError> {
    f.convert_buffer(bytes, out)
        .map_err(|e| BoothError::Bench(e.to_string()))
}

/// This machine, in a line.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let board = std::fs::read_to_string("/proc/device-tree/model")
        .ok()
        .map(|m| m.trim_end_matches('\0').trim().to_string());
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "{}, {cores} cores, {}",
        board.or(cpu).unwrap_or_else(|| "unknown CPU".into()),
        std::env::consts::ARCH
    )
}

/// Measures everything with the models in `models`, for `spec`.
pub fn run(models: &Path, spec: &Spec, runs: Runs) -> Result<BenchReport, BoothError> {
    let portrait = demo::portrait().map_err(|e| BoothError::Bench(e.to_string()))?;
    let frame = viewfinder_of(&demo::in_place(&portrait));
    let mut measures = Vec::new();
    let mut push = |name, median_ms, n| {
        measures.push(Measure {
            name,
            median_ms,
            runs: n,
        })
    };

    // The live path, step by step.
    let (vw, vh) = VIEWFINDER_SIZE;
    let f = FrameFormat::nv12(vw, vh);
    let bytes = f.pattern();
    let mut rgb = RgbImage::black(vw, vh);
    let convert_ms = time(runs.live, || convert_nv12(&f, &bytes, &mut rgb))?;
    push("live_nv12_to_rgb_640x480", convert_ms, runs.live);
    let mut detect_ms = Vec::new();
    for (name, file) in [
        ("live_detect_int8", SHORT_RANGE_INT8),
        ("live_detect_float", SHORT_RANGE),
    ] {
        let mut d = FaceDetector::load(&models.join(file), Range::Short)?;
        let ms = time(runs.live, || Ok(d.detect(&frame)?.len()))?;
        d.wipe()?;
        detect_ms.push((file, ms));
        push(name, ms, runs.live);
    }
    let overlay = Overlay::new(spec, vw, vh);
    let mut guide = Guide::new(overlay, vh);
    let face = [overlay.framed_face()];
    let mut fb = Framebuffer::new(240, 320);
    let screens = Screens::new((240, 320), &[Language::En]);
    let screen_ms = time(runs.live, || {
        let (prompt, signal) = guide.advise(&face);
        let view = View::Framing {
            preview: &frame,
            overlay: &overlay,
            prompt,
            signal,
            countdown: None,
        };
        screens.draw(&mut fb, &view, Language::En);
        Ok(fb.take_dirty())
    })?;
    push("live_guide_and_framebuffer_240x320", screen_ms, runs.live);

    // Loading, and the choice the booth makes.
    let (mut engine, mut live) = (None, None);
    let load_ms = time(runs.still, || {
        engine = Some(Engine::load(models)?);
        live = Some(LiveModels::load(models)?);
        Ok(())
    })?;
    push("load_models", load_ms, runs.still);
    let choice: LiveChoice = live
        .map(|l| l.choice().clone())
        .ok_or_else(|| BoothError::Bench("no live models".into()))?;
    let chosen_ms = detect_ms
        .iter()
        .find(|(file, _)| *file == choice.file)
        .map_or(0.0, |(_, ms)| *ms);

    // The still path: the camera's NV12 still as the booth reads it (the
    // working copy averaged from the planes, only the crop converted at full
    // scale); beside it, the whole conversion and a compose from RGB (what
    // a photo file costs, and what the booth paid before).
    let scene = demo::in_place_at(&portrait, STILL_SIZE);
    let mut nv12 =
        SecretBuf::<u8>::zeroed(FrameFormat::nv12(scene.width(), scene.height()).buffer_len());
    let f = encode_nv12(&scene, &mut nv12).map_err(|e| BoothError::Bench(e.to_string()))?;
    let mut still_rgb = RgbImage::black(f.width, f.height);
    push(
        "still_nv12_to_rgb_4608x2592",
        time(runs.still, || convert_nv12(&f, &nv12, &mut still_rgb))?,
        runs.still,
    );
    drop(still_rgb);
    let mut engine = engine.ok_or_else(|| BoothError::Bench("no engine".into()))?;
    let opts = Options {
        dpi: spec.dpi,
        background: BackgroundMode::Auto,
    };
    let mut photo = None;
    push(
        "still_compose_12mp",
        time(runs.still, || {
            let a = engine.process(&scene, spec, &opts, &mut Timings::default())?;
            photo = a.photo;
            Ok(a.faces)
        })?,
        runs.still,
    );
    drop(scene);
    push(
        "still_compose_12mp_from_nv12",
        time(runs.still, || {
            let still =
                CameraStill::of_buffer(f, &nv12).map_err(|e| BoothError::Bench(e.to_string()))?;
            let a = engine.process(&still, spec, &opts, &mut Timings::default())?;
            Ok(a.faces)
        })?,
        runs.still,
    );
    engine.wipe()?;
    let photo = photo.ok_or_else(|| {
        BoothError::Bench("the portrait made no photo: the models or the spec are wrong".into())
    })?;
    let paper = Paper::new(
        Media::parse(super::DEFAULT_MEDIA).map_err(|e| BoothError::Bench(e.to_string()))?,
    );
    push(
        "still_sheet_4x6_and_jpeg",
        time(runs.still, || {
            let sheet = sheet_for(&photo, &paper, spec.dpi, Some(&spec.caption))
                .map_err(|e| BoothError::Bench(e.to_string()))?;
            Ok(encode::encode(&sheet.image, encode::Format::Jpeg, spec.dpi as u16)?.len())
        })?,
        runs.still,
    );
    Ok(BenchReport {
        machine: machine(),
        live_detector: choice.to_string(),
        live_frame_ms: convert_ms + chosen_ms + screen_ms,
        measures,
    })
}
