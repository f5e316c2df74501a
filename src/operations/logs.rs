//! `viewlogs`: a list's audit log, filtered by time, action, target and actor, paged, newest first.

use super::{check_length, Env, Error, Field, Requester};
use crate::domain::{ActionKind, List};
use crate::store::{AuditQuery, AuditRecord};

/// Most rows on one page of the log.
pub const MAX_PAGE_SIZE: u64 = 200;

/// What the log is searched for; every filter optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Rows at or after this time (seconds since the epoch).
    pub since: Option<i64>,
    /// Rows before this time.
    pub until: Option<i64>,
    /// One action (`add`, `savefile`, ...).
    pub action: Option<String>,
    /// Addresses acted upon that contain this text.
    pub target: Option<String>,
    /// Requesters' addresses that contain this text.
    pub actor: Option<String>,
}

/// One page of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    /// The rows, newest first.
    pub rows: Vec<AuditRecord>,
    /// How many rows the filter finds in all.
    pub total: u64,
}

/// `viewlogs`: page `page` (from 1) of `size` rows of `list`'s log under `filter`; owners,
/// moderators and listmasters. Address filters are matched without case.
pub fn viewlogs(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    filter: &LogFilter,
    page: u64,
    size: u64,
) -> Result<LogPage, Error> {
    env.authorize(requester, list, ActionKind::ViewLogs)?;
    for text in [&filter.action, &filter.target, &filter.actor]
        .into_iter()
        .flatten()
    {
        check_length(Field::Filter, text, 254)?;
    }
    let target = filter.target.as_ref().map(|t| t.to_lowercase());
    let actor = filter.actor.as_ref().map(|t| t.to_lowercase());
    let size = size.clamp(1, MAX_PAGE_SIZE);
    let query = AuditQuery {
        list: Some(list.id),
        since: filter.since,
        until: filter.until,
        action: filter.action.as_deref(),
        target: target.as_deref(),
        actor: actor.as_deref(),
        offset: page.saturating_sub(1).saturating_mul(size),
        limit: size,
    };
    env.snapshot(|db| {
        Ok(LogPage {
            rows: db.audit_page(&query)?,
            total: db.audit_count(&query)?,
        })
    })
}
