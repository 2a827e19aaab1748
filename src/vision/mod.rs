//! Face models on LiteRT: detection, landmarks, person segmentation.
mod anchors;
pub mod detection;
pub mod detector;
pub mod live;
pub mod mesh;
pub mod metrics;
mod preprocess;
mod quiet;
pub mod runtime;
mod segmentation;
mod tensor;

pub use crate::imaging::geometry::{Point, Rect, TensorMap};
pub use detection::{Detection, Keypoint};
pub use detector::{FaceDetector, Range};
pub use mesh::{FaceMesh, MeshModel};
pub use segmentation::{PersonMask, Segmenter};
