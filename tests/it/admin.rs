//! List administration through `web::App::call`: the `admin` dashboard, the settings form by group (`edit_list_request`/`edit_list`) with its per-parameter privileges, and owners and moderators on `edit`, with forged posts, CSRF, the last-owner rules and escaping.

use wwsympa::domain::{
    AdminRole, ListName, ReviewPolicy, SendPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};

use crate::browser::{body, Site};
use crate::subscription::{audits, email, site_with, PASSWORD};
use crate::support::TempDir;

/// A site with one list `team` (member@ a member, owner@ its privileged owner) and
/// plain@ a normal owner, mod@ a moderator, boss@ the configured listmaster.
fn admin_site(name: &str) -> (TempDir, Site) {
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
    for user in ["plain@example.org", "mod@example.org", "boss@example.org"] {
        site.add_user(user, PASSWORD);
    }
    let list = team(&site).id;
    site.store()
        .transaction(|db| {
            db.add_admin(list, &email("plain@example.org"), AdminRole::Owner, false)?;
            db.add_admin(list, &email("mod@example.org"), AdminRole::Editor, false)
        })
        .unwrap();
    (dir, site)
}

fn team(site: &Site) -> wwsympa::domain::List {
    site.store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .unwrap()
}

fn send_policy(site: &Site) -> SendPolicy {
    site.store()
        .db()
        .list_mail_settings(team(site).id)
        .unwrap()
        .send
}

fn owners(site: &Site) -> Vec<(String, AdminRole, bool)> {
    site.store()
        .db()
        .admin_entries(team(site).id)
        .unwrap()
        .into_iter()
        .map(|e| (e.email.as_str().to_string(), e.role, e.privileged))
        .collect()
}

#[test]
fn dashboard_counts_what_waits_and_links_every_admin_page() {
    let (_dir, site) = admin_site("adm-dash");
    let mut owner = site.browser("192.0.2.80");
    owner.login("owner@example.org", PASSWORD);
    let page = owner.get("/sympa/admin/team");
    assert_eq!(page.status, 200);
    let html = body(&page);
    assert!(html.contains("1 member"), "{html}");
    for link in [
        "/sympa/edit_list_request/team/description",
        "/sympa/edit_list_request/team/bounces",
        "/sympa/edit/team/owner",
        "/sympa/edit/team/editor",
        "/sympa/review/team",
    ] {
        assert!(html.contains(link), "{link} missing");
    }
    // A change shows among the recent ones.
    owner.get("/sympa/edit_list_request/team/description");
    let saved = owner.post(
        "/sympa/edit_list/team/description",
        &[("subject", "Our team")],
    );
    assert_eq!(saved.status, 303);
    let html = body(&owner.get("/sympa/admin/team"));
    assert!(html.contains("edit_list"), "{html}");
    // A moderator sees the dashboard, without the settings or the changes.
    let mut moderator = site.browser("192.0.2.81");
    moderator.login("mod@example.org", PASSWORD);
    let html = body(&moderator.get("/sympa/admin/team"));
    assert!(html.contains("/sympa/modindex/team"));
    assert!(!html.contains("/sympa/edit_list_request/team"), "{html}");
    // Members are refused.
    let mut member = site.browser("192.0.2.82");
    member.login("member@example.org", PASSWORD);
    assert_eq!(member.get("/sympa/admin/team").status, 403);
}

#[test]
fn settings_are_saved_with_an_audit_row_and_an_unchanged_form_writes_nothing() {
    let (_dir, site) = admin_site("adm-save");
    let mut owner = site.browser("192.0.2.83");
    owner.login("owner@example.org", PASSWORD);
    let form = body(&owner.get("/sympa/edit_list_request/team/description"));
    assert!(form.contains(r#"name="subject""#), "{form}");
    // The form as it is: nothing changes, no audit row.
    let subject = team(&site).subject;
    let same = owner.post(
        "/sympa/edit_list/team/description",
        &[
            ("subject", &subject),
            ("info", ""),
            ("topics", ""),
            ("visibility", "noconceal"),
        ],
    );
    assert_eq!(same.status, 303);
    assert_eq!(audits(&site, "edit_list"), 0);
    // A privileged owner changes who may post and the digest.
    owner.get("/sympa/edit_list_request/team/sending");
    let saved = owner.post(
        "/sympa/edit_list/team/sending",
        &[("send", "newsletter"), ("digest", "1,4 13:26")],
    );
    assert_eq!(saved.status, 303, "{}", body(&saved));
    assert_eq!(send_policy(&site), SendPolicy::Newsletter);
    assert_eq!(audits(&site, "edit_list"), 1);
    let digest = site.store().db().digest_settings(team(&site).id).unwrap();
    assert_eq!(digest.schedule_text(), "1,4 13:26");
    // An unknown group is a 404.
    assert_eq!(owner.get("/sympa/edit_list_request/team/dkim").status, 404);
}

#[test]
fn a_bad_value_is_shown_next_to_its_field_kept_and_changes_nothing() {
    let (_dir, site) = admin_site("adm-bad");
    let mut owner = site.browser("192.0.2.84");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/edit_list_request/team/description");
    let refused = owner.post(
        "/sympa/edit_list/team/description",
        &[
            ("subject", "A fine new subject"),
            ("visibility", "everyone"),
        ],
    );
    assert_eq!(refused.status, 422);
    let html = body(&refused);
    assert!(html.contains("f-visibility-error"), "{html}");
    assert!(
        html.contains(r#"value="A fine new subject""#),
        "the typed value is kept"
    );
    // The valid subject was not saved either.
    assert_eq!(team(&site).subject, "The team list");
    assert_eq!(audits(&site, "edit_list"), 0);
    // Too many digest messages, a bad schedule: both named.
    owner.get("/sympa/edit_list_request/team/sending");
    let html = body(&owner.post(
        "/sympa/edit_list/team/sending",
        &[("digest", "9 10:00"), ("digest_max_size", "0")],
    ));
    assert!(html.contains("f-digest-error") && html.contains("f-digest_max_size-error"));
}

#[test]
fn a_normal_owner_sees_privileged_settings_read_only_and_a_forged_post_is_refused() {
    let (_dir, site) = admin_site("adm-priv");
    let mut plain = site.browser("192.0.2.85");
    plain.login("plain@example.org", PASSWORD);
    let html = body(&plain.get("/sympa/edit_list_request/team/sending"));
    // `send` is shown read-only, `max_size` not at all.
    assert!(!html.contains(r#"name="send""#), "{html}");
    assert!(html.contains("f-send"));
    assert!(!html.contains(r#"id="f-max_size""#), "hidden");
    assert!(html.contains(r#"name="custom_subject""#));
    let forged = plain.post("/sympa/edit_list/team/sending", &[("send", "public")]);
    assert_eq!(forged.status, 422);
    assert!(body(&forged).contains("f-send-error"));
    let forged = plain.post(
        "/sympa/edit_list/team/sending",
        &[("max_size", "99999"), ("custom_subject", "team")],
    );
    assert_eq!(forged.status, 422);
    assert!(
        body(&forged).contains("max_size"),
        "the hidden field is named"
    );
    assert_eq!(send_policy(&site), SendPolicy::PrivateOrModerated);
    let mail = site
        .store()
        .db()
        .list_mail_settings(team(&site).id)
        .unwrap();
    assert_eq!(mail.subject_tag, "", "nothing changed");
    // What a normal owner may change, they change.
    let ok = plain.post(
        "/sympa/edit_list/team/sending",
        &[("custom_subject", "team")],
    );
    assert_eq!(ok.status, 303);
    // The listmaster changes what owners cannot.
    let mut boss = site.browser("192.0.2.86");
    boss.login("boss@example.org", PASSWORD);
    boss.get("/sympa/edit_list_request/team/sending");
    let ok = boss.post("/sympa/edit_list/team/sending", &[("max_size", "99999")]);
    assert_eq!(ok.status, 303, "{}", body(&ok));
    let mail = site
        .store()
        .db()
        .list_mail_settings(team(&site).id)
        .unwrap();
    assert_eq!(mail.max_size, 99999);
}

#[test]
fn settings_posts_without_the_csrf_token_change_nothing() {
    let (_dir, site) = admin_site("adm-csrf");
    let mut owner = site.browser("192.0.2.87");
    owner.login("owner@example.org", PASSWORD);
    let response = owner.post_raw(
        "/sympa/edit_list/team/description",
        &[("subject", "Hijacked")],
    );
    assert_eq!(response.status, 403);
    let response = owner.post_raw(
        "/sympa/edit/team/owner",
        &[
            ("do", "add"),
            ("email", "evil@example.org"),
            ("profile", "privileged"),
        ],
    );
    assert_eq!(response.status, 403);
    assert_eq!(team(&site).subject, "The team list");
    assert_eq!(owners(&site).len(), 3);
}

#[test]
fn what_an_owner_types_is_escaped_everywhere() {
    let (_dir, site) = admin_site("adm-xss");
    let mut owner = site.browser("192.0.2.88");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/edit_list_request/team/description");
    let evil = "<script>alert(1)</script>";
    let saved = owner.post(
        "/sympa/edit_list/team/description",
        &[("subject", evil), ("info", evil), ("topics", evil)],
    );
    assert_eq!(saved.status, 303);
    assert_eq!(team(&site).subject, evil, "stored as typed");
    for page in [
        "/sympa/admin/team",
        "/sympa/edit_list_request/team/description",
        "/sympa/info/team",
        "/sympa/lists",
    ] {
        let html = body(&owner.get(page));
        assert!(!html.contains("<script>alert"), "{page}: {html}");
        assert!(html.contains("&lt;script&gt;"), "{page} shows it escaped");
    }
    // An owner's name too.
    owner.get("/sympa/edit/team/editor");
    owner.post(
        "/sympa/edit/team/editor",
        &[
            ("do", "update"),
            ("email", "mod@example.org"),
            ("gecos", evil),
        ],
    );
    let html = body(&owner.get("/sympa/edit/team/editor"));
    assert!(!html.contains("<script>alert") && html.contains("&lt;script&gt;"));
}

#[test]
fn owners_are_managed_by_privileged_owners_and_the_last_ones_stay() {
    let (_dir, site) = admin_site("adm-owners");
    // A normal owner manages moderators but not owners, and cannot promote anyone.
    let mut plain = site.browser("192.0.2.89");
    plain.login("plain@example.org", PASSWORD);
    let html = body(&plain.get("/sympa/edit/team/owner"));
    assert!(!html.contains(r#"name="profile""#), "{html}");
    let refused = plain.post(
        "/sympa/edit/team/owner",
        &[
            ("do", "update"),
            ("email", "plain@example.org"),
            ("profile", "privileged"),
        ],
    );
    assert_eq!(refused.status, 403);
    let refused = plain.post(
        "/sympa/edit/team/owner",
        &[("do", "remove"), ("email", "owner@example.org")],
    );
    assert_eq!(refused.status, 403);
    plain.get("/sympa/edit/team/editor");
    let added = plain.post(
        "/sympa/edit/team/editor",
        &[
            ("do", "add"),
            ("email", "new-mod@example.org"),
            ("gecos", "New"),
        ],
    );
    assert_eq!(added.status, 303);
    assert!(owners(&site).contains(&("new-mod@example.org".into(), AdminRole::Editor, false)));
    assert_eq!(audits(&site, "add_admin"), 1);
    // A bad address is shown, nothing added.
    let bad = plain.post(
        "/sympa/edit/team/editor",
        &[("do", "add"), ("email", "not an address")],
    );
    assert_eq!(bad.status, 422);
    assert!(body(&bad).contains(r#"value="not an address""#));

    // The privileged owner cannot demote or remove themselves: the last privileged owner.
    let mut owner = site.browser("192.0.2.90");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/edit/team/owner");
    let refused = owner.post(
        "/sympa/edit/team/owner",
        &[
            ("do", "update"),
            ("email", "owner@example.org"),
            ("profile", "normal"),
        ],
    );
    assert_eq!(refused.status, 422);
    let refused = owner.post(
        "/sympa/edit/team/owner",
        &[("do", "remove"), ("email", "owner@example.org")],
    );
    assert_eq!(refused.status, 422);
    assert!(owners(&site).contains(&("owner@example.org".into(), AdminRole::Owner, true)));
    // They promote plain@, then may step down.
    let ok = owner.post(
        "/sympa/edit/team/owner",
        &[
            ("do", "update"),
            ("email", "plain@example.org"),
            ("profile", "privileged"),
        ],
    );
    assert_eq!(ok.status, 303);
    let ok = owner.post(
        "/sympa/edit/team/owner",
        &[("do", "remove"), ("email", "owner@example.org")],
    );
    assert_eq!(ok.status, 303);
    // The last owner is never removed, not even by a listmaster.
    let mut boss = site.browser("192.0.2.91");
    boss.login("boss@example.org", PASSWORD);
    boss.get("/sympa/edit/team/owner");
    let refused = boss.post(
        "/sympa/edit/team/owner",
        &[("do", "remove"), ("email", "plain@example.org")],
    );
    assert_eq!(refused.status, 422);
    assert_eq!(
        owners(&site)
            .iter()
            .filter(|(_, role, _)| *role == AdminRole::Owner)
            .count(),
        1
    );
    // A listmaster may demote the last privileged owner.
    let ok = boss.post(
        "/sympa/edit/team/owner",
        &[
            ("do", "update"),
            ("email", "plain@example.org"),
            ("profile", "normal"),
        ],
    );
    assert_eq!(ok.status, 303);
    assert!(owners(&site).contains(&("plain@example.org".into(), AdminRole::Owner, false)));
}
