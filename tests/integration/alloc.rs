//! A global allocator that counts, per thread, the allocations made while
//! counting is switched on (proof that per-frame code allocates nothing),
//! and keeps a register of the large blocks alive (proof that no buffer of
//! a session outlives it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

/// Blocks at least this large are registered: every buffer that holds a
/// picture (a 640 x 480 frame is 900 kB; a photo 1 MB).
pub const LARGE: usize = 256 << 10;
/// Room in the register.
const SLOTS: usize = 4096;

/// The large blocks alive: (address, size), 0 for a free slot. A lock that
/// never allocates, so the allocator may take it.
static LIVE: std::sync::Mutex<[(usize, usize); SLOTS]> = std::sync::Mutex::new([(0, 0); SLOTS]);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ON.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
            BYTES.with(|b| b.set(b.get() + layout.size()));
        }
        let p = unsafe { System.alloc(layout) };
        if layout.size() >= LARGE && !p.is_null() {
            let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(slot) = live.iter_mut().find(|s| s.0 == 0) {
                *slot = (p as usize, layout.size());
            }
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE {
            let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(slot) = live.iter_mut().find(|s| s.0 == ptr as usize) {
                *slot = (0, 0);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// The large blocks alive now, (address, size), in address order.
pub fn large_blocks() -> Vec<(usize, usize)> {
    let copy = *LIVE.lock().unwrap_or_else(|e| e.into_inner());
    let mut out: Vec<(usize, usize)> = copy.into_iter().filter(|s| s.0 != 0).collect();
    out.sort_unstable();
    out
}

/// Runs `f` and returns (allocations, bytes) made on this thread meanwhile.
pub fn count<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    COUNT.with(|c| c.set(0));
    BYTES.with(|b| b.set(0));
    ON.with(|o| o.set(true));
    let out = f();
    ON.with(|o| o.set(false));
    (out, COUNT.with(Cell::get), BYTES.with(Cell::get))
}
