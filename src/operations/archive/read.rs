//! Reading a list's archive, for every door: its months, a month by thread and by date, a thread as a tree, one message with its neighbours, its raw bytes and attachments, mbox exports, the latest messages and search (per list and site-wide).
//!
//! Every operation authorizes once with [`ActionKind::ReadArchive`] on the list (site-wide
//! search decides it for each list) and answers typed values; the doors turn them into
//! pages, feeds or files.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use crate::archive::{self, snippet::Fragment};
use crate::domain::{
    ActionKind, ArchivedState, Decision, List, ListId, ListName, Month, SearchOrder, SearchQuery,
};
use crate::store::{
    ArchiveScope, ArchiveSearch, ArchivedSummary, Db, Error as StoreError, MessageKey,
    ThreadSummary,
};

use super::super::{Env, Error, Requester};

/// Messages on a page of a month by date, and threads on a page of a month by thread
/// (MHonArc's `IDXSIZE 30`, as Sympa configured it).
pub const PAGE_SIZE: u64 = 30;
/// The most messages of one thread read for its tree (the oldest ones).
pub const THREAD_CAP: u64 = 2_000;
/// The most messages of one thread read for a month's index by thread (the oldest ones):
/// a month page reads up to [`PAGE_SIZE`] threads.
pub const MONTH_THREAD_CAP: u64 = 500;
/// How deep a thread's tree is indented; deeper replies are shown at this depth.
pub const MAX_DEPTH: usize = 12;
/// Search results on one page.
pub const SEARCH_PAGE: u64 = 20;
/// Search counts stop here ("more than 1000 messages").
pub const COUNT_CAP: u64 = 1_000;
/// The characters of a search result's snippet.
pub const SNIPPET_CHARS: usize = 240;
/// The most messages a feed carries, and how many it carries unless asked.
pub const FEED_MAX: u64 = 100;
/// See [`FEED_MAX`].
pub const FEED_DEFAULT: u64 = 20;
/// The most days back a feed looks, and how far unless asked.
pub const FEED_MAX_DAYS: u64 = 3_650;
/// See [`FEED_MAX_DAYS`].
pub const FEED_DEFAULT_DAYS: u64 = 30;

/// What looking a message up found.
#[derive(Debug, Clone)]
pub enum Lookup<T> {
    /// The message, for this requester.
    Found(T),
    /// No such message, or one hidden from this requester (the same answer: 404).
    Missing,
    /// Deleted by an owner: its links answer 410 Gone.
    Gone,
}

impl<T> Lookup<T> {
    /// The same lookup with the found value changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Lookup<U> {
        match self {
            Lookup::Found(value) => Lookup::Found(f(value)),
            Lookup::Missing => Lookup::Missing,
            Lookup::Gone => Lookup::Gone,
        }
    }
}

/// Returns true if and only if the requester may hide, show and delete `list`'s messages
/// (and so sees hidden ones).
pub fn may_manage(env: &Env<'_>, requester: &Requester, list: &List) -> Result<bool, Error> {
    let roles = env.roles(requester, list)?;
    Ok(!matches!(
        crate::domain::decide(ActionKind::ManageArchive, &roles, &list.policy),
        Decision::Refuse(_)
    ))
}

/// The archive's home: its months with their visible messages, newest first.
pub fn months(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<Vec<(Month, u64)>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    Ok(env.db().archive_months(list.id)?)
}

/// What changes whenever any page of `list`'s archive may change (a message arrives, is
/// hidden, shown again or deleted): a fingerprint of its months and their counts and of its
/// newest message, and when that newest message arrived. Pages use it for their validators
/// without reading any message's bytes.
pub fn version(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<(String, Option<i64>), Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    env.snapshot(|db| {
        let months = db.archive_months(list.id)?;
        let newest = db
            .archive_latest(&[list.id], i64::MIN, 1)?
            .into_iter()
            .next();
        let mut fingerprint = String::new();
        for (month, count) in months {
            fingerprint.push_str(&format!("{month}:{count};"));
        }
        if let Some(newest) = &newest {
            fingerprint.push_str(&format!("newest:{}", newest.id));
        }
        Ok((fingerprint, newest.map(|m| m.arrived_at)))
    })
}

/// A page of a month's threads.
#[derive(Debug, Clone)]
pub struct ThreadsPage {
    /// The month's visible messages.
    pub messages: u64,
    /// Its threads with a visible message in it.
    pub thread_count: u64,
    /// The page's threads, the most recently active first, each with its messages of the
    /// month as a tree (see [`thread`]; messages of other months are left out, their
    /// replies keep their depth).
    pub threads: Vec<(ThreadSummary, Vec<TreeNode>)>,
    /// How many pages of threads there are (at least 1).
    pub pages: u64,
    /// How many pages of messages by date there are (at least 1).
    pub date_pages: u64,
}

/// A page of a month's messages by date.
#[derive(Debug, Clone)]
pub struct DatePage {
    /// The month's visible messages.
    pub messages: u64,
    /// The page's messages, oldest first.
    pub page: Vec<ArchivedSummary>,
    /// How many pages there are (at least 1).
    pub pages: u64,
}

/// The number of pages of `count` items, [`PAGE_SIZE`] a page; at least 1.
fn pages_of(count: u64) -> u64 {
    count.div_ceil(PAGE_SIZE).max(1)
}

/// The visible messages of `month`, `None` when it has none.
fn month_count(db: &Db<'_>, list: &List, month: Month) -> Result<Option<u64>, StoreError> {
    Ok(db
        .archive_months(list.id)?
        .into_iter()
        .find(|(m, count)| *m == month && *count > 0)
        .map(|(_, count)| count))
}

/// Page `page` (from 1) of `month`'s threads; `None` when the month has no visible message
/// or the page is past the last one.
pub fn month_by_thread(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    page: u64,
) -> Result<Option<ThreadsPage>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    env.snapshot(|db| {
        let Some(messages) = month_count(db, list, month)? else {
            return Ok(None);
        };
        let offset = page.saturating_sub(1).saturating_mul(PAGE_SIZE);
        let (threads, thread_count) =
            db.archive_month_threads(list.id, month, offset, PAGE_SIZE)?;
        let pages = pages_of(thread_count);
        if page == 0 || page > pages {
            return Ok(None);
        }
        let mut threads_with_messages = Vec::with_capacity(threads.len());
        for summary in threads {
            let nodes = db.archive_thread(list.id, summary.id, MONTH_THREAD_CAP)?;
            let flat = nodes
                .into_iter()
                .map(|node| {
                    let shown = node.message.filter(|m| m.state == ArchivedState::Visible);
                    (node.message_id, node.parent, shown)
                })
                .collect();
            let in_month = build_tree(flat)
                .into_iter()
                .filter(|node| node.message.as_ref().is_some_and(|m| m.month == month))
                .collect();
            threads_with_messages.push((summary, in_month));
        }
        let threads = threads_with_messages;
        Ok(Some(ThreadsPage {
            messages,
            thread_count,
            threads,
            pages,
            date_pages: pages_of(messages),
        }))
    })
}

/// Page `page` (from 1) of `month`'s messages by date; `None` when the month has no
/// visible message or the page is past the last one.
pub fn month_by_date(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    page: u64,
) -> Result<Option<DatePage>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    env.snapshot(|db| {
        let Some(messages) = month_count(db, list, month)? else {
            return Ok(None);
        };
        let pages = pages_of(messages);
        if page == 0 || page > pages {
            return Ok(None);
        }
        let offset = (page - 1) * PAGE_SIZE;
        let page = db.archive_month_page(list.id, month, offset, PAGE_SIZE)?;
        Ok(Some(DatePage {
            messages,
            page,
            pages,
        }))
    })
}

/// One line of a thread's tree.
#[derive(Debug, Clone)]
pub struct TreeNode {
    /// How deep it is (0 for a root), at most [`MAX_DEPTH`].
    pub depth: usize,
    /// Its Message-ID.
    pub message_id: String,
    /// The message; `None` for a message the archive does not have (or hides).
    pub message: Option<ArchivedSummary>,
}

/// Thread `thread` of `list` as a tree, flattened in reading order (each message followed by
/// its replies, replies by date); `None` when it has no visible message.
pub fn thread(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    thread: i64,
) -> Result<Option<Vec<TreeNode>>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    let nodes = env.db().archive_thread(list.id, thread, THREAD_CAP)?;
    let visible = |node: &crate::store::ThreadNode| {
        node.message
            .as_ref()
            .filter(|m| m.state == ArchivedState::Visible)
            .cloned()
    };
    if !nodes.iter().any(|node| visible(node).is_some()) {
        return Ok(None);
    }
    let flat = nodes
        .iter()
        .map(|node| (node.message_id.clone(), node.parent.clone(), visible(node)))
        .collect::<Vec<_>>();
    Ok(Some(build_tree(flat)))
}

/// Builds the tree of `nodes` (Message-ID, parent's Message-ID, message when shown):
/// roots are the nodes whose parent is not among them; children are sorted by the date of
/// the earliest message under them; a cycle in the parents is broken where found.
pub fn build_tree(nodes: Vec<(String, Option<String>, Option<ArchivedSummary>)>) -> Vec<TreeNode> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (id.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, (_, parent, _)) in nodes.iter().enumerate() {
        match parent.as_deref().and_then(|p| index.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    // The earliest date under each node, for ordering (placeholders take their replies').
    let mut earliest: Vec<Option<(i64, i64)>> = vec![None; nodes.len()];
    fn visit_dates(
        i: usize,
        nodes: &[(String, Option<String>, Option<ArchivedSummary>)],
        children: &[Vec<usize>],
        earliest: &mut [Option<(i64, i64)>],
        seen: &mut [bool],
    ) -> Option<(i64, i64)> {
        if seen[i] {
            return earliest[i];
        }
        seen[i] = true;
        let mut best = nodes[i].2.as_ref().map(|m| (m.date, m.id));
        for &c in &children[i] {
            let under = visit_dates(c, nodes, children, earliest, seen);
            best = match (best, under) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        earliest[i] = best;
        best
    }
    let mut seen = vec![false; nodes.len()];
    for i in 0..nodes.len() {
        visit_dates(i, &nodes, &children, &mut earliest, &mut seen);
    }
    let key = |i: &usize| earliest[*i].unwrap_or((i64::MAX, i64::MAX));
    for list in &mut children {
        list.sort_by_key(key);
    }
    roots.sort_by_key(key);
    // Nodes caught in a cycle are reachable from no root: start from them too.
    let mut out = Vec::with_capacity(nodes.len());
    let mut placed = vec![false; nodes.len()];
    let mut starts = roots;
    let mut rest: Vec<usize> = (0..nodes.len()).collect();
    rest.sort_by_key(key);
    starts.extend(rest);
    for start in starts {
        let mut stack = vec![(start, 0usize)];
        while let Some((i, depth)) = stack.pop() {
            if placed[i] {
                continue;
            }
            placed[i] = true;
            out.push(TreeNode {
                depth: depth.min(MAX_DEPTH),
                message_id: nodes[i].0.clone(),
                message: nodes[i].2.clone(),
            });
            for &c in children[i].iter().rev() {
                stack.push((c, depth + 1));
            }
        }
    }
    // Placeholders with nothing shown under them say nothing.
    let mut keep = vec![true; out.len()];
    for i in (0..out.len()).rev() {
        if out[i].message.is_none() {
            let has_shown_child = out[i + 1..]
                .iter()
                .zip(&keep[i + 1..])
                .take_while(|(n, _)| n.depth > out[i].depth)
                .any(|(n, kept)| *kept && n.message.is_some());
            keep[i] = has_shown_child;
        }
    }
    out.into_iter()
        .zip(keep)
        .filter_map(|(node, kept)| kept.then_some(node))
        .collect()
}

/// A message as its page shows it.
#[derive(Debug, Clone)]
pub struct MessagePage {
    /// The message.
    pub summary: ArchivedSummary,
    /// What its page shows of its bytes.
    pub display: archive::Display,
    /// The visible messages before and after it by date, across months.
    pub previous: Option<ArchivedSummary>,
    /// See `previous`.
    pub next: Option<ArchivedSummary>,
    /// The messages before and after it in its thread (reading order).
    pub thread_previous: Option<ArchivedSummary>,
    /// See `thread_previous`.
    pub thread_next: Option<ArchivedSummary>,
    /// Whether the requester may hide, show and delete it.
    pub may_manage: bool,
}

/// The message `seq` of `month` without its bytes, as the requester may see it: hidden
/// messages are shown to those who may manage the archive only. Also says whether the
/// requester may manage it.
pub fn message_summary(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    seq: u32,
) -> Result<Lookup<(ArchivedSummary, bool)>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    let found = env.db().archived_by_seq(list.id, month, seq)?;
    visible_to(env, requester, list, found)
}

/// `found` as the requester may see it (see [`message_summary`]).
fn visible_to(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    found: Option<ArchivedSummary>,
) -> Result<Lookup<(ArchivedSummary, bool)>, Error> {
    let Some(summary) = found else {
        return Ok(Lookup::Missing);
    };
    let manage = may_manage(env, requester, list)?;
    Ok(match summary.state {
        ArchivedState::Deleted => Lookup::Gone,
        // Held and rejected posts were never published: moderators see them in `modindex`.
        ArchivedState::Held | ArchivedState::Rejected => Lookup::Missing,
        ArchivedState::Hidden if !manage => Lookup::Missing,
        _ => Lookup::Found((summary, manage)),
    })
}

/// The page of message `seq` of `month`: the message read and shown, its neighbours by
/// date and in its thread.
pub fn message(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    seq: u32,
) -> Result<Lookup<MessagePage>, Error> {
    let (summary, may_manage) = match message_summary(env, requester, list, month, seq)? {
        Lookup::Found(found) => found,
        Lookup::Missing => return Ok(Lookup::Missing),
        Lookup::Gone => return Ok(Lookup::Gone),
    };
    env.snapshot(|db| {
        let Some(raw) = db.archived_raw(summary.id)? else {
            return Ok(Lookup::Gone);
        };
        let display = archive::display(&raw);
        let (previous, next) = db.archived_neighbours(list.id, summary.id)?;
        let nodes = db.archive_thread(list.id, summary.thread, THREAD_CAP)?;
        let flat = nodes
            .into_iter()
            .map(|node| {
                let shown = node
                    .message
                    .filter(|m| m.state == ArchivedState::Visible || m.id == summary.id);
                (node.message_id, node.parent, shown)
            })
            .collect();
        let order: Vec<ArchivedSummary> = build_tree(flat)
            .into_iter()
            .filter_map(|node| node.message)
            .collect();
        let at = order.iter().position(|m| m.id == summary.id);
        let (thread_previous, thread_next) = match at {
            Some(at) => (
                at.checked_sub(1).map(|i| order[i].clone()),
                order.get(at + 1).cloned(),
            ),
            None => (None, None),
        };
        Ok(Lookup::Found(MessagePage {
            summary,
            display,
            previous,
            next,
            thread_previous,
            thread_next,
            may_manage,
        }))
    })
}

/// The original bytes of message `seq` of `month`, exactly as stored.
pub fn raw(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    seq: u32,
) -> Result<Lookup<(ArchivedSummary, Vec<u8>)>, Error> {
    let (summary, _) = match message_summary(env, requester, list, month, seq)? {
        Lookup::Found(found) => found,
        Lookup::Missing => return Ok(Lookup::Missing),
        Lookup::Gone => return Ok(Lookup::Gone),
    };
    Ok(match env.db().archived_raw(summary.id)? {
        Some(raw) => Lookup::Found((summary, raw)),
        None => Lookup::Gone,
    })
}

/// Attachment `index` of message `seq` of `month`; `Missing` when it has no such one.
pub fn attachment(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    month: Month,
    seq: u32,
    index: usize,
) -> Result<Lookup<archive::Attachment>, Error> {
    Ok(match raw(env, requester, list, month, seq)? {
        Lookup::Found((_, raw)) => match archive::attachment(&raw, index) {
            Some(found) => Lookup::Found(found),
            None => Lookup::Missing,
        },
        Lookup::Missing => Lookup::Missing,
        Lookup::Gone => Lookup::Gone,
    })
}

/// Returns true if and only if `text` has the shape of Sympa's permalink id (22 characters
/// of base64url).
fn looks_like_permalink(text: &str) -> bool {
    text.len() == 22
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Returns true if and only if `text` has the shape of HyperKitty's hash (32 characters of
/// base32).
fn looks_like_hyperkitty(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b))
}

/// The message a permalink names, whatever month its URL says: `key` is Sympa's permalink
/// id, HyperKitty's hash, or a Message-ID (with or without `<>`), tried in that order by
/// their shapes.
pub fn resolve(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    key: &str,
) -> Result<Lookup<ArchivedSummary>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    let found = find_by_key(&env.db(), list, key)?;
    Ok(visible_to(env, requester, list, found)?.map(|(summary, _)| summary))
}

/// The message of `list` that `key` names (see [`resolve`]), whatever its state.
fn find_by_key(db: &Db<'_>, list: &List, key: &str) -> Result<Option<ArchivedSummary>, StoreError> {
    let mut found = None;
    if looks_like_permalink(key) {
        found = db.archived_by_key(list.id, MessageKey::Permalink(key))?;
    }
    if found.is_none() && looks_like_hyperkitty(key) {
        found = db.archived_by_key(list.id, MessageKey::HyperKitty(key))?;
    }
    if found.is_none() {
        if let Some(id) = archive::ids::normalize(key) {
            found = db.archived_by_key(list.id, MessageKey::MessageId(&id))?;
        }
    }
    Ok(found)
}

/// An export that may be sent: the requester may read it, and it has visible messages.
/// Decided before a door sends its head; [`write_export`] then writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// The list.
    pub list: ListId,
    /// The month or the thread.
    pub scope: ArchiveScope,
}

/// Decides an export of `list`'s month or thread: `None` when it has no visible message.
/// Reads no message's bytes (the count of a month, the summaries of a thread).
pub fn export(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    scope: ArchiveScope,
) -> Result<Option<Export>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    let db = env.db();
    let any = match scope {
        ArchiveScope::Month(month) => month_count(&db, list, month)?.is_some(),
        ArchiveScope::Thread(thread) => {
            db.archive_thread(list.id, thread, THREAD_CAP)?
                .iter()
                .any(|node| {
                    node.message
                        .as_ref()
                        .is_some_and(|m| m.state == ArchivedState::Visible)
                })
        }
    };
    Ok(any.then_some(Export {
        list: list.id,
        scope,
    }))
}

/// Writes `export`'s visible messages as a gzipped mbox (mboxrd), oldest first, into `out`
/// as they are read from `db` (a page of rows at a time): memory does not grow with the
/// export's size. Returns how many messages were written. A message hidden or deleted
/// meanwhile may or may not be in it, as with any page read before the change.
///
/// An `Err` leaves `out` holding a truncated gzip stream (its reader sees it is cut): a
/// write to `out` failed (the client is gone), or reading the database did.
pub fn write_export(db: &Db<'_>, export: &Export, out: &mut dyn Write) -> io::Result<u64> {
    let mut gz = archive::mbox::GzWriter::new(out);
    let mut count = 0u64;
    let mut failed = None;
    let read = db.for_each_archived(export.list, export.scope, |summary, raw| {
        count += 1;
        archive::mbox::write(&mut gz, &summary.from_addr, summary.date, raw).map_err(|e| {
            let stop = StoreError::Sql {
                context: "writing an mbox export".into(),
                message: e.to_string(),
            };
            failed = Some(e);
            stop
        })
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read.map_err(io::Error::other)?;
    gz.finish()?;
    Ok(count)
}

/// The newest visible messages of `list` that arrived in the last `days` days (at most
/// [`FEED_MAX_DAYS`]), at most `count` (at most [`FEED_MAX`]), newest first.
pub fn latest(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    days: u64,
    count: u64,
) -> Result<Vec<ArchivedSummary>, Error> {
    env.authorize(requester, list, ActionKind::ReadArchive)?;
    let days = days.clamp(1, FEED_MAX_DAYS) as i64;
    let since = crate::store::now() - days * 86_400;
    Ok(env
        .db()
        .archive_latest(&[list.id], since, count.clamp(1, FEED_MAX))?)
}

/// Where a search looks.
#[derive(Debug, Clone, Copy)]
pub enum SearchIn<'a> {
    /// One list's archive.
    List(&'a List),
    /// Every archive of the site the requester may read.
    Site,
}

/// A page of search results.
#[derive(Debug, Clone)]
pub struct SearchPage<'a> {
    /// The query.
    pub query: &'a SearchQuery,
    /// The order.
    pub order: SearchOrder,
    /// Newest first: only messages with an id below this one.
    pub before: Option<i64>,
    /// Relevance order: results skipped.
    pub offset: u64,
}

/// One search result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The message.
    pub summary: ArchivedSummary,
    /// Its list's name.
    pub list: ListName,
    /// Its text around the words searched.
    pub snippet: Vec<Fragment>,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// This page's results.
    pub hits: Vec<Hit>,
    /// How many messages match in all, counted up to [`COUNT_CAP`].
    pub count: u64,
    /// Whether the count stopped at [`COUNT_CAP`].
    pub more: bool,
    /// Newest first: the `before` of the next page, when there is one.
    pub next_before: Option<i64>,
    /// Relevance: the `offset` of the next page, when there is one.
    pub next_offset: Option<u64>,
    /// When the newest message of the lists searched arrived (what the results may change
    /// with).
    pub newest: Option<i64>,
}

/// Searches `scope`: one list's archive (authorized once), or every open list of the site
/// whose archive the requester may read (decided for each list, so that no other list's
/// messages reach the results or the count).
pub fn search(
    env: &Env<'_>,
    requester: &Requester,
    scope: SearchIn<'_>,
    page: &SearchPage<'_>,
) -> Result<SearchResults, Error> {
    let lists: Vec<List> = match scope {
        SearchIn::List(list) => {
            env.authorize(requester, list, ActionKind::ReadArchive)?;
            vec![list.clone()]
        }
        SearchIn::Site => {
            let mut readable = Vec::new();
            let anonymous = requester.email.is_none() && !requester.listmaster;
            for list in env.db().open_lists(&env.config.domain)? {
                // Roles are read only when they may matter: not for an anonymous visitor.
                let roles = if anonymous {
                    crate::domain::Roles::ANONYMOUS
                } else {
                    env.roles(requester, &list)?
                };
                let decision = crate::domain::decide(ActionKind::ReadArchive, &roles, &list.policy);
                if !matches!(decision, Decision::Refuse(_)) {
                    readable.push(list);
                }
            }
            readable
        }
    };
    let empty = SearchResults {
        hits: Vec::new(),
        count: 0,
        more: false,
        next_before: None,
        next_offset: None,
        newest: None,
    };
    if lists.is_empty() {
        return Ok(empty);
    }
    let ids: Vec<_> = lists.iter().map(|l| l.id).collect();
    let names: HashMap<_, _> = lists.iter().map(|l| (l.id, l.name.clone())).collect();
    let search = ArchiveSearch {
        lists: &ids,
        query: page.query,
        order: page.order,
        before: page.before,
        offset: page.offset,
        limit: SEARCH_PAGE + 1,
    };
    let words: Vec<String> = {
        let mut seen = HashSet::new();
        page.query
            .terms
            .iter()
            .filter(|t| !t.negated)
            .flat_map(|t| t.words.iter().cloned())
            .filter(|w| seen.insert(w.clone()))
            .collect()
    };
    env.snapshot(|db| {
        let mut found = db.archive_search(&search)?;
        let has_more = found.len() as u64 > SEARCH_PAGE;
        found.truncate(SEARCH_PAGE as usize);
        let count_search = ArchiveSearch {
            before: None,
            offset: 0,
            ..search.clone()
        };
        let count = db.archive_search_count(&count_search, COUNT_CAP + 1)?;
        let mut hits = Vec::with_capacity(found.len());
        for summary in found {
            let Some(list) = names.get(&summary.list).cloned() else {
                continue;
            };
            let snippet = match db.archived_raw(summary.id)? {
                Some(raw) => {
                    let index = archive::parse(&raw).index;
                    let text = if index.body_new.trim().is_empty() {
                        index.body_quoted
                    } else {
                        index.body_new
                    };
                    archive::snippet::snippet(&text, &words, SNIPPET_CHARS)
                }
                None => Vec::new(),
            };
            hits.push(Hit {
                summary,
                list,
                snippet,
            });
        }
        let (next_before, next_offset) = match (has_more, page.order) {
            (false, _) => (None, None),
            (true, SearchOrder::Newest) => (hits.last().map(|h| h.summary.id), None),
            (true, SearchOrder::Relevance) => (None, Some(page.offset + SEARCH_PAGE)),
        };
        let newest = db
            .archive_latest(&ids, i64::MIN, 1)?
            .first()
            .map(|m| m.arrived_at);
        Ok(SearchResults {
            newest,
            hits,
            count: count.min(COUNT_CAP),
            more: count > COUNT_CAP,
            next_before,
            next_offset,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ListId;

    fn summary(id: i64, date: i64) -> ArchivedSummary {
        ArchivedSummary {
            id,
            list: ListId(1),
            month: Month::parse("2024-01").unwrap(),
            seq: id as u32,
            thread: 1,
            message_id: format!("m{id}@x"),
            permalink: String::new(),
            parent: None,
            from_addr: String::new(),
            from_name: String::new(),
            subject: String::new(),
            date,
            arrived_at: date,
            size: 0,
            attachments: 0,
            state: ArchivedState::Visible,
        }
    }

    fn node(
        id: &str,
        parent: Option<&str>,
        message: Option<(i64, i64)>,
    ) -> (String, Option<String>, Option<ArchivedSummary>) {
        (
            id.to_string(),
            parent.map(str::to_string),
            message.map(|(i, d)| summary(i, d)),
        )
    }

    fn shape(tree: &[TreeNode]) -> Vec<(usize, &str, bool)> {
        tree.iter()
            .map(|n| (n.depth, n.message_id.as_str(), n.message.is_some()))
            .collect()
    }

    #[test]
    fn replies_follow_their_parent_by_date_and_unseen_parents_are_placeholders() {
        let tree = build_tree(vec![
            node("late", Some("root"), Some((3, 300))),
            node("root", None, Some((1, 100))),
            node("early", Some("root"), Some((2, 200))),
            node("reply", Some("early"), Some((4, 400))),
            node("orphan", Some("unseen"), Some((5, 50))),
            node("unseen", None, None),
            node("lonely", None, None),
        ]);
        assert_eq!(
            shape(&tree),
            vec![
                (0, "unseen", false),
                (1, "orphan", true),
                (0, "root", true),
                (1, "early", true),
                (2, "reply", true),
                (1, "late", true),
            ]
        );
    }

    #[test]
    fn cycles_are_broken_and_every_message_shown_once() {
        let tree = build_tree(vec![
            node("a", Some("b"), Some((1, 100))),
            node("b", Some("a"), Some((2, 200))),
            node("c", Some("c"), Some((3, 300))),
        ]);
        let mut ids: Vec<_> = tree.iter().map(|n| n.message_id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn permalink_shapes_are_told_apart() {
        assert!(looks_like_permalink("AAAAAAAAAAAAAAAAAAAA-_"));
        assert!(!looks_like_permalink("AAAAAAAAAAAAAAAAAAAA-"));
        assert!(looks_like_hyperkitty("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
        assert!(!looks_like_hyperkitty("ABCDEFGHIJKLMNOPQRSTUVWXYZ234568"));
        assert!(!looks_like_hyperkitty("ABCDEFGHIJKLMNOPQRSTUVWXYZ23456"));
    }
}
