//! Whether a spec's numbers can be met together: the head size and top
//! margin that satisfy every vertical constraint for a face of given
//! proportions. Loading a spec refuses contradictory files with it, and the
//! layout plans every photo's head size with it.

use super::Spec;

/// Typical crown-to-eye distance as a share of chin-to-crown, used to check
/// at load time that a spec's numbers can be met together (and by the live
/// guide, which has no crown to measure).
pub const TYPICAL_EYE_DEPTH: f64 = 0.48;
/// Step when searching head sizes that satisfy every constraint.
const HEAD_STEP_MM: f64 = 0.1;

/// The head size and top margin: the head size nearest the middle of the
/// spec's range for which the vertical constraints leave room, and within
/// that room the preferred top margin.
pub fn choose_head(spec: &Spec, eye_depth_ratio: f64) -> Option<(f64, f64)> {
    let range = spec.head_mm;
    let steps = ((range.max - range.min) / HEAD_STEP_MM).round() as i64;
    let mid = range.mid();
    let mut candidates: Vec<f64> = (0..=steps)
        .map(|i| range.min + i as f64 * (range.max - range.min) / steps.max(1) as f64)
        .collect();
    candidates.sort_by(|a, b| (a - mid).abs().total_cmp(&(b - mid).abs()));
    candidates.insert(0, mid);
    for head in candidates {
        if let Some(top) = top_margin(spec, head, eye_depth_ratio * head) {
            return Some((head, top));
        }
    }
    None
}

/// The crown's distance from the top edge for a head of `head` mm whose eyes
/// are `eye_depth` mm below the crown, or `None` if the constraints conflict.
fn top_margin(spec: &Spec, head: f64, eye_depth: f64) -> Option<f64> {
    let h = spec.height_mm;
    // The whole head must be in the photo.
    let mut lo: f64 = 0.0;
    let mut hi: f64 = h - head;
    if let Some(r) = spec.crown_to_top_mm {
        lo = lo.max(r.min);
        hi = hi.min(r.max);
    }
    if let Some(r) = spec.eyes_from_bottom_mm {
        lo = lo.max(h - eye_depth - r.max);
        hi = hi.min(h - eye_depth - r.min);
    }
    if let Some(c) = spec.chin_to_bottom_min_mm {
        hi = hi.min(h - head - c);
    }
    if lo > hi + 1e-9 {
        return None;
    }
    let preferred = if let Some(r) = spec.eyes_from_bottom_mm {
        h - eye_depth - r.mid()
    } else if let Some(r) = spec.crown_to_top_mm {
        r.mid()
    } else {
        // Centred with a little more room below, for the neck and shoulders.
        (h - head) * 0.4
    };
    Some(preferred.clamp(lo, hi.max(lo)))
}

/// Checks that a spec's numbers can be met together by a face of typical
/// proportions; spec loading calls this so contradictory files are refused.
pub fn check_feasible(spec: &Spec) -> Result<(), String> {
    match choose_head(spec, TYPICAL_EYE_DEPTH) {
        Some(_) => Ok(()),
        None => Err(format!(
            "no head size within {}-{} mm meets the eye line and margins of this spec (for a face with typical proportions)",
            spec.head_mm.min, spec.head_mm.max
        )),
    }
}
