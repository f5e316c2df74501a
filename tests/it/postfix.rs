//! A real Postfix in front of wwsympa: an instance of its own (configuration, queue and data
//! under a temporary directory, SMTP on a free loopback port, every service unchained from
//! chroot) that asks `wwsympa socketmap` which domains and addresses are ours and where they
//! go, and hands list mail to `wwsympa lmtp`. A post sent over SMTP (Python's smtplib) ends
//! up in the list's archive (an outsider's held, a member's visible and queued for the
//! members); an unknown address is refused during the SMTP session; a list
//! created while Postfix runs takes mail with no reload; `wwsympa check mta` reads this
//! Postfix, finds it right, and finds and explains what a broken setting breaks.
//!
//! Postfix's master must start as root (CI runs as root); it is stopped with
//! `postfix -c DIR stop`, which stops only this instance.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::db::SiteDb;
use crate::support::mail_door::{MailDoor, DOMAIN};
use crate::support::{binary, free_port, peer, TempDir};

/// A Postfix instance of our own, stopped when dropped.
struct Postfix {
    postfix: PathBuf,
    config: PathBuf,
    log: PathBuf,
}

impl Postfix {
    fn start(postfix: &Path, dir: &Path, smtp_port: u16, socketmap_port: u16) -> Postfix {
        let config = dir.join("conf");
        let queue = dir.join("queue");
        let data = dir.join("data");
        for d in [&config, &queue, &data] {
            std::fs::create_dir_all(d).unwrap();
        }
        let status = Command::new("chown")
            .arg("postfix")
            .arg(&data)
            .status()
            .unwrap();
        assert!(status.success(), "chown postfix {}", data.display());
        let log = dir.join("maillog");
        let socketmap = format!("socketmap:inet:127.0.0.1:{socketmap_port}");
        std::fs::write(
            config.join("main.cf"),
            format!(
                "compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mta.test.invalid
mydestination =
mynetworks = 127.0.0.0/8
maillog_file = {log}
maillog_file_prefixes = {dir}
smtputf8_enable = no
recipient_delimiter = +
relay_domains = {socketmap}:domains
transport_maps = {socketmap}:transport
relay_recipient_maps = {socketmap}:recipients
default_transport = error:outbound mail is off in this test
",
                queue = queue.display(),
                data = data.display(),
                log = log.display(),
                dir = dir.display(),
            ),
        )
        .unwrap();
        let mut master = format!("127.0.0.1:{smtp_port} inet n - n - - smtpd\n");
        for (name, kind, private, limit, command) in [
            ("pickup", "unix", "n", "1", "pickup"),
            ("cleanup", "unix", "n", "0", "cleanup"),
            ("qmgr", "unix", "n", "1", "qmgr"),
            ("rewrite", "unix", "-", "-", "trivial-rewrite"),
            ("bounce", "unix", "-", "0", "bounce"),
            ("defer", "unix", "-", "0", "bounce"),
            ("trace", "unix", "-", "0", "bounce"),
            ("verify", "unix", "-", "1", "verify"),
            ("flush", "unix", "n", "0", "flush"),
            ("proxymap", "unix", "-", "-", "proxymap"),
            ("smtp", "unix", "-", "-", "smtp"),
            ("showq", "unix", "n", "-", "showq"),
            ("error", "unix", "-", "-", "error"),
            ("retry", "unix", "-", "-", "error"),
            ("discard", "unix", "-", "-", "discard"),
            ("lmtp", "unix", "-", "-", "lmtp"),
            ("anvil", "unix", "-", "1", "anvil"),
            ("scache", "unix", "-", "1", "scache"),
            ("postlog", "unix-dgram", "n", "1", "postlogd"),
        ] {
            // No chroot: the daemons read this directory's files as they are.
            master.push_str(&format!(
                "{name} {kind} {private} - n - {limit} {command}\n"
            ));
        }
        std::fs::write(config.join("master.cf"), master).unwrap();
        let instance = Postfix {
            postfix: postfix.to_path_buf(),
            config,
            log,
        };
        let output = instance.run(&["start"]);
        assert!(
            output.status.success(),
            "postfix start: {output:?}\n{}",
            instance.log_text()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", smtp_port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Postfix does not listen on {smtp_port}:\n{}",
                instance.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        instance
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.postfix)
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        // Stops this instance's master (and its children) only.
        let _ = self.run(&["stop"]);
    }
}

/// Sends one message with Python's smtplib; returns what it says (`OK`, or the refusal).
fn smtp_send(port: u16, from: &str, to: &str, subject: &str) -> String {
    let script = r#"
import smtplib, sys
port, sender, rcpt, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s.%s@example.net>\r\n\r\nHello through Postfix.\r\n"
       % (sender, rcpt, subject, subject.replace(" ", "-"), port))
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.sendmail(sender, [rcpt], msg.encode())
    print("OK")
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients[rcpt]
    print("REFUSED %d %s" % (code, text.decode()))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args([&port.to_string(), from, to, subject])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn wwsympa(config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Waits up to 30 s until `list` has `n` archived messages; returns their states.
fn wait_archived(db: &SiteDb, list: &str, n: usize, postfix: &Postfix) -> Vec<String> {
    let sql = format!(
        "SELECT m.state FROM archive_messages m JOIN lists l ON l.id = m.list_id WHERE l.name = '{list}' ORDER BY m.id"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let states = db.texts(&sql);
        if states.len() >= n {
            return states;
        }
        assert!(
            Instant::now() < deadline,
            "{list} has {} message(s), not {n}; Postfix's log:\n{}",
            states.len(),
            postfix.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn postfix_hands_list_mail_to_wwsympa_through_the_socketmap() {
    let Some(postfix) = peer("postfix") else {
        return;
    };
    let Some(_postmap) = peer("postmap") else {
        return;
    };
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "Postfix's master starts as root: run this test as root (CI does)"
    );
    let dir = TempDir::new("postfix");
    let db = SiteDb::new(dir.path(), "site.db");
    let smtp_port = free_port();
    let door = MailDoor::start(dir.path(), &db, true);
    let (config, socketmap_port) = (door.config.clone(), door.socketmap_port);
    let transport = format!("lmtp:[127.0.0.1]:{}", door.lmtp_port);
    let created = wwsympa(
        &config,
        &[
            "list",
            "create",
            "team",
            "--subject",
            "Team",
            "--owner",
            "owner@example.org",
        ],
    );
    assert!(created.status.success(), "{created:?}");
    let postfix = Postfix::start(&postfix, dir.path(), smtp_port, socketmap_port);

    // A post from an outsider to a list where outsiders are moderated: Postfix routes it by the
    // socketmap, wwsympa takes it over LMTP and holds it in the archive.
    assert_eq!(
        smtp_send(
            smtp_port,
            "eve@example.net",
            &format!("team@{DOMAIN}"),
            "first post"
        ),
        "OK"
    );
    assert_eq!(wait_archived(&db, "team", 1, &postfix), ["held"]);
    // Postfix logs the delivery once it has read our 250 (after our commit).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = postfix.log_text();
        if log.contains("relay=127.0.0.1[127.0.0.1]") && log.contains("status=sent") {
            break;
        }
        assert!(Instant::now() < deadline, "no delivery logged:\n{log}");
        std::thread::sleep(Duration::from_millis(100));
    }

    // A member's post: archived and queued for every member in the same transaction.
    let added = wwsympa(
        &config,
        &[
            "member",
            "add",
            "team",
            "ada@example.org",
            "bob@example.org",
        ],
    );
    assert!(added.status.success(), "{added:?}");
    assert_eq!(
        smtp_send(
            smtp_port,
            "ada@example.org",
            &format!("team@{DOMAIN}"),
            "a member writes"
        ),
        "OK"
    );
    assert_eq!(wait_archived(&db, "team", 2, &postfix), ["held", "visible"]);
    let mut rcpts =
        db.texts("SELECT r.email FROM delivery_rcpts r JOIN deliveries d ON d.id = r.delivery_id");
    rcpts.sort();
    assert_eq!(rcpts, ["ada@example.org", "bob@example.org"]);

    // An unknown address: refused while the client is still there (no backscatter).
    let refused = smtp_send(
        smtp_port,
        "eve@example.net",
        &format!("nosuch@{DOMAIN}"),
        "lost",
    );
    assert!(refused.starts_with("REFUSED 550"), "{refused}");

    // A list created now takes mail at once: no postmap, no reload.
    let created = wwsympa(
        &config,
        &[
            "list",
            "create",
            "fresh",
            "--subject",
            "Fresh",
            "--owner",
            "owner@example.org",
        ],
    );
    assert!(created.status.success(), "{created:?}");
    assert_eq!(
        smtp_send(
            smtp_port,
            "eve@example.net",
            &format!("fresh-request@{DOMAIN}"),
            "a question"
        ),
        "OK"
    );
    let forwarded = "SELECT kind FROM outbox WHERE kind LIKE 'forward_%'";
    let deadline = Instant::now() + Duration::from_secs(30);
    while db.texts(forwarded).is_empty() {
        assert!(
            Instant::now() < deadline,
            "no copy for the owners; Postfix:\n{}\nwwsympa lmtp:\n{}",
            postfix.log_text(),
            std::fs::read_to_string(dir.path().join("lmtp.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The static fallback: the regexp maps `wwsympa mta maps` writes, read by Postfix's own
    // regexp tables, route and know what the socketmap does (and nothing else).
    for (map, key, expected) in [
        ("transport", format!("team@{DOMAIN}"), transport.clone()),
        (
            "transport",
            format!("fresh-owner+t0k@{DOMAIN}"),
            transport.clone(),
        ),
        (
            "recipients",
            format!("fresh-request@{DOMAIN}"),
            "OK".to_string(),
        ),
        ("recipients", format!("sympa@{DOMAIN}"), "OK".to_string()),
        ("recipients", format!("nosuch@{DOMAIN}"), String::new()),
        (
            "recipients",
            "team@elsewhere.org".to_string(),
            String::new(),
        ),
        ("domains", DOMAIN.to_string(), "OK".to_string()),
    ] {
        let written = wwsympa(
            &config,
            &["mta", "maps", "--map", map, "--transport", &transport],
        );
        assert!(written.status.success(), "{written:?}");
        let file = dir.path().join(format!("wwsympa_{map}"));
        std::fs::write(&file, &written.stdout).unwrap();
        let answer = Command::new("postmap")
            .arg("-c")
            .arg(&postfix.config)
            .args(["-q", &key, &format!("regexp:{}", file.display())])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&answer.stdout).trim(),
            expected,
            "{map} {key}: {answer:?}"
        );
    }

    // `wwsympa check mta` reads this Postfix: fine as it is...
    let dir_arg = postfix.config.display().to_string();
    let check = wwsympa(
        &config,
        &[
            "check",
            "mta",
            "--list",
            "team",
            "--postfix-config",
            &dir_arg,
            "--transport",
            &transport,
        ],
    );
    let said = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(check.status.success(), "{said}\n{check:?}");
    assert!(
        said.contains("ok: transport_maps sends team@lists.example.org"),
        "{said}"
    );
    assert!(!said.contains("error"), "{said}");
    // ...and with transport_maps and relay_recipient_maps gone, it says so and how to fix it.
    let postconf = Command::new("postconf")
        .args([
            "-c",
            &dir_arg,
            "-e",
            "transport_maps =",
            "relay_recipient_maps =",
        ])
        .status()
        .unwrap();
    assert!(postconf.success());
    let check = wwsympa(
        &config,
        &[
            "check",
            "mta",
            "--list",
            "team",
            "--postfix-config",
            &dir_arg,
        ],
    );
    let said = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(!check.status.success(), "{said}");
    assert!(
        said.contains("error: transport_maps does not route team@lists.example.org")
            && said.contains("fix: start wwsympa-socketmap.socket")
            && said.contains("transport_maps = socketmap:inet:127.0.0.1:8025:transport")
            && said.contains("backscatter"),
        "{said}"
    );
}
