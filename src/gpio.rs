//! A GPIO line on the character device, as the config names it, and the
//! one way lines are opened: the panel's control lines, the button and the
//! ready LED all fail with the same error, which says what to check.

use std::path::PathBuf;

use linux_embedded_hal::CdevPin;
use linux_embedded_hal::gpio_cdev::{self, Chip, LineHandle, LineRequestFlags};
use serde::Deserialize;

/// Where a line is: a chip device and the line's offset on it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpioLine {
    /// The chip device (`/dev/gpiochip0` unless given: the Pi's header).
    #[serde(default = "GpioLine::default_chip")]
    pub chip: PathBuf,
    /// Line offset on the chip (BCM number on a Pi).
    pub line: u32,
}

/// What an operator checks when a line cannot be used.
pub const GPIO_FIX: &str = "check that the chip exists (ls /dev/gpiochip*), that the line is on it and free (gpioinfo), and that the passbooth user is in the gpio group";

/// A GPIO line could not be used.
#[derive(Debug, thiserror::Error)]
#[error("GPIO {} line {} ({role}): {source}; {GPIO_FIX}", line.chip.display(), line.line)]
pub struct GpioError {
    /// The line.
    pub line: GpioLine,
    /// What it is for.
    pub role: &'static str,
    /// What the kernel said (missing chip, line busy, no permission).
    #[source]
    pub source: gpio_cdev::Error,
}

impl GpioLine {
    /// The Pi header's chip.
    pub fn default_chip() -> PathBuf {
        PathBuf::from("/dev/gpiochip0")
    }

    /// Requests the line with `flags` at `level`, labelled `passbooth-{role}`
    /// for `gpioinfo`.
    pub fn request(
        &self,
        role: &'static str,
        flags: LineRequestFlags,
        level: u8,
    ) -> Result<LineHandle, GpioError> {
        let line = self.open(role)?;
        line.request(flags, level, &format!("passbooth-{}", role.to_lowercase()))
            .map_err(|e| self.error(role, e))
    }

    /// The line itself (for event requests).
    pub fn open(&self, role: &'static str) -> Result<gpio_cdev::Line, GpioError> {
        let mut chip = Chip::new(&self.chip).map_err(|e| self.error(role, e))?;
        chip.get_line(self.line).map_err(|e| self.error(role, e))
    }

    /// The line as an output pin starting at `level`.
    pub fn output(&self, role: &'static str, level: u8) -> Result<CdevPin, GpioError> {
        let handle = self.request(role, LineRequestFlags::OUTPUT, level)?;
        CdevPin::new(handle).map_err(|e| self.error(role, e))
    }

    /// The error for this line.
    pub fn error(&self, role: &'static str, source: gpio_cdev::Error) -> GpioError {
        GpioError {
            line: self.clone(),
            role,
            source,
        }
    }
}
