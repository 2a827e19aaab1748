//! The booth's main loop: ten turns a second until quit, SIGTERM or an
//! error, with systemd's watchdog pinged, the counters saved and the ready
//! LED kept in step; every way out wipes and blanks the screen.

use std::path::Path;
use std::time::{Duration, Instant};

use super::buttons::{Buttons, Polled};
use super::systemd;
use crate::booth::Booth;
use crate::capture::FrameSource;
use crate::display::Screen;
use crate::input::gpio::ReadyLed;
use crate::vision::live::LiveDetector;

/// Loop period: 10 viewfinder frames a second.
const FRAME: Duration = Duration::from_millis(100);

/// Runs `booth` until quit or SIGTERM; wipes before returning.
pub fn drive<C: FrameSource, S: Screen, D: LiveDetector>(
    mut booth: Booth<C, S, D>,
    mut buttons: Buttons,
    mut led: Option<ReadyLed>,
    stats: Option<&Path>,
) -> anyhow::Result<u8> {
    systemd::catch_terminate();
    let start = Instant::now();
    let result = turns(&mut booth, &mut buttons, &mut led, stats, start);
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

/// The loop's turns until quit, SIGTERM or an error.
fn turns<C: FrameSource, S: Screen, D: LiveDetector>(
    booth: &mut Booth<C, S, D>,
    buttons: &mut Buttons,
    led: &mut Option<ReadyLed>,
    stats: Option<&Path>,
    start: Instant,
) -> anyhow::Result<()> {
    let watchdog = systemd::watchdog_interval();
    let mut last_ping = start;
    booth.step(0, None)?;
    systemd::notify("READY=1");
    loop {
        let tick = Instant::now();
        let now = start.elapsed().as_millis() as u64;
        let press = match buttons.poll() {
            Polled::Quit => break,
            Polled::Press(p) => Some(p),
            Polled::Nothing => None,
        };
        if systemd::terminating() {
            break;
        }
        booth.step(now, press)?;
        if let (Some(path), Some(counters)) = (stats, booth.counters_if_changed())
            && let Err(e) = counters.save(path)
        {
            // Counting must never stop the booth.
            eprintln!("stats: {e}");
        }
        if let Some(l) = led.as_mut() {
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
