//! The list parameters owners edit on the web: Sympa's groups and names, and who may see and change each (Sympa's `edit_list.conf`, as data).
//!
//! Sympa's default `edit_list.conf` says, per parameter and population, `write`, `read` or
//! `hidden`; anything it does not name is `write` for owners, privileged owners and
//! listmasters. The rows below keep its defaults for the parameters wwsympa honours:
//! `send` and `review` are read-only to normal owners; `max_size` and
//! `clean_delay_queuemod` are hidden from owners of either kind (listmasters only); the
//! bounce rules (Sympa's `bounce`) are read-only to owners of either kind; `status` is
//! hidden from normal owners and read-only to privileged ones (it changes through
//! `close_list`). Listmasters may change everything but `status`.

use serde::Serialize;

use super::Roles;

/// A page of the settings form (Sympa's parameter groups, `edit_list_request/LIST/GROUP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Subject, description, topics, visibility, language.
    Description,
    /// Who posts and how posts go out: send, sizes, subject tag, personalization, DMARC,
    /// moderation expiry, digests.
    Sending,
    /// Who subscribes, unsubscribes and sees the members; what subscribers are asked.
    Command,
    /// Who reads the web archives.
    Archives,
    /// What happens to bouncing members.
    Bounces,
    /// What is left: the list's status.
    Other,
}

impl Group {
    /// Every group, in the order of the form's tabs.
    pub const ALL: &'static [Group] = &[
        Group::Description,
        Group::Sending,
        Group::Command,
        Group::Archives,
        Group::Bounces,
        Group::Other,
    ];

    /// Sympa's name, as in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Description => "description",
            Group::Sending => "sending",
            Group::Command => "command",
            Group::Archives => "archives",
            Group::Bounces => "bounces",
            Group::Other => "other",
        }
    }

    /// The group called `name` (Sympa's name), if there is one.
    pub fn parse(name: &str) -> Option<Group> {
        Group::ALL.iter().copied().find(|g| g.as_str() == name)
    }
}

/// What one population may do with a parameter (Sympa's `write`, `read`, `hidden`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    /// Not shown.
    Hidden,
    /// Shown, not changed.
    Read,
    /// Shown and changed.
    Write,
}

/// One editable parameter: its Sympa name (the form field's name), its group and who may
/// do what with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Param {
    /// Sympa's name (`custom_subject`, `archive.web_access`, ...): the form field.
    pub name: &'static str,
    /// The page it is on.
    pub group: Group,
    /// For a normal owner.
    pub owner: Privilege,
    /// For a privileged owner.
    pub privileged_owner: Privilege,
    /// For a listmaster.
    pub listmaster: Privilege,
}

use Privilege::{Hidden, Read, Write};

const fn param(
    name: &'static str,
    group: Group,
    owner: Privilege,
    privileged_owner: Privilege,
    listmaster: Privilege,
) -> Param {
    Param {
        name,
        group,
        owner,
        privileged_owner,
        listmaster,
    }
}

/// Every parameter of the form, by group, in the order shown.
pub static PARAMS: &[Param] = &[
    param("subject", Group::Description, Write, Write, Write),
    param("info", Group::Description, Write, Write, Write),
    param("topics", Group::Description, Write, Write, Write),
    param("visibility", Group::Description, Write, Write, Write),
    param("lang", Group::Description, Write, Write, Write),
    param("send", Group::Sending, Read, Write, Write),
    param("max_size", Group::Sending, Hidden, Hidden, Write),
    param("max_attachments", Group::Sending, Write, Write, Write),
    param("custom_subject", Group::Sending, Write, Write, Write),
    param("personalization", Group::Sending, Write, Write, Write),
    param("dmarc_protection", Group::Sending, Write, Write, Write),
    param(
        "clean_delay_queuemod",
        Group::Sending,
        Hidden,
        Hidden,
        Write,
    ),
    param("digest", Group::Sending, Write, Write, Write),
    param("digest_max_size", Group::Sending, Write, Write, Write),
    param(
        "default_user_options.reception",
        Group::Sending,
        Write,
        Write,
        Write,
    ),
    param("subscribe", Group::Command, Write, Write, Write),
    param("unsubscribe", Group::Command, Write, Write, Write),
    param("review", Group::Command, Read, Write, Write),
    param("custom_attribute", Group::Command, Write, Write, Write),
    param("archive.web_access", Group::Archives, Write, Write, Write),
    param("bounce.threshold", Group::Bounces, Read, Read, Write),
    param("bounce.stale_days", Group::Bounces, Read, Read, Write),
    param("bounce.warnings", Group::Bounces, Read, Read, Write),
    param("bounce.warning_days", Group::Bounces, Read, Read, Write),
    param("status", Group::Other, Hidden, Read, Read),
];

impl Param {
    /// What a requester with `roles` may do with it: the most of the populations they
    /// belong to (a listmaster who also owns the list gets the listmaster's); moderators
    /// and members get nothing.
    pub fn privilege(&self, roles: &Roles) -> Privilege {
        let mut best = Hidden;
        if roles.listmaster {
            best = best.max(self.listmaster);
        }
        if roles.privileged_owner {
            best = best.max(self.privileged_owner);
        }
        if roles.owner {
            best = best.max(self.owner);
        }
        best
    }
}

/// The parameter called `name`.
pub fn find(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name == name)
}

/// The parameters of `group`, in the order shown.
pub fn of(group: Group) -> impl Iterator<Item = &'static Param> {
    PARAMS.iter().filter(move |p| p.group == group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn groups_round_trip_and_every_group_has_parameters() {
        for group in Group::ALL {
            assert_eq!(Group::parse(group.as_str()), Some(*group));
            assert!(of(*group).next().is_some(), "{group:?} is empty");
            assert!(of(*group).all(|p| p.group == *group), "{group:?}");
        }
        // Every parameter is shown in exactly one group.
        let shown: usize = Group::ALL.iter().map(|g| of(*g).count()).sum();
        assert_eq!(shown, PARAMS.len());
        assert_eq!(Group::parse("dkim"), None);
    }

    #[test]
    fn names_are_unique() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert!(
                PARAMS[i + 1..].iter().all(|q| q.name != p.name),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn sympa_defaults_for_owners() {
        let owner = Role::Owner.roles();
        let privileged = Role::PrivilegedOwner.roles();
        let listmaster = Role::Listmaster.roles();
        let of = |name: &str, roles: &Roles| find(name).unwrap().privilege(roles);
        assert_eq!(of("subject", &owner), Write);
        assert_eq!(of("send", &owner), Read);
        assert_eq!(of("send", &privileged), Write);
        assert_eq!(of("review", &owner), Read);
        assert_eq!(of("review", &privileged), Write);
        assert_eq!(of("max_size", &privileged), Hidden);
        assert_eq!(of("max_size", &listmaster), Write);
        assert_eq!(of("bounce.threshold", &privileged), Read);
        assert_eq!(of("status", &owner), Hidden);
        assert_eq!(of("status", &privileged), Read);
        // Moderators, members and others see nothing.
        for role in [
            Role::Anonymous,
            Role::User,
            Role::Subscriber,
            Role::Moderator,
        ] {
            assert!(PARAMS.iter().all(|p| p.privilege(&role.roles()) == Hidden));
        }
    }

    #[test]
    fn listmasters_may_change_everything_but_the_status() {
        let listmaster = Role::Listmaster.roles();
        for p in PARAMS {
            let expected = if p.name == "status" { Read } else { Write };
            assert_eq!(p.privilege(&listmaster), expected, "{}", p.name);
        }
    }

    #[test]
    fn a_privileged_owner_has_at_least_a_normal_owners_rights() {
        let both = Roles {
            owner: true,
            privileged_owner: true,
            ..Role::PrivilegedOwner.roles()
        };
        for p in PARAMS {
            assert!(p.privileged_owner >= p.owner, "{}", p.name);
            assert_eq!(p.privilege(&both), p.privileged_owner.max(p.owner));
        }
    }
}
