//! VERP return paths: a token per recipient row in the envelope sender, so that a bounce
//! says who bounced without parsing it, and cannot be forged for another address.
//!
//! The token is the recipient row's id in base 36, a `-`, and 10 characters of an HMAC of
//! that id under the site's `verp` secret, all lowercase (MTAs may lowercase local parts).
//! The address is `LIST-owner+TOKEN@DOMAIN`, or `bounce+TOKEN@DOMAIN` when that local part
//! would pass RFC 5321's 64 characters.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The longest local part RFC 5321 allows.
pub const MAX_LOCAL_PART: usize = 64;

/// The name of the site secret that keys the tokens (`Db::site_secret`).
pub const SECRET_NAME: &str = "verp";

const MAC_CHARS: usize = 10;

fn mac(key: &[u8], id: u64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"verp:");
    mac.update(id.to_string().as_bytes());
    let digest = mac.finalize().into_bytes();
    // Base 32, lowercase: 5 bits a character.
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bits: u64 = 0;
    let mut have = 0;
    let mut out = String::with_capacity(MAC_CHARS);
    for byte in digest.iter() {
        bits = (bits << 8) | u64::from(*byte);
        have += 8;
        while have >= 5 && out.len() < MAC_CHARS {
            have -= 5;
            out.push(ALPHABET[((bits >> have) & 31) as usize] as char);
        }
        if out.len() == MAC_CHARS {
            break;
        }
    }
    out
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// The token for recipient row `id`.
pub fn token(key: &[u8], id: u64) -> String {
    format!("{}-{}", base36(id), mac(key, id))
}

/// The recipient row a token names, if its MAC is right (case does not matter).
pub fn decode(key: &[u8], token: &str) -> Option<u64> {
    let token = token.to_ascii_lowercase();
    let (id, given) = token.split_once('-')?;
    // Digits only: `from_str_radix` would also take a sign (`+16`); at most 13 of them, as
    // many as u64::MAX needs, so a padded id is not another spelling of one.
    if id.len() > 13 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let id = u64::from_str_radix(id, 36).ok()?;
    let expected = mac(key, id);
    // Constant time: the comparison must not tell how much of a forged MAC was right.
    let same = given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then_some(id)
}

/// The envelope sender for recipient row `id` of list `list` in `domain`.
pub fn return_path(key: &[u8], list: &str, domain: &str, id: u64) -> String {
    let token = token(key, id);
    let local = format!("{list}-owner+{token}");
    if local.len() <= MAX_LOCAL_PART {
        format!("{local}@{domain}")
    } else {
        format!("bounce+{token}@{domain}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let key = b"0123456789abcdef0123456789abcdef";
        for id in [0, 1, 35, 36, 1_000_000, u64::MAX] {
            let t = token(key, id);
            assert_eq!(decode(key, &t), Some(id), "{t}");
            assert_eq!(decode(key, &t.to_ascii_uppercase()), Some(id));
            assert!(t
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
        let t = token(key, 42);
        let (id, mac) = t.split_once('-').unwrap();
        assert_eq!(id, "16");
        assert_eq!(mac.len(), MAC_CHARS);
        // Another id with the same MAC, another key, a cut MAC: refused.
        assert_eq!(decode(key, &format!("17-{mac}")), None);
        assert_eq!(decode(b"another key", &t), None);
        assert_eq!(decode(key, &t[..t.len() - 1]), None);
        assert_eq!(decode(key, "nodash"), None);
        assert_eq!(decode(key, &format!("-{mac}")), None);
    }

    #[test]
    fn the_mac_is_a_fixed_function_of_key_and_id() {
        // A known answer: encoding and decoding must agree with this release's tokens, and
        // with those already out in the world as return paths (Python: base32 of
        // hmac.new(key, b"verp:42", sha256) gives the same ten characters).
        assert_eq!(token(b"0123456789abcdef", 42), KNOWN_42);
        assert_eq!(decode(b"0123456789abcdef", KNOWN_42), Some(42));
    }

    const KNOWN_42: &str = "16-pby6py655z";

    #[test]
    fn other_spellings_of_an_id_and_cancelling_mac_errors_are_refused() {
        let key = b"0123456789abcdef0123456789abcdef";
        let t = token(key, 42);
        let mac = t.split_once('-').unwrap().1;
        assert_eq!(decode(key, &format!("+16-{mac}")), None);
        assert_eq!(decode(key, &format!("00000000000016-{mac}")), None);
        // Two wrong characters whose differences would cancel out in an XOR fold.
        let mut forged: Vec<u8> = mac.bytes().collect();
        forged[0] ^= 1;
        forged[1] ^= 1;
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(decode(key, &format!("16-{forged}")), None);
    }

    #[test]
    fn long_list_names_fall_back_to_the_bounce_prefix() {
        let key = b"k";
        let short = return_path(key, "team", "lists.example.org", 7);
        assert!(short.starts_with("team-owner+7-"), "{short}");
        assert!(short.ends_with("@lists.example.org"));
        let long_name = "a".repeat(50);
        let long = return_path(key, &long_name, "lists.example.org", 7);
        assert!(long.starts_with("bounce+7-"), "{long}");
        let local = long.split('@').next().unwrap();
        assert!(local.len() <= MAX_LOCAL_PART);
        let fits = "b".repeat(MAX_LOCAL_PART - "-owner+".len() - token(key, 7).len());
        assert!(return_path(key, &fits, "d", 7).starts_with(&format!("{fits}-owner+")));
    }
}
