//! The store: every record wwsympa keeps, behind a seam with one module per database; the only module that writes SQL.
//!
//! # The seam
//!
//! The rest of the crate sees only this module's backend-neutral part:
//!
//! - [`Store`] (one connection), [`Pool`] and [`Pooled`] (connections for worker threads),
//!   and [`Db`], the typed queries, over a plain connection or inside a transaction;
//! - the records they take and give back (`records.rs`: [`NewList`], [`NewMember`],
//!   [`PendingRecord`], [`SessionRecord`], [`NewMail`], [`ClaimedMail`], [`MemberQuery`], …);
//! - [`Error`], whose variants carry text, never a driver's type.
//!
//! Each database is a module under `store/`: today `sqlite/` (rusqlite, the only place that
//! names it, with its own migration files in `sqlite/sql/`). A PostgreSQL store is a second
//! module beside it, `postgres/`, with its own migration files.
//!
//! # Dispatch
//!
//! [`Store`] and [`Db`] are thin wrappers around the backend's own types (`sqlite::Store`,
//! `sqlite::Db`). Every query of [`Db`] is declared once, with its contract, in `db.rs`,
//! and forwarded to the backend by a macro. With one backend this costs nothing (the calls
//! inline) and keeps callers free of type parameters. When PostgreSQL arrives, the wrappers'
//! fields become enums (`Sqlite(..)`, `Postgres(..)`) and the macro's body a `match`; the
//! PostgreSQL module provides methods of the same names and signatures on its own types,
//! and the compiler checks that none is missing. We chose this over a trait object
//! because several queries take closures or iterators (`for_each_member`,
//! `add_members_bulk`, `snapshot`), which a `dyn` trait cannot have as generics, and over a
//! generic `Store<B>` because that parameter would spread through `operations` and `web`.
//! Nothing outside `store/` changes when a backend is added.
//!
//! # What the database keeps by itself
//!
//! Two derived values are kept by triggers, in the same transaction as the write that moves
//! them, whatever that write is (a member added, a bulk import, a list deleted with its
//! members by `ON DELETE CASCADE`, a hand edit in `sqlite3`):
//!
//! - `lists.member_count`, by `members_count_insert` and `members_count_delete`
//!   (`sqlite/sql/003_review.sql`), read by [`Db::member_count`] and [`Db::count_members`];
//! - `site_version.version`, by `site_version_list_insert`, `_update` and `_delete`
//!   (`sqlite/sql/004_site_version.sql`), bumped by any change to a `lists` row (member
//!   counts included), read by [`Db::site_version`] for the anonymous page cache.
//!
//! Keeping them in the store's Rust code instead would put the count on every path that
//! adds or removes members, cascades included, and a missed path would show wrong numbers
//! and stale pages. `sqlite::TRIGGERS` names each trigger and its migration file, and a test
//! checks that list against the database; a PostgreSQL store creates triggers of the same
//! names in its own migration files.
//!
//! # Schema version
//!
//! The schema version is a row of the `schema_version` table, which any database can hold;
//! each backend's runner applies its missing migrations in order and refuses a database newer
//! than the build ([`Error::SchemaTooNew`]).

mod db;
mod error;
mod records;
mod sqlite;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::domain::{List, ListId, ListName, ListStatus, ListSummary};

pub use error::Error;
pub use records::{
    AuditEntry, AuditLine, ClaimedMail, MemberQuery, MemberSort, NewList, NewMail, NewMember,
    NewPending, NewUser, OutboxCounts, PendingRecord, SessionRecord, TicketRecord, UserRecord,
};

/// Seconds since the Unix epoch, as stored in every `*_at` column.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Every typed query, over a plain connection or inside a transaction; the queries are
/// declared in `db.rs`.
///
/// Get one with [`Store::db`] (each statement commits by itself) or inside
/// [`Store::transaction`] (all or nothing).
pub struct Db<'c> {
    inner: sqlite::Db<'c>,
}

/// One database connection.
pub struct Store {
    inner: sqlite::Store,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout.
    pub fn open(path: &Path) -> Result<Store, Error> {
        sqlite::Store::open(path).map(|inner| Store { inner })
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        sqlite::Store::open_in_memory().map(|inner| Store { inner })
    }

    /// The queries, each committing by itself.
    pub fn db(&self) -> Db<'_> {
        Db {
            inner: self.inner.db(),
        }
    }

    /// Runs the reads of `work` on one snapshot, so the answers agree with each other (and
    /// SQLite takes its read lock once rather than once per statement). For reads only: a
    /// write inside could fail as busy. The snapshot ends however `work` ends, a panic
    /// included, so a pooled connection is never handed on inside a transaction.
    pub fn snapshot<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.inner.snapshot(|inner| work(&Db { inner }))
    }

    /// Runs `work` in one write transaction (concurrent writers queue on the busy timeout
    /// instead of failing): committed when it returns `Ok`, rolled back otherwise.
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        work: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.inner.transaction(|inner| work(&Db { inner }))
    }

    /// Brings the schema up to date; returns how many migrations ran.
    pub fn migrate(&mut self) -> Result<u32, Error> {
        self.inner.migrate()
    }

    /// Returns true if and only if the schema is at the version this build expects.
    pub fn is_current(&self) -> Result<bool, Error> {
        self.inner.is_current()
    }

    /// Returns true if and only if a transaction is open, for tests of `snapshot`.
    #[cfg(test)]
    fn in_transaction(&self) -> bool {
        self.inner.in_transaction()
    }

    /// The id of `domain`, created if it is new.
    pub fn ensure_domain(&self, domain: &str) -> Result<i64, Error> {
        self.db().ensure_domain(domain)
    }

    /// Creates a list in `domain`; refuses a name that exists.
    pub fn create_list(&mut self, domain: &str, list: &NewList) -> Result<(), Error> {
        self.db().create_list(domain, list).map(|_| ())
    }

    /// Sets a list's status (closing keeps its members and history).
    pub fn set_list_status(&self, list: ListId, status: ListStatus) -> Result<(), Error> {
        self.db().set_list_status(list, status)
    }

    /// One list by its id, whatever its status.
    pub fn list_by_id(&self, list: ListId) -> Result<Option<List>, Error> {
        self.db().list_by_id(list)
    }

    /// Every list of `domain` whatever its status, by name (`wwsympa list ls --all`).
    pub fn all_lists(&self, domain: &str) -> Result<Vec<List>, Error> {
        self.db().all_lists(domain)
    }

    /// The open lists of `domain`, by name.
    pub fn lists(&self, domain: &str) -> Result<Vec<ListSummary>, Error> {
        self.db().lists(domain)
    }

    /// One open list of `domain`, if it exists.
    pub fn list(&self, domain: &str, name: &ListName) -> Result<Option<ListSummary>, Error> {
        self.db().list(domain, name)
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
        assert!(!store.is_current().unwrap());
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
        assert!(!store.in_transaction());
        let failed: Result<(), Error> = store.snapshot(|_| Err(Error::AlreadyExists("x".into())));
        assert!(failed.is_err());
        assert!(!store.in_transaction());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.snapshot(|_| -> Result<(), Error> { panic!("a handler bug") })
        }));
        assert!(panicked.is_err());
        assert!(!store.in_transaction(), "a panic left the transaction open");
        assert!(store
            .snapshot(|db| db.list_by_name("a.org", &name))
            .unwrap()
            .is_some());
    }
}
