//! Search-result snippets: the part of a message's text around the words searched, with the matches marked.
//!
//! The text's runs of whitespace become one space first. A match is a token of the text
//! (see [`super::query::tokens`]) equal to one of the words, compared lower-cased. The
//! window starts a third of its length before the first match, at a word's start.

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
    let chars: Vec<char> = collapse(text).chars().collect();
    // Tokens as (start, end) char ranges, and whether each is a hit.
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().chain(std::iter::once(&' ')).enumerate() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let token: String = chars[s..i].iter().collect::<String>().to_lowercase();
                tokens.push((s, i, words.contains(&token)));
                start = None;
            }
            _ => {}
        }
    }
    let first = tokens.iter().find(|t| t.2).map_or(0, |t| t.0);
    let mut from = first.saturating_sub(max_chars / 3);
    if from > 0 {
        // Start at a word's start.
        while from < first && chars[from - 1].is_alphanumeric() {
            from += 1;
        }
    }
    let to = (from + max_chars).min(chars.len());
    let mut fragments: Vec<Fragment> = Vec::new();
    let mut push = |text: String, hit: bool| {
        if text.is_empty() {
            return;
        }
        match fragments.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(&text),
            _ => fragments.push(Fragment { text, hit }),
        }
    };
    let mut at = from;
    for &(s, e, hit) in tokens.iter().filter(|t| t.2 && t.0 >= from && t.1 <= to) {
        push(chars[at..s].iter().collect(), false);
        push(chars[s..e].iter().collect(), hit);
        at = e;
    }
    push(chars[at..to].iter().collect(), false);
    fragments
}

/// `text` with each run of whitespace made one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    fn plain(fragments: &[Fragment]) -> String {
        fragments.iter().map(|f| f.text.as_str()).collect()
    }

    #[test]
    fn matches_are_marked_in_a_window_around_the_first() {
        let text = format!(
            "{} The Quick brown fox; quick!\n\nthen more",
            "filler ".repeat(50)
        );
        let got = snippet(&text, &words(&["quick", "fox"]), 60);
        assert!(plain(&got).chars().count() <= 60);
        let hits: Vec<&str> = got
            .iter()
            .filter(|f| f.hit)
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(hits, ["Quick", "fox", "quick"]);
        assert!(!got[0].text.starts_with("iller"), "{got:?}");
        assert!(plain(&got).contains("brown fox; quick! then"));
    }

    #[test]
    fn without_a_match_the_start_is_given() {
        let got = snippet("alpha beta gamma", &words(&["zeta"]), 10);
        assert_eq!(
            got,
            vec![Fragment {
                text: "alpha beta".into(),
                hit: false
            }]
        );
        assert!(snippet("", &words(&["x"]), 10).is_empty());
    }

    #[test]
    fn only_whole_tokens_match() {
        let got = snippet("category cat", &words(&["cat"]), 100);
        assert_eq!(
            got,
            vec![
                Fragment {
                    text: "category ".into(),
                    hit: false
                },
                Fragment {
                    text: "cat".into(),
                    hit: true
                }
            ]
        );
    }
}
