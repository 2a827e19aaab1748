//! Photo files to upright RGB pixels, with a specific error for each way a
//! file can be unusable. The formats people have: JPEG (cameras, most
//! phones), HEIC (the iPhone's default), PNG and WebP (the web, screenshots),
//! TIFF (scanners), BMP and PNM (older tools). Each is turned upright by its
//! own orientation record.

mod heif;
mod image_crate;
mod jpeg;
mod png_lean;

use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use image::{ImageFormat, ImageReader};

use super::buffer::SecretBuf;
use super::rgb::RgbImage;

/// The formats [`decode_bytes`] reads, for messages.
pub const FORMATS: &str = "JPEG, PNG, WebP, TIFF, BMP, PNM or HEIC/HEIF";

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
    /// The bytes are none of the formats we read.
    #[error("not a photo file passbooth reads ({FORMATS})")]
    UnknownFormat,
    /// A format we read, using a part of it we do not (a TIFF compression,
    /// a HEIF codec), or HEIC in a build without libheif.
    #[error("this {format} file cannot be read here: {why}")]
    Unsupported {
        /// The file's format.
        format: &'static str,
        /// What is missing.
        why: String,
    },
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
    /// The file is larger than any photo.
    #[error("{path} is larger than any photo (over {max_mb} MB)")]
    FileTooLarge {
        /// The file.
        path: String,
        /// The limit, MiB.
        max_mb: u64,
    },
    /// The file is damaged or cut short.
    #[error("the image data is corrupt or truncated: {0}")]
    Corrupt(String),
}

/// Largest photo file we read. A 200 MP JPEG at the highest quality is
/// well under this; more is not a portrait (or is `/dev/zero`).
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// Reads a photo file and turns it upright by its orientation record.
pub fn decode_file(path: &Path) -> Result<RgbImage, DecodeError> {
    let bytes = read_bounded(path, MAX_FILE_BYTES)?;
    decode_bytes(&bytes)
}

/// The whole of a file of at most `max` bytes, in memory that is wiped when
/// dropped (a photo file is a face too). A longer file (or an endless one,
/// as `/dev/zero`) is refused after `max` bytes, never read to its end.
pub fn read_bounded(path: &Path, max: u64) -> Result<SecretBuf<u8>, DecodeError> {
    let io = |source| DecodeError::Io {
        path: path.display().to_string(),
        source,
    };
    // O_NONBLOCK: opening a FIFO with no writer must not hang; anything
    // but a regular file is refused before a byte is read.
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(io)?
    };
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if !meta.is_file() {
        return Err(io(std::io::Error::other(
            "is not a regular file (a pipe, socket or device): save the photo to a file",
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(max)).unwrap_or(0));
    BufReader::new(file)
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(DecodeError::FileTooLarge {
            path: path.display().to_string(),
            max_mb: max / (1024 * 1024),
        });
    }
    Ok(SecretBuf::from_vec(bytes))
}

/// Decodes a photo held in memory (a file's bytes, a camera still, a test
/// image), telling the format by its first bytes, never by a file name.
pub fn decode_bytes(bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    if heif::is_heif(bytes) {
        return heif::decode(bytes);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg) => jpeg::decode(bytes),
        Some(ImageFormat::Png) => image_crate::decode(ImageReader::with_format(
            png_lean::without_metadata(bytes)?,
            ImageFormat::Png,
        )),
        Some(ImageFormat::WebP | ImageFormat::Tiff | ImageFormat::Bmp | ImageFormat::Pnm) => {
            image_crate::decode(reader)
        }
        _ => Err(DecodeError::UnknownFormat),
    }
}

/// Checks a header's size against the side limit and the memory the decode
/// will take: `decoded` bytes of the decoder's own output (16-bit and alpha
/// included) plus the RGB copy when a conversion follows.
fn check_size(width: u32, height: u32, decoded: u64, converts: bool) -> Result<(), DecodeError> {
    if width == 0 || height == 0 {
        return Err(DecodeError::Empty { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(DecodeError::TooLarge { width, height });
    }
    let rgb = u64::from(width) * u64::from(height) * 3;
    let total = decoded.saturating_add(if converts { rgb } else { 0 });
    if total > MAX_DECODED_BYTES {
        return Err(DecodeError::OverLimits(format!(
            "{width}x{height} needs {} MB to decode",
            total / (1024 * 1024)
        )));
    }
    Ok(())
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

#[cfg(test)]
mod hostile {
    use super::*;

    /// A PNG of only a header (signature, IHDR, IEND) claiming any size.
    fn png_header(w: u32, h: u32, depth: png::BitDepth, colour: png::ColorType) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_depth(depth);
        enc.set_color(colour);
        let mut writer = enc.write_header().unwrap();
        // One IDAT with an empty zlib stream: enough for a decoder to start.
        writer
            .write_chunk(
                png::chunk::IDAT,
                &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
            )
            .unwrap();
        drop(writer);
        out
    }

    /// A 4:2:0 JPEG of a noisy portrait-sized picture.
    pub(super) fn photo_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(480, 600, |x, y| {
            let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 7;
            image::Rgb([(x / 2) as u8, (y / 3) as u8, n as u8])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        jpeg
    }

    #[test]
    fn a_tiny_png_header_for_a_huge_16_bit_image_is_refused_before_decoding() {
        let bytes = png_header(19_000, 19_000, png::BitDepth::Sixteen, png::ColorType::Rgba);
        assert!(bytes.len() < 100, "{} bytes", bytes.len());
        let err = decode_bytes(&bytes).unwrap_err();
        assert!(matches!(err, DecodeError::OverLimits(_)), "{err:?}");
    }

    #[test]
    fn a_png_that_decodes_past_the_cap_is_refused_before_decoding() {
        // 15000 x 15000 RGB: 675 MB decoded, over the 400 MB cap.
        let bytes = png_header(15_000, 15_000, png::BitDepth::Eight, png::ColorType::Rgb);
        let err = decode_bytes(&bytes).unwrap_err();
        assert!(matches!(err, DecodeError::OverLimits(_)), "{err:?}");
        assert!(err.to_string().contains("MB"), "{err}");
    }

    #[test]
    fn a_jpeg_cut_to_a_quarter_is_corrupt() {
        let jpeg = photo_jpeg();
        assert!(decode_bytes(&jpeg).is_ok());
        for keep in [jpeg.len() / 4, jpeg.len() / 2, jpeg.len() - 100] {
            let err = decode_bytes(&jpeg[..keep]).unwrap_err();
            assert!(matches!(err, DecodeError::Corrupt(_)), "{keep}: {err:?}");
        }
    }

    /// How many of 20 copies damaged by `damage` at 20 places are refused.
    fn refused(damage: impl Fn(&mut [u8], u64)) -> usize {
        let jpeg = photo_jpeg();
        (0..20u64)
            .filter(|&trial| {
                let mut bad = jpeg.clone();
                let at = jpeg.len() / 3 + trial as usize * 97;
                damage(&mut bad[at..at + 64], trial);
                decode_bytes(&bad).is_err()
            })
            .count()
    }

    #[test]
    fn a_jpeg_with_an_erased_run_in_its_scan_data_is_corrupt() {
        let zeroed = refused(|b, _| b.fill(0));
        let ones = refused(|b, _| b.fill(0xff));
        let random = refused(|b, t| {
            let mut x = 0x2545_f491_4f6c_dd1d ^ t;
            for v in b {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *v = x as u8;
            }
        });
        // A JPEG has no checksum: damage that still reads as valid codes of
        // the right total length cannot be told from a photo by any decoder.
        // Erased runs (0xff, as flash reads) break the code stream and are
        // refused; zeroed and random runs mostly decode (reported, not
        // claimed).
        println!("refused of 20: 0xff {ones}, zeroed {zeroed}, random {random}");
        assert!(ones >= 18, "erased runs refused: {ones} of 20");
    }

    #[test]
    fn a_grey_jpeg_decodes_to_rgb() {
        let img = image::GrayImage::from_fn(64, 48, |x, _| image::Luma([(x * 4) as u8]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&img)
            .unwrap();
        let rgb = decode_bytes(&jpeg).unwrap();
        assert_eq!((rgb.width(), rgb.height()), (64, 48));
        let p = rgb.get(40, 10);
        assert!(
            p[0].abs_diff(160) < 6 && p[0] == p[1] && p[1] == p[2],
            "{p:?}"
        );
    }

    #[test]
    fn a_device_or_a_pipe_is_refused_before_a_byte_is_read() {
        let err = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(err.to_string().contains("/dev/zero"), "{err}");
        let text = format!("{:#}", anyhow::Error::new(err));
        assert!(text.contains("not a regular file"), "{text}");
    }

    #[test]
    fn a_file_longer_than_the_limit_is_refused_after_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jpg");
        std::fs::write(&path, vec![0u8; (1 << 20) + 1]).unwrap();
        let err = read_bounded(&path, 1 << 20).unwrap_err();
        assert!(matches!(err, DecodeError::FileTooLarge { .. }), "{err:?}");
    }
}
