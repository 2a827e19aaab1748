//! A configured stream: the pixel format we ask for and read, its buffers
//! (libcamera's where it can allocate, memfd otherwise), and converting one
//! buffer into the booth's RGB frame.

use super::*;

impl StreamSlot {
    /// Converts buffer `index` into `out`.
    pub(super) fn convert(&self, index: usize, out: &mut RgbImage) -> Result<(), CaptureError> {
        let bytes = self
            .buffers
            .get(index)
            .ok_or_else(|| CaptureError::corrupt(format!("no buffer {index}")))?
            .bytes();
        self.format
            .convert_buffer(bytes, out)
            .map_err(|e| CaptureError::corrupt_by("a frame that does not convert", e.to_string()))
    }

    /// Buffer `index` as a still of its own (the camera reuses the buffer).
    pub(super) fn take(&self, index: usize) -> Result<CameraStill, CaptureError> {
        let bytes = self
            .buffers
            .get(index)
            .ok_or_else(|| CaptureError::corrupt(format!("no buffer {index}")))?
            .bytes();
        CameraStill::of_buffer(self.format, bytes)
            .map_err(|e| CaptureError::corrupt_by("a still that does not convert", e.to_string()))
    }
}

/// What one generated stream configuration offers: the size libcamera
/// proposes for its role and every format with its size range.
pub(super) fn offer_of(c: &StreamConfigurationRef<'_>) -> StreamOffer {
    let formats = c.formats();
    let offered = formats
        .pixel_formats()
        .into_iter()
        .map(|pf| {
            let r = formats.range(pf);
            FormatOffer {
                format: pf.to_string(),
                range: SizeSpan {
                    min: (r.min.width, r.min.height),
                    max: (r.max.width, r.max.height),
                    h_step: r.h_step,
                    v_step: r.v_step,
                },
            }
        })
        .collect();
    let size = c.get_size();
    StreamOffer {
        proposed: (size.width, size.height),
        formats: offered,
    }
}

/// Asks the stream for `choice`.
pub(super) fn apply(c: &mut StreamConfigurationRef<'_>, choice: StreamChoice) {
    if let Some(pf) = PixelFormat::parse(choice.layout.name()) {
        c.set_pixel_format(pf);
    }
    c.set_size(Size {
        width: choice.size.0,
        height: choice.size.1,
    });
}

/// Our description of a configured stream.
pub(super) fn frame_format(
    c: &StreamConfigurationRef<'_>,
    colour: FrameColour,
) -> Result<FrameFormat, CaptureError> {
    let name = c.get_pixel_format().to_string();
    let layout = Layout::from_name(&name).ok_or_else(|| {
        CaptureError::lost(format!(
            "the camera gives {name}; passbooth reads {}",
            Layout::READABLE.map(Layout::name).join(", ")
        ))
    })?;
    let size = c.get_size();
    let encoding = match (colour, c.get_color_space()) {
        (FrameColour::Sycc, _) | (FrameColour::Labelled, None) => YuvEncoding::JPEG,
        (FrameColour::Labelled, Some(cs)) => YuvEncoding {
            bt709: matches!(cs.ycbcr_encoding, YcbcrEncoding::Rec709),
            full_range: matches!(cs.range, Range::Full),
        },
    };
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
pub(super) fn buffer(
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
