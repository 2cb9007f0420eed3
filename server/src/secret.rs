//! Unguessable identifiers and bearer tokens, and how they are stored.
//!
//! Ticket ids and tokens carry 128 and 256 random bits from the operating
//! system, written in lower-case base32 so they are safe in URLs and QR
//! codes. Tokens are stored only as their SHA-256 hash: a copy of the
//! database does not let anyone act as a device or a logged-in clerk.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `n` random bytes from the operating system.
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing is not something a server can go on
    // without: ids and tokens would be predictable.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// Lower-case base32 (RFC 4648 alphabet) without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// A new ticket id: 128 random bits, 26 characters.
pub fn ticket_id() -> String {
    base32(&random::<16>())
}

/// A new bearer token: a readable prefix saying what it is for (so a leaked
/// token is recognised) and 256 random bits.
pub fn token(prefix: &str) -> String {
    format!("{prefix}_{}", base32(&random::<32>()))
}

/// The SHA-256 of a token, as stored and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// Hashes a presented token.
    pub fn of(token: &str) -> TokenHash {
        let digest = Sha256::digest(token.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(&digest);
        TokenHash(out)
    }

    /// Compares in constant time.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "my");
        assert_eq!(base32(b"fo"), "mzxq");
        assert_eq!(base32(b"foo"), "mzxw6");
        assert_eq!(base32(b"foob"), "mzxw6yq");
        assert_eq!(base32(b"fooba"), "mzxw6ytb");
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn ids_are_long_valid_and_distinct() {
        let a = ticket_id();
        let b = ticket_id();
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
        assert!(lobby_core::TicketId::is_valid(&a));
        assert!(token("lbs").starts_with("lbs_"));
        assert!(TokenHash::of("x").matches(&TokenHash::of("x")));
        assert!(!TokenHash::of("x").matches(&TokenHash::of("y")));
    }
}
