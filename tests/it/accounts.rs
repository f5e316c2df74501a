//! Accounts through `web::App::call`: login, sessions and their cookies, CSRF, rate limits, password links.

use wwsympa::domain::Email;

use crate::browser::{body, csrf_in, set_cookies, Site};
use crate::support::TempDir;

const PASSWORD: &str = "correct horse battery";

fn site(name: &str) -> (TempDir, Site) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    site.add_user("joe@example.org", PASSWORD);
    (dir, site)
}

fn user_name(site: &Site, email: &str) -> String {
    site.store()
        .db()
        .user(&Email::parse(email).unwrap())
        .unwrap()
        .unwrap()
        .user
        .name
}

#[test]
fn login_changes_the_session_id_and_the_cookie_is_safe() {
    let (_dir, site) = site("acct-login");
    let mut browser = site.browser("192.0.2.1");
    let page = browser.get("/sympa/login");
    assert_eq!(page.status, 200);
    // The form's token comes from a CSRF cookie, not from a session row.
    let cookie = set_cookies(&page).pop().expect("a cookie for the form");
    assert!(cookie.starts_with("sympa_csrf="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/sympa"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains("Secure"),
        "no Secure over plain HTTP: {cookie}"
    );
    assert_eq!(browser.session(), None);
    // Logged in and out again: the visitor now holds an anonymous session id (the kept
    // "logged out" notice lives in it), the one a fixation attack would plant.
    browser.login("joe@example.org", PASSWORD);
    browser.get("/sympa/logout");
    let out = browser.post("/sympa/logout", &[]);
    let cookie = set_cookies(&out)
        .into_iter()
        .rfind(|c| c.starts_with("sympa_session=") && !c.contains("Max-Age=0"))
        .expect("an anonymous session for the notice");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/sympa"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let id = browser.session().unwrap();
    assert!(id.len() >= 22, "at least 128 bits: {id}");
    browser.get("/sympa/login");

    let response = browser.post(
        "/sympa/login",
        &[("email", "Joe@Example.org"), ("passwd", PASSWORD)],
    );
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(response.header("Location"), Some("/sympa/"));
    let rotated = browser.session().unwrap();
    assert_ne!(rotated, id, "the session id changes at login");
    let page = browser.get("/sympa/pref");
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("joe@example.org"));
    assert!(
        body(&page).contains("You are logged in."),
        "the kept notice"
    );

    // The pre-login id is dead: whoever knew it learns nothing.
    let mut old = site.browser("192.0.2.1");
    old.cookies.insert("sympa_session".into(), id);
    let page = old.get("/sympa/pref");
    assert_eq!(page.status, 303);
    assert_eq!(page.header("Location"), Some("/sympa/login/pref"));
}

#[test]
fn cookies_are_secure_under_https() {
    let (_dir, site) = site("acct-https");
    let mut browser = site.browser("192.0.2.1");
    browser.https = true;
    let cookie = set_cookies(&browser.get("/sympa/login")).pop().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[test]
fn the_cookie_domain_is_sympas_cookie_domain() {
    let (_dir, site) = site("acct-domain");
    let cookie = set_cookies(&site.browser("192.0.2.1").get("/sympa/login"))
        .pop()
        .unwrap();
    assert!(
        !cookie.contains("Domain="),
        "host-only by default: {cookie}"
    );
    let dir = TempDir::new("acct-domain-shared");
    let shared = Site::new(dir.path(), |c| {
        c.cookie_domain = Some(".example.org".into());
    });
    let cookie = set_cookies(&shared.browser("192.0.2.1").get("/sympa/login"))
        .pop()
        .unwrap();
    assert!(cookie.contains("; Domain=example.org"), "{cookie}");
}

#[test]
fn login_failures_look_the_same_for_unknown_and_known_addresses() {
    let (_dir, site) = site("acct-fail");
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/login");
    let unknown = browser.post(
        "/sympa/login",
        &[
            ("email", "nobody@example.org"),
            ("passwd", "whatever it is"),
        ],
    );
    let wrong = browser.post(
        "/sympa/login",
        &[("email", "joe@example.org"), ("passwd", "whatever it is")],
    );
    assert_eq!(unknown.status, 422);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(
        body(&unknown).replace("nobody@example.org", "X"),
        body(&wrong).replace("joe@example.org", "X"),
    );
    let html = body(&wrong);
    assert!(html.contains("Wrong e-mail address or password."));
    assert!(
        html.contains(r#"value="joe@example.org""#),
        "the typed address is kept"
    );
    assert!(
        html.contains(r#"id="f-passwd-error""#),
        "the error is next to the field"
    );
    assert!(browser.get("/sympa/pref").status == 303, "not logged in");
}

#[test]
fn posts_without_a_valid_csrf_token_change_nothing() {
    let (_dir, site) = site("acct-csrf");
    let mut browser = site.browser("192.0.2.1");
    // A token from before login: replayed after it, it belongs to a dead session.
    browser.get("/sympa/login");
    let pre_login_token = browser.last_csrf.clone().unwrap();
    browser.login("joe@example.org", PASSWORD);
    browser.get("/sympa/pref");
    let token = browser.last_csrf.clone().unwrap();
    assert_ne!(token, pre_login_token);

    let forged = "A".repeat(43);
    for fields in [
        vec![("gecos", "Mallory"), ("lang", "en")],
        vec![("gecos", "Mallory"), ("lang", "en"), ("csrf_token", "")],
        vec![
            ("gecos", "Mallory"),
            ("lang", "en"),
            ("csrf_token", &forged),
        ],
        vec![
            ("gecos", "Mallory"),
            ("lang", "en"),
            ("csrf_token", &pre_login_token),
        ],
    ] {
        let response = browser.post_raw("/sympa/pref", &fields);
        assert_eq!(response.status, 403, "{fields:?}");
        assert!(body(&response).contains("nothing was done"));
        assert_eq!(user_name(&site, "joe@example.org"), "");
    }
    // In the query string it does not count either.
    let response = browser.post_raw(
        &format!("/sympa/pref?csrf_token={token}"),
        &[("gecos", "Mallory"), ("lang", "en")],
    );
    assert_eq!(response.status, 403);
    // Another visitor's token does not work for this session.
    let mut other = site.browser("192.0.2.9");
    other.get("/sympa/login");
    let foreign = other.last_csrf.clone().unwrap();
    let response = browser.post_raw(
        "/sympa/pref",
        &[
            ("gecos", "Mallory"),
            ("lang", "en"),
            ("csrf_token", &foreign),
        ],
    );
    assert_eq!(response.status, 403);
    // Logging out needs it too.
    assert_eq!(browser.post_raw("/sympa/logout", &[]).status, 403);
    assert_eq!(browser.get("/sympa/pref").status, 200, "still logged in");

    let response = browser.post("/sympa/pref", &[("gecos", "Joe Bloggs"), ("lang", "fr")]);
    assert_eq!(response.status, 303);
    assert_eq!(user_name(&site, "joe@example.org"), "Joe Bloggs");
}

#[test]
fn anonymous_visitors_are_sent_to_login_and_back() {
    let (_dir, site) = site("acct-return");
    let mut browser = site.browser("192.0.2.1");
    let response = browser.get("/sympa/my");
    assert_eq!(response.status, 303);
    assert_eq!(response.header("Location"), Some("/sympa/login/my"));
    let page = browser.get("/sympa/login/my");
    assert!(body(&page).contains(r#"name="previous_action" value="my""#));
    let response = browser.post(
        "/sympa/login",
        &[
            ("email", "joe@example.org"),
            ("passwd", PASSWORD),
            ("previous_action", "my"),
        ],
    );
    assert_eq!(response.header("Location"), Some("/sympa/my"));
    let page = browser.get("/sympa/which");
    assert_eq!(page.status, 200, "the old name works");
    assert!(body(&page).contains("My lists"));
}

#[test]
fn logout_ends_the_session() {
    let (_dir, site) = site("acct-logout");
    let mut browser = site.browser("192.0.2.1");
    browser.login("joe@example.org", PASSWORD);
    let logged_in = browser.session().unwrap();
    // GET shows a button and logs nobody out.
    assert_eq!(browser.get("/sympa/logout").status, 200);
    assert_eq!(browser.get("/sympa/pref").status, 200);
    let response = browser.post("/sympa/logout", &[]);
    assert_eq!(response.status, 303);
    assert_ne!(browser.session().as_deref(), Some(logged_in.as_str()));
    assert_eq!(browser.get("/sympa/pref").status, 303);
    let mut old = site.browser("192.0.2.1");
    old.cookies.insert("sympa_session".into(), logged_in);
    assert_eq!(old.get("/sympa/pref").status, 303, "the old id is dead");
}

#[test]
fn login_attempts_are_limited_per_client_and_address_without_locking_the_owner_out() {
    crate::support::in_one_window(900);
    let (_dir, site) = site("acct-ratelimit");
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/login");
    for _ in 0..10 {
        let response = browser.post(
            "/sympa/login",
            &[("email", "joe@example.org"), ("passwd", "wrong password")],
        );
        assert_eq!(response.status, 422);
    }
    // The guessing client is stopped for this address, even with the right password.
    let response = browser.post(
        "/sympa/login",
        &[("email", "joe@example.org"), ("passwd", PASSWORD)],
    );
    assert_eq!(response.status, 429);
    assert!(body(&response).contains("Too many attempts"));
    // The address's owner, from another client, gets in with the right password.
    site.browser("198.51.100.7")
        .login("joe@example.org", PASSWORD);
}

#[test]
fn an_address_tried_from_many_clients_is_paced_not_locked() {
    let (_dir, site) = site("acct-pace");
    // Ten clients guess once each: the address is now under attack.
    for i in 0..10 {
        let mut guesser = site.browser(&format!("203.0.113.{}", i + 1));
        guesser.get("/sympa/login");
        let response = guesser.post(
            "/sympa/login",
            &[("email", "joe@example.org"), ("passwd", "guess")],
        );
        assert_eq!(response.status, 422, "guess {i}");
    }
    // The next check goes through (the owner gets in) ...
    site.browser("198.51.100.7")
        .login("joe@example.org", PASSWORD);
    // ... and one right after it, from yet another client, must wait a few seconds.
    let mut next = site.browser("198.51.100.8");
    next.get("/sympa/login");
    let response = next.post(
        "/sympa/login",
        &[("email", "joe@example.org"), ("passwd", PASSWORD)],
    );
    assert_eq!(response.status, 429, "{}", body(&response));
    assert!(body(&response).contains("wait a few seconds"));
    // Another address is not affected.
    let response = next.post(
        "/sympa/login",
        &[("email", "ann@example.org"), ("passwd", "x")],
    );
    assert_eq!(response.status, 422);
}

#[test]
fn login_attempts_are_rate_limited_per_client() {
    crate::support::in_one_window(900);
    let (_dir, site) = site("acct-ratelimit-client");
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/login");
    for i in 0..30 {
        let email = format!("guess{i}@example.org");
        let response = browser.post("/sympa/login", &[("email", &email), ("passwd", "x")]);
        assert_eq!(response.status, 422);
    }
    let response = browser.post(
        "/sympa/login",
        &[("email", "joe@example.org"), ("passwd", PASSWORD)],
    );
    assert_eq!(response.status, 429);
    // Another client is not affected.
    site.browser("192.0.2.2").login("joe@example.org", PASSWORD);
}

#[test]
fn requestpasswd_does_not_reveal_which_addresses_have_accounts() {
    let (_dir, site) = site("acct-requestpasswd");
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/renewpasswd");
    let known = browser.post(
        "/sympa/requestpasswd",
        &[("email", "joe@example.org"), ("reason", "renewpasswd")],
    );
    let unknown = browser.post(
        "/sympa/requestpasswd",
        &[("email", "ann@example.org"), ("reason", "renewpasswd")],
    );
    assert_eq!(known.status, 200);
    assert_eq!(unknown.status, known.status);
    assert_eq!(
        body(&known).replace("joe@example.org", "X"),
        body(&unknown).replace("ann@example.org", "X")
    );
    // Both got the same kind of mail (queued: the test's MTA port is closed).
    let counts = site.store().db().outbox_counts().unwrap();
    assert_eq!(counts.pending, 2);
}

#[test]
fn password_mails_are_limited_per_client_and_never_flood_the_address() {
    crate::support::in_one_window(900);
    let (_dir, site) = site("acct-passwd-limit");
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/renewpasswd");
    for _ in 0..3 {
        let response = browser.post("/sympa/requestpasswd", &[("email", "joe@example.org")]);
        assert_eq!(response.status, 200);
    }
    // The same client is refused a fourth.
    let response = browser.post("/sympa/requestpasswd", &[("email", "joe@example.org")]);
    assert_eq!(response.status, 429);
    assert_eq!(site.store().db().outbox_counts().unwrap().pending, 3);
    // Another client (the owner) gets the same answer as ever, but the address gets no
    // fourth mail within the hour: the three links it has still work.
    let mut owner = site.browser("198.51.100.7");
    owner.get("/sympa/renewpasswd");
    let response = owner.post("/sympa/requestpasswd", &[("email", "joe@example.org")]);
    assert_eq!(response.status, 200);
    assert_eq!(site.store().db().outbox_counts().unwrap().pending, 3);
}

#[test]
fn bad_input_gets_a_clear_message_and_changes_nothing() {
    let (_dir, site) = site("acct-bad-input");
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/renewpasswd");
    let response = browser.post("/sympa/requestpasswd", &[("email", "not an address")]);
    assert_eq!(response.status, 422);
    let html = body(&response);
    assert!(html.contains("This is not a valid e-mail address."));
    assert!(html.contains(r#"value="not an address""#), "{html}");
    let long = format!("{}@example.org", "a".repeat(5000));
    assert_eq!(
        browser
            .post("/sympa/requestpasswd", &[("email", &long)])
            .status,
        422
    );
    // Bad UTF-8 in a form.
    let token = browser.last_csrf.clone().unwrap();
    let response = browser.post_bytes(
        "/sympa/requestpasswd",
        format!("email=%FF%FE&csrf_token={token}").as_bytes(),
    );
    assert_eq!(response.status, 400);
    assert_eq!(site.store().db().outbox_counts().unwrap().pending, 0);

    browser.login("joe@example.org", PASSWORD);
    browser.get("/sympa/pref");
    let long_name = "N".repeat(151);
    let response = browser.post("/sympa/pref", &[("gecos", &long_name), ("lang", "en")]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("At most 150 characters"));
    let response = browser.post("/sympa/pref", &[("gecos", "Joe"), ("lang", "xx")]);
    assert_eq!(response.status, 422);
    assert_eq!(user_name(&site, "joe@example.org"), "");
    let response = browser.post(
        "/sympa/setpasswd",
        &[("newpasswd1", "short"), ("newpasswd2", "short")],
    );
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("at least 8 characters"));
    // The old password still works.
    site.browser("192.0.2.3").login("joe@example.org", PASSWORD);

    // A forged ticket.
    let mut anonymous = site.browser("192.0.2.4");
    let page = anonymous.get(&format!("/sympa/ticket/{}", "B".repeat(43)));
    assert_eq!(page.status, 410);
    assert!(body(&page).contains("This link is not valid"));
    assert_eq!(anonymous.get("/sympa/ticket/..%2F..").status, 410);
}

#[test]
fn a_ticket_logs_in_once_and_leads_to_choosing_a_password() {
    let (_dir, site) = site("acct-ticket");
    // The ticket as the mail would carry it: made through the operation, read from the outbox.
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/firstpasswd");
    browser.post(
        "/sympa/requestpasswd",
        &[("email", "new@example.org"), ("reason", "firstpasswd")],
    );
    let url = crate::mail::ticket_url_in_outbox(&site);
    let path = url.strip_prefix("http://lists.example.org").unwrap();

    let mut visitor = site.browser("192.0.2.5");
    let page = visitor.get(path);
    assert_eq!(page.status, 200);
    let html = body(&page);
    assert!(csrf_in(&html).is_some());
    let before = visitor.session();
    let response = visitor.post(path, &[]);
    assert_eq!(response.status, 303);
    assert_eq!(response.header("Location"), Some("/sympa/choosepasswd"));
    assert_ne!(visitor.session(), before, "a new session at login");
    visitor.get("/sympa/choosepasswd");
    let response = visitor.post(
        "/sympa/choosepasswd",
        &[
            ("newpasswd1", "a new password"),
            ("newpasswd2", "a new password"),
        ],
    );
    assert_eq!(response.status, 303, "{}", body(&response));
    site.browser("192.0.2.6")
        .login("new@example.org", "a new password");

    // Used once: the same link now says so.
    let mut again = site.browser("192.0.2.7");
    assert_eq!(again.get(path).status, 410);
}

#[test]
fn a_session_in_use_is_kept_alive_and_read_at_most_once_a_minute_without_a_write() {
    let (_dir, site) = site("acct-session-refresh");
    let mut browser = site.browser("192.0.2.30");
    browser.login("joe@example.org", PASSWORD);
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let times = |site: &Site| -> (i64, i64) {
        let row = site.db.texts(
            "SELECT CAST(refreshed_at AS TEXT) || ' ' || CAST(expires_at AS TEXT) FROM sessions \
             WHERE email = 'joe@example.org'",
        );
        let (refreshed, expires) = row[0].split_once(' ').unwrap();
        (refreshed.parse().unwrap(), expires.parse().unwrap())
    };
    // A session refreshed under a minute ago is read without a write.
    site.db.execute(
        "UPDATE sessions SET refreshed_at = ?1, expires_at = ?2 WHERE email = 'joe@example.org'",
        &[
            crate::support::db::Value::Int(now() - 30),
            crate::support::db::Value::Int(now() + 100),
        ],
    );
    let before = times(&site);
    assert_eq!(browser.get("/sympa/pref").status, 200);
    assert_eq!(times(&site), before, "no write within the minute");
    // One last refreshed two minutes ago, close to its end, is used: it lives on, for the
    // logged-in lifetime from now.
    site.db.execute(
        "UPDATE sessions SET refreshed_at = ?1, expires_at = ?2 WHERE email = 'joe@example.org'",
        &[
            crate::support::db::Value::Int(now() - 120),
            crate::support::db::Value::Int(now() + 100),
        ],
    );
    assert_eq!(browser.get("/sympa/pref").status, 200);
    let (refreshed, expires) = times(&site);
    assert!(refreshed >= now() - 5, "refreshed: {refreshed}");
    assert!(
        expires >= now() + site.config.session_table_ttl as i64 - 5,
        "expires {expires}, ttl {}",
        site.config.session_table_ttl
    );
}
