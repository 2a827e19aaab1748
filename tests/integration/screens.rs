//! Golden images of every booth screen. A changed picture fails the test;
//! `PASSBOOTH_UPDATE_GOLDEN=1 cargo test screens` rewrites them (look at the
//! PNGs before committing).

use std::path::Path;

use passbooth::booth::screens::{View, draw};
use passbooth::checks::Reason;
use passbooth::display::Framebuffer;
use passbooth::display::sim::snapshot;
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::write_file;
use passbooth::session::guide::{Guide, Overlay, Signal};
use passbooth::session::prompts::{Language, Prompt};
use passbooth::spec::Spec;
use passbooth::vision::{FaceDetector, Range};

use crate::common::*;

/// Compares with (or, when asked, writes) tests/golden/NAME.png.
fn golden(name: &str, fb: &Framebuffer) {
    let path = repo(&format!("tests/golden/{name}.png"));
    let img = snapshot(fb);
    if std::env::var_os("PASSBOOTH_UPDATE_GOLDEN").is_some() {
        assert!(
            !under_ci(),
            "PASSBOOTH_UPDATE_GOLDEN under CI compares nothing"
        );
        write_file(&img, &path, 72).unwrap();
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
    draw(&mut fb, view, lang);
    fb
}

#[test]
fn still_screens_match_their_golden_images() {
    let photo = decode_file(Path::new(&repo("tests/fixtures/astronaut.png"))).unwrap();
    let s = spec();
    let cases: [(&str, View, Language); 9] = [
        (
            "attract",
            View::Attract {
                caption: &s.caption,
            },
            Language::En,
        ),
        (
            "attract_de",
            View::Attract {
                caption: &s.caption,
            },
            Language::De,
        ),
        ("processing", View::Processing, Language::En),
        (
            "review_accepted",
            View::Review {
                photo: Some(&photo),
                accepted: true,
                reason: None,
                confirm: Prompt::PressToPrint,
            },
            Language::En,
        ),
        (
            "review_rejected",
            View::Review {
                photo: Some(&photo),
                accepted: false,
                reason: Some(Reason::Pose),
                confirm: Prompt::PressToPrint,
            },
            Language::En,
        ),
        ("printing", View::Printing, Language::En),
        ("done", View::Done, Language::En),
        (
            "handoff",
            View::Handoff {
                link: "http://10.42.0.1:8080/p/0123456789abcdef0123456789abcdef.jpg",
                join: Some("WIFI:T:WPA;S:PhotoBooth;P:photo-booth-42;;"),
                printed: true,
            },
            Language::En,
        ),
        (
            "trouble",
            View::Trouble {
                prompt: Prompt::OutOfPaper,
            },
            Language::En,
        ),
    ];
    for (name, view, lang) in cases {
        golden(name, &screen(240, 320, &view, lang));
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
