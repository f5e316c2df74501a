//! Tests, on both databases, of what the owners' pages read: the dashboard (`admin`) and one member's details (`editsubscriber`): who sees them, and that they show this list's rows only.

use super::dashboard::{dashboard, RECENT_CHANGES};
use super::subscriber::{details, HISTORY_ROWS};
use super::test_support::{email, listmaster, run, said, user};
use super::{Channel, Requester};
use crate::domain::{AdminRole, List, ListId};
use crate::store::test_support::{list as new_list, on_both};
use crate::store::{AuditEntry, NewMember, NewPending, Store};

fn audit(store: &Store, list: ListId, action: &str, target: &str) {
    store
        .db()
        .audit(&AuditEntry {
            actor: None,
            remote_addr: None,
            channel: "cli",
            action,
            list: Some(list),
            target: Some(&email(target)),
            detail: serde_json::json!({}),
        })
        .unwrap();
}

fn pending(store: &Store, list: ListId, n: usize, kind: &str, state: &str) {
    store
        .db()
        .create_pending(&NewPending {
            key_hash: format!("{n:064}"),
            list,
            kind: kind.into(),
            email: email(&format!("p{n}@a.org")),
            requested_by: None,
            state: state.into(),
            data: serde_json::json!({}),
            ttl: 3600,
        })
        .unwrap();
}

/// `team` (own@ its owner, mod@ its moderator, sub@ and ann@ members) and `other` (ann@
/// a member too), each with its own history.
fn lists(store: &mut Store) -> (List, List) {
    let team = new_list(store, "team");
    let other = new_list(store, "other");
    let db = store.db();
    db.add_admin(team, &email("own@a.org"), AdminRole::Owner, false)
        .unwrap();
    db.add_admin(team, &email("mod@a.org"), AdminRole::Editor, false)
        .unwrap();
    for (list, member) in [
        (team, "sub@a.org"),
        (team, "ann@a.org"),
        (other, "ann@a.org"),
    ] {
        db.add_member(list, &NewMember::new(email(member))).unwrap();
    }
    audit(store, team, "add", "ann@a.org");
    audit(store, team, "set", "ann@a.org");
    audit(store, team, "set", "joann@a.org");
    for n in 0..RECENT_CHANGES {
        audit(store, team, "add", &format!("m{n}@a.org"));
    }
    audit(store, other, "subscribe", "ann@a.org");
    audit(store, other, "del", "ann@a.org");
    let db = store.db();
    (
        db.list_by_id(team).unwrap().unwrap(),
        db.list_by_id(other).unwrap().unwrap(),
    )
}

#[test]
fn the_dashboard_counts_this_lists_requests_and_shows_its_changes_to_owners_only() {
    let seen = on_both(|store| {
        let (team, other) = lists(store);
        pending(store, team.id, 1, "subscribe", "owner");
        pending(store, team.id, 2, "subscribe", "owner");
        pending(store, team.id, 3, "signoff", "owner");
        pending(store, team.id, 4, "subscribe", "confirm");
        pending(store, other.id, 5, "signoff", "owner");
        run(store, |env| {
            let mut seen = Vec::new();
            for who in [
                Requester::anonymous(Channel::Soap, None),
                user("sub@a.org"),
                user("mod@a.org"),
                user("own@a.org"),
                listmaster(),
            ] {
                seen.push(match dashboard(env, &who, &team) {
                    Ok(d) => format!(
                        "members {} subscriptions {} unsubscriptions {} changes {} other {} \
                         listmaster {}",
                        d.member_count,
                        d.subscriptions,
                        d.unsubscriptions,
                        d.changes.len(),
                        d.changes
                            .iter()
                            .filter(|c| c.action == "subscribe" || c.action == "del")
                            .count(),
                        d.roles.listmaster,
                    ),
                    Err(e) => said::<()>(Err(e)),
                });
            }
            seen
        })
    });
    assert_eq!(
        seen,
        [
            "login_required",
            "not_allowed",
            "members 2 subscriptions 2 unsubscriptions 1 changes 0 other 0 listmaster false",
            "members 2 subscriptions 2 unsubscriptions 1 changes 15 other 0 listmaster false",
            "members 2 subscriptions 2 unsubscriptions 1 changes 15 other 0 listmaster true",
        ]
    );
}

#[test]
fn a_members_details_show_this_lists_history_of_this_address_only() {
    let seen = on_both(|store| {
        let (team, _other) = lists(store);
        // A busy list: the newest rows are about others; ann@'s are found all the same.
        for n in 0..HISTORY_ROWS {
            audit(store, team.id, "set", &format!("busy{n}@a.org"));
        }
        run(store, |env| {
            let ann = email("ann@a.org");
            let mut seen = Vec::new();
            for who in [
                Requester::anonymous(Channel::Soap, None),
                user("sub@a.org"),
                user("mod@a.org"),
                user("own@a.org"),
                listmaster(),
            ] {
                seen.push(match details(env, &who, &team, &ann) {
                    Ok(d) => format!(
                        "{} history {:?} joined {:?} may change {}",
                        d.member.email.as_str(),
                        d.history
                            .iter()
                            .map(|h| format!("{} {}", h.action, h.target.as_deref().unwrap_or("-")))
                            .collect::<Vec<_>>(),
                        d.joined.map(|j| j.action),
                        d.may_change,
                    ),
                    Err(e) => said::<()>(Err(e)),
                });
            }
            seen.push(said(details(
                env,
                &user("own@a.org"),
                &team,
                &email("nobody@a.org"),
            )));
            seen
        })
    });
    let ann = r#"ann@a.org history ["set ann@a.org", "add ann@a.org"] joined Some("add")"#;
    assert_eq!(
        seen,
        [
            "login_required".to_string(),
            "not_allowed".into(),
            format!("{ann} may change false"),
            format!("{ann} may change true"),
            format!("{ann} may change true"),
            "not_member".into(),
        ]
    );
}
