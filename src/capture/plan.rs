//! Which streams to ask a camera for, chosen from what it says it offers:
//! never from a sensor's name. Pure, so it is tested on the descriptions of
//! real pipelines (`tests/fixtures/cameras/`) on any machine; the libcamera
//! source reads the offer from the camera and applies the plan.
//!
//! - The still: the sensor's full resolution (what the pipeline proposes)
//!   unless the config names a size, in YUV where offered: the engine reads
//!   a YUV still without converting it whole (`capture::still`).
//! - The viewfinder: RGB where the ISP offers it (the conversion then costs
//!   the ISP, not the CPU), at the still's aspect ratio within the
//!   configured size. A 4:3 viewfinder of a 16:9 still shows a picture the
//!   still does not take (the Pi's ISP scales each output from the same
//!   sensor crop), and the guide would frame the wrong picture.

use serde::{Deserialize, Serialize};

use super::pixels::Layout;

/// Sizes a stream accepts for one format, as libcamera's `SizeRange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeSpan {
    /// Smallest width and height.
    pub min: (u32, u32),
    /// Largest width and height.
    pub max: (u32, u32),
    /// Width step (0: any width the pipeline validates).
    pub h_step: u32,
    /// Height step (0: any height).
    pub v_step: u32,
}

/// One pixel format a stream offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatOffer {
    /// libcamera's name of the format (`NV12`, `BGR888`, `SRGGB10`...).
    pub format: String,
    /// The sizes it comes in.
    pub range: SizeSpan,
}

/// What a camera offers for one stream role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamOffer {
    /// The size the pipeline proposes for the role (the still's is the
    /// sensor's full resolution on every pipeline here).
    pub proposed: (u32, u32),
    /// Every format the stream can give.
    pub formats: Vec<FormatOffer>,
}

/// A camera's offer for the booth's two streams, as `passbooth cameras
/// --json` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraOffer {
    /// The camera's model.
    pub model: String,
    /// The viewfinder role's offer.
    pub viewfinder: StreamOffer,
    /// The still-capture role's offer.
    pub still: StreamOffer,
}

/// One stream as the booth will ask for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamChoice {
    /// Its pixel layout.
    pub layout: Layout,
    /// Width and height.
    pub size: (u32, u32),
}

/// Both streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamPlan {
    /// The live picture.
    pub viewfinder: StreamChoice,
    /// The photo.
    pub still: StreamChoice,
}

impl std::fmt::Display for StreamPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |c: &StreamChoice| format!("{}x{} {}", c.size.0, c.size.1, c.layout.name());
        write!(
            f,
            "viewfinder {}, still {}",
            s(&self.viewfinder),
            s(&self.still)
        )
    }
}

impl StreamPlan {
    /// The viewfinder asked for again in YUV, for a pipeline that settled
    /// it on a format passbooth cannot read. The Pi 4's pipeline lists its
    /// main output's formats (RGB among them) for every role, but the
    /// smaller of its two outputs, the viewfinder's, gives YUV only; asked
    /// for RGB there, its driver falls back to its own first format, which
    /// the firmware decides. `None` when the role offers no YUV we read.
    pub fn viewfinder_in_yuv(&self, offer: &CameraOffer) -> Option<StreamChoice> {
        let (layout, range) = pick("viewfinder", &offer.viewfinder, &YUV_ORDER).ok()?;
        let (w, h) = self.viewfinder.size;
        let size = fit((w, h), (w - w % 2, h - h % 2), range, true);
        Some(StreamChoice { layout, size })
    }
}

/// A camera's offer and the plan the booth makes of it.
#[derive(Debug, Clone)]
pub struct Described {
    /// What it offers.
    pub offer: CameraOffer,
    /// What the booth would ask for, or why nothing fits.
    pub plan: Result<StreamPlan, PlanError>,
}

/// Why no plan fits the camera.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A stream offers none of the formats the booth reads.
    #[error("the camera's {role} offers {offered}; passbooth reads {readable}")]
    NoFormat {
        /// `viewfinder` or `still`.
        role: &'static str,
        /// What it offers.
        offered: String,
        /// What we read.
        readable: String,
    },
    /// The configured still size is outside what the camera gives.
    #[error("[camera] still = {0:?} is not a size this camera gives (it gives {1:?} to {2:?})")]
    StillSize((u32, u32), (u32, u32), (u32, u32)),
}

/// Viewfinder layouts, best first: RGB in our byte order (a plain copy),
/// the other RGB orders, then YUV (converted on the CPU).
const VIEWFINDER_ORDER: [Layout; 6] = [
    Layout::Bgr888,
    Layout::Rgb888,
    Layout::Xbgr8888,
    Layout::Xrgb8888,
    Layout::Nv12,
    Layout::Yuv420,
];
/// The YUV layouts passbooth reads, best first.
const YUV_ORDER: [Layout; 2] = [Layout::Nv12, Layout::Yuv420];
/// Still layouts, best first: YUV is read in part (`capture::still`), RGB
/// whole.
const STILL_ORDER: [Layout; 6] = [
    Layout::Nv12,
    Layout::Yuv420,
    Layout::Bgr888,
    Layout::Rgb888,
    Layout::Xbgr8888,
    Layout::Xrgb8888,
];

/// The streams to ask `offer`'s camera for: a viewfinder within
/// `viewfinder_box` (the config's size, read as a bound), a still of
/// `still` or the sensor's full resolution.
pub fn plan(
    offer: &CameraOffer,
    viewfinder_box: (u32, u32),
    still: Option<(u32, u32)>,
) -> Result<StreamPlan, PlanError> {
    let (still_layout, still_range) = pick("still", &offer.still, &STILL_ORDER)?;
    let still_size = match still {
        Some(size) if contains(still_range, size) => size,
        Some(size) => return Err(PlanError::StillSize(size, still_range.min, still_range.max)),
        None if contains(still_range, offer.still.proposed) => offer.still.proposed,
        None => still_range.max,
    };
    let (vf_layout, vf_range) = pick("viewfinder", &offer.viewfinder, &VIEWFINDER_ORDER)?;
    let even = matches!(vf_layout, Layout::Nv12 | Layout::Yuv420);
    let size = fit(still_size, viewfinder_box, vf_range, even);
    Ok(StreamPlan {
        viewfinder: StreamChoice {
            layout: vf_layout,
            size,
        },
        still: StreamChoice {
            layout: still_layout,
            size: still_size,
        },
    })
}

/// The first layout of `order` that `offer` gives, with its sizes.
fn pick(
    role: &'static str,
    offer: &StreamOffer,
    order: &[Layout],
) -> Result<(Layout, SizeSpan), PlanError> {
    order
        .iter()
        .find_map(|l| {
            offer
                .formats
                .iter()
                .find(|f| f.format == l.name())
                .map(|f| (*l, f.range))
        })
        .ok_or_else(|| PlanError::NoFormat {
            role,
            offered: offer
                .formats
                .iter()
                .map(|f| f.format.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            readable: order
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn contains(r: SizeSpan, (w, h): (u32, u32)) -> bool {
    (r.min.0..=r.max.0).contains(&w) && (r.min.1..=r.max.1).contains(&h)
}

/// The largest size of `aspect`'s shape within `bound` and `range`, on the
/// range's steps (and even, for YUV).
fn fit(aspect: (u32, u32), bound: (u32, u32), range: SizeSpan, even: bool) -> (u32, u32) {
    let (aw, ah) = (f64::from(aspect.0.max(1)), f64::from(aspect.1.max(1)));
    let bw = bound.0.min(range.max.0);
    let bh = bound.1.min(range.max.1);
    let (w, h) = if f64::from(bw) * ah / aw <= f64::from(bh) {
        (f64::from(bw), f64::from(bw) * ah / aw)
    } else {
        (f64::from(bh) * aw / ah, f64::from(bh))
    };
    let step = |s: u32| if even { s.max(2) } else { s.max(1) };
    let snap = |v: f64, s: u32, lo: u32, hi: u32| {
        let s = step(s);
        let v = ((v / f64::from(s)).round() as u32) * s;
        let (lo, hi) = (lo.next_multiple_of(s), hi - hi % s);
        v.min(hi).max(lo)
    };
    (
        snap(w, range.h_step, range.min.0, range.max.0),
        snap(h, range.v_step, range.min.1, range.max.1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(formats: &[&str], max: (u32, u32), step: u32) -> StreamOffer {
        StreamOffer {
            proposed: max,
            formats: formats
                .iter()
                .map(|f| FormatOffer {
                    format: f.to_string(),
                    range: SizeSpan {
                        min: (32, 32),
                        max,
                        h_step: step,
                        v_step: step,
                    },
                })
                .collect(),
        }
    }

    fn camera(vf: &[&str], still: &[&str], sensor: (u32, u32)) -> CameraOffer {
        CameraOffer {
            model: "test".into(),
            viewfinder: offer(vf, sensor, 2),
            still: offer(still, sensor, 2),
        }
    }

    #[test]
    fn a_wide_sensor_gets_a_wide_viewfinder_in_rgb_and_a_full_yuv_still() {
        let c = camera(
            &["YUV420", "XRGB8888", "BGR888"],
            &["YUV420", "NV12"],
            (4608, 2592),
        );
        let p = plan(&c, (640, 480), None).unwrap();
        assert_eq!(
            p.viewfinder,
            StreamChoice {
                layout: Layout::Bgr888,
                size: (640, 360)
            }
        );
        assert_eq!(
            p.still,
            StreamChoice {
                layout: Layout::Nv12,
                size: (4608, 2592)
            }
        );
        assert_eq!(
            p.to_string(),
            "viewfinder 640x360 BGR888, still 4608x2592 NV12"
        );
    }

    #[test]
    fn the_viewfinder_keeps_the_configured_still_shape_and_the_steps() {
        let c = camera(&["NV12"], &["NV12"], (4056, 3040));
        // 4056 x 3040 is 4:3 within a pixel: 640 x 479.6 -> 480.
        assert_eq!(
            plan(&c, (640, 480), None).unwrap().viewfinder.size,
            (640, 480)
        );
        // A configured 16:9 still narrows the viewfinder to match.
        let p = plan(&c, (640, 480), Some((1920, 1080))).unwrap();
        assert_eq!(p.viewfinder.size, (640, 360));
        // A tall bound: the height limits.
        assert_eq!(
            plan(&c, (800, 300), None).unwrap().viewfinder.size,
            (400, 300)
        );
        // An odd step count rounds to the pipeline's steps.
        let mut c16 = c.clone();
        c16.viewfinder.formats[0].range.h_step = 16;
        c16.viewfinder.formats[0].range.v_step = 16;
        assert_eq!(
            plan(&c16, (650, 480), None).unwrap().viewfinder.size,
            (640, 480)
        );
    }

    #[test]
    fn what_the_camera_cannot_give_is_said_plainly() {
        let raw = camera(&["SRGGB10"], &["NV12"], (1920, 1080));
        let e = plan(&raw, (640, 480), None).unwrap_err();
        assert!(e.to_string().contains("viewfinder offers SRGGB10"), "{e}");
        let c = camera(&["NV12"], &["NV12"], (1920, 1080));
        let e = plan(&c, (640, 480), Some((4000, 3000))).unwrap_err();
        assert_eq!(
            e,
            PlanError::StillSize((4000, 3000), (32, 32), (1920, 1080))
        );
    }

    #[test]
    fn a_viewfinder_settled_on_a_format_we_cannot_read_is_asked_for_in_yuv() {
        let c = camera(&["BGR888", "YUV420", "YUYV"], &["YUV420"], (3280, 2464));
        let mut p = plan(&c, (640, 480), None).unwrap();
        p.viewfinder.size = (639, 480);
        assert_eq!(
            p.viewfinder_in_yuv(&c),
            Some(StreamChoice {
                layout: Layout::Yuv420,
                size: (638, 480)
            })
        );
        let rgb_only = camera(&["BGR888", "YUYV"], &["NV12"], (3280, 2464));
        let p = plan(&rgb_only, (640, 480), None).unwrap();
        assert_eq!(p.viewfinder_in_yuv(&rgb_only), None);
    }
}
