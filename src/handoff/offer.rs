//! One photo on offer: the page to anyone holding the token while the
//! offer lasts, the sealed file at most `fetches` times and until
//! `deadline`, then wiped. Pure: the time is passed in.

use super::token::Token;
use crate::clock::Millis;
use crate::imaging::SecretBuf;

/// How much the link allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fetches of the file allowed (phones prefetch a link before it is
    /// opened, so more than one).
    pub fetches: u32,
    /// How long the link lives, ms.
    pub lifetime_ms: Millis,
}

/// What a request asks for, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// `/p/<token>`: the page that opens the file.
    Page,
    /// `/p/<token>.bin`: the sealed file (uses up a fetch).
    File,
}

/// What a request gets.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// The page.
    Page,
    /// The sealed file.
    File(&'a [u8]),
    /// The link was right but is used up or expired: 410.
    Gone,
    /// Anything else: 404.
    NotFound,
}

/// The photo on offer.
#[derive(Debug)]
pub struct Offer {
    token: Token,
    file: SecretBuf<u8>,
    left: u32,
    deadline: Millis,
    sent: u32,
    sending: u32,
}

impl Offer {
    /// Offers the sealed `file` under `token` from `now`.
    pub fn new(token: Token, file: SecretBuf<u8>, limits: Limits, now: Millis) -> Offer {
        Offer {
            token,
            file,
            left: limits.fetches,
            deadline: now.saturating_add(limits.lifetime_ms),
            sent: 0,
            sending: 0,
        }
    }

    /// The token's hex digits (for the link on the screen).
    pub fn token_hex(&self) -> String {
        self.token.hex()
    }

    /// Answers a request for `want` under `candidate` (the token part of
    /// the path) at `now`. A file handed out counts as sent and as a
    /// transfer under way until [`Offer::finished`]; the fetch that uses
    /// the last one up still gets the file, which is wiped by
    /// [`Offer::expire`] once no transfer needs it.
    pub fn request(&mut self, want: Want, candidate: &[u8], now: Millis) -> Reply<'_> {
        if !self.token.matches(candidate) {
            return Reply::NotFound;
        }
        self.expire(now);
        if self.is_spent() || (want == Want::File && self.left == 0) {
            return Reply::Gone;
        }
        match want {
            Want::Page => Reply::Page,
            Want::File => {
                self.left -= 1;
                self.sent += 1;
                self.sending += 1;
                Reply::File(&self.file)
            }
        }
    }

    /// The sealed file, while it is on offer (for a transfer under way).
    pub fn file(&self) -> Option<&[u8]> {
        (!self.is_spent()).then_some(&self.file[..])
    }

    /// A transfer handed out by [`Offer::request`] has ended (whole or
    /// cut).
    pub fn finished(&mut self) {
        self.sending = self.sending.saturating_sub(1);
    }

    /// Wipes the file if the link is past its deadline (transfers under
    /// way are cut: the server sees [`Offer::is_spent`]) or used up with
    /// no transfer left.
    pub fn expire(&mut self, now: Millis) {
        if now >= self.deadline {
            self.left = 0;
            self.sending = 0;
        }
        if self.left == 0 && self.sending == 0 && !self.file.is_empty() {
            self.file.wipe();
            self.file = SecretBuf::zeroed(0);
        }
    }

    /// The deadline, ms on the offer's clock.
    pub fn deadline(&self) -> Millis {
        self.deadline
    }

    /// Whether the file is gone (used up, expired or withdrawn).
    pub fn is_spent(&self) -> bool {
        self.file.is_empty()
    }

    /// Times the file was handed out.
    pub fn sent(&self) -> u32 {
        self.sent
    }
}

impl Drop for Offer {
    fn drop(&mut self) {
        self.file.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] = b"sealed photo bytes";

    fn offer(fetches: u32) -> (Offer, String) {
        let token = Token::from_bytes([7; 16]);
        let hex = token.hex();
        let file = SecretBuf::try_copy_of(FILE);
        let limits = Limits {
            fetches,
            lifetime_ms: 60_000,
        };
        (Offer::new(token, file, limits, 1000), hex)
    }

    #[test]
    fn the_file_goes_to_the_token_a_limited_number_of_times_then_is_gone() {
        let (mut o, hex) = offer(2);
        let t = hex.as_bytes();
        assert_eq!(o.request(Want::File, b"0000", 2000), Reply::NotFound);
        assert_eq!(o.request(Want::Page, b"0000", 2000), Reply::NotFound);
        assert_eq!(o.request(Want::Page, t, 2000), Reply::Page);
        assert_eq!(o.request(Want::File, t, 2000), Reply::File(FILE));
        o.finished();
        assert_eq!(o.request(Want::File, t, 2500), Reply::File(FILE));
        // The last transfer is under way: the file stays for it.
        o.expire(2500);
        assert_eq!(o.file(), Some(FILE));
        assert_eq!(o.request(Want::File, t, 2600), Reply::Gone);
        o.finished();
        o.expire(2700);
        assert!(o.is_spent());
        assert_eq!(o.file(), None);
        assert_eq!(o.request(Want::File, t, 3000), Reply::Gone);
        assert_eq!(o.request(Want::Page, t, 3000), Reply::Gone);
        assert_eq!(o.sent(), 2);
    }

    #[test]
    fn past_its_deadline_the_link_is_gone_and_the_file_wiped_even_mid_transfer() {
        let (mut o, hex) = offer(3);
        assert_eq!(
            o.request(Want::File, hex.as_bytes(), 2000),
            Reply::File(FILE)
        );
        o.expire(60_999);
        assert!(!o.is_spent());
        o.expire(61_000);
        assert!(o.is_spent(), "the transfer under way does not keep it");
        assert_eq!(o.request(Want::File, hex.as_bytes(), 61_001), Reply::Gone);
        assert_eq!(o.sent(), 1);
    }
}
