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
    assert_eq!(number("en", 0), "0", "zero has no sign");
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

#[test]
fn short_dates_times_and_moments_per_language() {
    let catalogues = Catalogues::builtin();
    let lang = |tag: &str| catalogues.get(tag).unwrap();
    // Month 12, day 1, a year before 1000 (padded in numbers, not in words).
    for (tag, short, first, old) in [
        ("en", "2026-11-29", "2026-12-01", "0812-01-05"),
        ("fr", "29/11/2026", "01/12/2026", "05/01/0812"),
        ("de", "29.11.2026", "01.12.2026", "05.01.0812"),
        ("es", "29/11/2026", "01/12/2026", "05/01/0812"),
    ] {
        assert_eq!(lang(tag).short_date(2026, 11, 29), short, "{tag}");
        assert_eq!(lang(tag).short_date(2026, 12, 1), first, "{tag}");
        assert_eq!(lang(tag).short_date(812, 1, 5), old, "{tag}");
    }
    assert_eq!(lang("en").date(2026, 12, 1), "December 1, 2026");
    assert_eq!(lang("fr").date(2026, 12, 1), "1 décembre 2026");
    assert_eq!(lang("de").date(812, 12, 1), "1. Dezember 812");
    assert_eq!(lang("es").date(2026, 1, 1), "1 de enero de 2026");
    // 2026-11-29 13:05:59 UTC.
    let at = Moment::from_epoch(1_795_910_400 + 13 * 3600 + 5 * 60 + 59);
    assert_eq!(at.time, Some((13, 5)));
    for (tag, long, short) in [
        (
            "en",
            "November 29, 2026, 13:05 UTC",
            "2026-11-29, 13:05 UTC",
        ),
        (
            "fr",
            "29 novembre 2026 à 13:05 UTC",
            "29/11/2026 à 13:05 UTC",
        ),
        (
            "de",
            "29. November 2026, 13:05 UTC",
            "29.11.2026, 13:05 UTC",
        ),
        (
            "es",
            "29 de noviembre de 2026, 13:05 UTC",
            "29/11/2026, 13:05 UTC",
        ),
    ] {
        assert_eq!(lang(tag).date_time(&at), long, "{tag}");
        assert_eq!(lang(tag).short_date_time(&at), short, "{tag}");
    }
    // Midnight is 00:00; a moment without a time is its date alone.
    assert_eq!(lang("de").at(1_795_910_400), "29. November 2026, 00:00 UTC");
    let day = Moment { time: None, ..at };
    assert_eq!(lang("fr").date_time(&day), "29 novembre 2026");
    // The extremes of i64 do not panic and stay readable.
    for seconds in [i64::MIN, i64::MAX, -1, 0] {
        for tag in ["en", "fr", "de", "es"] {
            assert!(!lang(tag).at(seconds).is_empty());
        }
    }
    assert_eq!(lang("en").at(-1), "December 31, 1969, 23:59 UTC");
    assert_eq!(lang("en").at(0), "January 1, 1970, 00:00 UTC");
}

#[test]
fn numbers_are_grouped_from_the_language_s_length() {
    let catalogues = Catalogues::builtin();
    let number = |tag: &str, n| catalogues.get(tag).unwrap().number(n);
    assert_eq!(number("en", 1234), "1,234");
    assert_eq!(number("fr", 1234), "1\u{202f}234");
    assert_eq!(number("de", 1234), "1.234");
    // Spanish (RAE): four digits stay whole, five are grouped.
    assert_eq!(number("es", 1234), "1234");
    assert_eq!(number("es", -1234), "-1234");
    assert_eq!(number("es", 12345), "12.345");
    for tag in ["en", "fr", "de", "es"] {
        assert_eq!(number(tag, 0), "0");
        assert_eq!(number(tag, -7), "-7");
        assert_eq!(number(tag, 999), "999");
    }
    assert_eq!(
        number("fr", i64::MIN),
        "-9\u{202f}223\u{202f}372\u{202f}036\u{202f}854\u{202f}775\u{202f}808"
    );
    assert_eq!(number("es", i64::MAX), "9.223.372.036.854.775.807");
    // A plural sentence shows its count that way.
    let french = catalogues.get("fr").unwrap();
    assert_eq!(
        french.tn("{n} minute", "{n} minutes", 1234, &[("n", &1234)]),
        "1\u{202f}234 minutes"
    );
}

#[test]
fn moments_are_read_from_what_handlers_write() {
    let read = |text: &str| Moment::parse(text, false);
    let day = |year, month, day, time| Moment {
        year,
        month,
        day,
        time,
    };
    assert_eq!(read("2026-11-29"), Some(day(2026, 11, 29, None)));
    assert_eq!(
        read("2026-12-01 13:05"),
        Some(day(2026, 12, 1, Some((13, 5))))
    );
    assert_eq!(
        read("2026-11-29 13:05 UTC"),
        Some(day(2026, 11, 29, Some((13, 5))))
    );
    assert_eq!(
        read("2026-11-29T13:05:09Z"),
        Some(day(2026, 11, 29, Some((13, 5))))
    );
    assert_eq!(
        read("2024-02-29 00:00:00+00:00"),
        Some(day(2024, 2, 29, Some((0, 0))))
    );
    // Impossible dates and times, other zones, anything else: not a moment.
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-11-00",
        "2026-11-31",
        "2026-11-29 24:00",
        "2026-11-29 12:60",
        "2026-11-29 13:05+02:00",
        "2026-11-29 13:05 CET",
        "2026-11-29x",
        "29/11/2026",
        "soon",
        "",
        "2026-11-2",
        "+026-11-29",
        "2026-1-129",
        "２０２６-11-29",
        "2026-11-29 1é:00",
    ] {
        assert_eq!(read(bad), None, "{bad:?}");
    }
    // Leniently, anything after a valid date is ignored.
    assert_eq!(
        Moment::parse("2026-11-29 later", true),
        Some(day(2026, 11, 29, None))
    );
    assert_eq!(Moment::parse("2026-11-31 later", true), None);
}

#[test]
fn a_site_language_brings_its_own_formats() {
    let dir = site_dir(&[(
        "pl/base.po",
        "msgctxt \"short date\"\nmsgid \"{yyyy}-{mm}-{dd}\"\nmsgstr \"{dd}.{mm}.{yyyy} r.\"\n\n\
         msgctxt \"digits before grouping\"\nmsgid \"4\"\nmsgstr \"5\"\n\n\
         msgctxt \"time\"\nmsgid \"{hour}:{minute} {zone}\"\nmsgstr \"{hour}.{minute} ({zone})\"\n",
    )]);
    let catalogues = Catalogues::load(Some(&dir)).unwrap();
    let polish = catalogues.get("pl").unwrap();
    assert_eq!(polish.short_date(2026, 11, 29), "29.11.2026 r.");
    assert_eq!(polish.number(1234), "1234");
    assert_eq!(polish.number(12345), "12,345");
    assert_eq!(
        polish.short_date_time(&Moment::from_epoch(1_795_910_400 + 3600 * 9)),
        "29.11.2026 r., 09.00 (UTC)"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn decimals_take_the_language_s_marks() {
    let catalogues = Catalogues::builtin();
    let decimal = |tag: &str, text| catalogues.get(tag).unwrap().decimal(text);
    assert_eq!(decimal("en", "1234.5").as_deref(), Some("1,234.5"));
    assert_eq!(
        decimal("fr", "-1234.25").as_deref(),
        Some("-1\u{202f}234,25")
    );
    assert_eq!(decimal("de", "0.5").as_deref(), Some("0,5"));
    assert_eq!(decimal("es", "1234.5").as_deref(), Some("1234,5"));
    assert_eq!(decimal("es", "12345").as_deref(), Some("12.345"));
    // Longer than any integer: grouped all the same.
    assert_eq!(
        decimal("en", "123456789012345678901234").as_deref(),
        Some("123,456,789,012,345,678,901,234")
    );
    for text in [
        "", "-", ".5", "5.", "1.2.3", "1,5", "x", "+1", "1e5", "٣", "--1", " 1",
    ] {
        assert_eq!(decimal("fr", text), None, "{text:?}");
    }
}
