//! What a printer says of itself, as an operator needs it: its state, its
//! problems from a closed list of IPP keywords (so "paper low" shows before
//! "out of paper"), and its supplies' levels where it reports them.

use super::ipp::PrinterStatus;

/// printer-state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterState {
    /// 3: ready.
    Idle,
    /// 4: printing.
    Processing,
    /// 5: stopped.
    Stopped,
    /// Anything else.
    Unknown,
}

impl PrinterState {
    /// Its IPP keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            PrinterState::Idle => "idle",
            PrinterState::Processing => "processing",
            PrinterState::Stopped => "stopped",
            PrinterState::Unknown => "unknown",
        }
    }
}

/// The printer-state-reasons the booth reports, and "other" for the rest:
/// a closed list, so the metrics' labels are too.
pub const REASONS: [&str; 15] = [
    "media-low",
    "media-empty",
    "media-needed",
    "media-jam",
    "marker-supply-low",
    "marker-supply-empty",
    "toner-low",
    "toner-empty",
    "cover-open",
    "door-open",
    "interlock-open",
    "offline",
    "paused",
    "shutdown",
    "other",
];

/// One supply (ink, ribbon, toner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supply {
    /// Its name as the printer gives it ("Ribbon").
    pub name: String,
    /// Its level, per cent, if the printer knows it.
    pub level: Option<u8>,
}

/// A printer's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterHealth {
    /// Its state.
    pub state: PrinterState,
    /// Its problems, from [`REASONS`], without duplicates.
    pub reasons: Vec<&'static str>,
    /// Its supplies.
    pub supplies: Vec<Supply>,
    /// The paper it says is loaded (media-ready), where it says (a CUPS
    /// queue's is a guess and is left out).
    pub paper_loaded: Vec<String>,
}

impl PrinterHealth {
    /// Reads a status answer.
    pub fn from_status(s: &PrinterStatus) -> Self {
        let state = match s.state {
            3 => PrinterState::Idle,
            4 => PrinterState::Processing,
            5 => PrinterState::Stopped,
            _ => PrinterState::Unknown,
        };
        let mut reasons: Vec<&'static str> = Vec::new();
        for r in &s.reasons {
            let bare = ["-report", "-warning", "-error"]
                .iter()
                .fold(r.as_str(), |k, suffix| k.strip_suffix(suffix).unwrap_or(k));
            if bare == "none" {
                continue;
            }
            let known = REASONS
                .iter()
                .find(|k| **k == bare)
                .copied()
                .unwrap_or("other");
            if !reasons.contains(&known) {
                reasons.push(known);
            }
        }
        let supplies = s
            .marker_levels
            .iter()
            .enumerate()
            .map(|(i, &l)| Supply {
                name: s
                    .marker_names
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("supply {}", i + 1)),
                level: u8::try_from(l).ok().filter(|l| *l <= 100),
            })
            .collect();
        Self {
            state,
            reasons,
            supplies,
            paper_loaded: if s.is_cups {
                Vec::new()
            } else {
                s.media_ready.clone()
            },
        }
    }

    /// One line for `doctor`: "idle; Ribbon 37 %; media-low".
    pub fn summary(&self) -> String {
        let mut parts = vec![self.state.keyword().to_string()];
        for s in &self.supplies {
            parts.push(match s.level {
                Some(l) => format!("{} {l} %", s.name),
                None => format!("{} level unknown", s.name),
            });
        }
        if self.reasons.is_empty() {
            parts.push("no problem reported".into());
        } else {
            parts.push(self.reasons.join(", "));
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: i32, reasons: &[&str], levels: &[i32], names: &[&str]) -> PrinterStatus {
        PrinterStatus {
            state,
            reasons: reasons.iter().map(|s| s.to_string()).collect(),
            media_supported: vec![],
            media_ready: vec![],
            formats: vec![],
            borderless: false,
            scaling_none: false,
            is_cups: false,
            message: String::new(),
            notifies: false,
            media_default: None,
            device_uri: None,
            marker_levels: levels.to_vec(),
            marker_names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn reasons_are_read_into_the_closed_list_and_levels_into_per_cent() {
        let h = PrinterHealth::from_status(&status(
            4,
            &[
                "media-low-warning",
                "media-low-report",
                "none",
                "spool-area-full",
                "cover-open-error",
            ],
            &[37, -1, 250],
            &["Ribbon"],
        ));
        assert_eq!(h.state, PrinterState::Processing);
        assert_eq!(h.reasons, ["media-low", "other", "cover-open"]);
        assert_eq!(
            h.supplies,
            [
                Supply {
                    name: "Ribbon".into(),
                    level: Some(37)
                },
                Supply {
                    name: "supply 2".into(),
                    level: None
                },
                Supply {
                    name: "supply 3".into(),
                    level: None
                },
            ]
        );
        assert_eq!(
            h.summary(),
            "processing; Ribbon 37 %; supply 2 level unknown; supply 3 level unknown; media-low, other, cover-open"
        );
        let fine = PrinterHealth::from_status(&status(3, &["none"], &[], &[]));
        assert_eq!(fine.summary(), "idle; no problem reported");
    }
}
