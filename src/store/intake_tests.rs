//! Tests of the mail door's queries, each body run on SQLite and, when `WWSYMPA_TEST_POSTGRES` names a server, on PostgreSQL.

use super::*;
use crate::domain::{ListName, ListStatus, Visibility};
use crate::store::postgres::testdb::TestDb;

/// Runs `body` on a fresh SQLite store and, when a test server is given, on a fresh
/// PostgreSQL one; asserts that both return the same transcript.
fn on_both<T: PartialEq + std::fmt::Debug>(body: impl Fn(&mut Store) -> T) -> T {
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

#[test]
fn a_domain_takes_list_mail_while_it_has_an_open_list() {
    let transcript = on_both(|store| {
        let db = store.db();
        let mut seen = vec![db.is_list_domain("a.org").unwrap()];
        db.ensure_domain("a.org").unwrap();
        seen.push(db.is_list_domain("a.org").unwrap());
        let id = db
            .create_list(
                "a.org",
                &NewList {
                    name: ListName::parse("team").unwrap(),
                    subject: String::new(),
                    description: String::new(),
                    topics: vec![],
                    visibility: Visibility::Noconceal,
                },
            )
            .unwrap();
        seen.push(db.is_list_domain("a.org").unwrap());
        seen.push(db.is_list_domain("b.org").unwrap());
        // Case matters: the door lowercases before asking.
        seen.push(db.is_list_domain("A.ORG").unwrap());
        db.set_list_status(id, ListStatus::Closed).unwrap();
        seen.push(db.is_list_domain("a.org").unwrap());
        seen
    });
    assert_eq!(transcript, [false, false, true, false, false, false]);
}
