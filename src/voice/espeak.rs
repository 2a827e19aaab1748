//! Rendering a phrase to a WAV file with espeak-ng: on the build machine
//! when the package is made (and by developers), never on a booth at run
//! time, and never through a network voice.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Clip;

/// Words per minute: a little slower than espeak-ng's 175, for a
/// stranger in a booth.
pub const WORDS_PER_MINUTE: u32 = 150;

/// Why a phrase could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// espeak-ng is not installed.
    #[error("cannot run {program} (install the Debian package espeak-ng)")]
    Missing {
        /// What was run.
        program: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// espeak-ng failed.
    #[error("espeak-ng -v {voice} failed for \"{text}\": {stderr}")]
    Failed {
        /// The voice.
        voice: String,
        /// The words.
        text: String,
        /// What it said.
        stderr: String,
    },
}

/// Speaks `text` with espeak-ng's `voice` into the WAV file `out`.
pub fn render(program: &Path, voice: &str, text: &str, out: &Path) -> Result<(), RenderError> {
    let run = Command::new(program)
        .arg("-v")
        .arg(voice)
        .arg("-s")
        .arg(WORDS_PER_MINUTE.to_string())
        .arg("-w")
        .arg(out)
        .arg("--")
        .arg(text)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| RenderError::Missing {
            program: program.to_path_buf(),
            source,
        })?;
    let stderr = String::from_utf8_lossy(&run.stderr).trim().to_owned();
    // espeak-ng exits 0 and writes nothing for an unknown voice: its
    // complaint is the sign.
    let failed = |stderr: String| RenderError::Failed {
        voice: voice.into(),
        text: text.into(),
        stderr,
    };
    if !run.status.success() || !stderr.is_empty() || !out.exists() {
        return Err(failed(stderr));
    }
    // The silence around the words goes: the voice starts with the screen.
    let clip = Clip::load(out).map_err(|e| failed(e.to_string()))?;
    std::fs::write(out, clip.trimmed(MARGIN_MS).to_wav()).map_err(|e| failed(e.to_string()))
}

/// Silence kept before and after the words.
const MARGIN_MS: u32 = 40;
