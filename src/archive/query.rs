//! The search language: words, "phrases", -exclusions and public-inbox's prefixes (`s:` `f:` `b:` `nq:` `q:` `a:` `d:`), and Sympa's `arcsearch` form mapped onto the same query.

use crate::domain::SearchQuery;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No word to look for.
    #[error("the search has no word to look for")]
    Empty,
    /// Too long or too many terms.
    #[error("the search is too long")]
    TooLong,
    /// A `d:` range that is not `YYYY-MM-DD..YYYY-MM-DD` (either end may be missing).
    #[error("dates are written YYYY-MM-DD..YYYY-MM-DD")]
    BadDate,
}

/// Parses the search box's text.
pub fn parse(text: &str) -> Result<SearchQuery, QueryError> {
    let _ = text;
    todo!()
}

/// Sympa's `arcsearch` form, as sent by its `arcsearch_form` page.
#[derive(Debug, Clone, Default)]
pub struct SympaForm<'a> {
    /// `key_word`.
    pub key_word: &'a str,
    /// `how`: `phrase`, `all` or `any`.
    pub how: &'a str,
    /// `match`: `partial` (a prefix match here) or `exact`.
    pub match_: &'a str,
    /// Which fields: `subj`, `from`, `body`, `date` (any of them checked; none means all).
    pub fields: &'a [&'a str],
}

/// Maps Sympa's `arcsearch` form onto a query.
pub fn from_sympa_form(form: &SympaForm<'_>) -> Result<SearchQuery, QueryError> {
    let _ = form;
    todo!()
}

/// The index's tokens of `text`: runs of letters and digits, lower-cased, diacritics kept
/// (the databases fold them).
pub fn tokens(text: &str) -> Vec<String> {
    let _ = text;
    todo!()
}
