//! Queries on the audit log, the rate-limit counters and the site's secrets.

use rusqlite::{params, OptionalExtension};

use super::{Context, Db};
use crate::domain::Email;
use crate::store::{now, AuditEntry, AuditLine, Error};

impl Db<'_> {
    /// Appends to the audit log.
    pub fn audit(&self, entry: &AuditEntry<'_>) -> Result<(), Error> {
        self.execute(
                "INSERT INTO audit_log (at, actor, remote_addr, channel, action, list_id, target, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    now(),
                    entry.actor.map(Email::as_str),
                    entry.remote_addr,
                    entry.channel,
                    entry.action,
                    entry.list.map(|l| l.0),
                    entry.target.map(Email::as_str),
                    entry.detail.to_string()
                ],
            )
            .context("writing the audit log")
            .map(|_| ())
    }

    /// The last `limit` audit entries, newest first; for tests and `check`.
    pub fn recent_audit(&self, limit: u32) -> Result<Vec<AuditLine>, Error> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT actor, action, target FROM audit_log ORDER BY id DESC LIMIT ?1")
            .context("reading the audit log")?;
        let rows = statement
            .query_map([limit], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .context("reading the audit log")?;
        rows.collect::<Result<_, _>>()
            .context("reading the audit log")
    }

    /// Counts one hit of `subject` in `bucket` for the current `window`-second window; returns
    /// the hits in this window, this one included. Older windows of the same pair are dropped.
    pub fn rate_limit_hit(&self, bucket: &str, subject: &str, window: i64) -> Result<u32, Error> {
        let at = now();
        let start = at - at.rem_euclid(window.max(1));
        self.execute(
            "DELETE FROM rate_limits WHERE bucket = ?1 AND subject = ?2 AND window_start < ?3",
            params![bucket, subject, start],
        )
        .context("rate limit")?;
        self.query_row(
            "INSERT INTO rate_limits (bucket, subject, window_start, hits) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (bucket, subject, window_start) DO UPDATE SET hits = hits + 1
                 RETURNING hits",
            params![bucket, subject, start],
            |row| row.get(0),
        )
        .context("rate limit")
    }

    /// Lets one event of `subject` in `bucket` through every `interval` seconds: returns true
    /// if and only if none went through in the last `interval` seconds, and then records this
    /// one. Atomic, so two processes cannot both be let through.
    pub fn rate_pace(&self, bucket: &str, subject: &str, interval: i64) -> Result<bool, Error> {
        let at = now();
        // The row's window_start is 0 and its `hits` the time of the last event let through.
        self.query_row(
            "INSERT INTO rate_limits (bucket, subject, window_start, hits) VALUES (?1, ?2, 0, ?3)
                 ON CONFLICT (bucket, subject, window_start) DO UPDATE SET hits = excluded.hits
                 WHERE rate_limits.hits <= ?4
                 RETURNING hits",
            params![bucket, subject, at, at - interval],
            |_| Ok(()),
        )
        .optional()
        .context("rate limit")
        .map(|row| row.is_some())
    }

    /// The site secret `name`; `candidate` becomes it if there is none yet.
    pub fn site_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, Error> {
        self.execute(
            "INSERT INTO site_secrets (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![name, candidate],
        )
        .context("making a site secret")?;
        self.query_row(
            "SELECT value FROM site_secrets WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .context("reading a site secret")
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn the_first_site_secret_stays() {
        // `INSERT … ON CONFLICT (name) DO NOTHING`, once `INSERT OR IGNORE`.
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let db = store.db();
        assert_eq!(db.site_secret("unsub", b"first").unwrap(), b"first");
        assert_eq!(db.site_secret("unsub", b"second").unwrap(), b"first");
        assert_eq!(db.site_secret("other", b"second").unwrap(), b"second");
    }
}
