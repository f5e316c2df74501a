//! A list's owners and moderators as its owners manage them (`edit`, `review/LIST/owner`, `review/LIST/editor`): added, changed and removed, with the rules that keep a list manageable.
//!
//! Who may do what (Sympa's `edit_list.conf` gives `owner` and `editor` to privileged
//! owners; here owners manage moderators, as the issue asks):
//! - owners (normal or privileged) and listmasters see every entry and manage moderators;
//! - privileged owners and listmasters manage owners (add, remove, change, promote); so a
//!   normal owner cannot promote anyone, themselves included;
//! - the last owner of a list is never removed ([`Refusal::LastOwner`]);
//! - the last privileged owner is neither removed nor made normal, except by a listmaster
//!   ([`Refusal::LastPrivilegedOwner`]).
//!
//! Each change is one transaction with an audit row (`add_admin`, `del_admin`,
//! `edit_admin` with the old and new values); a change that changes nothing writes nothing.

use serde_json::json;

use super::{check_length, parse_email, Env, Error, Existing, Field, Refusal, Requester};
use crate::domain::text::{hidden_char, unfit_for_one_line};
use crate::domain::{ActionKind, AdminRole, Email, List, MemberVisibility, ReceptionMode};
use crate::store::AdminEntry;

/// The longest name (gecos) of an owner or moderator, in characters.
pub const MAX_ADMIN_NAME: usize = 150;

/// The longest private note about an owner or moderator, in characters.
pub const MAX_ADMIN_INFO: usize = 1000;

/// The owners and moderators of `list` with every detail: for its owners and listmasters.
pub fn entries(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<Vec<AdminEntry>, Error> {
    env.authorize(requester, list, ActionKind::EditSettings)?;
    Ok(env.db().admin_entries(list.id)?)
}

/// Whether `requester` may manage entries of `role` on `list` (and so promote owners).
pub fn may_manage(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    role: AdminRole,
) -> Result<bool, Error> {
    env.authorize(requester, list, ActionKind::EditSettings)?;
    let roles = env.roles(requester, list)?;
    Ok(match role {
        AdminRole::Owner => roles.is_privileged_owner() || requester.listmaster,
        AdminRole::Editor => true,
    })
}

fn check_manage(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    role: AdminRole,
) -> Result<(), Error> {
    if may_manage(env, requester, list, role)? {
        Ok(())
    } else {
        Err(Refusal::Denied(crate::domain::Reason::NotPermitted).into())
    }
}

/// What is typed for an owner or moderator: every field as text, `None` for "as it is"
/// (a new entry then takes the default: no name, not privileged, mail, shown, no note).
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminFields<'a> {
    /// The display name (Sympa's gecos).
    pub name: Option<&'a str>,
    /// `privileged` or `normal` (owners only; ignored for moderators).
    pub profile: Option<&'a str>,
    /// `mail` or `nomail`.
    pub reception: Option<&'a str>,
    /// `noconceal` or `conceal`.
    pub visibility: Option<&'a str>,
    /// A private note.
    pub info: Option<&'a str>,
}

/// Applies `fields` to `entry`, or refuses the first bad one.
fn apply(entry: &mut AdminEntry, fields: &AdminFields<'_>) -> Result<(), Refusal> {
    if let Some(name) = fields.name {
        let name = name.trim();
        check_length(Field::Name, name, MAX_ADMIN_NAME)?;
        if unfit_for_one_line(name) {
            return Err(Refusal::HiddenCharacters { field: Field::Name });
        }
        entry.name = name.to_string();
    }
    if let Some(profile) = fields.profile {
        let privileged = match profile {
            "privileged" => true,
            "normal" => false,
            _ => {
                return Err(Refusal::InvalidValue {
                    field: Field::Profile,
                })
            }
        };
        entry.privileged = privileged && entry.role == AdminRole::Owner;
    }
    if let Some(reception) = fields.reception {
        entry.reception = match reception {
            "mail" => ReceptionMode::Mail,
            "nomail" => ReceptionMode::Nomail,
            _ => {
                return Err(Refusal::InvalidValue {
                    field: Field::Reception,
                })
            }
        };
    }
    if let Some(visibility) = fields.visibility {
        entry.visibility = match visibility {
            "noconceal" => MemberVisibility::Noconceal,
            "conceal" => MemberVisibility::Conceal,
            _ => {
                return Err(Refusal::InvalidValue {
                    field: Field::Visibility,
                })
            }
        };
    }
    if let Some(info) = fields.info {
        let info = info.replace("\r\n", "\n");
        let info = info.trim();
        check_length(Field::Info, info, MAX_ADMIN_INFO)?;
        if info.chars().any(hidden_char) {
            return Err(Refusal::HiddenCharacters { field: Field::Info });
        }
        entry.info = info.to_string();
    }
    Ok(())
}

fn audit_value(entry: &AdminEntry) -> serde_json::Value {
    json!({
        "role": entry.role.as_str(),
        "privileged": entry.privileged,
        "name": entry.name,
        "reception": entry.reception.as_str(),
        "visibility": entry.visibility.as_str(),
        "info": entry.info,
    })
}

/// Adds `email` as an owner or moderator of `list` with `fields`. A second entry of the
/// same role for the same address is refused ([`Existing::Admin`]).
pub fn add(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    role: AdminRole,
    email: &str,
    fields: &AdminFields<'_>,
) -> Result<AdminEntry, Error> {
    check_manage(env, requester, list, role)?;
    check_length(Field::Email, email.trim(), 254)?;
    let email = parse_email(email.trim())?;
    let mut entry = AdminEntry {
        email: email.clone(),
        role,
        privileged: false,
        name: String::new(),
        reception: ReceptionMode::Mail,
        visibility: MemberVisibility::Noconceal,
        info: String::new(),
    };
    apply(&mut entry, fields)?;
    env.transaction(requester, |tx| {
        match tx.db.add_admin(list.id, &email, role, entry.privileged) {
            Err(crate::store::Error::AlreadyExists(_)) => {
                return Err(Refusal::AlreadyExists(Existing::Admin(email.clone())).into())
            }
            other => other?,
        }
        tx.db.update_admin(list.id, &entry)?;
        tx.audit("add_admin", Some(list), Some(&email), audit_value(&entry))
    })?;
    Ok(entry)
}

/// Refuses what would leave `list` without an owner, or without a privileged owner when
/// the requester is not a listmaster, if `entries` became `after`.
fn keeps_the_list_managed(
    requester: &Requester,
    after: &[AdminEntry],
    before: &[AdminEntry],
) -> Result<(), Refusal> {
    let owners = |entries: &[AdminEntry]| {
        entries
            .iter()
            .filter(|e| e.role == AdminRole::Owner)
            .count()
    };
    let privileged = |entries: &[AdminEntry]| {
        entries
            .iter()
            .filter(|e| e.role == AdminRole::Owner && e.privileged)
            .count()
    };
    if owners(after) == 0 && owners(before) > 0 {
        return Err(Refusal::LastOwner);
    }
    if privileged(after) == 0 && privileged(before) > 0 && !requester.listmaster {
        return Err(Refusal::LastPrivilegedOwner);
    }
    Ok(())
}

/// Changes the details of `email`'s entry of `role` on `list`.
pub fn update(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    role: AdminRole,
    email: &str,
    fields: &AdminFields<'_>,
) -> Result<AdminEntry, Error> {
    check_manage(env, requester, list, role)?;
    let email = parse_email(email.trim())?;
    env.transaction(requester, |tx| {
        let before = tx.db.admin_entries(list.id)?;
        let Some(current) = find(&before, &email, role) else {
            return Err(Refusal::NotAMember.into());
        };
        let mut entry = current.clone();
        apply(&mut entry, fields)?;
        if entry == *current {
            return Ok(entry);
        }
        let after: Vec<AdminEntry> = before
            .iter()
            .map(|e| {
                if e == current {
                    entry.clone()
                } else {
                    e.clone()
                }
            })
            .collect();
        keeps_the_list_managed(requester, &after, &before)?;
        tx.db.update_admin(list.id, &entry)?;
        tx.audit(
            "edit_admin",
            Some(list),
            Some(&email),
            json!({ "before": audit_value(current), "after": audit_value(&entry) }),
        )?;
        Ok(entry)
    })
}

/// Removes `email`'s entry of `role` from `list`.
pub fn remove(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    role: AdminRole,
    email: &str,
) -> Result<(), Error> {
    check_manage(env, requester, list, role)?;
    let email = parse_email(email.trim())?;
    env.transaction(requester, |tx| {
        let before = tx.db.admin_entries(list.id)?;
        let Some(current) = find(&before, &email, role) else {
            return Err(Refusal::NotAMember.into());
        };
        let after: Vec<AdminEntry> = before.iter().filter(|e| *e != current).cloned().collect();
        keeps_the_list_managed(requester, &after, &before)?;
        tx.db.remove_admin(list.id, &email, role)?;
        tx.audit("del_admin", Some(list), Some(&email), audit_value(current))
    })
}

fn find<'e>(entries: &'e [AdminEntry], email: &Email, role: AdminRole) -> Option<&'e AdminEntry> {
    entries.iter().find(|e| &e.email == email && e.role == role)
}
