//! A spoken phrase in memory: 16-bit PCM read from a WAV file, the header
//! checked and its size bounded (a damaged or hostile file is refused, not
//! trusted).

use std::path::{Path, PathBuf};

/// The longest phrase file read: a few words at espeak-ng's 22 kHz are
/// well under a megabyte.
pub const MAX_CLIP_BYTES: u64 = 4 << 20;

/// Below this a sample is silence (1 % of full scale).
const SILENCE: u16 = 328;

/// 16-bit PCM samples and their format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    /// Samples per second.
    pub rate: u32,
    /// Interleaved channels.
    pub channels: u16,
    /// The samples, interleaved.
    pub samples: Vec<i16>,
}

/// Why a phrase cannot be played.
#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    /// Cannot read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Larger than any phrase.
    #[error("{path}: {bytes} bytes, more than a spoken phrase ({MAX_CLIP_BYTES})")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// Not a 16-bit PCM WAV file.
    #[error("{path}: {problem}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: &'static str,
    },
}

impl Clip {
    /// Reads a 16-bit PCM WAV file.
    pub fn load(path: &Path) -> Result<Clip, ClipError> {
        let io = |source| ClipError::Io {
            path: path.to_path_buf(),
            source,
        };
        let bytes = std::fs::metadata(path).map_err(io)?.len();
        if bytes > MAX_CLIP_BYTES {
            return Err(ClipError::TooLarge {
                path: path.to_path_buf(),
                bytes,
            });
        }
        let data = std::fs::read(path).map_err(io)?;
        Clip::parse(&data).map_err(|problem| ClipError::Format {
            path: path.to_path_buf(),
            problem,
        })
    }

    /// Parses WAV bytes: RIFF, a PCM `fmt ` chunk of 16-bit samples, and
    /// the `data` chunk (espeak-ng writes a streaming header whose sizes
    /// may be 0 or too large: the data runs to the end of the file then).
    pub fn parse(data: &[u8]) -> Result<Clip, &'static str> {
        if data.len() < 12 || &data[..4] != b"RIFF" || &data[8..12] != b"WAVE" {
            return Err("not a WAV file");
        }
        let mut at = 12;
        let mut format: Option<(u16, u32)> = None;
        while at + 8 <= data.len() {
            let id = &data[at..at + 4];
            let size = u32::from_le_bytes([data[at + 4], data[at + 5], data[at + 6], data[at + 7]])
                as usize;
            let body = at + 8;
            match id {
                b"fmt " => {
                    let f = data.get(body..body + 16).ok_or("short fmt chunk")?;
                    let tag = u16::from_le_bytes([f[0], f[1]]);
                    let channels = u16::from_le_bytes([f[2], f[3]]);
                    let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
                    let bits = u16::from_le_bytes([f[14], f[15]]);
                    if tag != 1 || bits != 16 {
                        return Err("not 16-bit PCM");
                    }
                    if channels == 0 || !(8000..=96_000).contains(&rate) {
                        return Err("impossible channels or rate");
                    }
                    format = Some((channels, rate));
                }
                b"data" => {
                    let (channels, rate) = format.ok_or("data before fmt")?;
                    let end = if size == 0 || body + size > data.len() {
                        data.len()
                    } else {
                        body + size
                    };
                    let samples = data[body..end]
                        .chunks_exact(2)
                        .map(|b| i16::from_le_bytes([b[0], b[1]]))
                        .collect();
                    return Ok(Clip {
                        rate,
                        channels,
                        samples,
                    });
                }
                _ => {}
            }
            at = body.saturating_add(size + (size & 1));
        }
        Err("no data chunk")
    }

    /// Length in seconds.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate) / f64::from(self.channels)
    }

    /// The loudest sample's magnitude.
    pub fn peak(&self) -> u16 {
        self.samples
            .iter()
            .map(|s| s.unsigned_abs())
            .max()
            .unwrap_or(0)
    }

    /// Without the silence before and after the words (espeak-ng leaves
    /// about a fifth of a phrase silent): the voice starts as the screen
    /// changes, and the package is smaller. Keeps `margin_ms` either side.
    pub fn trimmed(mut self, margin_ms: u32) -> Clip {
        let quiet = |s: &i16| s.unsigned_abs() < SILENCE;
        let ch = usize::from(self.channels.max(1));
        let margin = (self.rate * margin_ms / 1000) as usize * ch;
        let first = self.samples.iter().position(|s| !quiet(s)).unwrap_or(0);
        let last = self
            .samples
            .iter()
            .rposition(|s| !quiet(s))
            .map_or(0, |i| i + 1);
        if first >= last {
            return self;
        }
        let start = first.saturating_sub(margin) / ch * ch;
        let end = (last + margin).min(self.samples.len()).div_ceil(ch) * ch;
        self.samples = self.samples[start..end.min(self.samples.len())].to_vec();
        self
    }

    /// The clip as a 16-bit PCM WAV file.
    pub fn to_wav(&self) -> Vec<u8> {
        let data = (self.samples.len() * 2) as u32;
        let block = self.channels * 2;
        let mut v = Vec::with_capacity(44 + data as usize);
        v.extend(b"RIFF");
        v.extend((36 + data).to_le_bytes());
        v.extend(b"WAVEfmt ");
        v.extend(16u32.to_le_bytes());
        v.extend(1u16.to_le_bytes());
        v.extend(self.channels.to_le_bytes());
        v.extend(self.rate.to_le_bytes());
        v.extend((self.rate * u32::from(block)).to_le_bytes());
        v.extend(block.to_le_bytes());
        v.extend(16u16.to_le_bytes());
        v.extend(b"data");
        v.extend(data.to_le_bytes());
        v.extend(self.samples.iter().flat_map(|s| s.to_le_bytes()));
        v
    }

    /// The samples at `volume` (0..=100 %), little-endian, as ALSA's
    /// S16_LE wants them.
    pub fn bytes_at(&self, volume: u8) -> Vec<u8> {
        let v = i32::from(volume.min(100));
        self.samples
            .iter()
            .flat_map(|&s| ((i32::from(s) * v / 100) as i16).to_le_bytes())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, samples: &[i16], data_size: Option<u32>) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        v.extend(16u32.to_le_bytes());
        v.extend(1u16.to_le_bytes());
        v.extend(1u16.to_le_bytes());
        v.extend(rate.to_le_bytes());
        v.extend((rate * 2).to_le_bytes());
        v.extend(2u16.to_le_bytes());
        v.extend(16u16.to_le_bytes());
        v.extend(b"data");
        v.extend(data_size.unwrap_or(samples.len() as u32 * 2).to_le_bytes());
        v.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        v
    }

    #[test]
    fn reads_pcm_and_scales_the_volume() {
        let c = Clip::parse(&wav(22050, &[1000, -2000, 3000], None)).unwrap();
        assert_eq!((c.rate, c.channels, c.samples.len()), (22050, 1, 3));
        assert_eq!(c.peak(), 3000);
        assert_eq!(c.bytes_at(50), [244, 1, 24, 252, 220, 5]);
        // espeak-ng's streaming header: a data size of 0 or past the end.
        for size in [0, u32::MAX] {
            let c = Clip::parse(&wav(22050, &[5, 6], Some(size))).unwrap();
            assert_eq!(c.samples, [5, 6]);
        }
    }

    #[test]
    fn trimming_keeps_the_words_and_a_margin_and_writes_back() {
        let mut samples = vec![0i16; 1000];
        samples.extend([4000, -4000, 2000]);
        samples.extend(vec![10i16; 1000]);
        let c = Clip::parse(&wav(10_000, &samples, None))
            .unwrap()
            .trimmed(10);
        // 10 ms at 10 kHz: 100 samples either side of the three loud ones.
        assert_eq!(c.samples.len(), 203);
        assert_eq!(c.samples[100..103], [4000, -4000, 2000]);
        assert_eq!(Clip::parse(&c.to_wav()).unwrap(), c);
        let silent = Clip::parse(&wav(10_000, &[0; 50], None)).unwrap();
        assert_eq!(silent.clone().trimmed(10), silent);
    }

    #[test]
    fn refuses_what_is_not_a_phrase() {
        assert_eq!(Clip::parse(b"RIFF"), Err("not a WAV file"));
        let mut bad = wav(22050, &[1], None);
        bad[20] = 3; // IEEE float
        assert_eq!(Clip::parse(&bad), Err("not 16-bit PCM"));
        let mut fast = wav(22050, &[1], None);
        fast[24..28].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert_eq!(Clip::parse(&fast), Err("impossible channels or rate"));
        let header_only = &wav(22050, &[], None)[..36];
        assert_eq!(Clip::parse(header_only), Err("no data chunk"));
        // A chunk size that points past the end stops the walk.
        let mut huge = b"RIFF\0\0\0\0WAVEjunk".to_vec();
        huge.extend(u32::MAX.to_le_bytes());
        assert_eq!(Clip::parse(&huge), Err("no data chunk"));
    }
}
