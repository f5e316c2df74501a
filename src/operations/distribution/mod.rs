//! Distribution of list mail: the recipient rows a post gets in its own transaction, then
//! personalized (or bulk) copies handed to the MTA by the sender, with each recipient's reply
//! recorded, 4xx retried for days and 5xx recorded as a bounce.

use crate::domain::{Email, List};
use crate::store::ArchivedRef;

use super::{Error, Tx};

/// What queueing a post did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedPost {
    /// The recipients it will be sent to one by one (members in `mail` mode, less the
    /// sender when they chose `not_me`).
    pub recipients: u64,
}

/// Queues `message` (archived, `Visible`) for the members of `list` who receive each
/// message, in the caller's transaction (the post's at intake, the moderator's when a held
/// post is distributed). Members in digest or summary mode get it in their next digest,
/// from the archive; `nomail` members get nothing. Calling it twice for one message
/// queues nothing the second time.
pub fn queue_post(
    tx: &mut Tx<'_, '_>,
    list: &List,
    message: ArchivedRef,
    sender: Option<&Email>,
) -> Result<QueuedPost, Error> {
    let _ = (tx, list, message, sender);
    todo!("issue 11: distribution")
}
