//! The crown: the top of the hair, not of the forehead.
//!
//! The face mesh ends at the hairline, so the crown comes from the person
//! mask: walking up from the forehead along the face's vertical axis until the
//! mask falls below one half, on several lines across the head, and keeping
//! the highest crossing (hair is rarely highest on the centre line).
//!
//! The mask is coarse (a 256-cell grid over head and shoulders) and soft at
//! its edge, so its half-way crossing lies a cell or two off the hair; each
//! crossing is moved to the strongest colour edge of the photo within
//! [`SNAP_CELLS`] cells below it (a quarter of that above), where there is
//! one (a plain background's edge against the hair is sharp; hair fading
//! into a background of its own colour keeps the mask's crossing).

use serde::Serialize;

use super::guide::Guide;
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
/// How far from the mask's crossing the photo's edge is looked for, in mask
/// cells.
const SNAP_CELLS: f32 = 3.0;
/// The highest a crown plausibly lies above the eyes, as a multiple of
/// eye-to-chin: the hand-marked faces (`tests/fixtures/accuracy`) lie
/// between 0.85 and 1.22. A mask crossing above this has run on into
/// something touching the head (another person behind): the hair's edge
/// is then looked for in the photo below it, from `LOWEST_CROWN` up.
const HIGHEST_CROWN: f32 = 1.45;
/// See [`HIGHEST_CROWN`].
const LOWEST_CROWN: f32 = 0.6;

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
    guide: Guide<'_>,
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
                // Linear interpolation of the crossing between two samples,
                // then onto the photo's edge near it.
                let frac = (prev - EDGE) / (prev - m).max(1e-6);
                let crossing = s - step + frac * step;
                let near = SNAP_CELLS * mask.cell_size();
                // The soft mask's crossing lies above the hair on a plain
                // background, rarely below it: the edge is looked for
                // mostly below.
                let mut height = guide
                    .edge(
                        start,
                        up,
                        ((crossing - near).max(0.0), crossing + 0.25 * near),
                    )
                    .unwrap_or(crossing);
                // Heights along this line measured from the eye line.
                let offset = start.minus(eye_mid).dot(up);
                if height + offset > HIGHEST_CROWN * eye_to_chin {
                    let (lo, hi) = (LOWEST_CROWN * eye_to_chin, HIGHEST_CROWN * eye_to_chin);
                    if let Some(edge) = guide.edge(start, up, (lo - offset, hi - offset)) {
                        height = edge;
                    }
                }
                let above_eyes = height + offset;
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
    use crate::imaging::RgbImage;
    use crate::imaging::SecretBuf;
    use crate::vision::TensorMap;

    /// A mask with a person below y = `top` (and a bump of hair 10 px higher
    /// at x in 110..130), on a 256-cell grid covering 0..256 px.
    fn mask(top: f32) -> PersonMask {
        mask_with(top, 110..130)
    }

    fn mask_with(top: f32, bump_at: std::ops::Range<usize>) -> PersonMask {
        let mut v = SecretBuf::<f32>::zeroed(256 * 256);
        for y in 0..256 {
            for x in 0..256 {
                let yc = y as f32 + 0.5;
                let bump = bump_at.contains(&x);
                let edge = if bump { top - 10.0 } else { top };
                v[y * 256 + x] = if yc >= edge { 1.0 } else { 0.0 };
            }
        }
        PersonMask::from_grid(TensorMap::letterbox(256, 256, 256), v)
    }

    /// A 256 x 256 photo: `background` above y = `top`, `hair` below.
    fn photo(top: u32, background: [u8; 3], hair: [u8; 3]) -> RgbImage {
        crate::compose::guide::two_tone(256, 256, top, background, hair)
    }

    fn guide(img: &RgbImage) -> Guide<'_> {
        Guide {
            image: img,
            scale: 1.0,
        }
    }

    /// `find` with the eyes at (128, 130), the forehead 30 px above them,
    /// the head upright, face width and eye-to-chin 60 px.
    fn crown_of(m: &PersonMask, img: &RgbImage) -> (Point, CrownSource) {
        find(
            m,
            guide(img),
            Point::new(128.0, 100.0),
            Point::new(128.0, 130.0),
            Point::new(0.0, -1.0),
            60.0,
            60.0,
        )
    }

    #[test]
    fn finds_the_highest_hair_edge_within_a_pixel() {
        // A photo without edges: the mask's crossing stands.
        let flat = photo(0, [90, 90, 90], [90, 90, 90]);
        let (crown, source) = crown_of(&mask(60.0), &flat);
        assert_eq!(source, CrownSource::Mask);
        // the bump reaches y = 50; the mask is bilinear between cell centres
        assert!((crown.y - 50.0).abs() <= 1.0, "{crown:?}");
        assert_eq!(crown.x, 128.0);
    }

    #[test]
    fn the_crossing_moves_onto_the_photos_hair_edge_below_it() {
        // The mask's soft edge says 60; the photo's hair starts at 62.
        let img = photo(62, [225, 225, 220], [60, 45, 30]);
        let (crown, source) = crown_of(&mask_with(60.0, 0..0), &img);
        assert_eq!(source, CrownSource::Mask);
        assert!((crown.y - 62.0).abs() <= 0.75, "{crown:?}");
    }

    #[test]
    fn a_mask_running_on_into_someone_behind_the_head_is_cut_at_the_hair() {
        // The mask runs up to y = 20 (110 px above the eyes: someone's red
        // shirt behind the head); the hair, in the photo, ends at 60.
        let mut img = photo(60, [225, 225, 220], [200, 170, 90]);
        for y in 20..60 {
            for x in 0..256 {
                img.put(x, y, [190, 35, 40]);
            }
        }
        let (crown, _) = crown_of(&mask_with(20.0, 0..0), &img);
        assert!((crown.y - 60.0).abs() <= 0.75, "{crown:?}");
    }

    #[test]
    fn no_edge_gives_an_estimate() {
        let m = PersonMask::from_grid(
            TensorMap::letterbox(256, 256, 256),
            SecretBuf::zeroed(256 * 256),
        );
        let flat = photo(0, [90, 90, 90], [90, 90, 90]);
        let (crown, source) = find(
            &m,
            guide(&flat),
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
