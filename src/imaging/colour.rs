//! sRGB to CIELAB (D65), for background colour and skin tone checks.

/// A CIELAB colour: L* 0-100, a* green-red, b* blue-yellow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lab {
    /// Lightness, 0 (black) to 100 (white).
    pub l: f32,
    /// Green (-) to red (+).
    pub a: f32,
    /// Blue (-) to yellow (+).
    pub b: f32,
}

impl Lab {
    /// Chroma: distance from grey.
    pub fn chroma(&self) -> f32 {
        self.a.hypot(self.b)
    }
}

fn linear(c: f32) -> f32 {
    let c = c / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn f(t: f32) -> f32 {
    const D: f32 = 6.0 / 29.0;
    if t > D * D * D {
        t.cbrt()
    } else {
        t / (3.0 * D * D) + 4.0 / 29.0
    }
}

/// Converts an sRGB pixel (0-255 per channel) to CIELAB.
pub fn srgb_to_lab(rgb: [f32; 3]) -> Lab {
    let (r, g, b) = (linear(rgb[0]), linear(rgb[1]), linear(rgb[2]));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let (fx, fy, fz) = (f(x), f(y), f(z));
    Lab {
        l: 116.0 * fy - 16.0,
        a: 500.0 * (fx - fy),
        b: 200.0 * (fy - fz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_black_and_red() {
        let w = srgb_to_lab([255.0, 255.0, 255.0]);
        assert!((w.l - 100.0).abs() < 0.1 && w.chroma() < 0.1);
        let k = srgb_to_lab([0.0, 0.0, 0.0]);
        assert!(k.l.abs() < 0.1);
        let r = srgb_to_lab([255.0, 0.0, 0.0]);
        assert!((r.l - 53.2).abs() < 0.3 && (r.a - 80.1).abs() < 0.5 && (r.b - 67.2).abs() < 0.5);
    }
}
