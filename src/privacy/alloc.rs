//! A global allocator that zeroes every block when it is freed or moved.
//!
//! [`SecretBuf`](crate::imaging::SecretBuf) zeroes the buffers we own, but
//! pixels also pass through memory we do not: a decoder's scratch rows, an
//! encoder's growing output `Vec`, a library's temporary copies. Freed
//! without zeroing they stay readable in the heap until reused; a `Vec` that
//! grows by `realloc` can leave its old copy behind. This allocator closes
//! both: `dealloc` zeroes the block first, and `realloc` always allocates
//! anew, copies, and zeroes the old block. The binary installs it; memory
//! that C libraries (LiteRT, libcamera) manage themselves is not covered and
//! is wiped by its owners instead (`Model::wipe`, the mapped camera buffers).

use std::alloc::{GlobalAlloc, Layout, System};

/// Zero-on-free over another allocator (the system's in the binary; a test
/// puts one under it that looks at every block it is handed back).
#[derive(Debug, Default, Clone, Copy)]
pub struct ZeroingAlloc<A = System>(pub A);

impl ZeroingAlloc {
    /// Over the system allocator.
    pub const SYSTEM: Self = Self(System);
}

/// Zeroes `len` bytes at `ptr` in a way the compiler cannot drop as a dead
/// store before the free.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn wipe(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees the range.
    unsafe { std::ptr::write_bytes(ptr, 0, len) };
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

// SAFETY: every method forwards to System with the same layouts; the extra
// work only writes inside blocks we are about to free.
unsafe impl<A: GlobalAlloc> GlobalAlloc for ZeroingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr holds layout.size() bytes until freed.
        unsafe {
            wipe(ptr, layout.size());
            self.0.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: new layout has the old alignment and a size the caller
        // guarantees valid; both blocks are live while copying.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = self.0.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                wipe(ptr, layout.size());
                self.0.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// The library's test binary's allocator: the system's, reporting whether
/// one watched block was all zeros when it was handed back. It proves what
/// a type does on drop (a `SecretBuf` zeroes itself) without reading freed
/// memory; it zeroes nothing itself, so a type that forgot would show.
#[cfg(test)]
pub(crate) mod watch {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        /// The block watched on this thread (its address), or 0.
        static WATCHED: Cell<usize> = const { Cell::new(0) };
        /// 0: not freed yet; 1: freed all zero; 2: freed with bytes left.
        static SEEN: Cell<u8> = const { Cell::new(0) };
    }

    /// The system allocator with the watch.
    pub(crate) struct Watching;

    // SAFETY: forwards to System; dealloc only reads the block it frees.
    unsafe impl GlobalAlloc for Watching {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if WATCHED.try_with(Cell::get).unwrap_or(0) == ptr as usize {
                // SAFETY: the block is live until the System.dealloc below.
                let bytes = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                let zero = bytes.iter().all(|&b| b == 0);
                let _ = SEEN.try_with(|s| s.set(if zero { 1 } else { 2 }));
            }
            // SAFETY: forwarded.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// Runs `free`, which must hand the block at `ptr` back; whether it was
    /// all zeros then (`None`: it was not handed back).
    pub(crate) fn zero_when_freed(ptr: *const u8, free: impl FnOnce()) -> Option<bool> {
        WATCHED.with(|w| w.set(ptr as usize));
        SEEN.with(|s| s.set(0));
        free();
        WATCHED.with(|w| w.set(0));
        match SEEN.with(Cell::get) {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::cell::RefCell;

    thread_local! {
        /// What the inner allocator saw handed back: (size, non-zero bytes).
        static RETURNED: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
    }

    /// The system allocator, looking at each block just before freeing it.
    struct Inspecting;

    // SAFETY: forwards to System; dealloc only reads the block it frees.
    unsafe impl GlobalAlloc for Inspecting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the block is live until the System.dealloc below.
            let nonzero = unsafe { std::slice::from_raw_parts(ptr, layout.size()) }
                .iter()
                .filter(|&&b| b != 0)
                .count();
            RETURNED.with(|r| r.borrow_mut().push((layout.size(), nonzero)));
            // SAFETY: forwarded.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[test]
    fn a_freed_block_and_a_moved_block_are_zero_when_handed_back() {
        let a = ZeroingAlloc(Inspecting);
        let small = Layout::from_size_align(100, 8).unwrap();
        RETURNED.with(|r| r.borrow_mut().clear());
        // SAFETY: fresh blocks, written and freed within their sizes.
        unsafe {
            let p = a.alloc(small);
            std::ptr::write_bytes(p, 0xAB, 100);
            a.dealloc(p, small);
            let q = a.alloc(small);
            std::ptr::write_bytes(q, 0xCD, 100);
            let r = a.realloc(q, small, 4096);
            assert_eq!(*r.add(99), 0xCD, "contents moved");
            a.dealloc(r, Layout::from_size_align(4096, 8).unwrap());
        }
        let returned = RETURNED.with(|r| r.borrow().clone());
        // The freed block, the block moved away from, the moved-to block.
        assert_eq!(returned, [(100, 0), (100, 0), (4096, 0)]);
    }

    #[test]
    fn without_the_wipe_the_inspector_sees_the_bytes() {
        // The check above can fail: the inner allocator alone sees them.
        let small = Layout::from_size_align(64, 8).unwrap();
        RETURNED.with(|r| r.borrow_mut().clear());
        // SAFETY: a fresh block, written and freed within its size.
        unsafe {
            let p = Inspecting.alloc(small);
            std::ptr::write_bytes(p, 0xAB, 64);
            Inspecting.dealloc(p, small);
        }
        assert_eq!(RETURNED.with(|r| r.borrow().clone()), [(64, 64)]);
    }

    #[test]
    fn realloc_moves_and_keeps_the_contents() {
        let a = ZeroingAlloc::SYSTEM;
        let layout = Layout::from_size_align(64, 8).unwrap();
        // SAFETY: a fresh block, written and grown within its sizes.
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            for i in 0..64 {
                *p.add(i) = i as u8;
            }
            let q = a.realloc(p, layout, 1 << 20);
            assert!(!q.is_null());
            assert_ne!(p, q, "always a new block, so the old one can be wiped");
            assert!((0..64).all(|i| *q.add(i) == i as u8));
            a.dealloc(q, Layout::from_size_align(1 << 20, 8).unwrap());
        }
    }
}
