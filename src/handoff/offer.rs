//! One photo on offer: served to the holder of the token at most `fetches`
//! times and until `deadline`, then wiped. Pure: the time is passed in.

use super::token::Token;
use crate::clock::Millis;
use crate::imaging::SecretBuf;

/// How much the link allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fetches allowed (phones prefetch a link before it is opened, so
    /// more than one).
    pub fetches: u32,
    /// How long the link lives, ms.
    pub lifetime_ms: Millis,
}

/// What a request gets.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// The file.
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
}

impl Offer {
    /// Offers `file` under `token` from `now`.
    pub fn new(token: Token, file: SecretBuf<u8>, limits: Limits, now: Millis) -> Offer {
        Offer {
            token,
            file,
            left: limits.fetches,
            deadline: now.saturating_add(limits.lifetime_ms),
            sent: 0,
        }
    }

    /// The token's hex digits (for the link on the screen).
    pub fn token_hex(&self) -> String {
        self.token.hex()
    }

    /// Answers a request for `candidate` (the token part of the path) at
    /// `now`. The fetch that uses the last one up still gets the file; the
    /// file is wiped by [`Offer::expire`] once the reply is written.
    pub fn request(&mut self, candidate: &[u8], now: Millis) -> Reply<'_> {
        if !self.token.matches(candidate) {
            return Reply::NotFound;
        }
        self.expire(now);
        if self.left == 0 {
            return Reply::Gone;
        }
        self.left -= 1;
        self.sent += 1;
        Reply::File(&self.file)
    }

    /// Wipes the file if the link is used up or past its deadline.
    pub fn expire(&mut self, now: Millis) {
        if now >= self.deadline {
            self.left = 0;
        }
        if self.left == 0 && !self.file.is_empty() {
            self.file.wipe();
            self.file = SecretBuf::zeroed(0);
        }
    }

    /// Whether the file is gone (used up, expired or withdrawn).
    pub fn is_spent(&self) -> bool {
        self.file.is_empty()
    }

    /// Times the file was sent.
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

    fn offer(fetches: u32) -> (Offer, String) {
        let token = Token::from_bytes([7; 16]);
        let hex = token.hex();
        let file = SecretBuf::try_copy_of(b"\xff\xd8photo\xff\xd9");
        let limits = Limits {
            fetches,
            lifetime_ms: 60_000,
        };
        (Offer::new(token, file, limits, 1000), hex)
    }

    #[test]
    fn the_file_goes_to_the_token_a_limited_number_of_times_then_is_gone() {
        let (mut o, hex) = offer(2);
        assert_eq!(o.request(b"0000", 2000), Reply::NotFound);
        assert_eq!(
            o.request(hex.as_bytes(), 2000),
            Reply::File(b"\xff\xd8photo\xff\xd9")
        );
        assert_eq!(
            o.request(hex.as_bytes(), 2500),
            Reply::File(b"\xff\xd8photo\xff\xd9")
        );
        o.expire(2500);
        assert!(o.is_spent());
        assert_eq!(o.request(hex.as_bytes(), 3000), Reply::Gone);
        assert_eq!(o.sent(), 2);
    }

    #[test]
    fn past_its_deadline_the_link_is_gone_and_the_file_wiped() {
        let (mut o, hex) = offer(3);
        o.expire(60_999);
        assert!(!o.is_spent());
        o.expire(61_000);
        assert!(o.is_spent());
        assert_eq!(o.request(hex.as_bytes(), 61_001), Reply::Gone);
        assert_eq!(o.sent(), 0);
    }
}
