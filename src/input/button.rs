//! The booth's one big button: debounce and press classification as pure
//! code over timestamped edges, so every bounce pattern is a unit test and
//! the GPIO layer only reports edges.

use crate::clock::Millis;

/// A level change reported by the GPIO line (after active-low inversion:
/// `pressed == true` means the button is down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// When the kernel saw it.
    pub at: Millis,
    /// The new level.
    pub pressed: bool,
}

/// What a person did with the button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Pressed and released: go / confirm.
    Short,
    /// Held past the long-press time: cancel / retake. Reported when the
    /// time is reached, not on release, so the screen answers at once.
    Long,
    /// Held far longer than anyone would (a jammed or shorted button):
    /// reported once so the booth can ignore the button and call staff.
    Stuck,
}

/// Timing of the classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonTiming {
    /// A level must hold this long to count (contact bounce is shorter).
    pub debounce_ms: Millis,
    /// Held this long is a long press.
    pub long_ms: Millis,
    /// Held this long is a stuck button.
    pub stuck_ms: Millis,
}

impl Default for ButtonTiming {
    /// 30 ms debounce (arcade buttons bounce 1-10 ms), 1 s long press,
    /// 15 s stuck.
    fn default() -> Self {
        Self {
            debounce_ms: 30,
            long_ms: 1000,
            stuck_ms: 15_000,
        }
    }
}

/// Debounces edges and classifies presses. Feed it every edge and a tick
/// now and then (for long and stuck presses, which happen while nothing
/// changes).
#[derive(Debug, Clone)]
pub struct Button {
    timing: ButtonTiming,
    /// Raw level and when it last changed.
    raw: bool,
    raw_since: Millis,
    /// Debounced level and when it became so.
    stable: bool,
    stable_since: Millis,
    /// What the current hold has already reported.
    reported_long: bool,
    reported_stuck: bool,
}

impl Button {
    /// A released button at time `now`.
    pub fn new(timing: ButtonTiming, now: Millis) -> Self {
        Self {
            timing,
            raw: false,
            raw_since: now,
            stable: false,
            stable_since: now,
            reported_long: false,
            reported_stuck: false,
        }
    }

    /// Whether the debounced level is pressed.
    pub fn is_down(&self) -> bool {
        self.stable
    }

    /// Takes an edge; returns a press if one completed.
    pub fn edge(&mut self, e: Edge) -> Option<Press> {
        let out = self.tick(e.at);
        if e.pressed != self.raw {
            self.raw = e.pressed;
            self.raw_since = e.at;
        }
        out
    }

    /// Advances time; returns a press if one completed by `now`.
    pub fn tick(&mut self, now: Millis) -> Option<Press> {
        // A raw level that held for the debounce time becomes the level.
        if self.raw != self.stable && now.saturating_sub(self.raw_since) >= self.timing.debounce_ms
        {
            self.stable = self.raw;
            self.stable_since = self.raw_since;
            if !self.stable {
                // Released: a short press unless the hold already reported.
                let was_long = self.reported_long || self.reported_stuck;
                self.reported_long = false;
                self.reported_stuck = false;
                if !was_long {
                    return Some(Press::Short);
                }
            }
        }
        if self.stable {
            let held = now.saturating_sub(self.stable_since);
            if held >= self.timing.stuck_ms && !self.reported_stuck {
                self.reported_stuck = true;
                return Some(Press::Stuck);
            }
            if held >= self.timing.long_ms && !self.reported_long {
                self.reported_long = true;
                return Some(Press::Long);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds (time, level) edges, then ticks every 10 ms up to `until`,
    /// collecting presses with the time they were reported.
    fn run(edges: &[(Millis, bool)], until: Millis) -> Vec<(Millis, Press)> {
        let mut b = Button::new(ButtonTiming::default(), 0);
        let mut out = Vec::new();
        let mut next = edges.iter().peekable();
        let mut t = 0;
        while t <= until {
            while let Some(&&(at, pressed)) = next.peek() {
                if at > t {
                    break;
                }
                if let Some(p) = b.edge(Edge { at, pressed }) {
                    out.push((at, p));
                }
                next.next();
            }
            if let Some(p) = b.tick(t) {
                out.push((t, p));
            }
            t += 10;
        }
        out
    }

    #[test]
    fn a_clean_press_is_short() {
        assert_eq!(
            run(&[(100, true), (300, false)], 1000),
            [(330, Press::Short)]
        );
    }

    #[test]
    fn bounces_on_press_and_release_make_one_short_press() {
        let bouncy = [
            (100, true),
            (102, false),
            (104, true),
            (107, false),
            (109, true),
            (400, false),
            (403, true),
            (405, false),
        ];
        let presses = run(&bouncy, 2000);
        assert_eq!(presses.len(), 1, "{presses:?}");
        assert_eq!(presses[0].1, Press::Short);
    }

    #[test]
    fn a_glitch_shorter_than_the_debounce_is_ignored() {
        assert!(run(&[(100, true), (120, false)], 2000).is_empty());
    }

    #[test]
    fn holding_gives_a_long_press_at_one_second_and_nothing_on_release() {
        let presses = run(&[(100, true), (2500, false)], 4000);
        assert_eq!(presses, [(1100, Press::Long)]);
    }

    #[test]
    fn a_stuck_button_reports_long_then_stuck_once() {
        let presses = run(&[(0, true)], 40_000);
        assert_eq!(presses, [(1000, Press::Long), (15_000, Press::Stuck)]);
    }

    #[test]
    fn after_a_stuck_button_is_freed_it_works_again() {
        let presses = run(
            &[(0, true), (20_000, false), (21_000, true), (21_200, false)],
            23_000,
        );
        assert_eq!(presses.last(), Some(&(21_230, Press::Short)));
    }
}
