//! A job from submission to its end, and how its end is known: the job's
//! own state while the printer or queue keeps it; once a CUPS queue that
//! keeps no history has deleted it, the job-completed event of a printer
//! subscription made before the job was sent ([`super::events`]). A job
//! CUPS calls completed is still checked against what the queue relayed
//! from the printer at that moment (a printer out of paper aborts the job,
//! yet CUPS's backend ends cleanly and the job reads as completed).

use std::time::{Duration, Instant};

use ipp::prelude::*;

use super::document::make;
use super::events::{self, JobEnd};
use super::ipp::{Exchange, IppPrinter, JobDone, PrintRequest, USER_NAME};
use super::problem::Problem;
use crate::privacy::checkpoint::{Point, checkpoint};

const JOB_COMPLETED: i32 = 9;
const JOB_ABORTED: i32 = 8;
const JOB_CANCELED: i32 = 7;
/// Reads of the printer's state after an abort, `poll` apart: a printer may
/// publish the cause (media-empty) a moment after it aborts the job.
const ABORT_SETTLE_READS: usize = 10;
/// How long a queue may say its printer cannot be reached, while our job
/// waits, before the job is given up as offline (CUPS retries forever).
pub const OFFLINE_AFTER: Duration = Duration::from_secs(20);
/// How long a queue may relay a stopping problem (out of paper...) while it
/// processes our job before that is the printer's answer: the relayed
/// reasons are refreshed once the backend talks to the printer, so one left
/// from an earlier job is gone within this.
pub const TROUBLE_AFTER: Duration = Duration::from_secs(5);
/// job-state processing.
const JOB_PROCESSING: i32 = 5;
/// How long a canceled job may take to stop.
const CANCEL_SETTLE: Duration = Duration::from_secs(5);

/// What a job read gave.
enum JobRead {
    /// The job's state and reasons.
    State(i32, Vec<String>),
    /// The queue does not know the job (any more).
    Gone,
}

/// A condition that counts only once it has held for a while.
#[derive(Default)]
struct Lasting(Option<Instant>);

impl Lasting {
    /// Notes whether the condition holds now; true once it has held, without
    /// a break, for `long`.
    fn held(&mut self, now: bool, long: Duration) -> bool {
        if !now {
            self.0 = None;
            return false;
        }
        self.0.get_or_insert_with(Instant::now).elapsed() >= long
    }
}

/// Whether a queue's message or reasons say its printer cannot be reached.
fn unreachable(status: &super::ipp::PrinterStatus) -> bool {
    status
        .reasons
        .iter()
        .any(|r| r.starts_with("offline") || r.starts_with("timed-out"))
        || status.message.contains("may not exist or is unavailable")
        || status.message.contains("Unable to connect")
}

impl IppPrinter {
    /// Prints the sheet and follows the job to its end. A job it created
    /// and could not finish is canceled, and the cancel is checked.
    pub fn print(&self, req: &PrintRequest) -> Result<JobDone, Problem> {
        let status = self.status()?;
        let format = self.preflight(&status, req.media)?;
        let doc = make(req.sheet, req.media, req.dpi, format)
            .map_err(|e| Problem::Refused(e.to_string()))?;
        checkpoint(Point::Sheet);
        let subscription = if status.notifies {
            self.subscribe()
        } else {
            None
        };
        let result = self
            .submit(doc.bytes, format, req, &status)
            .and_then(|job_id| match self.follow(job_id, subscription, &status) {
                Ok(()) => Ok(JobDone {
                    job_id,
                    format: format.mime(),
                }),
                Err(p) => Err(match self.cancel(job_id) {
                    Ok(()) => p,
                    Err(why) => Problem::NotCanceled {
                        cause: Box::new(p),
                        why,
                    },
                }),
            });
        if let Some(id) = subscription
            && let Ok(op) = events::cancel_subscription(&self.uri, USER_NAME, id)
        {
            let _ = self.exchange(op);
        }
        result
    }

    fn subscribe(&self) -> Option<i32> {
        let op = events::subscribe(&self.uri, USER_NAME).ok()?;
        events::subscription_id(&self.exchange(op).ok()?)
    }

    /// The job's job-state (3 pending ... 7 canceled, 8 aborted, 9 completed)
    /// and job-state-reasons.
    pub fn job_state(&self, job_id: i32) -> Result<(i32, Vec<String>), Problem> {
        match self.read_job(job_id)? {
            JobRead::State(s, r) => Ok((s, r)),
            JobRead::Gone => Err(Problem::JobUnknown(job_id)),
        }
    }

    fn read_job(&self, job_id: i32) -> Result<JobRead, Problem> {
        let op = IppOperationBuilder::get_job_attributes(self.uri.clone(), job_id)
            .user_name(USER_NAME)
            .build()
            .map_err(|e| Problem::Refused(e.to_string()))?;
        let resp = match self.exchange(op) {
            Ok(r) => r,
            Err(Exchange::Status(StatusCode::ClientErrorNotFound)) => return Ok(JobRead::Gone),
            Err(e) => return Err(e.problem()),
        };
        let group = resp
            .attributes()
            .groups_of(DelimiterTag::JobAttributes)
            .next();
        let state = group
            .and_then(|g| super::attrs::integers(g, "job-state").first().copied())
            .unwrap_or(0);
        let reasons = group
            .map(|g| super::attrs::strings(g, "job-state-reasons"))
            .unwrap_or_default();
        Ok(JobRead::State(state, reasons))
    }

    /// The job-completed event of `job_id`, if the subscription has one.
    fn event(&self, subscription: Option<i32>, job_id: i32) -> Option<JobEnd> {
        let op = events::get_notifications(&self.uri, USER_NAME, subscription?).ok()?;
        events::job_end(&self.exchange(op).ok()?, job_id)
    }

    /// Polls the job until it ends, the printer proves unreachable, or it
    /// times out.
    fn follow(
        &self,
        job_id: i32,
        subscription: Option<i32>,
        before: &super::ipp::PrinterStatus,
    ) -> Result<(), Problem> {
        let is_cups = before.is_cups;
        let start = Instant::now();
        let mut offline = Lasting::default();
        let mut trouble = Lasting::default();
        loop {
            let mut processing = false;
            let end = match self.read_job(job_id)? {
                JobRead::State(state, reasons)
                    if matches!(state, JOB_COMPLETED | JOB_ABORTED | JOB_CANCELED) =>
                {
                    // The queue's reasons now: what the printer said last.
                    let printer_reasons = if is_cups {
                        self.status().map(|s| s.reasons).unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    Some(JobEnd {
                        state,
                        reasons,
                        printer_reasons,
                    })
                }
                JobRead::State(state, _) => {
                    processing = state == JOB_PROCESSING;
                    None
                }
                JobRead::Gone => Some(
                    self.event(subscription, job_id)
                        .ok_or(Problem::JobUnknown(job_id))?,
                ),
            };
            if let Some(end) = end {
                return self.ended(&end, is_cups, &before.reasons);
            }
            if is_cups {
                let status = self.status()?;
                if offline.held(unreachable(&status), OFFLINE_AFTER) {
                    return Err(Problem::Offline(format!(
                        "{} ({})",
                        status.message,
                        status.reasons.join(", ")
                    )));
                }
                // While the queue's backend works on our job, it relays the
                // printer's trouble, as -warning when it waits for it to be
                // fixed (media-empty-warning): then it is the answer too.
                let relayed =
                    Problem::from_reasons_counting_warnings(&status.reasons).filter(|_| processing);
                if trouble.held(relayed.is_some(), TROUBLE_AFTER)
                    && let Some(p) = relayed
                {
                    return Err(p);
                }
            }
            if start.elapsed() > self.job_timeout {
                return Err(Problem::Timeout(self.job_timeout.as_secs()));
            }
            std::thread::sleep(self.poll);
        }
    }

    /// A job's end, as far as the printer is concerned.
    fn ended(&self, end: &JobEnd, is_cups: bool, before: &[String]) -> Result<(), Problem> {
        // A queue relays the printer's trouble as `-report` reasons. When it
        // canceled or aborted our job they say why. When it calls the job
        // completed, a reason that appeared during our job is the printer's
        // answer to it (the printer aborted the job, the backend ended
        // cleanly); one already there before is stale and proves nothing.
        if is_cups {
            let relevant: Vec<String> = end
                .printer_reasons
                .iter()
                .filter(|r| end.state != JOB_COMPLETED || !before.contains(r))
                .cloned()
                .collect();
            if let Some(p) = Problem::from_reasons(&relevant) {
                return Err(p);
            }
        }
        match end.state {
            JOB_COMPLETED => Ok(()),
            JOB_CANCELED => Err(Problem::JobCanceled),
            _ => Err(Problem::from_reasons(&end.printer_reasons)
                .unwrap_or_else(|| self.why_aborted(&end.reasons))),
        }
    }

    /// The printer's reason for an aborted job, read a few times.
    fn why_aborted(&self, job_reasons: &[String]) -> Problem {
        for _ in 0..ABORT_SETTLE_READS {
            if let Some(p) = self
                .status()
                .ok()
                .and_then(|s| Problem::from_reasons(&s.reasons))
            {
                return p;
            }
            std::thread::sleep(self.poll);
        }
        Problem::JobAborted(job_reasons.join(", "))
    }

    /// Cancel-Job as the job's owner, then checks that it stopped (or had
    /// already ended); says why not otherwise.
    pub fn cancel(&self, job_id: i32) -> Result<(), String> {
        let op = IppOperationBuilder::cancel_job(self.uri.clone(), job_id)
            .user_name(USER_NAME)
            .build()
            .map_err(|e| e.to_string())?;
        match self.exchange(op) {
            // Not possible / not found: it had ended, or was deleted.
            Ok(_)
            | Err(Exchange::Status(
                StatusCode::ClientErrorNotPossible | StatusCode::ClientErrorNotFound,
            )) => {}
            Err(e) => return Err(format!("the queue refused: {}", e.problem())),
        }
        let start = Instant::now();
        loop {
            match self.read_job(job_id) {
                Ok(JobRead::Gone) => return Ok(()),
                Ok(JobRead::State(s, _)) if s >= JOB_CANCELED => return Ok(()),
                // Stopping where it can (a page being printed finishes).
                Ok(JobRead::State(_, reasons))
                    if reasons.iter().any(|r| r == "processing-to-stop-point") =>
                {
                    return Ok(());
                }
                Ok(JobRead::State(s, _)) if start.elapsed() > CANCEL_SETTLE => {
                    return Err(format!("job {job_id} is still queued (state {s})"));
                }
                Ok(JobRead::State(..)) => {}
                Err(p) => return Err(p.to_string()),
            }
            std::thread::sleep(self.poll);
        }
    }
}
