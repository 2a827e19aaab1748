//! Whole booth sessions in simulation: the replay camera, scripted presses
//! on a virtual clock, and a real IPP printer (ippeveprinter).

use passbooth::booth::demo::{STEP_MS, scenes};
use passbooth::booth::{Booth, BoothSettings, LiveModels};
use passbooth::capture::replay::{Playback, ReplaySource};
use passbooth::display::sim::NullScreen;
use passbooth::engine::Engine;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::recorded_dpi;
use passbooth::input::Press;
use passbooth::print::ipp::IppPrinter;
use passbooth::print::media::Media;
use passbooth::session::guide::Signal;
use passbooth::session::machine::{State, Timing};
use passbooth::session::prompts::Language;
use passbooth::spec::Spec;
use passbooth::vision::{FaceDetector, Range};
use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};

fn booth(printer: IppPrinter) -> Booth<ReplaySource, NullScreen> {
    let settings = BoothSettings {
        spec: Spec::load(&repo("specs/us-passport.toml")).unwrap(),
        media: Media::parse("4x6").unwrap(),
        margin_mm: 0.0,
        lang: Language::En,
        timing: Timing::default(),
    };
    let camera = ReplaySource::from_images(scenes(&astronaut()), 6, Playback::HoldLast);
    let engine = Engine::load(&repo("models")).unwrap();
    let live = LiveModels::load(&repo("models")).unwrap();
    Booth::new(
        settings,
        camera,
        NullScreen::default(),
        printer,
        engine,
        live,
        (240, 320),
        0,
    )
}

/// Presses like a person: start, go when the screen turns green, confirm
/// the review; 60 virtual seconds, or until `until` holds.
fn session(b: &mut Booth<ReplaySource, NullScreen>, until: impl Fn(&State) -> bool) {
    let mut now = 0;
    let mut reviewed = false;
    let mut step = 0;
    for _ in 0..30_000 {
        // Virtual time stands still while the engine or printer works.
        if b.busy() {
            std::thread::sleep(std::time::Duration::from_millis(2));
        } else {
            now += STEP_MS;
            step += 1;
        }
        if step > 600 {
            break;
        }
        let press = match b.state() {
            State::Idle if step == 1 => Some(Press::Short),
            State::Framing if matches!(b.live(), Some((Signal::Green, _))) => Some(Press::Short),
            State::Review { .. } if !reviewed => {
                reviewed = true;
                Some(Press::Short)
            }
            _ => None,
        };
        b.step(now, press).unwrap();
        if until(b.state()) {
            return;
        }
    }
    assert!(
        b.record().prints > 0 || matches!(b.state(), State::Trouble { .. }),
        "session did not finish: {:?}",
        b.record().states
    );
}

#[test]
fn a_scripted_session_prints_on_a_real_printer_and_ends_idle_and_wiped() {
    let p = TestPrinter::start(
        Behaviour::Prints,
        "na_index-4x6_4x6in",
        "image/jpeg,application/pdf",
    );
    let mut b = booth(IppPrinter::new(&p.uri).unwrap());
    session(&mut b, |_| false);
    let names: Vec<&str> = b.record().states.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        names,
        [
            "idle",
            "framing",
            "countdown",
            "capture",
            "processing",
            "review",
            "printing",
            "done",
            "idle"
        ]
    );
    assert_eq!(b.record().accepted, Some(true));
    assert_eq!(b.record().prints, 1);
    assert!(!b.holds_face_data(), "session data wiped");
    let docs = p.received();
    assert_eq!(docs.len(), 1);
    let sheet = decode_file(&docs[0]).unwrap();
    assert_eq!((sheet.width(), sheet.height()), (1200, 1800));
    assert_eq!(recorded_dpi(&std::fs::read(&docs[0]).unwrap()), Some(300.0));
}

#[test]
fn out_of_paper_shows_trouble_and_wipes_the_session() {
    let p = TestPrinter::start(Behaviour::OutOfPaper, "na_index-4x6_4x6in", "image/jpeg");
    let mut b = booth(IppPrinter::new(&p.uri).unwrap());
    session(&mut b, |s| matches!(s, State::Trouble { .. }));
    assert_eq!(
        b.state(),
        &State::Trouble {
            code: "out_of_paper".into()
        }
    );
    assert!(!b.holds_face_data());
    // The screen says to call staff.
    let bar = passbooth::display::sim::snapshot(b.framebuffer()).get(2, 317);
    assert_eq!(bar, [255, 0, 0]);
}

#[test]
fn the_demo_writes_a_sheet_and_snapshots() {
    let out = TempDir::new().unwrap();
    let run = passbooth(&["demo", "--out", out.path().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&run.stdout).to_string();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        text.contains("idle@0.0s -> framing@")
            && text.contains("-> printing@")
            && text.contains("accepted"),
        "{text}"
    );
    let sheet = decode_file(&out.path().join("sheet-1.jpg")).unwrap();
    assert_eq!((sheet.width(), sheet.height()), (1200, 1800));
    let shots = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("screen-")
        })
        .count();
    assert!(shots >= 6, "{shots} snapshots");
    let mut det = FaceDetector::load(
        &repo("models/face_detection_full_range.tflite"),
        Range::Full,
    )
    .unwrap();
    assert_eq!(det.detect(&sheet).unwrap().len(), 6);
}

#[test]
fn the_booth_keeps_running_while_a_slow_printer_works() {
    let p = TestPrinter::start(Behaviour::Slow(4), "na_index-4x6_4x6in", "image/jpeg");
    let mut b = booth(IppPrinter::new(&p.uri).unwrap());
    session(&mut b, |s| matches!(s, State::Printing));
    assert!(b.busy());
    // Twenty turns of the loop (screen, button, watchdog) while it prints.
    let start = std::time::Instant::now();
    for i in 0..20 {
        b.step(100_000 + i * STEP_MS, None).unwrap();
    }
    assert!(
        start.elapsed() < std::time::Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(b.state(), &State::Printing);
}

#[test]
fn a_still_screen_is_sent_once_not_every_turn() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let mut b = booth(IppPrinter::new(&p.uri).unwrap());
    for i in 0..20 {
        b.step(i * STEP_MS, None).unwrap();
    }
    assert_eq!(
        b.screen().flushes,
        1,
        "the attract screen went over the bus once"
    );
    // A press changes the screen, and back in idle the attract screen is sent again.
    b.step(2100, Some(Press::Short)).unwrap();
    b.step(2200, Some(Press::Long)).unwrap();
    let sent = b.screen().flushes;
    for i in 0..10 {
        b.step(2300 + i * STEP_MS, None).unwrap();
    }
    assert_eq!(b.state(), &State::Idle);
    assert_eq!(b.screen().flushes, sent);
    assert_eq!(
        passbooth::display::sim::snapshot(b.framebuffer()).get(2, 317),
        [255, 255, 255],
        "attract bar"
    );
}
