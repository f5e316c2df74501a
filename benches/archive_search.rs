//! Benchmark (not a test): search latency over a list's archive, p50 and p99 per kind of query, through the same store queries the pages use.
//!
//! `cargo run --release --example archive_search -- CONFIG LIST [ROUNDS]`
//!
//! The words come from `archive_gen`'s vocabulary by Zipf rank: common (ranks 1-30, in most
//! messages), mid (1,000-3,000, about 1%), rare (20,000-40,000); then prefixes of mid words
//! (`abc*`), two-word phrases of common words, and subject-only searches (`s:word`). Each query
//! asks for the newest 20, as the result page does, plus, for mid words, the best 20 by
//! relevance. Prints one line per kind: queries run, p50 and p99 in milliseconds, and the
//! median number of matches (from the count query the page also makes, capped as the page caps it, at 1,000).

#[path = "words.rs"]
mod words;

use std::time::Instant;
use words::word_of_rank;

use wwsympa::archive::query;
use wwsympa::config::Config;
use wwsympa::domain::{ListName, SearchOrder};
use wwsympa::operations::archive::read::COUNT_CAP;
use wwsympa::store::{ArchiveSearch, Store, Target};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: archive_search CONFIG LIST [ROUNDS]");
        std::process::exit(2);
    }
    let config = Config::load(Some(std::path::Path::new(&args[0])))?;
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    let store = Store::connect(&Target::from_config(&config)?)?;
    let db = store.db();
    let name = ListName::parse(&args[1]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let list = db
        .list_by_name(&config.domain, &name)?
        .ok_or_else(|| anyhow::anyhow!("no list {name}"))?;
    let lists = [list.id];

    let spread = |from: usize, to: usize, n: usize| -> Vec<String> {
        (0..n)
            .map(|i| word_of_rank(from + i * (to - from) / n))
            .collect()
    };
    let kinds: Vec<(&str, Vec<String>, SearchOrder)> = vec![
        ("common word", spread(1, 30, 30), SearchOrder::Newest),
        ("mid word", spread(1_000, 3_000, 30), SearchOrder::Newest),
        ("rare word", spread(20_000, 40_000, 30), SearchOrder::Newest),
        (
            "prefix of a mid word",
            spread(1_000, 3_000, 30)
                .into_iter()
                .map(|w| format!("{}*", &w[..w.len().min(4)]))
                .collect(),
            SearchOrder::Newest,
        ),
        (
            "phrase of two common words",
            (0..30)
                .map(|i| format!("\"{} {}\"", word_of_rank(i % 10), word_of_rank(i / 10 + 1)))
                .collect(),
            SearchOrder::Newest,
        ),
        (
            "subject: mid word",
            spread(1_000, 3_000, 30)
                .into_iter()
                .map(|w| format!("s:{w}"))
                .collect(),
            SearchOrder::Newest,
        ),
        (
            "mid word, by relevance",
            spread(1_000, 3_000, 30),
            SearchOrder::Relevance,
        ),
    ];
    println!(
        "{:<30} {:>7} {:>9} {:>9} {:>9} {:>12}",
        "query", "runs", "p50 ms", "p99 ms", "max ms", "matches p50"
    );
    for (kind, texts, order) in kinds {
        let mut times = Vec::new();
        let mut counts = Vec::new();
        for _ in 0..rounds {
            for text in &texts {
                let parsed = query::parse(text).map_err(|e| anyhow::anyhow!("{text}: {e}"))?;
                let search = ArchiveSearch {
                    lists: &lists,
                    query: &parsed,
                    order,
                    before: None,
                    offset: 0,
                    limit: 20,
                };
                let start = Instant::now();
                let count = db.archive_search_count(&search, COUNT_CAP)?;
                let hits = db.archive_search(&search)?;
                times.push(start.elapsed().as_secs_f64() * 1_000.0);
                counts.push(count);
                std::hint::black_box(hits);
            }
        }
        times.sort_by(f64::total_cmp);
        counts.sort_unstable();
        println!(
            "{:<30} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>12}",
            kind,
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
            counts[counts.len() / 2]
        );
    }
    Ok(())
}
