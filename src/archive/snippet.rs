//! Search-result snippets: the part of a message's text around the words searched, with the matches marked.

use serde::Serialize;

/// A piece of a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    /// Its text.
    pub text: String,
    /// Whether it is a match (shown highlighted).
    pub hit: bool,
}

/// At most `max_chars` characters of `text` around the first match of any of `words`
/// (index tokens, lower case), matches marked; the start of `text` when nothing matches.
pub fn snippet(text: &str, words: &[String], max_chars: usize) -> Vec<Fragment> {
    let _ = (text, words, max_chars);
    todo!()
}
