//! Pay after pass, on the booth's side: the credit the acceptor has taken,
//! the payment asked for only once the photo is accepted and the printer
//! can print, the price taken only when the sheet is out. Credit is never
//! lost: a printer fault keeps it (staff are called), a customer who walks
//! away leaves it for the next one (and it is counted).

use std::collections::VecDeque;

use super::Booth;
use crate::capture::FrameSource;
use crate::clock::Millis;
use crate::display::Screen;
use crate::session::machine::{Action, Event, State};
use crate::session::money::Money;
use crate::vision::live::LiveDetector;

impl<C: FrameSource, S: Screen, D: LiveDetector> Booth<C, S, D> {
    /// The acceptor sent a coin of `pulses` pulses: its worth is credited
    /// (a booth that does not charge ignores it, and says so in the log).
    pub fn insert_pulses(&mut self, pulses: u32) {
        let Some(p) = self.settings.payment.as_ref() else {
            eprintln!("payment: {pulses} pulse(s) on a booth that does not charge; ignored");
            return;
        };
        let worth = Money(p.per_pulse.0 * u64::from(pulses));
        self.credit = Money(self.credit.0 + worth.0);
        eprintln!("payment: credit {}", p.price.show(self.credit));
        self.count(|c| {
            c.coins += 1;
            c.credit_cents += worth.0;
        });
    }

    /// The credit held now.
    pub fn credit(&self) -> Money {
        self.credit
    }

    /// While money is asked for and the credit covers the price: paid.
    pub(super) fn watch_credit(&mut self, now: Millis, queue: &mut VecDeque<Action>) {
        let Some(p) = self.settings.payment.as_ref() else {
            return;
        };
        if self.session.state() == &(State::Payment { ready: true })
            && self.credit >= p.price.amount
        {
            queue.extend(self.session.handle(Event::Paid(now)));
        }
    }

    /// The sheet is out: its price is taken from the credit.
    pub(super) fn take_price(&mut self) {
        let Some(price) = self.settings.payment.as_ref().map(|p| p.price.amount) else {
            return;
        };
        self.credit = Money(self.credit.0.saturating_sub(price.0));
        self.count(|c| c.paid_cents += price.0);
    }

    /// A session left the payment screen for the attract screen (timed out
    /// or given up) with credit: kept for the next customer, and counted.
    pub(super) fn note_carried_credit(&mut self, from: &'static str, to: &'static str) {
        if (from, to) == ("payment", "idle") && self.credit.0 > 0 {
            let left = self.credit.0;
            eprintln!(
                "payment: {} left on the booth for the next customer",
                Money(left)
            );
            self.count(|c| c.carried_cents += left);
        }
    }
}
