//! Queries on the texts written on the web (`editfile`) and the audit log's search (`viewlogs`).

use rusqlite::{params, OptionalExtension};

use super::{Context, Db};
use crate::domain::{Email, ListId};
use crate::store::{now, AuditEntry, AuditQuery, AuditRecord, Error, TextRecord};

/// The filters of an audit query, as one `WHERE` clause over `?1` to `?6`.
const AUDIT_WHERE: &str = "(?1 IS NULL OR list_id = ?1)
       AND (?2 IS NULL OR at >= ?2)
       AND (?3 IS NULL OR at < ?3)
       AND (?4 IS NULL OR action = ?4)
       AND (?5 IS NULL OR instr(lower(target), ?5) > 0)
       AND (?6 IS NULL OR instr(lower(actor), ?6) > 0)
       AND (?7 IS NULL OR remote_addr = ?7)
       AND (?8 IS NULL OR instr(remote_addr, ?8) = 1)";

fn text_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TextRecord> {
    Ok(TextRecord {
        name: row.get(0)?,
        body: row.get(1)?,
        updated_by: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

impl Db<'_> {
    /// Appends many rows to the audit log, with one prepared statement.
    pub fn audit_many(&self, entries: &[AuditEntry<'_>]) -> Result<(), Error> {
        let context = "writing the audit log";
        let mut statement = self
            .conn
            .prepare_cached(
                "INSERT INTO audit_log (at, actor, remote_addr, channel, action, list_id, target, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .context(context)?;
        let at = now();
        for entry in entries {
            statement
                .execute(params![
                    at,
                    entry.actor.map(Email::as_str),
                    entry.remote_addr,
                    entry.channel,
                    entry.action,
                    entry.list.map(|l| l.0),
                    entry.target.map(Email::as_str),
                    entry.detail.to_string()
                ])
                .context(context)?;
        }
        Ok(())
    }

    /// The audit rows the query finds, newest first, `limit` from `offset`.
    pub fn audit_page(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, Error> {
        let context = "searching the audit log";
        let sql = format!(
            "SELECT id, at, actor, remote_addr, channel, action, target, detail FROM audit_log
             WHERE {AUDIT_WHERE} ORDER BY at DESC, id DESC LIMIT ?9 OFFSET ?10"
        );
        let mut statement = self.conn.prepare_cached(&sql).context(context)?;
        let rows = statement
            .query_map(
                params![
                    query.list.map(|l| l.0),
                    query.since,
                    query.until,
                    query.action,
                    query.target,
                    query.actor,
                    query.remote_addr,
                    query.remote_prefix,
                    query.limit.min(i64::MAX as u64) as i64,
                    query.offset.min(i64::MAX as u64) as i64,
                ],
                |row| {
                    Ok(AuditRecord {
                        id: row.get(0)?,
                        at: row.get(1)?,
                        actor: row.get(2)?,
                        remote_addr: row.get(3)?,
                        channel: row.get(4)?,
                        action: row.get(5)?,
                        target: row.get(6)?,
                        detail: row.get(7)?,
                    })
                },
            )
            .context(context)?;
        rows.collect::<Result<_, _>>().context(context)
    }

    /// How many audit rows the query finds.
    pub fn audit_count(&self, query: &AuditQuery<'_>) -> Result<u64, Error> {
        let sql = format!("SELECT count(*) FROM audit_log WHERE {AUDIT_WHERE}");
        self.query_row(
            &sql,
            params![
                query.list.map(|l| l.0),
                query.since,
                query.until,
                query.action,
                query.target,
                query.actor,
                query.remote_addr,
                query.remote_prefix,
            ],
            |row| row.get::<_, i64>(0),
        )
        .context("counting audit rows")
        .map(|n| n.max(0) as u64)
    }

    /// The saved text `name` of `list` (of the site with `None`) in `domain`.
    pub fn text(
        &self,
        domain: &str,
        list: Option<ListId>,
        name: &str,
    ) -> Result<Option<TextRecord>, Error> {
        self.query_row(
            "SELECT name, body, updated_by, updated_at FROM texts
                 WHERE domain_id = (SELECT id FROM domains WHERE name = ?1)
                   AND list_id IS ?2 AND name = ?3",
            params![domain, list.map(|l| l.0), name],
            text_row,
        )
        .optional()
        .context("reading a text")
    }

    /// Every saved text of `list` (of the site with `None`) in `domain`, by name.
    pub fn texts(&self, domain: &str, list: Option<ListId>) -> Result<Vec<TextRecord>, Error> {
        let context = "reading the texts";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT name, body, updated_by, updated_at FROM texts
                 WHERE domain_id = (SELECT id FROM domains WHERE name = ?1) AND list_id IS ?2
                 ORDER BY name",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![domain, list.map(|l| l.0)], text_row)
            .context(context)?;
        rows.collect::<Result<_, _>>().context(context)
    }

    /// Saves text `name`, or forgets it with `body` `None`.
    pub fn set_text(
        &self,
        domain: &str,
        list: Option<ListId>,
        name: &str,
        body: Option<&str>,
        editor: Option<&Email>,
    ) -> Result<(), Error> {
        let context = "saving a text";
        let domain_id = self.ensure_domain(domain)?;
        let list_id = list.map(|l| l.0);
        // The anonymous page cache keeps pages that show texts (a list's page, the home
        // page, the help page) until the site version moves.
        self.execute(
            "UPDATE site_version SET version = version + 1 WHERE id = 1",
            [],
        )
        .context(context)?;
        let Some(body) = body else {
            self.execute(
                "DELETE FROM texts WHERE domain_id = ?1 AND list_id IS ?2 AND name = ?3",
                params![domain_id, list_id, name],
            )
            .context(context)?;
            return Ok(());
        };
        let editor = editor.map(Email::as_str);
        let changed = self
            .execute(
                "UPDATE texts SET body = ?4, updated_by = ?5, updated_at = ?6
                 WHERE domain_id = ?1 AND list_id IS ?2 AND name = ?3",
                params![domain_id, list_id, name, body, editor, now()],
            )
            .context(context)?;
        if changed == 0 {
            self.execute(
                "INSERT INTO texts (domain_id, list_id, name, body, updated_by, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![domain_id, list_id, name, body, editor, now()],
            )
            .context(context)?;
        }
        Ok(())
    }
}
