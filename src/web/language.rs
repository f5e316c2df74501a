//! Which language a page is in: the user's preference, then what the visitor asked for (the `set_lang` cookie, then `Accept-Language`), then the list's, then the site's.
//!
//! What the visitor asked for is known from the request alone, before the session and the
//! list are read: the page cache keys on it ([`asked`]), so that a cached page is served in
//! the language it was built in, and arbitrary `Accept-Language` values cannot grow the
//! cache (the key is one of the site's languages, or none).

use std::sync::Arc;

use crate::http::{cookie, Request};
use crate::i18n::{Catalogues, Language};

/// The cookie that keeps the language a visitor chose with `set_lang`.
pub const LANG_COOKIE: &str = "sympa_lang";

/// How long the language cookie lasts: a year.
pub const LANG_COOKIE_AGE: i64 = 365 * 86_400;

/// The language the request asks for: the `set_lang` cookie's, else the best-liked of
/// `Accept-Language` the site has; `None` when neither names one.
pub fn asked<'c>(catalogues: &'c Catalogues, request: &Request) -> Option<&'c Arc<Language>> {
    asked_by(
        catalogues,
        cookie::get(request, LANG_COOKIE),
        request.header("accept-language"),
    )
}

/// [`asked`] from the cookie's value and the header's.
pub fn asked_by<'c>(
    catalogues: &'c Catalogues,
    cookie: Option<&str>,
    accept_language: Option<&str>,
) -> Option<&'c Arc<Language>> {
    cookie
        .and_then(|tag| catalogues.lookup(tag))
        .or_else(|| accept_language.and_then(|header| catalogues.negotiate(header)))
}

/// The page's language: the user's preference, what the visitor asked for, the list's, the
/// site's (`site`), in that order, each only if the site has it; English at last.
pub fn choose<'c>(
    catalogues: &'c Catalogues,
    user: Option<&str>,
    asked: Option<&'c Arc<Language>>,
    list: Option<&str>,
    site: &str,
) -> &'c Arc<Language> {
    user.and_then(|tag| catalogues.lookup(tag))
        .or(asked)
        .or_else(|| list.and_then(|tag| catalogues.lookup(tag)))
        .or_else(|| catalogues.lookup(site))
        .unwrap_or_else(|| catalogues.english())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_then_the_visitor_then_the_list_then_the_site() {
        let catalogues = Catalogues::builtin();
        let tag = |user, cookie, accept, list, site| {
            let asked = asked_by(&catalogues, cookie, accept);
            choose(&catalogues, user, asked, list, site)
                .tag()
                .to_string()
        };
        // Everything known: the user's preference wins.
        assert_eq!(
            tag(Some("de"), Some("es"), Some("fr"), Some("es"), "en"),
            "de"
        );
        // No preference (''), or one the site does not have: the cookie.
        assert_eq!(
            tag(Some(""), Some("es"), Some("fr"), Some("de"), "en"),
            "es"
        );
        assert_eq!(tag(Some("xx"), Some("es"), Some("fr"), None, "en"), "es");
        // No cookie (or a bad one): Accept-Language, by q, a region falling back.
        assert_eq!(
            tag(None, None, Some("it, fr-CA;q=0.9"), Some("de"), "en"),
            "fr"
        );
        assert_eq!(tag(None, Some("../x"), Some("de"), Some("es"), "en"), "de");
        // Nothing the browser asks for: the list's, then the site's, then English.
        assert_eq!(tag(None, None, Some("it, pt"), Some("es"), "fr"), "es");
        assert_eq!(tag(None, None, None, Some(""), "fr"), "fr");
        assert_eq!(tag(None, None, None, None, "xx"), "en");
    }
}
