//! The camera boundary: viewfinder frames for live checks and preview, and a
//! full-resolution still on demand. The replay source here serves simulation
//! and tests; the libcamera source drives a real camera (feature
//! `libcamera`). Both convert into the same [`RgbImage`].
#[cfg(feature = "libcamera")]
pub mod libcamera;
pub mod mapped;
pub mod pixels;
pub mod plan;
pub mod replay;
pub mod still;

use serde::Deserialize;

use crate::imaging::RgbImage;
use still::CameraStill;

/// What the booth asks of its camera (the config's `[camera]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraSettings {
    /// libcamera id or model name of the camera; the first when `None`.
    #[serde(rename = "name", default)]
    pub id: Option<String>,
    /// Viewfinder size (the live guide runs on every frame of it).
    #[serde(default = "CameraSettings::default_viewfinder")]
    pub viewfinder: (u32, u32),
    /// Still size; the sensor's largest when `None`.
    #[serde(default)]
    pub still: Option<(u32, u32)>,
    /// How YCbCr frames are read.
    #[serde(default)]
    pub colour: FrameColour,
}

/// How the camera's YCbCr frames are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrameColour {
    /// By the colour space the pipeline reports (every real camera).
    #[default]
    Labelled,
    /// As sYCC (JPEG's full-range BT.601) whatever the label says:
    /// libcamera 0.7's virtual camera fills its frames from JPEG at full
    /// range but labels them Rec709 (limited range), which clips every
    /// highlight when believed.
    Sycc,
}

impl CameraSettings {
    /// 640 x 480: enough for the live guide at ten frames a second on a Pi.
    fn default_viewfinder() -> (u32, u32) {
        (640, 480)
    }
}

impl Default for CameraSettings {
    fn default() -> Self {
        Self {
            id: None,
            viewfinder: Self::default_viewfinder(),
            still: None,
            colour: FrameColour::default(),
        }
    }
}

/// What an operator checks when the camera is gone.
pub const LOST_FIX: &str = "check the camera's ribbon cable and camera_auto_detect=1 in /boot/firmware/config.txt; passbooth doctor lists the cameras libcamera finds";

/// What an operator checks when frames keep arriving damaged.
pub const CORRUPT_FIX: &str =
    "the photo is retaken; if it keeps happening, reseat the camera's ribbon cable";

/// The cause under a capture error, when there is one.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why the camera could not deliver.
#[derive(Debug)]
pub enum CaptureError {
    /// The camera disappeared or stopped sending frames.
    Lost {
        /// What went wrong, in the booth's words.
        what: String,
        /// The library's or the kernel's error.
        source: Option<Cause>,
    },
    /// A frame or still arrived damaged.
    Corrupt {
        /// What was damaged.
        what: String,
        /// The decoder's or converter's error.
        source: Option<Cause>,
    },
}

impl CaptureError {
    /// The camera is gone: `what` says how.
    pub fn lost(what: impl Into<String>) -> Self {
        Self::Lost {
            what: what.into(),
            source: None,
        }
    }

    /// The camera is gone, as `source` says.
    pub fn lost_by(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Lost {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// A frame is damaged: `what` says how.
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt {
            what: what.into(),
            source: None,
        }
    }

    /// A frame is damaged, as `source` says.
    pub fn corrupt_by(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Corrupt {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// What an operator checks.
    pub fn fix(&self) -> &'static str {
        match self {
            Self::Lost { .. } => LOST_FIX,
            Self::Corrupt { .. } => CORRUPT_FIX,
        }
    }
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, what, source) = match self {
            Self::Lost { what, source } => ("camera lost", what, source),
            Self::Corrupt { what, source } => ("damaged image from the camera", what, source),
        };
        write!(f, "{kind}: {what}")?;
        if let Some(s) = source {
            write!(f, ": {s}")?;
        }
        write!(f, " ({})", self.fix())
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Lost { source, .. } | Self::Corrupt { source, .. } => source
                .as_deref()
                .map(|s| s as &(dyn std::error::Error + 'static)),
        }
    }
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
    /// A full-resolution still of the current scene, in the camera's own
    /// format where the engine reads that (YUV: see [`still`]).
    fn still(&mut self) -> Result<CameraStill, CaptureError>;
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
    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        (**self).still()
    }
    fn wipe(&mut self) {
        (**self).wipe()
    }
}
