//! `passbooth compose` and `passbooth check`: one photo through the engine,
//! then, as asked, the photo or a sheet written, or the sheet printed.

use super::{out, outln};
use std::path::PathBuf;
use std::time::Instant;

use crate::compose::digital;
use crate::config::assets::{Asset, locate};
use crate::engine::report::{
    CropReport, DigitalReport, Landmarks, OutputReport, PrintReport, Report, SheetReport, Timings,
};
use crate::engine::{Analysis, BackgroundMode, Engine, Options};
use crate::imaging::decode::decode_file;
use crate::imaging::{RgbImage, encode};
use crate::print::ipp::IppPrinter;
use crate::print::media::Media;
use crate::print::{Paper, Sheet, SheetPrinter, sheet_for};
use crate::spec::SpecLibrary;
use crate::spec::digital::DigitalLibrary;
use anyhow::Context;

use super::{EXIT_PRINTER, EXIT_REJECTED};

/// Asset folders given on the command line.
pub(super) struct Assets {
    pub specs: Option<PathBuf>,
    pub models: Option<PathBuf>,
}

/// A sheet to make (and maybe print) instead of a single photo.
pub(super) struct SheetRequest {
    pub media: Media,
    pub margin_mm: f64,
    pub printer: Option<String>,
    pub copies: u32,
    pub timeout_s: u64,
    /// The pinned certificate of an ipps:// printer.
    pub certificate: Option<PathBuf>,
}

/// One compose or check.
pub(super) struct Request {
    pub input: PathBuf,
    pub spec: String,
    /// Where the photo (or, with a sheet, the sheet) goes; `None` for `check`
    /// and for print-only runs.
    pub output: Option<PathBuf>,
    pub dpi: Option<u32>,
    pub background: BackgroundMode,
    pub json: bool,
    pub sheet: Option<SheetRequest>,
    /// A digital profile id: the photo is written as a file for that portal.
    pub digital: Option<String>,
}

pub(super) fn run(assets: &Assets, req: &Request) -> anyhow::Result<u8> {
    let specs_dir = locate(Asset::Specs, assets.specs.as_deref());
    let lib = SpecLibrary::load_dir(&specs_dir)?;
    let spec = lib.get(&req.spec)?;
    if let Some(out) = &req.output {
        let format = encode::Format::from_path(out)?;
        if req.digital.is_some() && format != encode::Format::Jpeg {
            anyhow::bail!("{}: a digital photo is a JPEG file (.jpg)", out.display());
        }
    }
    // Portal profiles are read only when a file for one is asked for.
    let profile = match &req.digital {
        Some(id) => {
            let profiles = DigitalLibrary::load_dir(&DigitalLibrary::dir_of(&specs_dir))?;
            Some(profiles.for_spec(id, &spec.id)?.clone())
        }
        None => None,
    };
    let mut printer = match req.sheet.as_ref().and_then(|s| {
        s.printer
            .as_deref()
            .map(|u| (u, s.timeout_s, s.certificate.as_deref()))
    }) {
        Some((uri, timeout_s, certificate)) => {
            let mut p = IppPrinter::open(uri, certificate)?;
            p.job_timeout = std::time::Duration::from_secs(timeout_s);
            Some(p)
        }
        None => None,
    };
    let dpi = req.dpi.unwrap_or(spec.dpi);
    let mut timings = Timings::default();
    let t = Instant::now();
    let img = decode_file(&req.input).map_err(|e| match e {
        // An I/O error already names the file.
        e @ crate::imaging::decode::DecodeError::Io { .. } => anyhow::Error::new(e),
        e => anyhow::Error::new(e).context(req.input.display().to_string()),
    })?;
    timings.decode = t.elapsed().as_secs_f64() * 1000.0;
    let mut engine = Engine::load(&locate(Asset::Models, assets.models.as_deref()))?;
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
    engine.wipe()?;

    let t = Instant::now();
    let mut report = build_report(req, &spec.id, &analysis, timings);
    let mut code = if report.accepted { 0 } else { EXIT_REJECTED };
    if let Some(photo) = &analysis.photo {
        let mut out = output_report(&analysis, photo, dpi);
        match (&req.sheet, &profile) {
            (None, Some(profile)) => {
                let file = digital::export(photo, dpi, profile)?;
                let checks = crate::checks::digital::verify(&file.bytes, profile);
                let passed = checks.iter().all(|c| c.passed);
                let mut written = None;
                if let Some(path) = &req.output {
                    std::fs::write(path, &*file.bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    written = Some(path.display().to_string());
                }
                if !passed {
                    code = EXIT_REJECTED;
                }
                report.digital = Some(DigitalReport {
                    profile: profile.id.clone(),
                    path: written,
                    width_px: file.size.0,
                    height_px: file.size.1,
                    bytes: file.bytes.len(),
                    quality: file.quality,
                    passed,
                    checks,
                });
            }
            (None, None) => {
                if let Some(path) = &req.output {
                    encode::write_file(photo, path, dpi as u16)?;
                    out.path = Some(path.display().to_string());
                }
            }
            (Some(sheet_req), _) => {
                let paper = sheet_req.paper();
                let sheet = sheet_for(photo, &paper, dpi, Some(&spec.caption))?;
                let mut sheet_report = sheet_report(&sheet, &paper);
                if let Some(path) = &req.output {
                    encode::write_file(&sheet.image, path, dpi as u16)?;
                    sheet_report.path = Some(path.display().to_string());
                }
                report.sheet = Some(sheet_report);
                if let (Some(printer), Some(uri)) = (&mut printer, &sheet_req.printer) {
                    let (print, failed) =
                        print_sheet(printer, uri, &sheet, &paper, report.accepted);
                    if failed && report.accepted {
                        code = EXIT_PRINTER;
                    }
                    report.print = Some(print);
                }
            }
        }
        report.output = Some(out);
    }
    report.timings_ms.compose += t.elapsed().as_secs_f64() * 1000.0;
    if req.json {
        outln!("{}", serde_json::to_string(&report)?)?;
    } else {
        out!("{}", human(&report))?;
    }
    if let Some(p) = report
        .print
        .as_ref()
        .filter(|p| !p.printed && code == EXIT_PRINTER)
    {
        eprintln!(
            "passbooth: {}",
            p.error.as_deref().unwrap_or("printing failed")
        );
    }
    Ok(code)
}

/// Lays out and draws the sheet for `photo`.
impl SheetRequest {
    /// The paper and copies asked for.
    fn paper(&self) -> Paper {
        Paper {
            media: self.media.clone(),
            margin_mm: self.margin_mm,
            copies: self.copies,
        }
    }
}

fn sheet_report(sheet: &Sheet, paper: &Paper) -> SheetReport {
    SheetReport {
        media: paper.media.keyword.clone(),
        photos: sheet.layout.slots.len(),
        width_px: sheet.layout.width,
        height_px: sheet.layout.height,
        path: None,
    }
}

fn print_sheet(
    printer: &mut IppPrinter,
    uri: &str,
    sheet: &Sheet,
    paper: &Paper,
    accepted: bool,
) -> (PrintReport, bool) {
    let mut report = PrintReport {
        printer: uri.to_string(),
        printed: false,
        job_id: None,
        format: None,
        error_code: None,
        error: None,
    };
    if !accepted {
        report.error_code = Some("rejected".into());
        report.error = Some("the photo failed its checks, so it was not printed".into());
        return (report, false);
    }
    match printer.print_sheet(sheet, paper) {
        Ok(receipt) => {
            report.printed = true;
            report.job_id = receipt.job_id;
            report.format = receipt.format.map(str::to_string);
            (report, false)
        }
        Err(problem) => {
            report.error_code = Some(problem.code().to_string());
            report.error = Some(problem.to_string());
            (report, true)
        }
    }
}

fn output_report(a: &Analysis, photo: &RgbImage, dpi: u32) -> OutputReport {
    OutputReport {
        path: None,
        width_px: photo.width(),
        height_px: photo.height(),
        dpi,
        background_replaced: a.background_replaced,
        padded: a.padded,
    }
}

fn build_report(req: &Request, spec: &str, a: &Analysis, timings: Timings) -> Report {
    let reasons = a.reasons();
    Report {
        input: req.input.display().to_string(),
        spec: spec.to_string(),
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
        output: None,
        sheet: None,
        print: None,
        digital: None,
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
    if let Some(p) = r
        .output
        .as_ref()
        .and_then(|out| out.path.as_ref().map(|p| (p, out)))
    {
        let _ = writeln!(
            o,
            "  wrote {}: {} x {} px at {} dpi",
            p.0, p.1.width_px, p.1.height_px, p.1.dpi
        );
    }
    if let Some(s) = &r.sheet {
        let at = s
            .path
            .as_deref()
            .map(|p| format!(" -> {p}"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  sheet {}: {} photos, {} x {} px{at}",
            s.media, s.photos, s.width_px, s.height_px
        );
    }
    if let Some(d) = &r.digital {
        let at = d
            .path
            .as_deref()
            .map(|p| format!(" -> {p}"))
            .unwrap_or_default();
        let verdict = if d.passed {
            "meets every rule".to_string()
        } else {
            let failed: Vec<&str> = d
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| c.name)
                .collect();
            format!("FAILS {}", failed.join(", "))
        };
        let _ = writeln!(
            o,
            "  {} file: {} x {} px, {:.1} kB at JPEG quality {}, {verdict}{at}",
            d.profile,
            d.width_px,
            d.height_px,
            d.bytes as f64 / 1000.0,
            d.quality
        );
    }
    if let Some(p) = &r.print {
        match (p.printed, &p.error) {
            (true, _) => {
                let _ = writeln!(
                    o,
                    "  printed on {} (job {})",
                    p.printer,
                    p.job_id.unwrap_or(0)
                );
            }
            (false, Some(e)) => {
                let _ = writeln!(o, "  not printed: {e}");
            }
            (false, None) => {}
        }
    }
    o
}
