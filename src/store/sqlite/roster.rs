//! Queries on a list's members as a whole: review pages, search, export, bulk import, options,
//! and the held requests owners decide on.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Row};

use super::{Context, Db};
use crate::domain::{Email, ListId, Member, MemberVisibility, ReceptionMode};
use crate::store::shared::{order_by, MEMBER_COLUMNS, PENDING_COLUMNS};
use crate::store::{now, Error, MemberQuery, NewMember, PendingRecord};

/// Column `i` as text borrowed from the row, without copying it into a `String`.
fn text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    let value = row.get_ref(i)?;
    value
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), Box::new(e)))
}

pub(super) fn member_from_row(row: &Row<'_>) -> rusqlite::Result<Option<Member>> {
    let Ok(email) = Email::from_stored(text(row, 0)?) else {
        return Ok(None);
    };
    // Most members have no custom attribute: no JSON to parse for those.
    let attributes = text(row, 4)?;
    Ok(Some(Member {
        email,
        name: row.get(1)?,
        reception: ReceptionMode::parse(text(row, 2)?).unwrap_or(ReceptionMode::Mail),
        visibility: MemberVisibility::parse(text(row, 3)?),
        custom_attributes: if attributes == "{}" {
            Default::default()
        } else {
            serde_json::from_str(attributes).unwrap_or_default()
        },
        subscribed_at: row.get(5)?,
        updated_at: row.get(6)?,
    }))
}

/// The SQL condition for a query's filter and concealment, with `?1` the list and `?2` the filter.
fn condition(query: &MemberQuery<'_>) -> String {
    let mut sql = String::from("list_id = ?1");
    if !query.include_concealed {
        sql.push_str(" AND visibility = 'noconceal'");
    }
    if query.filter.is_some() {
        // `instr` is SQLite's (PostgreSQL: `strpos`); no LIKE, so `%` and `_` match themselves.
        sql.push_str(" AND (instr(email, lower(?2)) > 0 OR instr(lower(name), lower(?2)) > 0)");
    }
    sql
}

impl Db<'_> {
    /// One page of members, in the query's order; uses the index of that order, so the
    /// first page costs the same for a thousand members as for a hundred thousand.
    pub fn members_page(
        &self,
        list: ListId,
        query: &MemberQuery<'_>,
    ) -> Result<Vec<Member>, Error> {
        let context = "reading a page of members";
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE {} ORDER BY {} LIMIT {} OFFSET {}",
            condition(query),
            order_by(query.sort),
            query.limit.min(10_000),
            query.offset
        );
        let mut statement = self.conn.prepare_cached(&sql).context(context)?;
        let rows = match query.filter {
            Some(filter) => statement.query_map(params![list.0, filter], member_from_row),
            None => statement.query_map(params![list.0], member_from_row),
        }
        .context(context)?;
        let mut members = Vec::new();
        for row in rows {
            if let Some(member) = row.context(context)? {
                members.push(member);
            }
        }
        Ok(members)
    }

    /// How many members the query matches: without a filter from the kept count (minus the
    /// concealed ones, counted on their small index), with one by scanning the list.
    pub fn count_members(&self, list: ListId, query: &MemberQuery<'_>) -> Result<u64, Error> {
        let context = "counting members";
        if let Some(filter) = query.filter {
            let sql = format!("SELECT COUNT(*) FROM members WHERE {}", condition(query));
            return self
                .conn
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row(params![list.0, filter], |row| row.get(0)))
                .context(context);
        }
        // Kept by triggers (`members_count_*`, 003_review.sql): one row read.
        let total = self.member_count(list)?;
        if query.include_concealed {
            return Ok(total);
        }
        // `INDEXED BY` (pinning the partial index `members_concealed`) is SQLite's syntax.
        let concealed: u64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM members INDEXED BY members_concealed
                 WHERE list_id = ?1 AND visibility = 'conceal'",
            )
            .and_then(|mut s| s.query_row([list.0], |row| row.get(0)))
            .context(context)?;
        Ok(total.saturating_sub(concealed))
    }

    /// Calls `each` on every member of a list, by address (for exports and `member ls`).
    pub fn for_each_member(
        &self,
        list: ListId,
        mut each: impl FnMut(&Member) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let context = "reading every member";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM members WHERE list_id = ?1 ORDER BY email"
            ))
            .context(context)?;
        let mut rows = statement.query([list.0]).context(context)?;
        while let Some(row) = rows.next().context(context)? {
            if let Some(member) = member_from_row(row).context(context)? {
                each(&member)?;
            }
        }
        Ok(())
    }

    /// Changes a member's options; returns true if and only if the address is a member.
    pub fn set_member_options(
        &self,
        list: ListId,
        email: &Email,
        name: &str,
        reception: ReceptionMode,
        visibility: MemberVisibility,
    ) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "UPDATE members SET name = ?3, reception = ?4, visibility = ?5, updated_at = ?6
                 WHERE list_id = ?1 AND email = ?2",
            )
            .and_then(|mut s| {
                s.execute(params![
                    list.0,
                    email.as_str(),
                    name,
                    reception.as_str(),
                    visibility.as_str(),
                    now()
                ])
            })
            .context("changing a member's options")
            .map(|n| n > 0)
    }

    /// Replaces a member's custom attributes; returns true if and only if the address is a
    /// member.
    pub fn set_member_custom(
        &self,
        list: ListId,
        email: &Email,
        attributes: &BTreeMap<String, String>,
    ) -> Result<bool, Error> {
        let json = serde_json::to_string(attributes).unwrap_or_else(|_| "{}".to_string());
        self.execute(
            "UPDATE members SET custom_attributes = ?3, updated_at = ?4
                 WHERE list_id = ?1 AND email = ?2",
            params![list.0, email.as_str(), json, now()],
        )
        .context("changing a member's custom attributes")
        .map(|n| n > 0)
    }

    /// Adds many members with one prepared statement (call it inside one transaction);
    /// addresses that are members already are skipped. Calls `progress` with the number of
    /// addresses handled every `every` of them. Returns (added, skipped).
    pub fn add_members_bulk<'m>(
        &self,
        list: ListId,
        members: impl IntoIterator<Item = &'m NewMember>,
        every: usize,
        mut progress: impl FnMut(usize),
    ) -> Result<(usize, usize), Error> {
        let context = "importing members";
        // Each added row moves member_count (trigger `members_count_insert`, 003_review.sql).
        let at = now();
        let mut statement = self
            .conn
            .prepare_cached(
                "INSERT INTO members (list_id, email, name, reception, visibility, custom_attributes, subscribed_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, '{}', ?6, ?6)
                 ON CONFLICT (list_id, email) DO NOTHING",
            )
            .context(context)?;
        let (mut added, mut skipped, mut seen) = (0, 0, 0);
        for member in members {
            let inserted = statement
                .execute(params![
                    list.0,
                    member.email.as_str(),
                    member.name,
                    member.reception.as_str(),
                    member.visibility.as_str(),
                    at
                ])
                .context(context)?;
            if inserted > 0 {
                added += 1;
            } else {
                skipped += 1;
            }
            seen += 1;
            if every > 0 && seen % every == 0 {
                progress(seen);
            }
        }
        Ok((added, skipped))
    }

    /// The live held requests of a list in `state` (`confirm` or `owner`), oldest first.
    pub fn pending_for_list(&self, list: ListId, state: &str) -> Result<Vec<PendingRecord>, Error> {
        let context = "listing held requests";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {PENDING_COLUMNS} FROM pending_requests
                 WHERE list_id = ?1 AND state = ?2 AND expires_at > ?3 ORDER BY created_at, id"
            ))
            .context(context)?;
        let rows = statement
            .query_map(params![list.0, state, now()], pending_from_row)
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(pending) = row.context(context)? {
                out.push(pending);
            }
        }
        Ok(out)
    }

    /// The live held request of `kind` for `email` on a list in `state`, if any.
    pub fn pending_for(
        &self,
        list: ListId,
        kind: &str,
        email: &Email,
        state: &str,
    ) -> Result<Option<PendingRecord>, Error> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {PENDING_COLUMNS} FROM pending_requests
                 WHERE list_id = ?1 AND kind = ?2 AND email = ?3 AND state = ?4 AND expires_at > ?5
                 ORDER BY id DESC LIMIT 1"
            ))
            .and_then(|mut s| {
                s.query_row(
                    params![list.0, kind, email.as_str(), state, now()],
                    pending_from_row,
                )
                .optional()
            })
            .map(Option::flatten)
            .context("reading a held request")
    }
}

/// A held request from its row; `None` when the stored address is not one (edited by hand).
pub(crate) fn pending_from_row(row: &Row<'_>) -> rusqlite::Result<Option<PendingRecord>> {
    let email: String = row.get(3)?;
    let Ok(email) = Email::parse(&email) else {
        return Ok(None);
    };
    Ok(Some(PendingRecord {
        id: row.get(0)?,
        list: ListId(row.get(1)?),
        kind: row.get(2)?,
        email,
        requested_by: row
            .get::<_, Option<String>>(4)?
            .and_then(|e| Email::parse(&e).ok()),
        state: row.get(5)?,
        data: serde_json::from_str(&row.get::<_, String>(6)?).unwrap_or_default(),
        created_at: row.get(7)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ListName, Visibility};
    use crate::store::{MemberSort, NewList, Store};

    fn store_with_members(n: usize) -> (Store, ListId) {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let list = store
            .db()
            .create_list(
                "x.org",
                &NewList {
                    name: ListName::parse("big").unwrap(),
                    subject: String::new(),
                    description: String::new(),
                    topics: vec![],
                    visibility: Visibility::Noconceal,
                },
            )
            .unwrap();
        let members: Vec<NewMember> = (0..n)
            .map(|i| {
                let mut m = NewMember::new(Email::parse(&format!("m{i:05}@x.org")).unwrap());
                m.name = format!("Name {}", n - i);
                if i % 10 == 0 {
                    m.visibility = MemberVisibility::Conceal;
                }
                m
            })
            .collect();
        store
            .transaction(|db| db.add_members_bulk(list, &members, 0, |_| {}))
            .unwrap();
        (store, list)
    }

    #[test]
    fn pages_are_sorted_filtered_and_counted() {
        let (store, list) = store_with_members(100);
        let db = store.db();
        let mut query = MemberQuery {
            filter: None,
            include_concealed: true,
            sort: MemberSort::Email,
            offset: 0,
            limit: 25,
        };
        let page = db.members_page(list, &query).unwrap();
        assert_eq!(page.len(), 25);
        assert_eq!(page[0].email.as_str(), "m00000@x.org");
        assert_eq!(db.count_members(list, &query).unwrap(), 100);
        query.include_concealed = false;
        assert_eq!(db.count_members(list, &query).unwrap(), 90);
        assert_eq!(
            db.members_page(list, &query).unwrap()[0].email.as_str(),
            "m00001@x.org"
        );
        query.sort = MemberSort::Name;
        // "Name 1" < "Name 10" < ... : m00099 has "Name 1".
        assert_eq!(
            db.members_page(list, &query).unwrap()[0].email.as_str(),
            "m00099@x.org"
        );
        query.filter = Some("M0004");
        query.include_concealed = true;
        assert_eq!(db.count_members(list, &query).unwrap(), 10);
        query.offset = 100;
        assert!(db.members_page(list, &query).unwrap().is_empty());
    }

    #[test]
    fn pages_carry_custom_attributes() {
        let (store, list) = store_with_members(2);
        let db = store.db();
        let mut member = NewMember::new(Email::parse("attr@x.org").unwrap());
        member.custom_attributes.insert("lang".into(), "fr".into());
        db.add_member(list, &member).unwrap();
        let query = MemberQuery {
            filter: Some("attr"),
            include_concealed: true,
            sort: MemberSort::Email,
            offset: 0,
            limit: 25,
        };
        let page = db.members_page(list, &query).unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].custom_attributes["lang"], "fr");
        assert_eq!(page[0].reception, ReceptionMode::Mail);
        let query = MemberQuery {
            filter: Some("m00001"),
            ..query
        };
        assert!(db.members_page(list, &query).unwrap()[0]
            .custom_attributes
            .is_empty());
    }

    #[test]
    fn the_kept_count_follows_inserts_and_deletes() {
        let (store, list) = store_with_members(10);
        let db = store.db();
        assert_eq!(db.member_count(list).unwrap(), 10);
        assert!(db
            .remove_member(list, &Email::parse("m00003@x.org").unwrap())
            .unwrap());
        assert_eq!(db.member_count(list).unwrap(), 9);
        let again = [NewMember::new(Email::parse("m00004@x.org").unwrap())];
        assert_eq!(
            db.add_members_bulk(list, &again, 0, |_| {}).unwrap(),
            (0, 1)
        );
        assert_eq!(db.member_count(list).unwrap(), 9);
    }
}
