//! Moderation of posts: holding one with its reasons and a moderation key, the moderators'
//! notices, and their decisions (distribute, reject, discard, allow, ban) by key or logged in.

use sha2::{Digest, Sha256};

use crate::domain::{Email, HoldReason, List, MailSettings};
use crate::store::{ArchivedRef, NewHeld};

use super::{Error, Tx};

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
/// with a new moderation key (128 random bits), expiring after the list's `hold_days`.
/// Returns the key (Sympa's modkey: `/distribute/LIST/KEY`, `DISTRIBUTE LIST KEY`).
pub fn hold(
    tx: &mut Tx<'_, '_>,
    list: &List,
    settings: &MailSettings,
    hold: &Hold<'_>,
) -> Result<String, Error> {
    let key = crate::auth::random_token()?;
    let now = crate::store::now();
    tx.db.hold_message(&NewHeld {
        message: hold.message.id,
        list: list.id,
        sender: hold.sender,
        reasons: hold.reasons,
        key_hash: &key_hash(&key),
        held_at: now,
        expires_at: now + i64::from(settings.hold_days.max(1)) * 86_400,
    })?;
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
/// for the record. Idempotent: a second decision finds the first one and changes nothing.
pub fn decide_by_key(
    tx: &mut Tx<'_, '_>,
    list: &List,
    key: &str,
    decision: &Decision,
    by: Option<&Email>,
) -> Result<Decided, Error> {
    let _ = (tx, list, key, decision, by);
    todo!("issue 11: moderation decisions")
}
