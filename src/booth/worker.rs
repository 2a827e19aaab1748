//! The slow work of a session, the engine and the printer, on its own thread
//! so the booth's loop keeps drawing, reading the button and pinging the
//! watchdog while a photo is processed or a sheet prints.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::checks::Reason;
use crate::engine::{BackgroundMode, Engine, Options};
use crate::imaging::RgbImage;
use crate::print::SheetPrinter;
use crate::print::media::Media;
use crate::print::problem::Problem;
use crate::report::Timings;
use crate::spec::Spec;

/// Work for the thread.
pub enum Job {
    /// Run the engine on a still.
    Process {
        /// The still.
        still: RgbImage,
        /// The document.
        spec: Box<Spec>,
    },
    /// Ask whether the printer could print on `media` now.
    CheckPrinter {
        /// The paper.
        media: Media,
    },
    /// Print a sheet.
    Print {
        /// The sheet.
        sheet: RgbImage,
        /// Its resolution.
        dpi: u32,
        /// The paper.
        media: Media,
    },
    /// Zero the engine's tensors.
    Wipe,
}

/// What came back.
pub enum Outcome {
    /// The engine finished.
    Processed {
        /// The photo, when one could be made.
        photo: Option<RgbImage>,
        /// Whether it passed.
        accepted: bool,
        /// The first failed reason.
        reason: Option<Reason>,
        /// Engine time, ms.
        ms: f64,
    },
    /// The engine could not run (a model error): the session must end.
    Failed(String),
    /// The printer's answer to [`Job::CheckPrinter`].
    PrinterReady(bool),
    /// The printer finished.
    Printed {
        /// Success or the printer's problem.
        result: Result<(), Problem>,
        /// Printing time, ms.
        ms: f64,
    },
}

/// The worker thread and its channels.
pub struct Worker {
    jobs: Option<Sender<Job>>,
    outcomes: Receiver<Outcome>,
    thread: Option<JoinHandle<()>>,
    pending: usize,
}

impl Worker {
    /// Starts the thread, which owns the engine and the printer.
    pub fn start<P: SheetPrinter + Send + 'static>(mut engine: Engine, mut printer: P) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (out_tx, outcomes) = channel::<Outcome>();
        let thread = std::thread::Builder::new()
            .name("passbooth-work".into())
            .spawn(move || {
                for job in job_rx {
                    let outcome = match job {
                        Job::Process { still, spec } => {
                            let t = Instant::now();
                            let opts = Options {
                                dpi: spec.dpi,
                                background: BackgroundMode::Auto,
                            };
                            match engine.process(&still, &spec, &opts, &mut Timings::default()) {
                                Ok(a) => {
                                    let reasons = a.reasons();
                                    Outcome::Processed {
                                        accepted: reasons.is_empty() && a.photo.is_some(),
                                        reason: reasons.first().copied(),
                                        photo: a.photo,
                                        ms: t.elapsed().as_secs_f64() * 1000.0,
                                    }
                                }
                                Err(e) => Outcome::Failed(e.to_string()),
                            }
                        }
                        Job::Print { sheet, dpi, media } => {
                            let t = Instant::now();
                            let result = printer.print_sheet(&sheet, dpi, &media);
                            Outcome::Printed {
                                result,
                                ms: t.elapsed().as_secs_f64() * 1000.0,
                            }
                        }
                        Job::CheckPrinter { media } => {
                            Outcome::PrinterReady(printer.ready(&media).is_ok())
                        }
                        Job::Wipe => {
                            let _ = engine.wipe();
                            continue;
                        }
                    };
                    if out_tx.send(outcome).is_err() {
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
        match self.outcomes.try_recv() {
            Ok(o) => {
                self.pending = self.pending.saturating_sub(1);
                Some(o)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.pending = 0;
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
