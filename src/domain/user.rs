//! Accounts: one per address, with its preferences, and the password rules.

use serde::Serialize;

use super::names::{Email, ListName};
use super::role::Role;

/// Longest password accepted, in bytes; longer ones are refused before hashing.
pub const MAX_PASSWORD_LEN: usize = 1024;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 150;

/// An account as pages and operations see it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The address, which is the login.
    pub email: Email,
    /// The display name (Sympa's gecos).
    pub name: String,
    /// The preferred language tag.
    pub lang: String,
    /// A listmaster of the domain.
    pub listmaster: bool,
    /// Returns true if and only if a password has been chosen.
    pub has_password: bool,
}

/// One of a user's lists, with the roles held there (the `which` page, SOAP's `which`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The list.
    pub list: ListName,
    /// Its subject.
    pub subject: String,
    /// Every role held on it, weakest first.
    pub roles: Vec<Role>,
    /// The bounce data of the subscription (Sympa's `bounceCount`, `firstBounceDate`,
    /// `lastBounceDate`, `bounceCode`, `bounceScore`): `None` when the user is not a member
    /// of the list, or is one with no bounce record.
    pub bounce: Option<MembershipBounce>,
}

/// What a member's bounce record says, as `which` and `complexWhich` report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipBounce {
    /// Bounces received in the record, counted or not.
    pub count: u32,
    /// When the first bounce of the record came, in seconds since the epoch.
    pub first_at: i64,
    /// When the last one came.
    pub last_at: i64,
    /// The status code of the last bounce (`5.1.1`), when it is still kept and had one.
    pub code: Option<String>,
    /// The score, in thousandths of a point ([`crate::domain::bounce`]), when the record has
    /// counted any bounce.
    pub score: Option<u32>,
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    TooShort,
    /// Longer than [`MAX_PASSWORD_LEN`] bytes.
    TooLong,
    /// The two copies differ.
    Mismatch,
}

/// Checks a new password typed twice.
pub fn check_new_password(first: &str, second: &str) -> Result<(), PasswordProblem> {
    if first.len() > MAX_PASSWORD_LEN {
        Err(PasswordProblem::TooLong)
    } else if first.chars().count() < MIN_PASSWORD_CHARS {
        Err(PasswordProblem::TooShort)
    } else if first != second {
        Err(PasswordProblem::Mismatch)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_passwords_are_checked() {
        assert_eq!(check_new_password("correct horse", "correct horse"), Ok(()));
        assert_eq!(
            check_new_password("short", "short"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password("long enough", "long enougH"),
            Err(PasswordProblem::Mismatch)
        );
        let huge = "x".repeat(MAX_PASSWORD_LEN + 1);
        assert_eq!(
            check_new_password(&huge, &huge),
            Err(PasswordProblem::TooLong)
        );
    }
}
