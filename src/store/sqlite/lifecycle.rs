//! Queries of a list's life after its creation: renaming (with the old names kept for links), dropping one address's roles, and the dates the listmaster's reports sort on.
//!
//! Renaming writes `lists` and so moves the site version (trigger
//! `site_version_list_update`, `sql/004_site_version.sql`).

use rusqlite::{params, OptionalExtension};

use super::{is_constraint_violation, Context, Db};
use crate::domain::{AdminRole, Email, ListId, ListName};
use crate::store::{now, Error, ListActivity};

impl Db<'_> {
    /// Renames a list in its domain, keeping its old name in `list_renames` so that links
    /// naming it can be sent on; a name that another list has is [`Error::AlreadyExists`].
    /// A list created later under an old name takes it over ([`Db::forget_old_name`]).
    pub fn rename_list(&self, list: ListId, new_name: &ListName) -> Result<(), Error> {
        let context = "renaming a list";
        let Some((domain_id, old_name)) = self
            .query_row(
                "SELECT domain_id, name FROM lists WHERE id = ?1",
                [list.0],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
            .context(context)?
        else {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        };
        if old_name == new_name.as_str() {
            return Ok(());
        }
        let renamed = self.execute(
            "UPDATE lists SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![list.0, new_name.as_str(), now()],
        );
        match renamed {
            Ok(_) => {}
            Err(e) if is_constraint_violation(&e) => {
                return Err(Error::AlreadyExists(format!("list {new_name}")))
            }
            Err(e) => return Err(super::error(context, e)),
        }
        self.execute(
            "DELETE FROM list_renames WHERE domain_id = ?1 AND old_name = ?2",
            params![domain_id, new_name.as_str()],
        )
        .context(context)?;
        self.execute(
            "INSERT INTO list_renames (domain_id, old_name, list_id, renamed_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (domain_id, old_name) DO UPDATE SET list_id = excluded.list_id,
                 renamed_at = excluded.renamed_at",
            params![domain_id, old_name, list.0, now()],
        )
        .context(context)?;
        Ok(())
    }

    /// The list that was called `name` in `domain` before a rename, if any.
    pub fn renamed_list(&self, domain: &str, name: &ListName) -> Result<Option<ListId>, Error> {
        self.conn
            .prepare_cached(
                "SELECT r.list_id FROM list_renames r JOIN domains d ON d.id = r.domain_id
                 WHERE d.name = ?1 AND r.old_name = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![domain, name.as_str()], |row| row.get(0))
                    .optional()
            })
            .map(|id| id.map(ListId))
            .context("reading a list's old name")
    }

    /// When a list was created, `None` for no such list.
    pub fn list_created_at(&self, list: ListId) -> Result<Option<i64>, Error> {
        self.conn
            .prepare_cached("SELECT created_at FROM lists WHERE id = ?1")
            .and_then(|mut s| s.query_row([list.0], |row| row.get(0)).optional())
            .context("reading when a list was created")
    }

    /// Forgets that a list was once called `name` in `domain` (a new list takes the name).
    pub fn forget_old_name(&self, domain: &str, name: &ListName) -> Result<(), Error> {
        self.execute(
            "DELETE FROM list_renames WHERE old_name = ?2
                 AND domain_id = (SELECT id FROM domains WHERE name = ?1)",
            params![domain, name.as_str()],
        )
        .context("forgetting a list's old name")
        .map(drop)
    }

    /// Removes `email` from a list's owners or moderators (`role`); returns true if and
    /// only if it was one.
    pub fn remove_admin_role(
        &self,
        list: ListId,
        email: &Email,
        role: AdminRole,
    ) -> Result<bool, Error> {
        self.execute(
            "DELETE FROM list_admins WHERE list_id = ?1 AND email = ?2 AND role = ?3",
            params![list.0, email.as_str(), role.as_str()],
        )
        .context("removing an owner or moderator")
        .map(|n| n > 0)
    }

    /// When each list of `domain` (whatever its status) was made and last received a post,
    /// by list id.
    pub fn list_activity(&self, domain: &str) -> Result<Vec<ListActivity>, Error> {
        let context = "reading the lists' activity";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.created_at,
                        (SELECT MAX(m.arrived_at) FROM archive_messages m WHERE m.list_id = l.id)
                 FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = ?1 ORDER BY l.id",
            )
            .context(context)?;
        let rows = statement
            .query_map([domain], |row| {
                Ok(ListActivity {
                    list: ListId(row.get(0)?),
                    created_at: row.get(1)?,
                    last_post_at: row.get(2)?,
                })
            })
            .context(context)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context(context)
    }
}
