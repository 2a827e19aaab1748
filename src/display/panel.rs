//! The SPI panel: the real mipidsi driver, fed from the framebuffer, sending
//! only the rows that changed.

use embedded_graphics::pixelcolor::Rgb565;
use mipidsi::interface::Interface;
use mipidsi::models::Model;

use super::framebuffer::Framebuffer;

/// A screen the booth can show a framebuffer on.
pub trait Screen {
    /// Why a flush failed.
    type Error: std::fmt::Debug;
    /// Sends the framebuffer's changed rows (all of them the first time).
    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), Self::Error>;
}

/// No screen at all (a simulation whose screen nobody named a file for):
/// the picture is drawn and dropped.
impl<S: Screen> Screen for Option<S> {
    type Error = S::Error;
    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), Self::Error> {
        match self {
            Some(s) => s.flush(fb),
            None => {
                fb.take_dirty();
                Ok(())
            }
        }
    }
}

/// A mipidsi display (ST7789, ILI9341, ...) on a byte-wide bus (SPI) with
/// Rgb565 pixels, as a [`Screen`].
pub struct MipidsiScreen<DI, M, RST>
where
    DI: Interface<Word = u8>,
    M: Model<ColorFormat = Rgb565>,
    RST: embedded_hal::digital::OutputPin,
{
    display: mipidsi::Display<DI, M, RST>,
}

impl<DI, M, RST> MipidsiScreen<DI, M, RST>
where
    DI: Interface<Word = u8>,
    M: Model<ColorFormat = Rgb565>,
    RST: embedded_hal::digital::OutputPin,
{
    /// Wraps an initialised display.
    pub fn new(display: mipidsi::Display<DI, M, RST>) -> Self {
        Self { display }
    }
}

impl<DI, M, RST> Screen for MipidsiScreen<DI, M, RST>
where
    DI: Interface<Word = u8>,
    M: Model<ColorFormat = Rgb565>,
    RST: embedded_hal::digital::OutputPin,
{
    type Error = DI::Error;

    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), Self::Error> {
        let Some(rows) = fb.take_dirty() else {
            return Ok(());
        };
        let w = fb.width();
        let pixels = (rows.start..rows.end).flat_map(|y| fb.row(y).iter().copied());
        self.display
            .set_pixels(0, rows.start, w - 1, rows.end - 1, pixels)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use embedded_graphics::mono_font::{MonoTextStyle, ascii::FONT_10X20};
    use embedded_graphics::prelude::*;
    use embedded_graphics::primitives::{Circle, PrimitiveStyle};
    use embedded_graphics::text::Text;
    use embedded_hal::spi::Operation;
    use mipidsi::interface::SpiInterface;
    use mipidsi::models::{ILI9341Rgb565, ST7789};

    use super::*;

    /// Every byte that crossed the bus, with the D/C level it crossed at.
    #[derive(Default)]
    struct Wire {
        data_mode: bool,
        bytes: Vec<(bool, u8)>,
    }

    #[derive(Clone)]
    struct Spi(Rc<RefCell<Wire>>);
    struct Dc(Rc<RefCell<Wire>>);
    struct Delay;

    impl embedded_hal::spi::ErrorType for Spi {
        type Error = core::convert::Infallible;
    }
    impl embedded_hal::spi::SpiDevice for Spi {
        fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), Self::Error> {
            let mut w = self.0.borrow_mut();
            for op in ops {
                if let Operation::Write(buf) = op {
                    let mode = w.data_mode;
                    w.bytes.extend(buf.iter().map(|&b| (mode, b)));
                }
            }
            Ok(())
        }
    }
    impl embedded_hal::digital::ErrorType for Dc {
        type Error = core::convert::Infallible;
    }
    impl embedded_hal::digital::OutputPin for Dc {
        fn set_low(&mut self) -> Result<(), Self::Error> {
            self.0.borrow_mut().data_mode = false;
            Ok(())
        }
        fn set_high(&mut self) -> Result<(), Self::Error> {
            self.0.borrow_mut().data_mode = true;
            Ok(())
        }
    }
    impl embedded_hal::delay::DelayNs for Delay {
        fn delay_ns(&mut self, _ns: u32) {}
    }

    /// Rebuilds the panel's memory from the recorded bytes: CASET and RASET
    /// set the window, RAMWR streams big-endian Rgb565 into it.
    fn replay(bytes: &[(bool, u8)], w: usize, h: usize) -> (Vec<u16>, usize) {
        let mut mem = vec![0u16; w * h];
        let (mut cols, mut rows) = ((0, w - 1), (0, h - 1));
        let mut ramwr_bytes = 0;
        let mut i = 0;
        while i < bytes.len() {
            let (data, cmd) = bytes[i];
            assert!(!data, "data byte without a command at {i}");
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].0 {
                j += 1;
            }
            let args: Vec<u8> = bytes[i + 1..j].iter().map(|b| b.1).collect();
            let word = |k: usize| usize::from(u16::from_be_bytes([args[k], args[k + 1]]));
            match cmd {
                0x2A => cols = (word(0), word(2)),
                0x2B => rows = (word(0), word(2)),
                0x2C => {
                    ramwr_bytes += args.len();
                    let width = cols.1 - cols.0 + 1;
                    for (n, px) in args.chunks_exact(2).enumerate() {
                        let (x, y) = (cols.0 + n % width, rows.0 + n / width);
                        mem[y * w + x] = u16::from_be_bytes([px[0], px[1]]);
                    }
                }
                _ => {}
            }
            i = j;
        }
        (mem, ramwr_bytes)
    }

    fn picture(fb: &mut Framebuffer) {
        Circle::new(Point::new(40, 60), 150)
            .into_styled(PrimitiveStyle::with_stroke(Rgb565::GREEN, 6))
            .draw(fb)
            .unwrap();
        Text::new(
            "Hold still",
            Point::new(20, 300),
            MonoTextStyle::new(&FONT_10X20, Rgb565::YELLOW),
        )
        .draw(fb)
        .unwrap();
        for x in 0..fb.width() {
            Pixel(
                Point::new(i32::from(x), 5),
                Rgb565::new((x % 32) as u8, (x % 64) as u8, 31 - (x % 32) as u8),
            )
            .draw(fb)
            .unwrap();
        }
    }

    fn check_model<M>(model: M, w: u16, h: u16)
    where
        M: Model<ColorFormat = Rgb565>,
    {
        let wire = Rc::new(RefCell::new(Wire::default()));
        let mut buf = [0u8; 512];
        let di = SpiInterface::new(Spi(wire.clone()), Dc(wire.clone()), &mut buf);
        let display = mipidsi::Builder::new(model, di)
            .display_size(w, h)
            .init(&mut Delay)
            .unwrap();
        let mut screen = MipidsiScreen::new(display);
        let mut fb = Framebuffer::new(w, h);
        picture(&mut fb);
        wire.borrow_mut().bytes.clear(); // drop the init sequence
        screen.flush(&mut fb).unwrap();
        let (mem, full) = replay(&wire.borrow().bytes, usize::from(w), usize::from(h));
        for y in 0..h {
            for x in 0..w {
                assert_eq!(
                    mem[usize::from(y) * usize::from(w) + usize::from(x)],
                    fb.raw(x, y),
                    "pixel {x},{y}"
                );
            }
        }
        assert_eq!(
            full,
            usize::from(w) * usize::from(h) * 2,
            "the first flush sends every pixel"
        );

        // Change one line of text: only its rows go over the wire, and the
        // panel's memory (first flush + update) matches the framebuffer again.
        let first = wire.borrow().bytes.clone();
        Text::new(
            "Ready",
            Point::new(20, 300),
            MonoTextStyle::new(&FONT_10X20, Rgb565::CYAN),
        )
        .draw(&mut fb)
        .unwrap();
        wire.borrow_mut().bytes.clear();
        screen.flush(&mut fb).unwrap();
        let update = wire.borrow().bytes.clone();
        let (_, partial) = replay(&update, usize::from(w), usize::from(h));
        assert!(
            partial > 0 && partial <= usize::from(w) * 20 * 2,
            "{partial} bytes for one line of text"
        );
        let both: Vec<(bool, u8)> = first.into_iter().chain(update).collect();
        let (mem, _) = replay(&both, usize::from(w), usize::from(h));
        let expected: Vec<u16> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| fb.raw(x, y))
            .collect();
        assert_eq!(mem, expected);
    }

    #[test]
    fn st7789_byte_stream_reproduces_the_framebuffer() {
        check_model(ST7789, 240, 320);
    }

    #[test]
    fn ili9341_byte_stream_reproduces_the_framebuffer() {
        check_model(ILI9341Rgb565, 240, 320);
    }

    #[test]
    fn nothing_changed_sends_nothing() {
        let wire = Rc::new(RefCell::new(Wire::default()));
        let mut buf = [0u8; 64];
        let di = SpiInterface::new(Spi(wire.clone()), Dc(wire.clone()), &mut buf);
        let display = mipidsi::Builder::new(ST7789, di)
            .display_size(240, 240)
            .init(&mut Delay)
            .unwrap();
        let mut screen = MipidsiScreen::new(display);
        let mut fb = Framebuffer::new(240, 240);
        screen.flush(&mut fb).unwrap();
        wire.borrow_mut().bytes.clear();
        screen.flush(&mut fb).unwrap();
        assert!(wire.borrow().bytes.is_empty());
    }
}
