//! Queries on domains and lists.
//!
//! Every write to `lists` here (and every member added or removed, through `member_count`)
//! moves the site version: triggers `site_version_list_insert`, `_update` and `_delete` of
//! `sql/004_site_version.sql` (listed in `super::TRIGGERS`). No Rust code bumps it.

use rusqlite::{params, OptionalExtension, Row};

use super::{error, is_constraint_violation, Context, Db};
use crate::domain::{
    ArchiveAccess, List, ListId, ListName, ListPolicy, ListStatus, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use crate::store::shared::{list_columns, split_commas};
use crate::store::{now, Error, NewList};

fn list_from_row(row: &Row<'_>) -> rusqlite::Result<Option<List>> {
    let name: String = row.get(1)?;
    // Rows are written through ListName, so a bad one means the file was edited by hand: skip it.
    let Ok(name) = ListName::parse(&name) else {
        return Ok(None);
    };
    Ok(Some(List {
        id: ListId(row.get(0)?),
        name,
        domain: row.get(2)?,
        subject: row.get(3)?,
        description: row.get(4)?,
        topics: split_commas(&row.get::<_, String>(5)?),
        policy: ListPolicy {
            visibility: Visibility::parse(&row.get::<_, String>(6)?),
            subscribe: SubscribePolicy::parse(&row.get::<_, String>(7)?),
            unsubscribe: UnsubscribePolicy::parse(&row.get::<_, String>(8)?),
            review: ReviewPolicy::parse(&row.get::<_, String>(9)?),
            archive: ArchiveAccess::parse(&row.get::<_, String>(10)?),
        },
        status: ListStatus::parse(&row.get::<_, String>(11)?),
        member_count: row.get::<_, i64>(12)?.max(0) as u64,
        lang: row.get(13)?,
    }))
}

impl Db<'_> {
    /// The id of `domain`, created if it is new.
    pub fn ensure_domain(&self, domain: &str) -> Result<i64, Error> {
        let context = format!("creating domain {domain}");
        self.execute(
            "INSERT INTO domains (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![domain, now()],
        )
        .context(&context)?;
        self.query_row("SELECT id FROM domains WHERE name = ?1", [domain], |row| {
            row.get(0)
        })
        .context(&context)
    }

    /// Creates a list in `domain`; refuses a name that exists.
    pub fn create_list(&self, domain: &str, list: &NewList) -> Result<ListId, Error> {
        let domain_id = self.ensure_domain(domain)?;
        let at = now();
        // The new row moves the site version (trigger `site_version_list_insert`, 004_site_version.sql).
        let inserted = self.query_row(
            "INSERT INTO lists (domain_id, name, subject, description, topics, visibility, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             RETURNING id",
            params![domain_id, list.name.as_str(), list.subject, list.description, list.topics.join(","), list.visibility.as_str(), at],
            |row| row.get(0),
        );
        match inserted {
            Ok(id) => Ok(ListId(id)),
            Err(e) if is_constraint_violation(&e) => {
                Err(Error::AlreadyExists(format!("list {}@{domain}", list.name)))
            }
            Err(e) => Err(error(format!("creating list {}", list.name), e)),
        }
    }

    /// Sets every policy of a list at once.
    pub fn set_list_policy(&self, list: ListId, policy: &ListPolicy) -> Result<(), Error> {
        // Moves the site version (trigger `site_version_list_update`, 004_site_version.sql).
        let changed = self
            .execute(
                "UPDATE lists SET visibility = ?2, subscribe_policy = ?3, unsubscribe_policy = ?4,
                 review_policy = ?5, archive_access = ?6, updated_at = ?7 WHERE id = ?1",
                params![
                    list.0,
                    policy.visibility.as_str(),
                    policy.subscribe.as_str(),
                    policy.unsubscribe.as_str(),
                    policy.review.as_str(),
                    policy.archive.as_str(),
                    now()
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
            .execute(
                "UPDATE lists SET lang = ?2, updated_at = ?3 WHERE id = ?1",
                params![list.0, lang, now()],
            )
            .context("setting a list's language")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// Sets a list's status (closing keeps its members and history).
    pub fn set_list_status(&self, list: ListId, status: ListStatus) -> Result<(), Error> {
        // Moves the site version (trigger `site_version_list_update`, 004_site_version.sql).
        let changed = self
            .execute(
                "UPDATE lists SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![list.0, status.as_str(), now()],
            )
            .context("setting a list's status")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("list #{}", list.0)));
        }
        Ok(())
    }

    /// Deletes a list and everything attached to it (members and their bounce records,
    /// owners, held requests and posts, archives, deliveries, bounces, settings: every table
    /// that names a list does so with `ON DELETE CASCADE`; the outbox and the audit log keep
    /// their rows, without the list). Returns true if and only if there was such a list.
    /// The archive's search index is not a table with a key: the caller removes the entries
    /// of the list's visible messages first (`set_archived_state` to `Deleted`).
    pub fn purge_list(&self, list: ListId) -> Result<bool, Error> {
        // Moves the site version (trigger `site_version_list_delete`, 004_site_version.sql).
        self.execute("DELETE FROM lists WHERE id = ?1", [list.0])
            .context("purging a list")
            .map(|n| n > 0)
    }

    /// One list by its id, whatever its status.
    pub fn list_by_id(&self, list: ListId) -> Result<Option<List>, Error> {
        self.conn
            .prepare_cached(concat!(
                "SELECT ",
                list_columns!(),
                " FROM lists l JOIN domains d ON d.id = l.domain_id WHERE l.id = ?1"
            ))
            .and_then(|mut s| s.query_row([list.0], list_from_row).optional())
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
        let sql = if only_open {
            concat!(
                "SELECT ",
                list_columns!(),
                " FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = ?1 AND l.status = 'open' ORDER BY l.name"
            )
        } else {
            concat!(
                "SELECT ",
                list_columns!(),
                " FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = ?1 ORDER BY l.name"
            )
        };
        let mut statement = self.conn.prepare_cached(sql).context(context)?;
        let rows = statement
            .query_map([domain], list_from_row)
            .context(context)?;
        let mut lists = Vec::new();
        for row in rows {
            if let Some(list) = row.context(context)? {
                lists.push(list);
            }
        }
        Ok(lists)
    }

    /// One list of `domain`, whatever its status.
    pub fn list_by_name(&self, domain: &str, name: &ListName) -> Result<Option<List>, Error> {
        self.conn
            .prepare_cached(concat!(
                "SELECT ",
                list_columns!(),
                " FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = ?1 AND l.name = ?2"
            ))
            .and_then(|mut s| {
                s.query_row(params![domain, name.as_str()], list_from_row)
                    .optional()
            })
            .map(Option::flatten)
            .map_err(|e| error(format!("reading list {name}"), e))
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{ListName, Visibility};
    use crate::store::{Error, NewList, Store};

    #[test]
    fn create_list_returns_the_id_of_its_row_and_domains_are_made_once() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let db = store.db();
        let new = |name: &str| NewList {
            name: ListName::parse(name).unwrap(),
            subject: String::new(),
            description: String::new(),
            topics: vec![],
            visibility: Visibility::Noconceal,
        };
        let a = db.create_list("a.org", &new("one")).unwrap();
        let b = db.create_list("a.org", &new("two")).unwrap();
        assert_ne!(a, b);
        assert_eq!(db.list_by_id(a).unwrap().unwrap().name.as_str(), "one");
        assert_eq!(db.list_by_id(b).unwrap().unwrap().name.as_str(), "two");
        assert!(matches!(
            db.create_list("a.org", &new("one")),
            Err(Error::AlreadyExists(_))
        ));
        // `ON CONFLICT (name) DO NOTHING` keeps the first row and its id.
        assert_eq!(
            db.ensure_domain("a.org").unwrap(),
            db.ensure_domain("a.org").unwrap()
        );
        assert_ne!(
            db.ensure_domain("a.org").unwrap(),
            db.ensure_domain("b.org").unwrap()
        );
    }
}
