//! A member's own requests: subscribe, unsubscribe, confirm by mailed key, one-click
//! unsubscribe, and change one's options; each decided by the list's policies.
//!
//! Requests that wait (for the address's owner or for a list owner) are held in the store
//! with a 256-bit key; only its hash is kept. The key's link is WWSympa's
//! `<base>/auth/<key>/<word>[/LIST]?email=ADDR`, where the word says what is confirmed:
//! `subscribe` / `signoff` for the address's owner, `add` / `del` for a list owner.

mod confirm;
mod oneclick;
pub mod options;
mod request;

pub use confirm::{confirm, held_request, HeldRequest};
pub use oneclick::{oneclick, oneclick_target};
pub use options::{
    membership, set_custom, set_options, OptionsChange, MAX_CUSTOM_ATTRIBUTES, MAX_CUSTOM_KEY,
    MAX_CUSTOM_VALUE,
};
pub use request::{questions, signoff, subscribe, subscribe_asking};

use serde_json::json;

use super::{check_length, parse_email, Error, Field, Refusal, Requester, Tx};
use crate::domain::text;
use crate::domain::user::MAX_NAME_CHARS;
use crate::domain::{AdminRole, Email, List};
use crate::mail::notices::{self, OwnerNotice, RequestKind};
use crate::store::{NewMember, PendingRecord};

/// How long a one-click unsubscribe link works, in days. Sympa's are valid 7 days; mail
/// sits in mailboxes much longer, and the link only ever unsubscribes the address it was
/// made for, so ours work for about two months.
pub const ONECLICK_VALIDITY_DAYS: i64 = 60;

/// How long an address's owner waits before asking again for the same confirmation sends a
/// new mail, in seconds: within it, asking again changes nothing and mails nothing (the
/// link already sent still works), so repeated requests cannot flood the address.
pub const CONFIRMATION_RESEND_AFTER: i64 = 3600;

/// How long a request held for a list owner waits, in seconds (30 days).
pub const OWNER_REQUEST_TTL: i64 = 30 * 24 * 3600;

/// What became of a subscription or unsubscription request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the address joined the list.
    Subscribed,
    /// Done: the address left the list.
    Unsubscribed,
    /// A link was mailed to the address; nothing happens until it is followed. For an
    /// anonymous signoff the answer is the same whether the address is a member or not.
    ConfirmationSent,
    /// The request waits for a list owner.
    HeldForOwner,
}

/// Checks a display name typed by someone.
pub fn check_name(name: &str) -> Result<String, Refusal> {
    check_length(Field::Name, name, MAX_NAME_CHARS)?;
    if text::unfit_for_one_line(name) {
        return Err(Refusal::HiddenCharacters { field: Field::Name });
    }
    Ok(name.trim().to_string())
}

/// The address a request is about: the requester's own when logged in, else the one typed.
fn address(requester: &Requester, typed: Option<&str>) -> Result<Email, Refusal> {
    if let Some(own) = &requester.email {
        return Ok(own.clone());
    }
    let typed = typed.unwrap_or("");
    check_length(Field::Email, typed, 254)?;
    parse_email(typed)
}

/// Tells every owner of `list` about `member`.
fn notify_owners(
    tx: &mut Tx<'_, '_>,
    list: &List,
    notice: OwnerNotice,
    member: &Email,
    name: &str,
    decide_url: Option<&str>,
) -> Result<(), Error> {
    let owners: Vec<Email> = tx
        .db
        .admins(list.id)?
        .into_iter()
        .filter(|admin| admin.role == AdminRole::Owner)
        .map(|admin| admin.email)
        .collect();
    for owner in owners {
        let mail =
            notices::owner_notice(&tx.composer, &owner, list, notice, member, name, decide_url);
        tx.queue(mail)?;
    }
    Ok(())
}

/// Adds `email` as a member with the welcome mail (unless `quiet`) and the owners' notice
/// (when `notify`); refuses an address that is a member already.
#[allow(clippy::too_many_arguments)]
pub(crate) fn join(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    name: &str,
    oneclick_url: &str,
    quiet: bool,
    notify: bool,
    audit_action: &str,
) -> Result<(), Error> {
    if tx.db.member(list.id, email)?.is_some() {
        return Err(Refusal::AlreadyMember.into());
    }
    let mut member = NewMember::new(email.clone());
    member.name = name.to_string();
    member.reception = tx.db.list_default_reception(list.id)?;
    tx.db.add_member(list.id, &member)?;
    if !quiet {
        let text = super::texts::stored(tx.db, list, "welcome.tt2")?;
        let mail = notices::welcome(&tx.composer, email, list, oneclick_url, text.as_deref());
        tx.queue(mail)?;
    }
    if notify {
        notify_owners(tx, list, OwnerNotice::Subscribed, email, name, None)?;
    }
    tx.audit(
        audit_action,
        Some(list),
        Some(email),
        json!({ "quiet": quiet }),
    )
}

/// Queues the goodbye mail to a former member of `list`: Sympa's `removed.tt2` when someone
/// else removed them (`removed`), `bye.tt2` when they left, with the owners' text of that name.
pub(crate) fn queue_goodbye(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    removed: bool,
) -> Result<(), Error> {
    let name = if removed { "removed.tt2" } else { "bye.tt2" };
    let text = super::texts::stored(tx.db, list, name)?;
    let mail = notices::goodbye(&tx.composer, email, list, removed, text.as_deref());
    tx.queue(mail)
}

/// Removes `email` with the goodbye mail (unless `quiet`) and the owners' notice (when
/// `notify`); refuses an address that is not a member.
pub(crate) fn leave(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    quiet: bool,
    notify: bool,
    audit_action: &str,
) -> Result<(), Error> {
    if !tx.db.remove_member(list.id, email)? {
        return Err(Refusal::NotAMember.into());
    }
    if !quiet {
        // An owner's removal (`del`) gets Sympa's `removed.tt2`, a member's own leaving `bye.tt2`.
        queue_goodbye(tx, list, email, audit_action == "del")?;
    }
    if notify {
        notify_owners(tx, list, OwnerNotice::Unsubscribed, email, "", None)?;
    }
    tx.audit(
        audit_action,
        Some(list),
        Some(email),
        json!({ "quiet": quiet }),
    )
}

/// Carries out a request held for the owners once one of them accepts it, whichever way:
/// the mailed link (`auth/KEY/add|del`) or the owners' pages (`auth_add`, `auth_del`). The
/// address joins with the welcome mail (`oneclick_url` goes into it; unused for a signoff)
/// or leaves with the goodbye mail, unless `quiet`; the owners are told when the policy
/// said so at request time; the audit row is `auth_add` / `auth_del`. The caller deletes the
/// request in the same transaction.
pub(crate) fn accept_held(
    tx: &mut Tx<'_, '_>,
    list: &List,
    kind: RequestKind,
    pending: &PendingRecord,
    oneclick_url: &str,
    quiet: bool,
) -> Result<(), Error> {
    let notify = pending.data["notify_owners"].as_bool().unwrap_or(false);
    let email = &pending.email;
    match kind {
        RequestKind::Subscribe => {
            let name = pending.data["name"].as_str().unwrap_or("");
            join(
                tx,
                list,
                email,
                name,
                oneclick_url,
                quiet,
                notify,
                "auth_add",
            )?;
            request::keep_custom(tx, list, email, &pending.data["custom"])
        }
        RequestKind::Signoff => leave(tx, list, email, quiet, notify, "auth_del"),
    }
}
