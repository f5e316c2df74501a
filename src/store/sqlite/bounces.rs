//! Queries on bounces: each list's bounce policy, the bounces kept as evidence, each bouncing member's score.

use rusqlite::{params, OptionalExtension, Row};

use super::{Context, Db};
use crate::domain::bounce::DAY;
use crate::domain::{BounceScore, BounceSettings, Email, ListId};
use crate::store::archiving::{compress, decompress, CODEC};
use crate::store::{BounceDue, BounceRecord, BouncingMember, Error, NewBounce, BOUNCE_KEPT_BYTES};

/// The columns a bounce record is read from, for `member_bounces b`.
const SCORE_COLUMNS: &str =
    "b.score, b.first_at, b.last_at, b.last_day, b.bounces, b.disabled_at, b.warnings, b.warned_at";

/// The columns a kept bounce is read from, for `bounces k`.
const BOUNCE_COLUMNS: &str =
    "k.id, k.list_id, k.email, k.received_at, k.outcome, k.status, k.diagnostic, k.size";

fn clamp_u32(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}

/// A bounce record from the 8 columns of [`SCORE_COLUMNS`] starting at `at`.
fn score_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<BounceScore> {
    Ok(BounceScore {
        score: clamp_u32(row.get(at)?),
        first_at: row.get(at + 1)?,
        last_at: row.get(at + 2)?,
        last_day: row.get(at + 3)?,
        bounces: clamp_u32(row.get(at + 4)?),
        disabled_at: row.get(at + 5)?,
        warnings: clamp_u32(row.get(at + 6)?),
        warned_at: row.get(at + 7)?,
    })
}

/// A kept bounce from the 8 columns of [`BOUNCE_COLUMNS`] starting at `at`; `None` when its
/// id is NULL (a LEFT JOIN that found none).
fn bounce_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<BounceRecord>> {
    let Some(id) = row.get::<_, Option<i64>>(at)? else {
        return Ok(None);
    };
    Ok(Some(BounceRecord {
        id,
        list: row.get::<_, Option<i64>>(at + 1)?.map(ListId),
        email: row.get(at + 2)?,
        received_at: row.get(at + 3)?,
        outcome: row.get(at + 4)?,
        status: row.get(at + 5)?,
        diagnostic: row.get(at + 6)?,
        size: row.get::<_, i64>(at + 7)?.max(0) as u64,
    }))
}

fn settings_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<BounceSettings> {
    Ok(BounceSettings {
        threshold: clamp_u32(row.get(at)?),
        stale_days: clamp_u32(row.get(at + 1)?),
        warnings: clamp_u32(row.get(at + 2)?),
        warning_days: clamp_u32(row.get(at + 3)?),
    })
}

impl Db<'_> {
    /// The bounce policy of `list` (the defaults when it does not exist).
    pub fn bounce_settings(&self, list: ListId) -> Result<BounceSettings, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT bounce_threshold, bounce_stale_days, bounce_warnings, bounce_warning_days
                 FROM lists WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([list.0], |row| settings_from_row(row, 0))
                    .optional()
            })
            .context("reading a list's bounce policy")?
            .unwrap_or_default())
    }

    /// Sets the bounce policy of `list`.
    pub fn set_bounce_settings(
        &self,
        list: ListId,
        settings: &BounceSettings,
    ) -> Result<(), Error> {
        self.execute(
            "UPDATE lists SET bounce_threshold = ?2, bounce_stale_days = ?3,
                        bounce_warnings = ?4, bounce_warning_days = ?5
                 WHERE id = ?1",
            params![
                list.0,
                i64::from(settings.threshold),
                i64::from(settings.stale_days),
                i64::from(settings.warnings),
                i64::from(settings.warning_days),
            ],
        )
        .context("setting a list's bounce policy")?;
        Ok(())
    }

    /// Keeps a bounce; returns its id.
    pub fn record_bounce(&self, bounce: &NewBounce<'_>) -> Result<i64, Error> {
        let kept = &bounce.raw[..bounce.raw.len().min(BOUNCE_KEPT_BYTES)];
        let compressed = compress(kept)?;
        self.conn
            .prepare_cached(
                "INSERT INTO bounces (list_id, email, received_at, outcome, status, diagnostic,
                                      size, codec, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        bounce.list.map(|l| l.0),
                        bounce.email,
                        bounce.received_at,
                        bounce.outcome,
                        bounce.status,
                        bounce.diagnostic,
                        bounce.raw.len() as i64,
                        CODEC,
                        compressed,
                    ],
                    |row| row.get(0),
                )
            })
            .context("keeping a bounce")
    }

    /// The bounce record of member `email` of `list`, if any.
    pub fn member_bounce(&self, list: ListId, email: &Email) -> Result<Option<BounceScore>, Error> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SCORE_COLUMNS} FROM member_bounces b
                 JOIN members m ON m.id = b.member_id
                 WHERE m.list_id = ?1 AND m.email = ?2"
            ))
            .and_then(|mut s| {
                s.query_row(params![list.0, email.as_str()], |row| {
                    score_from_row(row, 0)
                })
                .optional()
            })
            .context("reading a member's bounce score")
    }

    /// Writes the bounce record of member `email` of `list`.
    pub fn set_member_bounce(
        &self,
        list: ListId,
        email: &Email,
        record: &BounceScore,
        last_bounce: Option<i64>,
    ) -> Result<bool, Error> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO member_bounces (member_id, list_id, score, first_at, last_at, last_day,
                        bounces, disabled_at, warnings, warned_at, last_bounce)
                 SELECT m.id, m.list_id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
                 FROM members m WHERE m.list_id = ?1 AND m.email = ?2
                 ON CONFLICT (member_id) DO UPDATE SET score = excluded.score,
                        first_at = excluded.first_at, last_at = excluded.last_at,
                        last_day = excluded.last_day, bounces = excluded.bounces,
                        disabled_at = excluded.disabled_at, warnings = excluded.warnings,
                        warned_at = excluded.warned_at,
                        last_bounce = COALESCE(excluded.last_bounce, member_bounces.last_bounce)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    list.0,
                    email.as_str(),
                    i64::from(record.score),
                    record.first_at,
                    record.last_at,
                    record.last_day,
                    i64::from(record.bounces),
                    record.disabled_at,
                    i64::from(record.warnings),
                    record.warned_at,
                    last_bounce,
                ])
            })
            .context("writing a member's bounce score")?;
        Ok(n > 0)
    }

    /// Forgets the bounce record of member `email` of `list`.
    pub fn clear_member_bounce(&self, list: ListId, email: &Email) -> Result<bool, Error> {
        self.execute(
            "DELETE FROM member_bounces WHERE member_id =
                    (SELECT id FROM members WHERE list_id = ?1 AND email = ?2)",
            params![list.0, email.as_str()],
        )
        .context("forgetting a member's bounce score")
        .map(|n| n > 0)
    }

    /// The members of `list` with a bounce record, highest score first.
    pub fn bouncing_members(&self, list: ListId) -> Result<Vec<BouncingMember>, Error> {
        let context = "reading the bouncing members";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT m.email, m.name, {SCORE_COLUMNS}, {BOUNCE_COLUMNS}
                 FROM member_bounces b
                 JOIN members m ON m.id = b.member_id
                 LEFT JOIN bounces k ON k.id = b.last_bounce
                 WHERE b.list_id = ?1
                 ORDER BY b.score DESC, m.email"
            ))
            .context(context)?;
        let rows = statement
            .query_map([list.0], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    score_from_row(row, 2)?,
                    bounce_from_row(row, 10)?,
                ))
            })
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            let (email, name, record, last) = row.context(context)?;
            if let Ok(email) = Email::from_stored(&email) {
                out.push(BouncingMember {
                    email,
                    name,
                    record,
                    last,
                });
            }
        }
        Ok(out)
    }

    /// The last `limit` bounces kept for `list`, newest first.
    pub fn list_bounces(&self, list: ListId, limit: u64) -> Result<Vec<BounceRecord>, Error> {
        let context = "reading a list's bounces";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {BOUNCE_COLUMNS} FROM bounces k WHERE k.list_id = ?1
                 ORDER BY k.received_at DESC, k.id DESC LIMIT ?2"
            ))
            .context(context)?;
        let rows = statement
            .query_map(params![list.0, limit.min(i64::MAX as u64) as i64], |row| {
                bounce_from_row(row, 0)
            })
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(row.context(context)?);
        }
        Ok(out)
    }

    /// The bytes kept of bounce `id` of `list`.
    pub fn bounce_raw(&self, list: ListId, id: i64) -> Result<Option<Vec<u8>>, Error> {
        let stored: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT codec, raw FROM bounces WHERE id = ?1 AND list_id = ?2")
            .and_then(|mut s| {
                s.query_row(params![id, list.0], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .context("reading a bounce's bytes")?;
        stored
            .map(|(codec, bytes)| decompress(&codec, &bytes))
            .transpose()
    }

    /// The records the periodic job may have to act on at `now`.
    pub fn bounces_due(&self, now: i64, limit: u64) -> Result<Vec<BounceDue>, Error> {
        let context = "reading the bounce scores due";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT m.list_id, m.email, {SCORE_COLUMNS},
                        l.bounce_threshold, l.bounce_stale_days, l.bounce_warnings,
                        l.bounce_warning_days
                 FROM member_bounces b
                 JOIN members m ON m.id = b.member_id
                 JOIN lists l ON l.id = b.list_id
                 WHERE b.disabled_at IS NOT NULL OR b.last_at < ?1 - l.bounce_stale_days * ?2
                 ORDER BY b.member_id LIMIT ?3"
            ))
            .context(context)?;
        let rows = statement
            .query_map(
                params![now, DAY, limit.min(i64::MAX as u64) as i64],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        score_from_row(row, 2)?,
                        settings_from_row(row, 10)?,
                    ))
                },
            )
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            let (list, email, record, settings) = row.context(context)?;
            if let Ok(email) = Email::from_stored(&email) {
                out.push(BounceDue {
                    list: ListId(list),
                    email,
                    record,
                    settings,
                });
            }
        }
        Ok(out)
    }

    /// Deletes the kept bounces received before `before` that are no member's last one.
    pub fn purge_bounces(&self, before: i64) -> Result<usize, Error> {
        self.execute(
                "DELETE FROM bounces WHERE received_at < ?1
                 AND id NOT IN (SELECT last_bounce FROM member_bounces WHERE last_bounce IS NOT NULL)",
                [before],
            )
            .context("purging old bounces")
    }

    /// Where periodic job `name` stands.
    pub fn job_cursor(&self, name: &str) -> Result<(i64, i64), Error> {
        Ok(self
            .conn
            .prepare_cached("SELECT at, id FROM job_cursors WHERE name = ?1")
            .and_then(|mut s| {
                s.query_row([name], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .context("reading a job's cursor")?
            .unwrap_or((0, 0)))
    }

    /// Records where periodic job `name` stands.
    pub fn set_job_cursor(&self, name: &str, at: i64, id: i64) -> Result<(), Error> {
        self.execute(
            "INSERT INTO job_cursors (name, at, id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET at = excluded.at, id = excluded.id",
            params![name, at, id],
        )
        .context("moving a job's cursor")?;
        Ok(())
    }
}
