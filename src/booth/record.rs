//! What happened in a session, for logs and the demo's summary: counts and
//! times only, nothing about the person.

use crate::checks::Reason;
use crate::clock::Millis;

/// A session's record.
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
