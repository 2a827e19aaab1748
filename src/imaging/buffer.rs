//! The one owner of memory that can hold a face.
//!
//! Decoded photos, model input tensors copied from them, masks, crops and the
//! composed photo all live in a [`SecretBuf`]. It is sized once and never
//! grows (a growing `Vec` leaves old copies behind on reallocation), it is not
//! `Clone` (a copy must be made on purpose, through [`SecretBuf::try_copy_of`]),
//! and it is zeroed when dropped. Its whole pages are locked in RAM and kept
//! out of core dumps ([`crate::privacy::protect_pages`]).

use std::ops::{Deref, DerefMut};

use zeroize::Zeroize;

/// A fixed-size heap buffer that is zeroed on drop.
pub struct SecretBuf<T: Zeroize + Copy + Default> {
    data: Box<[T]>,
}

impl<T: Zeroize + Copy + Default> SecretBuf<T> {
    fn own(data: Box<[T]>) -> Self {
        crate::privacy::protect_pages(data.as_ptr().cast(), std::mem::size_of_val(&*data));
        Self { data }
    }

    /// A buffer of `len` default values (zeros).
    pub fn zeroed(len: usize) -> Self {
        Self::own(vec![T::default(); len].into_boxed_slice())
    }

    /// Takes ownership of `data` without copying when its capacity is exact.
    ///
    /// A `Vec` with spare capacity is shrunk, which may move it: the old
    /// allocation is zeroed first so no copy of the pixels stays behind.
    pub fn from_vec(mut data: Vec<T>) -> Self {
        if data.capacity() != data.len() {
            let mut exact = Vec::with_capacity(data.len());
            exact.extend_from_slice(&data);
            data.zeroize();
            data = exact;
        }
        Self::own(data.into_boxed_slice())
    }

    /// An explicit copy, for the rare place that needs two owners.
    pub fn try_copy_of(src: &[T]) -> Self {
        Self::own(src.to_vec().into_boxed_slice())
    }

    /// Zeroes the contents now (the buffer stays usable).
    pub fn wipe(&mut self) {
        self.data.zeroize();
    }
}

impl<T: Zeroize + Copy + Default> Deref for SecretBuf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.data
    }
}

impl<T: Zeroize + Copy + Default> DerefMut for SecretBuf<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.data
    }
}

/// Lets a `Cursor<SecretBuf<u8>>` stream a print document without copying it
/// out of the buffer that will wipe it.
impl AsRef<[u8]> for SecretBuf<u8> {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl<T: Zeroize + Copy + Default> Drop for SecretBuf<T> {
    fn drop(&mut self) {
        self.data.zeroize();
        crate::privacy::release_pages(
            self.data.as_ptr().cast(),
            std::mem::size_of_val(&*self.data),
        );
    }
}

impl<T: Zeroize + Copy + Default> std::fmt::Debug for SecretBuf<T> {
    /// Prints the size only: pixel values never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBuf({} elements)", self.data.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_vec_with_exact_capacity_keeps_the_allocation() {
        let v = vec![7u8; 64];
        let ptr = v.as_ptr();
        let buf = SecretBuf::from_vec(v);
        assert_eq!(buf.as_ptr(), ptr);
        assert!(buf.iter().all(|&b| b == 7));
    }

    #[test]
    fn from_vec_with_spare_capacity_keeps_the_contents() {
        let mut v = Vec::with_capacity(100);
        v.extend_from_slice(&[1u8, 2, 3]);
        let buf = SecretBuf::from_vec(v);
        assert_eq!(&*buf, &[1, 2, 3]);
    }

    #[test]
    fn wipe_zeroes_in_place() {
        let mut buf = SecretBuf::from_vec(vec![9u8; 16]);
        buf.wipe();
        assert!(buf.iter().all(|&b| b == 0));
        assert_eq!(buf.len(), 16);
    }

    #[test]
    fn a_buffer_is_zero_when_its_memory_is_handed_back() {
        use crate::privacy::alloc::watch::zero_when_freed;
        let buf = SecretBuf::from_vec(vec![0xABu8; 8192]);
        let at = buf.as_ptr();
        assert_eq!(zero_when_freed(at, || drop(buf)), Some(true));
        // The watch can fail: a plain Vec goes back with its bytes.
        let plain = std::hint::black_box(vec![0xABu8; 8192]);
        let at = plain.as_ptr();
        assert_eq!(zero_when_freed(at, || drop(plain)), Some(false));
    }

    #[test]
    fn debug_does_not_print_contents() {
        let buf = SecretBuf::from_vec(vec![0xABu8; 4]);
        assert_eq!(format!("{buf:?}"), "SecretBuf(4 elements)");
    }
}
