//! `passbooth voice`: the spoken guidance's recordings. `render` makes them
//! with espeak-ng from the prompt tables (the package build does this);
//! `check` says whether every phrase of every language is there and
//! playable; `say` plays one through a device (is the speaker on?).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use super::outln;
use crate::booth::speech::render_all;
use crate::config::assets::{Asset, locate};
use crate::session::announcer::Phrase;
use crate::session::prompts::Language;
use crate::voice::{AplayPlayer, Clip, Speaker};

/// What `passbooth voice` does.
#[derive(Debug, Subcommand)]
pub enum VoiceCommand {
    /// Render every phrase of the languages with espeak-ng into a folder.
    Render {
        /// The folder (default: the checkout's .voice).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Languages (default: all).
        #[arg(long, value_delimiter = ',', value_parser = super::parse_lang)]
        lang: Vec<Language>,
        /// The espeak-ng program.
        #[arg(long, default_value = "espeak-ng")]
        espeak: PathBuf,
    },
    /// Check that every phrase of the languages is recorded and playable.
    Check {
        /// The folder (default: the installed or checkout's recordings).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Languages (default: all).
        #[arg(long, value_delimiter = ',', value_parser = super::parse_lang)]
        lang: Vec<Language>,
    },
    /// Play one phrase (its key, e.g. step_in) through an ALSA device.
    Say {
        /// The phrase's key in the prompt tables.
        key: String,
        /// Its language.
        #[arg(long, default_value = "en", value_parser = super::parse_lang)]
        lang: Language,
        /// The ALSA device.
        #[arg(long, default_value = "default", value_parser = crate::voice::AlsaDevice::parse)]
        device: crate::voice::AlsaDevice,
        /// Loudness, 0-100 %.
        #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u8).range(0..=100))]
        volume: u8,
        /// The folder (default: the installed or checkout's recordings).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

fn languages(asked: &[Language]) -> &[Language] {
    if asked.is_empty() {
        &Language::ALL
    } else {
        asked
    }
}

pub(super) fn run(cmd: VoiceCommand) -> anyhow::Result<u8> {
    match cmd {
        VoiceCommand::Render { out, lang, espeak } => {
            let dir = out.unwrap_or_else(|| locate(Asset::Voice, None));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let n = render_all(&espeak, &dir, languages(&lang))?;
            outln!("voice: {n} phrases rendered into {}", dir.display())?;
            Ok(0)
        }
        VoiceCommand::Check { dir, lang } => {
            let dir = locate(Asset::Voice, dir.as_deref());
            let problems = check(&dir, languages(&lang));
            for p in &problems {
                outln!("{p}")?;
            }
            let total = languages(&lang).len() * Phrase::all().count();
            outln!(
                "voice: {} of {total} phrases playable in {}",
                total - problems.len(),
                dir.display()
            )?;
            Ok(u8::from(!problems.is_empty()))
        }
        VoiceCommand::Say {
            key,
            lang,
            device,
            volume,
            dir,
        } => {
            let phrase = Phrase::all()
                .find(|p| p.key() == key)
                .with_context(|| format!("no phrase '{key}' (see prompts/en.toml)"))?;
            let dir = locate(Asset::Voice, dir.as_deref());
            let clip = Clip::load(&dir.join(phrase.file_name(lang)))?;
            let mut player = AplayPlayer::new(&device, volume);
            player.play(&clip);
            player.finish();
            outln!(
                "voice: \"{}\" ({:.1} s) on {device}",
                phrase.text(lang),
                clip.seconds()
            )?;
            Ok(0)
        }
    }
}

/// Every phrase of `languages` missing from `dir` or not playable, one
/// line each.
pub(crate) fn check(dir: &Path, languages: &[Language]) -> Vec<String> {
    let mut problems = Vec::new();
    for &lang in languages {
        for phrase in Phrase::all() {
            match Clip::load(&dir.join(phrase.file_name(lang))) {
                Ok(c) if c.peak() > 0 => {}
                Ok(_) => problems.push(format!("{}: silent", phrase.file_name(lang))),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    problems
}
