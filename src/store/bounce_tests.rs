//! Tests of the bounce and digest queries, each body run on SQLite and, when `WWSYMPA_TEST_POSTGRES` names a server, on PostgreSQL, whose answers must be the same.

use super::*;
use crate::domain::bounce::DAY;
use crate::domain::{
    ArchivedState, BounceScore, BounceSettings, DigestSettings, Email, IndexText, ListId, Month,
    ReceptionMode,
};
use crate::store::test_support::{list, on_both};

const T0: i64 = 1_800_000_000;

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn member(store: &mut Store, list: ListId, address: &str, reception: ReceptionMode) {
    let mut m = NewMember::new(email(address));
    m.reception = reception;
    store.db().add_member(list, &m).unwrap();
}

fn bounce<'a>(
    list: Option<ListId>,
    address: Option<&'a str>,
    at: i64,
    raw: &'a [u8],
) -> NewBounce<'a> {
    NewBounce {
        list,
        email: address,
        received_at: at,
        outcome: "hard",
        status: Some("5.1.1"),
        diagnostic: "550 5.1.1 user unknown",
        raw,
    }
}

fn archive(store: &mut Store, list: ListId, id: &str, arrived: i64, state: ArchivedState) -> i64 {
    let raw =
        format!("Message-ID: <{id}>\r\nFrom: Ann <ann@x.org>\r\nSubject: {id}\r\n\r\nbody\r\n");
    let index = IndexText {
        subject: id.into(),
        sender: "ann@x.org".into(),
        body_new: "body".into(),
        body_quoted: String::new(),
        attachment_names: String::new(),
    };
    store
        .transaction(|db| {
            db.archive_message(&NewArchived {
                list,
                raw: raw.as_bytes(),
                message_id: id,
                permalink: &format!("p-{id}"),
                hyperkitty: &format!("h-{id}"),
                references: &[],
                from_addr: "ann@x.org",
                from_name: "Ann",
                subject: id,
                date: arrived,
                arrived_at: arrived,
                month: Month::of_timestamp(arrived),
                legacy_seq: None,
                attachments: 0,
                index: &index,
                extract_version: 1,
                state,
            })
        })
        .unwrap()
        .message()
        .id
}

#[test]
fn bounce_policies_have_mailmans_defaults_and_change() {
    on_both(|store| {
        let l = list(store, "team");
        let db = store.db();
        assert_eq!(db.bounce_settings(l).unwrap(), BounceSettings::default());
        assert_eq!(
            db.bounce_settings(ListId(999)).unwrap(),
            BounceSettings::default()
        );
        let changed = BounceSettings {
            threshold: 3500,
            stale_days: 10,
            warnings: 1,
            warning_days: 2,
        };
        db.set_bounce_settings(l, &changed).unwrap();
        assert_eq!(db.bounce_settings(l).unwrap(), changed);
        // Digest settings too.
        assert_eq!(db.digest_settings(l).unwrap(), DigestSettings::default());
        let digest = DigestSettings {
            days: 0b1_0010,
            minute: 17 * 60 + 30,
            max_messages: 7,
        };
        db.set_digest_settings(l, &digest).unwrap();
        assert_eq!(db.digest_settings(l).unwrap(), digest);
        db.digest_settings(l).unwrap()
    });
}

#[test]
fn kept_bounces_are_compressed_cut_and_listed_newest_first() {
    on_both(|store| {
        let l = list(store, "team");
        let other = list(store, "other");
        let db = store.db();
        let big: Vec<u8> = (0..BOUNCE_KEPT_BYTES + 1000)
            .map(|i| b'a' + (i % 26) as u8)
            .collect();
        let first = db
            .record_bounce(&bounce(Some(l), Some("a@x.org"), T0, b"first"))
            .unwrap();
        let second = db
            .record_bounce(&bounce(Some(l), None, T0 + 10, &big))
            .unwrap();
        let elsewhere = db
            .record_bounce(&bounce(Some(other), None, T0 + 20, b"x"))
            .unwrap();
        let nowhere = db
            .record_bounce(&bounce(None, None, T0 + 30, b"y"))
            .unwrap();
        let listed = db.list_bounces(l, 10).unwrap();
        assert_eq!(
            listed.iter().map(|b| b.id).collect::<Vec<_>>(),
            [second, first]
        );
        assert_eq!(listed[0].size, big.len() as u64);
        assert_eq!(listed[1].email.as_deref(), Some("a@x.org"));
        assert_eq!(listed[1].status.as_deref(), Some("5.1.1"));
        assert_eq!(listed[1].diagnostic, "550 5.1.1 user unknown");
        assert_eq!(db.list_bounces(l, 1).unwrap().len(), 1);
        assert_eq!(
            db.bounce_raw(l, first).unwrap().as_deref(),
            Some(&b"first"[..])
        );
        assert_eq!(
            db.bounce_raw(l, second).unwrap().as_deref(),
            Some(&big[..BOUNCE_KEPT_BYTES])
        );
        // Another list's bounce is not this list's.
        assert_eq!(db.bounce_raw(l, elsewhere).unwrap(), None);
        (listed, nowhere > elsewhere)
    });
}

#[test]
fn scores_belong_to_members_and_go_with_them() {
    on_both(|store| {
        let l = list(store, "team");
        member(store, l, "a@x.org", ReceptionMode::Mail);
        member(store, l, "b@x.org", ReceptionMode::Mail);
        let db = store.db();
        let record = BounceScore {
            score: 1500,
            first_at: T0,
            last_at: T0 + DAY,
            last_day: (T0 + DAY) / DAY,
            bounces: 2,
            disabled_at: None,
            warnings: 0,
            warned_at: None,
        };
        assert!(!db
            .set_member_bounce(l, &email("nobody@x.org"), &record, None)
            .unwrap());
        let kept = db
            .record_bounce(&bounce(Some(l), Some("a@x.org"), T0, b"raw"))
            .unwrap();
        assert!(db
            .set_member_bounce(l, &email("a@x.org"), &record, Some(kept))
            .unwrap());
        assert_eq!(
            db.member_bounce(l, &email("a@x.org")).unwrap(),
            Some(record)
        );
        assert_eq!(db.member_bounce(l, &email("b@x.org")).unwrap(), None);
        // An update without a bounce keeps the last one.
        let disabled = BounceScore {
            score: 5500,
            disabled_at: Some(T0 + 2 * DAY),
            warnings: 1,
            warned_at: Some(T0 + 2 * DAY),
            ..record
        };
        assert!(db
            .set_member_bounce(l, &email("a@x.org"), &disabled, None)
            .unwrap());
        let higher = BounceScore {
            score: 500,
            ..record
        };
        db.set_member_bounce(l, &email("b@x.org"), &higher, None)
            .unwrap();
        let bouncing = db.bouncing_members(l).unwrap();
        assert_eq!(bouncing.len(), 2);
        assert_eq!(bouncing[0].email.as_str(), "a@x.org", "highest score first");
        assert_eq!(bouncing[0].record, disabled);
        assert_eq!(bouncing[0].last.as_ref().map(|b| b.id), Some(kept));
        assert_eq!(bouncing[1].last, None);
        // A disabled member gets no digest.
        assert!(db.clear_member_bounce(l, &email("b@x.org")).unwrap());
        assert!(!db.clear_member_bounce(l, &email("b@x.org")).unwrap());
        // The member leaves: the score goes with them.
        db.remove_member(l, &email("a@x.org")).unwrap();
        assert!(db.bouncing_members(l).unwrap().is_empty());
        bouncing
    });
}

#[test]
fn the_job_sees_disabled_and_stale_records_only() {
    on_both(|store| {
        let l = list(store, "team");
        for a in ["fresh@x.org", "stale@x.org", "off@x.org"] {
            member(store, l, a, ReceptionMode::Mail);
        }
        let db = store.db();
        let now = T0 + 30 * DAY;
        let base = BounceScore {
            score: 1000,
            first_at: T0,
            last_at: now - DAY,
            last_day: (now - DAY) / DAY,
            bounces: 1,
            ..BounceScore::default()
        };
        db.set_member_bounce(l, &email("fresh@x.org"), &base, None)
            .unwrap();
        let stale = BounceScore {
            last_at: now - 7 * DAY - 1,
            ..base
        };
        db.set_member_bounce(l, &email("stale@x.org"), &stale, None)
            .unwrap();
        let off = BounceScore {
            disabled_at: Some(now - 2 * DAY),
            last_at: now - 20 * DAY,
            ..base
        };
        db.set_member_bounce(l, &email("off@x.org"), &off, None)
            .unwrap();
        let due: Vec<(String, BounceScore)> = db
            .bounces_due(now, 100)
            .unwrap()
            .into_iter()
            .map(|d| {
                assert_eq!(d.list, l);
                assert_eq!(d.settings, BounceSettings::default());
                (d.email.as_str().to_string(), d.record)
            })
            .collect();
        let mut names: Vec<&str> = due.iter().map(|(e, _)| e.as_str()).collect();
        names.sort();
        assert_eq!(names, ["off@x.org", "stale@x.org"]);
        assert_eq!(db.bounces_due(now, 1).unwrap().len(), 1);
        // Exactly 7 days is not stale yet.
        let edge = BounceScore {
            last_at: now - 7 * DAY,
            ..base
        };
        db.set_member_bounce(l, &email("stale@x.org"), &edge, None)
            .unwrap();
        assert_eq!(db.bounces_due(now, 100).unwrap().len(), 1);
        due
    });
}

#[test]
fn purging_keeps_each_members_last_bounce() {
    on_both(|store| {
        let l = list(store, "team");
        member(store, l, "a@x.org", ReceptionMode::Mail);
        let db = store.db();
        let old_last = db
            .record_bounce(&bounce(Some(l), Some("a@x.org"), T0, b"1"))
            .unwrap();
        let old = db.record_bounce(&bounce(Some(l), None, T0, b"2")).unwrap();
        let new = db
            .record_bounce(&bounce(Some(l), None, T0 + 100 * DAY, b"3"))
            .unwrap();
        let record = BounceScore {
            score: 1000,
            first_at: T0,
            last_at: T0,
            last_day: T0 / DAY,
            bounces: 1,
            ..BounceScore::default()
        };
        db.set_member_bounce(l, &email("a@x.org"), &record, Some(old_last))
            .unwrap();
        assert_eq!(db.purge_bounces(T0 + DAY).unwrap(), 1);
        let left: Vec<i64> = db
            .list_bounces(l, 10)
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(left, [new, old_last]);
        assert!(!left.contains(&old));
        left.len()
    });
}

#[test]
fn digest_state_moves_once_from_where_it_was() {
    on_both(|store| {
        let l = list(store, "team");
        let db = store.db();
        let schedules = db.digest_schedules().unwrap();
        assert_eq!(schedules, [(l, DigestSettings::default(), None)]);
        let first = DigestState {
            last_message: 5,
            last_slot: T0,
            issues: 1,
        };
        assert!(db.advance_digest(l, None, &first).unwrap());
        // A second process that also saw no state does nothing.
        assert!(!db.advance_digest(l, None, &first).unwrap());
        let next = DigestState {
            last_message: 9,
            last_slot: T0 + DAY,
            issues: 2,
        };
        let stale = DigestState { issues: 0, ..first };
        assert!(!db.advance_digest(l, Some(&stale), &next).unwrap());
        assert!(db.advance_digest(l, Some(&first), &next).unwrap());
        assert!(!db.advance_digest(l, Some(&first), &next).unwrap());
        let schedules = db.digest_schedules().unwrap();
        assert_eq!(schedules, [(l, DigestSettings::default(), Some(next))]);
        schedules.len()
    });
}

#[test]
fn digests_take_visible_messages_after_the_cursor_for_digest_members() {
    on_both(|store| {
        let l = list(store, "team");
        let other = list(store, "other");
        let a = archive(store, l, "a@x", T0, ArchivedState::Visible);
        let hidden = archive(store, l, "h@x", T0 + 1, ArchivedState::Hidden);
        let b = archive(store, l, "b@x", T0 + 2, ArchivedState::Visible);
        let c = archive(store, l, "c@x", T0 + 3, ArchivedState::Visible);
        archive(store, other, "o@x", T0 + 4, ArchivedState::Visible);
        let db = store.db();
        let ids = |after, arrived, limit| -> Vec<i64> {
            db.archive_visible_after(l, after, arrived, limit)
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect()
        };
        assert_eq!(ids(0, i64::MIN, 10), [a, b, c]);
        assert_eq!(ids(a, i64::MIN, 10), [b, c]);
        assert_eq!(ids(0, i64::MIN, 2), [a, b]);
        assert_eq!(ids(0, T0 + 2, 10), [c]);
        assert!(hidden > a);
        for (address, mode) in [
            ("mail@x.org", ReceptionMode::Mail),
            ("digest@x.org", ReceptionMode::Digest),
            ("summary@x.org", ReceptionMode::Summary),
            ("nomail@x.org", ReceptionMode::Nomail),
            ("off@x.org", ReceptionMode::Digest),
        ] {
            member(store, l, address, mode);
        }
        let db = store.db();
        let off = BounceScore {
            score: 6000,
            disabled_at: Some(T0),
            ..BounceScore::default()
        };
        db.set_member_bounce(l, &email("off@x.org"), &off, None)
            .unwrap();
        let recipients: Vec<(String, ReceptionMode)> = db
            .digest_recipients(l)
            .unwrap()
            .into_iter()
            .map(|m| (m.email.as_str().to_string(), m.reception))
            .collect();
        assert_eq!(
            recipients,
            [
                ("digest@x.org".to_string(), ReceptionMode::Digest),
                ("summary@x.org".to_string(), ReceptionMode::Summary),
            ]
        );
        recipients
    });
}

#[test]
fn job_cursors_start_at_zero_and_move() {
    on_both(|store| {
        let db = store.db();
        assert_eq!(db.job_cursor("delivery_failures").unwrap(), (0, 0));
        db.set_job_cursor("delivery_failures", T0, 7).unwrap();
        db.set_job_cursor("delivery_failures", T0 + 5, 9).unwrap();
        db.set_job_cursor("other", 1, 1).unwrap();
        assert_eq!(db.job_cursor("delivery_failures").unwrap(), (T0 + 5, 9));
        db.job_cursor("other").unwrap()
    });
}
