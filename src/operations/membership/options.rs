//! A member's options: reception, visibility and name, changed by the member or an owner.

use serde_json::json;

use crate::domain::{ActionKind, Email, List, Member, MemberVisibility, Reason, ReceptionMode};
use crate::operations::{check_length, parse_email, Env, Error, Field, Refusal, Requester};

use super::check_name;

/// What a member may change of a membership (`set`, `suboptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsChange<'a> {
    /// The member concerned; `None` for the requester's own membership.
    pub email: Option<&'a str>,
    /// The reception mode's name; `None` keeps it.
    pub reception: Option<&'a str>,
    /// `conceal` or `noconceal`; `None` keeps it.
    pub visibility: Option<&'a str>,
    /// The display name; `None` keeps it.
    pub name: Option<&'a str>,
}

/// The membership of `email` (the requester's own when `None`), if the requester may see it.
pub fn membership(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    email: Option<&str>,
) -> Result<Member, Error> {
    let (email, kind) = target(requester, email)?;
    env.authorize(requester, list, kind)?;
    env.db()
        .member(list.id, &email)?
        .ok_or_else(|| Refusal::NotAMember.into())
}

/// Whose membership, and what the requester needs for it: their own needs membership,
/// another's needs the right to manage members.
pub(super) fn target(
    requester: &Requester,
    email: Option<&str>,
) -> Result<(Email, ActionKind), Error> {
    let own = requester.email.clone();
    let email = match email.filter(|e| !e.is_empty()) {
        Some(typed) => {
            check_length(Field::Email, typed, 254)?;
            parse_email(typed)?
        }
        None => own.clone().ok_or(Refusal::Denied(Reason::LoginRequired))?,
    };
    let kind = if Some(&email) == own.as_ref() {
        ActionKind::EditOwnMembership
    } else {
        ActionKind::ManageMembers
    };
    Ok((email, kind))
}

/// `set`: changes reception mode, visibility and display name of a membership.
pub fn set_options(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    change: &OptionsChange<'_>,
) -> Result<Member, Error> {
    let current = membership(env, requester, list, change.email)?;
    let reception = match change.reception.filter(|r| !r.is_empty()) {
        None => current.reception,
        Some(text) => ReceptionMode::parse(text).ok_or(Refusal::InvalidValue {
            field: Field::Reception,
        })?,
    };
    let visibility = match change.visibility.filter(|v| !v.is_empty()) {
        None => current.visibility,
        Some("conceal") => MemberVisibility::Conceal,
        Some("noconceal") => MemberVisibility::Noconceal,
        Some(_) => {
            return Err(Refusal::InvalidValue {
                field: Field::Visibility,
            }
            .into())
        }
    };
    let name = match change.name {
        None => current.name.clone(),
        Some(name) => check_name(name)?,
    };
    let email = current.email.clone();
    env.transaction(requester, |tx| {
        if !tx
            .db
            .set_member_options(list.id, &email, &name, reception, visibility)?
        {
            return Err(Refusal::NotAMember.into());
        }
        tx.audit(
            "set",
            Some(list),
            Some(&email),
            json!({ "reception": reception.as_str(), "visibility": visibility.as_str() }),
        )
    })?;
    Ok(Member {
        name,
        reception,
        visibility,
        ..current
    })
}
