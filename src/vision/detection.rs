//! BlazeFace output decoding and weighted non-maximum suppression, as in
//! MediaPipe's `TensorsToDetectionsCalculator` and `NonMaxSuppressionCalculator`.

use crate::imaging::geometry::{Point, Rect};

/// Number of keypoints BlazeFace predicts.
pub const KEYPOINTS: usize = 6;

/// Index of each keypoint. "Right" and "left" are the subject's: the right
/// eye appears on the image's left.
#[derive(Debug, Clone, Copy)]
#[repr(usize)]
pub enum Keypoint {
    /// The subject's right eye.
    RightEye = 0,
    /// The subject's left eye.
    LeftEye = 1,
    /// Tip of the nose.
    NoseTip = 2,
    /// Centre of the mouth.
    Mouth = 3,
    /// The subject's right ear tragion.
    RightEar = 4,
    /// The subject's left ear tragion.
    LeftEar = 5,
}

/// One detected face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Confidence, 0-1.
    pub score: f32,
    /// Face box.
    pub bbox: Rect,
    /// Keypoints, indexed by [`Keypoint`].
    pub keypoints: [Point; KEYPOINTS],
}

impl Detection {
    /// A keypoint by name.
    pub fn keypoint(&self, k: Keypoint) -> Point {
        self.keypoints[k as usize]
    }

    /// The same detection with every coordinate passed through `f`.
    pub fn map(&self, f: impl Fn(Point) -> Point) -> Detection {
        let a = f(Point::new(self.bbox.x, self.bbox.y));
        let b = f(Point::new(
            self.bbox.x + self.bbox.w,
            self.bbox.y + self.bbox.h,
        ));
        Detection {
            score: self.score,
            bbox: Rect {
                x: a.x.min(b.x),
                y: a.y.min(b.y),
                w: (b.x - a.x).abs(),
                h: (b.y - a.y).abs(),
            },
            keypoints: self.keypoints.map(f),
        }
    }
}

/// Decoding parameters.
#[derive(Debug, Clone, Copy)]
pub struct DecodeParams {
    /// Model input size; raw offsets are in input pixels.
    pub input_size: f32,
    /// Minimum sigmoid score.
    pub min_score: f32,
    /// IoU above which boxes are merged.
    pub nms_iou: f32,
}

/// MediaPipe clips logits to this before the sigmoid.
const LOGIT_CLIP: f32 = 100.0;

/// Decodes raw outputs into `candidates` (cleared first), with coordinates in
/// [0, 1] of the model input, then merges overlapping ones into `out`
/// (cleared first). Both vectors keep their capacity: with capacity for every
/// anchor reserved once, this allocates nothing.
pub fn decode(
    regressors: &[f32],
    scores: &[f32],
    anchors: &[[f32; 2]],
    params: &DecodeParams,
    candidates: &mut Vec<Detection>,
    out: &mut Vec<Detection>,
) {
    candidates.clear();
    out.clear();
    let s = params.input_size;
    for (i, anchor) in anchors.iter().enumerate() {
        let logit = scores[i].clamp(-LOGIT_CLIP, LOGIT_CLIP);
        let score = 1.0 / (1.0 + (-logit).exp());
        if score < params.min_score {
            continue;
        }
        let r = &regressors[i * 16..i * 16 + 16];
        let cx = r[0] / s + anchor[0];
        let cy = r[1] / s + anchor[1];
        let w = r[2] / s;
        let h = r[3] / s;
        let mut keypoints = [Point::default(); KEYPOINTS];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = Point::new(r[4 + 2 * k] / s + anchor[0], r[5 + 2 * k] / s + anchor[1]);
        }
        candidates.push(Detection {
            score,
            bbox: Rect {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                w,
                h,
            },
            keypoints,
        });
    }
    weighted_nms(candidates, params.nms_iou, out);
}

/// Weighted NMS: the best remaining box absorbs every box overlapping it by
/// more than `iou`, and the result is their score-weighted average (the
/// score stays the best one's). Consumes `candidates`.
pub fn weighted_nms(candidates: &mut Vec<Detection>, iou: f32, out: &mut Vec<Detection>) {
    candidates.sort_unstable_by(|a, b| b.score.total_cmp(&a.score));
    while !candidates.is_empty() {
        let top = candidates[0];
        let mut total = 0.0;
        let mut bbox = [0f32; 4];
        let mut kps = [Point::default(); KEYPOINTS];
        // Walk the list, absorbing overlaps and compacting the rest in place.
        let mut keep = 0;
        for i in 0..candidates.len() {
            let c = candidates[i];
            if c.bbox.iou(&top.bbox) > iou || i == 0 {
                total += c.score;
                bbox[0] += c.bbox.x * c.score;
                bbox[1] += c.bbox.y * c.score;
                bbox[2] += c.bbox.w * c.score;
                bbox[3] += c.bbox.h * c.score;
                for (k, p) in kps.iter_mut().enumerate() {
                    *p = p.plus(c.keypoints[k].scale(c.score));
                }
            } else {
                candidates[keep] = c;
                keep += 1;
            }
        }
        candidates.truncate(keep);
        out.push(Detection {
            score: top.score,
            bbox: Rect {
                x: bbox[0] / total,
                y: bbox[1] / total,
                w: bbox[2] / total,
                h: bbox[3] / total,
            },
            keypoints: kps.map(|p| p.scale(1.0 / total)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, x: f32) -> Detection {
        Detection {
            score,
            bbox: Rect {
                x,
                y: 0.0,
                w: 10.0,
                h: 10.0,
            },
            keypoints: [Point::new(x, 0.0); KEYPOINTS],
        }
    }

    #[test]
    fn nms_merges_overlaps_by_score_weight_and_keeps_separate_faces() {
        let mut c = vec![det(0.5, 2.0), det(0.9, 0.0), det(0.8, 50.0)];
        let mut out = Vec::new();
        weighted_nms(&mut c, 0.3, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        // (0 * 0.9 + 2 * 0.5) / 1.4
        assert!((out[0].bbox.x - 1.0 / 1.4).abs() < 1e-5);
        assert_eq!(out[1].bbox.x, 50.0);
    }

    #[test]
    fn decode_applies_anchor_offsets_and_threshold() {
        let anchors = [[0.5, 0.5], [0.25, 0.25]];
        let mut reg = vec![0f32; 32];
        reg[0] = 12.8; // +0.1 of a 128 px input
        reg[2] = 64.0; // width 0.5
        reg[3] = 32.0; // height 0.25
        reg[4] = -12.8; // right eye x: 0.4
        let scores = [2.0, -5.0]; // sigmoid 0.88 and 0.007
        let params = DecodeParams {
            input_size: 128.0,
            min_score: 0.5,
            nms_iou: 0.3,
        };
        let (mut cand, mut out) = (Vec::new(), Vec::new());
        decode(&reg, &scores, &anchors, &params, &mut cand, &mut out);
        assert_eq!(out.len(), 1);
        let d = out[0];
        assert!((d.bbox.center().x - 0.6).abs() < 1e-6);
        assert!((d.bbox.w - 0.5).abs() < 1e-6 && (d.bbox.h - 0.25).abs() < 1e-6);
        assert!((d.keypoint(Keypoint::RightEye).x - 0.4).abs() < 1e-6);
        assert!((d.score - 0.880797).abs() < 1e-5);
    }
}
