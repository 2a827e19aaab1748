//! Pixels: the owning buffer, decoding, encoding, sampling.
pub mod buffer;
pub mod colour;
pub mod decode;
pub mod encode;
pub mod geometry;
pub mod glyphs;
pub mod orient;
pub mod rgb;
pub mod warp;

pub use buffer::SecretBuf;
pub use rgb::{RgbImage, luma};
