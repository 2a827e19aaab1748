//! The button and the ready LED on the GPIO character device. Thin: edges
//! with the kernel's timestamps go to the pure [`Button`](super::Button).

use std::os::fd::AsRawFd;

use linux_embedded_hal::CdevPin;
use linux_embedded_hal::gpio_cdev::{
    EventRequestFlags, EventType, LineEventHandle, LineRequestFlags,
};
use serde::Deserialize;

use super::button::{ButtonTiming, Edge};
use crate::clock::Millis;
use crate::gpio::{GpioError, GpioLine};

/// The button as the config gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonConfig {
    /// The chip device.
    #[serde(default = "GpioLine::default_chip")]
    pub chip: std::path::PathBuf,
    /// The line offset.
    pub line: u32,
    /// Pressed pulls the line low (a button to ground with a pull-up).
    #[serde(default = "active_low")]
    pub active_low: bool,
    /// See [`ButtonTiming::debounce_ms`].
    #[serde(default = "debounce_ms")]
    pub debounce_ms: Millis,
    /// See [`ButtonTiming::long_ms`].
    #[serde(default = "long_press_ms")]
    pub long_press_ms: Millis,
}

fn active_low() -> bool {
    true
}
fn debounce_ms() -> Millis {
    ButtonTiming::default().debounce_ms
}
fn long_press_ms() -> Millis {
    ButtonTiming::default().long_ms
}

impl ButtonConfig {
    /// The button's line.
    pub fn gpio_line(&self) -> GpioLine {
        GpioLine {
            chip: self.chip.clone(),
            line: self.line,
        }
    }

    /// The debouncer's timing for this button.
    pub fn timing(&self) -> ButtonTiming {
        ButtonTiming {
            debounce_ms: self.debounce_ms,
            long_ms: self.long_press_ms,
            ..ButtonTiming::default()
        }
    }
}

/// A line delivering timestamped edges: the button's (to the debouncer)
/// or the coin acceptor's (to the pulse decoder).
pub struct GpioEdges {
    events: LineEventHandle,
    active_low: bool,
}

/// The button's line.
pub type GpioButton = GpioEdges;

impl std::fmt::Debug for GpioEdges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpioEdges(active_low: {})", self.active_low)
    }
}

impl GpioEdges {
    /// Requests both edges of the configured button line.
    pub fn open(cfg: &ButtonConfig) -> Result<Self, GpioError> {
        Self::open_line(&cfg.gpio_line(), cfg.active_low, "button")
    }

    /// Requests both edges of `line` for `role` ("coins").
    pub fn open_line(
        line: &GpioLine,
        active_low: bool,
        role: &'static str,
    ) -> Result<Self, GpioError> {
        let events = line
            .open(role)?
            .events(
                LineRequestFlags::INPUT,
                EventRequestFlags::BOTH_EDGES,
                &format!("passbooth-{role}"),
            )
            .map_err(|e| line.error(role, e))?;
        Ok(Self { events, active_low })
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
        Ok(Self {
            pin: cfg.output("LED", 0)?,
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
    use std::path::PathBuf;

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
