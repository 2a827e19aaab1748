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
        // Write beside, then rename: a viewer never sees half a file. The
        // rename replaces whatever is there, so it must be a file of ours:
        // renaming over a device (`--screen /dev/null`, as root) would
        // replace the device itself.
        if let Ok(meta) = std::fs::symlink_metadata(&self.path)
            && !meta.file_type().is_file()
        {
            return Err(format!(
                "{} exists and is not a regular file; the screen mirror needs a file path",
                self.path.display()
            ));
        }
        if fb.take_dirty().is_none() {
            return Ok(());
        }
        let tmp = self.path.with_extension("part.png");
        write_file(&snapshot(fb), &tmp, 72).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::pixelcolor::Rgb565;
    use embedded_graphics::prelude::*;

    use super::*;

    #[test]
    fn the_mirror_never_replaces_something_that_is_not_a_file() {
        let dir = tempfile::TempDir::new().unwrap();
        // A FIFO stands in for a device such as /dev/null (safe to make).
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid path string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let mut fb = Framebuffer::new(8, 8);
        fb.clear(Rgb565::RED).unwrap();
        let err = PngMirror::new(fifo.clone()).flush(&mut fb).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        // A file (or nothing yet) is written.
        let png = dir.path().join("screen.png");
        PngMirror::new(png.clone()).flush(&mut fb).unwrap();
        assert!(png.is_file());
    }
}
