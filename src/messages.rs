//! The one catalogue of what people are told: every sentence a refusal or a decision becomes, in English for now.
//!
//! Operations and the domain return codes ([`Refusal`], [`Reason`], [`PasswordProblem`]),
//! never sentences; the doors that speak to people (the web, the shell) ask here. When
//! languages come, this is where a `.po` catalogue is looked up, and nothing upstream changes.

use crate::domain::bounce::points;
use crate::domain::list_names::RESERVED_SUFFIXES;
use crate::domain::user::{PasswordProblem, MAX_PASSWORD_LEN, MIN_PASSWORD_CHARS};
use crate::domain::ListTemplate;
use crate::domain::{ListName, NameProblem, Reason};
use crate::operations::membership::{MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE};
use crate::operations::moderation::Decision;
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
        SettingProblem::Schedule => "Please give the days and time as DAYS HH:MM, days 0 (Sunday) to 6 separated by commas (1,4 06:00), or none for no digest.".into(),
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
        "subscribe" => "Who may subscribe",
        "unsubscribe" => "Who may unsubscribe",
        "review" => "Who sees the members",
        "archive.web_access" => "Who reads the web archives",
        "bounce.threshold" => "Bounce score that stops delivery",
        "bounce.stale_days" => "Days after which a bounce score is forgotten",
        "bounce.warnings" => "Warnings before removal",
        "bounce.warning_days" => "Days between warnings",
        "status" => "Status",
        _ => "Setting",
    }
}

/// The hint under a list parameter on the settings form, if it has one.
pub fn param_hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "topics" => "Separated by commas.",
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

/// A sentence the web door puts on a page: a notice of what was just done (or why nothing
/// was), an error page's message, a word shown in place of a missing one. Handlers name the
/// sentence; its words are here, beside the other sentences people are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebText<'a> {
    /// The database does not answer.
    DatabaseUnavailable,
    /// Any other failure of the server (logged, never shown).
    ServerError,
    /// A request body larger than the action takes.
    ActionTooLarge { action: &'a str, max: u64 },
    /// A form with more fields than the action takes.
    ActionTooManyFields { action: &'a str, max: usize },
    /// A method the action does not accept (`method` as the request named it).
    MethodNotAccepted { action: &'a str, method: &'a str },
    /// A POST whose CSRF token is missing or wrong.
    FormExpired,
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
    /// An archive search that cannot be run, with why.
    SearchCannotRun { why: &'a str },
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
        at: &'a str,
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

/// The sentence a [`WebText`] names.
pub fn web(text: &WebText<'_>) -> String {
    match *text {
        WebText::DatabaseUnavailable => "The lists' database cannot be reached just now, so nothing was read or changed. Please try again in a moment.".into(),
        WebText::ServerError => "The server could not answer this request. The error has been logged; please try again later.".into(),
        WebText::ActionTooLarge { action, max } => format!("The action “{action}” takes at most {max} bytes."),
        WebText::ActionTooManyFields { action, max } => format!("The action “{action}” takes at most {max} fields."),
        WebText::MethodNotAccepted { action, method } => format!("The action “{action}” does not accept {method} requests."),
        WebText::FormExpired => "This form has expired or did not come from this site, so nothing was done. Please reload the page and try again.".into(),
        WebText::ListNotNamed => "Which list? The address names none.".into(),
        WebText::NoSuchFile => "No such file.".into(),
        WebText::OutsideService => "This address is not part of the mailing list service.".into(),
        WebText::UnknownAction { name } => format!("Unknown action “{name}”."),
        WebText::LoggedInAlready => "You are logged in already.".into(),
        WebText::LoggedIn => "You are logged in.".into(),
        WebText::LoggedOut => "You are logged out.".into(),
        WebText::LoggedInChoosePassword => "You are logged in. Choose your password.".into(),
        WebText::PasswordSaved => "Your password is saved. You were logged out everywhere else, and the links mailed before no longer work.".into(),
        WebText::PreferencesSaved => "Your preferences are saved.".into(),
        WebText::NoSuchArchivePage => "No such message or page in this archive.".into(),
        WebText::FeedNotPublic => "This list's archive is not public, so it has no feed.".into(),
        WebText::NoSuchFeed => "No such feed.".into(),
        WebText::SearchCannotRun { why } => format!("This search cannot be run: {why}."),
        WebText::MessageNotNamed => "Which message? The address names none.".into(),
        WebText::MessageHidden => "The message is hidden: only the list's owners see it.".into(),
        WebText::MessageShown => "The message is shown again.".into(),
        WebText::MessageDeleted => "The message is deleted.".into(),
        WebText::NoSubject => "(no subject)".into(),
        WebText::NestedTooDeep => "A forwarded message nested too deep is not shown.".into(),
        WebText::NoScoreToReset => "No bounce score to reset: delivery was not suspended.".into(),
        WebText::ScoresReset { addresses } => format!("Bounce score reset, delivery resumes: {addresses}."),
        WebText::NoBounceKept => "No bounce is kept for this address.".into(),
        WebText::ChooseRequest => "Choose at least one request.".into(),
        WebText::RequestsAccepted { addresses } => format!("Accepted: {addresses}."),
        WebText::RequestsDeclined { addresses } => format!("Declined: {addresses}."),
        WebText::NoWaitingRequest { addresses } => format!("No waiting request (decided already?): {addresses}."),
        WebText::ModerationNoticesSaved => "Your choice of notices is saved.".into(),
        WebText::ChooseDecisionMany => "Choose what to do with the messages.".into(),
        WebText::CheckOneMessage => "Check at least one message first.".into(),
        WebText::NoSuchHeldMessage => "No such message waits for moderation on this list.".into(),
        WebText::ChooseDecisionOne => "Choose what to do with the message.".into(),
        WebText::NoSuchHeldAttachment => "No such attachment of a held message.".into(),
        WebText::Moderated { n, decision } => match (decision, n == 1) {
            (Decision::Distribute, true) => format!("{n} message distributed."),
            (Decision::Distribute, false) => format!("{n} messages distributed."),
            (Decision::DistributeAndAllow, true) => {
                format!("{n} message distributed, its sender always allowed from now on.")
            }
            (Decision::DistributeAndAllow, false) => {
                format!("{n} messages distributed, their senders always allowed from now on.")
            }
            (Decision::Reject { .. }, true) => format!("{n} message rejected."),
            (Decision::Reject { .. }, false) => format!("{n} messages rejected."),
            (Decision::RejectAndBan { .. }, true) => format!("{n} message rejected, its sender banned."),
            (Decision::RejectAndBan { .. }, false) => format!("{n} messages rejected, their senders banned."),
            (Decision::Discard, true) => format!("{n} message discarded."),
            (Decision::Discard, false) => format!("{n} messages discarded."),
        },
        WebText::DecidedAlready { id, decision, by: Some(by), at } => {
            format!("Message {id} was {decision} already by {by}, {at}: nothing changed.")
        }
        WebText::DecidedAlready { id, decision, by: None, at } => {
            format!("Message {id} was {decision} already, {at}: nothing changed.")
        }
        WebText::NotHeld { id } => format!("Message {id} is not held for this list."),
        WebText::NoSuchDocument => "No such document.".into(),
        WebText::MemberAlready => "You are a member of this list already.".into(),
        WebText::NowMember { list } => format!("You are now a member of {list}."),
        WebText::NoLongerMember { list } => format!("You are no longer a member of {list}."),
        WebText::OptionsSaved => "Your options are saved.".into(),
        WebText::OptionsOfSaved { email } => format!("The options of {email} are saved."),
        WebText::TokenRevoked => "The token is revoked: it no longer works.".into(),
        WebText::TokenMade => "Your token is made. Copy it now: it is shown only this once.".into(),
    }
}

#[cfg(test)]
mod tests {
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
        web(&WebText::Moderated { n, decision })
    }

    #[test]
    fn a_decision_taken_already_names_who_took_it_when_known() {
        let at = "2026-11-29 10:00 UTC";
        assert_eq!(
            web(&WebText::DecidedAlready {
                id: 7,
                decision: "rejected",
                by: Some("mod@example.org"),
                at,
            }),
            "Message 7 was rejected already by mod@example.org, 2026-11-29 10:00 UTC: nothing changed."
        );
        assert_eq!(
            web(&WebText::DecidedAlready {
                id: 7,
                decision: "expired",
                by: None,
                at,
            }),
            "Message 7 was expired already, 2026-11-29 10:00 UTC: nothing changed."
        );
    }
}
