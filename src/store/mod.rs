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
//! Each database is a module under `store/`, the only place that names its driver, with its
//! own migration files: `sqlite/` (rusqlite, `sqlite/sql/`) and `postgres/` (the `postgres`
//! crate, `postgres/sql/`, the same versions). [`Target`] says which one a configuration
//! names; `copy.rs` moves a whole site from one to the other (`wwsympa db copy`).
//!
//! # Dispatch
//!
//! [`Store`] and [`Db`] wrap an enum of the backends' own types (`sqlite::Store` or
//! `postgres::Store`, `sqlite::Db` or `postgres::Db`). Every query of [`Db`] is declared
//! once, with its contract, in `db.rs`, and forwarded by a macro whose body is a `match`:
//! each backend provides methods of the same names and signatures on its own types, and the
//! compiler checks that none is missing. Callers stay free of type parameters. We chose this
//! over a trait object
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
//!   counts included), and by `site_version_archive_*` (`020_archive_version.sql`) by any
//!   change to an archived message, read by [`Db::site_version`] for the anonymous page
//!   cache.
//!
//! Keeping them in the store's Rust code instead would put the count on every path that
//! adds or removes members, cascades included, and a missed path would show wrong numbers
//! and stale pages. `sqlite::TRIGGERS` and `postgres::TRIGGERS` name each trigger and its
//! migration file (the same names on both; PostgreSQL's run once per statement), and a test
//! on each database checks that list against it.
//!
//! # Schema version
//!
//! The schema version is a row of the `schema_version` table, which any database can hold;
//! each backend's runner applies its missing migrations in order and refuses a database newer
//! than the build ([`Error::SchemaTooNew`]).

mod archiving;
mod copy;
mod db;
mod error;
mod postgres;
mod records;
mod shared;
mod sqlite;
mod target;

#[cfg(test)]
mod archive_tests;
#[cfg(test)]
mod bounce_tests;
#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod intake_tests;
#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod moderation_tests;
#[cfg(test)]
mod post_tests;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod text_tests;
#[cfg(test)]
mod token_tests;

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::domain::{List, ListId, ListName, ListStatus, ListSummary};

pub use copy::{CopyProgress, CopyReport};
pub use error::Error;
pub use records::{
    AdminEntry, ApiTokenRecord, ArchiveScope, ArchiveSearch, Archived, ArchivedRef,
    ArchivedSummary, AuditEntry, AuditLine, AuditQuery, AuditRecord, BounceDue, BounceRecord,
    BouncingMember, ClaimedMail, ClaimedRcpt, DeliveryCounts, DeliveryRcpt, DeliveryRecord,
    DigestState, DueDigest, HeldDecision, HeldHistory, HeldRecord, KeyedHeld, ListActivity,
    MemberQuery, MemberSort, MessageKey, NewArchived, NewBounce, NewHeld, NewList, NewMail,
    NewMember, NewPending, NewUser, OutboxCounts, PendingRecord, RcptOutcome, RcptState,
    SessionRecord, StoredMessage, TextRecord, ThreadNode, ThreadSummary, TicketRecord, UserRecord,
    BOUNCE_KEPT_BYTES,
};
pub use target::Target;

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
    inner: DbInner<'c>,
}

/// The backend's queries behind a [`Db`].
#[derive(Clone, Copy)]
enum DbInner<'c> {
    Sqlite(sqlite::Db<'c>),
    Postgres(postgres::Db<'c>),
}

/// One database connection.
pub struct Store {
    inner: StoreInner,
}

/// The backend's connection behind a [`Store`].
enum StoreInner {
    Sqlite(sqlite::Store),
    Postgres(Box<postgres::Store>),
}

impl Store {
    /// Connects to `target`: opens (creating if needed) an SQLite file in WAL mode with a
    /// busy timeout, or connects to a PostgreSQL server.
    pub fn connect(target: &Target) -> Result<Store, Error> {
        let inner = match &target.kind {
            target::Kind::Sqlite(path) => StoreInner::Sqlite(sqlite::Store::open(path)?),
            target::Kind::Postgres(target) => {
                StoreInner::Postgres(Box::new(postgres::Store::connect(target)?))
            }
        };
        Ok(Store { inner })
    }

    /// Opens (creating if needed) the SQLite database at `path`, in WAL mode with a busy timeout.
    pub fn open(path: &Path) -> Result<Store, Error> {
        sqlite::Store::open(path).map(|inner| Store {
            inner: StoreInner::Sqlite(inner),
        })
    }

    /// A private in-memory SQLite database, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        sqlite::Store::open_in_memory().map(|inner| Store {
            inner: StoreInner::Sqlite(inner),
        })
    }

    /// Returns true if and only if the connection is gone for good (a PostgreSQL server
    /// restarted, the network dropped): it must be dropped, and a new one opened.
    pub fn is_broken(&self) -> bool {
        match &self.inner {
            StoreInner::Sqlite(_) => false,
            StoreInner::Postgres(store) => store.is_broken(),
        }
    }

    /// The queries, each committing by itself.
    pub fn db(&self) -> Db<'_> {
        Db {
            inner: match &self.inner {
                StoreInner::Sqlite(store) => DbInner::Sqlite(store.db()),
                StoreInner::Postgres(store) => DbInner::Postgres(store.db()),
            },
        }
    }

    /// Runs the reads of `work` together: on SQLite in one read transaction, so the answers
    /// agree with each other and the read lock is taken once rather than once per statement;
    /// on PostgreSQL as they come (a transaction would cost two round trips per page; see
    /// `postgres::Store::snapshot`). For reads only: a write inside could fail as busy. The
    /// snapshot ends however `work` ends, a panic included, so a pooled connection is never
    /// handed on inside a transaction.
    pub fn snapshot<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.inner {
            StoreInner::Sqlite(store) => store.snapshot(|db| {
                work(&Db {
                    inner: DbInner::Sqlite(db),
                })
            }),
            StoreInner::Postgres(store) => store.snapshot(|db| {
                work(&Db {
                    inner: DbInner::Postgres(db),
                })
            }),
        }
    }

    /// Runs `work` in one write transaction (concurrent writers queue, on SQLite's write lock
    /// or PostgreSQL's advisory lock, instead of failing): committed when it returns `Ok`,
    /// rolled back otherwise.
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        work: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        match &mut self.inner {
            StoreInner::Sqlite(store) => store.transaction(|db| {
                work(&Db {
                    inner: DbInner::Sqlite(db),
                })
            }),
            StoreInner::Postgres(store) => store.transaction(|db| {
                work(&Db {
                    inner: DbInner::Postgres(db),
                })
            }),
        }
    }

    /// Brings the schema up to date; returns how many migrations ran.
    pub fn migrate(&mut self) -> Result<u32, Error> {
        match &mut self.inner {
            StoreInner::Sqlite(store) => store.migrate(),
            StoreInner::Postgres(store) => store.migrate(),
        }
    }

    /// Returns true if and only if the schema is at the version this build expects.
    pub fn is_current(&self) -> Result<bool, Error> {
        match &self.inner {
            StoreInner::Sqlite(store) => store.is_current(),
            StoreInner::Postgres(store) => store.is_current(),
        }
    }

    /// Returns true if and only if a transaction is open, for tests of `snapshot`.
    #[cfg(test)]
    fn in_transaction(&self) -> bool {
        match &self.inner {
            StoreInner::Sqlite(store) => store.in_transaction(),
            StoreInner::Postgres(store) => store.in_transaction(),
        }
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

/// Connections for worker threads: one per thread at a time, opened lazily, kept for reuse
/// (at most `keep` idle), a broken one dropped and replaced on the next use.
///
/// A cheap handle: clones share the same connections ([`Pooled::detach`] keeps one for a
/// streamed response, past the request).
#[derive(Clone)]
pub struct Pool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    target: Target,
    keep: usize,
    idle: Mutex<Vec<Store>>,
}

impl Pool {
    /// A pool over `target` (connected on first use) keeping at most `keep` idle connections:
    /// the number of threads that use it at once.
    pub fn new(target: Target, keep: usize) -> Pool {
        Pool {
            inner: Arc::new(PoolInner {
                target,
                keep: keep.max(1),
                idle: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Where the pool connects.
    pub fn target(&self) -> &Target {
        &self.inner.target
    }

    /// Puts an open connection in the pool (so the first request does not open another, or
    /// after use), unless it is broken or the pool keeps enough.
    pub fn give(&self, store: Store) {
        if store.is_broken() {
            return;
        }
        let mut idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < self.inner.keep {
            idle.push(store);
        }
    }

    /// A connection, reused when a sound one is idle, else a new one.
    pub fn get(&self) -> Result<Pooled<'_>, Error> {
        Ok(Pooled {
            pool: self,
            store: Some(self.take()?),
        })
    }

    /// A sound idle connection, or a new one.
    fn take(&self) -> Result<Store, Error> {
        let idle = loop {
            let next = self
                .inner
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop();
            match next {
                Some(store) if store.is_broken() => continue,
                other => break other,
            }
        };
        match idle {
            Some(store) => Ok(store),
            None => Store::connect(&self.inner.target),
        }
    }
}

/// A connection borrowed from a [`Pool`], returned when dropped.
pub struct Pooled<'a> {
    pool: &'a Pool,
    store: Option<Store>,
}

impl Pooled<'_> {
    /// Another connection from the same pool that lives on its own (it holds a handle to
    /// the pool): for work that outlasts the request, as a streamed response reading the
    /// database while it is sent. It goes back to the pool when dropped.
    pub fn detach(&self) -> Result<Detached, Error> {
        Ok(Detached {
            pool: self.pool.clone(),
            store: Some(self.pool.take()?),
        })
    }
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
            self.pool.give(store);
        }
    }
}

/// A pooled connection that owns its handle to the pool ([`Pooled::detach`]), returned
/// when dropped.
pub struct Detached {
    pool: Pool,
    store: Option<Store>,
}

impl std::ops::Deref for Detached {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("present until drop")
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            self.pool.give(store);
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
