//! `wwsympa db copy`: a whole site from SQLite to PostgreSQL and back, row for row; an interrupted copy resumes; the copy is a working site.

use std::path::Path;
use std::process::{Command, Output};

use wwsympa::store::{Store, Target};

use crate::support::postgres::PgServer;
use crate::support::{binary, TempDir};

/// Copies `source` into `into`, the counts agreeing; returns the progress of `members`.
fn members_progress(source: &Store, into: &mut Store) -> Vec<u64> {
    let mut members = Vec::new();
    let report = source
        .copy_to(into, &mut |table: &str, done: u64, _: u64| {
            if table == "members" {
                members.push(done)
            }
        })
        .unwrap();
    assert!(report.counts_agree(), "{report:?}");
    members
}

fn wwsympa(config: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every row of every table of an SQLite file, as text, sorted; `member_count`
/// and `site_version` (remade by triggers) and the schema's own tables left out.
fn dump(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for table in [
        "domains",
        "lists",
        "users",
        "members",
        "list_admins",
        "sessions",
        "tickets",
        "pending_requests",
        "outbox",
        "audit_log",
        "rate_limits",
        "site_secrets",
        "archive_threads",
        "archive_msgids",
        "archive_messages",
        "archive_raw",
        "archive_months",
    ] {
        let mut statement = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let names: Vec<String> = statement
            .column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut line = format!("{table}:");
            for (i, name) in names.iter().enumerate() {
                if name == "member_count" {
                    continue;
                }
                line.push_str(&format!(" {name}={:?}", row.get_ref(i).unwrap()));
            }
            out.push(line);
        }
    }
    out.sort();
    out
}

#[test]
fn a_site_goes_to_postgresql_and_back_row_for_row_and_an_interrupted_copy_resumes() {
    let dir = TempDir::new("copy");
    let Some(pg) = PgServer::start(dir.path(), &[]) else {
        return;
    };
    pg.create_database("copied");
    let source = dir.path().join("source.toml");
    std::fs::write(
        &source,
        format!(
            "domain = 'lists.example.org'\nlistmaster = 'lm@example.org'\ndb_name = '{}'\nsmtp_port = 1\n",
            dir.path().join("source.db").display()
        ),
    )
    .unwrap();
    ok(wwsympa(&source, &["db", "migrate"]));
    ok(wwsympa(&source, &["db", "sample"]));
    ok(wwsympa(
        &source,
        &["list", "create", "big", "--subject", "Big"],
    ));
    let addresses: Vec<String> = (0..4500).map(|i| format!("m{i:04}@example.org")).collect();
    std::fs::write(dir.path().join("big.txt"), addresses.join("\n")).unwrap();
    ok(wwsympa(
        &source,
        &[
            "member",
            "import",
            "big",
            dir.path().join("big.txt").to_str().unwrap(),
        ],
    ));

    // An archive: a thread, a reply that came before its parent, 8-bit bytes.
    let mbox = dir.path().join("big.mbox");
    let mut messages = Vec::new();
    for (i, (id, refs)) in [("a", ""), ("c", "<a@x> <b@x>"), ("b", "<a@x>"), ("d", "")]
        .iter()
        .enumerate()
    {
        messages.extend_from_slice(
            format!(
                "From x@example.org Mon Jan  1 00:00:0{i} 2024\nMessage-ID: <{id}@x>\nReferences: {refs}\nFrom: Ann <x@example.org>\nSubject: Topic {id}\nDate: Mon, 1 Jan 2024 00:00:0{i} +0000\nContent-Type: text/plain; charset=latin1\n\nsome text about {id}\n"
            )
            .as_bytes(),
        );
        messages.extend_from_slice(b"\xe9t\xe9\n\n");
    }
    std::fs::write(&mbox, &messages).unwrap();
    ok(wwsympa(
        &source,
        &["archive", "import", "big", mbox.to_str().unwrap()],
    ));
    let archived = ok(wwsympa(&source, &["archive", "ls", "big", "2024-01"]));
    assert_eq!(archived.lines().count(), 4, "{archived}");

    let url = pg.conninfo("127.0.0.1", "copied");
    let report = ok(wwsympa(&source, &["db", "copy", "--to", &url]));
    // One line per table of `store::copy::TABLES`.
    assert_eq!(report.lines().count(), 31, "{report}");
    assert!(report.contains("archive_messages"), "{report}");
    assert!(report.lines().all(|l| l.ends_with(" ok")), "{report}");
    assert!(report.contains("members"), "{report}");

    // A copy stopped after some batches (they are committed in id order): it resumes.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let removed = client
        .execute("DELETE FROM members WHERE id > 2100", &[])
        .unwrap();
    assert!(removed > 2000);
    client.batch_execute("DELETE FROM audit_log").unwrap();
    let report = ok(wwsympa(&source, &["db", "copy", "--to", &url]));
    assert!(report.lines().all(|l| l.ends_with(" ok")), "{report}");
    let kept: i64 = client
        .query_one("SELECT member_count FROM lists WHERE name = 'big'", &[])
        .unwrap()
        .get(0);
    assert_eq!(kept, 4500, "the kept count follows the copied rows");

    // Again in-process, for the progress: the copy resumes after the last id copied into
    // PostgreSQL, every batch moving it on.
    client
        .execute("DELETE FROM members WHERE id > 2100", &[])
        .unwrap();
    let kept: i64 = client
        .query_one("SELECT COUNT(*) FROM members", &[])
        .unwrap()
        .get(0);
    let source_store = Store::connect(&Target::sqlite(&dir.path().join("source.db"))).unwrap();
    let mut into = Store::connect(&Target::parse(&url).unwrap()).unwrap();
    let members = members_progress(&source_store, &mut into);
    assert_eq!(members.first(), Some(&(kept as u64)), "{members:?}");
    let batches = &members[..members.len() - 1];
    assert!(batches.windows(2).all(|w| w[0] < w[1]), "{members:?}");

    // The copy is a working site, whose new rows take new ids.
    let copy = dir.path().join("copy.toml");
    std::fs::write(
        &copy,
        format!(
            "domain = 'lists.example.org'\nsmtp_port = 1\n{}",
            pg.config_lines("127.0.0.1", "copied")
        ),
    )
    .unwrap();
    let listed = ok(wwsympa(&copy, &["member", "ls", "big"]));
    assert_eq!(listed.lines().count(), 4500);
    // The archive reads the same on the copy, and its index is made again there.
    assert_eq!(
        ok(wwsympa(&copy, &["archive", "ls", "big", "2024-01"])),
        archived
    );
    ok(wwsympa(&copy, &["archive", "reindex"]));
    let indexed: i64 = client
        .query_one("SELECT COUNT(*) FROM archive_search", &[])
        .unwrap()
        .get(0);
    assert!(indexed >= 4, "{indexed}");
    ok(wwsympa(&copy, &["member", "add", "big", "new@example.org"]));
    ok(wwsympa(
        &copy,
        &["list", "create", "later", "--subject", "Later"],
    ));
    ok(wwsympa(&copy, &["member", "del", "big", "new@example.org"]));
    ok(wwsympa(&copy, &["list", "close", "later"]));

    // And back into a new SQLite file: the same rows as the source, but for what the copy
    // itself did (its five audit lines, the list it made and closed).
    client
        .batch_execute(
            "DELETE FROM audit_log WHERE id > (SELECT MAX(id) FROM audit_log) - 5;
             DELETE FROM lists WHERE name = 'later'",
        )
        .unwrap();
    let back = dir.path().join("back.db");
    ok(wwsympa(
        &source,
        &["db", "copy", "--from", &url, "--to", back.to_str().unwrap()],
    ));
    let (before, after) = (dump(&dir.path().join("source.db")), dump(&back));
    assert!(before.len() > 4500);
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|line| !b.contains(line)).cloned().collect()
    };
    assert_eq!(
        (only(&before, &after), only(&after, &before)),
        (vec![], vec![]),
        "rows only in the source, rows only in the copy"
    );

    // Copying a database onto itself is refused.
    let same = wwsympa(&copy, &["db", "copy", "--to", &url]);
    assert!(!same.status.success());
    assert!(String::from_utf8_lossy(&same.stderr).contains("the same database"));
}

/// The copy driver in-process, SQLite to SQLite: progress climbs batch by batch from what
/// the destination holds to the source's count, and the report tells agreeing counts from a
/// destination that held rows the source has not.
#[test]
fn progress_climbs_batch_by_batch_and_the_report_tells_when_counts_differ() {
    let dir = TempDir::new("copy-progress");
    let config = dir.path().join("source.toml");
    std::fs::write(
        &config,
        format!(
            "domain = 'lists.example.org'\ndb_name = '{}'\nsmtp_port = 1\n",
            dir.path().join("source.db").display()
        ),
    )
    .unwrap();
    ok(wwsympa(&config, &["db", "migrate"]));
    ok(wwsympa(
        &config,
        &["list", "create", "big", "--subject", "Big"],
    ));
    let addresses: Vec<String> = (0..4500).map(|i| format!("m{i:04}@example.org")).collect();
    std::fs::write(dir.path().join("big.txt"), addresses.join("\n")).unwrap();
    let file = dir.path().join("big.txt");
    ok(wwsympa(
        &config,
        &["member", "import", "big", file.to_str().unwrap()],
    ));

    let source = Store::connect(&Target::sqlite(&dir.path().join("source.db"))).unwrap();
    let copy = dir.path().join("copy.db");
    let mut into = Store::connect(&Target::sqlite(&copy)).unwrap();
    let mut seen: Vec<(String, u64, u64)> = Vec::new();
    let report = source
        .copy_to(&mut into, &mut |table: &str, done: u64, total: u64| {
            seen.push((table.to_string(), done, total))
        })
        .unwrap();
    assert!(report.counts_agree(), "{report:?}");
    let members: Vec<u64> = seen
        .iter()
        .filter(|(table, _, total)| table == "members" && *total == 4500)
        .map(|(_, done, _)| *done)
        .collect();
    assert_eq!(members.first(), Some(&0), "{seen:?}");
    assert_eq!(members.last(), Some(&4500), "{seen:?}");
    assert!(members.windows(2).all(|w| w[0] <= w[1]), "{members:?}");
    assert!(
        members.iter().any(|done| 0 < *done && *done < 4500),
        "no progress between the batches: {members:?}"
    );

    // Stopped after some batches: the copy resumes after the last id copied, every batch
    // read moving it on, rather than read again what is there.
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute("DELETE FROM members WHERE id > 2100", [])
        .unwrap();
    let kept: u64 = conn
        .query_row("SELECT COUNT(*) FROM members", [], |row| row.get(0))
        .unwrap();
    assert!(0 < kept && kept < 4500, "{kept}");
    seen.clear();
    let report = source
        .copy_to(&mut into, &mut |table: &str, done: u64, total: u64| {
            seen.push((table.to_string(), done, total))
        })
        .unwrap();
    assert!(report.counts_agree(), "{report:?}");
    let members: Vec<u64> = seen
        .iter()
        .filter(|(table, _, _)| table == "members")
        .map(|(_, done, _)| *done)
        .collect();
    assert_eq!(members.first(), Some(&kept), "{seen:?}");
    // The last is the count made at the end, again.
    let batches = &members[..members.len() - 1];
    assert!(batches.windows(2).all(|w| w[0] < w[1]), "{members:?}");
    assert_eq!(members.last(), Some(&4500), "{seen:?}");

    // The destination holds a row the source has not: the counts disagree, on that table.
    conn.execute(
        "INSERT INTO rate_limits (bucket, subject, window_start, hits) VALUES ('x', 'y', 0, 1)",
        [],
    )
    .unwrap();
    let report = source.copy_to(&mut into, &mut |_: &str, _, _| {}).unwrap();
    assert!(!report.counts_agree(), "{report:?}");
    let differ: Vec<_> = report
        .tables
        .iter()
        .filter(|(_, from, to)| from != to)
        .collect();
    assert_eq!(differ, [&("rate_limits", 0, 1)]);
}
