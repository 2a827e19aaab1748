//! Whole booth sessions in simulation: the replay camera, scripted presses
//! on a virtual clock, and a real IPP printer (ippeveprinter).

use passbooth::booth::demo::{STEP_MS, scenes};
use passbooth::booth::script::{Person, play, stepping_in};
use passbooth::booth::worker::Processor;
use passbooth::booth::{Booth, BoothSettings, LiveModels, Parts};
use passbooth::capture::replay::{Playback, ReplaySource};
use passbooth::capture::still::CameraStill;
use passbooth::capture::{CaptureError, FrameSource};
use passbooth::display::sim::NullScreen;
use passbooth::engine::Engine;
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::recorded_dpi;
use passbooth::input::Press;
use passbooth::print::ipp::IppPrinter;
use passbooth::print::media::Media;
use passbooth::print::{FolderPrinter, Paper, SheetPrinter};
use passbooth::session::guide::Overlay;
use passbooth::session::machine::{State, Timing, Trouble};
use passbooth::session::prompts::{Language, Prompt};
use passbooth::spec::Spec;
use passbooth::vision::live::LiveDetector;
use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, ROUTES, Route, Target, TestPrinter};

/// Which live detector a booth test runs with: the real models, or a
/// script of what they would see as the person steps in. Every booth test
/// that concerns the live loop runs with both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sees {
    /// LiteRT's BlazeFace and face mesh on the replayed frames.
    Models,
    /// [`stepping_in`]: no model loaded.
    Script,
}

/// Both detectors.
pub(crate) const BOTH: [Sees; 2] = [Sees::Models, Sees::Script];

/// Runs `test` with each detector on each route to the printer.
fn with_each_detector_and_route(test: impl Fn(Sees, Route)) {
    for sees in BOTH {
        for route in ROUTES {
            test(sees, route);
        }
    }
}

/// A booth as the tests build it: a silent screen, either detector.
pub(crate) type TestBooth<C> = Booth<C, NullScreen, Box<dyn LiveDetector>>;

fn booth(sees: Sees, printer: IppPrinter) -> TestBooth<ReplaySource> {
    booth_with(sees, replay(), printer)
}

/// The astronaut walking in, six frames a scene, then staying: rendered
/// once per test run (seconds under emulation), a fresh replica for each
/// booth.
pub(crate) fn replay() -> ReplaySource {
    static WALK_IN: std::sync::OnceLock<ReplaySource> = std::sync::OnceLock::new();
    WALK_IN
        .get_or_init(|| ReplaySource::from_images(scenes(&astronaut()), 6, Playback::HoldLast))
        .replica()
}

pub(crate) fn booth_with<C: FrameSource, P: SheetPrinter + Send + 'static>(
    sees: Sees,
    camera: C,
    printer: P,
) -> TestBooth<C> {
    let engine = Engine::load(&repo("models")).unwrap();
    booth_seeing(sees, camera, printer, engine, Timing::default())
}

/// A booth on the US passport and 4x6 paper with any engine and timing,
/// seeing through the models.
pub(crate) fn booth_built<C: FrameSource, P: SheetPrinter + Send + 'static, E: Processor>(
    camera: C,
    printer: P,
    engine: E,
    timing: Timing,
) -> TestBooth<C> {
    booth_seeing(Sees::Models, camera, printer, engine, timing)
}

/// [`booth_built`] with the detector `sees`.
pub(crate) fn booth_seeing<C: FrameSource, P: SheetPrinter + Send + 'static, E: Processor>(
    sees: Sees,
    camera: C,
    printer: P,
    engine: E,
    timing: Timing,
) -> TestBooth<C> {
    booth_from(us_passport_on_4x6(timing), sees, camera, printer, engine)
}

/// The tests' booth settings: the US passport on 4x6 paper, in English.
pub(crate) fn us_passport_on_4x6(timing: Timing) -> BoothSettings {
    BoothSettings {
        spec: Spec::load(&repo("specs/us-passport.toml")).unwrap(),
        paper: Paper::new(Media::parse("4x6").unwrap()),
        languages: passbooth::session::prompts::Languages::one(Language::En),
        timing,
        payment: None,
    }
}

/// The live models as a booth starting here loads them, measured once per
/// test run and loaded as chosen after that.
pub(crate) fn live_models() -> LiveModels {
    static CHOICE: std::sync::OnceLock<passbooth::booth::LiveChoice> = std::sync::OnceLock::new();
    if let Some(choice) = CHOICE.get() {
        return LiveModels::load_as(&repo("models"), choice).unwrap();
    }
    let live = LiveModels::load(&repo("models")).unwrap();
    let _ = CHOICE.set(live.choice().clone());
    live
}

/// A booth with `settings` on a 240 x 320 screen seeing through `sees`.
pub(crate) fn booth_from<C: FrameSource, P: SheetPrinter + Send + 'static, E: Processor>(
    settings: BoothSettings,
    sees: Sees,
    camera: C,
    printer: P,
    engine: E,
) -> TestBooth<C> {
    let (vw, vh) = camera.viewfinder_size();
    let detector: Box<dyn LiveDetector> = match sees {
        Sees::Models => Box::new(live_models()),
        Sees::Script => Box::new(stepping_in(&Overlay::new(&settings.spec, vw, vh))),
    };
    booth_seeing_through(settings, detector, camera, printer, engine)
}

/// A booth with `settings` on a 240 x 320 screen, seeing through `detector`.
pub(crate) fn booth_seeing_through<
    C: FrameSource,
    P: SheetPrinter + Send + 'static,
    E: Processor,
>(
    settings: BoothSettings,
    detector: Box<dyn LiveDetector>,
    camera: C,
    printer: P,
    engine: E,
) -> TestBooth<C> {
    let parts = Parts {
        detector,
        engine,
        printer,
    };
    Booth::new(
        settings,
        camera,
        (NullScreen::default(), (240, 320)),
        parts,
        0,
    )
}

/// Presses like a person: start, go when the screen turns green, confirm
/// the review; 60 virtual seconds, or until `until` holds.
pub(crate) fn session<C: FrameSource>(b: &mut TestBooth<C>, until: impl Fn(&State) -> bool) {
    session_from(b, 0, until)
}

/// [`session`] starting at virtual time `start`.
pub(crate) fn session_from<C: FrameSource>(
    b: &mut TestBooth<C>,
    start: u64,
    until: impl Fn(&State) -> bool,
) {
    let mut now = start;
    play(b, &mut Person::new(), &mut now, 600, |b, _| {
        Ok(until(b.state()))
    })
    .unwrap();
    if until(b.state()) {
        return;
    }
    assert!(
        b.record().prints > 0 || matches!(b.state(), State::Trouble(_)),
        "session did not finish: {:?}",
        b.record().states
    );
}

#[test]
fn a_scripted_session_prints_on_a_real_printer_and_ends_idle_and_wiped() {
    with_each_detector_and_route(a_scripted_session_prints);
}

fn a_scripted_session_prints(sees: Sees, route: Route) {
    let p = Target::start(
        route,
        Behaviour::Prints,
        "na_index-4x6_4x6in",
        "image/jpeg,application/pdf",
    );
    let mut b = booth(sees, IppPrinter::new(&p.uri).unwrap());
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
    with_each_detector_and_route(out_of_paper_shows_trouble);
}

fn out_of_paper_shows_trouble(sees: Sees, route: Route) {
    let p = Target::start(
        route,
        Behaviour::OutOfPaper,
        "na_index-4x6_4x6in",
        "image/jpeg",
    );
    let mut b = booth(sees, IppPrinter::new(&p.uri).unwrap());
    session(&mut b, |s| matches!(s, State::Trouble(_)));
    assert_eq!(
        b.state(),
        &State::Trouble(Trouble::OutOfPaper),
        "{sees:?} {route:?}"
    );
    assert!(!b.holds_face_data());
    // The screen says to call staff: no paper.
    assert!(shows(&b, Prompt::OutOfPaper));
}

#[test]
fn the_demo_writes_sheets_and_snapshots_in_two_languages() {
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
    let shots: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("screen-"))
        .collect();
    // One session in each of the two default languages: every screen of a
    // session, in both.
    for lang in ["en", "de"] {
        for state in [
            "idle",
            "framing",
            "countdown",
            "processing",
            "review",
            "printing",
            "done",
        ] {
            let tag = format!("-{lang}-{state}.png");
            assert!(
                shots.iter().any(|n| n.ends_with(&tag)),
                "no {tag} in {shots:?}"
            );
        }
    }
    assert!(text.contains("2 session(s) (en, de)"), "{text}");
    assert!(out.path().join("sheet-2.jpg").exists(), "{text}");
    assert_eq!(faces_on_sheet(&sheet), 6);
}

#[test]
fn the_booth_keeps_running_while_a_slow_printer_works() {
    for route in ROUTES {
        keeps_running_while_a_slow_printer_works(Sees::Script, route);
    }
}

fn keeps_running_while_a_slow_printer_works(sees: Sees, route: Route) {
    let p = Target::start(
        route,
        Behaviour::Slow(4),
        "na_index-4x6_4x6in",
        "image/jpeg",
    );
    let mut b = booth(sees, IppPrinter::new(&p.uri).unwrap());
    session(&mut b, |s| matches!(s, State::Printing));
    assert!(b.busy());
    let before = passbooth::display::sim::snapshot(b.framebuffer());
    // Twenty turns of the loop (screen, button, watchdog) while it prints:
    // the job (4 s at the printer) is still running after them, so none of
    // them waited for it (a turn that had would have seen it end).
    for i in 0..20 {
        b.step(100_000 + i * STEP_MS, None).unwrap();
    }
    assert!(b.busy(), "a turn waited for the printer");
    assert_eq!(b.state(), &State::Printing);
    // The progress bar moved on, and nothing else on the screen changed
    // (a turn sends a few rows, not the picture).
    let after = passbooth::display::sim::snapshot(b.framebuffer());
    let cyan = |img: &RgbImage| {
        (0..240)
            .filter(|&x| img.get(x, 276) == [0, 255, 255])
            .count()
    };
    assert!(
        cyan(&after) > cyan(&before),
        "{} -> {}",
        cyan(&before),
        cyan(&after)
    );
    for y in 0..320 {
        for x in 0..240 {
            if before.get(x, y) != after.get(x, y) {
                assert!((268..285).contains(&y), "({x}, {y}) changed");
            }
        }
    }
}

#[test]
fn a_still_screen_is_sent_once_not_every_turn() {
    for sees in BOTH {
        a_still_screen_is_sent_once_not_every_turn_with(sees);
    }
}

fn a_still_screen_is_sent_once_not_every_turn_with(sees: Sees) {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let mut b = booth(sees, IppPrinter::new(&p.uri).unwrap());
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

/// A camera whose cable can be pulled: the replay camera behind a switch,
/// failing every call while unplugged, as the libcamera source does.
struct Unpluggable {
    inner: ReplaySource,
    plugged: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Unpluggable {
    fn there(&self) -> Result<(), CaptureError> {
        if self.plugged.get() {
            Ok(())
        } else {
            Err(CaptureError::lost("unplugged"))
        }
    }
}

impl FrameSource for Unpluggable {
    fn viewfinder_size(&self) -> (u32, u32) {
        self.inner.viewfinder_size()
    }
    fn start(&mut self) -> Result<(), CaptureError> {
        self.there()
    }
    fn check(&mut self) -> Result<(), CaptureError> {
        self.there()
    }
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        self.there()?;
        self.inner.next_frame()
    }
    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        self.there()?;
        self.inner.still()
    }
    fn wipe(&mut self) {
        self.inner.wipe()
    }
}

fn shows<C: passbooth::capture::FrameSource>(b: &TestBooth<C>, prompt: Prompt) -> bool {
    let mut want = passbooth::display::Framebuffer::new(240, 320);
    passbooth::booth::screens::Screens::new((240, 320), &[Language::En]).draw(
        &mut want,
        &passbooth::booth::screens::View::Trouble { prompt },
        Language::En,
    );
    passbooth::display::sim::snapshot(&want).as_bytes()
        == passbooth::display::sim::snapshot(b.framebuffer()).as_bytes()
}

#[test]
fn a_camera_pulled_mid_session_shows_on_screen_and_the_booth_recovers_when_it_is_back() {
    for sees in BOTH {
        a_camera_pulled_mid_session_shows_on_screen_and_the_booth_recovers_when_it_is_back_with(
            sees,
        );
    }
}

fn a_camera_pulled_mid_session_shows_on_screen_and_the_booth_recovers_when_it_is_back_with(
    sees: Sees,
) {
    let plugged = std::rc::Rc::new(std::cell::Cell::new(true));
    let camera = Unpluggable {
        inner: replay(),
        plugged: plugged.clone(),
    };
    let prints = TempDir::new().unwrap();
    let mut b = booth_with(sees, camera, FolderPrinter::new(prints.path()));
    // Into the session until the guide has seen the face, then pull the cable.
    session(&mut b, |s| matches!(s, State::Countdown { .. }));
    plugged.set(false);
    let mut now = 20_000;
    b.step(now, None).unwrap();
    let lost = State::Trouble(Trouble::CameraLost);
    assert_eq!(b.state(), &lost);
    assert!(!b.holds_face_data(), "wiped");
    assert!(shows(&b, Prompt::CameraLost), "the screen says so");
    // Presses do nothing while it is gone, however long.
    for _ in 0..50 {
        now += STEP_MS;
        b.step(now, Some(Press::Short)).unwrap();
    }
    assert_eq!(b.state(), &lost);
    // Plugged back in: idle again within one camera check, then a whole
    // session prints.
    plugged.set(true);
    let back = now;
    while b.state() == &lost {
        now += STEP_MS;
        b.step(now, None).unwrap();
        assert!(now - back <= passbooth::booth::CAMERA_CHECK_MS + STEP_MS);
    }
    assert_eq!(b.state(), &State::Idle);
    session_from(&mut b, now, |_| false);
    assert_eq!(b.record().prints, 1);
    assert_eq!(std::fs::read_dir(prints.path()).unwrap().count(), 1);
}

#[test]
fn a_camera_missing_at_start_is_reported_before_anyone_presses() {
    for sees in BOTH {
        a_camera_missing_at_start_is_reported_before_anyone_presses_with(sees);
    }
}

fn a_camera_missing_at_start_is_reported_before_anyone_presses_with(sees: Sees) {
    let plugged = std::rc::Rc::new(std::cell::Cell::new(false));
    let camera = Unpluggable {
        inner: replay(),
        plugged: plugged.clone(),
    };
    let prints = TempDir::new().unwrap();
    let mut b = booth_with(sees, camera, FolderPrinter::new(prints.path()));
    b.step(0, None).unwrap();
    assert_eq!(b.state(), &State::Trouble(Trouble::CameraLost));
    assert!(shows(&b, Prompt::CameraLost));
}

/// The replay camera whose stills arrive damaged.
struct DamagedStills(ReplaySource);

impl FrameSource for DamagedStills {
    fn viewfinder_size(&self) -> (u32, u32) {
        self.0.viewfinder_size()
    }
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        self.0.next_frame()
    }
    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        Err(CaptureError::corrupt("truncated frame"))
    }
    fn wipe(&mut self) {
        self.0.wipe()
    }
}

#[test]
fn a_damaged_still_ends_the_session_in_idle_wiped() {
    for sees in BOTH {
        a_damaged_still_ends_the_session_in_idle_wiped_with(sees);
    }
}

fn a_damaged_still_ends_the_session_in_idle_wiped_with(sees: Sees) {
    let prints = TempDir::new().unwrap();
    let mut b = booth_with(
        sees,
        DamagedStills(replay()),
        FolderPrinter::new(prints.path()),
    );
    session(&mut b, |s| matches!(s, State::Idle));
    let names: Vec<&str> = b.record().states.iter().map(|(_, s)| *s).collect();
    assert_eq!(names, ["idle", "framing", "countdown", "capture", "idle"]);
    assert!(!b.holds_face_data());
    assert_eq!(b.record().prints, 0);
    assert_eq!(b.counters().camera_errors, 1);
    assert_eq!(std::fs::read_dir(prints.path()).unwrap().count(), 0);
}

/// A camera that settles on another viewfinder size than it announced
/// before it opened (as a stream plan or a pipeline's adjustment does).
struct Resized(ReplaySource);

impl FrameSource for Resized {
    fn viewfinder_size(&self) -> (u32, u32) {
        (320, 240)
    }
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        self.0.next_frame()
    }
    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        self.0.still()
    }
    fn wipe(&mut self) {
        self.0.wipe()
    }
}

#[test]
fn the_guide_follows_the_viewfinder_size_the_camera_settles_on() {
    let prints = TempDir::new().unwrap();
    let mut b = booth_with(
        Sees::Models,
        Resized(replay()),
        FolderPrinter::new(prints.path()),
    );
    session(&mut b, |s| matches!(s, State::Review { .. }));
    assert!(
        matches!(b.state(), State::Review { .. }),
        "the person in place was never ready: {:?}",
        b.record().states
    );
}

#[test]
fn a_printer_that_vanishes_mid_session_calls_staff_and_is_picked_up_when_back() {
    for sees in BOTH {
        a_printer_that_vanishes_mid_session_calls_staff_and_is_picked_up_when_back_with(sees);
    }
}

fn a_printer_that_vanishes_mid_session_calls_staff_and_is_picked_up_when_back_with(sees: Sees) {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let port: u16 = p
        .uri
        .split(':')
        .nth(2)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    let mut b = booth(sees, IppPrinter::new(&p.uri).unwrap());
    session(&mut b, |s| matches!(s, State::Review { .. }));
    drop(p); // the printer is switched off
    let mut now = 50_000;
    b.step(now, Some(Press::Short)).unwrap();
    while matches!(b.state(), State::Printing) {
        std::thread::sleep(std::time::Duration::from_millis(5));
        now += 10;
        b.step(now, None).unwrap();
    }
    let offline = State::Trouble(Trouble::Printer("printer_offline"));
    assert_eq!(b.state(), &offline);
    assert!(!b.holds_face_data(), "wiped");
    assert_eq!(b.counters().printer_errors.get("printer_offline"), Some(&1));
    // Still off at the next check: the trouble stays.
    for _ in 0..80 {
        now += STEP_MS;
        b.step(now, None).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(b.state(), &offline);
    // Switched on again: idle within a check or two.
    let _back = TestPrinter::start_at(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg", port);
    let end = std::time::Instant::now() + patience(std::time::Duration::from_secs(20));
    while b.state() == &offline {
        now += STEP_MS;
        b.step(now, None).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(std::time::Instant::now() < end, "still in trouble");
    }
    assert_eq!(b.state(), &State::Idle);
}

/// The demo's last camera still (she is in place) as a PNG file in `dir`
/// (for `run --frames`).
pub(crate) fn replay_stills(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    let still = passbooth::booth::demo::in_place(&astronaut());
    passbooth::imaging::encode::write_file(&still, &dir.join("0001.png"), 72).unwrap();
}

#[test]
fn the_booth_prints_the_copies_its_config_asks_for() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let mut settings =
        BoothSettings::new(Spec::load(&repo("specs/us-passport.toml")).unwrap()).unwrap();
    settings.paper.copies = 2;
    let camera = replay();
    let (vw, vh) = camera.viewfinder_size();
    let parts = Parts {
        detector: stepping_in(&Overlay::new(&settings.spec, vw, vh)),
        engine: Engine::load(&repo("models")).unwrap(),
        printer: IppPrinter::new(&p.uri).unwrap(),
    };
    let mut b = Booth::new(
        settings,
        camera,
        (NullScreen::default(), (240, 320)),
        parts,
        0,
    );
    play(&mut b, &mut Person::new(), &mut 0, 600, |b, _| {
        Ok(b.record().prints > 0 && matches!(b.state(), State::Idle))
    })
    .unwrap();
    assert_eq!(b.record().prints, 1);
    assert_eq!(p.received().len(), 1, "one job");
    let env = p.job_env(1);
    assert!(env.contains("IPP_COPIES=2"), "{env}");
}
