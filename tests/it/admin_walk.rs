//! Headless Chromium (Debian's) walks what a listmaster and an owner do in the browser: create
//! a list, change its settings and its welcome text, add an owner, and switch the interface to
//! French; screenshots of each page at desktop and phone widths, none scrolling sideways.
//!
//! The forms are the real ones, filled and submitted by the browser with its own cookies and
//! CSRF tokens; what they changed is then read back from the database.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use wwsympa::domain::{AdminRole, Email, ListName};

use crate::chromium::{assert_screenshots, Chromium, WalkSite};
use crate::support::{peer, TempDir};

/// The whole walk must end within this.
const BUDGET: Duration = Duration::from_secs(60);

/// The widths every page is looked at: `(width, height, mobile, label)`.
const WIDTHS: &[(u32, u32, bool, &str)] =
    &[(1280, 900, false, "desktop"), (375, 812, true, "phone")];

/// Looks at the page at every width: no sideways scrolling, a screenshot each.
fn look(browser: &mut Chromium, shots: &Path, name: &str, saved: &mut Vec<std::path::PathBuf>) {
    for (width, height, mobile, label) in WIDTHS {
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
        let overflow = browser
            .eval("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assert_eq!(
            overflow.as_i64(),
            Some(0),
            "{name} at {width}px scrolls sideways"
        );
        saved.push(browser.screenshot(shots, &format!("admin-{name}-{label}")));
    }
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );
}

#[test]
fn chromium_creates_a_list_edits_it_adds_an_owner_and_switches_to_french() {
    let Some(chromium) = peer("chromium") else {
        return;
    };
    let started = Instant::now();
    let dir = TempDir::new("chromium-admin");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let site = WalkSite::new(dir.path(), "listmaster = 'ann@example.org'\n");
    site.run(
        &["user", "add", "ann@example.org", "--password-stdin"],
        "ann's long password\n",
    );
    let _server = site.serve(dir.path());

    let base = site.base();
    let mut browser = Chromium::start(
        &chromium,
        &dir.path().join("profile"),
        &dir.path().join("chromium.log"),
    );
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );
    let mut saved = Vec::new();

    // Log in, as the listmaster.
    browser.open(&format!("{base}/login"));
    browser.submit(
        "document.getElementById('f-email').value = 'ann@example.org';
         document.getElementById('f-passwd').value = \"ann's long password\";
         document.querySelector('main form').submit();",
    );
    assert!(
        browser.text().contains("You are logged in."),
        "{}",
        browser.text()
    );

    // Create a list from a template.
    browser.open(&format!("{base}/create_list_request"));
    look(&mut browser, &shots, "create_list_request", &mut saved);
    browser.submit(
        "document.getElementById('f-listname').value = 'team';
         document.getElementById('f-subject').value = 'The team';
         document.querySelector('input[name=template][value=discussion_list]').checked = true;
         document.getElementById('f-info').value = 'Where the team talks.';
         document.querySelector('form[action$=\"/create_list\"]').submit();",
    );
    assert_eq!(browser.location(), "/sympa/info/team", "{}", browser.text());
    assert!(browser.text().contains("Where the team talks."));

    // The owner's dashboard, then the description group of the settings.
    browser.open(&format!("{base}/admin/team"));
    look(&mut browser, &shots, "admin", &mut saved);
    browser.open(&format!("{base}/edit_list_request/team/description"));
    look(&mut browser, &shots, "edit_list_request", &mut saved);
    browser.submit(
        "document.getElementById('f-subject').value = 'Team <b>room</b>';
         document.querySelector('form[action*=\"/edit_list/\"]').submit();",
    );
    assert!(browser.text().contains("Saved"), "{}", browser.text());
    assert_eq!(
        browser
            .eval("document.getElementById('f-subject').value")
            .as_str(),
        Some("Team <b>room</b>")
    );
    browser.open(&format!("{base}/info/team"));
    let page = browser.text();
    assert!(
        page.contains("Team <b>room</b>"),
        "the subject shows as typed: {page}"
    );
    assert_eq!(
        browser
            .eval("document.querySelectorAll('main b').length")
            .as_i64(),
        Some(0),
        "the subject's markup is text, not markup"
    );

    // The welcome text.
    browser.open(&format!("{base}/editfile/team/welcome.tt2"));
    look(&mut browser, &shots, "editfile", &mut saved);
    browser.submit(
        "document.getElementById('f-content').value = 'Welcome aboard: read the {{ rules }} first.';
         document.querySelector('form[action*=\"/savefile\"]').submit();",
    );

    // A second owner.
    browser.open(&format!("{base}/edit/team/owner"));
    browser.submit(
        "const add = document.querySelector('input[name=do][value=add]').form;
         add.querySelector('[name=email]').value = 'bob@example.org';
         add.querySelector('[name=gecos]').value = 'Bob';
         add.submit();",
    );
    assert!(
        browser.text().contains("bob@example.org"),
        "{}",
        browser.text()
    );
    look(&mut browser, &shots, "edit-owner", &mut saved);

    // The interface in French, from the language menu of the page.
    browser.submit("document.querySelector('nav.languages button[value=fr]').click();");
    browser.open(&format!("{base}/admin/team"));
    let french = browser.text();
    assert!(french.contains("Se déconnecter"), "{french}");
    assert!(!french.contains("Log out"), "{french}");
    assert_eq!(
        browser.eval("document.documentElement.lang").as_str(),
        Some("fr")
    );
    look(&mut browser, &shots, "admin-fr", &mut saved);
    browser.open(&format!("{base}/edit_list_request/team/sending"));
    let settings = browser.text();
    assert!(settings.contains("Envoi et réception"), "{settings}");
    assert!(!settings.contains("Settings of"), "{settings}");
    look(&mut browser, &shots, "edit_list_request-fr", &mut saved);
    drop(browser);

    // What the forms changed, read from the database.
    let store = site.db.connect();
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .expect("the list was created");
    assert_eq!(list.subject, "Team <b>room</b>");
    let admins = store.db().admins(list.id).unwrap();
    let owners: Vec<&str> = admins
        .iter()
        .filter(|a| a.role == AdminRole::Owner)
        .map(|a| a.email.as_str())
        .collect();
    assert!(owners.contains(&"ann@example.org"), "{owners:?}");
    assert!(owners.contains(&"bob@example.org"), "{owners:?}");
    let welcome = store
        .db()
        .text("lists.example.org", Some(list.id), "welcome.tt2")
        .unwrap()
        .expect("the welcome text was saved");
    assert_eq!(welcome.body, "Welcome aboard: read the {{ rules }} first.");
    let ann = store
        .db()
        .user(&Email::parse("ann@example.org").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(ann.user.lang, "fr");
    assert_screenshots(&saved);
    assert!(
        started.elapsed() < BUDGET,
        "the browser walk took {:?}",
        started.elapsed()
    );
}
