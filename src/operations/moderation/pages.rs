//! What the moderators' pages read: the queue of a list's held posts with each sender's
//! history, one held post shown through the archive's safe renderer, the post a mailed key
//! opens, and the count of held posts the list's pages show to moderators.

use crate::archive;
use crate::domain::{ActionKind, Decision as Verdict, Email, List, SenderRule};
use crate::operations::{Env, Error, Field, Refusal, Requester};
use crate::store::{Db, HeldHistory, HeldRecord};

use super::{check_key_attempts, count_wrong_key, key_hash};

/// Held posts on one page of the queue.
pub const QUEUE_PAGE: u64 = 100;
/// The longest digest interval a moderator may choose, in minutes: a week.
pub const DIGEST_MAX_MINUTES: u32 = 7 * 24 * 60;

/// A held post with what moderators want to know of its sender.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// The post.
    pub held: HeldRecord,
    /// Whether the sender is a member of the list.
    pub member: bool,
    /// The list's rule for the sender, if any.
    pub rule: Option<SenderRule>,
    /// What their other held posts on this list became.
    pub history: HeldHistory,
}

/// The queue page.
#[derive(Debug, Clone)]
pub struct Queue {
    /// The posts of this page, oldest first.
    pub items: Vec<QueueItem>,
    /// How many posts wait in all.
    pub total: u64,
    /// The requester's digest interval (0: a notice per post).
    pub digest_minutes: u32,
}

fn item(db: &Db<'_>, held: HeldRecord) -> Result<QueueItem, Error> {
    let sender = held.sender.as_deref().and_then(|s| Email::parse(s).ok());
    let (member, rule, history) = match &sender {
        Some(sender) => (
            db.member(held.list, sender)?.is_some(),
            db.sender_rule(held.list, sender)?,
            db.sender_held_history(held.list, sender.as_str(), held.message)?,
        ),
        None => (false, None, HeldHistory::default()),
    };
    Ok(QueueItem {
        held,
        member,
        rule,
        history,
    })
}

/// `modindex`: the posts of `list` waiting for a moderator, `QUEUE_PAGE` from `offset`.
pub fn queue(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    offset: u64,
) -> Result<Queue, Error> {
    env.authorize(requester, list, ActionKind::Moderate)?;
    let email = requester.email.as_ref().map(|e| e.as_str().to_string());
    env.snapshot(|db| {
        let items = db
            .held_queue(list.id, offset, QUEUE_PAGE)?
            .into_iter()
            .map(|held| item(db, held))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Queue {
            items,
            total: db.held_count(list.id)?,
            digest_minutes: match &email {
                Some(email) => db.moderator_digest_minutes(list.id, email)?,
                None => 0,
            },
        })
    })
}

/// Sets how the requester, a moderator of `list`, is told of held posts: 0 for a notice
/// per post, else a digest at most every `minutes` (at most [`DIGEST_MAX_MINUTES`]).
pub fn set_digest(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    minutes: u32,
) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::Moderate)?;
    let Some(email) = requester.email.clone() else {
        return Err(Refusal::Denied(crate::domain::Reason::LoginRequired).into());
    };
    if minutes > DIGEST_MAX_MINUTES {
        return Err(Refusal::InvalidValue {
            field: Field::DigestInterval,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        tx.db
            .set_moderator_digest_minutes(list.id, email.as_str(), minutes)?;
        tx.audit(
            "moderation_digest",
            Some(list),
            Some(&email),
            serde_json::json!({ "minutes": minutes }),
        )
    })
}

/// A held post as its page shows it.
#[derive(Debug, Clone)]
pub struct HeldPage {
    /// The post and its sender's history.
    pub item: QueueItem,
    /// Its bytes as the archive's safe renderer shows them; `None` once they are dropped
    /// (rejected, discarded, withdrawn, expired).
    pub display: Option<archive::Display>,
}

fn page(db: &Db<'_>, held: HeldRecord) -> Result<HeldPage, Error> {
    let display = match held.decided {
        None => db
            .archived_raw(held.message)?
            .map(|raw| archive::display(&raw)),
        Some(_) => None,
    };
    Ok(HeldPage {
        item: item(db, held)?,
        display,
    })
}

/// `viewmod/LIST/ID`: a held post of `list` for a logged-in moderator, by its id or by its
/// moderation key (Sympa's `viewmod/LIST/KEY`); `None` when there is no such post.
pub fn view(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    id_or_key: &str,
) -> Result<Option<HeldPage>, Error> {
    env.authorize(requester, list, ActionKind::Moderate)?;
    env.snapshot(|db| {
        let held = match id_or_key.parse::<i64>() {
            Ok(id) => db.held_message(id)?,
            Err(_) if crate::auth::looks_like_token(id_or_key) => db
                .held_by_key(list.id, &key_hash(id_or_key), "moderate")?
                .map(|k| k.held),
            Err(_) => None,
        };
        match held.filter(|h| h.list == list.id) {
            Some(held) => Ok(Some(page(db, held)?)),
            None => Ok(None),
        }
    })
}

/// The held post a mailed key opens (`purpose` `moderate` for `distribute/LIST/KEY` and
/// `reject/LIST/KEY`, `withdraw` for the sender's link), decided or not: the key is the
/// authority. A wrong key is [`Refusal::InvalidLink`], counted against the client.
pub fn by_key(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    key: &str,
    purpose: &str,
) -> Result<HeldPage, Error> {
    check_key_attempts(env, requester)?;
    let found = if crate::auth::looks_like_token(key) {
        env.snapshot(
            |db| match db.held_by_key(list.id, &key_hash(key), purpose)? {
                Some(found) => Ok(Some(page(db, found.held)?)),
                None => Ok(None),
            },
        )?
    } else {
        None
    };
    match found {
        Some(page) => Ok(page),
        None => Err(count_wrong_key(env, requester)?),
    }
}

/// How many posts of `list` wait, when the requester moderates it (for the list's pages);
/// `None` for others.
pub fn held_count(env: &Env<'_>, requester: &Requester, list: &List) -> Result<Option<u64>, Error> {
    let roles = env.roles(requester, list)?;
    if matches!(
        crate::domain::decide(ActionKind::Moderate, &roles, &list.policy),
        Verdict::Refuse(_)
    ) {
        return Ok(None);
    }
    Ok(Some(env.db().held_count(list.id)?))
}

/// Attachment `index` of held post `id_or_key` of `list`, for a logged-in moderator (the
/// `viewmod` page's links); `None` when there is no such post or attachment, or once the
/// post's bytes are dropped.
pub fn attachment(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    id_or_key: &str,
    index: usize,
) -> Result<Option<archive::Attachment>, Error> {
    let Some(page) = view(env, requester, list, id_or_key)? else {
        return Ok(None);
    };
    if page.item.held.decided.is_some() {
        return Ok(None);
    }
    Ok(env
        .db()
        .archived_raw(page.item.held.message)?
        .and_then(|raw| archive::attachment(&raw, index)))
}
