//! store::Error: which query failed and how, in words any database can give, and the expected refusals.
//!
//! No driver type appears here: each backend (`store/sqlite/`) turns its own errors into
//! these variants, keeping the driver's message as text.

/// A storage failure or refusal.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query failed; `context` says which.
    #[error("database: {context}: {message}")]
    Sql {
        /// What we were doing.
        context: String,
        /// The driver's message.
        message: String,
    },
    /// Other writers held the database for longer than the busy timeout: the same request
    /// may succeed a moment later.
    #[error("database: {context}: {message}")]
    Busy {
        /// What we were doing.
        context: String,
        /// The driver's message.
        message: String,
    },
    /// The database cannot be reached, read or written at all just now (cannot be opened,
    /// permission denied, I/O error, disk full, read-only): nothing this request can fix.
    #[error("database: {context}: {message}")]
    Unavailable {
        /// What we were doing.
        context: String,
        /// The driver's message.
        message: String,
    },
    /// The connection settings make no sense (a bad `db_options`, a missing password file).
    #[error("database settings: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The database was written by a newer wwsympa.
    #[error("database schema version {found} is newer than this wwsympa knows ({known}); upgrade wwsympa")]
    SchemaTooNew {
        /// The version found in the database.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// The row to create exists already.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The row to change does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
}
