//! An open camera at work: starting and stopping the viewfinder, the
//! request loop that re-queues every buffer, autofocus before the still, and
//! the still itself.

use super::*;

impl OpenCamera {
    pub(super) fn check_gone(&self) -> Result<(), CaptureError> {
        if self.gone.load(Ordering::Relaxed) {
            return Err(CaptureError::lost("the camera was disconnected"));
        }
        Ok(())
    }

    pub(super) fn start(&mut self) -> Result<(), CaptureError> {
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

    pub(super) fn stop(&mut self) {
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

    pub(super) fn park(&mut self, mut r: Request) {
        r.reuse(ReuseFlag::REUSE_BUFFERS);
        self.parked.insert(r.cookie(), r);
    }

    pub(super) fn requeue(&mut self, cookie: u64) -> Result<(), CaptureError> {
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
    pub(super) fn next_completed(&mut self, deadline: Instant) -> Result<Request, CaptureError> {
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
    pub(super) fn good(r: &Request, stream: &Stream) -> bool {
        r.status() == RequestStatus::Complete
            && r.buffer::<OwnedFrameBuffer>(stream).is_some_and(|b| {
                !matches!(
                    b.metadata().map(|m| m.status()),
                    Some(FrameMetadataStatus::Error | FrameMetadataStatus::Cancelled)
                )
            })
    }

    /// The newest viewfinder frame into `out`; older ones are re-queued.
    pub(super) fn viewfinder(&mut self, out: &mut RgbImage) -> Result<(), CaptureError> {
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
    pub(super) fn focus(&mut self) -> Result<(), CaptureError> {
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

    /// A full-resolution still, copied out of the camera's buffer (YUV
    /// stays YUV: the engine converts only what the photo shows).
    pub(super) fn still(&mut self) -> Result<CameraStill, CaptureError> {
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
            let still = self.still.take(0)?;
            // Back to following the face for the next session.
            self.restore_af = self.autofocus;
            return Ok(still);
        }
    }
}
