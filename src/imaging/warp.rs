//! Sampling one image out of another through a rotated, scaled rectangle
//! (the crop): the photo's render, the viewfinder's frame and test scenes
//! all read pixels the same way, so they agree to the pixel.

use serde::Serialize;

use super::RgbImage;
use super::geometry::Point;
use super::still::Area;

/// Largest supersampling factor per axis.
const MAX_SUPERSAMPLE: u32 = 4;

/// The crop: output pixel (u, v) of a W x H output (continuous coordinates,
/// pixel (i, j) covering [i, i+1) x [j, j+1)) samples the source at
/// `center + R(angle) . ((u/W - 0.5) * width, (v/H - 0.5) * height)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crop {
    /// Crop centre, source pixels.
    pub center: Point,
    /// Crop width, source pixels.
    pub width: f32,
    /// Crop height, source pixels.
    pub height: f32,
    /// Rotation, radians (the report shows degrees).
    pub angle: f32,
}

impl Crop {
    /// Source position of continuous output coordinates (u, v) of a W x H output.
    pub fn source_of(&self, u: f32, v: f32, out_w: u32, out_h: u32) -> Point {
        let d = Point::new(
            (u / out_w as f32 - 0.5) * self.width,
            (v / out_h as f32 - 0.5) * self.height,
        );
        self.center.plus(d.rotate(self.angle))
    }

    /// The same crop of a region of the source whose top-left corner is at
    /// `corner`.
    pub fn shifted(&self, corner: Point) -> Self {
        Self {
            center: self.center.minus(corner),
            ..*self
        }
    }

    /// The source pixels the crop of a `out_w` x `out_h` output reads, with
    /// `margin` more on every side for the bilinear neighbours, cut to a
    /// `size` photo; `None` when the crop lies wholly outside it.
    pub fn source_area(&self, out: (u32, u32), margin: u32, size: (u32, u32)) -> Option<Area> {
        let corners = self.source_corners(out.0, out.1);
        let (mut lo, mut hi) = (corners[0], corners[0]);
        for c in &corners[1..] {
            lo = Point::new(lo.x.min(c.x), lo.y.min(c.y));
            hi = Point::new(hi.x.max(c.x), hi.y.max(c.y));
        }
        Area::covering((lo.x, lo.y), (hi.x, hi.y), margin, size)
    }

    /// Source positions of the four corners of a `out_w` x `out_h` output.
    pub fn source_corners(&self, out_w: u32, out_h: u32) -> [Point; 4] {
        let (w, h) = (out_w as f32, out_h as f32);
        [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)].map(|(u, v)| self.source_of(u, v, out_w, out_h))
    }

    /// Output position (continuous) of a source point; the inverse map.
    pub fn output_of(&self, p: Point, out_w: u32, out_h: u32) -> Point {
        let d = p.minus(self.center).rotate(-self.angle);
        Point::new(
            (d.x / self.width + 0.5) * out_w as f32,
            (d.y / self.height + 0.5) * out_h as f32,
        )
    }
}

/// Samples per axis for each output pixel of a `crop` rendered `out_w`
/// wide: the downscale factor, at most 4, so a 12 MP photo shrinks without
/// aliasing.
pub fn supersampling(crop: &Crop, out_w: u32) -> u32 {
    ((crop.width / out_w as f32).ceil() as u32).clamp(1, MAX_SUPERSAMPLE)
}

/// Output pixel `(u, v)` of an `out` sized rendering of `src` through
/// `crop`: the mean of a `k` x `k` grid of bilinear samples. Outside the
/// source, `pad` fills; without it the edge pixels are repeated.
pub fn sample_pixel(
    src: &RgbImage,
    crop: &Crop,
    (u, v): (u32, u32),
    (out_w, out_h): (u32, u32),
    k: u32,
    pad: Option<[f32; 3]>,
) -> [f32; 3] {
    let mut acc = [0f32; 3];
    for sy in 0..k {
        for sx in 0..k {
            let uu = u as f32 + (sx as f32 + 0.5) / k as f32;
            let vv = v as f32 + (sy as f32 + 0.5) / k as f32;
            let p = crop.source_of(uu, vv, out_w, out_h);
            let rgb = match (src.sample(p.x, p.y), pad) {
                (Some(rgb), _) => rgb,
                (None, Some(fill)) => fill,
                (None, None) => src.sample_clamped(p.x, p.y),
            };
            for c in 0..3 {
                acc[c] += rgb[c];
            }
        }
    }
    let inv = 1.0 / (k * k) as f32;
    acc.map(|a| a * inv)
}

/// `src` sampled through `crop` into `w` x `h` pixels, `fill` outside it
/// (without one the edge pixels are repeated): a plain resampling
/// (viewfinder frames, test scenes).
pub fn resample(src: &RgbImage, crop: &Crop, w: u32, h: u32, fill: Option<[u8; 3]>) -> RgbImage {
    let mut out = RgbImage::black(w, h);
    let k = supersampling(crop, w);
    let pad = fill.map(|c| c.map(f32::from));
    for v in 0..h {
        for u in 0..w {
            let px = sample_pixel(src, crop, (u, v), (w, h), k, pad);
            out.put(u, v, px.map(|x| x.round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

/// How far, in source pixels, the crop reaches outside the source (0 when the
/// crop lies inside). The crop is convex, so its corners decide.
pub fn overflow_px(src_w: u32, src_h: u32, crop: &Crop, out_w: u32, out_h: u32) -> f32 {
    crop.source_corners(out_w, out_h)
        .into_iter()
        .map(|p| outside_by(p, src_w, src_h))
        .fold(0.0, f32::max)
}

/// Distance of a point outside the image rectangle (0 inside).
pub fn outside_by(p: Point, w: u32, h: u32) -> f32 {
    let dx = (-p.x).max(p.x - w as f32).max(0.0);
    let dy = (-p.y).max(p.y - h as f32).max(0.0);
    dx.max(dy)
}
