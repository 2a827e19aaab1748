//! Filling a model's input tensor from an image through a [`TensorMap`],
//! without allocating: values go straight into the runtime's buffer.

use super::geometry::{Point, TensorMap};
use super::runtime::TensorSink;
use crate::imaging::RgbImage;

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

/// Writes a `size` x `size` x 3 tensor (HWC, RGB) sampled bilinearly from
/// `img` through `map`; positions outside the image are black, as in
/// MediaPipe's zero-border image-to-tensor step.
pub fn fill_tensor(
    img: &RgbImage,
    map: &TensorMap,
    size: u32,
    norm: Normalise,
    sink: &mut dyn TensorSink,
) {
    debug_assert_eq!(sink.len(), (size * size * 3) as usize);
    let black = norm.apply(0.0);
    let mut i = 0;
    for ty in 0..size {
        let row = map.to_image(Point::new(0.5, ty as f32 + 0.5));
        for tx in 0..size {
            let p = row.plus(map.u.scale(tx as f32));
            match img.sample(p.x, p.y) {
                Some(rgb) => {
                    sink.set(i, norm.apply(rgb[0]));
                    sink.set(i + 1, norm.apply(rgb[1]));
                    sink.set(i + 2, norm.apply(rgb[2]));
                }
                None => {
                    sink.set(i, black);
                    sink.set(i + 1, black);
                    sink.set(i + 2, black);
                }
            }
            i += 3;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        fill_tensor(
            &img,
            &map,
            4,
            Normalise::Unit,
            &mut crate::vision::runtime::F32Sink(&mut t),
        );
        // rows 0 and 3 are padding, rows 1 and 2 are the white image
        assert_eq!(t[0], 0.0);
        assert_eq!(t[4 * 3], 1.0); // row 1, first value
        assert_eq!(t[4 * 3 * 3], 0.0);
    }
}
