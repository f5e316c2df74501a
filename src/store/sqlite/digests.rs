//! Queries on digests: each list's schedule, where its digests stand, the messages and members they are for.

use rusqlite::{params, OptionalExtension, Row};

use super::roster::member_from_row;
use super::{Context, Db};
use crate::domain::{DigestSettings, ListId, Member};
use crate::store::archiving::SUMMARY_COLUMNS;
use crate::store::shared::MEMBER_COLUMNS;
use crate::store::{ArchivedSummary, DigestState, Error};

fn settings_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<DigestSettings> {
    Ok(DigestSettings {
        days: row.get::<_, i64>(at)?.clamp(0, 127) as u8,
        minute: row.get::<_, i64>(at + 1)?.clamp(0, 1439) as u16,
        max_messages: row
            .get::<_, i64>(at + 2)?
            .clamp(1, i64::from(crate::domain::digest::MAX_DIGEST_MESSAGES))
            as u32,
    })
}

impl Db<'_> {
    /// The digest settings of `list` (the defaults when it does not exist).
    pub fn digest_settings(&self, list: ListId) -> Result<DigestSettings, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT digest_days, digest_minute, digest_max_size FROM lists WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([list.0], |row| settings_from_row(row, 0))
                    .optional()
            })
            .context("reading a list's digest settings")?
            .unwrap_or_default())
    }

    /// Sets the digest settings of `list`.
    pub fn set_digest_settings(
        &self,
        list: ListId,
        settings: &DigestSettings,
    ) -> Result<(), Error> {
        self.execute(
            "UPDATE lists SET digest_days = ?2, digest_minute = ?3, digest_max_size = ?4
                 WHERE id = ?1",
            params![
                list.0,
                i64::from(settings.days),
                i64::from(settings.minute),
                i64::from(settings.max_messages),
            ],
        )
        .context("setting a list's digest settings")?;
        Ok(())
    }

    /// Every open list with its digest settings and state.
    pub fn digest_schedules(
        &self,
    ) -> Result<Vec<(ListId, DigestSettings, Option<DigestState>)>, Error> {
        let context = "reading the digest schedules";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.digest_days, l.digest_minute, l.digest_max_size,
                        s.last_message, s.last_slot, s.issues
                 FROM lists l LEFT JOIN digest_state s ON s.list_id = l.id
                 WHERE l.status = 'open' ORDER BY l.id",
            )
            .context(context)?;
        let rows = statement
            .query_map([], |row| {
                let state = match row.get::<_, Option<i64>>(4)? {
                    Some(last_message) => Some(DigestState {
                        last_message,
                        last_slot: row.get(5)?,
                        issues: row.get(6)?,
                    }),
                    None => None,
                };
                Ok((ListId(row.get(0)?), settings_from_row(row, 1)?, state))
            })
            .context(context)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context(context)
    }

    /// Moves `list`'s digest state from `from` to `to`; false when it was not at `from`.
    pub fn advance_digest(
        &self,
        list: ListId,
        from: Option<&DigestState>,
        to: &DigestState,
    ) -> Result<bool, Error> {
        let context = "advancing a list's digests";
        let n = match from {
            None => self
                .execute(
                    "INSERT INTO digest_state (list_id, last_message, last_slot, issues)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (list_id) DO NOTHING",
                    params![list.0, to.last_message, to.last_slot, to.issues],
                )
                .context(context)?,
            Some(from) => self
                .execute(
                    "UPDATE digest_state SET last_message = ?2, last_slot = ?3, issues = ?4
                     WHERE list_id = ?1 AND last_message = ?5 AND last_slot = ?6 AND issues = ?7",
                    params![
                        list.0,
                        to.last_message,
                        to.last_slot,
                        to.issues,
                        from.last_message,
                        from.last_slot,
                        from.issues
                    ],
                )
                .context(context)?,
        };
        Ok(n == 1)
    }

    /// Up to `limit` visible messages of `list` after id `after` that arrived after
    /// `arrived_after`, by id.
    pub fn archive_visible_after(
        &self,
        list: ListId,
        after: i64,
        arrived_after: i64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        self.summaries(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = ?1 AND m.state = 'visible' AND m.id > ?2 AND m.arrived_at > ?3
                 ORDER BY m.id LIMIT ?4"
            ),
            &[
                &list.0,
                &after,
                &arrived_after,
                &(limit.min(i64::MAX as u64) as i64),
            ],
            "reading the messages of a digest",
        )
    }

    /// Visible messages of `list` up to id `up_to`, distributed after moderation in
    /// `(after, until]`, by id.
    pub fn archive_late_distributed(
        &self,
        list: ListId,
        up_to: i64,
        after: i64,
        until: i64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        self.summaries(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 JOIN held_messages h ON h.message = m.id
                 WHERE m.list_id = ?1 AND m.state = 'visible' AND m.id <= ?2
                   AND h.decision = 'distributed' AND h.decided_at > ?3 AND h.decided_at <= ?4
                 ORDER BY m.id LIMIT ?5"
            ),
            &[
                &list.0,
                &up_to,
                &after,
                &until,
                &(limit.min(i64::MAX as u64) as i64),
            ],
            "reading the late posts of a digest",
        )
    }

    /// The members of `list` in `digest` or `summary` mode whose delivery is not disabled.
    pub fn digest_recipients(&self, list: ListId) -> Result<Vec<Member>, Error> {
        let context = "reading a digest's recipients";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM members m
                 WHERE m.list_id = ?1 AND m.reception IN ('digest', 'digestplain', 'summary')
                   AND NOT EXISTS (SELECT 1 FROM member_bounces b
                                   WHERE b.member_id = m.id AND b.disabled_at IS NOT NULL)
                 ORDER BY m.email"
            ))
            .context(context)?;
        let rows = statement
            .query_map([list.0], member_from_row)
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(row.context(context)?);
        }
        Ok(out)
    }
}
