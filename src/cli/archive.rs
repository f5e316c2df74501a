//! `wwsympa archive …`: import an existing archive into a list's, rebuild the search index, list a month's messages.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use wwsympa::archive;
use wwsympa::config::Config;
use wwsympa::domain::Month;
use wwsympa::operations::archive::import::{self, Format, Report, DEFAULT_BATCH};

use super::Admin;

/// How many messages one reindexing transaction covers.
pub const REINDEX_BATCH: u64 = 500;

/// How many messages `archive ls` prints of one month at most.
pub const LS_LIMIT: u64 = 100_000;

/// `wwsympa archive …`.
#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Import an mbox file, a maildir or Sympa's archive directory of a list
    /// (`arc/LIST@DOMAIN/`) into a list's archive. Running it again adds nothing; after an
    /// interruption it goes on where it stopped. Exits 1 if any message was skipped.
    Import {
        /// The list.
        list: String,
        /// The mbox file, maildir or Sympa archive directory.
        path: PathBuf,
        /// What PATH is: auto, mbox, maildir or sympa.
        #[arg(long, default_value = "auto")]
        format: Format,
        /// How many messages each transaction stores.
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch: usize,
    },
    /// Rebuild the search index of every list's archive from the stored messages (after an
    /// upgrade that changes what is indexed).
    Reindex,
    /// List a list's archive: its months with their message counts, or one month's
    /// messages (`month seq message-id subject`).
    Ls {
        /// The list.
        list: String,
        /// A month, `YYYY-MM`.
        month: Option<String>,
    },
}

/// Runs `wwsympa archive …`.
pub fn run(config: &Config, command: ArchiveCommand) -> Result<()> {
    match command {
        ArchiveCommand::Import {
            list,
            path,
            format,
            batch,
        } => import(config, &list, &path, format, batch),
        ArchiveCommand::Reindex => reindex(config),
        ArchiveCommand::Ls { list, month } => ls(config, &list, month.as_deref()),
    }
}

/// `wwsympa archive import`.
fn import(config: &Config, name: &str, path: &Path, format: Format, batch: usize) -> Result<()> {
    let mut admin = Admin::open(config)?;
    let list = admin.list(name)?;
    let source =
        import::open(path, format).with_context(|| format!("cannot read {}", path.display()))?;
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut shown_skips = 0;
    let mut last_line = Instant::now();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let report = admin.run(|env, who| {
        import::import(
            env,
            who,
            &list,
            source,
            batch,
            now,
            &mut |report: &Report| {
                for skip in &report.skipped[shown_skips..] {
                    if terminal {
                        eprintln!();
                    }
                    eprintln!("skipped {}: {}", skip.origin, skip.reason);
                }
                shown_skips = report.skipped.len();
                let line = progress_line(report, started);
                if terminal {
                    eprint!("\r{line}");
                    let _ = std::io::stderr().flush();
                } else if last_line.elapsed().as_secs() >= 5 {
                    eprintln!("{line}");
                    last_line = Instant::now();
                }
            },
        )
    })?;
    if terminal {
        eprintln!();
    }
    eprintln!("{}", progress_line(&report, started));
    println!(
        "{} stored, {} already there, {} skipped",
        report.stored,
        report.duplicates,
        report.skipped.len()
    );
    if !report.skipped.is_empty() {
        bail!(
            "{} message(s) skipped (listed above); the others are in {}'s archive",
            report.skipped.len(),
            name
        );
    }
    Ok(())
}

/// A progress line: counts and speed.
fn progress_line(report: &Report, started: Instant) -> String {
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    format!(
        "{} read: {} stored, {} already there, {} skipped ({:.0} messages/s)",
        report.read,
        report.stored,
        report.duplicates,
        report.skipped.len(),
        report.read as f64 / seconds
    )
}

/// `wwsympa archive reindex`: empties the index, then adds every message back, a batch per
/// transaction.
fn reindex(config: &Config) -> Result<()> {
    let mut admin = Admin::open(config)?;
    let started = Instant::now();
    let (messages, batches) = admin.run(|env, who| {
        env.transaction(who, |tx| {
            tx.db.archive_index_clear()?;
            tx.audit("archive_reindex", None, None, serde_json::json!({}))?;
            Ok(())
        })?;
        let (mut after, mut messages, mut batches) = (0i64, 0u64, 0u64);
        loop {
            let done = env.transaction(who, |tx| {
                let rows = tx.db.archived_after(after, REINDEX_BATCH)?;
                for (summary, raw) in &rows {
                    after = after.max(summary.id);
                    if summary.state != wwsympa::domain::ArchivedState::Visible {
                        continue;
                    }
                    if let Some(raw) = raw {
                        let parsed = archive::parse(raw);
                        tx.db.archive_index_add(
                            summary.id,
                            &parsed.index,
                            archive::EXTRACT_VERSION,
                        )?;
                        messages += 1;
                    }
                }
                Ok(rows.is_empty())
            })?;
            if done {
                break;
            }
            batches += 1;
            eprintln!("{messages} messages indexed");
        }
        Ok((messages, batches))
    })?;
    eprintln!(
        "reindexed {messages} messages in {batches} batch(es), {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `wwsympa archive ls`.
fn ls(config: &Config, name: &str, month: Option<&str>) -> Result<()> {
    let mut admin = Admin::open(config)?;
    let list = admin.list(name)?;
    let db = admin.store.db();
    match month {
        None => {
            for (month, count) in db.archive_months(list.id)? {
                println!("{month} {count}");
            }
        }
        Some(text) => {
            let Some(month) = Month::parse(text) else {
                bail!("months are written YYYY-MM, not {text:?}");
            };
            for message in db.archive_month_page(list.id, month, 0, LS_LIMIT)? {
                println!(
                    "{} {} {} {}",
                    message.month, message.seq, message.message_id, message.subject
                );
            }
        }
    }
    Ok(())
}
