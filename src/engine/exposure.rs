//! Exposure of a whole picture, for a photo in which no face is found: a
//! washed-out or black frame then says why.

use crate::checks::{Check, Reason, thresholds};
use crate::imaging::RgbImage;

/// Exposure of the whole picture, reported when no face is found so that a
/// washed-out or black frame says why.
pub(super) fn whole_image_exposure(img: &RgbImage) -> [Check; 2] {
    let (mut clipped, mut black) = (0.0f64, 0.0f64);
    for px in img.as_bytes().chunks_exact(3) {
        let l = crate::imaging::luma([f32::from(px[0]), f32::from(px[1]), f32::from(px[2])]);
        if px.iter().any(|&v| v >= 250) {
            clipped += 1.0;
        }
        if l < 20.0 {
            black += 1.0;
        }
    }
    let n = (img.as_bytes().len() / 3).max(1) as f64;
    [
        Check::range(
            "image_clipped",
            Reason::Overexposed,
            clipped / n,
            None,
            Some(thresholds::MAX_IMAGE_CLIPPED_SHARE),
            "share",
        ),
        Check::range(
            "image_black",
            Reason::TooDark,
            black / n,
            None,
            Some(thresholds::MAX_IMAGE_BLACK_SHARE),
            "share",
        ),
    ]
}
