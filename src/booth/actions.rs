//! Carrying out the session's actions on the hardware and the worker: the
//! camera, the engine, the sheet and the printer, and the wipe that ends
//! every session.

use super::worker::Job;
use super::{Booth, BoothError, Counters};
use crate::capture::{CaptureError, FrameSource};
use crate::clock::Millis;
use crate::display::Screen;
use crate::print::problem::Problem;
use crate::print::{Sheet, sheet_for};
use crate::session::machine::{Action, Event, Trouble};
use crate::vision::live::LiveDetector;

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// Carries out one action; returns the events it produced.
    pub(super) fn execute(
        &mut self,
        action: Action,
        now: Millis,
    ) -> Result<Vec<Event>, BoothError> {
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
            // Before asking for money: can the printer print? (A booth that
            // hands out files only has nothing to ask.)
            Action::CheckPrinter if self.phone.as_ref().is_some_and(|p| !p.prints()) => {
                vec![Event::PrinterReady(now)]
            }
            Action::CheckPrinter => {
                self.worker.send(Job::CheckPrinter {
                    media: self.settings.paper.media.clone(),
                });
                Vec::new()
            }
            // A booth that hands out files only: the "print" is the file,
            // offered on the "done" screen.
            // (Its price is taken when the file is on offer: `offer_to_phone`.)
            Action::Print if self.phone.as_ref().is_some_and(|p| !p.prints()) => {
                vec![Event::Printed(now)]
            }
            Action::Print => match self.sheet() {
                Ok(sheet) => {
                    self.face_jobs += 1;
                    self.worker.send(Job::Print {
                        session: self.session_id,
                        sheet,
                        paper: self.settings.paper.clone(),
                    });
                    Vec::new()
                }
                Err(p) => {
                    self.give_back_price();
                    self.count(|c| Counters::bump(&mut c.printer_errors, p.code()));
                    vec![Event::PrintFailed {
                        at: now,
                        trouble: Trouble::printer(p.code()),
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
                self.detector.wipe()?;
                self.guide.forget();
                Vec::new()
            }
        })
    }

    /// The sheet of the session's photo.
    fn sheet(&self) -> Result<Sheet, Problem> {
        let s = &self.settings;
        let photo = self
            .photo
            .as_ref()
            .ok_or_else(|| Problem::Refused("no photo".into()))?;
        sheet_for(photo, &s.paper, s.spec.dpi, Some(&s.spec.caption))
            .map_err(|e| Problem::Refused(e.to_string()))
    }
}
