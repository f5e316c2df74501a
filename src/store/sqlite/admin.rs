//! Queries of list administration: a list's texts (subject, description, topics), its owners' and moderators' entries, its audit log.

use rusqlite::params;

use super::{error, Context, Db};
use crate::domain::{AdminRole, Email, ListId, ReceptionMode};
use crate::store::shared::{admin_entry, admin_reception};
use crate::store::{now, AdminEntry, Error};

impl Db<'_> {
    /// Sets a list's subject, description and topics.
    pub fn set_list_texts(
        &self,
        list: ListId,
        subject: &str,
        description: &str,
        topics: &[String],
    ) -> Result<(), Error> {
        // Moves the site version (trigger `site_version_list_update`, 004_site_version.sql).
        let changed = self
            .execute(
                "UPDATE lists SET subject = ?2, description = ?3, topics = ?4, updated_at = ?5
                 WHERE id = ?1",
                params![list.0, subject, description, topics.join(","), now()],
            )
            .context("setting a list's subject and description")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// The owners and moderators of a list with every detail, owners first, by address.
    pub fn admin_entries(&self, list: ListId) -> Result<Vec<AdminEntry>, Error> {
        let context = "listing admin entries";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT email, role, privileged, name, reception, visibility, info
                 FROM list_admins WHERE list_id = ?1 ORDER BY role DESC, email",
            )
            .context(context)?;
        let rows = statement
            .query_map([list.0], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                ))
            })
            .context(context)?;
        let mut entries = Vec::new();
        for row in rows {
            let (email, role, privileged, name, reception, visibility, info) =
                row.context(context)?;
            if let Some(entry) = admin_entry(
                &email,
                &role,
                privileged,
                name,
                &reception,
                &visibility,
                info,
            ) {
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    /// Changes an owner's or moderator's details (not the address nor the role); returns
    /// true if and only if there was such an entry.
    pub fn update_admin(&self, list: ListId, entry: &AdminEntry) -> Result<bool, Error> {
        let changed = self
            .execute(
                "UPDATE list_admins SET privileged = ?4, name = ?5, reception = ?6,
                 visibility = ?7, info = ?8 WHERE list_id = ?1 AND email = ?2 AND role = ?3",
                params![
                    list.0,
                    entry.email.as_str(),
                    entry.role.as_str(),
                    entry.privileged && entry.role == AdminRole::Owner,
                    entry.name,
                    admin_reception(entry.reception),
                    entry.visibility.as_str(),
                    entry.info
                ],
            )
            .map_err(|e| error("changing a list admin", e))?;
        Ok(changed > 0)
    }

    /// Removes an owner or moderator; returns true if and only if there was one.
    pub fn remove_admin(
        &self,
        list: ListId,
        email: &Email,
        role: AdminRole,
    ) -> Result<bool, Error> {
        let changed = self
            .execute(
                "DELETE FROM list_admins WHERE list_id = ?1 AND email = ?2 AND role = ?3",
                params![list.0, email.as_str(), role.as_str()],
            )
            .context("removing a list admin")?;
        Ok(changed > 0)
    }

    /// A list's custom attributes, in the text form of `domain::custom` ("" for none).
    pub fn list_custom_attributes(&self, list: ListId) -> Result<String, Error> {
        self.query_row(
            "SELECT custom_attributes FROM lists WHERE id = ?1",
            [list.0],
            |row| row.get(0),
        )
        .context("reading a list's custom attributes")
    }

    /// Sets a list's custom attributes (the text form of `domain::custom`).
    pub fn set_list_custom_attributes(&self, list: ListId, text: &str) -> Result<(), Error> {
        let changed = self
            .execute(
                "UPDATE lists SET custom_attributes = ?2, updated_at = ?3 WHERE id = ?1",
                params![list.0, text, now()],
            )
            .context("setting a list's custom attributes")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// How new members of a list receive it (Sympa's `default_user_options.reception`).
    pub fn list_default_reception(&self, list: ListId) -> Result<ReceptionMode, Error> {
        let text: String = self
            .query_row(
                "SELECT default_reception FROM lists WHERE id = ?1",
                [list.0],
                |row| row.get(0),
            )
            .context("reading a list's default reception")?;
        Ok(ReceptionMode::parse(&text).unwrap_or(ReceptionMode::Mail))
    }

    /// Sets how new members of a list receive it.
    pub fn set_list_default_reception(
        &self,
        list: ListId,
        mode: ReceptionMode,
    ) -> Result<(), Error> {
        let changed = self
            .execute(
                "UPDATE lists SET default_reception = ?2, updated_at = ?3 WHERE id = ?1",
                params![list.0, mode.as_str(), now()],
            )
            .context("setting a list's default reception")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }
}
