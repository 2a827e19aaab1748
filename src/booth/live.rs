//! The live loop's detector on the real models: BlazeFace every viewfinder
//! frame, the face mesh for the eye check. Which BlazeFace (full int8 or
//! float) is chosen at start on this very CPU: each must find the one face
//! of the built-in portrait (a known answer), and the faster of those that
//! do is taken. Int8 pays on some CPUs and not on others (on this x86
//! XNNPACK's float kernels win); a CPU whose int8 kernels go wrong (seen
//! under emulation of ARM's newest extensions) never gets the int8 model.

use std::path::Path;

use super::bench::median_ms;
use super::demo;
use crate::engine::files::{FACE_LANDMARK, SHORT_RANGE, SHORT_RANGE_INT8};
use crate::imaging::RgbImage;
use crate::vision::live::LiveDetector;
use crate::vision::metrics::{self, FaceMetrics};
use crate::vision::runtime::ModelError;
use crate::vision::{Detection, FaceDetector, MeshModel, Range};

/// The viewfinder detectors a booth can run, int8 first (kept unless the
/// float one is clearly faster).
pub const CANDIDATES: [&str; 2] = [SHORT_RANGE_INT8, SHORT_RANGE];
/// A later candidate replaces an earlier one only when it is faster by
/// more than this share: two models within noise of each other keep the
/// order of [`CANDIDATES`], so a booth does not flip between them from one
/// start to the next.
const MARGIN: f64 = 0.1;
/// Timed detections per candidate at start (after one untimed warm-up).
const TIMED_RUNS: usize = 7;

/// One candidate as measured at start.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// Its model file.
    pub file: &'static str,
    /// Whether it found exactly the one face of the reference portrait.
    pub sees_the_face: bool,
    /// Median time of one detection on the reference frame, ms.
    pub median_ms: f64,
}

/// Which live detector runs, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveChoice {
    /// The chosen model file.
    pub file: &'static str,
    /// Every candidate's measurement.
    pub trials: Vec<Trial>,
}

impl std::fmt::Display for LiveChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        let said: Vec<String> = self
            .trials
            .iter()
            .map(|t| {
                let verdict = if t.sees_the_face {
                    ""
                } else {
                    ", misses the reference face"
                };
                format!("{} {:.1} ms{verdict}", t.file, t.median_ms)
            })
            .collect();
        write!(f, " ({})", said.join("; "))
    }
}

/// The models the live loop runs: the viewfinder detector every frame, the
/// face mesh (eyes) every few frames once the framing is right.
pub struct LiveModels {
    /// BlazeFace short range, as chosen ([`LiveModels::choice`]).
    pub detector: FaceDetector,
    /// Face mesh.
    pub mesh: MeshModel,
    choice: LiveChoice,
}

impl LiveModels {
    /// Loads the face mesh and the live detector from the models folder,
    /// choosing the detector by measuring every candidate on the built-in
    /// portrait (a few tens of ms).
    pub fn load(models: &Path) -> Result<Self, ModelError> {
        let frame = reference_frame();
        let mut loaded = Vec::with_capacity(CANDIDATES.len());
        let mut trials = Vec::with_capacity(CANDIDATES.len());
        for file in CANDIDATES {
            let mut detector = FaceDetector::load(&models.join(file), Range::Short)?;
            trials.push(measure(&mut detector, file, frame.as_ref())?);
            loaded.push(detector);
        }
        let pick = choose(&trials).unwrap_or_else(|| {
            eprintln!(
                "live detector: no model finds the face in the reference portrait on this CPU; using {SHORT_RANGE}"
            );
            CANDIDATES.iter().position(|f| *f == SHORT_RANGE).unwrap_or(0)
        });
        Ok(Self {
            detector: loaded.swap_remove(pick),
            mesh: MeshModel::load(&models.join(FACE_LANDMARK))?,
            choice: LiveChoice {
                file: CANDIDATES[pick],
                trials,
            },
        })
    }

    /// Loads the detector an earlier [`LiveModels::load`] chose on this
    /// CPU, without measuring again (the tests start many booths; each
    /// trial costs seconds under emulation).
    pub fn load_as(models: &Path, choice: &LiveChoice) -> Result<Self, ModelError> {
        Ok(Self {
            detector: FaceDetector::load(&models.join(choice.file), Range::Short)?,
            mesh: MeshModel::load(&models.join(FACE_LANDMARK))?,
            choice: choice.clone(),
        })
    }

    /// Which detector runs, and the measurements that chose it.
    pub fn choice(&self) -> &LiveChoice {
        &self.choice
    }
}

/// The trial to run: the fastest of those that see the face, a later one
/// only when faster than an earlier by more than [`MARGIN`]; `None` when
/// none sees it.
fn choose(trials: &[Trial]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, t) in trials.iter().enumerate() {
        let better = best.is_none_or(|b| t.median_ms < trials[b].median_ms * (1.0 - MARGIN));
        if t.sees_the_face && better {
            best = Some(i);
        }
    }
    best
}

/// The built-in portrait as the viewfinder sees it when she is in place.
fn reference_frame() -> Option<RgbImage> {
    let portrait = demo::portrait().ok()?;
    // Rendered at the viewfinder's size directly: the same framing as the
    // demo's still scaled down, without the 2 MP still (seconds on a slow
    // core, at every start).
    Some(demo::in_place_at(
        &portrait,
        crate::capture::replay::VIEWFINDER,
    ))
}

/// `detector`'s known answer and median time on `frame`; wiped after.
fn measure(
    detector: &mut FaceDetector,
    file: &'static str,
    frame: Option<&RgbImage>,
) -> Result<Trial, ModelError> {
    let Some(frame) = frame else {
        return Ok(Trial {
            file,
            sees_the_face: true,
            median_ms: 0.0,
        });
    };
    // The known-answer call warms the model up for the timed ones.
    let sees_the_face = finds_one_face(detector, frame)?;
    let median_ms = median_ms(TIMED_RUNS, || detector.detect(frame).map(|f| f.len()))?;
    detector.wipe()?;
    Ok(Trial {
        file,
        sees_the_face,
        median_ms,
    })
}

/// Whether `detector` finds exactly one face in `frame`.
fn finds_one_face(detector: &mut FaceDetector, frame: &RgbImage) -> Result<bool, ModelError> {
    Ok(detector.detect(frame)?.len() == 1)
}

impl LiveDetector for LiveModels {
    fn faces(&mut self, frame: &RgbImage) -> Result<&[Detection], ModelError> {
        self.detector.detect(frame)
    }

    fn eyes(&mut self, frame: &RgbImage, face: &Detection) -> Result<FaceMetrics, ModelError> {
        Ok(metrics::measure(&self.mesh.run(frame, face)?))
    }

    fn wipe(&mut self) -> Result<(), ModelError> {
        self.detector.wipe()?;
        self.mesh.wipe()
    }
}

/// Whether `detector` finds exactly the one face of the built-in portrait
/// in a viewfinder frame of it (a known-answer test, a few ms).
pub fn sees_the_reference_face(detector: &mut FaceDetector) -> Result<bool, ModelError> {
    let Some(frame) = reference_frame() else {
        return Ok(true);
    };
    let found = finds_one_face(detector, &frame)?;
    detector.wipe()?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(file: &'static str, sees_the_face: bool, median_ms: f64) -> Trial {
        Trial {
            file,
            sees_the_face,
            median_ms,
        }
    }

    #[test]
    fn int8_is_kept_unless_float_is_clearly_faster_or_int8_misses_the_face() {
        let t = |i8_sees, i8_ms, f_sees, f_ms| {
            choose(&[
                trial(SHORT_RANGE_INT8, i8_sees, i8_ms),
                trial(SHORT_RANGE, f_sees, f_ms),
            ])
        };
        assert_eq!(t(true, 1.0, true, 0.95), Some(0), "within the margin");
        assert_eq!(t(true, 1.0, true, 0.85), Some(1), "clearly faster");
        assert_eq!(t(true, 0.6, true, 0.7), Some(0));
        assert_eq!(t(false, 0.1, true, 5.0), Some(1), "int8 misses the face");
        assert_eq!(t(true, 5.0, false, 0.1), Some(0), "float misses the face");
        assert_eq!(t(false, 1.0, false, 1.0), None);
    }
}
