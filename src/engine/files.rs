//! Model files, relative to the models folder. The engine runs all but the
//! int8 detector; the live loop picks its detector among the short-range two
//! by measuring them at start (`booth::live`).

/// BlazeFace full range (compose: small faces in large photos).
pub const FULL_RANGE: &str = "face_detection_full_range.tflite";
/// BlazeFace short range, float (fallback for faces filling the frame).
pub const SHORT_RANGE: &str = "face_detection_short_range.tflite";
/// BlazeFace short range, full int8 (a live viewfinder candidate: the
/// booth measures it against the float one at start, `booth::live`).
pub const SHORT_RANGE_INT8: &str = "face_detection_short_range_int8.tflite";
/// Face mesh, 468 points.
pub const FACE_LANDMARK: &str = "face_landmark.tflite";
/// Selfie segmentation, general 256 x 256.
pub const SEGMENTATION: &str = "selfie_segmentation.tflite";
