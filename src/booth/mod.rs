//! The booth: one loop joining the camera, the live guide, the session state
//! machine, the engine, the screen and the printer. The hardware sits behind
//! traits ([`FrameSource`], [`Screen`], [`SheetPrinter`]); time and button
//! presses are passed in, so a scripted test drives a whole session.

use std::collections::VecDeque;

use crate::capture::{CaptureError, FrameSource};
use crate::checks::Reason;
use crate::booth::screens::{View, draw};
use crate::display::{Framebuffer, Screen};
use crate::engine::EngineError;
use crate::imaging::RgbImage;
use crate::clock::Millis;
use crate::input::Press;
use crate::print::media::Media;
use crate::print::problem::Problem;
use crate::print::sheet::SheetOptions;
use crate::print::{SheetPrinter, draw as sheet_draw};
use crate::session::guide::{Guide, Overlay, Signal, eyes_advice};
use crate::session::machine::{Action, Event, Session, State, Timing};
use crate::session::prompts::{Language, Prompt};
use crate::spec::Spec;
use crate::booth::counters::Counters;
use crate::vision::runtime::ModelError;
use crate::vision::{FaceDetector, MeshModel, metrics};

pub mod counters;
pub mod demo;
pub mod screens;
pub mod worker;

use worker::{Job, Outcome, Processed, Processor, SessionId, Worker};

/// Fixed settings of a booth.
#[derive(Debug, Clone)]
pub struct BoothSettings {
    /// The document.
    pub spec: Spec,
    /// The paper.
    pub media: Media,
    /// Printer border, mm.
    pub margin_mm: f64,
    /// Screen language.
    pub lang: Language,
    /// Session timing.
    pub timing: Timing,
}

/// Why the booth loop stopped (everything else becomes a screen).
#[derive(Debug, thiserror::Error)]
pub enum BoothError {
    /// A model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The engine refused its options.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The screen could not be written.
    #[error("screen: {0}")]
    Screen(String),
}

/// The models the live loop runs: the viewfinder detector every frame, the
/// face mesh (eyes) every few frames once the framing is right.
pub struct LiveModels {
    /// BlazeFace short range (int8 on ARM; see `files::LIVE_DETECTOR`).
    pub detector: FaceDetector,
    /// Face mesh.
    pub mesh: MeshModel,
}

impl LiveModels {
    /// Loads both from the models folder. The live detector must first find
    /// the face in the built-in portrait: a CPU whose int8 kernels go wrong
    /// (seen under emulation of ARM's newest extensions) gets the float
    /// model instead of a booth that never sees anyone.
    pub fn load(models: &std::path::Path) -> Result<Self, ModelError> {
        use crate::engine::files::{LIVE_DETECTOR, SHORT_RANGE};
        let short = crate::vision::Range::Short;
        let mut detector = FaceDetector::load(&models.join(LIVE_DETECTOR), short)?;
        if LIVE_DETECTOR != SHORT_RANGE && !sees_the_reference_face(&mut detector)? {
            eprintln!(
                "live detector: {LIVE_DETECTOR} finds no face in the reference portrait on this CPU; using {SHORT_RANGE}"
            );
            detector = FaceDetector::load(&models.join(SHORT_RANGE), short)?;
        }
        Ok(Self {
            detector,
            mesh: MeshModel::load(&models.join(crate::engine::files::FACE_LANDMARK))?,
        })
    }
}

/// Whether `detector` finds exactly the one face of the built-in portrait
/// in a viewfinder frame of it (a known-answer test, a few ms).
pub fn sees_the_reference_face(detector: &mut FaceDetector) -> Result<bool, ModelError> {
    let Ok(portrait) = demo::portrait() else {
        return Ok(true);
    };
    let frame = crate::capture::replay::viewfinder_of(&demo::in_place(&portrait));
    let found = detector.detect(&frame)?.len() == 1;
    detector.wipe()?;
    Ok(found)
}

/// The eye check runs on one ready frame in this many.
const EYE_CHECK_EVERY: u32 = 3;

/// How often the camera is checked while idle or missing, ms: a camera
/// unplugged between sessions shows on the screen before anyone presses,
/// and one plugged back in is picked up within this time.
pub const CAMERA_CHECK_MS: Millis = 2000;

/// How often a printer in trouble is asked whether it is fine again, ms.
pub const PRINTER_CHECK_MS: Millis = 5000;

/// What happened in a session, for logs and the demo's summary (counts and
/// times only: nothing about the person).
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Every state entered, with the time.
    pub states: Vec<(Millis, &'static str)>,
    /// Engine time of the last photo, ms.
    pub processing_ms: f64,
    /// Printing time of the last sheet, ms.
    pub printing_ms: f64,
    /// The last photo's verdict.
    pub accepted: Option<bool>,
    /// Its first failed reason.
    pub reason: Option<Reason>,
    /// Sheets printed.
    pub prints: u32,
    /// Results that came back for a session that had already ended, and
    /// were wiped on arrival.
    pub late_results_wiped: u32,
}

/// How long a shutdown waits for a job in flight to come back so its
/// result is wiped before the process exits (well inside systemd's stop
/// time-out). The engine takes a few seconds on a Pi; a print job that is
/// still running after this is left to the kernel, which frees the
/// process's memory on exit.
pub const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// The booth.
pub struct Booth<C: FrameSource, S: Screen> {
    settings: BoothSettings,
    camera: C,
    screen: S,
    worker: Worker,
    live: LiveModels,
    frames: u32,
    eyes_closed: bool,
    guide: Guide,
    overlay: Overlay,
    session: Session,
    fb: Framebuffer,
    still: Option<RgbImage>,
    photo: Option<RgbImage>,
    record: Record,
    last_state: &'static str,
    /// The still screen now in the framebuffer, if any: a still screen is
    /// drawn once, not every turn (redrawing marks its rows dirty and would
    /// send the whole picture over SPI ten times a second).
    still_drawn: Option<&'static str>,
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
}

impl<C: FrameSource, S: Screen> Booth<C, S> {
    /// A booth ready at `now`; `live` is the viewfinder detector; the engine
    /// and the printer move to the worker thread.
    #[allow(clippy::too_many_arguments)]
    pub fn new<P: SheetPrinter + Send + 'static, E: Processor>(
        settings: BoothSettings,
        camera: C,
        screen: S,
        printer: P,
        engine: E,
        live: LiveModels,
        panel: (u16, u16),
        now: Millis,
    ) -> Self {
        let (vw, vh) = camera.viewfinder_size();
        let overlay = Overlay::new(&settings.spec, vw, vh);
        let session = Session::new(settings.timing, now);
        Self {
            guide: Guide::new(overlay, vh),
            overlay,
            session,
            settings,
            camera,
            screen,
            worker: Worker::start(engine, printer),
            live,
            frames: 0,
            eyes_closed: false,
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
        }
    }

    /// The session's state.
    pub fn state(&self) -> &State {
        self.session.state()
    }

    /// The latest live instruction.
    pub fn live(&self) -> Option<(Signal, Prompt)> {
        self.session.live()
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

    /// Logs a camera failure and counts it.
    fn camera_failed(&mut self, e: &CaptureError) {
        eprintln!("camera: {e}");
        self.count(|c| c.camera_errors += 1);
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

    /// Whether the engine or the printer is working.
    pub fn busy(&self) -> bool {
        self.worker.busy()
    }

    /// Whether any photo of a session is still held: a still or photo here,
    /// or a job with one still on the worker (its result will be wiped on
    /// arrival when its session has ended).
    pub fn holds_face_data(&self) -> bool {
        self.still.is_some() || self.photo.is_some() || self.face_jobs > 0
    }

    /// Wipes everything (as [`Booth::wipe_now`]) and leaves the screen
    /// blank, so a panel or a mirror file never keeps showing a face after
    /// the booth stops.
    pub fn shut_down(&mut self, now: Millis) -> Result<(), BoothError> {
        let wiped = self.wipe_now(now);
        self.fb.blank();
        self.screen
            .flush(&mut self.fb)
            .map_err(|e| BoothError::Screen(format!("{e:?}")))?;
        wiped
    }

    /// Wipes whatever the session holds (shutdown, SIGTERM), waiting up to
    /// [`SHUTDOWN_WAIT`] for a job in flight so its result is wiped too.
    pub fn wipe_now(&mut self, now: Millis) -> Result<(), BoothError> {
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
        // Carry those out first: a press that starts a session starts the
        // camera before its first frame is read.
        let mut changed = self.run_queue(&mut queue, now)?;
        if matches!(
            self.session.state(),
            State::Framing | State::Countdown { .. }
        ) {
            match self.camera.next_frame() {
                Ok(frame) => {
                    self.frames = self.frames.wrapping_add(1);
                    let faces = self.live.detector.detect(frame)?;
                    let (mut prompt, mut signal) = self.guide.advise(faces);
                    if prompt == Prompt::Ready {
                        if self.frames.is_multiple_of(EYE_CHECK_EVERY) {
                            let mesh = self.live.mesh.run(frame, &faces[0])?;
                            self.eyes_closed = eyes_advice(&metrics::measure(&mesh)).is_some();
                        }
                        if self.eyes_closed {
                            (prompt, signal) = (Prompt::OpenEyes, Signal::Amber);
                        }
                    } else {
                        self.eyes_closed = false;
                    }
                    queue.extend(self.session.handle(Event::Live {
                        at: now,
                        signal,
                        prompt,
                    }));
                    if matches!(
                        self.session.state(),
                        State::Framing | State::Countdown { .. }
                    ) {
                        let view = View::Framing {
                            preview: frame,
                            overlay: &self.overlay,
                            prompt,
                            signal,
                            countdown: self.session.countdown_digit(now),
                        };
                        draw(&mut self.fb, &view, self.settings.lang);
                        self.still_drawn = None;
                    }
                }
                Err(e) => {
                    self.camera_failed(&e);
                    queue.extend(self.session.handle(Event::CaptureFailed(now)))
                }
            }
        }
        queue.extend(self.session.handle(Event::Tick(now)));
        changed |= self.run_queue(&mut queue, now)?;
        changed |= self.show(now)?;
        Ok(changed)
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

    /// Checks the camera while idle (a missing one calls staff) and while
    /// it is missing (a returned one clears the trouble), every
    /// [`CAMERA_CHECK_MS`].
    fn watch_camera(&mut self, now: Millis) -> Option<Event> {
        let missing = match self.session.state() {
            State::Idle => false,
            State::Trouble { code } if code == "camera_lost" => true,
            _ => return None,
        };
        if now < self.next_camera_check {
            return None;
        }
        self.next_camera_check = now + CAMERA_CHECK_MS;
        match (self.camera.check(), missing) {
            (Err(e), false) => {
                self.camera_failed(&e);
                Some(Event::CaptureFailed(now))
            }
            (Ok(()), true) => {
                eprintln!("camera: back");
                Some(Event::AllClear(now))
            }
            _ => None,
        }
    }

    /// While the booth shows printer trouble, asks the printer (on the
    /// worker) every [`PRINTER_CHECK_MS`] whether it could print again; its
    /// answer clears the trouble ([`Outcome::PrinterReady`]).
    fn watch_printer(&mut self, now: Millis) {
        let State::Trouble { code } = self.session.state() else {
            return;
        };
        if matches!(code.as_str(), "camera_lost" | "button_stuck")
            || self.worker.busy()
            || now < self.next_printer_check
        {
            return;
        }
        self.next_printer_check = now + PRINTER_CHECK_MS;
        self.worker.send(Job::CheckPrinter {
            media: self.settings.media.clone(),
        });
    }

    /// Records a state change and puts the current screen on the panel.
    fn show(&mut self, now: Millis) -> Result<bool, BoothError> {
        let changed = self.note_state(now);
        let name = self.session.state().name();
        if !matches!(
            self.session.state(),
            State::Framing | State::Countdown { .. }
        ) && self.still_drawn != Some(name)
        {
            self.draw_still_screen();
            self.still_drawn = Some(name);
        }
        self.screen
            .flush(&mut self.fb)
            .map_err(|e| BoothError::Screen(format!("{e:?}")))?;
        Ok(changed)
    }

    fn note_state(&mut self, now: Millis) -> bool {
        let name = self.session.state().name();
        if name == self.last_state {
            return false;
        }
        if (self.last_state, name) == ("idle", "framing") {
            self.count(|c| c.sessions += 1);
        }
        self.last_state = name;
        self.record.states.push((now, name));
        eprintln!("state={name}");
        true
    }

    fn draw_still_screen(&mut self) {
        let lang = self.settings.lang;
        let view = match self.session.state() {
            State::Idle => View::Attract {
                caption: &self.settings.spec.caption,
            },
            State::Capture | State::Processing => View::Processing,
            State::Review { accepted } => View::Review {
                photo: self.photo.as_ref(),
                accepted: *accepted,
                reason: self.record.reason,
            },
            State::Printing => View::Printing,
            State::Done => View::Done,
            State::Trouble { code } => View::Trouble {
                prompt: Prompt::for_trouble(code),
            },
            State::Framing | State::Countdown { .. } => return,
        };
        draw(&mut self.fb, &view, lang);
    }

    /// Carries out one action; returns the events it produced.
    fn execute(&mut self, action: Action, now: Millis) -> Result<Vec<Event>, BoothError> {
        Ok(match action {
            Action::StartPreview => match self.camera.start() {
                Ok(()) => Vec::new(),
                Err(e) => {
                    self.camera_failed(&e);
                    vec![Event::CaptureFailed(now)]
                }
            },
            Action::StopPreview => {
                self.camera.stop();
                Vec::new()
            }
            Action::Capture => match self.camera.still() {
                Ok(still) => {
                    self.still = Some(still);
                    vec![Event::Captured(now)]
                }
                Err(e) => {
                    self.camera_failed(&e);
                    match e {
                        CaptureError::Corrupt { .. } => vec![Event::StillDamaged(now)],
                        CaptureError::Lost { .. } => vec![Event::CaptureFailed(now)],
                    }
                }
            },
            Action::Process => match self.still.take() {
                Some(still) => {
                    self.face_jobs += 1;
                    self.worker.send(Job::Process {
                        session: self.session_id,
                        still,
                        spec: Box::new(self.settings.spec.clone()),
                    });
                    Vec::new()
                }
                None => vec![Event::CaptureFailed(now)],
            },
            Action::Print => match self.sheet() {
                Ok(sheet) => {
                    let s = &self.settings;
                    self.face_jobs += 1;
                    self.worker.send(Job::Print {
                        session: self.session_id,
                        sheet,
                        dpi: s.spec.dpi,
                        media: s.media.clone(),
                    });
                    Vec::new()
                }
                Err(p) => {
                    self.count(|c| Counters::bump(&mut c.printer_errors, p.code()));
                    vec![Event::PrintFailed {
                        at: now,
                        code: p.code().to_string(),
                    }]
                }
            },
            Action::Wipe => {
                // A new stretch of face data begins: anything still on the
                // worker belongs to the one that ends here.
                self.session_id = self.session_id.next();
                self.still = None;
                self.photo = None;
                self.worker.send(Job::Wipe);
                self.camera.wipe();
                self.live.detector.wipe()?;
                self.live.mesh.wipe()?;
                self.eyes_closed = false;
                Vec::new()
            }
        })
    }

    /// The sheet of the session's photo.
    fn sheet(&self) -> Result<RgbImage, Problem> {
        let s = &self.settings;
        let photo = self
            .photo
            .as_ref()
            .ok_or_else(|| Problem::Refused("no photo".into()))?;
        let opts = SheetOptions {
            media: s.media.clone(),
            margin_mm: s.margin_mm,
            dpi: s.spec.dpi,
        };
        sheet_draw::sheet(photo, &opts, Some(&s.spec.caption))
            .map(|(sheet, _)| sheet)
            .map_err(|e| Problem::Refused(e.to_string()))
    }

    /// Turns the worker's outcome into the session's event; a result for a
    /// session that has ended is wiped here and makes none.
    fn outcome(&mut self, o: Outcome, now: Millis) -> Option<Event> {
        let late = o.session().is_some_and(|id| id != self.session_id);
        if o.session().is_some() {
            self.face_jobs = self.face_jobs.saturating_sub(1);
        }
        match o {
            Outcome::Processed { result, .. } if late => {
                // Its photo is a SecretBuf: zeroed as it is dropped, now.
                drop(result);
                self.record.late_results_wiped += 1;
                eprintln!("engine: a result came back after its session ended; wiped");
                None
            }
            Outcome::Processed { result, ms, .. } => {
                let Processed {
                    photo,
                    accepted,
                    reason,
                } = result;
                self.record.processing_ms = ms;
                self.record.accepted = Some(accepted);
                self.record.reason = reason;
                if !accepted {
                    let why = reason.map_or_else(|| "no_photo".to_string(), reason_code);
                    self.count(|c| Counters::bump(&mut c.rejections, &why));
                }
                self.photo = photo;
                Some(Event::Processed { at: now, accepted })
            }
            Outcome::Failed { why, .. } => {
                eprintln!("engine: {why}");
                self.count(|c| c.camera_errors += 1);
                (!late).then_some(Event::StillDamaged(now))
            }
            Outcome::PrinterReady(ready) => Some(if ready {
                eprintln!("printer: ready again");
                Event::AllClear(now)
            } else {
                Event::Tick(now)
            }),
            Outcome::Printed { result, ms, .. } => {
                self.record.printing_ms = ms;
                let event = match result {
                    Ok(()) => {
                        self.record.prints += 1;
                        self.count(|c| c.prints += 1);
                        Event::Printed(now)
                    }
                    Err(p) => {
                        eprintln!("printer: {p} [{}]", p.code());
                        self.count(|c| Counters::bump(&mut c.printer_errors, p.code()));
                        Event::PrintFailed {
                            at: now,
                            code: p.code().to_string(),
                        }
                    }
                };
                (!late).then_some(event)
            }
        }
    }
}

/// A check's reason as its report code (`eyes_closed`).
fn reason_code(r: Reason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{r:?}"))
}
