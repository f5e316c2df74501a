//! Queries on the archives: storing a message with its ids, thread and index entry, months, threads, permalinks, search (FTS5).
//!
//! The logic shared with PostgreSQL (threading, state changes, the index's words, the
//! MATCH expression) is in `store::archiving`; this file holds SQLite's statements. The
//! index is the contentless FTS5 table `archive_index` (rowid = message id, so newest first
//! is `ORDER BY rowid DESC` at no cost); its `scope` column narrows a search to the lists
//! and date months inside the index, and the rows are checked again (state, list, dates).

use rusqlite::{params, OptionalExtension, Row};

use super::{Context, Db};
use crate::domain::{ArchivedState, IndexText, ListId, Month, SearchOrder};
use crate::store::archiving::{
    self, ArchiveRows, Columns, IndexWords, MessageRow, NodeRow, StateRow, RELEVANCE_CAP,
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

impl Columns for Row<'_> {
    fn int(&self, i: usize) -> Result<i64, Error> {
        self.get(i).context("reading an archive row")
    }
    fn text(&self, i: usize) -> Result<String, Error> {
        self.get(i).context("reading an archive row")
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Error> {
        self.get(i).context("reading an archive row")
    }
}

/// A limit or offset as SQLite's integer.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Db<'_> {
    /// The summaries `sql` selects (its columns are [`SUMMARY_COLUMNS`]).
    pub(super) fn summaries(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
        context: &str,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        let mut statement = self.conn.prepare_cached(sql).context(context)?;
        let mut rows = statement.query(params).context(context)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().context(context)? {
            out.push(archiving::summary(row)?);
        }
        Ok(out)
    }

    /// The one summary `sql` selects, if any.
    fn one_summary(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
        context: &str,
    ) -> Result<Option<ArchivedSummary>, Error> {
        Ok(self.summaries(sql, params, context)?.into_iter().next())
    }

    pub fn archive_message(&self, message: &NewArchived<'_>) -> Result<Archived, Error> {
        archiving::archive_message(self, message)
    }

    pub fn archive_months(&self, list: ListId) -> Result<Vec<(Month, u64)>, Error> {
        let context = "reading an archive's months";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT month, messages FROM archive_months
                 WHERE list_id = ?1 AND messages > 0 ORDER BY month DESC",
            )
            .context(context)?;
        let rows = statement
            .query_map([list.0], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .context(context)?;
        let mut out = Vec::new();
        for row in rows {
            let (month, n) = row.context(context)?;
            out.push((archiving::month_of(&month)?, n.max(0) as u64));
        }
        Ok(out)
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
                 WHERE m.list_id = ?1 AND m.month = ?2 AND m.state = 'visible'
                 ORDER BY m.date, m.id LIMIT ?3 OFFSET ?4"
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
                 WHERE m.list_id = ?1 AND m.state IN ('hidden', 'deleted')
                 ORDER BY m.date DESC, m.id DESC LIMIT ?2 OFFSET ?3"
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
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(DISTINCT thread_id) FROM archive_messages
                 WHERE list_id = ?1 AND month = ?2 AND state = 'visible'",
            )
            .and_then(|mut s| s.query_row(params![list.0, month], |row| row.get(0)))
            .context(context)?;
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT id, subject, messages, COALESCE(first_date, 0), COALESCE(last_date, 0)
                 FROM archive_threads
                 WHERE id IN (SELECT thread_id FROM archive_messages
                              WHERE list_id = ?1 AND month = ?2 AND state = 'visible')
                 ORDER BY last_date DESC, id DESC LIMIT ?3 OFFSET ?4",
            )
            .context(context)?;
        let rows = statement
            .query_map(params![list.0, month, int(limit), int(offset)], |row| {
                Ok(ThreadSummary {
                    id: row.get(0)?,
                    subject: row.get(1)?,
                    messages: row.get::<_, i64>(2)?.max(0) as u64,
                    first: row.get(3)?,
                    last: row.get(4)?,
                })
            })
            .context(context)?;
        let threads = rows.collect::<Result<_, _>>().context(context)?;
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
                 WHERE m.thread_id = ?1 AND m.list_id = ?2 AND m.state = 'visible'
                 ORDER BY m.date, m.id LIMIT ?3"
            ),
            &[&thread, &list.0, &int(limit)],
            context,
        )?;
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT message_id, parent, message FROM archive_msgids
                 WHERE thread_id = ?1 AND list_id = ?2 ORDER BY id",
            )
            .context(context)?;
        let nodes = statement
            .query_map(params![thread, list.0], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get::<_, Option<i64>>(2)?.is_some(),
                ))
            })
            .context(context)?
            .collect::<Result<Vec<_>, _>>()
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
                 WHERE m.list_id = ?1 AND m.month = ?2 AND m.seq = ?3"
            ),
            &[&list.0, &month.to_string(), &seq],
            "reading an archived message by number",
        )
    }

    pub fn archived_by_key(
        &self,
        list: ListId,
        key: MessageKey<'_>,
    ) -> Result<Option<ArchivedSummary>, Error> {
        let value = match key {
            MessageKey::MessageId(id) | MessageKey::Permalink(id) | MessageKey::HyperKitty(id) => {
                id
            }
        };
        self.one_summary(
            &by_key_sql(&key),
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
        let date: Option<i64> = self
            .conn
            .prepare_cached("SELECT date FROM archive_messages WHERE id = ?1 AND list_id = ?2")
            .and_then(|mut s| s.query_row([id, list.0], |row| row.get(0)).optional())
            .context(context)?;
        let Some(date) = date else {
            return Ok((None, None));
        };
        let before = self.one_summary(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = ?1 AND m.state = 'visible'
                   AND (m.date < ?2 OR (m.date = ?2 AND m.id < ?3))
                 ORDER BY m.date DESC, m.id DESC LIMIT 1"
            ),
            &[&list.0, &date, &id],
            context,
        )?;
        let after = self.one_summary(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE m.list_id = ?1 AND m.state = 'visible'
                   AND (m.date > ?2 OR (m.date = ?2 AND m.id > ?3))
                 ORDER BY m.date, m.id LIMIT 1"
            ),
            &[&list.0, &date, &id],
            context,
        )?;
        Ok((before, after))
    }

    pub fn archived_raw(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        let context = "reading an archived message's bytes";
        let stored: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT codec, bytes FROM archive_raw WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .context(context)?;
        stored
            .map(|(codec, bytes)| archiving::decompress(&codec, &bytes))
            .transpose()
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
                 WHERE m.list_id IN ({ids}) AND m.state = 'visible' AND m.arrived_at >= ?1
                 ORDER BY m.id DESC LIMIT ?2"
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
        let (condition, key): (&str, Box<dyn rusqlite::ToSql>) = match scope {
            ArchiveScope::Month(month) => ("m.month = ?2", Box::new(month.to_string())),
            ArchiveScope::Thread(thread) => ("m.thread_id = ?2", Box::new(thread)),
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, r.codec, r.bytes FROM archive_messages m
             JOIN archive_msgids g ON g.id = m.msgid_id
             JOIN archive_raw r ON r.id = m.id
             WHERE m.list_id = ?1 AND {condition} AND m.state = 'visible'
               AND (m.date > ?3 OR (m.date = ?3 AND m.id > ?4))
             ORDER BY m.date, m.id LIMIT ?5"
        );
        let (mut date, mut id) = (i64::MIN, i64::MIN);
        loop {
            let mut page = Vec::new();
            {
                let mut statement = self.conn.prepare_cached(&sql).context(context)?;
                let mut rows = statement
                    .query(params![list.0, key, date, id, STREAM_PAGE])
                    .context(context)?;
                while let Some(row) = rows.next().context(context)? {
                    let summary = archiving::summary(row)?;
                    let codec: String = row.get(16).context(context)?;
                    let bytes: Vec<u8> = row.get(17).context(context)?;
                    page.push((summary, codec, bytes));
                }
            }
            let full = page.len() as i64 == STREAM_PAGE;
            // The pages of these blobs will not be read again soon: give them back, so an
            // export does not fill the connection's cache (64 MiB) with them.
            self.conn
                .release_memory()
                .context("releasing the page cache")?;
            for (summary, codec, bytes) in page {
                (date, id) = (summary.date, summary.id);
                each(&summary, &archiving::decompress(&codec, &bytes)?)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// The FTS5 part of a search (`FROM … WHERE …`) with its parameters after the MATCH
    /// expression (`?1`): before, since, until (`?2` to `?4`).
    fn search_from(search: &ArchiveSearch<'_>) -> (String, [i64; 3]) {
        let ids = archiving::id_list(search.lists);
        // CROSS JOIN: SQLite then keeps the index as the outer loop (newest first, stopping
        // at the limit). Left to itself it may walk the list's messages by date and run the
        // MATCH once per message, which costs seconds at 100,000 messages.
        (
            format!(
                "FROM archive_index f
                 CROSS JOIN archive_messages m ON m.id = f.rowid
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 WHERE archive_index MATCH ?1 AND f.rowid < ?2
                   AND m.list_id IN ({ids}) AND m.state = 'visible'
                   AND m.date >= ?3 AND m.date < ?4"
            ),
            [
                search.before.unwrap_or(i64::MAX),
                search.query.since.unwrap_or(i64::MIN),
                search.query.until.unwrap_or(i64::MAX),
            ],
        )
    }

    pub fn archive_search(
        &self,
        search: &ArchiveSearch<'_>,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        let Some(expression) = archiving::fts5_match(search.lists, search.query) else {
            return Ok(Vec::new());
        };
        let (from, numbers) = Self::search_from(search);
        let relevance = search.order == SearchOrder::Relevance
            && self.archive_search_count(search, RELEVANCE_CAP)? < RELEVANCE_CAP;
        // bm25 weights: scope, subject, sender, new body, quoted body, attachment names.
        let order = if relevance {
            "bm25(archive_index, 0.0, 10.0, 5.0, 2.0, 1.0, 3.0), f.rowid DESC"
        } else {
            "f.rowid DESC"
        };
        self.summaries(
            &format!("SELECT {SUMMARY_COLUMNS} {from} ORDER BY {order} LIMIT ?5 OFFSET ?6"),
            &[
                &expression,
                &numbers[0],
                &numbers[1],
                &numbers[2],
                &int(search.limit),
                &int(search.offset),
            ],
            "searching the archives",
        )
    }

    pub fn archive_search_count(&self, search: &ArchiveSearch<'_>, cap: u64) -> Result<u64, Error> {
        let Some(expression) = archiving::fts5_match(search.lists, search.query) else {
            return Ok(0);
        };
        let (from, numbers) = Self::search_from(search);
        let n: i64 = self
            .conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM (SELECT 1 {from} LIMIT ?5)"))
            .and_then(|mut s| {
                s.query_row(
                    params![expression, numbers[0], numbers[1], numbers[2], int(cap)],
                    |row| row.get(0),
                )
            })
            .context("counting search results")?;
        Ok(n.max(0) as u64)
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
        self.execute(
            "INSERT INTO archive_index (archive_index) VALUES ('delete-all')",
            [],
        )
        .context("emptying the search index")
        .map(drop)
    }

    pub fn archived_after(&self, after: i64, limit: u64) -> Result<Vec<StoredMessage>, Error> {
        let context = "reading archived messages for reindexing";
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, r.codec, r.bytes FROM archive_messages m
                 JOIN archive_msgids g ON g.id = m.msgid_id
                 LEFT JOIN archive_raw r ON r.id = m.id
                 WHERE m.id > ?1 ORDER BY m.id LIMIT ?2"
            ))
            .context(context)?;
        let mut rows = statement
            .query(params![after, int(limit)])
            .context(context)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().context(context)? {
            let summary = archiving::summary(row)?;
            let codec: Option<String> = row.get(16).context(context)?;
            let bytes: Option<Vec<u8>> = row.get(17).context(context)?;
            let raw = match (codec, bytes) {
                (Some(codec), Some(bytes)) => Some(archiving::decompress(&codec, &bytes)?),
                _ => None,
            };
            out.push((summary, raw));
        }
        Ok(out)
    }

    pub fn archive_statistics(&self) -> Result<(), Error> {
        Ok(())
    }

    pub fn archive_index_add(&self, id: i64, index: &IndexText, version: u32) -> Result<(), Error> {
        let context = "reindexing a message";
        let row: Option<(i64, i64, String)> = self
            .conn
            .prepare_cached("SELECT list_id, date, state FROM archive_messages WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .optional()
            })
            .context(context)?;
        let Some((list, date, state)) = row else {
            return Err(Error::NotFound(format!("archived message {id}")));
        };
        self.conn
            .prepare_cached("UPDATE archive_messages SET extract_version = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, version]))
            .context(context)?;
        if ArchivedState::parse(&state) == ArchivedState::Visible {
            self.index_add(id, &IndexWords::new(ListId(list), date, index))?;
        }
        Ok(())
    }
}

impl ArchiveRows for Db<'_> {
    fn duplicate(&self, list: ListId, sha256: &[u8]) -> Result<Option<ArchivedRef>, Error> {
        let context = "looking for the same message";
        let row: Option<(i64, String, u32)> = self
            .conn
            .prepare_cached(
                "SELECT id, month, seq FROM archive_messages WHERE list_id = ?1 AND sha256 = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![list.0, sha256], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()
            })
            .context(context)?;
        row.map(|(id, month, seq)| {
            Ok(ArchivedRef {
                id,
                month: archiving::month_of(&month)?,
                seq,
            })
        })
        .transpose()
    }

    fn seq_taken(&self, list: ListId, month: &str, seq: u32) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM archive_messages WHERE list_id = ?1 AND month = ?2 AND seq = ?3",
            )
            .and_then(|mut s| s.exists(params![list.0, month, seq]))
            .context("checking a message number")
    }

    fn next_seq(&self, list: ListId, month: &str) -> Result<u32, Error> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(MAX(seq) + 1, 0) FROM archive_messages
                 WHERE list_id = ?1 AND month = ?2",
            )
            .and_then(|mut s| s.query_row(params![list.0, month], |row| row.get(0)))
            .context("numbering a message")?;
        u32::try_from(n).map_err(|_| Error::AlreadyExists(format!("every number of {month}")))
    }

    fn node(&self, list: ListId, message_id: &str) -> Result<Option<NodeRow>, Error> {
        self.conn
            .prepare_cached(
                "SELECT id, thread_id, parent, message FROM archive_msgids
                 WHERE list_id = ?1 AND message_id = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![list.0, message_id], |row| {
                    Ok(NodeRow {
                        id: row.get(0)?,
                        thread: row.get(1)?,
                        parent: row.get(2)?,
                        message: row.get(3)?,
                    })
                })
                .optional()
            })
            .context("reading a Message-ID")
    }

    fn add_node(
        &self,
        list: ListId,
        message_id: &str,
        thread: i64,
        parent: Option<&str>,
    ) -> Result<i64, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO archive_msgids (list_id, message_id, thread_id, parent)
                 VALUES (?1, ?2, ?3, ?4) RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(params![list.0, message_id, thread, parent], |row| {
                    row.get(0)
                })
            })
            .context("adding a Message-ID")
    }

    fn set_node(&self, id: i64, parent: Option<&str>, message: Option<i64>) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE archive_msgids SET parent = ?2, message = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, parent, message]))
            .context("linking a Message-ID")
            .map(drop)
    }

    fn add_thread(&self, list: ListId, subject: &str) -> Result<i64, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO archive_threads (list_id, subject) VALUES (?1, ?2) RETURNING id",
            )
            .and_then(|mut s| s.query_row(params![list.0, subject], |row| row.get(0)))
            .context("starting a thread")
    }

    fn thread_size(&self, thread: i64) -> Result<u64, Error> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM archive_msgids WHERE thread_id = ?1")
            .and_then(|mut s| s.query_row([thread], |row| row.get(0)))
            .context("measuring a thread")?;
        Ok(n.max(0) as u64)
    }

    fn move_thread(&self, from: i64, into: i64) -> Result<(), Error> {
        let context = "merging threads";
        for sql in [
            "UPDATE archive_messages SET thread_id = ?2 WHERE thread_id = ?1",
            "UPDATE archive_msgids SET thread_id = ?2 WHERE thread_id = ?1",
            "DELETE FROM archive_threads WHERE id = ?1 AND ?2 IS NOT NULL",
        ] {
            self.conn
                .prepare_cached(sql)
                .and_then(|mut s| s.execute([from, into]))
                .context(context)?;
        }
        Ok(())
    }

    fn refresh_thread(&self, thread: i64) -> Result<(), Error> {
        self.conn
            .prepare_cached(&archiving::numbered(archiving::REFRESH_THREAD))
            .and_then(|mut s| s.execute([thread]))
            .context("counting a thread")
            .map(drop)
    }

    fn thread_added(&self, thread: i64, date: i64, subject: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached(&archiving::numbered(archiving::THREAD_ADDED))
            .and_then(|mut s| s.execute(params![thread, date, subject]))
            .context("counting a thread")
            .map(drop)
    }

    fn insert_message(&self, row: &MessageRow<'_>) -> Result<i64, Error> {
        let context = "storing a message";
        let m = row.message;
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO archive_messages (list_id, msgid_id, thread_id, month, seq, date,
                   arrived_at, from_addr, from_name, subject, size, attachments, state,
                   extract_version, sha256, permalink, hyperkitty, parent)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                   ?17, ?18)
                 RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        m.list.0,
                        row.node,
                        row.thread,
                        row.month,
                        row.seq,
                        m.date,
                        m.arrived_at,
                        m.from_addr,
                        m.from_name,
                        m.subject,
                        m.raw.len() as i64,
                        m.attachments,
                        m.state.as_str(),
                        m.extract_version,
                        row.sha256,
                        m.permalink,
                        m.hyperkitty,
                        row.parent,
                    ],
                    |r| r.get(0),
                )
            })
            .context(context)?;
        if !m.state.is_final() {
            self.conn
                .prepare_cached("INSERT INTO archive_raw (id, codec, bytes) VALUES (?1, ?2, ?3)")
                .and_then(|mut s| s.execute(params![id, archiving::CODEC, row.compressed]))
                .context(context)?;
        }
        Ok(id)
    }

    fn count_month(&self, list: ListId, month: &str, delta: i64) -> Result<(), Error> {
        self.conn
            .prepare_cached(&archiving::numbered(archiving::COUNT_MONTH))
            .and_then(|mut s| s.execute(params![list.0, month, delta]))
            .context("counting a month")
            .map(drop)
    }

    fn index_add(&self, id: i64, words: &IndexWords) -> Result<(), Error> {
        match self.index_queue {
            // Written when the transaction commits (see `Store::transaction`).
            Some(queue) => {
                queue.borrow_mut().push((id, words.clone()));
                Ok(())
            }
            None => self
                .index_command(id, words, "", "")
                .context("indexing a message"),
        }
    }

    fn index_remove(&self, id: i64, words: &IndexWords) -> Result<(), Error> {
        // What was added before in this transaction goes first, in its order.
        self.write_index_queue()?;
        // FTS5's 'delete' command on a contentless table: the same values as were indexed.
        self.index_command(id, words, "archive_index, ", "'delete', ")
            .context("removing a message from the index")
    }

    fn state_row(&self, id: i64) -> Result<Option<StateRow>, Error> {
        self.conn
            .prepare_cached(
                "SELECT list_id, month, thread_id, date, state FROM archive_messages WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |row| {
                    Ok(StateRow {
                        list: ListId(row.get(0)?),
                        month: row.get(1)?,
                        thread: row.get(2)?,
                        date: row.get(3)?,
                        state: ArchivedState::parse(&row.get::<_, String>(4)?),
                    })
                })
                .optional()
            })
            .context("reading a message's state")
    }

    fn set_state(&self, id: i64, state: ArchivedState) -> Result<(), Error> {
        let context = "changing a message's state";
        self.conn
            .prepare_cached("UPDATE archive_messages SET state = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, state.as_str()]))
            .context(context)?;
        if state.is_final() {
            self.conn
                .prepare_cached("DELETE FROM archive_raw WHERE id = ?1")
                .and_then(|mut s| s.execute([id]))
                .context(context)?;
        }
        Ok(())
    }
}

impl Db<'_> {
    /// Writes the index rows queued in this transaction, in their order.
    pub(super) fn write_index_queue(&self) -> Result<(), Error> {
        let Some(queue) = self.index_queue else {
            return Ok(());
        };
        let queued = std::mem::take(&mut *queue.borrow_mut());
        for (id, words) in &queued {
            self.index_command(*id, words, "", "")
                .context("indexing a message")?;
        }
        Ok(())
    }

    /// Inserts an index row of message `id`, or (with `command` = `'delete', ` and
    /// `command_column` = `archive_index, `) gives FTS5 a command about it.
    fn index_command(
        &self,
        id: i64,
        words: &IndexWords,
        command_column: &str,
        command: &str,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO archive_index ({command_column}rowid, scope, subject, sender,
                   body_new, body_quoted, attach_names)
                 VALUES ({command}?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    words.scope,
                    words.subject,
                    words.sender,
                    words.body_new,
                    words.body_quoted,
                    words.attachments
                ])
            })
            .map(drop)
    }
}

/// The statement of [`Db::archived_by_key`] (?1 the list, ?2 the key).
fn by_key_sql(key: &MessageKey<'_>) -> String {
    // By Message-ID, the message ids' unique index leads (CROSS JOIN keeps that order):
    // left to itself, SQLite read every message of the list through `(list_id, …)` and
    // joined each, a cost growing with the archive on every post's duplicate check.
    let (tables, condition) = match key {
        MessageKey::MessageId(_) => (
            "archive_msgids g CROSS JOIN archive_messages m ON m.msgid_id = g.id",
            "g.list_id = ?1 AND g.message_id = ?2",
        ),
        MessageKey::Permalink(_) => (
            "archive_messages m JOIN archive_msgids g ON g.id = m.msgid_id",
            "m.permalink = ?2",
        ),
        MessageKey::HyperKitty(_) => (
            "archive_messages m JOIN archive_msgids g ON g.id = m.msgid_id",
            "m.hyperkitty = ?2",
        ),
    };
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM {tables}
         WHERE m.list_id = ?1 AND {condition} ORDER BY m.id LIMIT 1"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::Store;

    /// The query plan of `sql`, one step per line.
    fn plan(store: &Store, sql: &str) -> String {
        let conn = &store.db().conn;
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = statement
            .query_map(rusqlite::params![1, "x"], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>();
        rows.join("\n")
    }

    /// Rows of the full-text index's data table: the segments written so far.
    fn index_data_rows(db: Db<'_>) -> i64 {
        db.conn
            .query_row("SELECT count(*) FROM archive_index_data", [], |r| r.get(0))
            .unwrap()
    }

    /// How many index rows match the full-text query `query`.
    fn matching(db: Db<'_>, query: &str) -> i64 {
        db.conn
            .query_row(
                "SELECT count(*) FROM archive_index WHERE archive_index MATCH ?1",
                [query],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn index_rows_are_written_when_their_transaction_commits() {
        use crate::store::archiving::{ArchiveRows, IndexWords};
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let before = index_data_rows(store.db());
        let words = |i: i64| IndexWords {
            list: ListId(1),
            date: 0,
            scope: "l1 d202401".into(),
            subject: format!("subject{i} zebrafish"),
            sender: "ann example org".into(),
            body_new: "some words of a body".repeat(20),
            body_quoted: String::new(),
            attachments: String::new(),
        };
        store
            .transaction(|db| {
                for i in 1..=20 {
                    db.index_add(i, &words(i))?;
                    // A statement with a statement journal (RETURNING, or a trigger) after an
                    // index row would make FTS5 write its pending rows out as a segment.
                    let _: i64 = db
                        .conn
                        .query_row(
                            "UPDATE site_version SET version = version + 1 WHERE id = 1 RETURNING version",
                            [],
                            |r| r.get(0),
                        )
                        .unwrap();
                }
                assert_eq!(index_data_rows(db), before, "nothing written before the commit");
                Ok::<_, Error>(())
            })
            .unwrap();
        assert!(index_data_rows(store.db()) > before);
        assert_eq!(matching(store.db(), "zebrafish"), 20);
        // Removing a row added in the same transaction writes the queue first.
        store
            .transaction(|db| {
                db.index_add(21, &words(21))?;
                db.index_remove(21, &words(21))?;
                Ok::<_, Error>(())
            })
            .unwrap();
        assert_eq!(matching(store.db(), "subject21"), 0);
    }

    #[test]
    fn a_message_is_found_by_key_through_an_index_on_that_key() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let by_id = plan(&store, &by_key_sql(&MessageKey::MessageId("x")));
        assert!(
            by_id
                .lines()
                .next()
                .unwrap_or("")
                .contains("(list_id=? AND message_id=?)"),
            "the message ids' index must lead:\n{by_id}"
        );
        let by_permalink = plan(&store, &by_key_sql(&MessageKey::Permalink("x")));
        assert!(
            by_permalink.contains("(list_id=? AND permalink=?)"),
            "{by_permalink}"
        );
        let by_hash = plan(&store, &by_key_sql(&MessageKey::HyperKitty("x")));
        assert!(
            by_hash.contains("(list_id=? AND hyperkitty=?)"),
            "{by_hash}"
        );
    }
}
