//! Queries on domains and lists.

use rusqlite::{params, OptionalExtension};

use super::{now, Error, Store};
use crate::domain::{ListName, ListSummary, Visibility};

/// What `create_list` needs.
#[derive(Debug, Clone)]
pub struct NewList {
    /// The list's name.
    pub name: ListName,
    /// Its subject line.
    pub subject: String,
    /// Its description.
    pub description: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// Who may see it.
    pub visibility: Visibility,
}

impl Store {
    /// The id of `domain`, created if it is new.
    pub fn ensure_domain(&self, domain: &str) -> Result<i64, Error> {
        let context = || format!("creating domain {domain}");
        self.conn
            .execute(
                "INSERT OR IGNORE INTO domains (name, created_at) VALUES (?1, ?2)",
                params![domain, now()],
            )
            .map_err(|e| Error::sql(context(), e))?;
        self.conn
            .query_row("SELECT id FROM domains WHERE name = ?1", [domain], |row| {
                row.get(0)
            })
            .map_err(|e| Error::sql(context(), e))
    }

    /// Creates a list in `domain`; refuses a name that exists.
    pub fn create_list(&mut self, domain: &str, list: &NewList) -> Result<(), Error> {
        let domain_id = self.ensure_domain(domain)?;
        let at = now();
        let inserted = self.conn.execute(
            "INSERT INTO lists (domain_id, name, subject, description, topics, visibility, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![domain_id, list.name.as_str(), list.subject, list.description, list.topics.join(","), list.visibility.as_str(), at],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(Error::AlreadyExists(format!("list {}@{domain}", list.name)))
            }
            Err(e) => Err(Error::sql(format!("creating list {}", list.name), e)),
        }
    }

    /// The open lists of `domain`, by name.
    pub fn lists(&self, domain: &str) -> Result<Vec<ListSummary>, Error> {
        let context = "listing lists";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT l.name, l.subject, l.topics, l.visibility FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = ?1 AND l.status = 'open' ORDER BY l.name",
            )
            .map_err(|e| Error::sql(context, e))?;
        let rows = statement
            .query_map([domain], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| Error::sql(context, e))?;
        let mut lists = Vec::new();
        for row in rows {
            let (name, subject, topics, visibility) = row.map_err(|e| Error::sql(context, e))?;
            // Rows are written through ListName, so a bad one means the file was edited by hand: skip it.
            let Ok(name) = ListName::parse(&name) else {
                continue;
            };
            lists.push(ListSummary {
                name,
                subject,
                topics: topics
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
                visibility: Visibility::parse(&visibility),
            });
        }
        Ok(lists)
    }

    /// One open list of `domain`, if it exists.
    pub fn list(&self, domain: &str, name: &ListName) -> Result<Option<ListSummary>, Error> {
        self.conn
            .query_row(
                "SELECT l.subject, l.topics, l.visibility FROM lists l JOIN domains d ON d.id = l.domain_id
                 WHERE d.name = ?1 AND l.name = ?2 AND l.status = 'open'",
                params![domain, name.as_str()],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)),
            )
            .optional()
            .map_err(|e| Error::sql(format!("reading list {name}"), e))
            .map(|found| {
                found.map(|(subject, topics, visibility)| ListSummary {
                    name: name.clone(),
                    subject,
                    topics: topics.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect(),
                    visibility: Visibility::parse(&visibility),
                })
            })
    }
}
