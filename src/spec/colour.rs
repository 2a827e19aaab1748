//! Background colours a spec may allow, as regions of CIELAB.
//!
//! Official texts say "white", "off-white", "light grey", "cream": these are
//! our readings of those words as measurable ranges, and the colour we paint
//! when a spec allows background replacement.

use serde::{Deserialize, Serialize};

use crate::imaging::colour::Lab;

/// A named background colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackgroundColour {
    /// Plain white: L* >= 88, chroma <= 8.
    White,
    /// White to very light warm grey: L* >= 82, chroma <= 12.
    OffWhite,
    /// Light grey: L* 60-92, chroma <= 8.
    LightGrey,
    /// Cream: L* >= 80, a* -4..8, b* 6..28.
    Cream,
    /// Light blue (some visa photos): L* >= 65, b* -30..-5.
    LightBlue,
}

impl BackgroundColour {
    /// Every colour, for listing.
    pub const ALL: [BackgroundColour; 5] = [
        Self::White,
        Self::OffWhite,
        Self::LightGrey,
        Self::Cream,
        Self::LightBlue,
    ];

    /// True when a measured background colour counts as this colour.
    pub fn contains(self, c: Lab) -> bool {
        match self {
            Self::White => c.l >= 88.0 && c.chroma() <= 8.0,
            Self::OffWhite => c.l >= 82.0 && c.chroma() <= 12.0,
            Self::LightGrey => (60.0..=92.0).contains(&c.l) && c.chroma() <= 8.0,
            Self::Cream => {
                c.l >= 80.0 && (-4.0..=8.0).contains(&c.a) && (6.0..=28.0).contains(&c.b)
            }
            Self::LightBlue => c.l >= 65.0 && (-30.0..=-5.0).contains(&c.b),
        }
    }

    /// The sRGB colour painted when the background is replaced.
    pub fn fill_rgb(self) -> [u8; 3] {
        match self {
            Self::White => [255, 255, 255],
            Self::OffWhite => [246, 245, 240],
            Self::LightGrey => [214, 214, 214],
            Self::Cream => [245, 238, 215],
            Self::LightBlue => [200, 220, 245],
        }
    }

    /// The name used in spec files.
    pub fn name(self) -> &'static str {
        match self {
            Self::White => "white",
            Self::OffWhite => "off_white",
            Self::LightGrey => "light_grey",
            Self::Cream => "cream",
            Self::LightBlue => "light_blue",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::colour::srgb_to_lab;

    #[test]
    fn every_fill_colour_is_inside_its_own_range() {
        for c in BackgroundColour::ALL {
            let [r, g, b] = c.fill_rgb();
            let lab = srgb_to_lab([r as f32, g as f32, b as f32]);
            assert!(c.contains(lab), "{c:?} {lab:?}");
        }
    }

    #[test]
    fn dark_blue_is_no_allowed_background() {
        let lab = srgb_to_lab([20.0, 30.0, 90.0]);
        assert!(BackgroundColour::ALL.iter().all(|c| !c.contains(lab)));
    }
}
