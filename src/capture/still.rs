//! The still as the camera took it. A YUV still stays YUV (12 MP of NV12
//! is 18 MB; as RGB it would be 36 MB, all of it converted for a photo that
//! shows a third of it): the engine gets its working copy averaged straight
//! from the planes and converts only the pixels under the crop.

use crate::imaging::still::{Area, Pixels, Region, Still, StillError};
use crate::imaging::{RgbImage, SecretBuf};

use super::pixels::{FrameError, FrameFormat, Layout, Matrix, check_planes, chroma_stride};

/// A full-resolution still from a camera.
#[derive(Debug)]
pub enum CameraStill {
    /// Already RGB (a replayed file, a camera giving RGB).
    Rgb(RgbImage),
    /// The camera's YUV 4:2:0 buffer, copied out of the camera's memory.
    Yuv(YuvStill),
}

impl From<RgbImage> for CameraStill {
    fn from(img: RgbImage) -> Self {
        CameraStill::Rgb(img)
    }
}

impl CameraStill {
    /// The still of one camera buffer: YUV kept as it is, RGB layouts
    /// converted.
    pub fn of_buffer(format: FrameFormat, bytes: &[u8]) -> Result<Self, FrameError> {
        if matches!(format.layout, Layout::Nv12 | Layout::Yuv420) {
            return YuvStill::copy_of(format, bytes).map(CameraStill::Yuv);
        }
        let mut out = RgbImage::black(format.width, format.height);
        format.convert_buffer(bytes, &mut out)?;
        Ok(CameraStill::Rgb(out))
    }

    /// The whole still as RGB (for what needs it whole: a saved frame).
    pub fn to_rgb(&self) -> Result<Pixels<'_>, StillError> {
        match self {
            CameraStill::Rgb(img) => Ok(Pixels::Lent(img)),
            CameraStill::Yuv(yuv) => yuv.reduced(1),
        }
    }
}

impl Still for CameraStill {
    fn size(&self) -> (u32, u32) {
        match self {
            CameraStill::Rgb(img) => img.size(),
            CameraStill::Yuv(yuv) => yuv.size(),
        }
    }

    fn reduced(&self, factor: u32) -> Result<Pixels<'_>, StillError> {
        match self {
            CameraStill::Rgb(img) => img.reduced(factor),
            CameraStill::Yuv(yuv) => yuv.reduced(factor),
        }
    }

    fn region(&self, area: Area) -> Result<Region<'_>, StillError> {
        match self {
            CameraStill::Rgb(img) => img.region(area),
            CameraStill::Yuv(yuv) => yuv.region(area),
        }
    }
}

/// A YUV 4:2:0 still (NV12 or I420) in locked memory, zeroed when dropped.
#[derive(Debug)]
pub struct YuvStill {
    format: FrameFormat,
    bytes: SecretBuf<u8>,
}

fn unreadable(e: FrameError) -> StillError {
    StillError(e.to_string())
}

impl YuvStill {
    /// Copies a camera buffer of `format` (its planes back to back); a
    /// buffer shorter than the format needs is a damaged frame.
    pub fn copy_of(format: FrameFormat, bytes: &[u8]) -> Result<Self, FrameError> {
        if !matches!(format.layout, Layout::Nv12 | Layout::Yuv420) {
            return Err(FrameError::Format(format!("{format:?}: not YUV 4:2:0")));
        }
        format.validate()?;
        let (planes, n) = format.split(bytes)?;
        check_planes(&format, &planes[..n])?;
        // Every plane lies in the buffer's first `buffer_len` bytes (split).
        let whole = bytes.get(..format.buffer_len()).unwrap_or(bytes);
        Ok(Self {
            format,
            bytes: SecretBuf::try_copy_of(whole),
        })
    }

    /// Its planes (two for NV12, three for I420), and how many.
    fn planes(&self) -> Result<([&[u8]; 3], usize), StillError> {
        self.format.split(&self.bytes).map_err(unreadable)
    }

    /// Adds the Y, Cb and Cr of every pixel of luma rows `rows` into the
    /// sums of their `f`-wide output columns. `by_runs` (an even factor
    /// only): blocks then hold whole chroma samples, each standing for four
    /// pixels, so luma and chroma rows are summed apart, a block's run at a
    /// time, instead of pixel by pixel.
    fn sum_block_row(
        &self,
        planes: &[&[u8]],
        rows: std::ops::Range<usize>,
        f: usize,
        (sums, counts): (&mut [u32], &mut [u32]),
        by_runs: bool,
    ) {
        let w = self.format.width as usize;
        let (stride, cstride) = (self.format.stride as usize, chroma_stride(&self.format));
        if !by_runs {
            for y in rows {
                let luma = &planes[0][y * stride..][..w];
                let c0 = (y / 2) * cstride;
                for (x, &l) in luma.iter().enumerate() {
                    let (cb, cr) = self.chroma_at(planes, c0, x);
                    let o = x / f;
                    sums[o * 3] += u32::from(l);
                    sums[o * 3 + 1] += u32::from(cb);
                    sums[o * 3 + 2] += u32::from(cr);
                    counts[o] += 1;
                }
            }
            return;
        }
        let add = |run: &[u8]| run.iter().map(|&v| u32::from(v)).sum::<u32>();
        for y in rows.clone() {
            let luma = &planes[0][y * stride..][..w];
            for (o, run) in luma.chunks(f).enumerate() {
                sums[o * 3] += add(run);
                counts[o] += run.len() as u32;
            }
        }
        for cy in (rows.start / 2)..rows.end.div_ceil(2) {
            let c0 = cy * cstride;
            if self.format.layout == Layout::Nv12 {
                for (o, run) in planes[1][c0..][..w].chunks(f).enumerate() {
                    let (cb, cr) = run.chunks_exact(2).fold((0, 0), |(b, r), p| {
                        (b + u32::from(p[0]), r + u32::from(p[1]))
                    });
                    sums[o * 3 + 1] += 4 * cb;
                    sums[o * 3 + 2] += 4 * cr;
                }
            } else {
                let (u, v) = (&planes[1][c0..][..w / 2], &planes[2][c0..][..w / 2]);
                for (o, (ru, rv)) in u.chunks(f / 2).zip(v.chunks(f / 2)).enumerate() {
                    sums[o * 3 + 1] += 4 * add(ru);
                    sums[o * 3 + 2] += 4 * add(rv);
                }
            }
        }
    }

    /// Cb and Cr of pixel `x` in the chroma row starting at `c0`.
    #[inline]
    fn chroma_at(&self, planes: &[&[u8]], c0: usize, x: usize) -> (u8, u8) {
        if self.format.layout == Layout::Nv12 {
            let i = c0 + (x & !1);
            (planes[1][i], planes[1][i + 1])
        } else {
            (planes[1][c0 + x / 2], planes[2][c0 + x / 2])
        }
    }
}

impl Still for YuvStill {
    fn size(&self) -> (u32, u32) {
        (self.format.width, self.format.height)
    }

    /// Averages luma and chroma over each block and converts once a block:
    /// a sixteenth of the conversions at a factor of 4, and no full-size
    /// RGB copy. The colours differ from averaging converted pixels only
    /// where the conversion clips (a saturated pixel in the block).
    fn reduced(&self, factor: u32) -> Result<Pixels<'_>, StillError> {
        let (w, h) = self.size();
        if factor <= 1 {
            let mut out = RgbImage::black(w, h);
            self.format
                .convert_buffer(&self.bytes, &mut out)
                .map_err(unreadable)?;
            return Ok(Pixels::Made(out));
        }
        let (planes, n) = self.planes()?;
        let planes = &planes[..n];
        let f = factor as usize;
        let (ow, oh) = (w.div_ceil(factor), h.div_ceil(factor));
        let mut out = RgbImage::black(ow, oh);
        // Sums of Y, Cb, Cr per output column, and pixels counted: derived
        // from the face, so held in wiped memory like the pixels.
        let mut sums = SecretBuf::<u32>::zeroed(ow as usize * 3);
        let mut counts = vec![0u32; ow as usize];
        let m = Matrix::new(self.format.encoding);
        for oy in 0..oh as usize {
            sums.iter_mut().for_each(|s| *s = 0);
            counts.iter_mut().for_each(|c| *c = 0);
            let rows = oy * f..((oy + 1) * f).min(h as usize);
            let by_runs = f.is_multiple_of(2);
            self.sum_block_row(planes, rows, f, (&mut sums, &mut counts), by_runs);
            for (o, &n) in counts.iter().enumerate() {
                let n = n.max(1);
                let avg = |s: u32| ((s + n / 2) / n) as u8;
                let (y, cb, cr) = (avg(sums[o * 3]), avg(sums[o * 3 + 1]), avg(sums[o * 3 + 2]));
                out.put(o as u32, oy as u32, m.apply(y, m.chroma(cb, cr)));
            }
        }
        Ok(Pixels::Made(out))
    }

    /// Converts `area`, widened to even columns (pixel pairs share their
    /// chroma), and nothing else.
    fn region(&self, area: Area) -> Result<Region<'_>, StillError> {
        let (w, _) = self.size();
        let x = area.x & !1;
        let right = (area.x + area.w).next_multiple_of(2).min(w);
        let even = Area {
            x,
            y: area.y,
            w: right.saturating_sub(x),
            h: area.h,
        };
        let mut out = RgbImage::black(even.w, even.h);
        let (planes, n) = self.planes()?;
        super::pixels::convert_area(&self.format, &planes[..n], even, &mut out)
            .map_err(unreadable)?;
        Ok(Region {
            pixels: Pixels::Made(out),
            origin: (even.x, even.y),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::still::Still;

    /// A 64 x 48 NV12 frame of a colourful pattern, with row padding.
    fn frame() -> (FrameFormat, Vec<u8>) {
        let mut f = FrameFormat::nv12(64, 48);
        f.stride = 72;
        (f, f.pattern())
    }

    /// The portrait as a camera's full-range BT.601 NV12 frame.
    fn portrait() -> (FrameFormat, Vec<u8>) {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/astronaut.png");
        let img = crate::imaging::decode::decode_file(&path).unwrap();
        let mut bytes = vec![0u8; FrameFormat::nv12(img.width(), img.height()).buffer_len()];
        let f = super::super::pixels::encode_nv12(&img, &mut bytes).unwrap();
        bytes.truncate(f.buffer_len());
        (f, bytes)
    }

    fn whole(f: &FrameFormat, bytes: &[u8]) -> RgbImage {
        let mut out = RgbImage::black(f.width, f.height);
        f.convert_buffer(bytes, &mut out).unwrap();
        out
    }

    #[test]
    fn a_region_holds_the_same_pixels_as_the_whole_conversion() {
        let (f, bytes) = frame();
        let full = whole(&f, &bytes);
        let still = YuvStill::copy_of(f, &bytes).unwrap();
        for area in [
            Area {
                x: 5,
                y: 3,
                w: 17,
                h: 9,
            },
            Area {
                x: 0,
                y: 0,
                w: 64,
                h: 48,
            },
            Area {
                x: 63,
                y: 47,
                w: 1,
                h: 1,
            },
        ] {
            let r = still.region(area).unwrap();
            let (ox, oy) = r.origin;
            assert!(
                ox <= area.x && ox + r.pixels.width() >= area.x + area.w,
                "{area:?}"
            );
            assert!(oy == area.y && r.pixels.height() == area.h, "{area:?}");
            for y in 0..r.pixels.height() {
                for x in 0..r.pixels.width() {
                    assert_eq!(
                        r.pixels.get(x, y),
                        full.get(ox + x, oy + y),
                        "{area:?} {x},{y}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_working_copy_matches_the_box_average_of_the_whole_conversion() {
        let (f, bytes) = portrait();
        let boxed = whole(&f, &bytes).box_downscale(4);
        let still = YuvStill::copy_of(f, &bytes).unwrap();
        let reduced = still.reduced(4).unwrap();
        assert_eq!((reduced.width(), reduced.height()), (128, 128));
        // Averaging before or after the conversion differs by rounding, and
        // where the conversion clips: on a photo, hardly at all.
        let diffs: Vec<i32> = reduced
            .as_bytes()
            .iter()
            .zip(boxed.as_bytes())
            .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
            .collect();
        let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
        let max = diffs.iter().max().copied().unwrap_or(0);
        assert!(
            mean < 0.5 && max <= 8,
            "mean difference {mean}, largest {max}"
        );
        // An odd factor leaves partial blocks at the edges.
        let odd = still.reduced(5).unwrap();
        assert_eq!((odd.width(), odd.height()), (103, 103));
        let one = still.reduced(1).unwrap();
        assert_eq!(one.as_bytes(), whole(&f, &bytes).as_bytes());
    }

    #[test]
    fn even_factors_sum_what_the_pixel_by_pixel_sum_does() {
        let (f, bytes) = portrait();
        let padded = FrameFormat {
            width: f.width - 4,
            ..f
        };
        for format in [f, padded] {
            let still = YuvStill::copy_of(format, &bytes).unwrap();
            let (planes, n) = still.planes().unwrap();
            let planes = &planes[..n];
            for factor in [2, 4, 6] {
                let ow = format.width.div_ceil(factor) as usize;
                let mut sums = [vec![0u32; ow * 3], vec![0u32; ow * 3]];
                let mut counts = [vec![0u32; ow], vec![0u32; ow]];
                for rows in [0..6, 504..format.height as usize] {
                    let f = factor as usize;
                    let [s0, s1] = &mut sums;
                    let [c0, c1] = &mut counts;
                    still.sum_block_row(planes, rows.clone(), f, (s0, c0), false);
                    still.sum_block_row(planes, rows, f, (s1, c1), true);
                }
                assert_eq!(sums[0], sums[1], "factor {factor}, {format:?}");
                assert_eq!(counts[0], counts[1], "factor {factor}, {format:?}");
            }
        }
    }

    #[test]
    fn a_short_buffer_is_a_damaged_frame_and_rgb_is_not_yuv() {
        let (f, bytes) = frame();
        assert!(matches!(
            YuvStill::copy_of(f, &bytes[..bytes.len() - 1]),
            Err(FrameError::Short { .. })
        ));
        let rgb = FrameFormat {
            layout: Layout::Rgb888,
            stride: 64 * 3,
            ..f
        };
        assert!(matches!(
            YuvStill::copy_of(rgb, &bytes),
            Err(FrameError::Format(_))
        ));
        // An RGB buffer becomes an RGB still.
        let packed = vec![7u8; rgb.buffer_len()];
        let still = CameraStill::of_buffer(rgb, &packed).unwrap();
        assert!(matches!(still, CameraStill::Rgb(_)));
        assert_eq!(still.size(), (64, 48));
    }
}
