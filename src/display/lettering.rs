//! Anti-aliased proportional type for the booth's screen: DejaVu Sans
//! Condensed Bold (Latin with every accent the prompt tables use, and
//! Cyrillic), built into the binary. Glyphs are rasterised once, when the
//! screens are set up, at the few sizes the screens use; drawing a line of
//! text per frame only blends prepared coverage into the framebuffer, so the
//! live frame neither rasterises nor allocates.

use std::collections::HashMap;

use embedded_graphics::pixelcolor::Rgb565;

use super::Framebuffer;

/// One rasterised glyph.
#[derive(Debug)]
struct Glyph {
    /// Offset of the bitmap's left edge from the pen, pixels.
    left: i32,
    /// Offset of the bitmap's top from the baseline (negative: above).
    top: i32,
    width: usize,
    height: usize,
    advance: f32,
    coverage: Box<[u8]>,
}

/// Where a line of text is placed horizontally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// From x.
    Left,
    /// Centred on x.
    Centre,
}

/// Text that fits a box: the size chosen and its lines (slices of the
/// text, no allocation).
#[derive(Debug, Clone, Copy)]
pub struct Fitted<'a> {
    /// Pixel size.
    pub px: u16,
    lines: [&'a str; MAX_LINES],
    count: usize,
}

impl<'a> Fitted<'a> {
    /// The lines, top to bottom.
    pub fn lines(&self) -> &[&'a str] {
        &self.lines[..self.count]
    }
}

/// The most lines any fitted text is broken into.
pub const MAX_LINES: usize = 3;

/// A typeface with its prepared glyphs.
pub struct Lettering {
    font: fontdue::Font,
    glyphs: HashMap<(char, u16), Glyph>,
}

impl std::fmt::Debug for Lettering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lettering")
            .field("glyphs", &self.glyphs.len())
            .finish()
    }
}

/// Why the built-in font cannot be used (it is compiled in: only a broken
/// build gets here).
#[derive(Debug, thiserror::Error)]
#[error("the screen's font does not load: {0}")]
pub struct FontError(&'static str);

impl Lettering {
    /// The built-in typeface, nothing prepared yet.
    pub fn new() -> Result<Self, FontError> {
        let font = fontdue::Font::from_bytes(
            dejavu::sans_condensed::bold(),
            fontdue::FontSettings::default(),
        )
        .map_err(FontError)?;
        Ok(Self {
            font,
            glyphs: HashMap::new(),
        })
    }

    /// Whether the font has a real glyph for `c` (not the empty box).
    pub fn covers(&self, c: char) -> bool {
        c.is_whitespace() || self.font.lookup_glyph_index(c) != 0
    }

    /// Rasterises every character of `text` at `px` not yet prepared.
    pub fn prepare(&mut self, text: &str, px: u16) {
        for c in text.chars() {
            self.glyphs.entry((c, px)).or_insert_with(|| {
                let (m, coverage) = self.font.rasterize(c, f32::from(px));
                Glyph {
                    left: m.xmin,
                    top: -(m.ymin + m.height as i32),
                    width: m.width,
                    height: m.height,
                    advance: m.advance_width,
                    coverage: coverage.into_boxed_slice(),
                }
            });
        }
    }

    /// Prepares `px` versions of every glyph with a halo of `radius` pixels
    /// (the coverage dilated), drawn under the glyph so it reads on any
    /// picture; stored under the size `px | HALO`.
    pub fn prepare_halo(&mut self, text: &str, px: u16, radius: usize) {
        self.prepare(text, px);
        for c in text.chars() {
            if self.glyphs.contains_key(&(c, px | HALO)) {
                continue;
            }
            let Some(g) = self.glyphs.get(&(c, px)) else {
                continue;
            };
            let (w, h) = (g.width + 2 * radius, g.height + 2 * radius);
            let mut out = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    let mut best = 0u8;
                    for sy in y.saturating_sub(2 * radius)..(y + 1).min(g.height) {
                        for sx in x.saturating_sub(2 * radius)..(x + 1).min(g.width) {
                            best = best.max(g.coverage[sy * g.width + sx]);
                        }
                    }
                    out[y * w + x] = best;
                }
            }
            let halo = Glyph {
                left: g.left - radius as i32,
                top: g.top - radius as i32,
                width: w,
                height: h,
                advance: g.advance,
                coverage: out.into_boxed_slice(),
            };
            self.glyphs.insert((c, px | HALO), halo);
        }
    }

    /// The width of `text` at `px`, pixels (prepared glyphs only).
    pub fn width(&self, text: &str, px: u16) -> f32 {
        text.chars()
            .map(|c| self.glyphs.get(&(c, px)).map_or(0.0, |g| g.advance))
            .sum()
    }

    /// The distance between two lines at `px`.
    pub fn line_height(px: u16) -> i32 {
        (i32::from(px) * 6 + 2) / 5
    }

    /// The height of capitals above the baseline at `px` (to centre a line
    /// vertically).
    pub fn cap_height(px: u16) -> i32 {
        (i32::from(px) * 73 + 50) / 100
    }

    /// Draws one line with its baseline at `y`; unprepared characters are
    /// left out (never rasterised here, on the frame's time).
    pub fn draw(
        &self,
        fb: &mut Framebuffer,
        text: &str,
        px: u16,
        (x, y): (i32, i32),
        align: Align,
        colour: Rgb565,
    ) {
        let start = match align {
            Align::Left => x as f32,
            Align::Centre => x as f32 - self.width(text, px & !HALO) / 2.0,
        };
        let mut pen = start;
        for c in text.chars() {
            let Some(g) = self.glyphs.get(&(c, px)) else {
                continue;
            };
            let gx = pen.round() as i32 + g.left;
            let gy = y + g.top;
            for row in 0..g.height {
                let line = &g.coverage[row * g.width..(row + 1) * g.width];
                for (col, &a) in line.iter().enumerate() {
                    fb.blend(gx + col as i32, gy + row as i32, colour, a);
                }
            }
            pen += g.advance;
        }
    }

    /// The largest of `sizes` (largest first) at which `text` fits `width`
    /// on one line, else on the fewest lines up to `max_lines`; the
    /// smallest size, broken as it can be, if nothing fits.
    pub fn fit<'a>(
        &self,
        text: &'a str,
        width: f32,
        sizes: &[u16],
        max_lines: usize,
    ) -> Fitted<'a> {
        let max_lines = max_lines.clamp(1, MAX_LINES);
        let smallest = sizes.last().copied().unwrap_or(16);
        for lines in 1..=max_lines {
            for &px in sizes {
                if let Some(f) = self.break_lines(text, width, px, lines) {
                    return f;
                }
            }
        }
        // Nothing fits: the smallest size, greedily broken.
        self.greedy(text, width, smallest, max_lines)
    }

    /// `text` broken at spaces into at most `max` lines no wider than
    /// `width` at `px`, if it can be.
    fn break_lines<'a>(
        &self,
        text: &'a str,
        width: f32,
        px: u16,
        max: usize,
    ) -> Option<Fitted<'a>> {
        let f = self.greedy(text, width, px, max);
        f.lines()
            .iter()
            .all(|l| self.width(l, px) <= width)
            .then_some(f)
    }

    /// Greedy word wrap into at most `max` lines (the last takes the rest).
    fn greedy<'a>(&self, text: &'a str, width: f32, px: u16, max: usize) -> Fitted<'a> {
        let mut out = Fitted {
            px,
            lines: [""; MAX_LINES],
            count: 0,
        };
        let mut rest = text.trim();
        while !rest.is_empty() && out.count < max {
            let mut end = rest.len();
            if out.count + 1 < max && self.width(rest, px) > width {
                // The last space before the width is reached.
                let mut last_fit = None;
                for (i, _) in rest.match_indices(' ') {
                    if self.width(&rest[..i], px) <= width {
                        last_fit = Some(i);
                    } else {
                        break;
                    }
                }
                end = last_fit.or_else(|| rest.find(' ')).unwrap_or(rest.len());
            }
            let (line, tail) = rest.split_at(end);
            out.lines[out.count] = line;
            out.count += 1;
            rest = tail.trim_start();
        }
        out
    }
}

/// Marks a size as its haloed variant in the glyph table.
pub const HALO: u16 = 0x8000;

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::prelude::RgbColor;

    fn prepared(text: &str, px: u16) -> Lettering {
        let mut l = Lettering::new().unwrap();
        l.prepare(text, px);
        l
    }

    #[test]
    fn covers_latin_accents_and_cyrillic() {
        let l = Lettering::new().unwrap();
        for c in "AzäößçñłęğşıİąćЇїєґЖщ".chars() {
            assert!(l.covers(c), "{c}");
        }
        assert!(!l.covers('\u{4e00}'), "CJK is not in DejaVu");
    }

    #[test]
    fn fits_on_one_line_when_it_can_and_breaks_at_spaces_when_not() {
        let t = "Move a little to your left";
        let l = {
            let mut l = Lettering::new().unwrap();
            for px in [28, 22] {
                l.prepare(t, px);
            }
            l
        };
        let one = l.fit("Hold still", 170.0, &[28, 22], 2);
        assert_eq!((one.px, one.lines()), (28, &["Hold still"][..]));
        let wide = l.width(t, 22);
        assert!(wide > 170.0, "{wide}");
        let two = l.fit(t, 170.0, &[28, 22], 2);
        assert_eq!(two.lines().len(), 2, "{:?}", two.lines());
        assert_eq!(two.lines().join(" "), t);
        for line in two.lines() {
            assert!(l.width(line, two.px) <= 170.0, "{line}");
        }
    }

    #[test]
    fn draws_anti_aliased_pixels_inside_its_box() {
        let l = prepared("Ж1", 40);
        let mut fb = Framebuffer::new(120, 60);
        let _ = fb.take_dirty();
        l.draw(&mut fb, "Ж1", 40, (60, 45), Align::Centre, Rgb565::WHITE);
        let px = fb.pixels();
        let lit: Vec<usize> = (0..px.len()).filter(|&i| px[i] != Rgb565::BLACK).collect();
        let full = lit.iter().filter(|&&i| px[i] == Rgb565::WHITE).count();
        assert!(full > 100, "solid strokes: {full}");
        assert!(
            lit.len() > full + 20,
            "anti-aliased edges: {}",
            lit.len() - full
        );
        // Everything lit lies within the text's box around (60, 45).
        let w = l.width("Ж1", 40);
        for i in lit {
            let (x, y) = ((i % 120) as f32, (i / 120) as i32);
            assert!(
                (x - 60.0).abs() <= w / 2.0 + 2.0 && (14..=46).contains(&y),
                "{x},{y}"
            );
        }
        assert_eq!(
            fb.take_dirty().map(|r| r.start >= 10 && r.end <= 47),
            Some(true)
        );
    }

    #[test]
    fn a_halo_surrounds_the_glyph() {
        let mut l = Lettering::new().unwrap();
        l.prepare_halo("8", 60, 3);
        let mut fb = Framebuffer::new(80, 80);
        l.draw(
            &mut fb,
            "8",
            60 | HALO,
            (40, 70),
            Align::Centre,
            Rgb565::RED,
        );
        l.draw(&mut fb, "8", 60, (40, 70), Align::Centre, Rgb565::WHITE);
        let px = fb.pixels();
        let red = px.iter().filter(|&&c| c == Rgb565::RED).count();
        assert!(red > 200, "{red} halo pixels");
    }
}
