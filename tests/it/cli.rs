//! The administration commands: `wwsympa user add` and `wwsympa check`.

use std::io::Write;
use std::process::{Command, Stdio};

use wwsympa::domain::Email;
use wwsympa::store::Store;

use crate::support::{binary, free_port, TempDir};

fn config(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.path().join("wwsympa.toml");
    std::fs::write(
        &path,
        format!(
            "domain = 'lists.example.org'\ndb_name = '{}'\nsmtp_host = '127.0.0.1'\nsmtp_port = {}\n",
            dir.path().join("cli.db").display(),
            free_port()
        ),
    )
    .unwrap();
    path
}

#[test]
fn user_add_makes_listmasters_with_a_password_from_stdin() {
    let dir = TempDir::new("cli-user");
    let config = config(&dir);
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

    let store = Store::open(&dir.path().join("cli.db")).unwrap();
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
    let config = config(&dir);
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
