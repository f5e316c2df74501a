//! List distribution against a real SMTP server (aiosmtpd with a small handler of our own that
//! keeps each transaction's envelope and bytes, and refuses chosen recipients): each member in
//! `mail` mode gets one copy with a VERP envelope and a one-click URL of their own; 4xx is
//! retried and 5xx recorded; a dead MTA loses nothing; two sender processes send no copy twice;
//! bulk mode batches; DMARC From rewriting through the resolver seam.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use wwsympa::config::Config;
use wwsympa::domain::{DeliveryMode, DmarcProtection, Email, List, ListName, ReceptionMode};
use wwsympa::mail::distribute::{Distributor, Report};
use wwsympa::mail::dmarc::Table;
use wwsympa::mail::verp;
use wwsympa::operations::archive::{store_message, Incoming};
use wwsympa::operations::distribution::queue_post;
use wwsympa::operations::{Channel, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{ArchivedRef, NewMember, RcptState, Store};

use crate::support::process::{self, Server, Site};
use crate::support::{free_port, python_with_aiosmtpd, Daemon};

/// An SMTP server that writes each transaction to `NNNNNN.eml` in its directory: a JSON line
/// `{"from": …, "to": […]}`, then the data exactly as received. Recipients whose local part
/// starts with `soft` get `450`, with `hard` get `550`.
const SINK: &str = r#"
import itertools, json, os, sys, threading
from aiosmtpd.controller import Controller
port, out = int(sys.argv[1]), sys.argv[2]
counter = itertools.count()
class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split('@')[0].lower()
        if local.startswith('soft'):
            return '450 4.2.1 mailbox busy, try later'
        if local.startswith('hard'):
            return '550 5.1.1 no such user here'
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        tmp = os.path.join(out, '.%06d.tmp' % n)
        with open(tmp, 'wb') as f:
            f.write(json.dumps({'from': envelope.mail_from, 'to': envelope.rcpt_tos}).encode() + b'\n')
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(out, '%06d.eml' % n))
        return '250 2.0.0 queued'
controller = Controller(Handler(), hostname='127.0.0.1', port=port, decode_data=False)
controller.start()
print('ready', flush=True)
threading.Event().wait()
"#;

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One transaction the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    /// MAIL FROM.
    pub from: String,
    /// The accepted recipients.
    pub to: Vec<String>,
    /// The data, as received (dot-unstuffed).
    pub data: Vec<u8>,
}

impl Received {
    /// The data as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }

    /// The unfolded value of the first header `name`.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = self.text();
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        unfolded
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }
}

/// The sink, stopped (by its PID) when dropped.
pub struct Sink {
    _daemon: Daemon,
    dir: PathBuf,
}

impl Sink {
    /// Starts the sink on `port`, writing into `dir/sink`.
    pub fn start(python: &Path, port: u16, dir: &Path) -> Sink {
        let out = dir.join("sink");
        std::fs::create_dir_all(&out).unwrap();
        let script = dir.join("sink.py");
        std::fs::write(&script, SINK).unwrap();
        let mut command = std::process::Command::new(python);
        command.arg(&script).arg(port.to_string()).arg(&out);
        let daemon = Daemon::spawn(command, &dir.join("sink.log"));
        assert!(
            process::wait_until(Duration::from_secs(15), || std::net::TcpStream::connect((
                "127.0.0.1",
                port
            ))
            .is_ok()),
            "the SMTP sink did not start: {}",
            std::fs::read_to_string(dir.join("sink.log")).unwrap_or_default()
        );
        Sink {
            _daemon: daemon,
            dir: out,
        }
    }

    /// Every transaction so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path).unwrap();
                let newline = bytes.iter().position(|b| *b == b'\n').unwrap();
                let envelope: serde_json::Value =
                    serde_json::from_slice(&bytes[..newline]).unwrap();
                Received {
                    from: envelope["from"].as_str().unwrap().to_string(),
                    to: envelope["to"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect(),
                    data: bytes[newline + 1..].to_vec(),
                }
            })
            .collect()
    }
}

/// A site whose mail goes to 127.0.0.1:`port`, with list `team` and `extra` configuration.
pub fn site(name: &str, port: u16, extra: &str) -> Site {
    let retry = if extra.contains("mail_retry_delay") {
        ""
    } else {
        "mail_retry_delay = 1\n"
    };
    let site = Site::new(
        name,
        &format!("smtp_host = \"127.0.0.1\"\nsmtp_port = {port}\n{retry}{extra}"),
    );
    site.create_lists(&["team"]);
    site
}

/// The site's configuration as the processes read it.
pub fn config(site: &Site) -> Config {
    Config::load(Some(&site.config)).unwrap()
}

/// List `name` of the site.
pub fn list(store: &Store, name: &str) -> List {
    store
        .db()
        .list_by_name("lists.example.org", &ListName::parse(name).unwrap())
        .unwrap()
        .unwrap()
}

/// Adds members to list `team`, each with its reception mode.
pub fn add_members(site: &Site, members: &[(&str, ReceptionMode)]) {
    let store = site.db.store();
    let team = list(&store, "team");
    for (email, reception) in members {
        let mut member = NewMember::new(Email::parse(email).unwrap());
        member.reception = *reception;
        store.db().add_member(team.id, &member).unwrap();
    }
}

/// Archives `raw` in list `team` and queues it for distribution in one transaction, as
/// intake does; returns the archived message and how many recipients it was queued for.
pub fn post(site: &Site, raw: &[u8]) -> (ArchivedRef, u64) {
    let config = config(site);
    let templates = Templates::load(None).unwrap();
    let mut store = site.db.store();
    let team = list(&store, "team");
    let mut env = Env::new(&mut store, &config, &templates);
    let requester = Requester::anonymous(Channel::Mail, None);
    let (archived, queued) = env
        .transaction(&requester, |tx| {
            let archived = store_message(
                tx.db,
                &team,
                &Incoming {
                    raw,
                    arrived_at: now(),
                    month: None,
                    legacy_seq: None,
                },
            )?
            .message();
            let queued = queue_post(tx, &team, archived, None)?;
            Ok((archived, queued))
        })
        .unwrap();
    assert_eq!(env.has_mail(), queued.recipients > 0);
    (archived, queued.recipients)
}

/// Runs the distributor once in this process, with `policies` for DMARC.
pub fn distribute(site: &Site, policies: Table) -> Report {
    let config = config(site);
    let mut store = site.db.store();
    let mut distributor = Distributor::new(&config, Box::new(policies));
    distributor
        .send_due(&mut store, &config, "test-sender", &|| false)
        .unwrap()
}

/// A post from `from`.
pub fn message(from: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: team@lists.example.org\r\nSubject: {subject}\r\nDate: Tue, 05 Mar 2024 10:00:00 +0000\r\nMessage-ID: <{}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\u{e9} for everyone.\r\n.A line with a dot.\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}

fn counts(site: &Site) -> wwsympa::store::DeliveryCounts {
    site.db.store().db().delivery_counts(None).unwrap()
}

#[test]
fn each_member_in_mail_mode_gets_one_copy_with_a_verp_envelope_and_a_one_click_url() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site("dist-each", port, "");
    let sink = Sink::start(&python, port, site.path());
    let readers = [
        "ann@a.example",
        "bob@b.example",
        "cy@a.example",
        "dee@c.example",
    ];
    let mut members: Vec<(&str, ReceptionMode)> =
        readers.iter().map(|m| (*m, ReceptionMode::Mail)).collect();
    members.push(("digest@a.example", ReceptionMode::Digest));
    members.push(("summary@a.example", ReceptionMode::Summary));
    members.push(("nomail@a.example", ReceptionMode::Nomail));
    add_members(&site, &members);
    let raw = message("Ann <ann@a.example>", "hello all");
    let (archived, queued) = post(&site, &raw);
    assert_eq!(queued, 4);
    // Queued again (a second moderator, intake retried): nothing more.
    assert_eq!(post(&site, &raw).1, 0);

    let report = distribute(&site, Table(vec![]));
    assert_eq!((report.sent, report.deferred, report.failed), (4, 0, 0));
    let received = sink.received();
    let to: BTreeSet<String> = received.iter().flat_map(|r| r.to.clone()).collect();
    assert_eq!(to, readers.iter().map(|s| s.to_string()).collect());
    assert_eq!(received.len(), 4, "one transaction each");

    let store = site.db.store();
    let verp_key = store
        .db()
        .site_secret(verp::SECRET_NAME, b"unused")
        .unwrap();
    let oneclick_key = store.db().site_secret("oneclick", b"unused").unwrap();
    let month = archived.month.to_string();
    for copy in &received {
        let rcpt = &copy.to[0];
        // VERP: LIST-owner+TOKEN@domain, the token naming this recipient's row.
        let token = copy
            .from
            .strip_prefix("team-owner+")
            .and_then(|t| t.strip_suffix("@lists.example.org"))
            .unwrap_or_else(|| panic!("not a VERP return path: {}", copy.from));
        let row = verp::decode(&verp_key, token).expect("a valid token");
        let row = store.db().delivery_rcpt(row as i64).unwrap().unwrap();
        assert_eq!(&row.email, rcpt);
        assert_eq!(row.state, RcptState::Sent);
        assert_eq!(row.last_code, Some(250));
        // The recipient's own one-click URL, valid for them.
        let unsubscribe = copy.header("List-Unsubscribe").unwrap();
        let url = unsubscribe
            .strip_prefix("<http://localhost/sympa/oneclick/team/")
            .unwrap_or_else(|| panic!("{unsubscribe}"));
        let (id, rest) = url.split_once("?email=").unwrap();
        assert!(rest.starts_with(&rcpt.replace('@', "%40")), "{unsubscribe}");
        assert!(wwsympa::auth::check_oneclick(
            &oneclick_key,
            "team@lists.example.org",
            rcpt,
            id,
            now().div_euclid(86_400),
            1
        ));
        assert!(unsubscribe.ends_with("<mailto:team-unsubscribe@lists.example.org>"));
        assert_eq!(
            copy.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert_eq!(
            copy.header("List-Id").as_deref(),
            Some("<team.lists.example.org>")
        );
        assert_eq!(
            copy.header("List-Post").as_deref(),
            Some("<mailto:team@lists.example.org>")
        );
        assert_eq!(copy.header("Precedence").as_deref(), Some("list"));
        assert_eq!(
            copy.header("X-Loop").as_deref(),
            Some("team@lists.example.org")
        );
        let archived_at = copy.header("Archived-At").unwrap();
        assert!(
            archived_at.starts_with(&format!("<http://localhost/sympa/msg/team/{month}/"))
                && archived_at.len() > 40,
            "{archived_at}"
        );
        // The author's header and body bytes are there unchanged.
        let text = copy.text();
        let original = String::from_utf8(raw.clone()).unwrap();
        assert!(text.ends_with(&original), "{text}");
    }
    let counted = counts(&site);
    assert_eq!((counted.sent, counted.pending, counted.sending), (4, 0, 0));
}

#[test]
fn a_450_is_retried_a_550_is_recorded_and_the_others_are_delivered() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site(
        "dist-codes",
        port,
        "mail_retry_delay = 2\nmail_retry_period = 4\n",
    );
    let sink = Sink::start(&python, port, site.path());
    add_members(
        &site,
        &[
            ("ok1@a.example", ReceptionMode::Mail),
            ("soft@b.example", ReceptionMode::Mail),
            ("hard@b.example", ReceptionMode::Mail),
            ("ok2@c.example", ReceptionMode::Mail),
        ],
    );
    let since = now();
    post(&site, &message("ann@a.example", "codes"));
    let report = distribute(&site, Table(vec![]));
    assert_eq!((report.sent, report.deferred, report.failed), (2, 1, 1));
    let to: BTreeSet<String> = sink.received().iter().flat_map(|r| r.to.clone()).collect();
    assert_eq!(
        to,
        ["ok1@a.example", "ok2@c.example"].map(String::from).into()
    );
    let store = site.db.store();
    // The hard refusal is there for bounce handling, with its code and text.
    let failures = store.db().delivery_failures_since(since, 100).unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].email, "hard@b.example");
    assert_eq!(failures[0].last_code, Some(550));
    assert_eq!(
        failures[0].last_text.as_deref(),
        Some("5.1.1 no such user here")
    );
    assert!(failures[0].updated_at >= since);
    // The soft one waits for its retry (mail_retry_delay = 2 s), and is tried again.
    assert_eq!(counts(&site).deferred, 1);
    assert_eq!(
        distribute(&site, Table(vec![])),
        Report::default(),
        "not due yet"
    );
    std::thread::sleep(Duration::from_millis(2100));
    let again = distribute(&site, Table(vec![]));
    assert_eq!((again.sent, again.deferred, again.failed), (0, 1, 0));
    // The next retry comes after twice the delay; by then mail_retry_period (4 s) has
    // passed: it is given up, failed, with the last reply kept.
    std::thread::sleep(Duration::from_millis(4100));
    let last = distribute(&site, Table(vec![]));
    assert_eq!(last.failed, 1, "{last:?}");
    let failures = store.db().delivery_failures_since(since, 100).unwrap();
    let soft_row = failures
        .iter()
        .find(|f| f.email == "soft@b.example")
        .unwrap();
    assert_eq!(soft_row.last_code, Some(450));
    assert!(soft_row.attempts >= 3, "{soft_row:?}");
    assert!(
        soft_row
            .last_text
            .as_deref()
            .unwrap()
            .contains("4.2.1 mailbox busy"),
        "{soft_row:?}"
    );
    assert_eq!(sink.received().len(), 2, "nothing sent twice");
}

#[test]
fn with_the_mta_down_nothing_is_lost_and_once_it_is_up_each_copy_goes_once() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site("dist-down", port, "");
    add_members(
        &site,
        &[
            ("a@a.example", ReceptionMode::Mail),
            ("b@b.example", ReceptionMode::Mail),
            ("c@c.example", ReceptionMode::Mail),
        ],
    );
    post(&site, &message("ann@a.example", "down"));
    let report = distribute(&site, Table(vec![]));
    assert_eq!((report.sent, report.deferred, report.failed), (0, 3, 0));
    let store = site.db.store();
    let counted = counts(&site);
    assert_eq!(counted.deferred, 3);
    let rows = store.db().delivery_rcpt(1).unwrap().unwrap();
    assert_eq!(rows.last_code, None);
    assert!(
        rows.last_text.unwrap().contains("connecting"),
        "the error is kept"
    );

    let sink = Sink::start(&python, port, site.path());
    std::thread::sleep(Duration::from_millis(1100));
    let report = distribute(&site, Table(vec![]));
    assert_eq!((report.sent, report.deferred, report.failed), (3, 0, 0));
    assert_eq!(distribute(&site, Table(vec![])), Report::default());
    let received = sink.received();
    assert_eq!(received.len(), 3);
    let to: BTreeSet<String> = received.iter().flat_map(|r| r.to.clone()).collect();
    assert_eq!(to.len(), 3);
}

/// Two `wwsympa sender` processes work one post to 300 members: every member gets exactly
/// one copy, and both did part of the work.
#[test]
fn two_sender_processes_send_no_copy_twice() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    // Claims of 50 (one session of 50; nrcpt 10 is less), so both senders get some.
    let site = site("dist-two", port, "maxsmtp = 1\nnrcpt = 10\n");
    let sink = Sink::start(&python, port, site.path());
    let members: Vec<String> = (0..300)
        .map(|i| format!("m{i:03}@d{}.example", i % 7))
        .collect();
    let refs: Vec<(&str, ReceptionMode)> = members
        .iter()
        .map(|m| (m.as_str(), ReceptionMode::Mail))
        .collect();
    add_members(&site, &refs);
    let start = |name: &str| -> Server {
        let command = site.command(&["sender", "--poll", "200ms"]);
        let mut server = site.spawn_server(name, command, std::process::Stdio::null());
        server.wait_for_log("sender: sending the outbox through");
        server
    };
    let first = start("first");
    let second = start("second");
    post(&site, &message("ann@a.example", "two senders"));
    assert!(
        process::wait_until(Duration::from_secs(120), || counts(&site).sent == 300),
        "not all sent: {:?}",
        counts(&site)
    );
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for copy in sink.received() {
        for rcpt in copy.to {
            *seen.entry(rcpt).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 300);
    let doubled: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "sent twice: {doubled:?}");
    let worked = |server: &Server| {
        server
            .log_text()
            .lines()
            .filter(|l| l.contains("delivery #1:"))
            .count()
    };
    eprintln!(
        "claims: first {}, second {}",
        worked(&first),
        worked(&second)
    );
    assert!(
        worked(&first) > 0 && worked(&second) > 0,
        "one sender did it all"
    );
    for server in [first, second] {
        server.assert_no_panic();
        assert!(server.stop(libc::SIGTERM).success());
    }
}

#[test]
fn bulk_mode_sends_one_copy_to_nrcpt_members_at_a_time() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site("dist-bulk", port, "nrcpt = 3\n");
    let sink = Sink::start(&python, port, site.path());
    let members: Vec<String> = (0..7).map(|i| format!("r{i}@bulk.example")).collect();
    let refs: Vec<(&str, ReceptionMode)> = members
        .iter()
        .map(|m| (m.as_str(), ReceptionMode::Mail))
        .collect();
    add_members(&site, &refs);
    let store = site.db.store();
    let team = list(&store, "team");
    let mut settings = store.db().list_mail_settings(team.id).unwrap();
    settings.delivery = DeliveryMode::Bulk;
    store
        .db()
        .set_list_mail_settings(team.id, &settings)
        .unwrap();
    post(&site, &message("ann@a.example", "bulk"));
    let report = distribute(&site, Table(vec![]));
    assert_eq!(report.sent, 7);
    let received = sink.received();
    let mut sizes: Vec<usize> = received.iter().map(|r| r.to.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [1, 3, 3]);
    for copy in &received {
        assert_eq!(copy.from, "team-owner@lists.example.org");
        let unsubscribe = copy.header("List-Unsubscribe").unwrap();
        assert_eq!(
            unsubscribe,
            "<http://localhost/sympa/signoff/team>, <mailto:team-unsubscribe@lists.example.org>"
        );
        assert_eq!(copy.header("List-Unsubscribe-Post"), None);
        assert_eq!(copy.data, received[0].data, "one copy for all");
    }
}

#[test]
fn dmarc_protection_rewrites_from_only_for_quarantine_and_reject_domains() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site("dist-dmarc", port, "");
    let sink = Sink::start(&python, port, site.path());
    add_members(&site, &[("reader@r.example", ReceptionMode::Mail)]);
    let policies = || {
        Table(vec![
            ("strict.example".into(), "v=DMARC1; p=reject".into()),
            ("relaxed.example".into(), "v=DMARC1; p=none".into()),
        ])
    };
    post(&site, &message("Ann Author <ann@strict.example>", "strict"));
    distribute(&site, policies());
    post(&site, &message("Bob <bob@relaxed.example>", "relaxed"));
    distribute(&site, policies());
    // "always" on the list: rewritten whatever the domain says.
    let store = site.db.store();
    let team = list(&store, "team");
    let mut settings = store.db().list_mail_settings(team.id).unwrap();
    settings.dmarc = DmarcProtection::Always;
    store
        .db()
        .set_list_mail_settings(team.id, &settings)
        .unwrap();
    post(&site, &message("Cy <cy@relaxed.example>", "always"));
    distribute(&site, policies());
    settings.dmarc = DmarcProtection::Never;
    store
        .db()
        .set_list_mail_settings(team.id, &settings)
        .unwrap();
    post(&site, &message("Dee <dee@strict.example>", "never"));
    distribute(&site, policies());

    let received = sink.received();
    assert_eq!(received.len(), 4);
    let by_subject = |subject: &str| {
        received
            .iter()
            .find(|r| r.header("Subject").as_deref() == Some(subject))
            .unwrap()
            .clone()
    };
    let strict = by_subject("strict");
    assert_eq!(
        strict.header("From").as_deref(),
        Some("\"Ann Author via team\" <team@lists.example.org>")
    );
    assert_eq!(
        strict.header("Reply-To").as_deref(),
        Some("Ann Author <ann@strict.example>")
    );
    let relaxed = by_subject("relaxed");
    assert_eq!(
        relaxed.header("From").as_deref(),
        Some("Bob <bob@relaxed.example>")
    );
    assert_eq!(relaxed.header("Reply-To"), None);
    assert_eq!(
        by_subject("always").header("From").as_deref(),
        Some("\"Cy via team\" <team@lists.example.org>")
    );
    assert_eq!(
        by_subject("never").header("From").as_deref(),
        Some("Dee <dee@strict.example>")
    );
}

/// With `mail_transport = "sendmail"`, each copy goes through the program (`-i -f
/// RETURN-PATH -- RCPT`), its exit status read as the reply: 0 sent, 75 (EX_TEMPFAIL)
/// deferred, 67 (EX_NOUSER) failed.
#[test]
fn the_sendmail_transport_runs_the_program_once_per_copy() {
    let dir = crate::support::TempDir::new("dist-sendmail-prog");
    let program = dir.path().join("sendmail");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\nlast=\"\"\nfor a; do last=\"$a\"; done\ncase \"$last\" in soft*) exit 75;; hard*) exit 67;; esac\nf={}/$$\necho \"$*\" > \"$f.args\"\ncat > \"$f.eml\"\n",
            out.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let site = site(
        "dist-sendmail",
        free_port(),
        &format!(
            "mail_transport = \"sendmail\"\nsendmail = \"{}\"\n",
            program.display()
        ),
    );
    add_members(
        &site,
        &[
            ("a@a.example", ReceptionMode::Mail),
            ("soft@b.example", ReceptionMode::Mail),
            ("hard@c.example", ReceptionMode::Mail),
        ],
    );
    post(&site, &message("ann@a.example", "via sendmail"));
    let report = distribute(&site, Table(vec![]));
    assert_eq!((report.sent, report.deferred, report.failed), (1, 1, 1));
    let args: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "args"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(args.len(), 1);
    assert!(
        args[0].starts_with("-i -f team-owner+") && args[0].trim_end().ends_with("-- a@a.example"),
        "{args:?}"
    );
    let hard = site.db.store().db().delivery_failures_since(0, 10).unwrap();
    assert_eq!(hard.len(), 1);
    assert_eq!(hard[0].email, "hard@c.example");
}
