//! Queries on list distribution: a post's recipient rows, written with the post, claimed under a lease one delivery at a time, each recipient's reply recorded.

use rusqlite::{params, OptionalExtension};

use super::{Context, Db};
use crate::domain::{DeliveryMode, Email, ListId};
use crate::store::{
    archiving, now, ClaimedRcpt, DeliveryCounts, DeliveryRcpt, DeliveryRecord, Error, RcptOutcome,
    RcptState,
};

/// The columns a [`DeliveryRcpt`] is read from, for `FROM delivery_rcpts r JOIN deliveries d`.
const RCPT_COLUMNS: &str =
    "r.id, r.delivery_id, d.list_id, d.message, r.email, r.state, r.attempts,
     r.last_code, r.last_text, r.updated_at";

fn rcpt(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRcpt> {
    let state: String = row.get(5)?;
    Ok(DeliveryRcpt {
        id: row.get(0)?,
        delivery: row.get(1)?,
        list: ListId(row.get(2)?),
        message: row.get(3)?,
        email: row.get(4)?,
        state: RcptState::parse(&state).unwrap_or(RcptState::Failed),
        attempts: row.get(6)?,
        last_code: row.get(7)?,
        last_text: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

impl Db<'_> {
    /// Queues archived `message` of `list` for every member whose reception is `mail`, and
    /// every `not_me` member but `author`; `None` when it was queued already.
    pub fn queue_delivery(
        &self,
        list: ListId,
        message: i64,
        mode: DeliveryMode,
        author: Option<&Email>,
    ) -> Result<Option<(i64, u64)>, Error> {
        let context = "queueing a delivery";
        let at = now();
        let id: Option<i64> = self
            .conn
            .prepare_cached(
                "INSERT INTO deliveries (list_id, message, kind, mode, created_at)
                 VALUES (?1, ?2, 'post', ?3, ?4)
                 ON CONFLICT (list_id, message, kind) DO NOTHING
                 RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(params![list.0, message, mode.as_str(), at], |row| {
                    row.get(0)
                })
                .optional()
            })
            .context(context)?;
        let Some(id) = id else {
            return Ok(None);
        };
        // One statement for the whole list; ids in domain order, so that a claim (id order)
        // takes one domain's recipients together.
        let added = self
            .conn
            .prepare_cached(
                "INSERT INTO delivery_rcpts (delivery_id, email, domain, next_attempt_at, updated_at)
                 SELECT ?1, email, substr(email, instr(email, '@') + 1), ?2, ?2
                 FROM members
                 WHERE list_id = ?3
                   -- `not_me` members get every post but their own (?4: the author).
                   AND (reception = 'mail' OR (reception = 'not_me' AND email IS NOT ?4))
                   -- Members whose delivery bounces stopped (member_bounces, 011) get none.
                   AND NOT EXISTS (SELECT 1 FROM member_bounces b
                                   WHERE b.member_id = members.id AND b.disabled_at IS NOT NULL)
                 ORDER BY substr(email, instr(email, '@') + 1), email",
            )
            .and_then(|mut s| s.execute(params![id, at, list.0, author.map(Email::as_str)]))
            .context(context)?;
        Ok(Some((id, added as u64)))
    }

    /// Claims up to `limit` due recipients of one delivery that has any (the first found by the due-time index: one index probe, whatever the queue's size), for `who`.
    ///
    /// One statement (after giving back rows whose lease ran out), under SQLite's write lock,
    /// so two senders never claim the same row.
    pub fn claim_delivery_rcpts(
        &self,
        who: &str,
        lease_seconds: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedRcpt>, Error> {
        let context = "claiming recipients";
        let at = now();
        self.conn
            .prepare_cached(
                "UPDATE delivery_rcpts SET state = 'deferred', claimed_by = NULL, lease_until = NULL
                 WHERE state = 'sending' AND lease_until < ?1",
            )
            .and_then(|mut s| s.execute([at]))
            .context(context)?;
        let mut statement = self
            .conn
            .prepare_cached(
                "UPDATE delivery_rcpts SET state = 'sending', claimed_by = ?1, lease_until = ?2, updated_at = ?3
                 WHERE id IN (
                   SELECT id FROM delivery_rcpts
                   WHERE state IN ('pending', 'deferred') AND next_attempt_at <= ?3
                     AND delivery_id = (SELECT delivery_id FROM delivery_rcpts
                                        WHERE state IN ('pending', 'deferred') AND next_attempt_at <= ?3
                                        LIMIT 1)
                   ORDER BY id LIMIT ?4)
                 RETURNING id, delivery_id, email, domain, attempts",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![who, at + lease_seconds, at, limit], |row| {
                Ok(ClaimedRcpt {
                    id: row.get(0)?,
                    delivery: row.get(1)?,
                    email: row.get(2)?,
                    domain: row.get(3)?,
                    attempts: row.get(4)?,
                })
            })
            .context(context)?;
        let mut claimed = rows.collect::<Result<Vec<_>, _>>().context(context)?;
        // RETURNING comes in no promised order.
        claimed.sort_by_key(|r| r.id);
        Ok(claimed)
    }

    /// One delivery, with what the sender needs of its archived message.
    pub fn delivery(&self, id: i64) -> Result<Option<DeliveryRecord>, Error> {
        let context = "reading a delivery";
        let row = self
            .conn
            .prepare_cached(
                "SELECT d.id, d.list_id, d.message, d.mode, d.created_at, m.month, m.permalink,
                        m.from_addr, m.from_name
                 FROM deliveries d JOIN archive_messages m ON m.id = d.message
                 WHERE d.id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, i64>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, String>(7)?,
                        row.get::<_, String>(8)?,
                    ))
                })
                .optional()
            })
            .context(context)?;
        let Some((id, list, message, mode, created_at, month, permalink, from_addr, from_name)) =
            row
        else {
            return Ok(None);
        };
        Ok(Some(DeliveryRecord {
            id,
            list: ListId(list),
            message,
            mode: DeliveryMode::parse(&mode),
            created_at,
            month: archiving::month_of(&month)?,
            permalink: permalink.unwrap_or_default(),
            from_addr: Some(from_addr).filter(|a| !a.is_empty()),
            from_name: Some(from_name).filter(|n| !n.is_empty()),
        }))
    }

    /// Records what the MTA said of recipients `who` holds; returns how many it still held.
    pub fn record_rcpt_outcomes(
        &self,
        who: &str,
        outcomes: &[RcptOutcome],
    ) -> Result<usize, Error> {
        let context = "recording recipients' replies";
        let at = now();
        let mut statement = self
            .conn
            .prepare_cached(
                "UPDATE delivery_rcpts SET state = ?3, attempts = attempts + 1, next_attempt_at = ?4,
                        last_code = ?5, last_text = ?6, updated_at = ?7,
                        lease_until = NULL, claimed_by = CASE WHEN ?3 = 'sent' THEN claimed_by END
                 WHERE id = ?1 AND claimed_by = ?2 AND state = 'sending'",
            )
            .context(context)?;
        let mut held = 0;
        for outcome in outcomes {
            held += statement
                .execute(params![
                    outcome.id,
                    who,
                    outcome.state.as_str(),
                    outcome.retry_at,
                    outcome.code,
                    outcome.text.chars().take(1000).collect::<String>(),
                    at
                ])
                .context(context)?;
        }
        Ok(held)
    }

    /// Extends the lease on every recipient `who` holds.
    pub fn renew_rcpt_claims(&self, who: &str, lease_seconds: i64) -> Result<usize, Error> {
        self.execute(
                "UPDATE delivery_rcpts SET lease_until = ?2 WHERE claimed_by = ?1 AND state = 'sending'",
                params![who, now() + lease_seconds],
            )
            .context("renewing recipient claims")
    }

    /// Gives back, untried and due at once, every recipient `who` holds.
    pub fn release_rcpt_claims(&self, who: &str) -> Result<usize, Error> {
        self.execute(
                "UPDATE delivery_rcpts SET state = CASE WHEN attempts = 0 THEN 'pending' ELSE 'deferred' END,
                        claimed_by = NULL, lease_until = NULL, next_attempt_at = ?2
                 WHERE claimed_by = ?1 AND state = 'sending'",
                params![who, now()],
            )
            .context("releasing recipient claims")
    }

    /// Seconds until the next recipient is due (or a lease runs out), if any is waiting.
    pub fn next_rcpt_due_in(&self) -> Result<Option<i64>, Error> {
        self.query_row(
            "SELECT MIN(at) FROM (
                   SELECT MIN(next_attempt_at) AS at FROM delivery_rcpts
                   WHERE state IN ('pending', 'deferred')
                   UNION ALL
                   SELECT MIN(lease_until) + 1 FROM delivery_rcpts WHERE state = 'sending')",
            [],
            |row| row.get::<_, Option<i64>>(0),
        )
        .context("finding the next due recipient")
        .map(|next| next.map(|at| (at - now()).max(0)))
    }

    /// How many recipients of delivery `id` (of all with `None`) are in each state.
    pub fn delivery_counts(&self, id: Option<i64>) -> Result<DeliveryCounts, Error> {
        let context = "counting recipients";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT state, COUNT(*) FROM delivery_rcpts
                 WHERE ?1 IS NULL OR delivery_id = ?1 GROUP BY state",
            )
            .context(context)?;
        let rows = statement
            .query_map([id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
            })
            .context(context)?;
        let mut counts = DeliveryCounts::default();
        for row in rows {
            let (state, n) = row.context(context)?;
            crate::store::shared::count_rcpt_state(&mut counts, &state, n);
        }
        Ok(counts)
    }

    /// The delivery of archived `message` to `list`, if it was queued.
    pub fn delivery_of(&self, list: ListId, message: i64) -> Result<Option<i64>, Error> {
        self.query_row(
            "SELECT id FROM deliveries WHERE list_id = ?1 AND message = ?2 AND kind = 'post'",
            params![list.0, message],
            |row| row.get(0),
        )
        .optional()
        .context("finding a delivery")
    }

    /// One recipient row.
    pub fn delivery_rcpt(&self, id: i64) -> Result<Option<DeliveryRcpt>, Error> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {RCPT_COLUMNS} FROM delivery_rcpts r JOIN deliveries d ON d.id = r.delivery_id
                 WHERE r.id = ?1"
            ))
            .and_then(|mut s| s.query_row([id], rcpt).optional())
            .context("reading a recipient")
    }

    /// Recipients that failed for good at or after `since`, oldest first.
    pub fn delivery_failures_since(
        &self,
        since: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryRcpt>, Error> {
        let context = "reading failed recipients";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RCPT_COLUMNS} FROM delivery_rcpts r JOIN deliveries d ON d.id = r.delivery_id
                 WHERE r.state = 'failed' AND r.updated_at >= ?1
                 ORDER BY r.updated_at, r.id LIMIT ?2"
            ))
            .context(context)?;
        let rows = statement
            .query_map(params![since, limit], rcpt)
            .context(context)?;
        rows.collect::<Result<Vec<_>, _>>().context(context)
    }
}
