//! Live framing: where the head should be on the viewfinder for the chosen
//! spec (the overlay the screen draws), and, from each frame's faces, the one
//! instruction that matters most now.

use crate::spec::Spec;
use crate::vision::detection::KEYPOINTS;
use crate::vision::metrics::FaceMetrics;
use crate::vision::{Detection, Keypoint, Point, Rect};

use super::prompts::Prompt;

/// Share of the viewfinder's height the spec's photo should span: enough
/// pixels in the still, with room to spare for the layout.
pub const CROP_SHARE: f32 = 0.8;
/// Head height (chin to crown) over BlazeFace's box height, measured on the
/// astronaut (161 px head, 92 px short-range box: 1.75) and rounded down for
/// shorter hair.
pub const HEAD_PER_BOX: f32 = 1.7;
/// The face may be this much smaller or larger than planned (the layout
/// scales; this only keeps the still sharp and the crop inside the frame).
pub const SIZE_TOLERANCE: f32 = 0.15;
/// Eye midpoint may be this far off the planned point, share of frame size.
pub const POSITION_TOLERANCE: f32 = 0.06;
/// Nose offset from the eye midpoint, share of the eye distance, beyond which
/// the head is turned (BlazeFace keypoints; about 0.35 at 20 degrees).
pub const MAX_NOSE_OFFSET: f32 = 0.18;
/// Eye-line tilt beyond which the person is asked to straighten up, degrees
/// (the photo is levelled only where the spec allows it).
pub const MAX_TILT_DEG: f32 = 8.0;
/// Nose depth below the eyes over mouth depth: 0.49 on the astronaut looking
/// straight ahead. Provisional limits until measured on booth footage.
pub const NOSE_DEPTH: (f32, f32) = (0.36, 0.62);
/// Face centre movement between frames, share of frame height, that counts
/// as moving.
pub const STILL_SHARE: f32 = 0.015;

/// Red: nothing usable. Amber: a face to adjust. Green: ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// No usable face.
    Red,
    /// A face that needs adjusting.
    Amber,
    /// Ready to take the photo.
    Green,
}

/// What the screen draws over the viewfinder, in viewfinder pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlay {
    /// The area that will become the photo.
    pub crop: Rect,
    /// Where the eye midpoint should be.
    pub eyes: Point,
    /// The head oval: centre and half-axes.
    pub oval: (Point, f32, f32),
    /// Band (top, bottom y) the crown should fall in.
    pub crown_band: (f32, f32),
    /// Band the chin should fall in.
    pub chin_band: (f32, f32),
    /// Band the eye line should fall in, where the spec sets one.
    pub eye_band: Option<(f32, f32)>,
    /// Expected head height, px.
    pub head_px: f32,
}

impl Overlay {
    /// The overlay for `spec` on a `w` x `h` viewfinder.
    pub fn new(spec: &Spec, w: u32, h: u32) -> Overlay {
        let (w, h) = (w as f32, h as f32);
        let crop_h = h * CROP_SHARE;
        let px_per_mm = crop_h / spec.height_mm as f32;
        let crop_w = spec.width_mm as f32 * px_per_mm;
        let crop = Rect {
            x: (w - crop_w) / 2.0,
            y: (h - crop_h) / 2.0,
            w: crop_w,
            h: crop_h,
        };
        let head_mm = spec.head_mm.mid() as f32;
        let head_px = head_mm * px_per_mm;
        // Vertical placement as the layout would choose for typical proportions.
        let eye_depth = crate::spec::feasible::TYPICAL_EYE_DEPTH as f32 * head_mm;
        let top_mm = match (spec.eyes_from_bottom_mm, spec.crown_to_top_mm) {
            (Some(e), _) => spec.height_mm as f32 - eye_depth - e.mid() as f32,
            (None, Some(c)) => c.mid() as f32,
            (None, None) => (spec.height_mm as f32 - head_mm) * 0.4,
        };
        let y = |mm: f32| crop.y + mm * px_per_mm;
        let band = |lo: f32, hi: f32| (y(lo), y(hi));
        let (hmin, hmax) = (spec.head_mm.min as f32, spec.head_mm.max as f32);
        let crown = top_mm;
        let chin = top_mm + head_mm;
        let eyes = Point::new(w / 2.0, y(top_mm + eye_depth));
        Overlay {
            crop,
            eyes,
            oval: (
                Point::new(w / 2.0, y(crown + head_mm / 2.0)),
                head_px * 0.36,
                head_px / 2.0,
            ),
            crown_band: band(
                crown - (head_mm - hmin) / 2.0,
                crown + (hmax - head_mm) / 2.0,
            ),
            chin_band: band(chin - (head_mm - hmin) / 2.0, chin + (hmax - head_mm) / 2.0),
            eye_band: spec.eyes_from_bottom_mm.map(|e| {
                band(
                    spec.height_mm as f32 - e.max as f32,
                    spec.height_mm as f32 - e.min as f32,
                )
            }),
            head_px,
        }
    }

    /// A face exactly where this overlay wants it.
    pub fn framed_face(&self) -> Detection {
        frontal_face(self.eyes, self.head_px)
    }
}

/// A frontal face whose eyes sit at `eyes`, with a box sized for `head` px
/// of head, as BlazeFace reports one: the guide's own idea of a face, for a
/// scripted detector and the guide's tests.
pub fn frontal_face(eyes: Point, head: f32) -> Detection {
    let bh = head / HEAD_PER_BOX;
    let ed = bh * 0.45;
    let mut kp = [Point::default(); KEYPOINTS];
    kp[Keypoint::RightEye as usize] = Point::new(eyes.x - ed / 2.0, eyes.y);
    kp[Keypoint::LeftEye as usize] = Point::new(eyes.x + ed / 2.0, eyes.y);
    kp[Keypoint::NoseTip as usize] = Point::new(eyes.x, eyes.y + bh * 0.2);
    kp[Keypoint::Mouth as usize] = Point::new(eyes.x, eyes.y + bh * 0.41);
    Detection {
        score: 0.9,
        bbox: Rect {
            x: eyes.x - bh / 2.0,
            y: eyes.y - bh * 0.3,
            w: bh,
            h: bh,
        },
        keypoints: kp,
    }
}

/// The eye check runs on one ready frame in this many (the face mesh costs
/// more than the detector; eyes stay shut longer than three frames).
pub const EYE_CHECK_EVERY: u32 = 3;

/// The live eye check, run on the face mesh when everything else is ready:
/// closed eyes get their own instruction. Same limit as the final check.
pub fn eyes_advice(m: &crate::vision::metrics::FaceMetrics) -> Option<(Prompt, Signal)> {
    (f64::from(m.eye_openness) < crate::checks::thresholds::MIN_EYE_OPENNESS)
        .then_some((Prompt::OpenEyes, Signal::Amber))
}

/// Turns each frame's faces into one instruction.
#[derive(Debug, Clone)]
pub struct Guide {
    overlay: Overlay,
    frame_h: f32,
    last_centre: Option<Point>,
    /// Ready frames seen, for the eye check's rhythm.
    ready_frames: u32,
    /// What the last eye check found: closed eyes hold "open your eyes"
    /// until the next check says otherwise.
    eyes_closed: bool,
}

impl Guide {
    /// A guide for `overlay` on frames `frame_h` pixels high.
    pub fn new(overlay: Overlay, frame_h: u32) -> Self {
        Self {
            overlay,
            frame_h: frame_h as f32,
            last_centre: None,
            ready_frames: 0,
            eyes_closed: false,
        }
    }

    /// This frame's instruction from [`Guide::advise`], with the eye check
    /// folded in: `eyes` measures `face` (the first face of the frame) and is
    /// called on one ready frame in [`EYE_CHECK_EVERY`]. Closed eyes turn
    /// "ready" into "open your eyes" until a later check sees them open or
    /// the face is no longer ready.
    pub fn with_eyes<E>(
        &mut self,
        advice: (Prompt, Signal),
        face: Option<&Detection>,
        eyes: impl FnOnce(&Detection) -> Result<FaceMetrics, E>,
    ) -> Result<(Prompt, Signal), E> {
        let Some(face) = face.filter(|_| advice.0 == Prompt::Ready) else {
            self.eyes_closed = false;
            return Ok(advice);
        };
        self.ready_frames = self.ready_frames.wrapping_add(1);
        if self.ready_frames.is_multiple_of(EYE_CHECK_EVERY) {
            self.eyes_closed = eyes_advice(&eyes(face)?).is_some();
        }
        Ok(if self.eyes_closed {
            (Prompt::OpenEyes, Signal::Amber)
        } else {
            advice
        })
    }

    /// Forgets the last person (a session's end).
    pub fn forget(&mut self) {
        self.last_centre = None;
        self.eyes_closed = false;
    }

    /// The overlay to draw.
    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }

    /// The instruction for this frame's faces (viewfinder pixels, camera
    /// orientation: the person's own left is the image's right).
    pub fn advise(&mut self, faces: &[Detection]) -> (Prompt, Signal) {
        let face = match faces {
            [] => {
                self.last_centre = None;
                return (Prompt::StepIn, Signal::Red);
            }
            [one] => one,
            _ => {
                self.last_centre = None;
                return (Prompt::OnlyOnePerson, Signal::Red);
            }
        };
        let centre = face.bbox.center();
        let moved = self
            .last_centre
            .map_or(0.0, |c| c.dist(centre) / self.frame_h);
        self.last_centre = Some(centre);

        let o = &self.overlay;
        let head = face.bbox.h * HEAD_PER_BOX;
        if head < o.head_px * (1.0 - SIZE_TOLERANCE) {
            return (Prompt::MoveCloser, Signal::Amber);
        }
        if head > o.head_px * (1.0 + SIZE_TOLERANCE) {
            return (Prompt::StepBack, Signal::Amber);
        }
        let (re, le) = (
            face.keypoint(Keypoint::RightEye),
            face.keypoint(Keypoint::LeftEye),
        );
        let eyes = re.mid(le);
        let tol = POSITION_TOLERANCE * self.frame_h;
        // The image's right is the person's own left.
        if eyes.x > o.eyes.x + tol {
            return (Prompt::MoveRight, Signal::Amber);
        }
        if eyes.x < o.eyes.x - tol {
            return (Prompt::MoveLeft, Signal::Amber);
        }
        if eyes.y > o.eyes.y + tol {
            return (Prompt::MoveUp, Signal::Amber);
        }
        if eyes.y < o.eyes.y - tol {
            return (Prompt::MoveDown, Signal::Amber);
        }
        let eye_dist = re.dist(le).max(1.0);
        let nose = face.keypoint(Keypoint::NoseTip);
        let along = (le.minus(re)).scale(1.0 / eye_dist);
        if (nose.minus(eyes).dot(along) / eye_dist).abs() > MAX_NOSE_OFFSET {
            return (Prompt::LookStraight, Signal::Amber);
        }
        let tilt = (le.y - re.y).atan2(le.x - re.x).to_degrees();
        if tilt.abs() > MAX_TILT_DEG {
            return (Prompt::HeadStraight, Signal::Amber);
        }
        let down = Point::new(-along.y, along.x);
        let mouth = face.keypoint(Keypoint::Mouth);
        let depth = nose.minus(eyes).dot(down) / mouth.minus(eyes).dot(down).max(1.0);
        if depth < NOSE_DEPTH.0 {
            return (Prompt::LowerChin, Signal::Amber);
        }
        if depth > NOSE_DEPTH.1 {
            return (Prompt::RaiseChin, Signal::Amber);
        }
        if moved > STILL_SHARE {
            return (Prompt::HoldStill, Signal::Amber);
        }
        (Prompt::Ready, Signal::Green)
    }
}

#[cfg(test)]
mod tests {
    use super::frontal_face as face;
    use super::*;
    use std::path::Path;

    fn spec() -> Spec {
        Spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/us-passport.toml")).unwrap()
    }

    fn guide() -> Guide {
        Guide::new(Overlay::new(&spec(), 640, 480), 480)
    }

    #[test]
    fn overlay_bands_follow_the_spec_in_millimetres() {
        let o = Overlay::new(&spec(), 640, 480);
        let px_per_mm = 480.0 * CROP_SHARE / 50.8;
        assert!((o.crop.h - 384.0).abs() < 1e-3 && (o.crop.w - 384.0).abs() < 1e-3);
        let (top, bottom) = o.eye_band.unwrap();
        assert!(((o.crop.y + o.crop.h - top) / px_per_mm - 34.9).abs() < 1e-3);
        assert!(((o.crop.y + o.crop.h - bottom) / px_per_mm - 28.6).abs() < 1e-3);
        assert!(
            o.crown_band.0 < o.crown_band.1
                && o.crown_band.1 < o.eyes.y
                && o.eyes.y < o.chin_band.0
        );
    }

    #[test]
    fn a_well_placed_still_face_is_ready() {
        let mut g = guide();
        let o = *g.overlay();
        let f = face(o.eyes, o.head_px);
        assert_eq!(g.advise(&[f]), (Prompt::Ready, Signal::Green));
        assert_eq!(g.advise(&[f]), (Prompt::Ready, Signal::Green));
    }

    #[test]
    fn each_problem_gets_its_instruction() {
        let o = *guide().overlay();
        let cases = [
            (vec![], Prompt::StepIn),
            (
                vec![
                    face(o.eyes, o.head_px),
                    face(o.eyes.plus(Point::new(150.0, 0.0)), o.head_px),
                ],
                Prompt::OnlyOnePerson,
            ),
            (vec![face(o.eyes, o.head_px * 0.6)], Prompt::MoveCloser),
            (vec![face(o.eyes, o.head_px * 1.4)], Prompt::StepBack),
            (
                vec![face(o.eyes.plus(Point::new(60.0, 0.0)), o.head_px)],
                Prompt::MoveRight,
            ),
            (
                vec![face(o.eyes.plus(Point::new(-60.0, 0.0)), o.head_px)],
                Prompt::MoveLeft,
            ),
            (
                vec![face(o.eyes.plus(Point::new(0.0, 60.0)), o.head_px)],
                Prompt::MoveUp,
            ),
            (
                vec![face(o.eyes.plus(Point::new(0.0, -60.0)), o.head_px)],
                Prompt::MoveDown,
            ),
        ];
        for (faces, want) in cases {
            let mut g = guide();
            assert_eq!(g.advise(&faces).0, want, "{faces:?}");
        }
    }

    #[test]
    fn turned_tilted_and_nodding_heads_are_named() {
        let o = *guide().overlay();
        let base = face(o.eyes, o.head_px);
        let mut turned = base;
        turned.keypoints[Keypoint::NoseTip as usize].x += 20.0;
        let mut tilted = base;
        tilted.keypoints[Keypoint::LeftEye as usize].y += 12.0;
        tilted.keypoints[Keypoint::RightEye as usize].y -= 12.0;
        let mut chin_up = base;
        chin_up.keypoints[Keypoint::NoseTip as usize].y -= 15.0;
        let mut chin_down = base;
        chin_down.keypoints[Keypoint::NoseTip as usize].y += 15.0;
        for (f, want) in [
            (turned, Prompt::LookStraight),
            (tilted, Prompt::HeadStraight),
            (chin_up, Prompt::LowerChin),
            (chin_down, Prompt::RaiseChin),
        ] {
            assert_eq!(guide().advise(&[f]).0, want);
        }
    }

    #[test]
    fn closed_eyes_are_told_to_open() {
        use crate::vision::metrics::FaceMetrics;
        let m = |eye_openness| FaceMetrics {
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
            eye_openness,
            mouth_open: 0.0,
            smile: 0.0,
        };
        assert_eq!(
            eyes_advice(&m(0.05)),
            Some((Prompt::OpenEyes, Signal::Amber))
        );
        assert_eq!(eyes_advice(&m(0.30)), None);
    }

    #[test]
    fn moving_is_told_to_hold_still() {
        let mut g = guide();
        let o = *g.overlay();
        g.advise(&[face(o.eyes, o.head_px)]);
        let moved = face(o.eyes.plus(Point::new(12.0, 0.0)), o.head_px);
        assert_eq!(g.advise(&[moved]), (Prompt::HoldStill, Signal::Amber));
    }

    #[test]
    fn closed_eyes_hold_open_your_eyes_from_one_check_to_the_next() {
        let mut g = guide();
        let o = *g.overlay();
        let f = face(o.eyes, o.head_px);
        let closed = FaceMetrics {
            eye_openness: 0.02,
            ..crate::vision::live::OPEN_EYES
        };
        let mut checks = 0;
        {
            let mut turn = |g: &mut Guide, m: FaceMetrics| {
                let advice = g.advise(&[f]);
                g.with_eyes(advice, Some(&f), |_| {
                    checks += 1;
                    Ok::<_, ()>(m)
                })
                .unwrap()
            };
            // Two ready frames pass unchecked; the third is checked.
            assert_eq!(turn(&mut g, closed), (Prompt::Ready, Signal::Green));
            assert_eq!(turn(&mut g, closed), (Prompt::Ready, Signal::Green));
            assert_eq!(turn(&mut g, closed), (Prompt::OpenEyes, Signal::Amber));
            // Held until the next check sees them open.
            assert_eq!(
                turn(&mut g, crate::vision::live::OPEN_EYES),
                (Prompt::OpenEyes, Signal::Amber)
            );
            assert_eq!(
                turn(&mut g, crate::vision::live::OPEN_EYES),
                (Prompt::OpenEyes, Signal::Amber)
            );
            assert_eq!(
                turn(&mut g, crate::vision::live::OPEN_EYES),
                (Prompt::Ready, Signal::Green)
            );
        }
        assert_eq!(checks, 2);
        // A face that is no longer ready clears it at once.
        let mut g = guide();
        for _ in 0..3 {
            let advice = g.advise(&[f]);
            g.with_eyes(advice, Some(&f), |_| Ok::<_, ()>(closed))
                .unwrap();
        }
        let away = face(Point::new(o.eyes.x + 100.0, o.eyes.y), o.head_px);
        let advice = g.advise(&[away]);
        assert_eq!(advice.0, Prompt::MoveRight);
        assert_eq!(
            g.with_eyes(advice, Some(&away), |_| Ok::<_, ()>(closed)),
            Ok(advice)
        );
    }
}
