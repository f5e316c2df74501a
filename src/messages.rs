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

use crate::archive::query::{QueryError, MAX_QUERY_CHARS, MAX_TERMS};
use crate::archive::{Note, MAX_DEPTH, MAX_MESSAGE_BYTES, MAX_PARTS};
use crate::domain::bounce::points;
use crate::domain::custom::{self, CustomProblem};
use crate::domain::list_names::RESERVED_SUFFIXES;
use crate::domain::user::{PasswordProblem, MAX_PASSWORD_LEN, MIN_PASSWORD_CHARS};
use crate::domain::ListTemplate;
use crate::domain::{ListName, NameProblem, Reason};
use crate::http::FormError;
use crate::i18n::Language;
use crate::operations::membership::{MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE};
use crate::operations::moderation::Decision;
use crate::operations::{Existing, Field, Refusal, SettingProblem};

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

/// What is shown next to a list parameter of the settings form that is refused.
pub fn setting_problem(problem: SettingProblem, lang: &Language) -> String {
    match problem {
        SettingProblem::NotAllowed => lang
            .gettext("You may not change this setting: it is left as it was.")
            .into(),
        SettingProblem::Required => lang.gettext("Please fill this in.").into(),
        SettingProblem::TooLong { max } => {
            lang.t("At most {max} characters, please.", &[("max", &lang.number(i64::try_from(max).unwrap_or(i64::MAX)))])
        }
        SettingProblem::HiddenCharacters => lang
            .gettext("Please use visible characters only: line breaks, control characters and invisible or direction-changing characters are not accepted here.")
            .into(),
        SettingProblem::NotAChoice => lang.gettext("Please choose one of the values offered.").into(),
        SettingProblem::OutOfRange { min, max } => lang.t(
            "Please give a whole number from {min} to {max}.",
            &[("min", &min), ("max", &max)],
        ),
        SettingProblem::Points { min, max } => lang.t(
            "Please give a number of points from {min} to {max} (a decimal point is allowed).",
            &[("min", &points(min)), ("max", &points(max))],
        ),
        SettingProblem::TooMany { max } => {
            lang.t("At most {max} values, please.", &[("max", &lang.number(i64::try_from(max).unwrap_or(i64::MAX)))])
        }
        SettingProblem::Custom(problem) => custom_problem(problem, lang),
        SettingProblem::Schedule => lang
            .gettext("Please give the days and time as DAYS HH:MM, days 0 (Sunday) to 6 separated by commas (1,4 06:00), or none for no digest.")
            .into(),
    }
}

/// What is wrong with custom attribute definitions, or with a value typed for one.
pub fn custom_problem(problem: CustomProblem, lang: &Language) -> String {
    match problem {
        CustomProblem::Line(n) => lang.t("Line {n}: write id | name | type | optional or required, then | and the values separated by commas for an enum (an id has letters, digits, dots, dashes or underscores; the types are string, text, integer and enum).", &[("n", &n)]),
        CustomProblem::TooMany => lang.t("A list asks at most {max} custom attributes.", &[("max", &custom::MAX_ATTRIBUTES)]),
        CustomProblem::Duplicate(n) => lang.t("Line {n}: this id is used by another attribute already.", &[("n", &n)]),
        CustomProblem::Required => lang.gettext("Please fill this in.").into(),
        CustomProblem::NotInteger => lang.gettext("Please give a whole number.").into(),
        CustomProblem::NotOffered => lang.gettext("Please choose one of the values offered.").into(),
        CustomProblem::BadText => lang.t("At most {max} characters, with no control or invisible character.", &[("max", &custom::MAX_VALUE)]),
        CustomProblem::TooLong => lang.t("At most {max} characters, please.", &[("max", &custom::MAX_VALUE)]),
        CustomProblem::Unknown => lang.gettext("This list asks for no such information.").into(),
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
        Refusal::InvalidValue {
            field: Field::RemoteAddr,
        } => lang
            .gettext("Give a whole IP address (192.0.2.7 or 2001:db8::7), or its beginning ending with a dot or a colon (192.0.2. or 2001:db8:).")
            .into(),
        Refusal::InvalidValue { field: Field::Text } => lang
            .gettext("Please remove the control characters (such as NUL or escape) from this text: only tabs and line breaks are accepted. Nothing was saved.")
            .into(),
        Refusal::InvalidValue { .. } => lang.gettext("Please choose one of the values offered.").into(),
        Refusal::AlreadyExists(Existing::Account(email)) => {
            lang.t("An account for {email} already exists.", &[("email", email)])
        }
        Refusal::AlreadyExists(Existing::List(name)) => {
            lang.t("The list {list} already exists.", &[("list", name)])
        }
        Refusal::AlreadyExists(Existing::Admin(email)) => lang.t(
            "{email} has this role on the list already: nothing was changed.",
            &[("email", email)],
        ),
        Refusal::LastOwner => lang
            .gettext("A list keeps at least one owner: add another owner before removing this one.")
            .into(),
        Refusal::LastPrivilegedOwner => lang
            .gettext("A list keeps at least one privileged owner: make another owner privileged first, or ask a listmaster.")
            .into(),
        Refusal::CustomValue { problem, .. } => custom_problem(*problem, lang),
        Refusal::InvalidSettings(problems) => lang.tn(
            "Nothing was changed: {n} setting to correct ({names}).",
            "Nothing was changed: {n} settings to correct ({names}).",
            problems.len() as u64,
            &[
                ("n", &problems.len()),
                (
                    "names",
                    &problems
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
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
        Refusal::TooBig { max_bytes, .. } => lang.t(
            "This is too large: at most {kib} KiB ({max} bytes), please. Nothing was saved.",
            &[("kib", &(max_bytes / 1024)), ("max", max_bytes)],
        ),
        Refusal::TooSoon { seconds } => lang.t(
            "This was done less than {hours} hours ago. It may be done again in about {wait}.",
            &[
                ("hours", &(crate::operations::remind::REMIND_INTERVAL / 3600)),
                ("wait", &wait(*seconds, lang)),
            ],
        ),
        Refusal::ListName(problem) => list_name(*problem, lang),
        Refusal::NotClosed => lang
            .gettext("Only a closed list can be purged: close it first (nothing was deleted).")
            .into(),
    }
}

/// What the owners' tools (texts, members, help) say besides refusals.
pub mod tools {
    use crate::i18n::Language;

    /// A text name that is none of the editable texts (`editfile/LIST/NAME`).
    pub fn no_such_text(lang: &Language) -> String {
        lang.gettext("There is no text of this name.").into()
    }

    /// `savefile` without a text named.
    pub fn which_text(lang: &Language) -> String {
        lang.gettext("Which text? The form names none.").into()
    }

    /// `editsubscriber` without an address.
    pub fn which_member(lang: &Language) -> String {
        lang.gettext("Which member? The address names none.").into()
    }

    /// A help topic that is none of ours nor Sympa's.
    pub fn no_such_help(lang: &Language) -> String {
        lang.gettext("There is no help page of this name.").into()
    }

    /// After `savefile`: saved, or (an empty text) back to the default.
    pub fn text_saved(name: &str, reset: bool, lang: &Language) -> String {
        if reset {
            lang.t(
                "The text {name} is back to its default.",
                &[("name", &name)],
            )
        } else {
            lang.t("The text {name} is saved.", &[("name", &name)])
        }
    }

    /// `editsubscriber` for an address that is not a member.
    pub fn not_a_member(email: &str, list: &str, lang: &Language) -> String {
        lang.t(
            "{email} is not a member of {list}.",
            &[("email", &email), ("list", &list)],
        )
    }
}

/// What the list administration pages (settings, owners and moderators) say.
pub mod admin {
    use crate::domain::params::Group;
    use crate::i18n::Language;

    /// `edit_list_request/LIST/GROUP` naming no group of settings (`name` as asked).
    pub fn no_such_group(name: &str, lang: &Language) -> String {
        lang.t(
            "There is no group of settings named “{name}”. The groups are: {groups}.",
            &[
                ("name", &name),
                (
                    "groups",
                    &Group::ALL
                        .iter()
                        .map(|g| g.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        )
    }

    /// `edit/LIST/ROLE` naming a role other than owners and moderators.
    pub fn no_such_role(name: &str, lang: &Language) -> String {
        lang.t(
            "There is no role named “{name}” to manage here: choose owner or editor (the moderators).",
            &[("name", &name)],
        )
    }

    /// The settings form saved with no change.
    pub fn nothing_changed(lang: &Language) -> String {
        lang.gettext("Nothing was changed.").into()
    }

    /// After the settings form was saved: the labels of the settings changed, in order.
    pub fn settings_saved(labels: &[&str], lang: &Language) -> String {
        lang.t("Saved: {names}.", &[("names", &labels.join(", "))])
    }

    /// After an owner or moderator was added.
    pub fn added(email: &str, lang: &Language) -> String {
        lang.t("{email} is added.", &[("email", &email)])
    }

    /// After an owner's or moderator's details were saved.
    pub fn updated(email: &str, lang: &Language) -> String {
        lang.t("The details of {email} are saved.", &[("email", &email)])
    }

    /// After an owner or moderator was removed.
    pub fn removed(email: &str, lang: &Language) -> String {
        lang.t("{email} is removed.", &[("email", &email)])
    }
}

/// The web door's answer to a request body larger than it reads at all (before any action).
pub fn body_too_large(max: u64, lang: &Language) -> String {
    lang.t(
        "This request is too large: at most {max} bytes are accepted here. Nothing was done.",
        &[("max", &max)],
    )
}

/// A wait, in words: minutes under two hours, else hours.
fn wait(seconds: u64, lang: &Language) -> String {
    let minutes = seconds.div_ceil(60).max(1);
    if minutes < 120 {
        lang.tn("{n} minute", "{n} minutes", minutes, &[("n", &minutes)])
    } else {
        let hours = minutes.div_ceil(60);
        lang.tn("{n} hour", "{n} hours", hours, &[("n", &hours)])
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

/// The label of a list parameter on the settings form (by Sympa's name).
pub fn param_label<'l>(name: &str, lang: &'l Language) -> &'l str {
    match name {
        "subject" => lang.gettext("Subject"),
        "info" => lang.gettext("Description"),
        "topics" => lang.gettext("Topics"),
        "visibility" => lang.gettext("Who sees that the list exists"),
        "lang" => lang.gettext("Language of the list"),
        "send" => lang.gettext("Who may post"),
        "max_size" => lang.gettext("Largest post, in bytes"),
        "max_attachments" => lang.gettext("Most attachments before a post is held"),
        "custom_subject" => lang.gettext("Tag in front of the subject"),
        "personalization" => lang.gettext("How posts go out"),
        "dmarc_protection" => lang.gettext("DMARC protection"),
        "clean_delay_queuemod" => lang.gettext("Days held posts wait for a moderator"),
        "digest" => lang.gettext("Digest days and time"),
        "digest_max_size" => lang.gettext("Most messages in one digest"),
        "subscribe" => lang.gettext("Who may subscribe"),
        "unsubscribe" => lang.gettext("Who may unsubscribe"),
        "review" => lang.gettext("Who sees the members"),
        "archive.web_access" => lang.gettext("Who reads the web archives"),
        "bounce.threshold" => lang.gettext("Bounce score that stops delivery"),
        "bounce.stale_days" => lang.gettext("Days after which a bounce score is forgotten"),
        "bounce.warnings" => lang.gettext("Warnings before removal"),
        "bounce.warning_days" => lang.gettext("Days between warnings"),
        "status" => lang.gettext("Status"),
        "custom_attribute" => lang.gettext("Questions asked at subscription (custom attributes)"),
        "default_user_options.reception" => lang.gettext("How new members receive the list"),
        _ => lang.gettext("Setting"),
    }
}

/// The hint under a list parameter on the settings form, if it has one.
pub fn param_hint<'l>(name: &str, lang: &'l Language) -> Option<&'l str> {
    Some(match name {
        "topics" => lang.gettext("Separated by commas."),
        "custom_attribute" => lang.gettext("One per line: id | name | type | optional or required | values. Types: string, text, integer, enum (values separated by commas). Example: size | T-shirt size | enum | optional | S, M, L"),
        "lang" => lang.gettext("The language of its pages for visitors who ask for none we have, and of its mail."),
        "max_attachments" => lang.gettext("Leave empty for no limit."),
        "custom_subject" => lang.gettext("Shown between brackets, for example the list's name."),
        "digest" => lang.gettext("Days 0 (Sunday) to 6 separated by commas, then the time in UTC: 1,4 06:00. Write none for no digest."),
        "bounce.threshold" => lang.gettext("A hard bounce counts 1 point, a soft one half a point, at most once a day."),
        "status" => lang.gettext("Closing or opening the list is done from the list's administration page."),
        _ => return None,
    })
}

/// The label of one value of a list parameter with choices.
pub fn param_option<'l>(name: &str, value: &str, lang: &'l Language) -> &'l str {
    match (name, value) {
        ("visibility", "noconceal") => lang.gettext("Anyone"),
        ("visibility", "intranet") => lang.gettext("Logged-in users"),
        ("visibility", "conceal") => lang.gettext("Only its members, moderators and owners"),
        ("send", "public") => lang.gettext("Anyone"),
        ("send", "privateoreditorkey") => lang.gettext("Members; others are moderated"),
        ("send", "private") => lang.gettext("Members only; others are refused"),
        ("send", "editorkey") => lang.gettext("Everyone is moderated"),
        ("send", "editorkeyonly") => lang.gettext("Everyone is moderated, moderators too"),
        ("send", "newsletter") => lang.gettext("Moderators and owners only (newsletter)"),
        ("send", "closed") => lang.gettext("Nobody"),
        ("subscribe" | "unsubscribe", "open") => lang.gettext("Anyone, at once"),
        ("subscribe" | "unsubscribe", "open_notify") => {
            lang.gettext("Anyone, at once, owners told")
        }
        ("subscribe" | "unsubscribe", "auth") => lang.gettext("Anyone, after confirming by mail"),
        ("subscribe" | "unsubscribe", "auth_notify") => {
            lang.gettext("Anyone, after confirming by mail, owners told")
        }
        ("subscribe", "auth_owner") => {
            lang.gettext("After confirming by mail, then an owner approves")
        }
        ("subscribe" | "unsubscribe", "owner") => lang.gettext("An owner approves"),
        ("subscribe" | "unsubscribe", "owner_notify") => {
            lang.gettext("An owner approves, owners told")
        }
        ("subscribe" | "unsubscribe", "closed") => {
            lang.gettext("Nobody; only owners add and remove")
        }
        ("review" | "archive.web_access", "public") => lang.gettext("Anyone"),
        ("review" | "archive.web_access", "private") => {
            lang.gettext("Members, moderators and owners")
        }
        ("review" | "archive.web_access", "owner") => lang.gettext("Owners only"),
        ("review" | "archive.web_access", "closed") => lang.gettext("Listmasters only"),
        ("personalization", "personalized") => {
            lang.gettext("One copy per member, with their own unsubscribe link and bounce address")
        }
        ("personalization", "bulk") => lang.gettext("One copy for many members"),
        ("dmarc_protection", "auto") => {
            lang.gettext("Rewrite the sender when their domain asks for it")
        }
        ("dmarc_protection", "always") => lang.gettext("Always rewrite the sender"),
        ("dmarc_protection", "never") => lang.gettext("Never rewrite the sender"),
        ("default_user_options.reception", "mail") => lang.gettext("Each message"),
        ("default_user_options.reception", "not_me") => {
            lang.gettext("Each message, except their own posts")
        }
        ("default_user_options.reception", "digest") => lang.gettext("A digest of the messages"),
        ("default_user_options.reception", "digestplain") => {
            lang.gettext("A plain-text digest (text only)")
        }
        ("default_user_options.reception", "summary") => lang.gettext("A summary of the subjects"),
        ("default_user_options.reception", "nomail") => lang.gettext("No mail"),
        // "Open" alone is the button that opens a list.
        ("status", "open") => lang.pgettext("list status", "Open"),
        ("status", "closed") => lang.gettext("Closed"),
        ("status", "pending") => lang.gettext("Waiting for a listmaster"),
        _ => lang.gettext("Other value"),
    }
}

/// The choice of a list's language that means "the site's".
pub fn site_language(lang: &Language) -> &str {
    lang.gettext("The site's language")
}

/// The title of a group of list parameters (Sympa's group names).
pub fn param_group(group: crate::domain::params::Group, lang: &Language) -> &str {
    use crate::domain::params::Group;
    match group {
        Group::Description => lang.gettext("List definition"),
        Group::Sending => lang.gettext("Sending and reception"),
        Group::Command => lang.gettext("Privileges"),
        Group::Archives => lang.gettext("Archives"),
        Group::Bounces => lang.gettext("Bounce management"),
        Group::Other => lang.gettext("Miscellaneous"),
    }
}

/// What is shown next to a list name that cannot be given to a new or renamed list.
pub fn list_name(problem: NameProblem, lang: &Language) -> String {
    match problem {
        NameProblem::Syntax => lang
            .gettext("A list name has at most 50 letters, digits, dots, dashes, underscores or plus signs, and starts with a letter or a digit.")
            .into(),
        NameProblem::ReservedSuffix(suffix) => lang.t(
            "A list name may not end with “{suffix}”: the list's own addresses end so ({suffixes}).",
            &[("suffix", &suffix), ("suffixes", &RESERVED_SUFFIXES.join(", "))],
        ),
        NameProblem::SiteAddress => lang
            .gettext("This name is one of the site's own addresses; please choose another.")
            .into(),
    }
}

/// The notice after a list was created: open, or waiting for a listmaster.
pub fn list_created(name: &ListName, pending: bool, lang: &Language) -> String {
    if pending {
        lang.t("Your request for the list {list} was sent to the listmasters; you will get a mail when they decide.", &[("list", name)])
    } else {
        lang.t(
            "The list {list} is created, and you are its privileged owner.",
            &[("list", name)],
        )
    }
}

/// The notice after a list was closed, or a pending one rejected (and purged).
pub fn list_closed(name: &ListName, pending: bool, lang: &Language) -> String {
    if pending {
        lang.t(
            "The pending list {list} was removed, and its owners were told by mail.",
            &[("list", name)],
        )
    } else {
        lang.t(
            "The list {list} is closed. A listmaster can open it again.",
            &[("list", name)],
        )
    }
}

/// The notice after a listmaster opened a list: reopened, or installed from pending.
pub fn list_opened(name: &ListName, installed: bool, lang: &Language) -> String {
    if installed {
        lang.t(
            "The list {list} is installed, and its owners were told by mail.",
            &[("list", name)],
        )
    } else {
        lang.t("The list {list} is open again.", &[("list", name)])
    }
}

/// The notice after a list was copied: the copy is open, or waits for a listmaster.
pub fn list_copied(name: &ListName, pending: bool, lang: &Language) -> String {
    if pending {
        lang.t("The copy {list} was made and waits for a listmaster's approval. Its members and archives were not copied.", &[("list", name)])
    } else {
        lang.t("The copy {list} was made, with the configuration and owners; its members and archives were not copied.", &[("list", name)])
    }
}

/// The notice after a list was renamed.
pub fn list_renamed(old: &ListName, new: &ListName, lang: &Language) -> String {
    lang.t("The list {old} is now called {new}; its members and archives followed it, and links with the old name lead here.", &[("old", old), ("new", new)])
}

/// The refusal of a copy or a rename to another domain (Sympa's `new_robot`).
pub fn other_robot(domain: &str, lang: &Language) -> String {
    lang.t(
        "Lists are copied and renamed within this site's domain ({domain}) only; moving a list to another domain is not supported.",
        &[("domain", &domain)],
    )
}

/// What an archived (or held) message's page says in place of what it does not show.
pub fn archive_note(note: Note, lang: &Language) -> String {
    match note {
        Note::Unreadable => lang
            .gettext("This message could not be read as mail; here are its bytes as text.")
            .into(),
        Note::TooLarge => lang.t(
            "This message is larger than {mib} MiB: only its headers are shown.",
            &[("mib", &(MAX_MESSAGE_BYTES >> 20))],
        ),
        Note::NestedTooDeep => lang.t(
            "Parts nested more than {max} deep are not shown.",
            &[("max", &MAX_DEPTH)],
        ),
        Note::TooManyParts => lang.t(
            "Only the first {max} parts of this message are shown.",
            &[("max", &MAX_PARTS)],
        ),
    }
}

/// Why an archive search cannot be run, shown above the search box.
pub fn search_refused(error: QueryError, lang: &Language) -> String {
    match error {
        QueryError::Empty => lang
            .gettext("This search cannot be run: it has no word to look for (words after a minus sign or NOT only leave messages out, and a date alone is not enough).")
            .into(),
        QueryError::TooLong => lang.t(
            "This search cannot be run: it is too long. A search has at most {chars} characters and {terms} terms.",
            &[("chars", &MAX_QUERY_CHARS), ("terms", &MAX_TERMS)],
        ),
        QueryError::BadDate => lang
            .gettext("This search cannot be run: dates are written d:YYYY-MM-DD..YYYY-MM-DD (either end may be left out, as in d:2024-01-01..), or d:YYYY-MM-DD for one day.")
            .into(),
    }
}

/// Why a form (or a query string) could not be read.
pub fn form_error(error: FormError, lang: &Language) -> String {
    match error {
        FormError::TooManyFields { fields, max } => lang.t(
            "This form has {fields} fields; at most {max} are accepted here. Nothing was done.",
            &[("fields", &fields), ("max", &max)],
        ),
        FormError::Nul => lang
            .gettext("A field of this form contains a NUL character, which is not accepted. Nothing was done.")
            .into(),
        FormError::NotUtf8 => lang
            .gettext("A field of this form is not valid UTF-8 text; please send the form again from this site's page. Nothing was done.")
            .into(),
    }
}

/// The name of a header shown on an archived or held message's page (`From`, `Subject`…),
/// in the reader's language; a header we do not name is shown as it is.
pub fn mail_header<'l>(name: &'l str, lang: &'l Language) -> &'l str {
    match name {
        "From" => lang.pgettext("mail header", "From"),
        "To" => lang.pgettext("mail header", "To"),
        "Cc" => lang.pgettext("mail header", "Cc"),
        "Date" => lang.pgettext("mail header", "Date"),
        "Subject" => lang.pgettext("mail header", "Subject"),
        "Message-ID" => lang.pgettext("mail header", "Message-ID"),
        "In-Reply-To" => lang.pgettext("mail header", "In-Reply-To"),
        other => other,
    }
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

/// A sentence the web door puts on a page: a notice of what was just done (or why nothing
/// was), an error page's message, a word shown in place of a missing one. Handlers name the
/// sentence; its words are here, beside the other sentences people are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebText<'a> {
    /// A request body larger than the action takes.
    ActionTooLarge { action: &'a str, max: u64 },
    /// A form with more fields than the action takes.
    ActionTooManyFields { action: &'a str, max: usize },
    /// A method the action does not accept (`method` as the request named it).
    MethodNotAccepted { action: &'a str, method: &'a str },
    /// A list action whose address names no list.
    ListNotNamed,
    /// A static file that does not exist.
    NoSuchFile,
    /// An address outside the web interface's prefix.
    OutsideService,
    /// An action name the table does not have (cut to 60 characters by the caller).
    UnknownAction { name: &'a str },
    /// `login` while logged in.
    LoggedInAlready,
    /// After a login.
    LoggedIn,
    /// After a logout.
    LoggedOut,
    /// After a login by a mailed link, on the way to choosing a password.
    LoggedInChoosePassword,
    /// After a new password (the other sessions are closed).
    PasswordSaved,
    /// After `pref`.
    PreferencesSaved,
    /// An archive address that names no message or page.
    NoSuchArchivePage,
    /// A feed of a list whose archive is not public.
    FeedNotPublic,
    /// A feed that does not exist.
    NoSuchFeed,
    /// An archive action whose address names no message.
    MessageNotNamed,
    /// After an owner hid an archived message.
    MessageHidden,
    /// After an owner showed a hidden message again.
    MessageShown,
    /// After an owner deleted an archived message.
    MessageDeleted,
    /// Shown in place of an empty subject.
    NoSubject,
    /// Shown in place of a forwarded message nested too deep.
    NestedTooDeep,
    /// `resetbounce` on addresses whose delivery was not suspended.
    NoScoreToReset,
    /// After `resetbounce`, with the addresses (comma-separated).
    ScoresReset { addresses: &'a str },
    /// `viewbounce` with nothing kept.
    NoBounceKept,
    /// `auth_add` and the like with no request checked.
    ChooseRequest,
    /// After accepting held requests, with the addresses.
    RequestsAccepted { addresses: &'a str },
    /// After declining held requests, with the addresses.
    RequestsDeclined { addresses: &'a str },
    /// Requests that no longer wait, with the addresses.
    NoWaitingRequest { addresses: &'a str },
    /// After a moderator chose how they are told of held messages.
    ModerationNoticesSaved,
    /// `modindex` posted without a decision.
    ChooseDecisionMany,
    /// `modindex` posted with no message checked.
    CheckOneMessage,
    /// `viewmod` of a message that does not wait.
    NoSuchHeldMessage,
    /// `viewmod` posted without a decision.
    ChooseDecisionOne,
    /// An attachment of a held message that does not exist.
    NoSuchHeldAttachment,
    /// After `decision` was applied to `n` held messages.
    Moderated { n: usize, decision: &'a Decision },
    /// A message that was decided already: `decision` is the stored word (`distributed`,
    /// `rejected`, `discarded`, `withdrawn`, `expired`; the pages' catalogue has each).
    DecidedAlready {
        id: i64,
        decision: &'a str,
        by: Option<&'a str>,
        /// When, in seconds since the epoch (written in the reader's language).
        at: i64,
    },
    /// A message id that is not held for the list.
    NotHeld { id: i64 },
    /// A SOAP document part that does not exist.
    NoSuchDocument,
    /// `subscribe` by a member.
    MemberAlready,
    /// After a subscription, with the list's address.
    NowMember { list: &'a str },
    /// After an unsubscription, with the list's address.
    NoLongerMember { list: &'a str },
    /// After a member saved their options.
    OptionsSaved,
    /// After an owner saved a member's options.
    OptionsOfSaved { email: &'a str },
    /// After revoking an API token.
    TokenRevoked,
    /// After making an API token.
    TokenMade,
}

/// The sentence a [`WebText`] names, in `lang`.
pub fn web(text: &WebText<'_>, lang: &Language) -> String {
    match *text {
        WebText::ActionTooLarge { action, max } => lang.t(
            "The action “{action}” takes at most {max} bytes.",
            &[("action", &action), ("max", &lang.number(i64::try_from(max).unwrap_or(i64::MAX)))],
        ),
        WebText::ActionTooManyFields { action, max } => lang.t(
            "The action “{action}” takes at most {max} fields.",
            &[("action", &action), ("max", &lang.number(i64::try_from(max).unwrap_or(i64::MAX)))],
        ),
        WebText::MethodNotAccepted { action, method } => lang.t(
            "The action “{action}” does not accept {method} requests.",
            &[("action", &action), ("method", &method)],
        ),
        WebText::ListNotNamed => lang.gettext("Which list? The address names none.").into(),
        WebText::NoSuchFile => lang.gettext("No such file.").into(),
        WebText::OutsideService => lang
            .gettext("This address is not part of the mailing list service.")
            .into(),
        WebText::UnknownAction { name } => lang.t("Unknown action “{name}”.", &[("name", &name)]),
        WebText::LoggedInAlready => lang.gettext("You are logged in already.").into(),
        WebText::LoggedIn => lang.gettext("You are logged in.").into(),
        WebText::LoggedOut => lang.gettext("You are logged out.").into(),
        WebText::LoggedInChoosePassword => lang
            .gettext("You are logged in. Choose your password.")
            .into(),
        WebText::PasswordSaved => lang.gettext("Your password is saved. You were logged out everywhere else, and the links mailed before no longer work.").into(),
        WebText::PreferencesSaved => lang.gettext("Your preferences are saved.").into(),
        WebText::NoSuchArchivePage => lang.gettext("No such message or page in this archive.").into(),
        WebText::FeedNotPublic => lang
            .gettext("This list's archive is not public, so it has no feed.")
            .into(),
        WebText::NoSuchFeed => lang.gettext("No such feed.").into(),
        WebText::MessageNotNamed => lang.gettext("Which message? The address names none.").into(),
        WebText::MessageHidden => lang
            .gettext("The message is hidden: only the list's owners see it.")
            .into(),
        WebText::MessageShown => lang.gettext("The message is shown again.").into(),
        WebText::MessageDeleted => lang.gettext("The message is deleted.").into(),
        WebText::NoSubject => lang.gettext("(no subject)").into(),
        WebText::NestedTooDeep => lang
            .gettext("A forwarded message nested too deep is not shown.")
            .into(),
        WebText::NoScoreToReset => lang
            .gettext("No bounce score to reset: delivery was not suspended.")
            .into(),
        WebText::ScoresReset { addresses } => lang.t(
            "Bounce score reset, delivery resumes: {addresses}.",
            &[("addresses", &addresses)],
        ),
        WebText::NoBounceKept => lang.gettext("No bounce is kept for this address.").into(),
        WebText::ChooseRequest => lang.gettext("Choose at least one request.").into(),
        WebText::RequestsAccepted { addresses } => {
            lang.t("Accepted: {addresses}.", &[("addresses", &addresses)])
        }
        WebText::RequestsDeclined { addresses } => {
            lang.t("Declined: {addresses}.", &[("addresses", &addresses)])
        }
        WebText::NoWaitingRequest { addresses } => lang.t(
            "No waiting request (decided already?): {addresses}.",
            &[("addresses", &addresses)],
        ),
        WebText::ModerationNoticesSaved => lang.gettext("Your choice of notices is saved.").into(),
        WebText::ChooseDecisionMany => lang.gettext("Choose what to do with the messages.").into(),
        WebText::CheckOneMessage => lang.gettext("Check at least one message first.").into(),
        WebText::NoSuchHeldMessage => lang
            .gettext("No such message waits for moderation on this list.")
            .into(),
        WebText::ChooseDecisionOne => lang.gettext("Choose what to do with the message.").into(),
        WebText::NoSuchHeldAttachment => lang.gettext("No such attachment of a held message.").into(),
        WebText::Moderated { n, decision } => {
            let count = n as u64;
            let args: &[(&str, &dyn std::fmt::Display)] = &[("n", &n)];
            match decision {
                Decision::Distribute => lang.tn("{n} message distributed.", "{n} messages distributed.", count, args),
                Decision::DistributeAndAllow => lang.tn("{n} message distributed, its sender always allowed from now on.", "{n} messages distributed, their senders always allowed from now on.", count, args),
                Decision::Reject { .. } => lang.tn("{n} message rejected.", "{n} messages rejected.", count, args),
                Decision::RejectAndBan { .. } => lang.tn("{n} message rejected, its sender banned.", "{n} messages rejected, their senders banned.", count, args),
                Decision::Discard => lang.tn("{n} message discarded.", "{n} messages discarded.", count, args),
            }
        }
        WebText::DecidedAlready { id, decision, by: Some(by), at } => lang.t(
            "Message {id} was {decision} already by {by}, {at}: nothing changed.",
            &[("id", &id), ("decision", &lang.gettext(decision)), ("by", &by), ("at", &lang.at(at))],
        ),
        WebText::DecidedAlready { id, decision, by: None, at } => lang.t(
            "Message {id} was {decision} already, {at}: nothing changed.",
            &[("id", &id), ("decision", &lang.gettext(decision)), ("at", &lang.at(at))],
        ),
        WebText::NotHeld { id } => lang.t("Message {id} is not held for this list.", &[("id", &id)]),
        WebText::NoSuchDocument => lang.gettext("No such document.").into(),
        WebText::MemberAlready => lang.gettext("You are a member of this list already.").into(),
        WebText::NowMember { list } => lang.t("You are now a member of {list}.", &[("list", &list)]),
        WebText::NoLongerMember { list } => {
            lang.t("You are no longer a member of {list}.", &[("list", &list)])
        }
        WebText::OptionsSaved => lang.gettext("Your options are saved.").into(),
        WebText::OptionsOfSaved { email } => {
            lang.t("The options of {email} are saved.", &[("email", &email)])
        }
        WebText::TokenRevoked => lang.gettext("The token is revoked: it no longer works.").into(),
        WebText::TokenMade => lang
            .gettext("Your token is made. Copy it now: it is shown only this once.")
            .into(),
    }
}

#[cfg(test)]
mod web_tests {
    use super::*;

    #[test]
    fn moderated_counts_one_message_in_the_singular_and_others_in_the_plural() {
        assert_eq!(say(1, &Decision::Discard), "1 message discarded.");
        assert_eq!(say(0, &Decision::Discard), "0 messages discarded.");
        assert_eq!(say(2, &Decision::Distribute), "2 messages distributed.");
        assert_eq!(
            say(1, &Decision::DistributeAndAllow),
            "1 message distributed, its sender always allowed from now on."
        );
        let ban = Decision::RejectAndBan { reason: None };
        assert_eq!(say(3, &ban), "3 messages rejected, their senders banned.");
        assert_eq!(
            say(1, &Decision::Reject { reason: None }),
            "1 message rejected."
        );
    }

    fn say(n: usize, decision: &Decision) -> String {
        web(&WebText::Moderated { n, decision }, english())
    }

    #[test]
    fn a_decision_taken_already_names_who_took_it_when_known() {
        let at = 1_795_910_400 + 10 * 3600; // 2026-11-29 10:00 UTC
        assert_eq!(
            web(
                &WebText::DecidedAlready {
                    id: 7,
                    decision: "rejected",
                    by: Some("mod@example.org"),
                    at,
                },
                english()
            ),
            "Message 7 was rejected already by mod@example.org, November 29, 2026, 10:00 UTC: nothing changed."
        );
        assert_eq!(
            web(
                &WebText::DecidedAlready {
                    id: 7,
                    decision: "expired",
                    by: None,
                    at,
                },
                english()
            ),
            "Message 7 was expired already, November 29, 2026, 10:00 UTC: nothing changed."
        );
        // The time in the requester's language.
        let catalogues = crate::i18n::Catalogues::builtin();
        let french = web(
            &WebText::DecidedAlready {
                id: 7,
                decision: "expired",
                by: None,
                at,
            },
            catalogues.get("fr").unwrap(),
        );
        assert!(
            french.ends_with(", 29 novembre 2026 à 10:00 UTC : rien n'a changé."),
            "{french}"
        );
    }
}
