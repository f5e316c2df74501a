//! The catalogue completeness test: no template shows text outside `t()`/`tn()`, every sentence of the templates and of `messages.rs` is in each shipped language's catalogue, and no translation changes a sentence's placeholders.
//!
//! Each check lists every offender at once (another helper converts pages while catalogues
//! grow), and each is shown to catch the bug it is for on a planted example.

use std::collections::BTreeSet;
use std::path::PathBuf;

use wwsympa::i18n::{conflicts, placeholders, Catalogues, Conflict, Language, FORMAT_MSGIDS};

/// The languages we ship besides English (the msgids).
const SHIPPED: &[&str] = &["fr", "de", "es"];

/// Attributes whose value a person reads (or hears).
const READ_ATTRIBUTES: &[&str] = &["title", "placeholder", "alt", "aria-label"];

/// Arguments of component calls (`{{ <field label="…" /> }}`) that are shown.
const SHOWN_ARGUMENTS: &[&str] = &["label", "hint", "placeholder", "title", "alt", "text"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every template file: `templates/web/*.html` and `templates/mail/*.txt`.
fn templates() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["web", "mail"] {
        let path = root().join("templates").join(dir);
        for entry in std::fs::read_dir(&path).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{dir}/{}", path.file_name().unwrap().to_str().unwrap());
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    files.sort();
    files
}

/// One sentence a template or `messages.rs` asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Sentence {
    context: Option<String>,
    singular: String,
    plural: Option<String>,
}

/// The end of the quoted string that starts at `start` (just after its opening quote).
fn closing_quote(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The end of the tag opened at `start` by `{{`, `{%` or `{#` (just after its closing pair),
/// skipping quoted strings.
fn tag_end(text: &str, start: usize) -> usize {
    let close = match &text[start..start + 2] {
        "{#" => "#}",
        "{%" => "%}",
        _ => "}}",
    };
    let mut i = start + 2;
    while i < text.len() {
        if text[i..].starts_with('"') && close != "#}" {
            i = closing_quote(text, i + 1).map_or(text.len(), |end| end + 1);
            continue;
        }
        if text[i..].starts_with(close) {
            return i + 2;
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    text.len()
}

/// The source with every tera tag replaced by `\u{1}`, and the tags themselves.
fn split_tags(source: &str) -> (String, Vec<&str>) {
    let mut text = String::with_capacity(source.len());
    let mut tags = Vec::new();
    let mut i = 0;
    while i < source.len() {
        let rest = &source[i..];
        if rest.starts_with("{{") || rest.starts_with("{%") || rest.starts_with("{#") {
            let end = tag_end(source, i);
            tags.push(&source[i..end]);
            text.push('\u{1}');
            // Keep the lines where they are, for the offenders' line numbers.
            for _ in source[i..end].matches('\n') {
                text.push('\n');
            }
            i = end;
        } else {
            let c = rest.chars().next().unwrap();
            text.push(c);
            i += c.len_utf8();
        }
    }
    (text, tags)
}

fn has_letter(text: &str) -> bool {
    // Entities (`&nbsp;`, `&lt;`) are not text.
    let mut rest = text;
    let mut plain = String::new();
    while let Some(amp) = rest.find('&') {
        plain.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';') {
            Some(end)
                if end > 0
                    && end < 10
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '#') =>
            {
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    plain.push_str(rest);
    plain.chars().any(char::is_alphabetic)
}

/// The words of `line` but URLs and addresses (`…/info/…`, `sympa@…`), which are not sentences.
fn sentence_words(line: &str) -> String {
    line.split_whitespace()
        .filter(|word| !word.contains('/') && !word.contains('@'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a template shows outside the catalogue functions: `(line, text)` for each offender.
fn untranslated(name: &str, source: &str) -> Vec<(usize, String)> {
    let line_of = |needle: &str| {
        source
            .find(needle.trim())
            .map_or(0, |at| source[..at].matches('\n').count() + 1)
    };
    let mut found = Vec::new();
    let (text, tags) = split_tags(source);
    // Literal sentences given to components.
    for tag in &tags {
        if !tag.trim_start_matches("{{").trim_start().starts_with('<') {
            continue;
        }
        for argument in SHOWN_ARGUMENTS {
            let pattern = format!(" {argument}=\"");
            let mut from = 0;
            while let Some(at) = tag[from..].find(&pattern) {
                let start = from + at + pattern.len();
                let Some(end) = closing_quote(tag, start) else {
                    break;
                };
                if has_letter(&tag[start..end]) {
                    found.push((line_of(tag), format!("{argument}=\"{}\"", &tag[start..end])));
                }
                from = end + 1;
            }
        }
    }
    if name.ends_with(".txt") {
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_start_matches('\u{1}');
            let line = line.strip_prefix("Subject:").unwrap_or(line);
            let shown = sentence_words(line);
            if has_letter(&shown) {
                found.push((index + 1, shown.replace('\u{1}', "…")));
            }
        }
        return found;
    }
    // HTML: the text between tags, and the attributes people read.
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let (before, after) = match rest.find('<') {
            Some(open) => (&rest[..open], Some(&rest[open..])),
            None => (rest, None),
        };
        if has_letter(before) {
            let offset = text.len() - rest.len();
            let first_line = text[..offset].matches('\n').count() + 1;
            for (index, line) in before.lines().enumerate() {
                if has_letter(&sentence_words(line)) {
                    found.push((first_line + index, line.trim().replace('\u{1}', "…")));
                }
            }
        }
        let Some(after) = after else { break };
        let close = after.find('>').map_or(after.len(), |end| end + 1);
        let element = &after[..close];
        let lower = element.to_ascii_lowercase();
        let submit = lower.starts_with("<input")
            && ["submit", "button", "reset"]
                .iter()
                .any(|kind| lower.contains(&format!("type=\"{kind}\"")));
        let mut attributes: Vec<&str> = READ_ATTRIBUTES.to_vec();
        if submit {
            attributes.push("value");
        }
        for attribute in attributes {
            let pattern = format!(" {attribute}=\"");
            if let Some(at) = lower.find(&pattern) {
                let start = at + pattern.len();
                let end = element[start..]
                    .find('"')
                    .map_or(element.len(), |e| start + e);
                let value = &element[start..end];
                if has_letter(value) {
                    found.push((line_of(value), format!("{attribute}=\"{value}\"")));
                }
            }
        }
        rest = &after[close..];
    }
    found
}

/// The string literal named `name` among the arguments `args` (`s="…"`).
fn argument(args: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = args[from..].find(name) {
        let at = from + at;
        let preceded = args[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let rest = args[at + name.len()..].trim_start();
        if preceded && rest.starts_with('=') {
            let value = rest[1..].trim_start();
            if let Some(body) = value.strip_prefix('"') {
                let end = closing_quote(body, 0)?;
                return Some(body[..end].replace("\\\"", "\""));
            }
        }
        from = at + name.len();
    }
    None
}

/// The arguments of the call whose parenthesis opens at `open`, up to its closing one.
fn call_arguments(text: &str, open: usize) -> &str {
    let mut depth = 0;
    let mut i = open;
    while i < text.len() {
        match text.as_bytes()[i] {
            b'"' => {
                i = closing_quote(text, i + 1).map_or(text.len(), |end| end + 1);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..i];
                }
            }
            _ => {}
        }
        i += 1;
    }
    &text[open + 1..]
}

/// The sentences a template asks for: every `t(s=…)` and `tn(s=…, p=…)`, with `c=…`.
fn template_sentences(source: &str) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    let (_, tags) = split_tags(source);
    {
        for tag in tags {
            for function in ["t(", "tn("] {
                for (at, _) in tag.match_indices(function) {
                    let preceded = tag[..at]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '.');
                    if !preceded {
                        continue;
                    }
                    let args = call_arguments(tag, at + function.len() - 1);
                    let Some(singular) = argument(args, "s") else {
                        continue;
                    };
                    sentences.push(Sentence {
                        context: argument(args, "c"),
                        singular,
                        plural: if function == "tn(" {
                            argument(args, "p")
                        } else {
                            None
                        },
                    });
                }
            }
        }
    }
    sentences
}

/// The string literals that follow `at` (after spaces and commas), at most `count`.
fn literals_after(source: &str, mut at: usize, count: usize) -> Vec<String> {
    let mut found = Vec::new();
    while found.len() < count {
        let rest = &source[at..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\n', ',', '\t']).len();
        let Some(body) = rest[skipped..].strip_prefix('"') else {
            break;
        };
        let Some(end) = closing_quote(body, 0) else {
            break;
        };
        found.push(body[..end].replace("\\\"", "\""));
        at += skipped + 1 + end + 1;
    }
    found
}

/// The sentences of Rust source written as `gettext("…")`, `pgettext("context", "…")`,
/// `.t("…", …)` or `.tn("…", "…", n, …)` (see `messages.rs`); comments are skipped.
fn rust_sentences(source: &str) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    for (call, count) in [("gettext(", 1), ("pgettext(", 2), (".t(", 1), (".tn(", 2)] {
        for (at, _) in source.match_indices(call) {
            let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
            if source[line_start..at].trim_start().starts_with("//") {
                continue;
            }
            // `pgettext(` is read by its own rule, not as `gettext(`.
            if call == "gettext(" && source[..at].ends_with('p') {
                continue;
            }
            let mut literals = literals_after(source, at + call.len(), count).into_iter();
            let Some(first) = literals.next() else {
                continue;
            };
            let sentence = if call == "pgettext(" {
                let Some(msgid) = literals.next() else {
                    continue;
                };
                Sentence {
                    context: Some(first),
                    singular: msgid,
                    plural: None,
                }
            } else {
                Sentence {
                    context: None,
                    singular: first,
                    plural: literals.next(),
                }
            };
            sentences.push(sentence);
        }
    }
    sentences
}

/// Every sentence the shipped code asks for.
fn all_sentences() -> BTreeSet<Sentence> {
    let mut all = BTreeSet::new();
    for (_, source) in templates() {
        all.extend(template_sentences(&source));
    }
    let messages = std::fs::read_to_string(root().join("src/messages.rs")).unwrap();
    all.extend(rust_sentences(&messages));
    for (context, msgid) in FORMAT_MSGIDS {
        all.insert(Sentence {
            context: Some(context.to_string()),
            singular: msgid.to_string(),
            plural: None,
        });
    }
    all
}

/// The key a catalogue files `sentence` under.
fn key(sentence: &Sentence) -> String {
    match &sentence.context {
        Some(context) => format!("{context}\u{4}{}", sentence.singular),
        None => sentence.singular.clone(),
    }
}

/// What `language` misses or gets wrong of `sentences`.
fn catalogue_problems(language: &Language, sentences: &BTreeSet<Sentence>) -> Vec<String> {
    let mut problems = Vec::new();
    for sentence in sentences {
        let Some(forms) = language.translations(&key(sentence)) else {
            problems.push(format!(
                "{}: missing {:?}",
                language.tag(),
                sentence.singular
            ));
            continue;
        };
        let mut expected: BTreeSet<&str> = placeholders(&sentence.singular).into_iter().collect();
        if let Some(plural) = &sentence.plural {
            if forms.len() < 2 {
                problems.push(format!(
                    "{}: {:?} has no plural forms",
                    language.tag(),
                    sentence.singular
                ));
            }
            expected.extend(placeholders(plural));
        } else if forms.len() != 1 {
            problems.push(format!(
                "{}: {:?} is a plural entry in the catalogue, not in the code",
                language.tag(),
                sentence.singular
            ));
        }
        for form in forms {
            let found: BTreeSet<&str> = placeholders(form).into_iter().collect();
            // A plural form may leave out the number ("un seul message"), never add a name.
            let fits = if sentence.plural.is_some() {
                found.is_subset(&expected)
            } else {
                found == expected
            };
            if !fits {
                problems.push(format!(
                    "{}: placeholders of {form:?} differ from {:?}",
                    language.tag(),
                    sentence.singular
                ));
            }
        }
    }
    // Entries nobody asks for still keep their msgid's placeholders.
    let asked: BTreeSet<String> = sentences.iter().map(key).collect();
    for msgid in language.msgids() {
        if asked.contains(msgid) || msgid.is_empty() {
            continue;
        }
        let original = msgid.rsplit('\u{4}').next().unwrap_or(msgid);
        let expected: BTreeSet<&str> = placeholders(original).into_iter().collect();
        for form in language.translations(msgid).unwrap_or(&[]) {
            let found: BTreeSet<&str> = placeholders(form).into_iter().collect();
            if !(found.is_subset(&expected) || found.len() == 1 && found.contains("n")) {
                problems.push(format!(
                    "{}: placeholders of {form:?} differ from {original:?}",
                    language.tag()
                ));
            }
        }
    }
    problems
}

#[test]
fn no_template_shows_text_outside_the_catalogue_functions() {
    let mut offenders = Vec::new();
    for (name, source) in templates() {
        for (line, text) in untranslated(&name, &source) {
            offenders.push(format!("templates/{name}:{line}: {text}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} text(s) outside t()/tn():\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn every_shipped_language_translates_every_sentence_with_its_placeholders() {
    let catalogues = Catalogues::builtin();
    let sentences = all_sentences();
    assert!(sentences.len() > 200, "{}", sentences.len());
    let mut problems = Vec::new();
    for tag in SHIPPED {
        let language = catalogues.get(tag).expect("a shipped language");
        problems.extend(catalogue_problems(language, &sentences));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The conflicts, one per line: language, context, msgid, then each file's translation.
fn describe(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(|c| {
            let context = c
                .context
                .as_ref()
                .map_or(String::new(), |c| format!(" (context {c:?})"));
            let translations = c
                .translations
                .iter()
                .map(|(file, forms)| format!("{file}: {forms:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {:?}{context} → {translations}", c.language, c.msgid)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// All the files of a language are one catalogue where the first file loaded wins: two
/// files translating one sentence differently would hide one translation for good.
#[test]
fn no_language_translates_one_sentence_in_two_ways_across_its_files() {
    let found = conflicts(
        wwsympa::i18n::embedded()
            .iter()
            .map(|(tag, domain, text)| (*tag, *domain, *text)),
    )
    .unwrap();
    assert!(
        found.is_empty(),
        "{} sentence(s) translated in two ways (agree on one translation, or give each meaning \
         a context: c=\"…\" in t(), pgettext in Rust):\n{}",
        found.len(),
        describe(&found)
    );
}

#[test]
fn the_conflict_check_catches_two_translations_of_one_sentence() {
    let header = "msgid \"\"\nmsgstr \"\"\n\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\n";
    let a = format!(
        "{header}msgid \"Subject\"\nmsgstr \"Objet\"\n\n\
         msgid \"Search\"\nmsgstr \"Rechercher\"\n\n\
         msgid \"Open\"\nmsgstr \"Ouvrir\"\n\n\
         msgid \"{{n}} file\"\nmsgid_plural \"{{n}} files\"\nmsgstr[0] \"{{n}} fichier\"\nmsgstr[1] \"{{n}} fichiers\"\n"
    );
    let b = format!(
        "{header}msgid \"Subject\"\nmsgstr \"Sujet\"\n\n\
         msgid \"Search\"\nmsgstr \"Rechercher\"\n\n\
         msgctxt \"list status\"\nmsgid \"Open\"\nmsgstr \"Ouverte\"\n\n\
         msgid \"{{n}} file\"\nmsgid_plural \"{{n}} files\"\nmsgstr[0] \"{{n}} fichier\"\nmsgstr[1] \"{{n}} dossiers\"\n"
    );
    let german = format!("{header}msgid \"Subject\"\nmsgstr \"Betreff\"\n");
    let found = conflicts([
        ("fr", "a", a.as_str()),
        ("fr", "b", b.as_str()),
        ("de", "a", german.as_str()),
    ])
    .unwrap();
    let keys: Vec<(&str, Option<&str>, &str)> = found
        .iter()
        .map(|c| (c.language.as_str(), c.context.as_deref(), c.msgid.as_str()))
        .collect();
    // The same words agree, a context makes another sentence, and languages are apart;
    // a plural differing in one form is a conflict.
    assert_eq!(
        keys,
        [("fr", None, "Subject"), ("fr", None, "{n} file")],
        "{}",
        describe(&found)
    );
    assert_eq!(
        found[0].translations,
        [
            ("a".to_string(), vec!["Objet".to_string()]),
            ("b".to_string(), vec!["Sujet".to_string()]),
        ]
    );
    assert!(conflicts([("fr", "bad", "msgid \"x\"\nmsgstr")]).is_err());
}

#[test]
fn the_text_check_catches_every_kind_of_bare_text() {
    let planted = [
        ("web/x.html", "<p>Hello</p>", "Hello"),
        (
            "web/x.html",
            r#"<a title="Go home" href="/x">{{ t(s="Home") }}</a>"#,
            "title",
        ),
        (
            "web/x.html",
            r#"<input placeholder="you@example.org">"#,
            "placeholder",
        ),
        ("web/x.html", r#"<img alt="Logo" src="/l.png">"#, "alt"),
        (
            "web/x.html",
            r#"<nav aria-label="Main"></nav>"#,
            "aria-label",
        ),
        (
            "web/x.html",
            r#"<input type="submit" value="Save">"#,
            "value",
        ),
        ("web/x.html", "<title>{{ title }} page</title>", "page"),
        (
            "web/x.html",
            r#"{{ <field name="x" label="Your name" /> }}"#,
            "label",
        ),
        ("mail/x.txt", "Subject: Hello {{ name }}\n\nbody", "Hello"),
    ];
    for (name, source, expected) in planted {
        let found = untranslated(name, source);
        assert!(
            found.iter().any(|(_, text)| text.contains(expected)),
            "{source}: {found:?}"
        );
    }
    let clean = [
        ("web/x.html", r#"<p class="x">{{ t(s="Hello {name}", name=n) }}&nbsp;·</p>{# a comment #}"#),
        ("web/x.html", r#"<a href="{{ base }}/lists" title="{{ t(s="Lists") }}">{{ t(s="Lists") }}</a>"#),
        ("web/x.html", r#"<input type="hidden" name="csrf_token" value="x"><button value="fr">{{ name }}</button>"#),
        ("web/x.html", "<p><code>sympa@{{ domain }}</code> {{ base }}/lists</p>"),
        ("web/x.html", r#"{% if a == "some words" %}{{ <field label=t(s="Name") /> }}{% endif %}"#),
        ("mail/x.txt", "Subject: {{ t(s=\"Hi\") }}\n\n  {{ base_url }}/info/{{ list.name }}\n-- \n{{ list.name }}-request@{{ domain }}\n"),
    ];
    for (name, source) in clean {
        assert_eq!(untranslated(name, source), Vec::new(), "{source}");
    }
}

#[test]
fn the_catalogue_check_catches_a_missing_sentence_and_a_changed_placeholder() {
    let dir = crate::support::TempDir::new("catalogue-check");
    let po = |path: &str, text: &str| {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    po(
        "pl/test.po",
        "msgid \"\"\nmsgstr \"\"\n\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n\
         msgid \"Members of {list}\"\nmsgstr \"Członkowie {lista}\"\n\n\
         msgid \"{n} file\"\nmsgid_plural \"{n} files\"\nmsgstr[0] \"{n} plik\"\nmsgstr[1] \"{n} pliki\"\n\n\
         msgid \"Spare {x}\"\nmsgstr \"Zapas {y}\"\n",
    );
    let catalogues = Catalogues::load(Some(dir.path())).unwrap();
    let polish = catalogues.get("pl").unwrap();
    let sentence = |s: &str, p: Option<&str>| Sentence {
        context: None,
        singular: s.into(),
        plural: p.map(str::to_string),
    };
    let asked: BTreeSet<Sentence> = [
        sentence("Members of {list}", None),
        sentence("{n} file", Some("{n} files")),
        sentence("Not translated", None),
    ]
    .into_iter()
    .collect();
    let problems = catalogue_problems(polish, &asked);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("missing \"Not translated\"")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("{lista}")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("Zapas {y}")),
        "{problems:?}"
    );
    assert!(!problems.iter().any(|p| p.contains("plik")), "{problems:?}");
    assert_eq!(problems.len(), 3, "{problems:?}");
}

#[test]
fn sentences_are_found_in_templates_and_in_rust() {
    let found = template_sentences(
        r#"{{ t(s="Hello {name}", name=x) }} {{ tn(s="{n} file", p="{n} files", n=3) }}
           {% set a = t(c="month", s="May") %}{{ list(s="no") }}"#,
    );
    let sentence = |c: Option<&str>, s: &str, p: Option<&str>| Sentence {
        context: c.map(str::to_string),
        singular: s.into(),
        plural: p.map(str::to_string),
    };
    assert_eq!(
        found,
        [
            sentence(None, "Hello {name}", None),
            sentence(None, "{n} file", Some("{n} files")),
            sentence(Some("month"), "May", None),
        ]
    );
    let rust = rust_sentences(
        "// gettext(\"doc\")\nlang.gettext(\"One.\"); lang.t(\n  \"Two {n}.\", &[]); x.get(\"no\");\n\
         lang.tn(\n \"{n} file\",\n \"{n} files\", n, &[]); lang.pgettext(\"list status\", \"Open\")",
    );
    assert_eq!(
        rust,
        [
            sentence(None, "One.", None),
            sentence(Some("list status"), "Open", None),
            sentence(None, "Two {n}.", None),
            sentence(None, "{n} file", Some("{n} files")),
        ]
    );
}

#[test]
fn embedded_catalogues_are_every_po_file() {
    let mut on_disk = Vec::new();
    for language in std::fs::read_dir(root().join("po")).unwrap() {
        let language = language.unwrap().path();
        for file in std::fs::read_dir(&language).unwrap() {
            let file = file.unwrap().path();
            let tag = language.file_name().unwrap().to_str().unwrap().to_string();
            let domain = file.file_stem().unwrap().to_str().unwrap().to_string();
            on_disk.push((tag, domain));
        }
    }
    on_disk.sort();
    let embedded: Vec<(String, String)> = wwsympa::i18n::embedded()
        .iter()
        .map(|(tag, domain, _)| (tag.to_string(), domain.to_string()))
        .collect();
    assert_eq!(embedded, on_disk);
}
