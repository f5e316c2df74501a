//! The archive's logic that both backends share: threading at insert, state changes with their counts and index entries, the words the index holds, the search expressions, compression of the raw bytes.
//!
//! # Design
//!
//! The tables (`sqlite/sql/007_archive.sql`, `postgres/sql/007_archive.sql`, the same names
//! and meaning on both):
//!
//! - `archive_messages`: one row per stored message (id increasing with arrival), with its
//!   list, Message-ID row, thread, month, MHonArc number (`UNIQUE (list_id, month, seq)`),
//!   dates, sender, subject, size, state, the extractor version, and the SHA-256 of its
//!   bytes (`UNIQUE (list_id, sha256)`: storing the same bytes twice is a no-op).
//! - `archive_raw`: the bytes, deflate-compressed, by message id; a separate table so that
//!   message rows stay small for the pages that scan them. Deleting a message drops its row.
//! - `archive_msgids`: one row per Message-ID of a list, seen or only referred to (a
//!   placeholder, `message` NULL), with its thread and the Message-ID of its parent.
//! - `archive_threads`: a thread's subject (of its first visible message), its visible
//!   messages and their first and last dates, refreshed on every insert, state change and
//!   merge ([`refresh_thread`](ArchiveRows::refresh_thread)).
//! - `archive_months`: each month's visible messages, so that a list's months cost one
//!   short index range however big the archive ([`ArchiveRows::count_month`]).
//! - the search index: SQLite's contentless FTS5 table `archive_index`, PostgreSQL's
//!   `archive_search` (tsvectors with a GIN index); see each backend's `archive.rs`.
//!
//! Threading ([`archive_message`]) is JWZ's without subject grouping: each referenced id is
//! resolved to its `archive_msgids` row, unseen ids become placeholders whose parent is the
//! id before them in the References chain; the message's own parent is its last reference;
//! all the threads it touches (of its references and of a placeholder that stood for it)
//! merge into the one with the most messages. A parent is never set where it would make a
//! loop ([`MAX_ANCESTRY`]).
//!
//! The index holds words made here ([`index_words`]): runs of letters and digits,
//! lower-cased, Latin diacritics folded ([`fold`]), joined by spaces; query words go
//! through the same fold. Both backends thus see the same tokens and answer alike (SQLite's
//! `unicode61 remove_diacritics 2` then finds nothing more to fold in them). A field is
//! indexed up to [`INDEX_FIELD_CAP`] bytes.
//!
//! Searches return visible messages of the given lists only, each result checked against
//! its row (list, state, dates) whatever the index says; hidden and deleted messages also
//! leave the index ([`set_archived_state`]) and come back when shown again. Relevance
//! (SQLite's `bm25`, PostgreSQL's `ts_rank`, the subject weighing most) applies under
//! [`RELEVANCE_CAP`] matches; the two backends' rankings agree on the clear cases, not
//! on every tie.
//!
//! Known differences between the backends: the fold of [`fold`] covers Latin letters
//! only; SQLite's tokenizer also folds other scripts' marks (Greek accents, say) on both
//! sides, PostgreSQL does not (`unaccent` would need a superuser). PostgreSQL keeps at most
//! [`MAX_POSITIONS_PER_WORD`] positions of a word and none past [`MAX_POSITION`], so a
//! phrase deep in a very long message may not match there.
//!
//! `wwsympa db copy` copies every archive table but not the index (see `store::copy`):
//! `wwsympa archive reindex` makes it again on the destination. A deleted list's messages
//! go with it (`ON DELETE CASCADE`); SQLite's contentless index keeps their entries, which
//! no search returns (every hit is joined to its row) and the next reindex drops.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::{Archived, ArchivedRef, ArchivedSummary, Error, NewArchived, ThreadNode};
use crate::domain::{
    ArchivedState, IndexText, ListId, Month, SearchCombine, SearchField, SearchQuery, SearchTerm,
};

/// The most bytes of one field (subject, sender, new body, quoted body, attachment names)
/// the search index takes; the rest of a longer field is not searchable. Keeps a
/// PostgreSQL tsvector under its 1 MB limit.
pub const INDEX_FIELD_CAP: usize = 128 * 1024;

/// The longest word the index takes, in bytes (a longer run of letters is no word anyone
/// searches for, and PostgreSQL refuses lexemes over 2 KB).
pub const MAX_WORD_BYTES: usize = 200;

/// The highest word position PostgreSQL keeps (later words share it, so phrases there may
/// not match); SQLite has no such limit.
pub const MAX_POSITION: usize = 16_383;

/// The most positions PostgreSQL keeps of one word.
pub const MAX_POSITIONS_PER_WORD: usize = 256;

/// The most parents walked up when checking that a new parent link makes no loop; a chain
/// longer than this is taken as a loop (the link is not made).
pub const MAX_ANCESTRY: usize = 1000;

/// The most months a date range is narrowed to inside the index; a longer range is checked
/// on the rows only.
pub const MAX_SCOPE_MONTHS: usize = 120;

/// The number of matches under which results can be ranked by relevance; above it they
/// come newest first (ranking every match would cost too much).
pub const RELEVANCE_CAP: u64 = 50_000;

/// How the raw bytes are stored.
pub const CODEC: &str = "deflate";

/// The columns an [`ArchivedSummary`] is read from, for
/// `FROM archive_messages m JOIN archive_msgids g ON g.id = m.msgid_id`, in the order
/// [`summary`] reads them.
pub const SUMMARY_COLUMNS: &str = "m.id, m.list_id, m.month, m.seq, m.thread_id, g.message_id,
    m.permalink, m.parent, m.from_addr, m.from_name, m.subject, m.date, m.arrived_at, m.size,
    m.attachments, m.state";

/// Recomputes thread `$1`'s subject, visible messages and dates.
///
/// The statements written here serve both backends: PostgreSQL takes them as they are,
/// SQLite through [`numbered`] (`?N` for `$N`).
pub const REFRESH_THREAD: &str = "UPDATE archive_threads SET
    messages = (SELECT COUNT(*) FROM archive_messages WHERE thread_id = $1 AND state = 'visible'),
    first_date = (SELECT MIN(date) FROM archive_messages WHERE thread_id = $1 AND state = 'visible'),
    last_date = (SELECT MAX(date) FROM archive_messages WHERE thread_id = $1 AND state = 'visible'),
    subject = COALESCE((SELECT subject FROM archive_messages WHERE thread_id = $1
                        AND state = 'visible' ORDER BY date, id LIMIT 1), subject)
    WHERE id = $1";

/// Counts a new visible message dated `$2` with subject `$3` in thread `$1`: one more
/// message, its dates widened, and its subject the thread's when it is the earliest (ties
/// go to the earlier message, as in [`REFRESH_THREAD`]).
pub const THREAD_ADDED: &str = "UPDATE archive_threads SET
    messages = messages + 1,
    subject = CASE WHEN first_date IS NULL OR $2 < first_date THEN $3 ELSE subject END,
    first_date = CASE WHEN first_date IS NULL OR $2 < first_date THEN $2 ELSE first_date END,
    last_date = CASE WHEN last_date IS NULL OR $2 > last_date THEN $2 ELSE last_date END
    WHERE id = $1";

/// Adds `$3` to the visible messages of list `$1`'s month `$2`.
pub const COUNT_MONTH: &str = "INSERT INTO archive_months (list_id, month, messages)
    VALUES ($1, $2, $3)
    ON CONFLICT (list_id, month) DO UPDATE SET messages = archive_months.messages + excluded.messages";

/// A shared statement with SQLite's numbered parameters (`?N`, bound by number whatever the
/// order they appear in) for PostgreSQL's `$N`.
pub fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

/// A list of list ids for `IN (…)` (integers only; `NULL`, matching nothing, when empty).
pub fn id_list(lists: &[ListId]) -> String {
    if lists.is_empty() {
        return "NULL".into();
    }
    lists
        .iter()
        .map(|l| l.0.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The nodes of a thread: its visible messages in date order (each with its Message-ID
/// row's parent), then the Message-IDs without a visible message (placeholders, hidden and
/// deleted messages) by row id. `nodes` are `(message_id, parent, has a message)`; when
/// `truncated` (the messages stopped at the limit), Message-IDs with a message not shown are
/// left out, since that message may be visible beyond the limit.
pub fn thread_nodes(
    nodes: Vec<(String, Option<String>, bool)>,
    messages: Vec<ArchivedSummary>,
    truncated: bool,
) -> Vec<ThreadNode> {
    let parents: std::collections::HashMap<&str, &Option<String>> = nodes
        .iter()
        .map(|(id, parent, _)| (id.as_str(), parent))
        .collect();
    let mut out: Vec<ThreadNode> = messages
        .into_iter()
        .map(|m| ThreadNode {
            message_id: m.message_id.clone(),
            parent: parents
                .get(m.message_id.as_str())
                .and_then(|p| (*p).clone()),
            message: Some(m),
        })
        .collect();
    let shown: std::collections::HashSet<String> =
        out.iter().map(|n| n.message_id.clone()).collect();
    for (message_id, parent, has_message) in nodes {
        if shown.contains(&message_id) || (truncated && has_message) {
            continue;
        }
        out.push(ThreadNode {
            message_id,
            parent,
            message: None,
        });
    }
    out
}

/// A row's columns as plain values, whatever the driver.
pub trait Columns {
    /// Integer column `i`.
    fn int(&self, i: usize) -> Result<i64, Error>;
    /// Text column `i`.
    fn text(&self, i: usize) -> Result<String, Error>;
    /// Text column `i`, perhaps NULL.
    fn opt_text(&self, i: usize) -> Result<Option<String>, Error>;
}

/// A stored month as a [`Month`] (an unreadable one is a database error).
pub fn month_of(text: &str) -> Result<Month, Error> {
    Month::parse(text).ok_or_else(|| Error::Sql {
        context: "reading an archive month".into(),
        message: format!("not a month: {text:?}"),
    })
}

/// The summary in a row of [`SUMMARY_COLUMNS`].
pub fn summary(row: &impl Columns) -> Result<ArchivedSummary, Error> {
    Ok(ArchivedSummary {
        id: row.int(0)?,
        list: ListId(row.int(1)?),
        month: month_of(&row.text(2)?)?,
        seq: row.int(3)?.clamp(0, i64::from(u32::MAX)) as u32,
        thread: row.int(4)?,
        message_id: row.text(5)?,
        permalink: row.text(6)?,
        parent: row.opt_text(7)?,
        from_addr: row.text(8)?,
        from_name: row.text(9)?,
        subject: row.text(10)?,
        date: row.int(11)?,
        arrived_at: row.int(12)?,
        size: row.int(13)?.max(0) as u64,
        attachments: row.int(14)?.clamp(0, i64::from(u32::MAX)) as u32,
        state: ArchivedState::parse(&row.text(15)?),
    })
}

/// A Message-ID row: a message's, or a placeholder's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    /// Its row id.
    pub id: i64,
    /// Its thread.
    pub thread: i64,
    /// The Message-ID of its parent.
    pub parent: Option<String>,
    /// The first message stored with this Message-ID; `None` for a placeholder.
    pub message: Option<i64>,
}

/// What a message row is made of, beyond [`NewArchived`].
pub struct MessageRow<'a> {
    /// The message.
    pub message: &'a NewArchived<'a>,
    /// Its Message-ID row.
    pub node: i64,
    /// Its thread.
    pub thread: i64,
    /// Its month as stored (`YYYY-MM`).
    pub month: String,
    /// Its MHonArc number.
    pub seq: u32,
    /// The Message-ID of its parent: its last reference.
    pub parent: Option<&'a str>,
    /// The SHA-256 of its bytes.
    pub sha256: Vec<u8>,
    /// Its bytes, compressed with [`CODEC`].
    pub compressed: Vec<u8>,
}

/// What a state change needs to know of a message.
#[derive(Debug, Clone)]
pub struct StateRow {
    /// Its list.
    pub list: ListId,
    /// Its month as stored.
    pub month: String,
    /// Its thread.
    pub thread: i64,
    /// Its date.
    pub date: i64,
    /// Its state.
    pub state: ArchivedState,
}

/// The words of an entry as the index takes them (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexWords {
    /// The message's list.
    pub list: ListId,
    /// The message's date.
    pub date: i64,
    /// The list and date scope (SQLite's `scope` column: `l42 d202401`).
    pub scope: String,
    /// The subject's words.
    pub subject: String,
    /// The sender's words.
    pub sender: String,
    /// The new body text's words.
    pub body_new: String,
    /// The quoted body text's words.
    pub body_quoted: String,
    /// The attachment names' words.
    pub attachments: String,
}

impl IndexWords {
    /// The words of `index` for a message of `list` dated `date`.
    pub fn new(list: ListId, date: i64, index: &IndexText) -> IndexWords {
        IndexWords {
            list,
            date,
            scope: format!(
                "{} {}",
                list_token(list),
                month_token(Month::of_timestamp(date))
            ),
            subject: index_words(&index.subject),
            sender: index_words(&index.sender),
            body_new: index_words(&index.body_new),
            body_quoted: index_words(&index.body_quoted),
            attachments: index_words(&index.attachment_names),
        }
    }
}

/// The scope token of a list.
fn list_token(list: ListId) -> String {
    format!("l{}", list.0)
}

/// The scope token of a date's month.
fn month_token(month: Month) -> String {
    format!("d{:04}{:02}", month.year(), month.month())
}

/// Folds a lower-case Latin letter with a diacritic to its base letter; anything else is
/// itself.
pub fn fold(c: char) -> char {
    const TABLE: &[(&str, char)] = &[
        ("àáâãäåāăą", 'a'),
        ("çćĉċč", 'c'),
        ("ďđ", 'd'),
        ("èéêëēĕėęě", 'e'),
        ("ĝğġģ", 'g'),
        ("ĥħ", 'h'),
        ("ìíîïĩīĭįı", 'i'),
        ("ĵ", 'j'),
        ("ķ", 'k'),
        ("ĺļľŀł", 'l'),
        ("ñńņňŉ", 'n'),
        ("òóôõöøōŏő", 'o'),
        ("ŕŗř", 'r'),
        ("śŝşš", 's'),
        ("ţťŧ", 't'),
        ("ùúûüũūŭůűų", 'u'),
        ("ŵ", 'w'),
        ("ýÿŷ", 'y'),
        ("źżž", 'z'),
    ];
    if c.is_ascii() {
        return c;
    }
    TABLE
        .iter()
        .find(|(from, _)| from.contains(c))
        .map_or(c, |(_, to)| *to)
}

/// The index's words of `text`: runs of letters and digits, lower-cased and folded, joined
/// by single spaces, at most [`INDEX_FIELD_CAP`] bytes.
pub fn index_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(INDEX_FIELD_CAP));
    let mut folded = String::new();
    for word in words(text) {
        fold_word(word, &mut folded);
        if folded.len() > MAX_WORD_BYTES {
            continue;
        }
        if out.len() + folded.len() + 1 > INDEX_FIELD_CAP {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&folded);
    }
    out
}

/// The runs of letters and digits of `text`, read a byte at a time where it is ASCII (most
/// of most mail) and a character at a time elsewhere.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    // The length of the character at `at` if it is a letter or digit, else `None`.
    let word_char = move |at: usize| -> Option<usize> {
        let b = bytes[at];
        if b.is_ascii() {
            return b.is_ascii_alphanumeric().then_some(1);
        }
        let c = text[at..].chars().next()?;
        c.is_alphanumeric().then(|| c.len_utf8())
    };
    let mut at = 0;
    std::iter::from_fn(move || {
        // Skip what separates words.
        while at < bytes.len() {
            match word_char(at) {
                Some(_) => break,
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        while let Some(len) = (at < bytes.len()).then(|| word_char(at)).flatten() {
            at += len;
        }
        Some(&text[start..at])
    })
}

/// One word lower-cased and folded, written over `out`.
fn fold_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        // Most words of most mail: [`fold`] keeps ASCII as it is.
        out.push_str(word);
        out.make_ascii_lowercase();
    } else {
        out.extend(word.chars().flat_map(char::to_lowercase).map(fold));
    }
}

/// Compresses raw bytes with [`CODEC`].
pub fn compress(raw: &[u8]) -> Result<Vec<u8>, Error> {
    thread_local! {
        // miniz_oxide's compressor holds several hundred KiB of tables that a new one zeroes:
        // made once per thread and reset for each message, it costs nothing per message
        // (an import spent a third of its time zeroing fresh ones).
        static COMPRESSOR: std::cell::RefCell<flate2::Compress> =
            std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
    }
    let failed = |message: String| Error::Sql {
        context: "compressing a message".into(),
        message,
    };
    COMPRESSOR.with(|compressor| {
        let mut compressor = compressor.borrow_mut();
        compressor.reset();
        let mut out = Vec::with_capacity(raw.len() / 2 + 64);
        loop {
            let read = compressor.total_in() as usize;
            let status = compressor
                .compress_vec(&raw[read..], &mut out, flate2::FlushCompress::Finish)
                .map_err(|e| failed(e.to_string()))?;
            match status {
                flate2::Status::StreamEnd => return Ok(out),
                flate2::Status::Ok | flate2::Status::BufError => {
                    out.reserve(out.capacity().max(64));
                }
            }
        }
    })
}

/// The bytes stored with `codec`.
pub fn decompress(codec: &str, stored: &[u8]) -> Result<Vec<u8>, Error> {
    let broken = |message: String| Error::Sql {
        context: "reading an archived message".into(),
        message,
    };
    if codec != CODEC {
        return Err(broken(format!("unknown codec {codec:?}")));
    }
    let mut raw = Vec::with_capacity(stored.len() * 3);
    flate2::read::DeflateDecoder::new(stored)
        .read_to_end(&mut raw)
        .map_err(|e| broken(e.to_string()))?;
    Ok(raw)
}

/// The statements a backend provides for [`archive_message`] and [`set_archived_state`].
pub trait ArchiveRows {
    /// The message of `list` with these bytes, if any.
    fn duplicate(&self, list: ListId, sha256: &[u8]) -> Result<Option<ArchivedRef>, Error>;
    /// Returns true if and only if `seq` is taken in the list's month.
    fn seq_taken(&self, list: ListId, month: &str, seq: u32) -> Result<bool, Error>;
    /// One more than the month's highest number (0 for the first).
    fn next_seq(&self, list: ListId, month: &str) -> Result<u32, Error>;
    /// The Message-ID row of `message_id` in `list`.
    fn node(&self, list: ListId, message_id: &str) -> Result<Option<NodeRow>, Error>;
    /// The Message-ID rows of `message_ids` in `list`, in their order (one statement each
    /// unless the backend saves round trips).
    fn nodes(&self, list: ListId, message_ids: &[&str]) -> Result<Vec<Option<NodeRow>>, Error> {
        message_ids.iter().map(|id| self.node(list, id)).collect()
    }
    /// Adds a Message-ID row; returns its id.
    fn add_node(
        &self,
        list: ListId,
        message_id: &str,
        thread: i64,
        parent: Option<&str>,
    ) -> Result<i64, Error>;
    /// Sets a Message-ID row's parent and first message.
    fn set_node(&self, id: i64, parent: Option<&str>, message: Option<i64>) -> Result<(), Error>;
    /// Starts a thread; returns its id.
    fn add_thread(&self, list: ListId, subject: &str) -> Result<i64, Error>;
    /// How many Message-ID rows (messages and placeholders) a thread has.
    fn thread_size(&self, thread: i64) -> Result<u64, Error>;
    /// Moves every message and Message-ID of thread `from` to `into`, and drops `from`.
    fn move_thread(&self, from: i64, into: i64) -> Result<(), Error>;
    /// Recomputes a thread's subject, visible count and dates from its messages.
    fn refresh_thread(&self, thread: i64) -> Result<(), Error>;
    /// Counts a new visible message in a thread ([`THREAD_ADDED`]).
    fn thread_added(&self, thread: i64, date: i64, subject: &str) -> Result<(), Error>;
    /// Inserts a message and its bytes; returns its id.
    fn insert_message(&self, row: &MessageRow<'_>) -> Result<i64, Error>;
    /// Adds `delta` to a month's visible messages.
    fn count_month(&self, list: ListId, month: &str, delta: i64) -> Result<(), Error>;
    /// Adds a message's index entry.
    fn index_add(&self, id: i64, words: &IndexWords) -> Result<(), Error>;
    /// Removes a message's index entry (made of exactly these words).
    fn index_remove(&self, id: i64, words: &IndexWords) -> Result<(), Error>;
    /// What a state change needs of message `id`.
    fn state_row(&self, id: i64) -> Result<Option<StateRow>, Error>;
    /// Sets a message's state; `Deleted` also drops its bytes.
    fn set_state(&self, id: i64, state: ArchivedState) -> Result<(), Error>;
}

/// Stores a message (see `Db::archive_message`'s contract) over a backend's statements.
pub fn archive_message(
    db: &impl ArchiveRows,
    message: &NewArchived<'_>,
) -> Result<Archived, Error> {
    let sha256 = Sha256::digest(message.raw).to_vec();
    if let Some(found) = db.duplicate(message.list, &sha256)? {
        return Ok(Archived::Duplicate(found));
    }
    let month = message.month.to_string();
    let seq = match message.legacy_seq {
        Some(seq) if db.seq_taken(message.list, &month, seq)? => {
            return Err(Error::AlreadyExists(format!(
                "message number {seq} of {month} in the archive"
            )))
        }
        Some(seq) => seq,
        None => db.next_seq(message.list, &month)?,
    };
    let list = message.list;
    // Every Message-ID in play: the references, oldest first, then its own.
    // Its references as the contract has them (no repeats, not itself) even if the parser
    // let one through: a repeat would add its placeholder twice.
    let mut references: Vec<&str> = Vec::with_capacity(message.references.len());
    for reference in message.references {
        if reference != message.message_id && !references.contains(&reference.as_str()) {
            references.push(reference);
        }
    }
    let mut ids = references.clone();
    ids.push(message.message_id);
    let mut known = db.nodes(list, &ids)?;
    let own = known.pop().flatten();
    // The thread: the largest of those it touches, the others merged into it.
    let mut threads: Vec<i64> = known
        .iter()
        .chain(std::iter::once(&own))
        .flatten()
        .map(|node| node.thread)
        .collect();
    threads.sort_unstable();
    threads.dedup();
    let merged = threads.len() > 1;
    let thread = match threads.as_slice() {
        [] => db.add_thread(list, message.subject)?,
        [one] => *one,
        several => {
            let mut sized = Vec::with_capacity(several.len());
            for &thread in several {
                sized.push((db.thread_size(thread)?, std::cmp::Reverse(thread)));
            }
            let into = sized.iter().max().map(|(_, t)| t.0).unwrap_or(several[0]);
            for &from in several.iter().filter(|&&t| t != into) {
                db.move_thread(from, into)?;
            }
            into
        }
    };
    // The chain of references: unseen ids become placeholders, a parentless one gets the id
    // before it as parent.
    let mut previous: Option<&str> = None;
    for (&reference, node) in references.iter().zip(&known) {
        match node {
            None => {
                db.add_node(list, reference, thread, previous)?;
            }
            Some(node) if node.parent.is_none() && node.message.is_none() => {
                if let Some(parent) = previous {
                    if !makes_loop(db, list, reference, parent)? {
                        db.set_node(node.id, Some(parent), None)?;
                    }
                }
            }
            Some(_) => {}
        }
        previous = Some(reference);
    }
    let parent = references.last().copied();
    let node = match &own {
        None => db.add_node(list, message.message_id, thread, parent)?,
        Some(node) => node.id,
    };
    let id = db.insert_message(&MessageRow {
        message,
        node,
        thread,
        month: month.clone(),
        seq,
        parent,
        sha256,
        compressed: compress(message.raw)?,
    })?;
    // A placeholder that stood for it becomes its row; its parent is now its last reference.
    if let Some(own) = &own {
        if own.message.is_none() {
            let parent = match parent {
                Some(parent) if !makes_loop(db, list, message.message_id, parent)? => Some(parent),
                _ => own.parent.as_deref(),
            };
            db.set_node(own.id, parent, Some(id))?;
        }
    }
    let visible = message.state == ArchivedState::Visible;
    if visible {
        db.count_month(list, &month, 1)?;
        db.index_add(id, &IndexWords::new(list, message.date, message.index))?;
    }
    if merged {
        db.refresh_thread(thread)?;
    } else if visible {
        db.thread_added(thread, message.date, message.subject)?;
    }
    Ok(Archived::Stored(ArchivedRef {
        id,
        month: message.month,
        seq,
    }))
}

/// Returns true if and only if making `parent` the parent of `child` would make a loop:
/// `child` is `parent` or one of its ancestors (or the chain is longer than
/// [`MAX_ANCESTRY`]).
fn makes_loop(
    db: &impl ArchiveRows,
    list: ListId,
    child: &str,
    parent: &str,
) -> Result<bool, Error> {
    let mut at = parent.to_string();
    for _ in 0..MAX_ANCESTRY {
        if at == child {
            return Ok(true);
        }
        match db.node(list, &at)?.and_then(|node| node.parent) {
            Some(next) => at = next,
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// Changes a message's state (see `Db::set_archived_state`'s contract) over a backend's
/// statements.
pub fn set_archived_state(
    db: &impl ArchiveRows,
    id: i64,
    state: ArchivedState,
    index: &IndexText,
) -> Result<Option<ArchivedState>, Error> {
    let Some(row) = db.state_row(id)? else {
        return Ok(None);
    };
    if row.state == state || row.state.is_final() {
        // Nothing changes; a deleted message has no bytes to show again.
        return Ok(Some(row.state));
    }
    let words = IndexWords::new(row.list, row.date, index);
    if row.state == ArchivedState::Visible {
        db.index_remove(id, &words)?;
        db.count_month(row.list, &row.month, -1)?;
    }
    if state == ArchivedState::Visible {
        db.index_add(id, &words)?;
        db.count_month(row.list, &row.month, 1)?;
    }
    db.set_state(id, state)?;
    db.refresh_thread(row.thread)?;
    Ok(Some(row.state))
}

/// A term's words, folded like the index's (a word that folds to nothing is dropped).
fn term_words(term: &SearchTerm) -> Vec<String> {
    term.words
        .iter()
        .map(|w| index_words(w).replace(' ', ""))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The months a date range narrows to, when it has a bound and spans at most
/// [`MAX_SCOPE_MONTHS`].
fn scope_months(query: &SearchQuery) -> Option<Vec<Month>> {
    if query.since.is_none() && query.until.is_none() {
        return None;
    }
    let first = Month::of_timestamp(query.since?);
    let last = Month::of_timestamp(query.until?.saturating_sub(1));
    let mut months = Vec::new();
    let mut at = first;
    while at <= last {
        if months.len() == MAX_SCOPE_MONTHS {
            return None;
        }
        months.push(at);
        match at.next() {
            Some(next) => at = next,
            None => break,
        }
    }
    Some(months)
}

/// The FTS5 MATCH expression of a search over `lists`, made from the parsed query only
/// (every word quoted); `None` when it can match nothing (no non-negated term, no list).
pub fn fts5_match(lists: &[ListId], query: &SearchQuery) -> Option<String> {
    let term = |term: &SearchTerm| -> Option<String> {
        let words = term_words(term);
        if words.is_empty() {
            return None;
        }
        let columns = match term.field {
            SearchField::Any => "subject sender body_new body_quoted attach_names",
            SearchField::Subject => "subject",
            SearchField::From => "sender",
            SearchField::Body => "body_new body_quoted",
            SearchField::BodyNew => "body_new",
            SearchField::BodyQuoted => "body_quoted",
            SearchField::Attachment => "attach_names",
        };
        let star = if term.prefix { "*" } else { "" };
        let body = if term.phrase {
            format!("\"{}\"{star}", words.join(" "))
        } else {
            let last = words.len() - 1;
            words
                .iter()
                .enumerate()
                .map(|(i, w)| format!("\"{w}\"{}", if i == last { star } else { "" }))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        Some(format!("{{{columns}}} : ({body})"))
    };
    let positive: Vec<String> = query
        .terms
        .iter()
        .filter(|t| !t.negated)
        .filter_map(term)
        .collect();
    if positive.is_empty() || lists.is_empty() {
        return None;
    }
    let negative: Vec<String> = query
        .terms
        .iter()
        .filter(|t| t.negated)
        .filter_map(term)
        .collect();
    let join = match query.combine {
        SearchCombine::All => " AND ",
        SearchCombine::Any => " OR ",
    };
    let in_lists = lists
        .iter()
        .map(|&l| format!("\"{}\"", list_token(l)))
        .collect::<Vec<_>>()
        .join(" OR ");
    let mut expression = format!("{{scope}} : ({in_lists})");
    if let Some(months) = scope_months(query) {
        if months.is_empty() {
            return None;
        }
        let in_months = months
            .iter()
            .map(|&m| format!("\"{}\"", month_token(m)))
            .collect::<Vec<_>>()
            .join(" OR ");
        expression = format!("{expression} AND {{scope}} : ({in_months})");
    }
    expression = format!("({expression}) AND ({})", positive.join(join));
    if !negative.is_empty() {
        expression = format!("({expression}) NOT ({})", negative.join(" OR "));
    }
    Some(expression)
}

/// A `tsvector` literal of `fields` (words as made by [`index_words`], each field with its
/// weight letter): positions run on across fields with a gap between them, so that a
/// phrase never spans two fields, capped at [`MAX_POSITION`] and
/// [`MAX_POSITIONS_PER_WORD`]. Words are letters and digits only, so they need no escaping
/// inside the quotes.
pub fn tsvector_literal(fields: &[(&str, char)]) -> String {
    let mut positions: std::collections::BTreeMap<&str, Vec<(usize, char)>> =
        std::collections::BTreeMap::new();
    let mut at = 0;
    for (words, weight) in fields {
        at += 1;
        for word in words.split(' ').filter(|w| !w.is_empty()) {
            at += 1;
            let kept = positions.entry(word).or_default();
            let position = at.min(MAX_POSITION);
            if kept.len() < MAX_POSITIONS_PER_WORD && kept.last().map(|p| p.0) != Some(position) {
                kept.push((position, *weight));
            }
        }
    }
    let mut out = String::new();
    for (word, kept) in positions {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(word);
        out.push_str("':");
        let list: Vec<String> = kept
            .iter()
            .map(|(position, weight)| format!("{position}{weight}"))
            .collect();
        out.push_str(&list.join(","));
    }
    out
}

/// One term of a PostgreSQL search: the tsquery text (our own syntax over folded words),
/// which tsvector it applies to, and whether it is negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsTerm {
    /// The `tsquery` text.
    pub query: String,
    /// Whether it applies to the body tsvector (`words`), the attachment names' (`names`)
    /// or both.
    pub target: TsTarget,
    /// The message must not match it.
    pub negated: bool,
}

/// Which tsvector a term applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsTarget {
    /// Subject (A), sender (B), new body (C), quoted body (D).
    Words,
    /// Attachment names.
    Names,
    /// Either.
    Both,
}

/// The PostgreSQL terms of a query; `None` when it can match nothing.
pub fn ts_terms(query: &SearchQuery) -> Option<Vec<TsTerm>> {
    let terms: Vec<TsTerm> = query
        .terms
        .iter()
        .filter_map(|term| {
            let words = term_words(term);
            if words.is_empty() {
                return None;
            }
            let (weights, target) = match term.field {
                SearchField::Any => ("", TsTarget::Both),
                SearchField::Subject => ("A", TsTarget::Words),
                SearchField::From => ("B", TsTarget::Words),
                SearchField::Body => ("CD", TsTarget::Words),
                SearchField::BodyNew => ("C", TsTarget::Words),
                SearchField::BodyQuoted => ("D", TsTarget::Words),
                SearchField::Attachment => ("", TsTarget::Names),
            };
            let last = words.len() - 1;
            let lexemes: Vec<String> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let star = if term.prefix && i == last { "*" } else { "" };
                    if star.is_empty() && weights.is_empty() {
                        format!("'{w}'")
                    } else {
                        format!("'{w}':{star}{weights}")
                    }
                })
                .collect();
            let join = if term.phrase { " <-> " } else { " & " };
            Some(TsTerm {
                query: lexemes.join(join),
                target,
                negated: term.negated,
            })
        })
        .collect();
    if !terms.iter().any(|t| !t.negated) {
        return None;
    }
    if let Some(months) = scope_months(query) {
        if months.is_empty() {
            return None;
        }
    }
    Some(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_lowered_and_capped() {
        assert_eq!(
            index_words("Héllo, WORLD! ça-va Øre"),
            "hello world ca va ore"
        );
        assert_eq!(index_words("  "), "");
        let long = "word ".repeat(INDEX_FIELD_CAP);
        let words = index_words(&long);
        assert!(words.len() <= INDEX_FIELD_CAP && words.len() > INDEX_FIELD_CAP - 10);
    }

    #[test]
    fn words_are_the_runs_of_letters_and_digits_whatever_the_script() {
        // The byte-at-a-time reader against the definition: split on every character that is
        // not a letter or digit.
        let samples = [
            "plain ascii, with-punctuation_and_underscores 42x",
            "Grüße aus Köln—straße… «guillemets» ÆØÅ",
            "日本語のテキスト、句読点。混在 mixed",
            "Arabic digits ٣٤٥ and Devanagari १२ and ½ fractions",
            "combining e\u{301} and zero\u{200b}width and emoji 🎉party🎉",
            "\u{a0}non-breaking\u{a0}spaces\t\ttabs\r\nlines",
            "",
            "    ",
            "ÉÉÉ",
            "a",
            "İstanbul ΣΊΣΥΦΟΣ ǅungla",
        ];
        for text in samples {
            let want: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(words(text).collect::<Vec<_>>(), want, "{text:?}");
        }
        assert_eq!(index_words("İstanbul ΣΊΣΥΦΟΣ"), "i̇stanbul σίσυφοσ");
    }

    #[test]
    fn compression_round_trips() {
        // One compressor per thread, reset between messages: each input comes back alone,
        // whatever came before it (a large one included).
        let large: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for raw in [
            &b""[..],
            b"a\r\nb\r\n",
            &large,
            &[0u8, 255, 13, 10, 7][..],
            &large[..10],
        ] {
            assert_eq!(decompress(CODEC, &compress(raw).unwrap()).unwrap(), raw);
        }
        assert!(decompress("zstd", b"x").is_err());
        assert!(decompress(CODEC, b"\xff\xff\xff").is_err());
    }

    fn term(words: &[&str], field: SearchField) -> SearchTerm {
        SearchTerm {
            field,
            words: words.iter().map(|w| w.to_string()).collect(),
            phrase: false,
            prefix: false,
            negated: false,
        }
    }

    #[test]
    fn match_expressions_quote_every_word_and_scope_the_lists() {
        let mut negated = term(&["spam"], SearchField::Any);
        negated.negated = true;
        let mut phrase = term(&["hello", "wor"], SearchField::Subject);
        phrase.phrase = true;
        phrase.prefix = true;
        let query = SearchQuery {
            terms: vec![phrase, negated.clone()],
            combine: SearchCombine::All,
            since: None,
            until: None,
        };
        assert_eq!(
            fts5_match(&[ListId(4), ListId(7)], &query).unwrap(),
            "(({scope} : (\"l4\" OR \"l7\")) AND ({subject} : (\"hello wor\"*))) NOT \
             ({subject sender body_new body_quoted attach_names} : (\"spam\"))"
        );
        let only_negated = SearchQuery {
            terms: vec![negated],
            combine: SearchCombine::All,
            since: None,
            until: None,
        };
        assert_eq!(fts5_match(&[ListId(4)], &only_negated), None);
        assert_eq!(ts_terms(&only_negated), None);
    }
}
