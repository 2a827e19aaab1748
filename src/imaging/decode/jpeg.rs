//! JPEG, the camera's and most phones' format, through zune-jpeg.

use super::{DecodeError, MAX_SIDE, check_size};
use crate::imaging::buffer::SecretBuf;
use crate::imaging::orient::upright;
use crate::imaging::rgb::RgbImage;

/// JPEG through zune-jpeg in strict mode: a file cut short or with damaged
/// scan data is an error, never a photo with a grey block where the data
/// stopped (the lenient default fills the rest and carries on). The pixels
/// go straight into a wiped buffer.
pub(super) fn decode(bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    if let Err(e) = decoder.decode_headers() {
        let msg = e.to_string();
        return Err(if msg.contains("limit") {
            DecodeError::OverLimits(msg)
        } else {
            DecodeError::Corrupt(msg)
        });
    }
    let (w, h) = decoder
        .dimensions()
        .ok_or_else(|| DecodeError::Corrupt("no frame header".into()))?;
    let (width, height) = (w as u32, h as u32);
    let orientation = decoder
        .exif()
        .and_then(|exif| image::metadata::Orientation::from_exif_chunk(exif))
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let frame = Frame::of(bytes).ok_or_else(|| DecodeError::Corrupt("no frame header".into()))?;
    let rgb = u64::from(width) * u64::from(height) * 3;
    let turns = orientation != image::metadata::Orientation::NoTransforms;
    // What the decode really holds at its peak: our RGB, the coefficients
    // of every component when the file is progressive (all scans must be
    // read before any pixel), the decoder's own planes when it converts
    // from four components, and the turned copy.
    let peak = rgb
        + frame.coefficient_bytes(width, height)
        + if frame.components.len() >= 4 {
            u64::from(width) * u64::from(height) * frame.components.len() as u64
        } else {
            0
        }
        + if turns { rgb } else { 0 };
    check_size(width, height, peak, false)?;
    let mut pixels = SecretBuf::<u8>::zeroed(width as usize * height as usize * 3);
    decoder
        .decode_into(&mut pixels)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let img = RgbImage::from_buf(width, height, pixels)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    Ok(upright(img, orientation))
}

/// What a JPEG's frame header (SOFn) says about the memory its decode
/// needs.
#[derive(Debug, PartialEq, Eq)]
struct Frame {
    progressive: bool,
    /// Each component's horizontal and vertical sampling factors.
    components: Vec<(u8, u8)>,
}

impl Frame {
    /// The first frame header of `bytes`, walking the marker segments.
    fn of(bytes: &[u8]) -> Option<Frame> {
        let mut at = 2;
        while at + 4 <= bytes.len() {
            if bytes[at] != 0xFF {
                return None;
            }
            let marker = bytes[at + 1];
            if marker == 0xFF {
                at += 1;
                continue;
            }
            let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
            let body = bytes.get(at + 4..at + 2 + len)?;
            // SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
                let n = usize::from(*body.get(5)?);
                let components = (0..n)
                    .map(|i| body.get(6 + 3 * i + 1).map(|s| (s >> 4, s & 15)))
                    .collect::<Option<Vec<_>>>()?;
                let progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                return Some(Frame {
                    progressive,
                    components,
                });
            }
            at += 2 + len;
        }
        None
    }

    /// Bytes of the coefficients a progressive decode keeps for a
    /// `width` x `height` frame (16 bits each, every component padded to
    /// whole blocks of its MCU); none for a baseline one.
    fn coefficient_bytes(&self, width: u32, height: u32) -> u64 {
        if !self.progressive {
            return 0;
        }
        let hmax = self
            .components
            .iter()
            .map(|c| c.0)
            .max()
            .unwrap_or(1)
            .max(1);
        let vmax = self
            .components
            .iter()
            .map(|c| c.1)
            .max()
            .unwrap_or(1)
            .max(1);
        let (mcu_w, mcu_h) = (8 * u64::from(hmax), 8 * u64::from(vmax));
        let (mcus_x, mcus_y) = (
            u64::from(width).div_ceil(mcu_w),
            u64::from(height).div_ceil(mcu_h),
        );
        self.components
            .iter()
            .map(|&(h, v)| mcus_x * 8 * u64::from(h) * mcus_y * 8 * u64::from(v) * 2)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(colour: jpeg_encoder::ColorType, progressive: bool, channels: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
        enc.set_progressive(progressive);
        enc.encode(&vec![128u8; 16 * 16 * channels], 16, 16, colour)
            .unwrap();
        out
    }

    #[test]
    fn the_frame_header_says_progressive_and_how_many_components() {
        let base = Frame::of(&encoded(jpeg_encoder::ColorType::Rgb, false, 3)).unwrap();
        assert!(!base.progressive);
        assert_eq!(base.components.len(), 3);
        assert_eq!(base.coefficient_bytes(1000, 1000), 0);
        let prog = Frame::of(&encoded(jpeg_encoder::ColorType::Cmyk, true, 4)).unwrap();
        assert!(prog.progressive);
        assert_eq!(prog.components.len(), 4);
        // Four full-resolution components, 2 bytes a coefficient.
        assert!(prog.coefficient_bytes(1000, 1000) >= 4 * 1000 * 1000 * 2);
        assert_eq!(Frame::of(b"\xff\xd8"), None);
    }
}
