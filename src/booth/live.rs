//! The live loop's detector on the real models: BlazeFace every viewfinder
//! frame, the face mesh for the eye check. Which BlazeFace (full int8 or
//! float) is chosen at start on this very CPU: each must find the one face
//! of the built-in portrait (a known answer), and the faster of those that
//! do is taken. Int8 pays on some CPUs and not on others (on this x86
//! XNNPACK's float kernels win); a CPU whose int8 kernels go wrong (seen
//! under emulation of ARM's newest extensions) never gets the int8 model.

use std::path::Path;
use std::time::Instant;

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
        let mut chosen: Option<(FaceDetector, &'static str, f64)> = None;
        let mut trials = Vec::with_capacity(CANDIDATES.len());
        for file in CANDIDATES {
            let mut detector = FaceDetector::load(&models.join(file), Range::Short)?;
            let trial = measure(&mut detector, file, frame.as_ref())?;
            let better = chosen
                .as_ref()
                .is_none_or(|(_, _, best)| trial.median_ms < *best * (1.0 - MARGIN));
            if trial.sees_the_face && better {
                chosen = Some((detector, file, trial.median_ms));
            }
            trials.push(trial);
        }
        let (detector, file) = match chosen {
            Some((detector, file, _)) => (detector, file),
            None => {
                eprintln!(
                    "live detector: no model finds the face in the reference portrait on this CPU; using {SHORT_RANGE}"
                );
                (
                    FaceDetector::load(&models.join(SHORT_RANGE), Range::Short)?,
                    SHORT_RANGE,
                )
            }
        };
        Ok(Self {
            detector,
            mesh: MeshModel::load(&models.join(FACE_LANDMARK))?,
            choice: LiveChoice { file, trials },
        })
    }

    /// Which detector runs, and the measurements that chose it.
    pub fn choice(&self) -> &LiveChoice {
        &self.choice
    }
}

/// The built-in portrait as the viewfinder sees it when she is in place.
fn reference_frame() -> Option<RgbImage> {
    let portrait = demo::portrait().ok()?;
    Some(crate::capture::replay::viewfinder_of(&demo::in_place(
        &portrait,
    )))
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
    let sees_the_face = detector.detect(frame)?.len() == 1;
    let mut times = [0.0f64; TIMED_RUNS];
    for t in &mut times {
        let start = Instant::now();
        detector.detect(frame)?;
        *t = start.elapsed().as_secs_f64() * 1000.0;
    }
    detector.wipe()?;
    times.sort_by(f64::total_cmp);
    Ok(Trial {
        file,
        sees_the_face,
        median_ms: times[TIMED_RUNS / 2],
    })
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
    let found = detector.detect(&frame)?.len() == 1;
    detector.wipe()?;
    Ok(found)
}
