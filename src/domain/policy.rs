//! A list's policies as enums (Sympa's scenario names, reduced to the shipped variants we support).
//!
//! Each parses from its stored name and gives it back; an unknown stored value parses as the
//! most restrictive variant, so a hand-edited database never opens a list by accident.

use serde::Serialize;

macro_rules! policy {
    (
        $(#[$meta:meta])*
        $name:ident, strictest = $strictest:ident,
        { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in the order of the documentation.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Parses the stored name; anything unknown is the strictest variant.
            pub fn parse(text: &str) -> $name {
                Self::parse_exact(text).unwrap_or($name::$strictest)
            }

            /// Parses the stored name; `None` when it is not one of ours.
            pub fn parse_exact(text: &str) -> Option<$name> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The stored name (Sympa's scenario name).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }
    };
}

policy! {
    /// Who may subscribe, and how (Sympa's `subscribe` scenario).
    SubscribePolicy, strictest = Closed, {
        /// Anyone whose address is proven; done at once.
        Open = "open",
        /// As `open`, and the owners are told.
        OpenNotify = "open_notify",
        /// The requester always confirms by mail first.
        Auth = "auth",
        /// As `auth`, and the owners are told.
        AuthNotify = "auth_notify",
        /// The address is confirmed by mail, then an owner decides.
        AuthOwner = "auth_owner",
        /// An owner decides.
        Owner = "owner",
        /// An owner decides, and the owners are told when it is done.
        OwnerNotify = "owner_notify",
        /// Nobody subscribes themselves; owners add members.
        Closed = "closed",
    }
}

policy! {
    /// Who may unsubscribe, and how (Sympa's `unsubscribe` scenario).
    UnsubscribePolicy, strictest = Closed, {
        /// A member whose address is proven; done at once.
        Open = "open",
        /// As `open`, and the owners are told.
        OpenNotify = "open_notify",
        /// The member always confirms by mail first.
        Auth = "auth",
        /// As `auth`, and the owners are told.
        AuthNotify = "auth_notify",
        /// An owner decides.
        Owner = "owner",
        /// An owner decides, and the owners are told when it is done.
        OwnerNotify = "owner_notify",
        /// Only owners remove members.
        Closed = "closed",
    }
}

policy! {
    /// Who may see the member list (Sympa's `review` scenario).
    ReviewPolicy, strictest = Closed, {
        /// Anyone, logged in or not.
        Public = "public",
        /// Members, moderators, owners and listmasters.
        Private = "private",
        /// Owners and listmasters.
        Owner = "owner",
        /// Listmasters only.
        Closed = "closed",
    }
}

policy! {
    /// Who may read the web archives (Sympa's `archive.web_access`).
    ArchiveAccess, strictest = Closed, {
        /// Anyone.
        Public = "public",
        /// Members, moderators, owners and listmasters.
        Private = "private",
        /// Owners and listmasters.
        Owner = "owner",
        /// Listmasters only.
        Closed = "closed",
    }
}

policy! {
    /// Whether a list is in service (Sympa's `status`).
    ListStatus, strictest = Closed, {
        /// In service.
        Open = "open",
        /// Closed: kept, invisible, answers nothing.
        Closed = "closed",
        /// Created, waiting for a listmaster.
        Pending = "pending",
    }
}

policy! {
    /// Who may post to a list, and what happens to the others' posts (Sympa's `send`
    /// scenario, reduced to its common shipped values).
    SendPolicy, strictest = Closed, {
        /// Anyone; nothing is held.
        Public = "public",
        /// Members, moderators and owners post; anyone else is held for moderation
        /// (Sympa's `privateoreditorkey`).
        PrivateOrModerated = "privateoreditorkey",
        /// Members, moderators and owners post; anyone else is rejected (Sympa's `private`).
        Private = "private",
        /// Every post is held for moderation, except the moderators' own (Sympa's
        /// `editorkey`).
        Moderated = "editorkey",
        /// Every post is held, the moderators' own too (Sympa's `editorkeyonly`).
        ModeratedOnly = "editorkeyonly",
        /// Owners and moderators post; anyone else is rejected (Sympa's `newsletter`).
        Newsletter = "newsletter",
        /// Nobody posts (Sympa's `closed`).
        Closed = "closed",
    }
}

/// Every policy of one list, as the decision function needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListPolicy {
    /// Who sees the list.
    pub visibility: super::Visibility,
    /// Who subscribes, and how.
    pub subscribe: SubscribePolicy,
    /// Who unsubscribes, and how.
    pub unsubscribe: UnsubscribePolicy,
    /// Who sees the members.
    pub review: ReviewPolicy,
    /// Who reads the archives.
    pub archive: ArchiveAccess,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_strictest() {
        for policy in SubscribePolicy::ALL {
            assert_eq!(SubscribePolicy::parse(policy.as_str()), *policy);
        }
        for policy in UnsubscribePolicy::ALL {
            assert_eq!(UnsubscribePolicy::parse(policy.as_str()), *policy);
        }
        for policy in ReviewPolicy::ALL {
            assert_eq!(ReviewPolicy::parse(policy.as_str()), *policy);
        }
        assert_eq!(SubscribePolicy::parse("smime"), SubscribePolicy::Closed);
        assert_eq!(ReviewPolicy::parse(""), ReviewPolicy::Closed);
        assert_eq!(ArchiveAccess::parse("intranet"), ArchiveAccess::Closed);
        assert_eq!(SubscribePolicy::parse_exact("nope"), None);
    }
}
