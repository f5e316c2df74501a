//! Queries of the mail door (PostgreSQL): which domains take list mail.

use super::{Context, Db};
use crate::store::Error;

impl Db<'_> {
    /// Returns true if and only if `domain` has at least one open list.
    pub fn is_list_domain(&self, domain: &str) -> Result<bool, Error> {
        self.conn
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM lists l JOIN domains d ON d.id = l.domain_id
                                WHERE d.name = $1 AND l.status = 'open')",
                &[&domain],
            )
            .and_then(|row| row.try_get::<_, bool>(0))
            .context("looking up a list domain")
    }
}
