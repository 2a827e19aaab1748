//! The background as photographed: its mean colour and evenness inside the
//! crop, which decide whether it passes or is replaced.

use crate::imaging::RgbImage;
use crate::imaging::colour::srgb_to_lab;
use crate::imaging::warp::Crop;
use crate::vision::PersonMask;

/// The source's background inside the crop.
pub(super) struct SourceBackground {
    pub(super) rgb: [f64; 3],
    pub(super) spread: f64,
}

/// Mean colour and lightness spread of the source's background within the
/// crop, on a 64 x 64 grid of samples; `None` when no background is visible.
pub(super) fn source_background(
    img: &RgbImage,
    mask: &PersonMask,
    crop: &Crop,
    w: u32,
    h: u32,
) -> Option<SourceBackground> {
    const GRID: u32 = 64;
    let (mut n, mut rgb, mut l, mut l2) = (0.0, [0.0f64; 3], 0.0, 0.0);
    for j in 0..GRID {
        for i in 0..GRID {
            let u = (i as f32 + 0.5) / GRID as f32 * w as f32;
            let v = (j as f32 + 0.5) / GRID as f32 * h as f32;
            let p = crop.source_of(u, v, w, h);
            if mask.at(p) >= 0.1 {
                continue;
            }
            if let Some(px) = img.sample(p.x, p.y) {
                n += 1.0;
                for c in 0..3 {
                    rgb[c] += f64::from(px[c]);
                }
                let lab = f64::from(srgb_to_lab(px).l);
                l += lab;
                l2 += lab * lab;
            }
        }
    }
    if n < 16.0 {
        return None;
    }
    let mean_l = l / n;
    Some(SourceBackground {
        rgb: rgb.map(|c| c / n),
        spread: (l2 / n - mean_l * mean_l).max(0.0).sqrt(),
    })
}
