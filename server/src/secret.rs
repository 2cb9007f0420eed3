//! Unguessable identifiers and bearer tokens, and how they are stored.
//!
//! Ticket ids and tokens carry 128 and 256 random bits from the operating
//! system, written in lower-case base32 so they are safe in URLs and QR
//! codes. Tokens are stored only as their SHA-256 hash: a copy of the
//! database does not let anyone act as a device or a logged-in clerk.
//!
//! A ticket id starts with its issue's sequence number, so ids sort in
//! issue order: the database appends to its id index instead of touching a
//! random page of it for every ticket (which, under load, multiplied the
//! bytes each commit writes). The prefix is public anyway (the ticket's
//! number says as much); the 128 random bits after it are the secret.

use sha2::{Digest, Sha256};

/// Base32 digits in ASCII order, so that encoded big-endian numbers of the
/// same length sort as the numbers do.
const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// `n` random bytes from the operating system.
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing is not something a server can go on
    // without: ids and tokens would be predictable.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// Lower-case base32 without padding (RFC 4648's digits, in ASCII order).
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

/// A new 256-bit key.
pub fn new_key() -> [u8; 32] {
    random::<32>()
}

/// The key of a ticket's rating link: HMAC-SHA256 of the ticket id under
/// the server's `rating` secret, 128 bits in base32 (26 characters). Only
/// the ticket's issue answer (the printed QR code) carries it, so knowing
/// a ticket's id, as staff and displays do, is not enough to rate it.
pub fn rating_key(secret: &[u8; 32], ticket: &str) -> String {
    let mac = hmac_sha256(secret, ticket.as_bytes());
    base32(&mac[..16])
}

/// Whether `given` is the rating key of `ticket`, compared in constant
/// time.
pub fn is_rating_key(secret: &[u8; 32], ticket: &str, given: &str) -> bool {
    let want = rating_key(secret, ticket);
    want.len() == given.len()
        && want
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// HMAC-SHA256 (RFC 2104) with a 32-byte key.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut inner_pad = [0x36u8; 64];
    let mut outer_pad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        inner_pad[i] ^= k;
        outer_pad[i] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// A new ticket id: the low 40 bits of `order` (8 characters, so ids sort
/// by it), then 128 random bits (26 characters).
pub fn ticket_id(order: u64) -> String {
    let mut id = base32(&order.to_be_bytes()[3..]);
    id.push_str(&base32(&random::<16>()));
    id
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
    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test case 2 needs a 4-byte key; with our 32-byte keys
        // test against case 1's message under the 20-byte key padded with
        // zeros, which HMAC treats the same.
        let mut key = [0u8; 32];
        key[..20].copy_from_slice(&[0x0b; 20]);
        let mac = super::hmac_sha256(&key, b"Hi There");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn rating_keys_are_per_ticket_and_per_secret() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let k = super::rating_key(&a, "t1");
        assert_eq!(k.len(), 26);
        assert!(super::is_rating_key(&a, "t1", &k));
        assert!(!super::is_rating_key(&a, "t2", &k));
        assert!(!super::is_rating_key(&b, "t1", &k));
        assert!(!super::is_rating_key(&a, "t1", "t1"));
    }

    use super::*;

    #[test]
    fn base32_keeps_order_and_length() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(&[0]), "22");
        assert_eq!(base32(&[0xff; 5]), "zzzzzzzz");
        assert_eq!(base32(&[0; 16]).len(), 26);
        let mut last = String::new();
        for n in [0u64, 1, 31, 32, 1000, 65_535, 1 << 39, (1 << 40) - 1] {
            let s = base32(&n.to_be_bytes()[3..]);
            assert_eq!(s.len(), 8);
            assert!(s > last, "{n}: {s} after {last}");
            last = s;
        }
    }

    #[test]
    fn ids_are_long_valid_ordered_and_distinct() {
        let a = ticket_id(41);
        let b = ticket_id(41);
        let c = ticket_id(42);
        assert_eq!(a.len(), 34);
        assert_ne!(a, b);
        assert_eq!(a[..8], b[..8]);
        assert!(c > a && c > b);
        assert!(lobby_core::TicketId::is_valid(&a));
        assert!(token("lbs").starts_with("lbs_"));
        assert!(TokenHash::of("x").matches(&TokenHash::of("x")));
        assert!(!TokenHash::of("x").matches(&TokenHash::of("y")));
    }
}
