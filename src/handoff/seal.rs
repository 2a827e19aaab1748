//! The photo sealed between the booth and one phone. The booth's Wi-Fi
//! password is on its screen, so anyone in the shop can join the network
//! and, with WPA2-PSK, read what other phones fetch. The file is therefore
//! encrypted with a key made fresh for each session (XSalsa20-Poly1305,
//! NaCl's `secretbox`), and that key travels only in the link's fragment
//! (`#...`), which a browser never sends: the network carries the sealed
//! bytes and a token, never the key. The phone's browser opens the box
//! with tweetnacl (see [`super::page`]).
//!
//! Layout of a sealed file: the 24-byte nonce, the 16-byte tag, the
//! ciphertext (what `nacl.secretbox` returns after its nonce).

use crypto_secretbox::aead::AeadInPlace;
use crypto_secretbox::aead::generic_array::GenericArray;
use crypto_secretbox::{KeyInit, XSalsa20Poly1305};
use zeroize::Zeroize;

use super::token::random_bytes;
use crate::imaging::SecretBuf;

/// Bytes a sealed file adds to the photo: nonce and tag.
pub const OVERHEAD: usize = NONCE + TAG;
const NONCE: usize = 24;
const TAG: usize = 16;

/// A session's key: 256 random bits, wiped when dropped, never printed.
pub struct Key([u8; 32]);

impl Key {
    /// A fresh key from the kernel's random source.
    pub fn random() -> std::io::Result<Key> {
        Ok(Key(random_bytes()?))
    }

    /// The key as the link's fragment carries it: base64url, no padding
    /// (43 characters).
    pub fn fragment(&self) -> String {
        base64url(&self.0)
    }

    /// The key in a link's fragment, if it is one.
    pub fn from_fragment(text: &str) -> Option<Key> {
        let mut out = [0u8; 32];
        let bytes = text.as_bytes();
        if bytes.len() != 43 {
            return None;
        }
        let mut acc = 0u32;
        let mut bits = 0;
        let mut at = 0;
        for &c in bytes {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                *out.get_mut(at)? = (acc >> bits) as u8;
                at += 1;
            }
        }
        (at == 32).then_some(Key(out))
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Never shows the key.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Why a file could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// No random nonce could be had.
    #[error("cannot make a nonce for the phone file (no random source)")]
    Random(#[source] std::io::Error),
    /// The cipher refused (a file larger than it takes).
    #[error("cannot encrypt the phone file")]
    Cipher,
}

/// `file` sealed under `key` with a fresh nonce, in locked memory.
pub fn seal(file: &[u8], key: &Key) -> Result<SecretBuf<u8>, SealError> {
    let nonce: [u8; NONCE] = random_bytes().map_err(SealError::Random)?;
    let mut out = SecretBuf::<u8>::zeroed(OVERHEAD + file.len());
    let (head, body) = out.split_at_mut(OVERHEAD);
    body.copy_from_slice(file);
    let tag = XSalsa20Poly1305::new(GenericArray::from_slice(&key.0))
        .encrypt_in_place_detached(GenericArray::from_slice(&nonce), b"", body)
        .map_err(|_| SealError::Cipher)?;
    head[..NONCE].copy_from_slice(&nonce);
    head[NONCE..].copy_from_slice(&tag);
    Ok(out)
}

/// What a phone does: the file inside `sealed`, if `key` opens it and
/// nothing was changed on the way.
pub fn open(sealed: &[u8], key: &Key) -> Option<SecretBuf<u8>> {
    let (head, body) = (sealed.get(..OVERHEAD)?, sealed.get(OVERHEAD..)?);
    let mut out = SecretBuf::try_copy_of(body);
    XSalsa20Poly1305::new(GenericArray::from_slice(&key.0))
        .decrypt_in_place_detached(
            GenericArray::from_slice(&head[..NONCE]),
            b"",
            &mut out,
            GenericArray::from_slice(&head[NONCE..]),
        )
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_file_opens_with_its_key_only_and_shows_nothing_of_itself() {
        let file: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 253) as u8).collect();
        let key = Key::random().unwrap();
        let sealed = seal(&file, &key).unwrap();
        assert_eq!(sealed.len(), file.len() + OVERHEAD);
        assert!(
            !sealed.windows(16).any(|w| w == &file[1000..1016]),
            "plain bytes in the sealed file"
        );
        assert_eq!(&open(&sealed, &key).unwrap()[..], &file[..]);
        assert!(open(&sealed, &Key::random().unwrap()).is_none());
        let mut changed = sealed.to_vec();
        changed[OVERHEAD + 10] ^= 1;
        assert!(open(&changed, &key).is_none(), "a changed byte is refused");
        // Two seals of one file under one key differ (fresh nonces).
        assert_ne!(&seal(&file, &key).unwrap()[..], &sealed[..]);
    }

    #[test]
    fn the_fragment_is_43_url_safe_characters_that_give_the_key_back() {
        for _ in 0..20 {
            let key = Key::random().unwrap();
            let text = key.fragment();
            assert_eq!(text.len(), 43, "{text}");
            assert!(text.bytes().all(|c| ALPHABET.contains(&c)));
            assert_eq!(Key::from_fragment(&text).unwrap().0, key.0);
        }
        assert_eq!(base64url(b"\xff\xfe\xfd"), "__79");
        assert_eq!(base64url(b"f"), "Zg");
        assert!(Key::from_fragment("short").is_none());
        assert!(Key::from_fragment(&"=".repeat(43)).is_none());
        assert_eq!(format!("{:?}", Key::random().unwrap()), "Key(..)");
    }
}
