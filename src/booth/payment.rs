//! Pay after pass, on the booth's side: the credit the acceptor has taken,
//! the payment asked for only once the photo is accepted and the printer
//! can print, the price taken only when the sheet (or, on a booth that
//! hands out files only, the file) is delivered. Credit is never lost: it
//! is in the till ([`super::till`]), which survives restarts; a printer
//! fault keeps it (staff are called), a customer who walks away leaves it
//! for the next one (and it is counted).

use std::collections::VecDeque;

use super::Booth;
use super::till::Till;
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
        let Some(worth) = p.per_pulse.0.checked_mul(u64::from(pulses)).map(Money) else {
            eprintln!(
                "payment: a coin of {pulses} pulse(s) is worth more than the till counts; refused"
            );
            return;
        };
        let Some(till) = self.till.as_mut() else {
            return;
        };
        if let Err(e) = till.insert(worth) {
            eprintln!(
                "payment: a coin of {}: {e}; not credited",
                p.price.show(worth)
            );
            return;
        }
        eprintln!("payment: credit {}", p.price.show(till.held()));
        self.count(|c| {
            c.coins = c.coins.saturating_add(1);
            c.credit_cents = c.credit_cents.saturating_add(worth.0);
        });
    }

    /// The credit held now.
    pub fn credit(&self) -> Money {
        self.till.as_ref().map_or(Money(0), Till::held)
    }

    /// The till, on a booth that charges.
    pub fn till(&self) -> Option<&Till> {
        self.till.as_ref()
    }

    /// While money is asked for and the credit covers the price: paid.
    pub(super) fn watch_credit(&mut self, now: Millis, queue: &mut VecDeque<Action>) {
        let Some(p) = self.settings.payment.as_ref() else {
            return;
        };
        let price = p.price.amount;
        if self.session.state() == &(State::Payment { ready: true }) && self.credit() >= price {
            // Set aside while the sheet is made: taken when it is out,
            // credit again if it cannot be.
            if let Some(till) = self.till.as_mut()
                && let Err(e) = till.reserve(price)
            {
                eprintln!("payment: the price of {price}: {e}");
                return;
            }
            queue.extend(self.session.handle(Event::Paid(now)));
        }
    }

    /// The sheet is out (or the file offered): the price set aside when
    /// the customer paid is taken.
    pub(super) fn take_price(&mut self) {
        let Some(till) = self.till.as_mut() else {
            return;
        };
        let taken = till.deliver();
        self.count(|c| c.paid_cents = c.paid_cents.saturating_add(taken.0));
    }

    /// The sheet (or file) paid for could not be made: its price is
    /// credit again.
    pub(super) fn give_back_price(&mut self) {
        if let Some(till) = self.till.as_mut()
            && till.ledger().pending > 0
        {
            till.release();
            eprintln!("payment: nothing was delivered; the price is credit again");
        }
    }

    /// A session left the payment screen for the attract screen (timed out
    /// or given up) with credit: kept for the next customer, and counted.
    pub(super) fn note_carried_credit(&mut self, from: &'static str, to: &'static str) {
        let held = self.credit();
        if (from, to) == ("idle", "framing") {
            self.credit_at_start = held;
        }
        // Only what this customer put in is left by them: credit already
        // on the booth when they came was left (and counted) before.
        let left = held.0.saturating_sub(self.credit_at_start.0);
        if (from, to) == ("payment", "idle")
            && left > 0
            && let Some(till) = self.till.as_mut()
        {
            till.left_at_timeout(Money(left));
            eprintln!(
                "payment: {} left on the booth for the next customer",
                Money(left)
            );
            self.count(|c| c.carried_cents = c.carried_cents.saturating_add(left));
        }
    }
}
