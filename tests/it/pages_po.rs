//! The pages' catalogues (`po/{fr,de,es}/pages.po`) against what they translate: every sentence of the web pages' templates and of the web door's sentences in `src/messages.rs`, with the same placeholders.
//!
//! The pages' templates of `templates/web/` (listed in [`PAGES`]) are read for every `t(s=…)` and
//! `tn(s=…, p=…)` call, with its `c=` context; `src/messages.rs` for the sentences of its
//! `web` function (`lang.gettext("…")`, `lang.t("…", …)`, `lang.tn("…", "…", …)`). Each must be in each catalogue, translated (no empty `msgstr`), and
//! every translation must use exactly the placeholders (`{name}`) of its msgid.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The languages the pages are translated into.
const LANGUAGES: &[&str] = &["fr", "de", "es"];

/// The templates of `templates/web/` whose sentences are in the `pages` domain: every page
/// but the frame (`base`, `components`, `error`, the language menu), the help and the pages
/// other domains add (list administration, the listmaster's), which have their own catalogues.
const PAGES: &[&str] = &[
    "add.html",
    "api_tokens.html",
    "arc.html",
    "arc_atom.html",
    "arc_gone.html",
    "arc_hide.html",
    "arc_manage.html",
    "arc_message.html",
    "arc_month.html",
    "arc_searchbox.html",
    "arc_show.html",
    "arc_thread.html",
    "arcsearch.html",
    "arcsearch_form.html",
    "auth.html",
    "auth_add.html",
    "auth_del.html",
    "choosepasswd.html",
    "decision_buttons.html",
    "decl_add.html",
    "decl_del.html",
    "del.html",
    "distribute.html",
    "export_member.html",
    "firstpasswd.html",
    "held_facts.html",
    "held_message.html",
    "home.html",
    "info.html",
    "latest_arc.html",
    "list.html",
    "lists.html",
    "login.html",
    "logout.html",
    "members_table.html",
    "modindex.html",
    "modkey.html",
    "msg.html",
    "my.html",
    "oneclick.html",
    "options_form.html",
    "passwd_form.html",
    "passwd_request.html",
    "pref.html",
    "reject.html",
    "remove_arc.html",
    "renewpasswd.html",
    "requestpasswd.html",
    "requests_form.html",
    "resetbounce.html",
    "review.html",
    "reviewbouncing.html",
    "rss.html",
    "search.html",
    "search_archives.html",
    "set.html",
    "setpasswd.html",
    "sigindex.html",
    "signoff.html",
    "subindex.html",
    "suboptions.html",
    "subscribe.html",
    "ticket.html",
    "view_source.html",
    "viewbounce.html",
    "viewmod.html",
    "withdraw.html",
    "wsdl.html",
];

/// One sentence to translate: its context, its msgid and, for a plural, its msgid_plural.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Sentence {
    context: Option<String>,
    msgid: String,
    plural: Option<String>,
}

/// One catalogue entry: the sentence and its translations (one, or one per plural form).
#[derive(Debug)]
struct Entry {
    sentence: Sentence,
    msgstr: Vec<String>,
}

/// The string literal at the start of `text` (quoted with `"`, `'` or a backtick, as tera
/// takes them), and the text after it.
fn literal(text: &str) -> Option<(String, &str)> {
    let quote = text
        .chars()
        .next()
        .filter(|q| matches!(q, '"' | '\'' | '`'))?;
    let rest = &text[1..];
    let end = rest.find(quote)?;
    Some((rest[..end].to_string(), &rest[end + 1..]))
}

/// The arguments `s`, `p` and `c` of the call whose argument list starts `text`; the
/// others (placeholder values) are skipped.
fn call_arguments(text: &str) -> BTreeMap<char, String> {
    let mut found = BTreeMap::new();
    let mut rest = text;
    let mut depth = 1;
    while depth > 0 {
        let Some(c) = rest.chars().next() else {
            break;
        };
        if matches!(c, '"' | '\'' | '`') {
            let (_, after) = literal(rest).expect("a closed string in a template call");
            rest = after;
            continue;
        }
        for name in ['s', 'p', 'c'] {
            let starts_argument = rest.starts_with(&format!("{name}="))
                && !text[..text.len() - rest.len()]
                    .chars()
                    .last()
                    .is_some_and(|before| before.is_alphanumeric() || before == '_');
            if starts_argument {
                if let Some((value, after)) = literal(&rest[2..]) {
                    found.insert(name, value);
                    rest = after;
                    break;
                }
            }
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        if matches!(c, '"' | '\'' | '`') {
            continue;
        }
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    found
}

/// Every sentence of one template: its `t(…)` and `tn(…)` calls (`tn(` does not contain
/// `t(`, and a call is a whole word: `list(` and `default(` are not calls of `t`).
fn template_sentences(source: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (function, plural) in [("t(", false), ("tn(", true)] {
        for (at, _) in source.match_indices(function) {
            let whole_word = source[..at]
                .chars()
                .last()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            if !whole_word {
                continue;
            }
            let arguments = call_arguments(&source[at + function.len()..]);
            let Some(msgid) = arguments.get(&'s') else {
                continue;
            };
            out.push(Sentence {
                context: arguments.get(&'c').cloned(),
                msgid: msgid.clone(),
                plural: if plural {
                    arguments.get(&'p').cloned()
                } else {
                    None
                },
            });
        }
    }
    out
}

/// Every sentence of the pages' templates, each once.
fn sentences_of_templates(root: &Path) -> BTreeSet<Sentence> {
    let mut found = BTreeSet::new();
    let dir = root.join("templates/web");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !PAGES.contains(&name.as_str()) {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        found.extend(template_sentences(&source));
    }
    found
}

/// The Rust string literal (plain `"…"`, with `\"` and `\\` escapes) that starts `code`
/// after blanks, and the code after it.
fn rust_literal(code: &str) -> Option<(String, &str)> {
    let code = code.trim_start();
    let rest = code.strip_prefix('"')?;
    let mut text = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    text.push(escaped);
                }
            }
            '"' => return Some((text, &rest[i + 1..])),
            c => text.push(c),
        }
    }
    None
}

/// The msgids of `code`: the literal right after `gettext(` or `.t(`, the two after `.tn(`
/// (as `messages.rs` writes its sentences).
fn rust_sentences(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (call, count) in [("gettext(", 1), (".t(", 1), (".tn(", 2)] {
        for (at, _) in code.match_indices(call) {
            let mut rest = &code[at + call.len()..];
            for _ in 0..count {
                let Some((text, after)) = rust_literal(rest) else {
                    break;
                };
                out.push(text);
                rest = after.trim_start().strip_prefix(',').unwrap_or(after);
            }
        }
    }
    out
}

/// The sentences of the web door in `src/messages.rs`: the literals of its `web` function.
fn sentences_of_messages(root: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(root.join("src/messages.rs")).unwrap();
    let start = source
        .find("pub fn web(")
        .expect("src/messages.rs words the web door's sentences in `web`");
    let body = &source[start..];
    let end = body.find("\n}\n").map_or(body.len(), |end| end);
    rust_sentences(&body[..end])
}

/// The text of a PO string line (`"…"`), unescaped.
fn po_string(line: &str) -> String {
    let inner = line
        .trim()
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not a PO string: {line}"));
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The entries of a PO file (its header left out).
fn parse_po(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut flush = |fields: &mut Vec<(String, String)>| {
        if fields.is_empty() {
            return;
        }
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let msgid = get("msgid").expect("every PO entry has a msgid");
        if !msgid.is_empty() {
            let mut msgstr: Vec<String> = fields
                .iter()
                .filter(|(k, _)| k.starts_with("msgstr"))
                .map(|(_, v)| v.clone())
                .collect();
            if msgstr.is_empty() {
                msgstr.push(String::new());
            }
            entries.push(Entry {
                sentence: Sentence {
                    context: get("msgctxt"),
                    msgid,
                    plural: get("msgid_plural"),
                },
                msgstr,
            });
        }
        fields.clear();
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut fields);
        } else if line.starts_with('#') {
            continue;
        } else if line.starts_with('"') {
            let last = fields.last_mut().expect("a continuation follows a keyword");
            last.1.push_str(&po_string(line));
        } else {
            let (keyword, value) = line.split_once(' ').expect("a PO keyword and its string");
            if keyword == "msgid" && fields.iter().any(|(k, _)| k == "msgid") {
                flush(&mut fields);
            }
            fields.push((keyword.to_string(), po_string(value)));
        }
    }
    flush(&mut fields);
    entries
}

/// The placeholders of a sentence: each `{name}`, as a set.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if !after[..close].is_empty()
                    && after[..close]
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_') =>
            {
                found.insert(after[..close].to_string());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// What is wrong with the catalogues of `root` against its templates and `messages.rs`.
fn problems(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let templates = sentences_of_templates(root);
    let messages = sentences_of_messages(root);
    for language in LANGUAGES {
        let path = root.join(format!("po/{language}/pages.po"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let entries = parse_po(&text);
        let mut seen = BTreeSet::new();
        for entry in &entries {
            if !seen.insert(entry.sentence.clone()) {
                problems.push(format!("{language}: {:?} twice", entry.sentence.msgid));
            }
            let wanted = placeholders(&entry.sentence.msgid);
            let wanted_plural = entry.sentence.plural.as_deref().map(placeholders);
            for (form, msgstr) in entry.msgstr.iter().enumerate() {
                if msgstr.trim().is_empty() {
                    problems.push(format!(
                        "{language}: {:?} is not translated",
                        entry.sentence.msgid
                    ));
                    continue;
                }
                let expected = match (&wanted_plural, form) {
                    (Some(plural), 1..) => plural,
                    _ => &wanted,
                };
                // A singular form may leave out `{n}` (“one message”), never add one.
                let got = placeholders(msgstr);
                let extra: Vec<_> = got.difference(expected).collect();
                let lost: Vec<_> = expected
                    .difference(&got)
                    .filter(|name| !(entry.sentence.plural.is_some() && *name == "n"))
                    .collect();
                if !extra.is_empty() || !lost.is_empty() {
                    problems.push(format!(
                        "{language}: {:?} → {msgstr:?}: placeholders added {extra:?}, lost {lost:?}",
                        entry.sentence.msgid
                    ));
                }
            }
        }
        for sentence in &templates {
            if !seen.contains(sentence) {
                problems.push(format!(
                    "{language}: template sentence missing: {sentence:?}"
                ));
            }
        }
        for msgid in &messages {
            let present = entries.iter().any(|e| {
                e.sentence.context.is_none()
                    && (e.sentence.msgid == *msgid || e.sentence.plural.as_deref() == Some(msgid))
            });
            if !present {
                problems.push(format!(
                    "{language}: messages.rs sentence missing: {msgid:?}"
                ));
            }
        }
    }
    problems
}

#[test]
fn every_page_sentence_is_in_the_french_german_and_spanish_catalogues_with_its_placeholders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = sentences_of_templates(root);
    assert!(
        found.len() > 300,
        "the templates' sentences were not found: {}",
        found.len()
    );
    assert!(sentences_of_messages(root).len() > 40);
    let problems = problems(root);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_a_missing_entry_a_lost_placeholder_and_an_untranslated_sentence() {
    let root = crate::support::TempDir::new("pages-po");
    let web = root.path().join("templates/web");
    std::fs::create_dir_all(&web).unwrap();
    // A template of another domain is not this check's.
    std::fs::write(web.join("base.html"), r#"{{ t(s="Elsewhere") }}"#).unwrap();
    std::fs::create_dir_all(root.path().join("src")).unwrap();
    std::fs::write(
        web.join("home.html"),
        r#"<h1>{{ t(s="Members of {list}", list=list.name) }}</h1>
<p>{{ tn(s="{n} member", p="{n} members", n=count) }} {{ t(s='Say "hi"', c="greeting") }}</p>
{% for t in items %}{{ t }}{% endfor %}"#,
    )
    .unwrap();
    std::fs::write(
        root.path().join("src/messages.rs"),
        "//! x\npub fn web(t: &T, lang: &L) -> String {\n    match t { T::A => lang.gettext(\"Saved.\").into() }\n}\n",
    )
    .unwrap();
    let complete = r#"msgid ""
msgstr ""
"Language: xx\n"

msgid "Members of {list}"
msgstr "Abonnés de {list}"

msgid "{n} member"
msgid_plural "{n} members"
msgstr[0] "un abonné"
msgstr[1] "{n} abonnés"

msgctxt "greeting"
msgid "Say \"hi\""
msgstr "Dites \"salut\""

msgid "Saved."
msgstr "Enregistré."
"#;
    for language in LANGUAGES {
        let dir = root.path().join("po").join(language);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pages.po"), complete).unwrap();
    }
    assert_eq!(problems(root.path()), Vec::<String>::new());
    let fr = root.path().join("po/fr/pages.po");
    // A lost placeholder.
    std::fs::write(&fr, complete.replace("Abonnés de {list}", "Abonnés")).unwrap();
    let found = problems(root.path());
    assert!(
        found.len() == 1 && found[0].contains("lost [\"list\"]"),
        "{found:?}"
    );
    // An untranslated sentence.
    std::fs::write(&fr, complete.replace("\"Enregistré.\"", "\"\"")).unwrap();
    let found = problems(root.path());
    assert!(
        found.len() == 1 && found[0].contains("not translated"),
        "{found:?}"
    );
    // A missing entry, and a context that does not match.
    std::fs::write(
        &fr,
        complete
            .replace(
                "msgid \"Members of {list}\"\nmsgstr \"Abonnés de {list}\"\n",
                "",
            )
            .replace("msgctxt \"greeting\"", "msgctxt \"other\""),
    )
    .unwrap();
    let found = problems(root.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found
        .iter()
        .all(|p| p.contains("template sentence missing")));
    // A messages.rs sentence missing.
    std::fs::write(&fr, complete.replace("msgid \"Saved.\"", "msgid \"Kept.\"")).unwrap();
    let found = problems(root.path());
    assert!(
        found.len() == 1 && found[0].contains("messages.rs sentence missing"),
        "{found:?}"
    );
}

#[test]
fn pages_render_in_french_german_and_spanish_with_their_plurals() {
    let templates = wwsympa::render::Templates::load(None).unwrap();
    let view = |lang: &str, lists: usize| {
        let lists: Vec<_> = (0..lists)
            .map(|i| serde_json::json!({"name": format!("l{i}"), "subject": "S", "topics": []}))
            .collect();
        serde_json::json!({
            "base": "/sympa", "static_url": "/static-sympa", "title": "Listes", "action": "lists",
            "notices": [], "lang": lang, "languages": [], "lists": lists, "domain": "example.org",
            "topic": "",
        })
    };
    let page = |name: &str, lang: &str, lists: usize| {
        templates
            .render(&format!("web/{name}.html"), &view(lang, lists))
            .unwrap()
    };
    let cases = [
        (
            "fr",
            1,
            "Ce serveur héberge 1 liste de diffusion pour example.org.",
        ),
        (
            "fr",
            0,
            "Ce serveur héberge 0 liste de diffusion pour example.org.",
        ),
        (
            "fr",
            2,
            "Ce serveur héberge 2 listes de diffusion pour example.org.",
        ),
        (
            "de",
            1,
            "Dieser Server betreibt 1 Mailingliste für example.org.",
        ),
        (
            "de",
            0,
            "Dieser Server betreibt 0 Mailinglisten für example.org.",
        ),
        (
            "es",
            3,
            "Este servidor aloja 3 listas de correo para example.org.",
        ),
        ("en", 1, "This server hosts 1 mailing list for example.org."),
        (
            "en",
            2,
            "This server hosts 2 mailing lists for example.org.",
        ),
    ];
    for (lang, n, sentence) in cases {
        let home = page("home", lang, n);
        assert!(home.contains(sentence), "{lang} {n}: {home}");
    }
    let lists = page("lists", "fr", 2);
    assert!(lists.contains("<h1>Toutes les listes</h1>"), "{lists}");
    assert!(lists.contains(">2 listes</caption>"), "{lists}");
    assert!(lists.contains(r#"<th scope="col">Thèmes</th>"#), "{lists}");
    let lists = page("lists", "de", 0);
    assert!(lists.contains("<p>Keine Liste.</p>"), "{lists}");
    let lists = page("lists", "es", 1);
    assert!(lists.contains(">1 lista</caption>"), "{lists}");
}

#[test]
fn fragments_around_an_address_are_told_apart_by_their_context() {
    let templates = wwsympa::render::Templates::load(None).unwrap();
    let page = |lang: &str, word: &str| {
        let view = serde_json::json!({
            "base": "/sympa", "static_url": "/static-sympa", "title": "T", "action": "auth",
            "notices": [], "lang": lang, "languages": [], "key": "k", "word": word,
            "email": "ann@example.org", "name": "", "list_address": "team@example.org",
            "list_name": "team", "csrf_token": "c",
        });
        templates.render("web/auth.html", &view).unwrap()
    };
    let cases = [
        (
            "fr",
            "subscribe",
            "Abonner <strong>ann@example.org</strong> à team@example.org ?",
        ),
        (
            "fr",
            "add",
            "Accepter l&#39;abonnement de <strong>ann@example.org</strong> à team@example.org ?",
        ),
        (
            "de",
            "subscribe",
            "Abonnement von <strong>ann@example.org</strong> bei team@example.org bestätigen?",
        ),
        (
            "de",
            "add",
            "Das Abonnement von <strong>ann@example.org</strong> für team@example.org annehmen?",
        ),
        (
            "es",
            "signoff",
            "¿Dar de baja a <strong>ann@example.org</strong> de team@example.org?",
        ),
        (
            "en",
            "subscribe",
            "Subscribe <strong>ann@example.org</strong> to team@example.org?",
        ),
    ];
    for (lang, word, sentence) in cases {
        let html = page(lang, word);
        assert!(html.contains(sentence), "{lang} {word}: {html}");
    }
    // The rest of the page is in the language too.
    assert!(page("fr", "subscribe").contains("<button type=\"submit\">Confirmer</button>"));
}

#[test]
fn a_member_reads_the_pages_and_the_notices_of_the_web_door_in_their_language() {
    use wwsympa::domain::{
        ArchiveAccess, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
    };
    let dir = crate::support::TempDir::new("pages-fr");
    let site = crate::browser::Site::new(dir.path(), |_| {});
    site.add_list(
        "news",
        "",
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Private,
            archive: ArchiveAccess::Private,
        },
    );
    site.add_user("ann@example.org", crate::subscription::PASSWORD);
    let mut ann = site.browser("192.0.2.60");
    ann.login("ann@example.org", crate::subscription::PASSWORD);
    ann.get("/sympa/pref");
    assert_eq!(
        ann.post("/sympa/pref", &[("gecos", "Ann"), ("lang", "fr")])
            .status,
        303
    );
    // A notice the handler words (messages::web), in the account's language.
    let saved = crate::browser::body(&ann.get("/sympa/pref"));
    assert!(
        saved.contains("Vos préférences sont enregistrées."),
        "{saved}"
    );
    assert!(saved.contains("<h1>Vos préférences</h1>"), "{saved}");
    let page = crate::browser::body(&ann.get("/sympa/subscribe/news"));
    assert!(page.contains("<h1>S&#39;abonner à news</h1>"), "{page}");
    assert_eq!(ann.post("/sympa/subscribe/news", &[]).status, 303);
    let info = crate::browser::body(&ann.get("/sympa/info/news"));
    assert!(
        info.contains("Vous êtes maintenant abonné à news@"),
        "{info}"
    );
    assert!(info.contains("1 abonné</p>"), "{info}");
    assert!(info.contains(">Vos options</a>"), "{info}");
    // Asked again, the page says so in French too.
    let again = crate::browser::body(&ann.get("/sympa/subscribe/news"));
    assert!(
        again.contains("Vous êtes déjà abonné à cette liste."),
        "{again}"
    );
}
