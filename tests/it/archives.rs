//! The archive on the web: every URL form (WWSympa's, the permalinks, HyperKitty's), who may read what under each archive policy (search included, site-wide), hostile HTML mail, conditional GETs, owners' tools, and a text browser.
//!
//! Messages reach the archive as an operator puts them there: `wwsympa archive import LIST
//! FILE.mbox`, with mbox files built here.

use std::path::{Path, PathBuf};

use base64::Engine;
use md5::{Digest, Md5};
use wwsympa::domain::{
    AdminRole, ArchiveAccess, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy,
    Visibility,
};
use wwsympa::http::{Method, Request, Response};
use wwsympa::operations::{Channel, Requester};
use wwsympa::store::NewMember;

use crate::browser::{body, Browser, Site};
use crate::subscription::{email, PASSWORD};
use crate::support::TempDir;

/// One message of a test mbox.
struct Mail<'a> {
    id: &'a str,
    references: &'a str,
    from: &'a str,
    subject: &'a str,
    date: &'a str,
    /// The header fields and body after the common ones (Content-Type and the rest).
    rest: String,
}

fn text(body: &str) -> String {
    format!("Content-Type: text/plain; charset=utf-8\n\n{body}\n")
}

/// An mbox file of `mails`, oldest first.
fn mbox(mails: &[Mail<'_>]) -> Vec<u8> {
    let mut out = String::new();
    for mail in mails {
        out.push_str("From archive@example.org Mon Jan  1 00:00:00 2024\n");
        out.push_str(&format!("Message-ID: <{}>\n", mail.id));
        if !mail.references.is_empty() {
            out.push_str(&format!(
                "References: <{}>\nIn-Reply-To: <{}>\n",
                mail.references, mail.references
            ));
        }
        out.push_str(&format!(
            "From: {}\nTo: list@lists.example.org\nSubject: {}\nDate: {}\nMIME-Version: 1.0\n",
            mail.from, mail.subject, mail.date
        ));
        out.push_str(&mail.rest);
        out.push('\n');
    }
    out.into_bytes()
}

/// Writes the site's configuration for the command line.
fn config_file(dir: &Path, site: &Site) -> PathBuf {
    let path = dir.join("wwsympa.toml");
    std::fs::write(
        &path,
        format!(
            "domain = {:?}\nwwsympa_url = {:?}\nlistmaster = {:?}\n{}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
            site.config.domain,
            site.config.wwsympa_url,
            site.config.listmaster,
            site.db.toml(),
            site.config.smtp_port,
        ),
    )
    .unwrap();
    path
}

/// `wwsympa archive import LIST FILE` of `mails`.
fn import(dir: &Path, config: &Path, list: &str, mails: &[Mail<'_>]) {
    let file = dir.join(format!("{list}-{}.mbox", mails.len()));
    std::fs::write(&file, mbox(mails)).unwrap();
    crate::support::run_cli(
        config,
        &["archive", "import", list, file.to_str().unwrap()],
        "",
    );
}

/// Sympa's permalink id of a Message-ID: base64url of its MD5, unpadded.
fn sympa_id(message_id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Md5::digest(message_id.as_bytes()))
}

const ROLES: &[(&str, Option<&str>)] = &[
    ("anonymous", None),
    ("user", Some("user@example.org")),
    ("subscriber", Some("sub@example.org")),
    ("moderator", Some("mod@example.org")),
    ("owner", Some("own@example.org")),
    ("listmaster", Some("boss@example.org")),
];

/// The lists, one per archive policy, each with a word found in no other list's archive.
const LISTS: &[(&str, ArchiveAccess, &str)] = &[
    ("pubarc", ArchiveAccess::Public, "publicmarker"),
    ("privarc", ArchiveAccess::Private, "privatemarker"),
    ("ownarc", ArchiveAccess::Owner, "ownermarker"),
    ("shutarc", ArchiveAccess::Closed, "closedmarker"),
];

/// The main list's messages: a thread in March 2024 (with a reply to a message the archive
/// never saw), an attachment, and April.
fn main_mails() -> Vec<Mail<'static>> {
    vec![
        Mail {
            id: "root@example.org",
            references: "",
            from: "Ann Example <ann@example.org>",
            subject: "Hello world",
            date: "Tue, 05 Mar 2024 10:00:00 +0000",
            rest: text("First line publicmarker\n\n> an old quote\n>> older still\nThe end."),
        },
        Mail {
            id: "reply@example.org",
            references: "root@example.org",
            from: "Bea <bea@example.org>",
            subject: "Re: Hello world",
            date: "Wed, 06 Mar 2024 10:00:00 +0000",
            rest: text("> First line\nA reply with zebrafish in it."),
        },
        Mail {
            id: "orphan@example.org",
            references: "unseen@example.org",
            from: "Cy <cy@example.org>",
            subject: "Re: Something earlier",
            date: "Thu, 07 Mar 2024 10:00:00 +0000",
            rest: text("Answering a message this archive never had."),
        },
        Mail {
            id: "files@example.org",
            references: "",
            from: "Ann Example <ann@example.org>",
            subject: "Files attached",
            date: "Fri, 08 Mar 2024 10:00:00 +0000",
            rest: "Content-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain\n\nSee the files.\n--XX\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: attachment; filename=\"notes.txt\"\n\nthe notes\n--XX\nContent-Type: text/html; name=\"evil.html\"\nContent-Disposition: attachment; filename=\"evil.html\"\n\n<script>alert(1)</script>\n--XX--\n".into(),
        },
        Mail {
            id: "april@example.org",
            references: "",
            from: "Ann Example <ann@example.org>",
            subject: "April news",
            date: "Mon, 01 Apr 2024 10:00:00 +0000",
            rest: text("Spring is here."),
        },
    ]
}

/// Thirty-one messages in May 2024: two pages by date.
fn may_mails() -> Vec<Mail<'static>> {
    (0..31)
        .map(|i| Mail {
            id: Box::leak(format!("may{i}@example.org").into_boxed_str()),
            references: "",
            from: "Dee <dee@example.org>",
            subject: Box::leak(format!("May message {i}").into_boxed_str()),
            date: Box::leak(
                format!("Wed, {:02} May 2024 {:02}:00:00 +0000", 1 + i / 2, i % 24)
                    .into_boxed_str(),
            ),
            rest: text(&format!("Number {i}.")),
        })
        .collect()
}

/// A site with the four lists, the roles on each, and their archives.
fn site(name: &str) -> (TempDir, Site) {
    let dir = TempDir::new(name);
    let site = Site::new(dir.path(), |_| {});
    for (_, account) in ROLES {
        if let Some(account) = account {
            site.add_user(account, PASSWORD);
        }
    }
    let config = config_file(dir.path(), &site);
    for (list, access, marker) in LISTS {
        let id = site.add_list(
            list,
            "",
            ListPolicy {
                visibility: Visibility::Noconceal,
                subscribe: SubscribePolicy::Open,
                unsubscribe: UnsubscribePolicy::Open,
                review: ReviewPolicy::Owner,
                archive: *access,
            },
        );
        let store = site.store();
        let db = store.db();
        db.add_member(id, &NewMember::new(email("sub@example.org")))
            .unwrap();
        db.add_admin(id, &email("mod@example.org"), AdminRole::Editor, false)
            .unwrap();
        db.add_admin(id, &email("own@example.org"), AdminRole::Owner, false)
            .unwrap();
        drop(store);
        if *list == "pubarc" {
            import(dir.path(), &config, list, &main_mails());
            import(dir.path(), &config, list, &may_mails());
        } else {
            let id: &'static str = Box::leak(format!("{list}-1@example.org").into_boxed_str());
            import(
                dir.path(),
                &config,
                list,
                &[Mail {
                    id,
                    references: "",
                    from: "Ann <ann@example.org>",
                    subject: "Only here",
                    date: "Tue, 05 Mar 2024 10:00:00 +0000",
                    rest: text(&format!("The word {marker} is only in this list.")),
                }],
            );
        }
    }
    (dir, site)
}

fn location(response: &Response) -> &str {
    response.header("Location").unwrap_or("")
}

/// GET `target` with extra header fields, through the browser's cookies.
fn get_with(site: &Site, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = Request::parse_target(Method::Get, target).unwrap();
    request.remote_addr = Some("192.0.2.50".parse().unwrap());
    for (name, value) in headers {
        request
            .headers
            .push((name.to_ascii_lowercase(), value.to_string()));
    }
    wwsympa::http::Service::call(&site.app, &request)
}

#[test]
fn every_archive_url_answers_as_the_corpus_says() {
    let (_dir, site) = site("arc-urls");
    let mut reader = site.browser("192.0.2.10");
    let root = sympa_id("root@example.org");
    let hyperkitty = wwsympa::archive::ids::hyperkitty_hash("reply@example.org");
    // (path, status, a fragment of the body, or of the Location for a redirect)
    let corpus: Vec<(String, u16, String)> = vec![
        ("/sympa/arc/pubarc".into(), 200, "2024-03".into()),
        ("/sympa/arc/pubarc".into(), 200, "2024-05".into()),
        (
            "/sympa/arc/pubarc/2024-03".into(),
            301,
            "/sympa/arc/pubarc/2024-03/".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/".into(),
            200,
            "Hello world".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/thrd1.html".into(),
            200,
            "Hello world".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/thrd1.html".into(),
            200,
            "<a href=\"/sympa/arc/pubarc/2024-03/msg00001.html\">Re: Hello world</a>".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/thrd2.html".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/mail1.html".into(),
            200,
            "Files attached".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-05/mail1.html".into(),
            200,
            "May message 0".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-05/mail2.html".into(),
            200,
            "May message 30".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-05/mail3.html".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-05/mail0.html".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arc/pubarc/1999-01/".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-13/".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/msg00000.html".into(),
            200,
            "publicmarker".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/msg00001.html".into(),
            200,
            "zebrafish".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/msg00099.html".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/msg00000/raw".into(),
            200,
            "Message-ID: <root@example.org>".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/msg00003/0/notes.txt".into(),
            200,
            "the notes".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03/msg00003/9/x".into(),
            404,
            "No such message".into(),
        ),
        (
            format!("/sympa/msg/pubarc/2024-03/{root}"),
            301,
            "/sympa/arc/pubarc/2024-03/msg00000.html".into(),
        ),
        // The wrong month: permalinks resolve whatever the month says.
        (
            format!("/sympa/msg/pubarc/1999-12/{root}"),
            301,
            "/sympa/arc/pubarc/2024-03/msg00000.html".into(),
        ),
        (
            "/sympa/msg/pubarc/2024-03/reply%40example.org".into(),
            301,
            "/sympa/arc/pubarc/2024-03/msg00001.html".into(),
        ),
        (
            "/sympa/msg/pubarc/2024-03/%3Creply%40example.org%3E".into(),
            301,
            "/sympa/arc/pubarc/2024-03/msg00001.html".into(),
        ),
        (
            "/sympa/msg/pubarc/2024-03/nobody%40example.org".into(),
            404,
            "No such message".into(),
        ),
        (
            format!("/sympa/arcsearch_id/pubarc/2024-03/{root}"),
            301,
            "/sympa/arc/pubarc/2024-03/msg00000.html".into(),
        ),
        (
            format!("/sympa/msg/pubarc/-/{hyperkitty}"),
            301,
            "/sympa/arc/pubarc/2024-03/msg00001.html".into(),
        ),
        (
            format!("/sympa/list/pubarc@lists.example.org/message/{hyperkitty}/"),
            301,
            "/sympa/arc/pubarc/2024-03/msg00001.html".into(),
        ),
        (
            "/sympa/list/pubarc@elsewhere.example/message/AAAA/".into(),
            404,
            "No such message".into(),
        ),
        (
            format!("/sympa/list/nosuchlist@lists.example.org/message/{hyperkitty}/"),
            404,
            "No such list".into(),
        ),
        (
            format!("/sympa/view_source/pubarc/2024-03/{root}"),
            301,
            "/sympa/arc/pubarc/2024-03/msg00000/raw".into(),
        ),
        (
            "/sympa/rss/latest_arc/pubarc?for=100000&count=5".into(),
            200,
            "<rss version=\"2.0\"".into(),
        ),
        (
            "/sympa/rss/latest_arc/privarc".into(),
            403,
            "no feed".into(),
        ),
        (
            "/sympa/arc/pubarc/atom.xml".into(),
            200,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">".into(),
        ),
        (
            "/sympa/latest_arc/pubarc".into(),
            200,
            "May message 30".into(),
        ),
        (
            "/sympa/arc/pubarc/2024-03.mbox.gz".into(),
            200,
            String::new(),
        ),
        (
            "/sympa/arc/pubarc/thread/999999".into(),
            404,
            "No such message".into(),
        ),
        (
            "/sympa/arcsearch_form/pubarc".into(),
            200,
            "Search the archive of pubarc".into(),
        ),
        (
            "/sympa/arcsearch/pubarc?q=zebrafish".into(),
            200,
            "Re: Hello world".into(),
        ),
        (
            "/sympa/arcsearch/pubarc?key_word=zebrafish&how=all&match=exact&body=True".into(),
            200,
            "Re: Hello world".into(),
        ),
        (
            "/sympa/arcsearch/pubarc?q=d%3Anonsense".into(),
            422,
            "cannot be run".into(),
        ),
        (
            "/sympa/search_archives?q=zebrafish".into(),
            200,
            "Re: Hello world".into(),
        ),
    ];
    // Bad input: a clear answer, never a failure.
    let long = "w".repeat(5_000);
    let corpus = corpus
        .into_iter()
        .chain([
            (
                "/sympa/arc/pubarc/2024-03/msg999999999.html".to_string(),
                404,
                "No such message".to_string(),
            ),
            (
                "/sympa/arc/pubarc/2024-03/msg99999999999.html".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arc/pubarc/2024-03/mail99999999999999999999.html".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arc/pubarc/thread/abc".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arc/pubarc/thread/-1.mbox.gz".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arc/pubarc/2024-03/msg00000/x/y".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arc/pubarc/2024-03/msg00000/raw/extra".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arc/pubarc/9999-99.mbox.gz".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/arcsearch/pubarc?q=zebrafish&before=notanumber".into(),
                200,
                "Re: Hello world".into(),
            ),
            (
                "/sympa/arcsearch/pubarc?q=zebrafish&order=relevance&offset=99999999999999999999"
                    .into(),
                200,
                "found".into(),
            ),
            (
                format!("/sympa/arcsearch/pubarc?q={long}"),
                422,
                "cannot be run".into(),
            ),
            (
                "/sympa/arcsearch/pubarc?q=%FF%FE".into(),
                400,
                String::new(),
            ),
            (
                "/sympa/msg/pubarc/2024-03/%00%01".into(),
                404,
                "No such message".into(),
            ),
            (
                "/sympa/rss/latest_arc/pubarc?for=-5&count=99999999999999999999".into(),
                200,
                "<rss".into(),
            ),
            ("/sympa/rss/other/pubarc".into(), 404, "No such feed".into()),
            (
                "/sympa/arc_hide/pubarc/2024-03/00000".into(),
                405,
                String::new(),
            ),
        ])
        .collect::<Vec<_>>();
    let mut failures = Vec::new();
    for (path, status, fragment) in &corpus {
        let response = reader.get(path);
        let text = if (300..400).contains(&response.status) {
            location(&response).to_string()
        } else {
            String::from_utf8_lossy(response.body.bytes()).into_owned()
        };
        if response.status != *status || !text.contains(fragment.as_str()) {
            failures.push(format!(
                "{path}: expected {status} with {fragment:?}, got {} with {:?}",
                response.status,
                text.chars().take(300).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // Search results: snippets with the words highlighted, a link to order by relevance.
    let found = body(&reader.get("/sympa/arcsearch/pubarc?q=zebrafish"));
    assert!(found.contains("<mark>zebrafish</mark>"), "{found}");
    assert!(found.contains("/sympa/arcsearch/pubarc?q=zebrafish&amp;order=relevance"));
    let by_relevance = body(&reader.get("/sympa/arcsearch/pubarc?q=zebrafish&order=relevance"));
    assert!(by_relevance.contains("Re: Hello world"));
    // Newest first, a page at a time: `before=` the last id shown.
    let may = body(&reader.get("/sympa/arcsearch/pubarc?q=number"));
    assert!(may.contains("May message 30"), "newest first");
    assert!(!may.contains("May message 0<"), "past the first page");
    let next = may
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next page")
        .replace("&amp;", "&");
    let second = body(&reader.get(&next));
    assert!(second.contains("May message 0<"), "{second}");
    assert!(!second.contains("May message 30<"));

    // The thread: the reply under its parent, the orphan under a placeholder.
    let month = body(&reader.get("/sympa/arc/pubarc/2024-03/thrd1.html"));
    let thread_link = month
        .split("href=\"")
        .find(|s| s.starts_with("/sympa/arc/pubarc/thread/"))
        .and_then(|s| s.split('"').next())
        .expect("a thread link")
        .to_string();
    let mut threads = Vec::new();
    for piece in month.split("href=\"").skip(1) {
        let link = piece.split('"').next().unwrap();
        if link.starts_with("/sympa/arc/pubarc/thread/") {
            threads.push(link.to_string());
        }
    }
    let pages: Vec<String> = threads.iter().map(|t| body(&reader.get(t))).collect();
    assert!(
        pages
            .iter()
            .any(|p| p.contains("Hello world") && p.contains("Re: Hello world")),
        "{thread_link}"
    );
    assert!(
        pages.iter().any(
            |p| p.contains("message not in the archive") && p.contains("Re: Something earlier")
        ),
        "the orphan's unseen parent is a placeholder"
    );
    let export = reader.get(&format!("{}.mbox.gz", threads[0]));
    assert_eq!(export.status, 200);
    assert!(export.body.bytes().starts_with(&[0x1f, 0x8b]), "gzip");

    // The message page: quote levels as classes, navigation, the permalink, the CSP.
    let page = reader.get("/sympa/arc/pubarc/2024-03/msg00000.html");
    let html = body(&page);
    assert!(html.contains("class=\"q1\""), "{html}");
    assert!(html.contains("class=\"q2\""));
    // The quote marks stay visible (a text browser shows no colour).
    assert!(
        html.contains("<span class=\"qm\">&gt;&gt; </span>older still"),
        "{html}"
    );
    assert!(
        html.contains("/sympa/arc/pubarc/2024-03/msg00001.html"),
        "next"
    );
    assert!(
        html.contains(&format!("/sympa/msg/pubarc/2024-03/{root}")),
        "permalink"
    );
    assert!(page
        .header("Content-Security-Policy")
        .is_some_and(|csp| csp.contains("default-src 'none'")));
    assert!(!html.contains("<script"));

    // Raw bytes exactly, attachments as downloads, active ones as bytes.
    let raw = reader.get("/sympa/arc/pubarc/2024-03/msg00000/raw");
    assert_eq!(raw.header("Content-Type"), Some("text/plain"));
    assert_eq!(raw.header("X-Content-Type-Options"), Some("nosniff"));
    let expected = mbox(&main_mails()[..1]);
    let expected = &expected[expected.iter().position(|b| *b == b'\n').unwrap() + 1..];
    assert_eq!(
        raw.body.bytes(),
        &expected[..expected.len() - 1],
        "byte-exact"
    );
    let evil = reader.get("/sympa/arc/pubarc/2024-03/msg00003/1/evil.html");
    assert_eq!(evil.status, 200);
    assert_eq!(
        evil.header("Content-Type"),
        Some("application/octet-stream")
    );
    assert!(evil
        .header("Content-Disposition")
        .is_some_and(|d| d.starts_with("attachment;") && d.contains("filename*=UTF-8''evil.html")));
}

/// GET `target` as `browser`; classify: `P` read, `L` sent to log in, `F` refused, `N` 404.
fn classify(browser: &mut Browser<'_>, target: &str) -> char {
    let response = browser.get(target);
    match response.status {
        200 | 301 => 'P',
        303 if location(&response).starts_with("/sympa/login/") => 'L',
        403 => 'F',
        404 => 'N',
        other => panic!("{target}: unexpected {other}"),
    }
}

#[test]
fn every_archive_page_and_search_answers_each_role_as_its_policy_says() {
    let (_dir, site) = site("arc-authz");
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
    // anonymous user subscriber moderator owner listmaster
    let expected = [
        ("pubarc", "P P P P P P"),
        ("privarc", "L F P P P P"),
        ("ownarc", "L F F F P P"),
        ("shutarc", "L F F F F P"),
    ];
    let mut mismatches = Vec::new();
    for (list, answers) in expected {
        let id = format!("{list}-1@example.org");
        let first = if list == "pubarc" {
            "root@example.org".to_string()
        } else {
            id.clone()
        };
        let pages = [
            format!("/sympa/arc/{list}"),
            format!("/sympa/arc/{list}/2024-03/"),
            format!("/sympa/arc/{list}/2024-03/thrd1.html"),
            format!("/sympa/arc/{list}/2024-03/mail1.html"),
            format!("/sympa/arc/{list}/2024-03/msg00000.html"),
            format!("/sympa/arc/{list}/2024-03/msg00000/raw"),
            format!("/sympa/arc/{list}/2024-03.mbox.gz"),
            format!("/sympa/msg/{list}/2024-03/{}", sympa_id(&first)),
            format!("/sympa/view_source/{list}/2024-03/{}", sympa_id(&first)),
            format!("/sympa/arcsearch_form/{list}"),
            format!("/sympa/arcsearch/{list}?q=marker"),
            format!("/sympa/latest_arc/{list}"),
        ];
        let want: Vec<char> = answers
            .split(' ')
            .map(|a| a.chars().next().unwrap())
            .collect();
        for page in &pages {
            for ((role, _), (browser, want)) in ROLES.iter().zip(browsers.iter_mut().zip(&want)) {
                let got = classify(browser, page);
                if got != *want {
                    mismatches.push(format!("{page} by {role}: expected {want}, got {got}"));
                }
            }
        }
        // Site-wide search: the list's marker word is found by exactly those who may read it,
        // and counted by nobody else.
        let marker = LISTS.iter().find(|(l, ..)| *l == list).unwrap().2;
        for ((role, _), (browser, want)) in ROLES.iter().zip(browsers.iter_mut().zip(&want)) {
            let page = body(&browser.get(&format!("/sympa/search_archives?q={marker}")));
            let found = page.contains("Only here") || page.contains("Hello world");
            let zero = page.contains(">0 messages found") || page.contains("\n0 messages found");
            if found != (*want == 'P') || zero == (*want == 'P') {
                mismatches.push(format!(
                    "site-wide search for {marker} by {role}: found {found}, zero count {zero}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// Hostile HTML-only mails: what each tries, as a body.
const HOSTILE: &[&str] = &[
    "<p>hi</p><script>alert('x')</script>",
    "<img src=\"x\" onerror=\"alert(1)\">",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<svg><script>alert(1)</script><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<style>body{background:url(http://evil.example/x)}</style><p style=\"background:url(http://evil.example/y)\">s</p>",
    "<form action=\"http://evil.example/\"><input name=p><button>go</button></form>",
    "<iframe src=\"http://evil.example/\"></iframe>",
    "<img src=\"http://evil.example/pixel.gif\"><img srcset=\"http://evil.example/a.gif 1x\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">",
    "<base href=\"http://evil.example/\"><a href=\"page\">rel</a>",
    "<object data=\"http://evil.example/x.swf\"></object><embed src=\"http://evil.example/y\">",
    "<div onmouseover=\"alert(1)\" ONCLICK=\"alert(2)\">hover</div><body onload=alert(3)>",
    "<a href=\"&#106;avascript:alert(1)\">encoded</a><a href=\"jav&#x09;ascript:alert(1)\">tab</a>",
    "<video poster=\"http://evil.example/p.jpg\" src=\"http://evil.example/v.mp4\"></video><link rel=stylesheet href=\"http://evil.example/s.css\">",
];

#[test]
fn hostile_html_mail_is_shown_without_script_handlers_or_remote_loads() {
    let dir = TempDir::new("arc-xss");
    let site = Site::new(dir.path(), |_| {});
    site.add_list(
        "xss",
        "",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Owner,
            archive: ArchiveAccess::Public,
        },
    );
    let config = config_file(dir.path(), &site);
    let mails: Vec<Mail<'_>> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, html)| Mail {
            id: Box::leak(format!("xss{i}@example.org").into_boxed_str()),
            references: "",
            from: "Mallory <m@example.org>",
            subject: Box::leak(format!("Hostile {i}").into_boxed_str()),
            date: Box::leak(format!("Sat, {:02} Jun 2024 10:00:00 +0000", i + 1).into_boxed_str()),
            rest: format!(
                "Content-Type: text/html; charset=utf-8\n\n<html><body><p>harmless{i}</p>{html}</body></html>\n"
            ),
        })
        .collect();
    import(dir.path(), &config, "xss", &mails);
    let mut reader = site.browser("192.0.2.20");
    for (i, html) in HOSTILE.iter().enumerate() {
        let page = reader.get(&format!("/sympa/arc/xss/2024-06/msg{i:05}.html"));
        assert_eq!(page.status, 200, "{html}");
        let csp = page.header("Content-Security-Policy").unwrap_or("");
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe"),
            "{csp}"
        );
        let text = body(&page).to_ascii_lowercase();
        // The HTML part is shown (sanitized), not replaced by a note.
        assert!(
            text.contains("class=\"arc-html") && text.contains(&format!("harmless{i}")),
            "{html}: {text}"
        );
        assert!(!text.contains("<script"), "{html}: {text}");
        assert!(!text.contains("javascript:"), "{html}");
        assert!(
            !text.contains("evil.example/x.swf") || !text.contains("<object"),
            "{html}"
        );
        for tag in [
            "<iframe",
            "<object",
            "<embed",
            "<meta http-equiv",
            "<base ",
            "<style",
            "<svg",
            "<math",
            "<link rel=stylesheet",
            "<video",
        ] {
            assert!(!text.contains(tag), "{html}: {tag} in {text}");
        }
        // Our own pages have no form for an anonymous reader: any form came from the mail.
        assert!(!text.contains("<form"), "{html}");
        // No handler attribute: ` on<letters>=` inside a tag.
        for (at, _) in text.match_indices(" on") {
            let rest = &text[at + 3..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            let after = rest[name.len()..].trim_start();
            let inside_tag = text[..at].rfind('<') > text[..at].rfind('>');
            assert!(
                !(inside_tag && !name.is_empty() && after.starts_with('=')),
                "{html}: handler on{name} in {text}"
            );
        }
        // Nothing remote in an attribute that loads.
        for attribute in ["src=", "srcset=", "poster=", "background=", "data="] {
            for (at, _) in text.match_indices(attribute) {
                let value = &text[at + attribute.len()..];
                assert!(
                    !value.trim_start_matches(['"', '\'']).starts_with("http"),
                    "{html}: remote {attribute} in {text}"
                );
            }
        }
        assert!(!text.contains("url(http"), "{html}");
    }
}

#[test]
fn every_archive_page_answers_its_own_etag_with_a_304() {
    let (_dir, site) = site("arc-304");
    let pages = [
        "/sympa/arc/pubarc",
        "/sympa/arc/pubarc/2024-03/",
        "/sympa/arc/pubarc/2024-03/thrd1.html",
        "/sympa/arc/pubarc/2024-03/mail1.html",
        "/sympa/arc/pubarc/2024-03/msg00000.html",
        "/sympa/arc/pubarc/2024-03/msg00000/raw",
        "/sympa/arc/pubarc/2024-03/msg00003/0/notes.txt",
        "/sympa/arc/pubarc/2024-03.mbox.gz",
        "/sympa/arc/pubarc/atom.xml",
        "/sympa/rss/latest_arc/pubarc",
        "/sympa/latest_arc/pubarc",
        "/sympa/arcsearch/pubarc?q=zebrafish",
        "/sympa/search_archives?q=zebrafish",
    ];
    for page in pages {
        let first = get_with(&site, page, &[]);
        assert_eq!(first.status, 200, "{page}");
        let etag = first
            .header("ETag")
            .unwrap_or_else(|| panic!("{page}: no ETag"))
            .to_string();
        let modified = first.header("Last-Modified");
        assert!(modified.is_some(), "{page}: no Last-Modified");
        let again = get_with(&site, page, &[("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{page}");
        assert!(again.body.bytes().is_empty(), "{page}");
        let stale = get_with(&site, page, &[("If-None-Match", "\"stale\"")]);
        assert_eq!(stale.status, 200, "{page}");
        let since = get_with(&site, page, &[("If-Modified-Since", modified.unwrap())]);
        assert_eq!(since.status, 304, "{page}: If-Modified-Since");
    }
    // A message page's ETag changes with what the page shows (an owner hides it).
    let page = "/sympa/arc/pubarc/2024-03/msg00001.html";
    let before = get_with(&site, page, &[])
        .header("ETag")
        .unwrap()
        .to_string();
    let mut owner = site.browser("192.0.2.30");
    owner.login("own@example.org", PASSWORD);
    let shown = owner.get(page);
    assert_eq!(shown.header("Cache-Control"), Some("private, no-cache"));
    assert!(body(&shown).contains("Hide this message"));
    owner.post("/sympa/arc_hide/pubarc/2024-03/00001", &[]);
    assert_eq!(
        get_with(&site, page, &[("If-None-Match", &before)]).status,
        404
    );
}

#[test]
fn owners_hide_show_and_delete_and_readers_see_the_difference() {
    let (_dir, site) = site("arc-owners");
    let page = "/sympa/arc/pubarc/2024-03/msg00001.html";
    let mut reader = site.browser("192.0.2.40");
    let mut member = site.browser("192.0.2.41");
    member.login("sub@example.org", PASSWORD);
    let mut owner = site.browser("192.0.2.42");
    owner.login("own@example.org", PASSWORD);
    assert_eq!(reader.get(page).status, 200);
    assert!(!body(&member.get(page)).contains("Hide this message"));

    // A member may not, even with a valid token of their own.
    member.get(page);
    let refused = member.post("/sympa/arc_hide/pubarc/2024-03/00001", &[]);
    assert_eq!(refused.status, 403);
    // A forged token changes nothing.
    let forged = owner.post_raw(
        "/sympa/arc_hide/pubarc/2024-03/00001",
        &[("csrf_token", "forged")],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(reader.get(page).status, 200);

    owner.get(page);
    let hidden = owner.post("/sympa/arc_hide/pubarc/2024-03/00001", &[]);
    assert_eq!(hidden.status, 303);
    assert_eq!(reader.get(page).status, 404);
    let search = body(&reader.get("/sympa/arcsearch/pubarc?q=zebrafish"));
    assert!(
        !search.contains("Re: Hello world"),
        "hidden messages leave the index"
    );
    assert_eq!(
        reader.get("/sympa/arc/pubarc/2024-03/msg00001/raw").status,
        404
    );
    assert_eq!(
        reader
            .get("/sympa/msg/pubarc/2024-03/reply%40example.org")
            .status,
        404
    );
    assert_eq!(
        owner
            .get("/sympa/msg/pubarc/2024-03/reply%40example.org")
            .status,
        301
    );
    assert_eq!(
        owner.get("/sympa/arc/pubarc/2024-03/msg00001/raw").status,
        200
    );
    let seen = body(&owner.get(page));
    assert!(seen.contains("This message is hidden"));
    assert!(seen.contains("Show this message again"));

    owner.post("/sympa/arc_show/pubarc/2024-03/00001", &[]);
    assert_eq!(reader.get(page).status, 200);
    assert!(body(&reader.get("/sympa/arcsearch/pubarc?q=zebrafish")).contains("Re: Hello world"));

    owner.get(page);
    let deleted = owner.post("/sympa/remove_arc/pubarc/2024-03/00001", &[]);
    assert_eq!(deleted.status, 303);
    assert_eq!(reader.get(page).status, 410);
    assert_eq!(
        reader.get("/sympa/arc/pubarc/2024-03/msg00001/raw").status,
        410
    );
    let permalink = reader.get("/sympa/msg/pubarc/2024-03/reply%40example.org");
    assert_eq!(permalink.status, 410);
    assert_eq!(owner.get(page).status, 410);
    // Each change left an audit row naming the owner.
    let store = site.store();
    let audit = store.db().recent_audit(100).unwrap();
    let by_owner = audit
        .iter()
        .filter(|(actor, action, _)| {
            action.starts_with("archive_") && actor.as_deref() == Some("own@example.org")
        })
        .count();
    assert_eq!(by_owner, 3, "{audit:?}");
}

#[test]
fn a_text_browser_reads_the_message_and_its_links() {
    let Some(lynx) = crate::support::peer("lynx") else {
        return;
    };
    let (dir, _site) = site("arc-lynx");
    let port = crate::support::free_port();
    let mut serve = std::process::Command::new(crate::support::binary());
    serve
        .arg("--config")
        .arg(dir.path().join("wwsympa.toml"))
        .args(["serve", "--http"])
        .arg(format!("127.0.0.1:{port}"));
    let _server = crate::support::Daemon::spawn(serve, &dir.path().join("serve.log"));
    crate::support::wait_until("wwsympa --http", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let address = format!("127.0.0.1:{port}");
    let dump = std::process::Command::new(lynx)
        .args(["-dump", "-width=80"])
        .arg(format!(
            "http://{address}/sympa/arc/pubarc/2024-03/msg00000.html"
        ))
        .output()
        .unwrap();
    assert!(dump.status.success());
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(text.contains("publicmarker"), "{text}");
    assert!(text.contains(">> older still"), "{text}");
    assert!(text.contains("Next by date"), "{text}");
    assert!(text.contains("The whole thread"), "{text}");
    assert!(
        text.contains("/sympa/arc/pubarc/2024-03/msg00001.html"),
        "{text}"
    );
}

/// Runs archive operation `name` on `list` as `requester` (as SOAP and JSON will), with
/// input that changes nothing; `A` it went past its authorization, `D` it refused.
fn run_operation(site: &Site, requester: &Requester, name: &str, list: &str) -> char {
    use wwsympa::domain::{Month, SearchOrder};
    use wwsympa::operations::archive::{manage, read};
    use wwsympa::operations::{self, lists, Refusal};
    let mut store = site.store();
    let templates = wwsympa::render::Templates::load(None).unwrap();
    let mut env = operations::Env::new(&mut store, &site.config, &templates);
    let list = lists::open_list(&env, list).unwrap();
    let march = Month::parse("2024-03").unwrap();
    let query = wwsympa::archive::query::parse("marker").unwrap();
    let page = read::SearchPage {
        query: &query,
        order: SearchOrder::Newest,
        before: None,
        offset: 0,
    };
    let result: Result<(), operations::Error> = match name {
        "months" => read::months(&env, requester, &list).map(drop),
        "month_by_thread" => read::month_by_thread(&env, requester, &list, march, 1).map(drop),
        "month_by_date" => read::month_by_date(&env, requester, &list, march, 1).map(drop),
        "message" => read::message(&env, requester, &list, march, 0).map(drop),
        "raw" => read::raw(&env, requester, &list, march, 0).map(drop),
        "attachment" => read::attachment(&env, requester, &list, march, 0, 0).map(drop),
        "resolve" => read::resolve(&env, requester, &list, "x@example.org").map(drop),
        "export" => read::export(
            &env,
            requester,
            &list,
            wwsympa::store::ArchiveScope::Month(march),
        )
        .map(drop),
        "latest" => read::latest(&env, requester, &list, 30, 10).map(drop),
        "search" => read::search(&env, requester, read::SearchIn::List(&list), &page).map(drop),
        // A message that does not exist: allowed, nothing changes.
        "hide" => {
            manage::change(&mut env, requester, &list, march, 999, manage::Change::Hide).map(drop)
        }
        "delete" => manage::change(
            &mut env,
            requester,
            &list,
            march,
            999,
            manage::Change::Delete,
        )
        .map(drop),
        "hidden" => manage::hidden(&env, requester, &list, 1).map(drop),
        other => panic!("no operation {other}"),
    };
    match result {
        Err(operations::Error::Refused(Refusal::Denied(_))) => 'D',
        Ok(()) | Err(operations::Error::Refused(_)) => 'A',
        Err(e) => panic!("{name} on {list:?}: {e}"),
    }
}

#[test]
fn an_export_is_decided_before_it_is_written_and_written_whole() {
    use wwsympa::domain::Month;
    use wwsympa::operations::archive::read;
    let (_dir, site) = site("arc-export");
    let mut store = site.store();
    let templates = wwsympa::render::Templates::load(None).unwrap();
    let env = wwsympa::operations::Env::new(&mut store, &site.config, &templates);
    let list = wwsympa::operations::lists::open_list(&env, "pubarc").unwrap();
    let march = wwsympa::store::ArchiveScope::Month(Month::parse("2024-03").unwrap());
    let shell = Requester::shell();
    let export = read::export(&env, &shell, &list, march)
        .unwrap()
        .expect("March has messages");
    let mut bytes = Vec::new();
    let count = read::write_export(&env.db(), &export, &mut bytes).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    let mut mbox = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut mbox).unwrap();
    let from_lines = mbox
        .split(|b| *b == b'\n')
        .filter(|line| line.starts_with(b"From "))
        .count() as u64;
    assert!(count > 1);
    assert_eq!(from_lines, count);
    let empty = wwsympa::store::ArchiveScope::Month(Month::parse("1999-01").unwrap());
    assert!(read::export(&env, &shell, &list, empty).unwrap().is_none());
    let no_thread = wwsympa::store::ArchiveScope::Thread(999_999);
    assert!(read::export(&env, &shell, &list, no_thread)
        .unwrap()
        .is_none());
}

#[test]
fn every_archive_operation_decides_for_itself_for_every_role() {
    let (_dir, site) = site("arc-operations");
    // anonymous user subscriber moderator owner listmaster
    let reads = [
        ("pubarc", "A A A A A A"),
        ("privarc", "D D A A A A"),
        ("ownarc", "D D D D A A"),
        ("shutarc", "D D D D D A"),
    ];
    let mut mismatches = Vec::new();
    let mut walk = |operation: &str, list: &str, answers: &str| {
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
    };
    for operation in [
        "months",
        "month_by_thread",
        "month_by_date",
        "message",
        "raw",
        "attachment",
        "resolve",
        "export",
        "latest",
        "search",
    ] {
        for (list, answers) in reads {
            walk(operation, list, answers);
        }
    }
    // Owners' tools: owners and listmasters, whatever the archive's policy.
    for operation in ["hide", "delete", "hidden"] {
        for (list, _) in reads {
            walk(operation, list, "D D D D A A");
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// `arc_manage`: the owners find their hidden messages again (newest first, deleted ones
/// greyed without a link or a button), show one again from there, and page through many;
/// the archive's home links to it for them only; members and visitors are refused.
#[test]
fn owners_list_hidden_messages_and_show_them_again() {
    let (_dir, site) = site("arc-manage");
    let manage = "/sympa/arc_manage/pubarc";
    let mut reader = site.browser("192.0.2.60");
    let mut member = site.browser("192.0.2.61");
    member.login("sub@example.org", PASSWORD);
    let mut owner = site.browser("192.0.2.62");
    owner.login("own@example.org", PASSWORD);

    assert!(body(&owner.get("/sympa/arc/pubarc")).contains(&format!("href=\"{manage}\"")));
    assert!(!body(&member.get("/sympa/arc/pubarc")).contains("arc_manage"));
    assert!(!body(&reader.get("/sympa/arc/pubarc")).contains("arc_manage"));
    assert!(body(&owner.get(manage)).contains("No message is hidden."));

    owner.post("/sympa/arc_hide/pubarc/2024-03/00001", &[]);
    owner.get(manage);
    owner.post("/sympa/arc_hide/pubarc/2024-03/00002", &[]);
    owner.get(manage);
    owner.post("/sympa/remove_arc/pubarc/2024-03/00003", &[]);

    let page = owner.get(manage);
    assert_eq!(page.status, 200);
    let html = body(&page);
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {html}"))
    };
    // Newest first: the deleted one (8 March), then 7 and 6 March.
    assert!(at("Files attached") < at("Re: Something earlier"));
    assert!(at("Re: Something earlier") < at("Re: Hello world"));
    assert!(
        html.contains("<a href=\"/sympa/arc/pubarc/2024-03/msg00001.html\">Re: Hello world</a>")
    );
    assert!(html.contains("action=\"/sympa/arc_show/pubarc/2024-03/00001\""));
    assert!(html.contains("action=\"/sympa/arc_show/pubarc/2024-03/00002\""));
    assert!(
        html.contains("<li class=\"deleted\">Files attached"),
        "{html}"
    );
    assert!(!html.contains("msg00003.html") && !html.contains("2024-03/00003"));
    assert!(
        !html.contains("Hello world</a> <span class=\"from\">Ann"),
        "visible ones are not listed"
    );

    // Members and visitors are refused.
    assert_eq!(member.get(manage).status, 403);
    let visitor = reader.get(manage);
    assert_eq!(visitor.status, 303);
    assert!(location(&visitor).contains("/login/arc_manage/pubarc"));

    // Shown again from the list: readers see it, the list no longer has it.
    assert_eq!(
        reader.get("/sympa/arc/pubarc/2024-03/msg00001.html").status,
        404
    );
    let shown = owner.post("/sympa/arc_show/pubarc/2024-03/00001", &[]);
    assert_eq!(shown.status, 303);
    assert_eq!(
        reader.get("/sympa/arc/pubarc/2024-03/msg00001.html").status,
        200
    );
    let html = body(&owner.get(manage));
    assert!(!html.contains("Re: Hello world"));
    assert!(html.contains("Re: Something earlier"));

    // Many hidden messages: pages of thirty, newest first.
    for seq in 0..31 {
        owner.get(manage);
        let hidden = owner.post(&format!("/sympa/arc_hide/pubarc/2024-05/{seq:05}"), &[]);
        assert_eq!(hidden.status, 303);
    }
    let first = body(&owner.get(manage));
    assert!(first.contains("May message 30<") && !first.contains("May message 0<"));
    assert!(
        first.contains("href=\"/sympa/arc_manage/pubarc?page=2\""),
        "{first}"
    );
    let second = body(&owner.get(&format!("{manage}?page=2")));
    assert!(second.contains("May message 0<") && second.contains("Re: Something earlier"));
    assert!(second.contains("href=\"/sympa/arc_manage/pubarc?page=1\""));
    assert!(!second.contains("?page=3"));
    assert_eq!(owner.get(&format!("{manage}?page=x")).status, 404);
}

#[test]
fn an_anonymous_archive_page_is_kept_until_an_archived_message_changes() {
    let (dir, site) = site("arc-cache");
    let config = dir.path().join("wwsympa.toml");
    let month = "/sympa/arc/pubarc/2024-03/mail1.html";
    let message = "/sympa/arc/pubarc/2024-03/msg00000.html";
    let first = body(&site.browser("192.0.2.60").get(month));
    assert!(first.contains("Hello world"), "{first}");
    let first_message = body(&site.browser("192.0.2.60").get(message));
    // Change a subject behind the store's back, without moving the site version: the pages
    // kept by the anonymous page cache are served as they were.
    site.db.execute_each(
        "DROP TRIGGER site_version_archive_update",
        "DROP TRIGGER site_version_archive_update ON archive_messages",
        &[],
    );
    site.db.execute(
        "UPDATE archive_messages SET subject = 'Changed behind the back' WHERE subject = 'Hello world'",
        &[],
    );
    assert_eq!(body(&site.browser("192.0.2.61").get(month)), first);
    assert_eq!(
        body(&site.browser("192.0.2.61").get(message)),
        first_message
    );
    // A logged-in reader never gets a kept page.
    let mut member = site.browser("192.0.2.62");
    member.login("sub@example.org", PASSWORD);
    assert!(body(&member.get(month)).contains("Changed behind the back"));
    // A message archived moves the version: the next anonymous visitor sees it, and the
    // subject changed behind the back with it.
    import(
        dir.path(),
        &config,
        "pubarc",
        &[Mail {
            id: "late-march@example.org",
            references: "",
            from: "Eve <eve@example.org>",
            subject: "Late in March",
            date: "Sun, 31 Mar 2024 10:00:00 +0000",
            rest: text("Arrived after the page was kept."),
        }],
    );
    let rebuilt = body(&site.browser("192.0.2.63").get(month));
    assert!(rebuilt.contains("Late in March"), "{rebuilt}");
    assert!(rebuilt.contains("Changed behind the back"), "{rebuilt}");
    // A kept page still answers a client's own copy with a 304.
    let kept = get_with(&site, month, &[]);
    let etag = kept.header("ETag").unwrap().to_string();
    assert_eq!(
        get_with(&site, month, &[("If-None-Match", &etag)]).status,
        304
    );
}
