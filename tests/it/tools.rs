//! The owners' tools on the web: the list's and the site's texts where they are used (mails, pages, the header and footer of distributed posts), preview, escaping and sanitizing, import, remind, viewlogs, editsubscriber and the help topics.

use wwsympa::domain::{
    AdminRole, ArchiveAccess, ListName, ListPolicy, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use wwsympa::store::{AuditQuery, NewMember};

use crate::browser::{body, Browser, Site};
use crate::subscription::{email, mail_to, outbox, PASSWORD};
use crate::support::TempDir;

const OWNER: &str = "own@example.org";
const MODERATOR: &str = "mod@example.org";
const MEMBER: &str = "sub@example.org";

/// A site with the open list `team`: an owner, a moderator and one member.
fn site(name: &str) -> (TempDir, Site) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    for account in [
        OWNER,
        MODERATOR,
        MEMBER,
        "user@example.org",
        "boss@example.org",
    ] {
        site.add_user(account, PASSWORD);
    }
    let id = site.add_list(
        "team",
        "The default description.",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Private,
            archive: ArchiveAccess::Private,
        },
    );
    let store = site.store();
    let db = store.db();
    db.add_member(id, &NewMember::new(email(MEMBER))).unwrap();
    db.add_admin(id, &email(OWNER), AdminRole::Owner, false)
        .unwrap();
    db.add_admin(id, &email(MODERATOR), AdminRole::Editor, false)
        .unwrap();
    drop(store);
    (dir, site)
}

fn logged_in<'s>(site: &'s Site, who: &str, n: u8) -> Browser<'s> {
    let mut browser = site.browser(&format!("192.0.2.{n}"));
    browser.login(who, PASSWORD);
    browser
}

/// Saves text `file` of `team` through the form.
fn save(browser: &mut Browser<'_>, file: &str, content: &str) -> wwsympa::http::Response {
    browser.get(&format!("/sympa/editfile/team/{file}"));
    browser.post(
        "/sympa/savefile/team",
        &[("file", file), ("content", content)],
    )
}

/// The saved text `file` of `team`, straight from the store.
fn stored(site: &Site, file: &str) -> Option<String> {
    let store = site.store();
    let team = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .unwrap();
    let text = store
        .db()
        .text("lists.example.org", Some(team.id), file)
        .unwrap()
        .map(|t| t.body);
    text
}

fn audit_count(site: &Site, action: &str) -> u64 {
    let store = site.store();
    let count = store
        .db()
        .audit_count(&AuditQuery {
            action: Some(action),
            ..AuditQuery::default()
        })
        .unwrap();
    count
}

#[test]
fn saved_texts_go_into_the_welcome_goodbye_and_removal_mails() {
    let (_dir, site) = site("tools-mails");
    let mut owner = logged_in(&site, OWNER, 1);
    for (file, text) in [
        ("welcome.tt2", "Please read the charter first."),
        ("bye.tt2", "Sorry to see you go."),
        ("removed.tt2", "An owner removed you."),
    ] {
        let saved = save(&mut owner, file, text);
        assert_eq!(saved.status, 303, "{file}: {}", body(&saved));
        assert_eq!(stored(&site, file).as_deref(), Some(text));
    }
    assert_eq!(audit_count(&site, "savefile"), 3);
    // An owner adds someone: the welcome mail carries the owners' text and still the facts.
    owner.get("/sympa/add/team");
    let added = owner.post("/sympa/add/team", &[("email", "new@example.org")]);
    assert_eq!(added.status, 200, "{}", body(&added));
    let welcome = mail_to(&site, "new@example.org");
    assert_eq!(welcome.len(), 1);
    assert!(
        welcome[0].contains("Please read the charter first."),
        "{}",
        welcome[0]
    );
    assert!(welcome[0].contains("You are subscribed with the address new@example.org"));
    assert!(welcome[0].contains("/oneclick/team/"));
    // The member leaves by themselves: bye.tt2; an owner removes someone: removed.tt2.
    let mut member = logged_in(&site, MEMBER, 2);
    member.get("/sympa/signoff/team");
    let left = member.post("/sympa/signoff/team", &[]);
    assert!(left.status < 400, "{}", body(&left));
    let bye = mail_to(&site, MEMBER);
    assert_eq!(bye.len(), 1, "{bye:?}");
    assert!(bye[0].contains("Sorry to see you go."));
    assert!(!bye[0].contains("An owner removed you."));
    owner.get("/sympa/del/team/new%40example.org");
    let removed = owner.post("/sympa/del/team", &[("email", "new@example.org")]);
    assert!(removed.status < 400, "{}", body(&removed));
    let mails = mail_to(&site, "new@example.org");
    assert_eq!(mails.len(), 2);
    assert!(mails[1].contains("An owner removed you."), "{}", mails[1]);
    assert!(!mails[1].contains("Sorry to see you go."));
}

#[test]
fn owner_texts_are_never_evaluated_as_templates() {
    let (_dir, site) = site("tools-notemplate");
    let mut owner = logged_in(&site, OWNER, 1);
    let text = "Hello {{ email }} {% if true %}YES{% endif %} {{ config.db_passwd }}";
    assert_eq!(save(&mut owner, "welcome.tt2", text).status, 303);
    owner.get("/sympa/add/team");
    owner.post("/sympa/add/team", &[("email", "new@example.org")]);
    let welcome = &mail_to(&site, "new@example.org")[0];
    assert!(welcome.contains(text), "{welcome}");
    // On the page too: `info` is shown as typed, escaped.
    assert_eq!(save(&mut owner, "info", "<b>{{ title }}</b>").status, 303);
    let page = body(&site.browser("192.0.2.9").get("/sympa/info/team"));
    assert!(
        page.contains("&lt;b&gt;{{ title }}&lt;&#x2F;b&gt;")
            || page.contains("&lt;b&gt;{{ title }}&lt;/b&gt;"),
        "{page}"
    );
    assert!(!page.contains("<b>{{"));
}

#[test]
fn the_info_page_shows_the_description_or_the_sanitized_homepage() {
    let (_dir, site) = site("tools-info");
    let mut owner = logged_in(&site, OWNER, 1);
    let mut visitor = site.browser("192.0.2.9");
    assert!(body(&visitor.get("/sympa/info/team")).contains("The default description."));
    // The cached anonymous page changes with the text.
    assert_eq!(
        save(&mut owner, "info", "Our own words\non two lines.").status,
        303
    );
    let page = body(&visitor.get("/sympa/info/team"));
    assert!(
        page.contains("Our own words<br>on two lines.")
            || page.contains("Our own words<br />on two lines."),
        "{page}"
    );
    assert!(!page.contains("The default description."));
    let html = r#"<p>Hello <b>all</b> <a href="https://example.org/charter">charter</a></p><script>alert(1)</script><img src="http://tracker.example/p.gif" alt="logo"><form action="/x"><input name="q"></form><a href="javascript:alert(2)">js</a>"#;
    assert_eq!(save(&mut owner, "homepage", html).status, 303);
    let page = body(&visitor.get("/sympa/info/team"));
    assert!(page.contains("Hello <b>all</b>"), "{page}");
    assert!(page.contains("https://example.org/charter"));
    assert!(!page.contains("alert(1)"), "{page}");
    assert!(!page.contains("tracker.example"));
    assert!(!page.contains("<form action=\"/x\""));
    assert!(!page.contains("javascript:"));
    assert!(
        !page.contains("Our own words"),
        "the homepage replaces the description"
    );
    // An empty text brings the default back.
    assert_eq!(save(&mut owner, "homepage", "").status, 303);
    assert_eq!(stored(&site, "homepage"), None);
    assert!(body(&visitor.get("/sympa/info/team")).contains("Our own words"));
}

#[test]
fn preview_shows_the_mail_and_saves_nothing() {
    let (_dir, site) = site("tools-preview");
    let mut owner = logged_in(&site, OWNER, 1);
    owner.get("/sympa/editfile/team/welcome.tt2");
    let preview = owner.post(
        "/sympa/savefile/team",
        &[
            ("file", "welcome.tt2"),
            ("content", "Read <this> & {{ that }}"),
            ("preview", "1"),
        ],
    );
    assert_eq!(preview.status, 200);
    let page = body(&preview);
    assert!(
        page.contains("Read &lt;this&gt; &amp; {{ that }}"),
        "{page}"
    );
    assert!(
        page.contains("You are subscribed with the address own@example.org"),
        "{page}"
    );
    assert_eq!(stored(&site, "welcome.tt2"), None);
    assert_eq!(audit_count(&site, "savefile"), 0);
    assert!(outbox(&site).is_empty(), "a preview sends nothing");
    // A footer's preview: around a sample message.
    let preview = owner.post(
        "/sympa/savefile/team",
        &[
            ("file", "message_footer"),
            ("content", "-- the footer"),
            ("preview", "1"),
        ],
    );
    assert!(body(&preview).contains("-- the footer"));
    assert_eq!(stored(&site, "message_footer"), None);
}

#[test]
fn bad_texts_are_refused_next_to_the_field_and_unknown_names_are_404() {
    let (_dir, site) = site("tools-bad");
    let mut owner = logged_in(&site, OWNER, 1);
    let big = "x".repeat(64 * 1024 + 1);
    let refused = save(&mut owner, "info", &big);
    assert_eq!(refused.status, 422);
    let page = body(&refused);
    assert!(
        page.contains("f-content-error"),
        "the reason is next to the field"
    );
    assert!(page.contains("64 KiB"));
    assert_eq!(stored(&site, "info"), None);
    let refused = save(&mut owner, "info", "an escape \u{1b}[31m here");
    assert_eq!(refused.status, 422);
    assert!(body(&refused).contains("an escape"), "the text is kept");
    assert!(body(&refused).contains("control characters"));
    assert_eq!(stored(&site, "info"), None);
    for bogus in ["../../etc/passwd", "welcome", "config", "helpfile"] {
        let got = owner.get(&format!(
            "/sympa/editfile/team/{}",
            bogus.replace('/', "%2F")
        ));
        assert_eq!(got.status, 404, "{bogus}");
        let got = owner.post("/sympa/savefile/team", &[("file", bogus), ("content", "x")]);
        assert_eq!(got.status, 404, "{bogus}");
    }
    // Exactly 64 KiB is fine.
    assert_eq!(save(&mut owner, "info", &"y".repeat(64 * 1024)).status, 303);
    // A member, a moderator may not write the texts.
    for (who, n) in [(MEMBER, 2), (MODERATOR, 3)] {
        let mut browser = logged_in(&site, who, n);
        browser.get("/sympa/my");
        let denied = browser.post(
            "/sympa/savefile/team",
            &[("file", "info"), ("content", "hacked")],
        );
        assert_eq!(denied.status, 403, "{who}");
    }
    assert_eq!(stored(&site, "info"), Some("y".repeat(64 * 1024)));
}

#[test]
fn the_site_texts_are_the_listmasters() {
    let (_dir, site) = site("tools-site");
    let mut boss = logged_in(&site, "boss@example.org", 1);
    let index = boss.get("/sympa/editfile");
    assert_eq!(index.status, 200);
    assert!(body(&index).contains("helpfile"));
    boss.get("/sympa/editfile?file=homepage");
    let saved = boss.post(
        "/sympa/savefile",
        &[
            ("file", "homepage"),
            (
                "content",
                "<p>Welcome to <em>our</em> lists</p><script>x()</script>",
            ),
        ],
    );
    assert_eq!(saved.status, 303, "{}", body(&saved));
    boss.post(
        "/sympa/savefile",
        &[
            ("file", "helpfile"),
            ("content", "Call the help desk on 555 0100."),
        ],
    );
    let mut visitor = site.browser("192.0.2.9");
    let home = body(&visitor.get("/sympa/"));
    assert!(home.contains("Welcome to <em>our</em> lists"), "{home}");
    assert!(!home.contains("x()"));
    let help = body(&visitor.get("/sympa/help"));
    assert!(help.contains("Call the help desk on 555 0100."), "{help}");
    // An owner may not.
    let mut owner = logged_in(&site, OWNER, 2);
    assert_eq!(owner.get("/sympa/editfile").status, 403);
    let denied = owner.post(
        "/sympa/savefile",
        &[("file", "helpfile"), ("content", "hacked")],
    );
    assert_eq!(denied.status, 403);
    assert!(!body(&visitor.get("/sympa/help")).contains("hacked"));
}

#[test]
fn import_reports_every_line() {
    let (_dir, site) = site("tools-import");
    let mut owner = logged_in(&site, OWNER, 1);
    owner.get("/sympa/add_request/team");
    let paste = format!(
        "ann@example.org Ann Smith\n\n# a comment\n{MEMBER}\nnot an address\n\"Smith, Bob\" <bob@example.org>\ncy@example.org,Cy\nANN@example.org again\n"
    );
    let done = owner.post(
        "/sympa/import/team",
        &[("text", paste.as_str()), ("quiet", "1")],
    );
    assert_eq!(done.status, 200, "{}", body(&done));
    let page = body(&done);
    assert!(page.contains("3 addresses added."), "{page}");
    assert!(page.contains("1 address was a member already"), "{page}");
    assert!(page.contains("2 lines refused."), "{page}");
    assert!(page.contains("<td>5</td><td>not an address</td>"), "{page}");
    assert!(
        page.contains("<td>8</td>"),
        "the repeated address's line: {page}"
    );
    let store = site.store();
    let team = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .unwrap();
    let bob = store
        .db()
        .member(team.id, &email("bob@example.org"))
        .unwrap()
        .unwrap();
    assert_eq!(bob.name, "Smith, Bob");
    assert_eq!(store.db().member_count(team.id).unwrap(), 4);
    assert!(outbox(&site).is_empty(), "quiet: no welcome mail");
    assert_eq!(audit_count(&site, "import"), 3, "one audit row per address");
    // Without quiet, each new member is welcomed.
    owner.post("/sympa/import/team", &[("text", "dee@example.org Dee")]);
    assert_eq!(mail_to(&site, "dee@example.org").len(), 1);
}

#[test]
fn a_paste_of_ten_thousand_lines_is_imported_in_one_request() {
    let (_dir, site) = site("tools-import-big");
    let mut owner = logged_in(&site, OWNER, 1);
    owner.get("/sympa/import/team");
    let paste: String = (0..10_000)
        .map(|i| format!("member{i:05}@example.org Member Number {i}\n"))
        .collect();
    assert!(paste.len() > 400_000);
    let done = owner.post(
        "/sympa/import/team",
        &[("text", paste.as_str()), ("quiet", "1")],
    );
    assert_eq!(done.status, 200);
    assert!(
        body(&done).contains("10,000 addresses added."),
        "{}",
        body(&done)
    );
    assert_eq!(crate::subscription::member_count(&site, "team"), 10_001);
    // One line more than the limit is refused whole.
    let too_many: String = (0..10_001).map(|i| format!("x{i}@example.org\n")).collect();
    let refused = owner.post(
        "/sympa/import/team",
        &[("text", too_many.as_str()), ("quiet", "1")],
    );
    assert_eq!(refused.status, 422);
    assert_eq!(crate::subscription::member_count(&site, "team"), 10_001);
}

#[test]
fn remind_queues_one_mail_per_member_and_refuses_a_second_too_soon() {
    let (_dir, site) = site("tools-remind");
    let mut owner = logged_in(&site, OWNER, 1);
    owner.get("/sympa/import/team");
    owner.post(
        "/sympa/import/team",
        &[("text", "a@example.org\nb@example.org"), ("quiet", "1")],
    );
    assert_eq!(
        save(&mut owner, "remind.tt2", "Our charter: be kind.").status,
        303
    );
    let confirm = owner.get("/sympa/remind/team");
    assert_eq!(confirm.status, 200);
    assert!(body(&confirm).contains("Send the reminder to 3 members"));
    assert!(outbox(&site).is_empty(), "GET only asks");
    let sent = owner.post("/sympa/remind/team", &[]);
    assert_eq!(sent.status, 200, "{}", body(&sent));
    assert!(body(&sent).contains("on its way to 3 members"));
    for address in [MEMBER, "a@example.org", "b@example.org"] {
        let mails = mail_to(&site, address);
        assert_eq!(mails.len(), 1, "{address}");
        assert!(
            mails[0].contains(&format!("with the address {address}")),
            "{}",
            mails[0]
        );
        assert!(mails[0].contains("Our charter: be kind."));
        assert!(mails[0].contains("/oneclick/team/"));
        assert!(mails[0].contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    }
    assert_eq!(outbox(&site).len(), 3);
    let again = owner.post("/sympa/remind/team", &[]);
    assert_eq!(again.status, 429);
    assert!(
        body(&again).contains("less than 24 hours ago"),
        "{}",
        body(&again)
    );
    assert_eq!(outbox(&site).len(), 3, "nothing more queued");
    assert_eq!(audit_count(&site, "remind"), 1);
}

#[test]
fn viewlogs_filters_by_action_address_actor_and_date() {
    let (_dir, site) = site("tools-logs");
    let mut owner = logged_in(&site, OWNER, 1);
    owner.get("/sympa/import/team");
    owner.post(
        "/sympa/import/team",
        &[("text", "ann@example.org\nbob@example.org"), ("quiet", "1")],
    );
    save(&mut owner, "info", "Words.");
    let mut moderator = logged_in(&site, MODERATOR, 2);
    let all = body(&moderator.get("/sympa/viewlogs/team"));
    assert!(all.contains("3 entries"), "{all}");
    let imports = body(&moderator.get("/sympa/viewlogs/team?type=import"));
    assert!(imports.contains("2 entries"), "{imports}");
    assert!(!imports.contains("<td>savefile</td>"), "{imports}");
    assert!(all.contains("<td>savefile</td>"));
    let ann = body(&moderator.get("/sympa/viewlogs/team?target=ANN%40example"));
    assert!(ann.contains("1 entry"), "{ann}");
    assert!(ann.contains("ann@example.org"));
    assert!(!ann.contains(">bob@example.org<"));
    let by_owner = body(&moderator.get("/sympa/viewlogs/team?actor=own%40"));
    assert!(by_owner.contains("3 entries"), "{by_owner}");
    let by_member = body(&moderator.get("/sympa/viewlogs/team?actor=sub%40"));
    assert!(by_member.contains("Nothing in the log matches."));
    let old = body(&moderator.get("/sympa/viewlogs/team?date_to=2000-01-01"));
    assert!(old.contains("Nothing in the log matches."), "{old}");
    let today = body(&moderator.get("/sympa/viewlogs/team?date_from=2000-01-01"));
    assert!(today.contains("3 entries"));
    let bad = moderator.get("/sympa/viewlogs/team?date_from=yesterday");
    assert_eq!(bad.status, 422);
    // Paging: one row a page, newest first.
    let first = body(&moderator.get("/sympa/viewlogs/team/1/1"));
    assert!(first.contains("savefile"), "{first}");
    assert!(first.contains("Page 1 of 3"));
    // A member may not read it.
    let mut member = logged_in(&site, MEMBER, 3);
    assert_eq!(member.get("/sympa/viewlogs/team").status, 403);
}

#[test]
fn viewlogs_shows_and_filters_client_addresses_for_owners_only() {
    let (_dir, site) = site("tools-logs-ip");
    let mut owner = logged_in(&site, OWNER, 1);
    assert_eq!(save(&mut owner, "info", "Words.").status, 303);
    let mut far = site.browser("2001:db8::5");
    far.login(OWNER, PASSWORD);
    assert_eq!(save(&mut far, "homepage", "More words.").status, 303);
    // A row from the shell carries no address.
    site.db.execute(
        "INSERT INTO audit_log (at, actor, remote_addr, channel, action, list_id, target, detail)
         SELECT 1, NULL, NULL, 'cli', 'add', id, 'cli@example.org', '{}' FROM lists WHERE name = 'team'",
        &[],
    );
    let all = body(&owner.get("/sympa/viewlogs/team"));
    assert!(all.contains("3 entries"), "{all}");
    assert!(all.contains("web 192.0.2.1<"), "{all}");
    assert!(all.contains("web 2001:db8::5<"), "{all}");
    assert!(all.contains(r#"name="remote_addr""#));
    let count = |browser: &mut Browser<'_>, query: &str| {
        let page = browser.get(&format!("/sympa/viewlogs/team?remote_addr={query}"));
        assert_eq!(page.status, 200, "{query}: {}", body(&page));
        let html = body(&page);
        if html.contains("Nothing in the log matches.") {
            0
        } else if html.contains("1 entry,") {
            1
        } else {
            panic!("{query}: {html}")
        }
    };
    assert_eq!(count(&mut owner, "192.0.2.1"), 1);
    assert_eq!(count(&mut owner, "192.0.2."), 1);
    assert_eq!(
        count(&mut owner, "192.0.2.10"),
        0,
        "an address is matched whole"
    );
    assert_eq!(count(&mut owner, "192.0.3."), 0);
    assert_eq!(count(&mut owner, "2001%3ADB8%3A"), 1);
    assert_eq!(count(&mut owner, "2001%3Adb8%3A0%3A0%3A0%3A0%3A0%3A5"), 1);
    // Neither an address nor a prefix: said next to the field, the value kept.
    let bad = owner.get("/sympa/viewlogs/team?remote_addr=192.0.2%25");
    assert_eq!(bad.status, 422);
    let html = body(&bad);
    assert!(html.contains("Give a whole IP address"), "{html}");
    assert!(html.contains(r#"value="192.0.2%""#), "{html}");
    assert!(html.contains(r#"id="f-remote_addr-error""#), "{html}");
    // A moderator reads the log without the addresses, and may not search by them.
    let mut moderator = logged_in(&site, MODERATOR, 2);
    let page = body(&moderator.get("/sympa/viewlogs/team"));
    assert!(page.contains("3 entries"), "{page}");
    assert!(!page.contains("192.0.2.1"), "{page}");
    assert!(!page.contains("2001:db8::5"), "{page}");
    assert!(!page.contains(r#"name="remote_addr""#));
    let probe = moderator.get("/sympa/viewlogs/team?remote_addr=192.0.2.");
    assert_eq!(probe.status, 403);
    assert!(!body(&probe).contains("1 entry"));
}

#[test]
fn editsubscriber_shows_a_members_details_and_history() {
    let (_dir, site) = site("tools-member");
    let mut owner = logged_in(&site, OWNER, 1);
    owner.get("/sympa/add/team");
    owner.post(
        "/sympa/add/team",
        &[("email", "ann@example.org <b>Ann</b>"), ("quiet", "1")],
    );
    let page = owner.get("/sympa/editsubscriber/team/ann%40example.org");
    assert_eq!(page.status, 200);
    let html = body(&page);
    assert!(
        html.contains("&lt;b&gt;Ann&lt;&#x2F;b&gt;") || html.contains("&lt;b&gt;Ann&lt;/b&gt;"),
        "the name is escaped: {html}"
    );
    assert!(
        html.contains("action=\"/sympa/set/team\""),
        "owners get the form"
    );
    assert!(html.contains("add on "), "the source: {html}");
    assert!(html.contains(OWNER));
    let mut moderator = logged_in(&site, MODERATOR, 2);
    let html = body(&moderator.get("/sympa/editsubscriber/team/ann%40example.org"));
    assert!(
        !html.contains("action=\"/sympa/set/team\""),
        "moderators only look"
    );
    assert_eq!(
        moderator
            .get("/sympa/editsubscriber/team/nobody%40example.org")
            .status,
        404
    );
    let mut member = logged_in(&site, MEMBER, 3);
    assert_eq!(
        member
            .get("/sympa/editsubscriber/team/ann%40example.org")
            .status,
        403
    );
}

#[test]
fn help_topics_answer_to_sympas_names() {
    let (_dir, site) = site("tools-help");
    let mut visitor = site.browser("192.0.2.9");
    for path in [
        "/sympa/help",
        "/sympa/help/",
        "/sympa/help/admin-moderate.html",
        "/sympa/help/admin-moderate",
        "/sympa/help/user-signoff.html",
        "/sympa/help/introduction.html",
        "/sympa/help/user.html",
        "/sympa/help/admin-editfile",
        "/sympa/help/listmaster",
    ] {
        assert_eq!(visitor.get(path).status, 200, "{path}");
    }
    let moderate = body(&visitor.get("/sympa/help/admin-moderate.html"));
    assert!(moderate.contains("Moderating messages and requests"));
    assert_eq!(visitor.get("/sympa/help/no-such-topic").status, 404);
    assert_eq!(
        visitor.get("/sympa/help/..%2F..%2Fetc%2Fpasswd").status,
        404
    );
}

/// Runs a post through the sendmail transport with the list's header and footer saved, and
/// returns the copy the member got.
fn delivered_with_texts(name: &str, raw: &[u8], header: &str, footer: &str) -> String {
    use crate::distribution::{add_members, config, distribute, list, post};
    use wwsympa::domain::ReceptionMode;
    use wwsympa::mail::dmarc::Table;
    let dir = TempDir::new(name);
    let program = dir.path().join("sendmail");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        &program,
        format!("#!/bin/sh\ncat > {}/$$.eml\n", out.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let site = crate::distribution::site(
        name,
        crate::support::free_port(),
        &format!(
            "mail_transport = \"sendmail\"\nsendmail = \"{}\"\n",
            program.display()
        ),
    );
    add_members(&site, &[("a@a.example", ReceptionMode::Mail)]);
    {
        let config = config(&site);
        let templates = wwsympa::render::Templates::load(None).unwrap();
        let mut store = site.db.store();
        let team = list(&store, "team");
        let mut env = wwsympa::operations::Env::new(&mut store, &config, &templates);
        let shell = wwsympa::operations::Requester::shell();
        for (file, text) in [("message_header", header), ("message_footer", footer)] {
            wwsympa::operations::texts::save(&mut env, &shell, Some(&team), file, text).unwrap();
        }
    }
    post(&site, raw);
    let report = distribute(&site, Table(vec![]));
    assert_eq!(report.sent, 1);
    let copies: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(copies.len(), 1);
    String::from_utf8_lossy(&std::fs::read(&copies[0]).unwrap()).into_owned()
}

#[test]
fn a_plain_post_carries_the_header_and_footer_in_its_body() {
    let raw = crate::distribution::message("ann@a.example", "plain post");
    let copy = delivered_with_texts(
        "tools-footer-plain",
        &raw,
        "Read the charter.",
        "Unsubscribe: see the link — ciao",
    );
    let (head, body) = copy.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains("Content-Type: text/plain; charset=utf-8"),
        "{head}"
    );
    assert_eq!(
        body,
        "Read the charter.\r\n\r\nCaf\u{e9} for everyone.\r\n.A line with a dot.\r\n\r\nUnsubscribe: see the link — ciao\r\n"
    );
}

#[test]
fn a_multipart_or_html_post_gets_text_parts_around_it() {
    let mixed = b"From: ann@a.example\r\nTo: team@lists.example.org\r\nSubject: with a file\r\nMessage-ID: <mixed@a.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n--BB\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--BB\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--BB--\r\n";
    let copy = delivered_with_texts("tools-footer-mixed", mixed, "", "The footer.");
    let footer_part = copy.find("The footer.").expect("the footer");
    let attachment = copy.find("AAEC").unwrap();
    assert!(
        attachment < footer_part,
        "the footer part comes after the last part"
    );
    assert!(copy.contains("--BB\r\nContent-Type: text/plain; charset=\"utf-8\""));
    assert!(copy.trim_end().ends_with("--BB--"), "{copy}");

    let html = b"From: ann@a.example\r\nTo: team@lists.example.org\r\nSubject: html only\r\nMessage-ID: <html@a.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello</p>\r\n";
    let copy = delivered_with_texts("tools-footer-html", html, "The header.", "The footer.");
    let (head, body) = copy.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains("Content-Type: multipart/mixed; boundary="),
        "{head}"
    );
    let header = body.find("The header.").unwrap();
    let html_part = body.find("Content-Type: text/html; charset=utf-8").unwrap();
    let footer = body.find("The footer.").unwrap();
    assert!(header < html_part && html_part < footer, "{body}");
    assert!(body.contains("<p>Hello</p>"));
}

/// The sentences of `source`: each `t(s="…")`, and each `tn(s="…", p="…")` as its two forms.
fn sentences(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for opener in ["t(s=\"", "tn(s=\"", "p=\""] {
        let mut rest = source;
        while let Some(at) = rest.find(opener) {
            let after = &rest[at + opener.len()..];
            let end = after.find('"').unwrap();
            let before = &rest[..at];
            let is_call =
                opener == "p=\"" || !before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
            if is_call {
                found.push(after[..end].to_string());
            }
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_sentence_of_the_tools_pages_is_translated_in_french_german_and_spanish() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = [
        "web/editfile.html",
        "web/editsubscriber.html",
        "web/import.html",
        "web/remind.html",
        "web/viewlogs.html",
        "web/help.html",
        "web/text_title.html",
        "web/reception_name.html",
        "web/tools_links.html",
        "mail/remind.txt",
    ];
    let mut wanted = Vec::new();
    for page in pages {
        let source = std::fs::read_to_string(root.join("templates").join(page)).unwrap();
        wanted.extend(sentences(&source));
    }
    assert!(wanted.len() > 150, "{}", wanted.len());
    for lang in ["fr", "de", "es"] {
        let mut catalogue = String::new();
        // `lifecycle` has viewlogs' address filter.
        for domain in ["base", "tools", "lifecycle"] {
            catalogue.push_str(
                &std::fs::read_to_string(root.join(format!("po/{lang}/{domain}.po"))).unwrap(),
            );
        }
        let missing: Vec<&String> = wanted
            .iter()
            .filter(|s| {
                let quoted = s.replace('\\', "\\\\");
                !catalogue.contains(&format!("msgid \"{quoted}\"\n"))
                    && !catalogue.contains(&format!("msgid_plural \"{quoted}\"\n"))
            })
            .collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:#?}");
    }
}
