//! The listmaster's tools over the whole site: every list with its dates (what `serveradmin` and Sympa's `get_*_lists` reports show), one address's roles everywhere (`search_user`), and removing one address from several lists (`mass_del`).

use serde_json::json;

use super::{parse_email, Env, Error, Refusal, Requester};
use crate::domain::{AdminRole, Email, List, ListName, Membership, Reason};

/// A list as the listmaster's panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The list, whatever its status.
    pub list: List,
    /// When it was created, in seconds since the epoch.
    pub created_at: i64,
    /// When its archive last received a message, if ever.
    pub last_post_at: Option<i64>,
}

/// Every list of the domain, whatever its status, by name, with its dates; listmasters only.
pub fn overview(env: &Env<'_>, requester: &Requester) -> Result<Vec<Overview>, Error> {
    listmaster_only(requester)?;
    let domain = &env.config.domain;
    env.snapshot(|db| {
        let activity = db.list_activity(domain)?;
        Ok(db
            .all_lists(domain)?
            .into_iter()
            .map(|list| {
                let found = activity.iter().find(|a| a.list == list.id);
                Overview {
                    created_at: found.map_or(0, |a| a.created_at),
                    last_post_at: found.and_then(|a| a.last_post_at),
                    list,
                }
            })
            .collect())
    })
}

/// `search_user`: every open list where `email` is a member, moderator or owner, with its
/// roles there; listmasters only.
pub fn search_user(
    env: &Env<'_>,
    requester: &Requester,
    email: &str,
) -> Result<(Email, Vec<Membership>), Error> {
    listmaster_only(requester)?;
    super::check_length(super::Field::Email, email, 254)?;
    let email = parse_email(email)?;
    let found = env.db().memberships(&env.config.domain, &email)?;
    Ok((email, found))
}

/// What `mass_del` did on one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MassDelOutcome {
    /// The address lost these roles there (one audit row).
    Removed {
        /// It was a member (a goodbye mail went, unless quiet).
        member: bool,
        /// It was a moderator.
        moderator: bool,
        /// It was an owner.
        owner: bool,
    },
    /// It is the list's last owner: nothing was changed on that list.
    LastOwner,
    /// It held no role there.
    NotThere,
    /// No list of that name (whatever its status).
    NoSuchList,
}

/// The most lists `mass_del` takes at once.
pub const MAX_MASS_DEL_LISTS: usize = 1000;

/// `mass_del`: removes `email` from each of `lists` (any status): its membership (with the
/// goodbye mail unless `quiet`) and its moderator and owner roles, one transaction and one
/// audit row per list; listmasters only. The last owner of a list is not removed (a list
/// without owners has no one to run it): that list is left as it was and reported.
pub fn mass_del(
    env: &mut Env<'_>,
    requester: &Requester,
    email: &str,
    lists: &[&str],
    quiet: bool,
) -> Result<Vec<(String, MassDelOutcome)>, Error> {
    listmaster_only(requester)?;
    super::check_length(super::Field::Email, email, 254)?;
    let email = parse_email(email)?;
    if lists.len() > MAX_MASS_DEL_LISTS {
        return Err(Refusal::TooMany {
            field: super::Field::Selection,
            max: MAX_MASS_DEL_LISTS,
        }
        .into());
    }
    let domain = env.config.domain.clone();
    let mut report = Vec::new();
    for typed in lists {
        let shown: String = typed.chars().take(60).collect();
        let list = match ListName::parse(typed) {
            Ok(name) => env.db().list_by_name(&domain, &name)?,
            Err(_) => None,
        };
        let Some(list) = list else {
            report.push((shown, MassDelOutcome::NoSuchList));
            continue;
        };
        let outcome = env.transaction(requester, |tx| {
            let admins = tx.db.admins(list.id)?;
            let holds = |role: AdminRole| admins.iter().any(|a| a.role == role && a.email == email);
            let (moderator, owner) = (holds(AdminRole::Editor), holds(AdminRole::Owner));
            let owners = admins.iter().filter(|a| a.role == AdminRole::Owner).count();
            if owner && owners == 1 {
                return Ok(MassDelOutcome::LastOwner);
            }
            let member = tx.db.remove_member(list.id, &email)?;
            if member && !quiet {
                // A listmaster's removal is a removal: Sympa's `removed.tt2`.
                super::membership::queue_goodbye(tx, &list, &email, true)?;
            }
            if moderator {
                tx.db
                    .remove_admin_role(list.id, &email, AdminRole::Editor)?;
            }
            if owner {
                tx.db.remove_admin_role(list.id, &email, AdminRole::Owner)?;
            }
            if !(member || moderator || owner) {
                return Ok(MassDelOutcome::NotThere);
            }
            tx.audit(
                "mass_del",
                Some(&list),
                Some(&email),
                json!({ "member": member, "moderator": moderator, "owner": owner, "quiet": quiet }),
            )?;
            Ok(MassDelOutcome::Removed {
                member,
                moderator,
                owner,
            })
        })?;
        report.push((list.name.to_string(), outcome));
    }
    Ok(report)
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
