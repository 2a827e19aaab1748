//! The booth's statistics: counters, nothing else. No times of sessions, no
//! measurements, nothing that tells one person's visit from another's; an
//! operator sees how the booth is used and what goes wrong with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state_file::{self, Loaded, Peeked};

/// Every counter the booth keeps.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counters {
    /// Sessions started (a press on the attract screen).
    pub sessions: u64,
    /// Sheets printed.
    pub prints: u64,
    /// Photos rejected, by the first failed check.
    pub rejections: BTreeMap<String, u64>,
    /// Print failures, by problem code (`out_of_paper`...).
    pub printer_errors: BTreeMap<String, u64>,
    /// Times the camera failed or went missing.
    pub camera_errors: u64,
    /// Photo files fetched by customers' phones (nothing about who).
    #[serde(default)]
    pub phone_sends: u64,
    /// Coins (and notes) accepted.
    #[serde(default)]
    pub coins: u64,
    /// Money inserted, in cents.
    #[serde(default)]
    pub credit_cents: u64,
    /// Money taken for printed sheets, in cents.
    #[serde(default)]
    pub paid_cents: u64,
    /// Credit a customer left when the payment screen timed out (kept for
    /// the next customer), in cents.
    #[serde(default)]
    pub carried_cents: u64,
}

/// The counters file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// Reading or writing failed.
    #[error("stats file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not a counters file.
    #[error("stats file {path} is damaged: {message}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
}

impl Counters {
    /// Reads `path`; a file that does not exist yet is all zeros.
    pub fn load(path: &Path) -> Result<Self, StatsError> {
        match state_file::peek(path) {
            Ok(Peeked::Read(c)) => Ok(c),
            Ok(Peeked::Missing) => Ok(Self::default()),
            Ok(Peeked::Damaged(message)) => Err(StatsError::Damaged {
                path: path.to_path_buf(),
                message,
            }),
            Err(source) => Err(StatsError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Reads `path` for the booth, which must start whatever the file
    /// holds: a damaged file is kept aside (`stats.json.damaged-SECONDS`)
    /// and counting starts from zero; an unreadable one is left and
    /// counting starts from zero. Either is said once in the log (`doctor`
    /// says it too).
    pub fn load_or_zero(path: &Path) -> Self {
        match state_file::load::<Counters>(path) {
            Ok(Loaded::Read(c)) => c,
            Ok(Loaded::Missing) => Self::default(),
            Ok(Loaded::SetAside { kept, why }) => {
                eprintln!(
                    "stats: {} was damaged ({why}); kept as {}, counting from zero",
                    path.display(),
                    kept.display()
                );
                Self::default()
            }
            Err(e) => {
                eprintln!(
                    "stats: cannot read {}: {e}; counting from zero",
                    path.display()
                );
                Self::default()
            }
        }
    }

    /// Writes `path` whole or not at all, durably (a power cut leaves the
    /// old file or the new one).
    pub fn save(&self, path: &Path) -> Result<(), StatsError> {
        state_file::save(path, self).map_err(|source| StatsError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Counts one of a keyed counter.
    pub fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
        *map.entry(key.to_string()).or_default() += 1;
    }

    /// The counters as an operator reads them.
    pub fn render(&self) -> String {
        let mut out = format!(
            "sessions        {}\nprints          {}\nfiles to phones {}\ncamera errors   {}\n",
            self.sessions, self.prints, self.phone_sends, self.camera_errors
        );
        if self.credit_cents > 0 {
            let m = |c| crate::session::money::Money(c);
            out += &format!(
                "coins           {}\ncredit taken    {}\npaid for prints {}\nleft at timeout {}\n",
                self.coins,
                m(self.credit_cents),
                m(self.paid_cents),
                m(self.carried_cents)
            );
        }
        for (title, map) in [
            ("rejections", &self.rejections),
            ("printer errors", &self.printer_errors),
        ] {
            let total: u64 = map.values().sum();
            out += &format!("{title:<15} {total}\n");
            for (k, v) in map {
                out += &format!("  {k:<20} {v}\n");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_round_trip_and_a_missing_file_is_zero() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("stats.json");
        assert_eq!(Counters::load(&path).unwrap(), Counters::default());
        let mut c = Counters {
            sessions: 3,
            prints: 2,
            camera_errors: 1,
            ..Counters::default()
        };
        Counters::bump(&mut c.rejections, "eyes_closed");
        Counters::bump(&mut c.printer_errors, "out_of_paper");
        Counters::bump(&mut c.printer_errors, "out_of_paper");
        c.save(&path).unwrap();
        assert_eq!(Counters::load(&path).unwrap(), c);
        assert!(!path.with_extension("json.tmp").exists());
        // The booth starts on a damaged file: from zero, the file kept.
        std::fs::write(&path, "{\"sessions\": 5, \"prints\": \"x\"").unwrap();
        assert_eq!(Counters::load_or_zero(&path), Counters::default());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(!path.exists());
        let text = c.render();
        assert!(
            text.contains("printer errors  2\n  out_of_paper         2"),
            "{text}"
        );
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("stats.json");
        std::fs::write(&path, "{\"sessions\": \"many\"}").unwrap();
        let e = Counters::load(&path).unwrap_err().to_string();
        assert!(e.contains("stats.json is damaged"), "{e}");
    }
}
