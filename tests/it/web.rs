//! The web interface through `web::App` directly: pages, 404s, bad input.

use std::path::Path;

use wwsympa::config::Config;
use wwsympa::domain::{ListName, Visibility};
use wwsympa::http::{Method, Request, Response, Service};
use wwsympa::store::NewList;
use wwsympa::web::{App, State};

use crate::support::db::SiteDb;
use crate::support::TempDir;

/// An app over a fresh database (of the selected backend) holding `names`, and that database.
fn app_with_lists(dir: &Path, names: &[&str]) -> (App, SiteDb) {
    let db = SiteDb::new(dir, "test.db");
    let mut config = Config::default();
    db.configure(&mut config);
    let mut store = db.store();
    for name in names {
        let list = NewList {
            name: ListName::parse(name).unwrap(),
            subject: format!("Subject of <{name}>"),
            description: String::new(),
            topics: vec!["science/physics".into()],
            visibility: Visibility::Noconceal,
        };
        store.create_list(&config.domain, &list).unwrap();
    }
    (App::new(State::new(config).unwrap(), None).unwrap(), db)
}

fn get(app: &App, target: &str) -> Response {
    app.call(&Request::parse_target(Method::Get, target).unwrap())
}

fn body(response: &Response) -> String {
    String::from_utf8(response.body.bytes().to_vec()).unwrap()
}

#[test]
fn home_page_lists_the_domains_lists_escaped() {
    let dir = TempDir::new("web-home");
    let (app, _db) = app_with_lists(dir.path(), &["alpha", "beta"]);
    for target in ["/sympa", "/sympa/", "/sympa/home", "/sympa/?action=home"] {
        let response = get(&app, target);
        assert_eq!(response.status, 200, "{target}");
        let html = body(&response);
        assert!(
            html.contains(r#"<a href="/sympa/info/alpha">alpha</a>"#),
            "{target}: {html}"
        );
        assert!(html.contains("Subject of &lt;beta&gt;"), "{html}");
        assert_eq!(
            response.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
    }
}

#[test]
fn lists_by_topic_and_the_old_alias() {
    let dir = TempDir::new("web-lists");
    let (app, _db) = app_with_lists(dir.path(), &["alpha"]);
    assert!(body(&get(&app, "/sympa/lists/science")).contains("alpha"));
    assert!(body(&get(&app, "/sympa/lists/science/physics")).contains("alpha"));
    assert!(!body(&get(&app, "/sympa/lists/art")).contains("/info/alpha"));
    assert_eq!(get(&app, "/sympa/lists_categories").status, 200);
}

#[test]
fn unknown_actions_get_the_home_page_with_a_notice_and_404() {
    let dir = TempDir::new("web-unknown");
    let (app, _db) = app_with_lists(dir.path(), &["alpha"]);
    let response = get(&app, "/sympa/no_such_action/x");
    assert_eq!(response.status, 404);
    let html = body(&response);
    assert!(html.contains("Unknown action"), "{html}");
    assert!(
        html.contains("/sympa/info/alpha"),
        "the home page is shown: {html}"
    );
}

#[test]
fn paths_outside_the_base_are_404_pages() {
    let dir = TempDir::new("web-outside");
    let (app, _db) = app_with_lists(dir.path(), &[]);
    for target in ["/", "/other", "/sympathy"] {
        let response = get(&app, target);
        assert_eq!(response.status, 404, "{target}");
        assert!(body(&response).contains("Page not found"));
    }
}

#[test]
fn posting_to_a_read_only_action_is_refused() {
    let dir = TempDir::new("web-post");
    let (app, _db) = app_with_lists(dir.path(), &[]);
    let response = app.call(&Request::parse_target(Method::Post, "/sympa/lists").unwrap());
    assert_eq!(response.status, 405);
    assert_eq!(response.header("Allow"), Some("GET, HEAD"));
}

#[test]
fn bad_utf8_in_the_query_is_a_clear_400() {
    let dir = TempDir::new("web-utf8");
    let (app, _db) = app_with_lists(dir.path(), &[]);
    let response = get(&app, "/sympa/lists?topic=%FF");
    assert_eq!(response.status, 400);
    assert!(body(&response).contains("not valid UTF-8"));
}

#[test]
fn the_stylesheet_is_served_for_plain_http() {
    let dir = TempDir::new("web-css");
    let (app, _db) = app_with_lists(dir.path(), &[]);
    let response = get(&app, "/static-sympa/wwsympa.css");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(get(&app, "/static-sympa/nothing.css").status, 404);
}

/// Anonymous pages of `cached` actions are kept, but a change to any list (a new list, a
/// new member changing the count on `info`) shows on the very next request.
#[test]
fn anonymous_pages_are_kept_only_until_the_lists_change() {
    use wwsympa::domain::Email;
    use wwsympa::store::NewMember;
    let dir = TempDir::new("web-cache");
    let (app, db) = app_with_lists(dir.path(), &["alpha"]);
    let first = get(&app, "/sympa/");
    assert_eq!(get(&app, "/sympa/"), first, "the same page is served again");
    assert!(body(&get(&app, "/sympa/info/alpha")).contains("0 members"));

    let mut store = db.connect();
    let list = NewList {
        name: ListName::parse("beta").unwrap(),
        subject: "Second".into(),
        description: String::new(),
        topics: Vec::new(),
        visibility: Visibility::Noconceal,
    };
    store.create_list("localhost", &list).unwrap();
    assert!(body(&get(&app, "/sympa/")).contains("/sympa/info/beta"));
    assert!(body(&get(&app, "/sympa/lists")).contains("/sympa/info/beta"));

    let alpha = store
        .db()
        .list_by_name("localhost", &ListName::parse("alpha").unwrap())
        .unwrap()
        .unwrap();
    store
        .db()
        .add_member(
            alpha.id,
            &NewMember::new(Email::parse("ann@example.org").unwrap()),
        )
        .unwrap();
    let info = body(&get(&app, "/sympa/info/alpha"));
    assert!(info.contains("1 member"), "{info}");
}

/// The SOAP API's WSDL at `<base>/wsdl`, as WWSympa serves it: `text/xml`, filled from the
/// configuration's two URLs, no cookie, and kept by clients with its ETag.
#[test]
fn the_wsdl_is_served_filled_from_the_configuration() {
    let dir = TempDir::new("web-wsdl");
    let (app, _db) = app_with_lists(dir.path(), &[]);
    let config = Config::default();
    let response = get(&app, "/sympa/wsdl");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some("text/xml"));
    assert_eq!(response.header("Set-Cookie"), None);
    let wsdl = body(&response);
    assert_eq!(
        wsdl,
        wwsympa::soap::wsdl::wsdl(&config.wwsympa_url, &config.soap_url)
    );
    assert!(wsdl.contains(r#"targetNamespace="http://localhost/sympa/wsdl""#));
    assert!(wsdl.contains(r#"<soap:address location="http://localhost/sympasoap"/>"#));
    let etag = response.header("ETag").expect("an ETag").to_string();
    let mut again = Request::parse_target(Method::Get, "/sympa/wsdl").unwrap();
    again.headers.push(("if-none-match".into(), etag));
    assert_eq!(app.call(&again).status, 304);
    // The encoding schema it imports, from where it says.
    assert!(wsdl.contains(r#"schemaLocation="http://localhost/sympa/wsdl/soap-encoding.xsd""#));
    let schema = get(&app, "/sympa/wsdl/soap-encoding.xsd");
    assert_eq!(schema.status, 200);
    assert_eq!(schema.header("Content-Type"), Some("text/xml"));
    assert_eq!(body(&schema), wwsympa::soap::wsdl::ENCODING_SCHEMA);
    assert_eq!(get(&app, "/sympa/wsdl/other.xsd").status, 404);
}
