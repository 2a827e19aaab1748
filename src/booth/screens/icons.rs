//! A picture beside every instruction, for someone who cannot read the
//! words: arrows for directions, an eye, a pause sign, a printer. Drawn with
//! embedded-graphics primitives into a square of any size, so they scale
//! with the panel and cost a few hundred pixels per frame.

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{
    Circle, CornerRadii, Ellipse, Line, PrimitiveStyle, Rectangle, RoundedRectangle, Triangle,
};

use crate::display::Framebuffer;
use crate::session::prompts::Prompt;

/// Which way an arrow points, as seen on the (mirrored) screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Left.
    Left,
    /// Right.
    Right,
    /// Up.
    Up,
    /// Down.
    Down,
}

/// A pictogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// Move that way.
    Arrow(Way),
    /// Come closer: arrows apart.
    Closer,
    /// Step back: arrows together.
    Back,
    /// A person: step in.
    Person,
    /// One person, the second crossed out.
    OnePerson,
    /// Look at the lens: a target.
    Target,
    /// Head upright: a head on a plumb line.
    Level,
    /// Chin up or down: a head with an arrow.
    Chin(Way),
    /// Hold still: pause bars.
    Pause,
    /// Open your eyes.
    Eye,
    /// Press the button.
    Button,
    /// Accepted.
    Check,
    /// Rejected.
    Cross,
    /// Working.
    Hourglass,
    /// Printing.
    Printer,
    /// A sheet of photos: take it.
    Sheet,
    /// A phone: scan the code.
    Phone,
    /// Call staff.
    Warning,
    /// Pay: a coin going into its slot.
    Coin,
}

impl Icon {
    /// The picture for a prompt.
    pub fn for_prompt(p: Prompt) -> Icon {
        use Prompt::*;
        match p {
            StepIn => Icon::Person,
            OnlyOnePerson => Icon::OnePerson,
            MoveCloser => Icon::Closer,
            StepBack => Icon::Back,
            MoveLeft => Icon::Arrow(Way::Left),
            MoveRight => Icon::Arrow(Way::Right),
            MoveUp => Icon::Arrow(Way::Up),
            MoveDown => Icon::Arrow(Way::Down),
            LookStraight => Icon::Target,
            HeadStraight => Icon::Level,
            RaiseChin => Icon::Chin(Way::Up),
            LowerChin => Icon::Chin(Way::Down),
            HoldStill => Icon::Pause,
            OpenEyes => Icon::Eye,
            Ready | PressToStart | PressToRetake => Icon::Button,
            PressToPrint | PressForFile => Icon::Check,
            CallStaff | OutOfPaper | CameraLost | ButtonStuck => Icon::Warning,
            OneMoment => Icon::Hourglass,
            Printing => Icon::Printer,
            TakePhotos => Icon::Sheet,
            ScanForFile | TakePhotosScanForFile => Icon::Phone,
            InsertMoney | PaidSoFar => Icon::Coin,
        }
    }
}

fn fill(c: Rgb565) -> PrimitiveStyle<Rgb565> {
    PrimitiveStyle::with_fill(c)
}

fn stroke(c: Rgb565, w: i32) -> PrimitiveStyle<Rgb565> {
    PrimitiveStyle::with_stroke(c, w.max(1) as u32)
}

/// A square of side `s` around `c`, scaled: `(x, y)` in 0..=100 of the
/// square to a panel point.
#[derive(Debug, Clone, Copy)]
struct Square {
    c: Point,
    s: i32,
}

impl Square {
    fn p(self, x: i32, y: i32) -> Point {
        Point::new(
            self.c.x + (x - 50) * self.s / 100,
            self.c.y + (y - 50) * self.s / 100,
        )
    }
    fn len(self, v: i32) -> i32 {
        (v * self.s / 100).max(1)
    }
    fn size(self, w: i32, h: i32) -> Size {
        Size::new(self.len(w) as u32, self.len(h) as u32)
    }
}

/// Draws `icon` in `ink` in a square of side `side` centred on `centre`;
/// `paper` is the colour behind it (cut-outs and details).
pub fn draw(
    fb: &mut Framebuffer,
    icon: Icon,
    centre: Point,
    side: u32,
    ink: Rgb565,
    paper: Rgb565,
) {
    let q = Square {
        c: centre,
        s: side as i32,
    };
    let _ = draw_in(fb, icon, q, ink, paper);
}

fn arrow(
    fb: &mut Framebuffer,
    q: Square,
    way: Way,
    ink: Rgb565,
) -> Result<(), core::convert::Infallible> {
    // Pointing right in the unit square, then turned.
    let turn = |x: i32, y: i32| match way {
        Way::Right => q.p(x, y),
        Way::Left => q.p(100 - x, y),
        Way::Down => q.p(y, x),
        Way::Up => q.p(y, 100 - x),
    };
    Triangle::new(turn(52, 14), turn(96, 50), turn(52, 86))
        .into_styled(fill(ink))
        .draw(fb)?;
    let (a, b) = (turn(6, 38), turn(54, 62));
    Rectangle::with_corners(a, b)
        .into_styled(fill(ink))
        .draw(fb)
}

fn person(fb: &mut Framebuffer, q: Square, ink: Rgb565) -> Result<(), core::convert::Infallible> {
    Circle::with_center(q.p(50, 28), q.len(36) as u32)
        .into_styled(fill(ink))
        .draw(fb)?;
    let r = Size::new(q.len(22) as u32, q.len(22) as u32);
    RoundedRectangle::new(
        Rectangle::new(q.p(18, 52), q.size(64, 42)),
        CornerRadii {
            top_left: r,
            top_right: r,
            bottom_right: Size::zero(),
            bottom_left: Size::zero(),
        },
    )
    .into_styled(fill(ink))
    .draw(fb)
}

fn draw_in(
    fb: &mut Framebuffer,
    icon: Icon,
    q: Square,
    ink: Rgb565,
    paper: Rgb565,
) -> Result<(), core::convert::Infallible> {
    let thick = q.len(12);
    match icon {
        Icon::Arrow(way) => arrow(fb, q, way, ink)?,
        Icon::Closer | Icon::Back => {
            Circle::with_center(q.p(50, 50), q.len(30) as u32)
                .into_styled(fill(ink))
                .draw(fb)?;
            let (l, r) = if icon == Icon::Closer {
                ((Way::Left, 18), (Way::Right, 82))
            } else {
                ((Way::Right, 14), (Way::Left, 86))
            };
            for (way, x) in [l, r] {
                let small = Square {
                    c: q.p(x, 50),
                    s: q.len(34),
                };
                arrow(fb, small, way, ink)?;
            }
        }
        Icon::Person => person(fb, q, ink)?,
        Icon::OnePerson => {
            person(
                fb,
                Square {
                    c: q.p(32, 50),
                    s: q.len(62),
                },
                ink,
            )?;
            person(
                fb,
                Square {
                    c: q.p(72, 56),
                    s: q.len(48),
                },
                ink,
            )?;
            Line::new(q.p(50, 28), q.p(96, 84))
                .into_styled(stroke(paper, thick + 4))
                .draw(fb)?;
            Line::new(q.p(50, 28), q.p(96, 84))
                .into_styled(stroke(ink, thick / 2))
                .draw(fb)?;
        }
        Icon::Target => {
            Circle::with_center(q.p(50, 50), q.len(84) as u32)
                .into_styled(stroke(ink, thick / 2))
                .draw(fb)?;
            Circle::with_center(q.p(50, 50), q.len(26) as u32)
                .into_styled(fill(ink))
                .draw(fb)?;
            for (a, b) in [
                ((50, 0), (50, 24)),
                ((50, 76), (50, 100)),
                ((0, 50), (24, 50)),
                ((76, 50), (100, 50)),
            ] {
                Line::new(q.p(a.0, a.1), q.p(b.0, b.1))
                    .into_styled(stroke(ink, thick / 2))
                    .draw(fb)?;
            }
        }
        Icon::Level => {
            Ellipse::with_center(q.p(50, 46), q.size(52, 66))
                .into_styled(stroke(ink, thick / 2))
                .draw(fb)?;
            Line::new(q.p(50, 0), q.p(50, 100))
                .into_styled(stroke(ink, thick / 3))
                .draw(fb)?;
            Line::new(q.p(20, 96), q.p(80, 96))
                .into_styled(stroke(ink, thick / 2))
                .draw(fb)?;
        }
        Icon::Chin(way) => {
            Ellipse::with_center(q.p(34, 50), q.size(50, 64))
                .into_styled(fill(ink))
                .draw(fb)?;
            arrow(
                fb,
                Square {
                    c: q.p(80, 50),
                    s: q.len(46),
                },
                way,
                ink,
            )?;
        }
        Icon::Pause => {
            for x in [22, 60] {
                Rectangle::new(q.p(x, 12), q.size(18, 76))
                    .into_styled(fill(ink))
                    .draw(fb)?;
            }
        }
        Icon::Eye => {
            Ellipse::with_center(q.p(50, 50), q.size(96, 56))
                .into_styled(fill(ink))
                .draw(fb)?;
            Ellipse::with_center(q.p(50, 50), q.size(80, 42))
                .into_styled(fill(paper))
                .draw(fb)?;
            Circle::with_center(q.p(50, 50), q.len(34) as u32)
                .into_styled(fill(ink))
                .draw(fb)?;
        }
        Icon::Button => {
            Circle::with_center(q.p(50, 50), q.len(92) as u32)
                .into_styled(stroke(ink, thick / 2))
                .draw(fb)?;
            Circle::with_center(q.p(50, 50), q.len(60) as u32)
                .into_styled(fill(ink))
                .draw(fb)?;
        }
        Icon::Check => {
            for (a, b) in [((12, 52), (40, 80)), ((40, 80), (90, 22))] {
                Line::new(q.p(a.0, a.1), q.p(b.0, b.1))
                    .into_styled(stroke(ink, thick + 2))
                    .draw(fb)?;
            }
        }
        Icon::Cross => {
            for (a, b) in [((16, 16), (84, 84)), ((84, 16), (16, 84))] {
                Line::new(q.p(a.0, a.1), q.p(b.0, b.1))
                    .into_styled(stroke(ink, thick + 2))
                    .draw(fb)?;
            }
        }
        Icon::Hourglass => {
            Rectangle::new(q.p(16, 4), q.size(68, 8))
                .into_styled(fill(ink))
                .draw(fb)?;
            Rectangle::new(q.p(16, 88), q.size(68, 8))
                .into_styled(fill(ink))
                .draw(fb)?;
            Triangle::new(q.p(22, 12), q.p(78, 12), q.p(50, 50))
                .into_styled(stroke(ink, thick / 2))
                .draw(fb)?;
            Triangle::new(q.p(50, 50), q.p(22, 88), q.p(78, 88))
                .into_styled(fill(ink))
                .draw(fb)?;
        }
        Icon::Printer => {
            Rectangle::new(q.p(28, 4), q.size(44, 30))
                .into_styled(stroke(ink, thick / 3))
                .draw(fb)?;
            RoundedRectangle::with_equal_corners(
                Rectangle::new(q.p(4, 30), q.size(92, 42)),
                q.size(10, 10),
            )
            .into_styled(fill(ink))
            .draw(fb)?;
            Rectangle::new(q.p(24, 58), q.size(52, 40))
                .into_styled(fill(paper))
                .draw(fb)?;
            Rectangle::new(q.p(24, 58), q.size(52, 40))
                .into_styled(stroke(ink, thick / 3))
                .draw(fb)?;
        }
        Icon::Sheet => {
            Rectangle::new(q.p(14, 2), q.size(72, 96))
                .into_styled(fill(ink))
                .draw(fb)?;
            for (x, y) in [(22, 10), (52, 10), (22, 52), (52, 52)] {
                Rectangle::new(q.p(x, y), q.size(26, 36))
                    .into_styled(fill(paper))
                    .draw(fb)?;
                Circle::with_center(q.p(x + 13, y + 14), q.len(12) as u32)
                    .into_styled(fill(ink))
                    .draw(fb)?;
            }
        }
        Icon::Phone => {
            RoundedRectangle::with_equal_corners(
                Rectangle::new(q.p(22, 0), q.size(56, 100)),
                q.size(12, 12),
            )
            .into_styled(fill(ink))
            .draw(fb)?;
            Rectangle::new(q.p(28, 10), q.size(44, 76))
                .into_styled(fill(paper))
                .draw(fb)?;
            for (x, y) in [(32, 30), (54, 30), (32, 52)] {
                Rectangle::new(q.p(x, y), q.size(14, 14))
                    .into_styled(fill(ink))
                    .draw(fb)?;
            }
        }
        Icon::Coin => {
            RoundedRectangle::with_equal_corners(
                Rectangle::new(q.p(10, 70), q.size(80, 26)),
                q.size(8, 8),
            )
            .into_styled(fill(ink))
            .draw(fb)?;
            Rectangle::new(q.p(30, 80), q.size(40, 6))
                .into_styled(fill(paper))
                .draw(fb)?;
            Circle::with_center(q.p(50, 34), q.len(60) as u32)
                .into_styled(fill(ink))
                .draw(fb)?;
            Circle::with_center(q.p(50, 34), q.len(40) as u32)
                .into_styled(stroke(paper, thick / 3))
                .draw(fb)?;
            arrow(
                fb,
                Square {
                    c: q.p(50, 66),
                    s: q.len(16),
                },
                Way::Down,
                paper,
            )?;
        }
        Icon::Warning => {
            Triangle::new(q.p(50, 2), q.p(98, 94), q.p(2, 94))
                .into_styled(fill(ink))
                .draw(fb)?;
            Rectangle::new(q.p(45, 30), q.size(10, 38))
                .into_styled(fill(paper))
                .draw(fb)?;
            Rectangle::new(q.p(45, 76), q.size(10, 10))
                .into_styled(fill(paper))
                .draw(fb)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(icon: Icon) -> Framebuffer {
        let mut fb = Framebuffer::new(60, 60);
        draw(
            &mut fb,
            icon,
            Point::new(30, 30),
            48,
            Rgb565::WHITE,
            Rgb565::BLACK,
        );
        fb
    }

    /// Ink left of, right of, above and below the centre line.
    fn ink_halves(fb: &Framebuffer) -> [u32; 4] {
        let mut h = [0; 4];
        for (i, c) in fb.pixels().iter().enumerate() {
            if *c == Rgb565::WHITE {
                let (x, y) = (i % 60, i / 60);
                h[usize::from(x >= 30)] += 1;
                h[2 + usize::from(y >= 30)] += 1;
            }
        }
        h
    }

    /// An arrow's head (the wide end) carries most of its ink: a left
    /// arrow has more ink left of its centre.
    #[test]
    fn arrows_point_their_way() {
        let more = |a: u32, b: u32| a * 10 > b * 13;
        let [l, r, _, _] = ink_halves(&drawn(Icon::Arrow(Way::Left)));
        assert!(more(l, r), "left arrow: {l} left, {r} right");
        let [l, r, _, _] = ink_halves(&drawn(Icon::Arrow(Way::Right)));
        assert!(more(r, l), "right arrow: {l} left, {r} right");
        let [_, _, u, d] = ink_halves(&drawn(Icon::Arrow(Way::Up)));
        assert!(more(u, d), "up arrow: {u} up, {d} down");
        let [_, _, u, d] = ink_halves(&drawn(Icon::Arrow(Way::Down)));
        assert!(more(d, u), "down arrow: {u} up, {d} down");
    }

    /// Every framing and posture prompt has a picture, and no two of them
    /// share one (the picture is the instruction for who cannot read).
    #[test]
    fn every_direction_and_posture_prompt_has_its_own_picture() {
        // The table lists the framing and posture prompts first, up to Ready.
        let framing = &Prompt::ALL[..=Prompt::Ready as usize];
        assert_eq!(framing.first(), Some(&Prompt::StepIn));
        let mut seen = Vec::new();
        for &p in framing {
            let fb = drawn(Icon::for_prompt(p));
            let pixels = fb.pixels().to_vec();
            let ink = pixels.iter().filter(|&&c| c == Rgb565::WHITE).count();
            assert!(ink > 150, "{p:?}: {ink} pixels");
            assert!(
                !seen.contains(&pixels),
                "{p:?} looks like another prompt's picture"
            );
            seen.push(pixels);
        }
    }
}
