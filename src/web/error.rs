//! web::Error, and the one function that turns an error into a status and a message.

use crate::domain::Reason;
use crate::i18n::Language;
use crate::messages;
use crate::operations::{self, Refusal};
use crate::{render, store};

/// Why a request could not be answered normally. The sentences carried are in the
/// requester's language (built through `messages`), shown as they are.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such list, page or thing: 404.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong: 400.
    #[error("{0}")]
    BadRequest(String),
    /// A body or form larger than the action takes: 413.
    #[error("{0}")]
    TooLarge(String),
    /// Not allowed, or a form without a valid CSRF token: 403.
    #[error("{0}")]
    Forbidden(String),
    /// The action does not answer this method: 405 with the methods it takes.
    #[error("{message}")]
    MethodNotAllowed {
        /// What the visitor is told.
        message: String,
        /// The `Allow` header.
        allow: &'static str,
    },
    /// The visitor must log in first: a 303 to this login URL, which comes back here after.
    #[error("login required")]
    LoginRequired(String),
    /// The list was renamed: a 301 to this URL, the same page under its new name.
    #[error("moved")]
    Moved(String),
    /// The database failed: 500, logged.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// A template failed: 500, logged.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// An operation refused (a page with its sentence) or failed (500, logged).
    #[error(transparent)]
    Operation(#[from] operations::Error),
}

impl Error {
    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) => 404,
            Error::BadRequest(_) => 400,
            Error::TooLarge(_) => 413,
            Error::Forbidden(_) => 403,
            Error::MethodNotAllowed { .. } => 405,
            Error::LoginRequired(_) => 303,
            Error::Moved(_) => 301,
            Error::Operation(operations::Error::Refused(refusal)) => refusal_status(refusal),
            Error::Store(e) | Error::Operation(operations::Error::Store(e)) if unavailable(e) => {
                503
            }
            Error::Store(_) | Error::Render(_) | Error::Operation(_) => 500,
        }
    }

    /// What the visitor is told: the message for expected errors, a generic line for failures.
    /// (`lang`: the page's language. The sentences the web door carries are already in the
    /// visitor's language: whoever builds one says it through `messages` with the
    /// requester's language, which is the page's.)
    pub fn public_message(&self, lang: &Language) -> String {
        match self {
            Error::NotFound(m)
            | Error::BadRequest(m)
            | Error::TooLarge(m)
            | Error::Forbidden(m) => m.clone(),
            Error::MethodNotAllowed { message, .. } => message.clone(),
            Error::LoginRequired(_) => messages::reason(Reason::LoginRequired, lang).into(),
            Error::Moved(_) => lang.gettext("Moved.").into(),
            Error::Operation(operations::Error::Refused(refusal)) => {
                messages::refusal(refusal, lang)
            }
            Error::Store(e) | Error::Operation(operations::Error::Store(e)) if unavailable(e) => {
                messages::unavailable(lang).into()
            }
            Error::Store(_) | Error::Render(_) | Error::Operation(_) => {
                messages::server_error(lang).into()
            }
        }
    }
}

/// Returns true if and only if the database is busy or out of reach: a 503 (try again),
/// never a page that would show an empty list.
fn unavailable(error: &store::Error) -> bool {
    matches!(
        error,
        store::Error::Busy { .. } | store::Error::Unavailable { .. }
    )
}

/// The HTTP status that goes with a refusal.
pub fn refusal_status(refusal: &Refusal) -> u16 {
    match refusal {
        Refusal::Denied(Reason::NotVisible) => 404,
        Refusal::Denied(_) => 403,
        Refusal::TooManyAttempts | Refusal::TryAgainSoon { .. } | Refusal::TooSoon { .. } => 429,
        _ => 422,
    }
}
