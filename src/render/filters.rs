//! Template filters and the HTML escaper, each tested by a direct call.

use std::io::Write;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tera::{Kwargs, State, Tera, Value};

use crate::domain::text;
use crate::i18n::{self, Moment};

/// Characters left alone in a URL path segment or query value: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Escapes text for HTML content and quoted attributes; unlike tera's default it leaves `/` alone.
///
/// It also neutralises what could hide or reorder text on a page: control characters (but
/// tab and line breaks) and invisible or bidirectional formatting characters
/// ([`domain::text::hidden_char`]) become U+FFFD, whatever their source (names imported
/// from the shell, a NUL in a query string echoed into a form).
///
/// Called on every `{{ }}` of every page: copies the runs between special characters whole
/// rather than character by character.
pub fn escape_html(input: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most text is plain ASCII: skip it a table look-up per byte.
        if PLAIN[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let byte = bytes[i];
        let (entity, len): (&[u8], usize) = match byte {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'"' => (b"&quot;", 1),
            b'\'' => (b"&#39;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..=0x1f | 0x7f => (NEUTRAL_UTF8, 1),
            // A lead byte: the character may be a hidden one (continuation bytes never start here).
            0xc2.. => {
                let c = input[i..]
                    .chars()
                    .next()
                    .expect("i is on a character boundary");
                if !text::hidden_char(c) {
                    i += c.len_utf8();
                    continue;
                }
                (NEUTRAL_UTF8, c.len_utf8())
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // `start..i` lies on character boundaries: `i` is at an ASCII byte or a lead byte.
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        i += len;
        start = i;
    }
    out.write_all(&bytes[start..])
}

/// The bytes [`escape_html`] copies as they are without a second look: printable ASCII but
/// `& < > " '`, and tab and line breaks.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0x20;
    while byte < 0x7f {
        table[byte] = !matches!(byte as u8, b'&' | b'<' | b'>' | b'"' | b'\'');
        byte += 1;
    }
    table[b'\t' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    table
};

/// U+FFFD in UTF-8: what [`escape_html`] shows a hidden character as.
const NEUTRAL_UTF8: &[u8] = "\u{FFFD}".as_bytes();

/// `urlencode`: percent-encodes a value for use as one path segment or query value.
pub fn urlencode(value: Value, _: Kwargs, _: &State) -> String {
    match value.as_str() {
        Some(text) => utf8_percent_encode(text, SEGMENT).to_string(),
        None => utf8_percent_encode(&value.to_string(), SEGMENT).to_string(),
    }
}

/// `t(s="…", name=value…)`: the sentence `s` in the language of the render (see
/// [`crate::i18n::rendering_in`]), with each `{name}` in it replaced by the argument of that
/// name; `c="…"` gives the sentence's `msgctxt`. Every sentence a template shows goes
/// through here (or [`tn`]), so that catalogues can translate it.
pub fn t(kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let msgid: &str = kwargs.must_get("s")?;
    let context: Option<&str> = kwargs.get("c")?;
    Ok(i18n::with_current(|language| {
        let text = match (language, context) {
            (Some(language), Some(context)) => language.pgettext(context, msgid),
            (Some(language), None) => language.gettext(msgid),
            (None, _) => msgid,
        };
        fill(text, &kwargs, language, false)
    }))
}

/// `tn(s="{n} member", p="{n} members", n=count, name=value…)`: the form of the sentence
/// for the number `n` by the catalogue's `Plural-Forms` (English's rule without one),
/// placeholders filled as in [`t`], `{n}` always written as the language writes numbers
/// (`1,234 members`, `1 234 membres`); `c="…"` as in [`t`].
pub fn tn(kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let singular: &str = kwargs.must_get("s")?;
    let plural: &str = kwargs.must_get("p")?;
    let n: Value = kwargs.must_get("n")?;
    let context: Option<&str> = kwargs.get("c")?;
    let count = n.as_i64().map_or(0, i64::unsigned_abs);
    Ok(i18n::with_current(|language| {
        let text = match (language, context) {
            (Some(language), Some(context)) => language.npgettext(context, singular, plural, count),
            (Some(language), None) => language.ngettext(singular, plural, count),
            (None, _) if count == 1 => singular,
            (None, _) => plural,
        };
        fill(text, &kwargs, language, true)
    }))
}

/// `number`: a number with the thousands separator and decimal mark of the render's
/// language (`12,345.5`, `12 345,5`, `12.345,5`): an integer, a float, or a text a program
/// wrote (`-1234.5`, a bounce score); anything else is shown as it is.
pub fn number(value: Value, _: Kwargs, _: &State) -> String {
    if let Some(n) = value.as_i64() {
        return i18n::with_current(|language| match language {
            Some(language) => language.number(n),
            None => n.to_string(),
        });
    }
    let text = match (value.as_str(), value.as_f64()) {
        (Some(text), _) => text.to_string(),
        // Rust writes a finite float in plain digits (`1.5`, `1e21` as 22 digits).
        (None, Some(float)) if float.is_finite() => float.to_string(),
        _ => return value.to_string(),
    };
    i18n::with_current(|language| {
        language
            .and_then(|language| language.decimal(&text))
            .unwrap_or(text)
    })
}

/// `long_date`: a date written out in the render's language (`November 29, 2026`,
/// `29 novembre 2026`): from seconds since 1970 (an integer), or a text starting with
/// `YYYY-MM-DD` (what follows is ignored); anything else is shown as it is.
///
/// The date filters, all taking the same values (seconds since 1970, UTC, or the texts
/// handlers write: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, RFC 3339 in UTC):
/// - `long_date`: `November 29, 2026`, `29 novembre 2026`, `29. November 2026`;
/// - `short_date`: `2026-11-29`, `29/11/2026`, `29.11.2026` (tables);
/// - `date_time`: `November 29, 2026, 13:05 UTC`, `29 novembre 2026 à 13:05 UTC`;
/// - `short_date_time`: `2026-11-29, 13:05 UTC`, `29/11/2026 à 13:05 UTC` (tables).
///
/// `iso_date` writes the same values for programs (`<time datetime="…">`).
///
/// The `date_time` ones show only the date of a value without a time, and a text with
/// something else after its date and time (another zone) as it is. Outside a render with a
/// language, dates are ISO (`2026-11-29 13:05 UTC`). Programs read the ISO forms handlers
/// write (`<time datetime="…">`, feeds, exports), never these.
pub fn long_date(value: Value, _: Kwargs, _: &State) -> String {
    show_date(&value, true, |language, m| {
        language.date(m.year, m.month, m.day)
    })
}

/// `short_date`: the date of a value in numbers, the language's way (see [`long_date`]).
pub fn short_date(value: Value, _: Kwargs, _: &State) -> String {
    show_date(&value, true, |language, m| {
        language.short_date(m.year, m.month, m.day)
    })
}

/// `date_time`: the long date and the time of a value (see [`long_date`]).
pub fn date_time(value: Value, _: Kwargs, _: &State) -> String {
    show_date(&value, false, |language, m| language.date_time(m))
}

/// `short_date_time`: the short date and the time of a value (see [`long_date`]).
pub fn short_date_time(value: Value, _: Kwargs, _: &State) -> String {
    show_date(&value, false, |language, m| language.short_date_time(m))
}

/// `iso_date`: the machine form of a value the date filters take, for `<time datetime>`:
/// `2026-11-29` for a day, `2026-11-29T13:05Z` for a moment (UTC); anything else as it is.
pub fn iso_date(value: Value, _: Kwargs, _: &State) -> String {
    let moment = match (value.as_i64(), value.as_str()) {
        (Some(seconds), _) => Some(Moment::from_epoch(seconds)),
        (None, Some(text)) => Moment::parse(text, false),
        (None, None) => None,
    };
    match moment {
        Some(Moment {
            year,
            month,
            day,
            time: Some((hour, minute)),
        }) => format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}Z"),
        Some(Moment {
            year, month, day, ..
        }) => format!("{year:04}-{month:02}-{day:02}"),
        None => value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string),
    }
}

/// The moment `value` holds written by `write` in the render's language (ISO outside one);
/// `value` as it is when it holds none. `dates_only`: the filter shows days, so text after a
/// valid date is ignored, and the time of seconds is dropped.
fn show_date(
    value: &Value,
    dates_only: bool,
    write: impl FnOnce(&i18n::Language, &Moment) -> String,
) -> String {
    let moment = match (value.as_i64(), value.as_str()) {
        (Some(seconds), _) => Some(Moment::from_epoch(seconds)),
        (None, Some(text)) => Moment::parse(text, dates_only),
        (None, None) => None,
    };
    let Some(mut moment) = moment else {
        return value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
    };
    if dates_only {
        moment.time = None;
    }
    i18n::with_current(|language| match language {
        Some(language) => write(language, &moment),
        None => iso(&moment),
    })
}

/// `moment` as ISO 8601 with a space: `2026-11-29`, `2026-11-29 13:05 UTC`.
fn iso(moment: &Moment) -> String {
    let Moment {
        year, month, day, ..
    } = moment;
    match moment.time {
        Some((hour, minute)) => {
            format!(
                "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} {}",
                i18n::ZONE
            )
        }
        None => format!("{year:04}-{month:02}-{day:02}"),
    }
}

/// Integers from this size up are written with the language's thousands separator when they
/// fill a placeholder (`12 345 membres`); smaller ones, years among them, stay as they are.
const GROUPED_FROM: i64 = 10_000;

/// Replaces each `{name}` of `text` by the argument `name` (the `s`, `p` and `c` arguments
/// are the sentences themselves, never placeholders); an unknown `{name}` stays as it is.
/// Large integers are grouped as `language` writes them ([`GROUPED_FROM`]), and so is the
/// count `{n}` of a plural sentence (`counted`) whatever its size: `1,234 members`.
fn fill(
    text: &str,
    kwargs: &Kwargs,
    language: Option<&crate::i18n::Language>,
    counted: bool,
) -> String {
    i18n::fill(text, |name, out| {
        if matches!(name, "s" | "p" | "c") {
            return None;
        }
        let (_, value) = kwargs.iter().find(|(key, _)| key.as_str() == Some(name))?;
        match (value.as_str(), value.as_i64(), language) {
            (Some(text), _, _) => out.push_str(text),
            (None, Some(n), Some(language))
                if (counted && name == "n") || n.unsigned_abs() >= GROUPED_FROM as u64 =>
            {
                out.push_str(&language.number(n))
            }
            _ => out.push_str(&value.to_string()),
        }
        Some(())
    })
}

/// Registers every filter on `tera`.
pub fn register(tera: &mut Tera) {
    tera.register_filter("urlencode", urlencode);
    tera.register_function("t", t);
    tera.register_function("tn", tn);
    tera.register_filter("number", number);
    tera.register_filter("long_date", long_date);
    tera.register_filter("short_date", short_date);
    tera.register_filter("date_time", date_time);
    tera.register_filter("short_date_time", short_date_time);
    tera.register_filter("iso_date", iso_date);
    tera.set_escape_fn(escape_html);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(input: &str) -> String {
        let mut out = Vec::new();
        escape_html(input, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn call(source: &str, context: &tera::Context) -> String {
        let mut tera = Tera::new();
        tera.autoescape_on([".html"]);
        register(&mut tera);
        tera.add_raw_template("t.html", source).unwrap();
        tera.render("t.html", context).unwrap()
    }

    #[test]
    fn t_fills_placeholders_and_escapes_the_result() {
        let mut context = tera::Context::new();
        context.insert("name", "<b>team</b>");
        context.insert("count", &3);
        assert_eq!(
            call(
                r#"{{ t(s="Members of {list}: {n}", list=name, n=count) }}"#,
                &context
            ),
            "Members of &lt;b&gt;team&lt;/b&gt;: 3"
        );
        assert_eq!(
            call(r#"{{ t(s="{unknown} and {s} stay; {open") }}"#, &context),
            "{unknown} and {s} stay; {open"
        );
    }

    #[test]
    fn tn_chooses_by_the_number() {
        let source = r#"{{ tn(s="{n} member", p="{n} members", n=count) }}"#;
        for (count, expected) in [(1, "1 member"), (0, "0 members"), (2, "2 members")] {
            let mut context = tera::Context::new();
            context.insert("count", &count);
            assert_eq!(call(source, &context), expected);
        }
    }

    fn call_in(tag: &str, source: &str, context: &tera::Context) -> String {
        let catalogues = crate::i18n::Catalogues::builtin();
        let language = catalogues.get(tag).unwrap();
        crate::i18n::rendering_in(language, || call(source, context))
    }

    #[test]
    fn t_and_tn_speak_the_language_of_the_render() {
        let mut context = tera::Context::new();
        context.insert("who", "ann@example.org");
        context.insert("count", &0);
        let source = r#"{{ t(s="Logged in as {email}", email=who) }}|{{ t(c="month", s="May") }}|{{ tn(s="{n} minute", p="{n} minutes", n=count) }}"#;
        assert_eq!(
            call(source, &context),
            "Logged in as ann@example.org|May|0 minutes"
        );
        // French: 0 is singular; the month by its context.
        assert_eq!(
            call_in("fr", source, &context),
            "Connecté en tant que ann@example.org|mai|0 minute"
        );
        assert_eq!(
            call_in("de", source, &context),
            "Angemeldet als ann@example.org|Mai|0 Minuten"
        );
        // Large numbers in a sentence are grouped the language's way; small ones (years) not.
        context.insert("count", &12345);
        context.insert("year", &2026);
        let counted = r#"{{ tn(s="{n} minute", p="{n} minutes", n=count) }} {{ t(s="Members: {n}", n=year) }}"#;
        assert_eq!(call(counted, &context), "12345 minutes Members: 2026");
        assert_eq!(
            call_in("en", counted, &context),
            "12,345 minutes Members: 2026"
        );
        assert_eq!(
            call_in("fr", counted, &context),
            "12\u{202f}345 minutes Abonnés : 2026"
        );
    }

    #[test]
    fn numbers_and_dates_per_language() {
        let mut context = tera::Context::new();
        context.insert("n", &1234567);
        context.insert("when", &1_795_910_400_i64); // 2026-11-29
        context.insert("day", "2026-11-29 10:00");
        context.insert("odd", "soon");
        let source = "{{ n | number }} {{ when | long_date }} / {{ day | long_date }} / {{ odd | long_date }}";
        assert_eq!(
            call(source, &context),
            "1234567 2026-11-29 / 2026-11-29 / soon"
        );
        assert_eq!(
            call_in("en", source, &context),
            "1,234,567 November 29, 2026 / November 29, 2026 / soon"
        );
        assert_eq!(
            call_in("fr", source, &context),
            "1\u{202f}234\u{202f}567 29 novembre 2026 / 29 novembre 2026 / soon"
        );
        assert_eq!(
            call_in("es", source, &context),
            "1.234.567 29 de noviembre de 2026 / 29 de noviembre de 2026 / soon"
        );
    }

    #[test]
    fn date_filters_take_seconds_and_the_texts_handlers_write() {
        let mut context = tera::Context::new();
        context.insert("secs", &(1_795_910_400_i64 + 13 * 3600 + 5 * 60)); // 2026-11-29 13:05
        context.insert("day", "2026-12-01");
        context.insert("minute", "2026-12-01 09:30");
        context.insert("utc", "2026-12-01 09:30 UTC");
        context.insert("rfc", "2026-12-01T09:30:00Z");
        context.insert("zone", "2026-12-01 09:30 +0200");
        context.insert("odd", "<soon>");
        context.insert("big", &i64::MIN);
        context.insert("float", &1.5);
        let source = "{{ secs | short_date }}|{{ secs | date_time }}|{{ secs | short_date_time }}|\
                      {{ day | date_time }}|{{ minute | short_date_time }}|{{ utc | date_time }}|\
                      {{ rfc | short_date }}|{{ zone | date_time }}|{{ zone | short_date }}|\
                      {{ odd | short_date }}|{{ float | date_time }}";
        assert_eq!(
            call_in("en", source, &context),
            "2026-11-29|November 29, 2026, 13:05 UTC|2026-11-29, 13:05 UTC|\
             December 1, 2026|2026-12-01, 09:30 UTC|December 1, 2026, 09:30 UTC|\
             2026-12-01|2026-12-01 09:30 +0200|2026-12-01|&lt;soon&gt;|1.5"
        );
        assert_eq!(
            call_in("fr", source, &context),
            "29/11/2026|29 novembre 2026 à 13:05 UTC|29/11/2026 à 13:05 UTC|\
             1 décembre 2026|01/12/2026 à 09:30 UTC|1 décembre 2026 à 09:30 UTC|\
             01/12/2026|2026-12-01 09:30 +0200|01/12/2026|&lt;soon&gt;|1.5"
        );
        assert_eq!(
            call_in(
                "de",
                "{{ secs | date_time }} {{ minute | short_date }}",
                &context
            ),
            "29. November 2026, 13:05 UTC 01.12.2026"
        );
        assert_eq!(
            call_in(
                "es",
                "{{ secs | date_time }} {{ minute | short_date_time }}",
                &context
            ),
            "29 de noviembre de 2026, 13:05 UTC 01/12/2026, 09:30 UTC"
        );
        // The machine form, whatever the language.
        assert_eq!(
            call_in(
                "fr",
                "{{ secs | iso_date }} {{ minute | iso_date }} {{ day | iso_date }} {{ zone | iso_date }}",
                &context
            ),
            "2026-11-29T13:05Z 2026-12-01T09:30Z 2026-12-01 2026-12-01 09:30 +0200"
        );
        // Outside a language: ISO; the extremes of i64 do not panic.
        assert_eq!(
            call(
                "{{ secs | date_time }} {{ day | short_date_time }}",
                &context
            ),
            "2026-11-29 13:05 UTC 2026-12-01"
        );
        for tag in ["en", "fr", "de", "es"] {
            let shown = call_in(
                tag,
                "{{ big | date_time }}{{ big | short_date }}{{ big | number }}",
                &context,
            );
            assert!(!shown.is_empty(), "{tag}");
        }
    }

    #[test]
    fn number_writes_integers_floats_and_decimal_texts_the_language_s_way() {
        let mut context = tera::Context::new();
        context.insert("int", &-1234);
        context.insert("float", &1234.5);
        context.insert("score", "5.5");
        context.insert("word", "<many>");
        let source =
            "{{ int | number }}|{{ float | number }}|{{ score | number }}|{{ word | number }}";
        assert_eq!(call(source, &context), "-1234|1234.5|5.5|&lt;many&gt;");
        assert_eq!(
            call_in("en", source, &context),
            "-1,234|1,234.5|5.5|&lt;many&gt;"
        );
        assert_eq!(
            call_in("fr", source, &context),
            "-1\u{202f}234|1\u{202f}234,5|5,5|&lt;many&gt;"
        );
        assert_eq!(
            call_in("de", source, &context),
            "-1.234|1.234,5|5,5|&lt;many&gt;"
        );
        assert_eq!(
            call_in("es", source, &context),
            "-1234|1234,5|5,5|&lt;many&gt;"
        );
    }

    #[test]
    fn the_count_of_a_plural_sentence_is_a_number_of_the_language() {
        let mut context = tera::Context::new();
        context.insert("count", &1234);
        let source = r#"{{ tn(s="{n} member", p="{n} members", n=count) }}"#;
        assert_eq!(call_in("en", source, &context), "1,234 members");
        assert_eq!(call_in("fr", source, &context), "1\u{202f}234 abonnés");
        assert_eq!(call_in("de", source, &context), "1.234 Mitglieder");
        // Spanish groups from five digits.
        assert_eq!(call_in("es", source, &context), "1234 miembros");
        context.insert("count", &-12345);
        assert_eq!(call_in("es", source, &context), "-12.345 miembros");
        // In t(), a small number (a message's number, a year) stays whole.
        context.insert("count", &2026);
        assert_eq!(
            call_in(
                "en",
                r#"{{ t(s="message {n}", n=count) }} {{ count | number }}"#,
                &context
            ),
            "message 2026 2,026"
        );
    }

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            escaped(r#"<a href="/x?a=1&b='2'">"#),
            "&lt;a href=&quot;/x?a=1&amp;b=&#39;2&#39;&quot;&gt;"
        );
    }

    #[test]
    fn escapes_around_multibyte_characters() {
        assert_eq!(escaped(""), "");
        assert_eq!(escaped("plain é text"), "plain é text");
        assert_eq!(escaped("é<é>&ü\"'"), "é&lt;é&gt;&amp;ü&quot;&#39;");
        assert_eq!(escaped("<<"), "&lt;&lt;");
    }

    #[test]
    fn hidden_characters_are_shown_neutralised() {
        assert_eq!(escaped("Ann\u{202e}gro.x"), "Ann\u{FFFD}gro.x");
        assert_eq!(
            escaped("a\u{0}b\u{200b}c\u{7f}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(escaped("x\u{feff}<"), "x\u{FFFD}&lt;");
        // Line breaks, tabs, joiners and marks that scripts need stay.
        assert_eq!(escaped("a\tb\nc\r"), "a\tb\nc\r");
        assert_eq!(
            escaped("می\u{200c}خواهم 👩\u{200d}💻"),
            "می\u{200c}خواهم 👩\u{200d}💻"
        );
    }

    #[test]
    fn urlencode_keeps_unreserved_characters() {
        let mut tera = Tera::new();
        register(&mut tera);
        tera.add_raw_template("t", "{{ s | urlencode }} {{ n | urlencode }}")
            .unwrap();
        let mut context = tera::Context::new();
        context.insert("s", "a b/c+d.e_f~g-h@é");
        context.insert("n", &42);
        assert_eq!(
            tera.render("t", &context).unwrap(),
            "a%20b%2Fc%2Bd.e_f~g-h%40%C3%A9 42"
        );
    }
}
