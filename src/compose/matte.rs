//! The person matte for background replacement, at the finished photo's
//! resolution.
//!
//! The segmentation model sees the head on a 256-cell grid, three to four
//! photo pixels a cell at passport scale, so its edge alone is a smooth
//! curve a few pixels off the hair, keeping slivers of the old background
//! and biting into curls. Three steps make it follow the photo:
//!
//! 1. **Guided filter** (He, Sun and Tang), with the photo's colour as the
//!    guide: within each window the matte becomes a linear function of the
//!    colour, so its edge moves onto the colour edge between hair and
//!    background and stays soft where hair is fine. Chosen over a joint
//!    bilateral filter or a trained matting model because it is linear time
//!    (box filters), has two parameters with a clear meaning, and needs no
//!    second model on a Pi. It runs on a copy at most [`GUIDE_MAX_SIDE`]
//!    pixels wide and its coefficients are applied at full size (the "fast
//!    guided filter"), so a 600 dpi photo costs what a 300 dpi one does.
//! 2. **One person**: only the largest connected region of the matte, and
//!    its soft edge, is kept; anything the model saw apart from it (a poster
//!    face, a bright bit of clutter) becomes background.
//! 3. **Colour decontamination**: an edge pixel is a mix of hair and the
//!    old background; the old background's local colour is estimated from
//!    the nearby background pixels and replaced by the new colour in the
//!    same proportion, so no fringe of the old colour stays round the hair.

use crate::imaging::{RgbImage, SecretBuf};

/// The guided filter's working copy is at most this many pixels on a side.
const GUIDE_MAX_SIDE: u32 = 400;
/// The filter's window radius, in mask cells: wide enough to reach across
/// the model's uncertainty about the edge (about two cells).
const RADIUS_CELLS: f32 = 2.5;
/// Regularisation of the colour fit (colours in 0..1): larger keeps the
/// model's matte, smaller follows every colour edge in the hair.
const EPS: f32 = 1e-4;
/// The model's probability is sharpened between these before filtering:
/// its soft 256-cell edge would otherwise be read as half-transparent hair.
const PRIOR_LOW: f32 = 0.35;
const PRIOR_HIGH: f32 = 0.75;
/// Below this alpha a pixel is background, above `SOLID` person: the
/// filter's small overshoots are no transparency.
const CLEAR: f32 = 0.04;
const SOLID: f32 = 0.96;
/// Filter passes, each starting from the last one's sharpened matte: one
/// pass only moves the edge part of the way from the model's guess to the
/// photo's edge (the window's mean still remembers the guess). Measured on
/// the composited cut-out test (`tests/integration/cutout.rs`), band error
/// after 1, 3 and 5 passes: 14.5, 9.7, 9.8 on one background, 29.8, 24.7,
/// 23.6 on the other (eps 1e-3: about one more; 1e-2: four more).
const PASSES: usize = 3;

/// A person matte: how much of each output pixel is person, 0 to 1.
#[derive(Debug)]
pub struct Matte {
    width: u32,
    height: u32,
    alpha: SecretBuf<f32>,
    /// Pixels per side of a reduced block.
    step: u32,
    /// The photo reduced by `step` (its `prior` the refined matte), kept
    /// for the old background's estimate.
    reduced: Planes,
}

impl Matte {
    /// Refines the model's person probability `person` (one per pixel of
    /// `photo`) against the photo. `cell_px` is the size of one mask cell in
    /// output pixels.
    pub fn refine(photo: &RgbImage, person: &[f32], cell_px: f32) -> Matte {
        let (w, h) = (photo.width(), photo.height());
        assert_eq!(person.len(), w as usize * h as usize);
        let prior = SecretBuf::from_vec(person.iter().map(|&p| smoothstep(p)).collect());
        let step = reduction(w, h);
        let mut small = Planes::reduced(photo, &prior, step);
        let radius = ((RADIUS_CELLS * cell_px / step as f32).round() as usize).max(1);
        let mut stats = ColourStats::of(&small, radius);
        for _ in 1..PASSES {
            let c = stats.fit(&small, &small.prior);
            for i in 0..small.w * small.h {
                let colour = [0, 1, 2].map(|k| small.rgb[k][i]);
                small.prior[i] = smoothstep(c.apply(i, colour));
            }
        }
        let coef = stats.fit(&small, &small.prior);
        // One person: the largest region on the reduced grid (islands are
        // far larger than its cells) and its soft edge.
        let solid: Vec<bool> = (0..small.w * small.h)
            .map(|i| coef.apply(i, [0, 1, 2].map(|k| small.rgb[k][i])) >= 0.5)
            .collect();
        let kept = near_largest_region(&solid, small.w, small.h, radius);
        let mut alpha = SecretBuf::<f32>::zeroed(w as usize * h as usize);
        for y in 0..h {
            for x in 0..w {
                let cell = (y / step) as usize * small.w + (x / step) as usize;
                if !kept[cell] {
                    continue;
                }
                let c = coef.at_full(x, y, step);
                let px = photo.get(x, y).map(|v| f32::from(v) / 255.0);
                alpha[(y * w + x) as usize] =
                    cleaned(c[0] * px[0] + c[1] * px[1] + c[2] * px[2] + c[3]);
            }
        }
        Matte {
            width: w,
            height: h,
            alpha,
            step,
            reduced: small,
        }
    }

    /// Alpha at a pixel.
    pub fn at(&self, x: u32, y: u32) -> f32 {
        self.alpha[(y * self.width + x) as usize]
    }

    /// Paints `fill` behind the person in `photo` (the photo it was refined
    /// on), taking the old background's colour out of the edge pixels.
    pub fn replace_background(&self, photo: &mut RgbImage, fill: [u8; 3]) {
        let (w, h, step) = (self.width, self.height, self.step);
        let old = self.local_background();
        let fill = fill.map(f32::from);
        for y in 0..h {
            for x in 0..w {
                let a = self.at(x, y);
                let px = photo.get(x, y).map(f32::from);
                let out = if a >= SOLID {
                    px
                } else if a <= CLEAR {
                    fill
                } else {
                    // The pixel is a * person + (1 - a) * old; swap old for fill.
                    let b = old.at_full(x, y, step);
                    std::array::from_fn(|c| px[c] + (1.0 - a) * (fill[c] - b[c]))
                };
                photo.put(x, y, out.map(|v| v.round().clamp(0.0, 255.0) as u8));
            }
        }
    }
}

/// Which cells of a `w` x `h` grid lie within `reach` of the largest
/// 4-connected region of `solid` cells (the region and its soft edge).
fn near_largest_region(solid: &[bool], w: usize, h: usize, reach: usize) -> Vec<bool> {
    let mut label = vec![0u32; w * h];
    let (mut best, mut best_size, mut next) = (0u32, 0usize, 0u32);
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !solid[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        let mut size = 0;
        stack.push(start);
        label[start] = next;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % w, i / w);
            let mut visit = |j: usize| {
                if solid[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if size > best_size {
            (best, best_size) = (next, size);
        }
    }
    let mut near: Vec<f32> = label
        .iter()
        .map(|&l| f32::from(u8::from(l == best)))
        .collect();
    BoxFilter::new(w, h, reach).smooth(&mut near);
    near.iter().map(|&n| n > 0.0).collect()
}

/// Pixels per side of the reduced grid's blocks for a `w` x `h` photo.
fn reduction(w: u32, h: u32) -> u32 {
    w.max(h).div_ceil(GUIDE_MAX_SIDE).max(1)
}

fn smoothstep(x: f32) -> f32 {
    let t = ((x - PRIOR_LOW) / (PRIOR_HIGH - PRIOR_LOW)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn cleaned(q: f32) -> f32 {
    if q <= CLEAR {
        0.0
    } else if q >= SOLID {
        1.0
    } else {
        q
    }
}

/// A reduced copy of the photo (0..1) and of the prior matte.
#[derive(Debug)]
struct Planes {
    w: usize,
    h: usize,
    rgb: [SecretBuf<f32>; 3],
    prior: SecretBuf<f32>,
}

impl Planes {
    /// Block means of `step` x `step` pixels.
    fn reduced(photo: &RgbImage, prior: &[f32], step: u32) -> Planes {
        let full = (photo.width(), photo.height());
        let (w, h) = (full.0.div_ceil(step), full.1.div_ceil(step));
        let rgb = block_means(full, step, |x, y| {
            photo.get(x, y).map(|v| f32::from(v) / 255.0)
        });
        let [prior] = block_means(full, step, |x, y| [prior[(y * full.0 + x) as usize]]);
        Planes {
            w: w as usize,
            h: h as usize,
            rgb,
            prior,
        }
    }
}

/// Means of `value` over the `step` x `step` blocks of a `full` sized
/// plane (clipped at its right and bottom edges).
fn block_means<const N: usize>(
    full: (u32, u32),
    step: u32,
    value: impl Fn(u32, u32) -> [f32; N],
) -> [SecretBuf<f32>; N] {
    let w = full.0.div_ceil(step);
    let n = (w * full.1.div_ceil(step)) as usize;
    let mut sums = [0; N].map(|_| SecretBuf::<f32>::zeroed(n));
    let mut count = vec![0u32; n];
    for y in 0..full.1 {
        for x in 0..full.0 {
            let i = ((y / step) * w + x / step) as usize;
            for (plane, v) in sums.iter_mut().zip(value(x, y)) {
                plane[i] += v;
            }
            count[i] += 1;
        }
    }
    for (i, &k) in count.iter().enumerate() {
        let k = k.max(1) as f32;
        for plane in &mut sums {
            plane[i] /= k;
        }
    }
    sums
}

/// Per-pixel values on the reduced grid, read back at full size.
struct Coarse<const N: usize> {
    w: usize,
    h: usize,
    v: [SecretBuf<f32>; N],
}

impl<const N: usize> Coarse<N> {
    /// Bilinear between the reduced pixels' centres.
    fn at_full(&self, x: u32, y: u32, step: u32) -> [f32; N] {
        let s = step as f32;
        let fx = ((x as f32 + 0.5) / s - 0.5).clamp(0.0, (self.w - 1) as f32);
        let fy = ((y as f32 + 0.5) / s - 0.5).clamp(0.0, (self.h - 1) as f32);
        let (x0, y0) = (fx as usize, fy as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        std::array::from_fn(|k| {
            let v = &self.v[k];
            let top = v[y0 * self.w + x0] * (1.0 - ax) + v[y0 * self.w + x1] * ax;
            let bottom = v[y1 * self.w + x0] * (1.0 - ax) + v[y1 * self.w + x1] * ax;
            top * (1.0 - ay) + bottom * ay
        })
    }
}

impl Coarse<4> {
    /// The guided filter's `a . colour + b` at reduced pixel `i`.
    fn apply(&self, i: usize, colour: [f32; 3]) -> f32 {
        let v = &self.v;
        v[0][i] * colour[0] + v[1][i] * colour[1] + v[2][i] * colour[2] + v[3][i]
    }
}

/// Means over every (2r+1)-square window of a `w` x `h` plane, clipped at
/// the edges: a running sum along rows, then down the columns a row at a
/// time (planes are stored by rows). Its scratch is kept between planes:
/// every buffer here is locked memory, and locking is a system call.
struct BoxFilter {
    w: usize,
    h: usize,
    r: usize,
    rows: SecretBuf<f32>,
    column: SecretBuf<f64>,
    /// One over each column's window width.
    per_width: Vec<f64>,
}

impl BoxFilter {
    fn new(w: usize, h: usize, r: usize) -> BoxFilter {
        BoxFilter {
            w,
            h,
            r,
            rows: SecretBuf::zeroed(w * h),
            column: SecretBuf::zeroed(w),
            per_width: (0..w)
                .map(|x| 1.0 / ((x + r + 1).min(w) - x.saturating_sub(r)) as f64)
                .collect(),
        }
    }

    /// Replaces each value of `v` by its window's mean.
    fn smooth(&mut self, v: &mut [f32]) {
        let (w, h, r) = (self.w, self.h, self.r);
        // Along the rows, eight rows at a time: each row's running sum
        // waits on its last addition, eight independent ones do not.
        const LANES: usize = 8;
        for y0 in (0..h).step_by(LANES) {
            let lanes = LANES.min(h - y0);
            let mut sum = [0f64; LANES];
            for (k, s) in sum.iter_mut().enumerate().take(lanes) {
                let line = &v[(y0 + k) * w..(y0 + k + 1) * w];
                *s = line[..r.min(w)].iter().map(|&x| f64::from(x)).sum();
            }
            for x in 0..w {
                for (k, s) in sum.iter_mut().enumerate().take(lanes) {
                    let row = (y0 + k) * w;
                    if x + r < w {
                        *s += f64::from(v[row + x + r]);
                    }
                    if x > r {
                        *s -= f64::from(v[row + x - r - 1]);
                    }
                    self.rows[row + x] = *s as f32;
                }
            }
        }
        let rows = &self.rows;
        let column = &mut self.column;
        column.fill(0.0);
        let add = |column: &mut [f64], y: usize, sign: f64| {
            for (c, v) in column.iter_mut().zip(&rows[y * w..(y + 1) * w]) {
                *c += sign * f64::from(*v);
            }
        };
        for y in 0..r.min(h) {
            add(column, y, 1.0);
        }
        for y in 0..h {
            if y + r < h {
                add(column, y + r, 1.0);
            }
            if y > r {
                add(column, y - r - 1, -1.0);
            }
            let per_height = 1.0 / ((y + r + 1).min(h) - y.saturating_sub(r)) as f64;
            let out = v[y * w..(y + 1) * w].iter_mut();
            for ((o, c), k) in out.zip(column.iter()).zip(&self.per_width) {
                *o = (c * k * per_height) as f32;
            }
        }
    }

    /// The window means of `v`, in a new plane.
    fn mean(&mut self, v: &[f32]) -> SecretBuf<f32> {
        let mut out = SecretBuf::try_copy_of(v);
        self.smooth(&mut out);
        out
    }
}

/// The guide's side of the guided filter, the same on every pass: each
/// window's mean colour and the inverse of its colour covariance plus
/// `EPS` (symmetric: six entries rr rg rb gg gb bb).
struct ColourStats {
    filter: BoxFilter,
    mean: [SecretBuf<f32>; 3],
    inverse: [SecretBuf<f32>; 6],
}

/// Index pairs of the six entries of a symmetric 3 x 3 matrix.
const PAIRS: [(usize, usize); 6] = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)];

impl ColourStats {
    fn of(p: &Planes, r: usize) -> ColourStats {
        let (w, h) = (p.w, p.h);
        let mut filter = BoxFilter::new(w, h, r);
        let mean: [SecretBuf<f32>; 3] = std::array::from_fn(|c| filter.mean(&p.rgb[c]));
        let mut second: [SecretBuf<f32>; 6] = std::array::from_fn(|k| {
            let (i, j) = PAIRS[k];
            let mut v = product(&p.rgb[i], &p.rgb[j]);
            filter.smooth(&mut v);
            v
        });
        for n in 0..w * h {
            let m = [mean[0][n], mean[1][n], mean[2][n]];
            let var = |k: usize| {
                let (i, j) = PAIRS[k];
                second[k][n] - m[i] * m[j] + if i == j { EPS } else { 0.0 }
            };
            let inv = inverse3([var(0), var(1), var(2), var(3), var(4), var(5)]);
            for (k, v) in inv.into_iter().enumerate() {
                second[k][n] = v;
            }
        }
        ColourStats {
            filter,
            mean,
            inverse: second,
        }
    }

    /// The smoothed coefficients `a` (one per colour) and `b` fitting
    /// `prior` as `a . colour + b` in every window.
    fn fit(&mut self, p: &Planes, prior: &[f32]) -> Coarse<4> {
        let (w, h) = (p.w, p.h);
        let mp = self.filter.mean(prior);
        let mip: [SecretBuf<f32>; 3] = std::array::from_fn(|c| {
            let mut v = product(&p.rgb[c], prior);
            self.filter.smooth(&mut v);
            v
        });
        let mut coef: [SecretBuf<f32>; 4] = [0; 4].map(|_| SecretBuf::<f32>::zeroed(w * h));
        for n in 0..w * h {
            let m = [self.mean[0][n], self.mean[1][n], self.mean[2][n]];
            let cov = [0, 1, 2].map(|c| mip[c][n] - m[c] * mp[n]);
            let [s0, s1, s2, s3, s4, s5] = [0, 1, 2, 3, 4, 5].map(|k| self.inverse[k][n]);
            let inv = [[s0, s1, s2], [s1, s3, s4], [s2, s4, s5]];
            let a = inv.map(|row| row[0] * cov[0] + row[1] * cov[1] + row[2] * cov[2]);
            for c in 0..3 {
                coef[c][n] = a[c];
            }
            coef[3][n] = mp[n] - a[0] * m[0] - a[1] * m[1] - a[2] * m[2];
        }
        Coarse {
            w,
            h,
            v: coef.map(|mut v| {
                self.filter.smooth(&mut v);
                v
            }),
        }
    }
}

fn product(a: &[f32], b: &[f32]) -> SecretBuf<f32> {
    SecretBuf::from_vec(a.iter().zip(b).map(|(x, y)| x * y).collect())
}

/// The inverse of a symmetric positive definite 3 x 3 matrix given as its
/// six entries rr rg rb gg gb bb (the covariance plus `EPS`), by the
/// adjugate; the same six entries out.
fn inverse3([a, b, c, d, e, f]: [f32; 6]) -> [f32; 6] {
    // | a b c |
    // | b d e |
    // | c e f |
    let (ia, ib, ic) = (d * f - e * e, c * e - b * f, b * e - c * d);
    let det = a * ia + b * ib + c * ic;
    let (id, ie, iff) = (a * f - c * c, b * c - a * e, a * d - b * b);
    [ia, ib, ic, id, ie, iff].map(|v| v / det)
}

impl Matte {
    /// The old background's colour near each pixel: the mean of the
    /// reduced photo weighted by how surely each pixel is background,
    /// `(1 - alpha)^2`; where no background is near, the photo itself (its
    /// weight is then 0 in [`Matte::replace_background`] anyway, alpha
    /// being near 1).
    fn local_background(&self) -> Coarse<3> {
        let (small, width) = (&self.reduced, self.width);
        let [clear] = block_means((width, self.height), self.step, |x, y| {
            let a = self.alpha[(y * width + x) as usize];
            [(1.0 - a) * (1.0 - a)]
        });
        let (w, h) = (small.w, small.h);
        // Four reduced pixels reach past the matte's soft edge into clean
        // background on every passport scale.
        let r = 4;
        let mut filter = BoxFilter::new(w, h, r);
        let weight = filter.mean(&clear);
        let v = [0, 1, 2].map(|c| {
            let mut m = product(&small.rgb[c], &clear);
            filter.smooth(&mut m);
            SecretBuf::from_vec(
                m.iter()
                    .zip(weight.iter())
                    .zip(small.rgb[c].iter())
                    .map(|((s, k), own)| {
                        if *k > 1e-3 {
                            s / k * 255.0
                        } else {
                            own * 255.0
                        }
                    })
                    .collect(),
            )
        });
        Coarse { w, h, v }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` photo: `person` colour left of column `edge`, `back`
    /// right of it.
    fn split(w: u32, h: u32, edge: u32, person: [u8; 3], back: [u8; 3]) -> RgbImage {
        let mut img = RgbImage::black(w, h);
        for y in 0..h {
            for x in 0..w {
                img.put(x, y, if x < edge { person } else { back });
            }
        }
        img
    }

    #[test]
    fn the_edge_moves_from_the_models_guess_onto_the_photos_edge() {
        // The model puts the edge at column 40 with a 10-pixel ramp; the
        // photo's edge is at 34.
        let img = split(80, 40, 34, [40, 30, 20], [200, 200, 205]);
        let person: Vec<f32> = (0..80 * 40)
            .map(|i| (1.0 - ((i % 80) as f32 - 35.0) / 10.0).clamp(0.0, 1.0))
            .collect();
        let m = Matte::refine(&img, &person, 3.0);
        assert_eq!(m.at(31, 20), 1.0);
        assert_eq!(m.at(37, 20), 0.0, "old background kept beside the edge");
        assert!(m.at(33, 20) > 0.5 && m.at(35, 20) < 0.5);
    }

    #[test]
    fn a_second_blob_apart_from_the_person_is_background() {
        let img = split(80, 40, 30, [40, 30, 20], [200, 200, 205]);
        let mut person: Vec<f32> = (0..80 * 40)
            .map(|i| if i % 80 < 30 { 1.0 } else { 0.0 })
            .collect();
        // A bright patch of "person" on the background, far from the edge.
        for y in 15..25 {
            for x in 60..70 {
                person[y * 80 + x] = 1.0;
            }
        }
        let m = Matte::refine(&img, &person, 2.0);
        assert_eq!(m.at(10, 20), 1.0);
        assert_eq!(m.at(65, 20), 0.0, "an island of the old background kept");
    }

    #[test]
    fn edge_pixels_lose_the_old_backgrounds_colour() {
        // A half-covered column: 50 % dark hair over a red background.
        let mut img = split(60, 30, 30, [20, 20, 20], [220, 20, 20]);
        for y in 0..30 {
            img.put(30, y, [120, 20, 20]);
        }
        let person: Vec<f32> = (0..60 * 30)
            .map(|i| match i % 60 {
                0..30 => 1.0,
                30 => 0.5,
                _ => 0.0,
            })
            .collect();
        let step = reduction(60, 30);
        let matte = Matte {
            width: 60,
            height: 30,
            step,
            reduced: Planes::reduced(&img, &person, step),
            alpha: SecretBuf::from_vec(person),
        };
        matte.replace_background(&mut img, [255, 255, 255]);
        // Half hair, half white: grey, with no red left in it.
        let px = img.get(30, 15);
        assert!(px[0].abs_diff(px[1]) <= 2, "a red fringe stayed: {px:?}");
        assert!((130..=145).contains(&px[1]), "{px:?}");
        assert_eq!(img.get(40, 15), [255, 255, 255]);
        assert_eq!(img.get(10, 15), [20, 20, 20]);
    }
}
