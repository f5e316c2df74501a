//! A member's options: reception, visibility, name and custom attributes, changed by the member or an owner.

use std::collections::BTreeMap;

use serde_json::json;

use crate::domain::text::hidden_char;
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
    /// The display name; `None` keeps it (checked as everywhere: [`check_name`]).
    pub name: Option<&'a str>,
    /// Custom attributes to set, merged into the member's (a key given again replaces its
    /// value; the others stay); see [`set_custom`] for the limits.
    pub custom: &'a [(&'a str, &'a str)],
}

/// The longest custom attribute key, in characters (of `A-Za-z0-9_.-`).
pub const MAX_CUSTOM_KEY: usize = 50;

/// The longest custom attribute value, in characters.
pub const MAX_CUSTOM_VALUE: usize = 500;

/// The most custom attributes a member has.
pub const MAX_CUSTOM_ATTRIBUTES: usize = 50;

/// Checks one custom attribute: a key of 1 to [`MAX_CUSTOM_KEY`] characters of
/// `A-Za-z0-9_.-`, a value of at most [`MAX_CUSTOM_VALUE`] characters with no hidden one
/// (line breaks and tabs are allowed in a value).
fn check_custom(key: &str, value: &str) -> Result<(), Refusal> {
    let key_ok = !key.is_empty()
        && key.len() <= MAX_CUSTOM_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !key_ok || value.chars().count() > MAX_CUSTOM_VALUE {
        return Err(Refusal::InvalidValue {
            field: Field::CustomAttribute,
        });
    }
    if value.chars().any(hidden_char) {
        return Err(Refusal::HiddenCharacters {
            field: Field::CustomAttribute,
        });
    }
    Ok(())
}

/// `attributes` with `changes` merged in; refused when a change is not acceptable or the
/// result has more than [`MAX_CUSTOM_ATTRIBUTES`].
fn merge_custom(
    attributes: &BTreeMap<String, String>,
    changes: &[(&str, &str)],
) -> Result<BTreeMap<String, String>, Refusal> {
    if changes.len() > MAX_CUSTOM_ATTRIBUTES {
        return Err(Refusal::TooMany {
            field: Field::CustomAttribute,
            max: MAX_CUSTOM_ATTRIBUTES,
        });
    }
    let mut merged = attributes.clone();
    for (key, value) in changes {
        check_custom(key, value)?;
        merged.insert((*key).to_string(), (*value).to_string());
    }
    if merged.len() > MAX_CUSTOM_ATTRIBUTES && merged.len() > attributes.len() {
        return Err(Refusal::TooMany {
            field: Field::CustomAttribute,
            max: MAX_CUSTOM_ATTRIBUTES,
        });
    }
    Ok(merged)
}

/// `setCustom`: sets one custom attribute of the requester's own membership: `value` `""`
/// keeps the key with an empty value, as Sympa does. A key is 1 to [`MAX_CUSTOM_KEY`]
/// characters of `A-Za-z0-9_.-`, a value at most [`MAX_CUSTOM_VALUE`] characters with no
/// hidden character ([`Field::CustomAttribute`]); a member has at most
/// [`MAX_CUSTOM_ATTRIBUTES`] ([`Refusal::TooMany`]). Audit row `set_custom`. An owner or
/// listmaster sets another member's with [`set_options`] and [`OptionsChange::custom`].
pub fn set_custom(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    key: &str,
    value: &str,
) -> Result<(), Error> {
    set_options(
        env,
        requester,
        list,
        &OptionsChange {
            email: None,
            reception: None,
            visibility: None,
            name: None,
            custom: &[(key, value)],
        },
    )
    .map(drop)
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

/// `set` (and SOAP's `setDetails`): changes reception mode, visibility, display name and
/// custom attributes of a membership, in one transaction with one audit row.
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
    // Checked before the transaction; merged inside it into the attributes as they are then,
    // so that two changes at once both count.
    merge_custom(&current.custom_attributes, change.custom)?;
    let email = current.email.clone();
    env.transaction(requester, |tx| {
        if !tx
            .db
            .set_member_options(list.id, &email, &name, reception, visibility)?
        {
            return Err(Refusal::NotAMember.into());
        }
        if !change.custom.is_empty() {
            let Some(stored) = tx.db.member(list.id, &email)? else {
                return Err(Refusal::NotAMember.into());
            };
            let custom = merge_custom(&stored.custom_attributes, change.custom)?;
            tx.db.set_member_custom(list.id, &email, &custom)?;
        }
        let keys: Vec<&str> = change.custom.iter().map(|(key, _)| *key).collect();
        let action = match (
            change.custom.len(),
            change.reception,
            change.visibility,
            change.name,
        ) {
            (1, None, None, None) => "set_custom",
            _ => "set",
        };
        tx.audit(
            action,
            Some(list),
            Some(&email),
            json!({
                "reception": reception.as_str(),
                "visibility": visibility.as_str(),
                "name_changed": change.name.is_some(),
                "custom_keys": keys,
            }),
        )
    })?;
    // Read back, with the change time the store gave it.
    env.db()
        .member(list.id, &email)?
        .ok_or_else(|| Refusal::NotAMember.into())
}
