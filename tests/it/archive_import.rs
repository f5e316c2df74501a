//! `wwsympa archive import` through the real binary: mbox, maildir and Sympa trees, idempotence, resuming after a kill, MHonArc numbers kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::db::SiteDb;
use crate::support::{binary, free_port, TempDir};
use wwsympa::archive::mbox;

/// The configuration file of an empty site in `dir`, and its database.
fn empty_site(dir: &TempDir) -> (PathBuf, SiteDb) {
    let path = dir.path().join("wwsympa.toml");
    let db = SiteDb::new(dir.path(), "archive.db");
    std::fs::write(
        &path,
        format!(
            "domain = 'lists.example.org'\n{}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
            db.toml(),
            free_port()
        ),
    )
    .unwrap();
    (path, db)
}

/// The configuration file of a site in `dir` with the list `arc`, and its database.
fn site(dir: &TempDir) -> (PathBuf, SiteDb) {
    let (path, db) = empty_site(dir);
    let out = wwsympa(
        &path,
        &["list", "create", "arc", "--subject", "Archive tests"],
    );
    assert!(out.status.success(), "{out:?}");
    (path, db)
}

/// Runs `wwsympa --config CONFIG ARGS…` to its end.
fn wwsympa(config: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs an import; returns its exit success and its summary line (`N stored, M already
/// there, K skipped`).
fn import(config: &Path, path: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["archive", "import", "arc", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = wwsympa(config, &args);
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success(), stdout)
}

/// The list's months and their message counts (`archive ls`).
fn months(config: &Path) -> BTreeMap<String, u64> {
    let out = wwsympa(config, &["archive", "ls", "arc"]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let (month, count) = line.split_once(' ').unwrap();
            (month.to_string(), count.parse().unwrap())
        })
        .collect()
}

/// One month's messages: Message-ID → MHonArc number (`archive ls arc MONTH`).
fn month_seqs(config: &Path, month: &str) -> BTreeMap<String, u32> {
    let out = wwsympa(config, &["archive", "ls", "arc", month]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let mut words = line.split(' ');
            assert_eq!(words.next(), Some(month), "{line}");
            let seq = words.next().unwrap().parse().unwrap();
            (words.next().unwrap().to_string(), seq)
        })
        .collect()
}

/// A message `n` dated `date` (seconds since the epoch), replying to `n - 1` when odd.
fn message(n: usize, date: i64) -> Vec<u8> {
    let reply = if n % 2 == 1 {
        format!("In-Reply-To: <m{}@example.org>\r\n", n - 1)
    } else {
        String::new()
    };
    let stamp = wwsympa::domain::calendar::civil_from_days(date.div_euclid(86_400));
    format!(
        "From: Sender {n} <s{n}@example.org>\r\nTo: arc@lists.example.org\r\nSubject: message {n}\r\n\
         Date: {:02} {} {} {:02}:{:02}:00 +0000\r\nMessage-ID: <m{n}@example.org>\r\n{reply}\r\n\
         Body of message {n}.\r\nFrom the start of a line.\r\n\r\nFrom here too.\r\n",
        stamp.2,
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            [usize::from(stamp.1) - 1],
        stamp.0,
        date.rem_euclid(86_400) / 3600,
        date.rem_euclid(3600) / 60,
    )
    .into_bytes()
}

/// 2023-01-20 00:00 UTC: messages an hour apart from there cross into February.
const START: i64 = 1_674_172_800;

/// An mbox of `count` messages an hour apart from [`START`].
fn write_mbox(path: &Path, count: usize) {
    let mut file = Vec::new();
    for n in 0..count {
        let date = START + n as i64 * 3_600;
        mbox::write(&mut file, "s@example.org", date, &message(n, date)).unwrap();
    }
    std::fs::write(path, file).unwrap();
}

#[test]
fn an_mbox_is_imported_once_however_often_it_is_run() {
    let dir = TempDir::new("arc-mbox");
    let (config, _db) = site(&dir);
    let path = dir.path().join("list.mbox");
    // 20 days of hourly mail from 2023-01-20: 288 in January, 192 in February.
    write_mbox(&path, 480);
    assert_eq!(
        import(&config, &path, &["--batch", "100"]),
        (true, "480 stored, 0 already there, 0 skipped".to_string())
    );
    let counts = months(&config);
    assert_eq!(
        counts,
        BTreeMap::from([("2023-01".to_string(), 288), ("2023-02".to_string(), 192)])
    );
    assert_eq!(
        import(&config, &path, &["--format", "mbox"]),
        (true, "0 stored, 480 already there, 0 skipped".to_string())
    );
    assert_eq!(months(&config), counts);
    // Numbers follow the dates within a month, from 0.
    let january = month_seqs(&config, "2023-01");
    assert_eq!(january["m0@example.org"], 0);
    assert_eq!(january["m287@example.org"], 287);
    assert_eq!(month_seqs(&config, "2023-02")["m288@example.org"], 0);

    // Without a Date header, the `From ` line's date files the message.
    let undated = dir.path().join("undated.mbox");
    let mut file = Vec::new();
    mbox::write(
        &mut file,
        "s@example.org",
        1_655_251_200, // 2022-06-15
        b"From: s@example.org\r\nSubject: undated\r\nMessage-ID: <undated@example.org>\r\n\r\nNo date.\r\n",
    )
    .unwrap();
    std::fs::write(&undated, file).unwrap();
    assert_eq!(
        import(&config, &undated, &[]),
        (true, "1 stored, 0 already there, 0 skipped".to_string())
    );
    assert_eq!(
        month_seqs(&config, "2022-06"),
        BTreeMap::from([("undated@example.org".to_string(), 0)])
    );
}

#[test]
fn a_maildir_is_imported_and_unreadable_files_are_reported() {
    let dir = TempDir::new("arc-maildir");
    let (config, _db) = site(&dir);
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for n in 0..5 {
        let sub = if n < 3 { "cur" } else { "new" };
        let date = START + n as i64 * 86_400;
        std::fs::write(
            maildir.join(sub).join(format!("{n}.host:2,S")),
            message(n, date),
        )
        .unwrap();
    }
    std::fs::write(maildir.join("cur").join(".hidden"), b"not mail").unwrap();
    std::fs::write(maildir.join("tmp").join("partial"), message(99, START)).unwrap();
    assert_eq!(
        import(&config, &maildir, &[]),
        (true, "5 stored, 0 already there, 0 skipped".to_string())
    );
    assert_eq!(
        months(&config),
        BTreeMap::from([("2023-01".to_string(), 5)])
    );

    // A file that cannot be read is reported and skipped; the others are imported; exit 1.
    std::os::unix::fs::symlink(
        dir.path().join("nowhere"),
        maildir.join("new").join("9.host:2,S"),
    )
    .unwrap();
    std::fs::write(maildir.join("new").join("5.host:2,S"), message(5, START)).unwrap();
    let (ok, summary) = import(&config, &maildir, &["--format", "maildir"]);
    assert!(!ok);
    assert_eq!(summary, "1 stored, 5 already there, 1 skipped");

    // So is a message over the size limit.
    std::fs::remove_file(maildir.join("new").join("9.host:2,S")).unwrap();
    let mut huge = message(7, START);
    huge.resize(wwsympa::archive::MAX_MESSAGE_BYTES + 1, b'x');
    std::fs::write(maildir.join("new").join("7.host:2,S"), huge).unwrap();
    let out = wwsympa(
        &config,
        &["archive", "import", "arc", maildir.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0 stored, 6 already there, 1 skipped"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("over the limit of 64 MiB"),
        "{out:?}"
    );
}

/// An MHonArc page for `id` (written HTML-escaped, as MHonArc does).
fn mhonarc_page(id: &str) -> String {
    let escaped = id.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<!-- MHonArc v2.6.19 -->\n<!--X-Subject: x -->\n<!--X-From-R13: x -->\n\
         <!--X-Message-Id: {escaped} -->\n<!--X-Content-Type: text/plain -->\n<html></html>\n"
    )
}

/// A message with Message-ID `id` in `month` (`YYYY-MM`).
fn sympa_message(id: &str, month: &str, subject: &str) -> String {
    format!(
        "From: a@example.org\nSubject: {subject}\nDate: Sun, 15 {} {} 10:00:00 +0000\nMessage-ID: <{id}>\n\nText.\n",
        ["Jan", "Feb", "Mar"][month[5..].parse::<usize>().unwrap() - 1],
        &month[..4]
    )
}

#[test]
fn a_sympa_tree_keeps_its_months_and_mhonarc_numbers() {
    let dir = TempDir::new("arc-sympa");
    let (config, _db) = site(&dir);
    let root = dir.path().join("arc").join("arc@lists.example.org");
    // 2023-01: arctxt 1..4, MHonArc pages with a gap (message 3 was deleted from the
    // web archive: its page is gone and numbers run 0, 1, 3, 4 for arctxt 1, 2, 3, 4).
    let january = root.join("2023-01");
    std::fs::create_dir_all(january.join("arctxt")).unwrap();
    for (n, id, page) in [
        (1, "a&b@example.org", 0),
        (2, "two@example.org", 1),
        (3, "three@example.org", 3),
        (4, "four@example.org", 4),
    ] {
        std::fs::write(
            january.join("arctxt").join(n.to_string()),
            sympa_message(id, "2023-01", &format!("january {n}")),
        )
        .unwrap();
        std::fs::write(january.join(format!("msg{page:05}.html")), mhonarc_page(id)).unwrap();
    }
    std::fs::write(january.join("thrd1.html"), "<html></html>").unwrap();
    // 2023-02 without pages: numbers are N-1, in numeric order (10 after 9).
    let february = root.join("2023-02");
    std::fs::create_dir_all(february.join("arctxt")).unwrap();
    for n in [1, 2, 9, 10] {
        std::fs::write(
            february.join("arctxt").join(n.to_string()),
            sympa_message(&format!("feb{n}@example.org"), "2023-02", "february"),
        )
        .unwrap();
    }
    // A message dated in March but filed under February stays in February.
    std::fs::write(
        february.join("arctxt").join("11"),
        sympa_message("late@example.org", "2023-03", "late"),
    )
    .unwrap();

    assert_eq!(
        import(&config, &root, &[]),
        (true, "9 stored, 0 already there, 0 skipped".to_string())
    );
    assert_eq!(
        months(&config),
        BTreeMap::from([("2023-01".to_string(), 4), ("2023-02".to_string(), 5)])
    );
    assert_eq!(
        month_seqs(&config, "2023-01"),
        BTreeMap::from([
            ("a&b@example.org".to_string(), 0),
            ("two@example.org".to_string(), 1),
            ("three@example.org".to_string(), 3),
            ("four@example.org".to_string(), 4),
        ])
    );
    assert_eq!(
        month_seqs(&config, "2023-02"),
        BTreeMap::from([
            ("feb1@example.org".to_string(), 0),
            ("feb2@example.org".to_string(), 1),
            ("feb9@example.org".to_string(), 8),
            ("feb10@example.org".to_string(), 9),
            ("late@example.org".to_string(), 10),
        ])
    );
    assert_eq!(
        import(&config, &root, &["--format", "sympa"]),
        (true, "0 stored, 9 already there, 0 skipped".to_string())
    );
}

#[test]
fn an_import_killed_midway_goes_on_where_it_stopped() {
    let dir = TempDir::new("arc-resume");
    let (config, _db) = site(&dir);
    let path = dir.path().join("big.mbox");
    const TOTAL: usize = 6_000;
    write_mbox(&path, TOTAL);
    let mut child = Command::new(binary())
        .arg("--config")
        .arg(&config)
        .args([
            "archive",
            "import",
            "arc",
            path.to_str().unwrap(),
            "--batch",
            "50",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches are committed, well before the end.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut at_kill = 0;
    while Instant::now() < deadline {
        at_kill = months(&config).values().sum::<u64>();
        if at_kill > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stored_before = months(&config).values().sum::<u64>();
    assert!(at_kill > 0, "nothing was committed within a minute");
    assert!(
        (stored_before as usize) < TOTAL,
        "the import finished before it could be killed"
    );
    let (ok, summary) = import(&config, &path, &[]);
    assert!(ok, "{summary}");
    assert_eq!(
        summary,
        format!(
            "{} stored, {stored_before} already there, 0 skipped",
            TOTAL as u64 - stored_before
        )
    );
    assert_eq!(months(&config).values().sum::<u64>(), TOTAL as u64);
}

#[test]
fn db_sample_fills_the_sample_lists_archives() {
    let dir = TempDir::new("arc-sample");
    let (config, _db) = empty_site(&dir);
    let out = wwsympa(&config, &["db", "sample"]);
    assert!(out.status.success(), "{out:?}");
    // One sample archive is public, so a newcomer reads it without logging in.
    for (list, access) in [
        ("announce", "private"),
        ("users", "public"),
        ("dev", "private"),
    ] {
        let out = wwsympa(&config, &["list", "show", list]);
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains(&format!("archive\t{access}\n")),
            "{list}: {shown}"
        );
    }
    for list in ["announce", "users", "dev"] {
        let out = wwsympa(&config, &["archive", "ls", list]);
        assert!(out.status.success(), "{out:?}");
        let months: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        assert!(months.len() >= 3, "{list}: {months:?}");
        let total: u64 = months
            .iter()
            .map(|l| l.split(' ').nth(1).unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(total, 15, "{list}: {months:?}");
        let mut subjects = Vec::new();
        for line in &months {
            let month = line.split(' ').next().unwrap();
            let out = wwsympa(&config, &["archive", "ls", list, month]);
            subjects.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(|l| l.splitn(4, ' ').nth(3).unwrap_or("").to_string()),
            );
        }
        for expected in [
            "Réunion de rentrée",
            "Our new web site",
            "Figures for the report",
            "Re: Upgrading from the previous release",
        ] {
            assert!(
                subjects.iter().any(|s| s == expected),
                "{list}: {subjects:?}"
            );
        }
    }
}

/// How many messages of list `arc` a search for `text` finds, through the store.
fn search_count(db: &SiteDb, text: &str) -> u64 {
    let store = db.connect();
    let list = store
        .db()
        .list_by_name(
            "lists.example.org",
            &wwsympa::domain::ListName::parse("arc").unwrap(),
        )
        .unwrap()
        .unwrap();
    let query = wwsympa::archive::query::parse(text).unwrap();
    store
        .db()
        .archive_search_count(
            &wwsympa::store::ArchiveSearch {
                lists: &[list.id],
                query: &query,
                order: wwsympa::domain::SearchOrder::Newest,
                before: None,
                offset: 0,
                limit: 1_000,
            },
            1_000,
        )
        .unwrap()
}

#[test]
fn reindex_fills_an_emptied_index_again() {
    let dir = TempDir::new("arc-reindex");
    let (config, db) = site(&dir);
    let path = dir.path().join("list.mbox");
    write_mbox(&path, 30);
    assert!(import(&config, &path, &[]).0);
    assert_eq!(search_count(&db, "body"), 30);
    assert_eq!(search_count(&db, "s:\"message 7\""), 1);
    db.connect().db().archive_index_clear().unwrap();
    assert_eq!(search_count(&db, "body"), 0);
    let out = wwsympa(&config, &["archive", "reindex"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reindexed 30 messages"),
        "{out:?}"
    );
    assert_eq!(search_count(&db, "body"), 30);
    assert_eq!(search_count(&db, "s:\"message 7\""), 1);
}
