//! Model files, relative to the models folder: which model runs where is
//! decided here once (the engine's and the live loop's).

/// BlazeFace full range (compose: small faces in large photos).
pub const FULL_RANGE: &str = "face_detection_full_range.tflite";
/// BlazeFace short range, float (fallback for faces filling the frame).
pub const SHORT_RANGE: &str = "face_detection_short_range.tflite";
/// BlazeFace short range, full int8 (the live viewfinder).
pub const SHORT_RANGE_INT8: &str = "face_detection_short_range_int8.tflite";
/// The live viewfinder detector for this machine: the full-int8 model on
/// ARM (the Pi, where int8 kernels pay), the float one on x86, where
/// XNNPACK's int8 kernels are slower than its float ones (2.7 against
/// 1.9 ms here, and slower than MediaPipe's own float pipeline; see
/// BENCHMARKS.md).
#[cfg(target_arch = "aarch64")]
pub const LIVE_DETECTOR: &str = SHORT_RANGE_INT8;
/// See the aarch64 variant.
#[cfg(not(target_arch = "aarch64"))]
pub const LIVE_DETECTOR: &str = SHORT_RANGE;
/// Face mesh, 468 points.
pub const FACE_LANDMARK: &str = "face_landmark.tflite";
/// Selfie segmentation, general 256 x 256.
pub const SEGMENTATION: &str = "selfie_segmentation.tflite";
