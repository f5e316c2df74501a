//! Queries on bounces (PostgreSQL): each list's bounce policy, the bounces kept as evidence, each bouncing member's score.

use postgres::Row;

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

fn score_from_row(row: &Row, at: usize) -> Result<BounceScore, postgres::Error> {
    Ok(BounceScore {
        score: clamp_u32(row.try_get(at)?),
        first_at: row.try_get(at + 1)?,
        last_at: row.try_get(at + 2)?,
        last_day: row.try_get(at + 3)?,
        bounces: clamp_u32(row.try_get(at + 4)?),
        disabled_at: row.try_get(at + 5)?,
        warnings: clamp_u32(row.try_get(at + 6)?),
        warned_at: row.try_get(at + 7)?,
    })
}

fn bounce_from_row(row: &Row, at: usize) -> Result<Option<BounceRecord>, postgres::Error> {
    let Some(id) = row.try_get::<_, Option<i64>>(at)? else {
        return Ok(None);
    };
    Ok(Some(BounceRecord {
        id,
        list: row.try_get::<_, Option<i64>>(at + 1)?.map(ListId),
        email: row.try_get(at + 2)?,
        received_at: row.try_get(at + 3)?,
        outcome: row.try_get(at + 4)?,
        status: row.try_get(at + 5)?,
        diagnostic: row.try_get(at + 6)?,
        size: row.try_get::<_, i64>(at + 7)?.max(0) as u64,
    }))
}

fn settings_from_row(row: &Row, at: usize) -> Result<BounceSettings, postgres::Error> {
    Ok(BounceSettings {
        threshold: clamp_u32(row.try_get(at)?),
        stale_days: clamp_u32(row.try_get(at + 1)?),
        warnings: clamp_u32(row.try_get(at + 2)?),
        warning_days: clamp_u32(row.try_get(at + 3)?),
    })
}

fn limit(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

impl Db<'_> {
    /// The bounce policy of `list` (the defaults when it does not exist).
    pub fn bounce_settings(&self, list: ListId) -> Result<BounceSettings, Error> {
        let context = "reading a list's bounce policy";
        let row = self
            .conn
            .query_opt(
                "SELECT bounce_threshold, bounce_stale_days, bounce_warnings, bounce_warning_days
                 FROM lists WHERE id = $1",
                &[&list.0],
            )
            .context(context)?;
        match row {
            Some(row) => settings_from_row(&row, 0).context(context),
            None => Ok(BounceSettings::default()),
        }
    }

    /// Sets the bounce policy of `list`.
    pub fn set_bounce_settings(
        &self,
        list: ListId,
        settings: &BounceSettings,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE lists SET bounce_threshold = $2, bounce_stale_days = $3,
                        bounce_warnings = $4, bounce_warning_days = $5
                 WHERE id = $1",
                &[
                    &list.0,
                    &i64::from(settings.threshold),
                    &i64::from(settings.stale_days),
                    &i64::from(settings.warnings),
                    &i64::from(settings.warning_days),
                ],
            )
            .context("setting a list's bounce policy")?;
        Ok(())
    }

    /// Keeps a bounce; returns its id.
    pub fn record_bounce(&self, bounce: &NewBounce<'_>) -> Result<i64, Error> {
        let context = "keeping a bounce";
        let kept = &bounce.raw[..bounce.raw.len().min(BOUNCE_KEPT_BYTES)];
        let compressed = compress(kept)?;
        let row = self
            .conn
            .query_one(
                "INSERT INTO bounces (list_id, email, received_at, outcome, status, diagnostic,
                                      size, codec, raw)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &bounce.list.map(|l| l.0),
                    &bounce.email,
                    &bounce.received_at,
                    &bounce.outcome,
                    &bounce.status,
                    &bounce.diagnostic,
                    &(bounce.raw.len() as i64),
                    &CODEC,
                    &compressed,
                ],
            )
            .context(context)?;
        row.try_get(0).context(context)
    }

    /// The bounce record of member `email` of `list`, if any.
    pub fn member_bounce(&self, list: ListId, email: &Email) -> Result<Option<BounceScore>, Error> {
        let context = "reading a member's bounce score";
        let row = self
            .conn
            .query_opt(
                &format!(
                    "SELECT {SCORE_COLUMNS} FROM member_bounces b
                     JOIN members m ON m.id = b.member_id
                     WHERE m.list_id = $1 AND m.email = $2"
                ),
                &[&list.0, &email.as_str()],
            )
            .context(context)?;
        row.map(|row| score_from_row(&row, 0))
            .transpose()
            .context(context)
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
            .execute(
                "INSERT INTO member_bounces (member_id, list_id, score, first_at, last_at, last_day,
                        bounces, disabled_at, warnings, warned_at, last_bounce)
                 SELECT m.id, m.list_id, $3, $4, $5, $6, $7, $8, $9, $10, $11
                 FROM members m WHERE m.list_id = $1 AND m.email = $2
                 ON CONFLICT (member_id) DO UPDATE SET score = excluded.score,
                        first_at = excluded.first_at, last_at = excluded.last_at,
                        last_day = excluded.last_day, bounces = excluded.bounces,
                        disabled_at = excluded.disabled_at, warnings = excluded.warnings,
                        warned_at = excluded.warned_at,
                        last_bounce = COALESCE(excluded.last_bounce, member_bounces.last_bounce)",
                &[
                    &list.0,
                    &email.as_str(),
                    &i64::from(record.score),
                    &record.first_at,
                    &record.last_at,
                    &record.last_day,
                    &i64::from(record.bounces),
                    &record.disabled_at,
                    &i64::from(record.warnings),
                    &record.warned_at,
                    &last_bounce,
                ],
            )
            .context("writing a member's bounce score")?;
        Ok(n > 0)
    }

    /// Forgets the bounce record of member `email` of `list`.
    pub fn clear_member_bounce(&self, list: ListId, email: &Email) -> Result<bool, Error> {
        self.conn
            .execute(
                "DELETE FROM member_bounces WHERE member_id =
                    (SELECT id FROM members WHERE list_id = $1 AND email = $2)",
                &[&list.0, &email.as_str()],
            )
            .context("forgetting a member's bounce score")
            .map(|n| n > 0)
    }

    /// The members of `list` with a bounce record, highest score first.
    pub fn bouncing_members(&self, list: ListId) -> Result<Vec<BouncingMember>, Error> {
        let context = "reading the bouncing members";
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT m.email, m.name, {SCORE_COLUMNS}, {BOUNCE_COLUMNS}
                     FROM member_bounces b
                     JOIN members m ON m.id = b.member_id
                     LEFT JOIN bounces k ON k.id = b.last_bounce
                     WHERE b.list_id = $1
                     ORDER BY b.score DESC, m.email"
                ),
                &[&list.0],
            )
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            let read = || -> Result<_, postgres::Error> {
                Ok((
                    row.try_get::<_, String>(0)?,
                    row.try_get::<_, String>(1)?,
                    score_from_row(&row, 2)?,
                    bounce_from_row(&row, 10)?,
                ))
            };
            let (email, name, record, last) = read().context(context)?;
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
    pub fn list_bounces(&self, list: ListId, count: u64) -> Result<Vec<BounceRecord>, Error> {
        let context = "reading a list's bounces";
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {BOUNCE_COLUMNS} FROM bounces k WHERE k.list_id = $1
                     ORDER BY k.received_at DESC, k.id DESC LIMIT $2"
                ),
                &[&list.0, &limit(count)],
            )
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(bounce_from_row(&row, 0).context(context)?);
        }
        Ok(out)
    }

    /// The bytes kept of bounce `id` of `list`.
    pub fn bounce_raw(&self, list: ListId, id: i64) -> Result<Option<Vec<u8>>, Error> {
        let context = "reading a bounce's bytes";
        let Some(row) = self
            .conn
            .query_opt(
                "SELECT codec, raw FROM bounces WHERE id = $1 AND list_id = $2",
                &[&id, &list.0],
            )
            .context(context)?
        else {
            return Ok(None);
        };
        let codec: String = row.try_get(0).context(context)?;
        let bytes: Vec<u8> = row.try_get(1).context(context)?;
        decompress(&codec, &bytes).map(Some)
    }

    /// The records the periodic job may have to act on at `now`.
    pub fn bounces_due(&self, now: i64, count: u64) -> Result<Vec<BounceDue>, Error> {
        let context = "reading the bounce scores due";
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT m.list_id, m.email, {SCORE_COLUMNS},
                            l.bounce_threshold, l.bounce_stale_days, l.bounce_warnings,
                            l.bounce_warning_days
                     FROM member_bounces b
                     JOIN members m ON m.id = b.member_id
                     JOIN lists l ON l.id = b.list_id
                     WHERE b.disabled_at IS NOT NULL OR b.last_at < $1 - l.bounce_stale_days * $2
                     ORDER BY b.member_id LIMIT $3"
                ),
                &[&now, &DAY, &limit(count)],
            )
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            let read = || -> Result<_, postgres::Error> {
                Ok((
                    row.try_get::<_, i64>(0)?,
                    row.try_get::<_, String>(1)?,
                    score_from_row(&row, 2)?,
                    settings_from_row(&row, 10)?,
                ))
            };
            let (list, email, record, settings) = read().context(context)?;
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
        self.conn
            .execute(
                "DELETE FROM bounces WHERE received_at < $1
                 AND id NOT IN (SELECT last_bounce FROM member_bounces WHERE last_bounce IS NOT NULL)",
                &[&before],
            )
            .context("purging old bounces")
            .map(|n| n as usize)
    }

    /// Where periodic job `name` stands.
    pub fn job_cursor(&self, name: &str) -> Result<(i64, i64), Error> {
        let context = "reading a job's cursor";
        let row = self
            .conn
            .query_opt("SELECT at, id FROM job_cursors WHERE name = $1", &[&name])
            .context(context)?;
        match row {
            Some(row) => Ok((
                row.try_get(0).context(context)?,
                row.try_get(1).context(context)?,
            )),
            None => Ok((0, 0)),
        }
    }

    /// Records where periodic job `name` stands.
    pub fn set_job_cursor(&self, name: &str, at: i64, id: i64) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO job_cursors (name, at, id) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET at = excluded.at, id = excluded.id",
                &[&name, &at, &id],
            )
            .context("moving a job's cursor")?;
        Ok(())
    }
}
