//! Bytes that open as a HEIF file (an `ftyp` box with a HEIF brand, which
//! the target makes sure of) through libheif: decoded within the size
//! limits, or refused; never a crash, never an allocation past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The box every HEIF file opens with: the fuzzer mutates what follows.
const FTYP: &[u8] = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";

fuzz_target!(|data: &[u8]| {
    let bytes = if data.starts_with(&FTYP[4..8]) || data.get(4..8) == Some(b"ftyp") {
        data.to_vec()
    } else {
        [FTYP, data].concat()
    };
    let _ = passbooth::imaging::decode::decode_bytes(&bytes);
});
