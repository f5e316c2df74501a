//! The JSON API under `/sympa/api/v1/`: every endpoint, the authorization matrix (endpoint × caller, with status, code and nothing changed on a refusal), the token lifecycle on the web, bad input, and the subscribe rate limit, on the database the run selects.

use serde_json::{json, Value};

use wwsympa::domain::{ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility};
use wwsympa::http::{Method, Request, Response, Service};
use wwsympa::operations::{tokens, Channel, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::subscription::{email, is_member, site_with, PASSWORD};
use crate::support::TempDir;

/// A site with `pub` (open, public index, review by members), `hid` (concealed, subscribe
/// with confirmation, review by owners) and `mod` (subscriptions held for the owners);
/// member@ is a member and owner@ a privileged owner of each; other@ is neither; boss@ is a
/// listmaster by configuration.
fn site(name: &str) -> (TempDir, Site) {
    let (dir, site) = site_with(
        name,
        &[
            (
                "pub",
                SubscribePolicy::Open,
                UnsubscribePolicy::Open,
                ReviewPolicy::Private,
                Visibility::Noconceal,
            ),
            (
                "hid",
                SubscribePolicy::Auth,
                UnsubscribePolicy::Open,
                ReviewPolicy::Owner,
                Visibility::Conceal,
            ),
            (
                "mod",
                SubscribePolicy::Owner,
                UnsubscribePolicy::Owner,
                ReviewPolicy::Private,
                Visibility::Noconceal,
            ),
        ],
    );
    site.add_user("boss@example.org", PASSWORD);
    (dir, site)
}

/// A token for `address` with `scope`, made through the operation.
fn token(site: &Site, address: &str, scope: &str) -> String {
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let requester = Requester {
        email: Some(email(address)),
        listmaster: site.config.is_listmaster(&email(address)),
        remote_addr: None,
        channel: Channel::Web,
        known_roles: None,
    };
    tokens::create(&mut env, &requester, "test", scope, None)
        .unwrap()
        .secret
}

/// A call to the API: `(status, JSON body, response)`.
fn call(
    site: &Site,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, Value, Response) {
    call_with(site, method, path, token, body, "application/json")
}

fn call_with(
    site: &Site,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    content_type: &str,
) -> (u16, Value, Response) {
    let mut request =
        Request::parse_target(Method::parse(method), &format!("/sympa/api/v1/{path}")).unwrap();
    request.remote_addr = Some("192.0.2.50".parse().unwrap());
    if let Some(token) = token {
        request
            .headers
            .push(("authorization".into(), format!("Bearer {token}")));
    }
    if let Some(body) = body {
        request
            .headers
            .push(("content-type".into(), content_type.into()));
        request.body = body.as_bytes().to_vec();
    }
    let response = site.app.call(&request);
    let text = body_text(&response);
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"))
    };
    (response.status, value, response)
}

fn body_text(response: &Response) -> String {
    body(response)
}

/// What a request could have changed: audit rows, outbox rows, memberships, lists, tokens,
/// held requests.
fn footprint(site: &Site) -> [i64; 6] {
    [
        site.db.rows("audit_log"),
        site.db.rows("outbox"),
        site.db.rows("members"),
        site.db.rows("lists"),
        site.db.rows("api_tokens"),
        site.db.rows("pending_requests"),
    ]
}

fn code(value: &Value) -> &str {
    value["error"]["code"].as_str().unwrap_or("")
}

const CALLERS: [&str; 7] = [
    "anonymous",
    "bad token",
    "read token (member)",
    "non-member",
    "member",
    "owner",
    "listmaster",
];

/// The token of each caller of [`CALLERS`].
fn callers(site: &Site) -> Vec<Option<String>> {
    vec![
        None,
        Some(format!("{}{}", tokens::PREFIX, "A".repeat(43))),
        Some(token(site, "member@example.org", "read")),
        Some(token(site, "other@example.org", "write")),
        Some(token(site, "member@example.org", "write")),
        Some(token(site, "owner@example.org", "write")),
        Some(token(site, "boss@example.org", "write")),
    ]
}

/// One row of the matrix: `method path` with `body` (`{n}` is the caller's number), and for
/// each caller the expected `status` or `status code`.
fn row(
    site: &Site,
    tokens: &[Option<String>],
    method: &str,
    path: &str,
    body: Option<&str>,
    expected: [&str; 7],
) {
    let mut wrong = Vec::new();
    for (n, (token, want)) in tokens.iter().zip(expected).enumerate() {
        let path = path.replace("{n}", &n.to_string());
        let body = body.map(|b| b.replace("{n}", &n.to_string()));
        let before = footprint(site);
        let (status, value, response) =
            call(site, method, &path, token.as_deref(), body.as_deref());
        let (want_status, want_code) = want.split_once(' ').unwrap_or((want, ""));
        if (status.to_string().as_str(), code(&value)) != (want_status, want_code) {
            wrong.push(format!(
                "{method} {path} as {}: want {want:?}, got {status} {value}",
                CALLERS[n]
            ));
            continue;
        }
        assert_eq!(
            response.header("Content-Type"),
            Some("application/json"),
            "{method} {path}"
        );
        if status >= 400 {
            assert!(
                value["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{value}"
            );
            assert_eq!(
                footprint(site),
                before,
                "{method} {path} as {} changed something",
                CALLERS[n]
            );
        }
        if want_code == "invalid_token" {
            assert_eq!(
                response.header("WWW-Authenticate"),
                Some("Bearer error=\"invalid_token\"")
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_authorization_matrix_of_the_read_endpoints() {
    let (_dir, site) = site("api-matrix-read");
    let t = callers(&site);
    row(
        &site,
        &t,
        "GET",
        "lists",
        None,
        [
            "200",
            "401 invalid_token",
            "200",
            "200",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/pub",
        None,
        [
            "200",
            "401 invalid_token",
            "200",
            "200",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/hid",
        None,
        [
            "404 unknown_list",
            "401 invalid_token",
            "200",
            "404 unknown_list",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/nosuch",
        None,
        [
            "404 unknown_list",
            "401 invalid_token",
            "404 unknown_list",
            "404 unknown_list",
            "404 unknown_list",
            "404 unknown_list",
            "404 unknown_list",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/pub/members",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "200",
            "403 not_allowed",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/hid/members",
        None,
        [
            "404 unknown_list",
            "401 invalid_token",
            "403 not_allowed",
            "404 unknown_list",
            "403 not_allowed",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/pub/admins",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "200",
            "403 not_allowed",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/pub/members/member%40example.org",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "200",
            "403 not_allowed",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "lists/pub/requests",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "403 not_allowed",
            "403 not_allowed",
            "403 not_allowed",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "me",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "200",
            "200",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "GET",
        "me/lists",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "200",
            "200",
            "200",
            "200",
            "200",
        ],
    );
}

#[test]
fn the_authorization_matrix_of_the_write_endpoints() {
    let (_dir, site) = site("api-matrix-write");
    let t = callers(&site);
    {
        let store = site.store();
        let db = store.db();
        let list = db
            .list_by_name(
                "lists.example.org",
                &wwsympa::domain::ListName::parse("pub").unwrap(),
            )
            .unwrap()
            .unwrap();
        for n in 0..7 {
            db.add_member(
                list.id,
                &NewMember::new(email(&format!("del{n}@example.org"))),
            )
            .unwrap();
        }
    }
    row(
        &site,
        &t,
        "POST",
        "lists/pub/members",
        Some(r#"{"email": "new{n}@example.org", "quiet": true}"#),
        [
            "401 login_required",
            "401 invalid_token",
            "403 insufficient_scope",
            "403 not_allowed",
            "403 not_allowed",
            "201",
            "201",
        ],
    );
    assert!(
        is_member(&site, "pub", "new5@example.org") && is_member(&site, "pub", "new6@example.org")
    );
    row(
        &site,
        &t,
        "DELETE",
        "lists/pub/members/del{n}%40example.org",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "403 insufficient_scope",
            "403 not_allowed",
            "403 not_allowed",
            "200",
            "200",
        ],
    );
    assert!(
        !is_member(&site, "pub", "del5@example.org") && is_member(&site, "pub", "del4@example.org")
    );
    row(
        &site,
        &t,
        "PATCH",
        "lists/pub/members/member%40example.org",
        Some(r#"{"reception": "digest"}"#),
        [
            "401 login_required",
            "401 invalid_token",
            "403 insufficient_scope",
            "403 not_allowed",
            "200",
            "200",
            "200",
        ],
    );
    row(
        &site,
        &t,
        "POST",
        "lists/mod/requests/subscribe/other%40example.org",
        Some(r#"{"accept": true}"#),
        [
            "401 login_required",
            "401 invalid_token",
            "403 insufficient_scope",
            "403 not_allowed",
            "403 not_allowed",
            "404 not_found",
            "404 not_found",
        ],
    );
    row(
        &site,
        &t,
        "POST",
        "lists/pub/subscribe",
        Some(r#"{"email": "sub{n}@example.org"}"#),
        [
            "200",
            "401 invalid_token",
            "403 insufficient_scope",
            "422 invalid_body",
            "422 invalid_body",
            "422 invalid_body",
            "422 invalid_body",
        ],
    );
    row(
        &site,
        &t,
        "POST",
        "lists/pub/subscribe",
        None,
        [
            "422 bad_address",
            "401 invalid_token",
            "403 insufficient_scope",
            "200",
            "409 already_member",
            "200",
            "200",
        ],
    );
    assert!(is_member(&site, "pub", "other@example.org"));
    row(
        &site,
        &t,
        "POST",
        "lists/mod/signoff",
        None,
        [
            "422 bad_address",
            "401 invalid_token",
            "403 insufficient_scope",
            "403 members_only",
            "200",
            "403 members_only",
            "403 members_only",
        ],
    );
    row(
        &site,
        &t,
        "POST",
        "lists",
        Some(r#"{"name": "made{n}", "subject": "Made", "template": "discussion_list"}"#),
        [
            "401 login_required",
            "401 invalid_token",
            "403 insufficient_scope",
            "201",
            "201",
            "201",
            "201",
        ],
    );
    row(
        &site,
        &t,
        "POST",
        "lists/hid/close",
        None,
        [
            "401 login_required",
            "401 invalid_token",
            "403 insufficient_scope",
            "404 unknown_list",
            "403 not_allowed",
            "200",
            "404 unknown_list",
        ],
    );
}

#[test]
fn every_endpoint_answers_with_its_documented_shape() {
    let (_dir, site) = site("api-endpoints");
    let owner = token(&site, "owner@example.org", "write");
    let member = token(&site, "member@example.org", "write");
    let boss = token(&site, "boss@example.org", "write");

    let (status, lists, _) = call(&site, "GET", "lists", None, None);
    assert_eq!(status, 200);
    let names: Vec<&str> = lists["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["mod", "pub"],
        "the concealed list is not in the anonymous index"
    );
    let (_, lists, _) = call(&site, "GET", "lists", Some(&boss), None);
    assert_eq!(lists["lists"].as_array().unwrap().len(), 3);

    // Cursor pagination: one list a page, every list once, then no cursor.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page, _) = call(
            &site,
            "GET",
            &format!("lists?limit=1&cursor={cursor}"),
            Some(&boss),
            None,
        );
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["lists"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["name"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ["hid", "mod", "pub"]);

    let (_, info, _) = call(&site, "GET", "lists/pub", Some(&owner), None);
    assert_eq!(info["name"], "pub");
    assert_eq!(info["roles"]["privileged_owner"], true);
    assert_eq!(info["may"]["requests"], true);
    assert_eq!(info["owners"][0]["email"], "owner@example.org");
    let (_, info, _) = call(&site, "GET", "lists/pub", None, None);
    assert_eq!(info["owners"], json!([]), "no owners for anonymous callers");
    assert_eq!(info["roles"]["subscriber"], false);

    // Members: add three, page through them two at a time.
    for n in 0..3 {
        let (status, added, _) = call(
            &site,
            "POST",
            "lists/pub/members",
            Some(&owner),
            Some(&format!(
                r#"{{"email": "m{n}@example.org", "name": "M {n}", "quiet": true}}"#
            )),
        );
        assert_eq!(status, 201, "{added}");
        assert_eq!(added["name"], format!("M {n}"));
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page, _) = call(
            &site,
            "GET",
            &format!("lists/pub/members?limit=2&cursor={cursor}"),
            Some(&member),
            None,
        );
        assert_eq!(status, 200);
        assert_eq!(page["total"], 4);
        seen.extend(
            page["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["email"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "m0@example.org",
            "m1@example.org",
            "m2@example.org",
            "member@example.org"
        ]
    );
    let (status, again, _) = call(
        &site,
        "POST",
        "lists/pub/members",
        Some(&owner),
        Some(r#"{"email": "m0@example.org"}"#),
    );
    assert_eq!((status, code(&again)), (409, "already_member"));

    let (_, admins, _) = call(&site, "GET", "lists/pub/admins", Some(&member), None);
    assert_eq!(admins["owners"][0]["email"], "owner@example.org");
    assert_eq!(admins["editors"], json!([]));

    // Options: the member's own, and custom attributes as an owner.
    let (status, changed, _) = call(
        &site,
        "PATCH",
        "lists/pub/members/member%40example.org",
        Some(&member),
        Some(r#"{"reception": "digest", "visibility": "conceal", "name": "Mem"}"#),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (
            changed["reception"].as_str(),
            changed["visibility"].as_str(),
            changed["name"].as_str()
        ),
        (Some("digest"), Some("conceal"), Some("Mem"))
    );
    let (status, changed, _) = call(
        &site,
        "PATCH",
        "lists/pub/members/member%40example.org",
        Some(&owner),
        Some(r#"{"custom_attributes": {"dept": "R&D"}}"#),
    );
    assert_eq!(status, 200, "{changed}");
    let (_, read, _) = call(
        &site,
        "GET",
        "lists/pub/members/member%40example.org",
        Some(&member),
        None,
    );
    assert_eq!(read["custom_attributes"]["dept"], "R&D");
    assert_eq!(read["reception"], "digest");
    let (status, bad, _) = call(
        &site,
        "PATCH",
        "lists/pub/members/member%40example.org",
        Some(&member),
        Some(r#"{"reception": "carrier-pigeon"}"#),
    );
    assert_eq!(
        (status, code(&bad), bad["error"]["field"].as_str()),
        (422, "invalid_value", Some("reception"))
    );
    // Concealed now: the member sees only the others; owners see everyone.
    let (_, page, _) = call(&site, "GET", "lists/pub/members", Some(&member), None);
    assert_eq!(page["total"], 3);
    let (_, page, _) = call(&site, "GET", "lists/pub/members", Some(&owner), None);
    assert_eq!(page["total"], 4);

    let (status, _, _) = call(
        &site,
        "DELETE",
        "lists/pub/members/m2%40example.org?quiet=true",
        Some(&owner),
        None,
    );
    assert_eq!(status, 200);
    assert!(!is_member(&site, "pub", "m2@example.org"));
    let (status, gone, _) = call(
        &site,
        "DELETE",
        "lists/pub/members/m2%40example.org",
        Some(&owner),
        None,
    );
    assert_eq!((status, code(&gone)), (404, "not_member"));

    // Subscribe and sign off as oneself.
    let other = token(&site, "other@example.org", "write");
    let (status, done, _) = call(
        &site,
        "POST",
        "lists/pub/subscribe",
        Some(&other),
        Some(r#"{"name": "Other"}"#),
    );
    assert_eq!(
        (status, done["outcome"].as_str()),
        (200, Some("subscribed"))
    );
    let (_, mine, _) = call(&site, "GET", "me/lists", Some(&other), None);
    assert_eq!(
        mine["lists"],
        json!([{"name": "pub", "subject": "The pub list", "roles": ["subscriber"]}])
    );
    let (status, done, _) = call(&site, "POST", "lists/pub/signoff", Some(&other), None);
    assert_eq!(
        (status, done["outcome"].as_str()),
        (200, Some("unsubscribed"))
    );
    let (status, held, _) = call(&site, "POST", "lists/mod/subscribe", Some(&other), None);
    assert_eq!(
        (status, held["outcome"].as_str()),
        (200, Some("held_for_owner"))
    );

    // The owner sees the held request and accepts it.
    let (_, pending, _) = call(&site, "GET", "lists/mod/requests", Some(&owner), None);
    assert_eq!(pending["requests"][0]["kind"], "subscribe");
    assert_eq!(pending["requests"][0]["email"], "other@example.org");
    let (status, _, _) = call(
        &site,
        "POST",
        "lists/mod/requests/subscribe/other%40example.org",
        Some(&owner),
        Some(r#"{"accept": true, "quiet": true}"#),
    );
    assert_eq!(status, 200);
    assert!(is_member(&site, "mod", "other@example.org"));
    let (status, _, _) = call(
        &site,
        "POST",
        "lists/mod/requests/maybe/other%40example.org",
        Some(&owner),
        Some(r#"{"accept": true}"#),
    );
    assert_eq!(status, 404);

    let (_, me, _) = call(&site, "GET", "me", Some(&boss), None);
    assert_eq!(
        me,
        json!({"email": "boss@example.org", "listmaster": true, "scope": "write"})
    );

    // Lists: a listmaster's is open at once; another user's waits (pending), then closed.
    let (status, made, _) = call(
        &site,
        "POST",
        "lists",
        Some(&boss),
        Some(
            r#"{"name": "fresh", "subject": "Fresh", "template": "news-letter", "topics": ["a"]}"#,
        ),
    );
    assert_eq!(
        (status, made["status"].as_str()),
        (201, Some("open")),
        "{made}"
    );
    let (status, made, _) = call(
        &site,
        "POST",
        "lists",
        Some(&member),
        Some(r#"{"name": "asked", "subject": "Asked", "template": "discussion_list"}"#),
    );
    assert_eq!(
        (status, made["status"].as_str()),
        (201, Some("pending")),
        "{made}"
    );
    let (status, exists, _) = call(
        &site,
        "POST",
        "lists",
        Some(&boss),
        Some(r#"{"name": "fresh", "subject": "Again", "template": "news-letter"}"#),
    );
    assert_eq!((status, code(&exists)), (409, "already_exists"));
    let (status, bad, _) = call(
        &site,
        "POST",
        "lists",
        Some(&boss),
        Some(r#"{"name": "x", "subject": "X", "template": "nonsense"}"#),
    );
    // The template is one of the document's names: another is a body of the wrong shape.
    assert_eq!((status, code(&bad)), (422, "invalid_body"));
    assert!(bad["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nonsense"));
    let (status, bad, _) = call(
        &site,
        "POST",
        "lists",
        Some(&boss),
        Some(r#"{"name": "blank", "subject": "  ", "template": "hotline"}"#),
    );
    assert_eq!(
        (status, code(&bad), bad["error"]["field"].as_str()),
        (422, "invalid_value", Some("subject"))
    );
    let (status, _, _) = call(&site, "POST", "lists/fresh/close", Some(&boss), None);
    assert_eq!(status, 200);
    let (status, gone, _) = call(&site, "GET", "lists/fresh", Some(&boss), None);
    assert_eq!((status, code(&gone)), (404, "unknown_list"));
}

#[test]
fn tokens_are_made_on_the_web_shown_once_stored_hashed_and_revoked() {
    let (_dir, site) = site("api-tokens");
    let mut browser = site.browser("192.0.2.9");
    // Anonymous visitors are sent to log in.
    let response = browser.get("/sympa/api_tokens");
    assert_eq!(response.status, 303);
    browser.login("member@example.org", PASSWORD);
    let page = body(&browser.get("/sympa/pref"));
    assert!(
        page.contains("/sympa/api_tokens"),
        "linked from the preferences"
    );
    assert!(body(&browser.get("/sympa/api_tokens")).contains("no token yet"));
    // Without the CSRF token nothing is made.
    let forged = browser.post_raw(
        "/sympa/api_tokens",
        &[("do", "create"), ("name", "x"), ("scope", "write")],
    );
    assert_ne!(forged.status, 200);
    assert_eq!(site.db.rows("api_tokens"), 0);
    let made = browser.post(
        "/sympa/api_tokens",
        &[
            ("do", "create"),
            ("name", "my script"),
            ("scope", "write"),
            ("expires_days", "30"),
        ],
    );
    assert_eq!(made.status, 200, "{}", body(&made));
    let html = body(&made);
    let start = html.find("<code id=\"new-token\">").unwrap() + "<code id=\"new-token\">".len();
    let secret = html[start..start + 47].to_string();
    assert!(secret.starts_with("wws_"), "{secret}");
    // Shown once: the list page does not show it again.
    let list = body(&browser.get("/sympa/api_tokens"));
    assert!(list.contains("my script") && !list.contains(&secret[4..]));
    // Stored hashed: the token is nowhere in the database, only its SHA-256.
    let hashes = site.db.texts("SELECT token_hash FROM api_tokens");
    assert_eq!(hashes, [wwsympa::auth::token_hash(&secret)]);
    for sql in [
        "SELECT token_hash || name || email || scope FROM api_tokens",
        "SELECT detail FROM audit_log",
        "SELECT data FROM sessions",
    ] {
        let dump = site.db.texts(sql);
        assert!(!dump.iter().any(|v| v.contains(&secret[4..])), "{sql}");
    }
    if let Some(path) = site.db.sqlite_path() {
        for file in [path.to_path_buf(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !bytes.windows(43).any(|w| w == &secret.as_bytes()[4..]),
                    "{}",
                    file.display()
                );
            }
        }
    }
    // Used: it stands for its owner, and its last use is recorded.
    let (status, me, _) = call(&site, "GET", "me", Some(&secret), None);
    assert_eq!(
        (status, me["email"].as_str()),
        (200, Some("member@example.org"))
    );
    assert_eq!(
        site.db
            .texts("SELECT email FROM api_tokens WHERE last_used_at IS NOT NULL")
            .len(),
        1
    );
    // Another user cannot revoke it; its owner can, and it stops working at once.
    let id = site.db.texts("SELECT CAST(id AS TEXT) FROM api_tokens")[0].clone();
    let mut intruder = site.browser("192.0.2.10");
    intruder.login("other@example.org", PASSWORD);
    intruder.get("/sympa/api_tokens");
    let refused = intruder.post("/sympa/api_tokens", &[("do", "revoke"), ("id", &id)]);
    assert_eq!(refused.status, 422);
    assert_eq!(site.db.rows("api_tokens"), 1);
    browser.get("/sympa/api_tokens");
    let revoked = browser.post("/sympa/api_tokens", &[("do", "revoke"), ("id", &id)]);
    assert_eq!(revoked.status, 303);
    assert_eq!(site.db.rows("api_tokens"), 0);
    let (status, error, response) = call(&site, "GET", "me", Some(&secret), None);
    assert_eq!((status, code(&error)), (401, "invalid_token"));
    assert_eq!(
        response.header("WWW-Authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
    let audit: Vec<String> = site
        .db
        .texts("SELECT action FROM audit_log WHERE action LIKE 'api_token%'");
    assert_eq!(audit, ["api_token_create", "api_token_revoke"]);
}

#[test]
fn expired_and_malformed_tokens_are_refused_never_anonymous() {
    let (_dir, site) = site("api-expired");
    let secret = token(&site, "owner@example.org", "write");
    site.db.execute("UPDATE api_tokens SET expires_at = 1", &[]);
    for presented in [secret.as_str(), "wws_short", "garbage", ""] {
        let (status, error, response) = call(&site, "GET", "lists", Some(presented), None);
        assert_eq!(
            (status, code(&error)),
            (401, "invalid_token"),
            "{presented:?}"
        );
        assert!(response.header("WWW-Authenticate").is_some());
    }
    // Another scheme is refused too.
    let mut request = Request::parse_target(Method::Get, "/sympa/api/v1/lists").unwrap();
    request
        .headers
        .push(("authorization".into(), "Basic b3duZXI6cHc=".into()));
    assert_eq!(site.app.call(&request).status, 401);
    // A session cookie is ignored: the call stays anonymous.
    let mut browser = site.browser("192.0.2.11");
    browser.login("owner@example.org", PASSWORD);
    let mut request = Request::parse_target(Method::Get, "/sympa/api/v1/lists/hid").unwrap();
    request.headers.push((
        "cookie".into(),
        format!("sympa_session={}", browser.session().unwrap()),
    ));
    assert_eq!(site.app.call(&request).status, 404);
}

#[test]
fn bad_input_gets_a_clear_code_and_changes_nothing() {
    let (_dir, site) = site("api-bad-input");
    let owner = token(&site, "owner@example.org", "write");
    let before = footprint(&site);
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        ("POST", "lists/pub/members", "{", 400, "malformed_json"),
        ("POST", "lists/pub/members", "[1, 2]", 422, "invalid_body"),
        (
            "POST",
            "lists/pub/members",
            r#"{"email": 5}"#,
            422,
            "invalid_body",
        ),
        (
            "POST",
            "lists/pub/members",
            r#"{"email": "a@example.org", "admin": true}"#,
            422,
            "invalid_body",
        ),
        (
            "POST",
            "lists/pub/members",
            r#"{"email": "not an address"}"#,
            422,
            "bad_address",
        ),
        (
            "POST",
            "lists/pub/members",
            r#"{"email": "a@example.org", "name": "a\u202eb"}"#,
            422,
            "hidden_characters",
        ),
        ("POST", "lists/pub/members", "", 422, "invalid_body"),
        (
            "PATCH",
            "lists/pub/members/member%40example.org",
            r#"{"name": "x", "role": "owner"}"#,
            422,
            "invalid_body",
        ),
        (
            "POST",
            "lists",
            r#"{"name": "a b", "subject": "S", "template": "hotline"}"#,
            422,
            "invalid_value",
        ),
        (
            "POST",
            "lists",
            &format!(
                r#"{{"name": "long", "subject": "{}", "template": "hotline"}}"#,
                "s".repeat(300)
            ),
            422,
            "too_long",
        ),
        ("GET", "lists?limit=0", "", 422, "invalid_value"),
        ("GET", "lists?limit=101", "", 422, "invalid_value"),
        ("GET", "lists?cursor=%21%21", "", 422, "invalid_value"),
        (
            "GET",
            "lists/pub/members?cursor=djE6bm9wZQ",
            "",
            422,
            "invalid_value",
        ),
        (
            "DELETE",
            "lists/pub/members/member%40example.org?quiet=maybe",
            "",
            422,
            "invalid_value",
        ),
        ("GET", "nothing/here", "", 404, "not_found"),
        ("GET", "lists/pub/members/a/b", "", 404, "not_found"),
        ("GET", "lists/..%2F..%2Fetc", "", 404, "unknown_list"),
        ("PUT", "lists", "", 405, "method_not_allowed"),
        ("OPTIONS", "lists/pub", "", 405, "method_not_allowed"),
        ("DELETE", "lists/pub", "", 405, "method_not_allowed"),
    ];
    for (method, path, body, status, want) in cases {
        let body = (!body.is_empty()).then_some(*body);
        let (got, value, response) = call(&site, method, path, Some(&owner), body);
        assert_eq!(
            (got, code(&value)),
            (*status, *want),
            "{method} {path} {body:?}: {value}"
        );
        if got == 405 {
            assert!(response.header("Allow").is_some());
        }
        assert!(response.header("Access-Control-Allow-Origin").is_none());
    }
    // A path that is not UTF-8 once decoded (the doors refuse it first; the API too).
    let mut request = Request::parse_target(Method::Get, "/sympa/api/v1/lists/x").unwrap();
    request.raw_path = "/sympa/api/v1/lists/%FF".into();
    let response = site.app.call(&request);
    let value: Value = serde_json::from_str(&body(&response)).unwrap();
    assert_eq!((response.status, code(&value)), (400, "bad_path"));
    // A body that is not JSON.
    let (status, value, _) = call_with(
        &site,
        "POST",
        "lists/pub/members",
        Some(&owner),
        Some("email=a%40example.org"),
        "application/x-www-form-urlencoded",
    );
    assert_eq!((status, code(&value)), (415, "unsupported_media_type"));
    assert_eq!(footprint(&site), before);
    // Past 64 KiB the doors stop reading: the API's limit is what the app asks for.
    let request = Request::parse_target(Method::Post, "/sympa/api/v1/lists/pub/members").unwrap();
    assert_eq!(site.app.body_limit(&request), Some(64 * 1024));
    // HEAD is answered as GET.
    let (status, _, _) = call(&site, "HEAD", "lists", None, None);
    assert_eq!(status, 200);
}

#[test]
fn the_openapi_document_is_served_with_the_site_url_and_every_endpoint() {
    let (_dir, site) = site("api-openapi");
    let (status, doc, _) = call(&site, "GET", "openapi.json", None, None);
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["servers"][0]["url"],
        "http://lists.example.org/sympa/api/v1"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (path, method) in [
        ("/lists", "get"),
        ("/lists", "post"),
        ("/lists/{list}", "get"),
        ("/lists/{list}/close", "post"),
        ("/lists/{list}/members", "get"),
        ("/lists/{list}/members", "post"),
        ("/lists/{list}/members/{email}", "get"),
        ("/lists/{list}/members/{email}", "patch"),
        ("/lists/{list}/members/{email}", "delete"),
        ("/lists/{list}/admins", "get"),
        ("/lists/{list}/subscribe", "post"),
        ("/lists/{list}/signoff", "post"),
        ("/lists/{list}/requests", "get"),
        ("/lists/{list}/requests/{kind}/{email}", "post"),
        ("/me", "get"),
        ("/me/lists", "get"),
    ] {
        let operation = &doc["paths"][path][method];
        for status in ["401", "500", "503"] {
            assert!(
                operation["responses"][status].is_object(),
                "{method} {path} {status}"
            );
        }
    }
}

#[test]
fn the_subscribe_rate_limit_answers_429_with_retry_after() {
    crate::support::in_one_window(3600);
    let (_dir, site) = site("api-rate");
    let mut last = (0, Value::Null, None);
    for n in 0..40 {
        let (status, value, response) = call(
            &site,
            "POST",
            "lists/pub/subscribe",
            None,
            Some(&format!(r#"{{"email": "flood{n}@example.org"}}"#)),
        );
        last = (
            status,
            value,
            response.header("Retry-After").map(str::to_string),
        );
        if status != 200 {
            break;
        }
    }
    assert_eq!((last.0, code(&last.1)), (429, "rate_limited"), "{}", last.1);
    assert!(last
        .2
        .is_some_and(|s| s.parse::<u32>().is_ok_and(|s| s > 0)));
}

#[test]
fn an_unreachable_database_is_503_with_retry_after() {
    let (_dir, site) = site("api-down");
    let mut config = site.config.clone();
    config.db_type = wwsympa::config::DbType::Postgres;
    config.db_host = "127.0.0.1".into();
    config.db_port = crate::support::free_port();
    config.db_name = "nowhere".into();
    let app = wwsympa::web::App::new(wwsympa::web::State::new(config).unwrap(), None).unwrap();
    let request = Request::parse_target(Method::Get, "/sympa/api/v1/lists").unwrap();
    let response = app.call(&request);
    assert_eq!(response.status, 503, "{}", body(&response));
    let value: Value = serde_json::from_str(&body(&response)).unwrap();
    assert_eq!(code(&value), "unavailable");
    assert!(response.header("Retry-After").is_some());
}

/// Revokes token `id` as `address` through the operation.
fn revoke_as(site: &Site, address: &str, id: i64) -> Result<(), wwsympa::operations::Error> {
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let requester = Requester {
        email: Some(email(address)),
        listmaster: site.config.is_listmaster(&email(address)),
        remote_addr: None,
        channel: Channel::Web,
        known_roles: None,
    };
    tokens::revoke(&mut env, &requester, id)
}

#[test]
fn a_listmaster_revokes_anyones_token_and_nobody_else_does() {
    let (_dir, site) = site("api-revoke");
    let secret = token(&site, "member@example.org", "write");
    let id: i64 = site.db.texts("SELECT CAST(id AS TEXT) FROM api_tokens")[0]
        .parse()
        .unwrap();
    let before = footprint(&site);
    let refused = revoke_as(&site, "other@example.org", id).unwrap_err();
    assert!(
        matches!(&refused, wwsympa::operations::Error::Refused(r) if r.code() == "invalid_value"),
        "{refused:?}"
    );
    assert!(revoke_as(&site, "owner@example.org", id + 1000).is_err());
    assert_eq!(footprint(&site), before);
    let (status, _, _) = call(&site, "GET", "me", Some(&secret), None);
    assert_eq!(status, 200);
    revoke_as(&site, "boss@example.org", id).unwrap();
    let (status, error, _) = call(&site, "GET", "me", Some(&secret), None);
    assert_eq!((status, code(&error)), (401, "invalid_token"));
    // The audit row names the token's owner as its target and the listmaster as its actor.
    let audit = site
        .db
        .texts("SELECT actor || ' ' || target FROM audit_log WHERE action = 'api_token_revoke'");
    assert_eq!(audit, ["boss@example.org member@example.org"]);
}

#[test]
fn a_body_over_64_kib_is_refused_by_the_door_with_a_code_and_changes_nothing() {
    use std::io::{Read, Write};
    let (_dir, site) = site("api-huge");
    let owner = token(&site, "owner@example.org", "write");
    site.through_http_door();
    let addr = site.door_addr().unwrap();
    let before = footprint(&site);
    for (framing, body) in [
        ("Content-Length: 70000\r\n", String::new()),
        (
            "Transfer-Encoding: chunked\r\n",
            format!("11170\r\n{}\r\n0\r\n\r\n", "x".repeat(70_000)),
        ),
    ] {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let head = format!(
            "POST /sympa/api/v1/lists/pub/members HTTP/1.1\r\nHost: lists.example.org\r\n\
             Authorization: Bearer {owner}\r\nContent-Type: application/json\r\n{framing}\
             Connection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let _ = stream.write_all(body.as_bytes());
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{framing}: {answer}");
        assert!(answer.contains("application/json"), "{answer}");
        assert!(
            answer.contains("\"code\":\"payload_too_large\""),
            "{answer}"
        );
    }
    assert_eq!(footprint(&site), before);
}

#[test]
fn subscribe_answers_the_lists_custom_attributes_checked_as_on_the_web() {
    let (_dir, site) = site("api-custom");
    let store = site.store();
    let list = store
        .db()
        .list_by_name(
            &site.config.domain,
            &wwsympa::domain::ListName::parse("pub").unwrap(),
        )
        .unwrap()
        .unwrap();
    store
        .db()
        .set_list_custom_attributes(
            list.id,
            "org | Organisation | string | required\nsize | T-shirt size | enum | optional | S, M, L",
        )
        .unwrap();
    drop(store);
    let other = token(&site, "other@example.org", "write");
    let owner = token(&site, "owner@example.org", "read");
    let before = footprint(&site);
    let refused = |body: &str| {
        let (status, value, _) = call(
            &site,
            "POST",
            "lists/pub/subscribe",
            Some(&other),
            Some(body),
        );
        assert_eq!(status, 422, "{body}: {value}");
        assert_eq!(value["error"]["field"], "custom_attributes", "{value}");
        (
            code(&value).to_string(),
            value["error"]["attribute"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    let pair = |code: &str, attribute: &str| (code.to_string(), attribute.to_string());
    // Leaving the answers out answers none: the required one is missing.
    assert_eq!(refused("{}"), pair("custom_attribute_required", "org"));
    assert_eq!(
        refused(r#"{"custom_attributes": {"size": "M"}}"#),
        pair("custom_attribute_required", "org")
    );
    let long = format!(
        r#"{{"custom_attributes": {{"org": "{}"}}}}"#,
        "x".repeat(501)
    );
    assert_eq!(refused(&long), pair("custom_attribute_too_long", "org"));
    assert_eq!(
        refused(r#"{"custom_attributes": {"org": "ACME", "colour": "red"}}"#),
        pair("unknown_custom_attribute", "colour")
    );
    assert_eq!(
        refused(r#"{"custom_attributes": {"org": "ACME", "size": "XL"}}"#),
        pair("invalid_custom_attribute", "size")
    );
    // Values are strings.
    let (status, value, _) = call(
        &site,
        "POST",
        "lists/pub/subscribe",
        Some(&other),
        Some(r#"{"custom_attributes": {"org": "ACME", "size": 3}}"#),
    );
    assert_eq!((status, code(&value)), (422, "invalid_body"), "{value}");
    assert_eq!(footprint(&site), before, "nothing was changed");
    // At the limit, and offered: subscribed, the answers kept with the membership.
    let most = "x".repeat(500);
    let body = format!(r#"{{"custom_attributes": {{"org": "{most}", "size": "M"}}}}"#);
    let (status, done, _) = call(
        &site,
        "POST",
        "lists/pub/subscribe",
        Some(&other),
        Some(&body),
    );
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["outcome"], "subscribed");
    let (status, read, _) = call(
        &site,
        "GET",
        "lists/pub/members/other%40example.org",
        Some(&owner),
        None,
    );
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["custom_attributes"]["org"], most.as_str());
    assert_eq!(read["custom_attributes"]["size"], "M");
    // The JSON door records the client's address with the change (viewlogs shows it).
    assert_eq!(
        site.db.texts(
            "SELECT remote_addr FROM audit_log WHERE target = 'other@example.org' AND list_id IS NOT NULL"
        ),
        ["192.0.2.50"]
    );
    // The OpenAPI document says so.
    let (_, doc, _) = call(&site, "GET", "openapi.json", None, None);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["MembershipRequest"]["properties"]["custom_attributes"]["additionalProperties"]
            ["type"],
        "string",
        "{}",
        schemas["MembershipRequest"]
    );
    assert!(
        schemas["ErrorDetail"]["properties"]["attribute"]["type"]
            .to_string()
            .contains("string"),
        "{}",
        schemas["ErrorDetail"]
    );
    // signoff asks nothing.
    let (status, value, _) = call(
        &site,
        "POST",
        "lists/pub/signoff",
        Some(&other),
        Some(r#"{"custom_attributes": {"org": "ACME"}}"#),
    );
    assert_eq!(status, 422, "{value}");
    assert_eq!(value["error"]["field"], "custom_attributes");
    assert!(is_member(&site, "pub", "other@example.org"));
}

#[test]
fn anonymous_list_pages_are_kept_until_the_lists_change_and_token_callers_are_never_served_them() {
    let (_dir, site) = site("api-cache");
    let subject_of_pub = |page: &Value| {
        page["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "pub")
            .map(|l| l["subject"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (status, first, _) = call(&site, "GET", "lists", None, None);
    assert_eq!(status, 200);
    let before = subject_of_pub(&first);
    // Change a subject behind the store's back, without moving the site version: an
    // anonymous page served from the cache still shows the old subject.
    site.db.execute_each(
        "DROP TRIGGER site_version_list_update",
        "DROP TRIGGER site_version_list_update ON lists",
        &[],
    );
    site.db.execute(
        "UPDATE lists SET subject = 'Renamed behind the back' WHERE name = 'pub'",
        &[],
    );
    let (_, kept, _) = call(&site, "GET", "lists", None, None);
    assert_eq!(
        kept, first,
        "the second anonymous call gets the kept answer"
    );
    // Another query is another entry: built now, with the new subject.
    let (_, other_query, _) = call(&site, "GET", "lists?limit=100", None, None);
    assert_eq!(subject_of_pub(&other_query), "Renamed behind the back");
    // A caller with a token never gets the anonymous answer (it may see more).
    let read = token(&site, "member@example.org", "read");
    let (_, with_token, _) = call(&site, "GET", "lists", Some(&read), None);
    assert_eq!(subject_of_pub(&with_token), "Renamed behind the back");
    assert!(
        with_token["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "hid"),
        "a member of the concealed list sees it: {with_token}"
    );
    let (_, anonymous, _) = call(&site, "GET", "lists", None, None);
    assert_eq!(subject_of_pub(&anonymous), before, "still the kept answer");
    // Once the version moves, the answer is built again.
    site.db
        .execute("UPDATE site_version SET version = version + 1", &[]);
    let (_, rebuilt, _) = call(&site, "GET", "lists", None, None);
    assert_eq!(subject_of_pub(&rebuilt), "Renamed behind the back");
}
