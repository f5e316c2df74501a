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

#[test]
fn the_list_language_is_chosen_among_the_sites_catalogues() {
    let (_dir, site) = admin_site("adm-lang");
    let mut owner = site.browser("192.0.2.92");
    owner.login("owner@example.org", PASSWORD);
    let form = body(&owner.get("/sympa/edit_list_request/team/description"));
    assert!(form.contains(r#"<option value="fr""#), "{form}");
    let refused = owner.post("/sympa/edit_list/team/description", &[("lang", "xx")]);
    assert_eq!(refused.status, 422, "a language the site does not have");
    assert!(body(&refused).contains("f-lang-error"));
    assert_eq!(team(&site).lang, "");
    let saved = owner.post("/sympa/edit_list/team/description", &[("lang", "fr")]);
    assert_eq!(saved.status, 303);
    assert_eq!(team(&site).lang, "fr");
    // Back to the site's language.
    owner.get("/sympa/edit_list_request/team/description");
    let saved = owner.post("/sympa/edit_list/team/description", &[("lang", "")]);
    assert_eq!(saved.status, 303);
    assert_eq!(team(&site).lang, "");
}

#[test]
fn auto_signoff_is_the_signoff_page_with_the_address_filled_in() {
    let (_dir, site) = admin_site("adm-autosig");
    let mut anonymous = site.browser("192.0.2.93");
    let page = anonymous.get("/sympa/auto_signoff/team/member%40example.org");
    assert_eq!(page.status, 200, "{}", body(&page));
    let html = body(&page);
    assert!(html.contains(r#"action="/sympa/signoff/team""#), "{html}");
    assert!(html.contains(r#"value="member@example.org""#), "{html}");
    // What an address in the link holds is escaped.
    let html = body(&anonymous.get("/sympa/auto_signoff/team/%22%3E%3Cscript%3E"));
    assert!(!html.contains("\"><script>"), "{html}");
    // Confirming goes through signoff: a confirmation mail for an anonymous visitor.
    let confirm = anonymous.post("/sympa/signoff/team", &[("email", "member@example.org")]);
    assert_eq!(confirm.status, 200, "{}", body(&confirm));
    assert!(crate::subscription::is_member(
        &site,
        "team",
        "member@example.org"
    ));
}

#[test]
fn custom_attributes_defined_by_an_owner_are_asked_and_kept_at_subscription() {
    use crate::subscription::{link, mail_to, stored_member};
    let (_dir, site) = admin_site("adm-custom");
    let mut owner = site.browser("192.0.2.94");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/edit_list_request/team/command");
    // A bad line is named, nothing saved.
    let refused = owner.post(
        "/sympa/edit_list/team/command",
        &[("custom_attribute", "org | Organisation | colour | required")],
    );
    assert_eq!(refused.status, 422);
    assert!(body(&refused).contains("Line 1:"), "{}", body(&refused));
    let saved = owner.post(
        "/sympa/edit_list/team/command",
        &[(
            "custom_attribute",
            "org | Organisation | string | required\nsize | T-shirt <size> | enum | optional | S, M, L",
        )],
    );
    assert_eq!(saved.status, 303, "{}", body(&saved));

    // A logged-in user is asked; a missing required answer is named, nothing done.
    let mut user = site.browser("192.0.2.95");
    user.login("other@example.org", PASSWORD);
    let form = body(&user.get("/sympa/subscribe/team"));
    assert!(form.contains(r#"name="custom_org""#), "{form}");
    assert!(form.contains("T-shirt &lt;size&gt;"), "the name is escaped");
    let refused = user.post("/sympa/subscribe/team", &[("custom_size", "M")]);
    assert_eq!(refused.status, 422);
    assert!(body(&refused).contains("f-custom_org-error"));
    assert!(stored_member(&site, "team", "other@example.org").is_none());
    let refused = user.post(
        "/sympa/subscribe/team",
        &[("custom_org", "ACME"), ("custom_size", "XXL")],
    );
    assert!(body(&refused).contains("f-custom_size-error"));
    let done = user.post(
        "/sympa/subscribe/team",
        &[("custom_org", "ACME"), ("custom_size", "M")],
    );
    assert_eq!(done.status, 303, "{}", body(&done));
    let member = stored_member(&site, "team", "other@example.org").unwrap();
    assert_eq!(
        member.custom_attributes.get("org").map(String::as_str),
        Some("ACME")
    );
    assert_eq!(
        member.custom_attributes.get("size").map(String::as_str),
        Some("M")
    );

    // An anonymous visitor's answers wait with the confirmation.
    let mut visitor = site.browser("192.0.2.96");
    visitor.get("/sympa/subscribe/team");
    let sent = visitor.post(
        "/sympa/subscribe/team",
        &[("email", "new@example.org"), ("custom_org", "Initech")],
    );
    assert_eq!(sent.status, 200, "{}", body(&sent));
    let mails = mail_to(&site, "new@example.org");
    let path = link(&mails[0], "http://lists.example.org/sympa/auth/");
    let confirmed = visitor.post(&path, &[]);
    assert_eq!(confirmed.status, 200, "{}", body(&confirmed));
    let member = stored_member(&site, "team", "new@example.org").unwrap();
    assert_eq!(
        member.custom_attributes.get("org").map(String::as_str),
        Some("Initech")
    );
    assert!(!member.custom_attributes.contains_key("size"));
}

#[test]
fn the_default_reception_chosen_by_an_owner_is_new_members_reception() {
    use crate::subscription::stored_member;
    use wwsympa::domain::ReceptionMode;
    let (_dir, site) = admin_site("adm-reception");
    let mut owner = site.browser("192.0.2.97");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/edit_list_request/team/sending");
    let refused = owner.post(
        "/sympa/edit_list/team/sending",
        &[("default_user_options.reception", "pigeon")],
    );
    assert_eq!(refused.status, 422);
    let saved = owner.post(
        "/sympa/edit_list/team/sending",
        &[("default_user_options.reception", "digest")],
    );
    assert_eq!(saved.status, 303);
    let mut user = site.browser("192.0.2.98");
    user.login("other@example.org", PASSWORD);
    user.get("/sympa/subscribe/team");
    assert_eq!(user.post("/sympa/subscribe/team", &[]).status, 303);
    let member = stored_member(&site, "team", "other@example.org").unwrap();
    assert_eq!(member.reception, ReceptionMode::Digest);
    // Members already there keep theirs.
    let member = stored_member(&site, "team", "member@example.org").unwrap();
    assert_eq!(member.reception, ReceptionMode::Mail);
}

#[test]
fn an_owner_who_asks_not_to_be_shown_is_shown_to_owners_only() {
    let (_dir, site) = admin_site("adm-conceal");
    let mut owner = site.browser("192.0.2.99");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/edit/team/owner");
    let saved = owner.post(
        "/sympa/edit/team/owner",
        &[
            ("do", "update"),
            ("email", "plain@example.org"),
            ("visibility", "conceal"),
        ],
    );
    assert_eq!(saved.status, 303);
    assert!(body(&owner.get("/sympa/info/team")).contains("plain@example.org"));
    let mut member = site.browser("192.0.2.100");
    member.login("member@example.org", PASSWORD);
    let html = body(&member.get("/sympa/info/team"));
    assert!(html.contains("owner@example.org"), "{html}");
    assert!(!html.contains("plain@example.org"), "{html}");
}
