//! Tests of the list lifecycle queries (renaming with old names kept, removing one role, the lists' activity), each body run on SQLite and, when `WWSYMPA_TEST_POSTGRES` names a server, on PostgreSQL.

use super::test_support::{list, on_both};
use super::Error;
use crate::domain::{AdminRole, Email, ListName};

fn name(text: &str) -> ListName {
    ListName::parse(text).unwrap()
}

#[test]
fn a_renamed_list_keeps_its_id_and_its_old_names_lead_to_it() {
    let transcript = on_both(|store| {
        let team = list(store, "team");
        let other = list(store, "other");
        let db = store.db();
        let mut seen = Vec::new();
        db.rename_list(team, &name("crew")).unwrap();
        seen.push(format!(
            "{:?}",
            db.list_by_name("a.org", &name("team"))
                .unwrap()
                .map(|l| l.id)
        ));
        seen.push(format!(
            "{}",
            db.list_by_name("a.org", &name("crew")).unwrap().unwrap().id == team
        ));
        seen.push(format!(
            "{}",
            db.renamed_list("a.org", &name("team")).unwrap() == Some(team)
        ));
        // Another domain knows nothing of it.
        seen.push(format!(
            "{:?}",
            db.renamed_list("b.org", &name("team")).unwrap()
        ));
        // Renamed again: both old names lead to it; taking back a former name forgets it.
        db.rename_list(team, &name("band")).unwrap();
        seen.push(format!(
            "{}",
            db.renamed_list("a.org", &name("crew")).unwrap() == Some(team)
        ));
        db.rename_list(team, &name("team")).unwrap();
        seen.push(format!(
            "{:?}",
            db.renamed_list("a.org", &name("team")).unwrap()
        ));
        seen.push(format!(
            "{}",
            db.renamed_list("a.org", &name("band")).unwrap() == Some(team)
        ));
        // Another list's name is refused, and nothing changes.
        let taken = matches!(
            db.rename_list(team, &name("other")),
            Err(Error::AlreadyExists(_))
        );
        seen.push(format!("{taken}"));
        seen.push(format!(
            "{:?}",
            db.renamed_list("a.org", &name("other")).unwrap()
        ));
        // A new list may take an old name: the redirect is forgotten.
        db.forget_old_name("a.org", &name("crew")).unwrap();
        seen.push(format!(
            "{:?}",
            db.renamed_list("a.org", &name("crew")).unwrap()
        ));
        // Purging the list drops its old names.
        db.purge_list(team).unwrap();
        seen.push(format!(
            "{:?}",
            db.renamed_list("a.org", &name("band")).unwrap()
        ));
        seen.push(format!("{}", db.list_by_id(other).unwrap().is_some()));
        seen
    });
    assert_eq!(
        transcript,
        [
            "None", "true", "true", "None", "true", "None", "true", "true", "None", "None", "None",
            "true"
        ]
    );
}

#[test]
fn one_role_is_removed_and_activity_reads_creation_and_last_post() {
    let transcript = on_both(|store| {
        let team = list(store, "team");
        let quiet = list(store, "quiet");
        let db = store.db();
        let ann = Email::parse("ann@a.org").unwrap();
        db.add_admin(team, &ann, AdminRole::Owner, true).unwrap();
        db.add_admin(team, &ann, AdminRole::Editor, false).unwrap();
        let mut seen = vec![
            format!(
                "{}",
                db.remove_admin_role(team, &ann, AdminRole::Editor).unwrap()
            ),
            format!(
                "{}",
                db.remove_admin_role(team, &ann, AdminRole::Editor).unwrap()
            ),
            format!(
                "{}",
                db.remove_admin_role(quiet, &ann, AdminRole::Owner).unwrap()
            ),
        ];
        let admins = db.admins(team).unwrap();
        seen.push(format!(
            "{:?}",
            admins.iter().map(|a| a.role).collect::<Vec<_>>()
        ));
        let activity = db.list_activity("a.org").unwrap();
        seen.push(format!("{}", activity.len()));
        for row in &activity {
            seen.push(format!("{} {:?}", row.created_at > 0, row.last_post_at));
        }
        seen.push(format!("{}", db.list_activity("b.org").unwrap().len()));
        seen
    });
    assert_eq!(
        transcript,
        [
            "true",
            "false",
            "false",
            "[Owner]",
            "2",
            "true None",
            "true None",
            "0"
        ]
    );
}
