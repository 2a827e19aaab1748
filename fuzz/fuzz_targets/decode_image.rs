//! Bytes given to `compose` as a photo: decoded within the size limits, or
//! refused; never a panic, never an allocation past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = passbooth::imaging::decode::decode_bytes(data);
});
