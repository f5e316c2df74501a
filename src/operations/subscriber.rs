//! `editsubscriber`: one member's details and history on a list, for its owners and moderators.

use super::{Env, Error, Refusal, Requester};
use crate::domain::{decide, ActionKind, BounceScore, Decision, Email, List, Member};
use crate::store::{AuditQuery, AuditRecord};

/// Most history rows shown.
pub const HISTORY_ROWS: u64 = 200;

/// The audit actions by which an address joins a list.
const JOINED: &[&str] = &["subscribe", "add", "auth_add", "import"];

/// What `editsubscriber` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDetails {
    /// The membership.
    pub member: Member,
    /// Its bounce record, if any.
    pub bounce: Option<BounceScore>,
    /// The audit rows about this address on this list, newest first.
    pub history: Vec<AuditRecord>,
    /// The row by which it joined (its source: who added it, by which door), when the log
    /// still has it (a shell import writes one row for all).
    pub joined: Option<AuditRecord>,
    /// Whether the requester may change the membership (owners and listmasters; moderators
    /// only look, as in Sympa).
    pub may_change: bool,
}

/// `editsubscriber/LIST/EMAIL`: the member's details and history; owners, moderators and
/// listmasters. An address that is not a member is [`Refusal::NotAMember`].
pub fn details(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    email: &Email,
) -> Result<MemberDetails, Error> {
    env.authorize(requester, list, ActionKind::ViewMember)?;
    let roles = env.roles(requester, list)?;
    let may_change = !matches!(
        decide(ActionKind::ManageMembers, &roles, &list.policy),
        Decision::Refuse(_)
    );
    env.snapshot(|db| {
        let Some(member) = db.member(list.id, email)? else {
            return Err(Refusal::NotAMember.into());
        };
        let mut history = db.audit_page(&AuditQuery {
            list: Some(list.id),
            target: Some(email.as_str()),
            limit: HISTORY_ROWS,
            ..AuditQuery::default()
        })?;
        // The filter finds addresses that contain this one: keep this one only.
        history.retain(|row| row.target.as_deref() == Some(email.as_str()));
        let joined = history
            .iter()
            .find(|row| JOINED.contains(&row.action.as_str()))
            .cloned();
        Ok(MemberDetails {
            bounce: db.member_bounce(list.id, email)?,
            member,
            history,
            joined,
            may_change,
        })
    })
}
