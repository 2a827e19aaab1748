//! Glasses, and glare on their lenses, read off the composed photo.
//!
//! A frame is a thin bar across the nose bridge between the eyes, where
//! skin is otherwise smooth at that scale. The bridge is read as a profile
//! down the face (lightness averaged along the eye line, so a horizontal
//! bar keeps its contrast and skin texture averages out), and the bar's
//! contrast is the largest step of the profile against the mean of its two
//! neighbours a bar's width away: a dark plastic frame, a bright metal one
//! and a frame's shadow all stand out; skin's smooth shading does not. The
//! face mesh places the window; nothing here needs a second model.
//!
//! The lower rims across the cheeks were read the same way and dropped:
//! on the marked portraits, smile creases and eye bags gave bare faces
//! bars up to 28, above two of the three faces with glasses.
//!
//! Glare is light reflected by a lens: clipped pixels in the ring the lens
//! covers around each eye, outside the eye itself (whose catchlight is no
//! glare).

use serde::Serialize;

use super::photometry::{Regions, for_each_inside};
use crate::imaging::{RgbImage, luma};
use crate::vision::Point;

/// Where the bridge's bar is looked for, along the face's vertical from
/// the eye line, in eye distances (up is negative): from above the frames'
/// top to below the inner eye corners; the eyebrows begin further up.
const BRIDGE_SPAN: (f32, f32) = (-0.28, 0.12);
/// Half-width of the bridge's strip along the eye line, eye distances.
const BRIDGE_HALF_WIDTH: f32 = 0.07;
/// A bar's half-thickness scale, eye distances (at least `MIN_BAR_PX`).
const BAR: f32 = 0.05;
const MIN_BAR_PX: f32 = 2.0;
/// The lens ring around each eye centre, eye distances (half-axes along
/// and across the eye line).
const LENS: (f32, f32) = (0.42, 0.30);
/// A lens pixel is glare at this luma or above (clipped highlights).
const GLARE_LUMA: f32 = 245.0;

/// The measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Eyewear {
    /// The strongest bar across the nose bridge, luma (0-255).
    pub bridge_bar: f64,
    /// Share of the lens rings' pixels that are clipped highlights.
    pub lens_glare: f64,
}

/// The face's frame on the photo: eye centres, the unit vectors along the
/// eye line (`along`, towards the image's right) and down the face
/// (`down`), and the eye distance in pixels.
struct FaceFrame {
    eyes: [Point; 2],
    along: Point,
    down: Point,
    eye_distance: f32,
}

impl FaceFrame {
    fn of(regions: &Regions) -> Option<FaceFrame> {
        let centre = |poly: &[Point]| {
            let n = poly.len().max(1) as f32;
            poly.iter()
                .fold(Point::default(), |a, p| a.plus(*p))
                .scale(1.0 / n)
        };
        let eyes = [centre(&regions.eyes[0]), centre(&regions.eyes[1])];
        let (dx, dy) = (eyes[1].x - eyes[0].x, eyes[1].y - eyes[0].y);
        let eye_distance = (dx * dx + dy * dy).sqrt();
        if eye_distance.is_nan() || eye_distance < 4.0 {
            return None;
        }
        let along = Point::new(dx / eye_distance, dy / eye_distance);
        let (along, eyes) = if along.x < 0.0 {
            (along.scale(-1.0), [eyes[1], eyes[0]])
        } else {
            (along, eyes)
        };
        Some(FaceFrame {
            eyes,
            along,
            down: Point::new(-along.y, along.x),
            eye_distance,
        })
    }

    /// The largest bar contrast of the profile down the face through
    /// `origin`, over `span` (eye distances), lightness averaged over
    /// `half_width` either side along the eye line.
    fn bar(&self, img: &RgbImage, origin: Point, span: (f32, f32), half_width: f32) -> f64 {
        let d = self.eye_distance;
        let k = (BAR * d).max(MIN_BAR_PX);
        let (from, to) = (span.0 * d - k, span.1 * d + k);
        let half = (half_width * d).max(1.0);
        let level = |t: f32| {
            let (mut sum, mut n) = (0.0, 0.0);
            let mut s = -half;
            while s <= half {
                let p = origin.plus(self.down.scale(t)).plus(self.along.scale(s));
                sum += luma(img.sample_clamped(p.x, p.y));
                n += 1.0;
                s += 1.0;
            }
            sum / n
        };
        let mut best = 0.0f32;
        let mut t = from + k;
        while t <= to - k {
            let step: f32 = level(t) - 0.5 * (level(t - k) + level(t + k));
            best = best.max(step.abs());
            t += 0.5;
        }
        f64::from(best)
    }
}

/// Measures the frame's bars and the lenses' glare on `img`.
pub fn measure(img: &RgbImage, regions: &Regions) -> Eyewear {
    let Some(f) = FaceFrame::of(regions) else {
        return Eyewear {
            bridge_bar: 0.0,
            lens_glare: 0.0,
        };
    };
    let bridge = f.eyes[0].mid(f.eyes[1]);
    Eyewear {
        bridge_bar: f.bar(img, bridge, BRIDGE_SPAN, BRIDGE_HALF_WIDTH),
        lens_glare: glare(img, regions, &f),
    }
}

/// Share of clipped pixels in the lens rings: inside the ellipse `LENS`
/// around each eye, outside the eye's own outline.
fn glare(img: &RgbImage, regions: &Regions, f: &FaceFrame) -> f64 {
    let (w, h) = (img.width(), img.height());
    let (ra, rd) = (LENS.0 * f.eye_distance, LENS.1 * f.eye_distance);
    let (mut ring, mut clipped) = (0u32, 0u32);
    for (e, outline) in f.eyes.iter().zip(sorted_outlines(regions, f)) {
        // The ellipse as a polygon, so the eye outline can be told apart.
        let lens: Vec<Point> = (0..32)
            .map(|i| {
                let a = i as f32 / 32.0 * std::f32::consts::TAU;
                e.plus(f.along.scale(ra * a.cos()))
                    .plus(f.down.scale(rd * a.sin()))
            })
            .collect();
        for_each_inside(&lens, w, h, |x, y| {
            let p = Point::new(x as f32 + 0.5, y as f32 + 0.5);
            if super::photometry::inside(outline, p.x, p.y) {
                return;
            }
            ring += 1;
            let px = img.get(x, y);
            if luma([f32::from(px[0]), f32::from(px[1]), f32::from(px[2])]) >= GLARE_LUMA {
                clipped += 1;
            }
        });
    }
    if ring == 0 {
        0.0
    } else {
        f64::from(clipped) / f64::from(ring)
    }
}

/// The eye outlines in the order of `f.eyes` (left to right on the image).
fn sorted_outlines<'a>(regions: &'a Regions, f: &FaceFrame) -> [&'a [Point]; 2] {
    let first_is_left = {
        let p = &regions.eyes[0];
        let n = p.len().max(1) as f32;
        let cx = p.iter().map(|q| q.x).sum::<f32>() / n;
        (cx - f.eyes[0].x).abs() < (cx - f.eyes[1].x).abs()
    };
    if first_is_left {
        [&regions.eyes[0], &regions.eyes[1]]
    } else {
        [&regions.eyes[1], &regions.eyes[0]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200 x 200 face of even skin with eyes at (70, 90) and (130, 90)
    /// (outlines 20 x 8), and what `paint` adds.
    fn face(paint: impl Fn(u32, u32) -> Option<[u8; 3]>) -> (RgbImage, Regions) {
        let mut img = RgbImage::black(200, 200);
        for y in 0..200 {
            for x in 0..200 {
                let shade = 180 - (y / 10) as u8; // smooth shading down the face
                img.put(x, y, paint(x, y).unwrap_or([shade, shade - 40, shade - 70]));
            }
        }
        let eye = |cx: f32| {
            vec![
                Point::new(cx - 10.0, 90.0),
                Point::new(cx, 86.0),
                Point::new(cx + 10.0, 90.0),
                Point::new(cx, 94.0),
            ]
        };
        let regions = Regions {
            face: vec![
                Point::new(30.0, 30.0),
                Point::new(170.0, 30.0),
                Point::new(170.0, 190.0),
                Point::new(30.0, 190.0),
            ],
            eyes: [eye(70.0), eye(130.0)],
            eye_mid: Point::new(100.0, 90.0),
        };
        (img, regions)
    }

    /// Black rectangular frames: rims round each eye 3 px thick, a bridge.
    fn frames(x: u32, y: u32) -> Option<[u8; 3]> {
        let rim = |cx: i32| {
            let (dx, dy) = ((x as i32 - cx).abs(), (y as i32 - 92).abs());
            (dx <= 24 && (17..=19).contains(&dy)) || (dy <= 19 && (22..=24).contains(&dx))
        };
        let bridge = (94..=106).contains(&x) && (80..=82).contains(&y);
        (rim(70) || rim(130) || bridge).then_some([20, 20, 20])
    }

    #[test]
    fn bare_skin_shows_no_frame_and_a_frame_does() {
        let (img, regions) = face(|_, _| None);
        let bare = measure(&img, &regions);
        assert!(bare.bridge_bar < 2.0, "{bare:?}");
        let (img, regions) = face(frames);
        let worn = measure(&img, &regions);
        assert!(worn.bridge_bar > 60.0, "{worn:?}");
    }

    #[test]
    fn a_bright_spot_on_a_lens_is_glare_and_a_catchlight_in_the_eye_is_not() {
        let (img, regions) = face(|x, y| {
            let d = |cx: i32, cy: i32| (x as i32 - cx).pow(2) + (y as i32 - cy).pow(2);
            (d(70, 90) <= 4).then_some([255, 255, 255])
        });
        assert_eq!(measure(&img, &regions).lens_glare, 0.0);
        let (img, regions) = face(|x, y| {
            let d = |cx: i32, cy: i32| (x as i32 - cx).pow(2) + (y as i32 - cy).pow(2);
            (d(60, 102) <= 25).then_some([255, 255, 255])
        });
        let g = measure(&img, &regions).lens_glare;
        assert!(g > 0.02, "{g}");
    }
}
