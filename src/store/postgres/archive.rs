//! Queries on the archives: storing a message with its ids, thread and index entry, months, threads, permalinks, search (PostgreSQL full-text search).
//!
//! The logic shared with SQLite (threading, state changes, the index's words) is in
//! `store::archiving`; this file holds PostgreSQL's statements. The index is the table
//! `archive_search`: `words` (subject A, sender B, new body C, quoted body D) and `names`
//! (attachment names), tsvectors written as literals from the store's own words
//! ([`archiving::tsvector_literal`]) so that no text search configuration or server locale
//! changes what is found; queries are `tsquery` literals from [`archiving::ts_terms`].

use postgres::types::ToSql;
use postgres::Row;

use super::{Context, Db};
use crate::domain::{ArchivedState, IndexText, ListId, Month, SearchCombine, SearchOrder};
use crate::store::archiving::{
    self, ArchiveRows, Columns, IndexWords, MessageRow, NodeRow, StateRow, TsTarget, RELEVANCE_CAP,
    SUMMARY_COLUMNS,
};
use crate::store::{
    ArchiveScope, ArchiveSearch, Archived, ArchivedRef, ArchivedSummary, Error, MessageKey,
    NewArchived, StoredMessage, ThreadNode, ThreadSummary,
};

/// Rows read at a time by `for_each_archived`: a page of messages is held whole (its
/// bytes included) while it is handed on, so an export's memory is this many of the
/// largest messages, whatever the export's size.
const STREAM_PAGE: i64 = 16;

impl Columns for Row {
    fn int(&self, i: usize) -> Result<i64, Error> {
        self.try_get(i).context("reading an archive row")
    }
    fn text(&self, i: usize) -> Result<String, Error> {
        self.try_get(i).context("reading an archive row")
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Error> {
        self.try_get(i).context("reading an archive row")
    }
}

/// A limit or offset as PostgreSQL's BIGINT.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Under this many matches, a newest-first search finds them all through the GIN index and
/// sorts them; from it on, it walks the messages newest first and tests each (PostgreSQL's
/// planner, left to itself, walks for rare words too: 100 ms instead of 2 at 100,000
/// messages).
const FEW_MATCHES: u64 = 2_000;

/// What a search statement returns, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// How many match (no order).
    Count,
    /// Newest first, walking the id index.
    Newest,
    /// Newest first, from the matches found through the GIN index.
    NewestOfFew,
    /// Best first (`ts_rank`), then newest.
    Ranked,
}

/// A search's condition on `archive_search s` with its tsquery parameters (numbered from
/// `first`), and the tsquery its rank is computed on; `None` when it matches nothing.
fn search_condition(search: &ArchiveSearch<'_>, first: usize) -> Option<(String, Vec<String>)> {
    let terms = archiving::ts_terms(search.query)?;
    let mut queries = Vec::with_capacity(terms.len());
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    for term in &terms {
        let n = first + queries.len();
        queries.push(term.query.clone());
        let test = match term.target {
            TsTarget::Words => format!("s.words @@ ${n}::text::tsquery"),
            TsTarget::Names => format!("s.names @@ ${n}::text::tsquery"),
            TsTarget::Both => {
                format!("(s.words @@ ${n}::text::tsquery OR s.names @@ ${n}::text::tsquery)")
            }
        };
        if term.negated {
            negative.push(format!("NOT {test}"));
        } else {
            positive.push(test);
        }
    }
    let join = match search.query.combine {
        SearchCombine::All => " AND ",
        SearchCombine::Any => " OR ",
    };
    let mut condition = format!("({})", positive.join(join));
    for not in negative {
        condition = format!("{condition} AND {not}");
    }
    Some((condition, queries))
}

impl Db<'_> {
    /// The summaries `sql` selects (its columns are [`SUMMARY_COLUMNS`]).
    pub(super) fn summaries(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        context: &str,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        let rows = self.conn.query(sql, params).context(context)?;
        rows.iter().map(archiving::summary).collect()
    }

    /// The one summary `sql` selects, if any.
    fn one_summary(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        context: &str,
    ) -> Result<Option<ArchivedSummary>, Error> {
        Ok(self.summaries(sql, params, context)?.into_iter().next())
    }

    pub fn archive_message(&self, message: &NewArchived<'_>) -> Result<Archived, Error> {
        archiving::archive_message(self, message)
    }

    pub fn archive_months(&self, list: ListId) -> Result<Vec<(Month, u64)>, Error> {
        let rows = self
            .conn
            .query(
                "SELECT month, messages FROM archive_months
                 WHERE list_id = $1 AND messages > 0 ORDER BY month DESC",
                &[&list.0],
            )
            .context("reading an archive's months")?;
        rows.iter()
            .map(|row| {
                let n = row.int(1)?;
                Ok((archiving::month_of(&row.text(0)?)?, n.max(0) as u64))
            })
            .collect()
    }

    pub fn archive_month_page(
        &self,
        list: ListId,
        month: Month,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        self.summaries(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = $1 AND m.month = $2 AND m.state = 'visible'
                 ORDER BY m.date, m.id LIMIT $3 OFFSET $4"
            ),
            &[&list.0, &month.to_string(), &int(limit), &int(offset)],
            "reading a month of the archive",
        )
    }

    pub fn archive_hidden(
        &self,
        list: ListId,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        self.summaries(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = $1 AND m.state IN ('hidden', 'deleted')
                 ORDER BY m.date DESC, m.id DESC LIMIT $2 OFFSET $3"
            ),
            &[&list.0, &int(limit), &int(offset)],
            "reading the hidden messages of an archive",
        )
    }

    pub fn archive_month_threads(
        &self,
        list: ListId,
        month: Month,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<ThreadSummary>, u64), Error> {
        let context = "reading a month's threads";
        let month = month.to_string();
        let total = self
            .conn
            .query_one(
                "SELECT COUNT(DISTINCT thread_id) FROM archive_messages
                 WHERE list_id = $1 AND month = $2 AND state = 'visible'",
                &[&list.0, &month],
            )
            .context(context)?
            .int(0)?;
        let rows = self
            .conn
            .query(
                "SELECT id, subject, messages, COALESCE(first_date, 0), COALESCE(last_date, 0)
                 FROM archive_threads
                 WHERE id IN (SELECT thread_id FROM archive_messages
                              WHERE list_id = $1 AND month = $2 AND state = 'visible')
                 ORDER BY last_date DESC, id DESC LIMIT $3 OFFSET $4",
                &[&list.0, &month, &int(limit), &int(offset)],
            )
            .context(context)?;
        let threads = rows
            .iter()
            .map(|row| {
                Ok(ThreadSummary {
                    id: row.int(0)?,
                    subject: row.text(1)?,
                    messages: row.int(2)?.max(0) as u64,
                    first: row.int(3)?,
                    last: row.int(4)?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok((threads, total.max(0) as u64))
    }

    pub fn archive_thread(
        &self,
        list: ListId,
        thread: i64,
        limit: u64,
    ) -> Result<Vec<ThreadNode>, Error> {
        let context = "reading a thread";
        let messages = self.summaries(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.thread_id = $1 AND m.list_id = $2 AND m.state = 'visible'
                 ORDER BY m.date, m.id LIMIT $3"
            ),
            &[&thread, &list.0, &int(limit)],
            context,
        )?;
        let rows = self
            .conn
            .query(
                "SELECT message_id, parent, message FROM archive_msgids
                 WHERE thread_id = $1 AND list_id = $2 ORDER BY id",
                &[&thread, &list.0],
            )
            .context(context)?;
        let nodes = rows
            .iter()
            .map(|row| {
                let message: Option<i64> = row.try_get(2)?;
                Ok((row.try_get(0)?, row.try_get(1)?, message.is_some()))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .context(context)?;
        let truncated = messages.len() as u64 >= limit;
        Ok(archiving::thread_nodes(nodes, messages, truncated))
    }

    pub fn archived_by_seq(
        &self,
        list: ListId,
        month: Month,
        seq: u32,
    ) -> Result<Option<ArchivedSummary>, Error> {
        self.one_summary(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = $1 AND m.month = $2 AND m.seq = $3"
            ),
            &[&list.0, &month.to_string(), &i64::from(seq)],
            "reading an archived message by number",
        )
    }

    pub fn archived_by_key(
        &self,
        list: ListId,
        key: MessageKey<'_>,
    ) -> Result<Option<ArchivedSummary>, Error> {
        let (condition, value) = match key {
            MessageKey::MessageId(id) => ("g.message_id = $2", id),
            MessageKey::Permalink(id) => ("m.permalink = $2", id),
            MessageKey::HyperKitty(id) => ("m.hyperkitty = $2", id),
        };
        self.one_summary(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = $1 AND {condition} ORDER BY m.id LIMIT 1"
            ),
            &[&list.0, &value],
            "reading an archived message by key",
        )
    }

    pub fn archived_neighbours(
        &self,
        list: ListId,
        id: i64,
    ) -> Result<(Option<ArchivedSummary>, Option<ArchivedSummary>), Error> {
        let context = "reading an archived message's neighbours";
        let Some(row) = self
            .conn
            .query_opt(
                "SELECT date FROM archive_messages WHERE id = $1 AND list_id = $2",
                &[&id, &list.0],
            )
            .context(context)?
        else {
            return Ok((None, None));
        };
        let date = row.int(0)?;
        let before = self.one_summary(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = $1 AND m.state = 'visible'
                   AND (m.date < $2 OR (m.date = $2 AND m.id < $3))
                 ORDER BY m.date DESC, m.id DESC LIMIT 1"
            ),
            &[&list.0, &date, &id],
            context,
        )?;
        let after = self.one_summary(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = $1 AND m.state = 'visible'
                   AND (m.date > $2 OR (m.date = $2 AND m.id > $3))
                 ORDER BY m.date, m.id LIMIT 1"
            ),
            &[&list.0, &date, &id],
            context,
        )?;
        Ok((before, after))
    }

    pub fn archived_raw(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        let context = "reading an archived message's bytes";
        let Some(row) = self
            .conn
            .query_opt("SELECT codec, bytes FROM archive_raw WHERE id = $1", &[&id])
            .context(context)?
        else {
            return Ok(None);
        };
        let bytes: Vec<u8> = row.try_get(1).context(context)?;
        archiving::decompress(&row.text(0)?, &bytes).map(Some)
    }

    pub fn archive_latest(
        &self,
        lists: &[ListId],
        since: i64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        let ids = archiving::id_list(lists);
        self.summaries(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id IN ({ids}) AND m.state = 'visible' AND m.arrived_at >= $1
                 ORDER BY m.id DESC LIMIT $2"
            ),
            &[&since, &int(limit)],
            "reading the latest archived messages",
        )
    }

    pub fn for_each_archived(
        &self,
        list: ListId,
        scope: ArchiveScope,
        mut each: impl FnMut(&ArchivedSummary, &[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let context = "reading archived messages";
        let (condition, month, thread) = match scope {
            ArchiveScope::Month(month) => (
                "m.month = $2 AND $3::bigint IS NOT NULL",
                month.to_string(),
                0,
            ),
            ArchiveScope::Thread(thread) => (
                "m.thread_id = $3 AND $2::text IS NOT NULL",
                String::new(),
                thread,
            ),
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, r.codec, r.bytes FROM archive_messages m
             JOIN archive_msgids g ON g.id = m.msgid_id
             JOIN archive_raw r ON r.id = m.id
             WHERE m.list_id = $1 AND {condition}
               AND m.state = 'visible'
               AND (m.date > $4 OR (m.date = $4 AND m.id > $5))
             ORDER BY m.date, m.id LIMIT $6"
        );
        let (mut date, mut id) = (i64::MIN, i64::MIN);
        loop {
            let rows = self
                .conn
                .query(&sql, &[&list.0, &month, &thread, &date, &id, &STREAM_PAGE])
                .context(context)?;
            for row in &rows {
                let summary = archiving::summary(row)?;
                let bytes: Vec<u8> = row.try_get(17).context(context)?;
                (date, id) = (summary.date, summary.id);
                each(&summary, &archiving::decompress(&row.text(16)?, &bytes)?)?;
            }
            if (rows.len() as i64) < STREAM_PAGE {
                return Ok(());
            }
        }
    }

    /// The rows a search finds, `limit` from `offset`, newest first or by rank (`ranked`);
    /// with `count`, one row: how many that is.
    fn search_rows(
        &self,
        search: &ArchiveSearch<'_>,
        shape: Shape,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<Row>, Error> {
        let Some((condition, queries)) = search_condition(search, 6) else {
            return Ok(Vec::new());
        };
        let ids = archiving::id_list(search.lists);
        let rank = queries.len() + 6;
        let rank_query = archiving::ts_terms(search.query)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| !t.negated)
            .map(|t| format!("({})", t.query))
            .collect::<Vec<_>>()
            .join(" | ");
        let order = match shape {
            Shape::Ranked => format!(
                "ORDER BY ts_rank(s.words, ${rank}::text::tsquery) + ts_rank(s.names, ${rank}::text::tsquery) DESC, s.id DESC"
            ),
            Shape::Newest => "ORDER BY s.id DESC".to_string(),
            // `+ 0`: not the id index's order, so the matches are found through the GIN
            // index first, then sorted.
            Shape::NewestOfFew => "ORDER BY s.id + 0 DESC".to_string(),
            Shape::Count => String::new(),
        };
        // The index's rows alone decide what matches (only visible messages are in it, with
        // their list and date); the messages' rows are checked again for what is shown.
        let matching = format!(
            "{condition} AND s.id < $1 AND ${rank}::text::tsquery IS NOT NULL
             AND s.list_id IN ({ids}) AND s.date >= $2 AND s.date < $3"
        );
        let sql = if shape == Shape::Count {
            format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM archive_search s WHERE {matching}
                 LIMIT $4 OFFSET $5) AS found"
            )
        } else {
            format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_search s
                 JOIN archive_messages m ON m.id = s.id
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE {matching} AND m.list_id IN ({ids}) AND m.state = 'visible'
                 {order} LIMIT $4 OFFSET $5"
            )
        };
        let numbers = [
            search.before.unwrap_or(i64::MAX),
            search.query.since.unwrap_or(i64::MIN),
            search.query.until.unwrap_or(i64::MAX),
            int(limit),
            int(offset),
        ];
        let mut params: Vec<&(dyn ToSql + Sync)> =
            numbers.iter().map(|n| n as &(dyn ToSql + Sync)).collect();
        params.extend(queries.iter().map(|q| q as &(dyn ToSql + Sync)));
        params.push(&rank_query);
        self.conn
            .query(&sql, &params)
            .context("searching the archives")
    }

    pub fn archive_search(
        &self,
        search: &ArchiveSearch<'_>,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        let shape = if search.order == SearchOrder::Relevance
            && self.archive_search_count(search, RELEVANCE_CAP)? < RELEVANCE_CAP
        {
            Shape::Ranked
        } else if self.archive_search_count(search, FEW_MATCHES)? < FEW_MATCHES {
            Shape::NewestOfFew
        } else {
            Shape::Newest
        };
        let rows = self.search_rows(search, shape, search.limit, search.offset)?;
        rows.iter().map(archiving::summary).collect()
    }

    pub fn archive_search_count(&self, search: &ArchiveSearch<'_>, cap: u64) -> Result<u64, Error> {
        match self.search_rows(search, Shape::Count, cap, 0)?.first() {
            Some(row) => Ok(row.int(0)?.max(0) as u64),
            None => Ok(0),
        }
    }

    pub fn set_archived_state(
        &self,
        id: i64,
        state: ArchivedState,
        index: &IndexText,
    ) -> Result<Option<ArchivedState>, Error> {
        archiving::set_archived_state(self, id, state, index)
    }

    pub fn archive_index_clear(&self) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM archive_search", &[])
            .context("emptying the search index")
            .map(drop)
    }

    pub fn archived_after(&self, after: i64, limit: u64) -> Result<Vec<StoredMessage>, Error> {
        let context = "reading archived messages for reindexing";
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, r.codec, r.bytes FROM archive_messages m
                     JOIN archive_msgids g ON g.id = m.msgid_id
                     LEFT JOIN archive_raw r ON r.id = m.id
                     WHERE m.id > $1 ORDER BY m.id LIMIT $2"
                ),
                &[&after, &int(limit)],
            )
            .context(context)?;
        rows.iter()
            .map(|row| {
                let summary = archiving::summary(row)?;
                let codec = row.opt_text(16)?;
                let bytes: Option<Vec<u8>> = row.try_get(17).context(context)?;
                let raw = match (codec, bytes) {
                    (Some(codec), Some(bytes)) => Some(archiving::decompress(&codec, &bytes)?),
                    _ => None,
                };
                Ok((summary, raw))
            })
            .collect()
    }

    pub fn archive_statistics(&self) -> Result<(), Error> {
        self.conn
            .execute(
                "ANALYZE archive_threads, archive_msgids, archive_messages, archive_months, archive_search",
                &[],
            )
            .context("refreshing the archive tables' statistics")
            .map(drop)
    }

    pub fn archive_index_add(&self, id: i64, index: &IndexText, version: u32) -> Result<(), Error> {
        let context = "reindexing a message";
        let Some(row) = self
            .conn
            .query_opt(
                "UPDATE archive_messages SET extract_version = $2 WHERE id = $1
                 RETURNING list_id, date, state",
                &[&id, &i64::from(version)],
            )
            .context(context)?
        else {
            return Err(Error::NotFound(format!("archived message {id}")));
        };
        if ArchivedState::parse(&row.text(2)?) == ArchivedState::Visible {
            self.index_add(
                id,
                &IndexWords::new(ListId(row.int(0)?), row.int(1)?, index),
            )?;
        }
        Ok(())
    }
}

impl ArchiveRows for Db<'_> {
    fn duplicate(&self, list: ListId, sha256: &[u8]) -> Result<Option<ArchivedRef>, Error> {
        let row = self
            .conn
            .query_opt(
                "SELECT id, month, seq FROM archive_messages WHERE list_id = $1 AND sha256 = $2",
                &[&list.0, &sha256],
            )
            .context("looking for the same message")?;
        row.map(|row| {
            Ok(ArchivedRef {
                id: row.int(0)?,
                month: archiving::month_of(&row.text(1)?)?,
                seq: row.int(2)?.clamp(0, i64::from(u32::MAX)) as u32,
            })
        })
        .transpose()
    }

    fn seq_taken(&self, list: ListId, month: &str, seq: u32) -> Result<bool, Error> {
        self.conn
            .query_opt(
                "SELECT 1 FROM archive_messages WHERE list_id = $1 AND month = $2 AND seq = $3",
                &[&list.0, &month, &i64::from(seq)],
            )
            .context("checking a message number")
            .map(|row| row.is_some())
    }

    fn next_seq(&self, list: ListId, month: &str) -> Result<u32, Error> {
        let n = self
            .conn
            .query_one(
                "SELECT COALESCE(MAX(seq) + 1, 0)::bigint FROM archive_messages
                 WHERE list_id = $1 AND month = $2",
                &[&list.0, &month],
            )
            .context("numbering a message")?
            .int(0)?;
        u32::try_from(n).map_err(|_| Error::AlreadyExists(format!("every number of {month}")))
    }

    fn node(&self, list: ListId, message_id: &str) -> Result<Option<NodeRow>, Error> {
        let context = "reading a Message-ID";
        let row = self
            .conn
            .query_opt(
                "SELECT id, thread_id, parent, message FROM archive_msgids
                 WHERE list_id = $1 AND message_id = $2",
                &[&list.0, &message_id],
            )
            .context(context)?;
        row.map(|row| {
            Ok(NodeRow {
                id: row.int(0)?,
                thread: row.int(1)?,
                parent: row.opt_text(2)?,
                message: row.try_get(3).context(context)?,
            })
        })
        .transpose()
    }

    fn nodes(&self, list: ListId, message_ids: &[&str]) -> Result<Vec<Option<NodeRow>>, Error> {
        let context = "reading Message-IDs";
        let rows = self
            .conn
            .query(
                "SELECT message_id, id, thread_id, parent, message FROM archive_msgids
                 WHERE list_id = $1 AND message_id = ANY($2)",
                &[&list.0, &message_ids],
            )
            .context(context)?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let node = NodeRow {
                id: row.int(1)?,
                thread: row.int(2)?,
                parent: row.opt_text(3)?,
                message: row.try_get(4).context(context)?,
            };
            found.insert(row.text(0)?, node);
        }
        Ok(message_ids
            .iter()
            .map(|id| found.get(*id).cloned())
            .collect())
    }

    fn add_node(
        &self,
        list: ListId,
        message_id: &str,
        thread: i64,
        parent: Option<&str>,
    ) -> Result<i64, Error> {
        self.conn
            .query_one(
                "INSERT INTO archive_msgids (list_id, message_id, thread_id, parent)
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[&list.0, &message_id, &thread, &parent],
            )
            .context("adding a Message-ID")?
            .int(0)
    }

    fn set_node(&self, id: i64, parent: Option<&str>, message: Option<i64>) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE archive_msgids SET parent = $2, message = $3 WHERE id = $1",
                &[&id, &parent, &message],
            )
            .context("linking a Message-ID")
            .map(drop)
    }

    fn add_thread(&self, list: ListId, subject: &str) -> Result<i64, Error> {
        self.conn
            .query_one(
                "INSERT INTO archive_threads (list_id, subject) VALUES ($1, $2) RETURNING id",
                &[&list.0, &subject],
            )
            .context("starting a thread")?
            .int(0)
    }

    fn thread_size(&self, thread: i64) -> Result<u64, Error> {
        let n = self
            .conn
            .query_one(
                "SELECT COUNT(*) FROM archive_msgids WHERE thread_id = $1",
                &[&thread],
            )
            .context("measuring a thread")?
            .int(0)?;
        Ok(n.max(0) as u64)
    }

    fn move_thread(&self, from: i64, into: i64) -> Result<(), Error> {
        let context = "merging threads";
        for sql in [
            "UPDATE archive_messages SET thread_id = $2 WHERE thread_id = $1",
            "UPDATE archive_msgids SET thread_id = $2 WHERE thread_id = $1",
            "DELETE FROM archive_threads WHERE id = $1 AND $2::bigint IS NOT NULL",
        ] {
            self.conn.execute(sql, &[&from, &into]).context(context)?;
        }
        Ok(())
    }

    fn refresh_thread(&self, thread: i64) -> Result<(), Error> {
        self.conn
            .execute(archiving::REFRESH_THREAD, &[&thread])
            .context("counting a thread")
            .map(drop)
    }

    fn thread_added(&self, thread: i64, date: i64, subject: &str) -> Result<(), Error> {
        self.conn
            .execute(archiving::THREAD_ADDED, &[&thread, &date, &subject])
            .context("counting a thread")
            .map(drop)
    }

    fn insert_message(&self, row: &MessageRow<'_>) -> Result<i64, Error> {
        let context = "storing a message";
        let m = row.message;
        // One round trip for the row and its bytes (none when stored as deleted).
        self.conn
            .query_one(
                "WITH m AS (
                   INSERT INTO archive_messages (list_id, msgid_id, thread_id, month, seq, date,
                     arrived_at, from_addr, from_name, subject, size, attachments, state,
                     extract_version, sha256, permalink, hyperkitty, parent)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                     $16, $17, $18)
                   RETURNING id),
                 r AS (
                   INSERT INTO archive_raw (id, codec, bytes)
                   SELECT id, $19, $20 FROM m WHERE $13 <> 'deleted')
                 SELECT id FROM m",
                &[
                    &m.list.0,
                    &row.node,
                    &row.thread,
                    &row.month,
                    &i64::from(row.seq),
                    &m.date,
                    &m.arrived_at,
                    &m.from_addr,
                    &m.from_name,
                    &m.subject,
                    &(m.raw.len() as i64),
                    &i64::from(m.attachments),
                    &m.state.as_str(),
                    &i64::from(m.extract_version),
                    &row.sha256,
                    &m.permalink,
                    &m.hyperkitty,
                    &row.parent,
                    &archiving::CODEC,
                    &row.compressed,
                ],
            )
            .context(context)?
            .int(0)
    }

    fn count_month(&self, list: ListId, month: &str, delta: i64) -> Result<(), Error> {
        self.conn
            .execute(archiving::COUNT_MONTH, &[&list.0, &month, &delta])
            .context("counting a month")
            .map(drop)
    }

    fn index_add(&self, id: i64, words: &IndexWords) -> Result<(), Error> {
        let all = archiving::tsvector_literal(&[
            (&words.subject, 'A'),
            (&words.sender, 'B'),
            (&words.body_new, 'C'),
            (&words.body_quoted, 'D'),
        ]);
        let names = archiving::tsvector_literal(&[(&words.attachments, 'D')]);
        self.conn
            .execute(
                "INSERT INTO archive_search (id, list_id, date, words, names)
                 VALUES ($1, $2, $3, $4::text::tsvector, $5::text::tsvector)
                 ON CONFLICT (id) DO UPDATE SET words = excluded.words, names = excluded.names",
                &[&id, &words.list.0, &words.date, &all, &names],
            )
            .context("indexing a message")
            .map(drop)
    }

    fn index_remove(&self, id: i64, _words: &IndexWords) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM archive_search WHERE id = $1", &[&id])
            .context("removing a message from the index")
            .map(drop)
    }

    fn state_row(&self, id: i64) -> Result<Option<StateRow>, Error> {
        let row = self
            .conn
            .query_opt(
                "SELECT list_id, month, thread_id, date, state FROM archive_messages WHERE id = $1",
                &[&id],
            )
            .context("reading a message's state")?;
        row.map(|row| {
            Ok(StateRow {
                list: ListId(row.int(0)?),
                month: row.text(1)?,
                thread: row.int(2)?,
                date: row.int(3)?,
                state: ArchivedState::parse(&row.text(4)?),
            })
        })
        .transpose()
    }

    fn set_state(&self, id: i64, state: ArchivedState) -> Result<(), Error> {
        let context = "changing a message's state";
        self.conn
            .execute(
                "UPDATE archive_messages SET state = $2 WHERE id = $1",
                &[&id, &state.as_str()],
            )
            .context(context)?;
        if state.is_final() {
            self.conn
                .execute("DELETE FROM archive_raw WHERE id = $1", &[&id])
                .context(context)?;
        }
        Ok(())
    }
}
