//! The one-time link's secret: 128 random bits from the kernel, written as
//! 32 hex digits, compared in constant time (a guess that shares a prefix
//! with the token takes as long to refuse as one that shares nothing).

use std::io::Read;

/// `N` bytes from `/dev/urandom` (the kernel's generator, seeded before
/// any service starts on a systemd boot).
pub(super) fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// A one-time token.
#[derive(Clone, PartialEq, Eq)]
pub struct Token([u8; 16]);

impl Token {
    /// A fresh token from the kernel's random source.
    pub fn random() -> std::io::Result<Token> {
        Ok(Token(random_bytes()?))
    }

    /// The token with these bytes (tests).
    pub fn from_bytes(bytes: [u8; 16]) -> Token {
        Token(bytes)
    }

    /// Its 32 hex digits, as they appear in the link.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `candidate` (hex digits from a request) is this token, in
    /// time that does not depend on where they differ.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let want = self.hex();
        if candidate.len() != want.len() {
            return false;
        }
        let diff = want
            .as_bytes()
            .iter()
            .zip(candidate)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }
}

/// Never shows the secret (a debug log line must not hand it out).
impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_match_only_themselves() {
        let a = Token::random().unwrap();
        let b = Token::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.hex().len(), 32);
        assert!(a.hex().bytes().all(|c| c.is_ascii_hexdigit()));
        assert!(a.matches(a.hex().as_bytes()));
        assert!(!a.matches(b.hex().as_bytes()));
        assert!(!a.matches(&a.hex().as_bytes()[..31]));
        assert!(!a.matches(b""));
        assert_eq!(format!("{a:?}"), "Token(..)");
    }
}
