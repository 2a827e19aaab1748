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

/// A 16 x 16 PNG with an ICC profile chunk that inflates to `inflated`
/// bytes of zeros (1 GB is about 1 MB in the file).
fn png_with_profile(inflated: usize) -> Vec<u8> {
    use std::io::Write;
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, 16, 16);
        enc.set_color(png::ColorType::Rgb);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[100; 16 * 16 * 3]).unwrap();
    }
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated / zeros.len() {
        zlib.write_all(&zeros).unwrap();
    }
    let mut data = b"profile\0\0".to_vec();
    data.extend(zlib.finish().unwrap());
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend(b"iCCP");
    chunk.extend(&data);
    let crc = crc32(&chunk[4..]);
    chunk.extend(crc.to_be_bytes());
    // After the signature and IHDR (8 + 25 bytes), as the standard places it.
    [&png[..33], &chunk, &png[33..]].concat()
}

/// The PNG chunk checksum (CRC-32, ISO 3309).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A box of `kind` around `body`.
#[cfg(feature = "heif")]
fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// A full box: version and flags, then `body`.
#[cfg(feature = "heif")]
fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    let mut b = (u32::from(version) << 24).to_be_bytes().to_vec();
    b.extend_from_slice(body);
    boxed(kind, &b)
}

/// The body of the first box of `kind` in `data`, looking inside the
/// containers on the way (`meta` is a full box, the others plain).
#[cfg(feature = "heif")]
fn find_box<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    let mut at = 0;
    while at + 8 <= data.len() {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        let body = &data[at + 8..at + size];
        if &data[at + 4..at + 8] == kind {
            return Some(body);
        }
        let inner = match &data[at + 4..at + 8] {
            b"meta" => find_box(&body[4..], kind),
            b"iprp" | b"ipco" => find_box(body, kind),
            _ => None,
        };
        if inner.is_some() {
            return inner;
        }
        at += size;
    }
    None
}

/// A HEIC file whose primary picture is a grid of `rows` x `columns`
/// copies of one real 64 x 64 HEVC tile (encoded by libheif) on a
/// `w` x `h` canvas, while its `ispe` says `claim` x `claim`: the crafted
/// file of the finding, built box by box.
#[cfg(feature = "heif")]
fn heic_grid(rows: u8, columns: u8, w: u16, h: u16, claim: u32) -> Vec<u8> {
    use libheif_rs::{Channel, ColorSpace, CompressionFormat, HeifContext, Image, RgbChroma};
    let mut pic = Image::new(64, 64, ColorSpace::Rgb(RgbChroma::Rgb)).unwrap();
    pic.create_plane(Channel::Interleaved, 64, 64, 8).unwrap();
    pic.planes_mut().interleaved.unwrap().data.fill(120);
    let mut ctx = HeifContext::new().unwrap();
    let mut enc = ctx.encoder_for_format(CompressionFormat::Hevc).unwrap();
    ctx.encode_image(&pic, &mut enc, None).unwrap();
    let tile_file = ctx.write_to_bytes().unwrap();
    // One picture and nothing else: mdat holds just its bitstream.
    let hvcc = find_box(&tile_file, b"hvcC").expect("hvcC").to_vec();
    let tile = find_box(&tile_file, b"mdat").expect("mdat").to_vec();

    let tiles = u16::from(rows) * u16::from(columns);
    let ids = 2..=tiles + 1;
    let description = [
        vec![0, 0, rows - 1, columns - 1],
        w.to_be_bytes().to_vec(),
        h.to_be_bytes().to_vec(),
    ]
    .concat();
    let ispe = |side: u32| {
        full(
            b"ispe",
            0,
            &[side.to_be_bytes(), side.to_be_bytes()].concat(),
        )
    };
    let meta = |tile_at: u32| {
        let mut hdlr = vec![0; 4];
        hdlr.extend(b"pict");
        hdlr.extend([0; 13]);
        let mut iinf = (tiles + 1).to_be_bytes().to_vec();
        iinf.extend(full(b"infe", 2, &[&[0, 1, 0, 0][..], b"grid"].concat()));
        // Version 1 (offsets and lengths of 4 bytes): the grid's
        // description in idat, every tile the same bytes in mdat.
        let mut iloc = vec![0x44, 0x00];
        iloc.extend((tiles + 1).to_be_bytes());
        iloc.extend([0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        iloc.extend((description.len() as u32).to_be_bytes());
        let mut dimg = vec![0, 1];
        dimg.extend(tiles.to_be_bytes());
        // Item 1 (the grid) has the lying ispe; every tile its hvcC and
        // its true ispe.
        let mut ipma = u32::from(tiles + 1).to_be_bytes().to_vec();
        ipma.extend([0, 1, 1, 3]);
        for id in ids.clone() {
            iinf.extend(full(
                b"infe",
                2,
                &[&id.to_be_bytes()[..], &[0, 0], b"hvc1"].concat(),
            ));
            iloc.extend(id.to_be_bytes());
            iloc.extend([0, 0, 0, 0, 0, 1]);
            iloc.extend(tile_at.to_be_bytes());
            iloc.extend((tile.len() as u32).to_be_bytes());
            dimg.extend(id.to_be_bytes());
            ipma.extend(id.to_be_bytes());
            ipma.extend([2, 0x81, 2]);
        }
        let ipco = [boxed(b"hvcC", &hvcc), ispe(64), ispe(claim)].concat();
        let iprp = [boxed(b"ipco", &ipco), full(b"ipma", 0, &ipma)].concat();
        let body = [
            full(b"hdlr", 0, &hdlr),
            full(b"pitm", 0, &[0, 1]),
            full(b"iinf", 0, &iinf),
            full(b"iloc", 1, &iloc),
            full(b"iref", 0, &boxed(b"dimg", &dimg)),
            boxed(b"iprp", &iprp),
            boxed(b"idat", &description),
        ]
        .concat();
        full(b"meta", 0, &body)
    };
    let ftyp = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
    // The tile's offset is known once the meta box's length is.
    let at = (ftyp.len() + meta(0).len() + 8) as u32;
    [ftyp, meta(at), boxed(b"mdat", &tile)].concat()
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

/// `passbooth compose FILE` under `/usr/bin/time`: its exit code, its
/// error output and its peak resident memory, MB.
fn compose_measured(file: &Path, out: &Path) -> (Option<i32>, String, u64) {
    let run = Command::new("/usr/bin/time")
        .args(["-f", "peak_kb=%M exit=%x"])
        .arg(env!("CARGO_BIN_EXE_passbooth"))
        .args([
            "compose",
            file.to_str().unwrap(),
            "--spec",
            "us-passport",
            "-o",
        ])
        .arg(out)
        .output()
        .expect("/usr/bin/time (Debian's time package)");
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    let last = err.lines().last().unwrap_or_default().to_string();
    let field = |name: &str| -> Option<u64> {
        last.split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .and_then(|v| v.parse().ok())
    };
    let peak_kb = field("peak_kb=").unwrap_or_else(|| panic!("no peak in {err}"));
    let code = field("exit=").map(|c| c as i32);
    (code, err, peak_kb / 1024)
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

#[cfg(feature = "heif")]
#[test]
fn a_heic_grid_is_measured_by_its_own_canvas_and_its_tiles_are_bounded() {
    if emulated("decoding under an address-space limit") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, bytes: Vec<u8>| {
        let file = dir.path().join(format!("{name}.heic"));
        std::fs::write(&file, bytes).unwrap();
        check_limited(&file)
    };
    // The control: a real 2 x 2 grid is read, decoded and checked (exit 3:
    // no face in a flat picture), so the grids below are ones libheif
    // decodes.
    let (code, err) = run("grid-128", heic_grid(2, 2, 128, 128, 128));
    assert_eq!(code, Some(3), "a 128 x 128 grid decodes: {err}");
    // The finding: ispe says 64 x 64, the grid's canvas is 16384 x 16384
    // (1.59 GB on main), and its 8192 x 8192 twin (402 MB, decoded whole
    // though 8192 x 8192 is over the cap).
    for side in [16_384, 8_192] {
        let name = format!("grid-{side}");
        let (code, err) = run(&name, heic_grid(16, 16, side, side, 64));
        assert_eq!(code, Some(1), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line, got {err}");
        assert!(
            err.contains(&format!("{side}x{side} needs")) && err.contains("MB to decode"),
            "{name}: refused for the canvas's size before decoding, got {err}"
        );
    }
    // 19,000 tiles for a 64 x 64 picture: 10 s of CPU on main.
    let (code, err) = run("tiles", heic_grid(125, 152, 64, 64, 64));
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line, got {err}");
    assert!(err.contains("19000 tiles (at most"), "{err}");
}

#[test]
fn a_png_is_read_without_inflating_its_profile() {
    if emulated("peak memory of a process") {
        return;
    }
    // The finding: 546 MB for a 16 x 16 picture whose profile inflates
    // to 1 GB. The profile is never read: the picture decodes (exit 3, no
    // face in it) in the memory of a 16 x 16 picture.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profile.png");
    std::fs::write(&file, png_with_profile(1 << 30)).unwrap();
    let (code, err, peak_mb) = compose_measured(&file, &dir.path().join("out.jpg"));
    assert_eq!(code, Some(3), "{err}");
    println!("compose of a PNG with a 1 GB profile: peak {peak_mb} MB");
    // The booth's models and runtime, and the file: well under 200 MB;
    // inflating the profile alone is 400 MB (the cap) or more.
    assert!(peak_mb < 200, "peak {peak_mb} MB: the profile was inflated");
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
fn the_largest_photos_the_cap_accepts_are_composed_within_cap_and_100_mb() {
    if emulated("peak memory of a process") {
        return;
    }
    // Flat photos just under the cap, encoded small: a JPEG and a PNG of
    // RGB, and a JPEG whose EXIF turns it (the cap counts the turned copy,
    // so its largest accepted side is smaller).
    let largest =
        |bytes_per_pixel: u64| ((MAX_DECODED_BYTES / bytes_per_pixel) as f64).sqrt() as u16 - 16;
    let jpeg = |side: u16, orientation: Option<u16>| {
        let pixels = vec![140u8; usize::from(side) * usize::from(side) * 3];
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
        if let Some(o) = orientation {
            let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
            exif.extend(o.to_be_bytes());
            exif.extend([0, 0, 0, 0, 0, 0]);
            enc.add_app_segment(1, exif).unwrap();
        }
        enc.encode(&pixels, side, side, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    };
    let png = |side: u16| {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, side.into(), side.into());
            enc.set_color(png::ColorType::Rgb);
            enc.set_compression(png::Compression::Fastest);
            let mut header = enc.write_header().unwrap();
            let mut w = header.stream_writer().unwrap();
            let row = vec![140u8; usize::from(side) * 3];
            for _ in 0..side {
                std::io::Write::write_all(&mut w, &row).unwrap();
            }
            w.finish().unwrap();
        }
        out
    };
    let dir = tempfile::tempdir().unwrap();
    let bound_mb = MAX_DECODED_BYTES / (1024 * 1024) + 100;
    let (plain, turned) = (largest(3), largest(6));
    for (name, side, bytes) in [
        ("JPEG", plain, jpeg(plain, None)),
        ("PNG", plain, png(plain)),
        ("turned JPEG", turned, jpeg(turned, Some(6))),
    ] {
        let file = dir.path().join("big");
        std::fs::write(&file, &bytes).unwrap();
        let (code, err, peak_mb) = compose_measured(&file, &dir.path().join("out.jpg"));
        // Decoded and checked, then refused (no face in a flat grey
        // photo): exit 3, a rejection, not 1, an unreadable file.
        assert_eq!(code, Some(3), "{name}: {err}");
        println!("compose of a {side} x {side} {name}: peak {peak_mb} MB");
        assert!(
            peak_mb < bound_mb,
            "{name}: peak {peak_mb} MB over the cap + 100 MB ({bound_mb} MB)"
        );
    }
}
