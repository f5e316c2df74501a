//! What the store's tests share: running one body on both backends, and making a list.

use super::*;
use crate::domain::{ListId, ListName, Visibility};
use crate::store::postgres::testdb::TestDb;

/// Runs `body` on a fresh SQLite store and, when a test server is given, on a fresh
/// PostgreSQL one; asserts that both return the same transcript, and returns SQLite's.
pub(crate) fn on_both<T: PartialEq + std::fmt::Debug>(body: impl Fn(&mut Store) -> T) -> T {
    let mut sqlite = Store::open_in_memory().unwrap();
    sqlite.migrate().unwrap();
    let answer = body(&mut sqlite);
    if let Some(test) = TestDb::new() {
        let mut second = Store {
            inner: StoreInner::Postgres(Box::new(test.store())),
        };
        let other = body(&mut second);
        assert_eq!(answer, other, "PostgreSQL answers otherwise than SQLite");
    }
    answer
}

pub(crate) fn list(store: &mut Store, name: &str) -> ListId {
    store
        .db()
        .create_list(
            "a.org",
            &NewList {
                name: ListName::parse(name).unwrap(),
                subject: String::new(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .unwrap()
}
