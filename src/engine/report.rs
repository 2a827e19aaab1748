//! The JSON report of `compose` and `check`: a public interface, so its
//! field names and conventions are fixed here and documented in the README.
//!
//! Coordinates are source pixels, x right, y down, in the photo as shown
//! (after EXIF orientation). `left_eye` / `right_eye` are the subject's own
//! eyes, as in ISO/IEC 19794-5: the left eye appears on the image's right.

use serde::Serialize;

use crate::checks::{Check, Reason};
use crate::compose::crown::CrownSource;
use crate::imaging::warp::Crop;

/// Landmarks the geometry is built on.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Landmarks {
    /// Centre of the subject's left eye.
    pub left_eye: [f32; 2],
    /// Centre of the subject's right eye.
    pub right_eye: [f32; 2],
    /// Lowest point of the chin.
    pub chin: [f32; 2],
    /// Top of the head including hair.
    pub crown: [f32; 2],
    /// Whether the crown came from the person mask or an estimate.
    pub crown_source: CrownSource,
}

/// The crop, in the report's convention: output pixel (u, v) of a W x H
/// output samples the source at `center + R(a) . ((u/W - 0.5) * width,
/// (v/H - 0.5) * height)`, with `R(a) = [[cos a, -sin a], [sin a, cos a]]`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CropReport {
    /// Centre, source pixels.
    pub center: [f32; 2],
    /// Width, source pixels.
    pub width: f32,
    /// Height, source pixels.
    pub height: f32,
    /// Rotation, degrees.
    pub angle_deg: f32,
}

impl From<&Crop> for CropReport {
    fn from(c: &Crop) -> Self {
        Self {
            center: [c.center.x, c.center.y],
            width: c.width,
            height: c.height,
            angle_deg: c.angle.to_degrees(),
        }
    }
}

/// The written photo.
#[derive(Debug, Clone, Serialize)]
pub struct OutputReport {
    /// Where it was written (absent for `check`).
    pub path: Option<String>,
    /// Width in pixels.
    pub width_px: u32,
    /// Height in pixels.
    pub height_px: u32,
    /// Resolution recorded in the file.
    pub dpi: u32,
    /// Whether the background was replaced.
    pub background_replaced: bool,
    /// Whether the photo was extended with padding.
    pub padded: bool,
}

/// The print sheet, when one was made.
#[derive(Debug, Clone, Serialize)]
pub struct SheetReport {
    /// IPP media keyword.
    pub media: String,
    /// Photos on the sheet.
    pub photos: usize,
    /// Sheet width in pixels.
    pub width_px: u32,
    /// Sheet height in pixels.
    pub height_px: u32,
    /// Where it was written, if it was.
    pub path: Option<String>,
}

/// The print job, when one was sent or refused.
#[derive(Debug, Clone, Serialize)]
pub struct PrintReport {
    /// Printer URI.
    pub printer: String,
    /// Whether the job completed.
    pub printed: bool,
    /// The printer's job id.
    pub job_id: Option<i32>,
    /// Document format sent.
    pub format: Option<String>,
    /// Machine code of the problem (`out_of_paper`, ...), or `rejected` when
    /// the photo failed its checks and was not sent.
    pub error_code: Option<String>,
    /// The problem in plain words.
    pub error: Option<String>,
}

/// The file written for an online portal, and its rules checked on the
/// written bytes.
#[derive(Debug, Clone, Serialize)]
pub struct DigitalReport {
    /// Profile id.
    pub profile: String,
    /// Where it was written.
    pub path: Option<String>,
    /// Width in pixels.
    pub width_px: u32,
    /// Height in pixels.
    pub height_px: u32,
    /// File size in bytes.
    pub bytes: usize,
    /// JPEG quality written at.
    pub quality: u8,
    /// True when every rule holds.
    pub passed: bool,
    /// Every rule of the profile.
    pub checks: Vec<Check>,
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    /// Reading and decoding the file.
    pub decode: f64,
    /// Face detection.
    pub detect: f64,
    /// Face mesh.
    pub landmarks: f64,
    /// Person segmentation.
    pub segment: f64,
    /// Layout, rendering, checks (and encoding, for `compose`).
    pub compose: f64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The input file as given.
    pub input: String,
    /// Spec id.
    pub spec: String,
    /// True when no check failed.
    pub accepted: bool,
    /// The failed checks' reasons, each once.
    pub reasons: Vec<Reason>,
    /// Faces of comparable size found.
    pub faces: usize,
    /// Every check.
    pub checks: Vec<Check>,
    /// Landmarks of the face (absent without exactly one face).
    pub landmarks: Option<Landmarks>,
    /// The crop (absent when no layout was possible).
    pub crop: Option<CropReport>,
    /// The photo (absent when none was made).
    pub output: Option<OutputReport>,
    /// The sheet (with `--sheet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetReport>,
    /// The print job (with `--print`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub print: Option<PrintReport>,
    /// The file for an online portal (with `--digital`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital: Option<DigitalReport>,
    /// Time per stage.
    pub timings_ms: Timings,
}
