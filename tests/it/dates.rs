//! Dates and numbers in the reader's language on the pages that show them (review, viewlogs, the admin dashboard, an archive month, the moderation queue and a held post) and in a moderation notice, with no hand-written `YYYY-MM-DD HH:MM` left on them.

use wwsympa::archive;
use wwsympa::domain::{
    AdminRole, ArchiveAccess, ArchivedState, ListId, ListPolicy, Month, ReviewPolicy,
    SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::i18n::Catalogues;
use wwsympa::store::{AuditEntry, NewArchived, NewMember};

use crate::browser::{body, Browser, Site};
use crate::subscription::{email, mail_to, PASSWORD};
use crate::support::db::Value;
use crate::support::TempDir;

/// 2026-11-03 13:05 UTC: a day below 13, so that a day and month swapped would show.
const WHEN: i64 = 1_793_711_100;
/// 2030-02-01 00:00 UTC: when the held post expires.
const EXPIRES: i64 = 1_896_134_400;
/// Members of `news`: enough for a thousands separator.
const MEMBERS: usize = 1234;

/// A site with the moderated list `news`: 1,234 members who joined at [`WHEN`], an owner
/// and a moderator who read English (`own@`, `ed@`), an owner and a moderator who read
/// French (`proprio@`, `mod@`), one log entry and one archived message at [`WHEN`].
fn site(name: &str) -> (TempDir, Site, ListId) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    for user in [
        "own@example.org",
        "proprio@example.org",
        "ed@example.org",
        "mod@example.org",
    ] {
        site.add_user(user, PASSWORD);
    }
    let list = site.add_list(
        "news",
        "",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Owner,
            archive: ArchiveAccess::Public,
        },
    );
    let mut store = site.store();
    for owner in ["own@example.org", "proprio@example.org"] {
        store
            .db()
            .add_admin(list, &email(owner), AdminRole::Owner, true)
            .unwrap();
    }
    for moderator in ["ed@example.org", "mod@example.org"] {
        store
            .db()
            .add_admin(list, &email(moderator), AdminRole::Editor, false)
            .unwrap();
    }
    for french in ["proprio@example.org", "mod@example.org"] {
        store.db().set_user_lang(&email(french), "fr").unwrap();
    }
    let members: Vec<NewMember> = (0..MEMBERS)
        .map(|i| NewMember::new(email(&format!("m{i:04}@example.org"))))
        .collect();
    store
        .transaction(|db| db.add_members_bulk(list, &members, 0, |_| {}))
        .unwrap();
    store
        .db()
        .audit(&AuditEntry {
            actor: Some(&email("own@example.org")),
            remote_addr: None,
            channel: "web",
            action: "edit_list",
            list: Some(list),
            target: None,
            detail: serde_json::json!({}),
        })
        .unwrap();
    let raw = "From: Ann <ann@example.net>\r\nTo: news@lists.example.org\r\nSubject: Dated post\r\n\
               Message-ID: <dated@example.net>\r\nDate: Tue, 3 Nov 2026 13:05:00 +0000\r\n\r\nHello\r\n";
    let parsed = archive::parse(raw.as_bytes());
    store
        .db()
        .archive_message(&NewArchived {
            list,
            raw: raw.as_bytes(),
            message_id: &parsed.message_id,
            permalink: &archive::ids::sympa_permalink(&parsed.message_id),
            hyperkitty: &archive::ids::hyperkitty_hash(&parsed.message_id),
            references: &parsed.references,
            from_addr: &parsed.from_addr,
            from_name: &parsed.from_name,
            subject: &parsed.subject,
            date: WHEN,
            arrived_at: WHEN,
            month: Month::of_timestamp(WHEN),
            legacy_seq: None,
            attachments: parsed.attachments,
            index: &parsed.index,
            extract_version: archive::EXTRACT_VERSION,
            state: ArchivedState::Visible,
        })
        .unwrap();
    drop(store);
    site.db
        .execute("UPDATE members SET subscribed_at = ?1", &[Value::Int(WHEN)]);
    site.db
        .execute("UPDATE audit_log SET at = ?1", &[Value::Int(WHEN)]);
    (dir, site, list)
}

fn logged_in<'s>(site: &'s Site, who: &str, n: u8) -> Browser<'s> {
    let mut browser = site.browser(&format!("192.0.2.{n}"));
    browser.login(who, PASSWORD);
    browser
}

/// The page at `target`, asserting it answered 200.
fn page(browser: &mut Browser<'_>, target: &str) -> String {
    let response = browser.get(target);
    let html = body(&response);
    assert_eq!(response.status, 200, "{target}: {html}");
    html
}

/// Whether `text` holds a date written by hand as `YYYY-MM-DD HH:MM` (the form pages
/// showed before they spoke the reader's language).
fn hand_written_time(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(15)).find_map(|i| {
        let w = &bytes[i..i + 16];
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15];
        let shaped = digits.iter().all(|&d| w[d].is_ascii_digit())
            && w[4] == b'-'
            && w[7] == b'-'
            && w[10] == b' '
            && w[13] == b':';
        shaped.then(|| &text[i..i + 16])
    })
}

#[test]
fn pages_show_dates_and_counts_in_the_readers_language() {
    let (_dir, site, list) = site("dates-pages");
    let (id, _key) = crate::moderation::hold(
        &site,
        list,
        "From: Bob <bob@example.net>\r\nTo: news@lists.example.org\r\nSubject: Held\r\n\
         Message-ID: <held-dates@example.net>\r\n\r\nWaiting\r\n",
    );
    site.db.execute(
        "UPDATE held_messages SET held_at = ?1, expires_at = ?2",
        &[Value::Int(WHEN), Value::Int(EXPIRES)],
    );
    let mut owners = [
        logged_in(&site, "own@example.org", 60),
        logged_in(&site, "proprio@example.org", 61),
    ];
    let mut moderators = [
        logged_in(&site, "ed@example.org", 62),
        logged_in(&site, "mod@example.org", 63),
    ];
    // What each page must show, in English then in French.
    let nnbsp = '\u{202f}';
    let checks: Vec<(String, Vec<String>, Vec<String>)> = vec![
        (
            "/sympa/review/news".into(),
            vec!["1,234 members".into(), "<td>2026-11-03</td>".into()],
            vec![format!("1{nnbsp}234 abonnés"), "<td>03/11/2026</td>".into()],
        ),
        (
            "/sympa/viewlogs/news".into(),
            vec![
                r#"<td><time datetime="2026-11-03T13:05Z">2026-11-03, 13:05 UTC</time></td>"#
                    .into(),
            ],
            vec![
                r#"<td><time datetime="2026-11-03T13:05Z">03/11/2026 à 13:05 UTC</time></td>"#
                    .into(),
            ],
        ),
        (
            "/sympa/admin/news".into(),
            vec![
                "1,234 members".into(),
                "<td>2026-11-03</td>".into(),
                "2026-11-03 · ".into(),
            ],
            vec![
                format!("1{nnbsp}234 abonnés"),
                "<td>03/11/2026</td>".into(),
                "03/11/2026 · ".into(),
            ],
        ),
        (
            "/sympa/arc/news/2026-11/".into(),
            vec![r#"<time datetime="2026-11-03T13:05Z">2026-11-03, 13:05 UTC</time>"#.into()],
            vec![r#"<time datetime="2026-11-03T13:05Z">03/11/2026 à 13:05 UTC</time>"#.into()],
        ),
        (
            "/sympa/modindex/news".into(),
            vec!["2030-02-01, 00:00 UTC".into()],
            vec!["01/02/2030 à 00:00 UTC".into()],
        ),
        (
            format!("/sympa/viewmod/news/{id}"),
            vec![
                "November 3, 2026, 13:05 UTC".into(),
                "February 1, 2030, 00:00 UTC".into(),
            ],
            vec![
                "3 novembre 2026 à 13:05 UTC".into(),
                "1 février 2030 à 00:00 UTC".into(),
            ],
        ),
    ];
    for (target, in_english, in_french) in &checks {
        let [english, french] = if target.contains("mod") {
            &mut moderators
        } else {
            &mut owners
        };
        let en = page(english, target);
        let fr = page(french, target);
        assert!(en.contains(r#"<html lang="en""#), "{target}");
        assert!(fr.contains(r#"<html lang="fr""#), "{target}");
        for expected in in_english {
            assert!(en.contains(expected.as_str()), "{target}: {expected}\n{en}");
        }
        for expected in in_french {
            assert!(fr.contains(expected.as_str()), "{target}: {expected}\n{fr}");
        }
        for (language, html) in [("en", &en), ("fr", &fr)] {
            assert_eq!(hand_written_time(html), None, "{target} in {language}");
        }
        // French pages name no day the ISO way (but for programs), nor an English month.
        let shown = fr.replace(r#"datetime="2026-11-03T13:05Z""#, "");
        assert!(!shown.contains("2026-11-03"), "{target}: {fr}");
        assert!(!fr.contains("November"), "{target}: {fr}");
    }
}

#[test]
fn a_moderation_notice_dates_the_post_in_its_recipients_language() {
    let (_dir, site, list) = site("dates-mail");
    let (id, _key) = crate::moderation::hold(
        &site,
        list,
        "From: Bob <bob@example.net>\r\nTo: news@lists.example.org\r\nSubject: Held\r\n\
         Message-ID: <held-mail@example.net>\r\n\r\nWaiting\r\n",
    );
    let held = site.store().db().held_message(id).unwrap().unwrap();
    let catalogues = Catalogues::builtin();
    let french = catalogues.get("fr").unwrap();
    let notices = mail_to(&site, "mod@example.org");
    let notice = notices
        .iter()
        .find(|m| m.contains("held-mail@example.net"))
        .unwrap_or_else(|| panic!("no notice to mod@: {notices:#?}"));
    let held_at = french.at(held.held_at);
    let expires = french.at(held.expires_at);
    // The French form: day, month's name, year, "à", the time.
    assert!(
        held_at.contains(" à ") && held_at.ends_with(" UTC"),
        "{held_at}"
    );
    assert!(
        notice.contains(&format!("Retenu : {held_at} ; il expire le {expires}")),
        "{held_at} / {expires}\n{notice}"
    );
    // No ISO date anywhere (the Date: header stays RFC 5322).
    assert_eq!(hand_written_time(notice), None, "{notice}");
    assert!(!notice.contains(" UTC;"), "{notice}");
}
