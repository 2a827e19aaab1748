//! The screen's picture in memory: Rgb565 pixels of the panel's size, drawn
//! with embedded-graphics, independent of the panel driver. It remembers
//! which rows changed since the last flush, so only those go over SPI.

use std::ops::Range;

use embedded_graphics::pixelcolor::{Rgb565, raw::RawU16};
use embedded_graphics::prelude::*;

/// An Rgb565 framebuffer.
#[derive(Debug, Clone)]
pub struct Framebuffer {
    width: u16,
    height: u16,
    pixels: Vec<Rgb565>,
    /// Rows touched since the last `take_dirty`.
    dirty: Option<Range<u16>>,
}

impl Framebuffer {
    /// Turns every pixel black and marks the whole picture for sending (the
    /// screen a stopped booth leaves: no face on a panel or mirror file).
    pub fn blank(&mut self) {
        self.pixels.fill(Rgb565::BLACK);
        self.dirty = Some(0..self.height);
    }

    /// A black framebuffer; everything is dirty so the first flush sends it all.
    pub fn new(width: u16, height: u16) -> Self {
        Self {
            width,
            height,
            pixels: vec![Rgb565::BLACK; width as usize * height as usize],
            dirty: Some(0..height),
        }
    }

    /// Width, pixels.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Height, pixels.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// All pixels, row-major.
    pub fn pixels(&self) -> &[Rgb565] {
        &self.pixels
    }

    /// One row.
    pub fn row(&self, y: u16) -> &[Rgb565] {
        let w = self.width as usize;
        &self.pixels[y as usize * w..(y as usize + 1) * w]
    }

    /// Whether anything changed since the last `take_dirty`.
    pub fn is_dirty(&self) -> bool {
        self.dirty.is_some()
    }

    /// The rows changed since the last call (and forgets them).
    pub fn take_dirty(&mut self) -> Option<Range<u16>> {
        self.dirty.take()
    }

    fn touch(&mut self, y: u16) {
        self.dirty = Some(match self.dirty.take() {
            Some(r) => r.start.min(y)..r.end.max(y + 1),
            None => y..y + 1,
        });
    }

    /// Mixes `colour` over the pixel at (x, y) with `alpha` (0..=255, its
    /// share); outside the picture nothing happens. Anti-aliased type and
    /// soft shadows are drawn with this.
    pub fn blend(&mut self, x: i32, y: i32, colour: Rgb565, alpha: u8) {
        if alpha == 0 || x < 0 || y < 0 || x >= i32::from(self.width) || y >= i32::from(self.height)
        {
            return;
        }
        let i = y as usize * self.width as usize + x as usize;
        let under = self.pixels[i];
        let mixed = if alpha == 255 {
            colour
        } else {
            let a = u16::from(alpha);
            let mix =
                |f: u8, b: u8| ((u16::from(f) * a + u16::from(b) * (255 - a) + 127) / 255) as u8;
            Rgb565::new(
                mix(colour.r(), under.r()),
                mix(colour.g(), under.g()),
                mix(colour.b(), under.b()),
            )
        };
        if mixed != under {
            self.pixels[i] = mixed;
            self.touch(y as u16);
        }
    }

    /// The picture as 8-bit RGB (for PNG snapshots and golden images).
    pub fn to_rgb8(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .flat_map(|c| {
                let (r, g, b) = (c.r(), c.g(), c.b());
                [
                    (r << 3) | (r >> 2),
                    (g << 2) | (g >> 4),
                    (b << 3) | (b >> 2),
                ]
            })
            .collect()
    }

    /// Raw 16-bit values as the panel receives them (big-endian on the wire).
    pub fn raw(&self, x: u16, y: u16) -> u16 {
        RawU16::from(self.pixels[y as usize * self.width as usize + x as usize]).into_inner()
    }
}

impl OriginDimensions for Framebuffer {
    fn size(&self) -> Size {
        Size::new(u32::from(self.width), u32::from(self.height))
    }
}

impl DrawTarget for Framebuffer {
    type Color = Rgb565;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        for Pixel(p, c) in pixels {
            if p.x >= 0 && p.y >= 0 && p.x < w && p.y < h {
                let i = p.y as usize * w as usize + p.x as usize;
                if self.pixels[i] != c {
                    self.pixels[i] = c;
                    self.touch(p.y as u16);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

    #[test]
    fn drawing_marks_only_the_changed_rows() {
        let mut fb = Framebuffer::new(240, 320);
        assert_eq!(fb.take_dirty(), Some(0..320));
        Rectangle::new(Point::new(10, 100), Size::new(20, 5))
            .into_styled(PrimitiveStyle::with_fill(Rgb565::RED))
            .draw(&mut fb)
            .unwrap();
        assert_eq!(fb.take_dirty(), Some(100..105));
        // Drawing the same again changes nothing.
        Rectangle::new(Point::new(10, 100), Size::new(20, 5))
            .into_styled(PrimitiveStyle::with_fill(Rgb565::RED))
            .draw(&mut fb)
            .unwrap();
        assert_eq!(fb.take_dirty(), None);
        assert_eq!(fb.to_rgb8()[(100 * 240 + 10) * 3..][..3], [255, 0, 0]);
    }
}
