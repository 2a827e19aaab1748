//! The camera boundary: viewfinder frames for live checks and preview, and a
//! full-resolution still on demand. The replay source here serves simulation
//! and tests; the libcamera source drives a real camera (feature
//! `libcamera`). Both convert into the same [`RgbImage`].
#[cfg(feature = "libcamera")]
pub mod libcamera;
pub mod mapped;
pub mod pixels;
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
///
/// The booth starts the viewfinder when a session begins and stops it when
/// the still is taken or the session ends, so a real sensor is idle (and
/// cool) between people. Errors are never fatal: the booth shows "camera not
/// connected" and calls [`FrameSource::check`] until the camera is back.
pub trait FrameSource {
    /// Size of viewfinder frames.
    fn viewfinder_size(&self) -> (u32, u32);
    /// Starts the viewfinder stream.
    fn start(&mut self) -> Result<(), CaptureError> {
        Ok(())
    }
    /// Stops it (idempotent).
    fn stop(&mut self) {}
    /// Whether the camera is there and usable now, reopening it if it went
    /// away; called while idle and while the booth shows the camera trouble.
    fn check(&mut self) -> Result<(), CaptureError> {
        Ok(())
    }
    /// The next viewfinder frame (the source owns and reuses the buffer).
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError>;
    /// A full-resolution still of the current scene.
    fn still(&mut self) -> Result<RgbImage, CaptureError>;
    /// Zeroes every frame the source holds: the converted viewfinder frame
    /// and every buffer the camera writes into. Called at every session end
    /// (the camera is stopped by then); a source that held a face and did
    /// not zero it would carry it into the next person's session.
    fn wipe(&mut self);
}

/// A boxed camera is a camera: `run` picks replay or libcamera at run time.
impl<T: FrameSource + ?Sized> FrameSource for Box<T> {
    fn viewfinder_size(&self) -> (u32, u32) {
        (**self).viewfinder_size()
    }
    fn start(&mut self) -> Result<(), CaptureError> {
        (**self).start()
    }
    fn stop(&mut self) {
        (**self).stop()
    }
    fn check(&mut self) -> Result<(), CaptureError> {
        (**self).check()
    }
    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        (**self).next_frame()
    }
    fn still(&mut self) -> Result<RgbImage, CaptureError> {
        (**self).still()
    }
    fn wipe(&mut self) {
        (**self).wipe()
    }
}
