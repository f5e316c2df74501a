//! A list's life after its creation: reopening or installing it, copying it under a new name, renaming it, and purging a closed one.
//!
//! Closing (and rejecting a pending list, which purges it) is [`super::lists::close`]; the
//! name rules of a new name are those of a new list ([`super::lists::check_new_name`]), and
//! copying or renaming is also subject to the site's `create_list` policy.

use serde_json::json;

use super::lists::{check_new_name, purge_in};
use super::{Env, Error, Refusal, Requester};
use crate::domain::{ActionKind, AdminRole, Email, List, ListStatus, Reason};
use crate::mail::notices;
use crate::store::NewList;

/// What [`open`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// A closed list answers again, with its members and history.
    Reopened,
    /// A pending list was installed; its owners were told by mail.
    Installed,
    /// The list was open already: nothing changed.
    AlreadyOpen,
}

/// `open_list` (Sympa's old `restore_list`, and `install_pending_list`): reopens a closed
/// list, or installs a pending one (its owners get the `list_installed` mail); listmasters
/// only.
pub fn open(env: &mut Env<'_>, requester: &Requester, list: &List) -> Result<Opened, Error> {
    listmaster_only(requester)?;
    let Some(current) = env.db().list_by_id(list.id)? else {
        return Err(Refusal::Denied(Reason::NotVisible).into());
    };
    match current.status {
        ListStatus::Open => Ok(Opened::AlreadyOpen),
        ListStatus::Pending => {
            super::lists::install_pending(env, requester, &current)?;
            Ok(Opened::Installed)
        }
        ListStatus::Closed => {
            env.transaction(requester, |tx| {
                tx.db.set_list_status(list.id, ListStatus::Open)?;
                tx.audit("open_list", Some(&current), None, json!({}))
            })?;
            Ok(Opened::Reopened)
        }
    }
}

/// `purge_list`: deletes a closed list for good, with its members, owners, archives, held
/// posts and settings (the audit log keeps a row saying so); listmasters only. An open or
/// pending list is refused ([`Refusal::NotClosed`]): close it first (a pending list is
/// purged by closing it).
pub fn purge(env: &mut Env<'_>, requester: &Requester, list: &List) -> Result<(), Error> {
    listmaster_only(requester)?;
    let Some(current) = env.db().list_by_id(list.id)? else {
        return Err(Refusal::Denied(Reason::NotVisible).into());
    };
    if current.status != ListStatus::Closed {
        return Err(Refusal::NotClosed.into());
    }
    env.transaction(requester, |tx| purge_in(tx, &current))
}

/// What a copy or a rename made of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The list under its new name.
    pub list: List,
}

/// `copy_list`: a new list called `new_name` with the configuration of `list` (subject,
/// description, topics, visibility, policies, mail, bounce and digest settings) and its
/// owners and moderators whole (name, reception, visibility, note, privileged or not), but none of its members, archives or held posts. For its
/// privileged owners and listmasters, under the site's `create_list` policy: a copy made by
/// a privileged owner where new lists need a listmaster's approval starts pending (the
/// listmasters are mailed, as for a requested list); where only listmasters create lists,
/// it is refused. The new name follows the rules of a new list's. One audit row on each
/// list.
pub fn copy(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    new_name: &str,
) -> Result<Moved, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    let status = super::lists::creation_status(env, requester)?;
    let name = check_new_name(env, new_name)?;
    if !requester.listmaster {
        if let Some(own) = &requester.email {
            env.rate_limit(&super::limits::LIST_REQUEST_PER_ADDRESS, own.as_str())?;
        }
    }
    let domain = env.config.domain.clone();
    let listmasters: Vec<Email> = env
        .config
        .listmasters()
        .filter_map(|a| Email::parse(a).ok())
        .collect();
    let id = env.transaction(requester, |tx| {
        let new = NewList {
            name: name.clone(),
            subject: list.subject.clone(),
            description: list.description.clone(),
            topics: list.topics.clone(),
            visibility: list.policy.visibility,
        };
        let id = match tx.db.create_list(&domain, &new) {
            Err(crate::store::Error::AlreadyExists(_)) => {
                return Err(Refusal::AlreadyExists(super::Existing::List(name.clone())).into())
            }
            other => other?,
        };
        tx.db.forget_old_name(&domain, &name)?;
        tx.db.set_list_policy(id, &list.policy)?;
        tx.db
            .set_list_mail_settings(id, &tx.db.list_mail_settings(list.id)?)?;
        tx.db
            .set_bounce_settings(id, &tx.db.bounce_settings(list.id)?)?;
        tx.db
            .set_digest_settings(id, &tx.db.digest_settings(list.id)?)?;
        // What subscribers are asked (Sympa's custom_attribute) is configuration too.
        tx.db
            .set_list_custom_attributes(id, &tx.db.list_custom_attributes(list.id)?)?;
        tx.db
            .set_list_default_reception(id, tx.db.list_default_reception(list.id)?)?;
        // Owners and moderators whole: name, reception, visibility, note and profile.
        for admin in tx.db.admin_entries(list.id)? {
            tx.db
                .add_admin(id, &admin.email, admin.role, admin.privileged)?;
            tx.db.update_admin(id, &admin)?;
        }
        // Its language and its texts (description page, mails, header and footer) are part
        // of its configuration; the copy's texts are saved by whoever copies.
        tx.db.set_list_lang(id, &list.lang)?;
        for text in tx.db.texts(&domain, Some(list.id))? {
            tx.db.set_text(
                &domain,
                Some(id),
                &text.name,
                Some(&text.body),
                tx.requester.email.as_ref(),
            )?;
        }
        // A privileged owner who copies is an owner of the copy (they are of the original).
        if let Some(own) = &tx.requester.email {
            if !tx.requester.listmaster && !tx.db.roles(id, Some(own), false)?.owner {
                tx.db.add_admin(id, own, AdminRole::Owner, true)?;
            }
        }
        if status != ListStatus::Open {
            tx.db.set_list_status(id, status)?;
        }
        let copy = tx.db.list_by_id(id)?.expect("just created");
        if status == ListStatus::Pending {
            let by = tx.requester.email.as_ref().map_or("", |e| e.as_str());
            for listmaster in &listmasters {
                let mail = notices::list_requested(&tx.composer, listmaster, &copy, by);
                tx.queue(mail)?;
            }
        }
        tx.audit(
            "copy_list",
            Some(list),
            None,
            json!({ "to": copy.address(), "status": status.as_str() }),
        )?;
        tx.audit(
            "create_list",
            Some(&copy),
            None,
            json!({ "copy_of": list.address(), "status": status.as_str() }),
        )?;
        Ok(id)
    })?;
    let list = env.db().list_by_id(id)?.expect("just created");
    Ok(Moved { list })
}

/// `move_list` (Sympa's old `rename_list`): gives `list` the name `new_name`, for its
/// privileged owners and listmasters. Everything attached to the list follows it (members,
/// owners, moderators, archives, held posts, bounces: they name it by id), and the old
/// name is kept so that links naming it (archive permalinks, info pages) are sent on to the
/// new one. The new name follows the rules of a new list's; a requester who is not a
/// listmaster may rename only where anyone may create lists (`create_list = public`):
/// elsewhere a rename would need a listmaster's approval, and a list with members is not
/// put back in the pending state for it ([`Reason::NotPermitted`]).
pub fn rename(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    new_name: &str,
) -> Result<Moved, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    if super::lists::creation_status(env, requester)? != ListStatus::Open {
        return Err(Refusal::Denied(Reason::NotPermitted).into());
    }
    let name = check_new_name(env, new_name)?;
    env.transaction(requester, |tx| {
        match tx.db.rename_list(list.id, &name) {
            Err(crate::store::Error::AlreadyExists(_)) => {
                return Err(Refusal::AlreadyExists(super::Existing::List(name.clone())).into())
            }
            other => other?,
        }
        tx.audit(
            "move_list",
            Some(list),
            None,
            json!({ "from": list.name, "to": name }),
        )
    })?;
    let Some(list) = env.db().list_by_id(list.id)? else {
        return Err(Refusal::Denied(Reason::NotVisible).into());
    };
    Ok(Moved { list })
}

/// Whether `requester` may close, copy or rename `list` (its privileged owners and the
/// listmasters), for the pages that confirm before acting; nothing is changed.
pub fn may_manage(env: &Env<'_>, requester: &Requester, list: &List) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)
        .map(drop)
}

/// Whether `requester` may open lists (listmasters), asked before the list is read, so
/// that anyone else gets the same answer for any name, concealed, unknown or not.
pub fn may_open(requester: &Requester) -> Result<(), Error> {
    listmaster_only(requester).map_err(Error::from)
}

/// A pending list's mail settings and owners, for a listmaster reviewing it before
/// installing or rejecting it (`set_pending_list_request`); a list that is not pending is
/// [`Reason::NotVisible`] here.
pub fn pending_details(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<(crate::domain::MailSettings, Vec<crate::domain::Admin>), Error> {
    listmaster_only(requester)?;
    if list.status != ListStatus::Pending {
        return Err(Refusal::Denied(Reason::NotVisible).into());
    }
    env.snapshot(|db| {
        let mut owners = db.admins(list.id)?;
        owners.retain(|a| a.role == AdminRole::Owner);
        Ok((db.list_mail_settings(list.id)?, owners))
    })
}

/// The list called `name` for `purge_list`'s confirmation: listmasters only; any list of
/// that name, which [`purge`] then refuses unless it is closed.
pub fn closed_list(env: &Env<'_>, requester: &Requester, name: &str) -> Result<List, Error> {
    listmaster_only(requester)?;
    super::lists::find(env, name)
}

fn listmaster_only(requester: &Requester) -> Result<(), Refusal> {
    if requester.listmaster {
        Ok(())
    } else if requester.email.is_none() {
        Err(Refusal::Denied(Reason::LoginRequired))
    } else {
        Err(Refusal::Denied(Reason::NotPermitted))
    }
}
