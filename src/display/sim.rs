//! Screens without hardware: one that only keeps the picture (tests), and
//! one that mirrors it to a PNG file whenever it changes (simulation).

use std::path::PathBuf;

use super::framebuffer::Framebuffer;
use super::panel::Screen;
use crate::imaging::encode::write_file;
use crate::imaging::{RgbImage, SecretBuf};

/// The framebuffer as an RGB image.
pub fn snapshot(fb: &Framebuffer) -> RgbImage {
    let rgb = SecretBuf::from_vec(fb.to_rgb8());
    RgbImage::from_buf(u32::from(fb.width()), u32::from(fb.height()), rgb)
        .unwrap_or_else(|_| RgbImage::black(1, 1))
}

/// Accepts every flush and shows nothing.
#[derive(Debug, Default)]
pub struct NullScreen {
    /// Flushes that sent something.
    pub flushes: u32,
}

impl Screen for NullScreen {
    type Error = std::convert::Infallible;
    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), Self::Error> {
        if fb.take_dirty().is_some() {
            self.flushes += 1;
        }
        Ok(())
    }
}

/// Rewrites a PNG file whenever the picture changes.
#[derive(Debug)]
pub struct PngMirror {
    path: PathBuf,
}

impl PngMirror {
    /// Mirrors to `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }
}

impl Screen for PngMirror {
    type Error = String;
    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), Self::Error> {
        if fb.take_dirty().is_none() {
            return Ok(());
        }
        // Write beside, then rename: a viewer never sees half a file.
        let tmp = self.path.with_extension("part.png");
        write_file(&snapshot(fb), &tmp, 72).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path).map_err(|e| e.to_string())
    }
}
