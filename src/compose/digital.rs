//! The finished photo as a file an online portal accepts: scaled into the
//! portal's pixel bounds, and the best JPEG quality whose file size falls
//! inside its limits.
//!
//! Portals refuse files mostly for their size (the UK's commonest reason),
//! so the size is searched, not hoped for: the highest quality whose file
//! is under the cap, then checked against the floor (a minimum size, or the
//! US's 20:1 compression limit).

use crate::imaging::encode::{EncodeError, encode_jpeg};
use crate::imaging::geometry::Point;
use crate::imaging::warp::{Crop, resample};
use crate::imaging::{RgbImage, SecretBuf};
use crate::spec::digital::{DigitalProfile, PxRange};

/// The highest and lowest JPEG quality tried first: above 95 a file only
/// grows; below 60 compression blurs skin and hair visibly. Qualities up to
/// 100 are tried only to reach a portal's smallest file.
const QUALITY: (u8, u8) = (95, 60);

/// A written digital photo.
#[derive(Debug)]
pub struct DigitalFile {
    /// The file.
    pub bytes: SecretBuf<u8>,
    /// Its width and height in pixels.
    pub size: (u32, u32),
    /// The JPEG quality it was written at.
    pub quality: u8,
}

/// Why no file meets the profile.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The photo's shape cannot be fitted into the pixel bounds.
    #[error("{profile}: a {w} x {h} px photo cannot be scaled to {want}")]
    Shape {
        /// The profile.
        profile: String,
        /// The photo's width.
        w: u32,
        /// The photo's height.
        h: u32,
        /// What the profile wants.
        want: String,
    },
    /// No quality gives a file size inside the limits.
    #[error("{profile}: the file is {got_kb:.0} kB at JPEG quality {quality}, {why}")]
    Size {
        /// The profile.
        profile: String,
        /// The file size reached.
        got_kb: f64,
        /// At this quality.
        quality: u8,
        /// Which limit it misses.
        why: String,
    },
    /// The encoder failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The pixel size for a `w` x `h` photo under `profile`: the photo's own
/// size if it fits, else scaled (aspect kept) to the nearest size that does.
pub fn pixel_size(w: u32, h: u32, profile: &DigitalProfile) -> Result<(u32, u32), ExportError> {
    let shape_error = || ExportError::Shape {
        profile: profile.id.clone(),
        w,
        h,
        want: describe(profile),
    };
    if profile.square && w != h {
        return Err(shape_error());
    }
    let (fw, fh) = (f64::from(w), f64::from(h));
    let at_least = |r: PxRange, v: f64| r.min.map_or(1.0, |m| f64::from(m) / v);
    let at_most = |r: PxRange, v: f64| r.max.map_or(f64::INFINITY, |m| f64::from(m) / v);
    let up = at_least(profile.width_px, fw).max(at_least(profile.height_px, fh));
    let down = at_most(profile.width_px, fw).min(at_most(profile.height_px, fh));
    let scale = if up > 1.0 { up } else { down.min(1.0) };
    let size = (
        (fw * scale).round().max(1.0) as u32,
        (fh * scale).round().max(1.0) as u32,
    );
    let fits = profile.width_px.contains(size.0) && profile.height_px.contains(size.1);
    if fits { Ok(size) } else { Err(shape_error()) }
}

fn describe(p: &DigitalProfile) -> String {
    let r = |r: PxRange| match (r.min, r.max) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".to_string(),
    };
    let square = if p.square { ", square" } else { "" };
    format!("{} x {} px{square}", r(p.width_px), r(p.height_px))
}

/// Writes `photo` (at `dpi`) as a file for `profile`.
pub fn export(
    photo: &RgbImage,
    dpi: u32,
    profile: &DigitalProfile,
) -> Result<DigitalFile, ExportError> {
    let (w, h) = (photo.width(), photo.height());
    let size = pixel_size(w, h, profile)?;
    let scaled;
    let img = if size == (w, h) {
        photo
    } else {
        let whole = Crop {
            center: Point::new(w as f32 / 2.0, h as f32 / 2.0),
            width: w as f32,
            height: h as f32,
            angle: 0.0,
        };
        scaled = resample(photo, &whole, size.0, size.1, None);
        &scaled
    };
    // The recorded resolution keeps the print size: 2 x 2 in stays 2 x 2.
    let file_dpi = (f64::from(dpi) * f64::from(size.0) / f64::from(w)).round() as u16;
    let (floor, cap) = profile.file_kb.bytes();
    let raw = size.0 as usize * size.1 as usize * 3;
    let floor = profile
        .max_compression_ratio
        .map_or(floor, |r| floor.max((raw as f64 / r).ceil() as usize));
    let encode = |q: u8| encode_jpeg(img, q, file_dpi);

    // The highest quality under the cap: file size grows with quality, so
    // a binary search over the qualities tried.
    let (mut lo, mut hi) = (QUALITY.1, QUALITY.0);
    let mut best = encode(hi)?;
    let mut quality = hi;
    if cap.is_some_and(|c| best.len() > c) {
        let smallest = encode(lo)?;
        if cap.is_some_and(|c| smallest.len() > c) {
            return Err(size_error(
                profile,
                smallest.len(),
                lo,
                "over the portal's limit even at the lowest quality",
            ));
        }
        (best, quality) = (smallest, lo);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let bytes = encode(mid)?;
            if cap.is_some_and(|c| bytes.len() > c) {
                hi = mid;
            } else {
                (best, quality, lo) = (bytes, mid, mid);
            }
        }
    }
    // Under the floor (the US's 20:1 at 1200 x 1200 px wants 216 kB of a
    // smooth photo): a higher quality, if one stays under the cap.
    let mut q = quality;
    while best.len() < floor && q < 100 {
        q += 1;
        let bytes = encode(q)?;
        if cap.is_some_and(|c| bytes.len() > c) {
            break;
        }
        (best, quality) = (bytes, q);
    }
    if best.len() < floor {
        let why = if profile.file_kb.bytes().0 > best.len() {
            "under the portal's smallest file"
        } else {
            "more compressed than the portal allows"
        };
        return Err(size_error(profile, best.len(), quality, why));
    }
    Ok(DigitalFile {
        bytes: best,
        size,
        quality,
    })
}

fn size_error(profile: &DigitalProfile, len: usize, quality: u8, why: &str) -> ExportError {
    ExportError::Size {
        profile: profile.id.clone(),
        got_kb: len as f64 / 1000.0,
        quality,
        why: why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::digital::verify;
    use crate::spec::digital::{FileType, KbRange, Service};

    fn profile(w: PxRange, h: PxRange, square: bool, kb: KbRange) -> DigitalProfile {
        DigitalProfile {
            id: "test".into(),
            name: "test".into(),
            specs: vec!["x".into()],
            service: Service::Served,
            width_px: w,
            height_px: h,
            square,
            file_types: vec![FileType::Jpeg],
            file_kb: kb,
            max_compression_ratio: None,
            sources: vec!["test".into()],
            notes: vec![],
        }
    }

    fn px(min: Option<u32>, max: Option<u32>) -> PxRange {
        PxRange { min, max }
    }

    /// A noisy picture: JPEG size depends on its quality.
    fn noisy(w: u32, h: u32) -> RgbImage {
        let mut img = RgbImage::black(w, h);
        let mut s = 12345u32;
        for y in 0..h {
            for x in 0..w {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let n = (s >> 24) as u8 / 4;
                img.put(x, y, [100 + n, 90 + n, 80 + (x % 32) as u8]);
            }
        }
        img
    }

    #[test]
    fn a_small_photo_is_scaled_up_to_the_least_size_keeping_its_shape() {
        let p = profile(
            px(Some(600), None),
            px(Some(750), None),
            false,
            KbRange {
                min: None,
                max: None,
            },
        );
        assert_eq!(pixel_size(413, 531, &p).unwrap(), (600, 771));
        let square = profile(
            px(Some(600), Some(1200)),
            px(Some(600), Some(1200)),
            true,
            KbRange {
                min: None,
                max: None,
            },
        );
        assert_eq!(pixel_size(600, 600, &square).unwrap(), (600, 600));
        assert_eq!(pixel_size(2400, 2400, &square).unwrap(), (1200, 1200));
        assert!(pixel_size(413, 531, &square).is_err());
    }

    #[test]
    fn the_quality_is_the_highest_under_the_cap() {
        let img = noisy(300, 300);
        let cap_kb = 30.0;
        let p = profile(
            px(None, None),
            px(None, None),
            false,
            KbRange {
                min: None,
                max: Some(cap_kb),
            },
        );
        let f = export(&img, 300, &p).unwrap();
        assert!(f.bytes.len() <= 30_000, "{}", f.bytes.len());
        assert!(f.quality < QUALITY.0);
        // One step better is over the cap.
        let better = encode_jpeg(&img, f.quality + 1, 300).unwrap();
        assert!(
            better.len() > 30_000,
            "{} at {}",
            better.len(),
            f.quality + 1
        );
        assert!(verify(&f.bytes, &p).iter().all(|c| c.passed));
    }

    #[test]
    fn a_cap_no_quality_meets_and_a_floor_no_file_reaches_are_errors() {
        let img = noisy(300, 300);
        let tiny = profile(
            px(None, None),
            px(None, None),
            false,
            KbRange {
                min: None,
                max: Some(1.0),
            },
        );
        let e = export(&img, 300, &tiny).unwrap_err().to_string();
        assert!(e.contains("over the portal's limit"), "{e}");
        let big = profile(
            px(None, None),
            px(None, None),
            false,
            KbRange {
                min: Some(5000.0),
                max: None,
            },
        );
        let e = export(&img, 300, &big).unwrap_err().to_string();
        assert!(e.contains("smallest file"), "{e}");
    }
}
