//! Turning a photo upright by its EXIF orientation, into a new wiped
//! buffer (the one it came in is zeroed on drop).

use image::metadata::Orientation;

use super::rgb::RgbImage;

/// Where the displayed pixel (x, y) of a `w` x `h` display comes from in the
/// stored image of `sw` x `sh` pixels.
fn source_of(o: Orientation, x: u32, y: u32, sw: u32, sh: u32) -> (u32, u32) {
    match o {
        Orientation::NoTransforms => (x, y),
        Orientation::FlipHorizontal => (sw - 1 - x, y),
        Orientation::Rotate180 => (sw - 1 - x, sh - 1 - y),
        Orientation::FlipVertical => (x, sh - 1 - y),
        // Displayed w x h = stored sh x sw for the four below.
        Orientation::Rotate90 => (y, sh - 1 - x),
        Orientation::Rotate270 => (sw - 1 - y, x),
        Orientation::Rotate90FlipH => (y, x),
        Orientation::Rotate270FlipH => (sw - 1 - y, sh - 1 - x),
    }
}

/// `img` as it is meant to be displayed.
pub fn upright(img: RgbImage, o: Orientation) -> RgbImage {
    if o == Orientation::NoTransforms {
        return img;
    }
    let (sw, sh) = (img.width(), img.height());
    let turned = matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (w, h) = if turned { (sh, sw) } else { (sw, sh) };
    let mut out = RgbImage::black(w, h);
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = source_of(o, x, y, sw, sh);
            out.put(x, y, img.get(sx, sy));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 x 2 image whose pixels are numbered 0..6 in reading order.
    fn numbered() -> RgbImage {
        let mut img = RgbImage::black(3, 2);
        for i in 0..6u8 {
            img.put(u32::from(i % 3), u32::from(i / 3), [i, 0, 0]);
        }
        img
    }

    fn reading(img: &RgbImage) -> Vec<u8> {
        (0..img.height())
            .flat_map(|y| (0..img.width()).map(move |x| (x, y)))
            .map(|(x, y)| img.get(x, y)[0])
            .collect()
    }

    #[test]
    fn each_orientation_matches_the_image_crate() {
        for o in [
            Orientation::NoTransforms,
            Orientation::FlipHorizontal,
            Orientation::Rotate180,
            Orientation::FlipVertical,
            Orientation::Rotate90,
            Orientation::Rotate270,
            Orientation::Rotate90FlipH,
            Orientation::Rotate270FlipH,
        ] {
            let ours = upright(numbered(), o);
            let mut theirs =
                image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(3, 2, |x, y| {
                    image::Rgb([(y * 3 + x) as u8, 0, 0])
                }));
            theirs.apply_orientation(o);
            let theirs = theirs.to_rgb8();
            assert_eq!((ours.width(), ours.height()), theirs.dimensions(), "{o:?}");
            let want: Vec<u8> = theirs.pixels().map(|p| p[0]).collect();
            assert_eq!(reading(&ours), want, "{o:?}");
        }
    }
}
