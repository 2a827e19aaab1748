//! Watching the hardware between sessions: the camera while idle (and while
//! it is missing), the printer while it is in trouble, so trouble shows
//! before anyone presses and clears by itself when fixed.

use super::{Booth, Counters};
use crate::capture::{CaptureError, FrameSource};
use crate::clock::Millis;
use crate::display::Screen;
use crate::session::machine::{Event, State, Trouble};
use crate::vision::live::LiveDetector;

use super::worker::Job;

/// How often the camera is checked while idle or missing, ms: a camera
/// unplugged between sessions shows on the screen before anyone presses,
/// and one plugged back in is picked up within this time.
pub const CAMERA_CHECK_MS: Millis = 2000;

/// How often a printer in trouble is asked whether it is fine again, ms.
pub const PRINTER_CHECK_MS: Millis = 5000;

/// How often an idle booth asks its printer about its supplies and
/// problems (for the metrics), ms.
pub const PRINTER_HEALTH_MS: Millis = 60_000;

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// Logs a camera failure and counts it.
    pub(super) fn camera_failed(&mut self, e: &CaptureError) {
        eprintln!("camera: {e}");
        self.count(|c: &mut Counters| c.camera_errors += 1);
    }

    /// Checks the camera while idle (a missing one calls staff) and while
    /// it is missing (a returned one clears the trouble), every
    /// [`CAMERA_CHECK_MS`].
    pub(super) fn watch_camera(&mut self, now: Millis) -> Option<Event> {
        let missing = match self.session.state() {
            State::Idle => false,
            State::Trouble(Trouble::CameraLost) => true,
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

    /// While idle (or showing "take your photos"), asks the printer (on the
    /// worker) every [`PRINTER_HEALTH_MS`], and after each sheet, for its
    /// state, problems and supplies.
    pub(super) fn watch_printer_health(&mut self, now: Millis) {
        let between = matches!(self.session.state(), State::Idle | State::Done);
        if !between || self.worker.busy() || now < self.next_health_check {
            return;
        }
        self.next_health_check = now + PRINTER_HEALTH_MS;
        self.worker.send(Job::Health);
    }

    /// While the booth shows printer trouble, asks the printer (on the
    /// worker) every [`PRINTER_CHECK_MS`] whether it could print again; its
    /// answer clears the trouble (`Outcome::PrinterReady`).
    pub(super) fn watch_printer(&mut self, now: Millis) {
        let State::Trouble(trouble) = self.session.state() else {
            return;
        };
        if !trouble.is_printer() || self.worker.busy() || now < self.next_printer_check {
            return;
        }
        self.next_printer_check = now + PRINTER_CHECK_MS;
        self.worker.send(Job::CheckPrinter {
            media: self.settings.paper.media.clone(),
        });
    }
}
