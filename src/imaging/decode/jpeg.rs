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
    check_size(
        width,
        height,
        u64::from(width) * u64::from(height) * 3,
        false,
    )?;
    let mut pixels = SecretBuf::<u8>::zeroed(width as usize * height as usize * 3);
    decoder
        .decode_into(&mut pixels)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let orientation = decoder
        .exif()
        .and_then(|exif| image::metadata::Orientation::from_exif_chunk(exif))
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let img = RgbImage::from_buf(width, height, pixels)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    Ok(upright(img, orientation))
}
