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
use ::libcamera::color_space::{Range, YcbcrEncoding};
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

use super::mapped::MappedBuffer;
use super::pixels::{FrameFormat, Layout, PlaneSpan, YuvEncoding, convert};
use super::{CameraSettings, CaptureError, FrameSource};
use crate::imaging::RgbImage;

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

impl StreamSlot {
    /// Converts buffer `index` into `out`.
    fn convert(&self, index: usize, out: &mut RgbImage) -> Result<(), CaptureError> {
        let bytes = self
            .buffers
            .get(index)
            .ok_or_else(|| CaptureError::corrupt(format!("no buffer {index}")))?
            .bytes();
        let (spans, n) = self.planes;
        let mut planes: [&[u8]; 3] = [&[], &[], &[]];
        for (i, span) in spans[..n].iter().enumerate() {
            planes[i] = bytes
                .get(span.offset..span.offset + span.len)
                .ok_or_else(|| CaptureError::corrupt(format!("plane {i} outside its buffer")))?;
        }
        convert(&self.format, &planes[..n], out)
            .map_err(|e| CaptureError::corrupt_by("a frame that does not convert", e.to_string()))
    }
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

fn lost(what: &str, e: impl Into<super::Cause>) -> CaptureError {
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
        let model_of = |c: &::libcamera::camera::Camera<'_>| {
            c.properties()
                .get::<::libcamera::properties::Model>()
                .map(|m| m.0)
                .unwrap_or_else(|_| c.id().to_string())
        };
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
        let mut config = camera
            .generate_configuration(&[StreamRole::ViewFinder, StreamRole::StillCapture])
            .ok_or_else(|| {
                CaptureError::lost("the camera cannot give a viewfinder and a still stream")
            })?;
        let (vw, vh) = self.settings.viewfinder;
        if let Some(mut c) = config.get_mut(0) {
            c.set_size(Size {
                width: vw,
                height: vh,
            });
            prefer_format(&mut c);
            c.set_buffer_count(VIEWFINDER_BUFFERS as u32);
        }
        if let Some(mut c) = config.get_mut(1) {
            if let Some((w, h)) = self.settings.still {
                c.set_size(Size {
                    width: w,
                    height: h,
                });
            }
            prefer_format(&mut c);
            c.set_buffer_count(1);
        }
        if let CameraConfigurationStatus::Invalid = config.validate() {
            return Err(CaptureError::lost(format!(
                "the camera refused {}",
                config.to_string_repr()
            )));
        }
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
            let format = frame_format(&c)?;
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

/// Picks the first format of ours the stream offers.
fn prefer_format(c: &mut StreamConfigurationRef<'_>) {
    let offered: Vec<String> = c
        .formats()
        .pixel_formats()
        .into_iter()
        .map(|f| f.to_string())
        .collect();
    if let Some(layout) = Layout::PREFERRED
        .iter()
        .find(|l| offered.iter().any(|o| o == l.name()))
        && let Some(pf) = PixelFormat::parse(layout.name())
    {
        c.set_pixel_format(pf);
    }
}

/// Our description of a configured stream.
fn frame_format(c: &StreamConfigurationRef<'_>) -> Result<FrameFormat, CaptureError> {
    let name = c.get_pixel_format().to_string();
    let layout = Layout::from_name(&name).ok_or_else(|| {
        CaptureError::lost(format!(
            "the camera gives {name}; passbooth reads {}",
            Layout::PREFERRED.map(Layout::name).join(", ")
        ))
    })?;
    let size = c.get_size();
    let encoding = c
        .get_color_space()
        .map_or(YuvEncoding::JPEG, |cs| YuvEncoding {
            bt709: matches!(cs.ycbcr_encoding, YcbcrEncoding::Rec709),
            full_range: matches!(cs.range, Range::Full),
        });
    let format = FrameFormat {
        layout,
        width: size.width,
        height: size.height,
        stride: c.get_stride(),
        encoding,
    };
    format
        .validate()
        .map_err(|e| CaptureError::lost_by("the configured stream", e.to_string()))?;
    Ok(format)
}

/// One buffer for `slot`: from libcamera's allocator where it can, else a
/// memfd; mapped by us either way, with the frame buffer libcamera gets.
fn buffer(
    allocator: &mut FrameBufferAllocator,
    slot: &StreamSlot,
) -> Result<(MappedBuffer, OwnedFrameBuffer), CaptureError> {
    let (spans, n) = slot.planes;
    let len = slot.format.buffer_len();
    let mapped = match allocator.alloc(&slot.stream) {
        Ok(mut native) if !native.is_empty() => {
            let fb = native.remove(0);
            let planes = fb.planes();
            let first = planes
                .get(0)
                .ok_or_else(|| CaptureError::lost("an allocated buffer has no planes"))?;
            // SAFETY: dup of a valid fd libcamera owns; ours is closed by OwnedFd.
            let fd = unsafe { libc::dup(first.fd()) };
            if fd < 0 {
                return Err(lost("dup", std::io::Error::last_os_error()));
            }
            // SAFETY: fd is new and ours.
            let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
            MappedBuffer::map(fd, len).map_err(|e| lost("cannot map a camera buffer", e))?
        }
        // No dma-buf heap: memory of our own, handed in as external buffers.
        _ => MappedBuffer::memfd(c"passbooth-frame", len)
            .map_err(|e| lost("cannot make a frame buffer", e))?,
    };
    let planes = spans[..n]
        .iter()
        .map(|p| {
            Ok(FrameBufferPlane {
                fd: mapped.share().map_err(|e| lost("dup", e))?,
                offset: p.offset as u32,
                length: p.len as u32,
            })
        })
        .collect::<Result<Vec<_>, CaptureError>>()?;
    let frame = OwnedFrameBuffer::new(planes, None).map_err(|e| lost("frame buffer", e))?;
    Ok((mapped, frame))
}

impl OpenCamera {
    fn check_gone(&self) -> Result<(), CaptureError> {
        if self.gone.load(Ordering::Relaxed) {
            return Err(CaptureError::lost("the camera was disconnected"));
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(), CaptureError> {
        if self.running {
            return Ok(());
        }
        let mut controls = ControlList::new();
        if self.autofocus {
            let _ = controls.set(AfMode::Continuous);
        }
        self.camera
            .start(Some(&controls))
            .map_err(|e| lost("cannot start the camera", e))?;
        self.running = true;
        for cookie in 0..VIEWFINDER_BUFFERS as u64 {
            self.requeue(cookie)?;
        }
        Ok(())
    }

    fn stop(&mut self) {
        if !self.running {
            return;
        }
        let _ = self.camera.stop();
        self.running = false;
        // Stopping completes every queued request as cancelled.
        while let Ok(r) = self.completed.try_recv() {
            self.park(r);
        }
    }

    fn park(&mut self, mut r: Request) {
        r.reuse(ReuseFlag::REUSE_BUFFERS);
        self.parked.insert(r.cookie(), r);
    }

    fn requeue(&mut self, cookie: u64) -> Result<(), CaptureError> {
        let Some(mut r) = self.parked.remove(&cookie) else {
            return Ok(());
        };
        if self.restore_af && cookie != STILL {
            let _ = r.controls_mut().set(AfMode::Continuous);
            self.restore_af = false;
        }
        self.camera.queue_request(r).map_err(|(r, e)| {
            self.parked.insert(cookie, r);
            lost("cannot queue a request", e)
        })
    }

    /// Waits for the next completed request.
    fn next_completed(&mut self, deadline: Instant) -> Result<Request, CaptureError> {
        self.check_gone()?;
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.completed.recv_timeout(wait) {
            Ok(r) => Ok(r),
            Err(RecvTimeoutError::Timeout) => Err(CaptureError::lost(format!(
                "no frame for {} s",
                FRAME_TIMEOUT.as_secs()
            ))),
            Err(RecvTimeoutError::Disconnected) => {
                Err(CaptureError::lost("libcamera stopped delivering"))
            }
        }
    }

    /// Whether a completed request carries a usable frame: completed, and
    /// its buffer not marked failed or cancelled (a pipeline that reports no
    /// buffer status, as the virtual one, counts as fine).
    fn good(r: &Request, stream: &Stream) -> bool {
        r.status() == RequestStatus::Complete
            && r.buffer::<OwnedFrameBuffer>(stream).is_some_and(|b| {
                !matches!(
                    b.metadata().map(|m| m.status()),
                    Some(FrameMetadataStatus::Error | FrameMetadataStatus::Cancelled)
                )
            })
    }

    /// The newest viewfinder frame into `out`; older ones are re-queued.
    fn viewfinder(&mut self, out: &mut RgbImage) -> Result<(), CaptureError> {
        let deadline = Instant::now() + FRAME_TIMEOUT;
        let mut newest = None;
        while newest.is_none() {
            // Wait for one, then take what else is already there (bounded:
            // a pipeline may complete a re-queued request at once).
            let mut batch = Some(self.next_completed(deadline)?);
            let mut taken = 0;
            while let Some(r) = batch.take() {
                let good = Self::good(&r, &self.viewfinder.stream);
                let cookie = r.cookie();
                self.park(r);
                if cookie != STILL {
                    if !good {
                        self.requeue(cookie)?;
                    } else if let Some(old) = newest.replace(cookie) {
                        self.requeue(old)?;
                    }
                }
                taken += 1;
                if taken < VIEWFINDER_BUFFERS {
                    batch = self.completed.try_recv().ok();
                }
            }
        }
        let Some(cookie) = newest else {
            return Err(CaptureError::corrupt("no good frame"));
        };
        let converted = self.viewfinder.convert(cookie as usize, out);
        self.requeue(cookie)?;
        converted
    }

    /// Runs an autofocus scan and waits until it settles (or gives up).
    fn focus(&mut self) -> Result<(), CaptureError> {
        if !self.autofocus {
            return Ok(());
        }
        let deadline = Instant::now() + FOCUS_TIMEOUT;
        let mut triggered = false;
        while Instant::now() < deadline {
            let mut r = self.next_completed(Instant::now() + FRAME_TIMEOUT)?;
            let state = r.metadata().get::<AfState>().ok();
            let cookie = r.cookie();
            if !triggered && cookie != STILL {
                r.reuse(ReuseFlag::REUSE_BUFFERS);
                let c = r.controls_mut();
                let _ = c.set(AfMode::Auto);
                let _ = c.set(AfTrigger::Start);
                triggered = true;
                self.camera
                    .queue_request(r)
                    .map_err(|(_, e)| lost("queue", e))?;
                continue;
            }
            self.park(r);
            self.requeue(cookie)?;
            if triggered && matches!(state, Some(AfState::Focused | AfState::Failed)) {
                break;
            }
        }
        Ok(())
    }

    /// A full-resolution still, converted into a new image.
    fn still(&mut self) -> Result<RgbImage, CaptureError> {
        self.focus()?;
        self.requeue(STILL)?;
        let deadline = Instant::now() + FRAME_TIMEOUT;
        loop {
            let r = self.next_completed(deadline)?;
            let cookie = r.cookie();
            let good = Self::good(&r, &self.still.stream);
            self.park(r);
            if cookie != STILL {
                self.requeue(cookie)?;
                continue;
            }
            if !good {
                return Err(CaptureError::corrupt("the still frame failed"));
            }
            let mut out = RgbImage::black(self.still.format.width, self.still.format.height);
            self.still.convert(0, &mut out)?;
            // Back to following the face for the next session.
            self.restore_af = self.autofocus;
            return Ok(out);
        }
    }
}

impl FrameSource for LibcameraSource {
    fn viewfinder_size(&self) -> (u32, u32) {
        self.settings.viewfinder
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

    fn still(&mut self) -> Result<RgbImage, CaptureError> {
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
