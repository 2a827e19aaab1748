//! Fleet health for Prometheus, without personal data: the counters, the
//! credit, the uptime and what the printer says of itself, in Prometheus'
//! text format for node_exporter's textfile collector, written whole or
//! not at all. The metric names and every label's values are closed lists
//! ([`METRICS`], the reason and problem codes, the printer's state and
//! reasons): nothing about a person can be put in them.

use std::fmt::Write;
use std::path::Path;

use super::Booth;
use super::till::Till;
use crate::capture::FrameSource;
use crate::checks::Reason;
use crate::clock::Millis;
use crate::display::Screen;
use crate::print::health::{PrinterState, REASONS};
use crate::print::problem::Problem;
use crate::vision::live::LiveDetector;

/// Every metric: name, type, help.
pub const METRICS: [(&str, &str, &str); 18] = [
    ("passbooth_sessions_total", "counter", "Sessions started."),
    ("passbooth_prints_total", "counter", "Sheets printed."),
    (
        "passbooth_rejections_total",
        "counter",
        "Photos rejected, by the first failed check.",
    ),
    (
        "passbooth_printer_errors_total",
        "counter",
        "Print failures, by problem code.",
    ),
    (
        "passbooth_camera_errors_total",
        "counter",
        "Times the camera failed or went missing.",
    ),
    (
        "passbooth_phone_sends_total",
        "counter",
        "Photo files fetched by phones.",
    ),
    (
        "passbooth_coins_total",
        "counter",
        "Coins and notes accepted.",
    ),
    (
        "passbooth_credit_taken_cents_total",
        "counter",
        "Money inserted, in cents.",
    ),
    (
        "passbooth_paid_cents_total",
        "counter",
        "Money taken for printed sheets, in cents.",
    ),
    (
        "passbooth_credit_left_cents_total",
        "counter",
        "Credit left at a payment time-out, in cents.",
    ),
    (
        "passbooth_credit_cents",
        "gauge",
        "Credit held now, in cents.",
    ),
    (
        "passbooth_till_unsaved",
        "gauge",
        "1 if the till's last change could not be written (credit held in memory only).",
    ),
    (
        "passbooth_uptime_seconds",
        "gauge",
        "Seconds since the booth started.",
    ),
    (
        "passbooth_printer_up",
        "gauge",
        "1 if the printer answered its last status request.",
    ),
    (
        "passbooth_printer_state",
        "gauge",
        "1 for the printer's current state.",
    ),
    (
        "passbooth_printer_state_reason",
        "gauge",
        "1 for each problem the printer reports.",
    ),
    (
        "passbooth_printer_supply_percent",
        "gauge",
        "Each supply's level, per cent, where known.",
    ),
    (
        "passbooth_printer_paper_loaded",
        "gauge",
        "1 if the printer says the booth's paper is loaded.",
    ),
];

/// The label each labelled metric takes.
pub const LABELS: [(&str, &str); 5] = [
    ("passbooth_rejections_total", "reason"),
    ("passbooth_printer_errors_total", "code"),
    ("passbooth_printer_state", "state"),
    ("passbooth_printer_state_reason", "reason"),
    ("passbooth_printer_supply_percent", "supply"),
];

/// The rejection codes a label may carry.
fn rejection_codes() -> impl Iterator<Item = &'static str> {
    Reason::ALL
        .into_iter()
        .map(Reason::code)
        .chain(["no_photo"])
}

fn head(out: &mut String, name: &str) {
    if let Some((_, kind, help)) = METRICS.iter().find(|m| m.0 == name) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }
}

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// Whether the printer's health changed since the last call (the
    /// metrics file is then due).
    pub fn printer_health_changed(&mut self) -> bool {
        std::mem::take(&mut self.health_changed)
    }

    /// The metrics now, `uptime_ms` after the booth started.
    pub fn metrics(&self, uptime_ms: Millis) -> String {
        let c = self.counters();
        let mut out = String::new();
        let plain = [
            ("passbooth_sessions_total", c.sessions),
            ("passbooth_prints_total", c.prints),
        ];
        for (name, v) in plain {
            head(&mut out, name);
            let _ = writeln!(out, "{name} {v}");
        }
        // Every label value from its closed list, zeros included: a
        // dashboard sees the series before the first rejection.
        head(&mut out, "passbooth_rejections_total");
        for code in rejection_codes() {
            let v = c.rejections.get(code).copied().unwrap_or(0);
            let _ = writeln!(out, "passbooth_rejections_total{{reason=\"{code}\"}} {v}");
        }
        head(&mut out, "passbooth_printer_errors_total");
        for code in Problem::CODES {
            let v = c.printer_errors.get(code).copied().unwrap_or(0);
            let _ = writeln!(out, "passbooth_printer_errors_total{{code=\"{code}\"}} {v}");
        }
        let more = [
            ("passbooth_camera_errors_total", c.camera_errors),
            ("passbooth_phone_sends_total", c.phone_sends),
            ("passbooth_coins_total", c.coins),
            ("passbooth_credit_taken_cents_total", c.credit_cents),
            ("passbooth_paid_cents_total", c.paid_cents),
            ("passbooth_credit_left_cents_total", c.carried_cents),
            ("passbooth_credit_cents", self.credit().0),
            (
                "passbooth_till_unsaved",
                u64::from(self.till().is_some_and(Till::unsaved)),
            ),
            ("passbooth_uptime_seconds", uptime_ms / 1000),
        ];
        for (name, v) in more {
            head(&mut out, name);
            let _ = writeln!(out, "{name} {v}");
        }
        let health = self.printer_health.as_ref();
        head(&mut out, "passbooth_printer_up");
        let _ = writeln!(
            out,
            "passbooth_printer_up {}",
            u8::from(health.is_some_and(Option::is_some))
        );
        let Some(Some(h)) = health else {
            return out;
        };
        head(&mut out, "passbooth_printer_state");
        for s in [
            PrinterState::Idle,
            PrinterState::Processing,
            PrinterState::Stopped,
            PrinterState::Unknown,
        ] {
            let _ = writeln!(
                out,
                "passbooth_printer_state{{state=\"{}\"}} {}",
                s.keyword(),
                u8::from(h.state == s)
            );
        }
        head(&mut out, "passbooth_printer_state_reason");
        for r in REASONS {
            let on = u8::from(h.reasons.contains(&r));
            let _ = writeln!(out, "passbooth_printer_state_reason{{reason=\"{r}\"}} {on}");
        }
        if !h.paper_loaded.is_empty() {
            head(&mut out, "passbooth_printer_paper_loaded");
            let loaded = h.paper_loaded.contains(&self.settings.paper.media.keyword);
            let _ = writeln!(out, "passbooth_printer_paper_loaded {}", u8::from(loaded));
        }
        head(&mut out, "passbooth_printer_supply_percent");
        // Supplies by position, not by the printer's free-text name.
        for (i, s) in h.supplies.iter().enumerate() {
            if let Some(l) = s.level {
                let _ = writeln!(
                    out,
                    "passbooth_printer_supply_percent{{supply=\"{i}\"}} {l}"
                );
            }
        }
        out
    }
}

/// Writes `text` to `path` whole or not at all: into a file beside it that
/// the textfile collector ignores (it reads `*.prom` only), then renamed.
///
/// The file is readable by everyone (0644) whatever the booth's umask (the
/// unit's is 0077): node_exporter runs as a user of its own, and the file
/// holds counters only.
pub fn write_metrics(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.set_permissions(std::fs::Permissions::from_mode(METRICS_MODE))?;
    f.write_all(text.as_bytes())?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// The metrics file's mode: the collector reads it as another user.
pub const METRICS_MODE: u32 = 0o644;
