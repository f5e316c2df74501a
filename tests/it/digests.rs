//! Digests end to end on the selected database: built from the archive for members in digest mode (a MIME `multipart/digest` parsed back by Python's `email` package, a real peer, with every message's own From and body intact), summaries whose archive links resolve on the web, `digest_max_size` splitting a period into parts, the list's schedule kept (Sympa's `DAYS HH:MM`), an empty period sending nothing, and nothing sent twice.

use std::process::Command;

use wwsympa::domain::bounce::DAY;
use wwsympa::domain::{
    DigestSettings, ListName, MemberVisibility, ReceptionMode, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use wwsympa::operations::archive::{store_message, Incoming};
use wwsympa::operations::digests;
use wwsympa::operations::Env;
use wwsympa::render::Templates;
use wwsympa::store::NewMember;

use crate::browser::Site;
use crate::subscription::{email, mail_to, outbox, site_with, PASSWORD};
use crate::support::{peer, TempDir};

/// 2026-11-30 00:00 UTC, a Monday.
const MONDAY: i64 = 1_795_996_800;
const HOUR: i64 = 3600;

fn digest_site(name: &str) -> (TempDir, Site) {
    let (dir, site) = site_with(
        name,
        &[(
            "team",
            SubscribePolicy::Open,
            UnsubscribePolicy::Open,
            ReviewPolicy::Private,
            Visibility::Noconceal,
        )],
    );
    let list = team(&site).id;
    let store = site.store();
    for (address, mode) in [
        ("digest@example.net", ReceptionMode::Digest),
        ("summary@example.net", ReceptionMode::Summary),
        ("each@example.net", ReceptionMode::Mail),
    ] {
        let mut member = NewMember::new(email(address));
        member.reception = mode;
        store.db().add_member(list, &member).unwrap();
    }
    // member@ reads the archive on the web; it is in summary mode.
    store
        .db()
        .set_member_options(
            list,
            &email("member@example.org"),
            "",
            ReceptionMode::Summary,
            MemberVisibility::Noconceal,
        )
        .unwrap();
    drop(store);
    (dir, site)
}

fn team(site: &Site) -> wwsympa::domain::List {
    site.store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .unwrap()
}

/// A post from `from` archived at `at`.
fn post(site: &Site, n: u32, from: &str, at: i64) -> Vec<u8> {
    let raw = format!(
        "From: {from}\r\nTo: team@lists.example.org\r\nSubject: Topic number {n}\r\n\
Message-ID: <post-{n}@example.org>\r\nDate: Sun, 29 Nov 2026 12:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=x; b=abc\r\n\r\n\
Body of message {n}: caf\u{e9}.\r\n"
    )
    .into_bytes();
    let list = team(site);
    site.store()
        .transaction(|db| {
            store_message(
                db,
                &list,
                &Incoming {
                    raw: &raw,
                    arrived_at: at,
                    month: None,
                    legacy_seq: None,
                },
            )
        })
        .unwrap();
    raw
}

fn run(site: &Site, now: i64) -> digests::Report {
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    digests::run_due(&mut env, now).unwrap()
}

/// The outbox's raw bytes of every mail of `kind`.
fn raw_mails(site: &Site, to: &str) -> Vec<Vec<u8>> {
    let store = site.store();
    (1..10_000)
        .map_while(|id| store.db().outbox_message(id).unwrap())
        .filter(|bytes| String::from_utf8_lossy(bytes).contains(&format!("\r\nTo: {to}\r\n")))
        .collect()
}

const PYTHON_CHECK: &str = r#"
import email, json, sys
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
out = {"type": msg.get_content_type(), "subject": str(msg["Subject"]), "from": str(msg["From"]),
       "unsubscribe_post": str(msg["List-Unsubscribe-Post"]), "defects": len(msg.defects)}
parts = list(msg.iter_parts())
out["parts"] = [p.get_content_type() for p in parts]
out["toc"] = parts[0].get_content()
digest = parts[1]
out["messages"] = []
for m in digest.iter_parts():
    inner = m.get_payload(0)
    out["messages"].append({"type": m.get_content_type(), "from": str(inner["From"]),
        "subject": str(inner["Subject"]), "dkim": str(inner["DKIM-Signature"]),
        "body": inner.get_content()})
print(json.dumps(out))
"#;

/// What `script` (Python, with the mail's file as its argument) prints of `raw`; `None` when
/// the peer is missing and that is allowed.
fn python_on(dir: &std::path::Path, script: &str, raw: &[u8]) -> Option<Vec<u8>> {
    let python = peer("python3")?;
    let file = dir.join("mail.eml");
    std::fs::write(&file, raw).unwrap();
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

/// What Python's `email` package reads in a digest's bytes.
fn python_reads(dir: &std::path::Path, raw: &[u8]) -> Option<serde_json::Value> {
    python_on(dir, PYTHON_CHECK, raw).map(|out| serde_json::from_slice(&out).unwrap())
}

#[test]
fn a_mime_digest_carries_each_message_with_its_own_sender() {
    let (dir, site) = digest_site("dig-mime");
    // The first run starts the list's digests: nothing new yet.
    assert_eq!(run(&site, MONDAY - 2 * DAY).mails, 0);
    let senders = [
        "Ann Example <ann@example.org>",
        "=?utf-8?q?B=C3=A9a?= <bea@example.com>",
        "carl@example.net",
    ];
    let raws: Vec<Vec<u8>> = senders
        .iter()
        .enumerate()
        .map(|(i, from)| post(&site, i as u32 + 1, from, MONDAY - DAY + i as i64 * HOUR))
        .collect();
    let report = run(&site, MONDAY + 6 * HOUR);
    assert_eq!(report.messages, 3);
    assert_eq!(report.mails, 3, "digest@, summary@ and member@ (summary)");
    assert!(mail_to(&site, "each@example.net").is_empty());
    let mails = raw_mails(&site, "digest@example.net");
    assert_eq!(mails.len(), 1);
    // Each message's bytes are in the digest as archived (CRLF line ends).
    for raw in &raws {
        assert!(
            mails[0].windows(raw.len()).any(|w| w == &raw[..]),
            "a message was changed"
        );
    }
    let Some(read) = python_reads(dir.path(), &mails[0]) else {
        return;
    };
    assert_eq!(read["type"], "multipart/mixed");
    assert_eq!(read["defects"], 0);
    assert_eq!(
        read["parts"],
        serde_json::json!(["text/plain", "multipart/digest"])
    );
    assert_eq!(read["subject"], "team@lists.example.org digest, issue 1");
    assert_eq!(read["from"], "team <team-request@lists.example.org>");
    assert_eq!(read["unsubscribe_post"], "List-Unsubscribe=One-Click");
    let toc = read["toc"].as_str().unwrap();
    for n in 1..=3 {
        assert!(toc.contains(&format!("{n}. Topic number {n}")), "{toc}");
    }
    let messages = read["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    let expected_from = [
        "Ann Example <ann@example.org>",
        "Béa <bea@example.com>",
        "carl@example.net",
    ];
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m["type"], "message/rfc822");
        assert_eq!(m["from"], expected_from[i], "never DMARC-rewritten");
        assert_eq!(m["subject"], format!("Topic number {}", i + 1));
        assert_eq!(m["dkim"], "v=1; a=rsa-sha256; d=example.org; s=x; b=abc");
        assert_eq!(m["body"], format!("Body of message {}: café.\r\n", i + 1));
    }
}

#[test]
fn summaries_link_to_messages_that_open_on_the_web() {
    let (_dir, site) = digest_site("dig-summary");
    run(&site, MONDAY - 2 * DAY);
    post(&site, 1, "ann@example.org", MONDAY - DAY);
    post(&site, 2, "bea@example.com", MONDAY - DAY + HOUR);
    run(&site, MONDAY + 6 * HOUR);
    let summaries = mail_to(&site, "member@example.org");
    assert_eq!(summaries.len(), 1);
    let summary = &summaries[0];
    assert!(
        summary.contains("Subject: team@lists.example.org summary, issue 1"),
        "{summary}"
    );
    assert!(summary.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let links: Vec<&str> = summary
        .split_whitespace()
        .filter(|w| w.starts_with("http://lists.example.org/sympa/msg/team/"))
        .collect();
    assert_eq!(links.len(), 2, "{summary}");
    // The summary's one-click link unsubscribes its reader, by POST only (RFC 8058).
    let to_summary = mail_to(&site, "summary@example.net");
    let unfolded = to_summary[0].replace("\n ", " ");
    let oneclick =
        crate::subscription::link(&unfolded, "http://lists.example.org/sympa/oneclick/team/");
    let mut mail_client = site.browser("192.0.2.21");
    assert_eq!(mail_client.get(&oneclick).status, 200);
    assert!(crate::subscription::is_member(
        &site,
        "team",
        "summary@example.net"
    ));
    mail_client.post_raw(&oneclick, &[("List-Unsubscribe", "One-Click")]);
    assert!(!crate::subscription::is_member(
        &site,
        "team",
        "summary@example.net"
    ));

    let mut browser = site.browser("192.0.2.20");
    browser.login("member@example.org", PASSWORD);
    for (n, link) in links.iter().enumerate() {
        let path = link.trim_start_matches("http://lists.example.org");
        let moved = browser.get(path);
        assert_eq!(moved.status, 301, "{path}");
        let location = moved
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone())
            .unwrap();
        let page = browser.get(location.trim_start_matches("http://lists.example.org"));
        assert_eq!(page.status, 200, "{location}");
        let html = crate::browser::body(&page);
        assert!(html.contains(&format!("Topic number {}", n + 1)), "{html}");
    }
}

#[test]
fn the_schedule_is_kept_empty_periods_send_nothing_and_nothing_goes_twice() {
    let (_dir, site) = digest_site("dig-schedule");
    let list = team(&site).id;
    // Sympa's `digest 1,4 06:00`: Mondays and Thursdays.
    let (days, minute) = DigestSettings::parse_schedule("1,4 06:00").unwrap();
    site.store()
        .db()
        .set_digest_settings(
            list,
            &DigestSettings {
                days,
                minute,
                max_messages: 25,
            },
        )
        .unwrap();
    let sunday = MONDAY - DAY;
    assert_eq!(run(&site, sunday).mails, 0, "first run: nothing new");
    post(&site, 1, "ann@example.org", sunday + HOUR);
    assert_eq!(
        run(&site, sunday + 2 * HOUR).mails,
        0,
        "Thursday's digest is done"
    );
    assert_eq!(run(&site, MONDAY + 6 * HOUR - 1).mails, 0, "not yet");
    assert_eq!(run(&site, MONDAY + 6 * HOUR).mails, 3, "Monday 06:00");
    assert_eq!(run(&site, MONDAY + 6 * HOUR).mails, 0, "once");
    assert_eq!(run(&site, MONDAY + 7 * HOUR).mails, 0);
    post(&site, 2, "bea@example.com", MONDAY + 8 * HOUR);
    assert_eq!(
        run(&site, MONDAY + DAY + 6 * HOUR).mails,
        0,
        "Tuesday: no digest day"
    );
    let thursday = MONDAY + 3 * DAY + 6 * HOUR;
    assert_eq!(run(&site, thursday).mails, 3, "Thursday 06:00");
    // An empty period: Monday's moment passes and nothing is sent.
    let next_monday = MONDAY + 7 * DAY + 6 * HOUR;
    let report = run(&site, next_monday);
    assert_eq!((report.lists, report.mails), (1, 0));
    let digests = mail_to(&site, "digest@example.net");
    assert_eq!(digests.len(), 2);
    assert!(digests[0].contains("issue 1") && digests[0].contains("Topic number 1"));
    assert!(digests[1].contains("issue 2") && digests[1].contains("Topic number 2"));
    assert!(
        !digests[1].contains("Topic number 1"),
        "message 1 went once"
    );
    let state = site.store().db().digest_schedules().unwrap();
    assert_eq!(state[0].2.unwrap().issues, 2);
    assert_eq!(outbox(&site).len(), 6);
}

#[test]
fn more_messages_than_digest_max_size_make_several_parts() {
    let (_dir, site) = digest_site("dig-split");
    let list = team(&site).id;
    site.store()
        .db()
        .set_digest_settings(
            list,
            &DigestSettings {
                max_messages: 2,
                ..DigestSettings::default()
            },
        )
        .unwrap();
    run(&site, MONDAY - 2 * DAY);
    for n in 1..=5 {
        post(
            &site,
            n,
            "ann@example.org",
            MONDAY - DAY + i64::from(n) * 60,
        );
    }
    let report = run(&site, MONDAY + 6 * HOUR);
    assert_eq!(report.messages, 5);
    assert_eq!(report.mails, 9, "three parts for each of three recipients");
    let digests = mail_to(&site, "digest@example.net");
    assert_eq!(digests.len(), 3);
    for (i, (digest, topics)) in digests.iter().zip([&[1, 2][..], &[3, 4], &[5]]).enumerate() {
        assert!(
            digest.contains(&format!("issue {} ({}/3)", i + 1, i + 1)),
            "{digest}"
        );
        for n in topics {
            assert!(
                digest.contains(&format!("Subject: Topic number {n}")),
                "{digest}"
            );
        }
    }
    // A member whose delivery bounces is suspended from digests too.
    let off = wwsympa::domain::BounceScore {
        score: 6000,
        disabled_at: Some(MONDAY),
        ..Default::default()
    };
    site.store()
        .db()
        .set_member_bounce(list, &email("digest@example.net"), &off, None)
        .unwrap();
    post(&site, 6, "ann@example.org", MONDAY + 7 * HOUR);
    let report = run(&site, MONDAY + DAY + 6 * HOUR);
    assert_eq!(report.mails, 2, "summary@ and member@ only");
    assert_eq!(mail_to(&site, "digest@example.net").len(), 3);
}

#[test]
fn wwsympa_jobs_sends_the_digests_due() {
    let (dir, site) = digest_site("dig-jobs");
    let config = dir.path().join("wwsympa.toml");
    std::fs::write(
        &config,
        format!(
            "domain = {:?}\nwwsympa_url = {:?}\nlistmaster = {:?}\n{}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
            site.config.domain,
            site.config.wwsympa_url,
            site.config.listmaster,
            site.db.toml(),
            site.config.smtp_port,
        ),
    )
    .unwrap();
    let jobs = |at: i64| crate::support::run_cli(&config, &["jobs", "--at", &at.to_string()], "");
    jobs(MONDAY - 2 * DAY);
    // Sunday's digest (nothing new), then a post: in Monday's.
    jobs(MONDAY - DAY + 6 * HOUR);
    post(&site, 1, "ann@example.org", MONDAY - DAY + 7 * HOUR);
    jobs(MONDAY + 6 * HOUR - 60);
    assert!(mail_to(&site, "digest@example.net").is_empty(), "not yet");
    jobs(MONDAY + 6 * HOUR);
    jobs(MONDAY + 6 * HOUR + 60);
    // The CLI's sender finds the closed port: the digest stays in the outbox, once.
    let digests = mail_to(&site, "digest@example.net");
    assert_eq!(digests.len(), 1);
    assert!(digests[0].contains("Content-Type: multipart/digest"));
}

#[test]
fn a_post_held_across_a_digest_goes_in_the_next_one_once_distributed() {
    let (_dir, site) = digest_site("dig-held");
    let list = team(&site);
    run(&site, MONDAY - 2 * DAY);
    run(&site, MONDAY - DAY + 6 * HOUR);
    // Sunday 06:30 a post is held; at 07:00 another is distributed at once.
    let held_raw = post(&site, 1, "ann@example.org", MONDAY - DAY + 6 * HOUR + 1800);
    let held_id: i64 = site
        .db
        .texts("SELECT id FROM archive_messages WHERE subject = 'Topic number 1'")[0]
        .parse()
        .unwrap();
    let index = wwsympa::archive::parse(&held_raw).index;
    let store = site.store();
    store
        .db()
        .set_archived_state(held_id, wwsympa::domain::ArchivedState::Held, &index)
        .unwrap();
    store
        .db()
        .hold_message(&wwsympa::store::NewHeld {
            message: held_id,
            list: list.id,
            sender: Some(&email("ann@example.org")),
            reasons: &[wwsympa::domain::HoldReason::Moderated],
            key_hash: "0000",
            held_at: MONDAY - DAY + 6 * HOUR + 1800,
            expires_at: MONDAY + 14 * DAY,
        })
        .unwrap();
    drop(store);
    post(&site, 2, "bea@example.com", MONDAY - DAY + 7 * HOUR);
    run(&site, MONDAY + 6 * HOUR);
    let digests = mail_to(&site, "digest@example.net");
    assert_eq!(digests.len(), 1);
    assert!(digests[0].contains("Subject: Topic number 2"));
    assert!(!digests[0].contains("Subject: Topic number 1"), "held");
    // Monday 10:00 a moderator distributes it: Tuesday's digest has it, once.
    let store = site.store();
    store
        .db()
        .set_archived_state(held_id, wwsympa::domain::ArchivedState::Visible, &index)
        .unwrap();
    assert!(store
        .db()
        .decide_held(
            held_id,
            "distributed",
            Some("mod@example.org"),
            "",
            MONDAY + 10 * HOUR
        )
        .unwrap());
    drop(store);
    run(&site, MONDAY + DAY + 6 * HOUR);
    run(&site, MONDAY + 2 * DAY + 6 * HOUR);
    let digests = mail_to(&site, "digest@example.net");
    assert_eq!(digests.len(), 2, "one more digest, then none");
    assert!(digests[1].contains("Subject: Topic number 1"));
    assert!(!digests[1].contains("Subject: Topic number 2"));
}

#[test]
fn a_message_without_subject_or_sender_is_named_in_the_lists_language() {
    let (_dir, site) = digest_site("dig-unnamed");
    let mut plain = NewMember::new(email("plain@example.net"));
    plain.reception = ReceptionMode::DigestPlain;
    site.store()
        .db()
        .add_member(team(&site).id, &plain)
        .unwrap();
    site.store()
        .db()
        .set_list_lang(team(&site).id, "fr")
        .unwrap();
    assert_eq!(run(&site, MONDAY - 2 * DAY).mails, 0);
    let raw = b"To: team@lists.example.org\r\nMessage-ID: <unnamed@example.org>\r\n\
Date: Sun, 29 Nov 2026 12:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nNo name.\r\n";
    let list = team(&site);
    site.store()
        .transaction(|db| {
            store_message(
                db,
                &list,
                &Incoming {
                    raw,
                    arrived_at: MONDAY - DAY,
                    month: None,
                    legacy_seq: None,
                },
            )
        })
        .unwrap();
    post(&site, 2, "Ann <ann@example.org>", MONDAY - DAY + HOUR);
    assert_eq!(run(&site, MONDAY + 6 * HOUR).messages, 2);
    let mails = raw_mails(&site, "digest@example.net");
    assert_eq!(mails.len(), 1);
    let message = mail_parser::MessageParser::default()
        .parse(&mails[0][..])
        .unwrap();
    let toc = message.body_text(0).unwrap();
    assert!(toc.contains("1. (sans objet)"), "{toc}");
    assert!(toc.contains("De : (expéditeur inconnu)"), "{toc}");
    assert!(toc.contains("2. Topic number 2"), "{toc}");
    assert!(toc.contains("De : Ann <ann@example.org>"), "{toc}");
    // The summary (subjects only) says so too.
    let summaries = raw_mails(&site, "summary@example.net");
    assert_eq!(summaries.len(), 1);
    let summary = mail_parser::MessageParser::default()
        .parse(&summaries[0][..])
        .unwrap();
    let text = summary.body_text(0).unwrap();
    assert!(text.contains("1. (sans objet)"), "{text}");
    assert!(text.contains("De : (expéditeur inconnu)"), "{text}");
    // And the plain-text digest.
    let plains = raw_mails(&site, "plain@example.net");
    assert_eq!(plains.len(), 1);
    let plain = mail_parser::MessageParser::default()
        .parse(&plains[0][..])
        .unwrap();
    let text = plain.body_text(0).unwrap();
    assert!(
        text.lines()
            .any(|line| line.trim_end() == "1. (sans objet)"),
        "{text}"
    );
    assert!(
        text.contains("2. Topic number 2 (Ann <ann@example.org>)"),
        "{text}"
    );
    assert!(text.contains("De : (expéditeur inconnu)"), "{text}");
    assert!(text.contains("Objet : (sans objet)"), "{text}");
}

/// A post of `n` from `from` with a PDF attachment, and an HTML-only post, archived at `at`.
fn post_with_parts(site: &Site, at: i64) {
    let list = team(site);
    let posts = [
        "From: Ann <ann@example.org>\r\nSubject: Plan attached\r\nMessage-ID: <parts-1@example.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n> What is the plan?\r\nHere it is, caf\u{e9} included.\r\n\
--b\r\nContent-Type: application/pdf; name=\"plan.pdf\"\r\nContent-Disposition: attachment; filename=\"plan.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgU0VDUkVUUERG\r\n--b--\r\n",
        "From: Bea <bea@example.com>\r\nSubject: Newsletter\r\nMessage-ID: <parts-2@example.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Only <b>HTML</b> here</p>\r\n",
    ];
    for (i, raw) in posts.iter().enumerate() {
        site.store()
            .transaction(|db| {
                store_message(
                    db,
                    &list,
                    &Incoming {
                        raw: raw.as_bytes(),
                        arrived_at: at + i as i64,
                        month: None,
                        legacy_seq: None,
                    },
                )
            })
            .unwrap();
    }
}

/// plain@example.net joins `team` in `digestplain` mode.
fn add_plain_reader(site: &Site) {
    let mut member = NewMember::new(email("plain@example.net"));
    member.reception = ReceptionMode::DigestPlain;
    site.store()
        .db()
        .add_member(team(site).id, &member)
        .unwrap();
}

const PYTHON_PLAIN: &str = r#"
import email, json, sys
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
print(json.dumps({"type": msg.get_content_type(), "subject": str(msg["Subject"]),
    "defects": len(msg.defects), "multipart": msg.is_multipart(), "body": msg.get_content(),
    "unsubscribe_post": str(msg["List-Unsubscribe-Post"])}))
"#;

#[test]
fn a_plain_text_digest_shows_each_text_and_leaves_attachments_in_the_archive() {
    let (dir, site) = digest_site("dig-plain");
    add_plain_reader(&site);
    run(&site, MONDAY - 2 * DAY);
    post(&site, 1, "carl@example.net", MONDAY - DAY);
    post_with_parts(&site, MONDAY - DAY + HOUR);
    let report = run(&site, MONDAY + 6 * HOUR);
    assert_eq!(report.messages, 3);
    assert_eq!(
        report.mails, 4,
        "digest@, plain@, summary@ and member@ (summary)"
    );
    let mails = raw_mails(&site, "plain@example.net");
    assert_eq!(mails.len(), 1);
    let raw = String::from_utf8_lossy(&mails[0]);
    assert!(
        !raw.contains("JVBERi0xLjQgU0VDUkVUUERG") && !raw.contains("multipart"),
        "the attachment's bytes travelled: {raw}"
    );
    let Some(out) = python_on(dir.path(), PYTHON_PLAIN, &mails[0]) else {
        return;
    };
    let read: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(read["type"], "text/plain");
    assert_eq!(read["defects"], 0);
    assert_eq!(read["multipart"], false);
    assert_eq!(read["subject"], "team@lists.example.org digest, issue 1");
    assert_eq!(read["unsubscribe_post"], "List-Unsubscribe=One-Click");
    let body = read["body"].as_str().unwrap().replace("\r\n", "\n");
    for expected in [
        "Body of message 1: café.",
        "> What is the plan?\nHere it is, café included.",
        "[Attachment plan.pdf (application/pdf, 18 bytes), in the archive]",
        "[This part is written in HTML: read it in the archive.]",
        "Subject: Plan attached",
        "From: Bea <bea@example.com>",
        "End of the digest of team@lists.example.org, issue 1",
    ] {
        assert!(body.contains(expected), "{expected:?} not in {body}");
    }
    assert!(!body.contains("<b>HTML</b>"), "{body}");
    let links = body
        .split_whitespace()
        .filter(|w| w.starts_with("http://lists.example.org/sympa/msg/team/"))
        .count();
    assert_eq!(links, 3, "{body}");
}

#[test]
fn digests_are_written_in_their_reader_language() {
    let (dir, site) = digest_site("dig-lang");
    add_plain_reader(&site);
    {
        let store = site.store();
        for reader in ["digest@example.net", "plain@example.net"] {
            store.db().ensure_user(&email(reader)).unwrap();
            store.db().set_user_lang(&email(reader), "fr").unwrap();
        }
    }
    run(&site, MONDAY - 2 * DAY);
    post(&site, 1, "carl@example.net", MONDAY - DAY);
    run(&site, MONDAY + 6 * HOUR);
    for reader in ["digest@example.net", "plain@example.net"] {
        let mails = raw_mails(&site, reader);
        assert_eq!(mails.len(), 1, "{reader}");
        let Some(text) = first_text(dir.path(), &mails[0]) else {
            return;
        };
        assert!(
            text.contains("Compilation de la liste team@lists.example.org, numéro 1"),
            "{reader}: {text}"
        );
    }
    // A reader without a preference gets the site's language.
    assert!(mail_to(&site, "summary@example.net")[0].contains("Summary of the list"));
}

/// The first `text/plain` part of `raw`, decoded by Python's `email` package.
fn first_text(dir: &std::path::Path, raw: &[u8]) -> Option<String> {
    let script = "import email, sys\nfrom email import policy\n\
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)\n\
print(next(p for p in msg.walk() if p.get_content_type() == 'text/plain').get_content())";
    python_on(dir, script, raw).map(|out| String::from_utf8(out).unwrap())
}
