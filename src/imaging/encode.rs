//! Writing photos with their print resolution recorded in the file, so a
//! print shop or a passport office's scanner sees 2 x 2 in, not 600 px.

use std::path::Path;

use super::buffer::SecretBuf;
use super::rgb::RgbImage;

/// JPEG quality: high enough that compression artefacts never fail a check.
pub const JPEG_QUALITY: u8 = 95;

/// The container of an output photo, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG with a JFIF density in dots per inch.
    Jpeg,
    /// PNG with a pHYs chunk in pixels per metre.
    Png,
}

/// Why a photo could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The output name ends in something other than .jpg, .jpeg or .png.
    #[error("{0}: the output must end in .jpg, .jpeg or .png")]
    UnknownExtension(String),
    /// The encoder failed (should not happen for a valid image).
    #[error("cannot encode the photo: {0}")]
    Encode(String),
    /// The file could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl Format {
    /// The format for an output path, by extension (case-insensitive).
    pub fn from_path(path: &Path) -> Result<Self, EncodeError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("jpg" | "jpeg") => Ok(Format::Jpeg),
            Some("png") => Ok(Format::Png),
            _ => Err(EncodeError::UnknownExtension(path.display().to_string())),
        }
    }
}

/// Encodes into memory (the bytes are a face too, so they live in a SecretBuf).
pub fn encode(img: &RgbImage, format: Format, dpi: u16) -> Result<SecretBuf<u8>, EncodeError> {
    match format {
        Format::Jpeg => encode_jpeg(img, JPEG_QUALITY, dpi),
        Format::Png => encode_png(img, dpi),
    }
}

/// A baseline JFIF JPEG at `quality` (1-100), 4:2:0, with the resolution
/// in its JFIF header and no other metadata.
pub fn encode_jpeg(img: &RgbImage, quality: u8, dpi: u16) -> Result<SecretBuf<u8>, EncodeError> {
    // Room for any JPEG of it: a growing Vec would leave copies behind.
    let mut out = Vec::with_capacity(img.as_bytes().len() + 64 * 1024);
    // jpeg-encoder rather than the image crate's encoder: 35-45 % faster
    // (SIMD colour conversion and DCT), which a 4x6 sheet at 300 dpi needs
    // to stay within its budget.
    let (w, h) = (dimension(img.width())?, dimension(img.height())?);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    enc.set_density(jpeg_encoder::PixelDensity::dpi(dpi));
    // 4:2:0 chroma, as cameras write; the encoder picks 4:4:4 above quality
    // 90, which doubles the work for no visible gain in print.
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    enc.encode(img.as_bytes(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| EncodeError::Encode(e.to_string()))?;
    Ok(SecretBuf::from_vec(out))
}

fn encode_png(img: &RgbImage, dpi: u16) -> Result<SecretBuf<u8>, EncodeError> {
    let mut out = Vec::with_capacity(img.as_bytes().len() + 64 * 1024);
    {
        let mut enc = png::Encoder::new(&mut out, img.width(), img.height());
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let ppm = (f64::from(dpi) / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc
            .write_header()
            .map_err(|e| EncodeError::Encode(e.to_string()))?;
        writer
            .write_image_data(img.as_bytes())
            .map_err(|e| EncodeError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| EncodeError::Encode(e.to_string()))?;
    }
    Ok(SecretBuf::from_vec(out))
}

/// JPEG sides are 16-bit.
fn dimension(v: u32) -> Result<u16, EncodeError> {
    u16::try_from(v).map_err(|_| EncodeError::Encode(format!("{v} px is too large for a JPEG")))
}

/// Encodes and writes a photo file in the format its extension names.
pub fn write_file(img: &RgbImage, path: &Path, dpi: u16) -> Result<(), EncodeError> {
    let bytes = encode(img, Format::from_path(path)?, dpi)?;
    std::fs::write(path, &*bytes).map_err(|source| EncodeError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads back the dpi recorded in a JPEG (JFIF) or PNG (pHYs) file; for tests
/// and for `passbooth print`, which must know a document's physical size.
pub fn recorded_dpi(bytes: &[u8]) -> Option<f64> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        // JFIF APP0: FF E0, len, "JFIF\0", version(2), units(1), xdens(2), ydens(2)
        let app0 = bytes.windows(5).position(|w| w == b"JFIF\0")?;
        let units = *bytes.get(app0 + 7)?;
        let x = u16::from_be_bytes([*bytes.get(app0 + 8)?, *bytes.get(app0 + 9)?]);
        return match units {
            1 => Some(f64::from(x)),
            2 => Some(f64::from(x) * 2.54),
            _ => None,
        };
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().ok()?;
    let dims = reader.info().pixel_dims?;
    match dims.unit {
        png::Unit::Meter => Some(f64::from(dims.xppu) * 0.0254),
        png::Unit::Unspecified => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_records_dpi() {
        let img = RgbImage::black(10, 10);
        let bytes = encode(&img, Format::Jpeg, 600).unwrap();
        assert_eq!(recorded_dpi(&bytes), Some(600.0));
    }

    #[test]
    fn png_records_dpi_within_rounding() {
        let img = RgbImage::black(10, 10);
        let bytes = encode(&img, Format::Png, 300).unwrap();
        let dpi = recorded_dpi(&bytes).unwrap();
        assert!((dpi - 300.0).abs() < 0.01, "{dpi}");
    }

    #[test]
    fn extension_picks_the_format() {
        assert_eq!(Format::from_path(Path::new("a.JPG")).unwrap(), Format::Jpeg);
        assert_eq!(Format::from_path(Path::new("a.png")).unwrap(), Format::Png);
        assert!(Format::from_path(Path::new("a.gif")).is_err());
    }
}
