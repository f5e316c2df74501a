//! Tests of the catalogues: loading, overrides, plural forms, formats, the current language.

use super::*;

fn site_dir(files: &[(&str, &str)]) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wwsympa-locale-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const POLISH: &str = r#"
msgid ""
msgstr ""
"Language: pl\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "{n} member"
msgid_plural "{n} members"
msgstr[0] "{n} członek"
msgstr[1] "{n} członków-a"
msgstr[2] "{n} członków"

msgctxt "thousands separator"
msgid ","
msgstr " "
"#;

#[test]
fn the_shipped_languages_are_loaded_with_english() {
    let catalogues = Catalogues::builtin();
    for tag in ["en", "fr", "de", "es"] {
        assert!(catalogues.get(tag).is_some(), "{tag}");
    }
    assert_eq!(catalogues.english().tag(), "en");
    assert_eq!(catalogues.get("FR").unwrap().name(), "Français");
    assert_eq!(catalogues.get("fr").unwrap().gettext("Home"), "Accueil");
    assert_eq!(catalogues.english().gettext("Home"), "Home");
    // Not in any catalogue: the msgid itself.
    assert_eq!(
        catalogues.get("de").unwrap().gettext("No such sentence"),
        "No such sentence"
    );
}

#[test]
fn a_site_language_with_its_own_plural_rule() {
    let dir = site_dir(&[("pl/base.po", POLISH)]);
    let catalogues = Catalogues::load(Some(&dir)).unwrap();
    let polish = catalogues.get("pl").unwrap();
    let forms: Vec<_> = [1, 3, 5, 22, 112]
        .iter()
        .map(|&n| polish.tn("{n} member", "{n} members", n, &[("n", &n)]))
        .collect();
    assert_eq!(
        forms,
        [
            "1 członek",
            "3 członków-a",
            "5 członków",
            "22 członków-a",
            "112 członków"
        ]
    );
    assert_eq!(polish.number(1234567), "1 234 567");
    assert_eq!(polish.name(), "Polski");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_site_file_overrides_and_completes_a_shipped_language() {
    let dir = site_dir(&[(
        "fr/local.po",
        "msgid \"Home\"\nmsgstr \"Page d'accueil\"\n\nmsgid \"Our own sentence\"\nmsgstr \"Notre phrase\"\n\n\
         msgid \"{n} file\"\nmsgid_plural \"{n} files\"\nmsgstr[0] \"{n} fichier\"\nmsgstr[1] \"{n} fichiers\"\n",
    )]);
    let catalogues = Catalogues::load(Some(&dir)).unwrap();
    let french = catalogues.get("fr").unwrap();
    assert_eq!(french.gettext("Home"), "Page d'accueil");
    assert_eq!(french.gettext("Our own sentence"), "Notre phrase");
    // The rest of the shipped catalogue, and its plural rule, stay.
    assert_eq!(french.gettext("Lists"), "Listes");
    // French's plural rule from the shipped header: 0 is singular.
    assert_eq!(french.ngettext("{n} file", "{n} files", 0), "{n} fichier");
    assert_eq!(french.ngettext("{n} file", "{n} files", 2), "{n} fichiers");
    // A sentence no catalogue translates follows English's rule.
    assert_eq!(french.ngettext("a", "b", 0), "b");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_broken_site_file_is_an_error() {
    let dir = site_dir(&[("fr/bad.po", "msgid \"x\nmsgstr")]);
    assert!(matches!(
        Catalogues::load(Some(&dir)),
        Err(Error::Parse { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        Catalogues::load(Some(&dir)),
        Err(Error::Read { .. })
    ));
}

#[test]
fn negotiation_falls_back_to_the_primary_language() {
    let catalogues = Catalogues::builtin();
    let tag = |header: &str| catalogues.negotiate(header).map(|l| l.tag().to_string());
    assert_eq!(tag("fr-CA, en;q=0.5").as_deref(), Some("fr"));
    assert_eq!(tag("it, de;q=0.9, fr;q=0.8").as_deref(), Some("de"));
    assert_eq!(tag("it, pt").as_deref(), None);
    assert_eq!(tag("es-MX;q=0.4, en-GB;q=0.9").as_deref(), Some("en"));
}

#[test]
fn dates_and_numbers_per_language() {
    let catalogues = Catalogues::builtin();
    let date = |tag: &str| catalogues.get(tag).unwrap().date(2026, 11, 29);
    assert_eq!(date("en"), "November 29, 2026");
    assert_eq!(date("fr"), "29 novembre 2026");
    assert_eq!(date("de"), "29. November 2026");
    assert_eq!(date("es"), "29 de noviembre de 2026");
    let number = |tag: &str, n| catalogues.get(tag).unwrap().number(n);
    assert_eq!(number("en", 12345), "12,345");
    assert_eq!(number("fr", 12345), "12\u{202f}345");
    assert_eq!(number("de", -1234567), "-1.234.567");
    assert_eq!(number("es", 12345), "12.345");
    assert_eq!(number("en", 999), "999");
    assert_eq!(number("en", i64::MIN), "-9,223,372,036,854,775,808");
}

#[test]
fn right_to_left_languages_say_so() {
    let dir = site_dir(&[("he/base.po", "msgid \"Home\"\nmsgstr \"דף הבית\"\n")]);
    let catalogues = Catalogues::load(Some(&dir)).unwrap();
    assert_eq!(catalogues.get("he").unwrap().dir(), "rtl");
    assert_eq!(catalogues.get("fr").unwrap().dir(), "ltr");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_current_language_is_restored_after_a_render() {
    let catalogues = Catalogues::builtin();
    let french = catalogues.get("fr").unwrap();
    let german = catalogues.get("de").unwrap();
    assert!(with_current(|l| l.is_none()));
    rendering_in(french, || {
        rendering_in(german, || {
            assert_eq!(with_current(|l| l.unwrap().tag().to_string()), "de");
        });
        assert_eq!(with_current(|l| l.unwrap().tag().to_string()), "fr");
    });
    assert!(with_current(|l| l.is_none()));
}

#[test]
fn placeholders_are_filled_and_listed() {
    assert_eq!(
        placeholders("{a} and {b_2}, not { x } nor {}"),
        ["a", "b_2"]
    );
    let english = Catalogues::builtin();
    let english = english.english();
    assert_eq!(
        english.t(
            "{who} left {list}; {unknown}",
            &[("who", &"Ann"), ("list", &"team")]
        ),
        "Ann left team; {unknown}"
    );
}
