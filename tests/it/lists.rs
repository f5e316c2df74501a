//! List pages through `web::App::call`: `info` (404 for unknown or invisible lists), `my` with roles,
//! and the access rows walked for each role.

use wwsympa::domain::{
    AdminRole, Email, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::support::TempDir;

const PASSWORD: &str = "correct horse battery";

fn site_with_lists(name: &str) -> (TempDir, Site) {
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
    for (name, visibility) in [
        ("open", Visibility::Noconceal),
        ("hidden", Visibility::Conceal),
        ("staff", Visibility::Intranet),
    ] {
        let id = site.add_list(
            name,
            "Line one\nLine <two>",
            ListPolicy {
                visibility,
                subscribe: SubscribePolicy::Open,
                unsubscribe: UnsubscribePolicy::Open,
                review: ReviewPolicy::Private,
                archive: wwsympa::domain::ArchiveAccess::Private,
            },
        );
        db.add_member(
            id,
            &NewMember::new(Email::parse("member@example.org").unwrap()),
        )
        .unwrap();
        db.add_admin(
            id,
            &Email::parse("owner@example.org").unwrap(),
            AdminRole::Owner,
            true,
        )
        .unwrap();
    }
    drop(store);
    (dir, site)
}

#[test]
fn info_shows_visible_lists_and_404s_the_rest_alike() {
    let (_dir, site) = site_with_lists("lists-info");
    let mut anonymous = site.browser("192.0.2.1");
    let page = anonymous.get("/sympa/info/open");
    assert_eq!(page.status, 200);
    let html = body(&page);
    assert!(html.contains("The open list"));
    assert!(html.contains("Line one<br>Line &lt;two&gt;"), "{html}");
    assert!(html.contains("1 member"));
    assert!(
        !html.contains("owner@example.org"),
        "no addresses for crawlers"
    );
    assert!(html.contains("/sympa/subscribe/open"));

    let unknown = anonymous.get("/sympa/info/nosuchlist");
    let hidden = anonymous.get("/sympa/info/hidden");
    let intranet = anonymous.get("/sympa/info/staff");
    let bad_name = anonymous.get("/sympa/info/..%2Fetc");
    for response in [&unknown, &hidden, &intranet, &bad_name] {
        assert_eq!(response.status, 404);
        assert!(body(response).contains("No such list."));
    }
    assert_eq!(
        body(&unknown).replace("nosuchlist", "X"),
        body(&hidden).replace("hidden", "X"),
        "an invisible list looks exactly like an unknown one"
    );
    assert_eq!(anonymous.get("/sympa/info").status, 400);

    // A logged-in stranger sees the intranet list but not the concealed one.
    let mut other = site.browser("192.0.2.2");
    other.login("other@example.org", PASSWORD);
    assert_eq!(other.get("/sympa/info/staff").status, 200);
    assert_eq!(other.get("/sympa/info/hidden").status, 404);
    // Members and owners see it.
    let mut member = site.browser("192.0.2.3");
    member.login("member@example.org", PASSWORD);
    let page = member.get("/sympa/info/hidden");
    assert_eq!(page.status, 200);
    let html = body(&page);
    assert!(html.contains("You are a member of this list."));
    assert!(html.contains("owner@example.org"));
    assert!(
        html.contains("/sympa/review/hidden"),
        "private review for members"
    );
    assert!(!html.contains("/sympa/subindex/hidden"));
    let mut owner = site.browser("192.0.2.4");
    owner.login("owner@example.org", PASSWORD);
    assert!(body(&owner.get("/sympa/info/hidden")).contains("/sympa/subindex/hidden"));
}

#[test]
fn my_lists_shows_each_list_with_the_roles_held() {
    let (_dir, site) = site_with_lists("lists-my");
    let mut owner = site.browser("192.0.2.4");
    owner.login("owner@example.org", PASSWORD);
    let html = body(&owner.get("/sympa/my"));
    for list in ["hidden", "open", "staff"] {
        assert!(html.contains(&format!("/sympa/info/{list}")), "{html}");
    }
    assert!(html.contains("privileged owner"));
    let mut other = site.browser("192.0.2.2");
    other.login("other@example.org", PASSWORD);
    assert!(body(&other.get("/sympa/my")).contains("You belong to no list yet."));
}

#[test]
fn the_configured_listmaster_is_one_without_the_account_flag() {
    let (_dir, site) = site_with_lists("lists-listmaster");
    site.add_user("boss@example.org", PASSWORD);
    let mut boss = site.browser("192.0.2.9");
    boss.login("boss@example.org", PASSWORD);
    let page = boss.get("/sympa/info/hidden");
    assert_eq!(page.status, 200, "listmasters see every list");
    assert!(body(&page).contains("/sympa/subindex/hidden"));
}
