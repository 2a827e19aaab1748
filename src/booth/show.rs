//! Putting the session's state on the screen: the still screens (attract,
//! one moment, review, printing, done, trouble) are drawn once when the
//! state is entered; the framing screen is drawn every frame by the loop.

use super::screens::{View, draw};
use super::{Booth, BoothError};
use crate::capture::FrameSource;
use crate::clock::Millis;
use crate::display::Screen;
use crate::session::machine::State;
use crate::session::prompts::Prompt;
use crate::vision::live::LiveDetector;

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// Records a state change and puts the current screen on the panel.
    pub(super) fn show(&mut self, now: Millis) -> Result<bool, BoothError> {
        let changed = self.note_state(now);
        let name = self.session.state().name();
        if !self.session.state().viewfinder_live() && self.still_drawn != Some(name) {
            self.draw_still_screen();
            self.still_drawn = Some(name);
        }
        self.flush()?;
        Ok(changed)
    }

    /// Sends the framebuffer's changed rows to the screen.
    pub(super) fn flush(&mut self) -> Result<(), BoothError> {
        self.screen
            .flush(&mut self.fb)
            .map_err(|e| BoothError::Screen(format!("{e:?}")))
    }

    fn note_state(&mut self, now: Millis) -> bool {
        let name = self.session.state().name();
        if name == self.last_state {
            return false;
        }
        if (self.last_state, name) == ("idle", "framing") {
            self.count(|c| c.sessions += 1);
        }
        self.last_state = name;
        self.record.states.push((now, name));
        eprintln!("state={name}");
        // The session's data is wiped as the print comes out; the file on
        // offer to a phone is kept, in locked memory, only while "done"
        // shows its code, and wiped when the session leaves it.
        if name == "done" {
            self.offer_to_phone();
        } else {
            self.withdraw_from_phone();
        }
        true
    }

    /// Wipes the file on offer to a phone, if any, counting what was sent.
    pub(super) fn withdraw_from_phone(&mut self) {
        if let Some(sent) = self.phone.as_mut().map(super::Phone::withdraw)
            && sent > 0
        {
            self.count(|c| c.phone_sends += sent);
        }
    }

    /// Puts the session's accepted photo on offer to the customer's phone,
    /// if the booth offers that; a photo no file can be made of stays
    /// printed only (the operator sees why in the log).
    fn offer_to_phone(&mut self) {
        let (Some(phone), Some(photo)) = (self.phone.as_mut(), self.photo.as_ref()) else {
            return;
        };
        if self.record.accepted != Some(true) {
            return;
        }
        if let Err(e) = phone.offer(photo, self.settings.spec.dpi) {
            eprintln!("phone: {e}");
        }
    }

    fn draw_still_screen(&mut self) {
        let lang = self.settings.lang;
        let view = match self.session.state() {
            State::Idle => View::Attract {
                caption: &self.settings.spec.caption,
            },
            State::Capture | State::Processing => View::Processing,
            State::Review { accepted } => View::Review {
                photo: self.photo.as_ref(),
                accepted: *accepted,
                reason: self.record.reason,
                confirm: if self.phone.as_ref().is_some_and(|p| !p.prints()) {
                    Prompt::PressForFile
                } else {
                    Prompt::PressToPrint
                },
            },
            State::Printing => View::Printing,
            State::Done => match self.phone.as_ref().and_then(|p| Some((p, p.link()?))) {
                Some((phone, link)) => View::Handoff {
                    link,
                    join: phone.wifi_join(),
                    printed: phone.prints(),
                },
                None => View::Done,
            },
            State::Trouble(trouble) => View::Trouble {
                prompt: Prompt::for_trouble(*trouble),
            },
            State::Framing | State::Countdown { .. } => return,
        };
        draw(&mut self.fb, &view, lang);
    }
}
