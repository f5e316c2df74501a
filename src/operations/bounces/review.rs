//! The owners' view of bounces (`reviewbouncing`) and Sympa's `resetbounce`, which a member may also use on their own address to have delivery resume.

use serde_json::json;

use crate::domain::{ActionKind, BounceSettings, Email, List, Reason};
use crate::operations::{check_length, parse_email, Env, Error, Field, Refusal, Requester};
use crate::store::{BounceRecord, BouncingMember};

/// The most kept bounces the page lists.
pub const RECENT_BOUNCES: u64 = 50;

/// What `reviewbouncing` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceReview {
    /// The members with a score, highest first, with their last bounce.
    pub members: Vec<BouncingMember>,
    /// The latest bounces kept for the list, newest first: those of members, and the
    /// unattributed ones, complaints, spam rejections and delays that counted against nobody.
    pub recent: Vec<BounceRecord>,
    /// The list's bounce policy.
    pub settings: BounceSettings,
}

/// `reviewbouncing`: who bounces on `list`, for those who manage its members.
pub fn review(env: &Env<'_>, requester: &Requester, list: &List) -> Result<BounceReview, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    env.snapshot(|db| {
        Ok(BounceReview {
            members: db.bouncing_members(list.id)?,
            recent: db.list_bounces(list.id, RECENT_BOUNCES)?,
            settings: db.bounce_settings(list.id)?,
        })
    })
}

/// `resetbounce`: forgets the bounce score of each of `emails` (the requester's own address
/// when empty) on `list`, so that delivery resumes. Owners may reset anyone's; a member
/// their own. Returns the addresses that had a score.
pub fn reset(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    emails: &[&str],
) -> Result<Vec<Email>, Error> {
    let mut targets = Vec::new();
    if emails.is_empty() {
        targets.push(
            requester
                .email
                .clone()
                .ok_or(Refusal::Denied(Reason::LoginRequired))?,
        );
    }
    for typed in emails {
        check_length(Field::Email, typed, 254)?;
        let email = parse_email(typed)?;
        if !targets.contains(&email) {
            targets.push(email);
        }
    }
    let only_own = targets.iter().all(|e| Some(e) == requester.email.as_ref());
    let kind = if only_own {
        ActionKind::EditOwnMembership
    } else {
        ActionKind::ManageMembers
    };
    env.authorize(requester, list, kind)?;
    env.transaction(requester, |tx| {
        let mut reset = Vec::new();
        for email in &targets {
            if tx.db.clear_member_bounce(list.id, email)? {
                tx.audit("resetbounce", Some(list), Some(email), json!({}))?;
                reset.push(email.clone());
            }
        }
        Ok(reset)
    })
}

/// `viewbounce`: the bytes kept of a bounce of `list`, the last one of member `email` or the
/// kept bounce `id`, for those who manage its members; `None` when there is none (or it is
/// another list's).
pub fn evidence(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    email: Option<&str>,
    id: Option<i64>,
) -> Result<Option<Vec<u8>>, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    let id = match (id, email) {
        (Some(id), _) => Some(id),
        (None, Some(typed)) => {
            check_length(Field::Email, typed, 254)?;
            let email = parse_email(typed)?;
            env.db()
                .bouncing_members(list.id)?
                .into_iter()
                .find(|m| m.email == email)
                .and_then(|m| m.last)
                .map(|b| b.id)
        }
        (None, None) => None,
    };
    match id {
        Some(id) => Ok(env.db().bounce_raw(list.id, id)?),
        None => Ok(None),
    }
}
