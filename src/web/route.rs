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

/// What [`encode_segment`] encodes: all but the RFC 3986 unreserved characters.
pub(crate) const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}
