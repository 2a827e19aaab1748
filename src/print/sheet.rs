//! Where photos go on a sheet: the most copies that fit, in either
//! orientation, computed in whole pixels at the print resolution so every
//! photo keeps its exact pixel size and the sheet its exact physical scale.

use serde::Serialize;

use super::media::Media;
use crate::spec::MM_PER_INCH;

/// Space left between photos when it costs no copies: 2 mm, enough for a
/// guillotine blade and a visible cut guide. When gaps would cost copies,
/// photos share their edges (gap 0) and the guides sit outside the block.
pub const PREFERRED_GAP_MM: f64 = 2.0;

/// How to lay out a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetOptions {
    /// The paper.
    pub media: Media,
    /// Unprintable border the printer needs, mm (0 for borderless printers).
    pub margin_mm: f64,
    /// Resolution, dots per inch.
    pub dpi: u32,
}

/// One photo's place, in sheet pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Turned a quarter (the photo's top to the sheet's right).
    pub rotated: bool,
}

/// A computed sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetLayout {
    /// Sheet width, px (portrait).
    pub width: u32,
    /// Sheet height, px.
    pub height: u32,
    /// Photo width as placed (after any rotation), px.
    pub cell_w: u32,
    /// Photo height as placed, px.
    pub cell_h: u32,
    /// Space between photos, px (0: shared edges).
    pub gap: u32,
    /// Photo places, row by row.
    pub slots: Vec<Slot>,
    /// Cut positions across the sheet (x of every photo edge), px.
    pub cuts_x: Vec<u32>,
    /// Cut positions down the sheet (y of every photo edge), px.
    pub cuts_y: Vec<u32>,
    /// The photo block: left, top, right, bottom (exclusive), px.
    pub block: [u32; 4],
}

/// Why no sheet can be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SheetError {
    /// The photo does not fit on the paper even once.
    #[error("a {w_mm} x {h_mm} mm photo does not fit on {media} with {margin_mm} mm margins")]
    DoesNotFit {
        /// Photo width.
        w_mm: f64,
        /// Photo height.
        h_mm: f64,
        /// Paper keyword.
        media: String,
        /// Margin.
        margin_mm: f64,
    },
    /// A margin that is negative or eats the paper.
    #[error("margin {0} mm is not possible")]
    BadMargin(f64),
}

fn px(mm: f64, dpi: u32) -> u32 {
    (mm / MM_PER_INCH * f64::from(dpi)).round() as u32
}

/// Lays out as many `photo_w` x `photo_h` px photos as fit.
pub fn layout(photo_w: u32, photo_h: u32, opts: &SheetOptions) -> Result<SheetLayout, SheetError> {
    let (sw, sh) = (
        px(opts.media.width_mm, opts.dpi),
        px(opts.media.height_mm, opts.dpi),
    );
    if !(0.0..opts.media.width_mm / 2.0).contains(&opts.margin_mm) {
        return Err(SheetError::BadMargin(opts.margin_mm));
    }
    let m = px(opts.margin_mm, opts.dpi);
    let (aw, ah) = (sw - 2 * m, sh - 2 * m);
    let fit = |avail: u32, cell: u32, gap: u32| (avail + gap) / (cell + gap);
    let preferred_gap = px(PREFERRED_GAP_MM, opts.dpi);
    // Candidates: (count, upright first, gap first) - the best count wins,
    // then an upright photo, then room for cut guides between photos.
    let mut best: Option<(u32, bool, u32, u32, u32)> = None;
    for rotated in [false, true] {
        let (cw, ch) = if rotated {
            (photo_h, photo_w)
        } else {
            (photo_w, photo_h)
        };
        for gap in [preferred_gap, 0] {
            let (cols, rows) = (fit(aw, cw, gap), fit(ah, ch, gap));
            let n = cols * rows;
            let better = match best {
                None => n > 0,
                Some((bn, ..)) => n > bn,
            };
            if better {
                best = Some((n, rotated, gap, cols, rows));
            }
        }
    }
    let Some((_, rotated, gap, cols, rows)) = best else {
        return Err(SheetError::DoesNotFit {
            w_mm: f64::from(photo_w) / f64::from(opts.dpi) * MM_PER_INCH,
            h_mm: f64::from(photo_h) / f64::from(opts.dpi) * MM_PER_INCH,
            media: opts.media.keyword.clone(),
            margin_mm: opts.margin_mm,
        });
    };
    let (cw, ch) = if rotated {
        (photo_h, photo_w)
    } else {
        (photo_w, photo_h)
    };
    let block_w = cols * cw + (cols - 1) * gap;
    let block_h = rows * ch + (rows - 1) * gap;
    // Centred across; down from the top margin, so the free height is one
    // strip at the bottom, large enough for the caption and the cut marks.
    let (x0, y0) = ((sw - block_w) / 2, m);
    let mut slots = Vec::with_capacity((cols * rows) as usize);
    for r in 0..rows {
        for c in 0..cols {
            slots.push(Slot {
                x: x0 + c * (cw + gap),
                y: y0 + r * (ch + gap),
                rotated,
            });
        }
    }
    let edges = |start: u32, n: u32, cell: u32| {
        let mut v: Vec<u32> = (0..n)
            .flat_map(|i| [start + i * (cell + gap), start + i * (cell + gap) + cell])
            .collect();
        v.dedup();
        v
    };
    Ok(SheetLayout {
        width: sw,
        height: sh,
        cell_w: cw,
        cell_h: ch,
        gap,
        cuts_x: edges(x0, cols, cw),
        cuts_y: edges(y0, rows, ch),
        block: [x0, y0, x0 + block_w, y0 + block_h],
        slots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(media: &str, margin_mm: f64, dpi: u32) -> SheetOptions {
        SheetOptions {
            media: Media::parse(media).unwrap(),
            margin_mm,
            dpi,
        }
    }

    fn mm(px: u32, dpi: u32) -> f64 {
        f64::from(px) / f64::from(dpi) * MM_PER_INCH
    }

    #[test]
    fn six_us_photos_fill_a_4x6_sheet_edge_to_edge() {
        let l = layout(600, 600, &opts("4x6", 0.0, 300)).unwrap();
        assert_eq!((l.width, l.height), (1200, 1800));
        assert_eq!(l.slots.len(), 6);
        assert_eq!(l.gap, 0);
        assert_eq!(l.cuts_x, [0, 600, 1200]);
        assert_eq!(l.cuts_y, [0, 600, 1200, 1800]);
    }

    #[test]
    fn eight_35x45_photos_on_4x6_turned_with_gaps() {
        // 35 x 45 mm at 300 dpi is 413 x 531 px.
        let l = layout(413, 531, &opts("4x6", 0.0, 300)).unwrap();
        assert_eq!(l.slots.len(), 8);
        assert!(l.slots[0].rotated);
        assert_eq!(l.gap, 24);
        assert!((mm(l.cell_w, 300) - 45.0).abs() < 0.1 && (mm(l.cell_h, 300) - 35.0).abs() < 0.1);
        // Centred: equal room left and right.
        assert_eq!(l.block[0], l.width - l.block[2]);
    }

    #[test]
    fn four_canada_photos_on_4x6() {
        let l = layout(591, 827, &opts("4x6", 0.0, 300)).unwrap();
        assert_eq!(l.slots.len(), 4);
        assert!(!l.slots[0].rotated);
    }

    #[test]
    fn margins_cost_copies_and_photos_never_enter_them() {
        let l = layout(600, 600, &opts("4x6", 3.0, 300)).unwrap();
        let m = px(3.0, 300);
        assert!(l.slots.len() < 6);
        for s in &l.slots {
            assert!(
                s.x >= m
                    && s.y >= m
                    && s.x + l.cell_w <= l.width - m
                    && s.y + l.cell_h <= l.height - m
            );
        }
    }

    #[test]
    fn photos_never_overlap() {
        let l = layout(413, 531, &opts("a4", 5.0, 300)).unwrap();
        for (i, a) in l.slots.iter().enumerate() {
            for b in &l.slots[i + 1..] {
                let apart = a.x + l.cell_w <= b.x
                    || b.x + l.cell_w <= a.x
                    || a.y + l.cell_h <= b.y
                    || b.y + l.cell_h <= a.y;
                assert!(apart, "{a:?} {b:?}");
            }
        }
        assert!(l.slots.len() >= 20, "{}", l.slots.len());
    }

    #[test]
    fn six_hundred_dpi_keeps_the_physical_size() {
        let l = layout(1200, 1200, &opts("4x6", 0.0, 600)).unwrap();
        assert_eq!((l.width, l.height), (2400, 3600));
        assert_eq!(l.slots.len(), 6);
    }

    #[test]
    fn a_photo_larger_than_the_paper_is_refused() {
        let e = layout(2000, 2000, &opts("selphy-l", 0.0, 300)).unwrap_err();
        assert!(matches!(e, SheetError::DoesNotFit { .. }));
        assert!(matches!(
            layout(600, 600, &opts("4x6", -1.0, 300)),
            Err(SheetError::BadMargin(_))
        ));
    }
}
