//! Moderation through the web on the selected database (`WWSYMPA_TEST_DB`): the notice's
//! links open confirm pages that change nothing on GET and act on POST (CSRF-checked, no
//! login), the queue page's bulk decisions, one post's page with its HTML sanitized, two
//! moderators at once, wrong keys and their limit, withdraw, `wwsympa jobs` expiring a post,
//! lynx reading the queue page and Chromium walking it with a bulk selection.

use std::path::{Path, PathBuf};

use wwsympa::archive;
use wwsympa::domain::{
    AdminRole, ArchiveAccess, ArchivedState, Email, HoldReason, ListId, ListName, ListPolicy,
    MailSettings, Month, ReviewPolicy, SenderRule, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::operations::moderation::{self, Decided, Decision, Hold, HELD_NOTICES_PER_SENDER};
use wwsympa::operations::{Channel, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{NewArchived, NewMember};

use crate::browser::{body, Site};
use crate::subscription::{email, mail_to, outbox, PASSWORD};
use crate::support::TempDir;

/// A site with the moderated list `news` (moderator mod@, owner own@, member member@, all
/// with accounts) and its id.
fn moderated(name: &str) -> (TempDir, Site, ListId) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    for user in ["mod@example.org", "own@example.org", "member@example.org"] {
        site.add_user(user, PASSWORD);
    }
    let id = site.add_list(
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
    let store = site.store();
    let db = store.db();
    db.add_admin(id, &email("mod@example.org"), AdminRole::Editor, false)
        .unwrap();
    db.add_admin(id, &email("own@example.org"), AdminRole::Owner, true)
        .unwrap();
    db.add_member(id, &NewMember::new(email("member@example.org")))
        .unwrap();
    drop(store);
    (dir, site, id)
}

/// A post from `from` numbered `n`, with `extra` header lines and `body`.
fn mail(n: u32, from: &str, extra: &str, body: &str) -> String {
    format!(
        "From: Sender {n} <{from}>\r\nTo: news@lists.example.org\r\nSubject: Held post {n}\r\nMessage-ID: <held{n}@example.net>\r\nDate: Mon, 4 Mar 2024 10:00:00 +0000\r\n{extra}\r\n{body}\r\n"
    )
}

/// Archives `raw` in the held state on `list` and holds it, as intake does; returns the
/// message id and the moderation key.
pub fn hold(site: &Site, list: ListId, raw: &str) -> (i64, String) {
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let list = store.db().list_by_id(list).unwrap().unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let parsed = archive::parse(raw.as_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
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
                date: now,
                arrived_at: now,
                month: Month::of_timestamp(now),
                legacy_seq: None,
                attachments: parsed.attachments,
                index: &parsed.index,
                extract_version: archive::EXTRACT_VERSION,
                state: ArchivedState::Held,
            })?
            .message();
        let sender = Email::parse(&parsed.from_addr).ok();
        let key = moderation::hold(
            tx,
            &list,
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

/// The state of archived message `id`.
fn state(site: &Site, list: ListId, id: i64) -> (Option<String>, bool) {
    let store = site.store();
    let held = store.db().held_message(id).unwrap().unwrap();
    assert_eq!(held.list, list);
    let bytes = store.db().archived_raw(id).unwrap().is_some();
    (held.decided.map(|d| d.decision), bytes)
}

/// The path of the first link starting with `prefix` in `text`.
fn path_of(text: &str, prefix: &str) -> String {
    crate::subscription::link(text, &format!("http://lists.example.org{prefix}"))
}

#[test]
fn a_notice_link_opens_a_confirm_page_that_acts_only_on_its_post_with_a_token() {
    let (_dir, site, list) = moderated("mod-link");
    let (id, key) = hold(&site, list, &mail(1, "ann@example.net", "", "Hello list"));
    let notice = mail_to(&site, "mod@example.org");
    assert_eq!(notice.len(), 1, "one notice per post by default");
    let reject = path_of(&notice[0], "/sympa/reject/news/");
    // The moderator's own key (the decision records who took it), not the post's shared one.
    assert!(reject.starts_with("/sympa/reject/news/"), "{reject}");
    assert!(!reject.contains(&key));
    let distribute = path_of(&notice[0], "/sympa/distribute/news/");

    // A mail scanner follows both links: nothing changes.
    let mut scanner = site.browser("192.0.2.90");
    for path in [&reject, &distribute, &reject] {
        let page = scanner.get(path);
        assert_eq!(page.status, 200);
        let html = body(&page);
        assert!(html.contains("Held post 1"), "{html}");
        assert!(html.contains("Hello list"), "the post is shown: {html}");
        assert!(html.contains(r#"value="reject""#));
    }
    assert_eq!(state(&site, list, id), (None, true));

    // A POST without the token is refused and changes nothing.
    let mut moderator = site.browser("192.0.2.91");
    let forged = moderator.post_raw(&reject, &[("do", "reject")]);
    assert_eq!(forged.status, 403);
    assert_eq!(state(&site, list, id), (None, true));

    // With the page's token, no login: rejected with a stock reason, the sender told.
    moderator.get(&reject);
    let done = moderator.post(&reject, &[("do", "reject"), ("reason", "off_topic")]);
    assert_eq!(done.status, 200);
    assert!(
        body(&done).contains("Rejected: the sender is told."),
        "{}",
        body(&done)
    );
    assert_eq!(state(&site, list, id), (Some("rejected".into()), false));
    let told = mail_to(&site, "ann@example.net");
    let rejection: Vec<_> = told.iter().filter(|m| m.contains("was rejected")).collect();
    assert_eq!(rejection.len(), 1);
    assert!(
        rejection[0].contains("off-topic for this list"),
        "{}",
        rejection[0]
    );

    // The link again, even by another visitor: what happened, and no button.
    let mut late = site.browser("192.0.2.92");
    let page = body(&late.get(&distribute));
    assert!(
        page.contains("was rejected already by mod@example.org"),
        "{page}"
    );
    assert!(!page.contains(r#"value="distribute""#));
    // A POST anyway changes nothing and sends nothing more.
    late.get("/sympa/login");
    let again = late.post(&distribute, &[("do", "distribute")]);
    assert!(body(&again).contains("was rejected already"));
    assert_eq!(state(&site, list, id), (Some("rejected".into()), false));
    assert_eq!(
        mail_to(&site, "ann@example.net")
            .iter()
            .filter(|m| m.contains("was rejected"))
            .count(),
        1
    );
}

#[test]
fn wrong_keys_get_a_clear_refusal_and_then_a_limit_even_for_a_right_key() {
    crate::support::in_one_window(3600);
    let (_dir, site, list) = moderated("mod-keys");
    let (id, key) = hold(&site, list, &mail(1, "ann@example.net", "", "x"));
    let mut guesser = site.browser("198.51.100.9");
    for n in 0..10 {
        let page = guesser.get(&format!("/sympa/distribute/news/{}{n:02}", "B".repeat(41)));
        assert_eq!(page.status, 410);
        assert!(body(&page).contains("This link is not valid"));
    }
    let limited = guesser.get(&format!("/sympa/distribute/news/{key}"));
    assert_eq!(limited.status, 429, "{}", body(&limited));
    assert!(body(&limited).contains("Too many attempts"));
    // A key of another list, or an unknown list: not valid either.
    let mut other = site.browser("198.51.100.10");
    assert_eq!(
        other.get(&format!("/sympa/distribute/nosuch/{key}")).status,
        410
    );
    assert_eq!(other.get(&format!("/sympa/reject/news/{key}")).status, 200);
    assert_eq!(state(&site, list, id), (None, true));
}

#[test]
fn the_queue_page_shows_why_and_who_and_decides_for_many_at_once() {
    let (_dir, site, list) = moderated("mod-queue");
    let (a, _) = hold(&site, list, &mail(1, "ann@example.net", "", "first"));
    let (b, _) = hold(&site, list, &mail(2, "bob@example.net", "", "second"));
    let (c, _) = hold(&site, list, &mail(3, "ann@example.net", "", "third"));

    let mut anonymous = site.browser("192.0.2.100");
    let response = anonymous.get("/sympa/modindex/news");
    assert_eq!(response.status, 303, "to the login page");
    let mut member = site.browser("192.0.2.101");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/modindex/news").status, 403);
    assert_eq!(member.get(&format!("/sympa/viewmod/news/{a}")).status, 403);
    assert!(!body(&member.get("/sympa/info/news")).contains("Messages to moderate"));

    let mut moderator = site.browser("192.0.2.102");
    moderator.login("mod@example.org", PASSWORD);
    let info = body(&moderator.get("/sympa/info/news"));
    assert!(info.contains("Messages to moderate (3)"), "{info}");
    let page = body(&moderator.get("/sympa/modindex/news"));
    assert!(page.contains("3 messages wait"), "{page}");
    for id in [a, b, c] {
        assert!(page.contains(&format!(r#"name="id" value="{id}""#)));
    }
    assert!(page.contains("The sender is not a member"));
    assert!(
        page.contains("earlier held: 0 distributed, 0 rejected, 0 withdrawn or expired, 1 waiting"),
        "{page}"
    );
    assert!(page.contains("first held message"), "bob's: {page}");

    // Without the token: refused, nothing changed.
    let forged = moderator.post_raw(
        "/sympa/modindex/news",
        &[("do", "discard"), ("id", &a.to_string())],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(state(&site, list, a), (None, true));

    // Ban Ann from both of her posts at once, with a reason of one's own.
    let (a_id, c_id) = (a.to_string(), c.to_string());
    let done = moderator.post(
        "/sympa/modindex/news",
        &[
            ("id", &a_id),
            ("id", &c_id),
            ("do", "ban"),
            ("note", "Please stop."),
        ],
    );
    assert_eq!(done.status, 303);
    let after = body(&moderator.get("/sympa/modindex/news"));
    assert!(
        after.contains("2 messages rejected, their senders banned."),
        "{after}"
    );
    assert!(after.contains("1 message waits"));
    assert_eq!(state(&site, list, a), (Some("rejected".into()), false));
    assert_eq!(state(&site, list, c), (Some("rejected".into()), false));
    let store = site.store();
    assert_eq!(
        store
            .db()
            .sender_rule(list, &email("ann@example.net"))
            .unwrap(),
        Some(SenderRule::Ban)
    );
    let decided_by = store
        .db()
        .held_message(a)
        .unwrap()
        .unwrap()
        .decided
        .unwrap()
        .by;
    assert_eq!(decided_by.as_deref(), Some("mod@example.org"));
    drop(store);
    let told = mail_to(&site, "ann@example.net");
    assert_eq!(
        told.iter().filter(|m| m.contains("Please stop.")).count(),
        2
    );

    // Discard Bob's silently; a post of this list that is gone already says so.
    let b_id = b.to_string();
    moderator.post(
        "/sympa/modindex/news",
        &[("id", &b_id), ("id", &a_id), ("do", "discard")],
    );
    let after = body(&moderator.get("/sympa/modindex/news"));
    assert!(after.contains("1 message discarded."), "{after}");
    assert!(
        after.contains(&format!(
            "Message {a} was rejected already by mod@example.org"
        )),
        "{after}"
    );
    assert!(after.contains("No message waits"));
    assert!(
        !mail_to(&site, "bob@example.net")
            .iter()
            .any(|m| m.contains("rejected")),
        "a discarded post's sender is not told"
    );
}

#[test]
fn one_posts_page_shows_it_safely_and_decides_it() {
    let (_dir, site, list) = moderated("mod-view");
    let html_mail = mail(
        1,
        "ann@example.net",
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n",
        "--b\r\nContent-Type: text/html\r\n\r\n<p onclick=\"x()\">Look <b>here</b></p><script>alert(1)</script><img src=\"http://tracker.example/x.png\">\r\n--b\r\nContent-Type: application/pdf; name=\"plan.pdf\"\r\nContent-Disposition: attachment; filename=\"plan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
    );
    let (id, key) = hold(&site, list, &html_mail);
    let mut moderator = site.browser("192.0.2.110");
    moderator.login("mod@example.org", PASSWORD);
    for path in [
        format!("/sympa/viewmod/news/{id}"),
        format!("/sympa/viewmod/news/{key}"),
    ] {
        let page = moderator.get(&path);
        assert_eq!(page.status, 200, "{path}");
        let html = body(&page);
        assert!(html.contains("<b>here</b>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onclick"));
        assert!(!html.contains("tracker.example"));
        assert!(html.contains("plan.pdf"));
        let csp = page
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-security-policy"))
            .map(|(_, v)| v.as_str());
        assert!(
            csp.is_some_and(|v| v.contains("default-src 'none'")),
            "{csp:?}"
        );
    }
    // Its attachment downloads from the page's link, as bytes with nosniff.
    let page = body(&moderator.get(&format!("/sympa/viewmod/news/{id}")));
    let prefix = format!(r#"<a href="/sympa/viewmod/news/{id}/"#);
    let start = page.find(&prefix).expect("a link to the attachment") + prefix.len() - 1;
    let end = start + page[start..].find('"').unwrap();
    let href = format!("/sympa/viewmod/news/{id}{}", &page[start..end]);
    let file = moderator.get(&href);
    assert_eq!(file.status, 200, "{href}");
    assert_eq!(file.body.bytes(), b"%PDF-1.4\n");
    assert!(file
        .header("Content-Disposition")
        .unwrap()
        .contains("plan.pdf"));
    assert_eq!(file.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(
        moderator.get(&format!("/sympa/viewmod/news/{id}/7")).status,
        404
    );
    // Not for others, even with the link.
    let mut member = site.browser("192.0.2.111");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get(&href).status, 403);
    // The key page names it, without a link.
    let link = path_of(
        &mail_to(&site, "mod@example.org")[0],
        "/sympa/distribute/news/",
    );
    let keyed = body(&site.browser("192.0.2.112").get(&link));
    assert!(keyed.contains("Attachment: plan.pdf"), "{keyed}");
    assert_eq!(moderator.get("/sympa/viewmod/news/999999").status, 404);
    let done = moderator.post(&format!("/sympa/viewmod/news/{id}"), &[("do", "discard")]);
    assert_eq!(done.status, 303);
    assert_eq!(state(&site, list, id), (Some("discarded".into()), false));
    let shown = body(&moderator.get(&format!("/sympa/viewmod/news/{id}")));
    assert!(
        shown.contains("Already discarded by mod@example.org"),
        "{shown}"
    );
}

#[test]
fn two_moderators_at_once_one_decides_and_the_other_is_told() {
    let (_dir, site, list) = moderated("mod-race");
    for round in 0..4u32 {
        let (id, key) = hold(
            &site,
            list,
            &mail(10 + round, &format!("s{round}@example.net"), "", "race"),
        );
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let outcomes: Vec<Decided> = std::thread::scope(|scope| {
            let handles: Vec<_> = [("192.0.2.120", "reject"), ("192.0.2.121", "ban")]
                .into_iter()
                .map(|(ip, word)| {
                    let barrier = barrier.clone();
                    let (site, key) = (&site, key.clone());
                    scope.spawn(move || {
                        let mut store = site.store();
                        let templates = Templates::load(None).unwrap();
                        let list = store.db().list_by_id(list).unwrap().unwrap();
                        let mut env = Env::new(&mut store, &site.config, &templates);
                        let who = Requester::anonymous(Channel::Web, Some(ip.parse().unwrap()));
                        barrier.wait();
                        moderation::decide_with_key(
                            &mut env,
                            &who,
                            &list,
                            &key,
                            &Decision::parse(word, Some("race".into())).unwrap(),
                        )
                        .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let applied = outcomes.iter().filter(|o| **o == Decided::Applied).count();
        assert_eq!(applied, 1, "{outcomes:?}");
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, Decided::Already { decision, .. } if decision == "rejected")),
            "{outcomes:?}"
        );
        assert_eq!(state(&site, list, id).0.as_deref(), Some("rejected"));
        let told = mail_to(&site, &format!("s{round}@example.net"))
            .iter()
            .filter(|m| m.contains("was rejected"))
            .count();
        assert_eq!(told, 1, "round {round}: the sender is told once");
    }
}

#[test]
fn the_sender_withdraws_with_the_link_of_their_notice() {
    let (_dir, site, list) = moderated("mod-withdraw");
    let (id, key) = hold(&site, list, &mail(1, "ann@example.net", "", "oops"));
    // Never to the null sender nor to automatic mail.
    hold(
        &site,
        list,
        &mail(
            2,
            "robot@example.net",
            "Auto-Submitted: auto-generated\r\n",
            "x",
        ),
    );
    assert!(mail_to(&site, "robot@example.net").is_empty());
    let notice = mail_to(&site, "ann@example.net");
    assert_eq!(notice.len(), 1);
    assert!(notice[0].contains("waits for a moderator"));
    let withdraw = path_of(&notice[0], "/sympa/withdraw/news/");
    assert!(!withdraw.contains(&key));
    let mut ann = site.browser("192.0.2.130");
    let page = body(&ann.get(&withdraw));
    assert!(page.contains("Withdraw my message"), "{page}");
    assert_eq!(state(&site, list, id), (None, true), "GET changes nothing");
    let done = body(&ann.post(&withdraw, &[]));
    assert!(done.contains("Withdrawn"), "{done}");
    assert_eq!(state(&site, list, id), (Some("withdrawn".into()), false));
    // The moderators' link now says so.
    let mut moderator = site.browser("192.0.2.131");
    let page = body(&moderator.get(&format!("/sympa/distribute/news/{key}")));
    assert!(
        page.contains("was withdrawn already by ann@example.net"),
        "{page}"
    );
}

/// The configuration file of `site` for a real process, its URL at `port` when given.
fn config_file(dir: &Path, site: &Site, port: Option<u16>) -> PathBuf {
    let path = dir.join("wwsympa.toml");
    let url = match port {
        Some(port) => format!("http://127.0.0.1:{port}/sympa"),
        None => site.config.wwsympa_url.clone(),
    };
    std::fs::write(
        &path,
        format!(
            "domain = {:?}\nwwsympa_url = {url:?}\nlistmaster = {:?}\n{}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
            site.config.domain,
            site.config.listmaster,
            site.db.toml(),
            site.config.smtp_port,
        ),
    )
    .unwrap();
    path
}

#[test]
fn wwsympa_jobs_reminds_half_way_then_expires_and_tells_the_sender() {
    let (dir, site, list) = moderated("mod-jobs");
    let (id, _) = hold(&site, list, &mail(1, "ann@example.net", "", "slow"));
    let held = site.store().db().held_message(id).unwrap().unwrap();
    let config = config_file(dir.path(), &site, None);
    let half = held.held_at + (held.expires_at - held.held_at) / 2;
    // The CLI sends what it queued to the closed port: it stays in the outbox.
    crate::support::run_cli(&config, &["jobs", "--at", &(half - 10).to_string()], "");
    assert_eq!(mail_to(&site, "mod@example.org").len(), 1, "not yet");
    crate::support::run_cli(&config, &["jobs", "--at", &half.to_string()], "");
    let to_moderator = mail_to(&site, "mod@example.org");
    assert_eq!(to_moderator.len(), 2);
    assert!(to_moderator[1].contains("Reminder"), "{}", to_moderator[1]);
    crate::support::run_cli(&config, &["jobs", "--at", &held.expires_at.to_string()], "");
    assert_eq!(state(&site, list, id), (Some("expired".into()), false));
    assert!(mail_to(&site, "ann@example.net")
        .iter()
        .any(|m| m.contains("expired unread")));
    assert_eq!(
        mail_to(&site, "mod@example.org").len(),
        2,
        "no more reminders"
    );
    let _ = outbox(&site);
}

/// Starts `wwsympa serve --http` for `site` on a free port; returns it and the port.
fn serve(dir: &Path, site: &Site) -> (crate::support::Daemon, u16) {
    let port = crate::support::free_port();
    let config = config_file(dir, site, Some(port));
    let mut command = std::process::Command::new(crate::support::binary());
    command
        .arg("--config")
        .arg(&config)
        .args(["serve", "--http"])
        .arg(format!("127.0.0.1:{port}"));
    let daemon = crate::support::Daemon::spawn(command, &dir.join("serve.log"));
    crate::support::wait_until("wwsympa --http", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    (daemon, port)
}

#[test]
fn lynx_reads_a_confirm_page_and_the_queue_page() {
    let Some(lynx) = crate::support::peer("lynx") else {
        return;
    };
    let (dir, site, list) = moderated("mod-lynx");
    let (_, key) = hold(&site, list, &mail(1, "ann@example.net", "", "lynxmarker"));
    let (_server, port) = serve(dir.path(), &site);
    let dump = std::process::Command::new(lynx)
        .args(["-dump", "-width=100"])
        .arg(format!(
            "http://127.0.0.1:{port}/sympa/distribute/news/{key}"
        ))
        .output()
        .unwrap();
    assert!(dump.status.success());
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(text.contains("Held post 1"), "{text}");
    assert!(text.contains("lynxmarker"), "{text}");
    assert!(text.contains("Distribute"), "{text}");
    assert!(text.contains("Discard silently"), "{text}");
    assert!(text.contains("The sender is not a member"), "{text}");

    // The queue page, logged in: the session made by the in-process browser on the same
    // database, handed to lynx in a cookie file.
    let mut moderator = site.browser("192.0.2.140");
    moderator.login("mod@example.org", PASSWORD);
    let cookies = dir.path().join("cookies.txt");
    std::fs::write(
        &cookies,
        format!(
            "127.0.0.1\tFALSE\t/sympa\tFALSE\t4102444800\tsympa_session\t{}\n",
            moderator.session().unwrap()
        ),
    )
    .unwrap();
    // lynx reads a cookie file only with persistent cookies on, a setting of its own file.
    let cfg = dir.path().join("lynx.cfg");
    std::fs::write(
        &cfg,
        format!(
            "PERSISTENT_COOKIES:TRUE\nSET_COOKIES:TRUE\nACCEPT_ALL_COOKIES:TRUE\nCOOKIE_FILE:{0}\nCOOKIE_SAVE_FILE:{0}\n",
            cookies.display()
        ),
    )
    .unwrap();
    let dump = std::process::Command::new(crate::support::peer("lynx").unwrap())
        .args(["-dump", "-width=100"])
        .arg(format!("-cfg={}", cfg.display()))
        .arg(format!("http://127.0.0.1:{port}/sympa/modindex/news"))
        .output()
        .unwrap();
    assert!(dump.status.success());
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(text.contains("Messages to moderate on news"), "{text}");
    assert!(text.contains("1 message waits"), "{text}");
    assert!(text.contains("Held post 1"), "{text}");
    assert!(text.contains("Discard silently"), "{text}");
    assert!(text.contains("One notice per message"), "{text}");
}

#[test]
fn chromium_selects_two_held_posts_on_the_queue_page_and_discards_them() {
    let Some(chromium) = crate::support::peer("chromium") else {
        return;
    };
    let (dir, site, list) = moderated("mod-chromium");
    let (a, _) = hold(&site, list, &mail(1, "ann@example.net", "", "one"));
    let (b, _) = hold(&site, list, &mail(2, "bob@example.net", "", "two"));
    let (c, _) = hold(&site, list, &mail(3, "cy@example.net", "", "three"));
    let (_server, port) = serve(dir.path(), &site);
    let base = format!("http://127.0.0.1:{port}/sympa");
    let mut browser = crate::chromium::Chromium::start(
        &chromium,
        &dir.path().join("profile"),
        &dir.path().join("chromium.log"),
    );
    browser.open(&format!("{base}/login"));
    browser.submit(&format!(
        "document.getElementById('f-email').value = 'mod@example.org';\
         document.getElementById('f-passwd').value = '{PASSWORD}';\
         document.querySelector('main form').submit();"
    ));
    browser.open(&format!("{base}/modindex/news"));
    let text = browser.text();
    assert!(text.contains("3 messages wait"), "{text}");
    assert!(text.contains("Held post 2"), "{text}");
    browser.submit(&format!(
        "document.getElementById('held-{a}').click();\
         document.getElementById('held-{c}').click();\
         document.querySelector('button[name=do][value=discard]').click();"
    ));
    let text = browser.text();
    assert!(text.contains("2 messages discarded."), "{text}");
    assert!(text.contains("1 message waits"), "{text}");
    assert_eq!(browser.location(), "/sympa/modindex/news");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    browser.screenshot(&shots, "modindex");
    assert_eq!(state(&site, list, a).0.as_deref(), Some("discarded"));
    assert_eq!(state(&site, list, b).0, None);
    assert_eq!(state(&site, list, c).0.as_deref(), Some("discarded"));
    let _ = ListName::parse("news");
}

#[test]
fn the_sender_service_runs_the_digest_job_and_an_smtp_server_gets_the_notices() {
    let Some(python) = crate::support::python_with_aiosmtpd() else {
        return;
    };
    let (dir, site, list) = moderated("mod-smtp");
    let smtp_port = crate::support::free_port();
    let smtp = crate::support::SmtpServer::start(&python, smtp_port, &dir.path().join("maildir"));
    let store = site.store();
    store
        .db()
        .add_admin(list, &email("mod2@example.org"), AdminRole::Editor, false)
        .unwrap();
    // mod@ chose a digest every 15 minutes; mod2@ keeps one notice per post.
    store
        .db()
        .set_moderator_digest_minutes(list, "mod@example.org", 15)
        .unwrap();
    drop(store);
    let (id, _) = hold(&site, list, &mail(1, "ann@example.net", "", "digest me"));
    let config = config_file(dir.path(), &site, None);
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("smtp_port = {}", site.config.smtp_port),
        &format!("smtp_port = {smtp_port}"),
    );
    std::fs::write(&config, text).unwrap();
    let mut command = std::process::Command::new(crate::support::binary());
    command
        .arg("--config")
        .arg(&config)
        .args(["sender", "--poll", "1s"]);
    let _sender = crate::support::Daemon::spawn(command, &dir.path().join("sender.log"));
    // The sender's first look runs the due jobs: the digest joins the two notices.
    let messages = smtp.wait_for(3);
    let find = |to: &str| {
        messages
            .iter()
            .find(|m| m.contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("nothing to {to}: {messages:#?}"))
            .replace("\r\n", "\n")
    };
    let notice = find("mod2@example.org");
    assert!(notice.contains("Content-Type: message/rfc822"), "{notice}");
    assert!(notice.contains("Message-ID: <held1@example.net>"));
    assert!(notice.contains("digest me"));
    let digest = crate::support::decode_qp(&find("mod@example.org"));
    assert!(
        digest.contains("1 message waits for moderation"),
        "{digest}"
    );
    assert!(find("ann@example.net").contains("waits for a moderator"));
    // The digest's own link decides, and records its moderator.
    let reject = path_of(&digest, "/sympa/reject/news/");
    let mut moderator = site.browser("192.0.2.150");
    moderator.get(&reject);
    let done = moderator.post(&reject, &[("do", "discard")]);
    assert!(body(&done).contains("Discarded."), "{}", body(&done));
    let by = site
        .store()
        .db()
        .held_message(id)
        .unwrap()
        .unwrap()
        .decided
        .unwrap()
        .by;
    assert_eq!(by.as_deref(), Some("mod@example.org"));
}

#[test]
fn a_post_through_the_intake_door_is_held_and_a_moderators_mail_command_rejects_it() {
    use wwsympa::lmtp::{Envelope, Mailbox};
    let (_dir, site, list) = moderated("mod-intake");
    let door = wwsympa::intake::Door::new(
        site.config.clone(),
        site.db.target(),
        std::sync::Arc::new(wwsympa::mail::Wake::new()),
    )
    .unwrap();
    let deliver = |from: &str, to: &str, raw: &str| {
        door.deliver(
            &Envelope {
                from: from.into(),
                recipients: vec![to.into()],
            },
            raw.as_bytes(),
        )
        .remove(0)
    };
    // An outsider's post to the (private-or-moderated) list is held.
    let reply = deliver(
        "zed@example.net",
        "news@lists.example.org",
        &mail(1, "zed@example.net", "", "from outside"),
    );
    assert_eq!(reply.code, 250, "{reply:?}");
    let held = site.store().db().held_queue(list, 0, 10).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].reasons, vec![HoldReason::NotMember]);
    let notice = mail_to(&site, "mod@example.org");
    assert_eq!(notice.len(), 1);
    assert!(
        notice[0].contains("the sender is not a member"),
        "{}",
        notice[0]
    );
    assert!(mail_to(&site, "zed@example.net")[0].contains("waits for a moderator"));
    // The moderator answers by mail with the command of their notice.
    let start = notice[0].find("REJECT news ").unwrap();
    let command = notice[0][start..]
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string();
    let reply = deliver(
        "mod@example.org",
        "sympa@lists.example.org",
        &format!(
            "From: mod@example.org\r\nTo: sympa@lists.example.org\r\nSubject: {command}\r\nMessage-ID: <cmd1@example.org>\r\n\r\n{command}\r\n"
        ),
    );
    assert_eq!(reply.code, 250, "{reply:?}");
    assert_eq!(
        state(&site, list, held[0].message),
        (Some("rejected".into()), false),
        "{:#?}",
        mail_to(&site, "mod@example.org")
    );
    assert!(mail_to(&site, "zed@example.net")
        .iter()
        .any(|m| m.contains("was rejected")));
    // The moderator's link now shows it.
    let link = path_of(&notice[0], "/sympa/distribute/news/");
    let page = body(&site.browser("192.0.2.160").get(&link));
    assert!(
        page.contains("was rejected already by mod@example.org"),
        "{page}"
    );
}

#[test]
fn the_queue_page_shows_a_hundred_posts_then_links_to_the_newer_ones() {
    let (_dir, site, list) = moderated("mod-pages");
    let hour = || {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        now.div_euclid(HELD_NOTICES_PER_SENDER.window)
    };
    let first_hour = hour();
    let ids: Vec<i64> = (0..101)
        .map(|n| hold(&site, list, &mail(100 + n, "many@example.net", "", "page")).0)
        .collect();
    // The sender hears of the first five only (a forged sender is not flooded): five an
    // hour of the clock, so ten when the posts straddle the hour's turn.
    let hours = (hour() - first_hour + 1) as usize;
    assert_eq!(
        mail_to(&site, "many@example.net").len(),
        5 * hours.min(2),
        "{hours} hour(s)"
    );
    let mut moderator = site.browser("192.0.2.170");
    moderator.login("mod@example.org", PASSWORD);
    let first = body(&moderator.get("/sympa/modindex/news"));
    assert!(first.contains("101 messages wait"));
    assert_eq!(first.matches(r#"name="id""#).count(), 100);
    assert!(first.contains(&format!(r#"value="{}""#, ids[0])));
    assert!(!first.contains(&format!(r#"value="{}""#, ids[100])));
    assert!(first.contains("/sympa/modindex/news?offset=100"), "{first}");
    let second = body(&moderator.get("/sympa/modindex/news?offset=100"));
    assert_eq!(second.matches(r#"name="id""#).count(), 1);
    assert!(second.contains(&format!(r#"value="{}""#, ids[100])));
    assert!(!second.contains("?offset="));
    assert!(second.contains("The oldest messages"));
}

#[test]
fn distributing_by_the_link_publishes_the_post_and_queues_it_for_the_members() {
    let (_dir, site, list) = moderated("mod-distribute");
    let (id, _) = hold(
        &site,
        list,
        &mail(5, "ann@example.net", "", "distributemarker"),
    );
    let (other, _) = hold(&site, list, &mail(6, "bob@example.net", "", "allowmarker"));
    // Not in the archive while held.
    let mut reader = site.browser("192.0.2.180");
    let month = wwsympa::domain::Month::of_timestamp(
        site.store().db().held_message(id).unwrap().unwrap().held_at,
    );
    let permalink = format!("/sympa/msg/news/{month}/held5@example.net");
    assert_eq!(reader.get(&permalink).status, 404);
    let notice = mail_to(&site, "mod@example.org");
    let link = path_of(&notice[0], "/sympa/distribute/news/");
    let mut moderator = site.browser("192.0.2.181");
    moderator.get(&link);
    let done = moderator.post(&link, &[("do", "distribute")]);
    assert!(
        body(&done).contains("Distributed: the message goes to the list."),
        "{}",
        body(&done)
    );
    assert_eq!(state(&site, list, id), (Some("distributed".into()), true));
    let moved = reader.get(&permalink);
    assert_eq!(
        moved.status, 301,
        "the permalink leads to the message's page"
    );
    let page = reader.get(moved.header("Location").unwrap());
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("distributemarker"));
    let store = site.store();
    let delivery = store
        .db()
        .delivery_of(list, id)
        .unwrap()
        .expect("queued for the members");
    let counts = store.db().delivery_counts(Some(delivery)).unwrap();
    assert_eq!(
        counts.pending + counts.sending + counts.sent,
        1,
        "member@ gets it"
    );
    drop(store);
    // Distribute and always allow, from the queue page.
    let mut logged = site.browser("192.0.2.182");
    logged.login("mod@example.org", PASSWORD);
    logged.get("/sympa/modindex/news");
    logged.post(
        "/sympa/modindex/news",
        &[("id", &other.to_string()), ("do", "allow")],
    );
    assert_eq!(
        state(&site, list, other),
        (Some("distributed".into()), true)
    );
    let store = site.store();
    assert!(store.db().delivery_of(list, other).unwrap().is_some());
    assert_eq!(
        store
            .db()
            .sender_rule(list, &email("bob@example.net"))
            .unwrap(),
        Some(SenderRule::Allow)
    );
}
