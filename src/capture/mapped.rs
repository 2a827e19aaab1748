//! Camera frame memory that we own and map once: either a memfd we create
//! (where the kernel has no dma-buf heaps, as in the emulated Pi) or a
//! dma-buf the camera stack allocated (the real Pi). The camera writes into
//! it, the booth reads it in place, and it is zeroed before it is unmapped,
//! because it held a face.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;

use zeroize::Zeroize;

/// A shared, mapped buffer; zeroed on drop.
#[derive(Debug)]
pub struct MappedBuffer {
    fd: OwnedFd,
    map: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is owned by this value alone (no aliasing in Rust),
// and is valid until drop.
unsafe impl Send for MappedBuffer {}

impl MappedBuffer {
    /// A new anonymous shared-memory buffer of `len` bytes.
    pub fn memfd(name: &CStr, len: usize) -> io::Result<Self> {
        // SAFETY: name is a valid C string; the result is checked.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: valid fd; the result is checked.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), len as libc::off_t) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Self::map(fd, len)
    }

    /// Maps `len` bytes of an existing buffer (a dma-buf), taking the fd.
    pub fn map(fd: OwnedFd, len: usize) -> io::Result<Self> {
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty buffer"));
        }
        // SAFETY: a fresh shared mapping of a valid fd; the result is checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        // Keep frames out of core dumps and swap. Both are best effort: a
        // failing mlock (RLIMIT_MEMLOCK) must not stop the booth; the
        // daemon's mlockall covers it where allowed.
        // SAFETY: the range is the mapping made above.
        unsafe {
            libc::madvise(ptr, len, libc::MADV_DONTDUMP);
            libc::mlock(ptr, len);
        }
        Ok(Self {
            fd,
            map: NonNull::new(ptr.cast()).ok_or_else(io::Error::last_os_error)?,
            len,
        })
    }

    /// Bytes of the buffer.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has no bytes (never: construction refuses that).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffer's content as the camera last wrote it.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is len bytes, readable, alive while self is.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr(), self.len) }
    }

    /// A second descriptor of the same memory, for the camera stack.
    pub fn share(&self) -> io::Result<OwnedFd> {
        self.fd.as_fd().try_clone_to_owned()
    }

    /// Zeroes the buffer now (the camera must not be writing into it: the
    /// session's wipe runs with the camera stopped).
    pub fn wipe(&mut self) {
        self.bytes_mut().zeroize();
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as bytes(), and &mut self excludes other Rust borrows.
        unsafe { std::slice::from_raw_parts_mut(self.map.as_ptr(), self.len) }
    }
}

impl Drop for MappedBuffer {
    fn drop(&mut self) {
        self.bytes_mut().zeroize();
        // SAFETY: unmaps exactly the mapping made in map().
        unsafe {
            libc::munlock(self.map.as_ptr().cast(), self.len);
            libc::munmap(self.map.as_ptr().cast(), self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `len` bytes of an fd through a mapping of our own.
    fn read_through(fd: &OwnedFd, len: usize) -> Vec<u8> {
        let other = MappedBuffer::map(fd.try_clone().unwrap(), len).unwrap();
        let bytes = other.bytes().to_vec();
        // Forget without zeroing: this view is only an observer.
        // SAFETY: unmapping our own observer mapping.
        unsafe { libc::munmap(other.map.as_ptr().cast(), other.len) };
        std::mem::forget(other);
        bytes
    }

    #[test]
    fn the_camera_side_sees_the_same_memory_and_it_is_zeroed_on_drop() {
        let mut buf = MappedBuffer::memfd(c"test-frame", 4096).unwrap();
        buf.bytes_mut()[..4].copy_from_slice(b"face");
        let camera_side = buf.share().unwrap();
        assert_eq!(&read_through(&camera_side, 4096)[..4], b"face");
        drop(buf);
        assert!(read_through(&camera_side, 4096).iter().all(|&b| b == 0));
    }

    #[test]
    fn a_camera_buffer_is_out_of_core_dumps_and_locked() {
        let buf = MappedBuffer::memfd(c"test-frame", 1 << 20).unwrap();
        let flags = crate::privacy::vm_flags_at(buf.bytes().as_ptr() as usize + 4096)
            .expect("the mapping is listed");
        let has = |flag: &str| flags.split(' ').any(|f| f == flag);
        // qemu-user (scripts/pi) passes mlock to the host but not
        // MADV_DONTDUMP; a real kernel, the Pi's included, applies both.
        let dontdump = std::env::var_os("PASSBOOTH_EMULATED").is_some() || has("dd");
        assert!(dontdump && has("lo"), "VmFlags: {flags}");
    }

    #[test]
    fn an_empty_buffer_is_refused() {
        assert!(MappedBuffer::memfd(c"empty", 0).is_err());
    }
}
