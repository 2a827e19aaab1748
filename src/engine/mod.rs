//! The passport photo engine: one upright photo and a spec in, the checks
//! and (when there is exactly one face and the geometry can be met) the
//! composed photo out. Used by `compose`, `check` and the booth alike.

mod background;
mod exposure;
pub mod files;
mod points;
pub mod report;

use std::path::Path;
use std::time::Instant;

use crate::checks::photometry::{self, Regions};
use crate::checks::{self, Check, Evidence, Reason, thresholds};
use crate::compose::crown::CrownSource;
use crate::compose::guide::Guide;
use crate::compose::layout::{self, FacePoints, Layout, LayoutError};
use crate::compose::render::{self, Painting};
use crate::imaging::RgbImage;
use crate::imaging::colour::srgb_to_lab;
use crate::imaging::still::{Still, StillError};
use crate::imaging::warp;
use crate::spec::Spec;
use crate::vision::detector::Range;
use crate::vision::mesh::idx;
use crate::vision::runtime::ModelError;
use crate::vision::{
    Detection, FaceDetector, FaceMesh, MeshModel, PersonMask, Point, Segmenter, metrics,
};
use background::source_background;
use exposure::whole_image_exposure;
use points::face_points;
use report::Timings;

/// Longest side of the working copy the models read. The full-resolution
/// photo is only touched again to render the result.
pub const WORKING_MAX_SIDE: u32 = 1280;
/// Pixels read around the crop at full scale: the bilinear neighbours of
/// its outermost samples.
const REGION_MARGIN: u32 = 2;
/// Side of the square the person mask covers, in face-box widths: the head,
/// the hair and the shoulders at any passport scale.
const SEGMENT_SPAN: f32 = 3.5;
/// Least face-mesh presence for a detection to count as a face.
const MIN_FACE_PRESENCE: f32 = 0.5;
/// Below this box width (working pixels) the mesh's presence output is
/// unreliable (0.1 to 0.8 on the same 13 px face), so such faces are taken
/// on the detector's word; they fail the resolution check anyway.
const MIN_VERIFIABLE_FACE_PX: f32 = 40.0;
/// Detections verified with the mesh, best first; more is a crowd either way.
const MAX_FACES_VERIFIED: usize = 8;

/// What to do with the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackgroundMode {
    /// Leave it as photographed.
    Keep,
    /// Replace it by the spec's first allowed colour (the spec must allow it).
    Replace,
    /// Replace it only if the spec allows it and it fails the checks.
    Auto,
}

/// Per-run options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Output resolution.
    pub dpi: u32,
    /// Background handling.
    pub background: BackgroundMode,
}

/// Why the engine could not run (as opposed to a photo failing checks).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A model failed to load or run.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The still's pixels could not be read.
    #[error(transparent)]
    Still(#[from] StillError),
    /// `--background replace` for a spec that forbids edits.
    #[error("{spec} does not allow the background to be replaced")]
    ReplacementNotAllowed {
        /// Spec id.
        spec: String,
    },
}

/// The engine's findings on one photo.
#[derive(Debug)]
pub struct Analysis {
    /// Faces of comparable size.
    pub faces: usize,
    /// Every check made.
    pub checks: Vec<Check>,
    /// Eyes, chin, crown (source pixels), with exactly one face.
    pub points: Option<(FacePoints, CrownSource)>,
    /// The plan, when the geometry could be met.
    pub layout: Option<Layout>,
    /// The photo, when there is one face and a layout.
    pub photo: Option<RgbImage>,
    /// Whether the background was replaced.
    pub background_replaced: bool,
    /// Whether padding was added.
    pub padded: bool,
}

impl Analysis {
    fn refused(faces: usize, check: Check) -> Self {
        Analysis {
            faces,
            checks: vec![check],
            points: None,
            layout: None,
            photo: None,
            background_replaced: false,
            padded: false,
        }
    }

    /// Failed reasons, each once.
    pub fn reasons(&self) -> Vec<Reason> {
        checks::reasons(&self.checks)
    }
}

/// The loaded models.
#[derive(Debug)]
pub struct Engine {
    full: FaceDetector,
    short: FaceDetector,
    mesh: MeshModel,
    segmenter: Segmenter,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

impl Engine {
    /// Loads every model the engine needs from `dir`.
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        Ok(Self {
            full: FaceDetector::load(&dir.join(files::FULL_RANGE), Range::Full)?,
            short: FaceDetector::load(&dir.join(files::SHORT_RANGE), Range::Short)?,
            mesh: MeshModel::load(&dir.join(files::FACE_LANDMARK))?,
            segmenter: Segmenter::load(&dir.join(files::SEGMENTATION))?,
        })
    }

    /// Faces of comparable size in `work`, largest first, in `work` pixels,
    /// each confirmed by the face mesh (which also gives its landmarks).
    ///
    /// BlazeFace alone takes some shapes for faces (a suit collar in a washed
    /// out photo scored 0.54); the mesh's own face-presence output is near 1
    /// on real faces and near 0 on those, so it is the second opinion.
    fn faces(
        &mut self,
        work: &RgbImage,
        timings: &mut Timings,
    ) -> Result<Vec<(Detection, FaceMesh)>, ModelError> {
        let t = Instant::now();
        let mut found = self.full.detect(work)?.to_vec();
        if found.is_empty() {
            found = self.short.detect(work)?.to_vec();
        }
        found.truncate(MAX_FACES_VERIFIED);
        timings.detect = ms(t);
        let t = Instant::now();
        let mut faces = Vec::with_capacity(found.len());
        for det in found {
            let mesh = self.mesh.run(work, &det)?;
            if mesh.presence >= MIN_FACE_PRESENCE || det.bbox.w < MIN_VERIFIABLE_FACE_PX {
                faces.push((det, mesh));
            }
        }
        timings.landmarks = ms(t);
        faces.sort_by(|a, b| b.0.bbox.w.total_cmp(&a.0.bbox.w));
        let largest = faces.first().map_or(0.0, |d| d.0.bbox.w);
        faces.retain(|d| {
            f64::from(d.0.bbox.w) >= thresholds::SECOND_FACE_MIN_SIZE * f64::from(largest)
        });
        Ok(faces)
    }

    /// Analyses `img` under `spec` and composes the photo when possible.
    ///
    /// `still` is read whole only at the working scale; at full scale only
    /// the pixels under the crop are read (see [`Still`]).
    pub fn process(
        &mut self,
        still: &dyn Still,
        spec: &Spec,
        opts: &Options,
        timings: &mut Timings,
    ) -> Result<Analysis, EngineError> {
        if opts.background == BackgroundMode::Replace && !spec.edits.background_replacement {
            return Err(EngineError::ReplacementNotAllowed {
                spec: spec.id.clone(),
            });
        }
        let (width, height) = still.size();
        let factor = width.max(height).div_ceil(WORKING_MAX_SIDE).max(1);
        let work = still.reduced(factor)?;
        let work = &*work;
        let f = factor as f32;
        let mut faces = self.faces(work, timings)?;
        match faces.len() {
            0 => {
                let c = Check::range("face_found", Reason::NoFace, 0.0, Some(1.0), None, "faces");
                let mut a = Analysis::refused(0, c);
                a.checks.extend(whole_image_exposure(work));
                return Ok(a);
            }
            1 => {}
            n => {
                let c = Check::range(
                    "face_count",
                    Reason::MultipleFaces,
                    n as f64,
                    Some(1.0),
                    Some(1.0),
                    "faces",
                );
                return Ok(Analysis::refused(n, c));
            }
        }
        let (det, mesh) = faces.swap_remove(0);
        let mesh = mesh.scaled(f);

        let t = Instant::now();
        let side = det.bbox.w.max(det.bbox.h) * SEGMENT_SPAN;
        let mask = self.segmenter.run(work, det.bbox.center(), side)?.scaled(f);
        timings.segment = ms(t);

        let t = Instant::now();
        let guide = Guide {
            image: work,
            scale: f,
        };
        let (points, crown_source) = face_points(&mesh, &mask, guide);
        let layout = match layout::plan(&points, spec) {
            Ok(l) => l,
            Err(LayoutError::Infeasible { .. }) => {
                let c =
                    Check::verdict("layout", Reason::InsufficientMargin, false, 0.0, "feasible");
                let mut a = Analysis::refused(1, c);
                a.points = Some((points, crown_source));
                return Ok(a);
            }
            Err(LayoutError::Degenerate(_)) => {
                let c = Check::verdict("face_geometry", Reason::NoFace, false, 0.0, "consistent");
                return Ok(Analysis::refused(1, c));
            }
        };
        let analysis =
            self.compose(still, spec, opts, &mesh, mask, points, crown_source, layout)?;
        timings.compose = ms(t);
        Ok(analysis)
    }

    #[allow(clippy::too_many_arguments)]
    fn compose(
        &mut self,
        still: &dyn Still,
        spec: &Spec,
        opts: &Options,
        mesh: &FaceMesh,
        mask: PersonMask,
        points: FacePoints,
        crown_source: CrownSource,
        layout: Layout,
    ) -> Result<Analysis, EngineError> {
        let (w, h) = spec.size_px(opts.dpi);
        let crop = layout.crop;
        let size = still.size();
        let Some(area) = crop.source_area((w, h), REGION_MARGIN, size) else {
            // A plan can only miss the photo wholly if the face points did.
            let c = Check::verdict("layout", Reason::InsufficientMargin, false, 0.0, "feasible");
            let mut a = Analysis::refused(1, c);
            a.points = Some((points, crown_source));
            return Ok(a);
        };
        let overflow_mm =
            f64::from(warp::overflow_px(size.0, size.1, &crop, w, h)) / layout.px_per_mm;
        let head_px = layout.head_mm * layout.px_per_mm;
        let outline = idx::FACE_OVAL
            .iter()
            .map(|&i| mesh.pt(i))
            .chain([points.crown, points.chin]);
        let face_outside = outline
            .map(|p| f64::from(warp::outside_by(p, size.0, size.1)))
            .fold(0.0, f64::max)
            / head_px;

        // The full-scale pixels under the crop, and the crop and mask as
        // seen from them.
        let region = still.region(area)?;
        let corner = Point::new(region.origin.0 as f32, region.origin.1 as f32);
        let (img, local, mask) = (&*region.pixels, crop.shifted(corner), mask.shifted(corner));
        let source_bg = source_background(img, &mask, &local, w, h);
        let bg_ok = source_bg.as_ref().is_some_and(|b| {
            let lab = srgb_to_lab(b.rgb.map(|v| v as f32));
            spec.background.iter().any(|c| c.contains(lab))
                && b.spread <= thresholds::MAX_BACKGROUND_SPREAD
        });
        let replace = match opts.background {
            BackgroundMode::Keep => false,
            BackgroundMode::Replace => true,
            BackgroundMode::Auto => spec.edits.background_replacement && !bg_ok,
        };
        let fill = spec.background[0].fill_rgb();
        let needs_padding = overflow_mm > thresholds::MAX_OVERFLOW_MM;
        let padding = (needs_padding && spec.edits.padding).then(|| {
            if replace {
                fill
            } else {
                source_bg
                    .as_ref()
                    .map_or(fill, |b| b.rgb.map(|v| v.round() as u8))
            }
        });
        let rendered = render::render(
            img,
            &local,
            w,
            h,
            &mask,
            Painting {
                background: replace.then_some(fill),
                padding,
            },
        );

        let to_out = |p: Point| crop.output_of(p, w, h);
        let regions = Regions {
            face: idx::FACE_OVAL.iter().map(|&i| to_out(mesh.pt(i))).collect(),
            eyes: [
                idx::RIGHT_EYE.iter().map(|&i| to_out(mesh.pt(i))).collect(),
                idx::LEFT_EYE.iter().map(|&i| to_out(mesh.pt(i))).collect(),
            ],
            eye_mid: to_out(points.eye_mid()),
        };
        let photo = photometry::measure(&rendered.image, &rendered.person, &regions);
        let face_metrics = metrics::measure(mesh);
        let checks = checks::evaluate(&Evidence {
            spec,
            faces: 1,
            layout: &layout,
            metrics: &face_metrics,
            face_outside,
            overflow_mm,
            padded: padding.is_some(),
            effective_dpi: layout.px_per_mm * crate::spec::MM_PER_INCH,
            photo: &photo,
        });
        Ok(Analysis {
            faces: 1,
            checks,
            points: Some((points, crown_source)),
            layout: Some(layout),
            photo: Some(rendered.image),
            background_replaced: replace,
            padded: padding.is_some(),
        })
    }

    /// Zeroes every model's tensors (end of a session).
    pub fn wipe(&mut self) -> Result<(), ModelError> {
        self.full.wipe()?;
        self.short.wipe()?;
        self.mesh.wipe()?;
        self.segmenter.wipe()
    }
}
