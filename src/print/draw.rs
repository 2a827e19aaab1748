//! Drawing a sheet: photos pasted pixel for pixel, light grey cut guides only
//! where there is no photo, and a caption in unused space.

use super::sheet::{SheetError, SheetLayout, SheetOptions, layout};
use crate::imaging::RgbImage;
use crate::imaging::glyphs::Glyphs;
use crate::spec::MM_PER_INCH;

/// Cut guide colour: visible to the person cutting, faint on a photo shop's
/// cutter light.
pub const GUIDE: [u8; 3] = [200, 200, 200];
/// Caption colour.
pub const CAPTION: [u8; 3] = [90, 90, 90];
/// Space kept between a guide or caption and any photo, mm.
const CLEARANCE_MM: f64 = 1.0;

/// Draws `photo` into every slot of `layout`, with cut guides and, where a
/// strip above or below the photos has room, `caption`.
pub fn draw(photo: &RgbImage, layout: &SheetLayout, caption: Option<&str>, dpi: u32) -> RgbImage {
    let mut sheet = RgbImage::black(layout.width, layout.height);
    sheet.as_bytes_mut().fill(255);
    let clear = (CLEARANCE_MM / MM_PER_INCH * f64::from(dpi)).round() as u32;
    draw_guides(&mut sheet, layout, clear);
    for slot in &layout.slots {
        paste(&mut sheet, photo, slot.x, slot.y, slot.rotated);
    }
    if let Some(text) = caption {
        draw_caption(&mut sheet, layout, text, clear, (dpi / 300).max(1));
    }
    sheet
}

/// The whole sheet for `photo`: laid out under `opts` and drawn, captioned
/// with the document's caption and today's date when one is given. Every
/// sheet (compose, print, the booth) is made here.
pub fn sheet(
    photo: &RgbImage,
    opts: &SheetOptions,
    spec_caption: Option<&str>,
) -> Result<(RgbImage, SheetLayout), SheetError> {
    let l = layout(photo.width(), photo.height(), opts)?;
    let text = spec_caption.map(caption);
    Ok((draw(photo, &l, text.as_deref(), opts.dpi), l))
}

/// Copies `photo` with its top-left at (x, y), turned a quarter clockwise
/// when `rotated` (its top then faces the sheet's right edge).
fn paste(sheet: &mut RgbImage, photo: &RgbImage, x: u32, y: u32, rotated: bool) {
    let (w, h) = (photo.width(), photo.height());
    if !rotated {
        let stride = sheet.width() as usize * 3;
        let row = w as usize * 3;
        for j in 0..h as usize {
            let dst = (y as usize + j) * stride + x as usize * 3;
            sheet.as_bytes_mut()[dst..dst + row]
                .copy_from_slice(&photo.as_bytes()[j * row..(j + 1) * row]);
        }
        return;
    }
    for j in 0..h {
        for i in 0..w {
            // (i, j) of the photo lands at column h-1-j, row i of the cell.
            sheet.put(x + (h - 1 - j), y + i, photo.get(i, j));
        }
    }
}

fn hline(sheet: &mut RgbImage, y: u32, x0: u32, x1: u32) {
    for x in x0..x1.min(sheet.width()) {
        sheet.put(x, y.min(sheet.height() - 1), GUIDE);
    }
}

fn vline(sheet: &mut RgbImage, x: u32, y0: u32, y1: u32) {
    for y in y0..y1.min(sheet.height()) {
        sheet.put(x.min(sheet.width() - 1), y, GUIDE);
    }
}

/// Guides: every cut line extended into the free border around the photo
/// block (stopping `clear` short of it), and a line down the middle of every
/// gap between photos. Nothing is drawn where a photo will be.
fn draw_guides(sheet: &mut RgbImage, l: &SheetLayout, clear: u32) {
    let [left, top, right, bottom] = l.block;
    for &x in &l.cuts_x {
        let x = x.min(l.width - 1);
        if top > clear {
            vline(sheet, x, 0, top - clear);
        }
        if l.height > bottom + clear {
            vline(sheet, x, bottom + clear, l.height);
        }
    }
    for &y in &l.cuts_y {
        let y = y.min(l.height - 1);
        if left > clear {
            hline(sheet, y, 0, left - clear);
        }
        if l.width > right + clear {
            hline(sheet, y, right + clear, l.width);
        }
    }
    if l.gap >= 3 {
        for s in &l.slots {
            let gx = s.x + l.cell_w + l.gap / 2;
            if gx < right {
                vline(sheet, gx, top, bottom);
            }
            let gy = s.y + l.cell_h + l.gap / 2;
            if gy < bottom {
                hline(sheet, gy, left, right);
            }
        }
    }
}

/// Writes `text` centred in the larger free strip above or below the photos,
/// scaled by `scale`, if it fits; otherwise the sheet has no caption.
fn draw_caption(sheet: &mut RgbImage, l: &SheetLayout, text: &str, clear: u32, scale: u32) {
    let glyphs = Glyphs::new(text);
    let (sw, sh) = glyphs.size_at(scale);
    let [_, top, _, bottom] = l.block;
    let below = l.height.saturating_sub(bottom);
    let (strip_top, strip_h) = if below >= top {
        (bottom, below)
    } else {
        (0, top)
    };
    if strip_h < sh + 2 * clear || sw + 2 * clear > l.width {
        return;
    }
    let x0 = (l.width - sw) / 2;
    let y0 = strip_top + (strip_h - sh) / 2;
    for (x, y) in glyphs.lit(scale) {
        sheet.put(x0 + x, y0 + y, CAPTION);
    }
}

/// The caption printed on a sheet: the document's own caption from its spec
/// and today's date. Nothing about the person, by construction: this is
/// its only input.
pub fn caption(spec_caption: &str) -> String {
    format!("{spec_caption}  {}", today())
}

/// Today's date, UTC, as YYYY-MM-DD (for captions; no clock crate needed).
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's method).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::media::Media;
    use crate::print::sheet::{SheetOptions, layout};

    /// A photo whose every pixel differs, so a misplaced or overwritten
    /// pixel shows.
    fn photo(w: u32, h: u32) -> RgbImage {
        let mut p = RgbImage::black(w, h);
        for y in 0..h {
            for x in 0..w {
                p.put(
                    x,
                    y,
                    [(x % 251) as u8, (y % 241) as u8, ((x + 3 * y) % 239) as u8],
                );
            }
        }
        p
    }

    fn sheet_for(w: u32, h: u32, media: &str) -> (SheetLayout, RgbImage, RgbImage) {
        let p = photo(w, h);
        let l = layout(
            w,
            h,
            &SheetOptions {
                media: Media::parse(media).unwrap(),
                margin_mm: 0.0,
                dpi: 300,
            },
        )
        .unwrap();
        let s = draw(&p, &l, Some("UK passport 35 x 45 mm  2026-11-29"), 300);
        (l, p, s)
    }

    #[test]
    fn every_photo_is_pixel_exact_and_nothing_is_drawn_over_it() {
        for (w, h, media) in [(600, 600, "4x6"), (413, 531, "4x6"), (413, 531, "postcard")] {
            let (l, p, s) = sheet_for(w, h, media);
            for slot in &l.slots {
                for j in 0..h {
                    for i in 0..w {
                        let (x, y) = if slot.rotated {
                            (slot.x + h - 1 - j, slot.y + i)
                        } else {
                            (slot.x + i, slot.y + j)
                        };
                        assert_eq!(s.get(x, y), p.get(i, j), "{media} slot {slot:?} at {i},{j}");
                    }
                }
            }
        }
    }

    #[test]
    fn guides_run_in_the_gaps_and_the_caption_sits_in_free_space() {
        let (l, _, s) = sheet_for(413, 531, "4x6");
        assert!(l.gap > 0);
        let first = l.slots[0];
        let gx = first.x + l.cell_w + l.gap / 2;
        assert_eq!(s.get(gx, first.y + 10), GUIDE);
        // a cut mark below the block, on the first photo's left edge
        assert!(l.height - l.block[3] > 20);
        assert_eq!(s.get(first.x, l.height - 2), GUIDE);
        let caption_pixels = s.as_bytes().chunks(3).filter(|p| *p == CAPTION).count();
        assert!(caption_pixels > 100, "{caption_pixels}");
    }

    #[test]
    fn a_full_sheet_has_no_caption_and_no_guides() {
        let (_, _, s) = sheet_for(600, 600, "4x6");
        assert!(!s.as_bytes().chunks(3).any(|p| p == CAPTION || p == GUIDE));
    }

    #[test]
    fn the_caption_is_the_document_and_the_date() {
        let c = caption("US passport 2 x 2 in");
        let (doc, date) = c.split_once("  ").unwrap();
        assert_eq!(doc, "US passport 2 x 2 in");
        assert_eq!(date.len(), 10);
        assert!(date.chars().enumerate().all(|(i, ch)| if i == 4 || i == 7 {
            ch == '-'
        } else {
            ch.is_ascii_digit()
        }));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
