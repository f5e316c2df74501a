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

/// Who is what, read from the store: an anonymous requester is nobody (a door that forgets
/// to log someone in must not make them a listmaster); a listmaster with an address keeps
/// their roles on the list; the shell, with no address, is a logged-in listmaster.
#[test]
fn anonymous_requesters_are_nobody_listmasters_keep_their_roles_and_the_shell_is_a_listmaster() {
    let seen = on_both(|store| {
        let id = new_list(store, "alpha");
        let db = store.db();
        db.add_member(id, &crate::store::NewMember::new(email("lm@a.org")))
            .unwrap();
        let list = db.list_by_id(id).unwrap().unwrap();
        let anonymous = Requester::anonymous(super::Channel::Mail, None);
        let listmaster = super::test_support::listmaster();
        run(store, |env| {
            (
                env.roles(&anonymous, &list).unwrap(),
                said(env.authorize(&anonymous, &list, ActionKind::ManageList)),
                env.roles(&listmaster, &list).unwrap(),
                env.roles(&Requester::shell(), &list).unwrap(),
            )
        })
    });
    let listmaster = Roles {
        user: true,
        listmaster: true,
        ..Roles::ANONYMOUS
    };
    assert_eq!(
        seen,
        (
            Roles::ANONYMOUS,
            "login_required".into(),
            Roles {
                subscriber: true,
                ..listmaster
            },
            listmaster,
        )
    );
}
