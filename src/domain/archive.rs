//! The archive's vocabulary shared by the mail model, the store and the doors: months, a message's state, the text the search index holds, and a parsed search query.

use serde::Serialize;

use super::calendar::{civil_from_days, days_from_civil};

/// An archive month (Sympa's `YYYY-MM` directories): the month a message arrived in, or the
/// month an imported archive kept it under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    /// The month of `year` and `month` (1 to 12); `None` outside years 1 to 9999.
    pub fn new(year: u16, month: u8) -> Option<Month> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// Parses `YYYY-MM` exactly (four digits, a dash, two digits).
    pub fn parse(text: &str) -> Option<Month> {
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        Month::new(digits(0..4)?, u8::try_from(digits(5..7)?).ok()?)
    }

    /// The month (UTC) holding `seconds` since the Unix epoch; dates before year 1 or after
    /// 9999 are clamped to those years.
    pub fn of_timestamp(seconds: i64) -> Month {
        let days = seconds.div_euclid(86_400);
        let (year, month, _) = civil_from_days(days);
        let year = year.clamp(1, 9999) as u16;
        Month { year, month }
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month of the year, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The first second of the month (UTC), in seconds since the epoch.
    pub fn start(self) -> i64 {
        days_from_civil(i64::from(self.year), self.month, 1) * 86_400
    }

    /// The month after this one (December 9999 has none).
    pub fn next(self) -> Option<Month> {
        if self.month == 12 {
            Month::new(self.year + 1, 1)
        } else {
            Month::new(self.year, self.month + 1)
        }
    }

    /// The month before this one (January of year 1 has none).
    pub fn previous(self) -> Option<Month> {
        if self.month == 1 {
            Month::new(self.year - 1, 12)
        } else {
            Month::new(self.year, self.month - 1)
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Where an archived message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchivedState {
    /// Shown to whoever may read the list's archive, and searchable.
    Visible,
    /// Hidden by an owner (spam, a privacy request): kept with its bytes, out of every page
    /// and of the index; an owner can show it again.
    Hidden,
    /// Deleted by an owner: its bytes and index entry are gone; its row stays so that its
    /// permalinks answer 410 Gone and its MHonArc number is never given again.
    Deleted,
    /// A post waiting for a moderator: kept with its bytes, out of every archive page and
    /// of the index; distributing it makes it `Visible`.
    Held,
    /// A held post a moderator rejected or discarded (or that expired): its bytes are
    /// gone, its row stays so that a second moderator sees what happened to it. It was
    /// never published: archive pages answer 404 for it, not 410.
    Rejected,
}

impl ArchivedState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchivedState::Visible => "visible",
            ArchivedState::Hidden => "hidden",
            ArchivedState::Deleted => "deleted",
            ArchivedState::Held => "held",
            ArchivedState::Rejected => "rejected",
        }
    }

    /// Returns true if and only if the state drops the message's bytes and is never left.
    pub fn is_final(self) -> bool {
        matches!(self, ArchivedState::Deleted | ArchivedState::Rejected)
    }

    /// Returns true if and only if the message was distributed (and so belongs to the
    /// archive's pages, shown or not), as opposed to held or rejected.
    pub fn was_published(self) -> bool {
        matches!(
            self,
            ArchivedState::Visible | ArchivedState::Hidden | ArchivedState::Deleted
        )
    }

    /// Parses the stored name; anything unknown is `Hidden` (never shown by accident).
    pub fn parse(text: &str) -> ArchivedState {
        match text {
            "visible" => ArchivedState::Visible,
            "deleted" => ArchivedState::Deleted,
            "held" => ArchivedState::Held,
            "rejected" => ArchivedState::Rejected,
            _ => ArchivedState::Hidden,
        }
    }
}

/// The text of one message as the search index holds it, derived from the raw bytes by
/// `archive::extract` (whose version is `archive::EXTRACT_VERSION`), so it can be derived
/// again to remove the entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexText {
    /// The decoded subject.
    pub subject: String,
    /// The sender's display name and address.
    pub sender: String,
    /// Body text the sender wrote (lines not starting with `>`), from every text part (and
    /// HTML parts turned to text when there is no text part).
    pub body_new: String,
    /// Quoted body lines (starting with `>`), without the quote marks.
    pub body_quoted: String,
    /// The attachments' file names, one per line.
    pub attachment_names: String,
}

/// Which part of a message a search term must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchField {
    /// Any of the fields below.
    Any,
    /// `s:` the subject.
    Subject,
    /// `f:` the sender's name and address.
    From,
    /// `b:` the body, new and quoted text.
    Body,
    /// `nq:` the body without quoted lines.
    BodyNew,
    /// `q:` the quoted lines only.
    BodyQuoted,
    /// `a:` attachment names.
    Attachment,
}

/// One search term: the words it matches, already split into the index's tokens (letters and
/// digits only, lower-cased, so no query syntax can reach the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    /// Where it must match.
    pub field: SearchField,
    /// Its words (at least one; each non-empty, alphanumeric).
    pub words: Vec<String>,
    /// The words must appear next to each other, in order (a quoted phrase); otherwise each
    /// word must appear somewhere in the field.
    pub phrase: bool,
    /// The last word matches any word it begins (`word*`).
    pub prefix: bool,
    /// The message must not match this term (`-word`, `NOT word`).
    pub negated: bool,
}

/// How the terms of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchCombine {
    /// Every non-negated term must match (the default, Sympa's `how=all` and `how=phrase`).
    All,
    /// At least one non-negated term must match (Sympa's `how=any`).
    Any,
}

/// A parsed search: terms, how they combine, and an optional date range; what the store
/// turns into its own full-text query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The terms; a query with no non-negated term matches nothing.
    pub terms: Vec<SearchTerm>,
    /// How the non-negated terms combine (negated ones always exclude).
    pub combine: SearchCombine,
    /// Only messages dated at or after this second (`d:FROM..`).
    pub since: Option<i64>,
    /// Only messages dated before this second (`d:..TO`, the day after TO at 00:00 UTC).
    pub until: Option<i64>,
}

/// The order of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOrder {
    /// Newest first (by arrival): the default, cheap at any scale.
    Newest,
    /// Best match first; the store falls back to newest when the match set is large.
    Relevance,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_exactly_and_print_back() {
        assert_eq!(Month::parse("2024-01").unwrap().to_string(), "2024-01");
        assert_eq!(Month::parse("0001-12").unwrap().to_string(), "0001-12");
        for bad in [
            "2024-1", "2024-13", "2024-00", "0000-01", "24-01", "2024/01", "2024-1a", "+024-01",
            "2024-01 ",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_of_timestamps_and_their_starts_agree() {
        assert_eq!(Month::of_timestamp(0).to_string(), "1970-01");
        assert_eq!(Month::of_timestamp(-1).to_string(), "1969-12");
        // 2024-02-29 12:00 UTC, a leap day.
        assert_eq!(Month::of_timestamp(1_709_208_000).to_string(), "2024-02");
        let march = Month::parse("2024-03").unwrap();
        assert_eq!(march.start(), 1_709_251_200);
        assert_eq!(
            Month::of_timestamp(march.start() - 1).to_string(),
            "2024-02"
        );
        assert_eq!(Month::of_timestamp(march.start()), march);
        assert_eq!(march.previous().unwrap().to_string(), "2024-02");
        assert_eq!(
            Month::parse("2024-12").unwrap().next().unwrap().to_string(),
            "2025-01"
        );
        assert_eq!(
            Month::parse("2024-06").unwrap().next().unwrap().to_string(),
            "2024-07"
        );
        let june = Month::parse("2024-06").unwrap();
        assert_eq!((june.year(), june.month()), (2024, 6));
        assert_eq!(Month::parse("9999-12").unwrap().next(), None);
        assert_eq!(Month::parse("0001-01").unwrap().previous(), None);
        assert_eq!(Month::of_timestamp(1_000_000_000_000_000).year(), 9999);
        assert_eq!(Month::of_timestamp(-1_000_000_000_000_000).year(), 1);
    }

    #[test]
    fn unknown_states_are_hidden() {
        for state in [
            ArchivedState::Visible,
            ArchivedState::Hidden,
            ArchivedState::Deleted,
        ] {
            assert_eq!(ArchivedState::parse(state.as_str()), state);
        }
        assert_eq!(ArchivedState::parse("shown"), ArchivedState::Hidden);
    }
}
