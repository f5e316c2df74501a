//! Secrets: random tokens from the OS, their stored hashes, argon2id passwords, CSRF and one-click signatures.
//!
//! Every token handed to a visitor (session id, ticket, confirmation key) is 256 bits from
//! `getrandom` and is stored only as its SHA-256, so a copy of the database lets nobody in.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Bytes of randomness in every token: 256 bits.
pub const TOKEN_BYTES: usize = 32;

/// Why a secret could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OS random source failed.
    #[error("the operating system's random source failed: {0}")]
    Random(getrandom::Error),
    /// Hashing a password failed (never for passwords within the length limit).
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Fills `buf` from the OS random source.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::getrandom(buf).map_err(Error::Random)
}

/// A fresh token: 256 random bits, base64url without padding (43 characters).
pub fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; TOKEN_BYTES];
    random_bytes(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the store keeps of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    // Every request with a session cookie hashes it: no allocation per byte.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Returns true if and only if `token` has the shape of one of ours (so junk is refused before any lookup).
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The CSRF token of the session whose id is `session_id`: derived, so it dies with the session.
pub fn csrf_token(session_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(hmac(session_id.as_bytes(), b"wwsympa csrf v1"))
}

/// Returns true if and only if `submitted` is the CSRF token of `session_id`.
pub fn check_csrf(session_id: &str, submitted: &str) -> bool {
    constant_time_eq(csrf_token(session_id).as_bytes(), submitted.as_bytes())
}

/// The one-click unsubscribe id for `email` on `list_address`, made on `day` (days since the epoch).
///
/// Shape `<day>-<mac>`, like Sympa's, but the MAC is HMAC-SHA256 under the site's secret
/// (128 bits kept), so nobody can forge one for an address.
pub fn oneclick_id(secret: &[u8], list_address: &str, email: &str, day: i64) -> String {
    let message = format!("oneclick\0{list_address}\0{email}\0{day}");
    let mac = hmac(secret, message.as_bytes());
    format!("{day}-{}", URL_SAFE_NO_PAD.encode(&mac[..16]))
}

/// Returns true if and only if `id` is a one-click id for `email` on `list_address` made at
/// most `max_age_days` before `today`.
pub fn check_oneclick(
    secret: &[u8],
    list_address: &str,
    email: &str,
    id: &str,
    today: i64,
    max_age_days: i64,
) -> bool {
    let Some((day, _)) = id.split_once('-') else {
        return false;
    };
    let Ok(day) = day.parse::<i64>() else {
        return false;
    };
    if day > today || today - day > max_age_days {
        return false;
    }
    constant_time_eq(
        oneclick_id(secret, list_address, email, day).as_bytes(),
        id.as_bytes(),
    )
}

/// argon2id with OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Hash(e.to_string()))
}

/// A hash of a random password, checked when there is no account so both answers take as long.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let password = random_token().unwrap_or_else(|_| "no random source".into());
        hash_password(&password).unwrap_or_default()
    })
}

/// Returns true if and only if `password` matches `stored`; with no stored hash it still does
/// the same work and answers false, so timing tells nothing about which addresses have accounts.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let (hash, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert!(looks_like_token(&a), "{a}");
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}!", &a[..42])));
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, a);
        assert_eq!(hash, token_hash(&a));
        // Known SHA-256 of the empty string.
        assert_eq!(
            token_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let session = random_token().unwrap();
        let other = random_token().unwrap();
        let token = csrf_token(&session);
        assert!(check_csrf(&session, &token));
        assert!(!check_csrf(&other, &token));
        assert!(!check_csrf(&session, ""));
        assert!(!check_csrf(&session, &token[..10]));
    }

    #[test]
    fn passwords_verify_only_with_the_right_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterY", Some(&hash)));
        assert!(!verify_password("anything", None));
        assert!(!verify_password("anything", Some("not a hash")));
        assert_ne!(hash, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn oneclick_ids_are_bound_to_address_list_and_age() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let id = oneclick_id(secret, "news@x.org", "a@b.org", 20000);
        assert!(id.starts_with("20000-"));
        assert!(check_oneclick(
            secret,
            "news@x.org",
            "a@b.org",
            &id,
            20003,
            7
        ));
        assert!(!check_oneclick(
            secret,
            "news@x.org",
            "c@b.org",
            &id,
            20003,
            7
        ));
        assert!(!check_oneclick(
            secret,
            "dev@x.org",
            "a@b.org",
            &id,
            20003,
            7
        ));
        assert!(!check_oneclick(
            secret,
            "news@x.org",
            "a@b.org",
            &id,
            20008,
            7
        ));
        assert!(!check_oneclick(
            b"another secret",
            "news@x.org",
            "a@b.org",
            &id,
            20000,
            7
        ));
        assert!(!check_oneclick(
            secret,
            "news@x.org",
            "a@b.org",
            "junk",
            20000,
            7
        ));
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
