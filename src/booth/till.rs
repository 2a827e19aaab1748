//! The till: every coin accounted for, across sessions, restarts and power
//! cuts.
//!
//! Its invariant, checked after every change: money in = money taken for
//! delivered sheets and files + credit held + the price of the sheet being
//! printed. A price is set aside when the customer has paid and the sheet
//! goes to the printer, taken when it is out, and given back to the credit
//! if the printer fails. A booth stopped while a sheet was with the
//! printer takes that price when it starts again (the printer or CUPS has
//! the job and finishes it), and says so. Credit a customer leaves at a
//! payment time-out stays held for the next one (and is counted as left).
//! The ledger is written to the state folder whole and durably on every
//! change ([`super::state_file`]) and read back at start, so a restart or a
//! power cut loses no coin. It holds amounts only: nothing about who paid.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state_file::{self, Loaded};
use crate::session::money::Money;

/// The ledger, in the currency's cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// ISO 4217 code of every amount here.
    pub currency: String,
    /// Coins (and notes) accepted.
    pub coins: u64,
    /// Money inserted.
    pub inserted: u64,
    /// Money taken for delivered sheets and files.
    pub taken: u64,
    /// Credit held now.
    pub held: u64,
    /// Credit left at payment time-outs (kept in `held` for the next one).
    pub left: u64,
    /// The price of the sheet with the printer now (paid, not yet out).
    #[serde(default)]
    pub pending: u64,
}

impl Ledger {
    /// Whether a booth charging in `currency` can go on from this ledger:
    /// its currency, and balanced.
    pub fn usable_for(&self, currency: &str) -> bool {
        self.currency == currency && self.balanced()
    }

    /// Whether every cent in is taken, held or set aside for the sheet
    /// being printed.
    pub fn balanced(&self) -> bool {
        self.taken
            .checked_add(self.held)
            .and_then(|s| s.checked_add(self.pending))
            == Some(self.inserted)
    }
}

/// Why the till refused a change (the ledger is left as it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TillError {
    /// The sum would not fit: a misconfigured acceptor or a fault.
    #[error("the till cannot count past {} cents", u64::MAX)]
    Overflow,
    /// Less credit than the price.
    #[error("the credit held does not cover the price")]
    Short,
}

/// The till of a booth that charges: the ledger and where it is kept.
#[derive(Debug)]
pub struct Till {
    ledger: Ledger,
    file: Option<PathBuf>,
    /// The last write failed (a read-only or full card): the ledger is
    /// ahead of its file until a write succeeds.
    unsaved: bool,
}

impl Till {
    /// A till for `currency` kept in `file` (none: in memory only, for
    /// tests and the bench), its ledger read back. A missing file starts
    /// at zero; a damaged one, or one in another currency, is kept aside
    /// and the till starts at zero: never a crash. What happened is
    /// returned for the log.
    pub fn open(currency: &str, file: Option<&Path>) -> (Self, Option<String>) {
        let fresh = Ledger {
            currency: currency.to_string(),
            ..Ledger::default()
        };
        let Some(path) = file else {
            return (Self::in_memory(fresh), None);
        };
        let (ledger, note) = match state_file::load::<Ledger>(path) {
            Ok(Loaded::Read(l)) if l.usable_for(currency) => (l, None),
            Ok(Loaded::Read(l)) => {
                let Some(kept) = state_file::set_aside(path, "unused") else {
                    let note = format!(
                        "till: {} cannot be used or moved aside; counting in memory only",
                        path.display()
                    );
                    return (Self::in_memory(fresh), Some(note));
                };
                let why = if l.currency == currency {
                    "does not balance"
                } else {
                    "is in another currency"
                };
                let note = format!(
                    "till: {} {why} (held {} {}); kept as {}, starting from zero",
                    path.display(),
                    Money(l.held),
                    l.currency,
                    kept.display()
                );
                (fresh, Some(note))
            }
            Ok(Loaded::Missing) => (fresh, None),
            Ok(Loaded::SetAside { kept, why }) => (
                fresh,
                Some(format!(
                    "till: {} is damaged ({why}); kept as {}, starting from zero",
                    path.display(),
                    kept.display()
                )),
            ),
            Err(e) => {
                // Never written over: the credit in it is the operator's to
                // recover. The till counts in memory until that is fixed.
                let note = format!(
                    "till: cannot read {}: {e}; counting in memory only until it can be read",
                    path.display()
                );
                return (Self::in_memory(fresh), Some(note));
            }
        };
        let mut till = Self {
            ledger,
            file: Some(path.to_path_buf()),
            unsaved: false,
        };
        let mut notes: Vec<String> = note.into_iter().collect();
        // A sheet was with the printer when the booth stopped: the printer
        // (or CUPS) has the job and finishes it, so its price is taken now,
        // and written at once.
        let pending = till.deliver();
        if pending.0 > 0 {
            notes.push(format!(
                "till: a sheet was with the printer when the booth stopped; its price {pending} {currency} is taken"
            ));
        }
        if till.ledger.held > 0 {
            notes.push(format!(
                "till: credit {} {currency} held from before",
                till.held()
            ));
        }
        (till, (!notes.is_empty()).then(|| notes.join("\n")))
    }

    /// A till kept in memory only.
    fn in_memory(ledger: Ledger) -> Self {
        Self {
            ledger,
            file: None,
            unsaved: false,
        }
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Credit held now.
    pub fn held(&self) -> Money {
        Money(self.ledger.held)
    }

    /// A coin worth `worth` was accepted.
    pub fn insert(&mut self, worth: Money) -> Result<(), TillError> {
        self.change(|l| {
            l.coins = l.coins.checked_add(1)?;
            l.inserted = l.inserted.checked_add(worth.0)?;
            l.held = l.held.checked_add(worth.0)?;
            Some(())
        })
        .ok_or(TillError::Overflow)
    }

    /// The customer has paid `price` and the sheet (or file) is being
    /// made: its price is set aside from the credit (which must cover it).
    pub fn reserve(&mut self, price: Money) -> Result<(), TillError> {
        if self.ledger.held < price.0 {
            return Err(TillError::Short);
        }
        self.change(|l| {
            l.held -= price.0;
            l.pending = l.pending.checked_add(price.0)?;
            Some(())
        })
        .ok_or(TillError::Overflow)
    }

    /// The sheet (or file) is delivered: the price set aside is taken.
    /// Returns what was taken.
    pub fn deliver(&mut self) -> Money {
        let pending = self.ledger.pending;
        if pending == 0 {
            return Money(0);
        }
        let done = self.change(|l| {
            l.taken = l.taken.checked_add(l.pending)?;
            l.pending = 0;
            Some(())
        });
        Money(if done.is_some() { pending } else { 0 })
    }

    /// The sheet could not be made: the price set aside is credit again.
    pub fn release(&mut self) {
        let _ = self.change(|l| {
            l.held = l.held.checked_add(l.pending)?;
            l.pending = 0;
            Some(())
        });
    }

    /// The payment screen timed out with `amount` of this customer's
    /// credit on it: it stays held, and is counted as left.
    pub fn left_at_timeout(&mut self, amount: Money) {
        let _ = self.change(|l| {
            l.left = l.left.checked_add(amount.0.min(l.held))?;
            Some(())
        });
    }

    /// Applies `f` to a copy of the ledger; keeps it if it succeeds and
    /// balances, then writes it. A failed write is logged: the booth keeps
    /// counting in memory and tries again on the next change.
    fn change(&mut self, f: impl FnOnce(&mut Ledger) -> Option<()>) -> Option<()> {
        let mut next = self.ledger.clone();
        f(&mut next)?;
        debug_assert!(next.balanced(), "{next:?}");
        if !next.balanced() {
            return None;
        }
        self.ledger = next;
        self.write();
        Some(())
    }

    fn write(&mut self) {
        let Some(path) = &self.file else {
            return;
        };
        match state_file::save(path, &self.ledger) {
            Ok(()) => self.unsaved = false,
            Err(e) => {
                // Said once per failing stretch; the metrics show it too.
                if !self.unsaved {
                    eprintln!(
                        "till: cannot write {}: {e}; the credit is in memory only until it can",
                        path.display()
                    );
                }
                self.unsaved = true;
            }
        }
    }

    /// Whether the last change could not be written.
    pub fn unsaved(&self) -> bool {
        self.unsaved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coins_in_are_taken_or_held_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.json");
        let (mut till, note) = Till::open("EUR", Some(&path));
        assert_eq!(note, None);
        till.insert(Money(100)).unwrap();
        drop(till);
        // A restart: the euro is still there.
        let (mut till, note) = Till::open("EUR", Some(&path));
        assert_eq!(till.held(), Money(100));
        assert!(note.unwrap().contains("credit 1.00 EUR"));
        assert_eq!(till.reserve(Money(200)), Err(TillError::Short));
        till.insert(Money(100)).unwrap();
        till.reserve(Money(200)).unwrap();
        till.deliver();
        let l = Till::open("EUR", Some(&path)).0.ledger().clone();
        assert_eq!((l.coins, l.inserted, l.taken, l.held), (2, 200, 200, 0));
    }

    #[test]
    fn the_till_file_holds_amounts_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.json");
        let (mut till, _) = Till::open("EUR", Some(&path));
        till.insert(Money(200)).unwrap();
        till.reserve(Money(150)).unwrap();
        till.deliver();
        till.left_at_timeout(Money(150));
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        // No time, no session, nothing that tells one payment from another.
        assert_eq!(
            keys,
            [
                "coins", "currency", "held", "inserted", "left", "pending", "taken"
            ]
        );
        assert_eq!(doc["currency"], "EUR");
        assert!(
            doc.as_object()
                .unwrap()
                .iter()
                .all(|(k, v)| k == "currency" || v.is_u64()),
            "{doc}"
        );
    }

    #[test]
    fn a_price_is_set_aside_while_printing_and_taken_or_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.json");
        let (mut till, _) = Till::open("EUR", Some(&path));
        till.insert(Money(600)).unwrap();
        till.reserve(Money(400)).unwrap();
        assert_eq!((till.held(), till.ledger().pending), (Money(200), 400));
        // The printer failed: the customer's money is credit again.
        till.release();
        assert_eq!((till.held(), till.ledger().pending), (Money(600), 0));
        till.reserve(Money(400)).unwrap();
        // The booth stops with the sheet at the printer: on the next start
        // the price is taken, and the log says so.
        drop(till);
        let (till, note) = Till::open("EUR", Some(&path));
        let note = note.unwrap();
        assert!(note.contains("its price 4.00 EUR is taken"), "{note}");
        let l = till.ledger();
        assert_eq!((l.taken, l.held, l.pending), (400, 200, 0));
        let on_disk: Ledger = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(&on_disk, l);
    }

    #[test]
    fn a_change_that_cannot_be_written_is_shown_until_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("state");
        std::fs::create_dir(&folder).unwrap();
        let path = folder.join("till.json");
        let (mut till, _) = Till::open("EUR", Some(&path));
        till.insert(Money(100)).unwrap();
        assert!(!till.unsaved());
        // The card goes away (or read-only): counted in memory, and said.
        std::fs::remove_dir_all(&folder).unwrap();
        till.insert(Money(100)).unwrap();
        assert!(till.unsaved());
        assert_eq!(till.held(), Money(200));
        // Back: the next change writes the whole ledger.
        std::fs::create_dir(&folder).unwrap();
        till.insert(Money(100)).unwrap();
        assert!(!till.unsaved());
        let on_disk: Ledger = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(on_disk.held, 300);
    }

    #[test]
    fn sums_past_the_counters_are_refused_and_change_nothing() {
        let (mut till, _) = Till::open("EUR", None);
        till.insert(Money(u64::MAX - 5)).unwrap();
        assert_eq!(till.insert(Money(10)), Err(TillError::Overflow));
        assert_eq!(till.held(), Money(u64::MAX - 5));
        assert!(till.ledger().balanced());
    }

    #[test]
    fn a_damaged_or_foreign_till_is_kept_aside_never_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.json");
        std::fs::write(&path, "{\"currency\": \"EUR\", \"held\": ").unwrap();
        let (till, note) = Till::open("EUR", Some(&path));
        assert_eq!(till.held(), Money(0));
        assert!(note.unwrap().contains("is damaged"));
        let (mut till, _) = Till::open("EUR", Some(&path));
        till.insert(Money(50)).unwrap();
        let (till, note) = Till::open("CHF", Some(&path));
        assert_eq!(till.held(), Money(0));
        let note = note.unwrap();
        assert!(note.contains("another currency (held 0.50 EUR)"), "{note}");
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("till.json.unused-"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
    }
}
