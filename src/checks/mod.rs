//! The compliance checks: each one a name, a measured value, its limits and
//! a verdict, tied to one machine-readable reason code.
//!
//! One file on purpose (about 400 lines): [`evaluate`] is the whole list of
//! checks in the order a report shows them, so a reader compares any check
//! with its neighbours and the spec in one place; the limits are in
//! `thresholds.rs` and the measurements in `photometry.rs`.

pub mod digital;
pub mod eyewear;
pub mod photometry;
pub mod thresholds;

use serde::Serialize;

use crate::compose::layout::Layout;
use crate::imaging::colour::Lab;
use crate::spec::{self, Spec};
use crate::vision::metrics::FaceMetrics;
use photometry::Photometry;
use thresholds as t;

/// Why a photo is rejected. The codes are a public interface: other tools
/// read them from the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No face found.
    NoFace,
    /// More than one face of comparable size.
    MultipleFaces,
    /// Part of the head lies outside the photo.
    FaceCutOff,
    /// The head is turned, nodded or tilted too far.
    Pose,
    /// The eyes are closed or nearly so.
    EyesClosed,
    /// The eyes are hidden (dark glasses, shadow, hair).
    EyesNotVisible,
    /// Mouth open or smiling where the spec wants a neutral face.
    Expression,
    /// The face is underexposed.
    TooDark,
    /// The face is overexposed.
    Overexposed,
    /// The face is not sharp.
    Blurry,
    /// One side of the face is much darker than the other.
    UnevenLighting,
    /// The background is not plain or not an allowed colour.
    Background,
    /// The source has too few pixels on the face.
    LowResolution,
    /// The spec's geometry cannot be met: not enough room around the head
    /// (and padding not allowed), or a head size rule that this photo's
    /// proportions cannot satisfy.
    InsufficientMargin,
    /// The skin colour is implausible (colour cast, black and white).
    UnnaturalColour,
    /// Glasses are worn where the spec forbids them.
    Glasses,
    /// Light reflects off the glasses' lenses.
    Glare,
    /// The written file breaks an online portal's rules (size, type,
    /// pixels).
    DigitalFile,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: [Reason; 18] = [
        Reason::NoFace,
        Reason::MultipleFaces,
        Reason::FaceCutOff,
        Reason::Pose,
        Reason::EyesClosed,
        Reason::EyesNotVisible,
        Reason::Expression,
        Reason::TooDark,
        Reason::Overexposed,
        Reason::Blurry,
        Reason::UnevenLighting,
        Reason::Background,
        Reason::LowResolution,
        Reason::InsufficientMargin,
        Reason::UnnaturalColour,
        Reason::Glasses,
        Reason::Glare,
        Reason::DigitalFile,
    ];

    /// The code in the JSON report and the key in the prompt tables.
    pub fn code(self) -> &'static str {
        match self {
            Reason::NoFace => "no_face",
            Reason::MultipleFaces => "multiple_faces",
            Reason::FaceCutOff => "face_cut_off",
            Reason::Pose => "pose",
            Reason::EyesClosed => "eyes_closed",
            Reason::EyesNotVisible => "eyes_not_visible",
            Reason::Expression => "expression",
            Reason::TooDark => "too_dark",
            Reason::Overexposed => "overexposed",
            Reason::Blurry => "blurry",
            Reason::UnevenLighting => "uneven_lighting",
            Reason::Background => "background",
            Reason::LowResolution => "low_resolution",
            Reason::InsufficientMargin => "insufficient_margin",
            Reason::UnnaturalColour => "unnatural_colour",
            Reason::Glasses => "glasses",
            Reason::Glare => "glare",
            Reason::DigitalFile => "digital_file",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable name, e.g. `head_height`.
    pub name: &'static str,
    /// The reason reported when it fails.
    pub reason: Reason,
    /// Whether the value is within the limits.
    pub passed: bool,
    /// What was measured.
    pub value: f64,
    /// Lower limit, if any.
    pub min: Option<f64>,
    /// Upper limit, if any.
    pub max: Option<f64>,
    /// Unit of value and limits.
    pub unit: &'static str,
}

impl Check {
    /// A check that passes when `min <= value <= max`.
    pub fn range(
        name: &'static str,
        reason: Reason,
        value: f64,
        min: Option<f64>,
        max: Option<f64>,
        unit: &'static str,
    ) -> Self {
        let passed =
            value.is_finite() && min.is_none_or(|m| value >= m) && max.is_none_or(|m| value <= m);
        Self {
            name,
            reason,
            passed,
            value,
            min,
            max,
            unit,
        }
    }

    /// A check whose verdict is decided elsewhere (e.g. colour membership).
    pub fn verdict(
        name: &'static str,
        reason: Reason,
        passed: bool,
        value: f64,
        unit: &'static str,
    ) -> Self {
        Self {
            name,
            reason,
            passed,
            value,
            min: None,
            max: None,
            unit,
        }
    }
}

/// What the checks look at.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The rules.
    pub spec: &'a Spec,
    /// Faces of comparable size found.
    pub faces: usize,
    /// The planned photo.
    pub layout: &'a Layout,
    /// Pose and expression.
    pub metrics: &'a FaceMetrics,
    /// Farthest head outline point outside the source, share of head height.
    pub face_outside: f64,
    /// Crop reach outside the source, mm at print size.
    pub overflow_mm: f64,
    /// Whether that reach was padded (allowed by the spec).
    pub padded: bool,
    /// Source pixels per inch of print.
    pub effective_dpi: f64,
    /// Light, colour, background of the composed photo.
    pub photo: &'a Photometry,
}

/// Runs every check.
pub fn evaluate(e: &Evidence) -> Vec<Check> {
    use Reason::*;
    let s = e.spec;
    let l = e.layout;
    let m = e.metrics;
    let p = e.photo;
    let mut checks = vec![
        Check::range(
            "face_count",
            MultipleFaces,
            e.faces as f64,
            Some(1.0),
            Some(1.0),
            "faces",
        ),
        Check::range(
            "face_inside_photo",
            FaceCutOff,
            e.face_outside,
            None,
            Some(t::MAX_FACE_OUTSIDE),
            "share of head height",
        ),
        Check::range(
            "head_height",
            InsufficientMargin,
            l.head_mm,
            Some(s.head_mm.min),
            Some(s.head_mm.max),
            "mm",
        ),
    ];
    if let Some(r) = s.eyes_from_bottom_mm {
        checks.push(Check::range(
            "eye_line",
            InsufficientMargin,
            l.eyes_from_bottom_mm,
            Some(r.min),
            Some(r.max),
            "mm",
        ));
    }
    if let Some(r) = s.crown_to_top_mm {
        checks.push(Check::range(
            "top_margin",
            InsufficientMargin,
            l.crown_to_top_mm,
            Some(r.min),
            Some(r.max),
            "mm",
        ));
    } else {
        checks.push(Check::range(
            "top_margin",
            InsufficientMargin,
            l.crown_to_top_mm,
            Some(0.0),
            None,
            "mm",
        ));
    }
    checks.push(Check::range(
        "chin_margin",
        InsufficientMargin,
        l.chin_to_bottom_mm,
        Some(s.chin_to_bottom_min_mm.unwrap_or(0.0)),
        None,
        "mm",
    ));
    if let Some(r) = s.head_width_mm {
        checks.push(Check::range(
            "head_width",
            InsufficientMargin,
            l.face_width_mm,
            Some(r.min),
            Some(r.max),
            "mm",
        ));
    }
    checks.push(Check::range(
        "centring",
        InsufficientMargin,
        l.center_offset_mm.abs(),
        None,
        Some(t::MAX_CENTRE_OFFSET_MM),
        "mm",
    ));
    let margin_limit = if e.padded {
        None
    } else {
        Some(t::MAX_OVERFLOW_MM)
    };
    checks.push(Check::range(
        "margin",
        InsufficientMargin,
        e.overflow_mm,
        None,
        margin_limit,
        "mm outside the source",
    ));
    checks.push(Check::range(
        "resolution",
        LowResolution,
        e.effective_dpi,
        Some(t::MIN_EFFECTIVE_DPI),
        None,
        "source px per print inch",
    ));
    checks.extend([
        Check::range(
            "yaw",
            Pose,
            f64::from(m.yaw_deg),
            Some(-t::MAX_YAW_DEG),
            Some(t::MAX_YAW_DEG),
            "deg",
        ),
        Check::range(
            "pitch",
            Pose,
            f64::from(m.pitch_deg),
            Some(-t::MAX_PITCH_DEG),
            Some(t::MAX_PITCH_DEG),
            "deg",
        ),
        Check::range(
            "roll",
            Pose,
            l.residual_roll_deg,
            Some(-t::MAX_ROLL_DEG),
            Some(t::MAX_ROLL_DEG),
            "deg",
        ),
        Check::range(
            "eyes_open",
            EyesClosed,
            f64::from(m.eye_openness),
            Some(t::MIN_EYE_OPENNESS),
            None,
            "ratio",
        ),
        Check::range(
            "eyes_visible",
            EyesNotVisible,
            p.eye_visibility,
            Some(t::MIN_EYE_VISIBILITY),
            None,
            "ratio",
        ),
    ]);
    match s.glasses {
        spec::Glasses::Forbidden => checks.push(Check::range(
            "no_glasses",
            Glasses,
            p.eyewear.bridge_bar,
            None,
            Some(t::MAX_FRAME_CONTRAST),
            "luma step of a bar across the nose bridge",
        )),
        spec::Glasses::Allowed => checks.push(Check::range(
            "lens_glare",
            Glare,
            p.eyewear.lens_glare,
            None,
            Some(t::MAX_LENS_GLARE),
            "share of the lens rings clipped",
        )),
    }
    let mouth_max = match s.expression {
        spec::Expression::Neutral => t::MAX_MOUTH_OPEN_NEUTRAL,
        spec::Expression::NeutralOrSmile => t::MAX_MOUTH_OPEN_SMILE,
    };
    checks.push(Check::range(
        "mouth_closed",
        Expression,
        f64::from(m.mouth_open),
        None,
        Some(mouth_max),
        "ratio",
    ));
    if s.expression == spec::Expression::Neutral {
        checks.push(Check::range(
            "no_smile",
            Expression,
            f64::from(m.smile),
            None,
            Some(t::MAX_SMILE_NEUTRAL),
            "ratio",
        ));
    }
    checks.extend([
        Check::range(
            "face_brightness_min",
            TooDark,
            p.face_lightness,
            Some(t::MIN_FACE_LIGHTNESS),
            None,
            "L*",
        ),
        Check::range(
            "face_brightness_max",
            Overexposed,
            p.face_lightness,
            None,
            Some(t::MAX_FACE_LIGHTNESS),
            "L*",
        ),
        Check::range(
            "clipped_highlights",
            Overexposed,
            p.clipped_share,
            None,
            Some(t::MAX_CLIPPED_SHARE),
            "share",
        ),
        Check::range(
            "sharpness",
            Blurry,
            p.sharpness,
            Some(t::MIN_SHARPNESS),
            None,
            "L* per px",
        ),
        Check::range(
            "lighting_balance",
            UnevenLighting,
            p.lighting_difference,
            None,
            Some(t::MAX_LIGHTING_DIFFERENCE),
            "L*",
        ),
        Check::range(
            "skin_a",
            UnnaturalColour,
            p.skin_a,
            Some(t::SKIN_A.0),
            Some(t::SKIN_A.1),
            "a*",
        ),
        Check::range(
            "skin_b",
            UnnaturalColour,
            p.skin_b,
            Some(t::SKIN_B.0),
            Some(t::SKIN_B.1),
            "b*",
        ),
        Check::range(
            "background_plain",
            Background,
            p.background_spread,
            None,
            Some(t::MAX_BACKGROUND_SPREAD),
            "L* std",
        ),
    ]);
    let [bl, ba, bb] = p.background_lab;
    let lab = Lab {
        l: bl as f32,
        a: ba as f32,
        b: bb as f32,
    };
    let allowed = s.background.iter().any(|c| c.contains(lab));
    checks.push(Check::verdict(
        "background_colour",
        Background,
        allowed,
        bl,
        "L* (colour must be one the spec allows)",
    ));
    checks
}

/// The distinct reasons of the failed checks, in code order.
pub fn reasons(checks: &[Check]) -> Vec<Reason> {
    let mut r: Vec<Reason> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.reason)
        .collect();
    r.sort();
    r.dedup();
    r
}
