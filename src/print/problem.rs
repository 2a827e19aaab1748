//! What can go wrong with a printer, in plain words for the person at the
//! booth and a stable code for scripts and the booth's screen.

/// A printing failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// media-empty, media-needed.
    #[error("out of paper: load paper into the printer ({0})")]
    OutOfPaper(String),
    /// marker-supply-empty, toner-empty, ink or ribbon out.
    #[error("out of ink or ribbon: replace the cassette ({0})")]
    OutOfInk(String),
    /// media-jam.
    #[error("paper jam: open the printer and remove the stuck paper ({0})")]
    PaperJam(String),
    /// cover-open, door-open, interlock-open.
    #[error("the printer's cover is open: close it ({0})")]
    CoverOpen(String),
    /// Cannot connect, or the printer reports itself offline or stopped.
    #[error("printer offline or unreachable: {0}")]
    Offline(String),
    /// The printer does not know the paper size at all.
    #[error("the printer does not support paper {wanted} (it supports: {supported})")]
    MediaNotSupported {
        /// Requested keyword.
        wanted: String,
        /// What it lists.
        supported: String,
    },
    /// Another paper size is loaded.
    #[error("wrong paper loaded: load {wanted} (loaded: {loaded})")]
    WrongMedia {
        /// Requested keyword.
        wanted: String,
        /// media-ready.
        loaded: String,
    },
    /// The printer takes none of the formats we make.
    #[error("the printer accepts none of image/jpeg, application/pdf (it takes: {0})")]
    FormatNotSupported(String),
    /// The printer refused the request.
    #[error("the printer refused the job: {0}")]
    Refused(String),
    /// The job was aborted by the printer for another reason.
    #[error("the printer aborted the job ({0})")]
    JobAborted(String),
    /// Someone canceled the job at the printer.
    #[error("the job was canceled at the printer")]
    JobCanceled,
    /// The job did not finish in time.
    #[error("the printer did not finish the job within {0} s")]
    Timeout(u64),
    /// The queue deleted the job and gave no word of how it ended (a CUPS
    /// that keeps no job history, and no notification of its end).
    #[error(
        "the queue no longer knows job {0} and did not say whether it printed (see the README's CUPS section)"
    )]
    JobUnknown(i32),
    /// A job that had to be stopped could not be canceled: it may still
    /// print. The code is the cause's.
    #[error("{cause}; and the job could not be canceled ({why}): it may still print")]
    NotCanceled {
        /// Why it had to be stopped.
        cause: Box<Problem>,
        /// Why it could not be.
        why: String,
    },
}

impl Problem {
    /// A printer's or queue's refusal, in plain words (never an IPP enum
    /// name).
    pub fn from_status(status: ipp::model::StatusCode) -> Problem {
        use ipp::model::StatusCode as S;
        match status {
            S::ClientErrorNotFound | S::ClientErrorGone => Problem::Refused(
                "there is no printer or queue at that address (check the queue's name)".into(),
            ),
            S::ServerErrorNotAcceptingJobs => Problem::Offline(
                "the queue is not accepting jobs (an operator must let it accept them again: cupsaccept)"
                    .into(),
            ),
            S::ClientErrorNotAuthenticated | S::ClientErrorNotAuthorized | S::ClientErrorForbidden => {
                Problem::Refused("the printer or queue does not allow this (a user name or password is required, or the policy forbids it)".into())
            }
            S::ClientErrorDocumentFormatNotSupported | S::ClientErrorDocumentFormatError => {
                Problem::Refused("the printer cannot read the document sent".into())
            }
            S::ClientErrorAttributesOrValuesNotSupported | S::ClientErrorConflictingAttributes => {
                Problem::Refused("the printer cannot print with these settings (paper size or borders)".into())
            }
            S::ServerErrorBusy | S::ServerErrorServiceUnavailable | S::ServerErrorTemporaryError => {
                Problem::Offline("the printer is busy or unavailable for the moment".into())
            }
            S::ServerErrorDeviceError => Problem::Offline("the printer reports a fault".into()),
            S::ServerErrorJobCanceled => Problem::JobCanceled,
            other => Problem::Refused(format!("the printer could not take the request ({other})")),
        }
    }

    /// Every code [`Problem::code`] gives: a closed list (the metrics'
    /// labels).
    pub const CODES: [&'static str; 13] = [
        "out_of_paper",
        "out_of_ink",
        "paper_jam",
        "cover_open",
        "printer_offline",
        "media_not_supported",
        "wrong_media",
        "format_not_supported",
        "job_refused",
        "job_aborted",
        "job_canceled",
        "timeout",
        "job_unknown",
    ];

    /// A stable machine code (one of [`Problem::CODES`]).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::OutOfPaper(_) => "out_of_paper",
            Problem::OutOfInk(_) => "out_of_ink",
            Problem::PaperJam(_) => "paper_jam",
            Problem::CoverOpen(_) => "cover_open",
            Problem::Offline(_) => "printer_offline",
            Problem::MediaNotSupported { .. } => "media_not_supported",
            Problem::WrongMedia { .. } => "wrong_media",
            Problem::FormatNotSupported(_) => "format_not_supported",
            Problem::Refused(_) => "job_refused",
            Problem::JobAborted(_) => "job_aborted",
            Problem::JobCanceled => "job_canceled",
            Problem::Timeout(_) => "timeout",
            Problem::JobUnknown(_) => "job_unknown",
            Problem::NotCanceled { cause, .. } => cause.code(),
        }
    }

    /// The problem named by a printer's `printer-state-reasons`, if any of
    /// them stops printing. Every keyword mapped here is a condition that
    /// stops a photo printer (no paper, jam, cover open), so it counts with
    /// no suffix, `-error`, or `-report` (ippeveprinter and some drivers
    /// report media-empty as `media-empty-report`); only `-warning` is advice.
    pub fn from_reasons(reasons: &[String]) -> Option<Problem> {
        Self::stopping(reasons, false)
    }

    /// As [`Problem::from_reasons`], with `-warning` counted too: a CUPS
    /// queue working on our job relays a printer it waits on that way
    /// (`media-empty-warning` while the backend waits for paper).
    pub fn from_reasons_counting_warnings(reasons: &[String]) -> Option<Problem> {
        Self::stopping(reasons, true)
    }

    fn stopping(reasons: &[String], warnings: bool) -> Option<Problem> {
        reasons.iter().find_map(|r| {
            let (base, severity) = match r.rsplit_once('-') {
                Some((b, s @ ("error" | "warning" | "report"))) => (b, s),
                _ => (r.as_str(), "error"),
            };
            if severity == "warning" && !warnings {
                return None;
            }
            let r = r.clone();
            Some(match base {
                "media-empty" | "media-needed" | "input-tray-missing" => Problem::OutOfPaper(r),
                "marker-supply-empty"
                | "toner-empty"
                | "marker-waste-full"
                | "marker-supply-missing" => Problem::OutOfInk(r),
                "media-jam" | "output-area-full" => Problem::PaperJam(r),
                "cover-open" | "door-open" | "interlock-open" => Problem::CoverOpen(r),
                "offline" | "shutdown" | "paused" | "timed-out" => Problem::Offline(r),
                _ => return None,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reasons_map_to_plain_words() {
        let p = Problem::from_reasons(&reasons(&["none", "media-empty-error"])).unwrap();
        assert_eq!(p.code(), "out_of_paper");
        assert!(p.to_string().starts_with("out of paper"));
        assert_eq!(
            Problem::from_reasons(&reasons(&["media-needed"]))
                .unwrap()
                .code(),
            "out_of_paper"
        );
        assert_eq!(
            Problem::from_reasons(&reasons(&["marker-supply-empty-error"]))
                .unwrap()
                .code(),
            "out_of_ink"
        );
        assert_eq!(
            Problem::from_reasons(&reasons(&["media-jam"]))
                .unwrap()
                .code(),
            "paper_jam"
        );
        assert_eq!(
            Problem::from_reasons(&reasons(&["cover-open"]))
                .unwrap()
                .code(),
            "cover_open"
        );
        assert_eq!(
            Problem::from_reasons(&reasons(&["media-empty-report"]))
                .unwrap()
                .code(),
            "out_of_paper"
        );
        assert_eq!(
            Problem::from_reasons(&reasons(&["none", "other-report"])),
            None
        );
    }

    #[test]
    fn warnings_are_not_failures() {
        assert_eq!(
            Problem::from_reasons(&reasons(&[
                "media-low-warning",
                "marker-supply-low-warning",
                "none"
            ])),
            None
        );
        assert_eq!(
            Problem::from_reasons(&reasons(&["media-empty-warning"])),
            None
        );
    }

    #[test]
    fn a_queue_working_on_our_job_counts_its_warnings() {
        let waiting = reasons(&["media-empty-warning", "media-needed-warning"]);
        assert_eq!(Problem::from_reasons(&waiting), None);
        assert_eq!(
            Problem::from_reasons_counting_warnings(&waiting),
            Some(Problem::OutOfPaper("media-empty-warning".into()))
        );
    }
}
