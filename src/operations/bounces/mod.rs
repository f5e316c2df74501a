//! Bounces: VERP tokens and delivery status notifications (RFC 3464 and the MTAs' older
//! formats) turned into per-member scores, removal after the list's policy, and what the
//! owners' `reviewbouncing` page shows.

use crate::domain::List;

use super::{Error, Tx};

/// What a message to a list's bounce address was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BounceOutcome {
    /// A bounce for a member: counted.
    Counted {
        /// The member.
        email: String,
    },
    /// A bounce that names nobody we know (or a forged token): kept for the owners, not
    /// counted.
    Unattributed,
    /// Not a bounce (an auto-reply, mail for the owners): forwarded to the owners.
    NotABounce,
}

/// Handles a message sent to `LIST-owner[+TOKEN]` or `bounce+TOKEN`, in the caller's
/// transaction. `list` is `None` for `bounce+TOKEN` (the token's recipient row names it).
pub fn receive(
    tx: &mut Tx<'_, '_>,
    list: Option<&List>,
    token: Option<&str>,
    raw: &[u8],
) -> Result<BounceOutcome, Error> {
    let _ = (tx, list, token, raw);
    todo!("issue 11: bounces")
}
