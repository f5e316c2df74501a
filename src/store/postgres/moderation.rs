//! Queries of moderation (PostgreSQL): held posts with what the archive keeps of them, the
//! decisions taken once, the keys mailed to one person, the sender's history, reminders and
//! expiry, and the moderators' digests.

use postgres::Row;

use super::{Context, Db, Params};
use crate::domain::{ListId, Month};
use crate::store::shared::{add_to_history, parse_reasons, HELD_COLUMNS, HELD_FROM};
use crate::store::{DueDigest, Error, HeldDecision, HeldHistory, HeldRecord, KeyedHeld};

fn held_row(row: &Row) -> Result<HeldRecord, postgres::Error> {
    let reasons: String = row.try_get(7)?;
    let decided_at: Option<i64> = row.try_get(11)?;
    let decision: Option<String> = row.try_get(13)?;
    Ok(HeldRecord {
        message: row.try_get(0)?,
        list: ListId(row.try_get(1)?),
        sender: row.try_get(2)?,
        from_name: row.try_get(3)?,
        subject: row.try_get(4)?,
        size: row.try_get::<_, i64>(5)?.max(0) as u64,
        attachments: row.try_get::<_, i64>(6)?.clamp(0, u32::MAX as i64) as u32,
        month: Month::parse(&row.try_get::<_, String>(15)?)
            .unwrap_or_else(|| Month::of_timestamp(0)),
        seq: row.try_get::<_, i64>(16)?.clamp(0, u32::MAX as i64) as u32,
        reasons: parse_reasons(&reasons),
        held_at: row.try_get(8)?,
        expires_at: row.try_get(9)?,
        reminded_at: row.try_get(10)?,
        decided: match (decided_at, decision) {
            (Some(at), Some(decision)) => Some(HeldDecision {
                decision,
                by: row.try_get(12)?,
                at,
                note: row.try_get(14)?,
            }),
            _ => None,
        },
    })
}

fn limit(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

impl Db<'_> {
    fn held_where(
        &self,
        condition: &str,
        values: Params<'_>,
        context: &str,
    ) -> Result<Vec<HeldRecord>, Error> {
        let sql = format!("SELECT {HELD_COLUMNS} FROM {HELD_FROM} WHERE {condition}");
        let rows = self.conn.query(&sql, values).context(context)?;
        rows.iter()
            .map(held_row)
            .collect::<Result<Vec<_>, _>>()
            .context(context)
    }

    /// The held post of archived message `message`, decided or not.
    pub fn held_message(&self, message: i64) -> Result<Option<HeldRecord>, Error> {
        Ok(self
            .held_where("h.message = $1", &[&message], "reading a held post")?
            .pop())
    }

    /// The held post of `list` that a mailed key opens for `purpose` (see the SQLite store).
    pub fn held_by_key(
        &self,
        list: ListId,
        key_hash: &str,
        purpose: &str,
    ) -> Result<Option<KeyedHeld>, Error> {
        let context = "reading a held post by its key";
        if purpose == "moderate" {
            let shared = self.held_where(
                "h.key_hash = $1 AND h.list_id = $2",
                &[&key_hash, &list.0],
                context,
            )?;
            if let Some(held) = shared.into_iter().next() {
                return Ok(Some(KeyedHeld { held, holder: None }));
            }
        }
        let found = self
            .conn
            .query_opt(
                "SELECT message, holder FROM moderation_keys WHERE key_hash = $1 AND purpose = $2",
                &[&key_hash, &purpose],
            )
            .context(context)?;
        let Some(row) = found else {
            return Ok(None);
        };
        let (message, holder): (i64, String) =
            (|| Ok((row.try_get(0)?, row.try_get(1)?)))().context(context)?;
        Ok(self
            .held_message(message)?
            .filter(|held| held.list == list)
            .map(|held| KeyedHeld {
                held,
                holder: Some(holder),
            }))
    }

    /// Records a key mailed to `holder` for held post `message` (its hash only).
    pub fn add_moderation_key(
        &self,
        key_hash: &str,
        message: i64,
        holder: &str,
        purpose: &str,
        created_at: i64,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO moderation_keys (key_hash, message, holder, purpose, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&key_hash, &message, &holder, &purpose, &created_at],
            )
            .context("recording a moderation key")?;
        Ok(())
    }

    /// The posts of `list` waiting for a decision, oldest first, `limit` from `offset`.
    pub fn held_queue(
        &self,
        list: ListId,
        offset: u64,
        count: u64,
    ) -> Result<Vec<HeldRecord>, Error> {
        self.held_where(
            "h.list_id = $1 AND h.decided_at IS NULL ORDER BY h.held_at, h.message LIMIT $2 OFFSET $3",
            &[&list.0, &limit(count), &limit(offset)],
            "reading the held posts",
        )
    }

    /// How many posts of `list` wait for a decision.
    pub fn held_count(&self, list: ListId) -> Result<u64, Error> {
        let row = self
            .conn
            .query_one(
                "SELECT count(*) FROM held_messages WHERE list_id = $1 AND decided_at IS NULL",
                &[&list.0],
            )
            .context("counting the held posts")?;
        let count: i64 = row.try_get(0).context("counting the held posts")?;
        Ok(count.max(0) as u64)
    }

    /// Records the decision on held post `message` if none was taken yet; returns true if
    /// and only if this call took it.
    pub fn decide_held(
        &self,
        message: i64,
        decision: &str,
        by: Option<&str>,
        note: &str,
        at: i64,
    ) -> Result<bool, Error> {
        let changed = self
            .conn
            .execute(
                "UPDATE held_messages SET decision = $2, decided_by = $3, note = $4, decided_at = $5
                 WHERE message = $1 AND decided_at IS NULL",
                &[&message, &decision, &by, &note, &at],
            )
            .context("deciding a held post")?;
        Ok(changed == 1)
    }

    /// What the held posts of `list` from `sender` became, post `except` left out.
    pub fn sender_held_history(
        &self,
        list: ListId,
        sender: &str,
        except: i64,
    ) -> Result<HeldHistory, Error> {
        let context = "reading a sender's held posts";
        let rows = self
            .conn
            .query(
                "SELECT coalesce(decision, ''), count(*) FROM held_messages
                 WHERE list_id = $1 AND sender = $2 AND message <> $3 GROUP BY 1",
                &[&list.0, &sender, &except],
            )
            .context(context)?;
        let mut history = HeldHistory::default();
        for row in rows {
            let decision: String = row.try_get(0).context(context)?;
            let count: i64 = row.try_get(1).context(context)?;
            add_to_history(&mut history, &decision, count);
        }
        Ok(history)
    }

    /// Undecided posts, never reminded, at least half-way to their expiry and not expired
    /// at `now`, oldest first, at most `limit`.
    pub fn held_due_reminders(&self, now: i64, count: u64) -> Result<Vec<HeldRecord>, Error> {
        self.held_where(
            "h.decided_at IS NULL AND h.reminded_at IS NULL
             AND h.held_at + (h.expires_at - h.held_at) / 2 <= $1 AND h.expires_at > $1
             ORDER BY h.held_at, h.message LIMIT $2",
            &[&now, &limit(count)],
            "reading the held posts due for a reminder",
        )
    }

    /// Marks held post `message` reminded at `at`, once; true if and only if this call did.
    pub fn mark_held_reminded(&self, message: i64, at: i64) -> Result<bool, Error> {
        let changed = self
            .conn
            .execute(
                "UPDATE held_messages SET reminded_at = $2
                 WHERE message = $1 AND reminded_at IS NULL AND decided_at IS NULL",
                &[&message, &at],
            )
            .context("marking a held post reminded")?;
        Ok(changed == 1)
    }

    /// Undecided posts whose expiry is at or before `now`, oldest first, at most `limit`.
    pub fn held_expired(&self, now: i64, count: u64) -> Result<Vec<HeldRecord>, Error> {
        self.held_where(
            "h.decided_at IS NULL AND h.expires_at <= $1 ORDER BY h.expires_at, h.message LIMIT $2",
            &[&now, &limit(count)],
            "reading the expired held posts",
        )
    }

    /// Every how many minutes `email` gets a digest of `list`'s held posts; 0 for one notice
    /// per post.
    pub fn moderator_digest_minutes(&self, list: ListId, email: &str) -> Result<u32, Error> {
        let context = "reading a moderator's preference";
        let row = self
            .conn
            .query_opt(
                "SELECT digest_minutes FROM moderator_prefs WHERE list_id = $1 AND email = $2",
                &[&list.0, &email],
            )
            .context(context)?;
        let minutes: i64 = match row {
            Some(row) => row.try_get(0).context(context)?,
            None => 0,
        };
        Ok(minutes.clamp(0, u32::MAX as i64) as u32)
    }

    /// Sets how `email` is told of `list`'s held posts.
    pub fn set_moderator_digest_minutes(
        &self,
        list: ListId,
        email: &str,
        minutes: u32,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO moderator_prefs (list_id, email, digest_minutes) VALUES ($1, $2, $3)
                 ON CONFLICT (list_id, email) DO UPDATE SET digest_minutes = excluded.digest_minutes",
                &[&list.0, &email, &i64::from(minutes)],
            )
            .context("setting a moderator's preference")?;
        Ok(())
    }

    /// Puts held post `message` in `email`'s next digest of `list`.
    pub fn queue_moderation_digest(
        &self,
        list: ListId,
        email: &str,
        message: i64,
        at: i64,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO moderation_digest_queue (list_id, email, message, queued_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&list.0, &email, &message, &at],
            )
            .context("queueing a held post for a digest")?;
        Ok(())
    }

    /// The moderators with posts queued whose digest is due at `now`, at most `limit`.
    pub fn due_moderation_digests(&self, now: i64, count: u64) -> Result<Vec<DueDigest>, Error> {
        let context = "reading the due moderation digests";
        let rows = self
            .conn
            .query(
                "SELECT DISTINCT q.list_id, q.email FROM moderation_digest_queue q
                 JOIN moderator_prefs p ON p.list_id = q.list_id AND p.email = q.email
                 WHERE p.last_digest_at + p.digest_minutes * 60 <= $1
                 ORDER BY q.list_id, q.email LIMIT $2",
                &[&now, &limit(count)],
            )
            .context(context)?;
        rows.iter()
            .map(|row| {
                Ok(DueDigest {
                    list: ListId(row.try_get(0)?),
                    email: row.try_get(1)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .context(context)
    }

    /// Takes the posts queued for `email`'s digest of `list` (oldest first) and records the
    /// digest as sent at `now` when there was one: a second caller gets nothing.
    pub fn take_moderation_digest(
        &self,
        list: ListId,
        email: &str,
        now: i64,
    ) -> Result<Vec<i64>, Error> {
        let context = "taking a moderation digest";
        let rows = self
            .conn
            .query(
                "DELETE FROM moderation_digest_queue WHERE list_id = $1 AND email = $2
                 RETURNING message",
                &[&list.0, &email],
            )
            .context(context)?;
        let mut messages = rows
            .iter()
            .map(|row| row.try_get::<_, i64>(0))
            .collect::<Result<Vec<_>, _>>()
            .context(context)?;
        messages.sort_unstable();
        if messages.is_empty() {
            return Ok(messages);
        }
        self.conn
            .execute(
                "UPDATE moderator_prefs SET last_digest_at = $3 WHERE list_id = $1 AND email = $2",
                &[&list.0, &email, &now],
            )
            .context(context)?;
        Ok(messages)
    }

    /// The hits of `subject` in `bucket` in the current `window`-second window, without
    /// counting one.
    pub fn rate_limit_hits(&self, bucket: &str, subject: &str, window: i64) -> Result<u32, Error> {
        let at = crate::store::now();
        let start = at - at.rem_euclid(window.max(1));
        let row = self
            .conn
            .query_opt(
                "SELECT hits FROM rate_limits WHERE bucket = $1 AND subject = $2 AND window_start = $3",
                &[&bucket, &subject, &start],
            )
            .context("rate limit")?;
        let hits: i64 = match row {
            Some(row) => row.try_get::<_, i64>(0).context("rate limit")?,
            None => 0,
        };
        Ok(hits.clamp(0, u32::MAX as i64) as u32)
    }
}
