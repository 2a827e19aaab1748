//! A person at the booth, scripted: the demo, the tests and the soak all
//! walk the same person through a session, on a virtual clock that stands
//! still while the engine or the printer works (so no time-out fires on a
//! slow machine).

use super::{Booth, BoothError};
use crate::capture::FrameSource;
use crate::clock::Millis;
use crate::display::Screen;
use crate::input::Press;
use crate::session::guide::{Overlay, Signal};
use crate::session::machine::State;
use crate::session::prompts::Prompt;
use crate::vision::live::{LiveDetector, ScriptedDetector, Sight};

/// Virtual time per loop turn (10 frames a second).
pub const STEP_MS: Millis = 100;
/// Real time a turn waits while the engine or the printer works.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_millis(2);
/// Turns of waiting allowed per turn of virtual time before [`play`] gives
/// up (a job that never returns).
const WAITS_PER_TURN: u64 = 50;

/// Someone who walks up on a given turn, presses when the screen turns
/// green, confirms the review once and, if in a hurry, presses the "done"
/// screen away.
#[derive(Debug, Clone)]
pub struct Person {
    walks_up_on: u64,
    hurries: bool,
    reviewed: bool,
}

impl Default for Person {
    fn default() -> Self {
        Self::new()
    }
}

impl Person {
    /// Walks up on the first turn and lets the "done" screen time out.
    pub fn new() -> Self {
        Self {
            walks_up_on: 1,
            hurries: false,
            reviewed: false,
        }
    }

    /// Walks up on turn `turn` instead (the demo lets the attract screen
    /// show for a turn).
    pub fn walking_up_on(mut self, turn: u64) -> Self {
        self.walks_up_on = turn;
        self
    }

    /// Presses the "done" screen away instead of waiting for it.
    pub fn in_a_hurry(mut self) -> Self {
        self.hurries = true;
        self
    }

    /// Whether the review was confirmed.
    pub fn reviewed(&self) -> bool {
        self.reviewed
    }

    /// What the person presses on turn `turn`, seeing `state` and the live
    /// instruction.
    pub fn press(
        &mut self,
        state: &State,
        live: Option<(Signal, Prompt)>,
        turn: u64,
        busy: bool,
    ) -> Option<Press> {
        match state {
            State::Idle if turn == self.walks_up_on && !busy => Some(Press::Short),
            State::Framing if matches!(live, Some((Signal::Green, _))) => Some(Press::Short),
            State::Review { .. } if !self.reviewed => {
                self.reviewed = true;
                Some(Press::Short)
            }
            State::Done if self.hurries => Some(Press::Short),
            _ => None,
        }
    }
}

/// Plays turns of the booth with `person` pressing, the clock at `now`
/// advancing [`STEP_MS`] a turn except while the booth is busy, for at most
/// `max_turns` turns of virtual time. After every turn `after` sees the
/// booth and whether its state changed, and ends the play by returning
/// true. Returns the turns played.
pub fn play<C: FrameSource, S: Screen, D: LiveDetector>(
    booth: &mut Booth<C, S, D>,
    person: &mut Person,
    now: &mut Millis,
    max_turns: u64,
    mut after: impl FnMut(&Booth<C, S, D>, bool) -> Result<bool, BoothError>,
) -> Result<u64, BoothError> {
    let mut turn = 0;
    for _ in 0..max_turns.saturating_mul(WAITS_PER_TURN) {
        if booth.busy() {
            std::thread::sleep(BUSY_WAIT);
        } else {
            *now += STEP_MS;
            turn += 1;
        }
        if turn > max_turns {
            break;
        }
        let press = person.press(booth.state(), booth.live(), turn, booth.busy());
        let changed = booth.step(*now, press)?;
        if after(booth, changed)? {
            break;
        }
    }
    Ok(turn)
}

/// Frames each stage of [`stepping_in`] lasts (as each demo scene).
pub const FRAMES_PER_STAGE: usize = 6;

/// What a detector sees as someone steps in front of a viewfinder with
/// `overlay`: nobody, then a face off to one side, then the face where the
/// overlay wants it, eyes open, held.
pub fn stepping_in(overlay: &Overlay) -> ScriptedDetector {
    let framed = overlay.framed_face();
    let aside = framed.map(|p| crate::vision::Point::new(p.x - overlay.head_px, p.y));
    let mut script = vec![Sight::nobody(); FRAMES_PER_STAGE];
    script.extend(vec![Sight::face(aside); FRAMES_PER_STAGE]);
    script.push(Sight::face(framed));
    ScriptedDetector::new(script)
}
