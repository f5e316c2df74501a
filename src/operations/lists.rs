//! Lists as a whole: which ones a requester sees, a list's page, creating and closing one.

use serde_json::json;

use super::{check_length, parse_email, Env, Error, Existing, Field, Refusal, Requester};
use serde::Serialize;

use crate::domain::authz::can_see;
use crate::domain::text::hidden_char;
use crate::domain::{
    decide, ActionKind, Admin, AdminRole, Decision, List, ListName, ListPolicy, ListStatus,
    ListSummary, MailSettings, Reason, Visibility,
};
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

/// The open lists of the domain that `requester` may see, by name: the public ones for
/// everyone; for a logged-in requester also the intranet ones and the concealed ones where
/// they are a member, moderator or owner; every list for a listmaster (`home`, `lists`).
pub fn visible(env: &Env<'_>, requester: &Requester) -> Result<Vec<ListSummary>, Error> {
    let email = requester.email.as_ref();
    env.snapshot(|db| {
        let mut visible = Vec::new();
        for list in db.open_lists(&env.config.domain)? {
            // The shell's listmaster has no address, so no roles to read: it sees every list.
            let shown = list.policy.visibility == Visibility::Noconceal
                || requester.listmaster
                || (email.is_some()
                    && can_see(&db.roles(list.id, email, false)?, list.policy.visibility));
            if shown {
                visible.push(ListSummary {
                    name: list.name,
                    subject: list.subject,
                    topics: list.topics,
                    visibility: list.policy.visibility,
                });
            }
        }
        Ok(visible)
    })
}

/// What the requester may do on a list, as its page offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permissions {
    /// Subscribe (not a member yet, and the policy lets them ask).
    pub subscribe: bool,
    /// Unsubscribe (a member; or anonymous, who may always ask by mail).
    pub signoff: bool,
    /// See the members.
    pub review: bool,
    /// Read the archives.
    pub archive: bool,
    /// Decide on held requests.
    pub requests: bool,
}

/// A list's page (`info`), as the requester may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    /// How many members it has.
    pub member_count: u64,
    /// Its owners; empty for an anonymous requester (no harvesting by crawlers).
    pub owners: Vec<Admin>,
    /// Returns true if and only if the requester is a member.
    pub is_member: bool,
    /// What the requester may do.
    pub may: Permissions,
}

/// `info`: the list's page for `requester`, if they may see the list.
pub fn info(env: &Env<'_>, requester: &Requester, list: &List) -> Result<ListInfo, Error> {
    env.authorize(requester, list, ActionKind::SeeList)?;
    let roles = env.roles(requester, list)?;
    let can = |kind: ActionKind| !matches!(decide(kind, &roles, &list.policy), Decision::Refuse(_));
    let anonymous = requester.email.is_none() && !requester.listmaster;
    env.snapshot(|db| {
        let owners = if anonymous {
            Vec::new()
        } else {
            let mut admins = db.admins(list.id)?;
            admins.retain(|a| a.role == AdminRole::Owner);
            admins
        };
        Ok(ListInfo {
            member_count: list.member_count,
            owners,
            is_member: roles.subscriber,
            may: Permissions {
                subscribe: !roles.subscriber && can(ActionKind::Subscribe),
                signoff: roles.subscriber || (anonymous && can(ActionKind::Signoff)),
                review: can(ActionKind::Review),
                archive: can(ActionKind::ReadArchive),
                requests: can(ActionKind::ManageRequests),
            },
        })
    })
}

/// A list's mail settings (who may post, sizes, delivery, DMARC, subject tag, hold days),
/// for its owners and listmasters.
pub fn mail_settings(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<MailSettings, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    Ok(env.db().list_mail_settings(list.id)?)
}

/// Replaces a list's mail settings, for its privileged owners and listmasters, with an
/// audit row holding the old and new values. A `max_size` under 1 kB or a `hold_days` of 0
/// is refused: they would make every post fail or expire at once.
pub fn set_mail_settings(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    settings: &MailSettings,
) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    if settings.max_size < MIN_MAX_SIZE {
        return Err(Refusal::InvalidValue {
            field: Field::MaxSize,
        }
        .into());
    }
    if settings.hold_days == 0 {
        return Err(Refusal::InvalidValue {
            field: Field::HoldDays,
        }
        .into());
    }
    check_length(Field::SubjectTag, &settings.subject_tag, MAX_SUBJECT_TAG)?;
    if settings
        .subject_tag
        .chars()
        .any(|c| c == '\t' || hidden_char(c))
    {
        return Err(Refusal::HiddenCharacters {
            field: Field::SubjectTag,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        let before = tx.db.list_mail_settings(list.id)?;
        tx.db.set_list_mail_settings(list.id, settings)?;
        tx.audit(
            "set_mail_settings",
            Some(list),
            None,
            json!({ "before": before, "after": settings }),
        )
    })
}

/// The smallest `max_size` accepted: 1 kB.
pub const MIN_MAX_SIZE: u64 = 1024;

/// The longest subject tag, in characters.
pub const MAX_SUBJECT_TAG: usize = 64;
