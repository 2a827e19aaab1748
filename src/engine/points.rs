//! The face points the layout plans with, from the mesh (eyes, chin) and the
//! person mask (the crown, where hair ends).

use crate::compose::chin;
use crate::compose::crown::{self, CrownSource};
use crate::compose::guide::Guide;
use crate::compose::layout::FacePoints;
use crate::vision::mesh::idx;
use crate::vision::{FaceMesh, PersonMask};

/// Eyes, chin, crown and face width from the mesh and the mask (the crown
/// set on the edge of the hair in `guide`, the picture the mask was made
/// from).
pub(super) fn face_points(
    mesh: &FaceMesh,
    mask: &PersonMask,
    guide: Guide<'_>,
) -> (FacePoints, CrownSource) {
    let eye_left = mesh.right_eye();
    let eye_right = mesh.left_eye();
    let mesh_chin = mesh.pt(idx::CHIN);
    let eye_mid = eye_left.mid(eye_right);
    let eye_to_chin = eye_mid.dist(mesh_chin).max(1.0);
    let up = eye_mid.minus(mesh_chin).scale(1.0 / eye_to_chin);
    let chin = chin::find(guide, mesh_chin, up.scale(-1.0), eye_to_chin);
    let face_width = mesh.pt(idx::CHEEKS[0]).dist(mesh.pt(idx::CHEEKS[1]));
    let (crown, source) = crown::find(
        mask,
        guide,
        mesh.pt(idx::FOREHEAD),
        eye_mid,
        up,
        face_width,
        eye_to_chin,
    );
    (
        FacePoints {
            eye_image_left: eye_left,
            eye_image_right: eye_right,
            chin,
            crown,
            face_width,
        },
        source,
    )
}
