//! Importing an existing archive into a list's: an mbox file, a maildir or Sympa's archive directory, read in order and stored in batches, idempotent and resumable.
//!
//! Each batch is one transaction with one audit row. The store keeps one copy of the same
//! bytes in a list's archive, so a second run stores nothing and a run after a kill goes on
//! where the last committed batch ended (the messages before are skipped quickly as
//! duplicates). A message over [`MAX_IMPORT_BYTES`], an unreadable file or a read error is
//! reported and skipped; the import goes on.
//!
//! The arrival time of an imported message is its Date header (for an mbox file, its
//! `From ` line's date when it has none), sanitized with [`super::sane_date`] against the
//! time of the import; its month is the Sympa directory's, else that date's.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{sane_date, store_message, Incoming};
use crate::archive::{self, ids, mbox};
use crate::domain::{ActionKind, List, Month};
use crate::operations::{Env, Error, Requester};
use crate::store::Archived;

/// How many messages one transaction stores by default.
pub const DEFAULT_BATCH: usize = 500;

/// The largest message imported, in bytes; larger ones are reported and skipped.
pub const MAX_IMPORT_BYTES: usize = archive::MAX_MESSAGE_BYTES;

/// How many bytes of an MHonArc `msgNNNNN.html` page are searched for its Message-ID
/// comment (MHonArc writes it near the top).
pub const MHONARC_HEAD_BYTES: u64 = 16 * 1024;

/// What an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Decide from what the path is (see [`detect`]).
    Auto,
    /// One mbox file.
    Mbox,
    /// A maildir (`cur/` and `new/`).
    Maildir,
    /// Sympa's archive directory of a list (`arc/LIST@DOMAIN/` with `YYYY-MM/arctxt/N`).
    Sympa,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "auto" => Ok(Format::Auto),
            "mbox" => Ok(Format::Mbox),
            "maildir" => Ok(Format::Maildir),
            "sympa" => Ok(Format::Sympa),
            _ => Err(format!(
                "unknown format `{text}`: use auto, mbox, maildir or sympa"
            )),
        }
    }
}

/// The format of `path`: a file is an mbox; a directory with `cur/` or `new/` a maildir;
/// a directory with `YYYY-MM/arctxt/` subdirectories Sympa's archive.
pub fn detect(path: &Path) -> io::Result<Format> {
    let meta = fs::metadata(path)?;
    if meta.is_file() {
        return Ok(Format::Mbox);
    }
    if path.join("cur").is_dir() || path.join("new").is_dir() {
        return Ok(Format::Maildir);
    }
    if !sympa_months(path)?.is_empty() {
        return Ok(Format::Sympa);
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is neither an mbox file, a maildir (cur/, new/) nor Sympa's archive \
             directory (YYYY-MM/arctxt/)",
            path.display()
        ),
    ))
}

/// A message read from the source, with what the source says of it.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its bytes.
    pub raw: Vec<u8>,
    /// A date to use when it has no Date header (an mbox `From ` line's).
    pub fallback_date: Option<i64>,
    /// The month the source kept it under (Sympa's directories).
    pub month: Option<Month>,
    /// Its MHonArc number in that month (Sympa's archives).
    pub legacy_seq: Option<u32>,
    /// Where it came from, for reports: a file, or a file and a byte offset.
    pub origin: String,
}

/// A message that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Where it came from.
    pub origin: String,
    /// Why it was skipped.
    pub reason: String,
}

/// The messages of a source, in order.
pub type Source = Box<dyn Iterator<Item = Result<Item, Skip>>>;

/// Opens the source at `path` in `format` (detected when [`Format::Auto`]).
pub fn open(path: &Path, format: Format) -> io::Result<Source> {
    let format = match format {
        Format::Auto => detect(path)?,
        other => other,
    };
    match format {
        Format::Mbox | Format::Auto => open_mbox(path),
        Format::Maildir => open_maildir(path),
        Format::Sympa => open_sympa(path),
    }
}

/// The messages of an mbox file.
fn open_mbox(path: &Path) -> io::Result<Source> {
    let file = File::open(path)?;
    let mut reader = mbox::Reader::new(BufReader::with_capacity(1 << 20, file));
    let name = path.display().to_string();
    let mut failed = false;
    Ok(Box::new(std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let origin = |offset: u64| format!("{name} at byte {offset}");
        match reader.next()? {
            Ok((offset, raw)) => {
                if raw.len() > MAX_IMPORT_BYTES {
                    return Some(Err(too_large(origin(offset), raw.len() as u64)));
                }
                Some(Ok(Item {
                    raw,
                    fallback_date: mbox::from_line_date(reader.from_line()),
                    month: None,
                    legacy_seq: None,
                    origin: origin(offset),
                }))
            }
            Err(error) => {
                failed = true;
                Some(Err(Skip {
                    origin: name.clone(),
                    reason: format!("read error, the rest of the file is skipped: {error}"),
                }))
            }
        }
    })))
}

/// The skip of a message of `size` bytes.
fn too_large(origin: String, size: u64) -> Skip {
    Skip {
        origin,
        reason: format!(
            "{size} bytes, over the limit of {} MiB",
            MAX_IMPORT_BYTES >> 20
        ),
    }
}

/// Reads a whole message file, unless too large.
fn read_file(path: &Path) -> Result<Vec<u8>, Skip> {
    let origin = || path.display().to_string();
    let skip = |error: io::Error| Skip {
        origin: origin(),
        reason: format!("unreadable: {error}"),
    };
    let file = File::open(path).map_err(skip)?;
    let size = file.metadata().map_err(skip)?.len();
    if size > MAX_IMPORT_BYTES as u64 {
        return Err(too_large(origin(), size));
    }
    let mut raw = Vec::with_capacity(size as usize);
    file.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(skip)?;
    if raw.len() > MAX_IMPORT_BYTES {
        return Err(too_large(origin(), raw.len() as u64));
    }
    Ok(raw)
}

/// The files of `dir` (not starting with `.`), sorted by name; none when it is missing.
fn files_in(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            continue;
        }
        files.push(entry.path());
    }
    files.sort();
    Ok(files)
}

/// The messages of a maildir: `cur/` then `new/`, each in file-name order.
fn open_maildir(path: &Path) -> io::Result<Source> {
    let mut files = files_in(&path.join("cur"))?;
    files.extend(files_in(&path.join("new"))?);
    Ok(Box::new(files.into_iter().map(|file| {
        read_file(&file).map(|raw| Item {
            raw,
            fallback_date: None,
            month: None,
            legacy_seq: None,
            origin: file.display().to_string(),
        })
    })))
}

/// The `YYYY-MM` directories of a Sympa archive with an `arctxt/` inside, in order.
fn sympa_months(path: &Path) -> io::Result<Vec<(Month, PathBuf)>> {
    let mut months = Vec::new();
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name();
        if let Some(month) = Month::parse(&name.to_string_lossy()) {
            if entry.path().join("arctxt").is_dir() {
                months.push((month, entry.path()));
            }
        }
    }
    months.sort();
    Ok(months)
}

/// The messages of Sympa's archive directory of a list: months in order, `arctxt/N` by N,
/// each with its month and its MHonArc number.
fn open_sympa(path: &Path) -> io::Result<Source> {
    let months = sympa_months(path)?;
    Ok(Box::new(months.into_iter().flat_map(|(month, dir)| {
        let numbers = match mhonarc_numbers(&dir) {
            Ok(numbers) => numbers,
            Err(error) => {
                return Box::new(std::iter::once(Err(Skip {
                    origin: dir.display().to_string(),
                    reason: format!("unreadable: {error}"),
                }))) as Source;
            }
        };
        let mut files: Vec<(u32, PathBuf)> = match files_in(&dir.join("arctxt")) {
            Ok(files) => files
                .into_iter()
                .filter_map(|file| {
                    let n = file.file_name()?.to_str()?.parse::<u32>().ok()?;
                    Some((n, file))
                })
                .collect(),
            Err(error) => {
                return Box::new(std::iter::once(Err(Skip {
                    origin: dir.join("arctxt").display().to_string(),
                    reason: format!("unreadable: {error}"),
                })));
            }
        };
        files.sort();
        // Read lazily: a month may be large.
        let items: Source = Box::new(files.into_iter().map(move |(n, file)| {
            read_file(&file).map(|raw| {
                let seq = archive::parse::head(&raw)
                    .message_id
                    .and_then(|id| numbers.get(&id).copied())
                    .unwrap_or(n.saturating_sub(1));
                Item {
                    raw,
                    fallback_date: None,
                    month: Some(month),
                    legacy_seq: Some(seq),
                    origin: file.display().to_string(),
                }
            })
        }));
        items
    })))
}

/// MHonArc's numbers of a month directory: the Message-ID of each `msgNNNNN.html` page
/// (from its `<!--X-Message-Id: … -->` comment, HTML-escaped there) to NNNNN.
fn mhonarc_numbers(dir: &Path) -> io::Result<HashMap<String, u32>> {
    let mut numbers = HashMap::new();
    for file in files_in(dir)? {
        let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(number) = name
            .strip_prefix("msg")
            .and_then(|n| n.strip_suffix(".html"))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let mut head = Vec::new();
        File::open(&file)?
            .take(MHONARC_HEAD_BYTES)
            .read_to_end(&mut head)?;
        if let Some(id) = mhonarc_message_id(&String::from_utf8_lossy(&head)) {
            numbers.entry(id).or_insert(number);
        }
    }
    Ok(numbers)
}

/// The Message-ID in MHonArc's `<!--X-Message-Id: … -->` comment, unescaped and normalized.
fn mhonarc_message_id(page: &str) -> Option<String> {
    const MARK: &str = "<!--X-Message-Id:";
    let start = page.find(MARK)? + MARK.len();
    let rest = &page[start..];
    let value = &rest[..rest.find("-->")?];
    ids::normalize(&unescape_html(value.trim()))
}

/// `text` with HTML's character references decoded (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&#NN;`, `&#xNN;`); unknown ones are left as they are.
fn unescape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// How an import went (so far).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Messages read from the source (stored, already there or skipped).
    pub read: u64,
    /// Messages stored.
    pub stored: u64,
    /// Messages already in the list's archive.
    pub duplicates: u64,
    /// Messages not imported, and why.
    pub skipped: Vec<Skip>,
}

/// Imports `source` into `list`'s archive in transactions of `batch` messages (at least
/// one), dating them against `now`; `progress` hears after each batch (and of each skip).
/// Owners and listmasters only.
pub fn import(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    source: impl Iterator<Item = Result<Item, Skip>>,
    batch: usize,
    now: i64,
    progress: &mut dyn FnMut(&Report),
) -> Result<Report, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    let batch = batch.max(1);
    let mut report = Report::default();
    let mut pending: Vec<Item> = Vec::with_capacity(batch);
    let mut source = source.peekable();
    // Batches stored so far: the planner's statistics are refreshed after 1, 2, 4, 8, … of them.
    let mut batches: u64 = 0;
    while source.peek().is_some() {
        pending.clear();
        while pending.len() < batch {
            match source.next() {
                Some(Ok(item)) => pending.push(item),
                Some(Err(skip)) => {
                    report.read += 1;
                    report.skipped.push(skip);
                    progress(&report);
                }
                None => break,
            }
        }
        if pending.is_empty() {
            continue;
        }
        let (stored, duplicates) = store_batch(env, requester, list, &pending, now)?;
        report.read += pending.len() as u64;
        report.stored += stored;
        report.duplicates += duplicates;
        batches += 1;
        if stored > 0 && batches.is_power_of_two() {
            env.db().archive_statistics()?;
        }
        progress(&report);
    }
    Ok(report)
}

/// Stores one batch in one transaction with its audit row; returns (stored, duplicates).
fn store_batch(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    items: &[Item],
    now: i64,
) -> Result<(u64, u64), Error> {
    env.transaction(requester, |tx| {
        let (mut stored, mut duplicates) = (0u64, 0u64);
        for item in items {
            let header_date = archive::parse::head(&item.raw).date;
            let arrived_at = sane_date(header_date.or(item.fallback_date), now);
            let month = item
                .month
                .unwrap_or_else(|| Month::of_timestamp(arrived_at));
            let incoming = Incoming {
                raw: &item.raw,
                arrived_at,
                month: Some(month),
                legacy_seq: item.legacy_seq,
            };
            match store_message(tx.db, list, &incoming)? {
                Archived::Stored(_) => stored += 1,
                Archived::Duplicate(_) => duplicates += 1,
            }
        }
        tx.audit(
            "archive_import",
            Some(list),
            None,
            json!({
                "messages": items.len(),
                "stored": stored,
                "duplicates": duplicates,
                "first": items.first().map(|i| i.origin.as_str()),
            }),
        )?;
        Ok((stored, duplicates))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mhonarc_comments_give_unescaped_ids() {
        let page = "<!-- MHonArc v2.6.19 -->\n<!--X-Subject: hi -->\n<!--X-Message-Id: 20240101.a&amp;b&#45;c&#x41;@example.org -->\n<!--X-Content-Type: text/plain -->";
        assert_eq!(
            mhonarc_message_id(page).as_deref(),
            Some("20240101.a&b-cA@example.org")
        );
        assert_eq!(mhonarc_message_id("<html>no comment</html>"), None);
        assert_eq!(unescape_html("a &unknown; & b &lt;"), "a &unknown; & b <");
    }

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("sympa".parse::<Format>(), Ok(Format::Sympa));
        assert!("tar".parse::<Format>().is_err());
    }
}
