//! Queries on a list's members as a whole (PostgreSQL): review pages, search, export, bulk import, options, and the held requests owners decide on.

use std::collections::BTreeMap;

use postgres::Row;

use super::{Context, Db, PAGE};
use crate::domain::{Email, ListId, Member, MemberVisibility, ReceptionMode};
use crate::store::shared::{order_by, MEMBER_COLUMNS, PENDING_COLUMNS};
use crate::store::{now, Error, MemberQuery, NewMember, PendingRecord};

/// Members inserted by one statement in a bulk import.
const BULK_CHUNK: usize = 1000;

fn member_from_row(row: &Row) -> Result<Option<Member>, postgres::Error> {
    let Ok(email) = Email::from_stored(row.try_get(0)?) else {
        return Ok(None);
    };
    // Most members have no custom attribute: no JSON to parse for those.
    let attributes: &str = row.try_get(4)?;
    Ok(Some(Member {
        email,
        name: row.try_get(1)?,
        reception: ReceptionMode::parse(row.try_get(2)?).unwrap_or(ReceptionMode::Mail),
        visibility: MemberVisibility::parse(row.try_get(3)?),
        custom_attributes: if attributes == "{}" {
            Default::default()
        } else {
            serde_json::from_str(attributes).unwrap_or_default()
        },
        subscribed_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
    }))
}

/// The SQL condition for a query's filter and concealment, with `$1` the list and `$2` the filter.
fn condition(query: &MemberQuery<'_>) -> String {
    let mut sql = String::from("list_id = $1");
    if !query.include_concealed {
        sql.push_str(" AND visibility = 'noconceal'");
    }
    if query.filter.is_some() {
        // `strpos`, not LIKE, so that `%` and `_` match themselves; `lower` in the "C"
        // collation changes only ASCII letters, as SQLite's does.
        sql.push_str(
            " AND (strpos(email, lower($2 COLLATE \"C\")) > 0 OR strpos(lower(name), lower($2 COLLATE \"C\")) > 0)",
        );
    }
    sql
}

/// The rows of a page of members, skipping rows edited by hand into something else.
pub(super) fn members(rows: &[Row], context: &str) -> Result<Vec<Member>, Error> {
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(member) = member_from_row(row).context(context)? {
            members.push(member);
        }
    }
    Ok(members)
}

impl Db<'_> {
    /// One page of members, in the query's order; uses the index of that order.
    pub fn members_page(
        &self,
        list: ListId,
        query: &MemberQuery<'_>,
    ) -> Result<Vec<Member>, Error> {
        let context = "reading a page of members";
        let limit = query.limit.min(10_000) as i64;
        let offset = query.offset.min(i64::MAX as u64) as i64;
        let rows = match query.filter {
            Some(filter) => self.conn.query(
                &format!(
                    "SELECT {MEMBER_COLUMNS} FROM members WHERE {} ORDER BY {} LIMIT $3 OFFSET $4",
                    condition(query),
                    order_by(query.sort)
                ),
                &[&list.0, &filter, &limit, &offset],
            ),
            None => self.conn.query(
                &format!(
                    "SELECT {MEMBER_COLUMNS} FROM members WHERE {} ORDER BY {} LIMIT $2 OFFSET $3",
                    condition(query),
                    order_by(query.sort)
                ),
                &[&list.0, &limit, &offset],
            ),
        }
        .context(context)?;
        members(&rows, context)
    }

    /// How many members the query matches: without a filter from the kept count (minus the
    /// concealed ones, counted on their small index), with one by scanning the list.
    pub fn count_members(&self, list: ListId, query: &MemberQuery<'_>) -> Result<u64, Error> {
        let context = "counting members";
        let count = |row: Row| row.try_get::<_, i64>(0).map(|n| n.max(0) as u64);
        if let Some(filter) = query.filter {
            return self
                .conn
                .query_one(
                    &format!("SELECT COUNT(*) FROM members WHERE {}", condition(query)),
                    &[&list.0, &filter],
                )
                .and_then(count)
                .context(context);
        }
        let total = self.member_count(list)?;
        if query.include_concealed {
            return Ok(total);
        }
        let concealed = self
            .conn
            .query_one(
                "SELECT COUNT(*) FROM members WHERE list_id = $1 AND visibility = 'conceal'",
                &[&list.0],
            )
            .and_then(count)
            .context(context)?;
        Ok(total.saturating_sub(concealed))
    }

    /// Calls `each` on every member of a list, by address (for exports and `member ls`),
    /// reading [`PAGE`] rows at a time after the last address seen.
    pub fn for_each_member(
        &self,
        list: ListId,
        mut each: impl FnMut(&Member) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let context = "reading every member";
        let mut after = String::new();
        loop {
            let rows = self
                .conn
                .query(
                    &format!(
                        "SELECT {MEMBER_COLUMNS} FROM members WHERE list_id = $1 AND email > $2
                         ORDER BY email LIMIT $3"
                    ),
                    &[&list.0, &after, &PAGE],
                )
                .context(context)?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.try_get::<_, String>(0).context(context)?;
            for member in members(&rows, context)? {
                each(&member)?;
            }
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
        }
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
            .execute(
                "UPDATE members SET name = $3, reception = $4, visibility = $5, updated_at = $6
                 WHERE list_id = $1 AND email = $2",
                &[
                    &list.0,
                    &email.as_str(),
                    &name,
                    &reception.as_str(),
                    &visibility.as_str(),
                    &now(),
                ],
            )
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
        self.conn
            .execute(
                "UPDATE members SET custom_attributes = $3, updated_at = $4
                 WHERE list_id = $1 AND email = $2",
                &[&list.0, &email.as_str(), &json, &now()],
            )
            .context("changing a member's custom attributes")
            .map(|n| n > 0)
    }

    /// Adds many members, [`BULK_CHUNK`] to a statement (call it inside one transaction);
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
        let at = now();
        let (mut added, mut seen) = (0usize, 0usize);
        let mut members = members.into_iter().peekable();
        while members.peek().is_some() {
            let chunk: Vec<&NewMember> = members.by_ref().take(BULK_CHUNK).collect();
            let column =
                |f: fn(&NewMember) -> &str| -> Vec<&str> { chunk.iter().map(|m| f(m)).collect() };
            let emails = column(|m| m.email.as_str());
            let names = column(|m| m.name.as_str());
            let receptions = column(|m| m.reception.as_str());
            let visibilities = column(|m| m.visibility.as_str());
            // The count trigger runs once for the whole chunk (003_review.sql).
            let inserted = self
                .conn
                .execute(
                    "INSERT INTO members (list_id, email, name, reception, visibility, custom_attributes, subscribed_at, updated_at)
                     SELECT $1, e, n, r, v, '{}', $6, $6
                     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS m (e, n, r, v)
                     ON CONFLICT (list_id, email) DO NOTHING",
                    &[&list.0, &emails, &names, &receptions, &visibilities, &at],
                )
                .context(context)? as usize;
            added += inserted;
            for _ in &chunk {
                seen += 1;
                if every > 0 && seen % every == 0 {
                    progress(seen);
                }
            }
        }
        Ok((added, seen - added))
    }

    /// The live held requests of a list in `state` (`confirm` or `owner`), oldest first.
    pub fn pending_for_list(&self, list: ListId, state: &str) -> Result<Vec<PendingRecord>, Error> {
        let context = "listing held requests";
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {PENDING_COLUMNS} FROM pending_requests
                     WHERE list_id = $1 AND state = $2 AND expires_at > $3 ORDER BY created_at, id"
                ),
                &[&list.0, &state, &now()],
            )
            .context(context)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(pending) = pending_from_row(row).context(context)? {
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
            .query_opt(
                &format!(
                    "SELECT {PENDING_COLUMNS} FROM pending_requests
                     WHERE list_id = $1 AND kind = $2 AND email = $3 AND state = $4 AND expires_at > $5
                     ORDER BY id DESC LIMIT 1"
                ),
                &[&list.0, &kind, &email.as_str(), &state, &now()],
            )
            .and_then(|row| row.map(|row| pending_from_row(&row)).transpose())
            .map(Option::flatten)
            .context("reading a held request")
    }
}

/// A held request from its row ([`PENDING_COLUMNS`]); `None` when the stored address is not
/// one (edited by hand).
pub(crate) fn pending_from_row(row: &Row) -> Result<Option<PendingRecord>, postgres::Error> {
    let Ok(email) = Email::parse(row.try_get(3)?) else {
        return Ok(None);
    };
    let requested_by: Option<&str> = row.try_get(4)?;
    Ok(Some(PendingRecord {
        id: row.try_get(0)?,
        list: ListId(row.try_get(1)?),
        kind: row.try_get(2)?,
        email,
        requested_by: requested_by.and_then(|e| Email::parse(e).ok()),
        state: row.try_get(5)?,
        data: serde_json::from_str(row.try_get(6)?).unwrap_or_default(),
        created_at: row.try_get(7)?,
    }))
}
