//! What the live loop asks of the models on each viewfinder frame (the faces,
//! and the eyes of the one in front), behind a trait: the booth runs the
//! LiteRT models, and a scripted detector lets a test say exactly what the
//! camera "sees" without loading a model.

use super::Detection;
use super::metrics::FaceMetrics;
use super::runtime::ModelError;
use crate::imaging::RgbImage;

/// The live loop's detector.
pub trait LiveDetector {
    /// The faces in `frame`, viewfinder pixels, best first.
    fn faces(&mut self, frame: &RgbImage) -> Result<&[Detection], ModelError>;
    /// The measurements of `face`'s eyes, mouth and pose in `frame`.
    fn eyes(&mut self, frame: &RgbImage, face: &Detection) -> Result<FaceMetrics, ModelError>;
    /// Zeroes what the models hold of the last frame (end of a session).
    fn wipe(&mut self) -> Result<(), ModelError>;
}

impl<T: LiveDetector + ?Sized> LiveDetector for Box<T> {
    fn faces(&mut self, frame: &RgbImage) -> Result<&[Detection], ModelError> {
        (**self).faces(frame)
    }
    fn eyes(&mut self, frame: &RgbImage, face: &Detection) -> Result<FaceMetrics, ModelError> {
        (**self).eyes(frame, face)
    }
    fn wipe(&mut self) -> Result<(), ModelError> {
        (**self).wipe()
    }
}

/// Open eyes, a closed mouth, facing the camera: what the mesh reads on a
/// person ready for the photo.
pub const OPEN_EYES: FaceMetrics = FaceMetrics {
    yaw_deg: 0.0,
    pitch_deg: 0.0,
    roll_deg: 0.0,
    eye_openness: 0.3,
    mouth_open: 0.0,
    smile: 0.0,
};

/// One frame as the scripted detector reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sight {
    /// The faces.
    pub faces: Vec<Detection>,
    /// What the eye check measures on the first.
    pub eyes: FaceMetrics,
}

impl Sight {
    /// Nobody in front of the camera.
    pub fn nobody() -> Self {
        Self {
            faces: Vec::new(),
            eyes: OPEN_EYES,
        }
    }

    /// One face with open eyes.
    pub fn face(face: Detection) -> Self {
        Self {
            faces: vec![face],
            eyes: OPEN_EYES,
        }
    }
}

/// A detector that reports a script, one [`Sight`] per frame, holding the
/// last one; a wipe (a session's end) starts the script again, as the next
/// person steps in. No model, no pixels read.
#[derive(Debug, Clone)]
pub struct ScriptedDetector {
    script: Vec<Sight>,
    next: usize,
    current: usize,
    wipes: u32,
}

impl ScriptedDetector {
    /// A detector that reports `script` (at least one sight).
    pub fn new(script: Vec<Sight>) -> Self {
        let script = if script.is_empty() {
            vec![Sight::nobody()]
        } else {
            script
        };
        Self {
            script,
            next: 0,
            current: 0,
            wipes: 0,
        }
    }

    /// How many times it was wiped.
    pub fn wipes(&self) -> u32 {
        self.wipes
    }
}

impl LiveDetector for ScriptedDetector {
    fn faces(&mut self, _frame: &RgbImage) -> Result<&[Detection], ModelError> {
        self.current = self.next.min(self.script.len() - 1);
        self.next = self.next.saturating_add(1);
        Ok(&self.script[self.current].faces)
    }

    fn eyes(&mut self, _frame: &RgbImage, _face: &Detection) -> Result<FaceMetrics, ModelError> {
        Ok(self.script[self.current].eyes)
    }

    fn wipe(&mut self) -> Result<(), ModelError> {
        self.next = 0;
        self.current = 0;
        self.wipes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::geometry::{Point, Rect};

    fn at(x: f32) -> Detection {
        Detection {
            score: 0.9,
            bbox: Rect {
                x,
                y: 0.0,
                w: 10.0,
                h: 10.0,
            },
            keypoints: [Point::default(); crate::vision::detection::KEYPOINTS],
        }
    }

    #[test]
    fn the_script_plays_one_sight_a_frame_holds_the_last_and_restarts_on_wipe() {
        let closed = FaceMetrics {
            eye_openness: 0.02,
            ..OPEN_EYES
        };
        let mut d = ScriptedDetector::new(vec![
            Sight::nobody(),
            Sight {
                faces: vec![at(1.0)],
                eyes: closed,
            },
            Sight::face(at(2.0)),
        ]);
        let frame = RgbImage::black(4, 4);
        assert!(d.faces(&frame).unwrap().is_empty());
        assert_eq!(d.faces(&frame).unwrap()[0].bbox.x, 1.0);
        assert_eq!(d.eyes(&frame, &at(1.0)).unwrap().eye_openness, 0.02);
        for _ in 0..3 {
            assert_eq!(d.faces(&frame).unwrap()[0].bbox.x, 2.0);
            assert_eq!(d.eyes(&frame, &at(2.0)).unwrap(), OPEN_EYES);
        }
        d.wipe().unwrap();
        assert!(d.faces(&frame).unwrap().is_empty());
        assert_eq!(d.wipes(), 1);
    }
}
