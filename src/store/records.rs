//! The records the store takes and gives back: plain data, the same whatever the database.

use std::collections::BTreeMap;

use crate::domain::{Email, ListId, ListName, MemberVisibility, ReceptionMode, User, Visibility};

// Accounts, sessions and tickets.

/// An account with what only operations may see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The account.
    pub user: User,
    /// The argon2id PHC string, if a password was chosen.
    pub password_hash: Option<String>,
}

/// What `create_user` needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The address.
    pub email: Email,
    /// The display name.
    pub name: String,
    /// The password hash, if any.
    pub password_hash: Option<String>,
    /// A listmaster of the domain.
    pub listmaster: bool,
}

/// A live session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// The row id (not the secret id, which only the cookie has).
    pub id: i64,
    /// The logged-in address; `None` while anonymous.
    pub email: Option<Email>,
    /// Free-form data (language, where to go after login).
    pub data: serde_json::Map<String, serde_json::Value>,
    /// Last refresh, in seconds since the epoch.
    pub refreshed_at: i64,
}

/// A ticket that was just used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    /// The address it was mailed to.
    pub email: Email,
    /// Where it leads.
    pub purpose: String,
}

// Lists.

/// What `create_list` needs.
#[derive(Debug, Clone)]
pub struct NewList {
    /// The list's name.
    pub name: ListName,
    /// Its subject line.
    pub subject: String,
    /// Its description.
    pub description: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// Who may see it.
    pub visibility: Visibility,
}

// The outbox.

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// The template it came from (`sendpasswd`, `welcome`, ...).
    pub kind: String,
    /// The list concerned, if any.
    pub list: Option<ListId>,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 bytes.
    pub message: Vec<u8>,
}

/// A message a sender has claimed and must now try.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    /// Its row id.
    pub id: i64,
    /// The template it came from.
    pub kind: String,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 bytes.
    pub message: Vec<u8>,
    /// Tries before this one.
    pub attempts: u32,
    /// When it was queued, in seconds since the epoch.
    pub created_at: i64,
}

/// How many messages are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting (first try or a retry).
    pub pending: u64,
    /// Claimed by a sender right now.
    pub sending: u64,
    /// Handed to the MTA.
    pub sent: u64,
    /// Given up.
    pub failed: u64,
}

// Members and held requests.

/// What `add_member` needs.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// The address.
    pub email: Email,
    /// The display name.
    pub name: String,
    /// How messages are received.
    pub reception: ReceptionMode,
    /// Who sees the member.
    pub visibility: MemberVisibility,
    /// Custom attributes.
    pub custom_attributes: BTreeMap<String, String>,
}

impl NewMember {
    /// A member with the default options.
    pub fn new(email: Email) -> NewMember {
        NewMember {
            email,
            name: String::new(),
            reception: ReceptionMode::Mail,
            visibility: MemberVisibility::Noconceal,
            custom_attributes: BTreeMap::new(),
        }
    }
}

/// What `create_pending` needs; the key arrives hashed.
#[derive(Debug, Clone)]
pub struct NewPending {
    /// SHA-256 of the confirmation key.
    pub key_hash: String,
    /// The list.
    pub list: ListId,
    /// `subscribe`, `signoff`, `add`, `del`.
    pub kind: String,
    /// The address concerned.
    pub email: Email,
    /// Who asked, if known.
    pub requested_by: Option<Email>,
    /// `confirm` (waits for the address's owner) or `owner` (waits for a list owner).
    pub state: String,
    /// Extra data (name, custom attributes, ...).
    pub data: serde_json::Value,
    /// Lifetime in seconds.
    pub ttl: i64,
}

/// A held request.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRecord {
    /// Its row id.
    pub id: i64,
    /// The list.
    pub list: ListId,
    /// `subscribe`, `signoff`, `add`, `del`.
    pub kind: String,
    /// The address concerned.
    pub email: Email,
    /// Who asked, if known.
    pub requested_by: Option<Email>,
    /// `confirm` or `owner`.
    pub state: String,
    /// Extra data.
    pub data: serde_json::Value,
    /// When it was made.
    pub created_at: i64,
}

// Review pages.

/// How review pages are sorted (Sympa's `sortby`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberSort {
    /// By address.
    Email,
    /// By display name, then address.
    Name,
    /// By subscription date, oldest first, then address.
    Date,
}

impl MemberSort {
    /// Parses Sympa's `sortby` words; anything else is by address.
    pub fn parse(text: &str) -> MemberSort {
        match text {
            "name" | "gecos" => MemberSort::Name,
            "date" | "subscribed" => MemberSort::Date,
            _ => MemberSort::Email,
        }
    }

    /// The word in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberSort::Email => "email",
            MemberSort::Name => "name",
            MemberSort::Date => "date",
        }
    }
}

/// Which members a review page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberQuery<'a> {
    /// Only members whose address or name contains this (case-insensitive).
    pub filter: Option<&'a str>,
    /// Include members who asked to be concealed (owners only).
    pub include_concealed: bool,
    /// Sort order.
    pub sort: MemberSort,
    /// Rows skipped.
    pub offset: u64,
    /// Rows returned.
    pub limit: u64,
}

// The audit log.

/// An audit row as read back: (actor, action, target).
pub type AuditLine = (Option<String>, String, Option<String>);

/// One line of the audit log: who changed what.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// The requester, if known.
    pub actor: Option<&'a Email>,
    /// The client address.
    pub remote_addr: Option<String>,
    /// `web`, `soap` or `cli`.
    pub channel: &'a str,
    /// What was done (`login`, `setpasswd`, `subscribe`, ...).
    pub action: &'a str,
    /// The list concerned.
    pub list: Option<ListId>,
    /// The address acted upon.
    pub target: Option<&'a Email>,
    /// Anything else worth keeping.
    pub detail: serde_json::Value,
}
