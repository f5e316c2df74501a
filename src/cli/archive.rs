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
    let mut lines = Vec::new();
    match month {
        None => {
            for (month, count) in db.archive_months(list.id)? {
                lines.push(format!("{month} {count}"));
            }
        }
        Some(text) => {
            let Some(month) = Month::parse(text) else {
                bail!("months are written YYYY-MM, not {text:?}");
            };
            for message in db.archive_month_page(list.id, month, 0, LS_LIMIT)? {
                lines.push(format!(
                    "{} {} {} {}",
                    message.month, message.seq, message.message_id, message.subject
                ));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for line in lines {
        match writeln!(out, "{line}") {
            Ok(()) => {}
            // A pager or `head` that stopped reading: not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The threads of the sample archives: a subject and what each message says (the first
/// starts the thread, each other answers the one before, quoting it).
const SAMPLE_THREADS: &[(&str, &[&str])] = &[
    (
        "Welcome to the list",
        &[
            "Hello everyone,\n\nThis list is where we talk about the project. Please introduce\nyourselves, and read the charter on the web site before posting.",
            "Thanks for setting this up!\n\nI have been using the project for a year, mostly for small sites.",
            "Same here. Is there a place where we can share configuration examples?",
        ],
    ),
    (
        "Upgrading from the previous release",
        &[
            "Hi,\n\nI upgraded last night and the service did not start again. The log says\nthe schema is older than expected. What did I miss?",
            "You need to run the migration once after the upgrade:\n\n    wwsympa db migrate\n\nThe packages do it for you; a build from source does not.",
            "That was it, it runs now. Thank you!",
            "I added a line about it to the upgrade notes.",
        ],
    ),
    (
        "Meeting notes",
        &[
            "Here are the notes of Tuesday's meeting:\n\n- the release is planned for the end of the month;\n- the documentation needs a review;\n- we look for volunteers to test on PostgreSQL.",
            "I can test on PostgreSQL 16.",
        ],
    ),
    (
        "Search is slow on big archives",
        &[
            "Searching a list with 200,000 messages takes a few seconds here.\nIs that expected?",
            "Which database do you use? Newest-first results should be fast on both.",
            "SQLite. After a reindex it is much faster, thanks.",
        ],
    ),
];

/// Plausible archived mail for a sample list: threads over the three months before `now`
/// with replies (References, In-Reply-To, quoted text), an HTML-only message, one with an
/// attachment and one with an encoded-word subject; as (date, bytes), oldest first.
pub fn sample_mail(
    list: &str,
    domain: &str,
    people: &[(&str, &str)],
    now: i64,
) -> Vec<(i64, Vec<u8>)> {
    const DAY: i64 = 86_400;
    let address = |i: usize| {
        let (local, name) = people[i % people.len()];
        (format!("{local}@{domain}"), name.to_string())
    };
    let mut mail = Vec::new();
    let mut n = 0;
    for (t, (subject, bodies)) in SAMPLE_THREADS.iter().enumerate() {
        let start = now - (85 - 24 * t as i64) * DAY;
        let mut ids: Vec<String> = Vec::new();
        for (r, body) in bodies.iter().enumerate() {
            n += 1;
            let date = start + r as i64 * (DAY / 3) + (t as i64 * 3_571) % 3_600;
            let (email, name) = address(t + r);
            let id = format!("sample.{list}.{n}@{domain}");
            let mut head = format!(
                "From: {name} <{email}>\nTo: {list}@{domain}\nSubject: {}{subject}\nDate: {}\nMessage-ID: <{id}>\n",
                if r == 0 { "" } else { "Re: " },
                wwsympa::domain::calendar::rfc5322_date(date)
            );
            let mut text = body.to_string();
            if let Some(parent) = ids.last() {
                head.push_str(&format!(
                    "In-Reply-To: <{parent}>\nReferences: {}\n",
                    ids.iter()
                        .map(|i| format!("<{i}>"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                let (_, parent_name) = address(t + r - 1);
                let quoted: Vec<String> = bodies[r - 1].lines().map(|l| format!("> {l}")).collect();
                text = format!("{parent_name} wrote:\n{}\n\n{body}", quoted.join("\n"));
            }
            text.push_str(&format!("\n\n-- \n{name}\n"));
            head.push_str("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
            mail.push((
                date,
                format!("{head}{text}").replace('\n', "\r\n").into_bytes(),
            ));
            ids.push(id);
        }
    }
    // An HTML-only message.
    let date = now - 40 * DAY;
    let (email, name) = address(1);
    mail.push((
        date,
        format!(
            "From: {name} <{email}>\nTo: {list}@{domain}\nSubject: Our new web site\nDate: {}\nMessage-ID: <sample.{list}.html@{domain}>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<html><body><h1>Our new web site</h1><p>It is <b>online</b>: have a look at <a href=\"https://www.example.org/\">www.example.org</a> and tell us what you think.</p></body></html>\n",
            wwsympa::domain::calendar::rfc5322_date(date)
        )
        .replace('\n', "\r\n")
        .into_bytes(),
    ));
    // A message with an attachment.
    let date = now - 20 * DAY;
    let (email, name) = address(2);
    mail.push((
        date,
        format!(
            "From: {name} <{email}>\nTo: {list}@{domain}\nSubject: Figures for the report\nDate: {}\nMessage-ID: <sample.{list}.attachment@{domain}>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"sample-boundary\"\n\n--sample-boundary\nContent-Type: text/plain; charset=utf-8\n\nThe figures are attached, one line a month.\n\n--sample-boundary\nContent-Type: text/csv; name=\"figures.csv\"\nContent-Disposition: attachment; filename=\"figures.csv\"\nContent-Transfer-Encoding: base64\n\nbW9udGgsbWVzc2FnZXMKMjAyNi0wOSwxMjAKMjAyNi0xMCwxNDUK\n--sample-boundary--\n",
            wwsympa::domain::calendar::rfc5322_date(date)
        )
        .replace('\n', "\r\n")
        .into_bytes(),
    ));
    // An encoded-word subject and sender name.
    let date = now - 10 * DAY;
    let (email, _) = address(3);
    mail.push((
        date,
        format!(
            "From: =?UTF-8?Q?Ren=C3=A9_Descartes?= <{email}>\nTo: {list}@{domain}\nSubject: =?UTF-8?Q?R=C3=A9union_de_rentr=C3=A9e?=\nDate: {}\nMessage-ID: <sample.{list}.encoded@{domain}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nLa r=E9union aura lieu mardi =E0 10 h.\n",
            wwsympa::domain::calendar::rfc5322_date(date)
        )
        .replace('\n', "\r\n")
        .into_bytes(),
    ));
    mail.sort_by_key(|(date, _)| *date);
    mail
}
