//! Queries on members, owners, moderators, roles and held requests (PostgreSQL).

use super::{error, is_unique_violation, Context, Db};
use crate::domain::{
    Admin, AdminRole, Email, ListId, ListName, Member, MemberVisibility, Membership, ReceptionMode,
    Roles,
};
use crate::store::{now, Error, NewMember, NewPending, PendingRecord};

impl Db<'_> {
    /// What `email` is on `list`; `listmaster` comes from the account or the configuration.
    pub fn roles(
        &self,
        list: ListId,
        email: Option<&Email>,
        listmaster: bool,
    ) -> Result<Roles, Error> {
        let Some(email) = email else {
            return Ok(Roles::ANONYMOUS);
        };
        let context = "reading roles";
        let row = self
            .conn
            .query_one(
                "SELECT
                   EXISTS (SELECT 1 FROM members WHERE list_id = $1 AND email = $2),
                   EXISTS (SELECT 1 FROM list_admins WHERE list_id = $1 AND email = $2 AND role = 'owner'),
                   EXISTS (SELECT 1 FROM list_admins WHERE list_id = $1 AND email = $2 AND role = 'owner' AND privileged),
                   EXISTS (SELECT 1 FROM list_admins WHERE list_id = $1 AND email = $2 AND role = 'editor'),
                   EXISTS (SELECT 1 FROM list_admins WHERE list_id = $1 AND role = 'editor')",
                &[&list.0, &email.as_str()],
            )
            .context(context)?;
        let flag = |i: usize| row.try_get::<_, bool>(i).context(context);
        let (subscriber, owner, privileged, editor, has_editors) =
            (flag(0)?, flag(1)?, flag(2)?, flag(3)?, flag(4)?);
        Ok(Roles {
            user: true,
            subscriber,
            // Owners moderate a list that has no moderators.
            editor: editor || (owner && !has_editors),
            owner,
            privileged_owner: privileged,
            listmaster,
        })
    }

    /// Adds a member; refuses an address that is one already.
    pub fn add_member(&self, list: ListId, member: &NewMember) -> Result<(), Error> {
        // The list's member_count follows (trigger `members_count_insert`, 003_review.sql).
        let attributes =
            serde_json::to_string(&member.custom_attributes).unwrap_or_else(|_| "{}".to_string());
        let inserted = self.conn.execute(
            "INSERT INTO members (list_id, email, name, reception, visibility, custom_attributes, subscribed_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            &[
                &list.0,
                &member.email.as_str(),
                &member.name,
                &member.reception.as_str(),
                &member.visibility.as_str(),
                &attributes,
                &now(),
            ],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => {
                Err(Error::AlreadyExists(format!("member {}", member.email)))
            }
            Err(e) => Err(error("adding a member", e)),
        }
    }

    /// Removes a member; returns true if and only if there was one.
    pub fn remove_member(&self, list: ListId, email: &Email) -> Result<bool, Error> {
        self.conn
            .execute(
                "DELETE FROM members WHERE list_id = $1 AND email = $2",
                &[&list.0, &email.as_str()],
            )
            .context("removing a member")
            .map(|n| n > 0)
    }

    /// One member of a list.
    pub fn member(&self, list: ListId, email: &Email) -> Result<Option<Member>, Error> {
        let context = "reading a member";
        let Some(row) = self
            .conn
            .query_opt(
                "SELECT name, reception, visibility, custom_attributes, subscribed_at, updated_at
                 FROM members WHERE list_id = $1 AND email = $2",
                &[&list.0, &email.as_str()],
            )
            .context(context)?
        else {
            return Ok(None);
        };
        let read = || -> Result<Member, postgres::Error> {
            Ok(Member {
                email: email.clone(),
                name: row.try_get(0)?,
                reception: ReceptionMode::parse(row.try_get(1)?).unwrap_or(ReceptionMode::Mail),
                visibility: MemberVisibility::parse(row.try_get(2)?),
                custom_attributes: serde_json::from_str(row.try_get(3)?).unwrap_or_default(),
                subscribed_at: row.try_get(4)?,
                updated_at: row.try_get(5)?,
            })
        };
        read().map(Some).context(context)
    }

    /// A number that changes whenever any list's row changes (its settings or member count)
    /// or an archived message does: kept by triggers `site_version_list_*` of
    /// `sql/004_site_version.sql` and `site_version_archive_*` of `sql/020_archive_version.sql`.
    pub fn site_version(&self) -> Result<i64, Error> {
        self.conn
            .query_one("SELECT version FROM site_version WHERE id = 1", &[])
            .and_then(|row| row.try_get(0))
            .context("reading the site version")
    }

    /// How many members a list has; reads one row kept by triggers `members_count_*` of
    /// `sql/003_review.sql`.
    pub fn member_count(&self, list: ListId) -> Result<u64, Error> {
        self.conn
            .query_opt("SELECT member_count FROM lists WHERE id = $1", &[&list.0])
            .and_then(|row| row.map(|row| row.try_get::<_, i64>(0)).transpose())
            .context("counting members")?
            .map(|n| n.max(0) as u64)
            .ok_or_else(|| Error::NotFound(format!("list #{}", list.0)))
    }

    /// Adds an owner or moderator; refuses a duplicate.
    pub fn add_admin(
        &self,
        list: ListId,
        email: &Email,
        role: AdminRole,
        privileged: bool,
    ) -> Result<(), Error> {
        let inserted = self.conn.execute(
            "INSERT INTO list_admins (list_id, email, role, privileged, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                &list.0,
                &email.as_str(),
                &role.as_str(),
                &(privileged && role == AdminRole::Owner),
                &now(),
            ],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => {
                Err(Error::AlreadyExists(format!("{} {email}", role.as_str())))
            }
            Err(e) => Err(error("adding a list admin", e)),
        }
    }

    /// The owners and moderators of a list, owners first.
    pub fn admins(&self, list: ListId) -> Result<Vec<Admin>, Error> {
        let context = "listing admins";
        let rows = self
            .conn
            .query(
                "SELECT email, role, privileged, name FROM list_admins WHERE list_id = $1
                 ORDER BY role DESC, email",
                &[&list.0],
            )
            .context(context)?;
        let mut admins = Vec::with_capacity(rows.len());
        for row in &rows {
            let email: &str = row.try_get(0).context(context)?;
            let role: &str = row.try_get(1).context(context)?;
            if let (Ok(email), Some(role)) = (Email::parse(email), AdminRole::parse(role)) {
                admins.push(Admin {
                    email,
                    role,
                    privileged: row.try_get(2).context(context)?,
                    name: row.try_get(3).context(context)?,
                });
            }
        }
        Ok(admins)
    }

    /// Every open list of `domain` where `email` is member, moderator or owner, by name.
    pub fn memberships(&self, domain: &str, email: &Email) -> Result<Vec<Membership>, Error> {
        let context = "listing memberships";
        let rows = self
            .conn
            .query(
                "SELECT l.name, l.subject, 'subscriber'::text, FALSE,
                        b.bounces, b.first_at, b.last_at, x.status, b.score FROM members m
                   JOIN lists l ON l.id = m.list_id JOIN domains d ON d.id = l.domain_id
                   LEFT JOIN member_bounces b ON b.member_id = m.id
                   LEFT JOIN bounces x ON x.id = b.last_bounce
                   WHERE m.email = $2 AND d.name = $1 AND l.status = 'open'
                 UNION ALL
                 SELECT l.name, l.subject, a.role::text, a.privileged,
                        NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::bigint
                   FROM list_admins a
                   JOIN lists l ON l.id = a.list_id JOIN domains d ON d.id = l.domain_id
                   WHERE a.email = $2 AND d.name = $1 AND l.status = 'open'
                 ORDER BY 1",
                &[&domain, &email.as_str()],
            )
            .context(context)?;
        let mut out: Vec<Membership> = Vec::new();
        for row in &rows {
            let name: &str = row.try_get(0).context(context)?;
            let Ok(list) = ListName::parse(name) else {
                continue;
            };
            let subject: String = row.try_get(1).context(context)?;
            let role: &str = row.try_get(2).context(context)?;
            let privileged: bool = row.try_get(3).context(context)?;
            let role = crate::store::shared::membership_role(role, privileged);
            let bounce = match row.try_get::<_, Option<i64>>(4).context(context)? {
                Some(count) => Some(crate::store::shared::membership_bounce(
                    count,
                    row.try_get(5).context(context)?,
                    row.try_get(6).context(context)?,
                    row.try_get(7).context(context)?,
                    row.try_get(8).context(context)?,
                )),
                None => None,
            };
            crate::store::shared::push_membership(&mut out, list, subject, role, bounce);
        }
        for membership in &mut out {
            membership.roles.sort();
        }
        Ok(out)
    }

    /// Holds a request until its key comes back or an owner decides; a request of the same
    /// kind and state for the same address on the list is renewed in place. Returns the id.
    pub fn create_pending(&self, pending: &NewPending) -> Result<i64, Error> {
        let at = now();
        self.conn
            .query_one(
                "INSERT INTO pending_requests (key_hash, list_id, kind, email, requested_by, state, data, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (list_id, kind, email, state) DO UPDATE SET
                     key_hash = excluded.key_hash, requested_by = excluded.requested_by,
                     data = excluded.data, created_at = excluded.created_at,
                     expires_at = excluded.expires_at
                 RETURNING id",
                &[
                    &pending.key_hash,
                    &pending.list.0,
                    &pending.kind,
                    &pending.email.as_str(),
                    &pending.requested_by.as_ref().map(Email::as_str),
                    &pending.state,
                    &pending.data.to_string(),
                    &at,
                    &(at + pending.ttl),
                ],
            )
            .and_then(|row| row.try_get(0))
            .context("holding a request")
    }

    /// The live held request whose key hashes to `key_hash`.
    pub fn pending_by_key(&self, key_hash: &str) -> Result<Option<PendingRecord>, Error> {
        self.conn
            .query_opt(
                &format!(
                    "SELECT {} FROM pending_requests WHERE key_hash = $1 AND expires_at > $2",
                    crate::store::shared::PENDING_COLUMNS
                ),
                &[&key_hash, &now()],
            )
            .and_then(|row| {
                row.map(|row| super::roster::pending_from_row(&row))
                    .transpose()
            })
            .map(Option::flatten)
            .context("reading a held request")
    }

    /// The live held request with row id `id`.
    pub fn pending_by_id(&self, id: i64) -> Result<Option<PendingRecord>, Error> {
        self.conn
            .query_opt(
                &format!(
                    "SELECT {} FROM pending_requests WHERE id = $1 AND expires_at > $2",
                    crate::store::shared::PENDING_COLUMNS
                ),
                &[&id, &now()],
            )
            .and_then(|row| {
                row.map(|row| super::roster::pending_from_row(&row))
                    .transpose()
            })
            .map(Option::flatten)
            .context("reading a held request")
    }

    /// Deletes a held request; returns true if and only if it was still there (so two
    /// concurrent confirmations cannot both act).
    pub fn delete_pending(&self, id: i64) -> Result<bool, Error> {
        self.conn
            .execute("DELETE FROM pending_requests WHERE id = $1", &[&id])
            .context("deleting a held request")
            .map(|n| n > 0)
    }
}
