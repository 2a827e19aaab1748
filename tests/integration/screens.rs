//! Golden images of every booth screen in every language. A changed
//! picture fails the test; `PASSBOOTH_UPDATE_GOLDEN=1 cargo test screens`
//! rewrites them (look at the PNGs before committing).

use std::path::Path;

use passbooth::booth::screens::{Screens, View};
use passbooth::checks::Reason;
use passbooth::display::Framebuffer;
use passbooth::display::sim::snapshot;
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::write_file;
use passbooth::session::guide::{Guide, Overlay, Signal};
use passbooth::session::prompts::{Language, Prompt, reason_text};
use passbooth::spec::Spec;
use passbooth::vision::{FaceDetector, Range};

use crate::common::*;

/// Compares with (or, when asked, writes) tests/golden/NAME.png.
fn golden(name: &str, fb: &Framebuffer) {
    golden_image(name, &snapshot(fb));
}

fn golden_image(name: &str, img: &RgbImage) {
    let path = repo(&format!("tests/golden/{name}.png"));
    if std::env::var_os("PASSBOOTH_UPDATE_GOLDEN").is_some() {
        assert!(
            !under_ci(),
            "PASSBOOTH_UPDATE_GOLDEN under CI compares nothing"
        );
        write_file(img, &path, 72).unwrap();
        skipped(&format!("{name}: golden rewritten, not compared"));
        return;
    }
    let want = decode_file(&path).unwrap_or_else(|e| {
        panic!("{name}: no golden image ({e}); run with PASSBOOTH_UPDATE_GOLDEN=1")
    });
    assert_eq!(
        (want.width(), want.height()),
        (img.width(), img.height()),
        "{name}"
    );
    let differ = want
        .as_bytes()
        .iter()
        .zip(img.as_bytes())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differ,
        0,
        "{name}: {differ} bytes differ from {}",
        path.display()
    );
}

/// A 640 x 480 frame with the astronaut where the US overlay wants her: her
/// 161 px head scaled to the planned 227 px (1.41x), eyes at the planned
/// point, then moved by (dx, dy) frame pixels.
fn booth_frame(dx: f32, dy: f32) -> RgbImage {
    use passbooth::imaging::warp::Crop;
    use passbooth::vision::Point;
    let k = 1.41;
    let crop = Crop {
        center: Point::new(225.0 - dx / k, 136.0 - dy / k),
        width: 640.0 / k,
        height: 480.0 / k,
        angle: 0.0,
    };
    resample(&astronaut(), crop, 640, 480)
}

fn spec() -> Spec {
    Spec::load(&repo("specs/us-passport.toml")).unwrap()
}

fn screen(w: u16, h: u16, view: &View, lang: Language) -> Framebuffer {
    let mut fb = Framebuffer::new(w, h);
    Screens::new((w, h), &[lang]).draw(&mut fb, view, lang);
    fb
}

/// A plain viewfinder frame (a grey ramp): the language sheets show the
/// screens' own drawing, not a face.
fn plain_frame() -> RgbImage {
    let mut img = RgbImage::black(640, 480);
    for y in 0..480 {
        for x in 0..640 {
            let v = (60 + x / 8 + y / 12) as u8;
            img.put(x, y, [v, v, v.saturating_add(10)]);
        }
    }
    img
}

/// Copies `tile` into `sheet` at (x, y).
fn paste(sheet: &mut RgbImage, tile: &RgbImage, (x, y): (u32, u32)) {
    for ty in 0..tile.height() {
        for tx in 0..tile.width() {
            sheet.put(x + tx, y + ty, tile.get(tx, ty));
        }
    }
}

const TILE: (u32, u32) = (240, 320);
const BAR_H: u32 = 76;

/// Every screen of a session in `lang` (eleven tiles, three rows), and below
/// them the bar of every prompt (four columns): the whole look of one
/// language in one picture.
fn language_sheet(lang: Language) -> RgbImage {
    let photo = decode_file(Path::new(&repo("tests/fixtures/astronaut.png"))).unwrap();
    let s = spec();
    let frame = plain_frame();
    let overlay = Overlay::new(&s, 640, 480);
    let screens = Screens::new((240, 320), &Language::ALL);
    let framing = |prompt, signal, countdown| View::Framing {
        preview: &frame,
        overlay: &overlay,
        prompt,
        signal,
        countdown,
    };
    let views = [
        View::Attract {
            caption: &s.caption,
            size_mm: (s.width_mm, s.height_mm),
            price: Some("6.00 EUR"),
            languages: &Language::ALL,
        },
        framing(Prompt::MoveLeft, Signal::Amber, None),
        framing(Prompt::Ready, Signal::Green, Some(3)),
        View::Processing { progress: 0.4 },
        View::Review {
            photo: Some(&photo),
            accepted: true,
            reason: None,
            confirm: Prompt::PressToPrint,
        },
        View::Review {
            photo: Some(&photo),
            accepted: false,
            reason: Some(Reason::Glasses),
            confirm: Prompt::PressToPrint,
        },
        View::Payment {
            ready: true,
            due: "4.00 EUR",
            paid: Some("2.00 EUR"),
        },
        View::Printing { progress: 0.7 },
        View::Done,
        View::Handoff {
            link: "http://10.42.0.1:8080/p/0123456789abcdef0123456789abcdef.jpg",
            join: Some("WIFI:T:WPA;S:PhotoBooth;P:photo-booth-42;;"),
            printed: true,
        },
        View::Trouble {
            prompt: Prompt::OutOfPaper,
        },
    ];
    let cols = 5;
    let rows = views.len().div_ceil(cols) as u32;
    let bars = Prompt::ALL.len().div_ceil(4) as u32;
    let mut sheet = RgbImage::black(TILE.0 * cols as u32, TILE.1 * rows + BAR_H * bars);
    let mut fb = Framebuffer::new(240, 320);
    for (i, v) in views.iter().enumerate() {
        screens.draw(&mut fb, v, lang);
        let at = ((i % cols) as u32 * TILE.0, (i / cols) as u32 * TILE.1);
        paste(&mut sheet, &snapshot(&fb), at);
    }
    for (i, p) in Prompt::ALL.iter().enumerate() {
        screens.draw(&mut fb, &framing(*p, Signal::Amber, None), lang);
        let shot = snapshot(&fb);
        let (x0, y0) = (
            (i % 4) as u32 * TILE.0,
            TILE.1 * rows + (i / 4) as u32 * BAR_H,
        );
        for y in 0..BAR_H {
            for x in 0..TILE.0 {
                sheet.put(x0 + x, y0 + y, shot.get(x, TILE.1 - BAR_H + y));
            }
        }
    }
    sheet
}

#[test]
fn every_screen_in_every_language_matches_its_golden_sheet() {
    for lang in Language::ALL {
        golden_image(&format!("screens/{}", lang.code()), &language_sheet(lang));
    }
}

/// The same screen in two languages differs only where words are: the
/// prompt tables reach the screen.
#[test]
fn a_screen_speaks_the_language_asked_for() {
    let s = spec();
    let view = View::Trouble {
        prompt: Prompt::OutOfPaper,
    };
    let en = snapshot(&screen(240, 320, &view, Language::En));
    let uk = snapshot(&screen(240, 320, &view, Language::Uk));
    assert_ne!(en.as_bytes(), uk.as_bytes());
    // The picture (top third) is the same: only the words change.
    let third = 240 * 100 * 3;
    assert_eq!(en.as_bytes()[..third], uk.as_bytes()[..third]);
    assert_ne!(
        reason_text(Reason::Glasses, Language::Uk),
        reason_text(Reason::Glasses, Language::En)
    );
    let _ = s;
}

/// The countdown digit fills the picture: white from near the top of the
/// preview to near the bar, whatever the frame shows.
#[test]
fn the_countdown_fills_the_screen() {
    let frame = plain_frame();
    let overlay = Overlay::new(&spec(), 640, 480);
    for (w, h) in [(240u16, 320u16), (320, 480)] {
        let view = View::Framing {
            preview: &frame,
            overlay: &overlay,
            prompt: Prompt::Ready,
            signal: Signal::Green,
            countdown: Some(1),
        };
        let img = snapshot(&screen(w, h, &view, Language::En));
        let bar = (76.0 * f32::from(w.min(h)) / 240.0) as u32;
        let area = u32::from(h) - bar;
        let white_rows: Vec<u32> = (0..area)
            .filter(|&y| (0..u32::from(w)).any(|x| img.get(x, y) == [255, 255, 255]))
            .collect();
        let (top, bottom) = (white_rows[0], *white_rows.last().unwrap());
        assert!(
            (bottom - top) as f32 > 0.55 * area as f32,
            "{w}x{h}: digit {top}..{bottom} of {area} rows"
        );
    }
}

#[test]
fn framing_screens_show_the_live_advice_with_guides() {
    let mut det = FaceDetector::load(
        &repo("models/face_detection_short_range_int8.tflite"),
        Range::Short,
    )
    .unwrap();
    let overlay = Overlay::new(&spec(), 640, 480);
    for (name, frame, w, h, countdown) in [
        ("framing_centred", booth_frame(0.0, 0.0), 240, 320, None),
        (
            "framing_off_centre",
            booth_frame(-90.0, 0.0),
            240,
            320,
            None,
        ),
        ("framing_landscape", booth_frame(0.0, 0.0), 320, 240, None),
        ("countdown", booth_frame(0.0, 0.0), 240, 320, Some(2)),
    ] {
        let mut guide = Guide::new(overlay, 480);
        let faces = det.detect(&frame).unwrap().to_vec();
        let (prompt, signal) = guide.advise(&faces);
        if name == "framing_centred" {
            assert_eq!((prompt, signal), (Prompt::Ready, Signal::Green), "{name}");
        }
        if name == "framing_off_centre" {
            // She is left of centre in the camera's image: her own right.
            assert_eq!(prompt, Prompt::MoveLeft, "{name}");
            assert_eq!(signal, Signal::Amber);
        }
        let view = View::Framing {
            preview: &frame,
            overlay: &overlay,
            prompt,
            signal,
            countdown,
        };
        let fb = screen(w, h, &view, Language::En);
        golden(name, &fb);
        // The bar at the bottom carries the signal's colour.
        let bar = snapshot(&fb).get(2, u32::from(h) - 3);
        let want = match signal {
            Signal::Green => [0, 255, 0],
            Signal::Amber => [255, 162, 0],
            Signal::Red => [255, 0, 0],
        };
        assert_eq!(bar, want, "{name}: {prompt:?} {signal:?}");
    }
}

/// A frame draws from prepared glyphs only: the framing screen (two lines
/// of Ukrainian beside the picture) and the countdown over it, and a
/// working screen's progress bar, allocate nothing.
#[test]
fn drawing_a_frame_allocates_nothing() {
    let frame = plain_frame();
    let overlay = Overlay::new(&spec(), 640, 480);
    let screens = Screens::new((240, 320), &Language::ALL);
    let mut fb = Framebuffer::new(240, 320);
    let views = [
        View::Framing {
            preview: &frame,
            overlay: &overlay,
            prompt: Prompt::MoveLeft,
            signal: Signal::Amber,
            countdown: None,
        },
        View::Framing {
            preview: &frame,
            overlay: &overlay,
            prompt: Prompt::Ready,
            signal: Signal::Green,
            countdown: Some(2),
        },
    ];
    // Once to warm up whatever is lazy (the phrasebook).
    for v in &views {
        screens.draw(&mut fb, v, Language::Uk);
    }
    for v in &views {
        let ((), allocs, bytes) = crate::alloc::count(|| screens.draw(&mut fb, v, Language::Uk));
        assert_eq!((allocs, bytes), (0, 0), "{v:?}");
    }
    let ((), allocs, _) = crate::alloc::count(|| screens.progress(&mut fb, 0.5));
    assert_eq!(allocs, 0);
}
