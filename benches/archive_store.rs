//! Benchmark (not a test): the archive store alone, without the mail parser: insert rate, database size per message and index size against the raw bytes, search latency.
//!
//! `cargo run --release --example archive_store -- sqlite PATH.db [COUNT]`
//! `cargo run --release --example archive_store -- postgres 'host=… user=… password=… dbname=…' [COUNT]`
//!
//! Makes COUNT (default 100,000) synthetic messages of about 3 KB (a Zipf-like vocabulary
//! of 50,000 pseudo-words, 60% replies to a recent message, some quoted lines), stores them
//! through `Db::archive_message` in transactions of 500, then prints the rate, the sizes
//! (SQLite: `dbstat` sums per table; PostgreSQL: `pg_total_relation_size`) and the p50/p99
//! of newest-first searches (the first 20 and the count capped at 50,000, as the result
//! page asks) for common and rare words. The database must be new (an empty file or
//! database); with COUNT 0, the searches run on the archive a previous run left.

#[path = "words.rs"]
mod words;

use std::time::Instant;
use words::word_of_rank;

use wwsympa::domain::{
    ArchivedState, IndexText, ListName, Month, SearchCombine, SearchField, SearchOrder,
    SearchQuery, SearchTerm, Visibility,
};
use wwsympa::store::{ArchiveSearch, NewArchived, NewList, Store, Target};

/// Messages per transaction.
const BATCH: usize = 500;
/// Words in the vocabulary.
const VOCABULARY: usize = 50_000;
/// The count cap of the result page.
const COUNT_CAP: u64 = 50_000;

/// A small xorshift generator: the same messages for the same seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// A rank from 0, log-uniform (about Zipf with exponent 1).
    fn rank(&mut self) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((VOCABULARY as f64).powf(u) as usize).saturating_sub(1)
    }
}

fn words(random: &mut Random, n: usize) -> String {
    (0..n)
        .map(|_| word_of_rank(random.rank()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (kind, place) = (args[1].as_str(), args[2].as_str());
    let count: usize = args.get(3).map_or(100_000, |n| n.parse().unwrap());
    let target = match kind {
        "sqlite" => Target::sqlite(std::path::Path::new(place)),
        _ => Target::parse(place).unwrap(),
    };
    let mut store = Store::connect(&target).unwrap();
    store.migrate().unwrap();
    store.ensure_domain("a.org").unwrap();
    if count == 0 {
        let list = store
            .db()
            .list_by_name("a.org", &ListName::parse("bench").unwrap())
            .unwrap()
            .expect("no archive of a previous run")
            .id;
        searches(&store, list, &mut Random(0x9e37_79b9_7f4a_7c15));
        return;
    }
    let list = store
        .db()
        .create_list(
            "a.org",
            &NewList {
                name: ListName::parse("bench").unwrap(),
                subject: String::new(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .unwrap();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let start_date = 1_600_000_000i64;
    let mut recent: Vec<(String, Vec<String>)> = Vec::new();
    let mut raw_bytes = 0usize;
    let started = Instant::now();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut messages = Vec::with_capacity(n);
        for i in done..done + n {
            let id = format!("m{i}@bench.example.org");
            let refs = if !recent.is_empty() && random.below(10) < 6 {
                let (parent, parent_refs) = &recent[random.below(recent.len())];
                let mut refs = parent_refs.clone();
                refs.push(parent.clone());
                if refs.len() > 10 {
                    refs.remove(0);
                }
                refs
            } else {
                Vec::new()
            };
            let subject = words(&mut random, 6);
            let sender = format!(
                "{} <{}@example.org>",
                word_of_rank(random.below(3000)),
                word_of_rank(random.below(3000))
            );
            let body_new = words(&mut random, 420);
            let body_quoted = words(&mut random, 80);
            let date = start_date + i as i64 * 300;
            let raw = format!(
                "Return-Path: <bench@example.org>\r\nReceived: from mx.example.org by lists.example.org with ESMTP id {i}\r\nMessage-ID: <{id}>\r\nFrom: {sender}\r\nTo: bench@lists.example.org\r\nSubject: {subject}\r\nDate: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body_new}\r\n> {body_quoted}\r\n"
            );
            raw_bytes += raw.len();
            let index = IndexText {
                subject: subject.clone(),
                sender,
                body_new,
                body_quoted,
                attachment_names: String::new(),
            };
            recent.push((id.clone(), refs.clone()));
            if recent.len() > 1000 {
                recent.remove(0);
            }
            messages.push((id, refs, subject, date, raw, index));
        }
        store
            .transaction(|db| {
                for (id, refs, subject, date, raw, index) in &messages {
                    db.archive_message(&NewArchived {
                        list,
                        raw: raw.as_bytes(),
                        message_id: id,
                        permalink: id,
                        hyperkitty: id,
                        references: refs,
                        from_addr: "a@example.org",
                        from_name: "A",
                        subject,
                        date: *date,
                        arrived_at: *date,
                        month: Month::of_timestamp(*date),
                        legacy_seq: None,
                        attachments: 0,
                        index,
                        extract_version: 1,
                        state: ArchivedState::Visible,
                    })?;
                }
                Ok::<_, wwsympa::store::Error>(())
            })
            .unwrap();
        done += n;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "inserted {count} messages ({:.0} bytes each) in {seconds:.1} s: {:.0} msg/s",
        raw_bytes as f64 / count as f64,
        count as f64 / seconds
    );
    sizes(kind, place, raw_bytes, count);
    searches(&store, list, &mut random);
}

/// Prints the latencies of searches for common, mid and rare words, and of the months.
fn searches(store: &Store, list: wwsympa::domain::ListId, random: &mut Random) {
    for (name, ranks) in [
        ("common", 0..30),
        ("mid", 1000..3000),
        ("rare", 20_000..40_000),
    ] {
        let mut search_ms = Vec::new();
        let mut count_ms = Vec::new();
        let mut matches = Vec::new();
        for _ in 0..200 {
            let rank = ranks.start + random.below(ranks.end - ranks.start);
            let query = SearchQuery {
                terms: vec![SearchTerm {
                    field: SearchField::Any,
                    words: vec![word_of_rank(rank)],
                    phrase: false,
                    prefix: false,
                    negated: false,
                }],
                combine: SearchCombine::All,
                since: None,
                until: None,
            };
            let lists = [list];
            let search = ArchiveSearch {
                lists: &lists,
                query: &query,
                order: SearchOrder::Newest,
                before: None,
                offset: 0,
                limit: 20,
            };
            let at = Instant::now();
            store.db().archive_search(&search).unwrap();
            search_ms.push(at.elapsed().as_secs_f64() * 1000.0);
            let at = Instant::now();
            matches.push(store.db().archive_search_count(&search, COUNT_CAP).unwrap());
            count_ms.push(at.elapsed().as_secs_f64() * 1000.0);
        }
        search_ms.sort_by(f64::total_cmp);
        count_ms.sort_by(f64::total_cmp);
        matches.sort_unstable();
        println!(
            "{name:>6} words: newest 20 p50 {:.2} ms p99 {:.2} ms; count p50 {:.2} ms p99 {:.2} ms; median matches {}",
            percentile(&search_ms, 0.5),
            percentile(&search_ms, 0.99),
            percentile(&count_ms, 0.5),
            percentile(&count_ms, 0.99),
            matches[matches.len() / 2]
        );
    }
    let at = Instant::now();
    let months = store.db().archive_months(list).unwrap();
    println!(
        "months: {} in {:.2} ms",
        months.len(),
        at.elapsed().as_secs_f64() * 1000.0
    );
}

/// Prints the sizes of the archive's tables and index.
fn sizes(kind: &str, place: &str, raw_bytes: usize, count: usize) {
    let tables: Vec<(String, i64)> = if kind == "sqlite" {
        let conn = rusqlite::Connection::open(place).unwrap();
        let mut statement = conn
            .prepare(
                "SELECT CASE WHEN name LIKE 'archive_index%' THEN 'archive_index (FTS5)'
                             WHEN name LIKE 'archive_%' OR name LIKE 'sqlite_autoindex_archive%'
                             THEN name ELSE 'other' END, SUM(pgsize)
                 FROM dbstat GROUP BY 1 ORDER BY 1",
            )
            .unwrap();
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    } else {
        let mut client = postgres::Client::connect(place, postgres::NoTls).unwrap();
        client
            .query(
                "SELECT relname::text, pg_total_relation_size(oid) FROM pg_class
                 WHERE relkind = 'r' AND relname LIKE 'archive_%' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    };
    let total: i64 = tables.iter().map(|t| t.1).sum();
    for (name, bytes) in &tables {
        println!("  {name:<40} {:>8.1} MB", *bytes as f64 / 1e6);
    }
    let index: i64 = tables
        .iter()
        .filter(|t| t.0.contains("index") || t.0 == "archive_search")
        .map(|t| t.1)
        .sum();
    println!(
        "database {:.1} MB: {:.0} bytes per message; raw {:.1} MB; index {:.1} MB = {:.2} x raw",
        total as f64 / 1e6,
        total as f64 / count as f64,
        raw_bytes as f64 / 1e6,
        index as f64 / 1e6,
        index as f64 / raw_bytes as f64
    );
}
