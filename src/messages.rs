//! The one catalogue of what people are told: every sentence a refusal or a decision becomes, in English for now.
//!
//! Operations and the domain return codes ([`Refusal`], [`Reason`], [`PasswordProblem`]),
//! never sentences; the doors that speak to people (the web, the shell) ask here. When
//! languages come, this is where a `.po` catalogue is looked up, and nothing upstream changes.

use crate::domain::bounce::points;
use crate::domain::custom::{self, CustomProblem};
use crate::domain::list_names::RESERVED_SUFFIXES;
use crate::domain::user::{PasswordProblem, MAX_PASSWORD_LEN, MIN_PASSWORD_CHARS};
use crate::domain::ListTemplate;
use crate::domain::{ListName, NameProblem, Reason};
use crate::operations::membership::{MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE};
use crate::operations::{Existing, Field, Refusal, SettingProblem};

/// What a requester is told when a decision says no.
pub fn reason(reason: Reason) -> &'static str {
    match reason {
        Reason::NotVisible => "No such list.",
        Reason::LoginRequired => "Please log in first.",
        Reason::NotPermitted => "You are not allowed to do this on this list.",
        Reason::NotMember => "Only members of this list may do this.",
        Reason::Closed => "This list does not allow this.",
    }
}

/// What is shown next to a new password that is not acceptable.
pub fn password(problem: PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort => {
            format!("Choose a password of at least {MIN_PASSWORD_CHARS} characters.")
        }
        PasswordProblem::TooLong => {
            format!("A password may have at most {MAX_PASSWORD_LEN} bytes.")
        }
        PasswordProblem::Mismatch => "The two passwords differ.".into(),
    }
}

/// What is shown next to a list parameter of the settings form that is refused.
pub fn setting_problem(problem: SettingProblem) -> String {
    match problem {
        SettingProblem::NotAllowed => {
            "You may not change this setting: it is left as it was.".into()
        }
        SettingProblem::Required => "Please fill this in.".into(),
        SettingProblem::TooLong { max } => format!("At most {max} characters, please."),
        SettingProblem::HiddenCharacters => {
            "Please use visible characters only: line breaks, control characters and invisible or direction-changing characters are not accepted here.".into()
        }
        SettingProblem::NotAChoice => "Please choose one of the values offered.".into(),
        SettingProblem::OutOfRange { min, max } => {
            format!("Please give a whole number from {min} to {max}.")
        }
        SettingProblem::Points { min, max } => format!(
            "Please give a number of points from {} to {} (a decimal point is allowed).",
            points(min),
            points(max)
        ),
        SettingProblem::TooMany { max } => format!("At most {max} values, please."),
        SettingProblem::Custom(problem) => custom_problem(problem),
        SettingProblem::Schedule => "Please give the days and time as DAYS HH:MM, days 0 (Sunday) to 6 separated by commas (1,4 06:00), or none for no digest.".into(),
    }
}

/// What is wrong with custom attribute definitions, or with a value typed for one.
pub fn custom_problem(problem: CustomProblem) -> String {
    match problem {
        CustomProblem::Line(n) => format!(
            "Line {n}: write id | name | type | optional or required, then | and the values separated by commas for an enum (an id has letters, digits, dots, dashes or underscores; the types are string, text, integer and enum)."
        ),
        CustomProblem::TooMany => format!("A list asks at most {} custom attributes.", custom::MAX_ATTRIBUTES),
        CustomProblem::Duplicate(n) => format!("Line {n}: this id is used by another attribute already."),
        CustomProblem::Required => "Please fill this in.".into(),
        CustomProblem::NotInteger => "Please give a whole number.".into(),
        CustomProblem::NotOffered => "Please choose one of the values offered.".into(),
        CustomProblem::BadText => format!(
            "At most {} characters, with no control or invisible character.",
            custom::MAX_VALUE
        ),
    }
}

/// The sentence a refusal becomes.
pub fn refusal(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Denied(why) => reason(*why).to_string(),
        Refusal::InvalidAddress => "This is not a valid e-mail address.".into(),
        Refusal::BadCredentials => "Wrong e-mail address or password.".into(),
        Refusal::TooManyAttempts => {
            "Too many attempts. Please wait a while before trying again.".into()
        }
        Refusal::TryAgainSoon { seconds } => format!(
            "Many login attempts were made for this address lately, so it is checked at most once every {seconds} seconds. Please wait a few seconds and try again, or log in with a link by mail (“Forgot your password?”)."
        ),
        Refusal::Password(problem) => password(*problem),
        Refusal::InvalidLink => {
            "This link is not valid: it may have expired or been used already. Ask for a new one.".into()
        }
        Refusal::TooLong { max, .. } => format!("At most {max} characters, please."),
        Refusal::HiddenCharacters { .. } => {
            "Please use visible characters only: line breaks, control characters and invisible or direction-changing characters are not accepted here.".into()
        }
        Refusal::InvalidValue {
            field: Field::Function,
        } => "Ask about one of these roles: subscriber, editor or owner.".into(),
        Refusal::InvalidValue {
            field: Field::Template,
        } => format!(
            "There is no such list template. The templates are: {}.",
            ListTemplate::ALL
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Refusal::InvalidValue {
            field: Field::CustomAttribute,
        } => format!(
            "A custom attribute's name has 1 to {MAX_CUSTOM_KEY} letters, digits, dots, dashes or underscores, and its value at most {MAX_CUSTOM_VALUE} characters."
        ),
        Refusal::InvalidValue { field: Field::Text } => {
            "Please remove the control characters (such as NUL or escape) from this text: only tabs and line breaks are accepted. Nothing was saved.".into()
        }
        Refusal::InvalidValue { .. } => "Please choose one of the values offered.".into(),
        Refusal::AlreadyExists(Existing::Account(email)) => {
            format!("An account for {email} already exists.")
        }
        Refusal::AlreadyExists(Existing::List(name)) => {
            format!("The list {name} already exists.")
        }
        Refusal::AlreadyExists(Existing::Admin(email)) => {
            format!("{email} has this role on the list already: nothing was changed.")
        }
        Refusal::LastOwner => {
            "A list keeps at least one owner: add another owner before removing this one.".into()
        }
        Refusal::LastPrivilegedOwner => {
            "A list keeps at least one privileged owner: make another owner privileged first, or ask a listmaster.".into()
        }
        Refusal::CustomValue { problem, .. } => custom_problem(*problem),
        Refusal::InvalidSettings(problems) => format!(
            "Nothing was changed: {} setting{} to correct ({}).",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
        ),
        Refusal::AlreadyMember => {
            "This address is a member of the list already: nothing was changed.".into()
        }
        Refusal::NotAMember => {
            "This address is not a member of the list: nothing was changed.".into()
        }
        Refusal::TooMany {
            field: Field::CustomAttribute,
            max,
        } => format!("A member may have at most {max} custom attributes."),
        Refusal::TooMany {
            field: Field::Topics,
            max,
        } => format!("A list has at most {max} topics."),
        Refusal::TooMany { max, .. } => format!("At most {max} at once, please."),
        Refusal::TooBig { max_bytes, .. } => format!(
            "This is too large: at most {} KiB ({max_bytes} bytes), please. Nothing was saved.",
            max_bytes / 1024
        ),
        Refusal::TooSoon { seconds } => format!(
            "This was done less than {} hours ago. It may be done again in about {}.",
            crate::operations::remind::REMIND_INTERVAL / 3600,
            wait(*seconds)
        ),
        Refusal::ListName(problem) => list_name(*problem),
        Refusal::NotClosed => {
            "Only a closed list can be purged: close it first (nothing was deleted).".into()
        }
    }
}

/// A wait, in words: minutes under two hours, else hours.
fn wait(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60).max(1);
    if minutes < 120 {
        format!("{minutes} minutes")
    } else {
        format!("{} hours", minutes.div_ceil(60))
    }
}

/// The label of a list parameter on the settings form (by Sympa's name).
pub fn param_label(name: &str) -> &'static str {
    match name {
        "subject" => "Subject",
        "info" => "Description",
        "topics" => "Topics",
        "visibility" => "Who sees that the list exists",
        "lang" => "Language of the list",
        "send" => "Who may post",
        "max_size" => "Largest post, in bytes",
        "max_attachments" => "Most attachments before a post is held",
        "custom_subject" => "Tag in front of the subject",
        "personalization" => "How posts go out",
        "dmarc_protection" => "DMARC protection",
        "clean_delay_queuemod" => "Days held posts wait for a moderator",
        "digest" => "Digest days and time",
        "digest_max_size" => "Most messages in one digest",
        "default_user_options.reception" => "How new members receive the list",
        "subscribe" => "Who may subscribe",
        "unsubscribe" => "Who may unsubscribe",
        "review" => "Who sees the members",
        "archive.web_access" => "Who reads the web archives",
        "bounce.threshold" => "Bounce score that stops delivery",
        "bounce.stale_days" => "Days after which a bounce score is forgotten",
        "bounce.warnings" => "Warnings before removal",
        "bounce.warning_days" => "Days between warnings",
        "status" => "Status",
        "custom_attribute" => "Questions asked at subscription (custom attributes)",
        _ => "Setting",
    }
}

/// The hint under a list parameter on the settings form, if it has one.
pub fn param_hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "topics" => "Separated by commas.",
        "custom_attribute" => "One per line: id | name | type | optional or required | values. Types: string, text, integer, enum (values separated by commas). Example: size | T-shirt size | enum | optional | S, M, L",
        "lang" => "The language of its pages for visitors who ask for none we have, and of its mail.",
        "max_attachments" => "Leave empty for no limit.",
        "custom_subject" => "Shown between brackets, for example the list's name.",
        "digest" => "Days 0 (Sunday) to 6 separated by commas, then the time in UTC: 1,4 06:00. Write none for no digest.",
        "bounce.threshold" => "A hard bounce counts 1 point, a soft one half a point, at most once a day.",
        "status" => "Closing or opening the list is done from the list's administration page.",
        _ => return None,
    })
}

/// The label of one value of a list parameter with choices.
pub fn param_option(name: &str, value: &str) -> &'static str {
    match (name, value) {
        ("visibility", "noconceal") => "Anyone",
        ("visibility", "intranet") => "Logged-in users",
        ("visibility", "conceal") => "Only its members, moderators and owners",
        ("send", "public") => "Anyone",
        ("send", "privateoreditorkey") => "Members; others are moderated",
        ("send", "private") => "Members only; others are refused",
        ("send", "editorkey") => "Everyone is moderated",
        ("send", "editorkeyonly") => "Everyone is moderated, moderators too",
        ("send", "newsletter") => "Moderators and owners only (newsletter)",
        ("send", "closed") => "Nobody",
        ("subscribe" | "unsubscribe", "open") => "Anyone, at once",
        ("subscribe" | "unsubscribe", "open_notify") => "Anyone, at once, owners told",
        ("subscribe" | "unsubscribe", "auth") => "Anyone, after confirming by mail",
        ("subscribe" | "unsubscribe", "auth_notify") => {
            "Anyone, after confirming by mail, owners told"
        }
        ("subscribe", "auth_owner") => "After confirming by mail, then an owner approves",
        ("subscribe" | "unsubscribe", "owner") => "An owner approves",
        ("subscribe" | "unsubscribe", "owner_notify") => "An owner approves, owners told",
        ("subscribe" | "unsubscribe", "closed") => "Nobody; only owners add and remove",
        ("review" | "archive.web_access", "public") => "Anyone",
        ("review" | "archive.web_access", "private") => "Members, moderators and owners",
        ("review" | "archive.web_access", "owner") => "Owners only",
        ("review" | "archive.web_access", "closed") => "Listmasters only",
        ("personalization", "personalized") => {
            "One copy per member, with their own unsubscribe link and bounce address"
        }
        ("personalization", "bulk") => "One copy for many members",
        ("dmarc_protection", "auto") => "Rewrite the sender when their domain asks for it",
        ("dmarc_protection", "always") => "Always rewrite the sender",
        ("dmarc_protection", "never") => "Never rewrite the sender",
        ("default_user_options.reception", "mail") => "Each message",
        ("default_user_options.reception", "digest") => "A digest of the messages",
        ("default_user_options.reception", "summary") => "A summary of the subjects",
        ("default_user_options.reception", "nomail") => "No mail",
        ("status", "open") => "Open",
        ("status", "closed") => "Closed",
        ("status", "pending") => "Waiting for a listmaster",
        _ => "Other value",
    }
}

/// The choice of a list's language that means "the site's".
pub fn site_language() -> &'static str {
    "The site's language"
}

/// The title of a group of list parameters (Sympa's group names).
pub fn param_group(group: crate::domain::params::Group) -> &'static str {
    use crate::domain::params::Group;
    match group {
        Group::Description => "List definition",
        Group::Sending => "Sending and reception",
        Group::Command => "Privileges",
        Group::Archives => "Archives",
        Group::Bounces => "Bounce management",
        Group::Other => "Miscellaneous",
    }
}

/// The notice after a settings form that changed nothing.
pub fn settings_unchanged() -> &'static str {
    "Nothing was changed."
}

/// The notice after a settings form was saved, naming what changed (their labels).
pub fn settings_saved(labels: &[&str]) -> String {
    format!("Saved: {}.", labels.join(", "))
}

/// The notice after an owner or moderator was added.
pub fn admin_added(email: &str) -> String {
    format!("{email} is added.")
}

/// The notice after an owner's or moderator's details were saved.
pub fn admin_saved(email: &str) -> String {
    format!("The details of {email} are saved.")
}

/// The notice after an owner or moderator was removed.
pub fn admin_removed(email: &str) -> String {
    format!("{email} is removed.")
}

/// What is shown next to a list name that cannot be given to a new or renamed list.
pub fn list_name(problem: NameProblem) -> String {
    match problem {
        NameProblem::Syntax => "A list name has at most 50 letters, digits, dots, dashes, underscores or plus signs, and starts with a letter or a digit.".into(),
        NameProblem::ReservedSuffix(suffix) => format!(
            "A list name may not end with “{suffix}”: the list's own addresses end so ({}).",
            RESERVED_SUFFIXES.join(", ")
        ),
        NameProblem::SiteAddress => {
            "This name is one of the site's own addresses; please choose another.".into()
        }
    }
}

/// The notice after a list was created: open, or waiting for a listmaster.
pub fn list_created(name: &ListName, pending: bool) -> String {
    if pending {
        format!("Your request for the list {name} was sent to the listmasters; you will get a mail when they decide.")
    } else {
        format!("The list {name} is created, and you are its privileged owner.")
    }
}

/// The notice after a list was closed, or a pending one rejected (and purged).
pub fn list_closed(name: &ListName, pending: bool) -> String {
    if pending {
        format!("The pending list {name} was removed, and its owners were told by mail.")
    } else {
        format!("The list {name} is closed. A listmaster can open it again.")
    }
}

/// The notice after a listmaster opened a list: reopened, or installed from pending.
pub fn list_opened(name: &ListName, installed: bool) -> String {
    if installed {
        format!("The list {name} is installed, and its owners were told by mail.")
    } else {
        format!("The list {name} is open again.")
    }
}

/// The notice after a list was copied: the copy is open, or waits for a listmaster.
pub fn list_copied(name: &ListName, pending: bool) -> String {
    if pending {
        format!("The copy {name} was made and waits for a listmaster's approval. Its members and archives were not copied.")
    } else {
        format!("The copy {name} was made, with the configuration and owners; its members and archives were not copied.")
    }
}

/// The notice after a list was renamed.
pub fn list_renamed(old: &ListName, new: &ListName) -> String {
    format!("The list {old} is now called {new}; its members and archives followed it, and links with the old name lead here.")
}
