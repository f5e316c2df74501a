//! Validated names: list names and e-mail addresses, checked once when built.

use std::fmt;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Not a valid list name.
    #[error("{0:?} is not a valid list name (letters, digits, and . - _ +, at most 50)")]
    ListName(String),
    /// Not a valid e-mail address.
    #[error("{0:?} is not a valid e-mail address")]
    Email(String),
}

/// A list name as Sympa allows it: lower-cased, `[a-z0-9][a-z0-9._+-]*`, at most 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ListName(String);

impl ListName {
    /// Checks and lower-cases `text`.
    pub fn parse(text: &str) -> Result<ListName, NameError> {
        let name = text.trim().to_ascii_lowercase();
        let mut chars = name.chars();
        let valid = name.len() <= 50
            && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
        if valid {
            Ok(ListName(name))
        } else {
            Err(NameError::ListName(text.chars().take(80).collect()))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ListName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address that can be mailed: `local@domain`, lower-cased, at most 254 characters.
///
/// Exactly what every SMTP server takes without SMTPUTF8 and what Sympa's own address
/// pattern accepts: the local part is a dot-atom of RFC 5322 `atext` (ASCII letters, digits
/// and ``!#$%&'*+-/=?^_`{|}~``, no leading, trailing or double dot, at most 64 octets), the
/// domain is ASCII letters, digits and hyphens in dot-separated labels of at most 63. Quoted
/// local parts, address literals and non-ASCII addresses (where invisible, bidirectional and
/// look-alike characters hide) are refused, so an address accepted here never fails later
/// in the mail builder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// RFC 5322 `atext` besides ASCII letters and digits.
const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

impl Email {
    /// Checks `text` (surrounding white space is ignored); the whole address is lower-cased,
    /// as Sympa compares addresses.
    pub fn parse(text: &str) -> Result<Email, NameError> {
        let address = text.trim();
        let refuse = || NameError::Email(address.chars().take(80).collect());
        if address.len() > 254 || !address.is_ascii() {
            return Err(refuse());
        }
        let (local, domain) = address.rsplit_once('@').ok_or_else(refuse)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.split('.').all(|atom| {
                !atom.is_empty()
                    && atom
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ATEXT_SPECIALS.contains(c))
            });
        let domain_ok = !domain.is_empty()
            && domain.len() <= 253
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !(local_ok && domain_ok) {
            return Err(refuse());
        }
        Ok(Email(address.to_ascii_lowercase()))
    }

    /// An address read back from the store, which wrote it through [`Email::parse`]: the
    /// same check, but in one pass over the bytes and without the copies `parse` makes, when
    /// `text` is already what `parse` returns (trimmed and lower-cased). Anything else (a
    /// row edited by hand) goes through `parse` itself, so the result is always `parse`'s.
    pub fn from_stored(text: &str) -> Result<Email, NameError> {
        if is_canonical(text.as_bytes()) {
            debug_assert_eq!(Email::parse(text).as_ref().map(Email::as_str), Ok(text));
            Ok(Email(text.to_string()))
        } else {
            Email::parse(text)
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

/// The bytes of a lower-cased local part's atoms: ASCII lower-case letters, digits and
/// [`ATEXT_SPECIALS`].
const LOWER_ATEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        table[byte] = b.is_ascii_lowercase() || b.is_ascii_digit();
        byte += 1;
    }
    let specials = ATEXT_SPECIALS.as_bytes();
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// Returns true if and only if [`Email::parse`] accepts `address` and returns it unchanged:
/// one pass, no allocation.
fn is_canonical(address: &[u8]) -> bool {
    if address.len() > 254 {
        return false;
    }
    // `@` is not atext: an address has exactly one, and the local part is before it.
    let Some(at) = address.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&address[..at], &address[at + 1..]);
    if local.is_empty() || local.len() > 64 || domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let mut after_dot = true;
    for &b in local {
        if b == b'.' {
            if after_dot {
                return false;
            }
            after_dot = true;
        } else if LOWER_ATEXT[b as usize] {
            after_dot = false;
        } else {
            return false;
        }
    }
    if after_dot {
        return false;
    }
    let (mut label, mut last) = (0usize, b'.');
    for &b in domain {
        if b == b'.' {
            if label == 0 || last == b'-' {
                return false;
            }
            label = 0;
        } else if b.is_ascii_lowercase() || b.is_ascii_digit() || (b == b'-' && label > 0) {
            label += 1;
            if label > 63 {
                return false;
            }
        } else {
            return false;
        }
        last = b;
    }
    label > 0 && last != b'-'
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_check_takes_canonical_addresses_and_only_those() {
        // `from_stored` falls back to `parse` when the check says no, so a check that is too
        // strict only costs time: these say it takes what it must, and nothing more.
        let local = |n: usize| "a".repeat(n);
        // A domain of `n` characters, in labels of 63 (the longest allowed) and the rest.
        let domain = |n: usize| {
            let full = "a".repeat(63) + ".";
            full.repeat(n / 64) + &"a".repeat(n % 64)
        };
        for canonical in [
            "ann@example.org".to_string(),
            "a.b-c+d_e@x.example.org".to_string(),
            "0~!#$%&'*/=?^`{|}@x.org".to_string(),
            format!("{}@x.org", local(64)),
            format!("a@{}", domain(252)),
        ] {
            assert!(is_canonical(canonical.as_bytes()), "{canonical}");
            assert_eq!(Email::from_stored(&canonical).unwrap().as_str(), canonical);
        }
        for other in [
            format!("{}@x.org", local(65)),
            format!("a@{}", domain(253)),
            format!("a@{}.org", local(64)),
            "Ann@example.org".into(),
            "ann@Example.org".into(),
            "a..b@x.org".into(),
            ".a@x.org".into(),
            "a.@x.org".into(),
            "@x.org".into(),
            "a@".into(),
            "a@x..org".into(),
            "a b@x.org".into(),
            "a\u{e9}@x.org".into(),
            "ax.org".into(),
        ] {
            assert!(!is_canonical(other.as_bytes()), "{other}");
            assert_eq!(Email::from_stored(&other), Email::parse(&other), "{other}");
        }
    }

    #[test]
    fn list_names_follow_sympa_rules() {
        assert_eq!(
            ListName::parse("Sympa-Users").unwrap().as_str(),
            "sympa-users"
        );
        assert!(ListName::parse("a.b_c+d").is_ok());
        for bad in ["", "-x", "a b", "a/b", "../etc", "é", &"x".repeat(51)] {
            assert!(ListName::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            Email::parse(" Joe.Bloggs@Example.ORG ").unwrap().as_str(),
            "joe.bloggs@example.org"
        );
        assert_eq!(Email::parse("a+tag@x.org").unwrap().domain(), "x.org");
        // At most 254 characters in all.
        let local = "a".repeat(64);
        // A domain of `n` characters: labels of at most 50 letters, then `.org`.
        let domain = |n: usize| {
            let mut d = String::new();
            while d.len() + 4 < n {
                if !d.is_empty() {
                    d.push('.');
                }
                let take = (n - 4 - d.len()).min(50);
                d.push_str(&"d".repeat(take));
            }
            d.push_str(".org");
            d
        };
        assert!(Email::parse(&format!("{local}@{}", domain(189))).is_ok());
        assert_eq!(format!("{local}@{}", domain(189)).len(), 254);
        assert!(Email::parse(&format!("{local}@{}", domain(190))).is_err());
        assert_eq!(Email::parse("A@B.org").unwrap().to_string(), "a@b.org");
        assert_eq!(ListName::parse("News").unwrap().to_string(), "news");
        // Sympa's addresses with `/`, `=` and `'` are mailable and kept.
        for good in [
            "o'brien@x.org",
            "a/b=c@x.org",
            "x!#$%&*+-/=?^_`{|}~@x.org",
            "a@localhost",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} should be accepted");
        }
        for bad in [
            "",
            "a",
            "@x.org",
            "a@",
            "a b@x.org",
            "a@x..org",
            "a@-x.org",
            "<a@x.org>",
            "a\u{0}b@x.org",
            ".a@x.org",
            "a.@x.org",
            "\"a b\"@x.org",
            "a@[192.0.2.1]",
            "a\u{202e}gro.x@x.org",
            "a\u{200b}@x.org",
            "jos\u{e9}@x.org",
            "a@\u{e9}x.org",
            "a@x.org\u{200b}",
            "a@b@x.org",
            "a(b)@x.org",
            &format!("{}@x.org", "a".repeat(65)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn stored_addresses_are_read_as_parse_reads_them() {
        let mut inputs: Vec<String> = [
            "a@b.org",
            "A@b.org",
            " a@b.org",
            "a@b.org\n",
            "a.b@c-d.e",
            "a..b@c.d",
            ".a@b.c",
            "a.@b.c",
            "a@b",
            "a@b.",
            "a@.b",
            "a@-b.c",
            "a@b-.c",
            "a@b.c-",
            "a@@b.c",
            "a@b@c.d",
            "@b.c",
            "a@",
            "",
            "@",
            "é@b.c",
            "a@é.c",
            "a b@c.d",
            "a\u{0}@b.c",
            "a@b_c.d",
            "o'brien@x.org",
            "x!#$%&*+-/=?^_`{|}~@x.org",
            "a@B.ORG",
            "a@1.2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        inputs.push(format!("{}@x.org", "a".repeat(64)));
        inputs.push(format!("{}@x.org", "a".repeat(65)));
        inputs.push(format!("a@{}.org", "d".repeat(63)));
        inputs.push(format!("a@{}.org", "d".repeat(64)));
        inputs.push(format!(
            "{}@{}.org",
            "a".repeat(64),
            vec!["d".repeat(61); 3].join(".")
        ));
        inputs.push(format!(
            "{}@{}.org",
            "a".repeat(64),
            vec!["d".repeat(62); 3].join(".")
        ));
        // Every string of up to 5 characters over an alphabet that reaches each rule.
        let alphabet = ['a', 'Z', '@', '.', '-', '_', ' ', '1'];
        let mut current = vec![String::new()];
        for _ in 0..5 {
            let mut next = Vec::new();
            for s in &current {
                for c in alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            inputs.extend(next.iter().cloned());
            current = next;
        }
        for input in &inputs {
            assert_eq!(Email::from_stored(input), Email::parse(input), "{input:?}");
        }
    }
}
