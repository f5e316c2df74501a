//! The owners' and moderators' dashboard of a list (`admin`): what waits for them, how many members, and what happened lately.

use super::{Env, Error, Requester};
use crate::domain::{ActionKind, List, Roles};
use crate::store::{ArchivedSummary, AuditQuery, AuditRecord};

/// How many audit rows the dashboard shows.
pub const RECENT_CHANGES: u64 = 15;

/// How many of the last posts it shows.
pub const RECENT_POSTS: u64 = 10;

/// The dashboard of a list.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Members now.
    pub member_count: u64,
    /// Subscriptions waiting for an owner (`subindex`).
    pub subscriptions: u64,
    /// Unsubscriptions waiting for an owner (`sigindex`).
    pub unsubscriptions: u64,
    /// Posts held for moderation (`modindex`).
    pub held: u64,
    /// Members with a bounce score (`reviewbouncing`).
    pub bouncing: u64,
    /// The last changes of the list, newest first (owners and listmasters only; empty for
    /// moderators, who manage no settings).
    pub changes: Vec<AuditRecord>,
    /// The last posts archived, newest first.
    pub posts: Vec<ArchivedSummary>,
    /// The requester's roles on the list (which links to offer).
    pub roles: Roles,
}

/// `admin/LIST`: for owners, moderators and listmasters.
pub fn dashboard(env: &Env<'_>, requester: &Requester, list: &List) -> Result<Dashboard, Error> {
    env.authorize(requester, list, ActionKind::ManageRequests)?;
    let roles = env.roles(requester, list)?;
    env.snapshot(|db| {
        let waiting = db.pending_for_list(list.id, "owner")?;
        let count = |kind: &str| waiting.iter().filter(|p| p.kind == kind).count() as u64;
        Ok(Dashboard {
            member_count: db.member_count(list.id)?,
            subscriptions: count("subscribe"),
            unsubscriptions: count("signoff"),
            held: db.held_count(list.id)?,
            bouncing: db.bouncing_members(list.id)?.len() as u64,
            changes: if roles.is_owner() {
                db.audit_page(&AuditQuery {
                    list: Some(list.id),
                    limit: RECENT_CHANGES,
                    ..AuditQuery::default()
                })?
            } else {
                Vec::new()
            },
            posts: db.archive_latest(&[list.id], i64::MIN, RECENT_POSTS)?,
            roles,
        })
    })
}
