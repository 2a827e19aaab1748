//! Money as the booth counts it: whole cents (never floating point), and
//! a price with its currency as the screen shows it.

use std::fmt;

/// An amount in the currency's smallest unit (cents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub u64);

impl Money {
    /// Reads "6", "6.5" or "6.50" (at most two decimals; no sign, no
    /// thousands separator: a config value, not free text).
    pub fn parse(text: &str) -> Result<Money, String> {
        let bad = || format!("'{text}' is not an amount like 6.00");
        let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let units: u64 = whole.parse().map_err(|_| bad())?;
        let cents: u64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        units
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .map(Money)
            .ok_or_else(bad)
    }

    /// What is still to pay of `price` with this credit.
    pub fn short_of(self, price: Money) -> Money {
        Money(price.0.saturating_sub(self.0))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A price: an amount and its currency ("EUR").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    /// The amount.
    pub amount: Money,
    /// ISO 4217 code.
    pub currency: String,
}

impl Price {
    /// `amount` in this price's currency: "2.50 EUR".
    pub fn show(&self, amount: Money) -> String {
        format!("{amount} {}", self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_print_in_cents() {
        for (text, cents) in [
            ("6", 600),
            ("6.5", 650),
            ("6.50", 650),
            ("0.05", 5),
            ("12.00", 1200),
        ] {
            assert_eq!(Money::parse(text), Ok(Money(cents)), "{text}");
        }
        for bad in [
            "",
            "-1",
            "6.505",
            "6,50",
            "1e3",
            ".5",
            "6.x",
            "99999999999999999999",
        ] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Money(605).to_string(), "6.05");
        assert_eq!(Money(200).short_of(Money(600)), Money(400));
        assert_eq!(Money(800).short_of(Money(600)), Money(0));
        let p = Price {
            amount: Money(600),
            currency: "EUR".into(),
        };
        assert_eq!(p.show(p.amount), "6.00 EUR");
    }
}
