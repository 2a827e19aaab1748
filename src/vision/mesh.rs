//! MediaPipe face mesh: 468 landmarks on a rotated crop around a detection.

use std::path::Path;

use super::detection::{Detection, Keypoint};
use super::preprocess::{Normalise, fill_tensor};
use super::runtime::{Model, ModelError};
use crate::imaging::RgbImage;
use crate::imaging::geometry::{Point, TensorMap};

/// Landmark count.
pub const POINTS: usize = 468;
const SIZE: u32 = 192;
/// MediaPipe enlarges the detection box by this for the mesh crop.
const ROI_SCALE: f32 = 1.5;

/// Landmark indices used by the checks (MediaPipe's canonical face mesh).
/// "Right"/"left" are the subject's.
pub mod idx {
    /// Contour of the subject's right eye (image left).
    pub const RIGHT_EYE: [usize; 16] = [
        33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
    ];
    /// Contour of the subject's left eye (image right).
    pub const LEFT_EYE: [usize; 16] = [
        263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
    ];
    /// Right eye: outer corner, inner corner, upper lid, lower lid.
    pub const RIGHT_EYE_LIDS: [usize; 4] = [33, 133, 159, 145];
    /// Left eye: outer corner, inner corner, upper lid, lower lid.
    pub const LEFT_EYE_LIDS: [usize; 4] = [263, 362, 386, 374];
    /// Lowest point of the chin.
    pub const CHIN: usize = 152;
    /// Top of the forehead on the face oval (below the hairline).
    pub const FOREHEAD: usize = 10;
    /// Tip of the nose.
    pub const NOSE_TIP: usize = 1;
    /// Mouth: left corner, right corner (image order), inner upper lip, inner lower lip.
    pub const MOUTH: [usize; 4] = [61, 291, 13, 14];
    /// Outer upper lip centre.
    pub const UPPER_LIP: usize = 0;
    /// Face edges at the cheekbones: subject's right (image left), left.
    pub const CHEEKS: [usize; 2] = [234, 454];
    /// Face oval, in order around the face.
    pub const FACE_OVAL: [usize; 36] = [
        10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
        152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    ];
}

/// 468 landmarks in image pixels, z in the same scale (towards the camera
/// negative), and the model's confidence that a face is there.
#[derive(Debug, Clone)]
pub struct FaceMesh {
    /// x, y in image pixels; z relative depth in pixels.
    pub points: Box<[[f32; 3]; POINTS]>,
    /// Face presence, 0-1.
    pub presence: f32,
}

impl FaceMesh {
    /// A landmark's image position.
    pub fn pt(&self, i: usize) -> Point {
        Point::new(self.points[i][0], self.points[i][1])
    }

    /// Mean position of several landmarks.
    pub fn mean(&self, ids: &[usize]) -> Point {
        let s = ids
            .iter()
            .fold(Point::default(), |a, &i| a.plus(self.pt(i)));
        s.scale(1.0 / ids.len() as f32)
    }

    /// The mesh on an image `f` times larger.
    pub fn scaled(mut self, f: f32) -> Self {
        for p in self.points.iter_mut() {
            *p = p.map(|v| v * f);
        }
        self
    }

    /// Centre of the subject's right eye (image left).
    pub fn right_eye(&self) -> Point {
        self.mean(&idx::RIGHT_EYE)
    }

    /// Centre of the subject's left eye (image right).
    pub fn left_eye(&self) -> Point {
        self.mean(&idx::LEFT_EYE)
    }
}

/// The face mesh model.
#[derive(Debug)]
pub struct MeshModel {
    model: Model,
}

impl MeshModel {
    /// Loads `face_landmark.tflite`.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let model = Model::load(path, &[1, 192, 192, 3], &[&[1, 1, 1, 1404], &[1, 1, 1, 1]])?;
        Ok(Self { model })
    }

    /// Landmarks for the face found by `det`.
    pub fn run(&mut self, img: &RgbImage, det: &Detection) -> Result<FaceMesh, ModelError> {
        let map = roi(det);
        self.model
            .run(|sink| fill_tensor(img, &map, SIZE, Normalise::Unit, sink))?;
        let raw = self.model.output(0);
        let mut points = Box::new([[0f32; 3]; POINTS]);
        let step = map.u.dist(Point::default());
        for (i, p) in points.iter_mut().enumerate() {
            let t = Point::new(raw[i * 3], raw[i * 3 + 1]);
            let q = map.to_image(t);
            *p = [q.x, q.y, raw[i * 3 + 2] * step];
        }
        let logit = self.model.output(1)[0];
        Ok(FaceMesh {
            points,
            presence: 1.0 / (1.0 + (-logit).exp()),
        })
    }

    /// Zeroes the model's tensors.
    pub fn wipe(&mut self) -> Result<(), ModelError> {
        self.model.wipe()
    }
}

/// MediaPipe's crop for the mesh: the detection box made square (long side),
/// enlarged 1.5 times, rotated so the eyes are level.
pub fn roi(det: &Detection) -> TensorMap {
    let r = det.keypoint(Keypoint::RightEye);
    let l = det.keypoint(Keypoint::LeftEye);
    let angle = (l.y - r.y).atan2(l.x - r.x);
    let side = det.bbox.w.max(det.bbox.h) * ROI_SCALE;
    TensorMap::rotated_square(det.bbox.center(), side, angle, SIZE)
}
