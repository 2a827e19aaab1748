//! The glasses check on the hand-marked portraits (`tests/fixtures/
//! accuracy/marks.tsv` says who wears glasses): false accepts and false
//! rejects under a spec that forbids glasses, and the glare measure under
//! one that allows them; and on the astronaut with frames and glare drawn
//! on, where the truth is known exactly.

use passbooth::checks::Check;
use passbooth::engine::report::Timings;
use passbooth::engine::{BackgroundMode, Engine, Options};
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::spec::Spec;

use crate::accuracy::{cropped, read_marks};
use crate::common::*;

fn check_of(engine: &mut Engine, img: &RgbImage, spec: &Spec, name: &str) -> Option<Check> {
    let opts = Options {
        dpi: spec.dpi,
        background: BackgroundMode::Keep,
    };
    let a = engine
        .process(img, spec, &opts, &mut Timings::default())
        .unwrap();
    a.checks.into_iter().find(|c| c.name == name)
}

#[test]
fn glasses_on_the_marked_portraits_false_accepts_and_rejects() {
    let Some(dir) = shared_portraits("the glasses check is measured on the host") else {
        return;
    };
    let us = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let icao = Spec::load(&repo("specs/icao.toml")).unwrap();
    let mut engine = Engine::load(&repo("models")).unwrap();
    let (mut false_accepts, mut false_rejects, mut worn, mut bare) = (vec![], vec![], 0, 0);
    let mut glare_flagged = vec![];
    for m in read_marks() {
        let whole = decode_file(&dir.join(&m.file)).unwrap();
        let img = match m.crop {
            Some(c) => cropped(&whole, c),
            None => whole,
        };
        let name = match m.crop {
            Some(c) => format!("{} @{},{}", m.file, c[0], c[1]),
            None => m.file.clone(),
        };
        let Some(frame) = check_of(&mut engine, &img, &us, "no_glasses") else {
            println!("{name:<48} no composed photo");
            continue;
        };
        let glare = check_of(&mut engine, &img, &icao, "lens_glare");
        let glare = glare.map_or(f64::NAN, |c| c.value);
        println!(
            "{name:<48} frame {:>6.1}  glare {:>6.3}  {}{}",
            frame.value,
            glare,
            if m.glasses { "glasses" } else { "-" },
            match (m.glasses, frame.passed) {
                (true, true) => "  FALSE ACCEPT",
                (false, false) => "  FALSE REJECT",
                _ => "",
            }
        );
        if m.glasses {
            worn += 1;
            if frame.passed {
                false_accepts.push(name.clone());
            }
        } else {
            bare += 1;
            if !frame.passed {
                false_rejects.push(name.clone());
            }
        }
        if glare > passbooth::checks::thresholds::MAX_LENS_GLARE {
            glare_flagged.push(name);
        }
    }
    println!(
        "glasses: {} of {worn} accepted (false accepts {:?}); bare faces: {} of {bare} rejected (false rejects {:?}); glare flagged on {:?}",
        false_accepts.len(),
        false_accepts,
        false_rejects.len(),
        false_rejects,
        glare_flagged
    );
    // Today's rates, as bounds: no bare face rejected, one of three pairs
    // of glasses missed (thin rims on a laughing 76 px face).
    assert!(
        worn >= 3 && bare >= 35,
        "{worn} with glasses, {bare} without"
    );
    assert!(false_rejects.is_empty(), "false rejects: {false_rejects:?}");
    assert!(false_accepts.len() <= 1, "false accepts: {false_accepts:?}");
    assert!(glare_flagged.is_empty(), "glare on {glare_flagged:?}");
}

/// The astronaut's eye centres (hand marks).
const EYES: [[f32; 2]; 2] = [[202.0, 101.0], [246.0, 102.0]];

/// `img` with a pair of rectangular frames drawn round `EYES`: rims
/// `thickness` pixels wide in `colour`, joined by a bridge a little above
/// the eye line; and, with `glare`, a small white reflection on each lens.
fn with_frames(img: &RgbImage, thickness: f32, colour: [u8; 3], glare: bool) -> RgbImage {
    let mut out = RgbImage::black(img.width(), img.height());
    out.as_bytes_mut().copy_from_slice(img.as_bytes());
    let (half_w, half_h) = (18.0, 12.0);
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let on_rim = EYES.iter().any(|e| {
                let (dx, dy) = ((px - e[0]).abs(), (py - e[1] - 2.0).abs());
                let outside_inner = dx > half_w - thickness || dy > half_h - thickness;
                dx <= half_w && dy <= half_h && outside_inner
            });
            let bridge_x = (EYES[0][0] + half_w - 1.0, EYES[1][0] - half_w + 1.0);
            let on_bridge =
                px >= bridge_x.0 && px <= bridge_x.1 && (py - 96.0).abs() <= thickness / 2.0;
            let on_glare = glare
                && EYES
                    .iter()
                    .any(|e| ((px - (e[0] - 10.0)) / 2.5).hypot(py - (e[1] - 5.0)) <= 2.0);
            if on_glare {
                out.put(x, y, [255, 255, 255]);
            } else if on_rim || on_bridge {
                out.put(x, y, colour);
            }
        }
    }
    out
}

#[test]
fn drawn_frames_are_glasses_where_forbidden_and_a_reflection_is_glare_where_allowed() {
    let us = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let icao = Spec::load(&repo("specs/icao.toml")).unwrap();
    let mut engine = Engine::load(&repo("models")).unwrap();
    let bare = astronaut();
    let plain = check_of(&mut engine, &bare, &us, "no_glasses").unwrap();
    assert!(plain.passed, "the bare astronaut: {plain:?}");
    let black = with_frames(&bare, 3.0, [20, 18, 16], false);
    let metal = with_frames(&bare, 1.5, [205, 190, 150], false);
    for (what, img) in [("black frames", &black), ("thin metal frames", &metal)] {
        let c = check_of(&mut engine, img, &us, "no_glasses").unwrap();
        println!("{what}: bridge bar {:.1}", c.value);
        assert!(!c.passed, "{what} passed: {c:?}");
        assert_eq!(c.reason, passbooth::checks::Reason::Glasses);
        let g = check_of(&mut engine, img, &icao, "lens_glare").unwrap();
        assert!(g.passed, "{what} without reflections: {g:?}");
    }
    let shiny = with_frames(&bare, 3.0, [20, 18, 16], true);
    let g = check_of(&mut engine, &shiny, &icao, "lens_glare").unwrap();
    println!("reflections: lens glare {:.3}", g.value);
    assert!(!g.passed, "reflections passed: {g:?}");
    assert_eq!(g.reason, passbooth::checks::Reason::Glare);
    // Under a spec that forbids glasses there is no glare check to fail.
    assert!(check_of(&mut engine, &shiny, &us, "lens_glare").is_none());
}
