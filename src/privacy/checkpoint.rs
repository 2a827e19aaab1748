//! Named points where a test stops the booth to read its memory.
//!
//! A privacy claim about memory ("the still is erased", "nothing is left at
//! exit") is only tested when a scan can also find what it looks for at the
//! moment it is there. Some forms live for a moment only: the camera's
//! still while the engine works on it, the print document while it is
//! sent, and the process itself just before it exits. At each such point
//! the booth calls [`checkpoint`]; when `PASSBOOTH_TEST_STOP_AT` names the
//! point, the process says so on stderr (`checkpoint=NAME`) and stops
//! itself with `SIGSTOP`, so its memory holds still for the scan until the
//! test sends `SIGCONT`. Nothing sets the variable on a booth: the unit,
//! the package and the README never do, and an unset variable costs one
//! look at a cached list.

use std::sync::OnceLock;

/// The variable naming the points to stop at, comma separated.
pub const STOP_AT: &str = "PASSBOOTH_TEST_STOP_AT";

/// The points a booth passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// The camera's still has been handed to the engine.
    Still,
    /// The print document is made and about to be sent.
    Sheet,
    /// Everything is dropped and the process is about to exit.
    Exit,
}

impl Point {
    /// The name in [`STOP_AT`] and in the `checkpoint=` line.
    pub fn name(self) -> &'static str {
        match self {
            Point::Still => "still",
            Point::Sheet => "sheet",
            Point::Exit => "exit",
        }
    }
}

/// Stops the process at `point` when [`STOP_AT`] names it; otherwise
/// nothing.
pub fn checkpoint(point: Point) {
    static NAMED: OnceLock<Vec<String>> = OnceLock::new();
    let named = NAMED.get_or_init(|| {
        // Never in a service: systemd sets INVOCATION_ID for every unit it
        // starts, so an Environment= line cannot stop a booth.
        if std::env::var_os("INVOCATION_ID").is_some() {
            return Vec::new();
        }
        std::env::var(STOP_AT)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    });
    if named.iter().any(|n| n == point.name()) {
        eprintln!("checkpoint={}", point.name());
        // SAFETY: raise has no memory preconditions; SIGSTOP stops every
        // thread of the process until SIGCONT.
        unsafe {
            libc::raise(libc::SIGSTOP);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_not_named_passes_straight_through() {
        // The variable is not set in the test run: nothing stops.
        assert!(std::env::var_os(STOP_AT).is_none());
        checkpoint(Point::Still);
        checkpoint(Point::Exit);
    }
}
