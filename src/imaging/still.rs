//! A full-resolution photo as the engine reads it: twice, and never whole
//! at full scale. Once whole at a reduced scale, to find the face; once in
//! part at full scale, the pixels under the crop it renders. A camera's
//! 12 MP YUV still then never becomes a 36 MB RGB copy, and only the part
//! of it the photo shows is converted at all.

use std::ops::Deref;

use super::RgbImage;

/// A rectangle of whole pixels within a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Columns.
    pub w: u32,
    /// Rows.
    pub h: u32,
}

impl Area {
    /// The pixels covering `[x0, x1) x [y0, y1)` (continuous coordinates)
    /// and `margin` more on every side, cut to a `width` x `height` photo;
    /// `None` when nothing of it is inside.
    pub fn covering(
        (x0, y0): (f32, f32),
        (x1, y1): (f32, f32),
        margin: u32,
        (width, height): (u32, u32),
    ) -> Option<Self> {
        let lo = |v: f32, limit: u32| {
            (v.floor().max(0.0) as u32)
                .saturating_sub(margin)
                .min(limit)
        };
        let hi = |v: f32, limit: u32| (v.ceil().max(0.0) as u32).saturating_add(margin).min(limit);
        let (ax, ay) = (lo(x0, width), lo(y0, height));
        let (bx, by) = (hi(x1, width), hi(y1, height));
        (bx > ax && by > ay).then_some(Self {
            x: ax,
            y: ay,
            w: bx - ax,
            h: by - ay,
        })
    }
}

/// Pixels a [`Still`] hands out: its own (an RGB photo lends itself) or
/// made for the call (converted from the camera's format).
#[derive(Debug)]
pub enum Pixels<'a> {
    /// The photo's own pixels.
    Lent(&'a RgbImage),
    /// Pixels made for this call, wiped when dropped.
    Made(RgbImage),
}

impl Deref for Pixels<'_> {
    type Target = RgbImage;

    fn deref(&self) -> &RgbImage {
        match self {
            Pixels::Lent(img) => img,
            Pixels::Made(img) => img,
        }
    }
}

/// Full-resolution pixels of part of a photo, and where they sit in it.
#[derive(Debug)]
pub struct Region<'a> {
    /// The pixels: at least the area asked for.
    pub pixels: Pixels<'a>,
    /// Photo position of `pixels`' top-left corner.
    pub origin: (u32, u32),
}

/// Why a still's pixels could not be read (its buffer does not hold what
/// its format says: a damaged frame).
#[derive(Debug, thiserror::Error)]
#[error("the still cannot be read: {0}")]
pub struct StillError(pub String);

/// A photo the engine reads without needing it whole at full scale.
pub trait Still {
    /// Width and height, pixels.
    fn size(&self) -> (u32, u32);
    /// The whole photo with every `factor` x `factor` block averaged into
    /// one pixel (blocks at the right and bottom edges may be partial).
    fn reduced(&self, factor: u32) -> Result<Pixels<'_>, StillError>;
    /// Full-resolution pixels covering at least `area`, which lies inside
    /// the photo. The same pixels, value for value, as the whole photo has
    /// there.
    fn region(&self, area: Area) -> Result<Region<'_>, StillError>;
}

impl Still for RgbImage {
    fn size(&self) -> (u32, u32) {
        (self.width(), self.height())
    }

    fn reduced(&self, factor: u32) -> Result<Pixels<'_>, StillError> {
        Ok(if factor <= 1 {
            Pixels::Lent(self)
        } else {
            Pixels::Made(self.box_downscale(factor))
        })
    }

    /// The whole image: it is already here, so lending it costs nothing.
    fn region(&self, _area: Area) -> Result<Region<'_>, StillError> {
        Ok(Region {
            pixels: Pixels::Lent(self),
            origin: (0, 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_covers_its_span_with_margin_and_stays_inside() {
        let a = Area::covering((10.5, 20.2), (30.1, 40.0), 2, (100, 100));
        assert_eq!(
            a,
            Some(Area {
                x: 8,
                y: 18,
                w: 25,
                h: 24
            })
        );
        let edge = Area::covering((-50.0, -5.0), (120.0, 3.5), 2, (100, 80));
        assert_eq!(
            edge,
            Some(Area {
                x: 0,
                y: 0,
                w: 100,
                h: 6
            })
        );
        assert_eq!(
            Area::covering((200.0, 0.0), (300.0, 10.0), 2, (100, 80)),
            None
        );
    }

    #[test]
    fn an_rgb_photo_lends_itself() {
        let img = RgbImage::black(8, 6);
        assert!(matches!(img.reduced(1), Ok(Pixels::Lent(_))));
        let r = img.reduced(2).unwrap();
        assert_eq!((r.width(), r.height()), (4, 3));
        let whole = img
            .region(Area {
                x: 2,
                y: 2,
                w: 2,
                h: 2,
            })
            .unwrap();
        assert_eq!(whole.origin, (0, 0));
        assert_eq!(whole.pixels.width(), 8);
    }
}
