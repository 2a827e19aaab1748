//! What the booth says, and when: the instruction on the screen is spoken
//! as it appears; a new one cuts off the old; the same words are not said
//! again within a few seconds (a guide that flickers between two prompts
//! does not chatter), and while an instruction stays it is repeated at that
//! pace for someone who missed it. Pure: the time is passed in.

use super::language::Language;
use super::prompts::{Prompt, reason_text};
use crate::checks::Reason;
use crate::clock::Millis;

/// Something the booth can say: an instruction, or why a photo failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phrase {
    /// An instruction.
    Prompt(Prompt),
    /// A rejection's reason.
    Reason(Reason),
}

impl Phrase {
    /// Every phrase.
    pub fn all() -> impl Iterator<Item = Phrase> {
        Prompt::ALL
            .into_iter()
            .map(Phrase::Prompt)
            .chain(Reason::ALL.into_iter().map(Phrase::Reason))
    }

    /// Its name in the tables, and its sound file's.
    pub fn key(self) -> &'static str {
        match self {
            Phrase::Prompt(p) => p.key(),
            Phrase::Reason(r) => r.code(),
        }
    }

    /// Its words in `lang`.
    pub fn text(self, lang: Language) -> &'static str {
        match self {
            Phrase::Prompt(p) => p.text(lang),
            Phrase::Reason(r) => reason_text(r, lang),
        }
    }

    /// The file name of its recording in `lang`: `de-hold_still.wav`.
    pub fn file_name(self, lang: Language) -> String {
        format!("{}-{}.wav", lang.code(), self.key())
    }
}

/// What the speaker should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utterance {
    /// Say this, cutting off whatever plays.
    Say(Phrase),
    /// Fall silent: what plays is no longer the instruction.
    Hush,
}

/// How the booth's voice behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoicePace {
    /// The same words are not said again sooner than this.
    pub repeat_ms: Millis,
}

impl Default for VoicePace {
    fn default() -> Self {
        Self { repeat_ms: 6000 }
    }
}

/// Decides, turn by turn, what is said.
#[derive(Debug, Clone)]
pub struct Announcer {
    pace: VoicePace,
    /// The instruction now showing, and whether it is spoken again while it
    /// stays.
    current: Option<(Phrase, bool)>,
    /// When each phrase was last said (a handful: a session uses few).
    said: Vec<(Phrase, Millis)>,
}

impl Announcer {
    /// A quiet announcer.
    pub fn new(pace: VoicePace) -> Self {
        Self {
            pace,
            current: None,
            said: Vec::with_capacity(16),
        }
    }

    fn last_said(&self, p: Phrase) -> Option<Millis> {
        self.said.iter().find(|(q, _)| *q == p).map(|&(_, t)| t)
    }

    fn recently(&self, p: Phrase, now: Millis) -> bool {
        self.last_said(p)
            .is_some_and(|t| now.saturating_sub(t) < self.pace.repeat_ms)
    }

    fn say(&mut self, p: Phrase, now: Millis) -> Option<Utterance> {
        match self.said.iter_mut().find(|(q, _)| *q == p) {
            Some(entry) => entry.1 = now,
            None => self.said.push((p, now)),
        }
        Some(Utterance::Say(p))
    }

    /// The screen shows `phrase` at `now` (none: nothing to say, e.g. the
    /// attract screen); `again` says whether it is repeated while it stays
    /// (an instruction to the customer, not a call for staff).
    pub fn hear(&mut self, phrase: Option<Phrase>, again: bool, now: Millis) -> Option<Utterance> {
        let before = self.current.map(|(p, _)| p);
        self.current = phrase.map(|p| (p, again));
        let p = phrase?;
        if before != Some(p) {
            // A new instruction: said now, unless it was said a moment ago
            // (then the old one, now wrong, is cut off).
            if self.recently(p, now) {
                return before.map(|_| Utterance::Hush);
            }
            return self.say(p, now);
        }
        if again && !self.recently(p, now) {
            return self.say(p, now);
        }
        None
    }

    /// Forgets everything said: the next customer hears every phrase anew.
    pub fn reset(&mut self) {
        self.current = None;
        self.said.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEFT: Phrase = Phrase::Prompt(Prompt::MoveLeft);
    const STILL: Phrase = Phrase::Prompt(Prompt::HoldStill);

    fn run(a: &mut Announcer, script: &[(Millis, Option<Phrase>)]) -> Vec<(Millis, Utterance)> {
        script
            .iter()
            .filter_map(|&(t, p)| a.hear(p, true, t).map(|u| (t, u)))
            .collect()
    }

    #[test]
    fn a_new_instruction_is_said_at_once_and_repeated_only_every_few_seconds() {
        let mut a = Announcer::new(VoicePace { repeat_ms: 6000 });
        let script: Vec<_> = (0..=130).map(|i| (i * 100, Some(LEFT))).collect();
        assert_eq!(
            run(&mut a, &script),
            [
                (0, Utterance::Say(LEFT)),
                (6000, Utterance::Say(LEFT)),
                (12_000, Utterance::Say(LEFT))
            ]
        );
    }

    #[test]
    fn a_change_interrupts_and_a_flicker_does_not_chatter() {
        let mut a = Announcer::new(VoicePace::default());
        let said = run(
            &mut a,
            &[
                (0, Some(LEFT)),
                (1000, Some(STILL)),
                // Back to the first within the pace: the stale "hold still"
                // is cut off, "left" is not said twice in a row.
                (1100, Some(LEFT)),
                (1200, Some(STILL)),
                (1300, None),
                (7000, Some(STILL)),
            ],
        );
        assert_eq!(
            said,
            [
                (0, Utterance::Say(LEFT)),
                (1000, Utterance::Say(STILL)),
                (1100, Utterance::Hush),
                (1200, Utterance::Hush),
                (7000, Utterance::Say(STILL)),
            ]
        );
    }

    #[test]
    fn a_call_for_staff_is_said_once_and_a_new_customer_hears_everything_anew() {
        let mut a = Announcer::new(VoicePace::default());
        let staff = Phrase::Prompt(Prompt::OutOfPaper);
        let said: Vec<_> = (0..200)
            .filter_map(|i| a.hear(Some(staff), false, i * 100))
            .collect();
        assert_eq!(said, [Utterance::Say(staff)]);
        assert_eq!(a.hear(Some(LEFT), true, 20_000), Some(Utterance::Say(LEFT)));
        a.reset();
        assert_eq!(a.hear(Some(LEFT), true, 20_100), Some(Utterance::Say(LEFT)));
    }

    #[test]
    fn every_phrase_has_its_own_file() {
        let names: std::collections::HashSet<_> =
            Phrase::all().map(|p| p.file_name(Language::Uk)).collect();
        assert_eq!(names.len(), Prompt::ALL.len() + Reason::ALL.len());
        assert_eq!(STILL.file_name(Language::De), "de-hold_still.wav");
    }
}
