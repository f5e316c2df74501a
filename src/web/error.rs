//! web::Error, and the one function that turns an error into a page.

use crate::{render, store};

/// Why a request could not be answered normally.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such list, page or thing: 404.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong: 400.
    #[error("{0}")]
    BadRequest(String),
    /// The database failed: 500, logged.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// A template failed: 500, logged.
    #[error(transparent)]
    Render(#[from] render::Error),
}

impl Error {
    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) => 404,
            Error::BadRequest(_) => 400,
            Error::Store(_) | Error::Render(_) => 500,
        }
    }

    /// What the visitor is told: the message for expected errors, a generic line for failures.
    pub fn public_message(&self) -> String {
        match self {
            Error::NotFound(m) | Error::BadRequest(m) => m.clone(),
            Error::Store(_) | Error::Render(_) => {
                "The server could not answer this request. The error has been logged; please try again later.".into()
            }
        }
    }
}
