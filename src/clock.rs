//! Time as the booth counts it: milliseconds on a monotonic clock. The pure
//! layers (the session, the debouncer) take it as a number so tests script
//! it; only the daemon reads the real clock.

/// Milliseconds on a monotonic clock (the caller's; tests script them).
pub type Millis = u64;

/// The kernel's CLOCK_MONOTONIC in ms: the clock GPIO edge timestamps use,
/// so a press measured from edges and the loop's own time agree.
pub fn monotonic_ms() -> Millis {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes into the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}
