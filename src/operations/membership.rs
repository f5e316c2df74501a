//! A member's own requests: subscribe, unsubscribe, confirm by mailed key, one-click
//! unsubscribe, and change one's options; each decided by the list's policies.
//!
//! Requests that wait (for the address's owner or for a list owner) are held in the store
//! with a 256-bit key; only its hash is kept. The key's link is WWSympa's
//! `<base>/auth/<key>/<word>[/LIST]?email=ADDR`, where the word says what is confirmed:
//! `subscribe` / `signoff` for the address's owner, `add` / `del` for a list owner.

use serde_json::json;

use super::limits::{
    CONFIRMATION_MAIL_PER_ADDRESS, SUBSCRIBE_PER_CLIENT, SUBSCRIBE_PER_CLIENT_ADDRESS,
};
use super::{check_length, encode, parse_email, Env, Error, Refusal, Requester, Tx};
use crate::auth;
use crate::domain::text;
use crate::domain::user::MAX_NAME_CHARS;
use crate::domain::{
    ActionKind, AdminRole, Decision, Email, List, ListName, ListStatus, Member, MemberVisibility,
    Reason, ReceptionMode,
};
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
    check_length("gecos", name, MAX_NAME_CHARS)?;
    if text::unfit_for_one_line(name) {
        return Err(Refusal::HiddenCharacters { field: "gecos" });
    }
    Ok(name.trim().to_string())
}

/// The address a request is about: the requester's own when logged in, else the one typed.
fn address(requester: &Requester, typed: Option<&str>) -> Result<Email, Refusal> {
    if let Some(own) = &requester.email {
        return Ok(own.clone());
    }
    let typed = typed.unwrap_or("");
    check_length("email", typed, 254)?;
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
    tx.db.add_member(list.id, &member)?;
    if !quiet {
        let mail = notices::welcome(&tx.composer, email, list, oneclick_url);
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
        let mail = notices::goodbye(&tx.composer, email, list);
        tx.queue(mail)?;
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
            )
        }
        RequestKind::Signoff => leave(tx, list, email, quiet, notify, "auth_del"),
    }
}

/// Holds a request for the list's owners and mails them the link that accepts it; a request
/// already waiting for the same address is not doubled.
fn hold_for_owner(
    tx: &mut Tx<'_, '_>,
    list: &List,
    kind: RequestKind,
    email: &Email,
    name: &str,
    notify: bool,
) -> Result<(), Error> {
    if tx
        .db
        .pending_for(list.id, kind.as_str(), email, "owner")?
        .is_some()
    {
        return Ok(());
    }
    let key = auth::random_token()?;
    tx.db.create_pending(&crate::store::NewPending {
        key_hash: auth::token_hash(&key),
        list: list.id,
        kind: kind.as_str().into(),
        email: email.clone(),
        requested_by: tx.requester.email.clone(),
        state: "owner".into(),
        data: json!({ "name": name, "notify_owners": notify }),
        ttl: OWNER_REQUEST_TTL,
    })?;
    let (word, notice) = match kind {
        RequestKind::Subscribe => ("add", OwnerNotice::SubscribeRequest),
        RequestKind::Signoff => ("del", OwnerNotice::SignoffRequest),
    };
    let url = format!(
        "{}/auth/{key}/{word}/{}?email={}",
        tx.composer.config.base_url(),
        list.name,
        encode(email.as_str())
    );
    notify_owners(tx, list, notice, email, name, Some(&url))?;
    tx.audit(
        &format!("{}_held", kind.as_str()),
        Some(list),
        Some(email),
        json!({}),
    )
}

/// Holds a request until the address's owner follows the mailed link; `data` keeps the
/// name, `notify_owners` and `then_owner` for when it comes back.
///
/// One request per list, kind and address: asking again within
/// [`CONFIRMATION_RESEND_AFTER`] does nothing (the link sent still works); later, the
/// request is renewed with a new link (the old one stops working). Past
/// [`CONFIRMATION_MAIL_PER_ADDRESS`] mails to the address in an hour, nothing is mailed.
/// The requester's answer is the same in every case.
fn hold_for_confirmation(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    kind: RequestKind,
    email: &Email,
    data: serde_json::Value,
) -> Result<(), Error> {
    let recent = env
        .db()
        .pending_for(list.id, kind.as_str(), email, "confirm")?
        .is_some_and(|held| crate::store::now() - held.created_at < CONFIRMATION_RESEND_AFTER);
    if recent {
        log::info!(
            "{} request for {email} on {} already mailed lately",
            kind.as_str(),
            list.name
        );
        return Ok(());
    }
    if env.over_limit(&CONFIRMATION_MAIL_PER_ADDRESS, email.as_str())? {
        log::warn!("confirmation to {email} not sent: {CONFIRMATION_MAIL_PER_ADDRESS:?} reached");
        return Ok(());
    }
    let key = auth::random_token()?;
    let url = format!(
        "{}/auth/{key}/{}?email={}",
        env.config.base_url(),
        kind.as_str(),
        encode(email.as_str())
    );
    let ttl = env.config.one_time_ticket_lifetime as i64;
    env.transaction(requester, |tx| {
        tx.db.create_pending(&crate::store::NewPending {
            key_hash: auth::token_hash(&key),
            list: list.id,
            kind: kind.as_str().into(),
            email: email.clone(),
            requested_by: tx.requester.email.clone(),
            state: "confirm".into(),
            data,
            ttl,
        })?;
        let mail = notices::confirmation(
            &tx.composer,
            email,
            list,
            kind,
            &url,
            (ttl / 3600).max(1) as u64,
        );
        tx.queue(mail)?;
        tx.audit(
            &format!("{}_request", kind.as_str()),
            Some(list),
            Some(email),
            json!({}),
        )
    })
}

/// The rate limits of a subscription or unsubscription request: per client and per client
/// and address for anonymous requests (who may type anyone's address); none for a logged-in
/// requester, who acts on their own address only and cannot be locked out of it by others.
fn limit_anonymous(env: &Env<'_>, requester: &Requester, email: &Email) -> Result<(), Error> {
    if requester.email.is_some() {
        return Ok(());
    }
    env.rate_limit_client(
        &SUBSCRIBE_PER_CLIENT,
        &SUBSCRIBE_PER_CLIENT_ADDRESS,
        requester.remote_addr,
        email.as_str(),
    )
}

/// `subscribe`: joins `list` as the policy says. A logged-in requester subscribes their own
/// address; an anonymous one types it and always confirms by mail first.
pub fn subscribe(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    typed_email: Option<&str>,
    name: &str,
) -> Result<Outcome, Error> {
    let name = check_name(name)?;
    let email = address(requester, typed_email)?;
    let decision = env.authorize(requester, list, ActionKind::Subscribe)?;
    // Members learn they are members; anonymous visitors learn it only from the mailed link.
    if requester.email.is_some() && env.db().member(list.id, &email)?.is_some() {
        return Err(Refusal::AlreadyMember.into());
    }
    limit_anonymous(env, requester, &email)?;
    match decision {
        Decision::Allow { notify_owners } => {
            let oneclick = env.oneclick_url(list, &email)?;
            env.transaction(requester, |tx| {
                join(
                    tx,
                    list,
                    &email,
                    &name,
                    &oneclick,
                    false,
                    notify_owners,
                    "subscribe",
                )
            })?;
            Ok(Outcome::Subscribed)
        }
        Decision::NeedsConfirmation {
            notify_owners,
            then_owner,
        } => {
            hold_for_confirmation(
                env,
                requester,
                list,
                RequestKind::Subscribe,
                &email,
                json!({ "name": name, "notify_owners": notify_owners, "then_owner": then_owner }),
            )?;
            Ok(Outcome::ConfirmationSent)
        }
        Decision::NeedsOwnerApproval { notify_owners } => {
            env.transaction(requester, |tx| {
                hold_for_owner(
                    tx,
                    list,
                    RequestKind::Subscribe,
                    &email,
                    &name,
                    notify_owners,
                )
            })?;
            Ok(Outcome::HeldForOwner)
        }
        Decision::Refuse(reason) => Err(Refusal::Denied(reason).into()),
    }
}

/// `signoff`: leaves `list` as the unsubscribe policy says. Anonymous requests always
/// confirm by mail, and get the same answer whether the address is a member or not.
pub fn signoff(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    typed_email: Option<&str>,
) -> Result<Outcome, Error> {
    let email = address(requester, typed_email)?;
    let decision = env.authorize(requester, list, ActionKind::Signoff)?;
    limit_anonymous(env, requester, &email)?;
    let is_member = env.db().member(list.id, &email)?.is_some();
    match decision {
        Decision::Allow { notify_owners } => {
            env.transaction(requester, |tx| {
                leave(tx, list, &email, false, notify_owners, "signoff")
            })?;
            Ok(Outcome::Unsubscribed)
        }
        Decision::NeedsConfirmation {
            notify_owners,
            then_owner,
        } => {
            if is_member {
                hold_for_confirmation(
                    env,
                    requester,
                    list,
                    RequestKind::Signoff,
                    &email,
                    json!({ "notify_owners": notify_owners, "then_owner": then_owner }),
                )?;
            }
            Ok(Outcome::ConfirmationSent)
        }
        Decision::NeedsOwnerApproval { notify_owners } => {
            if !is_member {
                return Err(Refusal::NotAMember.into());
            }
            env.transaction(requester, |tx| {
                hold_for_owner(tx, list, RequestKind::Signoff, &email, "", notify_owners)
            })?;
            Ok(Outcome::HeldForOwner)
        }
        Decision::Refuse(reason) => Err(Refusal::Denied(reason).into()),
    }
}

/// A held request found by its mailed key, with its list.
#[derive(Debug, Clone)]
pub struct HeldRequest {
    /// The request.
    pub pending: PendingRecord,
    /// Its list.
    pub list: List,
    /// The word of its link: `subscribe`, `signoff`, `add` or `del`.
    pub word: &'static str,
}

/// The link word of a held request.
fn word_of(kind: &str, state: &str) -> Option<&'static str> {
    match (kind, state) {
        ("subscribe", "confirm") => Some("subscribe"),
        ("signoff", "confirm") => Some("signoff"),
        ("subscribe", "owner") => Some("add"),
        ("signoff", "owner") => Some("del"),
        _ => None,
    }
}

/// Finds the live request of a mailed link `auth/<key>/<word>?email=`: an unknown, used,
/// expired or forged key, another word or another address are all [`Refusal::InvalidLink`].
pub fn held_request(
    env: &Env<'_>,
    key: &str,
    word: &str,
    email: Option<&str>,
) -> Result<HeldRequest, Error> {
    let invalid = || Error::Refused(Refusal::InvalidLink);
    if !auth::looks_like_token(key) {
        return Err(invalid());
    }
    let pending = env
        .db()
        .pending_by_key(&auth::token_hash(key))?
        .ok_or_else(invalid)?;
    let expected = word_of(&pending.kind, &pending.state).ok_or_else(invalid)?;
    if expected != word {
        return Err(invalid());
    }
    if let Some(email) = email.filter(|e| !e.is_empty()) {
        if Email::parse(email).ok().as_ref() != Some(&pending.email) {
            return Err(invalid());
        }
    }
    let list = env
        .db()
        .list_by_id(pending.list)?
        .filter(|list| list.status == ListStatus::Open)
        .ok_or_else(invalid)?;
    Ok(HeldRequest {
        pending,
        list,
        word: expected,
    })
}

/// `auth`: carries out the request of a mailed link, once. A replayed link is
/// [`Refusal::InvalidLink`]; a subscription of an address that joined meanwhile is
/// [`Refusal::AlreadyMember`], and then nothing changes.
pub fn confirm(
    env: &mut Env<'_>,
    requester: &Requester,
    key: &str,
    word: &str,
    email: Option<&str>,
) -> Result<(Outcome, HeldRequest), Error> {
    let held = held_request(env, key, word, email)?;
    let list = held.list.clone();
    let pending = held.pending.clone();
    let name = pending.data["name"].as_str().unwrap_or("").to_string();
    let notify = pending.data["notify_owners"].as_bool().unwrap_or(false);
    let then_owner = pending.data["then_owner"].as_bool().unwrap_or(false);
    let oneclick = env.oneclick_url(&list, &pending.email)?;
    let outcome = env.transaction(requester, |tx| {
        if !tx.db.delete_pending(pending.id)? {
            return Err(Refusal::InvalidLink.into());
        }
        let email = &pending.email;
        match held.word {
            "subscribe" if then_owner => {
                if tx.db.member(list.id, email)?.is_some() {
                    return Err(Refusal::AlreadyMember.into());
                }
                hold_for_owner(tx, &list, RequestKind::Subscribe, email, &name, notify)?;
                Ok(Outcome::HeldForOwner)
            }
            "signoff" if then_owner => {
                if tx.db.member(list.id, email)?.is_none() {
                    return Err(Refusal::NotAMember.into());
                }
                hold_for_owner(tx, &list, RequestKind::Signoff, email, "", notify)?;
                Ok(Outcome::HeldForOwner)
            }
            "add" => {
                accept_held(
                    tx,
                    &list,
                    RequestKind::Subscribe,
                    &pending,
                    &oneclick,
                    false,
                )?;
                Ok(Outcome::Subscribed)
            }
            "del" => {
                accept_held(tx, &list, RequestKind::Signoff, &pending, &oneclick, false)?;
                Ok(Outcome::Unsubscribed)
            }
            "subscribe" => {
                join(
                    tx,
                    &list,
                    email,
                    &name,
                    &oneclick,
                    false,
                    notify,
                    "subscribe",
                )?;
                Ok(Outcome::Subscribed)
            }
            _ => {
                leave(tx, &list, email, false, notify, "signoff")?;
                Ok(Outcome::Unsubscribed)
            }
        }
    })?;
    Ok((outcome, held))
}

/// Checks a one-click id (`<day>-<mac>`) for `email` on the list called `list_name`; any
/// mismatch, an old id or a closed list is [`Refusal::InvalidLink`].
pub fn oneclick_target(
    env: &Env<'_>,
    list_name: &str,
    id: &str,
    email: &str,
) -> Result<(List, Email), Error> {
    let invalid = || Error::Refused(Refusal::InvalidLink);
    let name = ListName::parse(list_name).map_err(|_| invalid())?;
    let email = Email::parse(email).map_err(|_| invalid())?;
    let list = env
        .db()
        .list_by_name(&env.config.domain, &name)?
        .filter(|list| list.status == ListStatus::Open)
        .ok_or_else(invalid)?;
    let secret = env.site_secret("oneclick")?;
    let today = crate::store::now().div_euclid(86_400);
    if !auth::check_oneclick(
        &secret,
        &list.address(),
        email.as_str(),
        id,
        today,
        ONECLICK_VALIDITY_DAYS,
    ) {
        return Err(invalid());
    }
    Ok((list, email))
}

/// `oneclick` (RFC 8058): unsubscribes the address the signed id was made for, without a
/// login and without the list's unsubscribe policy (the id proves the mailbox, as in
/// Sympa). Returns false when the address was no member (anymore): nothing to do.
pub fn oneclick(
    env: &mut Env<'_>,
    requester: &Requester,
    list_name: &str,
    id: &str,
    email: &str,
) -> Result<(bool, List), Error> {
    let (list, email) = oneclick_target(env, list_name, id, email)?;
    let removed = env.transaction(requester, |tx| {
        match leave(tx, &list, &email, false, false, "oneclick") {
            Ok(()) => Ok(true),
            Err(Error::Refused(Refusal::NotAMember)) => Ok(false),
            Err(e) => Err(e),
        }
    })?;
    Ok((removed, list))
}

/// What a member may change of a membership (`set`, `suboptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsChange<'a> {
    /// The member concerned; `None` for the requester's own membership.
    pub email: Option<&'a str>,
    /// The reception mode's name; `None` keeps it.
    pub reception: Option<&'a str>,
    /// `conceal` or `noconceal`; `None` keeps it.
    pub visibility: Option<&'a str>,
    /// The display name; `None` keeps it.
    pub name: Option<&'a str>,
}

/// The membership of `email` (the requester's own when `None`), if the requester may see it.
pub fn membership(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    email: Option<&str>,
) -> Result<Member, Error> {
    let (email, kind) = target(requester, email)?;
    env.authorize(requester, list, kind)?;
    env.db()
        .member(list.id, &email)?
        .ok_or_else(|| Refusal::NotAMember.into())
}

/// Whose membership, and what the requester needs for it: their own needs membership,
/// another's needs the right to manage members.
fn target(requester: &Requester, email: Option<&str>) -> Result<(Email, ActionKind), Error> {
    let own = requester.email.clone();
    let email = match email.filter(|e| !e.is_empty()) {
        Some(typed) => {
            check_length("email", typed, 254)?;
            parse_email(typed)?
        }
        None => own.clone().ok_or(Refusal::Denied(Reason::LoginRequired))?,
    };
    let kind = if Some(&email) == own.as_ref() {
        ActionKind::EditOwnMembership
    } else {
        ActionKind::ManageMembers
    };
    Ok((email, kind))
}

/// `set`: changes reception mode, visibility and display name of a membership.
pub fn set_options(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    change: &OptionsChange<'_>,
) -> Result<Member, Error> {
    let current = membership(env, requester, list, change.email)?;
    let reception = match change.reception.filter(|r| !r.is_empty()) {
        None => current.reception,
        Some(text) => {
            ReceptionMode::parse(text).ok_or(Refusal::InvalidValue { field: "reception" })?
        }
    };
    let visibility = match change.visibility.filter(|v| !v.is_empty()) {
        None => current.visibility,
        Some("conceal") => MemberVisibility::Conceal,
        Some("noconceal") => MemberVisibility::Noconceal,
        Some(_) => {
            return Err(Refusal::InvalidValue {
                field: "visibility",
            }
            .into())
        }
    };
    let name = match change.name {
        None => current.name.clone(),
        Some(name) => check_name(name)?,
    };
    let email = current.email.clone();
    env.transaction(requester, |tx| {
        if !tx
            .db
            .set_member_options(list.id, &email, &name, reception, visibility)?
        {
            return Err(Refusal::NotAMember.into());
        }
        tx.audit(
            "set",
            Some(list),
            Some(&email),
            json!({ "reception": reception.as_str(), "visibility": visibility.as_str() }),
        )
    })?;
    Ok(Member {
        name,
        reception,
        visibility,
        ..current
    })
}
