//! Conditional GETs of the archive's pages: `ETag` and `Last-Modified` on the way out, `If-None-Match` and `If-Modified-Since` answered with a 304 without a body.
//!
//! A handler asks for it with [`Ctx::validators`](super::ctx::Ctx): its own ETag (a message
//! page makes one from the message's id and state, so a 304 reads no bytes), or none, and
//! then the ETag is a hash of the rendered body. Pages seen with a session (owner buttons,
//! CSRF tokens) are `Cache-Control: private`; every page is revalidated (`no-cache`) and
//! varies with the cookie (a shared cache never gives an anonymous page to a member).
//! `If-Modified-Since` is honoured when it repeats our `Last-Modified` exactly (as clients
//! do) and no `If-None-Match` is sent.

use sha2::{Digest, Sha256};

use crate::http::{Body, Request, Response};

/// What a conditional page is validated by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The ETag, quoted; `None`: a hash of the body.
    pub etag: Option<String>,
    /// When what the page shows last changed, in seconds since the epoch.
    pub last_modified: Option<i64>,
}

/// A strong ETag (quoted) made of `parts`: the first 16 bytes of their SHA-256, in hex.
pub fn etag_of(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `seconds` since the epoch as an HTTP date.
pub fn http_date(seconds: i64) -> String {
    let seconds = u64::try_from(seconds).unwrap_or(0);
    crate::http::response::http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds),
    )
}

/// Returns true if and only if `request` already holds the page of `etag` (its
/// `If-None-Match` names it, or is `*`).
pub fn etag_matches(request: &Request, etag: &str) -> bool {
    let Some(header) = request.header("if-none-match") else {
        return false;
    };
    let bare = etag.trim_start_matches("W/");
    header
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// Returns true if and only if the client's copy is current: its `If-None-Match` names
/// `etag`, or without one, its `If-Modified-Since` is `last_modified` exactly.
fn is_fresh(request: &Request, etag: &str, last_modified: Option<&str>) -> bool {
    if request.header("if-none-match").is_some() {
        return etag_matches(request, etag);
    }
    match (request.header("if-modified-since"), last_modified) {
        (Some(since), Some(modified)) => since.trim() == modified,
        _ => false,
    }
}

/// What a page's words depend on besides its address: the session (its user) and the
/// language the browser asks for, so that a shared cache keeps one copy per language.
pub const VARY: &str = "Cookie, Accept-Language";

/// The 304 answer to a client whose copy of the page of `etag` is current.
pub fn not_modified(etag: &str, last_modified: Option<&str>, private: bool) -> Response {
    let mut response = Response {
        status: 304,
        headers: Vec::new(),
        body: Body::Bytes(Vec::new()),
    };
    response = response.with_header("ETag", etag);
    if let Some(modified) = last_modified {
        response = response.with_header("Last-Modified", modified);
    }
    response
        .with_header("Cache-Control", cache_control(private))
        .with_header("Vary", VARY)
}

fn cache_control(private: bool) -> &'static str {
    if private {
        "private, no-cache"
    } else {
        "public, no-cache"
    }
}

/// Puts the validators on a 200 `response` (replacing its `Cache-Control`), or answers 304
/// when the client's copy is current; other statuses pass unchanged.
pub fn finish(
    request: &Request,
    mut response: Response,
    validators: &Validators,
    private: bool,
) -> Response {
    if response.status != 200 {
        return response;
    }
    // A streamed body cannot be hashed before it is sent: its handler gives the ETag, or
    // it goes without one (and is always sent whole).
    let etag = match (&validators.etag, &response.body) {
        (Some(etag), _) => Some(etag.clone()),
        (None, Body::Bytes(bytes)) => Some(etag_of(&[bytes])),
        (None, Body::Stream(_)) => None,
    };
    let modified = validators.last_modified.map(http_date);
    if let Some(etag) = etag
        .as_deref()
        .filter(|etag| is_fresh(request, etag, modified.as_deref()))
    {
        return not_modified(etag, modified.as_deref(), private);
    }
    response
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("Cache-Control"));
    if let Some(etag) = etag {
        response = response.with_header("ETag", etag);
    }
    response = response
        .with_header("Cache-Control", cache_control(private))
        .with_header("Vary", VARY);
    match modified {
        Some(modified) => response.with_header("Last-Modified", modified),
        None => response,
    }
}

/// A kept 200 `page` (the anonymous page cache) answered to `request`: a 304 when the
/// client's copy is the page's (by the `ETag` and `Last-Modified` it was sent with), else
/// the page.
pub fn revalidate(request: &Request, page: Response) -> Response {
    let Some(etag) = page.header("ETag") else {
        return page;
    };
    let modified = page.header("Last-Modified");
    if page.status == 200 && is_fresh(request, etag, modified) {
        return not_modified(etag, modified, false);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut request = Request::parse_target(Method::Get, "/x").unwrap();
        for (name, value) in headers {
            request.headers.push((name.to_string(), value.to_string()));
        }
        request
    }

    #[test]
    fn a_matching_etag_gets_a_304_without_a_body() {
        let page = Response::html(200, "<p>hi</p>".into());
        let first = finish(
            &request(&[]),
            page.try_clone().unwrap(),
            &Validators::default(),
            false,
        );
        assert_eq!(first.status, 200);
        let etag = first.header("ETag").unwrap().to_string();
        let again = finish(
            &request(&[("if-none-match", &etag)]),
            page.try_clone().unwrap(),
            &Validators::default(),
            false,
        );
        assert_eq!(again.status, 304);
        assert!(again.body.bytes().is_empty());
        let other = finish(
            &request(&[("if-none-match", "\"other\"")]),
            page,
            &Validators::default(),
            true,
        );
        assert_eq!(other.status, 200);
        assert_eq!(other.header("Cache-Control"), Some("private, no-cache"));
        assert_eq!(other.header("Vary"), Some("Cookie, Accept-Language"));
    }

    #[test]
    fn if_modified_since_must_repeat_last_modified() {
        let page = Response::html(200, "x".into());
        let validators = Validators {
            etag: Some("\"e\"".into()),
            last_modified: Some(1_700_000_000),
        };
        let date = http_date(1_700_000_000);
        let fresh = finish(
            &request(&[("if-modified-since", &date)]),
            page.try_clone().unwrap(),
            &validators,
            false,
        );
        assert_eq!(fresh.status, 304);
        let stale = finish(
            &request(&[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")]),
            page,
            &validators,
            false,
        );
        assert_eq!(stale.status, 200);
        assert_eq!(stale.header("Last-Modified"), Some(date.as_str()));
    }
}
