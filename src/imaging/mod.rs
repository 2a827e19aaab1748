//! Pixels: the owning buffer, decoding, encoding, sampling.
mod buffer;
pub mod colour;
pub mod decode;
pub mod encode;
pub mod geometry;
pub mod glyphs;
mod orient;
mod rgb;
pub mod still;
pub mod warp;

pub use buffer::SecretBuf;
pub use rgb::{RgbImage, luma};
