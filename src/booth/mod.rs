//! The booth: one loop joining the camera, the live guide, the session state
//! machine, the engine, the screen and the printer. The hardware sits behind
//! traits ([`FrameSource`], [`Screen`], [`SheetPrinter`], [`LiveDetector`]);
//! time and button presses are passed in, so a scripted test drives a whole
//! session.
//!
//! One turn ([`Booth::step`]): the worker's results and the press become
//! session events (`outcome`), the camera and printer are watched while
//! idle or in trouble (`watch`), a viewfinder frame goes through the live
//! guide to the screen, and the session's actions are carried out
//! (`actions`); the screen shows the state (`show`).

mod actions;
pub mod bench;
pub mod counters;
pub mod demo;
mod live;
pub mod metrics;
mod outcome;
mod payment;
mod phone;
mod record;
pub mod screens;
pub mod script;
mod settings;
mod show;
pub mod speech;
pub mod state_file;
pub mod till;
mod watch;
pub mod worker;

use std::collections::VecDeque;

pub use counters::Counters;
pub use live::{CANDIDATES, LiveChoice, LiveModels, Trial, sees_the_reference_face};
pub use phone::{Phone, PhoneError, PhoneSettings};
pub use record::Record;
pub use settings::{BoothError, BoothSettings, DEFAULT_MEDIA, DEFAULT_SPEC, PaymentSettings};
pub use speech::Voice;
pub use till::{Ledger, Till, TillError};
pub use watch::{CAMERA_CHECK_MS, PRINTER_CHECK_MS, PRINTER_HEALTH_MS};

use crate::capture::FrameSource;
use crate::capture::still::CameraStill;
use crate::clock::Millis;
use crate::display::{Framebuffer, Screen};
use crate::imaging::RgbImage;
use crate::input::Press;
use crate::print::{PrinterHealth, SheetPrinter};
use crate::session::guide::{Guide, Overlay, Signal};
use crate::session::machine::{Action, Event, Session, State};
use crate::session::money::Money;
use crate::session::prompts::{Language, Prompt};
use crate::vision::live::LiveDetector;
use screens::{Screens, View};
use worker::{Processor, SessionId, Worker};

/// How long a shutdown waits for a job in flight to come back so its
/// result is wiped before the process exits (well inside systemd's stop
/// time-out). The engine takes a few seconds on a Pi; a print job that is
/// still running after this is left to the kernel, which frees the
/// process's memory on exit.
pub const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// The booth.
pub struct Booth<C: FrameSource, S: Screen, D: LiveDetector = LiveModels> {
    settings: BoothSettings,
    camera: C,
    screen: S,
    worker: Worker,
    detector: D,
    /// The guide, and the overlay it judges by and the screen draws.
    guide: Guide,
    /// The viewfinder size the guide was made for.
    viewfinder: (u32, u32),
    session: Session,
    fb: Framebuffer,
    still: Option<CameraStill>,
    photo: Option<RgbImage>,
    record: Record,
    last_state: &'static str,
    /// The still screen now in the framebuffer, if any: a still screen is
    /// drawn once, not every turn (redrawing marks its rows dirty and would
    /// send the whole picture over SPI ten times a second).
    still_drawn: Option<(&'static str, Language, Money)>,
    /// When the camera is next checked (idle or camera trouble).
    next_camera_check: Millis,
    /// When the printer is next asked (printer trouble).
    next_printer_check: Millis,
    counters: Counters,
    counters_changed: bool,
    /// The current stretch of face data; a new one begins at every wipe.
    session_id: SessionId,
    /// Jobs holding a face (a still or a sheet) not yet back from the worker.
    face_jobs: u32,
    /// The photo to the customer's phone, when the booth offers it.
    phone: Option<Phone>,
    /// The screens, their type prepared for the panel and the languages.
    screens: Screens,
    /// The language on the screen now: cycling on the attract screen, kept
    /// for the session by the press that starts it.
    lang: Language,
    /// When the current state was entered (the attract screen's cycle and
    /// the working screens' progress count from it).
    entered: Millis,
    /// How long the engine took last time (the progress bar's pace).
    processing_ms: Millis,
    /// The spoken guidance, if the booth speaks.
    voice: Option<Voice>,
    /// The till, on a booth that charges: money inserted and not yet
    /// spent, kept across restarts.
    till: Option<Till>,
    /// The credit on the booth when the session began (what the customer
    /// found there, not theirs to leave).
    credit_at_start: Money,
    /// What the printer last said of itself: not asked yet (`None`), no
    /// answer (`Some(None)`), or its health.
    printer_health: Option<Option<PrinterHealth>>,
    /// When the printer's health is next asked (idle).
    next_health_check: Millis,
    /// Whether the printer's health changed since the metrics last took it.
    health_changed: bool,
}

/// How long the attract screen shows each language.
pub const LANGUAGE_CYCLE_MS: Millis = 4000;

/// The parts a booth is built from besides its settings and its camera and
/// screen: the live detector, the photo engine and the printer (the last two
/// move to the worker thread).
pub struct Parts<D, E, P> {
    /// The live loop's detector.
    pub detector: D,
    /// The photo engine.
    pub engine: E,
    /// The printer.
    pub printer: P,
}

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// A booth ready at `now` on a `panel` sized screen.
    pub fn new<E: Processor, P: SheetPrinter + Send + 'static>(
        settings: BoothSettings,
        camera: C,
        screen: (S, (u16, u16)),
        parts: Parts<D, E, P>,
        now: Millis,
    ) -> Self {
        let (screen, panel) = screen;
        let viewfinder = camera.viewfinder_size();
        let session = Session::new(settings.timing, now).charging(settings.payment.is_some());
        // In memory until the daemon gives it its file (`with_till`).
        let settings_till =
            (settings.payment.as_ref()).map(|p| Till::open(&p.price.currency, None).0);
        let lang = settings.languages.first();
        let settings_languages = settings.languages.as_slice();
        let screens = Screens::new(panel, settings_languages);
        Self {
            guide: guide_for(&settings.spec, viewfinder),
            viewfinder,
            session,
            settings,
            camera,
            screen,
            worker: Worker::start(parts.engine, parts.printer),
            detector: parts.detector,
            fb: Framebuffer::new(panel.0, panel.1),
            still: None,
            photo: None,
            record: Record {
                states: vec![(now, "idle")],
                ..Record::default()
            },
            last_state: "idle",
            still_drawn: None,
            next_camera_check: now,
            next_printer_check: now,
            counters: Counters::default(),
            counters_changed: false,
            session_id: SessionId::default(),
            face_jobs: 0,
            phone: None,
            screens,
            lang,
            entered: now,
            processing_ms: 3000,
            voice: None,
            till: settings_till,
            credit_at_start: Money::default(),
            printer_health: None,
            next_health_check: now,
            health_changed: false,
        }
    }

    /// Keeps the money in `till` (opened on the state folder's file), on a
    /// booth that charges.
    pub fn with_till(mut self, till: Till) -> Self {
        if self.settings.payment.is_some() {
            self.till = Some(till);
        }
        self
    }

    /// Offers each accepted photo to the customer's phone through `phone`
    /// on the "done" screen.
    pub fn with_phone(mut self, phone: Phone) -> Self {
        self.phone = Some(phone);
        self
    }

    /// The link on offer to a phone now, if any.
    pub fn phone_link(&self) -> Option<&str> {
        self.phone.as_ref().and_then(Phone::link)
    }

    /// The session's state.
    pub fn state(&self) -> &State {
        self.session.state()
    }

    /// The latest live instruction.
    pub fn live(&self) -> Option<(Signal, Prompt)> {
        self.session.live()
    }

    /// The language on the screen now.
    pub fn language(&self) -> Language {
        self.lang
    }

    /// What happened so far.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Starts counting from `counters` (read from the stats file).
    pub fn with_counters(mut self, counters: Counters) -> Self {
        self.counters = counters;
        self
    }

    /// The counters, if they changed since the last call (to save them).
    pub fn counters_if_changed(&mut self) -> Option<&Counters> {
        std::mem::take(&mut self.counters_changed).then_some(&self.counters)
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    fn count(&mut self, f: impl FnOnce(&mut Counters)) {
        f(&mut self.counters);
        self.counters_changed = true;
    }

    /// The screen's current picture.
    pub fn framebuffer(&self) -> &Framebuffer {
        &self.fb
    }

    /// The screen (to see what a simulated one received).
    pub fn screen(&self) -> &S {
        &self.screen
    }

    /// The camera (to see what a test camera still holds).
    pub fn camera(&self) -> &C {
        &self.camera
    }

    /// The live detector (to see what a scripted one was asked).
    pub fn detector(&self) -> &D {
        &self.detector
    }

    /// Whether pressing the button does something now: at the attract
    /// screen, at the review, and while framing once the guide says ready
    /// (the ready LED beside the button is lit then).
    pub fn wants_press(&self) -> bool {
        match self.state() {
            State::Idle | State::Review { .. } => true,
            State::Framing => matches!(self.live(), Some((Signal::Green, _))),
            _ => false,
        }
    }

    /// Whether the engine or the printer is working.
    pub fn busy(&self) -> bool {
        self.worker.busy()
    }

    /// Whether any photo of a session is still held: a still or photo here,
    /// a job with one still on the worker (its result will be wiped on
    /// arrival when its session has ended), or the file on offer to a
    /// phone.
    pub fn holds_face_data(&self) -> bool {
        self.still.is_some()
            || self.photo.is_some()
            || self.face_jobs > 0
            || self.phone_link().is_some()
    }

    /// Wipes everything (as [`Booth::wipe_now`]) and leaves the screen
    /// blank, so a panel or a mirror file never keeps showing a face after
    /// the booth stops.
    pub fn shut_down(&mut self, now: Millis) -> Result<(), BoothError> {
        let wiped = self.wipe_now(now);
        self.fb.blank();
        self.flush()?;
        wiped
    }

    /// Wipes whatever the session holds (shutdown, SIGTERM), waiting up to
    /// [`SHUTDOWN_WAIT`] for a job in flight so its result is wiped too.
    pub fn wipe_now(&mut self, now: Millis) -> Result<(), BoothError> {
        self.withdraw_from_phone();
        if let Some(v) = self.voice.as_mut() {
            v.reset();
        }
        self.execute(Action::Wipe, now)?;
        let deadline = std::time::Instant::now() + SHUTDOWN_WAIT;
        while self.face_jobs > 0 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Some(outcome) = self.worker.wait(left) else {
                eprintln!("shutdown: a job is still running; its memory goes with the process");
                break;
            };
            // Every session has ended: whatever comes back is wiped.
            let _ = self.outcome(outcome, now);
        }
        Ok(())
    }

    /// One turn of the loop at `now`, with the button press since the last
    /// turn, if any. Returns whether the state changed.
    pub fn step(&mut self, now: Millis, press: Option<Press>) -> Result<bool, BoothError> {
        let mut queue: VecDeque<Action> = VecDeque::new();
        while let Some(outcome) = self.worker.poll() {
            if let Some(event) = self.outcome(outcome, now) {
                queue.extend(self.session.handle(event));
            }
        }
        if let Some(p) = press {
            queue.extend(self.session.handle(Event::Button(p, now)));
        }
        if let Some(event) = self.watch_camera(now) {
            queue.extend(self.session.handle(event));
        }
        self.watch_printer(now);
        self.watch_printer_health(now);
        self.watch_credit(now, &mut queue);
        // Carry those out first: a press that starts a session starts the
        // camera before its first frame is read.
        let mut changed = self.run_queue(&mut queue, now)?;
        if self.session.state().viewfinder_live() {
            self.frame(now, &mut queue)?;
        }
        queue.extend(self.session.handle(Event::Tick(now)));
        changed |= self.run_queue(&mut queue, now)?;
        changed |= self.show(now)?;
        self.speak(now);
        Ok(changed)
    }

    /// Reads one viewfinder frame and asks the guide about it; the session
    /// hears the verdict (or the camera's failure), and while it is still
    /// framing the frame is drawn with the overlay.
    fn frame(&mut self, now: Millis, queue: &mut VecDeque<Action>) -> Result<(), BoothError> {
        let frame = match self.camera.next_frame() {
            Ok(frame) => frame,
            Err(e) => {
                self.camera_failed(&e);
                queue.extend(self.session.handle(Event::CaptureFailed(now)));
                return Ok(());
            }
        };
        // A camera settles its viewfinder size when it is configured (the
        // stream plan, or the pipeline's own adjustment): the guide follows
        // the frames, not what was expected before the camera opened.
        let size = (frame.width(), frame.height());
        if size != self.viewfinder {
            self.viewfinder = size;
            self.guide = guide_for(&self.settings.spec, size);
        }
        let faces = self.detector.faces(frame)?;
        let advice = self.guide.advise(faces);
        let first = faces.first().copied();
        let detector = &mut self.detector;
        let (prompt, signal) = self
            .guide
            .with_eyes(advice, first.as_ref(), |face| detector.eyes(frame, face))?;
        queue.extend(self.session.handle(Event::Live {
            at: now,
            signal,
            prompt,
        }));
        if self.session.state().viewfinder_live() {
            let view = View::Framing {
                preview: frame,
                overlay: self.guide.overlay(),
                prompt,
                signal,
                countdown: self.session.countdown_digit(now),
            };
            self.screens.draw(&mut self.fb, &view, self.lang);
            self.still_drawn = None;
        }
        Ok(())
    }

    /// Executes queued actions, and the actions their events cause.
    fn run_queue(&mut self, queue: &mut VecDeque<Action>, now: Millis) -> Result<bool, BoothError> {
        let mut changed = false;
        while let Some(action) = queue.pop_front() {
            // Slow actions (the engine, the printer) run with their screen
            // already showing ("One moment", "Printing").
            changed |= self.show(now)?;
            let events = self.execute(action, now)?;
            for e in events {
                queue.extend(self.session.handle(e));
            }
        }
        Ok(changed)
    }
}

/// The guide for `spec` on a viewfinder of `(w, h)`, with its overlay.
fn guide_for(spec: &crate::spec::Spec, (w, h): (u32, u32)) -> Guide {
    Guide::new(Overlay::new(spec, w, h), h)
}
