//! SSD anchors as MediaPipe's `SsdAnchorsCalculator` makes them for BlazeFace
//! (fixed anchor size, so each anchor is only a centre in [0, 1]).

/// The anchor layout of one BlazeFace variant.
#[derive(Debug, Clone, Copy)]
pub struct AnchorSpec {
    /// Square input size in pixels.
    pub input_size: u32,
    /// Stride of each feature layer.
    pub strides: &'static [u32],
    /// Anchors per cell and layer: 2 when MediaPipe adds the interpolated
    /// aspect-ratio anchor next to the 1:1 one, else 1.
    pub anchors_per_layer: u32,
}

/// BlazeFace short range: 128 px, strides 8, 16, 16, 16, two anchors a layer
/// (896 anchors).
pub const SHORT_RANGE: AnchorSpec = AnchorSpec {
    input_size: 128,
    strides: &[8, 16, 16, 16],
    anchors_per_layer: 2,
};

/// BlazeFace full range: 192 px, one layer of stride 4, one anchor a cell
/// (2304 anchors).
pub const FULL_RANGE: AnchorSpec = AnchorSpec {
    input_size: 192,
    strides: &[4],
    anchors_per_layer: 1,
};

/// Anchor centres (x, y) in [0, 1], in the order of the model's outputs.
///
/// Consecutive layers with the same stride share one grid, and their anchors
/// are interleaved per cell, as in MediaPipe.
pub fn generate(spec: &AnchorSpec) -> Vec<[f32; 2]> {
    let mut anchors = Vec::new();
    let mut layer = 0;
    while layer < spec.strides.len() {
        let stride = spec.strides[layer];
        let mut same = 0;
        while layer + same < spec.strides.len() && spec.strides[layer + same] == stride {
            same += 1;
        }
        let cells = spec.input_size.div_ceil(stride);
        for y in 0..cells {
            for x in 0..cells {
                let centre = [
                    (x as f32 + 0.5) / cells as f32,
                    (y as f32 + 0.5) / cells as f32,
                ];
                for _ in 0..same as u32 * spec.anchors_per_layer {
                    anchors.push(centre);
                }
            }
        }
        layer += same;
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_range_has_896_anchors_in_mediapipe_order() {
        let a = generate(&SHORT_RANGE);
        assert_eq!(a.len(), 896);
        // 16x16 grid, 2 per cell, first cell centre at 0.5 / 16
        assert_eq!(a[0], [0.03125, 0.03125]);
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2], [0.09375, 0.03125]);
        // then an 8x8 grid with 6 anchors a cell
        assert_eq!(a[512], [0.0625, 0.0625]);
        assert_eq!(a[517], a[512]);
        assert_eq!(a[518], [0.1875, 0.0625]);
        assert_eq!(a[895], [0.9375, 0.9375]);
    }

    #[test]
    fn full_range_has_2304_anchors() {
        let a = generate(&FULL_RANGE);
        assert_eq!(a.len(), 2304);
        assert_eq!(a[1], [1.5 / 48.0, 0.5 / 48.0]);
    }
}
