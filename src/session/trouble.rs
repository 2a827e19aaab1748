//! Why the booth calls staff: the camera, the button or the printer. The
//! state machine, the screens and the watchers match on it; its code is for
//! logs and counters only.

/// Why the booth needs staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// The camera is gone (checked until it is back).
    CameraLost,
    /// The button has been held down for too long (cleared by a press).
    ButtonStuck,
    /// The printer has no paper.
    OutOfPaper,
    /// Any other reason the printer cannot print, by its stable code
    /// (`paper_jam`, `printer_offline`...).
    Printer(&'static str),
}

impl Trouble {
    /// A printer problem by its code (`print::problem::Problem::code`).
    pub fn printer(code: &'static str) -> Self {
        match code {
            "out_of_paper" => Trouble::OutOfPaper,
            other => Trouble::Printer(other),
        }
    }

    /// Whether the printer is the one in trouble (it is asked until fine).
    pub fn is_printer(self) -> bool {
        matches!(self, Trouble::OutOfPaper | Trouble::Printer(_))
    }

    /// A stable machine code, for logs and counters.
    pub fn code(self) -> &'static str {
        match self {
            Trouble::CameraLost => "camera_lost",
            Trouble::ButtonStuck => "button_stuck",
            Trouble::OutOfPaper => "out_of_paper",
            Trouble::Printer(code) => code,
        }
    }
}
