//! The booth's voice: what the screen says, spoken in the session's
//! language from the recorded phrases (`voice/<lang>-<key>.wav`), through
//! the speaker. The announcer decides when; this picks the phrase for the
//! state, finds its recording and hands it to the speaker.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Booth;
use crate::capture::FrameSource;
use crate::clock::Millis;
use crate::display::Screen;
use crate::session::announcer::{Announcer, Phrase, Utterance, VoicePace};
use crate::session::machine::State;
use crate::session::prompts::{Language, Prompt};
use crate::vision::live::LiveDetector;
use crate::voice::espeak::{self, RenderError};
use crate::voice::{Clip, Speaker};

/// The voice of a booth: its announcer, its speaker and where the
/// recordings are.
pub struct Voice {
    announcer: Announcer,
    speaker: Box<dyn Speaker + Send>,
    dir: PathBuf,
    /// Recordings read so far (a session uses a handful).
    clips: HashMap<(Language, Phrase), Clip>,
    /// Recordings that could not be read, reported once each.
    missing: Vec<(Language, Phrase)>,
}

impl std::fmt::Debug for Voice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Voice").field("dir", &self.dir).finish()
    }
}

impl Voice {
    /// Speaks through `speaker` the recordings in `dir` at `pace`.
    pub fn new(speaker: Box<dyn Speaker + Send>, dir: &Path, pace: VoicePace) -> Self {
        Self {
            announcer: Announcer::new(pace),
            speaker,
            dir: dir.to_path_buf(),
            clips: HashMap::new(),
            missing: Vec::new(),
        }
    }

    fn play(&mut self, lang: Language, phrase: Phrase) {
        let key = (lang, phrase);
        if !self.clips.contains_key(&key) {
            if self.missing.contains(&key) {
                return;
            }
            match Clip::load(&self.dir.join(phrase.file_name(lang))) {
                Ok(clip) => {
                    self.clips.insert(key, clip);
                }
                Err(e) => {
                    eprintln!("voice: {e}");
                    self.missing.push(key);
                    self.speaker.stop();
                    return;
                }
            }
        }
        if let Some(clip) = self.clips.get(&key) {
            self.speaker.play(clip);
        }
    }

    /// Hears what the screen shows at `now` and speaks if it should.
    fn hear(&mut self, lang: Language, heard: Option<(Phrase, bool)>, now: Millis) {
        match self
            .announcer
            .hear(heard.map(|h| h.0), heard.is_some_and(|h| h.1), now)
        {
            Some(Utterance::Say(p)) => self.play(lang, p),
            Some(Utterance::Hush) => self.speaker.stop(),
            None => {}
        }
    }

    /// Falls silent and forgets what was said (the session ended).
    pub fn reset(&mut self) {
        self.speaker.stop();
        self.announcer.reset();
    }
}

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// Speaks the screen's instructions through `voice`.
    pub fn with_voice(mut self, voice: Voice) -> Self {
        self.voice = Some(voice);
        self
    }

    /// What the screen says now, and whether it is repeated while it
    /// stays (instructions to the customer are; calls for staff are not).
    fn phrase_now(&self) -> Option<(Phrase, bool)> {
        let once = |p| Some((Phrase::Prompt(p), false));
        match self.session.state() {
            State::Idle => None,
            State::Framing | State::Countdown { .. } => {
                self.session.live().map(|(_, p)| (Phrase::Prompt(p), true))
            }
            State::Capture | State::Processing => once(Prompt::OneMoment),
            State::Review { accepted: true } => once(self.confirm_prompt()),
            State::Review { accepted: false } => Some((
                self.record
                    .reason
                    .map_or(Phrase::Prompt(Prompt::PressToRetake), Phrase::Reason),
                false,
            )),
            State::Payment { ready: false } => once(Prompt::OneMoment),
            State::Payment { ready: true } => once(Prompt::InsertMoney),
            State::Printing => once(Prompt::Printing),
            State::Done => once(match self.phone.as_ref() {
                Some(p) => Prompt::when_done(p.prints(), p.link().is_some()),
                None => Prompt::TakePhotos,
            }),
            State::Trouble(t) => once(Prompt::for_trouble(*t)),
        }
    }

    /// Lets the voice hear the screen (every turn, after it is drawn).
    pub(super) fn speak(&mut self, now: Millis) {
        let heard = self.phrase_now();
        let lang = self.lang;
        let Some(voice) = self.voice.as_mut() else {
            return;
        };
        if heard.is_none() {
            voice.reset();
            return;
        }
        voice.hear(lang, heard, now);
    }
}

/// Renders every phrase of `languages` with espeak-ng (`program`) into
/// `dir` as `<lang>-<key>.wav`; returns the files written.
pub fn render_all(
    program: &Path,
    dir: &Path,
    languages: &[Language],
) -> Result<usize, RenderError> {
    let book = crate::session::phrasebook::book();
    let mut n = 0;
    for &lang in languages {
        for phrase in Phrase::all() {
            let out = dir.join(phrase.file_name(lang));
            espeak::render(program, book.voice(lang), phrase.text(lang), &out)?;
            n += 1;
        }
    }
    Ok(n)
}
