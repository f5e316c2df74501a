//! Creating and closing lists (the shell's `wwsympa list create|close`, later the web's).

use serde_json::json;

use super::{parse_email, Env, Error, Existing, Refusal, Requester};
use crate::domain::{ActionKind, AdminRole, List, ListName, ListPolicy, ListStatus, Reason};
use crate::store::NewList;

/// Everything a new list needs.
#[derive(Debug, Clone)]
pub struct ListSettings {
    /// Name, subject, description, topics, visibility.
    pub list: NewList,
    /// Its policies (the visibility in `list` wins).
    pub policy: ListPolicy,
    /// Its first owner, made a privileged owner, as Sympa does for a list's creator.
    pub owner: Option<String>,
}

/// Creates a list with its policies and owner in one transaction; listmasters only.
pub fn create(
    env: &mut Env<'_>,
    requester: &Requester,
    settings: &ListSettings,
) -> Result<List, Error> {
    if !requester.listmaster {
        return Err(Refusal::Denied(Reason::NotPermitted).into());
    }
    let owner = settings.owner.as_deref().map(parse_email).transpose()?;
    let domain = env.config.domain.clone();
    let policy = ListPolicy {
        visibility: settings.list.visibility,
        ..settings.policy
    };
    let id = env.transaction(requester, |tx| {
        let id = match tx.db.create_list(&domain, &settings.list) {
            Err(crate::store::Error::AlreadyExists(_)) => {
                return Err(
                    Refusal::AlreadyExists(Existing::List(settings.list.name.clone())).into(),
                )
            }
            other => other?,
        };
        tx.db.set_list_policy(id, &policy)?;
        if let Some(owner) = &owner {
            tx.db.add_admin(id, owner, AdminRole::Owner, true)?;
        }
        let list = tx.db.list_by_id(id)?.expect("just created");
        tx.audit(
            "create_list",
            Some(&list),
            owner.as_ref(),
            json!({ "policy": policy }),
        )?;
        Ok(id)
    })?;
    Ok(env.db().list_by_id(id)?.expect("just created"))
}

/// The open list called `name`, or [`Reason::NotVisible`] (as for an unknown list).
pub fn open_list(env: &Env<'_>, name: &str) -> Result<List, Error> {
    let not_found = || Error::Refused(Refusal::Denied(Reason::NotVisible));
    let name = ListName::parse(name).map_err(|_| not_found())?;
    env.db()
        .list_by_name(&env.config.domain, &name)?
        .filter(|list| list.status == ListStatus::Open)
        .ok_or_else(not_found)
}

/// Closes a list: it keeps its members and history but answers nothing; privileged owners
/// and listmasters only.
pub fn close(env: &mut Env<'_>, requester: &Requester, list: &List) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    env.transaction(requester, |tx| {
        tx.db.set_list_status(list.id, ListStatus::Closed)?;
        tx.audit("close_list", Some(list), None, json!({}))
    })
}
