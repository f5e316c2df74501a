//! Tests of the moderation queries (held posts read back, decisions taken once, keys,
//! history, reminders, expiry, digests, the rate-limit peek), each body run on SQLite and
//! PostgreSQL, whose answers must be the same.

use super::*;
use crate::domain::{ArchivedState, Email, HoldReason, IndexText, ListId, Month};
use crate::store::test_support::{list, on_both};

/// Archives a post in the held state and holds it: `n` names it, `sender` sent it.
fn held(store: &Store, list: ListId, n: u32, sender: &str, held_at: i64, expires_at: i64) -> i64 {
    let month = Month::parse("2024-01").unwrap();
    let raw = format!("Message-ID: <m{n}@x>\r\nSubject: post {n}\r\n\r\nbody {n}\r\n");
    let db = store.db();
    let id = db
        .archive_message(&NewArchived {
            list,
            raw: raw.as_bytes(),
            message_id: &format!("m{n}@x"),
            permalink: &format!("perm{n}"),
            hyperkitty: &format!("HASH{n}"),
            references: &[],
            from_addr: sender,
            from_name: "Someone",
            subject: &format!("post {n}"),
            date: month.start(),
            arrived_at: month.start(),
            month,
            legacy_seq: None,
            attachments: 0,
            index: &IndexText::default(),
            extract_version: 1,
            state: ArchivedState::Held,
        })
        .unwrap()
        .message()
        .id;
    let email = Email::parse(sender).unwrap();
    db.hold_message(&NewHeld {
        message: id,
        list,
        sender: Some(&email),
        reasons: &[HoldReason::NotMember, HoldReason::LooksLikeCommand],
        key_hash: &format!("shared{n}"),
        held_at,
        expires_at,
    })
    .unwrap();
    id
}

/// What was decided: decision, by, when, note.
type Taken = (String, Option<String>, i64, String);

/// What a held post shows, without its ids (which differ between runs on one backend).
#[derive(Debug, PartialEq)]
struct Shape {
    subject: String,
    sender: Option<String>,
    reasons: Vec<HoldReason>,
    held_at: i64,
    expires_at: i64,
    decided: Option<Taken>,
}

fn shape(record: &HeldRecord) -> Shape {
    Shape {
        subject: record.subject.clone(),
        sender: record.sender.clone(),
        reasons: record.reasons.clone(),
        held_at: record.held_at,
        expires_at: record.expires_at,
        decided: record
            .decided
            .as_ref()
            .map(|d| (d.decision.clone(), d.by.clone(), d.at, d.note.clone())),
    }
}

#[test]
fn held_posts_read_back_queue_oldest_first_and_are_decided_once() {
    let answers = on_both(|store| {
        let a = list(store, "a");
        let b = list(store, "b");
        let first = held(store, a, 1, "ann@x.org", 100, 1_000);
        let second = held(store, a, 2, "bob@x.org", 50, 1_000);
        let _other = held(store, b, 3, "ann@x.org", 10, 1_000);
        let db = store.db();
        let one = db.held_message(first).unwrap().unwrap();
        assert_eq!(one.list, a);
        assert_eq!(one.from_name, "Someone");
        assert_eq!(one.month, Month::parse("2024-01").unwrap());
        assert!(db.held_message(999_999).unwrap().is_none());
        let queue: Vec<_> = db.held_queue(a, 0, 10).unwrap().iter().map(shape).collect();
        assert_eq!(db.held_count(a).unwrap(), 2);
        assert_eq!(db.held_queue(a, 1, 10).unwrap().len(), 1, "the offset");
        assert_eq!(
            db.held_queue(a, 0, 1).unwrap()[0].message,
            second,
            "the oldest"
        );
        // The first decision wins; the second changes nothing.
        assert!(db
            .decide_held(first, "distributed", Some("mod@x.org"), "", 200)
            .unwrap());
        assert!(!db
            .decide_held(first, "rejected", Some("other@x.org"), "no", 201)
            .unwrap());
        let decided = shape(&db.held_message(first).unwrap().unwrap());
        assert_eq!(db.held_count(a).unwrap(), 1);
        assert_eq!(db.held_queue(a, 0, 10).unwrap().len(), 1);
        (queue, decided)
    });
    assert_eq!(answers.0.len(), 2);
    assert_eq!(answers.0[0].subject, "post 2");
    assert_eq!(
        answers.1.decided,
        Some((
            "distributed".into(),
            Some("mod@x.org".into()),
            200,
            String::new()
        ))
    );
}

#[test]
fn keys_open_one_post_of_their_list_for_their_purpose() {
    let answers = on_both(|store| {
        let a = list(store, "a");
        let b = list(store, "b");
        let post = held(store, a, 1, "ann@x.org", 100, 1_000);
        let db = store.db();
        db.add_moderation_key("digestkey", post, "mod@x.org", "moderate", 100)
            .unwrap();
        db.add_moderation_key("withdrawkey", post, "ann@x.org", "withdraw", 100)
            .unwrap();
        let found = |list, key: &str, purpose: &str| {
            db.held_by_key(list, key, purpose)
                .unwrap()
                .map(|k| (k.held.message == post, k.holder))
        };
        vec![
            found(a, "shared1", "moderate"),
            found(a, "digestkey", "moderate"),
            found(a, "withdrawkey", "withdraw"),
            // A key for another purpose, another list, or no key: nothing.
            found(a, "withdrawkey", "moderate"),
            found(a, "shared1", "withdraw"),
            found(b, "shared1", "moderate"),
            found(b, "digestkey", "moderate"),
            found(a, "nokey", "moderate"),
        ]
    });
    assert_eq!(
        answers,
        vec![
            Some((true, None)),
            Some((true, Some("mod@x.org".into()))),
            Some((true, Some("ann@x.org".into()))),
            None,
            None,
            None,
            None,
            None
        ]
    );
}

#[test]
fn a_senders_history_counts_their_other_posts_by_outcome() {
    let history = on_both(|store| {
        let a = list(store, "a");
        let b = list(store, "b");
        let posts: Vec<i64> = (1..=6)
            .map(|n| held(store, a, n, "ann@x.org", 100, 1_000))
            .collect();
        held(store, a, 7, "bob@x.org", 100, 1_000);
        held(store, b, 8, "ann@x.org", 100, 1_000);
        let db = store.db();
        db.decide_held(posts[0], "distributed", None, "", 1)
            .unwrap();
        db.decide_held(posts[1], "rejected", None, "", 1).unwrap();
        db.decide_held(posts[2], "discarded", None, "", 1).unwrap();
        db.decide_held(posts[3], "expired", None, "", 1).unwrap();
        db.decide_held(posts[4], "withdrawn", None, "", 1).unwrap();
        (
            db.sender_held_history(a, "ann@x.org", posts[5]).unwrap(),
            db.sender_held_history(a, "ann@x.org", posts[0]).unwrap(),
            db.sender_held_history(a, "nobody@x.org", 0).unwrap(),
        )
    });
    assert_eq!(
        history.0,
        HeldHistory {
            waiting: 0,
            distributed: 1,
            rejected: 2,
            dropped: 2
        }
    );
    assert_eq!(history.1.waiting, 1);
    assert_eq!(history.1.distributed, 0);
    assert_eq!(history.2, HeldHistory::default());
}

#[test]
fn reminders_come_half_way_once_and_expiry_at_the_end() {
    let answers = on_both(|store| {
        let a = list(store, "a");
        let post = held(store, a, 1, "ann@x.org", 1_000, 2_000);
        let decided = held(store, a, 2, "ann@x.org", 1_000, 2_000);
        let db = store.db();
        db.decide_held(decided, "distributed", None, "", 1_100)
            .unwrap();
        let due = |now| {
            db.held_due_reminders(now, 10)
                .unwrap()
                .iter()
                .map(|h| h.message == post)
                .collect::<Vec<_>>()
        };
        let expired = |now| db.held_expired(now, 10).unwrap().len();
        let before = (due(1_499), expired(1_499));
        let half = due(1_500);
        assert!(db.mark_held_reminded(post, 1_500).unwrap());
        assert!(!db.mark_held_reminded(post, 1_501).unwrap(), "once");
        let after = (due(1_600), expired(1_999), expired(2_000));
        let reminded = db.held_message(post).unwrap().unwrap().reminded_at;
        (before, half, after, reminded)
    });
    assert_eq!(answers.0, (vec![], 0));
    assert_eq!(answers.1, vec![true]);
    assert_eq!(answers.2, (vec![], 0, 1));
    assert_eq!(answers.3, Some(1_500));
}

#[test]
fn digests_wait_for_their_interval_and_are_taken_once() {
    let answers = on_both(|store| {
        let a = list(store, "a");
        let one = held(store, a, 1, "ann@x.org", 100, 10_000);
        let two = held(store, a, 2, "bob@x.org", 100, 10_000);
        let db = store.db();
        assert_eq!(db.moderator_digest_minutes(a, "mod@x.org").unwrap(), 0);
        db.set_moderator_digest_minutes(a, "mod@x.org", 30).unwrap();
        db.set_moderator_digest_minutes(a, "mod@x.org", 60).unwrap();
        let minutes = db.moderator_digest_minutes(a, "mod@x.org").unwrap();
        // Times well after the epoch, as in life: a moderator never sent a digest gets one at once.
        let t = 1_000_000;
        db.queue_moderation_digest(a, "mod@x.org", two, t).unwrap();
        db.queue_moderation_digest(a, "mod@x.org", one, t).unwrap();
        db.queue_moderation_digest(a, "mod@x.org", one, t + 1)
            .unwrap();
        let due_first = db.due_moderation_digests(t + 100, 10).unwrap().len();
        let taken = db.take_moderation_digest(a, "mod@x.org", t + 100).unwrap();
        let again = db.take_moderation_digest(a, "mod@x.org", t + 101).unwrap();
        db.queue_moderation_digest(a, "mod@x.org", one, t + 300)
            .unwrap();
        // Sent at t + 100, every 60 minutes: due at t + 3700, not before.
        let early = db.due_moderation_digests(t + 3_699, 10).unwrap().len();
        let due = db.due_moderation_digests(t + 3_700, 10).unwrap();
        (
            minutes,
            due_first,
            taken == vec![one.min(two), one.max(two)],
            again,
            early,
            due.len(),
            due.first().map(|d| (d.list == a, d.email.clone())),
        )
    });
    assert_eq!(
        answers,
        (60, 1, true, vec![], 0, 1, Some((true, "mod@x.org".into())))
    );
}

#[test]
fn the_rate_limit_peek_counts_nothing() {
    let answers = on_both(|store| {
        let db = store.db();
        let before = db.rate_limit_hits("b", "s", 3600).unwrap();
        db.rate_limit_hit("b", "s", 3600).unwrap();
        db.rate_limit_hit("b", "s", 3600).unwrap();
        let after = db.rate_limit_hits("b", "s", 3600).unwrap();
        let again = db.rate_limit_hits("b", "s", 3600).unwrap();
        (
            before,
            after,
            again,
            db.rate_limit_hits("b", "other", 3600).unwrap(),
        )
    });
    assert_eq!(answers, (0, 2, 2, 0));
}
