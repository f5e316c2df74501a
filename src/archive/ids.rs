//! Message-IDs and the permalink ids made from them: Sympa's, HyperKitty's, and ours for a message without one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;

/// The longest Message-ID kept, in bytes (RFC 5322's line limit).
pub const MAX_MESSAGE_ID_BYTES: usize = 998;

/// The most Message-IDs read out of one `References` or `In-Reply-To` value.
pub const MAX_IDS_PER_HEADER: usize = 1_000;

/// The domain of the Message-IDs [`synthesize`] makes.
pub const SYNTHETIC_DOMAIN: &str = "wwsympa.invalid";

/// The Message-ID inside `text` (a header value): without `<>`, surrounding whitespace and
/// comments; `None` when nothing usable is left (empty, over 998 bytes, or holding
/// whitespace or control characters).
pub fn normalize(text: &str) -> Option<String> {
    let text = strip_comments(text);
    let text = text.trim();
    let inner = match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            // The first bracketed id, when there are several.
            let rest = &text[open + 1..];
            &rest[..rest.find('>').unwrap_or(rest.len())]
        }
        _ => text.trim_start_matches('<').trim_end_matches('>'),
    };
    let inner = inner.trim();
    usable(inner).then(|| inner.to_owned())
}

/// Whether `id` (without `<>`) can be kept as a Message-ID.
fn usable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_MESSAGE_ID_BYTES
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// `text` without its parenthesized comments (nested ones too; an unclosed one runs to the
/// end), outside of `<>`.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut in_angle = false;
    for c in text.chars() {
        match c {
            '<' if depth == 0 => {
                in_angle = true;
                out.push(c);
            }
            '>' if depth == 0 => {
                in_angle = false;
                out.push(c);
            }
            '(' if !in_angle => depth += 1,
            ')' if !in_angle && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every Message-ID in a `References` or `In-Reply-To` value, in order, normalized.
///
/// The ids are read between `<>`; a value without any `<` (written by broken clients) is
/// read as whitespace- or comma-separated words holding an `@`. At most
/// [`MAX_IDS_PER_HEADER`] are returned.
pub fn all_in(text: &str) -> Vec<String> {
    let text = strip_comments(text);
    let mut ids = Vec::new();
    if text.contains('<') {
        let mut rest = text.as_str();
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else { break };
            if let Some(id) = normalize(&after[..close]) {
                ids.push(id);
            }
            if ids.len() >= MAX_IDS_PER_HEADER {
                break;
            }
            rest = &after[close + 1..];
        }
    } else {
        ids.extend(
            text.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|word| word.contains('@'))
                .filter_map(normalize)
                .take(MAX_IDS_PER_HEADER),
        );
    }
    ids
}

/// A Message-ID for a message that has none: derived from its bytes, so that importing it
/// twice gives the same one (`<sha256 hex>@wwsympa.invalid`, without `<>`).
pub fn synthesize(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let mut id = String::with_capacity(64 + 1 + SYNTHETIC_DOMAIN.len());
    for byte in digest {
        id.push_str(&format!("{byte:02x}"));
    }
    id.push('@');
    id.push_str(SYNTHETIC_DOMAIN);
    id
}

/// Sympa's permalink id (`Sympa::Tools::Text::permalink_id`): base64url of the MD5 of the
/// Message-ID without `<>`, unpadded, 22 characters.
///
/// Like Sympa, every whitespace character and every `<` and `>` is removed before hashing.
pub fn sympa_permalink(message_id: &str) -> String {
    let cleaned: String = message_id
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '<' && *c != '>')
        .collect();
    URL_SAFE_NO_PAD.encode(Md5::digest(cleaned.as_bytes()))
}

/// HyperKitty's `message_id_hash`: base32 of the SHA-1 of the Message-ID without `<>`,
/// 32 characters.
///
/// Surrounding whitespace and one pair of enclosing `<>` are removed before hashing, as
/// Mailman does.
pub fn hyperkitty_hash(message_id: &str) -> String {
    let trimmed = message_id.trim();
    let bare = trimmed
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(trimmed);
    base32(&Sha1::digest(bare.as_bytes()))
}

/// RFC 4648 base32 (upper case, padded with `=` as Python's `b32encode`; a SHA-1 needs none).
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < symbols {
                let index = ((bits >> (35 - i * 5)) & 31) as usize;
                out.push(char::from(ALPHABET[index]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently with Python's hashlib and base64:
    // base64.urlsafe_b64encode(md5(id)).rstrip('=') and base64.b32encode(sha1(id)).

    #[test]
    fn sympa_permalinks_match_sympas_algorithm() {
        assert_eq!(
            sympa_permalink("87myycy5eh.fsf@uwakimon.sk.tsukuba.ac.jp"),
            "0WUaHd4roVtzVGndiwqTSg"
        );
        assert_eq!(
            sympa_permalink(" <20240101.abc@example.org>\n"),
            "LXYOpuqq_qL9pf5XqHfBoQ"
        );
        assert_eq!(sympa_permalink("x@y").len(), 22);
    }

    #[test]
    fn hyperkitty_hashes_match_mailmans_documented_value() {
        // The example in Mailman's messagestore documentation.
        assert_eq!(
            hyperkitty_hash("<87myycy5eh.fsf@uwakimon.sk.tsukuba.ac.jp>"),
            "JJIGKPKB6CVDX6B2CUG4IHAJRIQIOUTP"
        );
        assert_eq!(
            hyperkitty_hash("20240101.abc@example.org"),
            "TKEO7PQUS3D7TTFJLGI2VPHUMPKYMKIS"
        );
    }

    #[test]
    fn base32_pads_like_python() {
        // base64.b32encode(b'f'), b'fo', b'foobar'
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"fo"), "MZXQ====");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
    }

    #[test]
    fn normalize_strips_brackets_comments_and_refuses_junk() {
        assert_eq!(normalize(" <a@b> ").as_deref(), Some("a@b"));
        assert_eq!(normalize("(comment) <a@b> (more)").as_deref(), Some("a@b"));
        assert_eq!(normalize("a@b").as_deref(), Some("a@b"));
        assert_eq!(normalize("<a@b> <c@d>").as_deref(), Some("a@b"));
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("<>"), None);
        assert_eq!(normalize("   "), None);
        assert_eq!(normalize("<a b@c>"), None);
        assert_eq!(normalize("<a\u{1}b@c>"), None);
        let long = format!("<{}@x>", "a".repeat(MAX_MESSAGE_ID_BYTES));
        assert_eq!(normalize(&long), None);
        let just = format!("<{}@x>", "a".repeat(MAX_MESSAGE_ID_BYTES - 2));
        assert!(normalize(&just).is_some());
    }

    #[test]
    fn comments_end_at_their_parenthesis_and_never_inside_angle_brackets() {
        // Parentheses inside `<>` are part of the id, not a comment.
        assert_eq!(normalize("<a(b)c@x>").as_deref(), Some("a(b)c@x"));
        assert_eq!(normalize("<a)b@x>").as_deref(), Some("a)b@x"));
        // A `>` inside a comment closes nothing.
        assert_eq!(normalize("(see>) id@x").as_deref(), Some("id@x"));
        // A stray `)` outside a comment is kept as text.
        assert_eq!(normalize("x) <id@x>").as_deref(), Some("id@x"));
        // Brackets the wrong way round hold no id.
        assert_eq!(normalize("a>b<c"), None);
        // Control characters and whitespace make an id unusable, each on its own.
        assert_eq!(normalize("<a\u{1}b@x>"), None);
        assert_eq!(normalize("<a b@x>"), None);
        assert_eq!(normalize("<ab@x>").as_deref(), Some("ab@x"));
        // An empty `<>` in a References field is skipped, and reading goes on after it.
        assert_eq!(all_in("<> <a@x>"), vec!["a@x".to_string()]);
    }

    #[test]
    fn all_in_reads_every_id_in_order() {
        assert_eq!(
            all_in("<a@b>\r\n <c@d> (x <not@this>) <e@f>"),
            vec!["a@b", "c@d", "e@f"]
        );
        assert_eq!(all_in("a@b, c@d junk"), vec!["a@b", "c@d"]);
        assert_eq!(all_in("<a@b> <bad id> <c@d"), vec!["a@b"]);
        assert!(all_in("").is_empty());
        let many = "<x@y> ".repeat(MAX_IDS_PER_HEADER + 10);
        assert_eq!(all_in(&many).len(), MAX_IDS_PER_HEADER);
    }

    #[test]
    fn synthesized_ids_depend_only_on_the_bytes() {
        // hashlib.sha256(b'Subject: x\r\n\r\nbody\r\n').hexdigest()
        assert_eq!(
            synthesize(b"Subject: x\r\n\r\nbody\r\n"),
            "94aa02c65e3473d1c7d53430c4fd2b49d6b8cbc875139d1b4b248e6a8243bf38@wwsympa.invalid"
        );
        assert_ne!(synthesize(b"a"), synthesize(b"b"));
        assert!(normalize(&synthesize(b"a")).is_some());
    }
}
