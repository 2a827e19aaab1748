//! The booth's small state files (the till, the counters): written whole
//! or not at all, and read back without ever stopping the booth.
//!
//! A write goes to a temporary file beside the real one, is flushed to the
//! disk, renamed over the real one, and the folder is flushed too: after a
//! power cut at any instant the file is the old one or the new one, never
//! half of each (a rename is atomic; the folder's flush makes it last). A
//! file that cannot be read as what it should be is kept aside under a
//! timestamped name for the operator, and the booth starts from zero.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What reading a state file gave.
#[derive(Debug)]
pub enum Loaded<T> {
    /// No file yet: a new booth.
    Missing,
    /// The file, read.
    Read(T),
    /// The file was damaged; it was renamed to `kept` (or could not be,
    /// and is left where it was) and the booth starts from zero.
    SetAside {
        /// Where the damaged file is now.
        kept: PathBuf,
        /// What was wrong with it.
        why: String,
    },
}

impl<T: Default> Loaded<T> {
    /// The value read, or zero.
    pub fn or_zero(self) -> T {
        match self {
            Loaded::Read(v) => v,
            Loaded::Missing | Loaded::SetAside { .. } => T::default(),
        }
    }
}

/// What a state file holds, read without changing anything (`doctor`).
#[derive(Debug)]
pub enum Peeked<T> {
    /// No file yet.
    Missing,
    /// The file, read.
    Read(T),
    /// The file does not parse (or is not text): why.
    Damaged(String),
}

/// Reads `path` as JSON and leaves it as it is; only a file that cannot be
/// read at all (permissions) is an error.
pub fn peek<T: DeserializeOwned>(path: &Path) -> std::io::Result<Peeked<T>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Peeked::Missing),
        Err(e) => return Err(e),
    };
    Ok(match serde_json::from_slice(&bytes) {
        Ok(v) => Peeked::Read(v),
        Err(e) => Peeked::Damaged(e.to_string()),
    })
}

/// Reads `path` as JSON for the booth. A missing file is
/// [`Loaded::Missing`]; a file that does not parse (or is not text) is
/// renamed `NAME.damaged-SECONDS` ([`set_aside`]) and reported; only a
/// file that cannot be read at all (permissions) is an error.
pub fn load<T: DeserializeOwned>(path: &Path) -> std::io::Result<Loaded<T>> {
    Ok(match peek(path)? {
        Peeked::Missing => Loaded::Missing,
        Peeked::Read(v) => Loaded::Read(v),
        Peeked::Damaged(why) => Loaded::SetAside {
            kept: set_aside(path, "damaged").unwrap_or_else(|| path.to_path_buf()),
            why,
        },
    })
}

/// Renames `path` to `NAME.TAG-SECONDS` beside it (a name never taken from
/// the file's contents), for the operator; where it went, or `None` when
/// it could not be moved.
pub fn set_aside(path: &Path, tag: &str) -> Option<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{tag}-{stamp}"));
    let kept = path.with_file_name(name);
    std::fs::rename(path, &kept).ok().map(|()| kept)
}

/// Writes `value` to `path` as JSON, whole or not at all, and durably.
pub fn save<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let mut text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    text.push(b'\n');
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&text)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(folder)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Box3 {
        a: u64,
    }

    #[test]
    fn a_value_round_trips_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert!(matches!(load::<Box3>(&path).unwrap(), Loaded::Missing));
        save(&path, &Box3 { a: 7 }).unwrap();
        assert!(matches!(load(&path).unwrap(), Loaded::Read(Box3 { a: 7 })));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_damaged_file_is_kept_aside_and_reads_as_zero() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "{\"a\": 5, \"prints\": \"x\"").unwrap();
        let Loaded::SetAside { kept, why } = load::<Box3>(&path).unwrap() else {
            panic!("not set aside");
        };
        assert!(!path.exists(), "the damaged file is moved");
        assert!(
            kept.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("s.json.damaged-"),
            "{kept:?}"
        );
        assert_eq!(
            std::fs::read_to_string(kept).unwrap(),
            "{\"a\": 5, \"prints\": \"x\""
        );
        assert!(!why.is_empty());
        // Binary junk too.
        std::fs::write(&path, [0xff, 0, 0x80]).unwrap();
        assert_eq!(load::<Box3>(&path).unwrap().or_zero(), Box3::default());
    }
}
