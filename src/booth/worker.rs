//! The slow work of a session, the engine and the printer, on its own thread
//! so the booth's loop keeps drawing, reading the button and pinging the
//! watchdog while a photo is processed or a sheet prints.
//!
//! Every job that touches a face carries the [`SessionId`] of the session
//! that sent it, and so does its outcome. A session can end while its job is
//! still running (the session time limit, a stuck button, SIGTERM); its
//! result then arrives for a session that no longer exists, and the booth
//! wipes it on arrival instead of keeping it ([`Worker::poll`] hands it back
//! with its id; the booth compares).

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::capture::still::CameraStill;
use crate::checks::Reason;
use crate::engine::report::Timings;
use crate::engine::{BackgroundMode, Engine, Options};
use crate::imaging::RgbImage;
use crate::imaging::still::Still;
use crate::print::media::Media;
use crate::print::problem::Problem;
use crate::print::{Paper, Sheet, SheetPrinter};
use crate::privacy::checkpoint::{Point, checkpoint};
use crate::spec::Spec;

/// Which session a job belongs to. The booth starts a new one at every
/// wipe, so an id names one stretch of face data and never comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SessionId(pub u64);

impl SessionId {
    /// The id after this one.
    pub fn next(self) -> Self {
        Self(self.0.wrapping_add(1))
    }
}

/// What the engine made of a still.
pub struct Processed {
    /// The photo, when one could be made.
    pub photo: Option<RgbImage>,
    /// Whether it passed.
    pub accepted: bool,
    /// The first failed reason.
    pub reason: Option<Reason>,
}

/// The photo engine as the worker sees it: a still in, a verdict and a photo
/// out, and a wipe of whatever the engine keeps between runs. The booth runs
/// the real [`Engine`]; tests run it behind a gate to hold a job in flight.
pub trait Processor: Send + 'static {
    /// Processes one still for `spec`; an error ends the session.
    fn process(&mut self, still: &dyn Still, spec: &Spec) -> Result<Processed, String>;
    /// Zeroes what the engine holds of the last still (tensors, scratch).
    fn wipe(&mut self);
}

impl Processor for Engine {
    fn process(&mut self, still: &dyn Still, spec: &Spec) -> Result<Processed, String> {
        let opts = Options {
            dpi: spec.dpi,
            background: BackgroundMode::Auto,
        };
        let a = Engine::process(self, still, spec, &opts, &mut Timings::default())
            .map_err(|e| e.to_string())?;
        let reasons = a.reasons();
        Ok(Processed {
            accepted: reasons.is_empty() && a.photo.is_some(),
            reason: reasons.first().copied(),
            photo: a.photo,
        })
    }

    fn wipe(&mut self) {
        if let Err(e) = Engine::wipe(self) {
            eprintln!("engine: wipe: {e}");
        }
    }
}

/// Work for the thread.
pub enum Job {
    /// Run the engine on a still.
    Process {
        /// The session the still belongs to.
        session: SessionId,
        /// The still.
        still: CameraStill,
        /// The document.
        spec: Box<Spec>,
    },
    /// Ask whether the printer could print on `media` now.
    CheckPrinter {
        /// The paper.
        media: Media,
    },
    /// Ask the printer about its state, problems and supplies.
    Health,
    /// Print a sheet.
    Print {
        /// The session the sheet belongs to.
        session: SessionId,
        /// The sheet.
        sheet: Sheet,
        /// The paper and copies.
        paper: Paper,
    },
    /// Zero the engine's tensors.
    Wipe,
}

/// What came back.
pub enum Outcome {
    /// The engine finished.
    Processed {
        /// The session whose still it was.
        session: SessionId,
        /// The verdict and photo.
        result: Processed,
        /// Engine time, ms.
        ms: f64,
    },
    /// The engine could not run (a model error): the session must end.
    Failed {
        /// The session whose still it was.
        session: SessionId,
        /// Why.
        why: String,
    },
    /// The printer's answer to [`Job::Health`]: none from a printer that
    /// does not say (a folder).
    Health(Option<Result<crate::print::PrinterHealth, Problem>>),
    /// The printer's answer to [`Job::CheckPrinter`].
    PrinterReady(Result<(), Problem>),
    /// The printer finished.
    Printed {
        /// The session whose sheet it was.
        session: SessionId,
        /// Success or the printer's problem.
        result: Result<(), Problem>,
        /// Printing time, ms.
        ms: f64,
    },
}

impl Outcome {
    /// The session this outcome belongs to (none for a printer check).
    pub fn session(&self) -> Option<SessionId> {
        match self {
            Outcome::Processed { session, .. }
            | Outcome::Failed { session, .. }
            | Outcome::Printed { session, .. } => Some(*session),
            Outcome::PrinterReady(_) | Outcome::Health(_) => None,
        }
    }
}

/// The worker thread and its channels.
pub struct Worker {
    jobs: Option<Sender<Job>>,
    outcomes: Receiver<Outcome>,
    thread: Option<JoinHandle<()>>,
    pending: usize,
}

fn run<E: Processor, P: SheetPrinter>(
    job: Job,
    engine: &mut E,
    printer: &mut P,
) -> Option<Outcome> {
    Some(match job {
        Job::Process {
            session,
            still,
            spec,
        } => {
            checkpoint(Point::Still);
            let t = Instant::now();
            let result = engine.process(&still, &spec);
            // The still is zeroed here (SecretBuf), before the answer goes.
            drop(still);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            match result {
                Ok(result) => Outcome::Processed {
                    session,
                    result,
                    ms,
                },
                Err(why) => Outcome::Failed { session, why },
            }
        }
        Job::Print {
            session,
            sheet,
            paper,
        } => {
            let t = Instant::now();
            let result = printer.print_sheet(&sheet, &paper).map(|_| ());
            drop(sheet);
            Outcome::Printed {
                session,
                result,
                ms: t.elapsed().as_secs_f64() * 1000.0,
            }
        }
        Job::CheckPrinter { media } => Outcome::PrinterReady(printer.ready(&media)),
        Job::Health => Outcome::Health(printer.health()),
        Job::Wipe => {
            engine.wipe();
            // The engine's wipe runs here, after the booth's own: the log
            // says when it is done (a scan of the process waits for it).
            eprintln!("engine: wiped");
            return None;
        }
    })
}

impl Worker {
    /// Starts the thread, which owns the engine and the printer.
    pub fn start<E: Processor, P: SheetPrinter + Send + 'static>(
        mut engine: E,
        mut printer: P,
    ) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (out_tx, outcomes) = channel::<Outcome>();
        let thread = std::thread::Builder::new()
            .name("passbooth-work".into())
            .spawn(move || {
                for job in job_rx {
                    if let Some(outcome) = run(job, &mut engine, &mut printer)
                        && out_tx.send(outcome).is_err()
                    {
                        return;
                    }
                }
            })
            .ok();
        Self {
            jobs: Some(jobs),
            outcomes,
            thread,
            pending: 0,
        }
    }

    /// Queues a job.
    pub fn send(&mut self, job: Job) {
        if !matches!(job, Job::Wipe) {
            self.pending += 1;
        }
        if let Some(j) = &self.jobs {
            let _ = j.send(job);
        }
    }

    /// A finished job's outcome, if one is ready (never blocks).
    pub fn poll(&mut self) -> Option<Outcome> {
        let got = self.outcomes.try_recv();
        self.took(got.map_err(|e| e == TryRecvError::Disconnected))
    }

    /// Waits up to `limit` for the next outcome (shutdown: a job in flight
    /// must come back so its result can be wiped before the process exits).
    pub fn wait(&mut self, limit: Duration) -> Option<Outcome> {
        if self.pending == 0 {
            return None;
        }
        let got = self.outcomes.recv_timeout(limit);
        self.took(got.map_err(|e| e == RecvTimeoutError::Disconnected))
    }

    /// Counts what came back: an outcome ends a pending job; `Err(true)`, the
    /// thread is gone and nothing is pending any more; `Err(false)`, nothing
    /// yet.
    fn took(&mut self, got: Result<Outcome, bool>) -> Option<Outcome> {
        match got {
            Ok(o) => {
                self.pending = self.pending.saturating_sub(1);
                Some(o)
            }
            Err(gone) => {
                if gone {
                    self.pending = 0;
                }
                None
            }
        }
    }

    /// Whether a job is in progress.
    pub fn busy(&self) -> bool {
        self.pending > 0
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
