//! What the action table promises, checked row by row: a forged token changes nothing on
//! any state-changing row, the CSRF exemptions are exactly the one that needs none, every
//! old action name shows its own target's page, the anonymous page cache really serves kept
//! pages, an owner's change to a member is stored, a rolled-back change mails nothing.

use std::collections::BTreeSet;

use wwsympa::domain::{
    ListName, ReceptionMode, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::operations::{self, Env, Refusal, Requester};
use wwsympa::render::Templates;
use wwsympa::store::NewMail;
use wwsympa::web::action::Csrf;
use wwsympa::web::actions::{ACTIONS, ALIASES};

use crate::browser::{body, Browser, Site};
use crate::subscription::{site_with, stored_member, PASSWORD};
use crate::support::TempDir;

fn site(name: &str) -> (TempDir, Site) {
    let (dir, site) = site_with(
        name,
        &[(
            "open",
            SubscribePolicy::Open,
            UnsubscribePolicy::Open,
            ReviewPolicy::Private,
            Visibility::Noconceal,
        )],
    );
    site.add_user("boss@example.org", PASSWORD);
    (dir, site)
}

/// What a POST could have changed: audit rows, outbox rows, members, sessions' users.
fn footprint(site: &Site) -> (usize, u64, u64) {
    let store = site.store();
    let db = store.db();
    let audit = db.recent_audit(100_000).unwrap().len();
    let outbox = db.outbox_counts().unwrap();
    let list = db
        .list_by_name("lists.example.org", &ListName::parse("open").unwrap())
        .unwrap()
        .unwrap();
    (
        audit,
        outbox.pending + outbox.sent + outbox.sending + outbox.failed,
        db.member_count(list.id).unwrap(),
    )
}

/// A POST target for `row`, with fields that would act if the token were good.
fn post_for(name: &str, list: bool) -> (String, Vec<(&'static str, &'static str)>) {
    let token = "B".repeat(43);
    let path = match name {
        "auth" => format!("/sympa/auth/{token}/subscribe?email=x%40example.org"),
        "ticket" => format!("/sympa/ticket/{token}"),
        name if list => format!("/sympa/{name}/open"),
        name => format!("/sympa/{name}"),
    };
    let fields = vec![
        ("email", "member@example.org"),
        ("passwd", PASSWORD),
        ("gecos", "Changed"),
        ("reception", "digest"),
        ("lang", "fr"),
        ("newpasswd1", "another long secret"),
        ("newpasswd2", "another long secret"),
    ];
    (path, fields)
}

#[test]
fn a_forged_token_changes_nothing_on_any_state_changing_row() {
    let (_dir, site) = site("table-csrf");
    let checked: Vec<_> = ACTIONS
        .iter()
        .filter(|row| row.methods.allows_post() && row.csrf == Csrf::Checked)
        .collect();
    assert!(checked.len() >= 15, "{}", checked.len());
    let mut listmaster = site.browser("192.0.2.1");
    listmaster.login("boss@example.org", PASSWORD);
    let mut anonymous = site.browser("192.0.2.2");
    anonymous.get("/sympa/login");
    let before = footprint(&site);
    let forged = "A".repeat(43);
    let mut wrong = Vec::new();
    for row in &checked {
        let (path, mut fields) = post_for(row.name, row.list);
        fields.push(("csrf_token", &forged));
        for (who, browser) in [
            ("listmaster", &mut listmaster),
            ("anonymous", &mut anonymous),
        ] {
            let browser: &mut Browser<'_> = browser;
            let response = browser.post_raw(&path, &fields);
            if response.status != 403 {
                wrong.push(format!("{} by {who}: {}", row.name, response.status));
            }
        }
        // Without any token.
        let response = listmaster.post_raw(&path, &fields[..fields.len() - 1]);
        if response.status != 403 {
            wrong.push(format!("{} without a token: {}", row.name, response.status));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(footprint(&site), before, "nothing was written");
    // The listmaster's session is intact and the name unchanged.
    let pref = body(&listmaster.get("/sympa/pref"));
    assert!(!pref.contains("Changed"));
}

#[test]
fn csrf_exemptions_are_exactly_the_one_click_unsubscribe() {
    let exempt: BTreeSet<&str> = ACTIONS
        .iter()
        .filter(|row| matches!(row.csrf, Csrf::Exempt(_)))
        .map(|row| row.name)
        .collect();
    assert_eq!(exempt, BTreeSet::from(["oneclick"]));
}

#[test]
fn every_old_action_name_shows_its_targets_page() {
    let (_dir, site) = site("table-aliases");
    let mut owner = site.browser("192.0.2.3");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/"); // shows (and so drops) the kept "logged in" notice
    for (old, new) in ALIASES {
        let row = ACTIONS.iter().find(|r| r.name == *new).unwrap();
        let args = if row.list { "/open" } else { "" };
        let via_old = owner.get(&format!("/sympa/{old}{args}"));
        let via_new = owner.get(&format!("/sympa/{new}{args}"));
        assert_eq!(via_old.status, via_new.status, "{old} → {new}");
        assert_eq!(
            body(&via_old),
            body(&via_new),
            "{old} must show {new}'s page"
        );
    }
}

#[test]
fn the_anonymous_page_cache_serves_the_kept_page_until_the_lists_change() {
    let (_dir, site) = site("table-cache");
    let mut visitor = site.browser("192.0.2.4");
    let first = body(&visitor.get("/sympa/"));
    assert!(first.contains("The open list"));
    // Change the subject behind the store's back, without moving the site version: a
    // page served from the cache still shows the old subject.
    site.db.execute_each(
        "DROP TRIGGER site_version_list_update",
        "DROP TRIGGER site_version_list_update ON lists",
        &[],
    );
    site.db.execute(
        "UPDATE lists SET subject = 'Renamed behind the back' WHERE name = 'open'",
        &[],
    );
    let kept = body(&site.browser("192.0.2.5").get("/sympa/"));
    assert_eq!(kept, first, "the second visitor gets the kept page");
    // Once the version moves, the page is built again.
    site.db
        .execute("UPDATE site_version SET version = version + 1", &[]);
    let rebuilt = body(&site.browser("192.0.2.6").get("/sympa/"));
    assert!(rebuilt.contains("Renamed behind the back"), "{rebuilt}");
}

#[test]
fn an_owners_change_to_a_members_options_is_stored() {
    let (_dir, site) = site("table-set");
    let mut owner = site.browser("192.0.2.7");
    owner.login("owner@example.org", PASSWORD);
    owner.get("/sympa/set/open/member%40example.org");
    let response = owner.post(
        "/sympa/set/open/member%40example.org",
        &[("reception", "digest"), ("gecos", "Renamed Member")],
    );
    assert_eq!(response.status, 303, "{}", body(&response));
    let member = stored_member(&site, "open", "member@example.org").unwrap();
    assert_eq!(member.reception, ReceptionMode::Digest);
    assert_eq!(member.name, "Renamed Member");
}

#[test]
fn a_rolled_back_change_leaves_no_outbox_row() {
    let (_dir, site) = site("table-rollback");
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let result: Result<(), operations::Error> = env.transaction(&Requester::shell(), |tx| {
        tx.queue(Ok(NewMail {
            kind: "welcome".into(),
            list: None,
            envelope_from: "sympa@lists.example.org".into(),
            recipients: vec!["member@example.org".into()],
            message: b"Subject: hi\r\n\r\nhi\r\n".to_vec(),
        }))?;
        Err(Refusal::NotAMember.into())
    });
    assert!(result.is_err());
    assert!(env.queued.is_empty(), "nothing to hand to the sender");
    drop(env);
    let counts = store.db().outbox_counts().unwrap();
    assert_eq!(
        counts.pending + counts.sent + counts.sending + counts.failed,
        0
    );
}
