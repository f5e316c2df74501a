//! List creation under each `create_list` policy, the names refused, pending lists installed or rejected, a list's lifecycle (rename, copy, close, open, purge), the listmaster's panel (`search_user`, `mass_del`, the configuration check) and `search_list`'s visibility, through the web.

use wwsympa::config::CreateList;
use wwsympa::domain::{
    AdminRole, ArchiveAccess, ListName, ListPolicy, ListStatus, MemberVisibility, ReceptionMode,
    ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::operations::archive::{store_message, Incoming};
use wwsympa::operations::{Channel, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{AdminEntry, NewMember};

use crate::browser::{body, Browser, Site};
use crate::subscription::{email, mail_to, PASSWORD};
use crate::support::TempDir;

const USER: &str = "alice@example.org";
const BOSS: &str = "boss@example.org";

fn make_site(dir: &TempDir, create_list: CreateList) -> Site {
    let site = Site::new(dir.path(), |c| c.create_list = create_list);
    site.add_user(USER, PASSWORD);
    site.add_user(BOSS, PASSWORD);
    site.add_user("bob@example.org", PASSWORD);
    site
}

fn logged_in<'a>(site: &'a Site, who: &str, ip: &str) -> Browser<'a> {
    let mut browser = site.browser(ip);
    browser.login(who, PASSWORD);
    browser
}

fn status_of(site: &Site, name: &str) -> Option<ListStatus> {
    site.store()
        .db()
        .list_by_name(&site.config.domain, &ListName::parse(name).unwrap())
        .unwrap()
        .map(|l| l.status)
}

fn policy(visibility: Visibility) -> ListPolicy {
    ListPolicy {
        visibility,
        subscribe: SubscribePolicy::Open,
        unsubscribe: UnsubscribePolicy::Open,
        review: ReviewPolicy::Owner,
        archive: ArchiveAccess::Private,
    }
}

/// Asks for `name` through the creation form; the answer.
fn create(browser: &mut Browser<'_>, name: &str, subject: &str) -> wwsympa::http::Response {
    let form = browser.get("/sympa/create_list_request");
    assert_eq!(form.status, 200, "{}", body(&form));
    browser.post(
        "/sympa/create_list",
        &[
            ("listname", name),
            ("subject", subject),
            ("template", "discussion_list"),
            ("info", "What we talk about."),
            ("topics", "science, art"),
        ],
    )
}

#[test]
fn creation_follows_each_create_list_policy_and_the_requester_is_privileged_owner() {
    // Listmasters only: a user may not even see the form.
    let dir = TempDir::new("lm-create-lm");
    let site = make_site(&dir, CreateList::Listmaster);
    let mut user = logged_in(&site, USER, "192.0.2.1");
    assert_eq!(user.get("/sympa/create_list_request").status, 403);
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    let response = create(&mut boss, "board", "The board");
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "board"), Some(ListStatus::Open));

    // With a listmaster's approval: pending, the listmasters told.
    let dir = TempDir::new("lm-create-plm");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let mut user = logged_in(&site, USER, "192.0.2.1");
    let form = user.get("/sympa/create_list_request");
    assert!(body(&form).contains("A listmaster approves each new list"));
    // The preview is made from each template's policies.
    assert!(body(&form).contains("Every message is approved by a moderator."));
    assert!(body(&form).contains("Hidden: only its members and owners see it."));
    let response = create(&mut user, "chess", "Chess players");
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "chess"), Some(ListStatus::Pending));
    let mails = mail_to(&site, BOSS);
    assert!(
        mails
            .iter()
            .any(|m| m.contains("chess") && m.contains(USER)),
        "{mails:?}"
    );
    let store = site.store();
    let list = store
        .db()
        .list_by_name(&site.config.domain, &ListName::parse("chess").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(list.topics, ["science", "art"]);
    let roles = store
        .db()
        .roles(list.id, Some(&email(USER)), false)
        .unwrap();
    assert!(roles.privileged_owner);

    // Anyone: open at once.
    let dir = TempDir::new("lm-create-public");
    let site = make_site(&dir, CreateList::Public);
    let mut user = logged_in(&site, USER, "192.0.2.1");
    let response = create(&mut user, "go", "Go players");
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "go"), Some(ListStatus::Open));
    assert!(mail_to(&site, BOSS).is_empty());
    // Anonymous visitors are sent to log in.
    let mut anonymous = site.browser("192.0.2.9");
    let response = anonymous.get("/sympa/create_list_request");
    assert_eq!(response.status, 303);
}

#[test]
fn reserved_existing_and_invalid_names_are_refused_next_to_the_field_with_the_rest_kept() {
    let dir = TempDir::new("lm-names");
    let site = make_site(&dir, CreateList::Public);
    site.add_list("taken", "", policy(Visibility::Noconceal));
    let closed = site.add_list("shut", "", policy(Visibility::Noconceal));
    site.store()
        .db()
        .set_list_status(closed, ListStatus::Closed)
        .unwrap();
    let pending = site.add_list("waiting", "", policy(Visibility::Conceal));
    site.store()
        .db()
        .set_list_status(pending, ListStatus::Pending)
        .unwrap();
    let mut user = logged_in(&site, USER, "192.0.2.1");
    let cases = [
        ("team-request", "may not end with “-request”"),
        ("team-owner", "may not end with “-owner”"),
        ("team-editor", "may not end with “-editor”"),
        ("team-subscribe", "may not end with “-subscribe”"),
        ("team-unsubscribe", "may not end with “-unsubscribe”"),
        ("sympa", "own addresses"),
        ("listmaster", "own addresses"),
        ("sympa-request", "own addresses"),
        ("taken", "already exists"),
        ("shut", "already exists"),
        ("waiting", "already exists"),
        ("no spaces", "at most 50 letters"),
    ];
    for (name, says) in cases {
        let response = create(&mut user, name, "Kept subject");
        assert_eq!(response.status, 422, "{name}");
        let page = body(&response);
        assert!(page.contains("f-listname-error"), "{name}: {page}");
        assert!(page.contains(says), "{name}: {page}");
        assert!(page.contains("value=\"Kept subject\""), "{name}");
        assert!(page.contains("What we talk about."), "{name}");
    }
    let lists = site.store().db().all_lists(&site.config.domain).unwrap();
    assert_eq!(lists.len(), 3, "nothing was created");
    // An unknown template is refused next to its field.
    user.get("/sympa/create_list_request");
    let response = user.post(
        "/sympa/create_list",
        &[("listname", "fine"), ("template", "../x")],
    );
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("There is no such list template"));
    assert_eq!(status_of(&site, "fine"), None);
}

#[test]
fn a_pending_list_is_installed_or_rejected_and_its_requester_told_by_mail() {
    let dir = TempDir::new("lm-pending");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let mut user = logged_in(&site, USER, "192.0.2.1");
    assert_eq!(create(&mut user, "alpha", "Alpha").status, 303);
    assert_eq!(create(&mut user, "beta", "Beta").status, 303);
    // Only listmasters review pending lists.
    assert_eq!(user.get("/sympa/get_pending_lists").status, 403);
    assert_eq!(
        user.get("/sympa/set_pending_list_request/alpha").status,
        403
    );
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    let report = body(&boss.get("/sympa/get_pending_lists"));
    assert!(
        report.contains("alpha") && report.contains("beta"),
        "{report}"
    );
    let review = boss.get("/sympa/set_pending_list_request/alpha");
    assert_eq!(review.status, 200);
    assert!(body(&review).contains("What we talk about."));
    assert!(body(&review).contains(USER));

    // Install, through Sympa's old entry.
    let confirm = boss.get("/sympa/install_pending_list/alpha");
    assert_eq!(confirm.status, 200);
    assert_eq!(
        status_of(&site, "alpha"),
        Some(ListStatus::Pending),
        "GET changes nothing"
    );
    let response = boss.post("/sympa/open_list/alpha", &[]);
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "alpha"), Some(ListStatus::Open));
    let mails = mail_to(&site, USER);
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Your list alpha@lists.example.org is open")),
        "{mails:?}"
    );

    // Reject: the list is purged and its requester told why.
    boss.get("/sympa/close_list/beta");
    let response = boss.post("/sympa/close_list/beta", &[("note", "Use alpha instead.")]);
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "beta"), None);
    let mails = mail_to(&site, USER);
    assert!(
        mails
            .iter()
            .any(|m| m.contains("was not approved") && m.contains("Use alpha instead.")),
        "{mails:?}"
    );
}

/// Archives a message in `list` as intake does.
fn archive(site: &Site, name: &str, subject: &str) {
    let templates = Templates::load(None).unwrap();
    let mut store = site.store();
    let list = store
        .db()
        .list_by_name(&site.config.domain, &ListName::parse(name).unwrap())
        .unwrap()
        .unwrap();
    let raw = format!(
        "From: bob@example.org\r\nTo: {name}@lists.example.org\r\nSubject: {subject}\r\nDate: Tue, 05 Mar 2024 10:00:00 +0000\r\nMessage-ID: <{}@example.org>\r\n\r\nHello.\r\n",
        subject.replace(' ', "-")
    );
    let mut env = Env::new(&mut store, &site.config, &templates);
    env.transaction(&Requester::anonymous(Channel::Mail, None), |tx| {
        store_message(
            tx.db,
            &list,
            &Incoming {
                raw: raw.as_bytes(),
                arrived_at: 1_709_632_800,
                month: None,
                legacy_seq: None,
            },
        )?;
        Ok::<_, wwsympa::operations::Error>(())
    })
    .unwrap();
}

#[test]
fn a_renamed_list_keeps_members_and_archives_and_old_links_lead_to_it() {
    let dir = TempDir::new("lm-rename");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let id = site.add_list("team", "", policy(Visibility::Noconceal));
    let store = site.store();
    store
        .db()
        .add_member(id, &NewMember::new(email("bob@example.org")))
        .unwrap();
    store
        .db()
        .add_admin(id, &email(USER), AdminRole::Owner, true)
        .unwrap();
    archive(&site, "team", "First post");

    // A privileged owner may not rename where new lists need a listmaster's approval.
    let mut owner = logged_in(&site, USER, "192.0.2.1");
    assert_eq!(owner.get("/sympa/rename_list_request/team").status, 200);
    let response = owner.post("/sympa/move_list/team", &[("new_listname", "crew")]);
    assert_eq!(response.status, 403);
    // The name rules hold for renaming too (the listmaster asks, Sympa's old name).
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    boss.get("/sympa/rename_list/team");
    let response = boss.post("/sympa/rename_list/team", &[("new_listname", "crew-owner")]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("f-new-error"));
    assert!(body(&response).contains("value=\"crew-owner\""));
    let response = boss.post("/sympa/move_list/team", &[("new_listname", "crew")]);
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "team"), None);
    let crew = store
        .db()
        .list_by_name(&site.config.domain, &ListName::parse("crew").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(crew.id, id);
    assert_eq!(store.db().member_count(id).unwrap(), 1);
    assert_eq!(store.db().archive_months(id).unwrap().len(), 1);
    // Old links: a permanent redirect to the same page under the new name.
    let mut member = logged_in(&site, "bob@example.org", "192.0.2.3");
    let old = member.get("/sympa/arc/team/2024-03");
    assert_eq!(old.status, 301);
    assert_eq!(old.header("Location"), Some("/sympa/arc/crew/2024-03"));
    let page = member.get("/sympa/arc/crew/2024-03/");
    assert!(
        body(&page).contains("First post"),
        "{} {:?}",
        page.status,
        page.header("Location")
    );
    assert_eq!(
        member.get("/sympa/info/team").header("Location"),
        Some("/sympa/info/crew")
    );
    // A new list may take the old name; the redirect then stops.
    assert_eq!(create(&mut boss, "team", "A new team").status, 303);
    assert_eq!(member.get("/sympa/info/team").status, 200);
}

#[test]
fn an_old_name_of_a_concealed_list_leads_only_those_who_may_see_it() {
    let dir = TempDir::new("lm-rename-hidden");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let id = site.add_list("secret", "", policy(Visibility::Conceal));
    site.store()
        .db()
        .add_member(id, &NewMember::new(email("bob@example.org")))
        .unwrap();
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    boss.get("/sympa/rename_list_request/secret");
    let response = boss.post("/sympa/move_list/secret", &[("new_listname", "hush")]);
    assert_eq!(response.status, 303, "{}", body(&response));
    let mut user = logged_in(&site, USER, "192.0.2.1");
    user.get("/sympa/");
    let unknown = user.get("/sympa/info/nosuchlist");
    let old = user.get("/sympa/info/secret");
    assert_eq!(old.status, 404);
    let (old, unknown) = (body(&old), body(&unknown).replace("nosuchlist", "secret"));
    let differ = old.lines().zip(unknown.lines()).find(|(a, b)| a != b);
    assert_eq!(differ, None);
    let mut member = logged_in(&site, "bob@example.org", "192.0.2.3");
    assert_eq!(member.get("/sympa/info/secret").status, 301);
}

#[test]
fn a_copy_has_the_configuration_texts_and_owners_but_no_members_nor_archives() {
    let dir = TempDir::new("lm-copy");
    let site = make_site(&dir, CreateList::Public);
    let id = site.add_list("src", "Original words", policy(Visibility::Intranet));
    let store = site.store();
    store
        .db()
        .add_member(id, &NewMember::new(email("bob@example.org")))
        .unwrap();
    store
        .db()
        .add_admin(id, &email(USER), AdminRole::Owner, true)
        .unwrap();
    store
        .db()
        .add_admin(id, &email("mod@example.org"), AdminRole::Editor, false)
        .unwrap();
    // Owners and moderators are copied whole: name, reception, visibility, note, profile.
    let owner_entry = AdminEntry {
        email: email(USER),
        role: AdminRole::Owner,
        privileged: true,
        name: "Alice Owner".into(),
        reception: ReceptionMode::Mail,
        visibility: MemberVisibility::Conceal,
        info: "Runs the list on weekdays".into(),
    };
    let moderator_entry = AdminEntry {
        email: email("mod@example.org"),
        role: AdminRole::Editor,
        privileged: false,
        name: "Mo Derator".into(),
        reception: ReceptionMode::Nomail,
        visibility: MemberVisibility::Noconceal,
        info: "Back in May".into(),
    };
    assert!(store.db().update_admin(id, &owner_entry).unwrap());
    assert!(store.db().update_admin(id, &moderator_entry).unwrap());
    archive(&site, "src", "Kept here");
    let domain = site.config.domain.clone();
    store
        .db()
        .set_text(
            &domain,
            Some(id),
            "welcome.tt2",
            Some("Hello, newcomer."),
            None,
        )
        .unwrap();
    let mut owner = logged_in(&site, USER, "192.0.2.1");
    let form = owner.get("/sympa/copy_list/src");
    assert!(
        body(&form).contains("Its members and archives are not copied."),
        "{}",
        body(&form)
    );
    // The list's language goes with the copy (set for this request only: the pages below
    // are read in English).
    store.db().set_list_lang(id, "fr").unwrap();
    let response = owner.post("/sympa/copy_list/src", &[("new_listname", "dst")]);
    assert_eq!(response.status, 303, "{}", body(&response));
    store.db().set_list_lang(id, "").unwrap();
    let copy = store
        .db()
        .list_by_name(&site.config.domain, &ListName::parse("dst").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(copy.status, ListStatus::Open);
    assert_eq!(
        copy.policy,
        store.db().list_by_id(id).unwrap().unwrap().policy
    );
    assert_eq!(copy.description, "Original words");
    assert_eq!(copy.lang, "fr");
    let welcome = store
        .db()
        .text(&domain, Some(copy.id), "welcome.tt2")
        .unwrap()
        .expect("the texts are copied");
    assert_eq!(welcome.body, "Hello, newcomer.");
    assert_eq!(welcome.updated_by.as_deref(), Some(USER));
    assert_eq!(copy.member_count, 0);
    assert!(store.db().archive_months(copy.id).unwrap().is_empty());
    let admins = store.db().admin_entries(copy.id).unwrap();
    assert_eq!(admins, vec![owner_entry, moderator_entry]);
    // Sympa's `move_list` with `mode=copy` copies; another domain is refused.
    let response = owner.post(
        "/sympa/move_list/src",
        &[("new_listname", "dst2"), ("mode", "copy")],
    );
    assert_eq!(response.status, 303, "{}", body(&response));
    assert_eq!(status_of(&site, "src"), Some(ListStatus::Open));
    assert_eq!(status_of(&site, "dst2"), Some(ListStatus::Open));
    owner.get("/sympa/copy_list/src");
    let response = owner.post(
        "/sympa/copy_list/src",
        &[("new_listname", "dst3"), ("new_robot", "other.example.org")],
    );
    assert_eq!(response.status, 400);
    assert!(body(&response).contains("within this site"));
    assert_eq!(status_of(&site, "dst3"), None);
    // The source is untouched; a taken name is refused.
    assert_eq!(store.db().member_count(id).unwrap(), 1);
    owner.get("/sympa/copy_list/src");
    let response = owner.post("/sympa/copy_list/src", &[("new_listname", "dst")]);
    assert_eq!(response.status, 422);
    assert!(body(&response).contains("already exists"));
}

#[test]
fn close_open_and_purge_each_confirm_first() {
    let dir = TempDir::new("lm-close");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let id = site.add_list("old", "", policy(Visibility::Noconceal));
    site.store()
        .db()
        .add_admin(id, &email(USER), AdminRole::Owner, true)
        .unwrap();
    let mut owner = logged_in(&site, USER, "192.0.2.1");
    let confirm = owner.get("/sympa/close_list/old");
    assert_eq!(confirm.status, 200);
    assert_eq!(status_of(&site, "old"), Some(ListStatus::Open));
    assert_eq!(owner.post("/sympa/close_list/old", &[]).status, 303);
    assert_eq!(status_of(&site, "old"), Some(ListStatus::Closed));
    // Only a listmaster opens it again or purges it.
    assert_eq!(owner.get("/sympa/open_list/old").status, 403);
    assert_eq!(owner.get("/sympa/purge_list/old").status, 403);
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    assert!(body(&boss.get("/sympa/get_closed_lists")).contains("old"));
    boss.get("/sympa/restore_list/old");
    assert_eq!(boss.post("/sympa/open_list/old", &[]).status, 303);
    assert_eq!(status_of(&site, "old"), Some(ListStatus::Open));
    // An open list is not purged.
    boss.get("/sympa/purge_list/old");
    let response = boss.post("/sympa/purge_list", &[("selected_lists", "old")]);
    assert_ne!(response.status, 200);
    assert_eq!(status_of(&site, "old"), Some(ListStatus::Open));
    boss.get("/sympa/close_list/old");
    assert_eq!(boss.post("/sympa/close_list/old", &[]).status, 303);
    let confirm = boss.get("/sympa/purge_list/old");
    assert!(body(&confirm).contains("cannot be undone"));
    assert_eq!(status_of(&site, "old"), Some(ListStatus::Closed));
    let response = boss.post("/sympa/purge_list", &[("selected_lists", "old")]);
    assert_eq!(response.status, 200);
    assert!(body(&response).contains("Deleted for good: old"));
    assert_eq!(status_of(&site, "old"), None);
}

#[test]
fn search_user_shows_every_role_and_mass_del_keeps_last_owners() {
    let dir = TempDir::new("lm-mass");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let store = site.store();
    let carol = email("carol@example.org");
    let a = site.add_list("a", "", policy(Visibility::Noconceal));
    let b = site.add_list("b", "", policy(Visibility::Conceal));
    let c = site.add_list("c", "", policy(Visibility::Noconceal));
    store
        .db()
        .add_member(a, &NewMember::new(carol.clone()))
        .unwrap();
    store
        .db()
        .add_admin(a, &carol, AdminRole::Editor, false)
        .unwrap();
    store
        .db()
        .add_member(b, &NewMember::new(carol.clone()))
        .unwrap();
    store
        .db()
        .add_admin(b, &carol, AdminRole::Owner, true)
        .unwrap();
    store
        .db()
        .add_admin(b, &email(USER), AdminRole::Owner, false)
        .unwrap();
    store
        .db()
        .add_admin(c, &carol, AdminRole::Owner, true)
        .unwrap();
    let mut user = logged_in(&site, USER, "192.0.2.1");
    assert_eq!(user.get("/sympa/search_user/carol@example.org").status, 403);
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    let page = body(&boss.get("/sympa/search_user/carol%40example.org"));
    for expected in [
        "moderator",
        "privileged owner",
        "member",
        "/info/a",
        "/info/b",
        "/info/c",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    let bad = boss.get("/sympa/search_user?email=not+an+address");
    assert_eq!(bad.status, 422);
    assert!(body(&bad).contains("f-email-error"));

    let confirm = boss.get("/sympa/mass_del?email=carol%40example.org&lists=a&lists=b&lists=c");
    assert_eq!(confirm.status, 200);
    assert!(
        store.db().member(a, &carol).unwrap().is_some(),
        "GET changes nothing"
    );
    let response = boss.post(
        "/sympa/mass_del",
        &[
            ("email", "carol@example.org"),
            ("lists", "a"),
            ("lists", "b"),
            ("lists", "c"),
            ("lists", "nosuch"),
        ],
    );
    assert_eq!(response.status, 200, "{}", body(&response));
    let report = body(&response);
    assert!(report.contains("c: refused: it is the list"), "{report}");
    assert!(report.contains("nosuch: no such list"), "{report}");
    assert!(store.db().member(a, &carol).unwrap().is_none());
    assert!(store.db().member(b, &carol).unwrap().is_none());
    assert!(store.db().admins(a).unwrap().is_empty());
    assert_eq!(store.db().admins(b).unwrap().len(), 1);
    assert_eq!(
        store.db().admins(c).unwrap().len(),
        1,
        "the last owner stays"
    );
    // Goodbye mails went to the address for the two memberships.
    assert_eq!(mail_to(&site, "carol@example.org").len(), 2);
    // One audit row per list changed.
    let audit = store.db().recent_audit(50).unwrap();
    let rows = audit.iter().filter(|l| l.1 == "mass_del").count();
    assert_eq!(rows, 2, "{audit:?}");
}

#[test]
fn search_list_respects_visibility_for_every_role() {
    let dir = TempDir::new("lm-search");
    let site = make_site(&dir, CreateList::PublicListmaster);
    let store = site.store();
    site.add_list(
        "open-talk",
        "Secret sauce recipes",
        policy(Visibility::Noconceal),
    );
    let hidden = site.add_list(
        "hidden",
        "Secret sauce of the board",
        policy(Visibility::Conceal),
    );
    site.add_list("staff", "Sauce for staff", policy(Visibility::Intranet));
    store
        .db()
        .add_member(hidden, &NewMember::new(email("bob@example.org")))
        .unwrap();
    let found = |browser: &mut Browser<'_>, filter: &str| -> Vec<&'static str> {
        let page = body(&browser.get(&format!("/sympa/search_list/{filter}")));
        ["open-talk", "hidden", "staff"]
            .into_iter()
            .filter(|name| page.contains(&format!("/info/{name}\"")))
            .collect()
    };
    let mut anonymous = site.browser("192.0.2.9");
    let mut user = logged_in(&site, USER, "192.0.2.1");
    let mut member = logged_in(&site, "bob@example.org", "192.0.2.3");
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    assert_eq!(found(&mut anonymous, "sauce"), ["open-talk"]);
    assert_eq!(found(&mut user, "SAUCE"), ["open-talk", "staff"]);
    assert_eq!(
        found(&mut member, "sauce"),
        ["open-talk", "hidden", "staff"]
    );
    assert_eq!(found(&mut boss, "sauce"), ["open-talk", "hidden", "staff"]);
    // By name and subject too; a concealed list's words find nothing for others, and the
    // page is the one of a search that finds nothing at all.
    assert_eq!(found(&mut boss, "hidden"), ["hidden"]);
    assert_eq!(found(&mut user, "board"), Vec::<&str>::new());
    let hidden_words = body(&user.get("/sympa/search_list/board"));
    let nothing = body(&user.get("/sympa/search_list/zzzzz"));
    assert_eq!(hidden_words.replace("board", "zzzzz"), nothing);
    let long = "x".repeat(101);
    assert_eq!(user.get(&format!("/sympa/search_list/{long}")).status, 422);
}

#[test]
fn the_configuration_check_is_a_page_for_listmasters_without_secrets() {
    let dir = TempDir::new("lm-check");
    // On PostgreSQL the password is the real one; on SQLite one is set that is never used.
    let site = Site::new(dir.path(), |c| {
        if c.db_passwd.is_none() {
            c.db_passwd = Some("hunter2-secret".into());
        }
    });
    let secret = site.config.db_passwd.clone().unwrap();
    site.add_user(USER, PASSWORD);
    site.add_user(BOSS, PASSWORD);
    let mut user = logged_in(&site, USER, "192.0.2.1");
    assert_eq!(user.get("/sympa/serveradmin/check").status, 403);
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    // The menu leads listmasters, and only them, to their panel.
    assert!(body(&boss.get("/sympa/my")).contains("/sympa/serveradmin\""));
    assert!(!body(&user.get("/sympa/my")).contains("/sympa/serveradmin\""));
    let response = boss.get("/sympa/serveradmin/check");
    assert_eq!(response.status, 200);
    let page = body(&response);
    for expected in [
        "configuration: ok",
        "database: ok",
        "templates: ok",
        "outbox:",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    // The test server's role has its password for a name: the role's name is said, once.
    let without_role = page.replace(&format!("{}@", site.config.db_user), "");
    assert!(
        !without_role.contains(&secret),
        "the database password is shown: {page}"
    );
    // The panel lists every list, filtered.
    site.add_list("one", "", policy(Visibility::Conceal));
    site.add_list("two", "", policy(Visibility::Noconceal));
    let page = body(&boss.get("/sympa/serveradmin?q=one"));
    assert!(
        page.contains("/info/one\"") && !page.contains("/info/two\""),
        "{page}"
    );
}

#[test]
fn the_configuration_check_of_a_silent_mta_is_a_failed_check_in_seconds() {
    let dir = TempDir::new("lm-check-silent");
    // An MTA that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let site = Site::new(dir.path(), |c| {
        c.smtp_host = "127.0.0.1".into();
        c.smtp_port = port;
    });
    site.add_user(BOSS, PASSWORD);
    let mut boss = logged_in(&site, BOSS, "192.0.2.2");
    let started = std::time::Instant::now();
    let response = boss.get("/sympa/serveradmin/check");
    let took = started.elapsed();
    assert_eq!(response.status, 200);
    let page = body(&response);
    assert!(
        page.contains(&format!("mail: SMTP to 127.0.0.1:{port}")),
        "the probe is said to have failed: {page}"
    );
    assert!(!page.contains("mail: ok"), "{page}");
    assert!(
        took < wwsympa::mail::CHECK_TIMEOUT * 3,
        "{took:?}: the page waited too long"
    );
    drop(listener);
}
