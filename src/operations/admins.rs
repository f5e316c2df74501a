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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::AdminRole::{Editor, Owner};
    use crate::operations::test_support::{email, listmaster, run, said, user};
    use crate::operations::Channel;

    use crate::store::test_support::{list as new_list, on_both};
    use crate::store::{AuditQuery, NewMember, Store};

    fn entry(address: &str, role: AdminRole, privileged: bool) -> AdminEntry {
        AdminEntry {
            email: email(address),
            role,
            privileged,
            name: String::new(),
            reception: ReceptionMode::Mail,
            visibility: MemberVisibility::Noconceal,
            info: String::new(),
        }
    }

    /// The list `team` of `a.org`: own@ its privileged owner, plain@ a normal owner, mod@
    /// a moderator, sub@ a subscriber.
    fn team(store: &mut Store) -> List {
        let id = new_list(store, "team");
        let db = store.db();
        db.add_admin(id, &email("own@a.org"), Owner, true).unwrap();
        db.add_admin(id, &email("plain@a.org"), Owner, false)
            .unwrap();
        db.add_admin(id, &email("mod@a.org"), Editor, false)
            .unwrap();
        db.add_member(id, &NewMember::new(email("sub@a.org")))
            .unwrap();
        db.list_by_id(id).unwrap().unwrap()
    }

    /// The entries of `list`, sorted, each as `email role privileged`.
    fn entries_of(store: &Store, list: &List) -> Vec<String> {
        let mut seen: Vec<String> = store
            .db()
            .admin_entries(list.id)
            .unwrap()
            .iter()
            .map(|e| format!("{} {} {}", e.email.as_str(), e.role.as_str(), e.privileged))
            .collect();
        seen.sort();
        seen
    }

    fn audited(store: &Store) -> Vec<String> {
        let mut actions: Vec<String> = store
            .db()
            .recent_audit(100)
            .unwrap()
            .into_iter()
            .map(|(_, action, _)| action)
            .collect();
        actions.reverse();
        actions
    }

    #[test]
    fn apply_sets_every_field_and_refuses_unknown_values_naming_the_field() {
        let mut owner = entry("a@a.org", Owner, false);
        apply(
            &mut owner,
            &AdminFields {
                name: Some("  Ann  "),
                profile: Some("privileged"),
                reception: Some("nomail"),
                visibility: Some("conceal"),
                info: Some(" first\r\nsecond "),
            },
        )
        .unwrap();
        assert_eq!(owner.name, "Ann");
        assert!(owner.privileged);
        assert_eq!(owner.reception, ReceptionMode::Nomail);
        assert_eq!(owner.visibility, MemberVisibility::Conceal);
        assert_eq!(owner.info, "first\nsecond");
        // And back.
        apply(
            &mut owner,
            &AdminFields {
                profile: Some("normal"),
                reception: Some("mail"),
                visibility: Some("noconceal"),
                ..AdminFields::default()
            },
        )
        .unwrap();
        assert!(!owner.privileged);
        assert_eq!(owner.reception, ReceptionMode::Mail);
        assert_eq!(owner.visibility, MemberVisibility::Noconceal);
        assert_eq!(owner.name, "Ann", "a field not given stays as it is");
        // A moderator is never privileged.
        let mut moderator = entry("m@a.org", Editor, false);
        apply(
            &mut moderator,
            &AdminFields {
                profile: Some("privileged"),
                ..AdminFields::default()
            },
        )
        .unwrap();
        assert!(!moderator.privileged);
        // Each unknown value is refused, naming its field, and changes nothing.
        for (fields, field) in [
            (
                AdminFields {
                    profile: Some("Privileged"),
                    ..AdminFields::default()
                },
                Field::Profile,
            ),
            (
                AdminFields {
                    reception: Some("digest"),
                    ..AdminFields::default()
                },
                Field::Reception,
            ),
            (
                AdminFields {
                    visibility: Some("hidden"),
                    ..AdminFields::default()
                },
                Field::Visibility,
            ),
        ] {
            let mut changed = owner.clone();
            assert_eq!(
                apply(&mut changed, &fields),
                Err(Refusal::InvalidValue { field })
            );
            assert_eq!(changed, owner);
        }
        let mut changed = owner.clone();
        assert_eq!(
            apply(
                &mut changed,
                &AdminFields {
                    name: Some("Ann\u{202e}"),
                    ..AdminFields::default()
                }
            ),
            Err(Refusal::HiddenCharacters { field: Field::Name })
        );
        assert_eq!(
            apply(
                &mut changed,
                &AdminFields {
                    info: Some("a\u{200b}b"),
                    ..AdminFields::default()
                }
            ),
            Err(Refusal::HiddenCharacters { field: Field::Info })
        );
    }

    #[test]
    // The lists of entries are written out whole, one entry or several alike.
    #[allow(clippy::cloned_ref_to_slice_refs)]
    fn the_last_owner_and_the_last_privileged_owner_stay() {
        let own = entry("own@a.org", Owner, true);
        let plain = entry("plain@a.org", Owner, false);
        let moderator = entry("mod@a.org", Editor, false);
        let moderator_privileged = AdminEntry {
            privileged: true,
            ..moderator.clone()
        };
        let check = |who: &Requester, after: &[AdminEntry], before: &[AdminEntry]| {
            match keeps_the_list_managed(who, after, before) {
                Ok(()) => "ok",
                Err(refusal) => refusal.code(),
            }
        };
        let owner = user("own@a.org");
        let lm = listmaster();
        let all = [own.clone(), plain.clone(), moderator.clone()];
        // One of two owners may go, when a privileged one stays.
        assert_eq!(check(&owner, &[own.clone()], &all), "ok");
        // The last owner never goes, not even by a listmaster; moderators do not count.
        for who in [&owner, &lm] {
            assert_eq!(
                check(who, &[moderator.clone()], &[own.clone(), moderator.clone()]),
                "last_owner"
            );
            assert_eq!(
                check(who, &[moderator_privileged.clone()], &[own.clone()]),
                "last_owner"
            );
        }
        // The last privileged owner stays but for a listmaster; a privileged moderator is
        // no privileged owner.
        assert_eq!(
            check(&owner, &[plain.clone(), moderator_privileged.clone()], &all),
            "last_privileged_owner"
        );
        assert_eq!(check(&lm, &[plain.clone()], &all), "ok");
        // A list that had no owner, or no privileged owner, is not refused for that.
        assert_eq!(
            check(&owner, &[moderator.clone()], &[moderator.clone()]),
            "ok"
        );
        assert_eq!(check(&owner, &[], &[]), "ok");
        assert_eq!(
            check(
                &owner,
                &[plain.clone()],
                &[plain.clone(), moderator.clone()]
            ),
            "ok"
        );
        assert_eq!(
            check(
                &owner,
                &[plain.clone()],
                &[plain.clone(), moderator_privileged.clone()]
            ),
            "ok"
        );
    }

    #[test]
    fn find_matches_the_address_and_the_role() {
        let both = [
            entry("ann@a.org", Owner, false),
            entry("ann@a.org", Editor, false),
            entry("bob@a.org", Editor, false),
        ];
        assert_eq!(find(&both, &email("ann@a.org"), Editor), Some(&both[1]));
        assert_eq!(find(&both, &email("ann@a.org"), Owner), Some(&both[0]));
        assert_eq!(find(&both, &email("bob@a.org"), Owner), None);
        assert_eq!(find(&both, &email("cid@a.org"), Editor), None);
    }

    #[test]
    fn who_sees_and_manages_owners_and_moderators() {
        let seen = on_both(|store| {
            let list = team(store);
            run(store, |env| {
                let mut seen = Vec::new();
                for who in [
                    Requester::anonymous(Channel::Soap, None),
                    user("sub@a.org"),
                    user("mod@a.org"),
                    user("plain@a.org"),
                    user("own@a.org"),
                    listmaster(),
                ] {
                    let manage = |role| match may_manage(env, &who, &list, role) {
                        Ok(yes) => yes.to_string(),
                        Err(e) => said::<()>(Err(e)),
                    };
                    seen.push(format!(
                        "{} owners {} moderators {}",
                        match entries(env, &who, &list) {
                            Ok(entries) => entries.len().to_string(),
                            Err(e) => said::<()>(Err(e)),
                        },
                        manage(Owner),
                        manage(Editor),
                    ));
                }
                seen
            })
        });
        assert_eq!(
            seen,
            [
                "login_required owners login_required moderators login_required",
                "not_allowed owners not_allowed moderators not_allowed",
                "not_allowed owners not_allowed moderators not_allowed",
                "3 owners false moderators true",
                "3 owners true moderators true",
                "3 owners true moderators true",
            ]
        );
    }

    #[test]
    fn a_normal_owner_changes_moderators_only_and_each_refusal_changes_nothing() {
        let seen = on_both(|store| {
            let list = team(store);
            let before = entries_of(store, &list);
            let plain = user("plain@a.org");
            let promote = AdminFields {
                profile: Some("privileged"),
                ..AdminFields::default()
            };
            let mut seen = run(store, |env| {
                vec![
                    said(add(env, &plain, &list, Owner, "new@a.org", &promote)),
                    said(add(
                        env,
                        &plain,
                        &list,
                        Owner,
                        "new@a.org",
                        &AdminFields::default(),
                    )),
                    said(update(env, &plain, &list, Owner, "plain@a.org", &promote)),
                    said(remove(env, &plain, &list, Owner, "own@a.org")),
                    said(add(
                        env,
                        &user("sub@a.org"),
                        &list,
                        Editor,
                        "x@a.org",
                        &promote,
                    )),
                    said(remove(env, &user("mod@a.org"), &list, Editor, "mod@a.org")),
                ]
            });
            seen.push(format!("unchanged {}", entries_of(store, &list) == before));
            seen.push(format!("audited {:?}", audited(store)));
            // Moderators are theirs to manage.
            seen.push(run(store, |env| {
                said(add(env, &plain, &list, Editor, "new@a.org", &promote))
            }));
            seen.push(run(store, |env| {
                said(remove(env, &plain, &list, Editor, "mod@a.org"))
            }));
            seen.push(format!("{:?}", entries_of(store, &list)));
            seen.push(format!("audited {:?}", audited(store)));
            seen
        });
        assert_eq!(
            seen,
            [
                "not_allowed",
                "not_allowed",
                "not_allowed",
                "not_allowed",
                "not_allowed",
                "not_allowed",
                "unchanged true",
                "audited []",
                "ok",
                "ok",
                r#"["new@a.org editor false", "own@a.org owner true", "plain@a.org owner false"]"#,
                r#"audited ["add_admin", "del_admin"]"#,
            ]
        );
    }

    #[test]
    fn the_last_privileged_owner_stays_unless_a_listmaster_demotes_them() {
        let seen = on_both(|store| {
            let list = team(store);
            let own = user("own@a.org");
            let normal = AdminFields {
                profile: Some("normal"),
                ..AdminFields::default()
            };
            let mut seen = run(store, |env| {
                vec![
                    said(update(env, &own, &list, Owner, "own@a.org", &normal)),
                    said(remove(env, &own, &list, Owner, "own@a.org")),
                    // Another owner may go, and own@ may change their other details.
                    said(remove(env, &own, &list, Owner, "plain@a.org")),
                    said(update(
                        env,
                        &own,
                        &list,
                        Owner,
                        "own@a.org",
                        &AdminFields {
                            name: Some("Own"),
                            ..AdminFields::default()
                        },
                    )),
                ]
            });
            seen.push(format!("{:?}", entries_of(store, &list)));
            seen.push(run(store, |env| {
                said(update(
                    env,
                    &listmaster(),
                    &list,
                    Owner,
                    "own@a.org",
                    &normal,
                ))
            }));
            seen.push(run(store, |env| {
                said(remove(env, &listmaster(), &list, Owner, "own@a.org"))
            }));
            seen.push(format!("{:?}", entries_of(store, &list)));
            seen
        });
        assert_eq!(
            seen,
            [
                "last_privileged_owner",
                "last_privileged_owner",
                "ok",
                "ok",
                r#"["mod@a.org editor false", "own@a.org owner true"]"#,
                "ok",
                "last_owner",
                r#"["mod@a.org editor false", "own@a.org owner false"]"#,
            ]
        );
    }

    #[test]
    fn changes_are_stored_audited_once_and_a_change_of_nothing_writes_nothing() {
        let seen = on_both(|store| {
            let list = team(store);
            let own = user("own@a.org");
            // ann@ is both a moderator and an owner: each entry is changed on its own.
            let added = run(store, |env| {
                add(
                    env,
                    &own,
                    &list,
                    Editor,
                    " ann@a.org ",
                    &AdminFields {
                        name: Some("Ann"),
                        reception: Some("nomail"),
                        ..AdminFields::default()
                    },
                )
                .unwrap();
                add(
                    env,
                    &own,
                    &list,
                    Owner,
                    "ann@a.org",
                    &AdminFields::default(),
                )
                .unwrap()
            });
            let mut seen = vec![format!("{} {}", added.name.is_empty(), added.privileged)];
            seen.push(run(store, |env| {
                said(add(
                    env,
                    &own,
                    &list,
                    Editor,
                    "ann@a.org",
                    &AdminFields::default(),
                ))
            }));
            let same = AdminFields {
                name: Some("Ann"),
                reception: Some("nomail"),
                ..AdminFields::default()
            };
            let updated = run(store, |env| {
                update(env, &own, &list, Editor, "ann@a.org", &same).unwrap()
            });
            seen.push(format!("{} {:?}", updated.name, updated.reception));
            seen.push(format!("audited {:?}", audited(store)));
            let promoted = run(store, |env| {
                update(
                    env,
                    &own,
                    &list,
                    Owner,
                    "ann@a.org",
                    &AdminFields {
                        profile: Some("privileged"),
                        info: Some("deputy"),
                        ..AdminFields::default()
                    },
                )
                .unwrap()
            });
            seen.push(format!("{} {}", promoted.privileged, promoted.info));
            let stored = store.db().admin_entries(list.id).unwrap();
            let ann: Vec<String> = stored
                .iter()
                .filter(|e| e.email.as_str() == "ann@a.org")
                .map(|e| {
                    format!(
                        "{} {} {} {:?} {}",
                        e.role.as_str(),
                        e.privileged,
                        e.name,
                        e.reception,
                        e.info
                    )
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            seen.push(format!("{ann:?}"));
            seen.push(run(store, |env| {
                said(update(env, &own, &list, Owner, "mod@a.org", &same))
            }));
            // Removing the moderator entry keeps the owner entry.
            run(store, |env| remove(env, &own, &list, Editor, "ann@a.org")).unwrap();
            seen.push(format!("{:?}", entries_of(store, &list)));
            seen.push(run(store, |env| {
                said(remove(env, &own, &list, Editor, "ann@a.org"))
            }));
            seen.push(format!("audited {:?}", audited(store)));
            // The rows say what changed: the entry as added or removed, before and after.
            let rows = store
                .db()
                .audit_page(&AuditQuery {
                    list: Some(list.id),
                    limit: 10,
                    ..AuditQuery::default()
                })
                .unwrap();
            for row in rows.iter().rev() {
                let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
                let shown = |entry: &serde_json::Value| {
                    format!(
                        "{} {} {} {} {} {}",
                        entry["role"],
                        entry["privileged"],
                        entry["name"],
                        entry["reception"],
                        entry["visibility"],
                        entry["info"]
                    )
                };
                seen.push(match row.action.as_str() {
                    "edit_admin" => format!(
                        "{}: {} -> {}",
                        row.action,
                        shown(&detail["before"]),
                        shown(&detail["after"])
                    ),
                    _ => format!("{}: {}", row.action, shown(&detail)),
                });
            }
            seen
        });
        assert_eq!(
            seen,
            [
                "true false",
                "already_exists",
                "Ann Nomail",
                r#"audited ["add_admin", "add_admin"]"#,
                "true deputy",
                r#"["editor false Ann Nomail ", "owner true  Mail deputy"]"#,
                "not_member",
                r#"["ann@a.org owner true", "mod@a.org editor false", "own@a.org owner true", "plain@a.org owner false"]"#,
                "not_member",
                r#"audited ["add_admin", "add_admin", "edit_admin", "del_admin"]"#,
                r#"add_admin: "editor" false "Ann" "nomail" "noconceal" """#,
                r#"add_admin: "owner" false "" "mail" "noconceal" """#,
                r#"edit_admin: "owner" false "" "mail" "noconceal" "" -> "owner" true "" "mail" "noconceal" "deputy""#,
                r#"del_admin: "editor" false "Ann" "nomail" "noconceal" """#,
            ]
        );
    }
}
