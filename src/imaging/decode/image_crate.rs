//! The formats the image crate decodes for us: PNG, WebP, TIFF, BMP and
//! PNM, with the memory cap applied before any pixel is decoded.

use std::io::{BufRead, Seek};

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{DecodeError, MAX_DECODED_BYTES, MAX_SIDE, check_size};
use crate::imaging::buffer::SecretBuf;
use crate::imaging::orient::upright;
use crate::imaging::rgb::RgbImage;

/// Decodes `reader`'s image, with the memory cap applied to what the
/// decoder will really allocate.
pub(super) fn decode<R: BufRead + Seek>(
    mut reader: ImageReader<R>,
) -> Result<RgbImage, DecodeError> {
    let format = match reader.format() {
        Some(ImageFormat::Png) => "PNG",
        Some(ImageFormat::WebP) => "WebP",
        Some(ImageFormat::Tiff) => "TIFF",
        Some(ImageFormat::Bmp) => "BMP",
        Some(ImageFormat::Pnm) => "PNM",
        _ => "image",
    };
    let classify = |e| classify(format, e);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (width, height) = decoder.dimensions();
    let converts = decoder.color_type() != image::ColorType::Rgb8;
    let pixels = u64::from(width) * u64::from(height);
    // What the decoder holds beside its output: WebP's lossless decoder
    // works in 32-bit ARGB (a 38-byte file can ask for 10000 x 10000), and
    // its lossy one in YUV planes; count the larger.
    let internal = if format == "WebP" { pixels * 4 } else { 0 };
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    // And the turned copy, when the file says to turn it.
    let turn = if orientation == image::metadata::Orientation::NoTransforms {
        0
    } else {
        pixels * 3
    };
    check_size(
        width,
        height,
        decoder.total_bytes() + internal + turn,
        converts,
    )?;
    let img = DynamicImage::from_decoder(decoder).map_err(classify)?;
    let (w, h) = (img.width(), img.height());
    let rgb = match img {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => {
            let converted = other.to_rgb8();
            wipe_dynamic(other);
            converted
        }
    };
    let img = RgbImage::from_buf(w, h, SecretBuf::from_vec(rgb.into_raw()))
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    Ok(upright(img, orientation))
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

fn classify(format: &'static str, err: ImageError) -> DecodeError {
    match err {
        ImageError::Limits(e) => DecodeError::OverLimits(e.to_string()),
        ImageError::Unsupported(e) => DecodeError::Unsupported {
            format,
            why: e.to_string(),
        },
        other => DecodeError::Corrupt(other.to_string()),
    }
}
