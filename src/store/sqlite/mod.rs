//! The SQLite store through rusqlite: opening, pragmas, transactions, migrations, typed queries; the only module that names rusqlite.
//!
//! Its types ([`Store`], [`Db`]) are wrapped by `store::Store` and `store::Db`, which the
//! rest of the crate uses; every method `store::Db` forwards to is defined on [`Db`] here, in
//! the query files. Driver errors become `store::Error` through [`Context`] and [`error`].
//!
//! The SQL is portable where it can be (`INSERT … ON CONFLICT`, `RETURNING`, the schema
//! version in a table), so that a PostgreSQL module can take most statements over with its
//! placeholders (`$1` for `?1`) changed. What stays SQLite's own: the migration files in
//! `sql/` (`INTEGER PRIMARY KEY` row ids, `WITHOUT ROWID`, the trigger syntax), `INDEXED BY`
//! and `instr` in `roster.rs`, the blob literal `x''` in `mail.rs`, `sqlite_master` in
//! `migrations.rs`, the pragmas and the locking (`BEGIN IMMEDIATE`) below.

mod accounts;
mod admin;
mod archive;
mod bounces;
mod deliveries;
mod digests;
mod intake;
mod lifecycle;
mod lists;
mod mail;
mod members;
mod migrations;
mod moderation;
mod posts;
mod roster;
mod rows;
mod security;
mod texts;
mod tokens;

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode};

use crate::store::Error;

/// The values the database keeps by itself: `(trigger, migration file that creates it)`.
///
/// - `lists.member_count` (read by `Db::member_count` and `Db::count_members`);
/// - `site_version.version`, bumped by any change to a `lists` row, member counts included
///   (read by `Db::site_version`).
///
/// The test `the_named_triggers_are_the_databases` checks this list against both the
/// migration files and a migrated database.
#[cfg(test)]
pub(crate) const TRIGGERS: &[(&str, &str)] = &[
    ("members_count_insert", "003_review"),
    ("members_count_delete", "003_review"),
    ("site_version_list_insert", "004_site_version"),
    ("site_version_list_update", "004_site_version"),
    ("site_version_list_delete", "004_site_version"),
    ("site_version_archive_insert", "020_archive_version"),
    ("site_version_archive_update", "020_archive_version"),
    ("site_version_archive_delete", "020_archive_version"),
];

/// Turns a driver error into a `store::Error`, saying what we were doing.
pub(crate) fn error(context: impl Into<String>, e: rusqlite::Error) -> Error {
    let context = context.into();
    let message = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Error::Busy { context, message }
        }
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::PermissionDenied
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::ReadOnly,
        ) => Error::Unavailable { context, message },
        _ => Error::Sql { context, message },
    }
}

/// Returns true if and only if `e` is a constraint violation: the row exists already.
pub(crate) fn is_constraint_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

/// Adds what we were doing to a driver error.
pub(crate) trait Context<T> {
    /// Wraps the error with `what`.
    fn context(self, what: &str) -> Result<T, Error>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn context(self, what: &str) -> Result<T, Error> {
        self.map_err(|e| error(what, e))
    }
}

/// The typed queries over one connection, inside a transaction or not; the methods are in
/// the query files.
#[derive(Clone, Copy)]
pub(crate) struct Db<'c> {
    conn: &'c Connection,
    /// Inside a write transaction, the full-text index rows added so far, written just before
    /// it commits (see [`Store::transaction`]); `None` outside one (written at once).
    index_queue: Option<&'c IndexQueue>,
}

/// Index rows waiting for the end of their transaction: message id and words.
type IndexQueue = RefCell<Vec<(i64, crate::store::archiving::IndexWords)>>;

/// How many prepared statements a connection keeps: more than the store has texts.
const STATEMENT_CACHE: usize = 512;

impl Db<'_> {
    /// Runs `sql` with `params`; its statement is prepared once per connection.
    fn execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    /// The one row of `sql` with `params`, mapped by `f`; prepared once per connection.
    fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Ends the transaction open on a connection however the work inside ends, a panic
/// included, so that a pooled connection is never handed on inside a transaction.
struct Open<'c>(&'c Connection);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            if let Err(e) = run(self.0, "ROLLBACK") {
                log::warn!("ending a transaction: {e}");
            }
        }
    }
}

/// Runs a statement without parameters from the connection's cache: `BEGIN` and `COMMIT`
/// through `Connection::transaction` would be parsed again for every transaction.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql).and_then(|mut s| s.execute([]))
}

/// One SQLite connection.
pub(crate) struct Store {
    conn: Connection,
    index_queue: IndexQueue,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout.
    pub(crate) fn open(path: &Path) -> Result<Store, Error> {
        let conn =
            Connection::open(path).map_err(|e| error(format!("opening {}", path.display()), e))?;
        Store::configure(conn)
    }

    /// A private in-memory database, for tests.
    pub(crate) fn open_in_memory() -> Result<Store, Error> {
        Store::configure(Connection::open_in_memory().map_err(|e| error("opening :memory:", e))?)
    }

    fn configure(conn: Connection) -> Result<Store, Error> {
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| error("setting the busy timeout", e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;",
        )
        .map_err(|e| error("setting pragmas", e))?;
        // Every statement of the store stays prepared on its connection (about 200 texts;
        // rusqlite keeps 16 by default, so a mail's intake, which runs some 40, re-parsed most
        // of them: a quarter of its CPU went to `sqlite3_prepare_v2`).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Store {
            conn,
            index_queue: RefCell::default(),
        })
    }

    /// The queries, each committing by itself.
    pub(crate) fn db(&self) -> Db<'_> {
        Db {
            conn: &self.conn,
            index_queue: None,
        }
    }

    /// Runs the reads of `work` in a deferred transaction, so SQLite takes its read lock
    /// once rather than once per statement. A write inside would have to upgrade the lock
    /// and could fail as busy.
    pub(crate) fn snapshot<T, E: From<Error>>(
        &self,
        work: impl FnOnce(Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        run(&self.conn, "BEGIN").context("starting a read transaction")?;
        let open = Open(&self.conn);
        let value = work(self.db())?;
        run(open.0, "COMMIT").context("ending a read transaction")?;
        Ok(value)
    }

    /// Runs `work` in one write transaction (`BEGIN IMMEDIATE`, so concurrent writers queue
    /// on the busy timeout instead of failing): committed when it returns `Ok`, rolled back
    /// otherwise.
    ///
    /// The full-text index rows it adds are written last, just before `COMMIT`: FTS5 keeps
    /// them in memory until the transaction ends, but any later statement that needs a
    /// statement journal (a trigger, `RETURNING`) makes it write them out as a new segment
    /// first. Interleaved, an import of 3,000 messages spent most of its time writing and
    /// merging segments of one message each (250 µs against 30 per message, measured).
    pub(crate) fn transaction<T, E: From<Error>>(
        &mut self,
        work: impl FnOnce(Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.index_queue.borrow_mut().clear();
        run(&self.conn, "BEGIN IMMEDIATE").context("starting a transaction")?;
        let open = Open(&self.conn);
        let db = Db {
            conn: open.0,
            index_queue: Some(&self.index_queue),
        };
        let value = work(db)?;
        db.write_index_queue()?;
        run(open.0, "COMMIT").context("committing")?;
        Ok(value)
    }

    /// Brings the schema up to date; returns how many migrations ran.
    pub(crate) fn migrate(&mut self) -> Result<u32, Error> {
        migrations::migrate(&mut self.conn)
    }

    /// Returns true if and only if the schema is at the version this build expects.
    pub(crate) fn is_current(&self) -> Result<bool, Error> {
        Ok(migrations::version(&self.conn)? == migrations::latest())
    }

    /// Returns true if and only if a transaction is open.
    #[cfg(test)]
    pub(crate) fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_triggers_are_the_databases() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let mut statement = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .unwrap();
        let found: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut named: Vec<&str> = TRIGGERS.iter().map(|(name, _)| *name).collect();
        named.sort_unstable();
        assert_eq!(found, named, "a trigger is missing from TRIGGERS, or gone");
        for (trigger, file) in TRIGGERS {
            assert!(
                migrations::sql_of(file).contains(&format!("CREATE TRIGGER {trigger} ")),
                "{file}.sql does not create {trigger}"
            );
        }
    }

    /// `wwsympa db copy` moves a site between databases: a table or column added by a
    /// migration and not named in `copy::TABLES` would be silently left behind (but the
    /// schema's version and the page cache's counter, which each database keeps for itself).
    #[test]
    fn every_table_and_column_is_copied() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let tables: Vec<String> = store
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
                 AND name NOT LIKE 'archive_index%' AND name NOT LIKE 'sqlite_%'
                 AND name NOT IN ('schema_version', 'site_version') ORDER BY name",
            )
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut copied: Vec<&str> = crate::store::copy::TABLES.iter().map(|t| t.name).collect();
        copied.sort_unstable();
        assert_eq!(
            tables, copied,
            "a table is missing from store::copy::TABLES, or gone"
        );
        for table in crate::store::copy::TABLES {
            let mut columns: Vec<String> = store
                .conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{}')",
                    table.name
                ))
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            // Kept by triggers from the members copied (see store/copy.rs).
            columns.retain(|c| !(table.name == "lists" && c == "member_count"));
            columns.sort_unstable();
            let mut named: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
            named.sort_unstable();
            assert_eq!(
                columns, named,
                "the columns of {} in copy::TABLES",
                table.name
            );
        }
    }

    #[test]
    fn busy_and_unreachable_databases_are_told_apart() {
        use rusqlite::TransactionBehavior;
        let dir = std::env::temp_dir().join(format!("wwsympa-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("busy.db");
        let mut first = Store::open(&path).unwrap();
        first.migrate().unwrap();
        let second = Store::open(&path).unwrap();
        second.conn.busy_timeout(Duration::ZERO).unwrap();
        let held = first
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate);
        let held = held.unwrap();
        let busy = second.db().ensure_domain("a.org").unwrap_err();
        assert!(matches!(busy, Error::Busy { .. }), "{busy:?}");
        drop(held);
        let missing = Store::open(&dir.join("no/such/dir/x.db")).err().unwrap();
        assert!(matches!(missing, Error::Unavailable { .. }), "{missing:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
