//! Playing a phrase through ALSA. Each phrase goes to its own `aplay`
//! (alsa-utils) as raw samples on its standard input, at the booth's
//! volume; a new phrase kills the one still playing, so the booth never
//! talks over itself and the loop never waits for sound.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

use super::clip::Clip;
use super::device::AlsaDevice;

/// The hardware boundary of speech: what the booth asks of a speaker.
pub trait Speaker {
    /// Starts `clip` now, cutting off whatever is playing.
    fn play(&mut self, clip: &Clip);
    /// Stops whatever is playing.
    fn stop(&mut self);
}

/// A speaker that is an ALSA PCM device, through `aplay`.
#[derive(Debug)]
pub struct AplayPlayer {
    device: AlsaDevice,
    volume: u8,
    program: PathBuf,
    /// An ALSA configuration of its own (`ALSA_CONFIG_PATH`), for a device
    /// the system's configuration does not define.
    alsa_config: Option<PathBuf>,
    playing: Option<(Child, JoinHandle<()>)>,
    /// Whether a failure to start was reported (once, not every phrase).
    complained: bool,
}

impl AplayPlayer {
    /// Plays on ALSA `device` ("default", "plughw:1,0") at `volume` %.
    pub fn new(device: &AlsaDevice, volume: u8) -> Self {
        Self {
            device: device.clone(),
            volume: volume.min(100),
            program: PathBuf::from("aplay"),
            alsa_config: None,
            playing: None,
            complained: false,
        }
    }

    /// Reads the ALSA configuration from `path` instead of the system's.
    pub fn with_alsa_config(mut self, path: &Path) -> Self {
        self.alsa_config = Some(path.to_path_buf());
        self
    }

    /// Waits for the phrase playing now to end (tests, and shutdown).
    pub fn finish(&mut self) {
        if let Some((mut child, writer)) = self.playing.take() {
            let _ = writer.join();
            let _ = child.wait();
        }
    }

    fn start(&mut self, clip: &Clip) -> std::io::Result<()> {
        let mut cmd = Command::new(&self.program);
        cmd.args([
            "-q",
            "-D",
            self.device.as_str(),
            "-t",
            "raw",
            "-f",
            "S16_LE",
        ])
        .arg("-r")
        .arg(clip.rate.to_string())
        .arg("-c")
        .arg(clip.channels.to_string())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        if let Some(c) = &self.alsa_config {
            cmd.env("ALSA_CONFIG_PATH", c);
        }
        let mut child = cmd.spawn()?;
        let Some(mut stdin) = child.stdin.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("aplay has no standard input"));
        };
        let bytes = clip.bytes_at(self.volume);
        // A phrase is longer than a pipe holds: a thread feeds it, and ends
        // with a broken pipe when the phrase is cut off.
        let writer = std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || {
                let _ = stdin.write_all(&bytes);
            })?;
        self.playing = Some((child, writer));
        Ok(())
    }
}

impl Speaker for AplayPlayer {
    fn play(&mut self, clip: &Clip) {
        self.stop();
        if self.volume == 0 {
            return;
        }
        if let Err(e) = self.start(clip)
            && !std::mem::replace(&mut self.complained, true)
        {
            eprintln!(
                "voice: cannot play through {} on {}: {e}",
                self.program.display(),
                self.device
            );
        }
    }

    fn stop(&mut self) {
        if let Some((mut child, writer)) = self.playing.take() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = writer.join();
        }
    }
}

impl Drop for AplayPlayer {
    fn drop(&mut self) {
        self.stop();
    }
}
