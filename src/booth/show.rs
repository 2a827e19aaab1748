//! Putting the session's state on the screen: the still screens (attract,
//! one moment, review, printing, done, trouble) are drawn once when the
//! state is entered; the framing screen is drawn every frame by the loop.

use super::screens::View;
use super::{Booth, BoothError, LANGUAGE_CYCLE_MS};
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
        let state = self.session.state();
        let name = state.name();
        if matches!(state, State::Idle) {
            // The language changes only as the attract screen is redrawn:
            // the one a press keeps is always the one on the screen.
            let languages = &self.settings.languages;
            self.lang = languages.at(now.saturating_sub(self.entered), LANGUAGE_CYCLE_MS);
        }
        // A still screen is drawn again when the state, the language or
        // the credit (the payment screen's figures) changes.
        let drawn = (name, self.lang, self.credit());
        if !state.viewfinder_live() && self.still_drawn != Some(drawn) {
            self.draw_still_screen(now);
            self.still_drawn = Some(drawn);
        } else if let Some(progress) = self.progress(now) {
            self.screens.progress(&mut self.fb, progress);
        }
        self.flush()?;
        Ok(changed)
    }

    /// How far the engine or the printer has got, as far as the booth can
    /// tell: neither reports its progress, so the bar moves with the time
    /// the last photo took (the printer: a typical dye-sub sheet), slowing
    /// as it nears the end rather than stopping full.
    fn progress(&self, now: Millis) -> Option<f32> {
        let expected = match self.session.state() {
            State::Capture | State::Processing => self.processing_ms,
            State::Printing => PRINT_MS,
            _ => return None,
        };
        let t = now.saturating_sub(self.entered) as f32 / expected.max(1) as f32;
        Some(1.0 - (-1.5 * t).exp())
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
        self.note_carried_credit(self.last_state, name);
        if self.last_state == "processing" {
            // The next bar's pace: mostly the last photo's time.
            let took = now.saturating_sub(self.entered);
            self.processing_ms = (self.processing_ms * 3 + took * 7) / 10;
        }
        if name == "idle" {
            self.lang = self.settings.languages.first();
        }
        self.last_state = name;
        self.entered = now;
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
    /// printed only (the operator sees why in the log). On a booth that
    /// hands out files only, the file is what was paid for: its price is
    /// taken once it is on offer, and not if it could not be made.
    fn offer_to_phone(&mut self) {
        let (Some(phone), Some(photo)) = (self.phone.as_mut(), self.photo.as_ref()) else {
            return;
        };
        if self.record.accepted != Some(true) {
            return;
        }
        let files_only = !phone.prints();
        match phone.offer(photo, self.settings.spec.dpi) {
            Ok(_) if files_only => self.take_price(),
            Ok(_) => {}
            Err(e) => {
                eprintln!("phone: {e}");
                if files_only {
                    self.give_back_price();
                }
            }
        }
    }

    /// What a press does to an accepted photo: print it, or (a booth that
    /// hands out files only) send it to the phone.
    pub(super) fn confirm_prompt(&self) -> Prompt {
        if self.phone.as_ref().is_some_and(|p| !p.prints()) {
            Prompt::PressForFile
        } else {
            Prompt::PressToPrint
        }
    }

    fn draw_still_screen(&mut self, now: Millis) {
        let lang = self.lang;
        let progress = self.progress(now).unwrap_or(0.0);
        let spec = &self.settings.spec;
        let payment = self.settings.payment.as_ref();
        // The attract screen shows credit left by an earlier customer (or
        // held from before a restart) beside the price, in figures that
        // need no language: "6.00 EUR - 2.00".
        let credit = self.credit();
        let price = payment.map(|p| match credit.0 {
            0 => p.price.show(p.price.amount),
            _ => format!("{} - {credit}", p.price.show(p.price.amount)),
        });
        let (due, paid) = match payment {
            Some(p) => (
                p.price.show(credit.short_of(p.price.amount)),
                (credit.0 > 0).then(|| p.price.show(credit)),
            ),
            None => (String::new(), None),
        };
        let view = match self.session.state() {
            State::Idle => View::Attract {
                caption: &spec.caption,
                size_mm: (spec.width_mm, spec.height_mm),
                price: price.as_deref(),
                languages: self.settings.languages.as_slice(),
            },
            State::Payment { ready } => View::Payment {
                ready: *ready,
                due: &due,
                paid: paid.as_deref(),
            },
            State::Capture | State::Processing => View::Processing { progress },
            State::Review { accepted } => View::Review {
                photo: self.photo.as_ref(),
                accepted: *accepted,
                reason: self.record.reason,
                confirm: self.confirm_prompt(),
            },
            State::Printing => View::Printing { progress },
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
        self.screens.draw(&mut self.fb, &view, lang);
    }
}

/// What a sheet takes to come out of a booth's photo printer, for the
/// progress bar (a dye-sub 4 x 6 in: about a minute with its passes).
const PRINT_MS: Millis = 40_000;
