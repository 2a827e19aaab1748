//! Pose and expression measures from the face mesh, each a plain number so
//! the checks can compare it with a documented threshold.

use serde::Serialize;

use super::mesh::{FaceMesh, idx};
use crate::imaging::geometry::Point;

/// Head pose and expression of one face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceMetrics {
    /// Turn left/right, degrees; 0 facing the camera.
    pub yaw_deg: f32,
    /// Nod up/down, degrees; 0 facing the camera.
    pub pitch_deg: f32,
    /// Tilt of the eye line, degrees.
    pub roll_deg: f32,
    /// Lid gap over eye width, the smaller of the two eyes (open eyes about
    /// 0.25-0.35, closed below 0.1).
    pub eye_openness: f32,
    /// Inner lip gap over mouth width (closed about 0-0.05).
    pub mouth_open: f32,
    /// How far the mouth corners rise above the lip line, over mouth width
    /// (neutral about 0, a smile above 0.07).
    pub smile: f32,
}

fn p3(mesh: &FaceMesh, i: usize) -> [f32; 3] {
    mesh.points[i]
}

fn sub3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// Measures pose and expression.
///
/// Yaw and pitch come from the mesh's depth: the cheek-to-cheek vector tilts
/// out of the image plane when the head turns, the chin-to-forehead vector
/// when it nods. Both are taken in the frame of the eye line so that roll
/// does not leak into them. The mesh's canonical face leans back (forehead
/// behind the chin) by [`PITCH_BIAS_DEG`], which is removed.
pub fn measure(mesh: &FaceMesh) -> FaceMetrics {
    let re = mesh.right_eye();
    let le = mesh.left_eye();
    let roll = (le.y - re.y).atan2(le.x - re.x);
    let (s, c) = (-roll).sin_cos();
    let level = |v: [f32; 3]| [c * v[0] - s * v[1], s * v[0] + c * v[1], v[2]];
    let across = level(sub3(p3(mesh, idx::CHEEKS[1]), p3(mesh, idx::CHEEKS[0])));
    let yaw = across[2].atan2(across[0]);
    let vertical = level(sub3(p3(mesh, idx::FOREHEAD), p3(mesh, idx::CHIN)));
    let pitch = vertical[2].atan2(-vertical[1]);

    let openness = |ids: [usize; 4]| {
        let width = mesh.pt(ids[0]).dist(mesh.pt(ids[1]));
        mesh.pt(ids[2]).dist(mesh.pt(ids[3])) / width.max(1e-3)
    };
    let eye_openness = openness(idx::RIGHT_EYE_LIDS).min(openness(idx::LEFT_EYE_LIDS));

    let [l, r, top, bottom] = idx::MOUTH;
    let width = mesh.pt(l).dist(mesh.pt(r)).max(1e-3);
    let mouth_open = mesh.pt(top).dist(mesh.pt(bottom)) / width;
    let up = Point::new(0.0, -1.0).rotate(roll);
    let lip_centre = mesh.pt(top).mid(mesh.pt(bottom));
    let corners = mesh.pt(l).mid(mesh.pt(r));
    let smile = corners.minus(lip_centre).dot(up) / width;

    FaceMetrics {
        yaw_deg: yaw.to_degrees(),
        pitch_deg: pitch.to_degrees() - PITCH_BIAS_DEG,
        roll_deg: roll.to_degrees(),
        eye_openness,
        mouth_open,
        smile,
    }
}

/// Pitch the mesh reports for a face looking straight at the camera
/// (median of eight frontal portraits in the development set: -13 to +2,
/// median -10; see BENCHMARKS.md, "pose calibration").
pub const PITCH_BIAS_DEG: f32 = -9.0;
