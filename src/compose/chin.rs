//! The chin: the face mesh's chin point, moved onto the photo's edge
//! between the chin and the neck just below it.
//!
//! The mesh's chin landmark sits on the chin's front, a little above the
//! outline a passport rule measures to (on the hand-marked faces, 1.6 % of
//! the head higher on average, up to 4 %); the lit chin against the shadowed
//! neck, or a beard's edge, is a colour step the photo shows. Only below:
//! the mesh is rarely below the outline.

use super::guide::Guide;
use crate::vision::Point;

/// How far below the mesh's chin the edge is looked for, as a share of
/// eye-to-chin: a collar or a necklace further down is not the chin. (Of
/// the windows tried on the marked faces, 2 % above to 10 % below, this one
/// did best; they are the only faces it was tried on.)
const BELOW: f32 = 0.06;

/// The chin on the photo's edge near the mesh's `chin`; `down` is the unit
/// vector from the eyes towards the chin, `eye_to_chin` pixels.
pub fn find(guide: Guide<'_>, chin: Point, down: Point, eye_to_chin: f32) -> Point {
    match guide.edge(chin, down, (0.0, BELOW * eye_to_chin)) {
        Some(s) => chin.plus(down.scale(s)),
        None => chin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::RgbImage;

    /// Skin above y = `edge`, shadow below.
    fn photo(edge: u32) -> RgbImage {
        crate::compose::guide::two_tone(64, 200, edge, [200, 150, 120], [90, 60, 50])
    }

    #[test]
    fn the_chin_moves_onto_the_edge_below_it_and_no_further() {
        let img = photo(104);
        let guide = Guide {
            image: &img,
            scale: 1.0,
        };
        let down = Point::new(0.0, 1.0);
        // Mesh chin at 100, eye-to-chin 100: the edge at 104 is in reach.
        let c = find(guide, Point::new(32.0, 100.0), down, 100.0);
        assert!((c.y - 104.0).abs() <= 0.75, "{c:?}");
        // An edge 20 below (a collar) is out of reach: the mesh's chin stays.
        let far = photo(120);
        let guide = Guide {
            image: &far,
            scale: 1.0,
        };
        assert_eq!(find(guide, Point::new(32.0, 100.0), down, 100.0).y, 100.0);
    }
}
