//! Queries on the outbox: mail written with its cause, claimed by one sender at a time, retried.

use rusqlite::{params, OptionalExtension};

use super::{now, Context, Db, Error};
use crate::domain::ListId;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// The template it came from (`sendpasswd`, `welcome`, ...).
    pub kind: String,
    /// The list concerned, if any.
    pub list: Option<ListId>,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 bytes.
    pub message: Vec<u8>,
}

/// A message a sender has claimed and must now try.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    /// Its row id.
    pub id: i64,
    /// The template it came from.
    pub kind: String,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 bytes.
    pub message: Vec<u8>,
    /// Tries before this one.
    pub attempts: u32,
    /// When it was queued, in seconds since the epoch.
    pub created_at: i64,
}

/// How many messages are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting (first try or a retry).
    pub pending: u64,
    /// Claimed by a sender right now.
    pub sending: u64,
    /// Handed to the MTA.
    pub sent: u64,
    /// Given up.
    pub failed: u64,
}

/// How long a claim protects a message from other senders, in seconds.
const CLAIM_SECONDS: i64 = 120;

impl Db<'_> {
    /// Queues a message; returns its id.
    pub fn enqueue_mail(&self, mail: &NewMail) -> Result<i64, Error> {
        let at = now();
        self.conn
            .execute(
                "INSERT INTO outbox (kind, list_id, envelope_from, recipients, message, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    mail.kind,
                    mail.list.map(|l| l.0),
                    mail.envelope_from,
                    mail.recipients.join(","),
                    mail.message,
                    at
                ],
            )
            .context("queueing a mail")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Claims message `id` if it is due (or its claim went stale); `None` if another sender has it or it is done.
    pub fn claim_mail(&self, id: i64) -> Result<Option<ClaimedMail>, Error> {
        let at = now();
        self.conn
            .query_row(
                "UPDATE outbox SET state = 'sending', claimed_until = ?2
                 WHERE id = ?1 AND ((state = 'pending' AND next_attempt_at <= ?3)
                                    OR (state = 'sending' AND claimed_until < ?3))
                 RETURNING id, kind, envelope_from, recipients, message, attempts, created_at",
                params![id, at + CLAIM_SECONDS, at],
                |row| {
                    Ok(ClaimedMail {
                        id: row.get(0)?,
                        kind: row.get(1)?,
                        envelope_from: row.get(2)?,
                        recipients: row
                            .get::<_, String>(3)?
                            .split(',')
                            .filter(|r| !r.is_empty())
                            .map(str::to_string)
                            .collect(),
                        message: row.get(4)?,
                        attempts: row.get(5)?,
                        created_at: row.get(6)?,
                    })
                },
            )
            .optional()
            .context("claiming a mail")
    }

    /// The ids of messages due now, oldest first, at most `limit`.
    pub fn due_mail(&self, limit: u32) -> Result<Vec<i64>, Error> {
        let at = now();
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT id FROM outbox WHERE (state = 'pending' AND next_attempt_at <= ?1)
                   OR (state = 'sending' AND claimed_until < ?1)
                 ORDER BY id LIMIT ?2",
            )
            .context("listing due mail")?;
        let rows = statement
            .query_map(params![at, limit], |row| row.get(0))
            .context("listing due mail")?;
        rows.collect::<Result<_, _>>().context("listing due mail")
    }

    /// Seconds until the next pending message is due, if any is waiting.
    pub fn next_mail_due_in(&self) -> Result<Option<i64>, Error> {
        self.conn
            .query_row(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'",
                [],
                |row| row.get::<_, Option<i64>>(0),
            )
            .context("finding the next due mail")
            .map(|next| next.map(|at| (at - now()).max(0)))
    }

    /// Records that a message was handed to the MTA; its bytes (which may hold tickets) are dropped.
    pub fn mail_sent(&self, id: i64) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?2, attempts = attempts + 1, message = x'',
                 claimed_until = NULL, last_error = NULL WHERE id = ?1",
                params![id, now()],
            )
            .context("recording a sent mail")
            .map(|_| ())
    }

    /// Records a failed try: retried `retry_in` seconds from now, or given up when `None`.
    pub fn mail_failed(&self, id: i64, error: &str, retry_in: Option<i64>) -> Result<(), Error> {
        let at = now();
        let (state, next) = match retry_in {
            Some(delay) => ("pending", at + delay),
            None => ("failed", at),
        };
        self.conn
            .execute(
                "UPDATE outbox SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3,
                 claimed_until = NULL, last_error = ?4 WHERE id = ?1",
                params![
                    id,
                    state,
                    next,
                    error.chars().take(1000).collect::<String>()
                ],
            )
            .context("recording a failed mail")
            .map(|_| ())
    }

    /// The bytes of outbox message `id` (empty once sent), without claiming it; for tests and inspection.
    pub fn outbox_message(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        self.conn
            .query_row("SELECT message FROM outbox WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .context("reading an outbox message")
    }

    /// How many messages are in each state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, Error> {
        let context = "counting the outbox";
        let mut statement = self
            .conn
            .prepare_cached("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .context(context)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
            })
            .context(context)?;
        let mut counts = OutboxCounts::default();
        for row in rows {
            let (state, n) = row.context(context)?;
            match state.as_str() {
                "pending" => counts.pending = n,
                "sending" => counts.sending = n,
                "sent" => counts.sent = n,
                _ => counts.failed = n,
            }
        }
        Ok(counts)
    }
}
