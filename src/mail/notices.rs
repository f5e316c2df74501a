//! One function per kind of mail, each rendering `templates/mail/<kind>.txt`.
//!
//! Each returns the composed [`NewMail`] for the caller to queue in its transaction; none
//! sends anything.

use serde_json::json;

use super::{Composer, Error, ListContext};
use crate::domain::{Email, List};
use crate::store::NewMail;

/// Why a password mail is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordReason {
    /// The address has no password yet (`firstpasswd`).
    First,
    /// The password is forgotten or to be changed (`renewpasswd`, `requestpasswd`).
    Renew,
}

/// `sendpasswd`: the one-time ticket link that logs in and leads to choosing a password.
pub fn sendpasswd(
    composer: &Composer<'_>,
    to: &Email,
    ticket_url: &str,
    reason: PasswordReason,
) -> Result<NewMail, Error> {
    composer.compose(
        "sendpasswd",
        to,
        None,
        json!({
            "ticket_url": ticket_url,
            "reason": match reason { PasswordReason::First => "firstpasswd", PasswordReason::Renew => "renewpasswd" },
            "lifetime_hours": composer.config.one_time_ticket_lifetime / 3600,
        }),
    )
}

/// What a confirmation or an owner notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// Joining the list.
    Subscribe,
    /// Leaving the list.
    Signoff,
}

impl RequestKind {
    /// The word in `/auth/<key>/<word>` URLs (Sympa's held action).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Subscribe => "subscribe",
            RequestKind::Signoff => "signoff",
        }
    }
}

/// `confirmation`: asks the owner of `to` to confirm a request at `confirm_url` (Sympa's `request_auth`).
pub fn confirmation(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    kind: RequestKind,
    confirm_url: &str,
    lifetime_hours: u64,
) -> Result<NewMail, Error> {
    composer.compose(
        "confirmation",
        to,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({
            "kind": kind.as_str(),
            "confirm_url": confirm_url,
            "lifetime_hours": lifetime_hours,
        }),
    )
}

/// `welcome`: tells a new member how the list works; carries the one-click unsubscribe
/// headers. `list_text` is the owners' `welcome.tt2`, put in place of the default
/// introduction (as plain text, never evaluated); the address, the list's links and the
/// unsubscribe link are always there.
pub fn welcome(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    oneclick_url: &str,
    list_text: Option<&str>,
) -> Result<NewMail, Error> {
    composer.compose(
        "welcome",
        to,
        Some(&ListContext {
            list,
            oneclick_url: Some(oneclick_url.to_string()),
        }),
        json!({ "oneclick_url": oneclick_url, "list_text": list_text }),
    )
}

/// `goodbye`: tells a former member they left (Sympa's `bye`), or were removed by an owner
/// (`removed`, Sympa's `removed.tt2`). `list_text` is the owners' `bye.tt2` or `removed.tt2`,
/// added after the facts (as plain text, never evaluated).
pub fn goodbye(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    removed: bool,
    list_text: Option<&str>,
) -> Result<NewMail, Error> {
    composer.compose(
        "goodbye",
        to,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({ "removed": removed, "list_text": list_text }),
    )
}

/// `remind`: reminds a member that they are subscribed, with which address, and how to
/// leave (Sympa's `remind.tt2`); carries the one-click unsubscribe headers. `list_text` is
/// the owners' `remind.tt2`, put in place of the default introduction (as plain text).
pub fn remind(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    oneclick_url: &str,
    list_text: Option<&str>,
) -> Result<NewMail, Error> {
    composer.compose(
        "remind",
        to,
        Some(&ListContext {
            list,
            oneclick_url: Some(oneclick_url.to_string()),
        }),
        json!({ "oneclick_url": oneclick_url, "list_text": list_text }),
    )
}

/// What an owner notice reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerNotice {
    /// Someone subscribed (`*_notify` policies).
    Subscribed,
    /// Someone unsubscribed.
    Unsubscribed,
    /// A subscription waits for a decision.
    SubscribeRequest,
    /// An unsubscription waits for a decision.
    SignoffRequest,
}

impl OwnerNotice {
    /// The owners' page of the requests waiting like this one, if it is a request.
    fn requests_action(self) -> Option<&'static str> {
        match self {
            OwnerNotice::SubscribeRequest => Some("subindex"),
            OwnerNotice::SignoffRequest => Some("sigindex"),
            OwnerNotice::Subscribed | OwnerNotice::Unsubscribed => None,
        }
    }

    /// The code the template turns into a sentence in the owner's language.
    fn code(self) -> &'static str {
        match self {
            OwnerNotice::Subscribed => "subscribed",
            OwnerNotice::Unsubscribed => "unsubscribed",
            OwnerNotice::SubscribeRequest => "subscribe_request",
            OwnerNotice::SignoffRequest => "signoff_request",
        }
    }
}

/// `owner_notice`: tells one owner about `member` (Sympa's `listowner_notification`);
/// `decide_url` leads to the held request when there is one.
pub fn owner_notice(
    composer: &Composer<'_>,
    owner: &Email,
    list: &List,
    notice: OwnerNotice,
    member: &Email,
    member_name: &str,
    decide_url: Option<&str>,
) -> Result<NewMail, Error> {
    composer.compose(
        "owner_notice",
        owner,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({
            "notice": notice.code(),
            "email": member.as_str(),
            "name": member_name,
            "decide_url": decide_url,
            "requests_action": notice.requests_action(),
        }),
    )
}

/// `declined`: tells the requester the owners declined the held subscription or
/// unsubscription (Sympa's `reject` of a held request); `kind` says which.
pub fn declined(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    kind: RequestKind,
) -> Result<NewMail, Error> {
    composer.compose(
        "declined",
        to,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({ "kind": kind.as_str() }),
    )
}

/// `list_requested`: tells a listmaster that `requester` asked for `list`, which waits,
/// pending, for a listmaster to open or remove it (Sympa's `listmaster_notification` of
/// type `request_list_creation`).
pub fn list_requested(
    composer: &Composer<'_>,
    listmaster: &Email,
    list: &List,
    requester: &str,
) -> Result<NewMail, Error> {
    composer.compose(
        "list_requested",
        listmaster,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({ "requester": requester, "description": list.description }),
    )
}

/// `list_installed`: tells the owner who asked for `list` that a listmaster (`by`, empty
/// for the shell) opened it (Sympa's `list_created` notice to the requester).
pub fn list_installed(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    by: &str,
) -> Result<NewMail, Error> {
    composer.compose(
        "list_installed",
        to,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({ "by": by }),
    )
}

/// `list_rejected`: tells the owner who asked for `list` that it was removed before it was
/// opened, by `by` (a listmaster, or the owner withdrawing it; empty for the shell), with
/// the reason they gave, if any (Sympa's `list_rejected` notice).
pub fn list_rejected(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    by: &str,
    reason: &str,
) -> Result<NewMail, Error> {
    composer.compose(
        "list_rejected",
        to,
        Some(&ListContext {
            list,
            oneclick_url: None,
        }),
        json!({ "by": by, "reason": reason }),
    )
}
