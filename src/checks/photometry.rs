//! Light, colour, sharpness and background, measured on the composed photo:
//! the image that will be judged, at the spec's scale, so one threshold
//! fits every source resolution.

use serde::Serialize;

use super::eyewear::{self, Eyewear};
use crate::imaging::colour::{Lab, srgb_to_lab};
use crate::imaging::{RgbImage, SecretBuf};
use crate::vision::Point;

/// Share of the face outline kept around its centroid when measuring skin:
/// the outline's edge runs through hair, ears and background.
const FACE_SHRINK: f32 = 0.8;
/// Person probability under which an output pixel is background.
const BACKGROUND_BELOW: f32 = 0.1;

/// Where things are in the composed photo (output pixels).
#[derive(Debug, Clone)]
pub struct Regions {
    /// Face outline, in order.
    pub face: Vec<Point>,
    /// Outline of each eye.
    pub eyes: [Vec<Point>; 2],
    /// Midpoint between the eyes; its vertical line splits the face.
    pub eye_mid: Point,
}

/// The measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Photometry {
    /// Mean L* of the face.
    pub face_lightness: f64,
    /// Share of face pixels with a channel >= 250.
    pub clipped_share: f64,
    /// Standard deviation of the Laplacian of L* over the face.
    pub sharpness: f64,
    /// |mean L* left half - right half| of the face.
    pub lighting_difference: f64,
    /// Mean a* of the face.
    pub skin_a: f64,
    /// Mean b* of the face.
    pub skin_b: f64,
    /// 90th percentile of L* in the eye regions over the face's mean L*.
    pub eye_visibility: f64,
    /// Mean colour of the background.
    pub background_lab: [f64; 3],
    /// Standard deviation of background L*.
    pub background_spread: f64,
    /// Share of the photo that is background.
    pub background_share: f64,
    /// Glasses' frame and glare.
    pub eyewear: Eyewear,
}

/// Points of `poly` pulled towards its centroid by `keep`.
fn shrink(poly: &[Point], keep: f32) -> Vec<Point> {
    let n = poly.len().max(1) as f32;
    let c = poly
        .iter()
        .fold(Point::default(), |a, p| a.plus(*p))
        .scale(1.0 / n);
    poly.iter()
        .map(|p| c.plus(p.minus(c).scale(keep)))
        .collect()
}

/// Even-odd point-in-polygon test.
pub(super) fn inside(poly: &[Point], x: f32, y: f32) -> bool {
    let mut hit = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
            hit = !hit;
        }
        j = i;
    }
    hit
}

/// Calls `f(x, y)` for every pixel whose centre lies inside `poly`.
pub(super) fn for_each_inside(poly: &[Point], w: u32, h: u32, mut f: impl FnMut(u32, u32)) {
    if poly.len() < 3 {
        return;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in poly {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    let clamp = |v: f32, hi: u32| v.max(0.0).min(hi as f32) as u32;
    for y in clamp(y0.floor(), h)..clamp(y1.ceil(), h) {
        for x in clamp(x0.floor(), w)..clamp(x1.ceil(), w) {
            if inside(poly, x as f32 + 0.5, y as f32 + 0.5) {
                f(x, y);
            }
        }
    }
}

#[derive(Default)]
struct Stats {
    n: f64,
    sum: f64,
    sum_sq: f64,
}

impl Stats {
    fn add(&mut self, v: f64) {
        self.n += 1.0;
        self.sum += v;
        self.sum_sq += v * v;
    }
    fn mean(&self) -> f64 {
        if self.n > 0.0 { self.sum / self.n } else { 0.0 }
    }
    fn std(&self) -> f64 {
        if self.n < 2.0 {
            return 0.0;
        }
        let m = self.mean();
        (self.sum_sq / self.n - m * m).max(0.0).sqrt()
    }
}

/// Measures `img` given where the face and eyes are and, per pixel, the
/// person probability.
pub fn measure(img: &RgbImage, person: &[f32], regions: &Regions) -> Photometry {
    let (w, h) = (img.width(), img.height());
    // Every pixel converted once: the face's Laplacian reads each pixel's
    // L* five times, and face, eyes and background overlap.
    let mut plane = SecretBuf::<f32>::zeroed(img.as_bytes().len());
    for (lab, px) in plane
        .chunks_exact_mut(3)
        .zip(img.as_bytes().chunks_exact(3))
    {
        let c = srgb_to_lab([f32::from(px[0]), f32::from(px[1]), f32::from(px[2])]);
        lab.copy_from_slice(&[c.l, c.a, c.b]);
    }
    let lab_at = |x: u32, y: u32| -> Lab {
        let i = (y as usize * w as usize + x as usize) * 3;
        Lab {
            l: plane[i],
            a: plane[i + 1],
            b: plane[i + 2],
        }
    };
    let face = shrink(&regions.face, FACE_SHRINK);
    let (mut l, mut a, mut bb, mut left, mut right, mut lap) = (
        Stats::default(),
        Stats::default(),
        Stats::default(),
        Stats::default(),
        Stats::default(),
        Stats::default(),
    );
    let mut clipped = 0.0;
    for_each_inside(&face, w, h, |x, y| {
        let c = lab_at(x, y);
        l.add(f64::from(c.l));
        a.add(f64::from(c.a));
        bb.add(f64::from(c.b));
        if (x as f32 + 0.5) < regions.eye_mid.x {
            left.add(f64::from(c.l));
        } else {
            right.add(f64::from(c.l));
        }
        if img.get(x, y).iter().any(|&v| v >= 250) {
            clipped += 1.0;
        }
        if x > 0 && y > 0 && x + 1 < w && y + 1 < h {
            let n =
                lab_at(x, y - 1).l + lab_at(x, y + 1).l + lab_at(x - 1, y).l + lab_at(x + 1, y).l;
            lap.add(f64::from(n - 4.0 * c.l));
        }
    });
    // Eye-region lightness is face data: counted first, then held in a
    // wiped buffer of exactly that size (no growing Vec leaving copies).
    let mut n = 0;
    for poly in &regions.eyes {
        for_each_inside(poly, w, h, |_, _| n += 1);
    }
    let mut eye = SecretBuf::<f32>::zeroed(n);
    let mut i = 0;
    for poly in &regions.eyes {
        for_each_inside(poly, w, h, |x, y| {
            eye[i] = lab_at(x, y).l;
            i += 1;
        });
    }
    eye.sort_by(f32::total_cmp);
    let eye_bright = eye.get(eye.len() * 9 / 10).map_or(0.0, |&v| f64::from(v));
    let mut bg = [Stats::default(), Stats::default(), Stats::default()];
    for y in 0..h {
        for x in 0..w {
            if person[(y * w + x) as usize] < BACKGROUND_BELOW {
                let c = lab_at(x, y);
                bg[0].add(f64::from(c.l));
                bg[1].add(f64::from(c.a));
                bg[2].add(f64::from(c.b));
            }
        }
    }
    Photometry {
        face_lightness: l.mean(),
        clipped_share: if l.n > 0.0 { clipped / l.n } else { 0.0 },
        sharpness: lap.std(),
        lighting_difference: (left.mean() - right.mean()).abs(),
        skin_a: a.mean(),
        skin_b: bb.mean(),
        eye_visibility: if l.mean() > 0.0 {
            eye_bright / l.mean()
        } else {
            0.0
        },
        background_lab: [bg[0].mean(), bg[1].mean(), bg[2].mean()],
        background_spread: bg[0].std(),
        background_share: bg[0].n / f64::from(w * h),
        eyewear: eyewear::measure(img, regions),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f32, y0: f32, x1: f32, y1: f32) -> Vec<Point> {
        vec![
            Point::new(x0, y0),
            Point::new(x1, y0),
            Point::new(x1, y1),
            Point::new(x0, y1),
        ]
    }

    #[test]
    fn polygon_fill_counts_pixel_centres() {
        let mut n = 0;
        for_each_inside(&square(1.0, 1.0, 4.0, 3.0), 10, 10, |_, _| n += 1);
        assert_eq!(n, 6);
    }

    #[test]
    fn a_half_lit_face_and_a_grey_background_measure_as_such() {
        let (w, h) = (40u32, 40u32);
        let mut img = RgbImage::black(w, h);
        let mut person = vec![0f32; (w * h) as usize];
        for y in 0..h {
            for x in 0..w {
                let in_face = (10..30).contains(&x) && (10..30).contains(&y);
                let rgb = if in_face {
                    person[(y * w + x) as usize] = 1.0;
                    if x < 20 {
                        [200, 150, 130]
                    } else {
                        [100, 75, 65]
                    }
                } else {
                    [128, 128, 128]
                };
                img.put(x, y, rgb);
            }
        }
        let regions = Regions {
            face: square(10.0, 10.0, 30.0, 30.0),
            eyes: [
                square(12.0, 12.0, 16.0, 14.0),
                square(24.0, 12.0, 28.0, 14.0),
            ],
            eye_mid: Point::new(20.0, 13.0),
        };
        let p = measure(&img, &person, &regions);
        let bright = f64::from(srgb_to_lab([200.0, 150.0, 130.0]).l);
        let dark = f64::from(srgb_to_lab([100.0, 75.0, 65.0]).l);
        assert!(
            (p.lighting_difference - (bright - dark)).abs() < 0.5,
            "{p:?}"
        );
        assert!((p.background_lab[0] - f64::from(srgb_to_lab([128.0; 3]).l)).abs() < 0.01);
        assert!(p.background_spread < 1e-3);
        assert!(p.skin_a > 5.0 && p.skin_b > 5.0);
        assert_eq!(p.clipped_share, 0.0);
        assert!((p.background_share - 1200.0 / 1600.0).abs() < 1e-9);
    }
}
