//! Languages on the web and in mail: `Accept-Language`, `set_lang` (cookie and account), the preference, the page cache per language, a right-to-left catalogue, notices in the recipient's language.

use wwsympa::domain::{
    ArchiveAccess, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::http::{Method, Request, Response, Service};

use crate::browser::{body, Site};
use crate::subscription::{email, mail_to, PASSWORD};
use crate::support::TempDir;

/// GET `target` from a visitor without cookies whose browser sends `accept_language`.
fn get_with(site: &Site, target: &str, accept_language: Option<&str>) -> Response {
    let mut request = Request::parse_target(Method::Get, target).unwrap();
    request.remote_addr = Some("192.0.2.40".parse().unwrap());
    if let Some(value) = accept_language {
        request
            .headers
            .push(("accept-language".into(), value.into()));
    }
    let response = site.app.call(&request);
    let (status, headers) = (response.status, response.headers.clone());
    Response {
        status,
        headers,
        body: response.into_bytes().unwrap().into(),
    }
}

fn open_list() -> ListPolicy {
    ListPolicy {
        visibility: Visibility::Noconceal,
        subscribe: SubscribePolicy::Open,
        unsubscribe: UnsubscribePolicy::Open,
        review: ReviewPolicy::Private,
        archive: ArchiveAccess::Private,
    }
}

fn user_lang(site: &Site, address: &str) -> String {
    site.store()
        .db()
        .user(&email(address))
        .unwrap()
        .unwrap()
        .user
        .lang
}

#[test]
fn a_page_is_in_the_language_the_browser_asks_for() {
    let dir = TempDir::new("lang-accept");
    let site = Site::new(dir.path(), |_| {});
    let response = get_with(&site, "/sympa/lists", Some("fr-CA, en;q=0.5"));
    assert!(response
        .headers
        .iter()
        .any(|(n, v)| n == "Content-Language" && v == "fr"));
    let french = body(&response);
    assert!(french.contains(r#"<html lang="fr" dir="ltr">"#), "{french}");
    assert!(french.contains(">Accueil</a>"), "{french}");
    // A language the site lacks falls to the next one asked for, then to the site's.
    let german = body(&get_with(&site, "/sympa/lists", Some("it, de;q=0.8")));
    assert!(german.contains(r#"lang="de""#) && german.contains(">Startseite</a>"));
    let english = body(&get_with(&site, "/sympa/lists", Some("it, pt")));
    assert!(english.contains(r#"lang="en""#) && english.contains(">Home</a>"));
    // The error page too.
    let missing = get_with(&site, "/sympa/info/nosuchlist", Some("es"));
    assert_eq!(missing.status, 404);
    assert!(
        body(&missing).contains("Esta lista no existe."),
        "{}",
        body(&missing)
    );
}

#[test]
fn the_site_and_the_list_languages_come_after_the_browsers() {
    let dir = TempDir::new("lang-list");
    let site = Site::new(dir.path(), |config| config.lang = "es".into());
    let id = site.add_list("news", "", open_list());
    site.store().db().set_list_lang(id, "de").unwrap();
    let info = body(&get_with(&site, "/sympa/info/news", None));
    assert!(info.contains(r#"lang="de""#), "{info}");
    let home = body(&get_with(&site, "/sympa/", None));
    assert!(home.contains(r#"lang="es""#), "{home}");
    let asked = body(&get_with(&site, "/sympa/info/news", Some("fr")));
    assert!(asked.contains(r#"lang="fr""#), "{asked}");
}

#[test]
fn cached_pages_are_kept_per_language() {
    let dir = TempDir::new("lang-cache");
    let site = Site::new(dir.path(), |_| {});
    site.add_list("news", "", open_list());
    // Each is asked twice: the second answer comes from the cache, in its own language.
    for _ in 0..2 {
        for (header, tag, home) in [
            (Some("fr"), "fr", ">Accueil</a>"),
            (Some("de-AT"), "de", ">Startseite</a>"),
            (None, "en", ">Home</a>"),
            (Some("es;q=0.9, xx"), "es", ">Inicio</a>"),
        ] {
            for target in ["/sympa/", "/sympa/lists", "/sympa/info/news"] {
                let page = body(&get_with(&site, target, header));
                assert!(
                    page.contains(&format!(r#"lang="{tag}""#)),
                    "{target} {header:?}"
                );
                assert!(page.contains(home), "{target} {header:?}");
            }
        }
    }
}

#[test]
fn set_lang_keeps_a_visitors_choice_in_a_cookie() {
    let dir = TempDir::new("lang-visitor");
    let site = Site::new(dir.path(), |_| {});
    site.add_list("news", "", open_list());
    let mut visitor = site.browser("192.0.2.41");
    let menu = body(&visitor.get("/sympa/info/news"));
    assert!(
        menu.contains(r#"href="/sympa/set_lang/de?previous_action=info&amp;previous_list=news""#),
        "{menu}"
    );
    let chosen = visitor.get("/sympa/set_lang/de?previous_action=info&previous_list=news");
    assert_eq!(chosen.status, 303);
    assert!(chosen
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("location") && v.ends_with("/sympa/info/news")));
    assert_eq!(
        visitor.cookies.get("sympa_lang").map(String::as_str),
        Some("de")
    );
    let page = body(&visitor.get("/sympa/info/news"));
    assert!(page.contains(r#"lang="de""#), "{page}");
    // Sympa's path argument, any case, a region falling back; a language we lack is refused.
    assert_eq!(visitor.get("/sympa/set_lang/FR-ca").status, 303);
    assert_eq!(visitor.cookies["sympa_lang"], "fr");
    let refused = visitor.get("/sympa/set_lang/xx");
    assert_eq!(refused.status, 200);
    assert!(
        body(&refused).contains("Veuillez choisir"),
        "{}",
        body(&refused)
    );
    assert_eq!(visitor.cookies["sympa_lang"], "fr");
    // The menu page names every language, as buttons of a form with a token.
    let page = body(&visitor.get("/sympa/set_lang"));
    for name in ["English", "Français", "Deutsch", "Español"] {
        assert!(page.contains(name), "{page}");
    }
    let choice = visitor.post("/sympa/set_lang", &[("lang", "es")]);
    assert_eq!(choice.status, 303);
    assert_eq!(visitor.cookies["sympa_lang"], "es");
    // Without the token nothing changes.
    let forged = visitor.post_raw("/sympa/set_lang", &[("lang", "de")]);
    assert_eq!(forged.status, 403);
    assert_eq!(visitor.cookies["sympa_lang"], "es");
}

#[test]
fn set_lang_and_pref_save_a_users_choice_in_the_account() {
    let dir = TempDir::new("lang-user");
    let site = Site::new(dir.path(), |_| {});
    site.add_user("ann@example.org", PASSWORD);
    assert_eq!(user_lang(&site, "ann@example.org"), "");
    let mut ann = site.browser("192.0.2.42");
    ann.login("ann@example.org", PASSWORD);
    // A GET only shows the buttons: the account changes by a POST with the token.
    let shown = ann.get("/sympa/set_lang/es");
    assert_eq!(shown.status, 200);
    assert_eq!(user_lang(&site, "ann@example.org"), "");
    assert_eq!(ann.post("/sympa/set_lang", &[("lang", "es")]).status, 303);
    assert_eq!(user_lang(&site, "ann@example.org"), "es");
    // Another browser (another session, another Accept-Language) follows the account.
    let mut elsewhere = site.browser("192.0.2.43");
    elsewhere.login("ann@example.org", PASSWORD);
    let page = body(&elsewhere.get("/sympa/my"));
    assert!(page.contains(r#"lang="es""#), "{page}");
    // The preferences page: a language, or none ("the browser's"), never one we lack.
    let pref = body(&ann.get("/sympa/pref"));
    assert!(pref.contains(r#"<option value="es" selected>"#), "{pref}");
    assert!(pref.contains("El idioma de su navegador"), "{pref}");
    assert_eq!(
        ann.post("/sympa/pref", &[("gecos", "Ann"), ("lang", "de")])
            .status,
        303
    );
    assert_eq!(user_lang(&site, "ann@example.org"), "de");
    let bad = ann.post("/sympa/pref", &[("gecos", "Ann"), ("lang", "xx")]);
    assert_eq!(bad.status, 422);
    assert!(body(&bad).contains("Bitte wählen Sie"), "{}", body(&bad));
    assert_eq!(user_lang(&site, "ann@example.org"), "de");
    assert_eq!(
        ann.post("/sympa/pref", &[("gecos", "Ann"), ("lang", "")])
            .status,
        303
    );
    assert_eq!(user_lang(&site, "ann@example.org"), "");
}

#[test]
fn a_right_to_left_catalogue_turns_the_page() {
    let dir = TempDir::new("lang-rtl");
    let locale = dir.path().join("locale");
    std::fs::create_dir_all(locale.join("he")).unwrap();
    std::fs::write(
        locale.join("he/base.po"),
        "msgid \"\"\nmsgstr \"\"\n\"Language: he\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n\
         msgid \"Home\"\nmsgstr \"דף הבית\"\n\nmsgid \"Lists\"\nmsgstr \"רשימות\"\n",
    )
    .unwrap();
    let site = Site::new(dir.path(), |config| {
        config.locale_dir = Some(locale.clone())
    });
    let page = body(&get_with(&site, "/sympa/lists", Some("he-IL, en;q=0.1")));
    assert!(page.contains(r#"<html lang="he" dir="rtl">"#), "{page}");
    assert!(page.contains(">דף הבית</a>"), "{page}");
    // Sentences the catalogue lacks stay English; the menu offers the new language.
    assert!(page.contains("עברית"), "{page}");
    let css = body(&get_with(&site, "/sympa/static-sympa/wwsympa.css", None));
    assert!(!css.contains("left") && !css.contains("right"), "{css}");
}

#[test]
fn a_notice_is_in_its_recipients_language() {
    let dir = TempDir::new("lang-mail");
    let site = Site::new(dir.path(), |_| {});
    site.add_list("news", "", open_list());
    let french_list = site.add_list("nouvelles", "", open_list());
    site.store().db().set_list_lang(french_list, "fr").unwrap();
    site.add_user("ann@example.org", PASSWORD);
    site.store()
        .db()
        .set_user_lang(&email("ann@example.org"), "de")
        .unwrap();
    site.add_user("bob@example.org", PASSWORD);
    // Ann prefers German: her welcome is German on either list.
    let mut ann = site.browser("192.0.2.44");
    ann.login("ann@example.org", PASSWORD);
    for list in ["news", "nouvelles"] {
        ann.get(&format!("/sympa/subscribe/{list}"));
        let done = ann.post(&format!("/sympa/subscribe/{list}"), &[]);
        assert!(done.status < 400, "{}", body(&done));
    }
    let mails = mail_to(&site, "ann@example.org");
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Willkommen auf der Liste news@lists.example.org")),
        "{mails:#?}"
    );
    assert!(mails
        .iter()
        .any(|m| m.contains("Subject: Willkommen auf der Liste nouvelles@lists.example.org")));
    // Bob has no preference: the list's language, else the site's.
    let mut bob = site.browser("192.0.2.45");
    bob.login("bob@example.org", PASSWORD);
    for list in ["news", "nouvelles"] {
        bob.get(&format!("/sympa/subscribe/{list}"));
        bob.post(&format!("/sympa/subscribe/{list}"), &[]);
    }
    let mails = mail_to(&site, "bob@example.org");
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Bienvenue sur la liste nouvelles@lists.example.org")),
        "{mails:#?}"
    );
    assert!(mails
        .iter()
        .any(|m| m.contains("Subject: Welcome to the list news@lists.example.org")));
}
