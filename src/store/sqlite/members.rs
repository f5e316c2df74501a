//! Queries on members, owners, moderators, roles and held requests.

use rusqlite::{params, OptionalExtension};

use super::{error, is_constraint_violation, Context, Db};
use crate::domain::{
    Admin, AdminRole, Email, ListId, ListName, Member, MemberVisibility, Membership, ReceptionMode,
    Roles,
};
use crate::store::shared::PENDING_COLUMNS;
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
        let (subscriber, owner, privileged, editor, has_editors): (bool, bool, bool, bool, bool) =
            self.conn
                .prepare_cached(
                    "SELECT
                       EXISTS (SELECT 1 FROM members WHERE list_id = ?1 AND email = ?2),
                       EXISTS (SELECT 1 FROM list_admins WHERE list_id = ?1 AND email = ?2 AND role = 'owner'),
                       EXISTS (SELECT 1 FROM list_admins WHERE list_id = ?1 AND email = ?2 AND role = 'owner' AND privileged),
                       EXISTS (SELECT 1 FROM list_admins WHERE list_id = ?1 AND email = ?2 AND role = 'editor'),
                       EXISTS (SELECT 1 FROM list_admins WHERE list_id = ?1 AND role = 'editor')",
                )
                .and_then(|mut s| {
                    s.query_row(params![list.0, email.as_str()], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
                    })
                })
                .context("reading roles")?;
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
        let at = now();
        let attributes =
            serde_json::to_string(&member.custom_attributes).unwrap_or_else(|_| "{}".to_string());
        let inserted = self.execute(
            "INSERT INTO members (list_id, email, name, reception, visibility, custom_attributes, subscribed_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                list.0,
                member.email.as_str(),
                member.name,
                member.reception.as_str(),
                member.visibility.as_str(),
                attributes,
                at
            ],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_constraint_violation(&e) => {
                Err(Error::AlreadyExists(format!("member {}", member.email)))
            }
            Err(e) => Err(error("adding a member", e)),
        }
    }

    /// Removes a member; returns true if and only if there was one.
    pub fn remove_member(&self, list: ListId, email: &Email) -> Result<bool, Error> {
        // The list's member_count follows (trigger `members_count_delete`, 003_review.sql).
        self.execute(
            "DELETE FROM members WHERE list_id = ?1 AND email = ?2",
            params![list.0, email.as_str()],
        )
        .context("removing a member")
        .map(|n| n > 0)
    }

    /// One member of a list.
    pub fn member(&self, list: ListId, email: &Email) -> Result<Option<Member>, Error> {
        self.conn
            .prepare_cached(
                "SELECT name, reception, visibility, custom_attributes, subscribed_at, updated_at
                 FROM members WHERE list_id = ?1 AND email = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![list.0, email.as_str()], |row| {
                    Ok(Member {
                        email: email.clone(),
                        name: row.get(0)?,
                        reception: ReceptionMode::parse(&row.get::<_, String>(1)?)
                            .unwrap_or(ReceptionMode::Mail),
                        visibility: MemberVisibility::parse(&row.get::<_, String>(2)?),
                        custom_attributes: serde_json::from_str(&row.get::<_, String>(3)?)
                            .unwrap_or_default(),
                        subscribed_at: row.get(4)?,
                        updated_at: row.get(5)?,
                    })
                })
                .optional()
            })
            .context("reading a member")
    }

    /// A number that changes whenever any list's row changes (its settings or member count):
    /// what the anonymous page cache is keyed on.
    ///
    /// No Rust code writes it: triggers `site_version_list_insert`, `site_version_list_update`
    /// and `site_version_list_delete` of `sql/004_site_version.sql` bump it on every change to
    /// a `lists` row, member counts included, and `site_version_archive_*` of
    /// `sql/020_archive_version.sql` on every change to an archived message (see
    /// `super::TRIGGERS`).
    pub fn site_version(&self) -> Result<i64, Error> {
        self.conn
            .prepare_cached("SELECT version FROM site_version WHERE id = 1")
            .and_then(|mut s| s.query_row([], |row| row.get(0)))
            .context("reading the site version")
    }

    /// How many members a list has; reads one row.
    ///
    /// No Rust code writes `lists.member_count`: triggers `members_count_insert` and
    /// `members_count_delete` of `sql/003_review.sql` keep it on every insert and delete of a
    /// `members` row, bulk imports and cascades included (see `super::TRIGGERS`).
    pub fn member_count(&self, list: ListId) -> Result<u64, Error> {
        self.conn
            .prepare_cached("SELECT member_count FROM lists WHERE id = ?1")
            .and_then(|mut s| s.query_row([list.0], |row| row.get(0)))
            .context("counting members")
    }

    /// Adds an owner or moderator; refuses a duplicate.
    pub fn add_admin(
        &self,
        list: ListId,
        email: &Email,
        role: AdminRole,
        privileged: bool,
    ) -> Result<(), Error> {
        let inserted = self.execute(
            "INSERT INTO list_admins (list_id, email, role, privileged, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![list.0, email.as_str(), role.as_str(), privileged && role == AdminRole::Owner, now()],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_constraint_violation(&e) => {
                Err(Error::AlreadyExists(format!("{} {email}", role.as_str())))
            }
            Err(e) => Err(error("adding a list admin", e)),
        }
    }

    /// The owners and moderators of a list, owners first.
    pub fn admins(&self, list: ListId) -> Result<Vec<Admin>, Error> {
        let context = "listing admins";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT email, role, privileged, name FROM list_admins WHERE list_id = ?1
                 ORDER BY role DESC, email",
            )
            .context(context)?;
        let rows = statement
            .query_map([list.0], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .context(context)?;
        let mut admins = Vec::new();
        for row in rows {
            let (email, role, privileged, name) = row.context(context)?;
            if let (Ok(email), Some(role)) = (Email::parse(&email), AdminRole::parse(&role)) {
                admins.push(Admin {
                    email,
                    role,
                    privileged,
                    name,
                });
            }
        }
        Ok(admins)
    }

    /// Every open list of `domain` where `email` is member, moderator or owner, by name.
    pub fn memberships(&self, domain: &str, email: &Email) -> Result<Vec<Membership>, Error> {
        let context = "listing memberships";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT l.name, l.subject, 'subscriber', 0,
                        b.bounces, b.first_at, b.last_at, x.status, b.score FROM members m
                   JOIN lists l ON l.id = m.list_id JOIN domains d ON d.id = l.domain_id
                   LEFT JOIN member_bounces b ON b.member_id = m.id
                   LEFT JOIN bounces x ON x.id = b.last_bounce
                   WHERE m.email = ?2 AND d.name = ?1 AND l.status = 'open'
                 UNION ALL
                 SELECT l.name, l.subject, a.role, a.privileged, NULL, NULL, NULL, NULL, NULL
                   FROM list_admins a
                   JOIN lists l ON l.id = a.list_id JOIN domains d ON d.id = l.domain_id
                   WHERE a.email = ?2 AND d.name = ?1 AND l.status = 'open'
                 ORDER BY 1",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![domain, email.as_str()], |row| {
                let bounce = match row.get::<_, Option<i64>>(4)? {
                    Some(count) => Some(crate::store::shared::membership_bounce(
                        count,
                        row.get(5)?,
                        row.get(6)?,
                        row.get(7)?,
                        row.get(8)?,
                    )),
                    None => None,
                };
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, bool>(3)?,
                    bounce,
                ))
            })
            .context(context)?;
        let mut out: Vec<Membership> = Vec::new();
        for row in rows {
            let (name, subject, role, privileged, bounce) = row.context(context)?;
            let Ok(list) = ListName::parse(&name) else {
                continue;
            };
            let role = crate::store::shared::membership_role(&role, privileged);
            crate::store::shared::push_membership(&mut out, list, subject, role, bounce);
        }
        for membership in &mut out {
            membership.roles.sort();
        }
        Ok(out)
    }

    /// Holds a request until its key comes back or an owner decides. A request of the same
    /// kind and state for the same address on the list (live or expired) is renewed in
    /// place: new key, data, requester and expiry; its old key stops working. Returns the id.
    pub fn create_pending(&self, pending: &NewPending) -> Result<i64, Error> {
        let at = now();
        self.query_row(
                "INSERT INTO pending_requests (key_hash, list_id, kind, email, requested_by, state, data, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (list_id, kind, email, state) DO UPDATE SET
                     key_hash = excluded.key_hash, requested_by = excluded.requested_by,
                     data = excluded.data, created_at = excluded.created_at,
                     expires_at = excluded.expires_at
                 RETURNING id",
                params![
                    pending.key_hash,
                    pending.list.0,
                    pending.kind,
                    pending.email.as_str(),
                    pending.requested_by.as_ref().map(Email::as_str),
                    pending.state,
                    pending.data.to_string(),
                    at,
                    at + pending.ttl
                ],
                |row| row.get(0),
            )
            .context("holding a request")
    }

    /// The live held request whose key hashes to `key_hash`.
    pub fn pending_by_key(&self, key_hash: &str) -> Result<Option<PendingRecord>, Error> {
        self.query_row(
            &format!(
                "SELECT {PENDING_COLUMNS} FROM pending_requests
                 WHERE key_hash = ?1 AND expires_at > ?2"
            ),
            params![key_hash, now()],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, i64>(7)?,
                ))
            },
        )
        .optional()
        .context("reading a held request")
        .map(|found| {
            found.and_then(
                |(id, list, kind, email, requested_by, state, data, created_at)| {
                    Some(PendingRecord {
                        id,
                        list: ListId(list),
                        kind,
                        email: Email::parse(&email).ok()?,
                        requested_by: requested_by.and_then(|e| Email::parse(&e).ok()),
                        state,
                        data: serde_json::from_str(&data).unwrap_or_default(),
                        created_at,
                    })
                },
            )
        })
    }

    /// The live held request with row id `id`.
    pub fn pending_by_id(&self, id: i64) -> Result<Option<PendingRecord>, Error> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {PENDING_COLUMNS} FROM pending_requests
                 WHERE id = ?1 AND expires_at > ?2"
            ))
            .and_then(|mut s| {
                s.query_row(params![id, now()], super::roster::pending_from_row)
                    .optional()
            })
            .map(Option::flatten)
            .context("reading a held request")
    }

    /// Deletes a held request; returns true if and only if it was still there (so two
    /// concurrent confirmations cannot both act).
    pub fn delete_pending(&self, id: i64) -> Result<bool, Error> {
        self.execute("DELETE FROM pending_requests WHERE id = ?1", [id])
            .context("deleting a held request")
            .map(|n| n > 0)
    }
}
