//! Background replacement against a known true edge. A development
//! portrait on a plain studio backdrop is keyed against that backdrop (its
//! true matte), put onto a cluttered photo, and composed with replacement:
//! the result should be what the portrait would give had the backdrop been
//! the spec's colour all along. Errors are measured in the band around the
//! true outline (the edge an officer looks at) and away from it (islands of
//! the old background, or bites out of the person).

use std::path::Path;

use passbooth::engine::report::Timings;
use passbooth::engine::{BackgroundMode, Engine, Options};
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::write_file;
use passbooth::imaging::geometry::Point;
use passbooth::imaging::warp::{self, Crop};
use passbooth::spec::Spec;

use crate::common::*;

/// Half-width of the band around the true outline, output pixels.
const BAND: i64 = 6;
/// A pixel away from the band is wrong when a channel differs by more.
const WRONG: f32 = 48.0;

/// A picture as floats, channel-interleaved.
struct Planes {
    w: usize,
    h: usize,
    v: Vec<[f32; 3]>,
}

impl Planes {
    fn of(img: &RgbImage) -> Self {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let v = img
            .as_bytes()
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]].map(f32::from))
            .collect();
        Planes { w, h, v }
    }

    fn image(&self) -> RgbImage {
        let mut out = RgbImage::black(self.w as u32, self.h as u32);
        for (i, p) in self.v.iter().enumerate() {
            let (x, y) = ((i % self.w) as u32, (i / self.w) as u32);
            out.put(x, y, p.map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
        out
    }
}

/// A portrait keyed against its plain backdrop: the backdrop's colour at
/// each pixel (a quadratic surface fitted to the frame above the
/// shoulders) and how much of each pixel is person.
struct Keyed {
    photo: Planes,
    backdrop: Vec<[f32; 3]>,
    alpha: Vec<f32>,
}

/// Sums of `v` over every (2r+1)-square window, clipped at the edges.
fn box_sums(v: &[f64], w: usize, h: usize, r: usize) -> Vec<f64> {
    let mut table = vec![0.0; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0.0;
        for x in 0..w {
            row += v[y * w + x];
            table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + row;
        }
    }
    (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let (x0, y0) = (x.saturating_sub(r), y.saturating_sub(r));
            let (x1, y1) = ((x + r + 1).min(w), (y + r + 1).min(h));
            table[y1 * (w + 1) + x1] - table[y0 * (w + 1) + x1] - table[y1 * (w + 1) + x0]
                + table[y0 * (w + 1) + x0]
        })
        .collect()
}

/// Pixels joined to the top or the sides of the frame through pixels
/// where `open` holds.
fn flood_from_frame(w: usize, h: usize, open: impl Fn(usize) -> bool) -> Vec<bool> {
    let mut reached = vec![false; w * h];
    let mut stack: Vec<usize> = (0..w)
        .chain((0..h).flat_map(|y| [y * w, y * w + w - 1]))
        .collect();
    while let Some(i) = stack.pop() {
        if reached[i] || !open(i) {
            continue;
        }
        reached[i] = true;
        let (x, y) = (i % w, i / w);
        if x > 0 {
            stack.push(i - 1);
        }
        if x + 1 < w {
            stack.push(i + 1);
        }
        if y > 0 {
            stack.push(i - w);
        }
        if y + 1 < h {
            stack.push(i + w);
        }
    }
    reached
}

/// Largest channel difference of `a` and `b`.
fn distance(a: [f32; 3], b: [f32; 3]) -> f32 {
    (0..3).map(|c| (a[c] - b[c]).abs()).fold(0.0, f32::max)
}

/// Keys `photo` against its backdrop. The backdrop's colour at each pixel
/// is the mean of the surely-backdrop pixels around it (a studio backdrop
/// is lit unevenly: brighter behind the head); a pixel joined to the top
/// or sides of the frame through pixels short of solid foreground is
/// backdrop or edge, its alpha its distance from the backdrop scaled
/// between `LOW` (the backdrop's noise) and `HIGH`; the rest is person.
fn key(photo: &RgbImage) -> Keyed {
    const LOW: f32 = 10.0;
    const HIGH: f32 = 60.0;
    const ROUGH: f32 = 40.0;
    const SURE: f32 = 25.0;
    let photo = Planes::of(photo);
    let (w, h) = (photo.w, photo.h);
    // Rough backdrop: the mean colour of the top rows.
    let top = &photo.v[..w * h / 20];
    let mean: [f32; 3] =
        std::array::from_fn(|c| top.iter().map(|p| p[c]).sum::<f32>() / top.len() as f32);
    let sure = flood_from_frame(w, h, |i| distance(photo.v[i], mean) < ROUGH);
    let weight: Vec<f64> = sure.iter().map(|&s| f64::from(u8::from(s))).collect();
    let mut backdrop = vec![mean; w * h];
    // Narrower windows overwrite wider ones where they saw enough backdrop.
    for (r, least) in [(w, 1.0), (w / 10, 0.1), (w / 40, 0.2)] {
        let n = box_sums(&weight, w, h, r);
        let sums: [Vec<f64>; 3] = std::array::from_fn(|c| {
            let v: Vec<f64> = photo
                .v
                .iter()
                .zip(&weight)
                .map(|(p, k)| f64::from(p[c]) * k)
                .collect();
            box_sums(&v, w, h, r)
        });
        let enough = least * ((2 * r + 1) * (2 * r + 1)).min(w * h) as f64 / 4.0;
        for i in 0..w * h {
            if n[i] >= enough.max(1.0) {
                backdrop[i] = std::array::from_fn(|c| (sums[c][i] / n[i]) as f32);
            }
        }
    }
    let dist: Vec<f32> = photo
        .v
        .iter()
        .zip(&backdrop)
        .map(|(p, b)| distance(*p, *b))
        .collect();
    // The backdrop is what the frame reaches through near-backdrop pixels
    // (a shadowed neck is nearer the grey than HIGH, but walled in by the
    // collar); the pixels at most two away from it are the soft edge.
    let reached = flood_from_frame(w, h, |i| dist[i] < SURE);
    let touched: Vec<f64> = reached.iter().map(|&r| f64::from(u8::from(r))).collect();
    let near = box_sums(&touched, w, h, 2);
    let alpha = (0..w * h)
        .map(|i| {
            if near[i] > 0.0 {
                ((dist[i] - LOW) / (HIGH - LOW)).clamp(0.0, 1.0)
            } else {
                1.0
            }
        })
        .collect();
    Keyed {
        photo,
        backdrop,
        alpha,
    }
}

impl Keyed {
    /// The portrait with `behind` in place of its backdrop:
    /// `photo + (1 - alpha) * (behind - backdrop)`, exact where the photo
    /// is `alpha * person + (1 - alpha) * backdrop`.
    fn onto(&self, behind: impl Fn(usize) -> [f32; 3]) -> Planes {
        let v = (0..self.alpha.len())
            .map(|i| {
                let (p, b, a, n) = (self.photo.v[i], self.backdrop[i], self.alpha[i], behind(i));
                std::array::from_fn(|c| p[c] + (1.0 - a) * (n[c] - b[c]))
            })
            .collect();
        Planes {
            w: self.photo.w,
            h: self.photo.h,
            v,
        }
    }

    fn matte(&self) -> RgbImage {
        let mut out = RgbImage::black(self.photo.w as u32, self.photo.h as u32);
        for (i, a) in self.alpha.iter().enumerate() {
            let g = (a * 255.0).round() as u8;
            out.put((i % self.photo.w) as u32, (i / self.photo.w) as u32, [g; 3]);
        }
        out
    }
}

/// The whole of `img` stretched to `w` x `h`.
fn stretched(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let crop = Crop {
        center: Point::new(img.width() as f32 / 2.0, img.height() as f32 / 2.0),
        width: img.width() as f32,
        height: img.height() as f32,
        angle: 0.0,
    };
    warp::resample(img, &crop, w, h, None)
}

/// Errors of `got` against `want` (same size): mean channel difference in
/// the band around the outline of `matte` (a grey picture, person white),
/// and the share of pixels away from the band off by more than `WRONG`.
fn edge_errors(got: &RgbImage, want: &RgbImage, matte: &RgbImage) -> (f64, f64) {
    let (w, h) = (got.width() as i64, got.height() as i64);
    let inside = |x: i64, y: i64| matte.get(x as u32, y as u32)[0] >= 128;
    let (mut band, mut band_err, mut away, mut wrong) = (0u64, 0.0f64, 0u64, 0u64);
    for y in 0..h {
        for x in 0..w {
            let me = inside(x, y);
            let near = (-BAND..=BAND).any(|dy| {
                (-BAND..=BAND).any(|dx| {
                    let (u, v) = (x + dx, y + dy);
                    u >= 0 && v >= 0 && u < w && v < h && inside(u, v) != me
                })
            });
            let (a, b) = (got.get(x as u32, y as u32), want.get(x as u32, y as u32));
            let diff: Vec<f32> = (0..3)
                .map(|c| (f32::from(a[c]) - f32::from(b[c])).abs())
                .collect();
            if near {
                band += 1;
                band_err += f64::from(diff.iter().sum::<f32>() / 3.0);
            } else {
                away += 1;
                wrong += u64::from(diff.iter().any(|&d| d > WRONG));
            }
        }
    }
    (
        band_err / band.max(1) as f64,
        wrong as f64 / away.max(1) as f64,
    )
}

/// Composes `file` (a portrait on a plain backdrop) put onto `clutter`,
/// with the background replaced, and returns (band error, share wrong
/// away from the band) against the truth.
fn cut_out(engine: &mut Engine, spec: &Spec, file: &Path, clutter: &Path) -> (f64, f64) {
    let photo = decode_file(file).unwrap();
    let keyed = key(&photo);
    let busy = stretched(
        &decode_file(clutter).unwrap(),
        photo.width(),
        photo.height(),
    );
    let busy = Planes::of(&busy);
    let composite = keyed.onto(|i| busy.v[i]).image();
    let fill = spec.background[0].fill_rgb().map(f32::from);
    let truth = keyed.onto(|_| fill).image();

    let opts = Options {
        dpi: spec.dpi,
        background: BackgroundMode::Replace,
    };
    let a = engine
        .process(&composite, spec, &opts, &mut Timings::default())
        .unwrap();
    let (got, layout) = (a.photo.unwrap(), a.layout.unwrap());
    let (w, h) = (got.width(), got.height());
    let fill = fill.map(|c| c as u8);
    let want = warp::resample(&truth, &layout.crop, w, h, Some(fill));
    let matte = warp::resample(&keyed.matte(), &layout.crop, w, h, Some([0; 3]));
    if let Some(dir) = std::env::var_os("PASSBOOTH_CUTOUT_DUMP") {
        let dir = Path::new(&dir);
        let stem = clutter.file_stem().unwrap().to_string_lossy();
        save(dir, &format!("{stem}-composite.png"), &composite);
        save(dir, &format!("{stem}-got.png"), &got);
        save(dir, &format!("{stem}-want.png"), &want);
        save(dir, &format!("{stem}-matte.png"), &matte);
    }
    edge_errors(&got, &want, &matte)
}

#[test]
fn a_portrait_cut_out_of_a_cluttered_background_has_its_true_edge() {
    let Some(dir) = shared_portraits("cut-outs are measured on the host") else {
        return;
    };
    let spec = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let mut engine = Engine::load(&repo("models")).unwrap();
    let portrait = dir.join("face_recognition_repo/alex_lacamoire1.jpg");
    // Bounds on the band's mean error (0-255). The model's mask alone
    // (before the matte was refined) gave 30.3 and 18.0, with 0.22 % and
    // 0.36 % of pixels wrong away from the band.
    for (clutter, bound) in [
        ("skimage/motorcycle_left.png", 27.0),
        ("skimage/coffee.png", 12.0),
    ] {
        let (band, wrong) = cut_out(&mut engine, &spec, &portrait, &dir.join(clutter));
        println!(
            "onto {clutter}: band mean error {band:.1} / 255 (at most {bound}), \
             wrong away from it {:.3} % (at most 0.4 %)",
            100.0 * wrong
        );
        assert!(band <= bound, "onto {clutter}: band error {band:.1}");
        assert!(
            wrong <= 0.004,
            "onto {clutter}: {:.3} % wrong",
            100.0 * wrong
        );
    }
}

/// The astronaut composed for a US passport with her background replaced
/// matches `tests/golden/cutout-astronaut.png` (at half size, the edge's
/// shape without every pixel's rounding): the cut-out follows her hair and
/// the suit's ring, with the flag and the shuttle model wholly gone.
#[test]
fn the_astronaut_cut_out_matches_its_golden_image() {
    let spec = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let mut engine = Engine::load(&repo("models")).unwrap();
    let opts = Options {
        dpi: spec.dpi,
        background: BackgroundMode::Replace,
    };
    let a = engine
        .process(&astronaut(), &spec, &opts, &mut Timings::default())
        .unwrap();
    let got = a.photo.unwrap().box_downscale(2);
    let path = repo("tests/golden/cutout-astronaut.png");
    if std::env::var_os("PASSBOOTH_UPDATE_GOLDEN").is_some() {
        assert!(
            !under_ci(),
            "PASSBOOTH_UPDATE_GOLDEN under CI compares nothing"
        );
        write_file(&got, &path, 150).unwrap();
        skipped("cutout-astronaut: golden rewritten, not compared");
        return;
    }
    let want = decode_file(&path).unwrap();
    assert_eq!((want.width(), want.height()), (got.width(), got.height()));
    // The models' arithmetic differs a little between x86 and ARM: a few
    // pixels of the soft edge may move, nothing more.
    let diffs: Vec<u8> = want
        .as_bytes()
        .iter()
        .zip(got.as_bytes())
        .map(|(a, b)| a.abs_diff(*b))
        .collect();
    let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
    let far = diffs.iter().filter(|&&d| d > 32).count() as f64 / diffs.len() as f64;
    assert!(
        mean <= 1.0 && far <= 0.002,
        "differs from {}: mean {mean:.2}, {:.2} % by more than 32",
        path.display(),
        100.0 * far
    );
    // Above her hair and beside her head is nothing but the spec's colour.
    let fill = spec.background[0].fill_rgb();
    for (x, y) in [(5, 5), (150, 5), (295, 5), (5, 100), (295, 100)] {
        assert_eq!(got.get(x, y), fill, "at ({x}, {y})");
    }
}
