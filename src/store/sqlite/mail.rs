//! Queries on the outbox: mail written with its cause, claimed under a lease by one sender at a time, retried.

use rusqlite::{params, OptionalExtension};

use super::{Context, Db};
use crate::store::{now, ClaimedMail, Error, NewMail, OutboxCounts};

impl Db<'_> {
    /// Queues a message; returns its id.
    pub fn enqueue_mail(&self, mail: &NewMail) -> Result<i64, Error> {
        let at = now();
        self.query_row(
                "INSERT INTO outbox (kind, list_id, envelope_from, recipients, message, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 RETURNING id",
                params![
                    mail.kind,
                    mail.list.map(|l| l.0),
                    mail.envelope_from,
                    mail.recipients.join(","),
                    mail.message,
                    at
                ],
                |row| row.get(0),
            )
            .context("queueing a mail")
    }

    /// Claims up to `limit` messages for sender `who` for `lease_seconds`, oldest first: those
    /// due now, and those whose sender's lease ran out (it died holding them).
    ///
    /// One statement, so two senders never claim the same row: SQLite runs it under the write
    /// lock. On PostgreSQL the same statement takes `FOR UPDATE SKIP LOCKED` in the subquery.
    pub fn claim_due_mail(
        &self,
        who: &str,
        lease_seconds: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, Error> {
        let context = "claiming due mail";
        let at = now();
        let mut statement = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET state = 'sending', claimed_by = ?1, lease_until = ?2
                 WHERE id IN (SELECT id FROM outbox
                              WHERE (state = 'pending' AND next_attempt_at <= ?3)
                                 OR (state = 'sending' AND lease_until < ?3)
                              ORDER BY id LIMIT ?4)
                 RETURNING id, kind, envelope_from, recipients, message, attempts, created_at",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![who, at + lease_seconds, at, limit], |row| {
                Ok(ClaimedMail {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    envelope_from: row.get(2)?,
                    recipients: crate::store::shared::split_commas(&row.get::<_, String>(3)?),
                    message: row.get(4)?,
                    attempts: row.get(5)?,
                    created_at: row.get(6)?,
                })
            })
            .context(context)?;
        let mut claimed = rows.collect::<Result<Vec<_>, _>>().context(context)?;
        // RETURNING comes in no promised order.
        claimed.sort_by_key(|mail| mail.id);
        Ok(claimed)
    }

    /// Extends the lease on everything `who` still holds; returns how many rows that is.
    pub fn renew_mail_claims(&self, who: &str, lease_seconds: i64) -> Result<usize, Error> {
        self.execute(
            "UPDATE outbox SET lease_until = ?2 WHERE claimed_by = ?1 AND state = 'sending'",
            params![who, now() + lease_seconds],
        )
        .context("renewing mail claims")
    }

    /// Gives back, untried and due at once, everything `who` still holds; returns how many.
    pub fn release_mail_claims(&self, who: &str) -> Result<usize, Error> {
        self.execute(
            "UPDATE outbox SET state = 'pending', claimed_by = NULL, lease_until = NULL
                 WHERE claimed_by = ?1 AND state = 'sending'",
            params![who],
        )
        .context("releasing mail claims")
    }

    /// Seconds until the next message is due (or a lease runs out), if any is waiting.
    pub fn next_mail_due_in(&self) -> Result<Option<i64>, Error> {
        self.query_row(
            "SELECT MIN(at) FROM (
                   SELECT MIN(next_attempt_at) AS at FROM outbox WHERE state = 'pending'
                   UNION ALL
                   SELECT MIN(lease_until) + 1 FROM outbox WHERE state = 'sending')",
            [],
            |row| row.get::<_, Option<i64>>(0),
        )
        .context("finding the next due mail")
        .map(|next| next.map(|at| (at - now()).max(0)))
    }

    /// Records that `who` handed message `id` to the MTA; its bytes (which may hold tickets)
    /// are dropped. False when `who` no longer held the claim (its lease ran out and another
    /// sender took the message over).
    pub fn mail_sent(&self, id: i64, who: &str) -> Result<bool, Error> {
        // `x''` is SQLite's empty blob literal (PostgreSQL: `''::bytea`).
        self.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?3, attempts = attempts + 1, message = x'',
                 lease_until = NULL, last_error = NULL
                 WHERE id = ?1 AND claimed_by = ?2 AND state = 'sending'",
                params![id, who, now()],
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
        self.execute(
            "UPDATE outbox SET state = ?3, attempts = attempts + 1, next_attempt_at = ?4,
                 claimed_by = NULL, lease_until = NULL, last_error = ?5
                 WHERE id = ?1 AND claimed_by = ?2 AND state = 'sending'",
            params![
                id,
                who,
                state,
                next,
                error.chars().take(1000).collect::<String>()
            ],
        )
        .context("recording a failed mail")
        .map(|n| n == 1)
    }

    /// The bytes of outbox message `id` (empty once sent), without claiming it; for tests and inspection.
    pub fn outbox_message(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        self.query_row("SELECT message FROM outbox WHERE id = ?1", [id], |row| {
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
            crate::store::shared::count_state(&mut counts, &state, n)
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn queue(store: &Store, n: usize) -> Vec<i64> {
        let mail = NewMail {
            kind: "welcome".into(),
            list: None,
            envelope_from: "sympa@lists.example.org".into(),
            recipients: vec!["a@example.org".into()],
            message: b"Subject: hi\r\n\r\nhi\r\n".to_vec(),
        };
        (0..n)
            .map(|_| store.db().enqueue_mail(&mail).unwrap())
            .collect()
    }

    fn ids(claimed: &[ClaimedMail]) -> Vec<i64> {
        claimed.iter().map(|m| m.id).collect()
    }

    #[test]
    fn claims_are_disjoint_and_only_their_holder_records_the_outcome() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let queued = queue(&store, 5);
        let a = store.db().claim_due_mail("a", 300, 3).unwrap();
        let b = store.db().claim_due_mail("b", 300, 3).unwrap();
        assert_eq!(ids(&a), queued[..3]);
        assert_eq!(ids(&b), queued[3..]);
        assert!(store.db().claim_due_mail("c", 300, 3).unwrap().is_empty());
        // Only the holder records a result.
        assert!(!store.db().mail_sent(queued[0], "b").unwrap());
        assert!(store.db().mail_sent(queued[0], "a").unwrap());
        assert!(!store.db().mail_sent(queued[0], "a").unwrap(), "once");
        assert!(store
            .db()
            .mail_failed(queued[1], "a", "421", Some(60))
            .unwrap());
        // Released rows are due again at once; a failed one waits for its retry.
        assert_eq!(store.db().release_mail_claims("a").unwrap(), 1);
        assert_eq!(
            ids(&store.db().claim_due_mail("c", 300, 9).unwrap()),
            [queued[2]]
        );
        let counts = store.db().outbox_counts().unwrap();
        assert_eq!((counts.sent, counts.pending, counts.sending), (1, 1, 3));
    }

    #[test]
    fn an_expired_lease_is_taken_over() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let queued = queue(&store, 2);
        // A lease that ran out a second ago: its sender died holding it.
        let dead = store.db().claim_due_mail("dead", -2, 1).unwrap();
        assert_eq!(ids(&dead), [queued[0]]);
        let live = store.db().claim_due_mail("live", 300, 9).unwrap();
        assert_eq!(ids(&live), queued);
        assert!(!store.db().mail_sent(queued[0], "dead").unwrap());
        assert!(store.db().mail_sent(queued[0], "live").unwrap());
        assert_eq!(store.db().renew_mail_claims("live", 300).unwrap(), 1);
    }
}
