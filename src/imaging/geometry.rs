//! Points, rectangles and the affine maps between image and tensor pixels.

use serde::Serialize;

/// A point in pixels, x right, y down.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Point {
    /// Horizontal.
    pub x: f32,
    /// Vertical, downwards.
    pub y: f32,
}

impl Point {
    /// A point.
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
    /// Euclidean distance.
    pub fn dist(self, o: Point) -> f32 {
        (self.x - o.x).hypot(self.y - o.y)
    }
    /// Midpoint.
    pub fn mid(self, o: Point) -> Point {
        Point::new((self.x + o.x) / 2.0, (self.y + o.y) / 2.0)
    }
    /// self - o, as a vector.
    pub fn minus(self, o: Point) -> Point {
        Point::new(self.x - o.x, self.y - o.y)
    }
    /// self + o.
    pub fn plus(self, o: Point) -> Point {
        Point::new(self.x + o.x, self.y + o.y)
    }
    /// self * k.
    pub fn scale(self, k: f32) -> Point {
        Point::new(self.x * k, self.y * k)
    }
    /// Dot product of two vectors.
    pub fn dot(self, o: Point) -> f32 {
        self.x * o.x + self.y * o.y
    }
    /// The vector rotated by `angle` radians (x towards y).
    pub fn rotate(self, angle: f32) -> Point {
        let (s, c) = angle.sin_cos();
        Point::new(c * self.x - s * self.y, s * self.x + c * self.y)
    }
}

/// An axis-aligned rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// Area (0 for degenerate rectangles).
    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }
    /// Centre point.
    pub fn center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    /// Intersection over union.
    pub fn iou(&self, o: &Rect) -> f32 {
        let ix = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let iy = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.area() + o.area() - inter)
    }
}

/// Maps a tensor's pixel grid onto an image: tensor pixel centre (i + 0.5,
/// j + 0.5) lands at `origin + (i + 0.5) * u + (j + 0.5) * v` in the image.
/// A letterbox is the case with `u`, `v` axis-aligned; a rotated face crop is
/// the general one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TensorMap {
    /// Image position of the tensor's top-left corner.
    pub origin: Point,
    /// Image step for one tensor column.
    pub u: Point,
    /// Image step for one tensor row.
    pub v: Point,
}

impl TensorMap {
    /// Fits a `w` x `h` image into a `size` x `size` tensor keeping its aspect
    /// ratio, centred, with the rest padded (letterbox).
    pub fn letterbox(w: u32, h: u32, size: u32) -> Self {
        let step = w.max(h) as f32 / size as f32;
        let origin = Point::new(
            (w as f32 - size as f32 * step) / 2.0,
            (h as f32 - size as f32 * step) / 2.0,
        );
        Self {
            origin,
            u: Point::new(step, 0.0),
            v: Point::new(0.0, step),
        }
    }

    /// A square crop of side `side` image pixels centred on `center`, rotated
    /// by `angle` radians, sampled into a `size` x `size` tensor.
    pub fn rotated_square(center: Point, side: f32, angle: f32, size: u32) -> Self {
        let step = side / size as f32;
        let u = Point::new(step, 0.0).rotate(angle);
        let v = Point::new(0.0, step).rotate(angle);
        let half = size as f32 / 2.0;
        Self {
            origin: center.minus(u.scale(half)).minus(v.scale(half)),
            u,
            v,
        }
    }

    /// The same map for an image `f` times larger (a map made on a
    /// downscaled working copy, used on the full photo).
    pub fn scaled(&self, f: f32) -> Self {
        Self {
            origin: self.origin.scale(f),
            u: self.u.scale(f),
            v: self.v.scale(f),
        }
    }

    /// The same placement seen from an image whose top-left corner sits
    /// at `corner` of this one (a region of it).
    pub fn shifted(&self, corner: Point) -> Self {
        Self {
            origin: self.origin.minus(corner),
            ..*self
        }
    }

    /// Image position of a continuous tensor coordinate.
    #[inline]
    pub fn to_image(&self, t: Point) -> Point {
        self.origin.plus(self.u.scale(t.x)).plus(self.v.scale(t.y))
    }

    /// Tensor coordinate of an image position (inverse of `to_image`).
    pub fn to_tensor(&self, p: Point) -> Point {
        let d = p.minus(self.origin);
        let det = self.u.x * self.v.y - self.u.y * self.v.x;
        Point::new(
            (d.x * self.v.y - d.y * self.v.x) / det,
            (self.u.x * d.y - self.u.y * d.x) / det,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_identical_and_disjoint_boxes() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        assert_eq!(a.iou(&a), 1.0);
        let b = Rect { x: 20.0, ..a };
        assert_eq!(a.iou(&b), 0.0);
        let c = Rect { x: 5.0, ..a };
        assert!((a.iou(&c) - 50.0 / 150.0).abs() < 1e-6);
    }

    #[test]
    fn letterbox_of_a_wide_image_pads_top_and_bottom() {
        let m = TensorMap::letterbox(640, 480, 128);
        // the tensor's corners span 640 px; 80 px of padding above and below
        assert_eq!(m.to_image(Point::new(0.0, 0.0)), Point::new(0.0, -80.0));
        assert_eq!(
            m.to_image(Point::new(128.0, 128.0)),
            Point::new(640.0, 560.0)
        );
    }

    #[test]
    fn rotated_map_round_trips() {
        let m = TensorMap::rotated_square(Point::new(300.0, 200.0), 150.0, 0.3, 192);
        let p = Point::new(17.0, 150.0);
        let back = m.to_tensor(m.to_image(p));
        assert!(back.dist(p) < 1e-3);
        // the tensor centre is the crop centre
        assert!(
            m.to_image(Point::new(96.0, 96.0))
                .dist(Point::new(300.0, 200.0))
                < 1e-3
        );
    }
}
