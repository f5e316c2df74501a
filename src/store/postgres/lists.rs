//! Queries on domains and lists (PostgreSQL).
//!
//! Every write to `lists` here (and every member added or removed, through `member_count`)
//! moves the site version: triggers `site_version_list_insert`, `_update` and `_delete` of
//! `sql/004_site_version.sql`. No Rust code bumps it.

use postgres::Row;

use super::{error, is_unique_violation, Context, Db};
use crate::domain::{
    ArchiveAccess, List, ListId, ListName, ListPolicy, ListStatus, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use crate::store::shared::{split_commas, LIST_COLUMNS};
use crate::store::{now, Error, NewList};

fn list_from_row(row: &Row) -> Result<Option<List>, postgres::Error> {
    let name: &str = row.try_get(1)?;
    // Rows are written through ListName, so a bad one was edited by hand: skip it.
    let Ok(name) = ListName::parse(name) else {
        return Ok(None);
    };
    Ok(Some(List {
        id: ListId(row.try_get(0)?),
        name,
        domain: row.try_get(2)?,
        subject: row.try_get(3)?,
        description: row.try_get(4)?,
        topics: split_commas(row.try_get(5)?),
        policy: ListPolicy {
            visibility: Visibility::parse(row.try_get(6)?),
            subscribe: SubscribePolicy::parse(row.try_get(7)?),
            unsubscribe: UnsubscribePolicy::parse(row.try_get(8)?),
            review: ReviewPolicy::parse(row.try_get(9)?),
            archive: ArchiveAccess::parse(row.try_get(10)?),
        },
        status: ListStatus::parse(row.try_get(11)?),
        member_count: row.try_get::<_, i64>(12)?.max(0) as u64,
        lang: row.try_get(13)?,
    }))
}

impl Db<'_> {
    /// The id of `domain`, created if it is new.
    pub fn ensure_domain(&self, domain: &str) -> Result<i64, Error> {
        let context = format!("creating domain {domain}");
        let select = "SELECT id FROM domains WHERE name = $1";
        let id = |row: Option<postgres::Row>| row.map(|row| row.try_get(0)).transpose();
        // Read first: the domain nearly always exists, and reading takes no row lock.
        if let Some(found) = self
            .conn
            .query_opt(select, &[&domain])
            .and_then(id)
            .context(&context)?
        {
            return Ok(found);
        }
        self.conn
            .execute(
                "INSERT INTO domains (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&domain, &now()],
            )
            .context(&context)?;
        self.conn
            .query_one(select, &[&domain])
            .and_then(|row| row.try_get(0))
            .context(&context)
    }

    /// Creates a list in `domain`; refuses a name that exists.
    pub fn create_list(&self, domain: &str, list: &NewList) -> Result<ListId, Error> {
        let domain_id = self.ensure_domain(domain)?;
        let at = now();
        let inserted = self.conn.query_one(
            "INSERT INTO lists (domain_id, name, subject, description, topics, visibility, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             RETURNING id",
            &[
                &domain_id,
                &list.name.as_str(),
                &list.subject,
                &list.description,
                &list.topics.join(","),
                &list.visibility.as_str(),
                &at,
            ],
        );
        match inserted.and_then(|row| row.try_get(0)) {
            Ok(id) => Ok(ListId(id)),
            Err(e) if is_unique_violation(&e) => {
                Err(Error::AlreadyExists(format!("list {}@{domain}", list.name)))
            }
            Err(e) => Err(error(format!("creating list {}", list.name), e)),
        }
    }

    /// Sets every policy of a list at once.
    pub fn set_list_policy(&self, list: ListId, policy: &ListPolicy) -> Result<(), Error> {
        let changed = self
            .conn
            .execute(
                "UPDATE lists SET visibility = $2, subscribe_policy = $3, unsubscribe_policy = $4,
                 review_policy = $5, archive_access = $6, updated_at = $7 WHERE id = $1",
                &[
                    &list.0,
                    &policy.visibility.as_str(),
                    &policy.subscribe.as_str(),
                    &policy.unsubscribe.as_str(),
                    &policy.review.as_str(),
                    &policy.archive.as_str(),
                    &now(),
                ],
            )
            .context("setting a list's policies")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// Sets a list's language tag ('' for the site's).
    pub fn set_list_lang(&self, list: ListId, lang: &str) -> Result<(), Error> {
        // Moves the site version (trigger `site_version_list_update`, 004_site_version.sql).
        let changed = self
            .conn
            .execute(
                "UPDATE lists SET lang = $2, updated_at = $3 WHERE id = $1",
                &[&list.0, &lang, &now()],
            )
            .context("setting a list's language")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// Sets a list's status (closing keeps its members and history).
    pub fn set_list_status(&self, list: ListId, status: ListStatus) -> Result<(), Error> {
        let changed = self
            .conn
            .execute(
                "UPDATE lists SET status = $2, updated_at = $3 WHERE id = $1",
                &[&list.0, &status.as_str(), &now()],
            )
            .context("setting a list's status")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// Deletes a list and everything attached to it (members and their bounce records,
    /// owners, held requests and posts, archives with their search index, deliveries,
    /// bounces, settings: every table that names a list does so with `ON DELETE CASCADE`;
    /// the outbox and the audit log keep their rows, without the list). Returns true if and
    /// only if there was such a list.
    pub fn purge_list(&self, list: ListId) -> Result<bool, Error> {
        self.conn
            .execute("DELETE FROM lists WHERE id = $1", &[&list.0])
            .context("purging a list")
            .map(|n| n > 0)
    }

    /// One list by its id, whatever its status.
    pub fn list_by_id(&self, list: ListId) -> Result<Option<List>, Error> {
        self.conn
            .query_opt(
                &format!(
                    "SELECT {LIST_COLUMNS} FROM lists l JOIN domains d ON d.id = l.domain_id WHERE l.id = $1"
                ),
                &[&list.0],
            )
            .and_then(|row| row.map(|row| list_from_row(&row)).transpose())
            .map(Option::flatten)
            .context("reading a list")
    }

    /// Every list of `domain` whatever its status, by name (`wwsympa list ls --all`).
    pub fn all_lists(&self, domain: &str) -> Result<Vec<List>, Error> {
        self.query_lists(domain, false)
    }

    /// The open lists of `domain` with their policies, by name.
    pub fn open_lists(&self, domain: &str) -> Result<Vec<List>, Error> {
        self.query_lists(domain, true)
    }

    /// The lists of `domain` by name: only the open ones when `only_open`.
    fn query_lists(&self, domain: &str, only_open: bool) -> Result<Vec<List>, Error> {
        let context = "listing lists";
        let status = if only_open {
            "AND l.status = 'open'"
        } else {
            ""
        };
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {LIST_COLUMNS} FROM lists l JOIN domains d ON d.id = l.domain_id
                     WHERE d.name = $1 {status} ORDER BY l.name"
                ),
                &[&domain],
            )
            .context(context)?;
        let mut lists = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(list) = list_from_row(row).context(context)? {
                lists.push(list);
            }
        }
        Ok(lists)
    }

    /// One list of `domain`, whatever its status.
    pub fn list_by_name(&self, domain: &str, name: &ListName) -> Result<Option<List>, Error> {
        self.conn
            .query_opt(
                &format!(
                    "SELECT {LIST_COLUMNS} FROM lists l JOIN domains d ON d.id = l.domain_id
                     WHERE d.name = $1 AND l.name = $2"
                ),
                &[&domain, &name.as_str()],
            )
            .and_then(|row| row.map(|row| list_from_row(&row)).transpose())
            .map(Option::flatten)
            .map_err(|e| error(format!("reading list {name}"), e))
    }
}
