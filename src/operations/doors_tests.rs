//! Tests, on both databases, of the operations the programs' doors (SOAP, JSON) need: amI,
//! find, list creation by templates and by non-listmasters, closeList purging pending lists,
//! info's flags, fullReview, custom attributes, moveUser and the bounce data of memberships.

use std::collections::BTreeMap;

use super::account::{memberships, move_user};
use super::lists::{self, am_i, find, ListSettings};
use super::members::{full_review, FullEntry};
use super::membership::{self, set_custom, OptionsChange};
use super::{Channel, Env, Error, Existing, Field, Refusal, Requester};
use crate::config::{Config, CreateList};
use crate::domain::bounce::BounceScore;
use crate::domain::{
    AdminRole, ArchivedState, Email, List, ListId, ListName, ListPolicy, ListStatus, ListTemplate,
    MemberVisibility, Month, Reason, ReviewPolicy, Role, SendPolicy, Visibility,
};
use crate::render::Templates;
use crate::store::test_support::{list as new_list, on_both};
use crate::store::{
    ArchiveSearch, NewArchived, NewBounce, NewList, NewMember, NewPending, NewUser, Store,
};

fn config() -> Config {
    Config {
        domain: "a.org".into(),
        wwsympa_url: "http://a.org/sympa".into(),
        listmaster: "lm@a.org, lm2@a.org".into(),
        ..Config::default()
    }
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn user(address: &str) -> Requester {
    Requester {
        email: Some(email(address)),
        ..Requester::anonymous(Channel::Soap, Some("192.0.2.1".parse().unwrap()))
    }
}

fn listmaster() -> Requester {
    Requester {
        listmaster: true,
        ..user("lm@a.org")
    }
}

fn anonymous() -> Requester {
    Requester::anonymous(Channel::Soap, None)
}

fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn with_env<T>(store: &mut Store, config: &Config, work: impl FnOnce(&mut Env<'_>) -> T) -> T {
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(store, config, &templates);
    work(&mut env)
}

fn run<T>(store: &mut Store, work: impl FnOnce(&mut Env<'_>) -> T) -> T {
    with_env(store, &config(), work)
}

/// A list `news` of `a.org` (review by owners) with privileged owner own@a.org, member
/// member@x.org, a concealed member hidden@x.org, and no moderator.
fn setup(store: &mut Store) -> List {
    let id: ListId = new_list(store, "news");
    let db = store.db();
    db.add_admin(id, &email("own@a.org"), AdminRole::Owner, true)
        .unwrap();
    let mut member = NewMember::new(email("member@x.org"));
    member.name = "Mem Ber".into();
    db.add_member(id, &member).unwrap();
    let mut hidden = NewMember::new(email("hidden@x.org"));
    hidden.visibility = MemberVisibility::Conceal;
    db.add_member(id, &hidden).unwrap();
    db.list_by_id(id).unwrap().unwrap()
}

fn reload(store: &Store, list: &List) -> List {
    store.db().list_by_id(list.id).unwrap().unwrap()
}

/// The recipients and subjects of every mail in the outbox.
fn outbox(store: &Store) -> Vec<(String, String)> {
    let db = store.db();
    (1..1000)
        .map_while(|id| db.outbox_message(id).unwrap())
        .map(|bytes| {
            let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
            let header = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            (header("To:"), header("Subject:"))
        })
        .collect()
}

fn actions(store: &Store) -> Vec<String> {
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
fn am_i_answers_for_ones_own_address_and_the_roles_of_others_to_those_who_may_review() {
    let seen = on_both(|store| {
        let list = setup(store);
        let ask = |store: &mut Store, who: &Requester, function: &str, address: &str| {
            run(store, |env| am_i(env, who, &list, function, address))
        };
        let member = user("member@x.org");
        let owner = user("own@a.org");
        let mut answers = vec![
            ask(store, &member, "subscriber", "member@x.org").unwrap(),
            ask(store, &member, "editor", "member@x.org").unwrap(),
            ask(store, &member, "owner", "member@x.org").unwrap(),
            // No moderator: the owner is the actual editor.
            ask(store, &owner, "editor", "own@a.org").unwrap(),
            ask(store, &owner, "owner", "own@a.org").unwrap(),
            ask(store, &owner, "subscriber", "own@a.org").unwrap(),
            // Owners review the list, so they may ask about others.
            ask(store, &owner, "subscriber", "member@x.org").unwrap(),
            ask(store, &owner, "subscriber", "hidden@x.org").unwrap(),
            ask(store, &owner, "subscriber", "nobody@x.org").unwrap(),
            // A configured listmaster is an owner of every list, not an editor.
            ask(store, &owner, "owner", "lm2@a.org").unwrap(),
            ask(store, &owner, "editor", "lm2@a.org").unwrap(),
            ask(store, &listmaster(), "owner", "lm@a.org").unwrap(),
            ask(store, &listmaster(), "subscriber", "member@x.org").unwrap(),
        ];
        // A listmaster by account flag is one too.
        store
            .db()
            .create_user(&NewUser {
                email: email("flag@a.org"),
                name: String::new(),
                password_hash: None,
                listmaster: true,
            })
            .unwrap();
        answers.push(ask(store, &owner, "owner", "flag@a.org").unwrap());
        // With a moderator, owners are no longer editors.
        store
            .db()
            .add_admin(list.id, &email("mod@a.org"), AdminRole::Editor, false)
            .unwrap();
        answers.push(ask(store, &owner, "editor", "own@a.org").unwrap());
        answers.push(ask(store, &user("mod@a.org"), "editor", "mod@a.org").unwrap());
        answers
    });
    assert_eq!(
        seen,
        [
            true, false, false, true, true, false, true, true, false, true, false, true, true,
            true, false, true
        ]
    );
}

#[test]
fn am_i_is_no_oracle_for_anonymous_requesters_outsiders_or_bad_questions() {
    let seen = on_both(|store| {
        let list = setup(store);
        let ask = |store: &mut Store, who: &Requester, function: &str, address: &str| {
            refusal(run(store, |env| am_i(env, who, &list, function, address)))
        };
        let mut refusals = vec![
            ask(store, &anonymous(), "subscriber", "member@x.org"),
            // A member may not review this list (review by owners): no asking about others.
            ask(store, &user("member@x.org"), "subscriber", "hidden@x.org"),
            ask(store, &user("bob@x.org"), "owner", "own@a.org"),
            ask(store, &user("own@a.org"), "Owner", "own@a.org"),
            ask(store, &user("own@a.org"), "", "own@a.org"),
            ask(store, &user("own@a.org"), "subscriber", "not an address"),
        ];
        // On a concealed list an outsider is told nothing, even about themselves.
        let policy = ListPolicy {
            visibility: Visibility::Conceal,
            ..list.policy
        };
        store.db().set_list_policy(list.id, &policy).unwrap();
        let hidden = reload(store, &list);
        refusals.push(refusal(run(store, |env| {
            am_i(env, &user("bob@x.org"), &hidden, "subscriber", "bob@x.org")
        })));
        // With a public review policy anyone logged in may ask.
        let policy = ListPolicy {
            review: ReviewPolicy::Public,
            ..list.policy
        };
        store.db().set_list_policy(list.id, &policy).unwrap();
        let public = reload(store, &list);
        // Still nothing for anonymous requesters, though anyone may review this list.
        refusals.push(refusal(run(store, |env| {
            am_i(env, &anonymous(), &public, "subscriber", "member@x.org")
        })));
        let answer = run(store, |env| {
            am_i(
                env,
                &user("bob@x.org"),
                &public,
                "subscriber",
                "member@x.org",
            )
        })
        .unwrap();
        (refusals, answer)
    });
    assert_eq!(
        seen,
        (
            vec![
                Refusal::Denied(Reason::LoginRequired),
                Refusal::Denied(Reason::NotPermitted),
                Refusal::Denied(Reason::NotPermitted),
                Refusal::InvalidValue {
                    field: Field::Function
                },
                Refusal::InvalidValue {
                    field: Field::Function
                },
                Refusal::InvalidAddress,
                Refusal::Denied(Reason::NotVisible),
                Refusal::Denied(Reason::LoginRequired),
            ],
            true
        )
    );
}

#[test]
fn find_finds_lists_of_every_status_and_open_list_only_open_ones() {
    let seen = on_both(|store| {
        let list = setup(store);
        store
            .db()
            .set_list_status(list.id, ListStatus::Pending)
            .unwrap();
        run(store, |env| {
            (
                find(env, "news").map(|l| l.status).ok(),
                refusal(lists::open_list(env, "news")),
                refusal(find(env, "nosuch")),
                refusal(find(env, "not a name!")),
            )
        })
    });
    assert_eq!(
        seen,
        (
            Some(ListStatus::Pending),
            Refusal::Denied(Reason::NotVisible),
            Refusal::Denied(Reason::NotVisible),
            Refusal::Denied(Reason::NotVisible),
        )
    );
}

fn new_list_named(name: &str, subject: &str) -> NewList {
    NewList {
        name: ListName::parse(name).unwrap(),
        subject: subject.into(),
        description: "What we do.\nAnd how.".into(),
        topics: vec!["computing".into()],
        visibility: Visibility::Noconceal,
    }
}

#[test]
fn a_user_asks_for_a_list_from_a_template_which_waits_pending_and_the_listmasters_are_told() {
    let seen = on_both(|store| {
        let settings = ListSettings::from_template(
            new_list_named("team", "Our team"),
            ListTemplate::Confidential,
        );
        let list = run(store, |env| {
            lists::create(env, &user("bob@x.org"), &settings)
        })
        .unwrap();
        let admins: Vec<(String, AdminRole, bool)> = store
            .db()
            .admins(list.id)
            .unwrap()
            .into_iter()
            .map(|a| (a.email.to_string(), a.role, a.privileged))
            .collect();
        let send = store.db().list_mail_settings(list.id).unwrap().send;
        (
            list.status,
            list.policy,
            send,
            admins,
            outbox(store),
            actions(store),
        )
    });
    let (status, policy, send, admins, mails, actions) = seen;
    assert_eq!(status, ListStatus::Pending);
    assert_eq!(policy, ListTemplate::Confidential.policy());
    assert_eq!(policy.visibility, Visibility::Conceal);
    assert_eq!(send, SendPolicy::Private);
    assert_eq!(admins, [("bob@x.org".to_string(), AdminRole::Owner, true)]);
    assert_eq!(
        mails,
        [
            (
                "lm@a.org".to_string(),
                "List team requested by bob@x.org".to_string()
            ),
            (
                "lm2@a.org".to_string(),
                "List team requested by bob@x.org".to_string()
            ),
        ]
    );
    assert_eq!(actions, ["create_list"]);
}

#[test]
fn a_listmaster_creates_an_open_list_and_owns_it_when_no_owner_is_named() {
    let seen = on_both(|store| {
        let settings = ListSettings::from_template(
            new_list_named("letter", "Our letter"),
            ListTemplate::NewsLetter,
        );
        let list = run(store, |env| lists::create(env, &listmaster(), &settings)).unwrap();
        let owners: Vec<String> = store
            .db()
            .admins(list.id)
            .unwrap()
            .into_iter()
            .map(|a| a.email.to_string())
            .collect();
        // Without a template, the policy given is kept, as the shell gives it.
        let plain = ListSettings {
            list: new_list_named("plain", "Plain"),
            policy: ListTemplate::Hotline.policy(),
            owner: Some("own@a.org".into()),
            template: None,
        };
        let shell = run(store, |env| lists::create(env, &Requester::shell(), &plain)).unwrap();
        (
            list.status,
            store.db().list_mail_settings(list.id).unwrap().send,
            owners,
            shell.status,
            shell.policy.subscribe,
            store.db().list_mail_settings(shell.id).unwrap().send,
            outbox(store).len(),
        )
    });
    assert_eq!(
        seen,
        (
            ListStatus::Open,
            SendPolicy::ModeratedOnly,
            vec!["lm@a.org".to_string()],
            ListStatus::Open,
            ListTemplate::Hotline.policy().subscribe,
            SendPolicy::PrivateOrModerated,
            0
        )
    );
}

#[test]
fn a_list_without_a_template_keeps_its_own_visibility_and_may_have_the_most_topics() {
    let made = on_both(|store| {
        let settings = ListSettings {
            list: NewList {
                visibility: Visibility::Conceal,
                topics: vec!["t".to_string(); lists::MAX_TOPICS],
                ..new_list_named("hidden", "Hidden")
            },
            // The list's visibility wins over the policy's.
            policy: ListPolicy {
                visibility: Visibility::Noconceal,
                ..ListTemplate::DiscussionList.policy()
            },
            owner: None,
            template: None,
        };
        let list = run(store, |env| lists::create(env, &listmaster(), &settings)).unwrap();
        (list.policy.visibility, list.topics.len())
    });
    assert_eq!(made, (Visibility::Conceal, lists::MAX_TOPICS));
}

#[test]
fn a_template_sets_the_visibility_whatever_the_list_says() {
    let made = on_both(|store| {
        let settings = ListSettings::from_template(
            NewList {
                visibility: Visibility::Noconceal,
                ..new_list_named("group", "Group")
            },
            ListTemplate::PrivateWorkingGroup,
        );
        let list = run(store, |env| lists::create(env, &listmaster(), &settings)).unwrap();
        list.policy.visibility
    });
    assert_eq!(made, ListTemplate::PrivateWorkingGroup.policy().visibility);
    assert_ne!(made, Visibility::Noconceal);
}

#[test]
fn list_creation_refuses_anonymous_users_closed_sites_other_owners_and_bad_text() {
    let seen = on_both(|store| {
        let good = ListSettings::from_template(
            new_list_named("team", "Our team"),
            ListTemplate::DiscussionList,
        );
        let bob = user("bob@x.org");
        let closed = Config {
            create_list: CreateList::Listmaster,
            ..config()
        };
        let mut refusals = vec![
            refusal(run(store, |env| lists::create(env, &anonymous(), &good))),
            refusal(with_env(store, &closed, |env| {
                lists::create(env, &bob, &good)
            })),
        ];
        let other_owner = ListSettings {
            owner: Some("carol@x.org".into()),
            ..good.clone()
        };
        refusals.push(refusal(run(store, |env| {
            lists::create(env, &bob, &other_owner)
        })));
        let with = |subject: &str, description: &str, topics: Vec<String>| ListSettings {
            list: NewList {
                subject: subject.into(),
                description: description.into(),
                topics,
                ..good.list.clone()
            },
            ..good.clone()
        };
        for settings in [
            with("Two\nlines", "", vec![]),
            with(&"s".repeat(201), "", vec![]),
            with("Fine", "a \u{202E} trick", vec![]),
            with("Fine", &"d".repeat(10_001), vec![]),
            with("Fine", "", vec!["a\u{200B}b".into()]),
            with("Fine", "", vec!["t".into(); 21]),
        ] {
            refusals.push(refusal(run(store, |env| {
                lists::create(env, &bob, &settings)
            })));
        }
        let nothing_made = store.db().all_lists("a.org").unwrap().is_empty();
        // A name taken is refused, whoever asks.
        run(store, |env| lists::create(env, &bob, &good)).unwrap();
        refusals.push(refusal(run(store, |env| {
            lists::create(env, &listmaster(), &good)
        })));
        // Past five requests a day, a user is refused (listmasters are not counted).
        for n in 0..4 {
            let more = ListSettings {
                list: new_list_named(&format!("more{n}"), "More"),
                ..good.clone()
            };
            run(store, |env| lists::create(env, &bob, &more)).unwrap();
        }
        let sixth = ListSettings {
            list: new_list_named("sixth", "Sixth"),
            ..good.clone()
        };
        refusals.push(refusal(run(store, |env| lists::create(env, &bob, &sixth))));
        run(store, |env| lists::create(env, &listmaster(), &sixth)).unwrap();
        (refusals, nothing_made, outbox(store).len())
    });
    assert_eq!(
        seen,
        (
            vec![
                Refusal::Denied(Reason::LoginRequired),
                Refusal::Denied(Reason::NotPermitted),
                Refusal::Denied(Reason::NotPermitted),
                Refusal::HiddenCharacters {
                    field: Field::Subject
                },
                Refusal::TooLong {
                    field: Field::Subject,
                    max: 200
                },
                Refusal::HiddenCharacters {
                    field: Field::Description
                },
                Refusal::TooLong {
                    field: Field::Description,
                    max: 10_000
                },
                Refusal::HiddenCharacters {
                    field: Field::Topics
                },
                Refusal::TooMany {
                    field: Field::Topics,
                    max: 20
                },
                Refusal::AlreadyExists(Existing::List(ListName::parse("team").unwrap())),
                Refusal::TooManyAttempts,
            ],
            true,
            10
        )
    );
}

/// Archives `word` in a visible message of `list`; returns its id.
pub(super) fn archive(store: &mut Store, list: ListId, n: u32, word: &str) -> i64 {
    let raw = format!(
        "From: Ann <ann@x.org>\r\nSubject: Post {n}\r\nMessage-ID: <p{n}@x.org>\r\n\r\nabout {word}\r\n"
    );
    let parsed = crate::archive::parse(raw.as_bytes());
    let at = crate::store::now();
    store
        .db()
        .archive_message(&NewArchived {
            list,
            raw: raw.as_bytes(),
            message_id: &parsed.message_id,
            permalink: &crate::archive::ids::sympa_permalink(&parsed.message_id),
            hyperkitty: &crate::archive::ids::hyperkitty_hash(&parsed.message_id),
            references: &parsed.references,
            from_addr: &parsed.from_addr,
            from_name: &parsed.from_name,
            subject: &parsed.subject,
            date: at,
            arrived_at: at,
            month: Month::of_timestamp(at),
            legacy_seq: None,
            attachments: parsed.attachments,
            index: &parsed.index,
            extract_version: crate::archive::EXTRACT_VERSION,
            state: ArchivedState::Visible,
        })
        .unwrap()
        .message()
        .id
}

fn search(store: &Store, list: ListId, text: &str) -> usize {
    let query = crate::archive::query::parse(text).unwrap();
    store
        .db()
        .archive_search(&ArchiveSearch {
            lists: &[list],
            query: &query,
            order: crate::domain::SearchOrder::Newest,
            before: None,
            offset: 0,
            limit: 10,
        })
        .unwrap()
        .len()
}

#[test]
fn closing_a_pending_list_purges_it_with_everything_attached_and_an_open_one_is_closed() {
    let seen = on_both(|store| {
        let settings = ListSettings::from_template(
            new_list_named("team", "Our team"),
            ListTemplate::DiscussionList,
        );
        let bob = user("bob@x.org");
        let team = run(store, |env| lists::create(env, &bob, &settings)).unwrap();
        store
            .db()
            .add_member(team.id, &NewMember::new(email("member@x.org")))
            .unwrap();
        store
            .db()
            .create_pending(&NewPending {
                key_hash: "k".repeat(64),
                list: team.id,
                kind: "subscribe".into(),
                email: email("carol@x.org"),
                requested_by: None,
                state: "owner".into(),
                data: serde_json::json!({}),
                ttl: 3600,
            })
            .unwrap();
        archive(store, team.id, 1, "zebra");
        // Only privileged owners and listmasters close.
        let member = refusal(run(store, |env| {
            lists::close(env, &user("member@x.org"), &team)
        }));
        run(store, |env| lists::close(env, &bob, &team)).unwrap();
        let gone = store.db().list_by_id(team.id).unwrap().is_none();
        let memberships = store
            .db()
            .memberships("a.org", &email("member@x.org"))
            .unwrap();
        // A list made next (which SQLite may give the same id) finds nothing of the old one.
        let next = run(store, |env| lists::create(env, &listmaster(), &settings)).unwrap();
        archive(store, next.id, 2, "giraffe");
        let found = (
            search(store, next.id, "zebra"),
            search(store, next.id, "giraffe"),
        );
        let fresh = store.db().member_count(next.id).unwrap();

        // An open list is closed, and keeps its members.
        let news = setup(store);
        run(store, |env| lists::close(env, &user("own@a.org"), &news)).unwrap();
        let news = reload(store, &news);
        (
            member,
            gone,
            memberships.len(),
            found,
            fresh,
            news.status,
            news.member_count,
            actions(store),
        )
    });
    assert_eq!(
        seen,
        (
            Refusal::Denied(Reason::NotPermitted),
            true,
            0,
            (0, 1),
            0,
            ListStatus::Closed,
            2,
            vec![
                "create_list".to_string(),
                "purge_list".to_string(),
                "create_list".to_string(),
                "close_list".to_string()
            ]
        )
    );
}

#[test]
fn listmasters_see_the_pending_lists_and_open_them() {
    let seen = on_both(|store| {
        let settings = ListSettings::from_template(
            new_list_named("team", "Our team"),
            ListTemplate::DiscussionList,
        );
        let bob = user("bob@x.org");
        let team = run(store, |env| lists::create(env, &bob, &settings)).unwrap();
        setup(store);
        let names = |lists: Vec<List>| -> Vec<String> {
            lists.into_iter().map(|l| l.name.to_string()).collect()
        };
        let waiting = names(run(store, |env| lists::pending(env, &listmaster())).unwrap());
        let refusals = [
            refusal(run(store, |env| lists::pending(env, &bob))),
            refusal(run(store, |env| lists::pending(env, &anonymous()))),
            refusal(run(store, |env| lists::install_pending(env, &bob, &team))),
        ];
        let still_pending = reload(store, &team).status;
        run(store, |env| {
            lists::install_pending(env, &listmaster(), &team)
        })
        .unwrap();
        let open = run(store, |env| lists::open_list(env, "team").map(|l| l.status)).unwrap();
        let left = names(run(store, |env| lists::pending(env, &Requester::shell())).unwrap());
        (waiting, refusals, still_pending, open, left)
    });
    assert_eq!(
        seen,
        (
            vec!["team".to_string()],
            [
                Refusal::Denied(Reason::NotPermitted),
                Refusal::Denied(Reason::LoginRequired),
                Refusal::Denied(Reason::NotPermitted),
            ],
            ListStatus::Pending,
            ListStatus::Open,
            vec![]
        )
    );
}

#[test]
fn info_says_who_owns_and_who_is_the_actual_editor() {
    let seen = on_both(|store| {
        let list = setup(store);
        let flags = |store: &mut Store, who: &Requester| {
            let info = run(store, |env| lists::info(env, who, &list)).unwrap();
            (info.is_member, info.is_owner, info.is_editor)
        };
        let before = [
            flags(store, &user("own@a.org")),
            flags(store, &user("member@x.org")),
            flags(store, &listmaster()),
            flags(store, &anonymous()),
        ];
        store
            .db()
            .add_admin(list.id, &email("mod@a.org"), AdminRole::Editor, false)
            .unwrap();
        let after = [
            flags(store, &user("own@a.org")),
            flags(store, &user("mod@a.org")),
        ];
        (before, after)
    });
    assert_eq!(
        seen,
        (
            [
                (false, true, true),
                (true, false, false),
                (false, true, false),
                (false, false, false)
            ],
            [(false, true, false), (false, false, true)]
        )
    );
}

#[test]
fn info_shows_owners_only_and_a_concealed_owner_to_owners_and_listmasters_only() {
    let seen = on_both(|store| {
        let list = setup(store);
        let db = store.db();
        db.add_admin(list.id, &email("shy@a.org"), AdminRole::Owner, false)
            .unwrap();
        db.add_admin(list.id, &email("mod@a.org"), AdminRole::Editor, false)
            .unwrap();
        let mut shy = db
            .admin_entries(list.id)
            .unwrap()
            .into_iter()
            .find(|a| a.email.as_str() == "shy@a.org")
            .unwrap();
        shy.visibility = MemberVisibility::Conceal;
        assert!(db.update_admin(list.id, &shy).unwrap());
        let shown = |store: &mut Store, who: &Requester| {
            let info = run(store, |env| lists::info(env, who, &list)).unwrap();
            let mut owners: Vec<String> = info
                .owners
                .iter()
                .map(|a| a.email.as_str().to_string())
                .collect();
            owners.sort();
            owners
        };
        [
            shown(store, &user("own@a.org")),
            shown(store, &listmaster()),
            shown(store, &user("member@x.org")),
            shown(store, &user("mod@a.org")),
            shown(store, &anonymous()),
        ]
    });
    let all = vec!["own@a.org".to_string(), "shy@a.org".to_string()];
    let public = vec!["own@a.org".to_string()];
    // Moderators are never listed as owners; the concealed owner only to owners and
    // listmasters; anonymous visitors see no address.
    assert_eq!(seen, [all.clone(), all, public.clone(), public, vec![]]);
}

#[test]
fn full_review_merges_members_owners_and_moderators_by_address_for_owners_only() {
    let seen = on_both(|store| {
        let list = setup(store);
        let db = store.db();
        db.add_member(list.id, &NewMember::new(email("own@a.org")))
            .unwrap();
        let entries = run(store, |env| full_review(env, &user("own@a.org"), &list)).unwrap();
        store
            .db()
            .add_admin(list.id, &email("a-mod@a.org"), AdminRole::Editor, false)
            .unwrap();
        let with_moderator = run(store, |env| full_review(env, &listmaster(), &list)).unwrap();
        let refusals = [
            refusal(run(store, |env| {
                full_review(env, &user("member@x.org"), &list)
            })),
            refusal(run(store, |env| full_review(env, &anonymous(), &list))),
        ];
        (entries, with_moderator, refusals)
    });
    let entry = |address: &str, name: &str, flags: (bool, bool, bool)| FullEntry {
        email: email(address),
        name: name.into(),
        subscriber: flags.0,
        owner: flags.1,
        editor: flags.2,
    };
    assert_eq!(
        seen.0,
        [
            entry("hidden@x.org", "", (true, false, false)),
            entry("member@x.org", "Mem Ber", (true, false, false)),
            // An owner is no editor here even with no moderators (Sympa's fullReview).
            entry("own@a.org", "", (true, true, false)),
        ]
    );
    assert_eq!(
        seen.1,
        [
            entry("a-mod@a.org", "", (false, false, true)),
            entry("hidden@x.org", "", (true, false, false)),
            entry("member@x.org", "Mem Ber", (true, false, false)),
            entry("own@a.org", "", (true, true, false)),
        ]
    );
    assert_eq!(
        seen.2,
        [
            Refusal::Denied(Reason::NotPermitted),
            Refusal::Denied(Reason::LoginRequired)
        ]
    );
}

fn custom_of(store: &Store, list: &List, address: &str) -> BTreeMap<String, String> {
    store
        .db()
        .member(list.id, &email(address))
        .unwrap()
        .unwrap()
        .custom_attributes
}

#[test]
fn custom_attributes_merge_keep_empty_values_and_are_checked() {
    let seen = on_both(|store| {
        let list = setup(store);
        let member = user("member@x.org");
        run(store, |env| set_custom(env, &member, &list, "org", "ACME")).unwrap();
        run(store, |env| {
            set_custom(env, &member, &list, "dept.x-1", "R&D")
        })
        .unwrap();
        // An empty value keeps the key (Sympa's setCustom).
        run(store, |env| set_custom(env, &member, &list, "org", "")).unwrap();
        let after_set = custom_of(store, &list, "member@x.org");
        let mut refusals = Vec::new();
        for (key, value) in [
            ("", "x"),
            ("a b", "x"),
            ("é", "x"),
            (&"k".repeat(51)[..], "x"),
            ("ok", &"v".repeat(501)[..]),
            ("ok", "a\u{202E}b"),
        ] {
            refusals.push(refusal(run(store, |env| {
                set_custom(env, &member, &list, key, value)
            })));
        }
        // Not a member: nothing to set.
        refusals.push(refusal(run(store, |env| {
            set_custom(env, &user("bob@x.org"), &list, "org", "x")
        })));
        refusals.push(refusal(run(store, |env| {
            set_custom(env, &anonymous(), &list, "org", "x")
        })));
        let unchanged = custom_of(store, &list, "member@x.org") == after_set;
        // At most 50: the 51st is refused, changing one of the 50 is not.
        let keys: Vec<String> = (0..48).map(|i| format!("k{i}")).collect();
        let many: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "v")).collect();
        let change = OptionsChange {
            email: None,
            reception: None,
            visibility: None,
            name: None,
            custom: &many,
        };
        run(store, |env| {
            membership::set_options(env, &member, &list, &change)
        })
        .unwrap();
        refusals.push(refusal(run(store, |env| {
            set_custom(env, &member, &list, "one-more", "v")
        })));
        run(store, |env| set_custom(env, &member, &list, "k0", "w")).unwrap();
        let count = custom_of(store, &list, "member@x.org").len();
        (after_set, refusals, unchanged, count, actions(store))
    });
    let (after_set, refusals, unchanged, count, actions) = seen;
    assert_eq!(
        after_set,
        BTreeMap::from([
            ("dept.x-1".to_string(), "R&D".to_string()),
            ("org".to_string(), String::new())
        ])
    );
    let invalid = Refusal::InvalidValue {
        field: Field::CustomAttribute,
    };
    assert_eq!(
        refusals,
        [
            invalid.clone(),
            invalid.clone(),
            invalid.clone(),
            invalid.clone(),
            invalid,
            Refusal::HiddenCharacters {
                field: Field::CustomAttribute
            },
            Refusal::Denied(Reason::NotMember),
            Refusal::Denied(Reason::LoginRequired),
            Refusal::TooMany {
                field: Field::CustomAttribute,
                max: 50
            },
        ]
    );
    assert!(unchanged);
    assert_eq!(count, 50);
    assert_eq!(
        actions,
        [
            "set_custom",
            "set_custom",
            "set_custom",
            "set",
            "set_custom"
        ]
    );
}

#[test]
fn owners_change_another_members_name_and_attributes_and_members_only_their_own() {
    let seen = on_both(|store| {
        let list = setup(store);
        let change = OptionsChange {
            email: Some("member@x.org"),
            reception: Some("digest"),
            visibility: None,
            name: Some("  New Name "),
            custom: &[("org", "ACME")],
        };
        let member = run(store, |env| {
            membership::set_options(env, &user("own@a.org"), &list, &change)
        })
        .unwrap();
        let stored = store
            .db()
            .member(list.id, &email("member@x.org"))
            .unwrap()
            .unwrap();
        let refusals = [
            refusal(run(store, |env| {
                membership::set_options(env, &user("hidden@x.org"), &list, &change)
            })),
            refusal(run(store, |env| {
                membership::set_options(
                    env,
                    &user("member@x.org"),
                    &list,
                    &OptionsChange {
                        email: None,
                        name: Some("two\nlines"),
                        custom: &[],
                        ..change.clone()
                    },
                )
            })),
        ];
        (
            member == stored,
            stored.name,
            stored.custom_attributes,
            refusals,
        )
    });
    assert_eq!(
        seen,
        (
            true,
            "New Name".to_string(),
            BTreeMap::from([("org".to_string(), "ACME".to_string())]),
            [
                Refusal::Denied(Reason::NotPermitted),
                Refusal::HiddenCharacters { field: Field::Name }
            ]
        )
    );
}

/// bob@x.org: an account with a session and a ticket, member of `news` with a bounce
/// record, owner of `team`, moderator of `news`, with a held request on `news`.
fn bob(store: &mut Store) -> (List, ListId, i64) {
    let news = setup(store);
    let team = new_list(store, "team");
    let db = store.db();
    let bob = email("bob@x.org");
    db.create_user(&NewUser {
        email: bob.clone(),
        name: "Bob".into(),
        password_hash: None,
        listmaster: false,
    })
    .unwrap();
    let session = db
        .create_session(&"s".repeat(64), "a.org", Some(&bob), None, 3600)
        .unwrap();
    db.add_member(news.id, &NewMember::new(bob.clone()))
        .unwrap();
    db.add_admin(team, &bob, AdminRole::Owner, true).unwrap();
    db.add_admin(news.id, &bob, AdminRole::Editor, false)
        .unwrap();
    let bounce = db
        .record_bounce(&NewBounce {
            list: Some(news.id),
            email: Some("bob@x.org"),
            received_at: 1_000,
            outcome: "hard",
            status: Some("5.1.1"),
            diagnostic: "no such user",
            raw: b"bounce",
        })
        .unwrap();
    db.set_member_bounce(
        news.id,
        &bob,
        &BounceScore {
            score: 2_000,
            first_at: 500,
            last_at: 1_000,
            last_day: 0,
            bounces: 3,
            ..BounceScore::default()
        },
        Some(bounce),
    )
    .unwrap();
    db.create_pending(&NewPending {
        key_hash: "p".repeat(64),
        list: news.id,
        kind: "signoff".into(),
        email: bob.clone(),
        requested_by: Some(bob.clone()),
        state: "owner".into(),
        data: serde_json::json!({}),
        ttl: 3600,
    })
    .unwrap();
    (news, team, session.id)
}

/// count, first and last times, code, score.
type BounceFacts = (u32, i64, i64, Option<String>, Option<u32>);

#[test]
fn memberships_carry_the_bounce_data_of_a_subscription_only() {
    let seen = on_both(|store| {
        bob(store);
        run(store, |env| memberships(env, &user("bob@x.org"))).unwrap()
    });
    let summary: Vec<(String, Vec<Role>, Option<BounceFacts>)> = seen
        .into_iter()
        .map(|m| {
            (
                m.list.to_string(),
                m.roles,
                m.bounce
                    .map(|b| (b.count, b.first_at, b.last_at, b.code, b.score)),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "news".to_string(),
                vec![Role::Subscriber, Role::Moderator],
                Some((3, 500, 1_000, Some("5.1.1".to_string()), Some(2_000)))
            ),
            ("team".to_string(), vec![Role::PrivilegedOwner], None),
        ]
    );
    // A member with no bounce record has none.
    let plain = on_both(|store| {
        setup(store);
        run(store, |env| memberships(env, &user("member@x.org")))
            .unwrap()
            .into_iter()
            .map(|m| m.bounce)
            .collect::<Vec<_>>()
    });
    assert_eq!(plain, [None]);
}

#[test]
fn move_user_moves_account_memberships_roles_bounces_and_requests_and_ends_sessions() {
    let seen = on_both(|store| {
        let (news, _team, _session) = bob(store);
        let db = store.db();
        db.set_moderator_digest_minutes(news.id, "bob@x.org", 60)
            .unwrap();
        db.create_ticket(
            &"t".repeat(64),
            "a.org",
            &email("bob@x.org"),
            "choosepasswd",
            3600,
        )
        .unwrap();
        let before = run(store, |env| memberships(env, &user("bob@x.org"))).unwrap();
        run(store, |env| {
            move_user(env, &user("bob@x.org"), "bob@x.org", "Robert@Y.org")
        })
        .unwrap();
        let after = run(store, |env| memberships(env, &user("robert@y.org"))).unwrap();
        let old_left = run(store, |env| memberships(env, &user("bob@x.org"))).unwrap();
        let db = store.db();
        let account = db
            .user(&email("robert@y.org"))
            .unwrap()
            .map(|r| r.user.name);
        let old_account = db.user(&email("bob@x.org")).unwrap().is_some();
        let session = db.session(&"s".repeat(64), "a.org").unwrap().is_some();
        let pending = db
            .pending_for(news.id, "signoff", &email("robert@y.org"), "owner")
            .unwrap()
            .map(|p| p.requested_by.map(|e| e.to_string()));
        let audit = db.recent_audit(1).unwrap();
        let digest_minutes = db
            .moderator_digest_minutes(news.id, "robert@y.org")
            .unwrap();
        let ticket = db.ticket_is_live(&"t".repeat(64), "a.org").unwrap();
        (
            digest_minutes,
            ticket,
            before
                .iter()
                .map(|m| (m.roles.clone(), m.bounce.clone()))
                .collect::<Vec<_>>()
                == after
                    .iter()
                    .map(|m| (m.roles.clone(), m.bounce.clone()))
                    .collect::<Vec<_>>(),
            after.len(),
            old_left.len(),
            account,
            old_account,
            session,
            pending,
            audit,
        )
    });
    assert_eq!(
        seen,
        (
            60,
            false,
            true,
            2,
            0,
            Some("Bob".to_string()),
            false,
            false,
            Some(Some("robert@y.org".to_string())),
            vec![(
                Some("bob@x.org".to_string()),
                "move_user".to_string(),
                Some("robert@y.org".to_string())
            )]
        )
    );
}

#[test]
fn move_user_is_for_oneself_or_a_listmaster_and_never_merges() {
    let seen = on_both(|store| {
        bob(store);
        let attempt = |store: &mut Store, who: &Requester, from: &str, to: &str| {
            refusal(run(store, |env| move_user(env, who, from, to)))
        };
        let refusals = vec![
            attempt(store, &anonymous(), "bob@x.org", "new@x.org"),
            attempt(store, &user("member@x.org"), "bob@x.org", "new@x.org"),
            attempt(store, &user("bob@x.org"), "bob@x.org", "not an address"),
            // A member, an owner, an account: nothing is merged.
            attempt(store, &user("bob@x.org"), "bob@x.org", "member@x.org"),
            attempt(store, &user("bob@x.org"), "bob@x.org", "own@a.org"),
            attempt(store, &user("bob@x.org"), "bob@x.org", "BOB@x.org"),
        ];
        let unchanged = run(store, |env| memberships(env, &user("bob@x.org")))
            .unwrap()
            .len();
        // A listmaster moves anyone.
        run(store, |env| {
            move_user(env, &listmaster(), "member@x.org", "m2@x.org")
        })
        .unwrap();
        let moved = run(store, |env| memberships(env, &user("m2@x.org")))
            .unwrap()
            .len();
        (refusals, unchanged, moved)
    });
    let exists = |a: &str| Refusal::AlreadyExists(Existing::Account(email(a)));
    assert_eq!(
        seen,
        (
            vec![
                Refusal::Denied(Reason::LoginRequired),
                Refusal::Denied(Reason::NotPermitted),
                Refusal::InvalidAddress,
                exists("member@x.org"),
                exists("own@a.org"),
                exists("bob@x.org"),
            ],
            2,
            1
        )
    );
}
