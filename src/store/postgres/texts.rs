//! Queries on the texts written on the web (`editfile`) and the audit log's search (`viewlogs`) (PostgreSQL).

use super::{Context, Db};
use crate::domain::{Email, ListId};
use crate::store::{now, AuditEntry, AuditQuery, AuditRecord, Error, TextRecord};

/// The filters of an audit query, as one `WHERE` clause over `$1` to `$6`.
const AUDIT_WHERE: &str = "($1::BIGINT IS NULL OR list_id = $1)
       AND ($2::BIGINT IS NULL OR at >= $2)
       AND ($3::BIGINT IS NULL OR at < $3)
       AND ($4::TEXT IS NULL OR action = $4)
       AND ($5::TEXT IS NULL OR strpos(lower(target), $5) > 0)
       AND ($6::TEXT IS NULL OR strpos(lower(actor), $6) > 0)
       AND ($7::TEXT IS NULL OR remote_addr = $7)
       AND ($8::TEXT IS NULL OR strpos(remote_addr, $8) = 1)";

fn text_row(row: &postgres::Row) -> Result<TextRecord, postgres::Error> {
    Ok(TextRecord {
        name: row.try_get(0)?,
        body: row.try_get(1)?,
        updated_by: row.try_get(2)?,
        updated_at: row.try_get(3)?,
    })
}

impl Db<'_> {
    /// Appends many rows to the audit log, a thousand per statement.
    pub fn audit_many(&self, entries: &[AuditEntry<'_>]) -> Result<(), Error> {
        let at = now();
        for chunk in entries.chunks(1000) {
            let text = |f: &dyn Fn(&AuditEntry<'_>) -> Option<String>| -> Vec<Option<String>> {
                chunk.iter().map(f).collect()
            };
            let actors = text(&|e| e.actor.map(|a| a.as_str().to_string()));
            let remotes = text(&|e| e.remote_addr.clone());
            let channels = text(&|e| Some(e.channel.to_string()));
            let actions = text(&|e| Some(e.action.to_string()));
            let targets = text(&|e| e.target.map(|t| t.as_str().to_string()));
            let details = text(&|e| Some(e.detail.to_string()));
            let lists: Vec<Option<i64>> = chunk.iter().map(|e| e.list.map(|l| l.0)).collect();
            self.conn
                .execute(
                    "INSERT INTO audit_log (at, actor, remote_addr, channel, action, list_id, target, detail)
                     SELECT $1, a, r, c, x, l, t, d
                     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
                          AS e (a, r, c, x, l, t, d)",
                    &[&at, &actors, &remotes, &channels, &actions, &lists, &targets, &details],
                )
                .context("writing the audit log")?;
        }
        Ok(())
    }

    /// The audit rows the query finds, newest first, `limit` from `offset`.
    pub fn audit_page(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, Error> {
        let context = "searching the audit log";
        let sql = format!(
            "SELECT id, at, actor, remote_addr, channel, action, target, detail FROM audit_log
             WHERE {AUDIT_WHERE} ORDER BY at DESC, id DESC LIMIT $9 OFFSET $10"
        );
        let rows = self
            .conn
            .query(
                &sql,
                &[
                    &query.list.map(|l| l.0),
                    &query.since,
                    &query.until,
                    &query.action,
                    &query.target,
                    &query.actor,
                    &query.remote_addr,
                    &query.remote_prefix,
                    &(query.limit.min(i64::MAX as u64) as i64),
                    &(query.offset.min(i64::MAX as u64) as i64),
                ],
            )
            .context(context)?;
        rows.iter()
            .map(|row| {
                Ok(AuditRecord {
                    id: row.try_get(0)?,
                    at: row.try_get(1)?,
                    actor: row.try_get(2)?,
                    remote_addr: row.try_get(3)?,
                    channel: row.try_get(4)?,
                    action: row.try_get(5)?,
                    target: row.try_get(6)?,
                    detail: row.try_get(7)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .context(context)
    }

    /// How many audit rows the query finds.
    pub fn audit_count(&self, query: &AuditQuery<'_>) -> Result<u64, Error> {
        let sql = format!("SELECT count(*) FROM audit_log WHERE {AUDIT_WHERE}");
        let context = "counting audit rows";
        let row = self
            .conn
            .query_one(
                &sql,
                &[
                    &query.list.map(|l| l.0),
                    &query.since,
                    &query.until,
                    &query.action,
                    &query.target,
                    &query.actor,
                    &query.remote_addr,
                    &query.remote_prefix,
                ],
            )
            .context(context)?;
        let count: i64 = row.try_get(0).context(context)?;
        Ok(count.max(0) as u64)
    }

    /// The saved text `name` of `list` (of the site with `None`) in `domain`.
    pub fn text(
        &self,
        domain: &str,
        list: Option<ListId>,
        name: &str,
    ) -> Result<Option<TextRecord>, Error> {
        let context = "reading a text";
        let row = self
            .conn
            .query_opt(
                "SELECT name, body, updated_by, updated_at FROM texts
                 WHERE domain_id = (SELECT id FROM domains WHERE name = $1)
                   AND list_id IS NOT DISTINCT FROM $2 AND name = $3",
                &[&domain, &list.map(|l| l.0), &name],
            )
            .context(context)?;
        row.as_ref().map(text_row).transpose().context(context)
    }

    /// Every saved text of `list` (of the site with `None`) in `domain`, by name.
    pub fn texts(&self, domain: &str, list: Option<ListId>) -> Result<Vec<TextRecord>, Error> {
        let context = "reading the texts";
        let rows = self
            .conn
            .query(
                "SELECT name, body, updated_by, updated_at FROM texts
                 WHERE domain_id = (SELECT id FROM domains WHERE name = $1)
                   AND list_id IS NOT DISTINCT FROM $2
                 ORDER BY name",
                &[&domain, &list.map(|l| l.0)],
            )
            .context(context)?;
        rows.iter()
            .map(text_row)
            .collect::<Result<_, postgres::Error>>()
            .context(context)
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
        self.conn
            .execute(
                "UPDATE site_version SET version = version + 1 WHERE id = 1",
                &[],
            )
            .context(context)?;
        let Some(body) = body else {
            self.conn
                .execute(
                    "DELETE FROM texts
                     WHERE domain_id = $1 AND list_id IS NOT DISTINCT FROM $2 AND name = $3",
                    &[&domain_id, &list_id, &name],
                )
                .context(context)?;
            return Ok(());
        };
        let editor = editor.map(Email::as_str);
        let at = now();
        let changed = self
            .conn
            .execute(
                "UPDATE texts SET body = $4, updated_by = $5, updated_at = $6
                 WHERE domain_id = $1 AND list_id IS NOT DISTINCT FROM $2 AND name = $3",
                &[&domain_id, &list_id, &name, &body, &editor, &at],
            )
            .context(context)?;
        if changed == 0 {
            self.conn
                .execute(
                    "INSERT INTO texts (domain_id, list_id, name, body, updated_by, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[&domain_id, &list_id, &name, &body, &editor, &at],
                )
                .context(context)?;
        }
        Ok(())
    }
}
