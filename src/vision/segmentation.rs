//! MediaPipe selfie segmentation: where the person is, for the crown of the
//! head, background measures and background replacement.

use std::path::Path;

use super::preprocess::{Normalise, fill_tensor};
use super::runtime::{Model, ModelError};
use crate::imaging::geometry::{Point, TensorMap};
use crate::imaging::{RgbImage, SecretBuf};

const SIZE: u32 = 256;

/// Person probability over an image, sampled in image pixels.
#[derive(Debug)]
pub struct PersonMask {
    map: TensorMap,
    values: SecretBuf<f32>,
}

impl PersonMask {
    /// A mask from raw values on a `SIZE` x `SIZE` grid placed by `map` (for
    /// tests and synthetic scenes).
    pub fn from_grid(map: TensorMap, values: SecretBuf<f32>) -> Self {
        assert_eq!(values.len(), (SIZE * SIZE) as usize);
        Self { map, values }
    }

    /// Person probability at an image position, bilinear between grid
    /// centres; 0 outside the grid.
    pub fn at(&self, p: Point) -> f32 {
        let t = self.map.to_tensor(p);
        let (x, y) = (t.x - 0.5, t.y - 0.5);
        if !(x > -1.0 && y > -1.0 && x < SIZE as f32 && y < SIZE as f32) {
            return 0.0;
        }
        let x0 = x.floor();
        let y0 = y.floor();
        let (ax, ay) = (x - x0, y - y0);
        let get = |xi: f32, yi: f32| {
            let xi = xi.clamp(0.0, (SIZE - 1) as f32) as usize;
            let yi = yi.clamp(0.0, (SIZE - 1) as f32) as usize;
            self.values[yi * SIZE as usize + xi]
        };
        let top = get(x0, y0) * (1.0 - ax) + get(x0 + 1.0, y0) * ax;
        let bottom = get(x0, y0 + 1.0) * (1.0 - ax) + get(x0 + 1.0, y0 + 1.0) * ax;
        top * (1.0 - ay) + bottom * ay
    }

    /// The mask placed on an image `f` times larger.
    pub fn scaled(self, f: f32) -> Self {
        Self {
            map: self.map.scaled(f),
            values: self.values,
        }
    }

    /// The mask placed on a region of its image whose top-left corner is
    /// at `corner`.
    pub fn shifted(self, corner: Point) -> Self {
        Self {
            map: self.map.shifted(corner),
            values: self.values,
        }
    }

    /// Image pixels per mask cell: the mask's resolution limit.
    pub fn cell_size(&self) -> f32 {
        self.map.u.dist(Point::default())
    }
}

/// The segmentation model.
#[derive(Debug)]
pub struct Segmenter {
    model: Model,
}

impl Segmenter {
    /// Loads `selfie_segmentation.tflite` (the 256 x 256 general model).
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let model = Model::load(path, &[1, 256, 256, 3], &[&[1, 256, 256, 1]])?;
        Ok(Self { model })
    }

    /// The person mask of a square region of `img` centred on `center`,
    /// `side` pixels wide (the head and shoulders, so the mask has resolution
    /// where the photo is cut).
    pub fn run(
        &mut self,
        img: &RgbImage,
        center: Point,
        side: f32,
    ) -> Result<PersonMask, ModelError> {
        let map = TensorMap::rotated_square(center, side, 0.0, SIZE);
        self.model
            .run(|sink| fill_tensor(img, &map, SIZE, Normalise::Unit, sink))?;
        let values = SecretBuf::try_copy_of(self.model.output(0));
        Ok(PersonMask { map, values })
    }

    /// Zeroes the model's tensors.
    pub fn wipe(&mut self) -> Result<(), ModelError> {
        self.model.wipe()
    }
}
