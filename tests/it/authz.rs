//! Who may do what: EVERY action of the table, walked for every role on lists with different
//! policies and visibility, against a table of expectations meant to be read and audited.
//!
//! Each request is a GET (a POST with the session's CSRF token and no fields for POST-only
//! actions), so nothing is changed by the walk; what is checked is the gate's answer:
//!
//! - `P`: the page: the action ran (200, a redirect elsewhere than the login page, or its
//!   own clear refusal of the empty input: 410 for a bogus link, 422 for an empty form);
//! - `L`: a redirect to `/login/<action>/<list>`, to come back after logging in;
//! - `F`: 403, not allowed;
//! - `N`: 404, exactly as for a list that does not exist.

use std::collections::BTreeSet;

use wwsympa::domain::{
    AdminRole, ArchiveAccess, ListName, ListPolicy, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use wwsympa::http::Response;
use wwsympa::operations::{Channel, Requester};
use wwsympa::store::NewMember;
use wwsympa::web::actions::ACTIONS;

use crate::browser::{body, Browser, Site};
use crate::subscription::{email, PASSWORD};
use crate::support::TempDir;

/// The lists walked, with their policies.
///
/// | list   | visibility | subscribe | unsubscribe | review  |
/// |--------|------------|-----------|-------------|---------|
/// | `pub`  | noconceal  | open      | open        | public  |
/// | `priv` | noconceal  | owner     | auth        | private |
/// | `hid`  | conceal    | auth      | owner       | owner   |
/// | `shut` | noconceal  | closed    | closed      | closed  |
const LISTS: &[(
    &str,
    Visibility,
    SubscribePolicy,
    UnsubscribePolicy,
    ReviewPolicy,
)] = &[
    (
        "pub",
        Visibility::Noconceal,
        SubscribePolicy::Open,
        UnsubscribePolicy::Open,
        ReviewPolicy::Public,
    ),
    (
        "priv",
        Visibility::Noconceal,
        SubscribePolicy::Owner,
        UnsubscribePolicy::Auth,
        ReviewPolicy::Private,
    ),
    (
        "hid",
        Visibility::Conceal,
        SubscribePolicy::Auth,
        UnsubscribePolicy::Owner,
        ReviewPolicy::Owner,
    ),
    (
        "shut",
        Visibility::Noconceal,
        SubscribePolicy::Closed,
        UnsubscribePolicy::Closed,
        ReviewPolicy::Closed,
    ),
];

/// The roles, in the order of the expectation columns, with the account that holds each
/// on every list (`None`: not logged in). `boss@` is a listmaster by configuration.
const ROLES: &[(&str, Option<&str>)] = &[
    ("anonymous", None),
    ("user", Some("user@example.org")),
    ("subscriber", Some("sub@example.org")),
    ("moderator", Some("mod@example.org")),
    ("owner", Some("own@example.org")),
    ("privileged owner", Some("pown@example.org")),
    ("listmaster", Some("boss@example.org")),
];

/// `(action, list or "-", answers for: anonymous user subscriber moderator owner p-owner listmaster)`.
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, &str)] = &[
    // Site pages and the account: anyone, or any logged-in user.
    ("home",          "-",    "P P P P P P P"),
    ("lists",         "-",    "P P P P P P P"),
    ("login",         "-",    "P P P P P P P"),
    ("logout",        "-",    "P P P P P P P"),
    ("firstpasswd",   "-",    "P P P P P P P"),
    ("renewpasswd",   "-",    "P P P P P P P"),
    ("requestpasswd", "-",    "P P P P P P P"),
    ("ticket",        "-",    "P P P P P P P"),
    ("choosepasswd",  "-",    "L P P P P P P"),
    ("setpasswd",     "-",    "L P P P P P P"),
    ("pref",          "-",    "L P P P P P P"),
    ("set_lang",      "-",    "P P P P P P P"),
    ("my",            "-",    "L P P P P P P"),
    ("api_tokens",    "-",    "L P P P P P P"),
    ("help",          "-",    "P P P P P P P"),
    // The texts: a list's for its owners and listmasters (not a list row, so that it works
    // without a list too: an anonymous visitor logs in first whatever the list), the
    // site's (no list) for listmasters only. savefile without a file is a clear 400.
    ("editfile",      "pub",  "L F F F P P P"),
    ("editfile",      "hid",  "L N F F P P P"),
    ("editfile",      "-",    "L F F F F F P"),
    ("savefile",      "pub",  "L F F F P P P"),
    ("savefile",      "hid",  "L N F F P P P"),
    ("savefile",      "-",    "L F F F F F P"),
    ("wsdl",          "-",    "P P P P P P P"),
    // Mailed links: the key or the signed id is the credential; a bogus one is a clear 410.
    ("auth",          "-",    "P P P P P P P"),
    ("oneclick",      "-",    "P P P P P P P"),
    ("distribute",    "-",    "P P P P P P P"),
    ("reject",        "-",    "P P P P P P P"),
    ("withdraw",      "-",    "P P P P P P P"),
    // info: a concealed list is seen by its members, moderators, owners and listmasters.
    ("info",          "pub",  "P P P P P P P"),
    ("info",          "priv", "P P P P P P P"),
    ("info",          "hid",  "N N P P P P P"),
    ("info",          "shut", "P P P P P P P"),
    // subscribe: anonymous visitors confirm by mail; `closed` refuses everyone.
    ("subscribe",     "pub",  "P P P P P P P"),
    ("subscribe",     "priv", "P P P P P P P"),
    ("subscribe",     "hid",  "N N P P P P P"),
    ("subscribe",     "shut", "F F F F F F F"),
    // signoff: anonymous confirm by mail; logged in, only members.
    ("signoff",       "pub",  "P F P F F F F"),
    ("signoff",       "priv", "P F P F F F F"),
    ("signoff",       "hid",  "N N P F F F F"),
    ("signoff",       "shut", "F F F F F F F"),
    // One's own options: members only.
    ("suboptions",    "pub",  "L F P F F F F"),
    ("suboptions",    "priv", "L F P F F F F"),
    ("suboptions",    "hid",  "N N P F F F F"),
    ("suboptions",    "shut", "L F P F F F F"),
    ("set",           "pub",  "L F P F F F F"),
    ("set",           "priv", "L F P F F F F"),
    ("set",           "hid",  "N N P F F F F"),
    ("set",           "shut", "L F P F F F F"),
    // review and search: public / private (members and admins) / owner / closed (listmasters).
    ("review",        "pub",  "P P P P P P P"),
    ("review",        "priv", "L F P P P P P"),
    ("review",        "hid",  "N N F F P P P"),
    ("review",        "shut", "L F F F F F P"),
    ("search",        "pub",  "P P P P P P P"),
    ("search",        "priv", "L F P P P P P"),
    ("search",        "hid",  "N N F F P P P"),
    ("search",        "shut", "L F F F F F P"),
    // The archive: every list's archive here is private (members and admins); the archive
    // policies themselves are walked in `archives.rs`. An empty archive: the permalink and
    // source pages answer their own 404 ("no such message") once allowed.
    ("arc",           "pub",  "L F P P P P P"),
    ("arc",           "priv", "L F P P P P P"),
    ("arc",           "hid",  "N N P P P P P"),
    ("arc",           "shut", "L F P P P P P"),
    ("arcsearch",     "pub",  "L F P P P P P"),
    ("arcsearch",     "hid",  "N N P P P P P"),
    ("arcsearch_form","pub",  "L F P P P P P"),
    ("latest_arc",    "pub",  "L F P P P P P"),
    ("latest_arc",    "hid",  "N N P P P P P"),
    ("msg",           "pub",  "L F P P P P P"),
    ("msg",           "hid",  "N N P P P P P"),
    ("view_source",   "pub",  "L F P P P P P"),
    ("list",          "-",    "P P P P P P P"),
    ("search_archives", "-",  "P P P P P P P"),
    // Feeds answer as to an anonymous visitor, whoever asks: a private archive has none.
    ("rss",           "pub",  "F F F F F F F"),
    // Owners' tools on the archive: owners (any) and listmasters.
    ("arc_hide",      "pub",  "L F F F P P P"),
    ("arc_hide",      "hid",  "N N F F P P P"),
    ("arc_manage",    "pub",  "L F F F P P P"),
    ("arc_manage",    "hid",  "N N F F P P P"),
    ("arc_manage",    "shut", "L F F F P P P"),
    ("arc_show",      "pub",  "L F F F P P P"),
    ("remove_arc",    "pub",  "L F F F P P P"),
    ("remove_arc",    "hid",  "N N F F P P P"),
    // Managing members: owners (any) and listmasters.
    ("add",           "pub",  "L F F F P P P"),
    ("add",           "hid",  "N N F F P P P"),
    ("del",           "pub",  "L F F F P P P"),
    ("del",           "hid",  "N N F F P P P"),
    ("export_member", "pub",  "L F F F P P P"),
    ("export_member", "hid",  "N N F F P P P"),
    // The dashboard: owners, moderators and listmasters.
    ("admin",         "pub",  "L F F P P P P"),
    ("admin",         "hid",  "N N F P P P P"),
    ("admin",         "shut", "L F F P P P P"),
    // Settings and the owners' and moderators' entries: owners (any) and listmasters; which
    // parameter or entry each may change is the operation's (tests/it/admin.rs).
    ("edit_list_request", "pub", "L F F F P P P"),
    ("edit_list_request", "hid", "N N F F P P P"),
    ("edit_list",     "pub",  "L F F F P P P"),
    ("edit_list",     "hid",  "N N F F P P P"),
    ("edit",          "pub",  "L F F F P P P"),
    ("edit",          "hid",  "N N F F P P P"),
    ("import",        "pub",  "L F F F P P P"),
    ("import",        "hid",  "N N F F P P P"),
    // The reminder to every member: owners (Sympa's remind scenario); GET is its confirm page.
    ("remind",        "pub",  "L F F F P P P"),
    ("remind",        "hid",  "N N F F P P P"),
    ("remind",        "shut", "L F F F P P P"),
    // One member's page (a 400 without an address) and the log: owners and moderators.
    ("editsubscriber", "pub", "L F F P P P P"),
    ("editsubscriber", "hid", "N N F P P P P"),
    ("viewlogs",      "pub",  "L F F P P P P"),
    ("viewlogs",      "hid",  "N N F P P P P"),
    ("viewlogs",      "shut", "L F F P P P P"),
    // Bounces: the owners' pages (Sympa's reviewbouncing, resetbounce, viewbounce).
    ("reviewbouncing", "pub", "L F F F P P P"),
    ("reviewbouncing", "hid", "N N F F P P P"),
    // resetbounce without an address resets the requester's own score (nothing when none).
    ("resetbounce",   "pub",  "L P P P P P P"),
    ("resetbounce",   "hid",  "N N P P P P P"),
    ("viewbounce",    "pub",  "L F F F P P P"),
    ("viewbounce",    "hid",  "N N F F P P P"),
    // Held subscriptions and unsubscriptions: owners and moderators.
    ("subindex",      "pub",  "L F F P P P P"),
    ("subindex",      "hid",  "N N F P P P P"),
    ("auth_add",      "pub",  "L F F P P P P"),
    ("auth_add",      "hid",  "N N F P P P P"),
    ("decl_add",      "pub",  "L F F P P P P"),
    ("decl_add",      "hid",  "N N F P P P P"),
    ("sigindex",      "pub",  "L F F P P P P"),
    ("sigindex",      "hid",  "N N F P P P P"),
    ("auth_del",      "pub",  "L F F P P P P"),
    ("auth_del",      "hid",  "N N F P P P P"),
    ("decl_del",      "pub",  "L F F P P P P"),
    ("decl_del",      "hid",  "N N F P P P P"),
    // Held posts: moderators, and owners only on a list without moderators (these lists
    // have one); the page of a post that is not held is its own 404.
    ("modindex",      "pub",  "L F F P F F P"),
    ("modindex",      "hid",  "N N F P F F P"),
    ("modindex",      "shut", "L F F P F F P"),
    ("viewmod",       "pub",  "L F F P F F P"),
    ("viewmod",       "hid",  "N N F P F F P"),
    // Creating a list: any logged-in user (by default a listmaster approves it).
    ("create_list_request", "-", "L P P P P P P"),
    ("create_list",   "-",    "L P P P P P P"),
    // A list's lifecycle: privileged owners and listmasters close, copy and rename; only
    // listmasters open, review pending lists and purge. `set_pending_list_request` on a
    // list that is not pending is a 404 even for them.
    ("close_list",    "pub",  "L F F F F P P"),
    ("close_list",    "hid",  "L N F F F P P"),
    ("copy_list",     "pub",  "L F F F F P P"),
    ("copy_list",     "hid",  "N N F F F P P"),
    ("move_list",     "pub",  "L F F F F P P"),
    ("move_list",     "hid",  "N N F F F P P"),
    ("rename_list_request", "pub", "L F F F F P P"),
    ("rename_list_request", "hid", "N N F F F P P"),
    ("open_list",     "pub",  "L F F F F F P"),
    ("open_list",     "hid",  "L F F F F F P"),
    ("purge_list",    "pub",  "L F F F F F P"),
    ("set_pending_list_request", "pub", "L F F F F F N"),
    // The listmaster's panel and reports.
    ("serveradmin",   "-",    "L F F F F F P"),
    ("get_pending_lists", "-", "L F F F F F P"),
    ("get_closed_lists", "-", "L F F F F F P"),
    ("get_latest_lists", "-", "L F F F F F P"),
    ("get_inactive_lists", "-", "L F F F F F P"),
    ("get_biggest_lists", "-", "L F F F F F P"),
    ("search_user",   "-",    "L F F F F F P"),
    ("mass_del",      "-",    "L F F F F F P"),
    // Searching lists: anyone (what is found depends on who asks: `listmaster.rs`).
    ("search_list",   "-",    "P P P P P P P"),
];

fn site() -> (TempDir, Site) {
    let dir = TempDir::new("authz");
    let site = Site::new(dir.path(), |_| {});
    for (_, account) in ROLES {
        if let Some(account) = account {
            site.add_user(account, PASSWORD);
        }
    }
    let store = site.store();
    let db = store.db();
    for (name, visibility, subscribe, unsubscribe, review) in LISTS {
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
        db.add_member(id, &NewMember::new(email("sub@example.org")))
            .unwrap();
        db.add_admin(id, &email("mod@example.org"), AdminRole::Editor, false)
            .unwrap();
        db.add_admin(id, &email("own@example.org"), AdminRole::Owner, false)
            .unwrap();
        db.add_admin(id, &email("pown@example.org"), AdminRole::Owner, true)
            .unwrap();
    }
    drop(store);
    (dir, site)
}

/// The request path for `action` on `list`.
fn path(action: &str, list: &str) -> String {
    let token = "B".repeat(43);
    match (action, list) {
        ("auth", _) => format!("/sympa/auth/{token}/subscribe?email=x%40example.org"),
        ("oneclick", _) => {
            "/sympa/oneclick/pub/20000-AAAAAAAAAAAAAAAAAAAAAA?email=x%40example.org".into()
        }
        ("ticket", _) => format!("/sympa/ticket/{token}"),
        ("distribute" | "reject" | "withdraw", _) => format!("/sympa/{action}/pub/{token}"),
        ("search", list) => format!("/sympa/search/{list}/example"),
        ("rss", list) => format!("/sympa/rss/latest_arc/{list}"),
        (action, "-") => format!("/sympa/{action}"),
        (action, list) => format!("/sympa/{action}/{list}"),
    }
}

/// Classifies an answer as `P`, `L`, `F` or `N`.
fn answer(response: &Response) -> char {
    match response.status {
        303 if response
            .header("Location")
            .is_some_and(|l| l.starts_with("/sympa/login/")) =>
        {
            'L'
        }
        // 400: an owner's archive POST that names no message.
        200 | 303 | 400 | 410 | 422 => 'P',
        // The archive's own 404: the action ran and found no such message (or bounce).
        404 if body(response).contains("No such message")
            || body(response).contains("No bounce is kept") =>
        {
            'P'
        }
        403 => 'F',
        404 => 'N',
        other => panic!("unexpected status {other}"),
    }
}

fn ask(browser: &mut Browser<'_>, action: &str, list: &str) -> char {
    let row = ACTIONS.iter().find(|a| a.name == action).unwrap();
    let target = path(action, list);
    let response = if row.methods.allows_get() {
        browser.get(&target)
    } else {
        // A token of this visitor's session, from any page with a form.
        browser.get("/sympa/login");
        browser.post(&target, &[])
    };
    answer(&response)
}

#[test]
fn every_action_answers_every_role_as_the_table_says() {
    // The table covers the whole action table, and only it.
    let expected: BTreeSet<&str> = EXPECTED.iter().map(|(a, _, _)| *a).collect();
    let actual: BTreeSet<&str> = ACTIONS.iter().map(|a| a.name).collect();
    assert_eq!(
        expected, actual,
        "every action needs rows in EXPECTED (and no row may name a missing action)"
    );

    let (_dir, site) = site();
    let mut browsers: Vec<Browser<'_>> = ROLES
        .iter()
        .enumerate()
        .map(|(i, (_, account))| {
            let mut browser = site.browser(&format!("192.0.2.{}", 100 + i));
            if let Some(account) = account {
                browser.login(account, PASSWORD);
            }
            browser
        })
        .collect();
    let mut mismatches = Vec::new();
    for (action, list, answers) in EXPECTED {
        let want: Vec<char> = answers
            .split(' ')
            .map(|a| a.chars().next().unwrap())
            .collect();
        assert_eq!(
            want.len(),
            ROLES.len(),
            "{action} {list}: one answer per role"
        );
        for ((role, _), (browser, want)) in ROLES.iter().zip(browsers.iter_mut().zip(want)) {
            let got = ask(browser, action, list);
            if got != want {
                mismatches.push(format!(
                    "{action} on {list} by {role}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");

    // The walk changed nothing: the members are those of the fixture.
    let store = site.store();
    for (name, ..) in LISTS {
        let list = store
            .db()
            .list_by_name("lists.example.org", &ListName::parse(name).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(store.db().member_count(list.id).unwrap(), 1, "{name}");
    }
}

/// The operations SOAP and JSON will call, walked directly (no web gate in front), with
/// inputs that change nothing once allowed: `A` the operation went past its authorization
/// (a value, or a refusal other than "not allowed"), `D` it refused the requester
/// (`Refusal::Denied`: not allowed, not visible, or log in first).
#[rustfmt::skip]
const OPERATIONS: &[(&str, &str, &str)] = &[
    // Managing members: owners (any) and listmasters.
    ("add",             "pub",  "D D D D A A A"),
    ("add",             "hid",  "D D D D A A A"),
    ("del",             "pub",  "D D D D A A A"),
    ("del",             "hid",  "D D D D A A A"),
    ("import",          "pub",  "D D D D A A A"),
    ("export",          "pub",  "D D D D A A A"),
    ("export",          "hid",  "D D D D A A A"),
    // Reading the members: the list's review policy.
    ("review",          "pub",  "A A A A A A A"),
    ("review",          "priv", "D D A A A A A"),
    ("review",          "hid",  "D D D D A A A"),
    ("review",          "shut", "D D D D D D A"),
    // Held requests: moderators, owners and listmasters.
    ("requests",        "pub",  "D D D A A A A"),
    ("requests",        "hid",  "D D D A A A A"),
    ("decide_requests", "pub",  "D D D A A A A"),
    ("decide_requests", "hid",  "D D D A A A A"),
    // Closing a list: privileged owners and listmasters.
    ("close",           "pub",  "D D D D D A A"),
    // Copying: privileged owners and listmasters (here a copy by an owner waits for a
    // listmaster); renaming: listmasters only where new lists need their approval.
    ("copy",            "pub",  "D D D D D A A"),
    ("copy",            "hid",  "D D D D D A A"),
    ("rename",          "pub",  "D D D D D D A"),
    // Listmasters only: opening, purging, the panel, search_user, mass_del, the check.
    ("open",            "pub",  "D D D D D D A"),
    ("purge",           "pub",  "D D D D D D A"),
    ("overview",        "pub",  "D D D D D D A"),
    ("search_user",     "pub",  "D D D D D D A"),
    ("mass_del",        "pub",  "D D D D D D A"),
    ("site_check",      "pub",  "D D D D D D A"),
    // Searching lists: anyone (what is found depends on who asks).
    ("search_list",     "pub",  "A A A A A A A"),
    // Texts, the paste of addresses and the reminder: owners and listmasters; one member's
    // details and the log: moderators too.
    ("texts",           "pub",  "D D D D A A A"),
    ("texts",           "hid",  "D D D D A A A"),
    ("import_paste",    "pub",  "D D D D A A A"),
    ("remind_status",   "pub",  "D D D D A A A"),
    ("remind_status",   "hid",  "D D D D A A A"),
    ("member_details",  "pub",  "D D D A A A A"),
    ("member_details",  "hid",  "D D D A A A A"),
    ("viewlogs",        "pub",  "D D D A A A A"),
    ("viewlogs",        "shut", "D D D A A A A"),
    // One's own membership: the subscribe and unsubscribe policies, on visible lists.
    ("subscribe",       "pub",  "A A A A A A A"),
    ("subscribe",       "hid",  "D D A A A A A"),
    ("subscribe",       "shut", "D D D D D D D"),
    ("signoff",         "pub",  "A D A D D D D"),
    ("signoff",         "hid",  "D D A D D D D"),
    ("signoff",         "shut", "D D D D D D D"),
];

/// Runs operation `name` on `list` as `requester`, with harmless input; `A` or `D`.
fn run_operation(site: &Site, requester: &Requester, name: &str, list: &str) -> char {
    use wwsympa::mail::notices::RequestKind;
    use wwsympa::operations::{self, lists, members, membership, Refusal};
    use wwsympa::store::{MemberQuery, MemberSort};
    let mut store = site.store();
    let templates = wwsympa::render::Templates::load(None).unwrap();
    let mut env = operations::Env::new(&mut store, &site.config, &templates);
    let list = lists::open_list(&env, list).unwrap();
    let nobody = ["nobody@example.org"];
    let query = MemberQuery {
        filter: None,
        include_concealed: false,
        sort: MemberSort::parse("email"),
        offset: 0,
        limit: 10,
    };
    let result: Result<(), operations::Error> = match name {
        "add" => {
            let junk = [members::Entry {
                email: "not an address".into(),
                name: String::new(),
            }];
            members::add(&mut env, requester, &list, &junk, true).map(drop)
        }
        "del" => members::del(&mut env, requester, &list, &nobody, true).map(drop),
        "import" => members::import(&mut env, requester, &list, "", |_, _| {}).map(drop),
        "export" => members::export(&env, requester, &list, true).map(drop),
        "review" => members::review(&env, requester, &list, query).map(drop),
        "requests" => members::requests(&env, requester, &list, RequestKind::Subscribe).map(drop),
        "decide_requests" => members::decide_requests(
            &mut env,
            requester,
            &list,
            RequestKind::Subscribe,
            &nobody,
            false,
            true,
        )
        .map(drop),
        // Closing is asked on a list of its own, re-opened after.
        "close" => {
            let result = lists::close(&mut env, requester, &list);
            store
                .db()
                .set_list_status(list.id, wwsympa::domain::ListStatus::Open)
                .unwrap();
            result
        }
        // A name no list may have: refused after the authorization, nothing made.
        "copy" => {
            wwsympa::operations::lifecycle::copy(&mut env, requester, &list, "x-owner").map(drop)
        }
        "rename" => {
            wwsympa::operations::lifecycle::rename(&mut env, requester, &list, "x-owner").map(drop)
        }
        // An open list: opening it changes nothing; purging it is refused once allowed.
        "open" => wwsympa::operations::lifecycle::open(&mut env, requester, &list).map(drop),
        "purge" => wwsympa::operations::lifecycle::purge(&mut env, requester, &list),
        "overview" => wwsympa::operations::listmaster::overview(&env, requester).map(drop),
        "search_user" => {
            wwsympa::operations::listmaster::search_user(&env, requester, "nobody@example.org")
                .map(drop)
        }
        "mass_del" => wwsympa::operations::listmaster::mass_del(
            &mut env,
            requester,
            "nobody@example.org",
            &[],
            true,
        )
        .map(drop),
        "site_check" => wwsympa::operations::site_check::site(&env, requester).map(drop),
        "search_list" => lists::search(&env, requester, "pub").map(drop),
        "texts" => wwsympa::operations::texts::save(&mut env, requester, Some(&list), "nope", "x"),
        "import_paste" => {
            wwsympa::operations::import::import(&mut env, requester, &list, "", true).map(drop)
        }
        "remind_status" => wwsympa::operations::remind::status(&env, requester, &list).map(drop),
        "member_details" => wwsympa::operations::subscriber::details(
            &env,
            requester,
            &list,
            &email("nobody@example.org"),
        )
        .map(drop),
        "viewlogs" => {
            wwsympa::operations::logs::viewlogs(&env, requester, &list, &Default::default(), 1, 10)
                .map(drop)
        }
        "subscribe" => {
            membership::subscribe(&mut env, requester, &list, Some("walker@example.org"), "")
                .map(drop)
        }
        "signoff" => {
            membership::signoff(&mut env, requester, &list, Some("walker@example.org")).map(drop)
        }
        other => panic!("no operation {other}"),
    };
    match result {
        Err(operations::Error::Refused(Refusal::Denied(_))) => 'D',
        Ok(()) | Err(operations::Error::Refused(_)) => 'A',
        Err(e) => panic!("{name} on {list:?}: {e}"),
    }
}

#[test]
fn every_operation_decides_for_itself_for_every_role() {
    let mut mismatches = Vec::new();
    for (operation, list, answers) in OPERATIONS {
        // Operations that change memberships get a fresh site, so that each role starts
        // from the fixture.
        let (_dir, site) = site();
        for ((role, account), want) in ROLES.iter().zip(answers.split(' ')) {
            let requester = Requester {
                email: account.map(email),
                listmaster: account.is_some_and(|a| site.config.is_listmaster(&email(a))),
                remote_addr: Some("192.0.2.50".parse().unwrap()),
                channel: Channel::Soap,
                known_roles: None,
            };
            let got = run_operation(&site, &requester, operation, list);
            if !want.starts_with(got) {
                mismatches.push(format!(
                    "{operation} on {list} by {role}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
