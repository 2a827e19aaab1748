//! Crafted photo files against the command line, each under a 1.5 GB
//! address-space limit: a tiny header claiming a picture whose decode
//! would need more than the cap (progressive coefficients, four-component
//! planes, a turned copy) is refused with one line naming the size, never
//! an abort; a pipe is refused at once; and the largest photo the cap
//! accepts is composed within cap + 100 MB of peak memory.

use std::path::Path;
use std::process::Command;

use passbooth::imaging::decode::MAX_DECODED_BYTES;

use crate::common::{emulated, with_address_limit};

/// The address space every run here gets (the finding's limit).
const ADDRESS_LIMIT: u64 = 1_500_000_000;

/// A 16 x 16 JPEG in `colour` whose frame header is then made to claim
/// `w` x `h` (the scan data stays a 16 x 16 picture's), with an EXIF
/// orientation if given.
fn jpeg_claiming(
    w: u16,
    h: u16,
    colour: jpeg_encoder::ColorType,
    progressive: bool,
    orientation: Option<u16>,
) -> Vec<u8> {
    let channels = match colour {
        jpeg_encoder::ColorType::Cmyk => 4,
        _ => 3,
    };
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.set_progressive(progressive);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    if let Some(o) = orientation {
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        exif.extend(o.to_be_bytes());
        exif.extend([0, 0, 0, 0, 0, 0]);
        enc.add_app_segment(1, exif).unwrap();
    }
    enc.encode(&vec![100u8; 16 * 16 * channels], 16, 16, colour)
        .unwrap();
    let sof = out
        .windows(2)
        .position(|m| m[0] == 0xFF && (m[1] == 0xC0 || m[1] == 0xC2))
        .expect("a frame header");
    out[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    out
}

/// A 16 x 16 lossless WebP whose header is made to claim `w` x `h`: a few
/// dozen bytes.
fn webp_claiming(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb([90, 120, 150]));
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(img.as_raw(), 16, 16, image::ExtendedColorType::Rgb8)
        .unwrap();
    let at = out
        .windows(4)
        .position(|c| c == b"VP8L")
        .expect("a lossless chunk")
        + 8;
    assert_eq!(out[at], 0x2f, "the VP8L signature");
    let mut bits = u32::from_le_bytes([out[at + 1], out[at + 2], out[at + 3], out[at + 4]]);
    bits = (bits & !0x0fff_ffff) | (w - 1) | ((h - 1) << 14);
    out[at + 1..at + 5].copy_from_slice(&bits.to_le_bytes());
    out
}

/// `passbooth check FILE` under the address limit: exit code and stderr.
fn check_limited(file: &Path) -> (Option<i32>, String) {
    // A run that hangs (a pipe read with no writer) ends after 60 s, 124.
    let mut cmd = Command::new("timeout");
    cmd.arg("60").arg(env!("CARGO_BIN_EXE_passbooth"));
    cmd.args(["check", file.to_str().unwrap(), "--spec", "us-passport"]);
    let out = with_address_limit(cmd, ADDRESS_LIMIT).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

#[test]
fn headers_whose_decode_would_pass_the_cap_are_refused_in_one_line() {
    if emulated("decoding under an address-space limit") {
        return;
    }
    use jpeg_encoder::ColorType::{Cmyk, Rgb};
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        // The finding: exit 134, "memory allocation of 278480000 bytes
        // failed" in zune-jpeg's coefficient buffers.
        (
            "progressive-cmyk",
            jpeg_claiming(11_800, 11_800, Cmyk, true, None),
        ),
        // 398 MB of RGB (under the cap) plus 835 MB of coefficients.
        (
            "progressive-444",
            jpeg_claiming(11_800, 11_800, Rgb, true, None),
        ),
        // 398 MB of RGB and its turned copy.
        ("turned", jpeg_claiming(11_800, 11_800, Rgb, false, Some(6))),
        // 300 MB of RGB (under the cap) and the decoder's 400 MB of ARGB.
        ("lossless-webp", webp_claiming(10_000, 10_000)),
    ] {
        assert!(bytes.len() < 1000, "{name}: {} bytes", bytes.len());
        let file = dir.path().join(format!("{name}.img"));
        std::fs::write(&file, &bytes).unwrap();
        let (code, err) = check_limited(&file);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line, got {err}");
        assert!(
            err.contains("too large to be a photo") && err.contains("MB to decode"),
            "{name}: refused for its size before decoding, got {err}"
        );
    }
}

#[test]
fn a_pipe_with_no_writer_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("photo.jpg");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that lives across the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // No writer ever opens it: a reader that blocks would wait forever,
    // and the harness would report this test as hanging.
    let (code, err) = check_limited(&fifo);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn the_largest_photo_the_cap_accepts_is_composed_within_cap_and_100_mb() {
    if emulated("peak memory of a process") {
        return;
    }
    // A flat photo just under the cap (RGB), encoded small.
    let side = ((MAX_DECODED_BYTES / 3) as f64).sqrt() as u16 - 16;
    let pixels = vec![140u8; usize::from(side) * usize::from(side) * 3];
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 80)
        .encode(&pixels, side, side, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    drop(pixels);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.jpg");
    std::fs::write(&file, &jpeg).unwrap();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak_kb=%M"])
        .arg(env!("CARGO_BIN_EXE_passbooth"))
        .args([
            "compose",
            file.to_str().unwrap(),
            "--spec",
            "us-passport",
            "-o",
        ])
        .arg(dir.path().join("out.jpg"))
        .output()
        .expect("/usr/bin/time (Debian's time package)");
    let err = String::from_utf8_lossy(&out.stderr);
    // Decoded and checked, then refused (no face in a flat grey photo):
    // exit 3, a rejection, not 1, an unreadable file.
    assert!(err.contains("exited with non-zero status 3"), "{err}");
    let peak_kb: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("peak_kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {err}"));
    let bound_kb = (MAX_DECODED_BYTES + 100 * 1024 * 1024) / 1024;
    println!(
        "compose of a {side} x {side} JPEG: peak {} MB",
        peak_kb / 1024
    );
    assert!(
        peak_kb < bound_kb,
        "peak {} MB over the cap + 100 MB ({} MB)",
        peak_kb / 1024,
        bound_kb / 1024
    );
}
