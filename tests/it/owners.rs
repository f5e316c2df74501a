//! Owner actions through `web::App::call`: review (pages, sorting, search, concealed members),
//! add and del (one or many, quiet or not), held subscriptions and unsubscriptions, and the
//! CSV export.

use wwsympa::domain::{
    AdminRole, ListId, ListName, MemberVisibility, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::subscription::{
    audits, email, is_member, link, mail_to, member_count, outbox, site_with, PASSWORD,
};
use crate::support::TempDir;

/// The id of the list `big` that [`review_site`] makes.
fn big_list(site: &Site) -> ListId {
    site.store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse("big").unwrap())
        .unwrap()
        .unwrap()
        .id
}

/// Makes `address` an owner or a moderator of `big`.
fn add_admin(site: &Site, address: &str, role: AdminRole, privileged: bool) {
    let list = big_list(site);
    site.store()
        .transaction(|db| db.add_admin(list, &email(address), role, privileged))
        .unwrap();
}

fn review_site(name: &str, review: ReviewPolicy) -> (TempDir, Site) {
    let (dir, site) = site_with(
        name,
        &[(
            "big",
            SubscribePolicy::OwnerNotify,
            UnsubscribePolicy::Open,
            review,
            Visibility::Noconceal,
        )],
    );
    let list = big_list(&site);
    let mut store = site.store();
    // 60 more members: m00..m59, named in reverse; every tenth one concealed.
    let members: Vec<NewMember> = (0..60)
        .map(|i| {
            let mut m = NewMember::new(email(&format!("m{i:02}@example.org")));
            m.name = format!("Name {:02}", 59 - i);
            if i % 10 == 5 {
                m.visibility = MemberVisibility::Conceal;
            }
            m
        })
        .collect();
    store
        .transaction(|db| db.add_members_bulk(list, &members, 0, |_| {}))
        .unwrap();
    drop(store);
    (dir, site)
}

/// The addresses in the member table of a page, in order.
fn rows(html: &str) -> Vec<String> {
    html.split("<tr>")
        .skip(2)
        .filter_map(|row| {
            let cell = row.split("<td>").nth(1)?;
            Some(cell.split(['<', ' ']).next()?.to_string())
        })
        .collect()
}

#[test]
fn review_pages_sorts_and_searches_hiding_concealed_members_from_non_owners() {
    let (_dir, site) = review_site("own-review", ReviewPolicy::Public);
    let mut anonymous = site.browser("192.0.2.70");
    let page = anonymous.get("/sympa/review/big");
    assert_eq!(page.status, 200);
    let html = body(&page);
    // 61 members, 6 concealed: 55 shown to the public, 25 a page.
    assert!(html.contains("55 members"), "{html}");
    assert!(html.contains("page 1 of 3"));
    let first = rows(&html);
    assert_eq!(first.len(), 25);
    assert_eq!(first[0], "m00@example.org");
    assert!(!first.contains(&"m05@example.org".to_string()), "concealed");
    assert!(!html.contains("/sympa/del/big"), "no owner links");
    let last = rows(&body(&anonymous.get("/sympa/review/big/3/25/email")));
    assert_eq!(last.len(), 5);
    assert_eq!(last.last().unwrap(), "member@example.org");
    // By name: "Name 00" is m59.
    let by_name = rows(&body(&anonymous.get("/sympa/review/big/1/10/name")));
    assert_eq!(by_name.len(), 10);
    assert_eq!(by_name[0], "member@example.org", "the empty name first");
    assert_eq!(by_name[1], "m59@example.org");
    // By date (all joined within a second or two here: ties go by address).
    let by_date = body(&anonymous.get("/sympa/review/big/1/5/date"));
    assert_eq!(rows(&by_date).len(), 5);
    assert!(
        by_date.contains(r#"/1/5/date" aria-current="true""#),
        "{by_date}"
    );
    // Search by address part and by name, in review and in search.
    let found = rows(&body(&anonymous.get("/sympa/review/big?filter=M4")));
    assert_eq!(found.len(), 9, "m40..m49 less the concealed m45: {found:?}");
    let found = rows(&body(&anonymous.get("/sympa/search/big/name%2003")));
    assert_eq!(found, ["m56@example.org"]);
    assert!(body(&anonymous.get("/sympa/search/big/nobody-here")).contains("No member matches"));
    // Absurd pages and sizes are clamped, not errors.
    assert_eq!(anonymous.get("/sympa/review/big/999/0/zzz").status, 200);
    // An over-long filter is a clear refusal.
    let long = format!("/sympa/review/big?filter={}", "x".repeat(101));
    let response = anonymous.get(&long);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("At most 100 characters"));

    // Owners see everyone, with their tools.
    let mut owner = site.browser("192.0.2.71");
    owner.login("owner@example.org", PASSWORD);
    let html = body(&owner.get("/sympa/review/big"));
    assert!(html.contains("61 members"), "{html}");
    assert!(rows(&html).contains(&"m05@example.org".to_string()));
    assert!(html.contains("concealed"));
    assert!(html.contains("/sympa/del/big/m00%40example.org"));
}

#[test]
fn review_follows_the_list_policy() {
    let (_dir, site) = review_site("own-review-policy", ReviewPolicy::Owner);
    let mut anonymous = site.browser("192.0.2.72");
    let response = anonymous.get("/sympa/review/big");
    assert_eq!(response.status, 303);
    assert_eq!(response.header("Location"), Some("/sympa/login/review/big"));
    let mut member = site.browser("192.0.2.73");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/review/big").status, 403);
    assert_eq!(member.get("/sympa/search/big/m1").status, 403);
    let mut owner = site.browser("192.0.2.74");
    owner.login("owner@example.org", PASSWORD);
    assert_eq!(owner.get("/sympa/review/big").status, 200);
}

#[test]
fn owners_add_and_remove_one_or_many_quietly_or_not() {
    let (_dir, site) = review_site("own-add", ReviewPolicy::Owner);
    let mut owner = site.browser("192.0.2.75");
    owner.login("owner@example.org", PASSWORD);
    let page = owner.get("/sympa/add/big/solo%40example.org");
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("solo@example.org</textarea>"));
    let response = owner.post(
        "/sympa/add/big",
        &[(
            "email",
            "ann@example.org Ann Smith\nbob@example.org, Bob\nnot-an-address\nm01@example.org\nANN@example.org",
        )],
    );
    assert_eq!(response.status, 200, "{}", body(&response));
    let html = body(&response);
    assert!(
        html.contains("Added: ann@example.org, bob@example.org"),
        "{html}"
    );
    assert!(html.contains("Members already, unchanged: m01@example.org"));
    assert!(html.contains("Not valid addresses, left out: not-an-address"));
    assert!(is_member(&site, "big", "ann@example.org"));
    assert_eq!(mail_to(&site, "ann@example.org").len(), 1, "welcomed");
    assert_eq!(audits(&site, "add"), 2);
    // Quietly: no mail.
    owner.post(
        "/sympa/add/big",
        &[("email", "quiet@example.org"), ("quiet", "1")],
    );
    assert!(is_member(&site, "big", "quiet@example.org"));
    assert!(mail_to(&site, "quiet@example.org").is_empty());
    // Nothing valid: the error next to the field, the text kept.
    let response = owner.post("/sympa/add/big", &[("email", "junk")]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains(r#"id="f-email-error""#));
    assert!(body(&response).contains("junk</textarea>"));

    let count = member_count(&site, "big");
    let response = owner.post(
        "/sympa/del/big",
        &[(
            "email",
            "ann@example.org\nbob@example.org\nnobody@example.org",
        )],
    );
    assert_eq!(response.status, 200);
    let html = body(&response);
    assert!(
        html.contains("Removed: ann@example.org, bob@example.org"),
        "{html}"
    );
    assert!(html.contains("Not members: nobody@example.org"));
    assert_eq!(member_count(&site, "big"), count - 2);
    // Removed by an owner: told so (Sympa's removed.tt2), not that they left.
    let goodbye = mail_to(&site, "bob@example.org");
    assert!(
        goodbye
            .iter()
            .any(|m| m.contains("Subject: You were removed from big@lists.example.org")),
        "{goodbye:?}"
    );
    assert!(!goodbye.iter().any(|m| m.contains("You left the list")));
    // The old path form del/LIST/EMAIL asks first; only the POST removes.
    let page = owner.get("/sympa/del/big/m02%40example.org");
    assert!(body(&page).contains("m02@example.org</textarea>"));
    assert!(is_member(&site, "big", "m02@example.org"));
    // Members may not.
    let mut member = site.browser("192.0.2.76");
    member.login("member@example.org", PASSWORD);
    member.get("/sympa/my");
    assert_eq!(member.get("/sympa/add/big").status, 403);
    let response = member.post("/sympa/del/big", &[("email", "m02@example.org")]);
    assert_eq!(response.status, 403);
    assert!(is_member(&site, "big", "m02@example.org"));
}

#[test]
fn held_subscriptions_are_accepted_or_declined_by_owners() {
    let (_dir, site) = review_site("own-held", ReviewPolicy::Owner);
    for user in ["one@example.org", "two@example.org", "three@example.org"] {
        site.add_user(user, PASSWORD);
        let mut browser = site.browser("192.0.2.80");
        browser.login(user, PASSWORD);
        browser.get("/sympa/subscribe/big");
        let response = browser.post("/sympa/subscribe/big", &[("gecos", "Someone")]);
        assert_eq!(response.status, 200);
        assert!(body(&response).contains("waiting for the list&#39;s owners"));
        // Asking twice does not make a second request.
        browser.post("/sympa/subscribe/big", &[]);
    }
    assert!(!is_member(&site, "big", "one@example.org"));
    // Each waits for the owners 30 days.
    assert_eq!(
        site.db.texts(
            "SELECT DISTINCT expires_at - created_at FROM pending_requests WHERE state = 'owner'"
        ),
        [(30 * 24 * 3600).to_string()]
    );
    let notices = mail_to(&site, "owner@example.org");
    assert_eq!(notices.len(), 3, "one notice per request");
    assert!(notices[0].contains("Subscription request: one@example.org (Someone)"));
    assert!(
        notices[0].contains("http://lists.example.org/sympa/subindex/big\n"),
        "the notice leads to all the waiting requests: {}",
        notices[0]
    );

    let mut owner = site.browser("192.0.2.81");
    owner.login("owner@example.org", PASSWORD);
    let html = body(&owner.get("/sympa/subindex/big"));
    assert!(html.contains("3 requests"), "{html}");
    assert!(html.contains(r#"formaction="/sympa/decl_add/big""#));

    let response = owner.post("/sympa/auth_add/big", &[("email", "one@example.org")]);
    assert_eq!(response.status, 303);
    assert!(is_member(&site, "big", "one@example.org"));
    assert!(mail_to(&site, "one@example.org")
        .iter()
        .any(|m| m.contains("Subject: Welcome")));
    // owner_notify: the owners hear about the new member.
    assert!(mail_to(&site, "owner@example.org")
        .iter()
        .any(|m| m.contains("New member: one@example.org")));

    owner.get("/sympa/subindex/big");
    let response = owner.post("/sympa/ignoresub/big", &[("email", "two@example.org")]);
    assert_eq!(response.status, 303, "the old name works");
    assert!(!is_member(&site, "big", "two@example.org"));
    assert!(mail_to(&site, "two@example.org")
        .iter()
        .any(|m| m.contains("was declined")));
    // Deciding again: nothing waits, said so; nothing changes.
    let response = owner.post("/sympa/auth_add/big", &[("email", "two@example.org")]);
    assert_eq!(response.status, 303);
    assert!(body(&owner.get("/sympa/subindex/big")).contains("No waiting request"));
    assert!(!is_member(&site, "big", "two@example.org"));

    // The third one through the link of the owners' mail (WWSympa's auth/KEY/add/LIST).
    let notice = mail_to(&site, "owner@example.org")
        .into_iter()
        .find(|m| m.contains("three@example.org"))
        .unwrap();
    let path = link(&notice, "http://lists.example.org/sympa/auth/");
    assert!(
        path.contains("/add/big?email=three%40example.org"),
        "{path}"
    );
    let page = owner.get(&path);
    assert!(body(&page).contains("Accept the subscription of <strong>three@example.org"));
    assert_eq!(owner.post(&path, &[]).status, 200);
    assert!(is_member(&site, "big", "three@example.org"));
    assert_eq!(owner.post(&path, &[]).status, 410, "used once");
    assert!(body(&owner.get("/sympa/subindex/big")).contains("No subscription is waiting."));
    assert_eq!(audits(&site, "auth_add"), 2);
    assert_eq!(audits(&site, "decl_add"), 1);

    // Members cannot decide; an empty choice is a clear message.
    let mut member = site.browser("192.0.2.82");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/subindex/big").status, 403);
    let response = owner.post("/sympa/auth_add/big", &[]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("Choose at least one request."));
}

#[test]
fn held_unsubscriptions_are_accepted_or_declined_by_owners() {
    let (_dir, site) = site_with(
        "own-held-sig",
        &[(
            "big",
            SubscribePolicy::Open,
            UnsubscribePolicy::OwnerNotify,
            ReviewPolicy::Owner,
            Visibility::Noconceal,
        )],
    );
    let leavers = [
        "one@example.org",
        "two@example.org",
        "three@example.org",
        "four@example.org",
        "five@example.org",
    ];
    {
        let store = site.store();
        let list = store
            .db()
            .list_by_name("lists.example.org", &ListName::parse("big").unwrap())
            .unwrap()
            .unwrap();
        for user in leavers {
            site.add_user(user, PASSWORD);
            store
                .db()
                .add_member(list.id, &NewMember::new(email(user)))
                .unwrap();
        }
    }
    for user in leavers {
        let mut browser = site.browser("192.0.2.83");
        browser.login(user, PASSWORD);
        browser.get("/sympa/signoff/big");
        let response = browser.post("/sympa/signoff/big", &[]);
        assert_eq!(response.status, 200);
        assert!(body(&response).contains("waiting for the list&#39;s owners"));
        // Asking twice does not make a second request.
        browser.post("/sympa/signoff/big", &[]);
        assert!(is_member(&site, "big", user), "held, not done");
    }
    let notices = mail_to(&site, "owner@example.org");
    assert_eq!(notices.len(), 5, "one notice per request");
    assert!(notices[0].contains("Unsubscription request: one@example.org"));
    assert!(
        notices[0].contains("http://lists.example.org/sympa/sigindex/big\n"),
        "{}",
        notices[0]
    );
    assert_eq!(outbox(&site).len(), 5, "only the owners were mailed");

    let mut owner = site.browser("192.0.2.84");
    owner.login("owner@example.org", PASSWORD);
    // The owners find the page from the list's pages.
    for page in [
        "/sympa/info/big",
        "/sympa/review/big",
        "/sympa/subindex/big",
    ] {
        assert!(
            body(&owner.get(page)).contains(r#"href="/sympa/sigindex/big""#),
            "{page}"
        );
    }
    assert!(
        body(&owner.get("/sympa/subindex/big")).contains("No subscription is waiting."),
        "unsubscriptions are not subscriptions"
    );
    let html = body(&owner.get("/sympa/sigindex/big"));
    assert!(html.contains("5 requests"), "{html}");
    assert!(html.contains(r#"action="/sympa/auth_del/big""#));
    assert!(html.contains(r#"formaction="/sympa/decl_del/big""#));
    assert!(html.contains(r#"name="email" value="three@example.org""#));

    // A forged or missing token changes nothing.
    let forged = "C".repeat(43);
    for token in ["", forged.as_str()] {
        let response = owner.post_raw(
            "/sympa/auth_del/big",
            &[("email", "one@example.org"), ("csrf_token", token)],
        );
        assert_eq!(response.status, 403);
        let response = owner.post_raw(
            "/sympa/decl_del/big",
            &[("email", "two@example.org"), ("csrf_token", token)],
        );
        assert_eq!(response.status, 403);
    }
    assert!(is_member(&site, "big", "one@example.org"));
    assert!(body(&owner.get("/sympa/sigindex/big")).contains("5 requests"));
    assert_eq!(outbox(&site).len(), 5);

    // Accept two at once (and one address that asked nothing).
    let response = owner.post(
        "/sympa/auth_del/big",
        &[
            ("email", "one@example.org"),
            ("email", "three@example.org"),
            ("email", "nobody@example.org"),
        ],
    );
    assert_eq!(response.status, 303);
    assert_eq!(response.header("Location"), Some("/sympa/sigindex/big"));
    let html = body(&owner.get("/sympa/sigindex/big"));
    assert!(
        html.contains("Accepted: one@example.org, three@example.org."),
        "{html}"
    );
    assert!(html.contains("No waiting request (decided already?): nobody@example.org."));
    assert!(html.contains("3 requests"));
    for gone in ["one@example.org", "three@example.org"] {
        assert!(!is_member(&site, "big", gone));
        let mails = mail_to(&site, gone);
        assert_eq!(mails.len(), 1, "{gone}: the goodbye mail only");
        assert!(mails[0].contains("You left the list big@lists.example.org"));
        // owner_notify: the owners hear about it.
        assert!(mail_to(&site, "owner@example.org")
            .iter()
            .any(|m| m.contains(&format!("A member left: {gone}"))));
    }
    assert_eq!(audits(&site, "auth_del"), 2);
    // Replayed: nothing waits, said so; nothing changes.
    let sent = outbox(&site).len();
    let response = owner.post("/sympa/auth_del/big", &[("email", "one@example.org")]);
    assert_eq!(response.status, 303);
    assert!(body(&owner.get("/sympa/sigindex/big")).contains("No waiting request"));
    assert_eq!(outbox(&site).len(), sent);
    assert_eq!(audits(&site, "auth_del"), 2);
    // The owners' mailed link for a request decided on the web is used up.
    let link_for = |who: &str| {
        let notice = mail_to(&site, "owner@example.org")
            .into_iter()
            .find(|m| m.contains(&format!("Unsubscription request: {who}")))
            .unwrap();
        link(&notice, "http://lists.example.org/sympa/auth/")
    };
    assert_eq!(owner.post(&link_for("one@example.org"), &[]).status, 410);

    // Decline one, through the old name: the member stays and is told.
    let response = owner.post("/sympa/ignoresig/big", &[("email", "two@example.org")]);
    assert_eq!(response.status, 303, "the old name works");
    assert!(is_member(&site, "big", "two@example.org"));
    let mails = mail_to(&site, "two@example.org");
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("Subject: Your unsubscription from big@lists.example.org was declined")
    );
    assert!(mails[0].contains("still a member"));
    assert_eq!(audits(&site, "decl_del"), 1);
    // Declined is decided: accepting it afterwards finds nothing.
    owner.get("/sympa/sigindex/big");
    owner.post("/sympa/auth_del/big", &[("email", "two@example.org")]);
    assert!(is_member(&site, "big", "two@example.org"));
    assert_eq!(mail_to(&site, "two@example.org").len(), 1);

    // The fourth through the owners' mailed link (WWSympa's auth/KEY/del/LIST): the same
    // operation as auth_del.
    let path = link_for("four@example.org");
    assert!(path.contains("/del/big?email=four%40example.org"), "{path}");
    assert!(body(&owner.get(&path)).contains("Accept that <strong>four@example.org"));
    assert_eq!(owner.post(&path, &[]).status, 200);
    assert!(!is_member(&site, "big", "four@example.org"));
    assert!(mail_to(&site, "four@example.org")[0].contains("You left the list"));
    assert_eq!(audits(&site, "auth_del"), 3);

    // The fifth quietly, through the old name: no goodbye mail.
    owner.get("/sympa/sigindex/big");
    let response = owner.post(
        "/sympa/del_fromsig/big",
        &[("email", "five@example.org"), ("quiet", "1")],
    );
    assert_eq!(response.status, 303, "the old name works");
    assert!(!is_member(&site, "big", "five@example.org"));
    assert!(mail_to(&site, "five@example.org").is_empty());
    assert_eq!(audits(&site, "auth_del"), 4);
    assert!(body(&owner.get("/sympa/sigindex/big")).contains("No unsubscription is waiting."));

    // Members cannot decide; an empty choice is a clear message.
    let mut member = site.browser("192.0.2.85");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/sigindex/big").status, 403);
    member.get("/sympa/signoff/big");
    let response = member.post("/sympa/decl_del/big", &[("email", "two@example.org")]);
    assert_eq!(response.status, 403);
    assert!(body(&response).contains("You are not allowed to do this on this list."));
    let response = owner.post("/sympa/auth_del/big", &[]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("Choose at least one request."));
    assert_eq!(member_count(&site, "big"), 2, "member@ and two@");
}

#[test]
fn owners_export_the_members_as_csv() {
    let (_dir, site) = review_site("own-export", ReviewPolicy::Public);
    let mut owner = site.browser("192.0.2.90");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/add/big");
    owner.post(
        "/sympa/add/big",
        &[
            ("email", "eve@example.org =HYPERLINK(\"x\"), with comma"),
            ("quiet", "1"),
        ],
    );
    assert!(body(&owner.get("/sympa/export_member/big")).contains("/export_member/big/full"));
    let response = owner.get("/sympa/export_member/big/full");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        response.header("Content-Disposition"),
        Some("attachment; filename=\"big@lists.example.org.csv\"")
    );
    let csv = body(&response);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "email,name,reception,visibility,subscribed");
    assert_eq!(lines.len(), 1 + 62);
    assert!(
        lines[1]
            .starts_with("eve@example.org,\"'=HYPERLINK(\"\"x\"\"), with comma\",mail,noconceal,"),
        "{}",
        lines[1]
    );
    let light = body(&owner.get("/sympa/dump/big/light"));
    assert_eq!(light.lines().nth(1), Some("eve@example.org"));
    // Public review does not make the export public.
    let mut anonymous = site.browser("192.0.2.91");
    assert_eq!(anonymous.get("/sympa/export_member/big/full").status, 303);
    let mut member = site.browser("192.0.2.92");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/export_member/big/full").status, 403);
}

#[test]
fn moderators_find_the_held_requests_but_not_the_owners_tools() {
    let (_dir, site) = review_site("own-mod", ReviewPolicy::Private);
    site.add_user("mod@example.org", PASSWORD);
    add_admin(&site, "mod@example.org", AdminRole::Editor, false);
    let mut moderator = site.browser("192.0.2.90");
    moderator.login("mod@example.org", PASSWORD);
    for page in ["/sympa/info/big", "/sympa/review/big"] {
        let html = body(&moderator.get(page));
        for pending in ["/sympa/subindex/big", "/sympa/sigindex/big"] {
            assert!(
                html.contains(&format!(r#"href="{pending}""#)),
                "{page}: {html}"
            );
        }
        assert!(!html.contains(r#"href="/sympa/add/big""#), "{page}");
        assert!(
            !html.contains(r#"href="/sympa/export_member/big""#),
            "{page}"
        );
    }
    assert_eq!(moderator.get("/sympa/sigindex/big").status, 200);
    assert_eq!(moderator.get("/sympa/add/big").status, 403);
}

#[test]
fn review_owner_and_editor_list_the_admins_under_the_review_policy() {
    let (_dir, site) = review_site("own-admins", ReviewPolicy::Owner);
    add_admin(&site, "boss@example.org", AdminRole::Owner, true);
    add_admin(&site, "mod@example.org", AdminRole::Editor, false);
    let mut owner = site.browser("192.0.2.91");
    owner.login("owner@example.org", PASSWORD);
    let html = body(&owner.get("/sympa/review/big/owner"));
    assert!(html.contains("<h1>Owners of big</h1>"), "{html}");
    assert!(html.contains("2 owners"), "{html}");
    assert!(
        html.contains("<td>boss@example.org</td><td></td><td>yes</td>"),
        "{html}"
    );
    assert!(html.contains("<td>owner@example.org</td>"), "{html}");
    assert!(!html.contains("mod@example.org"), "{html}");
    assert!(
        !html.contains("m00@example.org"),
        "owners, not members: {html}"
    );
    let html = body(&owner.get("/sympa/review/big/editor"));
    assert!(html.contains("<h1>Moderators of big</h1>"), "{html}");
    assert!(html.contains("<td>mod@example.org</td>"), "{html}");
    assert!(!html.contains("boss@example.org"), "{html}");
    // The members' page links to both; the review policy guards all three.
    let html = body(&owner.get("/sympa/review/big"));
    assert!(html.contains(r#"href="/sympa/review/big/owner""#), "{html}");
    let mut member = site.browser("192.0.2.92");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/review/big/owner").status, 403);
    assert_eq!(
        site.browser("192.0.2.93")
            .get("/sympa/review/big/editor")
            .status,
        303
    );
}
