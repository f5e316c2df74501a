//! Tests of the mail door's queries, each body run on SQLite and, when `WWSYMPA_TEST_POSTGRES` names a server, on PostgreSQL.

use super::test_support::{list, on_both};
use crate::domain::ListStatus;

#[test]
fn a_domain_takes_list_mail_while_it_has_an_open_list() {
    let transcript = on_both(|store| {
        let mut seen = vec![store.db().is_list_domain("a.org").unwrap()];
        store.db().ensure_domain("a.org").unwrap();
        seen.push(store.db().is_list_domain("a.org").unwrap());
        let id = list(store, "team");
        let db = store.db();
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
