//! The crown: the top of the hair, not of the forehead.
//!
//! The face mesh ends at the hairline, so the crown comes from the person
//! mask: walking up from the forehead along the face's vertical axis until the
//! mask falls below one half, on several lines across the head, and keeping
//! the highest crossing (hair is rarely highest on the centre line).

use serde::Serialize;

use crate::vision::{PersonMask, Point};

/// Mask value that separates person from background.
const EDGE: f32 = 0.5;
/// Lines scanned, spread across `SPREAD` of the face width.
const LINES: i32 = 9;
const SPREAD: f32 = 0.6;
/// How far above the forehead to look, as a multiple of eye-to-chin.
const MAX_REACH: f32 = 2.0;
/// Where no edge is found, the crown is estimated at this multiple of the
/// eye-to-chin distance above the eyes (adult average; the report says so).
const ESTIMATE_FACTOR: f32 = 1.0;

/// How the crown was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrownSource {
    /// From the person mask's hair/background edge.
    Mask,
    /// The mask gave no edge (hair blending into the background): an
    /// average-proportion estimate.
    Estimated,
}

/// Finds the crown above `forehead`. `up` is the unit vector from chin
/// towards the top of the head; `face_width` and `eye_to_chin` are pixels.
pub fn find(
    mask: &PersonMask,
    forehead: Point,
    eye_mid: Point,
    up: Point,
    face_width: f32,
    eye_to_chin: f32,
) -> (Point, CrownSource) {
    let across = Point::new(-up.y, up.x);
    let step = (mask.cell_size() * 0.25).max(0.5);
    let reach = eye_to_chin * MAX_REACH;
    let mut best: Option<f32> = None;
    for i in 0..LINES {
        let t = (i as f32 / (LINES - 1) as f32 - 0.5) * SPREAD * face_width;
        let start = forehead.plus(across.scale(t));
        if mask.at(start) < EDGE {
            continue;
        }
        let mut prev = mask.at(start);
        let mut s = step;
        while s <= reach {
            let m = mask.at(start.plus(up.scale(s)));
            if m < EDGE {
                // Linear interpolation of the crossing between two samples.
                let frac = (prev - EDGE) / (prev - m).max(1e-6);
                let height = s - step + frac * step;
                let above_eyes = start.plus(up.scale(height)).minus(eye_mid).dot(up);
                best = Some(best.map_or(above_eyes, |b| b.max(above_eyes)));
                break;
            }
            prev = m;
            s += step;
        }
    }
    match best {
        Some(h) => (eye_mid.plus(up.scale(h)), CrownSource::Mask),
        None => (
            eye_mid.plus(up.scale(eye_to_chin * ESTIMATE_FACTOR)),
            CrownSource::Estimated,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::SecretBuf;
    use crate::vision::TensorMap;

    /// A mask with a person below y = `top` (and a bump of hair 10 px higher
    /// at x in 110..130), on a 256-cell grid covering 0..256 px.
    fn mask(top: f32) -> PersonMask {
        let mut v = SecretBuf::<f32>::zeroed(256 * 256);
        for y in 0..256 {
            for x in 0..256 {
                let yc = y as f32 + 0.5;
                let bump = (110..130).contains(&x);
                let edge = if bump { top - 10.0 } else { top };
                v[y * 256 + x] = if yc >= edge { 1.0 } else { 0.0 };
            }
        }
        PersonMask::from_grid(TensorMap::letterbox(256, 256, 256), v)
    }

    #[test]
    fn finds_the_highest_hair_edge_within_a_pixel() {
        let m = mask(60.0);
        let (crown, source) = find(
            &m,
            Point::new(128.0, 100.0),
            Point::new(128.0, 130.0),
            Point::new(0.0, -1.0),
            60.0,
            60.0,
        );
        assert_eq!(source, CrownSource::Mask);
        // the bump reaches y = 50; the mask is bilinear between cell centres
        assert!((crown.y - 50.0).abs() <= 1.0, "{crown:?}");
        assert_eq!(crown.x, 128.0);
    }

    #[test]
    fn no_edge_gives_an_estimate() {
        let m = PersonMask::from_grid(
            TensorMap::letterbox(256, 256, 256),
            SecretBuf::zeroed(256 * 256),
        );
        let (crown, source) = find(
            &m,
            Point::new(128.0, 100.0),
            Point::new(128.0, 130.0),
            Point::new(0.0, -1.0),
            60.0,
            50.0,
        );
        assert_eq!(source, CrownSource::Estimated);
        assert!((crown.y - 80.0).abs() < 1e-4);
    }
}
