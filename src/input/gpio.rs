//! The button and the ready LED on the GPIO character device. Thin: edges
//! with the kernel's timestamps go to the pure [`Button`](super::Button).

use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use linux_embedded_hal::CdevPin;
use linux_embedded_hal::gpio_cdev::{
    Chip, EventRequestFlags, EventType, LineEventHandle, LineRequestFlags,
};

use super::button::Edge;
use crate::clock::Millis;
use crate::config::{ButtonConfig, GpioLine};

/// A GPIO line could not be used.
#[derive(Debug, thiserror::Error)]
#[error("GPIO {chip} line {line} ({role}): {message}")]
pub struct GpioError {
    /// The chip device.
    pub chip: PathBuf,
    /// The line offset.
    pub line: u32,
    /// What it is for.
    pub role: &'static str,
    /// What failed (missing chip, line busy, no permission).
    pub message: String,
}

fn gpio_err(chip: &Path, line: u32, role: &'static str, e: impl std::fmt::Display) -> GpioError {
    GpioError {
        chip: chip.to_path_buf(),
        line,
        role,
        message: e.to_string(),
    }
}

/// The button's line, delivering debounce-ready edges.
pub struct GpioButton {
    events: LineEventHandle,
    active_low: bool,
}

impl std::fmt::Debug for GpioButton {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpioButton(active_low: {})", self.active_low)
    }
}

impl GpioButton {
    /// Requests both edges of the configured line.
    pub fn open(cfg: &ButtonConfig) -> Result<Self, GpioError> {
        let err = |e: &dyn std::fmt::Display| gpio_err(&cfg.chip, cfg.line, "button", e);
        let mut chip = Chip::new(&cfg.chip).map_err(|e| err(&e))?;
        let line = chip.get_line(cfg.line).map_err(|e| err(&e))?;
        let events = line
            .events(
                LineRequestFlags::INPUT,
                EventRequestFlags::BOTH_EDGES,
                "passbooth-button",
            )
            .map_err(|e| err(&e))?;
        Ok(Self {
            events,
            active_low: cfg.active_low,
        })
    }

    /// The next edge if one is waiting (never blocks). Times are the
    /// kernel's CLOCK_MONOTONIC in ms, the clock `Instant` uses.
    pub fn poll(&mut self) -> Option<Edge> {
        let mut pfd = libc::pollfd {
            fd: self.events.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, zero timeout.
        if unsafe { libc::poll(&mut pfd, 1, 0) } <= 0 {
            return None;
        }
        let ev = self.events.get_event().ok()?;
        let high = ev.event_type() == EventType::RisingEdge;
        Some(Edge {
            at: (ev.timestamp() / 1_000_000) as Millis,
            pressed: high != self.active_low,
        })
    }
}

/// The "ready" LED beside the button.
pub struct ReadyLed {
    pin: CdevPin,
}

impl ReadyLed {
    /// Requests the line as an output, off.
    pub fn open(cfg: &GpioLine) -> Result<Self, GpioError> {
        let err = |e: &dyn std::fmt::Display| gpio_err(&cfg.chip, cfg.line, "LED", e);
        let mut chip = Chip::new(&cfg.chip).map_err(|e| err(&e))?;
        let handle = chip
            .get_line(cfg.line)
            .and_then(|l| l.request(LineRequestFlags::OUTPUT, 0, "passbooth-led"))
            .map_err(|e| err(&e))?;
        Ok(Self {
            pin: CdevPin::new(handle).map_err(|e| err(&e))?,
        })
    }

    /// Lights or darkens it.
    pub fn set(&mut self, on: bool) {
        use embedded_hal::digital::OutputPin;
        let _ = if on {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_chip_is_named_with_its_line_and_role() {
        let cfg = ButtonConfig {
            chip: PathBuf::from("/dev/gpiochip-none"),
            line: 17,
            active_low: true,
            debounce_ms: 30,
            long_press_ms: 1000,
        };
        let e = GpioButton::open(&cfg).unwrap_err().to_string();
        assert!(
            e.contains("/dev/gpiochip-none") && e.contains("line 17") && e.contains("button"),
            "{e}"
        );
        let led = ReadyLed::open(&GpioLine {
            chip: PathBuf::from("/dev/gpiochip-none"),
            line: 22,
        });
        assert!(led.err().unwrap().to_string().contains("LED"));
    }
}
