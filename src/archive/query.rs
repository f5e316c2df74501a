//! The search language: words, "phrases", -exclusions and public-inbox's prefixes (`s:` `f:` `b:` `nq:` `q:` `a:` `d:`), and Sympa's `arcsearch` form mapped onto the same query.
//!
//! The grammar, deliberately small:
//!
//! - The text is split on whitespace into items; `"…"` is one item (an unclosed quote runs
//!   to the end of the text).
//! - An item may start with `-` (exclude) and then with a field prefix: `s:` subject, `f:`
//!   sender, `b:` body, `nq:` body without quotes, `q:` quoted lines, `a:` attachment names;
//!   the rest is a word or a `"quoted phrase"`, so `-s:"weekly report"` works.
//! - `d:FROM..TO` (dates `YYYY-MM-DD`, either end may be missing) or `d:DAY` limits the
//!   dates; TO is included.
//! - `NOT` before an item excludes it; `AND` is ignored; `OR` anywhere makes the query match
//!   messages matching any of its (non-excluded) terms instead of all of them.
//! - A word ending in `*` matches any word it begins.
//! - Each item is cut into the index's tokens ([`tokens`]): an item of several tokens
//!   (`e-mail`, `3.14`) must match them next to each other, like a phrase; an item with no
//!   token (punctuation) is dropped.
//!
//! At most [`MAX_QUERY_CHARS`] characters and [`MAX_TERMS`] terms.

use crate::domain::calendar::days_from_civil;
use crate::domain::{SearchCombine, SearchField, SearchQuery, SearchTerm};

/// The longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// The most terms in one search.
pub const MAX_TERMS: usize = 20;

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

/// The items of a search text: quoted or not, with their text.
fn items(text: &str) -> Vec<(String, bool)> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut had_quote = false;
    for c in text.chars() {
        match c {
            '"' => {
                if quoted {
                    items.push((std::mem::take(&mut current), true));
                    had_quote = false;
                } else {
                    had_quote = true;
                }
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    items.push((std::mem::take(&mut current), false));
                }
                had_quote = false;
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        items.push((current, quoted || had_quote));
    }
    items
}

/// Parses the search box's text.
pub fn parse(text: &str) -> Result<SearchQuery, QueryError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    // Phrases keep their prefix: `s:"a b"` arrives as the item `s:` quoted-after; join them.
    let raw = join_prefixes(items(text));
    let mut query = SearchQuery {
        terms: Vec::new(),
        combine: SearchCombine::All,
        since: None,
        until: None,
    };
    let mut negate_next = false;
    for (item, quoted) in raw {
        if !quoted {
            match item.as_str() {
                "OR" => {
                    query.combine = SearchCombine::Any;
                    continue;
                }
                "AND" => continue,
                "NOT" => {
                    negate_next = true;
                    continue;
                }
                _ => {}
            }
        }
        let mut rest = item.as_str();
        let mut negated = std::mem::take(&mut negate_next);
        if let Some(r) = rest.strip_prefix('-') {
            negated = true;
            rest = r;
        }
        let mut field = SearchField::Any;
        for (prefix, f) in [
            ("s:", SearchField::Subject),
            ("f:", SearchField::From),
            ("b:", SearchField::Body),
            ("nq:", SearchField::BodyNew),
            ("q:", SearchField::BodyQuoted),
            ("a:", SearchField::Attachment),
        ] {
            if let Some(r) = rest.strip_prefix(prefix) {
                field = f;
                rest = r;
                break;
            }
        }
        if let Some(range) = rest
            .strip_prefix("d:")
            .filter(|_| field == SearchField::Any)
        {
            let (since, until) = date_range(range)?;
            query.since = since.or(query.since);
            query.until = until.or(query.until);
            continue;
        }
        let prefix = rest.ends_with('*');
        let words = tokens(rest);
        if words.is_empty() {
            continue;
        }
        let phrase = quoted || words.len() > 1;
        query.terms.push(SearchTerm {
            field,
            words,
            phrase,
            prefix,
            negated,
        });
        if query.terms.len() > MAX_TERMS {
            return Err(QueryError::TooLong);
        }
    }
    if !query.terms.iter().any(|t| !t.negated) {
        return Err(QueryError::Empty);
    }
    Ok(query)
}

/// Joins an unquoted item ending in a prefix (`s:`, `-s:`, `-`) with the quoted item after it.
fn join_prefixes(items: Vec<(String, bool)>) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::with_capacity(items.len());
    for (text, quoted) in items {
        if quoted {
            if let Some((last, false)) = out.last() {
                let bare = last.trim_start_matches('-');
                if bare.is_empty() || ["s:", "f:", "b:", "nq:", "q:", "a:"].contains(&bare) {
                    let (mut joined, _) = out.pop().unwrap_or_default();
                    joined.push_str(&text);
                    out.push((joined, true));
                    continue;
                }
            }
        }
        out.push((text, quoted));
    }
    out
}

/// Parses `YYYY-MM-DD`.
fn day(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[r];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1 {
        return None;
    }
    Some(days_from_civil(year, month as u8, day as u8) * 86_400)
}

/// Parses a `d:` value into (since, until).
fn date_range(text: &str) -> Result<(Option<i64>, Option<i64>), QueryError> {
    let end = |t: &str| day(t).map(|d| d + 86_400);
    match text.split_once("..") {
        Some((from, to)) => {
            let since = if from.is_empty() {
                None
            } else {
                Some(day(from).ok_or(QueryError::BadDate)?)
            };
            let until = if to.is_empty() {
                None
            } else {
                Some(end(to).ok_or(QueryError::BadDate)?)
            };
            if since.is_none() && until.is_none() {
                return Err(QueryError::BadDate);
            }
            Ok((since, until))
        }
        None => {
            let since = day(text).ok_or(QueryError::BadDate)?;
            Ok((Some(since), Some(since + 86_400)))
        }
    }
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
///
/// `how=phrase` makes one phrase of the words, `all` and `any` one term per word. One field
/// checked (`subj`, `from`, `body`) searches that field; none, several, or `date` (which
/// has no counterpart in the index) search every field. `match=partial` lets each word (the
/// last word of a phrase) match any word it begins.
pub fn from_sympa_form(form: &SympaForm<'_>) -> Result<SearchQuery, QueryError> {
    if form.key_word.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let words = tokens(form.key_word);
    if words.is_empty() {
        return Err(QueryError::Empty);
    }
    let fields: Vec<SearchField> = form
        .fields
        .iter()
        .filter_map(|f| match *f {
            "subj" => Some(SearchField::Subject),
            "from" => Some(SearchField::From),
            "body" => Some(SearchField::Body),
            _ => None,
        })
        .collect();
    let field = match fields.as_slice() {
        [one] if !form.fields.contains(&"date") => *one,
        _ => SearchField::Any,
    };
    let prefix = form.match_ == "partial";
    let (terms, combine) = match form.how {
        "phrase" => (
            vec![SearchTerm {
                field,
                words,
                phrase: true,
                prefix,
                negated: false,
            }],
            SearchCombine::All,
        ),
        how => (
            words
                .into_iter()
                .map(|word| SearchTerm {
                    field,
                    words: vec![word],
                    phrase: false,
                    prefix,
                    negated: false,
                })
                .collect(),
            if how == "any" {
                SearchCombine::Any
            } else {
                SearchCombine::All
            },
        ),
    };
    if terms.len() > MAX_TERMS {
        return Err(QueryError::TooLong);
    }
    Ok(SearchQuery {
        terms,
        combine,
        since: None,
        until: None,
    })
}

/// The index's tokens of `text`: runs of letters and digits, lower-cased, diacritics kept
/// (the databases fold them).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: SearchField, words: &[&str]) -> SearchTerm {
        SearchTerm {
            field,
            words: words.iter().map(|w| w.to_string()).collect(),
            phrase: words.len() > 1,
            prefix: false,
            negated: false,
        }
    }

    #[test]
    fn words_phrases_prefixes_and_exclusions() {
        let query = parse("Hello s:\"Weekly  Report\" -spam NOT f:bob nq:draft* e-mail").unwrap();
        assert_eq!(query.combine, SearchCombine::All);
        assert_eq!(
            query.terms,
            vec![
                term(SearchField::Any, &["hello"]),
                SearchTerm {
                    phrase: true,
                    ..term(SearchField::Subject, &["weekly", "report"])
                },
                SearchTerm {
                    negated: true,
                    ..term(SearchField::Any, &["spam"])
                },
                SearchTerm {
                    negated: true,
                    ..term(SearchField::From, &["bob"])
                },
                SearchTerm {
                    prefix: true,
                    ..term(SearchField::BodyNew, &["draft"])
                },
                term(SearchField::Any, &["e", "mail"]),
            ]
        );
        let query = parse("-s:\"a b\" q:x a:pdf b:y").unwrap();
        assert!(query.terms[0].negated && query.terms[0].phrase);
        assert_eq!(query.terms[0].field, SearchField::Subject);
        assert_eq!(query.terms[1].field, SearchField::BodyQuoted);
        assert_eq!(query.terms[2].field, SearchField::Attachment);
        assert_eq!(query.terms[3].field, SearchField::Body);
    }

    #[test]
    fn or_makes_any_term_enough() {
        let query = parse("cats OR dogs").unwrap();
        assert_eq!(query.combine, SearchCombine::Any);
        assert_eq!(query.terms.len(), 2);
        // Quoted "OR" is a word.
        let query = parse("\"OR\" x").unwrap();
        assert_eq!(query.combine, SearchCombine::All);
        assert_eq!(query.terms[0].words, vec!["or"]);
    }

    #[test]
    fn dates_limit_the_range() {
        let query = parse("x d:2024-01-01..2024-01-31").unwrap();
        assert_eq!(query.since, Some(1_704_067_200));
        assert_eq!(query.until, Some(1_706_745_600));
        let query = parse("x d:..2024-01-31").unwrap();
        assert_eq!((query.since, query.until), (None, Some(1_706_745_600)));
        let query = parse("x d:2024-01-01").unwrap();
        assert_eq!(
            (query.since, query.until),
            (Some(1_704_067_200), Some(1_704_153_600))
        );
        for bad in [
            "x d:2024-13-01..",
            "x d:yesterday",
            "x d:..",
            "x d:2024-1-1",
        ] {
            assert_eq!(parse(bad), Err(QueryError::BadDate), "{bad}");
        }
    }

    #[test]
    fn empty_long_and_crowded_queries_are_refused() {
        assert_eq!(parse(""), Err(QueryError::Empty));
        assert_eq!(parse("  -- ... \"\" "), Err(QueryError::Empty));
        assert_eq!(parse("-spam NOT ham"), Err(QueryError::Empty));
        assert_eq!(parse("d:2024-01-01.."), Err(QueryError::Empty));
        assert_eq!(
            parse(&"a".repeat(MAX_QUERY_CHARS + 1)),
            Err(QueryError::TooLong)
        );
        assert!(parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
        let many = vec!["w"; MAX_TERMS + 1].join(" ");
        assert_eq!(parse(&many), Err(QueryError::TooLong));
        assert!(parse(&vec!["w"; MAX_TERMS].join(" ")).is_ok());
    }

    #[test]
    fn no_query_syntax_reaches_the_words() {
        let query = parse("x' OR 1=1; -- \"a\\\" NEAR/2 b\" col:val ^boost").unwrap();
        for term in &query.terms {
            for word in &term.words {
                assert!(word.chars().all(char::is_alphanumeric), "{word:?}");
            }
        }
    }

    #[test]
    fn tokens_are_lower_case_alphanumeric_runs() {
        assert_eq!(
            tokens("Héllo, WORLD! e-mail 3.14 日本語"),
            vec!["héllo", "world", "e", "mail", "3", "14", "日本語"]
        );
    }

    #[test]
    fn sympas_form_maps_onto_queries() {
        let form = SympaForm {
            key_word: "Weekly report",
            how: "phrase",
            match_: "exact",
            fields: &["subj"],
        };
        let query = from_sympa_form(&form).unwrap();
        assert_eq!(
            query.terms,
            vec![SearchTerm {
                phrase: true,
                ..term(SearchField::Subject, &["weekly", "report"])
            }]
        );
        let form = SympaForm {
            key_word: "cats dogs",
            how: "any",
            match_: "partial",
            fields: &["subj", "body"],
        };
        let query = from_sympa_form(&form).unwrap();
        assert_eq!(query.combine, SearchCombine::Any);
        assert_eq!(query.terms.len(), 2);
        assert!(query
            .terms
            .iter()
            .all(|t| t.prefix && t.field == SearchField::Any));
        let form = SympaForm {
            key_word: "x",
            how: "all",
            ..SympaForm::default()
        };
        assert_eq!(from_sympa_form(&form).unwrap().combine, SearchCombine::All);
        let form = SympaForm {
            key_word: " !! ",
            ..SympaForm::default()
        };
        assert_eq!(from_sympa_form(&form), Err(QueryError::Empty));
    }
}
