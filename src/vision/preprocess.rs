//! Filling a model's input tensor from an image through a [`TensorMap`],
//! without allocating: values go straight into the runtime's buffer.

use super::tensor::{Input, TensorSink};
use crate::imaging::RgbImage;
use crate::imaging::geometry::{Point, TensorMap};

/// How 0-255 channel values map to model inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalise {
    /// [-1, 1]: BlazeFace.
    SignedUnit,
    /// [0, 1]: face mesh, selfie segmentation.
    Unit,
}

impl Normalise {
    #[inline]
    fn apply(self, v: f32) -> f32 {
        match self {
            Normalise::SignedUnit => v / 127.5 - 1.0,
            Normalise::Unit => v / 255.0,
        }
    }
}

/// Largest tensor side the axis-aligned fast path handles (its column table
/// lives on the stack).
const MAX_FAST_SIZE: usize = 256;

/// Writes a `size` x `size` x 3 tensor (HWC, RGB) sampled bilinearly from
/// `img` through `map`; positions outside the image are black, as in
/// MediaPipe's zero-border image-to-tensor step.
pub fn fill_tensor(img: &RgbImage, map: &TensorMap, size: u32, norm: Normalise, input: Input<'_>) {
    match input {
        Input::F32(mut s) => fill_with(img, map, size, norm, &mut s),
        Input::I8(mut s) => fill_with(img, map, size, norm, &mut s),
    }
}

fn fill_with<S: TensorSink>(
    img: &RgbImage,
    map: &TensorMap,
    size: u32,
    norm: Normalise,
    sink: &mut S,
) {
    debug_assert_eq!(sink.len(), (size * size * 3) as usize);
    if map.u.y == 0.0 && map.v.x == 0.0 && size as usize <= MAX_FAST_SIZE {
        fill_axis_aligned(img, map, size, norm, sink);
    } else {
        fill_general(img, map, size, norm, sink);
    }
}

/// Any affine map (rotated face crops): one bilinear sample per value.
fn fill_general<S: TensorSink>(
    img: &RgbImage,
    map: &TensorMap,
    size: u32,
    norm: Normalise,
    sink: &mut S,
) {
    let black = norm.apply(0.0);
    let mut i = 0;
    for ty in 0..size {
        let row = map.to_image(Point::new(0.5, ty as f32 + 0.5));
        for tx in 0..size {
            let p = row.plus(map.u.scale(tx as f32));
            let rgb = img
                .sample(p.x, p.y)
                .map_or([black; 3], |c| c.map(|v| norm.apply(v)));
            sink.set(i, rgb[0]);
            sink.set(i + 1, rgb[1]);
            sink.set(i + 2, rgb[2]);
            i += 3;
        }
    }
}

/// Source taps of one tensor column or row: the two pixels and the weight
/// of the second, or `None` outside the image.
#[derive(Clone, Copy, Default)]
struct Tap {
    first: usize,
    second: usize,
    weight: f32,
    inside: bool,
}

fn taps(origin: f32, step: f32, t: u32, extent: u32) -> Tap {
    let p = origin + step * (t as f32 + 0.5);
    if !(p >= 0.0 && p <= extent as f32) {
        return Tap::default();
    }
    let f = (p - 0.5).clamp(0.0, (extent - 1) as f32);
    let first = f as usize;
    Tap {
        first,
        second: (first + 1).min(extent as usize - 1),
        weight: f - first as f32,
        inside: true,
    }
}

/// A letterbox (no rotation): the column taps are computed once per call,
/// not once per pixel, and the inner loop only blends.
fn fill_axis_aligned<S: TensorSink>(
    img: &RgbImage,
    map: &TensorMap,
    size: u32,
    norm: Normalise,
    sink: &mut S,
) {
    let mut cols = [Tap::default(); MAX_FAST_SIZE];
    for (tx, c) in cols.iter_mut().enumerate().take(size as usize) {
        *c = taps(map.origin.x, map.u.x, tx as u32, img.width());
    }
    let black = norm.apply(0.0);
    let px = img.as_bytes();
    let stride = img.width() as usize * 3;
    let mut i = 0;
    for ty in 0..size {
        let row = taps(map.origin.y, map.v.y, ty, img.height());
        let (r0, r1) = (
            &px[row.first * stride..][..stride],
            &px[row.second * stride..][..stride],
        );
        for c in &cols[..size as usize] {
            if !(row.inside && c.inside) {
                for k in 0..3 {
                    sink.set(i + k, black);
                }
            } else {
                let (a, b) = (c.first * 3, c.second * 3);
                for k in 0..3 {
                    let top = f32::from(r0[a + k])
                        + (f32::from(r0[b + k]) - f32::from(r0[a + k])) * c.weight;
                    let bottom = f32::from(r1[a + k])
                        + (f32::from(r1[b + k]) - f32::from(r1[a + k])) * c.weight;
                    sink.set(i + k, norm.apply(top + (bottom - top) * row.weight));
                }
            }
            i += 3;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::tensor::F32Sink;

    /// The fast letterbox path and the general path agree on a gradient.
    #[test]
    fn axis_aligned_path_matches_the_general_one() {
        let mut img = RgbImage::black(37, 23);
        for y in 0..23 {
            for x in 0..37 {
                img.put(x, y, [(x * 6) as u8, (y * 11) as u8, ((x + y) * 3) as u8]);
            }
        }
        let map = TensorMap::letterbox(37, 23, 16);
        let mut fast = vec![0f32; 16 * 16 * 3];
        let mut slow = vec![0f32; 16 * 16 * 3];
        fill_axis_aligned(
            &img,
            &map,
            16,
            Normalise::SignedUnit,
            &mut F32Sink(&mut fast),
        );
        fill_general(
            &img,
            &map,
            16,
            Normalise::SignedUnit,
            &mut F32Sink(&mut slow),
        );
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }

    #[test]
    fn letterbox_fill_pads_black_and_keeps_pixels() {
        let mut img = RgbImage::black(4, 2);
        for x in 0..4 {
            for y in 0..2 {
                img.put(x, y, [255, 255, 255]);
            }
        }
        let map = TensorMap::letterbox(4, 2, 4);
        let mut t = vec![0f32; 4 * 4 * 3];
        fill_tensor(&img, &map, 4, Normalise::Unit, Input::F32(F32Sink(&mut t)));
        // rows 0 and 3 are padding, rows 1 and 2 are the white image
        assert_eq!(t[0], 0.0);
        assert_eq!(t[4 * 3], 1.0); // row 1, first value
        assert_eq!(t[4 * 3 * 3], 0.0);
    }
}
