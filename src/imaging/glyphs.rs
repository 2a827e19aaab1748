//! Text as pixels, at any whole-number scale: sheet captions and the
//! screen's countdown digits. One 10 x 20 font covering Latin-1 (German,
//! French, Spanish...), from embedded-graphics.

use embedded_graphics::mono_font::{MonoTextStyle, iso_8859_1::FONT_10X20};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::text::{Baseline, Text};

/// Width of one character at scale 1.
pub const CHAR_W: u32 = 10;
/// Height of a line at scale 1.
pub const CHAR_H: u32 = 20;

/// A line of text rasterised at scale 1.
#[derive(Debug, Clone)]
pub struct Glyphs {
    w: u32,
    h: u32,
    on: Vec<bool>,
}

impl OriginDimensions for Glyphs {
    fn size(&self) -> Size {
        Size::new(self.w, self.h)
    }
}

impl DrawTarget for Glyphs {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;
    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, c) in pixels {
            if p.x >= 0 && p.y >= 0 && (p.x as u32) < self.w && (p.y as u32) < self.h {
                self.on[p.y as usize * self.w as usize + p.x as usize] = c.is_on();
            }
        }
        Ok(())
    }
}

impl Glyphs {
    /// Rasterises one line (characters outside Latin-1 show as '?').
    pub fn new(text: &str) -> Self {
        let w = CHAR_W * text.chars().count() as u32;
        let mut g = Glyphs {
            w,
            h: CHAR_H,
            on: vec![false; (w * CHAR_H) as usize],
        };
        let style = MonoTextStyle::new(&FONT_10X20, BinaryColor::On);
        let _ = Text::with_baseline(text, Point::zero(), style, Baseline::Top).draw(&mut g);
        g
    }

    /// Size at `scale`.
    pub fn size_at(&self, scale: u32) -> (u32, u32) {
        (self.w * scale, self.h * scale)
    }

    /// The lit pixels at `scale`, as (x, y) from the text's top-left.
    pub fn lit(&self, scale: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let (w, h) = self.size_at(scale);
        (0..h)
            .flat_map(move |y| (0..w).map(move |x| (x, y)))
            .filter(move |&(x, y)| self.on[((y / scale) * self.w + x / scale) as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_keeps_the_shape() {
        let g = Glyphs::new("Ä1");
        let one: Vec<_> = g.lit(1).collect();
        let three: Vec<_> = g.lit(3).collect();
        assert!(!one.is_empty());
        assert_eq!(three.len(), one.len() * 9);
        assert_eq!(g.size_at(3), (60, 60));
    }

    #[test]
    fn umlauts_are_drawn_not_replaced() {
        // '?' and 'ü' must not rasterise alike.
        let q: Vec<_> = Glyphs::new("?").lit(1).collect();
        let u: Vec<_> = Glyphs::new("ü").lit(1).collect();
        assert_ne!(q, u);
    }
}
