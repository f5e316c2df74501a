//! Held requests found by their mailed key, and their confirmation by the address's owner or a list owner.

use crate::auth;
use crate::domain::{Email, List, ListStatus};
use crate::mail::notices::RequestKind;
use crate::operations::{Env, Error, Refusal, Requester};
use crate::store::PendingRecord;

use super::request::hold_for_owner;
use super::{accept_held, join, leave, Outcome};

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
pub(super) fn word_of(kind: &str, state: &str) -> Option<&'static str> {
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
                hold_for_owner(
                    tx,
                    &list,
                    RequestKind::Subscribe,
                    email,
                    &name,
                    notify,
                    &pending.data["custom"],
                )?;
                Ok(Outcome::HeldForOwner)
            }
            "signoff" if then_owner => {
                if tx.db.member(list.id, email)?.is_none() {
                    return Err(Refusal::NotAMember.into());
                }
                hold_for_owner(
                    tx,
                    &list,
                    RequestKind::Signoff,
                    email,
                    "",
                    notify,
                    &serde_json::Value::Null,
                )?;
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
                super::request::keep_custom(tx, &list, email, &pending.data["custom"])?;
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
