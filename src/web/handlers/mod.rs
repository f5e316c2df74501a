//! Handlers, grouped by what the user sees; each is a plain `fn(&mut Ctx[, &List]) -> Result<Outcome, Error>` named after its action, returning its page's view struct.

pub mod account;
pub mod admin;
pub mod archive;
pub mod bounces;
pub mod home;
pub mod language;
pub mod listadmin;
pub mod members;
pub mod moderation;
pub mod soap;
pub mod subscription;
pub mod tokens;
pub mod tools;

use crate::messages;
use crate::operations::{Field, Refusal};
use crate::web::ctx::{Ctx, Level};
use crate::web::error::refusal_status;
use crate::web::outcome::{FieldError, Outcome, View};
use crate::web::Error;

/// A form shown again after a refusal, with the action's template: the typed values kept in
/// `view`, the error next to its field (or above the form when it concerns no field).
pub(crate) fn refused_form(
    ctx: &mut Ctx<'_>,
    refusal: &Refusal,
    view: impl View + 'static,
) -> Result<Outcome, Error> {
    let text = messages::refusal(refusal, &ctx.language);
    ctx.ensure_csrf_token()?;
    let page = Outcome::page_with_status(refusal_status(refusal), view);
    Ok(match refusal.field() {
        Some(field) => page.with_error(FieldError {
            field: form_field(field),
            text,
        }),
        None => {
            ctx.notice(Level::Error, text);
            page
        }
    })
}

/// The name of the form field that asks for `field` (Sympa's names).
pub(crate) fn form_field(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::Password => "passwd",
        Field::NewPassword => "newpasswd1",
        Field::Name => "gecos",
        Field::Language => "lang",
        Field::Reception => "reception",
        Field::Visibility => "visibility",
        Field::Filter => "filter",
        Field::Note => "note",
        Field::Decision => "do",
        Field::Selection => "id",
        Field::DigestInterval => "digest_minutes",
        Field::MaxSize => "max_size",
        Field::HoldDays => "hold_days",
        Field::SubjectTag => "subject_tag",
        Field::BouncePolicy => "bounce_policy",
        Field::DigestSchedule => "digest",
        Field::TokenName => "name",
        Field::Scope => "scope",
        Field::Expiry => "expires_days",
        Field::Function => "function",
        Field::Template => "template",
        Field::CustomAttribute => "custom",
        Field::Subject => "subject",
        Field::Description => "info",
        Field::Topics => "topics",
        Field::Profile => "profile",
        Field::Info => "info",
        Field::Text => "content",
        Field::ListName => "listname",
        Field::RemoteAddr => "remote_addr",
    }
}

/// A date (seconds since the epoch, UTC) as `YYYY-MM-DD`.
pub(crate) fn date(epoch: i64) -> String {
    day(epoch).as_str().to_string()
}

/// A date as [`date`] writes it, without a string of its own for the years 0 to 9999:
/// a members page shows one per member.
pub(crate) enum Day {
    /// `YYYY-MM-DD`, ASCII.
    Short([u8; 10]),
    /// Any other year, as `format!` writes it.
    Long(String),
}

impl Day {
    /// The date as text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Day::Short(text) => std::str::from_utf8(text).unwrap_or("0000-00-00"),
            Day::Long(text) => text,
        }
    }
}

/// The date of `epoch` (seconds since the epoch, UTC).
pub(crate) fn day(epoch: i64) -> Day {
    let (year, month, day) = crate::domain::calendar::civil_from_days(epoch.div_euclid(86_400));
    let (month, day) = (i64::from(month), i64::from(day));
    if !(0..=9999).contains(&year) {
        return Day::Long(format!("{year:04}-{month:02}-{day:02}"));
    }
    // Written digit by digit: `format!` with padding cost more than the rest of a member's row.
    let digit = |n: i64| b'0' + (n % 10) as u8;
    Day::Short([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(-86_400), "1969-12-31");
        assert_eq!(date(253_402_214_400), "9999-12-31");
        assert_eq!(date(253_402_300_800), "10000-01-01");
        assert_eq!(date(-62_167_219_200), "0000-01-01");
    }
}
