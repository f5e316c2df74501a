//! Queries of a list's life after its creation (PostgreSQL): renaming (with the old names kept for links), dropping one address's roles, and the dates the listmaster's reports sort on.
//!
//! Renaming writes `lists` and so moves the site version (trigger
//! `site_version_list_update`, `sql/004_site_version.sql`).

use super::{error, is_unique_violation, Context, Db};
use crate::domain::{AdminRole, Email, ListId, ListName};
use crate::store::{now, Error, ListActivity};

impl Db<'_> {
    /// Renames a list in its domain, keeping its old name in `list_renames` so that links
    /// naming it can be sent on; a name that another list has is [`Error::AlreadyExists`].
    pub fn rename_list(&self, list: ListId, new_name: &ListName) -> Result<(), Error> {
        let context = "renaming a list";
        let Some(row) = self
            .conn
            .query_opt(
                "SELECT domain_id, name FROM lists WHERE id = $1 FOR UPDATE",
                &[&list.0],
            )
            .context(context)?
        else {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        };
        let domain_id: i64 = row.try_get(0).context(context)?;
        let old_name: String = row.try_get(1).context(context)?;
        if old_name == new_name.as_str() {
            return Ok(());
        }
        let renamed = self.conn.execute(
            "UPDATE lists SET name = $2, updated_at = $3 WHERE id = $1",
            &[&list.0, &new_name.as_str(), &now()],
        );
        match renamed {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists(format!("list {new_name}")))
            }
            Err(e) => return Err(error(context, e)),
        }
        self.conn
            .execute(
                "DELETE FROM list_renames WHERE domain_id = $1 AND old_name = $2",
                &[&domain_id, &new_name.as_str()],
            )
            .context(context)?;
        self.conn
            .execute(
                "INSERT INTO list_renames (domain_id, old_name, list_id, renamed_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (domain_id, old_name) DO UPDATE SET list_id = excluded.list_id,
                 renamed_at = excluded.renamed_at",
                &[&domain_id, &old_name, &list.0, &now()],
            )
            .context(context)?;
        Ok(())
    }

    /// The list that was called `name` in `domain` before a rename, if any.
    pub fn renamed_list(&self, domain: &str, name: &ListName) -> Result<Option<ListId>, Error> {
        let row = self
            .conn
            .query_opt(
                "SELECT r.list_id FROM list_renames r JOIN domains d ON d.id = r.domain_id
                 WHERE d.name = $1 AND r.old_name = $2",
                &[&domain, &name.as_str()],
            )
            .context("reading a list's old name")?;
        row.map(|row| row.try_get(0).map(ListId))
            .transpose()
            .context("reading a list's old name")
    }

    /// When a list was created, `None` for no such list.
    pub fn list_created_at(&self, list: ListId) -> Result<Option<i64>, Error> {
        let row = self
            .conn
            .query_opt("SELECT created_at FROM lists WHERE id = $1", &[&list.0])
            .context("reading when a list was created")?;
        row.map(|row| row.try_get(0))
            .transpose()
            .context("reading when a list was created")
    }

    /// Forgets that a list was once called `name` in `domain` (a new list takes the name).
    pub fn forget_old_name(&self, domain: &str, name: &ListName) -> Result<(), Error> {
        self.conn
            .execute(
                "DELETE FROM list_renames WHERE old_name = $2
                 AND domain_id = (SELECT id FROM domains WHERE name = $1)",
                &[&domain, &name.as_str()],
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
        self.conn
            .execute(
                "DELETE FROM list_admins WHERE list_id = $1 AND email = $2 AND role = $3",
                &[&list.0, &email.as_str(), &role.as_str()],
            )
            .context("removing an owner or moderator")
            .map(|n| n > 0)
    }

    /// When each list of `domain` (whatever its status) was made and last received a post,
    /// by list id.
    pub fn list_activity(&self, domain: &str) -> Result<Vec<ListActivity>, Error> {
        let context = "reading the lists' activity";
        let rows = self
            .conn
            .query(
                "SELECT l.id, l.created_at,
                        (SELECT MAX(m.arrived_at) FROM archive_messages m WHERE m.list_id = l.id)
                 FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = $1 ORDER BY l.id",
                &[&domain],
            )
            .context(context)?;
        rows.iter()
            .map(|row| {
                Ok(ListActivity {
                    list: ListId(row.try_get(0)?),
                    created_at: row.try_get(1)?,
                    last_post_at: row.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .context(context)
    }
}
