//! What moderation does on its own, from the due-jobs run ([`crate::operations::jobs`]):
//! the moderators' digests when due, a reminder half-way to a held post's expiry, and the
//! expiry itself (the post dropped, the sender told). Each takes `now`, so tests move time.

use std::collections::BTreeMap;

use crate::domain::{Email, List, ListId};
use crate::operations::{Env, Error, Requester};
use crate::store::HeldRecord;

use super::{drop_post, notices, Decided, Tx};

/// The most posts (or digests) one run handles of each kind; the next run takes the rest.
pub const BATCH: u64 = 500;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Digests sent (one per moderator and list).
    pub digests: usize,
    /// Held posts the moderators were reminded of.
    pub reminded: usize,
    /// Held posts that expired.
    pub expired: usize,
}

/// Runs every due moderation job at `now`, each list's work in a transaction of its own.
pub fn run(env: &mut Env<'_>, now: i64) -> Result<Report, Error> {
    let requester = Requester::shell();
    let mut report = Report::default();
    // Expiry first: an expired post is neither reminded of nor put in a digest.
    for held in env.db().held_expired(now, BATCH)? {
        let Some(list) = env.db().list_by_id(held.list)? else {
            continue;
        };
        let expired = env.transaction(&requester, |tx| expire_one(tx, &list, &held, now))?;
        if expired == Decided::Applied {
            report.expired += 1;
        }
    }
    let mut due: BTreeMap<ListId, Vec<HeldRecord>> = BTreeMap::new();
    for held in env.db().held_due_reminders(now, BATCH)? {
        due.entry(held.list).or_default().push(held);
    }
    for (list, posts) in due {
        let Some(list) = env.db().list_by_id(list)? else {
            continue;
        };
        report.reminded += env.transaction(&requester, |tx| remind(tx, &list, &posts, now))?;
    }
    for digest in env.db().due_moderation_digests(now, BATCH)? {
        let Some(list) = env.db().list_by_id(digest.list)? else {
            continue;
        };
        let Ok(moderator) = Email::parse(&digest.email) else {
            continue;
        };
        if env.transaction(&requester, |tx| send_digest(tx, &list, &moderator, now))? {
            report.digests += 1;
        }
    }
    Ok(report)
}

/// Expires `held` (undecided, past its expiry): decision `expired`, state `Rejected`, the
/// sender told (`reject` with kind `expired`).
pub(super) fn expire_one(
    tx: &mut Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    now: i64,
) -> Result<Decided, Error> {
    let raw = tx.db.archived_raw(held.message)?.unwrap_or_default();
    let decided = drop_post(tx, list, held, "expired", None, now)?;
    if decided == Decided::Applied {
        notices::tell_sender_rejected(tx, list, held, &raw, "expired", "")?;
    }
    Ok(decided)
}

/// Reminds `list`'s moderators of `posts` (one `mod_reminder` each, with keys of their
/// own); returns how many posts were marked reminded by this run.
fn remind(
    tx: &mut Tx<'_, '_>,
    list: &List,
    posts: &[HeldRecord],
    now: i64,
) -> Result<usize, Error> {
    let mut marked = Vec::new();
    for held in posts {
        if tx.db.mark_held_reminded(held.message, now)? {
            marked.push(held.clone());
        }
    }
    if marked.is_empty() {
        return Ok(0);
    }
    for moderator in notices::moderators(tx, list)? {
        let entries = notices::keyed_entries(tx, list, &moderator, &marked, now)?;
        notices::tell_moderator_many(tx, "mod_reminder", list, &moderator, entries)?;
    }
    Ok(marked.len())
}

/// Sends `moderator` their digest of `list`'s held posts if it has posts still waiting;
/// returns true if and only if it did.
fn send_digest(
    tx: &mut Tx<'_, '_>,
    list: &List,
    moderator: &Email,
    now: i64,
) -> Result<bool, Error> {
    let mut waiting = Vec::new();
    for message in tx
        .db
        .take_moderation_digest(list.id, moderator.as_str(), now)?
    {
        if let Some(held) = tx.db.held_message(message)? {
            if held.decided.is_none() {
                waiting.push(held);
            }
        }
    }
    if waiting.is_empty() {
        return Ok(false);
    }
    let entries = notices::keyed_entries(tx, list, moderator, &waiting, now)?;
    notices::tell_moderator_many(tx, "mod_digest", list, moderator, entries)?;
    Ok(true)
}
