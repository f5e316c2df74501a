//! Queries on the outbox (PostgreSQL): mail written with its cause, claimed under a lease by one sender at a time, retried.

use super::{Context, Db};
use crate::store::{now, ClaimedMail, Error, NewMail, OutboxCounts};

impl Db<'_> {
    /// Queues a message; returns its id.
    pub fn enqueue_mail(&self, mail: &NewMail) -> Result<i64, Error> {
        self.conn
            .query_one(
                "INSERT INTO outbox (kind, list_id, envelope_from, recipients, message, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 RETURNING id",
                &[
                    &mail.kind,
                    &mail.list.map(|l| l.0),
                    &mail.envelope_from,
                    &mail.recipients.join(","),
                    &mail.message,
                    &now(),
                ],
            )
            .and_then(|row| row.try_get(0))
            .context("queueing a mail")
    }

    /// Claims up to `limit` messages for sender `who` for `lease_seconds`, oldest first: those
    /// due now, and those whose sender's lease ran out (it died holding them). Two senders
    /// on any hosts never claim the same row: the subquery locks the rows it picks and skips
    /// those another sender is claiming (`FOR UPDATE SKIP LOCKED`).
    pub fn claim_due_mail(
        &self,
        who: &str,
        lease_seconds: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, Error> {
        let context = "claiming due mail";
        let at = now();
        let rows = self
            .conn
            .query(
                "UPDATE outbox SET state = 'sending', claimed_by = $1, lease_until = $2
                 WHERE id IN (SELECT id FROM outbox
                              WHERE (state = 'pending' AND next_attempt_at <= $3)
                                 OR (state = 'sending' AND lease_until < $3)
                              ORDER BY id LIMIT $4
                              FOR UPDATE SKIP LOCKED)
                 RETURNING id, kind, envelope_from, recipients, message, attempts, created_at",
                &[&who, &(at + lease_seconds), &at, &i64::from(limit)],
            )
            .context(context)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let read = || -> Result<ClaimedMail, postgres::Error> {
                let recipients: &str = row.try_get(3)?;
                Ok(ClaimedMail {
                    id: row.try_get(0)?,
                    kind: row.try_get(1)?,
                    envelope_from: row.try_get(2)?,
                    recipients: crate::store::shared::split_commas(recipients),
                    message: row.try_get(4)?,
                    attempts: row.try_get::<_, i64>(5)?.clamp(0, i64::from(u32::MAX)) as u32,
                    created_at: row.try_get(6)?,
                })
            };
            claimed.push(read().context(context)?);
        }
        // RETURNING comes in no promised order.
        claimed.sort_by_key(|mail| mail.id);
        Ok(claimed)
    }

    /// Extends the lease on everything `who` still holds; returns how many rows that is.
    pub fn renew_mail_claims(&self, who: &str, lease_seconds: i64) -> Result<usize, Error> {
        self.conn
            .execute(
                "UPDATE outbox SET lease_until = $2 WHERE claimed_by = $1 AND state = 'sending'",
                &[&who, &(now() + lease_seconds)],
            )
            .context("renewing mail claims")
            .map(|n| n as usize)
    }

    /// Gives back, untried and due at once, everything `who` still holds; returns how many.
    pub fn release_mail_claims(&self, who: &str) -> Result<usize, Error> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'pending', claimed_by = NULL, lease_until = NULL
                 WHERE claimed_by = $1 AND state = 'sending'",
                &[&who],
            )
            .context("releasing mail claims")
            .map(|n| n as usize)
    }

    /// Seconds until the next message is due (or a lease runs out), if any is waiting.
    pub fn next_mail_due_in(&self) -> Result<Option<i64>, Error> {
        self.conn
            .query_one(
                "SELECT MIN(at) FROM (
                   SELECT MIN(next_attempt_at) AS at FROM outbox WHERE state = 'pending'
                   UNION ALL
                   SELECT MIN(lease_until) + 1 FROM outbox WHERE state = 'sending') AS due",
                &[],
            )
            .and_then(|row| row.try_get::<_, Option<i64>>(0))
            .context("finding the next due mail")
            .map(|next| next.map(|at| (at - now()).max(0)))
    }

    /// Records that `who` handed message `id` to the MTA; its bytes (which may hold tickets)
    /// are dropped. False when `who` no longer held the claim.
    pub fn mail_sent(&self, id: i64, who: &str) -> Result<bool, Error> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'sent', sent_at = $3, attempts = attempts + 1, message = ''::bytea,
                 lease_until = NULL, last_error = NULL
                 WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
                &[&id, &who, &now()],
            )
            .context("recording a sent mail")
            .map(|n| n == 1)
    }

    /// Records a failed try by `who`: retried `retry_in` seconds from now, or given up when
    /// `None`; the claim is released. False when `who` no longer held the claim.
    pub fn mail_failed(
        &self,
        id: i64,
        who: &str,
        error: &str,
        retry_in: Option<i64>,
    ) -> Result<bool, Error> {
        let at = now();
        let (state, next) = match retry_in {
            Some(delay) => ("pending", at + delay),
            None => ("failed", at),
        };
        self.conn
            .execute(
                "UPDATE outbox SET state = $3, attempts = attempts + 1, next_attempt_at = $4,
                 claimed_by = NULL, lease_until = NULL, last_error = $5
                 WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
                &[
                    &id,
                    &who,
                    &state,
                    &next,
                    &error.chars().take(1000).collect::<String>(),
                ],
            )
            .context("recording a failed mail")
            .map(|n| n == 1)
    }

    /// The bytes of outbox message `id` (empty once sent), without claiming it; for tests and inspection.
    pub fn outbox_message(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        self.conn
            .query_opt("SELECT message FROM outbox WHERE id = $1", &[&id])
            .and_then(|row| row.map(|row| row.try_get(0)).transpose())
            .context("reading an outbox message")
    }

    /// How many messages are in each state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, Error> {
        let context = "counting the outbox";
        let rows = self
            .conn
            .query("SELECT state, COUNT(*) FROM outbox GROUP BY state", &[])
            .context(context)?;
        let mut counts = OutboxCounts::default();
        for row in &rows {
            let state: &str = row.try_get(0).context(context)?;
            let n = row.try_get::<_, i64>(1).context(context)?.max(0) as u64;
            crate::store::shared::count_state(&mut counts, state, n)
        }
        Ok(counts)
    }
}
