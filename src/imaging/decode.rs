//! Photo files to upright RGB pixels, with a specific error for each way a
//! file can be unusable.

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};

use super::buffer::SecretBuf;
use super::rgb::RgbImage;

/// Largest side we accept. A 200 MP medium-format photo has 16384 px; more
/// than this is a crafted or corrupt header, not a portrait.
pub const MAX_SIDE: u32 = 20_000;
/// Largest decoded size we accept (bytes of RGB), so a hostile file cannot make
/// the booth allocate gigabytes.
pub const MAX_DECODED_BYTES: u64 = MAX_DECODED_MB * 1024 * 1024;
/// [`MAX_DECODED_BYTES`] in MiB, for messages.
pub const MAX_DECODED_MB: u64 = 400;

/// Why a photo could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The file could not be opened or read (missing, permissions, a folder).
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The bytes are not a JPEG or PNG.
    #[error("not a JPEG or PNG image")]
    UnknownFormat,
    /// The header says the image has no pixels.
    #[error("the image has no pixels ({width}x{height})")]
    Empty {
        /// Width in the header.
        width: u32,
        /// Height in the header.
        height: u32,
    },
    /// The header asks for an implausibly large image.
    #[error(
        "the image is too large to be a photo ({width}x{height}; at most {MAX_SIDE} px a side)"
    )]
    TooLarge {
        /// Width in the header.
        width: u32,
        /// Height in the header.
        height: u32,
    },
    /// The decoder refused the header before its size was known to us
    /// (beyond the side or memory limit).
    #[error(
        "the image is too large to be a photo (at most {MAX_SIDE} px a side and {MAX_DECODED_MB} MB decoded): {0}"
    )]
    OverLimits(String),
    /// The file is damaged or cut short.
    #[error("the image data is corrupt or truncated: {0}")]
    Corrupt(String),
}

/// Reads a JPEG or PNG file and turns it upright by its EXIF orientation.
pub fn decode_file(path: &Path) -> Result<RgbImage, DecodeError> {
    let io = |source| DecodeError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    decode_reader(BufReader::new(file))
}

/// Decodes a JPEG or PNG held in memory (a camera still, a test image).
pub fn decode_bytes(bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    decode_reader(Cursor::new(bytes))
}

fn decode_reader<R: Read + Seek + std::io::BufRead>(reader: R) -> Result<RgbImage, DecodeError> {
    let mut reader = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png) => {}
        _ => return Err(DecodeError::UnknownFormat),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(DecodeError::Empty { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(DecodeError::TooLarge { width, height });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(classify)?;
    img.apply_orientation(orientation);
    let (w, h) = (img.width(), img.height());
    let rgb = match img {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => {
            let converted = other.to_rgb8();
            wipe_dynamic(other);
            converted
        }
    };
    RgbImage::from_buf(w, h, SecretBuf::from_vec(rgb.into_raw()))
        .map_err(|e| DecodeError::Corrupt(e.to_string()))
}

/// Zeroes a decoded image in another pixel format before it is freed.
fn wipe_dynamic(img: DynamicImage) {
    use zeroize::Zeroize;
    match img {
        DynamicImage::ImageRgba8(i) => i.into_raw().zeroize(),
        DynamicImage::ImageLuma8(i) => i.into_raw().zeroize(),
        DynamicImage::ImageLumaA8(i) => i.into_raw().zeroize(),
        DynamicImage::ImageRgb16(i) => i.into_raw().zeroize(),
        DynamicImage::ImageRgba16(i) => i.into_raw().zeroize(),
        DynamicImage::ImageLuma16(i) => i.into_raw().zeroize(),
        DynamicImage::ImageLumaA16(i) => i.into_raw().zeroize(),
        DynamicImage::ImageRgb32F(i) => i.into_raw().zeroize(),
        DynamicImage::ImageRgba32F(i) => i.into_raw().zeroize(),
        other => drop(other),
    }
}

fn classify(err: ImageError) -> DecodeError {
    match err {
        ImageError::Limits(e) => DecodeError::OverLimits(e.to_string()),
        ImageError::Unsupported(_) => DecodeError::UnknownFormat,
        other => DecodeError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn decodes_png_pixels_exactly() {
        let img = decode_bytes(&png_bytes(5, 3)).unwrap();
        assert_eq!((img.width(), img.height()), (5, 3));
        assert_eq!(img.get(4, 2), [4, 2, 7]);
    }

    /// A JPEG whose pixels are stored turned 90 degrees anticlockwise, with
    /// EXIF orientation 6 ("turn 90 degrees clockwise to display"), as phones
    /// write portraits.
    fn sideways_jpeg() -> Vec<u8> {
        // Displayed: 32 x 16, left half red, right half blue. Stored: 16 x 32,
        // blue on top, red below.
        let stored = image::RgbImage::from_fn(16, 32, |_, y| {
            if y < 16 {
                image::Rgb([0, 0, 255])
            } else {
                image::Rgb([255, 0, 0])
            }
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&stored)
            .unwrap();
        let tiff: [u8; 26] = [
            b'I', b'I', 0x2A, 0, 8, 0, 0, 0, // header, IFD at 8
            1, 0, // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, // Orientation = 6
            0, 0, 0, 0, // no next IFD
        ];
        let mut app1 = vec![0xFF, 0xE1, 0, 34];
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn exif_orientation_turns_the_photo_upright() {
        let img = decode_bytes(&sideways_jpeg()).unwrap();
        assert_eq!((img.width(), img.height()), (32, 16));
        let left = img.get(4, 8);
        let right = img.get(28, 8);
        assert!(left[0] > 200 && left[2] < 60, "left {left:?}");
        assert!(right[2] > 200 && right[0] < 60, "right {right:?}");
    }

    #[test]
    fn text_is_not_an_image() {
        assert!(matches!(
            decode_bytes(b"hello, I am not a photo"),
            Err(DecodeError::UnknownFormat)
        ));
    }

    #[test]
    fn truncated_png_is_corrupt() {
        let bytes = png_bytes(64, 64);
        let err = decode_bytes(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(matches!(err, DecodeError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = decode_file(Path::new("/nonexistent/photo.jpg")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/photo.jpg"));
    }
}
