//! The sentences that were English only, now said in the visitor's language: an archive search refused with its reason, the notes and header names of an archived message, a form that cannot be read, a body too large, an unknown settings group or role, the settings and owners notices; and the English ones unchanged.

use wwsympa::domain::{
    AdminRole, ArchiveAccess, ListName, ListPolicy, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use wwsympa::http::{Method, Request, Response, Service};

use crate::browser::{body, Browser, Site};
use crate::subscription::{email, site_with, PASSWORD};
use crate::support::TempDir;

/// `method` `target` (with `form` as the body) from a visitor without cookies whose browser
/// asks for `accept_language`.
fn ask(site: &Site, method: Method, target: &str, form: &[u8], language: Option<&str>) -> Response {
    let mut request = Request::parse_target(method, target).unwrap();
    request.remote_addr = Some("192.0.2.90".parse().unwrap());
    request.body = form.to_vec();
    request.headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    if let Some(value) = language {
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

/// The page's text with the escapes of the templates undone, for comparing sentences.
fn text(response: &Response) -> String {
    body(response)
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn header<'r>(response: &'r Response, name: &str) -> Option<&'r str> {
    response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A site with `pubarc`, a list whose archive anyone reads.
fn archive_site(name: &str) -> (TempDir, Site) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    site.add_list(
        "pubarc",
        "",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Private,
            archive: ArchiveAccess::Public,
        },
    );
    (dir, site)
}

#[test]
fn an_archive_search_refused_says_why_in_the_visitors_language() {
    let (_dir, site) = archive_site("strings-search");
    let search = |q: &str, language: Option<&str>| {
        let response = ask(
            &site,
            Method::Get,
            &format!("/sympa/arcsearch/pubarc?q={q}"),
            b"",
            language,
        );
        assert_eq!(response.status, 422, "{q}: {}", body(&response));
        text(&response)
    };
    let french = search("d%3Anonsense", Some("fr"));
    assert!(
        french.contains("Cette recherche ne peut pas être lancée : les dates s'écrivent d:AAAA-MM-JJ..AAAA-MM-JJ (l'une des deux bornes peut manquer, comme dans d:2024-01-01..), ou d:AAAA-MM-JJ pour un seul jour."),
        "{french}"
    );
    let german = search("-spam", Some("de"));
    assert!(
        german.contains("Diese Suche kann nicht ausgeführt werden: Sie enthält kein Wort, nach dem gesucht werden kann"),
        "{german}"
    );
    let spanish = search(&"w".repeat(600), Some("es"));
    assert!(
        spanish.contains("No se puede realizar esta búsqueda: es demasiado larga. Una búsqueda tiene como máximo 500 caracteres y 20 términos."),
        "{spanish}"
    );
    // English, as the msgids say it.
    let english = search("d%3Anonsense", None);
    assert!(
        english.contains("This search cannot be run: dates are written d:YYYY-MM-DD..YYYY-MM-DD (either end may be left out, as in d:2024-01-01..), or d:YYYY-MM-DD for one day."),
        "{english}"
    );
    let empty = search("-spam", Some("en"));
    assert!(
        empty.contains("This search cannot be run: it has no word to look for"),
        "{empty}"
    );
    // Sympa's form is refused the same way.
    let sympa = ask(
        &site,
        Method::Get,
        "/sympa/arcsearch/pubarc?key_word=%2E%2E%2E&how=all&match=exact",
        b"",
        Some("fr"),
    );
    assert_eq!(sympa.status, 422);
    assert!(
        text(&sympa).contains("elle ne contient aucun mot à chercher"),
        "{}",
        text(&sympa)
    );
}

/// A message whose parts are nested deeper than the archive shows.
fn deep_message() -> Vec<u8> {
    let mut text = String::from(
        "From: Ann <ann@example.org>\r\nTo: pubarc@lists.example.org\r\nSubject: Deep\r\nMessage-ID: <deep@example.org>\r\nDate: Tue, 05 Mar 2024 10:00:00 +0000\r\n",
    );
    let levels = wwsympa::archive::MAX_DEPTH + 3;
    for level in 0..levels {
        text.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n"
        ));
    }
    text.push_str("Content-Type: text/plain\r\n\r\ndeep words\r\n");
    for level in (0..levels).rev() {
        text.push_str(&format!("--b{level}--\r\n"));
    }
    text.into_bytes()
}

#[test]
fn an_archived_message_shows_its_notes_and_header_names_in_the_readers_language() {
    let (_dir, site) = archive_site("strings-note");
    let list = site
        .store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse("pubarc").unwrap())
        .unwrap()
        .unwrap();
    let raw = deep_message();
    let stored = site
        .store()
        .transaction(|db| {
            wwsympa::operations::archive::store_message(
                db,
                &list,
                &wwsympa::operations::archive::Incoming {
                    raw: &raw,
                    arrived_at: 1_709_632_800,
                    month: None,
                    legacy_seq: None,
                },
            )
        })
        .unwrap()
        .message();
    let url = format!(
        "/sympa/arc/pubarc/{}/msg{:05}.html",
        stored.month, stored.seq
    );
    let french = ask(&site, Method::Get, &url, b"", Some("fr"));
    assert_eq!(french.status, 200, "{}", body(&french));
    let page = text(&french);
    assert!(
        page.contains("Les parties imbriquées sur plus de 20 niveaux ne sont pas affichées."),
        "{page}"
    );
    for name in [
        "<dt>De</dt>",
        "<dt>À</dt>",
        "<dt>Objet</dt>",
        "<dt>Date</dt>",
    ] {
        assert!(page.contains(name), "{name}: {page}");
    }
    let english = ask(&site, Method::Get, &url, b"", None);
    let page = text(&english);
    assert!(
        page.contains("Parts nested more than 20 deep are not shown."),
        "{page}"
    );
    for name in ["<dt>From</dt>", "<dt>To</dt>", "<dt>Subject</dt>"] {
        assert!(page.contains(name), "{name}: {page}");
    }
    // The list's feeds too.
    for feed in ["/sympa/rss/latest_arc/pubarc", "/sympa/arc/pubarc/atom.xml"] {
        let french = ask(&site, Method::Get, feed, b"", Some("fr"));
        assert_eq!(french.status, 200, "{feed}");
        assert!(
            text(&french).contains("<title>pubarc : derniers messages</title>"),
            "{feed}: {}",
            text(&french)
        );
        assert_eq!(header(&french, "Content-Language"), Some("fr"));
        let english = ask(&site, Method::Get, feed, b"", None);
        assert!(
            text(&english).contains("<title>pubarc: latest messages</title>"),
            "{feed}: {}",
            text(&english)
        );
    }
    // The page's validator names its language: a French copy is not fresh for English.
    let etag = header(&french, "ETag").expect("a message page has an ETag");
    assert_ne!(Some(etag), header(&english, "ETag"));
    let mut request = Request::parse_target(Method::Get, &url).unwrap();
    request.headers.push(("if-none-match".into(), etag.into()));
    request
        .headers
        .push(("accept-language".into(), "en".into()));
    assert_eq!(site.app.call(&request).status, 200);
    request.headers.retain(|(n, _)| n != "accept-language");
    request
        .headers
        .push(("accept-language".into(), "fr".into()));
    assert_eq!(site.app.call(&request).status, 304);
}

#[test]
fn a_form_that_cannot_be_read_is_refused_in_the_visitors_language() {
    let (_dir, site) = archive_site("strings-form");
    let not_utf8 = |language: Option<&str>| {
        let response = ask(
            &site,
            Method::Post,
            "/sympa/login",
            b"email=%FF&passwd=x",
            language,
        );
        assert_eq!(response.status, 400, "{}", body(&response));
        text(&response)
    };
    let french = not_utf8(Some("fr"));
    assert!(
        french.contains("Un champ de ce formulaire n'est pas du texte UTF-8 valide ; veuillez renvoyer le formulaire depuis la page de ce site. Rien n'a été fait."),
        "{french}"
    );
    assert!(french.contains(r#"<html lang="fr""#), "{french}");
    let english = not_utf8(None);
    assert!(
        english.contains("A field of this form is not valid UTF-8 text; please send the form again from this site's page. Nothing was done."),
        "{english}"
    );
    let nul = ask(
        &site,
        Method::Post,
        "/sympa/login",
        b"email=a%00b",
        Some("de"),
    );
    assert_eq!(nul.status, 400);
    assert!(
        text(&nul).contains("Ein Feld dieses Formulars enthält ein NUL-Zeichen"),
        "{}",
        text(&nul)
    );
    // Too many fields: a 413 that counts them.
    let many = vec!["a=1"; 65].join("&");
    let spanish = ask(
        &site,
        Method::Get,
        &format!("/sympa/lists?{many}"),
        b"",
        Some("es"),
    );
    assert_eq!(spanish.status, 413);
    assert!(
        text(&spanish).contains(
            "Este formulario tiene 65 campos; aquí se aceptan como máximo 64. No se ha hecho nada."
        ),
        "{}",
        text(&spanish)
    );
    let english = ask(
        &site,
        Method::Get,
        &format!("/sympa/lists?{many}"),
        b"",
        None,
    );
    assert!(
        text(&english).contains("This form has 65 fields; at most 64 are accepted here."),
        "{}",
        text(&english)
    );
    // A body past what the web reads at all: the doors ask the app for its page.
    let mut request = Request::parse_target(Method::Post, "/sympa/login").unwrap();
    request
        .headers
        .push(("accept-language".into(), "fr".into()));
    let refused = site.app.too_large(&request, 16_384);
    assert_eq!(refused.status, 413);
    let refused = Response {
        status: refused.status,
        headers: refused.headers.clone(),
        body: refused.into_bytes().unwrap().into(),
    };
    assert!(
        text(&refused).contains(
            "Cette requête est trop volumineuse : 16384 octets au plus sont acceptés ici."
        ),
        "{}",
        text(&refused)
    );
    assert_eq!(header(&refused, "Content-Language"), Some("fr"));
}

/// A site with the list `team`, owner@ its privileged owner (who reads French) and plain@
/// a normal owner (who reads English).
fn team_site(name: &str) -> (TempDir, Site) {
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
    site.add_user("plain@example.org", PASSWORD);
    site.add_user("mod@example.org", PASSWORD);
    let list = site
        .store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .unwrap()
        .id;
    site.store()
        .transaction(|db| db.add_admin(list, &email("plain@example.org"), AdminRole::Owner, false))
        .unwrap();
    (dir, site)
}

/// Logs `address` in and saves `lang` as their language.
fn reader<'s>(site: &'s Site, address: &str, remote: &str, lang: &str) -> Browser<'s> {
    let mut browser = site.browser(remote);
    browser.login(address, PASSWORD);
    browser.get("/sympa/pref");
    let saved = browser.post("/sympa/pref", &[("gecos", "Someone"), ("lang", lang)]);
    assert_eq!(saved.status, 303, "{}", body(&saved));
    browser
}

#[test]
fn an_unknown_settings_group_or_role_and_the_owners_notices_are_in_the_owners_language() {
    let (_dir, site) = team_site("strings-admin");
    let mut owner = reader(&site, "owner@example.org", "192.0.2.91", "fr");
    let missing = owner.get("/sympa/edit_list_request/team/dkim");
    assert_eq!(missing.status, 404);
    assert!(
        text(&missing).contains("Il n'existe pas de groupe de paramètres nommé « dkim ». Les groupes sont : description, sending, command, archives, bounces, other."),
        "{}",
        text(&missing)
    );
    let role = owner.get("/sympa/edit/team/nobody");
    assert_eq!(role.status, 404);
    assert!(
        text(&role).contains("Il n'existe pas de rôle nommé « nobody » à gérer ici"),
        "{}",
        text(&role)
    );
    // The notices after saving settings.
    owner.get("/sympa/edit_list_request/team/description");
    let saved = owner.post(
        "/sympa/edit_list/team/description",
        &[("subject", "Notre équipe")],
    );
    assert_eq!(saved.status, 303, "{}", body(&saved));
    let page = text(&owner.get("/sympa/edit_list_request/team/description"));
    assert!(page.contains("Enregistré : Objet."), "{page}");
    let same = owner.post(
        "/sympa/edit_list/team/description",
        &[("subject", "Notre équipe")],
    );
    assert_eq!(same.status, 303);
    let page = text(&owner.get("/sympa/edit_list_request/team/description"));
    assert!(page.contains("Rien n'a été modifié."), "{page}");
    // And after adding, then removing, a moderator.
    owner.get("/sympa/edit/team/editor");
    let added = owner.post(
        "/sympa/edit/team/editor",
        &[("do", "add"), ("email", "mod@example.org")],
    );
    assert_eq!(added.status, 303, "{}", body(&added));
    let page = text(&owner.get("/sympa/edit/team/editor"));
    assert!(page.contains("mod@example.org a été ajouté."), "{page}");
    let removed = owner.post(
        "/sympa/edit/team/editor",
        &[("do", "remove"), ("email", "mod@example.org")],
    );
    assert_eq!(removed.status, 303, "{}", body(&removed));
    let page = text(&owner.get("/sympa/edit/team/editor"));
    assert!(page.contains("mod@example.org a été retiré."), "{page}");
    // The other owner reads English, as before.
    let mut plain = reader(&site, "plain@example.org", "192.0.2.92", "en");
    let missing = plain.get("/sympa/edit_list_request/team/dkim");
    assert_eq!(missing.status, 404);
    assert!(
        text(&missing).contains("There is no group of settings named “dkim”. The groups are: description, sending, command, archives, bounces, other."),
        "{}",
        text(&missing)
    );
    let role = plain.get("/sympa/edit/team/nobody");
    assert!(
        text(&role).contains("There is no role named “nobody” to manage here: choose owner or editor (the moderators)."),
        "{}",
        text(&role)
    );
    plain.get("/sympa/edit_list_request/team/description");
    plain.post(
        "/sympa/edit_list/team/description",
        &[("subject", "Our team")],
    );
    let page = text(&plain.get("/sympa/edit_list_request/team/description"));
    assert!(page.contains("Saved: Subject."), "{page}");
}

#[test]
fn a_held_post_without_subject_is_named_in_the_moderators_language() {
    let dir = TempDir::new("strings-held");
    let site = Site::new(dir.path(), |_| {});
    site.add_user("mod@example.org", PASSWORD);
    let list = site.add_list(
        "news",
        "",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Owner,
            archive: ArchiveAccess::Public,
        },
    );
    let store = site.store();
    store
        .db()
        .add_admin(list, &email("mod@example.org"), AdminRole::Editor, false)
        .unwrap();
    store
        .db()
        .set_user_lang(&email("mod@example.org"), "fr")
        .unwrap();
    drop(store);
    crate::moderation::hold(
        &site,
        list,
        "From: Someone <someone@example.net>\r\nTo: news@lists.example.org\r\nMessage-ID: <nosubject@example.net>\r\n\r\nHello\r\n",
    );
    let notices = crate::subscription::mail_to(&site, "mod@example.org");
    assert_eq!(notices.len(), 1);
    let notice = mail_parser::MessageParser::default()
        .parse(notices[0].as_bytes())
        .unwrap();
    let text = notice.body_text(0).unwrap();
    assert!(text.contains("Objet : (sans objet)"), "{text}");
}
