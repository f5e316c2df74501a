//! The one catalogue of what people are told: every sentence a refusal or a decision becomes, looked up in the requester's language (catalogue domain `messages`).
//!
//! Operations and the domain return codes ([`Refusal`], [`Reason`], [`PasswordProblem`]),
//! never sentences; the doors that speak to people (the web, the shell) ask here with the
//! language of the person they answer. The SOAP door and the JSON API answer in English, as
//! Sympa's do: they pass [`english`].
//!
//! Adding a sentence: write it here as `lang.gettext("…")`, or `lang.t("… {name} …",
//! &[("name", &value)])` when it has values (never `format!`: translators move the values),
//! with the literal right after the parenthesis; then add its French, German and Spanish
//! translations to `po/{fr,de,es}/messages.po`. The completeness test reads the literals of
//! this file and fails on one a shipped catalogue misses.

use crate::domain::user::{PasswordProblem, MAX_PASSWORD_LEN, MIN_PASSWORD_CHARS};
use crate::domain::ListTemplate;
use crate::domain::Reason;
use crate::i18n::Language;
use crate::operations::membership::{MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE};
use crate::operations::{Existing, Field, Refusal};

/// English as the msgids say it, whatever the site's catalogues: for the doors that answer
/// in English (SOAP faults, the JSON API, the shell).
pub fn english() -> &'static Language {
    static ENGLISH: std::sync::OnceLock<crate::i18n::Catalogues> = std::sync::OnceLock::new();
    ENGLISH
        .get_or_init(crate::i18n::Catalogues::builtin)
        .english()
}

/// What a requester is told when a decision says no.
pub fn reason(reason: Reason, lang: &Language) -> &str {
    match reason {
        Reason::NotVisible => lang.gettext("No such list."),
        Reason::LoginRequired => lang.gettext("Please log in first."),
        Reason::NotPermitted => lang.gettext("You are not allowed to do this on this list."),
        Reason::NotMember => lang.gettext("Only members of this list may do this."),
        Reason::Closed => lang.gettext("This list does not allow this."),
    }
}

/// What is shown next to a new password that is not acceptable.
pub fn password(problem: PasswordProblem, lang: &Language) -> String {
    match problem {
        PasswordProblem::TooShort => lang.t(
            "Choose a password of at least {n} characters.",
            &[("n", &MIN_PASSWORD_CHARS)],
        ),
        PasswordProblem::TooLong => lang.t(
            "A password may have at most {n} bytes.",
            &[("n", &MAX_PASSWORD_LEN)],
        ),
        PasswordProblem::Mismatch => lang.gettext("The two passwords differ.").into(),
    }
}

/// The sentence a refusal becomes.
pub fn refusal(refusal: &Refusal, lang: &Language) -> String {
    match refusal {
        Refusal::Denied(why) => reason(*why, lang).to_string(),
        Refusal::InvalidAddress => lang.gettext("This is not a valid e-mail address.").into(),
        Refusal::BadCredentials => lang.gettext("Wrong e-mail address or password.").into(),
        Refusal::TooManyAttempts => lang
            .gettext("Too many attempts. Please wait a while before trying again.")
            .into(),
        Refusal::TryAgainSoon { seconds } => lang.t(
            "Many login attempts were made for this address lately, so it is checked at most once every {seconds} seconds. Please wait a few seconds and try again, or log in with a link by mail (“Forgot your password?”).",
            &[("seconds", seconds)],
        ),
        Refusal::Password(problem) => password(*problem, lang),
        Refusal::InvalidLink => lang
            .gettext("This link is not valid: it may have expired or been used already. Ask for a new one.")
            .into(),
        Refusal::TooLong { max, .. } => {
            lang.t("At most {max} characters, please.", &[("max", max)])
        }
        Refusal::HiddenCharacters { .. } => lang
            .gettext("Please use visible characters only: line breaks, control characters and invisible or direction-changing characters are not accepted here.")
            .into(),
        Refusal::InvalidValue {
            field: Field::Function,
        } => lang
            .gettext("Ask about one of these roles: subscriber, editor or owner.")
            .into(),
        Refusal::InvalidValue {
            field: Field::Template,
        } => lang.t(
            "There is no such list template. The templates are: {templates}.",
            &[(
                "templates",
                &ListTemplate::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )],
        ),
        Refusal::InvalidValue {
            field: Field::CustomAttribute,
        } => lang.t(
            "A custom attribute's name has 1 to {key} letters, digits, dots, dashes or underscores, and its value at most {value} characters.",
            &[("key", &MAX_CUSTOM_KEY), ("value", &MAX_CUSTOM_VALUE)],
        ),
        Refusal::InvalidValue { .. } => lang.gettext("Please choose one of the values offered.").into(),
        Refusal::AlreadyExists(Existing::Account(email)) => {
            lang.t("An account for {email} already exists.", &[("email", email)])
        }
        Refusal::AlreadyExists(Existing::List(name)) => {
            lang.t("The list {list} already exists.", &[("list", name)])
        }
        Refusal::AlreadyMember => lang
            .gettext("This address is a member of the list already: nothing was changed.")
            .into(),
        Refusal::NotAMember => lang
            .gettext("This address is not a member of the list: nothing was changed.")
            .into(),
        Refusal::TooMany {
            field: Field::CustomAttribute,
            max,
        } => lang.t(
            "A member may have at most {max} custom attributes.",
            &[("max", max)],
        ),
        Refusal::TooMany {
            field: Field::Topics,
            max,
        } => lang.t("A list has at most {max} topics.", &[("max", max)]),
        Refusal::TooMany { max, .. } => lang.t("At most {max} at once, please.", &[("max", max)]),
    }
}

/// The web's answer when the database is out of reach.
pub fn unavailable(lang: &Language) -> &str {
    lang.gettext("The lists' database cannot be reached just now, so nothing was read or changed. Please try again in a moment.")
}

/// The web's answer when something failed on the server.
pub fn server_error(lang: &Language) -> &str {
    lang.gettext(
        "The server could not answer this request. The error has been logged; please try again later.",
    )
}

/// The web's answer to a POST whose CSRF token is missing or wrong.
pub fn form_expired(lang: &Language) -> &str {
    lang.gettext("This form has expired or did not come from this site, so nothing was done. Please reload the page and try again.")
}

/// The name of the language menu's entry for "no preference" (`pref`).
pub fn browser_language(lang: &Language) -> &str {
    lang.gettext("Your browser's language")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogues;

    #[test]
    fn sentences_are_in_the_requesters_language_with_their_values() {
        let catalogues = Catalogues::builtin();
        let french = catalogues.get("fr").unwrap();
        assert_eq!(
            reason(Reason::NotVisible, french),
            "Cette liste n'existe pas."
        );
        assert_eq!(reason(Reason::NotVisible, english()), "No such list.");
        let long = Refusal::TooLong {
            field: Field::Name,
            max: 150,
        };
        assert_eq!(refusal(&long, english()), "At most 150 characters, please.");
        assert_eq!(
            refusal(&long, catalogues.get("de").unwrap()),
            "Höchstens 150 Zeichen, bitte."
        );
    }
}
