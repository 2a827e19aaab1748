//! An IPP printer: a CUPS queue (`ipp://localhost:631/printers/NAME`) or a
//! driverless printer (`ipp://HOST/ipp/print`), over the `ipp` crate's
//! blocking client. The document goes from memory; nothing is spooled here.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::Duration;

use ipp::prelude::*;
use ipp::value::IppName;

use super::attrs::{integers, keyword, named, strings};
use super::document::DocFormat;
use super::events;
use super::media::Media;
use super::problem::Problem;
use super::transport::{Transport, TransportError, Trust, http_url};
use crate::imaging::RgbImage;

/// What a printer says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// printer-state: 3 idle, 4 processing, 5 stopped.
    pub state: i32,
    /// printer-state-reasons.
    pub reasons: Vec<String>,
    /// media-supported.
    pub media_supported: Vec<String>,
    /// media-ready (the paper loaded), where reported.
    pub media_ready: Vec<String>,
    /// document-format-supported.
    pub formats: Vec<String>,
    /// Whether zero margins are supported on all sides (borderless).
    pub borderless: bool,
    /// Whether print-scaling=none is supported.
    pub scaling_none: bool,
    /// Whether this is a CUPS queue (it reports `cups-version`). A queue
    /// knows the physical printer only while a job runs: its media-ready is
    /// a guess, and its `-report` reasons may be stale.
    pub is_cups: bool,
    /// printer-state-message.
    pub message: String,
    /// Whether it offers job-end notifications (Create-Printer-Subscriptions
    /// and Get-Notifications).
    pub notifies: bool,
    /// media-default.
    pub media_default: Option<String>,
    /// A CUPS queue's device-uri: the printer behind it.
    pub device_uri: Option<String>,
    /// marker-levels: each supply's level in per cent (negative: the
    /// printer does not know), where reported.
    pub marker_levels: Vec<i32>,
    /// marker-names, in the same order.
    pub marker_names: Vec<String>,
}

/// One print request.
#[derive(Debug, Clone)]
pub struct PrintRequest<'a> {
    /// The sheet, at `dpi`, the size of `media`.
    pub sheet: &'a RgbImage,
    /// Its resolution.
    pub dpi: u32,
    /// The paper.
    pub media: &'a Media,
    /// Copies of the sheet.
    pub copies: u32,
}

/// A finished job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobDone {
    /// The printer's job id.
    pub job_id: i32,
    /// The format sent.
    pub format: &'static str,
}

/// Job name: never anything about the person.
pub const JOB_NAME: &str = "passbooth photos";
/// Who owns the booth's jobs (requesting-user-name). CUPS lets only a job's
/// owner cancel it: the booth names itself when it submits and when it
/// cancels, or the cancel is refused (HTTP 401) and the job stays queued.
pub const USER_NAME: &str = "passbooth";
const PRINTER_STOPPED: i32 = 5;
/// Longest exchange with the printer (one request and its answer): a
/// printer that accepts the connection and never answers is offline.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Why an exchange with the printer gave no answer to use.
#[derive(Debug)]
pub enum Exchange {
    /// Nothing usable came back.
    Transport(TransportError),
    /// The printer answered with an error status.
    Status(StatusCode),
}

impl Exchange {
    /// In plain words, with its code.
    pub fn problem(self) -> Problem {
        match self {
            Exchange::Transport(e) => Problem::Offline(e.to_string()),
            Exchange::Status(s) => Problem::from_status(s),
        }
    }
}

/// A printer by URI.
pub struct IppPrinter {
    pub(super) uri: Uri,
    transport: Transport,
    trust: Trust,
    request_timeout: Duration,
    /// How long a job may take from submission to completed.
    pub job_timeout: Duration,
    /// How often the job is polled.
    pub poll: Duration,
}

impl std::fmt::Debug for IppPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IppPrinter({})", self.uri)
    }
}

impl IppPrinter {
    /// A printer at `uri` (`ipp://...`); nothing is sent yet.
    pub fn new(uri: &str) -> Result<Self, Problem> {
        let parsed: Uri = uri
            .parse()
            .map_err(|_| Problem::Offline(format!("'{uri}' is not a printer URI")))?;
        let url = http_url(&parsed)
            .ok_or_else(|| Problem::Offline(format!("'{uri}' is not an ipp:// or ipps:// URI")))?;
        Ok(Self {
            uri: parsed,
            transport: Transport::new(url, REQUEST_TIMEOUT, &Trust::default()),
            trust: Trust::default(),
            request_timeout: REQUEST_TIMEOUT,
            job_timeout: Duration::from_secs(120),
            poll: Duration::from_millis(200),
        })
    }

    /// The same printer with another limit on one exchange (tests use a
    /// short one for a printer that never answers).
    pub fn with_request_timeout(mut self, limit: Duration) -> Self {
        self.request_timeout = limit;
        self.rebuild()
    }

    /// The same printer, whose `ipps://` certificate must be vouched for by
    /// `trust` (a pinned certificate from the config).
    pub fn with_trust(mut self, trust: Trust) -> Self {
        self.trust = trust;
        self.rebuild()
    }

    /// A printer at `uri` whose certificate, when `certificate` names a PEM
    /// file, is pinned to that file's (the config's `[printer] certificate`).
    pub fn open(uri: &str, certificate: Option<&std::path::Path>) -> Result<Self, Problem> {
        let printer = Self::new(uri)?;
        let Some(path) = certificate else {
            return Ok(printer);
        };
        let trust = Trust::pinned_from_file(path)
            .map_err(|e| Problem::Refused(format!("printer certificate {e}")))?;
        Ok(printer.with_trust(trust))
    }

    fn rebuild(mut self) -> Self {
        let url = self.transport.url().to_string();
        self.transport = Transport::new(url, self.request_timeout, &self.trust);
        self
    }

    /// Whether the sheet travels encrypted (`ipps://`). A plain `ipp://`
    /// printer on another host sends every face across the network in the
    /// clear: the daemon and `doctor` say so.
    pub fn encrypted(&self) -> bool {
        self.transport.encrypted()
    }

    /// The warning for a plain `ipp://` printer on another host, whose
    /// sheets cross the network unencrypted (the daemon logs it, `doctor`
    /// shows it); `None` for `ipps://` or a printer on this machine.
    pub fn plain_on_network(&self) -> Option<String> {
        (!self.encrypted() && !self.is_local()).then(|| {
            format!(
                "{} is plain IPP on another host: every sheet crosses the network unencrypted (use ipps://)",
                self.uri
            )
        })
    }

    /// Whether the printer is on this machine (plain IPP stays inside it).
    pub fn is_local(&self) -> bool {
        matches!(
            self.uri.host(),
            Some("localhost" | "127.0.0.1" | "::1" | "[::1]")
        )
    }

    /// One request; the answer, or why there is none (the printer's own
    /// status kept, for callers that tell "not found" apart).
    pub(super) fn exchange(
        &self,
        op: impl Into<IppRequestResponse>,
    ) -> Result<IppRequestResponse, Exchange> {
        let resp = self
            .transport
            .send(op.into())
            .map_err(Exchange::Transport)?;
        let status = resp.header().status_code();
        if !status.is_success() {
            return Err(Exchange::Status(status));
        }
        Ok(resp)
    }

    pub(super) fn send(
        &self,
        op: impl Into<IppRequestResponse>,
    ) -> Result<IppRequestResponse, Problem> {
        self.exchange(op).map_err(Exchange::problem)
    }

    /// Get-Printer-Attributes.
    pub fn status(&self) -> Result<PrinterStatus, Problem> {
        let op = IppOperationBuilder::get_printer_attributes(self.uri.clone())
            .attributes([
                "printer-state",
                "printer-state-reasons",
                "media-supported",
                "media-ready",
                "document-format-supported",
                "media-top-margin-supported",
                "media-bottom-margin-supported",
                "media-left-margin-supported",
                "media-right-margin-supported",
                "print-scaling-supported",
                "cups-version",
                "printer-state-message",
                "operations-supported",
                "media-default",
                "device-uri",
                "marker-levels",
                "marker-names",
            ])
            .build()
            .map_err(|e| Problem::Refused(e.to_string()))?;
        let resp = self.send(op)?;
        let group = resp
            .attributes()
            .groups_of(DelimiterTag::PrinterAttributes)
            .next()
            .ok_or_else(|| Problem::Refused("no printer attributes in the answer".into()))?;
        let zero =
            |side: &str| integers(group, &format!("media-{side}-margin-supported")).contains(&0);
        Ok(PrinterStatus {
            state: integers(group, "printer-state")
                .first()
                .copied()
                .unwrap_or(0),
            reasons: strings(group, "printer-state-reasons"),
            media_supported: strings(group, "media-supported"),
            media_ready: strings(group, "media-ready"),
            formats: strings(group, "document-format-supported"),
            borderless: ["top", "bottom", "left", "right"].iter().all(|s| zero(s)),
            scaling_none: strings(group, "print-scaling-supported")
                .iter()
                .any(|s| s == "none"),
            is_cups: !strings(group, "cups-version").is_empty(),
            media_default: strings(group, "media-default").into_iter().next(),
            device_uri: strings(group, "device-uri").into_iter().next(),
            marker_levels: integers(group, "marker-levels"),
            marker_names: strings(group, "marker-names"),
            message: strings(group, "printer-state-message").join(" "),
            notifies: {
                let ops = integers(group, "operations-supported");
                [
                    events::CREATE_PRINTER_SUBSCRIPTIONS,
                    events::GET_NOTIFICATIONS,
                ]
                .iter()
                .all(|op| ops.contains(&i32::from(*op)))
            },
        })
    }

    /// Checks the printer can take this job now: no stopping problem, the
    /// paper known and loaded, a format we make. Returns that format.
    ///
    /// A CUPS queue's `-report` reasons relay what the printer said during
    /// the last job and are not refreshed until the next one: a stale "out
    /// of paper" would refuse every job after the paper is loaded. They are
    /// not trusted here; the job goes, and the printer answers for itself
    /// (its end is read from the queue, [`IppPrinter::print`]). Likewise a
    /// queue's media-ready is its guess, not what is loaded.
    pub fn preflight(&self, status: &PrinterStatus, media: &Media) -> Result<DocFormat, Problem> {
        let current: Vec<String> = status
            .reasons
            .iter()
            .filter(|r| !(status.is_cups && r.ends_with("-report")))
            .cloned()
            .collect();
        if let Some(p) = Problem::from_reasons(&current) {
            return Err(p);
        }
        if status.state == PRINTER_STOPPED {
            return Err(Problem::Offline(format!(
                "{} is stopped ({})",
                self.uri,
                status.reasons.join(", ")
            )));
        }
        if !status.media_supported.is_empty() && !status.media_supported.contains(&media.keyword) {
            return Err(Problem::MediaNotSupported {
                wanted: media.keyword.clone(),
                supported: status.media_supported.join(", "),
            });
        }
        if !status.is_cups
            && !status.media_ready.is_empty()
            && !status.media_ready.contains(&media.keyword)
        {
            return Err(Problem::WrongMedia {
                wanted: media.keyword.clone(),
                loaded: status.media_ready.join(", "),
            });
        }
        DocFormat::choose(&status.formats)
            .ok_or_else(|| Problem::FormatNotSupported(status.formats.join(", ")))
    }

    pub(super) fn submit(
        &self,
        bytes: crate::imaging::SecretBuf<u8>,
        format: DocFormat,
        req: &PrintRequest,
        status: &PrinterStatus,
    ) -> Result<i32, Problem> {
        let (w, h) = req.media.hundredths();
        let member = |n: &str| IppName::try_from(n).map_err(|e| Problem::Refused(e.to_string()));
        let mut size = BTreeMap::new();
        size.insert(member("x-dimension")?, IppValue::Integer(w));
        size.insert(member("y-dimension")?, IppValue::Integer(h));
        let mut col = BTreeMap::new();
        col.insert(member("media-size")?, IppValue::Collection(size));
        col.insert(member("media-size-name")?, keyword(&req.media.keyword)?);
        if status.borderless {
            for side in ["top", "bottom", "left", "right"] {
                col.insert(
                    member(&format!("media-{side}-margin"))?,
                    IppValue::Integer(0),
                );
            }
        }
        let mut attrs = vec![
            named("media-col", IppValue::Collection(col))?,
            named("copies", IppValue::Integer(req.copies.clamp(1, 99) as i32))?,
        ];
        if status.scaling_none {
            attrs.push(named("print-scaling", keyword("none")?)?);
        }
        // The payload reads straight from the SecretBuf, which is wiped when
        // the request is dropped.
        let payload = IppPayload::new(Cursor::new(bytes));
        let op = IppOperationBuilder::print_job(self.uri.clone(), payload)
            .job_title(JOB_NAME)
            .user_name(USER_NAME)
            .document_format(format.mime())
            .attributes(attrs)
            .build()
            .map_err(|e| Problem::Refused(e.to_string()))?;
        let resp = self.send(op)?;
        resp.attributes()
            .groups_of(DelimiterTag::JobAttributes)
            .find_map(|g| integers(g, "job-id").first().copied())
            .ok_or_else(|| Problem::Refused("no job-id in the answer".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ipp_off_this_machine_is_told_apart() {
        let p = |u: &str| IppPrinter::new(u).unwrap();
        assert!(p("ipp://localhost:631/printers/selphy").is_local());
        assert!(p("ipp://127.0.0.1/ipp/print").is_local());
        assert!(p("ipp://[::1]/ipp/print").is_local());
        let lan = p("ipp://192.0.2.10/ipp/print");
        assert!(!lan.is_local() && !lan.encrypted());
        assert!(p("ipps://192.0.2.10/ipp/print").encrypted());
        assert!(IppPrinter::new("lpd://192.0.2.10/q").is_err());
    }
}
