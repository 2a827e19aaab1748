//! The ALSA device the voice plays on, as a name that can only be a
//! device.
//!
//! ALSA's device strings are a small language: `file:'|cmd',raw` is the
//! file plugin writing into a shell pipe, so a device setting taken as it
//! is would be a way to run commands on the first spoken prompt. The booth
//! needs a card or a PCM the system defines, so only those forms are read:
//! a name (`default`, `sysdefault`, a card such as `Headphones`, or a PCM
//! the system's ALSA configuration defines), or `hw:`, `plughw:` or
//! `sysdefault:` with a card (number or name) and optionally a device
//! number.

use std::fmt;

/// A device name of one of the forms above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlsaDevice(String);

/// Longest card or PCM name accepted (ALSA's card ids are 15 characters).
const MAX_NAME: usize = 32;

impl AlsaDevice {
    /// Reads `text`; the error says what is accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "'{text}' is not an ALSA card or device: use default, a card name, or hw:/plughw:/sysdefault: with a card and device (plughw:1,0)"
            )
        };
        let ok = match text.split_once(':') {
            None => is_name(text),
            Some((prefix, args)) => {
                matches!(prefix, "hw" | "plughw" | "sysdefault") && is_card_and_device(args)
            }
        };
        if ok {
            Ok(Self(text.to_string()))
        } else {
            Err(bad())
        }
    }

    /// The name, as aplay's `-D` takes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for AlsaDevice {
    fn default() -> Self {
        Self("default".into())
    }
}

impl fmt::Display for AlsaDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A letter, then letters, digits and underscores.
fn is_name(s: &str) -> bool {
    s.len() <= MAX_NAME
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `CARD`, `CARD,DEV`, `CARD=NAME` or `CARD=NAME,DEV=N`: a card number or
/// name, a device number.
fn is_card_and_device(args: &str) -> bool {
    let (card, device) = match args.split_once(',') {
        Some((c, d)) => (c, Some(d)),
        None => (args, None),
    };
    let number = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let card = card.strip_prefix("CARD=").unwrap_or(card);
    let device = device.map(|d| d.strip_prefix("DEV=").unwrap_or(d));
    (number(card) || is_name(card)) && device.is_none_or(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_and_devices_are_read_and_plugin_strings_are_refused() {
        for good in [
            "default",
            "sysdefault",
            "Headphones",
            "hdmi",
            "hw:0",
            "hw:1,0",
            "plughw:1,0",
            "plughw:CARD=Device,DEV=0",
            "sysdefault:CARD=vc4hdmi0",
        ] {
            assert_eq!(
                AlsaDevice::parse(good).map(|d| d.to_string()),
                Ok(good.into())
            );
        }
        for bad in [
            // The finding: ALSA's file plugin into a shell pipe.
            "file:'|id > /tmp/x',raw",
            "file:/tmp/x",
            "plug:'|id'",
            "hw:1,0,extra",
            "hw:",
            "hw:1,",
            "plughw:1;id",
            "default ",
            "",
            "a-b",
            "1card",
            "pipe:id",
        ] {
            let e = AlsaDevice::parse(bad).unwrap_err();
            assert!(e.contains("plughw:1,0"), "{bad}: {e}");
        }
    }
}
