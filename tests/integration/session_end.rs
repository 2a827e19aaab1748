//! Every way a session ends leaves no face behind: a result that comes back
//! after its session ended is wiped on arrival (a gated engine holds the job
//! in flight, so no timing luck is involved), and the camera's own buffers
//! are zeroed at every session end.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use passbooth::booth::demo::STEP_MS;
use passbooth::booth::worker::{Processed, Processor};
use passbooth::capture::mapped::MappedBuffer;
use passbooth::capture::pixels::encode_nv12;
use passbooth::capture::replay::ReplaySource;
use passbooth::capture::still::CameraStill;
use passbooth::capture::{CaptureError, FrameSource};
use passbooth::engine::Engine;
use passbooth::imaging::still::Still;
use passbooth::imaging::{RgbImage, SecretBuf};
use passbooth::input::Press;
use passbooth::print::FolderPrinter;
use passbooth::session::guide::Signal;
use passbooth::session::machine::{State, Timing, Trouble};
use passbooth::spec::Spec;
use tempfile::TempDir;

use crate::booth::{TestBooth, booth_built, replay, session};
use crate::common::*;

/// The real engine behind a gate: a job waits until the test opens it.
struct Gated {
    engine: Engine,
    gate: Receiver<()>,
}

impl Processor for Gated {
    fn process(&mut self, still: &dyn Still, spec: &Spec) -> Result<Processed, String> {
        self.gate
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| "the test never opened the gate".to_string())?;
        Processor::process(&mut self.engine, still, spec)
    }
    fn wipe(&mut self) {
        Processor::wipe(&mut self.engine)
    }
}

fn gated(timing: Timing) -> (TestBooth<ReplaySource>, Sender<()>, TempDir) {
    let (open, gate) = channel();
    let engine = Gated {
        engine: Engine::load(&repo("models")).unwrap(),
        gate,
    };
    let prints = TempDir::new().unwrap();
    let b = booth_built(replay(), FolderPrinter::new(prints.path()), engine, timing);
    (b, open, prints)
}

/// Steps a person through the session until the still is with the engine;
/// returns the virtual time.
fn to_processing(b: &mut TestBooth<ReplaySource>) -> u64 {
    let mut now = 0;
    for step in 0..600 {
        now += STEP_MS;
        let press = match b.state() {
            State::Idle if step == 0 => Some(Press::Short),
            State::Framing if matches!(b.live(), Some((Signal::Green, _))) => Some(Press::Short),
            _ => None,
        };
        b.step(now, press).unwrap();
        if b.state() == &State::Processing {
            assert!(b.busy() && b.holds_face_data(), "the still is in flight");
            return now;
        }
    }
    panic!("never reached processing: {:?}", b.record().states);
}

/// Opens the gate and steps until the worker is done; the late result must
/// be wiped on arrival and change nothing.
fn release_and_settle(b: &mut TestBooth<ReplaySource>, open: &Sender<()>, now: u64) {
    let state = b.state().clone();
    open.send(()).unwrap();
    for _ in 0..60_000 {
        b.step(now, None).unwrap();
        if !b.busy() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(!b.busy(), "the job never came back");
    assert_eq!(b.record().late_results_wiped, 1);
    assert_eq!(b.state(), &state, "a late result changes nothing");
    assert!(!b.holds_face_data(), "the late photo was wiped on arrival");
    let names: Vec<&str> = b.record().states.iter().map(|(_, s)| *s).collect();
    assert!(!names.contains(&"review"), "{names:?}");
}

/// A 30 s session that runs out at 31 s while its still is with the engine.
fn timed_out_while_processing() -> (TestBooth<ReplaySource>, Sender<()>, TempDir) {
    let timing = Timing {
        session_ms: 30_000,
        ..Timing::default()
    };
    let (mut b, open, prints) = gated(timing);
    to_processing(&mut b);
    b.step(31_000, None).unwrap();
    (b, open, prints)
}

#[test]
fn a_result_that_arrives_after_the_session_time_limit_is_wiped() {
    let (mut b, open, _prints) = timed_out_while_processing();
    assert_eq!(b.state(), &State::Idle);
    assert!(
        b.holds_face_data(),
        "the job in flight still holds the still"
    );
    release_and_settle(&mut b, &open, 31_100);
}

#[test]
fn a_result_that_arrives_after_a_stuck_button_is_wiped() {
    let (mut b, open, _prints) = gated(Timing::default());
    let now = to_processing(&mut b);
    b.step(now + STEP_MS, Some(Press::Stuck)).unwrap();
    assert_eq!(b.state(), &State::Trouble(Trouble::ButtonStuck));
    release_and_settle(&mut b, &open, now + 2 * STEP_MS);
}

#[test]
fn sigterm_while_processing_waits_for_the_job_and_wipes_its_result() {
    // The live models say when they are wiped: the booth's wipe has begun,
    // and only then is the engine's gate opened, so the job is still in
    // flight when the booth starts to wait for it.
    let (open, gate) = channel();
    let (tell, wiping) = channel();
    let engine = Gated {
        engine: Engine::load(&repo("models")).unwrap(),
        gate,
    };
    let prints = TempDir::new().unwrap();
    let mut b = crate::booth::booth_seeing_through(
        crate::booth::us_passport_on_4x6(Timing::default()),
        Box::new(crate::wiped::LiveWipes {
            models: Box::new(crate::booth::live_models()),
            wipes: Default::default(),
            tell: Some(tell),
        }),
        replay(),
        FolderPrinter::new(prints.path()),
        engine,
    );
    let now = to_processing(&mut b);
    while wiping.try_recv().is_ok() {}
    let opener = std::thread::spawn(move || {
        wiping
            .recv_timeout(patience(Duration::from_secs(60)))
            .expect("the booth's wipe began");
        open.send(()).unwrap();
    });
    b.wipe_now(now).unwrap();
    opener.join().unwrap();
    assert!(!b.busy());
    assert!(!b.holds_face_data());
    assert_eq!(b.record().late_results_wiped, 1);
}

#[test]
fn a_late_result_never_reaches_the_next_persons_session() {
    let (mut b, open, _prints) = timed_out_while_processing();
    // The next person starts while the first one's photo is still processed.
    b.step(31_100, Some(Press::Short)).unwrap();
    assert_eq!(b.state(), &State::Framing);
    release_and_settle(&mut b, &open, 31_200);
    assert_eq!(b.record().accepted, None, "no verdict was taken from it");
}

/// A camera as the libcamera source is built: the sensor writes into mapped
/// shared memory (memfds), the source converts the newest buffer into a
/// frame of its own. Only the sensor is fake (the replay pictures).
pub(crate) struct MappedCamera {
    scenes: ReplaySource,
    buffers: Vec<MappedBuffer>,
    still: MappedBuffer,
    frame: RgbImage,
    next: usize,
}

impl MappedCamera {
    pub(crate) fn new() -> Self {
        let scenes = replay();
        let (w, h) = scenes.viewfinder_size();
        let len = (w * h * 3) as usize;
        let buffers = (0..4)
            .map(|_| MappedBuffer::memfd(c"test-viewfinder", len).unwrap())
            .collect();
        Self {
            scenes,
            buffers,
            still: MappedBuffer::memfd(c"test-still", 16 << 20).unwrap(),
            frame: RgbImage::black(w, h),
            next: 0,
        }
    }

    /// Non-zero bytes in the frame and every mapped buffer.
    pub(crate) fn residue(&self) -> usize {
        let nonzero = |b: &[u8]| b.iter().filter(|&&v| v != 0).count();
        nonzero(self.frame.as_bytes())
            + self
                .buffers
                .iter()
                .map(|b| nonzero(b.bytes()))
                .sum::<usize>()
            + nonzero(self.still.bytes())
    }

    /// What the sensor writes into shared memory (the camera side).
    fn sensor_writes(buf: &MappedBuffer, bytes: &[u8]) {
        use std::os::unix::fs::FileExt;
        let camera_side = std::fs::File::from(buf.share().unwrap());
        camera_side.write_all_at(bytes, 0).unwrap();
    }
}

impl FrameSource for MappedCamera {
    fn viewfinder_size(&self) -> (u32, u32) {
        self.scenes.viewfinder_size()
    }
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        let i = self.next % self.buffers.len();
        self.next += 1;
        Self::sensor_writes(&self.buffers[i], self.scenes.next_frame()?.as_bytes());
        let n = self.frame.as_bytes().len();
        self.frame
            .as_bytes_mut()
            .copy_from_slice(&self.buffers[i].bytes()[..n]);
        Ok(&self.frame)
    }
    /// The still as the Pi's ISP gives it: NV12 in the mapped buffer,
    /// copied out by the source.
    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        let still = self.scenes.still()?;
        let rgb = still.to_rgb().unwrap();
        let mut nv12 = SecretBuf::<u8>::zeroed(self.still.len());
        let format = encode_nv12(&rgb, &mut nv12).unwrap();
        Self::sensor_writes(&self.still, &nv12);
        CameraStill::of_buffer(format, self.still.bytes())
            .map_err(|e| CaptureError::corrupt_by("the still", e.to_string()))
    }
    fn wipe(&mut self) {
        self.scenes.wipe();
        self.frame.wipe();
        for b in self
            .buffers
            .iter_mut()
            .chain(std::iter::once(&mut self.still))
        {
            b.wipe();
        }
    }
}

fn mapped_booth(timing: Timing) -> (TestBooth<MappedCamera>, TempDir) {
    let prints = TempDir::new().unwrap();
    let engine = Engine::load(&repo("models")).unwrap();
    let b = booth_built(
        MappedCamera::new(),
        FolderPrinter::new(prints.path()),
        engine,
        timing,
    );
    (b, prints)
}

/// Steps until `until` holds with presses from `press`; returns the time.
fn drive(
    b: &mut TestBooth<MappedCamera>,
    mut now: u64,
    mut press: impl FnMut(&State, u64) -> Option<Press>,
    until: impl Fn(&State) -> bool,
) -> u64 {
    for _ in 0..20_000 {
        if b.busy() {
            std::thread::sleep(Duration::from_millis(2));
        } else {
            now += STEP_MS;
        }
        let p = press(b.state(), now);
        b.step(now, p).unwrap();
        if until(b.state()) {
            return now;
        }
    }
    panic!("never got there: {:?}", b.record().states);
}

/// Starts a session and steps once into framing; returns the time.
fn framing(b: &mut TestBooth<MappedCamera>) -> u64 {
    let now = drive(
        b,
        0,
        |s, _| matches!(s, State::Idle).then_some(Press::Short),
        |s| matches!(s, State::Framing),
    );
    drive(b, now, |_, _| None, |_| true)
}

#[test]
fn the_camera_buffers_are_zeroed_when_a_session_prints() {
    let (mut b, _prints) = mapped_booth(Timing::default());
    session(&mut b, |_| false);
    assert_eq!(b.record().prints, 1);
    assert_eq!(b.camera().residue(), 0);
}

#[test]
fn the_camera_buffers_are_zeroed_when_a_long_press_ends_framing() {
    let (mut b, _prints) = mapped_booth(Timing::default());
    let now = framing(&mut b);
    assert!(
        b.camera().residue() > 0,
        "the face is in the camera's memory"
    );
    b.step(now + STEP_MS, Some(Press::Long)).unwrap();
    assert_eq!(b.state(), &State::Idle);
    assert_eq!(b.camera().residue(), 0);
}

#[test]
fn the_camera_buffers_are_zeroed_when_the_review_times_out() {
    let (mut b, _prints) = mapped_booth(Timing::default());
    let mut started = false;
    let now = drive(
        &mut b,
        0,
        |s, _| match s {
            State::Idle if !started => {
                started = true;
                Some(Press::Short)
            }
            State::Framing => Some(Press::Short),
            _ => None,
        },
        |s| matches!(s, State::Review { .. }),
    );
    assert!(
        b.camera().residue() > 0,
        "the still is in the camera's memory"
    );
    b.step(now + Timing::default().review_ms + 1000, None)
        .unwrap();
    assert_eq!(b.state(), &State::Idle);
    assert_eq!(b.camera().residue(), 0);
    assert!(!b.holds_face_data());
}

#[test]
fn the_camera_buffers_are_zeroed_on_sigterm_mid_framing() {
    let (mut b, _prints) = mapped_booth(Timing::default());
    let now = framing(&mut b);
    assert!(b.camera().residue() > 0);
    b.wipe_now(now).unwrap();
    assert_eq!(b.camera().residue(), 0);
}
