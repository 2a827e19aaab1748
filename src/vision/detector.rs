//! BlazeFace on a whole image: letterbox in, faces in image pixels out.

use std::path::Path;

use super::anchors::{self, AnchorSpec};
use super::detection::{self, DecodeParams, Detection};
use super::preprocess::{Normalise, fill_tensor};
use super::runtime::{Model, ModelError};
use crate::imaging::RgbImage;
use crate::imaging::geometry::{Point, TensorMap};

/// Which BlazeFace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// Faces within about 2 m, filling a good part of the frame: the live
    /// viewfinder.
    Short,
    /// Small and far faces (group photos, full-body shots): `compose`.
    Full,
}

impl Range {
    fn anchors(self) -> AnchorSpec {
        match self {
            Range::Short => anchors::SHORT_RANGE,
            Range::Full => anchors::FULL_RANGE,
        }
    }
}

/// Minimum face score. MediaPipe's default for both models.
pub const MIN_SCORE: f32 = 0.5;
/// Boxes overlapping more than this are one face. MediaPipe's default.
pub const NMS_IOU: f32 = 0.3;

/// A loaded face detector with all per-frame memory reserved.
#[derive(Debug)]
pub struct FaceDetector {
    model: Model,
    anchors: Vec<[f32; 2]>,
    params: DecodeParams,
    size: u32,
    candidates: Vec<Detection>,
    faces: Vec<Detection>,
}

impl FaceDetector {
    /// Loads a BlazeFace model file of the given range.
    pub fn load(path: &Path, range: Range) -> Result<Self, ModelError> {
        let spec = range.anchors();
        let anchors = anchors::generate(&spec);
        let s = spec.input_size as i32;
        let n = anchors.len() as i32;
        let model = Model::load(path, &[1, s, s, 3], &[&[1, n, 16], &[1, n, 1]])?;
        Ok(Self {
            model,
            params: DecodeParams {
                input_size: spec.input_size as f32,
                min_score: MIN_SCORE,
                nms_iou: NMS_IOU,
            },
            size: spec.input_size,
            candidates: zeroed_with_capacity(anchors.len()),
            faces: zeroed_with_capacity(anchors.len()),
            anchors,
        })
    }

    /// True for the int8 model.
    pub fn is_int8(&self) -> bool {
        self.model.is_int8()
    }

    /// Faces in `img`, best first, in image pixels. Allocates nothing.
    pub fn detect(&mut self, img: &RgbImage) -> Result<&[Detection], ModelError> {
        let map = TensorMap::letterbox(img.width(), img.height(), self.size);
        let size = self.size;
        self.model
            .run(|sink| fill_tensor(img, &map, size, Normalise::SignedUnit, sink))?;
        detection::decode(
            self.model.output(0),
            self.model.output(1),
            &self.anchors,
            &self.params,
            &mut self.candidates,
            &mut self.faces,
        );
        let s = self.size as f32;
        for d in self.faces.iter_mut() {
            *d = d.map(|p| map.to_image(Point::new(p.x * s, p.y * s)));
        }
        Ok(&self.faces)
    }

    /// True when the tensors hold nothing of the last frame.
    /// Empty vectors are not enough: their spare capacity still holds the
    /// boxes and keypoints of earlier frames, so every slot is checked.
    pub fn is_wiped(&self) -> Result<bool, ModelError> {
        Ok(self.faces.is_empty()
            && self.candidates.is_empty()
            && all_slots_zero(&self.faces)
            && all_slots_zero(&self.candidates)
            && self.model.is_wiped()?)
    }

    /// Zeroes the model's tensors and every slot of our decoded faces.
    pub fn wipe(&mut self) -> Result<(), ModelError> {
        zero_slots(&mut self.candidates);
        zero_slots(&mut self.faces);
        self.model.wipe()
    }
}

const ZERO: Detection = Detection {
    score: 0.0,
    bbox: crate::imaging::geometry::Rect {
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
    },
    keypoints: [Point { x: 0.0, y: 0.0 }; detection::KEYPOINTS],
};

/// An empty vector whose every slot up to `n` has been written (zeroes), so
/// the whole capacity can be checked later. Detection never grows it: `n`
/// is the number of anchors, the most candidates a frame can give.
fn zeroed_with_capacity(n: usize) -> Vec<Detection> {
    let mut v = vec![ZERO; n];
    v.clear();
    v
}

/// Overwrites every slot, in use or not, with zeroes and empties `v`.
fn zero_slots(v: &mut Vec<Detection>) {
    let cap = v.capacity();
    v.clear();
    v.resize(cap, ZERO);
    v.clear();
    // Keep the writes: the slots are not read again by Rust code.
    std::hint::black_box(v.as_ptr());
}

/// Whether every slot of `v`'s capacity, in use or not, is zero.
fn all_slots_zero(v: &Vec<Detection>) -> bool {
    // SAFETY: every slot up to the capacity was written when the vector was
    // made (zeroed_with_capacity) and only overwritten with whole values
    // since; detection never grows it past that capacity, so it was never
    // reallocated and all those slots are initialized Detections.
    let slots = unsafe { std::slice::from_raw_parts(v.as_ptr(), v.capacity()) };
    slots.iter().all(|d| *d == ZERO)
}
