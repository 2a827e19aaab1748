//! Every common photo file: the committed portrait converted to each format
//! here, decoded back to its pixels and turned upright by the format's own
//! orientation record; anything else refused with one clear error.

use std::io::Cursor;

use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::{DecodeError, decode_bytes};

use crate::common::*;

/// The portrait as the image crate reads it: the reference pixels.
fn portrait() -> image::RgbImage {
    image::open(repo("tests/fixtures/astronaut.png"))
        .unwrap()
        .to_rgb8()
}

fn encoded(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// Mean and largest channel difference between our decode and the reference.
fn difference(ours: &RgbImage, want: &image::RgbImage) -> (f64, u8) {
    assert_eq!((ours.width(), ours.height()), want.dimensions());
    let pairs = ours.as_bytes().iter().zip(want.as_raw());
    let (sum, max) = pairs.fold((0u64, 0u8), |(s, m), (a, b)| {
        let d = a.abs_diff(*b);
        (s + u64::from(d), m.max(d))
    });
    (sum as f64 / want.as_raw().len() as f64, max)
}

#[test]
fn the_portrait_in_every_lossless_format_decodes_to_its_exact_pixels() {
    let want = portrait();
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::WebP, // the image crate writes lossless WebP
        image::ImageFormat::Tiff,
        image::ImageFormat::Bmp,
        image::ImageFormat::Pnm,
    ] {
        let bytes = encoded(&want, format);
        let ours = decode_bytes(&bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(difference(&ours, &want), (0.0, 0), "{format:?}");
    }
    // Grey and 16-bit files become the same RGB.
    let grey = image::DynamicImage::ImageRgb8(want.clone()).to_luma16();
    let mut grey16 = Vec::new();
    grey.write_to(&mut Cursor::new(&mut grey16), image::ImageFormat::Tiff)
        .unwrap();
    let ours = decode_bytes(&grey16).unwrap();
    let p = ours.get(100, 100);
    let g = (grey.get_pixel(100, 100)[0] >> 8) as u8;
    assert!(
        p[0] == p[1] && p[1] == p[2] && p[0].abs_diff(g) <= 1,
        "{p:?} {g}"
    );
}

/// A picture stored turned 90 degrees anticlockwise: displayed 32 x 16,
/// left half red, right half blue; stored 16 x 32, blue above red.
fn stored_sideways() -> image::RgbImage {
    image::RgbImage::from_fn(16, 32, |_, y| {
        if y < 16 {
            image::Rgb([0, 0, 255])
        } else {
            image::Rgb([255, 0, 0])
        }
    })
}

/// EXIF (a TIFF structure) saying orientation 6: turn 90 degrees
/// clockwise to display.
const EXIF_ROTATE_90: [u8; 26] = [
    b'I', b'I', 0x2A, 0, 8, 0, 0, 0, // header, IFD at 8
    1, 0, // one entry
    0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, // Orientation = 6
    0, 0, 0, 0, // no next IFD
];

fn assert_upright(img: &RgbImage, what: &str) {
    assert_eq!((img.width(), img.height()), (32, 16), "{what}");
    let (left, right) = (img.get(4, 8), img.get(28, 8));
    assert!(left[0] > 200 && left[2] < 60, "{what}: left {left:?}");
    assert!(right[2] > 200 && right[0] < 60, "{what}: right {right:?}");
}

/// A JPEG with the EXIF record in an APP1 segment, as phones write
/// portraits.
fn jpeg_turned(img: &image::RgbImage) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(img)
        .unwrap();
    let mut app1 = vec![0xFF, 0xE1, 0, (2 + 6 + EXIF_ROTATE_90.len()) as u8];
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&EXIF_ROTATE_90);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A PNG with an `eXIf` chunk before its pixels.
fn png_turned(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, img.width(), img.height());
    enc.set_color(png::ColorType::Rgb);
    let mut w = enc.write_header().unwrap();
    w.write_chunk(png::chunk::ChunkType(*b"eXIf"), &EXIF_ROTATE_90)
        .unwrap();
    w.write_image_data(img.as_raw()).unwrap();
    drop(w);
    out
}

/// The image crate's lossless WebP, rewrapped in the extended format
/// (`VP8X`) with an `EXIF` chunk.
fn webp_turned(img: &image::RgbImage) -> Vec<u8> {
    let simple = encoded(img, image::ImageFormat::WebP);
    assert_eq!(&simple[8..16], b"WEBPVP8L");
    let vp8l = &simple[12..]; // the whole VP8L chunk
    let chunk = |tag: &[u8; 4], data: &[u8]| {
        let mut c = tag.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let (w, h) = (img.width() - 1, img.height() - 1);
    let mut vp8x = vec![0x08, 0, 0, 0]; // flags: EXIF present
    vp8x.extend_from_slice(&w.to_le_bytes()[..3]);
    vp8x.extend_from_slice(&h.to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend_from_slice(vp8l);
    body.extend(chunk(b"EXIF", &EXIF_ROTATE_90));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// An uncompressed TIFF with its Orientation tag set to 6.
fn tiff_turned(img: &image::RgbImage) -> Vec<u8> {
    use tiff::encoder::{TiffEncoder, colortype::RGB8};
    use tiff::tags::Tag;
    let mut out = Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut out).unwrap();
    let mut page = enc.new_image::<RGB8>(img.width(), img.height()).unwrap();
    page.encoder().write_tag(Tag::Orientation, 6u16).unwrap();
    page.write_data(img.as_raw()).unwrap();
    out.into_inner()
}

#[test]
fn each_format_turns_the_photo_upright_by_its_own_orientation_record() {
    let stored = stored_sideways();
    let cases = [
        ("JPEG APP1 EXIF", jpeg_turned(&stored)),
        ("PNG eXIf", png_turned(&stored)),
        ("WebP EXIF", webp_turned(&stored)),
        ("TIFF Orientation", tiff_turned(&stored)),
    ];
    for (what, bytes) in cases {
        let img = decode_bytes(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_upright(&img, what);
    }
    // The same files without the record stay as stored: the turn above is
    // the record's doing.
    for format in [
        image::ImageFormat::Jpeg,
        image::ImageFormat::Png,
        image::ImageFormat::WebP,
    ] {
        let img = decode_bytes(&encoded(&stored, format)).unwrap();
        assert_eq!((img.width(), img.height()), (16, 32), "{format:?}");
    }
}

#[test]
fn anything_else_is_refused_with_the_formats_we_read() {
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".as_slice();
    for bytes in [gif, b"hello, I am not a photo".as_slice(), &[]] {
        let e = decode_bytes(bytes).unwrap_err();
        assert!(matches!(e, DecodeError::UnknownFormat), "{e:?}");
        assert_eq!(
            e.to_string(),
            "not a photo file passbooth reads (JPEG, PNG, WebP, TIFF, BMP, PNM or HEIC/HEIF)"
        );
    }
}

#[test]
fn damaged_files_of_each_format_are_refused_not_guessed() {
    let want = portrait();
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::WebP,
        image::ImageFormat::Tiff,
        image::ImageFormat::Bmp,
        image::ImageFormat::Pnm,
    ] {
        let bytes = encoded(&want, format);
        for keep in [bytes.len() / 3, bytes.len() - 7] {
            let e = decode_bytes(&bytes[..keep]).unwrap_err();
            assert!(
                matches!(e, DecodeError::Corrupt(_)),
                "{format:?} cut to {keep}: {e:?}"
            );
        }
    }
    // A BMP header claiming a picture past the limits is refused before
    // any pixel is read.
    let mut bmp = encoded(&image::RgbImage::new(4, 4), image::ImageFormat::Bmp);
    bmp[18..22].copy_from_slice(&19_000i32.to_le_bytes());
    bmp[22..26].copy_from_slice(&19_000i32.to_le_bytes());
    let e = decode_bytes(&bmp).unwrap_err();
    assert!(
        matches!(e, DecodeError::OverLimits(_) | DecodeError::TooLarge { .. }),
        "{e:?}"
    );
}

/// The portrait as an iPhone would save it: HEIC (HEVC in HEIF), through
/// libheif's encoder; optionally with an EXIF orientation record.
#[cfg(feature = "heif")]
fn heic(img: &image::RgbImage, exif: Option<&[u8]>) -> Vec<u8> {
    use libheif_rs::{
        Channel, ColorSpace, CompressionFormat, EncoderQuality, HeifContext, Image, RgbChroma,
    };
    let (w, h) = img.dimensions();
    let mut pic = Image::new(w, h, ColorSpace::Rgb(RgbChroma::Rgb)).unwrap();
    pic.create_plane(Channel::Interleaved, w, h, 8).unwrap();
    let plane = pic.planes_mut().interleaved.unwrap();
    for (y, row) in img.as_raw().chunks_exact(w as usize * 3).enumerate() {
        plane.data[y * plane.stride..][..row.len()].copy_from_slice(row);
    }
    let mut ctx = HeifContext::new().unwrap();
    let mut enc = ctx.encoder_for_format(CompressionFormat::Hevc).unwrap();
    enc.set_quality(EncoderQuality::Lossy(90)).unwrap();
    let handle = ctx.encode_image(&pic, &mut enc, None).unwrap();
    if let Some(exif) = exif {
        // libheif wants the offset of the TIFF header first.
        let mut block = 0u32.to_be_bytes().to_vec();
        block.extend_from_slice(exif);
        ctx.add_exif_metadata(&handle, &block).unwrap();
    }
    ctx.write_to_bytes().unwrap()
}

#[cfg(feature = "heif")]
#[test]
fn an_iphone_heic_decodes_and_composes() {
    let want = portrait();
    let bytes = heic(&want, None);
    assert_eq!(&bytes[4..12], b"ftypheic");
    let ours = decode_bytes(&bytes).unwrap();
    let (mean, _) = difference(&ours, &want);
    // Lossy HEVC at quality 90 of a photo.
    assert!(mean < 3.0, "mean difference {mean:.2} levels");

    // HEIF turns its images by its own transform properties, applied by
    // libheif; an EXIF orientation beside them repeats them and is ignored
    // (applying both would turn an iPhone photo twice).
    let stored = stored_sideways();
    let img = decode_bytes(&heic(&stored, Some(&EXIF_ROTATE_90))).unwrap();
    assert_eq!((img.width(), img.height()), (16, 32));

    // Damaged: refused.
    for keep in [bytes.len() / 2, bytes.len() - 50] {
        let e = decode_bytes(&bytes[..keep]).unwrap_err();
        assert!(matches!(e, DecodeError::Corrupt(_)), "cut to {keep}: {e:?}");
    }

    // And the CLI composes a passport photo from it.
    let dir = tempfile::TempDir::new().unwrap();
    let input = dir.path().join("IMG_0001.HEIC");
    std::fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("photo.jpg");
    let run = compose(&input, "us-passport", &out, &[]);
    let r = report(&run);
    assert_eq!(run.status.code(), Some(0), "{r}");
    assert_eq!(r["accepted"], true, "{r}");
    let photo = passbooth::imaging::decode::decode_file(&out).unwrap();
    assert_eq!((photo.width(), photo.height()), (600, 600));
}

#[cfg(not(feature = "heif"))]
#[test]
fn an_iphone_heic_decodes_and_composes() {
    // Without libheif a HEIC file gets its own clear error...
    let ftyp = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".as_slice();
    let e = decode_bytes(ftyp).unwrap_err();
    assert!(e.to_string().contains("built without libheif"), "{e}");
    // ...and the decoding itself is not proven by this build: the host's
    // (scripts/dev test) has the feature; the Pi package leaves it out.
    if std::env::var_os("PASSBOOTH_EMULATED").is_some() {
        skipped("the Pi build has no `heif` feature: HEIC decoding not run");
    } else {
        missing_input("the `heif` feature (libheif) in this build");
    }
}
