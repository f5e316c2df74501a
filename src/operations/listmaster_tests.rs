//! Tests, on both databases, of the operations of a list's lifecycle and of the listmaster's tools: who may create, copy and rename under each `create_list`, opening and purging, `mass_del`'s outcomes and limits, and `search_list`.

use super::lifecycle::{self, Opened};
use super::listmaster::{self, MassDelOutcome, MAX_MASS_DEL_LISTS};
use super::lists::{self, creation_status};
use super::test_support::{self, email, listmaster, said, user};
use super::{Channel, Env, Field, Refusal, Requester};
use crate::config::{Config, CreateList};
use crate::domain::{AdminRole, List, ListStatus, NameProblem, Reason, Visibility};
use crate::render::Templates;
use crate::store::test_support::{list as new_list, on_both};
use crate::store::{NewMember, Store};

fn config(create_list: CreateList) -> Config {
    Config {
        create_list,
        ..test_support::config()
    }
}

fn run<T>(store: &mut Store, create_list: CreateList, work: impl FnOnce(&mut Env<'_>) -> T) -> T {
    let templates = Templates::load(None).unwrap();
    let config = config(create_list);
    let mut env = Env::new(store, &config, &templates);
    work(&mut env)
}

/// A list `team` of `a.org` with privileged owner own@a.org.
fn team(store: &mut Store) -> List {
    let id = new_list(store, "team");
    store
        .db()
        .add_admin(id, &email("own@a.org"), AdminRole::Owner, true)
        .unwrap();
    store.db().list_by_id(id).unwrap().unwrap()
}

#[test]
fn create_list_decides_who_creates_copies_and_renames() {
    let seen = on_both(|store| {
        let list = team(store);
        let mut seen = Vec::new();
        for policy in [
            CreateList::Listmaster,
            CreateList::PublicListmaster,
            CreateList::Public,
        ] {
            seen.push(run(store, policy, |env| {
                let status = |who: &Requester| match creation_status(env, who) {
                    Ok(status) => status.as_str().to_string(),
                    Err(e) => said::<()>(Err(e)),
                };
                format!(
                    "{} {} {}",
                    status(&listmaster()),
                    status(&user("own@a.org")),
                    status(&Requester::anonymous(Channel::Web, None))
                )
            }));
            // A refused name says the policy was passed; a denial says it was not.
            seen.push(run(store, policy, |env| {
                format!(
                    "copy {} rename {}",
                    said(lifecycle::copy(env, &user("own@a.org"), &list, "x-request")),
                    said(lifecycle::rename(
                        env,
                        &user("own@a.org"),
                        &list,
                        "x-request"
                    ))
                )
            }));
        }
        seen
    });
    assert_eq!(
        seen,
        [
            "open not_allowed login_required",
            "copy not_allowed rename not_allowed",
            "open pending login_required",
            "copy reserved_list_name rename not_allowed",
            "open open login_required",
            "copy reserved_list_name rename reserved_list_name",
        ]
    );
}

#[test]
fn a_copy_by_an_owner_waits_pending_where_listmasters_approve_and_they_are_told() {
    let seen = on_both(|store| {
        let list = team(store);
        let copy = run(store, CreateList::PublicListmaster, |env| {
            lifecycle::copy(env, &user("own@a.org"), &list, "Team2")
        })
        .unwrap();
        let outbox: Vec<String> = (1..100)
            .map_while(|id| store.db().outbox_message(id).unwrap())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        (
            copy.list.name.to_string(),
            copy.list.status,
            outbox.len(),
            outbox.iter().all(|m| m.contains("To: lm@a.org")),
        )
    });
    assert_eq!(seen, ("team2".to_string(), ListStatus::Pending, 1, true));
}

#[test]
fn opening_reopens_closed_lists_and_purging_takes_closed_ones_only() {
    let seen = on_both(|store| {
        let list = team(store);
        let lm = listmaster();
        run(store, CreateList::PublicListmaster, |env| {
            let mut seen = vec![
                format!("{:?}", lifecycle::open(env, &lm, &list).unwrap()),
                said(lifecycle::purge(env, &lm, &list)),
                said(lifecycle::open(env, &user("own@a.org"), &list)),
            ];
            lists::close(env, &user("own@a.org"), &list).unwrap();
            seen.push(said(lifecycle::purge(env, &user("own@a.org"), &list)));
            seen.push(format!("{:?}", lifecycle::open(env, &lm, &list).unwrap()));
            lists::close(env, &lm, &list).unwrap();
            seen.push(said(lifecycle::purge(env, &lm, &list)));
            seen.push(format!("{:?}", env.db().list_by_id(list.id).unwrap()));
            seen
        })
    });
    assert_eq!(
        seen,
        [
            format!("{:?}", Opened::AlreadyOpen),
            "list_not_closed".into(),
            "not_allowed".into(),
            "not_allowed".into(),
            format!("{:?}", Opened::Reopened),
            "ok".into(),
            "None".into(),
        ]
    );
}

#[test]
fn mass_del_reports_each_list_and_refuses_what_it_cannot_do() {
    let seen = on_both(|store| {
        let list = team(store);
        let other = new_list(store, "other");
        let ann = email("ann@a.org");
        store
            .db()
            .add_member(list.id, &NewMember::new(ann.clone()))
            .unwrap();
        store
            .db()
            .add_admin(other, &ann, AdminRole::Owner, true)
            .unwrap();
        let lm = listmaster();
        run(store, CreateList::PublicListmaster, |env| {
            let many: Vec<&str> = vec!["team"; MAX_MASS_DEL_LISTS + 1];
            vec![
                format!(
                    "{:?}",
                    listmaster::mass_del(
                        env,
                        &lm,
                        "ann@a.org",
                        &["team", "other", "bad name", "none"],
                        true
                    )
                    .unwrap()
                ),
                said(listmaster::mass_del(
                    env,
                    &lm,
                    "not an address",
                    &["team"],
                    true,
                )),
                said(listmaster::mass_del(env, &lm, "ann@a.org", &many, true)),
                said(listmaster::mass_del(
                    env,
                    &user("own@a.org"),
                    "ann@a.org",
                    &["team"],
                    true,
                )),
            ]
        })
    });
    let removed = MassDelOutcome::Removed {
        member: true,
        moderator: false,
        owner: false,
    };
    assert_eq!(
        seen,
        [
            format!(
                "{:?}",
                vec![
                    ("team".to_string(), removed),
                    ("other".to_string(), MassDelOutcome::LastOwner),
                    ("bad name".to_string(), MassDelOutcome::NoSuchList),
                    ("none".to_string(), MassDelOutcome::NoSuchList),
                ]
            ),
            "bad_address".into(),
            "too_many".into(),
            "not_allowed".into(),
        ]
    );
}

#[test]
fn search_list_finds_by_name_subject_and_description_among_visible_lists() {
    let seen = on_both(|store| {
        let hidden = new_list(store, "hidden");
        new_list(store, "plain");
        let db = store.db();
        let mut policy = db.list_by_id(hidden).unwrap().unwrap().policy;
        policy.visibility = Visibility::Conceal;
        db.set_list_policy(hidden, &policy).unwrap();
        run(store, CreateList::PublicListmaster, |env| {
            let names = |who: &Requester, filter: &str| match lists::search(env, who, filter) {
                Ok(found) => found
                    .iter()
                    .map(|l| l.name.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                Err(e) => said::<()>(Err(e)),
            };
            vec![
                names(&user("x@a.org"), "i"),
                names(&listmaster(), "I"),
                names(&user("x@a.org"), "   "),
                names(&user("x@a.org"), &"x".repeat(101)),
            ]
        })
    });
    assert_eq!(seen, ["plain", "hidden,plain", "", "too_long"]);
}

#[test]
fn names_refused_for_new_lists_are_said_by_their_problem() {
    assert_eq!(
        Refusal::ListName(NameProblem::SiteAddress).field(),
        Some(Field::ListName)
    );
    assert_eq!(Refusal::Denied(Reason::NotPermitted).field(), None);
}

#[test]
fn mass_del_removes_each_role_held_keeps_the_others_and_tells_members_once() {
    let seen = on_both(|store| {
        let ann = email("ann@a.org");
        let a = new_list(store, "a");
        let b = new_list(store, "b");
        let c = new_list(store, "c");
        let db = store.db();
        db.add_admin(a, &email("own@a.org"), AdminRole::Owner, true)
            .unwrap();
        db.add_admin(a, &ann, AdminRole::Editor, false).unwrap();
        db.add_admin(a, &email("bob@a.org"), AdminRole::Editor, false)
            .unwrap();
        db.add_admin(b, &email("own@a.org"), AdminRole::Owner, true)
            .unwrap();
        db.add_admin(b, &ann, AdminRole::Owner, false).unwrap();
        db.add_member(b, &NewMember::new(ann.clone())).unwrap();
        db.add_admin(c, &email("own@a.org"), AdminRole::Owner, true)
            .unwrap();
        db.add_admin(c, &email("bob@a.org"), AdminRole::Editor, false)
            .unwrap();
        db.add_member(c, &NewMember::new(email("bob@a.org")))
            .unwrap();
        let report = run(store, CreateList::PublicListmaster, |env| {
            let mut report = format!(
                "{:?}",
                listmaster::mass_del(env, &listmaster(), "ann@a.org", &["a", "b", "c"], false)
                    .unwrap()
            );
            // As many lists as allowed is not too many.
            let most = vec!["c"; MAX_MASS_DEL_LISTS];
            let outcomes =
                listmaster::mass_del(env, &listmaster(), "ann@a.org", &most, true).unwrap();
            report.push_str(&format!(" most {}", outcomes.len()));
            report
        });
        let roles = |list| {
            let mut roles: Vec<String> = store
                .db()
                .admins(list)
                .unwrap()
                .iter()
                .map(|a| format!("{} {}", a.email.as_str(), a.role.as_str()))
                .collect();
            roles.sort();
            roles.join(",")
        };
        let outbox: Vec<String> = (1..100)
            .map_while(|id| store.db().outbox_message(id).unwrap())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        let audited = store
            .db()
            .recent_audit(100)
            .unwrap()
            .iter()
            .filter(|(_, action, _)| action == "mass_del")
            .count();
        (
            report,
            roles(a),
            roles(b),
            roles(c),
            store.db().member(b, &ann).unwrap().is_some(),
            store.db().member(c, &email("bob@a.org")).unwrap().is_some(),
            outbox.len(),
            outbox.iter().all(|m| {
                m.contains("To: ann@a.org") && m.contains("You were removed from b@a.org")
            }),
            audited,
        )
    });
    let removed = |member, moderator, owner| MassDelOutcome::Removed {
        member,
        moderator,
        owner,
    };
    assert_eq!(
        seen,
        (
            format!(
                "{:?} most {MAX_MASS_DEL_LISTS}",
                vec![
                    ("a".to_string(), removed(false, true, false)),
                    ("b".to_string(), removed(true, false, true)),
                    ("c".to_string(), MassDelOutcome::NotThere),
                ]
            ),
            "bob@a.org editor,own@a.org owner".to_string(),
            "own@a.org owner".to_string(),
            "bob@a.org editor,own@a.org owner".to_string(),
            false,
            true,
            1,
            true,
            2,
        )
    );
}

#[test]
fn the_confirmation_pages_of_the_lifecycle_ask_what_the_operations_decide() {
    let seen = on_both(|store| {
        let list = team(store);
        store
            .db()
            .add_admin(list.id, &email("plain@a.org"), AdminRole::Owner, false)
            .unwrap();
        let pending = new_list(store, "waiting");
        let db = store.db();
        db.add_admin(pending, &email("own@a.org"), AdminRole::Owner, true)
            .unwrap();
        db.add_admin(pending, &email("mod@a.org"), AdminRole::Editor, false)
            .unwrap();
        db.set_list_status(pending, ListStatus::Pending).unwrap();
        let pending = db.list_by_id(pending).unwrap().unwrap();
        run(store, CreateList::PublicListmaster, |env| {
            let mut seen = Vec::new();
            for who in [
                Requester::anonymous(Channel::Soap, None),
                user("plain@a.org"),
                user("own@a.org"),
                listmaster(),
            ] {
                seen.push(format!(
                    "manage {} open {} pending {} closed {}",
                    said(lifecycle::may_manage(env, &who, &list)),
                    said(lifecycle::may_open(&who)),
                    match lifecycle::pending_details(env, &who, &pending) {
                        Ok((_, owners)) => owners
                            .iter()
                            .map(|o| o.email.as_str().to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                        Err(e) => said::<()>(Err(e)),
                    },
                    match lifecycle::closed_list(env, &who, "waiting") {
                        Ok(found) => found.name.to_string(),
                        Err(e) => said::<()>(Err(e)),
                    },
                ));
            }
            seen.push(said(lifecycle::pending_details(env, &listmaster(), &list)));
            seen.push(said(lifecycle::closed_list(env, &listmaster(), "nothing")));
            seen
        })
    });
    assert_eq!(
        seen,
        [
            "manage login_required open login_required pending login_required closed login_required",
            "manage not_allowed open not_allowed pending not_allowed closed not_allowed",
            "manage ok open not_allowed pending not_allowed closed not_allowed",
            "manage ok open ok pending own@a.org closed waiting",
            "unknown_list",
            "unknown_list",
        ]
    );
}

#[test]
fn copies_take_the_originals_owners_and_owners_copy_at_most_five_a_day() {
    let seen = on_both(|store| {
        let list = team(store);
        run(store, CreateList::Public, |env| {
            let owners = |env: &Env<'_>, copy: &List| -> String {
                let mut owners: Vec<String> = env
                    .db()
                    .admins(copy.id)
                    .unwrap()
                    .iter()
                    .map(|a| format!("{} {}", a.email.as_str(), a.privileged))
                    .collect();
                owners.sort();
                owners.join(",")
            };
            // A listmaster who copies does not become an owner of the copy.
            let by_lm = lifecycle::copy(env, &listmaster(), &list, "lm-copy").unwrap();
            let mut seen = vec![owners(env, &by_lm.list)];
            // An owner may copy five lists a day; the sixth is refused, nothing made.
            for n in 1..=6 {
                seen.push(said(lifecycle::copy(
                    env,
                    &user("own@a.org"),
                    &list,
                    &format!("copy{n}"),
                )));
            }
            seen.push(format!(
                "{:?}",
                env.db()
                    .list_by_name("a.org", &list_name("copy6"))
                    .unwrap()
                    .map(|l| l.name.to_string())
            ));
            // Listmasters are not limited.
            for n in 7..=12 {
                seen.push(said(lifecycle::copy(
                    env,
                    &listmaster(),
                    &list,
                    &format!("copy{n}"),
                )));
            }
            seen
        })
    });
    let mut expected = vec!["own@a.org true".to_string()];
    expected.extend(["ok"; 5].map(String::from));
    expected.push("rate_limited".into());
    expected.push("None".into());
    expected.extend(["ok"; 6].map(String::from));
    assert_eq!(seen, expected);
}

fn list_name(name: &str) -> crate::domain::ListName {
    crate::domain::ListName::parse(name).unwrap()
}

#[test]
fn the_listmasters_overview_and_search_user_are_theirs_and_each_list_has_its_own_dates() {
    let seen = on_both(|store| {
        let list = team(store);
        let quiet = new_list(store, "quiet");
        store
            .db()
            .set_list_status(quiet, ListStatus::Closed)
            .unwrap();
        super::doors_tests::archive(store, list.id, 1, "news");
        store
            .db()
            .add_member(list.id, &NewMember::new(email("ann@a.org")))
            .unwrap();
        run(store, CreateList::PublicListmaster, |env| {
            let overview = |who: &Requester| match listmaster::overview(env, who) {
                Ok(lists) => lists
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {:?} created {} posted {}",
                            o.list.name,
                            o.list.status,
                            o.created_at > 0,
                            o.last_post_at.is_some()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Err(e) => said::<()>(Err(e)),
            };
            let search =
                |who: &Requester, typed: &str| match listmaster::search_user(env, who, typed) {
                    Ok((found, lists)) => format!(
                        "{} in {:?}",
                        found.as_str(),
                        lists.iter().map(|m| m.list.to_string()).collect::<Vec<_>>()
                    ),
                    Err(e) => said::<()>(Err(e)),
                };
            vec![
                overview(&listmaster()),
                overview(&user("own@a.org")),
                overview(&Requester::anonymous(Channel::Soap, None)),
                search(&listmaster(), " ANN@a.org"),
                search(&listmaster(), "own@a.org"),
                search(&listmaster(), "nobody"),
                search(&user("own@a.org"), "ann@a.org"),
            ]
        })
    });
    assert_eq!(
        seen,
        [
            "quiet Closed created true posted false, team Open created true posted true",
            "not_allowed",
            "login_required",
            r#"ann@a.org in ["team"]"#,
            r#"own@a.org in ["team"]"#,
            "bad_address",
            "not_allowed",
        ]
    );
}
