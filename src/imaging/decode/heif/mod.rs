//! HEIC and the other HEIF files (the iPhone's default format) through
//! libheif, in builds with the `heif` feature.
//!
//! Orientation: a HEIF image is turned upright by its own transform
//! properties (`irot`, `imir`), which libheif applies while decoding. The
//! EXIF orientation an iPhone also writes repeats them, and the HEIF
//! standard says to ignore it; applying it as well would turn the photo
//! twice.
//!
//! Binding: the maintained libheif-rs (1.0 and later) needs libheif 1.17,
//! and Debian 12 has 1.15.1; libheif-rs 0.15 to 0.22 resolve to
//! libheif-sys 1.16 or 2.x (libheif 1.16, 1.17). libheif-rs 0.18 with
//! libheif-sys 1.14.2 (libheif 1.14's API, which 1.15 and later keep) is the
//! newest that builds here; it moves to a current one when CI does to
//! Debian 13.

// Read only by the libheif decoder; tested in every build.
#[cfg_attr(not(feature = "heif"), allow(dead_code))]
mod boxes;

use super::DecodeError;
use crate::imaging::rgb::RgbImage;

/// Most pictures a derived HEIF picture may be made of. Every tile is a
/// whole HEVC decode (19,000 tiny tiles cost 10 s of CPU for a 64 x 64
/// picture); the largest picture the cap accepts, about 46 MP, is 711
/// tiles of 256 px (an iPhone's 48 MP photo is 192 tiles of 512 px).
#[cfg_attr(not(feature = "heif"), allow(dead_code))]
pub(crate) const MAX_TILES: u32 = 1024;

/// The ISO base media brands of still HEIF images (HEVC, AV1 or any codec).
const BRANDS: [&[u8; 4]; 10] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis",
];

/// Whether `bytes` open with an ISO base media `ftyp` box naming a HEIF
/// brand (as major or compatible brand).
pub(super) fn is_heif(bytes: &[u8]) -> bool {
    let Some(size) = bytes.get(0..4) else {
        return false;
    };
    if bytes.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let size = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
    let ftyp = &bytes[..size.clamp(8, bytes.len())];
    // Major brand at 8, minor version at 12, compatible brands from 16.
    let major = ftyp.get(8..12).into_iter();
    let compatible = ftyp.get(16..).unwrap_or_default().chunks_exact(4);
    major
        .chain(compatible)
        .any(|brand| BRANDS.iter().any(|b| b.as_slice() == brand))
}

#[cfg(not(feature = "heif"))]
pub(super) fn decode(_bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    Err(DecodeError::Unsupported {
        format: "HEIC/HEIF",
        why: "this passbooth was built without libheif (cargo feature `heif`); \
              convert the photo to JPEG, or use a build with it"
            .into(),
    })
}

#[cfg(feature = "heif")]
pub(super) fn decode(bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    use libheif_rs::{ColorSpace, HeifContext, RgbChroma};
    use zeroize::Zeroize;

    use super::check_size;
    use crate::imaging::buffer::SecretBuf;

    // A grid's or overlay's canvas, which `ispe` need not tell, before
    // libheif reads anything.
    let canvas = boxes::derived_canvas(bytes).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let corrupt = |e: libheif_rs::HeifError| DecodeError::Corrupt(e.message);
    let ctx = HeifContext::read_from_bytes(bytes).map_err(corrupt)?;
    let handle = ctx.primary_image_handle().map_err(corrupt)?;
    // The size after the image's own rotation, known before decoding; a
    // derived picture's canvas when that is larger.
    let (mut width, mut height) = (handle.width(), handle.height());
    if let Some(c) = canvas {
        if c.inputs > MAX_TILES {
            return Err(DecodeError::OverLimits(format!(
                "a HEIF picture of {} tiles (at most {MAX_TILES})",
                c.inputs
            )));
        }
        if u64::from(c.width) * u64::from(c.height) > u64::from(width) * u64::from(height) {
            (width, height) = (c.width, c.height);
        }
    }
    let pixels = u64::from(width) * u64::from(height);
    // libheif's YCbCr planes (up to 4:4:4, 16-bit for high bit depths) and
    // its RGB image, then our copy.
    check_size(width, height, pixels.saturating_mul(9), true)?;
    let mut image = handle
        .decode(ColorSpace::Rgb(RgbChroma::Rgb), None)
        .map_err(|e| match e.code {
            libheif_rs::HeifErrorCode::UnsupportedFeature => DecodeError::Unsupported {
                format: "HEIC/HEIF",
                why: e.message,
            },
            _ => corrupt(e),
        })?;
    let planes = image.planes_mut();
    let plane = planes
        .interleaved
        .ok_or_else(|| DecodeError::Corrupt("libheif gave no RGB plane".into()))?;
    let (w, h) = (plane.width as usize, plane.height as usize);
    let row = w * 3;
    if plane.stride < row || plane.data.len() < plane.stride * h.saturating_sub(1) + row {
        return Err(DecodeError::Corrupt("libheif's RGB plane is short".into()));
    }
    let mut out = SecretBuf::<u8>::zeroed(row * h);
    for (dst, src) in out
        .chunks_exact_mut(row)
        .zip(plane.data.chunks(plane.stride))
    {
        dst.copy_from_slice(&src[..row]);
    }
    // libheif frees its buffer without clearing it: a face, so clear it.
    plane.data.zeroize();
    RgbImage::from_buf(plane.width, plane.height, out)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heif_is_told_by_its_brands_and_an_mp4_video_is_not_heif() {
        assert!(is_heif(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"));
        // The brand only among the compatible ones (a generic major brand).
        assert!(is_heif(b"\0\0\0\x1cftypmif1\0\0\0\0mif1MiHEheic"));
        assert!(is_heif(b"\0\0\0\x14ftypavif\0\0\0\0avif"));
        assert!(!is_heif(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"));
        // A compatible brand past the box's own size does not count.
        assert!(!is_heif(b"\0\0\0\x10ftypisom\0\0\0\0heic"));
        assert!(!is_heif(b"\0\0\0\x18ftyp"));
        assert!(!is_heif(b""));
    }
}
