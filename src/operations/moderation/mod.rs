//! Moderation of posts: holding one with its reasons and a moderation key, the moderators'
//! notices, and their decisions (distribute, reject, discard, allow, ban) by key or logged in.
//!
//! A held post is an archived message in the `Held` state with a `held_messages` row. Every
//! decision is one transaction: a conditional `UPDATE … WHERE decided_at IS NULL` takes the
//! decision (so of two moderators acting at once one applies and the other is told what
//! the first did), then the message changes state (`Visible` and queued for the members by
//! [`super::distribution::queue_post`], or `Rejected`, its bytes dropped), the sender rule
//! is set, the sender is told, the audit row written.
//!
//! Who may decide: a logged-in moderator ([`ActionKind::Moderate`], decided once per
//! operation), or whoever holds a mailed key (the key is the authority, as Sympa's modkey:
//! one post each, decided or expired keys show what happened). Wrong keys are counted per
//! client ([`KEY_FAILURES_PER_CLIENT`]) and past the limit every key is refused for a while.

mod notices;
pub mod pages;
pub mod periodic;
pub mod reasons;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::archive;
use crate::domain::{ActionKind, ArchivedState, Email, HoldReason, List, MailSettings, SenderRule};
use crate::store::{ArchivedRef, HeldRecord, NewHeld};

use super::limits::{client_key, Limit};
use super::{Env, Error, Refusal, Requester, Tx};

pub use notices::ATTACH_MAX;

/// The most posts one bulk decision takes.
pub const MAX_AT_ONCE: usize = 500;
/// The longest reason a moderator may write to a sender, in characters.
pub const NOTE_MAX: usize = 2_000;
/// Wrong keys (moderation or withdraw) from one client: past 10 an hour, every key from it
/// is refused until the hour is over, so that guessing a key stays hopeless (they carry 256
/// random bits anyway).
pub const KEY_FAILURES_PER_CLIENT: Limit = Limit {
    bucket: "modkey-bad-client",
    window: 3600,
    max: 10,
};
/// Key pages (shown or acted on) from one client: 300 an hour.
pub const KEY_USES_PER_CLIENT: Limit = Limit {
    bucket: "modkey-client",
    window: 3600,
    max: 300,
};
/// "Your message is held" notices to one sender, all lists together: 5 an hour; past it
/// posts are still held, silently (a forged sender must not be flooded).
pub const HELD_NOTICES_PER_SENDER: Limit = Limit {
    bucket: "held-notice-sender",
    window: 3600,
    max: 5,
};
/// Rejection notices to one sender, all lists together: 10 an hour.
pub const REJECT_NOTICES_PER_SENDER: Limit = Limit {
    bucket: "reject-notice-sender",
    window: 3600,
    max: 10,
};

/// A post to hold.
#[derive(Debug, Clone, Copy)]
pub struct Hold<'a> {
    /// The post, archived in the `Held` state in this transaction.
    pub message: ArchivedRef,
    /// Its sender as the message gives it.
    pub sender: Option<&'a Email>,
    /// Its decoded subject.
    pub subject: &'a str,
    /// Why it is held.
    pub reasons: &'a [HoldReason],
}

/// The moderation key's hash as stored (hex SHA-256); the key itself only goes out in the
/// moderators' notices.
pub fn key_hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Holds `hold.message` for `list`'s moderators, in the caller's transaction: the held row
/// with a new moderation key (random, 256 bits), expiring after the list's `hold_days`.
/// Each moderator (the owners when the list has none) is told at once (`mail/moderate.txt`,
/// with the post attached when it is at most [`ATTACH_MAX`] bytes, and a key of their own,
/// so that the decision records who took it) or in their next digest;
/// the sender gets a "your message is held" notice with a withdraw link (never the null
/// sender nor an automatic message, at most [`HELD_NOTICES_PER_SENDER`]).
/// Returns the post's shared key (Sympa's modkey: `/distribute/LIST/KEY`, `DISTRIBUTE LIST
/// KEY`), which works as the moderators' do but names nobody; only its hash is kept.
pub fn hold(
    tx: &mut Tx<'_, '_>,
    list: &List,
    settings: &MailSettings,
    hold: &Hold<'_>,
) -> Result<String, Error> {
    let key = crate::auth::random_token()?;
    let now = crate::store::now();
    let expires_at = now + i64::from(settings.hold_days.max(1)) * 86_400;
    tx.db.hold_message(&NewHeld {
        message: hold.message.id,
        list: list.id,
        sender: hold.sender,
        reasons: hold.reasons,
        key_hash: &key_hash(&key),
        held_at: now,
        expires_at,
    })?;
    let held = tx
        .db
        .held_message(hold.message.id)?
        .ok_or_else(|| crate::store::Error::NotFound("the held post just stored".into()))?;
    let raw = tx.db.archived_raw(held.message)?.unwrap_or_default();
    notices::tell_moderators(tx, list, &held, &raw, now)?;
    notices::tell_sender_held(tx, list, &held, &raw, now)?;
    // The caller writes the audit row of the post (intake's `post_held`).
    Ok(key)
}

/// What a moderator decides for a held post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send it to the list.
    Distribute,
    /// Send it, and always accept this sender from now on.
    DistributeAndAllow,
    /// Refuse it; the sender is told, with `reason` when given (a reject template's text).
    Reject {
        /// The reason given to the sender.
        reason: Option<String>,
    },
    /// Refuse it, tell the sender, and refuse this sender from now on.
    RejectAndBan {
        /// The reason given to the sender.
        reason: Option<String>,
    },
    /// Drop it silently (spam).
    Discard,
}

impl Decision {
    /// The word stored in `held_messages.decision`.
    pub fn stored(&self) -> &'static str {
        match self {
            Decision::Distribute | Decision::DistributeAndAllow => "distributed",
            Decision::Reject { .. } | Decision::RejectAndBan { .. } => "rejected",
            Decision::Discard => "discarded",
        }
    }

    /// The decision a form or a mail command names: `distribute`, `allow` (distribute and
    /// always allow), `reject`, `ban` (reject and ban), `discard`; `reason` goes with the
    /// rejections. `None` for another word.
    pub fn parse(word: &str, reason: Option<String>) -> Option<Decision> {
        let reason = reason.filter(|r| !r.trim().is_empty());
        Some(match word {
            "distribute" | "accept" => Decision::Distribute,
            "allow" => Decision::DistributeAndAllow,
            "reject" => Decision::Reject { reason },
            "ban" => Decision::RejectAndBan { reason },
            "discard" => Decision::Discard,
            _ => return None,
        })
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Decision::Reject { reason } | Decision::RejectAndBan { reason } => reason.as_deref(),
            _ => None,
        }
    }
}

/// What happened to a held post after a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// This decision was applied.
    Applied,
    /// Someone decided first (another moderator, the sender withdrew it, it expired):
    /// nothing changed; what was decided, by whom and when.
    Already {
        /// The stored decision (`distributed`, `rejected`, ...).
        decision: String,
        /// Who decided, when known.
        by: Option<String>,
        /// When.
        at: i64,
    },
    /// No held post of this list has that key.
    Unknown,
}

/// Applies `decision` to the post of `list` whose moderation key is `key` (a link from a
/// notice, or a `DISTRIBUTE LIST KEY` mail command), in the caller's transaction. The key
/// is the authority: whoever holds it acts as a moderator, as in Sympa. `by` is who acted,
/// for the record (else the moderator the key was mailed to, when it was mailed to one).
/// Idempotent: a second decision finds the first one and changes nothing. A post past its
/// expiry that the periodic job has not reached yet expires now ([`Decided::Already`]).
///
/// Wrong keys are counted against the requester's client (or, by mail, their address) in
/// this transaction; past [`KEY_FAILURES_PER_CLIENT`] every key is [`Decided::Unknown`]
/// without being looked up, whatever door it came through. [`decide_with_key`] also
/// refuses such a client before the transaction ([`Refusal::TooManyAttempts`]).
pub fn decide_by_key(
    tx: &mut Tx<'_, '_>,
    list: &List,
    key: &str,
    decision: &Decision,
    by: Option<&Email>,
) -> Result<Decided, Error> {
    let limit = KEY_FAILURES_PER_CLIENT;
    let subject = key_subject(tx.requester);
    if let Some(subject) = &subject {
        if tx.db.rate_limit_hits(limit.bucket, subject, limit.window)? >= limit.max {
            log::warn!("moderation keys: {subject} gave too many wrong keys");
            return Ok(Decided::Unknown);
        }
    }
    let Some(found) = tx.db.held_by_key(list.id, &key_hash(key), "moderate")? else {
        if let Some(subject) = &subject {
            tx.db.rate_limit_hit(limit.bucket, subject, limit.window)?;
        }
        return Ok(Decided::Unknown);
    };
    let by = by.map(|e| e.as_str().to_string()).or(found.holder);
    apply(
        tx,
        list,
        &found.held,
        decision,
        by.as_deref(),
        crate::store::now(),
    )
}

/// Refuses the request when its client (or, without one, its address) gave too many wrong
/// keys lately ([`KEY_FAILURES_PER_CLIENT`]), and counts it against
/// [`KEY_USES_PER_CLIENT`]. Requests with neither (the shell) are not limited.
pub fn check_key_attempts(env: &Env<'_>, requester: &Requester) -> Result<(), Error> {
    let Some(subject) = key_subject(requester) else {
        return Ok(());
    };
    let limit = KEY_FAILURES_PER_CLIENT;
    if env
        .db()
        .rate_limit_hits(limit.bucket, &subject, limit.window)?
        >= limit.max
    {
        log::warn!("moderation keys: {subject} gave too many wrong keys");
        return Err(Refusal::TooManyAttempts.into());
    }
    env.rate_limit(&KEY_USES_PER_CLIENT, &subject)
}

/// Counts a wrong key from the requester; the refusal to give: [`Refusal::InvalidLink`].
pub fn count_wrong_key(env: &Env<'_>, requester: &Requester) -> Result<Error, Error> {
    if let Some(subject) = key_subject(requester) {
        let limit = KEY_FAILURES_PER_CLIENT;
        env.db()
            .rate_limit_hit(limit.bucket, &subject, limit.window)?;
    }
    Ok(Refusal::InvalidLink.into())
}

/// Whom key attempts are counted against: the client, else the mail's sender.
fn key_subject(requester: &Requester) -> Option<String> {
    match (requester.remote_addr, &requester.email) {
        (Some(addr), _) => Some(client_key(addr)),
        (None, Some(email)) if requester.channel == super::Channel::Mail => {
            Some(format!("mail {email}"))
        }
        _ => None,
    }
}

/// The list `name` of the site's domain, whatever its visibility (a key is the authority,
/// not the list's policies); an unknown or closed list is [`Refusal::InvalidLink`].
pub fn keyed_list(env: &Env<'_>, name: &str) -> Result<List, Error> {
    let invalid = || Error::Refused(Refusal::InvalidLink);
    let name = crate::domain::ListName::parse(name).map_err(|_| invalid())?;
    // By its name now or before a rename; the key is then looked for on that list only
    // (keys are stored with their list's id), so a link naming a name another list took
    // over opens nothing there. A key is never older than its list: no date to check.
    super::lists::by_link_name(env, &name, i64::MAX)?.ok_or_else(invalid)
}

/// `distribute/LIST/KEY`, `reject/LIST/KEY` when the button is pressed (and `DISTRIBUTE
/// LIST KEY` by mail): [`decide_by_key`] in one transaction, with the limits on wrong keys.
pub fn decide_with_key(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    key: &str,
    decision: &Decision,
) -> Result<Decided, Error> {
    check_key_attempts(env, requester)?;
    if !crate::auth::looks_like_token(key) {
        return Err(count_wrong_key(env, requester)?);
    }
    check_note(decision)?;
    let by = requester.email.clone();
    let decided = env.transaction(requester, |tx| {
        decide_by_key(tx, list, key, decision, by.as_ref())
    })?;
    if decided == Decided::Unknown {
        // Counted by `decide_by_key`, in its transaction.
        return Err(Refusal::InvalidLink.into());
    }
    Ok(decided)
}

fn check_note(decision: &Decision) -> Result<(), Error> {
    if let Some(reason) = decision.reason() {
        if reason.chars().count() > NOTE_MAX {
            return Err(Refusal::TooLong {
                field: super::Field::Note,
                max: NOTE_MAX,
            }
            .into());
        }
    }
    Ok(())
}

/// A logged-in moderator's decision on posts `messages` of `list` (the queue page's bulk
/// selection, or one post's page), in one transaction; each post's outcome in order (a post
/// of another list, or none, is [`Decided::Unknown`]).
pub fn decide(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    messages: &[i64],
    decision: &Decision,
) -> Result<Vec<(i64, Decided)>, Error> {
    env.authorize(requester, list, ActionKind::Moderate)?;
    if messages.len() > MAX_AT_ONCE {
        return Err(Refusal::TooMany {
            field: super::Field::Selection,
            max: MAX_AT_ONCE,
        }
        .into());
    }
    check_note(decision)?;
    let by = requester
        .email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|| "listmaster".into());
    env.transaction(requester, |tx| {
        let now = crate::store::now();
        let mut out = Vec::with_capacity(messages.len());
        for &message in messages {
            let decided = match tx.db.held_message(message)?.filter(|h| h.list == list.id) {
                Some(held) => apply(tx, list, &held, decision, Some(&by), now)?,
                None => Decided::Unknown,
            };
            out.push((message, decided));
        }
        Ok(out)
    })
}

/// The sender's withdraw link (`withdraw/LIST/KEY`), when the button is pressed: the post
/// is dropped (state `Rejected`, decision `withdrawn`), nobody is told.
pub fn withdraw_with_key(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    key: &str,
) -> Result<Decided, Error> {
    check_key_attempts(env, requester)?;
    if !crate::auth::looks_like_token(key) {
        return Err(count_wrong_key(env, requester)?);
    }
    let decided = env.transaction(requester, |tx| {
        let Some(found) = tx.db.held_by_key(list.id, &key_hash(key), "withdraw")? else {
            return Ok(Decided::Unknown);
        };
        let by = found.holder.clone();
        drop_post(
            tx,
            list,
            &found.held,
            "withdrawn",
            by.as_deref(),
            crate::store::now(),
        )
    })?;
    if decided == Decided::Unknown {
        return Err(count_wrong_key(env, requester)?);
    }
    Ok(decided)
}

/// A logged-in sender withdraws their own held post `message` of `list`: only the address
/// the post came from may ([`Refusal::Denied`] otherwise, the same for a post that is not
/// theirs as for none).
pub fn withdraw(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    message: i64,
) -> Result<Decided, Error> {
    let Some(email) = requester.email.clone() else {
        return Err(Refusal::Denied(crate::domain::Reason::LoginRequired).into());
    };
    env.transaction(requester, |tx| {
        let held = tx
            .db
            .held_message(message)?
            .filter(|h| h.list == list.id && h.sender.as_deref() == Some(email.as_str()))
            .ok_or(Refusal::Denied(crate::domain::Reason::NotPermitted))?;
        drop_post(
            tx,
            list,
            &held,
            "withdrawn",
            Some(email.as_str()),
            crate::store::now(),
        )
    })
}

/// What `held` shows of the decision already taken.
fn already(held: &HeldRecord) -> Decided {
    match &held.decided {
        Some(d) => Decided::Already {
            decision: d.decision.clone(),
            by: d.by.clone(),
            at: d.at,
        },
        None => Decided::Unknown,
    }
}

/// Applies `decision` to `held` in the transaction: takes the decision (or finds the one
/// taken), changes the message's state, sets the sender rule, tells the sender.
fn apply(
    tx: &mut Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    decision: &Decision,
    by: Option<&str>,
    now: i64,
) -> Result<Decided, Error> {
    if held.decided.is_none() && held.expires_at <= now {
        periodic::expire_one(tx, list, held, now)?;
        let again = tx.db.held_message(held.message)?;
        return Ok(again.as_ref().map_or(Decided::Unknown, already));
    }
    let note = decision.reason().unwrap_or("");
    // Read before the state changes: a rejected post's bytes are dropped.
    let raw = tx.db.archived_raw(held.message)?.unwrap_or_default();
    if !tx
        .db
        .decide_held(held.message, decision.stored(), by, note, now)?
    {
        let again = tx.db.held_message(held.message)?;
        return Ok(again.as_ref().map_or(Decided::Unknown, already));
    }
    let sender = held.sender.as_deref().and_then(|s| Email::parse(s).ok());
    let actor = by.and_then(|b| Email::parse(b).ok());
    match decision {
        Decision::Distribute | Decision::DistributeAndAllow => {
            let parsed = archive::parse(&raw);
            tx.db
                .set_archived_state(held.message, ArchivedState::Visible, &parsed.index)?;
            if let (Decision::DistributeAndAllow, Some(sender)) = (decision, &sender) {
                tx.db.set_sender_rule(
                    list.id,
                    sender.as_str(),
                    Some(SenderRule::Allow),
                    actor.as_ref(),
                )?;
            }
            super::distribution::queue_post(
                tx,
                list,
                ArchivedRef {
                    id: held.message,
                    month: held.month,
                    seq: held.seq,
                },
                sender.as_ref(),
            )?;
        }
        Decision::Reject { .. } | Decision::RejectAndBan { .. } | Decision::Discard => {
            let index = archive::parse(&raw).index;
            tx.db
                .set_archived_state(held.message, ArchivedState::Rejected, &index)?;
            if let (Decision::RejectAndBan { .. }, Some(sender)) = (decision, &sender) {
                tx.db.set_sender_rule(
                    list.id,
                    sender.as_str(),
                    Some(SenderRule::Ban),
                    actor.as_ref(),
                )?;
            }
            if !matches!(decision, Decision::Discard) {
                notices::tell_sender_rejected(tx, list, held, &raw, "rejected", note)?;
            }
        }
    }
    tx.audit(
        &format!("moderate_{}", decision.stored()),
        Some(list),
        sender.as_ref(),
        json!({
            "message": held.message,
            "allow": matches!(decision, Decision::DistributeAndAllow),
            "ban": matches!(decision, Decision::RejectAndBan { .. }),
            "by": by,
        }),
    )?;
    Ok(Decided::Applied)
}

/// Drops `held` as `decision` (`withdrawn`, `expired`), once: state `Rejected`; nobody is
/// told here.
fn drop_post(
    tx: &mut Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    decision: &str,
    by: Option<&str>,
    now: i64,
) -> Result<Decided, Error> {
    let raw = tx.db.archived_raw(held.message)?.unwrap_or_default();
    if !tx.db.decide_held(held.message, decision, by, "", now)? {
        let again = tx.db.held_message(held.message)?;
        return Ok(again.as_ref().map_or(Decided::Unknown, already));
    }
    let index = archive::parse(&raw).index;
    tx.db
        .set_archived_state(held.message, ArchivedState::Rejected, &index)?;
    tx.audit(
        &format!("moderate_{decision}"),
        Some(list),
        held.sender
            .as_deref()
            .and_then(|s| Email::parse(s).ok())
            .as_ref(),
        json!({ "message": held.message, "by": by }),
    )?;
    Ok(Decided::Applied)
}

#[cfg(test)]
mod tests;
