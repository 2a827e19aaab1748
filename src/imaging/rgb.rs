//! An RGB image whose pixels live in a [`SecretBuf`].

use super::buffer::SecretBuf;

/// 8-bit sRGB, three bytes a pixel, rows top to bottom, no padding.
#[derive(Debug)]
pub struct RgbImage {
    width: u32,
    height: u32,
    pixels: SecretBuf<u8>,
}

/// Why a buffer cannot be an image.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a {width}x{height} RGB image needs {expected} bytes, got {actual}")]
pub struct SizeMismatch {
    /// Width asked for.
    pub width: u32,
    /// Height asked for.
    pub height: u32,
    /// `width * height * 3`.
    pub expected: usize,
    /// Bytes given.
    pub actual: usize,
}

impl RgbImage {
    /// An all-black image.
    pub fn black(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: SecretBuf::zeroed(width as usize * height as usize * 3),
        }
    }

    /// Wraps pixels already in memory, checking the size.
    pub fn from_buf(width: u32, height: u32, pixels: SecretBuf<u8>) -> Result<Self, SizeMismatch> {
        let expected = width as usize * height as usize * 3;
        if pixels.len() != expected {
            return Err(SizeMismatch {
                width,
                height,
                expected,
                actual: pixels.len(),
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// An explicit copy, for the rare place that needs two owners (the
    /// type is not `Clone`, so no copy of a face happens unseen).
    pub fn copy(&self) -> Self {
        Self {
            width: self.width,
            height: self.height,
            pixels: SecretBuf::try_copy_of(self.as_bytes()),
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The raw bytes, RGBRGB...
    pub fn as_bytes(&self) -> &[u8] {
        &self.pixels
    }

    /// The raw bytes, mutable.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.pixels
    }

    /// Zeroes every pixel now, in a way the compiler keeps (the image stays
    /// usable, black).
    pub fn wipe(&mut self) {
        self.pixels.wipe();
    }

    /// The pixel at integer coordinates (must be inside).
    #[inline]
    pub fn get(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    /// Writes the pixel at integer coordinates (must be inside).
    #[inline]
    pub fn put(&mut self, x: u32, y: u32, rgb: [u8; 3]) {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        self.pixels[i..i + 3].copy_from_slice(&rgb);
    }

    /// Bilinear sample at a continuous position, where pixel (i, j) covers
    /// [i, i+1) x [j, j+1) and its centre is (i + 0.5, j + 0.5). Outside the
    /// image the result is `None`, so callers decide how to fill.
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> Option<[f32; 3]> {
        if !(x >= 0.0 && y >= 0.0 && x <= self.width as f32 && y <= self.height as f32) {
            return None;
        }
        Some(self.sample_clamped(x, y))
    }

    /// Bilinear sample with the edge pixels repeated outside the image.
    #[inline]
    pub fn sample_clamped(&self, x: f32, y: f32) -> [f32; 3] {
        let fx = (x - 0.5).clamp(0.0, (self.width - 1) as f32);
        let fy = (y - 0.5).clamp(0.0, (self.height - 1) as f32);
        let x0 = fx as u32;
        let y0 = fy as u32;
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let ax = fx - x0 as f32;
        let ay = fy - y0 as f32;
        let w = self.width as usize;
        let p = &self.pixels;
        let idx = |xx: u32, yy: u32| (yy as usize * w + xx as usize) * 3;
        let (i00, i10, i01, i11) = (idx(x0, y0), idx(x1, y0), idx(x0, y1), idx(x1, y1));
        let mut out = [0f32; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = p[i00 + c] as f32 * (1.0 - ax) + p[i10 + c] as f32 * ax;
            let bottom = p[i01 + c] as f32 * (1.0 - ax) + p[i11 + c] as f32 * ax;
            *o = top * (1.0 - ay) + bottom * ay;
        }
        out
    }

    /// A smaller copy, each output pixel the mean of a `factor` x `factor`
    /// block (edge blocks are partial). Used once per photo so that every
    /// model input is cut from a few-megapixel image rather than from 12 MP.
    pub fn box_downscale(&self, factor: u32) -> RgbImage {
        let factor = factor.max(1);
        let w = self.width.div_ceil(factor);
        let h = self.height.div_ceil(factor);
        let mut out = RgbImage::black(w, h);
        let (f, width) = (factor as usize, self.width as usize);
        let mut sums = SecretBuf::<u32>::zeroed(w as usize * 3);
        for oy in 0..h {
            sums.iter_mut().for_each(|s| *s = 0);
            let y_end = ((oy + 1) * factor).min(self.height);
            // A block's run of pixels at a time: no division per pixel.
            for y in oy * factor..y_end {
                let row = &self.pixels[y as usize * width * 3..][..width * 3];
                for (sum, run) in sums.chunks_exact_mut(3).zip(row.chunks(f * 3)) {
                    let (r, g, b) = run
                        .chunks_exact(3)
                        .fold((0u32, 0u32, 0u32), |(r, g, b), p| {
                            (
                                r + u32::from(p[0]),
                                g + u32::from(p[1]),
                                b + u32::from(p[2]),
                            )
                        });
                    sum[0] += r;
                    sum[1] += g;
                    sum[2] += b;
                }
            }
            let rows = y_end - oy * factor;
            let dst = &mut out.pixels[(oy as usize * w as usize) * 3..][..w as usize * 3];
            for (ox, (px, sum)) in dst
                .chunks_exact_mut(3)
                .zip(sums.chunks_exact(3))
                .enumerate()
            {
                let cols = (width - ox * f).min(f) as u32;
                let n = cols * rows;
                for (d, s) in px.iter_mut().zip(sum) {
                    *d = ((s + n / 2) / n) as u8;
                }
            }
        }
        out
    }
}

/// Rec. 601 luma of an sRGB pixel, 0-255 (the luma JPEG and our checks use).
#[inline]
pub fn luma(rgb: [f32; 3]) -> f32 {
    0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        let mut img = RgbImage::black(w, h);
        for y in 0..h {
            for x in 0..w {
                img.put(x, y, [x as u8, y as u8, 0]);
            }
        }
        img
    }

    #[test]
    fn from_buf_rejects_a_wrong_size() {
        let err = RgbImage::from_buf(4, 4, SecretBuf::zeroed(47)).unwrap_err();
        assert_eq!(err.expected, 48);
    }

    #[test]
    fn sample_at_pixel_centre_is_the_pixel() {
        let img = gradient(8, 8);
        assert_eq!(img.sample(3.5, 5.5), Some([3.0, 5.0, 0.0]));
    }

    #[test]
    fn sample_between_centres_interpolates() {
        let img = gradient(8, 8);
        let [r, g, _] = img.sample(4.0, 2.5).unwrap();
        assert!((r - 3.5).abs() < 1e-5 && (g - 2.0).abs() < 1e-5);
    }

    #[test]
    fn sample_outside_is_none() {
        let img = gradient(8, 8);
        assert_eq!(img.sample(-0.1, 1.0), None);
        assert_eq!(img.sample(1.0, 8.1), None);
    }

    #[test]
    fn box_downscale_averages_blocks_and_keeps_partial_edges() {
        let img = gradient(5, 4);
        let small = img.box_downscale(2);
        assert_eq!((small.width(), small.height()), (3, 2));
        // block x 0..2, y 0..2: r mean 0.5 -> 1 (rounded), g mean 0.5 -> 1
        assert_eq!(small.get(0, 0), [1, 1, 0]);
        // partial block x = 4 only: r = 4
        assert_eq!(small.get(2, 1)[0], 4);
    }

    #[test]
    fn box_downscale_is_the_rounded_mean_of_each_block_at_every_factor() {
        // Noise, odd sizes: partial blocks on both edges.
        let mut seed = 7u32;
        let mut img = RgbImage::black(23, 17);
        for v in img.pixels.iter_mut() {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *v = (seed >> 24) as u8;
        }
        for f in 1..=6u32 {
            let small = img.box_downscale(f);
            for oy in 0..small.height() {
                for ox in 0..small.width() {
                    let (mut sum, mut n) = ([0u32; 3], 0u32);
                    for y in oy * f..((oy + 1) * f).min(17) {
                        for x in ox * f..((ox + 1) * f).min(23) {
                            let p = img.get(x, y);
                            (0..3).for_each(|c| sum[c] += u32::from(p[c]));
                            n += 1;
                        }
                    }
                    let want = sum.map(|s| ((s + n / 2) / n) as u8);
                    assert_eq!(small.get(ox, oy), want, "factor {f} at {ox},{oy}");
                }
            }
        }
    }
}
