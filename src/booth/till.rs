//! The till: every coin accounted for, across sessions, restarts and power
//! cuts.
//!
//! Its invariant, checked after every change: money in = money taken for
//! delivered sheets and files + credit held. Credit a customer leaves at a
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
}

impl Ledger {
    /// Whether every cent in is taken or held.
    pub fn balanced(&self) -> bool {
        self.taken.checked_add(self.held) == Some(self.inserted)
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
            return (
                Self {
                    ledger: fresh,
                    file: None,
                },
                None,
            );
        };
        let (ledger, note) = match state_file::load::<Ledger>(path) {
            Ok(Loaded::Read(l)) if l.currency == currency && l.balanced() => {
                let note = (l.held > 0)
                    .then(|| format!("till: credit {} {currency} held from before", Money(l.held)));
                (l, note)
            }
            Ok(Loaded::Read(l)) => {
                let kept = set_aside(path, &l);
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
            Err(e) => (
                fresh,
                Some(format!(
                    "till: cannot read {}: {e}; starting from zero",
                    path.display()
                )),
            ),
        };
        let till = Self {
            ledger,
            file: Some(path.to_path_buf()),
        };
        (till, note)
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

    /// A sheet or file worth `price` was delivered: its price is taken
    /// from the credit (which must cover it).
    pub fn take(&mut self, price: Money) -> Result<(), TillError> {
        if self.ledger.held < price.0 {
            return Err(TillError::Short);
        }
        self.change(|l| {
            l.held -= price.0;
            l.taken = l.taken.checked_add(price.0)?;
            Some(())
        })
        .ok_or(TillError::Overflow)
    }

    /// The payment screen timed out with credit on it: it stays held, and
    /// is counted as left.
    pub fn left_at_timeout(&mut self) {
        let held = self.ledger.held;
        let _ = self.change(|l| {
            l.left = l.left.checked_add(held)?;
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
        if let Some(path) = &self.file
            && let Err(e) = state_file::save(path, &self.ledger)
        {
            eprintln!("till: cannot write {}: {e}", path.display());
        }
        Some(())
    }
}

/// Moves a ledger that cannot be used out of the way.
fn set_aside(path: &Path, ledger: &Ledger) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}-unused", ledger.currency));
    let kept = path.with_file_name(name);
    match std::fs::rename(path, &kept) {
        Ok(()) => kept,
        Err(_) => path.to_path_buf(),
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
        assert_eq!(till.take(Money(200)), Err(TillError::Short));
        till.insert(Money(100)).unwrap();
        till.take(Money(200)).unwrap();
        let l = Till::open("EUR", Some(&path)).0.ledger().clone();
        assert_eq!((l.coins, l.inserted, l.taken, l.held), (2, 200, 200, 0));
    }

    #[test]
    fn the_till_file_holds_amounts_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.json");
        let (mut till, _) = Till::open("EUR", Some(&path));
        till.insert(Money(200)).unwrap();
        till.take(Money(150)).unwrap();
        till.left_at_timeout();
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
            ["coins", "currency", "held", "inserted", "left", "taken"]
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
        assert!(dir.path().join("till.json.EUR-unused").exists());
    }
}
