//! One booth session as a pure state machine: events in (button presses,
//! live-check results, engine and printer outcomes, clock ticks), actions
//! out (start the preview, take the still, process, print, wipe). No I/O and
//! no clock of its own, so every path is a scripted test.
//!
//! Idle -> Framing -> Countdown -> Capture -> Processing -> Review ->
//! Printing -> Done -> (wipe) -> Idle, with Trouble for the printer or camera.
//! Every path out of a session wipes it, and every state has a way out.

use crate::clock::Millis;
use crate::input::Press;

use super::guide::Signal;
use super::prompts::Prompt;
pub use super::trouble::Trouble;

/// Time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Countdown length.
    pub countdown_ms: Millis,
    /// Framing with nobody in view this long ends the session.
    pub no_face_ms: Millis,
    /// Review without a press this long ends the session (nothing printed).
    pub review_ms: Millis,
    /// The "take your photos" screen.
    pub done_ms: Millis,
    /// A whole session, however it goes.
    pub session_ms: Millis,
    /// Retakes allowed in one session.
    pub max_retakes: u32,
    /// Waiting for money this long ends the session (the credit stays).
    pub payment_ms: Millis,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            countdown_ms: 3000,
            no_face_ms: 20_000,
            review_ms: 30_000,
            done_ms: 8000,
            session_ms: 300_000,
            max_retakes: 3,
            payment_ms: 120_000,
        }
    }
}

/// Where the session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Attract screen.
    Idle,
    /// Live preview with guides.
    Framing,
    /// 3-2-1.
    Countdown {
        /// When it started.
        started: Millis,
    },
    /// Waiting for the full-resolution still.
    Capture,
    /// The engine is working.
    Processing,
    /// Showing the result.
    Review {
        /// Whether it passed.
        accepted: bool,
    },
    /// An accepted photo waits for its price: first the printer is asked
    /// whether it can print (`ready` false), then the customer pays.
    Payment {
        /// The printer said it can print: money is asked for.
        ready: bool,
    },
    /// Waiting for the printer.
    Printing,
    /// "Take your photos."
    Done,
    /// Something needs staff: the printer, the camera or the button.
    Trouble(Trouble),
}

impl State {
    /// Name for the log (`state=framing`).
    pub fn name(&self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Framing => "framing",
            State::Countdown { .. } => "countdown",
            State::Capture => "capture",
            State::Processing => "processing",
            State::Review { .. } => "review",
            State::Payment { .. } => "payment",
            State::Printing => "printing",
            State::Done => "done",
            State::Trouble(_) => "trouble",
        }
    }

    /// Whether the viewfinder runs: framing or counting down (the camera
    /// streams, the guide advises, the screen shows the live picture).
    pub fn viewfinder_live(&self) -> bool {
        matches!(self, State::Framing | State::Countdown { .. })
    }
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Time passed.
    Tick(Millis),
    /// The button.
    Button(Press, Millis),
    /// A viewfinder frame was checked.
    Live {
        /// When.
        at: Millis,
        /// The guide's verdict.
        signal: Signal,
        /// Its instruction.
        prompt: Prompt,
    },
    /// The still arrived.
    Captured(Millis),
    /// The camera failed: no frames, no still, a corrupt frame, or (while
    /// idle) its periodic check.
    CaptureFailed(Millis),
    /// The still arrived damaged, or the engine could not read it: this
    /// session ends (nothing to show), the camera itself is fine.
    StillDamaged(Millis),
    /// The engine finished.
    Processed {
        /// When.
        at: Millis,
        /// Whether the photo passed.
        accepted: bool,
    },
    /// The printer finished.
    Printed(Millis),
    /// The printer failed.
    PrintFailed {
        /// When.
        at: Millis,
        /// Why.
        trouble: Trouble,
    },
    /// The printer and camera are fine again (periodic status check).
    AllClear(Millis),
    /// The printer can print (asked before payment).
    PrinterReady(Millis),
    /// The credit covers the price.
    Paid(Millis),
}

impl Event {
    fn at(&self) -> Millis {
        match self {
            Event::Tick(t)
            | Event::Button(_, t)
            | Event::Captured(t)
            | Event::CaptureFailed(t)
            | Event::StillDamaged(t)
            | Event::Printed(t)
            | Event::AllClear(t)
            | Event::PrinterReady(t)
            | Event::Paid(t) => *t,
            Event::Live { at, .. }
            | Event::Processed { at, .. }
            | Event::PrintFailed { at, .. } => *at,
        }
    }
}

/// What the hardware layer must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Start showing the viewfinder.
    StartPreview,
    /// Stop it.
    StopPreview,
    /// Take the full-resolution still.
    Capture,
    /// Run the engine on the still.
    Process,
    /// Ask the printer whether it can print (before asking for money).
    CheckPrinter,
    /// Print the composed sheet.
    Print,
    /// Zero every buffer of the session.
    Wipe,
}

/// The session.
#[derive(Debug, Clone)]
pub struct Session {
    timing: Timing,
    state: State,
    /// When the current state began.
    since: Millis,
    /// When the current session began.
    started: Millis,
    retakes: u32,
    last_live: Option<(Signal, Prompt)>,
    last_face: Millis,
    /// Whether an accepted photo is paid for before it prints.
    charging: bool,
}

impl Session {
    /// An idle booth at `now`.
    pub fn new(timing: Timing, now: Millis) -> Self {
        Self {
            timing,
            state: State::Idle,
            since: now,
            started: now,
            retakes: 0,
            last_live: None,
            last_face: now,
            charging: false,
        }
    }

    /// Asks for payment after an accepted photo's review, once the printer
    /// says it can print (framing, the checks and the review stay free).
    pub fn charging(mut self, yes: bool) -> Self {
        self.charging = yes;
        self
    }

    /// The current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The latest live instruction (for the framing screen).
    pub fn live(&self) -> Option<(Signal, Prompt)> {
        self.last_live
    }

    /// Countdown digit to show (3, 2, 1) at `now`.
    pub fn countdown_digit(&self, now: Millis) -> Option<u32> {
        match self.state {
            State::Countdown { started } => {
                let left = self
                    .timing
                    .countdown_ms
                    .saturating_sub(now.saturating_sub(started));
                Some(left.div_ceil(1000).max(1) as u32)
            }
            _ => None,
        }
    }

    fn go(&mut self, state: State, at: Millis) {
        self.state = state;
        self.since = at;
    }

    /// Ends the session: back to Idle with everything wiped.
    fn end(&mut self, at: Millis, actions: &mut Vec<Action>) {
        if self.state.viewfinder_live() {
            actions.push(Action::StopPreview);
        }
        actions.push(Action::Wipe);
        self.go(State::Idle, at);
        self.retakes = 0;
        self.last_live = None;
    }

    fn retake(&mut self, at: Millis, actions: &mut Vec<Action>) {
        self.retakes += 1;
        if self.retakes > self.timing.max_retakes {
            self.end(at, actions);
        } else {
            actions.extend([Action::Wipe, Action::StartPreview]);
            self.last_live = None;
            self.last_face = at;
            self.go(State::Framing, at);
        }
    }

    fn trouble(&mut self, trouble: Trouble, at: Millis, actions: &mut Vec<Action>) {
        if self.state.viewfinder_live() {
            actions.push(Action::StopPreview);
        }
        actions.push(Action::Wipe);
        self.retakes = 0;
        self.last_live = None;
        self.go(State::Trouble(trouble), at);
    }

    /// Handles one event; returns what to do, in order.
    pub fn handle(&mut self, ev: Event) -> Vec<Action> {
        let mut actions = Vec::new();
        let at = ev.at();
        let in_session = !matches!(
            self.state,
            State::Idle | State::Trouble(_) | State::Printing
        );
        if in_session && at.saturating_sub(self.started) > self.timing.session_ms {
            self.end(at, &mut actions);
            return actions;
        }
        if let Event::Button(Press::Stuck, _) = ev {
            self.trouble(Trouble::ButtonStuck, at, &mut actions);
            return actions;
        }
        match (&self.state, ev) {
            (State::Idle, Event::Button(Press::Short, _)) => {
                self.started = at;
                self.last_face = at;
                actions.push(Action::StartPreview);
                self.go(State::Framing, at);
            }
            (State::Framing, Event::Live { signal, prompt, .. }) => {
                self.last_live = Some((signal, prompt));
                if prompt != Prompt::StepIn {
                    self.last_face = at;
                }
            }
            (State::Framing, Event::Button(Press::Short, _))
                if matches!(self.last_live, Some((Signal::Green, _))) =>
            {
                self.go(State::Countdown { started: at }, at);
            }
            (State::Framing | State::Countdown { .. }, Event::Button(Press::Long, _)) => {
                self.end(at, &mut actions)
            }
            (State::Framing, Event::Tick(_))
                if at.saturating_sub(self.last_face) > self.timing.no_face_ms =>
            {
                self.end(at, &mut actions);
            }
            (State::Countdown { .. }, Event::Live { signal, prompt, .. }) => {
                self.last_live = Some((signal, prompt));
                if signal != Signal::Green {
                    self.go(State::Framing, at);
                }
            }
            (State::Countdown { started }, Event::Tick(_))
                if at.saturating_sub(*started) >= self.timing.countdown_ms =>
            {
                actions.push(Action::Capture);
                self.go(State::Capture, at);
            }
            (State::Capture, Event::Captured(_)) => {
                actions.extend([Action::StopPreview, Action::Process]);
                self.go(State::Processing, at);
            }
            // The camera failing at any point of a session, or its check
            // failing while idle: staff are needed, the session is over.
            (
                State::Idle | State::Framing | State::Countdown { .. } | State::Capture,
                Event::CaptureFailed(_),
            ) => self.trouble(Trouble::CameraLost, at, &mut actions),
            (State::Capture | State::Processing, Event::StillDamaged(_)) => {
                self.end(at, &mut actions)
            }
            (State::Processing, Event::Processed { accepted, .. }) => {
                self.go(State::Review { accepted }, at)
            }
            (State::Review { accepted: true }, Event::Button(Press::Short, _)) if self.charging => {
                actions.push(Action::CheckPrinter);
                self.go(State::Payment { ready: false }, at);
            }
            (State::Review { accepted: true }, Event::Button(Press::Short, _)) => {
                actions.push(Action::Print);
                self.go(State::Printing, at);
            }
            (State::Payment { ready: false }, Event::PrinterReady(_)) => {
                self.go(State::Payment { ready: true }, at)
            }
            (State::Payment { ready: true }, Event::Paid(_)) => {
                actions.push(Action::Print);
                self.go(State::Printing, at);
            }
            // The printer cannot print: nobody is asked to pay, staff are
            // called (any credit already inserted stays with the booth).
            (State::Payment { .. }, Event::PrintFailed { trouble, .. }) => {
                self.trouble(trouble, at, &mut actions)
            }
            (State::Payment { .. }, Event::Button(Press::Long, _)) => {
                self.retake(at, &mut actions);
            }
            (State::Payment { .. }, Event::Tick(_))
                if at.saturating_sub(self.since) > self.timing.payment_ms =>
            {
                self.end(at, &mut actions)
            }
            (State::Review { accepted: false }, Event::Button(Press::Short, _))
            | (State::Review { .. }, Event::Button(Press::Long, _)) => {
                self.retake(at, &mut actions);
            }
            (State::Review { .. }, Event::Tick(_))
                if at.saturating_sub(self.since) > self.timing.review_ms =>
            {
                self.end(at, &mut actions)
            }
            (State::Printing, Event::Printed(_)) => {
                actions.push(Action::Wipe);
                self.go(State::Done, at);
            }
            (State::Printing, Event::PrintFailed { trouble, .. }) => {
                self.trouble(trouble, at, &mut actions)
            }
            (State::Done, Event::Tick(_))
                if at.saturating_sub(self.since) > self.timing.done_ms =>
            {
                self.end(at, &mut actions)
            }
            (State::Done, Event::Button(Press::Short, _)) => self.end(at, &mut actions),
            (State::Trouble(_), Event::AllClear(_) | Event::Button(Press::Long, _)) => {
                self.go(State::Idle, at)
            }
            (State::Trouble(Trouble::ButtonStuck), Event::Button(Press::Short, _)) => {
                self.go(State::Idle, at)
            }
            _ => {}
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn green(at: Millis) -> Event {
        Event::Live {
            at,
            signal: Signal::Green,
            prompt: Prompt::Ready,
        }
    }

    fn amber(at: Millis) -> Event {
        Event::Live {
            at,
            signal: Signal::Amber,
            prompt: Prompt::MoveCloser,
        }
    }

    fn press(at: Millis) -> Event {
        Event::Button(Press::Short, at)
    }

    fn long(at: Millis) -> Event {
        Event::Button(Press::Long, at)
    }

    /// Start, go when green, count down, capture, and an accepted photo in
    /// review at 3.3 s; then `more`.
    fn to_review(more: Vec<Event>) -> Vec<Event> {
        let mut v = vec![
            press(0),
            green(10),
            press(20),
            Event::Tick(3100),
            Event::Captured(3200),
            Event::Processed {
                at: 3300,
                accepted: true,
            },
        ];
        v.extend(more);
        v
    }

    /// Runs events, returning every (state after, actions) step.
    fn script(events: Vec<Event>) -> (Session, Vec<(&'static str, Vec<Action>)>) {
        let mut s = Session::new(Timing::default(), 0);
        let steps = events.into_iter().map(|e| {
            let a = s.handle(e);
            (s.state().name(), a)
        });
        let steps = steps.collect();
        (s, steps)
    }

    fn states(steps: &[(&'static str, Vec<Action>)]) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = steps.iter().map(|s| s.0).collect();
        v.dedup();
        v
    }

    fn all_actions(steps: &[(&'static str, Vec<Action>)]) -> Vec<Action> {
        steps.iter().flat_map(|s| s.1.clone()).collect()
    }

    #[test]
    fn a_whole_session_from_idle_to_print_and_back() {
        let (_, steps) = script(vec![
            press(1000),
            amber(1100),
            green(1200),
            press(1300),
            green(1400),
            Event::Tick(2000),
            Event::Tick(4300),
            Event::Captured(4600),
            Event::Processed {
                at: 5500,
                accepted: true,
            },
            press(7000),
            Event::Printed(20_000),
            Event::Tick(29_000),
        ]);
        assert_eq!(
            states(&steps),
            [
                "framing",
                "countdown",
                "capture",
                "processing",
                "review",
                "printing",
                "done",
                "idle"
            ]
        );
        assert_eq!(
            all_actions(&steps),
            [
                Action::StartPreview,
                Action::Capture,
                Action::StopPreview,
                Action::Process,
                Action::Print,
                Action::Wipe,
                Action::Wipe
            ]
        );
    }

    /// Runs events through a session that charges.
    fn charged(events: Vec<Event>) -> (Session, Vec<(&'static str, Vec<Action>)>) {
        let mut s = Session::new(Timing::default(), 0).charging(true);
        let steps = events
            .into_iter()
            .map(|e| {
                let a = s.handle(e);
                (s.state().name(), a)
            })
            .collect();
        (s, steps)
    }

    fn rejected_review(more: Vec<Event>) -> Vec<Event> {
        let mut v = to_review(vec![]);
        v.pop();
        v.push(Event::Processed {
            at: 3300,
            accepted: false,
        });
        v.extend(more);
        v
    }

    #[test]
    fn an_accepted_photo_asks_the_printer_then_the_money_then_prints() {
        let (s, steps) = charged(to_review(vec![
            press(4000),
            // Money before the printer answered changes nothing.
            Event::Paid(4100),
            Event::PrinterReady(4200),
            Event::Tick(10_000),
            Event::Paid(30_000),
            Event::Printed(40_000),
        ]));
        assert_eq!(s.state(), &State::Done);
        let names = states(&steps);
        assert!(
            names.ends_with(&["review", "payment", "printing", "done"]),
            "{names:?}"
        );
        let acts = all_actions(&steps);
        let check = acts.iter().position(|a| *a == Action::CheckPrinter);
        let print = acts.iter().position(|a| *a == Action::Print);
        assert!(check.is_some() && check < print, "{acts:?}");
        assert_eq!(acts.iter().filter(|a| **a == Action::Print).count(), 1);
    }

    #[test]
    fn a_rejected_photo_never_asks_for_money() {
        let (s, steps) = charged(rejected_review(vec![Event::Paid(4000), press(5000)]));
        assert_eq!(s.state(), &State::Framing, "a press retakes");
        assert!(!states(&steps).contains(&"payment"));
        let acts = all_actions(&steps);
        assert!(!acts.contains(&Action::CheckPrinter) && !acts.contains(&Action::Print));
    }

    #[test]
    fn a_printer_that_cannot_print_calls_staff_before_anyone_pays() {
        let (s, steps) = charged(to_review(vec![
            press(4000),
            Event::PrintFailed {
                at: 4500,
                trouble: Trouble::OutOfPaper,
            },
            Event::Paid(5000),
        ]));
        assert_eq!(s.state(), &State::Trouble(Trouble::OutOfPaper));
        assert!(!all_actions(&steps).contains(&Action::Print));
        assert_eq!(all_actions(&steps).last(), Some(&Action::Wipe));
    }

    #[test]
    fn waiting_for_money_times_out_or_is_cancelled_with_a_wipe() {
        let t = Timing::default();
        let (s, steps) = charged(to_review(vec![
            press(4000),
            Event::PrinterReady(4100),
            Event::Tick(4100 + t.payment_ms),
            Event::Tick(4101 + t.payment_ms),
        ]));
        assert_eq!(s.state(), &State::Idle);
        assert_eq!(all_actions(&steps).last(), Some(&Action::Wipe));
        assert!(!all_actions(&steps).contains(&Action::Print));
        // A long press while paying: retake, not print.
        let (s, steps) = charged(to_review(vec![
            press(4000),
            Event::PrinterReady(4100),
            long(5000),
        ]));
        assert_eq!(s.state(), &State::Framing);
        assert!(!all_actions(&steps).contains(&Action::Print));
    }

    #[test]
    fn a_print_failing_after_payment_calls_staff() {
        let (s, _) = charged(to_review(vec![
            press(4000),
            Event::PrinterReady(4100),
            Event::Paid(5000),
            Event::PrintFailed {
                at: 9000,
                trouble: Trouble::Printer("media_jam"),
            },
        ]));
        assert_eq!(s.state(), &State::Trouble(Trouble::Printer("media_jam")));
    }

    #[test]
    fn the_button_does_nothing_until_the_checks_are_green() {
        let (s, _) = script(vec![press(0), amber(100), press(200)]);
        assert_eq!(s.state(), &State::Framing);
    }

    #[test]
    fn the_countdown_stops_when_the_face_moves_off() {
        let (s, steps) = script(vec![
            press(0),
            green(100),
            press(200),
            amber(1200),
            Event::Tick(3500),
        ]);
        assert_eq!(s.state(), &State::Framing);
        assert!(!all_actions(&steps).contains(&Action::Capture));
    }

    #[test]
    fn countdown_shows_three_two_one() {
        let (s, _) = script(vec![press(0), green(100), press(1000)]);
        assert_eq!(s.countdown_digit(1000), Some(3));
        assert_eq!(s.countdown_digit(2500), Some(2));
        assert_eq!(s.countdown_digit(3999), Some(1));
    }

    #[test]
    fn a_rejected_photo_is_retaken_then_the_session_gives_up() {
        let mut events = vec![press(0)];
        let mut t = 100;
        for _ in 0..4 {
            events.extend([
                green(t),
                press(t + 10),
                Event::Tick(t + 3100),
                Event::Captured(t + 3200),
                Event::Processed {
                    at: t + 3300,
                    accepted: false,
                },
                press(t + 4000),
            ]);
            t += 5000;
        }
        let (s, steps) = script(events);
        assert_eq!(s.state(), &State::Idle);
        let wipes = all_actions(&steps)
            .iter()
            .filter(|a| **a == Action::Wipe)
            .count();
        assert_eq!(wipes, 4, "three retakes and the final end");
        assert!(!all_actions(&steps).contains(&Action::Print));
    }

    #[test]
    fn a_long_press_in_review_retakes_even_an_accepted_photo() {
        let (s, steps) = script(to_review(vec![long(4000)]));
        assert_eq!(s.state(), &State::Framing);
        assert_eq!(
            steps.last().unwrap().1,
            [Action::Wipe, Action::StartPreview]
        );
    }

    #[test]
    fn nobody_in_view_ends_the_session() {
        let (s, steps) = script(vec![
            press(0),
            Event::Live {
                at: 100,
                signal: Signal::Red,
                prompt: Prompt::StepIn,
            },
            Event::Tick(25_000),
        ]);
        assert_eq!(s.state(), &State::Idle);
        assert_eq!(steps.last().unwrap().1, [Action::StopPreview, Action::Wipe]);
    }

    #[test]
    fn an_unconfirmed_review_times_out_without_printing() {
        let (s, steps) = script(to_review(vec![Event::Tick(40_000)]));
        assert_eq!(s.state(), &State::Idle);
        assert!(!all_actions(&steps).contains(&Action::Print));
        assert_eq!(all_actions(&steps).last(), Some(&Action::Wipe));
    }

    #[test]
    fn printer_trouble_wipes_shows_staff_and_clears() {
        let (s, steps) = script(to_review(vec![
            press(3400),
            Event::PrintFailed {
                at: 9000,
                trouble: Trouble::OutOfPaper,
            },
        ]));
        assert_eq!(s.state(), &State::Trouble(Trouble::OutOfPaper));
        assert_eq!(steps.last().unwrap().1, [Action::Wipe]);
        let mut s = s;
        assert!(s.handle(press(9500)).is_empty());
        assert_eq!(s.state(), &State::Trouble(Trouble::OutOfPaper));
        s.handle(Event::AllClear(60_000));
        assert_eq!(s.state(), &State::Idle);
    }

    #[test]
    fn a_camera_lost_mid_session_ends_in_trouble_with_a_wipe() {
        let (s, steps) = script(vec![
            press(0),
            green(10),
            press(20),
            Event::Tick(3100),
            Event::CaptureFailed(3200),
        ]);
        assert_eq!(s.state(), &State::Trouble(Trouble::CameraLost));
        assert_eq!(steps.last().unwrap().1, [Action::Wipe]);
    }

    #[test]
    fn a_camera_that_stops_while_framing_or_idle_calls_staff_until_it_is_back() {
        for (events, stops_preview) in [
            (vec![press(0), amber(100), Event::CaptureFailed(200)], true),
            (
                vec![press(0), green(10), press(20), Event::CaptureFailed(900)],
                true,
            ),
            (vec![Event::CaptureFailed(5000)], false),
        ] {
            let (mut s, steps) = script(events);
            let trouble = State::Trouble(Trouble::CameraLost);
            assert_eq!(s.state(), &trouble);
            let last = &steps.last().unwrap().1;
            assert_eq!(
                last.contains(&Action::StopPreview),
                stops_preview,
                "{last:?}"
            );
            assert_eq!(last.last(), Some(&Action::Wipe));
            // Presses do nothing until the camera is back.
            assert!(s.handle(press(6000)).is_empty());
            assert_eq!(s.state(), &trouble);
            s.handle(Event::AllClear(7000));
            assert_eq!(s.state(), &State::Idle);
        }
    }

    #[test]
    fn a_damaged_still_ends_the_session_wiped_without_calling_staff() {
        for at_processing in [false, true] {
            let mut events = vec![press(0), green(10), press(20), Event::Tick(3100)];
            if at_processing {
                events.push(Event::Captured(3200));
            }
            events.push(Event::StillDamaged(3300));
            let (s, steps) = script(events);
            assert_eq!(s.state(), &State::Idle);
            assert_eq!(steps.last().unwrap().1.last(), Some(&Action::Wipe));
        }
    }

    #[test]
    fn a_session_cannot_outlast_its_limit() {
        let mut events = vec![press(0)];
        events.extend((1..400).map(|i| amber(i * 1000)));
        let (s, steps) = script(events);
        assert_eq!(s.state(), &State::Idle);
        assert!(all_actions(&steps).contains(&Action::Wipe));
    }

    #[test]
    fn a_stuck_button_calls_staff_until_it_works_again() {
        let (s, _) = script(vec![Event::Button(Press::Stuck, 15_000)]);
        assert_eq!(s.state(), &State::Trouble(Trouble::ButtonStuck));
        let mut s = s;
        s.handle(press(40_000));
        assert_eq!(s.state(), &State::Idle);
    }
}
