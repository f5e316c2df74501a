//! Queries of moderation: held posts with what the archive keeps of them, the decisions
//! taken once, the keys mailed to one person, the sender's history, reminders and expiry,
//! and the moderators' digests.

use rusqlite::{params, OptionalExtension, Row};

use super::{Context, Db};
use crate::domain::{ListId, Month};
use crate::store::shared::{add_to_history, parse_reasons, HELD_COLUMNS, HELD_FROM};
use crate::store::{DueDigest, Error, HeldDecision, HeldHistory, HeldRecord, KeyedHeld};

fn held_row(row: &Row<'_>) -> rusqlite::Result<HeldRecord> {
    let reasons: String = row.get(7)?;
    let decided_at: Option<i64> = row.get(11)?;
    let decision: Option<String> = row.get(13)?;
    Ok(HeldRecord {
        message: row.get(0)?,
        list: ListId(row.get(1)?),
        sender: row.get(2)?,
        from_name: row.get(3)?,
        subject: row.get(4)?,
        size: row.get::<_, i64>(5)?.max(0) as u64,
        attachments: row.get::<_, i64>(6)?.clamp(0, u32::MAX as i64) as u32,
        month: Month::parse(&row.get::<_, String>(15)?).unwrap_or_else(|| Month::of_timestamp(0)),
        seq: row.get::<_, i64>(16)?.clamp(0, u32::MAX as i64) as u32,
        reasons: parse_reasons(&reasons),
        held_at: row.get(8)?,
        expires_at: row.get(9)?,
        reminded_at: row.get(10)?,
        decided: match (decided_at, decision) {
            (Some(at), Some(decision)) => Some(HeldDecision {
                decision,
                by: row.get(12)?,
                at,
                note: row.get(14)?,
            }),
            _ => None,
        },
    })
}

impl Db<'_> {
    fn held_where(
        &self,
        condition: &str,
        values: &[&dyn rusqlite::ToSql],
        context: &str,
    ) -> Result<Vec<HeldRecord>, Error> {
        let sql = format!("SELECT {HELD_COLUMNS} FROM {HELD_FROM} WHERE {condition}");
        let mut statement = self.conn.prepare_cached(&sql).context(context)?;
        let rows = statement.query_map(values, held_row).context(context)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context(context)
    }

    /// The held post of archived message `message`, decided or not.
    pub fn held_message(&self, message: i64) -> Result<Option<HeldRecord>, Error> {
        Ok(self
            .held_where("h.message = ?1", &[&message], "reading a held post")?
            .pop())
    }

    /// The held post of `list` that a mailed key with hash `key_hash` opens for `purpose`
    /// (`moderate`: the post's shared key or a moderator's digest key; `withdraw`: the
    /// sender's key), decided or not.
    pub fn held_by_key(
        &self,
        list: ListId,
        key_hash: &str,
        purpose: &str,
    ) -> Result<Option<KeyedHeld>, Error> {
        let context = "reading a held post by its key";
        if purpose == "moderate" {
            let shared = self.held_where(
                "h.key_hash = ?1 AND h.list_id = ?2",
                &[&key_hash, &list.0],
                context,
            )?;
            if let Some(held) = shared.into_iter().next() {
                return Ok(Some(KeyedHeld { held, holder: None }));
            }
        }
        let found = self
            .conn
            .prepare_cached(
                "SELECT message, holder FROM moderation_keys WHERE key_hash = ?1 AND purpose = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![key_hash, purpose], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })
                .optional()
            })
            .context(context)?;
        let Some((message, holder)) = found else {
            return Ok(None);
        };
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
            .prepare_cached(
                "INSERT INTO moderation_keys (key_hash, message, holder, purpose, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| s.execute(params![key_hash, message, holder, purpose, created_at]))
            .context("recording a moderation key")?;
        Ok(())
    }

    /// The posts of `list` waiting for a decision, oldest first, `limit` from `offset`.
    pub fn held_queue(
        &self,
        list: ListId,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<HeldRecord>, Error> {
        self.held_where(
            "h.list_id = ?1 AND h.decided_at IS NULL ORDER BY h.held_at, h.message LIMIT ?2 OFFSET ?3",
            &[
                &list.0,
                &(limit.min(i64::MAX as u64) as i64),
                &(offset.min(i64::MAX as u64) as i64),
            ],
            "reading the held posts",
        )
    }

    /// How many posts of `list` wait for a decision.
    pub fn held_count(&self, list: ListId) -> Result<u64, Error> {
        let count: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM held_messages WHERE list_id = ?1 AND decided_at IS NULL",
            )
            .and_then(|mut s| s.query_row([list.0], |row| row.get(0)))
            .context("counting the held posts")?;
        Ok(count.max(0) as u64)
    }

    /// Records the decision on held post `message` if none was taken yet; returns true if
    /// and only if this call took it (so two moderators cannot both act).
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
            .prepare_cached(
                "UPDATE held_messages SET decision = ?2, decided_by = ?3, note = ?4, decided_at = ?5
                 WHERE message = ?1 AND decided_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![message, decision, by, note, at]))
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
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT coalesce(decision, ''), count(*) FROM held_messages
                 WHERE list_id = ?1 AND sender = ?2 AND message <> ?3 GROUP BY 1",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![list.0, sender, except], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .context(context)?;
        let mut history = HeldHistory::default();
        for row in rows {
            let (decision, count) = row.context(context)?;
            add_to_history(&mut history, &decision, count);
        }
        Ok(history)
    }

    /// Undecided posts, never reminded, at least half-way to their expiry and not expired
    /// at `now`, oldest first, at most `limit`.
    pub fn held_due_reminders(&self, now: i64, limit: u64) -> Result<Vec<HeldRecord>, Error> {
        self.held_where(
            "h.decided_at IS NULL AND h.reminded_at IS NULL
             AND h.held_at + (h.expires_at - h.held_at) / 2 <= ?1 AND h.expires_at > ?1
             ORDER BY h.held_at, h.message LIMIT ?2",
            &[&now, &(limit.min(i64::MAX as u64) as i64)],
            "reading the held posts due for a reminder",
        )
    }

    /// Marks held post `message` reminded at `at`, once; true if and only if this call did.
    pub fn mark_held_reminded(&self, message: i64, at: i64) -> Result<bool, Error> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE held_messages SET reminded_at = ?2
                 WHERE message = ?1 AND reminded_at IS NULL AND decided_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![message, at]))
            .context("marking a held post reminded")?;
        Ok(changed == 1)
    }

    /// Undecided posts whose expiry is at or before `now`, oldest first, at most `limit`.
    pub fn held_expired(&self, now: i64, limit: u64) -> Result<Vec<HeldRecord>, Error> {
        self.held_where(
            "h.decided_at IS NULL AND h.expires_at <= ?1 ORDER BY h.expires_at, h.message LIMIT ?2",
            &[&now, &(limit.min(i64::MAX as u64) as i64)],
            "reading the expired held posts",
        )
    }

    /// Every how many minutes `email` gets a digest of `list`'s held posts; 0 (the
    /// default) for one notice per post.
    pub fn moderator_digest_minutes(&self, list: ListId, email: &str) -> Result<u32, Error> {
        let minutes: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT digest_minutes FROM moderator_prefs WHERE list_id = ?1 AND email = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![list.0, email], |row| row.get(0))
                    .optional()
            })
            .context("reading a moderator's preference")?;
        Ok(minutes.unwrap_or(0).clamp(0, u32::MAX as i64) as u32)
    }

    /// Sets how `email` is told of `list`'s held posts (see `moderator_digest_minutes`).
    pub fn set_moderator_digest_minutes(
        &self,
        list: ListId,
        email: &str,
        minutes: u32,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO moderator_prefs (list_id, email, digest_minutes) VALUES (?1, ?2, ?3)
                 ON CONFLICT (list_id, email) DO UPDATE SET digest_minutes = excluded.digest_minutes",
            )
            .and_then(|mut s| s.execute(params![list.0, email, i64::from(minutes)]))
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
            .prepare_cached(
                "INSERT INTO moderation_digest_queue (list_id, email, message, queued_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )
            .and_then(|mut s| s.execute(params![list.0, email, message, at]))
            .context("queueing a held post for a digest")?;
        Ok(())
    }

    /// The moderators with posts queued whose digest is due at `now`, at most `limit`.
    pub fn due_moderation_digests(&self, now: i64, limit: u64) -> Result<Vec<DueDigest>, Error> {
        let context = "reading the due moderation digests";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT q.list_id, q.email FROM moderation_digest_queue q
                 JOIN moderator_prefs p ON p.list_id = q.list_id AND p.email = q.email
                 WHERE p.last_digest_at + p.digest_minutes * 60 <= ?1
                 ORDER BY q.list_id, q.email LIMIT ?2",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![now, limit.min(i64::MAX as u64) as i64], |row| {
                Ok(DueDigest {
                    list: ListId(row.get(0)?),
                    email: row.get(1)?,
                })
            })
            .context(context)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context(context)
    }

    /// Takes the posts queued for `email`'s digest of `list` (oldest first) and records
    /// the digest as sent at `now` when there was one: a second caller gets nothing.
    pub fn take_moderation_digest(
        &self,
        list: ListId,
        email: &str,
        now: i64,
    ) -> Result<Vec<i64>, Error> {
        let context = "taking a moderation digest";
        let mut statement = self
            .conn
            .prepare_cached(
                "DELETE FROM moderation_digest_queue WHERE list_id = ?1 AND email = ?2
                 RETURNING message",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![list.0, email], |row| row.get::<_, i64>(0))
            .context(context)?;
        let mut messages = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .context(context)?;
        messages.sort_unstable();
        if messages.is_empty() {
            return Ok(messages);
        }
        self.conn
            .prepare_cached(
                "UPDATE moderator_prefs SET last_digest_at = ?3 WHERE list_id = ?1 AND email = ?2",
            )
            .and_then(|mut s| s.execute(params![list.0, email, now]))
            .context(context)?;
        Ok(messages)
    }

    /// The hits of `subject` in `bucket` in the current `window`-second window, without
    /// counting one (a refusal checked before a key is looked up).
    pub fn rate_limit_hits(&self, bucket: &str, subject: &str, window: i64) -> Result<u32, Error> {
        let at = crate::store::now();
        let start = at - at.rem_euclid(window.max(1));
        let hits: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT hits FROM rate_limits WHERE bucket = ?1 AND subject = ?2 AND window_start = ?3",
            )
            .and_then(|mut s| s.query_row(params![bucket, subject, start], |row| row.get(0)).optional())
            .context("rate limit")?;
        Ok(hits.unwrap_or(0).clamp(0, u32::MAX as i64) as u32)
    }
}
