//! Country photo rules, read from one TOML file per document under `specs/`.
//!
//! A file is parsed into [`Spec`] once and validated there, with an error that
//! names the file and the field; nothing downstream re-checks a spec.

pub mod colour;
pub mod digital;
pub mod feasible;
mod file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use colour::BackgroundColour;

/// Millimetres per inch.
pub const MM_PER_INCH: f64 = 25.4;

/// An inclusive range in millimetres, `min <= max`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MmRange {
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
}

impl MmRange {
    /// True when `v` lies in the range.
    pub fn contains(&self, v: f64) -> bool {
        v >= self.min && v <= self.max
    }
    /// Middle of the range.
    pub fn mid(&self) -> f64 {
        (self.min + self.max) / 2.0
    }
}

/// Whether glasses may be worn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Glasses {
    /// Not allowed at all (US since 2016, UK).
    Forbidden,
    /// Allowed if the eyes are clearly visible, no glare, no tint.
    Allowed,
}

/// Which expressions pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expression {
    /// Neutral, mouth closed, no smile.
    Neutral,
    /// Neutral or a natural smile with the mouth closed (US).
    NeutralOrSmile,
}

/// Which edits of the photo the authority accepts; each one the engine may
/// make only when allowed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Edits {
    /// Replacing the background by a plain allowed colour.
    pub background_replacement: bool,
    /// Extending the picture with the measured background colour when the
    /// photo lacks room around the head.
    pub padding: bool,
    /// Rotating the photo so the eyes are level.
    pub roll_correction: bool,
    /// Correcting brightness or colour.
    pub colour_correction: bool,
}

/// One document's photo rules. Read only through [`Spec::from_toml`] /
/// [`Spec::load`], which validate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Short id, also the file name: `us-passport`.
    pub id: String,
    /// Human name: "US passport".
    pub name: String,
    /// Text printed on a sheet: "US passport 2 x 2 in".
    pub caption: String,
    /// Photo width.
    pub width_mm: f64,
    /// Photo height.
    pub height_mm: f64,
    /// Default print resolution.
    pub dpi: u32,
    /// Chin to crown (top of the hair).
    pub head_mm: MmRange,
    /// Eye line above the bottom edge, where the rules give one.
    pub eyes_from_bottom_mm: Option<MmRange>,
    /// Crown to the top edge, where the rules give one.
    pub crown_to_top_mm: Option<MmRange>,
    /// Least space below the chin, where the rules give one.
    pub chin_to_bottom_min_mm: Option<f64>,
    /// Face width at the cheekbones, where the rules give one.
    pub head_width_mm: Option<MmRange>,
    /// Allowed background colours; the first is painted on replacement.
    pub background: Vec<BackgroundColour>,
    /// Edits the authority accepts.
    pub edits: Edits,
    /// Glasses rule.
    pub glasses: Glasses,
    /// Expression rule.
    pub expression: Expression,
    /// False where the authority no longer takes printed photos (Germany
    /// since 2025-05-01): a booth print is then only for other uses.
    pub printed_photos_accepted: bool,
    /// Caveats shown with `passbooth specs ID`.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Where the numbers come from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Why a spec file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read spec {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid TOML for a spec (syntax, unknown or missing field).
    #[error("spec {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and field.
        message: String,
    },
    /// A field has an impossible value.
    #[error("spec {path}: {field}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The field, dotted: `head_mm.min`.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// No spec with that id.
    #[error("unknown spec '{id}'; known: {known}")]
    Unknown {
        /// What was asked for.
        id: String,
        /// The ids that exist.
        known: String,
    },
}

impl Spec {
    /// Parses and validates one spec file's text; `path` is for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Spec, SpecError> {
        let spec: Spec = file::parse(text, path)?;
        let invalid = |field: &str, problem: String| file::invalid(path, field, problem);
        file::check_id(&spec.id, path)?;
        if spec.id.is_empty()
            || !spec
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(
                "id",
                "use lower-case letters, digits and '-'".into(),
            ));
        }
        for (field, v) in [("width_mm", spec.width_mm), ("height_mm", spec.height_mm)] {
            if !(10.0..=300.0).contains(&v) {
                return Err(invalid(
                    field,
                    format!("{v} mm is not a photo size (10-300 mm)"),
                ));
            }
        }
        if !(150..=1200).contains(&spec.dpi) {
            return Err(invalid("dpi", format!("{} is outside 150-1200", spec.dpi)));
        }
        let ranges = [
            ("head_mm", Some(spec.head_mm), spec.height_mm),
            (
                "eyes_from_bottom_mm",
                spec.eyes_from_bottom_mm,
                spec.height_mm,
            ),
            ("crown_to_top_mm", spec.crown_to_top_mm, spec.height_mm),
            ("head_width_mm", spec.head_width_mm, spec.width_mm),
        ];
        for (field, range, limit) in ranges {
            if let Some(r) = range {
                if !(r.min.is_finite() && r.max.is_finite()) || r.min < 0.0 {
                    return Err(invalid(field, "min and max must be finite and >= 0".into()));
                }
                if r.min > r.max {
                    return Err(invalid(
                        field,
                        format!("min {} is above max {}", r.min, r.max),
                    ));
                }
                if r.max > limit {
                    return Err(invalid(
                        field,
                        format!("max {} exceeds the photo ({limit} mm)", r.max),
                    ));
                }
            }
        }
        if let Some(c) = spec.chin_to_bottom_min_mm
            && !(0.0..spec.height_mm).contains(&c)
        {
            return Err(invalid(
                "chin_to_bottom_min_mm",
                format!("{c} is outside the photo"),
            ));
        }
        if spec.background.is_empty() {
            return Err(invalid("background", "list at least one colour".into()));
        }
        if let Err(problem) = feasible::check_feasible(&spec) {
            return Err(invalid("geometry", problem));
        }
        Ok(spec)
    }

    /// Reads and validates one spec file.
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        Spec::from_toml(&file::read(path)?, path)
    }

    /// Output size in pixels at `dpi`, rounded to whole pixels.
    pub fn size_px(&self, dpi: u32) -> (u32, u32) {
        let px = |mm: f64| (mm / MM_PER_INCH * f64::from(dpi)).round() as u32;
        (px(self.width_mm), px(self.height_mm))
    }
}

/// Every spec in a folder, by id.
#[derive(Debug, Clone)]
pub struct SpecLibrary {
    specs: BTreeMap<String, Spec>,
}

impl SpecLibrary {
    /// Loads every `*.toml` in `dir`; the first bad file is an error, so an
    /// operator's typo is found at start, not at the first customer.
    pub fn load_dir(dir: &Path) -> Result<Self, SpecError> {
        let paths = file::toml_files(dir).map_err(|source| SpecError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut specs = BTreeMap::new();
        for p in paths {
            let spec = Spec::load(&p)?;
            specs.insert(spec.id.clone(), spec);
        }
        Ok(Self { specs })
    }

    /// The spec with this id.
    pub fn get(&self, id: &str) -> Result<&Spec, SpecError> {
        self.specs.get(id).ok_or_else(|| SpecError::Unknown {
            id: id.to_string(),
            known: self.specs.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    /// All specs, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Spec> {
        self.specs.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")
    }

    const REQUIRED: [&str; 11] = [
        "us-passport",
        "us-visa",
        "uk-passport",
        "schengen-visa",
        "de-passport",
        "canada-passport",
        "india-passport",
        "china-passport",
        "japan-passport",
        "australia-passport",
        "icao",
    ];

    #[test]
    fn every_shipped_spec_loads_and_the_required_ones_exist() {
        let lib = SpecLibrary::load_dir(&specs_dir()).unwrap();
        for id in REQUIRED {
            lib.get(id).unwrap();
        }
    }

    #[test]
    fn us_passport_is_600_px_square_at_300_dpi() {
        let lib = SpecLibrary::load_dir(&specs_dir()).unwrap();
        let us = lib.get("us-passport").unwrap();
        assert_eq!(us.size_px(300), (600, 600));
        assert_eq!(us.size_px(600), (1200, 1200));
        assert_eq!(lib.get("uk-passport").unwrap().size_px(300), (413, 531));
    }

    #[test]
    fn germany_says_printed_photos_are_not_accepted() {
        let lib = SpecLibrary::load_dir(&specs_dir()).unwrap();
        let de = lib.get("de-passport").unwrap();
        assert!(!de.printed_photos_accepted);
        assert!(de.notes.iter().any(|n| n.contains("2025-05-01")));
    }

    fn us_text() -> String {
        std::fs::read_to_string(specs_dir().join("us-passport.toml")).unwrap()
    }

    fn err(text: &str) -> String {
        Spec::from_toml(text, Path::new("specs/us-passport.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn an_inverted_range_names_file_and_field() {
        let bad = us_text().replace("{ min = 25.4, max = 34.9 }", "{ min = 34.9, max = 25.4 }");
        let e = err(&bad);
        assert!(
            e.contains("specs/us-passport.toml") && e.contains("head_mm"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_field_is_named() {
        let bad = us_text().replace("dpi = 300", "dpi = 300\nhead_heigth = 3");
        let e = err(&bad);
        assert!(e.contains("head_heigth"), "{e}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let bad = us_text().replace("glasses = \"forbidden\"", "");
        let e = err(&bad);
        assert!(e.contains("glasses"), "{e}");
    }

    #[test]
    fn an_unknown_colour_is_refused() {
        let bad = us_text().replace("[\"white\", \"off_white\"]", "[\"purple\"]");
        let e = err(&bad);
        assert!(e.contains("purple"), "{e}");
    }

    #[test]
    fn contradictory_geometry_is_refused_at_load() {
        let bad = us_text().replace("{ min = 28.6, max = 34.9 }", "{ min = 48.0, max = 49.0 }");
        let e = err(&bad);
        assert!(e.contains("geometry"), "{e}");
    }

    #[test]
    fn id_must_match_the_file_name() {
        let e = Spec::from_toml(&us_text(), Path::new("specs/other.toml")).unwrap_err();
        assert!(e.to_string().contains("id"), "{e}");
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let lib = SpecLibrary::load_dir(&specs_dir()).unwrap();
        let e = lib.get("narnia-passport").unwrap_err().to_string();
        assert!(
            e.contains("narnia-passport") && e.contains("us-passport"),
            "{e}"
        );
    }
}
