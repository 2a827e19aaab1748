//! Where the head goes in the photo: one pure function from measured face
//! points and a spec to a crop, satisfying every constraint of the spec at
//! once (head size, eye line, top margin, room under the chin, centring).

use serde::Serialize;

use crate::spec::Spec;
use crate::vision::Point;

/// Largest tilt the booth straightens (where the spec allows rotation); a
/// head tilted further is a pose problem to fix, not to hide.
pub const MAX_ROLL_CORRECTION_DEG: f32 = 20.0;
/// Typical crown-to-eye distance as a share of chin-to-crown, used only to
/// check at load time that a spec's numbers can be met together.
pub const TYPICAL_EYE_DEPTH: f64 = 0.48;
/// Step when searching head sizes that satisfy every constraint.
const HEAD_STEP_MM: f64 = 0.1;

/// Measured points of one face, in source pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FacePoints {
    /// Centre of the eye on the image's left (the subject's right eye).
    pub eye_image_left: Point,
    /// Centre of the eye on the image's right.
    pub eye_image_right: Point,
    /// Lowest point of the chin.
    pub chin: Point,
    /// Top of the head including hair.
    pub crown: Point,
    /// Face width at the cheekbones, pixels.
    pub face_width: f32,
}

impl FacePoints {
    /// Midpoint between the eyes.
    pub fn eye_mid(&self) -> Point {
        self.eye_image_left.mid(self.eye_image_right)
    }
    /// Tilt of the eye line, radians, positive when the image-right eye is lower.
    pub fn roll(&self) -> f32 {
        let d = self.eye_image_right.minus(self.eye_image_left);
        d.y.atan2(d.x)
    }
}

/// The crop: output pixel (u, v) of a W x H output (continuous coordinates,
/// pixel (i, j) covering [i, i+1) x [j, j+1)) samples the source at
/// `center + R(angle) . ((u/W - 0.5) * width, (v/H - 0.5) * height)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crop {
    /// Crop centre, source pixels.
    pub center: Point,
    /// Crop width, source pixels.
    pub width: f32,
    /// Crop height, source pixels.
    pub height: f32,
    /// Rotation, radians (the report shows degrees).
    pub angle: f32,
}

impl Crop {
    /// Source position of continuous output coordinates (u, v) of a W x H output.
    pub fn source_of(&self, u: f32, v: f32, out_w: u32, out_h: u32) -> Point {
        let d = Point::new(
            (u / out_w as f32 - 0.5) * self.width,
            (v / out_h as f32 - 0.5) * self.height,
        );
        self.center.plus(d.rotate(self.angle))
    }

    /// Output position (continuous) of a source point; the inverse map.
    pub fn output_of(&self, p: Point, out_w: u32, out_h: u32) -> Point {
        let d = p.minus(self.center).rotate(-self.angle);
        Point::new(
            (d.x / self.width + 0.5) * out_w as f32,
            (d.y / self.height + 0.5) * out_h as f32,
        )
    }
}

/// The planned photo and what it measures, in millimetres on the print.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Layout {
    /// The crop from the source.
    pub crop: Crop,
    /// Source pixels per millimetre of print.
    pub px_per_mm: f64,
    /// Chin to crown.
    pub head_mm: f64,
    /// Eye line above the bottom edge.
    pub eyes_from_bottom_mm: f64,
    /// Crown below the top edge.
    pub crown_to_top_mm: f64,
    /// Chin above the bottom edge.
    pub chin_to_bottom_mm: f64,
    /// Face width at the cheekbones.
    pub face_width_mm: f64,
    /// Horizontal offset of the eye midpoint from the photo centre.
    pub center_offset_mm: f64,
    /// Tilt left after any correction, degrees.
    pub residual_roll_deg: f64,
}

/// Why no layout satisfies the spec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    /// The measured points are degenerate (crown not above chin, etc.).
    #[error("face points are inconsistent: {0}")]
    Degenerate(&'static str),
    /// No head size in the spec's range lets every constraint hold for this
    /// face's proportions.
    #[error("no head size within {min}-{max} mm meets the eye line and margins of this spec")]
    Infeasible {
        /// Spec head minimum.
        min: f64,
        /// Spec head maximum.
        max: f64,
    },
}

/// Plans the crop for `face` under `spec`.
pub fn plan(face: &FacePoints, spec: &Spec) -> Result<Layout, LayoutError> {
    let roll = face.roll();
    let max_fix = MAX_ROLL_CORRECTION_DEG.to_radians();
    let angle = if spec.edits.roll_correction {
        roll.clamp(-max_fix, max_fix)
    } else {
        0.0
    };
    let down = Point::new(0.0, 1.0).rotate(angle);
    let across = Point::new(1.0, 0.0).rotate(angle);
    let eye_mid = face.eye_mid();
    let v = |p: Point| f64::from(p.minus(eye_mid).dot(down));
    let head_px = v(face.chin) - v(face.crown);
    let eye_depth_px = -v(face.crown);
    if head_px <= 0.0 || eye_depth_px <= 0.0 || v(face.chin) <= 0.0 {
        return Err(LayoutError::Degenerate(
            "crown, eyes and chin are not in order",
        ));
    }
    let ratio = eye_depth_px / head_px;
    let (head_mm, top) = choose_head(spec, ratio)?;
    let px_per_mm = head_px / head_mm;
    let eye_from_top = top + ratio * head_mm;
    let w = spec.width_mm * px_per_mm;
    let h = spec.height_mm * px_per_mm;
    let offset_down = (eye_from_top / spec.height_mm - 0.5) * h;
    let center = eye_mid.minus(down.scale(offset_down as f32));
    let crop = Crop {
        center,
        width: w as f32,
        height: h as f32,
        angle,
    };
    let face_centre_across = f64::from(eye_mid.minus(center).dot(across));
    Ok(Layout {
        crop,
        px_per_mm,
        head_mm,
        eyes_from_bottom_mm: spec.height_mm - eye_from_top,
        crown_to_top_mm: top,
        chin_to_bottom_mm: spec.height_mm - top - head_mm,
        face_width_mm: f64::from(face.face_width) / px_per_mm,
        center_offset_mm: face_centre_across / px_per_mm,
        residual_roll_deg: f64::from((roll - angle).to_degrees()),
    })
}

/// The head size and top margin: the head size nearest the middle of the
/// spec's range for which the vertical constraints leave room, and within
/// that room the preferred top margin.
fn choose_head(spec: &Spec, eye_depth_ratio: f64) -> Result<(f64, f64), LayoutError> {
    let range = spec.head_mm;
    let steps = ((range.max - range.min) / HEAD_STEP_MM).round() as i64;
    let mid = range.mid();
    let mut candidates: Vec<f64> = (0..=steps)
        .map(|i| range.min + i as f64 * (range.max - range.min) / steps.max(1) as f64)
        .collect();
    candidates.sort_by(|a, b| (a - mid).abs().total_cmp(&(b - mid).abs()));
    candidates.insert(0, mid);
    for head in candidates {
        if let Some(top) = top_margin(spec, head, eye_depth_ratio * head) {
            return Ok((head, top));
        }
    }
    Err(LayoutError::Infeasible {
        min: range.min,
        max: range.max,
    })
}

/// The crown's distance from the top edge for a head of `head` mm whose eyes
/// are `eye_depth` mm below the crown, or `None` if the constraints conflict.
fn top_margin(spec: &Spec, head: f64, eye_depth: f64) -> Option<f64> {
    let h = spec.height_mm;
    // The whole head must be in the photo.
    let mut lo: f64 = 0.0;
    let mut hi: f64 = h - head;
    if let Some(r) = spec.crown_to_top_mm {
        lo = lo.max(r.min);
        hi = hi.min(r.max);
    }
    if let Some(r) = spec.eyes_from_bottom_mm {
        lo = lo.max(h - eye_depth - r.max);
        hi = hi.min(h - eye_depth - r.min);
    }
    if let Some(c) = spec.chin_to_bottom_min_mm {
        hi = hi.min(h - head - c);
    }
    if lo > hi + 1e-9 {
        return None;
    }
    let preferred = if let Some(r) = spec.eyes_from_bottom_mm {
        h - eye_depth - r.mid()
    } else if let Some(r) = spec.crown_to_top_mm {
        r.mid()
    } else {
        // Centred with a little more room below, for the neck and shoulders.
        (h - head) * 0.4
    };
    Some(preferred.clamp(lo, hi.max(lo)))
}

/// Checks that a spec's numbers can be met together by a face of typical
/// proportions; spec loading calls this so contradictory files are refused.
pub fn check_feasible(spec: &Spec) -> Result<(), String> {
    choose_head(spec, TYPICAL_EYE_DEPTH)
        .map(|_| ())
        .map_err(|e| format!("{e} (for a face with typical proportions)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;
    use std::path::Path;

    fn us() -> Spec {
        Spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/us-passport.toml")).unwrap()
    }

    /// A level face: eyes 60 px apart at y = 400, crown 150 px above, chin
    /// 160 px below (head 310 px), face 200 px wide, centred at x = 500.
    fn face() -> FacePoints {
        FacePoints {
            eye_image_left: Point::new(470.0, 400.0),
            eye_image_right: Point::new(530.0, 400.0),
            chin: Point::new(500.0, 560.0),
            crown: Point::new(500.0, 250.0),
            face_width: 200.0,
        }
    }

    #[test]
    fn us_passport_puts_head_and_eyes_mid_range() {
        let spec = us();
        let l = plan(&face(), &spec).unwrap();
        assert!(
            (l.head_mm - spec.head_mm.mid()).abs() < 1e-9,
            "{}",
            l.head_mm
        );
        let eyes = spec.eyes_from_bottom_mm.unwrap();
        assert!(
            eyes.contains(l.eyes_from_bottom_mm),
            "{}",
            l.eyes_from_bottom_mm
        );
        assert!(l.center_offset_mm.abs() < 1e-6);
        assert!((l.px_per_mm - 310.0 / l.head_mm).abs() < 1e-9);
        // 2 x 2 in at this scale
        assert!((f64::from(l.crop.width) - 50.8 * l.px_per_mm).abs() < 1e-3);
        assert!((l.crown_to_top_mm + l.head_mm + l.chin_to_bottom_mm - 50.8).abs() < 1e-9);
    }

    #[test]
    fn crop_maps_eyes_and_crown_to_their_planned_mm() {
        let spec = us();
        let f = face();
        let l = plan(&f, &spec).unwrap();
        let (w, h) = spec.size_px(300);
        let px_per_mm_out = f64::from(h) / spec.height_mm;
        let eye = l.crop.output_of(f.eye_mid(), w, h);
        let crown = l.crop.output_of(f.crown, w, h);
        assert!((f64::from(eye.x) - f64::from(w) / 2.0).abs() < 1e-3);
        let eyes_from_bottom = (f64::from(h) - f64::from(eye.y)) / px_per_mm_out;
        assert!((eyes_from_bottom - l.eyes_from_bottom_mm).abs() < 1e-3);
        assert!((f64::from(crown.y) / px_per_mm_out - l.crown_to_top_mm).abs() < 1e-3);
        // and back again
        let back = l.crop.source_of(eye.x, eye.y, w, h);
        assert!(back.dist(f.eye_mid()) < 1e-3);
    }

    #[test]
    fn tilted_face_is_levelled_when_allowed() {
        let spec = us();
        let mut f = face();
        let a = 10f32.to_radians();
        let rot =
            |p: Point| Point::new(500.0, 400.0).plus(p.minus(Point::new(500.0, 400.0)).rotate(a));
        f.eye_image_left = rot(f.eye_image_left);
        f.eye_image_right = rot(f.eye_image_right);
        f.chin = rot(f.chin);
        f.crown = rot(f.crown);
        let l = plan(&f, &spec).unwrap();
        assert!((l.crop.angle - a).abs() < 1e-5);
        assert!(l.residual_roll_deg.abs() < 1e-4);
        assert!((l.head_mm - spec.head_mm.mid()).abs() < 1e-6);
    }

    #[test]
    fn tilt_stays_when_the_spec_forbids_rotation() {
        let mut spec = us();
        spec.edits.roll_correction = false;
        let mut f = face();
        f.eye_image_right.y += 10.0;
        let l = plan(&f, &spec).unwrap();
        assert_eq!(l.crop.angle, 0.0);
        assert!((l.residual_roll_deg - f64::from((10f32 / 60.0).atan().to_degrees())).abs() < 1e-4);
    }

    #[test]
    fn a_margin_constraint_moves_the_head() {
        let mut spec = us();
        spec.eyes_from_bottom_mm = None;
        spec.crown_to_top_mm = Some(crate::spec::MmRange { min: 2.0, max: 3.0 });
        let l = plan(&face(), &spec).unwrap();
        assert!((l.crown_to_top_mm - 2.5).abs() < 1e-9);
    }

    #[test]
    fn contradictory_constraints_are_infeasible() {
        let mut spec = us();
        spec.eyes_from_bottom_mm = Some(crate::spec::MmRange {
            min: 49.0,
            max: 50.0,
        });
        assert!(matches!(
            plan(&face(), &spec),
            Err(LayoutError::Infeasible { .. })
        ));
        assert!(check_feasible(&spec).is_err());
    }

    #[test]
    fn crown_below_eyes_is_degenerate() {
        let mut f = face();
        f.crown.y = 450.0;
        assert!(matches!(plan(&f, &us()), Err(LayoutError::Degenerate(_))));
    }
}
