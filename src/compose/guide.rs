//! Edges in the photo itself: the mask and the mesh place the crown and the
//! chin to within a cell or a landmark's spacing; the photo's own colour
//! step near them is where the hair or the chin really ends.

use crate::imaging::RgbImage;
use crate::vision::Point;

/// The weakest colour step (RGB distance, 0-255 levels, across two photo
/// pixels) taken for an edge.
pub const MIN_EDGE: f32 = 24.0;

/// The photo the face points were found on, to find edges in.
#[derive(Debug, Clone, Copy)]
pub struct Guide<'a> {
    /// The picture (the engine's working copy).
    pub image: &'a RgbImage,
    /// Points' pixels per picture pixel.
    pub scale: f32,
}

impl Guide<'_> {
    fn colour(&self, p: Point) -> [f32; 3] {
        self.image
            .sample_clamped(p.x / self.scale, p.y / self.scale)
    }

    /// The position along `dir` from `start`, within `[from, to]`, where the
    /// colour changes most across two picture pixels, if by [`MIN_EDGE`].
    pub fn edge(&self, start: Point, dir: Point, (from, to): (f32, f32)) -> Option<f32> {
        let step = self.scale * 0.5;
        let half = self.scale;
        let mut best: Option<(f32, f32)> = None;
        let mut s = from;
        while s <= to {
            let a = self.colour(start.plus(dir.scale(s - half)));
            let b = self.colour(start.plus(dir.scale(s + half)));
            let d = (0..3).map(|c| (a[c] - b[c]).powi(2)).sum::<f32>().sqrt();
            if d >= MIN_EDGE && best.is_none_or(|(_, bd)| d > bd) {
                best = Some((s, d));
            }
            s += step;
        }
        best.map(|(s, _)| s)
    }
}

/// A `w` x `h` test photo: `above` over row `edge`, `below` from it down.
#[cfg(test)]
pub(super) fn two_tone(w: u32, h: u32, edge: u32, above: [u8; 3], below: [u8; 3]) -> RgbImage {
    let mut img = RgbImage::black(w, h);
    for y in 0..h {
        for x in 0..w {
            img.put(x, y, if y < edge { above } else { below });
        }
    }
    img
}
