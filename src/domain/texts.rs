//! The texts owners and listmasters write on the web (Sympa's `editfile` files): their names, what each is for, and their limits.
//!
//! A text is kept as typed and is never evaluated as a template: a `{{` or `{%` in it is
//! shown as it is. Plain texts are shown escaped; the HTML ones (`homepage`) are sanitized
//! where shown.

/// Whose text it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextScope {
    /// A list's.
    List,
    /// The site's (`editfile` without a list, by a listmaster).
    Site,
}

/// How a text is written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Plain text, shown escaped (line breaks kept).
    Plain,
    /// HTML, shown through the archive's sanitizer: no script, no style, no form, no
    /// remote image.
    Html,
}

/// Where a text is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextUse {
    /// On a page.
    Page,
    /// In a mail to one member (welcome, goodbye, removal, reminder): its preview is that mail.
    Mail,
    /// Around the body of every post the list distributes.
    Post,
}

/// One kind of text: its Sympa name and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextKind {
    /// Sympa's file name (`welcome.tt2`, `message_footer`, ...).
    pub name: &'static str,
    /// A list's or the site's.
    pub scope: TextScope,
    /// Plain or HTML.
    pub format: TextFormat,
    /// Where it goes.
    pub used: TextUse,
    /// The mail template it goes into, for [`TextUse::Mail`] texts.
    pub mail: Option<&'static str>,
}

/// The most a text may hold, in bytes (64 KiB).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

const fn kind(
    name: &'static str,
    scope: TextScope,
    format: TextFormat,
    used: TextUse,
    mail: Option<&'static str>,
) -> TextKind {
    TextKind {
        name,
        scope,
        format,
        used,
        mail,
    }
}

/// Every text, a list's first, in the order the editing page shows them.
pub const TEXTS: &[TextKind] = &[
    kind(
        "info",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Page,
        None,
    ),
    kind(
        "homepage",
        TextScope::List,
        TextFormat::Html,
        TextUse::Page,
        None,
    ),
    kind(
        "welcome.tt2",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Mail,
        Some("welcome"),
    ),
    kind(
        "bye.tt2",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Mail,
        Some("goodbye"),
    ),
    kind(
        "removed.tt2",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Mail,
        Some("goodbye"),
    ),
    kind(
        "remind.tt2",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Mail,
        Some("remind"),
    ),
    kind(
        "message_header",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Post,
        None,
    ),
    kind(
        "message_footer",
        TextScope::List,
        TextFormat::Plain,
        TextUse::Post,
        None,
    ),
    kind(
        "homepage",
        TextScope::Site,
        TextFormat::Html,
        TextUse::Page,
        None,
    ),
    kind(
        "helpfile",
        TextScope::Site,
        TextFormat::Plain,
        TextUse::Page,
        None,
    ),
];

impl TextKind {
    /// The text of `scope` called `name`; `None` for any other name (never a path).
    pub fn find(scope: TextScope, name: &str) -> Option<&'static TextKind> {
        TEXTS.iter().find(|t| t.scope == scope && t.name == name)
    }

    /// Every text of `scope`, in order.
    pub fn of(scope: TextScope) -> impl Iterator<Item = &'static TextKind> {
        TEXTS.iter().filter(move |t| t.scope == scope)
    }
}

/// What is wrong with a text typed for saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// More than [`MAX_TEXT_BYTES`].
    TooBig,
    /// A control character other than a tab or a line break (a NUL, an escape, ...).
    ControlCharacter,
}

/// The text as it is kept: line ends made `\n`, trailing blank space of the whole text
/// dropped; refused when too big or holding control characters.
pub fn normalize(typed: &str) -> Result<String, TextProblem> {
    if typed.len() > MAX_TEXT_BYTES {
        return Err(TextProblem::TooBig);
    }
    let text = typed.replace("\r\n", "\n").replace('\r', "\n");
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(TextProblem::ControlCharacter);
    }
    Ok(text.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sympas_and_nothing_else_is_found() {
        let list: Vec<&str> = TextKind::of(TextScope::List).map(|t| t.name).collect();
        assert_eq!(
            list,
            [
                "info",
                "homepage",
                "welcome.tt2",
                "bye.tt2",
                "removed.tt2",
                "remind.tt2",
                "message_header",
                "message_footer"
            ]
        );
        assert!(TextKind::find(TextScope::List, "welcome.tt2").is_some());
        assert!(TextKind::find(TextScope::Site, "welcome.tt2").is_none());
        assert!(TextKind::find(TextScope::Site, "helpfile").is_some());
        for bogus in ["../etc/passwd", "info/../x", "", "INFO", "welcome"] {
            assert!(TextKind::find(TextScope::List, bogus).is_none(), "{bogus}");
        }
        for text in TEXTS {
            assert_eq!(
                text.used == TextUse::Mail,
                text.mail.is_some(),
                "{}",
                text.name
            );
        }
    }

    #[test]
    fn texts_are_normalized_and_limited() {
        assert_eq!(normalize("a\r\nb\rc\n\n  ").unwrap(), "a\nb\nc");
        assert_eq!(
            normalize("\tindented {{ x }}").unwrap(),
            "\tindented {{ x }}"
        );
        assert_eq!(normalize("nul\0"), Err(TextProblem::ControlCharacter));
        assert_eq!(
            normalize("esc\u{1b}[31m"),
            Err(TextProblem::ControlCharacter)
        );
        assert!(normalize(&"x".repeat(MAX_TEXT_BYTES)).is_ok());
        assert_eq!(
            normalize(&"x".repeat(MAX_TEXT_BYTES + 1)),
            Err(TextProblem::TooBig)
        );
        // The limit the form announces: 64 KiB, a long welcome message fits.
        assert_eq!(MAX_TEXT_BYTES / 1024, 64);
        assert!(normalize(&"é".repeat(32 * 1024)).is_ok());
        assert_eq!(
            normalize(&format!("{}x", "é".repeat(32 * 1024))),
            Err(TextProblem::TooBig)
        );
    }
}
