//! Sampling the finished photo out of the source through the crop, with
//! optional background replacement and padding.

use super::matte::Matte;
use crate::imaging::warp::{Crop, sample_pixel, supersampling};
use crate::imaging::{RgbImage, SecretBuf};
use crate::vision::PersonMask;

/// What to paint where there is no person.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Painting {
    /// Replace the background by this colour, along the person's matte.
    pub background: Option<[u8; 3]>,
    /// Fill any part of the crop outside the source with this colour; with
    /// `None` the edge pixels are repeated (and the margin check fails).
    pub padding: Option<[u8; 3]>,
}

/// The photo and the person probability of each of its pixels.
#[derive(Debug)]
pub struct Rendered {
    /// The photo.
    pub image: RgbImage,
    /// Person probability per output pixel, row-major.
    pub person: SecretBuf<f32>,
}

/// Renders `out_w` x `out_h` pixels of `src` through `crop`. Each output
/// pixel averages a k x k grid of bilinear samples, k the downscale factor
/// (at most 4), so a 12 MP photo shrinks without aliasing. A replaced
/// background follows the person's [`Matte`], refined at this resolution.
pub fn render(
    src: &RgbImage,
    crop: &Crop,
    out_w: u32,
    out_h: u32,
    mask: &PersonMask,
    paint: Painting,
) -> Rendered {
    let mut image = RgbImage::black(out_w, out_h);
    let mut person = SecretBuf::<f32>::zeroed(out_w as usize * out_h as usize);
    let k = supersampling(crop, out_w);
    let pad = paint.padding.map(|c| c.map(f32::from));
    for v in 0..out_h {
        for u in 0..out_w {
            let px = sample_pixel(src, crop, (u, v), (out_w, out_h), k, pad);
            let centre = crop.source_of(u as f32 + 0.5, v as f32 + 0.5, out_w, out_h);
            person[(v * out_w + u) as usize] = mask.at(centre);
            image.put(u, v, px.map(|x| x.round().clamp(0.0, 255.0) as u8));
        }
    }
    if let Some(fill) = paint.background {
        let cell_px = mask.cell_size() * out_w as f32 / crop.width;
        Matte::refine(&image, &person, cell_px).replace_background(&mut image, fill);
    }
    Rendered { image, person }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::geometry::Point;
    use crate::imaging::warp::overflow_px;
    use crate::vision::TensorMap;

    fn mask(value: f32) -> PersonMask {
        let mut v = SecretBuf::<f32>::zeroed(256 * 256);
        v.iter_mut().for_each(|x| *x = value);
        PersonMask::from_grid(TensorMap::letterbox(1000, 1000, 256), v)
    }

    /// A `side` x `side` crop centred at (cx, cy), rendered at 1:1.
    fn square(
        src: &RgbImage,
        cx: f32,
        cy: f32,
        side: u32,
        angle: f32,
        person: f32,
        paint: Painting,
    ) -> (Crop, Rendered) {
        let crop = Crop {
            center: Point::new(cx, cy),
            width: side as f32,
            height: side as f32,
            angle,
        };
        let out = render(src, &crop, side, side, &mask(person), paint);
        (crop, out)
    }

    const PLAIN: Painting = Painting {
        background: None,
        padding: None,
    };

    #[test]
    fn identity_crop_reproduces_the_source() {
        let mut src = RgbImage::black(8, 8);
        for y in 0..8 {
            for x in 0..8 {
                src.put(x, y, [(x * 30) as u8, (y * 40 % 256) as u8, 9]);
            }
        }
        let (_, out) = square(&src, 4.0, 4.0, 8, 0.0, 1.0, PLAIN);
        assert_eq!(out.image.as_bytes(), src.as_bytes());
    }

    #[test]
    fn half_turn_flips_the_image() {
        let mut src = RgbImage::black(4, 4);
        src.put(0, 0, [255, 0, 0]);
        let (_, out) = square(&src, 2.0, 2.0, 4, std::f32::consts::PI, 1.0, PLAIN);
        assert_eq!(out.image.get(3, 3), [255, 0, 0]);
        assert_eq!(out.image.get(0, 0), [0, 0, 0]);
    }

    #[test]
    fn padding_fills_outside_the_source() {
        let src = RgbImage::black(4, 4);
        let paint = Painting {
            background: None,
            padding: Some([10, 20, 30]),
        };
        let (crop, out) = square(&src, 4.0, 2.0, 4, 0.0, 1.0, paint);
        assert_eq!(out.image.get(0, 0), [0, 0, 0]);
        assert_eq!(out.image.get(3, 0), [10, 20, 30]);
        assert_eq!(overflow_px(4, 4, &crop, 4, 4), 2.0);
    }

    #[test]
    fn background_replacement_paints_where_no_person_is() {
        let src = RgbImage::black(4, 4);
        let paint = Painting {
            background: Some([255, 255, 255]),
            padding: None,
        };
        let (_, out) = square(&src, 2.0, 2.0, 4, 0.0, 0.0, paint);
        assert!(out.image.as_bytes().iter().all(|&b| b == 255));
        let (_, kept) = square(&src, 2.0, 2.0, 4, 0.0, 1.0, paint);
        assert!(kept.image.as_bytes().iter().all(|&b| b == 0));
    }
}
