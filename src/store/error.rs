//! store::Error: which query failed, wrapping rusqlite's error, and the expected refusals.

/// A storage failure or refusal.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query failed; `context` says which.
    #[error("database: {context}: {source}")]
    Sql {
        /// What we were doing.
        context: String,
        /// The driver's error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer wwsympa.
    #[error("database schema version {found} is newer than this wwsympa knows ({known}); upgrade wwsympa")]
    SchemaTooNew { found: u32, known: u32 },
    /// The row to create exists already.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The row to change does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
}

impl Error {
    /// Wraps a driver error with what we were doing.
    pub(crate) fn sql(context: impl Into<String>, source: rusqlite::Error) -> Error {
        Error::Sql {
            context: context.into(),
            source,
        }
    }
}
