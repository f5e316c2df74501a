//! The one authorization rule: for (what is asked, who asks, the list's policies), the answer.
//!
//! [`decide`] is pure. The web's action table asks it before a handler runs, and every
//! operation asks it again before it changes anything, so web and SOAP answer alike.

use serde::Serialize;

use super::policy::{ArchiveAccess, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy};
use super::role::Roles;
use super::Visibility;

/// What the requester asks to do with a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// See that the list exists: its info page (`info`), its row in `lists`.
    SeeList,
    /// Subscribe one's own address (`subscribe`).
    Subscribe,
    /// Unsubscribe one's own address (`signoff`).
    Signoff,
    /// See one's own membership and change its options (`suboptions`, `set`).
    EditOwnMembership,
    /// See the members (`review`, `search`, `export_member`).
    Review,
    /// Read the web archives (`arc`, `msg`, `arcsearch`).
    ReadArchive,
    /// Add, remove or change other members (`add`, `del`, `set` for another address).
    ManageMembers,
    /// Decide on held subscription and unsubscription requests (`subindex`, `auth_add`,
    /// `decl_add`; `sigindex`, `auth_del`, `decl_del`).
    ManageRequests,
    /// Moderate messages (`modindex`, `distribute`, `reject`).
    Moderate,
    /// Close the list, manage its owners (`close_list`).
    ManageList,
    /// Hide, show again or delete archived messages (`arc_hide`, `arc_show`, `remove_arc`):
    /// owners and listmasters.
    ManageArchive,
    /// See and change the list's settings and its moderators (`edit_list_request`,
    /// `edit_list`, `edit`): owners of either kind and listmasters; which parameter each may
    /// change is [`crate::domain::params`]'s.
    EditSettings,
    /// Write the list's texts: its description and home page, the welcome, goodbye, removal
    /// and reminder mails, the header and footer of its posts (`editfile`, `savefile`):
    /// owners and listmasters (Sympa: owner, listmaster).
    EditTexts,
    /// See one member's details and history (`editsubscriber`): owners, moderators and
    /// listmasters (Sympa: owner, editor); moderators only look, changes are owners'
    /// ([`ActionKind::ManageMembers`]).
    ViewMember,
    /// Read the list's audit log (`viewlogs`): owners, moderators and listmasters (Sympa:
    /// owner, editor, listmaster).
    ViewLogs,
    /// Send every member the reminder of their subscription (`remind`): owners and
    /// listmasters (Sympa's default `remind` scenario: owner).
    Remind,
}

impl ActionKind {
    /// Every kind, for tests that walk them all.
    pub const ALL: &'static [ActionKind] = &[
        ActionKind::SeeList,
        ActionKind::Subscribe,
        ActionKind::Signoff,
        ActionKind::EditOwnMembership,
        ActionKind::Review,
        ActionKind::ReadArchive,
        ActionKind::ManageMembers,
        ActionKind::ManageRequests,
        ActionKind::Moderate,
        ActionKind::ManageList,
        ActionKind::ManageArchive,
        ActionKind::EditSettings,
        ActionKind::EditTexts,
        ActionKind::ViewMember,
        ActionKind::ViewLogs,
        ActionKind::Remind,
    ];
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The list is not visible to the requester; shown exactly like an unknown list.
    NotVisible,
    /// Logging in might help.
    LoginRequired,
    /// The requester's role is not enough.
    NotPermitted,
    /// Only members may do this.
    NotMember,
    /// The list's policy allows this to nobody.
    Closed,
}

/// The answer to "may this requester do this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Do it now.
    Allow {
        /// Tell the owners once it is done (`*_notify` policies).
        notify_owners: bool,
    },
    /// Mail a confirmation key to the address concerned; do it when the key comes back.
    NeedsConfirmation {
        /// Tell the owners once it is done.
        notify_owners: bool,
        /// After confirmation, hold it for an owner instead of doing it (`auth_owner`).
        then_owner: bool,
    },
    /// Hold it until an owner accepts it.
    NeedsOwnerApproval {
        /// Tell the owners once it is done.
        notify_owners: bool,
    },
    /// Do not do it.
    Refuse(Reason),
}

impl Decision {
    const ALLOW: Decision = Decision::Allow {
        notify_owners: false,
    };
}

/// Returns true if and only if a requester with `roles` may see a list with `visibility`.
pub fn can_see(roles: &Roles, visibility: Visibility) -> bool {
    match visibility {
        Visibility::Noconceal => true,
        Visibility::Intranet => roles.user,
        Visibility::Conceal => roles.subscriber || roles.editor || roles.is_owner(),
    }
}

/// Allows when `held`; otherwise says whether logging in could help.
fn need(held: bool, roles: &Roles) -> Decision {
    if held {
        Decision::ALLOW
    } else if !roles.user {
        Decision::Refuse(Reason::LoginRequired)
    } else {
        Decision::Refuse(Reason::NotPermitted)
    }
}

/// Decides whether `roles` may do `kind` on a list with `policy`.
///
/// Rules, in order: a list the requester cannot see is refused as [`Reason::NotVisible`]
/// whatever is asked. Then:
/// - subscribing: `closed` refuses; an anonymous requester (whose address is not proven)
///   always confirms by mail first; owners and listmasters skip owner approval; otherwise
///   the policy's word (`open` allows, `auth*` confirms, `owner*` holds for an owner);
/// - unsubscribing: `closed` refuses; anonymous confirms by mail; a logged-in non-member is
///   told so; otherwise the policy's word;
/// - reviewing and archives: `public` anyone, `private` members and admins, `owner` owners,
///   `closed` listmasters only;
/// - managing members: owners; held requests: owners and moderators; moderation:
///   moderators (owners when the list has none); closing the list: privileged owners.
///
/// Listmasters count as privileged owners and moderators of every list.
pub fn decide(kind: ActionKind, roles: &Roles, policy: &ListPolicy) -> Decision {
    if !can_see(roles, policy.visibility) {
        return Decision::Refuse(Reason::NotVisible);
    }
    let is_member_or_admin = roles.subscriber || roles.is_editor() || roles.is_owner();
    match kind {
        ActionKind::SeeList => Decision::ALLOW,
        ActionKind::Subscribe => subscribe(roles, policy.subscribe),
        ActionKind::Signoff => signoff(roles, policy.unsubscribe),
        ActionKind::EditOwnMembership => {
            if roles.subscriber {
                Decision::ALLOW
            } else if !roles.user {
                Decision::Refuse(Reason::LoginRequired)
            } else {
                Decision::Refuse(Reason::NotMember)
            }
        }
        ActionKind::Review => match policy.review {
            ReviewPolicy::Public => Decision::ALLOW,
            ReviewPolicy::Private => need(is_member_or_admin, roles),
            ReviewPolicy::Owner => need(roles.is_owner(), roles),
            ReviewPolicy::Closed => need(roles.listmaster, roles),
        },
        ActionKind::ReadArchive => match policy.archive {
            ArchiveAccess::Public => Decision::ALLOW,
            ArchiveAccess::Private => need(is_member_or_admin, roles),
            ArchiveAccess::Owner => need(roles.is_owner(), roles),
            ArchiveAccess::Closed => need(roles.listmaster, roles),
        },
        ActionKind::ManageMembers => need(roles.is_owner(), roles),
        ActionKind::ManageRequests => need(roles.is_owner() || roles.is_editor(), roles),
        ActionKind::Moderate => need(roles.is_editor(), roles),
        ActionKind::ManageList => need(roles.is_privileged_owner(), roles),
        ActionKind::ManageArchive => need(roles.is_owner(), roles),
        ActionKind::EditSettings => need(roles.is_owner(), roles),
        ActionKind::EditTexts | ActionKind::Remind => need(roles.is_owner(), roles),
        ActionKind::ViewMember | ActionKind::ViewLogs => {
            need(roles.is_owner() || roles.is_editor(), roles)
        }
    }
}

fn subscribe(roles: &Roles, policy: SubscribePolicy) -> Decision {
    use SubscribePolicy as P;
    let notify_owners = matches!(policy, P::OpenNotify | P::AuthNotify | P::OwnerNotify);
    let owner_decides = matches!(policy, P::AuthOwner | P::Owner | P::OwnerNotify);
    if policy == P::Closed {
        return Decision::Refuse(Reason::Closed);
    }
    if !roles.user {
        // The address is only claimed: prove it first, whatever the policy.
        return Decision::NeedsConfirmation {
            notify_owners,
            then_owner: owner_decides,
        };
    }
    if owner_decides && roles.is_owner() {
        return Decision::Allow { notify_owners };
    }
    match policy {
        P::Open | P::OpenNotify => Decision::Allow { notify_owners },
        P::Auth | P::AuthNotify => Decision::NeedsConfirmation {
            notify_owners,
            then_owner: false,
        },
        P::AuthOwner | P::Owner | P::OwnerNotify => Decision::NeedsOwnerApproval { notify_owners },
        P::Closed => Decision::Refuse(Reason::Closed),
    }
}

fn signoff(roles: &Roles, policy: UnsubscribePolicy) -> Decision {
    use UnsubscribePolicy as P;
    let notify_owners = matches!(policy, P::OpenNotify | P::AuthNotify | P::OwnerNotify);
    let owner_decides = matches!(policy, P::Owner | P::OwnerNotify);
    if policy == P::Closed {
        return Decision::Refuse(Reason::Closed);
    }
    if !roles.user {
        // Never tell an anonymous visitor whether the address is a member.
        return Decision::NeedsConfirmation {
            notify_owners,
            then_owner: owner_decides,
        };
    }
    if !roles.subscriber {
        return Decision::Refuse(Reason::NotMember);
    }
    match policy {
        P::Open | P::OpenNotify => Decision::Allow { notify_owners },
        P::Auth | P::AuthNotify => Decision::NeedsConfirmation {
            notify_owners,
            then_owner: false,
        },
        P::Owner | P::OwnerNotify => Decision::NeedsOwnerApproval { notify_owners },
        P::Closed => Decision::Refuse(Reason::Closed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn policy() -> ListPolicy {
        ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Owner,
            archive: ArchiveAccess::Private,
        }
    }

    fn check(kind: ActionKind, policy: &ListPolicy, expected: &[(Role, Decision)]) {
        for (role, want) in expected {
            assert_eq!(
                decide(kind, &role.roles(), policy),
                *want,
                "{kind:?} by {role:?} with {policy:?}"
            );
        }
    }

    const ALLOW: Decision = Decision::ALLOW;
    const LOGIN: Decision = Decision::Refuse(Reason::LoginRequired);
    const DENY: Decision = Decision::Refuse(Reason::NotPermitted);

    #[test]
    fn concealed_lists_are_seen_by_members_moderators_owners_and_listmasters_only() {
        for role in Role::ALL {
            let roles = role.roles();
            let expected = !matches!(role, Role::Anonymous | Role::User);
            assert_eq!(can_see(&roles, Visibility::Conceal), expected, "{role:?}");
            assert!(can_see(&roles, Visibility::Noconceal), "{role:?}");
            assert_eq!(
                can_see(&roles, Visibility::Intranet),
                *role != Role::Anonymous,
                "{role:?}"
            );
            // Whatever is asked, a list one may not see is refused as unknown.
            let hidden = ListPolicy {
                visibility: Visibility::Conceal,
                ..policy()
            };
            for kind in ActionKind::ALL {
                let refused =
                    decide(*kind, &roles, &hidden) == Decision::Refuse(Reason::NotVisible);
                assert_eq!(refused, !expected, "{kind:?} by {role:?}");
            }
        }
    }

    #[test]
    fn ones_own_membership_is_for_members_and_asks_anonymous_visitors_to_log_in() {
        check(
            ActionKind::EditOwnMembership,
            &policy(),
            &[
                (Role::Anonymous, LOGIN),
                (Role::User, Decision::Refuse(Reason::NotMember)),
                (Role::Subscriber, ALLOW),
                (Role::Owner, Decision::Refuse(Reason::NotMember)),
            ],
        );
    }

    #[test]
    fn review_follows_its_policy_for_every_role() {
        use Role::*;
        let mut p = policy();
        let table: &[(ReviewPolicy, [Decision; 7])] = &[
            (ReviewPolicy::Public, [ALLOW; 7]),
            (
                ReviewPolicy::Private,
                [LOGIN, DENY, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW],
            ),
            (
                ReviewPolicy::Owner,
                [LOGIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW],
            ),
            (
                ReviewPolicy::Closed,
                [LOGIN, DENY, DENY, DENY, DENY, DENY, ALLOW],
            ),
        ];
        for (review, answers) in table {
            p.review = *review;
            let expected: Vec<_> = [
                Anonymous,
                User,
                Subscriber,
                Moderator,
                Owner,
                PrivilegedOwner,
                Listmaster,
            ]
            .into_iter()
            .zip(*answers)
            .collect();
            check(ActionKind::Review, &p, &expected);
        }
    }

    #[test]
    fn anonymous_subscribers_always_confirm_by_mail() {
        let mut p = policy();
        for subscribe in SubscribePolicy::ALL {
            p.subscribe = *subscribe;
            let answer = decide(ActionKind::Subscribe, &Roles::ANONYMOUS, &p);
            if *subscribe == SubscribePolicy::Closed {
                assert_eq!(answer, Decision::Refuse(Reason::Closed));
            } else {
                assert!(
                    matches!(answer, Decision::NeedsConfirmation { .. }),
                    "{subscribe:?}: {answer:?}"
                );
            }
        }
    }

    #[test]
    fn subscribe_policies_for_a_logged_in_user() {
        use SubscribePolicy as P;
        let user = Role::User.roles();
        let mut p = policy();
        let expected = [
            (P::Open, ALLOW),
            (
                P::OpenNotify,
                Decision::Allow {
                    notify_owners: true,
                },
            ),
            (
                P::Auth,
                Decision::NeedsConfirmation {
                    notify_owners: false,
                    then_owner: false,
                },
            ),
            (
                P::AuthNotify,
                Decision::NeedsConfirmation {
                    notify_owners: true,
                    then_owner: false,
                },
            ),
            (
                P::AuthOwner,
                Decision::NeedsOwnerApproval {
                    notify_owners: false,
                },
            ),
            (
                P::Owner,
                Decision::NeedsOwnerApproval {
                    notify_owners: false,
                },
            ),
            (
                P::OwnerNotify,
                Decision::NeedsOwnerApproval {
                    notify_owners: true,
                },
            ),
            (P::Closed, Decision::Refuse(Reason::Closed)),
        ];
        for (subscribe, want) in expected {
            p.subscribe = subscribe;
            assert_eq!(
                decide(ActionKind::Subscribe, &user, &p),
                want,
                "{subscribe:?}"
            );
        }
        // Owners need no owner's approval.
        p.subscribe = P::Owner;
        assert_eq!(
            decide(ActionKind::Subscribe, &Role::Owner.roles(), &p),
            ALLOW
        );
    }

    #[test]
    fn signoff_needs_membership_once_logged_in() {
        let p = policy();
        assert_eq!(
            decide(ActionKind::Signoff, &Role::User.roles(), &p),
            Decision::Refuse(Reason::NotMember)
        );
        assert_eq!(
            decide(ActionKind::Signoff, &Role::Subscriber.roles(), &p),
            ALLOW
        );
        assert!(matches!(
            decide(ActionKind::Signoff, &Roles::ANONYMOUS, &p),
            Decision::NeedsConfirmation { .. }
        ));
        let closed = ListPolicy {
            unsubscribe: UnsubscribePolicy::Closed,
            ..p
        };
        assert_eq!(
            decide(ActionKind::Signoff, &Role::Subscriber.roles(), &closed),
            Decision::Refuse(Reason::Closed)
        );
    }

    #[test]
    fn invisible_lists_refuse_everything_as_not_visible() {
        let p = ListPolicy {
            visibility: Visibility::Conceal,
            ..policy()
        };
        for kind in ActionKind::ALL {
            for role in [Role::Anonymous, Role::User] {
                assert_eq!(
                    decide(*kind, &role.roles(), &p),
                    Decision::Refuse(Reason::NotVisible),
                    "{kind:?} {role:?}"
                );
            }
            assert_ne!(
                decide(*kind, &Role::Listmaster.roles(), &p),
                Decision::Refuse(Reason::NotVisible)
            );
        }
        let intranet = ListPolicy {
            visibility: Visibility::Intranet,
            ..policy()
        };
        assert_eq!(
            decide(ActionKind::SeeList, &Roles::ANONYMOUS, &intranet),
            Decision::Refuse(Reason::NotVisible)
        );
        assert_eq!(
            decide(ActionKind::SeeList, &Role::User.roles(), &intranet),
            ALLOW
        );
    }

    #[test]
    fn administration_needs_the_right_role() {
        use Role::*;
        let p = policy();
        let roles = [
            Anonymous,
            User,
            Subscriber,
            Moderator,
            Owner,
            PrivilegedOwner,
            Listmaster,
        ];
        let walk = |kind: ActionKind, answers: [Decision; 7]| {
            let expected: Vec<_> = roles.into_iter().zip(answers).collect();
            check(kind, &p, &expected);
        };
        walk(
            ActionKind::ManageMembers,
            [LOGIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW],
        );
        walk(
            ActionKind::ManageRequests,
            [LOGIN, DENY, DENY, ALLOW, ALLOW, ALLOW, ALLOW],
        );
        walk(
            ActionKind::Moderate,
            [LOGIN, DENY, DENY, ALLOW, DENY, DENY, ALLOW],
        );
        walk(
            ActionKind::ManageList,
            [LOGIN, DENY, DENY, DENY, DENY, ALLOW, ALLOW],
        );
        walk(
            ActionKind::ManageArchive,
            [LOGIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW],
        );
        walk(
            ActionKind::EditSettings,
            [LOGIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW],
        );
        for kind in [ActionKind::EditTexts, ActionKind::Remind] {
            walk(kind, [LOGIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW]);
        }
        for kind in [ActionKind::ViewMember, ActionKind::ViewLogs] {
            walk(kind, [LOGIN, DENY, DENY, ALLOW, ALLOW, ALLOW, ALLOW]);
        }
        // Owners moderate a list without moderators: the store sets `editor` for them.
        let owner_no_editors = Roles {
            editor: true,
            ..Owner.roles()
        };
        assert_eq!(decide(ActionKind::Moderate, &owner_no_editors, &p), ALLOW);
    }
}
