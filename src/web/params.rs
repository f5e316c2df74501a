//! Path and form parameters parsed into types, each with its limits, in one place (the successor of Sympa's `%in_regexp`).
//!
//! Handlers call these instead of parsing strings themselves. What an operation decides
//! (whether an address is valid, a reception mode known, a password right) stays with the
//! operation, which every door calls with the text as given; what is decided here is the
//! web's own: page numbers and sizes, sort keys, how much of a typed value a form shows back.

use serde::Serialize;

use crate::domain::{AdminRole, ReceptionMode};
use crate::http::Form;
use crate::operations::{Field, Refusal};
use crate::store::MemberSort;

/// Longest address a form shows back (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// Longest display name a form shows back.
pub const NAME_MAX: usize = 150;
/// Longest address handed to the password-mail operation.
pub const PASSWORD_MAIL_MAX: usize = 300;
/// Longest display name shown back by the preferences form.
pub const PREF_NAME_MAX: usize = 300;
/// Longest reception mode shown back by the options form.
pub const RECEPTION_MAX: usize = 20;
/// Longest list of addresses (one per line) the add and del forms show back.
pub const ADDRESSES_MAX: usize = 100_000;
/// Rows per members page unless the URL says otherwise, and the most it may say.
pub const PAGE_SIZE: u64 = 25;
/// See [`PAGE_SIZE`].
pub const MAX_PAGE_SIZE: u64 = 500;
/// The last page number a URL may ask for.
pub const MAX_PAGE: u64 = 1_000_000;
/// Longest members search filter, in characters.
pub const MAX_FILTER: usize = 100;

/// Text as the visitor typed it, cut to what a form shows back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Typed(String);

impl Typed {
    /// The first `max` characters of `text`.
    pub fn new(text: &str, max: usize) -> Typed {
        Typed(text.chars().take(max).collect())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Field `name` as typed (`""` when absent), cut to `max` characters.
pub fn typed(form: &Form, name: &str, max: usize) -> Typed {
    Typed::new(form.get(name).unwrap_or(""), max)
}

/// Returns true if and only if the check box `name` is ticked (given and not empty).
pub fn flag(form: &Form, name: &str) -> bool {
    form.get(name).is_some_and(|v| !v.is_empty())
}

/// Every value of the `email` fields, joined by line breaks (each may hold several lines).
pub fn addresses(form: &Form) -> String {
    form.all("email").collect::<Vec<_>>().join("\n")
}

/// A reception mode given in a link (`set/LIST/EMAIL/RECEPTION`), if it names one.
pub fn reception(form: &Form) -> Option<ReceptionMode> {
    form.get("reception").and_then(ReceptionMode::parse)
}

/// A members search filter: at most [`MAX_FILTER`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter(String);

impl Filter {
    /// `text` as a filter, or the refusal of one too long.
    pub fn parse(text: &str) -> Result<Filter, Refusal> {
        if text.chars().count() > MAX_FILTER {
            return Err(Refusal::TooLong {
                field: Field::Filter,
                max: MAX_FILTER,
            });
        }
        Ok(Filter(text.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `filter` field, if given and not empty.
pub fn filter(form: &Form) -> Result<Option<Filter>, Refusal> {
    form.get("filter")
        .filter(|f| !f.is_empty())
        .map(Filter::parse)
        .transpose()
}

/// Which page of members, how many a page and in which order (`review/LIST/PAGE/SIZE/SORTBY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberPage {
    /// From 1 to [`MAX_PAGE`]; 1 unless given.
    pub page: u64,
    /// From 1 to [`MAX_PAGE_SIZE`]; [`PAGE_SIZE`] unless given.
    pub size: u64,
    /// By address unless `name` (`gecos`) or `date` (`subscribed`).
    pub sort: MemberSort,
}

impl MemberPage {
    /// The page, size and sort key of `form`; what is missing or not a number takes its
    /// default, what is out of range the nearest limit.
    pub fn parse(form: &Form) -> MemberPage {
        let number = |name: &str| {
            form.get(name)
                .filter(|v| !v.is_empty())
                .and_then(|v| v.parse::<u64>().ok())
        };
        MemberPage {
            page: number("page").unwrap_or(1).clamp(1, MAX_PAGE),
            size: number("size").unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
            sort: MemberSort::parse(form.get("sortby").unwrap_or("")),
        }
    }

    /// The rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.size
    }
}

/// What `review/LIST/<page>` shows: the owners or the moderators (`review/LIST/owner`, as
/// in WWSympa), or a page of members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// The owners or the moderators.
    Admins(AdminRole),
    /// A page of members, maybe filtered.
    Members(MemberPage, Option<Filter>),
}

impl Review {
    /// What the `page`, `size`, `sortby` and `filter` fields ask for.
    pub fn parse(form: &Form) -> Result<Review, Refusal> {
        if let Some(role) = form.get("page").and_then(AdminRole::parse) {
            return Ok(Review::Admins(role));
        }
        Ok(Review::Members(MemberPage::parse(form), filter(form)?))
    }
}

/// The format of `export_member/LIST/FORMAT`: none shows the page of links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// The page of links.
    Page,
    /// Addresses only (`light`).
    Light,
    /// Addresses with names, modes and dates (anything else).
    Full,
}

impl Export {
    /// The `format` field.
    pub fn parse(form: &Form) -> Export {
        match form.get("format").filter(|f| !f.is_empty()) {
            None => Export::Page,
            Some("light") => Export::Light,
            Some(_) => Export::Full,
        }
    }
}

/// The topic of `lists/TOPIC[/SUBTOPIC]`, as `topic/subtopic`.
pub fn topic(form: &Form) -> Option<String> {
    let part = |name: &str| form.get(name).filter(|v| !v.is_empty());
    match (part("topic"), part("subtopic")) {
        (Some(topic), Some(sub)) => Some(format!("{topic}/{sub}")),
        (Some(topic), None) => Some(topic.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        let mut form = Form::default();
        for (name, value) in pairs {
            form.push(name, value);
        }
        form
    }

    #[test]
    fn member_pages_take_defaults_and_limits() {
        let page = MemberPage::parse(&form(&[]));
        assert_eq!(
            (page.page, page.size, page.sort),
            (1, 25, MemberSort::Email)
        );
        let page = MemberPage::parse(&form(&[
            ("page", "0"),
            ("size", "9999"),
            ("sortby", "date"),
        ]));
        assert_eq!(
            (page.page, page.size, page.sort),
            (1, 500, MemberSort::Date)
        );
        let page = MemberPage::parse(&form(&[("page", "x"), ("size", "0")]));
        assert_eq!((page.page, page.size, page.offset()), (1, 1, 0));
        let page = MemberPage::parse(&form(&[("page", "3"), ("size", "10")]));
        assert_eq!(page.offset(), 20);
    }

    #[test]
    fn review_names_admins_or_members() {
        assert_eq!(
            Review::parse(&form(&[("page", "owner")])).unwrap(),
            Review::Admins(AdminRole::Owner)
        );
        assert!(matches!(
            Review::parse(&form(&[("filter", &"x".repeat(101))])),
            Err(Refusal::TooLong { .. })
        ));
        assert!(matches!(
            Review::parse(&form(&[("filter", "")])).unwrap(),
            Review::Members(_, None)
        ));
    }

    #[test]
    fn typed_text_is_cut_by_characters() {
        assert_eq!(typed(&form(&[("gecos", "éé")]), "gecos", 1).as_str(), "é");
        assert_eq!(typed(&form(&[]), "gecos", 1).as_str(), "");
        assert!(!flag(&form(&[("quiet", "")]), "quiet"));
        assert!(flag(&form(&[("quiet", "on")]), "quiet"));
    }
}
