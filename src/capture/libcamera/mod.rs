//! The real camera, through libcamera: a small viewfinder stream for the
//! live guide and a full-resolution stream for the still, on one camera.
//!
//! Buffers: libcamera's own allocator is asked first (dma-bufs on the Pi);
//! where the kernel has none to give (no dma-buf heaps, as in the emulated
//! Pi), memfd buffers are handed in as external frame buffers instead. Either
//! way every buffer is mapped once ([`MappedBuffer`]) and the same request
//! loop runs: requests are created once, re-queued with their buffers, and
//! frames are converted straight from the mapping.
//!
//! Nothing here panics on a camera that disappears: every failure is a
//! [`CaptureError`], the booth shows "camera" trouble and calls
//! [`FrameSource::check`], which reopens the camera when it is back.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use ::libcamera::camera::{ActiveCamera, CameraConfigurationStatus};
use ::libcamera::camera_manager::CameraManager;
use ::libcamera::color_space::{ColorSpace, Range, YcbcrEncoding};
use ::libcamera::control::{ControlEntry, ControlList};
use ::libcamera::controls::{AfMode, AfState, AfTrigger};
use ::libcamera::framebuffer::{
    AsFrameBuffer, FrameBufferPlane, FrameMetadataStatus, OwnedFrameBuffer,
};
use ::libcamera::framebuffer_allocator::FrameBufferAllocator;
use ::libcamera::geometry::Size;
use ::libcamera::pixel_format::PixelFormat;
use ::libcamera::request::{Request, RequestStatus, ReuseFlag};
use ::libcamera::stream::{Stream, StreamConfigurationRef, StreamRole};

mod camera;
mod stream;

use super::mapped::MappedBuffer;
use super::pixels::{FrameFormat, Layout, PlaneSpan, YuvEncoding};
use super::plan::{
    CameraOffer, Described, FormatOffer, SizeSpan, StreamChoice, StreamOffer, StreamPlan, plan,
};
use super::still::CameraStill;
use super::{CameraSettings, CaptureError, FrameColour, FrameSource};
use crate::imaging::RgbImage;
use stream::{apply, buffer, frame_format, offer_of};

/// Viewfinder requests kept in flight: one being converted, the rest
/// filling, so the sensor never waits on the booth.
const VIEWFINDER_BUFFERS: usize = 4;
/// The still request's cookie (viewfinder requests use their index).
const STILL: u64 = 1 << 32;
/// No frame for this long means the camera is gone.
const FRAME_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest wait for an autofocus scan before taking the still anyway.
const FOCUS_TIMEOUT: Duration = Duration::from_millis(1500);

/// One configured stream: its format and its mapped buffers.
struct StreamSlot {
    stream: Stream,
    format: FrameFormat,
    /// Plane spans of each buffer (the same for all of a stream).
    planes: ([PlaneSpan; 3], usize),
    buffers: Vec<MappedBuffer>,
}

/// An acquired, configured camera with its requests. Field order is drop
/// order: the camera (and the requests libcamera holds) before the memory.
struct OpenCamera {
    camera: ActiveCamera<'static>,
    completed: Receiver<Request>,
    gone: Arc<AtomicBool>,
    /// Requests not queued (the camera is stopped, or the still's is idle).
    parked: HashMap<u64, Request>,
    running: bool,
    autofocus: bool,
    /// Set continuous autofocus again on the next viewfinder request (after
    /// the scan for a still).
    restore_af: bool,
    viewfinder: StreamSlot,
    still: StreamSlot,
    model: String,
}

/// The libcamera camera as a [`FrameSource`].
pub struct LibcameraSource {
    open: Option<OpenCamera>,
    manager: CameraManager,
    settings: CameraSettings,
    frame: RgbImage,
}

impl std::fmt::Debug for LibcameraSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.open {
            Some(o) => write!(f, "LibcameraSource({})", o.model),
            None => write!(f, "LibcameraSource(closed)"),
        }
    }
}

fn lost(what: &str, e: impl Into<crate::capture::Cause>) -> CaptureError {
    CaptureError::lost_by(what, e)
}

/// A camera libcamera lists, for `doctor` and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// libcamera id.
    pub id: String,
    /// Model name, if the camera says.
    pub model: Option<String>,
}

/// The offer of a generated viewfinder + still configuration.
fn offer_of_camera(
    config: &::libcamera::camera::CameraConfiguration,
    model: &str,
) -> Result<CameraOffer, CaptureError> {
    let role = |i: usize, name: &str| {
        config
            .get(i)
            .map(|c| offer_of(&c))
            .ok_or_else(|| CaptureError::lost(format!("no {name} stream offered")))
    };
    Ok(CameraOffer {
        model: model.to_string(),
        viewfinder: role(0, "viewfinder")?,
        still: role(1, "still")?,
    })
}

/// The camera's model name, or its id when it names none.
fn model_of(c: &::libcamera::camera::Camera<'_>) -> String {
    c.properties()
        .get::<::libcamera::properties::Model>()
        .map(|m| m.0)
        .unwrap_or_else(|_| c.id().to_string())
}

/// The camera's proposal for the booth's two streams: viewfinder, still.
fn booth_configuration(
    c: &::libcamera::camera::Camera<'_>,
) -> Result<::libcamera::camera::CameraConfiguration, CaptureError> {
    c.generate_configuration(&[StreamRole::ViewFinder, StreamRole::StillCapture])
        .ok_or_else(|| CaptureError::lost("the camera cannot give a viewfinder and a still stream"))
}

/// Asks `config` for `plan` and validates it. Both streams ask for sYCC,
/// JPEG's full-range YCbCr: what a photo wants. A pipeline may settle on
/// another, and frames are converted by what it settles on (`frame_format`
/// reads it back) unless the config says otherwise (`FrameColour`).
fn settle(
    config: &mut ::libcamera::camera::CameraConfiguration,
    plan: &StreamPlan,
    offer: &CameraOffer,
) -> Result<(), CaptureError> {
    for (i, choice, buffers) in [(0, plan.viewfinder, VIEWFINDER_BUFFERS), (1, plan.still, 1)] {
        if let Some(mut c) = config.get_mut(i) {
            apply(&mut c, choice);
            c.set_color_space(Some(ColorSpace::sycc()));
            c.set_buffer_count(buffers as u32);
        }
    }
    validate(config)?;
    let readable = config
        .get(0)
        .and_then(|c| Layout::from_name(&c.get_pixel_format().to_string()))
        .is_some();
    if !readable {
        // A Pi 4 gives its viewfinder in YUV only (StreamPlan::viewfinder_in_yuv).
        if let (Some(choice), Some(mut c)) = (plan.viewfinder_in_yuv(offer), config.get_mut(0)) {
            apply(&mut c, choice);
            validate(config)?;
        }
    }
    Ok(())
}

fn validate(config: &mut ::libcamera::camera::CameraConfiguration) -> Result<(), CaptureError> {
    match config.validate() {
        CameraConfigurationStatus::Invalid => Err(CaptureError::lost(format!(
            "the camera refused {}",
            config.to_string_repr()
        ))),
        _ => Ok(()),
    }
}

/// Every camera's offer for the booth's two streams, and the plan the
/// booth would make of it with `settings` (`passbooth cameras`).
pub fn describe_cameras(settings: &CameraSettings) -> Result<Vec<Described>, CaptureError> {
    let manager = CameraManager::new().map_err(|e| lost("libcamera camera manager", e))?;
    let cameras = manager.cameras();
    let mut out = Vec::new();
    for camera in cameras.iter() {
        let offer = offer_of_camera(&booth_configuration(&camera)?, &model_of(&camera))?;
        let plan = plan(&offer, settings.viewfinder, settings.still);
        out.push(Described { offer, plan });
    }
    Ok(out)
}

/// The libcamera version and every camera it finds.
pub fn list_cameras() -> Result<(String, Vec<CameraInfo>), CaptureError> {
    let manager = CameraManager::new().map_err(|e| lost("libcamera camera manager", e))?;
    let cameras = manager.cameras();
    let list = cameras
        .iter()
        .map(|c| CameraInfo {
            id: c.id().to_string(),
            model: c
                .properties()
                .get::<::libcamera::properties::Model>()
                .ok()
                .map(|m| m.0),
        })
        .collect();
    Ok((manager.version().to_string(), list))
}

impl LibcameraSource {
    /// Starts libcamera; the camera itself is opened on first use, so a
    /// booth without its camera still starts and says so on screen.
    pub fn new(settings: CameraSettings) -> Result<Self, CaptureError> {
        let manager = CameraManager::new().map_err(|e| lost("libcamera camera manager", e))?;
        let (w, h) = settings.viewfinder;
        Ok(Self {
            open: None,
            manager,
            frame: RgbImage::black(w, h),
            settings,
        })
    }

    /// Non-zero bytes left in the converted frame and in every mapped
    /// buffer (for the wipe's test: under emulation a memory scan sees the
    /// emulator, so the test asks the buffers themselves).
    pub fn residue(&self) -> usize {
        let nonzero = |b: &[u8]| b.iter().filter(|&&v| v != 0).count();
        let mut n = nonzero(self.frame.as_bytes());
        if let Some(o) = &self.open {
            for b in o.viewfinder.buffers.iter().chain(&o.still.buffers) {
                n += nonzero(b.bytes());
            }
        }
        n
    }

    fn ensure_open(&mut self) -> Result<&mut OpenCamera, CaptureError> {
        if self
            .open
            .as_ref()
            .is_some_and(|o| o.gone.load(Ordering::Relaxed))
        {
            self.close();
        }
        if self.open.is_none() {
            let open = self.open_camera()?;
            eprintln!("camera: {}", describe_open(&open));
            self.open = Some(open);
        }
        self.open
            .as_mut()
            .ok_or_else(|| CaptureError::lost("camera not open"))
    }

    fn close(&mut self) {
        if let Some(mut o) = self.open.take()
            && o.running
        {
            let _ = o.camera.stop();
        }
    }

    fn open_camera(&self) -> Result<OpenCamera, CaptureError> {
        let cameras = self.manager.cameras();
        let camera = match &self.settings.id {
            Some(name) => (0..cameras.len())
                .filter_map(|i| cameras.get(i))
                .find(|c| c.id() == name || model_of(c) == *name)
                .ok_or_else(|| CaptureError::lost(format!("no camera named {name}")))?,
            None => cameras
                .get(0)
                .ok_or_else(|| CaptureError::lost("no camera found"))?,
        };
        let model = model_of(&camera);
        let mut camera = camera
            .acquire()
            .map_err(|e| lost("cannot acquire the camera", e))?;
        let mut config = booth_configuration(&camera)?;
        let offer = offer_of_camera(&config, &model)?;
        let plan = plan(&offer, self.settings.viewfinder, self.settings.still)
            .map_err(|e| CaptureError::lost(e.to_string()))?;
        settle(&mut config, &plan, &offer)?;
        camera
            .configure(&mut config)
            .map_err(|e| lost("cannot configure the camera", e))?;
        let slot = |i: usize, count: usize, name: &str| -> Result<StreamSlot, CaptureError> {
            let c = config
                .get(i)
                .ok_or_else(|| CaptureError::lost(format!("no {name} stream")))?;
            let stream = c
                .stream()
                .ok_or_else(|| CaptureError::lost(format!("{name} stream not configured")))?;
            let format = frame_format(&c, self.settings.colour)?;
            Ok(StreamSlot {
                stream,
                format,
                planes: format.planes(),
                buffers: Vec::with_capacity(count),
            })
        };
        let mut viewfinder = slot(0, VIEWFINDER_BUFFERS, "viewfinder")?;
        let mut still = slot(1, 1, "still")?;

        let gone = Arc::new(AtomicBool::new(false));
        let flag = gone.clone();
        camera.on_disconnected(move || flag.store(true, Ordering::Relaxed));
        let completed = camera.subscribe_request_completed();

        let mut parked = HashMap::new();
        let mut allocator = FrameBufferAllocator::new(&camera);
        for (slot, count, first_cookie) in [
            (&mut viewfinder, VIEWFINDER_BUFFERS, 0u64),
            (&mut still, 1, STILL),
        ] {
            for i in 0..count {
                let cookie = first_cookie + i as u64;
                let (mapped, frame) = buffer(&mut allocator, slot)?;
                let mut request = camera
                    .create_request(Some(cookie))
                    .ok_or_else(|| CaptureError::lost("cannot create a request"))?;
                request
                    .add_buffer(&slot.stream, frame)
                    .map_err(|e| lost("cannot attach a buffer", e))?;
                slot.buffers.push(mapped);
                parked.insert(cookie, request);
            }
        }
        let autofocus = camera.controls().find(AfMode::ID).is_ok();
        Ok(OpenCamera {
            camera,
            completed,
            gone,
            parked,
            running: false,
            autofocus,
            restore_af: false,
            viewfinder,
            still,
            model,
        })
    }
}

fn describe_open(o: &OpenCamera) -> String {
    let f = |s: &StreamSlot| {
        format!(
            "{}x{} {} (stride {})",
            s.format.width,
            s.format.height,
            s.format.layout.name(),
            s.format.stride
        )
    };
    format!(
        "{}: viewfinder {}, still {}, autofocus {}",
        o.model,
        f(&o.viewfinder),
        f(&o.still),
        if o.autofocus { "yes" } else { "no" }
    )
}

impl FrameSource for LibcameraSource {
    /// The configured size until the camera opens; then the size it
    /// settled on (the booth follows the frames either way).
    fn viewfinder_size(&self) -> (u32, u32) {
        self.open.as_ref().map_or(self.settings.viewfinder, |o| {
            (o.viewfinder.format.width, o.viewfinder.format.height)
        })
    }

    fn start(&mut self) -> Result<(), CaptureError> {
        let result = self.ensure_open().and_then(OpenCamera::start);
        if result.is_err() {
            self.close();
        }
        result
    }

    fn stop(&mut self) {
        if let Some(o) = self.open.as_mut() {
            o.stop();
        }
    }

    fn check(&mut self) -> Result<(), CaptureError> {
        self.ensure_open().map(|_| ())
    }

    fn wipe(&mut self) {
        self.frame.wipe();
        if let Some(o) = self.open.as_mut() {
            // The camera must not write while its memory is zeroed.
            o.stop();
            for b in o.viewfinder.buffers.iter_mut().chain(&mut o.still.buffers) {
                b.wipe();
            }
        }
    }

    fn next_frame(&mut self) -> Result<&RgbImage, CaptureError> {
        let Some(open) = self.open.as_mut().filter(|o| o.running) else {
            return Err(CaptureError::lost("the camera is not started"));
        };
        if (self.frame.width(), self.frame.height())
            != (open.viewfinder.format.width, open.viewfinder.format.height)
        {
            self.frame =
                RgbImage::black(open.viewfinder.format.width, open.viewfinder.format.height);
        }
        match open.viewfinder(&mut self.frame) {
            Ok(()) => Ok(&self.frame),
            Err(e @ CaptureError::Lost { .. }) => {
                self.close();
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    fn still(&mut self) -> Result<CameraStill, CaptureError> {
        let Some(open) = self.open.as_mut().filter(|o| o.running) else {
            return Err(CaptureError::lost("the camera is not started"));
        };
        let result = open.still();
        if let Err(CaptureError::Lost { .. }) = result {
            self.close();
        }
        result
    }
}

impl Drop for LibcameraSource {
    fn drop(&mut self) {
        // Stop the camera before its buffers are zeroed and unmapped.
        self.close();
    }
}
