//! A list's archive: storing messages (from list mail and imports), reading months, threads and messages, search, exports, and owners hiding or deleting messages.

pub mod import;
pub mod manage;
pub mod read;

use crate::archive;
use crate::domain::{ArchivedState, List, Month};
use crate::store::{self, Archived, Db, NewArchived};

/// How far a Date header may lie ahead of the arrival before the arrival is used instead
/// (Mailman's `clobber_date` rule): a day.
pub const FUTURE_DATE_SLACK: i64 = 86_400;

/// A message arriving in a list's archive.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// Its original bytes.
    pub raw: &'a [u8],
    /// When it arrived, in seconds since the epoch.
    pub arrived_at: i64,
    /// The month an imported archive kept it under; `None` for the month of `arrived_at`.
    pub month: Option<Month>,
    /// The MHonArc number an imported Sympa archive gave it, kept so that its old
    /// `msgNNNNN.html` URL resolves.
    pub legacy_seq: Option<u32>,
}

/// Stores `incoming` in `list`'s archive inside the caller's transaction (list mail
/// through LMTP, an import's batch): parses it under the archive's caps, derives its ids,
/// threads and indexes it. The same bytes twice are stored once.
pub fn store_message(
    db: &Db<'_>,
    list: &List,
    incoming: &Incoming<'_>,
) -> Result<Archived, store::Error> {
    let parsed = archive::parse(incoming.raw);
    store_parsed(db, list, incoming, &parsed, ArchivedState::Visible)
}

/// As [`store_message`], for a message already parsed (by [`archive::parse`] on the same
/// bytes) and in `state`: `Visible` for a post distributed at once, `Held` for one waiting
/// for a moderator (on no archive page, not indexed until it is distributed).
pub fn store_parsed(
    db: &Db<'_>,
    list: &List,
    incoming: &Incoming<'_>,
    parsed: &archive::Parsed,
    state: ArchivedState,
) -> Result<Archived, store::Error> {
    let date = sane_date(parsed.date, incoming.arrived_at);
    let month = incoming
        .month
        .unwrap_or_else(|| Month::of_timestamp(incoming.arrived_at));
    db.archive_message(&NewArchived {
        list: list.id,
        raw: incoming.raw,
        message_id: &parsed.message_id,
        permalink: &archive::ids::sympa_permalink(&parsed.message_id),
        hyperkitty: &archive::ids::hyperkitty_hash(&parsed.message_id),
        references: &parsed.references,
        from_addr: &parsed.from_addr,
        from_name: &parsed.from_name,
        subject: &parsed.subject,
        date,
        arrived_at: incoming.arrived_at,
        month,
        legacy_seq: incoming.legacy_seq,
        attachments: parsed.attachments,
        index: &parsed.index,
        extract_version: archive::EXTRACT_VERSION,
        state,
    })
}

/// The date a message is filed and sorted under: its Date header, unless missing, before
/// 1971 (a zeroed clock) or more than [`FUTURE_DATE_SLACK`] after it arrived; then its
/// arrival.
pub fn sane_date(header: Option<i64>, arrived_at: i64) -> i64 {
    match header {
        Some(date) if date >= 365 * 86_400 && date <= arrived_at + FUTURE_DATE_SLACK => date,
        _ => arrived_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_future_or_1970_give_way_to_the_arrival() {
        let arrived = 1_700_000_000;
        assert_eq!(sane_date(Some(arrived - 3_600), arrived), arrived - 3_600);
        assert_eq!(
            sane_date(Some(arrived + FUTURE_DATE_SLACK), arrived),
            arrived + FUTURE_DATE_SLACK
        );
        assert_eq!(
            sane_date(Some(arrived + FUTURE_DATE_SLACK + 1), arrived),
            arrived
        );
        assert_eq!(sane_date(Some(0), arrived), arrived);
        assert_eq!(sane_date(Some(365 * 86_400 - 1), arrived), arrived);
        assert_eq!(sane_date(Some(365 * 86_400), arrived), 365 * 86_400);
        assert_eq!(sane_date(None, arrived), arrived);
    }
}
