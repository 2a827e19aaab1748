//! A written digital photo checked against its portal's rules, read back
//! from the file's own bytes (not from what the encoder was asked for):
//! the checks a portal's upload form makes, before a person sees it.

use super::{Check, Reason};
use crate::spec::digital::{DigitalProfile, FileType};

/// What the file's headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegHeader {
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Colour components (3: YCbCr colour; 1: grey; 4: CMYK).
    pub components: u8,
    /// Bits per sample.
    pub precision: u8,
    /// A JFIF (APP0) segment is present.
    pub jfif: bool,
    /// Metadata segments other than JFIF: EXIF/XMP (APP1), ICC (APP2),
    /// the rest of APP3-APP15, comments.
    pub metadata_segments: usize,
}

/// Reads a JPEG's markers up to its frame header; `None` when the bytes
/// are not a JPEG or end before the frame.
pub fn jpeg_header(bytes: &[u8]) -> Option<JpegHeader> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let (mut i, mut jfif, mut metadata) = (2usize, false, 0usize);
    loop {
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        let len = usize::from(u16::from_be_bytes([*bytes.get(i + 2)?, *bytes.get(i + 3)?]));
        let body = bytes.get(i + 4..i + 2 + len)?;
        match marker {
            0xE0 if body.starts_with(b"JFIF\0") => jfif = true,
            0xE0..=0xEF | 0xFE => metadata += 1,
            // Start of frame: baseline, extended, progressive.
            0xC0..=0xC2 => {
                let precision = *body.first()?;
                let height = u32::from(u16::from_be_bytes([*body.get(1)?, *body.get(2)?]));
                let width = u32::from(u16::from_be_bytes([*body.get(3)?, *body.get(4)?]));
                return Some(JpegHeader {
                    size: (width, height),
                    components: *body.get(5)?,
                    precision,
                    jfif,
                    metadata_segments: metadata,
                });
            }
            _ => {}
        }
        i += 2 + len;
    }
}

/// Every rule of `profile` on the file `bytes`.
pub fn verify(bytes: &[u8], profile: &DigitalProfile) -> Vec<Check> {
    use Reason::DigitalFile;
    let header = jpeg_header(bytes);
    let wants_jpeg = profile.file_types.first() == Some(&FileType::Jpeg);
    let mut checks = vec![Check::verdict(
        "file_type",
        DigitalFile,
        !wants_jpeg || header.is_some_and(|h| h.jfif),
        f64::from(u8::from(header.is_some())),
        "JPEG (JFIF) file",
    )];
    let (w, h) = header.map_or((0, 0), |h| h.size);
    let range = |name, v: u32, r: crate::spec::digital::PxRange| {
        Check::range(
            name,
            DigitalFile,
            f64::from(v),
            r.min.map(f64::from),
            r.max.map(f64::from),
            "px",
        )
    };
    checks.push(range("file_width", w, profile.width_px));
    checks.push(range("file_height", h, profile.height_px));
    if profile.square {
        checks.push(Check::verdict(
            "file_square",
            DigitalFile,
            w == h && w > 0,
            f64::from(w) / f64::from(h.max(1)),
            "width / height, must be 1",
        ));
    }
    checks.push(Check::verdict(
        "file_colour",
        DigitalFile,
        header.is_some_and(|h| h.components == 3 && h.precision == 8),
        header.map_or(0.0, |h| f64::from(h.components) * f64::from(h.precision)),
        "bits per pixel, 24 (three 8-bit channels, sRGB)",
    ));
    checks.push(Check::range(
        "file_metadata",
        DigitalFile,
        header.map_or(0.0, |h| h.metadata_segments as f64),
        None,
        Some(0.0),
        "metadata segments (EXIF, XMP, ICC, comments)",
    ));
    let kb = bytes.len() as f64 / 1000.0;
    checks.push(Check::range(
        "file_size",
        DigitalFile,
        kb,
        profile.file_kb.min,
        profile.file_kb.max,
        "kB",
    ));
    if let Some(ratio) = profile.max_compression_ratio {
        let raw = f64::from(w) * f64::from(h) * 3.0;
        checks.push(Check::range(
            "file_compression",
            DigitalFile,
            raw / (bytes.len().max(1) as f64),
            None,
            Some(ratio),
            "raw pixels / file size",
        ));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::RgbImage;
    use crate::imaging::encode::encode_jpeg;

    #[test]
    fn the_header_is_read_from_the_bytes_and_damage_is_no_jpeg() {
        let img = RgbImage::black(40, 24);
        let bytes = encode_jpeg(&img, 90, 300).unwrap();
        let h = jpeg_header(&bytes).unwrap();
        assert_eq!(h.size, (40, 24));
        assert_eq!((h.components, h.precision, h.jfif), (3, 8, true));
        assert_eq!(h.metadata_segments, 0);
        assert_eq!(jpeg_header(&bytes[..20]), None);
        assert_eq!(jpeg_header(b"\x89PNG\r\n\x1a\n"), None);
        // An EXIF segment put after the JFIF one counts as metadata.
        let mut with_exif = bytes[..20].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x08, b'E', b'x', b'i', b'f', 0, 0]);
        with_exif.extend_from_slice(&bytes[20..]);
        assert_eq!(jpeg_header(&with_exif).unwrap().metadata_segments, 1);
    }
}
