//! The administration commands: `wwsympa user add` and `wwsympa check`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::db::SiteDb;
use crate::support::{binary, free_port, TempDir};
use wwsympa::domain::{Email, ListName, SendPolicy};

/// The configuration file of a site in `dir`, and its database (of the selected backend).
fn config(dir: &TempDir) -> (std::path::PathBuf, SiteDb) {
    let path = dir.path().join("wwsympa.toml");
    let db = SiteDb::new(dir.path(), "cli.db");
    std::fs::write(
        &path,
        format!(
            "domain = 'lists.example.org'\n{}smtp_host = '127.0.0.1'\nsmtp_port = {}\n",
            db.toml(),
            free_port()
        ),
    )
    .unwrap();
    (path, db)
}

#[test]
fn user_add_makes_listmasters_with_a_password_from_stdin() {
    let dir = TempDir::new("cli-user");
    let (config, db) = config(&dir);
    let mut child = Command::new(binary())
        .arg("--config")
        .arg(&config)
        .args([
            "user",
            "add",
            "Admin@Example.org",
            "--listmaster",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long secret\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("created admin@example.org (listmaster)")
    );

    let store = db.connect();
    let record = store
        .db()
        .user(&Email::parse("admin@example.org").unwrap())
        .unwrap()
        .unwrap();
    assert!(record.user.listmaster);
    assert!(wwsympa::auth::verify_password(
        "a long secret",
        record.password_hash.as_deref()
    ));

    // Twice is refused with a clear message; a bad address too.
    for args in [
        vec!["user", "add", "admin@example.org"],
        vec!["user", "add", "not an address"],
    ] {
        let output = Command::new(binary())
            .arg("--config")
            .arg(&config)
            .args(&args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("already exists") || stderr.contains("not a valid e-mail"),
            "{stderr}"
        );
    }
}

#[test]
fn check_reports_schema_and_an_unreachable_mta() {
    let dir = TempDir::new("cli-check");
    let (config, _db) = config(&dir);
    let run = || {
        Command::new(binary())
            .arg("--config")
            .arg(&config)
            .arg("check")
            .output()
            .unwrap()
    };
    let output = run();
    assert!(
        !output.status.success(),
        "an unmigrated database is an error"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("wwsympa db migrate"));
    let status = Command::new(binary())
        .arg("--config")
        .arg(&config)
        .args(["db", "migrate"])
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let output = run();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("database: ok"), "{stdout}");
    assert!(
        stdout.contains("warning: mail:"),
        "the closed port is a warning: {stdout}"
    );
}

#[test]
fn db_sample_adds_lists_with_members_and_a_listmaster_who_can_log_in() {
    let dir = TempDir::new("cli-sample");
    let (config, db) = config(&dir);
    let run = || {
        Command::new(binary())
            .arg("--config")
            .arg(&config)
            .args(["db", "sample"])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let output = run();
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stderr).to_string();
    let password = said
        .split("with the password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{said}"))
        .to_string();
    let store = db.connect();
    let lists = store.lists("lists.example.org").unwrap();
    assert_eq!(lists.len(), 3);
    for list in &lists {
        let id = store
            .db()
            .list_by_name("lists.example.org", &list.name)
            .unwrap()
            .unwrap()
            .id;
        assert!(store.db().member_count(id).unwrap() >= 4, "{}", list.name);
    }
    // Send policies, and posts held on `users` as the mail door holds them.
    let settings = |name: &str| {
        let list = store
            .db()
            .list_by_name("lists.example.org", &ListName::parse(name).unwrap())
            .unwrap()
            .unwrap();
        store.db().list_mail_settings(list.id).unwrap().send
    };
    assert_eq!(settings("announce"), SendPolicy::Newsletter);
    assert_eq!(settings("users"), SendPolicy::PrivateOrModerated);
    assert_eq!(settings("dev"), SendPolicy::Private);
    assert_eq!(
        db.texts("SELECT m.state FROM held_messages h JOIN archive_messages m ON m.id = h.message"),
        ["held", "held", "held"]
    );
    let account = store
        .db()
        .user(&Email::parse("listmaster@localhost").unwrap())
        .unwrap()
        .unwrap();
    assert!(account.user.listmaster);
    assert!(wwsympa::auth::verify_password(
        &password,
        account.password_hash.as_deref()
    ));
    // A second run adds nothing.
    assert!(run().status.success());
    assert_eq!(store.lists("lists.example.org").unwrap().len(), 3);
}

#[test]
fn list_mail_shows_and_changes_a_lists_mail_settings_with_an_audit_row() {
    let dir = TempDir::new("cli-list-mail");
    let (config, db) = config(&dir);
    let run = |args: &[&str]| {
        Command::new(binary())
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let created = run(&[
        "list",
        "create",
        "team",
        "--subject",
        "Team",
        "--send",
        "newsletter",
    ]);
    assert!(created.status.success(), "{created:?}");
    let shown = run(&["list", "show", "team"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("send\tnewsletter\n"), "{text}");
    assert!(text.contains("max_size\t5242880\n"), "{text}");

    let changed = run(&[
        "list",
        "mail",
        "team",
        "--send",
        "editorkey",
        "--max-size",
        "100000",
        "--max-attachments",
        "3",
        "--delivery",
        "bulk",
        "--dmarc",
        "always",
        "--subject-tag",
        "[team]",
        "--hold-days",
        "7",
    ]);
    assert!(changed.status.success(), "{changed:?}");
    let text = String::from_utf8_lossy(&changed.stdout);
    for line in [
        "send\teditorkey\n",
        "max_size\t100000\n",
        "max_attachments\t3\n",
        "delivery\tbulk\n",
        "dmarc\talways\n",
        "subject_tag\t[team]\n",
        "hold_days\t7\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    // Stored: another process reads the same values.
    let store = db.connect();
    let list = store
        .db()
        .list_by_name(
            "lists.example.org",
            &wwsympa::domain::ListName::parse("team").unwrap(),
        )
        .unwrap()
        .unwrap();
    let settings = store.db().list_mail_settings(list.id).unwrap();
    assert_eq!(settings.send, wwsympa::domain::SendPolicy::Moderated);
    assert_eq!(settings.max_attachments, Some(3));
    assert_eq!(settings.hold_days, 7);
    let audit = store.db().recent_audit(10).unwrap();
    assert!(
        audit.iter().any(|line| line.1 == "set_mail_settings"),
        "{audit:?}"
    );

    // Bad values are refused and change nothing.
    for args in [
        vec!["list", "mail", "team", "--send", "everyone"],
        vec!["list", "mail", "team", "--max-size", "10"],
        vec!["list", "mail", "team", "--hold-days", "0"],
        vec!["list", "mail", "team", "--max-attachments", "many"],
        vec!["list", "mail", "team", "--subject-tag", "a\u{202e}b"],
        vec!["list", "mail", "team", "--delivery", "carrier-pigeon"],
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}: {out:?}");
    }
    let after = store.db().list_mail_settings(list.id).unwrap();
    assert_eq!(after, settings);
}

#[test]
fn list_create_takes_a_sympa_template_whose_presets_replace_the_policy_options() {
    let dir = TempDir::new("cli-list-template");
    let (config, db) = config(&dir);
    let run = |args: &[&str]| {
        Command::new(binary())
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let created = run(&[
        "list",
        "create",
        "hidden",
        "--subject",
        "Hidden",
        "--template",
        "confidential",
        "--subscribe",
        "open",
    ]);
    assert!(created.status.success(), "{created:?}");
    let shown = run(&["list", "show", "hidden"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    for line in [
        "status\topen\n",
        "visibility\tconceal\n",
        "subscribe\tclosed\n",
        "unsubscribe\tclosed\n",
        "send\tprivate\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    // An unknown template is refused, naming the known ones, and creates nothing.
    let refused = run(&[
        "list",
        "create",
        "other",
        "--subject",
        "Other",
        "--template",
        "Confidential",
    ]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("discussion_list") && message.contains("hotline"),
        "{message}"
    );
    let store = db.connect();
    assert!(store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("other").unwrap())
        .unwrap()
        .is_none());
}

#[test]
fn list_create_sets_the_lists_language_and_refuses_one_the_site_lacks() {
    let dir = TempDir::new("cli-list-lang");
    let (config, db) = config(&dir);
    let run = |args: &[&str]| {
        Command::new(binary())
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let created = run(&[
        "list",
        "create",
        "equipe",
        "--subject",
        "Équipe",
        "--lang",
        "fr_CA",
    ]);
    assert!(created.status.success(), "{created:?}");
    let shown = run(&["list", "show", "equipe"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("lang\tfr\n"), "{text}");
    let refused = run(&[
        "list",
        "create",
        "other",
        "--subject",
        "Other",
        "--lang",
        "xx",
    ]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("en, es, fr") || message.contains("de, en, es, fr"),
        "{message}"
    );
    let store = db.connect();
    assert!(store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("other").unwrap())
        .unwrap()
        .is_none());
}

#[test]
fn list_bounces_and_list_digest_show_and_change_the_policies_within_bounds() {
    let dir = TempDir::new("cli-list-bounces");
    let (config, db) = config(&dir);
    let run = |args: &[&str]| {
        Command::new(binary())
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["list", "create", "team", "--subject", "Team"])
        .status
        .success());
    let shown = run(&["list", "bounces", "team"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(
        text,
        "threshold\t5\nstale_days\t7\nwarnings\t3\nwarning_days\t7\n"
    );
    let changed = run(&[
        "list",
        "bounces",
        "team",
        "--threshold",
        "2.5",
        "--stale-days",
        "10",
        "--warnings",
        "1",
        "--warning-days",
        "3",
    ]);
    assert!(changed.status.success(), "{changed:?}");
    assert_eq!(
        String::from_utf8_lossy(&changed.stdout),
        "threshold\t2.5\nstale_days\t10\nwarnings\t1\nwarning_days\t3\n"
    );
    let digest = run(&[
        "list",
        "digest",
        "team",
        "--schedule",
        "1,4 06:30",
        "--max-size",
        "10",
    ]);
    assert!(digest.status.success(), "{digest:?}");
    assert_eq!(
        String::from_utf8_lossy(&digest.stdout),
        "schedule\t1,4 06:30\nmax_size\t10\n"
    );
    let store = db.store();
    let list = store
        .db()
        .list_by_name(
            "lists.example.org",
            &wwsympa::domain::ListName::parse("team").unwrap(),
        )
        .unwrap()
        .unwrap();
    let policy = store.db().bounce_settings(list.id).unwrap();
    assert_eq!((policy.threshold, policy.warnings), (2500, 1));
    let audit = store.db().recent_audit(10).unwrap();
    for action in ["set_bounce_policy", "set_digest"] {
        assert!(audit.iter().any(|line| line.1 == action), "{audit:?}");
    }
    for args in [
        vec!["list", "bounces", "team", "--threshold", "0.1"],
        vec!["list", "bounces", "team", "--threshold", "nan"],
        vec!["list", "bounces", "team", "--stale-days", "0"],
        vec!["list", "bounces", "team", "--warnings", "99"],
        vec!["list", "digest", "team", "--schedule", "7 06:00"],
        vec!["list", "digest", "team", "--schedule", "1 25:00"],
        vec!["list", "digest", "team", "--max-size", "0"],
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}: {out:?}");
    }
    assert_eq!(store.db().bounce_settings(list.id).unwrap(), policy);
    let none = run(&["list", "digest", "team", "--schedule", "none"]);
    assert_eq!(
        String::from_utf8_lossy(&none.stdout),
        "schedule\tnone\nmax_size\t10\n"
    );
}
