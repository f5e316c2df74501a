//! Lists as the interface shows them: visibility and the summary used by the home and lists pages.

use serde::Serialize;

use super::names::ListName;

/// Who may see that a list exists (Sympa's `visibility` scenario, reduced to its common values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone, including anonymous visitors.
    Noconceal,
    /// Only its members, owners and moderators, and listmasters.
    Conceal,
    /// Any logged-in user.
    Intranet,
}

impl Visibility {
    /// Parses the stored name; unknown values are treated as the safest, `conceal`.
    pub fn parse(text: &str) -> Visibility {
        match text {
            "noconceal" => Visibility::Noconceal,
            "intranet" => Visibility::Intranet,
            _ => Visibility::Conceal,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Noconceal => "noconceal",
            Visibility::Conceal => "conceal",
            Visibility::Intranet => "intranet",
        }
    }
}

/// What the lists pages show of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListSummary {
    /// The list's name.
    pub name: ListName,
    /// Its subject line.
    pub subject: String,
    /// Its topics, as stored (Sympa's `topics`, comma-separated).
    pub topics: Vec<String>,
    /// Who may see it.
    pub visibility: Visibility,
}

/// A list's row id in the store; only the store makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ListId(pub i64);

/// One list with everything the rules and the info page need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct List {
    /// The store's id.
    pub id: ListId,
    /// The list's name.
    pub name: ListName,
    /// Its mail domain (Sympa's robot).
    pub domain: String,
    /// Its subject line.
    pub subject: String,
    /// Its description (plain text).
    pub description: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// Its policies.
    pub policy: super::policy::ListPolicy,
    /// Whether it is in service.
    pub status: super::policy::ListStatus,
    /// How many members it had when it was read (the store keeps the count).
    pub member_count: u64,
    /// Its language tag (`fr`), or "" for the site's: the language of its pages for visitors
    /// whose browser names none the site has, and of mail to members without a preference.
    pub lang: String,
}

impl List {
    /// The list's address, `name@domain`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.name, self.domain)
    }

    /// The `List-Id` value (RFC 2919): `<name.domain>`.
    pub fn list_id_header(&self) -> String {
        format!("<{}.{}>", self.name, self.domain)
    }
}
