//! SQLite through rusqlite: opening, migrations, typed queries; the only module that writes SQL.
//!
//! Nothing of rusqlite leaks out: callers see domain types and [`Error`].

mod accounts;
mod error;
mod lists;
mod mail;
mod members;
mod migrations;
mod roster;
mod security;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

pub use accounts::{NewUser, SessionRecord, TicketRecord, UserRecord};
pub use error::Error;
pub use lists::NewList;
pub use mail::{ClaimedMail, NewMail, OutboxCounts};
pub use members::{NewMember, NewPending, PendingRecord};
pub use roster::{MemberQuery, MemberSort};
pub use security::{AuditEntry, AuditLine};

/// Adds what we were doing to a driver error.
pub(crate) trait Context<T> {
    /// Wraps the error with `what`.
    fn context(self, what: &str) -> Result<T, Error>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn context(self, what: &str) -> Result<T, Error> {
        self.map_err(|e| Error::sql(what, e))
    }
}

/// Every typed query, over a plain connection or inside a transaction.
///
/// Get one with [`Store::db`] (each statement commits by itself) or inside
/// [`Store::transaction`] (all or nothing).
pub struct Db<'c> {
    conn: &'c Connection,
}

/// Seconds since the Unix epoch, as stored in every `*_at` column.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// One database connection.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let conn = Connection::open(path)
            .map_err(|e| Error::sql(format!("opening {}", path.display()), e))?;
        Store::configure(conn)
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        Store::configure(
            Connection::open_in_memory().map_err(|e| Error::sql("opening :memory:", e))?,
        )
    }

    fn configure(conn: Connection) -> Result<Store, Error> {
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| Error::sql("setting the busy timeout", e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(|e| Error::sql("setting pragmas", e))?;
        Ok(Store { conn })
    }

    /// The queries, each committing by itself.
    pub fn db(&self) -> Db<'_> {
        Db { conn: &self.conn }
    }

    /// Runs the reads of `work` on one snapshot: a deferred transaction, so the answers agree
    /// with each other and SQLite takes its read lock once rather than once per statement.
    /// For reads only: a write inside would have to upgrade the lock and could fail as busy.
    pub fn snapshot<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        /// Ends the read transaction however `work` ends, a panic included, so the pooled
        /// connection is never handed on inside a transaction.
        struct Open<'c>(&'c Connection);
        impl Drop for Open<'_> {
            fn drop(&mut self) {
                if !self.0.is_autocommit() {
                    if let Err(e) = run(self.0, "ROLLBACK") {
                        log::warn!("ending a read transaction: {e}");
                    }
                }
            }
        }
        // Cached statements: `Connection::transaction` would parse BEGIN and COMMIT each time.
        fn run(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
            conn.prepare_cached(sql).and_then(|mut s| s.execute([]))
        }
        run(&self.conn, "BEGIN").context("starting a read transaction")?;
        let open = Open(&self.conn);
        let value = work(&Db { conn: &self.conn })?;
        run(open.0, "COMMIT").context("ending a read transaction")?;
        Ok(value)
    }

    /// Runs `work` in one write transaction (`BEGIN IMMEDIATE`, so concurrent writers queue
    /// on the busy timeout instead of failing): committed when it returns `Ok`, rolled back
    /// otherwise.
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        work: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting a transaction")?;
        let value = work(&Db { conn: &tx })?;
        tx.commit().context("committing")?;
        Ok(value)
    }

    /// Brings the schema up to date; returns how many migrations ran.
    pub fn migrate(&mut self) -> Result<u32, Error> {
        migrations::migrate(&mut self.conn)
    }

    /// Returns true if and only if the schema is at the version this build expects.
    pub fn is_current(&self) -> Result<bool, Error> {
        let version: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| Error::sql("reading the schema version", e))?;
        Ok(version == migrations::latest())
    }
}

/// Connections for worker threads: one per thread at a time, opened lazily, kept for reuse.
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Pool {
    /// A pool over the database at `path` (opened on first use).
    pub fn new(path: PathBuf) -> Pool {
        Pool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Puts an open connection in the pool, so the first request does not open another.
    pub fn give(&self, store: Store) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(store);
    }

    /// A connection, reused when one is idle.
    pub fn get(&self) -> Result<Pooled<'_>, Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let store = match idle {
            Some(store) => store,
            None => Store::open(&self.path)?,
        };
        Ok(Pooled {
            pool: self,
            store: Some(store),
        })
    }
}

/// A connection borrowed from a [`Pool`], returned when dropped.
pub struct Pooled<'a> {
    pool: &'a Pool,
    store: Option<Store>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("present until drop")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(store);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ListName, Visibility};

    fn new_list(name: &str) -> NewList {
        NewList {
            name: ListName::parse(name).unwrap(),
            subject: format!("About {name}"),
            description: String::new(),
            topics: vec!["art".into()],
            visibility: Visibility::Noconceal,
        }
    }

    #[test]
    fn migrations_run_once() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(store.migrate().unwrap() >= 1);
        assert_eq!(store.migrate().unwrap(), 0);
        assert!(store.is_current().unwrap());
    }

    #[test]
    fn lists_are_keyed_by_domain_and_name() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        store.create_list("a.org", &new_list("news")).unwrap();
        store.create_list("b.org", &new_list("news")).unwrap();
        assert!(matches!(
            store.create_list("a.org", &new_list("NEWS")),
            Err(Error::AlreadyExists(_))
        ));
        let lists = store.lists("a.org").unwrap();
        assert_eq!(lists.len(), 1);
        assert_eq!(lists[0].topics, ["art"]);
        assert!(store
            .list("b.org", &ListName::parse("news").unwrap())
            .unwrap()
            .is_some());
        assert!(store
            .list("c.org", &ListName::parse("news").unwrap())
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_snapshot_always_ends_its_transaction() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        store.create_list("a.org", &new_list("news")).unwrap();
        let name = ListName::parse("news").unwrap();
        let found = store
            .snapshot(|db| db.list_by_name("a.org", &name))
            .unwrap();
        assert!(found.is_some());
        assert!(store.conn.is_autocommit());
        let failed: Result<(), Error> = store.snapshot(|_| Err(Error::AlreadyExists("x".into())));
        assert!(failed.is_err());
        assert!(store.conn.is_autocommit());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.snapshot(|_| -> Result<(), Error> { panic!("a handler bug") })
        }));
        assert!(panicked.is_err());
        assert!(
            store.conn.is_autocommit(),
            "a panic left the transaction open"
        );
        assert!(store
            .snapshot(|db| db.list_by_name("a.org", &name))
            .unwrap()
            .is_some());
    }
}
