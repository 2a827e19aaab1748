//! What the booth's screen shows, drawn into the framebuffer: the same code
//! for any panel size and driver.

use embedded_graphics::mono_font::{MonoTextStyle, iso_8859_1::FONT_10X20};
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Ellipse, Line, PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Alignment, Text};

use crate::checks::Reason;
use crate::display::Framebuffer;
use crate::imaging::RgbImage;
use crate::imaging::glyphs::Glyphs;
use crate::session::guide::{Overlay, Signal};
use crate::session::prompts::{Language, Prompt, reason_text};

/// Height of the prompt bar at the bottom.
const BAR: u32 = 48;
const AMBER: Rgb565 = Rgb565::new(31, 40, 0);

/// One screen's content.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// Waiting for someone.
    Attract {
        /// The document, e.g. "US passport 2 x 2 in".
        caption: &'a str,
    },
    /// Live preview with guides (and the countdown digit during countdown).
    Framing {
        /// The viewfinder frame.
        preview: &'a RgbImage,
        /// Where the head should be, in viewfinder pixels.
        overlay: &'a Overlay,
        /// Instruction.
        prompt: Prompt,
        /// Colour.
        signal: Signal,
        /// 3, 2, 1.
        countdown: Option<u32>,
    },
    /// The engine is working.
    Processing,
    /// The result.
    Review {
        /// The composed photo.
        photo: Option<&'a RgbImage>,
        /// Whether it passed.
        accepted: bool,
        /// The first failed reason.
        reason: Option<Reason>,
        /// What a press does to an accepted photo: print it, or (a booth
        /// that hands out files only) send it to the phone.
        confirm: Prompt,
    },
    /// Waiting for the printer.
    Printing,
    /// The print is out.
    Done,
    /// The print is out and the photo file waits for the customer's phone:
    /// the booth's Wi-Fi and the one-time link, as QR codes.
    Handoff {
        /// The one-time link.
        link: &'a str,
        /// The Wi-Fi join code, if phones need one.
        join: Option<&'a str>,
        /// Whether a sheet came out too.
        printed: bool,
    },
    /// Printer, camera or button trouble.
    Trouble {
        /// What to tell staff.
        prompt: Prompt,
    },
}

fn signal_colour(s: Signal) -> Rgb565 {
    match s {
        Signal::Red => Rgb565::RED,
        Signal::Amber => AMBER,
        Signal::Green => Rgb565::GREEN,
    }
}

/// Maps viewfinder pixels onto the panel area above the bar: scaled to
/// cover it, centred, mirrored (people expect a mirror).
#[derive(Debug, Clone, Copy)]
pub struct PreviewMap {
    scale: f32,
    ox: f32,
    oy: f32,
    vw: f32,
}

impl PreviewMap {
    /// For a `vw` x `vh` viewfinder on a `pw` x `ph` panel.
    pub fn new(vw: u32, vh: u32, pw: u32, ph: u32) -> Self {
        let area_h = ph.saturating_sub(BAR) as f32;
        let scale = (pw as f32 / vw as f32).max(area_h / vh as f32);
        Self {
            scale,
            ox: (pw as f32 - vw as f32 * scale) / 2.0,
            oy: (area_h - vh as f32 * scale) / 2.0,
            vw: vw as f32,
        }
    }

    /// Panel position of a viewfinder point.
    pub fn to_panel(self, x: f32, y: f32) -> Point {
        Point::new(
            (self.ox + (self.vw - x) * self.scale).round() as i32,
            (self.oy + y * self.scale).round() as i32,
        )
    }

    /// Viewfinder position of a panel pixel's centre.
    fn to_viewfinder(self, px: i32, py: i32) -> (f32, f32) {
        (
            self.vw - (px as f32 + 0.5 - self.ox) / self.scale,
            (py as f32 + 0.5 - self.oy) / self.scale,
        )
    }
}

fn text(fb: &mut Framebuffer, s: &str, centre_x: i32, y: i32, colour: Rgb565) {
    let style = MonoTextStyle::new(&FONT_10X20, colour);
    let per_line = (fb.width() as usize / 10).max(1);
    for (i, line) in wrap(s, per_line).enumerate() {
        let _ = Text::with_alignment(
            line,
            Point::new(centre_x, y + 20 * i as i32),
            style,
            Alignment::Center,
        )
        .draw(fb);
    }
}

/// Word-wraps `s` into lines of at most `width` characters, as slices of
/// `s` (no allocation: this runs on every viewfinder frame).
fn wrap(s: &str, width: usize) -> impl Iterator<Item = &str> {
    let mut rest = s.trim();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len();
        if rest.chars().count() > width {
            // The last space within `width` characters, else a hard break.
            let limit = rest
                .char_indices()
                .nth(width)
                .map_or(rest.len(), |(i, _)| i);
            end = if rest[limit..].starts_with(' ') {
                limit
            } else {
                rest[..limit].rfind(' ').unwrap_or(limit)
            };
        }
        let (line, tail) = rest.split_at(end);
        rest = tail.trim_start();
        Some(line)
    })
}

fn bar(fb: &mut Framebuffer, prompt: &str, colour: Rgb565) {
    let (w, h) = (u32::from(fb.width()), u32::from(fb.height()));
    let _ = Rectangle::new(Point::new(0, (h - BAR) as i32), Size::new(w, BAR))
        .into_styled(PrimitiveStyle::with_fill(colour))
        .draw(fb);
    text(
        fb,
        prompt,
        w as i32 / 2,
        (h - BAR) as i32 + 18,
        Rgb565::BLACK,
    );
}

/// Copies `img` nearest-neighbour into the panel area through `map`.
fn blit_preview(fb: &mut Framebuffer, img: &RgbImage, map: &PreviewMap) {
    let (w, h) = (fb.width() as i32, fb.height() as i32 - BAR as i32);
    let pixels = (0..h)
        .flat_map(move |y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            let (vx, vy) = map.to_viewfinder(x, y);
            if vx < 0.0 || vy < 0.0 || vx >= img.width() as f32 || vy >= img.height() as f32 {
                return Pixel(Point::new(x, y), Rgb565::BLACK);
            }
            let [r, g, b] = img.get(vx as u32, vy as u32);
            Pixel(Point::new(x, y), Rgb565::new(r >> 3, g >> 2, b >> 3))
        });
    let _ = fb.draw_iter(pixels);
}

/// Fits `photo` into the area above the bar, centred.
fn blit_photo(fb: &mut Framebuffer, photo: &RgbImage) {
    let (w, h) = (u32::from(fb.width()), u32::from(fb.height()) - BAR - 8);
    let scale = (w as f32 / photo.width() as f32).min(h as f32 / photo.height() as f32) * 0.9;
    let (pw, ph) = (
        (photo.width() as f32 * scale) as i32,
        (photo.height() as f32 * scale) as i32,
    );
    let (ox, oy) = ((w as i32 - pw) / 2, 4 + (h as i32 - ph) / 2);
    let pixels = (0..ph)
        .flat_map(move |y| (0..pw).map(move |x| (x, y)))
        .map(|(x, y)| {
            let [r, g, b] = photo.get(
                ((x as f32 / scale) as u32).min(photo.width() - 1),
                ((y as f32 / scale) as u32).min(photo.height() - 1),
            );
            Pixel(
                Point::new(ox + x, oy + y),
                Rgb565::new(r >> 3, g >> 2, b >> 3),
            )
        });
    let _ = fb.draw_iter(pixels);
}

fn band(fb: &mut Framebuffer, map: &PreviewMap, o: &Overlay, (y0, y1): (f32, f32), colour: Rgb565) {
    let (a, b) = (
        map.to_panel(o.crop.x, y0),
        map.to_panel(o.crop.x + o.crop.w, y1),
    );
    let style = PrimitiveStyle::with_stroke(colour, 1);
    for y in [a.y, b.y] {
        let _ = Line::new(Point::new(a.x.min(b.x), y), Point::new(a.x.max(b.x), y))
            .into_styled(style)
            .draw(fb);
    }
}

/// Draws `data` as a QR code, black on a white square with its quiet zone,
/// as large as whole pixels per module allow inside `(x, y, w, h)`.
fn qr(fb: &mut Framebuffer, data: &str, (x, y, w, h): (i32, i32, i32, i32)) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M) else {
        return;
    };
    let modules = code.width() as i32;
    let quiet = 4;
    let side = modules + 2 * quiet;
    let px = (w.min(h) / side).max(1);
    let (ox, oy) = (x + (w - side * px) / 2, y + (h - side * px) / 2);
    let _ = Rectangle::new(
        Point::new(ox, oy),
        Size::new((side * px) as u32, (side * px) as u32),
    )
    .into_styled(PrimitiveStyle::with_fill(Rgb565::WHITE))
    .draw(fb);
    let dark = code.to_colors();
    for (i, c) in dark.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i as i32 % modules, i as i32 / modules);
            let _ = Rectangle::new(
                Point::new(ox + (quiet + mx) * px, oy + (quiet + my) * px),
                Size::new(px as u32, px as u32),
            )
            .into_styled(PrimitiveStyle::with_fill(Rgb565::BLACK))
            .draw(fb);
        }
    }
}

/// Draws `view` in `lang`, replacing the whole picture.
pub fn draw(fb: &mut Framebuffer, view: &View, lang: Language) {
    let (w, h) = (i32::from(fb.width()), i32::from(fb.height()));
    let mid = h / 2 - BAR as i32 / 2;
    if !matches!(view, View::Framing { .. }) {
        let _ = fb.clear(Rgb565::BLACK);
    }
    match *view {
        View::Attract { caption } => {
            text(fb, "passbooth", w / 2, mid - 60, Rgb565::WHITE);
            text(fb, caption, w / 2, mid, Rgb565::CYAN);
            bar(fb, Prompt::PressToStart.text(lang), Rgb565::WHITE);
        }
        View::Framing {
            preview,
            overlay,
            prompt,
            signal,
            countdown,
        } => {
            let map = PreviewMap::new(preview.width(), preview.height(), w as u32, h as u32);
            blit_preview(fb, preview, &map);
            let colour = signal_colour(signal);
            let (c, rx, ry) = overlay.oval;
            let (tl, br) = (
                map.to_panel(c.x + rx, c.y - ry),
                map.to_panel(c.x - rx, c.y + ry),
            );
            let size = Size::new((br.x - tl.x).unsigned_abs(), (br.y - tl.y).unsigned_abs());
            let _ = Ellipse::new(Point::new(tl.x.min(br.x), tl.y), size)
                .into_styled(PrimitiveStyle::with_stroke(colour, 2))
                .draw(fb);
            band(fb, &map, overlay, overlay.crown_band, colour);
            band(fb, &map, overlay, overlay.chin_band, colour);
            if let Some(e) = overlay.eye_band {
                let dim = Rgb565::new(colour.r() / 2, colour.g() / 2, colour.b() / 2);
                band(fb, &map, overlay, e, dim);
            }
            if let Some(n) = countdown {
                // A digit a quarter of the panel high, in the middle.
                let g = Glyphs::new(&n.to_string());
                let scale = (h as u32 / 4 / 20).max(1);
                let (gw, gh) = g.size_at(scale);
                let (x0, y0) = (w / 2 - gw as i32 / 2, mid - gh as i32 / 2);
                let _ =
                    fb.draw_iter(g.lit(scale).map(|(x, y)| {
                        Pixel(Point::new(x0 + x as i32, y0 + y as i32), Rgb565::WHITE)
                    }));
            }
            bar(fb, prompt.text(lang), colour);
        }
        View::Processing => bar(fb, Prompt::OneMoment.text(lang), Rgb565::WHITE),
        View::Review {
            photo,
            accepted,
            reason,
            confirm,
        } => {
            if let Some(p) = photo {
                blit_photo(fb, p);
            }
            if accepted {
                bar(fb, confirm.text(lang), Rgb565::GREEN);
            } else {
                let why = reason.map_or(Prompt::PressToRetake.text(lang), |r| reason_text(r, lang));
                bar(fb, why, Rgb565::RED);
            }
        }
        View::Printing => bar(fb, Prompt::Printing.text(lang), Rgb565::WHITE),
        View::Done => bar(fb, Prompt::TakePhotos.text(lang), Rgb565::GREEN),
        View::Handoff {
            link,
            join,
            printed,
        } => {
            // Stacked on a tall panel, side by side on a wide one; the
            // Wi-Fi first (a phone joins, then opens the link).
            let codes: Vec<&str> = join.into_iter().chain([link]).collect();
            let area = (w, h - BAR as i32);
            let n = codes.len() as i32;
            let tall = area.1 >= area.0;
            for (i, code) in codes.iter().enumerate() {
                let i = i as i32;
                let cell = if tall {
                    (0, area.1 * i / n, area.0, area.1 / n)
                } else {
                    (area.0 * i / n, 0, area.0 / n, area.1)
                };
                qr(fb, code, cell);
            }
            let prompt = if printed {
                Prompt::TakePhotosScanForFile
            } else {
                Prompt::ScanForFile
            };
            bar(fb, prompt.text(lang), Rgb565::GREEN);
        }
        View::Trouble { prompt } => bar(fb, prompt.text(lang), Rgb565::RED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let lines: Vec<&str> = wrap("Move a little to your left", 24).collect();
        assert_eq!(lines, ["Move a little to your", "left"]);
        let lines: Vec<&str> = wrap("Etwas nach rechts (von Ihnen aus)", 24).collect();
        assert_eq!(lines, ["Etwas nach rechts (von", "Ihnen aus)"]);
        assert_eq!(wrap("Hold still", 24).collect::<Vec<_>>(), ["Hold still"]);
        assert_eq!(
            wrap("abcdefghij", 4).collect::<Vec<_>>(),
            ["abcd", "efgh", "ij"]
        );
        // A word ending exactly at the width stays on the line.
        let lines: Vec<&str> = wrap("Printer problem - please call staff", 24).collect();
        assert_eq!(lines, ["Printer problem - please", "call staff"]);
    }
}
