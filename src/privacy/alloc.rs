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

/// Zero-on-free over the system allocator.
#[derive(Debug, Default, Clone, Copy)]
pub struct ZeroingAlloc;

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
unsafe impl GlobalAlloc for ZeroingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr holds layout.size() bytes until freed.
        unsafe {
            wipe(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: new layout has the old alignment and a size the caller
        // guarantees valid; both blocks are live while copying.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                wipe(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realloc_moves_and_keeps_the_contents() {
        let a = ZeroingAlloc;
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
