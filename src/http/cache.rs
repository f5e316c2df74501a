//! A cache of whole responses for one version of what they were built from: the web's anonymous page cache and the JSON API's anonymous answers, kept per process until that version moves.
//!
//! The caller says what a response is built from by the version it passes: the web and the
//! API pass the site version (a counter the database bumps on every change to a list's row
//! or to an archived message),
//! read *before* the response was built, so an entry may hold data newer than its tag but
//! never older: a request that sees a newer version builds the response again. Which
//! requests may be served from here (anonymous ones, of answers that depend on nothing else)
//! is the caller's decision.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Response;

/// Most responses kept; past it the cache starts over (arbitrary query strings cannot grow it).
const MAX_PAGES: usize = 256;

/// The largest body kept (an attachment or a long month is sent again, never held here), so
/// that the cache holds at most `MAX_PAGES` times this.
const MAX_BODY: usize = 512 * 1024;

/// Responses by key (the request's target, and what else the answer depends on), for one
/// version.
#[derive(Default)]
pub struct ResponseCache {
    inner: Mutex<(i64, HashMap<String, Response>)>,
}

impl ResponseCache {
    /// The page kept for `key` at `version`, if any.
    pub fn get(&self, version: i64, key: &str) -> Option<Response> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.0 != version {
            return None;
        }
        inner.1.get(key).and_then(Response::try_clone)
    }

    /// Keeps `response` for `key`, built after reading `version`; a streamed one, or one
    /// over [`MAX_BODY`], is not kept.
    pub fn put(&self, version: i64, key: String, response: &Response) {
        if response.body.bytes().len() > MAX_BODY {
            return;
        }
        let Some(copy) = response.try_clone() else {
            return;
        };
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.0 != version || inner.1.len() >= MAX_PAGES {
            if version < inner.0 {
                // Built from an older reading than what is kept: keep the newer pages.
                return;
            }
            *inner = (version, HashMap::new());
        }
        inner.1.insert(key, copy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_kept_for_their_version_only() {
        let cache = ResponseCache::default();
        let page = Response::text(200, "v1");
        cache.put(1, "/sympa/".into(), &page);
        assert_eq!(cache.get(1, "/sympa/").unwrap().body.bytes(), b"v1");
        assert!(cache.get(2, "/sympa/").is_none());
        cache.put(2, "/sympa/".into(), &Response::text(200, "v2"));
        assert!(cache.get(1, "/sympa/").is_none());
        // A page built from an older reading does not replace newer ones.
        cache.put(1, "/sympa/lists".into(), &Response::text(200, "old"));
        assert_eq!(cache.get(2, "/sympa/").unwrap().body.bytes(), b"v2");
        assert!(cache.get(2, "/sympa/lists").is_none());
    }

    #[test]
    fn a_streamed_answer_is_never_kept() {
        let cache = ResponseCache::default();
        let stream = crate::http::Stream::new(|out| out.write_all(b"big"));
        cache.put(
            1,
            "/sympa/x".into(),
            &Response::stream(200, Vec::new(), stream),
        );
        assert!(cache.get(1, "/sympa/x").is_none());
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = ResponseCache::default();
        for i in 0..MAX_PAGES + 10 {
            cache.put(7, format!("/sympa/?x={i}"), &Response::text(200, "x"));
        }
        assert!(cache.inner.lock().unwrap().1.len() <= MAX_PAGES);
    }
}
