//! Tests of the list-mail queries (mail settings, held posts, sender rules), each body run on SQLite and PostgreSQL.

use super::*;
use crate::domain::{
    ArchivedState, DeliveryMode, DmarcProtection, Email, HoldReason, IndexText, MailSettings,
    Month, SendPolicy, SenderRule,
};
use crate::store::test_support::{list, on_both};

#[test]
fn mail_settings_default_round_trip_and_stay_per_list() {
    on_both(|store| {
        let a = list(store, "a");
        let b = list(store, "b");
        let db = store.db();
        assert_eq!(db.list_mail_settings(a).unwrap(), MailSettings::default());
        let changed = MailSettings {
            send: SendPolicy::Newsletter,
            max_size: 123_456,
            max_attachments: Some(4),
            delivery: DeliveryMode::Bulk,
            dmarc: DmarcProtection::Never,
            subject_tag: "[a] é".into(),
            hold_days: 3,
        };
        db.set_list_mail_settings(a, &changed).unwrap();
        assert_eq!(db.list_mail_settings(a).unwrap(), changed);
        assert_eq!(db.list_mail_settings(b).unwrap(), MailSettings::default());
        // No limit is stored as such.
        let unlimited = MailSettings {
            max_attachments: None,
            ..changed.clone()
        };
        db.set_list_mail_settings(a, &unlimited).unwrap();
        assert_eq!(db.list_mail_settings(a).unwrap().max_attachments, None);
        // An unknown list reads as the defaults.
        assert_eq!(
            db.list_mail_settings(ListId(999_999)).unwrap(),
            MailSettings::default()
        );
    });
}

#[test]
fn sender_rules_match_addresses_and_patterns_and_a_ban_wins() {
    let answers = on_both(|store| {
        let a = list(store, "a");
        let b = list(store, "b");
        let db = store.db();
        let by = Email::parse("owner@a.org").unwrap();
        db.set_sender_rule(a, "*@friends.org", Some(SenderRule::Allow), Some(&by))
            .unwrap();
        db.set_sender_rule(a, "troll@friends.org", Some(SenderRule::Ban), None)
            .unwrap();
        let rule = |list, address: &str| {
            db.sender_rule(list, &Email::parse(address).unwrap())
                .unwrap()
        };
        let mut seen = vec![
            rule(a, "pal@friends.org"),
            rule(a, "troll@friends.org"),
            rule(a, "pal@elsewhere.org"),
            rule(b, "pal@friends.org"),
        ];
        // Setting again replaces; None removes.
        db.set_sender_rule(a, "troll@friends.org", Some(SenderRule::Allow), None)
            .unwrap();
        seen.push(rule(a, "troll@friends.org"));
        db.set_sender_rule(a, "*@friends.org", None, None).unwrap();
        db.set_sender_rule(a, "troll@friends.org", None, None)
            .unwrap();
        seen.push(rule(a, "pal@friends.org"));
        assert!(db.sender_rules(a).unwrap().is_empty());
        seen
    });
    assert_eq!(
        answers,
        [
            Some(SenderRule::Allow),
            Some(SenderRule::Ban),
            None,
            None,
            Some(SenderRule::Allow),
            None
        ]
    );
}

#[test]
fn a_held_post_is_recorded_once_and_kept_off_the_archive_pages() {
    on_both(|store| {
        let a = list(store, "a");
        let month = Month::parse("2024-01").unwrap();
        let index = IndexText::default();
        let raw = b"Message-ID: <held@x>\r\nSubject: held\r\n\r\nbody\r\n";
        let db = store.db();
        let stored = db
            .archive_message(&NewArchived {
                list: a,
                raw,
                message_id: "held@x",
                permalink: "held-x",
                hyperkitty: "HASH",
                references: &[],
                from_addr: "someone@x.org",
                from_name: "",
                subject: "held",
                date: month.start() + 10,
                arrived_at: month.start() + 10,
                month,
                legacy_seq: None,
                attachments: 0,
                index: &index,
                extract_version: 1,
                state: ArchivedState::Held,
            })
            .unwrap()
            .message();
        let sender = Email::parse("someone@x.org").unwrap();
        let held = NewHeld {
            message: stored.id,
            list: a,
            sender: Some(&sender),
            reasons: &[HoldReason::NotMember, HoldReason::TooManyAttachments],
            key_hash: "k1",
            held_at: 10,
            expires_at: 20,
        };
        db.hold_message(&held).unwrap();
        // The same message twice is refused by the store.
        assert!(db.hold_message(&held).is_err());
        // Not on the month page, not counted.
        assert!(db.archive_months(a).unwrap().is_empty());
        // Its bytes are kept until a decision.
        assert_eq!(
            db.archived_raw(stored.id).unwrap().as_deref(),
            Some(&raw[..])
        );
        // Distributing makes it visible and counted.
        db.set_archived_state(stored.id, ArchivedState::Visible, &index)
            .unwrap();
        assert_eq!(db.archive_months(a).unwrap(), vec![(month, 1)]);
    });
}

#[test]
fn a_rejected_post_loses_its_bytes_and_never_comes_back() {
    on_both(|store| {
        let a = list(store, "a");
        let month = Month::parse("2024-01").unwrap();
        let index = IndexText::default();
        let db = store.db();
        let stored = db
            .archive_message(&NewArchived {
                list: a,
                raw: b"Subject: spam\r\n\r\nbuy\r\n",
                message_id: "spam@x",
                permalink: "spam-x",
                hyperkitty: "HASH2",
                references: &[],
                from_addr: "spam@x.org",
                from_name: "",
                subject: "spam",
                date: month.start(),
                arrived_at: month.start(),
                month,
                legacy_seq: None,
                attachments: 0,
                index: &index,
                extract_version: 1,
                state: ArchivedState::Held,
            })
            .unwrap()
            .message();
        assert_eq!(
            db.set_archived_state(stored.id, ArchivedState::Rejected, &index)
                .unwrap(),
            Some(ArchivedState::Held)
        );
        assert_eq!(db.archived_raw(stored.id).unwrap(), None);
        // Final: showing it again changes nothing.
        assert_eq!(
            db.set_archived_state(stored.id, ArchivedState::Visible, &index)
                .unwrap(),
            Some(ArchivedState::Rejected)
        );
        assert!(db.archive_months(a).unwrap().is_empty());
    });
}
