//! `passbooth compose` and `passbooth check`: one photo through the engine.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::assets::{Asset, locate};
use crate::engine::{Analysis, BackgroundMode, Engine, Options};
use crate::imaging::decode::decode_file;
use crate::imaging::encode;
use crate::report::{CropReport, Landmarks, OutputReport, Report, Timings};
use crate::spec::SpecLibrary;

use super::EXIT_REJECTED;

/// Asset folders given on the command line.
pub(super) struct Assets {
    pub specs: Option<PathBuf>,
    pub models: Option<PathBuf>,
}

/// One compose or check.
pub(super) struct Request {
    pub input: PathBuf,
    pub spec: String,
    /// `None` for `check`.
    pub output: Option<PathBuf>,
    pub dpi: Option<u32>,
    pub background: BackgroundMode,
    pub json: bool,
}

pub(super) fn run(assets: &Assets, req: &Request) -> anyhow::Result<u8> {
    let lib = SpecLibrary::load_dir(&locate(Asset::Specs, assets.specs.as_deref()))?;
    let spec = lib.get(&req.spec)?;
    if let Some(out) = &req.output {
        encode::Format::from_path(out)?;
    }
    let dpi = req.dpi.unwrap_or(spec.dpi);
    let mut timings = Timings::default();
    let t = Instant::now();
    let img = decode_file(&req.input).with_context(|| format!("{}", req.input.display()))?;
    timings.decode = t.elapsed().as_secs_f64() * 1000.0;
    let models = locate(Asset::Models, assets.models.as_deref());
    let mut engine = Engine::load(&models)?;
    let analysis = engine.process(
        &img,
        spec,
        &Options {
            dpi,
            background: req.background,
        },
        &mut timings,
    )?;
    drop(img);

    let t = Instant::now();
    let output = match (&analysis.photo, &req.output) {
        (Some(photo), Some(path)) => {
            encode::write_file(photo, path, dpi as u16)?;
            Some(output_report(
                &analysis,
                photo,
                Some(path.display().to_string()),
                dpi,
            ))
        }
        (Some(photo), None) => Some(output_report(&analysis, photo, None, dpi)),
        (None, _) => None,
    };
    timings.compose += t.elapsed().as_secs_f64() * 1000.0;
    let report = build_report(req, spec.id.clone(), &analysis, output, timings);
    engine.wipe()?;
    if req.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", human(&report));
    }
    Ok(if report.accepted { 0 } else { EXIT_REJECTED })
}

fn output_report(
    a: &Analysis,
    photo: &crate::imaging::RgbImage,
    path: Option<String>,
    dpi: u32,
) -> OutputReport {
    OutputReport {
        path,
        width_px: photo.width(),
        height_px: photo.height(),
        dpi,
        background_replaced: a.background_replaced,
        padded: a.padded,
    }
}

fn build_report(
    req: &Request,
    spec: String,
    a: &Analysis,
    output: Option<OutputReport>,
    timings: Timings,
) -> Report {
    let reasons = a.reasons();
    Report {
        input: req.input.display().to_string(),
        spec,
        accepted: reasons.is_empty(),
        reasons,
        faces: a.faces,
        checks: a.checks.clone(),
        landmarks: a.points.map(|(p, source)| Landmarks {
            // The subject's left eye is on the image's right.
            left_eye: [p.eye_image_right.x, p.eye_image_right.y],
            right_eye: [p.eye_image_left.x, p.eye_image_left.y],
            chin: [p.chin.x, p.chin.y],
            crown: [p.crown.x, p.crown.y],
            crown_source: source,
        }),
        crop: a.layout.as_ref().map(|l| CropReport::from(&l.crop)),
        output,
        timings_ms: timings,
    }
}

fn human(r: &Report) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let verdict = if r.accepted { "ACCEPTED" } else { "REJECTED" };
    let _ = write!(o, "{verdict}: {} for {}", r.input, r.spec);
    if !r.reasons.is_empty() {
        let names: Vec<String> = r.reasons.iter().map(|x| format!("{x:?}")).collect();
        let _ = write!(o, " ({})", names.join(", "));
    }
    let _ = writeln!(o);
    for c in r.checks.iter().filter(|c| !c.passed) {
        let lim = match (c.min, c.max) {
            (Some(a), Some(b)) => format!("{a:.2} to {b:.2}"),
            (Some(a), None) => format!("at least {a:.2}"),
            (None, Some(b)) => format!("at most {b:.2}"),
            (None, None) => "see spec".into(),
        };
        let _ = writeln!(
            o,
            "  failed {:<20} {:.2} {} (allowed: {lim})",
            c.name, c.value, c.unit
        );
    }
    if let Some(out) = &r.output
        && let Some(p) = &out.path
    {
        let _ = writeln!(
            o,
            "  wrote {p}: {} x {} px at {} dpi",
            out.width_px, out.height_px, out.dpi
        );
    }
    o
}
