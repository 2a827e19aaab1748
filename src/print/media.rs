//! Paper: IPP media keywords (PWG 5101.1 self-describing names) and the short
//! names people type.

use serde::Serialize;

/// A paper size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Media {
    /// The IPP keyword sent to the printer, e.g. `na_index-4x6_4x6in`.
    pub keyword: String,
    /// Short width (portrait), mm.
    pub width_mm: f64,
    /// Long height (portrait), mm.
    pub height_mm: f64,
}

/// Short names and the keywords they stand for.
pub const PRESETS: [(&str, &str); 8] = [
    ("4x6", "na_index-4x6_4x6in"),
    ("10x15", "om_small-photo_100x150mm"),
    ("postcard", "jpn_hagaki_100x148mm"),
    ("selphy-l", "om_dsc-photo_89x119mm"),
    ("5x7", "na_5x7_5x7in"),
    ("a6", "iso_a6_105x148mm"),
    ("a4", "iso_a4_210x297mm"),
    ("letter", "na_letter_8.5x11in"),
];

/// Why a media name is not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown paper '{0}': use an IPP keyword such as na_index-4x6_4x6in, a size such as 100x150mm, or one of: 4x6, 10x15, postcard, selphy-l, 5x7, a6, a4, letter"
)]
pub struct UnknownMedia(pub String);

impl Media {
    /// Parses a short name (`4x6`, `postcard`), a size (`100x150mm`, `4x6in`)
    /// or any self-describing IPP keyword (`iso_a6_105x148mm`).
    pub fn parse(name: &str) -> Result<Media, UnknownMedia> {
        let lower = name.trim().to_ascii_lowercase();
        let keyword = PRESETS
            .iter()
            .find(|(short, _)| *short == lower)
            .map(|(_, k)| (*k).to_string());
        let keyword = match keyword {
            Some(k) => k,
            None if !lower.contains('_') => format!("custom_{lower}_{lower}"),
            None => lower.clone(),
        };
        let size = keyword.rsplit('_').next().unwrap_or_default();
        let (w, h) = parse_size(size).ok_or_else(|| UnknownMedia(name.to_string()))?;
        if !(20.0..=1000.0).contains(&w) || !(20.0..=1000.0).contains(&h) {
            return Err(UnknownMedia(name.to_string()));
        }
        Ok(Media {
            keyword,
            width_mm: w.min(h),
            height_mm: w.max(h),
        })
    }

    /// Size in hundredths of a millimetre, as IPP's media-size wants it.
    pub fn hundredths(&self) -> (i32, i32) {
        (
            (self.width_mm * 100.0).round() as i32,
            (self.height_mm * 100.0).round() as i32,
        )
    }
}

/// `4x6in` or `100x148mm` to millimetres.
fn parse_size(s: &str) -> Option<(f64, f64)> {
    let (num, factor) = if let Some(n) = s.strip_suffix("mm") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("in") {
        (n, 25.4)
    } else {
        return None;
    };
    let (w, h) = num.split_once('x')?;
    Some((
        w.parse::<f64>().ok()? * factor,
        h.parse::<f64>().ok()? * factor,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_map_to_keywords_with_sizes() {
        let m = Media::parse("4x6").unwrap();
        assert_eq!(m.keyword, "na_index-4x6_4x6in");
        assert!((m.width_mm - 101.6).abs() < 1e-9 && (m.height_mm - 152.4).abs() < 1e-9);
        assert_eq!(
            Media::parse("postcard").unwrap().hundredths(),
            (10000, 14800)
        );
        assert_eq!(
            Media::parse("SELPHY-L").unwrap().keyword,
            "om_dsc-photo_89x119mm"
        );
    }

    #[test]
    fn any_self_describing_keyword_parses() {
        let m = Media::parse("iso_a5_148x210mm").unwrap();
        assert_eq!((m.width_mm, m.height_mm), (148.0, 210.0));
    }

    #[test]
    fn custom_sizes_become_custom_keywords_in_portrait() {
        let m = Media::parse("150x100mm").unwrap();
        assert_eq!(m.keyword, "custom_150x100mm_150x100mm");
        assert_eq!((m.width_mm, m.height_mm), (100.0, 150.0));
    }

    #[test]
    fn nonsense_is_refused_with_the_name() {
        for bad in ["huge", "4x6ft", "1x1mm", "abc_defmm"] {
            let e = Media::parse(bad).unwrap_err();
            assert!(e.to_string().contains(bad));
        }
    }
}
