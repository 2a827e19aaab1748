//! The booth in several languages: the attract screen cycles through them,
//! a press keeps the one on the screen for the whole session, and the next
//! customer starts from the first again.

use passbooth::booth::screens::{Screens, View};
use passbooth::booth::script::{Person, play};
use passbooth::booth::{BoothSettings, LANGUAGE_CYCLE_MS};
use std::path::Path;

use passbooth::capture::FrameSource;
use passbooth::capture::replay::ReplaySource;
use passbooth::display::Framebuffer;
use passbooth::engine::Engine;
use passbooth::input::Press;
use passbooth::print::FolderPrinter;
use passbooth::session::machine::State;
use passbooth::session::prompts::{Language, Languages};
use passbooth::spec::Spec;
use tempfile::TempDir;

use crate::booth::{Sees, TestBooth, booth_from, replay};
use crate::common::*;

const OFFERED: [Language; 3] = [Language::En, Language::De, Language::Uk];

/// A booth offering `languages` on the US passport, seeing through the
/// scripted detector and printing into `out`.
pub(crate) fn scripted_booth(languages: Languages, out: &Path) -> TestBooth<ReplaySource> {
    let mut settings =
        BoothSettings::new(Spec::load(&repo("specs/us-passport.toml")).unwrap()).unwrap();
    settings.languages = languages;
    let printer = FolderPrinter::new(out);
    let engine = Engine::load(&repo("models")).unwrap();
    booth_from(settings, Sees::Script, replay(), printer, engine)
}

fn booth(out: &TempDir) -> TestBooth<ReplaySource> {
    scripted_booth(Languages::new(&OFFERED).unwrap(), out.path())
}

/// Whether the booth's screen is the attract screen in `lang`.
fn attract_in<C: FrameSource>(b: &TestBooth<C>, lang: Language) -> bool {
    let spec = Spec::load(&repo("specs/us-passport.toml")).unwrap();
    let mut want = Framebuffer::new(240, 320);
    Screens::new((240, 320), &OFFERED).draw(
        &mut want,
        &View::Attract {
            caption: &spec.caption,
            size_mm: (spec.width_mm, spec.height_mm),
            price: None,
            languages: &OFFERED,
        },
        lang,
    );
    want.pixels() == b.framebuffer().pixels()
}

#[test]
fn the_attract_screen_cycles_and_a_press_keeps_the_language_on_the_screen() {
    let out = TempDir::new().unwrap();
    let mut b = booth(&out);
    b.step(0, None).unwrap();
    assert_eq!(b.language(), Language::En);
    assert!(attract_in(&b, Language::En));
    // Each language in turn, every LANGUAGE_CYCLE_MS, back to the first.
    let mut now = 0;
    for (turn, lang) in [
        (1, Language::De),
        (2, Language::Uk),
        (3, Language::En),
        (4, Language::De),
    ] {
        while now < turn * LANGUAGE_CYCLE_MS - 100 {
            now += 100;
            b.step(now, None).unwrap();
        }
        assert_eq!(
            b.language(),
            OFFERED[(turn as usize - 1) % 3],
            "just before {turn}"
        );
        now += 100;
        b.step(now, None).unwrap();
        assert_eq!(b.language(), lang, "at {now} ms");
        assert!(
            attract_in(&b, lang),
            "the screen shows {lang:?} at {now} ms"
        );
    }
    // German on the screen; the press lands exactly as Ukrainian is due:
    // the session is German, the language the customer saw.
    while now < 5 * LANGUAGE_CYCLE_MS - 100 {
        now += 100;
        b.step(now, None).unwrap();
    }
    assert_eq!(b.language(), Language::De);
    now += 100;
    b.step(now, Some(Press::Short)).unwrap();
    assert_eq!(b.state(), &State::Framing);
    assert_eq!(b.language(), Language::De);
    // Through the whole session, however long, it stays German.
    let mut langs = std::collections::HashSet::new();
    play(
        &mut b,
        &mut Person::new().walking_up_on(u64::MAX),
        &mut now,
        1200,
        |b, _| {
            if !matches!(b.state(), State::Idle) {
                langs.insert(b.language());
            }
            Ok(b.record().prints > 0 && matches!(b.state(), State::Idle))
        },
    )
    .unwrap();
    assert_eq!(b.record().prints, 1, "{:?}", b.record().states);
    assert_eq!(langs.into_iter().collect::<Vec<_>>(), [Language::De]);
    // The next customer meets the first language.
    assert_eq!(b.state(), &State::Idle);
    assert_eq!(b.language(), Language::En);
    assert!(attract_in(&b, Language::En));
}
