//! Where a path leads: static assets, outside the base path, or an action with its arguments; and the URLs we make.

use crate::http::Request;

use super::state::State;

/// Where a path leads.
pub(super) enum Route {
    /// A file under `static_content_url`.
    Asset(String),
    /// Not under the base path.
    Outside,
    /// `<base>/<action>/<args...>`, each segment decoded on its own; the home page is the
    /// empty action.
    Action(String, Vec<String>),
}

/// The segments of a configured path prefix (`/sympa` → `["sympa"]`, `` → `[]`).
pub(super) fn prefix_segments(prefix: &str) -> impl Iterator<Item = &str> {
    prefix.split('/').filter(|s| !s.is_empty())
}

/// Strips the segments of `prefix` from the front of `segments`.
pub(super) fn strip_prefix<'s>(segments: &'s [String], prefix: &str) -> Option<&'s [String]> {
    let mut rest = segments;
    for expected in prefix_segments(prefix) {
        match rest.split_first() {
            Some((first, tail)) if first == expected => rest = tail,
            _ => return None,
        }
    }
    Some(rest)
}

pub(super) fn route(state: &State, request: &Request) -> Route {
    // Split first, then decode each segment (as Sympa does): `a%2Fb@x.org` stays one argument.
    let Some(segments) = request.segments() else {
        return Route::Outside;
    };
    let static_prefix = state.config.static_content_url.trim_end_matches('/');
    if prefix_segments(static_prefix).next().is_some() {
        if let Some(rest) = strip_prefix(&segments, static_prefix).filter(|r| !r.is_empty()) {
            return Route::Asset(rest.join("/"));
        }
    }
    let Some(rest) = strip_prefix(&segments, &state.base) else {
        return Route::Outside;
    };
    match rest.split_first() {
        None => Route::Action(String::new(), Vec::new()),
        Some((action, args)) => Route::Action(action.clone(), args.to_vec()),
    }
}

/// `<base>/login/<action>[/<list>]`: where an anonymous visitor is sent, to come back after.
pub(super) fn login_url(base: &str, action: &str, list: Option<&str>) -> String {
    match list {
        Some(list) => format!("{base}/login/{action}/{}", encode_segment(list)),
        None => format!("{base}/login/{action}"),
    }
}

/// What [`encode_segment`] encodes: all but the RFC 3986 unreserved characters (as
/// `percent_encoding` says it; the tests check [`push_segment`] against it).
#[cfg(test)]
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_segment(&mut out, text);
    out
}

/// Appends `text` to `out` percent-encoded as [`encode_segment`] does (what
/// `percent_encoding` does with [`SEGMENT`]), a byte at a time without its iterators: the
/// review page makes two such links per member.
pub(crate) fn push_segment(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        // Kept bytes are ASCII: `start..i` is empty or lies on character boundaries.
        if start < i {
            out.push_str(&text[start..i]);
        }
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod segment_tests {
    use super::*;

    #[test]
    fn segments_are_encoded_as_percent_encoding_does() {
        for text in [
            "",
            "a",
            "member000001@example.org",
            "o'brien+tag@x.org",
            "é",
            "aé",
            "éa",
            "a/b c%d?e#f",
            "-._~",
            "👩\u{200d}💻x",
            "\u{0}\u{7f}",
        ] {
            let expected = percent_encoding::utf8_percent_encode(text, SEGMENT).to_string();
            assert_eq!(encode_segment(text), expected, "{text:?}");
            let mut out = String::from("/x/");
            push_segment(&mut out, text);
            assert_eq!(out, format!("/x/{expected}"));
        }
    }
}
