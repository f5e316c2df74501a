//! Tests, on both databases, of what every operation decides from in [`super::Env`]: the roles a door read for one list serve for that list only.

use super::test_support::{email, run, said, user};
use super::Requester;
use crate::domain::{ActionKind, AdminRole, Roles};
use crate::store::test_support::{list as new_list, on_both};

/// The web reads the requester's roles on the list of its URL and hands them over
/// (`Requester::known_roles`); an operation on another list in the same request must read
/// that list's own, or an owner of one list would manage every list.
#[test]
fn roles_a_door_read_for_one_list_are_used_for_that_list_only() {
    let seen = on_both(|store| {
        let alpha = new_list(store, "alpha");
        let beta = new_list(store, "beta");
        let db = store.db();
        db.add_admin(beta, &email("own@x.org"), AdminRole::Owner, true)
            .unwrap();
        let (alpha, beta) = (
            db.list_by_id(alpha).unwrap().unwrap(),
            db.list_by_id(beta).unwrap().unwrap(),
        );
        // What the door read for alpha (here unlike the store, to tell which is used).
        let owner = Roles {
            user: true,
            owner: true,
            privileged_owner: true,
            ..Roles::ANONYMOUS
        };
        let requester = Requester {
            known_roles: Some((alpha.id, owner)),
            ..user("someone@x.org")
        };
        run(store, |env| {
            (
                said(env.authorize(&requester, &alpha, ActionKind::ManageList)),
                said(env.authorize(&requester, &beta, ActionKind::ManageList)),
                env.roles(&requester, &beta).unwrap()
                    == Roles {
                        user: true,
                        ..Roles::ANONYMOUS
                    },
            )
        })
    });
    assert_eq!(seen, ("ok".into(), "not_allowed".into(), true));
}
