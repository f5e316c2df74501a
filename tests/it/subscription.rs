//! Member self-service through `web::App::call`: subscribe, confirmation links, signoff,
//! one-click, suboptions and set, with the bad input each must survive unchanged.

use wwsympa::domain::{
    AdminRole, ArchiveAccess, Email, ListName, ListPolicy, ReceptionMode, ReviewPolicy,
    SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::support::{decode_qp, TempDir};

pub const PASSWORD: &str = "correct horse battery";

/// A site with users member@, owner@ (privileged owner of every list), other@, and one list per
/// `(name, subscribe, unsubscribe, review, visibility)`; member@ is a member of each.
pub fn site_with(
    name: &str,
    lists: &[(
        &str,
        SubscribePolicy,
        UnsubscribePolicy,
        ReviewPolicy,
        Visibility,
    )],
) -> (TempDir, Site) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    for user in [
        "member@example.org",
        "owner@example.org",
        "other@example.org",
    ] {
        site.add_user(user, PASSWORD);
    }
    let store = site.store();
    let db = store.db();
    for (name, subscribe, unsubscribe, review, visibility) in lists {
        let id = site.add_list(
            name,
            "",
            ListPolicy {
                visibility: *visibility,
                subscribe: *subscribe,
                unsubscribe: *unsubscribe,
                review: *review,
                archive: ArchiveAccess::Private,
            },
        );
        db.add_member(id, &NewMember::new(email("member@example.org")))
            .unwrap();
        db.add_admin(id, &email("owner@example.org"), AdminRole::Owner, true)
            .unwrap();
    }
    drop(store);
    (dir, site)
}

/// One open list called `open`.
fn open_site(name: &str) -> (TempDir, Site) {
    site_with(
        name,
        &[(
            "open",
            SubscribePolicy::Open,
            UnsubscribePolicy::Open,
            ReviewPolicy::Private,
            Visibility::Noconceal,
        )],
    )
}

pub fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

pub fn is_member(site: &Site, list: &str, address: &str) -> bool {
    stored_member(site, list, address).is_some()
}

/// The membership of `address` in `list` as stored, if any.
pub fn stored_member(site: &Site, list: &str, address: &str) -> Option<wwsympa::domain::Member> {
    let store = site.store();
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse(list).unwrap())
        .unwrap()
        .unwrap();
    let found = store.db().member(list.id, &email(address)).unwrap();
    found
}

pub fn member_count(site: &Site, list: &str) -> u64 {
    let store = site.store();
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse(list).unwrap())
        .unwrap()
        .unwrap();
    let count = store.db().member_count(list.id).unwrap();
    count
}

/// Every queued or sent message still in the outbox, decoded, oldest first.
pub fn outbox(site: &Site) -> Vec<String> {
    let store = site.store();
    (1..10_000)
        .map_while(|id| store.db().outbox_message(id).unwrap())
        .map(|bytes| decode_qp(&String::from_utf8_lossy(&bytes)).replace("\r\n", "\n"))
        .collect()
}

/// The messages in the outbox to `to`.
pub fn mail_to(site: &Site, to: &str) -> Vec<String> {
    outbox(site)
        .into_iter()
        .filter(|m| m.contains(&format!("To: {to}")))
        .collect()
}

/// The first URL starting with `prefix` in `text`, as a path on the site.
pub fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    let url = text[start..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap();
    url.strip_prefix("http://lists.example.org")
        .unwrap()
        .to_string()
}

/// How many audit rows have `action`.
pub fn audits(site: &Site, action: &str) -> usize {
    site.store()
        .db()
        .recent_audit(10_000)
        .unwrap()
        .iter()
        .filter(|(_, a, _)| a == action)
        .count()
}

#[test]
fn anonymous_subscription_is_confirmed_by_mail_once() {
    let (_dir, site) = open_site("sub-anon");
    let mut visitor = site.browser("192.0.2.10");
    let page = visitor.get("/sympa/subscribe/open");
    assert_eq!(page.status, 200);
    assert!(body(&page).contains(r#"name="email""#));
    let response = visitor.post(
        "/sympa/subscribe/open",
        &[("email", "New.Comer@Example.org"), ("gecos", "New Comer")],
    );
    assert_eq!(response.status, 200, "{}", body(&response));
    assert!(body(&response).contains("A message is on its way"));
    assert!(!is_member(&site, "open", "new.comer@example.org"));

    let mails = mail_to(&site, "new.comer@example.org");
    assert_eq!(mails.len(), 1);
    // The link works as long as a mailed ticket: two days by default.
    assert!(
        mails[0].contains("open this link within 48 hours"),
        "{}",
        mails[0]
    );
    let path = link(&mails[0], "http://lists.example.org/sympa/auth/");
    assert!(
        path.contains("/subscribe?email=new.comer%40example.org"),
        "{path}"
    );

    // GET shows what would be done; it changes nothing (mail scanners follow links).
    let mut clicker = site.browser("198.51.100.7");
    let page = clicker.get(&path);
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("Subscribe <strong>new.comer@example.org</strong>"));
    assert!(!is_member(&site, "open", "new.comer@example.org"));
    // Another address with the same key, or another word, is not the same link.
    let other_address = path.replace("new.comer", "someone.else");
    assert_eq!(clicker.get(&other_address).status, 410);
    assert_eq!(
        clicker
            .get(&path.replace("/subscribe?", "/signoff?"))
            .status,
        410
    );

    let response = clicker.post(&path, &[]);
    assert_eq!(response.status, 200, "{}", body(&response));
    assert!(body(&response).contains("is now a member of open@lists.example.org"));
    assert!(is_member(&site, "open", "new.comer@example.org"));
    let welcome = mail_to(&site, "new.comer@example.org")
        .into_iter()
        .find(|m| m.contains("Subject: Welcome"))
        .expect("a welcome mail");
    assert!(
        welcome.contains("List-Unsubscribe: <http://lists.example.org/sympa/oneclick/open/"),
        "{welcome}"
    );
    assert!(welcome.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert_eq!(audits(&site, "subscribe_request"), 1);
    assert_eq!(audits(&site, "subscribe"), 1);

    // A replayed link is a clear message, and nothing changes.
    let count = member_count(&site, "open");
    let replay = clicker.post(&path, &[]);
    assert_eq!(replay.status, 410);
    assert!(body(&replay).contains("This link is not valid"));
    assert_eq!(member_count(&site, "open"), count);
    // So is a forged key.
    let forged = format!(
        "/sympa/auth/{}/subscribe?email=x%40example.org",
        "B".repeat(43)
    );
    assert_eq!(clicker.get(&forged).status, 410);
    assert_eq!(clicker.post(&forged, &[]).status, 410);
    assert_eq!(clicker.get("/sympa/auth/short/subscribe").status, 410);
    assert_eq!(member_count(&site, "open"), count);
}

#[test]
fn a_double_subscription_is_a_clear_message_and_changes_nothing() {
    let (_dir, site) = open_site("sub-double");
    // Logged in: told at once.
    let mut member = site.browser("192.0.2.11");
    member.login("member@example.org", PASSWORD);
    let page = member.get("/sympa/subscribe/open");
    assert!(body(&page).contains("You are a member of this list already."));
    let response = member.post("/sympa/subscribe/open", &[]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("member of the list already"));
    assert_eq!(member_count(&site, "open"), 1);

    // Anonymous: asked twice, one link (no second mail); followed, then asked and followed
    // again after joining, the new link says so.
    let mut visitor = site.browser("192.0.2.12");
    visitor.get("/sympa/subscribe/open");
    for _ in 0..2 {
        visitor.post("/sympa/subscribe/open", &[("email", "twice@example.org")]);
    }
    let links: Vec<String> = mail_to(&site, "twice@example.org")
        .iter()
        .map(|m| link(m, "http://lists.example.org/sympa/auth/"))
        .collect();
    assert_eq!(links.len(), 1, "asking again mails nothing new");
    let mut clicker = site.browser("192.0.2.13");
    clicker.get(&links[0]);
    assert_eq!(clicker.post(&links[0], &[]).status, 200);
    assert_eq!(member_count(&site, "open"), 2);
    visitor.post("/sympa/subscribe/open", &[("email", "twice@example.org")]);
    let links: Vec<String> = mail_to(&site, "twice@example.org")
        .iter()
        .filter(|m| m.contains("/sympa/auth/"))
        .map(|m| link(m, "http://lists.example.org/sympa/auth/"))
        .collect();
    assert_eq!(
        links.len(),
        2,
        "the request was answered: a new one mails again"
    );
    clicker.get(&links[1]);
    let second = clicker.post(&links[1], &[]);
    assert_eq!(second.status, 422);
    assert!(body(&second).contains("member of the list already: nothing was changed"));
    assert_eq!(member_count(&site, "open"), 2);
}

/// Asking again within the hour mails nothing (the link sent still works); an hour later the
/// request is renewed with a new link, and the old one stops working.
#[test]
fn asking_again_an_hour_later_mails_a_new_link_and_the_old_one_stops_working() {
    let (_dir, site) = open_site("sub-renew");
    let mut visitor = site.browser("192.0.2.15");
    let ask = |visitor: &mut crate::browser::Browser<'_>| {
        visitor.get("/sympa/subscribe/open");
        let asked = visitor.post("/sympa/subscribe/open", &[("email", "late@example.org")]);
        assert_eq!(asked.status, 200, "{}", body(&asked));
    };
    let links = || -> Vec<String> {
        mail_to(&site, "late@example.org")
            .iter()
            .map(|m| link(m, "http://lists.example.org/sympa/auth/"))
            .collect()
    };
    ask(&mut visitor);
    ask(&mut visitor);
    assert_eq!(links().len(), 1, "within the hour, nothing new is mailed");
    site.db.execute(
        "UPDATE pending_requests SET created_at = created_at - 3601",
        &[],
    );
    ask(&mut visitor);
    let links = links();
    assert_eq!(links.len(), 2, "an hour later, a new link");
    assert_ne!(links[0], links[1]);
    let mut clicker = site.browser("192.0.2.16");
    assert_eq!(
        clicker.get(&links[0]).status,
        410,
        "the old link stopped working"
    );
    clicker.get(&links[1]);
    assert_eq!(clicker.post(&links[1], &[]).status, 200);
    assert!(is_member(&site, "open", "late@example.org"));
}

#[test]
fn logged_in_members_subscribe_and_leave_at_once_on_open_lists() {
    let (_dir, site) = open_site("sub-direct");
    let mut other = site.browser("192.0.2.14");
    other.login("other@example.org", PASSWORD);
    other.get("/sympa/subscribe/open");
    let response = other.post("/sympa/subscribe/open", &[("gecos", "Other Person")]);
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(response.header("Location"), Some("/sympa/info/open"));
    assert!(body(&other.get("/sympa/info/open")).contains("You are now a member"));
    assert!(is_member(&site, "open", "other@example.org"));
    assert_eq!(mail_to(&site, "other@example.org").len(), 1, "the welcome");

    other.get("/sympa/signoff/open");
    let response = other.post("/sympa/signoff/open", &[]);
    assert_eq!(response.status, 303);
    assert!(!is_member(&site, "open", "other@example.org"));
    let goodbye = mail_to(&site, "other@example.org");
    assert!(goodbye.iter().any(|m| m.contains("You left the list")));
    // Leaving again: not a member, told so, nothing changes.
    other.get("/sympa/signoff/open");
    let again = other.post("/sympa/signoff/open", &[]);
    assert_eq!(again.status, 403);
    assert!(body(&again).contains("Only members"));
}

#[test]
fn subscribe_refuses_bad_input_clearly_and_changes_nothing() {
    let (_dir, site) = site_with(
        "sub-bad",
        &[
            (
                "open",
                SubscribePolicy::Open,
                UnsubscribePolicy::Open,
                ReviewPolicy::Private,
                Visibility::Noconceal,
            ),
            (
                "shut",
                SubscribePolicy::Closed,
                UnsubscribePolicy::Closed,
                ReviewPolicy::Owner,
                Visibility::Noconceal,
            ),
        ],
    );
    let mut visitor = site.browser("192.0.2.20");
    visitor.get("/sympa/subscribe/open");
    let long_address = format!("{}@example.org", "a".repeat(300));
    let long_name = "n".repeat(200);
    for (fields, needle) in [
        (
            vec![("email", "not an address")],
            "This is not a valid e-mail address.",
        ),
        (vec![("email", "")], "This is not a valid e-mail address."),
        (
            vec![("email", long_address.as_str())],
            "At most 254 characters",
        ),
        (
            vec![("email", "ok@example.org"), ("gecos", long_name.as_str())],
            "At most 150 characters",
        ),
        (
            vec![("email", "ok@example.org"), ("gecos", "tab\there")],
            "Please use visible characters only",
        ),
    ] {
        let response = visitor.post("/sympa/subscribe/open", &fields);
        assert_eq!(response.status, 422, "{fields:?}");
        let html = body(&response);
        assert!(html.contains(needle), "{fields:?}: {html}");
        assert!(html.contains("field-error"), "next to the field: {html}");
    }
    // The typed value is kept.
    let response = visitor.post("/sympa/subscribe/open", &[("email", "kept@@x")]);
    assert!(body(&response).contains(r#"value="kept@@x""#));
    // Bad UTF-8 in the body, a forged or missing CSRF token.
    let token = visitor.last_csrf.clone().unwrap();
    let response = visitor.post_bytes(
        "/sympa/subscribe/open",
        format!("email=a%FF%40example.org&csrf_token={token}").as_bytes(),
    );
    assert_eq!(response.status, 400);
    assert!(body(&response).contains("not valid UTF-8"));
    let forged = "C".repeat(43);
    for token in ["", forged.as_str()] {
        let response = visitor.post_raw(
            "/sympa/subscribe/open",
            &[("email", "csrf@example.org"), ("csrf_token", token)],
        );
        assert_eq!(response.status, 403);
        assert!(body(&response).contains("nothing was done"));
    }
    // Unknown list, closed policy.
    assert_eq!(visitor.get("/sympa/subscribe/nosuchlist").status, 404);
    assert!(body(&visitor.get("/sympa/subscribe/nosuchlist")).contains("No such list."));
    assert_eq!(visitor.get("/sympa/subscribe/shut").status, 403);
    assert!(outbox(&site).is_empty(), "no mail for refused requests");
    assert_eq!(member_count(&site, "open"), 1);
}

#[test]
fn anonymous_signoff_answers_alike_and_mails_only_members() {
    let (_dir, site) = site_with(
        "sub-signoff",
        &[(
            "news",
            SubscribePolicy::Open,
            UnsubscribePolicy::OpenNotify,
            ReviewPolicy::Owner,
            Visibility::Noconceal,
        )],
    );
    let mut visitor = site.browser("192.0.2.30");
    visitor.get("/sympa/signoff/news?email=member%40example.org");
    assert!(
        body(&visitor.get("/sympa/signoff/news?email=member%40example.org"))
            .contains(r#"value="member@example.org""#)
    );
    let member = visitor.post("/sympa/signoff/news", &[("email", "member@example.org")]);
    let stranger = visitor.post("/sympa/signoff/news", &[("email", "stranger@example.org")]);
    assert_eq!(member.status, 200);
    assert_eq!(
        body(&member).replace("member@example.org", "X"),
        body(&stranger).replace("stranger@example.org", "X"),
        "the answer does not tell who is a member"
    );
    assert!(mail_to(&site, "stranger@example.org").is_empty());
    // The stranger's request is noted as the member's is (the same work, so the same time).
    assert_eq!(audits(&site, "signoff_request"), 2);
    let mails = mail_to(&site, "member@example.org");
    assert_eq!(mails.len(), 1);
    let path = link(&mails[0], "http://lists.example.org/sympa/auth/");
    assert!(path.contains("/signoff?email="), "{path}");
    assert!(is_member(&site, "news", "member@example.org"));
    let mut clicker = site.browser("192.0.2.31");
    assert!(body(&clicker.get(&path)).contains("Unsubscribe <strong>member@example.org"));
    let done = clicker.post(&path, &[]);
    assert_eq!(done.status, 200);
    assert!(body(&done).contains("is no longer a member"));
    assert!(!is_member(&site, "news", "member@example.org"));
    // open_notify: the owner is told.
    assert!(mail_to(&site, "owner@example.org")
        .iter()
        .any(|m| m.contains("A member left: member@example.org")));
    assert_eq!(audits(&site, "signoff"), 1);
}

/// Where the owners decide, an anonymous visitor first proves the address by the mailed link;
/// following it hands the request to the owners (as Sympa's `auth_owner` does): the address
/// joins or leaves when an owner accepts, never on the visitor's click alone.
#[test]
fn anonymous_requests_on_owner_lists_wait_for_the_owners_after_the_confirmation() {
    let (_dir, site) = site_with(
        "sub-then-owner",
        &[(
            "guarded",
            SubscribePolicy::Owner,
            UnsubscribePolicy::Owner,
            ReviewPolicy::Owner,
            Visibility::Noconceal,
        )],
    );
    let mut visitor = site.browser("192.0.2.60");
    let mut clicker = site.browser("192.0.2.61");
    for (action, address, notice) in [
        (
            "subscribe",
            "newbie@example.org",
            "Subscription request: newbie@example.org",
        ),
        (
            "signoff",
            "member@example.org",
            "Unsubscription request: member@example.org",
        ),
    ] {
        let was_member = is_member(&site, "guarded", address);
        visitor.get(&format!("/sympa/{action}/guarded"));
        let asked = visitor.post(&format!("/sympa/{action}/guarded"), &[("email", address)]);
        assert_eq!(asked.status, 200, "{}", body(&asked));
        let mails = mail_to(&site, address);
        let path = link(
            mails.last().unwrap(),
            "http://lists.example.org/sympa/auth/",
        );
        assert!(path.contains(&format!("/{action}?email=")), "{path}");
        clicker.get(&path);
        let followed = clicker.post(&path, &[]);
        assert_eq!(followed.status, 200, "{}", body(&followed));
        assert!(
            body(&followed).contains("The request now waits for the owners of guarded@"),
            "{}",
            body(&followed)
        );
        assert_eq!(is_member(&site, "guarded", address), was_member, "{action}");
        assert!(
            mail_to(&site, "owner@example.org")
                .iter()
                .any(|m| m.contains(notice)),
            "{notice}"
        );
    }
}

#[test]
fn oneclick_post_unsubscribes_and_get_only_asks() {
    let (_dir, site) = open_site("sub-oneclick");
    // The member got a welcome mail with the one-click link in its headers.
    let mut visitor = site.browser("192.0.2.40");
    visitor.get("/sympa/subscribe/open");
    visitor.post("/sympa/subscribe/open", &[("email", "click@example.org")]);
    let confirm = link(
        &mail_to(&site, "click@example.org")[0],
        "http://lists.example.org/sympa/auth/",
    );
    visitor.get(&confirm);
    visitor.post(&confirm, &[]);
    let welcome = mail_to(&site, "click@example.org").pop().unwrap();
    let unfolded = welcome.replace("\n ", " ");
    let oneclick = link(&unfolded, "http://lists.example.org/sympa/oneclick/");
    assert!(
        oneclick.contains("?email=click%40example.org"),
        "{oneclick}"
    );

    // A GET (a link checker, a prefetch) only shows the button.
    let mut mail_client = site.browser("203.0.113.9");
    let page = mail_client.get(&oneclick);
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("<button type=\"submit\">Unsubscribe</button>"));
    assert!(is_member(&site, "open", "click@example.org"));
    // A forged id, another address, another list: not valid.
    let forged = oneclick.replace("?email=click", "?email=clock");
    assert_eq!(
        mail_client
            .post_raw(&forged, &[("List-Unsubscribe", "One-Click")])
            .status,
        410
    );
    let bad_mac = format!(
        "/sympa/oneclick/open/{}-AAAAAAAAAAAAAAAAAAAAAA?email=click%40example.org",
        oneclick
            .split('/')
            .nth(4)
            .unwrap()
            .split('-')
            .next()
            .unwrap()
    );
    assert_eq!(
        mail_client
            .post_raw(&bad_mac, &[("List-Unsubscribe", "One-Click")])
            .status,
        410
    );
    assert!(is_member(&site, "open", "click@example.org"));

    // RFC 8058: the mail client POSTs, without cookies or token.
    let mut bare = site.browser("203.0.113.10");
    let response = bare.post_raw(&oneclick, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(response.status, 200, "{}", body(&response));
    assert!(body(&response).contains("is no longer a member"));
    assert!(!is_member(&site, "open", "click@example.org"));
    assert_eq!(audits(&site, "oneclick"), 1);
    // Again: nothing to do, said plainly.
    let again = bare.post_raw(&oneclick, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(again.status, 200);
    assert!(body(&again).contains("there was nothing to do"));

    // An id older than the validity period is refused. (The list is made older than the
    // ids: an id older than its list was made for another list of that name, and opens
    // nothing; see renamed_links.rs.)
    site.db.execute(
        "UPDATE lists SET created_at = created_at - 8640000 WHERE name = 'open'",
        &[],
    );
    let store = site.store();
    // The secret the server made when it signed the welcome's link (a candidate offered now
    // is not taken): 32 random bytes. (Not zeros: HMAC pads a short key with zeros, so an
    // all-zero secret signs as an empty one would.)
    let secret = store
        .db()
        .site_secret("oneclick", b"not the site's")
        .unwrap();
    assert_ne!(secret, b"not the site's");
    assert_eq!(secret.len(), 32);
    assert!(secret.iter().any(|&b| b != 0));
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 86_400;
    let old = wwsympa::auth::oneclick_id(
        &secret,
        "open@lists.example.org",
        "member@example.org",
        today - 61,
    );
    let fresh = wwsympa::auth::oneclick_id(
        &secret,
        "open@lists.example.org",
        "member@example.org",
        today - 59,
    );
    let url = |id: &str| format!("/sympa/oneclick/open/{id}?email=member%40example.org");
    assert_eq!(bare.post_raw(&url(&old), &[]).status, 410);
    assert!(is_member(&site, "open", "member@example.org"));
    assert_eq!(bare.post_raw(&url(&fresh), &[]).status, 200);
    assert!(!is_member(&site, "open", "member@example.org"));
}

#[test]
fn members_change_their_options_and_owners_anyones() {
    let (_dir, site) = open_site("sub-options");
    let mut member = site.browser("192.0.2.50");
    member.login("member@example.org", PASSWORD);
    let page = member.get("/sympa/suboptions/open");
    assert_eq!(page.status, 200);
    assert!(body(&page).contains(r#"value="mail" checked"#));
    let response = member.post(
        "/sympa/set/open",
        &[
            ("reception", "digest"),
            ("visibility", "conceal"),
            ("gecos", "Mem Ber"),
        ],
    );
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(response.header("Location"), Some("/sympa/suboptions/open"));
    let page = body(&member.get("/sympa/suboptions/open"));
    assert!(page.contains("Your options are saved."));
    assert!(page.contains(r#"value="digest" checked"#));
    assert!(page.contains(r#"value="conceal" checked"#));
    let stored = stored_member(&site, "open", "member@example.org").unwrap();
    assert_eq!(stored.reception, ReceptionMode::Digest);
    assert_eq!(stored.name, "Mem Ber");
    // A mode that does not exist: the error next to its field, nothing changed.
    let response = member.post("/sympa/set/open", &[("reception", "carrier-pigeon")]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains(r#"id="f-reception-error""#));
    assert!(body(&member.get("/sympa/suboptions/open")).contains(r#"value="digest" checked"#));
    assert_eq!(audits(&site, "set"), 1);

    // WWSympa's set/LIST/EMAIL/MODE link: GET fills the form, only the POST changes.
    let mut owner = site.browser("192.0.2.51");
    owner.login("owner@example.org", PASSWORD);
    let page = owner.get("/sympa/set/open/member%40example.org/nomail");
    assert_eq!(page.status, 200);
    assert!(body(&page).contains(r#"value="nomail" checked"#));
    assert_eq!(audits(&site, "set"), 1);
    let response = owner.post(
        "/sympa/set/open",
        &[("email", "member@example.org"), ("reception", "nomail")],
    );
    assert_eq!(response.status, 303);
    assert_eq!(response.header("Location"), Some("/sympa/review/open"));
    assert_eq!(audits(&site, "set"), 2);

    // Someone else may not; non-members have no options page.
    let mut other = site.browser("192.0.2.52");
    other.login("other@example.org", PASSWORD);
    other.get("/sympa/my");
    let response = other.post(
        "/sympa/set/open",
        &[("email", "member@example.org"), ("reception", "mail")],
    );
    assert_eq!(response.status, 403);
    assert_eq!(other.get("/sympa/suboptions/open").status, 403);
    assert_eq!(audits(&site, "set"), 2);
    // Anonymous visitors are sent to log in, and come back.
    let mut anonymous = site.browser("192.0.2.53");
    let response = anonymous.get("/sympa/suboptions/open");
    assert_eq!(response.status, 303);
    assert_eq!(
        response.header("Location"),
        Some("/sympa/login/suboptions/open")
    );
}

#[test]
fn the_old_action_names_still_answer() {
    let (_dir, site) = open_site("sub-aliases");
    let mut visitor = site.browser("192.0.2.60");
    for path in ["/sympa/subrequest/open", "/sympa/sigrequest/open"] {
        let page = visitor.get(path);
        assert_eq!(page.status, 200, "{path}");
    }
    assert!(body(&visitor.get("/sympa/subrequest/open")).contains("Subscribe to open"));
}
