//! The one catalogue of what people are told: every sentence a refusal or a decision becomes, in English for now.
//!
//! Operations and the domain return codes ([`Refusal`], [`Reason`], [`PasswordProblem`]),
//! never sentences; the doors that speak to people (the web, the shell) ask here. When
//! languages come, this is where a `.po` catalogue is looked up, and nothing upstream changes.

use crate::domain::user::{PasswordProblem, MAX_PASSWORD_LEN, MIN_PASSWORD_CHARS};
use crate::domain::ListTemplate;
use crate::domain::Reason;
use crate::operations::membership::{MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE};
use crate::operations::{Existing, Field, Refusal};

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
    }
}

/// What the owners' tools (texts, members, help) say besides refusals.
pub mod tools {
    /// A text name that is none of the editable texts (`editfile/LIST/NAME`).
    pub const NO_SUCH_TEXT: &str = "There is no text of this name.";
    /// `savefile` without a text named.
    pub const WHICH_TEXT: &str = "Which text? The form names none.";
    /// `editsubscriber` without an address.
    pub const WHICH_MEMBER: &str = "Which member? The address names none.";
    /// A help topic that is none of ours nor Sympa's.
    pub const NO_SUCH_HELP: &str = "There is no help page of this name.";

    /// After `savefile`: saved, or (an empty text) back to the default.
    pub fn text_saved(name: &str, reset: bool) -> String {
        if reset {
            format!("The text {name} is back to its default.")
        } else {
            format!("The text {name} is saved.")
        }
    }

    /// `editsubscriber` for an address that is not a member.
    pub fn not_a_member(email: &str, list: &str) -> String {
        format!("{email} is not a member of {list}.")
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
