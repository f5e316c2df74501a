//! Languages: the gettext catalogues (`po/<lang>/<domain>.po`, embedded, completed or overridden from `locale_dir`), the language of the render in progress, choosing a language, and dates and numbers per language.
//!
//! Every language is one [`Language`]: all its domains' files merged into one catalogue
//! (msgids are unique across domains), its `Plural-Forms`, its direction and its formats.
//! English is the msgids themselves (a site may still reword it with `en/*.po` files).
//! Lookups borrow from the catalogue: a sentence found costs one hash look-up and no
//! allocation; one not found is its own msgid.
//!
//! Templates get their language from the thread: [`Templates::render_fields`] in `render`
//! sets the language of the page or mail being rendered ([`rendering_in`]) for the duration
//! of the render, so `t()` finds it in included, imported and component templates alike.
//! Rust code that speaks to people (`messages`) is handed a `&Language` instead.
//!
//! [`Templates::render_fields`]: ../render/struct.Templates.html#method.render_fields

mod format;
mod negotiate;

use std::cell::RefCell;
use std::fmt::Display;
use std::path::Path;
use std::sync::Arc;

pub use format::{Moment, FORMAT_MSGIDS, ZONE};
pub use negotiate::{accepted, normalize};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/po.rs"));
}

/// Every catalogue file of the repository, embedded: language, domain, PO text.
pub fn embedded() -> &'static [(&'static str, &'static str, &'static str)] {
    embedded::EMBEDDED
}

/// The language of the msgids, always available.
pub const ENGLISH: &str = "en";

/// Languages written right to left (primary subtags).
const RIGHT_TO_LEFT: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// Names of languages in themselves, for the language menu; a catalogue's `X-Native-Name`
/// header names any other (else its tag is shown).
const NATIVE_NAMES: &[(&str, &str)] = &[
    ("ar", "العربية"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("et", "Eesti"),
    ("eu", "Euskara"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("gl", "Galego"),
    ("he", "עברית"),
    ("hu", "Magyar"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("nb", "Norsk bokmål"),
    ("nl", "Nederlands"),
    ("oc", "Occitan"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("pt-br", "Português (Brasil)"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("ur", "اردو"),
    ("vi", "Tiếng Việt"),
    ("zh-cn", "简体中文"),
    ("zh-tw", "繁體中文"),
];

/// Why catalogues could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A catalogue file or directory could not be read.
    #[error("cannot read catalogue {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// A catalogue file does not parse.
    #[error("catalogue {path}: {message}")]
    Parse { path: String, message: String },
}

/// One language: its catalogue (every domain), plural rule, direction and formats.
#[derive(Debug)]
pub struct Language {
    tag: String,
    name: String,
    rtl: bool,
    catalogue: spiritless_po::Catalog,
    formats: format::Formats,
}

impl Language {
    fn new(tag: &str, catalogue: spiritless_po::Catalog) -> Language {
        let name = catalogue
            .metadata()
            .get("X-Native-Name")
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .or_else(|| {
                NATIVE_NAMES
                    .iter()
                    .find(|(t, _)| *t == tag)
                    .map(|(_, n)| n.to_string())
            })
            .unwrap_or_else(|| tag.to_string());
        let primary = tag.split('-').next().unwrap_or(tag);
        let formats = format::Formats::from_catalogue(&catalogue);
        Language {
            tag: tag.to_string(),
            name,
            rtl: RIGHT_TO_LEFT.contains(&primary),
            catalogue,
            formats,
        }
    }

    /// The language's tag, lower case (`fr`, `pt-br`): `<html lang>`, cookies, the store.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The language's name in itself (`Français`), for menus.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `rtl` for a language written right to left, else `ltr`: `<html dir>`.
    pub fn dir(&self) -> &'static str {
        if self.rtl {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The translation of `msgid`, or `msgid` itself.
    pub fn gettext<'a>(&'a self, msgid: &'a str) -> &'a str {
        self.catalogue.gettext(msgid)
    }

    /// The form of `singular`/`plural` for the number `n`, by the catalogue's `Plural-Forms`
    /// (English's rule without a translation).
    pub fn ngettext<'a>(&'a self, singular: &'a str, plural: &'a str, n: u64) -> &'a str {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        self.catalogue.ngettext(singular, plural, n)
    }

    /// The translation of `msgid` in the context `msgctxt` (`msgctxt` in the PO file).
    pub fn pgettext<'a>(&'a self, msgctxt: &str, msgid: &'a str) -> &'a str {
        self.catalogue.pgettext(msgctxt, msgid)
    }

    /// The plural form of `singular`/`plural` for `n` in the context `msgctxt`.
    pub fn npgettext<'a>(
        &'a self,
        msgctxt: &str,
        singular: &'a str,
        plural: &'a str,
        n: u64,
    ) -> &'a str {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        self.catalogue.npgettext(msgctxt, singular, plural, n)
    }

    /// `msgid` translated, each `{name}` replaced by the argument of that name.
    pub fn t(&self, msgid: &str, args: &[(&str, &dyn Display)]) -> String {
        fill(self.gettext(msgid), |name, out| {
            let (_, value) = args.iter().find(|(n, _)| *n == name)?;
            use std::fmt::Write as _;
            let _ = write!(out, "{value}");
            Some(())
        })
    }

    /// The form of `singular`/`plural` for `n`, placeholders filled as in [`Language::t`],
    /// but `{n}`: always `n` written as the language writes numbers (`1,234`, `1 234`).
    pub fn tn(
        &self,
        singular: &str,
        plural: &str,
        n: u64,
        args: &[(&str, &dyn Display)],
    ) -> String {
        fill(self.ngettext(singular, plural, n), |name, out| {
            if name == "n" {
                out.push_str(&self.number(i64::try_from(n).unwrap_or(i64::MAX)));
                return Some(());
            }
            let (_, value) = args.iter().find(|(a, _)| *a == name)?;
            use std::fmt::Write as _;
            let _ = write!(out, "{value}");
            Some(())
        })
    }

    /// `n` with the language's thousands separator: `12,345`, `12 345`, `12.345`.
    pub fn number(&self, n: i64) -> String {
        self.formats.number(n)
    }

    /// A decimal number as a program writes it (`-1234.5`) the language's way: `-1,234.5`,
    /// `-1 234,5`; `None` when `text` is not one.
    pub fn decimal(&self, text: &str) -> Option<String> {
        self.formats.decimal(text)
    }

    /// The date of `year-month-day` written out: `November 29, 2026`, `29 novembre 2026`.
    pub fn date(&self, year: i64, month: u8, day: u8) -> String {
        self.formats.date(year, month, day)
    }

    /// The date of `year-month-day` in numbers: `2026-11-29`, `29/11/2026`, `29.11.2026`.
    pub fn short_date(&self, year: i64, month: u8, day: u8) -> String {
        self.formats.short_date(year, month, day)
    }

    /// `moment` with its long date and, when it has one, its time:
    /// `November 29, 2026, 13:05 UTC`, `29 novembre 2026 à 13:05 UTC`.
    pub fn date_time(&self, moment: &Moment) -> String {
        self.formats.moment(moment, false)
    }

    /// `moment` with its short date and, when it has one, its time:
    /// `2026-11-29, 13:05 UTC`, `29/11/2026 à 13:05 UTC` (for tables).
    pub fn short_date_time(&self, moment: &Moment) -> String {
        self.formats.moment(moment, true)
    }

    /// `seconds` since the epoch as [`Language::date_time`] writes it (for sentences built
    /// in Rust).
    pub fn at(&self, seconds: i64) -> String {
        self.date_time(&Moment::from_epoch(seconds))
    }

    /// The msgids this language's catalogue translates (for the completeness test).
    pub fn msgids(&self) -> impl Iterator<Item = &str> {
        self.catalogue.index().keys().map(String::as_str)
    }

    /// Every form of the translation of `msgid` (one, or one per plural form), if any.
    pub fn translations(&self, msgid: &str) -> Option<&[String]> {
        let index = self.catalogue.index().get(msgid)?;
        let start = index.string_table_index();
        let count = index.total_plurals() as usize;
        self.catalogue.string_table().get(start..start + count)
    }
}

/// Replaces each `{name}` of `text` by what `value(name, out)` writes; a name it does not
/// know (it returns `None`) stays as it is, braces included.
pub fn fill(text: &str, mut value: impl FnMut(&str, &mut String) -> Option<()>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let done = after.find('}').and_then(|close| {
            let name = &after[..close];
            let mark = out.len();
            match value(name, &mut out) {
                Some(()) => Some(close),
                None => {
                    out.truncate(mark);
                    None
                }
            }
        });
        match done {
            Some(close) => rest = &after[close + 1..],
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders `{name}` of a sentence, in order (for checking translations).
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if !after[..close].is_empty()
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

/// Every language the site speaks: the shipped catalogues and the configured directory's.
#[derive(Debug)]
pub struct Catalogues {
    /// Sorted by tag; English always among them.
    languages: Vec<Arc<Language>>,
}

impl Catalogues {
    /// The shipped catalogues only.
    pub fn builtin() -> Catalogues {
        Catalogues::load(None).expect("the shipped catalogues parse (the completeness test)")
    }

    /// The shipped catalogues, each completed and overridden sentence by sentence by the
    /// files `<dir>/<lang>/<domain>.po`; a language directory we do not ship adds that
    /// language. A file that cannot be read or parsed is an error (reported at start, or
    /// refused on reload).
    ///
    /// All the files of a language make one catalogue, and the first translation of a
    /// (context, msgid) loaded wins, in this fixed order: the site's files, by path, then
    /// the shipped ones, by domain name. The shipped files never translate one sentence in
    /// two ways ([`conflicts`], held by the catalogue test), so the order matters only for
    /// the site's own files: a site overriding a sentence does so in one file.
    pub fn load(dir: Option<&Path>) -> Result<Catalogues, Error> {
        let mut by_tag: Vec<(String, spiritless_po::Catalog)> = Vec::new();
        fn slot<'v>(
            by_tag: &'v mut Vec<(String, spiritless_po::Catalog)>,
            tag: &str,
        ) -> &'v mut spiritless_po::Catalog {
            let index = match by_tag.iter().position(|(t, _)| t == tag) {
                Some(index) => index,
                None => {
                    by_tag.push((tag.to_string(), spiritless_po::Catalog::new()));
                    by_tag.len() - 1
                }
            };
            &mut by_tag[index].1
        }
        // The site's files first: the first translation of a msgid added wins.
        if let Some(dir) = dir {
            for (tag, path) in site_files(dir)? {
                let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                slot(&mut by_tag, &tag)
                    .add_str(&text)
                    .map_err(|e| Error::Parse {
                        path: path.display().to_string(),
                        message: e.error_messages().join("; "),
                    })?;
            }
        }
        for (tag, domain, text) in embedded() {
            slot(&mut by_tag, &normalize(tag))
                .add_str(text)
                .map_err(|e| Error::Parse {
                    path: format!("po/{tag}/{domain}.po"),
                    message: e.error_messages().join("; "),
                })?;
        }
        slot(&mut by_tag, ENGLISH);
        let mut languages: Vec<Arc<Language>> = by_tag
            .into_iter()
            .map(|(tag, catalogue)| Arc::new(Language::new(&tag, catalogue)))
            .collect();
        languages.sort_by(|a, b| a.tag.cmp(&b.tag));
        Ok(Catalogues { languages })
    }

    /// The language `tag` (any case, `_` or `-`), if the site has it.
    pub fn get(&self, tag: &str) -> Option<&Arc<Language>> {
        let tag = normalize(tag);
        self.languages
            .binary_search_by(|l| l.tag.as_str().cmp(&tag))
            .ok()
            .map(|index| &self.languages[index])
    }

    /// English, always there.
    pub fn english(&self) -> &Arc<Language> {
        self.get(ENGLISH).expect("English is always loaded")
    }

    /// Every language, sorted by tag.
    pub fn languages(&self) -> &[Arc<Language>] {
        &self.languages
    }

    /// The first of `candidates` the site has, a tag that names a region falling back to its
    /// language (`fr-CA` → `fr`); `None` when none is.
    pub fn first_of<'s, 'c>(
        &'s self,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Option<&'s Arc<Language>> {
        candidates.into_iter().find_map(|tag| self.lookup(tag))
    }

    /// The language `tag` names: itself, or its primary language (`fr-CA` → `fr`).
    pub fn lookup(&self, tag: &str) -> Option<&Arc<Language>> {
        if tag.is_empty() {
            return None;
        }
        self.get(tag).or_else(|| {
            let primary = tag.split(['-', '_']).next()?;
            self.get(primary)
        })
    }

    /// The language of an `Accept-Language` header: its best-liked tag the site has.
    pub fn negotiate(&self, accept_language: &str) -> Option<&Arc<Language>> {
        self.first_of(accepted(accept_language).iter().map(String::as_str))
    }
}

/// A sentence that two catalogue files of one language translate differently: only the
/// first file loaded shows (see [`Catalogues::load`]), so the other translation never does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The language's tag.
    pub language: String,
    /// The sentence's context (`msgctxt`), if it has one.
    pub context: Option<String>,
    /// The sentence (`msgid`).
    pub msgid: String,
    /// Each file that translates it (by name, in the order given) with its translation:
    /// one form, or one per plural form.
    pub translations: Vec<(String, Vec<String>)>,
}

/// The conflicts among catalogue `files`, each given as (language, file name, PO text):
/// every (context, msgid) that two files of the same language translate differently,
/// sorted by language, then context and msgid. A file that does not parse is an error.
pub fn conflicts<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<Vec<Conflict>, Error> {
    use std::collections::BTreeMap;
    type Translations = Vec<(String, Vec<String>)>;
    let mut seen: BTreeMap<(String, String), Translations> = BTreeMap::new();
    for (tag, name, text) in files {
        let mut catalogue = spiritless_po::Catalog::new();
        catalogue.add_str(text).map_err(|e| Error::Parse {
            path: format!("{tag}/{name}"),
            message: e.error_messages().join("; "),
        })?;
        let table = catalogue.string_table();
        for (key, index) in catalogue.index() {
            if key.is_empty() {
                continue;
            }
            let start = index.string_table_index();
            let forms = table
                .get(start..start + index.total_plurals() as usize)
                .unwrap_or(&[])
                .to_vec();
            seen.entry((normalize(tag), key.clone()))
                .or_default()
                .push((name.to_string(), forms));
        }
    }
    Ok(seen
        .into_iter()
        .filter(|(_, translations)| translations.iter().any(|(_, t)| *t != translations[0].1))
        .map(|((language, key), translations)| {
            let (context, msgid) = match key.split_once('\u{4}') {
                Some((context, msgid)) => (Some(context.to_string()), msgid.to_string()),
                None => (None, key),
            };
            Conflict {
                language,
                context,
                msgid,
                translations,
            }
        })
        .collect())
}

/// The catalogue files of a site's directory: `<dir>/<lang>/<domain>.po`, sorted.
fn site_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>, Error> {
    let read = |path: &Path| {
        std::fs::read_dir(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })
    };
    let mut files = Vec::new();
    for language in read(dir)? {
        let language = language.map_err(|source| Error::Read {
            path: dir.display().to_string(),
            source,
        })?;
        let path = language.path();
        let Some(tag) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !path.is_dir() || !negotiate::is_tag(tag) {
            continue;
        }
        let tag = normalize(tag);
        for entry in read(&path)? {
            let entry = entry.map_err(|source| Error::Read {
                path: path.display().to_string(),
                source,
            })?;
            let file = entry.path();
            if file.extension().and_then(|e| e.to_str()) == Some("po") && file.is_file() {
                files.push((tag.clone(), file));
            }
        }
    }
    files.sort();
    Ok(files)
}

thread_local! {
    /// The language of the render in progress on this thread (see [`rendering_in`]).
    static CURRENT: RefCell<Option<Arc<Language>>> = const { RefCell::new(None) };
}

/// Runs `work` with `language` as this thread's current language ([`with_current`]), then
/// puts back the one before (renders may nest: a mail rendered while a page is).
pub fn rendering_in<T>(language: &Arc<Language>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<Language>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|current| *current.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|current| current.borrow_mut().replace(Arc::clone(language)));
    let _restore = Restore(previous);
    work()
}

/// Calls `f` with the language of the render in progress, or `None` outside one (English).
pub fn with_current<T>(f: impl FnOnce(Option<&Language>) -> T) -> T {
    CURRENT.with(|current| f(current.borrow().as_deref()))
}

#[cfg(test)]
mod tests;
