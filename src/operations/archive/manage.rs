//! Owners' tools on a list's archive: hiding a message, showing it again, deleting it for good; each in one transaction with its audit row.

use serde_json::json;

use crate::archive;
use crate::domain::{ActionKind, ArchivedState, IndexText, List, Month};

use super::super::{Env, Error, Requester};
use super::read::Lookup;

/// What an owner does to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Hide it from readers and search; owners still see it.
    Hide,
    /// Show a hidden message again.
    Show,
    /// Delete its bytes and index entry for good; its links answer 410 Gone.
    Delete,
}

impl Change {
    /// The state the message is put in.
    pub fn state(self) -> ArchivedState {
        match self {
            Change::Hide => ArchivedState::Hidden,
            Change::Show => ArchivedState::Visible,
            Change::Delete => ArchivedState::Deleted,
        }
    }

    /// The audit log's name of the change.
    pub fn audit_name(self) -> &'static str {
        match self {
            Change::Hide => "archive_hide",
            Change::Show => "archive_show",
            Change::Delete => "archive_delete",
        }
    }
}

/// Applies `change` to message `seq` of `month` in `list`'s archive, for its owners and
/// listmasters: the state and the index entry (derived again from the bytes) change in one
/// transaction with an audit row naming who did it. Returns the state the message had;
/// `Gone` when it was deleted already (nothing changes), `Missing` when there is none.
pub fn change(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    seq: u32,
    change: Change,
) -> Result<Lookup<ArchivedState>, Error> {
    env.authorize(requester, list, ActionKind::ManageArchive)?;
    env.transaction(requester, |tx| {
        let Some(summary) = tx.db.archived_by_seq(list.id, month, seq)? else {
            return Ok(Lookup::Missing);
        };
        if summary.state == ArchivedState::Deleted {
            return Ok(Lookup::Gone);
        }
        let index = match tx.db.archived_raw(summary.id)? {
            Some(raw) => archive::parse(&raw).index,
            None => IndexText::default(),
        };
        let before = tx
            .db
            .set_archived_state(summary.id, change.state(), &index)?;
        let Some(before) = before else {
            return Ok(Lookup::Missing);
        };
        tx.audit(
            change.audit_name(),
            Some(list),
            None,
            json!({
                "id": summary.id,
                "month": month.to_string(),
                "seq": seq,
                "message_id": summary.message_id,
                "from": before.as_str(),
                "to": change.state().as_str(),
            }),
        )?;
        Ok(Lookup::Found(before))
    })
}
