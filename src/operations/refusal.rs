//! Refusals: the expected "no" of an operation, with a stable code and the field it concerns, and no sentence.
//!
//! Every door turns a refusal into its own words: the web a sentence from
//! [`crate::messages`] next to the form field its [`Field`] names, the SOAP door a fault,
//! the JSON door an error body with [`Refusal::code`]. The codes are part of the API: they
//! are never renamed, only added to.

use crate::domain::custom::CustomProblem;
use crate::domain::user::PasswordProblem;
use crate::domain::{Email, ListName, NameProblem, Reason};

/// What a refusal concerns, whatever the door calls it (the web's form fields, SOAP's
/// parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// An e-mail address.
    Email,
    /// The password of a login.
    Password,
    /// A new password.
    NewPassword,
    /// A display name (Sympa's gecos).
    Name,
    /// The language.
    Language,
    /// A reception mode.
    Reception,
    /// A member's visibility.
    Visibility,
    /// A search filter.
    Filter,
    /// A list's largest post (`max_size`).
    MaxSize,
    /// The days held posts wait for a moderator.
    HoldDays,
    /// A list's subject tag.
    SubjectTag,
    /// A list's bounce policy (threshold, days, warnings).
    BouncePolicy,
    /// A list's digest schedule or size.
    DigestSchedule,
    /// A moderator's reason for a sender (free text).
    Note,
    /// What a moderator decides (distribute, reject, ...).
    Decision,
    /// The held posts a moderator selected.
    Selection,
    /// How often a moderator gets a digest of held posts.
    DigestInterval,
    /// The name of an API token.
    TokenName,
    /// An API token's scope (`read` or `write`).
    Scope,
    /// When an API token expires.
    Expiry,
    /// The role asked about (`amI`'s function: `subscriber`, `editor` or `owner`).
    Function,
    /// The template a list is created from ([`crate::domain::ListTemplate`]).
    Template,
    /// A member's custom attribute: its key (1 to
    /// [`crate::operations::membership::MAX_CUSTOM_KEY`] characters of `A-Za-z0-9_.-`) or
    /// its value (at most [`crate::operations::membership::MAX_CUSTOM_VALUE`] characters).
    CustomAttribute,
    /// A list's subject.
    Subject,
    /// A list's description.
    Description,
    /// A list's topics.
    Topics,
    /// An owner's profile (`normal` or `privileged`).
    Profile,
    /// A private note about an owner or moderator (Sympa's admin `info`).
    Info,
    /// A text an owner or listmaster writes (`editfile`: a list's description, welcome
    /// mail, footer, ...).
    Text,
    /// The name of a new or renamed list.
    ListName,
    /// A client address filter (`viewlogs`): an IP address, or the beginning of one.
    RemoteAddr,
}

/// What already exists when something was to be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// An account for this address.
    Account(Email),
    /// A list of this name in the domain.
    List(ListName),
    /// An owner (or a moderator) with this address on the list.
    Admin(Email),
}

/// An expected "no": nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The list's policy or the requester's role says no.
    Denied(Reason),
    /// Not an e-mail address that can be mailed.
    InvalidAddress,
    /// Login failed; the same whether the account exists or not.
    BadCredentials,
    /// A rate limit was reached.
    TooManyAttempts,
    /// Many clients are trying this address: one try goes through every few seconds.
    TryAgainSoon {
        /// How long to wait, at most.
        seconds: u32,
    },
    /// The new password is not acceptable.
    Password(PasswordProblem),
    /// A mailed link (ticket, confirmation key) is unknown, expired or used.
    InvalidLink,
    /// A field is too long.
    TooLong {
        /// The field.
        field: Field,
        /// The limit, in characters.
        max: usize,
    },
    /// A one-line text holds a line break, a control character or an invisible or
    /// reordering one ([`crate::domain::text::hidden_char`]).
    HiddenCharacters {
        /// The field.
        field: Field,
    },
    /// A value is not one of those offered.
    InvalidValue {
        /// The field.
        field: Field,
    },
    /// What is to be created exists already.
    AlreadyExists(Existing),
    /// The address is a member of the list already (a double subscription).
    AlreadyMember,
    /// The address is not a member of the list.
    NotAMember,
    /// A value is larger than the limit, in bytes.
    TooBig {
        /// The field.
        field: Field,
        /// The limit, in bytes.
        max_bytes: usize,
    },
    /// Done too recently to be done again yet (a list's reminder).
    TooSoon {
        /// How long until it may be done again, in seconds.
        seconds: u64,
    },
    /// A name refused for a new or renamed list (its syntax, a reserved suffix, a site
    /// address); a name another list has is [`Refusal::AlreadyExists`].
    ListName(NameProblem),
    /// Only a closed list can be purged.
    NotClosed,
    /// Too many values at once.
    TooMany {
        /// The field.
        field: Field,
        /// The limit.
        max: usize,
    },
    /// The last owner of a list cannot be removed: someone must answer for it.
    LastOwner,
    /// The last privileged owner of a list cannot be removed or made a normal owner, except
    /// by a listmaster: nobody could manage the owners any more.
    LastPrivilegedOwner,
    /// Some list parameters of a settings form are refused (each with its problem, by
    /// Sympa's parameter name); nothing was changed.
    InvalidSettings(Vec<(&'static str, SettingProblem)>),
    /// A value typed for one of the list's custom attributes at subscription is refused.
    CustomValue {
        /// The attribute's id (the form field is `custom_<id>`).
        id: String,
        /// What is wrong.
        problem: CustomProblem,
    },
}

/// What is wrong with one list parameter of a settings form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingProblem {
    /// The requester may not change it (Sympa's `edit_list.conf`: read-only or hidden).
    NotAllowed,
    /// It must not be empty.
    Required,
    /// Longer than `max` characters.
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A line break, a control character or an invisible one where none is accepted.
    HiddenCharacters,
    /// Not one of the values offered.
    NotAChoice,
    /// Not a whole number from `min` to `max`.
    OutOfRange {
        /// The smallest accepted.
        min: u64,
        /// The largest accepted.
        max: u64,
    },
    /// Not a number of points from `min` to `max` (thousandths of a point).
    Points {
        /// The smallest accepted.
        min: u32,
        /// The largest accepted.
        max: u32,
    },
    /// More than `max` values.
    TooMany {
        /// The limit.
        max: usize,
    },
    /// Not a digest schedule (`DAYS HH:MM` or `none`).
    Schedule,
    /// The custom attribute definitions are wrong ([`CustomProblem`]).
    Custom(CustomProblem),
}

impl Refusal {
    /// The stable code: what programs match on (`unknown_list`, `not_allowed`, …).
    pub fn code(&self) -> &'static str {
        match self {
            // An invisible list is refused exactly as an unknown one.
            Refusal::Denied(Reason::NotVisible) => "unknown_list",
            Refusal::Denied(Reason::LoginRequired) => "login_required",
            Refusal::Denied(Reason::NotPermitted) => "not_allowed",
            Refusal::Denied(Reason::NotMember) => "members_only",
            Refusal::Denied(Reason::Closed) => "closed_by_policy",
            Refusal::InvalidAddress => "bad_address",
            Refusal::BadCredentials => "bad_credentials",
            Refusal::TooManyAttempts => "rate_limited",
            Refusal::TryAgainSoon { .. } => "try_again_soon",
            Refusal::Password(PasswordProblem::TooShort) => "password_too_short",
            Refusal::Password(PasswordProblem::TooLong) => "password_too_long",
            Refusal::Password(PasswordProblem::Mismatch) => "passwords_differ",
            Refusal::InvalidLink => "invalid_link",
            Refusal::TooLong { .. } => "too_long",
            Refusal::HiddenCharacters { .. } => "hidden_characters",
            Refusal::InvalidValue { .. } => "invalid_value",
            Refusal::AlreadyExists(_) => "already_exists",
            Refusal::AlreadyMember => "already_member",
            Refusal::NotAMember => "not_member",
            Refusal::TooMany { .. } => "too_many",
            Refusal::LastOwner => "last_owner",
            Refusal::LastPrivilegedOwner => "last_privileged_owner",
            Refusal::InvalidSettings(_) => "invalid_settings",
            Refusal::CustomValue {
                problem: CustomProblem::Required,
                ..
            } => "custom_attribute_required",
            Refusal::CustomValue {
                problem: CustomProblem::TooLong,
                ..
            } => "custom_attribute_too_long",
            Refusal::CustomValue {
                problem: CustomProblem::Unknown,
                ..
            } => "unknown_custom_attribute",
            Refusal::CustomValue { .. } => "invalid_custom_attribute",
            Refusal::TooBig { .. } => "too_big",
            Refusal::TooSoon { .. } => "too_soon",
            Refusal::ListName(NameProblem::Syntax) => "invalid_list_name",
            Refusal::ListName(_) => "reserved_list_name",
            Refusal::NotClosed => "list_not_closed",
        }
    }

    /// The field the refusal is about, to show it next to that field.
    pub fn field(&self) -> Option<Field> {
        match self {
            Refusal::InvalidAddress => Some(Field::Email),
            Refusal::ListName(_) | Refusal::AlreadyExists(Existing::List(_)) => {
                Some(Field::ListName)
            }
            Refusal::BadCredentials => Some(Field::Password),
            Refusal::Password(_) => Some(Field::NewPassword),
            Refusal::TooLong { field, .. }
            | Refusal::InvalidValue { field }
            | Refusal::HiddenCharacters { field }
            | Refusal::TooMany { field, .. }
            | Refusal::TooBig { field, .. } => Some(*field),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_snake_case() {
        let email = Email::parse("a@example.org").unwrap();
        let all = [
            Refusal::Denied(Reason::NotVisible),
            Refusal::Denied(Reason::LoginRequired),
            Refusal::Denied(Reason::NotPermitted),
            Refusal::Denied(Reason::NotMember),
            Refusal::Denied(Reason::Closed),
            Refusal::InvalidAddress,
            Refusal::BadCredentials,
            Refusal::TooManyAttempts,
            Refusal::TryAgainSoon { seconds: 2 },
            Refusal::Password(PasswordProblem::TooShort),
            Refusal::Password(PasswordProblem::TooLong),
            Refusal::Password(PasswordProblem::Mismatch),
            Refusal::InvalidLink,
            Refusal::TooLong {
                field: Field::Name,
                max: 1,
            },
            Refusal::HiddenCharacters { field: Field::Name },
            Refusal::InvalidValue {
                field: Field::Language,
            },
            Refusal::AlreadyExists(Existing::Account(email)),
            Refusal::AlreadyMember,
            Refusal::NotAMember,
            Refusal::TooMany {
                field: Field::Email,
                max: 1,
            },
            Refusal::InvalidValue {
                field: Field::Function,
            },
            Refusal::InvalidValue {
                field: Field::Template,
            },
            Refusal::TooMany {
                field: Field::CustomAttribute,
                max: 50,
            },
            Refusal::TooLong {
                field: Field::Subject,
                max: 1,
            },
            Refusal::HiddenCharacters {
                field: Field::Description,
            },
            Refusal::ListName(NameProblem::Syntax),
            Refusal::ListName(NameProblem::ReservedSuffix("-owner")),
            Refusal::AlreadyExists(Existing::List(ListName::parse("x").unwrap())),
        ];
        // Each refusal about a field names it; the others name none.
        let fields: Vec<Option<Field>> = all.iter().map(Refusal::field).collect();
        assert_eq!(
            fields,
            [
                None,
                None,
                None,
                None,
                None,
                Some(Field::Email),
                Some(Field::Password),
                None,
                None,
                Some(Field::NewPassword),
                Some(Field::NewPassword),
                Some(Field::NewPassword),
                None,
                Some(Field::Name),
                Some(Field::Name),
                Some(Field::Language),
                None,
                None,
                None,
                Some(Field::Email),
                Some(Field::Function),
                Some(Field::Template),
                Some(Field::CustomAttribute),
                Some(Field::Subject),
                Some(Field::Description),
                Some(Field::ListName),
                Some(Field::ListName),
                Some(Field::ListName),
            ]
        );
        // The first twenty are one of each kind, with distinct codes; the last ones reuse
        // codes, told apart by their field.
        let distinct = &all[..20];
        let codes: std::collections::BTreeSet<&str> = distinct.iter().map(Refusal::code).collect();
        assert_eq!(codes.len(), distinct.len());
        for code in all.iter().map(Refusal::code) {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
        }
    }

    #[test]
    fn size_and_pace_refusals_have_their_own_codes() {
        let big = Refusal::TooBig {
            field: Field::Text,
            max_bytes: 65_536,
        };
        let soon = Refusal::TooSoon { seconds: 60 };
        assert_eq!(big.code(), "too_big");
        assert_eq!(big.field(), Some(Field::Text));
        assert_eq!(soon.code(), "too_soon");
        assert_eq!(soon.field(), None);
    }
}
