//! What the booth's screen shows, drawn into the framebuffer: the same code
//! for any panel size and driver. Designed for a 2-inch panel read from a
//! step away: one instruction in large type (one line where it fits), a
//! picture beside it, a countdown that fills the screen, progress while the
//! booth works, and an attract screen that shows what the booth makes and
//! which language a press starts in.

mod icons;

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{
    CornerRadii, Ellipse, Line, PrimitiveStyle, Rectangle, RoundedRectangle,
};

pub use icons::{Icon, Way};

use crate::checks::Reason;
use crate::display::Framebuffer;
use crate::display::lettering::{Align, HALO, Lettering};
use crate::imaging::RgbImage;
use crate::session::guide::{Overlay, Signal};
use crate::session::prompts::{Language, Prompt, reason_text};

/// Height of the prompt bar at the bottom, on a 240 px wide panel.
const BAR: u32 = 76;
const AMBER: Rgb565 = Rgb565::new(31, 40, 0);
const GREY: Rgb565 = Rgb565::new(14, 28, 14);
const PAPER_BLUE: Rgb565 = Rgb565::new(22, 50, 30);

/// Type sizes on a 240 px panel (scaled for others), largest first: the
/// instruction in the bar, the message of a still screen, a detail line.
const BAR_SIZES: [u16; 4] = [27, 23, 20, 17];
const MESSAGE_SIZES: [u16; 4] = [32, 27, 23, 19];
const DETAIL: u16 = 17;
/// The bar's picture and the space around it, on a 240 px panel.
const BAR_ICON: i32 = 42;
const BAR_PAD: i32 = 6;

/// A share of the work done, 0.0..=1.0.
pub type Progress = f32;

/// One screen's content.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// Waiting for someone: what the booth makes, and how to start.
    Attract {
        /// The document, e.g. "US passport 2 x 2 in".
        caption: &'a str,
        /// The photo's size, mm (width, height).
        size_mm: (f64, f64),
        /// The price, if the booth charges ("6.00 EUR").
        price: Option<&'a str>,
        /// The languages the attract screen cycles through (the one drawn
        /// is highlighted); one language shows no strip.
        languages: &'a [Language],
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
    Processing {
        /// How far, as far as the booth can tell.
        progress: Progress,
    },
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
    /// An accepted photo waits for its price: asking the printer first
    /// (`ready` false), then the amount still due and what was paid.
    Payment {
        /// The printer said it can print: money is asked for.
        ready: bool,
        /// What is still to pay, "4.00 EUR".
        due: &'a str,
        /// The credit so far, "2.00 EUR", if any.
        paid: Option<&'a str>,
    },
    /// Waiting for the printer.
    Printing {
        /// How far, as far as the booth can tell.
        progress: Progress,
    },
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
    /// For a `vw` x `vh` viewfinder on a `pw` wide panel area `area_h`
    /// high.
    pub fn new(vw: u32, vh: u32, pw: u32, area_h: u32) -> Self {
        let area_h = area_h as f32;
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

/// Copies `img` nearest-neighbour into the panel area through `map`.
fn blit_preview(fb: &mut Framebuffer, img: &RgbImage, map: &PreviewMap, h: i32) {
    let w = fb.width() as i32;
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

/// Fits `photo` into the top `area_h` rows, centred.
fn blit_photo(fb: &mut Framebuffer, photo: &RgbImage, area_h: i32) {
    let (w, h) = (u32::from(fb.width()), area_h.max(1) as u32);
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

/// The screens of one panel, with their type prepared: every glyph the
/// prompt tables of the booth's languages use, at every size drawn, is
/// rasterised here once, so drawing a frame only blends.
#[derive(Debug)]
pub struct Screens {
    letters: Lettering,
    width: u16,
    height: u16,
    /// Panel scale against the 240 px design.
    k: f32,
    /// The countdown digit's size.
    count_px: u16,
}

impl Screens {
    /// Screens for a `(width, height)` panel speaking `languages`.
    pub fn new((width, height): (u16, u16), languages: &[Language]) -> Self {
        // The font is compiled in: it loads or the build is broken, which
        // every screen test sees first.
        #[allow(clippy::expect_used)]
        let mut letters = Lettering::new().expect("built-in font");
        let k = f32::from(width.min(height)) / 240.0;
        let ascii: String = (' '..='~').chain("×…–".chars()).collect();
        let mut texts = vec![ascii.as_str()];
        for &lang in languages {
            texts.extend(Prompt::ALL.iter().map(|p| p.text(lang)));
            texts.extend(Reason::ALL.iter().map(|r| reason_text(*r, lang)));
        }
        texts.extend(Language::ALL.iter().map(|l| l.name()));
        for size in BAR_SIZES.iter().chain(&MESSAGE_SIZES).chain([&DETAIL]) {
            for t in &texts {
                letters.prepare(t, scale(*size, k));
            }
        }
        let count_px = ((f32::from(height) - BAR as f32 * k) * 0.8) as u16;
        let halo = (4.0 * k).round().max(1.0) as usize;
        letters.prepare_halo("0123456789", count_px, halo);
        Self {
            letters,
            width,
            height,
            k,
            count_px,
        }
    }

    fn px(&self, design: u16) -> u16 {
        scale(design, self.k)
    }

    fn len(&self, design: i32) -> i32 {
        (design as f32 * self.k).round() as i32
    }

    fn bar_h(&self) -> i32 {
        self.len(BAR as i32)
    }

    /// The panel area above the bar, as a preview map for a `vw` x `vh`
    /// viewfinder.
    pub fn preview_map(&self, vw: u32, vh: u32) -> PreviewMap {
        PreviewMap::new(
            vw,
            vh,
            u32::from(self.width),
            u32::from(self.height).saturating_sub(self.bar_h() as u32),
        )
    }

    /// Lines of `text` fitted to `width` from `sizes`, drawn centred on
    /// `centre` (the block's middle) in `colour`.
    fn block(
        &self,
        fb: &mut Framebuffer,
        text: &str,
        sizes: &[u16; 4],
        max_lines: usize,
        (x, y, width): (i32, i32, i32),
        colour: Rgb565,
    ) {
        let scaled = sizes.map(|s| self.px(s));
        let f = self.letters.fit(text, width as f32, &scaled, max_lines);
        let step = Lettering::line_height(f.px);
        let n = f.lines().len() as i32;
        let first = y - step * (n - 1) / 2 + Lettering::cap_height(f.px) / 2;
        for (i, line) in f.lines().iter().enumerate() {
            self.letters.draw(
                fb,
                line,
                f.px,
                (x, first + step * i as i32),
                Align::Centre,
                colour,
            );
        }
    }

    /// The bar at the bottom: a coloured band with the prompt's picture and
    /// its words in black.
    fn bar(&self, fb: &mut Framebuffer, icon: Icon, text: &str, colour: Rgb565) {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        let bar = self.bar_h();
        let _ = Rectangle::new(Point::new(0, h - bar), Size::new(w as u32, bar as u32))
            .into_styled(PrimitiveStyle::with_fill(colour))
            .draw(fb);
        let side = self.len(BAR_ICON);
        let pad = self.len(BAR_PAD);
        icons::draw(
            fb,
            icon,
            Point::new(pad + side / 2, h - bar / 2),
            side as u32,
            Rgb565::BLACK,
            colour,
        );
        let left = 2 * pad + side;
        let width = w - left - pad;
        self.block(
            fb,
            text,
            &BAR_SIZES,
            3,
            (left + width / 2, h - bar / 2, width),
            Rgb565::BLACK,
        );
    }

    /// A still screen's message: a large picture, the words under it, and
    /// (while working) a progress bar.
    fn message(
        &self,
        fb: &mut Framebuffer,
        icon: Icon,
        text: &str,
        colour: Rgb565,
        progress: Option<Progress>,
    ) {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        let side = self.len(96);
        icons::draw(
            fb,
            icon,
            Point::new(w / 2, h * 27 / 100),
            side as u32,
            colour,
            Rgb565::BLACK,
        );
        self.block(
            fb,
            text,
            &MESSAGE_SIZES,
            3,
            (w / 2, h * 60 / 100, w - self.len(20)),
            Rgb565::WHITE,
        );
        if let Some(p) = progress {
            self.progress(fb, p);
        }
    }

    fn progress_box(&self) -> Rectangle {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        let margin = self.len(24);
        Rectangle::new(
            Point::new(margin, h * 84 / 100),
            Size::new((w - 2 * margin) as u32, self.len(16) as u32),
        )
    }

    /// Redraws only the progress bar of a working screen (so a turn sends a
    /// few rows over SPI, not the screen).
    pub fn progress(&self, fb: &mut Framebuffer, progress: Progress) {
        let b = self.progress_box();
        let r = Size::new(b.size.height / 2, b.size.height / 2);
        let radii = CornerRadii::new(r);
        let _ = RoundedRectangle::new(b, radii)
            .into_styled(PrimitiveStyle::with_fill(GREY))
            .draw(fb);
        let done = (b.size.width as f32 * progress.clamp(0.0, 1.0)).round() as u32;
        if done >= b.size.height {
            let _ = RoundedRectangle::new(
                Rectangle::new(b.top_left, Size::new(done, b.size.height)),
                radii,
            )
            .into_styled(PrimitiveStyle::with_fill(Rgb565::CYAN))
            .draw(fb);
        }
    }

    /// The attract screen's picture of the document: a photo of the
    /// spec's proportions with a head and shoulders in it, its size under.
    fn document(&self, fb: &mut Framebuffer, size_mm: (f64, f64), top: i32, height: i32) {
        let w = i32::from(self.width);
        let ph = height;
        let pw = (f64::from(ph) * size_mm.0 / size_mm.1).round() as i32;
        let r = Rectangle::new(
            Point::new(w / 2 - pw / 2, top),
            Size::new(pw as u32, ph as u32),
        );
        let _ = r
            .into_styled(PrimitiveStyle::with_fill(PAPER_BLUE))
            .draw(fb);
        let c = Point::new(w / 2, top + ph * 42 / 100);
        let _ = Ellipse::with_center(c, Size::new((pw * 44 / 100) as u32, (ph * 48 / 100) as u32))
            .into_styled(PrimitiveStyle::with_fill(GREY))
            .draw(fb);
        let shoulders = Rectangle::new(
            Point::new(w / 2 - pw * 42 / 100, top + ph * 74 / 100),
            Size::new((pw * 84 / 100) as u32, (ph * 26 / 100) as u32),
        );
        let round = Size::new((pw / 4) as u32, (pw / 4) as u32);
        let _ = RoundedRectangle::new(
            shoulders,
            CornerRadii {
                top_left: round,
                top_right: round,
                bottom_right: Size::zero(),
                bottom_left: Size::zero(),
            },
        )
        .into_styled(PrimitiveStyle::with_fill(GREY))
        .draw(fb);
        let _ = r
            .into_styled(PrimitiveStyle::with_stroke(Rgb565::WHITE, 2))
            .draw(fb);
    }

    /// The strip of language codes, the current one boxed.
    fn languages(&self, fb: &mut Framebuffer, languages: &[Language], current: Language, y: i32) {
        if languages.len() < 2 {
            return;
        }
        let w = i32::from(self.width);
        let px = self.px(DETAIL);
        let cell = w / languages.len() as i32;
        for (i, &l) in languages.iter().enumerate() {
            let x = cell * i as i32 + cell / 2;
            let code = l.code();
            let mut upper = [0u8; 2];
            for (u, b) in upper.iter_mut().zip(code.bytes()) {
                *u = b.to_ascii_uppercase();
            }
            let label = std::str::from_utf8(&upper).unwrap_or(code);
            let colour = if l == current {
                let b = Rectangle::new(
                    Point::new(x - cell / 2 + 2, y - self.len(20)),
                    Size::new((cell - 4) as u32, self.len(28) as u32),
                );
                let _ = RoundedRectangle::with_equal_corners(b, Size::new(4, 4))
                    .into_styled(PrimitiveStyle::with_fill(Rgb565::WHITE))
                    .draw(fb);
                Rgb565::BLACK
            } else {
                GREY
            };
            self.letters
                .draw(fb, label, px, (x, y), Align::Centre, colour);
        }
    }

    /// Draws `view` in `lang`, replacing the whole picture.
    pub fn draw(&self, fb: &mut Framebuffer, view: &View, lang: Language) {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        let bar = self.bar_h();
        if !matches!(view, View::Framing { .. }) {
            let _ = fb.clear(Rgb565::BLACK);
        }
        match *view {
            View::Attract {
                caption,
                size_mm,
                price,
                languages,
            } => {
                let top = self.len(14);
                let doc_h = self.len(104);
                self.document(fb, size_mm, top, doc_h);
                let mut y = top + doc_h + self.len(26);
                let size = format_size(size_mm);
                self.letters.draw(
                    fb,
                    size.as_str(),
                    self.px(DETAIL),
                    (w / 2, y),
                    Align::Centre,
                    Rgb565::WHITE,
                );
                y += self.len(26);
                self.block(
                    fb,
                    caption,
                    &BAR_SIZES,
                    2,
                    (w / 2, y, w - self.len(16)),
                    Rgb565::CYAN,
                );
                if let Some(p) = price {
                    y += self.len(34);
                    self.letters.draw(
                        fb,
                        p,
                        self.px(MESSAGE_SIZES[1]),
                        (w / 2, y + self.len(8)),
                        Align::Centre,
                        Rgb565::YELLOW,
                    );
                }
                self.languages(fb, languages, lang, h - bar - self.len(10));
                self.bar(
                    fb,
                    Icon::Button,
                    Prompt::PressToStart.text(lang),
                    Rgb565::WHITE,
                );
            }
            View::Framing {
                preview,
                overlay,
                prompt,
                signal,
                countdown,
            } => {
                let map = self.preview_map(preview.width(), preview.height());
                blit_preview(fb, preview, &map, h - bar);
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
                    self.countdown(fb, n);
                }
                self.bar(fb, Icon::for_prompt(prompt), prompt.text(lang), colour);
            }
            View::Processing { progress } => self.message(
                fb,
                Icon::Hourglass,
                Prompt::OneMoment.text(lang),
                Rgb565::CYAN,
                Some(progress),
            ),
            View::Review {
                photo,
                accepted,
                reason,
                confirm,
            } => {
                let hint = self.len(44);
                if let Some(p) = photo {
                    blit_photo(fb, p, h - bar - hint);
                }
                if accepted {
                    self.bar(
                        fb,
                        Icon::for_prompt(confirm),
                        confirm.text(lang),
                        Rgb565::GREEN,
                    );
                } else {
                    let retry = Prompt::PressToRetake.text(lang);
                    let why = reason.map_or(retry, |r| reason_text(r, lang));
                    self.bar(fb, Icon::Cross, why, Rgb565::RED);
                    if reason.is_some() {
                        self.block(
                            fb,
                            retry,
                            &[DETAIL; 4],
                            2,
                            (w / 2, h - bar - hint / 2, w - 8),
                            Rgb565::WHITE,
                        );
                    }
                }
            }
            View::Payment { ready: false, .. } => self.message(
                fb,
                Icon::Hourglass,
                Prompt::OneMoment.text(lang),
                Rgb565::CYAN,
                None,
            ),
            View::Payment {
                ready: true,
                due,
                paid,
            } => self.payment(fb, due, paid, lang),
            View::Printing { progress } => self.message(
                fb,
                Icon::Printer,
                Prompt::Printing.text(lang),
                Rgb565::WHITE,
                Some(progress),
            ),
            View::Done => self.message(
                fb,
                Icon::Sheet,
                Prompt::TakePhotos.text(lang),
                Rgb565::GREEN,
                None,
            ),
            View::Handoff {
                link,
                join,
                printed,
            } => {
                // Stacked on a tall panel, side by side on a wide one; the
                // Wi-Fi first (a phone joins, then opens the link).
                let area = (w, h - bar);
                let n = 1 + i32::from(join.is_some());
                let tall = area.1 >= area.0;
                for (i, code) in join.into_iter().chain([link]).enumerate() {
                    let i = i as i32;
                    let cell = if tall {
                        (0, area.1 * i / n, area.0, area.1 / n)
                    } else {
                        (area.0 * i / n, 0, area.0 / n, area.1)
                    };
                    qr(fb, code, cell);
                }
                let prompt = Prompt::when_done(printed, true);
                self.bar(fb, Icon::Phone, prompt.text(lang), Rgb565::GREEN);
            }
            View::Trouble { prompt } => {
                self.message(fb, Icon::Warning, prompt.text(lang), AMBER, None);
            }
        }
    }

    /// The payment screen: a coin, the amount still due in large yellow
    /// figures, what to do, and the credit so far.
    fn payment(&self, fb: &mut Framebuffer, due: &str, paid: Option<&str>, lang: Language) {
        let (w, h) = (i32::from(self.width), i32::from(self.height));
        icons::draw(
            fb,
            Icon::Coin,
            Point::new(w / 2, h * 17 / 100),
            self.len(80) as u32,
            Rgb565::YELLOW,
            Rgb565::BLACK,
        );
        self.block(
            fb,
            due,
            &MESSAGE_SIZES,
            1,
            (w / 2, h * 42 / 100, w - self.len(16)),
            Rgb565::YELLOW,
        );
        self.block(
            fb,
            Prompt::InsertMoney.text(lang),
            &BAR_SIZES,
            2,
            (w / 2, h * 62 / 100, w - self.len(16)),
            Rgb565::WHITE,
        );
        if let Some(paid) = paid {
            let y = h * 84 / 100;
            let label = Prompt::PaidSoFar.text(lang);
            self.block(
                fb,
                label,
                &[DETAIL; 4],
                1,
                (w / 2, y - self.len(12), w - 8),
                GREY,
            );
            self.block(
                fb,
                paid,
                &[BAR_SIZES[1]; 4],
                1,
                (w / 2, y + self.len(14), w - 8),
                Rgb565::GREEN,
            );
        }
    }

    /// The countdown digit, as tall as the picture above the bar, white on
    /// a dark halo so it reads over any face.
    fn countdown(&self, fb: &mut Framebuffer, n: u32) {
        let digit = [b'0' + (n % 10) as u8];
        let Ok(text) = std::str::from_utf8(&digit) else {
            return;
        };
        let area = i32::from(self.height) - self.bar_h();
        let base = area / 2 + Lettering::cap_height(self.count_px) / 2;
        let x = i32::from(self.width) / 2;
        self.letters.draw(
            fb,
            text,
            self.count_px | HALO,
            (x, base),
            Align::Centre,
            Rgb565::BLACK,
        );
        self.letters.draw(
            fb,
            text,
            self.count_px,
            (x, base),
            Align::Centre,
            Rgb565::WHITE,
        );
    }
}

/// A type size of the 240 px design on a panel `k` times as large.
fn scale(design: u16, k: f32) -> u16 {
    (f32::from(design) * k).round() as u16
}

/// "35 × 45 mm", or "2 × 2 in" for sizes in whole inches.
fn format_size((w, h): (f64, f64)) -> String {
    let inch = crate::spec::MM_PER_INCH;
    let whole = |v: f64| (v / inch - (v / inch).round()).abs() < 0.01;
    if whole(w) && whole(h) {
        format!("{} × {} in", (w / inch).round(), (h / inch).round())
    } else {
        format!("{} × {} mm", trim(w), trim(h))
    }
}

fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{}", v.round())
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_the_document_states_them() {
        assert_eq!(format_size((35.0, 45.0)), "35 × 45 mm");
        assert_eq!(format_size((50.8, 50.8)), "2 × 2 in");
        assert_eq!(format_size((33.0, 48.5)), "33 × 48.5 mm");
    }

    /// Every prompt of every language fits the bar at a readable size: at
    /// most three lines, none wider than the space beside the picture.
    #[test]
    fn every_prompt_fits_the_bar_in_every_language() {
        let s = Screens::new((240, 320), &Language::ALL);
        let width = 240 - 3 * BAR_PAD - BAR_ICON;
        for lang in Language::ALL {
            for p in Prompt::ALL {
                let t = p.text(lang);
                let f = s.letters.fit(t, width as f32, &BAR_SIZES, 3);
                assert!(f.lines().len() <= 3, "{lang:?} {p:?}");
                for l in f.lines() {
                    assert!(
                        s.letters.width(l, f.px) <= width as f32,
                        "{lang:?} {p:?}: {l}"
                    );
                }
                assert!(f.px >= 17, "{lang:?} {p:?} at {} px", f.px);
            }
        }
    }

    /// Every character of every table is in the font (no empty boxes).
    #[test]
    fn the_font_covers_every_language() {
        let l = Lettering::new().unwrap();
        for lang in Language::ALL {
            let texts = Prompt::ALL
                .iter()
                .map(|p| p.text(lang))
                .chain(Reason::ALL.iter().map(|r| reason_text(*r, lang)))
                .chain([lang.name()]);
            for t in texts {
                for c in t.chars() {
                    assert!(l.covers(c), "{lang:?}: '{c}' in {t}");
                }
            }
        }
    }
}
