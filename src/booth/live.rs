//! The live loop's detector on the real models: BlazeFace every viewfinder
//! frame, the face mesh for the eye check. Loading checks the int8 model
//! against a known answer first.

use std::path::Path;

use super::demo;
use crate::engine::files::{FACE_LANDMARK, LIVE_DETECTOR, SHORT_RANGE};
use crate::imaging::RgbImage;
use crate::vision::live::LiveDetector;
use crate::vision::metrics::{self, FaceMetrics};
use crate::vision::runtime::ModelError;
use crate::vision::{Detection, FaceDetector, MeshModel, Range};

/// The models the live loop runs: the viewfinder detector every frame, the
/// face mesh (eyes) every few frames once the framing is right.
pub struct LiveModels {
    /// BlazeFace short range (int8 on ARM; see `files::LIVE_DETECTOR`).
    pub detector: FaceDetector,
    /// Face mesh.
    pub mesh: MeshModel,
}

impl LiveModels {
    /// Loads both from the models folder. The live detector must first find
    /// the face in the built-in portrait: a CPU whose int8 kernels go wrong
    /// (seen under emulation of ARM's newest extensions) gets the float
    /// model instead of a booth that never sees anyone.
    pub fn load(models: &Path) -> Result<Self, ModelError> {
        let mut detector = FaceDetector::load(&models.join(LIVE_DETECTOR), Range::Short)?;
        if LIVE_DETECTOR != SHORT_RANGE && !sees_the_reference_face(&mut detector)? {
            eprintln!(
                "live detector: {LIVE_DETECTOR} finds no face in the reference portrait on this CPU; using {SHORT_RANGE}"
            );
            detector = FaceDetector::load(&models.join(SHORT_RANGE), Range::Short)?;
        }
        Ok(Self {
            detector,
            mesh: MeshModel::load(&models.join(FACE_LANDMARK))?,
        })
    }
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
    let Ok(portrait) = demo::portrait() else {
        return Ok(true);
    };
    let frame = crate::capture::replay::viewfinder_of(&demo::in_place(&portrait));
    let found = detector.detect(&frame)?.len() == 1;
    detector.wipe()?;
    Ok(found)
}
