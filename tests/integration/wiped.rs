//! "Wiped" checked on memory and on the models, not on the booth's own
//! flag (`holds_face_data`, which a photo moved to another field or leaked
//! would pass): every way a session ends makes the engine and the live
//! models wipe themselves (seen by the test through wrappers around the
//! real ones), and no large buffer allocated during a session is alive
//! after it (the test binary's allocator keeps the register).

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use passbooth::booth::demo::STEP_MS;
use passbooth::booth::worker::{Processed, Processor};
use passbooth::capture::replay::ReplaySource;
use passbooth::engine::Engine;
use passbooth::imaging::RgbImage;
use passbooth::imaging::still::Still;
use passbooth::input::Press;
use passbooth::print::FolderPrinter;
use passbooth::session::machine::{State, Timing};
use passbooth::spec::Spec;
use passbooth::vision::Detection;
use passbooth::vision::live::LiveDetector;
use passbooth::vision::metrics::FaceMetrics;
use passbooth::vision::runtime::ModelError;
use tempfile::TempDir;

use crate::alloc::large_blocks;
use crate::booth::{TestBooth, booth_seeing_through, live_models, replay, us_passport_on_4x6};
use crate::common::*;

/// The real engine, counting its wipes and saying on a channel each time.
struct EngineWipes {
    engine: Engine,
    wipes: Arc<AtomicU32>,
    wiped: Sender<()>,
}

impl Processor for EngineWipes {
    fn process(&mut self, still: &dyn Still, spec: &Spec) -> Result<Processed, String> {
        Processor::process(&mut self.engine, still, spec)
    }
    fn wipe(&mut self) {
        Processor::wipe(&mut self.engine);
        self.wipes.fetch_add(1, Ordering::SeqCst);
        let _ = self.wiped.send(());
    }
}

/// The real live models, counting their wipes (and saying so on `tell`,
/// for a test that waits for the booth's wipe to begin).
pub(crate) struct LiveWipes {
    pub(crate) models: Box<dyn LiveDetector>,
    pub(crate) wipes: Arc<AtomicU32>,
    pub(crate) tell: Option<Sender<()>>,
}

impl LiveDetector for LiveWipes {
    fn faces(&mut self, frame: &RgbImage) -> Result<&[Detection], ModelError> {
        self.models.faces(frame)
    }
    fn eyes(&mut self, frame: &RgbImage, face: &Detection) -> Result<FaceMetrics, ModelError> {
        self.models.eyes(frame, face)
    }
    fn wipe(&mut self) -> Result<(), ModelError> {
        self.wipes.fetch_add(1, Ordering::SeqCst);
        if let Some(t) = &self.tell {
            let _ = t.send(());
        }
        self.models.wipe()
    }
}

/// A booth on the real models and engine, both watched for their wipes.
struct Watched {
    booth: TestBooth<ReplaySource>,
    engine_wiped: Receiver<()>,
    engine_wipes: Arc<AtomicU32>,
    live_wipes: Arc<AtomicU32>,
    now: u64,
    _prints: TempDir,
}

/// The ways a session ends, each from the attract screen.
#[derive(Debug, Clone, Copy)]
enum Ending {
    /// Printed, and the "done" screen pressed away.
    Printed,
    /// A long press while framing.
    Cancelled,
    /// Nobody confirms the review.
    ReviewTimedOut,
    /// The service stops during the review (SIGTERM's wipe).
    Stopped,
}

const ENDINGS: [Ending; 4] = [
    Ending::Printed,
    Ending::Cancelled,
    Ending::ReviewTimedOut,
    Ending::Stopped,
];

impl Watched {
    fn new() -> Self {
        let (tx, engine_wiped) = channel();
        let live_wipes = Arc::new(AtomicU32::new(0));
        let engine_wipes = Arc::new(AtomicU32::new(0));
        let prints = TempDir::new().unwrap();
        let booth = booth_seeing_through(
            us_passport_on_4x6(Timing::default()),
            Box::new(LiveWipes {
                models: Box::new(live_models()),
                wipes: live_wipes.clone(),
                tell: None,
            }),
            replay(),
            FolderPrinter::new(prints.path()),
            EngineWipes {
                engine: Engine::load(&repo("models")).unwrap(),
                wipes: engine_wipes.clone(),
                wiped: tx,
            },
        );
        Self {
            booth,
            engine_wiped,
            engine_wipes,
            live_wipes,
            now: 0,
            _prints: prints,
        }
    }

    /// Steps until `until` holds, pressing as `press` says.
    fn drive(
        &mut self,
        mut press: impl FnMut(&State) -> Option<Press>,
        until: impl Fn(&State) -> bool,
    ) {
        for _ in 0..20_000 {
            if self.booth.busy() {
                // The worker is on the still or the sheet: its answer is
                // what the next step waits for.
                std::thread::sleep(Duration::from_millis(2));
            } else {
                self.now += STEP_MS;
            }
            let p = press(self.booth.state());
            self.booth.step(self.now, p).unwrap();
            if until(self.booth.state()) {
                return;
            }
        }
        panic!("never got there: {:?}", self.booth.record().states);
    }

    /// Starts a session and takes it to the review.
    fn reach_review(&mut self) {
        let mut started = false;
        self.drive(
            |s| match s {
                State::Idle if !started => {
                    started = true;
                    Some(Press::Short)
                }
                State::Framing => Some(Press::Short),
                _ => None,
            },
            |s| matches!(s, State::Review { .. }),
        );
    }

    /// One whole session ended as `ending`; back in the attract screen.
    fn session(&mut self, ending: Ending) {
        match ending {
            Ending::Printed => {
                self.reach_review();
                self.drive(
                    |s| matches!(s, State::Review { .. } | State::Done).then_some(Press::Short),
                    |s| matches!(s, State::Idle),
                );
            }
            Ending::Cancelled => {
                self.drive(
                    |s| matches!(s, State::Idle).then_some(Press::Short),
                    |s| matches!(s, State::Framing),
                );
                // A few frames of her face in the camera and the models.
                for _ in 0..5 {
                    self.drive(|_| None, |_| true);
                }
                self.drive(|_| Some(Press::Long), |s| matches!(s, State::Idle));
            }
            Ending::ReviewTimedOut => {
                self.reach_review();
                self.now += Timing::default().review_ms + 1000;
                self.drive(|_| None, |s| matches!(s, State::Idle));
            }
            Ending::Stopped => {
                self.reach_review();
                self.booth.wipe_now(self.now).unwrap();
            }
        }
    }

    /// Waits until the engine has been wiped as often as the booth wiped
    /// itself (each of the booth's wipes wipes the live models on its own
    /// thread and asks the worker to wipe the engine): a wipe the booth
    /// never asked of the engine leaves the counts apart.
    fn engine_wiped(&self, ending: Ending) {
        let end = std::time::Instant::now() + patience(Duration::from_secs(30));
        while self.engine_wipes.load(Ordering::SeqCst) < self.live_wipes.load(Ordering::SeqCst) {
            let left = end.saturating_duration_since(std::time::Instant::now());
            if self.engine_wiped.recv_timeout(left).is_err() {
                panic!(
                    "{ending:?}: the engine was wiped {} times, the booth {}",
                    self.engine_wipes.load(Ordering::SeqCst),
                    self.live_wipes.load(Ordering::SeqCst)
                );
            }
        }
        assert_eq!(
            self.engine_wipes.load(Ordering::SeqCst),
            self.live_wipes.load(Ordering::SeqCst),
            "{ending:?}: the engine was wiped more often than the booth"
        );
    }
}

#[test]
fn every_way_a_session_ends_wipes_the_engine_and_the_live_models() {
    let mut w = Watched::new();
    for ending in ENDINGS {
        let live_before = w.live_wipes.load(Ordering::SeqCst);
        w.session(ending);
        w.engine_wiped(ending);
        assert!(
            w.live_wipes.load(Ordering::SeqCst) > live_before,
            "{ending:?}: the live models were not wiped"
        );
    }
}

/// The child's side of [`no_large_buffer_of_a_session_outlives_it`]: the
/// large blocks alive after each ending, against those alive before it.
fn sessions_leave_no_large_block() {
    let mut w = Watched::new();
    // One printed session first: buffers made once and kept for the life
    // of the booth (the engine's, the screens') come into being here.
    w.session(Ending::Printed);
    w.engine_wiped(Ending::Printed);
    // The register sees a session's pictures: at the review, blocks as
    // large as the photo (600 x 600 x 3) are alive that were not before.
    let before = large_blocks();
    w.reach_review();
    let during: Vec<_> = large_blocks()
        .into_iter()
        .filter(|b| !before.contains(b) && b.1 >= 600 * 600 * 3)
        .collect();
    assert!(
        !during.is_empty(),
        "no picture-sized block during the review"
    );
    w.drive(
        |s| matches!(s, State::Review { .. } | State::Done).then_some(Press::Short),
        |s| matches!(s, State::Idle),
    );
    w.engine_wiped(Ending::Printed);
    for ending in ENDINGS {
        let before = large_blocks();
        w.session(ending);
        w.engine_wiped(ending);
        let after = large_blocks();
        let new: Vec<_> = after.iter().filter(|b| !before.contains(b)).collect();
        println!(
            "{ending:?}: {} large blocks alive, new {new:?}",
            after.len()
        );
        assert!(
            new.is_empty(),
            "{ending:?}: large blocks made during the session outlive it: {new:?}"
        );
    }
}

/// Run in a child process of its own (this test binary, this test alone):
/// the register of large blocks is the whole process's, and no other test
/// may allocate meanwhile.
#[test]
fn no_large_buffer_of_a_session_outlives_it() {
    // Five whole sessions on the real models take minutes under qemu; the
    // register is the same code on both machines.
    if emulated("five sessions on the real models for the register of large blocks") {
        return;
    }
    if std::env::var_os("PASSBOOTH_WIPED_CHILD").is_some() {
        sessions_leave_no_large_block();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "wiped::no_large_buffer_of_a_session_outlives_it",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PASSBOOTH_WIPED_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        text.matches("large blocks alive").count(),
        ENDINGS.len(),
        "every ending was measured: {text}"
    );
}
