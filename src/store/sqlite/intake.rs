//! Queries of the mail door (SQLite): which domains take list mail.

use super::{Context, Db};
use crate::store::Error;

impl Db<'_> {
    /// Returns true if and only if `domain` has at least one open list.
    pub fn is_list_domain(&self, domain: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM lists l JOIN domains d ON d.id = l.domain_id
                                WHERE d.name = ?1 AND l.status = 'open')",
            )
            .and_then(|mut s| s.query_row([domain], |row| row.get::<_, bool>(0)))
            .context("looking up a list domain")
    }
}
