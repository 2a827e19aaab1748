//! Camera pixel formats to RGB, straight from the camera's buffer into the
//! image the rest of the booth uses: one pass, no intermediate full-frame
//! copy. Pure code, so every format is tested on any machine; the libcamera
//! source only supplies the mapped planes.
//!
//! Byte orders follow DRM fourccs as libcamera names them: `RGB888` is stored
//! B, G, R in memory and `XRGB8888` B, G, R, X; the `BGR` variants are the
//! reverse.

use crate::imaging::RgbImage;
use crate::imaging::still::Area;

/// How a frame's pixels are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Y plane, then one plane of interleaved Cb, Cr at half resolution.
    Nv12,
    /// Y plane, then Cb and Cr planes at half resolution (I420).
    Yuv420,
    /// Packed, bytes B, G, R.
    Rgb888,
    /// Packed, bytes R, G, B.
    Bgr888,
    /// Packed, bytes B, G, R, unused.
    Xrgb8888,
    /// Packed, bytes R, G, B, unused.
    Xbgr8888,
}

impl Layout {
    /// The layout of a libcamera format name (`NV12`, `YUV420`, ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "NV12" => Layout::Nv12,
            "YUV420" => Layout::Yuv420,
            "RGB888" => Layout::Rgb888,
            "BGR888" => Layout::Bgr888,
            "XRGB8888" => Layout::Xrgb8888,
            "XBGR8888" => Layout::Xbgr8888,
            _ => return None,
        })
    }

    /// The libcamera name of the layout.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Nv12 => "NV12",
            Layout::Yuv420 => "YUV420",
            Layout::Rgb888 => "RGB888",
            Layout::Bgr888 => "BGR888",
            Layout::Xrgb8888 => "XRGB8888",
            Layout::Xbgr8888 => "XBGR8888",
        }
    }

    /// Every layout passbooth reads (which one each stream asks for is the
    /// stream plan's choice: `capture::plan`).
    pub const READABLE: [Layout; 6] = [
        Layout::Nv12,
        Layout::Yuv420,
        Layout::Rgb888,
        Layout::Bgr888,
        Layout::Xrgb8888,
        Layout::Xbgr8888,
    ];

    /// Bytes a pixel takes in the first plane.
    fn bytes_per_pixel(self) -> u32 {
        match self {
            Layout::Nv12 | Layout::Yuv420 => 1,
            Layout::Rgb888 | Layout::Bgr888 => 3,
            Layout::Xrgb8888 | Layout::Xbgr8888 => 4,
        }
    }
}

/// The YCbCr matrix and range of a YUV stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YuvEncoding {
    /// BT.709 rather than BT.601 coefficients.
    pub bt709: bool,
    /// Full range (0-255) rather than limited (16-235 / 16-240).
    pub full_range: bool,
}

impl YuvEncoding {
    /// What Pi stills use (sYCC, as JPEG): BT.601, full range.
    pub const JPEG: YuvEncoding = YuvEncoding {
        bt709: false,
        full_range: true,
    };
}

/// One frame's geometry as the camera configured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameFormat {
    /// Layout.
    pub layout: Layout,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row of the first plane (at least width x bytes a pixel).
    pub stride: u32,
    /// Matrix and range of YUV layouts (ignored for RGB).
    pub encoding: YuvEncoding,
}

/// Where each plane starts and how long it is, within one buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneSpan {
    /// Offset from the start of the buffer.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

/// Why a frame cannot be converted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    /// The format is impossible (odd YUV size, stride under a row).
    #[error("unusable frame format {0}")]
    Format(String),
    /// A plane is shorter than the format needs: a damaged frame.
    #[error("plane {plane} has {got} bytes, the format needs {need}")]
    Short {
        /// Plane index.
        plane: usize,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// The output image has another size.
    #[error("output is {got:?}, the frame is {need:?}")]
    OutputSize {
        /// Frame size.
        need: (u32, u32),
        /// Output size.
        got: (u32, u32),
    },
}

impl FrameFormat {
    /// Tightly packed NV12 of `width` x `height`, JPEG's encoding: the Pi's
    /// usual stream, for benchmarks and tests.
    pub fn nv12(width: u32, height: u32) -> Self {
        Self {
            layout: Layout::Nv12,
            width,
            height,
            stride: width,
            encoding: YuvEncoding::JPEG,
        }
    }

    /// A whole buffer of this format filled with a pattern (converting
    /// costs the same whatever the picture).
    pub fn pattern(&self) -> Vec<u8> {
        (0..self.buffer_len())
            .map(|i| (i * 31 % 251) as u8)
            .collect()
    }

    /// The planes of a whole buffer of this format (`bytes`, one after the
    /// other as [`FrameFormat::planes`] places them), and how many there
    /// are; a buffer too short for them is a damaged frame.
    pub fn split<'a>(&self, bytes: &'a [u8]) -> Result<([&'a [u8]; 3], usize), FrameError> {
        let (spans, n) = self.planes();
        let mut planes: [&[u8]; 3] = [&[], &[], &[]];
        for (i, (plane, span)) in planes.iter_mut().zip(&spans[..n]).enumerate() {
            *plane = bytes
                .get(span.offset..span.offset + span.len)
                .ok_or(FrameError::Short {
                    plane: i,
                    need: span.offset + span.len,
                    got: bytes.len(),
                })?;
        }
        Ok((planes, n))
    }

    /// Converts a whole buffer of this format (see [`FrameFormat::split`])
    /// into `out`.
    pub fn convert_buffer(&self, bytes: &[u8], out: &mut RgbImage) -> Result<(), FrameError> {
        let (planes, n) = self.split(bytes)?;
        convert(self, &planes[..n], out)
    }

    /// Checks what can be checked without pixels.
    pub fn validate(&self) -> Result<(), FrameError> {
        let yuv = matches!(self.layout, Layout::Nv12 | Layout::Yuv420);
        if self.width == 0 || self.height == 0 {
            return Err(FrameError::Format(format!("{self:?}: empty")));
        }
        if yuv && (!self.width.is_multiple_of(2) || !self.height.is_multiple_of(2)) {
            return Err(FrameError::Format(format!("{self:?}: odd size")));
        }
        if self.stride < self.width * self.layout.bytes_per_pixel() {
            return Err(FrameError::Format(format!("{self:?}: stride under a row")));
        }
        Ok(())
    }

    /// The planes of a buffer of this format, back to back as libcamera
    /// allocates them (chroma strides derived from the first plane's).
    pub fn planes(&self) -> ([PlaneSpan; 3], usize) {
        let s = self.stride as usize;
        let h = self.height as usize;
        let y = PlaneSpan {
            offset: 0,
            len: s * h,
        };
        let none = PlaneSpan { offset: 0, len: 0 };
        match self.layout {
            Layout::Nv12 => (
                [
                    y,
                    PlaneSpan {
                        offset: y.len,
                        len: s * h / 2,
                    },
                    none,
                ],
                2,
            ),
            Layout::Yuv420 => {
                let c = (s / 2) * (h / 2);
                (
                    [
                        y,
                        PlaneSpan {
                            offset: y.len,
                            len: c,
                        },
                        PlaneSpan {
                            offset: y.len + c,
                            len: c,
                        },
                    ],
                    3,
                )
            }
            _ => ([y, none, none], 1),
        }
    }

    /// Bytes of a whole buffer.
    pub fn buffer_len(&self) -> usize {
        let (spans, n) = self.planes();
        spans[..n]
            .iter()
            .map(|p| p.offset + p.len)
            .max()
            .unwrap_or(0)
    }
}

/// Fixed-point YCbCr to RGB coefficients (16 fractional bits).
#[derive(Debug, Clone, Copy)]
pub(super) struct Matrix {
    y_scale: i32,
    y_offset: i32,
    cr_r: i32,
    cb_g: i32,
    cr_g: i32,
    cb_b: i32,
}

impl Matrix {
    pub(super) fn new(e: YuvEncoding) -> Self {
        let (kr, kb) = if e.bt709 {
            (0.2126, 0.0722)
        } else {
            (0.299, 0.114)
        };
        let kg = 1.0 - kr - kb;
        let (ys, cs, yo) = if e.full_range {
            (1.0, 1.0, 0)
        } else {
            (255.0 / 219.0, 255.0 / 224.0, 16)
        };
        let fx = |v: f64| (v * 65536.0).round() as i32;
        Self {
            y_scale: fx(ys),
            y_offset: yo,
            cr_r: fx(2.0 * (1.0 - kr) * cs),
            cb_g: fx(2.0 * (1.0 - kb) * kb / kg * cs),
            cr_g: fx(2.0 * (1.0 - kr) * kr / kg * cs),
            cb_b: fx(2.0 * (1.0 - kb) * cs),
        }
    }

    /// The chroma terms of one sample: added to R, subtracted from G,
    /// added to B.
    #[inline]
    pub(super) fn chroma(&self, cb: u8, cr: u8) -> [i32; 3] {
        let cb = i32::from(cb) - 128;
        let cr = i32::from(cr) - 128;
        [
            self.cr_r * cr,
            self.cb_g * cb + self.cr_g * cr,
            self.cb_b * cb,
        ]
    }

    #[inline]
    pub(super) fn apply(&self, y: u8, [r, g, b]: [i32; 3]) -> [u8; 3] {
        let y = (i32::from(y) - self.y_offset) * self.y_scale + 32768;
        let clamp = |v: i32| (v >> 16).clamp(0, 255) as u8;
        [clamp(y + r), clamp(y - g), clamp(y + b)]
    }
}

fn need(plane: usize, slice: &[u8], len: usize) -> Result<(), FrameError> {
    if slice.len() < len {
        return Err(FrameError::Short {
            plane,
            need: len,
            got: slice.len(),
        });
    }
    Ok(())
}

/// Converts one frame into `out` (same size), reading `planes` (one slice
/// per plane, as [`FrameFormat::planes`] lays them out). Allocates nothing.
pub fn convert(f: &FrameFormat, planes: &[&[u8]], out: &mut RgbImage) -> Result<(), FrameError> {
    let whole = Area {
        x: 0,
        y: 0,
        w: f.width,
        h: f.height,
    };
    convert_area(f, planes, whole, out)
}

/// Converts the pixels of `area` of one frame into `out` (the area's size):
/// the same values, pixel for pixel, as converting the whole frame gives
/// there. A YUV area starts and ends on even columns (two pixels share
/// their chroma). Allocates nothing.
pub fn convert_area(
    f: &FrameFormat,
    planes: &[&[u8]],
    area: Area,
    out: &mut RgbImage,
) -> Result<(), FrameError> {
    f.validate()?;
    check_planes(f, planes)?;
    let inside = area.x.checked_add(area.w).is_some_and(|r| r <= f.width)
        && area.y.checked_add(area.h).is_some_and(|b| b <= f.height);
    let yuv = matches!(f.layout, Layout::Nv12 | Layout::Yuv420);
    let paired = !yuv || (area.x.is_multiple_of(2) && area.w.is_multiple_of(2));
    if !inside || !paired || area.w == 0 || area.h == 0 {
        return Err(FrameError::Format(format!("{f:?}: no area {area:?}")));
    }
    if (out.width(), out.height()) != (area.w, area.h) {
        return Err(FrameError::OutputSize {
            need: (area.w, area.h),
            got: (out.width(), out.height()),
        });
    }
    let (x0, y0, w) = (area.x as usize, area.y as usize, area.w as usize);
    let stride = f.stride as usize;
    let dst = out.as_bytes_mut();
    match f.layout {
        Layout::Nv12 | Layout::Yuv420 => {
            let m = Matrix::new(f.encoding);
            let cstride = chroma_stride(f);
            for (row, dst_row) in dst.chunks_exact_mut(w * 3).enumerate() {
                let y = y0 + row;
                let luma = &planes[0][y * stride + x0..][..w];
                let c0 = (y / 2) * cstride;
                // Two pixels share one chroma sample: its terms once.
                let out = dst_row.chunks_exact_mut(6).zip(luma.chunks_exact(2));
                let pair = |(px, l): (&mut [u8], &[u8]), cb: u8, cr: u8| {
                    let t = m.chroma(cb, cr);
                    px[..3].copy_from_slice(&m.apply(l[0], t));
                    px[3..].copy_from_slice(&m.apply(l[1], t));
                };
                if f.layout == Layout::Nv12 {
                    for (o, cbcr) in out.zip(planes[1][c0 + x0..][..w].chunks_exact(2)) {
                        pair(o, cbcr[0], cbcr[1]);
                    }
                } else {
                    let c = c0 + x0 / 2;
                    let (u, v) = (&planes[1][c..][..w / 2], &planes[2][c..][..w / 2]);
                    for (o, (&cb, &cr)) in out.zip(u.iter().zip(v)) {
                        pair(o, cb, cr);
                    }
                }
            }
        }
        packed => {
            let (bpp, [r, g, b]) = match packed {
                Layout::Rgb888 => (3, [2, 1, 0]),
                Layout::Bgr888 => (3, [0, 1, 2]),
                Layout::Xrgb8888 => (4, [2, 1, 0]),
                _ => (4, [0, 1, 2]),
            };
            for (row, dst_row) in dst.chunks_exact_mut(w * 3).enumerate() {
                let src = &planes[0][(y0 + row) * stride + x0 * bpp..][..w * bpp];
                for (px, s) in dst_row.chunks_exact_mut(3).zip(src.chunks_exact(bpp)) {
                    px.copy_from_slice(&[s[r], s[g], s[b]]);
                }
            }
        }
    }
    Ok(())
}

/// Writes `img` (its even part) into `out` as full-range BT.601 NV12, the
/// way a camera's ISP hands over a still: the inverse of [`convert`], for
/// simulated cameras and benchmarks. Returns the frame's format.
pub fn encode_nv12(img: &RgbImage, out: &mut [u8]) -> Result<FrameFormat, FrameError> {
    let f = FrameFormat::nv12(img.width() & !1, img.height() & !1);
    f.validate()?;
    let (w, h) = (f.width as usize, f.height as usize);
    need(0, out, f.buffer_len())?;
    let px = |x: usize, y: usize| img.get(x as u32, y as u32).map(f32::from);
    let byte = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] = byte(crate::imaging::luma(px(x, y)));
        }
    }
    for cy in 0..h / 2 {
        for cx in 0..w / 2 {
            let mut rgb = [0.0f32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = px(2 * cx + dx, 2 * cy + dy);
                (0..3).for_each(|c| rgb[c] += p[c] / 4.0);
            }
            let [r, g, b] = rgb;
            let at = w * h + cy * w + 2 * cx;
            out[at] = byte(128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b);
            out[at + 1] = byte(128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b);
        }
    }
    Ok(f)
}

/// Bytes a row of chroma samples takes (NV12 interleaves Cb and Cr in a
/// row as long as a luma row; I420's planes are half as wide).
pub(super) fn chroma_stride(f: &FrameFormat) -> usize {
    if f.layout == Layout::Nv12 {
        f.stride as usize
    } else {
        f.stride as usize / 2
    }
}

/// Checks that `planes` hold every byte a frame of `f` reads.
pub(super) fn check_planes(f: &FrameFormat, planes: &[&[u8]]) -> Result<(), FrameError> {
    let (spans, count) = f.planes();
    if planes.len() < count {
        return Err(FrameError::Short {
            plane: planes.len(),
            need: spans[planes.len()].len,
            got: 0,
        });
    }
    for (i, span) in spans[..count].iter().enumerate() {
        // The last row of a plane need not carry its padding.
        let rows = if i == 0 { f.height } else { f.height / 2 } as usize;
        let stride = span.len / rows.max(1);
        let row = match (f.layout, i) {
            (Layout::Nv12, _) | (_, 0) => (f.width * f.layout.bytes_per_pixel()) as usize,
            _ => f.width as usize / 2,
        };
        need(i, planes[i], stride * (rows - 1) + row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(layout: Layout, w: u32, h: u32, stride: u32) -> FrameFormat {
        FrameFormat {
            layout,
            width: w,
            height: h,
            stride,
            encoding: YuvEncoding::JPEG,
        }
    }

    /// Full-range BT.601 forward transform (as JPEG), for round trips.
    fn ycbcr([r, g, b]: [u8; 3]) -> [u8; 3] {
        let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        let cb = 128.0 + (b - y) / 1.772;
        let cr = 128.0 + (r - y) / 1.402;
        [y, cb, cr].map(|v| v.round().clamp(0.0, 255.0) as u8)
    }

    const COLOURS: [[u8; 3]; 6] = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [200, 150, 120],
        [20, 30, 40],
        [128, 128, 128],
    ];

    /// A 2x2-block colour pattern encoded as NV12 with a padded stride.
    fn nv12_of(w: u32, h: u32, stride: u32) -> (Vec<u8>, FrameFormat) {
        let f = format(Layout::Nv12, w, h, stride);
        let mut buf = vec![0xEE; f.buffer_len()];
        let s = stride as usize;
        for y in 0..h as usize {
            for x in 0..w as usize {
                let c = ycbcr(COLOURS[(y / 2 + x / 2) % COLOURS.len()]);
                buf[y * s + x] = c[0];
                let uv = h as usize * s + (y / 2) * s + (x & !1);
                buf[uv] = c[1];
                buf[uv + 1] = c[2];
            }
        }
        (buf, f)
    }

    fn close(a: [u8; 3], b: [u8; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 2)
    }

    #[test]
    fn nv12_with_padding_gives_back_the_colours() {
        let (buf, f) = nv12_of(8, 6, 16);
        let (spans, _) = f.planes();
        let y = &buf[spans[0].offset..][..spans[0].len];
        let uv = &buf[spans[1].offset..][..spans[1].len];
        let mut out = RgbImage::black(8, 6);
        convert(&f, &[y, uv], &mut out).expect("converts");
        for py in 0..6 {
            for px in 0..8 {
                let want = COLOURS[(py / 2 + px / 2) as usize % COLOURS.len()];
                assert!(
                    close(out.get(px, py), want),
                    "({px},{py}) {:?} vs {want:?}",
                    out.get(px, py)
                );
            }
        }
    }

    #[test]
    fn yuv420_planar_matches_nv12() {
        let (nv, f) = nv12_of(8, 4, 8);
        let (spans, _) = f.planes();
        let i420 = format(Layout::Yuv420, 8, 4, 8);
        let (ispans, _) = i420.planes();
        let mut planar = vec![0u8; i420.buffer_len()];
        planar[..32].copy_from_slice(&nv[..32]);
        for (i, pair) in nv[spans[1].offset..][..spans[1].len]
            .chunks_exact(2)
            .enumerate()
        {
            planar[ispans[1].offset + i] = pair[0];
            planar[ispans[2].offset + i] = pair[1];
        }
        let mut a = RgbImage::black(8, 4);
        let mut b = RgbImage::black(8, 4);
        convert(&f, &[&nv[..32], &nv[32..]], &mut a).expect("nv12");
        let p = |i: usize| &planar[ispans[i].offset..][..ispans[i].len];
        convert(&i420, &[p(0), p(1), p(2)], &mut b).expect("i420");
        assert_eq!(a.as_bytes(), b.as_bytes());
    }

    #[test]
    fn limited_range_black_and_white_reach_the_ends() {
        let f = FrameFormat {
            encoding: YuvEncoding {
                bt709: true,
                full_range: false,
            },
            ..format(Layout::Nv12, 2, 2, 2)
        };
        let mut out = RgbImage::black(2, 2);
        convert(&f, &[&[16, 235, 16, 235], &[128, 128]], &mut out).expect("converts");
        assert_eq!(out.get(0, 0), [0, 0, 0]);
        assert_eq!(out.get(1, 0), [255, 255, 255]);
    }

    #[test]
    fn packed_layouts_read_their_byte_order() {
        let cases = [
            (Layout::Rgb888, vec![3u8, 2, 1, 6, 5, 4]),
            (Layout::Bgr888, vec![1, 2, 3, 4, 5, 6]),
            (Layout::Xrgb8888, vec![3, 2, 1, 0, 6, 5, 4, 0]),
            (Layout::Xbgr8888, vec![1, 2, 3, 9, 4, 5, 6, 9]),
        ];
        for (layout, bytes) in cases {
            let f = format(layout, 2, 1, bytes.len() as u32);
            let mut out = RgbImage::black(2, 1);
            convert(&f, &[&bytes], &mut out).expect("converts");
            assert_eq!(out.as_bytes(), &[1, 2, 3, 4, 5, 6], "{layout:?}");
            assert_eq!(Layout::from_name(layout.name()), Some(layout));
        }
    }

    #[test]
    fn a_short_plane_is_a_damaged_frame_not_a_panic() {
        let (buf, f) = nv12_of(8, 6, 16);
        let mut out = RgbImage::black(8, 6);
        let err = convert(&f, &[&buf[..40], &buf[96..]], &mut out).expect_err("short");
        assert!(matches!(err, FrameError::Short { plane: 0, .. }), "{err}");
        let err = convert(&f, &[&buf[..96]], &mut out).expect_err("missing");
        assert!(matches!(err, FrameError::Short { plane: 1, .. }), "{err}");
    }

    #[test]
    fn impossible_formats_and_sizes_are_refused() {
        let mut out = RgbImage::black(3, 2);
        let odd = format(Layout::Nv12, 3, 2, 4);
        assert!(matches!(
            convert(&odd, &[&[0; 12]], &mut out),
            Err(FrameError::Format(_))
        ));
        let narrow = format(Layout::Rgb888, 3, 2, 8);
        assert!(matches!(narrow.validate(), Err(FrameError::Format(_))));
        let other = format(Layout::Rgb888, 4, 2, 12);
        assert!(matches!(
            convert(&other, &[&[0; 24]], &mut out),
            Err(FrameError::OutputSize { .. })
        ));
    }

    #[test]
    fn a_whole_buffer_converts_and_a_short_one_is_a_damaged_frame() {
        let f = FrameFormat::nv12(4, 2);
        let mut out = RgbImage::black(4, 2);
        let mut bytes = vec![128u8; f.buffer_len()];
        bytes[..8].fill(235);
        f.convert_buffer(&bytes, &mut out).unwrap();
        assert!(out.as_bytes().iter().all(|&v| v == 235), "grey 235 stays");
        let e = f.convert_buffer(&bytes[..9], &mut out).unwrap_err();
        assert!(matches!(e, FrameError::Short { plane: 1, .. }), "{e}");
    }
}
