//! Regressions of the outside probe (issue 9): odd addresses, hidden characters, rate limits
//! that spared no one, revocation at a password change, exports, sessions, paths with `/`,
//! concealed lists, the pages our mail headers point to, NULs, duplicate requests, oversized
//! forms. Each through the real plain-HTTP door (`wwsympa serve --http`, on the test's own
//! database, every browser from a loopback address of its own), or the real binary.

use std::process::{Command, Stdio};

use wwsympa::domain::{ListName, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility};
use wwsympa::http::{Method, Request, Service};
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::subscription::{email, is_member, link, mail_to, member_count, site_with, PASSWORD};
use crate::support::{binary, decode_qp, TempDir};

/// Lists `open` (open, public) and `hidden` (concealed); member@ is in both, owner@ owns both;
/// served by the real HTTP door.
fn site(name: &str) -> (TempDir, Site) {
    through_the_door(site_with(
        name,
        &[
            (
                "open",
                SubscribePolicy::Open,
                UnsubscribePolicy::Open,
                ReviewPolicy::Private,
                Visibility::Noconceal,
            ),
            (
                "hidden",
                SubscribePolicy::Open,
                UnsubscribePolicy::Open,
                ReviewPolicy::Private,
                Visibility::Conceal,
            ),
        ],
    ))
}

/// Makes every browser of `site` go through a real `wwsympa serve --http`.
fn through_the_door((dir, site): (TempDir, Site)) -> (TempDir, Site) {
    site.through_http_door();
    (dir, site)
}

fn list_id(site: &Site, name: &str) -> wwsympa::domain::ListId {
    site.store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse(name).unwrap())
        .unwrap()
        .unwrap()
        .id
}

/// Rows of `table` in the site's database (counted behind the store's back).
fn rows(site: &Site, table: &str) -> i64 {
    site.db.rows(table)
}

/// Addresses with invisible, bidirectional or non-ASCII characters that the old check let through.
const HIDDEN_ADDRESSES: &[&str] = &[
    "ann\u{202e}gro.live@example.org",
    "ann\u{200b}@example.org",
    "ann@exa\u{200b}mple.org",
    "\u{feff}ann@example.org",
    "jos\u{e9}@example.org",
];

#[test]
fn addresses_with_hidden_characters_get_a_clear_refusal_everywhere() {
    let (dir, site) = site("hard-address");
    // Anonymous subscribe: a 422 with the message next to the field, never a 500.
    let mut visitor = site.browser("192.0.2.1");
    visitor.get("/sympa/subscribe/open");
    for address in HIDDEN_ADDRESSES {
        let response = visitor.post("/sympa/subscribe/open", &[("email", address)]);
        assert_eq!(response.status, 422, "{address:?}");
        assert!(body(&response).contains("This is not a valid e-mail address."));
    }
    // An owner's add: reported as invalid, nobody added.
    let mut owner = site.browser("192.0.2.2");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/add/open");
    let typed = HIDDEN_ADDRESSES.join("\n");
    let response = owner.post("/sympa/add/open", &[("email", &typed)]);
    assert_eq!(response.status, 422, "{}", body(&response));
    assert_eq!(member_count(&site, "open"), 1);
    // The shell: refused with the reason, exit status not 0.
    let config = dir.path().join("wwsympa.toml");
    std::fs::write(
        &config,
        format!("domain = 'lists.example.org'\n{}", site.db.toml()),
    )
    .unwrap();
    let output = Command::new(binary())
        .arg("--config")
        .arg(&config)
        .args(["member", "add", "open", HIDDEN_ADDRESSES[0]])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not a valid e-mail address"),
        "{output:?}"
    );
    assert_eq!(member_count(&site, "open"), 1);
}

#[test]
fn every_address_we_accept_is_one_the_mail_builder_takes() {
    // Every ASCII character, and the characters that hid before, in every position of a
    // short address: whatever `Email` accepts, lettre must accept too.
    let mut alphabet: Vec<char> = (0x20u8..0x7f).map(char::from).collect();
    alphabet.extend(['\u{202e}', '\u{200b}', '\u{e9}', '\u{0}', '\u{7f}']);
    let mut accepted = 0;
    for a in &alphabet {
        for template in [
            "{}x@example.org",
            "x{}x@example.org",
            "x@ex{}ample.org",
            "x@example.o{}",
        ] {
            let text = template.replace("{}", &a.to_string());
            if let Ok(address) = wwsympa::domain::Email::parse(&text) {
                accepted += 1;
                let mailable: Result<lettre::Address, _> = address.as_str().parse();
                assert!(mailable.is_ok(), "{text:?} accepted but not mailable");
            }
        }
    }
    assert!(
        accepted > 150,
        "the check accepts ordinary addresses: {accepted}"
    );
}

#[test]
fn hidden_characters_and_markup_in_stored_names_are_shown_neutralised() {
    let (_dir, site) = site("hard-names");
    // Stored before the check existed (an old import): a reversing override and markup.
    let mut planted = NewMember::new(email("planted@example.org"));
    planted.name = "Ann\u{202e}gro.live <x\"> {{ user }}".into();
    site.store()
        .db()
        .add_member(list_id(&site, "open"), &planted)
        .unwrap();
    let mut owner = site.browser("192.0.2.2");
    owner.login("owner@example.org", PASSWORD);
    let html = body(&owner.get("/sympa/review/open"));
    assert!(
        html.contains("Ann\u{fffd}gro.live &lt;x&quot;&gt; {{ user }}"),
        "{html}"
    );
    assert!(!html.contains('\u{202e}'));
    // Typed now, the same name is refused with a clear message.
    let mut visitor = site.browser("192.0.2.3");
    visitor.get("/sympa/subscribe/open");
    let response = visitor.post(
        "/sympa/subscribe/open",
        &[
            ("email", "new@example.org"),
            ("gecos", "Ann\u{202e}gro.live"),
        ],
    );
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("visible characters only"));
}

#[test]
fn a_password_change_ends_other_sessions_and_older_reset_links() {
    let (_dir, site) = site("hard-revoke");
    // A session opened before, elsewhere.
    let mut elsewhere = site.browser("198.51.100.9");
    elsewhere.login("member@example.org", PASSWORD);
    assert_eq!(elsewhere.get("/sympa/pref").status, 200);
    // Two reset mails; the second is used to choose a new password.
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/renewpasswd");
    for _ in 0..2 {
        let response = browser.post("/sympa/requestpasswd", &[("email", "member@example.org")]);
        assert_eq!(response.status, 200);
    }
    let tickets: Vec<String> = mail_to(&site, "member@example.org")
        .iter()
        .map(|m| link(m, "http://lists.example.org/sympa/ticket/"))
        .collect();
    assert_eq!(tickets.len(), 2);
    browser.get(&tickets[1]);
    assert_eq!(browser.post(&tickets[1], &[]).status, 303);
    browser.get("/sympa/choosepasswd");
    let response = browser.post(
        "/sympa/choosepasswd",
        &[
            ("newpasswd1", "a brand new secret"),
            ("newpasswd2", "a brand new secret"),
        ],
    );
    assert_eq!(response.status, 303, "{}", body(&response));
    // The changer goes on, in a fresh session.
    assert_eq!(browser.get("/sympa/pref").status, 200);
    // The other session is over, and the older link no longer logs in.
    assert_eq!(elsewhere.get("/sympa/pref").status, 303);
    let mut thief = site.browser("203.0.113.5");
    assert_eq!(thief.get(&tickets[0]).status, 410);
    thief.get("/sympa/login");
    assert_eq!(thief.post(&tickets[0], &[]).status, 410);
    assert_eq!(thief.get("/sympa/pref").status, 303);
    // The new password works, the old one does not.
    site.browser("192.0.2.7")
        .login("member@example.org", "a brand new secret");
    let mut old = site.browser("192.0.2.8");
    old.get("/sympa/login");
    let response = old.post(
        "/sympa/login",
        &[("email", "member@example.org"), ("passwd", PASSWORD)],
    );
    assert_eq!(response.status, 422);
}

#[test]
fn member_exports_defuse_formulas_in_every_column() {
    let (_dir, site) = site("hard-export");
    let mut formula = NewMember::new(email("=cmd|'/c!a0@example.org"));
    formula.name = "+SUM(1;2)".into();
    site.store()
        .db()
        .add_member(list_id(&site, "open"), &formula)
        .unwrap();
    let mut owner = site.browser("192.0.2.2");
    owner.login("owner@example.org", PASSWORD);
    for format in ["full", "light"] {
        let csv = body(&owner.get(&format!("/sympa/export_member/open/{format}")));
        let line = csv
            .lines()
            .find(|l| l.contains("cmd|"))
            .unwrap_or_else(|| panic!("{csv}"));
        assert!(line.starts_with("'=cmd|"), "{format}: {line}");
        if format == "full" {
            assert!(line.contains(",'+SUM(1;2),"), "{line}");
        }
    }
}

#[test]
fn anonymous_pages_with_forms_leave_no_session_rows() {
    let (_dir, site) = site("hard-sessions");
    for i in 0..100 {
        // A new visitor each time, as a crawler is.
        let mut visitor = site.browser("192.0.2.1");
        let page = if i % 2 == 0 {
            visitor.get("/sympa/login")
        } else {
            visitor.get("/sympa/subscribe/open")
        };
        assert_eq!(page.status, 200);
    }
    assert_eq!(rows(&site, "sessions"), 0);
    // The form still works: its token comes with the CSRF cookie.
    let mut visitor = site.browser("192.0.2.1");
    visitor.get("/sympa/subscribe/open");
    let response = visitor.post("/sympa/subscribe/open", &[("email", "new@example.org")]);
    assert_eq!(response.status, 200, "{}", body(&response));
    // Without the cookie, the same token is refused.
    let token = visitor.last_csrf.clone().unwrap();
    let mut stranger = site.browser("192.0.2.2");
    let forged = stranger.post_raw(
        "/sympa/subscribe/open",
        &[("email", "new2@example.org"), ("csrf_token", &token)],
    );
    assert_eq!(forged.status, 403);
}

#[test]
fn addresses_with_a_slash_keep_working_links() {
    let (_dir, site) = site("hard-slash");
    site.store()
        .db()
        .add_member(
            list_id(&site, "open"),
            &NewMember::new(email("a/b@example.org")),
        )
        .unwrap();
    let mut owner = site.browser("192.0.2.2");
    owner.login("owner@example.org", PASSWORD);
    let html = body(&owner.get("/sympa/review/open"));
    for action in ["set", "del"] {
        let prefix = format!("/sympa/{action}/open/");
        let start = html.find(&format!("\"{prefix}a%2Fb")).expect(&html) + 1;
        let end = start + html[start..].find('"').unwrap();
        let href = &html[start..end];
        let page = owner.get(href);
        assert_eq!(page.status, 200, "{href}: {}", body(&page));
        assert!(body(&page).contains("a/b@example.org"), "{href}");
    }
    // The removal link removes that member.
    owner.get("/sympa/del/open/a%2Fb%40example.org");
    let response = owner.post("/sympa/del/open/a%2Fb%40example.org", &[("quiet", "on")]);
    assert!(response.status < 400, "{}", body(&response));
    assert!(!is_member(&site, "open", "a/b@example.org"));
}

#[test]
fn concealed_lists_are_listed_for_those_who_may_see_them() {
    let (_dir, site) = site("hard-conceal");
    let listed = |browser: &mut crate::browser::Browser<'_>| {
        body(&browser.get("/sympa/lists")).contains("/sympa/info/hidden")
    };
    assert!(!listed(&mut site.browser("192.0.2.1")), "anonymous");
    let mut other = site.browser("192.0.2.2");
    other.login("other@example.org", PASSWORD);
    assert!(!listed(&mut other), "a user with no role");
    for who in ["member@example.org", "owner@example.org"] {
        let mut browser = site.browser("192.0.2.3");
        browser.login(who, PASSWORD);
        assert!(listed(&mut browser), "{who}");
        assert!(
            body(&browser.get("/sympa/")).contains("/sympa/info/hidden"),
            "{who}: home"
        );
    }
    site.add_user("boss@example.org", PASSWORD);
    let mut boss = site.browser("192.0.2.4");
    boss.login("boss@example.org", PASSWORD);
    assert!(listed(&mut boss), "the listmaster");
}

#[test]
fn the_help_and_archive_links_of_our_mail_lead_to_pages() {
    let (_dir, site) = site("hard-links");
    let mut member = site.browser("192.0.2.1");
    member.login("member@example.org", PASSWORD);
    // A welcome mail carries both headers; follow them.
    member.get("/sympa/signoff/open");
    member.post("/sympa/signoff/open", &[]);
    member.get("/sympa/subscribe/open");
    member.post("/sympa/subscribe/open", &[]);
    let welcome = mail_to(&site, "member@example.org")
        .into_iter()
        .find(|m| m.contains("List-Archive:"))
        .expect("a list mail");
    for header in ["List-Help:", "List-Archive:"] {
        let line = welcome.lines().find(|l| l.starts_with(header)).unwrap();
        let url = line
            .split('<')
            .nth(1)
            .and_then(|u| u.split('>').next())
            .unwrap();
        let path = url.strip_prefix("http://lists.example.org").unwrap();
        let page = member.get(path);
        assert_eq!(page.status, 200, "{header} {path}");
    }
    // The archive page follows the list's archive rule: not for anonymous visitors here.
    assert_eq!(site.browser("192.0.2.9").get("/sympa/arc/open").status, 303);
    assert!(body(&site.browser("192.0.2.9").get("/sympa/help")).contains("LIST-request@"));
}

#[test]
fn a_nul_in_the_query_is_refused_not_echoed() {
    let (_dir, site) = site("hard-nul");
    let mut visitor = site.browser("192.0.2.1");
    let response = visitor.get("/sympa/subscribe/open?email=a%00b%40example.org");
    assert_eq!(response.status, 400);
    assert!(!body(&response).contains('\u{0}'));
}

#[test]
fn repeated_anonymous_requests_leave_one_held_request_and_one_mail() {
    let (_dir, site) = through_the_door(site_with(
        "hard-dup",
        &[(
            "auth",
            SubscribePolicy::Auth,
            UnsubscribePolicy::Auth,
            ReviewPolicy::Private,
            Visibility::Noconceal,
        )],
    ));
    let mut visitor = site.browser("192.0.2.1");
    visitor.get("/sympa/subscribe/auth");
    for _ in 0..4 {
        let response = visitor.post("/sympa/subscribe/auth", &[("email", "victim@example.org")]);
        assert_eq!(response.status, 200);
    }
    assert_eq!(rows(&site, "pending_requests"), 1);
    let mails = mail_to(&site, "victim@example.org");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("within 48 hours"), "{}", mails[0]);
    // Asked again more than an hour later: the same request, renewed, with a new link.
    site.db.execute(
        "UPDATE pending_requests SET created_at = created_at - 3601",
        &[],
    );
    let response = visitor.post("/sympa/subscribe/auth", &[("email", "victim@example.org")]);
    assert_eq!(response.status, 200);
    assert_eq!(rows(&site, "pending_requests"), 1);
    let mails = mail_to(&site, "victim@example.org");
    assert_eq!(mails.len(), 2, "a new mail after the hour");
    assert_ne!(
        link(&mails[0], "http://lists.example.org/sympa/auth/"),
        link(&mails[1], "http://lists.example.org/sympa/auth/")
    );
}

#[test]
fn others_cannot_rate_limit_a_members_own_unsubscription() {
    crate::support::in_one_window(3600);
    let (_dir, site) = site("hard-victim");
    let mut attacker = site.browser("203.0.113.1");
    attacker.get("/sympa/signoff/open");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = attacker.post("/sympa/signoff/open", &[("email", "member@example.org")]);
        statuses.push(response.status);
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 429],
        "the attacker is slowed"
    );
    // The victim, logged in, leaves at once.
    let mut victim = site.browser("198.51.100.1");
    victim.login("member@example.org", PASSWORD);
    victim.get("/sympa/signoff/open");
    let response = victim.post("/sympa/signoff/open", &[]);
    assert_eq!(response.status, 303, "{}", body(&response));
    assert!(!is_member(&site, "open", "member@example.org"));
    // At most one confirmation mail reached the victim.
    let confirmations = mail_to(&site, "member@example.org")
        .iter()
        .filter(|m| decode_qp(m).contains("/sympa/auth/"))
        .count();
    assert_eq!(confirmations, 1);
}

#[test]
fn one_client_asking_for_many_addresses_gets_429() {
    let (_dir, site) = site("hard-sub-client");
    let mut bot = site.browser("203.0.113.2");
    bot.get("/sympa/subscribe/open");
    let statuses: Vec<u16> = (0..21)
        .map(|i| {
            bot.post(
                "/sympa/subscribe/open",
                &[("email", &format!("target{i}@example.org"))],
            )
            .status
        })
        .collect();
    assert!(statuses[..20].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[20], 429);
    // Another client is not slowed.
    let mut other = site.browser("203.0.113.3");
    other.get("/sympa/subscribe/open");
    let response = other.post("/sympa/subscribe/open", &[("email", "someone@example.org")]);
    assert_eq!(response.status, 200);
}

#[test]
fn forms_past_the_action_limits_get_413_before_anything_is_decoded() {
    let (_dir, site) = site("hard-form");
    let mut visitor = site.browser("192.0.2.1");
    visitor.get("/sympa/login");
    let token = visitor.last_csrf.clone().unwrap();
    // 2.7 million empty-valued fields, as the probe sent.
    let mut flood = format!("csrf_token={token}&email=a%40b.org&passwd=x");
    flood.push_str(&"&a=".repeat(2_700_000));
    let response = visitor.post_bytes("/sympa/login", flood.as_bytes());
    assert_eq!(response.status, 413);
    // Past the action's body limit, whatever the fields.
    let long = format!("csrf_token={token}&email={}", "a".repeat(20_000));
    assert_eq!(
        visitor.post_bytes("/sympa/login", long.as_bytes()).status,
        413
    );
    // The doors ask the application for the limit before reading a body.
    let login = Request::parse_target(Method::Post, "/sympa/login").unwrap();
    assert_eq!(site.app.body_limit(&login), Some(16 * 1024));
    let add = Request::parse_target(Method::Post, "/sympa/add/open").unwrap();
    assert!(site.app.body_limit(&add) >= Some(1024 * 1024));
    // An owner's bulk add of a thousand addresses still fits.
    let mut owner = site.browser("192.0.2.2");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/add/open");
    let typed: Vec<String> = (0..1000)
        .map(|i| format!("bulk{i:04}@example.org Bulk Member Number {i}"))
        .collect();
    let response = owner.post(
        "/sympa/add/open",
        &[("email", &typed.join("\n")), ("quiet", "on")],
    );
    assert_eq!(response.status, 200, "{}", body(&response));
    assert_eq!(member_count(&site, "open"), 1001);
}

#[test]
fn one_client_asking_password_mails_for_many_addresses_gets_429() {
    let (_dir, site) = site("hard-passwd-client");
    let mut bot = site.browser("203.0.113.4");
    bot.get("/sympa/renewpasswd");
    let statuses: Vec<u16> = (0..11)
        .map(|i| {
            bot.post(
                "/sympa/requestpasswd",
                &[("email", &format!("target{i}@example.org"))],
            )
            .status
        })
        .collect();
    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[10], 429);
    assert_eq!(site.store().db().outbox_counts().unwrap().pending, 10);
}

/// A name and a subject that would break out of an attribute, open a tag, be taken for a
/// template, or reverse what follows them.
const HOSTILE: &str = "<x\"> {{ title }} '\u{202e}evil";
/// How every page must show [`HOSTILE`]: escaped, literal, neutralised.
const HOSTILE_SHOWN: &str = "&lt;x&quot;&gt; {{ title }} &#39;\u{fffd}evil";

#[test]
fn hostile_names_and_subjects_are_inert_on_every_page_that_shows_them() {
    let (_dir, site) = through_the_door(site_with(
        "hard-hostile",
        &[(
            "held",
            SubscribePolicy::Owner,
            UnsubscribePolicy::Owner,
            ReviewPolicy::Private,
            Visibility::Noconceal,
        )],
    ));
    let list = list_id(&site, "held");
    let db = &site.db;
    db.execute(
        "UPDATE lists SET subject = ?1, description = ?1 WHERE id = ?2",
        &[HOSTILE.into(), list.0.into()],
    );
    db.execute(
        "UPDATE users SET name = ?1 WHERE email = 'owner@example.org'",
        &[HOSTILE.into()],
    );
    db.execute(
        "UPDATE list_admins SET name = ?1 WHERE email = 'owner@example.org'",
        &[HOSTILE.into()],
    );
    let mut hostile = NewMember::new(email("hostile@example.org"));
    hostile.name = HOSTILE.into();
    site.store().db().add_member(list, &hostile).unwrap();
    // A held request whose name is the hostile one (typed before names were checked).
    let mut asker = site.browser("192.0.2.20");
    asker.login("other@example.org", PASSWORD);
    asker.get("/sympa/subscribe/held");
    asker.post("/sympa/subscribe/held", &[("gecos", "Placeholder")]);
    let renamed = db.execute_each(
        "UPDATE pending_requests SET data = json_set(data, '$.name', ?1)",
        "UPDATE pending_requests SET data = jsonb_set(data::jsonb, '{name}', to_jsonb($1::text))::text",
        &[HOSTILE.into()],
    );
    assert!(renamed >= 1, "the held request");

    let mut owner = site.browser("192.0.2.21");
    owner.login("owner@example.org", PASSWORD);
    let mut member = site.browser("192.0.2.22");
    member.login("member@example.org", PASSWORD);
    let mut checked = 0;
    for (who, path) in [
        ("owner", "/sympa/"),
        ("owner", "/sympa/lists"),
        ("owner", "/sympa/info/held"),
        ("owner", "/sympa/my"),
        ("owner", "/sympa/review/held"),
        ("owner", "/sympa/search/held/hostile"),
        ("owner", "/sympa/subindex/held"),
        ("owner", "/sympa/set/held/hostile%40example.org"),
        ("owner", "/sympa/pref"),
        ("owner", "/sympa/review/held/owner"),
        ("member", "/sympa/suboptions/held"),
        ("member", "/sympa/info/held"),
        ("member", "/sympa/arc/held"),
    ] {
        let browser = if who == "owner" {
            &mut owner
        } else {
            &mut member
        };
        let page = browser.get(path);
        assert_eq!(page.status, 200, "{who} {path}");
        let html = body(&page);
        assert!(!html.contains("<x\""), "{path}: raw markup\n{html}");
        assert!(!html.contains('\u{202e}'), "{path}: a live override");
        if html.contains("evil") {
            assert!(
                html.contains(HOSTILE_SHOWN),
                "{path}: not shown as expected\n{html}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "the hostile text was shown on {checked} pages only"
    );
}

/// Every page of `app` answers 503 with `Retry-After`, never an empty page.
fn assert_every_page_is_a_503(app: &wwsympa::web::App) {
    for target in [
        "/sympa/",
        "/sympa/lists",
        "/sympa/info/news",
        "/sympa/login",
    ] {
        let request = Request::parse_target(Method::Get, target).unwrap();
        let response = wwsympa::http::Service::call(app, &request);
        assert_eq!(response.status, 503, "{target}");
        assert_eq!(response.header("Retry-After"), Some("5"));
        assert!(body(&response).contains("cannot be reached"), "{target}");
    }
}

/// About SQLite itself (a file that cannot be opened): it runs on SQLite in both runs,
/// whatever `WWSYMPA_TEST_DB` selects; PostgreSQL's counterpart is the next test.
#[test]
fn an_unreachable_database_is_a_503_never_an_empty_page() {
    let dir = TempDir::new("hard-503");
    // A directory where the database file should be: it cannot be opened at all.
    let db = dir.path().join("gone.db");
    std::fs::create_dir(&db).unwrap();
    let config = wwsympa::config::Config {
        db_name: db,
        ..wwsympa::config::Config::default()
    };
    let app = wwsympa::web::App::new(wwsympa::web::State::new(config).unwrap(), None).unwrap();
    assert_every_page_is_a_503(&app);
}

/// A PostgreSQL server that does not answer (a closed loopback port: no server needed, so it
/// runs in both runs) is a 503 too.
#[test]
fn an_unreachable_postgresql_server_is_a_503_never_an_empty_page() {
    let config: wwsympa::config::Config = toml::from_str(&format!(
        "db_type = 'PostgreSQL'\ndb_host = '127.0.0.1'\ndb_port = {}\ndb_name = 'gone'\n\
         db_user = 'nobody'\ndb_passwd = 'none'\n",
        crate::support::free_port()
    ))
    .unwrap();
    let app = wwsympa::web::App::new(wwsympa::web::State::new(config).unwrap(), None).unwrap();
    assert_every_page_is_a_503(&app);
}
