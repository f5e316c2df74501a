//! Members, owners and moderators of a list, and the options a member chooses.

use std::collections::BTreeMap;

use serde::Serialize;

use super::names::Email;

/// How a member receives the list's messages (Sympa's `reception`, the modes we deliver).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptionMode {
    /// Every message as it comes.
    Mail,
    /// Every message as it comes, except the member's own posts (Sympa's `not_me`).
    NotMe,
    /// A digest of the messages, in MIME (each message whole, as sent).
    Digest,
    /// A digest of the messages in plain text: their text only, attachments left in the
    /// archive (Sympa's `digestplain`).
    #[serde(rename = "digestplain")]
    DigestPlain,
    /// A summary: subjects with archive links.
    Summary,
    /// Nothing (the membership stays).
    Nomail,
}

impl ReceptionMode {
    /// Every mode, in the order pages offer them.
    pub const ALL: &'static [ReceptionMode] = &[
        ReceptionMode::Mail,
        ReceptionMode::NotMe,
        ReceptionMode::Digest,
        ReceptionMode::DigestPlain,
        ReceptionMode::Summary,
        ReceptionMode::Nomail,
    ];

    /// Parses a stored or submitted name; Sympa's `html` is a synonym of `mail`.
    pub fn parse(text: &str) -> Option<ReceptionMode> {
        match text {
            "mail" | "html" => Some(ReceptionMode::Mail),
            "not_me" => Some(ReceptionMode::NotMe),
            "digest" => Some(ReceptionMode::Digest),
            "digestplain" => Some(ReceptionMode::DigestPlain),
            "summary" => Some(ReceptionMode::Summary),
            "nomail" => Some(ReceptionMode::Nomail),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceptionMode::Mail => "mail",
            ReceptionMode::NotMe => "not_me",
            ReceptionMode::Digest => "digest",
            ReceptionMode::DigestPlain => "digestplain",
            ReceptionMode::Summary => "summary",
            ReceptionMode::Nomail => "nomail",
        }
    }
}

/// Whether other members may see a member in `review` (Sympa's member `visibility`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberVisibility {
    /// Shown to whoever may review the list.
    Noconceal,
    /// Shown to owners only.
    Conceal,
}

impl MemberVisibility {
    /// Parses the stored name; anything unknown is `conceal`.
    pub fn parse(text: &str) -> MemberVisibility {
        if text == "noconceal" {
            MemberVisibility::Noconceal
        } else {
            MemberVisibility::Conceal
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberVisibility::Noconceal => "noconceal",
            MemberVisibility::Conceal => "conceal",
        }
    }
}

/// One member of one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The address.
    pub email: Email,
    /// The display name (Sympa's gecos).
    pub name: String,
    /// How messages are received.
    pub reception: ReceptionMode,
    /// Who sees the member.
    pub visibility: MemberVisibility,
    /// The list's custom attributes, by id.
    pub custom_attributes: BTreeMap<String, String>,
    /// When the address was subscribed, in seconds since the epoch.
    pub subscribed_at: i64,
    /// When the membership last changed, in seconds since the epoch.
    pub updated_at: i64,
}

/// Which kind of list administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminRole {
    /// An owner (privileged or not).
    Owner,
    /// A moderator (Sympa's editor).
    Editor,
}

impl AdminRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::Owner => "owner",
            AdminRole::Editor => "editor",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<AdminRole> {
        match text {
            "owner" => Some(AdminRole::Owner),
            "editor" => Some(AdminRole::Editor),
            _ => None,
        }
    }
}

/// One owner or moderator of one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admin {
    /// The address.
    pub email: Email,
    /// Owner or moderator.
    pub role: AdminRole,
    /// A privileged owner (always false for moderators).
    pub privileged: bool,
    /// The display name.
    pub name: String,
}
