//! The booth's main loop: ten turns a second until quit, SIGTERM or an
//! error, with systemd's watchdog pinged, the counters saved and the ready
//! LED kept in step; every way out wipes and blanks the screen.

use std::path::Path;
use std::time::{Duration, Instant};

use super::buttons::{Buttons, CoinSlot, Polled};
use super::systemd;
use crate::booth::Booth;
use crate::booth::metrics::write_metrics;
use crate::capture::FrameSource;
use crate::display::Screen;
use crate::input::gpio::ReadyLed;
use crate::vision::live::LiveDetector;

/// Loop period: 10 viewfinder frames a second.
const FRAME: Duration = Duration::from_millis(100);

/// Runs `booth` until quit or SIGTERM; wipes before returning.
pub fn drive<C: FrameSource, S: Screen, D: LiveDetector>(
    mut booth: Booth<C, S, D>,
    mut inputs: Inputs,
    files: Files<'_>,
) -> anyhow::Result<u8> {
    systemd::catch_terminate();
    let start = Instant::now();
    let result = turns(&mut booth, &mut inputs, files, start);
    let led = &mut inputs.led;
    systemd::notify("STOPPING=1");
    if let Some(l) = led.as_mut() {
        l.set(false);
    }
    // Every way out, an error included, wipes and blanks the screen.
    let wiped = booth.shut_down(start.elapsed().as_millis() as u64);
    eprintln!("state=stopped");
    result?;
    wiped?;
    Ok(0)
}

/// What the loop reads and lights besides the booth: the button, the coin
/// acceptor (if the booth charges) and the ready LED.
pub struct Inputs {
    /// Where presses (and simulated coins) come from.
    pub buttons: Buttons,
    /// The coin acceptor's line.
    pub coins: Option<CoinSlot>,
    /// The ready LED.
    pub led: Option<ReadyLed>,
}

/// The files the loop keeps up to date: the counters, and the metrics for
/// node_exporter's textfile collector.
#[derive(Debug, Clone, Copy, Default)]
pub struct Files<'a> {
    /// The counters file (`stats`).
    pub stats: Option<&'a Path>,
    /// The metrics file (`[metrics] file`).
    pub metrics: Option<&'a Path>,
}

/// The metrics file is rewritten at least this often (the uptime, the
/// printer's supplies), and after every session.
const METRICS_EVERY: Duration = Duration::from_secs(60);

/// The loop's turns until quit, SIGTERM or an error.
fn turns<C: FrameSource, S: Screen, D: LiveDetector>(
    booth: &mut Booth<C, S, D>,
    inputs: &mut Inputs,
    files: Files<'_>,
    start: Instant,
) -> anyhow::Result<()> {
    let mut metrics_written: Option<Instant> = None;
    let watchdog = systemd::watchdog_interval();
    let mut last_ping = start;
    booth.step(0, None)?;
    systemd::notify("READY=1");
    loop {
        let tick = Instant::now();
        let now = start.elapsed().as_millis() as u64;
        let press = match inputs.buttons.poll() {
            Polled::Quit => break,
            Polled::Press(p) => Some(p),
            Polled::Coin(pulses) => {
                booth.insert_pulses(pulses);
                None
            }
            Polled::Nothing => None,
        };
        while let Some(pulses) = inputs.coins.as_mut().and_then(CoinSlot::poll) {
            booth.insert_pulses(pulses);
        }
        if systemd::terminating() {
            break;
        }
        booth.step(now, press)?;
        let counted = booth.counters_if_changed().cloned();
        if let (Some(path), Some(counters)) = (files.stats, counted.as_ref())
            && let Err(e) = counters.save(path)
        {
            // Counting must never stop the booth.
            eprintln!("stats: {e}");
        }
        let health = booth.printer_health_changed();
        if let Some(path) = files.metrics
            && (counted.is_some()
                || health
                || metrics_written.is_none_or(|t| t.elapsed() >= METRICS_EVERY))
        {
            if let Err(e) = write_metrics(path, &booth.metrics(now)) {
                eprintln!("metrics: {}: {e}", path.display());
            }
            metrics_written = Some(Instant::now());
        }
        if let Some(l) = inputs.led.as_mut() {
            l.set(booth.wants_press());
        }
        if let Some(every) = watchdog
            && last_ping.elapsed() >= every
        {
            systemd::notify("WATCHDOG=1");
            last_ping = Instant::now();
        }
        if let Some(rest) = FRAME.checked_sub(tick.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    Ok(())
}
