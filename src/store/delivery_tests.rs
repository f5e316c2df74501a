//! Tests of the distribution queries (deliveries and their recipients), each body run on SQLite and, when `WWSYMPA_TEST_POSTGRES` names a server, on PostgreSQL, whose answers must be the same.

use super::*;
use crate::domain::{
    ArchivedState, DeliveryMode, Email, IndexText, ListId, ListName, Month, ReceptionMode,
    Visibility,
};
use crate::store::test_support::on_both;

/// A list with members `(address, reception)` and one archived post; returns both ids.
fn list_with_post(store: &mut Store, members: &[(&str, ReceptionMode)]) -> (ListId, i64) {
    let list = store
        .db()
        .create_list(
            "a.org",
            &NewList {
                name: ListName::parse("team").unwrap(),
                subject: String::new(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .unwrap();
    for (email, reception) in members {
        let mut member = NewMember::new(Email::parse(email).unwrap());
        member.reception = *reception;
        store.db().add_member(list, &member).unwrap();
    }
    let index = IndexText {
        subject: "Hi".into(),
        sender: "Ann".into(),
        body_new: "hello".into(),
        body_quoted: String::new(),
        attachment_names: String::new(),
    };
    let archived = store
        .transaction(|db| {
            db.archive_message(&NewArchived {
                list,
                raw: b"From: Ann <ann@x.org>\r\nSubject: Hi\r\n\r\nhello\r\n",
                message_id: "m1@x.org",
                permalink: "PERMA",
                hyperkitty: "HK",
                references: &[],
                from_addr: "ann@x.org",
                from_name: "Ann",
                subject: "Hi",
                date: 1_705_276_800,
                arrived_at: 1_705_276_800,
                month: Month::parse("2024-01").unwrap(),
                legacy_seq: None,
                attachments: 0,
                index: &index,
                extract_version: 1,
                state: ArchivedState::Visible,
            })
        })
        .unwrap();
    (list, archived.message().id)
}

fn sent(id: i64, code: u16) -> RcptOutcome {
    RcptOutcome {
        id,
        state: RcptState::Sent,
        retry_at: 0,
        code: Some(code),
        text: "ok".into(),
    }
}

#[test]
fn a_post_is_queued_once_for_the_members_in_mail_mode_in_domain_order() {
    let answer = on_both(|store| {
        let (list, message) = list_with_post(
            store,
            &[
                ("zed@b.org", ReceptionMode::Mail),
                ("amy@c.org", ReceptionMode::Mail),
                ("bob@b.org", ReceptionMode::Mail),
                ("dig@b.org", ReceptionMode::Digest),
                ("sum@b.org", ReceptionMode::Summary),
                ("no@b.org", ReceptionMode::Nomail),
            ],
        );
        let (delivery, n) = store
            .transaction(|db| db.queue_delivery(list, message, DeliveryMode::Personalized, None))
            .unwrap()
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            store.db().delivery_of(list, message).unwrap(),
            Some(delivery)
        );
        // Twice: nothing more.
        let again = store
            .transaction(|db| db.queue_delivery(list, message, DeliveryMode::Bulk, None))
            .unwrap();
        assert_eq!(again, None);
        let record = store.db().delivery(delivery).unwrap().unwrap();
        assert_eq!(record.mode, DeliveryMode::Personalized);
        assert_eq!(record.permalink, "PERMA");
        assert_eq!(record.month.to_string(), "2024-01");
        assert_eq!(record.from_addr.as_deref(), Some("ann@x.org"));
        let claimed = store.db().claim_delivery_rcpts("s1", 300, 100).unwrap();
        let order: Vec<(String, String)> = claimed
            .iter()
            .map(|r| (r.domain.clone(), r.email.clone()))
            .collect();
        assert_eq!(
            order,
            [
                ("b.org".to_string(), "bob@b.org".to_string()),
                ("b.org".to_string(), "zed@b.org".to_string()),
                ("c.org".to_string(), "amy@c.org".to_string()),
            ]
        );
        // The author's copy is left out only for a member in `not_me` mode: `me` (the author,
        // not_me) gets none, `you` (not_me, not the author) and `x` (mail) get theirs.
        let (other_list, other) = {
            let db = store.db();
            let list2 = db
                .create_list(
                    "a.org",
                    &NewList {
                        name: ListName::parse("two").unwrap(),
                        subject: String::new(),
                        description: String::new(),
                        topics: vec![],
                        visibility: Visibility::Noconceal,
                    },
                )
                .unwrap();
            for (e, reception) in [
                ("x@y.org", ReceptionMode::Mail),
                ("me@y.org", ReceptionMode::NotMe),
                ("you@y.org", ReceptionMode::NotMe),
                ("dig@y.org", ReceptionMode::DigestPlain),
            ] {
                let mut member = NewMember::new(Email::parse(e).unwrap());
                member.reception = reception;
                db.add_member(list2, &member).unwrap();
            }
            (list2, message)
        };
        let me = Email::parse("me@y.org").unwrap();
        let (_, n) = store
            .transaction(|db| db.queue_delivery(other_list, other, DeliveryMode::Bulk, Some(&me)))
            .unwrap()
            .unwrap();
        assert_eq!(n, 2);
        (claimed.len(), n)
    });
    assert_eq!(answer, (3, 2));
}

#[test]
fn claims_are_exclusive_and_outcomes_are_kept_for_bounce_handling() {
    on_both(|store| {
        let members: Vec<(String, ReceptionMode)> = (0..10)
            .map(|i| (format!("m{i}@d{}.org", i % 3), ReceptionMode::Mail))
            .collect();
        let refs: Vec<(&str, ReceptionMode)> =
            members.iter().map(|(e, r)| (e.as_str(), *r)).collect();
        let (list, message) = list_with_post(store, &refs);
        let (delivery, _) = store
            .transaction(|db| db.queue_delivery(list, message, DeliveryMode::Personalized, None))
            .unwrap()
            .unwrap();
        let a = store.db().claim_delivery_rcpts("a", 300, 4).unwrap();
        let b = store.db().claim_delivery_rcpts("b", 300, 100).unwrap();
        assert_eq!((a.len(), b.len()), (4, 6));
        assert!(a.iter().all(|r| !b.iter().any(|s| s.id == r.id)));
        assert!(store
            .db()
            .claim_delivery_rcpts("c", 300, 100)
            .unwrap()
            .is_empty());
        let counts = store.db().delivery_counts(Some(delivery)).unwrap();
        assert_eq!(counts.sending, 10);
        // `b` cannot record what `a` holds.
        assert_eq!(
            store
                .db()
                .record_rcpt_outcomes("b", &[sent(a[0].id, 250)])
                .unwrap(),
            0
        );
        let now = now();
        let outcomes = vec![
            sent(a[0].id, 250),
            RcptOutcome {
                id: a[1].id,
                state: RcptState::Deferred,
                retry_at: now + 3600,
                code: Some(451),
                text: "4.3.0 later".into(),
            },
            RcptOutcome {
                id: a[2].id,
                state: RcptState::Failed,
                retry_at: 0,
                code: Some(550),
                text: "5.1.1 no such user".into(),
            },
            RcptOutcome {
                id: a[3].id,
                state: RcptState::Deferred,
                retry_at: now - 1,
                code: None,
                text: "connection refused".into(),
            },
        ];
        assert_eq!(store.db().record_rcpt_outcomes("a", &outcomes).unwrap(), 4);
        // The one due again is claimed; the one deferred for an hour is not.
        let again = store.db().claim_delivery_rcpts("c", 300, 100).unwrap();
        assert_eq!(again.iter().map(|r| r.id).collect::<Vec<_>>(), [a[3].id]);
        assert_eq!(again[0].attempts, 1);
        assert_eq!(store.db().release_rcpt_claims("c").unwrap(), 1);
        let failures = store.db().delivery_failures_since(now - 10, 100).unwrap();
        assert_eq!(failures.len(), 1);
        let failure = &failures[0];
        assert_eq!(
            (failure.id, failure.delivery, failure.list, failure.message),
            (a[2].id, delivery, list, message)
        );
        assert_eq!(failure.last_code, Some(550));
        assert_eq!(failure.last_text.as_deref(), Some("5.1.1 no such user"));
        assert_eq!(failure.state, RcptState::Failed);
        assert!(store
            .db()
            .delivery_failures_since(now + 10, 100)
            .unwrap()
            .is_empty());
        let row = store.db().delivery_rcpt(a[1].id).unwrap().unwrap();
        assert_eq!(
            (row.state, row.last_code, row.attempts),
            (RcptState::Deferred, Some(451), 1)
        );
        let due = store.db().next_rcpt_due_in().unwrap().unwrap();
        assert!(due <= 1, "{due}");
        // A dead sender's claims (lease run out) go to the next claim.
        let dead = store.db().claim_delivery_rcpts("dead", -1, 100).unwrap();
        assert_eq!(dead.iter().map(|r| r.id).collect::<Vec<_>>(), [a[3].id]);
        let taken = store.db().claim_delivery_rcpts("live", 300, 100).unwrap();
        assert_eq!(taken.iter().map(|r| r.id).collect::<Vec<_>>(), [a[3].id]);
        // `dead` can no longer record it; `live` can.
        assert_eq!(
            store
                .db()
                .record_rcpt_outcomes("dead", &[sent(a[3].id, 250)])
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .db()
                .record_rcpt_outcomes("live", &[sent(a[3].id, 250)])
                .unwrap(),
            1
        );
        let counts = store.db().delivery_counts(None).unwrap();
        assert_eq!(
            (counts.sent, counts.failed, counts.deferred, counts.sending),
            (2, 1, 1, 6)
        );
    });
}
