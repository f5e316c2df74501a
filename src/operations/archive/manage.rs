//! Owners' tools on a list's archive: hiding a message, showing it again, deleting it for good (each in one transaction with its audit row), and the list of the messages readers do not see.

use serde_json::json;

use crate::archive;
use crate::domain::{ActionKind, ArchivedState, IndexText, List, Month};

use super::super::{Env, Error, Requester};
use super::read::{Lookup, PAGE_SIZE};
use crate::store::ArchivedSummary;

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
        if !summary.state.was_published() {
            // A held or rejected post is the moderators' business, not the archive's.
            return Ok(Lookup::Missing);
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

/// A page of the messages readers do not see, for the owners' `arc_manage` page.
#[derive(Debug, Clone)]
pub struct HiddenPage {
    /// The hidden and deleted messages of the page, newest first.
    pub messages: Vec<ArchivedSummary>,
    /// Returns true if and only if there are more after this page.
    pub more: bool,
}

/// Page `page` (from 1, [`PAGE_SIZE`] a page) of `list`'s hidden and deleted messages,
/// newest first, for its owners and listmasters (the ones who may show them again).
pub fn hidden(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    page: u64,
) -> Result<HiddenPage, Error> {
    env.authorize(requester, list, ActionKind::ManageArchive)?;
    let offset = page.max(1).saturating_sub(1).saturating_mul(PAGE_SIZE);
    let mut messages = env.db().archive_hidden(list.id, offset, PAGE_SIZE + 1)?;
    let more = messages.len() as u64 > PAGE_SIZE;
    messages.truncate(PAGE_SIZE as usize);
    Ok(HiddenPage { messages, more })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::{ListName, Visibility};
    use crate::operations::archive::{store_message, Incoming};
    use crate::render::Templates;
    use crate::store::{NewList, Store};

    #[test]
    fn the_hidden_list_says_more_only_past_a_full_page() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let config = Config::default();
        store
            .create_list(
                &config.domain,
                &NewList {
                    name: ListName::parse("news").unwrap(),
                    subject: String::new(),
                    description: String::new(),
                    topics: Vec::new(),
                    visibility: Visibility::Noconceal,
                },
            )
            .unwrap();
        let list = store
            .db()
            .list_by_name(&config.domain, &ListName::parse("news").unwrap())
            .unwrap()
            .unwrap();
        let hide = |store: &mut Store, n: u64| {
            let raw = format!("Message-ID: <hidden{n}@x>\nSubject: {n}\n\nbody\n").into_bytes();
            store
                .transaction(|db| {
                    let stored = store_message(
                        db,
                        &list,
                        &Incoming {
                            raw: &raw,
                            arrived_at: 1_700_000_000 + n as i64,
                            month: None,
                            legacy_seq: None,
                        },
                    )?;
                    let index = archive::parse(&raw).index;
                    db.set_archived_state(stored.message().id, ArchivedState::Hidden, &index)
                        .map(drop)
                })
                .unwrap();
        };
        for n in 0..PAGE_SIZE {
            hide(&mut store, n);
        }
        let templates = Templates::load(None).unwrap();
        let shell = Requester::shell();
        let full = hidden(&Env::new(&mut store, &config, &templates), &shell, &list, 1).unwrap();
        assert_eq!(full.messages.len() as u64, PAGE_SIZE);
        assert!(!full.more, "exactly one page: nothing more");
        hide(&mut store, PAGE_SIZE);
        let env = Env::new(&mut store, &config, &templates);
        let first = hidden(&env, &shell, &list, 1).unwrap();
        assert_eq!(first.messages.len() as u64, PAGE_SIZE);
        assert!(first.more);
        let second = hidden(&env, &shell, &list, 2).unwrap();
        assert_eq!((second.messages.len(), second.more), (1, false));
    }
}
