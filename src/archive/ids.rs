//! Message-IDs and the permalink ids made from them: Sympa's, HyperKitty's, and ours for a message without one.

/// The Message-ID inside `text` (a header value): without `<>`, surrounding whitespace and
/// comments; `None` when nothing usable is left (empty, over 998 bytes, or holding
/// whitespace or control characters).
pub fn normalize(text: &str) -> Option<String> {
    let _ = text;
    todo!()
}

/// Every Message-ID in a `References` or `In-Reply-To` value, in order, normalized.
pub fn all_in(text: &str) -> Vec<String> {
    let _ = text;
    todo!()
}

/// A Message-ID for a message that has none: derived from its bytes, so that importing it
/// twice gives the same one (`<sha256 hex>@wwsympa.invalid`, without `<>`).
pub fn synthesize(raw: &[u8]) -> String {
    let _ = raw;
    todo!()
}

/// Sympa's permalink id (`Sympa::Tools::Text::permalink_id`): base64url of the MD5 of the
/// Message-ID without `<>`, unpadded, 22 characters.
pub fn sympa_permalink(message_id: &str) -> String {
    let _ = message_id;
    todo!()
}

/// HyperKitty's `message_id_hash`: base32 of the SHA-1 of the Message-ID without `<>`,
/// 32 characters.
pub fn hyperkitty_hash(message_id: &str) -> String {
    let _ = message_id;
    todo!()
}
