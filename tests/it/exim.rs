//! A real Exim 4 in front of wwsympa, with the router and transport we ship (`exim/wwsympa.conf`,
//! only its two port numbers changed to free ones): Exim asks `wwsympa socketmap` whether an
//! address is a list's, routes the lists' addresses (a VERP bounce address included) to
//! `wwsympa lmtp` and leaves others to its next router; a post handed to Exim is archived and
//! Exim logs our `250`; a list created while Exim is configured takes mail with no change;
//! with the socketmap down Exim defers, never discards or bounces.
//!
//! Debian's Exim cannot be installed beside Postfix (both are the system's MTA), so
//! `.ci/install-deps` unpacks exim4-daemon-light's binary to /usr/local/sbin/exim4 without
//! installing the package. It runs here as root with `-C` (a configuration of our own) and a
//! spool of our own; no daemon is started.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::db::SiteDb;
use crate::support::mail_door::{MailDoor, DOMAIN};
use crate::support::{peer, run_cli, TempDir};

/// An Exim configuration of ours in `dir`: its own spool and logs, the lists' domain local,
/// the shipped wwsympa router and transport on the given ports, then a router that discards
/// anything else (so that nothing leaves the machine).
fn exim_config(exim: &Path, dir: &Path, lmtp_port: u16, socketmap_port: u16) -> PathBuf {
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("exim/wwsympa.conf"))
            .unwrap();
    let (router, transport) = shipped
        .split_once("### transport")
        .expect("the shipped file has a transport part");
    let router = router
        .split_once("### router")
        .expect("the shipped file has a router part")
        .1;
    let router = router.split_once('\n').unwrap().1;
    let transport = transport.split_once('\n').unwrap().1;
    assert!(router.contains("inet:127.0.0.1:8025") && transport.contains("port = 8024"));
    let router = router.replace("127.0.0.1:8025", &format!("127.0.0.1:{socketmap_port}"));
    let transport = transport.replace("port = 8024", &format!("port = {lmtp_port}"));
    let spool = dir.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    // Exim's own user (exim4-base makes it; .ci/install-deps too) writes the spool.
    let owner = Command::new("chown")
        .arg("Debian-exim")
        .arg(&spool)
        .status()
        .unwrap();
    assert!(
        owner.success(),
        "user Debian-exim is missing: run .ci/install-deps"
    );
    let config = dir.join("exim.conf");
    std::fs::write(
        &config,
        format!(
            "exim_path = {exim}\nkeep_environment =\nprimary_hostname = mx.example.org\n\
             domainlist local_domains = {DOMAIN}\nspool_directory = {spool}\n\
             log_file_path = {spool}/%slog\n\
             begin routers\n{router}\nelsewhere:\n  driver = redirect\n  data = :blackhole:\n\n\
             begin transports\n{transport}\n",
            exim = exim.display(),
            spool = spool.display(),
        ),
    )
    .unwrap();
    config
}

/// `exim -C CONFIG ARGS` with `stdin`, its output.
fn exim(exim: &Path, config: &Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(exim)
        .arg("-C")
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// What `exim -bt ADDRESS` says of an address (its routing, no delivery).
fn route(exim_path: &Path, config: &Path, address: &str) -> String {
    let out = exim(exim_path, config, &["-bt", address], b"");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn exim_with_the_shipped_router_hands_list_mail_to_wwsympa() {
    let Some(exim_path) = peer("exim4") else {
        return;
    };
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "Exim runs with -C as root here: run this test as root (CI does)"
    );
    let dir = TempDir::new("exim");
    let db = SiteDb::new(dir.path(), "site.db");
    let mut door = MailDoor::start(dir.path(), &db, false);
    let config = door.config.clone();
    let wwsympa = |args: &[&str]| run_cli(&config, args, "");
    wwsympa(&[
        "list",
        "create",
        "team",
        "--subject",
        "Team",
        "--owner",
        "owner@example.org",
    ]);
    wwsympa(&["list", "mail", "team", "--send", "public"]);
    let exim_config = exim_config(&exim_path, dir.path(), door.lmtp_port, door.socketmap_port);

    // Routing: the list's addresses (its VERP bounce address whole) go to wwsympa's LMTP,
    // anything else to the next router.
    for address in [
        format!("team@{DOMAIN}"),
        format!("team-request@{DOMAIN}"),
        format!("team-owner+abc123@{DOMAIN}"),
    ] {
        let said = route(&exim_path, &exim_config, &address);
        assert!(
            said.contains("router = wwsympa, transport = wwsympa_lmtp"),
            "{address}: {said}"
        );
    }
    let said = route(&exim_path, &exim_config, &format!("nobody@{DOMAIN}"));
    assert!(said.contains("is discarded"), "{said}");
    // A list created now is routed at once: no change to Exim.
    wwsympa(&[
        "list",
        "create",
        "fresh",
        "--subject",
        "Fresh",
        "--owner",
        "owner@example.org",
    ]);
    let said = route(&exim_path, &exim_config, &format!("fresh@{DOMAIN}"));
    assert!(said.contains("router = wwsympa"), "{said}");

    // A post handed to Exim is delivered over LMTP and archived; Exim logs our reply.
    let post = format!(
        "From: Ann <ann@example.org>\nTo: team@{DOMAIN}\nSubject: Through Exim\n\
         Message-ID: <exim-1@example.org>\n\nHello from Exim.\n"
    );
    let sent = exim(
        &exim_path,
        &exim_config,
        &[
            "-odi",
            "-oi",
            "-f",
            "ann@example.org",
            &format!("team@{DOMAIN}"),
        ],
        post.as_bytes(),
    );
    assert!(sent.status.success(), "{sent:?}");
    let states = db.texts(
        "SELECT m.state FROM archive_messages m JOIN lists l ON l.id = m.list_id \
         WHERE l.name = 'team' ORDER BY m.id",
    );
    assert_eq!(states, ["visible"]);
    let log = std::fs::read_to_string(dir.path().join("spool/mainlog")).unwrap();
    assert!(
        log.contains("R=wwsympa T=wwsympa_lmtp") && log.contains("C=\"250 2.0.0"),
        "{log}"
    );

    // With the socketmap down, Exim defers a list's address: never discarded, never bounced.
    drop(door.socketmap.take());
    let said = route(&exim_path, &exim_config, &format!("team@{DOMAIN}"));
    assert!(said.contains("cannot be resolved at this time"), "{said}");
    assert!(
        !said.contains("discarded") && !said.contains("Unrouteable"),
        "{said}"
    );
}
