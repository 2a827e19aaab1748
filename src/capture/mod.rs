//! The camera boundary: viewfinder frames for live checks and preview, and a
//! full-resolution still on demand. The replay source here serves simulation
//! and tests; the libcamera source (its own issue) implements the same trait.
pub mod replay;

use crate::imaging::RgbImage;

/// Why the camera could not deliver.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The camera disappeared or stopped sending frames.
    #[error("camera lost: {0}")]
    Lost(String),
    /// A frame or still arrived damaged.
    #[error("damaged image from the camera: {0}")]
    Corrupt(String),
}

/// A camera.
pub trait FrameSource {
    /// Size of viewfinder frames.
    fn viewfinder_size(&self) -> (u32, u32);
    /// The next viewfinder frame (the source owns and reuses the buffer).
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError>;
    /// A full-resolution still of the current scene.
    fn still(&mut self) -> Result<RgbImage, CaptureError>;
}
