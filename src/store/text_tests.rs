//! The store's texts (`editfile`) and the audit log's search (`viewlogs`), on both backends.

use super::test_support::{list, on_both};
use super::*;
use crate::domain::Email;

#[test]
fn texts_are_saved_per_list_and_site_replaced_and_forgotten() {
    let answer = on_both(|store| {
        let team = list(store, "team");
        let other = list(store, "other");
        let db = store.db();
        let ann = Email::parse("ann@a.org").unwrap();
        let version = db.site_version().unwrap();
        db.set_text("a.org", Some(team), "info", Some("Team words"), Some(&ann))
            .unwrap();
        assert!(
            db.site_version().unwrap() > version,
            "cached pages must change"
        );
        db.set_text("a.org", None, "info", Some("Site words"), None)
            .unwrap();
        db.set_text("a.org", Some(team), "info", Some("New words"), None)
            .unwrap();
        db.set_text("a.org", Some(team), "bye.tt2", Some("Bye"), Some(&ann))
            .unwrap();
        let mine = db.text("a.org", Some(team), "info").unwrap().unwrap();
        let names: Vec<String> = db
            .texts("a.org", Some(team))
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        let site = db.text("a.org", None, "info").unwrap().map(|t| t.body);
        let none = db.text("a.org", Some(other), "info").unwrap();
        let elsewhere = db.text("b.org", None, "info").unwrap();
        db.set_text("a.org", Some(team), "info", None, None)
            .unwrap();
        let forgotten = db.text("a.org", Some(team), "info").unwrap();
        (
            mine.body,
            mine.updated_by,
            names,
            site,
            none,
            elsewhere,
            forgotten,
        )
    });
    let (body, by, names, site, none, elsewhere, forgotten) = answer;
    assert_eq!(body, "New words", "replaced");
    assert_eq!(by, None, "the last editor (the shell) is kept");
    assert_eq!(names, ["bye.tt2", "info"]);
    assert_eq!(site.as_deref(), Some("Site words"), "the site's apart");
    assert_eq!(none, None, "another list's apart");
    assert_eq!(elsewhere, None, "another domain's apart");
    assert_eq!(forgotten, None);
}

#[test]
fn the_audit_log_is_searched_by_list_action_address_actor_and_time() {
    let answer = on_both(|store| {
        let team = list(store, "team");
        let other = list(store, "other");
        let db = store.db();
        let own = Email::parse("own@a.org").unwrap();
        let ann = Email::parse("ann@a.org").unwrap();
        let joanna = Email::parse("joanna@a.org").unwrap();
        for (action, list, target, actor) in [
            ("add", team, Some(&ann), Some(&own)),
            ("add", team, Some(&joanna), Some(&own)),
            ("del", team, Some(&ann), Some(&own)),
            ("savefile", team, None, None),
            ("add", other, Some(&ann), Some(&own)),
        ] {
            db.audit(&AuditEntry {
                actor,
                remote_addr: None,
                channel: "web",
                action,
                list: Some(list),
                target,
                detail: serde_json::json!({}),
            })
            .unwrap();
        }
        let query = |q: AuditQuery<'_>| {
            let rows = db
                .audit_page(&AuditQuery { limit: 10, ..q })
                .unwrap()
                .into_iter()
                .map(|r| (r.action, r.target))
                .collect::<Vec<_>>();
            (rows, db.audit_count(&q).unwrap())
        };
        let on_team = AuditQuery {
            list: Some(team),
            ..AuditQuery::default()
        };
        (
            query(on_team.clone()),
            query(AuditQuery {
                action: Some("add"),
                ..on_team.clone()
            }),
            query(AuditQuery {
                target: Some("ann@"),
                ..on_team.clone()
            }),
            query(AuditQuery {
                actor: Some("own"),
                ..on_team.clone()
            }),
            query(AuditQuery {
                until: Some(0),
                ..on_team.clone()
            }),
            query(AuditQuery {
                offset: 1,
                limit: 1,
                ..on_team.clone()
            }),
        )
    });
    let ann = Some("ann@a.org".to_string());
    let joanna = Some("joanna@a.org".to_string());
    let (all, adds, anns, by_own, none, _) = answer;
    assert_eq!(
        all.0,
        [
            ("savefile".to_string(), None),
            ("del".into(), ann.clone()),
            ("add".into(), joanna.clone()),
            ("add".into(), ann.clone())
        ],
        "newest first, this list only"
    );
    assert_eq!(all.1, 4);
    assert_eq!(adds.1, 2);
    assert_eq!(
        anns.0.len(),
        2,
        "joanna@ does not contain ann@: {:?}",
        anns.0
    );
    assert_eq!(by_own.1, 3);
    assert_eq!(none.1, 0);
}

#[test]
fn many_audit_rows_are_written_at_once_in_order() {
    let answer = on_both(|store| {
        let team = list(store, "team");
        let db = store.db();
        let addresses: Vec<Email> = (0..1500)
            .map(|i| Email::parse(&format!("m{i}@a.org")).unwrap())
            .collect();
        let entries: Vec<AuditEntry<'_>> = addresses
            .iter()
            .map(|email| AuditEntry {
                actor: None,
                remote_addr: Some("192.0.2.1".into()),
                channel: "web",
                action: "import",
                list: Some(team),
                target: Some(email),
                detail: serde_json::json!({ "quiet": true }),
            })
            .collect();
        db.audit_many(&entries).unwrap();
        let query = AuditQuery {
            list: Some(team),
            action: Some("import"),
            limit: 2,
            ..AuditQuery::default()
        };
        let newest: Vec<_> = db
            .audit_page(&query)
            .unwrap()
            .into_iter()
            .map(|r| (r.target, r.remote_addr, r.detail))
            .collect();
        (db.audit_count(&query).unwrap(), newest)
    });
    assert_eq!(answer.0, 1500);
    assert_eq!(answer.1[0].0.as_deref(), Some("m1499@a.org"));
    assert_eq!(answer.1[1].0.as_deref(), Some("m1498@a.org"));
    assert_eq!(answer.1[0].1.as_deref(), Some("192.0.2.1"));
    assert_eq!(answer.1[0].2, r#"{"quiet":true}"#);
}
