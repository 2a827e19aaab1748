//! Digital photo profiles: what an online application's upload accepts,
//! read from one TOML file per portal under `specs/digital/`.
//!
//! The print rules (a [`Spec`](super::Spec)) say where the head goes; a
//! portal adds rules on the file itself (pixel size, type, kilobytes), and
//! those are the commonest reasons a digital photo is refused. A profile
//! names the specs whose photo it takes, so a US visa photo is never
//! uploaded as a UK passport one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{SpecError, file};

/// An inclusive range of pixels; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PxRange {
    /// Fewest pixels.
    #[serde(default)]
    pub min: Option<u32>,
    /// Most pixels.
    #[serde(default)]
    pub max: Option<u32>,
}

impl PxRange {
    /// Whether `v` lies in the range.
    pub fn contains(&self, v: u32) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// An inclusive range of file sizes in kilobytes (1000 bytes, as portals
/// count); either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KbRange {
    /// Smallest file.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest file.
    #[serde(default)]
    pub max: Option<f64>,
}

impl KbRange {
    /// The smallest and largest file in bytes.
    pub fn bytes(&self) -> (usize, Option<usize>) {
        let b = |kb: f64| (kb * 1000.0).floor() as usize;
        (self.min.map_or(0, b), self.max.map(b))
    }
}

/// The file type a portal takes (the booth writes its first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    /// Baseline JPEG, 8 bits per channel.
    Jpeg,
}

/// Whether the portal serves the booth at all.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "why")]
pub enum Service {
    /// The booth can write a file the portal accepts.
    Served,
    /// The portal takes photos only some other way; the text says how.
    NotServed(String),
}

/// One portal's upload rules.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DigitalProfile {
    /// Stable id, also the file name: `us-ds160`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// The specs whose photo this portal takes.
    pub specs: Vec<String>,
    /// Whether the booth can serve it at all.
    pub service: Service,
    /// Width in pixels.
    #[serde(default = "open")]
    pub width_px: PxRange,
    /// Height in pixels.
    #[serde(default = "open")]
    pub height_px: PxRange,
    /// Width and height must be equal.
    #[serde(default)]
    pub square: bool,
    /// Accepted file types, the one to write first.
    #[serde(default)]
    pub file_types: Vec<FileType>,
    /// File size.
    #[serde(default = "any_size")]
    pub file_kb: KbRange,
    /// Largest ratio of the raw pixels (3 bytes each) to the file's size:
    /// the US puts a floor under JPEG quality this way (20:1 makes a
    /// 600 x 600 file at least 54 kB).
    #[serde(default)]
    pub max_compression_ratio: Option<f64>,
    /// Where the rules come from, and when they were read.
    pub sources: Vec<String>,
    /// Caveats shown with `passbooth specs`.
    #[serde(default)]
    pub notes: Vec<String>,
}

fn open() -> PxRange {
    PxRange {
        min: None,
        max: None,
    }
}

fn any_size() -> KbRange {
    KbRange {
        min: None,
        max: None,
    }
}

impl DigitalProfile {
    /// Parses and validates one profile file's text; `path` is for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<DigitalProfile, SpecError> {
        let p: DigitalProfile = file::parse(text, path)?;
        let invalid = |field: &str, problem: String| file::invalid(path, field, problem);
        file::check_id(&p.id, path)?;
        if p.specs.is_empty() {
            return Err(invalid("specs", "name the specs this portal takes".into()));
        }
        if p.sources.is_empty() {
            return Err(invalid("sources", "say where the rules come from".into()));
        }
        if p.service == Service::Served {
            if p.file_types.is_empty() {
                return Err(invalid("file_types", "list at least one".into()));
            }
            for (field, r) in [("width_px", p.width_px), ("height_px", p.height_px)] {
                if let (Some(a), Some(b)) = (r.min, r.max)
                    && a > b
                {
                    return Err(invalid(field, format!("min {a} is above max {b}")));
                }
                if r.max.is_some_and(|m| m > 20_000) || r.min == Some(0) {
                    return Err(invalid(field, "between 1 and 20000 px".into()));
                }
            }
            let KbRange { min, max } = p.file_kb;
            for v in [min, max].into_iter().flatten() {
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid("file_kb", format!("{v} is not a file size")));
                }
            }
            if let (Some(a), Some(b)) = (min, max)
                && a >= b
            {
                return Err(invalid("file_kb", format!("min {a} is not below max {b}")));
            }
            if let Some(r) = p.max_compression_ratio
                && !(r.is_finite() && r >= 1.0)
            {
                return Err(invalid(
                    "max_compression_ratio",
                    format!("{r} is not a ratio >= 1"),
                ));
            }
        }
        Ok(p)
    }

    /// Reads and validates one profile file.
    pub fn load(path: &Path) -> Result<DigitalProfile, SpecError> {
        DigitalProfile::from_toml(&file::read(path)?, path)
    }

    /// Whether the photo of `spec` may go to this portal.
    pub fn takes(&self, spec: &str) -> bool {
        self.specs.iter().any(|s| s == spec)
    }
}

/// Why a digital photo cannot be made for this spec and portal.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No profile with that id.
    #[error("unknown digital profile '{id}'; known: {known}")]
    Unknown {
        /// What was asked for.
        id: String,
        /// The ids that exist.
        known: String,
    },
    /// The profile is for other documents.
    #[error("digital profile '{profile}' is for {takes}, not {spec}")]
    WrongSpec {
        /// The profile.
        profile: String,
        /// The spec asked for.
        spec: String,
        /// The specs it takes.
        takes: String,
    },
    /// The portal takes no file from a booth.
    #[error("{name}: {why}")]
    NotServed {
        /// The portal.
        name: String,
        /// How it takes photos instead.
        why: String,
    },
}

/// Every profile in `specs/digital/`, by id.
#[derive(Debug, Clone, Default)]
pub struct DigitalLibrary {
    profiles: BTreeMap<String, DigitalProfile>,
}

impl DigitalLibrary {
    /// Loads every `*.toml` in `dir`; a missing folder is an empty library
    /// (an operator's own specs folder may have none), a bad file an error.
    pub fn load_dir(dir: &Path) -> Result<Self, SpecError> {
        let paths = match file::toml_files(dir) {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(SpecError::Io {
                    path: dir.to_path_buf(),
                    source,
                });
            }
        };
        let mut profiles = BTreeMap::new();
        for p in paths {
            let profile = DigitalProfile::load(&p)?;
            profiles.insert(profile.id.clone(), profile);
        }
        Ok(Self { profiles })
    }

    /// The profiles folder of a specs folder.
    pub fn dir_of(specs: &Path) -> PathBuf {
        specs.join("digital")
    }

    /// All profiles, by id.
    pub fn iter(&self) -> impl Iterator<Item = &DigitalProfile> {
        self.profiles.values()
    }

    /// The profile `id`, if it takes the photo of `spec` and the booth can
    /// serve it.
    pub fn for_spec(&self, id: &str, spec: &str) -> Result<&DigitalProfile, ProfileError> {
        let p = self.profiles.get(id).ok_or_else(|| ProfileError::Unknown {
            id: id.to_string(),
            known: self.profiles.keys().cloned().collect::<Vec<_>>().join(", "),
        })?;
        if let Service::NotServed(why) = &p.service {
            return Err(ProfileError::NotServed {
                name: p.name.clone(),
                why: why.clone(),
            });
        }
        if !p.takes(spec) {
            return Err(ProfileError::WrongSpec {
                profile: p.id.clone(),
                spec: spec.to_string(),
                takes: p.specs.join(", "),
            });
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DS160: &str = r#"
id = "us-ds160"
name = "US visa application (DS-160)"
specs = ["us-visa"]
service = { status = "served" }
width_px = { min = 600, max = 1200 }
height_px = { min = 600, max = 1200 }
square = true
file_types = ["jpeg"]
file_kb = { max = 240 }
sources = ["travel.state.gov"]
"#;

    fn parse(text: &str) -> Result<DigitalProfile, SpecError> {
        DigitalProfile::from_toml(text, Path::new("specs/digital/us-ds160.toml"))
    }

    #[test]
    fn a_profile_reads_and_its_ranges_hold() {
        let p = parse(DS160).unwrap();
        assert!(p.square && p.takes("us-visa") && !p.takes("us-passport"));
        assert!(p.width_px.contains(600) && !p.width_px.contains(1201));
        assert_eq!(p.file_kb.bytes(), (0, Some(240_000)));
    }

    #[test]
    fn impossible_profiles_are_refused_naming_the_field() {
        for (from, to, field) in [
            ("max = 240 }", "min = 300, max = 240 }", "file_kb"),
            (
                "width_px = { min = 600",
                "width_px = { min = 1600",
                "width_px",
            ),
            ("specs = [\"us-visa\"]", "specs = []", "specs"),
            ("id = \"us-ds160\"", "id = \"ds160\"", "id"),
        ] {
            let e = parse(&DS160.replace(from, to)).unwrap_err().to_string();
            assert!(e.contains(field), "{e}");
        }
        let e = parse(&DS160.replace("square = true", "square = \"yes\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("square"), "{e}");
    }
}
