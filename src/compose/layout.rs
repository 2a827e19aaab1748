//! Where the head goes in the photo: one pure function from measured face
//! points and a spec to a crop, satisfying every constraint of the spec at
//! once (head size, eye line, top margin, room under the chin, centring).

use serde::Serialize;

use crate::imaging::geometry::Point;
use crate::imaging::warp::Crop;
use crate::spec::Spec;
use crate::spec::feasible::choose_head;

/// Largest tilt the booth straightens (where the spec allows rotation); a
/// head tilted further is a pose problem to fix, not to hide.
pub const MAX_ROLL_CORRECTION_DEG: f32 = 20.0;

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
    let (head_mm, top) = choose_head(spec, ratio).ok_or(LayoutError::Infeasible {
        min: spec.head_mm.min,
        max: spec.head_mm.max,
    })?;
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
        assert!(crate::spec::feasible::check_feasible(&spec).is_err());
    }

    #[test]
    fn crown_below_eyes_is_degenerate() {
        let mut f = face();
        f.crown.y = 450.0;
        assert!(matches!(plan(&f, &us()), Err(LayoutError::Degenerate(_))));
    }
}
