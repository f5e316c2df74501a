//! Mail leaves after the response: through real `wwsympa serve` and `wwsympa sender` processes,
//! a request never waits on the MTA (nor tells by its timing who is subscribed), the sender
//! thread is woken on commit, claims keep two senders from sending one mail twice, and a dead
//! sender's claims are taken over once their lease runs out.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wwsympa::domain::{
    ArchiveAccess, Email, ListName, ListPolicy, MailSettings, ReviewPolicy, SendPolicy,
    SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::store::{NewMail, NewMember, Store};

use crate::browser::csrf_in;
use crate::support::fcgi_client::{self, Addr, Reply};
use crate::support::process::{self, Server, Site};
use crate::support::{free_port, python_with_aiosmtpd, wait_until, SmtpServer};

/// An MTA that accepts TCP connections and never says a word: every SMTP step times out.
struct HungMta {
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HungMta {
    fn start() -> HungMta {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (accepted, stop) = (Arc::clone(&accepted), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut held = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            held.push(stream);
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
        };
        HungMta {
            port,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    /// Connections accepted so far.
    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for HungMta {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A site whose mail goes to `smtp_port`, with the list `news` (anonymous signoff needs the
/// member's confirmation by mail) and `members` as its members.
fn site_with_news(name: &str, smtp_port: u16, members: &[String]) -> Site {
    let site = Site::new(
        name,
        &format!("smtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nmail_retry_delay = 1\n"),
    );
    site.create_lists(&["news"]);
    let store = store(&site);
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("news").unwrap())
        .unwrap()
        .unwrap();
    store
        .db()
        .set_list_policy(
            list.id,
            &ListPolicy {
                visibility: Visibility::Noconceal,
                subscribe: SubscribePolicy::Open,
                unsubscribe: UnsubscribePolicy::OpenNotify,
                review: ReviewPolicy::Owner,
                archive: ArchiveAccess::Private,
            },
        )
        .unwrap();
    for member in members {
        store
            .db()
            .add_member(list.id, &NewMember::new(Email::parse(member).unwrap()))
            .unwrap();
    }
    site
}

fn store(site: &Site) -> Store {
    site.store()
}

/// How long the test waits for a reply: well under one SMTP step timeout (20 s).
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// One FastCGI request from `remote` with the session `cookie`; returns the reply and how long
/// it took from connecting to the end of the reply.
fn fcgi(
    addr: &Addr,
    method: &str,
    uri: &str,
    remote: &str,
    cookie: Option<&str>,
    body: &str,
) -> (Reply, Duration) {
    let content_length = (!body.is_empty()).then_some(body.len());
    let mut params = fcgi_client::request_params_from(method, uri, content_length, remote);
    if let Some(cookie) = cookie {
        params.extend(fcgi_client::pair(b"HTTP_COOKIE", cookie.as_bytes()));
    }
    let mut request = fcgi_client::begin(1, 1, false);
    request.extend(fcgi_client::stream(fcgi_client::PARAMS, 1, &params, 65535));
    request.extend(fcgi_client::stream(
        fcgi_client::STDIN,
        1,
        body.as_bytes(),
        65535,
    ));
    let started = Instant::now();
    let mut conn = addr.connect().unwrap();
    conn.set_read_timeout(REPLY_TIMEOUT).unwrap();
    conn.write_all(&request).unwrap();
    let reply = fcgi_client::read_reply(&mut conn, 1).unwrap_or_else(|e| {
        panic!("{method} {uri} from {remote}: no whole reply within {REPLY_TIMEOUT:?} ({e}); did it wait on the MTA?")
    });
    (reply, started.elapsed())
}

/// The `name=value` of the cookie that carries an anonymous form's CSRF secret.
fn session_cookie(head: &str) -> String {
    head.lines()
        .filter_map(|l| l.strip_prefix("Set-Cookie: "))
        .filter_map(|c| c.split(';').next())
        .find(|c| c.starts_with("sympa_csrf="))
        .unwrap_or_else(|| panic!("no CSRF cookie in {head}"))
        .to_string()
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2
    }
}

/// The anonymous signoff of a member mails a confirmation; that of a stranger mails nothing.
/// With an MTA that never answers, both must take the same time, and none may wait for it.
///
/// Each address and each client address is used once, so no rate limit answers instead of
/// the handler. The two kinds alternate (and which comes first in a pair alternates too), so
/// a drift of the machine's load hits both alike. The margin, max(5 ms, 25 %) of the
/// strangers' median, is far below what the leak was (45 ms with a quick MTA, 5 s per SMTP
/// step with a hung one) and above what noise moves a median of 30 on a shared 2-core box.
#[test]
fn signoff_takes_as_long_for_a_member_as_for_a_stranger_with_a_hung_mta() {
    const PAIRS: usize = 30;
    const WARM_UP: usize = 3;
    let mta = HungMta::start();
    let members: Vec<String> = (0..PAIRS + WARM_UP)
        .map(|i| format!("member{i:02}@example.org"))
        .collect();
    let site = site_with_news("outbox-timing", mta.port, &members);
    let (server, addr) = site.serve_unix("timing", &["--threads", "2"]);

    let (form, _) = fcgi(&addr, "GET", "/sympa/signoff/news", "192.0.2.1", None, "");
    let cookie = session_cookie(&form.head());
    let token = csrf_in(&form.ok_body()).expect("a CSRF token on the signoff form");
    let signoff = |email: &str, remote: &str| -> Duration {
        let body = format!("email={}&csrf_token={token}", email.replace('@', "%40"));
        let (reply, took) = fcgi(
            &addr,
            "POST",
            "/sympa/signoff/news",
            remote,
            Some(&cookie),
            &body,
        );
        assert_eq!(reply.status(), 200, "{}", reply.body());
        assert!(
            took < Duration::from_secs(1),
            "signoff of {email} took {took:?}: the request waited on the MTA"
        );
        took
    };
    for i in 0..WARM_UP {
        signoff(&members[PAIRS + i], &format!("198.51.100.{}", 200 + i));
        signoff(
            &format!("warm{i}@example.org"),
            &format!("203.0.113.{}", 200 + i),
        );
    }
    let (mut member_times, mut stranger_times) = (Vec::new(), Vec::new());
    for (i, member) in members.iter().take(PAIRS).enumerate() {
        let stranger = format!("stranger{i:02}@example.org");
        let (member_remote, stranger_remote) = (
            format!("198.51.100.{}", i + 1),
            format!("203.0.113.{}", i + 1),
        );
        if i % 2 == 0 {
            member_times.push(signoff(member, &member_remote));
            stranger_times.push(signoff(&stranger, &stranger_remote));
        } else {
            stranger_times.push(signoff(&stranger, &stranger_remote));
            member_times.push(signoff(member, &member_remote));
        }
    }
    let member = median(&mut member_times);
    let stranger = median(&mut stranger_times);
    eprintln!("signoff medians over {PAIRS}: member {member:?}, stranger {stranger:?}");

    // Every member's request did commit a mail, every stranger's none: the two kinds differ
    // in what they do, not in how long they take.
    let counts = store(&site).db().outbox_counts().unwrap();
    assert_eq!(
        (counts.pending + counts.sending + counts.sent) as usize,
        PAIRS + WARM_UP
    );
    // And the sender was at the MTA meanwhile, stuck on its silence.
    assert!(mta.accepted() >= 1, "the sender never reached the MTA");

    let margin = Duration::from_millis(5).max(stranger / 4);
    let difference = member.abs_diff(stranger);
    assert!(
        difference < margin,
        "member median {member:?} vs stranger median {stranger:?}: {difference:?} apart (margin {margin:?})"
    );
    server.assert_no_panic();
    assert!(server.stop(libc::SIGTERM).success());
}

/// The serving process's sender is woken by the commit: with a poll of a minute, the mail
/// still reaches the MTA within 2 s of each response (the plain-HTTP door here).
#[test]
fn a_requests_mail_reaches_the_mta_promptly_after_the_response() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let members: Vec<String> = (0..3).map(|i| format!("prompt{i}@example.org")).collect();
    let site = site_with_news("outbox-prompt", port, &members);
    let smtp = SmtpServer::start(&python, port, &site.path().join("maildir"));
    let http = free_port();
    let listen = format!("127.0.0.1:{http}");
    let mut server = site.serve(
        "prompt",
        std::process::Stdio::null(),
        &["--http", &listen, "--outbox-poll", "60s"],
    );
    server.wait_for_log("serving HTTP on");

    let form = crate::support::http(http, "GET", "/sympa/signoff/news", &[], "");
    let cookie = form
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let token = csrf_in(&form.body).unwrap();
    for (i, member) in members.iter().enumerate() {
        let body = format!("email={}&csrf_token={token}", member.replace('@', "%40"));
        let answer = crate::support::http(
            http,
            "POST",
            "/sympa/signoff/news",
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &body,
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        let answered = Instant::now();
        assert!(
            process::wait_until(Duration::from_secs(2), || smtp.messages().len() > i),
            "the mail to {member} did not reach the MTA within 2 s of the response"
        );
        eprintln!(
            "mail {i} arrived {:?} after the response",
            answered.elapsed()
        );
        assert!(smtp.messages()[i].contains(&format!("To: {member}")));
    }
    server.assert_no_panic();
    assert!(server.stop(libc::SIGTERM).success());
}

/// A post taken over LMTP wakes that process's sender when it commits (the delivery the
/// transaction notes, with no outbox row of its own): with a poll of a minute, the copy still
/// reaches the MTA within 2 s of the 250.
#[test]
fn a_post_taken_over_lmtp_reaches_the_mta_promptly_after_its_250() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site_with_news("outbox-post", port, &["reader@example.org".into()]);
    {
        let store = store(&site);
        let list = store
            .db()
            .list_by_name("lists.example.org", &ListName::parse("news").unwrap())
            .unwrap()
            .unwrap();
        let settings = store.db().list_mail_settings(list.id).unwrap();
        store
            .db()
            .set_list_mail_settings(
                list.id,
                &MailSettings {
                    send: SendPolicy::Public,
                    ..settings
                },
            )
            .unwrap();
    }
    let smtp = SmtpServer::start(&python, port, &site.path().join("maildir"));
    let listen = format!("127.0.0.1:{}", free_port());
    let command = site.command(&["lmtp", "--listen", &listen, "--outbox-poll", "60s"]);
    let mut server = site.spawn_server("lmtp", command, std::process::Stdio::null());
    server.wait_for_log("serving LMTP on");

    let stream = std::net::TcpStream::connect(&listen).unwrap();
    stream.set_read_timeout(Some(REPLY_TIMEOUT)).unwrap();
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // Each reply's last line (`250 ...`, not `250-...`).
    let mut reply = || loop {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
        assert!(!line.is_empty(), "the LMTP server closed the connection");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line;
        }
    };
    assert!(reply().starts_with("220"));
    for (command, code) in [
        ("LHLO test.example.net", "250"),
        ("MAIL FROM:<poster@example.net>", "250"),
        ("RCPT TO:<news@lists.example.org>", "250"),
        ("DATA", "354"),
        (
            "From: poster@example.net\r\nTo: news@lists.example.org\r\nSubject: Prompt post\r\n\
             Message-ID: <prompt-post@example.net>\r\nDate: Sun, 29 Nov 2026 12:00:00 +0000\r\n\r\n\
             Hello.\r\n.",
            "250",
        ),
    ] {
        writer
            .write_all(format!("{command}\r\n").as_bytes())
            .unwrap();
        let answer = reply();
        assert!(answer.starts_with(code), "{command}: {answer}");
    }
    let answered = Instant::now();
    assert!(
        process::wait_until(Duration::from_secs(2), || smtp
            .messages()
            .iter()
            .any(|m| m.contains("Subject: Prompt post"))),
        "the post did not reach the MTA within 2 s of the 250"
    );
    eprintln!("the post arrived {:?} after the 250", answered.elapsed());
    writer.write_all(b"QUIT\r\n").unwrap();
    server.assert_no_panic();
    assert!(server.stop(libc::SIGTERM).success());
}

/// A process that serves and has nothing to do exits on its idle timeout even while its
/// sender thread is stuck in an SMTP dialogue with a hung MTA (20 s per step).
#[test]
fn an_idle_exit_does_not_wait_for_a_hung_mta() {
    let mta = HungMta::start();
    let site = site_with_news("outbox-idle", mta.port, &["idle@example.org".into()]);
    let (mut server, addr) = site.serve_unix("idle", &["--idle-timeout", "1s"]);
    let (form, _) = fcgi(&addr, "GET", "/sympa/signoff/news", "192.0.2.1", None, "");
    let cookie = session_cookie(&form.head());
    let token = csrf_in(&form.ok_body()).unwrap();
    let (reply, _) = fcgi(
        &addr,
        "POST",
        "/sympa/signoff/news",
        "192.0.2.1",
        Some(&cookie),
        &format!("email=idle%40example.org&csrf_token={token}"),
    );
    assert_eq!(reply.status(), 200);
    let answered = Instant::now();
    wait_until("the sender to reach the hung MTA", || mta.accepted() >= 1);
    // Idle after 1 s; the run loop looks every second; the sender gets 1 s of grace.
    let status = server.guard.wait_timeout(Duration::from_secs(6));
    assert!(status.success(), "{status:?}");
    eprintln!("exited {:?} after the last response", answered.elapsed());
    let log = server.log_text();
    assert!(log.contains("no request for"), "{log}");
    // The mail is still in the outbox, claimed; its lease gives it to another sender later.
    let counts = store(&site).db().outbox_counts().unwrap();
    assert_eq!((counts.sending, counts.sent), (1, 0));
}

/// Queues `n` messages with Message-IDs `<outbox-{tag}-{i}@lists.example.org>`.
fn queue(store: &mut Store, tag: &str, range: std::ops::Range<usize>) -> Vec<i64> {
    store
        .transaction(|db| {
            range
                .map(|i| {
                    db.enqueue_mail(&NewMail {
                        kind: "test".into(),
                        list: None,
                        envelope_from: "sympa@lists.example.org".into(),
                        recipients: vec![format!("r{i}@example.org")],
                        message: format!(
                            "Message-ID: <outbox-{tag}-{i}@lists.example.org>\r\n\
                             From: sympa@lists.example.org\r\nTo: r{i}@example.org\r\n\
                             Subject: {tag} {i}\r\n\r\nmessage {i}\r\n"
                        )
                        .into_bytes(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
}

/// How many times each Message-ID reached the SMTP server.
fn message_ids(smtp: &SmtpServer) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for message in smtp.messages() {
        let id = message
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap_or("(none)")
            .to_string();
        *seen.entry(id).or_insert(0) += 1;
    }
    seen
}

/// Starts `wwsympa sender --poll 200ms` on the site and waits until it runs.
fn start_sender(site: &Site, name: &str) -> Server {
    let command = site.command(&["sender", "--poll", "200ms"]);
    let mut server = site.spawn_server(name, command, std::process::Stdio::null());
    server.wait_for_log("sender: sending the outbox through");
    server
}

/// Two `wwsympa sender` processes drain one outbox of 200 messages: each arrives exactly once
/// (counted by Message-ID at the SMTP server), and both senders did part of the work.
#[test]
fn two_senders_send_each_of_200_mails_exactly_once() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site_with_news("outbox-two", port, &[]);
    let smtp = SmtpServer::start(&python, port, &site.path().join("maildir"));
    let first = start_sender(&site, "first");
    let second = start_sender(&site, "second");
    queue(&mut store(&site), "two", 0..200);

    let deadline = Duration::from_secs(90);
    assert!(
        process::wait_until(deadline, || store(&site).db().outbox_counts().unwrap().sent
            == 200),
        "not all 200 sent: {:?}",
        store(&site).db().outbox_counts().unwrap()
    );
    let seen = message_ids(&smtp);
    let doubled: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "{} of 200 sent more than once, e.g. {:?}",
        doubled.len(),
        &doubled[..doubled.len().min(3)]
    );
    let expected: Vec<String> = (0..200)
        .map(|i| format!("<outbox-two-{i}@lists.example.org>"))
        .collect();
    assert_eq!(
        seen.keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        expected.into_iter().collect()
    );
    let sent_by = |server: &Server| {
        server
            .log_text()
            .lines()
            .filter(|l| l.contains("(test) to r") && l.ends_with(" sent"))
            .count()
    };
    let (by_first, by_second) = (sent_by(&first), sent_by(&second));
    eprintln!("first sender sent {by_first}, second {by_second}");
    assert_eq!(by_first + by_second, 200);
    assert!(by_first > 0 && by_second > 0, "one sender did it all");
    for server in [first, second] {
        server.assert_no_panic();
        assert!(server.stop(libc::SIGTERM).success());
    }
}

/// A sender claimed a message and died: nobody touches it while the lease runs, then a live
/// sender takes it over and sends it, once.
#[test]
fn a_dead_senders_claim_is_taken_over_when_its_lease_runs_out() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let port = free_port();
    let site = site_with_news("outbox-lease", port, &[]);
    let smtp = SmtpServer::start(&python, port, &site.path().join("maildir"));
    let mut db = store(&site);
    let orphan = queue(&mut db, "orphan", 0..1)[0];
    // The dead sender's claim: 4 s of lease, never renewed, never released.
    const LEASE: i64 = 4;
    let claimed = db.db().claim_due_mail("dead:1:serve:x", LEASE, 10).unwrap();
    let claimed_at = Instant::now();
    assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), [orphan]);
    queue(&mut db, "fresh", 0..1);

    let sender = start_sender(&site, "live");
    // The fresh one goes at once; the claimed one waits for the end of the lease.
    smtp.wait_for(1);
    assert_eq!(
        message_ids(&smtp).keys().collect::<Vec<_>>(),
        ["<outbox-fresh-0@lists.example.org>"]
    );
    let messages = smtp.wait_for(2);
    let orphan_after = claimed_at.elapsed();
    assert!(
        orphan_after >= Duration::from_secs((LEASE - 1) as u64),
        "the claimed mail was sent {orphan_after:?} after the claim, before its lease ran out"
    );
    assert!(messages[1].contains("Message-ID: <outbox-orphan-0@lists.example.org>"));
    wait_until("both recorded as sent", || {
        db.db().outbox_counts().unwrap().sent == 2
    });
    // The dead sender, were it to come back, no longer holds it.
    assert!(!db.db().mail_sent(orphan, "dead:1:serve:x").unwrap());
    assert!(message_ids(&smtp).values().all(|n| *n == 1));
    sender.assert_no_panic();
    assert!(sender.stop(libc::SIGTERM).success());
}
