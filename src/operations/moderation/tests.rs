//! Tests of moderation's operations on both databases: the notices of a hold, decisions by
//! key and logged in (once each, the second told what the first did), wrong keys and their
//! limit, withdraw, and the periodic jobs (digests, reminders, expiry) at an injected time.

use super::*;
use crate::config::Config;
use crate::domain::{AdminRole, ListId, Month, Reason};
use crate::operations::Channel;
use crate::render::Templates;
use crate::store::test_support::{list as new_list, on_both};
use crate::store::{NewArchived, NewMember, Store};

fn config() -> Config {
    Config {
        domain: "a.org".into(),
        wwsympa_url: "http://a.org/sympa".into(),
        ..Config::default()
    }
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

/// A list `news` of `a.org` with moderator mod@a.org, owner own@a.org and member
/// member@x.org (or, with `editors` false, no moderator: the owner moderates).
fn setup(store: &mut Store, editors: bool) -> List {
    let id: ListId = new_list(store, "news");
    let db = store.db();
    if editors {
        db.add_admin(id, &email("mod@a.org"), AdminRole::Editor, false)
            .unwrap();
    }
    db.add_admin(id, &email("own@a.org"), AdminRole::Owner, true)
        .unwrap();
    db.add_member(id, &NewMember::new(email("member@x.org")))
        .unwrap();
    db.list_by_id(id).unwrap().unwrap()
}

/// Archives `raw` in the held state and holds it; returns (message id, key).
fn post(store: &mut Store, list: &List, raw: &str) -> (i64, String) {
    let config = config();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(store, &config, &templates);
    let parsed = archive::parse(raw.as_bytes());
    let month = Month::of_timestamp(crate::store::now());
    env.transaction(&Requester::anonymous(Channel::Mail, None), |tx| {
        let stored = tx
            .db
            .archive_message(&NewArchived {
                list: list.id,
                raw: raw.as_bytes(),
                message_id: &parsed.message_id,
                permalink: &archive::ids::sympa_permalink(&parsed.message_id),
                hyperkitty: &archive::ids::hyperkitty_hash(&parsed.message_id),
                references: &parsed.references,
                from_addr: &parsed.from_addr,
                from_name: &parsed.from_name,
                subject: &parsed.subject,
                date: crate::store::now(),
                arrived_at: crate::store::now(),
                month,
                legacy_seq: None,
                attachments: parsed.attachments,
                index: &parsed.index,
                extract_version: archive::EXTRACT_VERSION,
                state: ArchivedState::Held,
            })?
            .message();
        let sender = Email::parse(&parsed.from_addr).ok();
        let key = hold(
            tx,
            list,
            &MailSettings::default(),
            &Hold {
                message: stored,
                sender: sender.as_ref(),
                subject: &parsed.subject,
                reasons: &[HoldReason::NotMember],
            },
        )?;
        Ok((stored.id, key))
    })
    .unwrap()
}

fn raw(n: u32, from: &str, extra: &str) -> String {
    format!(
        "From: Ann <{from}>\r\nTo: news@a.org\r\nSubject: Post {n}\r\nMessage-ID: <p{n}@x.org>\r\n{extra}\r\nHello {n}\r\n"
    )
}

/// Every mail in the outbox: (recipient, subject, text).
fn outbox(store: &Store) -> Vec<(String, String, String)> {
    let db = store.db();
    (1..10_000)
        .map_while(|id| db.outbox_message(id).unwrap())
        .map(|bytes| {
            let text = String::from_utf8_lossy(&bytes)
                .replace("=\r\n", "")
                .replace("\r\n", "\n");
            let header = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            (header("To:"), header("Subject:"), text.clone())
        })
        .collect()
}

fn web(ip: &str) -> Requester {
    Requester::anonymous(Channel::Web, Some(ip.parse().unwrap()))
}

fn moderator() -> Requester {
    Requester {
        email: Some(email("mod@a.org")),
        ..Requester::anonymous(Channel::Web, Some("192.0.2.1".parse().unwrap()))
    }
}

fn with_env<T>(store: &mut Store, work: impl FnOnce(&mut Env<'_>) -> T) -> T {
    let config = config();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(store, &config, &templates);
    work(&mut env)
}

#[test]
fn a_hold_tells_each_moderator_with_links_and_the_post_and_the_sender_with_a_withdraw_link() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (_, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        let mails = outbox(store);
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        // The moderator, not the owner (the list has a moderator); and the sender.
        assert_eq!(to, ["mod@a.org", "ann@x.org"], "{mails:#?}");
        let notice = &mails[0].2;
        // A key of the moderator's own, not the post's shared one.
        let start = notice.find("http://a.org/sympa/distribute/news/").unwrap() + 35;
        let own = &notice[start..start + 43];
        assert_ne!(own, key);
        assert!(notice.contains(&format!("http://a.org/sympa/reject/news/{own}")));
        assert!(notice.contains(&format!("DISTRIBUTE news {own}")));
        assert!(!notice.contains(&key));
        assert!(notice.contains("sympa@a.org"));
        assert!(notice.contains("the sender is not a member"));
        assert!(notice.contains("not a member of the list"));
        assert!(notice.contains("Content-Type: message/rfc822"), "{notice}");
        assert!(notice.contains("Message-ID: <p1@x.org>"));
        let held = &mails[1].2;
        assert!(held.contains("http://a.org/sympa/withdraw/news/"));
        assert!(
            !held.contains(&key),
            "the sender never gets the moderators' key"
        );
        // A second post from the same sender shows the first in their history.
        post(store, &list, &raw(2, "ann@x.org", ""));
        let mails = outbox(store);
        assert!(mails[2].2.contains("1 waiting"), "{}", mails[2].2);
        mails.len()
    });
    assert_eq!(seen, 4);
}

#[test]
fn owners_moderate_a_list_without_moderators_and_robots_and_automatic_mail_get_no_notice() {
    let seen = on_both(|store| {
        let list = setup(store, false);
        post(
            store,
            &list,
            &raw(1, "ann@x.org", "Auto-Submitted: auto-replied\r\n"),
        );
        post(store, &list, &raw(2, "bob@x.org", "Precedence: bulk\r\n"));
        post(store, &list, &raw(3, "mailer-daemon@x.org", ""));
        post(
            store,
            &list,
            "Subject: no sender\r\nMessage-ID: <p4@x>\r\n\r\nbody\r\n",
        );
        post(store, &list, &raw(5, "news-owner@a.org", ""));
        outbox(store).into_iter().map(|m| m.0).collect::<Vec<_>>()
    });
    assert_eq!(seen, vec!["own@a.org"; 5]);
}

#[test]
fn a_large_post_is_not_attached_and_the_notice_says_so() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let line = format!("{}\r\n", "x".repeat(60));
        let big = format!(
            "{}{}",
            raw(1, "ann@x.org", ""),
            line.repeat(ATTACH_MAX / 60 + 10)
        );
        post(store, &list, &big);
        let mails = outbox(store);
        (
            mails[0].2.contains("message/rfc822"),
            mails[0].2.contains("too large"),
        )
    });
    assert_eq!(seen, (false, true));
}

#[test]
fn reject_by_key_tells_the_sender_once_and_a_second_decision_sees_the_first() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (id, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        let before = outbox(store).len();
        let first = with_env(store, |env| {
            decide_with_key(
                env,
                &web("192.0.2.10"),
                &list,
                &key,
                &Decision::Reject {
                    reason: Some("Off topic here.".into()),
                },
            )
        })
        .unwrap();
        let second = with_env(store, |env| {
            decide_with_key(env, &web("192.0.2.11"), &list, &key, &Decision::Discard)
        })
        .unwrap();
        let mails = outbox(store);
        assert_eq!(mails.len(), before + 1, "one notice, not two");
        let notice = mails.last().unwrap();
        assert_eq!(notice.0, "ann@x.org");
        assert!(notice.2.contains("Off topic here."));
        let db = store.db();
        assert_eq!(db.archived_raw(id).unwrap(), None, "the bytes are dropped");
        let decided = db.held_message(id).unwrap().unwrap().decided.unwrap();
        // When it was decided differs between the two runs; the second sees that moment.
        let second = match second {
            Decided::Already { decision, by, at } => {
                assert_eq!(at, decided.at);
                Decided::Already {
                    decision,
                    by,
                    at: 0,
                }
            }
            other => other,
        };
        (first, second, decided.decision, decided.note)
    });
    assert_eq!(seen.0, Decided::Applied);
    assert!(
        matches!(&seen.1, Decided::Already { decision, by: None, .. } if decision == "rejected"),
        "{:?}",
        seen.1
    );
    assert_eq!(seen.2, "rejected");
    assert_eq!(seen.3, "Off topic here.");
}

#[test]
fn distribute_makes_the_post_visible_and_queues_it_for_the_members_once() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        store
            .db()
            .add_member(list.id, &NewMember::new(email("second@x.org")))
            .unwrap();
        let (a, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        let (b, _) = post(store, &list, &raw(2, "bob@x.org", ""));
        let by_key = with_env(store, |env| {
            let first =
                decide_with_key(env, &web("192.0.2.80"), &list, &key, &Decision::Distribute)
                    .unwrap();
            let again =
                decide_with_key(env, &web("192.0.2.81"), &list, &key, &Decision::Distribute)
                    .unwrap();
            (
                first,
                matches!(again, Decided::Already { ref decision, .. } if decision == "distributed"),
            )
        });
        let logged_in = with_env(store, |env| {
            decide(
                env,
                &moderator(),
                &list,
                &[b],
                &Decision::DistributeAndAllow,
            )
            .unwrap()
        });
        let db = store.db();
        let month = Month::of_timestamp(crate::store::now());
        let visible = db.archive_months(list.id).unwrap();
        let delivery = |id| {
            db.delivery_of(list.id, id).unwrap().map(|d| {
                let counts = db.delivery_counts(Some(d)).unwrap();
                counts.pending + counts.sending + counts.sent
            })
        };
        (
            by_key,
            logged_in[0].1.clone(),
            visible == vec![(month, 2)],
            delivery(a),
            delivery(b),
            db.sender_rule(list.id, &email("bob@x.org")).unwrap(),
            db.sender_rule(list.id, &email("ann@x.org")).unwrap(),
            db.archived_raw(a).unwrap().is_some(),
        )
    });
    assert_eq!(seen.0, (Decided::Applied, true));
    assert_eq!(seen.1, Decided::Applied);
    assert!(seen.2, "both in the archive's month");
    assert_eq!(seen.3, Some(2), "the two members in mail mode");
    assert_eq!(seen.4, Some(2));
    assert_eq!(seen.5, Some(SenderRule::Allow));
    assert_eq!(seen.6, None);
    assert!(seen.7, "a distributed post keeps its bytes");
}

#[test]
fn discard_is_silent_and_ban_sets_the_rule() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (a, _) = post(store, &list, &raw(1, "spam@x.org", ""));
        let (b, _) = post(store, &list, &raw(2, "troll@x.org", ""));
        let before = outbox(store).len();
        let out = with_env(store, |env| {
            let one = decide(env, &moderator(), &list, &[a], &Decision::Discard).unwrap();
            let two = decide(
                env,
                &moderator(),
                &list,
                &[b, 999_999],
                &Decision::RejectAndBan { reason: None },
            )
            .unwrap();
            (one, two)
        });
        let mails = outbox(store);
        let told: Vec<String> = mails[before..].iter().map(|m| m.0.clone()).collect();
        let db = store.db();
        let rule = db.sender_rule(list.id, &email("troll@x.org")).unwrap();
        let by = db.held_message(b).unwrap().unwrap().decided.unwrap().by;
        (
            out.0.len(),
            out.1.into_iter().map(|(_, d)| d).collect::<Vec<_>>(),
            told,
            rule,
            by,
        )
    });
    assert_eq!(seen.0, 1);
    assert_eq!(seen.1, vec![Decided::Applied, Decided::Unknown]);
    assert_eq!(
        seen.2,
        vec!["troll@x.org".to_string()],
        "the discarded sender is not told"
    );
    assert_eq!(seen.3, Some(SenderRule::Ban));
    assert_eq!(seen.4.as_deref(), Some("mod@a.org"));
}

#[test]
fn only_moderators_decide_logged_in() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (id, _) = post(store, &list, &raw(1, "ann@x.org", ""));
        with_env(store, |env| {
            let member = Requester {
                email: Some(email("member@x.org")),
                ..web("192.0.2.20")
            };
            let refused = decide(env, &member, &list, &[id], &Decision::Discard);
            let queue = pages::queue(env, &member, &list, 0);
            (
                matches!(
                    refused,
                    Err(Error::Refused(Refusal::Denied(Reason::NotPermitted)))
                ),
                matches!(queue, Err(Error::Refused(Refusal::Denied(_)))),
                pages::queue(env, &moderator(), &list, 0).unwrap().total,
                env.db()
                    .held_message(id)
                    .unwrap()
                    .unwrap()
                    .decided
                    .is_none(),
            )
        })
    });
    assert_eq!(seen, (true, true, 1, true));
}

#[test]
fn wrong_keys_are_refused_and_past_the_limit_even_the_right_one() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (id, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        with_env(store, |env| {
            let guesser = web("198.51.100.7");
            let wrong = "A".repeat(43);
            let mut answers = Vec::new();
            for _ in 0..KEY_FAILURES_PER_CLIENT.max {
                answers.push(
                    decide_with_key(env, &guesser, &list, &wrong, &Decision::Discard)
                        .unwrap_err()
                        .to_string(),
                );
            }
            // A malformed key counts too; then the right key is refused to this client...
            let limited = decide_with_key(env, &guesser, &list, &key, &Decision::Discard);
            let page = pages::by_key(env, &guesser, &list, &key, "moderate");
            // ...but not to another.
            let other = pages::by_key(env, &web("198.51.100.8"), &list, &key, "moderate");
            (
                answers.iter().all(|a| a == "refused: invalid_link"),
                matches!(limited, Err(Error::Refused(Refusal::TooManyAttempts))),
                matches!(page, Err(Error::Refused(Refusal::TooManyAttempts))),
                other.is_ok(),
                env.db()
                    .held_message(id)
                    .unwrap()
                    .unwrap()
                    .decided
                    .is_none(),
            )
        })
    });
    assert_eq!(seen, (true, true, true, true, true));
}

#[test]
fn wrong_keys_by_mail_are_limited_per_sender_in_the_commands_transaction() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (id, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        with_env(store, |env| {
            let by_mail = Requester {
                email: Some(email("guesser@x.org")),
                ..Requester::anonymous(Channel::Mail, None)
            };
            let wrong = "C".repeat(43);
            let mut answers = Vec::new();
            for _ in 0..=KEY_FAILURES_PER_CLIENT.max {
                answers.push(
                    env.transaction(&by_mail, |tx| {
                        decide_by_key(
                            tx,
                            &list,
                            &wrong,
                            &Decision::Discard,
                            by_mail.email.as_ref(),
                        )
                    })
                    .unwrap(),
                );
            }
            // Past the limit even the right key opens nothing for this sender...
            let limited = env
                .transaction(&by_mail, |tx| {
                    decide_by_key(tx, &list, &key, &Decision::Discard, by_mail.email.as_ref())
                })
                .unwrap();
            let untouched = env
                .db()
                .held_message(id)
                .unwrap()
                .unwrap()
                .decided
                .is_none();
            // ...while a moderator's own mail still works.
            let moderator = Requester {
                email: Some(email("mod@a.org")),
                ..Requester::anonymous(Channel::Mail, None)
            };
            let applied = env
                .transaction(&moderator, |tx| {
                    decide_by_key(
                        tx,
                        &list,
                        &key,
                        &Decision::Discard,
                        moderator.email.as_ref(),
                    )
                })
                .unwrap();
            (
                answers.iter().all(|a| *a == Decided::Unknown),
                limited,
                untouched,
                applied,
            )
        })
    });
    assert_eq!(seen, (true, Decided::Unknown, true, Decided::Applied));
}

#[test]
fn a_key_of_another_list_opens_nothing() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let other = new_list(store, "other");
        let other = store.db().list_by_id(other).unwrap().unwrap();
        let (_, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        with_env(store, |env| {
            matches!(
                decide_with_key(env, &web("192.0.2.30"), &other, &key, &Decision::Discard),
                Err(Error::Refused(Refusal::InvalidLink))
            )
        })
    });
    assert!(seen);
}

#[test]
fn the_sender_withdraws_by_their_link_or_logged_in_and_nobody_else() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (a, mod_key) = post(store, &list, &raw(1, "ann@x.org", ""));
        let (b, _) = post(store, &list, &raw(2, "ann@x.org", ""));
        let mails = outbox(store);
        let link = mails
            .iter()
            .find(|m| m.0 == "ann@x.org")
            .map(|m| m.2.clone())
            .unwrap();
        let start = link.find("/withdraw/news/").unwrap() + "/withdraw/news/".len();
        let withdraw_key = link[start..start + 43].to_string();
        with_env(store, |env| {
            // The moderators' key does not withdraw, the sender's does not moderate.
            let wrong_purpose = withdraw_with_key(env, &web("192.0.2.40"), &list, &mod_key);
            let wrong_way = decide_with_key(
                env,
                &web("192.0.2.40"),
                &list,
                &withdraw_key,
                &Decision::Distribute,
            );
            let done = withdraw_with_key(env, &web("192.0.2.40"), &list, &withdraw_key).unwrap();
            let again = withdraw_with_key(env, &web("192.0.2.40"), &list, &withdraw_key).unwrap();
            let stranger = Requester {
                email: Some(email("bob@x.org")),
                ..web("192.0.2.41")
            };
            let refused = withdraw(env, &stranger, &list, b);
            let sender = Requester {
                email: Some(email("ann@x.org")),
                ..web("192.0.2.42")
            };
            let own = withdraw(env, &sender, &list, b).unwrap();
            let db = env.db();
            (
                matches!(wrong_purpose, Err(Error::Refused(Refusal::InvalidLink))),
                matches!(wrong_way, Err(Error::Refused(Refusal::InvalidLink))),
                done,
                matches!(again, Decided::Already { ref decision, .. } if decision == "withdrawn"),
                matches!(refused, Err(Error::Refused(Refusal::Denied(_)))),
                own,
                db.held_message(a).unwrap().unwrap().decided.unwrap().by,
                db.archived_raw(b).unwrap().is_none(),
            )
        })
    });
    assert_eq!(
        seen,
        (
            true,
            true,
            Decided::Applied,
            true,
            true,
            Decided::Applied,
            Some("ann@x.org".into()),
            true
        )
    );
}

#[test]
fn reminders_come_half_way_and_expiry_drops_the_post_and_tells_the_sender() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (id, key) = post(store, &list, &raw(1, "ann@x.org", ""));
        let held = store.db().held_message(id).unwrap().unwrap();
        let half = held.held_at + (held.expires_at - held.held_at) / 2;
        let before = outbox(store).len();
        let runs = with_env(store, |env| {
            (
                periodic::run(env, half - 1).unwrap(),
                periodic::run(env, half).unwrap(),
                periodic::run(env, half + 1).unwrap(),
            )
        });
        let mails = outbox(store);
        let reminder = mails[before].clone();
        let reminded = (reminder.0.clone(), reminder.1.clone());
        assert!(reminder.2.contains("/distribute/news/"));
        assert!(!reminder.2.contains(&key), "a key of the moderator's own");
        let expiry = with_env(store, |env| periodic::run(env, held.expires_at).unwrap());
        let mails = outbox(store);
        let told = mails.last().unwrap();
        assert!(told.1.contains("expired"), "{}", told.1);
        // The moderators' link now shows what happened.
        let late = with_env(store, |env| {
            decide_with_key(env, &web("192.0.2.50"), &list, &key, &Decision::Distribute).unwrap()
        });
        let db = store.db();
        (
            runs,
            reminded,
            expiry,
            told.0.clone(),
            matches!(late, Decided::Already { ref decision, .. } if decision == "expired"),
            db.archived_raw(id).unwrap().is_none(),
        )
    });
    let none = periodic::Report::default();
    assert_eq!(seen.0 .0, none);
    assert_eq!(seen.0 .1.reminded, 1);
    assert_eq!(seen.0 .2, none, "once");
    assert_eq!(seen.1 .0, "mod@a.org");
    assert!(seen.1 .1.starts_with("Reminder"));
    assert_eq!(seen.2.expired, 1);
    assert_eq!(seen.3, "ann@x.org");
    assert!(seen.4);
    assert!(seen.5);
}

#[test]
fn a_digest_moderator_gets_no_notice_then_one_digest_with_keys_of_their_own() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        with_env(store, |env| pages::set_digest(env, &moderator(), &list, 60)).unwrap();
        let (one, _) = post(store, &list, &raw(1, "ann@x.org", ""));
        let (two, _) = post(store, &list, &raw(2, "bob@x.org", ""));
        let to_moderator = |store: &Store| {
            outbox(store)
                .into_iter()
                .filter(|m| m.0 == "mod@a.org")
                .collect::<Vec<_>>()
        };
        assert!(to_moderator(store).is_empty(), "no notice per post");
        let now = crate::store::now();
        let report = with_env(store, |env| periodic::run(env, now).unwrap());
        let digests = to_moderator(store);
        assert_eq!(digests.len(), 1);
        let text = &digests[0].2;
        assert!(text.contains("Post 1") && text.contains("Post 2"), "{text}");
        let start = text.find("/distribute/news/").unwrap() + "/distribute/news/".len();
        let key = text[start..start + 43].to_string();
        let decided = with_env(store, |env| {
            decide_with_key(env, &web("192.0.2.70"), &list, &key, &Decision::Discard).unwrap()
        });
        let db = store.db();
        let by = [one, two]
            .iter()
            .filter_map(|id| db.held_message(*id).unwrap().unwrap().decided)
            .map(|d| d.by)
            .collect::<Vec<_>>();
        let again = with_env(store, |env| periodic::run(env, now + 60).unwrap().digests);
        (report.digests, decided, by, again)
    });
    assert_eq!(seen.0, 1);
    assert_eq!(seen.1, Decided::Applied);
    assert_eq!(
        seen.2,
        vec![Some("mod@a.org".to_string())],
        "the digest key names its moderator"
    );
    assert_eq!(seen.3, 0);
}

#[test]
fn automatic_messages_are_told_by_their_header() {
    assert!(notices::is_automatic(
        b"Auto-Submitted: auto-replied\r\n\r\nx"
    ));
    assert!(notices::is_automatic(
        b"Subject: a\r\nPrecedence:  Bulk\r\n\r\nx"
    ));
    assert!(notices::is_automatic(
        b"X: 1\nAuto-Submitted:\n auto-generated\n\nx"
    ));
    assert!(!notices::is_automatic(b"Auto-Submitted: no\r\n\r\nx"));
    assert!(!notices::is_automatic(
        b"Subject: hi\r\n\r\nAuto-Submitted: yes\r\n"
    ));
    assert!(!notices::is_automatic(b""));
    assert!(!notices::is_automatic(b"\xff\xfe:\x00\r\n"));
}

#[test]
fn decisions_parse_from_forms_and_commands() {
    assert_eq!(
        Decision::parse("distribute", None),
        Some(Decision::Distribute)
    );
    assert_eq!(
        Decision::parse("allow", None),
        Some(Decision::DistributeAndAllow)
    );
    assert_eq!(
        Decision::parse("reject", Some("  ".into())),
        Some(Decision::Reject { reason: None })
    );
    assert_eq!(
        Decision::parse("ban", Some("why".into())),
        Some(Decision::RejectAndBan {
            reason: Some("why".into())
        })
    );
    assert_eq!(Decision::parse("discard", None), Some(Decision::Discard));
    assert_eq!(Decision::parse("explode", None), None);
}

#[test]
fn a_post_past_its_expiry_expires_when_a_decision_comes_before_the_job() {
    let seen = on_both(|store| {
        let list = setup(store, true);
        let (id, _) = post(store, &list, &raw(1, "ann@x.org", ""));
        let held = store.db().held_message(id).unwrap().unwrap();
        let before = outbox(store).len();
        let decided = with_env(store, |env| {
            env.transaction(&moderator(), |tx| {
                apply(
                    tx,
                    &list,
                    &held,
                    &Decision::Distribute,
                    Some("mod@a.org"),
                    held.expires_at,
                )
            })
            .unwrap()
        });
        let mails = outbox(store);
        let told: Vec<String> = mails[before..].iter().map(|m| m.1.clone()).collect();
        let db = store.db();
        (
            matches!(decided, Decided::Already { ref decision, by: None, .. } if decision == "expired"),
            db.archived_raw(id).unwrap().is_none(),
            db.delivery_of(list.id, id).unwrap().is_none(),
            told,
        )
    });
    assert!(seen.0);
    assert!(seen.1, "dropped, not distributed");
    assert!(seen.2, "nothing queued for the members");
    assert_eq!(seen.3.len(), 1);
    assert!(seen.3[0].contains("expired"), "{:?}", seen.3);
}
