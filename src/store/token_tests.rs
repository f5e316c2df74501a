//! Tests of the API token queries, each body run on SQLite and, when `WWSYMPA_TEST_POSTGRES` names a server, on PostgreSQL.

use super::test_support::on_both;
use crate::domain::Email;

#[test]
fn tokens_are_found_by_hash_listed_touched_and_deleted() {
    let transcript = on_both(|store| {
        let db = store.db();
        let ann = Email::parse("ann@a.org").unwrap();
        let made = db
            .create_api_token("h1", "a.org", &ann, "first", "read", None)
            .unwrap();
        let other = db
            .create_api_token("h2", "a.org", &ann, "second", "write", Some(1))
            .unwrap();
        let mut seen = vec![format!("{} {}", made.name, made.scope)];
        let found = db.api_token("h1", "a.org").unwrap().unwrap();
        seen.push(format!("found {} {:?}", found.name, found.last_used_at));
        // Another domain, an unknown hash and an expired token are not found.
        seen.push(format!("{:?}", db.api_token("h1", "b.org").unwrap()));
        seen.push(format!("{:?}", db.api_token("nope", "a.org").unwrap()));
        seen.push(format!("{:?}", db.api_token("h2", "a.org").unwrap()));
        // Listed newest first, expired included.
        let names: Vec<String> = db
            .api_tokens_of("a.org", &ann)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        seen.push(names.join(","));
        // A use is written at most once a minute.
        db.touch_api_token(made.id, 1000).unwrap();
        db.touch_api_token(made.id, 1030).unwrap();
        let touched = db.api_token_by_id(made.id, "a.org").unwrap().unwrap();
        seen.push(format!("{:?}", touched.last_used_at));
        db.touch_api_token(made.id, 1060).unwrap();
        let touched = db.api_token_by_id(made.id, "a.org").unwrap().unwrap();
        seen.push(format!("{:?}", touched.last_used_at));
        seen.push(format!(
            "{:?}",
            db.api_token_by_id(made.id, "b.org").unwrap()
        ));
        seen.push(format!("{}", db.delete_api_token(other.id).unwrap()));
        seen.push(format!("{}", db.delete_api_token(other.id).unwrap()));
        seen.push(format!(
            "{}",
            db.api_tokens_of("a.org", &ann).unwrap().len()
        ));
        seen
    });
    assert_eq!(
        transcript,
        [
            "first read",
            "found first None",
            "None",
            "None",
            "None",
            "second,first",
            "Some(1000)",
            "Some(1060)",
            "None",
            "true",
            "false",
            "1"
        ]
    );
}
