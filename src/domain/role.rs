//! Roles: who the requester is with respect to one list (Sympa's is_subscriber, is_editor, is_owner, ...).

use serde::Serialize;

/// One named role, for menus, tests and the `which` page; the most powerful a requester holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Not logged in.
    Anonymous,
    /// Logged in, nothing to do with the list.
    User,
    /// A member of the list.
    Subscriber,
    /// A moderator (Sympa's editor).
    Moderator,
    /// An owner.
    Owner,
    /// A privileged owner.
    PrivilegedOwner,
    /// A listmaster of the domain.
    Listmaster,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: &'static [Role] = &[
        Role::Anonymous,
        Role::User,
        Role::Subscriber,
        Role::Moderator,
        Role::Owner,
        Role::PrivilegedOwner,
        Role::Listmaster,
    ];

    /// The facts of someone who holds exactly this role (a list that has moderators).
    pub fn roles(self) -> Roles {
        let user = self != Role::Anonymous;
        Roles {
            user,
            subscriber: self == Role::Subscriber,
            editor: self == Role::Moderator,
            owner: matches!(self, Role::Owner | Role::PrivilegedOwner),
            privileged_owner: self == Role::PrivilegedOwner,
            listmaster: self == Role::Listmaster,
        }
    }

    /// A short word for pages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::User => "user",
            Role::Subscriber => "subscriber",
            Role::Moderator => "moderator",
            Role::Owner => "owner",
            Role::PrivilegedOwner => "privileged owner",
            Role::Listmaster => "listmaster",
        }
    }
}

/// Everything the requester is with respect to one list; several may hold at once.
///
/// Built by the store from the session's address. `editor` is already true for owners of a
/// list that has no moderators, as in Sympa ("owners moderate when there is no editor").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Roles {
    /// Logged in (or otherwise authenticated).
    pub user: bool,
    /// A member of the list.
    pub subscriber: bool,
    /// A moderator of the list.
    pub editor: bool,
    /// An owner of the list.
    pub owner: bool,
    /// A privileged owner of the list.
    pub privileged_owner: bool,
    /// A listmaster of the list's domain.
    pub listmaster: bool,
}

impl Roles {
    /// Nobody: an anonymous visitor.
    pub const ANONYMOUS: Roles = Roles {
        user: false,
        subscriber: false,
        editor: false,
        owner: false,
        privileged_owner: false,
        listmaster: false,
    };

    /// Returns true if and only if the requester owns the list or is a listmaster.
    pub fn is_owner(&self) -> bool {
        self.owner || self.privileged_owner || self.listmaster
    }

    /// Returns true if and only if the requester is a privileged owner or a listmaster.
    pub fn is_privileged_owner(&self) -> bool {
        self.privileged_owner || self.listmaster
    }

    /// Returns true if and only if the requester moderates the list (or is a listmaster).
    pub fn is_editor(&self) -> bool {
        self.editor || self.listmaster
    }

    /// The most powerful role held.
    pub fn strongest(&self) -> Role {
        if self.listmaster {
            Role::Listmaster
        } else if self.privileged_owner {
            Role::PrivilegedOwner
        } else if self.owner {
            Role::Owner
        } else if self.editor {
            Role::Moderator
        } else if self.subscriber {
            Role::Subscriber
        } else if self.user {
            Role::User
        } else {
            Role::Anonymous
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_its_own_strongest() {
        for role in Role::ALL {
            assert_eq!(role.roles().strongest(), *role);
        }
        assert_eq!(Roles::ANONYMOUS, Role::Anonymous.roles());
    }
}
