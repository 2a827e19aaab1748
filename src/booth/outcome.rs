//! What comes back from the worker, turned into the session's events: a
//! verdict, a printed sheet, a printer that is ready again. A result for a
//! session that has ended is wiped here, on arrival.

use super::worker::{Outcome, Processed};
use super::{Booth, Counters};
use crate::capture::FrameSource;
use crate::checks::Reason;
use crate::clock::Millis;
use crate::display::Screen;
use crate::print::problem::Problem;
use crate::session::machine::{Event, State, Trouble};
use crate::vision::live::LiveDetector;

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// Logs and counts a printer's problem; the session hears of it.
    fn printer_failed(&mut self, p: &Problem, now: Millis) -> Event {
        eprintln!("printer: {p} [{}]", p.code());
        // A sheet paid for and not printed: the money is the customer's.
        self.give_back_price();
        self.count(|c| Counters::bump(&mut c.printer_errors, p.code()));
        Event::PrintFailed {
            at: now,
            trouble: Trouble::printer(p.code()),
        }
    }

    /// Turns the worker's outcome into the session's event; a result for a
    /// session that has ended is wiped here and makes none.
    pub(super) fn outcome(&mut self, o: Outcome, now: Millis) -> Option<Event> {
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
                    let why = reason.map_or("no_photo", Reason::code);
                    self.count(|c| Counters::bump(&mut c.rejections, why));
                }
                self.photo = photo;
                Some(Event::Processed { at: now, accepted })
            }
            Outcome::Failed { why, .. } => {
                eprintln!("engine: {why}");
                self.count(|c| c.camera_errors += 1);
                (!late).then_some(Event::StillDamaged(now))
            }
            // Asked before payment: can it print this sheet now?
            Outcome::PrinterReady(answer)
                if matches!(self.session.state(), State::Payment { .. }) =>
            {
                Some(match answer {
                    Ok(()) => Event::PrinterReady(now),
                    Err(p) => self.printer_failed(&p, now),
                })
            }
            Outcome::Health(answer) => {
                // A folder says nothing; a printer that does not answer is down.
                let health = answer.map(Result::ok);
                self.health_changed |= health != self.printer_health;
                self.printer_health = health;
                None
            }
            // Asked while in trouble: is it fine again?
            Outcome::PrinterReady(answer) => Some(if answer.is_ok() {
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
                        self.take_price();
                        // Its supplies as they are after this sheet.
                        self.next_health_check = now;
                        Event::Printed(now)
                    }
                    Err(p) => self.printer_failed(&p, now),
                };
                (!late).then_some(event)
            }
        }
    }
}
