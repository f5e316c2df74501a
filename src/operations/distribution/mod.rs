//! Distribution of list mail: the recipient rows a post gets in its own transaction; the
//! sender ([`crate::mail::distribute`]) then hands personalized (or bulk) copies to the MTA,
//! records each recipient's reply, retries 4xx for days and records 5xx for bounce handling
//! ([`crate::store::Db::delivery_failures_since`]).

use crate::domain::{Email, List};
use crate::store::ArchivedRef;

use super::{Error, Tx};

/// What queueing a post did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedPost {
    /// The recipients it will be sent to one by one (members in `mail` and `not_me` mode).
    pub recipients: u64,
}

/// Queues `message` (archived, `Visible`) for the members of `list` who receive each
/// message, in the caller's transaction (the post's at intake, the moderator's when a held
/// post is distributed). Members in digest or summary mode get it in their next digest,
/// from the archive; `nomail` members get nothing. Calling it twice for one message
/// queues nothing the second time (`recipients: 0`).
///
/// `sender` is the post's author: members in `mail` mode get the post, the author included
/// (Sympa's default), members in `not_me` mode all but the author.
/// The transaction notes the delivery ([`Tx::note_delivery`]) so that the door wakes the
/// sender after the commit; nothing here talks to the MTA.
pub fn queue_post(
    tx: &mut Tx<'_, '_>,
    list: &List,
    message: ArchivedRef,
    sender: Option<&Email>,
) -> Result<QueuedPost, Error> {
    let settings = tx.db.list_mail_settings(list.id)?;
    match tx
        .db
        .queue_delivery(list.id, message.id, settings.delivery, sender)?
    {
        Some((delivery, recipients)) => {
            tx.note_delivery(delivery);
            Ok(QueuedPost { recipients })
        }
        None => Ok(QueuedPost { recipients: 0 }),
    }
}
